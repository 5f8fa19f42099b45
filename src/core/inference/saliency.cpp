#include "core/inference/saliency.h"

#include "core/inference/postprocess.h"

#include <algorithm>
#include <cmath>

namespace dx {

// Centre of an image pixel, carried into model pixels along one axis.
static float modelCoordinate(const AxisPlacement& a, int v) {
    return a.dstBegin + (v + 0.5f - a.srcBegin) * float(a.dstSize) / float(a.srcSize);
}

float SaliencyMap::atImagePixel(int x, int y) const {
    if (placement.x.srcSize <= 0 || placement.y.srcSize <= 0) return 0.0f;
    const float mx = modelCoordinate(placement.x, x), my = modelCoordinate(placement.y, y);
    const int ix = int(mx), iy = int(my);
    if (mx < 0 || my < 0 || ix >= width || iy >= height) return 0.0f;
    return drop[size_t(iy) * size_t(width) + size_t(ix)];
}

float SaliencyMap::smoothAtImagePixel(int x, int y) const {
    if (placement.x.srcSize <= 0 || placement.y.srcSize <= 0 || grid <= 0 || cells.empty()) return 0.0f;
    const float mx = modelCoordinate(placement.x, x), my = modelCoordinate(placement.y, y);
    if (mx < 0 || my < 0 || mx >= float(width) || my >= float(height)) return 0.0f;
    // In cell units, 0 at the first cell's centre; outside the outer centres the edge cells hold their value.
    const float u = std::clamp(mx * float(grid) / float(width) - 0.5f, 0.0f, float(grid - 1));
    const float v = std::clamp(my * float(grid) / float(height) - 0.5f, 0.0f, float(grid - 1));
    // The four cells around the point (a map has at least 2 x 2 cells: start() refuses fewer).
    const int x0 = std::max(0, std::min(int(u), grid - 2)), y0 = std::max(0, std::min(int(v), grid - 2));
    const int x1 = std::min(x0 + 1, grid - 1), y1 = std::min(y0 + 1, grid - 1);
    const float tx = u - float(x0), ty = v - float(y0);
    auto at = [&](int cx, int cy) { return cells[size_t(cy) * size_t(grid) + size_t(cx)]; };
    const float top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * tx;
    const float bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * tx;
    return top + (bottom - top) * ty;
}

static Error saliencyError(const std::string& what) {
    return Error("The heatmap could not be computed: " + what);
}

std::shared_ptr<OcclusionSaliency>
OcclusionSaliency::start(const ModelSession& session, const NamedTensor& input, const Placement& placement,
                         const std::string& label, const SaliencyOptions& options, Progress progress,
                         Done done) {
    auto job = std::shared_ptr<OcclusionSaliency>(new OcclusionSaliency());
    OcclusionSaliency& j = *job;
    j.backend_ = session.backend;
    j.handle_ = session.handle;
    j.package_ = session.package;
    j.input_ = input;
    j.options_ = options;
    j.progress_ = std::move(progress);
    j.done_ = std::move(done);
    j.startMs_ = monotonicMs();
    j.map_.label = label;
    j.map_.placement = placement;

    const Shape& s = input.tensor.shape;
    if (s.size() != 4 || s[0] != 1 || options.grid < 2 || options.patchCells < 1 ||
        options.patchCells > options.grid) {
        j.finish(saliencyError("it needs one NCHW image input and a grid of at least 2x2."));
        return job;
    }
    for (const ModelOutputSpec& o : j.package_->manifest.outputs)
        for (size_t i = 0; i < o.labels.size(); i++)
            if (o.labels[i] == label && !j.output_) {
                j.output_ = &o;
                j.labelIndex_ = i;
            }
    if (!j.output_) {
        j.finish(saliencyError("the model has no label '" + label + "'."));
        return job;
    }
    const int channels = int(s[1]), h = int(s[2]), w = int(s[3]);
    j.map_.width = w;
    j.map_.height = h;
    const size_t plane = size_t(w) * size_t(h);
    for (int c = 0; c < channels; c++) {
        double sum = 0;
        for (size_t i = 0; i < plane; i++)
            sum += input.tensor.data[size_t(c) * plane + i];
        j.fill_.push_back(float(sum / double(plane)));
    }
    const int g = options.grid, p = options.patchCells;
    if (g > w || g > h) {
        j.finish(saliencyError("a " + std::to_string(g) + " x " + std::to_string(g) +
                               " grid does not fit the model's " + std::to_string(w) + " x " +
                               std::to_string(h) + " input."));
        return job;
    }
    j.map_.grid = g;
    for (int gy = 0; gy + p <= g; gy++)
        for (int gx = 0; gx + p <= g; gx++)
            j.patches_.push_back({gx * w / g, gy * h / g, (gx + p) * w / g, (gy + p) * h / g, gx, gy});
    j.map_.occludedInputs = int(j.patches_.size());
    j.sum_.assign(size_t(g) * size_t(g), 0.0f);
    j.count_.assign(size_t(g) * size_t(g), 0.0f);
    j.total_ = j.patches_.size() + 1; // + the unoccluded baseline
    j.runNextBatch();
    return job;
}

// Item 0 of the first batch is the unoccluded input (the baseline); then one item per patch.
void OcclusionSaliency::runNextBatch() {
    if (cancelled_) return finish(Error("The heatmap was cancelled."));
    if (next_ >= total_) {
        const int g = map_.grid, w = map_.width, h = map_.height;
        map_.cells.resize(sum_.size());
        for (size_t i = 0; i < sum_.size(); i++)
            map_.cells[i] = count_[i] > 0 ? sum_[i] / count_[i] : 0.0f;
        map_.drop.assign(size_t(w) * size_t(h), 0.0f);
        for (int cy = 0; cy < g; cy++)
            for (int cx = 0; cx < g; cx++)
                for (int y = cy * h / g; y < (cy + 1) * h / g; y++)
                    std::fill_n(map_.drop.begin() + (size_t(y) * w + size_t(cx * w / g)),
                                (cx + 1) * w / g - cx * w / g, map_.cells[size_t(cy) * g + cx]);
        map_.elapsedMs = monotonicMs() - startMs_;
        return finish(std::move(map_));
    }
    const size_t first = next_;
    const size_t count = std::min(total_ - first, size_t(std::max(1, options_.batchSize)));
    next_ += count;
    const Shape& s = input_.tensor.shape;
    const size_t itemSize = input_.tensor.data.size();
    const int channels = int(s[1]), h = int(s[2]), w = int(s[3]);
    Tensor batch = Tensor::zeros({int64_t(count), s[1], s[2], s[3]});
    for (size_t b = 0; b < count; b++) {
        float* item = batch.data.data() + b * itemSize;
        std::copy(input_.tensor.data.begin(), input_.tensor.data.end(), item);
        const size_t index = first + b;
        if (index == 0) continue;
        const Patch& patch = patches_[index - 1];
        for (int c = 0; c < channels; c++)
            for (int y = patch.y0; y < patch.y1; y++)
                std::fill(item + (size_t(c) * h + y) * w + patch.x0,
                          item + (size_t(c) * h + y) * w + patch.x1, fill_[c]);
    }
    map_.backendCalls++;
    auto self = shared_from_this();
    std::vector<NamedTensor> inputs;
    inputs.push_back({input_.name, std::move(batch)});
    backend_->run(handle_, std::move(inputs), [self, first, count](Result<std::vector<NamedTensor>> outputs) {
        self->finishBatch(first, count, std::move(outputs));
    });
}

Result<std::vector<float>> OcclusionSaliency::scoresOf(const std::vector<NamedTensor>& outputs,
                                                       size_t count) const {
    const NamedTensor* raw = findTensor(outputs, output_->name);
    if (!raw) return saliencyError("the model returned no output '" + output_->name + "'.");
    Tensor t = raw->tensor;
    const size_t labels = output_->labels.size();
    if (t.shape.size() != 2 || size_t(t.shape[0]) != count || size_t(t.shape[1]) != labels)
        return saliencyError("output '" + output_->name + "' is " + shapeToString(t.shape) +
                             " for a batch of " + std::to_string(count) +
                             " (a model with a fixed batch of 1 needs batchSize 1).");
    applyActivation(output_->activation, t, 1);
    std::vector<float> scores(count);
    for (size_t b = 0; b < count; b++)
        scores[b] = t.data[b * labels + labelIndex_];
    return scores;
}

void OcclusionSaliency::finishBatch(size_t first, size_t count, Result<std::vector<NamedTensor>> outputs) {
    if (!outputs) return finish(saliencyError(outputs.error().message));
    Result<std::vector<float>> scores = scoresOf(*outputs, count);
    if (!scores) return finish(scores.error());
    const int g = map_.grid, p = options_.patchCells;
    for (size_t b = 0; b < count; b++) {
        const size_t index = first + b;
        if (index == 0) {
            map_.baselineScore = (*scores)[b];
            baselineKnown_ = true;
            continue;
        }
        const Patch& patch = patches_[index - 1];
        // Log-probability drop: still informative when the score is saturated near 1 (a probability drop
        // would be ~0 everywhere there), and equal to the relative drop for small changes.
        const float drop =
            std::log(std::max(map_.baselineScore, 1e-12f)) - std::log(std::max((*scores)[b], 1e-12f));
        for (int cy = patch.cy0; cy < patch.cy0 + p; cy++)
            for (int cx = patch.cx0; cx < patch.cx0 + p; cx++) {
                sum_[size_t(cy) * g + cx] += drop;
                count_[size_t(cy) * g + cx] += 1.0f;
            }
    }
    finished_ += count;
    if (progress_) progress_(progress());
    runNextBatch();
}

void OcclusionSaliency::finish(Result<SaliencyMap> result) {
    if (!done_) return;
    Done done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
}

} // namespace dx
