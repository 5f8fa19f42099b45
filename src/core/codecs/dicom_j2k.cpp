// dicom_j2k.cpp — see dicom_j2k.h. OpenJPEG reads the fragment through an in-memory stream; its error and
// warning callbacks are collected so a failure says what OpenJPEG found.
#include "core/codecs/dicom_j2k.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace dx {

namespace {

struct MemoryReader {
    std::span<const uint8_t> bytes;
    size_t at = 0;
};

OPJ_SIZE_T readBytes(void* buffer, OPJ_SIZE_T count, void* user) {
    auto* r = static_cast<MemoryReader*>(user);
    if (r->at >= r->bytes.size()) return OPJ_SIZE_T(-1); // OpenJPEG's end-of-stream signal
    const size_t n = std::min<size_t>(count, r->bytes.size() - r->at);
    std::memcpy(buffer, r->bytes.data() + r->at, n);
    r->at += n;
    return n;
}

OPJ_OFF_T skipBytes(OPJ_OFF_T count, void* user) {
    auto* r = static_cast<MemoryReader*>(user);
    if (count < 0 && size_t(-count) > r->at) return -1;
    if (count > 0 && size_t(count) > r->bytes.size() - r->at) count = OPJ_OFF_T(r->bytes.size() - r->at);
    r->at = size_t(OPJ_OFF_T(r->at) + count);
    return count;
}

OPJ_BOOL seekTo(OPJ_OFF_T position, void* user) {
    auto* r = static_cast<MemoryReader*>(user);
    if (position < 0 || uint64_t(position) > r->bytes.size()) return OPJ_FALSE;
    r->at = size_t(position);
    return OPJ_TRUE;
}

void collectMessage(const char* message, void* user) {
    auto* log = static_cast<std::string*>(user);
    std::string line(message ? message : "");
    while (!line.empty() && (line.back() == '\n' || line.back() == ' '))
        line.pop_back();
    if (!log->empty()) *log += "; ";
    *log += line;
}

void ignoreMessage(const char*, void*) {}

struct OpenJpegFrame {
    std::unique_ptr<opj_codec_t, decltype(&opj_destroy_codec)> codec{nullptr, &opj_destroy_codec};
    std::unique_ptr<opj_stream_t, decltype(&opj_stream_destroy)> stream{nullptr, &opj_stream_destroy};
    std::unique_ptr<opj_image_t, decltype(&opj_image_destroy)> image{nullptr, &opj_image_destroy};
    MemoryReader reader;
    std::string log;
};

bool isJp2File(std::span<const uint8_t> b) {
    static const uint8_t signature[12] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a};
    return b.size() >= 12 && std::memcmp(b.data(), signature, 12) == 0;
}

Error openJpegError(const char* step, const OpenJpegFrame& f) {
    return Error(std::string("The JPEG 2000 frame could not be decoded (") + step + ")" +
                 (f.log.empty() ? std::string(".") : ": " + f.log + "."));
}

