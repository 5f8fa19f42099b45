// app_commands.cpp — what the user can do (app_commands.h); announcements go to the ARIA live region in the
// UI language, while reports keep English codes.
#include "app/app_commands.h"

#include "app/population_commands.h"
#include "app/study_models.h"

#include "core/base/notice.h"
#include "core/image/render.h"
#include "core/inference/model_library.h"
#include "core/report/dicom_results.h"
#include "core/report/report.h"
#include "core/viewer/workspace.h"

#include <algorithm>
#include <cstdio>

namespace dx {

static bool takesImages(const ModelSlot& slot) {
    return slot.ready() && slot.package && slot.package->manifest.task != ModelTask::Tabular;
}

bool modelOn(const AppState& state, const std::string& modelId) {
    const std::vector<std::string>& off = state.settings.modelsOff;
    return std::find(off.begin(), off.end(), modelId) == off.end();
}

std::vector<const ModelSlot*> imageModels(const AppState& state, bool includeOff) {
    std::vector<const ModelSlot*> list;
    if (!state.models) return list;
    for (const auto& slot : state.models->slots())
        if (takesImages(*slot) && (includeOff || modelOn(state, slot->id()))) list.push_back(slot.get());
    return list;
}

const ModelSlot* activeModel(const AppState& state) {
    if (!state.models) return nullptr;
    if (!state.activeModel.empty()) {
        const ModelSlot* chosen = state.models->findById(state.activeModel);
        if (chosen && takesImages(*chosen)) return chosen;
    }
    const std::vector<const ModelSlot*> models = imageModels(state);
    return models.empty() ? nullptr : models.front();
}

void setModelOn(AppState& state, const std::string& modelId, bool on) {
    std::vector<std::string>& off = state.settings.modelsOff;
    off.erase(std::remove(off.begin(), off.end(), modelId), off.end());
    if (!on) off.push_back(modelId);
    // Turned on again: startAnalysesAwaitingModel sees another model ready and queues the studies for it.
}

void selectStudy(AppState& state, int studyId) {
    state.selectedStudy = studyId;
    state.viewer = ViewerState{};
    state.viewer.studyId = studyId;
}

// A model that may still become ready to analyze images: downloading, or opening (its task not yet known).
static bool imageModelMayArrive(const AppState& state) {
    if (!state.models) return false;
    for (const auto& slot : state.models->slots())
        if (slot->state == ModelSlotState::Downloading || slot->state == ModelSlotState::Opening) return true;
    return false;
}

int openFile(AppState& state, const std::string& name, const Bytes& bytes) {
    const int id = state.workspace->addFile(name, bytes);
    selectStudy(state, id);
    const Study* study = state.workspace->find(id);
    if (!study->ok()) {
        announce(state, trf("%s could not be opened: %s", name.c_str(), study->error.c_str()));
        return id;
    }
    if (!state.settings.autoAnalyze) return id;
    state.autoAnalyzedStudies.push_back(id);
    if (activeModel(state)) {
        if (!analyzeStudy(state, id)) announce(state, describeStudyForScreenReader(state, *study));
    } else if (imageModelMayArrive(state)) {
        // Opened while the models load: analyzed as soon as one is ready (startAnalysesAwaitingModel).
        state.workspace->awaitModel(id);
        announce(state, trf("%s: queued until the model has loaded.", name.c_str()));
    }
    return id;
}

// "cxr-pneumonia+cxr-lung-seg|" keys included: changes when an image model becomes ready, is replaced by a
// newer package, closed, or turned on or off.
static std::string imageModelsSignature(const AppState& state) {
    std::string text;
    for (const ModelSlot* slot : imageModels(state))
        text += slot->id() + "#" + std::to_string(slot->key) + "|";
    return text;
}

// Models that have not analyzed a study opened with auto-analysis, and fit it: queued for it.
static void analyzeWithNewModels(AppState& state) {
    std::vector<int>& studies = state.autoAnalyzedStudies;
    studies.erase(std::remove_if(studies.begin(), studies.end(),
                                 [&](int id) { return state.workspace->find(id) == nullptr; }),
                  studies.end());
    for (int id : std::vector<int>(studies)) {
        const Study* study = state.workspace->find(id);
        if (!study || state.workspace->awaitingModel(id)) continue;
        for (const StudyModel& m : studyModels(state, *study))
            if (!m.analysis && m.gate == ModelGate::Applies) analyzeStudyWith(state, id, *m.slot);
    }
}

void startAnalysesAwaitingModel(AppState& state) {
    if (!state.workspace) return;
    const bool ready = activeModel(state) != nullptr;
    if (ready) {
        std::string seen = imageModelsSignature(state);
        if (seen != state.imageModelsSeen) {
            state.imageModelsSeen = std::move(seen);
            analyzeWithNewModels(state);
        }
    }
    if (!ready && imageModelMayArrive(state)) return; // keep waiting
    const std::vector<int> waiting = state.workspace->takeAwaitingModel();
    if (waiting.empty()) return;
    if (!ready) {
        announce(state,
                 tr("No image model could be loaded, so the images opened meanwhile were not analyzed."));
        return;
    }
    for (int id : waiting)
        analyzeStudy(state, id);
}

// Queues one model; `sayQueued`: announce "queued, N ahead" when others run first (said once per study).
static bool queueAnalysis(AppState& state, int studyId, const ModelSlot& slot, bool sayQueued) {
    const std::string modelId = slot.id();
    AppState* app = &state; // the platform's state outlives every analysis
    // Progress reaches the live region too: "analyzing" when its turn comes (at once when nothing runs),
    // "queued" while others run first, then the study's findings so far.
    auto started = [app, modelId](const Study& s) {
        announce(*app, trf("%s: analyzing with %s.", s.name.c_str(), modelId.c_str()));
    };
    auto done = [app](const Study& s) { announce(*app, describeStudyForScreenReader(*app, s)); };
    Workspace& workspace = *state.workspace;
    if (!workspace.analyze(studyId, slot, done, started)) return false;
    const Study* study = workspace.find(studyId);
    const StudyAnalysis* a = study ? study->analysis(modelId) : nullptr;
    if (sayQueued && a && a->state == AnalysisState::Queued)
        announce(state, trf("%s: queued, %d analyses ahead of it.", study->name.c_str(),
                            workspace.analysesAhead(studyId, modelId)));
    return true;
}

bool analyzeStudyWith(AppState& state, int studyId, const ModelSlot& model) {
    if (!state.workspace || !takesImages(model)) return false;
    return queueAnalysis(state, studyId, model, true);
}

bool analyzeStudy(AppState& state, int studyId) {
    const Study* study = state.workspace ? state.workspace->find(studyId) : nullptr;
    if (!study || !study->ok()) return false;
    std::vector<const ModelSlot*> order;
    const ModelSlot* preferred = activeModel(state);
    for (const StudyModel& m : studyModels(state, *study))
        if (m.gate != ModelGate::NotMadeForImage) // out of distribution is judged again on this run
            order.insert(m.slot == preferred ? order.begin() : order.end(), m.slot);
    bool queued = false;
    for (const ModelSlot* slot : order)
        queued = queueAnalysis(state, studyId, *slot, !queued) || queued;
    return queued;
}

// The model whose heatmap "explain" computes when none is named: the preferred model when it has a
// classification result for the study, else the first applying model that has one.
static const ModelSlot* modelToExplain(const AppState& state, const Study& study,
                                       const std::string& modelId) {
    const ModelSlot* preferred = activeModel(state);
    const ModelSlot* first = nullptr;
    for (const StudyModel& m : studyModels(state, study)) {
        // A heatmap names the finding, so it waits for the population like the finding does.
        const bool explainable = m.done() && !m.analysis->result.findings.empty() &&
                                 !m.analysis->result.hasMask &&
                                 populationAllowsFinding(m.analysis->result.population);
        if (!modelId.empty()) {
            if (m.id() == modelId) return explainable ? m.slot : nullptr;
            continue;
        }
        if (!explainable) continue;
        if (m.slot == preferred) return m.slot;
        if (!first && !m.listedApart()) first = m.slot;
    }
    return first;
}

bool explainSelectedStudy(AppState& state, const std::string& modelId) {
    const Study* study = state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
    const ModelSlot* slot = study ? modelToExplain(state, *study, modelId) : nullptr;
    const StudyAnalysis* a = slot ? study->analysis(slot->id()) : nullptr;
    if (!a || a->state != AnalysisState::Done || a->result.findings.empty()) return false;
    const Finding* target = &a->result.findings.front();
    for (const Finding& f : a->result.findings)
        if (f.positive || f.score > target->score) {
            target = &f;
            if (f.positive) break;
        }
    const std::string label = target->label;
    const std::string labelText = localizedLabelText(slot->package->manifest, label);
    auto announce = state.commands.announce;
    if (announce) announce(trf("%s: computing the heatmap for %s…", study->name.c_str(), labelText.c_str()));
    const std::string explained = slot->id();
    state.workspace->explain(study->id, *slot, label, [announce, labelText, explained](const Study& s) {
        const StudyAnalysis* done = s.analysis(explained);
        if (!announce || !done) return;
        if (done->saliency.ready)
            announce(trf("%s: heatmap for %s is ready (%d ms).", s.name.c_str(), labelText.c_str(),
                         int(done->saliency.map.elapsedMs)));
        else
            announce(s.name + ": " + done->saliency.error);
    });
    state.viewer.showHeatmap = true;
    state.viewer.showOverlay = true;
    state.viewer.overlayModel = explained;
    return true;
}

static std::string stemOf(const std::string& name) {
    std::string base = name.substr(name.find_last_of("/\\") + 1);
    const size_t dot = base.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// One model's result as a DICOM SR or SEG file (core/report/dicom_results.h).
static Result<ExportedFile> exportDicomResult(const AppState& state, const Study& study,
                                              const std::vector<const StudyModel*>& analyzed,
                                              ReportFormat format) {
    const bool seg = format == ReportFormat::DicomSeg;
    for (const StudyModel* m : analyzed) {
        ReportItem item;
        item.result = &m->analysis->result;
        item.manifest = &m->slot->package->manifest;
        if (item.manifest->task == ModelTask::Tabular) continue;
        item.metadata = study.image->metadata;
        item.pixelSpacingRow = study.image->pixelSpacingRow;
        item.pixelSpacingCol = study.image->pixelSpacingCol;
        if (seg && !hasDicomSegmentation(item)) continue;
        DicomResultOptions options;
        options.includeIdentifiers = state.settings.showIdentifiers; // as for every other export
        Result<Bytes> bytes = seg ? writeDicomSeg(item, options) : writeDicomSr(item, options);
        if (!bytes) return bytes.error();
        return ExportedFile{stemOf(study.name) + "-" + m->id() + (seg ? ".seg.dcm" : ".sr.dcm"),
                            "application/dicom", std::string(bytes->begin(), bytes->end())};
    }
    return Error(seg ? tr("This study has no segmentation result: a DICOM Segmentation needs a segmentation "
                          "model's mask.")
                     : tr("Select an analyzed image first: there is no result to export."));
}

bool selectedStudyHasSegmentation(const AppState& state) {
    const Study* study = state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
    if (!study) return false;
    for (const StudyModel& m : studyModels(state, *study))
        if (m.done() && m.analysis->result.hasMask) return true;
    return false;
}

Result<ExportedFile> exportSelectedStudyReport(const AppState& state, ReportFormat format) {
    const Study* study = state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
    std::vector<const StudyModel*> analyzed;
    const std::vector<StudyModel> models = study ? studyModels(state, *study) : std::vector<StudyModel>{};
    for (const StudyModel& m : models)
        if (m.done()) analyzed.push_back(&m);
    if (analyzed.empty()) return Error(tr("Select an analyzed image first: there is no result to export."));
    if (format == ReportFormat::DicomSr || format == ReportFormat::DicomSeg)
        return exportDicomResult(state, *study, analyzed, format);
    std::vector<ReportItem> items;
    for (const StudyModel* m : analyzed) {
        ReportItem item;
        item.result = &m->analysis->result;
        item.manifest = &m->slot->package->manifest;
        item.metadata = study->image->metadata;
        items.push_back(std::move(item));
    }
    if (format == ReportFormat::Html) {
        Result<DisplayImage> shown = renderImage(*study->image);
        if (shown)
            items.front().pictures.push_back(
                {"The image as displayed", shown->width, shown->height, 4, std::move(shown->rgba)});
    }
    ReportOptions options; // no clock read, so the same analysis gives the same file
    // Identifiers only when the user chose to see them (Show patient identifiers, P); left out by default.
    options.includeIdentifiers = state.settings.showIdentifiers;
    struct Writer {
        Result<std::string> (*write)(std::span<const ReportItem>, const ReportOptions&);
        const char* extension;
        const char* mime;
    };
    static const Writer writers[] = {{writeJsonReport, "json", "application/json"},
                                     {writeCsvReport, "csv", "text/csv"},
                                     {writeFhirReport, "fhir.json", "application/fhir+json"},
                                     {writeHtmlReport, "html", "text/html"}};
    const Writer& w = writers[int(format)];
    Result<std::string> text = w.write(items, options);
    if (!text) return text.error();
    // One model: its id in the name, as before there were several; several: the study's report.
    const std::string which = analyzed.size() == 1 ? "-" + analyzed.front()->id() : std::string();
    return ExportedFile{stemOf(study->name) + which + "-report." + w.extension, w.mime, std::move(*text)};
}

bool downloadSelectedStudyReport(AppState& state, ReportFormat format) {
    return downloadExport(state, exportSelectedStudyReport(state, format));
}

bool downloadExport(AppState& state, const Result<ExportedFile>& file) {
    if (!file) {
        announce(state, trf("Nothing exported: %s", file.error().message.c_str()));
        return false;
    }
    if (state.commands.downloadFile) state.commands.downloadFile(file->name, file->mime, file->text);
    announce(state, trf("Saved %s.", file->name.c_str()));
    return true;
}

void announce(AppState& state, const std::string& text) {
    if (state.commands.announce) state.commands.announce(text);
}

// "at or above the 0.63 threshold" and the like, for one finding.
static std::string describeFinding(const Finding& f, const ModelManifest& m) {
    const std::string label = localizedLabelText(m, f.label);
    if (!f.hasThreshold) return trf("%s %.2f", label.c_str(), f.score);
    return f.positive ? trf("%s %.2f (at or above the %.2f threshold)", label.c_str(), f.score, f.threshold)
                      : trf("%s %.2f (below the %.2f threshold)", label.c_str(), f.score, f.threshold);
}

// One model's findings: "pneumonia 0.91 (at or above the 0.50 threshold); lung 23.70% of the image".
static std::string describeFindings(const AnalysisResult& r, const ModelManifest& m) {
    const std::string separator = tr("; ");
    std::string findings;
    for (const Finding& f : r.findings)
        findings += (findings.empty() ? "" : separator) + describeFinding(f, m);
    if (r.hasMask)
        for (const ClassArea& c : r.mask.areas)
            if (c.name != "background")
                findings +=
                    (findings.empty() ? "" : separator) +
                    trf("%s %.2f%% of the image", localizedLabelText(m, c.name).c_str(), c.fraction * 100);
    return findings;
}

std::string describeStudyForScreenReader(const AppState& state, const Study& study) {
    const char* name = study.name.c_str();
    if (!study.ok()) return trf("%s could not be opened: %s", name, study.error.c_str());
    // Applying models' findings first, then those still running, then the models listed apart, as the
    // findings panel shows them.
    std::vector<std::string> parts, apart;
    std::string waiting;
    for (const StudyModel& m : studyModels(state, study)) {
        const char* id = m.id().c_str();
        if (m.listedApart()) {
            apart.push_back(trf("%s is listed apart: %s", id, m.reason.c_str()));
        } else if (m.pending()) {
            waiting += (waiting.empty() ? "" : ", ") + m.id();
        } else if (m.analysis && m.analysis->state == AnalysisState::Failed) {
            parts.push_back(trf("%s: analysis failed: %s", id, m.analysis->error.c_str()));
        } else if (m.awaitingPopulationConfirmation()) {
            // No finding until the user says the patient is in the model's population.
            parts.push_back(trf("%s: population not verified: confirm in the findings panel.", id));
        } else if (m.findingsShown()) {
            const AnalysisResult& r = m.analysis->result;
            parts.push_back(describeFindings(r, m.slot->package->manifest) +
                            trf(". Model %s on %s.", id, r.backend.c_str()));
        }
    }
    if (!waiting.empty()) parts.push_back(trf("Still analyzing with %s.", waiting.c_str()));
    parts.insert(parts.end(), apart.begin(), apart.end());
    if (parts.empty()) return trf("%s: not analyzed yet.", name);
    std::string body;
    for (const std::string& p : parts)
        body += (body.empty() ? "" : " ") + p;
    return trf("%s: %s", name, body.c_str()) + " " + tr(kResearchUseNotice);
}

const char* selfTestStatusText(SelfTestStatus status) {
    switch (status) {
    case SelfTestStatus::Skipped:
        return tr("skipped");
    case SelfTestStatus::Passed:
        return tr("passed");
    case SelfTestStatus::Failed:
        return tr("failed");
    }
    return selfTestStatusName(status);
}

void switchLanguage(AppState& state, Language language) {
    setLanguage(language);
    if (state.commands.languageChanged) state.commands.languageChanged(languageTag(language));
    announce(state, trf("Interface language: %s", languageNativeName(language)));
}

} // namespace dx
