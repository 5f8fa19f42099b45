// main.cpp (web) — the browser entry point: GLFW window on the page's canvas, Dear ImGui with the OpenGL3
// backend on WebGL2, the Emscripten main loop, HiDPI, and PlatformInfo from the JavaScript side.
//
// Emscripten's own APIs are used in src/platform/web only. This file has the main loop, the frame clock and the
// canvas wheel handler (emscripten_*); js_api.cpp, batch_bridge.cpp, risk_form_api.cpp and ort_backend.cpp
// export the functions the page's JavaScript calls (EMSCRIPTEN_KEEPALIVE); web_bridge.* calls into the page
// through dx_library.js.
// Everything is laid out in *device* pixels: Emscripten 3.1.6's GLFW reports mouse positions in canvas
// (backbuffer) pixels and ignores devicePixelRatio, so the canvas backbuffer is sized to CSS size × DPR, ImGui's
// DisplaySize is that backbuffer, and fonts and style are scaled by the DPR. Text is rasterised at the final
// pixel size, hence sharp at any zoom.
// The loop draws only when something may have changed (app/frame_pacing.h): after a wake, a few frames a second
// while work is in flight, otherwise it sleeps, looking four times a second for what can change without a wake
// (the page's PlatformInfo, the canvas's size). dx_app_wake() is the wake: web/frame-wake.mjs calls it on every
// input event and after every call from the page's JavaScript into the WASM (the page's API, the model and
// batch bridges' answers), so what a script or a test asks for is on screen a frame later.
// Chinese glyphs come from a build-time subset of a CJK font, merged into the UI font. The atlas carries the
// catalogue's (i18n.h) Chinese characters once the Chinese UI is used (then kept); until then only the few Chinese
// characters the English UI draws, so an English first visit does not rasterise ~540 CJK glyphs before its first
// frame. Switching to Chinese rebuilds the atlas once, at the start of the next frame.
#include "app/app_state.h"
#include "app/frame_pacing.h"
#include "app/i18n.h"
#include "app/views.h"
#include "platform/web/web_bridge.h"
#include "platform/web/web_services.h"

#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <imgui_internal.h> // ImTextCharFromUtf8, ImTextCharToUtf8

#include <cmath>
#include <cstdio>
#include <string>

