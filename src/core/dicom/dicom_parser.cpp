// dicom_parser.cpp — see dicom_parser.h.
//
// One recursive-descent pass over the bytes: parseElements() reads elements until the end of its range (or an
// Item Delimitation for items of undefined length), parseItems() reads the items of a sequence, and
// parseFragments() the items of encapsulated Pixel Data. Recursion depth is bounded by
// DecodeLimits::maxSequenceDepth; every element, item and fragment consumes at least 8 bytes, so the work and
// the memory for the element tree are bounded by the input size.
#include "core/dicom/dicom_parser.h"

#include "core/codecs/inflate.h"

#include <cstring>
#include <string>

namespace dx {

static uint16_t loadLE16(const uint8_t* p) {
    return uint16_t(p[0] | (p[1] << 8));
}

static bool vrLettersAt(std::span<const uint8_t> bytes, size_t pos) {
    return pos + 2 <= bytes.size() && isKnownDicomVR(DicomVR((bytes[pos] << 8) | bytes[pos + 1]));
}

// A bare data set (no preamble, no "DICM") starting with a low even group: 0002 (meta) or 0008
// (identification) in either byte order, with either a valid explicit VR or an implicit length that fits in the file.
static bool looksLikeBareDataset(std::span<const uint8_t> bytes) {
    if (bytes.size() < 8) return false;
    uint16_t groupLE = loadLE16(bytes.data());
    uint16_t groupBE = uint16_t((bytes[0] << 8) | bytes[1]);
    bool plausibleGroup = groupLE == 0x0002 || groupLE == 0x0008 || groupBE == 0x0008;
    if (!plausibleGroup) return false;
    if (vrLettersAt(bytes, 4)) return true;
    uint32_t implicitLength =
        bytes[4] | (uint32_t(bytes[5]) << 8) | (uint32_t(bytes[6]) << 16) | (uint32_t(bytes[7]) << 24);
    return groupLE == 0x0008 && implicitLength <= bytes.size() - 8;
}

bool looksLikeDicom(std::span<const uint8_t> bytes) {
    if (bytes.size() >= 132 && std::memcmp(bytes.data() + 128, "DICM", 4) == 0) return true;
    if (bytes.size() >= 4 && std::memcmp(bytes.data(), "DICM", 4) == 0) return true;
    return looksLikeBareDataset(bytes);
}

struct ElementHeader {
    uint32_t tag = 0;
    DicomVR vr = 0;
    uint32_t length = 0;
    size_t headerSize = 0;
};

struct DicomParser {
    std::span<const uint8_t> bytes;
    DecodeLimits limits;
    bool explicitVR = true;
    bool bigEndian = false;
    std::string error;

    uint16_t u16(size_t pos) const {
        const uint8_t* p = bytes.data() + pos;
        return bigEndian ? uint16_t((p[0] << 8) | p[1]) : uint16_t(p[0] | (p[1] << 8));
    }
    uint32_t u32(size_t pos) const {
        return bigEndian ? (uint32_t(u16(pos)) << 16) | u16(pos + 2)
                         : u16(pos) | (uint32_t(u16(pos + 2)) << 16);
    }
    uint32_t tagAt(size_t pos) const { return (uint32_t(u16(pos)) << 16) | u16(pos + 2); }

    bool fail(const std::string& message) {
        if (error.empty()) error = message;
        return false;
    }
    static std::string at(size_t pos) { return " at byte " + std::to_string(pos); }

    bool readHeader(size_t pos, size_t end, ElementHeader& h) {
        if (end - pos < 8)
            return fail("The file ends inside the header of a data element" + at(pos) + " (only " +
                        std::to_string(end - pos) + " bytes left).");
        h.tag = tagAt(pos);
        if (dicomGroup(h.tag) == 0xfffe || !explicitVR) { // items and delimiters never have a VR
            h.vr = dicomGroup(h.tag) == 0xfffe ? DicomVR(0) : dictionaryVR(h.tag);
            h.length = u32(pos + 4);
            h.headerSize = 8;
            return true;
        }
        h.vr = DicomVR((bytes[pos + 4] << 8) | bytes[pos + 5]);
        if (!isKnownDicomVR(h.vr))
            return fail("Data element " + dicomTagText(h.tag) + at(pos) +
                        " has an invalid value representation '" + dicomVRText(h.vr) +
                        "' (the file is corrupt or not in the transfer syntax it declares).");
        if (!hasLongLengthField(h.vr)) {
            h.length = u16(pos + 6);
            h.headerSize = 8;
            return true;
        }
        if (end - pos < 12)
            return fail("The file ends inside the header of data element " + dicomTagText(h.tag) + at(pos) +
                        ".");
        h.length = u32(pos + 8);
        h.headerSize = 12;
        return true;
    }

