// ort_cpu_backend.cpp — the ONNX Runtime C API, opened with dlopen. Every OrtStatus is turned into a
// dx::Error with ORT's own message; every ORT object is released on every path (small RAII guards below).
#include "platform/native/ort_cpu_backend.h"

#include <onnxruntime/onnxruntime_c_api.h>

#include <dlfcn.h>

#include <cstdlib>

#ifndef DX_ORT_DEFAULT_LIBRARY
#define DX_ORT_DEFAULT_LIBRARY ""
#endif

namespace dx {

namespace {

// Takes ownership of an OrtStatus: empty string on success, ORT's message otherwise.
std::string statusMessage(const OrtApi* api, OrtStatus* status) {
    if (!status) return {};
    std::string message = api->GetErrorMessage(status);
    api->ReleaseStatus(status);
    return message.empty() ? "unknown ONNX Runtime error" : message;
}

const char* elementTypeName(ONNXTensorElementDataType t) {
    switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
        return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
        return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
        return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16:
        return "uint16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
        return "int16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
        return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
        return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
        return "string";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
        return "bool";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
        return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
        return "float64";
    default:
        return "an unsupported type";
    }
}

// Releases ORT values/infos when a scope ends, whichever way it ends.
struct ValueList {
    const OrtApi* api;
    std::vector<OrtValue*> values;
    ~ValueList() {
        for (OrtValue* v : values)
            if (v) api->ReleaseValue(v);
    }
};

} // namespace

Result<std::unique_ptr<OrtCpuBackend>> OrtCpuBackend::create(const OrtCpuOptions& options) {
    // An explicit choice (option, then environment) is the only candidate: a wrong path is an error, not a
    // silent fall-back to another ONNX Runtime.
    std::vector<std::string> candidates;
    const char* env = std::getenv("DXLENS_ORT_LIBRARY");
    if (!options.libraryPath.empty())
        candidates = {options.libraryPath};
    else if (env && *env)
        candidates = {env};
    else
        candidates = {DX_ORT_DEFAULT_LIBRARY, "libonnxruntime.so.1"};

    // ONNX Runtime's Linux builds (onnxruntime-node 1.30's among them) start Microsoft's usage telemetry in
    // CreateEnv: a device id and an event cache under ~/.cache/Microsoft, to be uploaded later. DxLens keeps
    // everything on the device, so it is off, whatever the environment said. Left on, it also crashed
    // `dxlens analyze` with many inputs: it matches /proc/self/cmdline against a std::regex whose matcher
    // recurses once per character, so a command line over about 28 KB (some 450 image paths) overflowed the
    // 8 MB stack inside CreateEnv, before the first image. The variable must be set before CreateEnv (the
    // API's DisableTelemetryEvents below comes too late for that); ORT 1.30 reads ORT_DISABLE_TELEMETRY,
    // newer sources name it ORT_TELEMETRY_DISABLED.
    setenv("ORT_DISABLE_TELEMETRY", "1", 1);
    setenv("ORT_TELEMETRY_DISABLED", "1", 1);

    std::unique_ptr<OrtCpuBackend> b(new OrtCpuBackend());
    std::string tried;
    for (const std::string& path : candidates) {
        b->library_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (b->library_) {
            b->libraryPath_ = path;
            break;
        }
        tried += (tried.empty() ? "" : "; ") + std::string(dlerror());
    }
    if (!b->library_)
        return Error(
            "ONNX Runtime's CPU library (libonnxruntime.so.1) could not be opened. Run `npm install` at the "
            "repository root (onnxruntime-node bundles it) or set DXLENS_ORT_LIBRARY to its path. Tried: " +
            tried);

    using GetApiBase = const OrtApiBase* (*)();
    auto getApiBase = reinterpret_cast<GetApiBase>(dlsym(b->library_, "OrtGetApiBase"));
    if (!getApiBase) return Error(b->libraryPath_ + " is not ONNX Runtime (it has no OrtGetApiBase).");
    const OrtApiBase* base = getApiBase();
    b->version_ = base->GetVersionString();
    // The library must offer the API version our header describes (newer libraries keep older versions).
    b->api_ = base->GetApi(ORT_API_VERSION);
    if (!b->api_)
        return Error(b->libraryPath_ + " is ONNX Runtime " + b->version_ + ", older than the C API version " +
                     std::to_string(ORT_API_VERSION) + " DxLens was built against.");
    std::string err = statusMessage(b->api_, b->api_->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "dxlens", &b->env_));
    if (!err.empty()) return Error("ONNX Runtime could not start: " + err);
    // For a library that reads neither variable: at least no events from here on.
    err = statusMessage(b->api_, b->api_->DisableTelemetryEvents(b->env_));
    if (!err.empty()) return Error("ONNX Runtime's telemetry could not be switched off: " + err);
    b->threads_ = options.intraOpThreads;
    return b;
}

