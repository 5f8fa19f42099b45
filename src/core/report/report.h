// report.h — analysis reports for one image or a batch, written on the device: JSON, CSV, HL7 FHIR R4 and a
// printable self-contained HTML page.
//
// How to use:
//   dx::ReportItem item;
//   item.result = &analysis;                 // dx::AnalysisResult from the pipeline
//   item.manifest = &session.package->manifest;
//   item.metadata = image.metadata;          // identifying attributes are left out unless asked for
//   item.pictures.push_back({"Image with saliency overlay", w, h, 4, rgba});   // HTML only
//   dx::ReportOptions options;               // options.generatedAt = "2026-11-22T10:15:00Z" to stamp it
//   dx::Result<std::string> fhir = dx::writeFhirReport({&item, 1}, options);
//   dx::Result<std::string> csv = dx::writeCsvReport(batchItems, options);     // one row per image
//   dx::Result<std::string> v = dx::writeValidationJson({&validation, &manifest, "pneumonia", "val/"}, options);
//
// Every format carries the research-use notice and each model's intended use. Output is deterministic: the
// same input gives the same bytes (no clock is read: a time appears only when the caller passes one, and the
// FHIR resource ids are derived from the content), so tests compare exactly and a report can be re-made.
//
// Formats:
//   JSON  "dxlens.report/1": { schema, notice, generated_at?, identifiers_included, images: [ { summary,
//         model, metadata, analysis } ] } where analysis is exactly analysisResultJson's object (its
//         "population" holds the status and reason; summary repeats the status).
//   CSV   RFC 4180, CRLF, header row; columns in kCsvColumns (plus the identifying columns when included).
//   FHIR  a Bundle of type "collection": per image a DiagnosticReport (status preliminary, conclusion with the
//         notice) whose results are Observations (probabilities as valueQuantity with UCUM "1", POS/NEG
//         interpretation when the model has a threshold, the OOD check, the intended-population verdict with
//         its reason, segmented areas); one Device per
//         model (name, version, sha256, intended use); a Patient only when identifiers are included.
//         References are urn:uuid fullUrls inside the bundle.
//   HTML  one page, inline CSS with @media print (Print -> PDF), pictures as PNG data URIs, no scripts and no
//         external resources; the intended-population verdict is stated above each image's findings.
//   DICOM a TID 1500 SR and, for segmentations, a binary SEG of one item: core/report/dicom_results.h.
#pragma once

#include "core/base/notice.h"
#include "core/base/result.h"
#include "core/inference/inference.h"
#include "core/inference/model_manifest.h"
#include "core/validation/metrics.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace dx {

extern const char* const kReportSchema; // "dxlens.report/1"
extern const char* const kCsvColumns[]; // the CSV header, in order
extern const int kCsvColumnCount;

// An 8-bit picture for the HTML report (e.g. the image as displayed, the image with its overlay).
struct ReportPicture {
    std::string caption;
    int width = 0;
    int height = 0;
    int channels = 0; // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
    std::vector<uint8_t> pixels;
};

struct ReportItem {
    const AnalysisResult* result = nullptr;
    const ModelManifest* manifest = nullptr;
    std::map<std::string, std::string> metadata; // dx::Image::metadata of the analyzed image
    double pixelSpacingRow = 0.0;                // mm, dx::Image's; 0 unknown (DICOM SEG Pixel Measures)
    double pixelSpacingCol = 0.0;
    std::vector<ReportPicture> pictures; // HTML only
};

struct ReportOptions {
    bool includeIdentifiers = false; // patient name/ID, birth date, institution, ... (dicom_dictionary.h)
    bool includeRawOutputs = true;   // JSON: the raw model outputs (large for segmentation models)
    std::string generatedAt;         // ISO 8601 instant, e.g. "2026-11-22T10:15:00Z"; empty: no time written
    std::string title = "DxLens analysis report";
};

Result<std::string> writeJsonReport(std::span<const ReportItem> items, const ReportOptions& options);
Result<std::string> writeCsvReport(std::span<const ReportItem> items, const ReportOptions& options);
Result<std::string> writeFhirReport(std::span<const ReportItem> items, const ReportOptions& options);
Result<std::string> writeHtmlReport(std::span<const ReportItem> items, const ReportOptions& options);

// ---------------------------------------------------------------------------------------------- validation

// The validation panel's results (metrics.h) for export. JSON "dxlens.validation/1": { schema, notice,
// generated_at?, model, dataset, positive_label, threshold, counts, metrics (null = undefined), auc with its
// interval, rate intervals, bootstrap settings, roc: [ { threshold, tp, fp, tn, fn, sensitivity, specificity
// } ], calibration }. CSV: the ROC table, one row per distinct threshold (the first row is the +inf corner,
// written "inf"), for plotting elsewhere.
struct ValidationReportInput {
    const BinaryValidation* validation = nullptr;
    const ModelManifest* manifest = nullptr;
    std::string positiveLabel; // the model label treated as positive
    std::string dataset;       // e.g. the CSV file or folder the labelled set came from
};

Result<std::string> writeValidationJson(const ValidationReportInput& input, const ReportOptions& options);
Result<std::string> writeValidationCsv(const ValidationReportInput& input, const ReportOptions& options);
// The same as a printable page that needs nothing but itself (inline CSS, the ROC curve as inline SVG, no
// scripts): the notice, the model and its intended use, the data set, the metrics with their intervals, the
// confusion matrix at the threshold, the ROC curve, calibration.
Result<std::string> writeValidationHtml(const ValidationReportInput& input, const ReportOptions& options);

// Multi-class: "dxlens.validation.multiclass/1": { schema, notice, generated_at?, model, dataset, classes,
// cases, accuracy, macro: { sensitivity, specificity, ppv, npv, f1, auc: { value, classes } }, confusion
// (rows = true class, columns = argmax prediction), per_class: [ { class, cases, counts, metrics, auc } ] }.
// CSV: one row per true class with its confusion-matrix row (predicted_<class> columns) and one-vs-rest
// figures, then a "macro average" row (the averages, and the overall accuracy in its accuracy column).
struct MulticlassValidationReportInput {
    const MulticlassValidation* validation = nullptr; // validateMulticlass
    const ModelManifest* manifest = nullptr;
    std::vector<std::string> classNames; // one per class, in model order
    std::string dataset;
};
Result<std::string> writeMulticlassValidationJson(const MulticlassValidationReportInput& input,
                                                  const ReportOptions& options);
Result<std::string> writeMulticlassValidationCsv(const MulticlassValidationReportInput& input,
                                                 const ReportOptions& options);

// ---------------------------------------------------------------------------------------------- shared parts

// The metadata a report may show: identifying attributes removed unless includeIdentifiers.
std::map<std::string, std::string> reportableMetadata(const std::map<std::string, std::string>& metadata,
                                                      bool includeIdentifiers);

} // namespace dx
