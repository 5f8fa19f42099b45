// report_html.cpp — a printable page that needs nothing but itself (see report.h): inline CSS, pictures as
// PNG data URIs, no scripts, no links out. "Print -> Save as PDF" gives the PDF; @media print keeps each
// image's section on its own page where it fits and drops the screen-only colours.
#include "core/codecs/raster_encoder.h"
#include "core/report/report_internal.h"

#include <cmath>

namespace dx {

const char* const kHtmlReportStyle = R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 24px auto; max-width: 960px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 24px 0 8px; border-bottom: 1px solid #999; padding-bottom: 4px; overflow-wrap: anywhere; }
.notice { border: 3px solid #b00020; background: #fff0f0; color: #7a0016; padding: 10px 14px; font-weight: 700; font-size: 16px; }
.warning { border-left: 6px solid #c77700; background: #fff7e6; padding: 8px 12px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.positive { font-weight: 700; color: #b00020; }
.unreliable { color: #777; }
figure { display: inline-block; margin: 8px 12px 8px 0; }
figure img { max-width: 440px; max-height: 440px; border: 1px solid #999; image-rendering: auto; }
code { font-size: 12px; overflow-wrap: anywhere; }
footer { margin-top: 32px; font-size: 12px; color: #444; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  .notice { background: none; color: #000; border-color: #000; }
  section.image { break-inside: avoid-page; page-break-inside: avoid; }
  section.image + section.image { break-before: page; page-break-before: always; }
  figure img { max-width: 80mm; max-height: 80mm; }
  th { background: none; }
}
)css";

std::string escapeHtml(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

static std::string base64(const std::vector<uint8_t>& bytes) {
    static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const uint32_t n = uint32_t(bytes[i]) << 16 |
                           (i + 1 < bytes.size() ? uint32_t(bytes[i + 1]) << 8 : 0) |
                           (i + 2 < bytes.size() ? uint32_t(bytes[i + 2]) : 0);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
    }
    return out;
}

static void row(std::string& out, const std::string& name, const std::string& valueHtml) {
    out += "<tr><th scope=\"row\">" + escapeHtml(name) + "</th><td>" + valueHtml + "</td></tr>\n";
}

static std::string milliseconds(double ms) {
    return escapeHtml(floatText(float(ms))) + " ms";
}

static Status appendPictures(std::string& out, const ReportItem& item) {
    for (const ReportPicture& p : item.pictures) {
        if (p.width <= 0 || p.height <= 0 || p.channels < 1 || p.channels > 4 ||
            p.pixels.size() != size_t(p.width) * size_t(p.height) * size_t(p.channels))
            return Error("the picture '" + p.caption + "' of " + item.result->file + " is not " +
                         std::to_string(p.width) + " x " + std::to_string(p.height) + " x " +
                         std::to_string(p.channels) + " bytes");
        Result<std::vector<uint8_t>> png = encodePng(p.width, p.height, p.channels, p.pixels.data());
        if (!png) return png.error();
        out += "<figure><img alt=\"" + escapeHtml(p.caption) + "\" width=\"" + std::to_string(p.width) +
               "\" height=\"" + std::to_string(p.height) + "\" src=\"data:image/png;base64," + base64(*png) +
               "\"><figcaption>" + escapeHtml(p.caption) + "</figcaption></figure>\n";
    }
    return {};
}

static void appendFindings(std::string& out, const AnalysisResult& r) {
    const bool outside = r.population.status == PopulationStatus::Out;
    // Outside the intended population: said first, as an alert; otherwise one line with the verdict.
    out += std::string("<p class=\"") + (outside ? "warning\" role=\"alert" : "population") +
           "\">Intended population: <strong>" + populationStatusName(r.population.status) +
           "</strong> &mdash; " + escapeHtml(r.population.reason) +
           (outside ? ". The findings below do not apply." : ".") + "</p>\n";
    const bool unreliable = (r.ood.present && !r.ood.inDistribution) || outside;
    if (r.ood.present && !r.ood.inDistribution)
        out += "<p class=\"warning\" role=\"alert\">This image is outside the model's training distribution "
               "(score " +
               escapeHtml(floatText(r.ood.score)) + ", threshold " +
               escapeHtml(floatText(float(r.ood.threshold))) + "): the findings below are unreliable.</p>\n";
    if (r.findings.empty()) return;
    out += std::string("<table class=\"findings") + (unreliable ? " unreliable" : "") +
           "\"><caption>Findings</caption>\n<thead><tr><th scope=\"col\">Finding</th><th scope=\"col\">"
           "Probability</th><th scope=\"col\">Threshold</th><th "
           "scope=\"col\">Decision</th></tr></thead>\n<tbody>\n";
    for (const Finding& f : r.findings) {
        const bool positive = f.hasThreshold && f.positive;
        out += "<tr><td>" + escapeHtml(f.label) + "</td><td class=\"num\">" + escapeHtml(floatText(f.score)) +
               "</td><td class=\"num\">" + (f.hasThreshold ? escapeHtml(floatText(float(f.threshold))) : "") +
               "</td><td" + (positive ? " class=\"positive\"" : "") + ">" + findingDecision(f) +
               "</td></tr>\n";
    }
    out += "</tbody></table>\n";
}

static void appendSegmentation(std::string& out, const AnalysisResult& r) {
    if (!r.hasMask) return;
    out += "<table class=\"segmentation\"><caption>Segmentation</caption>\n<thead><tr><th scope=\"col\">Class"
           "</th><th scope=\"col\">Pixels</th><th scope=\"col\">Fraction of image</th><th scope=\"col\">Area"
           "</th></tr></thead>\n<tbody>\n";
    for (const ClassArea& a : r.mask.areas)
        out +=
            "<tr><td>" + escapeHtml(a.name) + "</td><td class=\"num\">" + std::to_string(a.pixels) +
            "</td><td class=\"num\">" + escapeHtml(floatText(float(a.fraction))) + "</td><td class=\"num\">" +
            (a.areaMm2 >= 0.0 ? escapeHtml(floatText(float(a.areaMm2))) + " mm&sup2;" : "unknown spacing") +
            "</td></tr>\n";
    out += "</tbody></table>\n";
}

static void appendModelAndRun(std::string& out, const ReportItem& item) {
    const AnalysisResult& r = *item.result;
    const ModelManifest& m = *item.manifest;
    out += "<table class=\"model\"><caption>Model and run</caption>\n<tbody>\n";
    row(out, "Model", escapeHtml(modelTitle(m)) + " (<code>" + escapeHtml(m.id) + "</code>)");
    row(out, "Model file SHA-256", "<code>" + escapeHtml(m.sha256) + "</code>");
    row(out, "Intended use", escapeHtml(intendedUseText(m)));
    row(out, "Backend", escapeHtml(r.backend));
    row(out, "Self-test",
        escapeHtml(std::string(selfTestStatusName(r.selfTest.status)) +
                   (r.selfTest.message.empty() ? "" : ": " + r.selfTest.message)));
    row(out, "Timings",
        "decode " + milliseconds(r.timingsMs.decode) + ", preprocess " +
            milliseconds(r.timingsMs.preprocess) + ", inference " + milliseconds(r.timingsMs.inference) +
            ", postprocess " + milliseconds(r.timingsMs.postprocess));
    out += "</tbody></table>\n";
}

static void appendMetadata(std::string& out, const ReportItem& item, bool includeIdentifiers) {
    const std::map<std::string, std::string> shown = reportableMetadata(item.metadata, includeIdentifiers);
    if (shown.empty()) return;
    out += "<table class=\"metadata\"><caption>Image attributes";
    out += includeIdentifiers ? " (identifiers included)" : " (identifying attributes left out)";
    out += "</caption>\n<tbody>\n";
    for (const auto& [key, value] : shown)
        row(out, key, escapeHtml(value));
    out += "</tbody></table>\n";
}

Result<std::string> writeHtmlReport(std::span<const ReportItem> items, const ReportOptions& options) {
    Status ok = checkReportInput(items, options);
    if (!ok) return ok.error();
    const std::string notice = escapeHtml(kResearchUseNotice);
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                      escapeHtml(options.title) + "</title>\n<style>" + kHtmlReportStyle +
                      "</style>\n</head>\n<body>\n";
    out += "<header>\n<h1>" + escapeHtml(options.title) + "</h1>\n";
    out +=
        "<p class=\"notice\" role=\"note\">" + notice +
        " These results come from a machine-learning model and must not be used for diagnosis or treatment."
        "</p>\n";
    if (!options.generatedAt.empty()) out += "<p>Generated " + escapeHtml(options.generatedAt) + "</p>\n";
    out += "</header>\n<main>\n";
    for (const ReportItem& item : items) {
        out += "<section class=\"image\">\n<h2>" + escapeHtml(item.result->file) + "</h2>\n";
        Status pictures = appendPictures(out, item);
        if (!pictures) return pictures.error();
        appendFindings(out, *item.result);
        appendSegmentation(out, *item.result);
        appendModelAndRun(out, item);
        appendMetadata(out, item, options.includeIdentifiers);
        out += "</section>\n";
    }
    out += "</main>\n<footer><p><strong>" + notice +
           "</strong> Generated on the device by DxLens."
           "</p></footer>\n</body>\n</html>\n";
    return out;
}

} // namespace dx
