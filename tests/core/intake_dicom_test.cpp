// intake_dicom_test.cpp — DICOM parsing and pixel decoding on small files built byte by byte
// (intake_test_util.h): the cases pydicom's test files do not cover (masking at High Bit, palette colour,
// planar configuration, nesting, limits, bare data sets, deflated data cut short or damaged) with values worked
// out by hand.
#include "core/codecs/inflate.h"
#include "core/dicom/dicom_parser.h"
#include "core/dicom/modality_lut.h"
#include "core/image/image_info.h"
#include "core/image/render.h"
#include "core/intake/image_decoder.h"
#include "tests/core/intake_test_util.h"

#include <catch2/catch.hpp>

using dx::DicomTag::BitsAllocated;
using dx::DicomTag::PixelData;

static dx::Image decodeOk(const std::vector<uint8_t>& file) {
    dx::Result<dx::Image> img = dx::decodeImage(file);
    INFO((img ? std::string("ok") : img.error().message));
    REQUIRE(img.ok());
    return *img;
}

TEST_CASE("Bits Stored is masked at High Bit and signed samples are sign-extended") {
    // 12 bits stored in bits 0..11, signed: 0xF801 has garbage above bit 11; 0x0801 is -2047 in 12 bits.
    DicomBuilder b = greyImage(16, 12, 11, 1);
    b.raw(PixelData, "OW", samples16({0xF801, 0x07FF, 0x0000, 0x0FFF}));
    dx::Image img = decodeOk(b.build());
    CHECK(img.sampleType == dx::SampleType::I16);
    CHECK(img.sample(0, 0, 0, 0) == -2047.0f);
    CHECK(img.sample(0, 1, 0, 0) == 2047.0f);
    CHECK(img.sample(0, 0, 1, 0) == 0.0f);
    CHECK(img.sample(0, 1, 1, 0) == -1.0f);

    // Unsigned 12 bits stored in the high bits (High Bit 15): values are shifted down.
    DicomBuilder high = greyImage(16, 12, 15, 0);
    high.raw(PixelData, "OW", samples16({0xFFF0, 0x0010, 0x800F, 0x0000}));
    dx::Image shifted = decodeOk(high.build());
    CHECK(shifted.sample(0, 0, 0, 0) == 4095.0f);
    CHECK(shifted.sample(0, 1, 0, 0) == 1.0f);
    CHECK(shifted.sample(0, 0, 1, 0) == 2048.0f);
}

TEST_CASE("Bits Allocated 1 unpacks least significant bit first across frames") {
    DicomBuilder b = greyImage(1, 1, 0, 0);
    b.text(dx::DicomTag::NumberOfFrames, "IS", "2");
    b.raw(PixelData, "OB", {0b10100110, 0}); // frame 0: 0,1,1,0  frame 1: 0,1,0,1
    dx::Image img = decodeOk(b.build());
    REQUIRE(img.frames == 2);
    std::vector<uint8_t> frame0 = dx::frameSamplesLittleEndian(img, 0),
                         frame1 = dx::frameSamplesLittleEndian(img, 1);
    CHECK(frame0 == std::vector<uint8_t>{0, 1, 1, 0});
    CHECK(frame1 == std::vector<uint8_t>{0, 1, 0, 1});
    CHECK(dx::imageInfoJson(img)["bits_allocated"] == 1);
}

TEST_CASE("Planar configuration 1 comes out interleaved") {
    DicomBuilder b;
    b.us(dx::DicomTag::SamplesPerPixel, 3).text(dx::DicomTag::PhotometricInterpretation, "CS", "RGB");
    b.us(dx::DicomTag::PlanarConfiguration, 1).us(dx::DicomTag::Rows, 1).us(dx::DicomTag::Columns, 2);
    b.us(BitsAllocated, 8).us(dx::DicomTag::BitsStored, 8).us(dx::DicomTag::HighBit, 7);
    b.raw(PixelData, "OB", {1, 2, 10, 20, 100, 200}); // R plane, G plane, B plane
    dx::Image img = decodeOk(b.build());
    CHECK(dx::frameSamplesLittleEndian(img, 0) == std::vector<uint8_t>{1, 10, 100, 2, 20, 200});
}

