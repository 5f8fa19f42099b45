// model_fit.h — does an image fit a model's declared use? Compares a DICOM file's Modality (0008,0060) and
// Body Part Examined (0018,0015) with the manifest's "modalities" and "body_parts", so the model picker can
// suggest the models made for the image and warn before a chest model is run on, say, a knee CT.
//
// How to use:
//   dx::ModelFitVerdict v = dx::modelFit(image, manifest);
//   if (v.fit == dx::ModelFit::Mismatch) showWarning(v.reason);   // "The image is CT; the model expects CR, DX."
// Images that do not say (PNG, JPEG, DICOM without these attributes) are Unknown: neither suggested nor
// warned about, and the app runs every image model on them (preprocessing feeds any image to any 1- or
// 3-channel input). A tabular model is a Mismatch for every image: it cannot be fed one. Comparisons ignore case ("CHEST" = "chest"); a manifest that lists no modalities (or no body
// parts) accepts any.
#pragma once

#include "core/image/image.h"
#include "core/inference/model_manifest.h"

#include <string>

namespace dx {

enum class ModelFit { Unknown, Match, Mismatch };

struct ModelFitVerdict {
    ModelFit fit = ModelFit::Unknown;
    std::string reason; // for Mismatch: what differs, in words; empty otherwise
};

ModelFitVerdict modelFit(const Image& image, const ModelManifest& manifest);

} // namespace dx
