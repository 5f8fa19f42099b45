// wado.h — WADO-RS (PS3.18 10.4): retrieval requests (URL + Accept header) for a study, series, instance, frames
// and metadata; turning a multipart answer into DICOM files or frames for the decoder; and the clinician-readable
// message for a failed archive request (any of QIDO, WADO, STOW).
//
// How to use:
//   dx::Result<dx::ArchiveRequest> rq = dx::wadoSeriesRequest(archive, studyUid, seriesUid);
//   // JS: fetch(rq->url, {headers: {Accept: rq->accept, Authorization: <bearer, for auth "bearer" only>}})
//   dx::Result<dx::MultipartBody> body = dx::parseMultipartBody(responseContentType, responseBytes);
//   dx::Result<dx::RetrievedInstances> got = dx::dicomInstancesFromMultipart(*body);
//   for (const dx::RetrievedInstance& i : got->instances) dx::decodeImage(i.bytes);   // core/intake
//   if (!got->problems.empty()) show(got->problems);   // cut last part, parts that were not DICOM
//
//   dx::Result<dx::ArchiveRequest> fr = dx::wadoFramesRequest(archive, study, series, sop, {1, 2, 3});
//   dx::Result<dx::RetrievedFrames> frames = dx::framesFromMultipart(*parsed);   // codestreams + their syntax
//
//   std::string why = dx::describeArchiveFailure(status, timedOut, dx::ArchiveAction::Retrieve, archive.name);
//
// Accept headers: whole objects as `multipart/related; type="application/dicom"; transfer-syntax=*` (the archive
// sends what it stores; our codecs decode it, and asking for a transcode makes Orthanc answer 500 for JPEG 2000);
// frames as `multipart/related; type=application/octet-stream; transfer-syntax=*` with the type unquoted, because
// Orthanc 1.10's DICOMweb plugin answers 400 to the quoted form. An archive's acceptHeader replaces the frames one.
// The bearer token never passes through core: the JS fetch layer adds Authorization for archives with auth
// "bearer", and only to URLs under that archive's roots.
#pragma once

#include "core/base/result.h"
#include "core/dicom/dicom_dictionary.h"
#include "core/dicomweb/archive_config.h"
#include "core/dicomweb/multipart.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dx {

inline constexpr const char* kWadoDicomAccept =
    "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
inline constexpr const char* kWadoFramesAccept =
    "multipart/related; type=application/octet-stream; transfer-syntax=*";
inline constexpr const char* kWadoMetadataAccept = "application/dicom+json";

struct ArchiveRequest {
    std::string method = "GET";
    std::string url;
    std::string accept;
    std::string contentType; // POST only (STOW)
};

Result<ArchiveRequest> wadoStudyRequest(const ArchiveConfig& archive, std::string_view studyUid);
Result<ArchiveRequest> wadoSeriesRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                         std::string_view seriesUid);
Result<ArchiveRequest> wadoInstanceRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                           std::string_view seriesUid, std::string_view sopInstanceUid);
// Frame numbers start at 1 (PS3.18); several frames go in one request, as a comma-separated list.
Result<ArchiveRequest> wadoFramesRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                         std::string_view seriesUid, std::string_view sopInstanceUid,
                                         std::span<const int> frameNumbers);
// Metadata of a whole study (seriesUid empty) or of one series: the DICOM JSON of every instance.
Result<ArchiveRequest> wadoMetadataRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                           std::string_view seriesUid = {});

// One DICOM Part-10 file inside a retrieved answer, ready for decodeImage (core/intake/image_decoder.h).
struct RetrievedInstance {
    std::span<const uint8_t> bytes; // inside the answer body: keep it alive while decoding
    size_t partIndex = 0;           // 0-based position in the multipart answer
    std::string transferSyntaxUid; // as the part's header named it; the file's own meta header is what counts
    std::string contentLocation;
};
struct RetrievedInstances {
    std::vector<RetrievedInstance> instances;
    std::vector<std::string> problems; // readable, one per part not used and for a cut answer
};
// Parts of type application/dicom (or untyped) that carry a DICOM file. A part of another type or without the
// DICM marker is reported in problems and skipped; an incomplete last part is never returned. An answer with no
// usable instance at all is an error carrying the first problem.
Result<RetrievedInstances> dicomInstancesFromMultipart(const MultipartBody& body);

// One frame from a frames request: the bytes as the archive sent them (native pixels for the explicit little
// endian syntax, else one compressed codestream), with the syntax the part or the answer named.
struct RetrievedFrame {
    std::span<const uint8_t> bytes;
    size_t partIndex = 0;
    std::string mediaType; // "application/octet-stream", "image/jls", "image/jp2", ...
    std::string
        transferSyntaxUid; // the explicit VR little endian UID when octet-stream names none (PS3.18 8.7.3)
    const TransferSyntax* syntax =
        nullptr; // findTransferSyntax(transferSyntaxUid); codec Unsupported: we cannot
};
struct RetrievedFrames {
    std::vector<RetrievedFrame> frames;
    std::vector<std::string> problems;
};
Result<RetrievedFrames> framesFromMultipart(const MultipartBody& body);

enum class ArchiveAction : uint8_t { Search, Retrieve, Store };

// The message for a request that did not succeed: httpStatus 0 means no HTTP answer at all (network down, name
// not resolved, or a browser CORS refusal, which JS cannot tell apart); timedOut wins over the status. Empty for
// a 2xx status. archiveName is the configured name shown to the user.
std::string describeArchiveFailure(int httpStatus, bool timedOut, ArchiveAction action,
                                   std::string_view archiveName);

} // namespace dx
