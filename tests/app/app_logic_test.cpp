// The app's logic (src/app, dx_app) without a browser or ImGui: opening and analyzing an image with a model
// from the library, what the live region hears, the one download path for every export, the batch queue and
// its CSV, the risk form's CSV, and the research-use notice in both UI languages. The same commands run when a
// user clicks, presses a key or a page calls the JS API; the browser tests check that wiring.
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/batch_state.h"
#include "app/i18n.h"
#include "app/population_commands.h"
#include "app/risk_form.h"
#include "app/study_models.h"
#include "app/text_fit.h"
#include "core/base/csv.h"
#include "core/base/file_io.h"
#include "core/base/notice.h"
#include "core/base/sha256.h"
#include "core/codecs/raster_encoder.h"
#include "core/dicom/dicom_parser.h"
#include "core/inference/model_library.h"
#include "core/report/dicom_results.h"
#include "core/viewer/workspace.h"
#include "tests/core/fake_model.h"
#include "tests/core/intake_test_util.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

namespace {

// Answers every run at once: "pneumonia" wins for bright images, "normal" for dark ones; the "ood" output is
// the mean brightness x 10 (0..10), so a manifest's out-of-distribution threshold can reject bright images.
class BrightnessModel : public HeldResultsModel {
public:
    std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>& inputs) override {
        const float mean = (inputs[0].tensor.data[0] + inputs[0].tensor.data[3]) / 2.0f;
        return {{"logits", {{1, 2}, {0.5f - mean, mean - 0.5f}}}, {"ood", {{1, 1}, {mean * 10.0f}}}};
    }
    void load(const dx::Bytes&, const dx::ModelManifest&, dx::LoadCallback done) override {
        dx::LoadedSession s;
        s.handle = 1;
        s.info.inputs = {{"image", {1, 1, 2, 2}, "float32"}};
        s.info.outputs = {{"logits", {1, 2}, "float32"}, {"ood", {1, 1}, "float32"}};
        done(s);
    }
};

// A two-class 2 x 2 grey test model's manifest; `extra` adds top-level keys (",\"modalities\": [...]").
std::string testManifest(const std::string& id, const std::string& name, const dx::Bytes& onnx,
                         const std::string& extra = {}) {
    // clang-format off
    return R"({
  "schema": "dxlens.model/1", "id": ")" + id + R"(", "name": ")" + name + R"(", "version": "1",
  "task": "classification", "file": "model.onnx", "intended_use": "Tests only.",
  "sha256": ")" + dx::sha256Hex(onnx.data(), onnx.size()) + R"(",
  "input": { "name": "image", "channels": 1, "height": 2, "width": 2, "resize": "stretch",
             "normalize": { "scale": 0.00392156862745098, "mean": [0], "std": [1] } },
  "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["normal", "pneumonia"],
                 "thresholds": { "pneumonia": 0.5 } },
               { "name": "ood", "activation": "none" } ])" + extra + "}";
    // clang-format on
}

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
        openModel("bright-test", "Test model");
        REQUIRE(dx::activeModel(state) != nullptr);
    }
    ~TestApp() { dx::setLanguage(dx::Language::English); }

    // Opens another test model package into the library, ready at once.
    void openModel(const std::string& id, const std::string& name, const std::string& extra = {}) {
        const dx::Bytes onnx = {'n', 'o', 't', ' ', 'o', 'n', 'n', 'x'};
        const std::string manifest = testManifest(id, name, onnx, extra);
        std::map<std::string, dx::Bytes> files = {
            {"manifest.json", dx::Bytes(manifest.begin(), manifest.end())}, {"model.onnx", onnx}};
        const int key = library.beginLoading(id);
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
    }

    // Opens a file and confirms its patient is in the models' intended population, as a user does with one
    // click in the findings panel: a PNG says nothing about the patient, so its findings wait for that.
    int openConfirmed(const std::string& name, const dx::Bytes& bytes) {
        const int id = dx::openFile(state, name, bytes);
        REQUIRE(dx::confirmStudyPopulation(state, id));
        return id;
    }

    // What the live region says about the study now.
    std::string sentence(int id) { return dx::describeStudyForScreenReader(state, *workspace.find(id)); }

    bool heard(const std::string& part) const {
        for (const std::string& a : announced)
            if (a.find(part) != std::string::npos) return true;
        return false;
    }
};

} // namespace

