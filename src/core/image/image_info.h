// image_info.h — the machine-readable description and raw sample export of a decoded image (used by the
// `dxlens info` / `dxlens decode --raw` commands and by the golden tests, so both check the same code).
//
// How to use:
//   dx::Result<dx::Image> img = dx::readImageHeader(bytes);
//   nlohmann::json j = dx::imageInfoJson(*img);   // format, width, height, frames, samples_per_pixel, ...
//   std::vector<uint8_t> raw = dx::frameSamplesLittleEndian(*img, 0);  // frame 0, little endian, interleaved
//   // the decoded samples: stored values for grey images, RGB for YBR, the palette applied for PALETTE COLOR
//
// imageInfoJson keys: format, width, height, frames, samples_per_pixel, bits_allocated, bits_stored,
// pixel_representation, photometric, transfer_syntax (DICOM only, else null), rescale_slope,
// rescale_intercept, window_center, window_width (first window, null when the file has none), modality (null
// when absent). For DICOM, bits_allocated/photometric are the file's attributes (e.g. 1 and "YBR_FULL_422")
// even though the decoded samples are U8 RGB.
#pragma once

#include "core/image/image.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace dx {

nlohmann::json imageInfoJson(const Image& img);
std::vector<uint8_t> frameSamplesLittleEndian(const Image& img, int frame);

} // namespace dx
