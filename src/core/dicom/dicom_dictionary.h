// dicom_dictionary.h — the part of the DICOM data dictionary (PS3.6) DxLens needs, plus the transfer syntaxes.
//
// How to use:
//   uint32_t tag = dx::DicomTag::Rows;                        // (0028,0010) as 0x00280010
//   dx::DicomVR vr = dx::dictionaryVR(tag);                   // "US" as a two-letter code, UN when unknown
//   const dx::DicomAttribute* a = dx::findDicomAttribute(tag); // keyword, VR, whether it identifies a person
//   const dx::TransferSyntax& ts = dx::findTransferSyntax("1.2.840.10008.1.2.5"); // RLE Lossless
//
// The dictionary is our own compact table of the attributes we read or expose, not the full PS3.6 list: in
// implicit VR files, an attribute that is not here comes out as UN and is kept as raw bytes, which is all we
// need for attributes we never interpret. Sequences of undefined length are recognised without the dictionary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dx {

constexpr uint32_t dicomTag(uint16_t group, uint16_t element) {
    return (uint32_t(group) << 16) | element;
}
inline uint16_t dicomGroup(uint32_t tag) {
    return uint16_t(tag >> 16);
}
inline uint16_t dicomElementNumber(uint32_t tag) {
    return uint16_t(tag & 0xffff);
}
std::string dicomTagText(uint32_t tag); // "(0028,0010)"

// A Value Representation as its two ASCII letters packed big-endian-style: 'U' << 8 | 'S'.
using DicomVR = uint16_t;
constexpr DicomVR dicomVR(const char (&text)[3]) {
    return DicomVR((uint8_t(text[0]) << 8) | uint8_t(text[1]));
}
std::string dicomVRText(DicomVR vr);
bool isKnownDicomVR(DicomVR vr);
bool hasLongLengthField(
    DicomVR vr); // explicit VR: OB, OW, SQ, UN, UT, ... use a 4-byte length after 2 reserved bytes

namespace DicomTag {
// File meta information
constexpr uint32_t TransferSyntaxUID = 0x00020010;
// Items and delimiters (no VR, also in explicit VR data)
constexpr uint32_t Item = 0xfffee000;
constexpr uint32_t ItemDelimitation = 0xfffee00d;
constexpr uint32_t SequenceDelimitation = 0xfffee0dd;
// Patient, study, series
constexpr uint32_t SpecificCharacterSet = 0x00080005;
constexpr uint32_t SOPClassUID = 0x00080016;
constexpr uint32_t StudyDate = 0x00080020;
constexpr uint32_t Modality = 0x00080060;
constexpr uint32_t BodyPartExamined = 0x00180015;
constexpr uint32_t ImagerPixelSpacing = 0x00181164;
// Image pixel module
constexpr uint32_t SamplesPerPixel = 0x00280002;
constexpr uint32_t PhotometricInterpretation = 0x00280004;
constexpr uint32_t PlanarConfiguration = 0x00280006;
constexpr uint32_t NumberOfFrames = 0x00280008;
constexpr uint32_t Rows = 0x00280010;
constexpr uint32_t Columns = 0x00280011;
constexpr uint32_t PixelSpacing = 0x00280030;
constexpr uint32_t BitsAllocated = 0x00280100;
constexpr uint32_t BitsStored = 0x00280101;
constexpr uint32_t HighBit = 0x00280102;
constexpr uint32_t PixelRepresentation = 0x00280103;
constexpr uint32_t WindowCenter = 0x00281050;
constexpr uint32_t WindowWidth = 0x00281051;
constexpr uint32_t RescaleIntercept = 0x00281052;
constexpr uint32_t RescaleSlope = 0x00281053;
constexpr uint32_t RescaleType = 0x00281054;
constexpr uint32_t WindowCenterWidthExplanation = 0x00281055;
constexpr uint32_t VOILUTFunction = 0x00281056;
constexpr uint32_t RedPaletteDescriptor = 0x00281101;
constexpr uint32_t GreenPaletteDescriptor = 0x00281102;
constexpr uint32_t BluePaletteDescriptor = 0x00281103;
constexpr uint32_t RedPaletteData = 0x00281201;
constexpr uint32_t GreenPaletteData = 0x00281202;
constexpr uint32_t BluePaletteData = 0x00281203;
constexpr uint32_t SegmentedRedPaletteData = 0x00281221;
constexpr uint32_t ExtendedOffsetTable = 0x7fe00001;
constexpr uint32_t ExtendedOffsetTableLengths = 0x7fe00002;
constexpr uint32_t PixelData = 0x7fe00010;
} // namespace DicomTag

struct DicomAttribute {
    uint32_t tag;
    DicomVR vr;
    const char* keyword;
    bool shownInUI;   // copied into Image::metadata for the UI
    bool identifying; // names or points to a person, place or date: the UI masks it by default
};

const DicomAttribute* findDicomAttribute(uint32_t tag);
const DicomAttribute* dicomAttributes(int* count); // the whole table, in tag order
DicomVR dictionaryVR(uint32_t tag);                // UN for attributes not in the table
bool isIdentifyingAttribute(std::string_view keyword);

// JpegBaseline goes through stb_image; JpegExtended (8/12-bit DCT) and JpegLossless through jpeg_decoder.h;
// JpegLs through CharLS (dicom_jpegls.h) and Jpeg2000 through OpenJPEG (dicom_j2k.h).
enum class PixelCodec : uint8_t {
    Native,
    Rle,
    JpegBaseline,
    JpegExtended,
    JpegLossless,
    JpegLs,
    Jpeg2000,
    Unsupported
};

struct TransferSyntax {
    const char* uid;
    const char* name;
    bool explicitVR;
    bool bigEndian;
    bool deflated;
    PixelCodec codec;
};

// Every transfer syntax from PS3.6 table A-1 we know the name of. An unknown UID gives an entry named
// "unknown transfer syntax" with the encapsulated defaults (explicit VR little endian, unsupported codec).
const TransferSyntax& findTransferSyntax(std::string_view uid);

} // namespace dx
