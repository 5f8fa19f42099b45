// Send results to archive (src/app/archive_send.h) against a scripted archive: offered only for a study opened
// from an archive whose archives.json entry allows STOW-RS, nothing sent before the call, one POST to the
// stowRoot with the SR as a multipart part carrying the archive's identifiers, and the answer (stored, refused,
// an HTTP error) recorded and announced. The browser test (tests/e2e/archive_stow.test.mjs) runs it against Orthanc.
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/archive_browser.h"
#include "app/archive_send.h"
#include "app/i18n.h"
#include "core/base/sha256.h"
#include "core/dicom/dicom_parser.h"
#include "core/dicomweb/multipart.h"
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

constexpr const char* kStudy = "1.2.3.4";
constexpr const char* kSeries = "1.2.3.4.9";

class MeanModel : public HeldResultsModel {
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

// A 2 x 2 MR slice of the archive's study, with a patient the archive knows.
dx::Bytes slice() {
    DicomBuilder b; // ascending tag order
    b.text(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.4").text(0x00080018, "UI", "1.9.1");
    b.text(0x00080060, "CS", "MR");
    b.text(0x00100010, "PN", "DOE^JANE").text(0x00100020, "LO", "PAT-7");
    b.text(0x0020000D, "UI", kStudy).text(0x0020000E, "UI", kSeries).text(0x00200013, "IS", "1");
    b.us(dx::DicomTag::SamplesPerPixel, 1).text(dx::DicomTag::PhotometricInterpretation, "CS", "MONOCHROME2");
    b.us(dx::DicomTag::Rows, 2).us(dx::DicomTag::Columns, 2);
    b.us(dx::DicomTag::BitsAllocated, 16).us(dx::DicomTag::BitsStored, 12);
    b.us(dx::DicomTag::HighBit, 11).us(dx::DicomTag::PixelRepresentation, 0);
    b.raw(dx::DicomTag::PixelData, "OW", samples16({0, 1000, 2000, 3000}));
    return b.build();
}

struct SendApp {
    MeanModel model;
    dx::ModelLibrary library;
    dx::Workspace workspace;
    dx::ArchiveBrowser browser;
    dx::ArchiveSend send;
    dx::AppState state;
    std::vector<dx::ArchiveFetch> started;
    std::vector<std::string> announced;

    SendApp() {
        dx::setLanguage(dx::Language::English);
        state.models = &library;
        state.workspace = &workspace;
        state.archive = &browser;
        state.archiveSend = &send;
        state.commands.announce = [this](const std::string& t) { announced.push_back(t); };
        browser.transport.start = [this](const dx::ArchiveFetch& f) { started.push_back(f); };
        browser.transport.cancel = [](int) {};
        library.setBackendOrder({&model});
        const dx::Bytes onnx = {'n', 'o', 't', ' ', 'o', 'n', 'n', 'x'};
        const std::string manifest = R"({"schema": "dxlens.model/1", "id": "mean-test", "name": "Mean test",
            "version": "1", "task": "classification", "file": "model.onnx", "intended_use": "Tests only.",
            "sha256": ")" + dx::sha256Hex(onnx.data(), onnx.size()) +
                                     R"(", "input": {"name": "image", "channels": 1, "height": 2, "width": 2,
            "resize": "stretch", "normalize": {"scale": 0.00392156862745098, "mean": [0], "std": [1]}},
            "outputs": [{"name": "logits", "activation": "softmax", "labels": ["normal", "finding"],
                         "thresholds": {"finding": 0.5}}]})";
        std::map<std::string, dx::Bytes> files = {
            {"manifest.json", dx::Bytes(manifest.begin(), manifest.end())}, {"model.onnx", onnx}};
        library.open(
            library.beginLoading("mean-test"),
            [files](const std::string& path) -> dx::Result<dx::Bytes> {
                auto it = files.find(path);
                if (it == files.end()) return dx::Error(path + ": not in the test package");
                return it->second;
            },
            [](const dx::Bytes&, const std::string&) -> dx::Result<dx::Image> {
                return dx::Error("no images");
            },
            [](const dx::ModelSlot& slot) { REQUIRE(slot.ready()); });
        dx::configureArchives(state, R"({"archives": [
            {"id": "pacs", "name": "PACS", "qidoRoot": "/archive/pacs", "wadoRoot": "/archive/pacs",
             "stowRoot": "/archive/pacs-stow", "stowAllowed": true},
            {"id": "ro", "name": "Read-only PACS", "qidoRoot": "/archive/ro", "wadoRoot": "/archive/ro"}]})");
    }

    // Opens the series from archive `id`; returns the study list entry it made (analyzed at once).
    int openFrom(const std::string& id, int index) {
        browser.archiveIndex = index;
        REQUIRE(dx::currentArchive(state)->id == id);
        REQUIRE(dx::openArchiveSeries(state, kStudy, kSeries) != 0);
        const size_t before = started.size();
        for (size_t i = 0; i < before; i++) {
            const dx::ArchiveFetch f = started[i];
            if (answered.count(f.id)) continue;
            answered[f.id] = true;
            dx::ArchiveAnswer a;
            a.status = 200;
            if (f.request.url.find("/instances") != std::string::npos) {
                const std::string json = R"([{"00080018": {"vr": "UI", "Value": ["1.9.1"]},
                    "00280010": {"vr": "US", "Value": [2]}, "00280011": {"vr": "US", "Value": [2]}}])";
                a.contentType = "application/dicom+json";
                a.body.assign(json.begin(), json.end());
            } else {
                const dx::Bytes file = slice();
                const std::string head = "--b0\r\nContent-Type: application/dicom\r\n\r\n";
                const std::string tail = "\r\n--b0--\r\n";
                a.contentType = "multipart/related; type=\"application/dicom\"; boundary=b0";
                a.body.assign(head.begin(), head.end());
                a.body.insert(a.body.end(), file.begin(), file.end());
                a.body.insert(a.body.end(), tail.begin(), tail.end());
            }
            dx::archiveAnswer(state, f.id, std::move(a));
        }
        const dx::ArchiveRetrieval& r = browser.retrievals.back();
        REQUIRE(r.state == dx::ArchiveRetrieval::State::Done);
        REQUIRE(r.studyIds.size() == 1);
        REQUIRE(workspace.find(r.studyIds[0])->analysis("mean-test")->state == dx::AnalysisState::Done);
        return r.studyIds[0];
    }
    void answer(const dx::ArchiveFetch& f, int status, const std::string& json) {
        dx::ArchiveAnswer a;
        a.status = status;
        a.contentType = "application/dicom+json";
        a.body.assign(json.begin(), json.end());
        REQUIRE(dx::archiveSendAnswer(state, f.id, a));
    }
    std::map<int, bool> answered;
};

