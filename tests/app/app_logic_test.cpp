// The app's logic (src/app, dx_app) without a browser or ImGui: opening and analyzing an image with a model
// from the library, what the live region hears, the one download path for every export, the batch queue and
// its CSV, the risk form's CSV, and the research-use notice in both UI languages. The same commands run when a
// user clicks, presses a key or a page calls the JS API; the browser tests check that wiring.
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/batch_state.h"
#include "app/i18n.h"
#include "app/risk_form.h"
#include "core/base/csv.h"
#include "core/base/notice.h"
#include "core/base/sha256.h"
#include "core/codecs/raster_encoder.h"
#include "core/inference/model_library.h"
#include "core/viewer/workspace.h"
#include "tests/core/fake_model.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

namespace {

// Answers every run at once: "pneumonia" wins for bright images, "normal" for dark ones.
class BrightnessModel : public HeldResultsModel {
public:
    std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>& inputs) override {
        const float mean = (inputs[0].tensor.data[0] + inputs[0].tensor.data[3]) / 2.0f;
        return {{"logits", {{1, 2}, {0.5f - mean, mean - 0.5f}}}};
    }
    void load(const dx::Bytes&, const dx::ModelManifest&, dx::LoadCallback done) override {
        dx::LoadedSession s;
        s.handle = 1;
        s.info.inputs = {{"image", {1, 1, 2, 2}, "float32"}};
        s.info.outputs = {{"logits", {1, 2}, "float32"}};
        done(s);
    }
};

dx::Bytes greyPng(uint8_t level) {
    const uint8_t pixels[4] = {level, level, level, level};
    dx::Result<std::vector<uint8_t>> png = dx::encodePng(2, 2, 1, pixels);
    REQUIRE(png.ok());
    return *png;
}

// An app as the platform layer sets it up, with a model library holding one ready two-class model and hooks
// that record what the page would be asked to do.
struct TestApp {
    BrightnessModel model;
    dx::ModelLibrary library;
    dx::Workspace workspace;
    dx::BatchScreening batch;
    dx::ValidationStudy validation;
    dx::AppState state;
    std::vector<std::string> announced;
    struct Download {
        std::string name, mime, text;
    };
    std::vector<Download> downloads;

    TestApp() {
        dx::setLanguage(dx::Language::English);
        state.models = &library;
        state.workspace = &workspace;
        state.batch = &batch;
        state.validation = &validation;
        state.commands.announce = [this](const std::string& text) { announced.push_back(text); };
        state.commands.downloadFile = [this](const std::string& name, const std::string& mime,
                                             const std::string& text) {
            downloads.push_back({name, mime, text});
        };
        library.setBackendOrder({&model});
        const dx::Bytes onnx = {'n', 'o', 't', ' ', 'o', 'n', 'n', 'x'};
        const std::string manifest = R"({
  "schema": "dxlens.model/1", "id": "bright-test", "name": "Test model", "version": "1",
  "task": "classification", "file": "model.onnx", "intended_use": "Tests only.",
  "sha256": ")" + dx::sha256Hex(onnx.data(), onnx.size()) +
                                     R"(",
  "input": { "name": "image", "channels": 1, "height": 2, "width": 2, "resize": "stretch",
             "normalize": { "scale": 0.00392156862745098, "mean": [0], "std": [1] } },
  "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["normal", "pneumonia"],
                 "thresholds": { "pneumonia": 0.5 } } ] })";
        std::map<std::string, dx::Bytes> files = {
            {"manifest.json", dx::Bytes(manifest.begin(), manifest.end())}, {"model.onnx", onnx}};
        const int key = library.beginLoading("bright-test");
        library.open(
            key,
            [files](const std::string& path) -> dx::Result<dx::Bytes> {
                auto it = files.find(path);
                if (it == files.end()) return dx::Error(path + ": not in the test package");
                return it->second;
            },
            [](const dx::Bytes&, const std::string&) -> dx::Result<dx::Image> {
                return dx::Error("no images");
            },
            [](const dx::ModelSlot& slot) { REQUIRE(slot.ready()); });
        REQUIRE(dx::activeModel(state) != nullptr);
    }
    ~TestApp() { dx::setLanguage(dx::Language::English); }

    bool heard(const std::string& part) const {
        for (const std::string& a : announced)
            if (a.find(part) != std::string::npos) return true;
        return false;
    }
};

} // namespace

TEST_CASE("An opened image is analyzed with the active model and the live region hears the result") {
    TestApp app;
    const int id = dx::openFile(app.state, "bright.png", greyPng(230));
    const dx::Study* study = app.workspace.find(id);
    REQUIRE(study != nullptr);
    const dx::StudyAnalysis* analysis = study->analysis("bright-test");
    REQUIRE(analysis != nullptr);
    CHECK(analysis->state == dx::AnalysisState::Done);
    CHECK(app.state.selectedStudy == id);
    // The sentence names the file, the decision, the model and backend, and ends with the notice.
    const std::string said = app.announced.back();
    CHECK(said.rfind("bright.png: ", 0) == 0);
    CHECK(said.find("pneumonia") != std::string::npos);
    CHECK(said.find("Model bright-test on fake.") != std::string::npos);
    CHECK(said.size() > std::string(dx::kResearchUseNotice).size());
    CHECK(said.compare(said.size() - std::string(dx::kResearchUseNotice).size(), std::string::npos,
                       dx::kResearchUseNotice) == 0);
}

