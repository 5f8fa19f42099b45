// Validation metrics (metrics.h) against values worked out by hand and against scikit-learn/numpy, whose
// numbers tests/metrics/make_sklearn_reference.py writes into the build folder at build time.
#include "core/validation/metrics.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

using Scores = std::vector<double>;
using Labels = std::vector<int>;

// The classic example from scikit-learn's roc_curve documentation.
static const Scores kScores = {0.1, 0.4, 0.35, 0.8};
static const Labels kLabels = {0, 0, 1, 1};

static bool sameCounts(const dx::ConfusionMatrix& a, const dx::ConfusionMatrix& b) {
    return a.truePositives == b.truePositives && a.falsePositives == b.falsePositives &&
           a.trueNegatives == b.trueNegatives && a.falseNegatives == b.falseNegatives;
}

TEST_CASE("Confusion matrix and rates at a threshold, by hand") {
    dx::Result<dx::ConfusionMatrix> m = dx::confusionMatrixAt(kScores, kLabels, 0.4); // 0.4 and 0.8 positive
    REQUIRE(m.ok());
    CHECK(m->truePositives == 1);
    CHECK(m->falsePositives == 1);
    CHECK(m->trueNegatives == 1);
    CHECK(m->falseNegatives == 1);
    dx::BinaryMetrics r = dx::binaryMetrics(dx::ConfusionMatrix{3, 1, 5, 1});
    CHECK(r.accuracy == Approx(0.8));
    CHECK(r.sensitivity == Approx(0.75));
    CHECK(r.specificity == Approx(5.0 / 6.0));
    CHECK(r.ppv == Approx(0.75));
    CHECK(r.npv == Approx(5.0 / 6.0));
    CHECK(r.f1 == Approx(0.75));
}

TEST_CASE("A rate with a zero denominator is undefined, not zero") {
    // Threshold above every score: nothing is called positive, so PPV has no denominator.
    dx::Result<dx::ConfusionMatrix> m = dx::confusionMatrixAt(kScores, kLabels, 0.9);
    REQUIRE(m.ok());
    dx::BinaryMetrics r = dx::binaryMetrics(*m);
    CHECK(std::isnan(r.ppv));
    CHECK(dx::formatMetric(r.ppv, 3) == "undefined");
    CHECK(r.f1 == 0.0); // 2TP / (2TP + FP + FN) = 0 / 2: defined, and zero
    CHECK(dx::formatMetric(r.npv, 3) == "0.500");
    // No positives in truth: sensitivity undefined; nothing at all: everything undefined.
    dx::BinaryMetrics negativesOnly = dx::binaryMetrics(dx::ConfusionMatrix{0, 2, 3, 0});
    CHECK(std::isnan(negativesOnly.sensitivity));
    CHECK(negativesOnly.specificity == Approx(0.6));
    dx::BinaryMetrics empty = dx::binaryMetrics(dx::ConfusionMatrix{});
    CHECK(std::isnan(empty.accuracy));
    CHECK(std::isnan(empty.f1));
}

TEST_CASE("Bad input is rejected with the position of the problem") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    dx::Result<dx::RocCurve> r = dx::computeRoc(Scores{0.2, nan, 0.4}, Labels{0, 1, 1});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("score 2") != std::string::npos);
    CHECK(r.error().message.find("NaN") != std::string::npos);
    CHECK_FALSE(dx::confusionMatrixAt(Scores{0.2, INFINITY}, Labels{0, 1}, 0.5).ok());
    dx::Result<dx::ConfusionMatrix> label = dx::confusionMatrixAt(Scores{0.2, 0.3}, Labels{0, 2}, 0.5);
    REQUIRE_FALSE(label.ok());
    CHECK(label.error().message.find("label 2 is 2") != std::string::npos);
    CHECK_FALSE(dx::confusionMatrixAt(Scores{0.2}, Labels{0, 1}, 0.5).ok());
    CHECK_FALSE(dx::confusionMatrixAt(Scores{}, Labels{}, 0.5).ok());
    CHECK_FALSE(dx::confusionMatrixAt(kScores, kLabels, nan).ok());
}

