// shard_plan.h — which inputs of an archive-wide list one task of a cluster job analyzes.
//
// How to use:
//   dx::Result<dx::InputList> list = dx::parseInputList(text, "files.txt");    // one path per line
//   dx::Result<dx::ShardSpec> shard = dx::parseShardSpec("auto", dx::processEnvironment());
//   for (size_t i : dx::shardInputIndices(list->paths.size(), *shard)) analyze(list->paths[i]);
//   shard->source;   // "Slurm array task 7 of 0-9 (job 4242)": written into the shard's output
//
// Input i (0-based, in list order) belongs to shard i mod N: every input is in exactly one shard, a shard's
// inputs are spread over the whole list (folders of one kind of image do not all land in one task), and the
// split depends only on the list and N, so a resubmitted task gets the same inputs again.
//
// --shard forms:
//   "I/N"      task I of N, counted from 0 (0 <= I < N)
//   "auto/N"   N shards; the index from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, 0-based; its count is
//              not in the environment: the Job's .spec.completions) or from a Slurm array submitted as
//              --array=0-(N-1), whose task ID is the index. Resubmitting one index (--array=7) then finds its
//              share again: the form to use for runs that may need resubmitting.
//   "auto"     from the geometry of a Slurm job array: SLURM_ARRAY_TASK_ID, _MIN, _MAX, _STEP, _COUNT (an array
//              1-10 or 0-9 gives shards 0..9; a stepped array 0-18:2 too). A later single-index resubmission
//              would look like a 1-task array, so the archive run refuses it when the output folder holds
//              shards of another split.
// Lines of the list: leading/trailing spaces and a trailing CR are removed; blank lines and lines starting
// with '#' are skipped (a path that really starts with '#' can be written as ./#name).
#pragma once

#include "core/base/result.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dx {

struct InputList {
    std::vector<std::string> paths;
    std::string sha256; // of the paths joined by '\n': identifies the list whatever its line ends or comments
};

Result<InputList> parseInputList(std::string_view text, const std::string& fileName);

struct ShardSpec {
    int index = 0; // 0-based
    int count = 1;
    std::string source; // how it was decided, for the shard's header and messages
};

// Looks up an environment variable: the value, or nullopt-like "absent" through the bool.
using EnvironmentLookup = std::function<bool(const char* name, std::string* value)>;
EnvironmentLookup processEnvironment(); // std::getenv

Result<ShardSpec> parseShardSpec(std::string_view text, const EnvironmentLookup& environment);

// The list indices shard `spec` analyzes, ascending.
std::vector<size_t> shardInputIndices(size_t listSize, const ShardSpec& spec);

// "shard-0003-of-0010.jsonl": the file a shard writes in the output folder (fixed width, so they sort).
std::string shardFileName(const ShardSpec& spec);

} // namespace dx
