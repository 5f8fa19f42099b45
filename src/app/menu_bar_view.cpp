// menu_bar_view.cpp — the main menu bar, with the research-use notice always visible on its right, and the
// application-wide keyboard shortcuts (the viewport and study list handle their own keys).
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/archive_browser.h"
#include "app/archive_send.h"
#include "app/i18n.h"
#include "app/views.h"

#include <imgui.h>

namespace dx {

void handleGlobalShortcuts(AppState& state) {
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsKeyPressed(ImGuiKey_F1, false)) state.views.showShortcuts = !state.views.showShortcuts;
    if (io.WantTextInput) return; // typing into a field: letters and Enter belong to it
    const bool ctrl = io.KeyCtrl || io.KeySuper;
    if (ctrl && ImGui::IsKeyPressed(ImGuiKey_O, false) && state.commands.openFilePicker)
        state.commands.openFilePicker();
    if (ctrl && ImGui::IsKeyPressed(ImGuiKey_Enter, false) && state.selectedStudy)
        analyzeStudy(state, state.selectedStudy);
    if (io.KeyAlt && ImGui::IsKeyPressed(ImGuiKey_L, false))
        switchLanguage(state, currentLanguage() == Language::English ? Language::ChineseSimplified
                                                                     : Language::English);
    if (ctrl && ImGui::IsKeyPressed(ImGuiKey_B, false)) state.views.showBatch = !state.views.showBatch;
    if (ctrl && ImGui::IsKeyPressed(ImGuiKey_L, false))
        state.views.showValidation = !state.views.showValidation;
}

static void drawBackendChoice(AppState& state) {
    BackendChoice& b = state.settings.backend;
    ImGui::TextDisabled("%s", tr("Inference backend for models opened from now on"));
    if (ImGui::MenuItem(tr("Automatic (WebGPU on a hardware GPU, else WebAssembly)"), nullptr,
                        b == BackendChoice::Auto))
        b = BackendChoice::Auto;
    if (ImGui::MenuItem(tr("WebGPU first (WebAssembly if a model fails its self-test)"), nullptr,
                        b == BackendChoice::WebGpu, state.platform.webgpuAvailable))
        b = BackendChoice::WebGpu;
    if (ImGui::MenuItem(tr("WebAssembly only (CPU)"), nullptr, b == BackendChoice::Wasm))
        b = BackendChoice::Wasm;
}

// Each language is listed by its own name, so a user who cannot read the current one still finds theirs.
static void drawLanguageMenu(AppState& state) {
    for (Language language : {Language::English, Language::ChineseSimplified})
        if (ImGui::MenuItem(languageNativeName(language), "Alt+L", currentLanguage() == language))
            switchLanguage(state, language);
}

static void drawNoticeAtRight() {
    const char* notice = tr(kResearchUseNotice);
    const float width = ImGui::CalcTextSize(notice).x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
    ImGui::SameLine(ImGui::GetWindowWidth() - width);
    ImGui::TextColored(ImVec4(1.0f, 0.78f, 0.35f, 1.0f), "%s", notice);
}

void drawExportMenu(AppState& state) {
    const bool ready = exportSelectedStudyReport(state, ReportFormat::Csv).ok();
    if (!ImGui::BeginMenu(tr("Export report"), ready)) return;
    if (ImGui::MenuItem(tr("JSON (complete, machine-readable)")))
        downloadSelectedStudyReport(state, ReportFormat::Json);
    if (ImGui::MenuItem(tr("CSV (one row)"))) downloadSelectedStudyReport(state, ReportFormat::Csv);
    if (ImGui::MenuItem(tr("HL7 FHIR R4 DiagnosticReport")))
        downloadSelectedStudyReport(state, ReportFormat::Fhir);
    if (ImGui::MenuItem(tr("Printable page (HTML; print to PDF)")))
        downloadSelectedStudyReport(state, ReportFormat::Html);
    ImGui::Separator();
    if (ImGui::MenuItem(tr("DICOM SR (structured report for the PACS)")))
        downloadSelectedStudyReport(state, ReportFormat::DicomSr);
    // Offered only where a segmentation model has a mask for this study.
    if (ImGui::MenuItem(tr("DICOM SEG (segmentation for the PACS)"), nullptr, false,
                        selectedStudyHasSegmentation(state)))
        downloadSelectedStudyReport(state, ReportFormat::DicomSeg);
    // Only for a study opened from an archive whose archives.json entry allows it (stowAllowed), on this click.
    if (sendToArchiveOffered(state)) {
        std::string why;
        const bool possible = canSendResultsToArchive(state, &why);
        if (ImGui::MenuItem(tr("Send results to archive (STOW-RS)"), nullptr, false, possible))
            sendResultsToArchive(state);
        if (!possible && !why.empty()) ImGui::TextDisabled("%s", why.c_str());
    }
    ImGui::TextDisabled(
        "%s", state.settings.showIdentifiers
                  ? tr("Patient identifiers are included (shown on screen); reports are written in English.")
                  : tr("Patient identifiers are left out; reports are written in English."));
    ImGui::EndMenu();
}

void drawMenuBar(AppState& state) {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu(tr("File"))) {
        if (ImGui::MenuItem(tr("Open images…"), "Ctrl+O") && state.commands.openFilePicker)
            state.commands.openFilePicker();
        // Only when the deployment names an archive in archives.json.
        if (archivesAvailable(state))
            ImGui::MenuItem(tr("Open from archive…"), nullptr, &state.views.showArchiveBrowser);
        if (ImGui::MenuItem(tr("Open model package…")) && state.commands.openModelPicker)
            state.commands.openModelPicker();
        ImGui::Separator();
        ImGui::MenuItem(tr("Batch screening…"), "Ctrl+B", &state.views.showBatch);
        ImGui::MenuItem(tr("Validate on a labelled set…"), "Ctrl+L", &state.views.showValidation);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr("Settings"))) {
        drawBackendChoice(state);
        ImGui::Separator();
        ImGui::MenuItem(tr("Analyze images as soon as they are opened"), nullptr,
                        &state.settings.autoAnalyze);
        ImGui::MenuItem(tr("Show patient identifiers (also in exports)"), "P",
                        &state.settings.showIdentifiers);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr("View"))) {
        ImGui::MenuItem(tr("UI metrics (for developers)"), nullptr, &state.views.showMetrics);
        ImGui::EndMenu();
    }
    // "Language / 语言" in both languages: findable whichever one is showing.
    if (ImGui::BeginMenu("Language / \xE8\xAF\xAD\xE8\xA8\x80###language")) {
        drawLanguageMenu(state);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr("Help"))) {
        ImGui::MenuItem(tr("Keyboard shortcuts"), "F1", &state.views.showShortcuts);
        ImGui::MenuItem(tr("About DxLens"), nullptr, &state.views.showAbout);
        ImGui::EndMenu();
    }
    drawNoticeAtRight();
    ImGui::EndMainMenuBar();
}

} // namespace dx
