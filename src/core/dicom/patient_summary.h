// patient_summary.h — the one line the UI shows about whose image this is, with identifying attributes
// (name, ID, birth date, institution, ... : dicom_dictionary.h isIdentifyingAttribute) masked unless the
// user has chosen to show them.
//
// How to use:
//   std::string line = dx::patientSummary(study.image->metadata, settings.showIdentifiers);
//   // masked:   "Patient ••••• · ID ••••• · born ••••• · F · Institution •••••"
//   // unmasked: "Patient DOE^JANE · ID 12345 · born 19700101 · F · Institution General Hospital"
// Empty when the image carries none of these attributes (PNG/JPEG). A masked value never reveals its
// length or any character.
#pragma once

#include <map>
#include <string>

namespace dx {

extern const char* const kMaskedValue; // what a hidden identifier shows as

std::string patientSummary(const std::map<std::string, std::string>& metadata, bool showIdentifiers);
// The value of one attribute as the UI may show it: kMaskedValue for an identifying one unless shown.
std::string shownAttribute(const std::string& keyword, const std::string& value, bool showIdentifiers);

} // namespace dx
