// merge_command.h — `dxlens merge DIR`: the shard files of an archive run (archive_run.h) as one result.
//
// How to use (from main.cpp): if (!strcmp(argv[1], "merge")) return dx::runMergeCommand(argc - 2, argv + 2);
//
//   dxlens merge OUTDIR [--list FILES.txt] [--labels labels.csv] [--positive LABEL] [--out report.json|.csv|.html]
//
// Reads every shard-*.jsonl in OUTDIR, refuses shards of different models or lists, and says which shards and
// inputs are missing. Without --labels: a summary (JSON) or one row per input (CSV). With --labels (file,label
// rows, as the validation window reads them): the validation window's metrics from the same core code
// (confusion matrix at the manifest threshold, sensitivity, specificity, ROC/AUC with its bootstrap interval,
// calibration), as its JSON report (plus a "merge" object), its ROC table (CSV) or a printable page (HTML).
// Exit code 0 when every shard and input is there, 1 when some are missing (the report covers what is there),
// 2 on errors.
#pragma once

namespace dx {

int runMergeCommand(int argc, char** argv);
const char* mergeUsage();

} // namespace dx
