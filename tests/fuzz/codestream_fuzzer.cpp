// codestream_fuzzer.cpp — libFuzzer target for the JPEG-LS (CharLS) and JPEG 2000 (OpenJPEG) frame wrappers,
// fed bare codestreams so mutations reach the codecs without first having to keep a DICOM file valid.
//
// How to use (clang, configured with the native-asan preset, which builds it and the codecs with ASan/UBSan):
//   build/native-asan/bin/dx_fuzz_codestream -max_total_time=60 NEW_CORPUS_DIR tests/fuzz/corpus/codestream
// Input: a 6-byte header, then the codestream. Header: codec (even: JPEG-LS, odd: JPEG 2000), samples per
// pixel (3, else 1), bytes per sample (1, else 2), columns (u16 little endian, < 512) and rows (u8), i.e.
// what a DICOM header would claim; make_seed_corpus.py writes the seeds. The layout is kept small so each run
// stays fast.
#include "core/codecs/dicom_j2k.h"
#include "core/codecs/dicom_jpegls.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 6) return 0;
    dx::CodestreamLayout layout;
    layout.samplesPerPixel = data[1] % 4 == 3 ? 3 : 1;
    layout.bytesPerSample = data[2] % 2 ? 1 : 2;
    layout.columns = std::max(1, (data[3] | data[4] << 8) % 512);
    layout.rows = std::max(1, int(data[5]));
    std::vector<uint8_t> frame(layout.frameBytes());
    std::span<const uint8_t> codestream(data + 6, size - 6);
    if (data[0] % 2 == 0)
        (void)dx::decodeJpegLsFrame(codestream, layout, frame);
    else
        (void)dx::decodeJ2kFrame(codestream, layout, frame);
    return 0;
}
