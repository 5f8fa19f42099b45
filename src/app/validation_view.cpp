// validation_view.cpp — the Validation window (Ctrl+L): load a labelled set (a folder with one subfolder per
// class, or a folder with a labels CSV of file,label), run it through the active model, and read the
// confusion matrix, the usual rates, ROC with AUC and its bootstrap 95% CI, and calibration. The threshold
// slider (or a click on the ROC curve) moves the operating point live; exports JSON, ROC CSV, per-image CSV.
// A model with more than two labels gets the N x N confusion matrix of its highest-scoring class instead,
// with per-class sensitivity, specificity, PPV, F1 and one-vs-rest AUC, overall accuracy and macro averages
// (exports JSON, per-class CSV, per-image CSV).
//
// How to use: drawValidationWindow(state) every frame; nothing is drawn while state.views.showValidation is false.
#include "app/app_commands.h"
#include "app/batch_state.h"
#include "app/i18n.h"
#include "app/plots.h"
#include "app/views.h"
#include "core/inference/model_library.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>

namespace dx {

static const ImVec4 kNoticeColour(1.0f, 0.78f, 0.35f, 1.0f);

static std::string intervalText(const ConfidenceInterval& ci) {
    if (ci.replicates == 0 || std::isnan(ci.lower)) return tr("undefined");
    char text[64];
    std::snprintf(text, sizeof text, "%.3f to %.3f", ci.lower, ci.upper);
    return text;
}

static void metricRow(const char* name, double value, const std::string& interval, const char* meaning) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", meaning);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(formatMetric(value, 3).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(interval.c_str());
}

// The rates at the slider's threshold. Their bootstrap intervals were computed at the model's threshold, so
// they are shown only while the slider is there.
static void drawMetricsTable(const ValidationStudy& v, const BinaryMetrics& m, bool atModelThreshold) {
    const BinaryValidation& r = v.result;
    if (!ImGui::BeginTable("##metrics", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) return;
    ImGui::TableSetupColumn(tr("Metric"));
    ImGui::TableSetupColumn(tr("Value"));
    ImGui::TableSetupColumn(tr("95% CI (bootstrap)"));
    ImGui::TableHeadersRow();
    const std::string none;
    metricRow(tr("AUC"), r.auc, intervalText(r.aucInterval),
              tr("Area under the ROC curve: the chance that a "
                 "random positive scores above a random negative."));
    metricRow(tr("Accuracy"), m.accuracy, none, tr("Fraction of all images called correctly."));
    metricRow(tr("Sensitivity"), m.sensitivity,
              atModelThreshold ? intervalText(r.rateIntervals.sensitivity) : none,
              tr("Of the truly positive images, the fraction called positive (recall)."));
    metricRow(tr("Specificity"), m.specificity,
              atModelThreshold ? intervalText(r.rateIntervals.specificity) : none,
              tr("Of the truly negative images, the fraction called negative."));
    metricRow(tr("PPV"), m.ppv, none,
              tr("Of the images called positive, the fraction truly positive (precision)."));
    metricRow(tr("NPV"), m.npv, none, tr("Of the images called negative, the fraction truly negative."));
    metricRow(tr("F1"), m.f1, none, tr("Harmonic mean of PPV and sensitivity."));
    if (r.hasReliability) {
        metricRow(tr("ECE"), r.reliability.expectedCalibrationError, none,
                  tr("Expected calibration error: the average gap between predicted probability and observed "
                     "frequency (10 bins). 0 is perfect."));
        metricRow(tr("Brier score"), r.reliability.brierScore, none,
                  tr("Mean squared difference between probability and outcome. 0 is perfect."));
    }
    ImGui::EndTable();
}

static void drawThresholdControls(ValidationStudy& v) {
    ImGui::SetNextItemWidth(-FLT_MIN);
    static const double lowest = 0.0, highest = 1.0;
    ImGui::SliderScalar("##threshold", ImGuiDataType_Double, &v.threshold, &lowest, &highest,
                        tr("threshold %.3f"), ImGuiSliderFlags_AlwaysClamp);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", tr("A case is called positive when its score is at or above the threshold. "
                                   "Arrow keys step it; Ctrl+click to type a value."));
    if (ImGui::Button(tr("Model threshold"))) v.threshold = v.result.options.threshold;
    ImGui::SameLine();
    if (ImGui::Button(tr("Sensitivity 0.95"))) {
        const ThresholdChoice c = thresholdForSensitivity(v.result.roc, 0.95);
        if (c.found) v.threshold = c.threshold;
    }
    ImGui::SameLine();
    if (ImGui::Button(tr("Specificity 0.95"))) {
        const ThresholdChoice c = thresholdForSpecificity(v.result.roc, 0.95);
        if (c.found) v.threshold = c.threshold;
    }
}

