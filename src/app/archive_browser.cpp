// archive_browser.cpp — the study browser's logic (see archive_browser.h): which DICOMweb requests to make, in
// what order and how many at once, and what their answers mean for the study list and the user.
#include "app/archive_browser.h"

#include "app/app_commands.h"
#include "app/i18n.h"
#include "core/dicom/dicom_dictionary.h"
#include "core/dicom/dicom_parser.h"
#include "core/dicomweb/multipart.h"
#include "core/image/render.h"
#include "core/inference/inference.h" // monotonicMs
#include "core/intake/image_decoder.h"
#include "core/viewer/workspace.h"

#include <algorithm>
#include <cctype>

namespace dx {

namespace {

using Purpose = ArchiveBrowser::Purpose;

// A QIDO answer is a few kilobytes per study; anything near this is not a search answer.
constexpr uint64_t kQidoMaxBytes = uint64_t(32) << 20;

bool succeeded(const ArchiveAnswer& a) {
    return a.status >= 200 && a.status < 300 && !a.timedOut && !a.tooLarge;
}

std::string_view bodyText(const ArchiveAnswer& a) {
    return {reinterpret_cast<const char*>(a.body.data()), a.body.size()};
}

std::string failureText(const ArchiveAnswer& a, ArchiveAction action, const ArchiveConfig& archive) {
    if (a.tooLarge)
        return trf("%s sent more than DxLens can hold for this request, so it was not read to the end.",
                   archive.name.c_str());
    return describeArchiveFailure(a.status, a.timedOut, action, archive.name);
}

int startedCount(const ArchiveBrowser& b) {
    int n = 0;
    for (const auto& [id, p] : b.pending)
        n += p.started ? 1 : 0;
    return n;
}

// Hands waiting requests to the transport while fewer than maxInFlight are under way. A transport that
// answers at once (tests) re-enters through archiveAnswer; the guard keeps one loop doing the starting.
void pump(ArchiveBrowser& b) {
    static thread_local bool pumping = false;
    if (pumping) return;
    pumping = true;
    while (!b.waiting.empty() && startedCount(b) < std::max(1, b.maxInFlight)) {
        const int id = b.waiting.front();
        b.waiting.pop_front();
        auto it = b.pending.find(id);
        if (it == b.pending.end()) continue;
        it->second.started = true;
        const ArchiveFetch fetch = it->second.fetch;
        if (b.transport.start) b.transport.start(fetch);
    }
    pumping = false;
}

int enqueue(ArchiveBrowser& b, ArchiveBrowser::Pending p, const ArchiveConfig& archive,
            ArchiveRequest request, int timeoutMs, uint64_t maxBytes, bool stream = false) {
    const int id = b.nextFetchId++;
    p.fetch = {id, archive.id, std::move(request), timeoutMs, maxBytes, stream};
    b.pending.emplace(id, std::move(p));
    b.waiting.push_back(id);
    pump(b);
    return id;
}

ArchiveRequest getRequest(std::string url, const char* accept) {
    ArchiveRequest r;
    r.url = std::move(url);
    r.accept = accept;
    return r;
}

void cancelWhere(ArchiveBrowser& b, const std::function<bool(const ArchiveBrowser::Pending&)>& which) {
    std::vector<int> ids;
    for (const auto& [id, p] : b.pending)
        if (which(p)) ids.push_back(id);
    for (int id : ids) {
        const bool started = b.pending[id].started;
        b.pending.erase(id);
        b.waiting.erase(std::remove(b.waiting.begin(), b.waiting.end(), id), b.waiting.end());
        if (started && b.transport.cancel) b.transport.cancel(id);
    }
}

ArchiveRetrieval* retrievalById(ArchiveBrowser& b, int id) {
    for (ArchiveRetrieval& r : b.retrievals)
        if (r.id == id) return &r;
    return nullptr;
}

ArchiveSeriesRow* seriesRow(ArchiveBrowser& b, const std::string& studyUid, const std::string& seriesUid) {
    if (b.seriesOfStudy != studyUid) return nullptr;
    for (ArchiveSeriesRow& row : b.series)
        if (row.record.seriesInstanceUid == seriesUid) return &row;
    return nullptr;
}

// Decoded bytes of an instance from what QIDO said of it; 0 when it did not say. Two bytes a sample covers
// 16-bit grey (CT, MR, CR) exactly and 8-bit colour nearly; the decoder's own limit stays the last word.
uint64_t estimatedBytes(const InstanceRecord& i) {
    if (!i.rows || !i.columns || *i.rows <= 0 || *i.columns <= 0) return 0;
    return uint64_t(*i.rows) * uint64_t(*i.columns) * uint64_t(std::max(1, i.numberOfFrames.value_or(1))) * 2;
}

std::vector<InstanceRecord> inInstanceOrder(std::vector<InstanceRecord> list) {
    std::stable_sort(list.begin(), list.end(), [](const InstanceRecord& a, const InstanceRecord& b) {
        return a.instanceNumber.value_or(INT32_MAX) < b.instanceNumber.value_or(INT32_MAX);
    });
    return list;
}

// Decoded pixels the study list holds now, plus what retrievals under way have planned.
uint64_t bytesInUse(const AppState& state) {
    uint64_t total = 0;
    if (state.workspace)
        for (const auto& study : state.workspace->studies())
            if (study->image) total += study->image->pixels.size();
    for (const ArchiveRetrieval& r : state.archive->retrievals)
        if (r.state == ArchiveRetrieval::State::Retrieving) total += r.plannedBytes;
    return total;
}

std::string seriesLabel(const SeriesRecord& s) {
    std::string label = s.modality.empty() ? std::string(tr("Series")) : s.modality;
    if (s.seriesNumber) label += " " + std::to_string(*s.seriesNumber);
    if (!s.seriesDescription.empty()) label += " \xE2\x80\x94 " + s.seriesDescription;
    return label;
}

bool retrievalHasPending(const ArchiveBrowser& b, int retrievalId) {
    for (const auto& [id, p] : b.pending)
        if (p.retrieval == retrievalId) return true;
    return false;
}

// The outcome line of a retrieval that has nothing more under way.
void finishRetrieval(AppState& state, ArchiveRetrieval& r) {
    if (retrievalHasPending(*state.archive, r.id) || !r.pendingSops.empty()) return;
    if (r.state == ArchiveRetrieval::State::Failed || r.state == ArchiveRetrieval::State::Cancelled) return;
    r.state = r.instancesOpened > 0 ? ArchiveRetrieval::State::Done : ArchiveRetrieval::State::Failed;
    r.plannedBytes = 0;
    r.finishedMs = monotonicMs();
    std::string text =
        trf("%s: opened %d of %d instances.", r.label.c_str(), r.instancesOpened, r.instancesTotal);
    const int notLoaded = r.instancesTotal - r.instancesPlanned;
    if (notLoaded > 0)
        text +=
            " " + trf("%d instances (%d frames) were not loaded: they would pass the memory limit of %d MB.",
                      notLoaded, r.framesNotLoaded, int(state.archive->memoryBudgetBytes >> 20));
    if (r.instancesFailed > 0) text += " " + trf("%d could not be decoded.", r.instancesFailed);
    if (!r.problems.empty()) text += " " + r.problems.front();
    r.message = text;
    state.archive->message = text;
    announce(state, text);
}

void failRetrieval(AppState& state, ArchiveRetrieval& r, const std::string& why) {
    const int id = r.id;
    cancelWhere(*state.archive, [id](const ArchiveBrowser::Pending& p) { return p.retrieval == id; });
    r.state = ArchiveRetrieval::State::Failed;
    r.plannedBytes = 0;
    r.finishedMs = monotonicMs();
    r.pendingSops.clear();
    r.message = trf("%s was not opened: %s", r.label.c_str(), why.c_str());
    state.archive->message = r.message;
    announce(state, r.message);
}

// What a retrieved DICOM file's own header says of it (no pixels decoded): its instance number, frames, and the
// bytes its pixels decode to (samples as decoded: 1, 2 or 4 bytes; palette colour becomes RGB). Zero bytes when
// the header cannot be read: the decoder then says why the file does not open.
struct PartHeader {
    std::string sopInstanceUid;
    int instanceNumber = INT32_MAX;
    int frames = 1;
    uint64_t decodedBytes = 0;
};

PartHeader readPartHeader(std::span<const uint8_t> bytes) {
    PartHeader h;
    Result<DicomFile> file = parseDicom(bytes);
    if (!file) return h;
    const auto number = [&](uint32_t tag) { return file->integer(file->dataset, tag).value_or(0); };
    constexpr uint32_t kSopInstanceUid = 0x00080018, kInstanceNumber = 0x00200013;
    h.sopInstanceUid = file->string(file->dataset, kSopInstanceUid);
    if (const std::optional<int64_t> n = file->integer(file->dataset, kInstanceNumber);
        n && *n > INT32_MIN && *n < INT32_MAX)
        h.instanceNumber = int(*n);
    h.frames = int(std::clamp<int64_t>(number(DicomTag::NumberOfFrames), 1, INT32_MAX));
    const int64_t rows = number(DicomTag::Rows), columns = number(DicomTag::Columns);
    if (rows <= 0 || columns <= 0) return h;
    int64_t samples = std::max<int64_t>(1, number(DicomTag::SamplesPerPixel));
    if (file->string(file->dataset, DicomTag::PhotometricInterpretation) == "PALETTE COLOR") samples = 3;
    const int64_t bits = number(DicomTag::BitsAllocated);
    const uint64_t sampleBytes = bits > 16 ? 4 : bits > 8 ? 2 : 1;
    h.decodedBytes =
        uint64_t(rows) * uint64_t(columns) * uint64_t(h.frames) * uint64_t(samples) * sampleBytes;
    return h;
}

// Adds the time spent reading answers and decoding their instances to the retrieval's decodeMs.
struct AddDecodeTime {
    AppState& state;
    int retrieval;
    double start = monotonicMs();
    ~AddDecodeTime() {
        if (ArchiveRetrieval* r = retrievalById(*state.archive, retrieval))
            r->decodeMs += monotonicMs() - start;
    }
};

// Opens each DICOM file of (a piece of) a WADO-RS answer as the study list opens a file; counts what decoded.
// A retrieval not planned from the instance list is sized here, each part from its own header, in instance
// order within what is given (a streamed answer: in the order the archive sends them), until the memory budget
// is spent; the rest is counted as not loaded.
void openParts(AppState& state, ArchiveRetrieval& r, const MultipartBody& body, bool sortByInstanceNumber) {
    Result<RetrievedInstances> got = dicomInstancesFromMultipart(body);
    if (!got) {
        r.problems.push_back(got.error().message);
        return;
    }
    for (const std::string& p : got->problems)
        r.problems.push_back(p);
    std::vector<const RetrievedInstance*> order;
    for (const RetrievedInstance& instance : got->instances)
        order.push_back(&instance);
    if (!r.listed) {
        std::vector<PartHeader> headers;
        for (const RetrievedInstance* instance : order)
            headers.push_back(readPartHeader(instance->bytes));
        std::vector<size_t> index(order.size());
        for (size_t i = 0; i < index.size(); i++)
            index[i] = i;
        if (sortByInstanceNumber)
            std::stable_sort(index.begin(), index.end(), [&](size_t a, size_t b) {
                return headers[a].instanceNumber < headers[b].instanceNumber;
            });
        // What every study holds now, what other retrievals streaming in beside this one opened included.
        const uint64_t used = bytesInUse(state);
        const uint64_t budget =
            state.archive->memoryBudgetBytes > used ? state.archive->memoryBudgetBytes - used : 0;
        uint64_t planned = 0;
        std::vector<const RetrievedInstance*> fits;
        for (size_t i : index) {
            if (!r.budgetFull && planned + headers[i].decodedBytes <= budget) {
                planned += headers[i].decodedBytes;
                fits.push_back(order[i]);
                r.openedSops.push_back(headers[i].sopInstanceUid);
            } else {
                r.budgetFull = true; // in order: no gaps in what is loaded
                r.framesNotLoaded += headers[i].frames;
            }
        }
        r.instancesTotal += int(order.size());
        r.instancesPlanned += int(fits.size());
        order = std::move(fits);
    }
    for (const RetrievedInstance* instance : order) {
        const int number = r.instancesOpened + r.instancesFailed + 1;
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, "/%04d.dcm", number);
        const int id =
            openFile(state, r.label + suffix, Bytes(instance->bytes.begin(), instance->bytes.end()));
        r.studyIds.push_back(id);
        const Study* study = state.workspace->find(id);
        if (study && study->ok()) {
            r.instancesOpened++;
        } else {
            r.instancesFailed++;
            if (study && r.problems.empty()) r.problems.push_back(study->error);
        }
    }
}

// A whole WADO-RS answer (or, after streamed pieces, its rest).
void openRetrievedBody(AppState& state, ArchiveRetrieval& r, const ArchiveAnswer& answer) {
    AddDecodeTime addTime{state, r.id};
    Result<MultipartBody> body = parseMultipartBody(answer.contentType, answer.body);
    if (!body) {
        r.problems.push_back(body.error().message);
        return;
    }
    if (body->truncated) r.problems.push_back(body->warning);
    const bool someCameBefore = r.instancesOpened + r.instancesFailed > 0 || r.budgetFull;
    if (body->parts.empty() && someCameBefore) return; // only the closing boundary was left
    openParts(state, r, *body, true);
}

// The most a retrieval answer may bring: twice the budget (what it decodes to is checked against the budget).
uint64_t retrieveMaxBytes(const ArchiveBrowser& b) {
    return std::max<uint64_t>(b.memoryBudgetBytes, 64u << 20) * 2;
}

// The whole series in one WADO-RS request (the archive's own encoding), abandoned past maxBytes.
void requestWholeSeries(AppState& state, ArchiveRetrieval& r, uint64_t maxBytes) {
    ArchiveBrowser& b = *state.archive;
    const ArchiveConfig* archive = currentArchive(state);
    Result<ArchiveRequest> rq = wadoSeriesRequest(*archive, r.studyUid, r.seriesUid);
    if (!rq) return failRetrieval(state, r, rq.error().message);
    ArchiveBrowser::Pending p;
    p.purpose = Purpose::RetrieveSeries;
    p.retrieval = r.id;
    p.studyUid = r.studyUid;
    p.seriesUid = r.seriesUid;
    // Streamed: its instances are decoded while the later ones are still arriving.
    enqueue(b, std::move(p), *archive, std::move(*rq), b.retrieveTimeoutMs, std::max<uint64_t>(1, maxBytes),
            true);
}

// The series' instance list (QIDO-RS), for planning what fits the memory budget.
void requestInstanceList(AppState& state, ArchiveRetrieval& r) {
    ArchiveBrowser& b = *state.archive;
    const ArchiveConfig* archive = currentArchive(state);
    r.state = ArchiveRetrieval::State::Listing;
    Result<std::string> url = qidoInstancesUrl(*archive, r.studyUid, r.seriesUid);
    if (!url) return failRetrieval(state, r, url.error().message);
    ArchiveBrowser::Pending p;
    p.purpose = Purpose::InstanceList;
    p.retrieval = r.id;
    p.studyUid = r.studyUid;
    p.seriesUid = r.seriesUid;
    enqueue(b, std::move(p), *archive, getRequest(*url, kQidoAccept), b.searchTimeoutMs, kQidoMaxBytes);
}

// A whole-series answer, once the plan says the whole series is wanted.
void takeSeriesAnswer(AppState& state, ArchiveRetrieval& r, const ArchiveAnswer& a) {
    r.bytesDone = 0;
    if (!succeeded(a))
        return failRetrieval(state, r, failureText(a, ArchiveAction::Retrieve, *currentArchive(state)));
    const int id = r.id;
    openRetrievedBody(state, r, a);
    ArchiveRetrieval* now = retrievalById(*state.archive, id);
    if (!now) return;
    if (now->instancesOpened + now->instancesFailed == 0 && now->instancesTotal > 0 &&
        now->instancesPlanned == 0)
        return failRetrieval(state, *now,
                             trf("it would pass the memory limit of %d MB (%d instances, %d frames).",
                                 int(state.archive->memoryBudgetBytes >> 20), now->instancesTotal,
                                 now->framesNotLoaded));
    if (now->instancesOpened + now->instancesFailed == 0)
        return failRetrieval(state, *now,
                             now->problems.empty() ? std::string(tr("the answer held no image."))
                                                   : now->problems.front());
    finishRetrieval(state, *now);
}

// With the series' instances known: what fits the memory budget, and how to fetch it.
void planRetrieval(AppState& state, ArchiveRetrieval& r, const std::vector<InstanceRecord>& listed) {
    ArchiveBrowser& b = *state.archive;
    const ArchiveConfig* archive = currentArchive(state);
    const std::vector<InstanceRecord> instances = inInstanceOrder(listed);
    r.listed = true;
    r.listedMs = monotonicMs();
    r.instancesTotal = int(instances.size());
    r.instancesPlanned = 0;
    r.framesNotLoaded = 0;
    r.plannedSops.clear();
    // Instances a streamed answer already opened: counted as planned (their pixels are in use), not fetched again.
    int alreadyOpened = 0;
    if (instances.empty())
        return failRetrieval(state, r, tr("the archive lists no instances in this series."));
    const uint64_t used = bytesInUse(state);
    const uint64_t budget = b.memoryBudgetBytes > used ? b.memoryBudgetBytes - used : 0;
    uint64_t planned = 0;
    bool full = false;
    for (const InstanceRecord& i : instances) {
        if (std::find(r.openedSops.begin(), r.openedSops.end(), i.sopInstanceUid) != r.openedSops.end()) {
            alreadyOpened++;
            continue;
        }
        const uint64_t bytes = estimatedBytes(i);
        if (!full && planned + bytes <= budget) {
            planned += bytes;
            r.plannedSops.push_back(i.sopInstanceUid);
        } else {
            full = true; // in instance order: no gaps in what is loaded
            r.framesNotLoaded += std::max(1, i.numberOfFrames.value_or(1));
        }
    }
    r.instancesPlanned = int(r.plannedSops.size()) + alreadyOpened;
    r.plannedBytes = planned;
    r.state = ArchiveRetrieval::State::Retrieving;
    if (r.plannedSops.empty() && alreadyOpened > 0) return finishRetrieval(state, r);
    if (r.plannedSops.empty())
        return failRetrieval(state, r,
                             trf("it would pass the memory limit of %d MB (%d instances, %d frames).",
                                 int(b.memoryBudgetBytes >> 20), r.instancesTotal, r.framesNotLoaded));
    r.wholeSeries = alreadyOpened == 0 && r.instancesPlanned == r.instancesTotal &&
                    r.instancesTotal <= b.wholeSeriesMaxInstances;
    const uint64_t maxBytes = retrieveMaxBytes(b);
    const int id = r.id;
    const auto isSeriesRequest = [id](const ArchiveBrowser::Pending& p) {
        return p.retrieval == id && p.purpose == Purpose::RetrieveSeries;
    };
    if (r.wholeSeries) {
        for (const auto& [fetchId, p] : b.pending)
            if (isSeriesRequest(p)) return; // already on its way
        requestWholeSeries(state, r, maxBytes);
        return;
    }
    // Instance by instance: a whole-series request still under way is not used.
    cancelWhere(b, isSeriesRequest);
    r.pendingSops = r.plannedSops;
    const int retrievalId = r.id;
    const std::vector<std::string> sops = r.pendingSops;
    for (const std::string& sop : sops) {
        Result<ArchiveRequest> rq = wadoInstanceRequest(*archive, r.studyUid, r.seriesUid, sop);
        ArchiveRetrieval* now = retrievalById(b, retrievalId);
        if (!now) return;
        if (!rq) {
            now->problems.push_back(rq.error().message);
            now->pendingSops.erase(std::remove(now->pendingSops.begin(), now->pendingSops.end(), sop),
                                   now->pendingSops.end());
            continue;
        }
        ArchiveBrowser::Pending p;
        p.purpose = Purpose::RetrieveInstance;
        p.retrieval = retrievalId;
        p.studyUid = now->studyUid;
        p.seriesUid = now->seriesUid;
        p.sopUid = sop;
        enqueue(b, std::move(p), *archive, std::move(*rq), b.retrieveTimeoutMs, maxBytes);
    }
    if (ArchiveRetrieval* now = retrievalById(b, retrievalId)) finishRetrieval(state, *now);
}

// The series list's thumbnail: the first instance (in instance order), if small enough to fetch for it.
void requestThumbnail(AppState& state, ArchiveSeriesRow& row) {
    ArchiveBrowser& b = *state.archive;
    const ArchiveConfig* archive = currentArchive(state);
    const std::vector<InstanceRecord> instances = inInstanceOrder(*row.instances);
    ArchiveThumbnail& t = row.thumbnail;
    if (instances.empty()) {
        t.state = ArchiveThumbnail::State::Failed;
        t.message = tr("no instances");
        return;
    }
    const InstanceRecord& first = instances.front();
    if (estimatedBytes(first) > b.thumbnailMaxBytes) {
        t.state = ArchiveThumbnail::State::Failed;
        t.message = tr("too large for a preview");
        return;
    }
    Result<ArchiveRequest> rq = wadoInstanceRequest(
        *archive, row.record.studyInstanceUid.empty() ? b.seriesOfStudy : row.record.studyInstanceUid,
        row.record.seriesInstanceUid, first.sopInstanceUid);
    if (!rq) {
        t.state = ArchiveThumbnail::State::Failed;
        t.message = rq.error().message;
        return;
    }
    ArchiveBrowser::Pending p;
    p.purpose = Purpose::Thumbnail;
    p.studyUid = b.seriesOfStudy;
    p.seriesUid = row.record.seriesInstanceUid;
    p.generation = b.seriesGeneration;
    enqueue(b, std::move(p), *archive, std::move(*rq), b.searchTimeoutMs * 2, b.thumbnailMaxBytes * 2);
}

// A decoded first frame, shrunk (nearest sample) to at most kArchiveThumbnailSize on its longer side.
Result<ArchiveThumbnail> makeThumbnail(const ArchiveAnswer& answer, uint64_t maxDecodedBytes) {
    Result<MultipartBody> body = parseMultipartBody(answer.contentType, answer.body);
    if (!body) return body.error();
    Result<RetrievedInstances> got = dicomInstancesFromMultipart(*body);
    if (!got) return got.error();
    DecodeLimits limits;
    limits.maxDecodedBytes = maxDecodedBytes;
    Result<Image> image = decodeImage(got->instances.front().bytes, limits);
    if (!image) return image.error();
    Result<DisplayImage> shown = renderImage(*image);
    if (!shown) return shown.error();
    const int longer = std::max(shown->width, shown->height);
    const double scale = longer > kArchiveThumbnailSize ? double(kArchiveThumbnailSize) / longer : 1.0;
    ArchiveThumbnail t;
    t.width = std::max(1, int(shown->width * scale));
    t.height = std::max(1, int(shown->height * scale));
    t.rgba.resize(size_t(t.width) * size_t(t.height) * 4);
    for (int y = 0; y < t.height; y++) {
        const int sy = std::min(shown->height - 1, int(y / scale));
        for (int x = 0; x < t.width; x++) {
            const int sx = std::min(shown->width - 1, int(x / scale));
            std::copy_n(&shown->rgba[(size_t(sy) * size_t(shown->width) + size_t(sx)) * 4], 4,
                        &t.rgba[(size_t(y) * size_t(t.width) + size_t(x)) * 4]);
        }
    }
    t.state = ArchiveThumbnail::State::Ready;
    return t;
}

void answerSearch(AppState& state, const ArchiveBrowser::Pending& p, const ArchiveAnswer& a) {
    ArchiveBrowser& b = *state.archive;
    if (p.generation != b.searchGeneration) return;
    const ArchiveConfig* archive = currentArchive(state);
    b.searchState = ArchiveBrowser::SearchState::Failed;
    if (!succeeded(a)) {
        b.searchMessage = failureText(a, ArchiveAction::Search, *archive);
    } else if (Result<QidoRecords<StudyRecord>> found = parseQidoStudies(bodyText(a)); !found) {
        b.searchMessage = found.error().message;
    } else {
        b.searchState = ArchiveBrowser::SearchState::Done;
        b.studies = std::move(found->records);
        b.skipped = found->skipped;
        b.hasNextPage = int(b.studies.size()) > b.pageSize;
        if (b.hasNextPage) b.studies.resize(size_t(b.pageSize));
        b.searchMessage = b.studies.empty() ? std::string(tr("No study matches this search."))
                          : b.hasNextPage
                              ? trf("Studies %d to %d (more on the next page).", b.page * b.pageSize + 1,
                                    b.page * b.pageSize + int(b.studies.size()))
                              : trf("%d studies found.", b.page * b.pageSize + int(b.studies.size()));
        if (b.skipped > 0)
            b.searchMessage += " " + trf("%d answers without a study UID were left out.", int(b.skipped));
    }
    b.message = b.searchMessage;
    announce(state, b.searchMessage);
}

void answerSeriesList(AppState& state, const ArchiveBrowser::Pending& p, const ArchiveAnswer& a) {
    ArchiveBrowser& b = *state.archive;
    const ArchiveConfig* archive = currentArchive(state);
    const bool forOpening = p.purpose == Purpose::StudySeriesList;
    if (!forOpening && p.generation != b.seriesGeneration) return;
    Result<QidoRecords<SeriesRecord>> found = Error("");
    if (!succeeded(a))
        found = Error(failureText(a, ArchiveAction::Search, *archive));
    else
        found = parseQidoSeries(bodyText(a));
    if (!forOpening) {
        b.seriesLoading = false;
        if (!found) {
            b.seriesMessage = found.error().message;
            b.message = b.seriesMessage;
            return;
        }
        b.series.clear();
        for (SeriesRecord& s : found->records) {
            ArchiveSeriesRow row;
            if (s.studyInstanceUid.empty()) s.studyInstanceUid = p.studyUid;
            row.record = std::move(s);
            b.series.push_back(std::move(row));
        }
        std::stable_sort(
            b.series.begin(), b.series.end(), [](const ArchiveSeriesRow& x, const ArchiveSeriesRow& y) {
                return x.record.seriesNumber.value_or(INT32_MAX) < y.record.seriesNumber.value_or(INT32_MAX);
            });
        b.seriesMessage = b.series.empty() ? std::string(tr("This study has no series in the archive."))
                                           : trf("%d series.", int(b.series.size()));
        b.selectedSeries = b.series.empty() ? -1 : 0;
        for (ArchiveSeriesRow& row : b.series) {
            row.thumbnail.state = ArchiveThumbnail::State::Loading;
            Result<std::string> url = qidoInstancesUrl(*archive, p.studyUid, row.record.seriesInstanceUid);
            if (!url) {
                row.thumbnail.state = ArchiveThumbnail::State::Failed;
                row.thumbnail.message = url.error().message;
                continue;
            }
            ArchiveBrowser::Pending list;
            list.purpose = Purpose::InstanceList;
            list.studyUid = p.studyUid;
            list.seriesUid = row.record.seriesInstanceUid;
            list.generation = b.seriesGeneration;
            enqueue(b, std::move(list), *archive, getRequest(*url, kQidoAccept), b.searchTimeoutMs,
                    kQidoMaxBytes);
        }
        // A whole study asked for while its series were being listed opens now.
        auto waiting = std::find(b.studiesToOpen.begin(), b.studiesToOpen.end(), p.studyUid);
        if (waiting != b.studiesToOpen.end()) {
            b.studiesToOpen.erase(waiting);
            for (const ArchiveSeriesRow& row : std::vector<ArchiveSeriesRow>(b.series))
                openArchiveSeries(state, p.studyUid, row.record.seriesInstanceUid);
        }
        return;
    }
    if (!found) {
        b.message = trf("The study was not opened: %s", found.error().message.c_str());
        announce(state, b.message);
        return;
    }
    for (const SeriesRecord& s : found->records)
        openArchiveSeries(state, p.studyUid, s.seriesInstanceUid);
}

void answerInstanceList(AppState& state, const ArchiveBrowser::Pending& p, const ArchiveAnswer& a) {
    ArchiveBrowser& b = *state.archive;
    const ArchiveConfig* archive = currentArchive(state);
    Result<QidoRecords<InstanceRecord>> found = Error("");
    if (!succeeded(a))
        found = Error(failureText(a, ArchiveAction::Search, *archive));
    else
        found = parseQidoInstances(bodyText(a));
    if (p.retrieval != 0) {
        ArchiveRetrieval* r = retrievalById(b, p.retrieval);
        if (!r) return;
        if (!found) return failRetrieval(state, *r, found.error().message);
        if (ArchiveSeriesRow* row = seriesRow(b, p.studyUid, p.seriesUid)) row->instances = found->records;
        return planRetrieval(state, *r, found->records);
    }
    if (p.generation != b.seriesGeneration) return;
    ArchiveSeriesRow* row = seriesRow(b, p.studyUid, p.seriesUid);
    if (!row) return;
    if (!found) {
        row->thumbnail.state = ArchiveThumbnail::State::Failed;
        row->thumbnail.message = found.error().message;
        return;
    }
    row->instances = std::move(found->records);
    requestThumbnail(state, *row);
}

void answerThumbnail(AppState& state, const ArchiveBrowser::Pending& p, const ArchiveAnswer& a) {
    ArchiveBrowser& b = *state.archive;
    if (p.generation != b.seriesGeneration) return;
    ArchiveSeriesRow* row = seriesRow(b, p.studyUid, p.seriesUid);
    if (!row) return;
    ArchiveThumbnail& t = row->thumbnail;
    const int version = t.version + 1;
    if (!succeeded(a)) {
        t.state = ArchiveThumbnail::State::Failed;
        t.message = failureText(a, ArchiveAction::Retrieve, *currentArchive(state));
    } else if (Result<ArchiveThumbnail> made = makeThumbnail(a, b.thumbnailMaxBytes * 4); !made) {
        t.state = ArchiveThumbnail::State::Failed;
        t.message = made.error().message;
    } else {
        t = std::move(*made);
    }
    t.version = version;
}

void answerRetrieval(AppState& state, const ArchiveBrowser::Pending& p, ArchiveAnswer& a) {
    ArchiveBrowser& b = *state.archive;
    ArchiveRetrieval* r = retrievalById(b, p.retrieval);
    if (!r) return;
    if (r->state != ArchiveRetrieval::State::Retrieving) return;
    if (p.purpose == Purpose::RetrieveSeries &&
        !r->arriving.empty()) { // streamed: what came after the last part
        Bytes rest = std::move(r->arriving);
        r->arriving.clear();
        rest.insert(rest.end(), a.body.begin(), a.body.end());
        a.body = std::move(rest);
    }
    if (p.purpose == Purpose::RetrieveSeries && a.contentType.empty()) a.contentType = r->arrivingType;
    if (p.purpose == Purpose::RetrieveSeries && !r->listed && a.tooLarge) {
        // More than the budget in bytes: the instance list decides what fits and how to fetch the rest.
        r->bytesDone = 0;
        return requestInstanceList(state, *r);
    }
    if (p.purpose == Purpose::RetrieveSeries) return takeSeriesAnswer(state, *r, a);
    r->bytesDone = 0;
    r->pendingSops.erase(std::remove(r->pendingSops.begin(), r->pendingSops.end(), p.sopUid),
                         r->pendingSops.end());
    if (!succeeded(a)) {
        r->problems.push_back(failureText(a, ArchiveAction::Retrieve, *currentArchive(state)));
    } else {
        const int id = r->id;
        openRetrievedBody(state, *r, a);
        r = retrievalById(b, id);
        if (!r) return;
    }
    finishRetrieval(state, *r);
}

} // namespace

