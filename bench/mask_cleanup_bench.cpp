// mask_cleanup_bench — what the manifest's mask clean-up costs, next to the mask it cleans up, side by side.
//
// How to use (native: build/native/bin/dx_mask_cleanup_bench; WASM: node build/wasm/bin/dx_mask_cleanup_bench.js):
//   dx_mask_cleanup_bench [SIZE...]     default 2048 4096; prints one line per size:
//     size 2048: mask (upsample + argmax) 74.6 ms, clean-up (keep 2, fill holes) 20.0 ms = 0.27 x the mask; ...
// The mask is a 128 x 128 two-class model output shaped like two lung fields with speckle (islands outside,
// holes inside), upsampled to SIZE x SIZE by segmentationMask, as cxr-lung-seg's is. Times are medians of at
// least 9 runs, the two measured in turns so machine load falls on both alike.
#include "core/inference/mask_cleanup.h"
#include "core/inference/postprocess.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

static double nowMs() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main(int argc, char** argv) {
    std::vector<int> sizes;
    for (int i = 1; i < argc; i++)
        sizes.push_back(std::atoi(argv[i]));
    if (sizes.empty()) sizes = {2048, 4096};

    const int model = 128;
    std::vector<float> scores(size_t(2) * model * model, 0.0f);
    uint32_t seed = 12345;
    auto noise = [&] { // xorshift: the same speckle every run
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        return float(seed % 1000) / 1000.0f;
    };
    for (int y = 0; y < model; y++)
        for (int x = 0; x < model; x++) {
            auto ellipse = [&](float cx) {
                float dx = (x - cx) / 22.0f, dy = (y - 64.0f) / 45.0f;
                return dx * dx + dy * dy < 1.0f;
            };
            bool lung = ellipse(38.0f) || ellipse(90.0f);
            float n = noise();
            if (n > 0.97f) lung = !lung; // islands outside the lungs, holes inside
            scores[size_t(model * model + y * model + x)] = lung ? 2.0f : -2.0f;
        }

    dx::ModelManifest m;
    m.task = dx::ModelTask::Segmentation;
    dx::ModelOutputSpec out;
    out.name = "logits";
    out.classes = {"background", "lung"};
    m.outputs = {out};
    std::vector<dx::NamedTensor> raw = {{"logits", dx::Tensor{{1, 2, model, model}, scores}}};
    dx::MaskCleanup cleanup;
    cleanup.keepLargestComponents = 2;
    cleanup.fillHoles = true;

    for (int size : sizes) {
        dx::Placement p = dx::computePlacement(size, size, model, model, dx::ResizeMode::Stretch);
        std::vector<double> maskMs, cleanMs;
        size_t before = 0, after = 0;
        for (int run = 0; run < 10; run++) { // run 0 warms up
            double t0 = nowMs();
            dx::Result<dx::SegmentationMask> mask = dx::segmentationMask(m, raw, p);
            double t1 = nowMs();
            if (!mask) {
                std::fprintf(stderr, "%s\n", mask.error().message.c_str());
                return 1;
            }
            before = size_t(std::count(mask->labels.begin(), mask->labels.end(), uint8_t(1)));
            double t2 = nowMs();
            dx::Status s = dx::cleanUpMask(mask->labels, size, size, 2, cleanup);
            double t3 = nowMs();
            if (!s) {
                std::fprintf(stderr, "%s\n", s.error().message.c_str());
                return 1;
            }
            after = size_t(std::count(mask->labels.begin(), mask->labels.end(), uint8_t(1)));
            if (run == 0) continue;
            maskMs.push_back(t1 - t0);
            cleanMs.push_back(t3 - t2);
        }
        const double a = median(maskMs), b = median(cleanMs);
        std::printf(
            "size %d: mask (upsample + argmax) %.1f ms, clean-up (keep 2, fill holes) %.1f ms = %.2f x the "
            "mask; lung pixels %zu -> %zu\n",
            size, a, b, b / a, before, after);
    }
    return 0;
}
