// study_models.h — what every image model makes of one study, as one list that the findings panel, the study
// list, the live region, the reports and the page's API all read, so they never disagree about which models
// apply to an image and which are listed apart.
//
// How to use:
//   for (const dx::StudyModel& m : dx::studyModels(state, study)) {
//       if (m.listedApart()) showApart(m.name(), m.reason);       // collapsed, with the reason
//       else if (m.awaitingPopulationConfirmation()) askToConfirm();  // population_commands.h
//       else if (m.findingsShown()) showFindings(m.analysis->result);
//   }
//   const dx::StudyModel* top = dx::mostImportantFinding(models, &finding);   // the study list's line
// Models come in the library's order (the order their packages were opened in), whatever order they ran in,
// so a model's section does not move when another finishes first. Models the user turned off for the session
// (setModelOn) are left out. A model is listed apart, and its findings never shown among the others, when the
// image's DICOM attributes say it was not made for it (model_fit.h), when the header places the patient
// outside the model's intended population (population.h: known before it runs, and a click cannot overrule
// it), or when it ran and its out-of-distribution check says the image is unlike what it was trained on.
// A model whose population is "unverified" applies, but its findings are held back until the user confirms
// (findingsShown).
#pragma once

#include "app/app_state.h"

#include <string>
#include <vector>

namespace dx {

struct ModelSlot;
struct Study;
struct StudyAnalysis;
struct Finding;

// Why a model's findings are (not) among the study's findings. New reasons to list a model apart go here;
// the views show every one of them the same way (a collapsed section with the reason).
enum class ModelGate {
    Applies,           // runs, or ran, on the image: its findings are the study's findings
    NotMadeForImage,   // the image's modality or body part is not the model's (not run unless asked)
    OutOfDistribution, // it ran, and its out-of-distribution check rejected the image
    OutsidePopulation, // the image's header places the patient outside the model's intended population
};

// "applies", "not made for this image", "out of distribution", "outside the intended population": the page's
// API reports these (English codes).
const char* modelGateName(ModelGate gate);

struct StudyModel {
    const ModelSlot* slot = nullptr;
    const StudyAnalysis* analysis = nullptr; // null: not run on this study (yet)
    ModelGate gate = ModelGate::Applies;
    std::string reason; // why it is listed apart, in the UI language; empty when it applies

    bool listedApart() const { return gate != ModelGate::Applies; }
    bool done() const;    // analyzed, result in
    bool pending() const; // queued or running
    // Analyzed, and its intended-population verdict lets its findings be shown ("in", from the header or
    // confirmed by the user). Views show findings only of models that apply and have findingsShown().
    bool findingsShown() const;
    // Analyzed, and the header does not say whether the patient is in the model's population: the findings
    // panel asks the user to confirm before the findings are shown.
    bool awaitingPopulationConfirmation() const;
    const std::string& id() const;
    std::string name() const; // the manifest's name in the UI language
};

// Ready image models that are on, in the library's order, with what each made of the study.
std::vector<StudyModel> studyModels(const AppState& state, const Study& study);

// The positive finding that matters most among the models whose findings are shown (the highest score of a finding at or
// above its threshold), or null when none is positive; *finding is set to it.
const StudyModel* mostImportantFinding(const std::vector<StudyModel>& models, const Finding** finding);

// How far the study's analyses are: every model that applies and has been asked to run, and those finished.
struct StudyProgress {
    int asked = 0, finished = 0, running = 0, queued = 0, failed = 0;
    bool allFinished() const { return asked > 0 && finished == asked; }
};
StudyProgress studyProgress(const std::vector<StudyModel>& models);

// The model whose overlay (heatmap or segmentation mask) the viewport shows for this study: the one the user
// picked in the findings panel (state.viewer.overlayModel) while it has something to show, else the first
// applying model, in the list's order, that has one. Empty when none has.
std::string overlayModelId(const AppState& state, const Study& study);

} // namespace dx
