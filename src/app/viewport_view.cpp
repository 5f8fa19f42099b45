// viewport_view.cpp — the image viewport: the selected study with pan, zoom, window/level, invert, and the
// active model's segmentation overlay. Mouse: wheel zooms at the cursor, left-drag pans, right-drag changes
// window (horizontal: width, vertical: level). Keys (viewport focused): arrows pan, +/- zoom, F fit,
// 1 one-to-one, I invert, O overlay on/off, H heatmap/mask, C next colour map, R reset. Window/level, colour
// map and overlay blending run on the GPU (image_renderer.h, shaders/viewer.*).
#include "app/app_commands.h"
#include "app/image_renderer.h"
#include "app/overlays.h"
#include "app/views.h"
#include "core/model_library.h"
#include "core/render.h"
#include "core/workspace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dx {
namespace {

ImageRenderer g_renderer;
OverlayImage g_overlay; // the overlay shown now (mask or heatmap), rebuilt when its source changes

void drawEmptyHint(const Study* failed) {
    std::string first = failed ? failed->name + " could not be opened" : std::string("No image selected");
    const char* lines[] = {
        first.c_str(),
        "Open or drop PNG, JPEG, BMP or DICOM files. They are decoded and analysed on this device;",
        "nothing is uploaded. Press F1 for keyboard shortcuts."};
    float y = (ImGui::GetContentRegionAvail().y - 3 * ImGui::GetTextLineHeightWithSpacing()) * 0.5f;
    ImGui::Dummy(ImVec2(0, std::max(0.0f, y)));
    for (int i = 0; i < 3; i++) {
        float w = ImGui::CalcTextSize(lines[i]).x;
        ImGui::SetCursorPosX(std::max(0.0f, (ImGui::GetContentRegionAvail().x - w) * 0.5f));
        if (i == 0)
            ImGui::TextUnformatted(lines[i]);
        else
            ImGui::TextDisabled("%s", lines[i]);
    }
}

void ensureWindow(const Image& img, ViewerState& v) {
    if (v.hasWindow) return;
    const WindowPreset w = defaultWindow(img, 0);
    v.windowCenter = w.center;
    v.windowWidth = w.width;
    v.sigmoid = img.voiSigmoid;
    v.hasWindow = true;
}

// The heatmap when the user asked for it and it is ready, else the segmentation mask, else nothing.
const OverlayImage* currentOverlay(const AppState& state, const Study& study) {
    const ModelSlot* model = activeModel(state);
    const StudyAnalysis* a = model ? study.analysis(model->id()) : nullptr;
    if (!a || a->state != AnalysisState::Done || !state.viewer.showOverlay) return nullptr;
    const void* source = nullptr;
    if (state.viewer.showHeatmap && a->saliency.ready)
        source = &a->saliency.map;
    else if (a->result.hasMask)
        source = &a->result.mask;
    if (!source) return nullptr;
    if (g_overlay.source != source)
        g_overlay = source == &a->saliency.map
                        ? heatmapOverlay(a->saliency.map, study.image->width, study.image->height)
                        : maskOverlay(a->result.mask);
    return &g_overlay;
}

// Left-drag pans, right-drag changes the window; keys act when the viewport has focus.
void handleViewportInput(ViewerState& v, float scale, float fit) {
    ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
        v.panX += io.MouseDelta.x / scale;
        v.panY += io.MouseDelta.y / scale;
    }
    if (ImGui::IsItemHovered() && ImGui::IsMouseDragging(ImGuiMouseButton_Right)) {
        const double perPixel = std::max(1.0, v.windowWidth) / 300.0;
        v.windowWidth = std::max(1.0, v.windowWidth + io.MouseDelta.x * perPixel);
        v.windowCenter += io.MouseDelta.y * perPixel;
    }
    if (!ImGui::IsWindowFocused() || io.WantTextInput || io.KeyCtrl || io.KeySuper) return;
    const float step = 40.0f / scale;
    if (ImGui::IsKeyPressed(ImGuiKey_LeftArrow)) v.panX += step;
    if (ImGui::IsKeyPressed(ImGuiKey_RightArrow)) v.panX -= step;
    if (ImGui::IsKeyPressed(ImGuiKey_UpArrow)) v.panY += step;
    if (ImGui::IsKeyPressed(ImGuiKey_DownArrow)) v.panY -= step;
    if (ImGui::IsKeyPressed(ImGuiKey_Equal) || ImGui::IsKeyPressed(ImGuiKey_KeypadAdd))
        v.zoom = scale * 1.25f;
    if (ImGui::IsKeyPressed(ImGuiKey_Minus) || ImGui::IsKeyPressed(ImGuiKey_KeypadSubtract))
        v.zoom = std::max(fit * 0.1f, scale / 1.25f);
    if (ImGui::IsKeyPressed(ImGuiKey_F, false)) v.zoom = 0.0f, v.panX = v.panY = 0.0f;
    if (ImGui::IsKeyPressed(ImGuiKey_1, false)) v.zoom = 1.0f;
    if (ImGui::IsKeyPressed(ImGuiKey_I, false)) v.invert = !v.invert;
    if (ImGui::IsKeyPressed(ImGuiKey_O, false)) v.showOverlay = !v.showOverlay;
    if (ImGui::IsKeyPressed(ImGuiKey_H, false)) v.showHeatmap = !v.showHeatmap;
    if (ImGui::IsKeyPressed(ImGuiKey_C, false)) v.colourMapIndex = (v.colourMapIndex + 1) % 3;
    if (ImGui::IsKeyPressed(ImGuiKey_R, false)) {
        const int study = v.studyId;
        v = ViewerState{};
        v.studyId = study;
    }
}

} // namespace

