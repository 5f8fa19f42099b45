// model_fit.cpp — see model_fit.h.
#include "core/inference/model_fit.h"

#include <algorithm>
#include <cctype>

namespace dx {

static std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

static std::string attribute(const Image& image, const char* key) {
    auto it = image.metadata.find(key);
    return it == image.metadata.end() ? std::string() : upper(it->second);
}

static bool listed(const std::vector<std::string>& values, const std::string& value) {
    return std::any_of(values.begin(), values.end(), [&](const std::string& v) { return upper(v) == value; });
}

static std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& v : values)
        out += (out.empty() ? "" : ", ") + v;
    return out;
}

// One attribute against the manifest's list: Unknown when either side says nothing.
static ModelFitVerdict compare(const std::string& value, const std::vector<std::string>& expected,
                               const char* what) {
    if (value.empty() || expected.empty()) return {};
    if (listed(expected, value)) return {ModelFit::Match, {}};
    return {ModelFit::Mismatch, std::string("The image's ") + what + " is " + value + "; the model expects " +
                                    joined(expected) + "."};
}

ModelFitVerdict modelFit(const Image& image, const ModelManifest& manifest) {
    // A model that reads a table of measurements cannot be fed an image at all, whatever the image says.
    if (manifest.task == ModelTask::Tabular || manifest.input.layout == "NF")
        return {ModelFit::Mismatch, "The model reads a table of measurements, not an image."};
    const ModelFitVerdict modality = compare(attribute(image, "Modality"), manifest.modalities, "modality");
    const ModelFitVerdict bodyPart =
        compare(attribute(image, "BodyPartExamined"), manifest.bodyParts, "body part");
    if (modality.fit == ModelFit::Mismatch) return modality;
    if (bodyPart.fit == ModelFit::Mismatch) return bodyPart;
    if (modality.fit == ModelFit::Match || bodyPart.fit == ModelFit::Match) return {ModelFit::Match, {}};
    return {};
}

} // namespace dx
