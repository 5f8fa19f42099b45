// The intended-population verdict: small DICOM files built byte by byte (intake_test_util.h) go through the
// real decoder, so the header attributes reach the verdict the way they do in the app and the CLI; the shipped
// manifests are read from models/, so a change to their population block shows here.
#include "core/inference/analysis_json.h"
#include "core/inference/population.h"
#include "core/intake/image_decoder.h"
#include "core/viewer/workspace.h"
#include "tests/core/intake_test_util.h"

#include "tests/core/shipped_manifest.h"

#include <catch2/catch.hpp>

namespace {

struct Header {
    std::string studyDate, modality, birthDate, age, bodyPart, view;
};

// A 2x2 grey DICOM with the given patient/study attributes (empty ones left out), in tag order.
std::vector<uint8_t> dicomWith(const Header& h) {
    DicomBuilder b;
    if (!h.studyDate.empty()) b.text(dx::DicomTag::StudyDate, "DA", h.studyDate);
    if (!h.modality.empty()) b.text(dx::DicomTag::Modality, "CS", h.modality);
    if (!h.birthDate.empty()) b.text(0x00100030, "DA", h.birthDate);
    if (!h.age.empty()) b.text(0x00101010, "AS", h.age);
    if (!h.bodyPart.empty()) b.text(dx::DicomTag::BodyPartExamined, "CS", h.bodyPart);
    if (!h.view.empty()) b.text(0x00185101, "CS", h.view);
    b.us(dx::DicomTag::SamplesPerPixel, 1).text(dx::DicomTag::PhotometricInterpretation, "CS", "MONOCHROME2");
    b.us(dx::DicomTag::Rows, 2).us(dx::DicomTag::Columns, 2);
    b.us(dx::DicomTag::BitsAllocated, 8).us(dx::DicomTag::BitsStored, 8);
    b.us(dx::DicomTag::HighBit, 7).us(dx::DicomTag::PixelRepresentation, 0);
    b.raw(dx::DicomTag::PixelData, "OB", {0, 64, 128, 255});
    return b.build();
}

dx::PopulationVerdict verdictFor(const Header& h, const dx::ModelManifest& m) {
    dx::Result<dx::Image> img = dx::decodeImage(dicomWith(h));
    INFO((img ? std::string("ok") : img.error().message));
    REQUIRE(img.ok());
    return dx::assessPopulation(img->metadata, m);
}

} // namespace

TEST_CASE("An adult's chest DICOM is outside the children's pneumonia model; a child's is inside") {
    const dx::ModelManifest pneumonia = shippedManifest("cxr-pneumonia");
    dx::PopulationVerdict adult = verdictFor({"20260301", "CR", "", "045Y", "CHEST", "PA"}, pneumonia);
    CHECK(adult.status == dx::PopulationStatus::Out);
    CHECK(adult.ageOutside);
    CHECK(adult.reason == "outside the model's intended population: patient aged 45 years; this model is for "
                          "children aged 1-5 years; frontal (PA/AP) chest X-ray, CR/DX");

    dx::PopulationVerdict child = verdictFor({"20260301", "DX", "", "003Y", "CHEST", "AP"}, pneumonia);
    CHECK(child.status == dx::PopulationStatus::In);
    CHECK(child.reason ==
          "within the model's intended population: patient aged 3 years, modality DX, view AP, "
          "body part CHEST; this model is for children aged 1-5 years; frontal (PA/AP) chest "
          "X-ray, CR/DX");

    // The adult lung model the other way round.
    const dx::ModelManifest lungs = shippedManifest("cxr-lung-seg");
    CHECK(verdictFor({"", "CR", "", "045Y", "", ""}, lungs).status == dx::PopulationStatus::In);
    dx::PopulationVerdict toddler = verdictFor({"", "CR", "", "003Y", "", ""}, lungs);
    CHECK(toddler.status == dx::PopulationStatus::Out);
    CHECK(toddler.reason.rfind(
              "outside the model's intended population: patient aged 3 years; this model is for "
              "adults aged 18 years and over",
              0) == 0);
}

