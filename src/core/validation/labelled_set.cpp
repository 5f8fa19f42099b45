// labelled_set.cpp — see labelled_set.h.
#include "core/validation/labelled_set.h"

#include <algorithm>
#include <cctype>

namespace dx {

static std::string lowercase(std::string s) {
    for (char& c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

static std::string trimmed(const std::string& s) {
    size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

static bool isOneOf(const std::string& field, std::initializer_list<const char*> names) {
    const std::string f = lowercase(trimmed(field));
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return f == n; });
}

// A header names its columns; a data row names a file. Either column's usual name is enough.
static bool isHeaderRow(const CsvRecord& record) {
    return isOneOf(record.fields[0], {"file", "filename", "file_name", "filepath", "file_path", "path",
                                      "image", "image_id", "image_path", "name"}) ||
           isOneOf(record.fields[1],
                   {"label", "labels", "class", "class_name", "diagnosis", "target", "category"});
}

// Sorted class list, then each item's index into it.
static LabelledSet indexClasses(std::vector<LabelledItem> items) {
    LabelledSet set;
    for (const LabelledItem& item : items)
        set.classes.push_back(item.label);
    std::sort(set.classes.begin(), set.classes.end());
    set.classes.erase(std::unique(set.classes.begin(), set.classes.end()), set.classes.end());
    for (LabelledItem& item : items)
        item.classIndex =
            int(std::lower_bound(set.classes.begin(), set.classes.end(), item.label) - set.classes.begin());
    set.items = std::move(items);
    return set;
}

Result<LabelledSet> parseLabelledCsv(std::string_view text, const std::string& fileName) {
    Result<std::vector<CsvRecord>> records = parseCsv(text, fileName);
    if (!records) return records.error();
    std::vector<LabelledItem> items;
    for (size_t r = 0; r < records->size(); r++) {
        const CsvRecord& rec = (*records)[r];
        const std::string where = fileName + " line " + std::to_string(rec.line) + ": ";
        if (rec.fields.size() != 2)
            return Error(where + std::to_string(rec.fields.size()) + " field" +
                         (rec.fields.size() == 1 ? "" : "s") + "; expected 2 (file,label)");
        if (r == 0 && isHeaderRow(rec)) continue;
        LabelledItem item;
        item.file = trimmed(rec.fields[0]);
        item.label = trimmed(rec.fields[1]);
        if (item.file.empty()) return Error(where + "the file name is empty");
        if (item.label.empty()) return Error(where + "'" + item.file + "' has no label");
        items.push_back(std::move(item));
    }
    if (items.empty()) return Error(fileName + " has no file,label rows");
    return indexClasses(std::move(items));
}

Result<LabelledSet> labelledSetFromPaths(const std::vector<std::string>& relativePaths) {
    std::vector<LabelledItem> items;
    for (const std::string& original : relativePaths) {
        std::string path = original;
        std::replace(path.begin(), path.end(), '\\', '/');
        const size_t lastSlash = path.rfind('/');
        if (lastSlash == std::string::npos || lastSlash == 0)
            return Error("'" + original +
                         "' is not inside a class folder; put each image in a folder named " +
                         "after its class (e.g. pneumonia/" + original + ")");
        const size_t folderStart = path.rfind('/', lastSlash - 1);
        LabelledItem item;
        item.file = original;
        item.label = path.substr(folderStart == std::string::npos ? 0 : folderStart + 1,
                                 lastSlash - (folderStart == std::string::npos ? 0 : folderStart + 1));
        if (item.label.empty()) return Error("'" + original + "' has an empty class folder name");
        items.push_back(std::move(item));
    }
    if (items.empty()) return Error("the folder holds no images");
    return indexClasses(std::move(items));
}

Result<std::vector<int>> classIndicesForModel(const LabelledSet& set,
                                              const std::vector<std::string>& modelLabels) {
    std::vector<int> modelIndexOfClass;
    std::string unknown;
    for (const std::string& name : set.classes) {
        auto exact = std::find(modelLabels.begin(), modelLabels.end(), name);
        auto folded = std::find_if(modelLabels.begin(), modelLabels.end(),
                                   [&](const std::string& m) { return lowercase(m) == lowercase(name); });
        auto found = exact != modelLabels.end() ? exact : folded;
        if (found == modelLabels.end()) unknown += (unknown.empty() ? "'" : ", '") + name + "'";
        modelIndexOfClass.push_back(int(found - modelLabels.begin()));
    }
    if (!unknown.empty()) {
        std::string known;
        for (const std::string& m : modelLabels)
            known += (known.empty() ? "'" : ", '") + m + "'";
        return Error("the labelled set has classes the model does not know: " + unknown +
                     " (the model's: " + known + ")");
    }
    std::vector<int> indices;
    for (const LabelledItem& item : set.items)
        indices.push_back(modelIndexOfClass[size_t(item.classIndex)]);
    return indices;
}

} // namespace dx
