// dicom_image.cpp — see dicom_image.h.
//
// The pipeline per frame: get the frame's stored bytes (native: a slice of Pixel Data; RLE: decoded into
// little-endian interleaved bytes; JPEG baseline: decoded by stb_image; JPEG extended and lossless: by our
// own jpeg_decoder.h), convert them to the output sample type with masking and sign extension
// (storedToSamples), make samples interleaved, then convert colour (YBR -> RGB, palette -> RGB). Sizes are
// checked against the Pixel Data and against DecodeLimits before any allocation.
#include "core/dicom/dicom_image.h"

#include "core/codecs/dicom_j2k.h"
#include "core/codecs/dicom_jpegls.h"
#include "core/codecs/dicom_rle.h"
#include "core/codecs/jpeg_decoder.h"
#include "core/codecs/raster_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace dx {

struct PixelModule {
    int rows = 0, columns = 0, samplesPerPixel = 1;
    int bitsAllocated = 0, bitsStored = 0, highBit = 0;
    bool isSigned = false;
    int planarConfiguration = 0;
    int64_t frames = 1;
    std::string photometric;

    size_t pixelsPerFrame() const { return size_t(rows) * size_t(columns); }
    bool isYbrFull422() const { return photometric == "YBR_FULL_422"; }
    bool isYbr() const { return photometric == "YBR_FULL" || photometric == "YBR_FULL_422"; }
    bool isPalette() const { return photometric == "PALETTE COLOR"; }
    // JPEG 2000 only: the codestream's MCT holds the colour transform, which the decoder undoes.
    bool isJ2kYbr() const { return photometric == "YBR_ICT" || photometric == "YBR_RCT"; }
};

// A header value quoted in a message: a corrupt file may hold any bytes there, so those outside printable
// ASCII are written as \xNN and a long value is cut, keeping the message readable and valid UTF-8 (these
// values are ASCII in any valid file: code strings and UIDs).
static std::string headerText(const std::string& value) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < value.size() && i < 64; i++) {
        const unsigned char c = static_cast<unsigned char>(value[i]);
        if (c >= 0x20 && c < 0x7f)
            out += char(c);
        else
            out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    }
    return value.size() > 64 ? out + "..." : out;
}

static std::string tagName(uint32_t tag) {
    const DicomAttribute* a = findDicomAttribute(tag);
    return std::string(a ? a->keyword : "attribute") + " " + dicomTagText(tag);
}

// --- attributes ------------------------------------------------------------------------------------------

static Result<int64_t> requiredInteger(const DicomFile& f, uint32_t tag) {
    if (!f.dataset.find(tag))
        return Error("This DICOM file has Pixel Data but no " + tagName(tag) +
                     ", which is required to read it.");
    std::optional<int64_t> v = f.integer(f.dataset, tag);
    if (!v)
        return Error("The value '" + f.string(f.dataset, tag) + "' of " + tagName(tag) + " is not a number.");
    return *v;
}

static Result<int64_t> optionalInteger(const DicomFile& f, uint32_t tag, int64_t fallback) {
    if (!f.dataset.find(tag) || f.value(*f.dataset.find(tag)).empty()) return fallback;
    std::optional<int64_t> v = f.integer(f.dataset, tag);
    if (!v)
        return Error("The value '" + f.string(f.dataset, tag) + "' of " + tagName(tag) + " is not a number.");
    return *v;
}

static Result<PixelModule> readPixelModule(const DicomFile& f) {
    PixelModule pm;
    Result<int64_t> rows = requiredInteger(f, DicomTag::Rows);
    if (!rows) return rows.error();
    Result<int64_t> columns = requiredInteger(f, DicomTag::Columns);
    if (!columns) return columns.error();
    Result<int64_t> bitsAllocated = requiredInteger(f, DicomTag::BitsAllocated);
    if (!bitsAllocated) return bitsAllocated.error();
    Result<int64_t> spp = optionalInteger(f, DicomTag::SamplesPerPixel, 1);
    if (!spp) return spp.error();
    Result<int64_t> bitsStored = optionalInteger(f, DicomTag::BitsStored, *bitsAllocated);
    if (!bitsStored) return bitsStored.error();
    Result<int64_t> highBit = optionalInteger(f, DicomTag::HighBit, *bitsStored - 1);
    if (!highBit) return highBit.error();
    Result<int64_t> representation = optionalInteger(f, DicomTag::PixelRepresentation, 0);
    if (!representation) return representation.error();
    Result<int64_t> planar = optionalInteger(f, DicomTag::PlanarConfiguration, 0);
    if (!planar) return planar.error();
    Result<int64_t> frames = optionalInteger(f, DicomTag::NumberOfFrames, 1);
    if (!frames) return frames.error();

    if (*rows <= 0 || *rows > 65535 || *columns <= 0 || *columns > 65535)
        return Error("The image size in the DICOM header is invalid: Rows " + std::to_string(*rows) +
                     ", Columns " + std::to_string(*columns) + ".");
    if (*spp != 1 && *spp != 3)
        return Error("Samples per Pixel is " + std::to_string(*spp) +
                     "; only 1 (grey) and 3 (colour) are supported.");
    if (*bitsAllocated != 1 && *bitsAllocated != 8 && *bitsAllocated != 16 && *bitsAllocated != 32)
        return Error("Bits Allocated is " + std::to_string(*bitsAllocated) +
                     "; only 1, 8, 16 and 32 are supported.");
    if (*bitsStored < 1 || *bitsStored > *bitsAllocated)
        return Error("Bits Stored (" + std::to_string(*bitsStored) +
                     ") must be between 1 and Bits Allocated (" + std::to_string(*bitsAllocated) + ").");
    if (*frames < 0 || *frames > INT32_MAX)
        return Error("Number of Frames is " + std::to_string(*frames) +
                     ", which is not a valid frame count.");

    pm.rows = int(*rows);
    pm.columns = int(*columns);
    pm.samplesPerPixel = int(*spp);
    pm.bitsAllocated = int(*bitsAllocated);
    pm.bitsStored = int(*bitsStored);
    // Readers disagree on a High Bit that does not fit; the common case (High Bit = Bits Stored - 1) wins.
    pm.highBit =
        (*highBit >= *bitsStored - 1 && *highBit < *bitsAllocated) ? int(*highBit) : pm.bitsStored - 1;
    pm.isSigned = *representation == 1;
    pm.planarConfiguration = *planar == 1 ? 1 : 0;
    pm.frames = *frames == 0 ? 1 : *frames; // 0 frames is written by some devices for single images
    pm.photometric = f.string(f.dataset, DicomTag::PhotometricInterpretation);
    if (pm.photometric.empty()) pm.photometric = pm.samplesPerPixel == 3 ? "RGB" : "MONOCHROME2";
    return pm;
}

