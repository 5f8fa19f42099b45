// shard_merge.cpp — see shard_merge.h.
#include "core/screening/shard_merge.h"

#include <algorithm>
#include <unordered_map>

namespace dx {

Result<MergedRun> mergeShardLogs(const std::vector<ShardLog>& logs, const std::vector<std::string>& names,
                                 const InputList* list) {
    if (logs.empty()) return Error("no shard files (shard-*.jsonl) to merge");
    MergedRun run;
    run.header = logs.front().header;
    const ShardHeader& first = run.header;
    for (size_t i = 1; i < logs.size(); i++) {
        const ShardHeader& h = logs[i].header;
        if (h.modelSha256 != first.modelSha256)
            return Error("the shards were made by different models: " + names[0] + " by " + first.modelId +
                         " " + first.modelVersion + " (model file sha256 " + first.modelSha256.substr(0, 12) +
                         "…), " + names[i] + " by " + h.modelId + " " + h.modelVersion + " (" +
                         h.modelSha256.substr(0, 12) + "…); merge the shards of one model at a time");
        if (h.listSha256 != first.listSha256 || h.listCount != first.listCount)
            return Error("the shards analyzed different lists: " + names[0] + " " +
                         std::to_string(first.listCount) + " files (" + first.listPath + "), " + names[i] +
                         " " + std::to_string(h.listCount) + " files (" + h.listPath + ")");
        if (h.shard.count != first.shard.count)
            return Error("the shards split the list differently: " + names[0] + " is one of " +
                         std::to_string(first.shard.count) + ", " + names[i] + " one of " +
                         std::to_string(h.shard.count));
    }
    if (list && (list->sha256 != first.listSha256 || list->paths.size() != first.listCount))
        return Error("the list given (" + std::to_string(list->paths.size()) +
                     " files) is not the one the shards analyzed (" + std::to_string(first.listCount) +
                     " files, " + first.listPath + ")");
    if (first.manifestJson.empty()) return Error(names[0] + ": its header has no model manifest");
    Result<ModelManifest> manifest = parseModelManifest(first.manifestJson);
    if (!manifest) return Error(names[0] + ": the model manifest in its header: " + manifest.error().message);
    run.manifest = std::move(*manifest);

    const auto shardCount = size_t(first.shard.count);
    run.shardFiles.assign(shardCount, {});
    std::vector<int> filesPerShard(shardCount, 0);
    for (size_t i = 0; i < logs.size(); i++) {
        const auto index = size_t(logs[i].header.shard.index);
        if (filesPerShard[index]++ == 0) run.shardFiles[index] = names[i];
    }
    for (size_t s = 0; s < shardCount; s++)
        if (!filesPerShard[s]) run.missingShards.push_back(int(s));

    run.items.resize(first.listCount);
    std::vector<bool> seen(first.listCount, false);
    for (size_t i = 0; i < logs.size(); i++) {
        for (const ShardEntry& e : logs[i].entries) {
            if (e.inputIndex % shardCount != size_t(logs[i].header.shard.index))
                return Error(names[i] + ": input " + std::to_string(e.inputIndex) +
                             " does not belong to shard " + std::to_string(logs[i].header.shard.index) +
                             " of " + std::to_string(shardCount) + " (the file was edited or renamed?)");
            if (seen[e.inputIndex]) {
                run.duplicates++;
                continue;
            }
            seen[e.inputIndex] = true;
            BatchItem& item = run.items[e.inputIndex];
            item.name = e.file;
            if (!e.ok) {
                item.state = BatchItemState::Failed;
                item.error = e.error;
                run.failed++;
                continue;
            }
            item.state = BatchItemState::Done;
            item.scores = e.findings;
            const Finding* top = topFinding(item.scores);
            item.topScore = top ? int(top - item.scores.data()) : -1;
            item.hasOod = e.hasOod;
            item.outOfDistribution = e.outOfDistribution;
        }
    }
    for (size_t k = 0; k < first.listCount; k++) {
        if (seen[k]) continue;
        run.missingInputs.push_back(k);
        BatchItem& item = run.items[k];
        item.name = list ? list->paths[k] : "(input " + std::to_string(k) + " of " + first.listPath + ")";
        item.state = BatchItemState::Cancelled;
        const size_t shard = k % shardCount;
        item.error = filesPerShard[shard]
                         ? "not analyzed yet: shard " + std::to_string(shard) + " is incomplete"
                         : "not analyzed: shard " + std::to_string(shard) + " has no output";
    }
    run.scoreLabels = classificationLabels(run.manifest);
    if (run.scoreLabels.empty()) run.scoreLabels = batchScoreLabels(run.items);
    return run;
}

// Path components, '\' read as '/'.
static std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> out;
    std::string part;
    for (char c : path) {
        if (c == '/' || c == '\\') {
            if (!part.empty() && part != ".") out.push_back(part);
            part.clear();
        } else {
            part += c;
        }
    }
    if (!part.empty() && part != ".") out.push_back(part);
    return out;
}

