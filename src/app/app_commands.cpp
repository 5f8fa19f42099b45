// app_commands.cpp — what the user can do (app_commands.h); announcements go to the ARIA live region in the
// UI language, while reports keep English codes.
#include "app/app_commands.h"

#include "core/base/notice.h"
#include "core/image/render.h"
#include "core/inference/model_library.h"
#include "core/report/report.h"
#include "core/viewer/workspace.h"

#include <cstdio>

namespace dx {

static bool takesImages(const ModelSlot& slot) {
    return slot.ready() && slot.package && slot.package->manifest.task != ModelTask::Tabular;
}

const ModelSlot* activeModel(const AppState& state) {
    if (!state.models) return nullptr;
    if (!state.activeModel.empty()) {
        const ModelSlot* chosen = state.models->findById(state.activeModel);
        if (chosen && takesImages(*chosen)) return chosen;
    }
    for (const auto& slot : state.models->slots())
        if (takesImages(*slot)) return slot.get();
    return nullptr;
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
    if (activeModel(state)) {
        analyzeStudy(state, id);
    } else if (imageModelMayArrive(state)) {
        // Opened while the models load: analyzed as soon as one is ready (startAnalysesAwaitingModel).
        state.workspace->awaitModel(id);
        announce(state, trf("%s: queued until the model has loaded.", name.c_str()));
    }
    return id;
}

void startAnalysesAwaitingModel(AppState& state) {
    if (!state.workspace) return;
    const bool ready = activeModel(state) != nullptr;
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

void analyzeStudy(AppState& state, int studyId) {
    const ModelSlot* slot = activeModel(state);
    if (!slot || !state.workspace) return;
    const std::string modelId = slot->id();
    auto announce = state.commands.announce;
    // Progress reaches the live region too: "analyzing" when its turn comes (at once when nothing runs),
    // "queued" while others run first, then the result.
    auto started = [announce, modelId](const Study& s) {
        if (announce) announce(trf("%s: analyzing with %s.", s.name.c_str(), modelId.c_str()));
    };
    auto done = [announce, modelId](const Study& s) {
        if (announce) announce(describeForScreenReader(s, modelId));
    };
    Workspace& workspace = *state.workspace;
    if (!workspace.analyze(studyId, *slot, done, started)) return;
    const Study* study = workspace.find(studyId);
    const StudyAnalysis* a = study ? study->analysis(modelId) : nullptr;
    if (announce && a && a->state == AnalysisState::Queued)
        announce(trf("%s: queued, %d analyses ahead of it.", study->name.c_str(),
                     workspace.analysesAhead(studyId, modelId)));
}

bool explainSelectedStudy(AppState& state) {
    const ModelSlot* slot = activeModel(state);
    const Study* study = state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
    const StudyAnalysis* a = slot && study ? study->analysis(slot->id()) : nullptr;
    if (!a || a->state != AnalysisState::Done || a->result.findings.empty()) return false;
    const Finding* target = &a->result.findings.front();
    for (const Finding& f : a->result.findings)
        if (f.positive || f.score > target->score) {
            target = &f;
            if (f.positive) break;
        }
    const std::string label = target->label;
    auto announce = state.commands.announce;
    if (announce)
        announce(trf("%s: computing the heatmap for %s…", study->name.c_str(), trTerm(label).c_str()));
    state.workspace->explain(study->id, *slot, label, [announce, label](const Study& s) {
        const StudyAnalysis* done = nullptr;
        for (const auto& [id, analysis] : s.analyses)
            if (analysis.saliency.ready || !analysis.saliency.error.empty()) done = &analysis;
        if (!announce || !done) return;
        if (done->saliency.ready)
            announce(trf("%s: heatmap for %s is ready (%d ms).", s.name.c_str(), trTerm(label).c_str(),
                         int(done->saliency.map.elapsedMs)));
        else
            announce(s.name + ": " + done->saliency.error);
    });
    state.viewer.showHeatmap = true;
    return true;
}

static std::string stemOf(const std::string& name) {
    std::string base = name.substr(name.find_last_of("/\\") + 1);
    const size_t dot = base.find_last_of('.');
    return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

Result<ExportedFile> exportSelectedStudyReport(const AppState& state, ReportFormat format) {
    const ModelSlot* slot = activeModel(state);
    const Study* study = state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
    const StudyAnalysis* a = slot && study ? study->analysis(slot->id()) : nullptr;
    if (!a || a->state != AnalysisState::Done)
        return Error(tr("Select an analyzed image first: there is no result to export."));
    ReportItem item;
    item.result = &a->result;
    item.manifest = &slot->package->manifest;
    item.metadata = study->image->metadata;
    if (format == ReportFormat::Html) {
        Result<DisplayImage> shown = renderImage(*study->image);
        if (shown)
            item.pictures.push_back(
                {"The image as displayed", shown->width, shown->height, 4, std::move(shown->rgba)});
    }
    ReportOptions options; // no clock read, so the same analysis gives the same file
    // Identifiers only when the user chose to see them (Show patient identifiers, P); left out by default.
    options.includeIdentifiers = state.settings.showIdentifiers;
    const std::span<const ReportItem> items(&item, 1);
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
    return ExportedFile{stemOf(study->name) + "-" + slot->id() + "-report." + w.extension, w.mime,
                        std::move(*text)};
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
static std::string describeFinding(const Finding& f) {
    if (!f.hasThreshold) return trf("%s %.2f", trTerm(f.label).c_str(), f.score);
    const std::string label = trTerm(f.label);
    return f.positive ? trf("%s %.2f (at or above the %.2f threshold)", label.c_str(), f.score, f.threshold)
                      : trf("%s %.2f (below the %.2f threshold)", label.c_str(), f.score, f.threshold);
}

std::string describeForScreenReader(const Study& study, const std::string& modelId) {
    const char* name = study.name.c_str();
    if (!study.ok()) return trf("%s could not be opened: %s", name, study.error.c_str());
    const StudyAnalysis* a = study.analysis(modelId);
    if (!a) return trf("%s: not analyzed yet.", name);
    if (a->state == AnalysisState::Queued) return trf("%s: queued for %s.", name, modelId.c_str());
    if (a->state == AnalysisState::Running) return trf("%s: analyzing with %s.", name, modelId.c_str());
    if (a->state == AnalysisState::Failed) return trf("%s: analysis failed: %s", name, a->error.c_str());
    const AnalysisResult& r = a->result;
    const std::string separator = tr("; ");
    std::string findings;
    for (const Finding& f : r.findings)
        findings += (findings.empty() ? "" : separator) + describeFinding(f);
    if (r.hasMask)
        for (const ClassArea& c : r.mask.areas)
            if (c.name != "background")
                findings += (findings.empty() ? "" : separator) +
                            trf("%s %.2f%% of the image", trTerm(c.name).c_str(), c.fraction * 100);
    std::string text = trf("%s: %s", name, findings.c_str());
    if (r.ood.present && !r.ood.inDistribution)
        text +=
            tr(". Warning: the image is outside what the model was trained on; do not rely on this result");
    return text + trf(". Model %s on %s.", modelId.c_str(), r.backend.c_str()) + " " + tr(kResearchUseNotice);
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
