// Activations, findings, OOD verdicts and segmentation masks mapped back to the image's resolution.
#include "core/inference/postprocess.h"

#include <catch2/catch.hpp>

static dx::ModelManifest classifier() {
    dx::ModelManifest m;
    m.id = "test";
    m.task = dx::ModelTask::Classification;
    dx::ModelOutputSpec logits;
    logits.name = "logits";
    logits.activation = dx::Activation::Softmax;
    logits.labels = {"normal", "pneumonia"};
    logits.thresholds = {{"pneumonia", 0.7}};
    dx::ModelOutputSpec ood;
    ood.name = "ood";
    ood.labels = {"distance"};
    m.outputs = {logits, ood};
    m.hasOod = true;
    m.ood = {"ood", "mahalanobis", 4.0, true};
    return m;
}

static dx::NamedTensor named(std::string name, dx::Shape shape, std::vector<float> data) {
    return {std::move(name), dx::Tensor{std::move(shape), std::move(data)}};
}

TEST_CASE("Softmax is numerically stable and sigmoid saturates cleanly") {
    std::vector<float> v = {1000.0f, 1001.0f};
    dx::softmaxInPlace(v.data(), 2, 1);
    CHECK(v[0] == Approx(0.26894142f));
    CHECK(v[1] == Approx(0.73105858f));
    std::vector<float> strided = {0.0f, 9.0f, 0.0f, 9.0f}; // two values, stride 2
    dx::softmaxInPlace(strided.data(), 2, 2);
    CHECK(strided[0] == 0.5f);
    CHECK(strided[2] == 0.5f);
    CHECK(strided[1] == 9.0f);
    CHECK(dx::sigmoid(-1000.0f) == 0.0f);
    CHECK(dx::sigmoid(1000.0f) == 1.0f);
    CHECK(dx::sigmoid(0.0f) == 0.5f);
    CHECK(dx::sigmoid(-2.0f) == Approx(0.11920292f));

    // Softmax over axis 1 of [1, 2, 1, 2]: per pixel, across the two channels.
    dx::Tensor seg{{1, 2, 1, 2}, {0.0f, 1.0f, 0.0f, -1.0f}};
    dx::applyActivation(dx::Activation::Softmax, seg, 1);
    CHECK(seg.data[0] == 0.5f);
    CHECK(seg.data[2] == 0.5f);
    CHECK(seg.data[1] == Approx(0.88079708f));
    CHECK(seg.data[3] == Approx(0.11920292f));
}

TEST_CASE(
    "Findings carry probabilities, thresholds and the positive flag, and the OOD output is not a finding") {
    dx::ModelManifest m = classifier();
    std::vector<dx::NamedTensor> raw = {named("logits", {1, 2}, {1000.0f, 1001.0f}),
                                        named("ood", {1, 1}, {5.0f})};
    dx::Result<std::vector<dx::Finding>> f = dx::classificationFindings(m, raw);
    REQUIRE(f.ok());
    REQUIRE(f->size() == 2);
    CHECK((*f)[0].label == "normal");
    CHECK_FALSE((*f)[0].hasThreshold);
    CHECK((*f)[1].label == "pneumonia");
    CHECK((*f)[1].score == Approx(0.73105858f));
    CHECK((*f)[1].hasThreshold);
    CHECK((*f)[1].positive); // 0.731 >= 0.7

    dx::Result<dx::OodVerdict> ood = dx::oodVerdict(m, raw);
    REQUIRE(ood.ok());
    CHECK(ood->present);
    CHECK(ood->score == 5.0f);
    CHECK_FALSE(ood->inDistribution); // 5 > 4 and higher is outlier
    m.ood.higherIsOutlier = false;    // e.g. a likelihood: low is foreign
    CHECK(dx::oodVerdict(m, raw)->inDistribution);

    std::vector<dx::NamedTensor> wrong = {named("logits", {1, 3}, {0, 0, 0}), named("ood", {1, 1}, {1})};
    CHECK(dx::classificationFindings(m, wrong).error().message ==
          "Output 'logits' has shape [1, 3] but the manifest names 2 labels for it.");
    CHECK(dx::classificationFindings(m, {}).error().message ==
          "The model did not return its output 'logits'.");
}

TEST_CASE("Multilabel sigmoid scores are independent") {
    dx::ModelManifest m;
    dx::ModelOutputSpec o;
    o.name = "scores";
    o.activation = dx::Activation::Sigmoid;
    o.labels = {"a", "b", "c"};
    m.outputs = {o};
    dx::Result<std::vector<dx::Finding>> f =
        dx::classificationFindings(m, {named("scores", {1, 3}, {-1000, 0, 1000})});
    REQUIRE(f.ok());
    CHECK((*f)[0].score == 0.0f);
    CHECK((*f)[1].score == 0.5f);
    CHECK((*f)[2].score == 1.0f);
    CHECK_FALSE(dx::oodVerdict(m, {})->present);
}

