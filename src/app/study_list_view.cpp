// study_list_view.cpp — the studies opened in this session, one entry per series (DICOM files sharing a
// Series Instance UID, series.h; any other file on its own): thumbnail, name, modality, size, what the image
// models made of it (the most important positive finding, or how far the analyses are, errors with their
// message, each in its own colour) and the
// patient line, identifiers masked unless "Show patient identifiers" (P) is on. Click or Up/Down to select;
// right-click to analyze again or remove.
#include "app/app_commands.h"
#include "app/gpu_texture.h"
#include "app/i18n.h"
#include "app/population_commands.h"
#include "app/study_models.h"
#include "app/views.h"
#include "core/dicom/patient_summary.h"
#include "core/image/render.h"
#include "core/inference/model_library.h"
#include "core/viewer/series.h"
#include "core/viewer/workspace.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>

namespace dx {

static const ImVec4 kErrorColour(1.0f, 0.45f, 0.40f, 1.0f);
static const ImVec4 kPositiveColour(1.0f, 0.70f, 0.30f, 1.0f);
static const ImVec4 kQueuedColour(0.62f, 0.68f, 0.95f, 1.0f);    // waiting its turn
static const ImVec4 kAnalyzingColour(0.40f, 0.85f, 0.95f, 1.0f); // with the model now

// Status lines that can be long (an error message) wrap in the narrow list instead of running off its edge.
static void textWrappedColoured(const ImVec4& colour, const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

static std::string byteSizeText(size_t bytes) {
    char buf[32];
    if (bytes >= 1024 * 1024)
        std::snprintf(buf, sizeof buf, tr("%.1f MB"), bytes / (1024.0 * 1024.0));
    else
        std::snprintf(buf, sizeof buf, tr("%.0f KB"), bytes / 1024.0);
    return buf;
}

// The line under the name: the most important positive finding of the models that apply (how many more
// there are), else that none flagged anything; while models run, how far they are; errors with their message.
static void drawStudyStatus(AppState& state, Workspace& workspace, const Study& study) {
    if (!study.ok()) {
        textWrappedColoured(kErrorColour, trf("Cannot open: %s", study.error.c_str()));
        return;
    }
    const Image& img = *study.image;
    std::string modality = study.attribute("Modality");
    ImGui::TextDisabled("%s%s%dx%d, %s", modality.c_str(), modality.empty() ? "" : ", ", img.width,
                        img.height, byteSizeText(study.byteSize).c_str());
    const std::vector<StudyModel> models = studyModels(state, study);
    const StudyProgress progress = studyProgress(models);
    if (progress.asked == 0) {
        if (workspace.awaitingModel(study.id))
            textWrappedColoured(kQueuedColour, tr("Queued: waiting for the model to load"));
        else if (!models.empty() && std::all_of(models.begin(), models.end(),
                                                [](const StudyModel& m) { return m.listedApart(); }))
            textWrappedColoured(ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled),
                                tr("No image model applies to this image"));
        return;
    }
    const Finding* top = nullptr;
    const StudyModel* from = mostImportantFinding(models, &top);
    int positives = 0;
    for (const StudyModel& m : models)
        if (m.findingsShown())
            for (const Finding& f : m.analysis->result.findings)
                positives += f.positive ? 1 : 0;
    if (from) {
        std::string line = formatText(
            "%s %.2f", localizedLabelText(from->slot->package->manifest, top->label).c_str(), top->score);
        if (positives > 1) line += trf(" (+%d more)", positives - 1);
        textWrappedColoured(kPositiveColour, line);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", from->name().c_str());
    }
    if (progress.running > 0)
        ImGui::TextColored(kAnalyzingColour, tr("Analyzing… %d of %d done"), progress.finished,
                           progress.asked);
    else if (progress.queued > 0) {
        int ahead = -1;
        for (const StudyModel& m : models)
            if (m.pending()) {
                const int n = workspace.analysesAhead(study.id, m.id());
                if (n >= 0 && (ahead < 0 || n < ahead)) ahead = n;
            }
        ImGui::TextColored(kQueuedColour, tr("Queued, %d ahead"), ahead);
    } else if (!from) {
        bool anyFindings = false, anyMask = false;
        for (const StudyModel& m : models)
            if (m.findingsShown()) {
                anyFindings = anyFindings || !m.analysis->result.findings.empty();
                anyMask = anyMask || m.analysis->result.hasMask;
            }
        if (anyFindings)
            ImGui::TextColored(ImVec4(0.6f, 0.85f, 0.6f, 1.0f), "%s", tr("Nothing flagged"));
        else if (anyMask)
            ImGui::TextDisabled("%s", tr("Segmentation ready"));
    }
    // A finding held back for the population, or withheld for a patient outside it, is said, never hidden.
    if (std::any_of(models.begin(), models.end(),
                    [](const StudyModel& m) { return m.awaitingPopulationConfirmation(); }))
        textWrappedColoured(kQueuedColour, tr("Population not verified: confirm in the findings panel"));
    if (std::any_of(models.begin(), models.end(),
                    [](const StudyModel& m) { return m.gate == ModelGate::OutsidePopulation; }))
        textWrappedColoured(ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled),
                            tr("Outside the intended population"));
    for (const StudyModel& m : models)
        if (m.analysis && m.analysis->state == AnalysisState::Failed)
            textWrappedColoured(kErrorColour, trf("Analysis failed: %s", m.analysis->error.c_str()));
}

