// archive_bridge.cpp — the study browser's requests leave through the page (web/dicomweb.mjs fetches them) and
// its answers come back here; the page's API (dx-api.mjs: archiveSearch, archiveOpenSeries, archiveStatus, ...)
// drives the same commands as the Open from archive window.
//
//   dx_js_archive_fetch(id, archiveId, method, url, accept, timeoutMs, maxBytes, stream, contentType, body, length)
//                                                  C++ -> page: fetch this (stream 1: a 2xx body comes back in
//                                                  pieces, then the answer; body/length: a POST's body)
//   dx_js_archive_cancel(id)                                                       C++ -> page: abort it
//   dx_app_archive_configure(archivesJsonText) -> 1|0   archives.json as the app's own origin served it
//   dx_app_archive_answer(id, status, timedOut, tooLarge, contentType, networkError, bytes, length)
//   dx_app_archive_progress(id, bytesDone, bytesTotal)
//   dx_app_archive_piece(id, contentType, bytes, length)   a streamed body's next piece, as it arrived
//   dx_app_archive_search(queryJson) -> 1|0   {archive, patientId, patientName, dateFrom, dateTo, modality,
//                                              accession, page, pageSize}; fields left out keep their value
//   dx_app_archive_use(archiveId) -> 1|0      which configured archive the next commands use
//   dx_app_archive_select(index) -> 1|0       a result row: lists its series and their thumbnails
//   dx_app_archive_open_series(studyUid, seriesUid) -> retrieval id (0: not started; see the status message)
//   dx_app_archive_open_study(studyUid) -> series started (or 1 while its series are being listed)
//   dx_app_archive_cancel()
//   dx_app_archive_show(visible)
//   dx_app_archive_status() -> JSON text (caller frees)
//   dx_app_archive_send() -> send id (0: nothing sent; the send status says why)   Send results to archive
//   dx_app_archive_send_status(id) -> JSON text (caller frees); id 0: the selected study's latest, and whether
//                                     the command is offered/possible now
// The bearer token never comes here: the page keeps it and adds it to requests for its archive only.
#include "app/archive_browser.h"
#include "app/archive_send.h"
#include "platform/web/web_services.h"

#include <emscripten/emscripten.h>
#include <nlohmann/json.hpp>

#include <cstdio>

extern "C" void dx_js_archive_fetch(int id, const char* archiveId, const char* method, const char* url,
                                    const char* accept, int timeoutMs, double maxBytes, int stream,
                                    const char* contentType, const uint8_t* body, int length);
extern "C" void dx_js_archive_cancel(int id);

