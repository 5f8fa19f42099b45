// model_manifest.cpp — manifest.json parsing. One ManifestReader walks the JSON and keeps the first problem
// it finds, as "manifest.json: <dotted.path> <what is wrong>", so the parse code reads top to bottom.
#include "core/inference/model_manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dx {

using json = nlohmann::json;

const char* const kModelManifestSchema = "dxlens.model/1";
const char* const kManifestTranslationTags[] = {"zh-Hans"};
const int kManifestTranslationTagCount = 1;

const char* modelTaskName(ModelTask t) {
    switch (t) {
    case ModelTask::Classification:
        return "classification";
    case ModelTask::Multilabel:
        return "multilabel";
    case ModelTask::Segmentation:
        return "segmentation";
    case ModelTask::Tabular:
        return "tabular";
    }
    return "?";
}

const char* resizeModeName(ResizeMode m) {
    switch (m) {
    case ResizeMode::Stretch:
        return "stretch";
    case ResizeMode::Letterbox:
        return "letterbox";
    case ResizeMode::CenterCrop:
        return "center-crop";
    }
    return "?";
}

const char* activationName(Activation a) {
    switch (a) {
    case Activation::None:
        return "none";
    case Activation::Softmax:
        return "softmax";
    case Activation::Sigmoid:
        return "sigmoid";
    }
    return "?";
}

