// js_api.cpp — the C++ functions the page's JavaScript calls (web/dx-api.mjs wraps them in Promises).
//
//   dx_api_begin_model(source) -> key        a model slot the UI shows while its files download
//   dx_api_model_progress(key, done, total)  download progress for that slot
//   dx_api_model_failed(key, message)        the download failed
//   dx_api_open_model(request, key, folder)  files are in the in-memory FS at `folder`: verify, open, self-test
//   dx_api_analyze(request, modelId, name, bytes, length, populationConfirmed)   decode + analyze one file;
//                                            populationConfirmed 1: the caller confirms the patient is in the
//                                            model's intended population ("unverified" -> "in", population.h)
//   dx_app_open_file(name, bytes, length) -> study id   a file the user opened/dropped/pasted, shown in the UI
//   dx_app_set_active_model(id)             the model opened images are analyzed with
//   dx_app_explain_selected() -> 0|1        occlusion heatmap for the selected study (as the panel's button)
//   dx_app_export_report(format) -> 0|1     the selected study's report as a download (as File > Export report)
//   dx_api_set_backend(choice)               "auto" | "webgpu" | "wasm" for models opened afterwards
//   dx_app_set_language(tag)                 "en" | "zh-Hans" (as the Language menu: remembered, announced)
//   dx_app_i18n_status() -> JSON text (caller frees): language and the font's coverage of the UI's characters
//   dx_api_models() -> JSON text (caller frees)
//   dx_api_version() -> "0.1.0 (commit)"
//   dx_app_viewer_state() -> JSON text          what the viewport shows (static storage; see views.h)
//   dx_app_studies() -> JSON text (caller frees): the study list's entries and their status
//   dx_api_enums() -> JSON text: the names of the numbers and words the page passes to these functions and to
//   batch_bridge.cpp's, in enum order, so the JavaScript keeps no copy of a C++ enum (static storage)
// Answers to requests arrive in JavaScript through dx_js_api_answer(request, ok, json).
#include "app/app_commands.h"
#include "app/i18n.h"
#include "app/views.h"
#include "core/base/build_info.h"
#include "core/base/file_io.h"
#include "core/inference/analysis_json.h"
#include "core/inference/model_library.h"
#include "core/intake/image_decoder.h"
#include "core/viewer/workspace.h"
#include "platform/web/web_bridge.h"
#include "platform/web/web_services.h"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>
#include <memory>

extern "C" void dx_js_api_answer(int request, int ok, const char* json);

namespace dx::web {

static void answer(int request, const Result<std::string>& json) {
    if (json) {
        dx_js_api_answer(request, 1, json->c_str());
        return;
    }
    const std::string error = nlohmann::json{{"message", json.error().message}}.dump();
    dx_js_api_answer(request, 0, error.c_str());
}

static Result<Image> decodeBytes(const Bytes& bytes, const std::string&) {
    return decodeImage(bytes);
}

// The page's names for the File > Export report formats and the backend choices. Like batchQueueName and
// batchExportName (batch_bridge.cpp), nullptr past the last value: enumNames() counts up until a name is
// missing, and an enumerator added without a name here is a -Wswitch warning.
static const char* reportFormatName(ReportFormat format) {
    switch (format) {
    case ReportFormat::Json:
        return "json";
    case ReportFormat::Csv:
        return "csv";
    case ReportFormat::Fhir:
        return "fhir";
    case ReportFormat::Html:
        return "html";
    }
    return nullptr;
}

static const char* backendChoiceName(BackendChoice choice) {
    switch (choice) {
    case BackendChoice::Auto:
        return "auto";
    case BackendChoice::WebGpu:
        return "webgpu";
    case BackendChoice::Wasm:
        return "wasm";
    }
    return nullptr;
}

template <typename Enum> static nlohmann::json enumNames(const char* (*name)(Enum)) {
    nlohmann::json names = nlohmann::json::array();
    for (int i = 0; const char* n = name(Enum(i)); i++)
        names.push_back(n);
    return names;
}

nlohmann::json slotJson(const ModelSlot& s) {
    nlohmann::json j = {{"key", s.key},
                        {"id", s.id()},
                        {"source", s.source},
                        {"state", modelSlotStateName(s.state)},
                        {"message", s.message}};
    if (s.state == ModelSlotState::Downloading) {
        j["bytes_done"] = s.bytesDone;
        j["bytes_total"] = s.bytesTotal; // 0 until every file of the package has answered
    }
    if (s.package) {
        const ModelManifest& m = s.package->manifest;
        j["name"] = m.name;
        j["version"] = m.version;
        j["task"] = modelTaskName(m.task);
        j["intended_use"] = m.intendedUse;
    }
    if (s.ready()) {
        j["backend"] = s.session.backendName;
        j["self_test"] = nlohmann::json::parse(selfTestJson(s.session.selfTest), nullptr, false);
        j["fallbacks"] = s.session.fallbackNotes;
        j["load_ms"] = s.session.loadMs;
        j["self_test_ms"] = s.session.selfTestMs;
    }
    return j;
}

} // namespace dx::web

