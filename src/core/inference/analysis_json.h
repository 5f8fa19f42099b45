// analysis_json.h — JSON in and out of the inference pipeline: reference tensors, tabular rows, result lines.
//
// How to use:
//   Result<std::vector<NamedTensor>> t = parseNamedTensorsJson(text, "reference/outputs.json");
//   Result<FeatureValues> row = parseFeatureValuesJson(text, "reference/input.json");   // { feature: value }
//   std::string line = analysisResultJson(result);   // one line, the format `dxlens analyze` prints
//
// Result line (keys in this order):
//   { "file", "model", "backend", "self_test": { "status", "max_abs_diff", "tolerance", "message" },
//     "findings": [ { "label", "score", "threshold", "positive" } ],        // threshold/positive when defined
//     "outputs": { name: { "shape", "data" } },                             // raw outputs, before activation
//     "ood": { "score", "threshold", "in_distribution" },                   // null when the model has no gate
//     "population": { "status": "in" | "out" | "unverified", "reason" },   // population.h, English words
//     "segmentation": { "width", "height", "classes": [ { "name", "pixels", "fraction", "area_mm2" } ] },
//     "timings_ms": { "decode", "preprocess", "inference", "postprocess" } }
// Floats are written with the shortest text that reads back to the same float32, so outputs compare exactly.
#pragma once

#include "core/base/result.h"
#include "core/inference/inference.h"
#include "core/inference/preprocess.h"
#include "core/inference/tensor.h"

#include <string>
#include <string_view>
#include <vector>

namespace dx {

Result<std::vector<NamedTensor>> parseNamedTensorsJson(std::string_view text, const std::string& fileName);
Result<FeatureValues> parseFeatureValuesJson(std::string_view text, const std::string& fileName);

struct AnalysisJsonOptions {
    bool includeOutputs = true; // raw outputs can be large for segmentation models
};

std::string analysisResultJson(const AnalysisResult& result, const AnalysisJsonOptions& options = {});
std::string selfTestJson(const SelfTestReport& report);

} // namespace dx
