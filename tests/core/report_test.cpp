// Reports (report.h): JSON and CSV read back, FHIR R4 checked structurally (tests/report/fhir_r4_check.h),
// HTML self-contained with the notice; identifiers only on request; byte-identical output for equal input.
#include "core/inference/analysis_json.h"
#include "core/report/report.h"
#include "core/validation/labelled_set.h"
#include "tests/report/fhir_r4_check.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using Json = nlohmann::json;

static dx::ModelManifest chestModel() {
    dx::ModelManifest m;
    m.id = "cxr-pneumonia";
    m.name = "Chest X-ray pneumonia";
    m.version = "1.2.0";
    m.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    m.intendedUse = "Research on paediatric chest radiographs; flags possible pneumonia <for review>.";
    m.task = dx::ModelTask::Classification;
    m.hasOod = true;
    m.ood.method = "mahalanobis";
    return m;
}

static dx::AnalysisResult chestResult(const std::string& file, float pneumonia, bool inDistribution) {
    dx::AnalysisResult r;
    r.file = file;
    r.model = "cxr-pneumonia";
    r.backend = "wasm";
    r.selfTest.status = dx::SelfTestStatus::Passed;
    r.findings.push_back({"logits", "normal", 1.0f - pneumonia, false, 0.0, false});
    r.findings.push_back({"logits", "pneumonia", pneumonia, true, 0.7, pneumonia >= 0.7f});
    r.outputs.push_back({"logits", dx::Tensor{{1, 2}, {0.25f, 1.5f}}});
    r.ood = {true, inDistribution ? 2.5f : 9.0f, 4.0, inDistribution};
    r.timingsMs = {3.5, 1.25, 12.0, 0.5};
    return r;
}

static std::map<std::string, std::string> dicomMetadata() {
    return {{"Modality", "CR"},
            {"BodyPartExamined", "CHEST"},
            {"PatientName", "Doe^Jane"},
            {"PatientID", "MRN-000123"},
            {"PatientBirthDate", "19800215"},
            {"InstitutionName", "St Example Hospital"}};
}

struct Fixture {
    dx::ModelManifest model = chestModel();
    std::vector<dx::AnalysisResult> results = {chestResult("a, \"first\".dcm", 0.875f, true),
                                               chestResult("b<script>.png", 0.125f, false)};
    std::vector<dx::ReportItem> items;
    Fixture() {
        for (const dx::AnalysisResult& r : results) {
            dx::ReportItem item;
            item.result = &r;
            item.manifest = &model;
            item.metadata = dicomMetadata();
            items.push_back(item);
        }
    }
};

static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

static void checkNoIdentifiers(const std::string& text) {
    CHECK_FALSE(contains(text, "Doe^Jane"));
    CHECK_FALSE(contains(text, "MRN-000123"));
    CHECK_FALSE(contains(text, "19800215"));
    CHECK_FALSE(contains(text, "1980-02-15"));
    CHECK_FALSE(contains(text, "St Example Hospital"));
}

TEST_CASE(
    "JSON report: complete, parses back, embeds the analysis line unchanged, identifiers only on request") {
    Fixture f;
    dx::ReportOptions options;
    dx::Result<std::string> text = dx::writeJsonReport(f.items, options);
    REQUIRE(text.ok());
    Json doc = Json::parse(*text);
    CHECK(doc["schema"] == "dxlens.report/1");
    CHECK(doc["notice"] == dx::kResearchUseNotice);
    CHECK_FALSE(doc.contains("generated_at"));
    REQUIRE(doc["images"].size() == 2);
    const Json& first = doc["images"][0];
    CHECK(first["summary"]["top_finding"] ==
          "pneumonia"); // thresholded finding first, though "normal" is lower
    CHECK(first["summary"]["decision"] == "positive");
    CHECK(first["summary"]["score"].get<double>() == Approx(0.875));
    CHECK(doc["images"][1]["summary"]["out_of_distribution"] == true);
    CHECK(first["model"]["sha256"] == f.model.sha256);
    CHECK(first["model"]["intended_use"] == f.model.intendedUse);
    CHECK(first["analysis"] == Json::parse(dx::analysisResultJson(f.results[0])));
    CHECK(first["metadata"]["Modality"] == "CR");
    checkNoIdentifiers(*text);

    options.includeIdentifiers = true;
    options.generatedAt = "2026-11-22T10:15:00Z";
    dx::Result<std::string> withIds = dx::writeJsonReport(f.items, options);
    REQUIRE(withIds.ok());
    Json docIds = Json::parse(*withIds);
    CHECK(docIds["images"][0]["metadata"]["PatientID"] == "MRN-000123");
    CHECK(docIds["generated_at"] == "2026-11-22T10:15:00Z");
    CHECK(*dx::writeJsonReport(f.items, options) == *withIds); // deterministic
    options.includeRawOutputs = false;
    CHECK(Json::parse(*dx::writeJsonReport(f.items, options))["images"][0]["analysis"]["outputs"].empty());
}

