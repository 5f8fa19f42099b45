// batch_view.cpp — the Batch screening window (Ctrl+B): queue a folder, run it through the active model with
// a progress bar (done/total, rate, time left) and Cancel, a sortable results table with failures and their
// reasons, and CSV export. Double-click (or Enter on) a row to open that image in the workstation.
//
// How to use: drawBatchWindow(state) every frame; it draws nothing while state.views.showBatch is false.
#include "app/app_commands.h"
#include "app/batch_state.h"
#include "app/i18n.h"
#include "app/views.h"
#include "core/inference/model_library.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace dx {

static const ImVec4 kFailedColour(1.0f, 0.45f, 0.4f, 1.0f);
static const ImVec4 kWarningColour(1.0f, 0.78f, 0.35f, 1.0f);

enum BatchColumn {
    ColumnOrder,
    ColumnFile,
    ColumnFinding,
    ColumnScore,
    ColumnDecision,
    ColumnOod,
    ColumnStatus
};

static float sortScore(const BatchItem& item) {
    const Finding* top = item.top();
    return top ? top->score : -1.0f; // failed and pending rows sort below every score
}

static bool rowLess(const BatchItem& a, const BatchItem& b, int column) {
    switch (column) {
    case ColumnFile:
        return a.name < b.name;
    case ColumnFinding:
        return (a.top() ? a.top()->label : "") < (b.top() ? b.top()->label : "");
    case ColumnScore:
        return sortScore(a) < sortScore(b);
    case ColumnDecision:
        return (a.top() && a.top()->positive) < (b.top() && b.top()->positive);
    case ColumnOod:
        return a.outOfDistribution < b.outOfDistribution;
    case ColumnStatus:
        return int(a.state) < int(b.state);
    default:
        return false;
    }
}

// Rows in display order; re-sorted when the sort column changes or new results arrived.
static void sortRows(BatchScreening& b, ImGuiTableSortSpecs* specs) {
    const std::vector<BatchItem>& items = b.run->items();
    const BatchProgress p = b.run->progress(monotonicMs());
    bool dirty = b.rows.size() != items.size() || b.sortedAtFinished != p.finished;
    if (specs && specs->SpecsDirty) {
        b.sortColumn = specs->SpecsCount ? int(specs->Specs[0].ColumnUserID) : -1;
        b.sortAscending = !specs->SpecsCount || specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        specs->SpecsDirty = false;
        dirty = true;
    }
    if (!dirty) return;
    b.rows.resize(items.size());
    for (size_t i = 0; i < items.size(); i++)
        b.rows[i] = i;
    const int column = b.sortColumn;
    const bool ascending = b.sortAscending;
    std::stable_sort(b.rows.begin(), b.rows.end(), [&](size_t x, size_t y) {
        if (column <= ColumnOrder) return ascending ? x < y : y < x;
        return ascending ? rowLess(items[x], items[y], column) : rowLess(items[y], items[x], column);
    });
    b.sortedAtFinished = p.finished;
}

// Reads the file again and opens it in the workstation (the batch itself keeps no pixels).
static void openInWorkstation(AppState& state, size_t index) {
    const BatchScreening& b = *state.batch;
    const std::string name = b.files.names[index];
    AppState* app = &state;
    b.files.read(index, [app, name](Result<Bytes> bytes) {
        if (bytes)
            openFile(*app, name, *bytes);
        else if (app->commands.announce)
            app->commands.announce(name + ": " + bytes.error().message);
    });
}

static void drawStatusCell(const BatchItem& item) {
    if (item.state == BatchItemState::Failed) {
        ImGui::TextColored(kFailedColour, "%s", item.error.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", item.error.c_str());
    } else {
        ImGui::TextUnformatted(tr(batchItemStateName(item.state)));
    }
}

static void drawResultRow(AppState& state, size_t index) {
    const BatchItem& item = state.batch->run->items()[index];
    const Finding* top = item.top();
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    char id[32];
    std::snprintf(id, sizeof id, "%zu##row", index + 1);
    if (ImGui::Selectable(id, false,
                          ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick) &&
        (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) || ImGui::IsKeyPressed(ImGuiKey_Enter)))
        openInWorkstation(state, index);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("Double-click or Enter: open this image"));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(item.name.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(top ? top->label.c_str() : "");
    ImGui::TableNextColumn();
    if (top) ImGui::Text("%.3f", top->score);
    ImGui::TableNextColumn();
    if (top)
        ImGui::TextUnformatted(!top->hasThreshold ? tr("no threshold")
                               : top->positive    ? tr("positive")
                                                  : tr("negative"));
    ImGui::TableNextColumn();
    if (item.outOfDistribution)
        ImGui::TextColored(kWarningColour, "%s", tr("outside training data"));
    else if (item.hasOod && item.state == BatchItemState::Done)
        ImGui::TextDisabled("%s", tr("ok"));
    ImGui::TableNextColumn();
    drawStatusCell(item);
}

