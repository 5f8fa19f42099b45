// population.h — is this study inside the population the model was made for? A children's pneumonia model
// must say so on an adult's X-ray: every result carries "in", "out" or "unverified" and the reason in words.
//
// How to use:
//   dx::PopulationVerdict v = dx::assessPopulation(image.metadata, manifest);   // the pipeline does this
//   if (userConfirmed) dx::confirmPopulation(v);       // "unverified" -> "in", "population confirmed by the user"
//   puts(dx::populationStatusName(v.status));           // "out"
//   puts(v.reason.c_str());  // "outside the model's intended population: patient aged 45 years; this model is
//                            //  for children aged 1-5 years, frontal (PA/AP) chest X-ray (CR/DX)"
//   std::string zh = dx::populationReason(v, zhDescription, translatedPhrases);   // the same in another language
//
// What decides, from the DICOM header (Image::metadata keys the DICOM reader fills):
//   age       Patient's Age (0010,1010: "045Y", "018M", "010W", "005D"), else Patient's Birth Date (0010,0030)
//             with the Study Date (0008,0020) or Series Date (0008,0021); against manifest population.age_years
//   modality  Modality (0008,0060) against the manifest's "modalities"
//   view      View Position (0018,5101) against population.views
//   body part Body Part Examined (0018,0015) against the manifest's "body_parts"
// Comparisons ignore case. Any stated attribute outside the model's population makes the study "out". It is
// "in" when the header states what the model's population is defined by — the age where the model declares an
// age range, the modality where it declares modalities — and nothing stated contradicts it; a missing View
// Position or Body Part Examined (optional in DICOM) is named in the reason but does not hold the verdict back.
// Anything else is "unverified": a PNG or JPEG says nothing, a DICOM without an age cannot place a patient in
// an age range. Only the user can then say "in" (confirmPopulation); a header that says "out" stays "out".
#pragma once

#include "core/inference/model_manifest.h"

#include <map>
#include <string>

namespace dx {

enum class PopulationStatus { In, Out, Unverified };
const char* populationStatusName(PopulationStatus status); // "in", "out", "unverified"

// What a file says about the patient and the image; empty strings and hasAge false where it says nothing.
struct PopulationFacts {
    bool hasAge = false;
    int ageCount = 0;      // as written: 45 with unit 'Y', 18 with 'M', 10 with 'W', 5 with 'D'
    char ageUnit = 'Y';    // 'Y' years, 'M' months, 'W' weeks, 'D' days
    double ageYears = 0.0; // the same as a fraction of years, for the range check
    std::string modality;  // upper case, as DICOM writes them
    std::string view;
    std::string bodyPart;
    bool saysAnything() const { return hasAge || !modality.empty() || !view.empty() || !bodyPart.empty(); }
};

// The age a DICOM header states: Patient's Age, else Birth Date with Study Date (or Series Date). Values that
// cannot be read ("", "ABCY", a birth date after the study) leave hasAge false.
PopulationFacts readPopulationFacts(const std::map<std::string, std::string>& metadata);

struct PopulationVerdict {
    PopulationStatus status = PopulationStatus::Unverified;
    bool confirmedByUser = false;
    PopulationFacts facts;
    // Which stated facts lie outside the model's population (status Out), and which the model needs but the
    // file does not state.
    bool ageOutside = false, modalityOutside = false, viewOutside = false, bodyPartOutside = false;
    bool ageMissing = false, modalityMissing = false;
    bool viewMissing = false, bodyPartMissing = false; // declared by the model, not stated: named in an "in"
    bool modelDeclaresNothing = false; // no population, modalities or body parts in the manifest
    bool tabular = false;              // a table row or form (a tabular model): no header to read
    std::string reason;                // English (populationReason with the default phrases)
};

// The verdict for an image's metadata (empty for a table row) against the model's declared population.
PopulationVerdict assessPopulation(const std::map<std::string, std::string>& metadata,
                                   const ModelManifest& manifest);

// The user (or a `--population in` option) says the patient is in the intended population: an "unverified"
// verdict becomes "in" with the reason "population confirmed by the user". "in" and "out" are left as they are:
// a header that places the patient outside is not overruled by a click.
void confirmPopulation(PopulationVerdict& verdict);

// The words a reason is made of. The defaults are English; the app passes its translations (printf-style
// "%s" / "%d" placeholders, filled in order, keep their positions in a translation).
struct PopulationPhrases {
    const char* in = "within the model's intended population";
    const char* out = "outside the model's intended population";
    const char* unverified = "intended population not verified";
    const char* confirmed = "population confirmed by the user";
    const char* modelDeclaresNothing = "the model does not declare its intended population";
    const char* nothingStated = "the file does not say who the patient is or how the image was taken";
    const char* featuresSayNothing = "the entered features do not say who the patient is";
    const char* ageNotStated = "the file does not state the patient's age";
    const char* modalityNotStated = "the file does not state the modality";
    const char* viewNotStated = "view not stated";
    const char* bodyPartNotStated = "body part not stated";
    const char* aged = "patient aged %s";
    const char* agedOver89 = "patient aged 90 years or over"; // exact ages above 89 identify people (HIPAA)
    const char* years = "%d years";
    const char* year = "%d year";
    const char* months = "%d months";
    const char* month = "%d month";
    const char* weeks = "%d weeks";
    const char* week = "%d week";
    const char* days = "%d days";
    const char* day = "%d day";
    const char* modality = "modality %s";
    const char* view = "view %s";
    const char* bodyPart = "body part %s";
    const char* modelIsFor = "this model is for %s";
    const char* headSeparator = ": ";
    const char* listSeparator = ", ";
    const char* clauseSeparator = "; ";
};

// The reason in the phrases' language; `populationDescription` is the manifest's population.description (or
// its translation, localizedText) and is left out when empty.
std::string populationReason(const PopulationVerdict& verdict, const std::string& populationDescription,
                             const PopulationPhrases& phrases = {});

} // namespace dx