TEST_CASE("PALETTE COLOR indices go through the red, green and blue lookup tables") {
    DicomBuilder b;
    b.us(dx::DicomTag::SamplesPerPixel, 1)
        .text(dx::DicomTag::PhotometricInterpretation, "CS", "PALETTE COLOR");
    b.us(dx::DicomTag::Rows, 1).us(dx::DicomTag::Columns, 4);
    b.us(BitsAllocated, 8).us(dx::DicomTag::BitsStored, 8).us(dx::DicomTag::HighBit, 7);
    // 3 entries, first mapped value 10, 16 bits per entry; index 9 clamps to entry 0, 200 to the last entry.
    b.raw(dx::DicomTag::RedPaletteDescriptor, "US", samples16({3, 10, 16}));
    b.raw(dx::DicomTag::GreenPaletteDescriptor, "US", samples16({3, 10, 16}));
    b.raw(dx::DicomTag::BluePaletteDescriptor, "US", samples16({3, 10, 16}));
    b.raw(dx::DicomTag::RedPaletteData, "OW", samples16({0, 1000, 65535}));
    b.raw(dx::DicomTag::GreenPaletteData, "OW", samples16({5, 6, 7}));
    b.raw(dx::DicomTag::BluePaletteData, "OW", samples16({65535, 0, 1}));
    b.raw(PixelData, "OB", {10, 11, 9, 200});
    dx::Image img = decodeOk(b.build());
    REQUIRE(img.samplesPerPixel == 3);
    REQUIRE(img.sampleType == dx::SampleType::U16);
    CHECK(img.sample(0, 0, 0, 0) == 0.0f);
    CHECK(img.sample(0, 0, 0, 2) == 65535.0f);
    CHECK(img.sample(0, 1, 0, 0) == 1000.0f);
    CHECK(img.sample(0, 1, 0, 1) == 6.0f);
    CHECK(img.sample(0, 2, 0, 0) == 0.0f);     // below the first mapped value: entry 0
    CHECK(img.sample(0, 3, 0, 0) == 65535.0f); // above the table: last entry
    CHECK(dx::imageInfoJson(img)["photometric"] == "PALETTE COLOR");
}

TEST_CASE("YBR_FULL_422 uncompressed is expanded and converted to RGB") {
    DicomBuilder b;
    b.us(dx::DicomTag::SamplesPerPixel, 3)
        .text(dx::DicomTag::PhotometricInterpretation, "CS", "YBR_FULL_422");
    b.us(dx::DicomTag::Rows, 1).us(dx::DicomTag::Columns, 2);
    b.us(BitsAllocated, 8).us(dx::DicomTag::BitsStored, 8).us(dx::DicomTag::HighBit, 7);
    b.raw(PixelData, "OB", {76, 150, 85, 255}); // Y1 Y2 Cb Cr: pure red-ish chroma shared by both pixels
    dx::Image img = decodeOk(b.build());
    REQUIRE(img.photometric == dx::Photometric::RGB);
    // R = Y + 1.402 (Cr - 128) = 76 + 178.05 -> 254; G = 76 - 0.344136*(85-128) - 0.714136*127 -> 0 (clamped)
    CHECK(img.sample(0, 0, 0, 0) == 254.0f);
    CHECK(img.sample(0, 0, 0, 1) == 0.0f);
    CHECK(img.sample(0, 1, 0, 0) == 255.0f); // Y 150 saturates red
}

