// Batch screening and validation runs (batch_run.h, validation_run.h) with a fake model and fake files:
// decoding overlaps inference, decoded images never pile up (flat memory), unreadable files are listed with
// their reason while the batch goes on, cancel keeps what finished, progress and the CSV exports, and the
// labelled-set truth and scores that validation computes its metrics from.
#include "core/validation/batch_run.h"
#include "core/validation/validation_run.h"
#include "tests/core/fake_model.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <deque>
#include <map>

namespace {

// A one-pixel-statistic "model": input [1, 1, 2, 2] scaled to 0..1, logits [0, 8 * (mean - 0.5)] with
// softmax, so the "disease" probability rises with brightness. `async` holds results until deliverOne().
class MeanBrightnessModel : public HeldResultsModel {
public:
    std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>& inputs) override {
        double mean = 0.0;
        for (float v : inputs.at(0).tensor.data)
            mean += v / double(inputs.at(0).tensor.data.size());
        return {{"logits", {{1, 2}, {0.0f, float(8.0 * (mean - 0.5))}}}};
    }
};

const dx::ModelManifest& meanTestManifest() {
    static const std::shared_ptr<dx::ModelPackage> package = twoClassPackage("mean-test");
    return package->manifest;
}

dx::ModelSession sessionOn(MeanBrightnessModel& model) {
    dx::ModelSession s;
    s.backend = &model;
    s.backendName = "mean";
    s.handle = 1;
    s.package = twoClassPackage("mean-test");
    return s;
}

// A "file" is one byte: its grey level, decoded to a 2x2 image. "bad" is unreadable; "txt" is not an image.
struct FakeFolder {
    std::vector<std::string> names;
    std::vector<int> grey;
    bool asyncReads = false;
    std::deque<std::function<void()>> waitingReads;
    int readsAsked = 0;
    int liveImages = 0; // decoded images not yet destroyed

    dx::ReadBatchBytes reader() {
        return [this](size_t i, std::function<void(dx::Result<dx::Bytes>)> done) {
            readsAsked++;
            auto finish = [this, i, done] {
                if (names[i] == "bad") return done(dx::Error("the file was moved or deleted"));
                if (names[i] == "txt") return done(dx::Bytes{'h', 'i'});
                done(dx::Bytes{uint8_t(grey[i])});
            };
            if (asyncReads)
                waitingReads.push_back(finish);
            else
                finish();
        };
    }
    dx::DecodeImage decoder() {
        return [](const dx::Bytes& bytes, const std::string&) -> dx::Result<dx::Image> {
            if (bytes.size() != 1) return dx::Error("unknown format (not PNG, JPEG, BMP or DICOM)");
            dx::Image img;
            img.width = img.height = 2;
            img.pixels.assign(4, bytes[0]);
            return img;
        };
    }
    void add(const std::string& name, int level) {
        names.push_back(name);
        grey.push_back(level);
    }
    // prefix0, prefix1, ... with grey levels levelOf(0), levelOf(1), ...
    void addNumbered(const std::string& prefix, int count, const std::function<int(int)>& levelOf) {
        for (int i = 0; i < count; i++)
            add(prefix + std::to_string(i), levelOf(i));
    }
};

double expectedProbability(int grey) {
    const double logit = 8.0 * (grey / 255.0 - 0.5);
    return 1.0 / (1.0 + std::exp(-logit));
}

} // namespace