std::string storedJson(const std::string& sop) {
    return R"({"00081199": {"vr": "SQ", "Value": [{"00081150": {"vr": "UI", "Value": [")" +
           std::string(dx::kComprehensiveSrSopClassUid) + R"("]}, "00081155": {"vr": "UI", "Value": [")" +
           sop + R"("]}}]}})";
}

} // namespace

TEST_CASE("results go only where archives.json allows it, and only when asked", "[archive-send]") {
    SendApp app;
    // A file opened from disk: no archive to send to, and nothing offered.
    dx::openFile(app.state, "local.dcm", slice());
    CHECK_FALSE(dx::sendToArchiveOffered(app.state));
    std::string why;
    CHECK_FALSE(dx::canSendResultsToArchive(app.state, &why));
    CHECK_THAT(why, Catch::Contains("not opened from an archive"));
    CHECK(dx::sendResultsToArchive(app.state) == 0);

    // The read-only archive: the command is absent; a call sends nothing and says why.
    const int readOnly = app.openFrom("ro", 1);
    CHECK(app.state.selectedStudy == readOnly);
    CHECK(dx::archiveOfStudy(app.state, readOnly)->id == "ro");
    CHECK_FALSE(dx::sendToArchiveOffered(app.state));
    CHECK_FALSE(dx::canSendResultsToArchive(app.state, &why));
    CHECK_THAT(why, Catch::Contains("stowAllowed"));
    const size_t requests = app.started.size();
    CHECK(dx::sendResultsToArchive(app.state) == 0);
    CHECK(app.started.size() == requests);
    CHECK_THAT(app.announced.back(), Catch::StartsWith("Nothing sent: "));
    for (const dx::ArchiveFetch& f : app.started)
        CHECK(f.request.method == "GET"); // opening and analyzing sent nothing
}