// Text for the UI: kept when it is valid UTF-8 (ASCII included); otherwise read as ISO 8859-1, the most
// common single-byte character set in DICOM (ISO_IR 100), so the UI and JSON always get valid UTF-8.
static bool isValidUtf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        uint8_t c = uint8_t(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
        if (extra < 0 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) return false;
        for (int k = 1; k <= extra; k++)
            if ((uint8_t(s[i + k]) & 0xc0) != 0x80) return false;
        i += size_t(extra) + 1;
    }
    return true;
}

static std::string toDisplayText(const std::string& raw) {
    if (isValidUtf8(raw)) return raw;
    std::string out;
    for (char ch : raw) {
        uint8_t c = uint8_t(ch);
        if (c < 0x80) {
            out += char(c);
        } else {
            out += char(0xc0 | (c >> 6));
            out += char(0x80 | (c & 0x3f));
        }
    }
    return out;
}

static std::vector<std::string> splitValues(const std::string& text) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        size_t end = text.find('\\', start);
        std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        while (!part.empty() && part.back() == ' ')
            part.pop_back();
        while (!part.empty() && part.front() == ' ')
            part.erase(part.begin());
        parts.push_back(part);
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

static void readDisplayAttributes(const DicomFile& f, const PixelModule& pm, Image& img) {
    const DicomDataset& ds = f.dataset;
    std::vector<double> slope = f.numbers(ds, DicomTag::RescaleSlope);
    std::vector<double> intercept = f.numbers(ds, DicomTag::RescaleIntercept);
    img.rescaleSlope = slope.empty() ? 1.0 : slope[0];
    img.rescaleIntercept = intercept.empty() ? 0.0 : intercept[0];
    img.rescaleUnit = f.string(ds, DicomTag::RescaleType);
    if (img.rescaleUnit.empty() && f.string(ds, DicomTag::Modality) == "CT" && !slope.empty())
        img.rescaleUnit = "HU";

    std::vector<double> centers = f.numbers(ds, DicomTag::WindowCenter);
    std::vector<double> widths = f.numbers(ds, DicomTag::WindowWidth);
    std::vector<std::string> explanations = splitValues(f.string(ds, DicomTag::WindowCenterWidthExplanation));
    for (size_t i = 0; i < std::min(centers.size(), widths.size()); i++) {
        // PS3.3 C.11.2.1.2: Window Width >= 1. Some writers store 0 (or junk) meaning "no window"; taken
        // literally it shows an all-white image, so such a window is skipped and the viewer's own applies.
        if (!(widths[i] >= 1.0) || !std::isfinite(centers[i])) continue;
        WindowPreset w;
        w.center = centers[i];
        w.width = widths[i];
        w.explanation = i < explanations.size() && !explanations[i].empty()
                            ? toDisplayText(explanations[i])
                            : "file window " + std::to_string(i + 1);
        img.windows.push_back(w);
    }
    const std::string voiFunction = f.string(ds, DicomTag::VOILUTFunction);
    img.voiSigmoid = voiFunction == "SIGMOID";

    std::vector<double> spacing = f.numbers(ds, DicomTag::PixelSpacing);
    if (spacing.size() < 2) spacing = f.numbers(ds, DicomTag::ImagerPixelSpacing);
    if (spacing.size() >= 2 && spacing[0] > 0 && spacing[1] > 0) {
        img.pixelSpacingRow = spacing[0];
        img.pixelSpacingCol = spacing[1];
    }

    img.metadata["format"] = "DICOM";
    img.metadata["TransferSyntaxUID"] = f.transferSyntaxUID;
    img.metadata["TransferSyntax"] = f.transferSyntax->name;
    img.metadata["PhotometricInterpretation"] = pm.photometric;
    img.metadata["SamplesPerPixel"] = std::to_string(pm.samplesPerPixel);
    img.metadata["BitsAllocated"] = std::to_string(pm.bitsAllocated);
    img.metadata["BitsStored"] = std::to_string(pm.bitsStored);
    img.metadata["HighBit"] = std::to_string(pm.highBit);
    img.metadata["PixelRepresentation"] = pm.isSigned ? "1" : "0";
    if (!voiFunction.empty()) img.metadata["VOILUTFunction"] = voiFunction; // LINEAR, LINEAR_EXACT, SIGMOID
    int count = 0;
    const DicomAttribute* attributes = dicomAttributes(&count);
    for (int i = 0; i < count; i++) {
        if (!attributes[i].shownInUI || !ds.find(attributes[i].tag)) continue;
        img.metadata[attributes[i].keyword] = toDisplayText(f.string(ds, attributes[i].tag));
    }
}

