// batch_run.cpp — the pipelined batch queue (see batch_run.h).
#include "core/validation/batch_run.h"

#include "core/base/csv.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dx {

const char* batchItemStateName(BatchItemState state) {
    switch (state) {
    case BatchItemState::Queued:
        return "queued";
    case BatchItemState::Reading:
        return "reading";
    case BatchItemState::Analyzing:
        return "analyzing";
    case BatchItemState::Done:
        return "done";
    case BatchItemState::Failed:
        return "failed";
    case BatchItemState::Cancelled:
        return "cancelled";
    }
    return "unknown";
}

const Finding* BatchItem::scoreFor(const std::string& label) const {
    for (const Finding& s : scores)
        if (s.label == label) return &s;
    return nullptr;
}

std::shared_ptr<BatchRun> BatchRun::create(std::vector<std::string> names, ModelSession session,
                                           ReadBatchBytes read, DecodeImage decode, BatchOptions options,
                                           FinishedCallback finished) {
    return std::shared_ptr<BatchRun>(new BatchRun(std::move(names), std::move(session), std::move(read),
                                                  std::move(decode), options, std::move(finished)));
}

BatchRun::BatchRun(std::vector<std::string> names, ModelSession session, ReadBatchBytes read,
                   DecodeImage decode, BatchOptions options, FinishedCallback finished)
    : session_(std::move(session)), read_(std::move(read)), decode_(std::move(decode)), options_(options),
      onFinished_(std::move(finished)) {
    options_.readAhead = std::max(1, options_.readAhead);
    options_.decodeAhead = std::max(1, options_.decodeAhead);
    items_.resize(names.size());
    for (size_t i = 0; i < names.size(); i++)
        items_[i].name = std::move(names[i]);
}

const std::string& BatchRun::modelId() const {
    static const std::string none;
    return session_.package ? session_.package->manifest.id : none;
}

void BatchRun::start() {
    if (started_) return;
    started_ = true;
    startMs_ = monotonicMs();
    pump();
    finishIfIdle(); // an empty queue finishes at once
}

void BatchRun::cancel() {
    if (!started_ || finished_) return;
    cancelled_ = true;
    for (Prepared& p : prepared_)
        items_[p.index].state = BatchItemState::Cancelled;
    prepared_.clear(); // frees the decoded images now
    for (auto& [index, bytes] : readBytes_)
        items_[index].state = BatchItemState::Cancelled;
    readBytes_.clear();
    for (size_t i = nextToRead_; i < items_.size(); i++)
        items_[i].state = BatchItemState::Cancelled;
    nextToRead_ = items_.size();
    finishIfIdle();
}

// Runs pumpOnce until nothing changes. A synchronous reader or backend calls back from inside pumpOnce;
// those calls only ask for another round instead of recursing, so the stack stays flat over any queue.
void BatchRun::pump() {
    if (pumping_) {
        pumpAgain_ = true;
        return;
    }
    pumping_ = true;
    bool started = true;
    while (started || pumpAgain_) {
        pumpAgain_ = false;
        started = pumpOnce();
    }
    pumping_ = false;
}

// One round: ask for more files, decode into free slots, give the model the next image, refill the slot.
bool BatchRun::pumpOnce() {
    auto self = shared_from_this();
    bool started = false;
    while (!cancelled_ && nextToRead_ < items_.size() &&
           reading_ + int(readBytes_.size()) < options_.readAhead) {
        const size_t index = nextToRead_++;
        items_[index].state = BatchItemState::Reading;
        reading_++;
        started = true;
        read_(index, [self, index](Result<Bytes> bytes) { self->onBytes(index, std::move(bytes)); });
    }
    while (!readBytes_.empty() && int(prepared_.size()) < options_.decodeAhead) {
        decodeNext(); // a file that fails to decode frees its read slot: go round again
        started = true;
    }
    if (inferring_ || prepared_.empty()) return started;
    Prepared next = std::move(prepared_.front());
    prepared_.erase(prepared_.begin());
    inferring_ = true;
    items_[next.index].state = BatchItemState::Analyzing;
    const size_t index = next.index;
    // The image travels with the callback and is freed as soon as the result is in.
    analyzeImage(session_, items_[index].name, *next.image, next.decodeMs,
                 [self, index, image = next.image](Result<AnalysisResult> r) {
                     self->onAnalyzed(index, std::move(r));
                 });
    return true;
}

void BatchRun::onBytes(size_t index, Result<Bytes> bytes) {
    reading_--;
    BatchItem& item = items_[index];
    if (cancelled_) {
        item.state = BatchItemState::Cancelled;
    } else if (!bytes) {
        item.state = BatchItemState::Failed;
        item.error = "could not be read: " + bytes.error().message;
        finishedCount_++;
        failedCount_++;
    } else {
        readBytes_.emplace_back(index, std::move(*bytes));
    }
    pump();
    finishIfIdle();
}

