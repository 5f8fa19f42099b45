// build_info.h — what build of DxLens this is (version, commit, build type, compiler, target).
//
// How to use: dx::buildInfo().version, e.g. for the status bar or `dxlens --version`.
#pragma once

namespace dx {

struct BuildInfo {
    const char* version;   // semantic version from CMakeLists.txt
    const char* commit;    // short git commit the build was configured from
    const char* buildType; // Release, Debug, ...
    const char* compiler;  // e.g. "clang 14.0.0"
    const char* target;    // "wasm32" or "native"
};

const BuildInfo& buildInfo();

} // namespace dx
