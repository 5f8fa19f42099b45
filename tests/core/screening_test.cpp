// screening_test.cpp — archive runs split over cluster tasks (core/screening): the list, the shard split and
// where it comes from (Slurm, Kubernetes), the shard files read back after a kill, and the merge, whose
// metrics must equal the validation window's over the same scores exactly.
#include "core/inference/analysis_json.h"
#include "core/screening/cpu_budget.h"
#include "core/screening/shard_log.h"
#include "core/screening/shard_merge.h"
#include "core/screening/shard_plan.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

dx::EnvironmentLookup environmentOf(std::map<std::string, std::string> values) {
    return [values](const char* name, std::string* value) {
        auto it = values.find(name);
        if (it == values.end()) return false;
        *value = it->second;
        return true;
    };
}

// clang-format off
const char* const kManifest = R"({
  "schema": "dxlens.model/1", "id": "screen-test", "name": "Test model", "version": "2.0.0",
  "task": "classification", "file": "model.onnx",
  "sha256": "1111111111111111111111111111111111111111111111111111111111111111",
  "input": { "name": "image", "channels": 1, "height": 2, "width": 2, "resize": "stretch",
             "normalize": { "scale": 0.00392156862745098, "mean": [0], "std": [1] } },
  "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["normal", "pneumonia"],
                 "thresholds": { "pneumonia": 0.5 } } ] })";
// clang-format on

dx::ShardHeader headerFor(int index, int count, size_t listCount,
                          const std::string& modelSha = std::string(64, '1')) {
    dx::ShardHeader h;
    h.modelId = "screen-test";
    h.modelVersion = "2.0.0";
    h.modelSha256 = modelSha;
    h.manifestJson = kManifest;
    h.listPath = "/archive/list.txt";
    h.listSha256 = std::string(64, 'a');
    h.listCount = listCount;
    h.shard = {index, count, "--shard " + std::to_string(index) + "/" + std::to_string(count)};
    h.software = "dxlens test";
    return h;
}

// A deterministic, irregular score for input k (some ties, some exact thresholds).
float scoreOf(size_t k) {
    return float((k * 7919) % 101) / 100.0f;
}

std::string resultLine(size_t k, const std::string& file) {
    dx::AnalysisResult r;
    r.file = file;
    r.model = "screen-test";
    r.backend = "cpu";
    dx::Finding normal{"logits", "normal", 1.0f - scoreOf(k), false, 0.0, false};
    dx::Finding pneumonia{"logits", "pneumonia", scoreOf(k), true, 0.5, scoreOf(k) >= 0.5f};
    r.findings = {normal, pneumonia};
    return dx::withInputIndex(dx::analysisResultJson(r), k);
}

std::string pathOf(size_t k) {
    return std::string("/archive/") + (k % 3 == 0 ? "pneumonia" : "normal") + "/img" + std::to_string(k) +
           ".png";
}

// The text shard `index` of `count` writes over a list of n, input `failing` (if any) an error line.
std::string shardText(int index, int count, size_t n, size_t failing = size_t(-1)) {
    std::string text = dx::shardHeaderJson(headerFor(index, count, n)) + "\n";
    for (size_t k : dx::shardInputIndices(n, {index, count, ""}))
        text += (k == failing ? dx::shardErrorLineJson(k, pathOf(k), "screen-test", "not an image")
                              : resultLine(k, pathOf(k))) +
                "\n";
    return text;
}

std::vector<dx::ShardLog> parseAll(const std::vector<std::string>& texts, std::vector<std::string>* names) {
    std::vector<dx::ShardLog> logs;
    for (size_t i = 0; i < texts.size(); i++) {
        names->push_back("shard" + std::to_string(i));
        dx::Result<dx::ShardLog> log = dx::parseShardLog(texts[i], names->back());
        REQUIRE(log.ok());
        logs.push_back(std::move(*log));
    }
    return logs;
}

dx::LabelledSet labelsFor(size_t n, const std::string& prefix) {
    std::string csv = "file,label\n";
    for (size_t k = 0; k < n; k++)
        csv += prefix + (k % 3 == 0 ? "pneumonia" : "normal") + "/img" + std::to_string(k) + ".png," +
               (k % 3 == 0 || k % 7 == 0 ? "pneumonia" : "normal") + "\n";
    dx::Result<dx::LabelledSet> set = dx::parseLabelledCsv(csv, "labels.csv");
    REQUIRE(set.ok());
    return *set;
}

} // namespace

