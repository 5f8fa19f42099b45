// wado.cpp — WADO-RS requests, the parts of their answers, and what a failed archive request means to the user.
#include "core/dicomweb/wado.h"

#include "core/dicom/dicom_parser.h"

#include <algorithm>

namespace dx {

namespace {

constexpr const char* kExplicitVrLittleEndian = "1.2.840.10008.1.2.1";

Result<void> checkUid(std::string_view uid, const char* what) {
    if (isDicomUid(uid)) return {};
    return Error("The " + std::string(what) + " \"" + std::string(uid.substr(0, 80)) +
                 "\" is not a DICOM UID (digits and dots, at most 64 characters).");
}

Result<std::string> studyPath(const ArchiveConfig& archive, std::string_view studyUid,
                              std::string_view seriesUid, std::string_view sopUid, int depth) {
    if (Result<void> ok = checkUid(studyUid, "study UID"); !ok) return ok.error();
    std::string path = archive.wadoRoot + "/studies/" + std::string(studyUid);
    if (depth >= 2) {
        if (Result<void> ok = checkUid(seriesUid, "series UID"); !ok) return ok.error();
        path += "/series/" + std::string(seriesUid);
    }
    if (depth >= 3) {
        if (Result<void> ok = checkUid(sopUid, "instance UID"); !ok) return ok.error();
        path += "/instances/" + std::string(sopUid);
    }
    return path;
}

Result<ArchiveRequest> dicomRequest(Result<std::string> path) {
    if (!path) return path.error();
    ArchiveRequest r;
    r.url = *path;
    r.accept = kWadoDicomAccept;
    return r;
}

std::string partName(size_t index) {
    return "part " + std::to_string(index + 1);
}

} // namespace

Result<ArchiveRequest> wadoStudyRequest(const ArchiveConfig& archive, std::string_view studyUid) {
    return dicomRequest(studyPath(archive, studyUid, {}, {}, 1));
}

Result<ArchiveRequest> wadoSeriesRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                         std::string_view seriesUid) {
    return dicomRequest(studyPath(archive, studyUid, seriesUid, {}, 2));
}

Result<ArchiveRequest> wadoInstanceRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                           std::string_view seriesUid, std::string_view sopInstanceUid) {
    return dicomRequest(studyPath(archive, studyUid, seriesUid, sopInstanceUid, 3));
}

Result<ArchiveRequest> wadoFramesRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                         std::string_view seriesUid, std::string_view sopInstanceUid,
                                         std::span<const int> frameNumbers) {
    Result<std::string> path = studyPath(archive, studyUid, seriesUid, sopInstanceUid, 3);
    if (!path) return path.error();
    if (frameNumbers.empty()) return Error("No frame was asked for: frame numbers start at 1.");
    std::string list;
    for (int f : frameNumbers) {
        if (f < 1) return Error("Frame " + std::to_string(f) + " does not exist: frame numbers start at 1.");
        if (!list.empty()) list += ',';
        list += std::to_string(f);
    }
    ArchiveRequest r;
    r.url = *path + "/frames/" + list;
    r.accept = archive.acceptHeader.empty() ? kWadoFramesAccept : archive.acceptHeader;
    return r;
}

Result<ArchiveRequest> wadoMetadataRequest(const ArchiveConfig& archive, std::string_view studyUid,
                                           std::string_view seriesUid) {
    Result<std::string> path = studyPath(archive, studyUid, seriesUid, {}, seriesUid.empty() ? 1 : 2);
    if (!path) return path.error();
    ArchiveRequest r;
    r.url = *path + "/metadata";
    r.accept = kWadoMetadataAccept;
    return r;
}

Result<RetrievedInstances> dicomInstancesFromMultipart(const MultipartBody& body) {
    RetrievedInstances out;
    for (size_t i = 0; i < body.parts.size(); i++) {
        const MultipartPart& p = body.parts[i];
        if (!p.complete) {
            out.problems.push_back("The answer was cut off inside " + partName(i) +
                                   ": that object was not loaded. Try opening it again.");
            continue;
        }
        // An untyped part inherits the answer's type; a single-part answer is typed by the response itself.
        const std::string& type = p.mediaType.empty() ? body.rootType : p.mediaType;
        if (!type.empty() && type != "application/dicom") {
            out.problems.push_back(partName(i) + " is " + type + ", not a DICOM object; it was skipped.");
            continue;
        }
        // The Part-10 marker (preamble + "DICM") is what the decoder expects of a retrieved file.
        bool part10 = p.data.size() >= 132 && std::equal(p.data.begin() + 128, p.data.begin() + 132, "DICM");
        if (!part10 || !looksLikeDicom(p.data)) {
            out.problems.push_back(partName(i) + " (" + std::to_string(p.data.size()) +
                                   " bytes) is not a DICOM file; it was skipped.");
            continue;
        }
        RetrievedInstance inst;
        inst.bytes = p.data;
        inst.partIndex = i;
        inst.transferSyntaxUid = p.transferSyntaxUid;
        inst.contentLocation = p.contentLocation;
        out.instances.push_back(std::move(inst));
    }
    if (body.truncated && (body.parts.empty() || body.parts.back().complete))
        out.problems.push_back(body.warning);
    if (out.instances.empty()) {
        if (!out.problems.empty())
            return Error("The archive sent no usable DICOM object: " + out.problems.front());
        return Error("The archive sent no DICOM object: the answer holds no parts.");
    }
    return out;
}

