// dicom_dataset.cpp — value accessors of a parsed DICOM file (see dicom_dataset.h).
#include "core/dicom/dicom_dataset.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace dx {

const DicomElement* DicomDataset::find(uint32_t tag) const {
    for (const DicomElement& e : elements)
        if (e.tag == tag) return &e;
    return nullptr;
}

std::span<const uint8_t> DicomFile::value(const DicomElement& e) const {
    if (e.length == kDicomUndefinedLength) return {};
    return bytes.subspan(e.valueOffset, e.length);
}

uint16_t DicomFile::readU16(size_t offset) const {
    const uint8_t* p = bytes.data() + offset;
    return bigEndian ? uint16_t((p[0] << 8) | p[1]) : uint16_t(p[0] | (p[1] << 8));
}

uint32_t DicomFile::readU32(size_t offset) const {
    const uint8_t* p = bytes.data() + offset;
    if (bigEndian) return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    return p[0] | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

static std::string trimmed(std::span<const uint8_t> v) {
    size_t begin = 0, end = v.size();
    while (begin < end && (v[begin] == ' ' || v[begin] == 0))
        begin++;
    while (end > begin && (v[end - 1] == ' ' || v[end - 1] == 0))
        end--;
    return std::string(reinterpret_cast<const char*>(v.data()) + begin, end - begin);
}

std::string DicomFile::string(const DicomDataset& ds, uint32_t tag) const {
    const DicomElement* e = ds.find(tag);
    return e ? trimmed(value(*e)) : std::string();
}

// Splits a backslash-separated text value and parses each part as a number (strtod: DS and IS both fit).
static std::vector<double> parseNumberList(const std::string& text) {
    std::vector<double> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\\', start);
        if (end == std::string::npos) end = text.size();
        std::string part = text.substr(start, end - start);
        const char* begin = part.c_str();
        while (*begin == ' ')
            begin++;
        char* stop = nullptr;
        double v = std::strtod(begin, &stop);
        while (*stop == ' ')
            stop++;
        if (*stop != 0) stop = const_cast<char*>(begin); // "1A" is not a number: reject the whole value part
        if (stop != begin && std::isfinite(v)) out.push_back(v); // "nan"/"inf" are not DICOM numbers
        start = end + 1;
    }
    return out;
}

std::vector<double> DicomFile::numbers(const DicomDataset& ds, uint32_t tag) const {
    const DicomElement* e = ds.find(tag);
    if (!e) return {};
    std::span<const uint8_t> v = value(*e);
    std::vector<double> out;
    switch (e->vr) {
    case dicomVR("US"):
    case dicomVR("SS"):
        for (size_t i = 0; i + 2 <= v.size(); i += 2) {
            uint16_t raw = readU16(e->valueOffset + i);
            out.push_back(e->vr == dicomVR("SS") ? double(int16_t(raw)) : double(raw));
        }
        return out;
    case dicomVR("UL"):
    case dicomVR("SL"):
        for (size_t i = 0; i + 4 <= v.size(); i += 4) {
            uint32_t raw = readU32(e->valueOffset + i);
            out.push_back(e->vr == dicomVR("SL") ? double(int32_t(raw)) : double(raw));
        }
        return out;
    case dicomVR("FL"):
        for (size_t i = 0; i + 4 <= v.size(); i += 4) {
            uint32_t raw = readU32(e->valueOffset + i);
            float f;
            std::memcpy(&f, &raw, 4);
            out.push_back(f);
        }
        return out;
    case dicomVR("FD"):
        for (size_t i = 0; i + 8 <= v.size(); i += 8) {
            uint64_t hi = readU32(e->valueOffset + i + (bigEndian ? 0 : 4));
            uint64_t lo = readU32(e->valueOffset + i + (bigEndian ? 4 : 0));
            uint64_t raw = (hi << 32) | lo;
            double d;
            std::memcpy(&d, &raw, 8);
            out.push_back(d);
        }
        return out;
    case dicomVR("UN"):
    case dicomVR("OB"):
    case dicomVR("OW"):
        // A binary attribute the writer labelled UN/OB: read it as the unsigned short it nearly always is.
        if (v.size() == 2) out.push_back(readU16(e->valueOffset));
        if (v.size() == 4) out.push_back(readU32(e->valueOffset));
        return out;
    default:
        return parseNumberList(trimmed(v));
    }
}

std::optional<int64_t> DicomFile::integer(const DicomDataset& ds, uint32_t tag) const {
    std::vector<double> values = numbers(ds, tag);
    if (values.empty()) return std::nullopt;
    double v = values[0];
    if (!(v >= -2147483648.0 && v <= 4294967295.0)) return std::nullopt; // also rejects NaN
    return int64_t(v);
}

} // namespace dx
