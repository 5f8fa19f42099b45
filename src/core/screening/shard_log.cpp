// shard_log.cpp — see shard_log.h.
#include "core/screening/shard_log.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace dx {

using OrderedJson = nlohmann::ordered_json;

static constexpr int kShardFormat = 1;

std::string shardHeaderJson(const ShardHeader& h) {
    OrderedJson j = OrderedJson::object();
    j["dxlens_shard"] = kShardFormat;
    OrderedJson manifest = OrderedJson::parse(h.manifestJson, nullptr, false);
    j["model"] = {{"id", h.modelId},
                  {"version", h.modelVersion},
                  {"sha256", h.modelSha256},
                  {"manifest", manifest.is_discarded() ? OrderedJson(nullptr) : manifest}};
    j["list"] = {{"path", h.listPath}, {"sha256", h.listSha256}, {"count", h.listCount}};
    j["shard"] = {{"index", h.shard.index}, {"count", h.shard.count}, {"source", h.shard.source}};
    j["software"] = h.software;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

static std::string where(const std::string& fileName, size_t line) {
    return fileName + " line " + std::to_string(line);
}

static Result<ShardHeader> parseHeader(const OrderedJson& j, const std::string& at) {
    if (!j.is_object() || !j.contains("dxlens_shard"))
        return Error(at + ": not a DxLens shard file (its first line has no \"dxlens_shard\")");
    if (j["dxlens_shard"] != kShardFormat)
        return Error(at + ": shard format " + j["dxlens_shard"].dump() + "; this dxlens reads format " +
                     std::to_string(kShardFormat));
    try {
        ShardHeader h;
        const OrderedJson& model = j.at("model");
        h.modelId = model.at("id").get<std::string>();
        h.modelVersion = model.at("version").get<std::string>();
        h.modelSha256 = model.at("sha256").get<std::string>();
        if (model.contains("manifest") && model["manifest"].is_object())
            h.manifestJson = model["manifest"].dump();
        const OrderedJson& list = j.at("list");
        h.listPath = list.at("path").get<std::string>();
        h.listSha256 = list.at("sha256").get<std::string>();
        h.listCount = list.at("count").get<size_t>();
        const OrderedJson& shard = j.at("shard");
        h.shard.index = shard.at("index").get<int>();
        h.shard.count = shard.at("count").get<int>();
        h.shard.source = shard.value("source", "");
        h.software = j.value("software", "");
        if (h.shard.count < 1 || h.shard.index < 0 || h.shard.index >= h.shard.count)
            return Error(at + ": shard " + std::to_string(h.shard.index) + " of " +
                         std::to_string(h.shard.count) + " does not exist");
        return h;
    } catch (const nlohmann::json::exception& e) {
        return Error(at + ": the shard header is incomplete (" + std::string(e.what()) + ")");
    }
}

static Result<ShardEntry> parseEntry(const OrderedJson& j, const std::string& at) {
    if (!j.is_object()) return Error(at + ": not a JSON object");
    try {
        ShardEntry e;
        e.inputIndex = j.at("input_index").get<size_t>();
        e.file = j.at("file").get<std::string>();
        if (j.contains("error")) {
            e.error = j["error"].get<std::string>();
            return e;
        }
        e.ok = true;
        for (const OrderedJson& f : j.at("findings")) {
            Finding finding;
            finding.label = f.at("label").get<std::string>();
            const OrderedJson& score = f.at("score");
            // Written as the shortest text of the float32 score: read back to that same float.
            finding.score =
                score.is_null() ? std::numeric_limits<float>::quiet_NaN() : float(score.get<double>());
            if (f.contains("threshold")) {
                finding.hasThreshold = true;
                finding.threshold = double(float(f["threshold"].get<double>()));
                finding.positive = f.value("positive", false);
            }
            e.findings.push_back(std::move(finding));
        }
        if (j.contains("ood") && j["ood"].is_object()) {
            e.hasOod = true;
            e.outOfDistribution = !j["ood"].value("in_distribution", true);
        }
        return e;
    } catch (const nlohmann::json::exception& ex) {
        return Error(at + ": not a result line (" + std::string(ex.what()) + ")");
    }
}

Result<ShardLog> parseShardLog(std::string_view text, const std::string& fileName) {
    ShardLog log;
    size_t lineNumber = 0, offset = 0;
    bool haveHeader = false;
    while (offset < text.size()) {
        const size_t end = text.find('\n', offset);
        if (end == std::string_view::npos) {
            // A task killed while writing leaves at most this: not a result, and a resumed task writes it again.
            log.partialLastLine = true;
            break;
        }
        const std::string_view line = text.substr(offset, end - offset);
        lineNumber++;
        offset = end + 1;
        if (line.empty()) continue;
        const OrderedJson j = OrderedJson::parse(line.begin(), line.end(), nullptr, false);
        if (j.is_discarded()) return Error(where(fileName, lineNumber) + ": not valid JSON");
        if (!haveHeader) {
            Result<ShardHeader> header = parseHeader(j, where(fileName, lineNumber));
            if (!header) return header.error();
            log.header = std::move(*header);
            haveHeader = true;
        } else {
            Result<ShardEntry> entry = parseEntry(j, where(fileName, lineNumber));
            if (!entry) return entry.error();
            if (entry->inputIndex >= log.header.listCount)
                return Error(where(fileName, lineNumber) + ": input_index " +
                             std::to_string(entry->inputIndex) + " is outside the list of " +
                             std::to_string(log.header.listCount));
            log.entries.push_back(std::move(*entry));
        }
        log.completeBytes = offset;
    }
    if (!haveHeader) return Error(fileName + ": empty, or its header line was never finished");
    return log;
}

std::string withInputIndex(std::string resultLine, size_t inputIndex) {
    const std::string field = "\"input_index\":" + std::to_string(inputIndex);
    const size_t brace = resultLine.rfind('}');
    if (brace == std::string::npos) return resultLine;
    const bool empty = resultLine.find_first_not_of(" \t{", resultLine.find('{')) == brace;
    resultLine.insert(brace, empty ? field : "," + field);
    return resultLine;
}

std::string shardErrorLineJson(size_t inputIndex, const std::string& file, const std::string& modelId,
                               const std::string& message) {
    OrderedJson j = {{"file", file}, {"input_index", inputIndex}, {"model", modelId}, {"error", message}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status checkSameRun(const ShardHeader& existing, const ShardHeader& now, const std::string& fileName) {
    const std::string advice = "; give another --out folder, or remove the file to start this shard again";
    if (existing.modelSha256 != now.modelSha256)
        return Error(fileName + " holds results of model " + existing.modelId + " " + existing.modelVersion +
                     " (model file sha256 " + existing.modelSha256.substr(0, 12) + "…), not of this run's " +
                     now.modelId + " " + now.modelVersion + " (" + now.modelSha256.substr(0, 12) + "…)" +
                     advice);
    if (existing.listSha256 != now.listSha256 || existing.listCount != now.listCount)
        return Error(fileName + " was written for another list (" + std::to_string(existing.listCount) +
                     " files, " + existing.listPath + ") than this run's (" + std::to_string(now.listCount) +
                     " files, " + now.listPath + ")" + advice);
    if (existing.shard.index != now.shard.index || existing.shard.count != now.shard.count)
        return Error(fileName + " belongs to shard " + std::to_string(existing.shard.index) + " of " +
                     std::to_string(existing.shard.count) + ", not " + std::to_string(now.shard.index) +
                     " of " + std::to_string(now.shard.count) + advice);
    return {};
}

} // namespace dx