// --- stored values -> samples ------------------------------------------------------------------------------

struct SampleBits {
    int bitsAllocated, bitsStored, highBit;
    bool isSigned, bigEndian;
};

template <class Raw> static Raw loadRaw(const uint8_t* p, bool bigEndian) {
    Raw v = 0;
    for (size_t i = 0; i < sizeof(Raw); i++)
        v = Raw(v | (Raw(p[bigEndian ? sizeof(Raw) - 1 - i : i]) << (8 * i)));
    return v;
}

// count stored samples of sizeof(Raw) bytes -> Raw-sized output samples, masked to Bits Stored at High Bit
// and sign-extended when signed. Output is host order (little endian on every target we build for).
template <class Raw>
static void storedToSamples(const uint8_t* in, size_t count, const SampleBits& b, uint8_t* out) {
    const bool fullWidth = b.bitsStored == b.bitsAllocated;
    if (fullWidth && !b.bigEndian) { // the common case, and the one the benchmark measures: a plain copy
        std::memcpy(out, in, count * sizeof(Raw));
        return;
    }
    const int shift = b.highBit + 1 - b.bitsStored;
    const uint64_t mask = b.bitsStored >= 64 ? ~uint64_t(0) : (uint64_t(1) << b.bitsStored) - 1;
    const uint64_t signBit = uint64_t(1) << (b.bitsStored - 1);
    for (size_t i = 0; i < count; i++) {
        uint64_t v = (uint64_t(loadRaw<Raw>(in + i * sizeof(Raw), b.bigEndian)) >> shift) & mask;
        if (b.isSigned && (v & signBit)) v |= ~mask;
        Raw r = Raw(v);
        std::memcpy(out + i * sizeof(Raw), &r, sizeof(Raw));
    }
}

static void convertStored(const uint8_t* in, size_t count, const SampleBits& b, uint8_t* out) {
    switch (b.bitsAllocated) {
    case 8:
        storedToSamples<uint8_t>(in, count, b, out);
        break;
    case 16:
        storedToSamples<uint16_t>(in, count, b, out);
        break;
    case 32:
        storedToSamples<uint32_t>(in, count, b, out);
        break;
    }
}

// Bits Allocated 1: bit i of the Pixel Data (least significant bit of each byte first) is sample i.
static void unpackBits(std::span<const uint8_t> data, size_t firstBit, size_t count, uint8_t* out) {
    for (size_t i = 0; i < count; i++) {
        size_t bit = firstBit + i;
        out[i] = (data[bit >> 3] >> (bit & 7)) & 1;
    }
}

static void interleavePlanes(const uint8_t* planar, size_t pixels, int samples, size_t sampleBytes,
                             uint8_t* out) {
    for (size_t p = 0; p < pixels; p++)
        for (int s = 0; s < samples; s++)
            std::memcpy(out + (p * samples + s) * sampleBytes,
                        planar + (size_t(s) * pixels + p) * sampleBytes, sampleBytes);
}

// YBR_FULL_422 native data: Y1 Y2 Cb Cr for each pair of pixels -> Y Cb Cr per pixel (chroma repeated).
static void expandYbr422(const uint8_t* in, size_t pixels, uint8_t* out) {
    for (size_t p = 0; p < pixels; p++) {
        const uint8_t* pair = in + (p / 2) * 4;
        out[p * 3 + 0] = pair[p & 1];
        out[p * 3 + 1] = pair[2];
        out[p * 3 + 2] = pair[3];
    }
}

// YBR_FULL -> RGB, PS3.3 C.7.6.3.1.2, computed in float and rounded like pydicom's convert_color_space so the
// two agree exactly.
static void ybrToRgb(uint8_t* pixels, size_t count) {
    const float crToR = 1.402f, cbToG = float(-0.114 * 1.772 / 0.587), crToG = float(-0.299 * 1.402 / 0.587);
    const float cbToB = 1.772f;
    for (size_t i = 0; i < count; i++) {
        uint8_t* p = pixels + i * 3;
        float y = p[0], cb = float(p[1]) - 128.0f, cr = float(p[2]) - 128.0f;
        float rgb[3] = {y + cr * crToR, y + cb * cbToG + cr * crToG, y + cb * cbToB};
        for (int c = 0; c < 3; c++)
            p[c] = uint8_t(std::clamp(std::floor(rgb[c] + 0.5f), 0.0f, 255.0f));
    }
}

// --- palette colour ----------------------------------------------------------------------------------------

struct PaletteLut {
    int entries = 0;
    int firstMapped = 0;
    int bits = 8;
    std::vector<uint16_t> values;
};

