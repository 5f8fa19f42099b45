// postprocess.cpp — activations, findings, OOD verdict and segmentation masks (see postprocess.h).
#include "core/inference/postprocess.h"

#include "core/inference/mask_cleanup.h"

#include <algorithm>
#include <cmath>

namespace dx {

const Finding* topFinding(const std::vector<Finding>& findings) {
    const Finding* best = nullptr;
    for (const Finding& f : findings) {
        // A thresholded finding (a decision the model makes) outranks any score without one.
        if (!best || (f.hasThreshold && !best->hasThreshold) ||
            (f.hasThreshold == best->hasThreshold && f.score > best->score))
            best = &f;
    }
    return best;
}

const char* findingDecision(const Finding& finding) {
    if (!finding.hasThreshold) return "no threshold";
    return finding.positive ? "positive" : "negative";
}

void softmaxInPlace(float* values, size_t count, size_t stride) {
    if (count == 0) return;
    float maxValue = values[0];
    for (size_t i = 1; i < count; i++)
        maxValue = std::max(maxValue, values[i * stride]);
    // Subtracting the maximum keeps exp() in range: the largest term is exp(0) = 1, so the sum is >= 1.
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) {
        float e = std::exp(values[i * stride] - maxValue);
        values[i * stride] = e;
        sum += e;
    }
    for (size_t i = 0; i < count; i++)
        values[i * stride] = float(values[i * stride] / sum);
}

float sigmoid(float x) {
    // Two forms so exp() never overflows: for x < 0, e^x / (1 + e^x).
    if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
    float e = std::exp(x);
    return e / (1.0f + e);
}

void applyActivation(Activation activation, Tensor& tensor, size_t classAxis) {
    if (activation == Activation::Sigmoid) {
        for (float& v : tensor.data)
            v = sigmoid(v);
    } else if (activation == Activation::Softmax && classAxis < tensor.shape.size()) {
        size_t count = size_t(tensor.shape[classAxis]);
        size_t inner = 1, outer = 1;
        for (size_t a = classAxis + 1; a < tensor.shape.size(); a++)
            inner *= size_t(tensor.shape[a]);
        for (size_t a = 0; a < classAxis; a++)
            outer *= size_t(tensor.shape[a]);
        for (size_t o = 0; o < outer; o++)
            for (size_t i = 0; i < inner; i++)
                softmaxInPlace(tensor.data.data() + o * count * inner + i, count, inner);
    }
}

static Result<const Tensor*> requireOutput(const std::vector<NamedTensor>& outputs, const std::string& name) {
    const NamedTensor* t = findTensor(outputs, name);
    if (!t) return Error("The model did not return its output '" + name + "'.");
    return &t->tensor;
}

Result<std::vector<Finding>> classificationFindings(const ModelManifest& manifest,
                                                    const std::vector<NamedTensor>& rawOutputs) {
    std::vector<Finding> findings;
    for (const ModelOutputSpec& spec : manifest.outputs) {
        if (spec.labels.empty() || (manifest.hasOod && spec.name == manifest.ood.output)) continue;
        Result<const Tensor*> raw = requireOutput(rawOutputs, spec.name);
        if (!raw) return raw.error();
        Tensor t = **raw;
        size_t perItem = t.shape.empty() ? t.data.size() : size_t(t.shape.back());
        if (perItem != spec.labels.size() || t.data.size() < perItem)
            return Error("Output '" + spec.name + "' has shape " + shapeToString(t.shape) +
                         " but the manifest names " + std::to_string(spec.labels.size()) + " labels for it.");
        applyActivation(spec.activation, t, t.shape.empty() ? 0 : t.shape.size() - 1);
        for (size_t i = 0; i < spec.labels.size(); i++) {
            Finding f;
            f.output = spec.name;
            f.label = spec.labels[i];
            f.score = t.data[i];
            f.hasThreshold = findThreshold(spec, f.label, &f.threshold);
            f.positive = f.hasThreshold && f.score >= f.threshold;
            findings.push_back(f);
        }
    }
    return findings;
}

Result<OodVerdict> oodVerdict(const ModelManifest& manifest, const std::vector<NamedTensor>& rawOutputs) {
    OodVerdict v;
    if (!manifest.hasOod) return v;
    Result<const Tensor*> raw = requireOutput(rawOutputs, manifest.ood.output);
    if (!raw) return raw.error();
    if ((*raw)->data.empty())
        return Error("The out-of-distribution output '" + manifest.ood.output + "' is empty.");
    const ModelOutputSpec* spec = findOutputSpec(manifest, manifest.ood.output);
    Tensor t = **raw;
    if (spec) applyActivation(spec->activation, t, t.shape.empty() ? 0 : t.shape.size() - 1);
    v.present = true;
    v.score = t.data[0];
    v.threshold = manifest.ood.threshold;
    v.inDistribution = manifest.ood.higherIsOutlier ? v.score <= v.threshold : v.score >= v.threshold;
    return v;
}

// Bilinear taps along one axis for every image pixel, mapped into model coordinates through the placement.
struct AxisTaps {
    std::vector<int> i0, i1;
    std::vector<float> t;
};

