// risk_form_view.cpp — the tabular risk form in the centre of the workstation (a tabular model has no image
// to view): one field per manifest feature with its unit and valid range and a message next to a bad value;
// the calibrated probability, threshold and decision in words with the model's intended use; the features
// that pushed the result most; and CSV batch input as a table. Tab moves between fields, Enter analyzes.
// Commands live in risk_form.h; this file only draws and forwards clicks.
#include "app/i18n.h"
#include "app/population_commands.h"
#include "app/risk_form.h"
#include "app/views.h"
#include "core/inference/model_library.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace dx {
namespace {

const ImVec4 kWarn(1.0f, 0.78f, 0.35f, 1.0f);
const ImVec4 kError(1.0f, 0.45f, 0.40f, 1.0f);
const ImVec4 kGood(0.45f, 0.85f, 0.45f, 1.0f);
const ImVec4 kRaises(0.95f, 0.55f, 0.20f, 1.0f); // same colours as a positive / negative finding bar
const ImVec4 kLowers(0.30f, 0.60f, 0.90f, 1.0f);

void drawToolbar(AppState& state, const ModelSlot& slot) {
    if (ImGui::Button(tr("Analyze (Enter)"))) analyzeRiskForm(state);
    ImGui::SameLine();
    ImGui::BeginDisabled(!slot.package->hasReference);
    if (ImGui::Button(tr("Fill with example"))) fillRiskFormExample(state);
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", tr("The model package's reference case"));
    ImGui::SameLine();
    if (ImGui::Button(tr("Clear"))) clearRiskForm(state);
    ImGui::SameLine();
    if (ImGui::Button(tr("Load CSV of cases…")) && state.commands.openTablePicker)
        state.commands.openTablePicker();
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s",
                          tr("A header line naming the features (any order; an 'id' or 'name' column names "
                             "each case), then one case per line. Read on this device only."));
    ImGui::SameLine();
    if (ImGui::Button(tr("Back to images"))) closeRiskForm(state);
}

// The "valid range" text after a field: "0 – 56.22 px".
std::string rangeText(const TabularFeature& f) {
    char text[160];
    std::snprintf(text, sizeof text, "%g – %g %s", f.min, f.max, displayUnit(f).c_str());
    return text;
}

// A message under a field, drawn across the whole row (up to `rowRight`, in screen pixels) instead of the
// narrow first column: the column's clip rectangle is widened for it.
void drawRowMessage(const std::string& message, float rowRight) {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::PushClipRect(at, ImVec2(rowRight, at.y + 10000.0f), false);
    ImGui::PushTextWrapPos(rowRight - ImGui::GetWindowPos().x);
    ImGui::TextColored(kError, "%s", message.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopClipRect();
}

void drawField(AppState& state, const TabularFeature& f, size_t index, float rowRight) {
    RiskForm& form = riskForm(state);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(f.name.c_str());
    const std::string range = rangeText(f);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s\n%s: %s", f.name.c_str(), tr("Valid range"), range.c_str());
    ImGui::TableNextColumn();
    ImGui::PushID(int(index));
    ImGui::SetNextItemWidth(-FLT_MIN);
    const std::string id = "##" + f.name; // the visible name is column 1; this keeps each field's ID distinct
    if (form.focusField == int(index)) {
        // Start editing this field next frame, as tabbing into it would. (SetKeyboardFocusHere did not reach
        // an InputText inside a scrolling table in ImGui 1.90.1.)
        ImGui::ActivateItemByID(ImGui::GetID(id.c_str()));
        GImGui->NavNextActivateFlags |= ImGuiActivateFlags_PreferInput;
        ImGui::SetScrollHereY();
        form.focusField = -1;
    }
    const std::string problem = riskFieldProblem(state, index);
    if (!problem.empty()) ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.45f, 0.12f, 0.10f, 1.0f));
    if (ImGui::InputText(id.c_str(), form.fields[index].text, sizeof form.fields[index].text,
                         ImGuiInputTextFlags_CharsScientific | ImGuiInputTextFlags_EnterReturnsTrue))
        analyzeRiskForm(state);
    if (ImGui::IsItemEdited()) form.edited = true;
    if (!problem.empty()) ImGui::PopStyleColor();
    ImGui::PopID();
    ImGui::TableNextColumn();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", range.c_str());
    if (problem.empty()) return;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    drawRowMessage(problem, rowRight);
}

