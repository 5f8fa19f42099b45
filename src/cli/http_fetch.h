// http_fetch.h — the bytes of one input of `dxlens analyze`: a file, or a DICOM instance retrieved from a hospital
// archive by its DICOMweb WADO-RS URL (libcurl, native CLI only: src/core stays free of network code).
//
// How to use:
//   dx::Result<dx::Bytes> bytes = dx::readInput(line);   // "/data/a.dcm" or "https://pacs/dicom-web/studies/..."
//   if (!bytes) writeErrorLine(bytes.error().message);  // "<url>: The archive "pacs" does not have ... (HTTP 404)"
//   dx::Result<dx::Image> image = dx::decodeImage(*bytes);             // the same intake path for both
//
// A URL input is `http(s)://host[:port]/<wado root>/studies/<uid>/series/<uid>/instances/<uid>`: one GET with
// Accept `multipart/related; type="application/dicom"; transfer-syntax=*` (the archive sends the file as it
// stores it; our codecs decode every syntax it may hold), the answer parsed by core/dicomweb (multipart.h,
// wado.h) and its single DICOM part returned as the file's bytes. Every failure is an error value whose message
// starts with the URL: an HTTP status in core's readable words (describeArchiveFailure), no answer (refused,
// unknown host, TLS), a timeout, a cut answer, an answer that is not DICOM.
//
// Why these settings: redirects are not followed (a redirect could carry the token to another host); only http
// and https; HTTPS certificates and host names are verified (DXLENS_ARCHIVE_CA_FILE names a PEM bundle for an
// archive signed by the hospital's own CA); connecting may take 15 s, and an answer that stalls below 1 KiB/s for
// 60 s, or takes over 10 minutes in all, is abandoned (the next input goes on). DXLENS_ARCHIVE_TOKEN, when set,
// is sent as `Authorization: Bearer <token>` with every URL request and appears in no message, line or log.
// Each thread keeps one curl handle, so the requests of a run reuse their connection to the archive.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

#include <string>
#include <string_view>

namespace dx {

// True for a line that starts with http:// or https:// (any case): it is fetched, never opened as a file.
bool isUrlInput(std::string_view input);

// The parts of a WADO-RS instance URL; an error says what is wrong with the URL (never network work).
struct WadoInstanceUrl {
    std::string origin; // "https://pacs.example.org:8443", as core's urlOrigin writes it
    std::string studyUid, seriesUid, sopInstanceUid;
};
Result<WadoInstanceUrl> parseWadoInstanceUrl(std::string_view url);

// The DICOM file behind a WADO-RS instance URL. Safe to call from several threads at once.
Result<Bytes> fetchDicomInstance(const std::string& url);

// A file's bytes (core/base/file_io.h readFileBytes) or, for a URL, fetchDicomInstance.
Result<Bytes> readInput(const std::string& pathOrUrl);

// The name an input's output files take: a file's stem, a URL's SOP Instance UID (whole: its dots are no
// file extension).
std::string inputStem(const std::string& pathOrUrl);

} // namespace dx
