// render.cpp — see render.h. Integer samples of up to 16 bits go through a table with one entry per possible
// stored value (at most 65536 evaluations per render); 32-bit and float samples are mapped one by one.
#include "core/image/render.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace dx {

static double loadSample(const uint8_t* p, SampleType t) {
    switch (t) {
    case SampleType::U8:
        return *p;
    case SampleType::I8:
        return int8_t(*p);
    case SampleType::U16: {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return v;
    }
    case SampleType::I16: {
        int16_t v;
        std::memcpy(&v, p, 2);
        return v;
    }
    case SampleType::U32: {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }
    case SampleType::I32: {
        int32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }
    case SampleType::F32: {
        float v;
        std::memcpy(&v, p, 4);
        return std::isfinite(v) ? v : 0.0;
    }
    }
    return 0.0;
}

static bool hasAlpha(const Image& img) {
    return img.samplesPerPixel == 2 || img.samplesPerPixel == 4;
}
static int colourChannels(const Image& img) {
    return hasAlpha(img) ? img.samplesPerPixel - 1 : img.samplesPerPixel;
}

// min..max of the stored values of a frame's colour channels (alpha excluded), read as type T. A typed loop:
// the generic per-sample path costs ~10x more on a 2048 x 2048 radiograph, once per render and per analysis.
template <typename T>
static void storedRange(const uint8_t* data, size_t pixels, int spp, int channels, double& lo, double& hi) {
    T mn = std::numeric_limits<T>::max(), mx = std::numeric_limits<T>::lowest();
    if (spp == 1 && channels == 1) { // grey: one flat run the compiler vectorises
        for (size_t p = 0; p < pixels; p++) {
            T v;
            std::memcpy(&v, data + p * sizeof(T), sizeof(T));
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        lo = double(mn);
        hi = double(mx);
        return;
    }
    for (size_t p = 0; p < pixels; p++) {
        for (int c = 0; c < channels; c++) {
            T v;
            std::memcpy(&v, data + (p * size_t(spp) + size_t(c)) * sizeof(T), sizeof(T));
            mn = std::min(mn, v);
            mx = std::max(mx, v);
        }
    }
    lo = double(mn);
    hi = double(mx);
}

// The frame's modality value range. Rescale is linear, so the extremes of the stored values map to the
// extremes of the modality values (swapped when the slope is negative).
static void modalityRange(const Image& img, int frame, double& lo, double& hi) {
    const size_t pixels = size_t(img.width) * size_t(img.height);
    const uint8_t* data = img.frameData(frame);
    const int spp = img.samplesPerPixel, channels = colourChannels(img);
    lo = INFINITY;
    hi = -INFINITY;
    if (pixels == 0) return;
    switch (img.sampleType) {
    case SampleType::U8:
        storedRange<uint8_t>(data, pixels, spp, channels, lo, hi);
        break;
    case SampleType::I8:
        storedRange<int8_t>(data, pixels, spp, channels, lo, hi);
        break;
    case SampleType::U16:
        storedRange<uint16_t>(data, pixels, spp, channels, lo, hi);
        break;
    case SampleType::I16:
        storedRange<int16_t>(data, pixels, spp, channels, lo, hi);
        break;
    default: {
        const size_t sampleBytes = bytesPerSample(img.sampleType);
        for (size_t p = 0; p < pixels; p++) {
            for (int c = 0; c < channels; c++) {
                const double v =
                    loadSample(data + (p * size_t(spp) + size_t(c)) * sampleBytes, img.sampleType);
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    }
    const double a = img.modalityValue(lo), b = img.modalityValue(hi);
    lo = std::min(a, b);
    hi = std::max(a, b);
}

WindowPreset defaultWindow(const Image& img, int frame) {
    if (!img.windows.empty()) return img.windows[0];
    auto format = img.metadata.find("format");
    const bool dicom = format != img.metadata.end() && format->second == "DICOM";
    if (!dicom && img.sampleType == SampleType::U8) return {128.0, 256.0, "full range"};
    double lo, hi;
    modalityRange(img, frame, lo, hi);
    if (!(lo <= hi)) return {0.5, 1.0, "auto"};
    // Chosen so that the linear VOI function maps lo to 0 and hi to 255 exactly.
    return {(lo + hi + 1.0) / 2.0, hi - lo + 1.0, "auto (min to max)"};
}

struct DisplayMapping {
    double slope, intercept, center, width;
    bool sigmoid, linearExact, invert;

    uint8_t operator()(double stored) const {
        const double x = stored * slope + intercept;
        double y;
        if (sigmoid) {
            y = 255.0 / (1.0 + std::exp(-4.0 * (x - center) / std::max(width, 1e-9)));
        } else if (linearExact) { // PS3.3 C.11.2.1.3.2
            const double w = std::max(width, 1e-9);
            if (x <= center - w / 2.0)
                y = 0.0;
            else if (x > center + w / 2.0)
                y = 255.0;
            else
                y = ((x - center) / w + 0.5) * 255.0;
        } else {
            const double w = std::max(width, 1.0); // PS3.3: Window Width >= 1
            if (x <= center - 0.5 - (w - 1.0) / 2.0)
                y = 0.0;
            else if (x > center - 0.5 + (w - 1.0) / 2.0)
                y = 255.0;
            else
                y = ((x - (center - 0.5)) / (w - 1.0) + 0.5) * 255.0;
        }
        uint8_t v = uint8_t(std::clamp(std::floor(y + 0.5), 0.0, 255.0));
        return invert ? uint8_t(255 - v) : v;
    }
};

static uint8_t alphaTo8Bit(double v, SampleType t) {
    if (t == SampleType::U16) return uint8_t((uint32_t(v) * 255u + 32767u) / 65535u);
    return uint8_t(std::clamp(v, 0.0, 255.0));
}

static DisplayMapping displayMapping(const Image& img, const RenderOptions& options) {
    const WindowPreset window = options.window ? *options.window : defaultWindow(img, options.frame);
    auto voi = img.metadata.find("VOILUTFunction");
    DisplayMapping map;
    map.slope = img.rescaleSlope;
    map.intercept = img.rescaleIntercept;
    map.center = window.center;
    map.width = window.width;
    map.sigmoid = img.voiSigmoid;
    map.linearExact = voi != img.metadata.end() && voi->second == "LINEAR_EXACT";
    map.invert = options.invert != (img.photometric == Photometric::Monochrome1);
    return map;
}

// One entry per possible stored value of 8- and 16-bit types, indexed by the raw bits; empty for the others.
static std::vector<uint8_t> tableOf(const DisplayMapping& map, SampleType t) {
    std::vector<uint8_t> table;
    if (t == SampleType::U8 || t == SampleType::I8 || t == SampleType::U16 || t == SampleType::I16) {
        table.resize(bytesPerSample(t) == 1 ? 256 : 65536);
        for (size_t raw = 0; raw < table.size(); raw++) {
            uint8_t bytes[4] = {uint8_t(raw), uint8_t(raw >> 8), 0, 0};
            table[raw] = map(loadSample(bytes, t));
        }
    }
    return table;
}

static Status checkRenderable(const Image& img, const RenderOptions& options) {
    if (options.frame < 0 || options.frame >= img.frames)
        return Error("Frame " + std::to_string(options.frame + 1) + " does not exist; the image has " +
                     std::to_string(img.frames) + " frame(s).");
    if (img.pixels.size() < img.frameBytes() * size_t(img.frames))
        return Error("The image has no pixels to show (only its header was read).");
    return {};
}

Result<std::vector<uint8_t>> displayTable(const Image& img, const RenderOptions& options) {
    if (Status ok = checkRenderable(img, options); !ok) return ok.error();
    return tableOf(displayMapping(img, options), img.sampleType);
}

Result<DisplayImage> renderImage(const Image& img, const RenderOptions& options) {
    if (Status ok = checkRenderable(img, options); !ok) return ok.error();
    const DisplayMapping map = displayMapping(img, options);
    const SampleType t = img.sampleType;
    const std::vector<uint8_t> table = tableOf(map, t);
    const size_t sampleBytes = bytesPerSample(t);
    auto display = [&](const uint8_t* p) -> uint8_t {
        if (table.empty()) return map(loadSample(p, t));
        return table[sampleBytes == 1 ? p[0] : size_t(p[0] | (p[1] << 8))];
    };

    DisplayImage out;
    out.width = img.width;
    out.height = img.height;
    const size_t pixels = size_t(img.width) * size_t(img.height);
    out.rgba.resize(pixels * 4);
    const uint8_t* data = img.frameData(options.frame);
    const int spp = img.samplesPerPixel;
    const bool grey = colourChannels(img) == 1;
    for (size_t p = 0; p < pixels; p++) {
        const uint8_t* px = data + p * size_t(spp) * sampleBytes;
        uint8_t* o = &out.rgba[p * 4];
        if (grey) {
            uint8_t g = display(px);
            if (options.colourLut) {
                o[0] = (*options.colourLut)[g * 3 + 0];
                o[1] = (*options.colourLut)[g * 3 + 1];
                o[2] = (*options.colourLut)[g * 3 + 2];
            } else {
                o[0] = o[1] = o[2] = g;
            }
        } else {
            for (int c = 0; c < 3; c++)
                o[c] = display(px + size_t(c) * sampleBytes);
        }
        o[3] = hasAlpha(img) ? alphaTo8Bit(loadSample(px + size_t(spp - 1) * sampleBytes, t), t) : 255;
    }
    return out;
}

} // namespace dx
