// preprocess.h — decoded image (or tabular values) -> the float tensor a model expects, as its manifest says.
//
// How to use:
//   dx::Result<dx::PreparedInput> in = dx::preprocessImage(image, manifest.input);
//   backend.run(session, {{manifest.input.name, in->tensor}}, ...);
//   // in->placement maps model pixels back to image pixels (segmentation masks, see postprocess.h)
//
// Steps, in this order (every step is the same in the browser and the CLI):
//   1. Display value x in 0..255 per pixel: exactly what the viewer shows (core/image/render.h renderImage). 8-bit
//      raster images (PNG, JPEG, ...): x = stored value. DICOM and 16-bit/float images: modality LUT, then
//      the VOI window — the manifest's dicom_window [center, width] when given, else the file's first window,
//      else min..max of the frame — and MONOCHROME1 inverted unless input.invert_monochrome1 is false.
//   2. Channels: colour -> 1 channel by luminance 0.299 R + 0.587 G + 0.114 B; grey -> 3 channels by
//      replication; alpha is ignored.
//   3. Geometry (input.resize): stretch (whole image to the whole input), letterbox (whole image, aspect kept,
//      centred, the rest padded with x = 0), center-crop (aspect kept, the central part filling the input).
//   4. Resampling, per axis: bilinear with half-pixel centres (PyTorch align_corners=False, edges clamped).
//      When an axis shrinks by more than 2x it is first area-averaged (adaptive average pooling bins) to
//      twice the target size, so small bright structures are averaged in rather than skipped over. This is
//      exactly what models/training/images.py resize_like_app does, so the networks see at inference what
//      they saw in training.
//   5. Normalisation: x' = (x * scale - mean[c]) / std[c].
#pragma once

#include "core/base/result.h"
#include "core/image/image.h"
#include "core/inference/model_manifest.h"
#include "core/inference/tensor.h"

#include <string>
#include <utility>
#include <vector>

namespace dx {

// Where the image landed along one axis: source pixels [srcBegin, srcBegin + srcSize) were resampled onto
// model pixels [dstBegin, dstBegin + dstSize).
struct AxisPlacement {
    int srcBegin = 0;
    int srcSize = 0;
    int dstBegin = 0;
    int dstSize = 0;
};

struct Placement {
    int imageWidth = 0;
    int imageHeight = 0;
    int modelWidth = 0;
    int modelHeight = 0;
    AxisPlacement x;
    AxisPlacement y;
};

Placement computePlacement(int imageWidth, int imageHeight, int modelWidth, int modelHeight, ResizeMode mode);

// One output sample of a 1-D resampling: sum of weight * source[index] over its taps.
struct ResampleTap {
    int index;
    float weight;
};
struct ResampleKernel {
    std::vector<int> tapBegin; // dstSize + 1 offsets into taps
    std::vector<ResampleTap> taps;
};
ResampleKernel buildResampleKernel(int srcSize, int dstSize);

struct PreparedInput {
    Tensor tensor; // [1, C, H, W]
    Placement placement;
};

Result<PreparedInput> preprocessImage(const Image& image, const ModelInputSpec& spec, int frame = 0);

// Tabular: values by feature name -> [1, F] in manifest order; a missing, non-finite or out-of-range value is
// an error naming the feature, its unit and its valid range.
using FeatureValues = std::vector<std::pair<std::string, double>>;
Result<Tensor> buildTabularInput(const FeatureValues& values, const ModelInputSpec& spec);

} // namespace dx
