// sha256.h — SHA-256 (FIPS 180-4), used to verify a model file against its manifest before it is run.
//
// How to use:
//   std::string hex = dx::sha256Hex(bytes.data(), bytes.size());     // 64 lowercase hex digits
//   dx::Sha256 h; h.update(p, n); h.update(q, m); auto digest = h.finish();   // streaming
//
// Small and dependency-free so it builds the same natively and in WASM (the browser verifies the model bytes
// it fetched with exactly this code). Tested against the NIST example vectors in tests/core/sha256_test.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace dx {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t size);
    std::array<uint8_t, 32> finish(); // the object must not be updated afterwards

private:
    void processBlock(const uint8_t* block);

    uint32_t state_[8];
    uint8_t buffer_[64];
    size_t bufferSize_ = 0;
    uint64_t totalBytes_ = 0;
};

std::string sha256Hex(const void* data, size_t size);

} // namespace dx
