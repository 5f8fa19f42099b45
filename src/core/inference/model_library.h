// model_library.h — the models a workstation has open: their packages, the backend each one runs on, its
// self-test, and what happened while loading. Pure C++: the platform supplies the backends and file reading.
//
// How to use:
//   dx::ModelLibrary lib;
//   lib.setBackendOrder({&webgpu, &wasm});                 // fastest first; each must pass the self-test
//   int key = lib.beginLoading("models/cxr-pneumonia");    // a slot the UI can show while files arrive
//   lib.setDownloadProgress(key, bytesDone, bytesTotal);
//   lib.open(key, readFile, decode, [](const dx::ModelSlot& s) { ... s.state == Ready ... });
//   const dx::ModelSlot* m = lib.findById("cxr-pneumonia");  // then dx::analyzeImageBytes(m->session, ...)
//
// A slot is never removed while an operation on it is in flight; callbacks find it again by key.
#pragma once

#include "core/inference/inference.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dx {

enum class ModelSlotState { Downloading, Opening, Ready, Failed };
const char* modelSlotStateName(ModelSlotState s);

struct ModelSlot {
    int key = 0;
    std::string source; // where the package came from (URL folder or the picked folder's name)
    ModelSlotState state = ModelSlotState::Downloading;
    std::string message; // error (Failed) or notes such as backend fallbacks (Ready)
    double bytesDone = 0.0, bytesTotal = 0.0;
    std::shared_ptr<const ModelPackage> package;
    ModelSession session; // valid when Ready

    const std::string& id() const; // manifest id, or the source while unknown
    bool ready() const { return state == ModelSlotState::Ready; }
};

class ModelLibrary {
public:
    using SlotCallback = std::function<void(const ModelSlot&)>;

    ~ModelLibrary();

    // Backends to try, in order, for models opened from now on.
    void setBackendOrder(std::vector<InferenceBackend*> backends);

    int beginLoading(const std::string& source);
    void setDownloadProgress(int key, double bytesDone, double bytesTotal);
    void fail(int key, const std::string& message);

    // Reads and verifies the package, then opens a session on the first backend that passes the self-test.
    // A package with the same manifest id as a Ready slot replaces it once the new one is ready.
    void open(int key, const ReadPackageFile& read, const DecodeImage& decode, SlotCallback done);

    void close(int key);

    const std::vector<std::unique_ptr<ModelSlot>>& slots() const { return slots_; }
    ModelSlot* find(int key);
    ModelSlot* findById(const std::string& id); // the Ready slot with this manifest id
    const ModelSlot* findById(const std::string& id) const;

private:
    void finishOpening(int key, Result<ModelSession> session, const SlotCallback& done);

    std::vector<InferenceBackend*> backends_;
    std::vector<std::unique_ptr<ModelSlot>> slots_;
    int nextKey_ = 1;
};

} // namespace dx
