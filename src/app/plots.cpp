// plots.cpp — ROC, reliability and confusion-matrix drawings for the validation window (see plots.h).
#include "app/plots.h"

#include "app/i18n.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dx {

namespace {

const ImU32 kAxisColour = IM_COL32(150, 160, 170, 255);
const ImU32 kGridColour = IM_COL32(70, 78, 88, 255);
const ImU32 kCurveColour = IM_COL32(90, 170, 255, 255);
const ImU32 kPointColour = IM_COL32(255, 200, 90, 255);
const ImU32 kDiagonalColour = IM_COL32(120, 120, 120, 200);
const ImU32 kBarColour = IM_COL32(90, 170, 255, 150);

// A unit square [0,1]x[0,1] mapped into a screen rectangle with room for axis labels.
struct PlotFrame {
    ImVec2 origin; // screen position of (0, 0): bottom left
    float width = 0.0f, height = 0.0f;

    ImVec2 at(double x, double y) const {
        return ImVec2(origin.x + float(x) * width, origin.y - float(y) * height);
    }
    double xOf(float screenX) const { return std::clamp((screenX - origin.x) / width, 0.0f, 1.0f); }
    double yOf(float screenY) const { return std::clamp((origin.y - screenY) / height, 0.0f, 1.0f); }
};

// Reserves the plot's area, draws grid, axes, tick labels and axis titles; returns the frame to plot into.
PlotFrame beginUnitPlot(const char* id, ImVec2 size, const char* xTitle, const char* yTitle, bool* hovered,
                        bool* clicked) {
    const ImVec2 start = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton(id, size);
    *hovered = ImGui::IsItemHovered();
    *clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float line = ImGui::GetTextLineHeight();
    const float left = ImGui::CalcTextSize("0.0").x + line * 1.6f;
    PlotFrame f;
    f.origin = ImVec2(start.x + left, start.y + size.y - line * 2.2f);
    f.width = std::max(10.0f, size.x - left - line * 0.6f);
    f.height = std::max(10.0f, f.origin.y - start.y - line * 1.6f); // the y title sits above the plot
    for (int i = 0; i <= 4; i++) {
        const double v = i / 4.0;
        draw->AddLine(f.at(v, 0), f.at(v, 1), kGridColour);
        draw->AddLine(f.at(0, v), f.at(1, v), kGridColour);
        char tick[8];
        std::snprintf(tick, sizeof tick, "%.2g", v);
        const ImVec2 w = ImGui::CalcTextSize(tick);
        draw->AddText(ImVec2(f.at(v, 0).x - w.x * 0.5f, f.origin.y + 2.0f), kAxisColour, tick);
        draw->AddText(ImVec2(f.origin.x - w.x - 4.0f, f.at(0, v).y - w.y * 0.5f), kAxisColour, tick);
    }
    draw->AddRect(f.at(0, 1), f.at(1, 0), kAxisColour);
    const ImVec2 xw = ImGui::CalcTextSize(xTitle);
    draw->AddText(ImVec2(f.at(0.5, 0).x - xw.x * 0.5f, f.origin.y + line + 2.0f), kAxisColour, xTitle);
    draw->AddText(ImVec2(start.x, start.y), kAxisColour, yTitle);
    return f;
}

} // namespace

