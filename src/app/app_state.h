// app_state.h — what the views read. The platform layer fills PlatformInfo; views never talk to JavaScript.
//
// How to use:
//   AppState state;
//   state.platform = ...;            // from src/platform/web (renderer, WebGPU, isolation, ONNX Runtime)
//   drawApp(state);                  // once per frame, inside ImGui::NewFrame()/Render()
#pragma once

#include <string>

namespace dx {
class ModelLibrary;
}

namespace dx {

// What the browser and the GPU give us; shown in the status bar so a user (or their IT) can see at a glance
// why inference might be slow (no WebGPU, no threads).
struct PlatformInfo {
    std::string renderer = "WebGL2";   // UI rendering backend and GL renderer string
    std::string webgpu = "checking…"; // "available (vendor, architecture)" or "unavailable: reason"
    bool webgpuAvailable = false;
    bool crossOriginIsolated = false;  // needed for multi-threaded WASM inference
    int wasmThreads = 1;               // threads ONNX Runtime's WASM backend may use
    std::string ortVersion;            // ONNX Runtime Web version once its script is loaded
    std::string ortStatus = "loading…";
};

struct ViewToggles {
    bool showAbout = false;
    bool showShortcuts = false;
    bool showMetrics = false;
};

// Which inference backend new model sessions use. Auto: WebGPU when available, else WebAssembly; a backend
// that fails the model's self-test is skipped either way.
enum class BackendChoice { Auto, WebGpu, Wasm };

struct Settings {
    BackendChoice backend = BackendChoice::Auto;
};

struct AppState {
    PlatformInfo platform;
    ViewToggles views;
    Settings settings;
    ModelLibrary* models = nullptr; // owned by the platform layer
    float uiScale = 1.0f; // device pixels per CSS pixel: the UI is laid out in device pixels, scaled by this
};

// Draws every view for this frame: menu bar, viewport, status bar, windows toggled from the menus.
void drawApp(AppState& state);

} // namespace dx
