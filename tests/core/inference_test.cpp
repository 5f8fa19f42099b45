// The pipeline with fake backends: packages, the manifest-vs-model check, the self-test (including a wrong
// reference and a backend that computes wrongly), fallback, asynchronous completion, the result JSON, and a
// model replaced by a newer package while analyses wait for it.
#include "core/base/sha256.h"
#include "core/codecs/raster_encoder.h"
#include "core/inference/analysis_json.h"
#include "core/inference/inference.h"
#include "core/inference/model_library.h"
#include "core/tabular/feature_table.h"
#include "core/viewer/workspace.h"

#include <catch2/catch.hpp>

#include <map>

namespace {

// A "model" with input [1, 1, 2, 2]: logits = [s, -s] with s = sum of the input (+ bias), ood = [mean].
// `bias` makes a backend that runs but computes wrongly (like a GPU kernel bug); `async` holds callbacks
// until flush(), like the browser delivering results from a JavaScript promise.
class FakeBackend : public dx::InferenceBackend {
public:
    std::string name = "fake";
    float bias = 0.0f;
    bool async = false;
    std::string loadError;
    dx::SessionInfo info;
    std::vector<std::function<void()>> pending;
    int released = 0;

    FakeBackend() {
        info.inputs = {{"image", {-1, 1, 2, 2}, "float32"}};
        info.outputs = {{"logits", {-1, 2}, "float32"}, {"ood", {-1, 1}, "float32"}};
    }
    dx::BackendCapabilities capabilities() const override { return {name, "fake for tests", false, 1}; }
    void load(const dx::Bytes&, const dx::ModelManifest&, dx::LoadCallback done) override {
        if (!loadError.empty()) return finish([this, done] { done(dx::Error(loadError)); });
        finish([this, done] { done(dx::LoadedSession{7, info}); });
    }
    void run(dx::SessionHandle handle, std::vector<dx::NamedTensor> inputs, dx::RunCallback done) override {
        REQUIRE(handle == 7);
        float sum = bias;
        for (float v : inputs.at(0).tensor.data)
            sum += v;
        std::vector<dx::NamedTensor> out = {
            {"logits", {{1, 2}, {sum, -sum}}},
            {"ood", {{1, 1}, {sum / float(inputs.at(0).tensor.data.size())}}}};
        finish([=] { done(out); });
    }
    void release(dx::SessionHandle) override { released++; }
    void flush() {
        while (!pending.empty()) {
            std::function<void()> next = pending.front();
            pending.erase(pending.begin());
            next();
        }
    }

private:
    void finish(std::function<void()> f) {
        if (async)
            pending.push_back(f);
        else
            f();
    }
};

const char* kManifest = R"({
  "schema": "dxlens.model/1", "id": "fake-cxr", "name": "Fake", "version": "1", "task": "classification",
  "file": "model.onnx", "sha256": "SHA",
  "input": { "name": "image", "channels": 1, "height": 2, "width": 2, "resize": "stretch",
             "normalize": { "scale": 1, "mean": [0], "std": [1] } },
  "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["abnormal", "normal"],
                 "thresholds": { "abnormal": 0.5 } },
               { "name": "ood", "labels": ["mean"] } ],
  "ood": { "output": "ood", "method": "mean", "threshold": 100, "higher_is_outlier": true },
  "reference": { "input": "reference/input.raw", "outputs": "reference/outputs.json", "tolerance": 1e-4 } })";

// Test images travel as raw bytes: width, height, then grey pixels (a stand-in for the real decoders).
dx::Result<dx::Image> decodeRaw(const dx::Bytes& bytes, const std::string&) {
    if (bytes.size() < 2 || bytes.size() != size_t(2 + bytes[0] * bytes[1]))
        return dx::Error("not a raw test image");
    dx::Image img;
    img.width = bytes[0];
    img.height = bytes[1];
    img.pixels.assign(bytes.begin() + 2, bytes.end());
    return img;
}