bool configureArchives(AppState& state, std::string_view archivesJsonText) {
    ArchiveBrowser& b = *state.archive;
    b.config = {};
    b.configMessage.clear();
    b.archiveIndex = 0;
    if (archivesJsonText.find_first_not_of(" \t\r\n") == std::string_view::npos) return false;
    Result<ArchivesConfig> config = parseArchivesConfig(archivesJsonText);
    if (!config) {
        b.configMessage = config.error().message;
        return false;
    }
    b.config = std::move(*config);
    return !b.config.archives.empty();
}

bool archivesAvailable(const AppState& state) {
    return state.archive && !state.archive->config.archives.empty();
}

const ArchiveConfig* currentArchive(const AppState& state) {
    if (!archivesAvailable(state)) return nullptr;
    const ArchiveBrowser& b = *state.archive;
    return &b.config.archives[size_t(std::clamp(b.archiveIndex, 0, int(b.config.archives.size()) - 1))];
}

bool searchArchive(AppState& state, int page) {
    const ArchiveConfig* archive = currentArchive(state);
    if (!archive) return false;
    ArchiveBrowser& b = *state.archive;
    cancelWhere(b, [](const ArchiveBrowser::Pending& p) { return p.purpose == Purpose::Search; });
    StudySearch search = b.form;
    b.pageSize = std::clamp(b.pageSize, 1, 500);
    search.limit = b.pageSize + 1; // one more than shown: is there a next page?
    search.offset = std::max(0, page) * b.pageSize;
    Result<std::string> url = qidoStudiesUrl(*archive, search);
    b.searchGeneration++;
    if (!url) {
        b.searchState = ArchiveBrowser::SearchState::Failed;
        b.searchMessage = url.error().message;
        b.message = b.searchMessage;
        return false;
    }
    b.page = std::max(0, page);
    b.searchState = ArchiveBrowser::SearchState::Searching;
    b.searchMessage = trf("Searching %s…", archive->name.c_str());
    b.studies.clear();
    b.selected = -1;
    b.hasNextPage = false;
    ArchiveBrowser::Pending p;
    p.purpose = Purpose::Search;
    p.generation = b.searchGeneration;
    enqueue(b, std::move(p), *archive, getRequest(*url, kQidoAccept), b.searchTimeoutMs, kQidoMaxBytes);
    return true;
}

