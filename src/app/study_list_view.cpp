// study_list_view.cpp — the studies opened in this session: name, modality, size, and what the active model
// made of each (analysing / result / error). Click or Up/Down to select.
#include "app/app_commands.h"
#include "app/views.h"
#include "core/model_library.h"
#include "core/workspace.h"

#include <cstdio>

namespace dx {

static const ImVec4 kErrorColour(1.0f, 0.45f, 0.40f, 1.0f);
static const ImVec4 kPositiveColour(1.0f, 0.70f, 0.30f, 1.0f);

static std::string byteSizeText(size_t bytes) {
    char buf[32];
    if (bytes >= 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1024.0 * 1024.0));
    else
        std::snprintf(buf, sizeof buf, "%.0f KB", bytes / 1024.0);
    return buf;
}

// One line under the name: what the active model found, or why there is nothing.
static void drawStudyStatus(const Study& study, const ModelSlot* model) {
    if (!study.ok()) {
        ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
        ImGui::TextWrapped("Cannot open: %s", study.error.c_str());
        ImGui::PopStyleColor();
        return;
    }
    const Image& img = *study.image;
    std::string modality = study.attribute("Modality");
    ImGui::TextDisabled("%s%s%dx%d, %s", modality.c_str(), modality.empty() ? "" : ", ", img.width,
                        img.height, byteSizeText(study.byteSize).c_str());
    const StudyAnalysis* a = model ? study.analysis(model->id()) : nullptr;
    if (!a) return;
    if (a->state == AnalysisState::Running)
        ImGui::TextDisabled("Analysing…");
    else if (a->state == AnalysisState::Failed)
        ImGui::TextColored(kErrorColour, "Analysis failed");
    else {
        const Finding* top = nullptr;
        for (const Finding& f : a->result.findings)
            if (!top || f.score > top->score) top = &f;
        if (top)
            ImGui::TextColored(
                top->positive ? kPositiveColour : ImVec4(0.6f, 0.85f, 0.6f, 1.0f), "%s %.2f%s",
                top->label.c_str(), top->score,
                a->result.ood.present && !a->result.ood.inDistribution ? " (out of distribution)" : "");
        else if (a->result.hasMask)
            ImGui::TextDisabled("Segmentation ready");
    }
}

static void selectWithArrowKeys(AppState& state, const std::vector<std::unique_ptr<Study>>& studies) {
    if (studies.empty() || !ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) return;
    int index = 0;
    for (int i = 0; i < int(studies.size()); i++)
        if (studies[i]->id == state.selectedStudy) index = i;
    if (ImGui::IsKeyPressed(ImGuiKey_DownArrow) && index + 1 < int(studies.size()))
        selectStudy(state, studies[index + 1]->id);
    if (ImGui::IsKeyPressed(ImGuiKey_UpArrow) && index > 0) selectStudy(state, studies[index - 1]->id);
}

void drawStudyList(AppState& state, const PanelRect& rect) {
    if (beginPanel("Studies", rect) && state.workspace) {
        const auto& studies = state.workspace->studies();
        if (ImGui::Button("Open images…")) {
            if (state.commands.openFilePicker) state.commands.openFilePicker();
        }
        ImGui::SameLine();
        ImGui::TextDisabled("or drop files here");
        ImGui::Separator();
        if (studies.empty())
            ImGui::TextWrapped("No studies yet. PNG, JPEG, BMP and DICOM files are read on this device.");
        const ModelSlot* model = activeModel(state);
        int removeId = 0;
        for (const auto& s : studies) {
            ImGui::PushID(s->id);
            if (ImGui::Selectable(s->name.c_str(), s->id == state.selectedStudy)) selectStudy(state, s->id);
            if (ImGui::BeginPopupContextItem()) {
                if (ImGui::MenuItem("Analyse again", nullptr, false, s->ok() && model))
                    analyseStudy(state, s->id);
                if (ImGui::MenuItem("Remove from the list")) removeId = s->id;
                ImGui::EndPopup();
            }
            ImGui::Indent();
            drawStudyStatus(*s, model);
            ImGui::Unindent();
            ImGui::PopID();
        }
        if (removeId) {
            state.workspace->remove(removeId);
            if (state.selectedStudy == removeId) selectStudy(state, 0);
        }
        selectWithArrowKeys(state, studies);
    }
    ImGui::End();
}

} // namespace dx
