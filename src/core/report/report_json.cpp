// report_json.cpp — the complete machine-readable report (see report.h). The analysis part is
// analysisResultJson's object as it is, so the CLI's result lines and the report never disagree.
#include "core/inference/analysis_json.h"
#include "core/report/report_internal.h"

#include <cmath>

namespace dx {

static ReportJson summaryJson(const AnalysisResult& result) {
    ReportJson j = ReportJson::object();
    const Finding* top = topFinding(result.findings);
    j["top_finding"] = top ? ReportJson(top->label) : ReportJson(nullptr);
    j["score"] = top && std::isfinite(top->score) ? ReportJson(top->score) : ReportJson(nullptr);
    j["threshold"] = top && top->hasThreshold ? ReportJson(float(top->threshold)) : ReportJson(nullptr);
    j["decision"] = top ? ReportJson(findingDecision(*top)) : ReportJson(nullptr);
    j["out_of_distribution"] =
        result.ood.present ? ReportJson(!result.ood.inDistribution) : ReportJson(nullptr);
    j["population"] = populationStatusName(result.population.status);
    return j;
}

static ReportJson modelJson(const ModelManifest& m) {
    ReportJson j = ReportJson::object();
    j["id"] = m.id;
    j["name"] = m.name;
    j["version"] = m.version;
    j["sha256"] = m.sha256;
    j["task"] = modelTaskName(m.task);
    j["intended_use"] = intendedUseText(m);
    j["license"] = m.license;
    return j;
}

Result<std::string> writeJsonReport(std::span<const ReportItem> items, const ReportOptions& options) {
    Status ok = checkReportInput(items, options);
    if (!ok) return ok.error();
    AnalysisJsonOptions analysisOptions;
    analysisOptions.includeOutputs = options.includeRawOutputs;

    ReportJson doc = ReportJson::object();
    doc["schema"] = kReportSchema;
    doc["notice"] = kResearchUseNotice;
    if (!options.generatedAt.empty()) doc["generated_at"] = options.generatedAt;
    doc["identifiers_included"] = options.includeIdentifiers;
    ReportJson images = ReportJson::array();
    for (const ReportItem& item : items) {
        ReportJson image = ReportJson::object();
        image["summary"] = summaryJson(*item.result);
        image["model"] = modelJson(*item.manifest);
        ReportJson metadata = ReportJson::object();
        for (const auto& [key, value] : reportableMetadata(item.metadata, options.includeIdentifiers))
            metadata[key] = value;
        image["metadata"] = std::move(metadata);
        image["analysis"] = ReportJson::parse(analysisResultJson(*item.result, analysisOptions));
        images.push_back(std::move(image));
    }
    doc["images"] = std::move(images);
    return doc.dump(2) + "\n";
}

} // namespace dx
