// patient_summary.cpp — see patient_summary.h.
#include "core/dicom/patient_summary.h"

#include "core/dicom/dicom_dictionary.h"

namespace dx {

const char* const kMaskedValue =
    "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"; // five bullets

std::string shownAttribute(const std::string& keyword, const std::string& value, bool showIdentifiers) {
    return showIdentifiers || !isIdentifyingAttribute(keyword) ? value : std::string(kMaskedValue);
}

std::string patientSummary(const std::map<std::string, std::string>& metadata, bool showIdentifiers) {
    struct Part {
        const char* keyword;
        const char* label; // printed before the value; empty: the value alone
    };
    static const Part parts[] = {{"PatientName", "Patient "},   {"PatientID", "ID "},
                                 {"PatientBirthDate", "born "}, {"PatientSex", ""},
                                 {"PatientAge", "age "},        {"InstitutionName", "Institution "}};
    std::string line;
    for (const Part& p : parts) {
        auto it = metadata.find(p.keyword);
        if (it == metadata.end() || it->second.empty()) continue;
        if (!line.empty()) line += " \xC2\xB7 "; // middle dot
        line += p.label + shownAttribute(p.keyword, it->second, showIdentifiers);
    }
    return line;
}

} // namespace dx
