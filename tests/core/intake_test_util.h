// intake_test_util.h — builds small DICOM files in memory for the intake tests (explicit or implicit VR
// little endian, optional preamble + meta header), so each test states exactly the bytes it feeds the parser.
//
// How to use:
//   DicomBuilder b;                                   // explicit VR little endian, with preamble and meta
//   b.us(dx::DicomTag::Rows, 2).us(dx::DicomTag::Columns, 2).text(dx::DicomTag::Modality, "CS", "CT");
//   b.raw(dx::DicomTag::PixelData, "OW", pixelBytes);
//   std::vector<uint8_t> file = b.build();
#pragma once

#include "core/dicom/dicom_dictionary.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

struct DicomBuilder {
    std::string transferSyntax = "1.2.840.10008.1.2.1";
    bool implicitVR = false;
    bool withPreamble = true;
    std::vector<uint8_t> dataset;

    static void put16(std::vector<uint8_t>& out, uint32_t v) {
        out.push_back(uint8_t(v));
        out.push_back(uint8_t(v >> 8));
    }
    static void put32(std::vector<uint8_t>& out, uint32_t v) {
        put16(out, v & 0xffff);
        put16(out, v >> 16);
    }
    static void header(std::vector<uint8_t>& out, uint32_t tag, const char* vr, uint32_t length,
                       bool implicit) {
        put16(out, tag >> 16);
        put16(out, tag & 0xffff);
        if (implicit) {
            put32(out, length);
            return;
        }
        out.push_back(uint8_t(vr[0]));
        out.push_back(uint8_t(vr[1]));
        if (dx::hasLongLengthField(dx::DicomVR((vr[0] << 8) | vr[1]))) {
            put16(out, 0);
            put32(out, length);
        } else {
            put16(out, length);
        }
    }
    DicomBuilder& raw(uint32_t tag, const char* vr, const std::vector<uint8_t>& value) {
        header(dataset, tag, vr, uint32_t(value.size()), implicitVR);
        dataset.insert(dataset.end(), value.begin(), value.end());
        return *this;
    }
    DicomBuilder& text(uint32_t tag, const char* vr, std::string value) {
        if (value.size() & 1) value += (std::string(vr) == "UI" ? '\0' : ' ');
        return raw(tag, vr, std::vector<uint8_t>(value.begin(), value.end()));
    }
    DicomBuilder& us(uint32_t tag, uint16_t v) {
        std::vector<uint8_t> b;
        put16(b, v);
        return raw(tag, "US", b);
    }
    // Appends bytes as they are (sequence items, delimiters, deliberately broken data).
    DicomBuilder& bytes(const std::vector<uint8_t>& b) {
        dataset.insert(dataset.end(), b.begin(), b.end());
        return *this;
    }
    std::vector<uint8_t> build() const {
        std::vector<uint8_t> out;
        if (withPreamble) {
            out.assign(128, 0);
            out.insert(out.end(), {'D', 'I', 'C', 'M'});
            std::string ts = transferSyntax;
            if (ts.size() & 1) ts += '\0';
            header(out, dx::DicomTag::TransferSyntaxUID, "UI", uint32_t(ts.size()), false);
            out.insert(out.end(), ts.begin(), ts.end());
        }
        out.insert(out.end(), dataset.begin(), dataset.end());
        return out;
    }
};

// Little-endian bytes of 16-bit samples.
inline std::vector<uint8_t> samples16(const std::vector<uint16_t>& v) {
    std::vector<uint8_t> out;
    for (uint16_t s : v)
        DicomBuilder::put16(out, s);
    return out;
}

// A 2x2 grey image with the given Bits Stored/High Bit/Pixel Representation.
inline DicomBuilder greyImage(uint16_t bitsAllocated, uint16_t bitsStored, uint16_t highBit,
                              uint16_t signedPixels) {
    DicomBuilder b;
    b.us(dx::DicomTag::SamplesPerPixel, 1).text(dx::DicomTag::PhotometricInterpretation, "CS", "MONOCHROME2");
    b.us(dx::DicomTag::Rows, 2).us(dx::DicomTag::Columns, 2);
    b.us(dx::DicomTag::BitsAllocated, bitsAllocated).us(dx::DicomTag::BitsStored, bitsStored);
    b.us(dx::DicomTag::HighBit, highBit).us(dx::DicomTag::PixelRepresentation, signedPixels);
    return b;
}