TEST_CASE("While one image is inferred the next files are already read and decoded, never more than asked") {
    MeanBrightnessModel model;
    model.async = true;
    FakeFolder folder;
    folder.addNumbered("img", 10, [](int i) { return i * 25; });
    int finishedCalls = 0;
    auto run = dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {4, 2},
                                    [&](const dx::BatchRun&) { finishedCalls++; });
    run->start();
    // The first image is with the model, two more are decoded and four more read: the model waits neither
    // for the file system nor for the decoder, and no more than that is held.
    CHECK(model.inFlight == 1);
    CHECK(folder.readsAsked == 1 + 2 + 4);
    CHECK(run->items()[0].state == dx::BatchItemState::Analyzing);
    CHECK(run->items()[1].state == dx::BatchItemState::Reading);
    CHECK(run->items()[7].state == dx::BatchItemState::Queued);
    while (model.deliverOne()) {
    }
    REQUIRE(run->finished());
    CHECK(finishedCalls == 1);
    CHECK(model.peakInFlight == 1);
    CHECK(run->peakDecodedImages() <= 3);
    for (size_t i = 0; i < 10; i++) {
        const dx::BatchItem& item = run->items()[i];
        REQUIRE(item.state == dx::BatchItemState::Done);
        REQUIRE(item.top() != nullptr);
        CHECK(item.top()->label == "pneumonia"); // the thresholded finding is the one a summary shows
        const double p = expectedProbability(folder.grey[i]);
        CHECK(item.top()->score == Approx(p).margin(1e-5));
        CHECK(item.top()->positive == (p >= 0.5));
    }
}

TEST_CASE("Slow file reads and a slow model interleave, and every file is analyzed exactly once") {
    MeanBrightnessModel model;
    model.async = true;
    FakeFolder folder;
    folder.asyncReads = true;
    folder.addNumbered("f", 25, [](int i) { return (i * 37) % 256; });
    auto run =
        dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {5, 3}, {});
    run->start();
    CHECK(folder.readsAsked == 5); // five requests in flight, none answered yet
    // Alternate: a read completes, then a result, in whatever order they become ready.
    int steps = 0;
    while (!run->finished() && steps++ < 1000) {
        if (!folder.waitingReads.empty()) {
            auto read = folder.waitingReads.front();
            folder.waitingReads.pop_front();
            read();
        }
        model.deliverOne();
    }
    REQUIRE(run->finished());
    CHECK(run->peakDecodedImages() <= 4);
    CHECK(folder.readsAsked == 25);
    for (const dx::BatchItem& item : run->items())
        CHECK(item.state == dx::BatchItemState::Done);
}

TEST_CASE("A thousand images on a synchronous backend: flat memory and a flat stack") {
    MeanBrightnessModel model;
    FakeFolder folder;
    folder.addNumbered("x", 1000, [](int i) { return i % 256; });
    bool finished = false;
    auto run = dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {},
                                    [&](const dx::BatchRun&) { finished = true; });
    run->start();
    REQUIRE(finished);
    CHECK(run->peakDecodedImages() <= 3); // decodeAhead 2 + the one being inferred, whatever the count
    const dx::BatchProgress p = run->progress(dx::monotonicMs() + 1e6);
    CHECK(p.finished == 1000);
    CHECK(p.failed == 0);
    CHECK_FALSE(p.running);
    CHECK(p.secondsLeft < 0);
}

// Every file's read and analysis finish inside the call that started them (as natively): were each file to
// start the next from its completion callback, the stack would grow by a few frames per file and 10,000 files
// would overflow it (8 MB natively, 1 MB in the WASM tests). The validation scores come from the same run.
TEST_CASE("Ten thousand images on a synchronous reader and backend: all analyzed in order, stack flat") {
    MeanBrightnessModel model;
    FakeFolder folder;
    const int count = 10000;
    folder.addNumbered("x", count, [](int i) { return (i * 7) % 256; });
    int finishedCalls = 0;
    auto run = dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {},
                                    [&](const dx::BatchRun&) { finishedCalls++; });
    run->start();
    REQUIRE(run->finished());
    CHECK(finishedCalls == 1);
    CHECK(model.runs == count);
    CHECK(model.peakInFlight == 1);
    CHECK(folder.readsAsked == count);
    CHECK(run->peakDecodedImages() <= 3);
    size_t wrong = 0;
    for (size_t i = 0; i < size_t(count); i++) {
        const dx::BatchItem& item = run->items()[i];
        const dx::Finding* s = item.scoreFor("pneumonia");
        if (item.name != folder.names[i] || item.state != dx::BatchItemState::Done || !s ||
            std::fabs(s->score - expectedProbability(folder.grey[i])) > 1e-5)
            wrong++;
    }
    CHECK(wrong == 0);

    // Validation over the same run: positives are the brighter half.
    dx::BinaryTruth truth;
    for (int level : folder.grey) {
        truth.labels.push_back(level >= 128 ? 1 : 0);
        (level >= 128 ? truth.positives : truth.negatives)++;
    }
    dx::Result<dx::ValidationScores> scores = dx::collectValidationScores(*run, truth, "pneumonia");
    REQUIRE(scores.ok());
    CHECK(scores->excluded == 0);
    REQUIRE(scores->scores.size() == size_t(count));
    CHECK(scores->itemIndex.front() == 0);
    CHECK(scores->itemIndex.back() == size_t(count - 1));
    CHECK(scores->scores[1234] == Approx(expectedProbability(folder.grey[1234])).margin(1e-5));
}

