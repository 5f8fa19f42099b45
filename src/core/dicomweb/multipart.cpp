// multipart.cpp — multipart/related framing. The body is scanned once: find a delimiter line, read the part's
// headers, find the next delimiter line; parts are spans into the body so multi-megabyte frames are not copied.
#include "core/dicomweb/multipart.h"

#include <cctype>
#include <cstring>

namespace dx {

namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024; // a part's header block; DICOMweb parts have two or three lines
constexpr size_t kMaxBoundaryLength = 200;    // RFC 2046 allows 70; some servers go further, none this far

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Position of needle in hay at or after from, or npos. memchr finds candidates for the first byte, which is
// rare in image data ('\r' or '-'), so this runs near memchr speed on multi-megabyte frames.
size_t findBytes(std::span<const uint8_t> hay, size_t from, std::string_view needle) {
    if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
    const size_t last = hay.size() - needle.size();
    const auto first = static_cast<unsigned char>(needle[0]);
    while (from <= last) {
        const void* hit = std::memchr(hay.data() + from, first, last - from + 1);
        if (!hit) return std::string_view::npos;
        size_t at = size_t(static_cast<const uint8_t*>(hit) - hay.data());
        if (std::memcmp(hay.data() + at, needle.data(), needle.size()) == 0) return at;
        from = at + 1;
    }
    return std::string_view::npos;
}

enum class DelimiterTail { NotADelimiter, NextPart, Close, BodyEnd };

// What follows "--boundary" at pos: transport padding, then a line end (another part), "--" (the closing
// delimiter) or the end of the body. Anything else means the boundary text was part of the data.
DelimiterTail delimiterTail(std::span<const uint8_t> body, size_t pos, size_t* afterLine) {
    if (pos + 2 <= body.size() && body[pos] == '-' && body[pos + 1] == '-') {
        *afterLine = pos + 2;
        return DelimiterTail::Close;
    }
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t'))
        pos++;
    if (pos == body.size() || (pos + 1 == body.size() && body[pos] == '\r')) {
        *afterLine = body.size();
        return DelimiterTail::BodyEnd;
    }
    if (body[pos] == '\n') {
        *afterLine = pos + 1;
        return DelimiterTail::NextPart;
    }
    if (body[pos] == '\r' && body[pos + 1] == '\n') {
        *afterLine = pos + 2;
        return DelimiterTail::NextPart;
    }
    return DelimiterTail::NotADelimiter;
}

// The next delimiter line at or after from, as "<lineEnd>--boundary" with a valid tail; npos when none.
size_t findDelimiter(std::span<const uint8_t> body, size_t from, const std::string& delimiter,
                     DelimiterTail* tail, size_t* afterLine) {
    for (size_t at = findBytes(body, from, delimiter); at != std::string_view::npos;
         at = findBytes(body, at + 1, delimiter)) {
        *tail = delimiterTail(body, at + delimiter.size(), afterLine);
        if (*tail != DelimiterTail::NotADelimiter) return at;
    }
    return std::string_view::npos;
}

std::string bytesText(size_t n) {
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

std::string garbage(std::string_view contentType, const std::string& what) {
    return "The archive's answer is not readable: " + what + " (Content-Type: " + std::string(contentType) +
           "). The archive or a proxy in front of it sent something other than a DICOMweb answer.";
}

struct PartHeaders {
    std::string contentType, contentLocation;
};

enum class HeaderRead { Done, BodyEnded, TooLong };

// Reads header lines from *cursor up to the empty line; *cursor ends after it.
HeaderRead readHeaders(std::span<const uint8_t> body, size_t* cursor, PartHeaders& out) {
    std::string* last = nullptr;
    const size_t start = *cursor;
    while (true) {
        const void* nl =
            *cursor < body.size() ? std::memchr(body.data() + *cursor, '\n', body.size() - *cursor) : nullptr;
        size_t end = nl ? size_t(static_cast<const uint8_t*>(nl) - body.data()) : body.size();
        if (end - start > kMaxHeaderBytes) return HeaderRead::TooLong;
        if (!nl) {
            *cursor = body.size();
            return HeaderRead::BodyEnded;
        }
        std::string_view line(reinterpret_cast<const char*>(body.data()) + *cursor, end - *cursor);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        *cursor = end + 1;
        if (line.empty()) return HeaderRead::Done;
        if (line[0] == ' ' || line[0] == '\t') { // folded continuation of the previous header
            if (last) {
                *last += ' ';
                *last += trim(line);
            }
            continue;
        }
        size_t colon = line.find(':');
        last = nullptr;
        if (colon == std::string_view::npos) continue; // not a header; tolerated like browsers do
        std::string name = lower(trim(line.substr(0, colon)));
        std::string_view value = trim(line.substr(colon + 1));
        if (name == "content-type")
            last = &out.contentType;
        else if (name == "content-location")
            last = &out.contentLocation;
        if (last) *last = std::string(value);
    }
}

} // namespace

std::string MediaTypeValue::parameter(std::string_view name) const {
    for (const auto& [key, value] : parameters)
        if (key == name) return value;
    return {};
}

MediaTypeValue parseMediaType(std::string_view headerValue) {
    MediaTypeValue out;
    // Split at ';' outside quotes; inside quotes a backslash escapes the next character (RFC 7230 quoted-pair).
    std::vector<std::string> pieces(1);
    std::vector<bool> quoted(1, false);
    bool inQuotes = false;
    for (size_t i = 0; i < headerValue.size(); i++) {
        char c = headerValue[i];
        if (inQuotes) {
            if (c == '\\' && i + 1 < headerValue.size())
                pieces.back() += headerValue[++i];
            else if (c == '"')
                inQuotes = false;
            else
                pieces.back() += c;
        } else if (c == '"') {
            inQuotes = true;
            quoted.back() = true;
        } else if (c == ';') {
            pieces.emplace_back();
            quoted.push_back(false);
        } else {
            pieces.back() += c;
        }
    }
    out.mediaType = lower(trim(pieces[0]));
    for (size_t i = 1; i < pieces.size(); i++) {
        std::string_view piece = pieces[i];
        size_t eq = piece.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name = lower(trim(piece.substr(0, eq)));
        // A quoted value keeps its inner spaces; only the space around "name = value" goes.
        std::string value(quoted[i] ? piece.substr(eq + 1) : trim(piece.substr(eq + 1)));
        if (quoted[i]) {
            size_t b = value.find_first_not_of(" \t");
            value = b == std::string::npos ? std::string() : value.substr(b);
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
                value.pop_back();
        }
        if (!name.empty()) out.parameters.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

Result<MultipartBody> parseMultipartBody(std::string_view contentType, std::span<const uint8_t> body) {
    MultipartBody out;
    MediaTypeValue type = parseMediaType(contentType);
    out.mediaType = type.mediaType;
    out.transferSyntaxUid = type.parameter("transfer-syntax");
    if (out.transferSyntaxUid == "*") out.transferSyntaxUid.clear();

    if (out.mediaType.rfind("multipart/", 0) != 0) {
        if (!body.empty()) {
            MultipartPart part;
            part.data = body;
            part.contentType = std::string(trim(contentType));
            part.mediaType = out.mediaType;
            part.transferSyntaxUid = out.transferSyntaxUid;
            out.parts.push_back(std::move(part));
        }
        return out;
    }

    out.multipart = true;
    out.boundary = type.parameter("boundary");
    if (out.boundary.empty())
        return Error(garbage(contentType, "it says it has several parts but names no boundary"));
    if (out.boundary.size() > kMaxBoundaryLength)
        return Error(garbage(contentType, "its boundary is longer than " +
                                              std::to_string(kMaxBoundaryLength) + " characters"));
    MediaTypeValue root = parseMediaType(type.parameter("type"));
    out.rootType = root.mediaType;
    if (!root.parameter("transfer-syntax").empty()) out.transferSyntaxUid = root.parameter("transfer-syntax");
    // "*" is what a request asks for ("any syntax"), not a syntax an answer can be in.
    if (out.transferSyntaxUid == "*") out.transferSyntaxUid.clear();

    if (body.empty())
        return Error(
            "The archive's answer is empty where its images were expected. Ask the archive's administrator "
            "whether the study is still stored.");

    // The first boundary line: at the start of the body or after a line end (a preamble may come first).
    const std::string dash = "--" + out.boundary;
    size_t cursor = 0;
    DelimiterTail tail = DelimiterTail::NotADelimiter;
    size_t first = std::string_view::npos;
    for (size_t at = findBytes(body, 0, dash); at != std::string_view::npos;
         at = findBytes(body, at + 1, dash)) {
        if (at != 0 && body[at - 1] != '\n') continue;
        tail = delimiterTail(body, at + dash.size(), &cursor);
        if (tail != DelimiterTail::NotADelimiter) {
            first = at;
            break;
        }
    }
    if (first == std::string_view::npos)
        return Error(
            garbage(contentType, "its body of " + bytesText(body.size()) + " never contains the boundary"));
    // Line ends follow the first boundary line: CRLF as RFC 2046 says, or bare LF from lenient servers.
    const bool crlf = tail == DelimiterTail::NextPart && cursor >= 2 && body[cursor - 2] == '\r';
    const std::string delimiter = (crlf || tail != DelimiterTail::NextPart ? "\r\n" : "\n") + dash;

    while (tail == DelimiterTail::NextPart) {
        if (cursor >= body.size()) { // "--boundary\r\n" and then nothing
            tail = DelimiterTail::BodyEnd;
            break;
        }
        MultipartPart part;
        PartHeaders headers;
        HeaderRead h = readHeaders(body, &cursor, headers);
        if (h == HeaderRead::TooLong)
            return Error(garbage(contentType, "part " + std::to_string(out.parts.size() + 1) +
                                                  " has no end to its headers within 64 KiB"));
        part.contentType = headers.contentType;
        part.contentLocation = headers.contentLocation;
        MediaTypeValue partType = parseMediaType(headers.contentType);
        part.mediaType = partType.mediaType;
        part.transferSyntaxUid = partType.parameter("transfer-syntax");
        if (part.transferSyntaxUid == "*") part.transferSyntaxUid.clear();
        if (part.transferSyntaxUid.empty()) part.transferSyntaxUid = out.transferSyntaxUid;
        part.offset = cursor;
        if (h == HeaderRead::BodyEnded) {
            part.complete = false;
            part.data = body.subspan(body.size(), 0);
            out.parts.push_back(std::move(part));
            tail = DelimiterTail::NotADelimiter;
            break;
        }
        size_t afterLine = 0;
        size_t next = findDelimiter(body, cursor, delimiter, &tail, &afterLine);
        if (next == std::string_view::npos) {
            part.complete = false;
            part.data = body.subspan(cursor);
            out.parts.push_back(std::move(part));
            tail = DelimiterTail::NotADelimiter;
            break;
        }
        part.data = body.subspan(cursor, next - cursor);
        out.parts.push_back(std::move(part));
        cursor = afterLine;
    }

    if (tail != DelimiterTail::Close) {
        out.truncated = true;
        size_t n = out.parts.size();
        if (n > 0 && !out.parts.back().complete)
            out.warning = "The archive's answer was cut off inside part " + std::to_string(n) + " after " +
                          bytesText(body.size()) + ": " +
                          (n == 2  ? std::string("the part before it is complete, ")
                           : n > 2 ? "the " + std::to_string(n - 1) + " parts before it are complete, "
                                   : std::string()) +
                          "part " + std::to_string(n) + " is incomplete and must not be used.";
        else
            out.warning = "The archive's answer ended without its closing boundary after " +
                          bytesText(body.size()) + " and " + std::to_string(n) +
                          (n == 1 ? " part" : " parts") + "; more parts may have been lost on the way.";
    }
    return out;
}

} // namespace dx
