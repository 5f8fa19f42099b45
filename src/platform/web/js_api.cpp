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
//   dx_app_set_active_model(id)             the preferred image model: analyzes first; batch and validation use it
//   dx_app_set_model_on(id, on)             turns an image model off (0) or on (1) for the session
//   dx_app_explain_selected(id) -> 0|1      occlusion heatmap for the selected study with model id ("": the
//                                           preferred one), as the button in that model's findings section
//   dx_app_export_report(format) -> 0|1     the selected study's report as a download (as File > Export report)
//   dx_api_set_backend(choice)               "auto" | "webgpu" | "wasm" for models opened afterwards
//   dx_app_set_language(tag)                 "en" | "zh-Hans" (as the Language menu: remembered, announced)
//   dx_app_i18n_status() -> JSON text (caller frees): language and the font's coverage of the UI's characters
//   dx_api_models() -> JSON text (caller frees)
//   dx_api_version() -> "0.1.0 (commit)"
//   dx_app_viewer_state() -> JSON text          what the viewport shows (static storage; see views.h)
//   dx_app_studies() -> JSON text (caller frees): the study list's entries, their status and each model's
//   dx_api_enums() -> JSON text: the names of the numbers and words the page passes to these functions and to
//   batch_bridge.cpp's, in enum order, so the JavaScript keeps no copy of a C++ enum (static storage)
// Answers to requests arrive in JavaScript through dx_js_api_answer(request, ok, json).
#include "app/app_commands.h"
#include "app/i18n.h"
#include "app/population_commands.h"
#include "app/study_models.h"
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
    case ReportFormat::DicomSr:
        return "dicom-sr";
    case ReportFormat::DicomSeg:
        return "dicom-seg";
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
        if (m.task != ModelTask::Tabular) j["on"] = modelOn(services().state, m.id);
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

// The findings panel's "Show where the model looked" in model `modelId`'s section for the selected study ("":
// the preferred model, or else the first classifier with a result); 0 when there is nothing to explain.
EMSCRIPTEN_KEEPALIVE int dx_app_explain_selected(const char* modelId) {
    return explainSelectedStudy(services().state, modelId) ? 1 : 0;
}

// The findings panel's population confirmation for the selected study: the user says the patient is in the
// models' intended population, remembered for the study. 0 when no study is selected.
EMSCRIPTEN_KEEPALIVE int dx_app_confirm_population() {
    AppState& state = services().state;
    return confirmStudyPopulation(state, state.selectedStudy) ? 1 : 0;
}

// File > Export report for the selected study: 0 JSON, 1 CSV, 2 FHIR, 3 HTML, 4 DICOM SR, 5 DICOM SEG
// (dx_api_enums' reportFormats).
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

// One model's part of a study: its status (workspace.h's names, or "not analyzed"), "listed apart" with the
// reason when it does not apply to the image, its intended-population verdict once analyzed, and its findings
// when done: the model's output whatever the verdict, for the embedding page to weigh with "population" (the
// panel shows them only for "in"); "findingsHeldBack" while the panel waits for the user's confirmation.
static nlohmann::json studyModelJson(const Workspace& workspace, const Study& study, const StudyModel& m) {
    nlohmann::json j = {{"id", m.id()}, {"name", m.name()}};
    j["status"] = m.analysis ? analysisStateName(m.analysis->state) : "not analyzed";
    if (m.analysis && m.analysis->state == AnalysisState::Queued)
        j["ahead"] = workspace.analysesAhead(study.id, m.id());
    if (m.analysis && m.analysis->state == AnalysisState::Failed) j["message"] = m.analysis->error;
    if (m.listedApart()) {
        j["listedApart"] = modelGateName(m.gate); // why, as an English code; "reason" in the UI language
        j["reason"] = m.reason;
    }
    if (m.done()) {
        const PopulationVerdict& population = m.analysis->result.population;
        j["population"] = {{"status", populationStatusName(population.status)},
                           {"reason", populationReasonText(population, m.slot->package->manifest)}};
    }
    if (m.awaitingPopulationConfirmation()) j["findingsHeldBack"] = true;
    if (m.done()) {
        nlohmann::json findings = nlohmann::json::array();
        for (const Finding& f : m.analysis->result.findings) {
            nlohmann::json fj = {{"label", f.label}, {"score", f.score}};
            if (f.hasThreshold) {
                fj["threshold"] = f.threshold;
                fj["positive"] = f.positive;
            }
            findings.push_back(std::move(fj));
        }
        j["findings"] = std::move(findings);
        if (m.analysis->result.hasMask) {
            nlohmann::json areas = nlohmann::json::array();
            for (const ClassArea& c : m.analysis->result.mask.areas)
                if (c.name != "background") areas.push_back({{"name", c.name}, {"fraction", c.fraction}});
            j["areas"] = std::move(areas);
        }
    }
    return j;
}