bool selectArchiveStudy(AppState& state, int index) {
    const ArchiveConfig* archive = currentArchive(state);
    ArchiveBrowser* b = state.archive;
    if (!archive || index < 0 || index >= int(b->studies.size())) return false;
    if (b->selected == index && b->seriesOfStudy == b->studies[size_t(index)].studyInstanceUid) return true;
    b->selected = index;
    const std::string uid = b->studies[size_t(index)].studyInstanceUid;
    cancelWhere(*b, [](const ArchiveBrowser::Pending& p) {
        return (p.purpose == Purpose::SeriesList || p.purpose == Purpose::Thumbnail ||
                p.purpose == Purpose::InstanceList) &&
               p.retrieval == 0;
    });
    b->seriesGeneration++;
    b->seriesOfStudy = uid;
    b->series.clear();
    b->selectedSeries = -1;
    Result<std::string> url = qidoSeriesUrl(*archive, uid);
    if (!url) {
        b->seriesLoading = false;
        b->seriesMessage = url.error().message;
        return false;
    }
    b->seriesLoading = true;
    b->seriesMessage = tr("Listing the series…");
    ArchiveBrowser::Pending p;
    p.purpose = Purpose::SeriesList;
    p.studyUid = uid;
    p.generation = b->seriesGeneration;
    enqueue(*b, std::move(p), *archive, getRequest(*url, kQidoAccept), b->searchTimeoutMs, kQidoMaxBytes);
    return true;
}

