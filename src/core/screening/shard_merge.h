// shard_merge.h — the shards of one archive run put back together, in list order, and validated against
// labels with the same core code as the validation window (validation_run.h, metrics.h).
//
// How to use:
//   std::vector<dx::ShardLog> logs = ...;                 // parseShardLog of every shard file in the folder
//   dx::Result<dx::MergedRun> run = dx::mergeShardLogs(logs, names, list ? &*list : nullptr);
//   run->missingShards;  run->missingInputs;              // what is not there yet, to resubmit
//   dx::batchResultsCsv(run->items, run->scoreLabels);    // one row per input (batch_run.h)
//   dx::Result<dx::MergedValidation> v = dx::validateMergedRun(*run, labelledSet, "");   // "" = the default label
//
// Shards from different models (model file sha256) or lists are refused, naming the files. An input done
// twice (two files of one shard, after copying by hand) counts once: its first line. Inputs no shard has
// done are listed in missingInputs and are Cancelled items with a message; validation leaves them out and
// counts them, as it leaves out files that failed.
#pragma once

#include "core/base/result.h"
#include "core/inference/model_manifest.h"
#include "core/screening/shard_log.h"
#include "core/screening/shard_plan.h"
#include "core/validation/batch_run.h"
#include "core/validation/labelled_set.h"
#include "core/validation/metrics.h"
#include "core/validation/validation_run.h"

#include <string>
#include <vector>

namespace dx {

struct MergedRun {
    ShardHeader header; // the first shard's (model, list); shard fields are not meaningful here
    ModelManifest manifest;
    std::vector<std::string> shardFiles; // by shard index; empty where missing
    std::vector<int> missingShards;
    std::vector<size_t> missingInputs; // list indices no shard has a line for
    size_t duplicates = 0;             // lines for an input already seen (left out)
    std::vector<BatchItem> items;      // one per list input, in list order
    std::vector<std::string> scoreLabels;
    size_t failed = 0; // inputs with an error line
};

// `names`: the file name of each log, for messages. `list`: the run's list when available (names for missing
// inputs; refused when its sha256 differs from the shards').
Result<MergedRun> mergeShardLogs(const std::vector<ShardLog>& logs, const std::vector<std::string>& names,
                                 const InputList* list);

struct MergedValidation {
    LabelledSet set;              // the labelled inputs, in list order
    std::vector<BatchItem> items; // their results, aligned with set.items
    BinaryTruth truth;
    ValidationScores scores;
    BinaryValidation validation;
    std::string positiveLabel;
    size_t unlabelled = 0; // inputs the labels file does not mention
    size_t unmatched = 0;  // labels file rows that match no input
};

// Labels match inputs by the exact path, else by the path's trailing components (labels often hold paths
// relative to the archive root while the list holds absolute ones) when exactly one input ends that way.
// `positiveLabel` "" takes the manifest's default (the first label with a threshold). The threshold is the
// manifest's, as in the validation window.
Result<MergedValidation> validateMergedRun(const MergedRun& run, const LabelledSet& labels,
                                           const std::string& positiveLabel,
                                           const BootstrapOptions& bootstrap = {});

} // namespace dx
