// manifest.json validation: a good manifest parses, and each kind of mistake gives a message naming the field.
#include "core/inference/model_manifest.h"

#include "tests/core/shipped_manifest.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;

static json goodImageManifest() {
    return json::parse(R"({
      "schema": "dxlens.model/1", "id": "cxr-test", "name": "Test", "version": "1.0.0",
      "task": "classification", "file": "model.onnx",
      "sha256": "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
      "input": { "name": "image", "layout": "NCHW", "channels": 3, "height": 224, "width": 200,
                 "resize": "letterbox",
                 "normalize": { "scale": 0.00392156862, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225] },
                 "dicom_window": [40, 400], "invert_monochrome1": false },
      "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["normal", "pneumonia"],
                     "thresholds": { "pneumonia": 0.4 } },
                   { "name": "ood", "labels": ["distance"] } ],
      "ood": { "output": "ood", "method": "mahalanobis", "threshold": 12.5, "higher_is_outlier": true },
      "reference": { "input": "reference/input.png", "outputs": "reference/outputs.json", "tolerance": 1e-4 },
      "intended_use": "testing", "modalities": ["CR"], "body_parts": ["chest"], "license": "x", "citation": "y",
      "metrics": { "auc": 0.98 }, "calibration": { "temperature": 1.2 }
    })");
}

static std::string errorOf(const json& j) {
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(j.dump());
    REQUIRE_FALSE(m.ok());
    return m.error().message;
}