int openArchiveSeries(AppState& state, const std::string& studyUid, const std::string& seriesUid) {
    const ArchiveConfig* archive = currentArchive(state);
    if (!archive || !state.workspace) return 0;
    ArchiveBrowser& b = *state.archive;
    for (const ArchiveRetrieval& r : b.retrievals)
        if (r.seriesUid == seriesUid && r.studyUid == studyUid &&
            (r.state == ArchiveRetrieval::State::Listing || r.state == ArchiveRetrieval::State::Retrieving))
            return r.id; // already on its way
    if (!isDicomUid(studyUid) || !isDicomUid(seriesUid)) {
        b.message = tr("That is not a DICOM UID (digits and dots, at most 64 characters).");
        return 0;
    }
    ArchiveRetrieval r;
    r.id = b.nextRetrievalId++;
    r.studyUid = studyUid;
    r.seriesUid = seriesUid;
    r.archiveId = archive->id;
    r.startedMs = monotonicMs();
    const ArchiveSeriesRow* row = seriesRow(b, studyUid, seriesUid);
    r.label = row ? seriesLabel(row->record) : trf("Series %s", seriesUid.c_str());
    const int id = r.id;
    b.retrievals.push_back(std::move(r));
    b.message = trf("Opening %s…", b.retrievals.back().label.c_str());
    if (row && row->instances) {
        const std::vector<InstanceRecord> instances = *row->instances;
        planRetrieval(state, b.retrievals.back(), instances);
        return id;
    }
    // No instance list first: the whole series at once, at most the free budget in bytes (its parts' own headers
    // size what it decodes to); only an answer past that makes the list necessary.
    ArchiveRetrieval& started = b.retrievals.back();
    started.state = ArchiveRetrieval::State::Retrieving;
    const uint64_t used = bytesInUse(state);
    requestWholeSeries(state, started, b.memoryBudgetBytes > used ? b.memoryBudgetBytes - used : 0);
    return id;
}

