// views.h — one function per view; each is defined in its own <name>_view.cpp.
#pragma once

namespace dx {

struct AppState;

// The disclaimer every screen carries (menu bar, status bar, reports).
inline constexpr const char* kResearchUseNotice = "Research use only \xE2\x80\x94 not a medical device";

void handleGlobalShortcuts(AppState& state);
void drawMenuBar(AppState& state);
void drawStatusBar(const AppState& state);
void drawViewport(AppState& state);
void drawAboutWindow(AppState& state);
void drawShortcutsWindow(AppState& state);

} // namespace dx