bool drawRocPlot(const char* id, const RocCurve& roc, const OperatingPoint& op, ImVec2 size,
                 double* clickedThreshold) {
    bool hovered = false, clicked = false;
    const PlotFrame f = beginUnitPlot(id, size, tr("1 - specificity (false positive rate)"),
                                      tr("sensitivity"), &hovered, &clicked);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddLine(f.at(0, 0), f.at(1, 1), kDiagonalColour); // chance
    for (size_t i = 1; i < roc.points.size(); i++)
        draw->AddLine(f.at(roc.points[i - 1].falsePositiveRate, roc.points[i - 1].truePositiveRate),
                      f.at(roc.points[i].falsePositiveRate, roc.points[i].truePositiveRate), kCurveColour,
                      2.0f);
    const float radius = ImGui::GetTextLineHeight() * 0.35f;
    draw->AddCircleFilled(f.at(op.falsePositiveRate, op.truePositiveRate), radius, kPointColour);
    if (!hovered || roc.points.empty()) return false;
    // The curve point nearest the cursor: its threshold is what a click selects.
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const double mx = f.xOf(mouse.x), my = f.yOf(mouse.y);
    size_t nearest = 0;
    double best = 1e9;
    for (size_t i = 0; i < roc.points.size(); i++) {
        const double dx = roc.points[i].falsePositiveRate - mx, dy = roc.points[i].truePositiveRate - my;
        if (dx * dx + dy * dy < best) {
            best = dx * dx + dy * dy;
            nearest = i;
        }
    }
    const RocPoint& p = roc.points[nearest];
    draw->AddCircle(f.at(p.falsePositiveRate, p.truePositiveRate), radius * 1.5f, kPointColour);
    if (std::isinf(p.threshold))
        ImGui::SetTooltip("%s", tr("Nothing called positive: sensitivity 0, specificity 1"));
    else
        ImGui::SetTooltip(
            tr("Threshold %.3f: sensitivity %.3f, specificity %.3f\nClick to use this threshold"),
            p.threshold, p.truePositiveRate, 1.0 - p.falsePositiveRate);
    if (clicked && !std::isinf(p.threshold)) {
        *clickedThreshold = p.threshold;
        return true;
    }
    return false;
}

void drawReliabilityPlot(const char* id, const ReliabilityDiagram& diagram, ImVec2 size) {
    bool hovered = false, clicked = false;
    const PlotFrame f = beginUnitPlot(id, size, tr("mean predicted probability"), tr("observed frequency"),
                                      &hovered, &clicked);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddLine(f.at(0, 0), f.at(1, 1), kDiagonalColour); // perfect calibration
    const ReliabilityBin* under = nullptr;
    const double mx = f.xOf(ImGui::GetIO().MousePos.x);
    for (const ReliabilityBin& bin : diagram.bins) {
        if (bin.count == 0) continue;
        const ImVec2 top = f.at(bin.lower, bin.observedFrequency), bottom = f.at(bin.upper, 0);
        draw->AddRectFilled(ImVec2(top.x + 1.0f, top.y), ImVec2(bottom.x - 1.0f, bottom.y), kBarColour);
        draw->AddCircleFilled(f.at(bin.meanPredicted, bin.observedFrequency), 3.0f, kPointColour);
        if (mx >= bin.lower && mx <= bin.upper) under = &bin;
    }
    if (hovered && under)
        ImGui::SetTooltip(tr("%.1f to %.1f: %d images, mean predicted %.3f, observed %.3f"), under->lower,
                          under->upper, int(under->count), under->meanPredicted, under->observedFrequency);
}

void drawConfusionMatrix(const ConfusionMatrix& m, const std::string& positiveLabel) {
    if (!ImGui::BeginTable("##confusion", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit))
        return;
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn(tr("called positive"));
    ImGui::TableSetupColumn(tr("called negative"));
    ImGui::TableHeadersRow();
    const auto row = [](const char* title, uint64_t a, const char* aName, uint64_t b, const char* bName) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(title);
        ImGui::TableNextColumn();
        ImGui::Text("%llu %s", static_cast<unsigned long long>(a), aName);
        ImGui::TableNextColumn();
        ImGui::Text("%llu %s", static_cast<unsigned long long>(b), bName);
    };
    char truly[128], notTruly[128];
    std::snprintf(truly, sizeof truly, tr("truly %s"), positiveLabel.c_str());
    std::snprintf(notTruly, sizeof notTruly, tr("not %s"), positiveLabel.c_str());
    row(truly, m.truePositives, tr("TP"), m.falseNegatives, tr("FN"));
    row(notTruly, m.falsePositives, tr("FP"), m.trueNegatives, tr("TN"));
    ImGui::EndTable();
}

} // namespace dx
