// risk_form_api.cpp — the tabular risk form's functions for the page's JavaScript (web/risk-form.mjs wraps
// them as window.dxlens.api.riskForm). They call the same commands as the form's buttons (app/risk_form.h),
// so the browser tests drive what a user drives.
//
//   dx_app_risk_open(modelId) -> 0|1          show the form for a ready tabular model
//   dx_app_risk_set_field(feature, text) -> 0|1   what typing into the field does
//   dx_app_risk_fill_example() -> 0|1, dx_app_risk_clear()
//   dx_app_risk_analyze() -> 0|1              0: not run (a field is invalid, or no tabular model)
//   dx_app_risk_load_csv(name, text) -> 0|1   a CSV of cases from #dx-table-input
//   dx_app_risk_export_csv() -> 0|1           results CSV downloaded
//   dx_app_risk_state() -> JSON text (caller frees): fields with their problems, result, contributions, batch
#include "app/risk_form.h"
#include "core/inference/analysis_json.h"
#include "core/inference/model_library.h"
#include "platform/web/web_services.h"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <cstring>

namespace dx::web {

static nlohmann::json parsed(const std::string& text) {
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

static nlohmann::json outcomeJson(const RiskOutcome& o) {
    nlohmann::json j = {{"running", o.running || o.attributionRunning}, {"error", o.error}};
    j["result"] = o.hasResult ? parsed(analysisResultJson(o.result)) : nullptr;
    j["attribution"] = o.hasAttribution ? parsed(featureAttributionJson(o.attribution)) : nullptr;
    j["attribution_error"] = o.attributionError;
    return j;
}

static nlohmann::json riskStateJson(AppState& state) {
    const ModelSlot* slot = activeTabularModel(state);
    if (!slot) return {{"model", nullptr}};
    const ModelManifest& m = slot->package->manifest;
    RiskForm& form = riskForm(state);
    nlohmann::json fields = nlohmann::json::array();
    for (size_t i = 0; i < m.input.features.size() && i < form.fields.size(); i++) {
        const TabularFeature& f = m.input.features[i];
        fields.push_back({{"name", f.name},
                          {"unit", f.unit},
                          {"min", f.min},
                          {"max", f.max},
                          {"text", form.fields[i].text},
                          {"problem", riskFieldProblem(state, i)}});
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const RiskBatchRow& r : form.batch) {
        nlohmann::json row = outcomeJson(r.outcome);
        row["row"] = r.row;
        row["name"] = r.name;
        row["problems"] = r.problems;
        rows.push_back(row);
    }
    return {{"model", m.id},
            {"fields", fields},
            {"outcome", outcomeJson(form.outcome)},
            {"batch", {{"file", form.batchFile}, {"error", form.batchError}, {"rows", rows}}}};
}

} // namespace dx::web

using namespace dx;
using namespace dx::web;

extern "C" {

EMSCRIPTEN_KEEPALIVE int dx_app_risk_open(const char* modelId) {
    openRiskForm(services().state, modelId);
    return activeTabularModel(services().state) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int dx_app_risk_set_field(const char* feature, const char* text) {
    return setRiskField(services().state, feature, text) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int dx_app_risk_fill_example() {
    return fillRiskFormExample(services().state) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void dx_app_risk_clear() {
    clearRiskForm(services().state);
}

EMSCRIPTEN_KEEPALIVE int dx_app_risk_analyze() {
    return analyzeRiskForm(services().state) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int dx_app_risk_load_csv(const char* name, const char* text) {
    return loadRiskBatch(services().state, name, text) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int dx_app_risk_export_csv() {
    return downloadRiskBatchCsv(services().state) ? 1 : 0;
}

// Returns malloc'd UTF-8 JSON; JavaScript frees it.
EMSCRIPTEN_KEEPALIVE char* dx_app_risk_state() {
    return mallocText(riskStateJson(services().state).dump());
}

} // extern "C"