TEST_CASE("CSV report: RFC 4180, one row per image, reads back field for field") {
    Fixture f;
    dx::Result<std::string> text = dx::writeCsvReport(f.items, {});
    REQUIRE(text.ok());
    CHECK(contains(*text, "\"a, \"\"first\"\".dcm\",")); // comma and quotes: quoted, quotes doubled
    CHECK(contains(*text, "\r\n"));
    dx::Result<std::vector<dx::CsvRecord>> rows = dx::parseCsv(*text, "report.csv");
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 3);
    const std::vector<std::string>& header = (*rows)[0].fields;
    REQUIRE(header.size() == size_t(dx::kCsvColumnCount));
    auto column = [&](const char* name) {
        return size_t(std::find(header.begin(), header.end(), name) - header.begin());
    };
    const std::vector<std::string>& a = (*rows)[1].fields;
    const std::vector<std::string>& b = (*rows)[2].fields;
    REQUIRE(a.size() == header.size());
    CHECK(a[column("file")] == "a, \"first\".dcm");
    CHECK(a[column("model")] == "Chest X-ray pneumonia");
    CHECK(a[column("model_version")] == "1.2.0");
    CHECK(a[column("top_finding")] == "pneumonia");
    CHECK(a[column("score")] == "0.875");
    CHECK(a[column("threshold")] == "0.7");
    CHECK(a[column("decision")] == "positive");
    CHECK(a[column("ood")] == "in distribution");
    CHECK(a[column("backend")] == "wasm");
    CHECK(a[column("inference_ms")] == "12"); // csvNumber: a whole number without JSON's ".0"
    CHECK(a[column("intended_use")] == f.model.intendedUse);
    CHECK(a[column("notice")] == dx::kResearchUseNotice);
    CHECK(b[column("decision")] == "negative");
    CHECK(b[column("ood")] == "out of distribution");
    checkNoIdentifiers(*text);

    dx::ReportOptions withIds;
    withIds.includeIdentifiers = true;
    dx::Result<std::vector<dx::CsvRecord>> idRows =
        dx::parseCsv(*dx::writeCsvReport(f.items, withIds), "r.csv");
    REQUIRE(idRows.ok());
    CHECK((*idRows)[1].fields.back() == "St Example Hospital");
    CHECK((*idRows)[1].fields.size() == header.size() + 4);
}

