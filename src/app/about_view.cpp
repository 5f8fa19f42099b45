// about_view.cpp — Help windows: About (what DxLens is and is not, build details) and Keyboard shortcuts.
#include "app/app_state.h"
#include "app/views.h"
#include "core/build_info.h"

#include <imgui.h>

namespace dx {

void drawAboutWindow(AppState& state) {
    if (!state.views.showAbout) return;
    ImGui::SetNextWindowSize(ImVec2(560.0f * state.uiScale, 0.0f), ImGuiCond_Appearing);
    if (ImGui::Begin("About DxLens", &state.views.showAbout, ImGuiWindowFlags_NoSavedSettings)) {
        const BuildInfo& b = buildInfo();
        ImGui::Text("DxLens %s", b.version);
        ImGui::TextWrapped(
            "A diagnostic imaging workstation that runs entirely in your browser: images are decoded "
            "and models run on this device, and patient data never leaves it.");
        ImGui::Spacing();
        ImGui::TextColored(ImVec4(1.0f, 0.78f, 0.35f, 1.0f), "%s.", kResearchUseNotice);
        ImGui::TextWrapped(
            "Results are not validated for clinical decisions and must not be used for diagnosis.");
        ImGui::Separator();
        ImGui::Text("Build: %s, %s, %s", b.commit, b.buildType, b.target);
        ImGui::Text("Compiler: %s", b.compiler);
        ImGui::Text("Dear ImGui %s", IMGUI_VERSION);
    }
    ImGui::End();
}

struct Shortcut {
    const char* keys;
    const char* action;
};

static const Shortcut kShortcuts[] = {
    {"F1", "Show or hide this list"},
    {"Ctrl+O", "Open images"},
    {"Ctrl+B", "Batch screening: analyse a folder, sortable results, CSV export"},
    {"Ctrl+L", "Validation on a labelled set: metrics, ROC, calibration"},
    {"Arrow keys (threshold slider)", "Move the validation operating point"},
    {"Up / Down (study list)", "Select the previous / next study"},
    {"Mouse wheel", "Zoom at the cursor"},
    {"Left-drag, arrow keys (viewport)", "Pan"},
    {"Right-drag", "Window: horizontal changes width, vertical changes level"},
    {"+ / -", "Zoom in / out"},
    {"F / 1", "Fit to the viewport / one image pixel per screen pixel"},
    {"I", "Invert grey levels"},
    {"O", "Show or hide the model's overlay (mask or heatmap)"},
    {"H", "Switch the overlay between heatmap and segmentation mask"},
    {"C", "Next colour map (grey, hot, rainbow)"},
    {"R", "Reset the view"},
    {"Tab, Space, Enter", "Move between and use controls without a mouse"},
};

void drawShortcutsWindow(AppState& state) {
    if (!state.views.showShortcuts) return;
    if (ImGui::Begin("Keyboard shortcuts", &state.views.showShortcuts,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
            for (const Shortcut& s : kShortcuts) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.keys);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.action);
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

} // namespace dx
