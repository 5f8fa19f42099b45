// png_decoder.cpp — see png_decoder.h. PNG specification (ISO/IEC 15948): chunks, IHDR, filter types 0-4.
#include "core/codecs/png_decoder.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace dx {

namespace {

uint32_t bigEndian32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

int channelsOfColourType(int colourType) {
    switch (colourType) {
    case 0:
        return 1;
    case 2:
        return 3;
    case 4:
        return 2;
    case 6:
        return 4;
    default:
        return 0; // palette (3) or invalid: stb_image's case
    }
}

// IHDR of a non-interlaced, non-palette 8/16-bit PNG; false for anything else.
bool readHeader(const uint8_t* body, uint32_t length, PngLayout& layout) {
    if (length != 13) return false;
    const uint32_t width = bigEndian32(body), height = bigEndian32(body + 4);
    if (width == 0 || height == 0 || width > (1u << 24) || height > (1u << 24)) return false;
    layout = {int(width), int(height), channelsOfColourType(body[9]), body[8]};
    const bool standard = body[10] == 0 && body[11] == 0 && body[12] == 0; // deflate, filter set 0, no Adam7
    return standard && layout.channels > 0 && (layout.bitDepth == 8 || layout.bitDepth == 16);
}

// Walks the chunks: the header's layout and the IDAT data, concatenated. False for a chunk this path leaves
// to stb_image: a critical chunk other than IHDR/IDAT/IEND (PLTE, CgBI, unknown), tRNS (stb adds an alpha
// channel for it), a truncated chunk, or no IEND.
bool readChunks(std::span<const uint8_t> png, PngLayout& layout, std::vector<uint8_t>& compressed) {
    static const uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    if (png.size() < 8 || std::memcmp(png.data(), kSignature, 8) != 0) return false;
    compressed.reserve(png.size());
    bool haveHeader = false;
    for (size_t pos = 8; pos + 12 <= png.size();) {
        const uint32_t length = bigEndian32(&png[pos]);
        if (length > png.size() - pos - 12) return false;
        const uint8_t* type = &png[pos + 4];
        const uint8_t* body = &png[pos + 8];
        if (!haveHeader) {
            if (std::memcmp(type, "IHDR", 4) != 0 || !readHeader(body, length, layout)) return false;
            haveHeader = true;
        } else if (std::memcmp(type, "IDAT", 4) == 0) {
            compressed.insert(compressed.end(), body, body + length);
        } else if (std::memcmp(type, "IEND", 4) == 0) {
            return !compressed.empty();
        } else if ((type[0] & 0x20) == 0 || std::memcmp(type, "tRNS", 4) == 0) {
            return false;
        }
        pos += 12 + size_t(length);
    }
    return false;
}

// The Paeth predictor, with p = a + b - c written out: |p - a| = |b - c|, |p - b| = |a - c|, |p - c| =
// |a + b - 2c|. For 1-byte pixels each byte depends on the one before, so this chain, not the inflate, is
// most of a grey PNG's decode time (bench/README.md); this form measured no faster than the textbook one.
int paeth(int a, int b, int c) {
    const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
    const int bOrC = pb <= pc ? b : c;
    return pa <= pb && pa <= pc ? a : bOrC;
}

// Reverses one row's filter into `dst`; `up` is the previous unfiltered row (zeros for the first row, which
// makes Up/Avg/Paeth reduce to what the specification says for it). `dst` may lie before `src` in the same
// buffer (in-place decoding): every loop reads src[i] before it writes dst[i]. False for an invalid filter.
bool unfilterRow(uint8_t filter, const uint8_t* src, const uint8_t* up, uint8_t* dst, size_t rowBytes,
                 size_t bpp) {
    switch (filter) {
    case 0:
        std::memmove(dst, src, rowBytes);
        return true;
    case 1:
        std::memmove(dst, src, bpp);
        for (size_t i = bpp; i < rowBytes; i++)
            dst[i] = uint8_t(src[i] + dst[i - bpp]);
        return true;
    case 2:
        for (size_t i = 0; i < rowBytes; i++)
            dst[i] = uint8_t(src[i] + up[i]);
        return true;
    case 3:
        for (size_t i = 0; i < bpp; i++)
            dst[i] = uint8_t(src[i] + (up[i] >> 1));
        for (size_t i = bpp; i < rowBytes; i++)
            dst[i] = uint8_t(src[i] + ((int(dst[i - bpp]) + int(up[i])) >> 1));
        return true;
    case 4:
        for (size_t i = 0; i < bpp; i++)
            dst[i] = uint8_t(src[i] + up[i]); // left and upper-left are 0: Paeth picks up
        for (size_t i = bpp; i < rowBytes; i++)
            dst[i] = uint8_t(src[i] + paeth(dst[i - bpp], up[i], up[i - bpp]));
        return true;
    default:
        return false;
    }
}

// Paeth rows of 1-byte pixels (8-bit grey: most radiographs exported as PNG), kRows at once. Within a row each
// byte waits for the one before it (its left neighbour), so one row runs at the latency of that chain, a few
// cycles per byte with the core mostly idle. Row k + 1 needs only row k's bytes at and left of its own
// position, so the rows advance as a wavefront, row k + 1 one byte behind row k: kRows independent chains
// that the core runs side by side. Each row's neighbours come from registers (row k's newest byte is row
// k + 1's "up"; the previous "up" is its "upper-left"), never from memory just written.
// `src`: the kRows filtered rows (filter bytes removed), `width` apart, in a buffer that no `dst` row overlaps;
// `up`: the unfiltered row above the first; `dst`: the kRows output rows, `width` apart. Same result as
// unfilterRow(4, ...) row by row.
template <int kRows> void unpaethGreyRows(const uint8_t* src, const uint8_t* up, uint8_t* dst, size_t width) {
    int left[kRows] = {};   // each row's last output byte (0 before its first: the specification's "a")
    int upLeft[kRows] = {}; // rows after the first: the previous "up" (0 before the first byte: "c")
    auto step = [&](int k, size_t i) {
        int b, c;
        if (k == 0) {
            b = up[i];
            c = i > 0 ? up[i - 1] : 0;
        } else {
            b = left[k - 1]; // row k - 1's byte i, made in the previous step
            c = upLeft[k];
            upLeft[k] = b;
        }
        left[k] = uint8_t(src[size_t(k) * width + i] + paeth(left[k], b, c));
        dst[size_t(k) * width + i] = uint8_t(left[k]);
    };
    // Step t makes byte t - k of row k; from the last row to the first, so that row k reads row k - 1's byte
    // from the step before. The first and last kRows - 1 steps have rows outside [0, width).
    const size_t steps = width + kRows - 1;
    auto partialStep = [&](size_t t) {
        for (int k = kRows - 1; k >= 0; k--)
            if (t >= size_t(k) && t - size_t(k) < width) step(k, t - size_t(k));
    };
    size_t t = 0;
    for (; t < std::min(steps, size_t(kRows - 1)); t++)
        partialStep(t);
    for (; t < width; t++)
        for (int k = kRows - 1; k >= 0; k--)
            step(k, t - size_t(k));
    for (; t < steps; t++)
        partialStep(t);
}

struct DecompressorDeleter {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

} // namespace

bool decodeCommonPng(std::span<const uint8_t> png, const PngLayout& expected, std::vector<uint8_t>& pixels) {
    PngLayout layout;
    std::vector<uint8_t> compressed;
    if (!readChunks(png, layout, compressed)) return false;
    if (layout.width != expected.width || layout.height != expected.height ||
        layout.channels != expected.channels || layout.bitDepth != expected.bitDepth)
        return false;

    const size_t bpp = size_t(layout.channels) * size_t(layout.bitDepth / 8);
    const size_t rowBytes = size_t(layout.width) * bpp;
    const size_t rawBytes = size_t(layout.height) * (rowBytes + 1); // each row starts with its filter type
    // Inflated into the output buffer itself and unfiltered in place, row by row from the top: row y moves
    // y + 1 bytes towards the start, so each byte is written only where its source was already read.
    pixels.resize(rawBytes);
    std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> inflater(libdeflate_alloc_decompressor());
    size_t inflated = 0;
    if (!inflater ||
        libdeflate_zlib_decompress(inflater.get(), compressed.data(), compressed.size(), pixels.data(),
                                   rawBytes, &inflated) != LIBDEFLATE_SUCCESS ||
        inflated != rawBytes)
        return false; // damaged or with extra data: stb_image's verdict and message

    const std::vector<uint8_t> zeros(rowBytes, 0);
    const uint8_t* up = zeros.data();
    // Grey Paeth rows decoded together (unpaethGreyRows): a 512 x 512 grey PNG took 1.37 ms one row at a time,
    // 0.95 ms with 2 rows, 0.76 with 4, 0.68 with 6 and 0.84 with 8 (bench/decode_bench.cpp, 2-core Xeon).
    constexpr size_t kWave = 6;
    std::vector<uint8_t> waveRows(bpp == 1 ? kWave * rowBytes : 0);
    const size_t height = size_t(layout.height);
    for (size_t y = 0; y < height;) {
        const uint8_t* row = pixels.data() + y * (rowBytes + 1);
        uint8_t* dst = pixels.data() + y * rowBytes;
        if (bpp == 1 && y + kWave <= height) {
            bool allPaeth = true;
            for (size_t k = 0; k < kWave && allPaeth; k++)
                allPaeth = pixels[(y + k) * (rowBytes + 1)] == 4;
            if (allPaeth) {
                // Copied out first: these rows' outputs overwrite the tails of their own filtered bytes.
                for (size_t k = 0; k < kWave; k++)
                    std::memcpy(&waveRows[k * rowBytes], row + k * (rowBytes + 1) + 1, rowBytes);
                unpaethGreyRows<int(kWave)>(waveRows.data(), up, dst, rowBytes);
                up = dst + (kWave - 1) * rowBytes;
                y += kWave;
                continue;
            }
        }
        if (!unfilterRow(row[0], row + 1, up, dst, rowBytes, bpp)) return false;
        up = dst;
        y++;
    }
    pixels.resize(size_t(layout.height) * rowBytes);
    if (layout.bitDepth == 16) { // PNG stores big-endian samples; dx::Image holds them in host order
        for (size_t i = 0; i + 1 < pixels.size(); i += 2) {
            const uint16_t sample = uint16_t((pixels[i] << 8) | pixels[i + 1]);
            std::memcpy(&pixels[i], &sample, 2);
        }
    }
    return true;
}

} // namespace dx
