// DICOM writer (dicom_writer.h) and the DICOM SR / SEG results (dicom_results.h): everything written is read
// back by our own parser (dicom_parser.h); the SR's numbers equal the analysis JSON's; masking removes names.
// dciodvfy, dsrdump and pydicom check the same files from outside in tests/model/dicom_results_test.sh.
#include "core/dicom/dicom_parser.h"
#include "core/dicom/dicom_writer.h"
#include "core/inference/analysis_json.h"
#include "core/report/dicom_results.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <set>
#include <string>

namespace {

bool contains(const dx::Bytes& bytes, const std::string& part) {
    return std::search(bytes.begin(), bytes.end(), part.begin(), part.end()) != bytes.end();
}

const dx::DicomDataset& onlyItem(const dx::DicomDataset& ds, uint32_t tag) {
    const dx::DicomElement* e = ds.find(tag);
    REQUIRE(e);
    REQUIRE(e->items.size() == 1);
    return e->items.front();
}

// Every content item of an SR tree, depth first, with its parent's concept meaning.
void eachContentItem(const dx::DicomFile& f, const dx::DicomDataset& ds,
                     const std::function<void(const dx::DicomDataset&)>& visit) {
    if (const dx::DicomElement* content = ds.find(0x0040a730))
        for (const dx::DicomDataset& item : content->items) {
            visit(item);
            eachContentItem(f, item, visit);
        }
}

std::string conceptMeaning(const dx::DicomFile& f, const dx::DicomDataset& item) {
    const dx::DicomElement* e = item.find(0x0040a043);
    if (!e || e->items.empty()) return {};
    return f.string(e->items.front(), 0x00080104);
}

dx::ModelManifest chestModel() {
    dx::ModelManifest m;
    m.id = "cxr-pneumonia";
    m.name = "Chest X-ray pneumonia";
    m.version = "1.2.0";
    m.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    m.intendedUse = "Research on paediatric chest radiographs.";
    m.task = dx::ModelTask::Classification;
    m.modalities = {"CR", "DX"};
    m.bodyParts = {"chest"};
    m.hasOod = true;
    return m;
}

dx::AnalysisResult chestResult() {
    dx::AnalysisResult r;
    r.file = "chest.dcm";
    r.model = "cxr-pneumonia";
    r.backend = "cpu";
    r.findings.push_back({"logits", "normal", 0.29139519f, false, 0.0, false});
    r.findings.push_back({"logits", "pneumonia", 0.70860481f, true, 0.5743948002727979, true});
    r.ood = {true, 20.147528f, 21.1933, true};
    return r;
}

std::map<std::string, std::string> dicomMetadata() {
    return {{"format", "DICOM"},
            {"Modality", "CR"},
            {"PatientName", "Doe^Jane"},
            {"PatientID", "MRN-000123"},
            {"PatientBirthDate", "19800215"},
            {"PatientSex", "F"},
            {"AccessionNumber", "ACC777"},
            {"InstitutionName", "St Example Hospital"},
            {"StudyInstanceUID", "1.2.3.4.5"},
            {"SeriesInstanceUID", "1.2.3.4.5.6"},
            {"SOPClassUID", "1.2.840.10008.5.1.4.1.1.1"},
            {"SOPInstanceUID", "1.2.3.4.5.6.7"}};
}

} // namespace

