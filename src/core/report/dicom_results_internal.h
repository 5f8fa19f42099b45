// dicom_results_internal.h — what the DICOM SR and SEG writers (dicom_sr.cpp, dicom_seg.cpp) share: tags,
// coded concepts, and the patient/study/equipment modules taken from the source image. Not a public API.
#pragma once

#include "core/report/dicom_results.h"

#include <string>

namespace dx::dcm {

// Attributes the writers set (PS3.6 tags); VRs are given where they are set.
constexpr uint32_t SpecificCharacterSet = 0x00080005;
constexpr uint32_t ImageType = 0x00080008;
constexpr uint32_t InstanceCreationDate = 0x00080012;
constexpr uint32_t InstanceCreationTime = 0x00080013;
constexpr uint32_t SOPClassUID = 0x00080016;
constexpr uint32_t SOPInstanceUID = 0x00080018;
constexpr uint32_t StudyDate = 0x00080020;
constexpr uint32_t SeriesDate = 0x00080021;
constexpr uint32_t ContentDate = 0x00080023;
constexpr uint32_t StudyTime = 0x00080030;
constexpr uint32_t SeriesTime = 0x00080031;
constexpr uint32_t ContentTime = 0x00080033;
constexpr uint32_t AccessionNumber = 0x00080050;
constexpr uint32_t Modality = 0x00080060;
constexpr uint32_t Manufacturer = 0x00080070;
constexpr uint32_t ReferringPhysicianName = 0x00080090;
constexpr uint32_t CodeValue = 0x00080100;
constexpr uint32_t CodingSchemeDesignator = 0x00080102;
constexpr uint32_t CodeMeaning = 0x00080104;
constexpr uint32_t MappingResource = 0x00080105;
constexpr uint32_t CodingSchemeIdentificationSequence = 0x00080110;
constexpr uint32_t CodingSchemeName = 0x00080115;
constexpr uint32_t CodingSchemeResponsibleOrganization = 0x00080116;
constexpr uint32_t TimezoneOffsetFromUTC = 0x00080201;
constexpr uint32_t StudyDescription = 0x00081030;
constexpr uint32_t SeriesDescription = 0x0008103e;
constexpr uint32_t ManufacturerModelName = 0x00081090;
constexpr uint32_t ReferencedPerformedProcedureStepSequence = 0x00081111;
constexpr uint32_t ReferencedSeriesSequence = 0x00081115;
constexpr uint32_t ReferencedSOPClassUID = 0x00081150;
constexpr uint32_t ReferencedSOPInstanceUID = 0x00081155;
constexpr uint32_t ReferencedSOPSequence = 0x00081199;
constexpr uint32_t DerivationDescription = 0x00082111;
constexpr uint32_t SourceImageSequence = 0x00082112;
constexpr uint32_t DerivationImageSequence = 0x00089124;
constexpr uint32_t DerivationCodeSequence = 0x00089215;
constexpr uint32_t PatientName = 0x00100010;
constexpr uint32_t PatientID = 0x00100020;
constexpr uint32_t PatientBirthDate = 0x00100030;
constexpr uint32_t PatientSex = 0x00100040;
constexpr uint32_t PatientAge = 0x00101010;
constexpr uint32_t DeviceSerialNumber = 0x00181000;
constexpr uint32_t SoftwareVersions = 0x00181020;
constexpr uint32_t SliceThickness = 0x00180050;
constexpr uint32_t StudyInstanceUID = 0x0020000d;
constexpr uint32_t SeriesInstanceUID = 0x0020000e;
constexpr uint32_t StudyID = 0x00200010;
constexpr uint32_t SeriesNumber = 0x00200011;
constexpr uint32_t InstanceNumber = 0x00200013;
constexpr uint32_t ImagePositionPatient = 0x00200032;
constexpr uint32_t ImageOrientationPatient = 0x00200037;
constexpr uint32_t FrameOfReferenceUID = 0x00200052;
constexpr uint32_t PositionReferenceIndicator = 0x00201040;
constexpr uint32_t DimensionOrganizationUID = 0x00209164;
constexpr uint32_t DimensionIndexPointer = 0x00209165;
constexpr uint32_t FunctionalGroupPointer = 0x00209167;
constexpr uint32_t DimensionIndexValues = 0x00209157;
constexpr uint32_t DimensionOrganizationSequence = 0x00209221;
constexpr uint32_t DimensionIndexSequence = 0x00209222;
constexpr uint32_t DimensionOrganizationType = 0x00209311;
constexpr uint32_t DimensionDescriptionLabel = 0x00209421;
constexpr uint32_t FrameContentSequence = 0x00209111;
constexpr uint32_t PlanePositionSequence = 0x00209113;
constexpr uint32_t PlaneOrientationSequence = 0x00209116;
constexpr uint32_t SharedFunctionalGroupsSequence = 0x52009229;
constexpr uint32_t PerFrameFunctionalGroupsSequence = 0x52009230;
constexpr uint32_t PixelMeasuresSequence = 0x00289110;
constexpr uint32_t LossyImageCompression = 0x00282110;
constexpr uint32_t ContentLabel = 0x00700080;
constexpr uint32_t ContentDescription = 0x00700081;
constexpr uint32_t ContentCreatorName = 0x00700084;
constexpr uint32_t PurposeOfReferenceCodeSequence = 0x0040a170;
constexpr uint32_t RelationshipType = 0x0040a010;
constexpr uint32_t ValueType = 0x0040a040;
constexpr uint32_t ConceptNameCodeSequence = 0x0040a043;
constexpr uint32_t ContinuityOfContent = 0x0040a050;
constexpr uint32_t UID = 0x0040a124;
constexpr uint32_t TextValue = 0x0040a160;
constexpr uint32_t FloatingPointValue = 0x0040a161;
constexpr uint32_t ConceptCodeSequence = 0x0040a168;
constexpr uint32_t MeasuredValueSequence = 0x0040a300;
constexpr uint32_t NumericValue = 0x0040a30a;
constexpr uint32_t MeasurementUnitsCodeSequence = 0x004008ea;
constexpr uint32_t PerformedProcedureCodeSequence = 0x0040a372;
constexpr uint32_t CurrentRequestedProcedureEvidenceSequence = 0x0040a375;
constexpr uint32_t CompletionFlag = 0x0040a491;
constexpr uint32_t VerificationFlag = 0x0040a493;
constexpr uint32_t ContentTemplateSequence = 0x0040a504;
constexpr uint32_t ContentSequence = 0x0040a730;
constexpr uint32_t TemplateIdentifier = 0x0040db00;
constexpr uint32_t SegmentationType = 0x00620001;
constexpr uint32_t SegmentSequence = 0x00620002;
constexpr uint32_t SegmentedPropertyCategoryCodeSequence = 0x00620003;
constexpr uint32_t SegmentNumber = 0x00620004;
constexpr uint32_t SegmentLabel = 0x00620005;
constexpr uint32_t SegmentAlgorithmType = 0x00620008;
constexpr uint32_t SegmentAlgorithmName = 0x00620009;
constexpr uint32_t SegmentIdentificationSequence = 0x0062000a;
constexpr uint32_t ReferencedSegmentNumber = 0x0062000b;
constexpr uint32_t SegmentedPropertyTypeCodeSequence = 0x0062000f;
constexpr uint32_t SegmentDescription = 0x00620006;
constexpr uint32_t PixelSpacing = 0x00280030;
constexpr uint32_t SamplesPerPixel = 0x00280002;
constexpr uint32_t PhotometricInterpretation = 0x00280004;
constexpr uint32_t NumberOfFrames = 0x00280008;
constexpr uint32_t Rows = 0x00280010;
constexpr uint32_t Columns = 0x00280011;
constexpr uint32_t BitsAllocated = 0x00280100;
constexpr uint32_t BitsStored = 0x00280101;
constexpr uint32_t HighBit = 0x00280102;
constexpr uint32_t PixelRepresentation = 0x00280103;
constexpr uint32_t PixelData = 0x7fe00010;

struct Code {
    std::string value, scheme, meaning;
};
DicomItem codeItem(const Code& code);

// Codes from PS3.16 (DCM), SNOMED CT (SCT), UCUM and UMLS, and DxLens's own 99DXLENS.
Code dxlensCode(const std::string& value, const std::string& meaning);
// A model label as a coded concept: SNOMED CT for labels we know ("pneumonia", "lung", ...), else 99DXLENS
// with the label as the meaning.
Code labelCode(const std::string& label);

// What the writers take from the source and the options, checked once.
struct DicomResultContext {
    std::string contentDate, contentTime; // DA, TM (UTC)
    std::string seriesInstanceUid, sopInstanceUid;
    bool sourceIsDicom = false; // the source image came with study/series/instance UIDs
    std::string sourceStudyUid, sourceSeriesUid, sourceSopClassUid, sourceSopInstanceUid;
    std::string studyInstanceUid; // the source's, or a new one
};
Result<DicomResultContext> resultContext(const ReportItem& item, const DicomResultOptions& options);

// SOP Common (with the 99DXLENS scheme identified), Patient, General Study, General Equipment and Enhanced
// General Equipment, with identifiers masked per options.
void addCommonModules(DicomItem& ds, const ReportItem& item, const DicomResultOptions& options,
                      const DicomResultContext& context, const char* sopClassUid);
// The source image as a Referenced SOP item (class and instance).
DicomItem sourceImageReference(const DicomResultContext& context);
// The model's source image, if a DICOM one, as Referenced Series Sequence items (for evidence / common
// instance references).
DicomItem referencedSeriesItem(const DicomResultContext& context);

} // namespace dx::dcm
