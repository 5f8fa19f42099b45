// inflate.h — DEFLATE decompression (RFC 1951), used for the Deflated Explicit VR Little Endian transfer syntax.
//
// How to use:
//   dx::Result<std::vector<uint8_t>> out = dx::inflateRaw(bytes, /*maxOutputBytes=*/1u << 30);
//   if (!out) report(out.error().message);   // e.g. "invalid Huffman code at compressed byte 812"
//
// Why our own inflate and not libdeflate, which src/deps/Codecs.cmake builds for PNG image data: a deflated data set
// does not say how large it inflates to, and libdeflate only decompresses into a buffer sized in advance; its
// errors also say no more than "bad data", where this one says what is wrong and at which compressed byte. It is
// a small canonical-Huffman inflate in the style of zlib's puff.c (same checks: over-subscribed and incomplete
// codes, distances past the start of the output, stored-block length complement) that behaves identically in the
// native and WASM builds. It is tested against raw DEFLATE streams made by Python's zlib module (levels 0-9), and
// the output is bounded by maxOutputBytes so a "zip bomb" returns an error instead of exhausting memory.
#pragma once

#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dx {

// Raw DEFLATE stream (no zlib or gzip header), as DICOM stores it. Trailing bytes after the final block are
// ignored (DICOM pads odd lengths). Errors say what was wrong and at which compressed byte.
Result<std::vector<uint8_t>> inflateRaw(std::span<const uint8_t> compressed, size_t maxOutputBytes);

} // namespace dx
