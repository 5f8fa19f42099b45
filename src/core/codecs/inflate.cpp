// inflate.cpp — see inflate.h. libdeflate decompresses a whole stream into a buffer of a given size and cannot
// resume, so a buffer that turns out too small means starting over with a larger one.
#include "core/codecs/inflate.h"

#include <libdeflate.h>

#include <algorithm>
#include <memory>
#include <string>

namespace dx {

static const char* const kEndsEarly = "The compressed (deflated) data ends before its final block.";
static const char* const kDamaged =
    "The compressed (deflated) data is damaged: it contains invalid codes, or part of it is missing.";

struct DecompressorDeleter {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// One decompression of `in` into the first `capacity` bytes of `buffer` (at least that large).
static libdeflate_result decompress(libdeflate_decompressor* d, std::span<const uint8_t> in,
                                    std::vector<uint8_t>& buffer, size_t capacity, size_t* inUsed = nullptr,
                                    size_t* outSize = nullptr) {
    size_t outIgnored = 0;
    return libdeflate_deflate_decompress_ex(d, in.data(), in.size(), buffer.data(), capacity, inUsed,
                                            outSize ? outSize : &outIgnored);
}

// Whether data that libdeflate calls bad is in fact cut short: the decoder reaches the end of the input without
// finding anything invalid. libdeflate reads missing input as zero bits (a few bytes' worth, then it gives up), so
// a run over the input followed by padding bytes does exactly what the plain run does until it reads past the end
// of the input. If the padded run gets further than the plain run (it ends well, having used padding, or it needs
// more output room than the plain run did), the data ran out before anything invalid: it is cut short. Data that
// is invalid before its end makes both runs stop at the same place. libdeflate tells how far a run got only as
// "the output buffer is too small", so we first bracket the output size at which the plain run fails, (lo, hi],
// by halving (`buffer` holds at least hi bytes), until the bracket is narrower than the output a padded run adds
// when it keeps decoding: every code, even a 15-bit one with extra bits, gives at least half a byte of output per
// padding byte. Three paddings, because what keeps a decoder going depends on where the data was cut:
//   0x00  inside a dynamic-Huffman block zero bits decode as one of its most frequent symbols (the first of the
//         shortest codes), again and again;
//   0xFF  inside a fixed-Huffman block zero bits are the end-of-block code, but ones decode as literal 255;
//   0x03  after a stored (uncompressed) block ends in the padding, on a byte boundary, 0x03 opens a final
//         fixed-Huffman block whose codes go on producing output.
// Truncation is claimed only when shown; a cut that no padding continues (inside a block header, say) is
// reported as damage, and that message allows for missing data. This costs a few extra runs, on errors only.
static bool cutShort(libdeflate_decompressor* d, std::span<const uint8_t> in, size_t lo, size_t hi,
                     std::vector<uint8_t>& buffer) {
    const size_t padding = std::max<size_t>(size_t(64) << 10, hi / 8);
    while (hi - lo > padding / 4) {
        size_t mid = lo + (hi - lo) / 2;
        (decompress(d, in, buffer, mid) == LIBDEFLATE_INSUFFICIENT_SPACE ? lo : hi) = mid;
    }
    std::vector<uint8_t> padded(in.size() + padding);
    std::copy(in.begin(), in.end(), padded.begin());
    for (uint8_t fill : {0x00, 0xff, 0x03}) {
        std::fill(padded.begin() + ptrdiff_t(in.size()), padded.end(), fill);
        size_t inUsed = 0;
        libdeflate_result r = decompress(d, padded, buffer, hi, &inUsed);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE || (r == LIBDEFLATE_SUCCESS && inUsed > in.size()))
            return true;
    }
    return false;
}

Result<std::vector<uint8_t>> inflateRaw(std::span<const uint8_t> compressed, size_t maxOutputBytes) {
    if (compressed.empty()) return Error(kEndsEarly);
    std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor(
        libdeflate_alloc_decompressor());
    if (!decompressor) return Error("Not enough memory to decompress the deflated data.");

    // First guess 4x the compressed size (deflated data sets typically inflate 2-10x), at least 64 KiB, then
    // double: the attempts that run out of room add up to less than the final buffer.
    size_t tooSmall = 0; // largest capacity known to be too small
    size_t capacity = compressed.size() <= maxOutputBytes / 4 ? compressed.size() * 4 : maxOutputBytes;
    capacity = std::min(maxOutputBytes, std::max(capacity, size_t(64) << 10));
    std::vector<uint8_t> out;
    for (;;) {
        out.resize(std::max<size_t>(capacity, 1)); // never a null buffer, even for a limit of 0
        size_t outSize = 0;
        libdeflate_result r = decompress(decompressor.get(), compressed, out, capacity, nullptr, &outSize);
        if (r == LIBDEFLATE_SUCCESS) {
            out.resize(outSize);
            return out;
        }
        if (r != LIBDEFLATE_INSUFFICIENT_SPACE)
            break; // bad data (no SHORT_OUTPUT: we ask for the output size)
        if (capacity >= maxOutputBytes)
            return Error("The deflated data expands beyond the limit of " + std::to_string(maxOutputBytes) +
                         " bytes; refusing to decompress it.");
        tooSmall = capacity;
        capacity = capacity > maxOutputBytes / 2 ? maxOutputBytes : capacity * 2;
        out = std::vector<uint8_t>(); // free the old buffer before allocating the larger one
    }
    return Error(cutShort(decompressor.get(), compressed, tooSmall, capacity, out) ? kEndsEarly : kDamaged);
}

} // namespace dx
