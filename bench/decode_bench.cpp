// decode_bench — decode throughput of src/core's intake, natively and as WASM under Node (same source).
//
// How to use (bench/run_bench.sh builds and runs it, and compares with Pillow):
//   dx_decode_bench [FILE...]      prints one JSON object per line:
//     {"case":"dicom_native_parse_copy","bytes":N,"ms":T}   uncompressed DICOM: parse + decode to dx::Image
//     {"case":"memcpy","bytes":N,"ms":T}                    memcpy of the same number of bytes (the limit)
//     {"case":"decode","file":F,"ms":T}                     dx::decodeImage of each FILE (from memory)
//     {"case":"decode_stb","file":F,"ms":T}                 PNG files only: stb_image alone, without the
//                                                           common-PNG fast path (png_decoder.h)
// Times are the median of at least 7 runs (and at least 0.5 s of runs), after one warm-up run.
#include "core/codecs/raster_decoder.h"
#include "core/dicom/dicom_image.h"
#include "core/dicom/dicom_parser.h"
#include "core/intake/image_decoder.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

static double nowMs() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// At least `runs` runs and at least half a second in all, so small files get enough samples on a busy machine.
template <class F> static double medianMs(int runs, F&& work) {
    work(); // warm-up: page faults and caches
    std::vector<double> times;
    double total = 0;
    while (int(times.size()) < runs || (total < 500.0 && times.size() < 1000)) {
        double t0 = nowMs();
        work();
        times.push_back(nowMs() - t0);
        total += times.back();
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

static void put16(std::vector<uint8_t>& out, uint32_t v) {
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
}

static void shortElement(std::vector<uint8_t>& out, uint32_t tag, const char* vr, const std::string& value) {
    put16(out, tag >> 16);
    put16(out, tag & 0xffff);
    out.push_back(uint8_t(vr[0]));
    out.push_back(uint8_t(vr[1]));
    put16(out, uint32_t(value.size()));
    out.insert(out.end(), value.begin(), value.end());
}

static void usElement(std::vector<uint8_t>& out, uint32_t tag, uint16_t v) {
    std::string value{char(v & 0xff), char(v >> 8)};
    shortElement(out, tag, "US", value);
}

// An explicit VR little endian CT-like file: frames x 1024 x 1024, 16-bit signed, 12 bits stored at bit 11
// would need masking; 16 bits stored is the common CT/MR layout that can be copied as is.
static std::vector<uint8_t> syntheticDicom(int frames) {
    std::vector<uint8_t> out(128, 0);
    out.insert(out.end(), {'D', 'I', 'C', 'M'});
    shortElement(out, 0x00020010, "UI", std::string("1.2.840.10008.1.2.1") + '\0');
    shortElement(out, 0x00080060, "CS", "CT");
    usElement(out, 0x00280002, 1);
    shortElement(out, 0x00280004, "CS", "MONOCHROME2 ");
    shortElement(out, 0x00280008, "IS",
                 std::to_string(frames) + (std::to_string(frames).size() % 2 ? " " : ""));
    usElement(out, 0x00280010, 1024);
    usElement(out, 0x00280011, 1024);
    usElement(out, 0x00280100, 16);
    usElement(out, 0x00280101, 16);
    usElement(out, 0x00280102, 15);
    usElement(out, 0x00280103, 1);
    const uint32_t pixelBytes = uint32_t(frames) * 1024u * 1024u * 2u;
    put16(out, 0x7fe0);
    put16(out, 0x0010);
    out.insert(out.end(), {'O', 'W', 0, 0});
    put16(out, pixelBytes & 0xffff);
    put16(out, pixelBytes >> 16);
    size_t start = out.size();
    out.resize(start + pixelBytes);
    for (size_t i = 0; i < pixelBytes; i++)
        out[start + i] = uint8_t(i * 2654435761u >> 13);
    return out;
}

static std::vector<uint8_t> readFile(const char* path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

int main(int argc, char** argv) {
    const int frames = 32; // 64 MiB of pixels: far beyond the caches, like a CT series
    const std::vector<uint8_t> dicom = syntheticDicom(frames);
    const size_t pixelBytes = size_t(frames) * 1024 * 1024 * 2;
    size_t checksum = 0;
    double parseCopy = medianMs(9, [&] {
        dx::DecodeLimits limits;
        dx::Result<dx::DicomFile> file = dx::parseDicom(dicom, limits);
        dx::Result<dx::Image> img = dx::decodeDicomImage(*file, limits);
        checksum += img->pixels[12345];
    });
    std::vector<uint8_t> copy;
    double memcpyMs = medianMs(9, [&] {
        copy = std::vector<uint8_t>(pixelBytes); // a fresh buffer each run, as the decoder allocates one
        std::memcpy(copy.data(), dicom.data() + dicom.size() - pixelBytes, pixelBytes);
        checksum += copy[12345];
    });
    std::printf("{\"case\":\"dicom_native_parse_copy\",\"bytes\":%zu,\"ms\":%.3f}\n", pixelBytes, parseCopy);
    std::printf("{\"case\":\"memcpy\",\"bytes\":%zu,\"ms\":%.3f}\n", pixelBytes, memcpyMs);
    for (int i = 1; i < argc; i++) {
        const std::vector<uint8_t> bytes = readFile(argv[i]);
        bool ok = true;
        double ms = medianMs(7, [&] {
            dx::Result<dx::Image> img = dx::decodeImage(bytes);
            ok = ok && img.ok();
            if (img) checksum += img->pixels[0];
        });
        std::printf("{\"case\":\"decode\",\"file\":\"%s\",\"ok\":%s,\"ms\":%.3f}\n", argv[i],
                    ok ? "true" : "false", ms);
        const std::string name = argv[i];
        if (name.size() < 4 || name.compare(name.size() - 4, 4, ".png") != 0) continue;
        dx::RasterOptions stbOnly;
        stbOnly.commonPngFastPath = false;
        ms = medianMs(7, [&] {
            dx::Result<dx::Image> img =
                dx::decodeRaster(bytes, dx::RasterFormat::Png, dx::DecodeLimits{}, stbOnly);
            ok = ok && img.ok();
            if (img) checksum += img->pixels[0];
        });
        std::printf("{\"case\":\"decode_stb\",\"file\":\"%s\",\"ok\":%s,\"ms\":%.3f}\n", argv[i],
                    ok ? "true" : "false", ms);
    }
    std::fprintf(stderr, "checksum %zu\n", checksum);
    return 0;
}
