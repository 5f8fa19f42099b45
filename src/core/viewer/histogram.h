// histogram.h — the distribution of a frame's modality values (HU for CT), for the viewer's histogram with
// the current window drawn on it.
//
// How to use:
//   dx::Histogram h = dx::computeHistogram(img, frame, 256);
//   std::vector<float> bars = dx::histogramBars(h, /*logScale=*/true);   // heights in [0, 1] per bin
//   float at = h.fractionOf(windowLow);                                  // x position in [0, 1] (clamped)
//
// Grey images: every pixel's value after the modality LUT. Colour images: every colour sample (alpha left
// out). Bins are equal-width over [minValue, maxValue]; a constant frame has one populated bin.
#pragma once

#include "core/image/image.h"

#include <cstdint>
#include <vector>

namespace dx {

struct Histogram {
    double minValue = 0.0, maxValue = 0.0;
    std::vector<uint64_t> counts;
    uint64_t total = 0;

    double binWidth() const;
    float
    fractionOf(double value) const; // where `value` falls across [minValue, maxValue], clamped to [0, 1]
};

Histogram computeHistogram(const Image& img, int frame, int bins);
// Bar heights relative to the fullest bin; log scale: log(1 + count) / log(1 + max), so rare values show.
std::vector<float> histogramBars(const Histogram& h, bool logScale);

} // namespace dx