TEST_CASE("an input list skips comments and blank lines and is identified by its paths alone",
          "[screening]") {
    dx::Result<dx::InputList> lf =
        dx::parseInputList("# archive\n/a/1.dcm\n\n  /a/2.dcm  \n/a/3.png", "l.txt");
    dx::Result<dx::InputList> crlf =
        dx::parseInputList("\xEF\xBB\xBF/a/1.dcm\r\n/a/2.dcm\r\n/a/3.png\r\n", "l.txt");
    REQUIRE(lf.ok());
    REQUIRE(crlf.ok());
    CHECK(lf->paths == std::vector<std::string>{"/a/1.dcm", "/a/2.dcm", "/a/3.png"});
    CHECK(lf->sha256 == crlf->sha256);
    CHECK(lf->sha256 != dx::parseInputList("/a/1.dcm\n/a/3.png\n/a/2.dcm\n", "l.txt")->sha256);
    dx::Result<dx::InputList> empty = dx::parseInputList("# nothing\n\n", "empty.txt");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message == "empty.txt: lists no files (one path per line)");
}

TEST_CASE("shard I/N, and auto from a Slurm array or a Kubernetes Indexed Job", "[screening]") {
    const dx::EnvironmentLookup none = environmentOf({});
    dx::Result<dx::ShardSpec> explicitSpec = dx::parseShardSpec("2/5", none);
    REQUIRE(explicitSpec.ok());
    CHECK(explicitSpec->index == 2);
    CHECK(explicitSpec->count == 5);
    CHECK_FALSE(dx::parseShardSpec("5/5", none).ok());
    CHECK_FALSE(dx::parseShardSpec("1/0", none).ok());
    CHECK_FALSE(dx::parseShardSpec("-1/4", none).ok());
    CHECK_FALSE(dx::parseShardSpec("two", none).ok());

    // --array=1-10: task IDs 1..10 are shards 0..9.
    dx::Result<dx::ShardSpec> slurm =
        dx::parseShardSpec("auto", environmentOf({{"SLURM_ARRAY_TASK_ID", "7"},
                                                  {"SLURM_ARRAY_TASK_MIN", "1"},
                                                  {"SLURM_ARRAY_TASK_MAX", "10"},
                                                  {"SLURM_ARRAY_TASK_COUNT", "10"},
                                                  {"SLURM_ARRAY_JOB_ID", "4242"}}));
    REQUIRE(slurm.ok());
    CHECK(slurm->index == 6);
    CHECK(slurm->count == 10);
    CHECK(slurm->source == "Slurm array task 7 of 1-10 (job 4242)");
    // --array=0-18:2: IDs 0, 2, ..., 18 are shards 0..9.
    dx::Result<dx::ShardSpec> stepped =
        dx::parseShardSpec("auto", environmentOf({{"SLURM_ARRAY_TASK_ID", "4"},
                                                  {"SLURM_ARRAY_TASK_MIN", "0"},
                                                  {"SLURM_ARRAY_TASK_MAX", "18"},
                                                  {"SLURM_ARRAY_TASK_STEP", "2"},
                                                  {"SLURM_ARRAY_TASK_COUNT", "10"}}));
    REQUIRE(stepped.ok());
    CHECK(stepped->index == 2);
    CHECK(stepped->count == 10);
    // --array=1,3,8: not evenly spaced, refused with advice.
    dx::Result<dx::ShardSpec> uneven =
        dx::parseShardSpec("auto", environmentOf({{"SLURM_ARRAY_TASK_ID", "8"},
                                                  {"SLURM_ARRAY_TASK_MIN", "1"},
                                                  {"SLURM_ARRAY_TASK_MAX", "8"},
                                                  {"SLURM_ARRAY_TASK_COUNT", "3"}}));
    REQUIRE_FALSE(uneven.ok());
    CHECK(uneven.error().message.find("not evenly spaced") != std::string::npos);
    // auto/N: the task ID is the shard, so one index resubmitted on its own (--array=7) keeps its share.
    dx::Result<dx::ShardSpec> resubmitted =
        dx::parseShardSpec("auto/10", environmentOf({{"SLURM_ARRAY_TASK_ID", "7"},
                                                     {"SLURM_ARRAY_TASK_MIN", "7"},
                                                     {"SLURM_ARRAY_TASK_MAX", "7"},
                                                     {"SLURM_ARRAY_TASK_COUNT", "1"}}));
    REQUIRE(resubmitted.ok());
    CHECK(resubmitted->index == 7);
    CHECK(resubmitted->count == 10);
    dx::Result<dx::ShardSpec> beyond =
        dx::parseShardSpec("auto/4", environmentOf({{"SLURM_ARRAY_TASK_ID", "7"},
                                                    {"SLURM_ARRAY_TASK_MIN", "0"},
                                                    {"SLURM_ARRAY_TASK_MAX", "9"}}));
    REQUIRE_FALSE(beyond.ok());
    CHECK(beyond.error().message.find("--array=0-3") != std::string::npos);

    dx::Result<dx::ShardSpec> k8s =
        dx::parseShardSpec("auto/8", environmentOf({{"JOB_COMPLETION_INDEX", "3"}}));
    REQUIRE(k8s.ok());
    CHECK(k8s->index == 3);
    CHECK(k8s->count == 8);
    dx::Result<dx::ShardSpec> k8sNoCount =
        dx::parseShardSpec("auto", environmentOf({{"JOB_COMPLETION_INDEX", "3"}}));
    REQUIRE_FALSE(k8sNoCount.ok());
    CHECK(k8sNoCount.error().message.find("--shard auto/N") != std::string::npos);
    CHECK_FALSE(dx::parseShardSpec("auto/3", environmentOf({{"JOB_COMPLETION_INDEX", "3"}})).ok());

    dx::Result<dx::ShardSpec> nowhere = dx::parseShardSpec("auto", none);
    REQUIRE_FALSE(nowhere.ok());
    CHECK(nowhere.error().message.find("--shard I/N") != std::string::npos);
}

