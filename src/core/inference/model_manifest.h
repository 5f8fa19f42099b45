// model_manifest.h — a model package's manifest.json (schema "dxlens.model/1"), parsed and validated.
//
// How to use:
//   dx::Result<dx::ModelManifest> m = dx::parseModelManifest(text);
//   if (!m) show(m.error().message);    // e.g. "manifest.json: input.normalize.std has 1 value but
//                                       //       input.channels is 3"
//   const dx::ModelInputSpec& in = m->input;   // what preprocessing must produce
//
// The schema is documented in models/README.md. Every message names the field as a dotted path. Unknown keys
// are allowed (packages may carry extra documentation such as "calibration"); known keys must be well-formed.
// A package is a folder: manifest.json, the model file it names, MODEL_CARD.md and reference/.
//
// Translated texts (the "zh-Hans" block) are read with localizedText(manifest, "zh-Hans") and
// localizedLabel(manifest, "zh-Hans", "pneumonia"); both fall back to the manifest's English.
#pragma once

#include "core/base/result.h"
#include "core/inference/mask_cleanup.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dx {

enum class ModelTask { Classification, Multilabel, Segmentation, Tabular };
enum class ResizeMode { Stretch, Letterbox, CenterCrop };
enum class Activation { None, Softmax, Sigmoid };

const char* modelTaskName(ModelTask t);
const char* resizeModeName(ResizeMode m);
const char* activationName(Activation a);

// x' = (x * scale - mean[c]) / std[c], x = display value 0..255 (see preprocess.h).
struct NormalizeSpec {
    float scale = 1.0f;
    std::vector<float> mean;
    std::vector<float> std;
};

struct TabularFeature {
    std::string name;
    std::string unit;
    double min = 0.0; // valid range: values outside are rejected before the model runs
    double max = 0.0;
    // The training data's mean ("training_mean", optional): the neutral value that per-feature occlusion
    // (tabular_attribution.h) substitutes to measure how much this feature moved the result.
    bool hasTrainingMean = false;
    double trainingMean = 0.0;
};

struct ModelInputSpec {
    std::string name;
    std::string layout; // "NCHW" for images, "NF" for tabular
    // Images
    int channels = 0;
    int height = 0;
    int width = 0;
    ResizeMode resize = ResizeMode::Stretch;
    NormalizeSpec normalize;
    bool windowFromFile = true; // dicom_window: "file" (default) or [center, width]
    double windowCenter = 0.0;
    double windowWidth = 0.0;
    bool invertMonochrome1 = true;
    // Tabular
    std::vector<TabularFeature> features;
};

struct ModelOutputSpec {
    std::string name;
    Activation activation = Activation::None;
    std::vector<std::string> labels;                        // classification: one per score
    std::vector<std::pair<std::string, double>> thresholds; // label -> decision threshold on the score
    std::vector<std::string> classes;                       // segmentation: one per mask value
    // Segmentation, outputs[0] only: "mask_cleanup": { "keep_largest_components": N, "fill_holes": true },
    // applied after the argmax (mask_cleanup.h). Absent: the mask is the argmax as it is.
    MaskCleanup maskCleanup;
};

struct OodSpec {
    std::string output; // name of the model output holding the out-of-distribution score
    std::string method;
    double threshold = 0.0;
    bool higherIsOutlier = true;
};

struct ReferenceSpec {
    std::string input;   // reference/input.png (image at model size) or reference/input.json (tabular)
    std::string outputs; // reference/outputs.json: { name: { shape, data } }, raw outputs
    double tolerance = 1e-4;
};

// Whom and what the model was made for ("population"): population.h compares a study's DICOM header with it.
// Modality and body part are the manifest's top-level "modalities" and "body_parts" (model_fit.h uses them too).
struct PopulationSpec {
    std::string description; // clinician words: "children aged 1-5 years, frontal (PA/AP) chest X-ray"
    // Age in whole years, both ends inclusive: max 5 admits a child of 5 years and 11 months.
    bool hasAgeMin = false;
    int ageMinYears = 0;
    bool hasAgeMax = false;
    int ageMaxYears = 0;
    std::vector<std::string> views; // DICOM View Position (0018,5101) values, e.g. "PA", "AP"; empty: any
    bool declaresAge() const { return hasAgeMin || hasAgeMax; }
};

// The manifest's texts in one UI language (a block keyed by its BCP 47 tag, e.g. "zh-Hans"); empty: not given.
struct ManifestTexts {
    std::string name;
    std::string intendedUse;
    std::string population;                                  // population.description
    std::vector<std::pair<std::string, std::string>> labels; // output label or class -> its text
};

struct ModelManifest {
    std::string schema;
    std::string id;
    std::string name;
    std::string version;
    ModelTask task = ModelTask::Classification;
    std::string file;   // model file, relative to the package folder
    std::string sha256; // lowercase hex of the model file
    ModelInputSpec input;
    std::vector<ModelOutputSpec> outputs;
    std::string intendedUse;
    std::vector<std::string> modalities;
    std::vector<std::string> bodyParts;
    std::string license;
    std::string citation;
    std::string metricsJson; // "metrics" kept as JSON text for display
    bool hasReference = false;
    ReferenceSpec reference;
    bool hasOod = false;
    OodSpec ood;
    bool hasPopulation = false;
    PopulationSpec population;
    std::vector<std::pair<std::string, ManifestTexts>> translations; // by language tag ("zh-Hans")
};

// The UI languages a manifest may carry texts for, besides its own English.
extern const char* const kManifestTranslationTags[]; // { "zh-Hans" }
extern const int kManifestTranslationTagCount;

extern const char* const kModelManifestSchema; // "dxlens.model/1"

Result<ModelManifest> parseModelManifest(std::string_view jsonText);

const ModelOutputSpec* findOutputSpec(const ModelManifest& manifest, const std::string& name);
// Threshold for `label`, or false when the manifest gives none.
bool findThreshold(const ModelOutputSpec& output, const std::string& label, double* threshold);

// Name, intended use and population description in the language `languageTag` ("zh-Hans"); each falls back to
// the manifest's English where the block does not translate it (and every one does for "en" or an unknown tag).
struct LocalizedManifestText {
    std::string name;
    std::string intendedUse;
    std::string population;
};
LocalizedManifestText localizedText(const ModelManifest& manifest, std::string_view languageTag);
// An output label or class ("pneumonia") in that language; empty when the manifest does not translate it (the
// app then uses its own medical terms, i18n.h trTerm).
std::string localizedLabel(const ModelManifest& manifest, std::string_view languageTag,
                           const std::string& label);

} // namespace dx