static Result<PaletteLut> readPaletteLut(const DicomFile& f, uint32_t descriptorTag, uint32_t dataTag,
                                         const char* colour) {
    if (f.dataset.find(DicomTag::SegmentedRedPaletteData))
        return Error("Segmented palette colour lookup tables are not supported yet.");
    std::vector<double> desc = f.numbers(f.dataset, descriptorTag);
    const DicomElement* data = f.dataset.find(dataTag);
    if (desc.size() < 3 || !data)
        return Error(std::string("The ") + colour +
                     " palette lookup table of this PALETTE COLOR image is missing.");
    PaletteLut lut;
    lut.entries = desc[0] == 0 ? 65536 : int(desc[0]);
    lut.firstMapped = int(desc[1]);
    lut.bits = int(desc[2]);
    if (lut.bits != 8 && lut.bits != 16)
        return Error(std::string("The ") + colour + " palette has " + std::to_string(lut.bits) +
                     " bits per entry; only 8 and 16 are valid.");
    std::span<const uint8_t> bytes = f.value(*data);
    lut.values.resize(size_t(lut.entries));
    if (lut.bits == 8 && bytes.size() == size_t(lut.entries)) { // 8-bit entries packed one per byte
        for (int i = 0; i < lut.entries; i++)
            lut.values[size_t(i)] = bytes[size_t(i)];
        return lut;
    }
    if (bytes.size() < size_t(lut.entries) * 2)
        return Error(std::string("The ") + colour + " palette data holds " + std::to_string(bytes.size()) +
                     " bytes but its descriptor announces " + std::to_string(lut.entries) + " entries.");
    for (int i = 0; i < lut.entries; i++) {
        uint16_t v = f.readU16(data->valueOffset + size_t(i) * 2);
        lut.values[size_t(i)] = lut.bits == 8 ? uint16_t(v & 0xff) : v;
    }
    return lut;
}

// Indices (U8 or U16 samples) -> RGB with 8- or 16-bit entries. Indices outside the table clamp to its ends.
static void applyPalette(const uint8_t* indices, size_t pixels, bool sixteenBitIndex,
                         const PaletteLut* luts[3], bool sixteenBitOut, uint8_t* out) {
    for (size_t p = 0; p < pixels; p++) {
        int index = sixteenBitIndex ? int(loadRaw<uint16_t>(indices + p * 2, false)) : int(indices[p]);
        for (int c = 0; c < 3; c++) {
            const PaletteLut& lut = *luts[c];
            int i = std::clamp(index - lut.firstMapped, 0, lut.entries - 1);
            uint16_t v = lut.values[size_t(i)];
            if (sixteenBitOut)
                std::memcpy(out + (p * 3 + c) * 2, &v, 2);
            else
                out[p * 3 + c] = uint8_t(v);
        }
    }
}

// --- encapsulated frames -----------------------------------------------------------------------------------

// A fragment that begins a codestream: JPEG, JPEG-LS (start of image FF D8) or JPEG 2000 (SOC + SIZ markers,
// or a JP2 signature box). The continuation of a split frame is entropy-coded data, which never starts so.
static bool startsCodestream(std::span<const uint8_t> b) {
    static const uint8_t jp2Signature[8] = {0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20};
    return (b.size() >= 2 && b[0] == 0xff && b[1] == 0xd8) ||
           (b.size() >= 4 && b[0] == 0xff && b[1] == 0x4f && b[2] == 0xff && b[3] == 0x51) ||
           (b.size() >= 8 && std::equal(jp2Signature, jp2Signature + 8, b.begin()));
}

// Offsets of an offset table (Basic: 32-bit, Extended: 64-bit, little endian) count from the first byte of
// the first fragment's item header; returns the fragment whose item starts there, or -1.
static int64_t fragmentAtOffset(std::span<const DicomFragment> data, uint64_t offset) {
    const size_t base = data[0].offset - 8;
    for (size_t i = 0; i < data.size(); i++)
        if (data[i].offset - 8 - base == offset) return int64_t(i);
    return -1;
}

// Extended Offset Table (PS3.5 A.4, 7FE0,0001): one fragment per frame at the given offsets.
static Result<std::vector<std::vector<uint8_t>>>
framesFromExtendedOffsets(const DicomFile& f, std::span<const DicomFragment> data, const DicomElement& table,
                          int64_t frames) {
    if (uint64_t(table.length) != uint64_t(frames) * 8)
        return Error("The Extended Offset Table holds " + std::to_string(table.length / 8) + " offsets for " +
                     std::to_string(frames) + " frames.");
    std::vector<std::vector<uint8_t>> out;
    for (int64_t i = 0; i < frames; i++) {
        const uint64_t offset = loadRaw<uint64_t>(f.bytes.data() + table.valueOffset + size_t(i) * 8, false);
        const int64_t at = fragmentAtOffset(data, offset);
        if (at < 0)
            return Error("The Extended Offset Table points frame " + std::to_string(i + 1) + " at byte " +
                         std::to_string(offset) + ", where no fragment starts.");
        std::span<const uint8_t> b = f.bytes.subspan(data[size_t(at)].offset, data[size_t(at)].length);
        out.emplace_back(b.begin(), b.end());
    }
    return out;
}

