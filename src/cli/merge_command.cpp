// merge_command.cpp — see merge_command.h. Everything from the shard files' text to the metrics and the
// report is src/core (screening, validation, report); this file reads files and arguments.
#include "cli/merge_command.h"

#include "core/base/file_io.h"
#include "core/base/notice.h"
#include "core/report/report.h"
#include "core/screening/shard_merge.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace dx {

// clang-format off
const char* mergeUsage() {
    return "usage: dxlens merge OUTDIR [--list FILES.txt] [--labels labels.csv] [--positive LABEL]\n"
           "                    [--out report.json|report.csv|report.html]\n"
           "  Merges the shard files (shard-*.jsonl) that `dxlens analyze --list ... --out OUTDIR` tasks wrote.\n"
           "  Refuses shards of different models or lists; says which shards and inputs are missing.\n"
           "  --list FILES.txt   the run's list, to name missing inputs (default: the path in the shards, if\n"
           "                     it is readable and unchanged)\n"
           "  --labels CSV       file,label rows: the validation window's metrics at the manifest threshold\n"
           "                     (confusion matrix, sensitivity, specificity, ROC/AUC with 95% bootstrap\n"
           "                     interval, calibration); paths match exactly or by their last components\n"
           "                     (a URL input: the URL, or e.g. its SOP Instance UID alone when unique)\n"
           "  --positive LABEL   the model label validated against the rest (default: the manifest's)\n"
           "  --out FILE         .json: the summary, or with labels the validation report; .csv: one row per\n"
           "                     input, or with labels the ROC table; .html (with labels): the validation\n"
           "                     report as a printable page. Default: JSON on stdout.\n"
           "  Exit code 0: complete; 1: shards or inputs missing (the report covers the rest); 2: error.\n";
}
// clang-format on

namespace {

using OrderedJson = nlohmann::ordered_json;

int fail(const std::string& message) {
    std::fprintf(stderr, "dxlens merge: %s\n", message.c_str());
    return 2;
}

struct MergeArgs {
    std::string dir, list, labels, positive, out;
};

Result<MergeArgs> parseArgs(int argc, char** argv) {
    MergeArgs a;
    for (int i = 0; i < argc; i++) {
        const std::string arg = argv[i];
        std::string* target = arg == "--list"       ? &a.list
                              : arg == "--labels"   ? &a.labels
                              : arg == "--positive" ? &a.positive
                              : arg == "--out"      ? &a.out
                                                    : nullptr;
        if (target) {
            if (i + 1 >= argc) return Error(arg + " needs a value");
            *target = argv[++i];
        } else if (arg.rfind("--", 0) == 0) {
            return Error("unknown option " + arg + " (try dxlens merge --help)");
        } else if (a.dir.empty()) {
            a.dir = arg;
        } else {
            return Error("one OUTDIR only (got '" + a.dir + "' and '" + arg + "')");
        }
    }
    if (a.dir.empty()) return Error("give the folder the shard files are in (dxlens merge OUTDIR)");
    if (!a.out.empty()) {
        const std::string ext = fs::path(a.out).extension().string();
        if (ext != ".json" && ext != ".csv" && ext != ".html")
            return Error("--out " + a.out +
                         ": the report is written as .json, .csv or .html (by the file's extension)");
    }
    return a;
}

std::string textOf(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

std::string joinedNumbers(const std::vector<size_t>& values, size_t shown) {
    std::string out;
    for (size_t i = 0; i < values.size() && i < shown; i++)
        out += (i ? ", " : "") + std::to_string(values[i]);
    if (values.size() > shown) out += ", … (" + std::to_string(values.size()) + " in all)";
    return out;
}

// What the merge found, for the JSON outputs.
OrderedJson mergeSummary(const MergedRun& run, const InputList* list) {
    OrderedJson shards = OrderedJson::array();
    for (size_t s = 0; s < run.shardFiles.size(); s++)
        shards.push_back(run.shardFiles[s].empty() ? OrderedJson(nullptr) : OrderedJson(run.shardFiles[s]));
    OrderedJson missing = OrderedJson::array();
    for (size_t k : run.missingInputs)
        missing.push_back(
            {{"input_index", k}, {"file", list ? OrderedJson(list->paths[k]) : OrderedJson(nullptr)}});
    size_t done = 0, outOfDistribution = 0;
    std::vector<size_t> positives(run.scoreLabels.size(), 0);
    for (const BatchItem& item : run.items) {
        if (item.state != BatchItemState::Done) continue;
        done++;
        if (item.outOfDistribution) outOfDistribution++;
        for (size_t l = 0; l < run.scoreLabels.size(); l++)
            if (const Finding* f = item.scoreFor(run.scoreLabels[l]); f && f->hasThreshold && f->positive)
                positives[l]++;
    }
    OrderedJson positive = OrderedJson::object();
    for (size_t l = 0; l < run.scoreLabels.size(); l++)
        positive[run.scoreLabels[l]] = positives[l];
    return {
        {"model",
         {{"id", run.header.modelId},
          {"version", run.header.modelVersion},
          {"sha256", run.header.modelSha256}}},
        {"list",
         {{"path", run.header.listPath}, {"sha256", run.header.listSha256}, {"count", run.header.listCount}}},
        {"shards", {{"count", run.shardFiles.size()}, {"files", shards}, {"missing", run.missingShards}}},
        {"inputs",
         {{"analyzed", done},
          {"failed", run.failed},
          {"missing", run.missingInputs.size()},
          {"duplicate_lines", run.duplicates},
          {"out_of_distribution", outOfDistribution},
          {"called_positive", positive}}},
        {"missing_inputs", missing}};
}

} // namespace

int runMergeCommand(int argc, char** argv) {
    for (int i = 0; i < argc; i++)
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::fputs(mergeUsage(), stdout);
            return 0;
        }
    Result<MergeArgs> parsed = parseArgs(argc, argv);
    if (!parsed) return fail(parsed.error().message);
    const MergeArgs& a = *parsed;

