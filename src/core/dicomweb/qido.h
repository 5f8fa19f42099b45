// qido.h — QIDO-RS (PS3.18 10.6): the search URLs for studies, a study's series and a series' instances, and
// the parsing of their application/dicom+json answers into plain records.
//
// How to use:
//   dx::StudySearch s;  s.patientName = "doe";  s.studyDateFrom = "20240101";  s.modality = "CT";  s.limit = 25;
//   dx::Result<std::string> url = dx::qidoStudiesUrl(archive, s);  // GET it with Accept: kQidoAccept
//   // -> "<qidoRoot>/studies?PatientName=*doe*&StudyDate=20240101-&ModalitiesInStudy=CT&limit=25&offset=0..."
//   dx::Result<dx::QidoRecords<dx::StudyRecord>> found = dx::parseQidoStudies(responseText);
//   for (const dx::StudyRecord& st : found->records) ...      // found->skipped: entries without a UID
//   dx::Result<std::string> series = dx::qidoSeriesUrl(archive, st.studyInstanceUid);
//   dx::Result<std::string> instances = dx::qidoInstancesUrl(archive, st.studyInstanceUid, seriesUid);
//
// Patient name: with supportsFuzzyMatching the term is sent as typed plus fuzzymatching=true; otherwise as
// "*term*" (QIDO wildcards; Orthanc matches them case-insensitively) unless the user typed a '*' or '?' already.
// Dates are YYYYMMDD; either end of the range may be empty ("20240101-" = from that day on). Paging: limit and
// offset are always sent so every archive pages the same way; ask for limit + 1 to learn whether a next page
// exists. includefield asks for the attributes the browser shows beyond QIDO's required ones, only where the
// archive says it supports it. Errors name the field the user typed wrongly.
//
// Answers: a JSON array of DICOM JSON data sets (an empty body, as from 204 No Content, is no matches). Values of
// odd shape are treated as absent; a data set without its UID is counted in skipped, since it cannot be opened.
// Text that is not JSON, or JSON that is not an array of objects, is an error.
#pragma once

#include "core/base/result.h"
#include "core/dicomweb/archive_config.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dx {

inline constexpr const char* kQidoAccept = "application/dicom+json";

struct StudySearch {
    std::string patientId;
    std::string patientName;
    std::string studyDateFrom; // YYYYMMDD or empty
    std::string studyDateTo;   // YYYYMMDD or empty
    std::string modality;      // "CT"; matched against ModalitiesInStudy
    std::string accessionNumber;
    int limit = 50;
    int offset = 0;
};

Result<std::string> qidoStudiesUrl(const ArchiveConfig& archive, const StudySearch& search);
Result<std::string> qidoSeriesUrl(const ArchiveConfig& archive, std::string_view studyUid);
Result<std::string> qidoInstancesUrl(const ArchiveConfig& archive, std::string_view studyUid,
                                     std::string_view seriesUid);

struct StudyRecord {
    std::string studyInstanceUid;
    std::string patientName; // DICOM PN as sent, "DOE^JANE" (Alphabetic group)
    std::string patientId;
    std::string patientBirthDate;
    std::string patientSex;
    std::string studyDate; // YYYYMMDD as sent
    std::string studyTime;
    std::string studyDescription;
    std::string studyId;
    std::string accessionNumber;
    std::vector<std::string> modalities;
    std::optional<int> numberOfSeries;
    std::optional<int> numberOfInstances;
};

struct SeriesRecord {
    std::string studyInstanceUid; // "" when the archive leaves it out of a series answer
    std::string seriesInstanceUid;
    std::string modality;
    std::string seriesDescription;
    std::string bodyPartExamined;
    std::optional<int> seriesNumber;
    std::optional<int> numberOfInstances;
};

struct InstanceRecord {
    std::string studyInstanceUid;
    std::string seriesInstanceUid;
    std::string sopInstanceUid;
    std::string sopClassUid;
    std::string
        transferSyntaxUid; // (0008,3002) Available Transfer Syntax UID or (0002,0010); "" when not sent
    std::optional<int> instanceNumber;
    std::optional<int> numberOfFrames; // absent for single-frame objects
    std::optional<int> rows;
    std::optional<int> columns;
};

template <class Record> struct QidoRecords {
    std::vector<Record> records;
    size_t skipped = 0; // data sets without the UID that identifies them
};

Result<QidoRecords<StudyRecord>> parseQidoStudies(std::string_view jsonText);
Result<QidoRecords<SeriesRecord>> parseQidoSeries(std::string_view jsonText);
Result<QidoRecords<InstanceRecord>> parseQidoInstances(std::string_view jsonText);

} // namespace dx
