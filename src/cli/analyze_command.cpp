// analyze_command.cpp — argument parsing, package folder reading and the output files of `dxlens analyze`.
// Everything between the bytes and the JSON line is src/core (the pipeline the browser runs too).
#include "cli/analyze_command.h"

#include "cli/archive_run.h"
#include "cli/http_fetch.h"
#include "core/base/build_info.h"
#include "core/base/file_io.h"
#include "core/codecs/raster_encoder.h"
#include "core/inference/analysis_json.h"
#include "core/inference/inference.h"
#include "core/inference/saliency.h"
#include "core/intake/image_decoder.h"
#include "core/report/dicom_results.h"
#include "core/screening/cpu_budget.h"
#include "core/tabular/feature_table.h"
#include "core/tabular/tabular_attribution.h"
#include "platform/native/ort_cpu_backend.h"

#include <nlohmann/json.hpp>

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace dx {

// One literal per line of the help text, as it prints; clang-format would split the long ones.
// clang-format off
const char* analyzeUsage() {
    return "usage: dxlens analyze --model DIR [--backend cpu] [--threads N] [--mask-out DIR] [--table rows.csv]\n"
           "                      [--dump-input DIR] [--no-outputs] [--session-info] [--contributions]\n"
           "                      [--population in] [--dicom-out DIR [--identifiers]] FILE...\n"
           "       dxlens analyze --model DIR --list FILES.txt --out OUTDIR [--shard I/N | auto | auto/N] [options]\n"
           "  Runs the model package in DIR (manifest.json, model.onnx, reference/) on each FILE (PNG, JPEG,\n"
           "  DICOM, ...) or on each row of rows.csv (tabular models) and prints one JSON object per input.\n"
           "  A FILE (or list line) may be a DICOMweb WADO-RS instance URL, http(s)://HOST[:PORT]/ROOT/studies/\n"
           "  UID/series/UID/instances/UID: the instance is retrieved and analyzed as its file would be; the\n"
           "  token in DXLENS_ARCHIVE_TOKEN, when set, is sent as a bearer token (DXLENS_ARCHIVE_CA_FILE: a PEM\n"
           "  CA bundle for an archive whose HTTPS certificate the hospital signs itself)\n"
           "  --list FILES.txt  the inputs, one path or URL per line ('#' comments): one task of an archive run\n"
           "                    writes OUTDIR/shard-IIII-of-NNNN.jsonl, a header line then one line per input\n"
           "                    (errors too), each written as soon as it is done; run again, it skips inputs done\n"
           "  --shard I/N       task I of N (from 0) takes inputs I, I+N, I+2N, ... of the list (default 0/1)\n"
           "  --shard auto      the task of a Slurm job array (SLURM_ARRAY_TASK_ID/_MIN/_MAX/_STEP/_COUNT)\n"
           "  --shard auto/N    a Kubernetes Indexed Job of N completions (JOB_COMPLETION_INDEX), or Slurm\n"
           "                    Then: dxlens merge OUTDIR [--labels labels.csv] [--out report.html]\n"
           "  --mask-out DIR    segmentation: write DIR/<input stem>.png, the label mask at the input's size\n"
           "  --dicom-out DIR   write DIR/<stem>.sr.dcm, the result as a DICOM SR (TID 1500 Measurement Report),\n"
           "                    and for segmentation models DIR/<stem>.seg.dcm, a binary DICOM Segmentation;\n"
           "                    both refer to a DICOM input's study, series and image (new UIDs otherwise)\n"
           "  --identifiers     with --dicom-out: copy the patient's name, ID, birth date and the study's\n"
           "                    dates and accession number from the input (left out by default, as in the app)\n"
           "  --dump-input DIR  write the model input tensor: DIR/<stem>.input.f32 (float32 LE) + .input.json\n"
           "  --no-outputs      leave raw outputs out of the JSON (\"outputs\": {})\n"
           "  --session-info    print the session (backend, load and self-test times) as JSON on stderr\n"
           "  --contributions   tabular rows: add \"contributions\", each feature set to its training mean\n"
           "                    in turn and the change in the decision label's probability, largest first\n"
           "  --heatmap LABEL   images: add \"heatmap\", the occlusion heatmap for LABEL as the app computes\n"
           "                    it (see core/inference/saliency.h): grid, backend calls, time, and the share\n"
           "                    of the map's positive mass in each image quarter\n"
           "  --heatmap-out DIR with --heatmap: write DIR/<stem>.heatmap.f32 (float32 LE, image width x height,\n"
           "                    row by row), the map at the image's pixels as the overlay draws it\n"
           "  --heatmap-grid N, --heatmap-patch N  cells per side and patch size in cells (default 16, 3)\n"
           "  --population in   the user confirms every input's patient is in the model's intended population:\n"
           "                    \"unverified\" results (no age in the file, PNG, JPEG, table rows) become \"in\",\n"
           "                    \"population confirmed by the user\"; a header that says \"out\" stays \"out\"\n"
           "  --threads N       ONNX Runtime intra-op threads (default: the CPUs this process may use:\n"
           "                    SLURM_CPUS_PER_TASK, the cgroup CPU quota, the affinity mask, the smallest)\n"
           "  --read-ahead N    with --list: threads that read, decode and preprocess the next inputs while\n"
           "                    the model runs (default: the same CPU count, at most 8; they sleep when ahead)\n"
           "  Backend 'cpu': ONNX Runtime's CPU library from onnxruntime-node (npm install at the repository\n"
           "  root), or the libonnxruntime.so.1 named by DXLENS_ORT_LIBRARY. Errors: one line, exit code 2.\n";
}
// clang-format on

namespace {

struct AnalyzeArgs {
    std::string modelDir;
    std::string backend = "cpu";
    int threads = 0;
    int readAhead = 0;
    std::string maskOut;
    std::string dicomOut;
    bool dicomIdentifiers = false;
    std::string table;
    std::string dumpInput;
    bool includeOutputs = true;
    bool sessionInfo = false;
    bool contributions = false;
    std::string list;
    std::string out;
    std::string shard;
    std::string heatmapLabel;
    std::string heatmapOut;
    SaliencyOptions heatmap;
    bool populationConfirmed = false;
    std::vector<std::string> files;
};

// The intake decoder (DICOM, PNG, JPEG, ...), the same one the browser uses.
Result<Image> decodeForAnalysis(const Bytes& bytes, const std::string&) {
    return decodeImage(bytes);
}

int fail(const std::string& message) {
    std::fprintf(stderr, "dxlens analyze: %s\n", message.c_str());
    return 2;
}

std::string firstLineOf(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// What limits this process's CPUs: its affinity mask and its cgroup's quota (v2, else v1).
CpuLimits processCpuLimits() {
    CpuLimits limits;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) limits.affinity = CPU_COUNT(&set);
    limits.cgroupCpuMax = firstLineOf("/sys/fs/cgroup/cpu.max");
    limits.cgroupV1Quota = firstLineOf("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    limits.cgroupV1Period = firstLineOf("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    return limits;
}

Result<AnalyzeArgs> parseArgs(int argc, char** argv) {
    AnalyzeArgs a;
    for (int i = 0; i < argc; i++) {
        std::string arg = argv[i];
        auto value = [&](std::string* out) -> bool {
            if (i + 1 >= argc) return false;
            *out = argv[++i];
            return true;
        };
        bool ok = true;
        if (arg == "--model")
            ok = value(&a.modelDir);
        else if (arg == "--backend")
            ok = value(&a.backend);
        else if (arg == "--mask-out")
            ok = value(&a.maskOut);
        else if (arg == "--dicom-out")
            ok = value(&a.dicomOut);
        else if (arg == "--identifiers")
            a.dicomIdentifiers = true;
        else if (arg == "--table")
            ok = value(&a.table);
        else if (arg == "--dump-input")
            ok = value(&a.dumpInput);
        else if (arg == "--list")
            ok = value(&a.list);
        else if (arg == "--out")
            ok = value(&a.out);
        else if (arg == "--shard")
            ok = value(&a.shard);
        else if (arg == "--no-outputs")
            a.includeOutputs = false;
        else if (arg == "--session-info")
            a.sessionInfo = true;
        else if (arg == "--contributions")
            a.contributions = true;
        else if (arg == "--heatmap")
            ok = value(&a.heatmapLabel);
        else if (arg == "--heatmap-out")
            ok = value(&a.heatmapOut);
        else if (arg == "--heatmap-grid" || arg == "--heatmap-patch") {
            std::string n;
            ok = value(&n);
            double v = 0;
            if (ok && (!parseDecimal(n, &v) || v < 1 || v > 256 || v != int(v)))
                return Error(arg + " wants a whole number from 1 to 256, got '" + n + "'");
            (arg == "--heatmap-grid" ? a.heatmap.grid : a.heatmap.patchCells) = int(v);
        } else if (arg == "--population") {
            std::string v;
            ok = value(&v);
            if (ok && v != "in")
                return Error(
                    "--population takes 'in' (the patient is in the model's intended population), got '" + v +
                    "'");
            a.populationConfirmed = ok;
        } else if (arg == "--threads" || arg == "--read-ahead") {
            std::string n;
            ok = value(&n);
            double v = 0;
            if (ok && (!parseDecimal(n, &v) || v < 0 || v > 256 || v != int(v)))
                return Error(arg + " wants a whole number from 0 to 256, got '" + n + "'");
            (arg == "--threads" ? a.threads : a.readAhead) = int(v);
        } else if (arg.rfind("--", 0) == 0)
            return Error("unknown option " + arg + " (try dxlens analyze --help)");
        else
            a.files.push_back(arg);
        if (!ok) return Error(arg + " needs a value");
    }
    if (a.modelDir.empty()) return Error("--model <package folder> is required");
    if (a.backend != "cpu")
        return Error("backend '" + a.backend +
                     "' is not available in the native CLI (it has 'cpu'; WebGPU and WASM "
                     "run in the browser)");
    if (!a.heatmapOut.empty() && a.heatmapLabel.empty()) return Error("--heatmap-out needs --heatmap LABEL");
    if (!a.list.empty() && !a.heatmapLabel.empty())
        return Error("--heatmap is for FILE arguments; an archive run (--list) writes only its shard file");
    if (!a.list.empty() && (!a.files.empty() || !a.table.empty()))
        return Error("--list takes the inputs from its file: give no FILE arguments or --table with it");
    if (!a.list.empty() && (!a.maskOut.empty() || !a.dumpInput.empty() || !a.dicomOut.empty()))
        return Error(
            "--mask-out, --dicom-out and --dump-input write files per FILE argument; an archive run (--list) "
            "writes only its shard file");
    if (a.dicomIdentifiers && a.dicomOut.empty()) return Error("--identifiers goes with --dicom-out DIR");
    if (!a.dicomOut.empty() && !a.table.empty())
        return Error("--dicom-out writes results about images; table rows (--table) have none");
    if (!a.list.empty() && a.out.empty())
        return Error("--list needs --out OUTDIR, the folder its shard file is written to");
    if (a.list.empty() && a.readAhead) return Error("--read-ahead goes with --list FILES.txt");
    if (a.list.empty() && (!a.out.empty() || !a.shard.empty()))
        return Error(std::string(a.out.empty() ? "--shard" : "--out") + " goes with --list FILES.txt");
    if (a.files.empty() && a.table.empty() && a.list.empty())
        return Error("nothing to analyze: give image files, --list FILES.txt or --table rows.csv");
    return a;
}

// DIR/<stem>.input.f32 (raw float32, little endian as on every platform DxLens runs on) and DIR/<stem>.input.json.
Status dumpInput(const fs::path& dir, const std::string& stem, const AnalysisResult& r) {
    const Tensor& t = r.input.tensor;
    Status s =
        writeFileBytes((dir / (stem + ".input.f32")).string(), t.data.data(), t.data.size() * sizeof(float));
    if (!s) return s;
    nlohmann::json meta = {{"file", r.file}, {"name", r.input.name}, {"shape", t.shape}};
    std::string text = meta.dump() + "\n";
    return writeFileBytes((dir / (stem + ".input.json")).string(), text.data(), text.size());
}

Status writeMask(const fs::path& dir, const std::string& stem, const SegmentationMask& mask) {
    std::vector<uint8_t> grey = maskGreyValues(mask);
    Result<Bytes> png = encodePng(mask.width, mask.height, 1, grey.data());
    if (!png) return png.error();
    return writeFileBytes((dir / (stem + ".png")).string(), png->data(), png->size());
}

// DIR/<stem>.sr.dcm and, for a segmentation, DIR/<stem>.seg.dcm (core/report/dicom_results.h).
Status writeDicomResults(const AnalyzeArgs& a, const std::string& stem, const AnalysisResult& r,
                         const ModelManifest& manifest, const Image& image) {
    ReportItem item;
    item.result = &r;
    item.manifest = &manifest;
    item.metadata = image.metadata;
    item.pixelSpacingRow = image.pixelSpacingRow;
    item.pixelSpacingCol = image.pixelSpacingCol;
    DicomResultOptions options;
    options.includeIdentifiers = a.dicomIdentifiers;
    Result<Bytes> sr = writeDicomSr(item, options);
    if (!sr) return Error(r.file + ": " + sr.error().message);
    const fs::path dir(a.dicomOut);
    Status written = writeFileBytes((dir / (stem + ".sr.dcm")).string(), sr->data(), sr->size());
    if (!written || !hasDicomSegmentation(item)) return written;
    Result<Bytes> seg = writeDicomSeg(item, options);
    if (!seg) return Error(r.file + ": " + seg.error().message);
    return writeFileBytes((dir / (stem + ".seg.dcm")).string(), seg->data(), seg->size());
}

// The map at every image pixel, as the overlay samples it (app/overlays.cpp draws the same values, scaled).
std::vector<float> heatmapAtImagePixels(const SaliencyMap& map) {
    const int w = map.placement.imageWidth, h = map.placement.imageHeight; // computePlacement fills these
    std::vector<float> values(size_t(w) * size_t(h));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            values[size_t(y) * w + x] = map.smoothAtImagePixel(x, y);
    return values;
}

// `"heatmap": {...}` for the result line; quarters: the share of positive mass in each image quarter, a
// coarse check that needs no file.
std::string heatmapJson(const SaliencyMap& map, const std::vector<float>& values,
                        const SaliencyOptions& options) {
    const int w = map.placement.imageWidth, h = map.placement.imageHeight;
    double quarters[4] = {0, 0, 0, 0}, total = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const double v = std::max(0.0f, values[size_t(y) * w + x]);
            quarters[(y >= h / 2 ? 2 : 0) + (x >= w / 2 ? 1 : 0)] += v;
            total += v;
        }
    nlohmann::json q = nlohmann::json::array();
    for (double v : quarters)
        q.push_back(total > 0 ? v / total : 0.0);
    nlohmann::json j = {{"label", map.label},
                        {"baseline_score", map.baselineScore},
                        {"grid", map.grid},
                        {"patch_cells", options.patchCells},
                        {"occluded_inputs", map.occludedInputs},
                        {"backend_calls", map.backendCalls},
                        {"elapsed_ms", map.elapsedMs},
                        {"width", w},
                        {"height", h},
                        {"quarters", q}};
    return "\"heatmap\":" + j.dump();
}

Status makeDir(const std::string& dir) {
    std::error_code ec;
    if (!dir.empty()) fs::create_directories(dir, ec);
    if (ec) return Error(dir + ": " + ec.message());
    return {};
}

// Prints the result line and writes the requested files; false when something failed (already reported).
// `extraFields`: more `"key": value` pairs for the result object (empty for none).
bool emit(const AnalyzeArgs& a, const std::string& stem, Result<AnalysisResult>& r,
          const std::string& extraFields = {}) {
    if (!r) {
        fail(r.error().message);
        return false;
    }
    if (a.populationConfirmed) confirmPopulation(r->population);
    AnalysisJsonOptions options;
    options.includeOutputs = a.includeOutputs;
    std::string line = analysisResultJson(*r, options);
    // Appended as text so the result's own fields keep their exact float formatting.
    if (!extraFields.empty() && !line.empty() && line.back() == '}')
        line.insert(line.size() - 1, "," + extraFields);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    Status written;
    if (!a.dumpInput.empty()) written = dumpInput(a.dumpInput, stem, *r);
    if (written && !a.maskOut.empty() && r->hasMask) written = writeMask(a.maskOut, stem, r->mask);
    if (!written) fail(written.error().message);
    return written.ok();
}

} // namespace

int runAnalyzeCommand(int argc, char** argv) {
    for (int i = 0; i < argc; i++)
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::fputs(analyzeUsage(), stdout);
            return 0;
        }
    Result<AnalyzeArgs> parsed = parseArgs(argc, argv);
    if (!parsed) return fail(parsed.error().message);
    const AnalyzeArgs& a = *parsed;
    for (const std::string& dir : {a.maskOut, a.dumpInput, a.heatmapOut, a.dicomOut}) {
        Status made = makeDir(dir);
        if (!made) return fail(made.error().message);
    }

    std::error_code ec;
    if (!fs::is_directory(a.modelDir, ec)) return fail("model folder '" + a.modelDir + "' does not exist");
    Result<ModelPackage> package = readModelPackage(packageFolderReader(a.modelDir), decodeForAnalysis);
    if (!package) return fail(a.modelDir + ": " + package.error().message);

    // Without --threads: the CPUs the scheduler gave this process (Slurm, cgroup quota, affinity), not the
    // machine's, so that a task on a shared node does not crowd out its neighbours.
    OrtCpuOptions options;
    const CpuBudget budget = cpuBudget(processEnvironment(), processCpuLimits());
    const ArchiveThreads plan = planArchiveThreads(budget.threads, a.threads, a.readAhead);
    options.intraOpThreads = plan.inference;
    if (!a.list.empty())
        std::fprintf(stderr, "dxlens analyze: %d inference thread(s) (%s), %d read-ahead thread(s) (%s)\n",
                     plan.inference, a.threads ? "--threads" : budget.reason.c_str(), plan.prepareWorkers,
                     a.readAhead ? "--read-ahead" : budget.reason.c_str());
    Result<std::unique_ptr<OrtCpuBackend>> backend = OrtCpuBackend::create(options);
    if (!backend) return fail(backend.error().message);

    // The CPU backend is synchronous: every callback below has run when its call returns.
    Result<ModelSession> session = Error("the model session was not opened");
    openModelSession(**backend, std::make_shared<const ModelPackage>(std::move(*package)),
                     [&](Result<ModelSession> s) { session = std::move(s); });
    if (!session) return fail(a.modelDir + ": " + session.error().message);
    if (a.sessionInfo) {
        nlohmann::json info = {{"model", session->package->manifest.id},
                               {"backend", session->backendName},
                               {"description", (*backend)->capabilities().description},
                               {"load_ms", session->loadMs},
                               {"self_test_ms", session->selfTestMs},
                               {"self_test", selfTestStatusName(session->selfTest.status)}};
        std::fprintf(stderr, "%s\n", info.dump().c_str());
    }
    if (session->selfTest.status == SelfTestStatus::Failed)
        return fail(a.modelDir + ": the self-test failed on the " + session->backendName +
                    " backend: " + session->selfTest.message);

    if (!a.list.empty()) {
        ArchiveRunOptions run;
        run.listPath = a.list;
        run.outDir = a.out;
        if (!a.shard.empty()) run.shard = a.shard;
        const ModelManifest& manifest = session->package->manifest;
        run.model.modelId = manifest.id;
        run.model.modelVersion = manifest.version;
        run.model.modelSha256 = manifest.sha256; // checked against the model file when the package was read
        Result<Bytes> manifestText = readFileBytes((fs::path(a.modelDir) / "manifest.json").string());
        if (manifestText) run.model.manifestJson.assign(manifestText->begin(), manifestText->end());
        const BuildInfo& build = buildInfo();
        run.model.software = std::string("dxlens ") + build.version + " (" + build.commit + ")";
        AnalysisJsonOptions json;
        json.includeOutputs = a.includeOutputs;
        run.prepareWorkers = plan.prepareWorkers;
        const ModelSession& model = *session;
        const int code = runArchiveShard(
            run,
            // On the read-ahead workers: the decoded image lives only here; what waits for the model is its
            // input tensor (model-sized, not image-sized).
            [&model](const std::string& path) -> Result<PreparedImageAnalysis> {
                const double start = monotonicMs();
                Result<Bytes> bytes = readInput(path); // a file, or a DICOMweb instance URL
                if (!bytes) return bytes.error();
                Result<Image> image = decodeForAnalysis(*bytes, path);
                if (!image) return Error(path + ": " + image.error().message);
                return prepareImageAnalysis(model, path, *image, monotonicMs() - start);
            },
            [&](PreparedImageAnalysis prepared) -> Result<AnalysisResult> {
                Result<AnalysisResult> result = Error("no result");
                runPreparedAnalysis(*session, std::move(prepared),
                                    [&](Result<AnalysisResult> r) { result = std::move(r); });
                if (result && a.populationConfirmed) confirmPopulation(result->population);
                return result;
            },
            [&](const AnalysisResult& r) { return analysisResultJson(r, json); });
        closeModelSession(*session);
        return code;
    }

    bool allOk = true;
    std::map<std::string, int>
        stemUses; // a stem seen before gets "-2", "-3", ...: no output file is overwritten
    for (const std::string& file : a.files) {
        Result<AnalysisResult> result = Error("no result");
        Result<Bytes> bytes = readInput(file);
        // Decoded here rather than in analyzeImageBytes: the heatmap needs the image's size for its placement.
        const double decodeStart = monotonicMs();
        Result<Image> image = bytes ? decodeForAnalysis(*bytes, file) : Result<Image>(bytes.error());
        if (!bytes)
            result = bytes.error();
        else if (!image)
            result = Error(file + ": " + image.error().message);
        else
            analyzeImage(*session, file, *image, monotonicMs() - decodeStart,
                         [&](Result<AnalysisResult> r) { result = std::move(r); });
        std::string stem = inputStem(file);
        int uses = ++stemUses[stem];
        if (uses > 1) stem += "-" + std::to_string(uses);
        std::string heatmap;
        if (result && !a.heatmapLabel.empty()) {
            const ModelInputSpec& in = session->package->manifest.input;
            const Placement placement =
                computePlacement(image->width, image->height, in.width, in.height, in.resize);
            Result<SaliencyMap> map = Error("no heatmap");
            OcclusionSaliency::start(*session, result->input, placement, a.heatmapLabel, a.heatmap, nullptr,
                                     [&](Result<SaliencyMap> m) { map = std::move(m); });
            if (!map) {
                result = Error(file + ": " + map.error().message);
            } else {
                std::vector<float> values = heatmapAtImagePixels(*map);
                heatmap = heatmapJson(*map, values, a.heatmap);
                if (!a.heatmapOut.empty()) {
                    Status written =
                        writeFileBytes((fs::path(a.heatmapOut) / (stem + ".heatmap.f32")).string(),
                                       values.data(), values.size() * sizeof(float));
                    if (!written) result = Error(written.error().message);
                }
            }
        }
        // Written after the result line, from the same result (with --population in applied by emit).
        const bool emitted = emit(a, stem, result, heatmap);
        if (emitted && !a.dicomOut.empty()) {
            Status written = writeDicomResults(a, stem, *result, session->package->manifest, *image);
            if (!written) fail(written.error().message);
            allOk = allOk && written.ok();
        }
        allOk = emitted && allOk;
    }
    if (!a.table.empty()) {
        Result<Bytes> text = readFileBytes(a.table);
        if (!text) return fail(text.error().message);
        Result<std::vector<FeatureRow>> rows = parseFeatureCsv(std::string(text->begin(), text->end()));
        if (!rows) return fail(a.table + ": " + rows.error().message);
        for (size_t i = 0; i < rows->size(); i++) {
            const FeatureRow& row = (*rows)[i];
            Result<AnalysisResult> result = Error("no result");
            analyzeFeatures(*session, row.name, row.values,
                            [&](Result<AnalysisResult> r) { result = std::move(r); });
            std::string contributions;
            if (result && a.contributions) {
                Result<FeatureAttribution> attribution = Error("no contributions");
                attributeFeatures(*session, result->input.tensor, attributionLabel(result->findings),
                                  [&](Result<FeatureAttribution> f) { attribution = std::move(f); });
                if (!attribution)
                    result = Error(row.name + ": " + attribution.error().message);
                else
                    contributions = "\"contributions\":" + featureAttributionJson(*attribution);
            }
            allOk = emit(a, "row-" + std::to_string(i + 1), result, contributions) && allOk;
        }
    }
    closeModelSession(*session);
    return allOk ? 0 : 2;
}

} // namespace dx