TEST_CASE("Unreadable files and non-images are listed with their reason and the batch goes on") {
    MeanBrightnessModel model;
    FakeFolder folder;
    folder.add("a.png", 10);
    folder.add("bad", 0);
    folder.add("txt", 0);
    folder.add("b.png", 240);
    auto run =
        dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {}, {});
    run->start();
    REQUIRE(run->finished());
    const auto& items = run->items();
    CHECK(items[0].state == dx::BatchItemState::Done);
    CHECK(items[1].state == dx::BatchItemState::Failed);
    CHECK(items[1].error == "could not be read: the file was moved or deleted");
    CHECK(items[2].state == dx::BatchItemState::Failed);
    CHECK(items[2].error.find("not an image DxLens can read: unknown format") == 0);
    CHECK(items[3].state == dx::BatchItemState::Done);
    const dx::BatchProgress p = run->progress(dx::monotonicMs());
    CHECK(p.finished == 4);
    CHECK(p.failed == 2);

    const std::string csv = dx::batchResultsCsv(*run);
    CHECK(csv.find("file,state,top_finding,score,decision,ood,error,score_normal,score_pneumonia\r\n") == 0);
    CHECK(csv.find("\r\nbad,failed,,,,,could not be read: the file was moved or deleted,,\r\n") !=
          std::string::npos);
    CHECK(csv.find("\r\nb.png,done,pneumonia,") != std::string::npos);
}

TEST_CASE("A folder where every read file fails to decode still finishes (no stalled read slots)") {
    MeanBrightnessModel model;
    FakeFolder folder;
    for (int i = 0; i < 30; i++)
        folder.add("txt", 0); // every one "not an image"
    bool finished = false;
    auto run = dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {3, 1},
                                    [&](const dx::BatchRun&) { finished = true; });
    run->start();
    REQUIRE(finished);
    CHECK(run->progress(dx::monotonicMs()).failed == 30);
}

TEST_CASE("Cancel keeps the image being inferred, drops the decoded ones and marks the rest cancelled") {
    MeanBrightnessModel model;
    model.async = true;
    FakeFolder folder;
    folder.addNumbered("c", 8, [](int i) { return 100; });
    int finishedCalls = 0;
    auto run = dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {},
                                    [&](const dx::BatchRun&) { finishedCalls++; });
    run->start();
    REQUIRE(model.deliverOne()); // image 0 done; image 1 goes to the model
    run->cancel();
    CHECK_FALSE(run->finished()); // image 1 is still with the model
    CHECK(finishedCalls == 0);
    REQUIRE(model.deliverOne());
    CHECK_FALSE(model.deliverOne()); // nothing new was started after cancel
    REQUIRE(run->finished());
    CHECK(finishedCalls == 1);
    CHECK(run->cancelled());
    const auto& items = run->items();
    CHECK(items[0].state == dx::BatchItemState::Done);
    CHECK(items[1].state == dx::BatchItemState::Done);
    for (size_t i = 2; i < items.size(); i++)
        CHECK(items[i].state == dx::BatchItemState::Cancelled);
    const dx::BatchProgress p = run->progress(dx::monotonicMs());
    CHECK(p.finished == 2);
    CHECK(p.cancelled == 6);
}

