// dicom_seg.cpp — a segmentation model's mask as a binary DICOM Segmentation (see dicom_results.h). Modules from
// PS3.3 A.51 (Segmentation IOD): Segmentation Series, Frame of Reference (when the source has one), General and
// Enhanced General Equipment, General Image, Image Pixel, Segmentation Image, Multi-frame Functional Groups,
// Multi-frame Dimension, Common Instance Reference, SOP Common.
#include "core/base/build_info.h"
#include "core/report/dicom_results_internal.h"

#include <cctype>

namespace dx {

using namespace dcm;

namespace {

std::string metadataValue(const ReportItem& item, const char* keyword) {
    auto it = item.metadata.find(keyword);
    return it == item.metadata.end() ? std::string() : it->second;
}

bool isBackground(const std::string& name) {
    std::string lower;
    for (char c : name)
        lower += char(std::tolower(uint8_t(c)));
    return lower == "background";
}

// Content Label is a CS: capitals, digits, space and underscore, 16 characters.
std::string contentLabel(const std::string& modelId) {
    std::string label;
    for (char c : modelId)
        label += std::isalnum(uint8_t(c)) ? char(std::toupper(uint8_t(c))) : '_';
    if (label.size() > 16) label.resize(16);
    return label.empty() ? "SEGMENTATION" : label;
}

// A segmented property is anatomy when we know it as an SCT body structure, else a model class of ours.
Code propertyCategory(const Code& type) {
    if (type.scheme == "SCT" && type.value == "39607008") return {"91723000", "SCT", "Anatomical Structure"};
    return dxlensCode("MODELCLASS", "Class of a segmentation model");
}

} // namespace

Result<DicomItem> buildDicomSeg(const ReportItem& item, const DicomResultOptions& options) {
    Result<DicomResultContext> context = resultContext(item, options);
    if (!context) return context.error();
    if (!hasDicomSegmentation(item))
        return Error("This result has no segmentation mask: a DICOM Segmentation is written only for "
                     "segmentation models.");
    const DicomResultContext& c = *context;
    const AnalysisResult& r = *item.result;
    const ModelManifest& m = *item.manifest;
    const SegmentationMask& mask = r.mask;
    if (mask.width > 0xffff || mask.height > 0xffff)
        return Error("The mask is larger than a DICOM image may be (65535 pixels a side).");
    if (mask.labels.size() != size_t(mask.width) * size_t(mask.height))
        return Error("The segmentation mask's size does not match its pixels.");

    DicomItem ds;
    addCommonModules(ds, item, options, c, kSegmentationSopClassUid);

    // Segmentation Series.
    ds.setText(Modality, dicomVR("CS"), "SEG");
    ds.setText(SeriesNumber, dicomVR("IS"),
               std::to_string(options.seriesNumber ? options.seriesNumber : 902));
    ds.setText(SeriesDescription, dicomVR("LO"), ("DxLens " + m.id + " segmentation").substr(0, 64));

    // Frame of Reference and plane geometry: the source's when it states all of them (CT, MR). A projection
    // radiograph or a PNG states none, yet the Segmentation IOD requires them (dciodvfy enforces it): the SEG
    // then gets a Frame of Reference of its own, the image plane itself (first pixel at 0\0\0, rows along x,
    // columns along y), which claims nothing about the patient; the Derivation Image references tie it to
    // the source image.
    std::string frameOfReference = metadataValue(item, "FrameOfReferenceUID");
    std::string position = metadataValue(item, "ImagePositionPatient");
    std::string orientation = metadataValue(item, "ImageOrientationPatient");
    const bool geometry =
        c.sourceIsDicom && !frameOfReference.empty() && !position.empty() && !orientation.empty();
    if (!geometry) {
        frameOfReference = newDicomUid();
        position = "0\\0\\0";
        orientation = "1\\0\\0\\0\\1\\0";
    }
    ds.setText(FrameOfReferenceUID, dicomVR("UI"), frameOfReference);
    ds.setText(PositionReferenceIndicator, dicomVR("LO"), "");

    // General Image and Segmentation Image.
    ds.setText(ImageType, dicomVR("CS"), "DERIVED\\PRIMARY");
    ds.setText(ContentLabel, dicomVR("CS"), contentLabel(m.id));
    ds.setText(ContentDescription, dicomVR("LO"),
               ("Segmentation by " + m.id + " " + m.version).substr(0, 64));
    ds.setText(ContentCreatorName, dicomVR("PN"), "");
    ds.setText(SegmentationType, dicomVR("CS"), "BINARY");
    ds.setText(LossyImageCompression, dicomVR("CS"), "00");

    bool privateCodes = false; // 99DXLENS used: it stays declared in the Coding Scheme Identification
    std::vector<int> classes;  // mask class index of each segment (segment number = position + 1)
    for (size_t k = 0; k < mask.areas.size(); k++) {
        if (isBackground(mask.areas[k].name)) continue;
        const int segmentNumber = int(classes.size()) + 1;
        classes.push_back(int(k));
        const Code type = labelCode(mask.areas[k].name);
        DicomItem segment;
        segment.setUS(SegmentNumber, uint16_t(segmentNumber));
        segment.setText(SegmentLabel, dicomVR("LO"), mask.areas[k].name.substr(0, 64));
        segment.setText(SegmentAlgorithmType, dicomVR("CS"), "AUTOMATIC");
        segment.setText(SegmentAlgorithmName, dicomVR("LO"),
                        ((m.name.empty() ? m.id : m.name) + " " + m.version).substr(0, 64));
        const Code category = propertyCategory(type);
        privateCodes =
            privateCodes || type.scheme == kDxLensCodingScheme || category.scheme == kDxLensCodingScheme;
        segment.addItem(SegmentedPropertyCategoryCodeSequence, codeItem(category));
        segment.addItem(SegmentedPropertyTypeCodeSequence, codeItem(type));
        ds.addItem(SegmentSequence, std::move(segment));
    }
    if (classes.size() > 0xffff)
        return Error("The model has more classes than a DICOM Segmentation can hold.");

    // Image Pixel: one bit per pixel, frames packed one after another with no padding between them (PS3.5
    // 8.1.1), the least significant bit first; the whole value padded to an even length when written.
    const size_t pixelsPerFrame = size_t(mask.width) * size_t(mask.height);
    std::vector<uint8_t> bits((pixelsPerFrame * classes.size() + 7) / 8, 0);
    for (size_t f = 0; f < classes.size(); f++) {
        const uint8_t cls = uint8_t(classes[f]);
        for (size_t i = 0; i < pixelsPerFrame; i++)
            if (mask.labels[i] == cls) {
                const size_t bit = f * pixelsPerFrame + i;
                bits[bit / 8] = uint8_t(bits[bit / 8] | (1u << (bit % 8)));
            }
    }
    ds.setUS(SamplesPerPixel, 1);
    ds.setText(PhotometricInterpretation, dicomVR("CS"), "MONOCHROME2");
    ds.setUS(Rows, uint16_t(mask.height));
    ds.setUS(Columns, uint16_t(mask.width));
    ds.setUS(BitsAllocated, 1);
    ds.setUS(BitsStored, 1);
    ds.setUS(HighBit, 0);
    ds.setUS(PixelRepresentation, 0);
    ds.setText(NumberOfFrames, dicomVR("IS"), std::to_string(classes.size()));
    ds.setBytes(PixelData, dicomVR("OB"), std::move(bits));

    // Multi-frame Dimension: frames are told apart by their segment alone.
    const std::string dimensionUid = newDicomUid();
    DicomItem organization;
    organization.setText(DimensionOrganizationUID, dicomVR("UI"), dimensionUid);
    ds.addItem(DimensionOrganizationSequence, std::move(organization));
    DicomItem index;
    index.setText(DimensionOrganizationUID, dicomVR("UI"), dimensionUid);
    index.setAT(DimensionIndexPointer, ReferencedSegmentNumber);
    index.setAT(FunctionalGroupPointer, SegmentIdentificationSequence);
    index.setText(DimensionDescriptionLabel, dicomVR("LO"), "Segment Number");
    ds.addItem(DimensionIndexSequence, std::move(index));

    // Multi-frame Functional Groups. Pixel spacing in mm when the source gives it; otherwise 1\1, the image plane's own unit (one pixel).
    DicomItem shared;
    DicomItem measures;
    const bool spacing = item.pixelSpacingRow > 0 && item.pixelSpacingCol > 0;
    measures.setText(PixelSpacing, dicomVR("DS"),
                     spacing ? dicomDecimalString(item.pixelSpacingRow) + "\\" +
                                   dicomDecimalString(item.pixelSpacingCol)
                             : "1\\1");
    const std::string thickness = metadataValue(item, "SliceThickness");
    // Slice Thickness: the source's; in a frame of our own, 1 (its unit), which dciodvfy requires there too.
    if (!geometry || !thickness.empty())
        measures.setText(SliceThickness, dicomVR("DS"), geometry ? thickness : std::string("1"));
    shared.addItem(PixelMeasuresSequence, std::move(measures));
    DicomItem plane;
    plane.setText(ImageOrientationPatient, dicomVR("DS"), orientation);
    shared.addItem(PlaneOrientationSequence, std::move(plane));
    if (!c.sourceIsDicom) {
        shared.setEmptySequence(DerivationImageSequence); // Type 2: a PNG or JPEG is nothing to refer to
    } else {
        DicomItem derivation;
        DicomItem source = sourceImageReference(c);
        source.addItem(PurposeOfReferenceCodeSequence,
                       codeItem({"121322", "DCM", "Source image for image processing operation"}));
        derivation.addItem(SourceImageSequence, std::move(source));
        derivation.addItem(DerivationCodeSequence, codeItem({"113076", "DCM", "Segmentation"}));
        shared.addItem(DerivationImageSequence, std::move(derivation));
    }
    ds.addItem(SharedFunctionalGroupsSequence, std::move(shared));
    for (size_t f = 0; f < classes.size(); f++) {
        DicomItem frame;
        DicomItem content;
        content.setUL(DimensionIndexValues, uint32_t(f + 1));
        frame.addItem(FrameContentSequence, std::move(content));
        DicomItem framePosition;
        framePosition.setText(ImagePositionPatient, dicomVR("DS"), position);
        frame.addItem(PlanePositionSequence, std::move(framePosition));
        DicomItem segment;
        segment.setUS(ReferencedSegmentNumber, uint16_t(f + 1));
        frame.addItem(SegmentIdentificationSequence, std::move(segment));
        ds.addItem(PerFrameFunctionalGroupsSequence, std::move(frame));
    }

    if (!privateCodes) ds.remove(CodingSchemeIdentificationSequence); // only SNOMED CT and DCM codes

    // Common Instance Reference: the source image's series and instance.
    if (c.sourceIsDicom) {
        DicomItem series;
        series.setText(SeriesInstanceUID, dicomVR("UI"), c.sourceSeriesUid);
        series.addItem(0x0008114a, sourceImageReference(c)); // Referenced Instance Sequence
        ds.addItem(ReferencedSeriesSequence, std::move(series));
    }
    return ds;
}

Result<Bytes> writeDicomSeg(const ReportItem& item, const DicomResultOptions& options) {
    Result<DicomItem> ds = buildDicomSeg(item, options);
    if (!ds) return ds.error();
    return writeDicomFile(*ds, options.write);
}

} // namespace dx