TEST_CASE("Sequences of defined and undefined length, item delimiters and private tags are skipped safely") {
    using P = DicomBuilder;
    std::vector<uint8_t> seq;
    // (0008,1140) SQ undefined length { item undefined length { (0008,1150) UI "1.2" ; nested SQ defined
    // length { item defined length { (0010,0010) PN "X" } } } delimiter } delimiter
    P::header(seq, 0x00081140, "SQ", 0xffffffff, false);
    P::put16(seq, 0xfffe), P::put16(seq, 0xe000), P::put32(seq, 0xffffffff);
    P::header(seq, 0x00081150, "UI", 4, false);
    seq.insert(seq.end(), {'1', '.', '2', 0});
    std::vector<uint8_t> inner;
    P::header(inner, 0x00100010, "PN", 2, false);
    inner.insert(inner.end(), {'X', ' '});
    P::header(seq, 0x00082112, "SQ", uint32_t(8 + inner.size()), false);
    P::put16(seq, 0xfffe), P::put16(seq, 0xe000), P::put32(seq, uint32_t(inner.size()));
    seq.insert(seq.end(), inner.begin(), inner.end());
    P::put16(seq, 0xfffe), P::put16(seq, 0xe00d), P::put32(seq, 0); // item delimiter
    P::put16(seq, 0xfffe), P::put16(seq, 0xe0dd), P::put32(seq, 0); // sequence delimiter

    DicomBuilder b = greyImage(8, 8, 7, 0);
    b.bytes(seq);
    b.text(0x00290010, "LO", "PRIVATE CREATOR")
        .raw(0x00291010, "OB", {1, 2, 3, 4}); // private tags, odd group
    b.text(dx::DicomTag::Modality, "CS", "CR");
    b.raw(PixelData, "OB", {1, 2, 3, 4});
    std::vector<uint8_t> bytes = b.build();
    dx::Result<dx::DicomFile> file = dx::parseDicom(bytes);
    REQUIRE(file.ok());
    const dx::DicomElement* sq = file->dataset.find(0x00081140);
    REQUIRE(sq);
    REQUIRE(sq->items.size() == 1);
    CHECK(file->string(sq->items[0], 0x00081150) == "1.2");
    const dx::DicomElement* nested = sq->items[0].find(0x00082112);
    REQUIRE(nested);
    REQUIRE(nested->items.size() == 1);
    CHECK(file->string(nested->items[0], 0x00100010) == "X");
    CHECK(file->string(file->dataset, dx::DicomTag::Modality) == "CR"); // parsing went on after the sequence
    CHECK(dx::decodeImage(bytes)->metadata.at("Modality") == "CR");
}

TEST_CASE("A bare implicit VR data set without preamble or meta header is recognised by content") {
    DicomBuilder bare;
    bare.implicitVR = true;
    bare.withPreamble = false;
    bare.text(dx::DicomTag::Modality, "CS", "MR").us(dx::DicomTag::SamplesPerPixel, 1);
    bare.us(dx::DicomTag::Rows, 1).us(dx::DicomTag::Columns, 3).us(BitsAllocated, 8);
    bare.raw(PixelData, "OB", {7, 8, 9, 0});
    std::vector<uint8_t> bytes = bare.build();
    CHECK(dx::detectImageFormat(bytes) == dx::ImageFormat::Dicom);
    dx::Image img = decodeOk(bytes);
    CHECK(img.width == 3);
    CHECK(dx::frameSamplesLittleEndian(img, 0) == std::vector<uint8_t>{7, 8, 9});
    CHECK(img.metadata.at("TransferSyntaxUID") == "1.2.840.10008.1.2");
}

TEST_CASE("Limits are checked before allocating and nesting depth is bounded") {
    DicomBuilder big = greyImage(16, 16, 15, 0);
    big.dataset.clear();
    big.us(dx::DicomTag::Rows, 65535).us(dx::DicomTag::Columns, 65535).us(BitsAllocated, 16);
    big.text(dx::DicomTag::NumberOfFrames, "IS", "1000");
    big.transferSyntax = "1.2.840.10008.1.2.5"; // RLE: the Pixel Data size does not bound the frame count
    std::vector<uint8_t> pixelItems;
    DicomBuilder::header(pixelItems, PixelData, "OB", 0xffffffff, false);
    for (int i = 0; i < 2; i++) {
        DicomBuilder::put16(pixelItems, 0xfffe), DicomBuilder::put16(pixelItems, 0xe000);
        DicomBuilder::put32(pixelItems, 0);
    }
    DicomBuilder::put16(pixelItems, 0xfffe), DicomBuilder::put16(pixelItems, 0xe0dd),
        DicomBuilder::put32(pixelItems, 0);
    big.bytes(pixelItems);
    dx::Result<dx::Image> refused = dx::decodeImage(big.build());
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("limit"));

    dx::DecodeLimits tight;
    tight.maxDecodedBytes = 4;
    DicomBuilder small = greyImage(16, 16, 15, 0);
    small.raw(PixelData, "OW", samples16({1, 2, 3, 4}));
    CHECK_FALSE(dx::decodeImage(small.build(), tight).ok()); // 8 bytes > 4
    CHECK(dx::decodeImage(small.build()).ok());

    // 40 nested sequences of undefined length
    std::vector<uint8_t> deep;
    for (int i = 0; i < 40; i++) {
        DicomBuilder::header(deep, 0x00081140, "SQ", 0xffffffff, false);
        DicomBuilder::put16(deep, 0xfffe), DicomBuilder::put16(deep, 0xe000),
            DicomBuilder::put32(deep, 0xffffffff);
    }
    DicomBuilder nested = greyImage(8, 8, 7, 0);
    nested.bytes(deep);
    dx::Result<dx::DicomFile> parsed = dx::parseDicom(nested.build());
    REQUIRE_FALSE(parsed.ok());
    CHECK_THAT(parsed.error().message, Catch::Contains("nested more than 32"));
}

