// series.cpp — see series.h.
#include "core/viewer/series.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>

namespace dx {
namespace {

// "a\b\c" -> numbers; nullopt unless exactly `count` finite numbers.
std::optional<std::vector<double>> parseNumbers(const std::string& text, size_t count) {
    std::vector<double> values;
    const char* p = text.c_str();
    while (*p) {
        char* end = nullptr;
        const double v = std::strtod(p, &end);
        if (end == p || !std::isfinite(v)) return std::nullopt;
        values.push_back(v);
        p = end;
        while (*p == ' ')
            p++;
        if (*p == '\\') p++;
    }
    if (values.size() != count) return std::nullopt;
    return values;
}

// Distance along the slice normal, when the file says where the slice is and how it is oriented.
std::optional<double> positionAlongNormal(const Study& study) {
    const auto position = parseNumbers(study.attribute("ImagePositionPatient"), 3);
    const auto orientation = parseNumbers(study.attribute("ImageOrientationPatient"), 6);
    if (!position || !orientation) return std::nullopt;
    const std::vector<double>& o = *orientation;
    const double normal[3] = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5],
                              o[0] * o[4] - o[1] * o[3]};
    return (*position)[0] * normal[0] + (*position)[1] * normal[1] + (*position)[2] * normal[2];
}

std::optional<long> instanceNumber(const Study& study) {
    const std::string text = study.attribute("InstanceNumber");
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || end == text.c_str()) return std::nullopt;
    return n;
}

struct Member {
    const Study* study;
    size_t openedAt;
    std::optional<double> position;
    std::optional<long> instance;
};

void sortMembers(std::vector<Member>& members) {
    const bool allPositioned =
        std::all_of(members.begin(), members.end(), [](const Member& m) { return m.position.has_value(); });
    const bool allNumbered =
        std::all_of(members.begin(), members.end(), [](const Member& m) { return m.instance.has_value(); });
    std::stable_sort(members.begin(), members.end(), [&](const Member& a, const Member& b) {
        if (allPositioned && *a.position != *b.position) return *a.position < *b.position;
        if (allNumbered && *a.instance != *b.instance) return *a.instance < *b.instance;
        return a.openedAt < b.openedAt;
    });
}

} // namespace

std::vector<Series> groupSeries(const std::vector<std::unique_ptr<Study>>& studies) {
    std::vector<std::vector<Member>> groups;
    std::map<std::string, size_t> groupOfUid;
    for (size_t i = 0; i < studies.size(); i++) {
        const Study& s = *studies[i];
        const std::string uid = s.attribute("SeriesInstanceUID");
        Member m{&s, i, positionAlongNormal(s), instanceNumber(s)};
        if (uid.empty()) {
            groups.push_back({m});
            continue;
        }
        auto [it, added] = groupOfUid.emplace(uid, groups.size());
        if (added) groups.emplace_back();
        groups[it->second].push_back(m);
    }
    std::vector<Series> out;
    for (std::vector<Member>& members : groups) {
        sortMembers(members);
        Series series;
        series.uid = members.front().study->attribute("SeriesInstanceUID");
        for (const Member& m : members) {
            series.studyIds.push_back(m.study->id);
            const int frames = m.study->ok() ? std::max(1, m.study->image->frames) : 1;
            for (int f = 0; f < frames; f++)
                series.slices.push_back({m.study->id, f});
        }
        out.push_back(std::move(series));
    }
    return out;
}

const Series* findSeries(const std::vector<Series>& series, int studyId) {
    for (const Series& s : series)
        if (std::find(s.studyIds.begin(), s.studyIds.end(), studyId) != s.studyIds.end()) return &s;
    return nullptr;
}

int findSlice(const Series& series, int studyId, int frame) {
    for (size_t i = 0; i < series.slices.size(); i++)
        if (series.slices[i].studyId == studyId && series.slices[i].frame == frame) return int(i);
    return -1;
}

} // namespace dx
