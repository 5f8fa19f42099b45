// Preprocessing against values worked out by hand (the numpy cross-check on larger images is
// tests/model/preprocess_reference.py).
#include "core/inference/preprocess.h"

#include <catch2/catch.hpp>

#include <cstring>

static dx::Image greyU8(int w, int h, std::vector<uint8_t> px) {
    dx::Image img;
    img.width = w;
    img.height = h;
    img.pixels = std::move(px);
    return img;
}

static dx::ModelInputSpec imageSpec(int channels, int w, int h, float scale, std::vector<float> mean,
                                    std::vector<float> std, dx::ResizeMode resize = dx::ResizeMode::Stretch) {
    dx::ModelInputSpec s;
    s.name = "image";
    s.layout = "NCHW";
    s.channels = channels;
    s.width = w;
    s.height = h;
    s.resize = resize;
    s.normalize = {scale, std::move(mean), std::move(std)};
    return s;
}

static std::vector<std::pair<int, float>> tapsOf(const dx::ResampleKernel& k, int dst) {
    std::vector<std::pair<int, float>> taps;
    for (int t = k.tapBegin[size_t(dst)]; t < k.tapBegin[size_t(dst) + 1]; t++)
        taps.push_back({k.taps[size_t(t)].index, k.taps[size_t(t)].weight});
    return taps;
}

static void checkTaps(const dx::ResampleKernel& k, int dst, std::vector<std::pair<int, float>> want) {
    std::vector<std::pair<int, float>> got = tapsOf(k, dst);
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); i++) {
        CHECK(got[i].first == want[i].first);
        CHECK(got[i].second == Approx(want[i].second).margin(1e-7));
    }
}

TEST_CASE("Bilinear resampling uses half-pixel centres and clamps at the edges") {
    dx::ResampleKernel down = dx::buildResampleKernel(4, 2); // source 0.5 and 2.5: pairs averaged
    checkTaps(down, 0, {{0, 0.5f}, {1, 0.5f}});
    checkTaps(down, 1, {{2, 0.5f}, {3, 0.5f}});
    dx::ResampleKernel up = dx::buildResampleKernel(2, 4); // sources -0.25 (clamped to 0), 0.25, 0.75, 1.25
    checkTaps(up, 0, {{0, 1.0f}});
    checkTaps(up, 1, {{0, 0.75f}, {1, 0.25f}});
    checkTaps(up, 2, {{0, 0.25f}, {1, 0.75f}});
    checkTaps(up, 3, {{1, 1.0f}});
    dx::ResampleKernel same = dx::buildResampleKernel(3, 3);
    for (int i = 0; i < 3; i++)
        checkTaps(same, i, {{i, 1.0f}});
}

TEST_CASE("Shrinking by more than 2x averages areas first, so no source pixel is skipped") {
    // 10 -> 2: area bins to 4 ([0,3) [2,5) [5,8) [7,10)), then bilinear 4 -> 2 averages bin pairs.
    dx::ResampleKernel k = dx::buildResampleKernel(10, 2);
    checkTaps(k, 0, {{0, 1 / 6.f}, {1, 1 / 6.f}, {2, 1 / 3.f}, {3, 1 / 6.f}, {4, 1 / 6.f}});
    checkTaps(k, 1, {{5, 1 / 6.f}, {6, 1 / 6.f}, {7, 1 / 3.f}, {8, 1 / 6.f}, {9, 1 / 6.f}});
    // 5 -> 2: overlapping bins {0,1} {1,2} {2,3} {3,4}, then pairs.
    dx::ResampleKernel odd = dx::buildResampleKernel(5, 2);
    checkTaps(odd, 0, {{0, 0.25f}, {1, 0.5f}, {2, 0.25f}});
    checkTaps(odd, 1, {{2, 0.25f}, {3, 0.5f}, {4, 0.25f}});
    // A single bright pixel anywhere in a 1000-pixel row still reaches the 10-pixel output.
    dx::ResampleKernel big = dx::buildResampleKernel(1000, 10);
    std::vector<float> reach(1000, 0.0f);
    for (const dx::ResampleTap& t : big.taps)
        reach[size_t(t.index)] += t.weight;
    for (float r : reach)
        CHECK(r > 0.0f);
    // Weights of every output sum to 1 (brightness is preserved).
    for (int j = 0; j < 10; j++) {
        float sum = 0;
        for (auto& [i, w] : tapsOf(big, j))
            sum += w;
        CHECK(sum == Approx(1.0f).margin(1e-6));
    }
}

