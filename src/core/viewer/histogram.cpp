// histogram.cpp — see histogram.h.
#include "core/viewer/histogram.h"

#include <algorithm>
#include <cmath>

namespace dx {

double Histogram::binWidth() const {
    return counts.empty() ? 0.0 : (maxValue - minValue) / double(counts.size());
}

float Histogram::fractionOf(double value) const {
    if (!(maxValue > minValue)) return 0.5f;
    return float(std::clamp((value - minValue) / (maxValue - minValue), 0.0, 1.0));
}

Histogram computeHistogram(const Image& img, int frame, int bins) {
    Histogram h;
    if (bins <= 0 || frame < 0 || frame >= img.frames || img.width <= 0 || img.height <= 0) return h;
    const int channels = img.samplesPerPixel >= 3 ? 3 : 1; // grey (+alpha): the grey; colour: R, G, B
    // Two passes over the samples (range, then bins) rather than a float copy of a possibly 4096x4096 frame.
    auto forEachValue = [&](auto&& use) {
        for (int y = 0; y < img.height; y++)
            for (int x = 0; x < img.width; x++)
                for (int c = 0; c < channels; c++)
                    use(img.modalityValue(img.sample(frame, x, y, c)));
    };
    h.minValue = INFINITY;
    h.maxValue = -INFINITY;
    forEachValue([&](double v) {
        h.minValue = std::min(h.minValue, v);
        h.maxValue = std::max(h.maxValue, v);
    });
    h.counts.assign(size_t(bins), 0);
    const double span = h.maxValue - h.minValue;
    forEachValue([&](double v) {
        const int bin = span > 0.0 ? int((v - h.minValue) / span * bins) : 0;
        h.counts[size_t(std::min(bin, bins - 1))]++;
        h.total++;
    });
    return h;
}

std::vector<float> histogramBars(const Histogram& h, bool logScale) {
    const uint64_t peak = h.counts.empty() ? 0 : *std::max_element(h.counts.begin(), h.counts.end());
    std::vector<float> bars(h.counts.size(), 0.0f);
    if (peak == 0) return bars;
    for (size_t i = 0; i < bars.size(); i++)
        bars[i] = logScale ? float(std::log1p(double(h.counts[i])) / std::log1p(double(peak)))
                           : float(double(h.counts[i]) / double(peak));
    return bars;
}

} // namespace dx
