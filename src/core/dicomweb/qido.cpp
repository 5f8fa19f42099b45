// qido.cpp — QIDO-RS query strings from the search form, and DICOM JSON answers into records.
#include "core/dicomweb/qido.h"

#include "core/dicomweb/dicom_json_read.h"

#include <cctype>

namespace dx {

using json = nlohmann::json;

namespace {

// Attributes the study browser shows that QIDO-RS does not promise by default (PS3.18 table 10.6.3-3..5).
constexpr const char* kStudyIncludeFields = "00081030";             // Study Description
constexpr const char* kSeriesIncludeFields = "00180015";            // Body Part Examined
constexpr const char* kInstanceIncludeFields = "00083002,00280008"; // Available Transfer Syntax UID, frames

std::string trimmed(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

bool isLeap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool isDicomDate(const std::string& d) {
    if (d.size() != 8) return false;
    for (char c : d)
        if (c < '0' || c > '9') return false;
    int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(4, 2)), day = std::stoi(d.substr(6, 2));
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || day < 1) return false;
    return day <= days[m - 1] + (m == 2 && isLeap(y) ? 1 : 0);
}

// "doe, john" -> "*doe*john*": QIDO wildcards around the words, so the typed order of family and given names
// matches DICOM's "DOE^JOHN" without the user knowing about '^'.
std::string wildcardName(const std::string& name) {
    if (name.find_first_of("*?") != std::string::npos) return name;
    std::string out = "*";
    for (char c : name) {
        if (c == ' ' || c == ',' || c == '^' || c == '\t') {
            if (out.back() != '*') out += '*';
        } else {
            out += c;
        }
    }
    if (out.back() != '*') out += '*';
    return out;
}

struct Query {
    std::string text;
    void add(const char* key, const std::string& value) {
        text += text.empty() ? '?' : '&';
        text += key;
        text += '=';
        text += percentEncode(value);
    }
};

Result<void> checkUid(std::string_view uid, const char* what) {
    if (isDicomUid(uid)) return {};
    return Error("The " + std::string(what) + " \"" + std::string(uid.substr(0, 80)) +
                 "\" is not a DICOM UID (digits and dots, at most 64 characters).");
}

Result<json> parseAnswerArray(std::string_view jsonText) {
    if (trimmed(jsonText).empty()) return json::array(); // 204 No Content, or an empty 200
    json doc = json::parse(jsonText.begin(), jsonText.end(), nullptr, false);
    if (doc.is_discarded())
        return Error("The archive's search answer is not valid JSON (application/dicom+json was expected). "
                     "A proxy or login page may have answered instead of the archive.");
    if (!doc.is_array())
        return Error("The archive's search answer is JSON but not a list of DICOM data sets.");
    for (size_t i = 0; i < doc.size(); i++)
        if (!doc[i].is_object())
            return Error("The archive's search answer has an entry (" + std::to_string(i + 1) +
                         ") that is not a DICOM data set.");
    return doc;
}

template <class Record, class Fill>
Result<QidoRecords<Record>> parseRecords(std::string_view text, Fill fill) {
    Result<json> doc = parseAnswerArray(text);
    if (!doc) return doc.error();
    QidoRecords<Record> out;
    for (const json& dataset : *doc) {
        Record r;
        if (fill(dataset, r))
            out.records.push_back(std::move(r));
        else
            out.skipped++;
    }
    return out;
}

} // namespace

Result<std::string> qidoStudiesUrl(const ArchiveConfig& archive, const StudySearch& search) {
    Query q;
    std::string patientId = trimmed(search.patientId);
    std::string patientName = trimmed(search.patientName);
    std::string from = trimmed(search.studyDateFrom), to = trimmed(search.studyDateTo);
    std::string modality = trimmed(search.modality);
    std::string accession = trimmed(search.accessionNumber);
    if (!from.empty() && !isDicomDate(from))
        return Error("The study date \"from\" must be a date written YYYYMMDD, got \"" + from + "\".");
    if (!to.empty() && !isDicomDate(to))
        return Error("The study date \"to\" must be a date written YYYYMMDD, got \"" + to + "\".");
    if (!from.empty() && !to.empty() && from > to)
        return Error("The study date range starts (" + from + ") after it ends (" + to + ").");
    if (search.limit < 1 || search.limit > 1000)
        return Error("The number of results per page must be from 1 to 1000.");
    if (search.offset < 0) return Error("The result page cannot start before the first result.");
    for (char& c : modality)
        c = char(std::toupper(static_cast<unsigned char>(c)));

    if (!patientId.empty()) q.add("PatientID", patientId);
    if (!patientName.empty()) {
        if (archive.supportsFuzzyMatching)
            q.add("PatientName", patientName);
        else
            q.add("PatientName", wildcardName(patientName));
    }
    if (!from.empty() || !to.empty()) q.add("StudyDate", from == to ? from : from + "-" + to);
    if (!modality.empty()) q.add("ModalitiesInStudy", modality);
    if (!accession.empty()) q.add("AccessionNumber", accession);
    if (archive.supportsFuzzyMatching && !patientName.empty()) q.add("fuzzymatching", "true");
    if (archive.qidoSupportsIncludeField) q.add("includefield", kStudyIncludeFields);
    q.add("limit", std::to_string(search.limit));
    q.add("offset", std::to_string(search.offset));
    return archive.qidoRoot + "/studies" + q.text;
}

