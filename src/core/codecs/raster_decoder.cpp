// raster_decoder.cpp — see raster_decoder.h. stb_image is compiled here, once, with only the formats we
// accept and with its allocations routed through a per-thread budget (StbAllocationBudget).
#include "core/codecs/raster_decoder.h"

#include "core/codecs/png_decoder.h"

#include <cstdlib>
#include <cstring>
#include <string>

// stb_image allocations: every block carries its size in a 16-byte header so realloc/free can keep the count.
namespace {
thread_local size_t g_stbBudgetBytes = 0; // 0: no decode in progress, nothing may be allocated
thread_local size_t g_stbBytesInUse = 0;
constexpr size_t kStbHeader = 16;

void* stbBudgetMalloc(size_t size) {
    if (size > g_stbBudgetBytes || g_stbBytesInUse > g_stbBudgetBytes - size) return nullptr;
    uint8_t* block = static_cast<uint8_t*>(std::malloc(size + kStbHeader));
    if (!block) return nullptr;
    std::memcpy(block, &size, sizeof size);
    g_stbBytesInUse += size;
    return block + kStbHeader;
}

void stbBudgetFree(void* p) {
    if (!p) return;
    uint8_t* block = static_cast<uint8_t*>(p) - kStbHeader;
    size_t size;
    std::memcpy(&size, block, sizeof size);
    g_stbBytesInUse -= size;
    std::free(block);
}

void* stbBudgetRealloc(void* p, size_t newSize) {
    if (!p) return stbBudgetMalloc(newSize);
    uint8_t* block = static_cast<uint8_t*>(p) - kStbHeader;
    size_t oldSize;
    std::memcpy(&oldSize, block, sizeof oldSize);
    size_t othersInUse = g_stbBytesInUse - oldSize;
    if (newSize > g_stbBudgetBytes || othersInUse > g_stbBudgetBytes - newSize) return nullptr;
    uint8_t* grown = static_cast<uint8_t*>(std::realloc(block, newSize + kStbHeader));
    if (!grown) return nullptr;
    std::memcpy(grown, &newSize, sizeof newSize);
    g_stbBytesInUse = othersInUse + newSize;
    return grown + kStbHeader;
}

// Sets the budget for one decode and checks on the way out that stb freed what it allocated.
struct StbAllocationBudget {
    explicit StbAllocationBudget(size_t bytes) {
        g_stbBudgetBytes = bytes;
        g_stbBytesInUse = 0;
    }
    ~StbAllocationBudget() { g_stbBudgetBytes = 0; }
};
} // namespace

