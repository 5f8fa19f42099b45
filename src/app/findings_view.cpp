// findings_view.cpp — the right panel: the image models (each can be turned off for the session; hover for
// intended use, licence, backend and self-test), models still loading, and the findings for the selected
// study, one section per model that applies, in the library's order: calibrated scores as bars with the
// threshold marked, the decision in words, the overlay toggle, "where the model looked", timings. Models that
// do not apply to the image (not made for it, outside the intended population, or out of distribution) are
// listed apart below, collapsed, with the reason. A model whose intended population the file does not settle
// (a PNG, a DICOM without an age) shows the reason and a one-click confirmation instead of its findings.
// Names, intended uses and labels come in the UI language from the manifest. Long texts wrap, and what must stay on one line shows the whole text as a tooltip.
#include "app/app_commands.h"
#include "app/archive_send.h"
#include "app/i18n.h"
#include "app/population_commands.h"
#include "app/study_models.h"
#include "app/views.h"
#include "core/inference/model_fit.h"
#include "core/inference/model_library.h"
#include "core/viewer/workspace.h"

#include <imgui_internal.h> // the window's widest line, for findingsPanelOverflow

#include <algorithm>
#include <cstdio>
#include <string>

namespace dx {
namespace {

const ImVec4 kWarn(1.0f, 0.78f, 0.35f, 1.0f);
const ImVec4 kError(1.0f, 0.45f, 0.40f, 1.0f);
const ImVec4 kGood(0.45f, 0.85f, 0.45f, 1.0f);
const ImVec4 kModelHeading(0.55f, 0.75f, 1.0f, 1.0f); // a model's name above its findings

bool takesImages(const ModelSlot& s) {
    return s.package && s.package->manifest.task != ModelTask::Tabular;
}

// The model's tooltip: id, version, licence, intended use, where it runs and its self-test.
void modelTooltip(const ModelSlot& slot) {
    if (!ImGui::IsItemHovered()) return;
    const ModelManifest& m = slot.package->manifest;
    const ModelSession& s = slot.session;
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
    ImGui::TextUnformatted(localizedModelName(m).c_str());
    ImGui::TextDisabled("%s %s, %s", m.id.c_str(), m.version.c_str(), m.license.c_str());
    ImGui::TextWrapped(tr("Intended use: %s"), localizedIntendedUse(m).c_str());
    ImGui::Text(tr("Runs on %s, self-test %s"), s.backendName.c_str(), selfTestStatusText(s.selfTest.status));
    ImGui::TextWrapped(tr("%s\nopened in %.0f ms, reference run %.0f ms (max difference %.2g)"),
                       s.backend ? s.backend->capabilities().description.c_str() : "", s.loadMs, s.selfTestMs,
                       s.selfTest.maxAbsDiff);
    for (const std::string& note : s.fallbackNotes)
        ImGui::TextColored(kWarn, "%s", note.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

// Every ready image model with a checkbox that turns it off or on for the session, and the preferred model
// (analyzed first; batch screening and validation use it).
void drawImageModelSwitches(AppState& state) {
    const std::vector<const ModelSlot*> models = imageModels(state, true);
    if (models.empty()) return;
    ImGui::TextWrapped("%s",
                       tr("Image models (each image is analyzed by every model that is on and fits it):"));
    for (const ModelSlot* slot : models) {
        ImGui::PushID(slot->key);
        bool on = modelOn(state, slot->id());
        if (ImGui::Checkbox("##on", &on)) setModelOn(state, slot->id(), on);
        modelTooltip(*slot);
        ImGui::SameLine();
        ImGui::TextWrapped("%s", localizedModelName(slot->package->manifest).c_str());
        modelTooltip(*slot);
        ImGui::PopID();
    }
    const ModelSlot* preferred = activeModel(state);
    ImGui::TextWrapped("%s", tr("Preferred model (analyzes first; batch screening and validation use it):"));
    const std::string preview =
        preferred ? localizedModelName(preferred->package->manifest) : tr("(no image model ready)");
    ImGui::SetNextItemWidth(-FLT_MIN);
    if (ImGui::BeginCombo("##preferred", fittedLabel(preview, ImGui::CalcItemWidth()).c_str())) {
        for (const ModelSlot* slot : models) {
            const std::string label = localizedModelName(slot->package->manifest) + "##" + slot->id();
            if (ImGui::Selectable(label.c_str(), slot == preferred)) state.activeModel = slot->id();
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered() && preferred) ImGui::SetTooltip("%s", preview.c_str());
}

// Models that are downloading, opening or failed, and every other ready model.
void drawModelSlots(AppState& state) {
    for (const auto& slot : state.models->slots()) {
        ImGui::PushID(slot->key);
        switch (slot->state) {
        case ModelSlotState::Downloading: {
            const float f = slot->bytesTotal > 0 ? float(slot->bytesDone / slot->bytesTotal) : 0.0f;
            char label[96];
            if (slot->bytesTotal > 0)
                std::snprintf(label, sizeof label, tr("%.1f of %.1f MB"), slot->bytesDone / 1e6,
                              slot->bytesTotal / 1e6);
            else // no response yet, so no size: "0.0 of 0.0 MB" would read as an empty model
                std::snprintf(label, sizeof label, "%s", tr("Connecting…"));
            ImGui::TextWrapped("%s", slot->source.c_str());
            ImGui::ProgressBar(f, ImVec2(-1, 0), label);
            break;
        }
        case ModelSlotState::Opening:
            ImGui::TextWrapped(tr("%s: checking and self-testing…"), slot->id().c_str());
            break;
        case ModelSlotState::Failed:
            ImGui::PushStyleColor(ImGuiCol_Text, kError);
            ImGui::TextWrapped(tr("%s could not be opened:"), slot->source.c_str());
            ImGui::PopStyleColor();
            ImGui::TextWrapped("%s", slot->message.c_str());
            if (ImGui::SmallButton(tr("Dismiss"))) state.models->close(slot->key);
            break;
        case ModelSlotState::Ready: {
            const std::string line = localizedModelName(slot->package->manifest) + " " +
                                     trf("(%s, %s)", slot->session.backendName.c_str(),
                                         takesImages(*slot) ? tr("images") : tr("tabular features"));
            ImGui::TextWrapped("%s", line.c_str());
            modelTooltip(*slot);
            break;
        }
        }
        ImGui::PopID();
        if (slot->state == ModelSlotState::Failed) break; // the list changed if dismissed
    }
}

void drawScoreBar(const Finding& f, const ModelManifest& m, bool greyed) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x, height = ImGui::GetFrameHeight();
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, greyed       ? ImVec4(0.45f, 0.45f, 0.45f, 1.0f)
                                                  : f.positive ? ImVec4(0.95f, 0.55f, 0.20f, 1.0f)
                                                               : ImVec4(0.30f, 0.60f, 0.90f, 1.0f));
    const std::string text = trf("%s  %.3f", localizedLabelText(m, f.label).c_str(), f.score);
    ImGui::ProgressBar(f.score, ImVec2(width, height), text.c_str());
    ImGui::PopStyleColor();
    if (f.hasThreshold) {
        const float x = p.x + width * float(f.threshold);
        ImGui::GetWindowDrawList()->AddLine(ImVec2(x, p.y - 2), ImVec2(x, p.y + height + 2),
                                            IM_COL32(255, 255, 255, 230), 2.0f);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(tr("White line: the model's decision threshold, %.3f"), f.threshold);
    }
}

void drawDecision(const Finding& f, const ModelManifest& m) {
    if (!f.hasThreshold) return;
    const std::string label = localizedLabelText(m, f.label);
    const char* format = f.positive
                             ? tr("%s: %.3f is at or above the threshold %.3f, so the model flags %s.")
                             : tr("%s: %.3f is below the threshold %.3f, so the model does not flag %s.");
    ImGui::TextWrapped(format, label.c_str(), f.score, f.threshold, label.c_str());
}

void drawResult(const AnalysisResult& r, const ModelManifest& m) {
    const bool outside = r.ood.present && !r.ood.inDistribution;
    if (outside) {
        ImGui::PushStyleColor(ImGuiCol_Text, kWarn);
        ImGui::TextWrapped(tr("Out of distribution: this image does not look like the images the model was "
                              "trained on (score %.2f, threshold %.2f). Do not rely on the findings below."),
                           r.ood.score, r.ood.threshold);
        ImGui::PopStyleColor();
    }
    ImGui::BeginDisabled(outside);
    for (const Finding& f : r.findings)
        drawScoreBar(f, m, outside);
    for (const Finding& f : r.findings)
        drawDecision(f, m);
    ImGui::EndDisabled();
    if (r.hasMask) {
        for (const ClassArea& a : r.mask.areas) {
            if (a.name == "background") continue;
            const std::string name = localizedLabelText(m, a.name);
            if (a.areaMm2 >= 0)
                ImGui::Text(tr("%s: %.1f%% of the image, %.0f mm²"), name.c_str(), a.fraction * 100,
                            a.areaMm2);
            else
                ImGui::Text(tr("%s: %.1f%% of the image (%llu pixels)"), name.c_str(), a.fraction * 100,
                            (unsigned long long)a.pixels);
        }
        ImGui::TextDisabled("%s", tr("Overlay: O toggles it; opacity below."));
    }
    if (r.ood.present && !outside)
        ImGui::TextColored(kGood, tr("In distribution (score %.2f, threshold %.2f)"), r.ood.score,
                           r.ood.threshold);
    const AnalysisTimings& t = r.timingsMs;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped(
        tr("%s on %s: decode %.0f ms, preprocess %.0f ms, inference %.0f ms, postprocess %.0f ms"),
        m.id.c_str(), r.backend.c_str(), t.decode, t.preprocess, t.inference, t.postprocess);
    ImGui::PopStyleColor();
}

void drawExplainability(AppState& state, const Study& study, const ModelSlot& model, const StudyAnalysis& a) {
    if (a.result.findings.empty() || a.result.hasMask) return; // segmentation shows its own mask
    ImGui::SeparatorText(tr("Where the model looked"));
    const StudySaliency& s = a.saliency;
    if (s.running) {
        const std::string label = trf("Occlusion heatmap %.0f%%", s.progress * 100.0f);
        ImGui::ProgressBar(s.progress, ImVec2(-1, 0), label.c_str());
        if (ImGui::Button(tr("Cancel"))) state.workspace->cancelExplain(study.id, model.id());
        return;
    }
    if (s.ready) {
        ImGui::TextWrapped(tr("Heatmap for '%s' (%.3f): bright regions lowered that score most when hidden. "
                              "Computed in %.0f ms with %d model runs."),
                           localizedLabelText(model.package->manifest, s.map.label).c_str(),
                           s.map.baselineScore, s.map.elapsedMs, s.map.backendCalls);
    } else if (!s.error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, kWarn);
        ImGui::TextWrapped("%s", s.error.c_str());
        ImGui::PopStyleColor();
    }
    if (ImGui::Button(s.ready ? tr("Compute again") : tr("Show where the model looked")))
        explainSelectedStudy(state, model.id());
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s",
                          tr("Occlusion sensitivity: parts of the image are hidden in turn and the model "
                             "runs again; where hiding lowers the score, the model relied on the image."));
}

// The one overlay toggle of a model's section: on shows this model's heatmap or mask (one overlay at a time),
// off hides the overlay.
void drawOverlayToggle(AppState& state, const Study& study, const StudyModel& m) {
    const StudyAnalysis& a = *m.analysis;
    if (!a.result.hasMask && !a.saliency.ready) return;
    const bool heatmap = a.saliency.ready;
    bool shown = state.viewer.showOverlay && overlayModelId(state, study) == m.id() &&
                 (!heatmap || state.viewer.showHeatmap || a.result.hasMask);
    if (ImGui::Checkbox(heatmap ? tr("Show heatmap (H)") : tr("Show overlay"), &shown)) {
        state.viewer.showOverlay = shown;
        if (shown) {
            state.viewer.overlayModel = m.id();
            if (heatmap) state.viewer.showHeatmap = true;
        }
    }
    ImGui::SliderFloat(tr("Opacity"), &state.viewer.overlayOpacity, 0.0f, 1.0f, "%.2f");
}

// What one model made of the study, or where its analysis is.
void drawModelFindings(AppState& state, const Study& study, const StudyModel& m) {
    const StudyAnalysis* a = m.analysis;
    if (!a) {
        if (ImGui::SmallButton(tr("Analyze"))) analyzeStudyWith(state, study.id, *m.slot);
        return;
    }
    if (a->state == AnalysisState::Queued)
        ImGui::TextDisabled(tr("Queued: %d analyses run before this one."),
                            state.workspace->analysesAhead(study.id, m.id()));
    else if (a->state == AnalysisState::Running)
        ImGui::TextDisabled("%s", tr("Analyzing…"));
    else if (a->state == AnalysisState::Failed) {
        ImGui::TextColored(kError, "%s", tr("The analysis failed:"));
        ImGui::TextWrapped("%s", a->error.c_str());
    } else if (m.awaitingPopulationConfirmation()) {
        // The header does not place the patient: the finding waits for the user's word, one click (or
        // Enter with keyboard navigation), remembered for the study.
        const ModelManifest& manifest = m.slot->package->manifest;
        ImGui::TextColored(kWarn, "%s", populationStatusText(a->result.population.status));
        ImGui::TextWrapped("%s", populationReasonText(a->result.population, manifest).c_str());
        ImGui::TextWrapped("%s", tr("The finding is shown once you confirm."));
        // As wide as the panel: a narrow panel shortens the label (whole text as a tooltip) rather than letting
        // the button run past its edge.
        const char* confirm = confirmPopulationButtonText();
        const float width = ImGui::GetContentRegionAvail().x;
        const std::string label =
            fittedLabel(confirm, width - ImGui::GetStyle().FramePadding.x * 2) + "##confirm";
        if (ImGui::Button(label.c_str(), ImVec2(width, 0))) confirmStudyPopulation(state, study.id);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", confirm);
    } else {
        const ModelManifest& manifest = m.slot->package->manifest;
        // "In the intended population", or the user's confirmation in its own words, so it is never mistaken
        // for what the header said.
        const PopulationVerdict& population = a->result.population;
        ImGui::TextDisabled("%s", population.confirmedByUser
                                      ? populationReasonText(population, manifest).c_str()
                                      : populationStatusText(population.status));
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", populationReasonText(population, manifest).c_str());
        drawResult(a->result, manifest);
        drawOverlayToggle(state, study, m);
        drawExplainability(state, study, *m.slot, *a);
    }
    if ((a->state == AnalysisState::Done || a->state == AnalysisState::Failed) &&
        ImGui::SmallButton(tr("Analyze again")))
        analyzeStudyWith(state, study.id, *m.slot);
}

} // namespace

