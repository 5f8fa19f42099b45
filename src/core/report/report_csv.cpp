// report_csv.cpp — one row per image, RFC 4180 (see report.h): fields with a comma, quote or line break are
// quoted, quotes doubled, records end with CRLF.
#include "core/report/report_internal.h"

namespace dx {

const char* const kCsvColumns[] = {"file",         "model",          "model_version", "model_sha256",
                                   "top_finding",  "score",          "threshold",     "decision",
                                   "ood",          "ood_score",      "population",    "population_reason",
                                   "backend",      "self_test",      "decode_ms",     "preprocess_ms",
                                   "inference_ms", "postprocess_ms", "intended_use",  "notice"};
const int kCsvColumnCount = int(sizeof kCsvColumns / sizeof kCsvColumns[0]);

// Shown as their own columns, after the standard ones, only when the user asked for identifiers.
static const char* const kIdentifierColumns[] = {"PatientName", "PatientID", "PatientBirthDate",
                                                 "InstitutionName"};

static std::string oodText(const OodVerdict& ood) {
    if (!ood.present) return "";
    return ood.inDistribution ? "in distribution" : "out of distribution";
}

static std::vector<std::string> csvRow(const ReportItem& item, bool includeIdentifiers) {
    const AnalysisResult& r = *item.result;
    const ModelManifest& m = *item.manifest;
    const Finding* top = topFinding(r.findings);
    std::vector<std::string> row = {
        r.file,
        m.name.empty() ? m.id : m.name,
        m.version,
        m.sha256,
        top ? top->label : "",
        top ? csvNumber(top->score) : "",
        top && top->hasThreshold ? csvNumber(float(top->threshold)) : "",
        top ? findingDecision(*top) : "",
        oodText(r.ood),
        r.ood.present ? csvNumber(r.ood.score) : "",
        populationStatusName(r.population.status),
        r.population.reason,
        r.backend,
        selfTestStatusName(r.selfTest.status),
        csvNumber(float(r.timingsMs.decode)),
        csvNumber(float(r.timingsMs.preprocess)),
        csvNumber(float(r.timingsMs.inference)),
        csvNumber(float(r.timingsMs.postprocess)),
        intendedUseText(m),
        kResearchUseNotice,
    };
    if (includeIdentifiers) {
        for (const char* key : kIdentifierColumns) {
            auto it = item.metadata.find(key);
            row.push_back(it == item.metadata.end() ? "" : it->second);
        }
    }
    return row;
}

Result<std::string> writeCsvReport(std::span<const ReportItem> items, const ReportOptions& options) {
    Status ok = checkReportInput(items, options);
    if (!ok) return ok.error();
    std::vector<std::string> header(kCsvColumns, kCsvColumns + kCsvColumnCount);
    if (options.includeIdentifiers)
        header.insert(header.end(), std::begin(kIdentifierColumns), std::end(kIdentifierColumns));
    std::string out;
    appendCsvRecord(out, header);
    for (const ReportItem& item : items)
        appendCsvRecord(out, csvRow(item, options.includeIdentifiers));
    return out;
}

} // namespace dx