// The compressed bytes of each frame (PS3.5 A.4). In order: one frame takes every fragment; an Extended
// Offset Table; as many fragments as frames; a Basic Offset Table (a frame may span several fragments);
// otherwise, for codestreams with a recognisable start, each fragment that starts one begins a new frame.
static Result<std::vector<std::vector<uint8_t>>> splitFrames(const DicomFile& f, const DicomElement& px,
                                                             int64_t frames, bool isJpeg) {
    if (px.fragments.size() < 2) return Error("The compressed Pixel Data holds no image fragments.");
    const DicomFragment& offsetTable = px.fragments[0];
    std::span<const DicomFragment> data(px.fragments.data() + 1, px.fragments.size() - 1);
    std::vector<std::vector<uint8_t>> out;
    auto bytesOf = [&](const DicomFragment& fr) { return f.bytes.subspan(fr.offset, fr.length); };
    auto append = [&](std::vector<uint8_t>& to, const DicomFragment& fr) {
        std::span<const uint8_t> b = bytesOf(fr);
        to.insert(to.end(), b.begin(), b.end());
    };
    if (frames == 1) {
        out.emplace_back();
        for (const DicomFragment& fr : data)
            append(out.back(), fr);
        return out;
    }
    const DicomElement* extended = f.dataset.find(DicomTag::ExtendedOffsetTable);
    if (extended && extended->length > 0 && !extended->encapsulated())
        return framesFromExtendedOffsets(f, data, *extended, frames);
    if (int64_t(data.size()) == frames) {
        for (const DicomFragment& fr : data) {
            out.emplace_back();
            append(out.back(), fr);
        }
        return out;
    }
    if (offsetTable.length == uint64_t(frames) * 4) {
        const size_t base = data[0].offset - 8;
        for (int64_t i = 0; i < frames; i++) {
            uint32_t begin = loadRaw<uint32_t>(f.bytes.data() + offsetTable.offset + size_t(i) * 4, false);
            uint32_t end =
                i + 1 < frames
                    ? loadRaw<uint32_t>(f.bytes.data() + offsetTable.offset + size_t(i + 1) * 4, false)
                    : UINT32_MAX;
            if (fragmentAtOffset(data, begin) < 0 || end <= begin)
                return Error("The Basic Offset Table points frame " + std::to_string(i + 1) + " at byte " +
                             std::to_string(begin) + ", where no fragment starts.");
            out.emplace_back();
            for (const DicomFragment& fr : data) {
                size_t at = fr.offset - 8 - base;
                if (at >= begin && at < end) append(out.back(), fr);
            }
        }
        return out;
    }
    if (isJpeg) {
        for (const DicomFragment& fr : data) {
            if (startsCodestream(bytesOf(fr)) || out.empty()) out.emplace_back();
            append(out.back(), fr);
        }
        if (int64_t(out.size()) >= frames) {
            out.resize(size_t(frames));
            return out;
        }
    }
    return Error("The compressed Pixel Data has " + std::to_string(data.size()) + " fragments for " +
                 std::to_string(frames) + " frames and no usable offset table.");
}

// JPEG colour in DICOM: Photometric Interpretation says what the three components are (PS3.5 8.2.1): YBR_*
// means YCbCr (convert to RGB); RGB means RGB unless an Adobe APP14 marker says the encoder transformed it
// (the rule pydicom and DCMTK follow). stb_image decides by its own rule (component ids 'R','G','B', or
// APP14 transform 0 without JFIF), so when the two disagree the frame's markers are patched before decoding:
// component ids in SOF and SOS, and the APP14 transform flag.
struct JpegColourMarkers {
    bool jfif = false;
    int adobeTransform = -1;           // -1: no APP14 marker
    size_t adobeTransformAt = 0;       // offset of the transform byte
    std::vector<size_t> componentIdAt; // offsets of every component id in SOF and SOS headers
    bool threeComponentFrame = false;  // an SOF with exactly 3 components was seen
    bool idsAreRGB = false;
};

static JpegColourMarkers findJpegColourMarkers(std::span<const uint8_t> jpeg) {
    JpegColourMarkers m;
    forEachJpegSegment(jpeg, [&](uint8_t marker, size_t body, size_t length) {
        if (length < 2 || body - 2 + length > jpeg.size()) return false;
        if (marker == 0xe0 && length >= 7 && std::memcmp(&jpeg[body], "JFIF", 5) == 0) m.jfif = true;
        if (marker == 0xee && length >= 14 && std::memcmp(&jpeg[body], "Adobe", 5) == 0) {
            m.adobeTransform = jpeg[body + 11];
            m.adobeTransformAt = body + 11;
        }
        if (marker >= 0xc0 && marker <= 0xc2 && length >= 8 + 9 && jpeg[body + 5] == 3) {
            m.threeComponentFrame = true;
            for (size_t c = 0; c < 3; c++)
                m.componentIdAt.push_back(body + 6 + 3 * c);
            m.idsAreRGB = jpeg[body + 6] == 'R' && jpeg[body + 9] == 'G' && jpeg[body + 12] == 'B';
        }
        if (marker == 0xda && length >= 3) {
            const size_t count = jpeg[body];
            for (size_t c = 0; c < count && 3 + 2 * c < length; c++)
                m.componentIdAt.push_back(body + 1 + 2 * c);
        }
        return true;
    });
    return m;
}

