// dicom_rle.cpp — see dicom_rle.h. The 64-byte RLE header holds the segment count and 15 segment offsets;
// each segment is PackBits: a control byte n >= 0 copies n + 1 literal bytes, -127..-1 repeats the next byte
// 1 - n times, -128 does nothing.
#include "core/codecs/dicom_rle.h"

#include <string>

namespace dx {

static uint32_t loadLE32(const uint8_t* p) {
    return p[0] | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

// Decodes one PackBits segment into every `stride`-th byte of out, starting at out[0]; exactly `count` bytes.
static Status decodePackBits(std::span<const uint8_t> in, uint8_t* out, size_t count, size_t stride,
                             int segment) {
    size_t written = 0, pos = 0;
    while (written < count) {
        if (pos >= in.size())
            return Error("RLE segment " + std::to_string(segment + 1) + " ends after " +
                         std::to_string(written) + " of its " + std::to_string(count) +
                         " bytes (the compressed frame is truncated).");
        int8_t control = int8_t(in[pos++]);
        if (control >= 0) {
            size_t n = size_t(control) + 1;
            if (n > in.size() - pos)
                return Error("RLE segment " + std::to_string(segment + 1) +
                             " has a literal run past its end.");
            if (n > count - written) n = count - written; // tolerate a final run padded beyond the frame
            for (size_t i = 0; i < n; i++)
                out[(written + i) * stride] = in[pos + i];
            pos += size_t(control) + 1;
            written += n;
        } else if (control != -128) {
            if (pos >= in.size())
                return Error("RLE segment " + std::to_string(segment + 1) +
                             " has a repeat run past its end.");
            size_t n = size_t(1 - control);
            if (n > count - written) n = count - written;
            uint8_t value = in[pos++];
            for (size_t i = 0; i < n; i++)
                out[(written + i) * stride] = value;
            written += n;
        }
    }
    return {};
}

Status decodeRleFrame(std::span<const uint8_t> frame, size_t pixelCount, int samplesPerPixel,
                      int bytesPerSample, std::span<uint8_t> out) {
    if (frame.size() < 64) return Error("The RLE frame is shorter than its 64-byte header.");
    const uint32_t segmentCount = loadLE32(frame.data());
    const uint32_t expected = uint32_t(samplesPerPixel * bytesPerSample);
    if (segmentCount != expected)
        return Error("The RLE frame has " + std::to_string(segmentCount) + " segments but " +
                     std::to_string(expected) + " are needed for " + std::to_string(samplesPerPixel) +
                     " samples of " + std::to_string(bytesPerSample * 8) + " bits.");
    if (out.size() < pixelCount * expected) return Error("internal error: RLE output buffer too small");
    for (uint32_t s = 0; s < segmentCount; s++) {
        uint32_t begin = loadLE32(frame.data() + 4 + 4 * s);
        uint32_t end = s + 1 < segmentCount ? loadLE32(frame.data() + 8 + 4 * s) : uint32_t(frame.size());
        if (begin < 64 || begin > end || end > frame.size())
            return Error("RLE segment " + std::to_string(s + 1) + " has an invalid offset (" +
                         std::to_string(begin) + ") in the RLE header.");
        // Segment s holds byte (bytesPerSample - 1 - s % bytesPerSample) of sample s / bytesPerSample.
        const int sample = int(s) / bytesPerSample;
        const int byteInSample = bytesPerSample - 1 - int(s) % bytesPerSample;
        uint8_t* first = out.data() + size_t(sample) * bytesPerSample + byteInSample;
        Status st = decodePackBits(frame.subspan(begin, end - begin), first, pixelCount, expected, int(s));
        if (!st) return st;
    }
    return {};
}

} // namespace dx
