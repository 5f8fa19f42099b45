// multipart.h — reads a DICOMweb answer body: multipart/related (RFC 2387, framed as RFC 2046 says) or a plain
// single-part answer, without copying the parts' bytes.
//
// How to use:
//   // contentType: the response's Content-Type header value; body: the response bytes (kept alive by the caller)
//   dx::Result<dx::MultipartBody> m = dx::parseMultipartBody(contentType, body);
//   if (!m) show(m.error().message);            // "The archive's answer is not readable: ..."
//   for (const dx::MultipartPart& p : m->parts) decode(p.data, p.transferSyntaxUid);  // spans into body
//   if (m->truncated) show(m->warning);         // the answer was cut; the last part is marked complete=false
//
// What it accepts, because archives differ: the boundary quoted or not; the `type` parameter quoted and holding
// its own parameters, as Orthanc sends `type="image/jls; transfer-syntax=1.2.840.10008.1.2.4.80"`; a preamble
// before the first boundary and an epilogue after the last; CRLF line ends (or bare LF when the first boundary
// line ends with one, then throughout); header names in any case; folded header lines. A boundary string inside
// a part's bytes is data unless it starts a line ("\r\n--boundary") and is followed by "--", spaces or the line
// end, so pixel data holding "--" or even the boundary text is not cut. A body that ends before the closing
// "--boundary--" keeps the parts found; the last one is marked incomplete and the body truncated: the caller
// must not treat a cut frame as a whole one. A Content-Type that is not multipart makes the whole body one part.
#pragma once

#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dx {

struct MultipartPart {
    std::span<const uint8_t> data; // the part's bytes, inside the body given to the parser
    size_t offset = 0;             // where data starts in that body
    std::string contentType;       // the part's Content-Type header as sent ("" when it has none)
    std::string mediaType;         // its media type, lowercase, parameters removed: "application/dicom"
    std::string transferSyntaxUid; // its transfer-syntax parameter, else the body's, else ""
    std::string contentLocation;   // its Content-Location header ("" when none)
    bool complete = true;          // false only for a last part the body cut off
};

struct MultipartBody {
    bool multipart = false; // false: a single-part answer, parts holds the whole body
    std::string mediaType;  // the answer's media type, lowercase: "multipart/related", "application/dicom"
    std::string rootType;   // multipart: the type parameter's media type, lowercase ("" when absent)
    std::string transferSyntaxUid; // transfer-syntax of the answer (inside type, or a parameter of its own)
    std::string boundary;
    std::vector<MultipartPart> parts;
    bool truncated = false; // the body ended before the closing boundary
    std::string warning;    // why truncated, readable; empty otherwise
};

Result<MultipartBody> parseMultipartBody(std::string_view contentType, std::span<const uint8_t> body);

// One parsed header value such as `multipart/related; type="application/dicom"; boundary=x`.
struct MediaTypeValue {
    std::string mediaType;                                       // lowercase, trimmed
    std::vector<std::pair<std::string, std::string>> parameters; // names lowercase, values unquoted
    std::string parameter(std::string_view name) const;          // "" when absent
};
MediaTypeValue parseMediaType(std::string_view headerValue);

} // namespace dx
