// ort_backend.h — dx::InferenceBackend over ONNX Runtime Web, through web/dx-bridge.mjs.
//
// How to use:
//   dx::web::OrtWebBackend webgpu("webgpu"), wasm("wasm");
//   dx::openModelSessionWithFallback({&webgpu, &wasm}, package, done);   // see core/inference/inference.h
//
// load() and run() hand the bytes to JavaScript, which copies them at once (so the caller's buffers may go
// away), awaits ONNX Runtime, and calls back into C++ (dx_ort_on_*) from the browser's event loop. Nothing
// blocks or polls: the UI keeps drawing while a model runs. Requests are matched to callbacks by id.
#pragma once

#include "core/inference/inference.h"

#include <string>

namespace dx::web {

class OrtWebBackend final : public InferenceBackend {
public:
    // executionProvider: "webgpu" or "wasm" (ONNX Runtime Web's names).
    explicit OrtWebBackend(std::string executionProvider);

    BackendCapabilities capabilities() const override;
    void load(const Bytes& modelBytes, const ModelManifest& manifest, LoadCallback done) override;
    void run(SessionHandle session, std::vector<NamedTensor> inputs, RunCallback done) override;
    void release(SessionHandle session) override;

    // Filled in from the page's probe (threads, adapter) so results say exactly what ran them.
    void setDescription(std::string description, int threads);

private:
    std::string provider_;
    std::string description_;
    int threads_ = 1;
};

} // namespace dx::web