TEST_CASE("A complete image manifest parses into every field") {
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(goodImageManifest().dump());
    REQUIRE(m.ok());
    CHECK(m->task == dx::ModelTask::Classification);
    CHECK(m->sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"); // lower-cased
    CHECK(m->input.channels == 3);
    CHECK(m->input.height == 224);
    CHECK(m->input.width == 200);
    CHECK(m->input.resize == dx::ResizeMode::Letterbox);
    CHECK(m->input.normalize.std[2] == Approx(0.225f));
    CHECK_FALSE(m->input.windowFromFile);
    CHECK(m->input.windowCenter == 40.0);
    CHECK(m->input.windowWidth == 400.0);
    CHECK_FALSE(m->input.invertMonochrome1);
    REQUIRE(m->outputs.size() == 2);
    CHECK(m->outputs[0].activation == dx::Activation::Softmax);
    double t = 0;
    CHECK(dx::findThreshold(m->outputs[0], "pneumonia", &t));
    CHECK(t == 0.4);
    CHECK_FALSE(dx::findThreshold(m->outputs[0], "normal", &t));
    CHECK(m->hasOod);
    CHECK(m->ood.threshold == 12.5);
    CHECK(m->hasReference);
    CHECK(m->reference.tolerance == 1e-4);
    CHECK(m->modalities == std::vector<std::string>{"CR"});
    CHECK(m->metricsJson == R"({"auc":0.98})");
}

TEST_CASE("Manifest mistakes are reported with the field's path") {
    json j = goodImageManifest();
    j["input"]["normalize"]["std"] = {0.5};
    CHECK(errorOf(j) == "manifest.json: input.normalize.std has 1 value but input.channels is 3");

    j = goodImageManifest();
    j["input"]["normalize"]["mean"] = {0.5, 0.5};
    CHECK(errorOf(j) == "manifest.json: input.normalize.mean has 2 values but input.channels is 3");

    j = goodImageManifest();
    j.erase("version");
    CHECK(errorOf(j) == "manifest.json: version is missing");

    j = goodImageManifest();
    j["task"] = "detection";
    CHECK(errorOf(j) ==
          "manifest.json: task is \"detection\" but must be \"classification\", \"multilabel\", "
          "\"segmentation\" or \"tabular\"");

    j = goodImageManifest();
    j["input"]["resize"] = "crop";
    CHECK(
        errorOf(j) ==
        "manifest.json: input.resize is \"crop\" but must be \"stretch\", \"letterbox\" or \"center-crop\"");

    j = goodImageManifest();
    j["input"]["channels"] = 2;
    CHECK(errorOf(j) == "manifest.json: input.channels must be 1 or 3");

    j = goodImageManifest();
    j["input"]["height"] = -4;
    CHECK(errorOf(j) == "manifest.json: input.height must be a whole number from 1 to 8192");

    j = goodImageManifest();
    j["input"]["normalize"]["std"][1] = 0;
    CHECK(errorOf(j) == "manifest.json: input.normalize.std[1] must not be 0 (it divides)");

    j = goodImageManifest();
    j["input"]["dicom_window"] = {40, 0};
    CHECK(errorOf(j) ==
          "manifest.json: input.dicom_window must be \"file\" or [center, width] with width > 0");

    j = goodImageManifest();
    j["outputs"][0]["thresholds"] = {{"viral", 0.5}};
    CHECK(errorOf(j) ==
          "manifest.json: outputs[0].thresholds.viral names a label that is not in outputs[0].labels");

    j = goodImageManifest();
    j["outputs"][1]["name"] = "logits";
    CHECK(errorOf(j) == "manifest.json: outputs[1].name 'logits' is repeated");

    j = goodImageManifest();
    j["outputs"][0]["activation"] = "relu";
    CHECK(errorOf(j) ==
          "manifest.json: outputs[0].activation is \"relu\" but must be \"none\", \"softmax\" or "
          "\"sigmoid\"");

    j = goodImageManifest();
    j["ood"]["output"] = "energy";
    CHECK(errorOf(j) == "manifest.json: ood.output names 'energy', which is not one of outputs[].name");

    j = goodImageManifest();
    j["sha256"] = "abc";
    CHECK(errorOf(j) ==
          "manifest.json: sha256 must be 64 hexadecimal digits (e.g. from `sha256sum model.onnx`)");

    j = goodImageManifest();
    j["file"] = "../../etc/passwd";
    CHECK(errorOf(j) ==
          "manifest.json: file must be a path inside the package folder, got '../../etc/passwd'");

    j = goodImageManifest();
    j["reference"]["tolerance"] = 0;
    CHECK(errorOf(j) == "manifest.json: reference.tolerance must be greater than 0");

    j = goodImageManifest();
    j["schema"] = "dxlens.model/2";
    CHECK(errorOf(j) ==
          "manifest.json: schema is \"dxlens.model/2\" but this DxLens reads \"dxlens.model/1\"");

    j = goodImageManifest();
    j["input"]["dtype"] = "uint8";
    CHECK(errorOf(j) == "manifest.json: input.dtype is \"uint8\" but DxLens feeds \"float32\"");

    j = goodImageManifest();
    j["outputs"][0].erase("labels");
    j["outputs"][1].erase("labels");
    j["outputs"][0].erase("thresholds");
    CHECK(errorOf(j) ==
          "manifest.json: outputs[0].labels is missing (a classifier names what each score means)");

    CHECK(dx::parseModelManifest("{ not json").error().message == "manifest.json is not valid JSON");
    CHECK(dx::parseModelManifest("[1, 2]").error().message == "manifest.json must hold one JSON object");
}

TEST_CASE("Segmentation and tabular manifests have their own required fields") {
    json seg = goodImageManifest();
    seg["task"] = "segmentation";
    seg["outputs"] = json::parse(R"([{ "name": "scores", "activation": "softmax" }])");
    seg.erase("ood");
    CHECK(errorOf(seg) ==
          "manifest.json: outputs[0].classes is missing (segmentation names its mask classes, "
          "background first)");
    seg["outputs"][0]["classes"] = {"background", "lung"};
    CHECK(dx::parseModelManifest(seg.dump()).ok());
    CHECK_FALSE(dx::parseModelManifest(seg.dump())->outputs[0].maskCleanup.any()); // absent: no clean-up

    json tab = json::parse(R"({
      "schema": "dxlens.model/1", "id": "t", "name": "T", "version": "1", "task": "tabular", "file": "m.onnx",
      "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "input": { "name": "features", "layout": "NF", "dtype": "float32",
                 "features": [ { "name": "radius", "unit": "px", "min": 0, "max": 50, "observed_min": 6 },
                               { "name": "texture", "min": 0, "max": 80 } ] },
      "outputs": [ { "name": "logits", "activation": "softmax", "labels": ["benign", "malignant"] } ] })");
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(tab.dump());
    REQUIRE(m.ok());
    REQUIRE(m->input.features.size() == 2);
    CHECK(m->input.features[0].unit == "px");
    CHECK(m->input.features[1].max == 80.0);

    tab["input"]["features"][1]["min"] = 100;
    CHECK(errorOf(tab) == "manifest.json: input.features[1].min is greater than its max");
    tab["input"]["features"][1] = {{"name", "radius"}, {"min", 0}, {"max", 1}};
    CHECK(errorOf(tab) == "manifest.json: input.features[1].name 'radius' is repeated");
    tab["input"]["features"] = json::array();
    CHECK(errorOf(tab) ==
          "manifest.json: input.features must be a non-empty array of { name, unit, min, max }");
}

