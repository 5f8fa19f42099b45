// fhir_r4_check.cpp — see fhir_r4_check.h.
#include "tests/report/fhir_r4_check.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>

namespace fhirr4 {

using Json = nlohmann::json;

namespace {

struct Checker {
    std::vector<std::string> problems;
    std::map<std::string, std::string> typeOfUrl; // fullUrl -> resourceType

    void fail(const std::string& path, const std::string& what) { problems.push_back(path + ": " + what); }

    // json.html: no nulls (outside primitive arrays), no empty strings/arrays/objects (ele-1), names are
    // letters and digits (a leading '_' only for primitive extensions, which we never write).
    void checkJsonRules(const Json& j, const std::string& path) {
        if (j.is_null()) fail(path, "null is not allowed");
        if (j.is_string() && j.get<std::string>().empty()) fail(path, "empty string");
        if ((j.is_array() || j.is_object()) && j.empty()) fail(path, "empty array or object");
        if (j.is_array())
            for (size_t i = 0; i < j.size(); i++)
                checkJsonRules(j[i], path + "[" + std::to_string(i) + "]");
        if (j.is_object())
            for (auto it = j.begin(); it != j.end(); ++it) {
                const std::string& k = it.key();
                if (k.empty() || !std::isalpha(static_cast<unsigned char>(k[0])) ||
                    !std::all_of(k.begin(), k.end(),
                                 [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
                    fail(path + "." + k, "not a FHIR element name");
                checkJsonRules(it.value(), path + "." + k);
            }
    }

    // A DomainResource's own elements plus `specific` (space-separated), as listed on each R4 resource page.
    void resourceElements(const Json& r, const std::string& path, const char* specific) {
        std::set<std::string> allowed = {"resourceType",  "id",        "meta",
                                         "implicitRules", "language",  "text",
                                         "contained",     "extension", "modifierExtension"};
        std::string names = specific;
        for (size_t at = 0; at < names.size();) {
            size_t end = names.find(' ', at);
            if (end == std::string::npos) end = names.size();
            allowed.insert(names.substr(at, end - at));
            at = end + 1;
        }
        allowedElements(r, path, allowed);
    }

    void allowedElements(const Json& r, const std::string& path, const std::set<std::string>& allowed) {
        for (auto it = r.begin(); it != r.end(); ++it)
            if (!allowed.count(it.key()))
                fail(path + "." + it.key(),
                     "is not an element of " + r.value("resourceType", std::string("this type")));
    }

    bool required(const Json& o, const std::string& path, const char* name) {
        if (!o.contains(name)) {
            fail(path + "." + name, "required (1..1) but missing");
            return false;
        }
        return true;
    }

    void code(const Json& o, const std::string& path, const char* name,
              const std::set<std::string>& valueSet) {
        if (!o.contains(name)) return;
        const Json& v = o[name];
        if (!v.is_string() || !valueSet.count(v.get<std::string>()))
            fail(path + "." + name, "'" + v.dump() + "' is not in the required value set");
    }

    // The regular expressions of FHIR R4's primitive types (datatypes.html).
    static bool matches(const std::string& s, const char* pattern) {
        return std::regex_match(s, std::regex(pattern));
    }
    static bool isDate(const std::string& s) {
        return matches(
            s, "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|"
               "3[0-1]))?)?");
    }
    static bool isDateTime(const std::string& s) {
        return matches(
            s, "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|"
               "3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):"
               "[0-5][0-9]|14:00)))?)?)?");
    }
    static bool isInstant(const std::string& s) {
        return matches(
            s,
            "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])"
            "T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|"
            "14:00))");
    }
    static bool isUuidUrn(const std::string& s) {
        return matches(s, "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    // uri: no whitespace, and for our purposes absolute (scheme ':' ...).
    static bool isAbsoluteUri(const std::string& s) {
        const size_t colon = s.find(':');
        return colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(s[0])) &&
               s.find_first_of(" \t\r\n") == std::string::npos;
    }

    void string(const Json& o, const std::string& path, const char* name) {
        if (o.contains(name) && !o[name].is_string()) fail(path + "." + name, "must be a string");
    }

    void array(const Json& o, const std::string& path, const char* name) {
        if (o.contains(name) && !o[name].is_array())
            fail(path + "." + name, "has cardinality 0..* and must be an array");
    }

    void coding(const Json& c, const std::string& path) {
        if (!c.is_object()) return fail(path, "a Coding must be an object");
        allowedElements(c, path, {"id", "extension", "system", "version", "code", "display", "userSelected"});
        if (c.contains("system") &&
            !(c["system"].is_string() && isAbsoluteUri(c["system"].get<std::string>())))
            fail(path + ".system", "must be an absolute URI");
        string(c, path, "code");
        string(c, path, "display");
    }

    void codeableConcept(const Json& c, const std::string& path) {
        if (!c.is_object()) return fail(path, "a CodeableConcept must be an object");
        allowedElements(c, path, {"id", "extension", "coding", "text"});
        array(c, path, "coding");
        if (c.contains("coding") && c["coding"].is_array())
            for (size_t i = 0; i < c["coding"].size(); i++)
                coding(c["coding"][i], path + ".coding[" + std::to_string(i) + "]");
        string(c, path, "text");
    }

    void reference(const Json& r, const std::string& path, const std::set<std::string>& targets) {
        if (!r.is_object()) return fail(path, "a Reference must be an object");
        allowedElements(r, path, {"id", "extension", "reference", "type", "identifier", "display"});
        if (!r.contains("reference"))
            return fail(path + ".reference", "missing: our references always point into the bundle");
        const std::string url = r["reference"].is_string() ? r["reference"].get<std::string>() : "";
        auto it = typeOfUrl.find(url);
        if (it == typeOfUrl.end())
            return fail(path + ".reference", "'" + url + "' does not resolve to an entry of the bundle");
        if (!targets.count(it->second))
            fail(path + ".reference", "points to a " + it->second + ", which is not allowed here");
    }

    void annotations(const Json& o, const std::string& path) {
        array(o, path, "note");
        if (!o.contains("note") || !o["note"].is_array()) return;
        for (size_t i = 0; i < o["note"].size(); i++) {
            const Json& a = o["note"][i];
            const std::string p = path + ".note[" + std::to_string(i) + "]";
            allowedElements(a, p, {"id", "extension", "authorReference", "authorString", "time", "text"});
            if (required(a, p, "text")) string(a, p, "text");
        }
    }

    void quantity(const Json& q, const std::string& path) {
        if (!q.is_object()) return fail(path, "a Quantity must be an object");
        allowedElements(q, path, {"id", "extension", "value", "comparator", "unit", "system", "code"});
        if (q.contains("value") && !q["value"].is_number())
            fail(path + ".value", "must be a JSON number (decimal)");
        if (q.contains("code") && !q.contains("system")) fail(path, "qty-3: a code needs a system");
        if (q.contains("system") &&
            !(q["system"].is_string() && isAbsoluteUri(q["system"].get<std::string>())))
            fail(path + ".system", "must be an absolute URI");
        if (q.value("system", std::string()) == "http://unitsofmeasure.org" && !q.contains("code"))
            fail(path + ".code", "a UCUM quantity needs its unit code");
    }

    void primitive(const Json& r, const std::string& path, const char* name,
                   bool (*valid)(const std::string&), const char* type) {
        if (r.contains(name) && !(r[name].is_string() && valid(r[name].get<std::string>())))
            fail(path + "." + name, std::string("is not a valid FHIR ") + type);
    }

    void diagnosticReport(const Json& r, const std::string& path) {
        resourceElements(r, path,
                         "identifier basedOn status category code subject encounter effectiveDateTime "
                         "effectivePeriod issued performer resultsInterpreter specimen result imagingStudy "
                         "media conclusion conclusionCode presentedForm");
        if (required(r, path, "status"))
            code(r, path, "status",
                 {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended",
                  "cancelled", "entered-in-error", "unknown"});
        if (required(r, path, "code")) codeableConcept(r["code"], path + ".code");
        if (r.contains("subject"))
            reference(r["subject"], path + ".subject", {"Patient", "Group", "Device", "Location"});
        primitive(r, path, "effectiveDateTime", isDateTime, "dateTime");
        primitive(r, path, "issued", isInstant, "instant");
        string(r, path, "conclusion");
        array(r, path, "result");
        if (r.contains("result") && r["result"].is_array())
            for (size_t i = 0; i < r["result"].size(); i++)
                reference(r["result"][i], path + ".result[" + std::to_string(i) + "]", {"Observation"});
    }

    static int valueCount(const Json& o) {
        int n = 0;
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key().rfind("value", 0) == 0 && it.key().size() > 5 &&
                std::isupper(static_cast<unsigned char>(it.key()[5])))
                n++;
        return n;
    }

    void observationValue(const Json& o, const std::string& path) {
        static const std::set<std::string> kinds = {"valueQuantity", "valueCodeableConcept", "valueString",
                                                    "valueBoolean",  "valueInteger",         "valueRange",
                                                    "valueRatio",    "valueSampledData",     "valueTime",
                                                    "valueDateTime", "valuePeriod"};
        if (valueCount(o) > 1)
            fail(path, "value[x] has cardinality 0..1 but several value elements are present");
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key().rfind("value", 0) == 0 && !kinds.count(it.key()))
                fail(path + "." + it.key(), "is not a value[x] type of Observation");
        if (o.contains("valueQuantity")) quantity(o["valueQuantity"], path + ".valueQuantity");
        if (o.contains("valueBoolean") && !o["valueBoolean"].is_boolean())
            fail(path + ".valueBoolean", "must be true or false");
        if (o.contains("dataAbsentReason") && valueCount(o))
            fail(path, "obs-6: dataAbsentReason only without a value");
    }

    void observation(const Json& r, const std::string& path) {
        resourceElements(
            r, path,
            "identifier basedOn partOf status category code subject focus encounter effectiveDateTime "
            "effectivePeriod effectiveTiming effectiveInstant issued performer valueQuantity "
            "valueCodeableConcept valueString valueBoolean valueInteger valueRange valueRatio "
            "valueSampledData valueTime valueDateTime valuePeriod dataAbsentReason interpretation note "
            "bodySite method specimen device referenceRange hasMember derivedFrom component");
        if (required(r, path, "status"))
            code(r, path, "status",
                 {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                  "entered-in-error", "unknown"});
        if (required(r, path, "code")) codeableConcept(r["code"], path + ".code");
        if (r.contains("subject"))
            reference(r["subject"], path + ".subject", {"Patient", "Group", "Device", "Location"});
        primitive(r, path, "effectiveDateTime", isDateTime, "dateTime");
        primitive(r, path, "issued", isInstant, "instant");
        observationValue(r, path);
        array(r, path, "interpretation");
        if (r.contains("interpretation") && r["interpretation"].is_array())
            for (size_t i = 0; i < r["interpretation"].size(); i++) {
                const std::string p = path + ".interpretation[" + std::to_string(i) + "]";
                const Json& c = r["interpretation"][i];
                codeableConcept(c, p);
                for (const Json& coding : c.value("coding", Json::array()))
                    if (coding.value("system", std::string()) ==
                            "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation" &&
                        !std::set<std::string>{"N", "A", "AA", "H", "HH", "L", "LL", "POS", "NEG", "IND", "E",
                                               "DET", "ND"}
                             .count(coding.value("code", std::string())))
                        fail(p, "'" + coding.value("code", std::string()) +
                                    "' is not an ObservationInterpretation code");
            }
        annotations(r, path);
        if (r.contains("method")) codeableConcept(r["method"], path + ".method");
        if (r.contains("device")) reference(r["device"], path + ".device", {"Device", "DeviceMetric"});
        array(r, path, "component");
        if (r.contains("component") && r["component"].is_array())
            for (size_t i = 0; i < r["component"].size(); i++) {
                const std::string p = path + ".component[" + std::to_string(i) + "]";
                const Json& c = r["component"][i];
                allowedElements(c, p,
                                {"id", "extension", "modifierExtension", "code", "valueQuantity",
                                 "valueCodeableConcept", "valueString", "valueBoolean", "valueInteger",
                                 "valueRange", "valueRatio", "valueSampledData", "valueTime", "valueDateTime",
                                 "valuePeriod", "dataAbsentReason", "interpretation", "referenceRange"});
                if (required(c, p, "code")) codeableConcept(c["code"], p + ".code");
                observationValue(c, p);
            }
    }

    void device(const Json& r, const std::string& path) {
        resourceElements(
            r, path,
            "identifier definition udiCarrier status statusReason distinctIdentifier manufacturer "
            "manufactureDate expirationDate lotNumber serialNumber deviceName modelNumber partNumber type "
            "specialization version property patient owner contact location url note safety parent");
        array(r, path, "identifier");
        for (const Json& id : r.value("identifier", Json::array()))
            if (id.contains("system") && !isAbsoluteUri(id.value("system", std::string())))
                fail(path + ".identifier", "system must be an absolute URI");
        array(r, path, "deviceName");
        for (size_t i = 0; i < r.value("deviceName", Json::array()).size(); i++) {
            const std::string p = path + ".deviceName[" + std::to_string(i) + "]";
            const Json& n = r["deviceName"][i];
            required(n, p, "name");
            if (required(n, p, "type"))
                code(n, p, "type",
                     {"udi-label-name", "user-friendly-name", "patient-reported-name", "manufacturer-name",
                      "model-name", "other"});
        }
        array(r, path, "version");
        for (size_t i = 0; i < r.value("version", Json::array()).size(); i++)
            required(r["version"][i], path + ".version[" + std::to_string(i) + "]", "value");
        if (r.contains("type")) codeableConcept(r["type"], path + ".type");
        annotations(r, path);
    }

    void patient(const Json& r, const std::string& path) {
        resourceElements(r, path,
                         "identifier active name telecom gender birthDate deceasedBoolean deceasedDateTime "
                         "address maritalStatus multipleBirthBoolean multipleBirthInteger photo contact "
                         "communication generalPractitioner managingOrganization link");
        array(r, path, "identifier");
        array(r, path, "name");
        primitive(r, path, "birthDate", isDate, "date");
    }

    void bundle(const Json& b) {
        if (!b.is_object() || b.value("resourceType", std::string()) != "Bundle")
            return fail("$", "resourceType must be Bundle");
        checkJsonRules(b, "$");
        allowedElements(b, "$",
                        {"resourceType", "id", "meta", "implicitRules", "language", "identifier", "type",
                         "timestamp", "total", "link", "entry", "signature"});
        if (required(b, "$", "type"))
            code(b, "$", "type",
                 {"document", "message", "transaction", "transaction-response", "batch", "batch-response",
                  "history", "searchset", "collection"});
        primitive(b, "$", "timestamp", isInstant, "instant");
        if (b.contains("total") && b["type"] != "searchset" && b["type"] != "history")
            fail("$.total", "bdl-1: only for searchset/history");
        if (!b.contains("entry") || !b["entry"].is_array()) return fail("$.entry", "missing");
        // First pass: fullUrls (bdl-7: unique; absolute) so references can be resolved in any order.
        for (size_t i = 0; i < b["entry"].size(); i++) {
            const std::string p = "$.entry[" + std::to_string(i) + "]";
            const Json& e = b["entry"][i];
            allowedElements(e, p,
                            {"id", "extension", "modifierExtension", "link", "fullUrl", "resource", "search",
                             "request", "response"});
            for (const char* forbidden : {"search", "request", "response"})
                if (e.contains(forbidden))
                    fail(p + "." + forbidden, "bdl-2/3/4: not allowed in a collection");
            if (!required(e, p, "resource") || !required(e, p, "fullUrl")) continue;
            const std::string url = e["fullUrl"].is_string() ? e["fullUrl"].get<std::string>() : "";
            if (url.rfind("urn:uuid:", 0) == 0 ? !isUuidUrn(url) : !isAbsoluteUri(url))
                fail(p + ".fullUrl", "'" + url + "' is not an absolute URI / valid urn:uuid");
            if (typeOfUrl.count(url)) fail(p + ".fullUrl", "bdl-7: '" + url + "' appears twice");
            typeOfUrl[url] = e["resource"].value("resourceType", std::string());
        }
        for (size_t i = 0; i < b["entry"].size(); i++) {
            const std::string p = "$.entry[" + std::to_string(i) + "].resource";
            const Json& r = b["entry"][i].value("resource", Json::object());
            const std::string type = r.value("resourceType", std::string());
            if (r.contains("id") && !(r["id"].is_string() && r["id"].get<std::string>().size() <= 64))
                fail(p + ".id", "not a FHIR id");
            if (type == "DiagnosticReport")
                diagnosticReport(r, p);
            else if (type == "Observation")
                observation(r, p);
            else if (type == "Device")
                device(r, p);
            else if (type == "Patient")
                patient(r, p);
            else
                fail(p + ".resourceType", "'" + type + "' is not a resource this checker knows");
        }
    }
};

} // namespace

std::vector<std::string> checkBundle(const nlohmann::json& b) {
    Checker c;
    c.bundle(b);
    return c.problems;
}

} // namespace fhirr4