static std::string joinedTail(const std::vector<std::string>& parts, size_t count) {
    std::string out;
    for (size_t i = parts.size() - count; i < parts.size(); i++)
        out += (out.empty() ? "" : "/") + parts[i];
    return out;
}

Result<MergedValidation> validateMergedRun(const MergedRun& run, const LabelledSet& labels,
                                           const std::string& positiveLabel,
                                           const BootstrapOptions& bootstrap) {
    if (isMulticlassModel(run.manifest))
        return Error(
            "model " + run.manifest.id +
            " has more than two classes; merge validates one label against the rest: give --positive "
            "LABEL with one of its labels");
    MergedValidation out;
    out.positiveLabel = positiveLabel.empty() ? defaultPositiveLabel(run.manifest) : positiveLabel;
    const std::vector<std::string> modelLabels = classificationLabels(run.manifest);
    if (std::find(modelLabels.begin(), modelLabels.end(), out.positiveLabel) == modelLabels.end())
        return Error("model " + run.manifest.id + " has no label '" + out.positiveLabel + "'");

    // Every input path's trailing component sequences -> input index, -1 when several inputs share it.
    std::unordered_map<std::string, long> exact, tails;
    for (size_t k = 0; k < run.items.size(); k++) {
        if (run.items[k].state == BatchItemState::Cancelled)
            continue; // missing: its name may be a placeholder
        exact.emplace(run.items[k].name, long(k));
        const std::vector<std::string> parts = components(run.items[k].name);
        for (size_t n = 1; n <= parts.size(); n++) {
            auto [it, inserted] = tails.emplace(joinedTail(parts, n), long(k));
            if (!inserted && it->second != long(k)) it->second = -1;
        }
    }
    std::vector<long> labelOfInput(run.items.size(), -1); // index into labels.items
    for (size_t r = 0; r < labels.items.size(); r++) {
        const std::string& file = labels.items[r].file;
        long k = -1;
        if (auto it = exact.find(file); it != exact.end()) {
            k = it->second;
        } else {
            const std::vector<std::string> parts = components(file);
            auto it2 = parts.empty() ? tails.end() : tails.find(joinedTail(parts, parts.size()));
            if (it2 != tails.end()) k = it2->second;
        }
        if (k < 0 || labelOfInput[size_t(k)] >= 0) {
            out.unmatched++;
            continue;
        }
        labelOfInput[size_t(k)] = long(r);
    }
    out.set.classes = labels.classes;
    for (size_t k = 0; k < run.items.size(); k++) {
        if (labelOfInput[k] < 0) {
            if (run.items[k].state != BatchItemState::Cancelled) out.unlabelled++;
            continue;
        }
        out.set.items.push_back(labels.items[size_t(labelOfInput[k])]);
        out.items.push_back(run.items[k]);
    }
    if (out.set.items.empty())
        return Error("no input of the run is named in the labels file (" +
                     std::to_string(labels.items.size()) +
                     " rows; paths are matched exactly or by their last folders and file name)");
    Result<BinaryTruth> truth = binaryTruth(out.set, out.positiveLabel);
    if (!truth) return truth.error();
    out.truth = std::move(*truth);
    Result<ValidationScores> scores = collectValidationScores(out.items, out.truth, out.positiveLabel);
    if (!scores) return scores.error();
    out.scores = std::move(*scores);
    BinaryValidationOptions options;
    options.threshold = defaultThreshold(run.manifest, out.positiveLabel);
    options.bootstrap = bootstrap;
    Result<BinaryValidation> validation = validateBinary(out.scores.scores, out.scores.labels, options);
    if (!validation) return validation.error();
    out.validation = std::move(*validation);
    return out;
}

} // namespace dx
