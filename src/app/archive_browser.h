// archive_browser.h — the study browser: search a hospital archive (QIDO-RS), list a study's series with
// thumbnails, and open a series or a whole study (WADO-RS) into the study list, where each retrieved instance
// is an opened DICOM file like any other (viewer, auto-analysis, batch, validation). The requests are made by
// the platform (web/dicomweb.mjs fetches); this file decides what to ask, reads the answers with
// src/core/dicomweb, and keeps what the view and the page's API show.
//
// How to use (the platform owns one ArchiveBrowser and points AppState::archive at it):
//   browser.transport.start = [](const ArchiveFetch& f) { ... fetch f.request.url, then archiveAnswer(...) };
//   browser.transport.cancel = [](int fetchId) { ... abort it; no answer is expected any more };
//   dx::configureArchives(state, archivesJsonText);   // archives.json, as the app's own origin serves it
//   dx::searchArchive(state);                         // state.archive->form: patient, dates, modality, accession
//   dx::selectArchiveStudy(state, 0);                 // its series, then one thumbnail per series
//   dx::openArchiveSeries(state, studyUid, seriesUid); // whole series in one request, within the memory budget
//   dx::archiveAnswer(state, fetchId, answer);        // the platform, when a request ended (any way)
//   dx::archiveProgress(state, fetchId, done, total); // bytes of a retrieval as they arrive
//   dx::archiveBodyPiece(state, fetchId, contentType, bytes); // a streamed answer's body, piece by piece
//   dx::cancelArchiveWork(state);                     // every request in flight or waiting
//
// Requests: at most maxInFlight at once (the rest wait here, in order), each with a timeout the platform
// enforces and a byte limit it must not read past. Every failure (401/403/404, no answer or a CORS refusal,
// a timeout, a malformed answer, a syntax our codecs do not decode) becomes a message a clinician can read,
// and the browser stays usable: a new search or another series can follow at once.
//
// Memory: a series is asked for whole at once (`transfer-syntax=*`, the archive's own encoding: the fastest way),
// with no instance list first (an archive takes about as long to list a series as to send it). That answer may
// bring at most the budget still free in bytes; each part's own DICOM header (Rows x Columns x frames x samples,
// no pixels) sizes what it decodes to, and the parts are opened in instance order until memoryBudgetBytes is
// spent. An answer past the byte limit is abandoned and the series is planned from its instance list (QIDO-RS):
// within the budget (and at most wholeSeriesMaxInstances instances) it comes whole again, else instance by
// instance, in instance order, until the budget is spent. Either way the browser says how many instances (and
// frames) it did not load and why. Decoded pixels already opened count against the budget too.
#pragma once

#include "app/app_state.h"
#include "core/base/bytes.h"
#include "core/dicomweb/archive_config.h"
#include "core/dicomweb/qido.h"
#include "core/dicomweb/wado.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dx {

// What the platform fetches: one HTTP request to one configured archive.
struct ArchiveFetch {
    int id = 0;
    std::string archiveId; // the platform adds the archive's bearer token (if any) only for this archive
    ArchiveRequest request;
    int timeoutMs = 30000;
    uint64_t maxBytes = 0; // the answer is abandoned (tooLarge) past this many bytes; 0: no limit
    // The platform may hand a 2xx body over in pieces as they arrive (archiveBodyPiece) instead of in the answer:
    // a whole series' instances are then decoded while the later ones are still on their way.
    bool stream = false;
    Bytes body; // POST only (STOW-RS, archive_send.h), sent with request.contentType
};

// How a request ended, as the platform saw it.
struct ArchiveAnswer {
    int status = 0;          // HTTP status; 0 when no HTTP answer came (network down, CORS refusal, aborted)
    bool timedOut = false;   // the platform gave up after ArchiveFetch::timeoutMs
    bool tooLarge = false;   // the body passed ArchiveFetch::maxBytes and was not read further
    std::string contentType; // the Content-Type header (the multipart boundary and transfer syntax are in it)
    std::string networkError; // the browser's own words when there was no answer (for the developer console)
    Bytes body;
};

