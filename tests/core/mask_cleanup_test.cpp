// Mask clean-up on hand-made masks: islands removed, holes filled, 4-connectivity, ties, several classes, and
// segmentationMask reporting the cleaned areas. The same code against scipy on random masks: mask_cleanup_check.
#include "core/inference/mask_cleanup.h"
#include "core/inference/postprocess.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

// Rows of a mask drawn as text: '.' is background, a digit its class.
struct Drawn {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> labels;
};

Drawn draw(std::initializer_list<const char*> rows) {
    Drawn d;
    for (const char* row : rows) {
        std::string r(row);
        d.width = int(r.size());
        d.height++;
        for (char ch : r)
            d.labels.push_back(ch == '.' ? 0 : uint8_t(ch - '0'));
    }
    return d;
}

std::vector<uint8_t> cleaned(Drawn d, int classes, int keep, bool fill) {
    dx::MaskCleanup cleanup;
    cleanup.keepLargestComponents = keep;
    cleanup.fillHoles = fill;
    dx::Status s = dx::cleanUpMask(d.labels, d.width, d.height, classes, cleanup);
    REQUIRE(s.ok());
    return d.labels;
}

} // namespace

// The masks are drawn one row per line, so clang-format is told to leave these tests' layout alone.
// clang-format off
TEST_CASE("Keeping the two largest components removes the small island") {
    Drawn in = draw({"11...11",
                     "11...11",
                     "11.1.11",
                     "11...11"});
    CHECK(cleaned(in, 2, 2, false) == draw({"11...11",
                                            "11...11",
                                            "11...11",
                                            "11...11"}).labels);
    CHECK(cleaned(in, 2, 3, false) == in.labels); // three components, three kept
    // Equal lungs: the left one's first pixel comes first.
    CHECK(cleaned(in, 2, 1, false) == draw({"11.....",
                                            "11.....",
                                            "11.....",
                                            "11....."}).labels);
}

TEST_CASE("A hole inside a ring is filled, a bay open to the border is not") {
    CHECK(cleaned(draw({".....",
                        ".111.",
                        ".1.1.",
                        ".111."}), 2, 0, true) == draw({".....",
                                                        ".111.",
                                                        ".111.",
                                                        ".111."}).labels);
    // Both gaps reach the border through 4-connected background.
    Drawn bay = draw({"111.",
                      "1...",
                      "1.11",
                      "1.1."});
    CHECK(cleaned(bay, 2, 0, true) == bay.labels);
}

TEST_CASE("Pixels touching only at a corner are not connected") {
    // 4-connectivity: the lone pixel is its own component, and the hole reaches the outside only diagonally,
    // so it is a hole.
    CHECK(cleaned(draw({"11..",
                        "11..",
                        "..1."}), 2, 1, false) == draw({"11..",
                                                        "11..",
                                                        "...."}).labels);
    CHECK(cleaned(draw({".1111",
                        "1...1",
                        "1...1",
                        "11111"}), 2, 0, true) == draw({".1111",
                                                        "11111",
                                                        "11111",
                                                        "11111"}).labels);
}

TEST_CASE("Equal-sized components: the one whose first pixel comes first in raster order stays") {
    // Component A starts at (3, 0) and reaches down; B starts at (0, 1): A's first pixel comes first.
    Drawn in = draw({"...1",
                     "11.1",
                     "11.1",
                     "...1"});
    CHECK(cleaned(in, 2, 1, false) == draw({"...1",
                                            "...1",
                                            "...1",
                                            "...1"}).labels);
    // One pixel more for B: size decides before position.
    in.labels[size_t(3 * 4 + 0)] = 1;
    CHECK(cleaned(in, 2, 1, false) == draw({"....",
                                            "11..",
                                            "11..",
                                            "1..."}).labels);
}

TEST_CASE("Components are removed before holes are filled, and each class is cleaned on its own") {
    // The island inside the ring goes first, then the whole inside is filled.
    CHECK(cleaned(draw({"11111.",
                        "1...1.",
                        "1.1.1.",
                        "1...1.",
                        "11111."}), 2, 1, true) == draw({"11111.",
                                                         "11111.",
                                                         "11111.",
                                                         "11111.",
                                                         "11111."}).labels);
    // Class 2's small island goes; class 1's hole is filled, class 2's pixel inside it included (as
    // scipy.ndimage.binary_fill_holes on class 1's mask does); class 2 keeps its largest component.
    CHECK(cleaned(draw({"111..22",
                        "121..22",
                        "111.2..",
                        "......."}), 3, 1, true) == draw({"111..22",
                                                          "111..22",
                                                          "111....",
                                                          "......."}).labels);
}
// clang-format on

