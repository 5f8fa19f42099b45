// archive_run.h — `dxlens analyze --list FILES.txt --out DIR [--shard I/N | auto | auto/N]`: one task of an
// archive-wide run (a Slurm array task, a Kubernetes Indexed Job pod, or a single process with --shard 0/1).
//
// How to use (from analyze_command.cpp, once the model session is open):
//   dx::ArchiveRunOptions o{listPath, outDir, shardText, header};
//   o.prepareWorkers = plan.prepareWorkers;                // cpu_budget.h
//   return dx::runArchiveShard(o, readDecodeAndPreprocess, runModel, resultLine);
//
// Reading, decoding and preprocessing run on worker threads (ordered_read_ahead.h), a few inputs ahead of the
// model, so ONNX Runtime waits for the disk and the decoder only when the CPUs cannot do both; their results
// reach the model strictly in list order, and at most workers + 2 inputs are prepared or being prepared beyond
// the one the model holds, whatever the list's length. Inference and writing stay on the calling thread.
// Writes DIR/shard-IIII-of-NNNN.jsonl (core/screening/shard_log.h): a header line (model and its sha256, the
// list's sha256, which shard and how it was decided), then one line per input, each written with one write()
// as soon as that input is done, so a killed task loses only the input in flight. Run again, it appends only
// the inputs that have no line yet (a half-written last line is cut first), after checking that the file is
// from the same model file, list and shard. A lock on the file refuses a second task writing the same shard.
// Exit code 0 when every input of the shard has its line (inputs that failed have error lines), 2 otherwise.
#pragma once

#include "core/base/result.h"
#include "core/image/image.h"
#include "core/inference/inference.h"
#include "core/screening/shard_log.h"

#include <functional>
#include <string>

namespace dx {

struct ArchiveRunOptions {
    std::string listPath;
    std::string outDir;
    std::string shard = "0/1";
    ShardHeader model;      // model id, version, sha256, manifest text and software filled in by the caller
    int prepareWorkers = 1; // read-ahead threads (cpu_budget.h: planArchiveThreads)
};

// Reads, decodes and preprocesses one input; called on the read-ahead workers, several at once (decodeImage,
// preprocessImage and prepareImageAnalysis share nothing that changes).
using PrepareListedFile = std::function<Result<PreparedImageAnalysis>(const std::string& path)>;
// Runs the model on a prepared input; called on the calling thread only.
using AnalyzePrepared = std::function<Result<AnalysisResult>(PreparedImageAnalysis prepared)>;
// The line written for a result (analysis_json.h, with the caller's options).
using ResultLine = std::function<std::string(const AnalysisResult&)>;

int runArchiveShard(const ArchiveRunOptions& options, const PrepareListedFile& prepare,
                    const AnalyzePrepared& analyze, const ResultLine& line);

} // namespace dx
