// dicom_dictionary.cpp — see dicom_dictionary.h. Keywords and VRs follow PS3.6 (the keywords pydicom uses).
#include "core/dicom/dicom_dictionary.h"

#include <cstdio>

namespace dx {

std::string dicomTagText(uint32_t tag) {
    char text[16];
    std::snprintf(text, sizeof text, "(%04X,%04X)", unsigned(dicomGroup(tag)),
                  unsigned(dicomElementNumber(tag)));
    return text;
}

std::string dicomVRText(DicomVR vr) {
    char c0 = char(vr >> 8), c1 = char(vr & 0xff);
    if (c0 >= 0x20 && c0 < 0x7f && c1 >= 0x20 && c1 < 0x7f) return std::string{c0, c1};
    char text[16];
    std::snprintf(text, sizeof text, "0x%04X", unsigned(vr));
    return text;
}

static const DicomVR kKnownVRs[] = {
    dicomVR("AE"), dicomVR("AS"), dicomVR("AT"), dicomVR("CS"), dicomVR("DA"), dicomVR("DS"), dicomVR("DT"),
    dicomVR("FD"), dicomVR("FL"), dicomVR("IS"), dicomVR("LO"), dicomVR("LT"), dicomVR("OB"), dicomVR("OD"),
    dicomVR("OF"), dicomVR("OL"), dicomVR("OV"), dicomVR("OW"), dicomVR("PN"), dicomVR("SH"), dicomVR("SL"),
    dicomVR("SQ"), dicomVR("SS"), dicomVR("ST"), dicomVR("SV"), dicomVR("TM"), dicomVR("UC"), dicomVR("UI"),
    dicomVR("UL"), dicomVR("UN"), dicomVR("UR"), dicomVR("US"), dicomVR("UT"), dicomVR("UV"),
};

bool isKnownDicomVR(DicomVR vr) {
    for (DicomVR known : kKnownVRs)
        if (known == vr) return true;
    return false;
}

bool hasLongLengthField(DicomVR vr) {
    switch (vr) {
    case dicomVR("OB"):
    case dicomVR("OD"):
    case dicomVR("OF"):
    case dicomVR("OL"):
    case dicomVR("OV"):
    case dicomVR("OW"):
    case dicomVR("SQ"):
    case dicomVR("SV"):
    case dicomVR("UC"):
    case dicomVR("UN"):
    case dicomVR("UR"):
    case dicomVR("UT"):
    case dicomVR("UV"):
        return true;
    default:
        return false;
    }
}

// In tag order (findDicomAttribute does a binary search). shownInUI: copied to Image::metadata.
// identifying: direct or indirect identifiers (names, IDs, dates, places, instance UIDs) the UI masks by default.
static const DicomAttribute kAttributes[] = {
    {0x00020000, dicomVR("UL"), "FileMetaInformationGroupLength", false, false},
    {0x00020001, dicomVR("OB"), "FileMetaInformationVersion", false, false},
    {0x00020002, dicomVR("UI"), "MediaStorageSOPClassUID", false, false},
    {0x00020003, dicomVR("UI"), "MediaStorageSOPInstanceUID", false, true},
    {0x00020010, dicomVR("UI"), "TransferSyntaxUID", false, false},
    {0x00020012, dicomVR("UI"), "ImplementationClassUID", false, false},
    {0x00020013, dicomVR("SH"), "ImplementationVersionName", false, false},
    {0x00080005, dicomVR("CS"), "SpecificCharacterSet", false, false},
    {0x00080008, dicomVR("CS"), "ImageType", true, false},
    {0x00080016, dicomVR("UI"), "SOPClassUID", true, false},
    {0x00080018, dicomVR("UI"), "SOPInstanceUID", true, true},
    {0x00080020, dicomVR("DA"), "StudyDate", true, true},
    {0x00080021, dicomVR("DA"), "SeriesDate", true, true},
    {0x00080022, dicomVR("DA"), "AcquisitionDate", false, true},
    {0x00080023, dicomVR("DA"), "ContentDate", false, true},
    {0x00080030, dicomVR("TM"), "StudyTime", true, true},
    {0x00080050, dicomVR("SH"), "AccessionNumber", true, true},
    {0x00080060, dicomVR("CS"), "Modality", true, false},
    {0x00080070, dicomVR("LO"), "Manufacturer", true, false},
    {0x00080080, dicomVR("LO"), "InstitutionName", true, true},
    {0x00080081, dicomVR("ST"), "InstitutionAddress", false, true},
    {0x00080090, dicomVR("PN"), "ReferringPhysicianName", true, true},
    {0x00081030, dicomVR("LO"), "StudyDescription", true, false},
    {0x0008103e, dicomVR("LO"), "SeriesDescription", true, false},
    {0x00081090, dicomVR("LO"), "ManufacturerModelName", true, false},
    {0x00081110, dicomVR("SQ"), "ReferencedStudySequence", false, false},
    {0x00081111, dicomVR("SQ"), "ReferencedPerformedProcedureStepSequence", false, false},
    {0x00081140, dicomVR("SQ"), "ReferencedImageSequence", false, false},
    {0x00081150, dicomVR("UI"), "ReferencedSOPClassUID", false, false},
    {0x00081155, dicomVR("UI"), "ReferencedSOPInstanceUID", false, true},
    {0x00082112, dicomVR("SQ"), "SourceImageSequence", false, false},
    {0x00100010, dicomVR("PN"), "PatientName", true, true},
    {0x00100020, dicomVR("LO"), "PatientID", true, true},
    {0x00100030, dicomVR("DA"), "PatientBirthDate", true, true},
    {0x00100040, dicomVR("CS"), "PatientSex", true, false},
    {0x00101010, dicomVR("AS"), "PatientAge", true, true},
    {0x00180015, dicomVR("CS"), "BodyPartExamined", true, false},
    {0x00180050, dicomVR("DS"), "SliceThickness", true, false},
    {0x00180060, dicomVR("DS"), "KVP", false, false},
    {0x00181164, dicomVR("DS"), "ImagerPixelSpacing", false, false},
    {0x00185100, dicomVR("CS"), "PatientPosition", true, false},
    {0x00185101, dicomVR("CS"), "ViewPosition", true, false},
    {0x0020000d, dicomVR("UI"), "StudyInstanceUID", true, true},
    {0x0020000e, dicomVR("UI"), "SeriesInstanceUID", true, true},
    {0x00200010, dicomVR("SH"), "StudyID", true, true},
    {0x00200011, dicomVR("IS"), "SeriesNumber", true, false},
    {0x00200013, dicomVR("IS"), "InstanceNumber", true, false},
    {0x00200020, dicomVR("CS"), "PatientOrientation", true, false},
    {0x00200032, dicomVR("DS"), "ImagePositionPatient", true, false},
    {0x00200037, dicomVR("DS"), "ImageOrientationPatient", true, false},
    {0x00200052, dicomVR("UI"), "FrameOfReferenceUID", true, true},
    {0x00201041, dicomVR("DS"), "SliceLocation", false, false},
    {0x00280002, dicomVR("US"), "SamplesPerPixel", false, false},
    {0x00280004, dicomVR("CS"), "PhotometricInterpretation", false, false},
    {0x00280006, dicomVR("US"), "PlanarConfiguration", false, false},
    {0x00280008, dicomVR("IS"), "NumberOfFrames", false, false},
    {0x00280009, dicomVR("AT"), "FrameIncrementPointer", false, false},
    {0x00280010, dicomVR("US"), "Rows", false, false},
    {0x00280011, dicomVR("US"), "Columns", false, false},
    {0x00280030, dicomVR("DS"), "PixelSpacing", false, false},
    {0x00280034, dicomVR("IS"), "PixelAspectRatio", false, false},
    {0x00280100, dicomVR("US"), "BitsAllocated", false, false},
    {0x00280101, dicomVR("US"), "BitsStored", false, false},
    {0x00280102, dicomVR("US"), "HighBit", false, false},
    {0x00280103, dicomVR("US"), "PixelRepresentation", false, false},
    {0x00280106, dicomVR("US"), "SmallestImagePixelValue", false, false}, // US or SS: never interpreted
    {0x00280107, dicomVR("US"), "LargestImagePixelValue", false, false},
    {0x00281050, dicomVR("DS"), "WindowCenter", false, false},
    {0x00281051, dicomVR("DS"), "WindowWidth", false, false},
    {0x00281052, dicomVR("DS"), "RescaleIntercept", false, false},
    {0x00281053, dicomVR("DS"), "RescaleSlope", false, false},
    {0x00281054, dicomVR("LO"), "RescaleType", false, false},
    {0x00281055, dicomVR("LO"), "WindowCenterWidthExplanation", false, false},
    {0x00281056, dicomVR("CS"), "VOILUTFunction", false, false},
    {0x00281101, dicomVR("US"), "RedPaletteColorLookupTableDescriptor", false, false},
    {0x00281102, dicomVR("US"), "GreenPaletteColorLookupTableDescriptor", false, false},
    {0x00281103, dicomVR("US"), "BluePaletteColorLookupTableDescriptor", false, false},
    {0x00281199, dicomVR("UI"), "PaletteColorLookupTableUID", false, false},
    {0x00281201, dicomVR("OW"), "RedPaletteColorLookupTableData", false, false},
    {0x00281202, dicomVR("OW"), "GreenPaletteColorLookupTableData", false, false},
    {0x00281203, dicomVR("OW"), "BluePaletteColorLookupTableData", false, false},
    {0x00281221, dicomVR("OW"), "SegmentedRedPaletteColorLookupTableData", false, false},
    {0x00281222, dicomVR("OW"), "SegmentedGreenPaletteColorLookupTableData", false, false},
    {0x00281223, dicomVR("OW"), "SegmentedBluePaletteColorLookupTableData", false, false},
    {0x00282110, dicomVR("CS"), "LossyImageCompression", true, false},
    {0x00283000, dicomVR("SQ"), "ModalityLUTSequence", false, false},
    {0x00283010, dicomVR("SQ"), "VOILUTSequence", false, false},
    {0x00400275, dicomVR("SQ"), "RequestAttributesSequence", false, false},
    {0x0040a730, dicomVR("SQ"), "ContentSequence", false, false},
    {0x00540016, dicomVR("SQ"), "RadiopharmaceuticalInformationSequence", false, false},
    {0x7fe00001, dicomVR("OV"), "ExtendedOffsetTable", false, false},
    {0x7fe00002, dicomVR("OV"), "ExtendedOffsetTableLengths", false, false},
    {0x7fe00010, dicomVR("OW"), "PixelData", false, false},
};

const DicomAttribute* dicomAttributes(int* count) {
    *count = int(sizeof(kAttributes) / sizeof(kAttributes[0]));
    return kAttributes;
}

const DicomAttribute* findDicomAttribute(uint32_t tag) {
    int lo = 0, hi = int(sizeof(kAttributes) / sizeof(kAttributes[0])) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (kAttributes[mid].tag == tag) return &kAttributes[mid];
        if (kAttributes[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return nullptr;
}

DicomVR dictionaryVR(uint32_t tag) {
    if (const DicomAttribute* a = findDicomAttribute(tag)) return a->vr;
    uint16_t element = dicomElementNumber(tag);
    if (element == 0x0000) return dicomVR("UL"); // group length, in every group
    if ((dicomGroup(tag) & 1) && element >= 0x0010 && element <= 0x00ff)
        return dicomVR("LO"); // private creator
    return dicomVR("UN");
}

bool isIdentifyingAttribute(std::string_view keyword) {
    for (const DicomAttribute& a : kAttributes)
        if (keyword == a.keyword) return a.identifying;
    return false;
}

static const TransferSyntax kTransferSyntaxes[] = {
    {"1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, PixelCodec::Native},
    {"1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, PixelCodec::Native},
    {"1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, PixelCodec::Native},
    {"1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, PixelCodec::Native},
    {"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, false, false, PixelCodec::JpegBaseline},
    {"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, false, false, PixelCodec::JpegExtended},
    {"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", true, false, false,
     PixelCodec::JpegLossless},
    {"1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)",
     true, false, false, PixelCodec::JpegLossless},
    {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", true, false, false, PixelCodec::JpegLs},
    {"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)", true, false, false, PixelCodec::JpegLs},
    {"1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)", true, false, false, PixelCodec::Jpeg2000},
    {"1.2.840.10008.1.2.4.91", "JPEG 2000", true, false, false, PixelCodec::Jpeg2000},
    {"1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (Lossless Only)", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.94", "JPIP Referenced", true, false, false, PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", true, false, true, PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)", true, false, false,
     PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)", true, false,
     false, PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000", true, false, false, PixelCodec::Unsupported},
    {"1.2.840.10008.1.2.5", "RLE Lossless", true, false, false, PixelCodec::Rle},
};

const TransferSyntax& findTransferSyntax(std::string_view uid) {
    for (const TransferSyntax& ts : kTransferSyntaxes)
        if (uid == ts.uid) return ts;
    static const TransferSyntax unknown = {"",    "unknown transfer syntax", true, false,
                                           false, PixelCodec::Unsupported};
    return unknown;
}

} // namespace dx
