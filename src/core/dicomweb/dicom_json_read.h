// dicom_json_read.h — reading values out of the DICOM JSON model (PS3.18 F.2), shared by qido.cpp and stow.cpp;
// not for use outside src/core/dicomweb (it exposes nlohmann::json).
//
// How to use:
//   const nlohmann::json& dataset = ...;                       // {"0020000D": {"vr": "UI", "Value": ["1.2"]}}
//   std::string uid = dx::dicomJsonString(dataset, "0020000D"); // "" when absent or not text
//   std::vector<std::string> mods = dx::dicomJsonStrings(dataset, "00080061");
//   std::optional<int> frames = dx::dicomJsonInt(dataset, "00280008");
//
// Lenient on purpose: archives send IS/DS as numbers or as strings, tag keys in either case, PN as
// {"Alphabetic": ...} objects or (old servers) plain strings, and multi-valued text joined with '\'. A value of
// an unexpected shape is treated as absent, never as an error: one odd attribute must not hide a whole study.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace dx {

const nlohmann::json* dicomJsonAttribute(const nlohmann::json& dataset, const char* tag);
std::vector<std::string> dicomJsonStrings(const nlohmann::json& dataset, const char* tag);
std::string dicomJsonString(const nlohmann::json& dataset, const char* tag); // first value; values joined: no
std::optional<int> dicomJsonInt(const nlohmann::json& dataset, const char* tag);
// The items of a sequence (SQ) attribute: the objects in its Value array (non-objects skipped).
std::vector<const nlohmann::json*> dicomJsonItems(const nlohmann::json& dataset, const char* tag);

} // namespace dx