namespace {

constexpr float kBaseFontSize = 15.0f; // CSS pixels
constexpr const char* kUiFontPath = "/assets/fonts/ui.ttf";
constexpr const char* kCjkFontPath = "/assets/fonts/cjk.ttf"; // subset made by the build (CMakeLists.txt)
// While asleep the loop still ticks this often, for the changes that come without a wake. Each such tick reads
// two numbers from the page; it costs microseconds.
constexpr int kSleepingTickMs = 250;

struct WebApp {
    GLFWwindow* window = nullptr;
    ImGuiStyle baseStyle;
    float fontScale = 0.0f;       // DPR the font atlas was built for
    bool atlasHasChinese = false; // the atlas carries every Chinese character of the catalogue
    int platformVersion = -1;
    bool firstFrameReported = false;
    dx::FramePacer pacer;
    bool sleeping = false; // the loop ticks every kSleepingTickMs instead of every animation frame
    int canvasWidth = 0, canvasHeight = 0;
};

WebApp g_app;

// Chinese the English UI draws too: the Language menu's title ("Language / 语言", menu_bar_view.cpp) and the
// Chinese language's own name in that menu.
std::string chineseInEnglishUi() {
    return std::string("\xE8\xAF\xAD\xE8\xA8\x80") + dx::languageNativeName(dx::Language::ChineseSimplified);
}

// CJK Radicals onwards (ideographs, CJK punctuation, full-width forms): what the CJK font supplies.
bool isCjk(unsigned int c) {
    return c >= 0x2E80;
}

// The characters the atlas is built to draw: the whole catalogue's, or the catalogue's without its Chinese plus
// chineseInEnglishUi(). UTF-8.
std::string atlasCharacters(bool wholeCatalogue) {
    if (wholeCatalogue) return dx::uiGlyphsUtf8();
    std::string out = chineseInEnglishUi();
    for (const char* p = dx::uiGlyphsUtf8(); *p;) {
        unsigned int c = 0;
        const char* start = p;
        p += ImTextCharFromUtf8(&c, p, nullptr);
        if (!isCjk(c)) out.append(start, p);
    }
    return out;
}

// Those characters as ImGui glyph ranges; built once per kind, kept alive for the atlas (ImGui keeps the pointer).
const ImWchar* cjkGlyphRanges(bool wholeCatalogue) {
    static ImVector<ImWchar> ranges[2];
    ImVector<ImWchar>& r = ranges[wholeCatalogue ? 1 : 0];
    if (r.empty()) {
        ImFontGlyphRangesBuilder builder;
        builder.AddText(atlasCharacters(wholeCatalogue).c_str());
        builder.BuildRanges(&r);
    }
    return r.Data;
}

// CJK glyphs are square and dense: no horizontal oversampling (it would double their atlas area for no gain).
bool mergeCjkFont(float pixelSize, bool wholeCatalogue) {
    ImFontConfig cfg;
    cfg.MergeMode = true;
    cfg.OversampleH = 1;
    cfg.PixelSnapH = true;
    return ImGui::GetIO().Fonts->AddFontFromFileTTF(kCjkFontPath, pixelSize, &cfg,
                                                    cjkGlyphRanges(wholeCatalogue)) != nullptr;
}

// Coverage of the characters this atlas is built to draw (atlasCharacters), for the i18n status and tests.
void checkFontCoverage(const ImFont& font, bool cjkLoaded, bool wholeCatalogue) {
    dx::web::FontCoverage coverage;
    coverage.cjkFontLoaded = cjkLoaded;
    const std::string characters = atlasCharacters(wholeCatalogue);
    for (const char* p = characters.c_str(); *p;) {
        unsigned int c = 0;
        p += ImTextCharFromUtf8(&c, p, nullptr);
        coverage.uiCharacters++;
        if (!font.FindGlyphNoFallback(ImWchar(c))) {
            char utf8[5] = {};
            ImTextCharToUtf8(utf8, c);
            coverage.missing += utf8;
        }
    }
    ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
    coverage.atlasWidth = atlas.TexWidth;
    coverage.atlasHeight = atlas.TexHeight;
    if (!coverage.missing.empty())
        std::fprintf(stderr, "DxLens: no glyph for these UI characters: %s\n", coverage.missing.c_str());
    dx::web::services().fonts = coverage;
}

void rebuildFonts(float scale, bool withChinese) {
    const double startMs = emscripten_get_now();
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    // Latin-1 plus the punctuation, arrows and symbols the UI's texts use (em dash, ellipsis, ±, ×, µ, ≥).
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x2000, 0x206F, 0x2190, 0x21FF, 0x2200, 0x22FF, 0};
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    float pixelSize = std::round(kBaseFontSize * scale);
    ImFont* font = io.Fonts->AddFontFromFileTTF(kUiFontPath, pixelSize, &cfg, ranges);
    if (!font) {
        std::fprintf(stderr, "DxLens: UI font %s missing, using ImGui's built-in font\n", kUiFontPath);
        pixelSize = cfg.SizePixels = std::round(13.0f * scale);
        font = io.Fonts->AddFontDefault(&cfg);
    }
    // ImFont::FontSize is only set by Build(), so the merged font gets the size explicitly.
    const bool cjkLoaded = mergeCjkFont(pixelSize, withChinese);
    if (!cjkLoaded) std::fprintf(stderr, "DxLens: CJK font %s missing: Chinese shows as '?'\n", kCjkFontPath);
    io.Fonts->Build();
    checkFontCoverage(*font, cjkLoaded, withChinese);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
    ImGui::GetStyle() = g_app.baseStyle;
    ImGui::GetStyle().ScaleAllSizes(scale);
    g_app.fontScale = scale;
    g_app.atlasHasChinese = withChinese;
    dx::web::measureSince("dx:font-atlas", startMs);
}

void refreshPlatformInfo() {
    const int version = dx::web::platformInfoVersion();
    if (version == g_app.platformVersion) return;
    g_app.platformVersion = version;
    dx::web::readPlatformInfo(dx::web::services().state.platform);
    dx::web::notePlatformChanged();
}

void frame() {
    const double startMs = emscripten_get_now();
    const float dpr = dx::web::syncCanvasToCssSize();
    const bool chinese = g_app.atlasHasChinese || dx::currentLanguage() == dx::Language::ChineseSimplified;
    if (dpr != g_app.fontScale || chinese != g_app.atlasHasChinese) rebuildFonts(dpr, chinese);
    dx::web::services().state.uiScale = dpr;
    refreshPlatformInfo();

    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    // Headless browsers with virtual time can report a zero frame time; ImGui asserts on that.
    ImGuiIO& io = ImGui::GetIO();
    if (!(io.DeltaTime > 0.0f)) io.DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();

    dx::web::WebServices& services = dx::web::services();
    services.syncBackendOrder(); // the user may have changed the backend setting last frame
    dx::drawApp(services.state);

    ImGui::Render();
    services.state.frameTimes.ui.add(float(emscripten_get_now() - startMs));
    int w = 0, h = 0;
    glfwGetFramebufferSize(g_app.window, &w, &h);
    g_app.canvasWidth = w;
    g_app.canvasHeight = h;
    glViewport(0, 0, w, h);
    glClearColor(0.03f, 0.04f, 0.05f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    services.state.frameTimes.total.add(float(emscripten_get_now() - startMs));

    if (!g_app.firstFrameReported) {
        g_app.firstFrameReported = true;
        dx::web::measureSince("dx:first-frame-draw", startMs);
        dx::web::reportFirstFrame();
    }
}

// Something happened that may change the picture: draw from the next animation frame on.
void wake() {
    g_app.pacer.wake(emscripten_get_now());
    if (!g_app.sleeping) return;
    g_app.sleeping = false;
    // The sleeping loop has a timer pending; pausing drops it, so the first frame is the next animation frame
    // rather than the end of that timer.
    emscripten_pause_main_loop();
    emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
    emscripten_resume_main_loop();
}

// What can change while no wake comes: the page's PlatformInfo (app.mjs bumps its version) and the canvas's
// size or devicePixelRatio (a resized window wakes the loop too, but an element resized by the page's CSS may
// not).
bool changedWithoutWake() {
    if (dx::web::platformInfoVersion() != g_app.platformVersion) return true;
    const float dpr = dx::web::syncCanvasToCssSize();
    int w = 0, h = 0;
    glfwGetFramebufferSize(g_app.window, &w, &h);
    return dpr != g_app.fontScale || w != g_app.canvasWidth || h != g_app.canvasHeight;
}

void tick() {
    const double now = emscripten_get_now();
    if (g_app.sleeping) {
        if (!changedWithoutWake()) return;
        g_app.sleeping = false; // the loop schedules its next tick with the timing set here
        emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
        g_app.pacer.wake(now);
    }
    const dx::FrameDemand demand{dx::workInFlight(dx::web::services().state), ImGui::GetIO().WantTextInput};
    if (g_app.pacer.shouldDraw(now, demand)) {
        frame();
        g_app.pacer.drew(now);
    } else if (g_app.pacer.canSleep(now, demand)) {
        g_app.sleeping = true;
        emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, kSleepingTickMs);
    }
}

