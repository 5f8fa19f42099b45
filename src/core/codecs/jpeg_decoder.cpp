// jpeg_decoder.cpp — see jpeg_decoder.h. Written from ITU T.81 (JPEG), annexes B (syntax), C (Huffman
// tables), F (sequential DCT) and H (lossless).
//
// Layout: a marker-segment parser fills a FrameState (tables, components); each SOS runs either the DCT scan
// decoder (coefficients -> dequantise -> IDCT into the component's plane) or the lossless scan decoder
// (differences -> predictor into the plane). Planes are kept at stored resolution and only upsampled and
// interleaved once, at the end. Every length is checked before it is read; entropy-coded data that ends
// early is an error, never zeros passed off as pixels.
#include "core/codecs/jpeg_decoder.h"

#include <algorithm>
#include <array>
#include <string>

namespace dx {
namespace {

// Natural (row-major) index of the k-th coefficient in zig-zag order, T.81 figure A.6.
constexpr uint8_t kZigzagToNatural[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
                                          12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
                                          35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
                                          58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

Error jpegError(const std::string& what) {
    return Error("The JPEG image data is damaged or not supported: " + what);
}

uint16_t readU16(std::span<const uint8_t> d, size_t at) {
    return uint16_t((d[at] << 8) | d[at + 1]);
}

// --- Huffman tables (T.81 C and F.2.2.3) ---------------------------------------------------------------

constexpr int kFastBits = 9; // codes up to this length decode with one table look-up

struct HuffmanTable {
    bool defined = false;
    std::array<uint16_t, 1 << kFastBits> fast{}; // (length << 8) | symbol; 0 when the code is longer
    std::array<int32_t, 17> maxCode{};           // largest code of each length, -1 when none
    std::array<int32_t, 17> valueOffset{};       // symbols index = code + valueOffset[length]
    std::array<uint8_t, 256> symbols{};
    int symbolCount = 0;
};

Status buildHuffmanTable(const uint8_t counts[16], std::span<const uint8_t> symbols, HuffmanTable& t) {
    t = HuffmanTable{};
    int code = 0, k = 0;
    for (int length = 1; length <= 16; length++) {
        t.valueOffset[size_t(length)] = k - code;
        for (int i = 0; i < counts[length - 1]; i++, code++, k++) {
            if (code >= (1 << length)) return jpegError("a Huffman table defines more codes than fit.");
            if (length <= kFastBits) {
                const int shift = kFastBits - length;
                for (int fill = 0; fill < (1 << shift); fill++)
                    t.fast[size_t((code << shift) | fill)] = uint16_t((length << 8) | symbols[size_t(k)]);
            }
        }
        t.maxCode[size_t(length)] = counts[length - 1] ? code - 1 : -1;
        code <<= 1;
    }
    std::copy(symbols.begin(), symbols.end(), t.symbols.begin());
    t.symbolCount = k;
    t.defined = true;
    return {};
}

// --- entropy-coded data -----------------------------------------------------------------------------------

// Reads entropy-coded bits MSB first, removing stuffed zero bytes. At a marker (or the end of the data) it
// feeds zero bytes and counts them, so a stream that needs those made-up bits is reported as truncated.
class BitReader {
public:
    BitReader(std::span<const uint8_t> data, size_t pos) : data_(data), pos_(pos) {}

    uint32_t peek16() {
        if (bits_ < 16) refill();
        return uint32_t(acc_ >> 48);
    }
    void skip(int n) {
        acc_ <<= n;
        bits_ -= n;
    }
    // n in 1..16 raw bits.
    int receive(int n) {
        if (bits_ < n) refill();
        int v = int(acc_ >> (64 - n));
        skip(n);
        return v;
    }
    // True when bits beyond the real data have been consumed.
    bool overran() const { return int64_t(padBytes_) * 8 > bits_; }

    // At a restart interval boundary: drop the partial byte and step over the RSTn marker.
    Status restart() {
        if (overran()) return jpegError("the compressed data ends inside a restart interval.");
        acc_ = 0;
        bits_ = 0;
        padBytes_ = 0;
        atMarker_ = false;
        size_t p = pos_;
        while (p + 1 < data_.size() && !(data_[p] == 0xff && data_[p + 1] != 0 && data_[p + 1] != 0xff))
            p++;
        if (p + 1 >= data_.size() || data_[p + 1] < 0xd0 || data_[p + 1] > 0xd7)
            return jpegError("a restart marker is missing.");
        pos_ = p + 2;
        return {};
    }

    // Where the next marker segment starts once the scan is done.
    size_t endOfScan() const {
        size_t p = pos_;
        while (p + 1 < data_.size() &&
               !(data_[p] == 0xff && data_[p + 1] != 0 && !(data_[p + 1] >= 0xd0 && data_[p + 1] <= 0xd7)))
            p++;
        return p;
    }

private:
    void refill() {
        while (bits_ <= 56) {
            acc_ |= uint64_t(nextByte()) << (56 - bits_);
            bits_ += 8;
        }
    }
    uint8_t nextByte() {
        if (atMarker_ || pos_ >= data_.size()) {
            padBytes_++;
            return 0;
        }
        const uint8_t b = data_[pos_];
        if (b != 0xff) {
            pos_++;
            return b;
        }
        if (pos_ + 1 < data_.size() && data_[pos_ + 1] == 0) {
            pos_ += 2;
            return 0xff;
        }
        atMarker_ = true; // a marker (or fill bytes before one): the scan's data ends here
        padBytes_++;
        return 0;
    }

    std::span<const uint8_t> data_;
    size_t pos_;
    uint64_t acc_ = 0; // left-aligned bit buffer
    int bits_ = 0;
    int padBytes_ = 0; // zero bytes fed after the data ended
    bool atMarker_ = false;
};

// Returns the decoded symbol, or -1 for a code the table does not define.
int decodeSymbol(BitReader& in, const HuffmanTable& t) {
    const uint32_t look = in.peek16();
    const uint16_t fast = t.fast[look >> (16 - kFastBits)];
    if (fast) {
        in.skip(fast >> 8);
        return fast & 0xff;
    }
    for (int length = kFastBits + 1; length <= 16; length++) {
        const int32_t code = int32_t(look >> (16 - length));
        if (code <= t.maxCode[size_t(length)]) {
            const int32_t index = code + t.valueOffset[size_t(length)];
            if (index < 0 || index >= t.symbolCount) return -1;
            in.skip(length);
            return t.symbols[size_t(index)];
        }
    }
    return -1;
}

// T.81 F.2.2.1 EXTEND: a category-s value of s raw bits -> signed difference.
int extend(int v, int s) {
    return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
}

// --- inverse DCT ------------------------------------------------------------------------------------------

// The IJG "islow" integer IDCT (Loeffler, Ligtenberg, Moschytz), the default of the IJG library that DCMTK
// and GDCM decode with, so our output equals theirs. 64-bit arithmetic: corrupt coefficients cannot overflow.
constexpr int kConstBits = 13;
constexpr int64_t kFix0_298631336 = 2446, kFix0_390180644 = 3196, kFix0_541196100 = 4433,
                  kFix0_765366865 = 6270, kFix0_899976223 = 7373, kFix1_175875602 = 9633,
                  kFix1_501321110 = 12299, kFix1_847759065 = 15137, kFix1_961570560 = 16069,
                  kFix2_053119869 = 16819, kFix2_562915447 = 20995, kFix3_072711026 = 25172;

int64_t descale(int64_t x, int n) {
    return (x + (int64_t(1) << (n - 1))) >> n;
}

// One 1-D 8-point IDCT on in[0], in[step], ... -> out[0..7] scaled by 2^kConstBits (not yet descaled).
void idct1d(const int64_t* in, int step, int64_t out[8]) {
    int64_t z2 = in[2 * step], z3 = in[6 * step];
    int64_t z1 = (z2 + z3) * kFix0_541196100;
    const int64_t tmp2 = z1 - z3 * kFix1_847759065;
    const int64_t tmp3 = z1 + z2 * kFix0_765366865;
    const int64_t tmp0e = (in[0] + in[4 * step]) << kConstBits;
    const int64_t tmp1e = (in[0] - in[4 * step]) << kConstBits;
    const int64_t tmp10 = tmp0e + tmp3, tmp13 = tmp0e - tmp3, tmp11 = tmp1e + tmp2, tmp12 = tmp1e - tmp2;

    int64_t t0 = in[7 * step], t1 = in[5 * step], t2 = in[3 * step], t3 = in[step];
    z1 = t0 + t3;
    z2 = t1 + t2;
    z3 = t0 + t2;
    int64_t z4 = t1 + t3;
    const int64_t z5 = (z3 + z4) * kFix1_175875602;
    t0 *= kFix0_298631336;
    t1 *= kFix2_053119869;
    t2 *= kFix3_072711026;
    t3 *= kFix1_501321110;
    z1 *= -kFix0_899976223;
    z2 *= -kFix2_562915447;
    z3 = z3 * -kFix1_961570560 + z5;
    z4 = z4 * -kFix0_390180644 + z5;
    t0 += z1 + z3;
    t1 += z2 + z4;
    t2 += z2 + z3;
    t3 += z1 + z4;
    out[0] = tmp10 + t3;
    out[7] = tmp10 - t3;
    out[1] = tmp11 + t2;
    out[6] = tmp11 - t2;
    out[2] = tmp12 + t1;
    out[5] = tmp12 - t1;
    out[3] = tmp13 + t0;
    out[4] = tmp13 - t0;
}

// Dequantised coefficients (natural order) -> 8x8 samples at `out` (row stride `stride`). IJG keeps 2 extra
// bits between the passes at 8-bit precision and 1 at 12-bit.
void inverseDct(const int64_t coef[64], int precision, uint16_t* out, size_t stride) {
    const int pass1Bits = precision <= 8 ? 2 : 1;
    const int64_t center = int64_t(1) << (precision - 1), maxValue = (int64_t(1) << precision) - 1;
    int64_t work[64];
    for (int col = 0; col < 8; col++) {
        const int64_t* c = coef + col;
        if (!c[8] && !c[16] && !c[24] && !c[32] && !c[40] && !c[48] && !c[56]) {
            for (int row = 0; row < 8; row++)
                work[row * 8 + col] = c[0] * (int64_t(1) << pass1Bits);
            continue;
        }
        int64_t o[8];
        idct1d(c, 8, o);
        for (int row = 0; row < 8; row++)
            work[row * 8 + col] = descale(o[row], kConstBits - pass1Bits);
    }
    for (int row = 0; row < 8; row++) {
        const int64_t* w = work + row * 8;
        int64_t o[8];
        idct1d(w, 1, o);
        for (int col = 0; col < 8; col++) {
            const int64_t v = descale(o[col], kConstBits + pass1Bits + 3) + center;
            out[size_t(row) * stride + size_t(col)] = uint16_t(std::clamp<int64_t>(v, 0, maxValue));
        }
    }
}

// --- frame state and marker segments ----------------------------------------------------------------------

struct Component {
    int id = 0, h = 1, v = 1, quantTable = 0;
    int dcTable = 0, acTable = 0; // of the current scan
    int pointTransform = 0;       // lossless: Al of the scan that coded this component
    bool decoded = false;
    size_t planeWidth = 0, planeHeight = 0;
    std::vector<uint16_t> plane;
    int32_t dcPredictor = 0;
};

struct FrameState {
    FrameState(std::span<const uint8_t> bytes, const DecodeLimits& decodeLimits)
        : data(bytes), limits(decodeLimits) {}
    std::span<const uint8_t> data;
    const DecodeLimits& limits;
    bool haveFrame = false;
    int sofMarker = 0;
    int precision = 0, width = 0, height = 0, hMax = 1, vMax = 1;
    int restartInterval = 0;
    std::vector<Component> components;
    std::array<std::array<uint16_t, 64>, 4> quant{}; // natural order
    std::array<bool, 4> quantDefined{};
    HuffmanTable dcTables[4], acTables[4];
    JpegImage out;

    bool lossless() const { return sofMarker == 0xc3; }
};

Status readQuantTables(FrameState& s, std::span<const uint8_t> body) {
    size_t at = 0;
    while (at < body.size()) {
        const int sixteenBit = body[at] >> 4, table = body[at] & 15;
        const size_t size = 1 + 64 * size_t(sixteenBit ? 2 : 1);
        if (sixteenBit > 1 || table > 3 || at + size > body.size())
            return jpegError("a quantisation table (DQT) is malformed.");
        for (size_t k = 0; k < 64; k++) {
            const size_t p = at + 1 + k * size_t(sixteenBit ? 2 : 1);
            s.quant[size_t(table)][kZigzagToNatural[k]] = sixteenBit ? readU16(body, p) : body[p];
        }
        s.quantDefined[size_t(table)] = true;
        at += size;
    }
    return {};
}

Status readHuffmanTables(FrameState& s, std::span<const uint8_t> body) {
    size_t at = 0;
    while (at < body.size()) {
        if (at + 17 > body.size()) return jpegError("a Huffman table (DHT) is cut short.");
        const int tableClass = body[at] >> 4, table = body[at] & 15;
        if (tableClass > 1 || table > 3)
            return jpegError("a Huffman table (DHT) has an invalid class or id.");
        size_t total = 0;
        for (size_t i = 0; i < 16; i++)
            total += body[at + 1 + i];
        if (total > 256 || at + 17 + total > body.size())
            return jpegError("a Huffman table (DHT) holds more symbols than its segment.");
        HuffmanTable& t = tableClass == 0 ? s.dcTables[table] : s.acTables[table];
        Status st = buildHuffmanTable(&body[at + 1], body.subspan(at + 17, total), t);
        if (!st) return st;
        at += 17 + total;
    }
    return {};
}

Status readFrameHeader(FrameState& s, int marker, std::span<const uint8_t> body) {
    if (s.haveFrame) return jpegError("the stream holds more than one frame header (SOF).");
    if (body.size() < 6) return jpegError("the frame header (SOF) is cut short.");
    s.sofMarker = marker;
    s.precision = body[0];
    s.height = readU16(body, 1);
    s.width = readU16(body, 3);
    const size_t count = body[5];
    if (count < 1 || count > 4 || body.size() != 6 + 3 * count)
        return jpegError("the frame header (SOF) declares " + std::to_string(count) + " components.");
    const bool precisionOk = marker == 0xc0   ? s.precision == 8
                             : marker == 0xc1 ? (s.precision == 8 || s.precision == 12)
                                              : (s.precision >= 2 && s.precision <= 16);
    if (!precisionOk)
        return jpegError("the frame header gives " + std::to_string(s.precision) +
                         " bits per sample, which this JPEG process does not allow.");
    if (s.width == 0 || s.height == 0)
        return jpegError("the frame header gives an image size of " + std::to_string(s.width) + "x" +
                         std::to_string(s.height) +
                         " (a height set later by a DNL marker is not supported).");
    for (size_t i = 0; i < count; i++) {
        Component c;
        c.id = body[6 + 3 * i];
        c.h = body[7 + 3 * i] >> 4;
        c.v = body[7 + 3 * i] & 15;
        c.quantTable = body[8 + 3 * i];
        if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.quantTable > 3)
            return jpegError("component " + std::to_string(c.id) + " has invalid sampling factors.");
        if (s.lossless() && (c.h != 1 || c.v != 1))
            return jpegError("lossless JPEG with subsampled components is not supported.");
        for (const Component& other : s.components)
            if (other.id == c.id)
                return jpegError("two components share the id " + std::to_string(c.id) + ".");
        s.hMax = std::max(s.hMax, c.h);
        s.vMax = std::max(s.vMax, c.v);
        s.components.push_back(c);
    }
    const size_t mcusX = (size_t(s.width) + 8 * size_t(s.hMax) - 1) / (8 * size_t(s.hMax));
    const size_t mcusY = (size_t(s.height) + 8 * size_t(s.vMax) - 1) / (8 * size_t(s.vMax));
    uint64_t bytes = uint64_t(s.width) * uint64_t(s.height) * count * 2;
    for (Component& c : s.components) {
        if (s.hMax % c.h || s.vMax % c.v)
            return jpegError("component sampling factors that do not divide the largest are not supported.");
        c.planeWidth = s.lossless() ? size_t(s.width) : mcusX * size_t(c.h) * 8;
        c.planeHeight = s.lossless() ? size_t(s.height) : mcusY * size_t(c.v) * 8;
        bytes += uint64_t(c.planeWidth) * c.planeHeight * 2;
    }
    if (bytes > s.limits.maxDecodedBytes)
        return Error("The JPEG image is " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                     ", which needs more memory to decode than the limit of " +
                     std::to_string(s.limits.maxDecodedBytes >> 20) + " MiB.");
    for (Component& c : s.components)
        c.plane.assign(c.planeWidth * c.planeHeight, 0);
    s.haveFrame = true;
    return {};
}

struct ScanHeader {
    std::vector<Component*> components;
    int start = 0, end = 0, approxHigh = 0, approxLow = 0;
};

Result<ScanHeader> readScanHeader(FrameState& s, std::span<const uint8_t> body) {
    if (!s.haveFrame) return jpegError("a scan (SOS) comes before the frame header (SOF).");
    if (body.empty()) return jpegError("the scan header (SOS) is empty.");
    const size_t count = body[0];
    if (count < 1 || count > 4 || body.size() != 4 + 2 * count)
        return jpegError("the scan header (SOS) declares " + std::to_string(count) + " components.");
    ScanHeader scan;
    int blocksPerMcu = 0;
    for (size_t i = 0; i < count; i++) {
        const int id = body[1 + 2 * i];
        auto found = std::find_if(s.components.begin(), s.components.end(),
                                  [&](const Component& c) { return c.id == id; });
        if (found == s.components.end())
            return jpegError("the scan refers to component " + std::to_string(id) +
                             ", which the frame lacks.");
        if (std::find(scan.components.begin(), scan.components.end(), &*found) != scan.components.end())
            return jpegError("the scan lists component " + std::to_string(id) + " twice.");
        found->dcTable = body[2 + 2 * i] >> 4;
        found->acTable = body[2 + 2 * i] & 15;
        if (found->dcTable > 3 || found->acTable > 3 || !s.dcTables[found->dcTable].defined ||
            (!s.lossless() && !s.acTables[found->acTable].defined))
            return jpegError("the scan uses a Huffman table that was never defined.");
        if (!s.lossless() && !s.quantDefined[size_t(found->quantTable)])
            return jpegError("component " + std::to_string(id) + " uses a quantisation table never defined.");
        blocksPerMcu += found->h * found->v;
        scan.components.push_back(&*found);
    }
    if (count > 1 && blocksPerMcu > 10)
        return jpegError("an interleaved scan has more than 10 blocks per MCU.");
    scan.start = body[1 + 2 * count];
    scan.end = body[2 + 2 * count];
    scan.approxHigh = body[3 + 2 * count] >> 4;
    scan.approxLow = body[3 + 2 * count] & 15;
    if (s.lossless()) {
        if (scan.start < 1 || scan.start > 7 || scan.approxHigh != 0 || scan.approxLow >= s.precision)
            return jpegError("the lossless scan has predictor " + std::to_string(scan.start) +
                             " and point transform " + std::to_string(scan.approxLow) + ".");
    }
    // A sequential scan must say Ss=0, Se=63, Ah=Al=0, but some DICOM encoders write Se=0 (pydicom's
    // JPEG-lossy.dcm); like the IJG library, DCMTK and GDCM, the values are ignored: the SOF decides.
    return scan;
}

// --- DCT scans (T.81 F.2) ---------------------------------------------------------------------------------

Status decodeBlock(BitReader& in, const FrameState& s, Component& c, uint16_t* out) {
    int64_t coef[64] = {};
    const std::array<uint16_t, 64>& q = s.quant[size_t(c.quantTable)];
    const int maxCategory = s.precision + 3; // 11 at 8 bits, 15 at 12
    const int dcCategory = decodeSymbol(in, s.dcTables[c.dcTable]);
    if (dcCategory < 0 || dcCategory > maxCategory) return jpegError("a DC code is invalid.");
    if (dcCategory) {
        const int diff = extend(in.receive(dcCategory), dcCategory);
        c.dcPredictor = int32_t(uint32_t(c.dcPredictor) + uint32_t(diff)); // wraps on corrupt data, no UB
    }
    coef[0] = int64_t(c.dcPredictor) * q[0];
    const HuffmanTable& ac = s.acTables[c.acTable];
    for (int k = 1; k < 64;) {
        const int rs = decodeSymbol(in, ac);
        if (rs < 0) return jpegError("an AC code is invalid.");
        const int run = rs >> 4, size = rs & 15;
        if (size == 0) {
            if (run != 15) break; // end of block
            k += 16;
            continue;
        }
        k += run;
        if (k > 63) return jpegError("a block has more than 64 coefficients.");
        const int natural = kZigzagToNatural[k];
        coef[natural] = int64_t(extend(in.receive(size), size)) * q[size_t(natural)];
        k++;
    }
    inverseDct(coef, s.precision, out, c.planeWidth);
    return {};
}

Status decodeDctScan(FrameState& s, const ScanHeader& scan, BitReader& in) {
    const bool interleaved = scan.components.size() > 1;
    size_t mcusX, mcusY;
    if (interleaved) {
        mcusX = (size_t(s.width) + 8 * size_t(s.hMax) - 1) / (8 * size_t(s.hMax));
        mcusY = (size_t(s.height) + 8 * size_t(s.vMax) - 1) / (8 * size_t(s.vMax));
    } else { // one component: its own blocks, no padding to whole MCUs (T.81 A.2.2)
        const Component& c = *scan.components[0];
        const size_t w = (size_t(s.width) * size_t(c.h) + size_t(s.hMax) - 1) / size_t(s.hMax);
        const size_t h = (size_t(s.height) * size_t(c.v) + size_t(s.vMax) - 1) / size_t(s.vMax);
        mcusX = (w + 7) / 8;
        mcusY = (h + 7) / 8;
    }
    for (Component* c : scan.components)
        c->dcPredictor = 0;
    size_t done = 0;
    const size_t total = mcusX * mcusY;
    for (size_t my = 0; my < mcusY; my++) {
        for (size_t mx = 0; mx < mcusX; mx++) {
            for (Component* c : scan.components) {
                const int bh = interleaved ? c->h : 1, bv = interleaved ? c->v : 1;
                for (int v = 0; v < bv; v++) {
                    for (int h = 0; h < bh; h++) {
                        const size_t bx = mx * size_t(bh) + size_t(h), by = my * size_t(bv) + size_t(v);
                        uint16_t* out = c->plane.data() + by * 8 * c->planeWidth + bx * 8;
                        Status st = decodeBlock(in, s, *c, out);
                        if (!st) return st;
                    }
                }
            }
            if (in.overran()) return jpegError("the compressed data ends before the image is complete.");
            done++;
            if (s.restartInterval && done % size_t(s.restartInterval) == 0 && done < total) {
                Status st = in.restart();
                if (!st) return st;
                for (Component* c : scan.components)
                    c->dcPredictor = 0;
            }
        }
    }
    return {};
}

// --- lossless scans (T.81 H.1.2) --------------------------------------------------------------------------

int predict(int selector, int ra, int rb, int rc) {
    switch (selector) {
    case 1:
        return ra;
    case 2:
        return rb;
    case 3:
        return rc;
    case 4:
        return ra + rb - rc;
    case 5:
        return ra + ((rb - rc) >> 1);
    case 6:
        return rb + ((ra - rc) >> 1);
    default:
        return (ra + rb) >> 1;
    }
}

Status decodeLosslessScan(FrameState& s, const ScanHeader& scan, BitReader& in) {
    const int selector = scan.start, pointTransform = scan.approxLow;
    const int initial = 1 << (s.precision - pointTransform - 1);
    const size_t width = size_t(s.width), height = size_t(s.height);
    // The row predicted like the first line (T.81 H.1.2.1): the scan's first, and the one a restart falls in.
    size_t firstLineRow = 0;
    bool firstSample = true; // the scan's first sample and the first after each restart use `initial`
    size_t mcus = 0;
    const size_t total = width * height;
    for (size_t y = 0; y < height; y++) {
        for (size_t x = 0; x < width; x++) {
            for (Component* c : scan.components) {
                const int category = decodeSymbol(in, s.dcTables[c->dcTable]);
                if (category < 0 || category > 16) return jpegError("a lossless difference code is invalid.");
                const int diff = category == 0    ? 0
                                 : category == 16 ? 32768
                                                  : extend(in.receive(category), category);
                uint16_t* row = c->plane.data() + y * width;
                const uint16_t* above = y ? row - width : row; // only read below the first line
                int prediction;
                if (firstSample)
                    prediction = initial;
                else if (y == firstLineRow)
                    prediction = row[x - 1];
                else if (x == 0)
                    prediction = above[0];
                else
                    prediction = predict(selector, row[x - 1], above[x], above[x - 1]);
                row[x] = uint16_t((prediction + diff) & 0xffff); // modulo 2^16 (H.1.2.1)
            }
            firstSample = false;
            mcus++;
            if (s.restartInterval && mcus % size_t(s.restartInterval) == 0 && mcus < total) {
                if (in.overran()) return jpegError("the compressed data ends before the image is complete.");
                Status st = in.restart();
                if (!st) return st;
                firstSample = true;
                firstLineRow = x + 1 == width ? y + 1 : y;
            }
        }
        if (in.overran()) return jpegError("the compressed data ends before the image is complete.");
    }
    for (Component* c : scan.components)
        c->pointTransform = pointTransform;
    return {};
}

// --- output -----------------------------------------------------------------------------------------------

// IJG "fancy" upsampling (a triangle filter) of 2x1 and 2x2 subsampled chroma, which the IJG library and so
// DCMTK and GDCM apply by default when the component is wider than 2 samples; other ratios repeat samples.
// Rounding biases alternate between the two output samples exactly as in IJG's jdsample.c.
void upsampleRowH2(const uint32_t* sum, size_t n, int scale, uint16_t* out) {
    // sum: one value per input sample, already weighted by `scale` (1: h2v1, 4: h2v2's column sums).
    const uint32_t shift = scale == 1 ? 2 : 4, biasLow = scale == 1 ? 1 : 8, biasHigh = scale == 1 ? 2 : 7;
    for (size_t i = 0; i < n; i++) {
        const uint32_t here = sum[i] * 3;
        const uint32_t left = i ? sum[i - 1] : sum[i], right = i + 1 < n ? sum[i + 1] : sum[i];
        out[2 * i] = uint16_t((here + left + biasLow) >> shift);
        out[2 * i + 1] = uint16_t((here + right + biasHigh) >> shift);
    }
}

// Component `c` upsampled to full resolution, row `y` -> `out` (at least 2 * its width + 1 samples).
void upsampledRow(const FrameState& s, const Component& c, size_t y, std::vector<uint32_t>& sums,
                  uint16_t* out) {
    const size_t stepX = size_t(s.hMax / c.h), stepY = size_t(s.vMax / c.v);
    const size_t width = (size_t(s.width) * size_t(c.h) + size_t(s.hMax) - 1) / size_t(s.hMax);
    const size_t height = (size_t(s.height) * size_t(c.v) + size_t(s.vMax) - 1) / size_t(s.vMax);
    const uint16_t* row = c.plane.data() + (y / stepY) * c.planeWidth;
    const bool fancy = !s.lossless() && stepX == 2 && (stepY == 1 || stepY == 2) && width > 2;
    if (!fancy) {
        for (size_t x = 0; x < size_t(s.width); x++)
            out[x] = row[x / stepX];
        return;
    }
    sums.resize(width);
    if (stepY == 1) {
        std::copy(row, row + width, sums.begin());
    } else { // 3 x this row + the nearer neighbour row (above for even output rows), edges repeated
        const size_t r = y / 2, near = y % 2 == 0 ? (r ? r - 1 : 0) : std::min(r + 1, height - 1);
        const uint16_t* other = c.plane.data() + near * c.planeWidth;
        for (size_t x = 0; x < width; x++)
            sums[x] = uint32_t(row[x]) * 3 + other[x];
    }
    if (stepY == 1) {
        upsampleRowH2(sums.data(), width, 1, out);
        out[0] = row[0]; // IJG's h2v1 keeps the outermost samples as they are
        out[2 * width - 1] = row[width - 1];
    } else {
        upsampleRowH2(sums.data(), width, 4, out);
        out[0] = uint16_t((sums[0] * 4 + 8) >> 4);
        out[2 * width - 1] = uint16_t((sums[width - 1] * 4 + 7) >> 4);
    }
}

void assembleSamples(FrameState& s) {
    JpegImage& out = s.out;
    out.width = s.width;
    out.height = s.height;
    out.components = int(s.components.size());
    out.precision = s.precision;
    out.lossless = s.lossless();
    const size_t n = s.components.size(), width = size_t(s.width);
    const uint32_t mask = (uint32_t(1) << s.precision) - 1;
    out.samples.resize(width * size_t(s.height) * n);
    std::vector<uint16_t> row(2 * width + 16);
    std::vector<uint32_t> sums;
    for (size_t ci = 0; ci < n; ci++) {
        const Component& c = s.components[ci];
        for (size_t y = 0; y < size_t(s.height); y++) {
            upsampledRow(s, c, y, sums, row.data());
            uint16_t* dest = out.samples.data() + y * width * n + ci;
            for (size_t x = 0; x < width; x++)
                dest[x * n] = uint16_t((uint32_t(row[x]) << c.pointTransform) & mask);
        }
    }
}

void readAppMarker(FrameState& s, int marker, std::span<const uint8_t> body) {
    auto startsWith = [&](const char* text, size_t n) {
        return body.size() >= n && std::equal(text, text + n, body.begin());
    };
    if (marker == 0xe0 && startsWith("JFIF\0", 5)) s.out.jfif = true;
    if (marker == 0xee && body.size() >= 12 && startsWith("Adobe", 5)) s.out.adobeTransform = body[11];
}

const char* unsupportedProcess(int marker) {
    switch (marker) {
    case 0xc2:
        return "progressive JPEG";
    case 0xc5:
    case 0xc6:
    case 0xc7:
        return "hierarchical JPEG";
    case 0xc9:
    case 0xca:
    case 0xcb:
    case 0xcd:
    case 0xce:
    case 0xcf:
        return "arithmetic-coded JPEG";
    case 0xf7:
        return "JPEG-LS (a different transfer syntax)";
    default:
        return nullptr;
    }
}

Status decodeScan(FrameState& s, std::span<const uint8_t> body, size_t& pos) {
    Result<ScanHeader> scan = readScanHeader(s, body);
    if (!scan) return scan.error();
    BitReader in(s.data, pos);
    Status st = s.lossless() ? decodeLosslessScan(s, *scan, in) : decodeDctScan(s, *scan, in);
    if (!st) return st;
    for (Component* c : scan->components)
        c->decoded = true;
    pos = in.endOfScan();
    return {};
}

// One marker segment at `pos` (just after its marker): reads it and advances `pos` past it.
Status readSegment(FrameState& s, int marker, size_t& pos) {
    if (pos + 2 > s.data.size()) return jpegError("the data ends inside a marker segment.");
    const size_t length = readU16(s.data, pos);
    if (length < 2 || pos + length > s.data.size())
        return jpegError("a marker segment's length (" + std::to_string(length) + " bytes at offset " +
                         std::to_string(pos) + ") runs past the end of the data.");
    const std::span<const uint8_t> body = s.data.subspan(pos + 2, length - 2);
    pos += length;
    if (const char* process = unsupportedProcess(marker))
        return Error(std::string("This image is ") + process + ", which DxLens does not decode.");
    switch (marker) {
    case 0xc0:
    case 0xc1:
    case 0xc3:
        return readFrameHeader(s, marker, body);
    case 0xc4:
        return readHuffmanTables(s, body);
    case 0xdb:
        return readQuantTables(s, body);
    case 0xdd:
        if (body.size() != 2) return jpegError("the restart interval segment (DRI) has the wrong length.");
        s.restartInterval = readU16(body, 0);
        return {};
    case 0xda:
        return decodeScan(s, body, pos);
    default:
        if (marker >= 0xe0 && marker <= 0xef) readAppMarker(s, marker, body);
        return {}; // comments and other segments carry nothing we need
    }
}

} // namespace

Result<JpegImage> decodeJpeg(std::span<const uint8_t> data, const DecodeLimits& limits) {
    if (data.size() < 4 || data[0] != 0xff || data[1] != 0xd8)
        return jpegError("it does not start with a JPEG start-of-image marker.");
    FrameState s(data, limits);
    size_t pos = 2;
    for (;;) {
        while (pos < data.size() && data[pos] != 0xff) // tolerate stray bytes between segments
            pos++;
        while (pos + 1 < data.size() && data[pos + 1] == 0xff) // fill bytes
            pos++;
        if (pos + 1 >= data.size()) break; // no end-of-image marker: accepted if every scan is complete
        const int marker = data[pos + 1];
        pos += 2;
        if (marker == 0xd9) break;
        if (marker == 0xd8 || marker == 0x01 || marker == 0x00 || (marker >= 0xd0 && marker <= 0xd7))
            continue;
        Status st = readSegment(s, marker, pos);
        if (!st) return st.error();
    }
    if (!s.haveFrame) return jpegError("it holds no frame header (SOF).");
    for (const Component& c : s.components)
        if (!c.decoded)
            return jpegError("component " + std::to_string(c.id) + " is missing (the data ends early).");
    assembleSamples(s);
    return std::move(s.out);
}

} // namespace dx