TEST_CASE("A grey 8-bit image becomes a normalised NCHW tensor") {
    // 4x2 -> 2x1: each output is the mean of a 2x2 block.
    dx::Image img = greyU8(4, 2, {0, 40, 80, 120, 200, 160, 40, 0});
    dx::Result<dx::PreparedInput> in =
        dx::preprocessImage(img, imageSpec(1, 2, 1, 1 / 255.f, {0.5f}, {0.25f}));
    REQUIRE(in.ok());
    CHECK(in->tensor.shape == dx::Shape{1, 1, 1, 2});
    CHECK(in->tensor.data[0] == Approx((100 / 255.0 - 0.5) / 0.25).margin(1e-6)); // -0.431373
    CHECK(in->tensor.data[1] == Approx((60 / 255.0 - 0.5) / 0.25).margin(1e-6));  // -1.058824
}

TEST_CASE("Colour becomes luminance for 1-channel models, grey is replicated for 3-channel models") {
    dx::Image rgb = greyU8(2, 1, {255, 0, 0, 10, 20, 30});
    rgb.samplesPerPixel = 3;
    rgb.photometric = dx::Photometric::RGB;
    dx::Result<dx::PreparedInput> lum = dx::preprocessImage(rgb, imageSpec(1, 2, 1, 1, {0}, {1}));
    REQUIRE(lum.ok());
    CHECK(lum->tensor.data[0] == Approx(76.245f));                // 0.299 * 255
    CHECK(lum->tensor.data[1] == Approx(2.99f + 11.74f + 3.42f)); // 18.15

    dx::Image grey = greyU8(1, 1, {100});
    dx::Result<dx::PreparedInput> rep =
        dx::preprocessImage(grey, imageSpec(3, 1, 1, 1, {0, 10, 20}, {1, 2, 4}));
    REQUIRE(rep.ok());
    CHECK(rep->tensor.shape == dx::Shape{1, 3, 1, 1});
    CHECK(rep->tensor.data == std::vector<float>{100.0f, 45.0f, 20.0f});

    dx::Image rgba = greyU8(1, 1, {10, 20, 30, 0}); // alpha 0 is ignored, not composited
    rgba.samplesPerPixel = 4;
    rgba.photometric = dx::Photometric::RGBA;
    dx::Result<dx::PreparedInput> keep =
        dx::preprocessImage(rgba, imageSpec(3, 1, 1, 1, {0, 0, 0}, {1, 1, 1}));
    REQUIRE(keep.ok());
    CHECK(keep->tensor.data == std::vector<float>{10.0f, 20.0f, 30.0f});
}

TEST_CASE("Letterbox pads with black and center-crop keeps the middle") {
    dx::Image img = greyU8(4, 2, {1, 2, 3, 4, 5, 6, 7, 8});
    dx::Result<dx::PreparedInput> box =
        dx::preprocessImage(img, imageSpec(1, 4, 4, 1, {10}, {1}, dx::ResizeMode::Letterbox));
    REQUIRE(box.ok());
    CHECK(box->placement.y.dstBegin == 1);
    CHECK(box->placement.y.dstSize == 2);
    // Rows 0 and 3 are padding (display 0, normalised to -10); rows 1 and 2 hold the image unchanged.
    CHECK(box->tensor.data ==
          std::vector<float>{-10, -10, -10, -10, -9, -8, -7, -6, -5, -4, -3, -2, -10, -10, -10, -10});

    dx::Result<dx::PreparedInput> crop =
        dx::preprocessImage(img, imageSpec(1, 2, 2, 1, {0}, {1}, dx::ResizeMode::CenterCrop));
    REQUIRE(crop.ok());
    CHECK(crop->placement.x.srcBegin == 1);
    CHECK(crop->placement.x.srcSize == 2);
    CHECK(crop->tensor.data == std::vector<float>{2, 3, 6, 7});

    dx::Placement tall = dx::computePlacement(100, 400, 50, 50, dx::ResizeMode::Letterbox);
    CHECK(tall.x.dstSize == 13); // 100 * 0.125 = 12.5 rounds to 13, centred at (50 - 13) / 2 = 18
    CHECK(tall.x.dstBegin == 18);
    CHECK(tall.y.dstSize == 50);
    dx::Placement wide = dx::computePlacement(400, 100, 50, 50, dx::ResizeMode::CenterCrop);
    CHECK(wide.x.srcSize == 100);
    CHECK(wide.x.srcBegin == 150);
    CHECK(wide.y.srcSize == 100);
}

TEST_CASE("A grey image letterboxed for a 3-channel model has its values and padding in every channel") {
    // The grey plane is resampled once and copied; each channel is then normalised with its own mean/std.
    dx::Image img = greyU8(4, 2, {1, 2, 3, 4, 5, 6, 7, 8});
    dx::Result<dx::PreparedInput> in =
        dx::preprocessImage(img, imageSpec(3, 4, 4, 1, {10, 0, 1}, {1, 1, 2}, dx::ResizeMode::Letterbox));
    REQUIRE(in.ok());
    CHECK(in->tensor.shape == dx::Shape{1, 3, 4, 4});
    const std::vector<float>& t = in->tensor.data;
    CHECK(std::vector<float>(t.begin(), t.begin() + 16) ==
          std::vector<float>{-10, -10, -10, -10, -9, -8, -7, -6, -5, -4, -3, -2, -10, -10, -10, -10});
    CHECK(std::vector<float>(t.begin() + 16, t.begin() + 32) ==
          std::vector<float>{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0});
    CHECK(std::vector<float>(t.begin() + 32, t.end()) == std::vector<float>{-0.5f, -0.5f, -0.5f, -0.5f, 0,
                                                                            0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f,
                                                                            -0.5f, -0.5f, -0.5f, -0.5f});
}