static void matchJpegColourToPhotometric(std::vector<uint8_t>& jpeg, const std::string& photometric) {
    JpegColourMarkers m = findJpegColourMarkers(jpeg);
    // Only a 3-component frame is recoloured; a stream whose only component ids come from SOS headers (found
    // by the fuzzer) has fewer than three to read.
    if (!m.threeComponentFrame || m.componentIdAt.size() < 3) return;
    const bool wantTransform = photometric != "RGB" || (m.adobeTransform > 0);
    const bool stbTransforms = !(m.idsAreRGB || (m.adobeTransform == 0 && !m.jfif));
    if (wantTransform == stbTransforms) return;
    // Component ids are remapped consistently in SOF and SOS: 'R','G','B' marks RGB for stb, 1,2,3 YCbCr.
    std::vector<uint8_t> oldIds;
    for (size_t i = 0; i < 3; i++)
        oldIds.push_back(jpeg[m.componentIdAt[i]]);
    const uint8_t rgbIds[3] = {'R', 'G', 'B'}, ycbcrIds[3] = {1, 2, 3};
    for (size_t at : m.componentIdAt) {
        for (size_t c = 0; c < 3; c++) {
            if (jpeg[at] == oldIds[c]) {
                jpeg[at] = wantTransform ? ycbcrIds[c] : rgbIds[c];
                break;
            }
        }
    }
    if (wantTransform && m.adobeTransform == 0) jpeg[m.adobeTransformAt] = 1;
}

// --- the decoder -------------------------------------------------------------------------------------------

// Each method writes one frame's samples, interleaved, in the stored sample type, to `out`
// (pixelsPerFrame * samplesPerPixel samples); `scratch` is reused between frames.
struct FrameDecoder {
    const DicomFile& file;
    const PixelModule& pm;
    const DicomElement& pixelData;
    SampleBits bits;
    size_t storedSamplesPerFrame; // samples as stored (YBR_FULL_422 native: 2 per pixel)
    std::vector<uint8_t> scratch;
    bool frameIsRgb = false; // the codec already turned the frame's YBR samples into RGB

    Status nativeFrame(int64_t index, uint8_t* out) {
        std::span<const uint8_t> data = file.value(pixelData);
        const size_t count = storedSamplesPerFrame;
        const size_t sampleBytes = size_t(std::max(1, pm.bitsAllocated / 8));
        const bool ybr422 = pm.isYbrFull422() && pm.bitsAllocated == 8;
        const bool planar = pm.planarConfiguration == 1 && pm.samplesPerPixel > 1 && !ybr422;
        uint8_t* dest = out;
        if (ybr422 || planar) {
            scratch.resize(count * sampleBytes);
            dest = scratch.data();
        }
        if (pm.bitsAllocated == 1)
            unpackBits(data, size_t(index) * count, count, dest);
        else
            convertStored(data.data() + size_t(index) * count * sampleBytes, count, bits, dest);
        if (ybr422) expandYbr422(dest, pm.pixelsPerFrame(), out);
        if (planar) interleavePlanes(dest, pm.pixelsPerFrame(), pm.samplesPerPixel, sampleBytes, out);
        return {};
    }

    Status rleFrame(std::span<const uint8_t> compressed, uint8_t* out) {
        if (pm.bitsAllocated == 1) return Error("RLE Lossless with Bits Allocated 1 is not supported.");
        const size_t sampleBytes = size_t(pm.bitsAllocated / 8);
        const size_t count = pm.pixelsPerFrame() * size_t(pm.samplesPerPixel);
        scratch.assign(count * sampleBytes, 0);
        Status st =
            decodeRleFrame(compressed, pm.pixelsPerFrame(), pm.samplesPerPixel, int(sampleBytes), scratch);
        if (!st) return st;
        SampleBits littleEndian = bits;
        littleEndian.bigEndian = false; // decodeRleFrame writes little endian
        convertStored(scratch.data(), count, littleEndian, out);
        return {};
    }

    Status jpegFrame(std::vector<uint8_t>& compressed, const DecodeLimits& limits, uint8_t* out) {
        if (pm.bitsAllocated != 8)
            return Error("JPEG Baseline frames must have Bits Allocated 8, this file says " +
                         std::to_string(pm.bitsAllocated) + ".");
        if (pm.samplesPerPixel == 3) matchJpegColourToPhotometric(compressed, pm.photometric);
        RasterOptions options;
        options.applyExifOrientation = false;
        Result<Image> img = decodeRaster(compressed, RasterFormat::Jpeg, limits, options);
        if (!img) return img.error();
        if (img->width != pm.columns || img->height != pm.rows || img->samplesPerPixel != pm.samplesPerPixel)
            return Error("A JPEG frame is " + std::to_string(img->width) + "x" + std::to_string(img->height) +
                         " with " + std::to_string(img->samplesPerPixel) +
                         " samples, but the DICOM header says " + std::to_string(pm.columns) + "x" +
                         std::to_string(pm.rows) + " with " + std::to_string(pm.samplesPerPixel) + ".");
        std::memcpy(out, img->pixels.data(), img->pixels.size());
        if (pm.bitsStored < 8) { // mask like native data (JPEG baseline is always 8-bit, so rarely needed)
            SampleBits b = bits;
            b.bigEndian = false;
            convertStored(out, img->pixels.size(), b, out);
        }
        return {};
    }

