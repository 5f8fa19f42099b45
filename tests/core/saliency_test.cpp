// Occlusion saliency with fake batched backends: one whose "pneumonia" logit is the sum of the input's top-left
// quadrant (the map must light up there and nowhere else, batches must be used, cancel must stop it), and one that
// looks at a single small square (the default 16 x 16 grid must put the mass on that square's cell, which an
// 8 x 8 grid cannot resolve).
#include "core/inference/saliency.h"

#include "tests/core/fake_model.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <numeric>

namespace {

class QuadrantBackend : public dx::InferenceBackend {
public:
    int calls = 0;
    bool async = false;
    std::vector<std::function<void()>> pending;

    dx::BackendCapabilities capabilities() const override { return {"fake", "quadrant sum", false, 1}; }
    void load(const dx::Bytes&, const dx::ModelManifest&, dx::LoadCallback done) override {
        done(dx::LoadedSession{1, {}});
    }
    void run(dx::SessionHandle, std::vector<dx::NamedTensor> inputs, dx::RunCallback done) override {
        calls++;
        const dx::Tensor& in = inputs.at(0).tensor;
        const int n = int(in.shape[0]), h = int(in.shape[2]), w = int(in.shape[3]);
        dx::Tensor logits = dx::Tensor::zeros({n, 2});
        for (int b = 0; b < n; b++) {
            float sum = 0;
            for (int y = 0; y < h / 2; y++)
                for (int x = 0; x < w / 2; x++)
                    sum += in.data[size_t(b) * h * w + size_t(y) * w + x];
            logits.data[size_t(b) * 2 + 1] =
                sum / float(h * w / 4); // "pneumonia" grows with the quadrant's mean
        }
        std::vector<dx::NamedTensor> out = {{"logits", std::move(logits)}};
        if (async)
            pending.push_back([done, out] { done(out); });
        else
            done(out);
    }
    void release(dx::SessionHandle) override {}
};

dx::ModelSession makeSession(QuadrantBackend& backend) {
    auto pkg = std::make_shared<dx::ModelPackage>();
    dx::ModelOutputSpec out;
    out.name = "logits";
    out.activation = dx::Activation::Softmax;
    out.labels = {"normal", "pneumonia"};
    pkg->manifest.outputs = {out};
    dx::ModelSession s;
    s.backend = &backend;
    s.handle = 1;
    s.package = pkg;
    return s;
}

dx::NamedTensor brightInput(int size) {
    dx::NamedTensor t{"image", dx::Tensor::zeros({1, 1, size, size})};
    for (float& v : t.tensor.data)
        v = 1.0f; // occluding with the mean (1) would change nothing: add contrast
    for (int y = 0; y < size / 2; y++)
        for (int x = 0; x < size / 2; x++)
            t.tensor.data[size_t(y) * size + x] = 3.0f;
    return t;
}

dx::Placement identityPlacement(int size) {
    return dx::computePlacement(size, size, size, size, dx::ResizeMode::Stretch);
}

} // namespace

TEST_CASE("Occlusion saliency credits the region the model depends on") {
    QuadrantBackend backend;
    dx::ModelSession session = makeSession(backend);
    dx::SaliencyOptions options; // 8x8 grid, 2x2-cell patches: 49 patches + baseline = 50 items
    options.grid = 8;
    options.patchCells = 2;
    options.batchSize = 16;
    dx::Result<dx::SaliencyMap> result = dx::Error("not run");
    std::vector<float> progress;
    dx::OcclusionSaliency::start(
        session, brightInput(32), identityPlacement(32), "pneumonia", options,
        [&](float f) { progress.push_back(f); },
        [&](dx::Result<dx::SaliencyMap> m) { result = std::move(m); });
    REQUIRE(result.ok());
    const dx::SaliencyMap& map = *result;
    CHECK(backend.calls == 4); // ceil(50 / 16)
    CHECK(map.backendCalls == 4);
    CHECK(progress.size() == 4);
    CHECK(progress.back() == Approx(1.0f));
    CHECK(map.baselineScore > 0.5f);
    // Inside the top-left quadrant the score drops when occluded; the bottom-right quadrant never matters.
    CHECK(map.atImagePixel(4, 4) > 0.01f);
    CHECK(map.atImagePixel(28, 28) == Approx(0.0f).margin(1e-6));
    CHECK(map.atImagePixel(4, 4) > map.atImagePixel(20, 4));
}