// Wheel events go to ImGui from a listener on the canvas, not the document: Chromium makes document-level
// wheel listeners passive, so the backend's own listener cannot stop a pinch (Ctrl+wheel) from zooming the
// whole page and logs an error for every try. Same scaling as the backend (100 px, 3 lines or 1/80 page
// make one step). A pinch arrives as Ctrl+wheel with deltaY = -100 ln(scale change) and no Ctrl key event
// (web/pinch.mjs sends touch-screen pinches the same way): rescaled so the viewport's zoom matches it.
EM_BOOL onCanvasWheel(int, const EmscriptenWheelEvent* ev, void*) {
    float multiplier = 0.0f;
    if (ev->deltaMode == DOM_DELTA_PIXEL) multiplier = 1.0f / 100.0f;
    if (ev->deltaMode == DOM_DELTA_LINE) multiplier = 1.0f / 3.0f;
    if (ev->deltaMode == DOM_DELTA_PAGE) multiplier = 80.0f;
    if (ev->mouse.ctrlKey) multiplier /= float(std::log(dx::kWheelZoomStep));
    ImGui::GetIO().AddMouseWheelEvent(float(ev->deltaX) * -multiplier, float(ev->deltaY) * -multiplier);
    wake();
    return EM_TRUE; // preventDefault: the page neither scrolls nor zooms
}

std::string glRendererName() {
    const char* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
    const char* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    std::string name = version ? version : "WebGL2";
    if (renderer && *renderer) name += std::string(" (") + renderer + ")";
    return name;
}

} // namespace

// The page's one way to say "something happened" (web/frame-wake.mjs): input, or a call into the WASM.
extern "C" EMSCRIPTEN_KEEPALIVE void dx_app_wake() {
    wake();
}

int main() {
    const double mainStartMs = emscripten_get_now();
    if (!glfwInit()) {
        dx::web::reportFatal("Could not initialise the window system (GLFW).");
        return 1;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    const double contextStartMs = emscripten_get_now();
    g_app.window = glfwCreateWindow(1280, 720, "DxLens", nullptr, nullptr);
    dx::web::measureSince("dx:webgl-context", contextStartMs);
    if (!g_app.window) {
        dx::web::reportFatal(
            "This browser could not create a WebGL2 context. DxLens needs WebGL2 to draw its "
            "interface: enable hardware acceleration or use a current Chrome, Edge, Firefox or "
            "Safari.");
        return 1;
    }
    glfwMakeContextCurrent(g_app.window);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // layout is not persisted between visits (nothing is written to storage)
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui::StyleColorsDark();
    g_app.baseStyle = ImGui::GetStyle();
    ImGui_ImplGlfw_InitForOpenGL(g_app.window, true);
    const double rendererStartMs = emscripten_get_now();
    ImGui_ImplOpenGL3_Init("#version 300 es");
    dx::web::measureSince("dx:imgui-renderer-init", rendererStartMs);
    emscripten_set_wheel_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, nullptr, false, nullptr);
    emscripten_set_wheel_callback("#canvas", nullptr, false, onCanvasWheel);
    dx::web::services().state.platform.renderer = glRendererName();
    dx::web::installPlatformCommands(dx::web::services().state.commands);
    const dx::Language language = dx::preferredLanguage(dx::web::languagePreferences());
    dx::setLanguage(language);
    dx::web::applyLanguageToPage(dx::languageTag(language));

    dx::web::measureSince("dx:main", mainStartMs);
    // The first frame is drawn now, not at the next animation frame: on a first visit the main thread is busy
    // with the models' and ONNX Runtime's downloads answering, and that frame could come hundreds of ms later.
    frame();
    emscripten_set_main_loop(tick, 0, false);
    return 0;
}
