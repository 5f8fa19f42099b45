// archive_config.h — the hospital DICOMweb archives a deployment names in archives.json (beside index.html), and
// the few URL rules every DICOMweb request builder shares.
//
// How to use:
//   dx::Result<dx::ArchivesConfig> cfg = dx::parseArchivesConfig(fileText);   // the text of archives.json
//   if (!cfg) show(cfg.error().message);   // "archives.json: archives[1].qidoRoot must be an http(s) URL ..."
//   const dx::ArchiveConfig* pacs = cfg->find("orthanc");
//   dx::ArchiveOrigins o = dx::archiveOrigins(*cfg);  // o.external: {"https://pacs.example.org:8443"}; o.appOrigin
//
// archives.json (names follow OHIF's dicomweb dataSources so a deployment can copy its values across):
//   { "archives": [ { "id": "orthanc", "name": "Radiology PACS",
//                     "qidoRoot": "/archive/orthanc/dicom-web", "wadoRoot": "/archive/orthanc/dicom-web",
//                     "stowRoot": "/archive/orthanc/dicom-web", "stowAllowed": false, "auth": "none",
//                     "supportsFuzzyMatching": false, "qidoSupportsIncludeField": true,
//                     "acceptHeader": "multipart/related; type=application/octet-stream; transfer-syntax=*" } ] }
//   id: letters, digits, '-' and '_' (the SDK and the UI refer to an archive by it); name: shown to the user.
//   Roots: an absolute http(s) URL or a path on the app's own origin ("/archive/..."), no query, no fragment,
//   no user:password@ (credentials never live in a file the browser downloads); a trailing '/' is dropped.
//   stowRoot defaults to wadoRoot; stowAllowed (default false) is the only switch that lets DxLens send results
//   to the archive. auth "bearer": the embedding portal passes a token, which the JS layer keeps in memory and
//   sends only to this archive's roots (core never sees it). acceptHeader (a string, or OHIF's array of strings)
//   replaces the Accept of frame retrieval. Unknown keys are refused so a misspelt key is noticed, not ignored.
//
// archiveOrigins() gives exactly the origins the CSP connect-src and the service worker must allow. Origins are
// written as the browser's URL.origin writes them (lowercase scheme and host, default port left out), so JS can
// compare `new URL(request.url).origin` with them by string equality.
#pragma once

#include "core/base/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace dx {

inline constexpr const char* kArchivesConfigFileName = "archives.json";

enum class ArchiveAuth : uint8_t { None, Bearer };

struct ArchiveConfig {
    std::string id;
    std::string name;
    std::string qidoRoot; // no trailing '/': request paths are appended as "/studies?..."
    std::string wadoRoot;
    std::string stowRoot; // wadoRoot when the file names none
    bool stowAllowed = false;
    ArchiveAuth auth = ArchiveAuth::None;
    bool supportsFuzzyMatching = false;
    bool qidoSupportsIncludeField = false;
    std::string acceptHeader; // empty: kWadoFramesAccept (wado.h)
};

struct ArchivesConfig {
    std::vector<ArchiveConfig> archives;
    const ArchiveConfig* find(std::string_view id) const; // nullptr when no archive has that id
};

Result<ArchivesConfig> parseArchivesConfig(std::string_view jsonText);

struct ArchiveOrigins {
    std::vector<std::string> external; // sorted, unique: "https://pacs.example.org", "http://127.0.0.1:8042"
    bool appOrigin = false;            // some root is a path on the app's own origin ('self' covers it)
};
ArchiveOrigins archiveOrigins(const ArchivesConfig& config);

// The origin of an absolute http(s) URL as URL.origin writes it; empty for a relative path or a non-http URL.
std::string urlOrigin(std::string_view url);

// Percent-encoding for a query value or a path segment: everything except A-Z a-z 0-9 - . _ ~ and the QIDO
// wildcard '*' and list separator ',' is encoded as %XX (UTF-8 bytes as they are, space as %20, never '+').
std::string percentEncode(std::string_view text);

// A DICOM UID as it may appear in a request path: 1 to 64 characters of digits and dots, not only dots. Anything
// else is refused before it reaches a URL (a "../" in a UID would otherwise walk out of the archive's root).
bool isDicomUid(std::string_view uid);

} // namespace dx