TEST_CASE("AUC is undefined when only one class is present, and a single case has a confusion matrix") {
    dx::Result<dx::RocCurve> allPositive = dx::computeRoc(Scores{0.2, 0.9}, Labels{1, 1});
    REQUIRE_FALSE(allPositive.ok());
    CHECK(allPositive.error().message.find("undefined") != std::string::npos);
    CHECK(allPositive.error().message.find("positive") != std::string::npos);
    CHECK_FALSE(dx::mannWhitneyAuc(Scores{0.5}, Labels{0}).ok());
    CHECK_FALSE(dx::bootstrapAuc(Scores{0.5}, Labels{1}, {}).ok());
    dx::Result<dx::ConfusionMatrix> one = dx::confusionMatrixAt(Scores{0.7}, Labels{1}, 0.5);
    REQUIRE(one.ok());
    CHECK(one->truePositives == 1);
    CHECK(dx::binaryMetrics(*one).sensitivity == 1.0);
    CHECK(std::isnan(dx::binaryMetrics(*one).specificity));
}

TEST_CASE("ROC curve by hand: one point per distinct score, ties make one diagonal step") {
    dx::Result<dx::RocCurve> roc = dx::computeRoc(kScores, kLabels);
    REQUIRE(roc.ok());
    const std::vector<double> thresholds = {INFINITY, 0.8, 0.4, 0.35, 0.1};
    const std::vector<double> tpr = {0, 0.5, 0.5, 1, 1}, fpr = {0, 0, 0.5, 0.5, 1};
    REQUIRE(roc->points.size() == 5);
    for (size_t i = 0; i < 5; i++) {
        CHECK(roc->points[i].threshold == thresholds[i]);
        CHECK(roc->points[i].truePositiveRate == tpr[i]);
        CHECK(roc->points[i].falsePositiveRate == fpr[i]);
    }
    CHECK(dx::rocAuc(*roc) == 0.75);

    dx::Result<dx::RocCurve> tied = dx::computeRoc(Scores{0.5, 0.5, 0.5, 0.5}, Labels{0, 1, 0, 1});
    REQUIRE(tied.ok());
    REQUIRE(tied->points.size() == 2);
    CHECK(dx::rocAuc(*tied) == 0.5);
    // One tie across the classes at the top: 1/2 credit for that pair only.
    dx::Result<dx::RocCurve> partial = dx::computeRoc(Scores{0.9, 0.9, 0.1}, Labels{1, 0, 0});
    REQUIRE(partial.ok());
    CHECK(dx::rocAuc(*partial) == 0.75);
}

TEST_CASE("Trapezoid AUC equals the Mann-Whitney statistic and brute-force pair counting, with ties") {
    dx::BootstrapRng rng(99);
    for (int trial = 0; trial < 20; trial++) {
        const size_t n = 2 + rng.below(60);
        Scores s(n);
        Labels y(n);
        for (size_t i = 0; i < n; i++) {
            s[i] = double(rng.below(8)) / 8.0; // few distinct values: many ties
            y[i] = int(rng.below(2));
        }
        y[0] = 0;
        y[1] = 1;
        double won = 0.0, pairs = 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (y[i] == 1 && y[j] == 0) {
                    pairs += 1.0;
                    won += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
                }
        dx::Result<dx::RocCurve> roc = dx::computeRoc(s, y);
        dx::Result<double> mw = dx::mannWhitneyAuc(s, y);
        REQUIRE(roc.ok());
        REQUIRE(mw.ok());
        CHECK(dx::rocAuc(*roc) == Approx(won / pairs).margin(1e-12));
        CHECK(*mw == Approx(won / pairs).margin(1e-12));
    }
}

