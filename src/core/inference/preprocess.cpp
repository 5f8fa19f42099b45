// preprocess.cpp — see preprocess.h for the order of the steps and why resampling is done this way.
#include "core/inference/preprocess.h"

#include "core/image/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dx {

// ---------------------------------------------------------------------------------------------- geometry

Placement computePlacement(int imageWidth, int imageHeight, int modelWidth, int modelHeight,
                           ResizeMode mode) {
    Placement p;
    p.imageWidth = imageWidth;
    p.imageHeight = imageHeight;
    p.modelWidth = modelWidth;
    p.modelHeight = modelHeight;
    p.x = {0, imageWidth, 0, modelWidth};
    p.y = {0, imageHeight, 0, modelHeight};
    double sx = double(modelWidth) / imageWidth, sy = double(modelHeight) / imageHeight;
    if (mode == ResizeMode::Letterbox) {
        // The whole image, scaled by the smaller factor, centred; the other axis is padded.
        double s = std::min(sx, sy);
        p.x.dstSize = std::clamp(int(std::lround(imageWidth * s)), 1, modelWidth);
        p.y.dstSize = std::clamp(int(std::lround(imageHeight * s)), 1, modelHeight);
        p.x.dstBegin = (modelWidth - p.x.dstSize) / 2;
        p.y.dstBegin = (modelHeight - p.y.dstSize) / 2;
    } else if (mode == ResizeMode::CenterCrop) {
        // Scaled by the larger factor: the central part of the image that fills the input.
        double s = std::max(sx, sy);
        p.x.srcSize = std::clamp(int(std::lround(modelWidth / s)), 1, imageWidth);
        p.y.srcSize = std::clamp(int(std::lround(modelHeight / s)), 1, imageHeight);
        p.x.srcBegin = (imageWidth - p.x.srcSize) / 2;
        p.y.srcBegin = (imageHeight - p.y.srcSize) / 2;
    }
    return p;
}

// ---------------------------------------------------------------------------------------------- resampling

// Dense 1-D operator as rows of weights; only used while building a kernel (sizes are image dimensions).
using WeightRows = std::vector<std::vector<std::pair<int, double>>>;

// Adaptive average pooling bins (PyTorch adaptive_avg_pool): output j averages [floor(j*n/m), ceil((j+1)*n/m)).
static WeightRows areaRows(int n, int m) {
    WeightRows rows(static_cast<size_t>(m));
    for (int j = 0; j < m; j++) {
        int begin = int((int64_t(j) * n) / m);
        int end = int((int64_t(j + 1) * n + m - 1) / m);
        for (int i = begin; i < end; i++)
            rows[size_t(j)].push_back({i, 1.0 / (end - begin)});
    }
    return rows;
}

// Bilinear with half-pixel centres: source coordinate (j + 0.5) * n/m - 0.5, clamped at the edges.
static WeightRows bilinearRows(int n, int m) {
    WeightRows rows(static_cast<size_t>(m));
    double scale = double(n) / m;
    for (int j = 0; j < m; j++) {
        double src = std::max((j + 0.5) * scale - 0.5, 0.0);
        int i0 = std::min(int(src), n - 1);
        int i1 = std::min(i0 + 1, n - 1);
        double t = std::min(src - i0, 1.0);
        rows[size_t(j)].push_back({i0, 1.0 - t});
        if (t > 0.0) rows[size_t(j)].push_back({i1, t});
    }
    return rows;
}

ResampleKernel buildResampleKernel(int srcSize, int dstSize) {
    WeightRows rows;
    if (srcSize > 2 * dstSize) {
        // Compose: area to 2*dst, then bilinear 2*dst -> dst.
        WeightRows area = areaRows(srcSize, 2 * dstSize);
        WeightRows bilinear = bilinearRows(2 * dstSize, dstSize);
        rows.resize(size_t(dstSize));
        for (int j = 0; j < dstSize; j++) {
            for (const auto& [mid, w1] : bilinear[size_t(j)])
                for (const auto& [src, w2] : area[size_t(mid)])
                    rows[size_t(j)].push_back({src, w1 * w2});
            std::sort(rows[size_t(j)].begin(), rows[size_t(j)].end());
        }
    } else {
        rows = bilinearRows(srcSize, dstSize);
    }
    ResampleKernel k;
    k.tapBegin.push_back(0);
    for (const auto& row : rows) {
        // Merge taps on the same source index (adjacent area bins overlap by one pixel).
        for (size_t t = 0; t < row.size(); t++) {
            if (t > 0 && row[t].first == row[t - 1].first)
                k.taps.back().weight += float(row[t].second);
            else
                k.taps.push_back({row[t].first, float(row[t].second)});
        }
        k.tapBegin.push_back(int(k.taps.size()));
    }
    return k;
}

