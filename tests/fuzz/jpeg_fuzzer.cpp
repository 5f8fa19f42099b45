// jpeg_fuzzer.cpp — libFuzzer target for our own JPEG decoder (jpeg_decoder.h: extended 8/12-bit DCT and
// lossless) on bare codestreams, so mutations reach the marker parser and entropy decoder directly instead of
// being spent on the DICOM wrapper (the dicom target covers the wrapped path).
//
// How to use (clang, configured with the native-asan preset, which builds it):
//   build/native-asan/bin/dx_fuzz_jpeg -max_total_time=60 NEW_CORPUS_DIR tests/fuzz/corpus/jpeg
#include "core/codecs/jpeg_decoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    dx::DecodeLimits limits;
    limits.maxDecodedBytes = 64u << 20; // inputs may describe huge images; stay inside libFuzzer's RSS limit
    dx::Result<dx::JpegImage> img = dx::decodeJpeg(std::span<const uint8_t>(data, size), limits);
    if (!img) return 0;
    // A decoded image must be exactly as large as it says: callers index samples with these numbers.
    const size_t expected = size_t(img->width) * size_t(img->height) * size_t(img->components);
    if (img->samples.size() != expected || img->width <= 0 || img->height <= 0) std::abort();
    return 0;
}
