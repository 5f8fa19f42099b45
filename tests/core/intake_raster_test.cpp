// intake_raster_test.cpp — format detection, EXIF orientation, 16-bit PNG and the size limit of the raster
// path. (Pixel-exact comparisons against Pillow live in the golden tests, tests/golden.)
#include "core/codecs/raster_decoder.h"
#include "core/codecs/raster_encoder.h"
#include "core/image/render.h"
#include "core/intake/image_decoder.h"

#include <catch2/catch.hpp>

#include <cstring>

static std::vector<uint8_t> pngOf(int width, int height, int channels, const std::vector<uint8_t>& pixels) {
    dx::Result<std::vector<uint8_t>> png = dx::encodePng(width, height, channels, pixels.data());
    REQUIRE(png.ok());
    return *png;
}

TEST_CASE("Formats are recognised by content, not by name") {
    std::vector<uint8_t> png = pngOf(1, 1, 1, {7});
    CHECK(dx::detectImageFormat(png) == dx::ImageFormat::Png);
    const uint8_t jpeg[] = {0xff, 0xd8, 0xff, 0xe0};
    CHECK(dx::detectImageFormat(jpeg) == dx::ImageFormat::Jpeg);
    const uint8_t gif[] = {'G', 'I', 'F', '8', '9', 'a'};
    CHECK(dx::detectImageFormat(gif) == dx::ImageFormat::Gif);
    std::vector<uint8_t> dicom(132, 0);
    std::memcpy(&dicom[128], "DICM", 4);
    CHECK(dx::detectImageFormat(dicom) == dx::ImageFormat::Dicom);
    const uint8_t text[] = "hello, this is not an image at all";
    CHECK(dx::detectImageFormat(text) == dx::ImageFormat::Unknown);
    dx::Result<dx::Image> refused = dx::decodeImage(text);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("not an image DxLens can read"));
    CHECK_FALSE(dx::decodeImage({}).ok());
}

TEST_CASE("PNG round trip through our encoder and stb_image keeps every sample") {
    std::vector<uint8_t> rgba;
    for (int i = 0; i < 5 * 3 * 4; i++)
        rgba.push_back(uint8_t(i * 17));
    dx::Result<dx::Image> img = dx::decodeImage(pngOf(5, 3, 4, rgba));
    REQUIRE(img.ok());
    CHECK(img->width == 5);
    CHECK(img->height == 3);
    CHECK(img->samplesPerPixel == 4);
    CHECK(img->photometric == dx::Photometric::RGBA);
    CHECK(img->pixels == rgba);
    CHECK(img->metadata.at("format") == "PNG");
}

// A JPEG header with only an APP1/EXIF segment carrying the given orientation (enough for the EXIF reader):
// TIFF header, IFD0 with one entry (0x0112 Orientation, SHORT, count 1), no next IFD.
static std::vector<uint8_t> exifJpegHeader(uint16_t orientation, bool bigEndian) {
    std::vector<uint8_t> tiff;
    auto put16 = [&](uint32_t v) {
        uint8_t lo = uint8_t(v), hi = uint8_t(v >> 8);
        tiff.push_back(bigEndian ? hi : lo);
        tiff.push_back(bigEndian ? lo : hi);
    };
    auto put32 = [&](uint32_t v) {
        put16(bigEndian ? v >> 16 : v & 0xffff);
        put16(bigEndian ? v & 0xffff : v >> 16);
    };
    put16(bigEndian ? 0x4d4d : 0x4949); // "MM" / "II"
    put16(42);
    put32(8);      // IFD0 offset
    put16(1);      // one entry
    put16(0x0112); // Orientation
    put16(3);      // SHORT
    put32(1);      // count
    put16(orientation);
    put16(0);
    put32(0); // no next IFD
    const size_t length = 2 + 6 + tiff.size();
    std::vector<uint8_t> out;
    const int head[] = {0xff, 0xd8, 0xff, 0xe1, int(length >> 8), int(length & 0xff), 'E', 'x',
                        'i',  'f',  0,    0};
    for (int b : head)
        out.push_back(uint8_t(b));
    for (uint8_t b : tiff)
        out.push_back(b);
    out.push_back(0xff);
    out.push_back(0xd9);
    return out;
}

TEST_CASE("EXIF orientation is read in both byte orders and ignored when absent or corrupt") {
    CHECK(dx::jpegExifOrientation(exifJpegHeader(6, false)) == 6);
    CHECK(dx::jpegExifOrientation(exifJpegHeader(8, true)) == 8);
    CHECK(dx::jpegExifOrientation(exifJpegHeader(42, false)) == 1); // out of range
    std::vector<uint8_t> cut = exifJpegHeader(6, false);
    cut.resize(20);
    CHECK(dx::jpegExifOrientation(cut) == 1);
    const uint8_t noExif[] = {0xff, 0xd8, 0xff, 0xd9};
    CHECK(dx::jpegExifOrientation(noExif) == 1);
}

TEST_CASE("A raster image larger than the decode limit is refused from its header") {
    std::vector<uint8_t> png = pngOf(64, 64, 3, std::vector<uint8_t>(64 * 64 * 3, 9));
    dx::DecodeLimits limits;
    limits.maxDecodedBytes = 64 * 64 * 3 - 1;
    dx::Result<dx::Image> img = dx::decodeImage(png, limits);
    REQUIRE_FALSE(img.ok());
    CHECK_THAT(img.error().message, Catch::Contains("more than the limit"));
    // A header claiming 60000 x 60000 RGBA (14 GB) fails the same way, without decoding anything.
    png[16] = 0, png[17] = 0, png[18] = 0xea, png[19] = 0x60; // IHDR width
    png[20] = 0, png[21] = 0, png[22] = 0xea, png[23] = 0x60; // IHDR height (CRC now wrong: stb ignores it)
    dx::Result<dx::Image> huge = dx::decodeImage(png);
    REQUIRE_FALSE(huge.ok());
}

TEST_CASE("Grey images render through a colour lookup table and 8-bit raster images keep their values") {
    dx::Image img;
    img.width = 3;
    img.height = 1;
    img.pixels = {0, 100, 255};
    img.metadata["format"] = "PNG";
    dx::ColourLut lut{};
    for (int i = 0; i < 256; i++) {
        lut[i * 3 + 0] = uint8_t(i);
        lut[i * 3 + 1] = 0;
        lut[i * 3 + 2] = uint8_t(255 - i);
    }
    dx::RenderOptions options;
    options.colourLut = &lut;
    dx::Result<dx::DisplayImage> shown = dx::renderImage(img, options);
    REQUIRE(shown.ok());
    CHECK(shown->rgba == std::vector<uint8_t>{0, 0, 255, 255, 100, 0, 155, 255, 255, 0, 0, 255});
    options.colourLut = nullptr;
    options.invert = true;
    CHECK(dx::renderImage(img, options)->rgba[4] == 155);
    options.frame = 1;
    CHECK_FALSE(dx::renderImage(img, options).ok());
}