TEST_CASE("Unsupported transfer syntaxes give a clear error but their attributes stay readable") {
    DicomBuilder b = greyImage(16, 16, 15, 0);
    b.transferSyntax = "1.2.840.10008.1.2.4.100"; // video: DxLens decodes still images only
    std::vector<uint8_t> px;
    DicomBuilder::header(px, PixelData, "OB", 0xffffffff, false);
    DicomBuilder::put16(px, 0xfffe), DicomBuilder::put16(px, 0xe000), DicomBuilder::put32(px, 0);
    DicomBuilder::put16(px, 0xfffe), DicomBuilder::put16(px, 0xe000), DicomBuilder::put32(px, 2);
    px.insert(px.end(), {0xff, 0xd8});
    DicomBuilder::put16(px, 0xfffe), DicomBuilder::put16(px, 0xe0dd), DicomBuilder::put32(px, 0);
    b.bytes(px);
    std::vector<uint8_t> bytes = b.build();
    dx::Result<dx::Image> img = dx::decodeImage(bytes);
    REQUIRE_FALSE(img.ok());
    CHECK(img.error().message == "Unsupported transfer syntax 1.2.840.10008.1.2.4.100 (MPEG2 Main Profile / "
                                 "Main Level): DxLens cannot decode these pixels yet.");
    dx::Result<dx::Image> header = dx::readImageHeader(bytes);
    REQUIRE(header.ok());
    CHECK(dx::imageInfoJson(*header)["transfer_syntax"] == "1.2.840.10008.1.2.4.100");
}

TEST_CASE("Truncated files report the element and the byte offset") {
    DicomBuilder b = greyImage(8, 8, 7, 0);
    b.text(dx::DicomTag::Modality, "CS", "CT");
    std::vector<uint8_t> bytes = b.build();
    bytes.resize(bytes.size() - 1); // cut the Modality value short
    dx::Result<dx::DicomFile> file = dx::parseDicom(bytes);
    REQUIRE_FALSE(file.ok());
    CHECK_THAT(file.error().message, Catch::Contains("(0008,0060)") && Catch::Contains("at byte"));
}

TEST_CASE("Identifying attributes are marked for masking") {
    CHECK(dx::isIdentifyingAttribute("PatientName"));
    CHECK(dx::isIdentifyingAttribute("PatientID"));
    CHECK(dx::isIdentifyingAttribute("InstitutionName"));
    CHECK(dx::isIdentifyingAttribute("StudyDate"));
    CHECK_FALSE(dx::isIdentifyingAttribute("Modality"));
    CHECK_FALSE(dx::isIdentifyingAttribute("BodyPartExamined"));
    CHECK_FALSE(dx::isIdentifyingAttribute("PatientSex"));
}

TEST_CASE("A stored window of width 0 is skipped, so the image is not shown all white") {
    DicomBuilder b = greyImage(16, 16, 15, 0);
    b.text(dx::DicomTag::WindowCenter, "DS", "0\\40").text(dx::DicomTag::WindowWidth, "DS", "0\\400");
    b.raw(PixelData, "OW", samples16({1024, 0, 2000, 1064}));
    dx::Image img = decodeOk(b.build());
    REQUIRE(img.windows.size() == 1); // the valid second window stays; the 0/0 one is gone
    CHECK(img.windows[0].width == 400.0);
}

