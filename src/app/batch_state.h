// batch_state.h — what the Batch screening and Validation windows show, and the commands behind their
// buttons (the same commands the page's API calls, so a key, a click and a test do the same thing).
//
// How to use (the platform owns one BatchScreening and one ValidationStudy and points AppState at them):
//   dx::setBatchFiles(state, {names, readBytes, "my-folder"});   // a picked or dropped folder
//   dx::startBatch(state);                                      // with the active model; announces progress
//   dx::tickBatchWork(state);                                   // once per frame: progress announcements
//   dx::setValidationFiles(state, files, csvText, "labels.csv"); // folders per class, or a CSV of file,label
//   dx::startValidation(state);  ... state.validation->threshold = 0.4f;  // the slider moves the point
//   dx::downloadBatchExport(state, BatchExport::ValidationJson);
#pragma once

#include "app/app_state.h"
#include "core/validation/batch_run.h"
#include "core/validation/labelled_set.h"
#include "core/validation/metrics.h"
#include "core/validation/validation_run.h"

#include <memory>
#include <string>
#include <vector>

namespace dx {

enum class BatchQueueId { Batch = 0, Validation = 1 };

// Files the user picked, read on demand (their bytes are not held).
struct PickedFiles {
    std::vector<std::string> names; // relative paths, in the order they will be analyzed
    ReadBatchBytes read;
    std::string source; // the folder's name, for headings and exports
};

struct BatchScreening {
    PickedFiles files;
    std::shared_ptr<BatchRun> run;
    std::string message;      // the last error or notice, shown in the window
    std::vector<size_t> rows; // table rows in display order (indices into run->items())
    int sortColumn = -1;      // -1: queue order
    bool sortAscending = true;
    size_t sortedAtFinished = 0; // re-sort as results come in
    int announcedTenths = 0;     // progress announced to the live region so far (0..10)
    int focusedFrame = 0;        // when the window last had focus (drop target choice)
};

struct ValidationStudy {
    PickedFiles files;   // in the labelled set's item order
    std::string dataset; // folder or CSV the labels came from
    bool hasSet = false;
    LabelledSet set;
    std::string positiveLabel; // the model label treated as positive; empty: the model's default
    std::shared_ptr<BatchRun> run;
    std::string message; // why the set or the metrics could not be made
    bool hasResult = false;
    BinaryValidation result;
    BinaryTruth truth;       // for the run that produced `result`
    std::string modelLabel;  // the model label that run treated as positive
    ValidationScores scores; // what `result` was computed from (the slider's export re-bootstraps it)
    // A model with more than two labels is validated as one multi-class task (validation_run.h): the N x N
    // confusion matrix of the highest-scoring class, per-class and macro-averaged figures. `result`, `truth`,
    // `scores` and the threshold are then unused.
    bool multiclass = false;
    MulticlassTruth classTruth;            // for the run that produced `multiclassResult`
    MulticlassScores classScores;          // what `multiclassResult` was computed from
    MulticlassValidation multiclassResult; // valid when hasResult && multiclass
    size_t excluded = 0;                   // files left out of the metrics (failed)
    double threshold = 0.5;                // the slider's operating point
    int announcedTenths = 0;
    int focusedFrame = 0;
};

bool setBatchFiles(AppState& state, PickedFiles files);
bool startBatch(AppState& state);
void cancelBatch(AppState& state);

// `labelsCsv` empty: the folder-per-class layout of the picked paths. Otherwise a CSV of file,label whose
// file column is relative to the CSV's folder `csvFolder` ("" for the top of the pick).
bool setValidationFiles(AppState& state, PickedFiles files, const std::string& labelsCsv,
                        const std::string& csvName, const std::string& csvFolder);
bool startValidation(AppState& state);
void cancelValidation(AppState& state);
// The positive label the validation uses with the active model (the chosen one, else the model's default).
std::string validationPositiveLabel(const AppState& state);

// Once per frame: progress of running batches to the ARIA live region (every tenth), nothing else.
void tickBatchWork(AppState& state);

// Which queue a dropped folder goes to: the batch or validation window the user used last, -1 for none
// (then a drop opens the files in the workstation as usual).
int batchDropTarget(const AppState& state);

// ValidationRocCsv is the per-class table (confusion rows and one-vs-rest figures) for a multi-class model.
enum class BatchExport { BatchCsv, ValidationJson, ValidationRocCsv, ValidationScoresCsv };
Result<ExportedFile> makeBatchExport(const AppState& state, BatchExport what);
// Hands it to the browser as a download (downloadExport); false (announced) when there is nothing yet.
bool downloadBatchExport(AppState& state, BatchExport what);
// The page's folder (or multi-file) picker for a queue.
void pickBatchFiles(AppState& state, BatchQueueId queue, bool folder);

} // namespace dx
