// image_decoder.h — the one entry point for intake: bytes of any supported file -> dx::Image.
//
// How to use:
//   std::vector<uint8_t> bytes = ...;                       // a dropped file, any name, any extension
//   dx::Result<dx::Image> img = dx::decodeImage(bytes);     // DICOM, PNG, JPEG, BMP, TGA or GIF
//   dx::Result<dx::Image> hdr = dx::readImageHeader(bytes); // same attributes, no pixels (cheap)
//   dx::ImageFormat fmt = dx::detectImageFormat(bytes);     // by content, never by file name
//
// Errors are for the person who dropped the file: "This is not an image DxLens can read (...)", "Unsupported
// transfer syntax 1.2.840.10008.1.2.4.80 (JPEG-LS Lossless) ...", "The file ends inside ... at byte 812".
#pragma once

#include "core/base/result.h"
#include "core/image/decode_limits.h"
#include "core/image/image.h"

#include <span>

namespace dx {

enum class ImageFormat : uint8_t { Unknown, Dicom, Png, Jpeg, Bmp, Tga, Gif };
const char* imageFormatName(ImageFormat f);

ImageFormat detectImageFormat(std::span<const uint8_t> bytes);
Result<Image> decodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits = {});
Result<Image> readImageHeader(std::span<const uint8_t> bytes, const DecodeLimits& limits = {});

} // namespace dx