TEST_CASE("Every committed model package's manifest validates") {
    // The shipped packages (models/*/manifest.json) are also run end to end by tests/model/analyze_test.sh (case "shipped").
    for (const char* id : {"cxr-pneumonia", "cxr-lung-seg", "malaria-cell", "breast-fna"}) {
        const dx::ModelManifest m = shippedManifest(id);
        CHECK(m.id == id);
        // Every shipped model declares its population and carries its Chinese texts, labels included.
        CHECK(m.hasPopulation);
        CHECK_FALSE(m.population.description.empty());
        const dx::LocalizedManifestText zh = dx::localizedText(m, "zh-Hans");
        CHECK(zh.name != m.name);
        CHECK(zh.intendedUse != m.intendedUse);
        CHECK(zh.population != m.population.description);
        const dx::ModelOutputSpec& out = m.outputs[0];
        for (const std::string& label : out.labels.empty() ? out.classes : out.labels)
            CHECK_FALSE(dx::localizedLabel(m, "zh-Hans", label).empty());
    }
}

TEST_CASE("The population block is read and checked like the rest") {
    json j = goodImageManifest();
    j["population"] =
        json::parse(R"({ "description": "children aged 1-5 years", "age_years": { "min": 1, "max": 5 },
                                       "views": ["PA", "AP"] })");
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(j.dump());
    REQUIRE(m.ok());
    CHECK(m->hasPopulation);
    CHECK(m->population.description == "children aged 1-5 years");
    CHECK(m->population.hasAgeMin);
    CHECK(m->population.ageMinYears == 1);
    CHECK(m->population.ageMaxYears == 5);
    CHECK(m->population.views == std::vector<std::string>{"PA", "AP"});

    // An open end is allowed; no end at all is not.
    j["population"]["age_years"] = {{"min", 18}};
    m = dx::parseModelManifest(j.dump());
    REQUIRE(m.ok());
    CHECK_FALSE(m->population.hasAgeMax);
    CHECK(!dx::parseModelManifest(goodImageManifest().dump())->hasPopulation);

    json bad = j;
    bad["population"]["age_years"] = json::object();
    CHECK(errorOf(bad) == "manifest.json: population.age_years must give min, max or both");
    bad["population"]["age_years"] = {{"min", 6}, {"max", 5}};
    CHECK(errorOf(bad) == "manifest.json: population.age_years.min is greater than its max");
    bad["population"]["age_years"] = {{"min", 1.5}};
    CHECK(errorOf(bad) ==
          "manifest.json: population.age_years.min must be a whole number of years from 0 to 150");
    bad["population"]["age_years"] = {{"max", 200}};
    CHECK(errorOf(bad) ==
          "manifest.json: population.age_years.max must be a whole number of years from 0 to 150");
    bad["population"]["age_years"] = "1-5";
    CHECK(errorOf(bad) ==
          "manifest.json: population.age_years must be an object { min, max } in whole years");
    bad = j;
    bad["population"].erase("description");
    CHECK(errorOf(bad) == "manifest.json: population.description is missing");
    bad = j;
    bad["population"]["views"] = {"PA", ""};
    CHECK(errorOf(bad) == "manifest.json: population.views[1] is empty");
    bad["population"]["views"] = "PA";
    CHECK(errorOf(bad) == "manifest.json: population.views must be an array of strings");
    bad["population"] = "children";
    CHECK(errorOf(bad) == "manifest.json: population must be an object { description, age_years, views }");
}