int openArchiveStudy(AppState& state, const std::string& studyUid) {
    const ArchiveConfig* archive = currentArchive(state);
    if (!archive || !state.workspace) return 0;
    ArchiveBrowser& b = *state.archive;
    if (!isDicomUid(studyUid)) {
        b.message = tr("That is not a DICOM UID (digits and dots, at most 64 characters).");
        return 0;
    }
    if (b.seriesOfStudy == studyUid && !b.seriesLoading) {
        int started = 0;
        for (const ArchiveSeriesRow& row : std::vector<ArchiveSeriesRow>(b.series))
            started += openArchiveSeries(state, studyUid, row.record.seriesInstanceUid) ? 1 : 0;
        return started;
    }
    if (b.seriesOfStudy == studyUid && b.seriesLoading) {
        b.studiesToOpen.push_back(studyUid);
        return 1;
    }
    Result<std::string> url = qidoSeriesUrl(*archive, studyUid);
    if (!url) {
        b.message = url.error().message;
        return 0;
    }
    ArchiveBrowser::Pending p;
    p.purpose = Purpose::StudySeriesList;
    p.studyUid = studyUid;
    enqueue(b, std::move(p), *archive, getRequest(*url, kQidoAccept), b.searchTimeoutMs, kQidoMaxBytes);
    b.message = tr("Listing the study's series…");
    return 1;
}

