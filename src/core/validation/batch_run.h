// batch_run.h — screening a folder of images with one model: a pipelined queue that reads, decodes and
// analyses every file, keeps only each file's scores (never its pixels), reports progress and can be
// cancelled. The validation panel runs its labelled set through the same queue.
//
// How to use:
//   auto run = dx::BatchRun::create(names, slot.session, readBytes, decode, {}, [](const dx::BatchRun& r) {
//       // called once, when every file is done, failed or cancelled
//   });
//   run->start();
//   dx::BatchProgress p = run->progress(dx::monotonicMs());   // done/total, images per second, time left
//   run->cancel();                                             // files not yet started become Cancelled
//   std::string csv = dx::batchResultsCsv(*run);               // one row per file, failures with reasons
//
// `readBytes(index, done)` fetches file `index`'s bytes and calls `done` once, now or later (the browser
// reads a File asynchronously, with a latency of its own). Pipelining: while one image is being inferred, up
// to `readAhead` files are being read or wait, still compressed, and up to `decodeAhead` of them are decoded,
// so the model waits neither for the file system nor for the decoder. At most decodeAhead + 1 decoded
// images and readAhead compressed files exist at any time, whatever the number of files: memory stays flat
// over thousands of images.
#pragma once

#include "core/base/result.h"
#include "core/inference/inference.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dx {

enum class BatchItemState { Queued, Reading, Analyzing, Done, Failed, Cancelled };
const char* batchItemStateName(BatchItemState state);

struct BatchItem {
    std::string name; // the file's path as the user picked it ("set/normal/a.png")
    BatchItemState state = BatchItemState::Queued;
    std::string error;           // why it failed (unreadable, not an image, model error)
    std::vector<Finding> scores; // every finding, in the model's order (kept after the image is gone)
    int topScore = -1;           // index into scores of the finding a summary shows; -1 for none
    bool hasOod = false;
    bool outOfDistribution = false; // the model's OOD check says the image is unlike its training data
    double analysisMs = 0.0;        // decode + preprocess + inference + postprocess

    const Finding* top() const { return topScore < 0 ? nullptr : &scores[size_t(topScore)]; }
    // The score of `label`, or nullptr when the model gave none (the file failed, or another model).
    const Finding* scoreFor(const std::string& label) const;
};

struct BatchProgress {
    size_t total = 0;
    size_t finished = 0; // done + failed
    size_t failed = 0;
    size_t cancelled = 0;
    bool running = false;        // started and not yet finished
    double elapsedSeconds = 0.0; // since start(), until the run finished
    double imagesPerSecond = 0.0;
    double secondsLeft = -1.0; // -1 while unknown (nothing finished yet) or when not running
};

struct BatchOptions {
    int readAhead = 8;   // files being read or read and waiting (>= 1): hides the file system's latency
    int decodeAhead = 2; // decoded images waiting for the model (>= 1): bounds pixel memory
};

using ReadBatchBytes = std::function<void(size_t index, std::function<void(Result<Bytes>)> done)>;

class BatchRun : public std::enable_shared_from_this<BatchRun> {
public:
    using FinishedCallback = std::function<void(const BatchRun&)>;

    static std::shared_ptr<BatchRun> create(std::vector<std::string> names, ModelSession session,
                                            ReadBatchBytes read, DecodeImage decode, BatchOptions options,
                                            FinishedCallback finished);

    void start();
    // Stops reading further files; the image being inferred still finishes and is kept (nothing lost).
    void cancel();

    const std::vector<BatchItem>& items() const { return items_; }
    const std::string& modelId() const;
    const ModelSession& session() const { return session_; }
    bool finished() const { return finished_; }
    bool cancelled() const { return cancelled_; }
    BatchProgress progress(double nowMs) const;
    // The largest number of decoded images held at once so far (for tests and memory checks).
    int peakDecodedImages() const { return peakDecoded_; }

private:
    struct Prepared {
        size_t index;
        std::shared_ptr<const Image> image;
        double decodeMs;
    };

    BatchRun(std::vector<std::string> names, ModelSession session, ReadBatchBytes read, DecodeImage decode,
             BatchOptions options, FinishedCallback finished);
    void pump();
    bool pumpOnce(); // true when it started something
    void decodeNext();
    void onBytes(size_t index, Result<Bytes> bytes);
    void onAnalyzed(size_t index, Result<AnalysisResult> result);
    void finishIfIdle();

    std::vector<BatchItem> items_;
    ModelSession session_;
    ReadBatchBytes read_;
    DecodeImage decode_;
    BatchOptions options_;
    FinishedCallback onFinished_;

    size_t nextToRead_ = 0;
    int reading_ = 0;
    std::vector<std::pair<size_t, Bytes>> readBytes_; // read, waiting to be decoded
    std::vector<Prepared> prepared_;                  // decoded, waiting for the model
    bool inferring_ = false;
    bool started_ = false, cancelled_ = false, finished_ = false;
    bool pumping_ = false, pumpAgain_ = false; // synchronous backends call back inside pump()
    double startMs_ = 0.0, finishMs_ = 0.0;
    size_t finishedCount_ = 0, failedCount_ = 0;
    int peakDecoded_ = 0;
};

// "1 min 05 s", "12 s", "2 h 03 min": for progress lines.
std::string formatDuration(double seconds);

// RFC 4180 CSV, one row per file in queue order: file, state, top_finding, score, decision, ood, error, then
// one score column per label of the model ("score_<label>"), so the table can be re-analyzed elsewhere.
std::string batchResultsCsv(const BatchRun& run);
// The same for results kept elsewhere (a merged archive run): `labels` are the score columns.
std::string batchResultsCsv(std::span<const BatchItem> items, const std::vector<std::string>& labels);
// Every label any item was scored on, in first-seen order (one model: the same labels for every file).
std::vector<std::string> batchScoreLabels(std::span<const BatchItem> items);

} // namespace dx