struct ArchiveTransport {
    std::function<void(const ArchiveFetch&)> start;
    std::function<void(int fetchId)> cancel;
};

// A series' first image, small, for the series list (RGBA, at most kArchiveThumbnailSize on its longer side).
inline constexpr int kArchiveThumbnailSize = 64;
struct ArchiveThumbnail {
    enum class State : uint8_t { None, Loading, Ready, Failed };
    State state = State::None;
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;
    std::string message; // why there is none
    int version = 0;     // bumped when the pixels change (the view re-uploads its texture)
};

// One retrieval of a series into the study list: its progress and outcome.
struct ArchiveRetrieval {
    enum class State : uint8_t { Listing, Retrieving, Done, Failed, Cancelled };
    int id = 0;
    std::string studyUid, seriesUid;
    std::string archiveId; // the archive it came from (archive_send.h sends results back only there)
    std::string label;     // "MR — T1 axial (20 instances)"
    State state = State::Listing;
    bool wholeSeries = true;  // one request for the whole series, else instance by instance
    int instancesTotal = 0;   // in the archive
    int instancesPlanned = 0; // what fits the memory budget
    int instancesOpened = 0;  // now in the study list, decoded
    int instancesFailed = 0;  // retrieved but not decodable (e.g. a transfer syntax we do not read)
    int framesNotLoaded = 0;  // frames of the instances left out for the memory limit
    double bytesDone = 0, bytesTotal = 0; // of the request(s) in flight; bytesTotal 0 when unknown
    std::vector<int> studyIds;            // the study list entries it made
    std::string message;                  // the outcome, or the first problem, in words
    std::vector<std::string> problems;
    std::vector<std::string> pendingSops; // instance by instance: still to retrieve, in order
    std::vector<std::string> plannedSops; // instance by instance: every SOP instance UID planned
    uint64_t plannedBytes = 0;            // estimated decoded bytes of what is planned
    // Timings (monotonicMs): the open command, the instance list's answer, the end; and the time spent reading
    // the answers and decoding their instances into the study list (bench/archive_open_bench.mjs reports them).
    double startedMs = 0, listedMs = 0, finishedMs = 0, decodeMs = 0;
    // Planned from the instance list (QIDO-RS); false while the whole series is asked for without one, sized
    // from its parts' own headers.
    bool listed = false;
    // Not planned from the list: whether the budget is spent (by what its parts' headers say they decode to),
    // and the instances opened (SOP instance UIDs), which a plan made later does not fetch again.
    bool budgetFull = false;
    std::vector<std::string> openedSops;
    // A streamed whole-series answer: the bytes after the last complete part, and the answer's Content-Type.
    Bytes arriving;
    std::string arrivingType;
};

struct ArchiveSeriesRow {
    SeriesRecord record;
    ArchiveThumbnail thumbnail;
    std::optional<std::vector<InstanceRecord>> instances; // once listed (QIDO-RS)
};

struct ArchiveBrowser {
    ArchiveTransport transport;
    ArchivesConfig config;
    std::string configMessage; // why archives.json could not be read ("" when fine or absent)
    int archiveIndex = 0;      // the archive searched (config.archives)

    StudySearch form; // patient ID/name, date range, modality, accession; form.limit is the page size
    int pageSize = 25;
    int page = 0;

    enum class SearchState : uint8_t { Idle, Searching, Done, Failed };
    SearchState searchState = SearchState::Idle;
    std::vector<StudyRecord> studies; // this page's results
    bool hasNextPage = false;
    size_t skipped = 0;        // answers without a UID
    std::string searchMessage; // "12 studies", or why the search failed
    int selected = -1;         // index into studies; -1 none

    std::string seriesOfStudy; // the study whose series are listed
    bool seriesLoading = false;
    std::string seriesMessage;
    std::vector<ArchiveSeriesRow> series;
    int selectedSeries = -1;