struct PackageFiles {
    std::map<std::string, dx::Bytes> files;
    PackageFiles(const std::string& referenceOutputs = R"({"logits": {"shape": [1, 2], "data": [10, -10]},
                                                          "ood": {"shape": [1, 1], "data": [2.5]}})") {
        std::string model = "fake model bytes";
        std::string manifest = kManifest;
        manifest.replace(manifest.find("SHA"), 3, dx::sha256Hex(model.data(), model.size()));
        put("manifest.json", manifest);
        put("model.onnx", model);
        files["reference/input.raw"] = {2, 2, 1, 2, 3, 4};
        put("reference/outputs.json", referenceOutputs);
    }
    void put(const std::string& name, const std::string& text) {
        files[name] = dx::Bytes(text.begin(), text.end());
    }
    dx::ReadPackageFile reader() const {
        return [this](const std::string& path) -> dx::Result<dx::Bytes> {
            auto it = files.find(path);
            if (it == files.end()) return dx::Error("no " + path);
            return it->second;
        };
    }
    std::shared_ptr<const dx::ModelPackage> read() const {
        dx::Result<dx::ModelPackage> pkg = dx::readModelPackage(reader(), decodeRaw);
        REQUIRE(pkg.ok());
        return std::make_shared<const dx::ModelPackage>(std::move(*pkg));
    }
};

dx::Result<dx::ModelSession> openSync(dx::InferenceBackend& b, std::shared_ptr<const dx::ModelPackage> pkg) {
    dx::Result<dx::ModelSession> session = dx::Error("callback not called");
    dx::openModelSession(b, pkg, [&](dx::Result<dx::ModelSession> s) { session = std::move(s); });
    return session;
}

} // namespace

TEST_CASE("A model package is read, its sha256 verified and its reference preprocessed") {
    PackageFiles files;
    std::shared_ptr<const dx::ModelPackage> pkg = files.read();
    CHECK(pkg->hasReference);
    REQUIRE(pkg->referenceInputs.size() == 1);
    CHECK(pkg->referenceInputs[0].tensor.data == std::vector<float>{1, 2, 3, 4});
    CHECK(pkg->referenceOutputs.size() == 2);

    files.put("model.onnx", "fake model bytes, damaged");
    dx::Result<dx::ModelPackage> damaged = dx::readModelPackage(files.reader(), decodeRaw);
    REQUIRE_FALSE(damaged.ok());
    CHECK(damaged.error().message.find("model.onnx does not match manifest.json's sha256") == 0);

    files.files.erase("reference/outputs.json");
    PackageFiles noOutputs;
    noOutputs.files.erase("reference/outputs.json");
    CHECK(dx::readModelPackage(noOutputs.reader(), decodeRaw).error().message == "no reference/outputs.json");

    PackageFiles badShape(R"({"logits": {"shape": [1, 3], "data": [10, -10]}})");
    CHECK(dx::readModelPackage(badShape.reader(), decodeRaw).error().message ==
          "reference/outputs.json: logits has 2 values but its shape [1, 3] holds 3");
}

