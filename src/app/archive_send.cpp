// archive_send.cpp — the selected study's results, as DICOM SR and SEG, uploaded by STOW-RS to the archive it
// came from (see archive_send.h for when this is offered and why the objects carry identifiers).
//
// How to use: see archive_send.h.
#include "app/archive_send.h"

#include "app/app_commands.h"
#include "app/archive_browser.h"
#include "app/i18n.h"
#include "app/study_models.h"
#include "core/inference/model_library.h"
#include "core/report/dicom_results.h"
#include "core/report/report.h"
#include "core/viewer/workspace.h"

#include <algorithm>

namespace dx {

namespace {

// The retrieval that opened this study (the study browser records the study list entries it made).
const ArchiveRetrieval* retrievalOfStudy(const AppState& state, int studyId) {
    if (!state.archive || studyId == 0) return nullptr;
    for (const ArchiveRetrieval& r : state.archive->retrievals)
        if (std::find(r.studyIds.begin(), r.studyIds.end(), studyId) != r.studyIds.end()) return &r;
    return nullptr;
}

const Study* selectedStudy(const AppState& state) {
    return state.workspace ? state.workspace->find(state.selectedStudy) : nullptr;
}

bool stowOffered(const ArchiveConfig* archive) {
    return archive && archive->stowAllowed && !archive->stowRoot.empty();
}

struct ResultObject {
    std::string what; // "cxr-pneumonia SR"
    Bytes bytes;
};

// One SR per model with a result (image models only), and a SEG for each segmentation result.
Result<std::vector<ResultObject>> resultObjects(const AppState& state, const Study& study) {
    std::vector<ResultObject> objects;
    for (const StudyModel& m : studyModels(state, study)) {
        if (!m.done() || !study.image) continue;
        ReportItem item;
        item.result = &m.analysis->result;
        item.manifest = &m.slot->package->manifest;
        if (item.manifest->task == ModelTask::Tabular) continue;
        item.metadata = study.image->metadata;
        item.pixelSpacingRow = study.image->pixelSpacingRow;
        item.pixelSpacingCol = study.image->pixelSpacingCol;
        DicomResultOptions options;
        // The archive sent these identifiers and files the results by them (archive_send.h).
        options.includeIdentifiers = true;
        Result<Bytes> sr = writeDicomSr(item, options);
        if (!sr) return sr.error();
        objects.push_back({m.id() + " SR", std::move(*sr)});
        if (hasDicomSegmentation(item)) {
            Result<Bytes> seg = writeDicomSeg(item, options);
            if (!seg) return seg.error();
            objects.push_back({m.id() + " SEG", std::move(*seg)});
        }
    }
    if (objects.empty()) return Error(tr("Select an analyzed image first: there is no result to export."));
    return objects;
}

ArchiveSendRecord* recordByFetch(ArchiveSend& send, int fetchId) {
    for (ArchiveSendRecord& r : send.sends)
        if (r.fetchId == fetchId && r.state == ArchiveSendRecord::State::Sending) return &r;
    return nullptr;
}

void finish(AppState& state, ArchiveSendRecord& r, ArchiveSendRecord::State outcome,
            const std::string& text) {
    r.state = outcome;
    r.message = text;
    announce(state, text);
}

} // namespace

const ArchiveConfig* archiveOfStudy(const AppState& state, int studyId) {
    const ArchiveRetrieval* r = retrievalOfStudy(state, studyId);
    if (!r || r->archiveId.empty()) return nullptr;
    return state.archive->config.find(r->archiveId);
}

bool sendToArchiveOffered(const AppState& state) {
    return state.archiveSend && stowOffered(archiveOfStudy(state, state.selectedStudy));
}

bool canSendResultsToArchive(const AppState& state, std::string* why) {
    auto no = [why](std::string text) {
        if (why) *why = std::move(text);
        return false;
    };
    const Study* study = selectedStudy(state);
    if (!study) return no(tr("Select an analyzed image first: there is no result to export."));
    if (!state.archiveSend || !state.archive) return no(tr("This version of DxLens reaches no archive."));
    const ArchiveConfig* archive = archiveOfStudy(state, study->id);
    if (!archive)
        return no(tr("This image was not opened from an archive, so there is no archive to send to."));
    if (!stowOffered(archive))
        return no(trf("The deployment does not allow sending results to %s (archives.json: stowAllowed).",
                      archive->name.c_str()));
    for (const ArchiveSendRecord& r : state.archiveSend->sends)
        if (r.studyId == study->id && r.state == ArchiveSendRecord::State::Sending)
            return no(trf("Sending to %s…", archive->name.c_str()));
    bool analyzed = false;
    for (const StudyModel& m : studyModels(state, *study))
        if (m.done() && m.slot->package->manifest.task != ModelTask::Tabular) analyzed = true;
    if (!analyzed) return no(tr("Select an analyzed image first: there is no result to export."));
    if (why) why->clear();
    return true;
}

int sendResultsToArchive(AppState& state) {
    std::string why;
    if (!canSendResultsToArchive(state, &why)) {
        announce(state, trf("Nothing sent: %s", why.c_str()));
        return 0;
    }
    const Study& study = *selectedStudy(state);
    const ArchiveConfig& archive = *archiveOfStudy(state, study.id);
    Result<std::vector<ResultObject>> objects = resultObjects(state, study);
    if (!objects) {
        announce(state, trf("Nothing sent: %s", objects.error().message.c_str()));
        return 0;
    }
    std::vector<std::span<const uint8_t>> files;
    for (const ResultObject& o : *objects)
        files.emplace_back(o.bytes.data(), o.bytes.size());
    Result<StowRequest> rq = stowRequest(archive, files);
    if (!rq) {
        announce(state, trf("Nothing sent: %s", rq.error().message.c_str()));
        return 0;
    }
    ArchiveBrowser& b = *state.archive;
    ArchiveSend& send = *state.archiveSend;
    ArchiveSendRecord r;
    r.id = send.nextId++;
    r.fetchId = b.nextFetchId++; // one numbering with the browser's requests: the platform answers by this id
    r.studyId = study.id;
    r.archiveId = archive.id;
    r.archiveName = archive.name;
    if (const ArchiveRetrieval* from = retrievalOfStudy(state, study.id)) r.studyUid = from->studyUid;
    for (const ResultObject& o : *objects)
        r.files.push_back(o.what);
    r.message = trf("Sending %d objects to %s…", int(r.files.size()), archive.name.c_str());
    send.sends.push_back(r);
    announce(state, r.message);

    ArchiveFetch f;
    f.id = r.fetchId;
    f.archiveId = archive.id;
    f.request = rq->request;
    f.body = std::move(rq->body);
    f.timeoutMs = send.timeoutMs;
    f.maxBytes = uint64_t(4) << 20; // an answer lists the objects: a few kilobytes
    if (b.transport.start) {
        b.transport.start(f);
    } else {
        ArchiveSendRecord& rec = send.sends.back();
        finish(state, rec, ArchiveSendRecord::State::Failed,
               trf("Nothing sent: %s", tr("This version of DxLens reaches no archive.")));
    }
    return r.id;
}

bool archiveSendAnswer(AppState& state, int fetchId, const ArchiveAnswer& answer) {
    if (!state.archiveSend) return false;
    ArchiveSendRecord* r = recordByFetch(*state.archiveSend, fetchId);
    if (!r) return false;
    r->httpStatus = answer.status;
    if (answer.timedOut || answer.status == 0) {
        // No answer: whether anything was stored is unknown; describeArchiveFailure says what to check.
        finish(state, *r, ArchiveSendRecord::State::Failed,
               describeArchiveFailure(answer.status, answer.timedOut, ArchiveAction::Store, r->archiveName));
        return true;
    }
    const std::string text(answer.body.begin(), answer.body.end());
    Result<StowSummary> s = parseStowAnswer(answer.status, text, r->archiveName, r->files.size());
    if (!s) {
        finish(state, *r, ArchiveSendRecord::State::Failed, s.error().message);
        return true;
    }
    r->stored = s->stored;
    r->failed = s->failed;
    r->listed = s->listed;
    const bool allStored = !s->listed || (s->failed.empty() && s->stored.size() == r->files.size());
    finish(state, *r, allStored ? ArchiveSendRecord::State::Done : ArchiveSendRecord::State::Failed, s->text);
    return true;
}

const ArchiveSendRecord* findArchiveSend(const AppState& state, int id) {
    if (!state.archiveSend) return nullptr;
    for (const ArchiveSendRecord& r : state.archiveSend->sends)
        if (r.id == id) return &r;
    return nullptr;
}

const ArchiveSendRecord* lastArchiveSendOfSelected(const AppState& state) {
    if (!state.archiveSend) return nullptr;
    const auto& sends = state.archiveSend->sends;
    for (auto it = sends.rbegin(); it != sends.rend(); ++it)
        if (it->studyId == state.selectedStudy) return &*it;
    return nullptr;
}

const char* archiveSendStateName(ArchiveSendRecord::State state) {
    switch (state) {
    case ArchiveSendRecord::State::Sending:
        return "sending";
    case ArchiveSendRecord::State::Done:
        return "done";
    case ArchiveSendRecord::State::Failed:
        return "failed";
    }
    return "failed";
}

} // namespace dx