TEST_CASE("FHIR R4 bundle passes the structural checks and says what the model is") {
    Fixture f;
    dx::ReportOptions options;
    options.generatedAt = "2026-11-22T10:15:00+01:00";
    dx::Result<std::string> text = dx::writeFhirReport(f.items, options);
    REQUIRE(text.ok());
    Json bundle = Json::parse(*text);
    std::vector<std::string> problems = fhirr4::checkBundle(bundle);
    for (const std::string& p : problems)
        FAIL_CHECK(p);
    CHECK(bundle["type"] == "collection");
    checkNoIdentifiers(*text);

    int reports = 0, observations = 0, devices = 0;
    for (const Json& e : bundle["entry"]) {
        const Json& r = e["resource"];
        if (r["resourceType"] == "DiagnosticReport") {
            reports++;
            CHECK(r["status"] == "preliminary");
            CHECK(contains(r["conclusion"].get<std::string>(), "Research use only"));
            CHECK(contains(r["conclusion"].get<std::string>(), f.model.intendedUse));
            CHECK(r["issued"] == options.generatedAt);
            CHECK(r["result"].size() == 4); // two findings, the OOD check and the population verdict
            CHECK_FALSE(r.contains("subject"));
        } else if (r["resourceType"] == "Observation") {
            observations++;
            CHECK(contains(r["method"]["text"].get<std::string>(), f.model.sha256));
            CHECK(contains(r["method"]["text"].get<std::string>(), "wasm"));
            if (r["code"]["text"] == "pneumonia (model probability)" &&
                r["valueQuantity"]["value"] == 0.875) {
                CHECK(r["interpretation"][0]["coding"][0]["code"] == "POS");
                CHECK(r["valueQuantity"]["code"] == "1");
            }
        } else if (r["resourceType"] == "Device") {
            devices++;
            CHECK(r["identifier"][0]["value"] == f.model.sha256);
            CHECK(r["version"][0]["value"] == "1.2.0");
            CHECK(r["deviceName"][0]["name"] == "Chest X-ray pneumonia");
        }
    }
    CHECK(reports == 2);
    CHECK(observations == 8);
    CHECK(devices == 1); // one model, one Device
    CHECK(*dx::writeFhirReport(f.items, options) == *text);

    options.includeIdentifiers = true;
    Json withPatient = Json::parse(*dx::writeFhirReport(f.items, options));
    CHECK(fhirr4::checkBundle(withPatient).empty());
    bool patientFound = false;
    for (const Json& e : withPatient["entry"])
        if (e["resource"]["resourceType"] == "Patient") {
            patientFound = true;
            CHECK(e["resource"]["birthDate"] == "1980-02-15");
        }
    CHECK(patientFound);
}

TEST_CASE("The FHIR checker catches broken bundles") {
    Fixture f;
    Json good = Json::parse(*dx::writeFhirReport(f.items, {}));
    REQUIRE(fhirr4::checkBundle(good).empty());
    auto firstOf = [](Json& b, const char* type) -> Json& {
        for (Json& e : b["entry"])
            if (e["resource"]["resourceType"] == type) return e["resource"];
        return b;
    };
    Json noStatus = good;
    firstOf(noStatus, "DiagnosticReport").erase("status");
    CHECK_FALSE(fhirr4::checkBundle(noStatus).empty());
    Json dangling = good;
    firstOf(dangling, "DiagnosticReport")["result"][0]["reference"] =
        "urn:uuid:00000000-0000-0000-0000-000000000000";
    CHECK_FALSE(fhirr4::checkBundle(dangling).empty());
    Json twoValues = good;
    firstOf(twoValues, "Observation")["valueString"] = "x";
    CHECK_FALSE(fhirr4::checkBundle(twoValues).empty());
    Json badStatus = good;
    firstOf(badStatus, "Observation")["status"] = "draft";
    CHECK_FALSE(fhirr4::checkBundle(badStatus).empty());
    Json empty = good;
    firstOf(empty, "Device")["note"][0]["text"] = "";
    CHECK_FALSE(fhirr4::checkBundle(empty).empty());
    Json badTime = good;
    badTime["timestamp"] = "2026-13-01T10:15:00Z";
    CHECK_FALSE(fhirr4::checkBundle(badTime).empty());
    Json badUrl = good;
    badUrl["entry"][0]["fullUrl"] = "urn:uuid:not-a-uuid";
    CHECK_FALSE(fhirr4::checkBundle(badUrl).empty());
    Json unknown = good;
    firstOf(unknown, "Device")["sha256"] = "x";
    CHECK_FALSE(fhirr4::checkBundle(unknown).empty());
    Json wrongTarget = good;
    // The Observation's device pointing at the DiagnosticReport: it resolves, but to the wrong type.
    std::string reportUrl;
    for (const Json& e : good["entry"])
        if (e["resource"]["resourceType"] == "DiagnosticReport") reportUrl = e["fullUrl"];
    firstOf(wrongTarget, "Observation")["device"]["reference"] = reportUrl;
    std::vector<std::string> problems = fhirr4::checkBundle(wrongTarget);
    REQUIRE(problems.size() == 1);
    CHECK(contains(problems[0], "points to a DiagnosticReport"));
}