bool beginListedApart(const char* id, const std::string& name, const std::string& reason) {
    ImGui::PushID(id);
    const bool open = ImGui::TreeNodeEx("##apart", ImGuiTreeNodeFlags_SpanAvailWidth);
    ImGui::PopID();
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", name.c_str());
    ImGui::PopStyleColor();
    if (!open) {
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", reason.c_str());
        return false;
    }
    ImGui::PushStyleColor(ImGuiCol_Text, kWarn);
    ImGui::TextWrapped("%s", reason.c_str());
    ImGui::PopStyleColor();
    return true;
}

namespace {

// Send results to archive: only for a study opened from an archive that allows it, only on this click; the
// archive's answer stays below the button (and is said in the live region).
void drawArchiveSend(AppState& state) {
    if (!sendToArchiveOffered(state)) return;
    ImGui::Separator();
    std::string why;
    const bool possible = canSendResultsToArchive(state, &why);
    ImGui::BeginDisabled(!possible);
    if (ImGui::Button(tr("Send results to archive"))) sendResultsToArchive(state);
    ImGui::EndDisabled();
    // Wrapped, in the disabled colour: nothing in the panel may be cut at its edge.
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    if (!possible && !why.empty()) ImGui::TextWrapped("%s", why.c_str());
    ImGui::TextWrapped("%s",
                       tr("Sends a DICOM SR (and a SEG for a segmentation) with the patient's identifiers, "
                          "to the archive this image came from."));
    ImGui::PopStyleColor();
    if (const ArchiveSendRecord* last = lastArchiveSendOfSelected(state)) {
        const ImVec4 colour = last->state == ArchiveSendRecord::State::Failed
                                  ? kError
                                  : ImGui::GetStyleColorVec4(ImGuiCol_Text);
        ImGui::PushStyleColor(ImGuiCol_Text, colour);
        ImGui::TextWrapped("%s", last->message.c_str());
        ImGui::PopStyleColor();
    }
}

void drawStudyFindings(AppState& state) {
    Study* study = state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
    if (!study) {
        ImGui::TextDisabled("%s", tr("Select or open an image to see findings."));
        return;
    }
    ImGui::TextWrapped("%s", study->name.c_str());
    if (!study->ok()) {
        ImGui::TextColored(kError, "%s", tr("This file could not be opened:"));
        ImGui::TextWrapped("%s", study->error.c_str());
        return;
    }
    const std::vector<StudyModel> models = studyModels(state, *study);
    if (models.empty()) {
        ImGui::TextWrapped("%s", tr("No image model is ready yet. Findings appear when one has loaded."));
        return;
    }
    // Every model that applies, in the library's order, each with its findings and its overlay toggle.
    int apart = 0;
    for (const StudyModel& m : models) {
        if (m.listedApart()) {
            apart++;
            continue;
        }
        ImGui::PushID(m.id().c_str());
        ImGui::Separator();
        ImGui::PushStyleColor(ImGuiCol_Text, kModelHeading);
        ImGui::TextWrapped("%s", m.name().c_str());
        ImGui::PopStyleColor();
        modelTooltip(*m.slot);
        drawModelFindings(state, *study, m);
        ImGui::PopID();
    }
    drawArchiveSend(state);
    if (apart == 0) return;
    // Models that do not apply to this image: apart, collapsed, with the reason; never among the findings.
    ImGui::SeparatorText(tr("Not for this image"));
    for (const StudyModel& m : models) {
        if (!m.listedApart()) continue;
        if (!beginListedApart(m.id().c_str(), m.name(), m.reason)) continue;
        ImGui::PushID(m.id().c_str());
        if (m.gate == ModelGate::OutsidePopulation) {
            // No finding at all for a patient the model was not made for: the reason above is the whole
            // answer, and "Analyze anyway" would only produce a finding nobody should read.
        } else if (m.done()) {
            drawResult(m.analysis->result, m.slot->package->manifest);
        } else if (m.pending()) {
            ImGui::TextDisabled("%s", tr("Analyzing…"));
        } else if (ImGui::SmallButton(tr("Analyze anyway"))) {
            analyzeStudyWith(state, study->id, *m.slot);
        }
        ImGui::PopID();
        ImGui::TreePop();
    }
}

} // namespace

