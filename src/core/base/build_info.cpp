#include "core/base/build_info.h"

#ifndef DX_VERSION
#define DX_VERSION "0.0.0"
#endif
#ifndef DX_GIT_COMMIT
#define DX_GIT_COMMIT "unknown"
#endif
#ifndef DX_BUILD_TYPE
#define DX_BUILD_TYPE "unknown"
#endif

namespace dx {

const BuildInfo& buildInfo() {
    static const BuildInfo info = {
        DX_VERSION,
        DX_GIT_COMMIT,
        DX_BUILD_TYPE,
#if defined(__clang__)
        "clang " __clang_version__,
#elif defined(__GNUC__)
        "gcc " __VERSION__,
#else
        "unknown compiler",
#endif
#if defined(__EMSCRIPTEN__)
        "wasm32",
#else
        "native",
#endif
    };
    return info;
}

} // namespace dx
