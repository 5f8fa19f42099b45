// SHA-256 against the FIPS 180-2 / NIST example vectors, one-shot and streamed in awkward chunk sizes.
#include "core/base/sha256.h"

#include <catch2/catch.hpp>

#include <string>

static std::string hexOf(const std::string& s) {
    return dx::sha256Hex(s.data(), s.size());
}

TEST_CASE("SHA-256 matches the NIST example vectors") {
    CHECK(hexOf("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hexOf("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hexOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(
        hexOf(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
            "mnopqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    CHECK(hexOf(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 gives the same digest however the input is split") {
    std::string message;
    for (int i = 0; i < 1000; i++)
        message += char('a' + i % 26);
    const std::string whole = hexOf(message);
    for (size_t chunk : {1, 3, 55, 56, 63, 64, 65, 127}) {
        dx::Sha256 h;
        for (size_t at = 0; at < message.size(); at += chunk)
            h.update(message.data() + at, std::min(chunk, message.size() - at));
        std::array<uint8_t, 32> d = h.finish();
        char hex[65];
        for (int i = 0; i < 32; i++)
            std::snprintf(hex + i * 2, 3, "%02x", d[size_t(i)]);
        CHECK(std::string(hex) == whole);
    }
    // Lengths around the padding boundary (55/56/64 bytes) differ from each other.
    CHECK(hexOf(std::string(55, 'x')) != hexOf(std::string(56, 'x')));
}