static dx::ModelManifest segmenter(int channels) {
    dx::ModelManifest m;
    m.task = dx::ModelTask::Segmentation;
    dx::ModelOutputSpec o;
    o.name = "mask";
    o.activation = channels == 1 ? dx::Activation::Sigmoid : dx::Activation::None;
    o.classes = {"background", "lesion"};
    m.outputs = {o};
    return m;
}

TEST_CASE("Segmentation scores are interpolated to the image's resolution before the argmax") {
    // 2x2 model output on a 4x4 image (stretch). Image column x samples model column (x + 0.5) / 2 - 0.5,
    // clamped: 0, 0.25, 0.75, 1. Lesion minus background: -1 and 2 -> -1, -0.25, 1.25, 2 -> mask columns 0 0 1 1.
    dx::Placement p = dx::computePlacement(4, 4, 2, 2, dx::ResizeMode::Stretch);
    std::vector<dx::NamedTensor> raw = {named("mask", {1, 2, 2, 2}, {0, 0, 0, 0, -1, 2, -1, 2})};
    dx::Result<dx::SegmentationMask> mask = dx::segmentationMask(segmenter(2), raw, p, 0.5, 0.5);
    REQUIRE(mask.ok());
    CHECK(mask->width == 4);
    CHECK(mask->height == 4);
    CHECK(mask->labels == std::vector<uint8_t>{0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1});
    REQUIRE(mask->areas.size() == 2);
    CHECK(mask->areas[1].name == "lesion");
    CHECK(mask->areas[1].pixels == 8);
    CHECK(mask->areas[1].fraction == 0.5);
    CHECK(mask->areas[1].areaMm2 == 2.0); // 8 pixels of 0.5 x 0.5 mm
    CHECK(dx::maskGreyValues(*mask)[2] == 255);

    CHECK(dx::segmentationMask(segmenter(2), {named("mask", {1, 3, 2, 2}, std::vector<float>(12))}, p)
              .error()
              .message ==
          "Segmentation output 'mask' has shape [1, 3, 2, 2] but the manifest expects [1, 2, 2, 2].");
}

TEST_CASE("A single-channel segmentation thresholds the activated, interpolated foreground score") {
    // Logits -2 and 2 interpolated: -2, -1, 1, 2 -> sigmoid 0.119, 0.269, 0.731, 0.881.
    dx::Placement p = dx::computePlacement(4, 1, 2, 1, dx::ResizeMode::Stretch);
    std::vector<dx::NamedTensor> raw = {named("mask", {1, 1, 1, 2}, {-2, 2})};
    dx::ModelManifest m = segmenter(1);
    CHECK(dx::segmentationMask(m, raw, p)->labels == std::vector<uint8_t>{0, 0, 1, 1});
    m.outputs[0].thresholds = {{"lesion", 0.75}};
    CHECK(dx::segmentationMask(m, raw, p)->labels == std::vector<uint8_t>{0, 0, 0, 1});
}

TEST_CASE("Letterboxed segmentation maps only the image area back, never the padding") {
    // A 4x2 image letterboxed into 4x4 occupies model rows 1-2; the lesion score is high there and low in the
    // padding rows, so every image pixel is lesion.
    dx::Placement p = dx::computePlacement(4, 2, 4, 4, dx::ResizeMode::Letterbox);
    std::vector<float> scores(32, 0.0f);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            scores[size_t(16 + y * 4 + x)] = (y == 1 || y == 2) ? 5.0f : -5.0f;
    dx::Result<dx::SegmentationMask> mask =
        dx::segmentationMask(segmenter(2), {named("mask", {1, 2, 4, 4}, scores)}, p);
    REQUIRE(mask.ok());
    CHECK(mask->labels == std::vector<uint8_t>(8, 1));
}

TEST_CASE("More than two classes take the argmax of every interpolated class score") {
    // Image columns sample model columns 0, 0.25, 0.75, 1. Scores: class 0 = 2, 1.5, 0.5, 0; class 1 = 0,
    // 0.5, 1.5, 2; class 2 = 1.6 everywhere -> labels 0, 2, 2, 1 (class 2 wins only between the model pixels).
    dx::ModelManifest m = segmenter(3);
    m.outputs[0].classes = {"background", "left", "right"};
    dx::Placement p = dx::computePlacement(4, 1, 2, 1, dx::ResizeMode::Stretch);
    std::vector<dx::NamedTensor> raw = {named("mask", {1, 3, 1, 2}, {2, 0, 0, 2, 1.6f, 1.6f})};
    dx::Result<dx::SegmentationMask> mask = dx::segmentationMask(m, raw, p);
    REQUIRE(mask.ok());
    CHECK(mask->labels == std::vector<uint8_t>{0, 2, 2, 1});
    CHECK(dx::maskGreyValues(*mask) ==
          std::vector<uint8_t>{0, 2, 2, 1}); // class indices when there are several
    CHECK(mask->areas[2].pixels == 2);
}
