// intake_bad_input_test.cpp — the bad-input corpus: truncations at many offsets, lengths pointing past the
// end, absurd sizes, zero-length values and random bytes. Every input must give an error or a consistent
// image, never a crash, a hang or an unbounded allocation; run natively under ASan + UBSan (preset
// native-asan). Valid inputs: the committed seed corpus (tests/fuzz/corpus, made by make_seed_corpus.py) and,
// when present, pydicom's small test files.
#include "core/intake/image_decoder.h"
#include "tests/core/intake_test_util.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

namespace fs = std::filesystem;

static std::vector<uint8_t> readAll(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

static std::vector<fs::path> seedFiles() {
    std::vector<fs::path> files;
    for (const char* sub : {"dicom", "raster"}) {
        fs::path dir = fs::path(DX_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / sub;
        if (!fs::is_directory(dir)) continue;
        for (const auto& entry : fs::directory_iterator(dir))
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

static std::vector<fs::path> pydicomFiles(size_t maxBytes) {
    std::vector<fs::path> files;
    fs::path dir = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
    if (!fs::is_directory(dir)) return files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".dcm" && entry.file_size() <= maxBytes)
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// Corrupt headers may legitimately describe large images; a small budget keeps the test fast under ASan and
// exercises the limit checks on every mutation.
static dx::DecodeLimits testLimits() {
    dx::DecodeLimits limits;
    limits.maxDecodedBytes = 16u << 20;
    return limits;
}

// An image that decoded must be internally consistent (the renderer and exports index pixels with these).
static void checkConsistent(const dx::Result<dx::Image>& img) {
    if (!img) {
        CHECK_FALSE(img.error().message.empty());
        return;
    }
    CHECK(img->width > 0);
    CHECK(img->height > 0);
    CHECK(img->frames > 0);
    CHECK(img->pixels.size() == img->frameBytes() * size_t(img->frames));
}

TEST_CASE("Every file of the seed corpus decodes") {
    std::vector<fs::path> seeds = seedFiles();
    REQUIRE(seeds.size() >= 20); // the corpus is committed: its absence is a failure, not a skip
    for (const fs::path& p : seeds) {
        INFO(p.string());
        dx::Result<dx::Image> img = dx::decodeImage(readAll(p));
        CHECK(img.ok());
        checkConsistent(img);
    }
}

TEST_CASE("Truncated files give errors at every offset") {
    std::vector<fs::path> files = seedFiles();
    std::vector<fs::path> more = pydicomFiles(16 * 1024);
    if (more.empty())
        WARN("pydicom's test files are absent (python3-pydicom): truncating the seed corpus only");
    files.insert(files.end(), more.begin(), more.end());
    size_t tried = 0;
    for (const fs::path& p : files) {
        const std::vector<uint8_t> bytes = readAll(p);
        const bool dicom = dx::detectImageFormat(bytes) == dx::ImageFormat::Dicom;
        const bool seed = p.string().find("tests/fuzz/corpus") != std::string::npos;
        const size_t step = std::max<size_t>(1, bytes.size() / 300);
        for (size_t n = 0; n < bytes.size(); n += step) {
            std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + ptrdiff_t(n));
            dx::Result<dx::Image> img = dx::decodeImage(prefix, testLimits());
            checkConsistent(img);
            // Our DICOM seeds end with their Pixel Data and have no padding: any cut must be reported.
            if (seed && dicom) {
                INFO(p.string() << " cut at " << n);
                CHECK_FALSE(img.ok());
            }
            tried++;
        }
    }
    CHECK(tried > 3000);
}

TEST_CASE("Lengths and sizes overwritten with huge values are refused without crashing") {
    std::vector<fs::path> files = seedFiles();
    size_t tried = 0;
    for (const fs::path& p : files) {
        const std::vector<uint8_t> bytes = readAll(p);
        const size_t end = std::min<size_t>(bytes.size(), 1024);
        for (size_t at = 0; at + 4 <= end; at += 2) {
            for (uint32_t value : {0xffffffffu, 0xfffffff0u, 0x7fffffffu, 0x00010000u}) {
                std::vector<uint8_t> bad = bytes;
                std::memcpy(&bad[at], &value, 4);
                checkConsistent(dx::decodeImage(bad, testLimits()));
                tried++;
            }
        }
    }
    CHECK(tried > 10000);
}

TEST_CASE("Absurd pixel attributes and zero-length values give errors") {
    struct Case {
        uint16_t rows, columns, bitsAllocated, spp;
        std::vector<uint8_t> pixels;
    };
    const Case cases[] = {
        {0, 4, 8, 1, std::vector<uint8_t>(16, 1)},         // zero rows
        {4, 4, 12, 1, std::vector<uint8_t>(32, 1)},        // Bits Allocated 12
        {4, 4, 8, 4, std::vector<uint8_t>(64, 1)},         // 4 samples per pixel
        {4, 4, 16, 1, std::vector<uint8_t>(31, 1)},        // one byte short
        {65535, 65535, 16, 1, std::vector<uint8_t>(8, 1)}, // 8 GB claimed by a 8-byte Pixel Data
    };
    for (const Case& c : cases) {
        DicomBuilder b;
        b.us(dx::DicomTag::SamplesPerPixel, c.spp)
            .us(dx::DicomTag::Rows, c.rows)
            .us(dx::DicomTag::Columns, c.columns);
        b.us(dx::DicomTag::BitsAllocated, c.bitsAllocated).raw(dx::DicomTag::PixelData, "OB", c.pixels);
        dx::Result<dx::Image> img = dx::decodeImage(b.build());
        INFO(c.rows << "x" << c.columns << " bits " << c.bitsAllocated << " spp " << c.spp);
        REQUIRE_FALSE(img.ok());
        CHECK_FALSE(img.error().message.empty());
    }
    DicomBuilder empty; // Rows present but empty
    empty.raw(dx::DicomTag::Rows, "US", {}).us(dx::DicomTag::Columns, 2).us(dx::DicomTag::BitsAllocated, 8);
    empty.raw(dx::DicomTag::PixelData, "OB", {1, 2, 3, 4});
    CHECK_FALSE(dx::decodeImage(empty.build()).ok());
    DicomBuilder noPixels;
    noPixels.us(dx::DicomTag::Rows, 2).raw(dx::DicomTag::PixelData, "OB", {});
    CHECK_FALSE(dx::decodeImage(noPixels.build()).ok());
}

TEST_CASE("Random bytes, with and without a DICOM or PNG signature, give errors") {
    std::mt19937 rng(20261122);
    const std::vector<std::vector<uint8_t>> prefixes = {{},
                                                        {0xff, 0xd8, 0xff},
                                                        {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
                                                        {'G', 'I', 'F', '8', '9', 'a'},
                                                        {'B', 'M'}};
    size_t errors = 0, total = 0;
    for (int i = 0; i < 2000; i++) {
        std::vector<uint8_t> bytes(rng() % 2048);
        for (uint8_t& b : bytes)
            b = uint8_t(rng());
        const std::vector<uint8_t>& prefix = prefixes[size_t(i) % prefixes.size()];
        if (bytes.size() >= prefix.size()) std::copy(prefix.begin(), prefix.end(), bytes.begin());
        if (i % 7 == 0 && bytes.size() >= 132) std::memcpy(&bytes[128], "DICM", 4);
        dx::Result<dx::Image> img = dx::decodeImage(bytes, testLimits());
        checkConsistent(img);
        errors += img.ok() ? 0 : 1;
        total++;
    }
    CHECK(errors == total);
}