// Thumbnails: one small GPU texture per study, made from a nearest-neighbour copy of its first frame with
// the image's default window (so a 4096x4096 image costs a 64x64 render, not a full one).
static std::map<int, std::unique_ptr<GpuTexture>> g_thumbnails;
constexpr int kThumbnailSide = 64; // CSS pixels on the long side

static Image subsampledFrame(const Image& img, int frame, int maxSide) {
    Image small;
    const double step = std::max(1.0, double(std::max(img.width, img.height)) / maxSide);
    small.width = std::max(1, int(img.width / step));
    small.height = std::max(1, int(img.height / step));
    small.samplesPerPixel = img.samplesPerPixel;
    small.sampleType = img.sampleType;
    small.bitsStored = img.bitsStored;
    small.photometric = img.photometric;
    small.rescaleSlope = img.rescaleSlope;
    small.rescaleIntercept = img.rescaleIntercept;
    small.voiSigmoid = img.voiSigmoid;
    small.metadata = img.metadata;
    const size_t pixelBytes = bytesPerSample(img.sampleType) * size_t(img.samplesPerPixel);
    small.pixels.resize(small.frameBytes());
    const uint8_t* source = img.frameData(frame);
    for (int y = 0; y < small.height; y++)
        for (int x = 0; x < small.width; x++) {
            const size_t sx = std::min(size_t(x * step), size_t(img.width - 1));
            const size_t sy = std::min(size_t(y * step), size_t(img.height - 1));
            std::memcpy(small.pixels.data() + (size_t(y) * small.width + x) * pixelBytes,
                        source + (sy * img.width + sx) * pixelBytes, pixelBytes);
        }
    return small;
}

// The study's thumbnail, made on first use; at most one is made per frame so opening a long series stays
// responsive. Null while it waits its turn or when the study could not be opened.
static const GpuTexture* thumbnailFor(const Study& study, bool& madeOneThisFrame) {
    auto it = g_thumbnails.find(study.id);
    if (it != g_thumbnails.end()) return it->second.get();
    if (!study.ok() || madeOneThisFrame) return nullptr;
    madeOneThisFrame = true;
    const Image& img = *study.image;
    RenderOptions options;
    options.window = defaultWindow(img, 0);
    auto texture = std::make_unique<GpuTexture>();
    Result<DisplayImage> shown = renderImage(subsampledFrame(img, 0, kThumbnailSide * 2), options);
    if (shown) texture->upload(shown->width, shown->height, shown->rgba.data());
    return g_thumbnails.emplace(study.id, std::move(texture)).first->second.get();
}

static void forgetRemovedThumbnails(Workspace& workspace) {
    for (auto it = g_thumbnails.begin(); it != g_thumbnails.end();)
        it = workspace.find(it->first) ? std::next(it) : g_thumbnails.erase(it);
}

static void selectWithArrowKeys(AppState& state, const std::vector<Series>& series) {
    if (series.empty() || !ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) return;
    int index = 0;
    for (int i = 0; i < int(series.size()); i++)
        for (int id : series[size_t(i)].studyIds)
            if (id == state.selectedStudy) index = i;
    if (ImGui::IsKeyPressed(ImGuiKey_DownArrow) && index + 1 < int(series.size()))
        selectStudy(state, series[size_t(index + 1)].studyIds.front());
    if (ImGui::IsKeyPressed(ImGuiKey_UpArrow) && index > 0)
        selectStudy(state, series[size_t(index - 1)].studyIds.front());
}

