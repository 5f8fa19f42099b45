// raster_decoder.h — PNG, JPEG, BMP, TGA and GIF decoding with stb_image (Debian's libstb-dev); the common
// kinds of PNG go through png_decoder.h's faster path with the same results.
//
// How to use:
//   dx::Result<dx::Image> img = dx::decodeRaster(bytes, dx::RasterFormat::Png, limits);
//   dx::Result<dx::Image> hdr = dx::decodeRaster(bytes, fmt, limits, {.headerOnly = true}); // size, no pixels
//
// Output: 8-bit samples (U8), or 16-bit (U16) for 16-bit PNG; grey (1), grey+alpha (2), RGB (3) or RGBA (4)
// samples per pixel as the file has them (palette PNG/GIF/TGA come out as RGB or RGBA). GIF: the first frame.
// JPEG: the EXIF orientation is applied so phone photos come out upright (turn off with
// applyExifOrientation). Limits: the decoded size is checked from the header before decoding, and stb_image's
// own allocations go through a budget tied to that size, so a "PNG bomb" fails with an error instead of
// exhausting memory.
#pragma once

#include "core/base/result.h"
#include "core/image/decode_limits.h"
#include "core/image/image.h"

#include <cstdint>
#include <functional>
#include <span>

namespace dx {

enum class RasterFormat : uint8_t { Png, Jpeg, Bmp, Tga, Gif };
const char* rasterFormatName(RasterFormat f); // "PNG", "JPEG", ...

struct RasterOptions {
    bool headerOnly = false;
    bool applyExifOrientation = true;
    bool commonPngFastPath =
        true; // png_decoder.h; false: stb_image decodes every PNG (tests compare the two)
};

Result<Image> decodeRaster(std::span<const uint8_t> bytes, RasterFormat format, const DecodeLimits& limits,
                           const RasterOptions& options = {});

// EXIF orientation (1..8) of a JPEG, 1 when absent or unreadable.
int jpegExifOrientation(std::span<const uint8_t> jpeg);

// Walks the marker segments of a JPEG stream (also those after and between scans), skipping entropy-coded
// data: visit(marker, bodyOffset, length) with length as stored (it counts its own 2 bytes, and may point
// past the end of a corrupt stream: check before reading). Return false to stop.
using JpegSegmentVisitor = std::function<bool(uint8_t marker, size_t bodyOffset, size_t length)>;
void forEachJpegSegment(std::span<const uint8_t> jpeg, const JpegSegmentVisitor& visit);

} // namespace dx