static void drawExportButtons(AppState& state) {
    if (ImGui::Button(tr("Export JSON…"))) downloadBatchExport(state, BatchExport::ValidationJson);
    ImGui::SameLine();
    if (ImGui::Button(tr("ROC table CSV…"))) downloadBatchExport(state, BatchExport::ValidationRocCsv);
    ImGui::SameLine();
    if (ImGui::Button(tr("Per-image scores CSV…")))
        downloadBatchExport(state, BatchExport::ValidationScoresCsv);
}

// "0.612" or, when some classes have no value, "0.612 (2 of 3 classes)".
static std::string macroText(const MacroAverage& m, int classCount) {
    std::string text = formatMetric(m.value, 3);
    if (m.classes > 0 && m.classes < classCount) text += trf(" (%d of %d classes)", m.classes, classCount);
    return text;
}

static void macroRow(const char* name, const std::string& value, const char* meaning) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", meaning);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(value.c_str());
}

static void drawMulticlassSummary(const MulticlassValidation& r) {
    if (!ImGui::BeginTable("##overall", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) return;
    const int k = r.confusion.classCount;
    ImGui::TableSetupColumn(tr("Overall"));
    ImGui::TableSetupColumn(tr("Value"));
    ImGui::TableHeadersRow();
    macroRow(tr("Accuracy"), formatMetric(r.accuracy, 3),
             tr("Fraction of all images whose highest-scoring class is their true class."));
    const char* macro = tr("Unweighted mean over the classes where it is defined.");
    macroRow(tr("Macro sensitivity"), macroText(r.sensitivity, k), macro);
    macroRow(tr("Macro specificity"), macroText(r.specificity, k), macro);
    macroRow(tr("Macro PPV"), macroText(r.ppv, k), macro);
    macroRow(tr("Macro F1"), macroText(r.f1, k), tr("Mean of the per-class F1 scores."));
    macroRow(tr("Macro AUC (one vs rest)"), macroText(r.auc, k), macro);
    ImGui::EndTable();
}

// Rows: true class; columns: the class with the highest score. The diagonal (correct) is green.
static void drawMulticlassConfusion(const MulticlassValidation& r, const std::vector<std::string>& names) {
    const int k = r.confusion.classCount;
    if (!ImGui::BeginTable("##confusion-n", k + 1, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit))
        return;
    ImGui::TableSetupColumn(tr("True class"));
    for (int p = 0; p < k; p++)
        ImGui::TableSetupColumn(trTerm(names[size_t(p)]).c_str());
    ImGui::TableHeadersRow();
    for (int t = 0; t < k; t++) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(trTerm(names[size_t(t)]).c_str());
        for (int p = 0; p < k; p++) {
            ImGui::TableNextColumn();
            const auto n = static_cast<unsigned long long>(r.confusion.at(t, p));
            if (t == p)
                ImGui::TextColored(ImVec4(0.55f, 0.9f, 0.55f, 1.0f), "%llu", n);
            else
                ImGui::Text("%llu", n);
        }
    }
    ImGui::EndTable();
}

static void drawPerClassTable(const MulticlassValidation& r, const std::vector<std::string>& names) {
    if (!ImGui::BeginTable("##per-class", 7, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) return;
    ImGui::TableSetupColumn(tr("Class"));
    ImGui::TableSetupColumn(tr("Cases"));
    ImGui::TableSetupColumn(tr("Sensitivity"));
    ImGui::TableSetupColumn(tr("Specificity"));
    ImGui::TableSetupColumn(tr("PPV"));
    ImGui::TableSetupColumn(tr("F1"));
    ImGui::TableSetupColumn(tr("AUC"));
    ImGui::TableHeadersRow();
    for (size_t c = 0; c < r.perClass.size(); c++) {
        const ClassMetrics& m = r.perClass[c];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(trTerm(names[c]).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%llu",
                    static_cast<unsigned long long>(m.matrix.truePositives + m.matrix.falseNegatives));
        for (double value :
             {m.metrics.sensitivity, m.metrics.specificity, m.metrics.ppv, m.metrics.f1, m.auc}) {
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(formatMetric(value, 3).c_str());
        }
    }
    ImGui::EndTable();
}

static void drawMulticlassResults(AppState& state) {
    ValidationStudy& v = *state.validation;
    const MulticlassValidation& r = v.multiclassResult;
    const std::vector<std::string>& names = v.classTruth.classNames;
    ImGui::Text(tr("%d images of %d classes; %d left out"), int(r.cases), r.confusion.classCount,
                int(v.excluded));
    ImGui::TextDisabled("%s", tr("Each image is called the class with the highest score."));
    drawMulticlassSummary(r);
    ImGui::Spacing();
    ImGui::TextUnformatted(tr("Confusion matrix (rows: true class; columns: called class)"));
    drawMulticlassConfusion(r, names);
    ImGui::Spacing();
    ImGui::TextUnformatted(tr("Each class against the rest"));
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s",
                          tr("Sensitivity (recall), specificity, PPV (precision) and F1 of calling this "
                             "class; AUC of this class's score against all other images."));
    drawPerClassTable(r, names);
    if (ImGui::Button(tr("Export JSON…"))) downloadBatchExport(state, BatchExport::ValidationJson);
    ImGui::SameLine();
    if (ImGui::Button(tr("Per-class CSV…"))) downloadBatchExport(state, BatchExport::ValidationRocCsv);
    ImGui::SameLine();
    if (ImGui::Button(tr("Per-image scores CSV…")))
        downloadBatchExport(state, BatchExport::ValidationScoresCsv);
}