Result<RetrievedFrames> framesFromMultipart(const MultipartBody& body) {
    RetrievedFrames out;
    for (size_t i = 0; i < body.parts.size(); i++) {
        const MultipartPart& p = body.parts[i];
        if (!p.complete) {
            out.problems.push_back("The answer was cut off inside " + partName(i) +
                                   ": that frame was not loaded. Try opening it again.");
            continue;
        }
        RetrievedFrame f;
        f.bytes = p.data;
        f.partIndex = i;
        f.mediaType = p.mediaType.empty() ? body.rootType : p.mediaType;
        if (f.mediaType.empty()) f.mediaType = "application/octet-stream";
        f.transferSyntaxUid = p.transferSyntaxUid;
        if (f.transferSyntaxUid.empty() && f.mediaType == "application/octet-stream")
            f.transferSyntaxUid = kExplicitVrLittleEndian;
        if (f.transferSyntaxUid.empty()) {
            out.problems.push_back(partName(i) + " is " + f.mediaType +
                                   " without a transfer syntax, so DxLens cannot tell how to decode it.");
            continue;
        }
        f.syntax = &findTransferSyntax(f.transferSyntaxUid);
        if (p.data.empty()) {
            out.problems.push_back(partName(i) + " is empty.");
            continue;
        }
        out.frames.push_back(std::move(f));
    }
    if (body.truncated && (body.parts.empty() || body.parts.back().complete))
        out.problems.push_back(body.warning);
    if (out.frames.empty()) {
        if (!out.problems.empty()) return Error("The archive sent no usable frame: " + out.problems.front());
        return Error("The archive sent no frame: the answer holds no parts.");
    }
    return out;
}

std::string describeArchiveFailure(int httpStatus, bool timedOut, ArchiveAction action,
                                   std::string_view archiveName) {
    const std::string name =
        archiveName.empty() ? std::string("The archive") : "The archive \"" + std::string(archiveName) + "\"";
    const char* what = action == ArchiveAction::Search     ? "search"
                       : action == ArchiveAction::Retrieve ? "image request"
                                                           : "upload";
    if (timedOut)
        return name + " did not answer the " + what +
               " in time. It may be busy or unreachable; try again, or open fewer images at once.";
    if (httpStatus >= 200 && httpStatus < 300) return {};
    const std::string code = " (HTTP " + std::to_string(httpStatus) + ")";
    switch (httpStatus) {
    case 0:
        return name +
               " could not be reached: the network is down, its address is wrong, or it refused this site "
               "(CORS). Ask the administrator to serve it through this site's own address or to allow this "
               "site's origin.";
    case 400:
        return name + " did not understand the " + what + code +
               ". Check the search fields; if they are right, "
               "the archive does not support this kind of request.";
    case 401:
        return name + " asks for a sign-in" + code +
               ": the access token is missing, wrong or expired. "
               "Sign in again in the portal that opened DxLens.";
    case 403:
        return name + " refused the " + what + code + ": this account is not allowed to " +
               (action == ArchiveAction::Store ? "store results there." : "see these studies.");
    case 404:
        return action == ArchiveAction::Retrieve
                   ? name + " does not have this study or series" + code +
                         ". It may have been moved or deleted."
                   : name + " has no such address" + code + ". Check the archive's address in archives.json.";
    case 406:
    case 415:
        return name + " cannot send or take the format DxLens asked for" + code +
               ". Its DICOMweb support may be limited; ask its administrator.";
    case 409:
        return name + " refused the " + what + code + " because it conflicts with what it already stores.";
    case 413:
        return name + " refused the " + what + code + " because it is too large.";
    case 429:
        return name + " is receiving too many requests" + code + ". Wait a moment and try again.";
    default:
        break;
    }
    if (httpStatus >= 500 && httpStatus < 600)
        return name + " failed while handling the " + what + code +
               ". The problem is on the archive's side; try again later or tell its administrator.";
    return name + " answered the " + what + " with an unexpected status" + code + ".";
}

} // namespace dx
