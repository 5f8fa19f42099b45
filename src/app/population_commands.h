// population_commands.h — the intended-population verdict (core/inference/population.h) in the UI: its words
// in the UI language, whether a finding may be shown, and the user's one-click confirmation for a study; plus
// a model's name, intended use and labels in the UI language (the manifest's "zh-Hans" block).
//
// How to use (the findings panel):
//   const dx::PopulationVerdict& v = analysis.result.population;
//   if (v.status == dx::PopulationStatus::Out)                        // listed apart, no finding, with why
//       ImGui::TextWrapped("%s", dx::populationReasonText(v, manifest).c_str());
//   else if (dx::needsPopulationConfirmation(study, modelId)) {       // "unverified": ask first
//       ImGui::TextWrapped("%s", dx::populationReasonText(v, manifest).c_str());
//       if (ImGui::Button(dx::confirmPopulationButtonText())) dx::confirmStudyPopulation(state, study.id);
//   } else drawFindings(...);                                          // dx::populationAllowsFinding(v)
//   ImGui::Text("%s", dx::localizedModelName(manifest).c_str());      // "儿童肺炎，正位胸部X线片" in Chinese
// The confirmation is remembered for the study (Workspace::confirmPopulation): every model's result of that
// study, now and later, reads "in", and reports say "population confirmed by the user". A header that says
// "out" stays "out".
#pragma once

#include "app/app_state.h"
#include "core/inference/model_manifest.h"
#include "core/inference/population.h"
#include "core/viewer/workspace.h"

#include <string>

namespace dx {

// The phrases of a population reason in the UI language (tr() of each; English when the UI is English).
PopulationPhrases translatedPopulationPhrases();
// The verdict's reason in the UI language, with the model's population description from its manifest.
std::string populationReasonText(const PopulationVerdict& verdict, const ModelManifest& manifest);
// A short heading for the verdict: "In the intended population", "Outside the intended population",
// "Intended population not verified".
const char* populationStatusText(PopulationStatus status);

// A finding is shown only for a study in the model's intended population (from its header or confirmed).
bool populationAllowsFinding(const PopulationVerdict& verdict);
// The study's finished analysis with this model is "unverified": the panel offers the confirmation.
bool needsPopulationConfirmation(const Study& study, const std::string& modelId);
// The confirmation button's text, in the UI language.
const char* confirmPopulationButtonText();
// The user confirms the study's patient is in the models' intended population: remembered for the study,
// applied to its results, announced with the findings it reveals. False when there is no such study.
bool confirmStudyPopulation(AppState& state, int studyId);

// The manifest's texts in the UI language (its "zh-Hans" block when the UI is Chinese), English otherwise.
std::string localizedModelName(const ModelManifest& manifest);
std::string localizedIntendedUse(const ModelManifest& manifest);
// An output label or class: the manifest's own translation, else the app's medical terms (trTerm).
std::string localizedLabelText(const ModelManifest& manifest, const std::string& label);

} // namespace dx