TEST_CASE("Operating point lookup agrees with counting at every kind of threshold") {
    dx::BootstrapRng rng(5);
    Scores s(200);
    Labels y(200);
    for (size_t i = 0; i < s.size(); i++) {
        s[i] = double(rng.below(50)) / 50.0;
        y[i] = int(rng.below(3) == 0);
    }
    dx::Result<dx::RocCurve> roc = dx::computeRoc(s, y);
    REQUIRE(roc.ok());
    for (double t : {-1.0, 0.0, 0.01, 0.02, 0.5, 0.505, 0.98, 0.99, 1.0, 2.0}) {
        dx::OperatingPoint op = dx::operatingPoint(*roc, t);
        dx::Result<dx::ConfusionMatrix> direct = dx::confusionMatrixAt(s, y, t);
        REQUIRE(direct.ok());
        INFO("threshold " << t);
        CHECK(sameCounts(op.matrix, *direct));
        CHECK(op.threshold == t);
    }
    CHECK(dx::operatingPoint(*roc, 2.0).pointIndex == 0);
    CHECK(dx::operatingPoint(*roc, -1.0).pointIndex == roc->points.size() - 1);
}

TEST_CASE("Threshold for a target sensitivity or specificity, by hand") {
    dx::Result<dx::RocCurve> roc = dx::computeRoc(kScores, kLabels);
    REQUIRE(roc.ok());
    CHECK(dx::thresholdForSensitivity(*roc, 1.0).threshold == 0.35);
    CHECK(dx::thresholdForSensitivity(*roc, 0.5).threshold == 0.8);
    CHECK(dx::thresholdForSensitivity(*roc, 0.51).threshold == 0.35);
    CHECK(dx::thresholdForSpecificity(*roc, 1.0).threshold == 0.8);
    CHECK(dx::thresholdForSpecificity(*roc, 0.5).threshold == 0.35);
    CHECK(dx::thresholdForSpecificity(*roc, 0.0).threshold == 0.1);
    dx::ThresholdChoice c = dx::thresholdForSensitivity(*roc, 1.0);
    CHECK(c.found);
    CHECK(c.point.matrix.falsePositives == 1);
    CHECK_FALSE(dx::thresholdForSensitivity(*roc, 1.01).found);
    // 0.95 of 20 positives is 19, even though 0.95 * 20 is 18.999... in binary.
    Scores s;
    Labels y;
    for (int i = 0; i < 20; i++) {
        s.push_back(0.05 * i);
        y.push_back(1);
    }
    s.push_back(0.5);
    y.push_back(0);
    dx::Result<dx::RocCurve> many = dx::computeRoc(s, y);
    REQUIRE(many.ok());
    CHECK(dx::thresholdForSensitivity(*many, 0.95).point.matrix.truePositives == 19);
}

TEST_CASE("Bootstrap generator and intervals are deterministic, seeded, and bracket the estimate") {
    dx::BootstrapRng a(1234), b(1234), c(1235);
    bool differs = false;
    for (int i = 0; i < 16; i++) {
        const uint64_t x = a.next();
        CHECK(x == b.next());
        differs = differs || x != c.next();
    }
    CHECK(differs);
    for (int i = 0; i < 1000; i++)
        CHECK(a.below(7) < 7);

    Scores s = {0.1, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9};
    Labels y = {0, 0, 1, 0, 1, 0, 1, 1, 0, 1};
    dx::Result<dx::ConfidenceInterval> ci = dx::bootstrapAuc(s, y, {500, 77, 0.95});
    dx::Result<dx::ConfidenceInterval> again = dx::bootstrapAuc(s, y, {500, 77, 0.95});
    REQUIRE(ci.ok());
    REQUIRE(again.ok());
    CHECK(ci->lower == again->lower);
    CHECK(ci->upper == again->upper);
    CHECK(ci->estimate == Approx(*dx::mannWhitneyAuc(s, y)));
    CHECK(ci->lower <= ci->estimate);
    CHECK(ci->estimate <= ci->upper);
    CHECK(ci->lower < ci->upper);
    CHECK(ci->replicates == 500);
    CHECK_FALSE(dx::bootstrapAuc(s, y, {0, 1, 0.95}).ok());
    CHECK_FALSE(dx::bootstrapAuc(s, y, {10, 1, 1.5}).ok());
}