static AxisTaps imageToModelTaps(int imageSize, const AxisPlacement& a, int modelSize) {
    AxisTaps taps;
    double scale = double(a.dstSize) / a.srcSize;
    for (int x = 0; x < imageSize; x++) {
        double u = a.dstBegin + (x + 0.5 - a.srcBegin) * scale - 0.5;
        u = std::clamp(u, double(a.dstBegin), double(a.dstBegin + a.dstSize - 1));
        int i0 = std::min(int(u), modelSize - 1);
        taps.i0.push_back(i0);
        taps.i1.push_back(std::min(i0 + 1, a.dstBegin + a.dstSize - 1));
        taps.t.push_back(float(u - i0));
    }
    return taps;
}

Result<SegmentationMask> segmentationMask(const ModelManifest& manifest,
                                          const std::vector<NamedTensor>& rawOutputs,
                                          const Placement& placement, double pixelSpacingRow,
                                          double pixelSpacingCol) {
    const ModelOutputSpec& spec = manifest.outputs[0];
    Result<const Tensor*> raw = requireOutput(rawOutputs, spec.name);
    if (!raw) return raw.error();
    Tensor scores = **raw;
    const size_t classCount = spec.classes.size();
    const bool binary = scores.shape.size() == 4 && scores.shape[1] == 1 && classCount == 2;
    if (scores.shape.size() != 4 || (size_t(scores.shape[1]) != classCount && !binary) ||
        scores.shape[2] != placement.modelHeight || scores.shape[3] != placement.modelWidth)
        return Error("Segmentation output '" + spec.name + "' has shape " + shapeToString(scores.shape) +
                     " but the manifest expects [1, " + std::to_string(classCount) + ", " +
                     std::to_string(placement.modelHeight) + ", " + std::to_string(placement.modelWidth) +
                     "].");
    // Raw scores are interpolated (models/README.md: upsample the logits, then argmax). Softmax does not
    // change a pixel's argmax, so it is skipped; a single foreground channel gets its activation after interpolation.
    double threshold = 0.5;
    if (binary) findThreshold(spec, spec.classes[1], &threshold);

    SegmentationMask mask;
    mask.width = placement.imageWidth;
    mask.height = placement.imageHeight;
    mask.labels.assign(size_t(mask.width) * size_t(mask.height), 0);
    const AxisTaps tx = imageToModelTaps(mask.width, placement.x, placement.modelWidth);
    const AxisTaps ty = imageToModelTaps(mask.height, placement.y, placement.modelHeight);
    const size_t plane = size_t(placement.modelWidth) * size_t(placement.modelHeight);
    const size_t channels = size_t(scores.shape[1]);
    // Two classes: interpolation is linear, so the argmax of the interpolated pair is the sign of the
    // interpolated difference; one plane is interpolated instead of two (the common case: background / one
    // structure).
    const bool twoClasses = channels == 2;
    std::vector<float> difference;
    if (twoClasses) {
        difference.resize(plane);
        for (size_t i = 0; i < plane; i++)
            difference[i] = scores.data[plane + i] - scores.data[i];
    }
    for (int y = 0; y < mask.height; y++) {
        const size_t row0 = size_t(ty.i0[size_t(y)]) * size_t(placement.modelWidth);
        const size_t row1 = size_t(ty.i1[size_t(y)]) * size_t(placement.modelWidth);
        const float fy = ty.t[size_t(y)];
        for (int x = 0; x < mask.width; x++) {
            const size_t c0 = size_t(tx.i0[size_t(x)]), c1 = size_t(tx.i1[size_t(x)]);
            const float fx = tx.t[size_t(x)];
            auto sample = [&](const float* s) {
                float top = s[row0 + c0] + (s[row0 + c1] - s[row0 + c0]) * fx;
                float bottom = s[row1 + c0] + (s[row1 + c1] - s[row1 + c0]) * fx;
                return top + (bottom - top) * fy;
            };
            int label = 0;
            if (twoClasses) {
                label = sample(difference.data()) > 0.0f ? 1 : 0;
            } else if (binary) {
                float v = sample(scores.data.data());
                label = (spec.activation == Activation::Sigmoid ? sigmoid(v) : v) >= threshold ? 1 : 0;
            } else {
                float best = -INFINITY;
                for (size_t c = 0; c < channels; c++) {
                    float v = sample(scores.data.data() + c * plane);
                    if (v > best) {
                        best = v;
                        label = int(c);
                    }
                }
            }
            mask.labels[size_t(y) * size_t(mask.width) + size_t(x)] = uint8_t(label);
        }
    }
    // The manifest's clean-up (islands, holes) before counting, so every area and fraction reported is that of
    // the mask shown.
    Status cleaned = cleanUpMask(mask.labels, mask.width, mask.height, int(classCount), spec.maskCleanup);
    if (!cleaned) return cleaned.error();
    std::vector<uint64_t> counts(classCount, 0);
    for (uint8_t label : mask.labels)
        counts[label]++;
    const double total = double(mask.labels.size());
    for (size_t c = 0; c < classCount; c++) {
        ClassArea a;
        a.name = spec.classes[c];
        a.pixels = counts[c];
        a.fraction = counts[c] / total;
        if (pixelSpacingRow > 0.0 && pixelSpacingCol > 0.0)
            a.areaMm2 = counts[c] * pixelSpacingRow * pixelSpacingCol;
        mask.areas.push_back(a);
    }
    return mask;
}

std::vector<uint8_t> maskGreyValues(const SegmentationMask& mask) {
    std::vector<uint8_t> grey = mask.labels;
    if (mask.areas.size() == 2)
        for (uint8_t& v : grey)
            v = v ? 255 : 0;
    return grey;
}

} // namespace dx
