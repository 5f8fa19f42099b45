// dicom_writer.cpp — see dicom_writer.h. Encoding rules from PS3.5 6.2 (VRs, padding), 7.1.2 (explicit VR
// element headers), 7.5 (items and delimiters) and PS3.10 7.1 (preamble and File Meta Information).
#include "core/dicom/dicom_writer.h"

#include "core/base/build_info.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

namespace dx {

const char* const kDxLensImplementationClassUid = "2.25.142436701651480265373631393817421353478";

namespace {

constexpr uint32_t kSopClassUid = 0x00080016;
constexpr uint32_t kSopInstanceUid = 0x00080018;

bool isTextVR(DicomVR vr) {
    switch (vr) {
    case dicomVR("AE"):
    case dicomVR("AS"):
    case dicomVR("CS"):
    case dicomVR("DA"):
    case dicomVR("DS"):
    case dicomVR("DT"):
    case dicomVR("IS"):
    case dicomVR("LO"):
    case dicomVR("LT"):
    case dicomVR("PN"):
    case dicomVR("SH"):
    case dicomVR("ST"):
    case dicomVR("TM"):
    case dicomVR("UC"):
    case dicomVR("UI"):
    case dicomVR("UR"):
    case dicomVR("UT"):
        return true;
    default:
        return false;
    }
}

void putU16(Bytes& out, uint16_t v) {
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
}
void putU32(Bytes& out, uint32_t v) {
    for (int i = 0; i < 4; i++)
        out.push_back(uint8_t(v >> (8 * i)));
}
void putTag(Bytes& out, uint32_t tag) {
    putU16(out, dicomGroup(tag));
    putU16(out, dicomElementNumber(tag));
}
void setU32At(Bytes& out, size_t at, uint32_t v) {
    for (int i = 0; i < 4; i++)
        out[at + i] = uint8_t(v >> (8 * i));
}

Status checkUid(uint32_t tag, const std::string& text) {
    // A multi-valued UI (rare) is checked value by value.
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\\', start);
        if (end == std::string::npos) end = text.size();
        const std::string uid = text.substr(start, end - start);
        if (uid.size() > 64)
            return Error("The UID in " + dicomTagText(tag) + " is " + std::to_string(uid.size()) +
                         " characters long; DICOM allows 64.");
        for (char c : uid)
            if (!(c == '.' || (c >= '0' && c <= '9')))
                return Error("The UID '" + uid + "' in " + dicomTagText(tag) +
                             " contains characters other than digits and dots.");
        start = end + 1;
    }
    return {};
}

struct Writer {
    const DicomWriteOptions& options;
    Bytes out;

    Status element(const DicomWriteElement& e) {
        if (e.vr == dicomVR("SQ")) return sequence(e);
        size_t length = e.value.size();
        const bool pad = length % 2 == 1;
        if (pad) length++;
        if (isTextVR(e.vr) && e.vr == dicomVR("UI")) {
            Status s = checkUid(e.tag, std::string(e.value.begin(), e.value.end()));
            if (!s) return s;
        }
        putTag(out, e.tag);
        out.push_back(uint8_t(e.vr >> 8));
        out.push_back(uint8_t(e.vr & 0xff));
        if (hasLongLengthField(e.vr)) {
            if (length >= kDicomUndefinedLength)
                return Error("The value of " + dicomTagText(e.tag) + " is too large for a DICOM file.");
            putU16(out, 0);
            putU32(out, uint32_t(length));
        } else {
            if (length > 0xfffe)
                return Error("The value of " + dicomTagText(e.tag) + " (" + dicomVRText(e.vr) + ") is " +
                             std::to_string(length) + " bytes long; its VR allows at most 65534.");
            putU16(out, uint16_t(length));
        }
        out.insert(out.end(), e.value.begin(), e.value.end());
        // UI pads with NUL, the other text VRs with a space, binary VRs (OB, UN) with a zero byte.
        if (pad) out.push_back(isTextVR(e.vr) && e.vr != dicomVR("UI") ? uint8_t(' ') : uint8_t(0));
        return {};
    }

