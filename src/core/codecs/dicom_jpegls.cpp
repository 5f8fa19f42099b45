// dicom_jpegls.cpp — see dicom_jpegls.h. Uses CharLS's C API, which reports errors as codes (no exceptions).
#include "core/codecs/dicom_jpegls.h"

#include <charls/charls.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace dx {

namespace {

using DecoderHandle = std::unique_ptr<charls_jpegls_decoder, decltype(&charls_jpegls_decoder_destroy)>;

Error charlsError(const char* step, charls_jpegls_errc code) {
    return Error(std::string("The JPEG-LS frame could not be decoded (") + step +
                 "): " + charls_get_error_message(code));
}

// CharLS writes samples of <= 8 bits as bytes and wider ones as 16-bit host-order (little endian on every
// target we build) values. Copies sample `from` of `decoded` to sample `to` of `out` widened to its size.
void copySample(const uint8_t* decoded, size_t decodedBytes, size_t from, uint8_t* out, size_t outBytes,
                size_t to) {
    uint32_t v = decodedBytes == 1 ? decoded[from] : uint32_t(decoded[from * 2] | decoded[from * 2 + 1] << 8);
    for (size_t b = 0; b < outBytes; b++)
        out[to * outBytes + b] = uint8_t(v >> (8 * b));
}

// The number of components all SOS segments of the stream code together. CharLS 2.4.2 writes each scan after
// the previous one without checking that the scans fit the frame, so extra scans overflow the output buffer
// (found by tests/fuzz/codestream_fuzzer.cpp); a valid frame codes each component exactly once.
// Entropy-coded data is skipped to the next marker: 0xFF followed by a byte >= 0x80 (JPEG-LS bit stuffing).
size_t scannedComponents(std::span<const uint8_t> b) {
    size_t total = 0, at = 2; // after SOI
    while (at + 4 <= b.size()) {
        if (b[at] != 0xff) return total;
        const uint8_t marker = b[at + 1];
        if (marker == 0xff) { // fill byte
            at++;
            continue;
        }
        if (marker == 0xd9) return total;                      // EOI
        const bool restart = marker >= 0xd0 && marker <= 0xd7; // RSTn: no length, the scan goes on
        if (restart) {
            at += 2;
        } else {
            if (marker == 0xda && at + 4 < b.size()) total += b[at + 4];
            at += 2 + (size_t(b[at + 2]) << 8 | b[at + 3]);
            if (marker != 0xda) continue;
        }
        while (at + 1 < b.size() && !(b[at] == 0xff && b[at + 1] >= 0x80 && b[at + 1] != 0xff))
            at++;
    }
    return total;
}

} // namespace

Status decodeJpegLsFrame(std::span<const uint8_t> codestream, const CodestreamLayout& layout,
                         std::span<uint8_t> out) {
    if (codestream.empty()) return Error("The JPEG-LS frame is empty.");
    if (out.size() != layout.frameBytes()) return Error("Internal error: wrong JPEG-LS output buffer size.");
    DecoderHandle decoder(charls_jpegls_decoder_create(), &charls_jpegls_decoder_destroy);
    if (!decoder) return Error("Out of memory creating the JPEG-LS decoder.");
    // CharLS's end_scan() reads a byte past the end of some truncated scans (found by fuzz_codestream under
    // ASan; regression tests/fuzz/regressions/codestream/charls-end-scan-overread.bin). It decodes from a
    // copy with zeroed padding after the codestream, while being told the codestream's exact size.
    std::vector<uint8_t> padded(codestream.size() + 16, 0);
    std::copy(codestream.begin(), codestream.end(), padded.begin());
    charls_jpegls_errc rc =
        charls_jpegls_decoder_set_source_buffer(decoder.get(), padded.data(), codestream.size());
    if (rc == charls_jpegls_errc{}) rc = charls_jpegls_decoder_read_header(decoder.get());
    if (rc != charls_jpegls_errc{}) return charlsError("reading its header", rc);

    charls_frame_info info{};
    charls_interleave_mode interleave{};
    rc = charls_jpegls_decoder_get_frame_info(decoder.get(), &info);
    if (rc == charls_jpegls_errc{})
        rc = charls_jpegls_decoder_get_interleave_mode(decoder.get(), &interleave);
    if (rc != charls_jpegls_errc{}) return charlsError("reading its header", rc);
    // Checked before anything frame-sized is allocated: the codestream must be the frame the DICOM header says.
    if (int64_t(info.width) != layout.columns || int64_t(info.height) != layout.rows ||
        info.component_count != layout.samplesPerPixel || info.bits_per_sample > layout.bytesPerSample * 8)
        return Error("The JPEG-LS codestream is " + std::to_string(info.width) + "x" +
                     std::to_string(info.height) + " with " + std::to_string(info.component_count) +
                     " sample(s) of " + std::to_string(info.bits_per_sample) +
                     " bits, but the DICOM header says " + layout.describe() + ".");

    if (scannedComponents(codestream) != size_t(info.component_count))
        return Error("The JPEG-LS frame's scans code " + std::to_string(scannedComponents(codestream)) +
                     " component(s), but its header declares " + std::to_string(info.component_count) + ".");

    const size_t decodedBytes = info.bits_per_sample <= 8 ? 1 : 2;
    const size_t outBytes = size_t(layout.bytesPerSample);
    const bool planar = interleave == charls_interleave_mode{} && layout.samplesPerPixel > 1;
    const bool direct = decodedBytes == outBytes && !planar; // CharLS's layout is already ours
    std::vector<uint8_t> decoded;
    uint8_t* target = out.data();
    size_t targetSize = out.size();
    if (!direct) {
        decoded.resize(layout.samples() * decodedBytes);
        target = decoded.data();
        targetSize = decoded.size();
    }
    size_t needed = 0;
    rc = charls_jpegls_decoder_get_destination_size(decoder.get(), 0, &needed);
    if (rc != charls_jpegls_errc{}) return charlsError("sizing the frame", rc);
    if (needed != targetSize) return Error("The JPEG-LS frame's decoded size does not match its header.");
    rc = charls_jpegls_decoder_decode_to_buffer(decoder.get(), target, targetSize, 0);
    if (rc != charls_jpegls_errc{}) return charlsError("decoding its scans", rc);
    if (direct) return {};

    // Interleave mode "none" decodes plane by plane; DxLens keeps samples interleaved per pixel.
    const size_t pixels = size_t(layout.columns) * size_t(layout.rows);
    const size_t spp = size_t(layout.samplesPerPixel);
    for (size_t p = 0; p < pixels; p++)
        for (size_t c = 0; c < spp; c++)
            copySample(decoded.data(), decodedBytes, planar ? c * pixels + p : p * spp + c, out.data(),
                       outBytes, p * spp + c);
    return {};
}

} // namespace dx