namespace {

std::string join(const std::string& path, const char* key) {
    return path.empty() ? key : path + "." + key;
}
std::string indexed(const std::string& path, size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

std::string plural(size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Walks a JSON document; the first failure wins and later reads become no-ops returning defaults.
struct ManifestReader {
    std::string error;

    bool failed() const { return !error.empty(); }
    void fail(const std::string& path, const std::string& what) {
        if (error.empty()) error = "manifest.json: " + path + " " + what;
    }

    const json* find(const json& obj, const std::string& path, const char* key, bool required) {
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) fail(join(path, key), "is missing");
            return nullptr;
        }
        return &*it;
    }

    std::string string(const json& obj, const std::string& path, const char* key, bool required) {
        const json* v = find(obj, path, key, required);
        if (!v) return {};
        if (!v->is_string()) {
            fail(join(path, key), "must be a string");
            return {};
        }
        std::string s = v->get<std::string>();
        if (required && s.empty()) fail(join(path, key), "is empty");
        return s;
    }

    double number(const json& obj, const std::string& path, const char* key, bool required, double fallback) {
        const json* v = find(obj, path, key, required);
        if (!v) return fallback;
        if (!v->is_number()) {
            fail(join(path, key), "must be a number");
            return fallback;
        }
        return v->get<double>();
    }

    int positiveInt(const json& obj, const std::string& path, const char* key, int maxValue) {
        const json* v = find(obj, path, key, true);
        if (!v) return 0;
        if (!v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > maxValue) {
            fail(join(path, key), "must be a whole number from 1 to " + std::to_string(maxValue));
            return 0;
        }
        return int(v->get<int64_t>());
    }

    bool boolean(const json& obj, const std::string& path, const char* key, bool fallback) {
        const json* v = find(obj, path, key, false);
        if (!v) return fallback;
        if (!v->is_boolean()) {
            fail(join(path, key), "must be true or false");
            return fallback;
        }
        return v->get<bool>();
    }

    std::vector<std::string> strings(const json& obj, const std::string& path, const char* key,
                                     bool required) {
        std::vector<std::string> out;
        const json* v = find(obj, path, key, required);
        if (!v) return out;
        if (!v->is_array()) {
            fail(join(path, key), "must be an array of strings");
            return out;
        }
        for (size_t i = 0; i < v->size(); i++) {
            if (!(*v)[i].is_string()) {
                fail(indexed(join(path, key), i), "must be a string");
                return out;
            }
            out.push_back((*v)[i].get<std::string>());
        }
        return out;
    }

    std::vector<float> numbers(const json& obj, const std::string& path, const char* key) {
        std::vector<float> out;
        const json* v = find(obj, path, key, true);
        if (!v) return out;
        if (!v->is_array() || v->empty()) {
            fail(join(path, key), "must be a non-empty array of numbers");
            return out;
        }
        for (size_t i = 0; i < v->size(); i++) {
            if (!(*v)[i].is_number()) {
                fail(indexed(join(path, key), i), "must be a number");
                return out;
            }
            out.push_back((*v)[i].get<float>());
        }
        return out;
    }

    // Relative path inside the package: no absolute paths and no "..", so a package cannot read elsewhere.
    std::string packagePath(const json& obj, const std::string& path, const char* key) {
        std::string s = string(obj, path, key, true);
        if (failed()) return s;
        bool escapes = s[0] == '/' || s.find('\\') != std::string::npos || s == ".." ||
                       s.rfind("../", 0) == 0 || s.find("/../") != std::string::npos;
        if (escapes) fail(join(path, key), "must be a path inside the package folder, got '" + s + "'");
        return s;
    }

    template <class Enum, size_t N>
    Enum choice(const json& obj, const std::string& path, const char* key, const char* const (&names)[N],
                const Enum (&values)[N], bool required, Enum fallback) {
        std::string s = string(obj, path, key, required);
        if (failed() || s.empty()) return fallback;
        std::string allowed;
        for (size_t i = 0; i < N; i++) {
            if (s == names[i]) return values[i];
            allowed += (i ? (i + 1 == N ? " or " : ", ") : "") + std::string("\"") + names[i] + "\"";
        }
        fail(join(path, key), "is \"" + s + "\" but must be " + allowed);
        return fallback;
    }
};

void readImageInput(ManifestReader& r, const json& in, ModelInputSpec& spec) {
    const std::string p = "input";
    spec.layout = r.string(in, p, "layout", false);
    if (spec.layout.empty()) spec.layout = "NCHW";
    if (spec.layout != "NCHW")
        r.fail("input.layout", "is \"" + spec.layout + "\" but image models use \"NCHW\"");
    spec.channels = r.positiveInt(in, p, "channels", 3);
    if (!r.failed() && spec.channels == 2) r.fail("input.channels", "must be 1 or 3");
    spec.height = r.positiveInt(in, p, "height", 8192);
    spec.width = r.positiveInt(in, p, "width", 8192);

    static const char* const resizeNames[] = {"stretch", "letterbox", "center-crop"};
    static const ResizeMode resizeValues[] = {ResizeMode::Stretch, ResizeMode::Letterbox,
                                              ResizeMode::CenterCrop};
    spec.resize = r.choice(in, p, "resize", resizeNames, resizeValues, false, ResizeMode::Stretch);

    const json* norm = r.find(in, p, "normalize", true);
    if (norm && !norm->is_object()) r.fail("input.normalize", "must be an object { scale, mean, std }");
    if (r.failed()) return;
    spec.normalize.scale = float(r.number(*norm, "input.normalize", "scale", true, 1.0));
    spec.normalize.mean = r.numbers(*norm, "input.normalize", "mean");
    spec.normalize.std = r.numbers(*norm, "input.normalize", "std");
    if (r.failed()) return;
    const char* which[] = {"mean", "std"};
    const std::vector<float>* lists[] = {&spec.normalize.mean, &spec.normalize.std};
    for (int i = 0; i < 2; i++)
        if (lists[i]->size() != size_t(spec.channels))
            r.fail(std::string("input.normalize.") + which[i], "has " + plural(lists[i]->size(), "value") +
                                                                   " but input.channels is " +
                                                                   std::to_string(spec.channels));
    for (size_t c = 0; c < spec.normalize.std.size() && !r.failed(); c++)
        if (!(std::fabs(spec.normalize.std[c]) > 0.0f))
            r.fail(indexed("input.normalize.std", c), "must not be 0 (it divides)");

    const json* window = r.find(in, p, "dicom_window", false);
    if (window) {
        if (window->is_string() && window->get<std::string>() == "file") {
            spec.windowFromFile = true;
        } else if (window->is_array() && window->size() == 2 && (*window)[0].is_number() &&
                   (*window)[1].is_number() && (*window)[1].get<double>() > 0.0) {
            spec.windowFromFile = false;
            spec.windowCenter = (*window)[0].get<double>();
            spec.windowWidth = (*window)[1].get<double>();
        } else {
            r.fail("input.dicom_window", "must be \"file\" or [center, width] with width > 0");
        }
    }
    spec.invertMonochrome1 = r.boolean(in, p, "invert_monochrome1", true);
}

void readTabularInput(ManifestReader& r, const json& in, ModelInputSpec& spec) {
    spec.layout = r.string(in, "input", "layout", false);
    if (spec.layout.empty()) spec.layout = "NF";
    if (spec.layout != "NF")
        r.fail("input.layout", "is \"" + spec.layout + "\" but tabular models use \"NF\"");
    const json* features = r.find(in, "input", "features", true);
    if (features && (!features->is_array() || features->empty()))
        r.fail("input.features", "must be a non-empty array of { name, unit, min, max }");
    if (r.failed()) return;
    for (size_t i = 0; i < features->size() && !r.failed(); i++) {
        const json& f = (*features)[i];
        std::string p = indexed("input.features", i);
        if (!f.is_object()) {
            r.fail(p, "must be an object { name, unit, min, max }");
            break;
        }
        TabularFeature feature;
        feature.name = r.string(f, p, "name", true);
        feature.unit = r.string(f, p, "unit", false);
        feature.min = r.number(f, p, "min", true, 0.0);
        feature.max = r.number(f, p, "max", true, 0.0);
        if (!r.failed() && feature.min > feature.max) r.fail(p + ".min", "is greater than its max");
        feature.hasTrainingMean = r.find(f, p, "training_mean", false) != nullptr;
        feature.trainingMean = r.number(f, p, "training_mean", false, 0.0);
        // Occlusion puts the mean in the model's input, so it must be a value the form itself would accept.
        if (!r.failed() && feature.hasTrainingMean &&
            (feature.trainingMean < feature.min || feature.trainingMean > feature.max))
            r.fail(p + ".training_mean", "is outside the feature's valid range min..max");
        for (const TabularFeature& other : spec.features)
            if (!r.failed() && other.name == feature.name)
                r.fail(p + ".name", "'" + feature.name + "' is repeated");
        spec.features.push_back(feature);
    }
}

// "mask_cleanup": { "keep_largest_components", "fill_holes" }, both optional, on a segmentation's outputs[0].
// Unlike elsewhere, unknown keys are refused here: a misspelt "fill_hole" would silently change the mask.
void readMaskCleanup(ManifestReader& r, const json& o, const std::string& p, MaskCleanup& cleanup) {
    const std::string path = p + ".mask_cleanup";
    const json* v = r.find(o, p, "mask_cleanup", false);
    if (!v) return;
    if (!v->is_object()) return r.fail(path, "must be an object { keep_largest_components, fill_holes }");
    for (auto it = v->begin(); it != v->end(); ++it)
        if (it.key() != "keep_largest_components" && it.key() != "fill_holes")
            return r.fail(path + "." + it.key(), "is not known (mask_cleanup has keep_largest_components and "
                                                 "fill_holes)");
    if (const json* keep = r.find(*v, path, "keep_largest_components", false)) {
        // nlohmann keeps 2.0 as a float: a whole number must be written as one.
        const bool whole =
            keep->is_number_unsigned() || (keep->is_number_integer() && keep->get<int64_t>() >= 0);
        if (!whole || keep->get<uint64_t>() < 1)
            return r.fail(path + ".keep_largest_components", "must be a whole number >= 1");
        // Any count above what an int holds keeps every component, so clamping it changes nothing.
        cleanup.keepLargestComponents = int(std::min<uint64_t>(keep->get<uint64_t>(), INT32_MAX));
    }
    cleanup.fillHoles = r.boolean(*v, path, "fill_holes", false);
}

void readOutputs(ManifestReader& r, const json& doc, ModelManifest& m) {
    const json* outputs = r.find(doc, "", "outputs", true);
    if (outputs && (!outputs->is_array() || outputs->empty())) r.fail("outputs", "must be a non-empty array");
    if (r.failed()) return;
    static const char* const activationNames[] = {"none", "softmax", "sigmoid"};
    static const Activation activationValues[] = {Activation::None, Activation::Softmax, Activation::Sigmoid};
    for (size_t i = 0; i < outputs->size() && !r.failed(); i++) {
        const json& o = (*outputs)[i];
        std::string p = indexed("outputs", i);
        if (!o.is_object()) {
            r.fail(p, "must be an object { name, activation, labels, thresholds }");
            break;
        }
        ModelOutputSpec out;
        out.name = r.string(o, p, "name", true);
        out.activation =
            r.choice(o, p, "activation", activationNames, activationValues, false, Activation::None);
        out.labels = r.strings(o, p, "labels", false);
        out.classes = r.strings(o, p, "classes", false);
        const json* thresholds = r.find(o, p, "thresholds", false);
        if (thresholds && !thresholds->is_object())
            r.fail(p + ".thresholds", "must be an object { label: value }");
        if (thresholds && !r.failed()) {
            for (auto it = thresholds->begin(); it != thresholds->end() && !r.failed(); ++it) {
                std::string tp = p + ".thresholds." + it.key();
                const std::vector<std::string>& names = out.labels.empty() ? out.classes : out.labels;
                bool known = false;
                for (const std::string& n : names)
                    known = known || n == it.key();
                if (!known)
                    r.fail(tp, "names a label that is not in " + p + ".labels");
                else if (!it.value().is_number())
                    r.fail(tp, "must be a number");
                else
                    out.thresholds.emplace_back(it.key(), it.value().get<double>());
            }
        }
        if (!r.failed() && o.contains("mask_cleanup") && (m.task != ModelTask::Segmentation || i != 0))
            r.fail(p + ".mask_cleanup", "applies only to the mask of a segmentation model (its outputs[0])");
        if (!r.failed()) readMaskCleanup(r, o, p, out.maskCleanup);
        for (const ModelOutputSpec& other : m.outputs)
            if (!r.failed() && other.name == out.name) r.fail(p + ".name", "'" + out.name + "' is repeated");
        m.outputs.push_back(out);
    }
    if (r.failed()) return;
    if (m.task == ModelTask::Segmentation) {
        if (m.outputs[0].classes.empty())
            r.fail("outputs[0].classes",
                   "is missing (segmentation names its mask classes, background first)");
    } else {
        bool anyLabels = false;
        for (const ModelOutputSpec& o : m.outputs)
            anyLabels = anyLabels || !o.labels.empty();
        if (!anyLabels) r.fail("outputs[0].labels", "is missing (a classifier names what each score means)");
    }
}

// "age_years": { "min", "max" }: whole years, either end may be left open but not both.
void readAgeRange(ManifestReader& r, const json& age, PopulationSpec& p) {
    const std::string path = "population.age_years";
    if (!age.is_object()) return r.fail(path, "must be an object { min, max } in whole years");
    const char* keys[] = {"min", "max"};
    bool* has[] = {&p.hasAgeMin, &p.hasAgeMax};
    int* values[] = {&p.ageMinYears, &p.ageMaxYears};
    for (int i = 0; i < 2 && !r.failed(); i++) {
        const json* v = r.find(age, path, keys[i], false);
        if (!v) continue;
        if (!v->is_number_integer() || v->get<int64_t>() < 0 || v->get<int64_t>() > 150)
            return r.fail(join(path, keys[i]), "must be a whole number of years from 0 to 150");
        *has[i] = true;
        *values[i] = int(v->get<int64_t>());
    }
    if (!r.failed() && !p.declaresAge()) r.fail(path, "must give min, max or both");
    if (!r.failed() && p.hasAgeMin && p.hasAgeMax && p.ageMinYears > p.ageMaxYears)
        r.fail(path + ".min", "is greater than its max");
}

void readPopulation(ManifestReader& r, const json& doc, ModelManifest& m) {
    const json* population = r.find(doc, "", "population", false);
    if (!population) return;
    if (!population->is_object())
        return r.fail("population", "must be an object { description, age_years, views }");
    m.hasPopulation = true;
    PopulationSpec& p = m.population;
    p.description = r.string(*population, "population", "description", true);
    if (const json* age = r.find(*population, "population", "age_years", false); age && !r.failed())
        readAgeRange(r, *age, p);
    p.views = r.strings(*population, "population", "views", false);
    for (size_t i = 0; i < p.views.size() && !r.failed(); i++)
        if (p.views[i].empty()) r.fail(indexed("population.views", i), "is empty");
}

bool isOutputName(const ModelManifest& m, const std::string& name) {
    for (const ModelOutputSpec& o : m.outputs)
        for (const std::vector<std::string>* names : {&o.labels, &o.classes})
            for (const std::string& n : *names)
                if (n == name) return true;
    return false;
}

// One language's block: { name, intended_use, population, labels: { label: text } }; every text is optional
// but not empty, and labels name the model's own labels or classes.
void readTranslation(ManifestReader& r, const json& block, const std::string& tag, ModelManifest& m) {
    if (!block.is_object())
        return r.fail(tag, "must be an object { name, intended_use, population, labels }");
    ManifestTexts texts;
    const char* keys[] = {"name", "intended_use", "population"};
    std::string* fields[] = {&texts.name, &texts.intendedUse, &texts.population};
    for (int i = 0; i < 3 && !r.failed(); i++) {
        *fields[i] = r.string(block, tag, keys[i], false);
        if (!r.failed() && r.find(block, tag, keys[i], false) && fields[i]->empty())
            r.fail(join(tag, keys[i]), "is empty");
    }
    if (!r.failed() && !texts.population.empty() && !m.hasPopulation)
        r.fail(tag + ".population", "translates population.description, which the manifest does not have");
    const json* labels = r.find(block, tag, "labels", false);
    if (labels && !labels->is_object()) r.fail(tag + ".labels", "must be an object { label: text }");
    if (labels && !r.failed()) {
        for (auto it = labels->begin(); it != labels->end() && !r.failed(); ++it) {
            const std::string path = tag + ".labels." + it.key();
            if (!isOutputName(m, it.key()))
                r.fail(path, "names a label that is not in outputs[].labels or outputs[].classes");
            else if (!it.value().is_string() || it.value().get<std::string>().empty())
                r.fail(path, "must be a non-empty string");
            else
                texts.labels.emplace_back(it.key(), it.value().get<std::string>());
        }
    }
    if (!r.failed()) m.translations.emplace_back(tag, std::move(texts));
}

void readOptionalSections(ManifestReader& r, const json& doc, ModelManifest& m) {
    const json* ood = r.find(doc, "", "ood", false);
    if (ood && !ood->is_object())
        r.fail("ood", "must be an object { output, method, threshold, higher_is_outlier }");
    if (ood && !r.failed()) {
        m.hasOod = true;
        m.ood.output = r.string(*ood, "ood", "output", true);
        m.ood.method = r.string(*ood, "ood", "method", false);
        m.ood.threshold = r.number(*ood, "ood", "threshold", true, 0.0);
        m.ood.higherIsOutlier = r.boolean(*ood, "ood", "higher_is_outlier", true);
        if (!r.failed() && !findOutputSpec(m, m.ood.output))
            r.fail("ood.output", "names '" + m.ood.output + "', which is not one of outputs[].name");
    }

    const json* ref = r.find(doc, "", "reference", false);
    if (ref && !ref->is_object()) r.fail("reference", "must be an object { input, outputs, tolerance }");
    if (ref && !r.failed()) {
        m.hasReference = true;
        m.reference.input = r.packagePath(*ref, "reference", "input");
        m.reference.outputs = r.packagePath(*ref, "reference", "outputs");
        m.reference.tolerance = r.number(*ref, "reference", "tolerance", false, 1e-4);
        if (!r.failed() && !(m.reference.tolerance > 0.0))
            r.fail("reference.tolerance", "must be greater than 0");
    }

    m.intendedUse = r.string(doc, "", "intended_use", false);
    m.modalities = r.strings(doc, "", "modalities", false);
    m.bodyParts = r.strings(doc, "", "body_parts", false);
    m.license = r.string(doc, "", "license", false);
    m.citation = r.string(doc, "", "citation", false);
    auto metrics = doc.find("metrics");
    if (metrics != doc.end()) m.metricsJson = metrics->dump();
    if (!r.failed()) readPopulation(r, doc, m);
    for (int i = 0; i < kManifestTranslationTagCount && !r.failed(); i++)
        if (const json* block = r.find(doc, "", kManifestTranslationTags[i], false))
            readTranslation(r, *block, kManifestTranslationTags[i], m);
}

} // namespace

