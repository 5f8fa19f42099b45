// dicom_writer.h — builds DICOM data sets in memory and writes them as PS3.10 files (Explicit VR Little Endian),
// the way DxLens hands its results to a PACS (report/dicom_sr.cpp, report/dicom_seg.cpp).
//
// How to use:
//   dx::DicomItem ds;
//   ds.setText(0x00080016, dx::dicomVR("UI"), "1.2.840.10008.5.1.4.1.1.88.33");   // SOP Class UID
//   ds.setText(0x00100010, dx::dicomVR("PN"), "DOE^JANE");
//   ds.setUS(dx::DicomTag::Rows, 512);
//   dx::DicomItem code;                                    // a sequence item, built first, then added
//   code.setText(0x00080100, dx::dicomVR("SH"), "121071");
//   ds.addItem(0x0040a043, std::move(code));               // appends to the sequence, creating it
//   ds.setEmptySequence(0x00081111);                       // a Type 2 sequence with no items
//   dx::Result<dx::Bytes> file = dx::writeDicomFile(ds);   // preamble, "DICM", group 0002, the data set
//   std::string uid = dx::newDicomUid();                   // "2.25.<128 random bits in decimal>"
//
// Elements are written in ascending tag order whatever order they were set in; setting a tag again replaces
// it. Values are padded to even length as PS3.5 6.2 says: UI with a NUL, the other text VRs with a space, OB/UN
// with a zero byte. The meta header (group 0002 with its group length) is derived from the data set's SOP
// Class and Instance UIDs. Sequences and items are written with defined lengths by default, or with undefined
// lengths and delimitation items (DicomWriteOptions). Errors (a value too long for a 2-byte length field, a
// UID longer than 64 characters or with characters other than digits and dots, no SOP UIDs) are values.
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"
#include "core/dicom/dicom_dataset.h"
#include "core/dicom/dicom_dictionary.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dx {

struct DicomItem;

// One element: a value (already in little-endian byte order, unpadded) or, for SQ, its items.
struct DicomWriteElement {
    uint32_t tag = 0;
    DicomVR vr = 0;
    std::vector<uint8_t> value;
    std::vector<DicomItem> items;
};

// A data set or a sequence item.
struct DicomItem {
    std::vector<DicomWriteElement> elements; // in the order set; sorted by tag when written

    // Text VRs (AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT): the value as given, multiple values joined
    // with '\'. Padding is added when written.
    DicomItem& setText(uint32_t tag, DicomVR vr, const std::string& text);
    // Text with the VR from the dictionary (dicom_dictionary.h); for attributes it does not list, use setText.
    DicomItem& setText(uint32_t tag, const std::string& text);
    DicomItem& setUS(uint32_t tag, uint16_t value);
    DicomItem& setUS(uint32_t tag, std::span<const uint16_t> values);
    DicomItem& setUL(uint32_t tag, uint32_t value);
    DicomItem& setUL(uint32_t tag, std::span<const uint32_t> values);
    DicomItem& setFD(uint32_t tag, double value);
    DicomItem& setAT(uint32_t tag, uint32_t attributeTag); // a tag as the value (Dimension Index Pointer)
    DicomItem& setBytes(uint32_t tag, DicomVR vr, std::vector<uint8_t> bytes); // OB, OW, UN, ...
    // Appends an item to the sequence `tag`, creating the sequence when it is not there yet.
    DicomItem& addItem(uint32_t tag, DicomItem item);
    DicomItem& setEmptySequence(uint32_t tag);
    DicomItem& remove(uint32_t tag); // nothing happens when it is not there

    const DicomWriteElement* find(uint32_t tag) const;
    // The text of a text element with its padding removed, "" when absent (tests and callers that copy).
    std::string text(uint32_t tag) const;

private:
    DicomWriteElement& slot(uint32_t tag, DicomVR vr); // the element, replaced or created
};

struct DicomWriteOptions {
    bool undefinedLengthSequences = false; // sequences and items with delimitation items instead of lengths
    std::string implementationVersionName; // (0002,0013), at most 16 characters; empty: "DXLENS_<version>"
};

// The complete PS3.10 file: 128 zero bytes, "DICM", the File Meta Information (group length, version 00\01,
// Media Storage SOP Class/Instance UID from the data set's (0008,0016)/(0008,0018), Transfer Syntax Explicit VR
// Little Endian, DxLens's Implementation Class UID and version name), then the data set.
Result<Bytes> writeDicomFile(const DicomItem& dataset, const DicomWriteOptions& options = {});
// The data set alone in Explicit VR Little Endian (no preamble, no meta header).
Result<Bytes> writeDicomDataset(const DicomItem& dataset, const DicomWriteOptions& options = {});

// A new UID under the 2.25 root (PS3.5 B.2): "2.25." and the decimal value of a random (version 4) UUID, at
// most 44 characters. Random bits come from std::random_device (the OS's generator natively, the browser's
// crypto.getRandomValues in WASM).
std::string newDicomUid();
// The UID of a 16-byte UUID under 2.25 (the variant and version bits are kept as given).
std::string uuidToDicomUid(const uint8_t (&uuid)[16]);
// DxLens's Implementation Class UID (0002,0012): fixed, so a receiving system can tell our files apart.
extern const char* const kDxLensImplementationClassUid;

// A DS value (at most 16 characters) for a double: the shortest %g text that fits, "0" for non-finite values.
std::string dicomDecimalString(double value);
// A DA / TM pair (UTC) for a moment given as an ISO 8601 instant "2026-11-22T10:15:00Z"; false when the text
// is not one.
bool dicomDateTimeFromIso(const std::string& iso, std::string* date, std::string* time);
// Now in UTC as an ISO 8601 instant with seconds ("2026-11-22T10:15:00Z").
std::string currentIsoInstant();

} // namespace dx
