// jpeg_decoder.h — our own ITU T.81 decoder for the JPEG processes DICOM uses beyond baseline:
// sequential DCT with Huffman coding at 8 or 12 bits (SOF0/SOF1: DICOM 1.2.840.10008.1.2.4.50 and .51) and
// lossless with Huffman coding (SOF3: .57 and .70), 2 to 16 bits, predictors 1-7, point transform, restart
// intervals, interleaved or one scan per component.
//
// How to use:
//   dx::Result<dx::JpegImage> img = dx::decodeJpeg(codestreamBytes, limits);
//   if (!img) return img.error();            // a sentence for the user: truncated data, bad marker, ...
//   uint16_t s = img->samples[(y * img->width + x) * img->components + c];
//
// The samples are the decoded component values, interleaved, one uint16_t each whatever the precision, with
// chroma upsampled to the full image size by repetition. No colour transform is applied: what the components
// mean (YCbCr, RGB, ...) is the caller's decision (DICOM: Photometric Interpretation, PS3.5 8.2.1), helped
// by `adobeTransform`. The 8x8 inverse DCT is the accurate integer one of the IJG library (LL&M, 13-bit
// constants) that DCMTK and GDCM use, so lossy frames agree with them. Progressive, hierarchical and
// arithmetic-coded streams are refused with an error that names the process.
#pragma once

#include "core/base/result.h"
#include "core/image/decode_limits.h"

#include <cstdint>
#include <span>
#include <vector>

namespace dx {

struct JpegImage {
    int width = 0, height = 0;
    int components = 0;
    int precision = 0;       // bits per sample in the stream (8 or 12 for DCT, 2-16 for lossless)
    bool lossless = false;   // SOF3
    int adobeTransform = -1; // APP14 "Adobe" colour transform flag, -1 when the marker is absent
    bool jfif = false;       // an APP0 "JFIF" marker was present
    std::vector<uint16_t> samples;
};

Result<JpegImage> decodeJpeg(std::span<const uint8_t> data, const DecodeLimits& limits);

} // namespace dx