    // Items of encapsulated Pixel Data, up to the Sequence Delimitation Item.
    bool parseFragments(DicomElement& e, size_t& pos, size_t end) {
        bool savedBigEndian = bigEndian;
        bigEndian = false; // encapsulated syntaxes are always little endian
        for (;;) {
            if (end - pos < 8) {
                bigEndian = savedBigEndian;
                return fail("The compressed Pixel Data" + at(e.headerOffset) +
                            " ends without its Sequence Delimitation Item (the file is truncated at byte " +
                            std::to_string(end) + ").");
            }
            uint32_t tag = tagAt(pos);
            uint32_t length = u32(pos + 4);
            if (tag == DicomTag::SequenceDelimitation) {
                pos += 8;
                bigEndian = savedBigEndian;
                return true;
            }
            if (tag != DicomTag::Item) {
                bigEndian = savedBigEndian;
                return fail("Expected a Pixel Data fragment item (FFFE,E000)" + at(pos) + " but found " +
                            dicomTagText(tag) + ".");
            }
            if (length > end - pos - 8) {
                bigEndian = savedBigEndian;
                return fail("A Pixel Data fragment" + at(pos) + " says it is " + std::to_string(length) +
                            " bytes long, but only " + std::to_string(end - pos - 8) + " bytes are left.");
            }
            e.fragments.push_back({pos + 8, length});
            pos += 8 + size_t(length);
        }
    }

    bool parseItems(DicomElement& e, size_t& pos, size_t end, bool undefinedLength, int depth) {
        if (depth >= limits.maxSequenceDepth)
            return fail("Sequences are nested more than " + std::to_string(limits.maxSequenceDepth) +
                        " levels deep" + at(e.headerOffset) + "; refusing to read further.");
        for (;;) {
            if (!undefinedLength && pos == end) return true;
            if (end - pos < 8)
                return fail("Sequence " + dicomTagText(e.tag) + at(e.headerOffset) +
                            (undefinedLength ? " has no Sequence Delimitation Item before the end of the data"
                                             : " ends inside an item header") +
                            " (byte " + std::to_string(end) + ").");
            uint32_t tag = tagAt(pos);
            uint32_t length = u32(pos + 4);
            if (tag == DicomTag::SequenceDelimitation) {
                pos += 8;
                if (undefinedLength) return true;
                continue; // a stray delimiter inside a sequence of defined length: harmless
            }
            if (tag != DicomTag::Item)
                return fail("Expected an item (FFFE,E000) in sequence " + dicomTagText(e.tag) + at(pos) +
                            " but found " + dicomTagText(tag) + ".");
            pos += 8;
            DicomDataset item;
            if (length == kDicomUndefinedLength) {
                if (!parseElements(pos, end, true, depth + 1, item)) return false;
            } else {
                if (length > end - pos)
                    return fail("An item of sequence " + dicomTagText(e.tag) + at(pos - 8) + " says it is " +
                                std::to_string(length) + " bytes long, but only " +
                                std::to_string(end - pos) + " bytes are left.");
                size_t itemEnd = pos + length;
                if (!parseElements(pos, itemEnd, false, depth + 1, item)) return false;
            }
            e.items.push_back(std::move(item));
        }
    }

    // A sequence of undefined length, or UN of undefined length (whose content is implicit VR little endian).
    bool parseUndefinedLengthSequence(DicomElement& e, size_t& pos, size_t end, int depth) {
        bool savedExplicit = explicitVR, savedBigEndian = bigEndian;
        if (e.vr == dicomVR("UN")) {
            explicitVR = false;
            bigEndian = false;
        }
        bool ok = parseItems(e, pos, end, true, depth);
        explicitVR = savedExplicit;
        bigEndian = savedBigEndian;
        return ok;
    }

    bool parseValue(DicomElement& e, size_t& pos, size_t end, int depth) {
        if (e.length == kDicomUndefinedLength) {
            if (e.tag == DicomTag::PixelData) return parseFragments(e, pos, end);
            if (e.vr == dicomVR("SQ") || e.vr == dicomVR("UN"))
                return parseUndefinedLengthSequence(e, pos, end, depth);
            return fail("Data element " + dicomTagText(e.tag) + at(e.headerOffset) + " with VR " +
                        dicomVRText(e.vr) + " has an undefined length, which only sequences may have.");
        }
        if (e.length > end - pos && e.tag == DicomTag::PixelData && depth == 0 && end == bytes.size()) {
            // A truncated file: keep what there is, so the header can still be shown; decoding the pixels
            // then reports exactly how many bytes are missing.
            e.length = uint32_t(end - pos);
        }
        if (e.length > end - pos)
            return fail("Data element " + dicomTagText(e.tag) + at(e.headerOffset) + " says its value is " +
                        std::to_string(e.length) + " bytes long, but only " + std::to_string(end - pos) +
                        " bytes are left" + (end == bytes.size() ? " in the file (it is truncated)." : "."));
        size_t valueEnd = pos + e.length;
        if (e.vr == dicomVR("SQ")) {
            if (!parseItems(e, pos, valueEnd, false, depth)) return false;
        }
        pos = valueEnd;
        return true;
    }

