// image_decoder.cpp — see image_decoder.h. Formats are told apart by their signatures; TGA has none, so it is
// recognised by a plausible header and tried last.
#include "core/intake/image_decoder.h"

#include "core/codecs/raster_decoder.h"
#include "core/dicom/dicom_image.h"
#include "core/dicom/dicom_parser.h"

#include <cstring>

namespace dx {

const char* imageFormatName(ImageFormat f) {
    switch (f) {
    case ImageFormat::Dicom:
        return "DICOM";
    case ImageFormat::Png:
        return "PNG";
    case ImageFormat::Jpeg:
        return "JPEG";
    case ImageFormat::Bmp:
        return "BMP";
    case ImageFormat::Tga:
        return "TGA";
    case ImageFormat::Gif:
        return "GIF";
    case ImageFormat::Unknown:
        break;
    }
    return "unknown";
}

static bool startsWith(std::span<const uint8_t> bytes, const char* magic, size_t n) {
    return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0;
}

// TGA header (18 bytes): colour-map type 0/1, image type 1-3 or 9-11, sane pixel depth, non-zero size.
static bool looksLikeTga(std::span<const uint8_t> b) {
    if (b.size() < 18) return false;
    const uint8_t colourMapType = b[1], imageType = b[2], depth = b[16];
    const int width = b[12] | (b[13] << 8), height = b[14] | (b[15] << 8);
    const bool typeOk = (imageType >= 1 && imageType <= 3) || (imageType >= 9 && imageType <= 11);
    const bool depthOk = depth == 8 || depth == 15 || depth == 16 || depth == 24 || depth == 32;
    return colourMapType <= 1 && typeOk && depthOk && width > 0 && height > 0;
}

ImageFormat detectImageFormat(std::span<const uint8_t> bytes) {
    if (startsWith(bytes, "\x89PNG\r\n\x1a\n", 8)) return ImageFormat::Png;
    if (startsWith(bytes, "\xff\xd8\xff", 3)) return ImageFormat::Jpeg;
    if (startsWith(bytes, "GIF87a", 6) || startsWith(bytes, "GIF89a", 6)) return ImageFormat::Gif;
    if (looksLikeDicom(bytes)) return ImageFormat::Dicom; // before BMP: a preamble may start with "BM"
    if (startsWith(bytes, "BM", 2) && bytes.size() >= 26) return ImageFormat::Bmp;
    if (looksLikeTga(bytes)) return ImageFormat::Tga;
    return ImageFormat::Unknown;
}

static Result<Image> decode(std::span<const uint8_t> bytes, const DecodeLimits& limits, bool headerOnly) {
    ImageFormat format = detectImageFormat(bytes);
    RasterOptions options;
    options.headerOnly = headerOnly;
    switch (format) {
    case ImageFormat::Dicom: {
        Result<DicomFile> file = parseDicom(bytes, limits);
        if (!file) return file.error();
        return decodeDicomImage(*file, limits, headerOnly);
    }
    case ImageFormat::Png:
        return decodeRaster(bytes, RasterFormat::Png, limits, options);
    case ImageFormat::Jpeg:
        return decodeRaster(bytes, RasterFormat::Jpeg, limits, options);
    case ImageFormat::Bmp:
        return decodeRaster(bytes, RasterFormat::Bmp, limits, options);
    case ImageFormat::Tga:
        return decodeRaster(bytes, RasterFormat::Tga, limits, options);
    case ImageFormat::Gif:
        return decodeRaster(bytes, RasterFormat::Gif, limits, options);
    case ImageFormat::Unknown:
        break;
    }
    if (bytes.empty()) return Error("The file is empty.");
    return Error(
        "This is not an image DxLens can read: it is not DICOM, PNG, JPEG, BMP, TGA or GIF (checked by "
        "content, not by file name).");
}

Result<Image> decodeImage(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
    return decode(bytes, limits, false);
}

Result<Image> readImageHeader(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
    return decode(bytes, limits, true);
}

} // namespace dx
