// menu_bar_view.cpp — the main menu bar, with the research-use notice always visible on its right.
#include "app/app_state.h"
#include "app/views.h"

#include <imgui.h>

namespace dx {

void handleGlobalShortcuts(AppState& state) {
    if (ImGui::IsKeyPressed(ImGuiKey_F1, false)) state.views.showShortcuts = !state.views.showShortcuts;
}

static void drawNoticeAtRight() {
    const float width = ImGui::CalcTextSize(kResearchUseNotice).x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
    ImGui::SameLine(ImGui::GetWindowWidth() - width);
    ImGui::TextColored(ImVec4(1.0f, 0.78f, 0.35f, 1.0f), "%s", kResearchUseNotice);
}

void drawMenuBar(AppState& state) {
    if (!ImGui::BeginMainMenuBar()) return;
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
