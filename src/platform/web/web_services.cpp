#include "platform/web/web_services.h"

#include <cstdlib>
#include <cstring>

namespace dx::web {

static int g_platformVersion = 0;

WebServices& services() {
    static WebServices s;
    s.state.models = &s.models;
    s.state.workspace = &s.workspace;
    s.workspace.takeModelsFrom(&s.models);
    s.state.batch = &s.batch;
    s.state.validation = &s.validation;
    s.state.archive = &s.archive;
    s.state.archiveSend = &s.archiveSend;
    if (!s.archive.transport.start) installArchiveTransport(s.archive.transport);
    if (!s.state.commands.openBatchPicker) installBatchCommands(s.state.commands);
    return s;
}

void notePlatformChanged() {
    g_platformVersion++;
}

void WebServices::syncBackendOrder() {
    const BackendChoice choice = state.settings.backend;
    if (appliedPlatformVersion_ == g_platformVersion && appliedChoice_ == choice) return;
    appliedPlatformVersion_ = g_platformVersion;
    appliedChoice_ = choice;

    const PlatformInfo& p = state.platform;
    const std::string threads = p.crossOriginIsolated ? std::to_string(p.wasmThreads) + " threads"
                                                      : "1 thread: page not cross-origin isolated";
    wasm.setDescription("ONNX Runtime Web " + p.ortVersion + ", WebAssembly (" + threads + ")",
                        p.wasmThreads);
    webgpu.setDescription("ONNX Runtime Web " + p.ortVersion + ", WebGPU (" + p.webgpu + ")", 1);

    std::vector<InferenceBackend*> order;
    const bool gpuFirst =
        choice == BackendChoice::WebGpu || (choice == BackendChoice::Auto && !p.webgpuSoftware);
    if (p.webgpuAvailable && gpuFirst) order.push_back(&webgpu);
    order.push_back(&wasm); // always the last resort: a model that fails WebGPU's self-test still runs
    models.setBackendOrder(order);
}

char* mallocText(const std::string& text) {
    char* out = static_cast<char*>(std::malloc(text.size() + 1));
    std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

} // namespace dx::web
