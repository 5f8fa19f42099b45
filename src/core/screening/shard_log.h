// shard_log.h — the JSON-lines file one shard of an archive run writes, and reading it back (to resume a task
// that was killed, and to merge the shards).
//
// How to use:
//   std::string first = dx::shardHeaderJson(header);                 // line 1: model, list, shard identity
//   std::string line = dx::withInputIndex(analysisResultJson(r), 17); // one per input, in the analyze format
//   std::string bad = dx::shardErrorLineJson(17, "a.dcm", "cxr-pneumonia", "not an image: ...");
//   dx::Result<dx::ShardLog> log = dx::parseShardLog(text, "out/shard-0000-of-0004.jsonl");
//   // log->entries: what is done; log->completeBytes: where a resumed task appends (a half line is dropped)
//   dx::Status same = dx::checkSameRun(log->header, header, path);    // refuses another model or list
//
// File: line 1 is the header object ("dxlens_shard": 1), then one line per input: the object `dxlens analyze`
// prints with "input_index" (the input's 0-based place in the list) added, or for an input that could not be
// read, decoded or analyzed { "file", "input_index", "model", "error" }. Lines end with '\n' and are written
// whole, so a killed task leaves complete lines and at most a partial last one, which readers ignore.
#pragma once

#include "core/base/result.h"
#include "core/inference/postprocess.h"
#include "core/screening/shard_plan.h"

#include <string>
#include <string_view>
#include <vector>

namespace dx {

struct ShardHeader {
    std::string modelId;
    std::string modelVersion;
    std::string modelSha256;  // of the model file: two runs are "the same model" when these are equal
    std::string manifestJson; // manifest.json as the run read it: merge takes labels and thresholds from it
    std::string listPath;     // as given on the command line (for messages)
    std::string listSha256;   // InputList::sha256
    size_t listCount = 0;
    ShardSpec shard;
    std::string software; // "dxlens 1.2.0 (abc1234)"
};

std::string shardHeaderJson(const ShardHeader& header); // one line, no '\n'

// One input's result as read back: enough for merging and validation (never the pixels).
struct ShardEntry {
    size_t inputIndex = 0;
    std::string file;
    bool ok = false;
    std::string error;             // when !ok
    std::vector<Finding> findings; // when ok; scores exactly the float32 values the run computed
    bool hasOod = false;
    bool outOfDistribution = false;
};

struct ShardLog {
    ShardHeader header;
    std::vector<ShardEntry> entries; // in file order
    size_t completeBytes = 0;        // length of the text up to and including the last complete line
    bool partialLastLine = false;    // the task was killed while writing it
};

Result<ShardLog> parseShardLog(std::string_view text, const std::string& fileName);

// `resultLine` is one analysis JSON object (analysis_json.h); "input_index" is added before its closing brace.
std::string withInputIndex(std::string resultLine, size_t inputIndex);
std::string shardErrorLineJson(size_t inputIndex, const std::string& file, const std::string& modelId,
                               const std::string& message);

// A task resuming into an existing shard file must be the same run: same model file, same list, same shard.
// The error says what differs and what to do.
Status checkSameRun(const ShardHeader& existing, const ShardHeader& now, const std::string& fileName);

} // namespace dx
