// The PNG fast path (png_decoder.h) against stb_image on PNGs written here byte by byte: every filter type on
// every row position, 8- and 16-bit, 1-4 channels, several IDAT chunks; and the kinds it must leave to stb
// (palette, tRNS, Adam7, damaged data) come out exactly as stb decodes them.
#include "core/codecs/png_decoder.h"
#include "core/codecs/raster_decoder.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

namespace {

uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0xffffffffu) {
    for (size_t i = 0; i < n; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc;
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(uint8_t(v >> shift));
}

void chunk(std::vector<uint8_t>& png, const char* type, const std::vector<uint8_t>& body) {
    put32(png, uint32_t(body.size()));
    std::vector<uint8_t> typed(type, type + 4);
    typed.insert(typed.end(), body.begin(), body.end());
    png.insert(png.end(), typed.begin(), typed.end());
    put32(png, crc32(typed.data(), typed.size()) ^ 0xffffffffu);
}

// A zlib stream of stored (uncompressed) deflate blocks: no compressor needed to test the rest of the path.
std::vector<uint8_t> zlibStored(const std::vector<uint8_t>& data) {
    std::vector<uint8_t> z = {0x78, 0x01};
    size_t pos = 0;
    do {
        const size_t n = std::min<size_t>(data.size() - pos, 65535);
        z.push_back(pos + n == data.size() ? 1 : 0);
        z.push_back(uint8_t(n));
        z.push_back(uint8_t(n >> 8));
        z.push_back(uint8_t(~n));
        z.push_back(uint8_t(~n >> 8));
        z.insert(z.end(), data.begin() + long(pos), data.begin() + long(pos + n));
        pos += n;
    } while (pos < data.size());
    uint32_t a = 1, b = 0;
    for (uint8_t v : data) {
        a = (a + v) % 65521;
        b = (b + a) % 65521;
    }
    put32(z, (b << 16) | a);
    return z;
}

int paeth(int a, int b, int c) {
    const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int channelsOf(int colourType) { // palette (3) images have one index per pixel
    return colourType == 2 ? 3 : colourType == 4 ? 2 : colourType == 6 ? 4 : 1;
}

struct PngSpec {
    int width = 7, height = 11, colourType = 0, bitDepth = 8;
    bool interlaced = false;
    int invalidFilterRow = -1;    // this row gets filter type 5, which does not exist
    std::vector<uint8_t> filters; // row y gets filters[y % size]; empty: type y % 5
    std::vector<std::pair<std::string, std::vector<uint8_t>>> extraChunks; // before IDAT
};

// Unfiltered sample bytes of the image, then each row filtered with type (row % 5).
std::vector<uint8_t> writePng(const PngSpec& s, std::vector<uint8_t>* rawOut = nullptr) {
    const int channels = channelsOf(s.colourType);
    const size_t bpp = size_t(channels * s.bitDepth / 8), rowBytes = size_t(s.width) * bpp;
    std::vector<uint8_t> raw(rowBytes * size_t(s.height));
    uint32_t seed = 12345;
    for (size_t i = 0; i < raw.size(); i++) { // smooth gradient + noise, so filters have work to do
        seed = seed * 1103515245u + 12345u;
        raw[i] = uint8_t((i * 7) / 3 + ((seed >> 16) & 15));
    }
    std::vector<uint8_t> filtered;
    for (size_t y = 0; y < size_t(s.height); y++) {
        const uint8_t type = s.filters.empty() ? uint8_t(y % 5) : s.filters[y % s.filters.size()];
        filtered.push_back(int(y) == s.invalidFilterRow ? 5 : type);
        for (size_t i = 0; i < rowBytes; i++) {
            const int x = raw[y * rowBytes + i];
            const int a = i >= bpp ? raw[y * rowBytes + i - bpp] : 0;
            const int b = y > 0 ? raw[(y - 1) * rowBytes + i] : 0;
            const int c = y > 0 && i >= bpp ? raw[(y - 1) * rowBytes + i - bpp] : 0;
            const int predicted = type == 0   ? 0
                                  : type == 1 ? a
                                  : type == 2 ? b
                                  : type == 3 ? (a + b) / 2
                                              : paeth(a, b, c);
            filtered.push_back(uint8_t(x - predicted));
        }
    }
    std::vector<uint8_t> png = {137, 80, 78, 71, 13, 10, 26, 10};
    std::vector<uint8_t> header;
    put32(header, uint32_t(s.width));
    put32(header, uint32_t(s.height));
    header.insert(header.end(), {uint8_t(s.bitDepth), uint8_t(s.colourType), 0, 0, uint8_t(s.interlaced)});
    chunk(png, "IHDR", header);
    for (const auto& [type, body] : s.extraChunks)
        chunk(png, type.c_str(), body);
    const std::vector<uint8_t> z = zlibStored(filtered);
    const size_t half = z.size() / 2; // two IDAT chunks: the data may be split anywhere
    chunk(png, "IDAT", std::vector<uint8_t>(z.begin(), z.begin() + long(half)));
    chunk(png, "IDAT", std::vector<uint8_t>(z.begin() + long(half), z.end()));
    chunk(png, "IEND", {});
    if (rawOut) *rawOut = raw;
    return png;
}

dx::Result<dx::Image> decode(const std::vector<uint8_t>& png, bool fast) {
    dx::RasterOptions options;
    options.commonPngFastPath = fast;
    return dx::decodeRaster(png, dx::RasterFormat::Png, dx::DecodeLimits{}, options);
}

void checkSameAsStb(const std::vector<uint8_t>& png) {
    dx::Result<dx::Image> fast = decode(png, true), stb = decode(png, false);
    REQUIRE(fast.ok() == stb.ok());
    if (!stb.ok()) {
        CHECK(fast.error().message == stb.error().message);
        return;
    }
    CHECK(fast->width == stb->width);
    CHECK(fast->height == stb->height);
    CHECK(fast->samplesPerPixel == stb->samplesPerPixel);
    CHECK(fast->sampleType == stb->sampleType);
    CHECK(fast->pixels == stb->pixels);
}

} // namespace

TEST_CASE("Common PNGs decode on the fast path exactly as stb_image decodes them") {
    for (int colourType : {0, 2, 4, 6}) {
        for (int bitDepth : {8, 16}) {
            PngSpec spec;
            spec.colourType = colourType;
            spec.bitDepth = bitDepth;
            std::vector<uint8_t> raw;
            const std::vector<uint8_t> png = writePng(spec, &raw);
            INFO("colour type " << colourType << ", " << bitDepth << "-bit");
            const int channels = channelsOf(colourType);
            std::vector<uint8_t> pixels;
            REQUIRE(dx::decodeCommonPng(png, {spec.width, spec.height, channels, bitDepth}, pixels));
            if (bitDepth == 8) {
                CHECK(pixels == raw); // the filters undone byte for byte
            } else {
                REQUIRE(pixels.size() == raw.size());
                CHECK(pixels[0] == raw[1]); // big-endian in the file, host (little-endian) order in memory
                CHECK(pixels[1] == raw[0]);
            }
            checkSameAsStb(png);
        }
    }
}

// Grey 8-bit Paeth rows are decoded several rows at a time (a wavefront, png_decoder.cpp): runs of Paeth rows
// shorter than, equal to and longer than a group, broken by other filters, on narrow and wide images, and an
// invalid filter right after a group.
TEST_CASE("Runs of grey Paeth rows decode as row by row") {
    const std::vector<std::vector<uint8_t>> patterns = {{4},
                                                        {4, 4, 4, 4, 4, 4, 4, 1},
                                                        {4, 4, 4, 4, 4, 2},
                                                        {4, 4, 4, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 4, 0},
                                                        {1, 4, 4}};
    for (int width : {1, 2, 3, 7, 64, 515}) {
        for (int height : {1, 5, 6, 7, 13, 40}) {
            for (size_t p = 0; p < patterns.size(); p++) {
                PngSpec spec;
                spec.width = width;
                spec.height = height;
                spec.filters = patterns[p];
                std::vector<uint8_t> raw;
                const std::vector<uint8_t> png = writePng(spec, &raw);
                INFO(width << " x " << height << ", filter pattern " << p);
                std::vector<uint8_t> pixels;
                REQUIRE(dx::decodeCommonPng(png, {width, height, 1, 8}, pixels));
                CHECK(pixels == raw);
                checkSameAsStb(png);
            }
        }
    }
    PngSpec broken;
    broken.width = 9;
    broken.height = 14;
    broken.filters = {4};
    broken.invalidFilterRow = 6;
    std::vector<uint8_t> pixels;
    CHECK_FALSE(dx::decodeCommonPng(writePng(broken), {9, 14, 1, 8}, pixels));
    checkSameAsStb(writePng(broken));
}

TEST_CASE("PNGs the fast path leaves to stb_image decode as before") {
    PngSpec transparent;
    transparent.extraChunks = {{"tRNS", {0, 7}}}; // grey 7 is transparent: stb adds an alpha channel
    PngSpec interlaced;
    interlaced.interlaced = true;
    PngSpec palette;
    palette.colourType = 3;
    std::vector<uint8_t> colours(256 * 3);
    for (size_t i = 0; i < colours.size(); i++)
        colours[i] = uint8_t(i * 5);
    palette.extraChunks = {{"PLTE", colours}};
    PngSpec invalidFilter;
    invalidFilter.invalidFilterRow = 4;
    for (const PngSpec& spec : {transparent, interlaced, palette, invalidFilter}) {
        const std::vector<uint8_t> png = writePng(spec);
        std::vector<uint8_t> pixels;
        CHECK_FALSE(
            dx::decodeCommonPng(png, {spec.width, spec.height, spec.colourType == 3 ? 3 : 1, 8}, pixels));
        checkSameAsStb(png);
    }

    std::vector<uint8_t> damaged = writePng(PngSpec{});
    damaged[damaged.size() - 30] ^= 0xff; // inside the last IDAT: the Adler-32 no longer matches
    checkSameAsStb(damaged);
    std::vector<uint8_t> pixels;
    CHECK_FALSE(dx::decodeCommonPng(damaged, {7, 11, 1, 8}, pixels));
    CHECK_FALSE(dx::decodeCommonPng(writePng(PngSpec{}), {7, 12, 1, 8}, pixels)); // not the layout stb read
}
