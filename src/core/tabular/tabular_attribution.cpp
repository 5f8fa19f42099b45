// tabular_attribution.cpp — per-feature occlusion for tabular models (see tabular_attribution.h).
#include "core/tabular/tabular_attribution.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace dx {

bool canAttributeFeatures(const ModelManifest& manifest) {
    if (manifest.task != ModelTask::Tabular || manifest.input.features.empty()) return false;
    for (const TabularFeature& f : manifest.input.features)
        if (!f.hasTrainingMean) return false;
    return true;
}

std::string attributionLabel(const std::vector<Finding>& findings) {
    for (const Finding& f : findings)
        if (f.hasThreshold) return f.label;
    const Finding* best = nullptr;
    for (const Finding& f : findings)
        if (!best || f.score > best->score) best = &f;
    return best ? best->label : std::string();
}

Result<Tensor> occlusionBatch(const ModelInputSpec& spec, const Tensor& input) {
    const size_t n = spec.features.size();
    if (input.data.size() != n)
        return Error("The input has " + std::to_string(input.data.size()) + " values but the model has " +
                     std::to_string(n) + " features.");
    Tensor batch = Tensor::zeros({int64_t(n + 1), int64_t(n)});
    for (size_t row = 0; row <= n; row++)
        std::copy(input.data.begin(), input.data.end(), batch.data.begin() + row * n);
    for (size_t i = 0; i < n; i++) {
        if (!spec.features[i].hasTrainingMean)
            return Error("The model package gives no training mean for '" + spec.features[i].name +
                         "', so its contribution cannot be measured.");
        batch.data[(i + 1) * n + i] = float(spec.features[i].trainingMean);
    }
    return batch;
}

namespace {

struct LabelScore {
    double probability = 0.0;
    double logOdds = 0.0;
};

// The label's probability and log-odds from one row of raw scores, in double precision.
LabelScore scoreRow(Activation activation, const float* raw, size_t count, size_t label) {
    const double x = raw[label];
    if (activation == Activation::Sigmoid) return {1.0 / (1.0 + std::exp(-x)), x};
    if (activation == Activation::None) return {x, x};
    double top = -std::numeric_limits<double>::infinity(), othersTop = top;
    for (size_t j = 0; j < count; j++) {
        top = std::max(top, double(raw[j]));
        if (j != label) othersTop = std::max(othersTop, double(raw[j]));
    }
    double all = 0.0, others = 0.0;
    for (size_t j = 0; j < count; j++) {
        all += std::exp(raw[j] - top);
        if (j != label) others += std::exp(raw[j] - othersTop);
    }
    return {std::exp(x - top) / all, x - (othersTop + std::log(others))};
}

struct LabelledOutput {
    const ModelOutputSpec* spec = nullptr;
    size_t index = 0;
};

Result<LabelledOutput> findLabel(const ModelManifest& manifest, const std::string& label) {
    for (const ModelOutputSpec& o : manifest.outputs)
        for (size_t i = 0; i < o.labels.size(); i++)
            if (o.labels[i] == label) {
                if (o.activation == Activation::Softmax && o.labels.size() < 2)
                    return Error("Output '" + o.name +
                                 "' has a single softmax label: its probability is always 1.");
                return LabelledOutput{&o, i};
            }
    return Error("The model has no label '" + label + "' to explain.");
}

} // namespace

Result<FeatureAttribution> attributionFromOutputs(const ModelManifest& manifest, const Tensor& input,
                                                  const std::string& label,
                                                  const std::vector<NamedTensor>& rawOutputs) {
    Result<LabelledOutput> target = findLabel(manifest, label);
    if (!target) return target.error();
    const ModelOutputSpec& spec = *target->spec;
    const std::vector<TabularFeature>& features = manifest.input.features;
    const size_t rows = features.size() + 1, labels = spec.labels.size();
    const NamedTensor* raw = findTensor(rawOutputs, spec.name);
    if (!raw) return Error("The model returned no output '" + spec.name + "'.");
    if (raw->tensor.shape != Shape{int64_t(rows), int64_t(labels)})
        return Error("Output '" + spec.name + "' is " + shapeToString(raw->tensor.shape) +
                     " for a batch of " + std::to_string(rows) + " rows of " + std::to_string(labels) +
                     " labels.");
    const float* scores = raw->tensor.data.data();
    const LabelScore base = scoreRow(spec.activation, scores, labels, target->index);
    FeatureAttribution a;
    a.output = spec.name;
    a.label = label;
    a.probability = base.probability;
    a.logOdds = base.logOdds;
    for (size_t i = 0; i < features.size(); i++) {
        const LabelScore occluded =
            scoreRow(spec.activation, scores + (i + 1) * labels, labels, target->index);
        a.contributions.push_back({features[i].name, features[i].unit, double(input.data[i]),
                                   features[i].trainingMean, occluded.probability,
                                   base.probability - occluded.probability, base.logOdds - occluded.logOdds});
    }
    std::stable_sort(a.contributions.begin(), a.contributions.end(),
                     [](const FeatureContribution& x, const FeatureContribution& y) {
                         return std::abs(x.deltaLogOdds) > std::abs(y.deltaLogOdds);
                     });
    return a;
}

