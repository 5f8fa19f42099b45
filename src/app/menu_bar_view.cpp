// menu_bar_view.cpp — the main menu bar, with the research-use notice always visible on its right.
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/views.h"

#include <imgui.h>

namespace dx {

void handleGlobalShortcuts(AppState& state) {
    if (ImGui::IsKeyPressed(ImGuiKey_F1, false)) state.views.showShortcuts = !state.views.showShortcuts;
    const bool ctrl = ImGui::GetIO().KeyCtrl || ImGui::GetIO().KeySuper;
    if (ctrl && ImGui::IsKeyPressed(ImGuiKey_O, false) && state.commands.openFilePicker)
        state.commands.openFilePicker();
}

static void drawBackendChoice(AppState& state) {
    BackendChoice& b = state.settings.backend;
    ImGui::TextDisabled("Inference backend for models opened from now on");
    if (ImGui::MenuItem("Automatic (WebGPU on a hardware GPU, else WebAssembly)", nullptr,
                        b == BackendChoice::Auto))
        b = BackendChoice::Auto;
    if (ImGui::MenuItem("WebGPU first (WebAssembly if a model fails its self-test)", nullptr,
                        b == BackendChoice::WebGpu, state.platform.webgpuAvailable))
        b = BackendChoice::WebGpu;
    if (ImGui::MenuItem("WebAssembly only (CPU)", nullptr, b == BackendChoice::Wasm)) b = BackendChoice::Wasm;
}

static void drawNoticeAtRight() {
    const float width = ImGui::CalcTextSize(kResearchUseNotice).x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
    ImGui::SameLine(ImGui::GetWindowWidth() - width);
    ImGui::TextColored(ImVec4(1.0f, 0.78f, 0.35f, 1.0f), "%s", kResearchUseNotice);
}

void drawExportMenu(AppState& state) {
    const bool ready = exportSelectedStudyReport(state, ReportFormat::Csv).ok();
    if (!ImGui::BeginMenu("Export report", ready)) return;
    if (ImGui::MenuItem("JSON (complete, machine-readable)"))
        downloadSelectedStudyReport(state, ReportFormat::Json);
    if (ImGui::MenuItem("CSV (one row)")) downloadSelectedStudyReport(state, ReportFormat::Csv);
    if (ImGui::MenuItem("HL7 FHIR R4 DiagnosticReport"))
        downloadSelectedStudyReport(state, ReportFormat::Fhir);
    if (ImGui::MenuItem("Printable page (HTML; print to PDF)"))
        downloadSelectedStudyReport(state, ReportFormat::Html);
    ImGui::TextDisabled("%s", state.settings.showIdentifiers
                                  ? "Patient identifiers are included (shown on screen)."
                                  : "Patient identifiers are left out.");
    ImGui::EndMenu();
}

void drawMenuBar(AppState& state) {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu("File")) {
        if (ImGui::MenuItem("Open images…", "Ctrl+O") && state.commands.openFilePicker)
            state.commands.openFilePicker();
        if (ImGui::MenuItem("Open model package…") && state.commands.openModelPicker)
            state.commands.openModelPicker();
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Settings")) {
        drawBackendChoice(state);
        ImGui::Separator();
        ImGui::MenuItem("Analyse images as soon as they are opened", nullptr, &state.settings.autoAnalyse);
        ImGui::MenuItem("Show patient identifiers (also in exports)", "P", &state.settings.showIdentifiers);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        ImGui::MenuItem("UI metrics (for developers)", nullptr, &state.views.showMetrics);
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Help")) {
        ImGui::MenuItem("Keyboard shortcuts", "F1", &state.views.showShortcuts);
        ImGui::MenuItem("About DxLens", nullptr, &state.views.showAbout);
        ImGui::EndMenu();
    }
    drawNoticeAtRight();
    ImGui::EndMainMenuBar();
}

} // namespace dx
