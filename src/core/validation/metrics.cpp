// metrics.cpp — see metrics.h. Everything works on cases sorted once by score (highest first) and grouped by
// equal score: ROC points, AUC and each bootstrap replicate are then single sweeps over the groups.
#include "core/validation/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace dx {

static const double kUndefined = std::numeric_limits<double>::quiet_NaN();

static double ratio(uint64_t numerator, uint64_t denominator) {
    return denominator == 0 ? kUndefined : double(numerator) / double(denominator);
}

static Status checkScoresFinite(std::span<const double> scores) {
    for (size_t i = 0; i < scores.size(); i++)
        if (!std::isfinite(scores[i]))
            return Error("score " + std::to_string(i + 1) + " is not a finite number (" +
                         (std::isnan(scores[i]) ? std::string("NaN") : std::string("infinite")) +
                         "); every case needs a real score");
    return {};
}

Status checkBinaryInput(std::span<const double> scores, std::span<const int> labels) {
    if (scores.size() != labels.size())
        return Error(std::to_string(scores.size()) + " scores but " + std::to_string(labels.size()) +
                     " labels; there must be one label per score");
    if (scores.empty()) return Error("no cases: the labelled set is empty");
    for (size_t i = 0; i < labels.size(); i++)
        if (labels[i] != 0 && labels[i] != 1)
            return Error("label " + std::to_string(i + 1) + " is " + std::to_string(labels[i]) +
                         "; binary labels must be 0 (negative) or 1 (positive)");
    return checkScoresFinite(scores);
}

static ConfusionMatrix countAt(std::span<const double> scores, std::span<const int> labels,
                               double threshold) {
    ConfusionMatrix m;
    for (size_t i = 0; i < scores.size(); i++) {
        const bool calledPositive = scores[i] >= threshold;
        if (labels[i] == 1)
            (calledPositive ? m.truePositives : m.falseNegatives)++;
        else
            (calledPositive ? m.falsePositives : m.trueNegatives)++;
    }
    return m;
}

Result<ConfusionMatrix> confusionMatrixAt(std::span<const double> scores, std::span<const int> labels,
                                          double threshold) {
    Status ok = checkBinaryInput(scores, labels);
    if (!ok) return ok.error();
    if (std::isnan(threshold)) return Error("the threshold is not a number");
    return countAt(scores, labels, threshold);
}

BinaryMetrics binaryMetrics(const ConfusionMatrix& m) {
    const uint64_t tp = m.truePositives, fp = m.falsePositives, tn = m.trueNegatives, fn = m.falseNegatives;
    BinaryMetrics r;
    r.accuracy = ratio(tp + tn, tp + fp + tn + fn);
    r.sensitivity = ratio(tp, tp + fn);
    r.specificity = ratio(tn, tn + fp);
    r.ppv = ratio(tp, tp + fp);
    r.npv = ratio(tn, tn + fn);
    // F1 = 2TP / (2TP + FP + FN): defined whenever anything is positive, in truth or in prediction.
    r.f1 = ratio(2 * tp, 2 * tp + fp + fn);
    return r;
}