TEST_CASE("Reliability diagram, ECE and MCE by hand, with values on bin edges") {
    // 10 bins (lo, hi]. 0.5 is exactly the edge 5 * 0.1, so it closes bin 4; 0.3 lies below numpy.linspace's
    // edge 0.30000000000000004, so it is in bin 2; 1.0 closes bin 9.
    Scores p = {0.05, 0.5, 0.3, 0.95, 1.0, 0.91};
    Labels y = {0, 0, 1, 1, 1, 0};
    dx::Result<dx::ReliabilityDiagram> d = dx::computeReliability(p, y, 10);
    REQUIRE(d.ok());
    REQUIRE(d->bins.size() == 10);
    CHECK(d->bins[0].count == 1);
    CHECK(d->bins[2].count == 1);
    CHECK(d->bins[3].count == 0);
    CHECK(d->bins[4].count == 1);
    CHECK(d->bins[5].count == 0);
    CHECK(std::isnan(d->bins[3].meanPredicted));
    CHECK(d->bins[9].count == 3);
    CHECK(d->bins[9].meanPredicted == Approx((0.95 + 1.0 + 0.91) / 3));
    CHECK(d->bins[9].observedFrequency == Approx(2.0 / 3));
    const double gaps[] = {0.05, 0.5, 0.7, (0.95 + 1.0 + 0.91) / 3 - 2.0 / 3};
    CHECK(d->expectedCalibrationError == Approx((gaps[0] + gaps[1] + gaps[2] + 3 * gaps[3]) / 6));
    CHECK(d->maximumCalibrationError == Approx(0.7));
    CHECK(d->brierScore ==
          Approx((0.05 * 0.05 + 0.5 * 0.5 + 0.7 * 0.7 + 0.05 * 0.05 + 0.0 + 0.91 * 0.91) / 6));
    CHECK_FALSE(dx::computeReliability(Scores{0.5, 1.2}, Labels{0, 1}, 10).ok());
    CHECK_FALSE(dx::computeReliability(p, y, 0).ok());
}

TEST_CASE("Multi-class confusion from argmax and one-vs-rest metrics, by hand") {
    // Rows: true 0 predicted 0; true 1 predicted 2; true 2 predicted 2; true 1 tie (0.4, 0.4) -> class 0.
    Scores s = {0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.2, 0.6, 0.4, 0.4, 0.2};
    Labels y = {0, 1, 2, 1};
    dx::Result<dx::MulticlassConfusion> m = dx::confusionFromArgmax(s, 3, y);
    REQUIRE(m.ok());
    CHECK(m->at(0, 0) == 1);
    CHECK(m->at(1, 2) == 1);
    CHECK(m->at(2, 2) == 1);
    CHECK(m->at(1, 0) == 1);
    CHECK(m->at(1, 1) == 0);
    dx::Result<std::vector<dx::ClassMetrics>> per = dx::oneVsRestMetrics(s, 3, y);
    REQUIRE(per.ok());
    CHECK((*per)[0].metrics.ppv == 0.5);
    CHECK((*per)[1].metrics.sensitivity == 0.0);
    CHECK(std::isnan((*per)[1].metrics.ppv)); // class 1 is never predicted
    CHECK((*per)[2].metrics.ppv == 0.5);
    CHECK((*per)[0].auc == 1.0); // class 0's column: 0.7 vs 0.1, 0.2, 0.4
    CHECK_FALSE(dx::confusionFromArgmax(s, 3, Labels{0, 1, 3, 1}).ok());
    CHECK_FALSE(dx::confusionFromArgmax(s, 4, y).ok());
    // A class absent from the labels: its AUC is undefined, the others still computed.
    dx::Result<std::vector<dx::ClassMetrics>> absent = dx::oneVsRestMetrics(s, 3, Labels{0, 1, 0, 1});
    REQUIRE(absent.ok());
    CHECK(std::isnan((*absent)[2].auc));
    CHECK_FALSE(std::isnan((*absent)[0].auc));
}

