// raster_fuzzer.cpp — libFuzzer target for the raster path: format detection and stb_image decoding (PNG,
// JPEG, BMP, TGA, GIF) with our allocation budget, EXIF orientation, and rendering.
//
// How to use (clang, configured with the native-asan preset, which builds it):
//   build/native-asan/bin/dx_fuzz_raster -max_total_time=60 NEW_CORPUS_DIR tests/fuzz/corpus/raster
#include "core/codecs/raster_decoder.h"
#include "core/image/render.h"
#include "core/intake/image_decoder.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> bytes(data, size);
    dx::DecodeLimits limits;
    limits.maxDecodedBytes = 64u << 20;
    (void)dx::jpegExifOrientation(bytes);
    dx::ImageFormat format = dx::detectImageFormat(bytes);
    if (format == dx::ImageFormat::Dicom || format == dx::ImageFormat::Unknown) {
        // Exercise stb's own format sniffing as well: try the input as each raster format.
        for (dx::RasterFormat f : {dx::RasterFormat::Png, dx::RasterFormat::Tga, dx::RasterFormat::Bmp})
            (void)dx::decodeRaster(bytes, f, limits);
        return 0;
    }
    dx::Result<dx::Image> img = dx::decodeImage(bytes, limits);
    if (!img) return 0;
    dx::Result<dx::DisplayImage> shown = dx::renderImage(*img);
    (void)shown;
    return 0;
}
