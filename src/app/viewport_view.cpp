// viewport_view.cpp — the image viewport: the selected slice with pan, zoom, window/level, presets, invert,
// colour maps, rotation/flip, a histogram with the current window, pixel readout (value, HU for CT, mm where
// the spacing is known), a distance ruler, and the active model's overlay with its legend. Window/level,
// colour map and overlay blending run on the GPU (image_renderer.h, shaders/viewer.*).
//
// Mouse: wheel (or a pinch, which Chromium sends as Ctrl+wheel) zooms at the cursor; Shift/Alt+wheel steps
// through the series; left-drag pans (draws the ruler in ruler mode); right-drag changes the window
// (horizontal: width, vertical: level). Keys (viewport focused): arrows pan, +/- zoom, F fit, 0 one-to-one,
// 1-5 window presets, PageUp/PageDown (Home/End) slices, T / Shift+T rotate, X / Y flip, I invert,
// C colour map, G histogram, L its log scale, M ruler mode, Esc/Delete clear the ruler, O overlay,
// H heatmap/mask, P patient identifiers, R reset. The help window (F1) lists them all (about_view.cpp).
#include "app/app_commands.h"
#include "app/i18n.h"
#include "app/image_renderer.h"
#include "app/overlays.h"
#include "app/study_models.h"
#include "app/views.h"
#include "core/dicom/patient_summary.h"
#include "core/image/render.h"
#include "core/inference/model_library.h"
#include "core/viewer/histogram.h"
#include "core/viewer/series.h"
#include "core/viewer/view_geometry.h"
#include "core/viewer/window_presets.h"
#include "core/viewer/workspace.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dx {
namespace {

constexpr int kHistogramBins = 128;
constexpr int kPresetKeys = 5; // keys 1..5
const ImU32 kTextColour = IM_COL32(230, 230, 230, 255);
const ImU32 kRulerColour = IM_COL32(255, 214, 64, 255);

ImageRenderer g_renderer;
OverlayImage g_overlay; // the overlay shown now (mask or heatmap), rebuilt when its source changes

// Per shown frame: its histogram and the window presets that depend on its range. Computed once per frame
// shown (a 4096x4096 frame takes a while), not per draw.
struct FrameFacts {
    int studyId = -1, frame = -1;
    Histogram histogram;
    std::vector<WindowPreset> presets;
};
FrameFacts g_facts;

// What the last drawn frame showed, for the test hook and screen-reader descriptions.
struct ShownView {
    int slice = 0, slices = 0; // 1-based position in the series
    double scale = 0.0;
    std::string patient;
    Length ruler;
};
ShownView g_shown;

const FrameFacts& factsFor(const Study& study, int frame) {
    if (g_facts.studyId != study.id || g_facts.frame != frame) {
        g_facts.studyId = study.id;
        g_facts.frame = frame;
        g_facts.histogram = computeHistogram(*study.image, frame, kHistogramBins);
        g_facts.presets =
            windowPresets(*study.image, frame, g_facts.histogram.minValue, g_facts.histogram.maxValue);
    }
    return g_facts;
}

void drawEmptyHint(const Study* failed) {
    std::string first =
        failed ? failed->name + tr(" could not be opened") : std::string(tr("No image selected"));
    const char* lines[] = {
        first.c_str(),
        tr("Open or drop PNG, JPEG, BMP or DICOM files (or a folder of DICOM series). They are decoded and "
           "analyzed on this device;"),
        tr("nothing is uploaded. Press F1 for keyboard shortcuts.")};
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

void applyPreset(ViewerState& v, const WindowPreset& w) {
    v.windowCenter = w.center;
    v.windowWidth = w.width;
    v.windowName = w.explanation;
}

void ensureWindow(const Image& img, const FrameFacts& facts, ViewerState& v) {
    if (v.hasWindow) return;
    if (!facts.presets.empty()) applyPreset(v, facts.presets.front());
    v.sigmoid = img.voiSigmoid;
    v.hasWindow = true;
}

// The overlay of the model the findings panel shows it for (study_models.h, overlayModelId): its heatmap when
// the user asked for it and it is ready, else its segmentation mask; else nothing.
const OverlayImage* currentOverlay(const AppState& state, const Study& study, const StudyAnalysis** from) {
    if (!state.viewer.showOverlay) return nullptr;
    const StudyAnalysis* a = study.analysis(overlayModelId(state, study));
    if (!a || a->state != AnalysisState::Done) return nullptr;
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
    *from = a;
    return &g_overlay;
}

// Shows another slice of the same series, keeping the window, zoom and orientation.
void showSlice(AppState& state, const SeriesSlice& slice) {
    state.selectedStudy = slice.studyId;
    state.viewer.studyId = slice.studyId;
    state.viewer.frame = slice.frame;
    state.viewer.hasRuler = false; // a measurement belongs to the slice it was drawn on
}

void stepSlice(AppState& state, int delta, bool toEnd) {
    const std::vector<Series> all = groupSeries(state.workspace->studies());
    const Series* series = findSeries(all, state.selectedStudy);
    if (!series) return;
    const int at = findSlice(*series, state.selectedStudy, state.viewer.frame);
    const int last = int(series->slices.size()) - 1;
    const int target = toEnd ? (delta < 0 ? 0 : last) : std::clamp(at + delta, 0, last);
    if (at >= 0 && target != at) showSlice(state, series->slices[size_t(target)]);
}

void resetView(ViewerState& v) {
    const int study = v.studyId, frame = v.frame;
    v = ViewerState{};
    v.studyId = study;
    v.frame = frame;
}

// Keys that change how the image is shown; they act when the viewport has focus.
void handleViewKeys(AppState& state, const FrameFacts& facts, float scale, float fit) {
    ViewerState& v = state.viewer;
    const ImGuiIO& io = ImGui::GetIO();
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
    if (ImGui::IsKeyPressed(ImGuiKey_0, false) || ImGui::IsKeyPressed(ImGuiKey_Keypad0, false)) v.zoom = 1.0f;
    for (int i = 0; i < kPresetKeys && i < int(facts.presets.size()); i++)
        if (ImGui::IsKeyPressed(ImGuiKey(ImGuiKey_1 + i), false) ||
            ImGui::IsKeyPressed(ImGuiKey(ImGuiKey_Keypad1 + i), false))
            applyPreset(v, facts.presets[size_t(i)]);
    if (ImGui::IsKeyPressed(ImGuiKey_T, false)) v.quarterTurns = (v.quarterTurns + (io.KeyShift ? 3 : 1)) % 4;
    if (ImGui::IsKeyPressed(ImGuiKey_X, false)) v.flipH = !v.flipH;
    if (ImGui::IsKeyPressed(ImGuiKey_Y, false)) v.flipV = !v.flipV;
    if (ImGui::IsKeyPressed(ImGuiKey_I, false)) v.invert = !v.invert;
    if (ImGui::IsKeyPressed(ImGuiKey_C, false)) v.colourMapIndex = (v.colourMapIndex + 1) % 3;
    if (ImGui::IsKeyPressed(ImGuiKey_G, false)) v.showHistogram = !v.showHistogram;
    if (ImGui::IsKeyPressed(ImGuiKey_L, false)) v.histogramLog = !v.histogramLog;
    if (ImGui::IsKeyPressed(ImGuiKey_M, false)) v.rulerMode = !v.rulerMode;
    if (ImGui::IsKeyPressed(ImGuiKey_Escape, false) || ImGui::IsKeyPressed(ImGuiKey_Delete, false))
        v.hasRuler = false;
    if (ImGui::IsKeyPressed(ImGuiKey_O, false)) v.showOverlay = !v.showOverlay;
    if (ImGui::IsKeyPressed(ImGuiKey_H, false)) v.showHeatmap = !v.showHeatmap;
    if (ImGui::IsKeyPressed(ImGuiKey_P, false))
        state.settings.showIdentifiers = !state.settings.showIdentifiers;
    if (ImGui::IsKeyPressed(ImGuiKey_R, false)) resetView(v);
    if (ImGui::IsKeyPressed(ImGuiKey_PageDown)) stepSlice(state, 1, false);
    if (ImGui::IsKeyPressed(ImGuiKey_PageUp)) stepSlice(state, -1, false);
    if (ImGui::IsKeyPressed(ImGuiKey_Home, false)) stepSlice(state, -1, true);
    if (ImGui::IsKeyPressed(ImGuiKey_End, false)) stepSlice(state, 1, true);
}

ImVec2 toImVec(Point2 p) {
    return ImVec2(float(p.x), float(p.y));
}

// Where the image goes in a viewport of `avail` centred on `viewCentre`, as the viewer state says.
float fitScale(const ViewGeometry& g, const ImVec2& avail) {
    return std::min(avail.x / float(g.shownWidth()), avail.y / float(g.shownHeight()));
}

ViewGeometry viewGeometry(const Image& img, const ViewerState& v, const ImVec2& viewCentre,
                          const ImVec2& avail) {
    ViewGeometry g;
    g.imageWidth = img.width;
    g.imageHeight = img.height;
    g.quarterTurns = v.quarterTurns;
    g.flipH = v.flipH;
    g.flipV = v.flipV;
    g.scale = v.zoom > 0.0f ? v.zoom : fitScale(g, avail);
    g.centre = {viewCentre.x + v.panX * g.scale, viewCentre.y + v.panY * g.scale};
    return g;
}

// Wheel: zoom about the cursor (a pinch arrives as Ctrl+wheel); Shift or Alt+wheel: slices.
void handleWheel(AppState& state, ViewGeometry& g, const ImVec2& viewCentre, float fit) {
    ViewerState& v = state.viewer;
    const ImGuiIO& io = ImGui::GetIO();
    const float wheel = io.MouseWheel != 0.0f ? io.MouseWheel : io.MouseWheelH;
    if (!ImGui::IsItemHovered() || wheel == 0.0f) return;
    if (io.KeyShift || io.KeyAlt) {
        stepSlice(state, wheel > 0.0f ? -1 : 1, false);
        return;
    }
    if (io.MouseWheel == 0.0f) return;
    const double newScale =
        std::clamp(g.scale * std::pow(kWheelZoomStep, io.MouseWheel), double(fit) * 0.1, 64.0);
    // Keep the image point under the cursor where it is.
    const Point2 mouse{io.MousePos.x, io.MousePos.y};
    const double k = newScale / g.scale;
    g.centre = {mouse.x - (mouse.x - g.centre.x) * k, mouse.y - (mouse.y - g.centre.y) * k};
    g.scale = newScale;
    v.zoom = float(newScale);
    v.panX = float((g.centre.x - viewCentre.x) / newScale);
    v.panY = float((g.centre.y - viewCentre.y) / newScale);
}

// Left-drag pans, or draws the ruler in ruler mode; right-drag changes the window.
void handleDrags(ViewerState& v, const ViewGeometry& g) {
    const ImGuiIO& io = ImGui::GetIO();
    const Point2 mouse = g.toImage({io.MousePos.x, io.MousePos.y});
    if (v.rulerMode && ImGui::IsItemActivated() && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        v.hasRuler = true;
        v.rulerX0 = v.rulerX1 = mouse.x;
        v.rulerY0 = v.rulerY1 = mouse.y;
    } else if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
        if (v.rulerMode && v.hasRuler) {
            v.rulerX1 = mouse.x;
            v.rulerY1 = mouse.y;
        } else if (!v.rulerMode) {
            v.panX += io.MouseDelta.x / float(g.scale);
            v.panY += io.MouseDelta.y / float(g.scale);
        }
    }
    if (ImGui::IsItemHovered() && ImGui::IsMouseDragging(ImGuiMouseButton_Right)) {
        const double perPixel = std::max(1.0, v.windowWidth) / 300.0;
        v.windowWidth = std::max(1.0, v.windowWidth + io.MouseDelta.x * perPixel);
        v.windowCenter += io.MouseDelta.y * perPixel;
        v.windowName.clear();
    }
}

std::string lengthText(const Length& length) {
    char text[64];
    if (length.hasMillimetres)
        std::snprintf(text, sizeof text, tr("%.1f mm"), length.millimetres);
    else
        std::snprintf(text, sizeof text, tr("%.1f px (no pixel spacing)"), length.pixels);
    return text;
}

void drawRuler(ImDrawList* draw, const Image& img, const ViewerState& v, const ViewGeometry& g) {
    if (!v.hasRuler) {
        g_shown.ruler = {};
        return;
    }
    const Point2 a{v.rulerX0, v.rulerY0}, b{v.rulerX1, v.rulerY1};
    const ImVec2 sa = toImVec(g.toScreen(a)), sb = toImVec(g.toScreen(b));
    const float thickness = std::max(2.0f, ImGui::GetFontSize() / 7.0f);
    draw->AddLine(sa, sb, kRulerColour, thickness);
    draw->AddCircleFilled(sa, thickness * 2.0f, kRulerColour);
    draw->AddCircleFilled(sb, thickness * 2.0f, kRulerColour);
    g_shown.ruler = measureLength(img, a, b);
    const std::string label = lengthText(g_shown.ruler);
    const ImVec2 at(sb.x + 8.0f, sb.y - ImGui::GetFontSize() * 0.5f);
    const ImVec2 size = ImGui::CalcTextSize(label.c_str());
    draw->AddRectFilled(ImVec2(at.x - 3, at.y - 2), ImVec2(at.x + size.x + 3, at.y + size.y + 2),
                        IM_COL32(0, 0, 0, 170));
    draw->AddText(at, kRulerColour, label.c_str());
}

// The histogram of the frame's modality values, the current window shaded on it, in the bottom-right corner.
void drawHistogram(ImDrawList* draw, const Histogram& h, const ViewerState& v, const ImVec2& corner,
                   float uiScale) {
    if (!v.showHistogram || h.counts.empty()) return;
    const ImVec2 size(260.0f * uiScale, 90.0f * uiScale);
    const ImVec2 p0(corner.x - size.x - 10.0f * uiScale, corner.y - size.y - 10.0f * uiScale);
    const ImVec2 p1(p0.x + size.x, p0.y + size.y);
    draw->AddRectFilled(ImVec2(p0.x - 4, p0.y - 4 - ImGui::GetFontSize()), ImVec2(p1.x + 4, p1.y + 4),
                        IM_COL32(0, 0, 0, 180));
    const float lo = h.fractionOf(v.windowCenter - v.windowWidth * 0.5);
    const float hi = h.fractionOf(v.windowCenter + v.windowWidth * 0.5);
    draw->AddRectFilled(ImVec2(p0.x + lo * size.x, p0.y),
                        ImVec2(p0.x + std::max(hi * size.x, lo * size.x + 1), p1.y),
                        IM_COL32(70, 110, 170, 110));
    const std::vector<float> bars = histogramBars(h, v.histogramLog);
    const float barWidth = size.x / float(bars.size());
    for (size_t i = 0; i < bars.size(); i++) {
        if (bars[i] <= 0.0f) continue;
        const float x = p0.x + float(i) * barWidth;
        draw->AddRectFilled(ImVec2(x, p1.y - bars[i] * size.y),
                            ImVec2(x + std::max(1.0f, barWidth - 0.5f), p1.y), IM_COL32(200, 200, 200, 220));
    }
    draw->AddLine(ImVec2(p0.x + lo * size.x, p0.y), ImVec2(p0.x + lo * size.x, p1.y), kRulerColour);
    draw->AddLine(ImVec2(p0.x + hi * size.x, p0.y), ImVec2(p0.x + hi * size.x, p1.y), kRulerColour);
    char label[128];
    std::snprintf(label, sizeof label, tr("%.0f to %.0f%s (G hides, L log scale)"), h.minValue, h.maxValue,
                  v.histogramLog ? tr(", log") : "");
    draw->AddText(ImVec2(p0.x, p0.y - ImGui::GetFontSize() - 2), kTextColour, label);
}

// What the overlay's colours mean: class swatches for a mask, a low-to-high bar for a heatmap.
void drawLegend(ImDrawList* draw, const StudyAnalysis& a, bool heatmap, const ImVec2& topRight,
                float uiScale) {
    const float line = ImGui::GetTextLineHeightWithSpacing(), swatch = ImGui::GetFontSize() * 0.8f;
    std::vector<std::pair<ImU32, std::string>> rows;
    if (heatmap) {
        rows.push_back({IM_COL32(255, 255, 80, 255), tr("heatmap: hiding this lowered the score most")});
        rows.push_back({IM_COL32(170, 0, 0, 255), tr("heatmap: mattered little")});
    } else {
        for (size_t i = 0; i < a.result.mask.areas.size(); i++)
            if (a.result.mask.areas[i].name != "background")
                rows.push_back({classColour(int(i)), a.result.mask.areas[i].name});
    }
    float width = 0.0f;
    for (const auto& r : rows)
        width = std::max(width, ImGui::CalcTextSize(r.second.c_str()).x);
    const std::string title = tr("Overlay (O hides)");
    width = std::max(width + swatch + 8.0f, ImGui::CalcTextSize(title.c_str()).x);
    const ImVec2 p0(topRight.x - width - 16.0f * uiScale, topRight.y + 8.0f * uiScale);
    draw->AddRectFilled(ImVec2(p0.x - 6, p0.y - 4),
                        ImVec2(p0.x + width + 6, p0.y + line * (rows.size() + 1) + 2),
                        IM_COL32(0, 0, 0, 180));
    draw->AddText(p0, kTextColour, title.c_str());
    for (size_t i = 0; i < rows.size(); i++) {
        const ImVec2 at(p0.x, p0.y + line * float(i + 1));
        draw->AddRectFilled(ImVec2(at.x, at.y + 2), ImVec2(at.x + swatch, at.y + 2 + swatch), rows[i].first);
        draw->AddText(ImVec2(at.x + swatch + 8.0f, at.y), kTextColour, rows[i].second.c_str());
    }
}

// A window preset's name in the UI language. Core names its presets in English (window_presets.h); what a
// file calls its own windows ("WINDOW1") is shown as the file says it.
std::string windowPresetText(const std::string& name) {
    static const char* const kNames[] = {
        trLater("Full range"), trLater("Auto"),        trLater("Auto (min to max)"),
        trLater("Lung"),       trLater("Mediastinum"), trLater("Bone"),
        trLater("Brain")};
    for (const char* known : kNames)
        if (name == known) return tr(known);
    const std::string fromFile = "From the file: ";
    if (name.rfind(fromFile, 0) == 0) return trf("From the file: %s", name.substr(fromFile.size()).c_str());
    return name;
}

// Name, slice, size, window, zoom, orientation; the patient line (masked unless shown) below it.
void drawHeader(ImDrawList* draw, const AppState& state, const Study& study, const ImVec2& origin) {
    const ViewerState& v = state.viewer;
    const Image& img = *study.image;
    char slice[64] = "";
    if (g_shown.slices > 1)
        std::snprintf(slice, sizeof slice, tr("   slice %d / %d"), g_shown.slice, g_shown.slices);
    char info[512];
    std::snprintf(info, sizeof info, tr("%s%s   %dx%d   W %.0f / L %.0f%s%s   zoom %.0f%%   %s%s%s%s%s"),
                  study.name.c_str(), slice, img.width, img.height, v.windowWidth, v.windowCenter,
                  v.windowName.empty() ? "" : " ", windowPresetText(v.windowName).c_str(),
                  g_shown.scale * 100.0, tr(colourMapName(ColourMap(v.colourMapIndex))),
                  v.invert ? tr("   inverted") : "", v.quarterTurns ? tr("   rotated") : "",
                  v.flipH || v.flipV ? tr("   flipped") : "", v.rulerMode ? tr("   ruler (M)") : "");
    draw->AddText(ImVec2(origin.x + 8, origin.y + 6), kTextColour, info);
    if (!g_shown.patient.empty()) {
        const std::string line =
            g_shown.patient + (state.settings.showIdentifiers ? tr("   (P hides identifiers)")
                                                              : tr("   (P shows identifiers)"));
        draw->AddText(ImVec2(origin.x + 8, origin.y + 6 + ImGui::GetTextLineHeightWithSpacing()),
                      IM_COL32(190, 190, 190, 255), line.c_str());
    }
}

// The value under the cursor: modality value (HU for CT), and the position in mm when the spacing is known.
void drawReadout(ImDrawList* draw, const Study& study, int frame, const ViewGeometry& g, const ImVec2& at) {
    const ImGuiIO& io = ImGui::GetIO();
    const Image& img = *study.image;
    const Point2 p = g.toImage({io.MousePos.x, io.MousePos.y});
    const int px = int(std::floor(p.x)), py = int(std::floor(p.y));
    if (!ImGui::IsItemHovered() || px < 0 || py < 0 || px >= img.width || py >= img.height) return;
    const double value = img.modalityValue(img.sample(frame, px, py, 0));
    const std::string unit = !img.rescaleUnit.empty()    ? " " + img.rescaleUnit
                             : isComputedTomography(img) ? std::string(" HU")
                                                         : std::string();
    char position[96] = "";
    if (img.pixelSpacingRow > 0.0 && img.pixelSpacingCol > 0.0)
        std::snprintf(position, sizeof position, tr("   (%.1f mm, %.1f mm)"),
                      (px + 0.5) * img.pixelSpacingCol, (py + 0.5) * img.pixelSpacingRow);
    char info[256];
    std::snprintf(info, sizeof info, tr("x %d  y %d%s   value %.0f%s%s"), px, py, position, value,
                  unit.c_str(), img.isColour() ? tr(" (first channel)") : "");
    draw->AddText(at, kTextColour, info);
}

// A slider through the series' slices (frames of a multi-frame file and files of one series alike).
void drawSliceSlider(AppState& state, const ImVec2& origin, const ImVec2& size, float leftInset) {
    const std::vector<Series> all = groupSeries(state.workspace->studies());
    const Series* series = findSeries(all, state.selectedStudy);
    g_shown.slices = series ? int(series->slices.size()) : 1;
    g_shown.slice = series ? findSlice(*series, state.selectedStudy, state.viewer.frame) + 1 : 1;
    if (!series || g_shown.slices < 2) return;
    ImGui::SetCursorScreenPos(ImVec2(origin.x + leftInset + 16.0f, origin.y + size.y + 4.0f));
    ImGui::SetNextItemWidth(size.x - leftInset - 24.0f);
    int index = g_shown.slice;
    char format[64];
    std::snprintf(format, sizeof format, tr("Slice %%d of %d (PageUp/PageDown, Shift+wheel)"),
                  g_shown.slices);
    if (ImGui::SliderInt("##slice", &index, 1, g_shown.slices, format, ImGuiSliderFlags_AlwaysClamp) &&
        index != g_shown.slice)
        showSlice(state, series->slices[size_t(index - 1)]);
}

// The mouse route to everything the keys do: a "View options" button at the left of the row under the image.
// Returns the button's width, so the slice slider can sit beside it.
float drawViewMenu(AppState& state, const FrameFacts& facts, const ImVec2& rowStart) {
    ViewerState& v = state.viewer;
    const char* label = tr("View options");
    ImGui::SetCursorScreenPos(rowStart);
    if (ImGui::Button(label)) ImGui::OpenPopup("##viewOptions");
    const float width = ImGui::GetItemRectSize().x;
    if (!ImGui::BeginPopup("##viewOptions")) return width;
    ImGui::TextDisabled("%s", tr("Window presets"));
    for (size_t i = 0; i < facts.presets.size(); i++) {
        char key[8] = "";
        if (i < size_t(kPresetKeys)) std::snprintf(key, sizeof key, "%d", int(i) + 1);
        if (ImGui::MenuItem(windowPresetText(facts.presets[i].explanation).c_str(), key,
                            v.windowName == facts.presets[i].explanation))
            applyPreset(v, facts.presets[i]);
    }
    ImGui::Separator();
    if (ImGui::MenuItem(tr("Rotate clockwise"), "T")) v.quarterTurns = (v.quarterTurns + 1) % 4;
    if (ImGui::MenuItem(tr("Rotate anticlockwise"), "Shift+T")) v.quarterTurns = (v.quarterTurns + 3) % 4;
    ImGui::MenuItem(tr("Flip horizontally"), "X", &v.flipH);
    ImGui::MenuItem(tr("Flip vertically"), "Y", &v.flipV);
    ImGui::MenuItem(tr("Invert"), "I", &v.invert);
    if (ImGui::MenuItem(tr("Next colour map"), "C")) v.colourMapIndex = (v.colourMapIndex + 1) % 3;
    ImGui::MenuItem(tr("Histogram"), "G", &v.showHistogram);
    ImGui::MenuItem(tr("Histogram on a log scale"), "L", &v.histogramLog);
    ImGui::MenuItem(tr("Distance ruler (left-drag)"), "M", &v.rulerMode);
    if (ImGui::MenuItem(tr("Clear the ruler"), "Esc", false, v.hasRuler)) v.hasRuler = false;
    ImGui::MenuItem(tr("Model overlay and legend"), "O", &v.showOverlay);
    ImGui::MenuItem(tr("Show patient identifiers"), "P", &state.settings.showIdentifiers);
    if (ImGui::MenuItem(tr("Fit to the viewport"), "F")) v.zoom = 0.0f, v.panX = v.panY = 0.0f;
    if (ImGui::MenuItem(tr("One image pixel per screen pixel"), "0")) v.zoom = 1.0f;
    if (ImGui::MenuItem(tr("Reset the view"), "R")) resetView(v);
    ImGui::EndPopup();
    return width;
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
    v.frame = std::clamp(v.frame, 0, std::max(0, img.frames - 1));
    const FrameFacts& facts = factsFor(*study, v.frame);
    ensureWindow(img, facts, v);
    if (!g_renderer.setImage(study->id, img, v.frame)) {
        ImGui::TextWrapped("%s", g_renderer.error());
        ImGui::End();
        ImGui::PopStyleColor();
        return;
    }
    const StudyAnalysis* overlaySource = nullptr;
    g_renderer.setOverlay(currentOverlay(state, *study, &overlaySource));

    const ImVec2 origin = ImGui::GetCursorScreenPos(), whole = ImGui::GetContentRegionAvail();
    const float sliderRow = ImGui::GetFrameHeightWithSpacing() + 8.0f;
    const ImVec2 avail(whole.x, std::max(1.0f, whole.y - sliderRow));
    const ImVec2 viewCentre(origin.x + avail.x * 0.5f, origin.y + avail.y * 0.5f);
    ViewGeometry g = viewGeometry(img, v, viewCentre, avail);
    const float fit = fitScale(g, avail);

    ImGui::InvisibleButton("##image", avail,
                           ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
    handleWheel(state, g, viewCentre, fit);
    handleDrags(v, g);
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsWindowFocused() && !io.WantTextInput && !io.KeyCtrl && !io.KeySuper)
        handleViewKeys(state, facts, float(g.scale), fit);
    // Keys may have selected another slice: this frame still draws the one already uploaded.
    const int frame = facts.frame;
    g = viewGeometry(img, v, viewCentre, avail); // keys may have turned, flipped or zoomed it
    g_shown.scale = g.scale;
    g_shown.patient = patientSummary(img.metadata, state.settings.showIdentifiers);

    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->PushClipRect(origin, ImVec2(origin.x + avail.x, origin.y + avail.y), true);
    ViewParams params;
    params.windowCenter = v.windowCenter;
    params.windowWidth = v.windowWidth;
    params.sigmoid = v.sigmoid;
    params.invert = v.invert;
    params.colourMap = ColourMap(v.colourMapIndex);
    params.overlayOpacity = v.showOverlay ? v.overlayOpacity : 0.0f;
    const std::array<Point2, 4> corners = g.screenCorners(), uvs = g.cornerUVs();
    ImVec2 screenCorners[4], textureCorners[4];
    for (int i = 0; i < 4; i++) {
        screenCorners[i] = toImVec(corners[size_t(i)]);
        textureCorners[i] = toImVec(uvs[size_t(i)]);
    }
    g_renderer.draw(draw, screenCorners, textureCorners, params);
    drawRuler(draw, img, v, g);
    drawHistogram(draw, facts.histogram, v, ImVec2(origin.x + avail.x, origin.y + avail.y), state.uiScale);
    if (overlaySource && v.showOverlay)
        drawLegend(draw, *overlaySource, v.showHeatmap && overlaySource->saliency.ready,
                   ImVec2(origin.x + avail.x, origin.y), state.uiScale);
    drawHeader(draw, state, *study, origin);
    drawReadout(draw, *study, frame, g,
                ImVec2(origin.x + 8, origin.y + avail.y - ImGui::GetTextLineHeight() - 6));
    draw->PopClipRect();
    const float menuWidth = drawViewMenu(state, facts, ImVec2(origin.x + 8.0f, origin.y + avail.y + 4.0f));
    drawSliceSlider(state, origin, avail, menuWidth);
    ImGui::End();
    ImGui::PopStyleColor();
}

std::string describeViewer(AppState& state) {
    const ViewerState& v = state.viewer;
    nlohmann::json j = {
        {"study", state.selectedStudy},
        {"frame", v.frame},
        {"slice", g_shown.slice},
        {"slices", g_shown.slices},
        {"window", {{"center", v.windowCenter}, {"width", v.windowWidth}, {"name", v.windowName}}},
        {"zoom", g_shown.scale},
        {"quarter_turns", v.quarterTurns},
        {"flip_h", v.flipH},
        {"flip_v", v.flipV},
        {"invert", v.invert},
        {"ruler_mode", v.rulerMode},
        {"show_identifiers", state.settings.showIdentifiers},
        {"patient", g_shown.patient},
        {"frames_drawn", ImGui::GetFrameCount()},
        {"frame_ui_ms", state.frameTimes.ui.median()},
        {"frame_total_ms", state.frameTimes.total.median()},
        {"image_uploads", g_renderer.imageUploads()},
        {"findings_overflow_px", state.findingsPanelOverflow}};
    if (v.hasRuler) {
        j["ruler"] = {{"pixels", g_shown.ruler.pixels}};
        if (g_shown.ruler.hasMillimetres) j["ruler"]["mm"] = g_shown.ruler.millimetres;
    }
    if (const Study* study = state.workspace ? state.workspace->find(state.selectedStudy) : nullptr)
        j["name"] = study->name;
    nlohmann::json series = nlohmann::json::array();
    if (state.workspace)
        for (const Series& s : groupSeries(state.workspace->studies())) {
            nlohmann::json files = nlohmann::json::array();
            for (int id : s.studyIds)
                files.push_back(state.workspace->find(id)->name);
            series.push_back({{"uid", s.uid}, {"files", files}, {"slices", s.slices.size()}});
        }
    j["series"] = series;
    if (g_facts.studyId == state.selectedStudy && !g_facts.histogram.counts.empty())
        j["histogram"] = {{"min", g_facts.histogram.minValue},
                          {"max", g_facts.histogram.maxValue},
                          {"bins", g_facts.histogram.counts.size()}};
    return j.dump();
}

} // namespace dx
