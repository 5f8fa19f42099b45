// viewport_view.cpp — the image viewport: the selected study with pan, zoom, window/level, invert, and the
// active model's segmentation overlay. Mouse: wheel zooms at the cursor, left-drag pans, right-drag changes
// window (horizontal: width, vertical: level). Keys (viewport focused): arrows pan, +/- zoom, F fit,
// 1 one-to-one, I invert, O overlay on/off, R reset.
#include "app/app_commands.h"
#include "app/gpu_texture.h"
#include "app/views.h"
#include "core/model_library.h"
#include "core/render.h"
#include "core/workspace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dx {
namespace {

// What the textures currently show, so they are re-rendered only when something changed.
struct ViewportCache {
    int studyId = -1;
    double center = NAN, width = NAN;
    bool invert = false;
    GpuTexture image;
    const SegmentationMask* mask = nullptr;
    float maskOpacity = -1.0f;
    GpuTexture overlay;
};

ViewportCache g_cache;

const ImU32 kClassColours[] = {IM_COL32(0, 0, 0, 0), IM_COL32(0, 200, 255, 255), IM_COL32(255, 120, 0, 255),
                               IM_COL32(120, 255, 80, 255), IM_COL32(255, 60, 200, 255)};

void drawEmptyHint(const Study* failed) {
    std::string first = failed ? failed->name + " could not be opened" : std::string("No image selected");
    const char* lines[] = {first.c_str(),
                           "Open or drop PNG, JPEG, BMP or DICOM files. They are decoded and analysed on this device;",
                           "nothing is uploaded. Press F1 for keyboard shortcuts."};
    float y = (ImGui::GetContentRegionAvail().y - 3 * ImGui::GetTextLineHeightWithSpacing()) * 0.5f;
    ImGui::Dummy(ImVec2(0, std::max(0.0f, y)));
    for (int i = 0; i < 3; i++) {
        float w = ImGui::CalcTextSize(lines[i]).x;
        ImGui::SetCursorPosX(std::max(0.0f, (ImGui::GetContentRegionAvail().x - w) * 0.5f));
        if (i == 0) ImGui::TextUnformatted(lines[i]);
        else ImGui::TextDisabled("%s", lines[i]);
    }
}

void refreshImageTexture(const Study& study, ViewerState& v) {
    if (!v.hasWindow) {
        WindowPreset w = defaultWindow(*study.image, 0);
        v.windowCenter = w.center;
        v.windowWidth = w.width;
        v.hasWindow = true;
    }
    if (g_cache.studyId == study.id && g_cache.center == v.windowCenter && g_cache.width == v.windowWidth &&
        g_cache.invert == v.invert && g_cache.image.valid())
        return;
    RenderOptions opt;
    opt.window = WindowPreset{v.windowCenter, v.windowWidth, "user"};
    opt.invert = v.invert;
    Result<DisplayImage> shown = renderImage(*study.image, opt);
    if (!shown) return;
    g_cache.image.upload(shown->width, shown->height, shown->rgba.data());
    g_cache.studyId = study.id;
    g_cache.center = v.windowCenter;
    g_cache.width = v.windowWidth;
    g_cache.invert = v.invert;
    g_cache.mask = nullptr; // a new image needs its own overlay
}

void refreshOverlayTexture(const SegmentationMask* mask, float opacity) {
    if (mask == g_cache.mask && opacity == g_cache.maskOpacity) return;
    g_cache.mask = mask;
    g_cache.maskOpacity = opacity;
    if (!mask || mask->labels.empty()) {
        g_cache.overlay.reset();
        return;
    }
    std::vector<uint8_t> rgba(mask->labels.size() * 4);
    const uint8_t alpha = uint8_t(std::clamp(opacity, 0.0f, 1.0f) * 255.0f);
    for (size_t i = 0; i < mask->labels.size(); i++) {
        const uint8_t label = mask->labels[i];
        const ImU32 c = kClassColours[std::min<size_t>(label, std::size(kClassColours) - 1)];
        rgba[i * 4 + 0] = uint8_t(c >> IM_COL32_R_SHIFT);
        rgba[i * 4 + 1] = uint8_t(c >> IM_COL32_G_SHIFT);
        rgba[i * 4 + 2] = uint8_t(c >> IM_COL32_B_SHIFT);
        rgba[i * 4 + 3] = label ? alpha : 0;
    }
    g_cache.overlay.upload(mask->width, mask->height, rgba.data());
}

const SegmentationMask* activeMask(const AppState& state, const Study& study) {
    const ModelSlot* model = activeModel(state);
    const StudyAnalysis* a = model ? study.analysis(model->id()) : nullptr;
    return a && a->state == AnalysisState::Done && a->result.hasMask ? &a->result.mask : nullptr;
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
    if (!ImGui::IsWindowFocused() || io.WantTextInput) return;
    const float step = 40.0f / scale;
    if (ImGui::IsKeyPressed(ImGuiKey_LeftArrow)) v.panX += step;
    if (ImGui::IsKeyPressed(ImGuiKey_RightArrow)) v.panX -= step;
    if (ImGui::IsKeyPressed(ImGuiKey_UpArrow)) v.panY += step;
    if (ImGui::IsKeyPressed(ImGuiKey_DownArrow)) v.panY -= step;
    if (ImGui::IsKeyPressed(ImGuiKey_Equal) || ImGui::IsKeyPressed(ImGuiKey_KeypadAdd)) v.zoom = scale * 1.25f;
    if (ImGui::IsKeyPressed(ImGuiKey_Minus) || ImGui::IsKeyPressed(ImGuiKey_KeypadSubtract))
        v.zoom = std::max(fit * 0.1f, scale / 1.25f);
    if (ImGui::IsKeyPressed(ImGuiKey_F, false)) v.zoom = 0.0f, v.panX = v.panY = 0.0f;
    if (ImGui::IsKeyPressed(ImGuiKey_1, false)) v.zoom = 1.0f;
    if (ImGui::IsKeyPressed(ImGuiKey_I, false)) v.invert = !v.invert;
    if (ImGui::IsKeyPressed(ImGuiKey_O, false)) v.showOverlay = !v.showOverlay;
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
    const bool open = beginPanel("##Viewport", rect, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoScrollWithMouse);
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
    refreshImageTexture(*study, v);
    refreshOverlayTexture(v.showOverlay ? activeMask(state, *study) : nullptr, v.overlayOpacity);

    const ImVec2 origin = ImGui::GetCursorScreenPos(), avail = ImGui::GetContentRegionAvail();
    const float fit = std::min(avail.x / float(img.width), avail.y / float(img.height));
    const float scale = v.zoom > 0.0f ? v.zoom : fit;
    const ImVec2 imageOrigin(origin.x + avail.x * 0.5f + (v.panX - img.width * 0.5f) * scale,
                             origin.y + avail.y * 0.5f + (v.panY - img.height * 0.5f) * scale);
    const ImVec2 imageEnd(imageOrigin.x + img.width * scale, imageOrigin.y + img.height * scale);

    ImGui::InvisibleButton("##image", avail, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->PushClipRect(origin, ImVec2(origin.x + avail.x, origin.y + avail.y), true);
    draw->AddImage(g_cache.image.id(), imageOrigin, imageEnd);
    if (g_cache.overlay.valid()) draw->AddImage(g_cache.overlay.id(), imageOrigin, imageEnd);
    draw->PopClipRect();

    // Zoom about the cursor, then pan and window/level.
    ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemHovered() && io.MouseWheel != 0.0f) {
        const float newScale = std::clamp(scale * std::pow(1.15f, io.MouseWheel), fit * 0.1f, 64.0f);
        const float ix = (io.MousePos.x - imageOrigin.x) / scale, iy = (io.MousePos.y - imageOrigin.y) / scale;
        v.zoom = newScale;
        v.panX = (io.MousePos.x - origin.x - avail.x * 0.5f) / newScale - ix + img.width * 0.5f;
        v.panY = (io.MousePos.y - origin.y - avail.y * 0.5f) / newScale - iy + img.height * 0.5f;
    }
    handleViewportInput(v, scale, fit);

    // Pixel readout under the cursor.
    char info[256];
    const int px = int(std::floor((io.MousePos.x - imageOrigin.x) / scale));
    const int py = int(std::floor((io.MousePos.y - imageOrigin.y) / scale));
    std::snprintf(info, sizeof info, "%s   %dx%d   W %.0f / L %.0f   zoom %.0f%%%s", study->name.c_str(), img.width,
                  img.height, v.windowWidth, v.windowCenter, scale * 100.0f, v.invert ? "   inverted" : "");
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
