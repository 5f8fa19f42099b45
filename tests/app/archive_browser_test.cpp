// The study browser's logic (src/app/archive_browser.h) against a scripted archive: the requests it makes (URL,
// Accept, how many at once), what it does with QIDO-RS and WADO-RS answers (studies, series, thumbnails, DICOM
// files into the study list), the memory limit on a huge series, and a readable message for each failure
// (401/403/404, no answer, timeout, malformed answer, a transfer syntax we do not decode) after which the browser
// still works. The browser test (tests/e2e/archive_browser.test.mjs) runs the same against a real Orthanc.
#include "app/app_state.h"
#include "app/archive_browser.h"
#include "app/i18n.h"
#include "core/inference/model_library.h"
#include "core/viewer/workspace.h"
#include "tests/core/intake_test_util.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

namespace {

constexpr const char* kStudy = "1.2.3.4";

struct ArchiveApp {
    dx::ModelLibrary library;
    dx::Workspace workspace;
    dx::ArchiveBrowser browser;
    dx::AppState state;
    std::vector<dx::ArchiveFetch> started; // every request handed to the "network", in order
    std::vector<int> cancelled;
    std::vector<std::string> announced;

    explicit ArchiveApp(const std::string& config = R"({"archives": [{"id": "pacs", "name": "PACS",
        "qidoRoot": "/archive/pacs", "wadoRoot": "/archive/pacs"}]})") {
        dx::setLanguage(dx::Language::English);
        state.models = &library;
        state.workspace = &workspace;
        state.archive = &browser;
        state.settings.autoAnalyze = false;
        state.commands.announce = [this](const std::string& t) { announced.push_back(t); };
        browser.transport.start = [this](const dx::ArchiveFetch& f) { started.push_back(f); };
        browser.transport.cancel = [this](int id) { cancelled.push_back(id); };
        dx::configureArchives(state, config);
    }

    // Answers the started request whose URL contains `part` (the latest not answered yet).
    void answer(const std::string& part, int status, const std::string& contentType, const dx::Bytes& body,
                bool tooLarge = false) {
        for (auto it = started.rbegin(); it != started.rend(); ++it)
            if (const dx::ArchiveFetch f = *it;
                f.request.url.find(part) != std::string::npos && !answered.count(f.id)) {
                answered[f.id] = true;
                dx::ArchiveAnswer a;
                a.status = status;
                a.contentType = contentType;
                a.body = body;
                a.tooLarge = tooLarge;
                dx::archiveAnswer(state, f.id, std::move(a));
                return;
            }
        FAIL("no request in flight for " << part);
    }
    void answerJson(const std::string& part, const std::string& json, int status = 200) {
        answer(part, status, "application/dicom+json", dx::Bytes(json.begin(), json.end()));
    }
    std::map<int, bool> answered;
};

std::string studyJson(const std::string& uid, const std::string& name) {
    return R"({"0020000D": {"vr": "UI", "Value": [")" + uid +
           R"("]}, "00100010": {"vr": "PN", "Value": [{"Alphabetic": ")" + name +
           R"("}]}, "00080020": {"vr": "DA", "Value": ["20240131"]}, "00080061": {"vr": "CS", "Value": ["MR"]}})";
}

std::string seriesJson(const std::string& uid, int number) {
    return R"({"0020000E": {"vr": "UI", "Value": [")" + uid +
           R"("]}, "00080060": {"vr": "CS", "Value": ["MR"]},
               "00200011": {"vr": "IS", "Value": [)" +
           std::to_string(number) + "]}}";
}

std::string instanceJson(const std::string& sop, int number, int rows, int frames) {
    return R"({"00080018": {"vr": "UI", "Value": [")" + sop + R"("]}, "00200013": {"vr": "IS", "Value": [)" +
           std::to_string(number) + R"(]}, "00280010": {"vr": "US", "Value": [)" + std::to_string(rows) +
           R"(]}, "00280011": {"vr": "US", "Value": [)" + std::to_string(rows) +
           R"(]}, "00280008": {"vr": "IS", "Value": [)" + std::to_string(frames) + "]}}";
}

