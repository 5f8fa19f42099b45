// Tabular risk form in src/core: field checks and their messages, CSV batch reading with row/column errors,
// the manifest's training means, and per-feature occlusion against hand-computed values from a fake logistic
// model (logit = x0 - 2 x1, training means 1 and 1).
#include "core/tabular/tabular_attribution.h"
#include "core/tabular/tabular_form.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace {

// logits [N, 2] = [0, w . x + b] per row; one call per run, batched or not.
class LogisticBackend : public dx::InferenceBackend {
public:
    std::vector<float> weights = {1.0f, -2.0f};
    float bias = 0.0f;
    int calls = 0;
    std::vector<int64_t> batchSizes;

    dx::BackendCapabilities capabilities() const override { return {"fake", "logistic", false, 1}; }
    void load(const dx::Bytes&, const dx::ModelManifest&, dx::LoadCallback done) override {
        done(dx::LoadedSession{1, {}});
    }
    void run(dx::SessionHandle, std::vector<dx::NamedTensor> inputs, dx::RunCallback done) override {
        calls++;
        const dx::Tensor& in = inputs.at(0).tensor;
        const int64_t n = in.shape[0], f = in.shape[1];
        batchSizes.push_back(n);
        dx::Tensor logits = dx::Tensor::zeros({n, 2});
        for (int64_t r = 0; r < n; r++) {
            float z = bias;
            for (int64_t i = 0; i < f; i++)
                z += weights[size_t(i)] * in.data[size_t(r * f + i)];
            logits.data[size_t(r) * 2 + 1] = z;
        }
        done(std::vector<dx::NamedTensor>{{"logits", std::move(logits)}});
    }
    void release(dx::SessionHandle) override {}
};

dx::ModelManifest twoFeatureManifest() {
    dx::ModelManifest m;
    m.id = "fake-tabular";
    m.task = dx::ModelTask::Tabular;
    m.input.name = "features";
    m.input.features = {{"radius", "px", 0.0, 10.0, true, 1.0},
                        {"smoothness", "unitless", 0.0, 4.0, true, 1.0}};
    dx::ModelOutputSpec out;
    out.name = "logits";
    out.activation = dx::Activation::Softmax;
    out.labels = {"benign", "malignant"};
    out.thresholds = {{"malignant", 0.3}};
    m.outputs = {out};
    return m;
}

dx::ModelSession makeSession(LogisticBackend& backend, const dx::ModelManifest& manifest) {
    auto pkg = std::make_shared<dx::ModelPackage>();
    pkg->manifest = manifest;
    dx::ModelSession s;
    s.backend = &backend;
    s.handle = 1;
    s.package = pkg;
    s.info.inputs = {{"features", {-1, 2}, "float32"}};
    return s;
}

dx::Tensor row(std::vector<float> values) {
    dx::Tensor t = dx::Tensor::zeros({1, int64_t(values.size())});
    t.data = std::move(values);
    return t;
}

double sigmoid(double z) {
    return 1.0 / (1.0 + std::exp(-z));
}

} // namespace

TEST_CASE("A feature field accepts numbers in range and names the problem otherwise") {
    const dx::ModelManifest m = twoFeatureManifest();
    const dx::TabularFeature& radius = m.input.features[0];
    CHECK(dx::checkFeatureText(radius, " 3.5 ").issue == dx::FieldIssue::None);
    CHECK(dx::checkFeatureText(radius, "3.5").value == 3.5);
    CHECK(dx::checkFeatureText(radius, "10").issue == dx::FieldIssue::None); // the range is inclusive
    CHECK(dx::checkFeatureText(radius, "").issue == dx::FieldIssue::Empty);
    CHECK(dx::checkFeatureText(radius, "  ").issue == dx::FieldIssue::Empty);
    CHECK(dx::checkFeatureText(radius, "3,5").issue == dx::FieldIssue::NotANumber);
    CHECK(dx::checkFeatureText(radius, "-0.1").issue == dx::FieldIssue::OutOfRange);
    CHECK(dx::checkFeatureText(radius, "1e3").issue == dx::FieldIssue::OutOfRange);

    CHECK(dx::describeFieldIssue(radius, dx::FieldIssue::OutOfRange, "11") ==
          "radius must be between 0 and 10 px");
    CHECK(dx::describeFieldIssue(m.input.features[1], dx::FieldIssue::OutOfRange, "9") ==
          "smoothness must be between 0 and 4"); // "unitless" is not printed after a number
    CHECK(dx::describeFieldIssue(radius, dx::FieldIssue::NotANumber, "3,5") ==
          "radius: '3,5' is not a number (use '.' for decimals)");
    CHECK(dx::describeFieldIssue(radius, dx::FieldIssue::Empty, "") ==
          "radius is required: enter a value between 0 and 10 px");
    dx::FieldMessages translated;
    translated.outOfRange = "%s 必须在 %g 到 %g %s 之间";
    CHECK(dx::describeFieldIssue(radius, dx::FieldIssue::OutOfRange, "11", translated) ==
          "radius 必须在 0 到 10 px 之间");
}

