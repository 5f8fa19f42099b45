// app.cpp — composes the views into one frame. Each view lives in its own file and reads AppState; nothing
// here knows the platform. Layout: studies on the left, the image in the centre, models and findings on the
// right, between the menu bar and the status bar.
#include "app/app_commands.h"
#include "app/app_state.h"
#include "app/batch_state.h"
#include "app/risk_form.h"
#include "app/text_fit.h"
#include "app/views.h"

#include <algorithm>

namespace dx {

bool beginPanel(const char* name, const PanelRect& rect, ImGuiWindowFlags extraFlags) {
    ImGui::SetNextWindowPos(rect.pos);
    ImGui::SetNextWindowSize(rect.size);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus | extraFlags;
    return ImGui::Begin(name, nullptr, flags);
}

std::string fittedLabel(const std::string& text, float width) {
    return fitToWidth(
        text, width, [](std::string_view s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x; });
}

bool wrappedButton(const std::string& label) {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float wrap = std::max(1.0f, ImGui::GetContentRegionAvail().x - 2 * style.FramePadding.x);
    const ImVec2 text = ImGui::CalcTextSize(label.c_str(), nullptr, false, wrap);
    const ImVec2 size(text.x + 2 * style.FramePadding.x, text.y + 2 * style.FramePadding.y);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(label.c_str());
    const bool pressed = ImGui::InvisibleButton("##wrapped", size);
    ImGui::PopID();
    const ImGuiCol colour = ImGui::IsItemActive()    ? ImGuiCol_ButtonActive
                            : ImGui::IsItemHovered() ? ImGuiCol_ButtonHovered
                                                     : ImGuiCol_Button;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), ImGui::GetColorU32(colour),
                        style.FrameRounding);
    draw->AddText(ImGui::GetFont(), ImGui::GetFontSize(),
                  ImVec2(pos.x + style.FramePadding.x, pos.y + style.FramePadding.y),
                  ImGui::GetColorU32(ImGuiCol_Text), label.c_str(), nullptr, wrap);
    return pressed;
}

void drawApp(AppState& state) {
    state.frame = ImGui::GetFrameCount();
    handleGlobalShortcuts(state);
    drawMenuBar(state);
    drawStatusBar(state);

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float left = std::min(280.0f * state.uiScale, vp->WorkSize.x * 0.22f);
    const float right = std::min(380.0f * state.uiScale, vp->WorkSize.x * 0.32f);
    const ImVec2 p = vp->WorkPos, s = vp->WorkSize;
    drawStudyList(state, {p, ImVec2(left, s.y)});
    const PanelRect centre{ImVec2(p.x + left, p.y), ImVec2(s.x - left - right, s.y)};
    closeRiskFormIfImageSelected(state);
    if (activeTabularModel(state))
        drawRiskForm(state, centre); // a tabular model has no image to view
    else
        drawViewport(state, centre);
    drawFindingsPanel(state, {ImVec2(p.x + s.x - right, p.y), ImVec2(right, s.y)});

    startAnalysesAwaitingModel(state);
    tickBatchWork(state);
    drawBatchWindow(state);
    drawValidationWindow(state);
    drawArchiveBrowserWindow(state);
    drawAboutWindow(state);
    drawShortcutsWindow(state);
    if (state.views.showMetrics) ImGui::ShowMetricsWindow(&state.views.showMetrics);
}

} // namespace dx
