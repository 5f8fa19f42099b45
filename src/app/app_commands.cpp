#include "app/app_commands.h"

#include "core/model_library.h"
#include "core/render.h"
#include "core/report.h"
#include "core/workspace.h"

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

int openFile(AppState& state, const std::string& name, const Bytes& bytes) {
    const int id = state.workspace->addFile(name, bytes);
    selectStudy(state, id);
    const Study* study = state.workspace->find(id);
    if (!study->ok()) {
        if (state.commands.announce) state.commands.announce(name + " could not be opened: " + study->error);
        return id;
    }
    if (state.settings.autoAnalyse) analyseStudy(state, id);
    return id;
}

void analyseStudy(AppState& state, int studyId) {
    const ModelSlot* slot = activeModel(state);
    if (!slot || !state.workspace) return;
    const std::string modelId = slot->id();
    auto announce = state.commands.announce;
    state.workspace->analyze(studyId, *slot, [announce, modelId](const Study& s) {
        if (announce) announce(describeForScreenReader(s, modelId));
    });
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
    state.workspace->explain(study->id, *slot, label, [announce, label](const Study& s) {
        const StudyAnalysis* done = nullptr;
        for (const auto& [id, analysis] : s.analyses)
            if (analysis.saliency.ready || !analysis.saliency.error.empty()) done = &analysis;
        if (!announce || !done) return;
        if (done->saliency.ready)
            announce(s.name + ": heatmap for " + label + " is ready (" +
                     std::to_string(int(done->saliency.map.elapsedMs)) + " ms).");
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
        return Error("Select an analysed image first: there is no result to export.");
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
    Result<ExportedFile> file = exportSelectedStudyReport(state, format);
    if (!file) {
        if (state.commands.announce)
            state.commands.announce("The report could not be exported: " + file.error().message);
        return false;
    }
    if (state.commands.downloadFile) state.commands.downloadFile(file->name, file->mime, file->text);
    if (state.commands.announce) state.commands.announce("Report saved as " + file->name + ".");
    return true;
}

static std::string formatScore(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string describeForScreenReader(const Study& study, const std::string& modelId) {
    if (!study.ok()) return study.name + " could not be opened: " + study.error;
    const StudyAnalysis* a = study.analysis(modelId);
    if (!a) return study.name + ": not analysed yet.";
    if (a->state == AnalysisState::Running) return study.name + ": analysing with " + modelId + ".";
    if (a->state == AnalysisState::Failed) return study.name + ": analysis failed: " + a->error;
    const AnalysisResult& r = a->result;
    std::string text = study.name + ": ";
    bool first = true;
    for (const Finding& f : r.findings) {
        text += (first ? "" : "; ") + f.label + " " + formatScore(f.score);
        if (f.hasThreshold)
            text += std::string(f.positive ? " (at or above" : " (below") + " the " +
                    formatScore(f.threshold) + " threshold)";
        first = false;
    }
    if (r.hasMask)
        for (const ClassArea& c : r.mask.areas)
            if (c.name != "background")
                text += (first ? "" : "; ") + c.name + " " + formatScore(c.fraction * 100) + "% of the image";
    if (r.ood.present && !r.ood.inDistribution)
        text += ". Warning: the image is outside what the model was trained on; do not rely on this result";
    return text + ". Model " + modelId + " on " + r.backend + ". Research use only, not a medical device.";
}

} // namespace dx