static void drawResultsTable(AppState& state) {
    BatchScreening& b = *state.batch;
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("##batch-results", 7, flags, ImVec2(0.0f, ImGui::GetContentRegionAvail().y)))
        return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_DefaultSort, 0.35f, ColumnOrder);
    ImGui::TableSetupColumn(tr("File"), 0, 2.4f, ColumnFile);
    ImGui::TableSetupColumn(tr("Top finding"), 0, 1.0f, ColumnFinding);
    ImGui::TableSetupColumn(tr("Score"), ImGuiTableColumnFlags_PreferSortDescending, 0.6f, ColumnScore);
    ImGui::TableSetupColumn(tr("Decision"), 0, 0.8f, ColumnDecision);
    ImGui::TableSetupColumn(tr("OOD"), 0, 0.9f, ColumnOod);
    ImGui::TableSetupColumn(tr("Status"), 0, 1.6f, ColumnStatus);
    ImGui::TableHeadersRow();
    sortRows(b, ImGui::TableGetSortSpecs());
    ImGuiListClipper clipper; // thousands of rows: only the visible ones are laid out
    clipper.Begin(int(b.rows.size()));
    while (clipper.Step())
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; r++)
            drawResultRow(state, b.rows[size_t(r)]);
    ImGui::EndTable();
}

// The progress bar and its line: done/total, rate, elapsed, time left, failures. Shared with validation.
void drawBatchProgress(const BatchRun& run) {
    const BatchProgress p = run.progress(monotonicMs());
    const float fraction = p.total ? float(p.finished + p.cancelled) / float(p.total) : 0.0f;
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, tr("%d of %d"), int(p.finished), int(p.total));
    ImGui::ProgressBar(fraction, ImVec2(-1.0f, 0.0f), overlay);
    char text[256];
    std::snprintf(text, sizeof text, tr("%.1f images/s, %s elapsed"), p.imagesPerSecond,
                  formatDuration(p.elapsedSeconds).c_str());
    std::string line = text;
    if (p.running && p.secondsLeft >= 0.0) {
        std::snprintf(text, sizeof text, tr(", about %s left"), formatDuration(p.secondsLeft).c_str());
        line += text;
    }
    if (p.failed) {
        std::snprintf(text, sizeof text, tr(", %d failed"), int(p.failed));
        line += text;
    }
    if (p.cancelled) {
        std::snprintf(text, sizeof text, tr(", %d cancelled"), int(p.cancelled));
        line += text;
    }
    ImGui::TextUnformatted(line.c_str());
}

bool beginBatchWindow(const char* title, bool* open, int* focusedFrame, ImVec2 size, const char* intro) {
    ImGui::SetNextWindowSize(size, ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(title, open, ImGuiWindowFlags_NoSavedSettings)) return false;
    if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) *focusedFrame = ImGui::GetFrameCount();
    ImGui::TextWrapped("%s", intro);
    return true;
}

void drawBatchStatus(const BatchRun* run, const std::string& message) {
    if (run) drawBatchProgress(*run);
    if (!message.empty()) ImGui::TextWrapped("%s", message.c_str());
    ImGui::TextColored(kWarningColour, "%s", tr(kResearchUseNotice));
}

bool buttonIf(bool enabled, const char* label) {
    ImGui::BeginDisabled(!enabled);
    const bool pressed = ImGui::Button(label);
    ImGui::EndDisabled();
    return pressed && enabled;
}

static void drawBatchToolbar(AppState& state) {
    BatchScreening& b = *state.batch;
    const bool running = b.run && !b.run->finished();
    const ModelSlot* slot = activeModel(state);
    if (buttonIf(!running, tr("Add folder…"))) pickBatchFiles(state, BatchQueueId::Batch, true);
    ImGui::SameLine();
    if (buttonIf(!running, tr("Add files…"))) pickBatchFiles(state, BatchQueueId::Batch, false);
    ImGui::SameLine();
    if (buttonIf(!running && !b.files.names.empty() && slot, tr("Start"))) startBatch(state);
    ImGui::SameLine();
    if (buttonIf(running, tr("Cancel"))) cancelBatch(state);
    ImGui::SameLine();
    if (buttonIf(b.run && !running, tr("Export CSV…"))) downloadBatchExport(state, BatchExport::BatchCsv);
    if (slot)
        ImGui::Text(tr("Model: %s. Queued: %d files from %s."), slot->id().c_str(), int(b.files.names.size()),
                    b.files.source.empty() ? tr("nothing yet") : b.files.source.c_str());
    else
        ImGui::TextColored(kWarningColour, "%s", tr("No image model is ready: open a model package first."));
}

void drawBatchWindow(AppState& state) {
    if (!state.batch || !state.views.showBatch) return;
    BatchScreening& b = *state.batch;
    const ImVec2 size(820.0f * state.uiScale, 520.0f * state.uiScale);
    if (beginBatchWindow(
            tr("Batch screening"), &state.views.showBatch, &b.focusedFrame, size,
            tr("Analyze a folder of images with the active model. Pick or drop a folder while this "
               "window is open. Only the scores are kept; images stay on this device."))) {
        drawBatchToolbar(state);
        drawBatchStatus(b.run.get(), b.message);
        if (b.run) drawResultsTable(state);
    }
    ImGui::End();
}

} // namespace dx
