// The intended-population verdict in the app: its words in both UI languages (the English ones equal core's,
// so the UI and the results say the same), the one-click confirmation remembered for a study, and a model's
// name, intended use and labels from its manifest's zh-Hans block.
#include "app/app_state.h"
#include "app/i18n.h"
#include "app/population_commands.h"
#include "core/codecs/raster_encoder.h"
#include "core/viewer/workspace.h"

#include "tests/core/shipped_manifest.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

// Restores English however a test ends, so other tests see the language they expect.
struct LanguageGuard {
    explicit LanguageGuard(dx::Language l) { dx::setLanguage(l); }
    ~LanguageGuard() { dx::setLanguage(dx::Language::English); }
};

} // namespace

TEST_CASE("The UI's English population phrases are core's, and every one has a Chinese translation") {
    LanguageGuard english(dx::Language::English);
    const dx::PopulationPhrases core;
    const dx::PopulationPhrases ui = dx::translatedPopulationPhrases();
    const std::vector<std::pair<const char*, const char*>> pairs = {
        {core.in, ui.in},
        {core.out, ui.out},
        {core.unverified, ui.unverified},
        {core.confirmed, ui.confirmed},
        {core.modelDeclaresNothing, ui.modelDeclaresNothing},
        {core.nothingStated, ui.nothingStated},
        {core.featuresSayNothing, ui.featuresSayNothing},
        {core.ageNotStated, ui.ageNotStated},
        {core.modalityNotStated, ui.modalityNotStated},
        {core.viewNotStated, ui.viewNotStated},
        {core.bodyPartNotStated, ui.bodyPartNotStated},
        {core.aged, ui.aged},
        {core.agedOver89, ui.agedOver89},
        {core.years, ui.years},
        {core.year, ui.year},
        {core.months, ui.months},
        {core.month, ui.month},
        {core.weeks, ui.weeks},
        {core.week, ui.week},
        {core.days, ui.days},
        {core.day, ui.day},
        {core.modality, ui.modality},
        {core.view, ui.view},
        {core.bodyPart, ui.bodyPart},
        {core.modelIsFor, ui.modelIsFor},
        {core.headSeparator, ui.headSeparator},
        {core.listSeparator, ui.listSeparator},
        {core.clauseSeparator, ui.clauseSeparator},
    };
    for (const auto& [c, u] : pairs)
        CHECK(std::string(c) == u);

    dx::setLanguage(dx::Language::ChineseSimplified);
    const dx::PopulationPhrases zh = dx::translatedPopulationPhrases();
    for (const char* phrase : {zh.in, zh.out, zh.unverified, zh.confirmed, zh.nothingStated, zh.ageNotStated})
        CHECK(std::string(phrase).find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos);
}

TEST_CASE("An adult's verdict reads in Chinese with the manifest's own Chinese population") {
    const dx::ModelManifest pneumonia = shippedManifest("cxr-pneumonia");
    const dx::PopulationVerdict adult =
        dx::assessPopulation({{"format", "DICOM"}, {"Modality", "CR"}, {"PatientAge", "045Y"}}, pneumonia);
    {
        LanguageGuard english(dx::Language::English);
        CHECK(dx::populationReasonText(adult, pneumonia) == adult.reason);
        CHECK(dx::localizedModelName(pneumonia) == "Paediatric pneumonia, frontal chest X-ray");
    }
    LanguageGuard chinese(dx::Language::ChineseSimplified);
    CHECK(dx::populationReasonText(adult, pneumonia) ==
          "不在模型的目标人群内：患者年龄45岁；本模型适用于1-5岁儿童；正位（后前位/前后位）胸部X线片，CR/DX");
    CHECK(std::string(dx::populationStatusText(dx::PopulationStatus::Out)) == "不属于目标人群");
    CHECK(dx::localizedModelName(pneumonia) == "儿童肺炎，正位胸部X线片");
    CHECK(dx::localizedIntendedUse(pneumonia).find("1-5岁儿童") != std::string::npos);
    CHECK(dx::localizedLabelText(pneumonia, "pneumonia") == "肺炎");
    // A label the manifest does not translate comes from the app's medical terms.
    CHECK(dx::localizedLabelText(pneumonia, "effusion") == "积液");
}

TEST_CASE("Confirming a study's population shows its findings, for every model, and is announced") {
    dx::Workspace workspace;
    dx::AppState state;
    state.workspace = &workspace;
    std::vector<std::string> announced;
    state.commands.announce = [&](const std::string& text) { announced.push_back(text); };
    LanguageGuard english(dx::Language::English);

    const uint8_t pixels[4] = {10, 20, 30, 40};
    dx::Result<std::vector<uint8_t>> png = dx::encodePng(2, 2, 1, pixels);
    REQUIRE(png.ok());
    const int id = workspace.addFile("child.png", *png);
    dx::Study* study = workspace.find(id);
    REQUIRE(study);
    dx::StudyAnalysis& a = study->analyses["cxr-pneumonia"];
    a.state = dx::AnalysisState::Done;
    a.result.population = dx::assessPopulation(study->image->metadata, shippedManifest("cxr-pneumonia"));
    CHECK(dx::needsPopulationConfirmation(*study, "cxr-pneumonia"));
    CHECK_FALSE(dx::populationAllowsFinding(a.result.population));
    CHECK_FALSE(dx::needsPopulationConfirmation(*study, "malaria-cell")); // not analyzed with it

    CHECK(dx::confirmStudyPopulation(state, id));
    CHECK_FALSE(dx::needsPopulationConfirmation(*study, "cxr-pneumonia"));
    CHECK(dx::populationAllowsFinding(a.result.population));
    CHECK(a.result.population.reason == "population confirmed by the user");
    REQUIRE(announced.size() == 1);
    CHECK(announced[0].rfind(
              "child.png: population confirmed by the user; the findings are shown. child.png: ", 0) == 0);
    CHECK_FALSE(dx::confirmStudyPopulation(state, id + 1));
}