TEST_CASE("Rendering applies the modality LUT, the window, MONOCHROME1 inversion and sigmoid VOI") {
    DicomBuilder b = greyImage(16, 16, 15, 0);
    b.text(dx::DicomTag::Modality, "CS", "CT");
    b.text(dx::DicomTag::RescaleIntercept, "DS", "-1024").text(dx::DicomTag::RescaleSlope, "DS", "1");
    b.text(dx::DicomTag::WindowCenter, "DS", "40\\300").text(dx::DicomTag::WindowWidth, "DS", "400\\1500");
    b.raw(PixelData, "OW", samples16({1024, 0, 2000, 1064})); // HU 0, -1024, 976, 40
    dx::Image img = decodeOk(b.build());
    REQUIRE(img.windows.size() == 2);
    CHECK(img.windows[1].center == 300.0);
    CHECK(img.rescaleUnit == "HU");
    dx::Result<dx::DisplayImage> shown = dx::renderImage(img);
    REQUIRE(shown.ok());
    // PS3.3 C.11.2.1.2: ((0 - 39.5) / 399 + 0.5) * 255 = 102.25 -> 102
    CHECK(shown->rgba[0] == 102);
    CHECK(shown->rgba[4] == 0);
    CHECK(shown->rgba[8] == 255);
    CHECK(shown->rgba[12] == 128); // HU 40 at the centre: ((40 - 39.5) / 399 + 0.5) * 255 = 127.8
    CHECK(shown->rgba[3] == 255);

    img.photometric = dx::Photometric::Monochrome1;
    CHECK(dx::renderImage(img)->rgba[0] == 255 - 102);
    img.photometric = dx::Photometric::Monochrome2;
    img.voiSigmoid = true;
    CHECK(dx::renderImage(img)->rgba[12] == 128); // sigmoid at the centre: 255 / 2
    img.voiSigmoid = false;
    img.metadata["VOILUTFunction"] = "LINEAR_EXACT";
    CHECK(dx::renderImage(img)->rgba[0] == 102);  // ((0 - 40) / 400 + 0.5) * 255 = 102.0
    CHECK(dx::renderImage(img)->rgba[12] == 128); // 127.5 rounds up
}

TEST_CASE("The modality LUT turns CT stored values into float Hounsfield units") {
    DicomBuilder b = greyImage(16, 12, 11, 0);
    b.text(dx::DicomTag::RescaleIntercept, "DS", "-1024").text(dx::DicomTag::RescaleSlope, "DS", "0.5");
    b.raw(PixelData, "OW", samples16({0, 2048, 4095, 1}));
    dx::Image img = decodeOk(b.build());
    dx::Result<dx::Image> hu = dx::applyModalityLut(img);
    REQUIRE(hu.ok());
    CHECK(hu->sampleType == dx::SampleType::F32);
    CHECK(hu->rescaleSlope == 1.0);
    CHECK(hu->rescaleIntercept == 0.0);
    CHECK(hu->sample(0, 0, 0, 0) == -1024.0f);
    CHECK(hu->sample(0, 1, 0, 0) == 0.0f);
    CHECK(hu->sample(0, 0, 1, 0) == 1023.5f);
    CHECK(hu->sample(0, 1, 1, 0) == -1023.5f);
    // Rendering the float image gives the same picture as rendering the stored values.
    CHECK(dx::renderImage(*hu)->rgba == dx::renderImage(img)->rgba);
    dx::DecodeLimits tight;
    tight.maxDecodedBytes = 15; // 4 samples x 4 bytes
    CHECK_FALSE(dx::applyModalityLut(img, tight).ok());
}

// Writes DEFLATE streams bit by bit (RFC 1951): stored and fixed-Huffman blocks, enough to state every byte the
// inflate tests feed in. Streams with dynamic-Huffman blocks come from zlib in the golden tests.
struct DeflateWriter {
    std::vector<uint8_t> out;
    uint32_t pending = 0; // bits not yet a whole byte, first bit lowest
    int pendingCount = 0;