TEST_CASE("A session passes its self-test and analyses an image into findings, OOD verdict and timings") {
    FakeBackend backend;
    dx::Result<dx::ModelSession> s = openSync(backend, PackageFiles().read());
    REQUIRE(s.ok());
    CHECK(s->selfTest.status == dx::SelfTestStatus::Passed);
    CHECK(s->selfTest.maxAbsDiff == 0.0);
    CHECK(s->backendName == "fake");

    dx::Result<dx::AnalysisResult> result = dx::Error("not called");
    dx::analyzeImageBytes(*s, "chest.raw", dx::Bytes{4, 2, 0, 0, 1, 1, 0, 0, 1, 1}, decodeRaw,
                          [&](dx::Result<dx::AnalysisResult> r) { result = std::move(r); });
    REQUIRE(result.ok());
    CHECK(result->input.tensor.data == std::vector<float>{0, 1, 0, 1}); // 4x2 -> 2x2 averages column pairs
    REQUIRE(result->findings.size() == 2);
    CHECK(result->findings[0].label == "abnormal");
    CHECK(result->findings[0].score == Approx(0.98201379f)); // softmax([2, -2])[0]
    CHECK(result->findings[0].positive);
    CHECK(result->ood.present);
    CHECK(result->ood.score == 0.5f);
    CHECK(result->ood.inDistribution);
    CHECK(result->timingsMs.inference >= 0.0);

    std::string json = dx::analysisResultJson(*result);
    CHECK(json.find(
              R"({"file":"chest.raw","model":"fake-cxr","backend":"fake","self_test":{"status":"passed")") ==
          0);
    CHECK(json.find(R"("findings":[{"label":"abnormal","score":0.9820138,"threshold":0.5,"positive":true},)"
                    R"({"label":"normal","score":0.017986210}])") ==
          std::string::npos); // shortest float text
    CHECK(json.find(R"({"label":"normal","score":0.01798621})") != std::string::npos);
    CHECK(
        json.find(
            R"("outputs":{"logits":{"shape":[1,2],"data":[2.0,-2.0]},"ood":{"shape":[1,1],"data":[0.5]}})") !=
        std::string::npos);
    // The fake image says nothing about the patient: the population is unverified, and said so.
    CHECK(json.find(R"("ood":{"score":0.5,"threshold":100.0,"in_distribution":true},)"
                    R"("population":{"status":"unverified","reason":"intended population not verified: )") !=
          std::string::npos);
    CHECK(json.find(R"("},"timings_ms":{"decode":)") != std::string::npos);

    dx::Result<dx::AnalysisResult> broken = dx::Error("not called");
    dx::analyzeImageBytes(*s, "broken.raw", dx::Bytes{9}, decodeRaw, [&](auto r) { broken = std::move(r); });
    CHECK(broken.error().message == "broken.raw: not a raw test image");
    dx::closeModelSession(*s);
    CHECK(backend.released == 1);
}

TEST_CASE("A deliberately wrong reference makes the self-test fail with the first disagreement") {
    FakeBackend backend;
    PackageFiles wrong(
        R"({"logits": {"shape": [1, 2], "data": [10.5, -10]}, "ood": {"shape": [1, 1], "data": [2.5]}})");
    dx::Result<dx::ModelSession> s = openSync(backend, wrong.read());
    REQUIRE(s.ok());
    CHECK(s->selfTest.status == dx::SelfTestStatus::Failed);
    CHECK(s->selfTest.maxAbsDiff == 0.5);
    // Relative tolerance for large values: 10.5 vs 10 is 5% off, far beyond 1e-4 * 10.5.
    CHECK(s->selfTest.message == "output 'logits'[0] is 10 but the reference is 10.5 (tolerance 0.0001)");
    CHECK(
        dx::selfTestJson(s->selfTest) ==
        R"J({"status":"failed","max_abs_diff":0.5,"tolerance":0.0001,"message":"output 'logits'[0] is 10 but the )J"
        R"J(reference is 10.5 (tolerance 0.0001)"})J");

    // Within tolerance: |10.0005 - 10| = 5e-4 <= 1e-4 * 10.0005.
    std::vector<dx::NamedTensor> expected = {{"x", {{2}, {10.0005f, 0.00005f}}}};
    std::vector<dx::NamedTensor> actual = {{"x", {{2}, {10.0f, 0.0f}}}};
    CHECK(dx::compareWithReference(expected, actual, 1e-4).status == dx::SelfTestStatus::Passed);
    CHECK(dx::compareWithReference(expected, {{"y", {{2}, {0, 0}}}}, 1e-4).message ==
          "the backend returned no output 'x'");
    CHECK(dx::compareWithReference(expected, {{"x", {{1, 2}, {10, 0}}}}, 1e-4).message ==
          "output 'x' is [1, 2] but the reference is [2]");
}