Result<std::string> qidoSeriesUrl(const ArchiveConfig& archive, std::string_view studyUid) {
    if (Result<void> ok = checkUid(studyUid, "study UID"); !ok) return ok.error();
    Query q;
    if (archive.qidoSupportsIncludeField) q.add("includefield", kSeriesIncludeFields);
    return archive.qidoRoot + "/studies/" + std::string(studyUid) + "/series" + q.text;
}

Result<std::string> qidoInstancesUrl(const ArchiveConfig& archive, std::string_view studyUid,
                                     std::string_view seriesUid) {
    if (Result<void> ok = checkUid(studyUid, "study UID"); !ok) return ok.error();
    if (Result<void> ok = checkUid(seriesUid, "series UID"); !ok) return ok.error();
    Query q;
    if (archive.qidoSupportsIncludeField) q.add("includefield", kInstanceIncludeFields);
    return archive.qidoRoot + "/studies/" + std::string(studyUid) + "/series/" + std::string(seriesUid) +
           "/instances" + q.text;
}

Result<QidoRecords<StudyRecord>> parseQidoStudies(std::string_view jsonText) {
    return parseRecords<StudyRecord>(jsonText, [](const json& d, StudyRecord& r) {
        r.studyInstanceUid = dicomJsonString(d, "0020000D");
        r.patientName = dicomJsonString(d, "00100010");
        r.patientId = dicomJsonString(d, "00100020");
        r.patientBirthDate = dicomJsonString(d, "00100030");
        r.patientSex = dicomJsonString(d, "00100040");
        r.studyDate = dicomJsonString(d, "00080020");
        r.studyTime = dicomJsonString(d, "00080030");
        r.studyDescription = dicomJsonString(d, "00081030");
        r.studyId = dicomJsonString(d, "00200010");
        r.accessionNumber = dicomJsonString(d, "00080050");
        r.modalities = dicomJsonStrings(d, "00080061");
        r.numberOfSeries = dicomJsonInt(d, "00201206");
        r.numberOfInstances = dicomJsonInt(d, "00201208");
        return isDicomUid(r.studyInstanceUid);
    });
}

Result<QidoRecords<SeriesRecord>> parseQidoSeries(std::string_view jsonText) {
    return parseRecords<SeriesRecord>(jsonText, [](const json& d, SeriesRecord& r) {
        r.studyInstanceUid = dicomJsonString(d, "0020000D");
        r.seriesInstanceUid = dicomJsonString(d, "0020000E");
        r.modality = dicomJsonString(d, "00080060");
        r.seriesDescription = dicomJsonString(d, "0008103E");
        r.bodyPartExamined = dicomJsonString(d, "00180015");
        r.seriesNumber = dicomJsonInt(d, "00200011");
        r.numberOfInstances = dicomJsonInt(d, "00201209");
        return isDicomUid(r.seriesInstanceUid);
    });
}

Result<QidoRecords<InstanceRecord>> parseQidoInstances(std::string_view jsonText) {
    return parseRecords<InstanceRecord>(jsonText, [](const json& d, InstanceRecord& r) {
        r.studyInstanceUid = dicomJsonString(d, "0020000D");
        r.seriesInstanceUid = dicomJsonString(d, "0020000E");
        r.sopInstanceUid = dicomJsonString(d, "00080018");
        r.sopClassUid = dicomJsonString(d, "00080016");
        r.transferSyntaxUid = dicomJsonString(d, "00083002");
        if (r.transferSyntaxUid.empty()) r.transferSyntaxUid = dicomJsonString(d, "00020010");
        r.instanceNumber = dicomJsonInt(d, "00200013");
        r.numberOfFrames = dicomJsonInt(d, "00280008");
        r.rows = dicomJsonInt(d, "00280010");
        r.columns = dicomJsonInt(d, "00280011");
        return isDicomUid(r.sopInstanceUid);
    });
}

} // namespace dx
