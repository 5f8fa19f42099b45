// views.h — one function per view, defined in the <name>_view.cpp files; beginPanel, the helper the docked panels
// share, is in app.cpp.
#pragma once

#include "app/i18n.h"
#include "core/base/notice.h" // kResearchUseNotice: tr() it to show it

#include <imgui.h>

#include <string>

namespace dx {

struct AppState;
class BatchRun;

// Zoom factor of one mouse-wheel step in the viewport. The platform scales a pinch (Ctrl+wheel from a
// trackpad or touch screen) by 1 / ln(kWheelZoomStep) so the image follows the fingers.
inline constexpr double kWheelZoomStep = 1.15;

// Where a docked panel goes this frame (device pixels).
struct PanelRect {
    ImVec2 pos;
    ImVec2 size;
};

void handleGlobalShortcuts(AppState& state);
void drawMenuBar(AppState& state);
void drawExportMenu(AppState& state); // File > Export report; also offered in the findings panel
void drawStatusBar(const AppState& state);
void drawStudyList(AppState& state, const PanelRect& rect);
void drawViewport(AppState& state, const PanelRect& rect);
// What the viewport shows now as JSON (slice, window, zoom, ruler, patient line as displayed, frames drawn so
// far): the test hook.
std::string describeViewer(AppState& state);
void drawFindingsPanel(AppState& state, const PanelRect& rect);
void drawAboutWindow(AppState& state);
void drawShortcutsWindow(AppState& state);
void drawBatchWindow(AppState& state);      // batch_view.cpp
void drawValidationWindow(AppState& state); // validation_view.cpp
// File > Open from archive… (archive_browser_view.cpp): only when archives.json names an archive.
void drawArchiveBrowserWindow(AppState& state);
// Tabular models (risk_form_view.cpp): the form in the centre, and the findings panel's buttons that open it.
void drawRiskForm(AppState& state, const PanelRect& rect);
void drawTabularModelChooser(AppState& state);

// What the Batch screening and Validation windows share (batch_view.cpp): the progress bar and its line
// (done/total, rate, elapsed, time left, failures); the window with its intro, remembering when it had focus
// (for drops); below the toolbar, progress, the last message and the research-use notice. End() the window
// whatever beginBatchWindow returns, like ImGui::Begin.
void drawBatchProgress(const BatchRun& run);
bool beginBatchWindow(const char* title, bool* open, int* focusedFrame, ImVec2 size, const char* intro);
void drawBatchStatus(const BatchRun* run, const std::string& message);
// A button greyed out (and doing nothing) unless `enabled`; true when pressed.
bool buttonIf(bool enabled, const char* label);

// Begins the docked panel window `name` at `rect`: it cannot be moved, resized or collapsed, keeps no saved
// settings and does not come to the front when clicked; it has the usual title bar and border unless extraFlags
// remove them (the viewport passes NoDecoration). Call ImGui::End() whatever it returns, as after ImGui::Begin.
bool beginPanel(const char* name, const PanelRect& rect, ImGuiWindowFlags extraFlags = 0);

// Text that must stay on one line, cut to `width` (device pixels) with "…" (text_fit.h); show the whole text
// as a tooltip where it is cut. app.cpp.
std::string fittedLabel(const std::string& text, float width);
// A button whose label wraps onto as many lines as the panel needs (ImGui's own buttons are one line, cut at
// the panel's edge); true when pressed. app.cpp.
bool wrappedButton(const std::string& label);

// A model listed apart from the study's findings (not made for the image, out of distribution, ...): a
// collapsed node with the model's name; hovering it shows `reason`, opening it shows the reason and whatever
// the caller draws next. When it returns true, call ImGui::TreePop() after that. findings_view.cpp.
bool beginListedApart(const char* id, const std::string& name, const std::string& reason);

} // namespace dx
