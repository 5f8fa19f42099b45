// app_commands.h — what the user can do, independent of how they asked (menu, key, drop, the page's API).
//
// How to use:
//   int id = dx::openFile(state, "chest.dcm", bytes);   // adds a study, selects it, analyses it if set to
//   dx::analyzeStudy(state, id);                        // with every image model that fits it
//   dx::setModelOn(state, "malaria-cell", false);       // that model analyzes nothing more this session
//   const dx::ModelSlot* m = dx::activeModel(state);    // the preferred model; null when none is ready
#pragma once

#include "app/app_state.h"
#include "app/i18n.h"
#include "core/inference/inference.h"

#include <string>
#include <vector>

namespace dx {

struct ModelSlot;
struct Study;

enum class ReportFormat { Json, Csv, Fhir, Html, DicomSr, DicomSeg };

// The report of the selected study's analyses, one item per model that analyzed it, in the findings panel's
// order (report.h), identifying attributes left out unless state.settings.showIdentifiers; the platform hands
// it to the browser as a download. DicomSr and DicomSeg (dicom_results.h) are PS3.10 files about one model's
// result: the first in the findings panel's order that has one (for DicomSeg, the first segmentation), named
// "<stem>-<model>.sr.dcm" / ".seg.dcm"; new UIDs each time, so two exports are two DICOM instances.
Result<ExportedFile> exportSelectedStudyReport(const AppState& state, ReportFormat format);
// Whether File > Export report > DICOM SEG has something to write: a segmentation result for the selected study.
bool selectedStudyHasSegmentation(const AppState& state);
// Exports and downloads it (downloadExport). False on error.
bool downloadSelectedStudyReport(AppState& state, ReportFormat format);

// The one download path for whatever the app exports (reports, batch and validation tables, risk-form
// results): hands the file to the browser through state.commands.downloadFile and announces "Saved NAME.";
// when there is nothing to export, announces "Nothing exported: WHY" instead. False in that case.
bool downloadExport(AppState& state, const Result<ExportedFile>& file);

// Says `text` in the page's ARIA live region (screen readers), when the platform gives one.
void announce(AppState& state, const std::string& text);

// Adds the file as a study and selects it; with auto-analysis on, queues it for every image model that fits
// it, or, while the models are still loading, until one is ready (startAnalysesAwaitingModel); models that
// become ready later analyze it too.
int openFile(AppState& state, const std::string& name, const Bytes& bytes);
// Queues the study for every image model that is on and fits it (model_fit.h; an image that does not say
// what it is fits every image model), the preferred model first (workspace.h: one analysis at a time, in
// order); announces "queued" when others run first, "analyzing" as each starts, then the study's findings
// so far after each (describeStudyForScreenReader). False when no model was queued.
bool analyzeStudy(AppState& state, int studyId);
// Queues the study for this one model, whether or not it fits (the findings panel's "Analyze again" and
// "Analyze anyway" in the model's section).
bool analyzeStudyWith(AppState& state, int studyId, const ModelSlot& model);
// Once per frame: studies opened before any image model was ready are queued as soon as one is (or given up,
// announced, when every model has finished loading and none takes images); and when another image model
// becomes ready or is turned on, the studies opened with auto-analysis are queued for it.
void startAnalysesAwaitingModel(AppState& state);
void selectStudy(AppState& state, int studyId);
// Occlusion heatmap for the selected study's result with `modelId` (the button in that model's section of the
// findings panel); empty: the preferred model, or else the first classifier with a result. Returns false when
// there is nothing to explain yet.
bool explainSelectedStudy(AppState& state, const std::string& modelId = {});

// Ready image models in the library's order; those turned off for the session only with includeOff.
std::vector<const ModelSlot*> imageModels(const AppState& state, bool includeOff = false);
bool modelOn(const AppState& state, const std::string& modelId);
// Turns an image model off or on for the session (the checkboxes in the findings panel's Models section).
// Turned on again, it analyzes the studies opened with auto-analysis that it has not analyzed yet.
void setModelOn(AppState& state, const std::string& modelId, bool on);

// Switches the UI language at once (nothing else changes), tells the platform and announces it.
void switchLanguage(AppState& state, Language language);

// The preferred model: the one the user chose (state.activeModel), or else the first ready image model that
// is on. Batch screening and validation run with it alone; opened images are analyzed by it first.
const ModelSlot* activeModel(const AppState& state);

// The self-test outcome in the UI language ("passed", "通过"); reports use selfTestStatusName().
const char* selfTestStatusText(SelfTestStatus status);

// What the ARIA live region says of a study, in the UI language: every applying model's findings, those still
// analyzing, and those listed apart with the reason: "chest.png: pneumonia 0.91 (at or above the 0.50
// threshold). Model cxr-pneumonia on wasm. lung 23.70% of the image. Model cxr-lung-seg on wasm.
// malaria-cell is listed apart: Out of distribution: .... Research use only ...". Never empty.
std::string describeStudyForScreenReader(const AppState& state, const Study& study);

} // namespace dx
