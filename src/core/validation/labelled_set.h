// labelled_set.h — the ground truth for on-device validation: which file is which class.
//
// How to use:
//   dx::Result<dx::LabelledSet> set = dx::parseLabelledCsv(text, "labels.csv");   // file,label rows
//   dx::Result<dx::LabelledSet> set = dx::labelledSetFromPaths(paths);            // "pneumonia/img1.png"
//   if (!set) show(set.error().message);     // e.g. "labels.csv line 7: 3 fields; expected 2 (file,label)"
//   dx::Result<std::vector<int>> y = dx::classIndicesForModel(*set, {"normal", "pneumonia"});
//
// CSV: RFC 4180 (fields may be quoted, "" is a quote inside quotes, quoted fields may hold commas and line
// breaks), LF or CRLF line ends, an optional UTF-8 byte order mark, blank lines ignored. The first row is a
// header when its first field is a usual file column name (file, filename, path, image, image_id, image_path,
// ...) or its second a usual label column name (label, class, diagnosis, target, category), in any case;
// otherwise it is data. Classes are listed in sorted order (as torchvision's ImageFolder does), so the same
// set gives the same class indices wherever it is loaded.
#pragma once

#include "core/base/csv.h"
#include "core/base/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace dx {

struct LabelledItem {
    std::string file;   // as written in the CSV, or the path below the class folder's parent
    std::string label;  // class name
    int classIndex = 0; // into LabelledSet::classes
};

struct LabelledSet {
    std::vector<std::string> classes; // sorted, unique
    std::vector<LabelledItem> items;  // in input order
};

Result<LabelledSet> parseLabelledCsv(std::string_view text, const std::string& fileName);

// Folder-per-class layout: each path's last folder is its class ("set/normal/a.png" -> "normal"). Paths use
// '/' (browsers report webkitRelativePath that way); '\' is accepted too. Files at the top level are an error.
Result<LabelledSet> labelledSetFromPaths(const std::vector<std::string>& relativePaths);

// The set's labels as indices into a model's labels (exact names, then case-insensitive); an error lists the
// set's classes the model does not know.
Result<std::vector<int>> classIndicesForModel(const LabelledSet& set,
                                              const std::vector<std::string>& modelLabels);

} // namespace dx
