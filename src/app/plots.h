// plots.h — the validation window's plots, drawn with ImGui's draw lists: a ROC curve with the live
// operating point, a reliability diagram, and a 2x2 confusion matrix.
//
// How to use (inside a window):
//   double picked;
//   if (dx::drawRocPlot("##roc", roc, op, size, &picked)) threshold = picked;   // click moves the point
//   dx::drawReliabilityPlot("##calibration", diagram, size);
//   dx::drawConfusionMatrix(op.matrix, "pneumonia");
// Hovering a plot shows the values under the cursor in a tooltip.
#pragma once

#include "core/validation/metrics.h"

#include <imgui.h>

#include <string>

namespace dx {

// True when the user clicked the plot: *clickedThreshold is the threshold of the curve point nearest the
// click (so clicking the curve moves the operating point there).
bool drawRocPlot(const char* id, const RocCurve& roc, const OperatingPoint& op, ImVec2 size,
                 double* clickedThreshold);
void drawReliabilityPlot(const char* id, const ReliabilityDiagram& diagram, ImVec2 size);
void drawConfusionMatrix(const ConfusionMatrix& matrix, const std::string& positiveLabel);

} // namespace dx
