// about_view.cpp — Help windows: About (what DxLens is and is not, build details) and Keyboard shortcuts.
#include "app/app_state.h"
#include "app/i18n.h"
#include "app/views.h"
#include "core/base/build_info.h"

#include <imgui.h>

namespace dx {

void drawAboutWindow(AppState& state) {
    if (!state.views.showAbout) return;
    ImGui::SetNextWindowSize(ImVec2(560.0f * state.uiScale, 0.0f), ImGuiCond_Appearing);
    if (ImGui::Begin(trWindowTitle("About DxLens", "about").c_str(), &state.views.showAbout,
                     ImGuiWindowFlags_NoSavedSettings)) {
        const BuildInfo& b = buildInfo();
        ImGui::Text("DxLens %s", b.version);
        ImGui::TextWrapped(
            "%s", tr("A diagnostic imaging workstation that runs entirely in your browser: images "
                     "are decoded and models run on this device, and patient data never leaves it."));
        ImGui::Spacing();
        ImGui::TextColored(ImVec4(1.0f, 0.78f, 0.35f, 1.0f), "%s", tr(kResearchUseNotice));
        ImGui::TextWrapped("%s",
                           tr("Results are not validated for clinical decisions and must not be used for "
                              "diagnosis."));
        ImGui::Separator();
        ImGui::Text(tr("Build: %s, %s, %s"), b.commit, b.buildType, b.target);
        ImGui::Text(tr("Compiler: %s"), b.compiler);
        ImGui::TextWrapped("%s",
                           tr("Chinese text uses WenQuanYi Micro Hei (Apache License 2.0), subset at build "
                              "time from Debian's fonts-wqy-microhei."));
        ImGui::Text("Dear ImGui %s", IMGUI_VERSION);
    }
    ImGui::End();
}

// Both columns are English keys, translated where drawn (key names like "F1" translate to themselves).
struct Shortcut {
    const char* keys;
    const char* action;
};

static const Shortcut kShortcuts[] = {
    {"F1", trLater("Show or hide this list")},
    {"Ctrl+O", trLater("Open images")},
    {"Ctrl+B", trLater("Batch screening: analyze a folder, sortable results, CSV export")},
    {"Ctrl+L", trLater("Validation on a labelled set: metrics, ROC, calibration")},
    {"Ctrl+Enter", trLater("Analyze the selected image again")},
    {"Alt+L", trLater("Switch the language (English / Simplified Chinese)")},
    {trLater("Arrow keys (threshold slider)"), trLater("Move the validation operating point")},
    {trLater("Up / Down (study list)"), trLater("Select the previous / next study")},
    {trLater("Mouse wheel, pinch (Ctrl+wheel)"), trLater("Zoom at the cursor")},
    {trLater("Left-drag, arrow keys (viewport)"), trLater("Pan")},
    {trLater("Right-drag"), trLater("Window: horizontal changes width, vertical changes level")},
    {"1 - 5",
     trLater(
         "Window presets (CT: file/auto, lung, mediastinum, bone, brain; others: file windows, full range)")},
    {"+ / -", trLater("Zoom in / out")},
    {"F / 0", trLater("Fit to the viewport / one image pixel per screen pixel")},
    {trLater("PageUp / PageDown, Shift+wheel"),
     trLater("Previous / next slice or frame of the series (also the slider)")},
    {"Home / End", trLater("First / last slice of the series")},
    {"T / Shift+T", trLater("Rotate 90 degrees clockwise / anticlockwise")},
    {"X / Y", trLater("Flip horizontally / vertically")},
    {"I", trLater("Invert grey levels")},
    {"G / L", trLater("Show or hide the histogram / its log scale")},
    {trLater("M, then left-drag"), trLater("Distance ruler on or off (mm when the pixel spacing is known)")},
    {"Esc / Delete", trLater("Clear the ruler")},
    {"O", trLater("Show or hide the model's overlay (mask or heatmap) and its legend")},
    {"H", trLater("Switch the overlay between heatmap and segmentation mask")},
    {"C", trLater("Next colour map (grey, hot, rainbow)")},
    {"P", trLater("Show or hide patient identifiers (on screen and in exported reports)")},
    {"R", trLater("Reset the view")},
    {trLater("Tab, Space, Enter"), trLater("Move between and use controls without a mouse")},
};

void drawShortcutsWindow(AppState& state) {
    if (!state.views.showShortcuts) return;
    if (ImGui::Begin(trWindowTitle("Keyboard shortcuts", "shortcuts").c_str(), &state.views.showShortcuts,
                     ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
            for (const Shortcut& s : kShortcuts) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(tr(s.keys));
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(tr(s.action));
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

} // namespace dx