using namespace dx;
using namespace dx::web;

extern "C" {

EMSCRIPTEN_KEEPALIVE int dx_api_begin_model(const char* source) {
    return services().models.beginLoading(source);
}

EMSCRIPTEN_KEEPALIVE void dx_api_model_progress(int key, double done, double total) {
    services().models.setDownloadProgress(key, done, total);
}

EMSCRIPTEN_KEEPALIVE void dx_api_model_failed(int key, const char* message) {
    services().models.fail(key, message);
}

EMSCRIPTEN_KEEPALIVE void dx_api_open_model(int request, int key, const char* folder) {
    // The page may have learnt about WebGPU since the last frame: pick backends from what is known now.
    readPlatformInfo(services().state.platform);
    notePlatformChanged();
    services().syncBackendOrder();
    services().models.open(key, packageFolderReader(folder), decodeBytes, [request](const ModelSlot& slot) {
        if (slot.ready())
            answer(request, slotJson(slot).dump());
        else
            answer(request, Error(slot.message));
    });
}

EMSCRIPTEN_KEEPALIVE void dx_api_analyze(int request, const char* modelId, const char* name,
                                         const uint8_t* bytes, int length, int populationConfirmed) {
    ModelSlot* slot = services().models.findById(modelId);
    if (!slot) {
        answer(request, Error(std::string("No model '") + modelId + "' is open and ready."));
        return;
    }
    auto copy = std::make_shared<Bytes>(bytes, bytes + length); // the caller frees its buffer on return
    analyzeImageBytes(slot->session, name, *copy, decodeBytes,
                      [request, copy, populationConfirmed](Result<AnalysisResult> r) {
                          if (!r) return answer(request, r.error());
                          if (populationConfirmed) confirmPopulation(r->population);
                          answer(request, analysisResultJson(*r));
                      });
}

EMSCRIPTEN_KEEPALIVE int dx_app_open_file(const char* name, const uint8_t* bytes, int length) {
    return openFile(services().state, name, Bytes(bytes, bytes + length));
}

// The findings panel's "Show where the model looked" for the selected study; 0 when nothing to explain.
EMSCRIPTEN_KEEPALIVE int dx_app_explain_selected() {
    return explainSelectedStudy(services().state) ? 1 : 0;
}

// File > Export report for the selected study: 0 JSON, 1 CSV, 2 FHIR, 3 HTML (dx_api_enums' reportFormats).
// Returns 1 when downloaded.
EMSCRIPTEN_KEEPALIVE int dx_app_export_report(int format) {
    if (!reportFormatName(ReportFormat(format))) return 0;
    return downloadSelectedStudyReport(services().state, ReportFormat(format)) ? 1 : 0;
}

// What the viewport shows now (slice, window, zoom, ruler, patient line as displayed) as JSON: static
// storage, valid until the next call. For tests and the embedding API; nothing here is sent anywhere.
EMSCRIPTEN_KEEPALIVE const char* dx_app_viewer_state() {
    static std::string text;
    text = describeViewer(services().state);
    return text.c_str();
}

// The study list as the left panel shows it, for tests and the embedding page: each study's status with the
// active model (workspace.h's names: queued, analyzing, done, error; or "not analyzed", "cannot open").
EMSCRIPTEN_KEEPALIVE char* dx_app_studies() {
    AppState& state = services().state;
    const ModelSlot* model = activeModel(state);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& study : state.workspace->studies()) {
        nlohmann::json j = {{"id", study->id}, {"name", study->name}};
        if (model) j["model"] = model->id();
        const StudyAnalysis* a = model ? study->analysis(model->id()) : nullptr;
        if (!study->ok()) {
            j["status"] = "cannot open";
            j["message"] = study->error;
        } else if (a) {
            j["status"] = analysisStateName(a->state);
            if (a->state == AnalysisState::Queued)
                j["ahead"] = state.workspace->analysesAhead(study->id, model->id());
            if (a->state == AnalysisState::Failed) j["message"] = a->error;
        } else if (state.workspace->awaitingModel(study->id)) {
            j["status"] = "queued";
            j["waitingForModel"] = true;
        } else {
            j["status"] = "not analyzed";
        }
        list.push_back(std::move(j));
    }
    return mallocText(list.dump());
}

