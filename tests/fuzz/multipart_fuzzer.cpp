// multipart_fuzzer.cpp — libFuzzer target for the DICOMweb answer path: multipart/related framing, the media
// type parameters, and the WADO-RS helpers that turn parts into DICOM files and frames.
//
// How to use (clang, configured with the native-asan preset, which builds it):
//   build/native-asan/bin/dx_fuzz_multipart -max_total_time=60 NEW_CORPUS_DIR tests/fuzz/corpus/multipart
// Input: the response's Content-Type header value, a '\n', then the body (the seeds in tests/fuzz/corpus/multipart
// have that shape). CTest runs this for 60 s (test native-asan:fuzz_multipart). Besides sanitizer reports it
// checks what callers rely on: every part lies inside the body, only a last part can be incomplete, and an
// incomplete part means the body is flagged as truncated.
#include "core/dicomweb/multipart.h"
#include "core/dicomweb/wado.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const void* nl = std::memchr(data, '\n', size);
    size_t headerSize = nl ? size_t(static_cast<const uint8_t*>(nl) - data) : size;
    std::string_view contentType(reinterpret_cast<const char*>(data), headerSize);
    std::span<const uint8_t> body(data + (nl ? headerSize + 1 : size), nl ? size - headerSize - 1 : 0);

    dx::Result<dx::MultipartBody> parsed = dx::parseMultipartBody(contentType, body);
    if (!parsed) return 0;
    const dx::MultipartBody& m = *parsed;
    for (size_t i = 0; i < m.parts.size(); i++) {
        const dx::MultipartPart& p = m.parts[i];
        bool inside = p.data.empty() || (p.data.data() >= body.data() &&
                                         p.data.data() + p.data.size() <= body.data() + body.size());
        if (!inside) std::abort();
        if (!p.data.empty() && p.data.data() != body.data() + p.offset) std::abort();
        if (!p.complete && (i + 1 != m.parts.size() || !m.truncated)) std::abort();
    }
    if (m.truncated && m.warning.empty()) std::abort();
    dx::Result<dx::RetrievedInstances> instances = dx::dicomInstancesFromMultipart(m);
    if (instances)
        for (const dx::RetrievedInstance& inst : instances->instances)
            if (inst.bytes.size() < 132) std::abort();
    dx::Result<dx::RetrievedFrames> frames = dx::framesFromMultipart(m);
    if (frames)
        for (const dx::RetrievedFrame& f : frames->frames)
            if (!f.syntax || f.bytes.empty()) std::abort();
    return 0;
}
