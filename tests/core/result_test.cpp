#include "core/base/build_info.h"
#include "core/base/result.h"

#include <catch2/catch.hpp>

using dx::Error;
using dx::Result;

static Result<int> parsePositive(int v) {
    if (v <= 0) return Error("value must be positive, got " + std::to_string(v));
    return v;
}

TEST_CASE("Result carries a value or a readable error") {
    Result<int> good = parsePositive(4);
    REQUIRE(good.ok());
    CHECK(*good == 4);

    Result<int> bad = parsePositive(-2);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "value must be positive, got -2");
}

TEST_CASE("Status defaults to success and keeps the error message") {
    dx::Status fine;
    CHECK(fine.ok());
    dx::Status failed = Error("disk full");
    CHECK_FALSE(failed.ok());
    CHECK(failed.error().message == "disk full");
}

TEST_CASE("Build info names the target the core was compiled for") {
    const dx::BuildInfo& info = dx::buildInfo();
    CHECK(std::string(info.version).size() >= 5);
#if defined(__EMSCRIPTEN__)
    CHECK(std::string(info.target) == "wasm32");
#else
    CHECK(std::string(info.target) == "native");
#endif
}
