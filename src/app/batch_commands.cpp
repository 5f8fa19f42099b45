// batch_commands.cpp — the commands of batch_state.h: queue files, run them through the active model,
// announce progress and results, compute the validation metrics, and export.
#include "app/batch_state.h"

#include "app/app_commands.h"
#include "app/i18n.h"
#include "core/base/notice.h"
#include "core/inference/model_library.h"
#include "core/intake/image_decoder.h"
#include "core/report/report.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <map>

namespace dx {

static Result<Image> decodeForBatch(const Bytes& bytes, const std::string&) {
    return decodeImage(bytes);
}

static bool isRunning(const std::shared_ptr<BatchRun>& run) {
    return run && !run->finished();
}

// ---------------------------------------------------------------------------------------------- batch

bool setBatchFiles(AppState& state, PickedFiles files) {
    BatchScreening& b = *state.batch;
    if (isRunning(b.run)) {
        b.message = tr("A batch is running: cancel it before queueing other files.");
        announce(state, b.message);
        return false;
    }
    b = BatchScreening{};
    b.files = std::move(files);
    b.message = trf("%d files queued from %s. Press Start to analyze them.", int(b.files.names.size()),
                    b.files.source.c_str());
    state.views.showBatch = true;
    b.focusedFrame = state.frame;
    announce(state, b.message);
    return true;
}

static std::string batchSummary(const BatchRun& run) {
    size_t positive = 0, outliers = 0;
    std::string label;
    for (const BatchItem& item : run.items()) {
        const Finding* top = item.top();
        if (top && top->hasThreshold && top->positive) {
            positive++;
            label = top->label;
        }
        if (item.outOfDistribution) outliers++;
    }
    const BatchProgress p = run.progress(monotonicMs());
    std::string text = formatText(run.cancelled() ? tr("Batch cancelled: %d of %d images analyzed")
                                                  : tr("Batch finished: %d of %d images analyzed"),
                                  int(p.finished - p.failed), int(p.total));
    text += trf(" in %s (%.1f images/s).", formatDuration(p.elapsedSeconds).c_str(), p.imagesPerSecond);
    if (p.failed) text += trf(" %d could not be analyzed; the table says why.", int(p.failed));
    if (positive) text += trf(" %d at or above the %s threshold.", int(positive), label.c_str());
    if (outliers) text += trf(" %d outside what the model was trained on.", int(outliers));
    return text + " " + tr(kResearchUseNotice);
}

bool startBatch(AppState& state) {
    BatchScreening& b = *state.batch;
    const ModelSlot* slot = activeModel(state);
    if (isRunning(b.run)) return false;
    if (b.files.names.empty() || !slot) {
        b.message = !slot ? tr("No image model is ready: open a model package first.")
                          : tr("No files queued: add a folder or files first.");
        announce(state, b.message);
        return false;
    }
    AppState* app = &state;
    b.run = BatchRun::create(b.files.names, slot->session, b.files.read, decodeForBatch, {},
                             [app](const BatchRun& run) {
                                 app->batch->message = batchSummary(run);
                                 announce(*app, app->batch->message);
                             });
    b.announcedTenths = 0;
    b.sortedAtFinished = size_t(-1);
    b.message.clear();
    announce(state, trf("Batch started: %d images with %s.", int(b.files.names.size()), slot->id().c_str()));
    b.run->start();
    return true;
}

void cancelBatch(AppState& state) {
    if (isRunning(state.batch->run)) state.batch->run->cancel();
}

// ---------------------------------------------------------------------------------------------- validation

// The CSV names files relative to its own folder; the picked files carry the picked folder's path. Returns
// the picked index of each CSV item, or an error naming the files the pick does not contain.
static Result<std::vector<size_t>> matchCsvToPicked(const LabelledSet& set,
                                                    const std::vector<std::string>& picked,
                                                    const std::string& csvFolder) {
    std::map<std::string, size_t> byPath;
    for (size_t i = 0; i < picked.size(); i++)
        byPath[picked[i]] = i;
    std::vector<size_t> indices;
    std::string missing;
    size_t missingCount = 0;
    for (const LabelledItem& item : set.items) {
        auto it = byPath.find(csvFolder + item.file);
        if (it != byPath.end()) {
            indices.push_back(it->second);
        } else if (++missingCount <= 3) {
            missing += (missing.empty() ? "'" : ", '") + item.file + "'";
        }
    }
    if (missingCount)
        return Error(trf("%d files the labels name are not in the picked folder (%s%s).", int(missingCount),
                         missing.c_str(), missingCount > 3 ? ", …" : ""));
    return indices;
}

bool setValidationFiles(AppState& state, PickedFiles files, const std::string& labelsCsv,
                        const std::string& csvName, const std::string& csvFolder) {
    ValidationStudy& v = *state.validation;
    if (isRunning(v.run)) {
        v.message = tr("A validation is running: cancel it before loading another set.");
        announce(state, v.message);
        return false;
    }
    const std::string keepPositive = v.positiveLabel;
    v = ValidationStudy{};
    v.positiveLabel = keepPositive;
    state.views.showValidation = true;
    v.focusedFrame = state.frame;
    Result<LabelledSet> set =
        labelsCsv.empty() ? labelledSetFromPaths(files.names) : parseLabelledCsv(labelsCsv, csvName);
    Result<std::vector<size_t>> order = std::vector<size_t>{};
    if (set && !labelsCsv.empty()) order = matchCsvToPicked(*set, files.names, csvFolder);
    if (!set || !order) {
        v.message = std::string(tr("The labelled set could not be loaded: ")) +
                    (!set ? set.error().message : order.error().message);
        announce(state, v.message);
        return false;
    }
    v.dataset = labelsCsv.empty() ? files.source : csvName;
    v.set = std::move(*set);
    v.hasSet = true;
    if (!labelsCsv.empty()) {
        // Analyze in the CSV's order, reading each item's picked file.
        std::vector<std::string> names;
        for (size_t i : *order)
            names.push_back(files.names[i]);
        ReadBatchBytes readPicked = files.read;
        files.read = [readPicked, order = *order](size_t index, std::function<void(Result<Bytes>)> done) {
            readPicked(order[index], std::move(done));
        };
        files.names = std::move(names);
    }
    v.files = std::move(files);
    std::string classes;
    for (const std::string& c : v.set.classes) {
        const auto n = std::count_if(v.set.items.begin(), v.set.items.end(),
                                     [&](const LabelledItem& item) { return item.label == c; });
        classes += formatText("%s%s %d", classes.empty() ? "" : ", ", c.c_str(), int(n));
    }
    v.message = trf("Labelled set loaded: %d images (%s). Press Run validation.", int(v.set.items.size()),
                    classes.c_str());
    announce(state, v.message);
    return true;
}

std::string validationPositiveLabel(const AppState& state) {
    const ModelSlot* slot = activeModel(state);
    if (!slot) return {};
    const ModelManifest& m = slot->package->manifest;
    const std::vector<std::string> labels = classificationLabels(m);
    const std::string& chosen = state.validation->positiveLabel;
    if (std::find(labels.begin(), labels.end(), chosen) != labels.end()) return chosen;
    return defaultPositiveLabel(m);
}

// After a cancel the metrics cover the images analyzed before it; the first words say so.
static std::string validationSummary(const ValidationStudy& v, bool cancelled) {
    const BinaryValidation& r = v.result;
    return formatText(
               cancelled
                   ? tr("Validation cancelled; metrics on the %d images analyzed (%d left out): AUC %.3f "
                        "(95%% CI %.3f to %.3f); at threshold %.2f sensitivity %s, specificity %s.")
                   : tr("Validation finished on %d images (%d left out): AUC %.3f (95%% CI %.3f to "
                        "%.3f); at threshold %.2f sensitivity %s, specificity %s."),
               int(r.roc.positives + r.roc.negatives), int(v.excluded), r.auc, r.aucInterval.lower,
               r.aucInterval.upper, r.options.threshold, formatMetric(r.metrics.sensitivity, 3).c_str(),
               formatMetric(r.metrics.specificity, 3).c_str()) +
           " " + tr(kResearchUseNotice);
}

static std::string multiclassSummary(const ValidationStudy& v, bool cancelled) {
    const MulticlassValidation& r = v.multiclassResult;
    return formatText(cancelled ? tr("Validation cancelled; metrics on the %d images analyzed (%d left out): "
                                     "accuracy %s; macro-averaged sensitivity %s, specificity %s, AUC %s.")
                                : tr("Validation finished on %d images (%d left out): accuracy %s; "
                                     "macro-averaged sensitivity %s, specificity %s, AUC %s."),
                      int(r.cases), int(v.excluded), formatMetric(r.accuracy, 3).c_str(),
                      formatMetric(r.sensitivity.value, 3).c_str(),
                      formatMetric(r.specificity.value, 3).c_str(), formatMetric(r.auc.value, 3).c_str()) +
           " " + tr(kResearchUseNotice);
}

// When the scores or the metrics could not be made, says why in the validation window and the live region.
template <typename Scores, typename Metrics>
static bool saidNoMetrics(AppState& state, const Result<Scores>& scores, const Result<Metrics>& result) {
    if (scores && result) return false;
    ValidationStudy& v = *state.validation;
    v.message = std::string(tr("No metrics: ")) + (!scores ? scores.error().message : result.error().message);
    announce(state, v.message);
    return true;
}

// A multi-class run is done: score rows -> confusion matrix, per-class and macro figures.
static void finishMulticlassValidation(AppState& state, const BatchRun& run) {
    ValidationStudy& v = *state.validation;
    Result<MulticlassScores> scores = collectMulticlassScores(run, v.classTruth);
    Result<MulticlassValidation> result = Error("");
    if (scores) result = validateMulticlass(scores->scores, scores->classCount, scores->labels);
    if (saidNoMetrics(state, scores, result)) return;
    v.excluded = scores->excluded;
    v.classScores = std::move(*scores);
    v.multiclassResult = std::move(*result);
    v.hasResult = true;
    v.message = multiclassSummary(v, run.cancelled());
    announce(state, v.message);
}

// The batch is done: scores -> every metric (bootstrap included, once; the slider then only looks up).
static void finishValidation(AppState& state, const BatchRun& run, const std::string& positive,
                             const ModelManifest& manifest) {
    ValidationStudy& v = *state.validation;
    if (v.multiclass) return finishMulticlassValidation(state, run);
    Result<ValidationScores> scores = collectValidationScores(run, v.truth, positive);
    Result<BinaryValidation> result = Error("");
    if (scores) {
        BinaryValidationOptions options;
        options.threshold = defaultThreshold(manifest, positive);
        result = validateBinary(scores->scores, scores->labels, options);
    }
    if (saidNoMetrics(state, scores, result)) return;
    v.excluded = scores->excluded;
    v.scores = std::move(*scores);
    v.result = std::move(*result);
    v.hasResult = true;
    v.threshold = v.result.options.threshold;
    v.message = validationSummary(v, run.cancelled());
    announce(state, v.message);
}

bool startValidation(AppState& state) {
    ValidationStudy& v = *state.validation;
    const ModelSlot* slot = activeModel(state);
    if (isRunning(v.run)) return false;
    if (!v.hasSet || !slot) {
        v.message = !slot ? tr("No image model is ready: open a model package first.")
                          : tr("No labelled set: add a folder with one subfolder per class first.");
        announce(state, v.message);
        return false;
    }
    const ModelManifest& manifest = slot->package->manifest;
    const bool multiclass = isMulticlassModel(manifest);
    const std::string positive = multiclass ? std::string() : validationPositiveLabel(state);
    if (multiclass) {
        Result<MulticlassTruth> truth = multiclassTruth(v.set, classificationLabels(manifest));
        if (!truth) {
            v.message = std::string(tr("The labelled set does not fit this model: ")) + truth.error().message;
            announce(state, v.message);
            return false;
        }
        v.classTruth = std::move(*truth);
    } else {
        Result<BinaryTruth> truth = binaryTruth(v.set, positive);
        if (!truth) {
            v.message = std::string(tr("The labelled set does not fit this model: ")) + truth.error().message;
            announce(state, v.message);
            return false;
        }
        v.truth = std::move(*truth);
    }
    v.multiclass = multiclass;
    v.modelLabel = positive;
    v.hasResult = false;
    v.announcedTenths = 0;
    v.message.clear();
    AppState* app = &state;
    std::shared_ptr<const ModelPackage> package = slot->package;
    v.run = BatchRun::create(v.files.names, slot->session, v.files.read, decodeForBatch, {},
                             [app, positive, package](const BatchRun& run) {
                                 finishValidation(*app, run, positive, package->manifest);
                             });
    if (multiclass)
        announce(state, trf("Validation started: %d images, %d classes of %s.", int(v.files.names.size()),
                            int(v.classTruth.classNames.size()), slot->id().c_str()));
    else
        announce(state, trf("Validation started: %d images, %s positive for %s.", int(v.files.names.size()),
                            v.truth.positiveClass.c_str(), positive.c_str()));
    v.run->start();
    return true;
}

void cancelValidation(AppState& state) {
    if (isRunning(state.validation->run)) state.validation->run->cancel();
}

// ---------------------------------------------------------------------------------------------- progress

static void announceProgress(AppState& state, const char* what, const BatchRun& run, int& announcedTenths) {
    const BatchProgress p = run.progress(monotonicMs());
    if (!p.running || p.total == 0) return;
    const int tenths = int(p.finished * 10 / p.total);
    if (tenths <= announcedTenths || tenths >= 10) return;
    announcedTenths = tenths;
    announce(state, trf("%s: %d of %d images analyzed (%d failed), %.1f images/s, about %s left.", what,
                        int(p.finished), int(p.total), int(p.failed), p.imagesPerSecond,
                        formatDuration(p.secondsLeft).c_str()));
}

void tickBatchWork(AppState& state) {
    if (state.batch && state.batch->run)
        announceProgress(state, tr("Batch"), *state.batch->run, state.batch->announcedTenths);
    if (state.validation && state.validation->run)
        announceProgress(state, tr("Validation"), *state.validation->run, state.validation->announcedTenths);
}

void pickBatchFiles(AppState& state, BatchQueueId queue, bool folder) {
    if (state.commands.openBatchPicker) state.commands.openBatchPicker(int(queue), folder);
}

int batchDropTarget(const AppState& state) {
    const bool batch = state.batch && state.views.showBatch;
    const bool validation = state.validation && state.views.showValidation;
    if (batch && validation)
        return state.validation->focusedFrame > state.batch->focusedFrame ? int(BatchQueueId::Validation)
                                                                          : int(BatchQueueId::Batch);
    if (batch) return int(BatchQueueId::Batch);
    if (validation) return int(BatchQueueId::Validation);
    return -1;
}

// ---------------------------------------------------------------------------------------------- export

static std::string fileStem(std::string text) {
    for (char& c : text)
        if (c == '/' || c == '\\' || c == ' ' || c == ':') c = '-';
    while (!text.empty() && text.back() == '-')
        text.pop_back();
    return text.empty() ? "images" : text;
}

// The validation as exported: the slider's operating point, with its sensitivity/specificity intervals
// re-estimated there (same bootstrap settings) when the slider moved away from the model's threshold.
static Result<BinaryValidation> validationAtSlider(const ValidationStudy& v) {
    BinaryValidation at = v.result;
    if (v.threshold == v.result.options.threshold) return at;
    at.options.threshold = v.threshold;
    at.operating = operatingPoint(at.roc, v.threshold);
    at.metrics = binaryMetrics(at.operating.matrix);
    Result<SensitivitySpecificityInterval> rates =
        bootstrapSensitivitySpecificity(v.scores.scores, v.scores.labels, v.threshold, at.options.bootstrap);
    if (!rates) return rates.error();
    at.rateIntervals = *rates;
    return at;
}

Result<ExportedFile> makeBatchExport(const AppState& state, BatchExport what) {
    if (what == BatchExport::BatchCsv) {
        const BatchScreening& b = *state.batch;
        if (!b.run || !b.run->finished())
            return Error(tr("The batch has no finished results to export yet."));
        return ExportedFile{fileStem(b.files.source) + "-" + b.run->modelId() + "-batch.csv", "text/csv",
                            batchResultsCsv(*b.run)};
    }
    const ValidationStudy& v = *state.validation;
    if (!v.hasResult || !v.run) return Error(tr("The validation has no results to export yet."));
    const std::string stem = fileStem(v.dataset) + "-" + v.run->modelId() + "-validation";
    const ModelManifest& manifest = v.run->session().package->manifest;
    if (v.multiclass) {
        if (what == BatchExport::ValidationScoresCsv)
            return ExportedFile{stem + "-scores.csv", "text/csv",
                                multiclassScoresCsv(*v.run, v.set, v.classTruth)};
        MulticlassValidationReportInput input{&v.multiclassResult, &manifest, v.classTruth.classNames,
                                              v.dataset};
        const bool json = what == BatchExport::ValidationJson;
        Result<std::string> text = json ? writeMulticlassValidationJson(input, ReportOptions{})
                                        : writeMulticlassValidationCsv(input, ReportOptions{});
        if (!text) return text.error();
        return ExportedFile{stem + (json ? ".json" : "-per-class.csv"),
                            json ? "application/json" : "text/csv", std::move(*text)};
    }
    if (what == BatchExport::ValidationScoresCsv)
        return ExportedFile{stem + "-scores.csv", "text/csv",
                            validationScoresCsv(*v.run, v.set, v.truth, v.modelLabel)};
    Result<BinaryValidation> at = validationAtSlider(v);
    if (!at) return at.error();
    ValidationReportInput input{&*at, &manifest, v.modelLabel, v.dataset};
    const ReportOptions options;
    Result<std::string> text = what == BatchExport::ValidationJson ? writeValidationJson(input, options)
                                                                   : writeValidationCsv(input, options);
    if (!text) return text.error();
    const bool json = what == BatchExport::ValidationJson;
    return ExportedFile{stem + (json ? ".json" : "-roc.csv"), json ? "application/json" : "text/csv",
                        std::move(*text)};
}

bool downloadBatchExport(AppState& state, BatchExport what) {
    return downloadExport(state, makeBatchExport(state, what));
}

} // namespace dx
