// population.cpp — see population.h. The verdict keeps which facts decided, so the same verdict can be worded
// in English for results and reports and in the UI's language for the findings panel.
#include "core/inference/population.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace dx {

const char* populationStatusName(PopulationStatus status) {
    switch (status) {
    case PopulationStatus::In:
        return "in";
    case PopulationStatus::Out:
        return "out";
    case PopulationStatus::Unverified:
        return "unverified";
    }
    return "?";
}

namespace {

std::string trimmedUpper(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    size_t start = s.find_first_not_of(' ');
    s = start == std::string::npos ? std::string() : s.substr(start);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

std::string attribute(const std::map<std::string, std::string>& metadata, const char* key) {
    auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : trimmedUpper(it->second);
}

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Age String (AS): "nnnD", "nnnW", "nnnM" or "nnnY". Leading zeros may be missing in files written carelessly.
bool parseAgeString(const std::string& text, PopulationFacts& facts) {
    if (text.size() < 2 || text.size() > 4) return false;
    const char unit = text.back();
    const std::string digits = text.substr(0, text.size() - 1);
    if (!allDigits(digits) || (unit != 'D' && unit != 'W' && unit != 'M' && unit != 'Y')) return false;
    const int n = std::atoi(digits.c_str());
    facts.hasAge = true;
    facts.ageCount = n;
    facts.ageUnit = unit;
    facts.ageYears = unit == 'Y' ? n : unit == 'M' ? n / 12.0 : unit == 'W' ? n * 7 / 365.25 : n / 365.25;
    return true;
}

struct Date {
    int year = 0, month = 0, day = 0;
};

// Date (DA) "YYYYMMDD", or the old ACR-NEMA "YYYY.MM.DD".
bool parseDate(std::string text, Date* date) {
    if (text.size() == 10 && text[4] == '.' && text[7] == '.')
        text = text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2);
    if (text.size() != 8 || !allDigits(text)) return false;
    date->year = std::atoi(text.substr(0, 4).c_str());
    date->month = std::atoi(text.substr(4, 2).c_str());
    date->day = std::atoi(text.substr(6, 2).c_str());
    return date->year > 0 && date->month >= 1 && date->month <= 12 && date->day >= 1 && date->day <= 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
long daysFromCivil(Date d) {
    const int y = d.year - (d.month <= 2 ? 1 : 0);
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Completed months from birth to study say the age in whole years exactly (months / 12, rounded down), so a
// child on its sixth birthday is 6, not 5.99; babies under a month are counted in days.
bool ageFromDates(const Date& birth, const Date& study, PopulationFacts& facts) {
    const long days = daysFromCivil(study) - daysFromCivil(birth);
    if (days < 0) return false;
    int months =
        (study.year - birth.year) * 12 + (study.month - birth.month) - (study.day < birth.day ? 1 : 0);
    facts.hasAge = true;
    if (months >= 24) {
        facts.ageCount = months / 12;
        facts.ageUnit = 'Y';
    } else if (months >= 1) {
        facts.ageCount = months;
        facts.ageUnit = 'M';
    } else {
        facts.ageCount = int(days);
        facts.ageUnit = 'D';
    }
    facts.ageYears = months >= 1 ? months / 12.0 : days / 365.25;
    return true;
}

bool listed(const std::vector<std::string>& values, const std::string& value) {
    return std::any_of(values.begin(), values.end(),
                       [&](const std::string& v) { return trimmedUpper(v) == value; });
}

// Fills the first "%s" or "%d" of `pattern` with `value` (the phrases are data, not printf formats).
std::string fill(const char* pattern, const std::string& value) {
    std::string s = pattern;
    size_t at = std::min(s.find("%s"), s.find("%d"));
    if (at != std::string::npos) s.replace(at, 2, value);
    return s;
}

std::string ageText(const PopulationFacts& f, const PopulationPhrases& p) {
    if (f.ageYears >= 90.0) return p.agedOver89;
    const bool one = f.ageCount == 1;
    const char* unit = f.ageUnit == 'Y'   ? (one ? p.year : p.years)
                       : f.ageUnit == 'M' ? (one ? p.month : p.months)
                       : f.ageUnit == 'W' ? (one ? p.week : p.weeks)
                                          : (one ? p.day : p.days);
    return fill(p.aged, fill(unit, std::to_string(f.ageCount)));
}

std::string joined(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const std::string& part : parts)
        out += (out.empty() ? "" : separator) + part;
    return out;
}

} // namespace

PopulationFacts readPopulationFacts(const std::map<std::string, std::string>& metadata) {
    PopulationFacts facts;
    facts.modality = attribute(metadata, "Modality");
    facts.view = attribute(metadata, "ViewPosition");
    facts.bodyPart = attribute(metadata, "BodyPartExamined");
    if (parseAgeString(attribute(metadata, "PatientAge"), facts)) return facts;
    Date birth, study;
    if (!parseDate(attribute(metadata, "PatientBirthDate"), &birth)) return facts;
    if (parseDate(attribute(metadata, "StudyDate"), &study) ||
        parseDate(attribute(metadata, "SeriesDate"), &study))
        ageFromDates(birth, study, facts);
    return facts;
}

PopulationVerdict assessPopulation(const std::map<std::string, std::string>& metadata,
                                   const ModelManifest& manifest) {
    PopulationVerdict v;
    v.facts = readPopulationFacts(metadata);
    const PopulationSpec& p = manifest.population;
    const bool declaresAge = manifest.hasPopulation && p.declaresAge();
    const bool declaresViews = manifest.hasPopulation && !p.views.empty();
    v.modelDeclaresNothing =
        !manifest.hasPopulation && manifest.modalities.empty() && manifest.bodyParts.empty();
    v.tabular = manifest.task == ModelTask::Tabular;
    const PopulationFacts& f = v.facts;

    if (declaresAge && f.hasAge)
        v.ageOutside =
            (p.hasAgeMin && f.ageYears < p.ageMinYears) || (p.hasAgeMax && f.ageYears >= p.ageMaxYears + 1);
    v.modalityOutside =
        !f.modality.empty() && !manifest.modalities.empty() && !listed(manifest.modalities, f.modality);
    v.viewOutside = !f.view.empty() && declaresViews && !listed(p.views, f.view);
    v.bodyPartOutside =
        !f.bodyPart.empty() && !manifest.bodyParts.empty() && !listed(manifest.bodyParts, f.bodyPart);
    v.ageMissing = declaresAge && !f.hasAge;
    v.modalityMissing = !manifest.modalities.empty() && f.modality.empty();
    v.viewMissing = declaresViews && f.view.empty();
    v.bodyPartMissing = !manifest.bodyParts.empty() && f.bodyPart.empty();

    if (v.ageOutside || v.modalityOutside || v.viewOutside || v.bodyPartOutside)
        v.status = PopulationStatus::Out;
    else if (v.modelDeclaresNothing || !f.saysAnything() || v.ageMissing || v.modalityMissing)
        v.status = PopulationStatus::Unverified;
    else
        v.status = PopulationStatus::In;
    v.reason = populationReason(v, p.description);
    return v;
}

void confirmPopulation(PopulationVerdict& verdict) {
    if (verdict.status != PopulationStatus::Unverified) return;
    verdict.status = PopulationStatus::In;
    verdict.confirmedByUser = true;
    verdict.reason = populationReason(verdict, {});
}

std::string populationReason(const PopulationVerdict& v, const std::string& populationDescription,
                             const PopulationPhrases& p) {
    if (v.confirmedByUser) return p.confirmed;
    if (v.modelDeclaresNothing) return std::string(p.unverified) + p.headSeparator + p.modelDeclaresNothing;
    const PopulationFacts& f = v.facts;
    const bool out = v.status == PopulationStatus::Out;
    // Out: the facts that lie outside; otherwise every fact stated, then what is missing.
    std::vector<std::string> facts;
    if (f.hasAge && (!out || v.ageOutside)) facts.push_back(ageText(f, p));
    if (!f.modality.empty() && (!out || v.modalityOutside)) facts.push_back(fill(p.modality, f.modality));
    if (!f.view.empty() && (!out || v.viewOutside)) facts.push_back(fill(p.view, f.view));
    if (!f.bodyPart.empty() && (!out || v.bodyPartOutside)) facts.push_back(fill(p.bodyPart, f.bodyPart));
    std::vector<std::string> missing;
    if (!out) {
        if (!f.saysAnything()) {
            missing.push_back(v.tabular ? p.featuresSayNothing : p.nothingStated);
        } else {
            if (v.ageMissing) missing.push_back(p.ageNotStated);
            if (v.modalityMissing) missing.push_back(p.modalityNotStated);
            if (v.viewMissing) missing.push_back(p.viewNotStated);
            if (v.bodyPartMissing) missing.push_back(p.bodyPartNotStated);
        }
    }
    // Unverified leads with why (what is missing); "in" leads with what the file says.
    std::vector<std::string> parts;
    if (v.status == PopulationStatus::Unverified) {
        parts = missing;
        parts.insert(parts.end(), facts.begin(), facts.end());
    } else {
        parts = facts;
        parts.insert(parts.end(), missing.begin(), missing.end());
    }
    const char* head = out ? p.out : v.status == PopulationStatus::In ? p.in : p.unverified;
    std::string reason = std::string(head) + p.headSeparator + joined(parts, p.listSeparator);
    if (!populationDescription.empty())
        reason += p.clauseSeparator + fill(p.modelIsFor, populationDescription);
    return reason;
}

} // namespace dx