OrtCpuBackend::~OrtCpuBackend() {
    for (auto& s : sessions_)
        api_->ReleaseSession(s.second.ort);
    if (env_) api_->ReleaseEnv(env_);
    // The library stays loaded: ORT registers process-wide state that does not survive dlclose.
}

BackendCapabilities OrtCpuBackend::capabilities() const {
    BackendCapabilities c;
    c.name = "cpu";
    c.description = "ONNX Runtime " + version_ + " CPU (" + libraryPath_ + "), " +
                    (threads_ > 0 ? std::to_string(threads_) + " threads" : std::string("default threads"));
    c.gpu = false;
    c.threads = threads_;
    return c;
}

Result<SessionInfo> OrtCpuBackend::describe(OrtSession* session) {
    SessionInfo info;
    OrtAllocator* allocator = nullptr;
    std::string err = statusMessage(api_, api_->GetAllocatorWithDefaultOptions(&allocator));
    for (int side = 0; side < 2 && err.empty(); side++) {
        size_t count = 0;
        err = statusMessage(api_, side == 0 ? api_->SessionGetInputCount(session, &count)
                                            : api_->SessionGetOutputCount(session, &count));
        for (size_t i = 0; i < count && err.empty(); i++) {
            char* name = nullptr;
            OrtTypeInfo* type = nullptr;
            err = statusMessage(api_, side == 0 ? api_->SessionGetInputName(session, i, allocator, &name)
                                                : api_->SessionGetOutputName(session, i, allocator, &name));
            if (err.empty())
                err = statusMessage(api_, side == 0 ? api_->SessionGetInputTypeInfo(session, i, &type)
                                                    : api_->SessionGetOutputTypeInfo(session, i, &type));
            TensorInfo t;
            if (name) t.name = name;
            const OrtTensorTypeAndShapeInfo* tensor = nullptr;
            if (err.empty()) err = statusMessage(api_, api_->CastTypeInfoToTensorInfo(type, &tensor));
            if (err.empty() && !tensor) {
                t.elementType = "not a tensor";
            } else if (err.empty()) {
                ONNXTensorElementDataType elem;
                size_t rank = 0;
                err = statusMessage(api_, api_->GetTensorElementType(tensor, &elem));
                if (err.empty()) err = statusMessage(api_, api_->GetDimensionsCount(tensor, &rank));
                t.shape.assign(rank, 0);
                if (err.empty()) err = statusMessage(api_, api_->GetDimensions(tensor, t.shape.data(), rank));
                t.elementType = elementTypeName(elem);
            }
            if (type) api_->ReleaseTypeInfo(type);
            if (name) allocator->Free(allocator, name);
            (side == 0 ? info.inputs : info.outputs).push_back(t);
        }
    }
    if (!err.empty()) return Error("ONNX Runtime could not describe the model: " + err);
    return info;
}

