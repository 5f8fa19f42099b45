// fhir_r4_check.h — structural checks of a FHIR R4 (4.0.1) JSON Bundle, written from the specification
// (hl7.org/fhir/R4: json.html, bundle.html, diagnosticreport.html, observation.html, device.html,
// patient.html, datatypes.html) for the resources DxLens writes. No network, no FHIR library.
//
// How to use:
//   std::vector<std::string> problems = fhirr4::checkBundle(nlohmann::json::parse(text));
//   CHECK(problems.empty());       // each problem names the JSON path, e.g. "entry[2].resource.status: ..."
//
// What it checks: JSON rules (no null, no empty string/array/object, element names), Bundle type and entry
// rules (bdl-3/-4/-7: absolute unique fullUrls, no request/response/search in a collection), each resource's
// element names against the R4 element list, cardinalities of required elements, value sets of the required
// bindings we use (status codes, Bundle.type, DeviceNameType, ObservationInterpretation), value[x] choice
// (at most one), Quantity (qty-3: code needs system), primitive formats (dateTime, instant, date, uri, id),
// and that every Reference points to an entry of an allowed resource type inside the Bundle.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fhirr4 {

std::vector<std::string> checkBundle(const nlohmann::json& bundle);

} // namespace fhirr4
