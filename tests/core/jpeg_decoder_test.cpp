// jpeg_decoder_test.cpp — our JPEG decoder (jpeg_decoder.h) on streams built here and on the committed seeds.
//
// The golden tests compare real and dcmcjpeg/cjpeg-made files with GDCM and DCMTK. This file covers what
// those tools do not write: lossless restart intervals, precisions 2-16, separate scans per component, and
// the bad inputs (every truncation, wrong segment lengths, absurd sizes, unsupported processes, random
// corruption). The lossless streams come from a minimal encoder below, written from T.81 H.1 (fixed Huffman
// table: every difference category has a 5-bit code), and must decode to exactly the pixels they were made from.
#include "core/codecs/jpeg_decoder.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace fs = std::filesystem;

namespace {

struct LosslessStream {
    int precision = 8, predictor = 1, pointTransform = 0, restartInterval = 0;
    int width = 13, height = 7, components = 1;
    bool scanPerComponent = false;
};

class BitWriter {
public:
    explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
    void put(uint32_t bits, int count) {
        for (int i = count - 1; i >= 0; i--) {
            acc_ = (acc_ << 1) | ((bits >> i) & 1);
            if (++n_ == 8) emit();
        }
    }
    void flush() { // pad with 1-bits (T.81 F.1.2.3)
        while (n_ != 0)
            put(1, 1);
    }

private:
    void emit() {
        out_.push_back(uint8_t(acc_));
        if (uint8_t(acc_) == 0xff) out_.push_back(0); // byte stuffing
        acc_ = 0;
        n_ = 0;
    }
    std::vector<uint8_t>& out_;
    uint32_t acc_ = 0;
    int n_ = 0;
};

void segment(std::vector<uint8_t>& out, uint8_t marker, const std::vector<uint8_t>& body) {
    out.insert(out.end(), {0xff, marker, uint8_t((body.size() + 2) >> 8), uint8_t(body.size() + 2)});
    out.insert(out.end(), body.begin(), body.end());
}

int predictionFor(int selector, int ra, int rb, int rc) {
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
        return (ra + rb) / 2;
    }
}

void encodeDifference(BitWriter& bits, int difference) {
    int d = difference & 0xffff;
    if (d >= 32768) d -= 65536;
    if (d == -32768) { // category 16: no extra bits
        bits.put(16, 5);
        return;
    }
    int category = 0;
    while ((1 << category) <= std::abs(d))
        category++;
    bits.put(uint32_t(category), 5);
    if (category) bits.put(uint32_t(d >= 0 ? d : d + (1 << category) - 1), category);
}

// One scan over `scanComponents` of `image` (planes of point-transformed values, row-major per component).
void encodeScan(std::vector<uint8_t>& out, const LosslessStream& p,
                const std::vector<std::vector<int>>& planes, const std::vector<int>& scanComponents) {
    std::vector<uint8_t> sos = {uint8_t(scanComponents.size())};
    for (int c : scanComponents)
        sos.insert(sos.end(), {uint8_t(c + 1), 0x00});
    sos.insert(sos.end(), {uint8_t(p.predictor), 0, uint8_t(p.pointTransform)});
    segment(out, 0xda, sos);
    BitWriter bits(out);
    const int initial = 1 << (p.precision - p.pointTransform - 1);
    int firstLineRow = 0, mcus = 0, restarts = 0;
    bool firstSample = true;
    for (int y = 0; y < p.height; y++) {
        for (int x = 0; x < p.width; x++) {
            for (int c : scanComponents) {
                const std::vector<int>& v = planes[size_t(c)];
                auto at = [&](int yy, int xx) { return v[size_t(yy * p.width + xx)]; };
                int prediction =
                    firstSample         ? initial
                    : y == firstLineRow ? at(y, x - 1)
                    : x == 0            ? at(y - 1, x)
                             : predictionFor(p.predictor, at(y, x - 1), at(y - 1, x), at(y - 1, x - 1));
                encodeDifference(bits, at(y, x) - prediction);
            }
            firstSample = false;
            mcus++;
            if (p.restartInterval && mcus % p.restartInterval == 0 && mcus < p.width * p.height) {
                bits.flush();
                out.insert(out.end(), {0xff, uint8_t(0xd0 + restarts++ % 8)});
                firstSample = true;
                firstLineRow = x + 1 == p.width ? y + 1 : y;
            }
        }
    }
    bits.flush();
}

