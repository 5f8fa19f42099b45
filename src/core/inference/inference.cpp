// inference.cpp — model packages, the manifest-vs-model check, the self-test and the analysis pipeline. Every
// asynchronous step continues in the callback of the one before, so the browser never blocks (inference.h).
#include "core/inference/inference.h"

#include "core/base/sha256.h"
#include "core/inference/analysis_json.h"

#include <chrono>
#include <cmath>

namespace dx {

double monotonicMs() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

static std::string asText(const Bytes& bytes) {
    return std::string(bytes.begin(), bytes.end());
}

// ---------------------------------------------------------------------------------------------- packages

Result<ModelPackage> readModelPackage(const ReadPackageFile& read, const DecodeImage& decode) {
    Result<Bytes> manifestBytes = read("manifest.json");
    if (!manifestBytes) return manifestBytes.error();
    Result<ModelManifest> manifest = parseModelManifest(asText(*manifestBytes));
    if (!manifest) return manifest.error();

    ModelPackage pkg;
    pkg.manifest = std::move(*manifest);
    const ModelManifest& m = pkg.manifest;
    Result<Bytes> model = read(m.file);
    if (!model) return model.error();
    if (model->empty()) return Error(m.file + " is empty.");
    std::string digest = sha256Hex(model->data(), model->size());
    if (digest != m.sha256)
        return Error(m.file + " does not match manifest.json's sha256 (manifest " + m.sha256.substr(0, 12) +
                     "..., file " + digest.substr(0, 12) +
                     "...): the file is damaged or not the model the manifest " + "describes.");
    pkg.model = std::move(*model);
    if (!m.hasReference) return pkg;

    Result<Bytes> expected = read(m.reference.outputs);
    if (!expected) return expected.error();
    Result<std::vector<NamedTensor>> outputs = parseNamedTensorsJson(asText(*expected), m.reference.outputs);
    if (!outputs) return outputs.error();
    pkg.referenceOutputs = std::move(*outputs);

    Result<Bytes> input = read(m.reference.input);
    if (!input) return input.error();
    if (m.task == ModelTask::Tabular) {
        Result<FeatureValues> values = parseFeatureValuesJson(asText(*input), m.reference.input);
        if (!values) return values.error();
        Result<Tensor> tensor = buildTabularInput(*values, m.input);
        if (!tensor) return Error(m.reference.input + ": " + tensor.error().message);
        pkg.referenceInputs.push_back({m.input.name, std::move(*tensor)});
    } else {
        Result<Image> image = decode(*input, m.reference.input);
        if (!image) return Error(m.reference.input + ": " + image.error().message);
        Result<PreparedInput> prepared = preprocessImage(*image, m.input);
        if (!prepared) return Error(m.reference.input + ": " + prepared.error().message);
        pkg.referenceInputs.push_back({m.input.name, std::move(prepared->tensor)});
    }
    pkg.hasReference = true;
    return pkg;
}

// ---------------------------------------------------------------------------------------------- manifest check

static std::string namesOf(const std::vector<TensorInfo>& list) {
    std::string s;
    for (const TensorInfo& t : list)
        s += (s.empty() ? "'" : ", '") + t.name + "'";
    return s.empty() ? "(none)" : s;
}

static const TensorInfo* findInfo(const std::vector<TensorInfo>& list, const std::string& name) {
    for (const TensorInfo& t : list)
        if (t.name == name) return &t;
    return nullptr;
}

static Status checkInput(const SessionInfo& info, const ModelManifest& m) {
    const TensorInfo* in = findInfo(info.inputs, m.input.name);
    if (!in)
        return Error("manifest.json names input '" + m.input.name + "' but " + m.file + "'s inputs are " +
                     namesOf(info.inputs) + ".");
    if (info.inputs.size() != 1)
        return Error(m.file + " has " + std::to_string(info.inputs.size()) + " inputs (" +
                     namesOf(info.inputs) + ") but DxLens feeds one, '" + m.input.name + "'.");
    if (in->elementType != "float32")
        return Error(m.file + "'s input '" + in->name + "' is " + in->elementType +
                     " but manifest.json describes float32 (which DxLens feeds).");
    Shape expected = m.task == ModelTask::Tabular ? Shape{1, int64_t(m.input.features.size())}
                                                  : Shape{1, m.input.channels, m.input.height, m.input.width};
    if (!shapeMatches(in->shape, expected))
        return Error("manifest.json says input '" + m.input.name + "' is " + shapeToString(expected) +
                     " but " + m.file + "'s input '" + in->name + "' is " + shapeToString(in->shape) + ".");
    return {};
}

static Status checkOutput(const SessionInfo& info, const ModelManifest& m, const ModelOutputSpec& spec) {
    const TensorInfo* out = findInfo(info.outputs, spec.name);
    if (!out)
        return Error("manifest.json lists output '" + spec.name + "' but " + m.file + "'s outputs are " +
                     namesOf(info.outputs) + ".");
    if (out->elementType != "float32")
        return Error(m.file + "'s output '" + out->name + "' is " + out->elementType +
                     " but DxLens reads float32.");
    const Shape& s = out->shape;
    if (m.task == ModelTask::Segmentation && &spec == &m.outputs[0]) {
        int64_t classes = int64_t(spec.classes.size());
        bool channelsOk = s.size() == 4 && (s[1] < 0 || s[1] == classes || (s[1] == 1 && classes == 2));
        bool sizeOk =
            s.size() == 4 && (s[2] < 0 || s[2] == m.input.height) && (s[3] < 0 || s[3] == m.input.width);
        if (!channelsOk || !sizeOk)
            return Error("manifest.json says output '" + spec.name + "' holds " + std::to_string(classes) +
                         " class scores at " + std::to_string(m.input.height) + "x" +
                         std::to_string(m.input.width) + " ([1, " + std::to_string(classes) + ", " +
                         std::to_string(m.input.height) + ", " + std::to_string(m.input.width) + "]) but " +
                         m.file + "'s output '" + out->name + "' is " + shapeToString(s) + ".");
    } else if (!spec.labels.empty()) {
        bool ok = !s.empty() && (s.back() < 0 || s.back() == int64_t(spec.labels.size()));
        if (!ok)
            return Error("manifest.json gives output '" + spec.name + "' " +
                         std::to_string(spec.labels.size()) + " labels but " + m.file + "'s output '" +
                         out->name + "' is " + shapeToString(s) + ".");
    }
    return {};
}

Status checkSessionAgainstManifest(const SessionInfo& info, const ModelManifest& m) {
    Status in = checkInput(info, m);
    if (!in) return in;
    for (const ModelOutputSpec& spec : m.outputs) {
        Status out = checkOutput(info, m, spec);
        if (!out) return out;
    }
    return {};
}

// ---------------------------------------------------------------------------------------------- self-test

const char* selfTestStatusName(SelfTestStatus s) {
    switch (s) {
    case SelfTestStatus::Skipped:
        return "skipped";
    case SelfTestStatus::Passed:
        return "passed";
    case SelfTestStatus::Failed:
        return "failed";
    }
    return "?";
}

SelfTestReport compareWithReference(const std::vector<NamedTensor>& expected,
                                    const std::vector<NamedTensor>& actual, double tolerance) {
    SelfTestReport r;
    r.tolerance = tolerance;
    r.status = SelfTestStatus::Passed;
    for (const NamedTensor& e : expected) {
        const NamedTensor* a = findTensor(actual, e.name);
        if (!a) {
            r.status = SelfTestStatus::Failed;
            r.message = "the backend returned no output '" + e.name + "'";
            return r;
        }
        if (a->tensor.shape != e.tensor.shape || a->tensor.data.size() != e.tensor.data.size()) {
            r.status = SelfTestStatus::Failed;
            r.message = "output '" + e.name + "' is " + shapeToString(a->tensor.shape) +
                        " but the reference is " + shapeToString(e.tensor.shape);
            return r;
        }
        for (size_t i = 0; i < e.tensor.data.size(); i++) {
            double want = e.tensor.data[i], got = a->tensor.data[i];
            double diff = std::fabs(got - want);
            if (!(diff <= r.maxAbsDiff)) r.maxAbsDiff = std::isnan(diff) ? INFINITY : diff;
            bool within = diff <= tolerance * std::max(1.0, std::fabs(want));
            if (!within && r.status == SelfTestStatus::Passed) {
                char buf[200];
                std::snprintf(buf, sizeof buf,
                              "output '%s'[%zu] is %.7g but the reference is %.7g (tolerance %g)",
                              e.name.c_str(), i, got, want, tolerance);
                r.status = SelfTestStatus::Failed;
                r.message = buf;
            }
        }
    }
    return r;
}

// ---------------------------------------------------------------------------------------------- sessions

void openModelSession(InferenceBackend& backend, std::shared_ptr<const ModelPackage> package,
                      SessionCallback done) {
    InferenceBackend* b = &backend;
    const std::string name = backend.capabilities().name;
    const double loadStart = monotonicMs();
    backend.load(package->model, package->manifest, [=](Result<LoadedSession> loaded) {
        if (!loaded)
            return done(Error("The " + name + " backend could not load " + package->manifest.file + ": " +
                              loaded.error().message));
        ModelSession s;
        s.backend = b;
        s.backendName = name;
        s.handle = loaded->handle;
        s.info = loaded->info;
        s.package = package;
        s.loadMs = monotonicMs() - loadStart;
        Status check = checkSessionAgainstManifest(s.info, package->manifest);
        if (!check) {
            b->release(s.handle);
            return done(check.error());
        }
        if (!package->hasReference) {
            s.selfTest.message = "the package has no reference input";
            return done(std::move(s));
        }
        const double runStart = monotonicMs();
        b->run(s.handle, package->referenceInputs,
               [s, done, runStart](Result<std::vector<NamedTensor>> out) mutable {
                   s.selfTestMs = monotonicMs() - runStart;
                   const ModelPackage& pkg = *s.package;
                   if (!out) {
                       s.selfTest.status = SelfTestStatus::Failed;
                       s.selfTest.tolerance = pkg.manifest.reference.tolerance;
                       s.selfTest.message = "the reference input did not run: " + out.error().message;
                   } else {
                       s.selfTest =
                           compareWithReference(pkg.referenceOutputs, *out, pkg.manifest.reference.tolerance);
                   }
                   done(std::move(s));
               });
    });
}

namespace {
struct FallbackState {
    std::vector<InferenceBackend*> backends;
    std::shared_ptr<const ModelPackage> package;
    SessionCallback done;
    std::vector<std::string> notes;
    size_t next = 0;
};
} // namespace

static void tryNextBackend(std::shared_ptr<FallbackState> st) {
    if (st->next >= st->backends.size()) {
        std::string why;
        for (const std::string& n : st->notes)
            why += (why.empty() ? "" : "; ") + n;
        return st->done(Error("No backend could run " + st->package->manifest.id + ": " + why));
    }
    InferenceBackend* backend = st->backends[st->next++];
    openModelSession(*backend, st->package, [st, backend](Result<ModelSession> s) {
        if (s && s->selfTest.status != SelfTestStatus::Failed) {
            s->fallbackNotes = st->notes;
            return st->done(std::move(s));
        }
        std::string why = s ? "self-test failed: " + s->selfTest.message : s.error().message;
        if (s) closeModelSession(*s);
        st->notes.push_back(backend->capabilities().name + ": " + why);
        tryNextBackend(st);
    });
}

void openModelSessionWithFallback(std::vector<InferenceBackend*> backends,
                                  std::shared_ptr<const ModelPackage> package, SessionCallback done) {
    auto st = std::make_shared<FallbackState>();
    st->backends = std::move(backends);
    st->package = std::move(package);
    st->done = std::move(done);
    tryNextBackend(st);
}

void closeModelSession(ModelSession& session) {
    if (session.backend && session.handle) session.backend->release(session.handle);
    session.handle = 0;
}

// ---------------------------------------------------------------------------------------------- analysis

namespace {
// What postprocessing needs besides the outputs: where the image went in the model input, and its pixel size.
struct ImageFrame {
    bool isImage = false;
    Placement placement;
    double spacingRow = 0.0, spacingCol = 0.0;
};
} // namespace

static AnalysisResult startResult(const ModelSession& s, const std::string& file) {
    AnalysisResult r;
    r.file = file;
    r.model = s.package->manifest.id;
    r.backend = s.backendName;
    r.selfTest = s.selfTest;
    return r;
}

static Status finishAnalysis(const ModelManifest& m, AnalysisResult& r, const ImageFrame& frame) {
    if (m.task == ModelTask::Segmentation) {
        Result<SegmentationMask> mask =
            segmentationMask(m, r.outputs, frame.placement, frame.spacingRow, frame.spacingCol);
        if (!mask) return mask.error();
        r.mask = std::move(*mask);
        r.hasMask = true;
    } else {
        Result<std::vector<Finding>> findings = classificationFindings(m, r.outputs);
        if (!findings) return findings.error();
        r.findings = std::move(*findings);
    }
    Result<OodVerdict> ood = oodVerdict(m, r.outputs);
    if (!ood) return ood.error();
    r.ood = *ood;
    return {};
}

// Submits the prepared input and finishes in the backend's callback.
static void runAndFinish(const ModelSession& s, AnalysisResult r, ImageFrame frame, AnalysisCallback done) {
    std::shared_ptr<const ModelPackage> package = s.package;
    // The result keeps its input (--dump-input, audits), so the backend gets a copy; the result itself is moved
    // into the callback, not copied (it holds the input tensor too).
    std::vector<NamedTensor> inputs{r.input};
    const double runStart = monotonicMs();
    s.backend->run(s.handle, std::move(inputs),
                   [package, r = std::move(r), frame, done = std::move(done),
                    runStart](Result<std::vector<NamedTensor>> out) mutable {
                       r.timingsMs.inference = monotonicMs() - runStart;
                       if (!out) return done(Error(r.file + ": " + out.error().message));
                       const double postStart = monotonicMs();
                       r.outputs = std::move(*out);
                       Status finished = finishAnalysis(package->manifest, r, frame);
                       if (!finished) return done(Error(r.file + ": " + finished.error().message));
                       r.timingsMs.postprocess = monotonicMs() - postStart;
                       done(std::move(r));
                   });
}

Result<PreparedImageAnalysis> prepareImageAnalysis(const ModelSession& s, const std::string& fileName,
                                                   const Image& image, double decodeMs) {
    const ModelManifest& m = s.package->manifest;
    if (m.task == ModelTask::Tabular)
        return Error(fileName + ": " + m.id + " is a tabular model; give it table rows, not images.");
    const double start = monotonicMs();
    Result<PreparedInput> input = preprocessImage(image, m.input);
    if (!input) return Error(fileName + ": " + input.error().message);
    PreparedImageAnalysis prepared;
    AnalysisResult& r = prepared.result;
    r = startResult(s, fileName);
    r.population = assessPopulation(image.metadata, m);
    r.input = {m.input.name, std::move(input->tensor)};
    r.timingsMs.decode = decodeMs;
    r.timingsMs.preprocess = monotonicMs() - start;
    prepared.placement = input->placement;
    prepared.spacingRow = image.pixelSpacingRow;
    prepared.spacingCol = image.pixelSpacingCol;
    return prepared;
}

void runPreparedAnalysis(const ModelSession& s, PreparedImageAnalysis prepared, AnalysisCallback done) {
    ImageFrame frame;
    frame.isImage = true;
    frame.placement = prepared.placement;
    frame.spacingRow = prepared.spacingRow;
    frame.spacingCol = prepared.spacingCol;
    runAndFinish(s, std::move(prepared.result), frame, std::move(done));
}

void analyzeImage(const ModelSession& s, const std::string& fileName, const Image& image, double decodeMs,
                  AnalysisCallback done) {
    Result<PreparedImageAnalysis> prepared = prepareImageAnalysis(s, fileName, image, decodeMs);
    if (!prepared) return done(prepared.error());
    runPreparedAnalysis(s, std::move(*prepared), std::move(done));
}

void analyzeImageBytes(const ModelSession& s, const std::string& fileName, const Bytes& bytes,
                       const DecodeImage& decode, AnalysisCallback done) {
    const double start = monotonicMs();
    Result<Image> image = decode(bytes, fileName);
    if (!image) return done(Error(fileName + ": " + image.error().message));
    analyzeImage(s, fileName, *image, monotonicMs() - start, std::move(done));
}

void analyzeFeatures(const ModelSession& s, const std::string& rowName, const FeatureValues& values,
                     AnalysisCallback done) {
    const ModelManifest& m = s.package->manifest;
    if (m.task != ModelTask::Tabular)
        return done(
            Error(rowName + ": " + m.id + " is an image model; give it image files, not table rows."));
    const double start = monotonicMs();
    Result<Tensor> tensor = buildTabularInput(values, m.input);
    if (!tensor) return done(Error(rowName + ": " + tensor.error().message));
    AnalysisResult r = startResult(s, rowName);
    r.population = assessPopulation({}, m); // a table row says nothing about the patient: unverified
    r.input = {m.input.name, std::move(*tensor)};
    r.timingsMs.preprocess = monotonicMs() - start;
    runAndFinish(s, std::move(r), ImageFrame{}, std::move(done));
}

} // namespace dx
