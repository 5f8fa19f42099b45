// feature_table.cpp — a small RFC 4180-style CSV reader (quotes, CRLF) and a locale-independent number
// parser.
#include "feature_table.h"

#include <cmath>
#include <cstdlib>

namespace dx {

bool parseDecimal(std::string_view text, double* value) {
    // std::from_chars for floating point is missing in Emscripten 3.1.6's libc++, and strtod follows the
    // locale, so the digits are checked here and only then converted (the C locale is the default in both builds).
    size_t i = 0, n = text.size();
    while (i < n && (text[i] == ' ' || text[i] == '\t'))
        i++;
    while (n > i && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    std::string s(text.substr(i, n - i));
    size_t p = 0, digits = 0;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) p++;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9')
        p++, digits++;
    if (p < s.size() && s[p] == '.') {
        p++;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9')
            p++, digits++;
    }
    if (digits == 0) return false;
    if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
        size_t q = p + 1, expDigits = 0;
        if (q < s.size() && (s[q] == '+' || s[q] == '-')) q++;
        while (q < s.size() && s[q] >= '0' && s[q] <= '9')
            q++, expDigits++;
        if (expDigits == 0) return false;
        p = q;
    }
    if (p != s.size()) return false;
    *value = std::strtod(s.c_str(), nullptr);
    return std::isfinite(*value);
}

// Splits CSV text into records of fields; false on an unterminated quote.
static bool splitCsv(std::string_view text, std::vector<std::vector<std::string>>& records, size_t* badLine) {
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, any = false;
    size_t line = 1;
    for (size_t i = 0; i < text.size(); i++) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += '"', i++;
            else if (c == '"')
                quoted = false;
            else
                field += c, line += (c == '\n');
            continue;
        }
        if (c == '"')
            quoted = true, any = true;
        else if (c == ',')
            record.push_back(field), field.clear(), any = true;
        else if (c == '\r')
            continue;
        else if (c == '\n') {
            if (any || !field.empty()) record.push_back(field), records.push_back(record);
            record.clear(), field.clear(), any = false, line++;
        } else
            field += c, any = true;
    }
    if (quoted) {
        *badLine = line;
        return false;
    }
    if (any || !field.empty()) record.push_back(field), records.push_back(record);
    return true;
}

Result<std::vector<std::vector<std::string>>> readCsvRecords(std::string_view text) {
    std::vector<std::vector<std::string>> records;
    size_t badLine = 0;
    if (!splitCsv(text, records, &badLine))
        return Error("The table has a quote that is never closed (line " + std::to_string(badLine) + ").");
    if (records.empty()) return Error("The table is empty: it needs a header line of feature names.");
    return records;
}

Result<std::vector<FeatureRow>> parseFeatureCsv(std::string_view text) {
    Result<std::vector<std::vector<std::string>>> read = readCsvRecords(text);
    if (!read) return read.error();
    const std::vector<std::vector<std::string>>& records = *read;
    const std::vector<std::string>& header = records[0];
    std::vector<FeatureRow> rows;
    for (size_t r = 1; r < records.size(); r++) {
        const std::vector<std::string>& rec = records[r];
        if (rec.size() != header.size())
            return Error("Table line " + std::to_string(r + 1) + " has " + std::to_string(rec.size()) +
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
                return Error("Table line " + std::to_string(r + 1) + ", column '" + header[c] + "': '" +
                             rec[c] + "' is not a number.");
            row.values.emplace_back(header[c], v);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace dx
