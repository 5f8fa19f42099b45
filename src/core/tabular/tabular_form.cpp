// tabular_form.cpp — field checks and CSV batch reading for tabular models (see tabular_form.h).
#include "core/tabular/tabular_form.h"

#include <cstdio>

namespace dx {

FieldCheck checkFeatureText(const TabularFeature& feature, std::string_view text) {
    FieldCheck check;
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        check.issue = FieldIssue::Empty;
        return check;
    }
    if (!parseDecimal(text, &check.value)) {
        check.issue = FieldIssue::NotANumber;
        return check;
    }
    if (check.value < feature.min || check.value > feature.max) check.issue = FieldIssue::OutOfRange;
    return check;
}

std::string displayUnit(const TabularFeature& feature) {
    return feature.unit == "unitless" ? std::string() : feature.unit;
}

// printf into a std::string; the templates come from FieldMessages (ours or their translations).
template <class... Args> static std::string format(const char* pattern, Args... args) {
    const int n = std::snprintf(nullptr, 0, pattern, args...);
    std::string out(n > 0 ? size_t(n) : 0, '\0');
    std::snprintf(out.data(), out.size() + 1, pattern, args...);
    // A template ending in "%s" with an empty unit leaves a trailing space.
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    return out;
}

std::string describeFieldIssue(const TabularFeature& feature, FieldIssue issue, std::string_view text,
                               const FieldMessages& messages) {
    const std::string unit = displayUnit(feature);
    switch (issue) {
    case FieldIssue::None:
        return {};
    case FieldIssue::Empty:
        return format(messages.empty, feature.name.c_str(), feature.min, feature.max, unit.c_str());
    case FieldIssue::NotANumber:
        return format(messages.notANumber, feature.name.c_str(), std::string(text).c_str());
    case FieldIssue::OutOfRange:
        return format(messages.outOfRange, feature.name.c_str(), feature.min, feature.max, unit.c_str());
    }
    return {};
}

// Column of each feature in the header, or an error naming the first missing one.
static Result<std::vector<size_t>> featureColumns(const ModelInputSpec& spec,
                                                  const std::vector<std::string>& header,
                                                  const FieldMessages& messages) {
    std::vector<size_t> columns;
    for (const TabularFeature& f : spec.features) {
        size_t found = header.size();
        for (size_t c = 0; c < header.size() && found == header.size(); c++)
            if (header[c] == f.name) found = c;
        if (found == header.size()) return Error(format(messages.missingColumn, f.name.c_str()));
        columns.push_back(found);
    }
    return columns;
}

static FeatureBatchRow readBatchRow(const ModelInputSpec& spec, const std::vector<std::string>& header,
                                    const std::vector<size_t>& columns,
                                    const std::vector<std::string>& record, int row,
                                    const FieldMessages& messages) {
    FeatureBatchRow out;
    out.row = row;
    out.name = "row " + std::to_string(row);
    for (size_t c = 0; c < header.size() && c < record.size(); c++)
        if ((header[c] == "id" || header[c] == "name") && !record[c].empty()) out.name = record[c];
    if (record.size() != header.size()) {
        out.problems.push_back(format(messages.wrongFieldCount, row, int(record.size()), int(header.size())));
        return out;
    }
    for (size_t i = 0; i < spec.features.size(); i++) {
        const TabularFeature& f = spec.features[i];
        const std::string& cell = record[columns[i]];
        const FieldCheck check = checkFeatureText(f, cell);
        if (check.issue == FieldIssue::None)
            out.values.emplace_back(f.name, check.value);
        else
            out.problems.push_back(format(messages.inCell, row, f.name.c_str(),
                                          describeFieldIssue(f, check.issue, cell, messages).c_str()));
    }
    return out;
}

Result<FeatureBatch> readFeatureBatch(const ModelInputSpec& spec, std::string_view csvText,
                                      const FieldMessages& messages) {
    Result<std::vector<CsvRecord>> records = readFeatureTable(csvText);
    if (!records) return records.error();
    const std::vector<std::string>& header = (*records)[0].fields;
    Result<std::vector<size_t>> columns = featureColumns(spec, header, messages);
    if (!columns) return columns.error();
    FeatureBatch batch;
    for (size_t c = 0; c < header.size(); c++) {
        bool used = header[c] == "id" || header[c] == "name";
        for (size_t col : *columns)
            used = used || col == c;
        if (!used) batch.ignoredColumns.push_back(header[c]);
    }
    for (size_t r = 1; r < records->size(); r++)
        batch.rows.push_back(readBatchRow(spec, header, *columns, (*records)[r].fields, int(r), messages));
    return batch;
}

} // namespace dx
