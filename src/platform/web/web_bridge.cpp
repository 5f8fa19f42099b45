#include "platform/web/web_bridge.h"

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

extern "C" {
double dx_js_sync_canvas(void);
int dx_js_platform_version(void);
int dx_js_platform_json(char* buffer, int capacity);
void dx_js_first_frame(void);
void dx_js_fatal(const char* message);
void dx_js_measure(const char* name, double startMs);
void dx_js_open_file_picker(void);
void dx_js_open_model_picker(void);
void dx_js_open_table_picker(void);
void dx_js_announce(const char* text);
void dx_js_download(const char* name, const char* mime, const char* data, int length);
int dx_js_language_preferences(char* buffer, int capacity);
void dx_js_apply_language(const char* tag, int remember);
}

namespace dx::web {

float syncCanvasToCssSize() {
    return float(dx_js_sync_canvas());
}

int platformInfoVersion() {
    return dx_js_platform_version();
}

void readPlatformInfo(PlatformInfo& info) {
    std::string buffer(4096, '\0');
    const int n = dx_js_platform_json(buffer.data(), int(buffer.size()));
    buffer.resize(n > 0 ? size_t(n) : 0);
    const nlohmann::json j = nlohmann::json::parse(buffer, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return;
    info.webgpu = j.value("webgpu", info.webgpu);
    info.webgpuAvailable = j.value("webgpuAvailable", false);
    info.webgpuSoftware = j.value("webgpuSoftware", false);
    info.crossOriginIsolated = j.value("crossOriginIsolated", false);
    info.wasmThreads = j.value("wasmThreads", 1);
    info.ortVersion = j.value("ortVersion", std::string());
    info.ortStatus = j.value("ortStatus", info.ortStatus);
}

void installPlatformCommands(PlatformCommands& commands) {
    commands.openFilePicker = [] { dx_js_open_file_picker(); };
    commands.openModelPicker = [] { dx_js_open_model_picker(); };
    commands.openTablePicker = [] { dx_js_open_table_picker(); };
    commands.announce = [](const std::string& text) { dx_js_announce(text.c_str()); };
    commands.downloadFile = [](const std::string& name, const std::string& mime, const std::string& text) {
        dx_js_download(name.c_str(), mime.c_str(), text.data(), int(text.size()));
    };
    commands.languageChanged = [](const std::string& tag) { dx_js_apply_language(tag.c_str(), 1); };
}

std::vector<std::string> languagePreferences() {
    std::string buffer(1024, '\0');
    const int n = dx_js_language_preferences(buffer.data(), int(buffer.size()));
    buffer.resize(n > 0 ? size_t(n) : 0);
    std::vector<std::string> tags;
    std::istringstream list(buffer);
    for (std::string tag; std::getline(list, tag, ',');)
        if (!tag.empty()) tags.push_back(tag);
    return tags;
}

void applyLanguageToPage(const char* tag) {
    dx_js_apply_language(tag, 0);
}

void measureSince(const char* name, double startMs) {
    dx_js_measure(name, startMs);
}

void reportFirstFrame() {
    dx_js_first_frame();
}
void reportFatal(const char* message) {
    dx_js_fatal(message);
}

} // namespace dx::web