// A 2 x 2 16-bit MR slice of the series `seriesUid`, encoded in `syntax`; its SOP instance UID is
// seriesUid + "." + number.
dx::Bytes slice(const std::string& seriesUid, int number, const std::string& syntax = "1.2.840.10008.1.2.1") {
    DicomBuilder b; // attributes in ascending tag order, as a DICOM data set has them
    b.transferSyntax = syntax;
    b.text(0x00080018, "UI", seriesUid + "." + std::to_string(number));
    b.text(0x00080060, "CS", "MR");
    b.text(0x0020000D, "UI", kStudy).text(0x0020000E, "UI", seriesUid);
    b.text(0x00200013, "IS", std::to_string(number));
    b.us(dx::DicomTag::SamplesPerPixel, 1).text(dx::DicomTag::PhotometricInterpretation, "CS", "MONOCHROME2");
    b.us(dx::DicomTag::Rows, 2).us(dx::DicomTag::Columns, 2);
    b.us(dx::DicomTag::BitsAllocated, 16).us(dx::DicomTag::BitsStored, 12);
    b.us(dx::DicomTag::HighBit, 11).us(dx::DicomTag::PixelRepresentation, 0);
    b.raw(dx::DicomTag::PixelData, "OW", samples16({0, 1000, 2000, uint16_t(100 * number)}));
    return b.build();
}

// multipart/related; type="application/dicom" with each file a part (quoted boundary, as Orthanc sends it).
std::pair<std::string, dx::Bytes> multipart(const std::vector<dx::Bytes>& files) {
    const std::string boundary = "b0undary-xyz";
    dx::Bytes body;
    const auto put = [&](const std::string& s) { body.insert(body.end(), s.begin(), s.end()); };
    for (const dx::Bytes& f : files) {
        put("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n");
        body.insert(body.end(), f.begin(), f.end());
        put("\r\n");
    }
    put("--" + boundary + "--\r\n");
    return {"multipart/related; type=\"application/dicom\"; boundary=\"" + boundary + "\"", body};
}

} // namespace