TEST_CASE("Multi-class validation: N x N matrix, per-class rates, accuracy and macro averages, by hand") {
    // Eight cases of three classes; the argmax prediction of each row is in the comment.
    Scores s = {0.8, 0.1,  0.1,  // true 0 -> 0
                0.3, 0.6,  0.1,  // true 0 -> 1
                0.2, 0.7,  0.1,  // true 1 -> 1
                0.1, 0.3,  0.6,  // true 1 -> 2
                0.1, 0.2,  0.7,  // true 2 -> 2
                0.1, 0.5,  0.4,  // true 2 -> 1
                0.9, 0.05, 0.05, // true 0 -> 0
                0.2, 0.7,  0.1}; // true 1 -> 1
    Labels y = {0, 0, 1, 1, 2, 2, 0, 1};
    dx::Result<dx::MulticlassValidation> v = dx::validateMulticlass(s, 3, y);
    REQUIRE(v.ok());
    CHECK(v->confusion.counts == std::vector<uint64_t>{2, 1, 0, 0, 2, 1, 0, 1, 1});
    CHECK(v->cases == 8);
    CHECK(v->accuracy == Approx(5.0 / 8));
    REQUIRE(v->perClass.size() == 3);
    // Class 0: TP 2, FN 1, FP 0, TN 5.
    const dx::ClassMetrics& c0 = v->perClass[0];
    CHECK(c0.matrix.truePositives == 2);
    CHECK(c0.matrix.falseNegatives == 1);
    CHECK(c0.matrix.falsePositives == 0);
    CHECK(c0.matrix.trueNegatives == 5);
    CHECK(c0.metrics.sensitivity == Approx(2.0 / 3));
    CHECK(c0.metrics.specificity == Approx(1.0));
    CHECK(c0.metrics.ppv == Approx(1.0));
    CHECK(c0.metrics.npv == Approx(5.0 / 6));
    CHECK(c0.metrics.f1 == Approx(0.8));
    CHECK(c0.auc == Approx(1.0)); // 0.8, 0.3, 0.9 against 0.2, 0.1, 0.1, 0.1, 0.2
    // Class 1: TP 2, FN 1, FP 2, TN 3.
    const dx::ClassMetrics& c1 = v->perClass[1];
    CHECK(c1.metrics.sensitivity == Approx(2.0 / 3));
    CHECK(c1.metrics.specificity == Approx(3.0 / 5));
    CHECK(c1.metrics.ppv == Approx(2.0 / 4));
    CHECK(c1.metrics.npv == Approx(3.0 / 4));
    CHECK(c1.metrics.f1 == Approx(4.0 / 7));
    CHECK(c1.auc == Approx(13.0 / 15)); // 0.7, 0.3, 0.7 against 0.1, 0.6, 0.2, 0.5, 0.05
    // Class 2: TP 1, FN 1, FP 1, TN 5.
    const dx::ClassMetrics& c2 = v->perClass[2];
    CHECK(c2.metrics.sensitivity == Approx(0.5));
    CHECK(c2.metrics.specificity == Approx(5.0 / 6));
    CHECK(c2.metrics.ppv == Approx(0.5));
    CHECK(c2.metrics.npv == Approx(5.0 / 6));
    CHECK(c2.metrics.f1 == Approx(0.5));
    CHECK(c2.auc == Approx(11.0 / 12)); // 0.7, 0.4 against 0.1, 0.1, 0.1, 0.6, 0.05, 0.1
    // Macro averages: unweighted means over the three classes.
    CHECK(v->sensitivity.classes == 3);
    CHECK(v->sensitivity.value == Approx(11.0 / 18));
    CHECK(v->specificity.value == Approx(73.0 / 90));
    CHECK(v->ppv.value == Approx(2.0 / 3));
    CHECK(v->npv.value == Approx(29.0 / 36));
    CHECK(v->f1.value == Approx(131.0 / 210)); // mean of per-class F1, not F1 of the means
    CHECK(v->f1.value !=
          Approx(2 * v->ppv.value * v->sensitivity.value / (v->ppv.value + v->sensitivity.value)));
    CHECK(v->auc.value == Approx(167.0 / 180));
    CHECK(v->auc.classes == 3);
}