static void drawResults(AppState& state) {
    ValidationStudy& v = *state.validation;
    if (v.multiclass) return drawMulticlassResults(state);
    const BinaryValidation& r = v.result;
    const OperatingPoint op = operatingPoint(r.roc, v.threshold);
    const BinaryMetrics m = binaryMetrics(op.matrix);
    const bool atModelThreshold = v.threshold == r.options.threshold;
    // Two columns: the numbers on the left, the plots on the right (tables inside a group would take the
    // whole width and push the plots out of the window).
    if (!ImGui::BeginTable("##validation-layout", 2, ImGuiTableFlags_SizingStretchSame)) return;
    ImGui::TableNextColumn();
    ImGui::Text(tr("%d positive (%s), %d negative; %d left out"), int(r.roc.positives),
                v.truth.positiveClass.c_str(), int(r.roc.negatives), int(v.excluded));
    drawThresholdControls(v);
    drawConfusionMatrix(op.matrix, v.modelLabel);
    drawMetricsTable(v, m, atModelThreshold);
    drawExportButtons(state);
    ImGui::TableNextColumn();
    const float plotSide = std::min(ImGui::GetContentRegionAvail().x, 360.0f * state.uiScale);
    ImGui::TextUnformatted(tr("ROC curve (click to pick a threshold)"));
    double picked = 0.0;
    if (drawRocPlot("##roc", r.roc, op, ImVec2(plotSide, plotSide), &picked)) v.threshold = picked;
    if (r.hasReliability) {
        ImGui::TextUnformatted(tr("Reliability diagram"));
        drawReliabilityPlot("##reliability", r.reliability, ImVec2(plotSide, plotSide * 0.75f));
    } else {
        ImGui::TextWrapped("%s", r.reliabilityNote.c_str());
    }
    ImGui::EndTable();
}

static void drawPositiveLabelChoice(AppState& state, bool running) {
    const ModelSlot* slot = activeModel(state);
    if (!slot) {
        ImGui::TextColored(kNoticeColour, "%s", tr("No image model is ready: open a model package first."));
        return;
    }
    const ModelManifest& manifest = slot->package->manifest;
    if (isMulticlassModel(manifest)) {
        ImGui::TextWrapped(tr("Model: %s, %d classes: each class folder or CSV label must be one of them."),
                           slot->id().c_str(), int(classificationLabels(manifest).size()));
        return;
    }
    if (classificationLabels(manifest).size() > 2) // independent (sigmoid) findings
        ImGui::TextWrapped("%s", tr("Multi-label model: validated one finding at a time. Images filed under "
                                    "another class count as negatives for this one."));
    const std::string current = validationPositiveLabel(state);
    ImGui::Text(tr("Model: %s. Positive class:"), slot->id().c_str());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(160.0f * state.uiScale);
    ImGui::BeginDisabled(running);
    if (ImGui::BeginCombo("##positive", current.c_str())) {
        for (const std::string& label : classificationLabels(slot->package->manifest))
            if (ImGui::Selectable(label.c_str(), label == current)) state.validation->positiveLabel = label;
        ImGui::EndCombo();
    }
    ImGui::EndDisabled();
}

static void drawValidationToolbar(AppState& state) {
    ValidationStudy& v = *state.validation;
    const bool running = v.run && !v.run->finished();
    if (buttonIf(!running, tr("Add labelled folder…"))) pickBatchFiles(state, BatchQueueId::Validation, true);
    ImGui::SameLine();
    if (buttonIf(!running && v.hasSet && activeModel(state), tr("Run validation"))) startValidation(state);
    ImGui::SameLine();
    if (buttonIf(running, tr("Cancel"))) cancelValidation(state);
    drawPositiveLabelChoice(state, running);
}

void drawValidationWindow(AppState& state) {
    if (!state.validation || !state.views.showValidation) return;
    ValidationStudy& v = *state.validation;
    const ImVec2 size(920.0f * state.uiScale, 700.0f * state.uiScale);
    if (beginBatchWindow(
            tr("Validation"), &state.views.showValidation, &v.focusedFrame, size,
            tr("Measure the active model on your own labelled images: a folder with one subfolder "
               "per class (e.g. NORMAL/, PNEUMONIA/), or a folder with a CSV of file,label. "
               "Everything is computed on this device."))) {
        drawValidationToolbar(state);
        drawBatchStatus(v.run.get(), v.message);
        if (v.hasResult) {
            ImGui::Separator();
            drawResults(state);
        }
    }
    ImGui::End();
}

} // namespace dx