TEST_CASE("Progress gives the rate and the time left from what finished so far") {
    MeanBrightnessModel model;
    model.async = true;
    FakeFolder folder;
    folder.addNumbered("p", 10, [](int i) { return 50; });
    auto run =
        dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {}, {});
    const dx::BatchProgress before = run->progress(dx::monotonicMs());
    CHECK_FALSE(before.running);
    CHECK(before.total == 10);
    run->start();
    for (int i = 0; i < 4; i++)
        REQUIRE(model.deliverOne());
    const double now = dx::monotonicMs() + 2000.0; // as if 2 s had passed
    const dx::BatchProgress p = run->progress(now);
    CHECK(p.running);
    CHECK(p.finished == 4);
    CHECK(p.imagesPerSecond == Approx(4.0 / p.elapsedSeconds));
    CHECK(p.secondsLeft == Approx(6.0 / p.imagesPerSecond));
    CHECK(p.elapsedSeconds >= 2.0);
    CHECK(dx::formatDuration(5.4) == "5 s");
    CHECK(dx::formatDuration(65) == "1 min 05 s");
    CHECK(dx::formatDuration(7380) == "2 h 03 min");
}

TEST_CASE("Validation truth: the class named like the model label is positive, every other class negative") {
    dx::Result<dx::LabelledSet> set = dx::labelledSetFromPaths(
        {"s/NORMAL/a.png", "s/PNEUMONIA/b.png", "s/NORMAL/c.png", "s/PNEUMONIA/d.png"});
    REQUIRE(set.ok());
    dx::Result<dx::BinaryTruth> truth = dx::binaryTruth(*set, "pneumonia");
    REQUIRE(truth.ok());
    CHECK(truth->labels == std::vector<int>{0, 1, 0, 1});
    CHECK(truth->positiveClass == "PNEUMONIA");
    CHECK(truth->negativeClasses == std::vector<std::string>{"NORMAL"});
    CHECK(truth->positives == 2);

    dx::Result<dx::BinaryTruth> none = dx::binaryTruth(*set, "effusion");
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().message.find("none of the labelled set's classes ('NORMAL', 'PNEUMONIA') is the "
                                    "model's 'effusion'") == 0);
    dx::Result<dx::LabelledSet> onlyOne = dx::labelledSetFromPaths({"s/pneumonia/a.png"});
    REQUIRE(onlyOne.ok());
    CHECK_FALSE(dx::binaryTruth(*onlyOne, "pneumonia").ok());

    const dx::ModelManifest& manifest = meanTestManifest();
    CHECK(dx::defaultPositiveLabel(manifest) == "pneumonia");
    CHECK(dx::defaultThreshold(manifest, "pneumonia") == 0.5);
    CHECK(dx::classificationLabels(manifest) == std::vector<std::string>{"normal", "pneumonia"});
}