TEST_CASE("Age comes from Patient's Age in any unit, or from the birth and study dates") {
    const dx::ModelManifest pneumonia = shippedManifest("cxr-pneumonia");
    // 18 months = 1.5 years: inside 1-5; 10 weeks and 5 days: babies, outside; 071M is 5 years 11 months.
    CHECK(verdictFor({"", "CR", "", "018M", "", ""}, pneumonia).status == dx::PopulationStatus::In);
    CHECK(verdictFor({"", "CR", "", "071M", "", ""}, pneumonia).status == dx::PopulationStatus::In);
    CHECK(verdictFor({"", "CR", "", "072M", "", ""}, pneumonia).status == dx::PopulationStatus::Out);
    dx::PopulationVerdict weeks = verdictFor({"", "CR", "", "010W", "", ""}, pneumonia);
    CHECK(weeks.status == dx::PopulationStatus::Out);
    CHECK(weeks.reason.find("patient aged 10 weeks;") != std::string::npos);
    // Exact ages above 89 identify people: the reason says "90 years or over".
    dx::PopulationVerdict old = verdictFor({"", "CR", "", "094Y", "", ""}, pneumonia);
    CHECK(old.reason.find("patient aged 90 years or over;") != std::string::npos);
    CHECK(old.reason.find("94") == std::string::npos);
    dx::PopulationVerdict days = verdictFor({"", "CR", "", "001D", "", ""}, pneumonia);
    CHECK(days.reason.find("patient aged 1 day;") != std::string::npos);

    // No Patient's Age: birth date and study date. On the sixth birthday the child is 6, outside 1-5.
    dx::PopulationVerdict fromDates = verdictFor({"20260301", "CR", "20230115", "", "", ""}, pneumonia);
    CHECK(fromDates.status == dx::PopulationStatus::In);
    CHECK(fromDates.facts.ageCount == 3);
    CHECK(fromDates.facts.ageUnit == 'Y');
    CHECK(verdictFor({"20260301", "CR", "20200301", "", "", ""}, pneumonia).status ==
          dx::PopulationStatus::Out);
    CHECK(verdictFor({"20260301", "CR", "20200302", "", "", ""}, pneumonia).status ==
          dx::PopulationStatus::In);
    // Under two years the age is said in months.
    dx::PopulationVerdict baby = verdictFor({"20260301", "CR", "20250115", "", "", ""}, pneumonia);
    CHECK(baby.facts.ageCount == 13);
    CHECK(baby.facts.ageUnit == 'M');
    CHECK(baby.status == dx::PopulationStatus::In);

    // A birth date after the study, or an unreadable age: no age, so unverified rather than a guess.
    CHECK(verdictFor({"20200101", "CR", "20230115", "", "", ""}, pneumonia).status ==
          dx::PopulationStatus::Unverified);
    CHECK(verdictFor({"", "CR", "", "ABCY", "", ""}, pneumonia).status == dx::PopulationStatus::Unverified);
}

TEST_CASE("View, body part and modality stated outside the population make it out") {
    const dx::ModelManifest pneumonia = shippedManifest("cxr-pneumonia");
    dx::PopulationVerdict lateral = verdictFor({"", "CR", "", "003Y", "CHEST", "LL"}, pneumonia);
    CHECK(lateral.status == dx::PopulationStatus::Out);
    CHECK(lateral.reason.rfind("outside the model's intended population: view LL;", 0) == 0);
    dx::PopulationVerdict ct = verdictFor({"", "CT", "", "003Y", "ABDOMEN", ""}, pneumonia);
    CHECK(ct.status == dx::PopulationStatus::Out);
    CHECK(ct.reason.rfind("outside the model's intended population: modality CT, body part ABDOMEN;", 0) ==
          0);
    // Case is ignored; a missing view or body part (both optional in DICOM) is named but does not hold "in" back.
    dx::PopulationVerdict bare = verdictFor({"", "cr", "", "004Y", "", ""}, pneumonia);
    CHECK(bare.status == dx::PopulationStatus::In);
    CHECK(bare.reason.find("view not stated, body part not stated") != std::string::npos);

    // The malaria model takes thin-smear cell crops: a chest radiograph's header rules it out.
    const dx::ModelManifest malaria = shippedManifest("malaria-cell");
    CHECK(verdictFor({"", "CR", "", "030Y", "CHEST", "PA"}, malaria).status == dx::PopulationStatus::Out);
}

