// archive_config.cpp — archives.json parsing: one ConfigReader walks the JSON and keeps the first problem it
// finds as "archives.json: <path> <what is wrong>", the same shape as manifest.json's messages.
#include "core/dicomweb/archive_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace dx {

using json = nlohmann::json;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

struct ParsedUrl {
    bool absolute = false;
    std::string origin; // absolute URLs only
    std::string problem;
};

bool isHostChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}

// The parts of a root URL we rely on. A root may not carry anything that makes the browser reach elsewhere than
// its text suggests: "//host" and "/\host" are other origins to a browser, user:password@ leaks credentials.
ParsedUrl parseRootUrl(std::string_view url) {
    ParsedUrl r;
    for (char c : url) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '\\') {
            r.problem = "must not contain spaces, control characters or backslashes";
            return r;
        }
    }
    if (url.find('?') != std::string_view::npos || url.find('#') != std::string_view::npos) {
        r.problem = "must not contain a query ('?') or a fragment ('#')";
        return r;
    }
    if (!url.empty() && url[0] == '/') {
        if (url.size() > 1 && url[1] == '/')
            r.problem =
                "must be an http(s) URL or a path starting with a single '/' (\"//host\" names another site)";
        return r;
    }
    size_t colon = url.find("://");
    std::string scheme = colon == std::string_view::npos ? "" : lower(url.substr(0, colon));
    if (scheme != "http" && scheme != "https") {
        r.problem = "must be an http(s) URL or a path on this site starting with '/'";
        return r;
    }
    std::string_view rest = url.substr(colon + 3);
    std::string_view authority = rest.substr(0, rest.find('/'));
    if (authority.find('@') != std::string_view::npos) {
        r.problem = "must not contain a user name or password (use \"auth\": \"bearer\" instead)";
        return r;
    }
    std::string_view host = authority, port;
    if (!authority.empty() && authority[0] == '[') { // IPv6 literal
        size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            r.problem = "has an IPv6 address without its closing ']'";
            return r;
        }
        host = authority.substr(0, close + 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') {
                r.problem = "has text after the IPv6 address";
                return r;
            }
            port = after.substr(1);
        }
        for (char c : host.substr(1, host.size() - 2))
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
                r.problem = "has an invalid IPv6 address";
                return r;
            }
    } else {
        size_t pc = authority.rfind(':');
        if (pc != std::string_view::npos) {
            host = authority.substr(0, pc);
            port = authority.substr(pc + 1);
        }
        if (host.empty() || !std::all_of(host.begin(), host.end(), isHostChar)) {
            r.problem = "must name a host (letters, digits, '.' and '-')";
            return r;
        }
    }
    if (host.size() < 3 && host[0] == '[') {
        r.problem = "has an empty IPv6 address";
        return r;
    }
    std::string origin = scheme + "://" + lower(host);
    if (!port.empty() || authority.back() == ':') {
        bool digits = !port.empty() && port.size() <= 5 &&
                      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
        long n = digits ? std::stol(std::string(port)) : 0;
        if (n < 1 || n > 65535) {
            r.problem = "has a port that is not a number from 1 to 65535";
            return r;
        }
        bool defaultPort = (scheme == "http" && n == 80) || (scheme == "https" && n == 443);
        if (!defaultPort) origin += ":" + std::to_string(n);
    }
    r.absolute = true;
    r.origin = origin;
    return r;
}

std::string join(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
}

struct ConfigReader {
    std::string error;

    bool failed() const { return !error.empty(); }
    void fail(const std::string& path, const std::string& what) {
        if (error.empty()) error = std::string(kArchivesConfigFileName) + ": " + path + " " + what;
    }

    const json* find(const json& obj, const std::string& path, const char* key, bool required) {
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) fail(join(path, key), "is missing");
            return nullptr;
        }
        return &*it;
    }

    std::string string(const json& obj, const std::string& path, const char* key, bool required) {
        const json* v = find(obj, path, key, required);
        if (!v) return {};
        if (!v->is_string()) {
            fail(join(path, key), "must be a string");
            return {};
        }
        std::string s = v->get<std::string>();
        if (required && s.empty()) fail(join(path, key), "is empty");
        return s;
    }

    bool boolean(const json& obj, const std::string& path, const char* key, bool fallback) {
        const json* v = find(obj, path, key, false);
        if (!v) return fallback;
        if (!v->is_boolean()) {
            fail(join(path, key), "must be true or false");
            return fallback;
        }
        return v->get<bool>();
    }

    std::string root(const json& obj, const std::string& path, const char* key, bool required) {
        std::string s = string(obj, path, key, required);
        if (failed() || s.empty()) return s;
        ParsedUrl u = parseRootUrl(s);
        if (!u.problem.empty()) {
            fail(join(path, key), u.problem + ", got \"" + s + "\"");
            return s;
        }
        while (s.size() > 1 && s.back() == '/')
            s.pop_back();
        if (s == "/") fail(join(path, key), "must name the DICOMweb path, not the site's root \"/\"");
        return s;
    }
};

const char* const kArchiveKeys[] = {"id",
                                    "name",
                                    "qidoRoot",
                                    "wadoRoot",
                                    "stowRoot",
                                    "stowAllowed",
                                    "auth",
                                    "supportsFuzzyMatching",
                                    "qidoSupportsIncludeField",
                                    "acceptHeader"};

