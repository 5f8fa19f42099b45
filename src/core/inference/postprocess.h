// postprocess.h — raw model outputs -> what a clinician reads: probabilities, findings, masks, OOD verdict.
//
// How to use:
//   dx::Result<std::vector<dx::Finding>> f = dx::classificationFindings(manifest, rawOutputs);
//   dx::Result<dx::OodVerdict> ood = dx::oodVerdict(manifest, rawOutputs);
//   dx::Result<dx::SegmentationMask> seg = dx::segmentationMask(manifest, rawOutputs, placement, image);
//
// Raw outputs are what the backend returned (before activation): the manifest's activation is applied here,
// so every backend only has to run the graph. Softmax is taken over the class axis (the last axis for
// classifiers, axis 1 for NCHW segmentation scores) and is numerically stable (the maximum is subtracted first).
//
// Segmentation masks are produced at the *input image's* resolution: raw class scores (logits) are mapped
// back through the preprocessing placement, interpolated bilinearly, and each image pixel takes the class
// with the highest interpolated score (models/README.md). Why not nearest-neighbour on the model's label
// mask: a 128-px mask shown on a 2048-px radiograph would have 16-px staircase edges that are not anatomy and
// cost Dice; interpolating scores gives smooth boundaries where the model is uncertain and is identical to
// nearest wherever it is confident. When outputs[0] has "mask_cleanup", the argmax mask is then cleaned up
// (mask_cleanup.h: the largest components of each class kept, then holes filled), and the class areas and
// fractions are counted on the cleaned mask.
#pragma once

#include "core/base/result.h"
#include "core/image/image.h"
#include "core/inference/model_manifest.h"
#include "core/inference/preprocess.h"
#include "core/inference/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dx {

// Softmax over `count` values spaced `stride` apart, in place.
void softmaxInPlace(float* values, size_t count, size_t stride);
float sigmoid(float x);
// Applies `activation` to a raw output; `classAxis` is where softmax normalises.
void applyActivation(Activation activation, Tensor& tensor, size_t classAxis);

struct Finding {
    std::string output;
    std::string label;
    float score = 0.0f; // after the manifest's activation (a probability for softmax/sigmoid)
    bool hasThreshold = false;
    double threshold = 0.0;
    bool positive = false; // score >= threshold, when there is a threshold
};

// The finding a one-line summary shows: the highest-scoring finding that has a decision threshold, or the
// highest-scoring finding when none has one; nullptr when there are no findings.
const Finding* topFinding(const std::vector<Finding>& findings);
// "positive", "negative", or "no threshold".
const char* findingDecision(const Finding& finding);

// One finding per label of every labelled output except the OOD output; batch item 0.
Result<std::vector<Finding>> classificationFindings(const ModelManifest& manifest,
                                                    const std::vector<NamedTensor>& rawOutputs);

struct OodVerdict {
    bool present = false; // false when the manifest has no "ood"
    float score = 0.0f;
    double threshold = 0.0;
    bool inDistribution = true;
};
Result<OodVerdict> oodVerdict(const ModelManifest& manifest, const std::vector<NamedTensor>& rawOutputs);

struct ClassArea {
    std::string name;
    uint64_t pixels = 0;
    double fraction = 0.0; // of the image's pixels
    double areaMm2 = -1.0; // when the pixel spacing is known
};

struct SegmentationMask {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> labels;  // class index per image pixel, row-major
    std::vector<ClassArea> areas; // one per class, in manifest order
};

// Segmentation from the first output ([1, C, H, W] scores; C == classes, or C == 1 with two classes and a
// threshold on the activated foreground score, 0.5 unless outputs[0].thresholds gives one).
Result<SegmentationMask> segmentationMask(const ModelManifest& manifest,
                                          const std::vector<NamedTensor>& rawOutputs,
                                          const Placement& placement, double pixelSpacingRow = 0.0,
                                          double pixelSpacingCol = 0.0);

// PNG-ready grey values for a mask: 0 background, 255 for a single foreground class, the class index otherwise.
std::vector<uint8_t> maskGreyValues(const SegmentationMask& mask);

} // namespace dx
