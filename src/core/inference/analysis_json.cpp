// analysis_json.cpp — nlohmann::json with float32 numbers and insertion-ordered keys for the result lines.
#include "core/inference/analysis_json.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace dx {

// float as the number type: dump() then prints the shortest text that round-trips a float32 (e.g. 0.1 rather
// than 0.10000000149011612), and keys keep the documented order.
using ReportJson = nlohmann::basic_json<nlohmann::ordered_map, std::vector, std::string, bool, std::int64_t,
                                        std::uint64_t, float>;

Result<std::vector<NamedTensor>> parseNamedTensorsJson(std::string_view text, const std::string& fileName) {
    nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error(fileName +
                     " is not a JSON object { \"<output name>\": { \"shape\": [...], \"data\": [...] } }");
    std::vector<NamedTensor> tensors;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        const std::string where = fileName + ": " + it.key();
        const nlohmann::json& t = it.value();
        if (!t.is_object() || !t.contains("shape") || !t.contains("data") || !t["shape"].is_array() ||
            !t["data"].is_array())
            return Error(where + " must be { \"shape\": [...], \"data\": [...] }");
        NamedTensor named;
        named.name = it.key();
        for (const auto& d : t["shape"]) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0)
                return Error(where + ".shape must hold whole numbers");
            named.tensor.shape.push_back(d.get<int64_t>());
        }
        for (const auto& v : t["data"]) {
            if (!v.is_number()) return Error(where + ".data must hold numbers");
            named.tensor.data.push_back(v.get<float>());
        }
        if (named.tensor.data.size() != shapeElementCount(named.tensor.shape))
            return Error(where + " has " + std::to_string(named.tensor.data.size()) +
                         " values but its shape " + shapeToString(named.tensor.shape) + " holds " +
                         std::to_string(shapeElementCount(named.tensor.shape)));
        tensors.push_back(std::move(named));
    }
    return tensors;
}

Result<FeatureValues> parseFeatureValuesJson(std::string_view text, const std::string& fileName) {
    nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return Error(fileName + " is not a JSON object { \"<feature name>\": value }");
    FeatureValues values;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (!it.value().is_number()) return Error(fileName + ": '" + it.key() + "' must be a number");
        values.emplace_back(it.key(), it.value().get<double>());
    }
    return values;
}

static ReportJson selfTestObject(const SelfTestReport& r) {
    ReportJson j = ReportJson::object();
    j["status"] = selfTestStatusName(r.status);
    if (r.status != SelfTestStatus::Skipped) {
        j["max_abs_diff"] = float(r.maxAbsDiff);
        j["tolerance"] = float(r.tolerance);
    }
    if (!r.message.empty()) j["message"] = r.message;
    return j;
}

std::string selfTestJson(const SelfTestReport& report) {
    return selfTestObject(report).dump();
}

// Non-finite floats have no JSON spelling; they become null (a model that returns NaN is reported, not hidden).
static ReportJson number(float v) {
    return std::isfinite(v) ? ReportJson(v) : ReportJson(nullptr);
}

std::string analysisResultJson(const AnalysisResult& r, const AnalysisJsonOptions& options) {
    ReportJson j = ReportJson::object();
    j["file"] = r.file;
    j["model"] = r.model;
    j["backend"] = r.backend;
    j["self_test"] = selfTestObject(r.selfTest);

    ReportJson findings = ReportJson::array();
    for (const Finding& f : r.findings) {
        ReportJson o = ReportJson::object();
        o["label"] = f.label;
        o["score"] = number(f.score);
        if (f.hasThreshold) {
            o["threshold"] = float(f.threshold);
            o["positive"] = f.positive;
        }
        findings.push_back(std::move(o));
    }
    j["findings"] = std::move(findings);

    ReportJson outputs = ReportJson::object();
    if (options.includeOutputs) {
        for (const NamedTensor& t : r.outputs) {
            ReportJson o = ReportJson::object();
            o["shape"] = t.tensor.shape;
            ReportJson data = ReportJson::array();
            for (float v : t.tensor.data)
                data.push_back(number(v));
            o["data"] = std::move(data);
            outputs[t.name] = std::move(o);
        }
    }
    j["outputs"] = std::move(outputs);

    if (r.ood.present) {
        ReportJson o = ReportJson::object();
        o["score"] = number(r.ood.score);
        o["threshold"] = float(r.ood.threshold);
        o["in_distribution"] = r.ood.inDistribution;
        j["ood"] = std::move(o);
    } else {
        j["ood"] = nullptr;
    }

    ReportJson population = ReportJson::object();
    population["status"] = populationStatusName(r.population.status);
    population["reason"] = r.population.reason;
    j["population"] = std::move(population);

    if (r.hasMask) {
        ReportJson seg = ReportJson::object();
        seg["width"] = r.mask.width;
        seg["height"] = r.mask.height;
        ReportJson classes = ReportJson::array();
        for (const ClassArea& a : r.mask.areas) {
            ReportJson c = ReportJson::object();
            c["name"] = a.name;
            c["pixels"] = a.pixels;
            c["fraction"] = float(a.fraction);
            c["area_mm2"] = a.areaMm2 >= 0.0 ? ReportJson(float(a.areaMm2)) : ReportJson(nullptr);
            classes.push_back(std::move(c));
        }
        seg["classes"] = std::move(classes);
        j["segmentation"] = std::move(seg);
    }

    ReportJson t = ReportJson::object();
    t["decode"] = float(r.timingsMs.decode);
    t["preprocess"] = float(r.timingsMs.preprocess);
    t["inference"] = float(r.timingsMs.inference);
    t["postprocess"] = float(r.timingsMs.postprocess);
    j["timings_ms"] = std::move(t);
    return j.dump();
}

} // namespace dx
