// dicom_dataset.h — a parsed DICOM file: the data set as a tree of elements that point into the file's bytes.
//
// How to use:
//   dx::Result<dx::DicomFile> file = dx::parseDicom(bytes);        // dicom_parser.h; bytes must outlive file
//   const dx::DicomDataset& ds = file->dataset;
//   std::string modality = file->string(ds, dx::DicomTag::Modality);   // trimmed, "" when absent
//   std::optional<int64_t> rows = file->integer(ds, dx::DicomTag::Rows);
//   std::vector<double> centers = file->numbers(ds, dx::DicomTag::WindowCenter); // all values of a DS
//   if (const dx::DicomElement* px = ds.find(dx::DicomTag::PixelData)) { ... px->fragments ... }
//
// Nothing is copied: an element records where its value lies (valueOffset, length) in DicomFile::bytes. For a
// deflated data set the file keeps the inflated bytes itself (DicomFile::ownedBytes) and bytes points there.
// Multi-byte numbers are read in the file's byte order (bigEndian) by the accessors.
#pragma once

#include "core/dicom/dicom_dictionary.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dx {

constexpr uint32_t kDicomUndefinedLength = 0xffffffffu;

// One item of encapsulated Pixel Data (a piece of a compressed frame, or the Basic Offset Table).
struct DicomFragment {
    size_t offset = 0; // of the fragment's bytes in DicomFile::bytes
    uint32_t length = 0;
};

struct DicomDataset;

struct DicomElement {
    uint32_t tag = 0;
    DicomVR vr = 0;
    uint32_t length = 0;    // value length; kDicomUndefinedLength for sequences/encapsulated data without one
    size_t valueOffset = 0; // where the value starts in DicomFile::bytes
    size_t headerOffset = 0;              // where the element starts (for error messages)
    std::vector<DicomDataset> items;      // SQ: one data set per item
    std::vector<DicomFragment> fragments; // encapsulated Pixel Data: offset table first, then the fragments
    bool encapsulated() const { return length == kDicomUndefinedLength && vr != dicomVR("SQ"); }
};

struct DicomDataset {
    std::vector<DicomElement> elements; // in file order
    const DicomElement* find(uint32_t tag) const;
};

struct DicomFile {
    std::span<const uint8_t> bytes;  // the caller's bytes, or ownedBytes for a deflated data set
    std::vector<uint8_t> ownedBytes; // meta header + inflated data set (deflated transfer syntax only)
    bool hasPreamble = false;        // 128-byte preamble and "DICM"
    bool hasMetaHeader = false;      // group 0002 present
    std::string transferSyntaxUID;   // from the meta header, or the one detected from the content
    const TransferSyntax* transferSyntax = nullptr;
    bool bigEndian = false;
    bool explicitVR = true;
    size_t datasetOffset = 0; // first byte after the meta header
    DicomDataset meta;        // group 0002
    DicomDataset dataset;     // everything else

    DicomFile() = default;
    // Moving keeps bytes valid: a moved std::vector keeps its heap buffer. Copying would not, hence deleted.
    DicomFile(DicomFile&& other) noexcept = default;
    DicomFile& operator=(DicomFile&& other) noexcept = default;
    DicomFile(const DicomFile&) = delete;
    DicomFile& operator=(const DicomFile&) = delete;

    std::span<const uint8_t> value(const DicomElement& e) const;
    // Text value with leading/trailing spaces and NULs removed; the whole multi-valued string (with '\').
    std::string string(const DicomDataset& ds, uint32_t tag) const;
    // First value as an integer: US, SS, UL, SL binary values, or IS/DS text. Empty when absent/unreadable.
    std::optional<int64_t> integer(const DicomDataset& ds, uint32_t tag) const;
    // All values as numbers: DS/IS text split at '\', or the binary numbers of US/SS/UL/SL/FL/FD.
    std::vector<double> numbers(const DicomDataset& ds, uint32_t tag) const;
    uint16_t readU16(size_t offset) const; // in the file's byte order; offset + 2 must be inside bytes
    uint32_t readU32(size_t offset) const;
};

} // namespace dx
