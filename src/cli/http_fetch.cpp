// http_fetch.cpp — see http_fetch.h. libcurl's easy interface, one handle per thread (a handle is not shared
// between threads, and keeping it keeps its connections open for the next input).
#include "cli/http_fetch.h"

#include "core/base/build_info.h"
#include "core/base/file_io.h"
#include "core/dicomweb/archive_config.h"
#include "core/dicomweb/multipart.h"
#include "core/dicomweb/wado.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

namespace dx {

namespace {

constexpr long kConnectTimeoutS = 15;
constexpr long kLowSpeedBytesPerS = 1024; // an answer slower than this ...
constexpr long kLowSpeedTimeS = 60;       // ... for this long is abandoned
constexpr long kTotalTimeoutS = 600;
// The largest answer kept in memory: a multi-frame instance of a few thousand frames fits; a runaway answer
// (a wrong URL streaming a whole study) does not take the node's memory.
constexpr size_t kMaxAnswerBytes = size_t(2) << 30;

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); i++)
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    return true;
}

std::vector<std::string_view> pathSegments(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        const size_t slash = path.find('/');
        std::string_view segment = path.substr(0, slash);
        if (!segment.empty()) out.push_back(segment);
        path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    }
    return out;
}

// curl_global_init is called once, before the first handle, whichever thread gets there first.
CURLcode globalInit() {
    static std::once_flag once;
    static CURLcode code = CURLE_OK;
    std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
    return code;
}

struct ThreadHandle {
    CURL* curl = nullptr;
    ~ThreadHandle() {
        if (curl) curl_easy_cleanup(curl);
    }
};

struct Answer {
    Bytes body;
    bool tooLarge = false;
};

size_t collect(char* data, size_t size, size_t count, void* user) {
    auto* answer = static_cast<Answer*>(user);
    const size_t length = size * count;
    if (answer->body.size() + length > kMaxAnswerBytes) {
        answer->tooLarge = true;
        return 0; // anything but `length` makes curl stop with CURLE_WRITE_ERROR
    }
    answer->body.insert(answer->body.end(), data, data + length);
    return length;
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    bool add(const std::string& line) {
        curl_slist* grown = curl_slist_append(list, line.c_str());
        if (!grown) return false;
        list = grown;
        return true;
    }
};

// The message for a request that got no usable HTTP answer; `detail` is curl's own words (they name the host
// and port, never a header, so never the token).
std::string transportFailure(CURLcode code, const std::string& archive, const std::string& detail,
                             bool tooLarge) {
    const std::string name = "The archive \"" + archive + "\"";
    const std::string why = detail.empty() ? std::string(curl_easy_strerror(code)) : detail;
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return describeArchiveFailure(0, true, ArchiveAction::Retrieve, archive) + " (" + why + ")";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return name + " could not be reached: its host name is not known here (" + why +
               "). Check the URL and this node's name resolution.";
    case CURLE_COULDNT_CONNECT:
        return name + " could not be reached: nothing accepted the connection (" + why +
               "). The archive may be down, or the address or port in the URL is wrong.";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
        return name + " could not be reached securely: its HTTPS certificate could not be verified (" + why +
               "). If the hospital signs its own certificates, set DXLENS_ARCHIVE_CA_FILE to its CA bundle.";
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return "The answer of the archive \"" + archive + "\" was cut off before its end (" + why +
               "); try again.";
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (tooLarge || code == CURLE_FILESIZE_EXCEEDED)
            return name + " sent more than 2 GiB for one instance; the URL should name a single instance.";
        break;
    default:
        break;
    }
    return name + " could not be reached (" + why + ").";
}

} // namespace

bool isUrlInput(std::string_view input) {
    return startsWithNoCase(input, "http://") || startsWithNoCase(input, "https://");
}

Result<WadoInstanceUrl> parseWadoInstanceUrl(std::string_view url) {
    const std::string shown(url);
    if (!isUrlInput(url)) return Error(shown + ": not an http:// or https:// URL");
    if (url.find_first_of("?#") != std::string_view::npos)
        return Error(shown +
                     ": a WADO-RS instance URL has no query or fragment; give .../instances/<uid> alone");
    std::string_view rest = url.substr(url.find("://") + 3);
    const std::string_view authority = rest.substr(0, rest.find('/'));
    // Not sent (curl would pass them as Basic auth), and the message leaves the URL out: it holds a secret.
    if (authority.find('@') != std::string_view::npos)
        return Error("a URL with a user name or password in it is not used; give the archive's access token "
                     "in DXLENS_ARCHIVE_TOKEN instead");
    WadoInstanceUrl out;
    out.origin = urlOrigin(url);
    if (out.origin.empty() || authority.empty()) return Error(shown + ": the URL names no archive host");
    rest.remove_prefix(authority.size());
    const std::vector<std::string_view> s = pathSegments(rest);
    const size_t n = s.size();
    if (n < 6 || s[n - 6] != "studies" || s[n - 4] != "series" || s[n - 2] != "instances")
        return Error(shown + ": not a WADO-RS instance URL; list lines take "
                             "<archive>/studies/<study uid>/series/<series uid>/instances/<instance uid>");
    for (size_t k : {n - 5, n - 3, n - 1})
        if (!isDicomUid(s[k]))
            return Error(shown + ": '" + std::string(s[k]) + "' is not a DICOM UID (digits and dots)");
    out.studyUid = s[n - 5];
    out.seriesUid = s[n - 3];
    out.sopInstanceUid = s[n - 1];
    return out;
}

