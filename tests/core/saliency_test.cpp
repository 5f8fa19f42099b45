// Occlusion saliency with a fake batched backend whose "pneumonia" logit is the sum of the input's top-left
// quadrant: the map must light up there and nowhere else, batches must be used, and cancel must stop it.
#include "core/inference/saliency.h"

#include <catch2/catch.hpp>

#include <functional>

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