// -------------------------------------------------------------------------------------------- display values

// Where display values come from: either 8-bit display values `stride` bytes apart, or (grey DICOM and 16-bit
// images) stored samples `stride` bytes apart turned into display values through `table` (render.h).
struct DisplaySource {
    const uint8_t* pixels = nullptr;
    int width = 0;
    int stride = 0;
    bool colour = false;
    std::vector<uint8_t> table; // empty: pixels are display values already
};

static bool isDicom(const Image& image) {
    auto format = image.metadata.find("format");
    return format != image.metadata.end() && format->second == "DICOM";
}

// The model sees exactly the 8-bit values the viewer shows (core/image/render.h): same modality LUT, VOI window and
// MONOCHROME1 handling, so a result on a DICOM file equals the result on its exported screenshot. 8-bit
// raster images (PNG, JPEG, ...) are shown as stored, so their samples are used directly; grey integer images
// go through the renderer's table sample by sample; only colour and float images are rendered in full first.
static Result<DisplaySource> displaySource(const Image& image, const ModelInputSpec& spec, int frame,
                                           DisplayImage& rendered) {
    if (image.width <= 0 || image.height <= 0) return Error("The image has no pixels.");
    if (frame < 0 || frame >= image.frames || image.pixels.size() < image.frameBytes() * size_t(image.frames))
        return Error("The image has no pixels for frame " + std::to_string(frame + 1) + ".");
    const bool colour = image.samplesPerPixel >= 3;
    const bool asStored = image.sampleType == SampleType::U8 && image.windows.empty() && !isDicom(image) &&
                          image.photometric != Photometric::Monochrome1;
    if (asStored)
        return DisplaySource{image.frameData(frame), image.width, image.samplesPerPixel, colour, {}};

    RenderOptions options;
    options.frame = frame;
    if (!spec.windowFromFile) options.window = WindowPreset{spec.windowCenter, spec.windowWidth, "model"};
    // The renderer inverts MONOCHROME1 itself; a model that wants stored polarity cancels that.
    options.invert = image.photometric == Photometric::Monochrome1 && !spec.invertMonochrome1;
    if (image.samplesPerPixel == 1) {
        Result<std::vector<uint8_t>> table = displayTable(image, options);
        if (!table) return table.error();
        if (!table->empty())
            return DisplaySource{image.frameData(frame), image.width, int(bytesPerSample(image.sampleType)),
                                 false, std::move(*table)};
    }
    Result<DisplayImage> shown = renderImage(image, options);
    if (!shown) return shown.error();
    rendered = std::move(*shown);
    return DisplaySource{rendered.rgba.data(), rendered.width, 4, colour, {}};
}

// Channel c of one pixel: luminance for colour -> 1 channel, else the channel itself (grey is replicated);
// alpha is ignored.
static float displayValue(const uint8_t* px, bool colour, int channels, int c) {
    if (colour && channels == 1) return 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];
    return float(px[colour ? c : 0]);
}

// Display values of one source row segment into `line`.
static void displayRow(const DisplaySource& src, const uint8_t* px, int count, int channels, int c,
                       float* line) {
    const size_t stride = size_t(src.stride);
    if (src.table.empty()) {
        for (int x = 0; x < count; x++)
            line[x] = displayValue(px + size_t(x) * stride, src.colour, channels, c);
    } else if (stride == 1) {
        for (int x = 0; x < count; x++)
            line[x] = float(src.table[px[x]]);
    } else { // 16-bit samples, little-endian raw bits as the table's index
        for (int x = 0; x < count; x++)
            line[x] = float(src.table[size_t(px[2 * x]) | (size_t(px[2 * x + 1]) << 8)]);
    }
}