TEST_CASE("DICOM writer: Part 10 file with meta header, padding and nested sequences reads back") {
    for (bool undefinedLengths : {false, true}) {
        dx::DicomItem ds;
        ds.setText(0x00080016, dx::dicomVR("UI"), "1.2.840.10008.5.1.4.1.1.7"); // odd length: NUL pad
        ds.setText(0x00080018, dx::dicomVR("UI"), "1.2.3");
        ds.setText(0x00100010, dx::dicomVR("PN"), "Doe^Jan"); // odd length: space pad
        ds.setText(0x00080060, "OT");                         // VR from the dictionary (CS)
        ds.setUS(dx::DicomTag::Rows, 3);
        ds.setFD(0x0040a161, 0.125);
        ds.setBytes(0x7fe00010, dx::dicomVR("OB"), {1, 2, 3}); // odd: zero pad, 4-byte length
        ds.setText(0x0040a160, dx::dicomVR("UT"), "long text");
        dx::DicomItem inner;
        inner.setText(0x00080100, dx::dicomVR("SH"), "121071");
        dx::DicomItem outer;
        outer.addItem(0x0040a043, inner);
        outer.setEmptySequence(0x00081111);
        ds.addItem(0x0040a730, outer);
        ds.addItem(0x0040a730, outer);
        ds.setUS(dx::DicomTag::Columns, 4); // set after others: written in tag order anyway
        dx::DicomWriteOptions options;
        options.undefinedLengthSequences = undefinedLengths;
        dx::Result<dx::Bytes> bytes = dx::writeDicomFile(ds, options);
        REQUIRE(bytes);
        REQUIRE(bytes->size() % 2 == 0);
        CHECK(std::string(bytes->begin() + 128, bytes->begin() + 132) == "DICM");
        dx::Result<dx::DicomFile> f = dx::parseDicom(*bytes);
        REQUIRE(f);
        CHECK(f->hasPreamble);
        CHECK(f->hasMetaHeader);
        CHECK(f->transferSyntaxUID == "1.2.840.10008.1.2.1");
        CHECK(f->string(f->meta, 0x00020002) == "1.2.840.10008.5.1.4.1.1.7");
        CHECK(f->string(f->meta, 0x00020003) == "1.2.3");
        // Group length: the meta elements after it, exactly.
        const dx::DicomElement* groupLength = f->meta.find(0x00020000);
        REQUIRE(groupLength);
        CHECK(f->integer(f->meta, 0x00020000) == int64_t(f->datasetOffset - groupLength->valueOffset - 4));
        const dx::DicomDataset& d = f->dataset;
        const dx::DicomElement* uid = d.find(0x00080016);
        REQUIRE(uid);
        CHECK(uid->length == 26);
        CHECK(f->value(*uid).back() == 0);
        const dx::DicomElement* name = d.find(0x00100010);
        REQUIRE(name);
        CHECK(name->length == 8);
        CHECK(f->value(*name).back() == ' ');
        CHECK(f->string(d, 0x00100010) == "Doe^Jan");
        CHECK(d.find(0x00080060)->vr == dx::dicomVR("CS"));
        CHECK(f->integer(d, dx::DicomTag::Rows) == 3);
        CHECK(f->integer(d, dx::DicomTag::Columns) == 4);
        CHECK(f->numbers(d, 0x0040a161) == std::vector<double>{0.125});
        const dx::DicomElement* pixels = d.find(0x7fe00010);
        REQUIRE(pixels);
        CHECK(pixels->length == 4);
        const dx::DicomElement* content = d.find(0x0040a730);
        REQUIRE(content);
        REQUIRE(content->items.size() == 2);
        CHECK(f->string(onlyItem(content->items[1], 0x0040a043), 0x00080100) == "121071");
        const dx::DicomElement* empty = content->items[0].find(0x00081111);
        REQUIRE(empty);
        CHECK(empty->items.empty());
        for (size_t i = 1; i < d.elements.size(); i++)
            CHECK(d.elements[i - 1].tag < d.elements[i].tag);
    }
}

TEST_CASE("DICOM writer: refuses what a reader could not take back") {
    dx::DicomItem ds;
    ds.setText(0x00080016, dx::dicomVR("UI"), "1.2.3");
    ds.setText(0x00080018, dx::dicomVR("UI"), "1.2.4");
    CHECK(dx::writeDicomFile(ds));
    dx::DicomItem longText = ds;
    longText.setText(0x00081030, dx::dicomVR("LO"), std::string(70000, 'x'));
    dx::Result<dx::Bytes> tooLong = dx::writeDicomFile(longText);
    REQUIRE_FALSE(tooLong);
    CHECK(tooLong.error().message.find("65534") != std::string::npos);
    dx::DicomItem badUid = ds;
    badUid.setText(0x0020000d, dx::dicomVR("UI"), "1.2.abc");
    CHECK_FALSE(dx::writeDicomFile(badUid));
    badUid.setText(0x0020000d, dx::dicomVR("UI"), "1." + std::string(70, '2'));
    CHECK_FALSE(dx::writeDicomFile(badUid));
    dx::DicomItem noSop;
    noSop.setText(0x00100010, dx::dicomVR("PN"), "X");
    CHECK_FALSE(dx::writeDicomFile(noSop));
}

