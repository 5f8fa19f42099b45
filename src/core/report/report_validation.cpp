// report_validation.cpp — exports of the validation panel (see report.h). Numbers are doubles here (metrics
// are compared with other tools to many digits); NaN, an undefined rate, is written as null in JSON and as an
// empty field in CSV.
#include "core/report/report_internal.h"

#include <cmath>
#include <cstdio>

namespace dx {

using ValidationJson = nlohmann::ordered_json;

static ValidationJson rate(double v) {
    return std::isnan(v) ? ValidationJson(nullptr) : ValidationJson(v);
}

static ValidationJson interval(const ConfidenceInterval& ci) {
    ValidationJson j = ValidationJson::object();
    j["estimate"] = rate(ci.estimate);
    j["lower"] = rate(ci.lower);
    j["upper"] = rate(ci.upper);
    j["replicates"] = ci.replicates;
    j["undefined_replicates"] = ci.undefinedReplicates;
    return j;
}

static ValidationJson counts(const ConfusionMatrix& m) {
    ValidationJson j = ValidationJson::object();
    j["tp"] = m.truePositives;
    j["fp"] = m.falsePositives;
    j["tn"] = m.trueNegatives;
    j["fn"] = m.falseNegatives;
    return j;
}

static ValidationJson metricsJson(const BinaryMetrics& m) {
    ValidationJson j = ValidationJson::object();
    j["accuracy"] = rate(m.accuracy);
    j["sensitivity"] = rate(m.sensitivity);
    j["specificity"] = rate(m.specificity);
    j["ppv"] = rate(m.ppv);
    j["npv"] = rate(m.npv);
    j["f1"] = rate(m.f1);
    return j;
}

// What every validation export starts with: which document, the notice, when, which model on which data.
static ValidationJson validationHeader(const char* schema, const ModelManifest& m, const std::string& dataset,
                                       const ReportOptions& options) {
    ValidationJson j = ValidationJson::object();
    j["schema"] = schema;
    j["notice"] = kResearchUseNotice;
    if (!options.generatedAt.empty()) j["generated_at"] = options.generatedAt;
    j["model"] = {{"id", m.id},
                  {"name", m.name},
                  {"version", m.version},
                  {"sha256", m.sha256},
                  {"intended_use", intendedUseText(m)}};
    j["dataset"] = dataset;
    return j;
}

static Status checkValidationInput(const ValidationReportInput& input, const ReportOptions& options) {
    if (!input.validation || !input.manifest)
        return Error("the validation report lacks its results or model");
    return checkGeneratedAt(options);
}

Result<std::string> writeValidationJson(const ValidationReportInput& input, const ReportOptions& options) {
    Status ok = checkValidationInput(input, options);
    if (!ok) return ok.error();
    const BinaryValidation& v = *input.validation;
    ValidationJson j = validationHeader("dxlens.validation/1", *input.manifest, input.dataset, options);
    j["positive_label"] = input.positiveLabel;
    j["cases"] = {{"positives", v.roc.positives}, {"negatives", v.roc.negatives}};
    j["threshold"] = v.options.threshold;
    j["confusion"] = counts(v.operating.matrix);
    j["metrics"] = metricsJson(v.metrics);
    j["auc"] = interval(v.aucInterval);
    j["sensitivity"] = interval(v.rateIntervals.sensitivity);
    j["specificity"] = interval(v.rateIntervals.specificity);
    j["bootstrap"] = {{"replicates", v.options.bootstrap.replicates},
                      {"seed", v.options.bootstrap.seed},
                      {"level", v.options.bootstrap.level},
                      {"method", "stratified percentile"}};
    ValidationJson roc = ValidationJson::array();
    for (const RocPoint& p : v.roc.points) {
        ValidationJson point = counts(p.matrix);
        point["threshold"] = std::isinf(p.threshold) ? ValidationJson("inf") : ValidationJson(p.threshold);
        point["sensitivity"] = p.truePositiveRate;
        point["specificity"] = 1.0 - p.falsePositiveRate;
        roc.push_back(std::move(point));
    }
    j["roc"] = std::move(roc);
    if (v.hasReliability) {
        ValidationJson bins = ValidationJson::array();
        for (const ReliabilityBin& b : v.reliability.bins)
            bins.push_back({{"lower", b.lower},
                            {"upper", b.upper},
                            {"count", b.count},
                            {"mean_predicted", rate(b.meanPredicted)},
                            {"observed_frequency", rate(b.observedFrequency)}});
        j["calibration"] = {{"bins", std::move(bins)},
                            {"ece", v.reliability.expectedCalibrationError},
                            {"mce", v.reliability.maximumCalibrationError},
                            {"brier", v.reliability.brierScore}};
    } else {
        j["calibration"] = {{"unavailable", v.reliabilityNote}};
    }
    return j.dump(2) + "\n";
}

Result<std::string> writeValidationCsv(const ValidationReportInput& input, const ReportOptions& options) {
    Status ok = checkValidationInput(input, options);
    if (!ok) return ok.error();
    std::string out;
    appendCsvRecord(out, {"threshold", "tp", "fp", "tn", "fn", "sensitivity", "specificity", "ppv", "npv",
                          "model", "model_sha256", "positive_label", "notice"});
    for (const RocPoint& p : input.validation->roc.points) {
        const BinaryMetrics m = binaryMetrics(p.matrix);
        appendCsvRecord(out, {csvNumber(p.threshold), std::to_string(p.matrix.truePositives),
                              std::to_string(p.matrix.falsePositives), std::to_string(p.matrix.trueNegatives),
                              std::to_string(p.matrix.falseNegatives), csvNumber(m.sensitivity),
                              csvNumber(m.specificity), csvNumber(m.ppv), csvNumber(m.npv),
                              modelTitle(*input.manifest), input.manifest->sha256, input.positiveLabel,
                              kResearchUseNotice});
    }
    return out;
}

static Status checkMulticlassInput(const MulticlassValidationReportInput& input,
                                   const ReportOptions& options) {
    if (!input.validation || !input.manifest)
        return Error("the validation report lacks its confusion matrix, per-class results or model");
    const MulticlassValidation& v = *input.validation;
    const size_t k = size_t(v.confusion.classCount);
    if (v.perClass.size() != k || input.classNames.size() != k)
        return Error("the validation report has " + std::to_string(k) + " classes but " +
                     std::to_string(v.perClass.size()) + " per-class results and " +
                     std::to_string(input.classNames.size()) + " class names");
    return checkGeneratedAt(options);
}

static ValidationJson macroJson(const MacroAverage& m) {
    return {{"value", rate(m.value)}, {"classes", m.classes}};
}

Result<std::string> writeMulticlassValidationJson(const MulticlassValidationReportInput& input,
                                                  const ReportOptions& options) {
    Status ok = checkMulticlassInput(input, options);
    if (!ok) return ok.error();
    const MulticlassValidation& v = *input.validation;
    const size_t k = size_t(v.confusion.classCount);
    ValidationJson j =
        validationHeader("dxlens.validation.multiclass/1", *input.manifest, input.dataset, options);
    j["classes"] = input.classNames;
    j["cases"] = v.cases;
    j["accuracy"] = rate(v.accuracy);
    j["macro"] = {{"sensitivity", macroJson(v.sensitivity)},
                  {"specificity", macroJson(v.specificity)},
                  {"ppv", macroJson(v.ppv)},
                  {"npv", macroJson(v.npv)},
                  {"f1", macroJson(v.f1)},
                  {"auc", macroJson(v.auc)}};
    ValidationJson rows = ValidationJson::array();
    for (size_t t = 0; t < k; t++) {
        ValidationJson row = ValidationJson::array();
        for (size_t p = 0; p < k; p++)
            row.push_back(v.confusion.at(int(t), int(p)));
        rows.push_back(std::move(row));
    }
    j["confusion"] = std::move(rows);
    ValidationJson perClass = ValidationJson::array();
    for (size_t c = 0; c < k; c++) {
        const ClassMetrics& cm = v.perClass[c];
        ValidationJson one = ValidationJson::object();
        one["class"] = input.classNames[c];
        one["cases"] = cm.matrix.truePositives + cm.matrix.falseNegatives;
        one["counts"] = counts(cm.matrix);
        one["metrics"] = metricsJson(cm.metrics);
        one["auc"] = rate(cm.auc);
        perClass.push_back(std::move(one));
    }
    j["per_class"] = std::move(perClass);
    return j.dump(2) + "\n";
}

Result<std::string> writeMulticlassValidationCsv(const MulticlassValidationReportInput& input,
                                                 const ReportOptions& options) {
    Status ok = checkMulticlassInput(input, options);
    if (!ok) return ok.error();
    const MulticlassValidation& v = *input.validation;
    const size_t k = size_t(v.confusion.classCount);
    std::vector<std::string> header = {"class", "cases"};
    for (const std::string& name : input.classNames)
        header.push_back("predicted_" + name);
    header.insert(header.end(), {"tp", "fp", "tn", "fn", "sensitivity", "specificity", "ppv", "npv", "f1",
                                 "auc_one_vs_rest", "accuracy", "model", "model_sha256", "notice"});
    std::string out;
    appendCsvRecord(out, header);
    const std::string model = modelTitle(*input.manifest);
    for (size_t c = 0; c < k; c++) {
        const ClassMetrics& cm = v.perClass[c];
        const ConfusionMatrix& m = cm.matrix;
        std::vector<std::string> record = {input.classNames[c],
                                           std::to_string(m.truePositives + m.falseNegatives)};
        for (size_t p = 0; p < k; p++)
            record.push_back(std::to_string(v.confusion.at(int(c), int(p))));
        record.insert(record.end(),
                      {std::to_string(m.truePositives), std::to_string(m.falsePositives),
                       std::to_string(m.trueNegatives), std::to_string(m.falseNegatives),
                       csvNumber(cm.metrics.sensitivity), csvNumber(cm.metrics.specificity),
                       csvNumber(cm.metrics.ppv), csvNumber(cm.metrics.npv), csvNumber(cm.metrics.f1),
                       csvNumber(cm.auc), "", model, input.manifest->sha256, kResearchUseNotice});
        appendCsvRecord(out, record);
    }
    std::vector<std::string> macro = {"macro average", std::to_string(v.cases)};
    macro.insert(macro.end(), k + 4, "");
    macro.insert(macro.end(),
                 {csvNumber(v.sensitivity.value), csvNumber(v.specificity.value), csvNumber(v.ppv.value),
                  csvNumber(v.npv.value), csvNumber(v.f1.value), csvNumber(v.auc.value),
                  csvNumber(v.accuracy), model, input.manifest->sha256, kResearchUseNotice});
    appendCsvRecord(out, macro);
    return out;
}

} // namespace dx