void cancelArchiveWork(AppState& state) {
    if (!state.archive) return;
    ArchiveBrowser& b = *state.archive;
    const bool anything = !b.pending.empty();
    cancelWhere(b, [](const ArchiveBrowser::Pending&) { return true; });
    b.studiesToOpen.clear();
    if (b.searchState == ArchiveBrowser::SearchState::Searching) {
        b.searchState = ArchiveBrowser::SearchState::Failed;
        b.searchMessage = tr("Search cancelled.");
    }
    if (b.seriesLoading) {
        b.seriesLoading = false;
        b.seriesMessage = tr("Cancelled.");
    }
    for (ArchiveSeriesRow& row : b.series)
        if (row.thumbnail.state == ArchiveThumbnail::State::Loading) {
            row.thumbnail.state = ArchiveThumbnail::State::Failed;
            row.thumbnail.message = tr("Cancelled.");
        }
    for (ArchiveRetrieval& r : b.retrievals)
        if (r.state == ArchiveRetrieval::State::Listing || r.state == ArchiveRetrieval::State::Retrieving) {
            r.state = ArchiveRetrieval::State::Cancelled;
            r.pendingSops.clear();
            r.plannedBytes = 0;
            r.message =
                trf("%s: cancelled; %d instances had been opened.", r.label.c_str(), r.instancesOpened);
        }
    if (anything) {
        b.message = tr("Cancelled: nothing more is fetched from the archive.");
        announce(state, b.message);
    }
}