TEST_CASE("DICOM UIDs: 2.25 and a random UUID in decimal, under 64 characters, different each time") {
    const uint8_t zero[16] = {};
    CHECK(dx::uuidToDicomUid(zero) == "2.25.0");
    uint8_t all[16];
    std::fill(std::begin(all), std::end(all), uint8_t(0xff));
    CHECK(dx::uuidToDicomUid(all) == "2.25.340282366920938463463374607431768211455");
    const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    CHECK(dx::uuidToDicomUid(one) == "2.25.256");
    std::set<std::string> seen;
    for (int i = 0; i < 100; i++) {
        const std::string uid = dx::newDicomUid();
        CHECK(uid.rfind("2.25.", 0) == 0);
        CHECK(uid.size() <= 44);
        CHECK(uid.find_first_not_of("0123456789.") == std::string::npos);
        CHECK((uid.size() == 5 || uid[5] != '0')); // no leading zero in the number
        seen.insert(uid);
    }
    CHECK(seen.size() == 100);
    CHECK(dx::dicomDecimalString(0.5743948002727979).size() <= 16);
    CHECK(std::stod(dx::dicomDecimalString(0.5743948002727979)) == Approx(0.5743948002727979).epsilon(1e-12));
}

TEST_CASE("DICOM SR: TID 1500 tree carries the JSON's probabilities, decision, OOD verdict and model") {
    const dx::ModelManifest model = chestModel();
    const dx::AnalysisResult result = chestResult();
    dx::ReportItem item;
    item.result = &result;
    item.manifest = &model;
    item.metadata = dicomMetadata();
    dx::DicomResultOptions options;
    options.generatedAt = "2026-12-07T11:30:05Z";
    dx::Result<dx::Bytes> bytes = dx::writeDicomSr(item, options);
    REQUIRE(bytes);
    dx::Result<dx::DicomFile> f = dx::parseDicom(*bytes);
    REQUIRE(f);
    const dx::DicomDataset& ds = f->dataset;
    CHECK(f->string(ds, 0x00080016) == dx::kComprehensiveSrSopClassUid);
    CHECK(f->string(ds, 0x00080060) == "SR");
    CHECK(f->string(ds, 0x0020000d) == "1.2.3.4.5"); // filed in the source's study
    CHECK(f->string(ds, 0x0020000e) != "1.2.3.4.5.6");
    CHECK(f->string(ds, 0x00080018).rfind("2.25.", 0) == 0);
    CHECK(f->string(ds, 0x00080023) == "20261207");
    CHECK(f->string(ds, 0x00080033) == "113005");
    CHECK(f->string(onlyItem(ds, 0x0040a504), 0x0040db00) == "1500");

    // The JSON line's numbers, as text, are the SR's NumericValues.
    const nlohmann::json json = nlohmann::json::parse(dx::analysisResultJson(result));
    std::map<std::string, std::string> jsonScores;
    for (const nlohmann::json& finding : json["findings"])
        jsonScores[finding["label"].get<std::string>()] = finding["score"].dump();

    std::map<std::string, std::string> srScores; // finding meaning -> probability text
    std::map<std::string, std::string> decisions;
    std::string findingName, oodScore, inDistribution, sha, notice, referencedInstance;
    eachContentItem(*f, ds, [&](const dx::DicomDataset& it) {
        const std::string meaning = conceptMeaning(*f, it);
        const std::string type = f->string(it, 0x0040a040);
        if (meaning == "Measurement Group") {
            findingName.clear();
            eachContentItem(*f, it, [&](const dx::DicomDataset& child) {
                const std::string m = conceptMeaning(*f, child);
                if (m == "Finding") findingName = f->string(onlyItem(child, 0x0040a168), 0x00080104);
                const std::string value = child.find(0x0040a300)
                                              ? f->string(onlyItem(child, 0x0040a300), 0x0040a30a)
                                              : std::string();
                if (m == "Probability") srScores[findingName] = value;
                if (m == "Out-of-distribution score") oodScore = value;
                if (m == "Decision at the model's threshold")
                    decisions[findingName] = f->string(onlyItem(child, 0x0040a168), 0x00080104);
                if (m == "Within the model's training distribution")
                    inDistribution = f->string(onlyItem(child, 0x0040a168), 0x00080104);
                if (m == "Algorithm Parameters") sha = f->string(child, 0x0040a160);
            });
        }
        if (meaning == "Research use notice") notice = f->string(it, 0x0040a160);
        if (type == "IMAGE") referencedInstance = f->string(onlyItem(it, 0x00081199), 0x00081155);
    });
    REQUIRE(srScores.size() == 2);
    CHECK(srScores["Normal"] == jsonScores["normal"]);
    CHECK(srScores["Pneumonia"] == jsonScores["pneumonia"]);
    CHECK(decisions["Pneumonia"] == "Present");
    CHECK(decisions.count("Normal") == 0); // no threshold, no decision
    CHECK(oodScore == json["ood"]["score"].dump());
    CHECK(inDistribution == "Yes");
    CHECK(sha == "model file sha256 " + model.sha256);
    CHECK(notice == dx::kResearchUseNotice);
    CHECK(referencedInstance == "1.2.3.4.5.6.7");
    const dx::DicomDataset& evidence = onlyItem(ds, 0x0040a375);
    CHECK(f->string(evidence, 0x0020000d) == "1.2.3.4.5");
    CHECK(f->string(onlyItem(onlyItem(evidence, 0x00081115), 0x00081199), 0x00081155) == "1.2.3.4.5.6.7");
}

