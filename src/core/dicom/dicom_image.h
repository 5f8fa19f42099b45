// dicom_image.h — turns a parsed DICOM file into a dx::Image: pixel module, codecs, colour, display attributes.
//
// How to use:
//   dx::Result<dx::DicomFile> file = dx::parseDicom(bytes, limits);
//   dx::Result<dx::Image> img = dx::decodeDicomImage(*file, limits);            // all frames
//   dx::Result<dx::Image> hdr = dx::decodeDicomImage(*file, limits, true);      // attributes only, no pixels
//
// Pixels: stored values after decompression, High Bit/Bits Stored masking and sign extension, before the
// modality LUT (Image::rescaleSlope/rescaleIntercept). Bits Allocated 1 -> U8 (0/1), 8 -> U8/I8,
// 16 -> U16/I16, 32 -> U32/I32 by Pixel Representation. Samples always come out interleaved; YBR_FULL,
// YBR_FULL_422 and PALETTE COLOR come out as RGB (palette: U8 or U16 by the LUT's bits per entry);
// MONOCHROME1 is kept (Photometric::Monochrome1) and inverted by the renderer.
// Codecs: native (uncompressed, also deflated and big endian), RLE Lossless, JPEG Baseline (stb_image). Any
// other transfer syntax returns "unsupported transfer syntax <UID> (<name>)", never pixels.
// Metadata: Image::metadata gets "format" = "DICOM", the pixel-module attributes as in the file
// (PhotometricInterpretation, BitsAllocated, PixelRepresentation, TransferSyntaxUID, ...) and the study,
// series and patient attributes the UI shows (dicom_dictionary.cpp, shownInUI); isIdentifyingAttribute()
// says which of those identify a person.
#pragma once

#include "core/base/result.h"
#include "core/dicom/dicom_dataset.h"
#include "core/image/decode_limits.h"
#include "core/image/image.h"

namespace dx {

Result<Image> decodeDicomImage(const DicomFile& file, const DecodeLimits& limits, bool headerOnly = false);

} // namespace dx