TEST_CASE("Every export goes through one download path: saved and announced, or nothing and why") {
    TestApp app;
    // Nothing selected yet: no download, and the reason is said.
    CHECK_FALSE(dx::downloadSelectedStudyReport(app.state, dx::ReportFormat::Csv));
    CHECK(app.downloads.empty());
    REQUIRE_FALSE(app.announced.empty());
    CHECK(app.announced.back().rfind("Nothing exported: ", 0) == 0);

    dx::openFile(app.state, "dark.png", greyPng(20));
    REQUIRE(dx::downloadSelectedStudyReport(app.state, dx::ReportFormat::Csv));
    REQUIRE(app.downloads.size() == 1);
    const TestApp::Download& d = app.downloads[0];
    CHECK(d.name == "dark-bright-test-report.csv");
    CHECK(d.mime == "text/csv");
    CHECK(app.announced.back() == "Saved dark-bright-test-report.csv.");
    dx::Result<std::vector<dx::CsvRecord>> rows = dx::parseCsv(d.text, d.name);
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 2);
    CHECK(rows->at(1).fields[0] == "dark.png");
    CHECK(rows->at(1).fields.back() == dx::kResearchUseNotice);

    // The batch window's exports take the same path.
    CHECK_FALSE(dx::downloadBatchExport(app.state, dx::BatchExport::BatchCsv));
    CHECK(app.downloads.size() == 1);
    CHECK(app.announced.back().rfind("Nothing exported: ", 0) == 0);
}

TEST_CASE("A batch of picked files runs to the end with the active model and exports one row per file") {
    TestApp app;
    std::vector<std::string> names;
    std::vector<dx::Bytes> images;
    for (int i = 0; i < 6; i++) {
        names.push_back("set/img" + std::to_string(i) + ".png");
        images.push_back(greyPng(uint8_t(i < 3 ? 20 : 230)));
    }
    names.push_back("set/broken.png");
    images.push_back(dx::Bytes{'n', 'o', 'p', 'e'});
    dx::PickedFiles files;
    files.names = names;
    files.source = "set";
    files.read = [images](size_t index, std::function<void(dx::Result<dx::Bytes>)> done) {
        done(images[index]);
    };
    REQUIRE(dx::setBatchFiles(app.state, files));
    CHECK(app.heard("7 files queued from set."));
    REQUIRE(dx::startBatch(app.state));
    REQUIRE(app.batch.run);
    REQUIRE(app.batch.run->finished());
    dx::tickBatchWork(app.state);
    CHECK(app.heard("Batch finished: 6 of 7 images analyzed"));

    REQUIRE(dx::downloadBatchExport(app.state, dx::BatchExport::BatchCsv));
    REQUIRE(app.downloads.size() == 1);
    CHECK(app.downloads[0].name == "set-bright-test-batch.csv");
    dx::Result<std::vector<dx::CsvRecord>> rows = dx::parseCsv(app.downloads[0].text, "batch.csv");
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 1 + names.size());
    for (size_t i = 0; i < names.size(); i++)
        CHECK(rows->at(i + 1).fields[0] == names[i]);
    // Rows carry the decision the model made; the unreadable file says why it failed.
    const std::vector<std::string>& header = rows->at(0).fields;
    const size_t state = size_t(std::find(header.begin(), header.end(), "state") - header.begin());
    const size_t decision = size_t(std::find(header.begin(), header.end(), "decision") - header.begin());
    REQUIRE(state < header.size());
    REQUIRE(decision < header.size());
    CHECK(rows->at(1).fields[decision] == "negative");
    CHECK(rows->at(6).fields[decision] == "positive");
    CHECK(rows->at(7).fields[state] == "failed");
}

TEST_CASE("The research-use notice is shown in the UI language wherever the app says it") {
    TestApp app;
    CHECK(std::string(dx::tr(dx::kResearchUseNotice)) == dx::kResearchUseNotice);
    dx::switchLanguage(app.state, dx::Language::ChineseSimplified);
    const std::string chinese = dx::tr(dx::kResearchUseNotice);
    CHECK(chinese != dx::kResearchUseNotice);
    CHECK(chinese.find("仅供研究使用") != std::string::npos);
    dx::openFile(app.state, "bright.png", greyPng(230));
    const std::string said = app.announced.back();
    CHECK(said.compare(said.size() - chinese.size(), std::string::npos, chinese) == 0);
}

TEST_CASE("formatText formats an already translated text the way trf formats a literal") {
    dx::setLanguage(dx::Language::English);
    CHECK(dx::formatText(dx::tr("Saved %s."), "a.csv") == dx::trf("Saved %s.", "a.csv"));
    CHECK(dx::formatText("%d of %d", 3, 7) == "3 of 7");
    const std::string longText(3000, 'x');
    CHECK(dx::formatText("%s!", longText.c_str()).size() == 3001); // no fixed buffer cuts it short
}