TEST_CASE("Validation scores come from the batch, failed files are left out and counted, metrics follow") {
    MeanBrightnessModel model;
    FakeFolder folder;
    const std::vector<std::string> paths = {"v/normal/1.png",    "v/normal/2.png",    "v/normal/3.png",
                                            "v/pneumonia/4.png", "v/pneumonia/5.png", "v/pneumonia/bad"};
    const std::vector<int> grey = {30, 140, 90, 200, 120, 0};
    for (size_t i = 0; i < paths.size(); i++)
        folder.add(paths[i], grey[i]);
    folder.names[5] = "bad"; // unreadable
    dx::Result<dx::LabelledSet> set = dx::labelledSetFromPaths(paths);
    REQUIRE(set.ok());
    dx::Result<dx::BinaryTruth> truth = dx::binaryTruth(*set, "pneumonia");
    REQUIRE(truth.ok());
    auto run =
        dx::BatchRun::create(folder.names, sessionOn(model), folder.reader(), folder.decoder(), {}, {});
    run->start();
    REQUIRE(run->finished());
    dx::Result<dx::ValidationScores> scores = dx::collectValidationScores(*run, *truth, "pneumonia");
    REQUIRE(scores.ok());
    CHECK(scores->excluded == 1);
    CHECK(scores->labels == std::vector<int>{0, 0, 0, 1, 1});
    // AUC by hand: positives 200 and 120 against negatives 30, 140, 90: 200 beats all 3, 120 beats 2 -> 5/6.
    dx::Result<dx::BinaryValidation> v =
        dx::validateBinary(scores->scores, scores->labels, {0.5, {200, 3}, 5});
    REQUIRE(v.ok());
    CHECK(v->auc == Approx(5.0 / 6.0));
    // At 0.5 (grey 127.5): 200 TP, 120 FN, 140 FP, 30 and 90 TN.
    CHECK(v->operating.matrix.truePositives == 1);
    CHECK(v->operating.matrix.falseNegatives == 1);
    CHECK(v->operating.matrix.falsePositives == 1);
    CHECK(v->operating.matrix.trueNegatives == 2);

    const std::string csv = dx::validationScoresCsv(*run, *set, *truth, "pneumonia");
    CHECK(csv.find("file,class,truth,score_pneumonia,state,error\r\n") == 0);
    CHECK(csv.find("\r\nbad,pneumonia,1,,failed,could not be read: the file was moved or deleted\r\n") !=
          std::string::npos);

    // With only one class left among the analyzed files the metrics are undefined: say so.
    dx::BinaryTruth allNegative = *truth;
    std::fill(allNegative.labels.begin(), allNegative.labels.end(), 0);
    dx::Result<dx::ValidationScores> oneClass = dx::collectValidationScores(*run, allNegative, "pneumonia");
    REQUIRE_FALSE(oneClass.ok());
    CHECK(oneClass.error().message.find("0 positive and 5 negative cases") != std::string::npos);
}

namespace {

// Three classes by brightness: grey < 85 "normal", < 170 "bacterial", else "viral" (logit 4 for that class, 0
// for the others, softmax).
class BrightnessBands : public dx::InferenceBackend {
public:
    dx::BackendCapabilities capabilities() const override { return {"bands", "test model", false, 1}; }
    void load(const dx::Bytes&, const dx::ModelManifest&, dx::LoadCallback done) override {
        done(dx::Error("not used"));
    }
    void run(dx::SessionHandle, std::vector<dx::NamedTensor> inputs, dx::RunCallback done) override {
        const double grey = inputs.at(0).tensor.data.at(0) * 255.0;
        const int band = grey < 85 ? 0 : grey < 170 ? 1 : 2;
        std::vector<float> logits(3, 0.0f);
        logits[size_t(band)] = 4.0f;
        done(std::vector<dx::NamedTensor>{{"logits", {{1, 3}, logits}}});
    }
    void release(dx::SessionHandle) override {}
};

const char* kThreeClassManifest = R"({
  "schema": "dxlens.model/1", "id": "bands-test", "name": "Bands test", "version": "1", "task": "classification",
  "file": "model.onnx", "sha256": "0000000000000000000000000000000000000000000000000000000000000000",
  "input": { "name": "image", "channels": 1, "height": 2, "width": 2, "resize": "stretch",
             "normalize": { "scale": 0.00392156862745098, "mean": [0], "std": [1] } },
  "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["normal", "bacterial", "viral"] } ] })";

} // namespace