Result<ModelManifest> parseModelManifest(std::string_view jsonText) {
    json doc = json::parse(jsonText.begin(), jsonText.end(), nullptr, false);
    if (doc.is_discarded()) return Error("manifest.json is not valid JSON");
    if (!doc.is_object()) return Error("manifest.json must hold one JSON object");

    ManifestReader r;
    ModelManifest m;
    m.schema = r.string(doc, "", "schema", true);
    if (!r.failed() && m.schema != kModelManifestSchema)
        r.fail("schema", "is \"" + m.schema + "\" but this DxLens reads \"" + kModelManifestSchema + "\"");
    m.id = r.string(doc, "", "id", true);
    m.name = r.string(doc, "", "name", true);
    m.version = r.string(doc, "", "version", true);
    static const char* const taskNames[] = {"classification", "multilabel", "segmentation", "tabular"};
    static const ModelTask taskValues[] = {ModelTask::Classification, ModelTask::Multilabel,
                                           ModelTask::Segmentation, ModelTask::Tabular};
    m.task = r.choice(doc, "", "task", taskNames, taskValues, true, ModelTask::Classification);
    m.file = r.packagePath(doc, "", "file");
    m.sha256 = r.string(doc, "", "sha256", true);
    if (!r.failed()) {
        bool hex = m.sha256.size() == 64;
        for (char& c : m.sha256) {
            if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
            hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        }
        if (!hex) r.fail("sha256", "must be 64 hexadecimal digits (e.g. from `sha256sum " + m.file + "`)");
    }

    const json* in = r.find(doc, "", "input", true);
    if (in && !in->is_object()) r.fail("input", "must be an object");
    if (!r.failed()) {
        m.input.name = r.string(*in, "input", "name", true);
        std::string dtype = r.string(*in, "input", "dtype", false);
        if (!r.failed() && !dtype.empty() && dtype != "float32")
            r.fail("input.dtype", "is \"" + dtype + "\" but DxLens feeds \"float32\"");
        if (m.task == ModelTask::Tabular)
            readTabularInput(r, *in, m.input);
        else
            readImageInput(r, *in, m.input);
    }
    if (!r.failed()) readOutputs(r, doc, m);
    if (!r.failed()) readOptionalSections(r, doc, m);
    if (r.failed()) return Error(r.error);
    return m;
}