TEST_CASE("Multi-class macro averages leave out the classes where a figure is undefined, and say how many") {
    // Class 2 has no cases (no sensitivity, no AUC) but is predicted once (PPV 0, which counts).
    Scores s = {0.6, 0.3, 0.1,  // true 0 -> 0
                0.2, 0.3, 0.5,  // true 0 -> 2
                0.1, 0.8, 0.1,  // true 1 -> 1
                0.7, 0.2, 0.1}; // true 1 -> 0
    Labels y = {0, 0, 1, 1};
    dx::Result<dx::MulticlassValidation> v = dx::validateMulticlass(s, 3, y);
    REQUIRE(v.ok());
    CHECK(v->accuracy == Approx(0.5));
    CHECK(std::isnan(v->perClass[2].metrics.sensitivity));
    CHECK(std::isnan(v->perClass[2].auc));
    CHECK(v->perClass[2].metrics.ppv == 0.0);
    CHECK(v->sensitivity.classes == 2);
    CHECK(v->sensitivity.value == Approx(0.5));
    CHECK(v->ppv.classes == 3);
    CHECK(v->ppv.value == Approx((0.5 + 1.0 + 0.0) / 3));
    CHECK(v->auc.classes == 2);
    CHECK(v->auc.value == Approx(0.5)); // class 0: 2 of 4 pairs; class 1: 2 of 4 pairs
    CHECK(v->specificity.classes == 3);
    CHECK(v->specificity.value == Approx((0.5 + 1.0 + 0.75) / 3));
    // Bad input is an error, not a result.
    CHECK_FALSE(dx::validateMulticlass(s, 3, Labels{0, 0, 1}).ok());
    CHECK_FALSE(dx::validateMulticlass(s, 3, Labels{0, 0, 1, 5}).ok());
}

// ---------------------------------------------------------------------------------------------- scikit-learn

static nlohmann::json sklearnReference() {
    std::ifstream in(DX_METRICS_REFERENCE);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json ref = nlohmann::json::parse(text.str(), nullptr, false);
    INFO("reference file: " << DX_METRICS_REFERENCE);
    REQUIRE_FALSE(ref.is_discarded());
    if (ref.contains("unavailable")) FAIL(ref["unavailable"].get<std::string>());
    return ref;
}

