// tabular_form.h — checking what a person typed (or a CSV cell holds) for a tabular model's features, with
// messages that name the feature, its unit and its valid range.
//
// How to use:
//   dx::FieldCheck c = dx::checkFeatureText(manifest.input.features[i], "12,5");
//   if (c.issue != dx::FieldIssue::None) show(dx::describeFieldIssue(feature, c.issue, text));
//   // -> "mean radius: '12,5' is not a number (use '.' for decimals)"
//   dx::Result<dx::FeatureBatch> b = dx::readFeatureBatch(manifest.input, csvText);
//   for (const dx::FeatureBatchRow& row : b->rows) row.problems;   // "Row 3, column 'mean area': ..."
//
// The message templates are printf formats so the UI can pass translated ones (FieldMessages); the defaults
// are the English text, which is also the translation key.
#pragma once

#include "core/base/result.h"
#include "core/inference/model_manifest.h"
#include "core/tabular/feature_table.h"

#include <string>
#include <string_view>
#include <vector>

namespace dx {

enum class FieldIssue { None, Empty, NotANumber, OutOfRange };

struct FieldCheck {
    FieldIssue issue = FieldIssue::None;
    double value = 0.0; // the parsed number (also when out of range)
};

FieldCheck checkFeatureText(const TabularFeature& feature, std::string_view text);

// Templates: Empty and OutOfRange get (name, min, max, unit); NotANumber gets (name, text).
struct FieldMessages {
    const char* empty = "%s is required: enter a value between %g and %g %s";
    const char* notANumber = "%s: '%s' is not a number (use '.' for decimals)";
    const char* outOfRange = "%s must be between %g and %g %s";
    const char* inCell = "Row %d, column '%s': %s"; // (row, column, message)
    const char* wrongFieldCount = "Row %d has %d fields but the header has %d";
    const char* missingColumn = "The CSV has no column '%s' (the model needs every feature)";
};

// The unit as shown after a number: empty for "unitless" (a range "0 to 0.33" needs no word after it).
std::string displayUnit(const TabularFeature& feature);

std::string describeFieldIssue(const TabularFeature& feature, FieldIssue issue, std::string_view text,
                               const FieldMessages& messages = {});

// ------------------------------------------------------------------------------------ CSV batch input

struct FeatureBatchRow {
    int row = 0;      // 1 for the first data line
    std::string name; // the "id"/"name" column, else "row N"
    FeatureValues values;
    std::vector<std::string> problems; // empty when the row can be analyzed
};

struct FeatureBatch {
    std::vector<FeatureBatchRow> rows;
    std::vector<std::string> ignoredColumns; // columns that are not features (kept out of the model)
};

// Reads a CSV whose header names the features (any order, extra columns ignored). A missing feature column is
// an error for the whole file; a bad or empty cell is a problem of that row only, so the other rows still run.
Result<FeatureBatch> readFeatureBatch(const ModelInputSpec& spec, std::string_view csvText,
                                      const FieldMessages& messages = {});

} // namespace dx