namespace dx::web {

void installArchiveTransport(ArchiveTransport& transport) {
    transport.start = [](const ArchiveFetch& f) {
        dx_js_archive_fetch(f.id, f.archiveId.c_str(), f.request.method.c_str(), f.request.url.c_str(),
                            f.request.accept.c_str(), f.timeoutMs, double(f.maxBytes), f.stream ? 1 : 0,
                            f.request.contentType.c_str(), f.body.data(), int(f.body.size()));
    };
    transport.cancel = [](int id) { dx_js_archive_cancel(id); };
}

static nlohmann::json optionalInt(const std::optional<int>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
}

static nlohmann::json statusJson(const AppState& state) {
    const ArchiveBrowser& b = *state.archive;
    nlohmann::json archives = nlohmann::json::array();
    for (const ArchiveConfig& a : b.config.archives)
        archives.push_back({{"id", a.id},
                            {"name", a.name},
                            {"auth", a.auth == ArchiveAuth::Bearer ? "bearer" : "none"},
                            {"stowAllowed", a.stowAllowed}});
    static const char* kSearchStates[] = {"idle", "searching", "done", "failed"};
    nlohmann::json studies = nlohmann::json::array();
    for (const StudyRecord& s : b.studies)
        studies.push_back({{"studyUid", s.studyInstanceUid},
                           {"patientName", s.patientName},
                           {"patientId", s.patientId},
                           {"studyDate", s.studyDate},
                           {"description", s.studyDescription},
                           {"accession", s.accessionNumber},
                           {"modalities", s.modalities},
                           {"series", optionalInt(s.numberOfSeries)},
                           {"instances", optionalInt(s.numberOfInstances)}});
    static const char* kThumbnailStates[] = {"none", "loading", "ready", "failed"};
    nlohmann::json series = nlohmann::json::array();
    for (const ArchiveSeriesRow& row : b.series)
        series.push_back({{"seriesUid", row.record.seriesInstanceUid},
                          {"modality", row.record.modality},
                          {"number", optionalInt(row.record.seriesNumber)},
                          {"description", row.record.seriesDescription},
                          {"instances", optionalInt(row.record.numberOfInstances)},
                          {"thumbnail",
                           {{"state", kThumbnailStates[int(row.thumbnail.state)]},
                            {"width", row.thumbnail.width},
                            {"height", row.thumbnail.height},
                            {"message", row.thumbnail.message}}}});
    nlohmann::json retrievals = nlohmann::json::array();
    for (const ArchiveRetrieval& r : b.retrievals)
        retrievals.push_back({{"id", r.id},
                              {"studyUid", r.studyUid},
                              {"seriesUid", r.seriesUid},
                              {"label", r.label},
                              {"state", retrievalStateName(r.state)},
                              {"wholeSeries", r.wholeSeries},
                              {"instancesTotal", r.instancesTotal},
                              {"instancesPlanned", r.instancesPlanned},
                              {"instancesOpened", r.instancesOpened},
                              {"instancesFailed", r.instancesFailed},
                              {"framesNotLoaded", r.framesNotLoaded},
                              {"bytesDone", r.bytesDone},
                              {"bytesTotal", r.bytesTotal},
                              {"studyIds", r.studyIds},
                              {"message", r.message},
                              {"problems", r.problems},
                              {"timings",
                               {{"listMs", r.listedMs > 0 ? r.listedMs - r.startedMs : 0.0},
                                {"totalMs", r.finishedMs > 0 ? r.finishedMs - r.startedMs : 0.0},
                                {"decodeMs", r.decodeMs}}}});
    return {{"configured", !b.config.archives.empty()},
            {"configMessage", b.configMessage},
            {"archives", std::move(archives)},
            {"archive", currentArchive(state) ? currentArchive(state)->id : ""},
            {"search",
             {{"state", kSearchStates[int(b.searchState)]},
              {"message", b.searchMessage},
              {"page", b.page},
              {"pageSize", b.pageSize},
              {"hasNextPage", b.hasNextPage},
              {"skipped", b.skipped},
              {"studies", std::move(studies)}}},
            {"selected", b.selected},
            {"series",
             {{"studyUid", b.seriesOfStudy},
              {"loading", b.seriesLoading},
              {"message", b.seriesMessage},
              {"rows", std::move(series)}}},
            {"retrievals", std::move(retrievals)},
            {"inFlight", archiveRequestsInFlight(state)},
            {"waiting", archiveRequestsWaiting(state)},
            {"busy", archiveBusy(state)},
            {"memoryBudgetMB", int(b.memoryBudgetBytes >> 20)},
            {"message", b.message},
            {"visible", state.views.showArchiveBrowser}};
}

} // namespace dx::web

using namespace dx;
using namespace dx::web;