TEST_CASE("A clean-up leaves masks without the class alone and refuses a mask of the wrong size") {
    Drawn empty = draw({"...", "..."});
    CHECK(cleaned(empty, 2, 1, true) == empty.labels);
    Drawn full = draw({"111", "111"});
    CHECK(cleaned(full, 2, 1, true) == full.labels);
    Drawn row = draw({"1.11.1"}); // one row: every pixel is on the border, nothing is a hole
    CHECK(cleaned(row, 2, 0, true) == row.labels);

    std::vector<uint8_t> wrong(5, 1);
    dx::MaskCleanup cleanup;
    cleanup.fillHoles = true;
    CHECK(dx::cleanUpMask(wrong, 2, 3, 2, cleanup).error().message ==
          "The segmentation mask has 5 pixels but its size is 2 x 3.");
}

TEST_CASE("A 4096 x 4096 mask of one winding component is cleaned without recursion") {
    // A serpentine: every other row is foreground, joined at alternating ends, so the single component is a path
    // of 8 million pixels (a recursive fill would need that many stack frames). Plus one island in the last row.
    const int n = 4096;
    std::vector<uint8_t> labels(size_t(n) * n, 0);
    for (int y = 0; y < n - 2; y++) {
        if (y % 2 == 0)
            std::fill(labels.begin() + long(y) * n, labels.begin() + long(y + 1) * n, 1);
        else
            labels[size_t(y) * n + (y % 4 == 1 ? n - 1 : 0)] = 1;
    }
    labels[size_t(n - 1) * n + 7] = 1;
    std::vector<uint8_t> expected = labels;
    expected[size_t(n - 1) * n + 7] = 0;
    dx::MaskCleanup cleanup;
    cleanup.keepLargestComponents = 1;
    cleanup.fillHoles = true; // the gaps between the rows all open to the border: nothing to fill
    REQUIRE(dx::cleanUpMask(labels, n, n, 2, cleanup).ok());
    CHECK(labels == expected);
}

TEST_CASE("segmentationMask applies the manifest's clean-up before counting areas") {
    // A 6 x 4 model output at the image's own size (stretch, 1:1): lesion minus background is +1 where the
    // drawn mask is 1, so the argmax is the drawing itself.
    Drawn drawn = draw({"11..11", "1.1...", "111...", "......"});
    std::vector<float> scores(size_t(2 * 24), 0.0f);
    for (size_t i = 0; i < 24; i++)
        scores[24 + i] = drawn.labels[i] ? 1.0f : -1.0f;
    dx::ModelManifest m;
    m.task = dx::ModelTask::Segmentation;
    dx::ModelOutputSpec out;
    out.name = "mask";
    out.classes = {"background", "lung"};
    m.outputs = {out};
    dx::Placement p = dx::computePlacement(6, 4, 6, 4, dx::ResizeMode::Stretch);
    std::vector<dx::NamedTensor> raw = {{"mask", dx::Tensor{{1, 2, 4, 6}, scores}}};

    dx::Result<dx::SegmentationMask> plain = dx::segmentationMask(m, raw, p);
    REQUIRE(plain.ok());
    CHECK(plain->labels == drawn.labels); // no mask_cleanup: the argmax as it is
    CHECK(plain->areas[1].pixels == 9);

    m.outputs[0].maskCleanup.keepLargestComponents = 1;
    m.outputs[0].maskCleanup.fillHoles = true;
    dx::Result<dx::SegmentationMask> clean = dx::segmentationMask(m, raw, p, 0.5, 0.5);
    REQUIRE(clean.ok());
    // The two-pixel island goes, the one-pixel hole is filled; the notch at the top opens to the border.
    CHECK(clean->labels == draw({"11....", "111...", "111...", "......"}).labels);
    CHECK(clean->areas[0].pixels == 16);
    CHECK(clean->areas[1].pixels == 8);
    CHECK(clean->areas[1].fraction == 8.0 / 24.0);
    CHECK(clean->areas[1].areaMm2 == 8 * 0.25);
}