TEST_CASE("one click: one STOW-RS POST with the SR, carrying the archive's identifiers; the answer is shown",
          "[archive-send]") {
    SendApp app;
    REQUIRE_FALSE(app.state.settings.showIdentifiers); // the on-screen masking is on
    const int id = app.openFrom("pacs", 0);
    CHECK(dx::sendToArchiveOffered(app.state));
    REQUIRE(dx::canSendResultsToArchive(app.state));
    const size_t requests = app.started.size();
    const int sendId = dx::sendResultsToArchive(app.state);
    REQUIRE(sendId != 0);
    REQUIRE(app.started.size() == requests + 1);
    const dx::ArchiveFetch post = app.started.back();
    CHECK(post.archiveId == "pacs");
    CHECK(post.request.method == "POST");
    CHECK(post.request.url == "/archive/pacs-stow/studies");
    CHECK(post.request.accept == "application/dicom+json");
    dx::Result<dx::MultipartBody> body = dx::parseMultipartBody(post.request.contentType, post.body);
    REQUIRE(body.ok());
    REQUIRE(body->parts.size() == 1); // a classifier: an SR, no SEG
    dx::Result<dx::DicomFile> sr = dx::parseDicom(body->parts[0].data);
    REQUIRE(sr.ok());
    CHECK(sr->string(sr->dataset, 0x00080016) == dx::kComprehensiveSrSopClassUid);
    CHECK(sr->string(sr->dataset, 0x0020000D) == kStudy);
    CHECK(sr->string(sr->dataset, 0x00100020) == "PAT-7"); // filed with the patient the archive holds
    const std::string sop = sr->string(sr->dataset, 0x00080018);

    const dx::ArchiveSendRecord* r = dx::findArchiveSend(app.state, sendId);
    REQUIRE(r != nullptr);
    CHECK(r->state == dx::ArchiveSendRecord::State::Sending);
    CHECK(r->studyId == id);
    CHECK_FALSE(dx::canSendResultsToArchive(app.state)); // not twice at once
    CHECK_THAT(app.announced.back(), Catch::Contains("Sending 1 objects to PACS"));

    app.answer(post, 200, storedJson(sop));
    CHECK(r->state == dx::ArchiveSendRecord::State::Done);
    REQUIRE(r->stored.size() == 1);
    CHECK(r->stored[0].sopInstanceUid == sop);
    CHECK(r->message == "PACS stored 1 of 1 object.");
    CHECK(app.announced.back() == r->message);
    CHECK(dx::lastArchiveSendOfSelected(app.state) == r);
    // The browser's own requests are not taken for uploads.
    dx::ArchiveAnswer stray;
    CHECK_FALSE(dx::archiveSendAnswer(app.state, post.id + 1000, stray));
}

TEST_CASE("a refused object and an HTTP error are said in words", "[archive-send]") {
    SendApp app;
    app.openFrom("pacs", 0);
    REQUIRE(dx::sendResultsToArchive(app.state) != 0);
    app.answer(app.started.back(), 409, R"({"00081198": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI",
        "Value": ["1.2.3"]}, "00081197": {"vr": "US", "Value": [42752]}}]}})");
    const dx::ArchiveSendRecord* r = dx::lastArchiveSendOfSelected(app.state);
    CHECK(r->state == dx::ArchiveSendRecord::State::Failed);
    REQUIRE(r->failed.size() == 1);
    CHECK_THAT(r->message, Catch::Contains("stored 0 of 1"));
    CHECK_THAT(r->message, Catch::Contains("Refused 1.2.3"));

    REQUIRE(dx::sendResultsToArchive(app.state) != 0);
    app.answer(app.started.back(), 401, "");
    r = dx::lastArchiveSendOfSelected(app.state);
    CHECK(r->state == dx::ArchiveSendRecord::State::Failed);
    CHECK(r->httpStatus == 401);
    CHECK_FALSE(r->message.empty());
    CHECK(app.announced.back() == r->message);

    REQUIRE(dx::sendResultsToArchive(app.state) != 0);
    dx::ArchiveAnswer timedOut;
    timedOut.timedOut = true;
    REQUIRE(dx::archiveSendAnswer(app.state, app.started.back().id, timedOut));
    CHECK(dx::lastArchiveSendOfSelected(app.state)->state == dx::ArchiveSendRecord::State::Failed);
}
