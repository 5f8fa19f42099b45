// stow.h — STOW-RS (PS3.18 10.5): the upload request that sends DICOM files (DxLens's SR and SEG results) to an
// archive, and the archive's answer as a summary the user can read.
//
// How to use:
//   std::vector<std::span<const uint8_t>> files = {srBytes, segBytes};          // DICOM Part-10 files
//   dx::Result<dx::StowRequest> rq = dx::stowRequest(archive, files);           // error unless stowAllowed
//   // JS: fetch(rq->request.url, {method: "POST", headers: {"Content-Type": rq->request.contentType,
//   //                                                        Accept: rq->request.accept}, body: rq->body})
//   dx::Result<dx::StowSummary> s = dx::parseStowAnswer(status, responseText, archive.name, files.size());
//   show(s ? s->text : s.error().message);   // "Radiology PACS stored 2 of 2 objects."
//
// The body is multipart/related; type="application/dicom" with a boundary made here from the files' sizes and
// bytes and checked to occur in none of them, so the same files always give the same body (tests compare it).
// Only an archive whose archives.json entry says "stowAllowed": true gets a request; the user's explicit click
// is the caller's part. An answer lists stored objects in ReferencedSOPSequence (0008,1199) and refused ones in
// FailedSOPSequence (0008,1198) with a Failure Reason (0008,1197); 200, 202 (some refused or changed) and 409
// (none stored) carry such a list. Other statuses are errors with describeArchiveFailure's message.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/dicomweb/archive_config.h"
#include "core/dicomweb/wado.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dx {

struct StowBody {
    std::string contentType; // multipart/related; type="application/dicom"; boundary=...
    std::string boundary;
    Bytes body;
};
// Each file must be DICOM Part-10 (128-byte preamble and "DICM"); an error names the first that is not.
Result<StowBody> buildStowBody(std::span<const std::span<const uint8_t>> files);

struct StowRequest {
    ArchiveRequest request; // POST <stowRoot>/studies, Accept application/dicom+json
    Bytes body;
};
Result<StowRequest> stowRequest(const ArchiveConfig& archive,
                                std::span<const std::span<const uint8_t>> files);

struct StowInstanceOutcome {
    std::string sopClassUid;
    std::string sopInstanceUid;
    std::string retrieveUrl;          // where the archive now serves it ("" when not sent)
    std::optional<int> failureReason; // (0008,1197), failed objects
    std::optional<int> warningReason; // (0008,1196), stored objects the archive changed
    std::string reasonText;           // readable form of the reason, "" when none
};

struct StowSummary {
    int httpStatus = 0;
    std::vector<StowInstanceOutcome> stored;
    std::vector<StowInstanceOutcome> failed;
    bool listed = true; // false: a 2xx answer without a readable list (stored counts unknown)
    std::string text;   // one paragraph for the user
};

// sentCount: how many files the request carried (the summary says "stored 1 of 2").
Result<StowSummary> parseStowAnswer(int httpStatus, std::string_view jsonText, std::string_view archiveName,
                                    size_t sentCount);

} // namespace dx
