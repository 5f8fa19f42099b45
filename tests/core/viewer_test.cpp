// The viewer's core parts: series grouping and slice order (series.h), window presets per modality
// (window_presets.h), the histogram (histogram.h), screen <-> image mapping with rotation/flip and the ruler
// (view_geometry.h), and identifier masking in the UI line (patient_summary.h). Studies are built in memory
// with the metadata the DICOM decoder would give them.
#include "core/dicom/patient_summary.h"
#include "core/viewer/histogram.h"
#include "core/viewer/series.h"
#include "core/viewer/view_geometry.h"
#include "core/viewer/window_presets.h"

#include <catch2/catch.hpp>

#include <cstring>

namespace {

dx::Image greyImage(int width, int height, std::vector<uint16_t> values, int frames = 1) {
    dx::Image img;
    img.width = width;
    img.height = height;
    img.frames = frames;
    img.sampleType = dx::SampleType::U16;
    img.bitsStored = 16;
    img.pixels.resize(values.size() * 2);
    std::memcpy(img.pixels.data(), values.data(), img.pixels.size());
    return img;
}

struct StudyBuilder {
    std::vector<std::unique_ptr<dx::Study>> studies;

    dx::Study& add(const std::string& name, std::map<std::string, std::string> metadata, int frames = 1) {
        auto s = std::make_unique<dx::Study>();
        s->id = int(studies.size()) + 1;
        s->name = name;
        dx::Image img = greyImage(2, 1, std::vector<uint16_t>(size_t(2 * frames), 0), frames);
        img.metadata = std::move(metadata);
        s->image = std::make_shared<const dx::Image>(std::move(img));
        studies.push_back(std::move(s));
        return *studies.back();
    }
};

std::vector<std::string> namesInOrder(const StudyBuilder& b, const dx::Series& s) {
    std::vector<std::string> names;
    for (int id : s.studyIds)
        names.push_back(b.studies[size_t(id - 1)]->name);
    return names;
}

const char* kAxial = "1\\0\\0\\0\\1\\0"; // rows along +x, columns along +y: normal +z

} // namespace

TEST_CASE("files sharing a Series Instance UID form one series, others stand alone", "[viewer][series]") {
    StudyBuilder b;
    b.add("a1.dcm", {{"SeriesInstanceUID", "1.2.3"}, {"InstanceNumber", "2"}});
    b.add("chest.png", {{"format", "PNG"}});
    b.add("b1.dcm", {{"SeriesInstanceUID", "1.2.4"}, {"InstanceNumber", "1"}});
    b.add("a2.dcm", {{"SeriesInstanceUID", "1.2.3"}, {"InstanceNumber", "1"}});
    auto failed = std::make_unique<dx::Study>();
    failed->id = 5;
    failed->name = "broken.dcm";
    failed->error = "not a DICOM file";
    b.studies.push_back(std::move(failed));

    const std::vector<dx::Series> series = dx::groupSeries(b.studies);
    REQUIRE(series.size() == 4); // in the order their first file was opened
    CHECK(series[0].uid == "1.2.3");
    CHECK(namesInOrder(b, series[0]) == std::vector<std::string>{"a2.dcm", "a1.dcm"});
    CHECK(series[1].uid.empty());
    CHECK(namesInOrder(b, series[1]) == std::vector<std::string>{"chest.png"});
    CHECK(series[2].uid == "1.2.4");
    CHECK(namesInOrder(b, series[3]) == std::vector<std::string>{"broken.dcm"});
    CHECK(series[3].slices.size() == 1); // a failed file is still listed, with its error
    CHECK(dx::findSeries(series, 1) == &series[0]);
    CHECK(dx::findSeries(series, 99) == nullptr);
}

