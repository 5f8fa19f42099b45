// golden_check — compares DxLens's decoders with the references written by make_reference.py.
//
// How to use (CTest runs it after the `golden_reference` fixture, natively, under ASan and as WASM in Node):
//   dx_golden_check BUILD/golden/manifest.json [--kind dicom|raster|inflate]
//
// For each case of the manifest: "pixels" -> dx::decodeImage must succeed and every sample must equal the
// reference (within the case's tolerance, e.g. +-1 for JPEG), and imageInfoJson must match pydicom's
// attributes; "error" -> decoding (or dx::inflateRaw, for inflate cases) must fail with the expected words, e.g.
// "Unsupported transfer syntax"; "bytes" -> dx::inflateRaw must reproduce zlib's input exactly. Prints one line
// per failure and a summary.
// Exit codes: 0 all matched, 1 a mismatch, 77 skipped (reference decoders missing: CTest SKIP_RETURN_CODE).
#include "core/codecs/inflate.h"
#include "core/image/image_info.h"
#include "core/intake/image_decoder.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using nlohmann::json;

static std::vector<uint8_t> readBytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

static bool fileExists(const std::string& path) {
    return std::ifstream(path).good();
}

// Reads sample i of a little-endian numpy buffer of dtype like "<u2", "|u1", "<i4".
static double numpySample(const std::vector<uint8_t>& data, const std::string& dtype, size_t i) {
    const char kind = dtype[1];
    const size_t size = size_t(dtype[2] - '0');
    uint64_t raw = 0;
    for (size_t b = 0; b < size; b++)
        raw |= uint64_t(data[i * size + b]) << (8 * b);
    if (kind == 'u') return double(raw);
    const uint64_t sign = uint64_t(1) << (size * 8 - 1);
    return (raw & sign) ? double(int64_t(raw | ~(sign * 2 - 1))) : double(raw);
}

static std::string sampleTypeDtype(dx::SampleType t) {
    switch (t) {
    case dx::SampleType::U8:
        return "|u1";
    case dx::SampleType::I8:
        return "|i1";
    case dx::SampleType::U16:
        return "<u2";
    case dx::SampleType::I16:
        return "<i2";
    case dx::SampleType::U32:
        return "<u4";
    case dx::SampleType::I32:
        return "<i4";
    case dx::SampleType::F32:
        return "<f4";
    }
    return "?";
}

struct Checker {
    int passed = 0, failed = 0;
    std::string failure;         // first problem of the current case
    std::string toleranceReport; // max/mean differences of the cases compared with a tolerance (JPEG)

    void problem(const std::string& what) {
        if (failure.empty()) failure = what;
    }

    void comparePixels(const json& c, const dx::Image& img) {
        const std::vector<uint8_t> expected = readBytes(c["raw"]);
        const std::string dtype = c["dtype"];
        const json& shape = c["shape"]; // frames, rows, columns, samples
        if (img.frames != shape[0] || img.height != shape[1] || img.width != shape[2] ||
            img.samplesPerPixel != shape[3]) {
            problem("decoded " + std::to_string(img.frames) + "x" + std::to_string(img.height) + "x" +
                    std::to_string(img.width) + "x" + std::to_string(img.samplesPerPixel) + ", reference " +
                    shape.dump());
            return;
        }
        if (sampleTypeDtype(img.sampleType) != dtype &&
            !(dtype[2] == '1' && bytesPerSample(img.sampleType) == 1)) {
            problem("sample type " + std::string(dx::sampleTypeName(img.sampleType)) + ", reference " +
                    dtype);
            return;
        }
        const size_t count = img.samplesPerFrame() * size_t(img.frames);
        const size_t itemSize = size_t(dtype[2] - '0');
        if (expected.size() != count * itemSize) {
            problem("reference file holds " + std::to_string(expected.size()) + " bytes, expected " +
                    std::to_string(count * itemSize));
            return;
        }
        // Compare as integers read from the little-endian export (Image::sample() returns float, which is not
        // exact for 32-bit samples).
        std::vector<uint8_t> ours;
        for (int f = 0; f < img.frames; f++) {
            std::vector<uint8_t> frame = dx::frameSamplesLittleEndian(img, f);
            ours.insert(ours.end(), frame.begin(), frame.end());
        }
        const std::string ourDtype = sampleTypeDtype(img.sampleType);
        const double tolerance = c.value("tolerance", 0.0);
        double worst = 0, sum = 0;
        size_t worstAt = 0, over = 0;
        for (size_t i = 0; i < count; i++) {
            const double diff = std::fabs(numpySample(ours, ourDtype, i) - numpySample(expected, dtype, i));
            sum += diff;
            if (diff > tolerance) over++;
            if (diff > worst) {
                worst = diff;
                worstAt = i;
            }
        }
        const double mean = sum / double(count), meanTolerance = c.value("mean_tolerance", 0.0);
        if (mean > meanTolerance)
            problem("mean |difference| " + std::to_string(mean) + " exceeds " +
                    std::to_string(meanTolerance));
        if (tolerance > 0) {
            char stats[160];
            std::snprintf(stats, sizeof stats, "  %s: max |diff| %.0f, mean |diff| %.4f (tolerance %.0f)\n",
                          c["name"].get<std::string>().c_str(), worst, mean, tolerance);
            toleranceReport += stats;
        }
        if (over)
            problem(std::to_string(over) + " of " + std::to_string(count) + " samples differ by more than " +
                    std::to_string(tolerance) + " (worst " + std::to_string(worst) + " at sample " +
                    std::to_string(worstAt) + ")");
    }