// The model the workstation analyses opened images with (the UI's model picker does the same).
EMSCRIPTEN_KEEPALIVE void dx_app_set_active_model(const char* modelId) {
    services().state.activeModel = modelId;
}

// One of dx_api_enums' backendChoices; anything else means "auto".
EMSCRIPTEN_KEEPALIVE void dx_api_set_backend(const char* choice) {
    WebServices& s = services();
    s.state.settings.backend = BackendChoice::Auto;
    for (int i = 0; const char* name = backendChoiceName(BackendChoice(i)); i++)
        if (!std::strcmp(choice, name)) s.state.settings.backend = BackendChoice(i);
    s.syncBackendOrder();
}

// The Language menu's action, for the page and tests: any BCP 47 tag (zh-CN means Simplified Chinese).
EMSCRIPTEN_KEEPALIVE void dx_app_set_language(const char* tag) {
    switchLanguage(services().state, languageForTag(tag));
}

// {"language", "uiCharacters", "missingGlyphs", "cjkFontLoaded", "atlas": [w, h], "sample"}: malloc'd,
// JavaScript frees it. "sample" is a UI string in the current language, so a test can see that switching took effect.
EMSCRIPTEN_KEEPALIVE char* dx_app_i18n_status() {
    const FontCoverage& f = services().fonts;
    const nlohmann::json j = {{"language", languageTag(currentLanguage())},
                              {"uiCharacters", f.uiCharacters},
                              {"missingGlyphs", f.missing},
                              {"cjkFontLoaded", f.cjkFontLoaded},
                              {"atlas", {f.atlasWidth, f.atlasHeight}},
                              {"sample", tr("Findings")}};
    return mallocText(j.dump());
}

// {"reportFormats", "batchQueues", "batchExports", "backendChoices"}: each a list of names in enum order, the
// index of a name being the number the C++ function takes. Static storage, not freed.
EMSCRIPTEN_KEEPALIVE const char* dx_api_enums() {
    static const std::string text = [] {
        nlohmann::json j;
        j["reportFormats"] = enumNames(reportFormatName);
        j["batchQueues"] = enumNames(batchQueueName);
        j["batchExports"] = enumNames(batchExportName);
        j["backendChoices"] = enumNames(backendChoiceName);
        return j.dump();
    }();
    return text.c_str();
}

// "0.1.0 (commit)": static storage, not freed.
EMSCRIPTEN_KEEPALIVE const char* dx_api_version() {
    static const std::string text = std::string(buildInfo().version) + " (" + buildInfo().commit + ")";
    return text.c_str();
}

// Returns malloc'd UTF-8 JSON; JavaScript frees it.
EMSCRIPTEN_KEEPALIVE char* dx_api_models() {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& slot : services().models.slots())
        list.push_back(slotJson(*slot));
    return mallocText(list.dump());
}

} // extern "C"