TEST_CASE("A CSV batch reports each bad cell by row and column and keeps the good rows") {
    const dx::ModelManifest m = twoFeatureManifest();
    dx::Result<dx::FeatureBatch> b = dx::readFeatureBatch(m.input, "id,smoothness,radius,comment\n"
                                                                   "a,1,2,x\n"
                                                                   "b,9,abc,y\n"
                                                                   ",,3,z\n"
                                                                   "d,1\n");
    REQUIRE(b.ok());
    REQUIRE(b->rows.size() == 4);
    CHECK(b->ignoredColumns == std::vector<std::string>{"comment"});
    CHECK(b->rows[0].name == "a");
    CHECK(b->rows[0].problems.empty());
    REQUIRE(b->rows[0].values.size() == 2);
    CHECK(b->rows[0].values[0] == std::make_pair(std::string("radius"), 2.0)); // manifest order
    CHECK(b->rows[0].values[1] == std::make_pair(std::string("smoothness"), 1.0));
    CHECK(b->rows[1].problems ==
          std::vector<std::string>{
              "Row 2, column 'radius': radius: 'abc' is not a number (use '.' for decimals)",
              "Row 2, column 'smoothness': smoothness must be between 0 and 4"});
    CHECK(b->rows[2].name == "row 3");
    CHECK(b->rows[2].problems ==
          std::vector<std::string>{
              "Row 3, column 'smoothness': smoothness is required: enter a value between 0 "
              "and 4"});
    CHECK(b->rows[3].problems == std::vector<std::string>{"Row 4 has 2 fields but the header has 4"});

    dx::Result<dx::FeatureBatch> missing = dx::readFeatureBatch(m.input, "radius\n1\n");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "The CSV has no column 'smoothness' (the model needs every feature)");
    CHECK_FALSE(dx::readFeatureBatch(m.input, "").ok());
}

TEST_CASE("Occlusion against the training mean matches hand-computed probabilities") {
    // x = (3, 1.5): logit = 3 - 3 = 0, p = 0.5.
    // radius at its mean 1: logit = 1 - 3 = -2, p = 1 / (1 + e^2) = 0.119203; delta +0.380797, log-odds +2.
    // smoothness at its mean 1: logit = 3 - 2 = 1, p = 0.731059; delta -0.231059, log-odds -1.
    const dx::ModelManifest m = twoFeatureManifest();
    LogisticBackend backend;
    dx::Result<dx::FeatureAttribution> result = dx::Error("not called");
    dx::attributeFeatures(makeSession(backend, m), row({3.0f, 1.5f}), "malignant",
                          [&](dx::Result<dx::FeatureAttribution> a) { result = std::move(a); });
    REQUIRE(result.ok());
    CHECK(backend.calls == 1); // the baseline and both occluded rows in one batch
    CHECK(backend.batchSizes == std::vector<int64_t>{3});
    CHECK(result->label == "malignant");
    CHECK(result->probability == Approx(0.5));
    CHECK(result->logOdds == Approx(0.0).margin(1e-12));
    REQUIRE(result->contributions.size() == 2);
    const dx::FeatureContribution& first = result->contributions[0];
    CHECK(first.feature == "radius");
    CHECK(first.value == 3.0);
    CHECK(first.trainingMean == 1.0);
    CHECK(first.probabilityWithMean == Approx(0.119203).epsilon(1e-5));
    CHECK(first.deltaProbability == Approx(0.380797).epsilon(1e-5));
    CHECK(first.deltaLogOdds == Approx(2.0));
    const dx::FeatureContribution& second = result->contributions[1];
    CHECK(second.feature == "smoothness");
    CHECK(second.probabilityWithMean == Approx(0.731059).epsilon(1e-5));
    CHECK(second.deltaProbability == Approx(-0.231059).epsilon(1e-5));
    CHECK(second.deltaLogOdds == Approx(-1.0));
    CHECK(result->backendCalls == 1);
}

