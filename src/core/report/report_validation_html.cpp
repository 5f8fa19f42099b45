// report_validation_html.cpp — the validation report as a printable page (report.h: writeValidationHtml).
// Same rules as the analysis report's page: everything inline, no scripts, nothing fetched.
#include "core/report/report_internal.h"

#include <cmath>
#include <cstdio>

namespace dx {

static std::string fixed(double value, int decimals) {
    return escapeHtml(formatMetric(value, decimals));
}

static std::string withInterval(const ConfidenceInterval& ci) {
    return fixed(ci.estimate, 3) + " <span class=\"unreliable\">(95% CI " + fixed(ci.lower, 3) + "–" +
           fixed(ci.upper, 3) + ")</span>";
}

static void metricRow(std::string& out, const char* name, const std::string& valueHtml) {
    out +=
        std::string("<tr><th scope=\"row\">") + name + "</th><td class=\"num\">" + valueHtml + "</td></tr>\n";
}

// The ROC curve as an SVG polyline in a 240 x 240 box (1 - specificity across, sensitivity up), with the
// operating point marked.
static std::string rocSvg(const BinaryValidation& v) {
    const double size = 240.0;
    std::string points;
    char xy[48];
    for (const RocPoint& p : v.roc.points) {
        std::snprintf(xy, sizeof xy, "%.1f,%.1f ", p.falsePositiveRate * size,
                      (1.0 - p.truePositiveRate) * size);
        points += xy;
    }
    char op[160];
    std::snprintf(op, sizeof op, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#b00020\"/>",
                  v.operating.falsePositiveRate * size, (1.0 - v.operating.truePositiveRate) * size);
    return "<svg role=\"img\" aria-label=\"ROC curve, AUC " + fixed(v.auc, 3) +
           "\" viewBox=\"-30 -10 290 290\" width=\"290\" height=\"290\">"
           "<rect x=\"0\" y=\"0\" width=\"240\" height=\"240\" fill=\"none\" stroke=\"#999\"/>"
           "<line x1=\"0\" y1=\"240\" x2=\"240\" y2=\"0\" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>"
           "<polyline fill=\"none\" stroke=\"#1a5fb4\" stroke-width=\"2\" points=\"" +
           points + "\"/>" + op +
           "<text x=\"120\" y=\"262\" text-anchor=\"middle\" font-size=\"11\">1 − specificity</text>"
           "<text x=\"-16\" y=\"120\" text-anchor=\"middle\" font-size=\"11\" transform=\"rotate(-90 -16 "
           "120)\">"
           "sensitivity</text></svg>";
}

Result<std::string> writeValidationHtml(const ValidationReportInput& input, const ReportOptions& options) {
    if (!input.validation || !input.manifest)
        return Error("the validation report lacks its results or model");
    Status time = checkGeneratedAt(options);
    if (!time) return time.error();
    const BinaryValidation& v = *input.validation;
    const ModelManifest& m = *input.manifest;
    const std::string notice = escapeHtml(kResearchUseNotice);
    const std::string title = "DxLens validation report: " + modelTitle(m);
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                      escapeHtml(title) + "</title>\n<style>" + kHtmlReportStyle +
                      "</style>\n</head>\n<body>\n";
    out += "<header>\n<h1>" + escapeHtml(title) + "</h1>\n<p class=\"notice\" role=\"note\">" + notice +
           " These figures describe one data set; they do not show that the model is safe or effective for "
           "clinical use.</p>\n";
    if (!options.generatedAt.empty()) out += "<p>Generated " + escapeHtml(options.generatedAt) + "</p>\n";
    out += "</header>\n<main>\n<h2>Model and data</h2>\n<table><tbody>\n";
    metricRow(out, "Model", escapeHtml(modelTitle(m)) + "<br><code>" + escapeHtml(m.sha256) + "</code>");
    metricRow(out, "Intended use", escapeHtml(intendedUseText(m)));
    metricRow(out, "Data set", escapeHtml(input.dataset));
    metricRow(out, "Positive class", escapeHtml(input.positiveLabel) + " (every other class is negative)");
    metricRow(out, "Cases",
              std::to_string(v.roc.positives) + " positive, " + std::to_string(v.roc.negatives) +
                  " negative");
    metricRow(out, "Threshold",
              fixed(v.options.threshold, 4) + " (a case is called positive at or above it)");
    out += "</tbody></table>\n<h2>Metrics</h2>\n<table><tbody>\n";
    metricRow(out, "ROC AUC", withInterval(v.aucInterval));
    metricRow(out, "Sensitivity", withInterval(v.rateIntervals.sensitivity));
    metricRow(out, "Specificity", withInterval(v.rateIntervals.specificity));
    metricRow(out, "Accuracy", fixed(v.metrics.accuracy, 3));
    metricRow(out, "PPV", fixed(v.metrics.ppv, 3));
    metricRow(out, "NPV", fixed(v.metrics.npv, 3));
    metricRow(out, "F1", fixed(v.metrics.f1, 3));
    out += "</tbody></table>\n<p class=\"unreliable\">Intervals: stratified percentile bootstrap, " +
           std::to_string(v.options.bootstrap.replicates) + " replicates, seed " +
           std::to_string(v.options.bootstrap.seed) +
           ". PPV and NPV depend on how common the positive class is " + "in this data set.</p>\n";
    const ConfusionMatrix& c = v.operating.matrix;
    out += "<h2>Confusion matrix at the threshold</h2>\n<table><thead><tr><th></th><th>called positive</th>"
           "<th>called negative</th></tr></thead><tbody>\n<tr><th scope=\"row\">truly positive</th><td "
           "class=\"num\">" +
           std::to_string(c.truePositives) + "</td><td class=\"num\">" + std::to_string(c.falseNegatives) +
           "</td></tr>\n<tr><th scope=\"row\">truly negative</th><td class=\"num\">" +
           std::to_string(c.falsePositives) + "</td><td class=\"num\">" + std::to_string(c.trueNegatives) +
           "</td></tr>\n</tbody></table>\n";
    out +=
        "<h2>ROC curve</h2>\n<figure>" + rocSvg(v) + "<figcaption>AUC " + fixed(v.auc, 3) +
        "; the red point is the threshold's operating point.</figcaption></figure>\n<h2>Calibration</h2>\n";
    if (!v.hasReliability) {
        out += "<p>" + escapeHtml(v.reliabilityNote) + "</p>\n";
    } else {
        const ReliabilityDiagram& r = v.reliability;
        out += "<p>Expected calibration error " + fixed(r.expectedCalibrationError, 3) + ", maximum " +
               fixed(r.maximumCalibrationError, 3) + ", Brier score " + fixed(r.brierScore, 3) +
               ".</p>\n"
               "<table><thead><tr><th>predicted probability</th><th>cases</th><th>mean predicted</th>"
               "<th>observed frequency</th></tr></thead><tbody>\n";
        for (const ReliabilityBin& b : r.bins)
            out += "<tr><td>" + fixed(b.lower, 1) + "–" + fixed(b.upper, 1) + "</td><td class=\"num\">" +
                   std::to_string(b.count) + "</td><td class=\"num\">" +
                   (b.count ? fixed(b.meanPredicted, 3) : "") + "</td><td class=\"num\">" +
                   (b.count ? fixed(b.observedFrequency, 3) : "") + "</td></tr>\n";
        out += "</tbody></table>\n";
    }
    out += "</main>\n<footer><p><strong>" + notice +
           "</strong> Computed by DxLens from the model's scores.</p>"
           "</footer>\n</body>\n</html>\n";
    return out;
}

} // namespace dx