    void compareInfo(const json& expected, const json& ours) {
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            const json& want = it.value();
            const json& got = ours.contains(it.key()) ? ours[it.key()] : json();
            bool same = want == got;
            if (want.is_number() && got.is_number())
                same = std::fabs(want.get<double>() - got.get<double>()) <=
                       1e-9 * std::max(1.0, std::fabs(want.get<double>()));
            if (!same)
                problem("info." + it.key() + " is " + got.dump() + ", pydicom/reference says " + want.dump());
        }
    }

    void checkImageCase(const json& c) {
        const std::vector<uint8_t> bytes = readBytes(c["file"]);
        dx::Result<dx::Image> header = dx::readImageHeader(bytes);
        if (c.contains("info")) {
            if (!header)
                problem("info failed: " + header.error().message);
            else
                compareInfo(c["info"], dx::imageInfoJson(*header));
        } else if (c.contains("info_error") && header) {
            problem("info succeeded but the reference could not read the attributes (" +
                    c["info_error"].get<std::string>() + ")");
        }
        dx::Result<dx::Image> img = dx::decodeImage(bytes);
        if (c["expect"] == "pixels") {
            if (!img)
                problem("decoding failed: " + img.error().message);
            else
                comparePixels(c, *img);
            return;
        }
        if (img) {
            problem("decoded, but the reference refuses it (" + c.value("reason", std::string("?")) + ")");
            return;
        }
        const std::string words = c.value("error_contains", std::string());
        if (!words.empty() && img.error().message.find(words) == std::string::npos)
            problem("error message '" + img.error().message + "' does not say '" + words + "'");
    }

    void checkInflateCase(const json& c) {
        const std::vector<uint8_t> packed = readBytes(c["file"]);
        dx::Result<std::vector<uint8_t>> out = dx::inflateRaw(packed, size_t(1) << 30);
        if (c["expect"] == "error") {
            const std::string words = c["error_contains"];
            if (out)
                problem("inflated, but the reference is cut short");
            else if (out.error().message.find(words) == std::string::npos)
                problem("error message '" + out.error().message + "' does not say '" + words + "'");
            return;
        }
        const std::vector<uint8_t> expected = readBytes(c["raw"]);
        if (!out)
            problem("inflate failed: " + out.error().message);
        else if (*out != expected)
            problem("inflated bytes differ from zlib's input");
    }

    void run(const json& c) {
        failure.clear();
        if (!fileExists(c["file"]))
            problem("input file missing: " + c["file"].get<std::string>());
        else if (c["kind"] == "inflate")
            checkInflateCase(c);
        else
            checkImageCase(c);
        if (failure.empty()) {
            passed++;
        } else {
            failed++;
            std::printf("FAIL %s: %s\n", c["name"].get<std::string>().c_str(), failure.c_str());
        }
    }
};

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: dx_golden_check MANIFEST [--kind dicom|raster|inflate]\n");
        return 2;
    }
    const std::string kind = argc >= 4 && !std::strcmp(argv[2], "--kind") ? argv[3] : "";
    std::ifstream in(argv[1]);
    if (!in) {
        std::printf("SKIPPED: no golden manifest at %s (the golden_reference fixture did not run)\n",
                    argv[1]);
        return 77;
    }
    const json manifest = json::parse(in);
    if (manifest.contains("skip")) {
        std::printf("SKIPPED: %s\n", manifest["skip"].get<std::string>().c_str());
        return 77;
    }
    for (const json& note : manifest["notes"])
        std::printf("note: %s\n", note.get<std::string>().c_str());

    Checker checker;
    int pixels = 0, errors = 0;
    for (const json& c : manifest["cases"]) {
        if (!kind.empty() && c["kind"] != kind) continue;
        checker.run(c);
        (c["expect"] == "error" ? errors : pixels)++;
    }
    if (!checker.toleranceReport.empty())
        std::printf("lossy cases (decoders may differ by rounding):\n%s", checker.toleranceReport.c_str());
    std::printf(
        "golden %s: %d of %d cases match the reference (%d decoded and compared, %d expected errors)\n",
        kind.empty() ? "all" : kind.c_str(), checker.passed, checker.passed + checker.failed, pixels, errors);
    if (checker.passed + checker.failed == 0) {
        std::printf("SKIPPED: the manifest has no %s cases\n", kind.c_str());
        return 77;
    }
    return checker.failed ? 1 : 0;
}
