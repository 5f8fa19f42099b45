// risk_form.h — the tabular risk form's state and commands: fields generated from the active tabular model's
// features, validation, one analysis with its feature contributions, and CSV batch input with an exported
// results CSV. Drawn by risk_form_view.cpp; the page's test hooks (platform/web/risk_form_api.cpp) call the
// same commands, so a test exercises exactly what a user's clicks do.
//
// How to use:
//   openRiskForm(state, "breast-fna");             // the centre shows the form instead of the image viewer
//   setRiskField(state, "mean radius", "17.99");   // what typing does
//   analyzeRiskForm(state);                        // false (errors shown by each field) when invalid
//   loadRiskBatch(state, "rows.csv", csvText);     // validates every row, analyses the valid ones
//   downloadRiskBatchCsv(state);                   // results CSV through commands.downloadFile
// Results and problems are announced through state.commands.announce (the page's ARIA live region).
#pragma once

#include "app/app_commands.h"
#include "app/app_state.h"
#include "core/tabular/tabular_attribution.h"
#include "core/tabular/tabular_form.h"

#include <string>
#include <vector>

namespace dx {

struct ModelSlot;

// One analysis (the form's, or one CSV row's) and its feature contributions.
struct RiskOutcome {
    bool running = false;
    std::string error;
    bool hasResult = false;
    AnalysisResult result;
    bool attributionRunning = false;
    std::string attributionError;
    bool hasAttribution = false;
    FeatureAttribution attribution;
};

struct RiskBatchRow {
    int row = 0;
    std::string name;
    std::vector<std::string> problems; // why the row was not analyzed
    RiskOutcome outcome;
};

struct RiskFieldBuffer {
    char text[48] = {}; // ImGui edits it in place
};

struct RiskForm {
    std::string modelId; // the package the fields were generated for
    int studyAtOpen = 0; // the selected image when the form opened: selecting another one shows the viewer
    std::vector<RiskFieldBuffer> fields;
    bool attempted = false; // Analyze was pressed: empty fields now show "required"
    bool edited = false;    // a field changed since the shown result
    int focusField = -1;    // keyboard focus goes to this field next frame (the first, or the first invalid)
    bool textReplaced = false; // a command rewrote the fields: a field being edited must drop its own copy
    int generation = 0;        // bumped by Clear and each analysis: late answers to older ones are dropped
    RiskOutcome outcome;
    std::string batchFile;
    std::string batchError;
    std::vector<std::string> ignoredColumns;
    std::vector<RiskBatchRow> batch;
    int batchGeneration = 0;
};

// The ready tabular model the user opened the form for, or null (the centre then shows the image viewer).
const ModelSlot* activeTabularModel(const AppState& state);
RiskForm& riskForm(AppState& state);

void openRiskForm(AppState& state, const std::string& modelId);
void closeRiskForm(AppState& state);
// Opening or picking an image while the form is shown means the user wants to see it: back to the viewer.
void closeRiskFormIfImageSelected(AppState& state);

// The field's problem, translated, or empty. Empty fields count only once Analyze was pressed.
std::string riskFieldProblem(const AppState& state, size_t featureIndex);
bool setRiskField(AppState& state, const std::string& feature, const std::string& text);
bool fillRiskFormExample(AppState& state); // the package's reference input
void clearRiskForm(AppState& state);
bool analyzeRiskForm(AppState& state);

bool loadRiskBatch(AppState& state, const std::string& fileName, const std::string& csvText);
Result<ExportedFile> exportRiskBatchCsv(const AppState& state);
bool downloadRiskBatchCsv(AppState& state);

// One sentence per result for the ARIA live region: probability, threshold and decision, OOD, the features
// that pushed it most, the model and backend, and the research-use notice.
std::string describeRiskOutcome(const RiskOutcome& outcome, const std::string& subject);

} // namespace dx
