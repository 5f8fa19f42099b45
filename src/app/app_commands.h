// app_commands.h — what the user can do, independent of how they asked (menu, key, drop, the page's API).
//
// How to use:
//   int id = dx::openFile(state, "chest.dcm", bytes);   // adds a study, selects it, analyses it if set to
//   dx::analyzeStudy(state, id);                        // with the active model
//   const dx::ModelSlot* m = dx::activeModel(state);    // null when no image model is ready
#pragma once

#include "app/app_state.h"
#include "app/i18n.h"
#include "core/inference/inference.h"

#include <string>

namespace dx {

struct ModelSlot;
struct Study;

enum class ReportFormat { Json, Csv, Fhir, Html };

// The report of the selected study's analysis with the active model (report.h), identifying attributes left
// out unless state.settings.showIdentifiers; the platform hands it to the browser as a download.
Result<ExportedFile> exportSelectedStudyReport(const AppState& state, ReportFormat format);
// Exports and downloads it (downloadExport). False on error.
bool downloadSelectedStudyReport(AppState& state, ReportFormat format);

// The one download path for whatever the app exports (reports, batch and validation tables, risk-form
// results): hands the file to the browser through state.commands.downloadFile and announces "Saved NAME.";
// when there is nothing to export, announces "Nothing exported: WHY" instead. False in that case.
bool downloadExport(AppState& state, const Result<ExportedFile>& file);

// Says `text` in the page's ARIA live region (screen readers), when the platform gives one.
void announce(AppState& state, const std::string& text);

// Adds the file as a study and selects it; with auto-analysis on, queues it for the active model, or, while
// the models are still loading, until one is ready (startAnalysesAwaitingModel).
int openFile(AppState& state, const std::string& name, const Bytes& bytes);
// Queues the study for the active model (workspace.h: one analysis at a time, in order); announces
// "queued" when others run first, "analyzing" when it starts, then the result.
void analyzeStudy(AppState& state, int studyId);
// Once per frame: studies opened before any image model was ready are queued as soon as one is (or given up,
// announced, when every model has finished loading and none takes images).
void startAnalysesAwaitingModel(AppState& state);
void selectStudy(AppState& state, int studyId);
// Occlusion heatmap for the selected study's result with the active model (the findings panel's button).
// Returns false when there is nothing to explain yet.
bool explainSelectedStudy(AppState& state);

// Switches the UI language at once (nothing else changes), tells the platform and announces it.
void switchLanguage(AppState& state, Language language);

// The model the user chose, or else the first ready model that takes images.
const ModelSlot* activeModel(const AppState& state);

// The self-test outcome in the UI language ("passed", "通过"); reports use selfTestStatusName().
const char* selfTestStatusText(SelfTestStatus status);

// One sentence for the ARIA live region and the status of a study, in the UI language: "chest.png: pneumonia
// 0.91 (above the 0.50 threshold), cxr-pneumonia on wasm." Never empty.
std::string describeForScreenReader(const Study& study, const std::string& modelId);

} // namespace dx