TEST_CASE("slices follow the position along the slice normal over Instance Number", "[viewer][series]") {
    StudyBuilder b;
    // Instance numbers run against the positions on purpose: the position must win.
    b.add("top.dcm", {{"SeriesInstanceUID", "9"},
                      {"InstanceNumber", "1"},
                      {"ImagePositionPatient", "0\\0\\20"},
                      {"ImageOrientationPatient", kAxial}});
    b.add("bottom.dcm", {{"SeriesInstanceUID", "9"},
                         {"InstanceNumber", "3"},
                         {"ImagePositionPatient", "0\\0\\-10"},
                         {"ImageOrientationPatient", kAxial}});
    b.add("middle.dcm", {{"SeriesInstanceUID", "9"},
                         {"InstanceNumber", "2"},
                         {"ImagePositionPatient", "5\\5\\2.5"},
                         {"ImageOrientationPatient", kAxial}});
    const std::vector<dx::Series> series = dx::groupSeries(b.studies);
    REQUIRE(series.size() == 1);
    CHECK(namesInOrder(b, series[0]) == std::vector<std::string>{"bottom.dcm", "middle.dcm", "top.dcm"});

    SECTION("one file without a position: Instance Number decides") {
        b.add("fourth.dcm", {{"SeriesInstanceUID", "9"}, {"InstanceNumber", "0"}});
        CHECK(namesInOrder(b, dx::groupSeries(b.studies)[0]) ==
              std::vector<std::string>{"fourth.dcm", "top.dcm", "middle.dcm", "bottom.dcm"});
    }
    SECTION("neither position nor number on one file: the order they were opened in") {
        b.add("unnumbered.dcm", {{"SeriesInstanceUID", "9"}});
        CHECK(namesInOrder(b, dx::groupSeries(b.studies)[0]) ==
              std::vector<std::string>{"top.dcm", "bottom.dcm", "middle.dcm", "unnumbered.dcm"});
    }
}

TEST_CASE("a multi-frame file contributes every frame as a slice", "[viewer][series]") {
    StudyBuilder b;
    b.add("cine.dcm", {{"SeriesInstanceUID", "7"}}, 3);
    b.add("extra.dcm", {{"SeriesInstanceUID", "7"}});
    const std::vector<dx::Series> series = dx::groupSeries(b.studies);
    REQUIRE(series.size() == 1);
    REQUIRE(series[0].slices.size() == 4);
    CHECK(series[0].slices[2].studyId == 1);
    CHECK(series[0].slices[2].frame == 2);
    CHECK(series[0].slices[3].studyId == 2);
    CHECK(dx::findSlice(series[0], 1, 1) == 1);
    CHECK(dx::findSlice(series[0], 2, 0) == 3);
    CHECK(dx::findSlice(series[0], 2, 1) == -1);
}

TEST_CASE("CT offers the standard windows in HU, other images their own and the full range",
          "[viewer][window]") {
    dx::Image ct = greyImage(2, 1, {0, 4095});
    ct.metadata["Modality"] = "CT";
    ct.rescaleIntercept = -1024.0;
    ct.windows.push_back({40.0, 400.0, "WINDOW1"});
    const std::vector<dx::WindowPreset> p = dx::windowPresets(ct, 0, -1024.0, 3071.0);
    REQUIRE(p.size() == 5);
    CHECK(p[0].center == 40.0);
    CHECK(p[0].explanation == "From the file: WINDOW1");
    CHECK((p[1].explanation == "Lung" && p[1].center == -600.0 && p[1].width == 1500.0));
    CHECK((p[2].explanation == "Mediastinum" && p[2].center == 50.0 && p[2].width == 350.0));
    CHECK((p[3].explanation == "Bone" && p[3].center == 400.0 && p[3].width == 1800.0));
    CHECK((p[4].explanation == "Brain" && p[4].center == 40.0 && p[4].width == 80.0));

    dx::Image mr = greyImage(2, 1, {100, 900});
    mr.metadata["Modality"] = "MR";
    mr.metadata["format"] = "DICOM";
    const std::vector<dx::WindowPreset> auto_ = dx::windowPresets(mr, 0, 100.0, 900.0);
    REQUIRE(auto_.size() == 1); // no file window: the automatic one (min..max) only
    CHECK(auto_[0].center == 500.5);
    CHECK(auto_[0].width == 801.0);
    CHECK(auto_[0].explanation == "Auto (min to max)");
    mr.windows.push_back({300.0, 200.0, "T1"});
    const std::vector<dx::WindowPreset> withFile = dx::windowPresets(mr, 0, 100.0, 900.0);
    REQUIRE(withFile.size() == 2);
    CHECK(withFile[0].center == 300.0);
    CHECK(withFile[1].explanation == "Full range");
    CHECK(withFile[1].width == 801.0);
}

TEST_CASE("the histogram counts modality values over the frame's range", "[viewer][histogram]") {
    dx::Image img = greyImage(4, 2, {0, 0, 0, 10, 20, 30, 40, 100, /* frame 2 */ 5, 5, 5, 5, 5, 5, 5, 5}, 2);
    img.rescaleSlope = 2.0;
    img.rescaleIntercept = -100.0; // values -100 .. 100
    const dx::Histogram h = dx::computeHistogram(img, 0, 4);
    CHECK(h.minValue == -100.0);
    CHECK(h.maxValue == 100.0);
    CHECK(h.counts == std::vector<uint64_t>{5, 2, 0, 1}); // bins of 50: -100 x3, -80, -60 | -40, -20 | | 100
    CHECK(h.total == 8);
    CHECK(h.fractionOf(0.0) == 0.5f);
    CHECK(h.fractionOf(-500.0) == 0.0f);
    const std::vector<float> linear = dx::histogramBars(h, false), logBars = dx::histogramBars(h, true);
    CHECK(linear[0] == 1.0f);
    CHECK(linear[1] == Approx(2.0 / 5.0));
    CHECK(logBars[3] == Approx(std::log(2.0) / std::log(6.0))); // rare values stand out on the log scale
    CHECK(logBars[3] > linear[3]);

    const dx::Histogram flat = dx::computeHistogram(img, 1, 4);
    CHECK(flat.counts[0] == 8);
    CHECK(dx::computeHistogram(img, 2, 4).counts.empty()); // no such frame
}