extern "C" {

EMSCRIPTEN_KEEPALIVE int dx_app_archive_configure(const char* archivesJsonText) {
    AppState& state = services().state;
    const bool ok = configureArchives(state, archivesJsonText);
    if (!state.archive->configMessage.empty())
        std::fprintf(stderr, "DxLens: archives.json: %s\n", state.archive->configMessage.c_str());
    return ok ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void dx_app_archive_answer(int id, int status, int timedOut, int tooLarge,
                                                const char* contentType, const char* networkError,
                                                const uint8_t* bytes, int length) {
    ArchiveAnswer a;
    a.status = status;
    a.timedOut = timedOut != 0;
    a.tooLarge = tooLarge != 0;
    a.contentType = contentType;
    a.networkError = networkError;
    if (length > 0) a.body.assign(bytes, bytes + length);   // the page frees its copy when this returns
    if (archiveSendAnswer(services().state, id, a)) return; // a STOW-RS upload (archive_send.h)
    archiveAnswer(services().state, id, std::move(a));
}

EMSCRIPTEN_KEEPALIVE void dx_app_archive_progress(int id, double bytesDone, double bytesTotal) {
    archiveProgress(services().state, id, bytesDone, bytesTotal);
}

EMSCRIPTEN_KEEPALIVE void dx_app_archive_piece(int id, const char* contentType, const uint8_t* bytes,
                                               int length) {
    // Read (and the complete parts opened) before this returns: the page frees its copy right after.
    if (length > 0) archiveBodyPiece(services().state, id, contentType, {bytes, size_t(length)});
}

EMSCRIPTEN_KEEPALIVE int dx_app_archive_search(const char* queryJson) {
    AppState& state = services().state;
    if (!state.archive) return 0;
    ArchiveBrowser& b = *state.archive;
    const nlohmann::json q = nlohmann::json::parse(queryJson, nullptr, false);
    if (!q.is_object()) return 0;
    const auto text = [&](const char* key, std::string& into) {
        if (q.contains(key) && q[key].is_string()) into = q[key].get<std::string>();
    };
    if (q.contains("archive") && q["archive"].is_string())
        for (size_t i = 0; i < b.config.archives.size(); i++)
            if (b.config.archives[i].id == q["archive"].get<std::string>()) b.archiveIndex = int(i);
    text("patientId", b.form.patientId);
    text("patientName", b.form.patientName);
    text("dateFrom", b.form.studyDateFrom);
    text("dateTo", b.form.studyDateTo);
    text("modality", b.form.modality);
    text("accession", b.form.accessionNumber);
    if (q.contains("pageSize") && q["pageSize"].is_number_integer()) b.pageSize = q["pageSize"].get<int>();
    const int page = q.contains("page") && q["page"].is_number_integer() ? q["page"].get<int>() : 0;
    return searchArchive(state, page) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int dx_app_archive_use(const char* archiveId) {
    ArchiveBrowser& b = services().archive;
    for (size_t i = 0; i < b.config.archives.size(); i++)
        if (b.config.archives[i].id == archiveId) {
            if (b.archiveIndex != int(i)) {
                b.archiveIndex = int(i);
                b.studies.clear();
                b.series.clear();
                b.seriesOfStudy.clear();
                b.selected = -1;
            }
            return 1;
        }
    return 0;
}

EMSCRIPTEN_KEEPALIVE int dx_app_archive_select(int index) {
    return selectArchiveStudy(services().state, index) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int dx_app_archive_open_series(const char* studyUid, const char* seriesUid) {
    return openArchiveSeries(services().state, studyUid, seriesUid);
}

EMSCRIPTEN_KEEPALIVE int dx_app_archive_open_study(const char* studyUid) {
    return openArchiveStudy(services().state, studyUid);
}

EMSCRIPTEN_KEEPALIVE void dx_app_archive_cancel() {
    cancelArchiveWork(services().state);
}

EMSCRIPTEN_KEEPALIVE void dx_app_archive_show(int visible) {
    services().state.views.showArchiveBrowser = visible != 0 && archivesAvailable(services().state);
}

EMSCRIPTEN_KEEPALIVE char* dx_app_archive_status() {
    return mallocText(statusJson(services().state).dump());
}

EMSCRIPTEN_KEEPALIVE int dx_app_archive_send() {
    return sendResultsToArchive(services().state);
}

EMSCRIPTEN_KEEPALIVE char* dx_app_archive_send_status(int id) {
    const AppState& state = services().state;
    std::string why;
    const bool possible = canSendResultsToArchive(state, &why);
    const ArchiveSendRecord* r = id ? findArchiveSend(state, id) : lastArchiveSendOfSelected(state);
    nlohmann::json out = {{"offered", sendToArchiveOffered(state)}, {"possible", possible}, {"why", why}};
    if (r) {
        auto outcomes = [](const std::vector<StowInstanceOutcome>& list) {
            nlohmann::json a = nlohmann::json::array();
            for (const StowInstanceOutcome& o : list)
                a.push_back({{"sopClassUid", o.sopClassUid},
                             {"sopInstanceUid", o.sopInstanceUid},
                             {"retrieveUrl", o.retrieveUrl},
                             {"failureReason", optionalInt(o.failureReason)},
                             {"warningReason", optionalInt(o.warningReason)},
                             {"reason", o.reasonText}});
            return a;
        };
        out["send"] = {{"id", r->id},
                       {"state", archiveSendStateName(r->state)},
                       {"archive", r->archiveId},
                       {"studyUid", r->studyUid},
                       {"files", r->files},
                       {"httpStatus", r->httpStatus},
                       {"listed", r->listed},
                       {"stored", outcomes(r->stored)},
                       {"failed", outcomes(r->failed)},
                       {"message", r->message}};
    } else {
        out["send"] = nullptr;
    }
    return mallocText(out.dump());
}

} // extern "C"