void archiveAnswer(AppState& state, int fetchId, ArchiveAnswer answer) {
    if (!state.archive) return;
    ArchiveBrowser& b = *state.archive;
    auto it = b.pending.find(fetchId);
    if (it == b.pending.end()) return; // cancelled, or an answer for a request nobody waits for
    const ArchiveBrowser::Pending p = std::move(it->second);
    b.pending.erase(it);
    if (currentArchive(state)) switch (p.purpose) {
        case Purpose::Search:
            answerSearch(state, p, answer);
            break;
        case Purpose::SeriesList:
        case Purpose::StudySeriesList:
            answerSeriesList(state, p, answer);
            break;
        case Purpose::InstanceList:
            answerInstanceList(state, p, answer);
            break;
        case Purpose::Thumbnail:
            answerThumbnail(state, p, answer);
            break;
        case Purpose::RetrieveSeries:
        case Purpose::RetrieveInstance:
            answerRetrieval(state, p, answer);
            break;
        }
    pump(b);
}

void archiveProgress(AppState& state, int fetchId, double bytesDone, double bytesTotal) {
    if (!state.archive) return;
    ArchiveBrowser& b = *state.archive;
    auto it = b.pending.find(fetchId);
    if (it == b.pending.end() || it->second.retrieval == 0) return;
    if (ArchiveRetrieval* r = retrievalById(b, it->second.retrieval)) {
        r->bytesDone = bytesDone;
        r->bytesTotal = bytesTotal;
    }
}