Result<Bytes> fetchDicomInstance(const std::string& url) {
    Result<WadoInstanceUrl> parsed = parseWadoInstanceUrl(url);
    if (!parsed) return parsed.error();
    const std::string archive = parsed->origin.substr(parsed->origin.find("://") + 3);
    auto failed = [&](const std::string& message) { return Error(url + ": " + message); };

    if (globalInit() != CURLE_OK) return failed("the HTTP library (libcurl) could not be started");
    thread_local ThreadHandle handle;
    if (!handle.curl) handle.curl = curl_easy_init();
    if (!handle.curl) return failed("the HTTP library (libcurl) could not be started");
    CURL* curl = handle.curl;
    curl_easy_reset(curl); // options of the previous request go; its open connections stay

    HeaderList headers;
    bool headersMade = headers.add(std::string("Accept: ") + kWadoDicomAccept);
    const char* token = std::getenv("DXLENS_ARCHIVE_TOKEN");
    const bool tokenSet = token && *token;
    if (tokenSet) {
        const std::string_view t(token);
        if (t.find_first_of("\r\n") != std::string_view::npos)
            return failed("DXLENS_ARCHIVE_TOKEN holds a line break; set it to the token alone");
        headersMade = headersMade && headers.add("Authorization: Bearer " + std::string(t));
    }
    if (!headersMade) return failed("out of memory while preparing the request");

    Answer answer;
    char errorText[CURL_ERROR_SIZE] = {0};
    const std::string agent = std::string("dxlens/") + buildInfo().version;
    const char* caFile = std::getenv("DXLENS_ARCHIVE_CA_FILE");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // no SIGALRM for timeouts: the run has several threads
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutS);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerS);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, kLowSpeedTimeS);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, kTotalTimeoutS);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (caFile && *caFile) curl_easy_setopt(curl, CURLOPT_CAINFO, caFile);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(kMaxAnswerBytes));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorText);
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr); // errorText ends with this call
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);  // so does the header list

    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK) return failed(transportFailure(code, archive, errorText, answer.tooLarge));
    if (status < 200 || status >= 300) {
        std::string why = describeArchiveFailure(int(status), false, ArchiveAction::Retrieve, archive);
        if (status == 401 || status == 403)
            why += tokenSet
                       ? " dxlens sent the token in DXLENS_ARCHIVE_TOKEN; it was not accepted."
                       : " dxlens sends a bearer token only when DXLENS_ARCHIVE_TOKEN is set; it is not.";
        if (status >= 300 && status < 400)
            why += " dxlens follows no redirect (it could carry the token to another address): list the "
                   "archive's own instance URL.";
        return failed(why);
    }
    const char* contentType = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &contentType);

    Result<MultipartBody> body = parseMultipartBody(contentType ? contentType : "", answer.body);
    if (!body) return failed(body.error().message);
    if (body->truncated) return failed(body->warning);
    Result<RetrievedInstances> got = dicomInstancesFromMultipart(*body);
    if (!got) return failed(got.error().message);
    if (got->instances.size() != 1)
        return failed("the archive answered " + std::to_string(got->instances.size()) +
                      " DICOM instances to a request for one; list one instance URL per line");
    // The instance's bytes moved to the front of the answer's buffer: no second copy of a large file.
    const size_t offset = size_t(got->instances[0].bytes.data() - answer.body.data());
    const size_t length = got->instances[0].bytes.size();
    answer.body.erase(answer.body.begin(), answer.body.begin() + std::ptrdiff_t(offset));
    answer.body.resize(length);
    return std::move(answer.body);
}

Result<Bytes> readInput(const std::string& pathOrUrl) {
    return isUrlInput(pathOrUrl) ? fetchDicomInstance(pathOrUrl) : readFileBytes(pathOrUrl);
}

std::string inputStem(const std::string& pathOrUrl) {
    if (isUrlInput(pathOrUrl)) {
        Result<WadoInstanceUrl> url = parseWadoInstanceUrl(pathOrUrl);
        if (url) return url->sopInstanceUid;
    }
    return std::filesystem::path(pathOrUrl).stem().string();
}

} // namespace dx