// "Chest CT (12 files, 36 frames)" for a series, the file name for a single image.
static std::string seriesTitle(const Series& series, const Study& first) {
    if (series.studyIds.size() < 2 && series.slices.size() < 2) return first.name;
    std::string title = first.attribute("SeriesDescription");
    if (title.empty()) title = first.name;
    char counts[96];
    if (series.studyIds.size() > 1)
        std::snprintf(counts, sizeof counts, tr(" (%d files, %d images)"), int(series.studyIds.size()),
                      int(series.slices.size()));
    else
        std::snprintf(counts, sizeof counts, tr(" (%d frames)"), int(series.slices.size()));
    return title + counts;
}

static void drawSeriesEntry(AppState& state, Workspace& workspace, const Series& series, bool& madeThumbnail,
                            std::vector<int>& remove) {
    const bool selected = std::find(series.studyIds.begin(), series.studyIds.end(), state.selectedStudy) !=
                          series.studyIds.end();
    // The selected member speaks for the series (its status, its thumbnail); otherwise the first slice.
    Study* shown = workspace.find(selected ? state.selectedStudy : series.studyIds.front());
    if (!shown) return;
    ImGui::PushID(series.studyIds.front());
    const float side = kThumbnailSide * state.uiScale;
    const GpuTexture* thumb = thumbnailFor(*shown, madeThumbnail);
    const ImVec2 start = ImGui::GetCursorScreenPos();
    if (thumb && thumb->valid()) {
        const float k = side / float(std::max(thumb->width(), thumb->height()));
        ImGui::Image(thumb->id(), ImVec2(thumb->width() * k, thumb->height() * k));
    } else {
        ImGui::Dummy(ImVec2(side, side));
    }
    if (ImGui::IsItemClicked()) selectStudy(state, series.studyIds.front());
    ImGui::SameLine();
    ImGui::BeginGroup();
    const std::string title = seriesTitle(series, *shown);
    // A long file name is cut with "…" to the list's width, the whole name in a tooltip.
    const std::string shownTitle = fittedLabel(title, ImGui::GetContentRegionAvail().x);
    if (ImGui::Selectable((shownTitle + "##title").c_str(), selected))
        selectStudy(state, series.studyIds.front());
    if (shownTitle != title && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", title.c_str());
    if (ImGui::BeginPopupContextItem()) {
        if (ImGui::MenuItem(tr("Analyze again"), nullptr, false, shown->ok() && activeModel(state)))
            for (int id : series.studyIds)
                analyzeStudy(state, id);
        if (ImGui::MenuItem(tr("Remove from the list"))) remove = series.studyIds;
        ImGui::EndPopup();
    }
    drawStudyStatus(state, workspace, *shown);
    if (shown->ok()) {
        const std::string patient = patientSummary(shown->image->metadata, state.settings.showIdentifiers);
        if (!patient.empty()) textWrappedColoured(ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled), patient);
    }
    ImGui::EndGroup();
    // Keep rows at least a thumbnail high so the list does not jump while thumbnails arrive.
    const float bottom = start.y + side + ImGui::GetStyle().ItemSpacing.y;
    if (ImGui::GetCursorScreenPos().y < bottom)
        ImGui::Dummy(ImVec2(0, bottom - ImGui::GetCursorScreenPos().y));
    ImGui::PopID();
}

void drawStudyList(AppState& state, const PanelRect& rect) {
    if (beginPanel((std::string(tr("Studies")) + "###Studies").c_str(), rect) && state.workspace) {
        Workspace& workspace = *state.workspace;
        if (ImGui::Button(tr("Open images…"))) {
            if (state.commands.openFilePicker) state.commands.openFilePicker();
        }
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tr("or drop files or a folder here"));
        ImGui::Checkbox(tr("Show patient identifiers (P)"), &state.settings.showIdentifiers);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s",
                              tr("Patient name, ID, birth date and institution are hidden on screen and left "
                                 "out of exported reports unless this is on."));
        ImGui::Separator();
        const std::vector<Series> series = groupSeries(workspace.studies());
        if (series.empty())
            ImGui::TextWrapped("%s",
                               tr("No studies yet. PNG, JPEG, BMP and DICOM files are read on this device."));
        std::vector<int> remove;
        bool madeThumbnail = false;
        for (const Series& s : series)
            drawSeriesEntry(state, workspace, s, madeThumbnail, remove);
        for (int id : remove) {
            workspace.remove(id);
            if (state.selectedStudy == id) selectStudy(state, 0);
        }
        if (!remove.empty()) forgetRemovedThumbnails(workspace);
        selectWithArrowKeys(state, series);
    }
    ImGui::End();
}

} // namespace dx
