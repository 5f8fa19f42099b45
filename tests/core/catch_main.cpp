// The one Catch2 main for every unit-test executable (Catch2 2.x single header from Debian's catch2 package).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
