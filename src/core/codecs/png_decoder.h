// png_decoder.h — the fast path for the PNGs radiographs and screenshots usually are: 8- or 16-bit grey,
// grey + alpha, RGB or RGBA, not interlaced, without palette or transparency chunks. The image data are
// inflated by libdeflate (Debian's source package; 1.3-2.2x faster than stb_image alone, bench/README.md) and
// unfiltered here. Everything else (palette, tRNS, 1-4 bit samples, Adam7, Apple's CgBI, damaged files) is
// left to stb_image, so results and error messages for those stay exactly as they were.
//
// How to use (raster_decoder.cpp does, after reading the header with stb_image):
//   std::vector<uint8_t> pixels;
//   if (dx::decodeCommonPng(bytes, {width, height, channels, 16}, pixels))
//       ... pixels: width x height x channels samples, 16-bit ones in host byte order (what stb gives)
//   else
//       ... decode with stb_image
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace dx {

struct PngLayout {
    int width = 0;
    int height = 0;
    int channels = 0; // 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA
    int bitDepth = 8; // 8 or 16
};

// True when `png` is a common PNG with exactly the `expected` layout and decoded without error into `pixels`;
// false (pixels unspecified) when stb_image should decode it instead.
bool decodeCommonPng(std::span<const uint8_t> png, const PngLayout& expected, std::vector<uint8_t>& pixels);

} // namespace dx
