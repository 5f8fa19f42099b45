// csv.h — the one CSV reader and writer of DxLens (labelled sets, feature tables, every exported table).
//
// How to use:
//   dx::Result<std::vector<dx::CsvRecord>> rows = dx::parseCsv(text, "labels.csv");
//   if (!rows) show(rows.error().message);   // "labels.csv line 7: a quoted field is never closed (missing ")"
//   for (const dx::CsvRecord& r : *rows) use(r.fields, r.line);
//
//   std::string out;
//   dx::appendCsvRecord(out, {"file", "score"});                    // "file,score\r\n"
//   dx::appendCsvRecord(out, {"a, b.png", dx::csvNumber(0.7f)});    // "\"a, b.png\",0.7\r\n"
//
//   double v;  if (dx::parseDecimal(" -1.5e3 ", &v)) ...             // locale-independent number
//
// Reading: RFC 4180 (fields may be quoted, "" is a quote inside quotes, quoted fields may hold commas and line
// breaks), LF or CRLF line ends, an optional UTF-8 byte order mark, blank lines skipped. A record's `line` is
// the line it starts on, which is what messages name.
// Writing: RFC 4180, fields with a comma, quote or line break quoted and their quotes doubled, every record
// ending in CRLF. Numbers: csvNumber writes the shortest text that reads back to the same value of the type it
// is given (a float32 score 0.7 is "0.7", not "0.699999988"), with the digits the JSON reports write (a whole number
// without JSON's ".0"); NaN is an empty cell, infinities are inf/-inf.
#pragma once

#include "core/base/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace dx {

struct CsvRecord {
    std::vector<std::string> fields;
    int line = 1; // the line the record starts on (a quoted field may span lines)
};

Result<std::vector<CsvRecord>> parseCsv(std::string_view text, const std::string& fileName);

void appendCsvRecord(std::string& out, const std::vector<std::string>& fields);
std::string csvNumber(float value);
std::string csvNumber(double value);

// Locale-independent decimal number ("-1.5e3"); false when `text` is not exactly one finite number (spaces
// and tabs around it are allowed).
bool parseDecimal(std::string_view text, double* value);

} // namespace dx
