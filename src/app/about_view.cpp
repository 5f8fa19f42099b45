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
    {"Up / Down (study list)", "Select the previous / next study"},
    {"Mouse wheel, pinch (Ctrl+wheel)", "Zoom at the cursor"},
    {"Left-drag, arrow keys (viewport)", "Pan"},
    {"Right-drag", "Window: horizontal changes width, vertical changes level"},
    {"1 - 5",
     "Window presets (CT: file/auto, lung, mediastinum, bone, brain; others: file windows, full range)"},
    {"+ / -", "Zoom in / out"},
    {"F / 0", "Fit to the viewport / one image pixel per screen pixel"},
    {"PageUp / PageDown, Shift+wheel", "Previous / next slice or frame of the series (also the slider)"},
    {"Home / End", "First / last slice of the series"},
    {"T / Shift+T", "Rotate 90 degrees clockwise / anticlockwise"},
    {"X / Y", "Flip horizontally / vertically"},
    {"I", "Invert grey levels"},
    {"G / L", "Show or hide the histogram / its log scale"},
    {"M, then left-drag", "Distance ruler on or off (mm when the pixel spacing is known)"},
    {"Esc / Delete", "Clear the ruler"},
    {"O", "Show or hide the model's overlay (mask or heatmap) and its legend"},
    {"H", "Switch the overlay between heatmap and segmentation mask"},
    {"C", "Next colour map (grey, hot, rainbow)"},
    {"P", "Show or hide patient identifiers (on screen and in exported reports)"},
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
