// DICOMweb core: archives.json checks and origins, QIDO-RS URLs and DICOM JSON records, multipart/related
// framing (the shapes Orthanc and other archives send, cut bodies, binary data), WADO-RS parts into decodable
// DICOM files and frames, failure messages, and a STOW-RS body read back by our own parser.
#include "core/base/file_io.h"
#include "core/dicomweb/archive_config.h"
#include "core/dicomweb/multipart.h"
#include "core/dicomweb/qido.h"
#include "core/dicomweb/stow.h"
#include "core/dicomweb/wado.h"
#include "core/intake/image_decoder.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace {

// Parts are spans into the body, so a body must outlive its parse: literals (static) or named strings only.
std::span<const uint8_t> bytesOf(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::span<const uint8_t> bytesOf(std::string&&) = delete;
std::span<const uint8_t> bytesOf(const char* literal) {
    return {reinterpret_cast<const uint8_t*>(literal), std::strlen(literal)};
}

std::string textOf(std::span<const uint8_t> b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string configError(const std::string& text) {
    dx::Result<dx::ArchivesConfig> r = dx::parseArchivesConfig(text);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}

dx::ArchiveConfig orthanc(bool fuzzy = false, bool include = true) {
    dx::ArchiveConfig a;
    a.id = "orthanc";
    a.name = "Radiology PACS";
    a.qidoRoot = a.wadoRoot = a.stowRoot = "/archive/orthanc/dicom-web";
    a.supportsFuzzyMatching = fuzzy;
    a.qidoSupportsIncludeField = include;
    return a;
}

// A DICOM Part-10 look-alike: 128-byte preamble, "DICM", then payload (enough for the marker checks).
std::string fakePart10(const std::string& payload) {
    return std::string(128, '\0') + "DICM" + payload;
}

dx::Bytes readCorpus(const char* name) {
    dx::Result<dx::Bytes> b =
        dx::readFileBytes(std::string(DX_SOURCE_DIR) + "/tests/fuzz/corpus/dicom/" + name);
    REQUIRE(b.ok());
    return *b;
}

} // namespace

// --- archives.json ---------------------------------------------------------------------------------------------

TEST_CASE("archives.json: a full entry and the defaults", "[dicomweb][config]") {
    dx::Result<dx::ArchivesConfig> r = dx::parseArchivesConfig(R"({"archives": [
      {"id": "orthanc", "name": "Radiology PACS", "qidoRoot": "/archive/orthanc/dicom-web/",
       "wadoRoot": "/archive/orthanc/dicom-web", "auth": "bearer", "stowAllowed": true,
       "supportsFuzzyMatching": true, "qidoSupportsIncludeField": true,
       "acceptHeader": ["multipart/related; type=application/octet-stream; transfer-syntax=*", "image/jls"]},
      {"id": "remote_2", "name": "Remote", "qidoRoot": "https://PACS.example.org:443/dicom-web",
       "wadoRoot": "https://pacs.example.org/wado", "stowRoot": "http://127.0.0.1:8042/dicom-web"}]})");
    REQUIRE(r.ok());
    REQUIRE(r->archives.size() == 2);
    const dx::ArchiveConfig& a = r->archives[0];
    CHECK(a.qidoRoot == "/archive/orthanc/dicom-web"); // trailing slash dropped
    CHECK(a.stowRoot == a.wadoRoot);                   // defaults to the WADO root
    CHECK(a.auth == dx::ArchiveAuth::Bearer);
    CHECK(a.stowAllowed);
    CHECK(a.supportsFuzzyMatching);
    CHECK(a.qidoSupportsIncludeField);
    CHECK(a.acceptHeader == "multipart/related; type=application/octet-stream; transfer-syntax=*, image/jls");
    const dx::ArchiveConfig& b = r->archives[1];
    CHECK(b.auth == dx::ArchiveAuth::None);
    CHECK_FALSE(b.stowAllowed);
    CHECK_FALSE(b.supportsFuzzyMatching);
    CHECK(b.acceptHeader.empty());
    CHECK(r->find("remote_2") == &r->archives[1]);
    CHECK(r->find("nope") == nullptr);

    dx::ArchiveOrigins o = dx::archiveOrigins(*r);
    CHECK(o.appOrigin);
    // Lowercase host, default port dropped, as URL.origin writes them; sorted and unique.
    CHECK(o.external == std::vector<std::string>{"http://127.0.0.1:8042", "https://pacs.example.org"});
}

TEST_CASE("archives.json: only relative roots need no external origin", "[dicomweb][config]") {
    dx::Result<dx::ArchivesConfig> r = dx::parseArchivesConfig(
        R"({"archives": [{"id": "a", "name": "A", "qidoRoot": "/dw", "wadoRoot": "/dw"}]})");
    REQUIRE(r.ok());
    dx::ArchiveOrigins o = dx::archiveOrigins(*r);
    CHECK(o.appOrigin);
    CHECK(o.external.empty());
    CHECK(dx::parseArchivesConfig(R"({"archives": []})").ok());
    CHECK(dx::archiveOrigins(*dx::parseArchivesConfig(R"({"archives": []})")).external.empty());
}

