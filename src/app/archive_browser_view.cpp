// archive_browser_view.cpp — File > Open from archive…: search the hospital archive, pick a study, see its series
// with thumbnails, open a series or the whole study into the study list; progress, cancel and every message of
// the study browser (archive_browser.h) are shown here.
//
// Keyboard: Enter in any search field searches; with the results focused, Up/Down move the selection (listing
// the study's series), Enter opens the selected study, Page Up/Page Down change pages, Escape cancels what is
// under way. The mouse does the same: a click selects, a double click opens.
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/archive_browser.h"
#include "app/gpu_texture.h"
#include "app/i18n.h"
#include "app/views.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>

namespace dx {

namespace {

// The search form as typed (ImGui edits fixed buffers); copied into the browser's form when a search starts.
struct FormText {
    char patientId[65] = "";
    char patientName[65] = "";
    char dateFrom[9] = "";
    char dateTo[9] = "";
    char modality[17] = "";
    char accession[17] = "";
};
FormText g_form;

struct ShownThumbnail {
    std::unique_ptr<GpuTexture> texture;
    int version = -1;
};
std::map<std::string, ShownThumbnail> g_thumbnails; // by series UID

void startSearch(AppState& state, int page) {
    StudySearch& f = state.archive->form;
    f.patientId = g_form.patientId;
    f.patientName = g_form.patientName;
    f.studyDateFrom = g_form.dateFrom;
    f.studyDateTo = g_form.dateTo;
    f.modality = g_form.modality;
    f.accessionNumber = g_form.accession;
    searchArchive(state, page);
}

bool field(const char* label, char* buffer, size_t size, const char* hint, float width) {
    ImGui::SetNextItemWidth(width);
    return ImGui::InputTextWithHint(label, hint, buffer, size, ImGuiInputTextFlags_EnterReturnsTrue);
}

void drawSearchForm(AppState& state) {
    ArchiveBrowser& b = *state.archive;
    const ArchiveConfig* archive = currentArchive(state);
    if (b.config.archives.size() > 1) {
        ImGui::SetNextItemWidth(260.0f * state.uiScale);
        if (ImGui::BeginCombo(tr("Archive"), archive->name.c_str())) {
            for (size_t i = 0; i < b.config.archives.size(); i++)
                if (ImGui::Selectable(b.config.archives[i].name.c_str(), int(i) == b.archiveIndex)) {
                    b.archiveIndex = int(i);
                    b.studies.clear();
                    b.series.clear();
                    b.seriesOfStudy.clear();
                }
            ImGui::EndCombo();
        }
    } else {
        ImGui::TextDisabled(tr("Archive: %s"), archive->name.c_str());
    }
    const float w = 150.0f * state.uiScale;
    bool search = false;
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    search |= field(tr("Patient ID"), g_form.patientId, sizeof g_form.patientId, "", w);
    ImGui::SameLine();
    search |= field(tr("Patient name"), g_form.patientName, sizeof g_form.patientName,
                    archive->supportsFuzzyMatching ? tr("fuzzy match") : tr("part of the name"), w);
    search |= field(tr("From"), g_form.dateFrom, sizeof g_form.dateFrom, tr("YYYYMMDD"), w * 0.7f);
    ImGui::SameLine();
    search |= field(tr("To"), g_form.dateTo, sizeof g_form.dateTo, tr("YYYYMMDD"), w * 0.7f);
    ImGui::SameLine();
    search |= field(tr("Modality"), g_form.modality, sizeof g_form.modality, tr("e.g. CT"), w * 0.5f);
    ImGui::SameLine();
    search |= field(tr("Accession"), g_form.accession, sizeof g_form.accession, "", w * 0.8f);
    search |= ImGui::Button(tr("Search"));
    ImGui::SameLine();
    if (buttonIf(b.page > 0 && b.searchState != ArchiveBrowser::SearchState::Searching, tr("Previous page")))
        startSearch(state, b.page - 1);
    ImGui::SameLine();
    if (buttonIf(b.hasNextPage && b.searchState != ArchiveBrowser::SearchState::Searching, tr("Next page")))
        startSearch(state, b.page + 1);
    ImGui::SameLine();
    if (buttonIf(archiveBusy(state), tr("Cancel"))) cancelArchiveWork(state);
    if (search) startSearch(state, 0);
    if (!b.searchMessage.empty()) {
        if (b.searchState == ArchiveBrowser::SearchState::Failed)
            ImGui::TextColored(ImVec4(1.0f, 0.55f, 0.45f, 1.0f), "%s", b.searchMessage.c_str());
        else
            ImGui::TextWrapped("%s", b.searchMessage.c_str());
    }
}

void drawResults(AppState& state, float height) {
    ArchiveBrowser& b = *state.archive;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##archive-studies", 6, flags, ImVec2(0.0f, height))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr("Patient"));
    ImGui::TableSetupColumn(tr("Patient ID"));
    ImGui::TableSetupColumn(tr("Date"));
    ImGui::TableSetupColumn(tr("Modalities"));
    ImGui::TableSetupColumn(tr("Description"));
    ImGui::TableSetupColumn(tr("Accession"));
    ImGui::TableHeadersRow();
    int open = -1;
    for (int i = 0; i < int(b.studies.size()); i++) {
        const StudyRecord& s = b.studies[size_t(i)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(i);
        const std::string name =
            state.settings.showIdentifiers ? displayPersonName(s.patientName) : tr("(hidden)");
        if (ImGui::Selectable(name.c_str(), b.selected == i,
                              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
            selectArchiveStudy(state, i);
            if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) open = i;
        }
        if (b.selected == i && ImGui::IsWindowAppearing()) ImGui::SetScrollHereY();
        ImGui::PopID();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(state.settings.showIdentifiers ? s.patientId.c_str() : "");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(displayDicomDate(s.studyDate).c_str());
        ImGui::TableNextColumn();
        std::string modalities;
        for (const std::string& m : s.modalities)
            modalities += (modalities.empty() ? "" : ", ") + m;
        ImGui::TextUnformatted(modalities.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(s.studyDescription.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(s.accessionNumber.c_str());
    }
    ImGui::EndTable();
    // Keys while the window (not a text field) has the keyboard.
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.WantTextInput && ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) &&
        !b.studies.empty()) {
        const int last = int(b.studies.size()) - 1;
        if (ImGui::IsKeyPressed(ImGuiKey_DownArrow))
            selectArchiveStudy(state, std::min(last, b.selected + 1));
        if (ImGui::IsKeyPressed(ImGuiKey_UpArrow)) selectArchiveStudy(state, std::max(0, b.selected - 1));
        if (ImGui::IsKeyPressed(ImGuiKey_Enter, false) && b.selected >= 0) open = b.selected;
        if (ImGui::IsKeyPressed(ImGuiKey_PageDown, false) && b.hasNextPage) startSearch(state, b.page + 1);
        if (ImGui::IsKeyPressed(ImGuiKey_PageUp, false) && b.page > 0) startSearch(state, b.page - 1);
    }
    if (open >= 0) openArchiveStudy(state, b.studies[size_t(open)].studyInstanceUid);
}

const ArchiveRetrieval* latestRetrieval(const ArchiveBrowser& b, const std::string& seriesUid) {
    for (auto it = b.retrievals.rbegin(); it != b.retrievals.rend(); ++it)
        if (it->seriesUid == seriesUid) return &*it;
    return nullptr;
}

void drawRetrievalProgress(const ArchiveRetrieval& r) {
    const bool running =
        r.state == ArchiveRetrieval::State::Listing || r.state == ArchiveRetrieval::State::Retrieving;
    if (running) {
        const float fraction = r.bytesTotal > 0 ? float(r.bytesDone / r.bytesTotal)
                               : r.instancesPlanned > 0
                                   ? float(r.instancesOpened + r.instancesFailed) / float(r.instancesPlanned)
                                   : 0.0f;
        const std::string overlay =
            r.bytesDone > 0 ? trf("%.1f MB received", r.bytesDone / 1048576.0) : std::string(tr("waiting…"));
        ImGui::ProgressBar(fraction, ImVec2(-1.0f, 0.0f), overlay.c_str());
    } else if (!r.message.empty()) {
        const bool bad =
            r.state == ArchiveRetrieval::State::Failed || r.instancesFailed > 0 || r.framesNotLoaded > 0;
        if (bad)
            ImGui::TextColored(ImVec4(1.0f, 0.7f, 0.4f, 1.0f), "%s", r.message.c_str());
        else
            ImGui::TextWrapped("%s", r.message.c_str());
    }
}

void drawThumbnail(const ArchiveSeriesRow& row, float size) {
    const ArchiveThumbnail& t = row.thumbnail;
    if (t.state == ArchiveThumbnail::State::Ready) {
        ShownThumbnail& shown = g_thumbnails[row.record.seriesInstanceUid];
        if (!shown.texture) shown.texture = std::make_unique<GpuTexture>();
        if (shown.version != t.version) {
            shown.texture->upload(t.width, t.height, t.rgba.data());
            shown.version = t.version;
        }
        const float k = size / float(std::max(t.width, t.height));
        ImGui::Image(shown.texture->id(), ImVec2(t.width * k, t.height * k));
        return;
    }
    ImGui::Dummy(ImVec2(size, size));
    const ImVec2 a = ImGui::GetItemRectMin(), z = ImGui::GetItemRectMax();
    ImGui::GetWindowDrawList()->AddRect(a, z, ImGui::GetColorU32(ImGuiCol_Border));
    if (ImGui::IsItemHovered() && !t.message.empty()) ImGui::SetTooltip("%s", t.message.c_str());
}

void drawSeries(AppState& state) {
    ArchiveBrowser& b = *state.archive;
    if (b.selected < 0 || b.selected >= int(b.studies.size())) {
        ImGui::TextDisabled("%s", tr("Select a study to see its series (Up/Down, or click)."));
        return;
    }
    const StudyRecord& study = b.studies[size_t(b.selected)];
    if (ImGui::Button(tr("Open the whole study"))) openArchiveStudy(state, study.studyInstanceUid);
    ImGui::SameLine();
    ImGui::TextDisabled("%s", b.seriesMessage.c_str());
    const float thumb = float(kArchiveThumbnailSize) * state.uiScale;
    for (int i = 0; i < int(b.series.size()); i++) {
        const ArchiveSeriesRow& row = b.series[size_t(i)];
        ImGui::PushID(i);
        ImGui::Separator();
        drawThumbnail(row, thumb);
        ImGui::SameLine();
        ImGui::BeginGroup();
        std::string label = row.record.modality;
        if (row.record.seriesNumber) label += " " + std::to_string(*row.record.seriesNumber);
        if (!row.record.seriesDescription.empty()) label += " \xE2\x80\x94 " + row.record.seriesDescription;
        ImGui::TextUnformatted(label.c_str());
        const int count =
            row.instances ? int(row.instances->size()) : row.record.numberOfInstances.value_or(0);
        if (count > 0) {
            ImGui::SameLine();
            ImGui::TextDisabled(tr("(%d instances)"), count);
        }
        if (ImGui::Button(tr("Open series")))
            openArchiveSeries(state,
                              row.record.studyInstanceUid.empty() ? study.studyInstanceUid
                                                                  : row.record.studyInstanceUid,
                              row.record.seriesInstanceUid);
        if (const ArchiveRetrieval* r = latestRetrieval(b, row.record.seriesInstanceUid))
            drawRetrievalProgress(*r);
        ImGui::EndGroup();
        ImGui::PopID();
    }
}

} // namespace

void drawArchiveBrowserWindow(AppState& state) {
    if (!state.views.showArchiveBrowser || !archivesAvailable(state)) return;
    ArchiveBrowser& b = *state.archive;
    ImGui::SetNextWindowSize(ImVec2(980.0f * state.uiScale, 620.0f * state.uiScale), ImGuiCond_FirstUseEver);
    if (ImGui::Begin(trWindowTitle("Open from archive", "archive-browser").c_str(),
                     &state.views.showArchiveBrowser)) {
        drawSearchForm(state);
        if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) &&
            ImGui::IsKeyPressed(ImGuiKey_Escape, false) && archiveBusy(state))
            cancelArchiveWork(state);
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        const float statusHeight = ImGui::GetTextLineHeightWithSpacing() * 2.0f;
        const float listHeight = std::max(80.0f, avail.y - statusHeight);
        ImGui::BeginChild("##archive-results", ImVec2(avail.x * 0.55f, listHeight));
        drawResults(state, listHeight - ImGui::GetStyle().WindowPadding.y);
        ImGui::EndChild();
        ImGui::SameLine();
        ImGui::BeginChild("##archive-series", ImVec2(0.0f, listHeight), true);
        drawSeries(state);
        ImGui::EndChild();
        if (archiveBusy(state))
            ImGui::TextDisabled(tr("%d requests under way, %d waiting (Escape cancels)."),
                                archiveRequestsInFlight(state), archiveRequestsWaiting(state));
        else if (!b.message.empty() && b.message != b.searchMessage) // the search line says it already
            ImGui::TextWrapped("%s", b.message.c_str());
        ImGui::TextDisabled("%s", tr(kResearchUseNotice));
    }
    ImGui::End();
}

} // namespace dx