namespace {

// Runs the occlusion rows through the backend, all at once or one by one, and gathers the outputs.
class AttributionJob : public std::enable_shared_from_this<AttributionJob> {
public:
    AttributionJob(const ModelSession& s, Tensor input, Tensor batch, std::string label,
                   AttributionCallback done)
        : backend_(s.backend), handle_(s.handle), package_(s.package), input_(std::move(input)),
          batch_(std::move(batch)), label_(std::move(label)), done_(std::move(done)),
          startMs_(monotonicMs()) {
        const size_t rows = size_t(batch_.shape[0]);
        rowsPerCall_ = rows;
        for (const TensorInfo& t : s.info.inputs)
            if (t.name == package_->manifest.input.name && !t.shape.empty() && t.shape[0] == 1)
                rowsPerCall_ = 1; // a model exported with a fixed batch of 1
    }

    void runNext() {
        const size_t rows = size_t(batch_.shape[0]), width = size_t(batch_.shape[1]);
        const size_t count = std::min(rowsPerCall_, rows - next_);
        Tensor part = Tensor::zeros({int64_t(count), int64_t(width)});
        std::copy_n(batch_.data.begin() + next_ * width, count * width, part.data.begin());
        next_ += count;
        calls_++;
        auto self = shared_from_this();
        backend_->run(handle_, {{package_->manifest.input.name, std::move(part)}},
                      [self](Result<std::vector<NamedTensor>> out) { self->gather(std::move(out)); });
    }

private:
    void gather(Result<std::vector<NamedTensor>> out) {
        if (!out) return done_(Error("Feature contributions: " + out.error().message));
        for (NamedTensor& t : *out) {
            NamedTensor* have = nullptr;
            for (NamedTensor& g : gathered_)
                if (g.name == t.name) have = &g;
            if (!have) {
                gathered_.push_back(std::move(t));
                continue;
            }
            have->tensor.data.insert(have->tensor.data.end(), t.tensor.data.begin(), t.tensor.data.end());
            if (!have->tensor.shape.empty() && !t.tensor.shape.empty())
                have->tensor.shape[0] += t.tensor.shape[0];
        }
        if (next_ < size_t(batch_.shape[0])) return runNext();
        Result<FeatureAttribution> a = attributionFromOutputs(package_->manifest, input_, label_, gathered_);
        if (a) {
            a->backendCalls = calls_;
            a->elapsedMs = monotonicMs() - startMs_;
        }
        done_(std::move(a));
    }

    InferenceBackend* backend_;
    SessionHandle handle_;
    std::shared_ptr<const ModelPackage> package_;
    Tensor input_, batch_;
    std::string label_;
    AttributionCallback done_;
    double startMs_;
    size_t rowsPerCall_ = 1, next_ = 0;
    int calls_ = 0;
    std::vector<NamedTensor> gathered_;
};

} // namespace

void attributeFeatures(const ModelSession& session, const Tensor& input, const std::string& label,
                       AttributionCallback done) {
    if (!session.backend || !session.package) return done(Error("No model session is open."));
    const ModelManifest& m = session.package->manifest;
    if (!canAttributeFeatures(m))
        return done(Error(m.id + " gives no training means for its features, so contributions cannot be "
                                 "measured."));
    Result<LabelledOutput> target = findLabel(m, label);
    if (!target) return done(target.error());
    Result<Tensor> batch = occlusionBatch(m.input, input);
    if (!batch) return done(batch.error());
    std::make_shared<AttributionJob>(session, input, std::move(*batch), label, std::move(done))->runNext();
}

std::string featureAttributionJson(const FeatureAttribution& a) {
    nlohmann::ordered_json contributions = nlohmann::ordered_json::array();
    for (const FeatureContribution& c : a.contributions)
        contributions.push_back({{"feature", c.feature},
                                 {"unit", c.unit},
                                 {"value", c.value},
                                 {"training_mean", c.trainingMean},
                                 {"probability_with_mean", c.probabilityWithMean},
                                 {"delta_probability", c.deltaProbability},
                                 {"delta_log_odds", c.deltaLogOdds}});
    nlohmann::ordered_json j;
    j["label"] = a.label;
    j["probability"] = a.probability;
    j["log_odds"] = a.logOdds;
    j["backend_calls"] = a.backendCalls;
    j["elapsed_ms"] = a.elapsedMs;
    j["contributions"] = contributions;
    return j.dump();
}

} // namespace dx
