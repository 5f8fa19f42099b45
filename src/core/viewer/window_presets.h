// window_presets.h — the windows (centre/width in modality units) a reader can jump to with keys 1-5.
//
// How to use:
//   dx::Histogram h = dx::computeHistogram(img, frame, 256);          // histogram.h: the frame's range
//   std::vector<dx::WindowPreset> p = dx::windowPresets(img, frame, h.minValue, h.maxValue);
//   // p[0] is what the image opens with; p[i].explanation names it in the UI ("Lung", "From the file", ...)
//
// CT (Modality CT, or values in HU): the image's own default, then the standard thorax/head windows in HU
// (level/width as in Radiopaedia, "Windowing (CT)"): lung -600/1500, mediastinum 50/350, bone 400/1800,
// brain 40/80. Anything else: the windows the file offers (DICOM Window Center/Width, all of them), then
// the frame's full range; without file windows, just the automatic window render.h's defaultWindow picks.
#pragma once

#include "core/image/image.h"

#include <vector>

namespace dx {

bool isComputedTomography(const Image& img);
std::vector<WindowPreset> windowPresets(const Image& img, int frame, double frameMin, double frameMax);

} // namespace dx