TEST_CASE("16-bit images are windowed to display values, MONOCHROME1 is inverted") {
    dx::Image img;
    img.width = 2;
    img.height = 1;
    img.sampleType = dx::SampleType::U16;
    img.bitsStored = 16;
    uint16_t values[2] = {1250, 3000};
    img.pixels.resize(4);
    std::memcpy(img.pixels.data(), values, 4);
    img.windows.push_back({1250.0, 501.0, "file"});
    dx::ModelInputSpec spec = imageSpec(1, 2, 1, 1, {0}, {1});

    // File window: 1250 -> ((1250 - 1249.5) / 500 + 0.5) * 255 = 127.755, shown as 128; 3000 is above -> 255.
    dx::Result<dx::PreparedInput> fromFile = dx::preprocessImage(img, spec);
    REQUIRE(fromFile.ok());
    CHECK(fromFile->tensor.data == std::vector<float>{128, 255});

    // The manifest's window wins: [1500, 1001] -> ((1250 - 1499.5) / 1000 + 0.5) * 255 = 63.88 -> 64.
    spec.windowFromFile = false;
    spec.windowCenter = 1500;
    spec.windowWidth = 1001;
    dx::Result<dx::PreparedInput> fromManifest = dx::preprocessImage(img, spec);
    REQUIRE(fromManifest.ok());
    CHECK(fromManifest->tensor.data == std::vector<float>{64, 255});

    // An 8-bit raster image has no window: dicom_window does not apply to it.
    dx::Image png = greyU8(2, 1, {0, 200});
    CHECK(dx::preprocessImage(png, spec)->tensor.data == std::vector<float>{0, 200});
    // An 8-bit DICOM image does get the manifest's window: 200 -> ((200 - 99.5) / 99 + 0.5) * 255 = 386 -> 255.
    dx::Image dicom8 = png;
    dicom8.metadata["format"] = "DICOM";
    dx::ModelInputSpec narrow = imageSpec(1, 2, 1, 1, {0}, {1});
    narrow.windowFromFile = false;
    narrow.windowCenter = 100;
    narrow.windowWidth = 100;
    CHECK(dx::preprocessImage(dicom8, narrow)->tensor.data == std::vector<float>{0, 255});

    dx::Image mono1 = greyU8(2, 1, {0, 200});
    mono1.photometric = dx::Photometric::Monochrome1;
    dx::ModelInputSpec plain = imageSpec(1, 2, 1, 1, {0}, {1});
    CHECK(dx::preprocessImage(mono1, plain)->tensor.data == std::vector<float>{255, 55});
    plain.invertMonochrome1 = false;
    CHECK(dx::preprocessImage(mono1, plain)->tensor.data == std::vector<float>{0, 200});
}

TEST_CASE("Preprocessing refuses images without pixels") {
    dx::Image empty;
    CHECK(dx::preprocessImage(empty, imageSpec(1, 2, 2, 1, {0}, {1})).error().message ==
          "The image has no pixels.");
    dx::Image headerOnly = greyU8(2, 2, {}); // size known, pixels not decoded
    CHECK_FALSE(dx::preprocessImage(headerOnly, imageSpec(1, 2, 2, 1, {0}, {1})).ok());
}

TEST_CASE("Tabular values are ordered as the manifest lists them and checked against their ranges") {
    dx::ModelInputSpec spec;
    spec.name = "features";
    spec.features = {{"radius", "px", 0, 50}, {"texture", "", 0, 80}};
    dx::Result<dx::Tensor> t =
        dx::buildTabularInput({{"texture", 12.5}, {"radius", 17.25}, {"extra", 1}}, spec);
    REQUIRE(t.ok());
    CHECK(t->shape == dx::Shape{1, 2});
    CHECK(t->data == std::vector<float>{17.25f, 12.5f});

    CHECK(dx::buildTabularInput({{"radius", 1}}, spec).error().message ==
          "The value of 'texture' is missing.");
    CHECK(dx::buildTabularInput({{"radius", 51}, {"texture", 1}}, spec).error().message ==
          "'radius' is 51 px, outside its valid range 0 to 50 px.");
    CHECK(dx::buildTabularInput({{"radius", NAN}, {"texture", 1}}, spec).error().message ==
          "The value of 'radius' is not a number.");
}