TEST_CASE("DICOM SR and SEG: a masked export carries no names, IDs or dates; unmasked ones copy them") {
    const dx::ModelManifest model = chestModel();
    dx::AnalysisResult result = chestResult();
    result.hasMask = true;
    result.mask.width = 2;
    result.mask.height = 2;
    result.mask.labels = {0, 1, 1, 0};
    result.mask.areas = {{"background", 2, 0.5, -1}, {"lung", 2, 0.5, -1}};
    dx::ReportItem item;
    item.result = &result;
    item.manifest = &model;
    item.metadata = dicomMetadata();
    for (bool include : {false, true}) {
        dx::DicomResultOptions options;
        options.includeIdentifiers = include;
        for (const dx::Result<dx::Bytes>& bytes :
             {dx::writeDicomSr(item, options), dx::writeDicomSeg(item, options)}) {
            REQUIRE(bytes);
            for (const char* identifier : {"Doe^Jane", "MRN-000123", "19800215", "ACC777"})
                CHECK(contains(*bytes, identifier) == include);
            CHECK_FALSE(contains(*bytes, "St Example Hospital")); // never copied: not part of these modules
            dx::Result<dx::DicomFile> f = dx::parseDicom(*bytes);
            REQUIRE(f);
            // Type 2 attributes stay present, empty when masked.
            REQUIRE(f->dataset.find(0x00100010));
            CHECK(f->string(f->dataset, 0x00100010) == (include ? "Doe^Jane" : ""));
            CHECK(f->string(f->dataset, 0x00100040) == "F"); // sex is not an identifier
        }
    }
}