TEST_CASE("HTML report: self-contained, printable, with the notice, the picture and no scripts or links") {
    Fixture f;
    dx::ReportPicture picture;
    picture.caption = "Image with saliency overlay";
    picture.width = 4;
    picture.height = 2;
    picture.channels = 4;
    picture.pixels.assign(4 * 2 * 4, 200);
    f.items[0].pictures.push_back(picture);
    dx::Result<std::string> html = dx::writeHtmlReport(f.items, {});
    REQUIRE(html.ok());
    CHECK(contains(*html, "<!DOCTYPE html>"));
    CHECK(contains(*html, "Research use only \xE2\x80\x94 not a medical device."));
    CHECK(contains(*html, "@media print"));
    CHECK(contains(*html, "src=\"data:image/png;base64,iVBORw0KGgo")); // the PNG signature, base64
    CHECK(contains(*html, f.model.sha256));
    CHECK(contains(*html, "Chest X-ray pneumonia 1.2.0"));
    CHECK(contains(*html, "flags possible pneumonia &lt;for review&gt;."));
    CHECK(contains(*html, "inference 12.0 ms"));
    CHECK(contains(*html, "b&lt;script&gt;.png"));
    CHECK(contains(*html, "outside the model's training distribution"));
    CHECK_FALSE(contains(*html, "<script"));
    CHECK_FALSE(contains(*html, "http://"));
    CHECK_FALSE(contains(*html, "https://"));
    CHECK_FALSE(contains(*html, "url("));
    checkNoIdentifiers(*html);
    CHECK(*dx::writeHtmlReport(f.items, {}) == *html);

    f.items[0].pictures[0].pixels.resize(3);
    dx::Result<std::string> bad = dx::writeHtmlReport(f.items, {});
    REQUIRE_FALSE(bad.ok());
    CHECK(contains(bad.error().message, "Image with saliency overlay"));
}

TEST_CASE("Reports refuse incomplete input and a malformed time") {
    Fixture f;
    CHECK_FALSE(dx::writeCsvReport({}, {}).ok());
    dx::ReportItem missing;
    CHECK_FALSE(dx::writeJsonReport({&missing, 1}, {}).ok());
    dx::ReportOptions badTime;
    badTime.generatedAt = "22/11/2026 10:15";
    dx::Result<std::string> r = dx::writeFhirReport(f.items, badTime);
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, "ISO 8601"));
    badTime.generatedAt = "2026-11-22T10:15:00";
    CHECK_FALSE(dx::writeHtmlReport(f.items, badTime).ok()); // an instant needs its zone
}

TEST_CASE("Validation exports: JSON with undefined rates as null, CSV ROC table that reads back") {
    dx::ModelManifest model = chestModel();
    // Threshold above every score: nothing called positive, so PPV is undefined.
    std::vector<double> s = {0.1, 0.4, 0.35, 0.8};
    std::vector<int> y = {0, 0, 1, 1};
    dx::BinaryValidationOptions options;
    options.threshold = 0.95;
    options.bootstrap = {100, 5, 0.95};
    dx::Result<dx::BinaryValidation> v = dx::validateBinary(s, y, options);
    REQUIRE(v.ok());
    dx::ValidationReportInput input{&*v, &model, "pneumonia", "val/labels.csv"};
    dx::Result<std::string> text = dx::writeValidationJson(input, {});
    REQUIRE(text.ok());
    Json j = Json::parse(*text);
    CHECK(j["schema"] == "dxlens.validation/1");
    CHECK(j["notice"] == dx::kResearchUseNotice);
    CHECK(j["model"]["intended_use"] == model.intendedUse);
    CHECK(j["auc"]["estimate"].get<double>() == 0.75);
    CHECK(j["metrics"]["ppv"].is_null());
    CHECK(j["metrics"]["specificity"].get<double>() == 1.0);
    CHECK(j["confusion"]["fn"] == 2);
    REQUIRE(j["roc"].size() == 5);
    CHECK(j["roc"][0]["threshold"] == "inf");
    CHECK(j["roc"][2]["threshold"].get<double>() == 0.4);
    CHECK(j["calibration"]["bins"].size() == 10);

    dx::Result<std::string> csv = dx::writeValidationCsv(input, {});
    REQUIRE(csv.ok());
    dx::Result<std::vector<dx::CsvRecord>> rows = dx::parseCsv(*csv, "roc.csv");
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 6);
    CHECK((*rows)[1].fields[0] == "inf");
    CHECK((*rows)[1].fields[7] == ""); // PPV undefined at the corner
    CHECK(std::stod((*rows)[4].fields[0]) == 0.35);
    CHECK((*rows)[4].fields[5] == "1");
    CHECK_FALSE(dx::writeValidationJson({nullptr, &model, "", ""}, {}).ok());

    // The printable page: notice, intended use, the numbers above, an inline ROC curve, nothing fetched.
    dx::Result<std::string> html = dx::writeValidationHtml(input, {});
    REQUIRE(html.ok());
    CHECK(contains(*html, dx::kResearchUseNotice));
    CHECK(contains(*html, "flags possible pneumonia &lt;for review&gt;.")); // the intended use, escaped
    CHECK(contains(*html, "<th scope=\"row\">ROC AUC</th><td class=\"num\">0.750"));
    CHECK(contains(*html, "<th scope=\"row\">PPV</th><td class=\"num\">undefined</td>"));
    CHECK(contains(*html, "<svg role=\"img\" aria-label=\"ROC curve, AUC 0.750\""));
    CHECK(contains(*html,
                   "<th scope=\"row\">truly positive</th><td class=\"num\">0</td><td class=\"num\">2</td>"));
    CHECK_FALSE(contains(*html, "<script"));
    CHECK_FALSE(contains(*html, "http"));
    CHECK_FALSE(dx::writeValidationHtml({nullptr, &model, "", ""}, {}).ok());
}

