// ort_cpu_backend.h — InferenceBackend on ONNX Runtime's CPU execution provider, through its C API, for the CLI.
//
// How to use:
//   dx::Result<std::unique_ptr<dx::OrtCpuBackend>> b = dx::OrtCpuBackend::create({});
//   if (!b) die(b.error().message);            // e.g. library not found: says where it looked and what to do
//   dx::openModelSession(**b, package, ...);   // see core/inference/inference.h
//
// The library is the libonnxruntime.so.1 that npm onnxruntime-node bundles (the same ORT build the golden
// tests use from Node). It is opened with dlopen at run time, so building DxLens never needs it; only the C
// API headers are needed at build time (fetched by fetch_ort_headers.sh). The library used:
// options.libraryPath if given, else $DXLENS_ORT_LIBRARY if set, else
// <repo>/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/ and then the system's library search path.
// Synchronous: load() and run() call their callback before returning.
// create() switches ONNX Runtime's usage telemetry off for the process (ORT_DISABLE_TELEMETRY=1 before the
// library starts): it would keep a device id and events under ~/.cache to upload, and its start-up crashed on
// long command lines (see create()).
#pragma once

#include "core/inference/inference.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

struct OrtApi;
struct OrtEnv;
struct OrtSession;

namespace dx {

struct OrtCpuOptions {
    std::string libraryPath; // empty: search as described above
    int intraOpThreads = 0;  // 0: ONNX Runtime's default (one per physical core)
};

class OrtCpuBackend : public InferenceBackend {
public:
    static Result<std::unique_ptr<OrtCpuBackend>> create(const OrtCpuOptions& options);
    ~OrtCpuBackend() override;

    BackendCapabilities capabilities() const override;
    void load(const Bytes& modelBytes, const ModelManifest& manifest, LoadCallback done) override;
    void run(SessionHandle session, std::vector<NamedTensor> inputs, RunCallback done) override;
    void release(SessionHandle session) override;

    const std::string& libraryPath() const { return libraryPath_; }

private:
    struct Session {
        OrtSession* ort = nullptr;
        SessionInfo info;
    };

    OrtCpuBackend() = default;
    Result<SessionInfo> describe(OrtSession* session);

    void* library_ = nullptr;
    const OrtApi* api_ = nullptr;
    OrtEnv* env_ = nullptr;
    std::string libraryPath_;
    std::string version_;
    int threads_ = 0;
    std::map<SessionHandle, Session> sessions_;
    SessionHandle nextHandle_ = 1;
};

} // namespace dx