TEST_CASE("A zh-Hans block translates name, intended use, population and labels, with English as fallback") {
    json j = goodImageManifest();
    j["population"] = {{"description", "children"}};
    j["zh-Hans"] =
        json::parse(R"({ "name": "测试", "population": "儿童", "labels": { "pneumonia": "肺炎" } })");
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(j.dump());
    REQUIRE(m.ok());
    dx::LocalizedManifestText zh = dx::localizedText(*m, "zh-Hans");
    CHECK(zh.name == "测试");
    CHECK(zh.intendedUse == "testing"); // not translated: the English stays
    CHECK(zh.population == "儿童");
    CHECK(dx::localizedLabel(*m, "zh-Hans", "pneumonia") == "肺炎");
    CHECK(dx::localizedLabel(*m, "zh-Hans", "normal").empty());
    dx::LocalizedManifestText en = dx::localizedText(*m, "en");
    CHECK(en.name == "Test");
    CHECK(en.population == "children");
    CHECK(dx::localizedLabel(*m, "en", "pneumonia").empty());

    json bad = j;
    bad["zh-Hans"]["labels"] = {{"effusion", "积液"}};
    CHECK(errorOf(bad) == "manifest.json: zh-Hans.labels.effusion names a label that is not in "
                          "outputs[].labels or outputs[].classes");
    bad["zh-Hans"]["labels"] = {{"pneumonia", ""}};
    CHECK(errorOf(bad) == "manifest.json: zh-Hans.labels.pneumonia must be a non-empty string");
    bad["zh-Hans"]["labels"] = json::array({"肺炎"});
    CHECK(errorOf(bad) == "manifest.json: zh-Hans.labels must be an object { label: text }");
    bad = j;
    bad["zh-Hans"]["name"] = "";
    CHECK(errorOf(bad) == "manifest.json: zh-Hans.name is empty");
    bad["zh-Hans"]["name"] = 3;
    CHECK(errorOf(bad) == "manifest.json: zh-Hans.name must be a string");
    bad = j;
    bad.erase("population");
    CHECK(errorOf(bad) == "manifest.json: zh-Hans.population translates population.description, which the "
                          "manifest does not have");
    bad["zh-Hans"] = "中文";
    CHECK(errorOf(bad) ==
          "manifest.json: zh-Hans must be an object { name, intended_use, population, labels }");
}

TEST_CASE("A segmentation output may ask for its mask to be cleaned up") {
    json seg = goodImageManifest();
    seg["task"] = "segmentation";
    seg.erase("ood");
    seg["outputs"] =
        json::parse(R"([{ "name": "scores", "activation": "softmax", "classes": ["background", "lung"],
                                       "mask_cleanup": { "keep_largest_components": 2, "fill_holes": true } },
                                     { "name": "ood" }])");
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(seg.dump());
    REQUIRE(m.ok());
    CHECK(m->outputs[0].maskCleanup.keepLargestComponents == 2);
    CHECK(m->outputs[0].maskCleanup.fillHoles);

    // Either part alone; the other stays off.
    seg["outputs"][0]["mask_cleanup"] = json::parse(R"({ "fill_holes": true })");
    m = dx::parseModelManifest(seg.dump());
    REQUIRE(m.ok());
    CHECK(m->outputs[0].maskCleanup.keepLargestComponents == 0);
    CHECK(m->outputs[0].maskCleanup.fillHoles);
    seg["outputs"][0]["mask_cleanup"] = json::parse(R"({ "keep_largest_components": 1 })");
    m = dx::parseModelManifest(seg.dump());
    REQUIRE(m.ok());
    CHECK(m->outputs[0].maskCleanup.keepLargestComponents == 1);
    CHECK_FALSE(m->outputs[0].maskCleanup.fillHoles);

    const std::string keepError =
        "manifest.json: outputs[0].mask_cleanup.keep_largest_components must be a whole number >= 1";
    for (const char* bad : {"0", "-1", "1.5", "2.0", "\"2\"", "true"}) {
        INFO(bad);
        seg["outputs"][0]["mask_cleanup"] =
            json::parse(std::string(R"({ "keep_largest_components": )") + bad + "}");
        CHECK(errorOf(seg) == keepError);
    }
    seg["outputs"][0]["mask_cleanup"] = json::parse(R"({ "fill_holes": "yes" })");
    CHECK(errorOf(seg) == "manifest.json: outputs[0].mask_cleanup.fill_holes must be true or false");
    seg["outputs"][0]["mask_cleanup"] = json::parse(R"({ "fill_hole": true })");
    CHECK(errorOf(seg) == "manifest.json: outputs[0].mask_cleanup.fill_hole is not known (mask_cleanup has "
                          "keep_largest_components and fill_holes)");
    seg["outputs"][0]["mask_cleanup"] = true;
    CHECK(errorOf(seg) ==
          "manifest.json: outputs[0].mask_cleanup must be an object { keep_largest_components, fill_holes }");

    // Only a segmentation's mask has one.
    seg["outputs"][0]["mask_cleanup"] = json::parse(R"({ "fill_holes": true })");
    seg["outputs"][1]["mask_cleanup"] = json::parse(R"({ "fill_holes": true })");
    CHECK(errorOf(seg) == "manifest.json: outputs[1].mask_cleanup applies only to the mask of a segmentation "
                          "model (its outputs[0])");
    json cls = goodImageManifest();
    cls["outputs"][0]["mask_cleanup"] = json::parse(R"({ "fill_holes": true })");
    CHECK(errorOf(cls) == "manifest.json: outputs[0].mask_cleanup applies only to the mask of a segmentation "
                          "model (its outputs[0])");
}