TEST_CASE("Multi-class validation export: confusion rows are true classes, undefined AUC is null") {
    dx::ModelManifest model = chestModel();
    // Three classes; class 2 never occurs in truth, so its one-vs-rest AUC is undefined.
    std::vector<double> s = {0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.5, 0.3};
    std::vector<int> y = {0, 1, 1};
    dx::Result<dx::MulticlassValidation> v = dx::validateMulticlass(s, 3, y);
    REQUIRE(v.ok());
    dx::MulticlassValidationReportInput input{&*v, &model, {"a", "b", "c"}, "folders/"};
    dx::Result<std::string> text = dx::writeMulticlassValidationJson(input, {});
    REQUIRE(text.ok());
    Json j = Json::parse(*text);
    CHECK(j["schema"] == "dxlens.validation.multiclass/1");
    CHECK(j["notice"] == dx::kResearchUseNotice);
    CHECK(j["confusion"] == Json::parse("[[1,0,0],[0,1,1],[0,0,0]]"));
    CHECK(j["cases"] == 3);
    CHECK(j["accuracy"].get<double>() == Approx(2.0 / 3));
    CHECK(j["per_class"][1]["cases"] == 2);
    CHECK(j["per_class"][1]["counts"]["fn"] == 1);
    CHECK(j["per_class"][2]["auc"].is_null());
    CHECK(j["per_class"][2]["metrics"]["sensitivity"].is_null());
    // Sensitivity is defined for a and b only (c has no cases): averaged over those two.
    CHECK(j["macro"]["sensitivity"]["classes"] == 2);
    CHECK(j["macro"]["sensitivity"]["value"].get<double>() == Approx((1.0 + 0.5) / 2));
    CHECK(j["macro"]["auc"]["classes"] == 2);

    dx::Result<std::string> csv = dx::writeMulticlassValidationCsv(input, {});
    REQUIRE(csv.ok());
    dx::Result<std::vector<dx::CsvRecord>> rows = dx::parseCsv(*csv, "per-class.csv");
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 5); // header, a, b, c, macro average
    const std::vector<std::string>& header = (*rows)[0].fields;
    CHECK(header[0] == "class");
    CHECK(header[2] == "predicted_a");
    CHECK(header[4] == "predicted_c");
    CHECK(header[9] == "sensitivity");
    CHECK(header[15] == "accuracy");
    const std::vector<std::string>& b = (*rows)[2].fields;
    CHECK(b[0] == "b");
    CHECK(b[1] == "2");
    CHECK((std::vector<std::string>{b[2], b[3], b[4]}) == std::vector<std::string>{"0", "1", "1"});
    CHECK(std::stod(b[9]) == 0.5);      // sensitivity of b: one of its two cases
    CHECK((*rows)[3].fields[14] == ""); // c's AUC undefined: empty
    const std::vector<std::string>& macro = (*rows)[4].fields;
    CHECK(macro[0] == "macro average");
    CHECK(std::stod(macro[9]) == 0.75);
    CHECK(std::stod(macro[15]) == Approx(2.0 / 3));
    input.classNames.pop_back();
    CHECK_FALSE(dx::writeMulticlassValidationJson(input, {}).ok());
    CHECK_FALSE(dx::writeMulticlassValidationCsv(input, {}).ok());
}

