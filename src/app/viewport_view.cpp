// viewport_view.cpp — the central image viewport: fills the space between the menu bar and the status bar.
// Until an image is loaded it explains what the workstation is for and how to get started.
#include "app/app_state.h"
#include "app/views.h"

#include <imgui.h>

namespace dx {

static void drawCentredText(const char* text, ImU32 colour) {
    const ImVec2 size = ImGui::CalcTextSize(text);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail.x - size.x) * 0.5f);
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextUnformatted(text);
    ImGui::PopStyleColor();
}

static void drawEmptyViewportHint() {
    const float lines = 4.0f;
    const float top = (ImGui::GetContentRegionAvail().y - lines * ImGui::GetTextLineHeightWithSpacing()) * 0.5f;
    if (top > 0.0f) ImGui::Dummy(ImVec2(0.0f, top));
    drawCentredText("No image loaded", ImGui::GetColorU32(ImGuiCol_Text));
    drawCentredText("Images are decoded and analysed on this device; nothing is uploaded.",
                    ImGui::GetColorU32(ImGuiCol_TextDisabled));
    drawCentredText("Press F1 for keyboard shortcuts.", ImGui::GetColorU32(ImGuiCol_TextDisabled));
}

void drawViewport(AppState& state) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(8, 10, 14, 255));
    if (ImGui::Begin("##Viewport", nullptr, flags)) drawEmptyViewportHint();
    ImGui::End();
    ImGui::PopStyleColor();
}

} // namespace dx
