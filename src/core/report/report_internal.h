// report_internal.h — what the report writers (report_*.cpp) share; not part of the public API.
#pragma once

#include "core/base/csv.h"
#include "core/report/report.h"

#include <nlohmann/json.hpp>

#include <string>

namespace dx {

// float as the number type, as in analysis_json.cpp: scores print as the shortest text that reads back to the
// same float32 (0.7, not 0.699999988079071), and keys keep their insertion order.
using ReportJson = nlohmann::basic_json<nlohmann::ordered_map, std::vector, std::string, bool, std::int64_t,
                                        std::uint64_t, float>;

// Every item has a result and a manifest, there is at least one, and generatedAt (when given) is an ISO 8601
// instant with seconds and a time zone, which FHIR's `instant` requires.
Status checkReportInput(std::span<const ReportItem> items, const ReportOptions& options);
Status checkGeneratedAt(const ReportOptions& options); // the time check alone

// Shortest text that reads back to the same float32; empty for NaN and infinities.
std::string floatText(float value);

// "Pneumonia detector 1.2.0"
std::string modelTitle(const ModelManifest& manifest);

// The model's intended use, or a sentence saying the manifest gives none (a report always states it).
std::string intendedUseText(const ModelManifest& manifest);

// HTML reports (report_html.cpp, report_validation_html.cpp): one style sheet, inline, and text escaped for
// element content and attribute values.
extern const char* const kHtmlReportStyle;
std::string escapeHtml(const std::string& s);

} // namespace dx
