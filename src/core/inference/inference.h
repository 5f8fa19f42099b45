// inference.h — the one C++ interface to every inference backend, and the pipeline that runs a model package
// from bytes to findings the same way in the browser and in the CLI.
//
// How to use (the same code works for a synchronous backend and for an asynchronous one):
//   dx::Result<dx::ModelPackage> pkg = dx::readModelPackage(readFile, decode);     // manifest + sha256 + reference
//   dx::openModelSession(backend, share(*pkg), [&](dx::Result<dx::ModelSession> s) {
//       // s->selfTest says whether this backend reproduced the package's reference outputs
//       dx::analyzeImageBytes(*s, "chest.png", bytes, decode, [&](dx::Result<dx::AnalysisResult> r) {
//           puts(dx::analysisResultJson(*r).c_str());
//       });
//   });
//   // or dx::openModelSessionWithFallback({&webgpu, &wasm}, pkg, ...) to move on when a backend fails its self-test.
//
// Backend contract (src/platform/native: ONNX Runtime C API; src/platform/web: ONNX Runtime Web via the JS bridge):
//   - load(model bytes, manifest, done) and run(session, inputs, done) *submit* work and call `done` exactly once,
//     either before returning (a synchronous backend) or later on the main thread (the browser, when ORT's
//     promise resolves). Nothing in the pipeline waits or polls: each step continues in the previous step's callback.
//   - run() receives float32 tensors and returns every model output *raw* (before any activation) as float32;
//     activations, thresholds and masks are applied by the pipeline (postprocess.h), identically on every backend.
//   - Errors are Result errors with a readable message (ORT's own text is fine); the session stays usable.
//   - release(session) frees it; a handle is never reused while alive. A run still in flight when its session
//     is released must still call its `done` (with its result or an error).
//   - The pipeline's callbacks keep what they need (the package, by shared_ptr): a ModelSession may be copied
//     or destroyed while an analysis started from it is in flight, as long as its backend object lives.
#pragma once

#include "core/base/bytes.h"
#include "core/base/file_io.h"
#include "core/base/result.h"
#include "core/image/image.h"
#include "core/inference/model_manifest.h"
#include "core/inference/population.h"
#include "core/inference/postprocess.h"
#include "core/inference/preprocess.h"
#include "core/inference/tensor.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dx {

// ---------------------------------------------------------------------------------------------- backend interface

struct TensorInfo {
    std::string name;
    Shape shape;             // -1 for a dynamic dimension
    std::string elementType; // "float32", "int64", ... (ONNX names)
};

struct SessionInfo {
    std::vector<TensorInfo> inputs;
    std::vector<TensorInfo> outputs;
};

using SessionHandle = uint32_t; // 0 is never a valid session

struct LoadedSession {
    SessionHandle handle = 0;
    SessionInfo info;
};

struct BackendCapabilities {
    std::string name;        // short id recorded in results: "cpu", "webgpu", "wasm"
    std::string description; // for people: runtime, version, threads, device
    bool gpu = false;
    int threads = 1;
};

using LoadCallback = std::function<void(Result<LoadedSession>)>;
using RunCallback = std::function<void(Result<std::vector<NamedTensor>>)>;

class InferenceBackend {
public:
    virtual ~InferenceBackend() = default;
    virtual BackendCapabilities capabilities() const = 0;
    virtual void load(const Bytes& modelBytes, const ModelManifest& manifest, LoadCallback done) = 0;
    virtual void run(SessionHandle session, std::vector<NamedTensor> inputs, RunCallback done) = 0;
    virtual void release(SessionHandle session) = 0;
};

// ---------------------------------------------------------------------------------------------- model packages

// Decodes image file bytes (PNG, JPEG, DICOM, ...); the name is for messages and format hints.
using DecodeImage = std::function<Result<Image>(const Bytes& bytes, const std::string& name)>;

struct ModelPackage {
    ModelManifest manifest;
    Bytes model; // verified: its SHA-256 equals manifest.sha256
    bool hasReference = false;
    std::vector<NamedTensor> referenceInputs;  // reference input, preprocessed like any input
    std::vector<NamedTensor> referenceOutputs; // expected raw outputs
};

// manifest.json -> validate -> model file -> sha256 -> reference input (decoded and preprocessed, or tabular
// values) and outputs. Errors name the file and what is wrong with it.
Result<ModelPackage> readModelPackage(const ReadPackageFile& read, const DecodeImage& decode);