    // JPEG Extended and Lossless through our own decoder (jpeg_decoder.h). Components come out as coded:
    // YBR_* is converted to RGB by the caller, like native data; RGB stays RGB unless an Adobe APP14 marker
    // says the encoder transformed it (the rule of frames decoded by stb_image above).
    Status t81Frame(std::span<const uint8_t> compressed, const DecodeLimits& limits, uint8_t* out) {
        Result<JpegImage> jpeg = decodeJpeg(compressed, limits);
        if (!jpeg) return jpeg.error();
        if (jpeg->width != pm.columns || jpeg->height != pm.rows || jpeg->components != pm.samplesPerPixel)
            return Error("A JPEG frame is " + std::to_string(jpeg->width) + "x" +
                         std::to_string(jpeg->height) + " with " + std::to_string(jpeg->components) +
                         " samples, but the DICOM header says " + std::to_string(pm.columns) + "x" +
                         std::to_string(pm.rows) + " with " + std::to_string(pm.samplesPerPixel) + ".");
        if (jpeg->precision > pm.bitsAllocated || pm.bitsAllocated > 16)
            return Error("A JPEG frame has " + std::to_string(jpeg->precision) +
                         " bits per sample, which does not fit the file's Bits Allocated " +
                         std::to_string(pm.bitsAllocated) + ".");
        const std::vector<uint16_t>& samples = jpeg->samples;
        if (pm.bitsAllocated == 8)
            std::transform(samples.begin(), samples.end(), out, [](uint16_t v) { return uint8_t(v); });
        else
            std::memcpy(out, samples.data(), samples.size() * 2); // little-endian host, like every output
        if (pm.bitsStored < pm.bitsAllocated) {
            SampleBits b = bits;
            b.bigEndian = false;
            convertStored(out, samples.size(), b, out);
        }
        if (pm.photometric == "RGB" && pm.bitsAllocated == 8 && !jpeg->lossless && jpeg->adobeTransform > 0)
            ybrToRgb(out, pm.pixelsPerFrame());
        return {};
    }

    // JPEG-LS and JPEG 2000: the codec writes little-endian samples, then they are masked like native data.
    Status codestreamFrame(PixelCodec codec, std::span<const uint8_t> compressed, uint8_t* out) {
        if (pm.bitsAllocated % 8 != 0)
            return Error("Compressed frames with Bits Allocated " + std::to_string(pm.bitsAllocated) +
                         " are not supported.");
        const CodestreamLayout layout{pm.columns, pm.rows, pm.samplesPerPixel, pm.bitsAllocated / 8};
        scratch.assign(layout.frameBytes(), 0);
        SampleBits littleEndian = bits;
        littleEndian.bigEndian = false;
        if (codec == PixelCodec::JpegLs) {
            Status st = decodeJpegLsFrame(compressed, layout, scratch);
            if (!st) return st;
        } else {
            Result<J2kFrameInfo> info = decodeJ2kFrame(compressed, layout, scratch);
            if (!info) return info.error();
            frameIsRgb = info->colourTransformUndone;
        }
        convertStored(scratch.data(), layout.samples(), littleEndian, out);
        return {};
    }
};

static SampleType outputSampleType(const PixelModule& pm) {
    switch (pm.bitsAllocated) {
    case 1:
        return SampleType::U8;
    case 8:
        return pm.isSigned ? SampleType::I8 : SampleType::U8;
    case 16:
        return pm.isSigned ? SampleType::I16 : SampleType::U16;
    default:
        return pm.isSigned ? SampleType::I32 : SampleType::U32;
    }
}

static Status checkNativeLength(const DicomFile& f, const DicomElement& px, const PixelModule& pm,
                                size_t storedSamplesPerFrame) {
    const uint64_t bitsNeeded =
        uint64_t(storedSamplesPerFrame) * uint64_t(pm.bitsAllocated) * uint64_t(pm.frames);
    const uint64_t bytesNeeded = (bitsNeeded + 7) / 8;
    if (px.length < bytesNeeded)
        return Error("The Pixel Data at byte " + std::to_string(px.headerOffset) + " holds " +
                     std::to_string(px.length) + " bytes, but " + std::to_string(pm.frames) +
                     " frame(s) of " + std::to_string(pm.columns) + "x" + std::to_string(pm.rows) + "x" +
                     std::to_string(pm.samplesPerPixel) + " samples of " + std::to_string(pm.bitsAllocated) +
                     " bits need " + std::to_string(bytesNeeded) +
                     " (the file is truncated or its header is wrong).");
    return {};
}