void drawFields(AppState& state, const ModelManifest& m) {
    RiskForm& form = riskForm(state);
    if (form.textReplaced) {
        // The field being edited keeps its own copy of the text and would write it back over the new one.
        ImGui::ClearActiveID();
        form.textReplaced = false;
    }
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY;
    const ImVec2 size = ImGui::GetContentRegionAvail();
    const float rowRight = ImGui::GetCursorScreenPos().x + size.x - ImGui::GetStyle().ScrollbarSize;
    if (!ImGui::BeginTable("features", 3, flags, size)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr("Feature"), ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn(tr("Value"), ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("0.0000000").x);
    ImGui::TableSetupColumn(tr("Valid range"), ImGuiTableColumnFlags_WidthStretch, 0.9f);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < m.input.features.size(); i++)
        drawField(state, m.input.features[i], i, rowRight);
    ImGui::EndTable();
}

void drawProbability(const Finding& f) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x, height = ImGui::GetFrameHeight();
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, f.positive ? kRaises : kLowers);
    char text[96];
    std::snprintf(text, sizeof text, tr("%s probability %.3f"), trTerm(f.label).c_str(), f.score);
    ImGui::ProgressBar(f.score, ImVec2(width, height), text);
    ImGui::PopStyleColor();
    if (!f.hasThreshold) return;
    const float x = p.x + width * float(f.threshold);
    ImGui::GetWindowDrawList()->AddLine(ImVec2(x, p.y - 2), ImVec2(x, p.y + height + 2),
                                        IM_COL32(255, 255, 255, 230), 2.0f);
    ImGui::TextWrapped(f.positive ? tr("%.3f is at or above the threshold %.3f, so the model flags %s.")
                                  : tr("%.3f is below the threshold %.3f, so the model does not flag %s."),
                       f.score, f.threshold, trTerm(f.label).c_str());
}

void drawContributions(const FeatureAttribution& a) {
    ImGui::TextWrapped(
        tr("Each feature in turn set to its training mean: the change in the %s probability it "
           "causes. Positive: the entered value raised it. Hover a feature for its values."),
        trTerm(a.label).c_str());
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY;
    const float height = std::max(ImGui::GetContentRegionAvail().y, ImGui::GetFrameHeight() * 6);
    if (!ImGui::BeginTable("contributions", 3, flags, ImVec2(0, height))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr("Feature"), ImGuiTableColumnFlags_WidthStretch);
    const auto widthOf = [](const char* header, const char* sample) {
        return std::max(ImGui::CalcTextSize(header).x, ImGui::CalcTextSize(sample).x);
    };
    ImGui::TableSetupColumn(tr("Change"), ImGuiTableColumnFlags_WidthFixed, widthOf(tr("Change"), "+0.0000"));
    ImGui::TableSetupColumn(tr("Log-odds"), ImGuiTableColumnFlags_WidthFixed,
                            widthOf(tr("Log-odds"), "+00.00"));
    ImGui::TableHeadersRow();
    for (const FeatureContribution& c : a.contributions) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.feature.c_str());
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(tr("%s: entered %g, training mean %g %s; %s probability %.4f with the mean"),
                              c.feature.c_str(), c.value, c.trainingMean, c.unit.c_str(),
                              trTerm(a.label).c_str(), c.probabilityWithMean);
        ImGui::TableNextColumn();
        ImGui::TextColored(c.deltaLogOdds >= 0 ? kRaises : kLowers, "%+.4f", c.deltaProbability);
        ImGui::TableNextColumn();
        ImGui::Text("%+.2f", c.deltaLogOdds);
    }
    ImGui::EndTable();
}

