// dicom_parser.h — reads the structure of a DICOM file (PS3.10 file or a bare PS3.5 data set).
//
// How to use:
//   std::vector<uint8_t> bytes = readFile(path);
//   dx::Result<dx::DicomFile> file = dx::parseDicom(bytes);   // bytes must stay alive while file is used
//   if (!file) print(file.error().message);  // "The file ends at byte 812 inside element (0028,0010) ..."
//   if (dx::looksLikeDicom(bytes)) ...        // content sniffing, no file extension needed
//
// Accepts: the 128-byte preamble + "DICM" + meta header, "DICM" without preamble, and data sets without any
// meta header (starting with group 0008 or similar), whose encoding (implicit/explicit VR, little/big endian)
// is detected from the first element. Transfer syntaxes: implicit VR LE, explicit VR LE and BE, deflated
// explicit VR LE (inflated here), and every encapsulated syntax (structure only: whether the pixels can be
// decoded is decided by dicom_image.h). Sequences of defined and undefined length (also UN with undefined
// length, read as implicit VR LE as PS3.5 6.2.2 says), item delimiters, private tags and odd lengths are
// handled. Every length is checked against the bytes before it is used; errors name the offset and the tag.
#pragma once

#include "core/base/result.h"
#include "core/dicom/dicom_dataset.h"
#include "core/image/decode_limits.h"

#include <span>

namespace dx {

bool looksLikeDicom(std::span<const uint8_t> bytes);
Result<DicomFile> parseDicom(std::span<const uint8_t> bytes, const DecodeLimits& limits = {});

} // namespace dx