// The manifest against what the backend says the model really has. A mismatch names both sides, e.g.
// "manifest.json says input 'image' is [1, 3, 224, 224] but model.onnx's input 'image' is [?, 1, 224, 224]".
Status checkSessionAgainstManifest(const SessionInfo& info, const ModelManifest& manifest);

// ---------------------------------------------------------------------------------------------- self-test

enum class SelfTestStatus { Skipped, Passed, Failed };
const char* selfTestStatusName(SelfTestStatus s);

struct SelfTestReport {
    SelfTestStatus status = SelfTestStatus::Skipped;
    double maxAbsDiff = 0.0;
    double tolerance = 0.0;
    std::string message; // what failed (or why skipped), for people
};

// Passes when every expected output is present with the same shape and |actual - expected| <= tolerance *
// max(1, |expected|) element-wise (absolute near zero, relative for large logits).
SelfTestReport compareWithReference(const std::vector<NamedTensor>& expected,
                                    const std::vector<NamedTensor>& actual, double tolerance);

// ---------------------------------------------------------------------------------------------- sessions

struct ModelSession {
    InferenceBackend* backend = nullptr;
    std::string backendName;
    SessionHandle handle = 0;
    SessionInfo info;
    std::shared_ptr<const ModelPackage> package;
    SelfTestReport selfTest;
    double loadMs = 0.0;     // session creation
    double selfTestMs = 0.0; // the reference run (the first run: includes warm-up such as shader compilation)
    std::vector<std::string> fallbackNotes; // backends tried before this one and why they were not used
};

using SessionCallback = std::function<void(Result<ModelSession>)>;

// load -> manifest check -> self-test run. A failed self-test still yields the session (selfTest.status ==
// Failed, with the reason); the caller decides. Load errors and manifest mismatches are errors.
void openModelSession(InferenceBackend& backend, std::shared_ptr<const ModelPackage> package,
                      SessionCallback done);

// Tries each backend in order; one that fails to load, mismatches the manifest or fails its self-test is
// released and the next is tried. The chosen session lists the skipped backends and why in fallbackNotes. If
// none passes, the error lists every backend's reason.
void openModelSessionWithFallback(std::vector<InferenceBackend*> backends,
                                  std::shared_ptr<const ModelPackage> package, SessionCallback done);

void closeModelSession(ModelSession& session);

// ---------------------------------------------------------------------------------------------- analysis

struct AnalysisTimings {
    double decode = 0.0;
    double preprocess = 0.0;
    double inference = 0.0;
    double postprocess = 0.0;
};

struct AnalysisResult {
    std::string file;  // input file name (or "row N" for tabular rows)
    std::string model; // manifest id
    std::string backend;
    SelfTestReport selfTest;
    std::vector<Finding> findings;
    std::vector<NamedTensor> outputs; // raw outputs
    OodVerdict ood;
    PopulationVerdict population; // is the study in the model's intended population (population.h)
    bool hasMask = false;
    SegmentationMask mask; // at the input image's resolution
    NamedTensor input;     // the tensor the model was fed (for --dump-input and audits)
    AnalysisTimings timingsMs;
};

using AnalysisCallback = std::function<void(Result<AnalysisResult>)>;

void analyzeImageBytes(const ModelSession& session, const std::string& fileName, const Bytes& bytes,
                       const DecodeImage& decode, AnalysisCallback done);
void analyzeImage(const ModelSession& session, const std::string& fileName, const Image& image,
                  double decodeMs, AnalysisCallback done);
void analyzeFeatures(const ModelSession& session, const std::string& rowName, const FeatureValues& values,
                     AnalysisCallback done);

// An image analysis in two steps, for a caller that prepares inputs on other threads than the one running the
// model (the CLI's archive run decodes and preprocesses on worker threads while ONNX Runtime runs):
// prepareImageAnalysis only reads the session (safe on any thread while the session lives) and turns a decoded
// image into the model input, its population verdict and where it went in the input; runPreparedAnalysis
// submits that to the backend. analyzeImage is the two in a row.
struct PreparedImageAnalysis {
    AnalysisResult result; // file, model, backend, input tensor, population, decode and preprocess timings
    Placement placement;   // where the image went in the model input (masks are mapped back through it)
    double spacingRow = 0.0, spacingCol = 0.0;
};
Result<PreparedImageAnalysis> prepareImageAnalysis(const ModelSession& session, const std::string& fileName,
                                                   const Image& image, double decodeMs);
void runPreparedAnalysis(const ModelSession& session, PreparedImageAnalysis prepared, AnalysisCallback done);

double monotonicMs(); // steady clock in milliseconds, for timings

} // namespace dx