// The study list as the left panel shows it, for tests and the embedding page. Each study's "status" sums up
// its models' (workspace.h's names: queued, analyzing, done, error; or "not analyzed", "cannot open"):
// analyzing while any runs, queued while any waits ("ahead": the fewest analyses before one of them), done or
// error when all have finished. "model" is the preferred model; "models" every image model that is on, in
// the findings panel's order, with its own status, findings, and the reason when listed apart; "summary" the
// study list's line (the most important positive finding).
EMSCRIPTEN_KEEPALIVE char* dx_app_studies() {
    AppState& state = services().state;
    const ModelSlot* preferred = activeModel(state);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& study : state.workspace->studies()) {
        nlohmann::json j = {{"id", study->id}, {"name", study->name}};
        if (preferred) j["model"] = preferred->id();
        const std::vector<StudyModel> models = studyModels(state, *study);
        const StudyProgress progress = studyProgress(models);
        if (!study->ok()) {
            j["status"] = "cannot open";
            j["message"] = study->error;
        } else if (progress.asked > 0) {
            j["status"] = progress.running > 0  ? "analyzing"
                          : progress.queued > 0 ? "queued"
                          : progress.failed > 0 ? "error"
                                                : "done";
            int ahead = -1;
            for (const StudyModel& m : models)
                if (m.analysis && m.analysis->state == AnalysisState::Queued) {
                    const int n = state.workspace->analysesAhead(study->id, m.id());
                    if (n >= 0 && (ahead < 0 || n < ahead)) ahead = n;
                }
            if (progress.running == 0 && ahead >= 0) j["ahead"] = ahead;
            for (const StudyModel& m : models)
                if (m.analysis && m.analysis->state == AnalysisState::Failed && !j.contains("message"))
                    j["message"] = m.analysis->error;
        } else if (state.workspace->awaitingModel(study->id)) {
            j["status"] = "queued";
            j["waitingForModel"] = true;
        } else {
            j["status"] = "not analyzed";
        }
        nlohmann::json perModel = nlohmann::json::array();
        for (const StudyModel& m : models)
            perModel.push_back(studyModelJson(*state.workspace, *study, m));
        j["models"] = std::move(perModel);
        const Finding* top = nullptr;
        if (const StudyModel* from = mostImportantFinding(models, &top))
            j["summary"] = {{"model", from->id()}, {"label", top->label}, {"score", top->score}};
        list.push_back(std::move(j));
    }
    return mallocText(list.dump());
}

// The preferred image model (the findings panel's "Preferred model"): it analyzes opened images first, and
// batch screening and validation use it. Every other image model that is on and fits still analyzes them.
EMSCRIPTEN_KEEPALIVE void dx_app_set_active_model(const char* modelId) {
    services().state.activeModel = modelId;
}

// Turns an image model off (on = 0) or on for this session, as the findings panel's checkboxes do.
EMSCRIPTEN_KEEPALIVE void dx_app_set_model_on(const char* modelId, int on) {
    setModelOn(services().state, modelId, on != 0);
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