// One channel of the model input: for each output row, the vertical pass sums the weighted source rows it
// covers (display values made row by row, so no full-size float copy of a large image is ever allocated),
// then the horizontal pass turns that one summed row into `modelWidth`-wide output. Vertical first keeps the
// heavy loop (taps x source width per output row) contiguous, so the compiler vectorises it. Accumulation is
// float, as in the training framework.
static void resampleChannel(const DisplaySource& src, int channels, int c, const Placement& p,
                            const ResampleKernel& kx, const ResampleKernel& ky, float* out) {
    const size_t srcWidth = size_t(p.x.srcSize);
    const size_t stride = size_t(src.stride);
    std::vector<float> line(srcWidth), summed(srcWidth);
    for (int y = 0; y < p.y.dstSize; y++) {
        std::fill(summed.begin(), summed.end(), 0.0f);
        for (int t = ky.tapBegin[size_t(y)]; t < ky.tapBegin[size_t(y) + 1]; t++) {
            const ResampleTap& tap = ky.taps[size_t(t)];
            const uint8_t* px =
                src.pixels +
                (size_t(p.y.srcBegin + tap.index) * size_t(src.width) + size_t(p.x.srcBegin)) * stride;
            displayRow(src, px, p.x.srcSize, channels, c, line.data());
            const float w = tap.weight;
            for (size_t x = 0; x < srcWidth; x++)
                summed[x] += w * line[x];
        }
        float* dst = out + size_t(p.y.dstBegin + y) * size_t(p.modelWidth) + p.x.dstBegin;
        for (int x = 0; x < p.x.dstSize; x++) {
            float sum = 0.0f;
            for (int t = kx.tapBegin[size_t(x)]; t < kx.tapBegin[size_t(x) + 1]; t++)
                sum += kx.taps[size_t(t)].weight * summed[size_t(kx.taps[size_t(t)].index)];
            dst[x] = sum;
        }
    }
}

Result<PreparedInput> preprocessImage(const Image& image, const ModelInputSpec& spec, int frame) {
    if (spec.channels != 1 && spec.channels != 3) return Error("The model input must have 1 or 3 channels.");
    DisplayImage rendered; // holds the pixels `source` points to when the image had to be rendered
    Result<DisplaySource> source = displaySource(image, spec, frame, rendered);
    if (!source) return source.error();

    PreparedInput in;
    in.placement = computePlacement(image.width, image.height, spec.width, spec.height, spec.resize);
    const Placement& p = in.placement;
    in.tensor = Tensor::zeros({1, spec.channels, spec.height, spec.width});
    const ResampleKernel kx = buildResampleKernel(p.x.srcSize, p.x.dstSize);
    const ResampleKernel ky = buildResampleKernel(p.y.srcSize, p.y.dstSize);
    const size_t inputPlane = size_t(spec.width) * size_t(spec.height);
    float* first = in.tensor.data.data();
    for (int c = 0; c < spec.channels; c++) {
        float* out = first + size_t(c) * inputPlane;
        // A grey image has the same display values in every channel: resample it once and copy the plane
        // (for a 3-channel model on a 2048 x 2048 radiograph this saves two passes over 4 million pixels).
        if (c > 0 && !source->colour)
            std::copy(first, first + inputPlane, out);
        else
            resampleChannel(*source, spec.channels, c, p, kx, ky, out);
    }
    for (int c = 0; c < spec.channels; c++) {
        float* out = first + size_t(c) * inputPlane;
        // Letterbox padding stays at display value 0 and is normalised like every other pixel.
        const float scale = spec.normalize.scale, mean = spec.normalize.mean[size_t(c)];
        const float invStd = 1.0f / spec.normalize.std[size_t(c)];
        for (size_t i = 0; i < inputPlane; i++)
            out[i] = (out[i] * scale - mean) * invStd;
    }
    return in;
}

// ---------------------------------------------------------------------------------------------- tabular

static std::string formatNumber(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

Result<Tensor> buildTabularInput(const FeatureValues& values, const ModelInputSpec& spec) {
    Tensor t = Tensor::zeros({1, int64_t(spec.features.size())});
    for (size_t i = 0; i < spec.features.size(); i++) {
        const TabularFeature& f = spec.features[i];
        const std::pair<std::string, double>* found = nullptr;
        for (const auto& v : values)
            if (v.first == f.name) found = &v;
        std::string unit = f.unit.empty() ? "" : " " + f.unit;
        if (!found) return Error("The value of '" + f.name + "' is missing.");
        if (!std::isfinite(found->second)) return Error("The value of '" + f.name + "' is not a number.");
        if (found->second < f.min || found->second > f.max)
            return Error("'" + f.name + "' is " + formatNumber(found->second) + unit +
                         ", outside its valid range " + formatNumber(f.min) + " to " + formatNumber(f.max) +
                         unit + ".");
        t.data[i] = float(found->second);
    }
    return t;
}

} // namespace dx
