// render.h — any dx::Image -> 8-bit RGBA for display: modality LUT, VOI window (linear or sigmoid),
// MONOCHROME1 and user inversion, optional colour lookup table.
//
// How to use:
//   dx::RenderOptions opt;                       // frame 0, the image's default window
//   opt.window = dx::WindowPreset{40, 400, "soft tissue"};   // or a window of your own (modality units)
//   opt.invert = true;  opt.colourLut = &myLut;  // 256 RGB triplets, grey images only
//   dx::Result<dx::DisplayImage> shown = dx::renderImage(img, opt);  // shown->rgba: width*height*4 bytes
//
// Windows are in modality units (after Rescale Slope/Intercept: HU for CT) and follow PS3.3 C.11.2.1.2
// (linear), C.11.2.1.3.1 (SIGMOID) and C.11.2.1.3.2 (LINEAR_EXACT, from metadata "VOILUTFunction"). Without a
// window from the file, grey DICOM and 16-bit images use the frame's min..max; 8-bit raster images use the
// identity (0..255 shown as is). Colour images are windowed per channel with the same rule.
#pragma once

#include "core/base/result.h"
#include "core/image/image.h"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace dx {

using ColourLut = std::array<uint8_t, 256 * 3>;

struct RenderOptions {
    int frame = 0;
    std::optional<WindowPreset> window; // empty: defaultWindow()
    bool invert = false;                // on top of MONOCHROME1's own inversion
    const ColourLut* colourLut = nullptr;
};

struct DisplayImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;
};

WindowPreset defaultWindow(const Image& img, int frame);
Result<DisplayImage> renderImage(const Image& img, const RenderOptions& options = {});

// What renderImage does to each stored sample (modality LUT, window, inversion; no colour LUT), as a table
// indexed by the sample's raw bits in little-endian order: 256 entries for 8-bit and 65536 for 16-bit integer
// samples. Empty for 32-bit and float samples, which are mapped one by one.
Result<std::vector<uint8_t>> displayTable(const Image& img, const RenderOptions& options = {});

} // namespace dx
