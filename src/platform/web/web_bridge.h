// web_bridge.h — C++ side of the calls into the page's JavaScript (implemented in dx_library.js).
//
// How to use: call from the main loop only. Nothing here blocks; values the page learns asynchronously
// (WebGPU adapter, ONNX Runtime version) are read when platformInfoVersion() changes.
#pragma once

#include "app/app_state.h"

#include <string>
#include <vector>

namespace dx::web {

// Resizes the canvas backbuffer to its CSS size × devicePixelRatio (only when it changed) and tells GLFW;
// returns the devicePixelRatio.
float syncCanvasToCssSize();

// Bumped by the page whenever something in PlatformInfo changed.
int platformInfoVersion();
void readPlatformInfo(PlatformInfo& info);

// File pickers and the ARIA live region of the page (web/index.html).
void installPlatformCommands(PlatformCommands& commands);

// The UI language the user wants, most wanted first: their earlier choice in DxLens (kept in localStorage) if
// any, then the browser's languages (navigator.languages). Feed it to dx::preferredLanguage().
std::vector<std::string> languagePreferences();
// Sets the page's lang attributes (screen readers pick their voice from them) without remembering the choice.
void applyLanguageToPage(const char* tag);

// The loading overlay goes away when the first frame is drawn; a fatal error replaces it with a message.
void reportFirstFrame();
void reportFatal(const char* message);

// A performance measure named `name` from startMs (emscripten_get_now()) to now, for the browser's performance
// panel and bench/startup_bench.mjs (where a first visit's time goes).
void measureSince(const char* name, double startMs);

} // namespace dx::web