void readArchive(ConfigReader& r, const json& a, const std::string& path, ArchiveConfig& out) {
    if (!a.is_object()) {
        r.fail(path, "must be an object with id, name, qidoRoot and wadoRoot");
        return;
    }
    for (auto it = a.begin(); it != a.end() && !r.failed(); ++it) {
        bool known = std::any_of(std::begin(kArchiveKeys), std::end(kArchiveKeys),
                                 [&](const char* k) { return it.key() == k; });
        if (!known) r.fail(path + "." + it.key(), "is not a setting DxLens knows (check its spelling)");
    }
    out.id = r.string(a, path, "id", true);
    if (!r.failed() && !std::all_of(out.id.begin(), out.id.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        }))
        r.fail(path + ".id", "may contain only letters, digits, '-' and '_', got \"" + out.id + "\"");
    out.name = r.string(a, path, "name", true);
    out.qidoRoot = r.root(a, path, "qidoRoot", true);
    out.wadoRoot = r.root(a, path, "wadoRoot", true);
    out.stowRoot = r.root(a, path, "stowRoot", false);
    if (out.stowRoot.empty()) out.stowRoot = out.wadoRoot;
    out.stowAllowed = r.boolean(a, path, "stowAllowed", false);
    std::string auth = r.string(a, path, "auth", false);
    if (auth.empty() || auth == "none") {
        out.auth = ArchiveAuth::None;
    } else if (auth == "bearer") {
        out.auth = ArchiveAuth::Bearer;
    } else if (!r.failed()) {
        r.fail(path + ".auth", "is \"" + auth + "\" but must be \"none\" or \"bearer\"");
    }
    out.supportsFuzzyMatching = r.boolean(a, path, "supportsFuzzyMatching", false);
    out.qidoSupportsIncludeField = r.boolean(a, path, "qidoSupportsIncludeField", false);
    if (const json* accept = r.find(a, path, "acceptHeader", false)) {
        std::string joined;
        bool ok = accept->is_string() || accept->is_array();
        if (accept->is_string()) joined = accept->get<std::string>();
        if (accept->is_array())
            for (const json& v : *accept) {
                if (!v.is_string())
                    ok = false;
                else {
                    if (!joined.empty()) joined += ", ";
                    joined += v.get<std::string>();
                }
            }
        if (!ok)
            r.fail(path + ".acceptHeader", "must be a string or an array of strings");
        else if (joined.find_first_of("\r\n") != std::string::npos)
            r.fail(path + ".acceptHeader", "must not contain line breaks");
        out.acceptHeader = joined;
    }
}

} // namespace

const ArchiveConfig* ArchivesConfig::find(std::string_view id) const {
    for (const ArchiveConfig& a : archives)
        if (a.id == id) return &a;
    return nullptr;
}

Result<ArchivesConfig> parseArchivesConfig(std::string_view jsonText) {
    const std::string file = kArchivesConfigFileName;
    json doc = json::parse(jsonText.begin(), jsonText.end(), nullptr, false);
    if (doc.is_discarded()) return Error(file + " is not valid JSON");
    if (!doc.is_object()) return Error(file + " must hold one JSON object with an \"archives\" list");
    ConfigReader r;
    for (auto it = doc.begin(); it != doc.end() && !r.failed(); ++it)
        if (it.key() != "archives") r.fail(it.key(), "is not a setting DxLens knows (check its spelling)");
    const json* list = r.find(doc, "", "archives", true);
    if (r.failed()) return Error(r.error);
    if (!list->is_array()) return Error(file + ": archives must be a list of archives");
    ArchivesConfig config;
    std::set<std::string> ids;
    for (size_t i = 0; i < list->size() && !r.failed(); i++) {
        std::string path = "archives[" + std::to_string(i) + "]";
        ArchiveConfig a;
        readArchive(r, (*list)[i], path, a);
        if (!r.failed() && !ids.insert(a.id).second)
            r.fail(path + ".id", "\"" + a.id + "\" is used by an earlier archive too; ids must be unique");
        config.archives.push_back(std::move(a));
    }
    if (r.failed()) return Error(r.error);
    return config;
}

ArchiveOrigins archiveOrigins(const ArchivesConfig& config) {
    ArchiveOrigins out;
    std::set<std::string> external;
    for (const ArchiveConfig& a : config.archives)
        for (const std::string* root : {&a.qidoRoot, &a.wadoRoot, &a.stowRoot}) {
            if (root->empty()) continue;
            std::string origin = urlOrigin(*root);
            if (origin.empty())
                out.appOrigin = true;
            else
                external.insert(origin);
        }
    out.external.assign(external.begin(), external.end());
    return out;
}

std::string urlOrigin(std::string_view url) {
    ParsedUrl u = parseRootUrl(url.substr(0, url.find_first_of("?#")));
    return u.absolute && u.problem.empty() ? u.origin : std::string();
}

std::string percentEncode(std::string_view text) {
    static const char* const hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == '*' || c == ',') {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out;
}

bool isDicomUid(std::string_view uid) {
    if (uid.empty() || uid.size() > 64) return false;
    bool digit = false;
    for (char c : uid) {
        if (c >= '0' && c <= '9')
            digit = true;
        else if (c != '.')
            return false;
    }
    return digit;
}

} // namespace dx
