// saliency_bench — the occlusion heatmap's time with the shipped settings against the earlier 8 x 8 ones, side by
// side in one run, on the same model, image and backend. Natively it runs ONNX Runtime's CPU library (the CLI's
// backend); built as WASM it runs ONNX Runtime Web's WASM backend under Node through the app's own bridge
// (src/platform/web/ort_backend.cpp + web/dx-bridge.mjs, driven by bench/saliency_bench.mjs).
//
// How to use (bench/run_saliency_bench.sh builds both, makes the image and runs them):
//   dx_saliency_bench MODEL_DIR IMAGE LABEL [ROUNDS] [GRID PATCH BATCH]
// prints one JSON object per line:
//   {"case":"setup", "decode_ms":..., "preprocess_ms":..., "image":[w,h], "model_input":[w,h], "backend":...}
//   {"case":"heatmap", "settings":"old"|"new", "grid":G, "patch_cells":P, "batch":B, "occluded_inputs":N,
//    "backend_calls":C, "ms":[per round...], "median_ms":M, "cpu_ms":[...], "median_cpu_ms":M}
//   {"case":"ratio", "new_over_old":R, "new_over_old_cpu":R}
// ms is wall-clock time (what a user waits); cpu_ms the process's CPU time over the same span, the cost of the
// work itself on a machine that others share (ONNX Runtime runs one thread in both builds here).
// The two settings alternate round by round (old, new, old, new, ...), so a slow spell hits both alike; a
// first unmeasured run of each warms the backend up. GRID PATCH BATCH replace the shipped settings (for tuning).
#include "core/base/file_io.h"
#include "core/inference/inference.h"
#include "core/inference/saliency.h"
#include "core/intake/image_decoder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#ifdef __EMSCRIPTEN__
#include "platform/web/ort_backend.h"

#include <emscripten/emscripten.h>

// The Node process's CPU time (user + system), in ms: ONNX Runtime Web's single-threaded WASM backend computes on
// this thread, so it is the work the heatmap costs, whatever else the machine runs.
EM_JS(double, dx_bench_cpu_ms, (), {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
});
#else
#include "platform/native/ort_cpu_backend.h"

#include <ctime>
#endif