void drawFindingsPanel(AppState& state, const PanelRect& rect) {
    if (beginPanel(trWindowTitle("Findings", "findings").c_str(), rect) && state.models) {
        drawTabularModelChooser(state);
        if (ImGui::CollapsingHeader(trWindowTitle("Models", "models").c_str())) {
            drawImageModelSwitches(state);
            ImGui::Separator();
            drawModelSlots(state);
            if (ImGui::Button(tr("Open model package…")) && state.commands.openModelPicker)
                state.commands.openModelPicker();
            ImGui::Checkbox(tr("Analyze images as soon as they are opened"), &state.settings.autoAnalyze);
        } else {
            for (const auto& slot : state.models->slots())
                if (slot->state == ModelSlotState::Downloading || slot->state == ModelSlotState::Opening ||
                    slot->state == ModelSlotState::Failed) {
                    drawModelSlots(state);
                    break;
                }
        }
        ImGui::SeparatorText(tr("Findings"));
        drawStudyFindings(state);
        ImGui::Spacing();
        ImGui::PushStyleColor(ImGuiCol_Text, kWarn);
        ImGui::TextWrapped("%s", tr(kResearchUseNotice));
        ImGui::PopStyleColor();
        ImGui::TextWrapped("%s", tr("Findings are model outputs for research, not a diagnosis."));
        const ImGuiWindow* window = ImGui::GetCurrentWindow();
        state.findingsPanelOverflow = std::max(0.0f, window->DC.CursorMaxPos.x - window->WorkRect.Max.x);
    }
    ImGui::End();
}

} // namespace dx