    std::error_code ec;
    if (!fs::is_directory(a.dir, ec)) return fail("'" + a.dir + "' is not a folder");
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(a.dir, ec)) {
        const std::string name = e.path().filename().string();
        if (e.is_regular_file() && name.rfind("shard-", 0) == 0 && e.path().extension() == ".jsonl")
            names.push_back(e.path().string());
    }
    if (ec) return fail(a.dir + ": " + ec.message());
    std::sort(names.begin(), names.end());
    if (names.empty()) return fail(a.dir + " holds no shard files (shard-*.jsonl)");
    std::vector<ShardLog> logs;
    for (const std::string& name : names) {
        Result<Bytes> bytes = readFileBytes(name);
        if (!bytes) return fail(bytes.error().message);
        Result<ShardLog> log = parseShardLog(textOf(*bytes), name);
        if (!log) return fail(log.error().message);
        logs.push_back(std::move(*log));
    }

    // The list names missing inputs: the one given, else the shards' own when it is still there unchanged.
    Result<InputList> list = Error("no list");
    const std::string listPath = a.list.empty() ? logs.front().header.listPath : a.list;
    if (Result<Bytes> listBytes = readFileBytes(listPath); listBytes)
        list = parseInputList(textOf(*listBytes), listPath);
    if (!a.list.empty() && !list) return fail(list.error().message);
    const bool listMatches = list && list->sha256 == logs.front().header.listSha256;
    if (!a.list.empty() && !listMatches)
        return fail(a.list + " is not the list the shards analyzed (" +
                    std::to_string(logs.front().header.listCount) + " files, " +
                    logs.front().header.listPath + ")");
    const InputList* inputList = listMatches ? &*list : nullptr;

    Result<MergedRun> run = mergeShardLogs(logs, names, inputList);
    if (!run) return fail(run.error().message);
    std::fprintf(
        stderr,
        "dxlens merge: %zu shard file(s) of %s %s over %zu inputs: %zu analyzed, %zu failed, %zu missing\n",
        names.size(), run->header.modelId.c_str(), run->header.modelVersion.c_str(), run->items.size(),
        run->items.size() - run->failed - run->missingInputs.size(), run->failed, run->missingInputs.size());
    if (!run->missingShards.empty()) {
        std::vector<size_t> shards(run->missingShards.begin(), run->missingShards.end());
        std::fprintf(stderr, "dxlens merge: shards with no file yet: %s (of 0-%zu)\n",
                     joinedNumbers(shards, 20).c_str(), run->shardFiles.size() - 1);
    }
    if (!run->missingInputs.empty())
        std::fprintf(stderr, "dxlens merge: inputs not analyzed yet (list indices): %s\n",
                     joinedNumbers(run->missingInputs, 20).c_str());
    if (run->duplicates)
        std::fprintf(stderr, "dxlens merge: %zu input(s) appear twice; the first line of each counts\n",
                     run->duplicates);

    const bool csv = fs::path(a.out).extension() == ".csv";
    const bool html = fs::path(a.out).extension() == ".html";
    if (html && a.labels.empty())
        return fail(
            "--out .html is the validation report: give --labels too (without labels: .json or .csv)");
    std::string text;
    if (a.labels.empty()) {
        if (csv) {
            text = batchResultsCsv(run->items, run->scoreLabels);
        } else {
            OrderedJson j = {{"schema", "dxlens.merge/1"}, {"notice", kResearchUseNotice}};
            j.update(mergeSummary(*run, inputList));
            text = j.dump(2) + "\n";
        }
    } else {
        Result<Bytes> labelBytes = readFileBytes(a.labels);
        if (!labelBytes) return fail(labelBytes.error().message);
        Result<LabelledSet> labels = parseLabelledCsv(textOf(*labelBytes), a.labels);
        if (!labels) return fail(labels.error().message);
        Result<MergedValidation> v = validateMergedRun(*run, *labels, a.positive);
        if (!v) return fail(v.error().message);
        std::fprintf(stderr,
                     "dxlens merge: validated %zu labelled inputs against '%s' (%zu left out: failed or "
                     "missing; %zu inputs without a label; %zu label rows matching no input): AUC %s\n",
                     v->scores.scores.size(), v->positiveLabel.c_str(), v->scores.excluded, v->unlabelled,
                     v->unmatched, formatMetric(v->validation.auc, 4).c_str());
        ValidationReportInput input{&v->validation, &run->manifest, v->positiveLabel, a.labels};
        Result<std::string> report = csv    ? writeValidationCsv(input, {})
                                     : html ? writeValidationHtml(input, {})
                                            : writeValidationJson(input, {});
        if (!report) return fail(report.error().message);
        text = std::move(*report);
        if (!csv && !html) {
            OrderedJson j = OrderedJson::parse(text);
            OrderedJson merge = mergeSummary(*run, inputList);
            merge["validation"] = {{"labelled", v->set.items.size()},
                                   {"left_out", v->scores.excluded},
                                   {"without_label", v->unlabelled},
                                   {"label_rows_unmatched", v->unmatched}};
            j["merge"] = merge;
            text = j.dump(2) + "\n";
        }
    }
    if (a.out.empty()) {
        std::fputs(text.c_str(), stdout);
    } else {
        Status written = writeFileBytes(a.out, text.data(), text.size());
        if (!written) return fail(written.error().message);
        std::fprintf(stderr, "dxlens merge: wrote %s\n", a.out.c_str());
    }
    return run->missingShards.empty() && run->missingInputs.empty() ? 0 : 1;
}

} // namespace dx