TEST_CASE("shards cover every input exactly once", "[screening]") {
    for (int count : {1, 2, 7, 64}) {
        const size_t n = 10007;
        std::vector<int> owner(n, -1);
        for (int s = 0; s < count; s++)
            for (size_t k : dx::shardInputIndices(n, {s, count, ""})) {
                REQUIRE(owner[k] == -1);
                owner[k] = s;
            }
        CHECK(std::count(owner.begin(), owner.end(), -1) == 0);
    }
    CHECK(dx::shardFileName({3, 10, ""}) == "shard-0003-of-0010.jsonl");
}

TEST_CASE("a shard file reads back exactly, and a line cut by a kill is ignored", "[screening]") {
    std::string text = shardText(1, 3, 20, 4);
    const size_t complete = text.size();
    text += resultLine(7, pathOf(7)).substr(0, 25); // killed while writing input 7's line
    dx::Result<dx::ShardLog> log = dx::parseShardLog(text, "s.jsonl");
    REQUIRE(log.ok());
    CHECK(log->partialLastLine);
    CHECK(log->completeBytes == complete);
    CHECK(log->header.modelSha256 == std::string(64, '1'));
    CHECK(log->header.shard.index == 1);
    CHECK(log->header.shard.count == 3);
    REQUIRE(log->entries.size() == 7); // 1, 4, 7, 10, 13, 16, 19
    CHECK(log->entries[0].inputIndex == 1);
    CHECK(log->entries[0].ok);
    CHECK(log->entries[0].findings[1].score == scoreOf(1)); // the same float32, not a nearby one
    CHECK_FALSE(log->entries[1].ok);
    CHECK(log->entries[1].error == "not an image");
    CHECK(log->entries[1].file == pathOf(4));

    dx::Result<dx::ShardLog> garbled = dx::parseShardLog(shardText(0, 3, 20) + "{not json}\n", "g.jsonl");
    REQUIRE_FALSE(garbled.ok());
    CHECK(garbled.error().message == "g.jsonl line 9: not valid JSON");
    CHECK_FALSE(dx::parseShardLog("{\"file\":\"a.png\"}\n", "x.jsonl").ok());
    CHECK_FALSE(dx::parseShardLog("", "empty.jsonl").ok());
}