// Returns the stream and, in `samples`, the interleaved pixels it must decode to.
std::vector<uint8_t> encodeLossless(const LosslessStream& p, std::vector<uint16_t>& samples) {
    std::mt19937 rng(uint32_t(p.precision * 100 + p.predictor * 10 + p.components));
    const int bits = p.precision - p.pointTransform, top = (1 << bits) - 1;
    std::vector<std::vector<int>> planes(size_t(p.components));
    samples.assign(size_t(p.width * p.height * p.components), 0);
    for (int c = 0; c < p.components; c++) {
        for (int i = 0; i < p.width * p.height; i++) {
            // Ramps with jumps to both ends of the range: small and extreme differences.
            const int v =
                i % 11 == 0 ? int(rng() % 2) * top : (i * 37 + c * 1000 + int(rng() % 5)) % (top + 1);
            planes[size_t(c)].push_back(v);
            samples[size_t(i * p.components + c)] = uint16_t(v << p.pointTransform);
        }
    }
    std::vector<uint8_t> out = {0xff, 0xd8};
    std::vector<uint8_t> dht = {0x00, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (uint8_t s = 0; s <= 16; s++)
        dht.push_back(s);
    segment(out, 0xc4, dht);
    std::vector<uint8_t> sof = {uint8_t(p.precision),  uint8_t(p.height >> 8), uint8_t(p.height),
                                uint8_t(p.width >> 8), uint8_t(p.width),       uint8_t(p.components)};
    for (int c = 0; c < p.components; c++)
        sof.insert(sof.end(), {uint8_t(c + 1), 0x11, 0});
    segment(out, 0xc3, sof);
    if (p.restartInterval) segment(out, 0xdd, {uint8_t(p.restartInterval >> 8), uint8_t(p.restartInterval)});
    std::vector<int> all;
    for (int c = 0; c < p.components; c++)
        all.push_back(c);
    if (p.scanPerComponent) {
        for (int c : all)
            encodeScan(out, p, planes, {c});
    } else {
        encodeScan(out, p, planes, all);
    }
    out.insert(out.end(), {0xff, 0xd9});
    return out;
}

std::vector<uint8_t> readAll(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::vector<std::vector<uint8_t>> seedStreams() {
    std::vector<std::vector<uint8_t>> streams;
    fs::path dir = fs::path(DX_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "jpeg";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& p : files)
        streams.push_back(readAll(p));
    return streams;
}

// Where each marker segment with a length starts (the FF byte), up to the first scan's data.
std::vector<size_t> segmentStarts(const std::vector<uint8_t>& jpeg) {
    std::vector<size_t> starts;
    size_t pos = 2;
    while (pos + 4 <= jpeg.size() && jpeg[pos] == 0xff) {
        starts.push_back(pos);
        if (jpeg[pos + 1] == 0xda) break;
        pos += 2 + size_t((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
    }
    return starts;
}

void checkConsistent(const dx::Result<dx::JpegImage>& img) {
    if (!img) {
        CHECK_FALSE(img.error().message.empty());
        return;
    }
    CHECK(img->samples.size() == size_t(img->width) * size_t(img->height) * size_t(img->components));
}

} // namespace

TEST_CASE("Lossless JPEG: every predictor, precisions 2-16, point transforms, restarts, scans") {
    int streams = 0;
    for (int precision : {2, 5, 8, 12, 16}) {
        for (int predictor = 1; predictor <= 7; predictor++) {
            for (int restart : {0, 1, 5, 13, 26}) {
                LosslessStream p;
                p.precision = precision;
                p.predictor = predictor;
                p.restartInterval = restart;
                p.pointTransform = precision > 4 ? predictor % 3 : 0;
                p.components = predictor % 2 ? 3 : 1;
                p.scanPerComponent = predictor == 3 || predictor == 7;
                std::vector<uint16_t> expected;
                const std::vector<uint8_t> stream = encodeLossless(p, expected);
                INFO("precision " << precision << " predictor " << predictor << " restart " << restart);
                dx::Result<dx::JpegImage> img = dx::decodeJpeg(stream, dx::DecodeLimits());
                REQUIRE(img.ok());
                CHECK(img->lossless);
                CHECK(img->precision == precision);
                CHECK(img->components == p.components);
                CHECK(img->samples == expected);
                streams++;
            }
        }
    }
    CHECK(streams == 175);
}

TEST_CASE("JPEG: a stream cut anywhere before its last data byte is an error") {
    std::vector<std::vector<uint8_t>> streams = seedStreams();
    REQUIRE(streams.size() >= 5); // committed corpus: its absence is a failure
    LosslessStream p;
    p.restartInterval = 4;
    p.components = 3;
    std::vector<uint16_t> expected;
    streams.push_back(encodeLossless(p, expected));
    for (const std::vector<uint8_t>& s : streams) {
        REQUIRE(dx::decodeJpeg(s, dx::DecodeLimits()).ok());
        // Fill bytes (FF) may precede the end-of-image marker (T.81 B.1.1.2); IJG's lossless encoder writes
        // one. Cutting those leaves the image whole, so cuts are tried up to the last entropy-coded byte.
        size_t end = s.size() - 2;
        while (s[end - 1] == 0xff)
            end--;
        for (size_t n = 0; n < end; n++) {
            std::vector<uint8_t> cut(s.begin(), s.begin() + ptrdiff_t(n));
            dx::Result<dx::JpegImage> img = dx::decodeJpeg(cut, dx::DecodeLimits());
            INFO("cut at " << n << " of " << s.size());
            CHECK_FALSE(img.ok());
        }
    }
}

TEST_CASE("JPEG: wrong marker segment lengths give errors or a consistent image, never a crash") {
    size_t tried = 0;
    for (const std::vector<uint8_t>& s : seedStreams()) {
        for (size_t at : segmentStarts(s)) {
            const uint8_t marker = s[at + 1];
            for (uint16_t length : {0, 1, 2, 3, 0xffff, 0x8000}) {
                std::vector<uint8_t> bad = s;
                bad[at + 2] = uint8_t(length >> 8);
                bad[at + 3] = uint8_t(length);
                dx::Result<dx::JpegImage> img = dx::decodeJpeg(bad, dx::DecodeLimits());
                checkConsistent(img);
                // Tables, frame and scan headers cannot be skipped: a wrong length must be reported.
                const bool essential = marker == 0xc4 || marker == 0xdb || marker == 0xc0 || marker == 0xc1 ||
                                       marker == 0xc3 || marker == 0xda;
                INFO("marker " << int(marker) << " length " << length);
                if (essential) CHECK_FALSE(img.ok());
                tried++;
            }
        }
    }
    CHECK(tried > 100);
}

TEST_CASE("JPEG: absurd sizes and unsupported processes are refused with a readable error") {
    LosslessStream p;
    std::vector<uint16_t> expected;
    const std::vector<uint8_t> good = encodeLossless(p, expected);
    const size_t sof = segmentStarts(good)[1]; // SOI, DHT, SOF3
    REQUIRE(good[sof + 1] == 0xc3);

    std::vector<uint8_t> huge = good;
    huge[sof + 5] = huge[sof + 6] = huge[sof + 7] = huge[sof + 8] = 0xff; // 65535 x 65535
    dx::DecodeLimits small;
    small.maxDecodedBytes = 64u << 20;
    dx::Result<dx::JpegImage> img = dx::decodeJpeg(huge, small);
    REQUIRE_FALSE(img.ok());
    CHECK(img.error().message.find("limit") != std::string::npos);

    std::vector<uint8_t> progressive = good;
    progressive[sof + 1] = 0xc2;
    img = dx::decodeJpeg(progressive, dx::DecodeLimits());
    REQUIRE_FALSE(img.ok());
    CHECK(img.error().message.find("progressive") != std::string::npos);

    std::vector<uint8_t> arithmetic = good;
    arithmetic[sof + 1] = 0xcb;
    img = dx::decodeJpeg(arithmetic, dx::DecodeLimits());
    REQUIRE_FALSE(img.ok());
    CHECK(img.error().message.find("arithmetic") != std::string::npos);

    std::vector<uint8_t> zeroHeight = good;
    zeroHeight[sof + 5] = zeroHeight[sof + 6] = 0;
    CHECK_FALSE(dx::decodeJpeg(zeroHeight, dx::DecodeLimits()).ok());

    std::vector<uint8_t> precision17 = good;
    precision17[sof + 4] = 17;
    CHECK_FALSE(dx::decodeJpeg(precision17, dx::DecodeLimits()).ok());

    std::vector<uint8_t> overfullTable = good; // 17 codes of length 1 cannot exist
    REQUIRE(good[3] == 0xc4);                  // DHT right after SOI: class/id at 6, code counts from 7
    overfullTable[7] = 17;
    overfullTable[7 + 4] = 0;
    CHECK_FALSE(dx::decodeJpeg(overfullTable, dx::DecodeLimits()).ok());

    CHECK_FALSE(dx::decodeJpeg(std::vector<uint8_t>{0xff, 0xd8, 0xff, 0xd9}, dx::DecodeLimits()).ok());
    CHECK_FALSE(dx::decodeJpeg(std::vector<uint8_t>{}, dx::DecodeLimits()).ok());
}

TEST_CASE("JPEG: random corruption never crashes and decoded images are consistent") {
    std::mt19937 rng(42);
    size_t tried = 0;
    for (const std::vector<uint8_t>& s : seedStreams()) {
        for (int i = 0; i < 400; i++) {
            std::vector<uint8_t> bad = s;
            const int flips = 1 + int(rng() % 4);
            for (int f = 0; f < flips; f++)
                bad[rng() % bad.size()] = uint8_t(rng());
            checkConsistent(dx::decodeJpeg(bad, dx::DecodeLimits()));
            tried++;
        }
    }
    CHECK(tried >= 2000);
}
