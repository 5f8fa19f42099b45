#include "core/viewer/workspace.h"

#include "core/intake/image_decoder.h"

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

const char* analysisStateName(AnalysisState state) {
    switch (state) {
    case AnalysisState::Queued:
        return "queued";
    case AnalysisState::Running:
        return "analyzing";
    case AnalysisState::Done:
        return "done";
    case AnalysisState::Failed:
        return "error";
    }
    return "unknown";
}

bool Workspace::analyze(int studyId, const ModelSlot& slot, StudyCallback done, StudyCallback started) {
    Study* study = find(studyId);
    if (!study || !study->ok() || !slot.ready()) return false;
    const std::string modelId = slot.id();
    if (const StudyAnalysis* a = study->analysis(modelId);
        a && (a->state == AnalysisState::Queued || a->state == AnalysisState::Running))
        return false;
    study->analyses[modelId] = StudyAnalysis{};
    queue_.push_back({studyId, modelId, slot.session, std::move(started), std::move(done)});
    startQueued();
    return true;
}

int Workspace::analysesAhead(int studyId, const std::string& modelId) const {
    for (size_t i = 0; i < queue_.size(); i++)
        if (queue_[i].studyId == studyId && queue_[i].modelId == modelId) return running_ + int(i);
    return -1;
}

// Starts the next queued analysis while none runs. The model runs asynchronously in the browser (the loop
// ends after one start) and may finish at once natively (the loop goes on without recursing).
void Workspace::startQueued() {
    if (starting_) return;
    starting_ = true;
    while (running_ == 0 && !queue_.empty()) {
        PendingAnalysis next = std::move(queue_.front());
        queue_.pop_front();
        Study* study = find(next.studyId);
        if (!study) continue; // removed while it waited
        if (!refreshSession(next, *study)) continue;
        study->analyses[next.modelId].state = AnalysisState::Running;
        running_++;
        if (next.started) next.started(*study);
        // The image is shared with the callback: the study may be removed while the model runs.
        std::shared_ptr<const Image> image = study->image;
        const int studyId = next.studyId;
        analyzeImage(
            next.session, study->name, *image, study->decodeMs,
            [this, studyId, modelId = next.modelId, image, done = next.done](Result<AnalysisResult> r) {
                running_--;
                if (Study* s = find(studyId)) {
                    StudyAnalysis& a = s->analyses[modelId];
                    if (r) {
                        a.state = AnalysisState::Done;
                        a.result = std::move(*r);
                        if (s->populationConfirmed) dx::confirmPopulation(a.result.population);
                    } else {
                        a.state = AnalysisState::Failed;
                        a.error = r.error().message;
                    }
                    if (done) done(*s);
                }
                startQueued();
            });
    }
    starting_ = false;
}

// The session the model has now: the package that was current when the analysis was queued may have been
// replaced (its session closed) or closed while it waited. False, with the analysis failed, when it is gone.
bool Workspace::refreshSession(PendingAnalysis& next, Study& study) {
    if (!models_) return true;
    if (const ModelSlot* slot = models_->findById(next.modelId)) {
        next.session = slot->session;
        return true;
    }
    StudyAnalysis& a = study.analyses[next.modelId];
    a.state = AnalysisState::Failed;
    a.error =
        "The model " + next.modelId + " was closed before this image's turn came; open it again to analyze.";
    if (next.done) next.done(study);
    return false;
}

bool Workspace::confirmPopulation(int studyId) {
    Study* study = find(studyId);
    if (!study) return false;
    study->populationConfirmed = true;
    for (auto& [modelId, analysis] : study->analyses)
        if (analysis.state == AnalysisState::Done) dx::confirmPopulation(analysis.result.population);
    return true;
}

void Workspace::awaitModel(int studyId) {
    const Study* study = find(studyId);
    if (study && study->ok() && !awaitingModel(studyId)) awaitingModel_.push_back(studyId);
}

bool Workspace::awaitingModel(int studyId) const {
    return std::find(awaitingModel_.begin(), awaitingModel_.end(), studyId) != awaitingModel_.end();
}

std::vector<int> Workspace::takeAwaitingModel() {
    std::vector<int> ids;
    ids.swap(awaitingModel_);
    return ids;
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
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                                [studyId](const PendingAnalysis& p) { return p.studyId == studyId; }),
                 queue_.end());
    awaitingModel_.erase(std::remove(awaitingModel_.begin(), awaitingModel_.end(), studyId),
                         awaitingModel_.end());
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
