// dicom_codestream.h — what a DICOM header says one compressed frame must decode to, shared by the JPEG-LS
// (dicom_jpegls.h) and JPEG 2000 (dicom_j2k.h) wrappers.
//
// How to use:
//   dx::CodestreamLayout layout{columns, rows, samplesPerPixel, bitsAllocated / 8};
//   std::vector<uint8_t> frame(layout.frameBytes());
//   dx::Status s = dx::decodeJpegLsFrame(codestream, layout, frame);
//
// The wrappers compare the codestream's own header with the layout before decoding anything, so the output
// buffer (sized from the DICOM header, which decode_limits.h already bounded) is all the memory a frame
// needs, and a codestream that claims another size is an error instead of an allocation. Output:
// little-endian, interleaved samples of `bytesPerSample` bytes (what an uncompressed Explicit VR Little
// Endian frame with Planar Configuration 0 holds), so the pixel pipeline treats it like native data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dx {

struct CodestreamLayout {
    int columns = 0, rows = 0, samplesPerPixel = 1;
    int bytesPerSample = 1; // Bits Allocated / 8: 1, 2 or 4

    size_t samples() const { return size_t(columns) * size_t(rows) * size_t(samplesPerPixel); }
    size_t frameBytes() const { return samples() * size_t(bytesPerSample); }
    std::string describe() const {
        return std::to_string(columns) + "x" + std::to_string(rows) + " with " +
               std::to_string(samplesPerPixel) + " sample(s) of at most " +
               std::to_string(bytesPerSample * 8) + " bits";
    }
};

} // namespace dx