TEST_CASE("An asynchronous backend completes the session and the analysis only when it delivers") {
    FakeBackend backend;
    backend.async = true;
    bool opened = false;
    dx::Result<dx::ModelSession> session = dx::Error("not yet");
    dx::openModelSession(backend, PackageFiles().read(), [&](dx::Result<dx::ModelSession> s) {
        opened = true;
        session = std::move(s);
    });
    CHECK_FALSE(opened); // nothing blocked waiting for the backend
    backend.flush();     // load result, then the self-test run result
    REQUIRE(opened);
    REQUIRE(session.ok());
    CHECK(session->selfTest.status == dx::SelfTestStatus::Passed);

    dx::Image img;
    img.width = img.height = 2;
    img.pixels = {10, 10, 10, 10};
    std::vector<float> scores;
    dx::analyzeImage(*session, "a.png", img, 1.5, [&](dx::Result<dx::AnalysisResult> r) {
        REQUIRE(r.ok());
        scores.push_back(r->ood.score);
        CHECK(r->timingsMs.decode == 1.5);
    });
    CHECK(scores.empty());
    backend.flush();
    CHECK(scores == std::vector<float>{10.0f});
}

TEST_CASE("Fallback moves past a backend that fails to load or computes wrongly, and says why") {
    FakeBackend gpu, broken, wasm;
    gpu.name = "webgpu";
    gpu.bias = 0.25f; // runs, but disagrees with the reference
    broken.name = "wasm-threads";
    broken.loadError = "protobuf parsing failed";
    wasm.name = "wasm";
    dx::Result<dx::ModelSession> chosen = dx::Error("not called");
    dx::openModelSessionWithFallback({&gpu, &broken, &wasm}, PackageFiles().read(),
                                     [&](dx::Result<dx::ModelSession> s) { chosen = std::move(s); });
    REQUIRE(chosen.ok());
    CHECK(chosen->backendName == "wasm");
    REQUIRE(chosen->fallbackNotes.size() == 2);
    CHECK(chosen->fallbackNotes[0] ==
          "webgpu: self-test failed: output 'logits'[0] is 10.25 but the reference is 10 (tolerance 0.0001)");
    CHECK(chosen->fallbackNotes[1] ==
          "wasm-threads: The wasm-threads backend could not load model.onnx: protobuf "
          "parsing failed");
    CHECK(gpu.released == 1); // the rejected session was freed

    dx::Result<dx::ModelSession> none = dx::Error("not called");
    dx::openModelSessionWithFallback({&gpu}, PackageFiles().read(),
                                     [&](dx::Result<dx::ModelSession> s) { none = std::move(s); });
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("No backend could run fake-cxr: webgpu: self-test failed") == 0);
}

TEST_CASE("The manifest is checked against the model's real inputs and outputs, naming both sides") {
    std::shared_ptr<const dx::ModelPackage> pkg = PackageFiles().read();
    const dx::ModelManifest& m = pkg->manifest;
    FakeBackend b;
    CHECK(dx::checkSessionAgainstManifest(b.info, m).ok());

    dx::SessionInfo info = b.info;
    info.inputs[0].shape = {-1, 3, 2, 2};
    CHECK(dx::checkSessionAgainstManifest(info, m).error().message ==
          "manifest.json says input 'image' is [1, 1, 2, 2] but model.onnx's input 'image' is [?, 3, 2, 2].");
    info = b.info;
    info.inputs[0].name = "input.1";
    CHECK(dx::checkSessionAgainstManifest(info, m).error().message ==
          "manifest.json names input 'image' but model.onnx's inputs are 'input.1'.");
    info = b.info;
    info.inputs[0].elementType = "int64";
    CHECK(dx::checkSessionAgainstManifest(info, m).error().message ==
          "model.onnx's input 'image' is int64 but manifest.json describes float32 (which DxLens feeds).");
    info = b.info;
    info.outputs.pop_back();
    CHECK(dx::checkSessionAgainstManifest(info, m).error().message ==
          "manifest.json lists output 'ood' but model.onnx's outputs are 'logits'.");
    info = b.info;
    info.outputs[0].shape = {-1, 3};
    CHECK(dx::checkSessionAgainstManifest(info, m).error().message ==
          "manifest.json gives output 'logits' 2 labels but model.onnx's output 'logits' is [?, 3].");

    // The same mismatch found while opening a session is an error, and the session is released.
    b.info.inputs[0].shape = {1, 1, 4, 4};
    dx::Result<dx::ModelSession> s = openSync(b, pkg);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message ==
          "manifest.json says input 'image' is [1, 1, 2, 2] but model.onnx's input 'image' is [1, 1, 4, 4].");
    CHECK(b.released == 1);
}