void drawOutcome(const RiskOutcome& o, const ModelManifest& m, bool edited) {
    if (o.running) {
        ImGui::TextDisabled("%s", tr("Analyzing…"));
        return;
    }
    if (!o.error.empty()) {
        ImGui::TextColored(kError, "%s", tr("The analysis failed:"));
        ImGui::TextWrapped("%s", o.error.c_str());
        return;
    }
    if (!o.hasResult) {
        ImGui::TextWrapped("%s", tr("Enter every feature (Tab moves to the next field), then press Enter or "
                                    "Analyze."));
        return;
    }
    if (edited)
        ImGui::TextColored(kWarn, "%s", tr("The values changed since this result: press Enter to update."));
    const AnalysisResult& r = o.result;
    const bool outside = r.ood.present && !r.ood.inDistribution;
    if (outside)
        ImGui::TextColored(kWarn,
                           tr("Out of distribution (score %.2f, threshold %.2f): these values are unlike the "
                              "training cases. Do not rely on this result."),
                           r.ood.score, r.ood.threshold);
    const std::string label = attributionLabel(r.findings);
    for (const Finding& f : r.findings)
        if (f.label == label) drawProbability(f);
    if (r.ood.present && !outside)
        ImGui::TextColored(kGood, tr("In distribution (score %.2f, threshold %.2f)"), r.ood.score,
                           r.ood.threshold);
    // The features say nothing about the patient, so this says whom the model is for (population.h).
    ImGui::TextWrapped("%s", populationReasonText(r.population, m).c_str());
    ImGui::TextDisabled(tr("%s on %s, inference %.1f ms"), r.model.c_str(), r.backend.c_str(),
                        r.timingsMs.inference);
    ImGui::SeparatorText(tr("What pushed it most"));
    if (o.attributionRunning)
        ImGui::TextDisabled("%s", tr("Measuring feature contributions…"));
    else if (!o.attributionError.empty())
        ImGui::TextColored(kWarn, "%s", o.attributionError.c_str());
    else if (o.hasAttribution)
        drawContributions(o.attribution);
    else
        ImGui::TextDisabled("%s", tr("This model package gives no training means, so contributions are not "
                                     "available."));
}

const Finding* batchFinding(const RiskOutcome& o) {
    const std::string label = attributionLabel(o.result.findings);
    for (const Finding& f : o.result.findings)
        if (f.label == label) return &f;
    return nullptr;
}

void drawBatchRow(const RiskBatchRow& r) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%d", r.row);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(r.name.c_str());
    ImGui::TableNextColumn();
    const RiskOutcome& o = r.outcome;
    const Finding* f = o.hasResult ? batchFinding(o) : nullptr;
    if (!r.problems.empty() || !o.error.empty()) {
        ImGui::TextColored(kError, "%s", tr("not analyzed"));
        ImGui::TableNextColumn();
        ImGui::TableNextColumn();
        ImGui::PushTextWrapPos(0.0f);
        for (const std::string& p : r.problems)
            ImGui::TextColored(kError, "%s", p.c_str());
        if (!o.error.empty()) ImGui::TextColored(kError, "%s", o.error.c_str());
        ImGui::PopTextWrapPos();
        return;
    }
    if (!f) {
        ImGui::TextDisabled("%s", tr("analyzing…"));
        return;
    }
    ImGui::TextColored(f->positive ? kRaises : kLowers, "%.3f %s", f->score,
                       f->hasThreshold ? (f->positive ? tr("flagged") : tr("not flagged")) : "");
    ImGui::TableNextColumn();
    if (o.result.ood.present)
        ImGui::TextColored(o.result.ood.inDistribution ? kGood : kWarn, "%.2f", o.result.ood.score);
    ImGui::TableNextColumn();
    if (o.hasAttribution && !o.attribution.contributions.empty()) {
        const FeatureContribution& c = o.attribution.contributions[0];
        ImGui::Text(tr("%s %+.4f (log-odds %+.2f)"), c.feature.c_str(), c.deltaProbability, c.deltaLogOdds);
    }
}

