// metrics.h — on-device validation of a classifier against a labelled set: confusion matrices, the usual
// rates, ROC/AUC with bootstrap confidence intervals, calibration, operating points for a threshold slider.
//
// How to use (binary, or one class of a multi-class model against the rest):
//   std::vector<double> scores = ...;  std::vector<int> labels = ...;   // labels are 0 or 1
//   dx::Result<dx::RocCurve> roc = dx::computeRoc(scores, labels);      // error: NaN score, one class only
//   double auc = dx::rocAuc(*roc);
//   dx::OperatingPoint op = dx::operatingPoint(*roc, sliderThreshold);   // O(log n): call it every frame
//   dx::BinaryMetrics m = dx::binaryMetrics(op.matrix);                  // NaN where a rate is undefined
//   dx::formatMetric(m.ppv, 3);                                           // "0.812" or "undefined"
//   dx::Result<dx::ConfidenceInterval> ci = dx::bootstrapAuc(scores, labels, {2000, seed});
//   dx::Result<dx::ReliabilityDiagram> rel = dx::computeReliability(scores, labels, 10);
//   double t = dx::thresholdForSensitivity(*roc, 0.95).threshold;
//   dx::Result<dx::BinaryValidation> all = dx::validateBinary(scores, labels, {threshold, {2000, seed}, 10});
// Multi-class: scores are row-major n x K (one row per case), labels are class indices 0..K-1:
//   dx::Result<dx::MulticlassConfusion> cm = dx::confusionFromArgmax(scores, K, labels);
//   dx::Result<std::vector<dx::ClassMetrics>> per = dx::oneVsRestMetrics(scores, K, labels);
//   dx::Result<dx::MulticlassValidation> all = dx::validateMulticlass(scores, K, labels);  // + accuracy, macro
//
// Conventions (the same as the findings the pipeline reports, see postprocess.h):
//   - a case is called positive when score >= threshold;
//   - a rate whose denominator is 0 is NaN, shown as "undefined" — never 0, never a crash;
//   - scores must be finite (NaN and infinities are rejected with the index of the first bad one).
// Bootstrap resampling uses our own xoshiro256** generator seeded through splitmix64 (not <random>'s
// distributions, whose output differs between libstdc++ and libc++), so a seed gives the same interval
// natively and in the browser.
#pragma once

#include "core/base/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dx {

// ---------------------------------------------------------------------------------------------- binary

struct ConfusionMatrix {
    uint64_t truePositives = 0;
    uint64_t falsePositives = 0;
    uint64_t trueNegatives = 0;
    uint64_t falseNegatives = 0;
};

// Every rate is NaN when its denominator is 0 (e.g. PPV when nothing is called positive).
struct BinaryMetrics {
    double accuracy = 0.0;
    double sensitivity = 0.0; // recall, true positive rate
    double specificity = 0.0; // true negative rate
    double ppv = 0.0;         // precision
    double npv = 0.0;
    double f1 = 0.0;
};

// Sizes match, labels are 0/1, scores finite. The message names the first offending index.
Status checkBinaryInput(std::span<const double> scores, std::span<const int> labels);

Result<ConfusionMatrix> confusionMatrixAt(std::span<const double> scores, std::span<const int> labels,
                                          double threshold);
BinaryMetrics binaryMetrics(const ConfusionMatrix& matrix);

// "undefined" for NaN, otherwise the value with `decimals` digits after the point.
std::string formatMetric(double value, int decimals);

// ---------------------------------------------------------------------------------------------- ROC

// One point per distinct score, thresholds strictly decreasing. points[0] is the (0, 0) corner with an
// infinite threshold; the last point has the lowest score as threshold and is (1, 1). Tied scores make one
// point (a diagonal step), which is what makes the trapezoid AUC equal the Mann-Whitney statistic.
struct RocPoint {
    double threshold = 0.0;
    double falsePositiveRate = 0.0;
    double truePositiveRate = 0.0;
    ConfusionMatrix matrix; // at this threshold
};

struct RocCurve {
    std::vector<RocPoint> points;
    uint64_t positives = 0;
    uint64_t negatives = 0;
};

// Error when a class is missing (AUC is undefined without both positives and negatives).
Result<RocCurve> computeRoc(std::span<const double> scores, std::span<const int> labels);
double rocAuc(const RocCurve& curve); // trapezoid rule

// P(score of a random positive > score of a random negative) + 1/2 P(tie), by direct pair counting over
// sorted groups: the independent definition the trapezoid AUC is tested against.
Result<double> mannWhitneyAuc(std::span<const double> scores, std::span<const int> labels);

// The confusion matrix at any threshold, looked up on the curve by binary search (O(log n)).
struct OperatingPoint {
    double threshold = 0.0; // what was asked for
    size_t pointIndex = 0;  // the curve point with the same counts
    ConfusionMatrix matrix;
    double falsePositiveRate = 0.0;
    double truePositiveRate = 0.0;
};
OperatingPoint operatingPoint(const RocCurve& curve, double threshold);

// The highest threshold whose sensitivity reaches `target` (the most specific such point), and the lowest
// threshold whose specificity reaches `target` (the most sensitive such point). Both O(log n); `found` is
// false only for a target above 1.
struct ThresholdChoice {
    bool found = false;
    double threshold = 0.0;
    OperatingPoint point;
};
ThresholdChoice thresholdForSensitivity(const RocCurve& curve, double target);
ThresholdChoice thresholdForSpecificity(const RocCurve& curve, double target);

// ---------------------------------------------------------------------------------------------- bootstrap

struct BootstrapOptions {
    int replicates = 2000;
    uint64_t seed = 1;
    double level = 0.95; // two-sided percentile interval
};

