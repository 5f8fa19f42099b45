// raster_encoder.h — writes 8-bit images as PNG (stb_image_write from Debian's libstb-dev), e.g. for exports
// and `dxlens decode --png`.
//
// How to use:
//   dx::Result<std::vector<uint8_t>> png = dx::encodePng(width, height, 4, rgba.data());  // 1..4 channels
#pragma once

#include "core/base/result.h"

#include <cstdint>
#include <vector>

namespace dx {

Result<std::vector<uint8_t>> encodePng(int width, int height, int channels, const uint8_t* pixels);

} // namespace dx