// Emscripten translates SSE2 intrinsics to WASM SIMD (-msimd128 -msse2, set for this file in CMakeLists.txt):
// declaring an x64 target lets stb_image use the same SSE2 IDCT and colour kernels as the native build, so
// the two builds decode JPEG identically and WASM keeps up with native (bench/README.md).
#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__) && defined(__SSE2__)
#define STBI__X64_TARGET
#endif
#define STBI_MALLOC(size) stbBudgetMalloc(size)
#define STBI_REALLOC(p, size) stbBudgetRealloc(p, size)
#define STBI_FREE(p) stbBudgetFree(p)
#define STBI_NO_STDIO
#define STBI_NO_PSD
#define STBI_NO_HDR
#define STBI_NO_PIC
#define STBI_NO_PNM
#define STBI_NO_LINEAR
#define STBI_FAILURE_USERMSG
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb_image.h>
#if defined(__clang__)
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace dx {

const char* rasterFormatName(RasterFormat f) {
    switch (f) {
    case RasterFormat::Png:
        return "PNG";
    case RasterFormat::Jpeg:
        return "JPEG";
    case RasterFormat::Bmp:
        return "BMP";
    case RasterFormat::Tga:
        return "TGA";
    case RasterFormat::Gif:
        return "GIF";
    }
    return "unknown";
}

// --- JPEG marker segments ---------------------------------------------------------------------------------

void forEachJpegSegment(std::span<const uint8_t> jpeg, const JpegSegmentVisitor& visit) {
    if (jpeg.size() < 4 || jpeg[0] != 0xff || jpeg[1] != 0xd8) return;
    size_t pos = 2;
    while (pos + 4 <= jpeg.size()) {
        if (jpeg[pos] != 0xff) { // entropy-coded data after a scan header: look for the next marker
            pos++;
            continue;
        }
        const uint8_t marker = jpeg[pos + 1];
        if (marker == 0xff || marker == 0x00 || (marker >= 0xd0 && marker <= 0xd7)) { // fill, stuffing, RSTn
            pos += marker == 0xff ? 1 : 2;
            continue;
        }
        if (marker == 0xd9) return; // end of image
        const size_t length = (size_t(jpeg[pos + 2]) << 8) | jpeg[pos + 3];
        if (!visit(marker, pos + 4, length)) return;
        if (length < 2) return;
        pos += 2 + length;
    }
}

// --- EXIF orientation -------------------------------------------------------------------------------------

struct TiffReader {
    std::span<const uint8_t> tiff;
    bool bigEndian = false;
    bool has(size_t offset, size_t n) const { return offset <= tiff.size() && n <= tiff.size() - offset; }
    uint16_t u16(size_t o) const {
        return bigEndian ? uint16_t((tiff[o] << 8) | tiff[o + 1]) : uint16_t(tiff[o] | (tiff[o + 1] << 8));
    }
    uint32_t u32(size_t o) const {
        return bigEndian ? (uint32_t(u16(o)) << 16) | u16(o + 2) : u16(o) | (uint32_t(u16(o + 2)) << 16);
    }
};

static int orientationFromTiff(std::span<const uint8_t> tiff) {
    TiffReader r{tiff};
    if (!r.has(0, 8)) return 1;
    if (tiff[0] == 'M' && tiff[1] == 'M')
        r.bigEndian = true;
    else if (!(tiff[0] == 'I' && tiff[1] == 'I'))
        return 1;
    uint32_t ifd = r.u32(4);
    if (!r.has(ifd, 2)) return 1;
    uint16_t entries = r.u16(ifd);
    for (uint16_t i = 0; i < entries; i++) {
        size_t entry = size_t(ifd) + 2 + size_t(i) * 12;
        if (!r.has(entry, 12)) return 1;
        if (r.u16(entry) == 0x0112 && r.u16(entry + 2) == 3) { // Orientation, SHORT
            uint16_t v = r.u16(entry + 8);
            return v >= 1 && v <= 8 ? v : 1;
        }
    }
    return 1;
}

int jpegExifOrientation(std::span<const uint8_t> jpeg) {
    int orientation = 1;
    forEachJpegSegment(jpeg, [&](uint8_t marker, size_t body, size_t length) {
        if (marker == 0xda || length < 2 || body - 2 + length > jpeg.size())
            return false; // no EXIF after SOS
        std::span<const uint8_t> payload = jpeg.subspan(body, length - 2);
        if (marker == 0xe1 && payload.size() >= 6 && std::memcmp(payload.data(), "Exif\0\0", 6) == 0) {
            orientation = orientationFromTiff(payload.subspan(6));
            return false;
        }
        return true;
    });
    return orientation;
}

// Rewrites pixels so that an image with EXIF orientation 2..8 is shown upright (orientation 1).
static void applyOrientation(Image& img, int orientation) {
    if (orientation <= 1 || orientation > 8) return;
    const int w = img.width, h = img.height;
    const bool swapsAxes = orientation >= 5;
    const int outW = swapsAxes ? h : w, outH = swapsAxes ? w : h;
    const size_t pixelBytes = size_t(img.samplesPerPixel) * bytesPerSample(img.sampleType);
    if (img.pixels.empty()) { // header only: just the new size
        img.width = outW;
        img.height = outH;
        return;
    }
    std::vector<uint8_t> out(img.pixels.size());
    for (int y = 0; y < outH; y++) {
        for (int x = 0; x < outW; x++) {
            int sx = x, sy = y;
            switch (orientation) {
            case 2:
                sx = w - 1 - x;
                sy = y;
                break;
            case 3:
                sx = w - 1 - x;
                sy = h - 1 - y;
                break;
            case 4:
                sx = x;
                sy = h - 1 - y;
                break;
            case 5:
                sx = y;
                sy = x;
                break;
            case 6:
                sx = y;
                sy = h - 1 - x;
                break;
            case 7:
                sx = w - 1 - y;
                sy = h - 1 - x;
                break;
            case 8:
                sx = w - 1 - y;
                sy = x;
                break;
            }
            std::memcpy(&out[(size_t(y) * outW + x) * pixelBytes],
                        &img.pixels[(size_t(sy) * w + sx) * pixelBytes], pixelBytes);
        }
    }
    img.pixels.swap(out);
    img.width = outW;
    img.height = outH;
}

// --- JPEG pre-checks --------------------------------------------------------------------------------------

// stb_image 2.27 (Debian's libstb-dev) trusts the code counts of a DHT segment: more than 256 codes in one
// Huffman table overflow its 257-entry size array (found by our bad-input test under UBSan; fixed upstream
// later). We reject such tables before stb sees them.
static bool jpegHuffmanTablesAreSane(std::span<const uint8_t> jpeg) {
    bool sane = true;
    forEachJpegSegment(jpeg, [&](uint8_t marker, size_t body, size_t length) {
        if (marker != 0xc4) return true;
        // Walk the tables exactly as stb does: it keeps reading past a too-short segment, and reads zeros
        // past the end of the data.
        auto byteAt = [&](size_t i) -> size_t { return i < jpeg.size() ? jpeg[i] : 0; };
        long remaining = long(length) - 2;
        size_t at = body;
        while (remaining > 0 && sane) {
            size_t codes = 0;
            for (size_t i = 1; i <= 16; i++)
                codes += byteAt(at + i);
            sane = codes <= 256;
            at += 17 + codes;
            remaining -= long(17 + codes);
        }
        return sane;
    });
    return sane;
}

// --- decoding ----------------------------------------------------------------------------------------------

static Photometric photometricForChannels(int channels) {
    switch (channels) {
    case 2:
        return Photometric::GreyAlpha;
    case 3:
        return Photometric::RGB;
    case 4:
        return Photometric::RGBA;
    default:
        return Photometric::Monochrome2;
    }
}

static std::string stbFailure(RasterFormat format) {
    const char* reason = stbi_failure_reason();
    return std::string("The ") + rasterFormatName(format) +
           " image cannot be decoded: " + (reason ? reason : "unknown error") + ".";
}

Result<Image> decodeRaster(std::span<const uint8_t> bytes, RasterFormat format, const DecodeLimits& limits,
                           const RasterOptions& options) {
    if (bytes.size() > size_t(INT32_MAX)) return Error("The image file is larger than 2 GiB.");
    if (format == RasterFormat::Jpeg && !jpegHuffmanTablesAreSane(bytes))
        return Error("The JPEG image is corrupt: a Huffman table declares more than 256 codes.");
    const stbi_uc* data = bytes.data();
    const int size = int(bytes.size());
    int width = 0, height = 0, channels = 0;
    {
        StbAllocationBudget budget(size_t(64) << 20); // header parsing needs little memory
        if (!stbi_info_from_memory(data, size, &width, &height, &channels)) return Error(stbFailure(format));
    }
    const bool sixteenBit = format == RasterFormat::Png && stbi_is_16_bit_from_memory(data, size);
    if (format == RasterFormat::Gif) channels = 4; // stb returns GIF frames as RGBA
    const uint64_t sampleBytes = sixteenBit ? 2 : 1;
    const uint64_t decodedBytes = uint64_t(width) * uint64_t(height) * uint64_t(channels) * sampleBytes;
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4)
        return Error(std::string("The ") + rasterFormatName(format) +
                     " header declares an invalid image size.");
    if (decodedBytes > limits.maxDecodedBytes)
        return Error(std::string("The ") + rasterFormatName(format) + " image is " + std::to_string(width) +
                     "x" + std::to_string(height) + " with " + std::to_string(channels) +
                     " channels, which needs " + std::to_string(decodedBytes) +
                     " bytes decoded, more than the limit of " + std::to_string(limits.maxDecodedBytes) +
                     " bytes.");

    Image img;
    img.width = width;
    img.height = height;
    img.samplesPerPixel = channels;
    img.sampleType = sixteenBit ? SampleType::U16 : SampleType::U8;
    img.bitsStored = sixteenBit ? 16 : 8;
    img.photometric = photometricForChannels(channels);
    img.metadata["format"] = rasterFormatName(format);
    const int orientation =
        format == RasterFormat::Jpeg && options.applyExifOrientation ? jpegExifOrientation(bytes) : 1;
    if (orientation != 1) img.metadata["ExifOrientation"] = std::to_string(orientation);
    if (options.headerOnly) {
        applyOrientation(img, orientation);
        return img;
    }

    if (format == RasterFormat::Png && options.commonPngFastPath &&
        decodeCommonPng(bytes, {width, height, channels, sixteenBit ? 16 : 8}, img.pixels))
        return img; // PNG has no EXIF orientation to apply

    // stb needs the output plus working memory (PNG: the inflated rows; JPEG: component planes), each about
    // the size of the output, plus the input's own chunks.
    StbAllocationBudget budget(size_t(decodedBytes) * 3 + bytes.size() * 2 + (size_t(16) << 20));
    int w = 0, h = 0, fileChannels = 0;
    void* pixels =
        sixteenBit ? static_cast<void*>(stbi_load_16_from_memory(data, size, &w, &h, &fileChannels, channels))
                   : static_cast<void*>(stbi_load_from_memory(data, size, &w, &h, &fileChannels, channels));
    if (!pixels) return Error(stbFailure(format));
    if (w != width || h != height) {
        stbi_image_free(pixels);
        return Error(std::string("The ") + rasterFormatName(format) +
                     " image decoded to a different size than "
                     "its header declares.");
    }
    const uint8_t* first = static_cast<const uint8_t*>(pixels);
    img.pixels.assign(first, first + decodedBytes);
    stbi_image_free(pixels);
    applyOrientation(img, orientation);
    return img;
}

} // namespace dx
