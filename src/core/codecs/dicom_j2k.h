// dicom_j2k.h — JPEG 2000 frames (transfer syntaxes 1.2.840.10008.1.2.4.90 lossless, .91 lossless or lossy),
// decoded by OpenJPEG (libopenjp2 built from Debian's `openjpeg2` source package, see src/deps/Codecs.cmake).
//
// How to use:
//   std::vector<uint8_t> frame(layout.frameBytes());
//   dx::Result<dx::J2kFrameInfo> r = dx::decodeJ2kFrame(fragmentBytes, layout, frame);
//   if (r && r->colourTransformUndone) ... the three samples are RGB whatever Photometric Interpretation says
//
// Accepts a raw codestream (what DICOM requires) or a JP2 file (some writers wrap it). Output as described in
// dicom_codestream.h; signed components are written as two's complement. Subsampled components (e.g. chroma
// of a YBR_FULL_422 frame) are upsampled by repetition so every output pixel has all its samples.
#pragma once

#include "core/base/result.h"
#include "core/codecs/dicom_codestream.h"

#include <cstdint>
#include <span>

namespace dx {

struct J2kFrameInfo {
    // The codestream's multiple component transform (ICT or RCT, PS3.5 8.2.4) was applied by the encoder and
    // undone by the decoder: the output is RGB (YBR_ICT / YBR_RCT frames, and RGB encoded with MCT).
    bool colourTransformUndone = false;
    int precision = 0; // bits per sample the codestream declares (component 0)
    bool isSigned = false;
};

Result<J2kFrameInfo> decodeJ2kFrame(std::span<const uint8_t> codestream, const CodestreamLayout& layout,
                                    std::span<uint8_t> out);

} // namespace dx