TEST_CASE("archives.json: each mistake names the file, the entry and the setting", "[dicomweb][config]") {
    const std::string good = R"({"id": "a", "name": "A", "qidoRoot": "/dw", "wadoRoot": "/dw"})";
    auto second = [&](const std::string& entry) { return R"({"archives": [)" + good + "," + entry + "]}"; };
    CHECK(
        configError(second(R"({"id": "b", "name": "B", "qidoRoot": "ftp://pacs/dw", "wadoRoot": "/dw"})")) ==
        "archives.json: archives[1].qidoRoot must be an http(s) URL or a path on this site starting with "
        "'/', "
        "got \"ftp://pacs/dw\"");
    CHECK_THAT(configError(
                   second(R"({"id": "b", "name": "B", "qidoRoot": "//evil.example/dw", "wadoRoot": "/dw"})")),
               Catch::Contains("archives[1].qidoRoot") && Catch::Contains("another site"));
    CHECK_THAT(
        configError(second(R"({"id": "b", "name": "B", "qidoRoot": "/dw", "wadoRoot": "/\\evil.example"})")),
        Catch::Contains("archives[1].wadoRoot") && Catch::Contains("backslashes"));
    CHECK_THAT(configError(second(
                   R"({"id": "b", "name": "B", "qidoRoot": "https://u:p@pacs/dw", "wadoRoot": "/dw"})")),
               Catch::Contains("user name or password"));
    CHECK_THAT(configError(second(
                   R"({"id": "b", "name": "B", "qidoRoot": "https://pacs:99999/dw", "wadoRoot": "/dw"})")),
               Catch::Contains("port"));
    CHECK_THAT(configError(second(
                   R"({"id": "b", "name": "B", "qidoRoot": "https://pacs/dw?x=1", "wadoRoot": "/dw"})")),
               Catch::Contains("query"));
    CHECK_THAT(configError(second(R"({"id": "a", "name": "B", "qidoRoot": "/dw", "wadoRoot": "/dw"})")),
               Catch::Contains("archives[1].id \"a\" is used by an earlier archive"));
    CHECK_THAT(configError(second(R"({"id": "b c", "name": "B", "qidoRoot": "/dw", "wadoRoot": "/dw"})")),
               Catch::Contains("archives[1].id may contain only"));
    CHECK(configError(second(R"({"id": "b", "name": "B", "qidoRoot": "/dw"})")) ==
          "archives.json: archives[1].wadoRoot is missing");
    CHECK(configError(
              second(R"({"id": "b", "name": "B", "qidoRoot": "/dw", "wadoRoot": "/dw", "auth": "basic"})")) ==
          "archives.json: archives[1].auth is \"basic\" but must be \"none\" or \"bearer\"");
    CHECK(configError(second(
              R"({"id": "b", "name": "B", "qidoRoot": "/dw", "wadoRoot": "/dw", "stowAllowed": "yes"})")) ==
          "archives.json: archives[1].stowAllowed must be true or false");
    CHECK_THAT(configError(second(
                   R"({"id": "b", "name": "B", "qidoRoot": "/dw", "wadoRoot": "/dw", "stowalowed": true})")),
               Catch::Contains("archives[1].stowalowed is not a setting DxLens knows"));
    CHECK_THAT(configError(second(R"({"id": "b", "name": "B", "qidoRoot": "/", "wadoRoot": "/dw"})")),
               Catch::Contains("not the site's root"));
    CHECK(configError("{") == "archives.json is not valid JSON");
    CHECK(configError("[]") == "archives.json must hold one JSON object with an \"archives\" list");
    CHECK(configError("{}") == "archives.json: archives is missing");
    CHECK(configError(R"({"archives": {}})") == "archives.json: archives must be a list of archives");
    CHECK_THAT(configError(R"({"archives": [], "dataSources": []})"),
               Catch::Contains("dataSources is not a setting"));
}

TEST_CASE("URL pieces: origins, percent-encoding, UIDs", "[dicomweb][url]") {
    CHECK(dx::urlOrigin("HTTPS://Pacs.Example.org:443/dicom-web") == "https://pacs.example.org");
    CHECK(dx::urlOrigin("http://[::1]:8042/dicom-web") == "http://[::1]:8042");
    CHECK(dx::urlOrigin("http://localhost:80") == "http://localhost");
    CHECK(dx::urlOrigin("/archive/orthanc").empty());
    CHECK(dx::urlOrigin("javascript:alert(1)").empty());
    CHECK(dx::percentEncode("DOE^JANE") == "DOE%5EJANE");
    CHECK(dx::percentEncode("a b&c=d+e/f?g#h") == "a%20b%26c%3Dd%2Be%2Ff%3Fg%23h");
    CHECK(dx::percentEncode("*doe*,x-y_z.~") == "*doe*,x-y_z.~");
    CHECK(dx::percentEncode("M\xc3\xbcller") == "M%C3%BCller");
    CHECK(dx::isDicomUid("1.2.840.10008.1.2.4.80"));
    CHECK_FALSE(dx::isDicomUid(""));
    CHECK_FALSE(dx::isDicomUid(".."));
    CHECK_FALSE(dx::isDicomUid("1.2/../3"));
    CHECK_FALSE(dx::isDicomUid(std::string(65, '1')));
}

// --- QIDO-RS -------------------------------------------------------------------------------------------------

TEST_CASE("QIDO-RS: study search URLs", "[dicomweb][qido]") {
    dx::StudySearch s;
    s.patientName = " doe, jane ";
    s.studyDateFrom = "20240101";
    s.studyDateTo = "20240331";
    s.modality = "ct";
    s.accessionNumber = "A&B=1";
    s.patientId = "PAT 001";
    s.limit = 26;
    s.offset = 25;
    dx::Result<std::string> u = dx::qidoStudiesUrl(orthanc(), s);
    REQUIRE(u.ok());
    CHECK(*u == "/archive/orthanc/dicom-web/studies?PatientID=PAT%20001&PatientName=*doe*jane*"
                "&StudyDate=20240101-20240331&ModalitiesInStudy=CT&AccessionNumber=A%26B%3D1"
                "&includefield=00081030&limit=26&offset=25");

    dx::Result<std::string> fuzzy = dx::qidoStudiesUrl(orthanc(true, false), s);
    REQUIRE(fuzzy.ok());
    CHECK_THAT(*fuzzy, Catch::Contains("PatientName=doe,%20jane&") && Catch::Contains("&fuzzymatching=true"));
    CHECK_THAT(*fuzzy, !Catch::Contains("includefield"));

    dx::StudySearch open;
    open.studyDateTo = "20231231";
    open.patientName = "DOE^J?NE";
    CHECK(
        *dx::qidoStudiesUrl(orthanc(false, false), open) ==
        "/archive/orthanc/dicom-web/studies?PatientName=DOE%5EJ%3FNE&StudyDate=-20231231&limit=50&offset=0");
    dx::StudySearch oneDay;
    oneDay.studyDateFrom = oneDay.studyDateTo = "20240229";
    CHECK_THAT(*dx::qidoStudiesUrl(orthanc(), oneDay), Catch::Contains("StudyDate=20240229&"));
}

TEST_CASE("QIDO-RS: search mistakes are readable errors", "[dicomweb][qido]") {
    dx::StudySearch s;
    s.studyDateFrom = "20230229"; // not a leap year
    dx::Result<std::string> u = dx::qidoStudiesUrl(orthanc(), s);
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().message == "The study date \"from\" must be a date written YYYYMMDD, got \"20230229\".");
    s.studyDateFrom = "2024-01-01";
    CHECK_FALSE(dx::qidoStudiesUrl(orthanc(), s).ok());
    s.studyDateFrom = "20240301";
    s.studyDateTo = "20240201";
    CHECK_THAT(dx::qidoStudiesUrl(orthanc(), s).error().message, Catch::Contains("starts (20240301) after"));
    dx::StudySearch paging;
    paging.limit = 0;
    CHECK_FALSE(dx::qidoStudiesUrl(orthanc(), paging).ok());
    paging.limit = 10;
    paging.offset = -1;
    CHECK_FALSE(dx::qidoStudiesUrl(orthanc(), paging).ok());
}

TEST_CASE("QIDO-RS: series and instance URLs refuse what is not a UID", "[dicomweb][qido]") {
    CHECK(*dx::qidoSeriesUrl(orthanc(), "1.2.3") ==
          "/archive/orthanc/dicom-web/studies/1.2.3/series?includefield=00180015");
    CHECK(*dx::qidoSeriesUrl(orthanc(false, false), "1.2.3") ==
          "/archive/orthanc/dicom-web/studies/1.2.3/series");
    CHECK(*dx::qidoInstancesUrl(orthanc(), "1.2.3", "1.2.3.4") ==
          "/archive/orthanc/dicom-web/studies/1.2.3/series/1.2.3.4/instances?includefield=00083002,00280008");
    dx::Result<std::string> bad = dx::qidoSeriesUrl(orthanc(), "../../system");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::Contains("is not a DICOM UID"));
    CHECK_FALSE(dx::qidoInstancesUrl(orthanc(), "1.2.3", "").ok());
}

// An answer in the shape Orthanc 1.10's DICOMweb plugin gives (PS3.18 F.2), with the variants other archives
// send in the second entry and an entry without its UID in the third.
static const char* const kStudiesAnswer = R"([
  {"00080005": {"vr": "CS", "Value": ["ISO_IR 100"]},
   "00080020": {"vr": "DA", "Value": ["20240312"]},
   "00080030": {"vr": "TM", "Value": ["101530.000"]},
   "00080050": {"vr": "SH", "Value": ["ACC-2024-0042"]},
   "00080056": {"vr": "CS", "Value": ["ONLINE"]},
   "00080061": {"vr": "CS", "Value": ["CT", "SR"]},
   "00080090": {"vr": "PN"},
   "00081030": {"vr": "LO", "Value": ["CT CHEST W/O CONTRAST"]},
   "00081190": {"vr": "UR", "Value": ["http://127.0.0.1:8042/dicom-web/studies/1.2.826.0.1.3680043.8.498.1"]},
   "00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE"}]},
   "00100020": {"vr": "LO", "Value": ["PAT-001"]},
   "00100030": {"vr": "DA", "Value": ["19700101"]},
   "00100040": {"vr": "CS", "Value": ["F"]},
   "0020000D": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.8.498.1"]},
   "00200010": {"vr": "SH", "Value": ["1"]},
   "00201206": {"vr": "IS", "Value": [3]},
   "00201208": {"vr": "IS", "Value": [152]}},
  {"0020000d": {"vr": "UI", "Value": ["1.2.826.0.1.3680043.8.498.2"]},
   "00100010": {"vr": "PN", "Value": [{"Ideographic": "山田^太郎"}]},
   "00080061": {"vr": "CS", "Value": ["CR\\DX"]},
   "00201206": {"vr": "IS", "Value": [" 2 "]},
   "00201208": {"vr": "IS", "Value": ["many"]},
   "00080020": {"vr": "DA", "Value": [null]},
   "00081030": {"vr": "LO", "Value": 7}},
  {"00100020": {"vr": "LO", "Value": ["NO-UID"]}}
])";

TEST_CASE("QIDO-RS: study records from a DICOM JSON answer", "[dicomweb][qido]") {
    dx::Result<dx::QidoRecords<dx::StudyRecord>> r = dx::parseQidoStudies(kStudiesAnswer);
    REQUIRE(r.ok());
    REQUIRE(r->records.size() == 2);
    CHECK(r->skipped == 1);
    const dx::StudyRecord& a = r->records[0];
    CHECK(a.studyInstanceUid == "1.2.826.0.1.3680043.8.498.1");
    CHECK(a.patientName == "DOE^JANE");
    CHECK(a.patientId == "PAT-001");
    CHECK(a.patientBirthDate == "19700101");
    CHECK(a.patientSex == "F");
    CHECK(a.studyDate == "20240312");
    CHECK(a.studyTime == "101530.000");
    CHECK(a.studyDescription == "CT CHEST W/O CONTRAST");
    CHECK(a.studyId == "1");
    CHECK(a.accessionNumber == "ACC-2024-0042");
    CHECK(a.modalities == std::vector<std::string>{"CT", "SR"});
    CHECK(a.numberOfSeries == 3);
    CHECK(a.numberOfInstances == 152);
    const dx::StudyRecord& b = r->records[1];
    CHECK(b.studyInstanceUid == "1.2.826.0.1.3680043.8.498.2"); // lowercase tag key
    CHECK(b.patientName == "山田^太郎");
    CHECK(b.modalities == std::vector<std::string>{"CR", "DX"});
    CHECK(b.numberOfSeries == 2);
    CHECK_FALSE(b.numberOfInstances.has_value());
    CHECK(b.studyDate.empty());
    CHECK(b.studyDescription.empty());
}

TEST_CASE("QIDO-RS: series and instance records", "[dicomweb][qido]") {
    dx::Result<dx::QidoRecords<dx::SeriesRecord>> series = dx::parseQidoSeries(R"([
      {"0020000D": {"vr": "UI", "Value": ["1.2.3"]}, "0020000E": {"vr": "UI", "Value": ["1.2.3.1"]},
       "00080060": {"vr": "CS", "Value": ["CT"]}, "0008103E": {"vr": "LO", "Value": ["AXIAL 1.25mm"]},
       "00180015": {"vr": "CS", "Value": ["CHEST"]},
       "00200011": {"vr": "IS", "Value": [2]}, "00201209": {"vr": "IS", "Value": [148]}},
      {"0020000E": {"vr": "UI", "Value": ["1.2.3.2"]}, "00080060": {"vr": "CS", "Value": ["SR"]}}])");
    REQUIRE(series.ok());
    REQUIRE(series->records.size() == 2);
    CHECK(series->records[0].seriesDescription == "AXIAL 1.25mm");
    CHECK(series->records[0].bodyPartExamined == "CHEST");
    CHECK(series->records[0].seriesNumber == 2);
    CHECK(series->records[0].numberOfInstances == 148);
    CHECK(series->records[1].modality == "SR");
    CHECK_FALSE(series->records[1].seriesNumber.has_value());

    dx::Result<dx::QidoRecords<dx::InstanceRecord>> inst = dx::parseQidoInstances(R"([
      {"00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]},
       "00080018": {"vr": "UI", "Value": ["1.2.3.1.7"]}, "00083002": {"vr": "UI", "Value": ["1.2.840.10008.1.2.4.80"]},
       "00200013": {"vr": "IS", "Value": [7]}, "00280008": {"vr": "IS", "Value": ["30"]},
       "00280010": {"vr": "US", "Value": [512]}, "00280011": {"vr": "US", "Value": [256.0]}},
      {"00080018": {"vr": "UI", "Value": ["1.2.3.1.8"]}, "00020010": {"vr": "UI", "Value": ["1.2.840.10008.1.2.1"]}}])");
    REQUIRE(inst.ok());
    REQUIRE(inst->records.size() == 2);
    const dx::InstanceRecord& i = inst->records[0];
    CHECK(i.sopClassUid == "1.2.840.10008.5.1.4.1.1.2");
    CHECK(i.transferSyntaxUid == "1.2.840.10008.1.2.4.80");
    CHECK(i.instanceNumber == 7);
    CHECK(i.numberOfFrames == 30);
    CHECK(i.rows == 512);
    CHECK(i.columns == 256);
    CHECK(inst->records[1].transferSyntaxUid == "1.2.840.10008.1.2.1");
    CHECK_FALSE(inst->records[1].numberOfFrames.has_value());
}

TEST_CASE("QIDO-RS: empty, malformed and non-DICOM answers", "[dicomweb][qido]") {
    dx::Result<dx::QidoRecords<dx::StudyRecord>> none = dx::parseQidoStudies("  ");
    REQUIRE(none.ok());
    CHECK(none->records.empty());
    CHECK(dx::parseQidoStudies("[]")->records.empty());
    dx::Result<dx::QidoRecords<dx::StudyRecord>> html = dx::parseQidoStudies("<html>Please log in</html>");
    REQUIRE_FALSE(html.ok());
    CHECK_THAT(html.error().message, Catch::Contains("not valid JSON"));
    CHECK_THAT(dx::parseQidoStudies(R"({"Message": "x"})").error().message, Catch::Contains("not a list"));
    CHECK_THAT(dx::parseQidoSeries(R"([{}, 3])").error().message, Catch::Contains("entry (2)"));
    CHECK_FALSE(dx::parseQidoInstances(R"([{"00080018": )").ok());
}

// --- multipart/related ------------------------------------------------------------------------------------------

TEST_CASE("multipart: Orthanc's frames answer with the transfer syntax inside the quoted type",
          "[dicomweb][multipart]") {
    const std::string ct = "multipart/related; type=\"image/jls; transfer-syntax=1.2.840.10008.1.2.4.80\"; "
                           "boundary=f4c6a2e0-8b1d";
    const std::string body = "--f4c6a2e0-8b1d\r\n"
                             "Content-Type: image/jls; transfer-syntax=1.2.840.10008.1.2.4.80\r\n"
                             "Content-Location: /dicom-web/studies/1.2/series/1.3/instances/1.4/frames/1\r\n"
                             "\r\n"
                             "FRAME-ONE\r\n"
                             "--f4c6a2e0-8b1d\r\n"
                             "Content-Type: image/jls; transfer-syntax=1.2.840.10008.1.2.4.80\r\n"
                             "\r\n"
                             "FRAME-TWO\r\n"
                             "--f4c6a2e0-8b1d--\r\n";
    dx::Result<dx::MultipartBody> m = dx::parseMultipartBody(ct, bytesOf(body));
    REQUIRE(m.ok());
    CHECK(m->multipart);
    CHECK(m->mediaType == "multipart/related");
    CHECK(m->rootType == "image/jls");
    CHECK(m->transferSyntaxUid == "1.2.840.10008.1.2.4.80");
    CHECK(m->boundary == "f4c6a2e0-8b1d");
    CHECK_FALSE(m->truncated);
    CHECK(m->warning.empty());
    REQUIRE(m->parts.size() == 2);
    CHECK(textOf(m->parts[0].data) == "FRAME-ONE");
    CHECK(textOf(m->parts[1].data) == "FRAME-TWO");
    CHECK(m->parts[0].mediaType == "image/jls");
    CHECK(m->parts[0].transferSyntaxUid == "1.2.840.10008.1.2.4.80");
    CHECK(m->parts[0].contentLocation == "/dicom-web/studies/1.2/series/1.3/instances/1.4/frames/1");
    CHECK(m->parts[0].complete);
    // Spans into the body, not copies.
    CHECK(m->parts[0].data.data() == reinterpret_cast<const uint8_t*>(body.data()) + m->parts[0].offset);

    dx::Result<dx::RetrievedFrames> frames = dx::framesFromMultipart(*m);
    REQUIRE(frames.ok());
    REQUIRE(frames->frames.size() == 2);
    CHECK(frames->frames[1].syntax->codec == dx::PixelCodec::JpegLs);
    CHECK(frames->problems.empty());
}

TEST_CASE("multipart: quoted boundary, preamble, epilogue, header case and folding",
          "[dicomweb][multipart]") {
    const std::string ct = "Multipart/Related; Boundary=\"==_Part 7;x\"; TYPE=\"application/dicom\"";
    const std::string body = "This is a preamble; it is ignored.\r\n"
                             "--==_Part 7;x\r\n"
                             "CONTENT-TYPE: application/dicom;\r\n"
                             "  transfer-syntax=1.2.840.10008.1.2.1\r\n"
                             "X-Other: 1\r\n"
                             "\r\n"
                             "A\r\n"
                             "--==_Part 7;x  \r\n" // transport padding after the boundary
                             "\r\n"
                             "\r\n"
                             "--==_Part 7;x--\r\n"
                             "epilogue\r\n--==_Part 7;x\r\nnot a part\r\n";
    dx::Result<dx::MultipartBody> m = dx::parseMultipartBody(ct, bytesOf(body));
    REQUIRE(m.ok());
    CHECK(m->boundary == "==_Part 7;x");
    CHECK(m->rootType == "application/dicom");
    REQUIRE(m->parts.size() == 2);
    CHECK(textOf(m->parts[0].data) == "A");
    CHECK(m->parts[0].mediaType == "application/dicom");
    CHECK(m->parts[0].transferSyntaxUid == "1.2.840.10008.1.2.1");
    CHECK(textOf(m->parts[1].data).empty()); // a part with no headers and no bytes
    CHECK(m->parts[1].mediaType.empty());
    CHECK_FALSE(m->truncated);
}

TEST_CASE("multipart: binary data holding dashes and the boundary text stays data", "[dicomweb][multipart]") {
    const std::string ct = "multipart/related; type=application/octet-stream; boundary=BND";
    std::string frame = std::string("\x00\xff--\r\n-", 7) + "--BND" + "\r\n--BNDX\r\n" + "\n--BND\r\n" +
                        std::string("\r\n--BN", 6) + std::string("\x00\r\n", 3);
    const std::string body =
        "--BND\r\nContent-Type: application/octet-stream\r\n\r\n" + frame + "\r\n--BND--";
    dx::Result<dx::MultipartBody> m = dx::parseMultipartBody(ct, bytesOf(body));
    REQUIRE(m.ok());
    REQUIRE(m->parts.size() == 1);
    CHECK(textOf(m->parts[0].data) == frame);
    CHECK_FALSE(m->truncated);
    dx::Result<dx::RetrievedFrames> frames = dx::framesFromMultipart(*m);
    REQUIRE(frames.ok());
    CHECK(frames->frames[0].transferSyntaxUid ==
          "1.2.840.10008.1.2.1"); // octet-stream default (PS3.18 8.7.3)
    CHECK(frames->frames[0].syntax->codec == dx::PixelCodec::Native);
}

TEST_CASE("multipart: a body cut inside a part keeps the parts before it and marks the cut one",
          "[dicomweb][multipart]") {
    const std::string ct = "multipart/related; type=\"application/dicom\"; boundary=b1";
    const std::string first = fakePart10("first");
    const std::string body = "--b1\r\nContent-Type: application/dicom\r\n\r\n" + first +
                             "\r\n--b1\r\nContent-Type: application/dicom\r\n\r\n" + fakePart10("sec");
    dx::Result<dx::MultipartBody> m = dx::parseMultipartBody(ct, bytesOf(body));
    REQUIRE(m.ok());
    CHECK(m->truncated);
    REQUIRE(m->parts.size() == 2);
    CHECK(m->parts[0].complete);
    CHECK(textOf(m->parts[0].data) == first);
    CHECK_FALSE(m->parts[1].complete);
    CHECK_THAT(m->warning, Catch::Contains("cut off inside part 2") &&
                               Catch::Contains("the part before it is complete") &&
                               Catch::Contains("must not be used"));
    // The retrieval helper never hands the cut part to the decoder, and says so.
    dx::Result<dx::RetrievedInstances> got = dx::dicomInstancesFromMultipart(*m);
    REQUIRE(got.ok());
    REQUIRE(got->instances.size() == 1);
    CHECK(textOf(got->instances[0].bytes) == first);
    REQUIRE(got->problems.size() == 1);
    CHECK_THAT(got->problems[0], Catch::Contains("cut off inside part 2"));

    // Cut inside the headers of the second part.
    const std::string inHeaders =
        "--b1\r\nContent-Type: application/dicom\r\n\r\n" + first + "\r\n--b1\r\nConte";
    dx::Result<dx::MultipartBody> h = dx::parseMultipartBody(ct, bytesOf(inHeaders));
    REQUIRE(h.ok());
    CHECK(h->truncated);
    REQUIRE(h->parts.size() == 2);
    CHECK_FALSE(h->parts[1].complete);
    CHECK(h->parts[1].data.empty());

    // Every part whole but the closing "--" missing: flagged, parts complete.
    const std::string noClose = "--b1\r\nContent-Type: application/dicom\r\n\r\n" + first + "\r\n--b1";
    dx::Result<dx::MultipartBody> c = dx::parseMultipartBody(ct, bytesOf(noClose));
    REQUIRE(c.ok());
    CHECK(c->truncated);
    REQUIRE(c->parts.size() == 1);
    CHECK(c->parts[0].complete);
    CHECK_THAT(c->warning, Catch::Contains("without its closing boundary"));
    dx::Result<dx::RetrievedInstances> got2 = dx::dicomInstancesFromMultipart(*c);
    REQUIRE(got2.ok());
    CHECK(got2->instances.size() == 1);
    CHECK(got2->problems.size() == 1);
}

TEST_CASE("multipart: single-part answers, empty bodies, bare LF, garbage", "[dicomweb][multipart]") {
    const std::string file = fakePart10("x");
    dx::Result<dx::MultipartBody> single =
        dx::parseMultipartBody("application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50", bytesOf(file));
    REQUIRE(single.ok());
    CHECK_FALSE(single->multipart);
    REQUIRE(single->parts.size() == 1);
    CHECK(single->parts[0].data.size() == file.size());
    CHECK(single->parts[0].transferSyntaxUid == "1.2.840.10008.1.2.4.50");
    CHECK(dx::dicomInstancesFromMultipart(*single)->instances.size() == 1);

    dx::Result<dx::MultipartBody> emptySingle = dx::parseMultipartBody("application/dicom", {});
    REQUIRE(emptySingle.ok());
    CHECK(emptySingle->parts.empty());
    CHECK_THAT(dx::dicomInstancesFromMultipart(*emptySingle).error().message, Catch::Contains("no parts"));

    dx::Result<dx::MultipartBody> emptyMulti = dx::parseMultipartBody("multipart/related; boundary=x", {});
    REQUIRE_FALSE(emptyMulti.ok());
    CHECK_THAT(emptyMulti.error().message, Catch::Contains("empty"));

    dx::Result<dx::MultipartBody> lf = dx::parseMultipartBody(
        "multipart/related; boundary=q", bytesOf("--q\nContent-Type: text/plain\n\nab\r\n\n--q--\n"));
    REQUIRE(lf.ok());
    REQUIRE(lf->parts.size() == 1);
    CHECK(textOf(lf->parts[0].data) == "ab\r\n");

    dx::Result<dx::MultipartBody> closedAtOnce =
        dx::parseMultipartBody("multipart/related; boundary=q", bytesOf("--q--"));
    REQUIRE(closedAtOnce.ok());
    CHECK(closedAtOnce->parts.empty());
    CHECK_FALSE(closedAtOnce->truncated);

    dx::Result<dx::MultipartBody> noBoundary =
        dx::parseMultipartBody("multipart/related", bytesOf("--q\r\n"));
    REQUIRE_FALSE(noBoundary.ok());
    CHECK_THAT(noBoundary.error().message, Catch::Contains("names no boundary"));

    dx::Result<dx::MultipartBody> html =
        dx::parseMultipartBody("multipart/related; boundary=q", bytesOf("<html>502 Bad Gateway</html>"));
    REQUIRE_FALSE(html.ok());
    CHECK_THAT(html.error().message,
               Catch::Contains("never contains the boundary") && Catch::Contains("28 bytes"));

    // "--q" inside a line is not a boundary line.
    CHECK_FALSE(dx::parseMultipartBody("multipart/related; boundary=q", bytesOf("x--q\r\n\r\ny")).ok());
}

TEST_CASE("media type parameters", "[dicomweb][multipart]") {
    dx::MediaTypeValue v = dx::parseMediaType(
        R"(multipart/related; type="application/dicom; transfer-syntax=1.2.3";boundary = abc ; x="a\"b")");
    CHECK(v.mediaType == "multipart/related");
    CHECK(v.parameter("type") == "application/dicom; transfer-syntax=1.2.3");
    CHECK(v.parameter("boundary") == "abc");
    CHECK(v.parameter("x") == "a\"b");
    CHECK(v.parameter("missing").empty());
}

// --- WADO-RS -----------------------------------------------------------------------------------------------------

TEST_CASE("WADO-RS: requests and Accept headers", "[dicomweb][wado]") {
    dx::ArchiveConfig a = orthanc();
    dx::Result<dx::ArchiveRequest> series = dx::wadoSeriesRequest(a, "1.2.3", "1.2.3.4");
    REQUIRE(series.ok());
    CHECK(series->method == "GET");
    CHECK(series->url == "/archive/orthanc/dicom-web/studies/1.2.3/series/1.2.3.4");
    CHECK(series->accept == "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
    CHECK(dx::wadoStudyRequest(a, "1.2.3")->url == "/archive/orthanc/dicom-web/studies/1.2.3");
    CHECK(dx::wadoInstanceRequest(a, "1.2.3", "1.2.3.4", "1.2.3.4.5")->url ==
          "/archive/orthanc/dicom-web/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5");
    const int frames[] = {1, 2, 30};
    dx::Result<dx::ArchiveRequest> fr = dx::wadoFramesRequest(a, "1.2.3", "1.2.3.4", "1.2.3.4.5", frames);
    REQUIRE(fr.ok());
    CHECK(fr->url ==
          "/archive/orthanc/dicom-web/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5/frames/1,2,30");
    // Unquoted type: Orthanc 1.10 answers 400 to the quoted form.
    CHECK(fr->accept == "multipart/related; type=application/octet-stream; transfer-syntax=*");
    a.acceptHeader = "multipart/related; type=image/jls";
    CHECK(dx::wadoFramesRequest(a, "1.2.3", "1.2.3.4", "1.2.3.4.5", frames)->accept ==
          "multipart/related; type=image/jls");
    const int zero[] = {0};
    CHECK_THAT(dx::wadoFramesRequest(a, "1.2.3", "1.2.3.4", "1.2.3.4.5", zero).error().message,
               Catch::Contains("start at 1"));
    CHECK_FALSE(dx::wadoFramesRequest(a, "1.2.3", "1.2.3.4", "1.2.3.4.5", {}).ok());
    CHECK_FALSE(dx::wadoSeriesRequest(a, "1.2.3", "1.2.3.4/../../x").ok());
    dx::Result<dx::ArchiveRequest> meta = dx::wadoMetadataRequest(a, "1.2.3");
    CHECK(meta->url == "/archive/orthanc/dicom-web/studies/1.2.3/metadata");
    CHECK(meta->accept == "application/dicom+json");
    CHECK(dx::wadoMetadataRequest(a, "1.2.3", "1.2.3.4")->url ==
          "/archive/orthanc/dicom-web/studies/1.2.3/series/1.2.3.4/metadata");
}

TEST_CASE("WADO-RS: a retrieved series decodes with the intake decoder", "[dicomweb][wado]") {
    dx::Bytes native = readCorpus("explicit_le_8bit.dcm");
    dx::Bytes jls = readCorpus("jpeg_ls_lossless_16bit.dcm");
    std::string body =
        "--srv\r\nContent-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n" +
        textOf(native) + "\r\n--srv\r\nContent-Type: application/dicom\r\n\r\n" + textOf(jls) +
        "\r\n--srv\r\nContent-Type: application/json\r\n\r\n{}\r\n--srv\r\n"
        "Content-Type: application/dicom\r\n\r\nnot dicom\r\n--srv--\r\n";
    dx::Result<dx::MultipartBody> m = dx::parseMultipartBody(
        "multipart/related; type=\"application/dicom\"; transfer-syntax=*; boundary=srv", bytesOf(body));
    REQUIRE(m.ok());
    REQUIRE(m->parts.size() == 4);
    dx::Result<dx::RetrievedInstances> got = dx::dicomInstancesFromMultipart(*m);
    REQUIRE(got.ok());
    REQUIRE(got->instances.size() == 2);
    CHECK(got->instances[0].transferSyntaxUid == "1.2.840.10008.1.2.1");
    CHECK(got->instances[1].partIndex == 1);
    REQUIRE(got->problems.size() == 2);
    CHECK_THAT(got->problems[0], Catch::Contains("part 3 is application/json"));
    CHECK_THAT(got->problems[1], Catch::Contains("part 4") && Catch::Contains("not a DICOM file"));
    for (const dx::RetrievedInstance& i : got->instances) {
        dx::Result<dx::Image> img = dx::decodeImage(i.bytes);
        CHECK(img.ok());
    }
    dx::Result<dx::Image> a = dx::decodeImage(got->instances[0].bytes);
    dx::Result<dx::Image> b = dx::decodeImage(native);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->width == b->width);
    CHECK(a->height == b->height);

    dx::Result<dx::MultipartBody> onlyJunk = dx::parseMultipartBody(
        "multipart/related; boundary=j", bytesOf("--j\r\nContent-Type: text/html\r\n\r\n<p>\r\n--j--"));
    REQUIRE(onlyJunk.ok());
    CHECK_THAT(dx::dicomInstancesFromMultipart(*onlyJunk).error().message,
               Catch::Contains("no usable DICOM object") && Catch::Contains("text/html"));
}

TEST_CASE("archive failures read as what the user can do", "[dicomweb][wado]") {
    using dx::ArchiveAction;
    CHECK(dx::describeArchiveFailure(200, false, ArchiveAction::Search, "PACS").empty());
    CHECK_THAT(dx::describeArchiveFailure(401, false, ArchiveAction::Retrieve, "PACS"),
               Catch::Contains("The archive \"PACS\"") && Catch::Contains("token") &&
                   Catch::Contains("(HTTP 401)"));
    CHECK_THAT(dx::describeArchiveFailure(403, false, ArchiveAction::Store, "PACS"),
               Catch::Contains("not allowed to store"));
    CHECK_THAT(dx::describeArchiveFailure(404, false, ArchiveAction::Retrieve, "PACS"),
               Catch::Contains("does not have this study"));
    CHECK_THAT(dx::describeArchiveFailure(404, false, ArchiveAction::Search, "PACS"),
               Catch::Contains("archives.json"));
    CHECK_THAT(dx::describeArchiveFailure(406, false, ArchiveAction::Retrieve, ""),
               Catch::StartsWith("The archive cannot send"));
    CHECK_THAT(dx::describeArchiveFailure(415, false, ArchiveAction::Store, "PACS"),
               Catch::Contains("format"));
    CHECK_THAT(dx::describeArchiveFailure(503, false, ArchiveAction::Search, "PACS"),
               Catch::Contains("archive's side") && Catch::Contains("(HTTP 503)"));
    CHECK_THAT(dx::describeArchiveFailure(0, false, ArchiveAction::Search, "PACS"),
               Catch::Contains("could not be reached") && Catch::Contains("CORS"));
    CHECK_THAT(dx::describeArchiveFailure(0, true, ArchiveAction::Retrieve, "PACS"),
               Catch::Contains("did not answer the image request in time"));
    CHECK_THAT(dx::describeArchiveFailure(418, false, ArchiveAction::Search, "PACS"),
               Catch::Contains("unexpected status (HTTP 418)"));
}

// --- STOW-RS ----------------------------------------------------------------------------------------------------

TEST_CASE("STOW-RS: the request body reads back with our multipart parser", "[dicomweb][stow]") {
    // The second file holds dashes, CRLFs and a boundary-like text.
    const std::string sr = fakePart10("SR-CONTENT");
    const std::string seg = fakePart10(std::string("\r\n--DxLens-stow-\r\n--\x00\xff", 22));
    std::vector<std::span<const uint8_t>> files = {bytesOf(sr), bytesOf(seg)};
    dx::ArchiveConfig a = orthanc();
    dx::Result<dx::StowRequest> refused = dx::stowRequest(a, files);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("does not allow") && Catch::Contains("stowAllowed"));

    a.stowAllowed = true;
    a.stowRoot = "https://pacs.example.org/stow";
    dx::Result<dx::StowRequest> rq = dx::stowRequest(a, files);
    REQUIRE(rq.ok());
    CHECK(rq->request.method == "POST");
    CHECK(rq->request.url == "https://pacs.example.org/stow/studies");
    CHECK(rq->request.accept == "application/dicom+json");
    CHECK_THAT(rq->request.contentType,
               Catch::StartsWith("multipart/related; type=\"application/dicom\"; boundary="));

    dx::Result<dx::MultipartBody> back = dx::parseMultipartBody(rq->request.contentType, rq->body);
    REQUIRE(back.ok());
    CHECK_FALSE(back->truncated);
    CHECK(back->rootType == "application/dicom");
    REQUIRE(back->parts.size() == 2);
    CHECK(textOf(back->parts[0].data) == sr);
    CHECK(textOf(back->parts[1].data) == seg);
    CHECK(back->parts[1].mediaType == "application/dicom");
    CHECK(dx::dicomInstancesFromMultipart(*back)->instances.size() == 2);

    // The same files give the same body; other files another boundary.
    dx::Result<dx::StowBody> again = dx::buildStowBody(files);
    CHECK(again->body == rq->body);
    std::vector<std::span<const uint8_t>> one = {bytesOf(sr)};
    CHECK(dx::buildStowBody(one)->boundary != again->boundary);

    const std::string notDicom = "hello";
    std::vector<std::span<const uint8_t>> bad = {bytesOf(sr), bytesOf(notDicom)};
    CHECK_THAT(dx::buildStowBody(bad).error().message, Catch::Contains("Object 2 of 2 is not a DICOM file"));
    CHECK_FALSE(dx::buildStowBody({}).ok());
}