void OrtCpuBackend::load(const Bytes& modelBytes, const ModelManifest&, LoadCallback done) {
    OrtSessionOptions* options = nullptr;
    std::string err = statusMessage(api_, api_->CreateSessionOptions(&options));
    if (err.empty() && threads_ > 0) err = statusMessage(api_, api_->SetIntraOpNumThreads(options, threads_));
    if (err.empty())
        err = statusMessage(api_, api_->SetSessionGraphOptimizationLevel(options, ORT_ENABLE_ALL));
    OrtSession* session = nullptr;
    if (err.empty())
        err = statusMessage(api_, api_->CreateSessionFromArray(env_, modelBytes.data(), modelBytes.size(),
                                                               options, &session));
    if (options) api_->ReleaseSessionOptions(options);
    if (!err.empty()) return done(Error(err));

    Result<SessionInfo> info = describe(session);
    if (!info) {
        api_->ReleaseSession(session);
        return done(info.error());
    }
    SessionHandle handle = nextHandle_++;
    sessions_[handle] = Session{session, *info};
    done(LoadedSession{handle, *info});
}

void OrtCpuBackend::run(SessionHandle handle, std::vector<NamedTensor> inputs, RunCallback done) {
    auto it = sessions_.find(handle);
    if (it == sessions_.end()) return done(Error("This model session was already released."));
    const Session& s = it->second;

    OrtMemoryInfo* memory = nullptr;
    std::string err =
        statusMessage(api_, api_->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memory));
    ValueList in{api_, std::vector<OrtValue*>(inputs.size(), nullptr)};
    std::vector<const char*> inputNames;
    for (size_t i = 0; i < inputs.size() && err.empty(); i++) {
        Tensor& t = inputs[i].tensor;
        inputNames.push_back(inputs[i].name.c_str());
        err = statusMessage(api_, api_->CreateTensorWithDataAsOrtValue(
                                      memory, t.data.data(), t.data.size() * sizeof(float), t.shape.data(),
                                      t.shape.size(), ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in.values[i]));
    }
    if (memory) api_->ReleaseMemoryInfo(memory);

    std::vector<const char*> outputNames;
    for (const TensorInfo& o : s.info.outputs)
        outputNames.push_back(o.name.c_str());
    ValueList out{api_, std::vector<OrtValue*>(outputNames.size(), nullptr)};
    if (err.empty())
        err = statusMessage(api_,
                            api_->Run(s.ort, nullptr, inputNames.data(), in.values.data(), in.values.size(),
                                      outputNames.data(), outputNames.size(), out.values.data()));
    if (!err.empty()) return done(Error(err));

    std::vector<NamedTensor> results;
    for (size_t i = 0; i < out.values.size() && err.empty(); i++) {
        if (s.info.outputs[i].elementType != "float32") continue; // only float outputs are read (inference.h)
        OrtTensorTypeAndShapeInfo* shapeInfo = nullptr;
        NamedTensor t;
        t.name = outputNames[i];
        size_t rank = 0, count = 0;
        float* data = nullptr;
        err = statusMessage(api_, api_->GetTensorTypeAndShape(out.values[i], &shapeInfo));
        if (err.empty()) err = statusMessage(api_, api_->GetDimensionsCount(shapeInfo, &rank));
        t.tensor.shape.assign(rank, 0);
        if (err.empty())
            err = statusMessage(api_, api_->GetDimensions(shapeInfo, t.tensor.shape.data(), rank));
        if (err.empty()) err = statusMessage(api_, api_->GetTensorShapeElementCount(shapeInfo, &count));
        if (shapeInfo) api_->ReleaseTensorTypeAndShapeInfo(shapeInfo);
        if (err.empty()) err = statusMessage(api_, api_->GetTensorMutableData(out.values[i], (void**)&data));
        if (err.empty()) t.tensor.data.assign(data, data + count);
        results.push_back(std::move(t));
    }
    if (!err.empty()) return done(Error(err));
    done(std::move(results));
}

void OrtCpuBackend::release(SessionHandle handle) {
    auto it = sessions_.find(handle);
    if (it == sessions_.end()) return;
    api_->ReleaseSession(it->second.ort);
    sessions_.erase(it);
}

} // namespace dx