const ModelOutputSpec* findOutputSpec(const ModelManifest& manifest, const std::string& name) {
    for (const ModelOutputSpec& o : manifest.outputs)
        if (o.name == name) return &o;
    return nullptr;
}

bool findThreshold(const ModelOutputSpec& output, const std::string& label, double* threshold) {
    for (const auto& t : output.thresholds)
        if (t.first == label) {
            *threshold = t.second;
            return true;
        }
    return false;
}

static const ManifestTexts* translationFor(const ModelManifest& m, std::string_view tag) {
    for (const auto& [t, texts] : m.translations)
        if (t == tag) return &texts;
    return nullptr;
}

LocalizedManifestText localizedText(const ModelManifest& manifest, std::string_view languageTag) {
    LocalizedManifestText out{manifest.name, manifest.intendedUse, manifest.population.description};
    if (const ManifestTexts* t = translationFor(manifest, languageTag)) {
        if (!t->name.empty()) out.name = t->name;
        if (!t->intendedUse.empty()) out.intendedUse = t->intendedUse;
        if (!t->population.empty()) out.population = t->population;
    }
    return out;
}

std::string localizedLabel(const ModelManifest& manifest, std::string_view languageTag,
                           const std::string& label) {
    if (const ManifestTexts* t = translationFor(manifest, languageTag))
        for (const auto& [english, text] : t->labels)
            if (english == label) return text;
    return {};
}

} // namespace dx