Result<Image> decodeDicomImage(const DicomFile& f, const DecodeLimits& limits, bool headerOnly) {
    const DicomElement* px = f.dataset.find(DicomTag::PixelData);
    if (!px) {
        std::string sopClass = f.string(f.dataset, DicomTag::SOPClassUID);
        return Error("This DICOM file holds no image (it has no Pixel Data element" +
                     (sopClass.empty() ? std::string(")") : "; SOP Class " + headerText(sopClass) + ")") +
                     ".");
    }
    Result<PixelModule> module = readPixelModule(f);
    if (!module) return module.error();
    const PixelModule& pm = *module;

    Image img;
    img.width = pm.columns;
    img.height = pm.rows;
    img.frames = int(pm.frames);
    img.samplesPerPixel = pm.isPalette() ? 3 : pm.samplesPerPixel;
    img.sampleType = outputSampleType(pm);
    img.bitsStored = pm.bitsStored;
    img.photometric = pm.photometric == "MONOCHROME1"             ? Photometric::Monochrome1
                      : pm.samplesPerPixel == 3 || pm.isPalette() ? Photometric::RGB
                                                                  : Photometric::Monochrome2;
    readDisplayAttributes(f, pm, img);

    // Palette images: the output sample type follows the lookup table, not the indices.
    PaletteLut palette[3];
    const PaletteLut* luts[3] = {&palette[0], &palette[1], &palette[2]};
    if (pm.isPalette()) {
        const uint32_t descriptors[3] = {DicomTag::RedPaletteDescriptor, DicomTag::GreenPaletteDescriptor,
                                         DicomTag::BluePaletteDescriptor};
        const uint32_t data[3] = {DicomTag::RedPaletteData, DicomTag::GreenPaletteData,
                                  DicomTag::BluePaletteData};
        const char* names[3] = {"red", "green", "blue"};
        for (int c = 0; c < 3; c++) {
            Result<PaletteLut> lut = readPaletteLut(f, descriptors[c], data[c], names[c]);
            if (!lut) return lut.error();
            palette[c] = std::move(*lut);
        }
        if (pm.bitsAllocated != 8 && pm.bitsAllocated != 16)
            return Error("PALETTE COLOR indices must be 8 or 16 bits, this file has " +
                         std::to_string(pm.bitsAllocated) + ".");
        img.sampleType = palette[0].bits == 16 ? SampleType::U16 : SampleType::U8;
        img.bitsStored = palette[0].bits;
    }

    if (headerOnly) return img; // the attributes are readable even when the pixels are not
    const PixelCodec codec = f.transferSyntax->codec;
    if (codec == PixelCodec::Unsupported)
        return Error("Unsupported transfer syntax " + headerText(f.transferSyntaxUID) + " (" +
                     f.transferSyntax->name + "): DxLens cannot decode these pixels yet.");
    if (pm.photometric != "MONOCHROME1" && pm.photometric != "MONOCHROME2" && pm.photometric != "RGB" &&
        !pm.isYbr() && !pm.isPalette() && !(pm.isJ2kYbr() && codec == PixelCodec::Jpeg2000))
        return Error("Photometric Interpretation '" + headerText(pm.photometric) + "' is not supported.");
    if ((pm.samplesPerPixel == 3) != (pm.photometric == "RGB" || pm.isYbr() || pm.isJ2kYbr()))
        return Error("Photometric Interpretation '" + headerText(pm.photometric) +
                     "' does not match Samples per Pixel " + std::to_string(pm.samplesPerPixel) + ".");
    if (pm.isYbr() && pm.bitsAllocated != 8)
        return Error("YBR colour with " + std::to_string(pm.bitsAllocated) +
                     " bits per sample is not supported.");
    if (px->encapsulated() != (codec != PixelCodec::Native))
        return Error(std::string("The Pixel Data is ") +
                     (px->encapsulated() ? "compressed (encapsulated)" : "not compressed") +
                     " but the transfer syntax " + f.transferSyntaxUID + " says otherwise.");

    const size_t storedSamplesPerFrame = pm.isYbrFull422() && codec == PixelCodec::Native
                                             ? pm.pixelsPerFrame() * 2
                                             : pm.pixelsPerFrame() * size_t(pm.samplesPerPixel);
    if (codec == PixelCodec::Native) {
        Status st = checkNativeLength(f, *px, pm, storedSamplesPerFrame);
        if (!st) return st.error();
    }

    const uint64_t frameBytes = uint64_t(img.samplesPerFrame()) * bytesPerSample(img.sampleType);
    if (uint64_t(pm.frames) > limits.maxDecodedBytes / frameBytes)
        return Error("The image is " + std::to_string(pm.columns) + "x" + std::to_string(pm.rows) + " with " +
                     std::to_string(pm.frames) + " frame(s), which needs " +
                     std::to_string(double(frameBytes) * double(pm.frames) / 1048576.0) +
                     " MiB decoded, more than the limit of " + std::to_string(limits.maxDecodedBytes >> 20) +
                     " MiB.");

    std::vector<std::vector<uint8_t>> compressedFrames;
    if (codec != PixelCodec::Native) {
        Result<std::vector<std::vector<uint8_t>>> frames =
            splitFrames(f, *px, pm.frames, codec != PixelCodec::Rle);
        if (!frames) return frames.error();
        compressedFrames = std::move(*frames);
    }

    FrameDecoder decoder{f,
                         pm,
                         *px,
                         {pm.bitsAllocated, pm.bitsStored, pm.highBit, pm.isSigned, f.bigEndian},
                         storedSamplesPerFrame,
                         {}};
    img.pixels.resize(size_t(frameBytes) * size_t(pm.frames));
    std::vector<uint8_t> indices; // palette images: the frame's indices before the lookup
    if (pm.isPalette()) indices.resize(pm.pixelsPerFrame() * size_t(pm.bitsAllocated / 8));
    for (int64_t i = 0; i < pm.frames; i++) {
        uint8_t* out = img.frameData(int(i));
        uint8_t* target = pm.isPalette() ? indices.data() : out;
        Status st = codec == PixelCodec::Native ? decoder.nativeFrame(i, target)
                    : codec == PixelCodec::Rle  ? decoder.rleFrame(compressedFrames[size_t(i)], target)
                    : codec == PixelCodec::JpegBaseline
                        ? decoder.jpegFrame(compressedFrames[size_t(i)], limits, target)
                    : codec == PixelCodec::JpegLs || codec == PixelCodec::Jpeg2000
                        ? decoder.codestreamFrame(codec, compressedFrames[size_t(i)], target)
                        : decoder.t81Frame(compressedFrames[size_t(i)], limits, target);
        if (!st) return Error("Frame " + std::to_string(i + 1) + ": " + st.error().message);
        if (pm.isPalette())
            applyPalette(indices.data(), pm.pixelsPerFrame(), pm.bitsAllocated == 16, luts,
                         img.sampleType == SampleType::U16, out);
        else if (pm.isYbr() && codec != PixelCodec::JpegBaseline && !decoder.frameIsRgb) // stb/MCT give RGB
            ybrToRgb(out, pm.pixelsPerFrame());
    }
    return img;
}

} // namespace dx
