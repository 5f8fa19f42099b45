// report.cpp — the parts every report format shares (see report.h); each format lives in report_<format>.cpp.
#include "core/report/report_internal.h"

#include "core/dicom/dicom_dictionary.h"

#include <cctype>
#include <cmath>

namespace dx {

const char* const kReportSchema = "dxlens.report/1";

std::map<std::string, std::string> reportableMetadata(const std::map<std::string, std::string>& metadata,
                                                      bool includeIdentifiers) {
    std::map<std::string, std::string> kept;
    for (const auto& [key, value] : metadata)
        if (includeIdentifiers || !isIdentifyingAttribute(key)) kept[key] = value;
    return kept;
}

// YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)
static bool isInstant(const std::string& s) {
    auto digits = [&](size_t at, size_t count) {
        if (at + count > s.size()) return false;
        for (size_t i = at; i < at + count; i++)
            if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        return true;
    };
    if (!(digits(0, 4) && s.size() > 19 && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2) &&
          s[10] == 'T' && digits(11, 2) && s[13] == ':' && digits(14, 2) && s[16] == ':' && digits(17, 2)))
        return false;
    size_t at = 19;
    if (s[at] == '.') {
        size_t end = at + 1;
        while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end])))
            end++;
        if (end == at + 1) return false;
        at = end;
    }
    if (at < s.size() && s[at] == 'Z') return at + 1 == s.size();
    return at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && digits(at + 1, 2) && s[at + 3] == ':' &&
           digits(at + 4, 2);
}

Status checkReportInput(std::span<const ReportItem> items, const ReportOptions& options) {
    if (items.empty()) return Error("there is nothing to report: no analyzed images");
    for (size_t i = 0; i < items.size(); i++)
        if (!items[i].result || !items[i].manifest)
            return Error("report item " + std::to_string(i + 1) +
                         " lacks its analysis result or model manifest");
    return checkGeneratedAt(options);
}

Status checkGeneratedAt(const ReportOptions& options) {
    if (!options.generatedAt.empty() && !isInstant(options.generatedAt))
        return Error("the report time '" + options.generatedAt +
                     "' is not an ISO 8601 instant such as 2026-11-22T10:15:00Z");
    return {};
}

std::string floatText(float value) {
    return std::isfinite(value) ? ReportJson(value).dump() : std::string();
}

std::string modelTitle(const ModelManifest& manifest) {
    const std::string& name = manifest.name.empty() ? manifest.id : manifest.name;
    return manifest.version.empty() ? name : name + " " + manifest.version;
}

std::string intendedUseText(const ModelManifest& manifest) {
    return manifest.intendedUse.empty() ? "The model's manifest states no intended use."
                                        : manifest.intendedUse;
}

} // namespace dx
