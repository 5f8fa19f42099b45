// workspace.h — the studies a user has opened in this session and what each model found in them.
// Pure C++ (no UI): the views read it, the platform feeds it files, the model library runs the analyses.
//
// How to use:
//   dx::Workspace ws;
//   int id = ws.addFile("chest.dcm", bytes);   // decodes now; a bad file becomes a Study with an error
//   ws.analyze(id, *library.findById("cxr-pneumonia"), [](const dx::Study& s) { ... });   // queued
//   for (const dx::Study& s : ws.studies()) ...   // in the order they were opened
//
// Analyses run one at a time, in the order they were asked for: while one runs, the others are Queued (the
// study list says so), and each starts when the one before it has finished. A study opened while no model is
// ready yet can wait for one (awaitModel); the app hands it to analyze() when a model is. A model replaced by
// a newer package while analyses wait for it runs them with the newer one (takeModelsFrom).
//
// Nothing is written anywhere: studies live in memory until the tab closes or the user removes them.
#pragma once

#include "core/image/image.h"
#include "core/inference/inference.h"
#include "core/inference/model_library.h"
#include "core/inference/saliency.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dx {

enum class AnalysisState { Queued, Running, Done, Failed };
// "queued", "analyzing", "done", "error": the status the study list shows and the page's API reports.
const char* analysisStateName(AnalysisState state);

// "Where did the model look?" for one analysis: an occlusion heatmap, computed on request.
struct StudySaliency {
    bool running = false;
    float progress = 0.0f;
    std::shared_ptr<OcclusionSaliency> job; // while running, to cancel
    bool ready = false;
    SaliencyMap map;   // valid when ready
    std::string error; // why it failed or was cancelled
};

struct StudyAnalysis {
    AnalysisState state = AnalysisState::Queued;
    std::string error;
    AnalysisResult result; // valid when Done
    StudySaliency saliency;
};

struct Study {
    int id = 0;
    std::string name;
    size_t byteSize = 0;
    std::shared_ptr<const Image> image; // null when decoding failed
    std::string error;                  // why it could not be opened
    double decodeMs = 0.0;
    std::map<std::string, StudyAnalysis> analyses; // by model id
    // The user said this study's patient is in the models' intended population (population.h): every
    // "unverified" verdict of this study, now and from later analyses, reads "in", "population confirmed by
    // the user"; a header that says "out" stays "out".
    bool populationConfirmed = false;

    bool ok() const { return image != nullptr; }
    const StudyAnalysis* analysis(const std::string& modelId) const;
    std::string attribute(const char* key) const; // metadata value or ""
};

class Workspace {
public:
    using StudyCallback = std::function<void(const Study&)>;

    int addFile(const std::string& name, const Bytes& bytes);
    // Queues `slot`'s model on a study (again, if it ran before): Queued until the analyses asked for before
    // it have finished, then Running (`started` is called, before analyze() returns when nothing is ahead),
    // and `done` when the result is in. Returns false, changing nothing, when the study cannot be analyzed
    // (not decoded, model not ready) or is already queued or running with this model.
    bool analyze(int studyId, const ModelSlot& slot, StudyCallback done, StudyCallback started = {});
    // How many analyses start before this study's queued one (the running one included); -1 when it is not
    // queued with that model.
    int analysesAhead(int studyId, const std::string& modelId) const;
    int queuedAnalyses() const { return int(queue_.size()); }
    // A study opened while no model was ready: queued for the first one that is (the app calls analyze()
    // for each study takeAwaitingModel() returns). Removing the study takes it off the list.
    void awaitModel(int studyId);
    bool awaitingModel(int studyId) const;
    std::vector<int> takeAwaitingModel();
    // Starts an occlusion heatmap for `label` of a finished analysis (see saliency.h); `done` when it ends.
    void explain(int studyId, const ModelSlot& slot, const std::string& label, StudyCallback done);
    void cancelExplain(int studyId, const std::string& modelId);
    // Remembers the user's confirmation of the study's population (Study::populationConfirmed) and applies it
    // to the analyses already done; false when there is no such study.
    bool confirmPopulation(int studyId);
    void remove(int studyId);
    // Where queued analyses find their model when their turn comes (optional; the library must outlive the
    // workspace). Without it an analysis runs on the session it was queued with, which a newer package of the
    // same model closes when it replaces it; with it, the model's current session runs it, and a model closed
    // meanwhile fails it with a message instead.
    void takeModelsFrom(const ModelLibrary* library) { models_ = library; }

    const std::vector<std::unique_ptr<Study>>& studies() const { return studies_; }
    Study* find(int studyId);
    int runningAnalyses() const { return running_; }

private:
    struct PendingAnalysis {
        int studyId = 0;
        std::string modelId;
        ModelSession session; // a copy: the analysis may start after the slot changed
        StudyCallback started, done;
    };
    void startQueued();
    bool refreshSession(PendingAnalysis& next, Study& study);

    std::vector<std::unique_ptr<Study>> studies_;
    int nextId_ = 1;
    int running_ = 0;
    bool starting_ = false; // inside startQueued(): an analysis that finishes at once does not recurse
    std::deque<PendingAnalysis> queue_;
    const ModelLibrary* models_ = nullptr;
    std::vector<int> awaitingModel_;
};

} // namespace dx