namespace {

// CPU time of this process in ms (wall-clock time on a shared machine measures the other processes too).
double cpuMs() {
#ifdef __EMSCRIPTEN__
    return dx_bench_cpu_ms();
#else
    return double(std::clock()) * 1000.0 / double(CLOCKS_PER_SEC);
#endif
}

struct Setting {
    std::string name;
    dx::SaliencyOptions options;
    std::vector<double> ms, cpu;
    int calls = 0, inputs = 0;
};

struct Bench {
    std::unique_ptr<dx::InferenceBackend> backend;
    dx::ModelSession session;
    dx::AnalysisResult analysis;
    dx::Placement placement;
    std::string label;
    int rounds = 5;
    std::vector<Setting> settings;
    int step = 0; // warm-up runs first (one per setting), then rounds x settings
};

void finish(int code) {
#ifdef __EMSCRIPTEN__
    emscripten_force_exit(code);
#else
    std::exit(code);
#endif
}

void fail(const std::string& message) {
    std::fprintf(stderr, "dx_saliency_bench: %s\n", message.c_str());
    finish(2);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

void report(const Bench& b) {
    for (const Setting& s : b.settings) {
        nlohmann::json j = {{"case", "heatmap"},
                            {"settings", s.name},
                            {"grid", s.options.grid},
                            {"patch_cells", s.options.patchCells},
                            {"batch", s.options.batchSize},
                            {"occluded_inputs", s.inputs},
                            {"backend_calls", s.calls},
                            {"ms", s.ms},
                            {"median_ms", median(s.ms)},
                            {"cpu_ms", s.cpu},
                            {"median_cpu_ms", median(s.cpu)}};
        std::printf("%s\n", j.dump().c_str());
    }
    const double old = median(b.settings[0].ms), oldCpu = median(b.settings[0].cpu);
    nlohmann::json ratio = {{"case", "ratio"},
                            {"new_over_old", old > 0 ? median(b.settings[1].ms) / old : 0.0},
                            {"new_over_old_cpu", oldCpu > 0 ? median(b.settings[1].cpu) / oldCpu : 0.0}};
    std::printf("%s\n", ratio.dump().c_str());
    std::fflush(stdout);
}

// One heatmap after another, each started from the previous one's callback (the WASM backend answers later,
// from the event loop).
void next(std::shared_ptr<Bench> b) {
    const int n = int(b->settings.size());
    if (b->step >= n * (b->rounds + 1)) {
        report(*b);
        dx::closeModelSession(b->session);
        return finish(0);
    }
    const bool warmUp = b->step < n;
    Setting& s = b->settings[size_t(b->step % n)];
    b->step++;
    const double cpuStart = cpuMs();
    dx::OcclusionSaliency::start(b->session, b->analysis.input, b->placement, b->label, s.options, nullptr,
                                 [b, &s, warmUp, cpuStart](dx::Result<dx::SaliencyMap> map) {
                                     if (!map) return fail(map.error().message);
                                     if (!warmUp) {
                                         s.ms.push_back(map->elapsedMs);
                                         s.cpu.push_back(cpuMs() - cpuStart);
                                     }
                                     s.calls = map->backendCalls;
                                     s.inputs = map->occludedInputs;
                                     next(b);
                                 });
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5 && argc != 8) {
        std::fprintf(stderr, "usage: dx_saliency_bench MODEL_DIR IMAGE LABEL [ROUNDS] [GRID PATCH BATCH]\n");
        return 2;
    }
    auto b = std::make_shared<Bench>();
    b->label = argv[3];
    if (argc >= 5) b->rounds = std::max(1, std::atoi(argv[4]));
    dx::SaliencyOptions old;
    old.grid = 8;
    old.patchCells = 2;
    old.batchSize = 16;
    dx::SaliencyOptions shipped;
    if (argc == 8) {
        shipped.grid = std::atoi(argv[5]);
        shipped.patchCells = std::atoi(argv[6]);
        shipped.batchSize = std::atoi(argv[7]);
    }
    b->settings = {{"old", old, {}}, {"new", shipped, {}}};

    const dx::DecodeImage decode = [](const dx::Bytes& bytes, const std::string&) {
        return dx::decodeImage(bytes);
    };
    dx::Result<dx::ModelPackage> package = dx::readModelPackage(dx::packageFolderReader(argv[1]), decode);
    if (!package) return fail(std::string(argv[1]) + ": " + package.error().message), 2;
    dx::Result<dx::Bytes> bytes = dx::readFileBytes(argv[2]);
    if (!bytes) return fail(bytes.error().message), 2;
    const double t0 = dx::monotonicMs();
    auto image = std::make_shared<dx::Result<dx::Image>>(dx::decodeImage(*bytes));
    const double decodeMs = dx::monotonicMs() - t0;
    if (!*image) return fail(std::string(argv[2]) + ": " + (*image).error().message), 2;

#ifdef __EMSCRIPTEN__
    b->backend = std::make_unique<dx::web::OrtWebBackend>("wasm");
#else
    dx::OrtCpuOptions options;
    options.intraOpThreads = 1; // as ORT Web's WASM backend in a page that is not cross-origin isolated
    dx::Result<std::unique_ptr<dx::OrtCpuBackend>> cpu = dx::OrtCpuBackend::create(options);
    if (!cpu) return fail(cpu.error().message), 2;
    b->backend = std::move(*cpu);
#endif
    dx::openModelSession(
        *b->backend, std::make_shared<const dx::ModelPackage>(std::move(*package)),
        [b, image, decodeMs](dx::Result<dx::ModelSession> session) {
            if (!session) return fail(session.error().message);
            b->session = std::move(*session);
            const dx::Image& img = **image;
            dx::analyzeImage(b->session, "bench", img, decodeMs, [b, &img](dx::Result<dx::AnalysisResult> r) {
                if (!r) return fail(r.error().message);
                b->analysis = std::move(*r);
                const dx::ModelInputSpec& in = b->session.package->manifest.input;
                b->placement = dx::computePlacement(img.width, img.height, in.width, in.height, in.resize);
                nlohmann::json setup = {{"case", "setup"},
                                        {"backend", b->backend->capabilities().description},
                                        {"image", {img.width, img.height}},
                                        {"model_input", {in.width, in.height}},
                                        {"decode_ms", b->analysis.timingsMs.decode},
                                        {"preprocess_ms", b->analysis.timingsMs.preprocess},
                                        {"inference_ms", b->analysis.timingsMs.inference}};
                std::printf("%s\n", setup.dump().c_str());
                std::fflush(stdout);
                next(b);
            });
        });
    return 0;
}
