// study_models.cpp — see study_models.h.
#include "app/study_models.h"

#include "app/app_commands.h"
#include "app/i18n.h"
#include "app/population_commands.h"
#include "core/inference/model_fit.h"
#include "core/inference/model_library.h"
#include "core/viewer/workspace.h"

namespace dx {

const char* modelGateName(ModelGate gate) {
    switch (gate) {
    case ModelGate::Applies:
        return "applies";
    case ModelGate::NotMadeForImage:
        return "not made for this image";
    case ModelGate::OutOfDistribution:
        return "out of distribution";
    case ModelGate::OutsidePopulation:
        return "outside the intended population";
    }
    return "unknown";
}

bool StudyModel::done() const {
    return analysis && analysis->state == AnalysisState::Done;
}

bool StudyModel::pending() const {
    return analysis &&
           (analysis->state == AnalysisState::Queued || analysis->state == AnalysisState::Running);
}

const std::string& StudyModel::id() const {
    return slot->package->manifest.id;
}

bool StudyModel::findingsShown() const {
    return !listedApart() && done() && populationAllowsFinding(analysis->result.population);
}

bool StudyModel::awaitingPopulationConfirmation() const {
    return !listedApart() && done() && analysis->result.population.status == PopulationStatus::Unverified;
}

std::string StudyModel::name() const {
    return localizedModelName(slot->package->manifest);
}

std::vector<StudyModel> studyModels(const AppState& state, const Study& study) {
    std::vector<StudyModel> list;
    if (!study.ok()) return list;
    for (const ModelSlot* slot : imageModels(state)) {
        StudyModel m;
        m.slot = slot;
        m.analysis = study.analysis(slot->id());
        const ModelManifest& manifest = slot->package->manifest;
        const ModelFitVerdict fit = modelFit(*study.image, manifest);
        // The analysis's verdict once it ran (it carries the user's confirmation); before that the header's,
        // so an adult's study is listed apart from the start instead of jumping there when the result comes.
        const PopulationVerdict population =
            m.done() ? m.analysis->result.population : assessPopulation(study.image->metadata, manifest);
        if (fit.fit == ModelFit::Mismatch) {
            m.gate = ModelGate::NotMadeForImage;
            m.reason = trf("Not made for this image: %s", fit.reason.c_str());
        } else if (population.status == PopulationStatus::Out) {
            m.gate = ModelGate::OutsidePopulation;
            m.reason = populationReasonText(population, manifest);
        } else if (m.done() && m.analysis->result.ood.present && !m.analysis->result.ood.inDistribution) {
            const OodVerdict& ood = m.analysis->result.ood;
            m.gate = ModelGate::OutOfDistribution;
            m.reason =
                trf("Out of distribution: this image does not look like the images the model was trained "
                    "on (score %.2f, threshold %.2f).",
                    ood.score, ood.threshold);
        }
        list.push_back(std::move(m));
    }
    return list;
}

const StudyModel* mostImportantFinding(const std::vector<StudyModel>& models, const Finding** finding) {
    const StudyModel* best = nullptr;
    *finding = nullptr;
    for (const StudyModel& m : models) {
        if (!m.findingsShown()) continue;
        for (const Finding& f : m.analysis->result.findings)
            if (f.positive && (!*finding || f.score > (*finding)->score)) {
                *finding = &f;
                best = &m;
            }
    }
    return best;
}

StudyProgress studyProgress(const std::vector<StudyModel>& models) {
    StudyProgress p;
    for (const StudyModel& m : models) {
        if (!m.analysis) continue;
        p.asked++;
        switch (m.analysis->state) {
        case AnalysisState::Queued:
            p.queued++;
            break;
        case AnalysisState::Running:
            p.running++;
            break;
        case AnalysisState::Failed:
            p.failed++;
            p.finished++;
            break;
        case AnalysisState::Done:
            p.finished++;
            break;
        }
    }
    return p;
}

static bool hasOverlay(const StudyModel& m, bool heatmapWanted) {
    return m.done() && (m.analysis->result.hasMask || (heatmapWanted && m.analysis->saliency.ready));
}

std::string overlayModelId(const AppState& state, const Study& study) {
    const std::vector<StudyModel> models = studyModels(state, study);
    for (const StudyModel& m : models)
        if (m.id() == state.viewer.overlayModel && m.findingsShown() &&
            hasOverlay(m, state.viewer.showHeatmap))
            return m.id();
    for (const StudyModel& m : models)
        if (m.findingsShown() && hasOverlay(m, state.viewer.showHeatmap)) return m.id();
    return {};
}

} // namespace dx