TEST_CASE("Occlusion saliency maps model pixels back through a letterbox placement") {
    QuadrantBackend backend;
    dx::ModelSession session = makeSession(backend);
    // A 64x32 image letterboxed into 32x32: the image occupies rows 8..23 of the input.
    dx::Placement placement = dx::computePlacement(64, 32, 32, 32, dx::ResizeMode::Letterbox);
    dx::Result<dx::SaliencyMap> result = dx::Error("not run");
    dx::OcclusionSaliency::start(session, brightInput(32), placement, "pneumonia", {}, nullptr,
                                 [&](dx::Result<dx::SaliencyMap> m) { result = std::move(m); });
    REQUIRE(result.ok());
    // Image pixel (10, 2) lands at model (5, 9): inside the top-left quadrant.
    CHECK(result->atImagePixel(10, 2) == Approx(result->drop[9 * 32 + 5]));
}

TEST_CASE("Occlusion saliency can be cancelled and reports unknown labels") {
    QuadrantBackend backend;
    backend.async = true;
    dx::ModelSession session = makeSession(backend);
    dx::Result<dx::SaliencyMap> result = dx::Error("not run");
    bool called = false;
    auto job = dx::OcclusionSaliency::start(session, brightInput(32), identityPlacement(32), "pneumonia", {},
                                            nullptr, [&](dx::Result<dx::SaliencyMap> m) {
                                                called = true;
                                                result = std::move(m);
                                            });
    job->cancel();
    while (!backend.pending.empty()) {
        auto next = backend.pending.front();
        backend.pending.erase(backend.pending.begin());
        next();
    }
    REQUIRE(called);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == "The heatmap was cancelled.");
    CHECK(backend.calls == 1);

    dx::Result<dx::SaliencyMap> unknown = dx::Error("not run");
    backend.async = false;
    dx::OcclusionSaliency::start(session, brightInput(32), identityPlacement(32), "effusion", {}, nullptr,
                                 [&](dx::Result<dx::SaliencyMap> m) { unknown = std::move(m); });
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().message.find("no label 'effusion'") != std::string::npos);
}

namespace {

// "pneumonia" grows with the mean of one square of the input, [x0, x0 + size) x [y0, y0 + size); the rest of the
// image never matters.
class SquareModel : public HeldResultsModel {
public:
    int x0 = 0, y0 = 0, size = 1;
    std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>& inputs) override {
        const dx::Tensor& in = inputs.at(0).tensor;
        const int n = int(in.shape[0]), h = int(in.shape[2]), w = int(in.shape[3]);
        dx::Tensor logits = dx::Tensor::zeros({n, 2});
        for (int b = 0; b < n; b++) {
            float sum = 0;
            for (int y = y0; y < y0 + size; y++)
                for (int x = x0; x < x0 + size; x++)
                    sum += in.data[size_t(b) * h * w + size_t(y) * w + x];
            logits.data[size_t(b) * 2 + 1] = sum / float(size * size);
        }
        return {{"logits", std::move(logits)}};
    }
};

dx::ModelSession squareSession(SquareModel& model) {
    dx::ModelSession s;
    s.backend = &model;
    s.handle = 1;
    s.package = twoClassPackage("square-test");
    return s;
}

// A grey input with a bright square where the model looks, so that occluding it with the mean lowers the score.
dx::NamedTensor inputWithBrightSquare(int size, const SquareModel& model) {
    dx::NamedTensor t{"image", dx::Tensor::zeros({1, 1, size, size})};
    std::fill(t.tensor.data.begin(), t.tensor.data.end(), 1.0f);
    for (int y = model.y0; y < model.y0 + model.size; y++)
        for (int x = model.x0; x < model.x0 + model.size; x++)
            t.tensor.data[size_t(y) * size + x] = 4.0f;
    return t;
}

dx::SaliencyMap computeMap(SquareModel& model, int inputSize, const dx::SaliencyOptions& options) {
    dx::ModelSession session = squareSession(model);
    dx::Result<dx::SaliencyMap> result = dx::Error("not run");
    dx::OcclusionSaliency::start(session, inputWithBrightSquare(inputSize, model),
                                 identityPlacement(inputSize), "pneumonia", options, nullptr,
                                 [&](dx::Result<dx::SaliencyMap> m) { result = std::move(m); });
    REQUIRE(result.ok());
    return std::move(*result);
}

float positiveMass(const std::vector<float>& cells) {
    return std::accumulate(cells.begin(), cells.end(), 0.0f,
                           [](float sum, float v) { return sum + std::max(0.0f, v); });
}

} // namespace

