#include "platform/web/ort_backend.h"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>
#include <variant>

extern "C" {
void dx_js_ort_load(int request, const char* provider, const uint8_t* bytes, int length);
void dx_js_ort_run(int request, int session, const char* layoutJson);
void dx_js_ort_release(int session);
}

namespace dx::web {
namespace {

using Pending = std::variant<LoadCallback, RunCallback>;

std::map<int, Pending>& pendingRequests() {
    static std::map<int, Pending> requests;
    return requests;
}

int addRequest(Pending callback) {
    static int next = 1;
    pendingRequests().emplace(next, std::move(callback));
    return next++;
}

// Removes and returns the callback of a request; false when the id is unknown (answered twice, or stale).
bool takeRequest(int request, Pending& out) {
    auto it = pendingRequests().find(request);
    if (it == pendingRequests().end()) return false;
    out = std::move(it->second);
    pendingRequests().erase(it);
    return true;
}

Shape shapeFromJson(const nlohmann::json& dims) {
    Shape shape;
    for (const nlohmann::json& d : dims)
        shape.push_back(d.is_number_integer() ? d.get<int64_t>() : -1);
    return shape;
}

std::vector<TensorInfo> tensorInfosFromJson(const nlohmann::json& list) {
    std::vector<TensorInfo> infos;
    for (const nlohmann::json& v : list)
        infos.push_back({v.value("name", std::string()),
                         shapeFromJson(v.value("shape", nlohmann::json::array())),
                         v.value("type", std::string("unknown"))});
    return infos;
}

} // namespace

OrtWebBackend::OrtWebBackend(std::string executionProvider)
    : provider_(std::move(executionProvider)), description_("ONNX Runtime Web (" + provider_ + ")") {}

BackendCapabilities OrtWebBackend::capabilities() const {
    return {provider_, description_, provider_ == "webgpu", threads_};
}

void OrtWebBackend::setDescription(std::string description, int threads) {
    description_ = std::move(description);
    threads_ = threads;
}

void OrtWebBackend::load(const Bytes& modelBytes, const ModelManifest&, LoadCallback done) {
    const int request = addRequest(std::move(done));
    dx_js_ort_load(request, provider_.c_str(), modelBytes.data(), int(modelBytes.size()));
}

// Inputs travel as a layout (names, shapes, addresses in the WASM heap) that JavaScript reads and copies
// before this function returns; the tensors can then be freed.
void OrtWebBackend::run(SessionHandle session, std::vector<NamedTensor> inputs, RunCallback done) {
    nlohmann::json layout = nlohmann::json::array();
    for (const NamedTensor& t : inputs)
        layout.push_back({{"name", t.name},
                          {"dims", t.tensor.shape},
                          {"offset", reinterpret_cast<uintptr_t>(t.tensor.data.data())},
                          {"count", t.tensor.data.size()}});
    const int request = addRequest(std::move(done));
    dx_js_ort_run(request, int(session), layout.dump().c_str());
}

void OrtWebBackend::release(SessionHandle session) {
    dx_js_ort_release(int(session));
}

} // namespace dx::web

using dx::web::Pending;

extern "C" {

EMSCRIPTEN_KEEPALIVE void dx_ort_on_loaded(int request, int session, const char* infoJson) {
    Pending pending;
    if (!dx::web::takeRequest(request, pending) || !std::holds_alternative<dx::LoadCallback>(pending)) return;
    const nlohmann::json info = nlohmann::json::parse(infoJson, nullptr, false);
    dx::LoadedSession loaded;
    loaded.handle = dx::SessionHandle(session);
    if (info.is_object()) {
        loaded.info.inputs = dx::web::tensorInfosFromJson(info.value("inputs", nlohmann::json::array()));
        loaded.info.outputs = dx::web::tensorInfosFromJson(info.value("outputs", nlohmann::json::array()));
    }
    std::get<dx::LoadCallback>(pending)(std::move(loaded));
}

// layoutJson: [{name, dims, offset, count}] with offsets (in floats) into `data`, which C++ owns and frees.
EMSCRIPTEN_KEEPALIVE void dx_ort_on_ran(int request, const char* layoutJson, float* data, int count) {
    Pending pending;
    const bool known =
        dx::web::takeRequest(request, pending) && std::holds_alternative<dx::RunCallback>(pending);
    if (!known) {
        std::free(data);
        return;
    }
    std::vector<dx::NamedTensor> outputs;
    const nlohmann::json layout = nlohmann::json::parse(layoutJson, nullptr, false);
    for (const nlohmann::json& o : layout.is_array() ? layout : nlohmann::json::array()) {
        const size_t offset = o.value("offset", size_t(0)), n = o.value("count", size_t(0));
        if (offset + n > size_t(count)) continue;
        dx::NamedTensor t{o.value("name", std::string()), {}};
        t.tensor.shape = dx::web::shapeFromJson(o.value("dims", nlohmann::json::array()));
        t.tensor.data.assign(data + offset, data + offset + n);
        outputs.push_back(std::move(t));
    }
    std::free(data);
    std::get<dx::RunCallback>(pending)(std::move(outputs));
}

EMSCRIPTEN_KEEPALIVE void dx_ort_on_error(int request, const char* message) {
    Pending pending;
    if (!dx::web::takeRequest(request, pending)) return;
    dx::Error error(std::string("ONNX Runtime Web: ") + message);
    if (auto* load = std::get_if<dx::LoadCallback>(&pending))
        (*load)(error);
    else
        std::get<dx::RunCallback>(pending)(error);
}

} // extern "C"