TEST_CASE("Every report format carries the intended-population verdict and its reason") {
    Fixture f;
    f.model.hasPopulation = true;
    f.model.population.description = "children aged 1-5 years";
    f.model.population.hasAgeMin = f.model.population.hasAgeMax = true;
    f.model.population.ageMinYears = 1;
    f.model.population.ageMaxYears = 5;
    f.model.modalities = {"CR", "DX"};
    f.results[0].population = dx::assessPopulation({{"Modality", "CR"}, {"PatientAge", "045Y"}}, f.model);
    f.results[1].population = dx::assessPopulation({{"format", "PNG"}}, f.model);
    dx::confirmPopulation(f.results[1].population);
    const std::string outside =
        "outside the model's intended population: patient aged 45 years; this model is "
        "for children aged 1-5 years";

    Json json = Json::parse(*dx::writeJsonReport(f.items, {}));
    CHECK(json["images"][0]["summary"]["population"] == "out");
    CHECK(json["images"][0]["analysis"]["population"]["status"] == "out");
    CHECK(json["images"][0]["analysis"]["population"]["reason"] == outside);
    CHECK(json["images"][1]["analysis"]["population"]["reason"] == "population confirmed by the user");

    dx::Result<std::vector<dx::CsvRecord>> rows =
        dx::parseCsv(*dx::writeCsvReport(f.items, {}), "report.csv");
    REQUIRE(rows.ok());
    const std::vector<std::string>& header = (*rows)[0].fields;
    const size_t status = size_t(std::find(header.begin(), header.end(), "population") - header.begin());
    const size_t reason =
        size_t(std::find(header.begin(), header.end(), "population_reason") - header.begin());
    REQUIRE(reason < header.size());
    CHECK((*rows)[1].fields[status] == "out");
    CHECK((*rows)[1].fields[reason] == outside);
    CHECK((*rows)[2].fields[status] == "in");
    CHECK((*rows)[2].fields[reason] == "population confirmed by the user");

    Json bundle = Json::parse(*dx::writeFhirReport(f.items, {}));
    CHECK(fhirr4::checkBundle(bundle).empty());
    int verdicts = 0;
    for (const Json& e : bundle["entry"]) {
        const Json& r = e["resource"];
        if (r["resourceType"] == "DiagnosticReport" &&
            contains(r["code"]["text"].get<std::string>(), "first"))
            CHECK(
                contains(r["conclusion"].get<std::string>(), "The findings do not apply: " + outside + "."));
        if (r["resourceType"] == "Observation" &&
            r["code"]["text"] == "Patient within the model's intended population") {
            verdicts++;
            CHECK((r["valueCodeableConcept"]["text"] == "out" || r["valueCodeableConcept"]["text"] == "in"));
            CHECK((r["note"][0]["text"] == outside ||
                   r["note"][0]["text"] == "population confirmed by the user"));
        }
    }
    CHECK(verdicts == 2);

    const std::string html = *dx::writeHtmlReport(f.items, {});
    std::string outsideHtml = outside;
    outsideHtml.replace(outsideHtml.find('\''), 1, "&#39;"); // "model's", escaped
    CHECK(contains(html,
                   "<p class=\"warning\" role=\"alert\">Intended population: <strong>out</strong> &mdash; " +
                       outsideHtml + ". The findings below do not apply.</p>"));
    CHECK(contains(html,
                   "Intended population: <strong>in</strong> &mdash; population confirmed by the user.</p>"));
}
