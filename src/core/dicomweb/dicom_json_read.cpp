// dicom_json_read.cpp — value access on DICOM JSON data sets, tolerant of the variants archives send.
#include "core/dicomweb/dicom_json_read.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace dx {

using json = nlohmann::json;

namespace {

// The Value array of an attribute, or nullptr.
const json* valueArray(const json& dataset, const char* tag) {
    const json* attr = dicomJsonAttribute(dataset, tag);
    if (!attr || !attr->is_object()) return nullptr;
    auto it = attr->find("Value");
    if (it == attr->end() || !it->is_array()) return nullptr;
    return &*it;
}

std::string numberText(const json& v) {
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(int64_t(d));
    std::string s = std::to_string(d);
    while (s.size() > 1 && s.back() == '0')
        s.pop_back();
    return s;
}

} // namespace

const json* dicomJsonAttribute(const json& dataset, const char* tag) {
    if (!dataset.is_object()) return nullptr;
    auto it = dataset.find(tag);
    if (it != dataset.end()) return &*it;
    std::string lowerTag(tag);
    for (char& c : lowerTag)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    it = dataset.find(lowerTag);
    return it == dataset.end() ? nullptr : &*it;
}

std::vector<std::string> dicomJsonStrings(const json& dataset, const char* tag) {
    std::vector<std::string> out;
    const json* values = valueArray(dataset, tag);
    if (!values) return out;
    for (const json& v : *values) {
        std::string text;
        if (v.is_string()) {
            text = v.get<std::string>();
        } else if (v.is_number()) {
            text = numberText(v);
        } else if (v.is_object()) { // PN: Alphabetic first, the other groups when a name has only those
            for (const char* group : {"Alphabetic", "Ideographic", "Phonetic"}) {
                auto g = v.find(group);
                if (g != v.end() && g->is_string() && !g->get<std::string>().empty()) {
                    text = g->get<std::string>();
                    break;
                }
            }
        } else {
            continue; // null (an empty value) or a shape DICOM JSON does not define
        }
        // Some servers send a multi-valued attribute as one string with DICOM's '\' separator.
        size_t start = 0;
        while (true) {
            size_t sep = text.find('\\', start);
            std::string piece =
                text.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
            while (!piece.empty() && piece.back() == ' ')
                piece.pop_back();
            while (!piece.empty() && piece.front() == ' ')
                piece.erase(piece.begin());
            if (!piece.empty()) out.push_back(std::move(piece));
            if (sep == std::string::npos) break;
            start = sep + 1;
        }
    }
    return out;
}

std::string dicomJsonString(const json& dataset, const char* tag) {
    std::vector<std::string> values = dicomJsonStrings(dataset, tag);
    return values.empty() ? std::string() : values.front();
}

std::optional<int> dicomJsonInt(const json& dataset, const char* tag) {
    const json* values = valueArray(dataset, tag);
    if (!values || values->empty()) return std::nullopt;
    const json& v = values->front();
    if (v.is_number_integer() || v.is_number_unsigned()) {
        int64_t n = v.get<int64_t>();
        if (n >= INT32_MIN && n <= INT32_MAX) return int(n);
        return std::nullopt;
    }
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= INT32_MAX) return int(d);
        return std::nullopt;
    }
    if (v.is_string()) { // IS sent as text, maybe padded: " 12 "
        std::string s = v.get<std::string>();
        size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
        if (b == std::string::npos) return std::nullopt;
        s = s.substr(b, e - b + 1);
        char* end = nullptr;
        long long n = std::strtoll(s.c_str(), &end, 10);
        if (end && *end == '\0' && !s.empty() && n >= INT32_MIN && n <= INT32_MAX) return int(n);
    }
    return std::nullopt;
}

std::vector<const json*> dicomJsonItems(const json& dataset, const char* tag) {
    std::vector<const json*> out;
    if (const json* values = valueArray(dataset, tag))
        for (const json& item : *values)
            if (item.is_object()) out.push_back(&item);
    return out;
}

} // namespace dx