TEST_CASE("Binary metrics agree with scikit-learn: ROC, AUC, confusion matrix, calibration, Brier") {
    nlohmann::json ref = sklearnReference();
    REQUIRE(ref["binary"].size() >= 4);
    for (const nlohmann::json& c : ref["binary"]) {
        INFO("case " << c["name"].get<std::string>());
        const Scores s = c["scores"].get<Scores>();
        const Labels y = c["labels"].get<Labels>();
        dx::Result<dx::RocCurve> roc = dx::computeRoc(s, y);
        REQUIRE(roc.ok());
        CHECK(dx::rocAuc(*roc) == Approx(c["auc"].get<double>()).margin(1e-12));
        CHECK(*dx::mannWhitneyAuc(s, y) == Approx(c["auc"].get<double>()).margin(1e-12));
        const std::vector<double> fpr = c["roc"]["fpr"], tpr = c["roc"]["tpr"], thr = c["roc"]["thresholds"];
        REQUIRE(roc->points.size() == fpr.size());
        for (size_t i = 0; i < fpr.size(); i++) {
            CHECK(roc->points[i].falsePositiveRate == Approx(fpr[i]).margin(1e-12));
            CHECK(roc->points[i].truePositiveRate == Approx(tpr[i]).margin(1e-12));
            if (i > 0) CHECK(roc->points[i].threshold == thr[i - 1]);
        }
        dx::OperatingPoint op = dx::operatingPoint(*roc, c["threshold"].get<double>());
        CHECK(op.matrix.truePositives == c["confusion"]["tp"].get<uint64_t>());
        CHECK(op.matrix.falsePositives == c["confusion"]["fp"].get<uint64_t>());
        CHECK(op.matrix.trueNegatives == c["confusion"]["tn"].get<uint64_t>());
        CHECK(op.matrix.falseNegatives == c["confusion"]["fn"].get<uint64_t>());

        dx::Result<dx::ReliabilityDiagram> d = dx::computeReliability(s, y, c["bins"].get<int>());
        REQUIRE(d.ok());
        const nlohmann::json& cal = c["calibration"];
        const std::vector<double> probTrue = cal["prob_true"], probPred = cal["prob_pred"];
        size_t nonEmpty = 0;
        for (size_t b = 0; b < d->bins.size(); b++) {
            CHECK(d->bins[b].count == cal["counts"][b].get<uint64_t>());
            if (d->bins[b].count == 0) continue;
            REQUIRE(nonEmpty < probTrue.size());
            CHECK(d->bins[b].observedFrequency == Approx(probTrue[nonEmpty]).margin(1e-12));
            CHECK(d->bins[b].meanPredicted == Approx(probPred[nonEmpty]).margin(1e-12));
            nonEmpty++;
        }
        CHECK(nonEmpty == probTrue.size());
        CHECK(d->expectedCalibrationError == Approx(cal["ece"].get<double>()).margin(1e-12));
        CHECK(d->maximumCalibrationError == Approx(cal["mce"].get<double>()).margin(1e-12));
        CHECK(d->brierScore == Approx(c["brier"].get<double>()).margin(1e-12));
    }
}

TEST_CASE("Multi-class confusion and per-class metrics agree with scikit-learn") {
    nlohmann::json ref = sklearnReference();
    for (const nlohmann::json& c : ref["multiclass"]) {
        const int k = c["classes"];
        const Scores s = c["scores"].get<Scores>();
        const Labels y = c["labels"].get<Labels>();
        dx::Result<dx::MulticlassConfusion> m = dx::confusionFromArgmax(s, k, y);
        REQUIRE(m.ok());
        CHECK(m->counts == c["confusion"].get<std::vector<uint64_t>>());
        dx::Result<std::vector<dx::ClassMetrics>> per = dx::oneVsRestMetrics(s, k, y);
        REQUIRE(per.ok());
        for (int i = 0; i < k; i++) {
            const dx::ClassMetrics& cm = (*per)[size_t(i)];
            CHECK(cm.metrics.ppv == Approx(c["precision"][i].get<double>()).margin(1e-12));
            CHECK(cm.metrics.sensitivity == Approx(c["recall"][i].get<double>()).margin(1e-12));
            CHECK(cm.metrics.f1 == Approx(c["f1"][i].get<double>()).margin(1e-12));
            CHECK(cm.auc == Approx(c["auc_ovr"][i].get<double>()).margin(1e-12));
        }
        dx::Result<dx::MulticlassValidation> v = dx::validateMulticlass(s, k, y);
        REQUIRE(v.ok());
        CHECK(v->accuracy == Approx(c["accuracy"].get<double>()).margin(1e-12));
        CHECK(v->ppv.value == Approx(c["macro_precision"].get<double>()).margin(1e-12));
        CHECK(v->sensitivity.value == Approx(c["macro_recall"].get<double>()).margin(1e-12));
        CHECK(v->f1.value == Approx(c["macro_f1"].get<double>()).margin(1e-12));
    }
}

