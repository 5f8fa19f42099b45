// batch_bridge.cpp — how picked folders reach the Batch screening and Validation windows, and the page API
// for them (web/batch.mjs wraps these; tests call them through window.dxlens.batch).
//
//   dx_app_batch_set_files(queue, generation, pathsJson, labelsCsv, csvName, csvFolder, source) -> 1|0
//        a folder (or files) the user picked or dropped; queue 0 batch, 1 validation. The page keeps the
//        File objects; C++ asks for one file's bytes at a time through dx_js_batch_read(queue, generation,
//        index), answered by dx_app_batch_file_read / dx_app_batch_file_failed. `generation` tells answers
//        for an older pick apart.
//   dx_app_batch_start(queue) -> 1|0, dx_app_batch_cancel(queue)
//   dx_app_batch_status(queue) -> JSON text (caller frees): progress, and the validation summary
//   dx_app_batch_export(what) -> 1|0: downloads BatchExport `what` (0 batch CSV, 1 validation JSON, 2 ROC CSV or,
//        for a multi-class model, the per-class table, 3 per-image validation scores CSV)
//   dx_app_validation_set_threshold(t), dx_app_validation_set_positive(label)
//   dx_app_batch_drop_target() -> -1 | 0 | 1: where a dropped folder goes
//   dx_app_batch_show(queue, visible): opens or closes the window
// The page takes the numbers of queues and exports from dx_api_enums (js_api.cpp), which lists the names
// batchQueueName and batchExportName below give them.
#include "app/batch_state.h"
#include "platform/web/web_services.h"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <map>
#include <tuple>

extern "C" void dx_js_batch_read(int queue, int generation, int index);
extern "C" void dx_js_open_batch_picker(int queue, int folder);

namespace dx::web {

using ReadAnswer = std::function<void(Result<Bytes>)>;
using ReadKey = std::tuple<int, int, int>; // queue, generation, index

// Reads waiting for the page's answer. A file may be asked for twice at once (a batch and "open this row"),
// so answers are queued per key.
static std::multimap<ReadKey, ReadAnswer>& pendingReads() {
    static std::multimap<ReadKey, ReadAnswer> pending;
    return pending;
}

static ReadBatchBytes pageReader(int queue, int generation) {
    return [queue, generation](size_t index, ReadAnswer done) {
        pendingReads().emplace(ReadKey{queue, generation, int(index)}, std::move(done));
        dx_js_batch_read(queue, generation, int(index));
    };
}

static void answerRead(int queue, int generation, int index, Result<Bytes> bytes) {
    auto& pending = pendingReads();
    auto it = pending.find(ReadKey{queue, generation, index});
    if (it == pending.end()) return; // an answer nobody waits for (the queue was replaced)
    ReadAnswer done = std::move(it->second);
    pending.erase(it);
    done(std::move(bytes));
}

static std::shared_ptr<BatchRun> runOf(int queue) {
    WebServices& s = services();
    return queue == int(BatchQueueId::Validation) ? s.validation.run : s.batch.run;
}

static nlohmann::json progressJson(const BatchRun& run) {
    const BatchProgress p = run.progress(monotonicMs());
    return {{"total", p.total},
            {"finished", p.finished},
            {"failed", p.failed},
            {"cancelled", p.cancelled},
            {"running", p.running},
            {"elapsed_s", p.elapsedSeconds},
            {"images_per_s", p.imagesPerSecond},
            {"seconds_left", p.secondsLeft},
            {"peak_decoded_images", run.peakDecodedImages()},
            {"model", run.modelId()}};
}

static nlohmann::json validationJson(const ValidationStudy& v) {
    nlohmann::json j = {{"has_set", v.hasSet},  {"has_result", v.hasResult},   {"message", v.message},
                        {"dataset", v.dataset}, {"items", v.set.items.size()}, {"classes", v.set.classes}};
    if (!v.hasResult) return j;
    const auto number = [](double x) { return std::isnan(x) ? nlohmann::json() : nlohmann::json(x); };
    j["multiclass"] = v.multiclass;
    if (v.multiclass) {
        // Rows: true class, columns: the highest-scoring class; per class against the rest; macro averages.
        const MulticlassValidation& r = v.multiclassResult;
        const int k = r.confusion.classCount;
        nlohmann::json matrix = nlohmann::json::array(), perClass = nlohmann::json::array();
        for (int t = 0; t < k; t++) {
            nlohmann::json row = nlohmann::json::array();
            for (int p = 0; p < k; p++)
                row.push_back(r.confusion.at(t, p));
            matrix.push_back(std::move(row));
            const ClassMetrics& c = r.perClass[size_t(t)];
            perClass.push_back({{"class", v.classTruth.classNames[size_t(t)]},
                                {"sensitivity", number(c.metrics.sensitivity)},
                                {"specificity", number(c.metrics.specificity)},
                                {"ppv", number(c.metrics.ppv)},
                                {"f1", number(c.metrics.f1)},
                                {"auc", number(c.auc)}});
        }
        j["model_classes"] = v.classTruth.classNames;
        j["confusion"] = std::move(matrix);
        j["per_class"] = std::move(perClass);
        j["accuracy"] = number(r.accuracy);
        j["macro"] = {{"sensitivity", number(r.sensitivity.value)},
                      {"specificity", number(r.specificity.value)},
                      {"ppv", number(r.ppv.value)},
                      {"f1", number(r.f1.value)},
                      {"auc", number(r.auc.value)}};
        j["excluded"] = v.excluded;
        return j;
    }
    const OperatingPoint op = operatingPoint(v.result.roc, v.threshold);
    const BinaryMetrics m = binaryMetrics(op.matrix);
    j["positive_label"] = v.modelLabel;
    j["threshold"] = v.threshold;
    j["auc"] = v.result.auc;
    j["auc_ci"] = {v.result.aucInterval.lower, v.result.aucInterval.upper};
    j["confusion"] = {{"tp", op.matrix.truePositives},
                      {"fp", op.matrix.falsePositives},
                      {"tn", op.matrix.trueNegatives},
                      {"fn", op.matrix.falseNegatives}};
    j["metrics"] = {{"accuracy", number(m.accuracy)},
                    {"sensitivity", number(m.sensitivity)},
                    {"specificity", number(m.specificity)},
                    {"ppv", number(m.ppv)},
                    {"npv", number(m.npv)},
                    {"f1", number(m.f1)}};
    j["ece"] =
        v.result.hasReliability ? number(v.result.reliability.expectedCalibrationError) : nlohmann::json();
    j["excluded"] = v.excluded;
    return j;
}

void installBatchCommands(PlatformCommands& commands) {
    commands.openBatchPicker = [](int queue, bool folder) { dx_js_open_batch_picker(queue, folder ? 1 : 0); };
}

const char* batchQueueName(BatchQueueId queue) {
    switch (queue) {
    case BatchQueueId::Batch:
        return "batch";
    case BatchQueueId::Validation:
        return "validation";
    }
    return nullptr;
}

const char* batchExportName(BatchExport what) {
    switch (what) {
    case BatchExport::BatchCsv:
        return "batch-csv";
    case BatchExport::ValidationJson:
        return "validation-json";
    case BatchExport::ValidationRocCsv:
        return "validation-roc-csv";
    case BatchExport::ValidationScoresCsv:
        return "validation-scores-csv";
    }
    return nullptr;
}

} // namespace dx::web

