// app_state.h — what the views read and the commands they issue. The platform layer fills PlatformInfo and
// the callbacks in PlatformCommands; views never talk to JavaScript.
//
// How to use:
//   AppState state;
//   state.models = &library; state.workspace = &workspace;   // owned by the platform layer
//   state.commands.openFilePicker = [] { ... };               // platform hooks
//   openFile(state, "chest.png", bytes);                      // app_commands.h: add + auto-analyze
//   drawApp(state);                                           // once per frame, inside NewFrame()/Render()
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dx {

class ModelLibrary;
class Workspace;
struct BatchScreening;  // app/batch_state.h
struct ValidationStudy; // app/batch_state.h
struct RiskForm;        // risk_form.h
struct ArchiveBrowser;  // archive_browser.h
struct ArchiveSend;     // archive_send.h

// What the browser and the GPU give us; shown in the status bar so a user (or their IT) can see at a glance
// why inference might be slow (no WebGPU, no threads).
struct PlatformInfo {
    std::string renderer = "WebGL2";  // UI rendering backend and GL renderer string
    std::string webgpu = "checking…"; // "available (vendor, architecture)" or "unavailable: reason"
    bool webgpuAvailable = false;
    bool webgpuSoftware = false; // a fallback adapter (e.g. SwiftShader): runs on the CPU, slower than WASM
    bool crossOriginIsolated = false; // needed for multi-threaded WASM inference
    int wasmThreads = 1;              // threads ONNX Runtime's WASM backend may use
    std::string ortVersion;           // ONNX Runtime Web version once its script is loaded
    std::string ortStatus = "loading…";
};

// Milliseconds of the last frames, as a ring; median() of the last kCount.
struct FrameTimeRing {
    static constexpr int kCount = 120;
    std::array<float, kCount> ms{};
    int recorded = 0;

    void add(float value) { ms[size_t(recorded++ % kCount)] = value; }
    float median() const {
        const int n = std::min(recorded, kCount);
        if (n == 0) return 0.0f;
        std::array<float, kCount> sorted = ms;
        std::nth_element(sorted.begin(), sorted.begin() + n / 2, sorted.begin() + n);
        return sorted[size_t(n / 2)];
    }
};

// What the platform's main loop measured on each of the last frames. `ui`: building the UI (every view's
// logic and ImGui), pure CPU work of ours; with the image in a GPU texture and windowing in the shader it is
// the same for a 64 x 64 and a 4096 x 4096 image. `total`: the whole frame including handing the GL commands
// to the browser, which also waits for the GPU when the browser must (with a software GPU, for rasterising).
struct FrameTimes {
    FrameTimeRing ui;
    FrameTimeRing total;
};

// A file made on the device for the user to save (a report, a table of results).
struct ExportedFile {
    std::string name; // suggested file name
    std::string mime;
    std::string text;
};

// What views ask of the platform.
struct PlatformCommands {
    std::function<void()> openFilePicker;             // the page's <input type="file">
    std::function<void()> openModelPicker;            // a folder picker for a model package
    std::function<void()> openTablePicker;            // a CSV of cases for the tabular risk form
    std::function<void(const std::string&)> announce; // mirrored to the ARIA live region for screen readers
    // Hands a file made on the device to the browser as a download (name, MIME type, contents).
    std::function<void(const std::string&, const std::string&, const std::string&)> downloadFile;
    // The UI language changed (BCP 47 tag, "en" or "zh-Hans"): remember it for the next visit and tell the
    // page, so the live region is read with the right voice.
    std::function<void(const std::string&)> languageChanged;
    // The page's folder picker (or, with folder false, multi-file picker) feeding a batch queue
    // (batch_state.h: BatchQueueId); the files arrive through the platform's batch bridge.
    std::function<void(int queue, bool folder)> openBatchPicker;
};

struct ViewToggles {
    bool showAbout = false;
    bool showShortcuts = false;
    bool showMetrics = false;
    bool showModelCard = false;
    bool showBatch = false;          // batch screening window (Ctrl+B)
    bool showValidation = false;     // on-device validation window (Ctrl+L)
    bool showArchiveBrowser = false; // File > Open from archive (only when archives.json names one)
};

// Which inference backend new model sessions use. Auto: WebGPU when a hardware adapter is available, else
// WebAssembly (a software WebGPU adapter emulates the GPU on the CPU and is far slower than WASM); a backend
// that fails the model's self-test is skipped either way.
enum class BackendChoice { Auto, WebGpu, Wasm };

struct Settings {
    BackendChoice backend = BackendChoice::Auto;
    bool autoAnalyze = true; // analyze each image with every model that fits it as soon as it is opened
    // Image models the user turned off for this session (ids): they analyze nothing and are not listed.
    std::vector<std::string> modelsOff;
    // Patient name/ID, birth date, institution, ... in the UI and in exported reports; off by default.
    bool showIdentifiers = false;
};

// How the selected image is shown. Reset when another study is selected.
struct ViewerState {
    int studyId = 0;                // the study these settings belong to
    float zoom = 0.0f;              // 0: fit to the viewport
    float panX = 0.0f, panY = 0.0f; // image pixels from the centre
    bool hasWindow = false;
    double windowCenter = 0.0, windowWidth = 0.0;
    bool sigmoid = false; // DICOM VOI LUT Function SIGMOID
    bool invert = false;
    int colourMapIndex = 0;
    bool showOverlay = true;
    bool showHeatmap = true; // the saliency heatmap rather than the segmentation mask, when both exist
    // The model whose overlay is shown (one at a time); empty: the first that has one (study_models.h).
    std::string overlayModel;
    float overlayOpacity = 0.45f;
    int frame = 0;          // frame of the selected study shown (multi-frame DICOM)
    std::string windowName; // the preset the window came from; empty once dragged by hand
    int quarterTurns = 0;   // clockwise rotation on the screen
    bool flipH = false, flipV = false;
    bool showHistogram = true;
    bool histogramLog = true;
    bool rulerMode = false; // left-drag draws the distance ruler instead of panning
    bool hasRuler = false;
    double rulerX0 = 0.0, rulerY0 = 0.0, rulerX1 = 0.0, rulerY1 = 0.0; // image pixel coordinates
};

struct AppState {
    PlatformInfo platform;
    PlatformCommands commands;
    FrameTimes frameTimes; // filled by the platform's main loop
    int frame = 0; // the UI frame being drawn (set by drawApp), e.g. when a batch window last had focus
    ViewToggles views;
    Settings settings;
    ViewerState viewer;
    ModelLibrary* models = nullptr; // owned by the platform layer
    Workspace* workspace = nullptr; // owned by the platform layer
    int selectedStudy = 0;          // Study::id, 0 for none
    // The preferred image model (id): analyzed first, and the one batch screening and validation use; every
    // other model that fits an image analyzes it too. Empty: the first ready image model.
    std::string activeModel;
    // Studies opened with auto-analysis on: a model that becomes ready (or is turned on) later analyzes them
    // too, once (app_commands.h, startAnalysesAwaitingModel); and the image models seen ready last time.
    std::vector<int> autoAnalyzedStudies;
    std::string imageModelsSeen;
    float uiScale = 1.0f; // device pixels per CSS pixel: the UI is laid out in device pixels, scaled by this
    // How far (device pixels) the findings panel's widest line ran past the panel's edge in the last frame: 0
    // when every text wrapped or fitted. Nothing in the panel may be cut; the page's API reports it for tests.
    float findingsPanelOverflow = 0.0f;
    // The Batch screening and Validation windows' state (batch_state.h), owned by the platform layer; null
    // where a platform offers no batch windows.
    BatchScreening* batch = nullptr;
    ValidationStudy* validation = nullptr;
    // The study browser over the deployment's DICOMweb archives (archive_browser.h), owned by the platform
    // layer; null where a platform reaches no archive.
    ArchiveBrowser* archive = nullptr;
    // Results sent back to the archive a study came from (archive_send.h), owned by the platform layer; null
    // where a platform sends nothing.
    ArchiveSend* archiveSend = nullptr;
    // The risk form of a tabular model (risk_form.h), made on first use.
    std::shared_ptr<RiskForm> tabularForm;
};

// Draws every view for this frame: menu bar, panels, viewport, status bar, windows toggled from the menus.
void drawApp(AppState& state);

} // namespace dx