// Percentile interval (numpy's default linear interpolation between order statistics). Replicates in which
// the statistic is undefined (e.g. no predicted positives for PPV) are left out and counted.
struct ConfidenceInterval {
    double estimate = 0.0; // on the full data
    double lower = 0.0;
    double upper = 0.0;
    int replicates = 0;          // used
    int undefinedReplicates = 0; // left out
};

// Stratified: each replicate draws the positives from the positives and the negatives from the negatives
// (with replacement), so every replicate has both classes and the class balance of the data.
Result<ConfidenceInterval> bootstrapAuc(std::span<const double> scores, std::span<const int> labels,
                                        const BootstrapOptions& options);

struct SensitivitySpecificityInterval {
    ConfidenceInterval sensitivity;
    ConfidenceInterval specificity;
};
Result<SensitivitySpecificityInterval> bootstrapSensitivitySpecificity(std::span<const double> scores,
                                                                       std::span<const int> labels,
                                                                       double threshold,
                                                                       const BootstrapOptions& options);

// Deterministic generator for the resampling: xoshiro256** seeded by splitmix64. Public for tests.
class BootstrapRng {
public:
    explicit BootstrapRng(uint64_t seed);
    uint64_t next();
    uint64_t below(uint64_t bound); // uniform in [0, bound), unbiased (rejection), bound > 0

private:
    uint64_t state_[4];
};

// ---------------------------------------------------------------------------------------------- calibration

// Equal-width bins over [0, 1]. Bin k holds k/B < p <= (k+1)/B (the first also holds 0), as in
// scikit-learn's calibration_curve and the usual ECE definition (Guo et al. 2017), with the edges computed as
// k * (1/B) — what numpy.linspace gives — so a value on an edge lands in the same bin as there. Empty bins
// have count 0 and NaN means.
struct ReliabilityBin {
    double lower = 0.0;
    double upper = 0.0;
    uint64_t count = 0;
    double meanPredicted = 0.0;
    double observedFrequency = 0.0; // fraction of positives
};

struct ReliabilityDiagram {
    std::vector<ReliabilityBin> bins;
    double expectedCalibrationError = 0.0; // sum over bins of count/n * |mean predicted - observed|
    double maximumCalibrationError = 0.0;  // max over non-empty bins
    double brierScore = 0.0;               // mean (p - y)^2
    uint64_t total = 0;
};

// Scores must be probabilities in [0, 1]; binCount >= 1.
Result<ReliabilityDiagram> computeReliability(std::span<const double> probabilities,
                                              std::span<const int> labels, int binCount);

// ---------------------------------------------------------------------------------------------- multi-class

struct MulticlassConfusion {
    int classCount = 0;
    std::vector<uint64_t> counts; // classCount x classCount, row = true class, column = predicted class
    uint64_t at(int trueClass, int predictedClass) const {
        return counts[size_t(trueClass) * size_t(classCount) + size_t(predictedClass)];
    }
};

// Predicted class = argmax of the row (the first one on ties, like numpy.argmax).
Result<MulticlassConfusion> confusionFromArgmax(std::span<const double> scores, int classCount,
                                                std::span<const int> labels);

struct ClassMetrics {
    ConfusionMatrix matrix; // this class against the rest, from the argmax confusion
    BinaryMetrics metrics;
    double auc = 0.0; // one-vs-rest AUC of this class's score column; NaN when the class is absent or the
                      // only one present
};
Result<std::vector<ClassMetrics>> oneVsRestMetrics(std::span<const double> scores, int classCount,
                                                   std::span<const int> labels);

// A macro average: the unweighted mean of a per-class figure over the classes where it is defined, and how
// many those are (a class never predicted has no PPV; a class absent from the set has no sensitivity, and no
// one-vs-rest AUC). NaN, with classes 0, when no class has it. F1 is averaged per class (scikit-learn's
// f1_score(average="macro")), not computed from the averaged PPV and sensitivity.
struct MacroAverage {
    double value = 0.0;
    int classes = 0;
};

// Everything the validation panel shows for a model with more than two classes, in one call: the argmax
// confusion matrix, each class against the rest (sensitivity = recall, specificity, PPV, NPV, F1, AUC),
// overall accuracy (the matrix's diagonal over all cases) and the macro averages.
struct MulticlassValidation {
    MulticlassConfusion confusion;
    std::vector<ClassMetrics> perClass;
    uint64_t cases = 0;
    double accuracy = 0.0;
    MacroAverage sensitivity, specificity, ppv, npv, f1, auc;
};
Result<MulticlassValidation> validateMulticlass(std::span<const double> scores, int classCount,
                                                std::span<const int> labels);

// ---------------------------------------------------------------------------------------------- all at once

// Everything the validation panel shows for one binary task, computed in one call.
struct BinaryValidationOptions {
    double threshold = 0.5; // the operating point (the model's decision threshold)
    BootstrapOptions bootstrap;
    int calibrationBins = 10;
};

struct BinaryValidation {
    RocCurve roc;
    double auc = 0.0;
    ConfidenceInterval aucInterval;
    OperatingPoint operating; // at options.threshold
    BinaryMetrics metrics;    // at options.threshold
    SensitivitySpecificityInterval rateIntervals;
    bool hasReliability = false; // false when the scores are not probabilities in [0, 1]
    std::string reliabilityNote; // why there is no reliability diagram
    ReliabilityDiagram reliability;
    BinaryValidationOptions options;
};

Result<BinaryValidation> validateBinary(std::span<const double> scores, std::span<const int> labels,
                                        const BinaryValidationOptions& options);

} // namespace dx
