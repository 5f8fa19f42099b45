#include "workspace.h"

#include "image_decoder.h"

#include <algorithm>

namespace dx {

const StudyAnalysis* Study::analysis(const std::string& modelId) const {
    auto it = analyses.find(modelId);
    return it == analyses.end() ? nullptr : &it->second;
}

std::string Study::attribute(const char* key) const {
    if (!image) return {};
    auto it = image->metadata.find(key);
    return it == image->metadata.end() ? std::string() : it->second;
}

int Workspace::addFile(const std::string& name, const Bytes& bytes) {
    auto study = std::make_unique<Study>();
    study->id = nextId_++;
    study->name = name;
    study->byteSize = bytes.size();
    const double start = monotonicMs();
    Result<Image> image = decodeImage(bytes);
    study->decodeMs = monotonicMs() - start;
    if (image)
        study->image = std::make_shared<const Image>(std::move(*image));
    else
        study->error = image.error().message;
    studies_.push_back(std::move(study));
    return studies_.back()->id;
}

void Workspace::analyze(int studyId, const ModelSlot& slot, StudyCallback done) {
    Study* study = find(studyId);
    if (!study || !study->ok() || !slot.ready()) return;
    const std::string modelId = slot.id();
    study->analyses[modelId] = StudyAnalysis{};
    running_++;
    // The image is shared with the callback: the study may be removed while the model runs.
    std::shared_ptr<const Image> image = study->image;
    analyzeImage(slot.session, study->name, *image, study->decodeMs,
                 [this, studyId, modelId, image, done](Result<AnalysisResult> r) {
                     running_--;
                     Study* s = find(studyId);
                     if (!s) return;
                     StudyAnalysis& a = s->analyses[modelId];
                     if (r) {
                         a.state = AnalysisState::Done;
                         a.result = std::move(*r);
                     } else {
                         a.state = AnalysisState::Failed;
                         a.error = r.error().message;
                     }
                     if (done) done(*s);
                 });
}

void Workspace::explain(int studyId, const ModelSlot& slot, const std::string& label, StudyCallback done) {
    Study* study = find(studyId);
    if (!study || !slot.ready()) return;
    auto it = study->analyses.find(slot.id());
    if (it == study->analyses.end() || it->second.state != AnalysisState::Done || it->second.saliency.running)
        return;
    const ModelManifest& m = slot.package->manifest;
    const Placement placement = computePlacement(study->image->width, study->image->height, m.input.width,
                                                 m.input.height, m.input.resize);
    StudySaliency& sal = it->second.saliency;
    sal = StudySaliency{};
    sal.running = true;
    const std::string modelId = slot.id();
    auto progress = [this, studyId, modelId](float f) {
        if (Study* s = find(studyId))
            if (auto a = s->analyses.find(modelId); a != s->analyses.end()) a->second.saliency.progress = f;
    };
    auto finished = [this, studyId, modelId, done](Result<SaliencyMap> map) {
        Study* s = find(studyId);
        auto a = s ? s->analyses.find(modelId) : decltype(s->analyses.end()){};
        if (!s || a == s->analyses.end()) return;
        StudySaliency& target = a->second.saliency;
        target.running = false;
        target.job.reset();
        if (map) {
            target.map = std::move(*map);
            target.ready = true;
        } else {
            target.error = map.error().message;
        }
        if (done) done(*s);
    };
    // The job may finish synchronously (a synchronous backend), so keep its handle only while it runs.
    auto job = OcclusionSaliency::start(slot.session, it->second.result.input, placement, label, {}, progress,
                                        finished);
    if (sal.running) sal.job = job;
}

void Workspace::cancelExplain(int studyId, const std::string& modelId) {
    Study* s = find(studyId);
    if (!s) return;
    auto a = s->analyses.find(modelId);
    if (a != s->analyses.end() && a->second.saliency.job) a->second.saliency.job->cancel();
}

void Workspace::remove(int studyId) {
    studies_.erase(std::remove_if(studies_.begin(), studies_.end(),
                                  [studyId](const auto& s) { return s->id == studyId; }),
                   studies_.end());
}

Study* Workspace::find(int studyId) {
    for (auto& s : studies_)
        if (s->id == studyId) return s.get();
    return nullptr;
}

} // namespace dx