TEST_CASE("screen and image coordinates round-trip under every rotation and flip", "[viewer][geometry]") {
    dx::ViewGeometry g;
    g.imageWidth = 200;
    g.imageHeight = 100;
    g.scale = 2.0;
    g.centre = {500.0, 300.0};
    for (int turns = 0; turns < 4; turns++)
        for (int flips = 0; flips < 4; flips++) {
            g.quarterTurns = turns;
            g.flipH = flips & 1;
            g.flipV = flips & 2;
            const dx::Point2 p = g.toImage(g.toScreen({37.0, 81.5}));
            CHECK(p.x == Approx(37.0));
            CHECK(p.y == Approx(81.5));
        }
    g.flipH = g.flipV = false;
    g.quarterTurns = 1; // clockwise: the image's top-left corner goes to the screen's top-right
    CHECK(g.shownWidth() == 100.0);
    const dx::Point2 topLeft = g.toScreen({0.0, 0.0});
    CHECK(topLeft.x == Approx(500.0 + 50.0 * 2.0));
    CHECK(topLeft.y == Approx(300.0 - 100.0 * 2.0));
    const std::array<dx::Point2, 4> uv = g.cornerUVs(); // the screen's top-left shows the image's bottom-left
    CHECK(uv[0].x == Approx(0.0));
    CHECK(uv[0].y == Approx(1.0));
    CHECK(uv[1].x == Approx(0.0));
    CHECK(uv[1].y == Approx(0.0));
    g.quarterTurns = 0;
    g.flipH = true; // mirrored: the screen's left edge shows the image's right edge
    CHECK(g.cornerUVs()[0].x == Approx(1.0));
    CHECK(g.quarterTurns == 0);
    g.quarterTurns = -1; // any integer is taken modulo 4
    CHECK(g.turns() == 3);
}

TEST_CASE("the ruler measures in mm with the pixel spacing, else in pixels", "[viewer][ruler]") {
    dx::Image img = greyImage(2, 1, {0, 0});
    const dx::Length px = dx::measureLength(img, {0.0, 0.0}, {3.0, 4.0});
    CHECK(px.pixels == 5.0);
    CHECK_FALSE(px.hasMillimetres);
    img.pixelSpacingRow = 0.5; // between rows: vertical steps
    img.pixelSpacingCol = 0.25;
    const dx::Length mm = dx::measureLength(img, {1.0, 2.0}, {13.0, 8.0}); // 12 px across, 6 px down
    CHECK(mm.hasMillimetres);
    CHECK(mm.millimetres == Approx(std::hypot(12 * 0.25, 6 * 0.5)));
    CHECK(mm.pixels == Approx(std::hypot(12.0, 6.0)));
}

TEST_CASE("identifying attributes are masked in the UI line unless shown", "[viewer][identifiers]") {
    const std::map<std::string, std::string> meta = {{"PatientName", "DOE^JANE"},
                                                     {"PatientID", "ID-98765"},
                                                     {"PatientBirthDate", "19700101"},
                                                     {"PatientSex", "F"},
                                                     {"InstitutionName", "General Hospital"},
                                                     {"Modality", "CT"}};
    const std::string masked = dx::patientSummary(meta, false);
    for (const char* secret : {"DOE", "98765", "1970", "General"})
        CHECK(masked.find(secret) == std::string::npos);
    CHECK(masked.find(dx::kMaskedValue) != std::string::npos);
    CHECK(masked.find(" F ") != std::string::npos); // sex alone identifies nobody and stays visible
    const std::string shown = dx::patientSummary(meta, true);
    for (const char* secret : {"DOE^JANE", "ID-98765", "19700101", "General Hospital"})
        CHECK(shown.find(secret) != std::string::npos);
    CHECK(dx::patientSummary({{"format", "PNG"}}, false).empty());
    CHECK(dx::shownAttribute("Modality", "CT", false) == "CT");
}