TEST_CASE("Without the facts the verdict is unverified until the user confirms it") {
    const dx::ModelManifest pneumonia = shippedManifest("cxr-pneumonia");
    // A DICOM without an age.
    dx::PopulationVerdict noAge = verdictFor({"", "CR", "", "", "CHEST", "PA"}, pneumonia);
    CHECK(noAge.status == dx::PopulationStatus::Unverified);
    CHECK(noAge.reason.rfind("intended population not verified: the file does not state the patient's age",
                             0) == 0);
    // A PNG says nothing.
    dx::PopulationVerdict png = dx::assessPopulation({{"format", "PNG"}}, pneumonia);
    CHECK(png.status == dx::PopulationStatus::Unverified);
    CHECK(png.reason ==
          "intended population not verified: the file does not say who the patient is or how the "
          "image was taken; this model is for children aged 1-5 years; frontal (PA/AP) chest X-ray, "
          "CR/DX");
    dx::confirmPopulation(png);
    CHECK(png.status == dx::PopulationStatus::In);
    CHECK(png.reason == "population confirmed by the user");
    // A header that says "out" is not overruled by a confirmation.
    dx::PopulationVerdict adult = verdictFor({"", "CR", "", "045Y", "", ""}, pneumonia);
    dx::confirmPopulation(adult);
    CHECK(adult.status == dx::PopulationStatus::Out);
    // A table row (breast-fna) says nothing about the patient either.
    const dx::PopulationVerdict row = dx::assessPopulation({}, shippedManifest("breast-fna"));
    CHECK(row.status == dx::PopulationStatus::Unverified);
    CHECK(row.reason.rfind(
              "intended population not verified: the entered features do not say who the patient is; "
              "this model is for breast masses sampled by fine-needle aspiration",
              0) == 0);
    // A package that declares nothing cannot be checked.
    dx::ModelManifest bare;
    dx::PopulationVerdict undeclared =
        dx::assessPopulation({{"Modality", "CR"}, {"PatientAge", "040Y"}}, bare);
    CHECK(undeclared.status == dx::PopulationStatus::Unverified);
    CHECK(undeclared.reason ==
          "intended population not verified: the model does not declare its intended population");
}

TEST_CASE("The reason can be worded in another language with the same facts") {
    const dx::ModelManifest pneumonia = shippedManifest("cxr-pneumonia");
    dx::PopulationVerdict adult = verdictFor({"", "CR", "", "045Y", "", ""}, pneumonia);
    dx::PopulationPhrases zh;
    zh.out = "不在模型的目标人群内";
    zh.aged = "患者年龄%s";
    zh.years = "%d岁";
    zh.modelIsFor = "本模型适用于%s";
    zh.headSeparator = "：";
    zh.clauseSeparator = "；";
    CHECK(dx::populationReason(adult, dx::localizedText(pneumonia, "zh-Hans").population, zh) ==
          "不在模型的目标人群内：患者年龄45岁；本模型适用于1-5岁儿童；正位（后前位/前后位）胸部X线片，CR/DX");
}

TEST_CASE("Every result line and the workspace carry the population verdict") {
    dx::AnalysisResult r;
    r.file = "a.dcm";
    r.population = dx::assessPopulation({{"format", "PNG"}}, shippedManifest("cxr-pneumonia"));
    const std::string line = dx::analysisResultJson(r);
    CHECK(
        line.find("\"population\":{\"status\":\"unverified\",\"reason\":\"intended population not verified: "
                  "the file does not say") != std::string::npos);

    // A confirmation is remembered per study and applied to analyses already done.
    dx::Workspace ws;
    int id = ws.addFile("child.dcm", dicomWith({"", "CR", "", "", "", ""}));
    dx::Study* study = ws.find(id);
    REQUIRE(study);
    dx::StudyAnalysis& a = study->analyses["cxr-pneumonia"];
    a.state = dx::AnalysisState::Done;
    a.result.population = dx::assessPopulation(study->image->metadata, shippedManifest("cxr-pneumonia"));
    REQUIRE(a.result.population.status == dx::PopulationStatus::Unverified);
    CHECK(ws.confirmPopulation(id));
    CHECK(study->populationConfirmed);
    CHECK(a.result.population.status == dx::PopulationStatus::In);
    CHECK(a.result.population.reason == "population confirmed by the user");
    CHECK_FALSE(ws.confirmPopulation(id + 100));
}
