// stow.cpp — STOW-RS request bodies and answer summaries.
#include "core/dicomweb/stow.h"

#include "core/dicomweb/dicom_json_read.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace dx {

using json = nlohmann::json;

namespace {

bool isPart10(std::span<const uint8_t> f) {
    return f.size() >= 132 && std::memcmp(f.data() + 128, "DICM", 4) == 0;
}

bool contains(std::span<const uint8_t> bytes, const std::string& text) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()).find(text) !=
           std::string_view::npos;
}

// FNV-1a over the sizes and the first and last bytes of every file: a boundary that differs between uploads
// without needing randomness, which core code cannot get the same way natively and in WASM.
uint64_t fingerprint(std::span<const std::span<const uint8_t>> files) {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint8_t b) {
        h ^= b;
        h *= 1099511628211ull;
    };
    for (std::span<const uint8_t> f : files) {
        for (int i = 0; i < 8; i++)
            mix(uint8_t(uint64_t(f.size()) >> (8 * i)));
        size_t head = std::min<size_t>(f.size(), 4096);
        for (size_t i = 0; i < head; i++)
            mix(f[i]);
        for (size_t i = f.size() - std::min<size_t>(f.size() - head, 4096); i < f.size(); i++)
            mix(f[i]);
    }
    return h;
}

std::string hex64(uint64_t v) {
    static const char* const digits = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; i--, v >>= 4)
        s[size_t(i)] = digits[v & 15];
    return s;
}

void append(Bytes& out, std::string_view text) {
    out.insert(out.end(), text.begin(), text.end());
}

std::string reasonText(int code, bool failure) {
    if (failure) {
        switch (code) {
        case 0x0110:
            return "the archive failed while storing it";
        case 0x0122:
            return "the archive does not accept this kind of object";
        case 0x0124:
            return "this account is not allowed to store it";
        case 0xA700:
            return "the archive is out of storage space";
        case 0xA900:
            return "the object does not match its declared kind";
        case 0xC000:
            return "the archive could not read the object";
        case 0xC122:
            return "the archive does not accept the object's transfer syntax";
        default:
            break;
        }
    } else {
        switch (code) {
        case 0xB000:
            return "the archive changed some of its values";
        case 0xB006:
            return "the archive dropped some of its values";
        case 0xB007:
            return "the archive found it does not fully match its declared kind";
        default:
            break;
        }
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", unsigned(code & 0xFFFF));
    return std::string(failure ? "refused" : "stored with a warning") + " (reason code " + buf + ")";
}

StowInstanceOutcome outcome(const json& item, bool failed) {
    StowInstanceOutcome o;
    o.sopClassUid = dicomJsonString(item, "00081150");
    o.sopInstanceUid = dicomJsonString(item, "00081155");
    o.retrieveUrl = dicomJsonString(item, "00081190");
    o.failureReason = dicomJsonInt(item, "00081197");
    o.warningReason = dicomJsonInt(item, "00081196");
    if (failed && o.failureReason)
        o.reasonText = reasonText(*o.failureReason, true);
    else if (failed)
        o.reasonText = "refused without a reason";
    else if (o.warningReason)
        o.reasonText = reasonText(*o.warningReason, false);
    return o;
}

std::string objects(size_t n) {
    return std::to_string(n) + (n == 1 ? " object" : " objects");
}

} // namespace

Result<StowBody> buildStowBody(std::span<const std::span<const uint8_t>> files) {
    if (files.empty()) return Error("There is nothing to send: no DICOM object was given.");
    for (size_t i = 0; i < files.size(); i++)
        if (!isPart10(files[i]))
            return Error("Object " + std::to_string(i + 1) + " of " + std::to_string(files.size()) +
                         " is not a DICOM file (no \"DICM\" marker at byte 128), so it cannot be sent.");
    StowBody out;
    uint64_t seed = fingerprint(files);
    for (uint64_t attempt = 0;; attempt++) {
        out.boundary = "DxLens-stow-" + hex64(seed + attempt * 0x9E3779B97F4A7C15ull);
        bool clash = std::any_of(files.begin(), files.end(),
                                 [&](std::span<const uint8_t> f) { return contains(f, out.boundary); });
        if (!clash) break;
    }
    out.contentType = "multipart/related; type=\"application/dicom\"; boundary=" + out.boundary;
    size_t total = 0;
    for (std::span<const uint8_t> f : files)
        total += f.size() + out.boundary.size() + 48;
    out.body.reserve(total + out.boundary.size() + 8);
    for (std::span<const uint8_t> f : files) {
        append(out.body, "--" + out.boundary + "\r\nContent-Type: application/dicom\r\n\r\n");
        out.body.insert(out.body.end(), f.begin(), f.end());
        append(out.body, "\r\n");
    }
    append(out.body, "--" + out.boundary + "--\r\n");
    return out;
}

