// population_commands.cpp — see population_commands.h. The English phrases here are the keys of the
// translation catalogue and equal core's defaults (PopulationPhrases), which tests/app checks, so a result's
// English reason and the English UI say the same words.
#include "app/population_commands.h"

#include "app/app_commands.h"
#include "app/i18n.h"

namespace dx {

PopulationPhrases translatedPopulationPhrases() {
    PopulationPhrases p;
    p.in = tr("within the model's intended population");
    p.out = tr("outside the model's intended population");
    p.unverified = tr("intended population not verified");
    p.confirmed = tr("population confirmed by the user");
    p.modelDeclaresNothing = tr("the model does not declare its intended population");
    p.nothingStated = tr("the file does not say who the patient is or how the image was taken");
    p.featuresSayNothing = tr("the entered features do not say who the patient is");
    p.ageNotStated = tr("the file does not state the patient's age");
    p.modalityNotStated = tr("the file does not state the modality");
    p.viewNotStated = tr("view not stated");
    p.bodyPartNotStated = tr("body part not stated");
    p.aged = tr("patient aged %s");
    p.agedOver89 = tr("patient aged 90 years or over");
    p.years = tr("%d years");
    p.year = tr("%d year");
    p.months = tr("%d months");
    p.month = tr("%d month");
    p.weeks = tr("%d weeks");
    p.week = tr("%d week");
    p.days = tr("%d days");
    p.day = tr("%d day");
    p.modality = tr("modality %s");
    p.view = tr("view %s");
    p.bodyPart = tr("body part %s");
    p.modelIsFor = tr("this model is for %s");
    // Separators are punctuation: Chinese uses its full-width forms.
    const bool chinese = currentLanguage() == Language::ChineseSimplified;
    p.headSeparator = chinese ? "：" : ": ";
    p.listSeparator = chinese ? "，" : ", ";
    p.clauseSeparator = chinese ? "；" : "; ";
    return p;
}

std::string populationReasonText(const PopulationVerdict& verdict, const ModelManifest& manifest) {
    const LocalizedManifestText text = localizedText(manifest, languageTag(currentLanguage()));
    return populationReason(verdict, text.population, translatedPopulationPhrases());
}

const char* populationStatusText(PopulationStatus status) {
    switch (status) {
    case PopulationStatus::In:
        return tr("In the intended population");
    case PopulationStatus::Out:
        return tr("Outside the intended population");
    case PopulationStatus::Unverified:
        return tr("Intended population not verified");
    }
    return "?";
}

bool populationAllowsFinding(const PopulationVerdict& verdict) {
    return verdict.status == PopulationStatus::In;
}

bool needsPopulationConfirmation(const Study& study, const std::string& modelId) {
    const StudyAnalysis* a = study.analysis(modelId);
    return a && a->state == AnalysisState::Done &&
           a->result.population.status == PopulationStatus::Unverified;
}

const char* confirmPopulationButtonText() {
    return tr("Confirm the patient is in the model's intended population");
}

bool confirmStudyPopulation(AppState& state, int studyId) {
    if (!state.workspace || !state.workspace->confirmPopulation(studyId)) return false;
    const Study* study = state.workspace->find(studyId);
    // One sentence: the confirmation, then the findings it reveals, so a screen reader user hears them too.
    announce(state,
             trf("%s: population confirmed by the user; the findings are shown.", study->name.c_str()) + " " +
                 describeStudyForScreenReader(state, *study));
    return true;
}

std::string localizedModelName(const ModelManifest& manifest) {
    return localizedText(manifest, languageTag(currentLanguage())).name;
}

std::string localizedIntendedUse(const ModelManifest& manifest) {
    return localizedText(manifest, languageTag(currentLanguage())).intendedUse;
}

std::string localizedLabelText(const ModelManifest& manifest, const std::string& label) {
    std::string text = localizedLabel(manifest, languageTag(currentLanguage()), label);
    return text.empty() ? trTerm(label) : text;
}

} // namespace dx