void drawViewport(AppState& state, const PanelRect& rect) {
    ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(8, 10, 14, 255));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    const bool open =
        beginPanel("##Viewport", rect, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleVar();
    Study* study = open && state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
    if (!study || !study->ok()) {
        if (open) drawEmptyHint(study);
        ImGui::End();
        ImGui::PopStyleColor();
        return;
    }
    ViewerState& v = state.viewer;
    const Image& img = *study->image;
    ensureWindow(img, v);
    if (!g_renderer.setImage(study->id, img)) {
        ImGui::TextWrapped("%s", g_renderer.error());
        ImGui::End();
        ImGui::PopStyleColor();
        return;
    }
    g_renderer.setOverlay(currentOverlay(state, *study));

    const ImVec2 origin = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
    const float fit = std::min(avail.x / float(img.width), avail.y / float(img.height));
    const float scale = v.zoom > 0.0f ? v.zoom : fit;
    const ImVec2 imageOrigin(origin.x + avail.x * 0.5f + (v.panX - img.width * 0.5f) * scale,
                             origin.y + avail.y * 0.5f + (v.panY - img.height * 0.5f) * scale);
    const ImVec2 imageEnd(imageOrigin.x + img.width * scale, imageOrigin.y + img.height * scale);

    ImGui::InvisibleButton("##image", avail,
                           ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->PushClipRect(origin, ImVec2(origin.x + avail.x, origin.y + avail.y), true);
    ViewParams params;
    params.windowCenter = v.windowCenter;
    params.windowWidth = v.windowWidth;
    params.sigmoid = v.sigmoid;
    params.invert = v.invert;
    params.colourMap = ColourMap(v.colourMapIndex);
    params.overlayOpacity = v.showOverlay ? v.overlayOpacity : 0.0f;
    g_renderer.draw(draw, imageOrigin, imageEnd, params);
    draw->PopClipRect();

    // Zoom about the cursor, then pan and window/level.
    ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemHovered() && io.MouseWheel != 0.0f) {
        const float newScale = std::clamp(scale * std::pow(1.15f, io.MouseWheel), fit * 0.1f, 64.0f);
        const float ix = (io.MousePos.x - imageOrigin.x) / scale,
                    iy = (io.MousePos.y - imageOrigin.y) / scale;
        v.zoom = newScale;
        v.panX = (io.MousePos.x - origin.x - avail.x * 0.5f) / newScale - ix + img.width * 0.5f;
        v.panY = (io.MousePos.y - origin.y - avail.y * 0.5f) / newScale - iy + img.height * 0.5f;
    }
    handleViewportInput(v, scale, fit);

    // Pixel readout under the cursor.
    char info[256];
    const int px = int(std::floor((io.MousePos.x - imageOrigin.x) / scale));
    const int py = int(std::floor((io.MousePos.y - imageOrigin.y) / scale));
    std::snprintf(info, sizeof info, "%s   %dx%d   W %.0f / L %.0f   zoom %.0f%%   %s%s", study->name.c_str(),
                  img.width, img.height, v.windowWidth, v.windowCenter, scale * 100.0f,
                  colourMapName(ColourMap(v.colourMapIndex)), v.invert ? "   inverted" : "");
    draw->AddText(ImVec2(origin.x + 8, origin.y + 6), IM_COL32(230, 230, 230, 255), info);
    if (ImGui::IsItemHovered() && px >= 0 && py >= 0 && px < img.width && py < img.height) {
        const double stored = img.sample(0, px, py, 0);
        std::string unit = img.rescaleUnit.empty() ? "" : " " + img.rescaleUnit;
        std::snprintf(info, sizeof info, "x %d  y %d   value %.0f%s%s", px, py, img.modalityValue(stored),
                      unit.c_str(), img.isColour() ? " (first channel)" : "");
        draw->AddText(ImVec2(origin.x + 8, origin.y + avail.y - ImGui::GetTextLineHeight() - 6),
                      IM_COL32(230, 230, 230, 255), info);
    }
    ImGui::End();
    ImGui::PopStyleColor();
}

} // namespace dx