    std::vector<ArchiveRetrieval> retrievals; // newest last
    std::string message;                      // the last thing that happened, for the view's status line

    int maxInFlight = 4;
    int searchTimeoutMs = 30000;
    int retrieveTimeoutMs = 300000;
    uint64_t memoryBudgetBytes = uint64_t(768) << 20; // decoded pixels one series (or study) may add
    int wholeSeriesMaxInstances = 400;
    uint64_t thumbnailMaxBytes = uint64_t(32) << 20; // a first instance bigger than this gets no thumbnail

    // Internal bookkeeping (read by tests through the functions below).
    enum class Purpose : uint8_t {
        Search,
        SeriesList,
        InstanceList,
        Thumbnail,
        RetrieveSeries,
        RetrieveInstance,
        StudySeriesList
    };
    struct Pending {
        Purpose purpose = Purpose::Search;
        int retrieval = 0; // ArchiveRetrieval::id
        std::string studyUid, seriesUid, sopUid;
        int generation = 0;   // searches and series lists: answers for an older one are dropped
        bool started = false; // handed to the transport (else waiting here)
        ArchiveFetch fetch;
    };
    std::map<int, Pending> pending; // by fetch id
    std::deque<int> waiting;        // fetch ids not yet started, in order
    int nextFetchId = 1;
    int nextRetrievalId = 1;
    int searchGeneration = 0;
    int seriesGeneration = 0;
    std::vector<std::string> studiesToOpen; // open-whole-study requests waiting for their series list
};

// Reads archives.json (its text; empty text means no file: no archives). False when it names none or cannot be
// read; the reason, if any, in configMessage.
bool configureArchives(AppState& state, std::string_view archivesJsonText);
// The deployment names at least one archive (the File menu offers the browser only then).
bool archivesAvailable(const AppState& state);
const ArchiveConfig* currentArchive(const AppState& state);

// Starts a search with state.archive->form at `page` (0-based); a search in flight is cancelled. False (with
// searchMessage saying why) when the form is wrong or there is no archive.
bool searchArchive(AppState& state, int page = 0);
// Selects a result (index into studies) and lists its series, then loads one thumbnail per series.
bool selectArchiveStudy(AppState& state, int index);
// Retrieves a series into the study list; returns the retrieval id (0 when it could not start: see message).
int openArchiveSeries(AppState& state, const std::string& studyUid, const std::string& seriesUid);
// Every series of a study, one retrieval each; returns how many could start (or, with its series list still
// to come, 1 and they start once it arrives).
int openArchiveStudy(AppState& state, const std::string& studyUid);
// Cancels every request in flight or waiting; retrievals under way end as Cancelled (what was opened stays).
void cancelArchiveWork(AppState& state);

void archiveAnswer(AppState& state, int fetchId, ArchiveAnswer answer);
void archiveProgress(AppState& state, int fetchId, double bytesDone, double bytesTotal);
// A piece of a streamed answer's body (ArchiveFetch::stream), in order; archiveAnswer follows with the rest.
void archiveBodyPiece(AppState& state, int fetchId, std::string_view contentType,
                      std::span<const uint8_t> bytes);

const ArchiveRetrieval* findRetrieval(const AppState& state, int retrievalId);
int archiveRequestsInFlight(const AppState& state);
int archiveRequestsWaiting(const AppState& state);
// True while any search, list, thumbnail or retrieval is under way.
bool archiveBusy(const AppState& state);

// "DOE^JANE" -> "DOE, JANE"; "20240131" -> "2024-01-31" (as sent when not 8 digits).
std::string displayPersonName(const std::string& dicomName);
std::string displayDicomDate(const std::string& yyyymmdd);
// A retrieval's state in words for the page's API ("listing", "retrieving", "done", "failed", "cancelled").
const char* retrievalStateName(ArchiveRetrieval::State state);

} // namespace dx