TEST_CASE("a resumed task must be the same model, list and shard", "[screening]") {
    const dx::ShardHeader existing = headerFor(2, 4, 100);
    CHECK(dx::checkSameRun(existing, headerFor(2, 4, 100), "f").ok());
    dx::Status otherModel = dx::checkSameRun(existing, headerFor(2, 4, 100, std::string(64, '2')), "f");
    REQUIRE_FALSE(otherModel.ok());
    CHECK(otherModel.error().message.find("holds results of model screen-test 2.0.0") != std::string::npos);
    CHECK_FALSE(dx::checkSameRun(existing, headerFor(2, 4, 101), "f").ok());
    CHECK_FALSE(dx::checkSameRun(existing, headerFor(1, 4, 100), "f").ok());
}

TEST_CASE("merged shards give the validation window's metrics exactly, and say what is missing",
          "[screening]") {
    const size_t n = 600;
    std::vector<std::string> names;
    std::vector<dx::ShardLog> logs =
        parseAll({shardText(0, 4, n, 8), shardText(1, 4, n), shardText(2, 4, n), shardText(3, 4, n)}, &names);
    dx::Result<dx::MergedRun> run = dx::mergeShardLogs(logs, names, nullptr);
    REQUIRE(run.ok());
    CHECK(run->missingShards.empty());
    CHECK(run->missingInputs.empty());
    CHECK(run->failed == 1);
    REQUIRE(run->items.size() == n);
    CHECK(run->items[8].state == dx::BatchItemState::Failed);
    CHECK(run->scoreLabels == std::vector<std::string>{"normal", "pneumonia"});

    // Labels name the files relative to the archive root; the list has absolute paths.
    const dx::LabelledSet labels = labelsFor(n, "");
    dx::Result<dx::MergedValidation> v = dx::validateMergedRun(*run, labels, "", {200, 1});
    REQUIRE(v.ok());
    CHECK(v->positiveLabel == "pneumonia");
    CHECK(v->unmatched == 0);
    CHECK(v->scores.excluded == 1);

    // One process over the same scores, as the validation window computes them.
    std::vector<double> scores;
    std::vector<int> truth;
    for (size_t k = 0; k < n; k++) {
        if (k == 8) continue;
        scores.push_back(double(scoreOf(k)));
        truth.push_back(k % 3 == 0 || k % 7 == 0 ? 1 : 0);
    }
    dx::BinaryValidationOptions options;
    options.threshold = 0.5;
    options.bootstrap = {200, 1};
    dx::Result<dx::BinaryValidation> direct = dx::validateBinary(scores, truth, options);
    REQUIRE(direct.ok());
    CHECK(v->validation.auc == direct->auc);
    CHECK(v->validation.aucInterval.lower == direct->aucInterval.lower);
    CHECK(v->validation.aucInterval.upper == direct->aucInterval.upper);
    CHECK(v->validation.metrics.sensitivity == direct->metrics.sensitivity);
    CHECK(v->validation.metrics.specificity == direct->metrics.specificity);
    CHECK(v->validation.reliability.expectedCalibrationError == direct->reliability.expectedCalibrationError);

    // Shard 2 never ran and shard 3 was killed after its first input.
    std::string shard3 = shardText(3, 4, n);
    const size_t secondLine = shard3.find('\n', shard3.find('\n') + 1) + 1;
    std::vector<std::string> partialNames;
    std::vector<dx::ShardLog> partial =
        parseAll({shardText(0, 4, n), shardText(1, 4, n), shard3.substr(0, secondLine + 10)}, &partialNames);
    dx::Result<dx::MergedRun> incomplete = dx::mergeShardLogs(partial, partialNames, nullptr);
    REQUIRE(incomplete.ok());
    CHECK(incomplete->missingShards == std::vector<int>{2});
    CHECK(incomplete->missingInputs.size() == n / 4 + n / 4 - 1);
    CHECK(incomplete->items[2].state == dx::BatchItemState::Cancelled);
    CHECK(incomplete->items[2].error == "not analyzed: shard 2 has no output");
    CHECK(incomplete->items[7].error == "not analyzed yet: shard 3 is incomplete");
}

