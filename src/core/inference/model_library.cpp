#include "core/inference/model_library.h"

#include <algorithm>
#include <utility>

namespace dx {

const char* modelSlotStateName(ModelSlotState s) {
    switch (s) {
    case ModelSlotState::Downloading:
        return "downloading";
    case ModelSlotState::Opening:
        return "opening";
    case ModelSlotState::Ready:
        return "ready";
    case ModelSlotState::Failed:
        return "failed";
    }
    return "?";
}

const std::string& ModelSlot::id() const {
    return package ? package->manifest.id : source;
}

ModelLibrary::~ModelLibrary() {
    for (auto& slot : slots_)
        if (slot->ready()) closeModelSession(slot->session);
}

void ModelLibrary::setBackendOrder(std::vector<InferenceBackend*> backends) {
    backends_ = std::move(backends);
}

int ModelLibrary::beginLoading(const std::string& source) {
    auto slot = std::make_unique<ModelSlot>();
    slot->key = nextKey_++;
    slot->source = source;
    slots_.push_back(std::move(slot));
    return slots_.back()->key;
}

void ModelLibrary::setDownloadProgress(int key, double bytesDone, double bytesTotal) {
    if (ModelSlot* s = find(key)) {
        s->bytesDone = bytesDone;
        s->bytesTotal = bytesTotal;
    }
}

void ModelLibrary::fail(int key, const std::string& message) {
    if (ModelSlot* s = find(key)) {
        s->state = ModelSlotState::Failed;
        s->message = message;
    }
}

void ModelLibrary::open(int key, const ReadPackageFile& read, const DecodeImage& decode, SlotCallback done) {
    ModelSlot* slot = find(key);
    if (!slot) return;
    slot->state = ModelSlotState::Opening;
    Result<ModelPackage> package = readModelPackage(read, decode);
    if (!package) {
        fail(key, package.error().message);
        done(*slot);
        return;
    }
    if (backends_.empty()) {
        fail(key, "No inference backend is available in this browser.");
        done(*slot);
        return;
    }
    slot->package = std::make_shared<const ModelPackage>(std::move(*package));
    openModelSessionWithFallback(backends_, slot->package, [this, key, done](Result<ModelSession> session) {
        finishOpening(key, std::move(session), done);
    });
}

void ModelLibrary::finishOpening(int key, Result<ModelSession> session, const SlotCallback& done) {
    ModelSlot* slot = find(key);
    if (!slot) {
        if (session) closeModelSession(*session); // closed while opening
        return;
    }
    if (!session) {
        fail(key, session.error().message);
        done(*slot);
        return;
    }
    // An older slot with the same model id is replaced: the newest package wins, nothing runs twice.
    // Keys first: close() erases from slots_, which must not happen while iterating over it.
    std::vector<int> replaced;
    for (const auto& other : slots_)
        if (other->key != key && other->ready() && other->id() == slot->id()) replaced.push_back(other->key);
    for (int other : replaced)
        close(other);
    slot = find(key);
    slot->session = std::move(*session);
    slot->state = ModelSlotState::Ready;
    slot->message.clear();
    for (const std::string& note : slot->session.fallbackNotes)
        slot->message += (slot->message.empty() ? "" : "\n") + note;
    done(*slot);
}

void ModelLibrary::close(int key) {
    auto it = std::find_if(slots_.begin(), slots_.end(), [key](const auto& s) { return s->key == key; });
    if (it == slots_.end()) return;
    if ((*it)->ready()) closeModelSession((*it)->session);
    slots_.erase(it);
}

ModelSlot* ModelLibrary::find(int key) {
    for (auto& s : slots_)
        if (s->key == key) return s.get();
    return nullptr;
}

const ModelSlot* ModelLibrary::findById(const std::string& id) const {
    for (const auto& s : slots_)
        if (s->ready() && s->id() == id) return s.get();
    return nullptr;
}

ModelSlot* ModelLibrary::findById(const std::string& id) {
    return const_cast<ModelSlot*>(std::as_const(*this).findById(id));
}

} // namespace dx