void drawBatch(AppState& state) {
    RiskForm& form = riskForm(state);
    if (form.batchFile.empty()) return;
    ImGui::SeparatorText(tr("CSV batch"));
    ImGui::TextUnformatted(form.batchFile.c_str());
    ImGui::SameLine();
    ImGui::BeginDisabled(form.batch.empty());
    if (ImGui::SmallButton(tr("Export results CSV"))) downloadRiskBatchCsv(state);
    ImGui::EndDisabled();
    if (!form.batchError.empty()) {
        ImGui::TextColored(kError, "%s", form.batchError.c_str());
        return;
    }
    if (!form.ignoredColumns.empty()) {
        std::string names;
        for (const std::string& c : form.ignoredColumns)
            names += (names.empty() ? "" : ", ") + c;
        ImGui::TextDisabled(tr("Columns not used by the model: %s"), names.c_str());
    }
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("batch", 5, flags, ImGui::GetContentRegionAvail())) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr("Row"), ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn(tr("Case"), ImGuiTableColumnFlags_WidthStretch, 0.6f);
    ImGui::TableSetupColumn(tr("Probability"), ImGuiTableColumnFlags_WidthStretch, 0.8f);
    ImGui::TableSetupColumn(tr("OOD"), ImGuiTableColumnFlags_WidthStretch, 0.3f);
    ImGui::TableSetupColumn(tr("Pushed most by / problems"), ImGuiTableColumnFlags_WidthStretch, 1.8f);
    ImGui::TableHeadersRow();
    for (const RiskBatchRow& r : form.batch)
        drawBatchRow(r);
    ImGui::EndTable();
}

} // namespace

void drawTabularModelChooser(AppState& state) {
    if (!state.models) return;
    const ModelSlot* open = activeTabularModel(state);
    for (const auto& slot : state.models->slots()) {
        if (!slot->ready() || slot->package->manifest.task != ModelTask::Tabular || slot.get() == open)
            continue;
        ImGui::PushID(slot->key);
        // Long model names wrap rather than run off the panel's edge.
        if (wrappedButton(trf("Risk form: %s", localizedModelName(slot->package->manifest).c_str())))
            openRiskForm(state, slot->id());
        ImGui::PopID();
    }
}

void drawRiskForm(AppState& state, const PanelRect& rect) {
    const ModelSlot* slot = activeTabularModel(state);
    // "###": the window keeps one ID whatever language its visible title is in.
    const std::string title = trWindowTitle("Risk form", "risk-form");
    if (beginPanel(title.c_str(), rect) && slot) {
        const ModelManifest& m = slot->package->manifest;
        if (riskForm(state).modelId != m.id) openRiskForm(state, m.id);
        ImGui::TextUnformatted(localizedModelName(m).c_str());
        ImGui::TextColored(kWarn, "%s", tr(kResearchUseNotice));
        ImGui::TextWrapped(tr("Intended use: %s"), localizedIntendedUse(m).c_str());
        drawToolbar(state, *slot);
        const RiskForm& form = riskForm(state);
        const float batchHeight = form.batchFile.empty() ? 0.0f : ImGui::GetContentRegionAvail().y * 0.35f;
        const ImVec2 area(0, ImGui::GetContentRegionAvail().y - batchHeight);
        const float formWidth = ImGui::GetContentRegionAvail().x * 0.5f;
        if (ImGui::BeginChild("form", ImVec2(formWidth, area.y))) drawFields(state, m);
        ImGui::EndChild();
        ImGui::SameLine();
        if (ImGui::BeginChild("result", ImVec2(0, area.y))) drawOutcome(form.outcome, m, form.edited);
        ImGui::EndChild();
        drawBatch(state);
    }
    ImGui::End();
}

} // namespace dx