    void bits(uint32_t value, int count) { // header fields and extra bits: least significant bit first
        for (int i = 0; i < count; i++) {
            pending |= ((value >> i) & 1u) << pendingCount;
            if (++pendingCount == 8) {
                out.push_back(uint8_t(pending));
                pending = 0;
                pendingCount = 0;
            }
        }
    }
    void code(uint32_t value, int length) { // Huffman codes: most significant bit first
        for (int i = length - 1; i >= 0; i--)
            bits((value >> i) & 1u, 1);
    }
    void stored(const std::vector<uint8_t>& data, bool final) {
        bits(final, 1);
        bits(0, 2);
        if (pendingCount) bits(0, 8 - pendingCount);
        DicomBuilder::put16(out, uint32_t(data.size()));
        DicomBuilder::put16(out, ~uint32_t(data.size()) & 0xffff);
        out.insert(out.end(), data.begin(), data.end());
    }
    void fixedBlock(bool final) {
        bits(final, 1);
        bits(1, 2);
    }
    void symbol(int s) { // fixed literal/length code (RFC 1951 3.2.6)
        if (s < 144)
            code(0x30 + s, 8);
        else if (s < 256)
            code(0x190 + (s - 144), 9);
        else if (s < 280)
            code(s - 256, 7);
        else
            code(0xc0 + (s - 280), 8);
    }
    void literals(const std::string& text) {
        for (char c : text)
            symbol(uint8_t(c));
    }
    void match(int length, int distance) { // 3..258, 1..32768
        static const int lengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                           31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
        static const int lengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                            2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        static const int distBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                         33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
        int l = 28;
        while (lengthBase[l] > length)
            l--;
        symbol(257 + l);
        bits(uint32_t(length - lengthBase[l]), lengthExtra[l]);
        int d = 29;
        while (distBase[d] > distance)
            d--;
        code(uint32_t(d), 5);
        bits(uint32_t(distance - distBase[d]), d < 4 ? 0 : d / 2 - 1);
    }
    std::vector<uint8_t> finish() {
        if (pendingCount) bits(0, 8 - pendingCount);
        return out;
    }
};

static const std::string kCutShort = "The compressed (deflated) data ends before its final block.";
static const std::string kDamaged =
    "The compressed (deflated) data is damaged: it contains invalid codes, or part of it is missing.";

static std::string inflateMessage(const std::vector<uint8_t>& stream, size_t limit = size_t(1) << 30) {
    dx::Result<std::vector<uint8_t>> out = dx::inflateRaw(stream, limit);
    return out ? std::string("ok") : out.error().message;
}

TEST_CASE("inflate: stored and fixed-Huffman blocks, with bytes after the final block ignored") {
    DeflateWriter w;
    w.stored({'D', 'I', 'C', 'M', '-'}, false);
    w.fixedBlock(true);
    w.literals("abc");
    w.match(7, 3); // overlapping copy: abcabca
    w.symbol(256);
    std::vector<uint8_t> stream = w.finish();
    const std::string expected = "DICM-abcabcabca";
    dx::Result<std::vector<uint8_t>> out = dx::inflateRaw(stream, 1000);
    REQUIRE(out.ok());
    CHECK(std::string(out->begin(), out->end()) == expected);

    stream.insert(stream.end(), {0x00, 0xff, 0x07}); // DICOM's even-length padding, or anything else
    out = dx::inflateRaw(stream, 1000);
    REQUIRE(out.ok());
    CHECK(std::string(out->begin(), out->end()) == expected);

    DeflateWriter empty; // one final block holding only its end code
    empty.fixedBlock(true);
    empty.symbol(256);
    out = dx::inflateRaw(empty.finish(), 0);
    REQUIRE(out.ok());
    CHECK(out->empty());
}