// Decodes the oldest read file; its compressed bytes are freed as soon as the pixels exist.
void BatchRun::decodeNext() {
    auto [index, bytes] = std::move(readBytes_.front());
    readBytes_.erase(readBytes_.begin());
    BatchItem& item = items_[index];
    const double start = monotonicMs();
    Result<Image> image = decode_(bytes, item.name);
    Bytes().swap(bytes);
    if (!image) {
        item.state = BatchItemState::Failed;
        item.error = "not an image DxLens can read: " + image.error().message;
        finishedCount_++;
        failedCount_++;
        return;
    }
    prepared_.push_back({index, std::make_shared<const Image>(std::move(*image)), monotonicMs() - start});
    peakDecoded_ = std::max(peakDecoded_, int(prepared_.size()) + (inferring_ ? 1 : 0));
}

void BatchRun::onAnalyzed(size_t index, Result<AnalysisResult> result) {
    inferring_ = false;
    BatchItem& item = items_[index];
    finishedCount_++;
    if (result) {
        item.state = BatchItemState::Done;
        const Finding* top = topFinding(result->findings);
        item.topScore = top ? int(top - result->findings.data()) : -1;
        item.scores = std::move(result->findings);
        item.hasOod = result->ood.present;
        item.outOfDistribution = result->ood.present && !result->ood.inDistribution;
        const AnalysisTimings& t = result->timingsMs;
        item.analysisMs = t.decode + t.preprocess + t.inference + t.postprocess;
    } else {
        item.state = BatchItemState::Failed;
        item.error = "the model could not analyze it: " + result.error().message;
        failedCount_++;
    }
    pump();
    finishIfIdle();
}

void BatchRun::finishIfIdle() {
    if (finished_ || !started_ || pumping_) return;
    const bool allRead = nextToRead_ >= items_.size();
    if (!allRead || reading_ > 0 || inferring_ || !prepared_.empty() || !readBytes_.empty()) return;
    finished_ = true;
    finishMs_ = monotonicMs();
    if (onFinished_) onFinished_(*this);
}

BatchProgress BatchRun::progress(double nowMs) const {
    BatchProgress p;
    p.total = items_.size();
    p.finished = finishedCount_;
    p.failed = failedCount_;
    for (const BatchItem& item : items_)
        if (item.state == BatchItemState::Cancelled) p.cancelled++;
    p.running = started_ && !finished_;
    if (!started_) return p;
    p.elapsedSeconds = std::max(0.0, ((finished_ ? finishMs_ : nowMs) - startMs_) / 1000.0);
    if (p.elapsedSeconds > 0.0) p.imagesPerSecond = double(p.finished) / p.elapsedSeconds;
    if (p.running && p.imagesPerSecond > 0.0)
        p.secondsLeft = double(p.total - p.finished - p.cancelled) / p.imagesPerSecond;
    return p;
}

std::string formatDuration(double seconds) {
    char text[48];
    const long s = long(std::lround(std::max(0.0, seconds)));
    if (s < 60)
        std::snprintf(text, sizeof text, "%ld s", s);
    else if (s < 3600)
        std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
    return text;
}

std::vector<std::string> batchScoreLabels(std::span<const BatchItem> items) {
    std::vector<std::string> labels;
    for (const BatchItem& item : items)
        for (const Finding& s : item.scores)
            if (std::find(labels.begin(), labels.end(), s.label) == labels.end()) labels.push_back(s.label);
    return labels;
}

std::string batchResultsCsv(const BatchRun& run) {
    return batchResultsCsv(run.items(), batchScoreLabels(run.items()));
}

std::string batchResultsCsv(std::span<const BatchItem> items, const std::vector<std::string>& labels) {
    std::vector<std::string> header = {"file", "state", "top_finding", "score", "decision", "ood", "error"};
    for (const std::string& label : labels)
        header.push_back("score_" + label);
    std::string out;
    appendCsvRecord(out, header);
    for (const BatchItem& item : items) {
        const Finding* top = item.top();
        std::vector<std::string> row = {item.name,
                                        batchItemStateName(item.state),
                                        top ? top->label : "",
                                        top ? csvNumber(top->score) : "",
                                        top ? findingDecision(*top) : "",
                                        !item.hasOod             ? ""
                                        : item.outOfDistribution ? "out of distribution"
                                                                 : "in distribution",
                                        item.error};
        for (const std::string& label : labels) {
            const Finding* s = item.scoreFor(label);
            row.push_back(s ? csvNumber(s->score) : "");
        }
        appendCsvRecord(out, row);
    }
    return out;
}

} // namespace dx