    Status sequence(const DicomWriteElement& e) {
        putTag(out, e.tag);
        out.push_back('S');
        out.push_back('Q');
        putU16(out, 0);
        const size_t lengthAt = out.size();
        putU32(out, kDicomUndefinedLength);
        for (const DicomItem& item : e.items) {
            putTag(out, DicomTag::Item);
            const size_t itemLengthAt = out.size();
            putU32(out, kDicomUndefinedLength);
            Status s = dataset(item);
            if (!s) return s;
            if (options.undefinedLengthSequences) {
                putTag(out, DicomTag::ItemDelimitation);
                putU32(out, 0);
            } else {
                const size_t itemLength = out.size() - itemLengthAt - 4;
                if (itemLength >= kDicomUndefinedLength)
                    return Error("An item of " + dicomTagText(e.tag) + " is too large for a DICOM file.");
                setU32At(out, itemLengthAt, uint32_t(itemLength));
            }
        }
        if (options.undefinedLengthSequences) {
            putTag(out, DicomTag::SequenceDelimitation);
            putU32(out, 0);
        } else {
            const size_t length = out.size() - lengthAt - 4;
            if (length >= kDicomUndefinedLength)
                return Error("The sequence " + dicomTagText(e.tag) + " is too large for a DICOM file.");
            setU32At(out, lengthAt, uint32_t(length));
        }
        return {};
    }

    Status dataset(const DicomItem& item) {
        std::vector<const DicomWriteElement*> sorted;
        sorted.reserve(item.elements.size());
        for (const DicomWriteElement& e : item.elements)
            sorted.push_back(&e);
        std::stable_sort(
            sorted.begin(), sorted.end(),
            [](const DicomWriteElement* a, const DicomWriteElement* b) { return a->tag < b->tag; });
        for (const DicomWriteElement* e : sorted) {
            Status s = element(*e);
            if (!s) return s;
        }
        return {};
    }
};

} // namespace

DicomWriteElement& DicomItem::slot(uint32_t tag, DicomVR vr) {
    for (DicomWriteElement& e : elements)
        if (e.tag == tag) {
            e.vr = vr;
            e.value.clear();
            e.items.clear();
            return e;
        }
    elements.push_back({tag, vr, {}, {}});
    return elements.back();
}

DicomItem& DicomItem::setText(uint32_t tag, DicomVR vr, const std::string& text) {
    slot(tag, vr).value.assign(text.begin(), text.end());
    return *this;
}

DicomItem& DicomItem::setText(uint32_t tag, const std::string& text) {
    return setText(tag, dictionaryVR(tag), text);
}

DicomItem& DicomItem::setUS(uint32_t tag, uint16_t value) {
    return setUS(tag, std::span<const uint16_t>(&value, 1));
}

DicomItem& DicomItem::setUS(uint32_t tag, std::span<const uint16_t> values) {
    std::vector<uint8_t>& v = slot(tag, dicomVR("US")).value;
    for (uint16_t x : values)
        putU16(v, x);
    return *this;
}

DicomItem& DicomItem::setUL(uint32_t tag, uint32_t value) {
    return setUL(tag, std::span<const uint32_t>(&value, 1));
}

DicomItem& DicomItem::setUL(uint32_t tag, std::span<const uint32_t> values) {
    std::vector<uint8_t>& v = slot(tag, dicomVR("UL")).value;
    for (uint32_t x : values)
        putU32(v, x);
    return *this;
}

DicomItem& DicomItem::setFD(uint32_t tag, double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    std::vector<uint8_t>& v = slot(tag, dicomVR("FD")).value;
    for (int i = 0; i < 8; i++)
        v.push_back(uint8_t(bits >> (8 * i)));
    return *this;
}

DicomItem& DicomItem::setAT(uint32_t tag, uint32_t attributeTag) {
    std::vector<uint8_t>& v = slot(tag, dicomVR("AT")).value;
    putTag(v, attributeTag);
    return *this;
}

DicomItem& DicomItem::setBytes(uint32_t tag, DicomVR vr, std::vector<uint8_t> bytes) {
    slot(tag, vr).value = std::move(bytes);
    return *this;
}

DicomItem& DicomItem::addItem(uint32_t tag, DicomItem item) {
    for (DicomWriteElement& e : elements)
        if (e.tag == tag && e.vr == dicomVR("SQ")) {
            e.items.push_back(std::move(item));
            return *this;
        }
    slot(tag, dicomVR("SQ")).items.push_back(std::move(item));
    return *this;
}

DicomItem& DicomItem::setEmptySequence(uint32_t tag) {
    slot(tag, dicomVR("SQ"));
    return *this;
}

DicomItem& DicomItem::remove(uint32_t tag) {
    elements.erase(std::remove_if(elements.begin(), elements.end(),
                                  [tag](const DicomWriteElement& e) { return e.tag == tag; }),
                   elements.end());
    return *this;
}

const DicomWriteElement* DicomItem::find(uint32_t tag) const {
    for (const DicomWriteElement& e : elements)
        if (e.tag == tag) return &e;
    return nullptr;
}

