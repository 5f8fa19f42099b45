// tabular_attribution.h — which features pushed a tabular model's result most: per-feature occlusion.
//
// Each feature in turn is replaced by its training mean (manifest "training_mean"), the model runs again, and
// the change in the label's probability is that feature's contribution: positive when the entered value
// raised the probability compared with an average case. The baseline and all occluded copies go through
// the backend as one batch [1 + F, F] (one call per row for a model with a fixed batch of 1).
//
// How to use:
//   if (dx::canAttributeFeatures(manifest))
//       dx::attributeFeatures(session, analysis.input.tensor, "malignant",
//                             [](dx::Result<dx::FeatureAttribution> a) { a->contributions[0].feature; });
//   // or, with outputs already computed for occlusionBatch(spec, input):
//   dx::Result<dx::FeatureAttribution> a = dx::attributionFromOutputs(manifest, input, "malignant", outputs);
//
// Ranking uses the change in log-odds, computed in double precision from the raw outputs: near-certain
// results (probability 0.99999) have probability changes that round to zero in float32 while their log-odds
// changes still order the features; for a logistic model the log-odds change is exactly the feature's term.
#pragma once

#include "core/inference/inference.h"
#include "core/inference/model_manifest.h"
#include "core/inference/tensor.h"

#include <functional>
#include <string>
#include <vector>

namespace dx {

struct FeatureContribution {
    std::string feature;
    std::string unit;
    double value = 0.0;               // as entered
    double trainingMean = 0.0;        // what replaced it
    double probabilityWithMean = 0.0; // the label's probability with this feature at its mean
    double deltaProbability = 0.0;    // probability - probabilityWithMean
    double deltaLogOdds = 0.0;        // logOdds - log-odds with this feature at its mean
};

struct FeatureAttribution {
    std::string output; // manifest output holding the label
    std::string label;
    double probability = 0.0; // the label's probability for the entered values
    double logOdds = 0.0;
    std::vector<FeatureContribution> contributions; // largest |deltaLogOdds| first
    int backendCalls = 0;
    double elapsedMs = 0.0;
};

// True when every feature has a training mean (the package supports contributions).
bool canAttributeFeatures(const ModelManifest& manifest);

// The label to explain: the first thresholded label of the findings (the decision the form shows), else the
// highest-scoring one; empty when there are no findings.
std::string attributionLabel(const std::vector<Finding>& findings);

// [1 + F, F]: row 0 is `input` ([1, F]), row 1 + i has feature i replaced by its training mean.
Result<Tensor> occlusionBatch(const ModelInputSpec& spec, const Tensor& input);

// Contributions from the raw outputs of running occlusionBatch(spec, input).
Result<FeatureAttribution> attributionFromOutputs(const ModelManifest& manifest, const Tensor& input,
                                                  const std::string& label,
                                                  const std::vector<NamedTensor>& rawOutputs);

using AttributionCallback = std::function<void(Result<FeatureAttribution>)>;

// Runs the occlusion batch on the session's backend and calls `done` once (synchronously or later, like the
// backend). `input` is the analyzed tensor [1, F] (AnalysisResult::input).
void attributeFeatures(const ModelSession& session, const Tensor& input, const std::string& label,
                       AttributionCallback done);

// { "label", "probability", "log_odds", "backend_calls", "elapsed_ms", "contributions": [ { "feature", "unit",
//   "value", "training_mean", "probability_with_mean", "delta_probability", "delta_log_odds" } ] }, one line.
std::string featureAttributionJson(const FeatureAttribution& attribution);

} // namespace dx