using namespace dx;
using namespace dx::web;

extern "C" {

EMSCRIPTEN_KEEPALIVE int dx_app_batch_set_files(int queue, int generation, const char* pathsJson,
                                                const char* labelsCsv, const char* csvName,
                                                const char* csvFolder, const char* source) {
    const nlohmann::json paths = nlohmann::json::parse(pathsJson, nullptr, false);
    if (!paths.is_array()) return 0;
    PickedFiles files;
    for (const auto& p : paths)
        files.names.push_back(p.is_string() ? p.get<std::string>() : std::string());
    files.read = pageReader(queue, generation);
    files.source = source;
    AppState& state = services().state;
    if (queue == int(BatchQueueId::Validation))
        return setValidationFiles(state, std::move(files), labelsCsv, csvName, csvFolder) ? 1 : 0;
    return setBatchFiles(state, std::move(files)) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void dx_app_batch_file_read(int queue, int generation, int index, const uint8_t* bytes,
                                                 int length) {
    answerRead(queue, generation, index, Bytes(bytes, bytes + length));
}

EMSCRIPTEN_KEEPALIVE void dx_app_batch_file_failed(int queue, int generation, int index,
                                                   const char* message) {
    answerRead(queue, generation, index, Error(message));
}

EMSCRIPTEN_KEEPALIVE int dx_app_batch_start(int queue) {
    AppState& state = services().state;
    return (queue == int(BatchQueueId::Validation) ? startValidation(state) : startBatch(state)) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void dx_app_batch_cancel(int queue) {
    AppState& state = services().state;
    if (queue == int(BatchQueueId::Validation))
        cancelValidation(state);
    else
        cancelBatch(state);
}

// Returns malloc'd UTF-8 JSON; JavaScript frees it.
EMSCRIPTEN_KEEPALIVE char* dx_app_batch_status(int queue) {
    WebServices& s = services();
    const bool validation = queue == int(BatchQueueId::Validation);
    const std::shared_ptr<BatchRun> run = runOf(queue);
    nlohmann::json j = {{"queued", validation ? s.validation.files.names.size() : s.batch.files.names.size()},
                        {"window_open", validation ? s.state.views.showValidation : s.state.views.showBatch},
                        {"message", validation ? s.validation.message : s.batch.message},
                        {"finished", run ? run->finished() : false}};
    if (run) j["progress"] = progressJson(*run);
    if (validation) j["validation"] = validationJson(s.validation);
    return mallocText(j.dump());
}

EMSCRIPTEN_KEEPALIVE int dx_app_batch_export(int what) {
    if (!batchExportName(BatchExport(what))) return 0;
    return downloadBatchExport(services().state, BatchExport(what)) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void dx_app_validation_set_threshold(double threshold) {
    services().validation.threshold = threshold;
}

EMSCRIPTEN_KEEPALIVE void dx_app_validation_set_positive(const char* label) {
    services().validation.positiveLabel = label;
}

EMSCRIPTEN_KEEPALIVE int dx_app_batch_drop_target() {
    return batchDropTarget(services().state);
}

EMSCRIPTEN_KEEPALIVE void dx_app_batch_show(int queue, int visible) {
    ViewToggles& views = services().state.views;
    (queue == int(BatchQueueId::Validation) ? views.showValidation : views.showBatch) = visible != 0;
}

} // extern "C"