TEST_CASE("Bootstrap intervals equal an independent Python bootstrap with the same generator") {
    nlohmann::json ref = sklearnReference();
    dx::BootstrapRng rng(42);
    for (const nlohmann::json& expected : ref["rng_seed_42"])
        CHECK(std::to_string(rng.next()) == expected.get<std::string>());
    for (const nlohmann::json& b : ref["bootstrap"]) {
        INFO("case " << b["case"].get<std::string>());
        const nlohmann::json* data = nullptr;
        for (const nlohmann::json& c : ref["binary"])
            if (c["name"] == b["case"]) data = &c;
        REQUIRE(data);
        const Scores s = (*data)["scores"].get<Scores>();
        const Labels y = (*data)["labels"].get<Labels>();
        const dx::BootstrapOptions options{b["replicates"].get<int>(), b["seed"].get<uint64_t>(), 0.95};
        dx::Result<dx::ConfidenceInterval> auc = dx::bootstrapAuc(s, y, options);
        dx::Result<dx::SensitivitySpecificityInterval> ss =
            dx::bootstrapSensitivitySpecificity(s, y, b["threshold"].get<double>(), options);
        REQUIRE(auc.ok());
        REQUIRE(ss.ok());
        CHECK(auc->lower == Approx(b["auc"][0].get<double>()).margin(1e-12));
        CHECK(auc->upper == Approx(b["auc"][1].get<double>()).margin(1e-12));
        CHECK(ss->sensitivity.lower == Approx(b["sensitivity"][0].get<double>()).margin(1e-12));
        CHECK(ss->sensitivity.upper == Approx(b["sensitivity"][1].get<double>()).margin(1e-12));
        CHECK(ss->specificity.lower == Approx(b["specificity"][0].get<double>()).margin(1e-12));
        CHECK(ss->specificity.upper == Approx(b["specificity"][1].get<double>()).margin(1e-12));
    }
}

TEST_CASE(
    "validateBinary gathers the same numbers as the separate calls, and copes with uncalibrated scores") {
    Scores s = {0.1, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9};
    Labels y = {0, 0, 1, 0, 1, 0, 1, 1, 0, 1};
    dx::BinaryValidationOptions options;
    options.threshold = 0.5;
    options.bootstrap = {300, 9, 0.95};
    dx::Result<dx::BinaryValidation> v = dx::validateBinary(s, y, options);
    REQUIRE(v.ok());
    CHECK(v->auc == *dx::mannWhitneyAuc(s, y));
    CHECK(v->aucInterval.lower == dx::bootstrapAuc(s, y, options.bootstrap)->lower);
    CHECK(sameCounts(v->operating.matrix, *dx::confusionMatrixAt(s, y, 0.5)));
    CHECK(v->metrics.sensitivity == 0.8);
    REQUIRE(v->hasReliability);
    CHECK(v->reliability.total == 10);

    Scores logits = {-2.0, 3.5, 0.25, 1.0};
    dx::Result<dx::BinaryValidation> raw = dx::validateBinary(logits, Labels{0, 1, 0, 1}, options);
    REQUIRE(raw.ok());
    CHECK(raw->auc == 1.0);
    CHECK_FALSE(raw->hasReliability);
    CHECK(raw->reliabilityNote.find("between 0 and 1") != std::string::npos);
    CHECK_FALSE(dx::validateBinary(logits, Labels{1, 1, 1, 1}, options).ok());
}
