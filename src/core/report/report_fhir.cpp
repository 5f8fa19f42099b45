// report_fhir.cpp — HL7 FHIR R4 (4.0.1) Bundle of type "collection" (see report.h).
//
// Why a collection Bundle rather than contained resources: a DiagnosticReport's Observations are meant to be
// resources of their own (a receiving system files them individually), and a collection keeps every
// reference an ordinary urn:uuid fullUrl inside the file. Resource UUIDs come from SHA-256 of the content, so
// the same analysis gives the same bundle.
#include "core/base/sha256.h"
#include "core/report/report_internal.h"

namespace dx {

static const char* const kUcum = "http://unitsofmeasure.org";
static const char* const kInterpretationSystem =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

// A name-based UUID (RFC 9562 version 8: bits of our own, SHA-256 of `name`) as "urn:uuid:...".
static std::string contentUuid(const std::string& name) {
    std::string hex = sha256Hex(name.data(), name.size()).substr(0, 32);
    hex[12] = '8';                                                   // version 8
    hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3]; // RFC variant
    return "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

static ReportJson reference(const std::string& fullUrl, const std::string& display) {
    ReportJson r = ReportJson::object();
    r["reference"] = fullUrl;
    if (!display.empty()) r["display"] = display;
    return r;
}

static ReportJson textConcept(const std::string& text) {
    ReportJson c = ReportJson::object();
    c["text"] = text;
    return c;
}

static ReportJson annotations(std::initializer_list<std::string> texts) {
    ReportJson notes = ReportJson::array();
    for (const std::string& t : texts)
        if (!t.empty()) notes.push_back(ReportJson{{"text", t}});
    return notes;
}

// UCUM quantity; "1" is UCUM's unity (a probability or a fraction).
static ReportJson quantity(float value, const std::string& unit, const std::string& ucumCode) {
    ReportJson q = ReportJson::object();
    q["value"] = value;
    q["unit"] = unit;
    q["system"] = kUcum;
    q["code"] = ucumCode;
    return q;
}

// What every Observation and report of one image shares.
struct FhirImageContext {
    const ReportItem* item = nullptr;
    std::string seed;       // makes this image's UUIDs unique in the bundle
    std::string deviceUrl;  // the model's Device
    std::string patientUrl; // empty without identifiers
    std::string effective;  // options.generatedAt
    std::string method;     // model, sha256, backend
};

static ReportJson observationBase(const FhirImageContext& c, const std::string& code) {
    ReportJson o = ReportJson::object();
    o["resourceType"] = "Observation";
    o["status"] = "preliminary";
    o["code"] = textConcept(code);
    if (!c.patientUrl.empty()) o["subject"] = reference(c.patientUrl, "");
    if (!c.effective.empty()) {
        o["effectiveDateTime"] = c.effective;
        o["issued"] = c.effective;
    }
    return o;
}

static void finishObservation(ReportJson& o, const FhirImageContext& c, const std::string& note) {
    o["method"] = textConcept(c.method);
    o["device"] = reference(c.deviceUrl, modelTitle(*c.item->manifest));
    ReportJson notes = annotations({note});
    if (!notes.empty()) o["note"] = std::move(notes);
}

static ReportJson findingObservation(const FhirImageContext& c, const Finding& f) {
    ReportJson o = observationBase(c, f.label + " (model probability)");
    o["valueQuantity"] = quantity(f.score, "probability", "1");
    std::string note;
    if (f.hasThreshold) {
        ReportJson coding = ReportJson::object();
        coding["system"] = kInterpretationSystem;
        coding["code"] = f.positive ? "POS" : "NEG";
        coding["display"] = f.positive ? "Positive" : "Negative";
        ReportJson interpretation = ReportJson::object();
        interpretation["coding"] = ReportJson::array({coding});
        interpretation["text"] =
            std::string(findingDecision(f)) + " at threshold " + floatText(float(f.threshold));
        o["interpretation"] = ReportJson::array({interpretation});
        note = "A score at or above " + floatText(float(f.threshold)) + " is called positive.";
    }
    finishObservation(o, c, note);
    return o;
}

static ReportJson oodObservation(const FhirImageContext& c, const OodVerdict& ood, const ModelManifest& m) {
    ReportJson o = observationBase(c, "Input within the model's training distribution");
    o["valueBoolean"] = ood.inDistribution;
    std::string note = "Out-of-distribution score " + floatText(ood.score) + " against threshold " +
                       floatText(float(ood.threshold)) +
                       (m.ood.method.empty() ? "" : " (" + m.ood.method + ")") + "." +
                       (ood.inDistribution ? "" : " The findings for this image are unreliable.");
    finishObservation(o, c, note);
    return o;
}

// "in", "out" or "unverified" as a coded text, the reason (population.h) as the note.
static ReportJson populationObservation(const FhirImageContext& c, const PopulationVerdict& population) {
    ReportJson o = observationBase(c, "Patient within the model's intended population");
    o["valueCodeableConcept"] = textConcept(populationStatusName(population.status));
    finishObservation(o, c, population.reason);
    return o;
}

static ReportJson areaObservation(const FhirImageContext& c, const ClassArea& a) {
    ReportJson o = observationBase(c, a.name + " (segmented fraction of the image)");
    o["valueQuantity"] = quantity(float(a.fraction), "fraction of image", "1");
    if (a.areaMm2 >= 0.0) {
        ReportJson component = ReportJson::object();
        component["code"] = textConcept(a.name + " area");
        component["valueQuantity"] = quantity(float(a.areaMm2), "mm2", "mm2");
        o["component"] = ReportJson::array({component});
    }
    finishObservation(o, c, std::to_string(a.pixels) + " pixels");
    return o;
}

static ReportJson deviceResource(const ModelManifest& m) {
    ReportJson d = ReportJson::object();
    d["resourceType"] = "Device";
    ReportJson id = ReportJson::object();
    id["system"] = "urn:dxlens:model-sha256";
    id["value"] = m.sha256.empty() ? std::string("unknown") : m.sha256;
    d["identifier"] = ReportJson::array({id});
    ReportJson name = ReportJson::object();
    name["name"] = m.name.empty() ? m.id : m.name;
    name["type"] = "model-name";
    d["deviceName"] = ReportJson::array({name});
    d["type"] = textConcept(std::string("AI model (") + modelTaskName(m.task) + "), id " + m.id);
    if (!m.version.empty()) d["version"] = ReportJson::array({ReportJson{{"value", m.version}}});
    d["note"] = annotations({"Intended use: " + intendedUseText(m), "SHA-256 of the model file: " + m.sha256,
                             kResearchUseNotice});
    return d;
}

// FHIR date from DICOM DA (YYYYMMDD); empty when it is not one.
static std::string fhirDate(const std::string& da) {
    if (da.size() != 8 || da.find_first_not_of("0123456789") != std::string::npos) return "";
    return da.substr(0, 4) + "-" + da.substr(4, 2) + "-" + da.substr(6, 2);
}

static ReportJson patientResource(const std::map<std::string, std::string>& md) {
    ReportJson p = ReportJson::object();
    p["resourceType"] = "Patient";
    auto value = [&](const char* key) {
        auto it = md.find(key);
        return it == md.end() ? std::string() : it->second;
    };
    if (!value("PatientID").empty())
        p["identifier"] = ReportJson::array({ReportJson{{"value", value("PatientID")}}});
    if (!value("PatientName").empty())
        p["name"] = ReportJson::array({ReportJson{{"text", value("PatientName")}}});
    if (!fhirDate(value("PatientBirthDate")).empty()) p["birthDate"] = fhirDate(value("PatientBirthDate"));
    return p;
}

static void addEntry(ReportJson& entries, std::vector<std::string>& urls, const std::string& url,
                     ReportJson resource) {
    if (std::find(urls.begin(), urls.end(), url) != urls.end())
        return; // one Device per model, one Patient each
    urls.push_back(url);
    ReportJson e = ReportJson::object();
    e["fullUrl"] = url;
    e["resource"] = std::move(resource);
    entries.push_back(std::move(e));
}

static std::string conclusion(const ReportItem& item) {
    const Finding* top = topFinding(item.result->findings);
    std::string text = std::string(kResearchUseNotice) + " Produced by " + modelTitle(*item.manifest) +
                       " on the " + item.result->backend + " backend for research; not for diagnosis.";
    if (top)
        text +=
            " Top finding: " + top->label + " " + floatText(top->score) + " (" + findingDecision(*top) + ").";
    if (item.result->ood.present && !item.result->ood.inDistribution)
        text += " The image is outside the model's training distribution: the findings are unreliable.";
    const PopulationVerdict& population = item.result->population;
    if (population.status == PopulationStatus::Out)
        text += " The findings do not apply: " + population.reason + ".";
    else
        text += " Population " + std::string(populationStatusName(population.status)) + ": " +
                population.reason + ".";
    return text + " Intended use: " + intendedUseText(*item.manifest);
}

Result<std::string> writeFhirReport(std::span<const ReportItem> items, const ReportOptions& options) {
    Status ok = checkReportInput(items, options);
    if (!ok) return ok.error();
    ReportJson entries = ReportJson::array();
    std::vector<std::string> urls;
    for (size_t i = 0; i < items.size(); i++) {
        const ReportItem& item = items[i];
        const AnalysisResult& r = *item.result;
        const ModelManifest& m = *item.manifest;
        FhirImageContext c;
        c.item = &item;
        c.seed = std::to_string(i) + "|" + r.file + "|" + m.sha256 + "|" + options.generatedAt;
        c.deviceUrl = contentUuid("device|" + m.id + "|" + m.version + "|" + m.sha256);
        c.effective = options.generatedAt;
        c.method = modelTitle(m) + " (model file SHA-256 " + m.sha256 + "), backend " + r.backend;
        addEntry(entries, urls, c.deviceUrl, deviceResource(m));
        if (options.includeIdentifiers) {
            ReportJson patient = patientResource(item.metadata);
            if (patient.size() > 1) {
                c.patientUrl = contentUuid("patient|" + patient.dump());
                addEntry(entries, urls, c.patientUrl, std::move(patient));
            }
        }

        std::vector<std::pair<std::string, ReportJson>> observations;
        for (size_t k = 0; k < r.findings.size(); k++)
            observations.emplace_back(contentUuid(c.seed + "|finding|" + std::to_string(k)),
                                      findingObservation(c, r.findings[k]));
        if (r.ood.present)
            observations.emplace_back(contentUuid(c.seed + "|ood"), oodObservation(c, r.ood, m));
        observations.emplace_back(contentUuid(c.seed + "|population"),
                                  populationObservation(c, r.population));
        if (r.hasMask)
            for (size_t k = 0; k < r.mask.areas.size(); k++)
                observations.emplace_back(contentUuid(c.seed + "|area|" + std::to_string(k)),
                                          areaObservation(c, r.mask.areas[k]));

        ReportJson report = ReportJson::object();
        report["resourceType"] = "DiagnosticReport";
        report["status"] = "preliminary";
        report["code"] = textConcept("AI analysis of " + r.file + " by " + modelTitle(m));
        if (!c.patientUrl.empty()) report["subject"] = reference(c.patientUrl, "");
        if (!c.effective.empty()) {
            report["effectiveDateTime"] = c.effective;
            report["issued"] = c.effective;
        }
        ReportJson results = ReportJson::array();
        for (const auto& [url, observation] : observations)
            results.push_back(reference(url, observation["code"]["text"].get<std::string>()));
        if (!results.empty()) report["result"] = std::move(results);
        report["conclusion"] = conclusion(item);
        addEntry(entries, urls, contentUuid(c.seed + "|report"), std::move(report));
        for (auto& [url, observation] : observations)
            addEntry(entries, urls, url, std::move(observation));
    }

    ReportJson bundle = ReportJson::object();
    bundle["resourceType"] = "Bundle";
    bundle["type"] = "collection";
    if (!options.generatedAt.empty()) bundle["timestamp"] = options.generatedAt;
    bundle["entry"] = std::move(entries);
    return bundle.dump(2) + "\n";
}

} // namespace dx