Result<StowRequest> stowRequest(const ArchiveConfig& archive,
                                std::span<const std::span<const uint8_t>> files) {
    if (!archive.stowAllowed)
        return Error("This deployment does not allow sending results to the archive \"" + archive.name +
                     "\" (archives.json: stowAllowed is not true).");
    Result<StowBody> body = buildStowBody(files);
    if (!body) return body.error();
    StowRequest out;
    out.request.method = "POST";
    out.request.url = archive.stowRoot + "/studies";
    out.request.accept = "application/dicom+json";
    out.request.contentType = body->contentType;
    out.body = std::move(body->body);
    return out;
}

Result<StowSummary> parseStowAnswer(int httpStatus, std::string_view jsonText, std::string_view archiveName,
                                    size_t sentCount) {
    const std::string name = archiveName.empty() ? std::string("The archive") : std::string(archiveName);
    bool listStatus = httpStatus == 200 || httpStatus == 202 || httpStatus == 409;
    json doc = json::parse(jsonText.begin(), jsonText.end(), nullptr, false);
    // Some archives wrap the answer data set in a one-element array.
    if (doc.is_array() && doc.size() == 1) doc = json(doc[0]);
    bool readable = !doc.is_discarded() && doc.is_object();
    if (!listStatus || (httpStatus == 409 && !readable)) {
        std::string why = describeArchiveFailure(httpStatus, false, ArchiveAction::Store, archiveName);
        if (why.empty()) why = name + " answered the upload with HTTP " + std::to_string(httpStatus) + ".";
        return Error(why);
    }
    StowSummary s;
    s.httpStatus = httpStatus;
    if (!readable) {
        s.listed = false;
        s.text = name + " accepted the upload (HTTP " + std::to_string(httpStatus) +
                 ") without saying which objects it stored. Check the study in the archive.";
        return s;
    }
    for (const json* item : dicomJsonItems(doc, "00081199"))
        s.stored.push_back(outcome(*item, false));
    for (const json* item : dicomJsonItems(doc, "00081198"))
        s.failed.push_back(outcome(*item, true));

    s.text = name + " stored " + std::to_string(s.stored.size()) + " of " + objects(sentCount) + ".";
    size_t changed = size_t(std::count_if(s.stored.begin(), s.stored.end(), [](const StowInstanceOutcome& o) {
        return o.warningReason.has_value();
    }));
    if (changed) {
        auto warned = std::find_if(s.stored.begin(), s.stored.end(),
                                   [](const StowInstanceOutcome& o) { return o.warningReason.has_value(); });
        s.text += " For " + objects(changed) + " it reported: " + warned->reasonText + ".";
    }
    for (const StowInstanceOutcome& f : s.failed)
        s.text += " Refused " + (f.sopInstanceUid.empty() ? std::string("an object") : f.sopInstanceUid) +
                  ": " + f.reasonText + ".";
    size_t accounted = s.stored.size() + s.failed.size();
    if (accounted < sentCount)
        s.text += " " + objects(sentCount - accounted) + " " + (sentCount - accounted == 1 ? "is" : "are") +
                  " not mentioned in its answer.";
    if (httpStatus == 409 && s.stored.empty() && s.failed.empty())
        s.text = name + " stored none of the " + objects(sentCount) +
                 " (HTTP 409: they conflict with what it "
                 "already stores).";
    return s;
}

} // namespace dx
