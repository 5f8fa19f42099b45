// archive_send.h — "Send results to archive": the selected study's results as DICOM (an SR per model, a SEG per
// segmentation result; core/report/dicom_results.h) uploaded by STOW-RS (core/dicomweb/stow.h) to the archive the
// study was opened from, and the archive's answer in words.
//
// How to use (the platform owns one ArchiveSend and points AppState::archiveSend at it):
//   std::string why;
//   if (dx::canSendResultsToArchive(state, &why)) ...   // offer the command; `why` says why it is not offered
//   int id = dx::sendResultsToArchive(state);           // the user's click (or the page's API): one POST
//   dx::archiveSendAnswer(state, fetchId, answer);      // the platform, when the POST ended (any way)
//   const dx::ArchiveSendRecord* last = dx::lastArchiveSend(state);   // state, counts, text for the UI
//
// When it is offered: only for a study opened from an archive (the study browser's retrievals record which)
// whose archives.json entry says "stowAllowed": true, and only once a model has a result for it. Nothing is
// ever sent without the user's click: no other code path calls sendResultsToArchive.
// Identifiers: the objects carry the patient and study attributes as the archive itself sent them, whatever the
// on-screen masking (Show patient identifiers): they go back only to the archive that holds them, and an
// archive files an object by Patient ID and Study Instance UID, so a masked SR would land beside the study as
// another, nameless patient. Every other export (files the user saves) keeps following the masking choice.
// The request goes through the study browser's transport (ArchiveTransport, web/dicomweb.mjs), which adds the
// archive's bearer token and keeps to the archive's roots.
#pragma once

#include "app/app_state.h"
#include "core/base/bytes.h"
#include "core/dicomweb/archive_config.h"
#include "core/dicomweb/stow.h"

#include <string>
#include <vector>

namespace dx {

struct ArchiveAnswer; // archive_browser.h

struct ArchiveSendRecord {
    enum class State : uint8_t { Sending, Done, Failed };
    int id = 0;
    int fetchId = 0;
    int studyId = 0; // the study whose results were sent
    std::string archiveId, archiveName;
    State state = State::Sending;
    std::vector<std::string> files; // what was sent: "cxr-pneumonia SR", "cxr-lung-seg SEG"
    std::string studyUid;
    int httpStatus = 0;
    std::vector<StowInstanceOutcome> stored, failed;
    bool listed = true;
    std::string message; // the answer (or the failure) in words, as the UI shows it
};

struct ArchiveSend {
    std::vector<ArchiveSendRecord> sends; // newest last
    int nextId = 1;
    int timeoutMs = 120000;
};

// The archive the study was opened from, or null (opened from a file, or its archive is no longer configured).
const ArchiveConfig* archiveOfStudy(const AppState& state, int studyId);
// Whether the selected study's results may be sent now; `why` (may be null) says why not, in the UI language.
bool canSendResultsToArchive(const AppState& state, std::string* why = nullptr);
// Whether the command is offered at all for the selected study (its archive allows STOW), analyzed or not.
bool sendToArchiveOffered(const AppState& state);
// Builds the objects and starts the upload; returns the record's id, 0 when nothing was sent (announced why).
int sendResultsToArchive(AppState& state);
// True when fetchId was one of ours (the answer is then taken, recorded and announced).
bool archiveSendAnswer(AppState& state, int fetchId, const ArchiveAnswer& answer);
const ArchiveSendRecord* findArchiveSend(const AppState& state, int id);
// The latest send of the selected study's results, or null.
const ArchiveSendRecord* lastArchiveSendOfSelected(const AppState& state);
// "sending", "done", "failed" for the page's API.
const char* archiveSendStateName(ArchiveSendRecord::State state);

} // namespace dx
