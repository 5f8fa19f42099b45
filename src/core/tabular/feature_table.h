// feature_table.h — rows of named numeric features from CSV, for tabular models (`dxlens analyze --table`).
//
// How to use:
//   dx::Result<std::vector<dx::FeatureRow>> rows = dx::parseFeatureCsv(text);
//   for (const dx::FeatureRow& row : *rows) analyzeFeatures(session, row.name, row.values, ...);
//
// Format: a header line of column names, then one line per case. Fields may be quoted ("a, b"; "" is a
// quote). Columns named "id" or "name" give the row its name (else "row N", N counting data lines from 1);
// other columns are features matched to the manifest by name, extra columns are ignored by the model. Empty
// cells are left out (the model then reports the feature as missing). Numbers use '.' as the decimal point in
// any locale.
#pragma once

#include "core/base/csv.h"
#include "core/base/result.h"
#include "core/inference/preprocess.h"

#include <string>
#include <string_view>
#include <vector>

namespace dx {

struct FeatureRow {
    std::string name;
    FeatureValues values;
};

Result<std::vector<FeatureRow>> parseFeatureCsv(std::string_view text);

// The same CSV as text cells, for callers that judge each cell themselves (the risk form's batch input
// reports every bad cell by row and column instead of stopping at the first). records[0] is the header; an
// empty table is an error.
Result<std::vector<CsvRecord>> readFeatureTable(std::string_view text);

} // namespace dx
