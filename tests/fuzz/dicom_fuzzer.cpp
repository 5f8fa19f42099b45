// dicom_fuzzer.cpp — libFuzzer target for the DICOM parser and pixel decoder (RLE, JPEG, deflate included).
//
// How to use (clang, configured with the native-asan preset, which builds it):
//   build/native-asan/bin/dx_fuzz_dicom -max_total_time=60 NEW_CORPUS_DIR tests/fuzz/corpus/dicom
// CTest runs exactly that for 60 s (test native-asan:fuzz_dicom). A crash, leak, sanitizer report or a
// decode slower than -timeout fails the run and leaves the input as crash-*/timeout-* in the working folder.
#include "core/dicom/dicom_image.h"
#include "core/dicom/dicom_parser.h"
#include "core/image/render.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    dx::DecodeLimits limits;
    limits.maxDecodedBytes = 64u << 20; // inputs may describe huge images; stay inside libFuzzer's RSS limit
    dx::Result<dx::DicomFile> file = dx::parseDicom(std::span<const uint8_t>(data, size), limits);
    if (!file) return 0;
    dx::Result<dx::Image> img = dx::decodeDicomImage(*file, limits);
    if (!img) return 0;
    dx::Result<dx::DisplayImage> shown = dx::renderImage(*img); // the renderer must accept whatever decoded
    (void)shown;
    return 0;
}