void archiveBodyPiece(AppState& state, int fetchId, std::string_view contentType,
                      std::span<const uint8_t> bytes) {
    if (!state.archive || bytes.empty()) return;
    ArchiveBrowser& b = *state.archive;
    auto it = b.pending.find(fetchId);
    if (it == b.pending.end() || it->second.purpose != Purpose::RetrieveSeries) return;
    ArchiveRetrieval* r = retrievalById(b, it->second.retrieval);
    if (!r || r->state != ArchiveRetrieval::State::Retrieving) return;
    if (r->arrivingType.empty()) r->arrivingType = std::string(contentType);
    const size_t before = r->arriving.size();
    r->arriving.insert(r->arriving.end(), bytes.begin(), bytes.end());
    // Parse only when a boundary may have come with these bytes: a large part arrives in many pieces.
    const std::string boundary = "--" + parseMediaType(r->arrivingType).parameter("boundary");
    if (boundary.size() <= 2) return; // not multipart: read whole with the answer
    const std::string_view buffer(reinterpret_cast<const char*>(r->arriving.data()), r->arriving.size());
    if (buffer.find(boundary, before > boundary.size() + 2 ? before - boundary.size() - 2 : 0) ==
        std::string_view::npos)
        return;
    AddDecodeTime addTime{state, r->id};
    Result<MultipartBody> body = parseMultipartBody(r->arrivingType, r->arriving);
    if (!body || !body->multipart) return; // the answer's end says why
    MultipartBody complete = *body;
    complete.parts.clear();
    complete.truncated = false;
    complete.warning.clear();
    size_t consumed = 0;
    for (size_t i = 0; i < body->parts.size(); i++) {
        const MultipartPart& part = body->parts[i];
        if (!part.complete || (body->truncated && i + 1 == body->parts.size())) break;
        complete.parts.push_back(part);
        consumed = part.offset + part.data.size(); // the "\r\n--boundary" after it stays for the next parse
    }
    if (complete.parts.empty()) return;
    const int id = r->id;
    openParts(state, *r, complete, false);
    if ((r = retrievalById(b, id)))
        r->arriving.erase(r->arriving.begin(), r->arriving.begin() + ptrdiff_t(consumed));
}

const ArchiveRetrieval* findRetrieval(const AppState& state, int retrievalId) {
    return state.archive ? retrievalById(*state.archive, retrievalId) : nullptr;
}

int archiveRequestsInFlight(const AppState& state) {
    return state.archive ? startedCount(*state.archive) : 0;
}

int archiveRequestsWaiting(const AppState& state) {
    return state.archive ? int(state.archive->waiting.size()) : 0;
}

bool archiveBusy(const AppState& state) {
    return state.archive && !state.archive->pending.empty();
}

std::string displayPersonName(const std::string& dicomName) {
    std::string name = dicomName.substr(0, dicomName.find('='));
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t caret = name.find('^', start);
        std::string part = name.substr(start, caret == std::string::npos ? std::string::npos : caret - start);
        if (!part.empty()) parts.push_back(part);
        if (caret == std::string::npos) break;
        start = caret + 1;
    }
    std::string out;
    for (size_t i = 0; i < parts.size(); i++)
        out += (i == 0 ? "" : i == 1 ? ", " : " ") + parts[i];
    return out;
}

std::string displayDicomDate(const std::string& d) {
    if (d.size() != 8 ||
        !std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit((unsigned char)c); }))
        return d;
    return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
}

const char* retrievalStateName(ArchiveRetrieval::State state) {
    switch (state) {
    case ArchiveRetrieval::State::Listing:
        return "listing";
    case ArchiveRetrieval::State::Retrieving:
        return "retrieving";
    case ArchiveRetrieval::State::Done:
        return "done";
    case ArchiveRetrieval::State::Failed:
        return "failed";
    case ArchiveRetrieval::State::Cancelled:
        return "cancelled";
    }
    return "unknown";
}

} // namespace dx
