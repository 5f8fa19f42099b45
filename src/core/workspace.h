// workspace.h — the studies a user has opened in this session and what each model found in them.
// Pure C++ (no UI): the views read it, the platform feeds it files, the model library runs the analyses.
//
// How to use:
//   dx::Workspace ws;
//   int id = ws.addFile("chest.dcm", bytes);          // decodes now; a bad file becomes a Study with an
//   error ws.analyze(id, *library.findById("cxr-pneumonia"), [](const dx::Study& s) { ... }); for (const
//   dx::Study& s : ws.studies()) ...       // in the order they were opened
//
// Nothing is written anywhere: studies live in memory until the tab closes or the user removes them.
#pragma once

#include "image.h"
#include "inference.h"
#include "model_library.h"
#include "saliency.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dx {

enum class AnalysisState { Running, Done, Failed };

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
    AnalysisState state = AnalysisState::Running;
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

    bool ok() const { return image != nullptr; }
    const StudyAnalysis* analysis(const std::string& modelId) const;
    std::string attribute(const char* key) const; // metadata value or ""
};

class Workspace {
public:
    using StudyCallback = std::function<void(const Study&)>;

    int addFile(const std::string& name, const Bytes& bytes);
    // Runs `slot`'s model on a study (again, if it ran before). `done` is called when the result is in.
    void analyze(int studyId, const ModelSlot& slot, StudyCallback done);
    // Starts an occlusion heatmap for `label` of a finished analysis (see saliency.h); `done` when it ends.
    void explain(int studyId, const ModelSlot& slot, const std::string& label, StudyCallback done);
    void cancelExplain(int studyId, const std::string& modelId);
    void remove(int studyId);

    const std::vector<std::unique_ptr<Study>>& studies() const { return studies_; }
    Study* find(int studyId);
    int runningAnalyses() const { return running_; }

private:
    std::vector<std::unique_ptr<Study>> studies_;
    int nextId_ = 1;
    int running_ = 0;
};

} // namespace dx
