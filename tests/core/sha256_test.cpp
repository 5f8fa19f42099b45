// SHA-256 against the FIPS 180-2 / NIST example vectors and against sha256sum at the padding and block
// boundaries, one-shot and streamed in awkward chunk sizes.
#include "core/base/sha256.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <utility>

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

// Message lengths where the padding changes shape: 55 bytes still fit the length in the last block, 56 need
// an extra block, 64 fill one exactly, and the same again one block later. Digests from `sha256sum`
// (coreutils), checked against Python's hashlib.
TEST_CASE("SHA-256 matches sha256sum around the padding and block boundaries") {
    const std::pair<size_t, const char*> cases[] = {
        {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
        {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
        {57, "ae14a2563ccf969d99aca69ce6bb74981f734bbf9f655f73b8f06db68cab5217"},
        {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
        {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
        {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
        {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
        {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
        {128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464"},
    };
    for (const auto& [length, digest] : cases) {
        INFO(length << " bytes of 'x'");
        CHECK(hexOf(std::string(length, 'x')) == digest);
    }
}

static std::string hexOfDigest(const std::array<uint8_t, 32>& d) {
    char hex[65];
    for (int i = 0; i < 32; i++)
        std::snprintf(hex + i * 2, 3, "%02x", d[size_t(i)]);
    return hex;
}

// Streamed in pieces of every awkward size (empty updates included), the digest is the known one.
TEST_CASE("SHA-256 gives the known digest however the input is split") {
    std::string message; // "abc...zabc..." (1000 bytes); digest from `sha256sum`
    for (int i = 0; i < 1000; i++)
        message += char('a' + i % 26);
    const std::string known = "915e53a44c18b19bb06ba5b3f5fcaf1dc4651e8404c63425cfc6174e74659d87";
    CHECK(hexOf(message) == known);
    for (size_t chunk : {1, 3, 55, 56, 63, 64, 65, 127, 1000}) {
        INFO("pieces of " << chunk << " bytes");
        dx::Sha256 h;
        for (size_t at = 0; at < message.size(); at += chunk) {
            h.update(message.data() + at, std::min(chunk, message.size() - at));
            h.update(message.data(), 0);
        }
        CHECK(hexOfDigest(h.finish()) == known);
    }
    // The million 'a' of the NIST vector, fed in uneven pieces.
    const std::string million(1000000, 'a');
    dx::Sha256 h;
    for (size_t at = 0, piece = 1; at < million.size(); at += piece, piece = piece * 3 % 1021 + 1)
        h.update(million.data() + at, std::min(piece, million.size() - at));
    CHECK(hexOfDigest(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
