// shard_plan.cpp — see shard_plan.h.
#include "core/screening/shard_plan.h"

#include "core/base/sha256.h"

#include <cstdio>
#include <cstdlib>

namespace dx {

static std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

Result<InputList> parseInputList(std::string_view text, const std::string& fileName) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    InputList list;
    std::string joined;
    size_t lineNumber = 0;
    while (!text.empty()) {
        const size_t end = text.find('\n');
        std::string_view line = trimmed(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        lineNumber++;
        if (line.empty() || line.front() == '#') continue;
        if (line.find('\0') != std::string_view::npos)
            return Error(fileName + " line " + std::to_string(lineNumber) +
                         ": holds a NUL byte; the list must be text, one path per line");
        if (!list.paths.empty()) joined += '\n';
        joined += line;
        list.paths.emplace_back(line);
    }
    if (list.paths.empty()) return Error(fileName + ": lists no files (one path per line)");
    list.sha256 = sha256Hex(joined.data(), joined.size());
    return list;
}

EnvironmentLookup processEnvironment() {
    return [](const char* name, std::string* value) {
        const char* v = std::getenv(name);
        if (!v) return false;
        *value = v;
        return true;
    };
}

// A whole number >= 0 that fits an int, the whole text.
static bool parseCount(std::string_view text, int* out) {
    if (text.empty() || text.size() > 9) return false;
    int v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

static Result<int> environmentNumber(const EnvironmentLookup& environment, const char* name, bool* present) {
    std::string value;
    *present = environment(name, &value);
    if (!*present) return 0;
    int n = 0;
    if (!parseCount(trimmed(value), &n))
        return Error(std::string(name) + " is '" + value + "', not a whole number >= 0");
    return n;
}

// The task of a Slurm job array, or an error saying what is missing. `expectedCount` 0: not given.
static Result<ShardSpec> slurmShard(const EnvironmentLookup& environment, int expectedCount) {
    bool hasId = false, hasMin = false, hasMax = false, hasStep = false, hasCount = false;
    Result<int> id = environmentNumber(environment, "SLURM_ARRAY_TASK_ID", &hasId);
    Result<int> min = environmentNumber(environment, "SLURM_ARRAY_TASK_MIN", &hasMin);
    Result<int> max = environmentNumber(environment, "SLURM_ARRAY_TASK_MAX", &hasMax);
    Result<int> step = environmentNumber(environment, "SLURM_ARRAY_TASK_STEP", &hasStep);
    Result<int> count = environmentNumber(environment, "SLURM_ARRAY_TASK_COUNT", &hasCount);
    for (const Result<int>* r : {&id, &min, &max, &step, &count})
        if (!*r) return r->error();
    if (!hasId || !hasMin || !hasMax)
        return Error("--shard auto: this is not a task of a Slurm job array (SLURM_ARRAY_TASK_ID, _MIN and "
                     "_MAX are not all set) nor of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX); give "
                     "--shard I/N");
    ShardSpec spec;
    std::string job;
    const std::string jobText =
        environment("SLURM_ARRAY_JOB_ID", &job) ? " (job " + std::string(trimmed(job)) + ")" : "";
    if (expectedCount) {
        // The task ID is the shard: a single index resubmitted later (--array=7) still finds its share.
        if (*id >= expectedCount)
            return Error("--shard auto/" + std::to_string(expectedCount) + ": SLURM_ARRAY_TASK_ID is " +
                         std::to_string(*id) + "; with auto/N submit the array as --array=0-" +
                         std::to_string(expectedCount - 1) + " (task IDs are the shard numbers)");
        spec.index = *id;
        spec.count = expectedCount;
        spec.source = "Slurm array task " + std::to_string(*id) + " of 0-" +
                      std::to_string(expectedCount - 1) + jobText;
        return spec;
    }
    const int stride = hasStep && *step > 0 ? *step : 1;
    if (*id < *min || *id > *max || (*id - *min) % stride != 0)
        return Error("--shard auto: SLURM_ARRAY_TASK_ID " + std::to_string(*id) +
                     " is not a task of the array " + std::to_string(*min) + "-" + std::to_string(*max) +
                     ":" + std::to_string(stride));
    spec.index = (*id - *min) / stride;
    spec.count = hasCount ? *count : (*max - *min) / stride + 1;
    if (spec.count < 1 || spec.index >= spec.count)
        return Error("--shard auto: the Slurm array's task IDs are not evenly spaced from " +
                     std::to_string(*min) + " to " + std::to_string(*max) + " (task " + std::to_string(*id) +
                     ", " + std::to_string(spec.count) + " tasks); submit it as a range such as --array=0-" +
                     std::to_string(spec.count - 1) + " or give --shard I/N");
    spec.source = "Slurm array task " + std::to_string(*id) + " of " + std::to_string(*min) + "-" +
                  std::to_string(*max) + (stride > 1 ? ":" + std::to_string(stride) : "") + jobText;
    return spec;
}

Result<ShardSpec> parseShardSpec(std::string_view text, const EnvironmentLookup& environment) {
    const std::string shown(text);
    const size_t slash = text.find('/');
    const std::string_view first = text.substr(0, slash);
    const std::string_view second =
        slash == std::string_view::npos ? std::string_view() : text.substr(slash + 1);
    int count = 0;
    if (slash != std::string_view::npos && (!parseCount(second, &count) || count < 1))
        return Error("--shard '" + shown + "': the number of shards after '/' must be a whole number >= 1");
    if (first == "auto") {
        bool hasIndex = false;
        Result<int> index = environmentNumber(environment, "JOB_COMPLETION_INDEX", &hasIndex);
        if (!index) return index.error();
        if (!hasIndex) return slurmShard(environment, count);
        if (count == 0)
            return Error(
                "--shard auto: a Kubernetes Indexed Job does not tell its number of completions; give it "
                "as --shard auto/N (N = the Job's .spec.completions)");
        if (*index >= count)
            return Error("--shard auto/" + std::to_string(count) + ": JOB_COMPLETION_INDEX is " +
                         std::to_string(*index) + ", outside 0.." + std::to_string(count - 1));
        return ShardSpec{*index, count, "Kubernetes Indexed Job completion " + std::to_string(*index)};
    }
    int index = 0;
    if (slash == std::string_view::npos || !parseCount(first, &index))
        return Error("--shard '" + shown + "': expected I/N (task I of N, from 0), auto or auto/N");
    if (index >= count)
        return Error("--shard '" + shown + "': shards are numbered from 0 to " + std::to_string(count - 1));
    return ShardSpec{index, count, "--shard " + shown};
}

std::vector<size_t> shardInputIndices(size_t listSize, const ShardSpec& spec) {
    std::vector<size_t> out;
    if (spec.count < 1 || spec.index < 0) return out;
    for (size_t i = size_t(spec.index); i < listSize; i += size_t(spec.count))
        out.push_back(i);
    return out;
}

std::string shardFileName(const ShardSpec& spec) {
    char name[64];
    std::snprintf(name, sizeof name, "shard-%04d-of-%04d.jsonl", spec.index, spec.count);
    return name;
}

} // namespace dx