TEST_CASE("archives.json decides whether there is a browser at all", "[archive]") {
    ArchiveApp none("");
    CHECK_FALSE(dx::archivesAvailable(none.state));
    CHECK(none.browser.configMessage.empty());
    ArchiveApp empty(R"({"archives": []})");
    CHECK_FALSE(dx::archivesAvailable(empty.state));
    ArchiveApp broken(R"({"archives": [{"id": "x", "name": "X", "qidoRoot": "ftp://x"}]})");
    CHECK_FALSE(dx::archivesAvailable(broken.state));
    CHECK_FALSE(broken.browser.configMessage.empty());
    CHECK_FALSE(dx::searchArchive(broken.state));
    ArchiveApp app;
    REQUIRE(dx::archivesAvailable(app.state));
    CHECK(dx::currentArchive(app.state)->name == "PACS");
}

TEST_CASE("a search asks QIDO-RS for one page (plus one row) and lists the studies", "[archive]") {
    ArchiveApp app;
    app.browser.pageSize = 2;
    app.browser.form.patientName = "doe";
    app.browser.form.modality = "MR";
    REQUIRE(dx::searchArchive(app.state));
    REQUIRE(app.started.size() == 1);
    const dx::ArchiveFetch f = app.started[0];
    CHECK(f.archiveId == "pacs");
    CHECK(f.request.accept == std::string("application/dicom+json"));
    CHECK(f.request.url.rfind("/archive/pacs/studies?", 0) == 0);
    CHECK(f.request.url.find("limit=3") != std::string::npos);
    CHECK(f.request.url.find("PatientName=*doe*") != std::string::npos); // QIDO wildcards, not escaped
    CHECK(app.browser.searchState == dx::ArchiveBrowser::SearchState::Searching);
    app.answerJson("/studies?", "[" + studyJson("1.1", "DOE^JANE") + "," + studyJson("1.2", "DOE^JOHN") +
                                    "," + studyJson("1.3", "DOE^JIM") + "]");
    CHECK(app.browser.searchState == dx::ArchiveBrowser::SearchState::Done);
    REQUIRE(app.browser.studies.size() == 2);
    CHECK(app.browser.hasNextPage);
    CHECK(dx::displayPersonName(app.browser.studies[0].patientName) == "DOE, JANE");
    CHECK(dx::displayDicomDate(app.browser.studies[0].studyDate) == "2024-01-31");
    REQUIRE(dx::searchArchive(app.state, 1));
    CHECK(app.started.back().request.url.find("offset=2") != std::string::npos);
}

TEST_CASE("each failure says what happened and the browser keeps working", "[archive]") {
    ArchiveApp app;
    const auto searchAnswering = [&](int status, bool timedOut, const std::string& body) {
        REQUIRE(dx::searchArchive(app.state));
        dx::ArchiveAnswer a;
        a.status = status;
        a.timedOut = timedOut;
        a.contentType = "application/dicom+json";
        a.body.assign(body.begin(), body.end());
        dx::archiveAnswer(app.state, app.started.back().id, std::move(a));
        CHECK(app.browser.searchState == dx::ArchiveBrowser::SearchState::Failed);
        return app.browser.searchMessage;
    };
    CHECK_THAT(searchAnswering(401, false, ""), Catch::Contains("sign-in") && Catch::Contains("401"));
    CHECK_THAT(searchAnswering(403, false, ""), Catch::Contains("refused") && Catch::Contains("403"));
    CHECK_THAT(searchAnswering(404, false, ""), Catch::Contains("no such address") && Catch::Contains("404"));
    CHECK_THAT(searchAnswering(0, false, ""),
               Catch::Contains("could not be reached") && Catch::Contains("CORS"));
    CHECK_THAT(searchAnswering(0, true, ""), Catch::Contains("did not answer") && Catch::Contains("in time"));
    CHECK_FALSE(searchAnswering(200, false, "<html>not json").empty());
    // And then a search that works.
    REQUIRE(dx::searchArchive(app.state));
    app.answerJson("/studies?", "[" + studyJson(kStudy, "A^B") + "]");
    CHECK(app.browser.searchState == dx::ArchiveBrowser::SearchState::Done);
    CHECK(app.browser.studies.size() == 1);
    CHECK(dx::archiveRequestsInFlight(app.state) == 0);
}

TEST_CASE("a study's series are listed with thumbnails, at most four requests at once", "[archive]") {
    ArchiveApp app;
    REQUIRE(dx::searchArchive(app.state));
    app.answerJson("/studies?", "[" + studyJson(kStudy, "A^B") + "]");
    REQUIRE(dx::selectArchiveStudy(app.state, 0));
    std::string series = "[";
    for (int i = 1; i <= 6; i++)
        series += (i > 1 ? "," : "") + seriesJson("1.2.3.4." + std::to_string(i), 7 - i);
    app.answerJson(std::string("/studies/") + kStudy + "/series", series + "]");
    REQUIRE(app.browser.series.size() == 6);
    CHECK(app.browser.series[0].record.seriesNumber == 1); // sorted by series number
    CHECK(dx::archiveRequestsInFlight(app.state) == 4);
    CHECK(dx::archiveRequestsWaiting(app.state) == 2);
    // The series numbered 1 (UID .6): its instances, then its first instance (by number) as the thumbnail;
    // the other series list no instance, so they get no thumbnail.
    app.answerJson("/series/1.2.3.4.6/instances", "[" + instanceJson("1.2.3.4.6.2", 2, 2, 1) + "," +
                                                      instanceJson("1.2.3.4.6.1", 1, 2, 1) + "]");
    CHECK(dx::archiveRequestsInFlight(app.state) == 4); // the next waiting request took its place
    for (int i = 5; i >= 1; i--) // in the order they started: each answer lets a waiting request go
        app.answerJson("/series/1.2.3.4." + std::to_string(i) + "/instances", "[]");
    CHECK(app.browser.series[5].thumbnail.state == dx::ArchiveThumbnail::State::Failed);
    const dx::ArchiveFetch thumb = app.started.back();
    CHECK(thumb.request.url.find("/instances/1.2.3.4.6.1") != std::string::npos);
    CHECK(thumb.request.accept.find("application/dicom") != std::string::npos);
    const auto [type, body] = multipart({slice("1.2.3.4.6", 1)});
    app.answer("/instances/1.2.3.4.6.1", 200, type, body);
    const dx::ArchiveThumbnail& t = app.browser.series[0].thumbnail;
    REQUIRE(t.state == dx::ArchiveThumbnail::State::Ready);
    CHECK(t.width == 2);
    CHECK(t.rgba.size() == 2 * 2 * 4);
    CHECK(app.workspace.studies().empty()); // a thumbnail opens nothing
}

TEST_CASE("opening a series retrieves it whole and each instance joins the study list", "[archive]") {
    ArchiveApp app;
    const int id = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.9");
    REQUIRE(id != 0);
    REQUIRE(app.started.size() == 1); // no instance list first: the whole series at once
    const dx::ArchiveFetch whole = app.started.back();
    CHECK(whole.maxBytes == app.browser.memoryBudgetBytes); // at most the free budget in bytes
    CHECK(whole.request.url.find("/studies/1.2.3.4/series/1.2.3.4.9") != std::string::npos);
    CHECK(whole.request.url.find("/instances") == std::string::npos);
    CHECK(whole.request.accept == std::string(dx::kWadoDicomAccept));
    dx::archiveProgress(app.state, whole.id, 100, 400);
    CHECK(dx::findRetrieval(app.state, id)->bytesDone == 100);
    const auto [type, body] =
        multipart({slice("1.2.3.4.9", 1), slice("1.2.3.4.9", 2), slice("1.2.3.4.9", 3)});
    app.answer("/series/1.2.3.4.9", 200, type, body);
    const dx::ArchiveRetrieval* r = dx::findRetrieval(app.state, id);
    REQUIRE(r->state == dx::ArchiveRetrieval::State::Done);
    CHECK(r->instancesOpened == 3);
    CHECK(app.workspace.studies().size() == 3);
    for (const auto& s : app.workspace.studies())
        CHECK(s->ok());
    CHECK_THAT(r->message, Catch::Contains("opened 3 of 3"));
    CHECK_FALSE(dx::archiveBusy(app.state));
}

TEST_CASE("a series asked for whole opens in instance order, sized from its parts' own headers",
          "[archive]") {
    ArchiveApp app;
    const int id = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.2");
    const auto [type, body] = multipart({slice("1.2.3.4.2", 2), slice("1.2.3.4.2", 1)});
    app.answer("/series/1.2.3.4.2", 200, type, body); // the archive's order, not the instance order
    const dx::ArchiveRetrieval* r = dx::findRetrieval(app.state, id);
    CHECK(r->state == dx::ArchiveRetrieval::State::Done);
    CHECK(r->instancesTotal == 2);
    CHECK(r->instancesPlanned == 2);
    REQUIRE(app.workspace.studies().size() == 2);
    // The fourth sample is 100 x the instance number: instance 1 opened first.
    const std::vector<uint8_t>& first = app.workspace.studies().front()->image->pixels;
    REQUIRE(first.size() >= 8);
    CHECK((first[6] | first[7] << 8) == 100);
    CHECK(app.started.size() == 1); // nothing else asked for

    // Decoded sizes from the headers (2 x 2 x 2 bytes each) against the budget: two of three fit.
    ArchiveApp small;
    const int part = dx::openArchiveSeries(small.state, kStudy, "1.2.3.4.1");
    const auto [type3, body3] =
        multipart({slice("1.2.3.4.1", 3), slice("1.2.3.4.1", 1), slice("1.2.3.4.1", 2)});
    small.browser.memoryBudgetBytes = 20; // the answer itself was allowed in bytes; what it decodes to is not
    small.answer("/series/1.2.3.4.1", 200, type3, body3);
    r = dx::findRetrieval(small.state, part);
    CHECK(r->state == dx::ArchiveRetrieval::State::Done);
    CHECK(r->instancesOpened == 2);
    CHECK(r->framesNotLoaded == 1);
    CHECK(small.workspace.studies().size() == 2);
    CHECK_THAT(r->message, Catch::Contains("1 instances (1 frames) were not loaded"));

    // Nothing fits: a clear refusal, nothing opened.
    ArchiveApp none;
    const int refused = dx::openArchiveSeries(none.state, kStudy, "1.2.3.4.1");
    none.browser.memoryBudgetBytes = 4;
    none.answer("/series/1.2.3.4.1", 200, type3, body3);
    CHECK(dx::findRetrieval(none.state, refused)->state == dx::ArchiveRetrieval::State::Failed);
    CHECK_THAT(dx::findRetrieval(none.state, refused)->message, Catch::Contains("memory limit"));
    CHECK(none.workspace.studies().empty());

    // Two series asked for at once share the budget: what the first opened counts against the second.
    ArchiveApp two;
    const int a = dx::openArchiveSeries(two.state, kStudy, "1.2.3.4.1");
    const int b = dx::openArchiveSeries(two.state, kStudy, "1.2.3.4.2");
    two.browser.memoryBudgetBytes = 20;
    const auto [typeA, bodyA] = multipart({slice("1.2.3.4.1", 1), slice("1.2.3.4.1", 2)});
    const auto [typeB, bodyB] = multipart({slice("1.2.3.4.2", 1), slice("1.2.3.4.2", 2)});
    // Streamed side by side: each one's first instance, then the rest of each.
    const auto piece = [&](const dx::Bytes& body, size_t from, size_t to) {
        return std::span<const uint8_t>(body).subspan(from, to - from);
    };
    dx::archiveBodyPiece(two.state, two.started[0].id, typeA, piece(bodyA, 0, bodyA.size() * 2 / 3));
    dx::archiveBodyPiece(two.state, two.started[1].id, typeB, piece(bodyB, 0, bodyB.size() * 2 / 3));
    CHECK(two.workspace.studies().size() == 2);
    dx::archiveBodyPiece(two.state, two.started[0].id, typeA,
                         piece(bodyA, bodyA.size() * 2 / 3, bodyA.size()));
    dx::archiveBodyPiece(two.state, two.started[1].id, typeB,
                         piece(bodyB, bodyB.size() * 2 / 3, bodyB.size()));
    two.answer("/series/1.2.3.4.1", 200, typeA, {});
    two.answer("/series/1.2.3.4.2", 200, typeB, {});
    CHECK(two.workspace.studies().size() == 2); // 16 of 20 bytes: a third slice would pass the budget
    CHECK(dx::findRetrieval(two.state, a)->instancesOpened == 1);
    CHECK(dx::findRetrieval(two.state, b)->instancesOpened == 1);
    CHECK(dx::findRetrieval(two.state, a)->framesNotLoaded == 1);
}

TEST_CASE("a streamed series opens its instances as they arrive, the rest with the answer", "[archive]") {
    ArchiveApp app;
    const int id = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.2");
    const dx::ArchiveFetch whole = app.started.back();
    CHECK(whole.stream);
    const auto [type, body] =
        multipart({slice("1.2.3.4.2", 1), slice("1.2.3.4.2", 2), slice("1.2.3.4.2", 3)});
    // Pieces of 37 bytes, as a network hands them over: boundaries fall anywhere.
    size_t at = 0;
    for (; at < body.size() * 2 / 3; at += 37)
        dx::archiveBodyPiece(
            app.state, whole.id, type,
            std::span<const uint8_t>(body).subspan(at, std::min<size_t>(37, body.size() - at)));
    const size_t early = app.workspace.studies().size();
    CHECK(early >= 1); // opened before the answer's end
    CHECK(early < 3);
    CHECK(dx::findRetrieval(app.state, id)->state == dx::ArchiveRetrieval::State::Retrieving);
    for (; at < body.size(); at += 37)
        dx::archiveBodyPiece(
            app.state, whole.id, type,
            std::span<const uint8_t>(body).subspan(at, std::min<size_t>(37, body.size() - at)));
    app.answer("/series/1.2.3.4.2", 200, type, {}); // the platform sends no bytes after the pieces
    const dx::ArchiveRetrieval* r = dx::findRetrieval(app.state, id);
    CHECK(r->state == dx::ArchiveRetrieval::State::Done);
    CHECK(r->instancesOpened == 3);
    CHECK(r->problems.empty());
    CHECK(app.workspace.studies().size() == 3);
    CHECK_THAT(r->message, Catch::Contains("opened 3 of 3"));

    // Past the byte limit after two instances opened: the list plans the rest without fetching those again.
    ArchiveApp cut;
    const int part = dx::openArchiveSeries(cut.state, kStudy, "1.2.3.4.1");
    const auto [type3, body3] =
        multipart({slice("1.2.3.4.1", 1), slice("1.2.3.4.1", 2), slice("1.2.3.4.1", 3)});
    dx::archiveBodyPiece(cut.state, cut.started.back().id, type3,
                         std::span<const uint8_t>(body3).first(body3.size() * 3 / 4));
    REQUIRE(cut.workspace.studies().size() == 2);
    cut.answer("/series/1.2.3.4.1", 200, type3, {}, true);
    cut.answerJson("/series/1.2.3.4.1/instances", "[" + instanceJson("1.2.3.4.1.1", 1, 2, 1) + "," +
                                                      instanceJson("1.2.3.4.1.2", 2, 2, 1) + "," +
                                                      instanceJson("1.2.3.4.1.3", 3, 2, 1) + "]");
    CHECK(cut.started.back().request.url.find("/instances/1.2.3.4.1.3") != std::string::npos);
    const auto [one, oneBody] = multipart({slice("1.2.3.4.1", 3)});
    cut.answer("/instances/1.2.3.4.1.3", 200, one, oneBody);
    r = dx::findRetrieval(cut.state, part);
    CHECK(r->state == dx::ArchiveRetrieval::State::Done);
    CHECK(r->instancesOpened == 3);
    CHECK(r->instancesTotal == 3);
    CHECK(cut.workspace.studies().size() == 3);
    CHECK(cut.started.size() == 3); // the series, its list, the one instance missing
}

TEST_CASE("a huge series is loaded only up to the memory limit, and the browser says what it left out",
          "[archive]") {
    ArchiveApp app;
    app.browser.memoryBudgetBytes = 10u << 20; // 10 MB
    const int id = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.8");
    // The whole series passes the byte limit: abandoned, and the instance list plans it.
    CHECK(app.started.back().maxBytes == (10u << 20));
    app.answer("/series/1.2.3.4.8", 200, "multipart/related", {}, true);
    CHECK(dx::findRetrieval(app.state, id)->state == dx::ArchiveRetrieval::State::Listing);
    // 2,000 frames of 512 x 512 in 20 instances of 100 frames: 50 MB each at 2 bytes a sample.
    std::string list = "[" + instanceJson("1.8.0", 0, 2, 1); // a small first one fits
    for (int i = 1; i <= 20; i++)
        list += "," + instanceJson("1.8." + std::to_string(i), i, 512, 100);
    app.answerJson("/series/1.2.3.4.8/instances", list + "]");
    const dx::ArchiveRetrieval* r = dx::findRetrieval(app.state, id);
    REQUIRE(r->state == dx::ArchiveRetrieval::State::Retrieving);
    CHECK_FALSE(r->wholeSeries); // instance by instance: only what fits
    CHECK(r->instancesPlanned == 1);
    CHECK(r->framesNotLoaded == 2000);
    CHECK(app.started.back().request.url.find("/instances/1.8.0") != std::string::npos);
    const auto [type, body] = multipart({slice("1.2.3.4.8", 0)});
    app.answer("/instances/1.8.0", 200, type, body);
    r = dx::findRetrieval(app.state, id);
    CHECK(r->state == dx::ArchiveRetrieval::State::Done);
    CHECK_THAT(r->message, Catch::Contains("20 instances (2000 frames) were not loaded") &&
                               Catch::Contains("memory limit of 10 MB"));
    // Nothing fits at all: a clear refusal, no request for pixels.
    ArchiveApp tight;
    tight.browser.memoryBudgetBytes = 1u << 20;
    const int refused = dx::openArchiveSeries(tight.state, kStudy, "1.2.3.4.7");
    tight.answer("/series/1.2.3.4.7", 200, "multipart/related", {}, true);
    tight.answerJson("/series/1.2.3.4.7/instances", "[" + instanceJson("1.7.1", 1, 4096, 2000) + "]");
    CHECK(dx::findRetrieval(tight.state, refused)->state == dx::ArchiveRetrieval::State::Failed);
    CHECK_THAT(dx::findRetrieval(tight.state, refused)->message, Catch::Contains("memory limit"));
    // The abandoned whole series and the list: nothing else is asked for.
    REQUIRE(tight.started.size() == 2);
    CHECK(tight.cancelled.empty());
    CHECK_FALSE(dx::archiveBusy(tight.state));
}

TEST_CASE("a retrieval that fails or holds an undecodable syntax says so; the rest still opens",
          "[archive]") {
    ArchiveApp app;
    const int gone = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.5");
    app.answer("/series/1.2.3.4.5", 404, "text/plain", {});
    CHECK(dx::findRetrieval(app.state, gone)->state == dx::ArchiveRetrieval::State::Failed);
    CHECK_THAT(dx::findRetrieval(app.state, gone)->message,
               Catch::Contains("does not have this study or series"));

    const int mixed = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.6");
    // MPEG-2: a syntax no codec of ours decodes.
    const auto [type, body] =
        multipart({slice("1.2.3.4.6", 1), slice("1.2.3.4.6", 2, "1.2.840.10008.1.2.4.100")});
    app.answer("/series/1.2.3.4.6", 200, type, body);
    const dx::ArchiveRetrieval* r = dx::findRetrieval(app.state, mixed);
    CHECK(r->state == dx::ArchiveRetrieval::State::Done);
    CHECK(r->instancesOpened == 1);
    CHECK(r->instancesFailed == 1);
    CHECK_THAT(r->message, Catch::Contains("1 could not be decoded"));

    // A body cut in the middle of its only part opens nothing and says why.
    const int cut = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.4");
    auto [cutType, cutBody] = multipart({slice("1.2.3.4.4", 1)});
    cutBody.resize(cutBody.size() / 2);
    app.answer("/series/1.2.3.4.4", 200, cutType, cutBody);
    CHECK(dx::findRetrieval(app.state, cut)->state == dx::ArchiveRetrieval::State::Failed);
    CHECK_FALSE(dx::findRetrieval(app.state, cut)->message.empty());
}

TEST_CASE("cancel stops every request; what was opened stays", "[archive]") {
    ArchiveApp app;
    const int id = dx::openArchiveSeries(app.state, kStudy, "1.2.3.4.3");
    REQUIRE(dx::archiveBusy(app.state));
    const int fetchId = app.started.back().id;
    dx::cancelArchiveWork(app.state);
    CHECK(app.cancelled == std::vector<int>{fetchId});
    CHECK(dx::findRetrieval(app.state, id)->state == dx::ArchiveRetrieval::State::Cancelled);
    CHECK_FALSE(dx::archiveBusy(app.state));
    // A late answer for the cancelled request changes nothing.
    const auto [type, body] = multipart({slice("1.2.3.4.3", 1)});
    dx::ArchiveAnswer late;
    late.status = 200;
    late.contentType = type;
    late.body = body;
    dx::archiveAnswer(app.state, fetchId, std::move(late));
    CHECK(app.workspace.studies().empty());
    CHECK(dx::searchArchive(app.state));
}
