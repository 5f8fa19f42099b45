// dicom_rle.h — DICOM RLE Lossless (PS3.5 annex G) frame decoding.
//
// How to use:
//   std::vector<uint8_t> frame(rows * columns * samplesPerPixel * bytesPerSample);
//   dx::Status s = dx::decodeRleFrame(fragmentBytes, rows * columns, samplesPerPixel, bytesPerSample, frame);
//
// Output: the frame as little-endian, interleaved samples (what a native Explicit VR Little Endian file with
// Planar Configuration 0 would hold), so the rest of the pixel pipeline treats it like uncompressed data.
// RLE stores one segment per byte plane: sample 0's most significant byte first.
#pragma once

#include "core/base/result.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace dx {

Status decodeRleFrame(std::span<const uint8_t> frame, size_t pixelCount, int samplesPerPixel,
                      int bytesPerSample, std::span<uint8_t> out);

} // namespace dx