Status openFrame(std::span<const uint8_t> codestream, OpenJpegFrame& f) {
    f.reader.bytes = codestream;
    f.codec.reset(opj_create_decompress(isJp2File(codestream) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
    f.stream.reset(opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE));
    if (!f.codec || !f.stream) return Error("Out of memory creating the JPEG 2000 decoder.");
    opj_set_error_handler(f.codec.get(), collectMessage, &f.log);
    opj_set_warning_handler(f.codec.get(), ignoreMessage, nullptr);
    opj_set_info_handler(f.codec.get(), ignoreMessage, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(f.codec.get(), &parameters)) return openJpegError("setting up", f);
    opj_stream_set_user_data(f.stream.get(), &f.reader, nullptr);
    opj_stream_set_user_data_length(f.stream.get(), codestream.size());
    opj_stream_set_read_function(f.stream.get(), readBytes);
    opj_stream_set_skip_function(f.stream.get(), skipBytes);
    opj_stream_set_seek_function(f.stream.get(), seekTo);
    opj_image_t* image = nullptr;
    if (!opj_read_header(f.stream.get(), f.codec.get(), &image)) {
        opj_image_destroy(image);
        return openJpegError("reading its header", f);
    }
    f.image.reset(image);
    return {};
}

// The header must describe the frame the DICOM header does, before opj_decode allocates tiles and components.
Status checkHeader(const opj_image_t& image, const CodestreamLayout& layout) {
    const int64_t width = int64_t(image.x1) - int64_t(image.x0),
                  height = int64_t(image.y1) - int64_t(image.y0);
    bool ok =
        width == layout.columns && height == layout.rows && int64_t(image.numcomps) == layout.samplesPerPixel;
    for (OPJ_UINT32 c = 0; ok && c < image.numcomps; c++) {
        const opj_image_comp_t& comp = image.comps[c];
        ok = comp.prec >= 1 && int(comp.prec) <= layout.bytesPerSample * 8 && comp.dx >= 1 && comp.dy >= 1 &&
             comp.dx <= 4 && comp.dy <= 4;
    }
    if (ok) return {};
    return Error("The JPEG 2000 codestream is " + std::to_string(width) + "x" + std::to_string(height) +
                 " with " + std::to_string(image.numcomps) + " component(s) of " +
                 std::to_string(image.numcomps ? image.comps[0].prec : 0) +
                 " bits, but the DICOM header says " + layout.describe() + ".");
}

bool mctApplied(opj_codec_t* codec) {
    opj_codestream_info_v2_t* info = opj_get_cstr_info(codec);
    const bool mct = info && info->m_default_tile_info.mct != 0;
    opj_destroy_cstr_info(&info);
    return mct;
}

// The component sample covering reference-grid position `at` (in [0, size) after clamping corrupt origins).
size_t sampleIndex(OPJ_UINT32 at, OPJ_UINT32 step, OPJ_UINT32 origin, OPJ_UINT32 size) {
    const int64_t i = int64_t(at / step) - int64_t(origin);
    return size_t(std::clamp<int64_t>(i, 0, int64_t(size) - 1));
}

// Writes component `c` into the interleaved output, repeating subsampled samples over their dx x dy block.
Status copyComponent(const opj_image_t& image, OPJ_UINT32 c, const CodestreamLayout& layout,
                     std::span<uint8_t> out) {
    const opj_image_comp_t& comp = image.comps[c];
    if (!comp.data || comp.w == 0 || comp.h == 0)
        return Error("The JPEG 2000 frame decoded without data for component " + std::to_string(c + 1) + ".");
    const size_t spp = size_t(layout.samplesPerPixel), bytes = size_t(layout.bytesPerSample);
    for (int y = 0; y < layout.rows; y++) {
        const size_t sy = sampleIndex(image.y0 + OPJ_UINT32(y), comp.dy, comp.y0, comp.h);
        const OPJ_INT32* row = comp.data + sy * comp.w;
        uint8_t* dest = out.data() + (size_t(y) * size_t(layout.columns) * spp + c) * bytes;
        for (int x = 0; x < layout.columns; x++, dest += spp * bytes) {
            const size_t sx = sampleIndex(image.x0 + OPJ_UINT32(x), comp.dx, comp.x0, comp.w);
            const uint32_t v = uint32_t(row[sx]); // two's complement for signed components
            for (size_t b = 0; b < bytes; b++)
                dest[b] = uint8_t(v >> (8 * b));
        }
    }
    return {};
}

} // namespace

Result<J2kFrameInfo> decodeJ2kFrame(std::span<const uint8_t> codestream, const CodestreamLayout& layout,
                                    std::span<uint8_t> out) {
    if (codestream.empty()) return Error("The JPEG 2000 frame is empty.");
    if (out.size() != layout.frameBytes())
        return Error("Internal error: wrong JPEG 2000 output buffer size.");
    OpenJpegFrame f;
    Status st = openFrame(codestream, f);
    if (!st) return st.error();
    st = checkHeader(*f.image, layout);
    if (!st) return st.error();
    if (!opj_decode(f.codec.get(), f.stream.get(), f.image.get()) ||
        !opj_end_decompress(f.codec.get(), f.stream.get()))
        return openJpegError("decoding its tiles", f);
    for (OPJ_UINT32 c = 0; c < f.image->numcomps; c++) {
        st = copyComponent(*f.image, c, layout, out);
        if (!st) return st.error();
    }
    J2kFrameInfo info;
    info.colourTransformUndone = layout.samplesPerPixel == 3 && mctApplied(f.codec.get());
    info.precision = int(f.image->comps[0].prec);
    info.isSigned = f.image->comps[0].sgnd != 0;
    return info;
}

} // namespace dx
