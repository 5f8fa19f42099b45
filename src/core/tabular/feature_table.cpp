// feature_table.cpp — see feature_table.h; the CSV itself is read by core/base/csv.h.
#include "core/tabular/feature_table.h"

namespace dx {

Result<std::vector<CsvRecord>> readFeatureTable(std::string_view text) {
    Result<std::vector<CsvRecord>> records = parseCsv(text, "The table");
    if (!records) return records.error();
    if (records->empty()) return Error("The table is empty: it needs a header line of feature names.");
    return records;
}

Result<std::vector<FeatureRow>> parseFeatureCsv(std::string_view text) {
    Result<std::vector<CsvRecord>> read = readFeatureTable(text);
    if (!read) return read.error();
    const std::vector<CsvRecord>& records = *read;
    const std::vector<std::string>& header = records[0].fields;
    std::vector<FeatureRow> rows;
    for (size_t r = 1; r < records.size(); r++) {
        const std::vector<std::string>& rec = records[r].fields;
        const int line = records[r].line;
        if (rec.size() != header.size())
            return Error("Table line " + std::to_string(line) + " has " + std::to_string(rec.size()) +
                         " fields but the header has " + std::to_string(header.size()) + ".");
        FeatureRow row;
        row.name = "row " + std::to_string(r);
        for (size_t c = 0; c < rec.size(); c++) {
            if (header[c] == "id" || header[c] == "name") {
                if (!rec[c].empty()) row.name = rec[c];
                continue;
            }
            if (rec[c].empty()) continue;
            double v = 0.0;
            if (!parseDecimal(rec[c], &v))
                return Error("Table line " + std::to_string(line) + ", column '" + header[c] + "': '" +
                             rec[c] + "' is not a number.");
            row.values.emplace_back(header[c], v);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace dx