TEST_CASE("An opened image is analyzed with the active model and the live region hears the result") {
    TestApp app;
    const int id = app.openConfirmed("bright.png", greyPng(230));
    const dx::Study* study = app.workspace.find(id);
    REQUIRE(study != nullptr);
    const dx::StudyAnalysis* analysis = study->analysis("bright-test");
    REQUIRE(analysis != nullptr);
    CHECK(analysis->state == dx::AnalysisState::Done);
    CHECK(app.state.selectedStudy == id);
    // The sentence names the file, the decision, the model and backend, and ends with the notice.
    const std::string said = app.sentence(id);
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

TEST_CASE("DICOM SR and SEG exports take the same download path; SEG only for a segmentation result") {
    TestApp app;
    dx::openFile(app.state, "dark.png", greyPng(20));
    REQUIRE(dx::downloadSelectedStudyReport(app.state, dx::ReportFormat::DicomSr));
    REQUIRE(app.downloads.size() == 1);
    const TestApp::Download& d = app.downloads[0];
    CHECK(d.name == "dark-bright-test.sr.dcm");
    CHECK(d.mime == "application/dicom");
    CHECK(app.announced.back() == "Saved dark-bright-test.sr.dcm.");
    const dx::Bytes bytes(d.text.begin(), d.text.end());
    dx::Result<dx::DicomFile> sr = dx::parseDicom(bytes);
    REQUIRE(sr.ok());
    CHECK(sr->hasPreamble);
    CHECK(sr->string(sr->dataset, 0x00080016) == dx::kComprehensiveSrSopClassUid);
    CHECK(d.text.find(dx::kResearchUseNotice) != std::string::npos);

    // A classifier has no mask: nothing to write as a Segmentation, and the reason is said.
    CHECK_FALSE(dx::selectedStudyHasSegmentation(app.state));
    CHECK_FALSE(dx::downloadSelectedStudyReport(app.state, dx::ReportFormat::DicomSeg));
    CHECK(app.downloads.size() == 1);
    CHECK(app.announced.back().find("no segmentation result") != std::string::npos);
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

namespace {

const char* const kCtSmall = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm";

std::vector<std::string> ids(const std::vector<dx::StudyModel>& models) {
    std::vector<std::string> out;
    for (const dx::StudyModel& m : models)
        out.push_back(m.id());
    return out;
}

} // namespace

TEST_CASE(
    "An image that says nothing about itself is analyzed by every image model, in the library's order") {
    TestApp app;
    app.openModel("second-test",
                  "A second test model with a name far longer than the findings panel is wide");
    app.state.activeModel = "second-test"; // preferred: runs first, but is listed in the library's order
    const int id = app.openConfirmed("bright.png", greyPng(230));
    const dx::Study& study = *app.workspace.find(id);
    const std::vector<dx::StudyModel> models = dx::studyModels(app.state, study);
    CHECK(ids(models) == std::vector<std::string>{"bright-test", "second-test"});
    for (const dx::StudyModel& m : models) {
        CHECK(m.done());
        CHECK_FALSE(m.listedApart());
    }
    // The preferred model started first.
    const auto started = [&](const std::string& modelId) {
        for (size_t i = 0; i < app.announced.size(); i++)
            if (app.announced[i] == "bright.png: analyzing with " + modelId + ".") return int(i);
        return -1;
    };
    CHECK(started("second-test") >= 0);
    CHECK(started("second-test") < started("bright-test"));
    // The live region carries both models' findings, each with its model, and the notice once.
    const std::string said = app.sentence(id);
    CHECK(said.rfind("bright.png: normal ", 0) == 0);
    CHECK(said.find("Model bright-test on fake.") != std::string::npos);
    CHECK(said.find("Model second-test on fake.") != std::string::npos);
    CHECK(said.find(dx::kResearchUseNotice) == said.size() - std::string(dx::kResearchUseNotice).size());
    // The study list's line: the most important positive finding.
    const dx::Finding* top = nullptr;
    const dx::StudyModel* from = dx::mostImportantFinding(models, &top);
    REQUIRE(from != nullptr);
    CHECK(top->label == "pneumonia");
    CHECK(top->positive);
    CHECK(dx::studyProgress(models).allFinished());
}

TEST_CASE("A model whose out-of-distribution check rejects the image is listed apart with the reason") {
    TestApp app;
    // Rejects images brighter than 50% (the fake model's ood output is brightness x 10).
    app.openModel("picky-test", "Picky test model",
                  R"(, "ood": { "output": "ood", "threshold": 5.0, "higher_is_outlier": true })");
    const int id = app.openConfirmed("bright.png", greyPng(230));
    const std::vector<dx::StudyModel> models = dx::studyModels(app.state, *app.workspace.find(id));
    REQUIRE(models.size() == 2);
    CHECK_FALSE(models[0].listedApart());
    CHECK(models[1].gate == dx::ModelGate::OutOfDistribution);
    CHECK(models[1].reason.rfind("Out of distribution: ", 0) == 0);
    const std::string said = app.sentence(id);
    CHECK(said.find("Model bright-test on fake.") != std::string::npos);
    CHECK(said.find("picky-test is listed apart: Out of distribution") != std::string::npos);
    CHECK(said.find("Model picky-test") == std::string::npos); // its findings are not read out
    // Never mixed with the findings: not the study list's line either (its "pneumonia" is as positive).
    const dx::Finding* top = nullptr;
    CHECK(dx::mostImportantFinding(models, &top) == &models[0]);
    // A dark image is in its distribution: both apply, and nothing is positive.
    const int dark = app.openConfirmed("dark.png", greyPng(20));
    const std::vector<dx::StudyModel> both = dx::studyModels(app.state, *app.workspace.find(dark));
    CHECK_FALSE(both[1].listedApart());
    CHECK(dx::mostImportantFinding(both, &top) == nullptr);
}

TEST_CASE("A model made for another modality does not run on a DICOM that says so, and is listed apart") {
    const dx::Result<dx::Bytes> ct = dx::readFileBytes(kCtSmall);
    if (!ct) {
        WARN("pydicom's CT_small.dcm is not installed");
        return;
    }
    TestApp app;
    app.openModel("chest-test", "Chest test model", R"(, "modalities": ["CR", "DX"])");
    const int id = dx::openFile(app.state, "CT_small.dcm", *ct);
    const dx::Study& study = *app.workspace.find(id);
    CHECK(study.analysis("bright-test") != nullptr);
    CHECK(study.analysis("chest-test") == nullptr);
    const std::vector<dx::StudyModel> models = dx::studyModels(app.state, study);
    REQUIRE(models.size() == 2);
    CHECK(models[1].gate == dx::ModelGate::NotMadeForImage);
    CHECK(models[1].reason ==
          "Not made for this image: The image's modality is CT; the model expects CR, DX.");
    CHECK(app.heard("chest-test is listed apart: Not made for this image"));
    // Asked for explicitly (the section's "Analyze anyway"), it runs and stays listed apart.
    CHECK(dx::analyzeStudyWith(app.state, id, *app.library.findById("chest-test")));
    CHECK(dx::studyModels(app.state, study)[1].listedApart());
}

TEST_CASE("A model turned off analyzes nothing; turned on, or ready later, it analyzes the opened images") {
    TestApp app;
    dx::startAnalysesAwaitingModel(app.state); // the platform calls it every frame
    const int first = dx::openFile(app.state, "a.png", greyPng(200));
    // A model that becomes ready after the image was opened analyzes it too.
    app.openModel("late-test", "Late test model");
    dx::startAnalysesAwaitingModel(app.state);
    CHECK(app.workspace.find(first)->analysis("late-test") != nullptr);

    dx::setModelOn(app.state, "late-test", false);
    CHECK_FALSE(dx::modelOn(app.state, "late-test"));
    dx::startAnalysesAwaitingModel(app.state);
    const int second = dx::openFile(app.state, "b.png", greyPng(200));
    CHECK(app.workspace.find(second)->analysis("late-test") == nullptr);
    CHECK(ids(dx::studyModels(app.state, *app.workspace.find(second))) ==
          std::vector<std::string>{"bright-test"});
    CHECK(dx::imageModels(app.state).size() == 1);
    CHECK(dx::imageModels(app.state, true).size() == 2);

    dx::setModelOn(app.state, "late-test", true);
    dx::startAnalysesAwaitingModel(app.state);
    const dx::StudyAnalysis* now = app.workspace.find(second)->analysis("late-test");
    REQUIRE(now != nullptr);
    CHECK(now->state == dx::AnalysisState::Done);
}

TEST_CASE("The report of a study analyzed by several models carries every model's result") {
    TestApp app;
    app.openModel("second-test", "Second test model");
    dx::openFile(app.state, "dark.png", greyPng(20));
    REQUIRE(dx::downloadSelectedStudyReport(app.state, dx::ReportFormat::Csv));
    const TestApp::Download& d = app.downloads.back();
    CHECK(d.name == "dark-report.csv");
    dx::Result<std::vector<dx::CsvRecord>> rows = dx::parseCsv(d.text, d.name);
    REQUIRE(rows.ok());
    CHECK(rows->size() == 3); // header + one row per model
    REQUIRE(dx::downloadSelectedStudyReport(app.state, dx::ReportFormat::Json));
    CHECK(app.downloads.back().text.find("\"second-test\"") != std::string::npos);
    CHECK(app.downloads.back().text.find("\"bright-test\"") != std::string::npos);
}

TEST_CASE("The heatmap is computed with the model in whose section it was asked for") {
    TestApp app;
    app.openModel("second-test", "Second test model");
    const int id = dx::openFile(app.state, "bright.png", greyPng(230));
    // A heatmap names the finding: like the finding, it waits for the population to be confirmed.
    CHECK_FALSE(dx::explainSelectedStudy(app.state, "second-test"));
    REQUIRE(dx::confirmStudyPopulation(app.state, id));
    REQUIRE(dx::explainSelectedStudy(app.state, "second-test"));
    const dx::Study& study = *app.workspace.find(app.state.selectedStudy);
    // Whether the fake model's heatmap succeeds is saliency.h's business; which model ran it is the app's.
    const dx::StudySaliency& asked = study.analysis("second-test")->saliency;
    const dx::StudySaliency& other = study.analysis("bright-test")->saliency;
    CHECK((asked.ready || !asked.error.empty()));
    CHECK_FALSE((other.ready || other.running || !other.error.empty()));
    CHECK(app.state.viewer.overlayModel == "second-test");
    CHECK(dx::overlayModelId(app.state, study) == (asked.ready ? "second-test" : ""));
    CHECK_FALSE(dx::explainSelectedStudy(app.state, "no-such-model"));
}

TEST_CASE("One-line text is cut on a character boundary with an ellipsis only when it does not fit") {
    // One unit per byte: the test's measure, so widths are easy to read.
    const auto bytes = [](std::string_view s) { return float(s.size()); };
    CHECK(dx::fitToWidth("Lung", 10, bytes) == "Lung");
    const std::string cut = dx::fitToWidth("Lung field segmentation", 13, bytes);
    CHECK(cut == "Lung field\xE2\x80\xA6");
    CHECK(bytes(cut) <= 13);
    CHECK(dx::fitToWidth("Lung field segmentation", 14, bytes) ==
          "Lung field\xE2\x80\xA6"); // no space before …
    // Chinese (3 bytes a character) is never cut inside a character.
    const std::string zh = dx::fitToWidth("\xE8\x82\xBA\xE9\x83\xA8\xE5\x88\x86\xE5\x89\xB2", 8, bytes);
    CHECK(zh == "\xE8\x82\xBA\xE2\x80\xA6");
    CHECK(dx::fitToWidth("anything", 0, bytes) == "\xE2\x80\xA6");
}

namespace {

// A 2 x 2 grey chest X-ray DICOM; `age` is Patient's Age as DICOM writes it ("045Y"), empty to leave it out.
dx::Bytes chestDicom(const std::string& age) {
    DicomBuilder b;
    b.text(dx::DicomTag::Modality, "CS", "CR");
    if (!age.empty()) b.text(0x00101010, "AS", age);
    b.text(dx::DicomTag::BodyPartExamined, "CS", "CHEST");
    b.text(0x00185101, "CS", "PA");
    b.us(dx::DicomTag::SamplesPerPixel, 1).text(dx::DicomTag::PhotometricInterpretation, "CS", "MONOCHROME2");
    b.us(dx::DicomTag::Rows, 2).us(dx::DicomTag::Columns, 2);
    b.us(dx::DicomTag::BitsAllocated, 8).us(dx::DicomTag::BitsStored, 8);
    b.us(dx::DicomTag::HighBit, 7).us(dx::DicomTag::PixelRepresentation, 0);
    b.raw(dx::DicomTag::PixelData, "OB", {230, 230, 230, 230});
    return b.build();
}

// The children's pneumonia model's population, as the shipped cxr-pneumonia manifest declares it.
const char* const kChildrenPopulation = R"(, "modalities": ["CR", "DX"], "body_parts": ["chest"],
  "population": { "description": "children aged 1-5 years; frontal (PA/AP) chest X-ray, CR/DX",
                  "age_years": { "min": 1, "max": 5 }, "views": ["PA", "AP"] })";

} // namespace

TEST_CASE("An adult's DICOM is outside a children's model: listed apart with the reason, and no finding") {
    TestApp app;
    app.openModel("children-test", "Children's pneumonia test model", kChildrenPopulation);
    const int id = dx::openFile(app.state, "adult.dcm", chestDicom("045Y"));
    const dx::Study& study = *app.workspace.find(id);
    REQUIRE(study.ok());
    const std::vector<dx::StudyModel> models = dx::studyModels(app.state, study);
    REQUIRE(models.size() == 2);
    const dx::StudyModel& children = models[1];
    CHECK(children.gate == dx::ModelGate::OutsidePopulation);
    CHECK(std::string(dx::modelGateName(children.gate)) == "outside the intended population");
    CHECK(children.reason ==
          "outside the model's intended population: patient aged 45 years; this model is for "
          "children aged 1-5 years; frontal (PA/AP) chest X-ray, CR/DX");
    CHECK_FALSE(children.findingsShown());
    // The fake model calls this bright image pneumonia; the live region never reads that out for this model.
    const std::string said = app.sentence(id);
    CHECK(said.find("children-test is listed apart: outside the model's intended population: patient aged "
                    "45 years") != std::string::npos);
    CHECK(said.find("Model children-test") == std::string::npos);
    // A click cannot overrule the header: still apart, still no finding.
    dx::confirmStudyPopulation(app.state, id);
    const std::vector<dx::StudyModel> after = dx::studyModels(app.state, study);
    CHECK(after[1].gate == dx::ModelGate::OutsidePopulation);
    CHECK(app.sentence(id).find("Model children-test") == std::string::npos);
    const dx::Finding* top = nullptr;
    const dx::StudyModel* from = dx::mostImportantFinding(after, &top);
    CHECK((from == nullptr || from->id() != "children-test"));
    // A child's study (aged 3) is inside: the finding is shown without asking.
    const int child = dx::openFile(app.state, "child.dcm", chestDicom("003Y"));
    const std::vector<dx::StudyModel> inside = dx::studyModels(app.state, *app.workspace.find(child));
    CHECK(inside[1].gate == dx::ModelGate::Applies);
    CHECK(inside[1].findingsShown());
    CHECK(app.sentence(child).find("Model children-test on fake.") != std::string::npos);
}

TEST_CASE("A PNG's finding is held back until the user confirms the population, then shown") {
    TestApp app;
    app.openModel("children-test", "Children's pneumonia test model", kChildrenPopulation);
    const int id = dx::openFile(app.state, "child.png", greyPng(230));
    const dx::Study& study = *app.workspace.find(id);
    std::vector<dx::StudyModel> models = dx::studyModels(app.state, study);
    REQUIRE(models.size() == 2);
    for (const dx::StudyModel& m : models) {
        CHECK_FALSE(m.listedApart());
        CHECK(m.done());
        CHECK(m.awaitingPopulationConfirmation());
        CHECK_FALSE(m.findingsShown());
        CHECK(dx::needsPopulationConfirmation(study, m.id()));
    }
    const dx::Finding* top = nullptr;
    CHECK(dx::mostImportantFinding(models, &top) == nullptr); // the study list's line has no finding yet
    std::string said = app.sentence(id);
    CHECK(said.find("children-test: population not verified: confirm in the findings panel.") !=
          std::string::npos);
    CHECK(said.find("pneumonia") == std::string::npos);
    CHECK(app.announced.back() == said); // what the live region said when the analyses finished

    REQUIRE(dx::confirmStudyPopulation(app.state, id));
    models = dx::studyModels(app.state, study);
    for (const dx::StudyModel& m : models) {
        CHECK(m.findingsShown());
        CHECK_FALSE(m.awaitingPopulationConfirmation());
    }
    REQUIRE(dx::mostImportantFinding(models, &top) != nullptr);
    CHECK(top->label == "pneumonia");
    said = app.announced.back();
    CHECK(said.rfind("child.png: population confirmed by the user; the findings are shown. child.png: ", 0) ==
          0);
    CHECK(said.find("Model children-test on fake.") != std::string::npos);
    CHECK(said.find("population not verified") == std::string::npos);
    // Remembered for the study: a model analyzing it later shows its finding at once.
    app.openModel("late-test", "Late test model");
    REQUIRE(dx::analyzeStudyWith(app.state, id, *app.library.findById("late-test")));
    CHECK(dx::studyModels(app.state, study)[2].findingsShown());
}

TEST_CASE("The live sentence names a model's label in the UI language from its manifest") {
    TestApp app;
    app.openModel(
        "children-test", "Children's pneumonia test model",
        std::string(kChildrenPopulation) +
            R"(, "zh-Hans": { "name": "儿童肺炎测试模型", "labels": { "pneumonia": "测试肺炎" } })");
    dx::setLanguage(dx::Language::ChineseSimplified);
    const int id = app.openConfirmed("child.png", greyPng(230));
    const std::vector<dx::StudyModel> models = dx::studyModels(app.state, *app.workspace.find(id));
    CHECK(models[1].name() == "儿童肺炎测试模型");
    CHECK(app.sentence(id).find("测试肺炎") != std::string::npos);
}