TEST_CASE("shards of another model or list are refused", "[screening]") {
    std::vector<std::string> names;
    std::string other = shardText(1, 2, 10);
    const std::string sha1(64, '1'), sha2(64, '2');
    other.replace(other.find(sha1), sha1.size(), sha2);
    std::vector<dx::ShardLog> logs = parseAll({shardText(0, 2, 10), other}, &names);
    dx::Result<dx::MergedRun> run = dx::mergeShardLogs(logs, names, nullptr);
    REQUIRE_FALSE(run.ok());
    CHECK(run.error().message.find("different models") != std::string::npos);

    std::vector<std::string> names2;
    std::vector<dx::ShardLog> lists = parseAll({shardText(0, 2, 10), shardText(1, 2, 12)}, &names2);
    CHECK_FALSE(dx::mergeShardLogs(lists, names2, nullptr).ok());
}

TEST_CASE("10,000 inputs over 16 shards merge with each input once", "[screening]") {
    const size_t n = 10000;
    std::vector<std::string> texts;
    for (int s = 0; s < 16; s++)
        texts.push_back(shardText(s, 16, n));
    texts.push_back(shardText(5, 16, n)); // a copy of shard 5's file: its inputs count once
    std::vector<std::string> names;
    std::vector<dx::ShardLog> logs = parseAll(texts, &names);
    dx::Result<dx::MergedRun> run = dx::mergeShardLogs(logs, names, nullptr);
    REQUIRE(run.ok());
    CHECK(run->missingInputs.empty());
    CHECK(run->duplicates == n / 16);
    for (size_t k = 0; k < n; k += 997)
        CHECK(run->items[k].name == pathOf(k));
}

TEST_CASE("a task uses the CPUs its scheduler gave it, not the machine's", "[screening]") {
    dx::CpuLimits machine;
    machine.affinity = 64;
    machine.cgroupCpuMax = "max 100000\n";
    dx::CpuBudget all = dx::cpuBudget(environmentOf({}), machine);
    CHECK(all.threads == 64);
    CHECK(all.reason == "64 CPUs in the task's affinity mask");

    dx::CpuBudget slurm = dx::cpuBudget(environmentOf({{"SLURM_CPUS_PER_TASK", "2"}}), machine);
    CHECK(slurm.threads == 2);
    CHECK(slurm.reason == "SLURM_CPUS_PER_TASK=2");

    dx::CpuLimits pod = machine;
    pod.cgroupCpuMax = "150000 100000\n"; // a Kubernetes limit of 1.5 CPUs
    dx::CpuBudget quota = dx::cpuBudget(environmentOf({}), pod);
    CHECK(quota.threads == 2);
    CHECK(quota.reason == "cgroup cpu.max 150000/100000");

    dx::CpuLimits v1;
    v1.cgroupV1Quota = "300000\n";
    v1.cgroupV1Period = "100000\n";
    CHECK(dx::cpuBudget(environmentOf({{"SLURM_CPUS_PER_TASK", "8"}}), v1).threads == 3);
    v1.cgroupV1Quota = "-1\n";
    CHECK(dx::cpuBudget(environmentOf({{"SLURM_CPUS_PER_TASK", "8"}}), v1).threads == 8);
    CHECK(dx::cpuBudget(environmentOf({{"SLURM_CPUS_PER_TASK", "two"}}), {}).threads == 1);
}

TEST_CASE("an archive run's read-ahead workers and inference threads share the budget", "[screening]") {
    const dx::ArchiveThreads two = dx::planArchiveThreads(2, 0, 0);
    CHECK(two.inference == 2);
    CHECK(two.prepareWorkers == 2); // they sleep while ahead of the model: no CPU taken from it then
    const dx::ArchiveThreads big = dx::planArchiveThreads(64, 0, 0);
    CHECK(big.inference == 64);
    CHECK(big.prepareWorkers == dx::kMaxPrepareWorkers); // each holds an image: memory stays bounded
    const dx::ArchiveThreads asked = dx::planArchiveThreads(2, 1, 3);
    CHECK(asked.inference == 1);
    CHECK(asked.prepareWorkers == 3);
    const dx::ArchiveThreads unknown = dx::planArchiveThreads(0, 0, 0);
    CHECK(unknown.inference == 1);
    CHECK(unknown.prepareWorkers == 1);
}