    // Elements from pos to end; with stopAtItemDelimiter, up to and including an Item Delimitation Item.
    // onlyGroup != 0: stop (without error) before the first element of another group (the meta header).
    bool parseElements(size_t& pos, size_t end, bool stopAtItemDelimiter, int depth, DicomDataset& out,
                       uint16_t onlyGroup = 0) {
        while (pos < end) {
            if (onlyGroup && (end - pos < 8 || loadLE16(bytes.data() + pos) != onlyGroup)) return true;
            if (depth == 0 &&
                allZero(pos, end)) { // zero padding after the last element (some writers add it)
                pos = end;
                return true;
            }
            ElementHeader h;
            if (!readHeader(pos, end, h)) return false;
            if (h.tag == DicomTag::ItemDelimitation && stopAtItemDelimiter) {
                pos += 8;
                return true;
            }
            if (dicomGroup(h.tag) == 0xfffe)
                return fail("Unexpected item tag " + dicomTagText(h.tag) + at(pos) + " outside a sequence.");
            DicomElement e;
            e.tag = h.tag;
            e.vr = h.vr;
            e.length = h.length;
            e.headerOffset = pos;
            e.valueOffset = pos + h.headerSize;
            pos += h.headerSize;
            if (!parseValue(e, pos, end, depth)) return false;
            out.elements.push_back(std::move(e));
        }
        if (stopAtItemDelimiter)
            return fail("An item of undefined length has no Item Delimitation Item before byte " +
                        std::to_string(end) + ".");
        return true;
    }

    bool allZero(size_t from, size_t to) const {
        for (size_t i = from; i < to; i++)
            if (bytes[i] != 0) return false;
        return true;
    }
};

// The encoding of a data set without a (usable) transfer syntax, from its first element.
static void detectEncoding(std::span<const uint8_t> bytes, size_t pos, bool& explicitVR, bool& bigEndian) {
    bigEndian = pos + 2 <= bytes.size() && bytes[pos] == 0 && bytes[pos + 1] != 0;
    explicitVR = vrLettersAt(bytes, pos + 4);
}

static const char* uidForEncoding(bool explicitVR, bool bigEndian) {
    if (!explicitVR) return "1.2.840.10008.1.2";
    return bigEndian ? "1.2.840.10008.1.2.2" : "1.2.840.10008.1.2.1";
}

Result<DicomFile> parseDicom(std::span<const uint8_t> bytes, const DecodeLimits& limits) {
    DicomFile file;
    file.bytes = bytes;
    size_t pos = 0;
    if (bytes.size() >= 132 && std::memcmp(bytes.data() + 128, "DICM", 4) == 0) {
        file.hasPreamble = true;
        pos = 132;
    } else if (bytes.size() >= 4 && std::memcmp(bytes.data(), "DICM", 4) == 0) {
        pos = 4;
    } else if (!looksLikeBareDataset(bytes)) {
        return Error(
            "This is not a DICOM file: there is no 'DICM' marker at byte 128 and the first bytes are not "
            "a DICOM data set.");
    }

    DicomParser parser;
    parser.bytes = bytes;
    parser.limits = limits;
    parser.explicitVR = true; // the meta header is always explicit VR little endian
    parser.bigEndian = false;
    if (!parser.parseElements(pos, bytes.size(), false, 0, file.meta, 0x0002)) return Error(parser.error);
    file.hasMetaHeader = !file.meta.elements.empty();
    file.datasetOffset = pos;
    file.transferSyntaxUID = file.string(file.meta, DicomTag::TransferSyntaxUID);

    if (file.transferSyntaxUID.empty()) {
        detectEncoding(bytes, pos, file.explicitVR, file.bigEndian);
        file.transferSyntaxUID = uidForEncoding(file.explicitVR, file.bigEndian);
    }
    file.transferSyntax = &findTransferSyntax(file.transferSyntaxUID);
    file.explicitVR = file.transferSyntax->explicitVR;
    file.bigEndian = file.transferSyntax->bigEndian;

    if (file.transferSyntax->deflated) {
        Result<std::vector<uint8_t>> inflated =
            inflateRaw(bytes.subspan(pos), size_t(limits.maxDecodedBytes));
        if (!inflated)
            return Error("The deflated DICOM data set starting at byte " + std::to_string(pos) +
                         " cannot be decompressed: " + inflated.error().message);
        file.ownedBytes.reserve(pos + inflated->size());
        file.ownedBytes.assign(bytes.begin(), bytes.begin() + pos);
        file.ownedBytes.insert(file.ownedBytes.end(), inflated->begin(), inflated->end());
        file.bytes = file.ownedBytes;
    } else if (!file.bigEndian && pos + 8 <= bytes.size()) {
        // Some writers declare one VR encoding and write the other: trust the content, as most readers do.
        bool explicitInContent, bigEndianInContent;
        detectEncoding(bytes, pos, explicitInContent, bigEndianInContent);
        if (!bigEndianInContent) file.explicitVR = explicitInContent;
    }

    parser.bytes = file.bytes;
    parser.explicitVR = file.explicitVR;
    parser.bigEndian = file.bigEndian;
    if (!parser.parseElements(pos, file.bytes.size(), false, 0, file.dataset)) return Error(parser.error);
    return file;
}

} // namespace dx