TEST_CASE("CSV tables become named feature rows") {
    dx::Result<std::vector<dx::FeatureRow>> rows =
        dx::parseFeatureCsv("id,mean radius,\"texture, mean\"\r\ncase 1,17.99,10.38\n,1e1,\n");
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 2);
    CHECK((*rows)[0].name == "case 1");
    CHECK((*rows)[0].values == dx::FeatureValues{{"mean radius", 17.99}, {"texture, mean", 10.38}});
    CHECK((*rows)[1].name == "row 2");
    CHECK((*rows)[1].values == dx::FeatureValues{{"mean radius", 10.0}});
    CHECK(dx::parseFeatureCsv("a,b\n1,x\n").error().message ==
          "Table line 2, column 'b': 'x' is not a number.");
    CHECK(dx::parseFeatureCsv("a,b\n1\n").error().message ==
          "Table line 2 has 1 fields but the header has 2.");
    double v = 0;
    CHECK(dx::parseDecimal(" -1.5e3 ", &v));
    CHECK(v == -1500.0);
    CHECK_FALSE(dx::parseDecimal("1,5", &v));
    CHECK_FALSE(dx::parseDecimal("nan", &v));
    CHECK_FALSE(dx::parseDecimal("1e", &v));
}

// A newer package of the same model replaces the open one (and closes its session) while images wait their
// turn: with the workspace taking its models from the library, the waiting ones run on the newer session, and
// one whose model was closed outright fails with a message instead of running on a closed session.
TEST_CASE("Analyses waiting for a model that a newer package replaces run with the newer one") {
    FakeBackend first, second;
    first.name = "first";
    second.name = "second";
    first.async = second.async = true;
    const PackageFiles files;
    dx::ModelLibrary lib;
    auto openWith = [&](FakeBackend& backend, const std::string& source) {
        lib.setBackendOrder({&backend});
        const int key = lib.beginLoading(source);
        lib.open(key, files.reader(), decodeRaw, [](const dx::ModelSlot&) {});
        backend.flush(); // load and self-test
        REQUIRE(lib.find(key)->ready());
        return key;
    };
    openWith(first, "v1");
    dx::Workspace ws;
    ws.takeModelsFrom(&lib);
    const uint8_t grey[4] = {10, 20, 30, 40};
    const dx::Bytes png = *dx::encodePng(2, 2, 1, grey);
    const int a = ws.addFile("a.png", png), b = ws.addFile("b.png", png), c = ws.addFile("c.png", png);
    REQUIRE(ws.analyze(a, *lib.findById("fake-cxr"), {}));
    REQUIRE(ws.analyze(b, *lib.findById("fake-cxr"), {}));
    CHECK(ws.find(b)->analysis("fake-cxr")->state == dx::AnalysisState::Queued);

    const int v2 = openWith(second, "v2");
    CHECK(first.released == 1); // the replaced session is closed
    first.flush();              // a (already running on v1) finishes; b's turn comes
    CHECK(ws.find(a)->analysis("fake-cxr")->result.backend == "first");
    REQUIRE(ws.find(b)->analysis("fake-cxr")->state == dx::AnalysisState::Running);
    second.flush();
    CHECK(ws.find(b)->analysis("fake-cxr")->state == dx::AnalysisState::Done);
    CHECK(ws.find(b)->analysis("fake-cxr")->result.backend == "second");

    // c waits behind a running analysis while its model is closed for good.
    REQUIRE(ws.analyze(a, *lib.findById("fake-cxr"), {}));
    REQUIRE(ws.analyze(c, *lib.findById("fake-cxr"), {}));
    lib.close(v2);
    second.flush();
    const dx::StudyAnalysis* gone = ws.find(c)->analysis("fake-cxr");
    CHECK(gone->state == dx::AnalysisState::Failed);
    CHECK(gone->error ==
          "The model fake-cxr was closed before this image's turn came; open it again to analyze.");
    CHECK(ws.runningAnalyses() == 0);
}
