// fake_model.h — a test double for code that runs models (batch_run, validation_run, workspace): a backend
// whose results can be held back until the test delivers them, and the 2 x 2 grey, two-class manifest
// ("normal", "pneumonia", softmax, threshold 0.5) such a model pretends to run.
//
// How to use:
//   class Bright : public HeldResultsModel {            // outputsFor() computes what run() will answer
//       std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>& in) override { ... }
//   };
//   Bright model; model.async = true;                   // run() keeps results until deliverOne()
//   std::shared_ptr<dx::ModelPackage> package = twoClassPackage("bright-test");
//   dx::ModelSlot slot = readySlot(model);             // a library slot, Ready, whose session runs on `model`
#pragma once

#include "core/inference/inference.h"
#include "core/inference/model_library.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

class HeldResultsModel : public dx::InferenceBackend {
public:
    bool async = false;
    int inFlight = 0, peakInFlight = 0, runs = 0;
    std::deque<std::function<void()>> waiting;

    virtual std::vector<dx::NamedTensor> outputsFor(const std::vector<dx::NamedTensor>& inputs) = 0;

    dx::BackendCapabilities capabilities() const override { return {"fake", "test model", false, 1}; }
    void load(const dx::Bytes&, const dx::ModelManifest&, dx::LoadCallback done) override {
        done(dx::Error("not used"));
    }
    void run(dx::SessionHandle, std::vector<dx::NamedTensor> inputs, dx::RunCallback done) override {
        runs++;
        peakInFlight = std::max(peakInFlight, ++inFlight);
        auto finish = [this, out = outputsFor(inputs), done] {
            inFlight--;
            done(out);
        };
        if (async)
            waiting.push_back(finish);
        else
            finish();
    }
    void release(dx::SessionHandle) override {}
    bool deliverOne() {
        if (waiting.empty()) return false;
        auto next = waiting.front();
        waiting.pop_front();
        next();
        return true;
    }
};

inline std::shared_ptr<dx::ModelPackage> twoClassPackage(const std::string& id) {
    // The manifest as it reads; clang-format would break its first line after the `+` before `id`.
    // clang-format off
    const std::string text = R"({
  "schema": "dxlens.model/1", "id": ")" + id + R"(", "name": "Test model", "version": "1",
  "task": "classification", "file": "model.onnx",
  "sha256": "0000000000000000000000000000000000000000000000000000000000000000",
  "input": { "name": "image", "channels": 1, "height": 2, "width": 2, "resize": "stretch",
             "normalize": { "scale": 0.00392156862745098, "mean": [0], "std": [1] } },
  "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["normal", "pneumonia"],
                 "thresholds": { "pneumonia": 0.5 } } ] })";
    // clang-format on
    dx::Result<dx::ModelManifest> manifest = dx::parseModelManifest(text);
    REQUIRE(manifest.ok());
    auto package = std::make_shared<dx::ModelPackage>();
    package->manifest = *manifest;
    return package;
}

// A model library slot in the Ready state whose session runs on `model` with twoClassPackage(id).
inline dx::ModelSlot readySlot(HeldResultsModel& model, const std::string& id = "held-test") {
    dx::ModelSlot slot;
    slot.state = dx::ModelSlotState::Ready;
    slot.package = twoClassPackage(id);
    slot.session.backend = &model;
    slot.session.backendName = "held";
    slot.session.handle = 1;
    slot.session.package = slot.package;
    return slot;
}
