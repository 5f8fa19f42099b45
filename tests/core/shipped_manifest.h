// shipped_manifest.h — a committed model package's manifest (models/<id>/manifest.json), parsed, for the tests
// that check what the shipped models declare (their population, their translated texts).
//
// How to use:
//   dx::ModelManifest m = shippedManifest("cxr-pneumonia");   // REQUIREs that the file reads and parses
#pragma once

#include "core/base/file_io.h"
#include "core/inference/model_manifest.h"

#include <catch2/catch.hpp>

#include <string>

inline dx::ModelManifest shippedManifest(const std::string& id) {
    dx::Result<dx::Bytes> bytes =
        dx::readFileBytes(std::string(DX_SOURCE_DIR) + "/models/" + id + "/manifest.json");
    REQUIRE(bytes.ok());
    dx::Result<dx::ModelManifest> m = dx::parseModelManifest(std::string(bytes->begin(), bytes->end()));
    INFO(id << ": " << (m ? std::string("ok") : m.error().message));
    REQUIRE(m.ok());
    return *m;
}
