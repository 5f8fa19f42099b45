// csv.cpp — see csv.h.
#include "core/base/csv.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>

namespace dx {

Result<std::vector<CsvRecord>> parseCsv(std::string_view text, const std::string& fileName) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    int line = 1;
    record.line = 1;
    size_t i = 0;
    auto endRecord = [&]() {
        record.fields.push_back(std::move(field));
        field.clear();
        const bool blank = record.fields.size() == 1 && record.fields[0].empty();
        if (!blank) records.push_back(std::move(record));
        record = CsvRecord{};
        record.line = line;
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"' && field.empty()) {
            const int quoteLine = line;
            i++;
            for (;;) {
                if (i >= text.size())
                    return Error(fileName + " line " + std::to_string(quoteLine) +
                                 ": a quoted field is never closed (missing \")");
                if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    i += 2;
                } else if (text[i] == '"') {
                    i++;
                    break;
                } else {
                    if (text[i] == '\n') line++;
                    field += text[i++];
                }
            }
            if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n')
                return Error(fileName + " line " + std::to_string(line) +
                             ": text after a closing quote; write a quote inside a quoted field as \"\"");
        } else if (c == ',') {
            record.fields.push_back(std::move(field));
            field.clear();
            i++;
        } else if (c == '\r' || c == '\n') {
            i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
            line++;
            endRecord();
        } else {
            field += c;
            i++;
        }
    }
    if (!field.empty() || !record.fields.empty()) endRecord();
    return records;
}

static std::string csvField(const std::string& value) {
    if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
    std::string quoted = "\"";
    for (char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

void appendCsvRecord(std::string& out, const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); i++) {
        if (i) out += ',';
        out += csvField(fields[i]);
    }
    out += "\r\n";
}

// nlohmann::json's number output (Grisu2): the shortest text that reads back to the same value, the same
// digits natively and in WASM, and the digits the JSON reports print for the same value.
template <typename T> static std::string shortestNumber(T value) {
    if (std::isnan(value)) return "";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    std::string text =
        nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, T>(value)
            .dump();
    // JSON marks a whole number as floating point ("1.0"); a table cell needs no such mark: "1".
    if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
    return text;
}

std::string csvNumber(float value) {
    return shortestNumber(value);
}

std::string csvNumber(double value) {
    return shortestNumber(value);
}

bool parseDecimal(std::string_view text, double* value) {
    // std::from_chars for floating point is missing in Emscripten 3.1.6's libc++, and strtod follows the
    // locale, so the digits are checked here and only then converted (the C locale is the default in both
    // builds).
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

} // namespace dx
