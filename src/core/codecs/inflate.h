// inflate.h — DEFLATE decompression (RFC 1951), used for the Deflated Explicit VR Little Endian transfer syntax.
//
// How to use:
//   dx::Result<std::vector<uint8_t>> out = dx::inflateRaw(bytes, /*maxOutputBytes=*/1u << 30);
//   if (!out) report(out.error().message);   // e.g. "The compressed (deflated) data ends before its final block."
//
// The decoding is libdeflate's (src/deps/Codecs.cmake builds it for PNG image data too), several times faster than
// a bit-by-bit decoder. libdeflate decompresses into a buffer sized in advance, but a deflated data set does not
// say how large it inflates to: we start with 4x the compressed size and, each time libdeflate reports the buffer
// too small, start over with one twice as large, up to maxOutputBytes, so a "zip bomb" returns an error instead of
// exhausting memory. libdeflate's errors say only "bad data"; we tell data that is cut short (the decoder reaches
// its end without finding anything invalid, which runs with padding appended show) from other damage, but cannot
// say at which byte. libdeflate also decodes a few strictly invalid streams (length symbols 286/287 in a fixed
// block) instead of refusing them; a deflated data set has no checksum, so damage that still decodes was never
// detectable. Tested against raw DEFLATE streams made by Python's zlib module (levels 0-9).
#pragma once

#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dx {

// Raw DEFLATE stream (no zlib or gzip header), as DICOM stores it. Trailing bytes after the final block are
// ignored (DICOM pads odd lengths). Errors say whether the output exceeds maxOutputBytes, the data is cut short,
// or it is otherwise damaged.
Result<std::vector<uint8_t>> inflateRaw(std::span<const uint8_t> compressed, size_t maxOutputBytes);

} // namespace dx