TEST_CASE("The default heatmap has 16 x 16 cells from a few batched calls") {
    SquareModel model;
    model.x0 = 40; // cell (10, 4) of a 64 x 64 input in 4-pixel cells
    model.y0 = 16;
    model.size = 4;
    const dx::SaliencyOptions defaults;
    const dx::SaliencyMap map = computeMap(model, 64, defaults);
    CHECK(map.grid == 16);
    REQUIRE(map.cells.size() == 256);
    CHECK(map.occludedInputs == 14 * 14); // 3 x 3-cell patches, one cell apart
    CHECK(map.backendCalls == int((14 * 14 + 1 + defaults.batchSize - 1) / defaults.batchSize));
    CHECK(model.runs == map.backendCalls);

    // The mass lies on the square's cell and its neighbours within a patch's reach, and peaks on the cell.
    const size_t peak = size_t(std::max_element(map.cells.begin(), map.cells.end()) - map.cells.begin());
    CHECK(peak % 16 == 10);
    CHECK(peak / 16 == 4);
    const float total = positiveMass(map.cells);
    REQUIRE(total > 0.0f);
    float nearby = 0.0f, adjacent = 0.0f;
    for (int cy = 0; cy < 16; cy++)
        for (int cx = 0; cx < 16; cx++) {
            const float v = std::max(0.0f, map.cells[size_t(cy) * 16 + cx]);
            if (std::abs(cx - 10) <= 2 && std::abs(cy - 4) <= 2) nearby += v;
            if (std::abs(cx - 10) <= 1 && std::abs(cy - 4) <= 1) adjacent += v;
        }
    CHECK(nearby / total == Approx(1.0f));
    CHECK(adjacent / total > 0.6f);
    // Per pixel, the map is its cell's value.
    CHECK(map.atImagePixel(41, 17) == Approx(map.cells[4 * 16 + 10]));
    CHECK(map.atImagePixel(5, 60) == Approx(0.0f).margin(1e-6));
}

TEST_CASE("A 16 x 16 heatmap tells apart what an 8 x 8 one merges") {
    // Two squares 8 pixels apart (2 cells of 4 pixels): the model looks at the right one only.
    SquareModel model;
    model.x0 = 36;
    model.y0 = 32;
    model.size = 4;
    const dx::SaliencyMap fine = computeMap(model, 64, {});
    dx::SaliencyOptions old;
    old.grid = 8;
    old.patchCells = 2;
    old.batchSize = 16;
    const dx::SaliencyMap coarse = computeMap(model, 64, old);
    // Pixel (38, 34) is on the square, (30, 34) is 8 pixels left of it (where nothing matters).
    const float fineContrast = fine.atImagePixel(38, 34) / std::max(1e-9f, fine.atImagePixel(30, 34));
    const float coarseContrast = coarse.atImagePixel(38, 34) / std::max(1e-9f, coarse.atImagePixel(30, 34));
    CHECK(fineContrast > 1.4f * coarseContrast);
}

TEST_CASE("The smooth heatmap interpolates between cell centres and holds the edges") {
    SquareModel model;
    model.x0 = 28;
    model.y0 = 28;
    model.size = 8;
    const dx::SaliencyMap map = computeMap(model, 64, {}); // 4-pixel cells: centres at 2, 6, 10, ...
    auto cell = [&](int cx, int cy) { return map.cells[size_t(cy) * 16 + size_t(cx)]; };
    // Pixel 29's centre, 29.5, is 7/8 of the way from cell 6's centre (26) to cell 7's (30), on both axes.
    const float top = cell(6, 6) + (cell(7, 6) - cell(6, 6)) * 0.875f;
    const float bottom = cell(6, 7) + (cell(7, 7) - cell(6, 7)) * 0.875f;
    CHECK(map.smoothAtImagePixel(29, 29) == Approx(top + (bottom - top) * 0.875f));
    CHECK(map.smoothAtImagePixel(29, 29) != Approx(map.atImagePixel(29, 29))); // not the cell's own value
    // Monotone between two cell centres.
    const float a = cell(7, 7), b = cell(8, 7);
    for (int x = 30; x < 34; x++) {
        const float v = map.smoothAtImagePixel(x, 30);
        CHECK(v >= std::min(a, b) - 1e-5f);
        CHECK(v <= std::max(a, b) + 1e-5f);
    }
    // Outside the outer centres the edge cells hold their value.
    CHECK(map.smoothAtImagePixel(0, 0) == Approx(cell(0, 0)).margin(1e-6));
    CHECK(map.smoothAtImagePixel(63, 63) == Approx(cell(15, 15)).margin(1e-6));
    // The map's peak stays on the square.
    CHECK(map.smoothAtImagePixel(31, 31) > map.smoothAtImagePixel(10, 31));
}

TEST_CASE("A heatmap grid finer than the model input is refused in words") {
    SquareModel model;
    dx::SaliencyOptions options;
    options.grid = 32;
    dx::ModelSession session = squareSession(model);
    dx::Result<dx::SaliencyMap> result = dx::Error("not run");
    dx::OcclusionSaliency::start(session, inputWithBrightSquare(16, model), identityPlacement(16),
                                 "pneumonia", options, nullptr,
                                 [&](dx::Result<dx::SaliencyMap> m) { result = std::move(m); });
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("does not fit the model's 16 x 16 input") != std::string::npos);
    CHECK(model.runs == 0);
}
