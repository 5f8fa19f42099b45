// saliency.h — where the model looked: occlusion sensitivity computed on the device.
//
// A patch of the model input is replaced by the input's mean (a neutral grey), the model runs again, and the
// drop in the target label's log-probability is credited to the cells the patch covered. The input is divided
// into grid x grid cells; a patch covers patchCells x patchCells cells and slides one cell at a time, so each
// cell's value is the mean over the patches that covered it: the map resolves single cells (16 x 16 by
// default) while each patch still hides enough of the image to change the model's answer. Occlusion works on
// the model's input tensor (already resized once from the image), so its cost does not depend on the image's
// size. The occluded copies go through the backend in batches (the shipped models take a dynamic batch), so the
// map costs a handful of backend calls, not one per patch.
//
// For display, smoothAtImagePixel() interpolates bilinearly between cell centres, so the heatmap reads as a
// field rather than as blocks; atImagePixel() gives the cell's own value.
//
// How to use:
//   auto job = dx::OcclusionSaliency::start(session, analysis.input, placement, "pneumonia", {},
//                                           [](float fraction) { ... },            // progress, 0..1
//                                           [](dx::Result<dx::SaliencyMap> m) { ... });
//   job->cancel();   // the done callback then receives an error saying it was cancelled
// The job keeps itself alive until `done` has been called; callers may drop their pointer.
#pragma once

#include "core/inference/inference.h"
#include "core/inference/preprocess.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dx {

struct SaliencyOptions {
    int grid = 16;      // the input is divided into grid x grid cells
    int patchCells = 3; // a patch covers patchCells x patchCells cells and moves one cell at a time
    // Occluded inputs per backend call (1 for models without a dynamic batch). Larger batches cost no less per
    // input on ONNX Runtime Web's WASM backend (bench/README.md), which computes on the page's main thread: 16
    // keeps each call's stall of the UI short and the progress moving.
    int batchSize = 16;
};

struct SaliencyMap {
    std::string label;
    float baselineScore = 0.0f; // the label's probability on the unoccluded input
    int width = 0;              // model input resolution
    int height = 0;
    std::vector<float> drop;  // per model pixel: mean log-probability drop of the patches covering it
    int grid = 0;             // cells per side
    std::vector<float> cells; // grid x grid, row by row: the same values once per cell
    Placement placement;      // where the image lies in the model input
    int backendCalls = 0;
    int occludedInputs = 0; // patches run (the unoccluded baseline not counted)
    double elapsedMs = 0.0;

    // Value at an image pixel (through the placement): the value of the cell it falls in; 0 outside the input.
    float atImagePixel(int x, int y) const;
    // The same, interpolated bilinearly between cell centres (edges held flat): what the overlay draws.
    float smoothAtImagePixel(int x, int y) const;
};

class OcclusionSaliency : public std::enable_shared_from_this<OcclusionSaliency> {
public:
    using Progress = std::function<void(float fraction)>;
    using Done = std::function<void(Result<SaliencyMap>)>;

    static std::shared_ptr<OcclusionSaliency> start(const ModelSession& session, const NamedTensor& input,
                                                    const Placement& placement, const std::string& label,
                                                    const SaliencyOptions& options, Progress progress,
                                                    Done done);
    void cancel() { cancelled_ = true; }
    float progress() const { return total_ ? float(finished_) / float(total_) : 0.0f; }

private:
    struct Patch {
        int x0, y0, x1, y1; // model pixels, half-open
        int cx0, cy0;       // its first cell
    };

    void runNextBatch();
    void finishBatch(size_t first, size_t count, Result<std::vector<NamedTensor>> outputs);
    Result<std::vector<float>> scoresOf(const std::vector<NamedTensor>& outputs, size_t count) const;
    void finish(Result<SaliencyMap> result);

    InferenceBackend* backend_ = nullptr;
    SessionHandle handle_ = 0;
    std::shared_ptr<const ModelPackage> package_;
    NamedTensor input_;
    std::vector<float> fill_; // per channel: the value a patch is painted with
    const ModelOutputSpec* output_ = nullptr;
    size_t labelIndex_ = 0;
    SaliencyOptions options_;
    std::vector<Patch> patches_;
    std::vector<float> sum_, count_; // per cell
    SaliencyMap map_;
    Progress progress_;
    Done done_;
    size_t next_ = 0, finished_ = 0, total_ = 0;
    double startMs_ = 0.0;
    bool cancelled_ = false;
    bool baselineKnown_ = false;
};

} // namespace dx
