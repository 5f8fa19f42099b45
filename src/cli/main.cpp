// dxlens — command-line front end over src/core. Subcommands are added by the issues that need them
// (info, decode, analyze). Errors: exit code 2 and one line on stderr.
#include "core/build_info.h"

#include <cstdio>
#include <cstring>

static int printVersion() {
    const dx::BuildInfo& b = dx::buildInfo();
    std::printf("dxlens %s (%s, %s, %s)\n", b.version, b.commit, b.buildType, b.compiler);
    return 0;
}

static int usage(FILE* out) {
    std::fprintf(out, "usage: dxlens --version\n"
                      "DxLens is research software, not a medical device.\n");
    return out == stderr ? 2 : 0;
}

int main(int argc, char** argv) {
    if (argc < 2) return usage(stderr);
    if (!std::strcmp(argv[1], "--version")) return printVersion();
    if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) return usage(stdout);
    std::fprintf(stderr, "dxlens: unknown command '%s' (try dxlens --help)\n", argv[1]);
    return 2;
}