std::string DicomItem::text(uint32_t tag) const {
    const DicomWriteElement* e = find(tag);
    if (!e || !isTextVR(e->vr)) return {};
    std::string s(e->value.begin(), e->value.end());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

Result<Bytes> writeDicomDataset(const DicomItem& dataset, const DicomWriteOptions& options) {
    Writer w{options, {}};
    Status s = w.dataset(dataset);
    if (!s) return s.error();
    return std::move(w.out);
}

Result<Bytes> writeDicomFile(const DicomItem& dataset, const DicomWriteOptions& options) {
    const std::string sopClass = dataset.text(kSopClassUid);
    const std::string sopInstance = dataset.text(kSopInstanceUid);
    if (sopClass.empty() || sopInstance.empty())
        return Error("A DICOM file needs a SOP Class UID and a SOP Instance UID; this data set lacks one.");
    std::string versionName = options.implementationVersionName;
    if (versionName.empty()) versionName = std::string("DXLENS_") + buildInfo().version;
    if (versionName.size() > 16) versionName.resize(16);

    DicomItem meta;
    meta.setBytes(0x00020001, dicomVR("OB"), {0x00, 0x01});
    meta.setText(0x00020002, dicomVR("UI"), sopClass);
    meta.setText(0x00020003, dicomVR("UI"), sopInstance);
    meta.setText(DicomTag::TransferSyntaxUID, dicomVR("UI"), "1.2.840.10008.1.2.1");
    meta.setText(0x00020012, dicomVR("UI"), kDxLensImplementationClassUid);
    meta.setText(0x00020013, dicomVR("SH"), versionName);
    Result<Bytes> metaBytes = writeDicomDataset(meta, {});
    if (!metaBytes) return metaBytes.error();
    Result<Bytes> body = writeDicomDataset(dataset, options);
    if (!body) return body.error();

    Bytes out(128, 0);
    out.insert(out.end(), {'D', 'I', 'C', 'M'});
    putTag(out, 0x00020000);
    out.push_back('U');
    out.push_back('L');
    putU16(out, 4);
    putU32(out, uint32_t(metaBytes->size()));
    out.insert(out.end(), metaBytes->begin(), metaBytes->end());
    out.insert(out.end(), body->begin(), body->end());
    return out;
}

std::string uuidToDicomUid(const uint8_t (&uuid)[16]) {
    // The 128-bit number as four 32-bit limbs, most significant first, divided by 10 until zero.
    uint32_t limbs[4];
    for (int i = 0; i < 4; i++)
        limbs[i] = uint32_t(uuid[4 * i]) << 24 | uint32_t(uuid[4 * i + 1]) << 16 |
                   uint32_t(uuid[4 * i + 2]) << 8 | uint32_t(uuid[4 * i + 3]);
    std::string digits;
    for (;;) {
        bool zero = true;
        uint64_t remainder = 0;
        for (uint32_t& limb : limbs) {
            const uint64_t current = (remainder << 32) | limb;
            limb = uint32_t(current / 10);
            remainder = current % 10;
            if (limb) zero = false;
        }
        digits.push_back(char('0' + remainder));
        if (zero) break;
    }
    std::reverse(digits.begin(), digits.end());
    return "2.25." + digits;
}

std::string newDicomUid() {
    static std::random_device device;
    uint8_t uuid[16];
    for (int i = 0; i < 16; i += 4) {
        const uint32_t r = device();
        for (int j = 0; j < 4; j++)
            uuid[i + j] = uint8_t(r >> (8 * j));
    }
    uuid[6] = uint8_t((uuid[6] & 0x0f) | 0x40); // version 4 (random)
    uuid[8] = uint8_t((uuid[8] & 0x3f) | 0x80); // RFC 4122 variant
    return uuidToDicomUid(uuid);
}

std::string dicomDecimalString(double value) {
    if (!std::isfinite(value)) return "0";
    char text[32];
    for (int precision = 16; precision >= 1; precision--) {
        std::snprintf(text, sizeof text, "%.*g", precision, value);
        if (std::strlen(text) <= 16) return text;
    }
    return "0";
}

bool dicomDateTimeFromIso(const std::string& iso, std::string* date, std::string* time) {
    // YYYY-MM-DDTHH:MM:SS followed by Z or an offset; the offset is not applied (callers pass UTC).
    if (iso.size() < 19 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' || iso[13] != ':' ||
        iso[16] != ':')
        return false;
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
        if (iso[i] < '0' || iso[i] > '9') return false;
    *date = iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
    *time = iso.substr(11, 2) + iso.substr(14, 2) + iso.substr(17, 2);
    return true;
}

std::string currentIsoInstant() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace dx