TEST_CASE("DICOM SEG: one bit-packed frame per non-background class at the mask's size") {
    dx::ModelManifest model = chestModel();
    model.id = "cxr-lung-seg";
    model.task = dx::ModelTask::Segmentation;
    dx::AnalysisResult result;
    result.model = model.id;
    result.hasMask = true;
    result.mask.width = 5;
    result.mask.height = 3;
    // Classes background, lung, heart: 9 bits per frame, so the second frame starts inside a byte.
    result.mask.labels = {0, 1, 1, 2, 0, 1, 0, 2, 2, 1, 0, 0, 0, 1, 1};
    result.mask.areas = {{"background", 6, 0.4, -1}, {"lung", 6, 0.4, 12.0}, {"heart", 3, 0.2, 6.0}};
    dx::ReportItem item;
    item.result = &result;
    item.manifest = &model;
    item.metadata = dicomMetadata();
    item.pixelSpacingRow = 0.5;
    item.pixelSpacingCol = 0.25;
    REQUIRE(dx::hasDicomSegmentation(item));
    dx::Result<dx::Bytes> bytes = dx::writeDicomSeg(item, {});
    REQUIRE(bytes);
    dx::Result<dx::DicomFile> f = dx::parseDicom(*bytes);
    REQUIRE(f);
    const dx::DicomDataset& ds = f->dataset;
    CHECK(f->string(ds, 0x00080016) == dx::kSegmentationSopClassUid);
    CHECK(f->string(ds, 0x00080060) == "SEG");
    CHECK(f->integer(ds, dx::DicomTag::Rows) == 3);
    CHECK(f->integer(ds, dx::DicomTag::Columns) == 5);
    CHECK(f->integer(ds, dx::DicomTag::NumberOfFrames) == 2);
    CHECK(f->integer(ds, dx::DicomTag::BitsAllocated) == 1);
    const dx::DicomElement* segments = ds.find(0x00620002);
    REQUIRE(segments);
    REQUIRE(segments->items.size() == 2);
    CHECK(f->string(segments->items[0], 0x00620005) == "lung");
    CHECK(f->string(segments->items[0], 0x00620008) == "AUTOMATIC");
    CHECK(f->string(onlyItem(segments->items[0], 0x0062000f), 0x00080100) == "39607008");
    CHECK(f->string(segments->items[1], 0x00620005) == "heart");
    const dx::DicomElement* pixels = ds.find(dx::DicomTag::PixelData);
    REQUIRE(pixels);
    std::span<const uint8_t> bits = f->value(*pixels);
    REQUIRE(bits.size() == 4); // 30 bits -> 4 bytes, already even
    for (size_t frame = 0; frame < 2; frame++)
        for (size_t i = 0; i < 15; i++) {
            const size_t bit = frame * 15 + i;
            const bool set = (bits[bit / 8] >> (bit % 8)) & 1;
            CHECK(set == (result.mask.labels[i] == frame + 1));
        }
    const dx::DicomElement* frames = ds.find(0x52009230);
    REQUIRE(frames);
    REQUIRE(frames->items.size() == 2);
    CHECK(f->integer(onlyItem(frames->items[1], 0x0062000a), 0x0062000b) == 2);
    const dx::DicomDataset& shared = onlyItem(ds, 0x52009229);
    CHECK(f->numbers(onlyItem(shared, 0x00289110), 0x00280030) == std::vector<double>{0.5, 0.25});
    const dx::DicomDataset& source = onlyItem(onlyItem(shared, 0x00089124), 0x00082112);
    CHECK(f->string(source, 0x00081155) == "1.2.3.4.5.6.7");
    CHECK(f->string(onlyItem(ds, 0x00081115), 0x0020000e) == "1.2.3.4.5.6");

    // Not a segmentation, or not an image: a clear error, no file.
    dx::AnalysisResult classification = chestResult();
    item.result = &classification;
    CHECK_FALSE(dx::hasDicomSegmentation(item));
    CHECK_FALSE(dx::writeDicomSeg(item, {}));
    dx::ModelManifest tabular = chestModel();
    tabular.task = dx::ModelTask::Tabular;
    item.manifest = &tabular;
    dx::Result<dx::Bytes> row = dx::writeDicomSr(item, {});
    REQUIRE_FALSE(row);
    CHECK(row.error().message.find("image") != std::string::npos);
}

TEST_CASE("DICOM SR from a PNG: a new study, empty patient, no image references") {
    const dx::ModelManifest model = chestModel();
    const dx::AnalysisResult result = chestResult();
    dx::ReportItem item;
    item.result = &result;
    item.manifest = &model;
    item.metadata = {{"format", "PNG"}};
    dx::Result<dx::Bytes> a = dx::writeDicomSr(item, {});
    dx::Result<dx::Bytes> b = dx::writeDicomSr(item, {});
    REQUIRE(a);
    REQUIRE(b);
    dx::Result<dx::DicomFile> fa = dx::parseDicom(*a);
    dx::Result<dx::DicomFile> fb = dx::parseDicom(*b);
    REQUIRE(fa);
    REQUIRE(fb);
    CHECK(fa->string(fa->dataset, 0x0020000d).rfind("2.25.", 0) == 0);
    CHECK(fa->string(fa->dataset, 0x0020000d) != fb->string(fb->dataset, 0x0020000d));
    CHECK(fa->string(fa->dataset, 0x00100020).empty());
    CHECK_FALSE(fa->dataset.find(0x0040a375));
    CHECK_FALSE(contains(*a, "IMAGE"));
}
