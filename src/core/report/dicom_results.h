// dicom_results.h — one analysis handed back as DICOM: a Comprehensive SR following TID 1500 (Measurement
// Report) and, for segmentation models, a binary Segmentation, the objects a PACS takes AI results as (IHE AI
// Results).
//
// How to use:
//   dx::ReportItem item;                       // report.h: result, manifest, the source image's metadata
//   item.result = &analysis; item.manifest = &manifest; item.metadata = image.metadata;
//   item.pixelSpacingRow = image.pixelSpacingRow; item.pixelSpacingCol = image.pixelSpacingCol;
//   dx::DicomResultOptions options;            // options.includeIdentifiers follows the UI's masking choice
//   dx::Result<dx::Bytes> sr = dx::writeDicomSr(item, options);    // PS3.10 file bytes
//   dx::Result<dx::Bytes> seg = dx::writeDicomSeg(item, options);  // error unless the result has a mask
//
// SR (SOP Class 1.2.840.10008.5.1.4.1.1.88.33, Comprehensive SR; TID 1500): language (en-US), the device
// observer (DxLens, its version and build), procedure reported, an image library that references the source
// image's SOP Class/Instance UIDs, one Measurement Group (TID 1501) per finding with the label as the Finding,
// the probability as a NUM in UCUM "1" (NumericValue = the JSON's shortest float32 text, FloatingPointValue =
// the exact value), the decision threshold and the decision (Present/Absent), the algorithm (TID 4019: name,
// version, "sha256 <hex>" as parameters); segmentation classes as groups with the area measured; the
// out-of-distribution check as its own group; the intended-population verdict, the model's intended use and
// the research-use notice as TEXT items under Qualitative Evaluations.
//
// SEG (SOP Class 1.2.840.10008.5.1.4.1.1.66.4, Segmentation, BINARY): one segment per class except a class
// named "background", segment algorithm type AUTOMATIC with the model's name and version, property category
// and type codes (SNOMED CT where the label is known, else DxLens's own 99DXLENS codes), one bit-packed frame
// per segment at the source image's size, Derivation Image (shared), Segment Identification per frame, Pixel
// Measures, Plane Orientation/Position and the Frame of Reference: the source's when it gives them (CT, MR),
// otherwise (radiographs, PNG) a Frame of Reference of the SEG's own, the image plane with pixel spacing 1\1
// unless the spacing is known, since the IOD requires one; the Multi-frame Dimension module indexed by
// Referenced Segment Number.
//
// Both: new Series and SOP Instance UIDs; patient and study modules taken from the source's metadata when the
// source was a DICOM file (a new Study Instance UID for PNG/JPEG sources). Masking (includeIdentifiers false,
// the default): names, IDs, dates, the accession number and the institution are written empty (Type 2
// attributes) or left out; the instance UIDs of the source study, series and image stay, because without them
// the result cannot be filed beside the image it describes.
#pragma once

#include "core/base/bytes.h"
#include "core/dicom/dicom_writer.h"
#include "core/report/report.h"

#include <string>

namespace dx {

extern const char* const kComprehensiveSrSopClassUid; // 1.2.840.10008.5.1.4.1.1.88.33
extern const char* const kSegmentationSopClassUid;    // 1.2.840.10008.5.1.4.1.1.66.4
extern const char* const kDxLensCodingScheme;         // "99DXLENS", our private coding scheme designator

struct DicomResultOptions {
    bool includeIdentifiers = false; // the masking choice (Show patient identifiers)
    std::string generatedAt;         // ISO 8601 UTC instant for Content Date/Time; empty: now
    std::string seriesInstanceUid;   // empty: a new one
    std::string sopInstanceUid;      // empty: a new one
    int seriesNumber = 0;            // empty (0): 901 for SR, 902 for SEG, out of the way of the source's
    DicomWriteOptions write;
};

// The data sets, for tests and for callers that add to them before writing.
Result<DicomItem> buildDicomSr(const ReportItem& item, const DicomResultOptions& options);
Result<DicomItem> buildDicomSeg(const ReportItem& item, const DicomResultOptions& options);

Result<Bytes> writeDicomSr(const ReportItem& item, const DicomResultOptions& options);
Result<Bytes> writeDicomSeg(const ReportItem& item, const DicomResultOptions& options);

// Whether the result can be written as a Segmentation (it has a mask with at least one segment class).
bool hasDicomSegmentation(const ReportItem& item);

} // namespace dx