std::string formatMetric(double value, int decimals) {
    if (std::isnan(value)) return "undefined";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// ---------------------------------------------------------------------------------------- sorted groups

// Case indices by score, highest first; groupStart[g] is where the g-th run of equal scores begins (with a
// final entry equal to the case count).
struct SortedScores {
    std::vector<uint32_t> order;
    std::vector<uint32_t> groupStart;
};

static SortedScores sortScores(std::span<const double> scores) {
    SortedScores s;
    s.order.resize(scores.size());
    std::iota(s.order.begin(), s.order.end(), 0u);
    std::stable_sort(s.order.begin(), s.order.end(),
                     [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
    for (uint32_t i = 0; i < s.order.size(); i++)
        if (i == 0 || scores[s.order[i]] != scores[s.order[i - 1]]) s.groupStart.push_back(i);
    s.groupStart.push_back(uint32_t(s.order.size()));
    return s;
}

// Mann-Whitney AUC with per-case multiplicities (all 1 for the data itself, draw counts in a bootstrap
// replicate): every (positive, negative) pair scores 1 when the positive is higher and 1/2 when tied.
static double weightedMannWhitney(const SortedScores& s, std::span<const int> labels,
                                  std::span<const uint32_t> weights) {
    double positivesAbove = 0.0, pairsWon = 0.0, positives = 0.0, negatives = 0.0;
    for (size_t g = 0; g + 1 < s.groupStart.size(); g++) {
        double groupPositives = 0.0, groupNegatives = 0.0;
        for (uint32_t i = s.groupStart[g]; i < s.groupStart[g + 1]; i++) {
            const uint32_t c = s.order[i];
            (labels[c] == 1 ? groupPositives : groupNegatives) += weights[c];
        }
        pairsWon += groupNegatives * (positivesAbove + 0.5 * groupPositives);
        positivesAbove += groupPositives;
        positives += groupPositives;
        negatives += groupNegatives;
    }
    return positives > 0 && negatives > 0 ? pairsWon / (positives * negatives) : kUndefined;
}

static Status checkBothClasses(std::span<const int> labels, const char* what) {
    const size_t positives = size_t(std::count(labels.begin(), labels.end(), 1));
    if (positives == 0 || positives == labels.size())
        return Error(std::string(what) + " is undefined: all " + std::to_string(labels.size()) +
                     " cases are " + (positives == 0 ? "negative" : "positive") +
                     "; it needs at least one positive and one negative case");
    return {};
}

// ---------------------------------------------------------------------------------------------- ROC

Result<RocCurve> computeRoc(std::span<const double> scores, std::span<const int> labels) {
    Status ok = checkBinaryInput(scores, labels);
    if (!ok) return ok.error();
    ok = checkBothClasses(labels, "the ROC curve");
    if (!ok) return ok.error();

    RocCurve curve;
    for (int y : labels)
        (y == 1 ? curve.positives : curve.negatives)++;
    RocPoint corner;
    corner.threshold = std::numeric_limits<double>::infinity();
    corner.matrix.falseNegatives = curve.positives;
    corner.matrix.trueNegatives = curve.negatives;
    curve.points.push_back(corner);

    const SortedScores s = sortScores(scores);
    for (size_t g = 0; g + 1 < s.groupStart.size(); g++) {
        RocPoint p = curve.points.back();
        for (uint32_t i = s.groupStart[g]; i < s.groupStart[g + 1]; i++) {
            if (labels[s.order[i]] == 1) {
                p.matrix.truePositives++;
                p.matrix.falseNegatives--;
            } else {
                p.matrix.falsePositives++;
                p.matrix.trueNegatives--;
            }
        }
        p.threshold = scores[s.order[s.groupStart[g]]];
        p.truePositiveRate = double(p.matrix.truePositives) / double(curve.positives);
        p.falsePositiveRate = double(p.matrix.falsePositives) / double(curve.negatives);
        curve.points.push_back(p);
    }
    return curve;
}

double rocAuc(const RocCurve& curve) {
    double area = 0.0;
    for (size_t i = 1; i < curve.points.size(); i++) {
        const RocPoint& a = curve.points[i - 1];
        const RocPoint& b = curve.points[i];
        area += (b.falsePositiveRate - a.falsePositiveRate) * (a.truePositiveRate + b.truePositiveRate) * 0.5;
    }
    return area;
}

Result<double> mannWhitneyAuc(std::span<const double> scores, std::span<const int> labels) {
    Status ok = checkBinaryInput(scores, labels);
    if (!ok) return ok.error();
    ok = checkBothClasses(labels, "the AUC");
    if (!ok) return ok.error();
    const std::vector<uint32_t> ones(scores.size(), 1u);
    return weightedMannWhitney(sortScores(scores), labels, ones);
}

static OperatingPoint pointAt(const RocCurve& curve, size_t index, double threshold) {
    const RocPoint& p = curve.points[index];
    OperatingPoint op;
    op.threshold = threshold;
    op.pointIndex = index;
    op.matrix = p.matrix;
    op.falsePositiveRate = p.falsePositiveRate;
    op.truePositiveRate = p.truePositiveRate;
    return op;
}

OperatingPoint operatingPoint(const RocCurve& curve, double threshold) {
    if (curve.points.empty()) return {};
    // Scores >= threshold are called positive: the counts are those of the last point whose threshold (a
    // score) is still >= the asked one. points[0] (threshold +inf) always qualifies.
    auto firstBelow = std::partition_point(curve.points.begin(), curve.points.end(),
                                           [&](const RocPoint& p) { return p.threshold >= threshold; });
    size_t index = std::isnan(threshold) ? 0 : size_t(firstBelow - curve.points.begin()) - 1;
    return pointAt(curve, index, threshold);
}

// Whole-case count that reaches `target` as a fraction of `total` (1e-9 forgives 0.95 * 20 = 18.999...).
static uint64_t casesNeeded(double target, uint64_t total) {
    if (target <= 0.0) return 0;
    return uint64_t(std::ceil(target * double(total) - 1e-9));
}

ThresholdChoice thresholdForSensitivity(const RocCurve& curve, double target) {
    ThresholdChoice choice;
    const uint64_t needed = casesNeeded(target, curve.positives);
    if (curve.points.empty() || needed > curve.positives) return choice;
    // True positives only grow along the curve: the first point with enough is the highest threshold.
    auto it = std::partition_point(curve.points.begin(), curve.points.end(),
                                   [&](const RocPoint& p) { return p.matrix.truePositives < needed; });
    const size_t index = size_t(it - curve.points.begin());
    choice.found = true;
    choice.threshold = curve.points[index].threshold;
    choice.point = pointAt(curve, index, choice.threshold);
    return choice;
}

ThresholdChoice thresholdForSpecificity(const RocCurve& curve, double target) {
    ThresholdChoice choice;
    const uint64_t needed = casesNeeded(target, curve.negatives);
    if (curve.points.empty() || needed > curve.negatives) return choice;
    const uint64_t allowedFalsePositives = curve.negatives - needed;
    // False positives only grow along the curve: the last point within the allowance is the lowest threshold.
    auto it = std::partition_point(curve.points.begin(), curve.points.end(), [&](const RocPoint& p) {
        return p.matrix.falsePositives <= allowedFalsePositives;
    });
    const size_t index = size_t(it - curve.points.begin()) - 1;
    choice.found = true;
    choice.threshold = curve.points[index].threshold;
    choice.point = pointAt(curve, index, choice.threshold);
    return choice;
}

// ---------------------------------------------------------------------------------------------- bootstrap

static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

BootstrapRng::BootstrapRng(uint64_t seed) {
    for (uint64_t& s : state_)
        s = splitmix64(seed);
}

uint64_t BootstrapRng::next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

uint64_t BootstrapRng::below(uint64_t bound) {
    // Values under 2^64 mod bound would make the low residues more likely: draw again (rarely needed).
    const uint64_t rejectBelow = (0 - bound) % bound;
    for (;;) {
        const uint64_t x = next();
        if (x >= rejectBelow) return x % bound;
    }
}

// numpy.percentile's default: linear interpolation between the closest order statistics.
static double percentileOfSorted(const std::vector<double>& sorted, double fraction) {
    const double h = double(sorted.size() - 1) * fraction;
    const size_t lo = size_t(std::floor(h));
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

static ConfidenceInterval intervalFrom(double estimate, std::vector<double> values, int total, double level) {
    ConfidenceInterval ci;
    ci.estimate = estimate;
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
                 values.end());
    ci.replicates = int(values.size());
    ci.undefinedReplicates = total - ci.replicates;
    if (values.empty()) {
        ci.lower = ci.upper = kUndefined;
        return ci;
    }
    std::sort(values.begin(), values.end());
    const double tail = (1.0 - level) * 0.5;
    ci.lower = percentileOfSorted(values, tail);
    ci.upper = percentileOfSorted(values, 1.0 - tail);
    return ci;
}

// The indices of the positive and of the negative cases, for stratified draws.
struct ClassIndices {
    std::vector<uint32_t> positives;
    std::vector<uint32_t> negatives;
};

static ClassIndices splitByClass(std::span<const int> labels) {
    ClassIndices c;
    for (uint32_t i = 0; i < labels.size(); i++)
        (labels[i] == 1 ? c.positives : c.negatives).push_back(i);
    return c;
}

static Status checkBootstrap(std::span<const double> scores, std::span<const int> labels,
                             const BootstrapOptions& options) {
    Status ok = checkBinaryInput(scores, labels);
    if (!ok) return ok;
    if (options.replicates < 1) return Error("the bootstrap needs at least one replicate");
    if (!(options.level > 0.0 && options.level < 1.0))
        return Error("the confidence level must be between 0 and 1 (e.g. 0.95)");
    return checkBothClasses(labels, "a stratified bootstrap");
}

// One stratified replicate: how often each case was drawn.
static void drawReplicate(const ClassIndices& classes, BootstrapRng& rng, std::vector<uint32_t>& weights) {
    std::fill(weights.begin(), weights.end(), 0u);
    for (size_t k = 0; k < classes.positives.size(); k++)
        weights[classes.positives[rng.below(classes.positives.size())]]++;
    for (size_t k = 0; k < classes.negatives.size(); k++)
        weights[classes.negatives[rng.below(classes.negatives.size())]]++;
}

Result<ConfidenceInterval> bootstrapAuc(std::span<const double> scores, std::span<const int> labels,
                                        const BootstrapOptions& options) {
    Status ok = checkBootstrap(scores, labels, options);
    if (!ok) return ok.error();
    const SortedScores sorted = sortScores(scores);
    const ClassIndices classes = splitByClass(labels);
    std::vector<uint32_t> weights(scores.size(), 1u);
    const double estimate = weightedMannWhitney(sorted, labels, weights);

    BootstrapRng rng(options.seed);
    std::vector<double> values;
    values.reserve(size_t(options.replicates));
    for (int r = 0; r < options.replicates; r++) {
        drawReplicate(classes, rng, weights);
        values.push_back(weightedMannWhitney(sorted, labels, weights));
    }
    return intervalFrom(estimate, std::move(values), options.replicates, options.level);
}

Result<SensitivitySpecificityInterval> bootstrapSensitivitySpecificity(std::span<const double> scores,
                                                                       std::span<const int> labels,
                                                                       double threshold,
                                                                       const BootstrapOptions& options) {
    Status ok = checkBootstrap(scores, labels, options);
    if (!ok) return ok.error();
    if (std::isnan(threshold)) return Error("the threshold is not a number");
    const ClassIndices classes = splitByClass(labels);
    const BinaryMetrics full = binaryMetrics(countAt(scores, labels, threshold));

    BootstrapRng rng(options.seed);
    std::vector<uint32_t> weights(scores.size(), 0u);
    std::vector<double> sensitivities, specificities;
    for (int r = 0; r < options.replicates; r++) {
        drawReplicate(classes, rng, weights);
        uint64_t truePositives = 0, trueNegatives = 0;
        for (size_t i = 0; i < scores.size(); i++)
            if ((scores[i] >= threshold) == (labels[i] == 1))
                (labels[i] == 1 ? truePositives : trueNegatives) += weights[i];
        sensitivities.push_back(ratio(truePositives, classes.positives.size()));
        specificities.push_back(ratio(trueNegatives, classes.negatives.size()));
    }
    SensitivitySpecificityInterval ci;
    ci.sensitivity =
        intervalFrom(full.sensitivity, std::move(sensitivities), options.replicates, options.level);
    ci.specificity =
        intervalFrom(full.specificity, std::move(specificities), options.replicates, options.level);
    return ci;
}

// ---------------------------------------------------------------------------------------------- calibration

Result<ReliabilityDiagram> computeReliability(std::span<const double> probabilities,
                                              std::span<const int> labels, int binCount) {
    Status ok = checkBinaryInput(probabilities, labels);
    if (!ok) return ok.error();
    if (binCount < 1) return Error("a reliability diagram needs at least one bin");
    for (size_t i = 0; i < probabilities.size(); i++)
        if (probabilities[i] < 0.0 || probabilities[i] > 1.0)
            return Error("score " + std::to_string(i + 1) + " is " + formatMetric(probabilities[i], 6) +
                         "; calibration needs probabilities between 0 and 1");

    // Inner edges k * (1/B), k = 1..B-1, as numpy.linspace(0, 1, B + 1) computes them.
    const double step = 1.0 / double(binCount);
    std::vector<double> innerEdges;
    for (int k = 1; k < binCount; k++)
        innerEdges.push_back(double(k) * step);

    ReliabilityDiagram d;
    d.bins.resize(size_t(binCount));
    std::vector<double> sumPredicted(size_t(binCount), 0.0), sumPositive(size_t(binCount), 0.0);
    double squaredError = 0.0;
    for (size_t i = 0; i < probabilities.size(); i++) {
        const double p = probabilities[i];
        const size_t bin =
            size_t(std::lower_bound(innerEdges.begin(), innerEdges.end(), p) - innerEdges.begin());
        d.bins[bin].count++;
        sumPredicted[bin] += p;
        sumPositive[bin] += labels[i];
        squaredError += (p - labels[i]) * (p - labels[i]);
    }
    d.total = probabilities.size();
    d.brierScore = squaredError / double(d.total);
    for (size_t b = 0; b < d.bins.size(); b++) {
        ReliabilityBin& bin = d.bins[b];
        bin.lower = b == 0 ? 0.0 : innerEdges[b - 1];
        bin.upper = b + 1 == d.bins.size() ? 1.0 : innerEdges[b];
        bin.meanPredicted = bin.count ? sumPredicted[b] / double(bin.count) : kUndefined;
        bin.observedFrequency = bin.count ? sumPositive[b] / double(bin.count) : kUndefined;
        if (bin.count == 0) continue;
        const double gap = std::fabs(bin.meanPredicted - bin.observedFrequency);
        d.expectedCalibrationError += gap * double(bin.count) / double(d.total);
        d.maximumCalibrationError = std::max(d.maximumCalibrationError, gap);
    }
    return d;
}

// ---------------------------------------------------------------------------------------------- multi-class

static Status checkMulticlassInput(std::span<const double> scores, int classCount,
                                   std::span<const int> labels) {
    if (classCount < 2) return Error("a multi-class model needs at least two classes");
    if (scores.size() != labels.size() * size_t(classCount))
        return Error(std::to_string(scores.size()) + " scores for " + std::to_string(labels.size()) +
                     " cases of " + std::to_string(classCount) + " classes; expected " +
                     std::to_string(labels.size() * size_t(classCount)));
    if (labels.empty()) return Error("no cases: the labelled set is empty");
    for (size_t i = 0; i < labels.size(); i++)
        if (labels[i] < 0 || labels[i] >= classCount)
            return Error("label " + std::to_string(i + 1) + " is " + std::to_string(labels[i]) +
                         "; class indices must be 0 to " + std::to_string(classCount - 1));
    return checkScoresFinite(scores);
}

Result<MulticlassConfusion> confusionFromArgmax(std::span<const double> scores, int classCount,
                                                std::span<const int> labels) {
    Status ok = checkMulticlassInput(scores, classCount, labels);
    if (!ok) return ok.error();
    MulticlassConfusion m;
    m.classCount = classCount;
    m.counts.assign(size_t(classCount) * size_t(classCount), 0);
    for (size_t i = 0; i < labels.size(); i++) {
        const double* row = scores.data() + i * size_t(classCount);
        const size_t predicted = size_t(std::max_element(row, row + classCount) - row); // first maximum
        m.counts[size_t(labels[i]) * size_t(classCount) + predicted]++;
    }
    return m;
}

Result<std::vector<ClassMetrics>> oneVsRestMetrics(std::span<const double> scores, int classCount,
                                                   std::span<const int> labels) {
    Result<MulticlassConfusion> confusion = confusionFromArgmax(scores, classCount, labels);
    if (!confusion) return confusion.error();
    const MulticlassConfusion& m = *confusion;
    std::vector<ClassMetrics> perClass(static_cast<size_t>(classCount));
    std::vector<double> column(labels.size());
    std::vector<int> isClass(labels.size());
    for (int k = 0; k < classCount; k++) {
        ConfusionMatrix& c = perClass[size_t(k)].matrix;
        for (int t = 0; t < classCount; t++)
            for (int p = 0; p < classCount; p++) {
                const uint64_t n = m.at(t, p);
                if (t == k)
                    (p == k ? c.truePositives : c.falseNegatives) += n;
                else
                    (p == k ? c.falsePositives : c.trueNegatives) += n;
            }
        perClass[size_t(k)].metrics = binaryMetrics(c);
        for (size_t i = 0; i < labels.size(); i++) {
            column[i] = scores[i * size_t(classCount) + size_t(k)];
            isClass[i] = labels[i] == k ? 1 : 0;
        }
        Result<double> auc = mannWhitneyAuc(column, isClass);
        perClass[size_t(k)].auc = auc ? *auc : kUndefined;
    }
    return perClass;
}

static MacroAverage macroAverage(const std::vector<ClassMetrics>& perClass,
                                 double (*figure)(const ClassMetrics&)) {
    MacroAverage m;
    double sum = 0.0;
    for (const ClassMetrics& c : perClass) {
        const double v = figure(c);
        if (std::isnan(v)) continue;
        sum += v;
        m.classes++;
    }
    m.value = m.classes ? sum / m.classes : kUndefined;
    return m;
}

Result<MulticlassValidation> validateMulticlass(std::span<const double> scores, int classCount,
                                                std::span<const int> labels) {
    Result<std::vector<ClassMetrics>> perClass = oneVsRestMetrics(scores, classCount, labels);
    if (!perClass) return perClass.error();
    MulticlassValidation v;
    v.confusion = *confusionFromArgmax(scores, classCount, labels); // checked by oneVsRestMetrics
    v.perClass = std::move(*perClass);
    uint64_t correct = 0;
    for (int k = 0; k < classCount; k++)
        correct += v.confusion.at(k, k);
    v.cases = labels.size();
    v.accuracy = ratio(correct, v.cases);
    v.sensitivity = macroAverage(v.perClass, [](const ClassMetrics& c) { return c.metrics.sensitivity; });
    v.specificity = macroAverage(v.perClass, [](const ClassMetrics& c) { return c.metrics.specificity; });
    v.ppv = macroAverage(v.perClass, [](const ClassMetrics& c) { return c.metrics.ppv; });
    v.npv = macroAverage(v.perClass, [](const ClassMetrics& c) { return c.metrics.npv; });
    v.f1 = macroAverage(v.perClass, [](const ClassMetrics& c) { return c.metrics.f1; });
    v.auc = macroAverage(v.perClass, [](const ClassMetrics& c) { return c.auc; });
    return v;
}

// ---------------------------------------------------------------------------------------------- all at once

Result<BinaryValidation> validateBinary(std::span<const double> scores, std::span<const int> labels,
                                        const BinaryValidationOptions& options) {
    Result<RocCurve> roc = computeRoc(scores, labels);
    if (!roc) return roc.error();
    Result<ConfidenceInterval> auc = bootstrapAuc(scores, labels, options.bootstrap);
    if (!auc) return auc.error();
    Result<SensitivitySpecificityInterval> rates =
        bootstrapSensitivitySpecificity(scores, labels, options.threshold, options.bootstrap);
    if (!rates) return rates.error();
    BinaryValidation v;
    v.options = options;
    v.roc = std::move(*roc);
    v.auc = rocAuc(v.roc);
    v.aucInterval = *auc;
    v.operating = operatingPoint(v.roc, options.threshold);
    v.metrics = binaryMetrics(v.operating.matrix);
    v.rateIntervals = *rates;
    // Uncalibrated scores (logits, distances) still have a ROC curve; only calibration needs probabilities.
    Result<ReliabilityDiagram> reliability = computeReliability(scores, labels, options.calibrationBins);
    v.hasReliability = reliability.ok();
    if (reliability)
        v.reliability = std::move(*reliability);
    else
        v.reliabilityNote = reliability.error().message;
    return v;
}

} // namespace dx
