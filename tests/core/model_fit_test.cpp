// model_fit_test.cpp — the model picker's suggestion/warning rule (core/model_fit.h) on hand-made cases.
#include "core/inference/model_fit.h"

#include <catch2/catch.hpp>

using namespace dx;

static Image imageWith(std::map<std::string, std::string> metadata) {
    Image img;
    img.metadata = std::move(metadata);
    return img;
}

static ModelManifest chestModel() {
    ModelManifest m;
    m.modalities = {"CR", "DX"};
    m.bodyParts = {"chest"};
    return m;
}

TEST_CASE("a chest radiograph fits a chest X-ray model, whatever the case of the attributes") {
    const ModelFitVerdict v =
        modelFit(imageWith({{"Modality", "dx"}, {"BodyPartExamined", "CHEST"}}), chestModel());
    CHECK(v.fit == ModelFit::Match);
    CHECK(v.reason.empty());
}

TEST_CASE("a CT does not fit a radiograph model, and the reason names both sides") {
    const ModelFitVerdict v =
        modelFit(imageWith({{"Modality", "CT"}, {"BodyPartExamined", "CHEST"}}), chestModel());
    CHECK(v.fit == ModelFit::Mismatch);
    CHECK(v.reason == "The image's modality is CT; the model expects CR, DX.");
}

TEST_CASE("the right modality of the wrong body part is a mismatch") {
    const ModelFitVerdict v =
        modelFit(imageWith({{"Modality", "CR"}, {"BodyPartExamined", "KNEE"}}), chestModel());
    CHECK(v.fit == ModelFit::Mismatch);
    CHECK(v.reason == "The image's body part is KNEE; the model expects chest.");
}

TEST_CASE("images that do not say, and manifests that do not say, are neither suggested nor warned about") {
    CHECK(modelFit(imageWith({{"format", "PNG"}}), chestModel()).fit == ModelFit::Unknown);
    CHECK(modelFit(imageWith({{"Modality", "CT"}}), ModelManifest{}).fit == ModelFit::Unknown);
    // Modality alone is enough to suggest; the missing body part is not held against the image.
    CHECK(modelFit(imageWith({{"Modality", "DX"}}), chestModel()).fit == ModelFit::Match);
}

TEST_CASE("a tabular model fits no image, even one that says nothing about itself") {
    ModelManifest table;
    table.task = ModelTask::Tabular;
    table.input.layout = "NF";
    const ModelFitVerdict v = modelFit(imageWith({{"format", "PNG"}}), table);
    CHECK(v.fit == ModelFit::Mismatch);
    CHECK(v.reason == "The model reads a table of measurements, not an image.");
}
