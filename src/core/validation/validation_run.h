// validation_run.h — on-device validation of one model label against a labelled set: which files are
// positive, the per-image scores a batch run produced, and every metric of metrics.h computed from them.
//
// How to use:
//   dx::Result<dx::LabelledSet> set = dx::labelledSetFromPaths(paths);          // or parseLabelledCsv
//   std::string positive = dx::defaultPositiveLabel(manifest);                   // "pneumonia"
//   dx::Result<dx::BinaryTruth> truth = dx::binaryTruth(*set, positive);         // 1 = positive class
//   ... run the set's files through a dx::BatchRun (batch_run.h) ...
//   dx::Result<dx::ValidationScores> s = dx::collectValidationScores(*run, *truth, positive);
//   dx::Result<dx::BinaryValidation> v = dx::validateBinary(s->scores, s->labels, {threshold, {2000, 1}, 10});
//   std::string csv = dx::validationScoresCsv(*run, *set, *truth, positive);    // per-image, for re-checking
//
// Multi-class (one softmax output with more than two labels, isMulticlassModel): each set class is the model label of
// the same name, the predicted class is the highest-scoring label, and validateMulticlass (metrics.h) gives
// the N x N confusion matrix, per-class and macro-averaged figures:
//   dx::Result<dx::MulticlassTruth> truth = dx::multiclassTruth(*set, dx::classificationLabels(manifest));
//   dx::Result<dx::MulticlassScores> s = dx::collectMulticlassScores(*run, *truth);
//   dx::Result<dx::MulticlassValidation> v = dx::validateMulticlass(s->scores, s->classCount, s->labels);
//
// Binary: the positive class is the set's class whose name is the model label (case-insensitive); every other
// class is a negative (e.g. "NORMAL" against the label "pneumonia", or "bacterial" and "viral" pooled as
// negatives of "normal"). Files that failed to decode or analyze are left out of the metrics and counted.
#pragma once

#include "core/inference/model_manifest.h"
#include "core/validation/batch_run.h"
#include "core/validation/labelled_set.h"
#include "core/validation/metrics.h"

#include <span>
#include <string>
#include <vector>

namespace dx {

// The labels of the model's classification outputs (not its OOD score), in manifest order.
std::vector<std::string> classificationLabels(const ModelManifest& manifest);
// The first label with a decision threshold, else the last label (the "disease" of a two-class model).
std::string defaultPositiveLabel(const ModelManifest& manifest);
// The manifest's decision threshold for `label`, else 0.5.
double defaultThreshold(const ModelManifest& manifest, const std::string& label);

struct BinaryTruth {
    std::vector<int> labels;                  // one per LabelledSet item: 1 positive, 0 negative
    std::string positiveClass;                // the set's class name that matched
    std::vector<std::string> negativeClasses; // the set's other classes
    size_t positives = 0, negatives = 0;
};

// Error (with the set's classes named) when no class matches the label, or when there are no negatives.
Result<BinaryTruth> binaryTruth(const LabelledSet& set, const std::string& positiveLabel);

struct ValidationScores {
    std::vector<double> scores;    // the positive label's score, for each analyzed file
    std::vector<int> labels;       // its truth
    std::vector<size_t> itemIndex; // into the run's items (and the set's items: same order)
    size_t excluded = 0;           // files that failed or were cancelled
};

// The run's items must be the set's items in the same order. Error when nothing usable is left or one class
// is missing among the analyzed files (AUC would be undefined).
Result<ValidationScores> collectValidationScores(const BatchRun& run, const BinaryTruth& truth,
                                                 const std::string& positiveLabel);
// The same for results kept elsewhere (a merged archive run), aligned with the truth's items.
Result<ValidationScores> collectValidationScores(std::span<const BatchItem> items, const BinaryTruth& truth,
                                                 const std::string& positiveLabel);

// RFC 4180: file, class, truth (1/0), score (the positive label's), state, error — one row per file.
std::string validationScoresCsv(const BatchRun& run, const LabelledSet& set, const BinaryTruth& truth,
                                const std::string& positiveLabel);

// ---------------------------------------------------------------------------------------------- multi-class

// More than two mutually exclusive classes (one softmax output): validated as one multi-class task rather than
// one label against the rest. Multi-label models (sigmoid outputs: an image may have several findings, and the
// scores need not sum to 1) are validated one label at a time, each against its own threshold.
bool isMulticlassModel(const ModelManifest& manifest);

struct MulticlassTruth {
    std::vector<std::string> classNames; // the model's labels, in model order (the matrix's rows and columns)
    std::vector<int> labels;             // one per LabelledSet item: index into classNames
    std::vector<size_t> counts;          // items per class
};

// Error (naming both lists) when a class of the set is none of the model's labels (case-insensitive), or when
// fewer than two of the model's classes have cases.
Result<MulticlassTruth> multiclassTruth(const LabelledSet& set, const std::vector<std::string>& modelLabels);

struct MulticlassScores {
    int classCount = 0;
    std::vector<double> scores;    // row-major: one row of classCount scores (model label order) per file
    std::vector<int> labels;       // the true class of each row
    std::vector<size_t> itemIndex; // into the run's items (and the set's items: same order)
    size_t excluded = 0;           // files that failed, were cancelled, or lack a label's score
};

// The run's items must be the set's items in the same order. Error when nothing usable is left.
Result<MulticlassScores> collectMulticlassScores(const BatchRun& run, const MulticlassTruth& truth);

// RFC 4180: file, class, truth (the class name), score_<label> for every label, predicted (the highest
// score's label), state, error — one row per file.
std::string multiclassScoresCsv(const BatchRun& run, const LabelledSet& set, const MulticlassTruth& truth);

} // namespace dx