TEST_CASE("STOW-RS: answers summarised", "[dicomweb][stow]") {
    // Orthanc's 200 answer shape.
    dx::Result<dx::StowSummary> ok = dx::parseStowAnswer(200, R"({
      "00081190": {"vr": "UR", "Value": ["http://127.0.0.1:8042/dicom-web/studies/1.2.3"]},
      "00081198": {"vr": "SQ", "Value": []},
      "00081199": {"vr": "SQ", "Value": [
        {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.88.34"]},
         "00081155": {"vr": "UI", "Value": ["1.2.3.9.1"]},
         "00081190": {"vr": "UR", "Value": ["http://127.0.0.1:8042/dicom-web/studies/1.2.3/series/1.2.3.9/instances/1.2.3.9.1"]}},
        {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.66.4"]},
         "00081155": {"vr": "UI", "Value": ["1.2.3.9.2"]}}]}})",
                                                         "Radiology PACS", 2);
    REQUIRE(ok.ok());
    CHECK(ok->stored.size() == 2);
    CHECK(ok->failed.empty());
    CHECK(ok->stored[0].sopInstanceUid == "1.2.3.9.1");
    CHECK_THAT(ok->stored[0].retrieveUrl, Catch::EndsWith("/instances/1.2.3.9.1"));
    CHECK(ok->text == "Radiology PACS stored 2 of 2 objects.");

    dx::Result<dx::StowSummary> partly = dx::parseStowAnswer(202, R"([{
      "00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["1.2.3.9.1"]},
                                          "00081196": {"vr": "US", "Value": [45056]}}]},
      "00081198": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["1.2.3.9.2"]},
                                          "00081197": {"vr": "US", "Value": [43264]}}]}}])",
                                                             "PACS", 3);
    REQUIRE(partly.ok());
    REQUIRE(partly->failed.size() == 1);
    CHECK(partly->failed[0].failureReason == 0xA900);
    CHECK(partly->stored[0].warningReason == 0xB000);
    CHECK(partly->text ==
          "PACS stored 1 of 3 objects. For 1 object it reported: the archive changed some of its "
          "values. Refused 1.2.3.9.2: the object does not match its declared kind. 1 object is not "
          "mentioned in its answer.");

    dx::Result<dx::StowSummary> unknownReason = dx::parseStowAnswer(
        409, R"({"00081198": {"vr": "SQ", "Value": [{"00081197": {"vr": "US", "Value": [49442]}}, {}]}})",
        "PACS", 2);
    REQUIRE(unknownReason.ok());
    CHECK(unknownReason->stored.empty());
    CHECK_THAT(unknownReason->text,
               Catch::Contains("transfer syntax") && Catch::Contains("refused without a reason"));

    dx::Result<dx::StowSummary> quiet = dx::parseStowAnswer(200, "", "PACS", 1);
    REQUIRE(quiet.ok());
    CHECK_FALSE(quiet->listed);
    CHECK_THAT(quiet->text, Catch::Contains("without saying which objects"));

    CHECK_THAT(dx::parseStowAnswer(409, "", "PACS", 1).error().message, Catch::Contains("(HTTP 409)"));
    CHECK_THAT(dx::parseStowAnswer(401, "{}", "PACS", 1).error().message, Catch::Contains("token"));
    CHECK_THAT(dx::parseStowAnswer(415, "", "PACS", 1).error().message, Catch::Contains("format"));
}
