// inflate.cpp — see inflate.h. Structure follows RFC 1951 section 3.2: blocks of stored, fixed-Huffman or
// dynamic-Huffman data. Huffman codes are decoded bit by bit with per-length counts (canonical codes), which
// is small, obviously bounded, and fast enough for DICOM headers and the few deflated images that exist.
#include "core/codecs/inflate.h"

#include <algorithm>
#include <string>

namespace dx {

static constexpr int kMaxCodeBits = 15;
static constexpr int kMaxLitLenCodes = 286;
static constexpr int kMaxDistCodes = 30;

struct BitReader {
    std::span<const uint8_t> in;
    size_t pos = 0;         // next byte to load
    uint32_t bitBuffer = 0; // bits not yet consumed, LSB first
    int bitCount = 0;
    bool pastEnd = false; // a read needed bytes beyond the input

    uint32_t bits(int need) {
        while (bitCount < need) {
            if (pos >= in.size()) {
                pastEnd = true;
                return 0;
            }
            bitBuffer |= uint32_t(in[pos++]) << bitCount;
            bitCount += 8;
        }
        uint32_t value = bitBuffer & ((1u << need) - 1u);
        bitBuffer >>= need;
        bitCount -= need;
        return value;
    }
};

// Canonical Huffman code: how many codes of each length, and the symbols ordered by code.
struct HuffmanCode {
    uint16_t countPerLength[kMaxCodeBits + 1] = {};
    uint16_t symbols[kMaxLitLenCodes + 2] = {};
};

// Returns 0 for a complete code, > 0 for an incomplete one, < 0 for an over-subscribed (invalid) one.
static int buildHuffmanCode(HuffmanCode& code, const uint8_t* lengths, int symbolCount) {
    for (int len = 0; len <= kMaxCodeBits; len++)
        code.countPerLength[len] = 0;
    for (int s = 0; s < symbolCount; s++)
        code.countPerLength[lengths[s]]++;
    if (code.countPerLength[0] == symbolCount) return 0; // no codes: complete, but decoding will fail

    int left = 1;
    for (int len = 1; len <= kMaxCodeBits; len++) {
        left <<= 1;
        left -= code.countPerLength[len];
        if (left < 0) return left;
    }
    uint16_t offsets[kMaxCodeBits + 1];
    offsets[1] = 0;
    for (int len = 1; len < kMaxCodeBits; len++)
        offsets[len + 1] = uint16_t(offsets[len] + code.countPerLength[len]);
    for (int s = 0; s < symbolCount; s++)
        if (lengths[s] != 0) code.symbols[offsets[lengths[s]]++] = uint16_t(s);
    return left;
}

// Decodes one symbol, or returns -1 for a bit pattern that is not in the code (or input exhausted).
static int decodeSymbol(BitReader& br, const HuffmanCode& code) {
    int codeValue = 0, first = 0, index = 0;
    for (int len = 1; len <= kMaxCodeBits; len++) {
        codeValue |= int(br.bits(1));
        if (br.pastEnd) return -1;
        int count = code.countPerLength[len];
        if (codeValue - count < first) return code.symbols[index + (codeValue - first)];
        index += count;
        first += count;
        first <<= 1;
        codeValue <<= 1;
    }
    return -1;
}

// The fixed codes of block type 1 (RFC 1951 section 3.2.6).
struct FixedCodes {
    HuffmanCode litLen, dist;
};

static FixedCodes makeFixedCodes() {
    FixedCodes codes;
    uint8_t lengths[288];
    for (int s = 0; s < 288; s++)
        lengths[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    (void)buildHuffmanCode(codes.litLen, lengths, 288);
    for (int s = 0; s < 30; s++)
        lengths[s] = 5;
    (void)buildHuffmanCode(codes.dist, lengths, 30);
    return codes;
}

struct Inflater {
    BitReader br;
    std::vector<uint8_t> out;
    size_t maxOutput = 0;
    std::string error;

    bool fail(const std::string& what) {
        error = "The compressed (deflated) data is corrupt: " + what + " near compressed byte " +
                std::to_string(br.pos) + ".";
        return false;
    }
    bool outputTooLarge() {
        error = "The deflated data expands beyond the limit of " + std::to_string(maxOutput) +
                " bytes; refusing to decompress it.";
        return false;
    }

    bool storedBlock() {
        br.bitBuffer = 0; // stored blocks start on a byte boundary
        br.bitCount = 0;
        if (br.pos + 4 > br.in.size()) return fail("stored block header cut short");
        uint32_t len = br.in[br.pos] | (uint32_t(br.in[br.pos + 1]) << 8);
        uint32_t nlen = br.in[br.pos + 2] | (uint32_t(br.in[br.pos + 3]) << 8);
        br.pos += 4;
        if (len != (~nlen & 0xffffu)) return fail("stored block length does not match its complement");
        if (br.pos + len > br.in.size()) return fail("stored block runs past the end of the data");
        if (out.size() + len > maxOutput) return outputTooLarge();
        out.insert(out.end(), br.in.begin() + br.pos, br.in.begin() + br.pos + len);
        br.pos += len;
        return true;
    }

    bool huffmanBlock(const HuffmanCode& litLen, const HuffmanCode& dist) {
        static const uint16_t lengthBase[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                                15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                                67, 83, 99, 115, 131, 163, 195, 227, 258};
        static const uint8_t lengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        static const uint16_t distBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                              33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                              1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
        static const uint8_t distExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                              6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
        for (;;) {
            int symbol = decodeSymbol(br, litLen);
            if (symbol < 0) return fail(br.pastEnd ? "data ends inside a block" : "invalid Huffman code");
            if (symbol < 256) {
                if (out.size() >= maxOutput) return outputTooLarge();
                out.push_back(uint8_t(symbol));
                continue;
            }
            if (symbol == 256) return true; // end of block
            symbol -= 257;
            if (symbol >= 29) return fail("invalid length symbol");
            size_t length = lengthBase[symbol] + br.bits(lengthExtra[symbol]);
            int distSymbol = decodeSymbol(br, dist);
            if (distSymbol < 0 || distSymbol >= 30) return fail("invalid distance code");
            size_t distance = distBase[distSymbol] + br.bits(distExtra[distSymbol]);
            if (br.pastEnd) return fail("data ends inside a block");
            if (distance > out.size()) return fail("back-reference before the start of the output");
            if (out.size() + length > maxOutput) return outputTooLarge();
            size_t from = out.size() - distance;
            for (size_t i = 0; i < length; i++) // byte by byte: the copy may overlap what it writes
                out.push_back(out[from + i]);
        }
    }

    bool fixedBlock() {
        static const FixedCodes fixed = makeFixedCodes(); // built once, thread-safe (C++11 static init)
        return huffmanBlock(fixed.litLen, fixed.dist);
    }

    bool dynamicBlock() {
        static const uint8_t codeLengthOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                    11, 4,  12, 3, 13, 2, 14, 1, 15};
        int litLenCount = int(br.bits(5)) + 257;
        int distCount = int(br.bits(5)) + 1;
        int codeLengthCount = int(br.bits(4)) + 4;
        if (br.pastEnd) return fail("data ends inside a block header");
        if (litLenCount > kMaxLitLenCodes || distCount > kMaxDistCodes) return fail("too many Huffman codes");

        uint8_t lengths[kMaxLitLenCodes + kMaxDistCodes] = {};
        for (int i = 0; i < codeLengthCount; i++)
            lengths[codeLengthOrder[i]] = uint8_t(br.bits(3));
        HuffmanCode lengthCode;
        if (buildHuffmanCode(lengthCode, lengths, 19) != 0) return fail("invalid code-length code");

        int filled = 0;
        while (filled < litLenCount + distCount) {
            int symbol = decodeSymbol(br, lengthCode);
            if (symbol < 0)
                return fail(br.pastEnd ? "data ends inside a block header" : "invalid code length");
            if (symbol < 16) {
                lengths[filled++] = uint8_t(symbol);
                continue;
            }
            uint8_t repeated = 0;
            int repeat = 0;
            if (symbol == 16) {
                if (filled == 0) return fail("code length repeat with nothing to repeat");
                repeated = lengths[filled - 1];
                repeat = 3 + int(br.bits(2));
            } else if (symbol == 17) {
                repeat = 3 + int(br.bits(3));
            } else {
                repeat = 11 + int(br.bits(7));
            }
            if (filled + repeat > litLenCount + distCount) return fail("too many code lengths");
            while (repeat--)
                lengths[filled++] = repeated;
        }
        if (lengths[256] == 0) return fail("block without an end-of-block code");

        // Incomplete codes are only allowed when a single code of one bit is used (RFC 1951 quirk, as puff.c).
        HuffmanCode litLen, dist;
        int err = buildHuffmanCode(litLen, lengths, litLenCount);
        if (err < 0 || (err > 0 && litLenCount - litLen.countPerLength[0] != 1))
            return fail("invalid literal/length code");
        err = buildHuffmanCode(dist, lengths + litLenCount, distCount);
        if (err < 0 || (err > 0 && distCount - dist.countPerLength[0] != 1))
            return fail("invalid distance code");
        return huffmanBlock(litLen, dist);
    }
};

Result<std::vector<uint8_t>> inflateRaw(std::span<const uint8_t> compressed, size_t maxOutputBytes) {
    Inflater inf;
    inf.br.in = compressed;
    inf.maxOutput = maxOutputBytes;
    inf.out.reserve(std::min(maxOutputBytes, compressed.size() * 4));
    bool last = false;
    while (!last) {
        last = inf.br.bits(1) != 0;
        uint32_t type = inf.br.bits(2);
        if (inf.br.pastEnd) return Error("The compressed (deflated) data ends before its final block.");
        bool ok = type == 0   ? inf.storedBlock()
                  : type == 1 ? inf.fixedBlock()
                  : type == 2 ? inf.dynamicBlock()
                              : inf.fail("invalid block type 3");
        if (!ok) return Error(inf.error);
    }
    return std::move(inf.out);
}

} // namespace dx
