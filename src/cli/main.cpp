// dxlens — command-line front end over src/core: the same decoders the app uses, for users and for checking.
//
//   dxlens --version
//   dxlens info FILE                                  one JSON object (see core/image/image_info.h for the keys)
//   dxlens decode FILE --raw OUT.bin [--frame N]      decoded samples of frame N (default 0), little endian,
//                                                     interleaved, before the modality LUT: the stored values
//                                                     for grey images, RGB for YBR, and for PALETTE COLOR the
//                                                     palette applied (16-bit RGB, as pydicom's apply_color_lut)
//   dxlens decode FILE --png OUT.png [--frame N]      8-bit display rendering (modality LUT, default window)
//   dxlens analyze ...                                a model on files, or one shard of an archive list
//                                                     (analyze_command.h, archive_run.h)
//   dxlens merge OUTDIR ...                           an archive run's shards as one result (merge_command.h)
//
// FILE is recognised by content (DICOM with or without preamble, PNG, JPEG, BMP, TGA, GIF), not by extension.
// Errors: exit code 2 and one line on stderr that says what is wrong.
#include "cli/analyze_command.h"
#include "cli/merge_command.h"
#include "core/base/build_info.h"
#include "core/base/file_io.h"
#include "core/codecs/raster_encoder.h"
#include "core/image/image_info.h"
#include "core/image/render.h"
#include "core/intake/image_decoder.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static int printVersion() {
    const dx::BuildInfo& b = dx::buildInfo();
    std::printf("dxlens %s (%s, %s, %s)\n", b.version, b.commit, b.buildType, b.compiler);
    return 0;
}

static int usage(FILE* out) {
    std::fprintf(out, "usage: dxlens --version\n"
                      "       dxlens info FILE\n"
                      "       dxlens decode FILE --raw OUT.bin [--frame N]\n"
                      "       dxlens decode FILE --png OUT.png [--frame N]\n"
                      "       dxlens analyze --model DIR [options] FILE... (dxlens analyze --help)\n"
                      "       dxlens analyze --model DIR --list FILES.txt --out OUTDIR [--shard I/N|auto]\n"
                      "       dxlens merge OUTDIR [--labels labels.csv] [--out report.json|.csv|.html]\n"
                      "FILE may be DICOM (with or without preamble), PNG, JPEG, BMP, TGA or GIF.\n"
                      "DxLens is research software, not a medical device.\n");
    return out == stderr ? 2 : 0;
}

// Every failure goes through here: one line on stderr, exit code 2.
static int fail(const std::string& message) {
    std::string oneLine = message;
    for (char& c : oneLine)
        if (c == '\n' || c == '\r') c = ' ';
    std::fprintf(stderr, "dxlens: %s\n", oneLine.c_str());
    return 2;
}

static int runInfo(int argc, char** argv) {
    if (argc != 3) return fail("info takes exactly one FILE (try dxlens --help)");
    dx::Result<dx::Bytes> bytes = dx::readFileBytes(argv[2]);
    if (!bytes) return fail(bytes.error().message);
    dx::Result<dx::Image> img = dx::readImageHeader(*bytes);
    if (!img) return fail(std::string(argv[2]) + ": " + img.error().message);
    std::printf("%s\n", dx::imageInfoJson(*img).dump().c_str());
    return 0;
}

// The PNG gets as few channels as the display image needs: grey, RGB, or RGBA when the source has alpha.
static std::vector<uint8_t> packChannels(const dx::DisplayImage& shown, int channels) {
    const size_t pixels = size_t(shown.width) * size_t(shown.height);
    std::vector<uint8_t> out(pixels * size_t(channels));
    for (size_t p = 0; p < pixels; p++)
        for (int c = 0; c < channels; c++)
            out[p * channels + c] = shown.rgba[p * 4 + (channels == 1 ? 0 : c)];
    return out;
}

static int runDecode(int argc, char** argv) {
    if (argc < 3) return fail("decode needs a FILE (try dxlens --help)");
    const char* rawPath = nullptr;
    const char* pngPath = nullptr;
    long frame = 0;
    for (int i = 3; i < argc; i++) {
        const bool hasValue = i + 1 < argc;
        if (!std::strcmp(argv[i], "--raw") && hasValue)
            rawPath = argv[++i];
        else if (!std::strcmp(argv[i], "--png") && hasValue)
            pngPath = argv[++i];
        else if (!std::strcmp(argv[i], "--frame") && hasValue) {
            char* end = nullptr;
            frame = std::strtol(argv[++i], &end, 10);
            if (*end != 0 || frame < 0)
                return fail(std::string("--frame needs a frame number >= 0, got '") + argv[i] + "'");
        } else {
            return fail(std::string("unknown or incomplete option '") + argv[i] + "' (try dxlens --help)");
        }
    }
    if (!rawPath && !pngPath) return fail("decode needs --raw OUT.bin and/or --png OUT.png");

    dx::Result<dx::Bytes> bytes = dx::readFileBytes(argv[2]);
    if (!bytes) return fail(bytes.error().message);
    dx::Result<dx::Image> img = dx::decodeImage(*bytes);
    if (!img) return fail(std::string(argv[2]) + ": " + img.error().message);
    if (frame >= img->frames)
        return fail(std::string(argv[2]) + ": frame " + std::to_string(frame) +
                    " does not exist (the image has " + std::to_string(img->frames) +
                    " frame(s), numbered from 0)");

    if (rawPath) {
        const std::vector<uint8_t> samples = dx::frameSamplesLittleEndian(*img, int(frame));
        dx::Status written = dx::writeFileBytes(rawPath, samples.data(), samples.size());
        if (!written) return fail(written.error().message);
    }
    if (pngPath) {
        dx::RenderOptions options;
        options.frame = int(frame);
        dx::Result<dx::DisplayImage> shown = dx::renderImage(*img, options);
        if (!shown) return fail(shown.error().message);
        const bool alpha = img->samplesPerPixel == 2 || img->samplesPerPixel == 4;
        const int channels = alpha ? 4 : img->isColour() ? 3 : 1;
        std::vector<uint8_t> packed = packChannels(*shown, channels);
        dx::Result<std::vector<uint8_t>> png =
            dx::encodePng(shown->width, shown->height, channels, packed.data());
        if (!png) return fail(png.error().message);
        dx::Status written = dx::writeFileBytes(pngPath, png->data(), png->size());
        if (!written) return fail(written.error().message);
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 2) return usage(stderr);
    if (!std::strcmp(argv[1], "--version")) return printVersion();
    if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) return usage(stdout);
    if (!std::strcmp(argv[1], "info")) return runInfo(argc, argv);
    if (!std::strcmp(argv[1], "decode")) return runDecode(argc, argv);
    if (!std::strcmp(argv[1], "analyze")) return dx::runAnalyzeCommand(argc - 2, argv + 2);
    if (!std::strcmp(argv[1], "merge")) return dx::runMergeCommand(argc - 2, argv + 2);
    std::fprintf(stderr, "dxlens: unknown command '%s' (try dxlens --help)\n", argv[1]);
    return 2;
}