TEST_CASE("inflate: the output grows to whatever size the data needs, up to the limit and not beyond") {
    // 'x' then 8000 copies of 258 bytes at distance 1: 2 MB out of 13 KB, far beyond the first guess of 4x.
    DeflateWriter w;
    w.fixedBlock(true);
    w.literals("x");
    for (int i = 0; i < 8000; i++)
        w.match(258, 1);
    w.symbol(256);
    const std::vector<uint8_t> stream = w.finish();
    const size_t size = 1 + 8000 * 258;
    dx::Result<std::vector<uint8_t>> out = dx::inflateRaw(stream, size);
    REQUIRE(out.ok());
    CHECK(out->size() == size);
    CHECK(std::count(out->begin(), out->end(), 'x') == std::ptrdiff_t(size));
    CHECK(inflateMessage(stream, size - 1) == "The deflated data expands beyond the limit of " +
                                                  std::to_string(size - 1) +
                                                  " bytes; refusing to decompress it.");
    CHECK(inflateMessage(stream, 0) ==
          "The deflated data expands beyond the limit of 0 bytes; refusing to decompress it.");
}

TEST_CASE("inflate: data cut short is told apart from damaged data") {
    // Fixed-Huffman data cut anywhere, even inside the last byte's end code, is cut short.
    DeflateWriter fixed;
    fixed.fixedBlock(true);
    fixed.literals("The quick brown fox jumps over the lazy dog. ");
    fixed.match(45, 45);
    fixed.literals("DICOM");
    fixed.symbol(256);
    const std::vector<uint8_t> fixedStream = fixed.finish();
    for (size_t n = 0; n < fixedStream.size(); n++) {
        INFO("cut to " << n << " of " << fixedStream.size() << " bytes");
        CHECK(inflateMessage({fixedStream.begin(), fixedStream.begin() + std::ptrdiff_t(n)}) == kCutShort);
    }

    // Stored data cut inside a block's bytes is cut short; cut inside its length fields (which no padding can
    // complete) it may only be reported as damaged, and that message allows for missing data.
    std::vector<uint8_t> text(300, 'a');
    DeflateWriter stored;
    stored.stored(text, false);
    stored.stored(text, true);
    const std::vector<uint8_t> storedStream = stored.finish();
    for (size_t n = 0; n < storedStream.size(); n++) {
        INFO("cut to " << n << " of " << storedStream.size() << " bytes");
        const std::string message =
            inflateMessage({storedStream.begin(), storedStream.begin() + std::ptrdiff_t(n)});
        const bool inLengths = (n >= 1 && n < 5) || (n >= 306 && n < 310);
        if (inLengths)
            CHECK((message == kCutShort || message == kDamaged));
        else
            CHECK(message == kCutShort);
    }

    // Damaged before the end: block type 3, a copy from before the start, a stored length without its complement.
    CHECK(inflateMessage({0x07}) == kDamaged);
    DeflateWriter before;
    before.fixedBlock(true);
    before.literals("ab");
    before.match(3, 3);
    before.symbol(256);
    CHECK(inflateMessage(before.finish()) == kDamaged);
    std::vector<uint8_t> badLength = storedStream;
    badLength[3] ^= 0x01;
    CHECK(inflateMessage(badLength) == kDamaged);
}

TEST_CASE("A Deflated Explicit VR Little Endian data set is inflated, and one cut short says so") {
    DicomBuilder image = greyImage(8, 8, 7, 0);
    image.raw(PixelData, "OB", {10, 20, 30, 40});
    DeflateWriter w;
    w.fixedBlock(true);
    for (uint8_t byte : image.dataset)
        w.symbol(byte);
    w.symbol(256);
    const std::vector<uint8_t> deflated = w.finish();

    DicomBuilder meta; // preamble and meta header only: the data set after them is deflated
    meta.transferSyntax = "1.2.840.10008.1.2.1.99";
    std::vector<uint8_t> file = meta.build();
    const size_t dataSetStart = file.size();
    file.insert(file.end(), deflated.begin(), deflated.end());
    dx::Image img = decodeOk(file);
    CHECK(dx::frameSamplesLittleEndian(img, 0) == std::vector<uint8_t>{10, 20, 30, 40});

    file.resize(file.size() - 3);
    dx::Result<dx::DicomFile> cut = dx::parseDicom(file);
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.error().message == "The deflated DICOM data set starting at byte " +
                                     std::to_string(dataSetStart) + " cannot be decompressed: " + kCutShort);
}
