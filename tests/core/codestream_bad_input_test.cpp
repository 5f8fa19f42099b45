// codestream_bad_input_test.cpp — the JPEG-LS and JPEG 2000 wrappers on bad input: codestreams that disagree
// with the DICOM header, truncated codestreams, marker lengths and image sizes overwritten with absurd
// values. Every case must end in an error (or, for cuts the codec can legitimately tolerate, a frame of the
// right size), never a crash or an allocation beyond the frame; run under ASan/UBSan with the native-asan
// preset, which also builds CharLS and OpenJPEG with the sanitizers. Inputs: tests/fuzz/corpus/codestream
// (make_seed_corpus.py), each a 6-byte layout header (see tests/fuzz/codestream_fuzzer.cpp) and a valid codestream.
#include "core/codecs/dicom_j2k.h"
#include "core/codecs/dicom_jpegls.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace {

struct Seed {
    std::string name;
    bool jpegLs;
    dx::CodestreamLayout layout;
    std::vector<uint8_t> codestream;
};

std::vector<Seed> codestreamSeeds() {
    std::vector<Seed> seeds;
    fs::path dir = fs::path(DX_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "codestream";
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::ifstream f(entry.path(), std::ios::binary);
        std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        REQUIRE(b.size() > 6);
        Seed s{entry.path().filename().string(), b[0] == 0, {b[3] | b[4] << 8, b[5], b[1], b[2]}, {}};
        s.codestream.assign(b.begin() + 6, b.end());
        seeds.push_back(std::move(s));
    }
    std::sort(seeds.begin(), seeds.end(), [](const Seed& a, const Seed& b) { return a.name < b.name; });
    return seeds;
}

dx::Status decode(const Seed& s, std::span<const uint8_t> codestream, const dx::CodestreamLayout& layout) {
    std::vector<uint8_t> frame(layout.frameBytes());
    if (s.jpegLs) return dx::decodeJpegLsFrame(codestream, layout, frame);
    dx::Result<dx::J2kFrameInfo> info = dx::decodeJ2kFrame(codestream, layout, frame);
    if (!info) return info.error();
    return {};
}

} // namespace

TEST_CASE("Every codestream seed decodes to the layout it states") {
    std::vector<Seed> seeds = codestreamSeeds();
    REQUIRE(seeds.size() >= 6); // committed corpus: three JPEG-LS and three JPEG 2000 streams
    for (const Seed& s : seeds) {
        INFO(s.name);
        dx::Status st = decode(s, s.codestream, s.layout);
        CHECK(st.ok());
    }
}

TEST_CASE("A codestream that disagrees with the DICOM header is refused before decoding") {
    for (const Seed& s : codestreamSeeds()) {
        INFO(s.name);
        dx::CodestreamLayout wider = s.layout, moreSamples = s.layout, fewerBits = s.layout;
        wider.columns += 1;
        moreSamples.samplesPerPixel = s.layout.samplesPerPixel == 1 ? 3 : 1;
        dx::Status st = decode(s, s.codestream, wider);
        REQUIRE_FALSE(st.ok());
        CHECK_THAT(st.error().message, Catch::Contains("but the DICOM header says"));
        CHECK_FALSE(decode(s, s.codestream, moreSamples).ok());
        if (s.layout.bytesPerSample == 2 && s.name.find("16bit") != std::string::npos) {
            fewerBits.bytesPerSample = 1; // 12- or 16-bit samples cannot fit Bits Allocated 8
            CHECK_FALSE(decode(s, s.codestream, fewerBits).ok());
        }
    }
}

TEST_CASE("Truncated codestreams give errors") {
    size_t tried = 0;
    for (const Seed& s : codestreamSeeds()) {
        // Any cut inside the headers and the first half of the entropy-coded data must be reported.
        for (size_t n = 0; n < s.codestream.size() / 2; n++) {
            INFO(s.name << " cut at " << n);
            CHECK_FALSE(decode(s, std::span(s.codestream.data(), n), s.layout).ok());
            tried++;
        }
    }
    CHECK(tried > 300);
}

TEST_CASE("Marker lengths and sizes overwritten with absurd values give errors or a frame, never a crash") {
    size_t tried = 0, refused = 0;
    for (const Seed& s : codestreamSeeds()) {
        const size_t end = std::min<size_t>(s.codestream.size(), 160); // the marker segments before the data
        for (size_t at = 2; at + 4 <= end; at++) {
            for (uint32_t value : {0xffffffffu, 0x0000ffffu, 0x00000000u, 0x7fff0000u}) {
                std::vector<uint8_t> bad = s.codestream;
                std::memcpy(&bad[at], &value, 4);
                refused += decode(s, bad, s.layout).ok() ? 0 : 1;
                tried++;
            }
        }
    }
    CHECK(tried > 2000);
    CHECK(refused > tried / 2); // most of these bytes are headers whose corruption must be noticed
}

// make_seed_corpus.py's codec_samples(): the samples every codestream seed was encoded from.
static int seedSample(size_t index, int bytesPerSample) {
    return bytesPerSample == 2 ? int(index * 997 % 4096) : int(index * 37 % 256);
}

TEST_CASE("Codestream seeds decode to the samples they were encoded from, colour transforms undone") {
    for (const Seed& s : codestreamSeeds()) {
        INFO(s.name);
        std::vector<uint8_t> frame(s.layout.frameBytes());
        bool transformUndone = false;
        if (s.jpegLs) {
            REQUIRE(dx::decodeJpegLsFrame(s.codestream, s.layout, frame).ok());
        } else {
            dx::Result<dx::J2kFrameInfo> info = dx::decodeJ2kFrame(s.codestream, s.layout, frame);
            REQUIRE(info.ok());
            transformUndone = info->colourTransformUndone;
        }
        // Lossless seeds must come back exactly; near-lossless JPEG-LS within its NEAR of 2; lossy JPEG 2000
        // at 4:1 on noise-like 8x8 data is far off, so only its size and transform flag are checked.
        const bool lossy = s.name.find("lossy") != std::string::npos;
        const int allowed = s.name.find("near_lossless") != std::string::npos ? 2 : 0;
        CHECK(transformUndone ==
              (s.name.find("rct") != std::string::npos || s.name.find("ict") != std::string::npos));
        if (lossy) continue;
        int worst = 0;
        for (size_t i = 0; i < s.layout.samples(); i++) {
            int got = s.layout.bytesPerSample == 2 ? frame[i * 2] | frame[i * 2 + 1] << 8 : frame[i];
            worst = std::max(worst, std::abs(got - seedSample(i, s.layout.bytesPerSample)));
        }
        CHECK(worst <= allowed);
    }
}