TEST_CASE("Multi-class validation: set classes map to model labels, score rows come from the batch") {
    dx::Result<dx::ModelManifest> manifest = dx::parseModelManifest(kThreeClassManifest);
    REQUIRE(manifest.ok());
    CHECK(dx::isMulticlassModel(*manifest));
    CHECK_FALSE(dx::isMulticlassModel(meanTestManifest()));
    // The same labels as independent findings (sigmoid: several may be present at once) are validated one label
    // at a time, not by the highest score.
    std::string multiLabel = kThreeClassManifest;
    multiLabel.replace(multiLabel.find("softmax"), 7, "sigmoid");
    dx::Result<dx::ModelManifest> sigmoid = dx::parseModelManifest(multiLabel);
    REQUIRE(sigmoid.ok());
    CHECK_FALSE(dx::isMulticlassModel(*sigmoid));
    const std::vector<std::string> labels = dx::classificationLabels(*manifest);

    // Folder names in any case and order; the truth indexes the model's labels.
    const std::vector<std::string> paths = {"v/VIRAL/1.png",  "v/NORMAL/2.png", "v/bacterial/3.png",
                                            "v/NORMAL/4.png", "v/VIRAL/5.png",  "v/bacterial/bad"};
    dx::Result<dx::LabelledSet> set = dx::labelledSetFromPaths(paths);
    REQUIRE(set.ok());
    dx::Result<dx::MulticlassTruth> truth = dx::multiclassTruth(*set, labels);
    REQUIRE(truth.ok());
    CHECK(truth->classNames == labels);
    CHECK(truth->labels == std::vector<int>{2, 0, 1, 0, 2, 1});
    CHECK(truth->counts == std::vector<size_t>{2, 2, 2});

    // A class the model does not know, or a single class, is an error that names the model's classes.
    dx::Result<dx::LabelledSet> unknown = dx::labelledSetFromPaths({"v/normal/a.png", "v/covid/b.png"});
    REQUIRE(unknown.ok());
    dx::Result<dx::MulticlassTruth> bad = dx::multiclassTruth(*unknown, labels);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("class 'covid' is none of the model's classes ('normal', 'bacterial', "
                                   "'viral')") != std::string::npos);
    dx::Result<dx::LabelledSet> single = dx::labelledSetFromPaths({"v/viral/a.png", "v/viral/b.png"});
    REQUIRE(single.ok());
    CHECK_FALSE(dx::multiclassTruth(*single, labels).ok());

    // Grey levels: viral 220 (-> viral), normal 30 (-> normal), bacterial 100 (-> bacterial),
    // normal 120 (-> bacterial), viral 250 (-> viral), and one unreadable file.
    BrightnessBands model;
    dx::ModelSession session;
    session.backend = &model;
    session.backendName = "bands";
    session.handle = 1;
    auto package = std::make_shared<dx::ModelPackage>();
    package->manifest = *manifest;
    session.package = package;
    FakeFolder folder;
    const std::vector<int> grey = {220, 30, 100, 120, 250, 0};
    for (size_t i = 0; i < paths.size(); i++)
        folder.add(paths[i], grey[i]);
    folder.names[5] = "bad";
    auto run = dx::BatchRun::create(folder.names, session, folder.reader(), folder.decoder(), {}, {});
    run->start();
    REQUIRE(run->finished());
    dx::Result<dx::MulticlassScores> scores = dx::collectMulticlassScores(*run, *truth);
    REQUIRE(scores.ok());
    CHECK(scores->classCount == 3);
    CHECK(scores->excluded == 1);
    CHECK(scores->labels == std::vector<int>{2, 0, 1, 0, 2});
    REQUIRE(scores->scores.size() == 15);
    const double high = std::exp(4.0) / (std::exp(4.0) + 2.0), low = 1.0 / (std::exp(4.0) + 2.0);
    CHECK(scores->scores[0] == Approx(low).margin(1e-6)); // first file: normal, bacterial, viral
    CHECK(scores->scores[2] == Approx(high).margin(1e-6));
    dx::Result<dx::MulticlassValidation> v =
        dx::validateMulticlass(scores->scores, scores->classCount, scores->labels);
    REQUIRE(v.ok());
    CHECK(v->confusion.counts == std::vector<uint64_t>{1, 1, 0, 0, 1, 0, 0, 0, 2});
    CHECK(v->accuracy == Approx(4.0 / 5));

    const std::string csv = dx::multiclassScoresCsv(*run, *set, *truth);
    CHECK(csv.find("file,class,truth,score_normal,score_bacterial,score_viral,predicted,state,error\r\n") ==
          0);
    CHECK(csv.find("\r\nv/NORMAL/4.png,NORMAL,normal,") != std::string::npos);
    CHECK(csv.find(",bacterial,done,\r\n", csv.find("v/NORMAL/4.png")) != std::string::npos);
    CHECK(csv.find("\r\nbad,bacterial,bacterial,,,,,failed,could not be read") != std::string::npos);
}
