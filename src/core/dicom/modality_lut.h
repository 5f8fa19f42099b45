// modality_lut.h — stored values -> modality values (PS3.3 C.11.1: value = stored * slope + intercept) as float.
//
// How to use:
//   dx::Result<dx::Image> hu = dx::applyModalityLut(ctImage);   // F32 samples in HU, slope 1, intercept 0
//   float v = hu->sample(0, x, y, 0);                           // e.g. -1000 for air
//
// The result keeps everything else (size, frames, windows, metadata); its windows are in the same units as
// before (modality units), so rendering it gives the same picture. Colour images are returned unchanged:
// the modality LUT applies to grey images only. The float image is 4 bytes per sample: the size is checked
// against DecodeLimits before allocating.
#pragma once

#include "core/base/result.h"
#include "core/image/decode_limits.h"
#include "core/image/image.h"

namespace dx {

Result<Image> applyModalityLut(const Image& img, const DecodeLimits& limits = {});

} // namespace dx