TEST_CASE("Contributions still rank features when the probability is saturated in float32") {
    // x = (10, 0): logit 10 + 20 bias = 30, p = 1 - 9.4e-14 (1.0f in float32). Radius at its mean: logit 21;
    // smoothness at its mean: logit 28. The log-odds changes (+9, +2) still order the features.
    dx::ModelManifest m = twoFeatureManifest();
    LogisticBackend backend;
    backend.bias = 20.0f;
    dx::Result<dx::FeatureAttribution> result = dx::Error("not called");
    dx::attributeFeatures(makeSession(backend, m), row({10.0f, 0.0f}), "malignant",
                          [&](dx::Result<dx::FeatureAttribution> a) { result = std::move(a); });
    REQUIRE(result.ok());
    CHECK(result->logOdds == Approx(30.0));
    CHECK(result->probability == Approx(sigmoid(30.0)));
    REQUIRE(result->contributions.size() == 2);
    CHECK(result->contributions[0].feature == "radius");
    CHECK(result->contributions[0].deltaLogOdds == Approx(9.0));
    CHECK(result->contributions[1].deltaLogOdds ==
          Approx(2.0)); // smoothness 0 instead of 1: the logit is 2 higher
    CHECK(result->contributions[0].deltaProbability == Approx(sigmoid(30.0) - sigmoid(21.0)).margin(1e-15));
}

TEST_CASE("A model with a fixed batch of 1 is run once per occluded row") {
    const dx::ModelManifest m = twoFeatureManifest();
    LogisticBackend backend;
    dx::ModelSession s = makeSession(backend, m);
    s.info.inputs = {{"features", {1, 2}, "float32"}};
    dx::Result<dx::FeatureAttribution> result = dx::Error("not called");
    dx::attributeFeatures(s, row({3.0f, 1.5f}), "benign",
                          [&](dx::Result<dx::FeatureAttribution> a) { result = std::move(a); });
    REQUIRE(result.ok());
    CHECK(backend.batchSizes == std::vector<int64_t>{1, 1, 1});
    CHECK(result->backendCalls == 3);
    // For "benign" every change has the opposite sign of malignant's.
    CHECK(result->contributions[0].feature == "radius");
    CHECK(result->contributions[0].deltaProbability == Approx(-0.380797).epsilon(1e-5));
}

TEST_CASE("Contributions need training means and a known label") {
    dx::ModelManifest m = twoFeatureManifest();
    CHECK(dx::canAttributeFeatures(m));
    LogisticBackend backend;
    dx::Result<dx::FeatureAttribution> result = dx::Error("not called");
    dx::attributeFeatures(makeSession(backend, m), row({3.0f, 1.5f}), "cancer",
                          [&](dx::Result<dx::FeatureAttribution> a) { result = std::move(a); });
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == "The model has no label 'cancer' to explain.");

    m.input.features[1].hasTrainingMean = false;
    CHECK_FALSE(dx::canAttributeFeatures(m));
    dx::attributeFeatures(makeSession(backend, m), row({3.0f, 1.5f}), "malignant",
                          [&](dx::Result<dx::FeatureAttribution> a) { result = std::move(a); });
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message ==
          "fake-tabular gives no training means for its features, so contributions cannot be measured.");
    CHECK(backend.calls == 0);

    std::vector<dx::Finding> findings(2);
    findings[0].label = "benign";
    findings[0].score = 0.9f;
    findings[1].label = "malignant";
    findings[1].score = 0.1f;
    CHECK(dx::attributionLabel(findings) == "benign");
    findings[1].hasThreshold = true;
    CHECK(dx::attributionLabel(findings) == "malignant");
}

TEST_CASE("The manifest's training_mean is optional, parsed and must lie in the valid range") {
    nlohmann::json tab = nlohmann::json::parse(R"({
      "schema": "dxlens.model/1", "id": "t", "name": "T", "version": "1", "task": "tabular", "file": "m.onnx",
      "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "input": { "name": "features", "layout": "NF",
                 "features": [ { "name": "radius", "unit": "px", "min": 0, "max": 50, "training_mean": 14.1 },
                               { "name": "texture", "min": 0, "max": 80 } ] },
      "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["benign", "malignant"] } ] })");
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(tab.dump());
    REQUIRE(m.ok());
    CHECK(m->input.features[0].hasTrainingMean);
    CHECK(m->input.features[0].trainingMean == 14.1);
    CHECK_FALSE(m->input.features[1].hasTrainingMean);
    CHECK_FALSE(dx::canAttributeFeatures(*m));

    tab["input"]["features"][0]["training_mean"] = 60;
    dx::Result<dx::ModelManifest> bad = dx::parseModelManifest(tab.dump());
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message ==
          "manifest.json: input.features[0].training_mean is outside the feature's valid range min..max");
    tab["input"]["features"][0]["training_mean"] = "14";
    CHECK(dx::parseModelManifest(tab.dump()).error().message ==
          "manifest.json: input.features[0].training_mean must be a number");
}

TEST_CASE("The shipped breast-fna package gives a training mean for every feature") {
    std::ifstream in(std::string(DX_SOURCE_DIR) + "/models/breast-fna/manifest.json");
    if (!in) return; // not trained yet
    std::stringstream text;
    text << in.rdbuf();
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(text.str());
    REQUIRE(m.ok());
    CHECK(dx::canAttributeFeatures(*m));
    CHECK(m->input.features[0].trainingMean == Approx(14.1272917)); // sklearn's breast_cancer mean radius
}
