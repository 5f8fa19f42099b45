// dicom_jpegls.h — JPEG-LS frames (transfer syntaxes 1.2.840.10008.1.2.4.80 lossless, .81 near-lossless),
// decoded by CharLS (built from Debian's `charls` source package, see src/deps/Codecs.cmake).
//
// How to use:
//   std::vector<uint8_t> frame(layout.frameBytes());
//   dx::Status s = dx::decodeJpegLsFrame(fragmentBytes, layout, frame);
//   if (!s) show(s.error().message);   // e.g. "The JPEG-LS codestream is 512x512 ..., the DICOM header says ..."
//
// Output as described in dicom_codestream.h. Any interleave mode is accepted (planar "none" is interleaved
// here); CharLS undoes an HP colour transform itself if the stream declares one.
#pragma once

#include "core/base/result.h"
#include "core/codecs/dicom_codestream.h"

#include <cstdint>
#include <span>

namespace dx {

Status decodeJpegLsFrame(std::span<const uint8_t> codestream, const CodestreamLayout& layout,
                         std::span<uint8_t> out);

} // namespace dx
