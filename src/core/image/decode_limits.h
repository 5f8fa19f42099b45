// decode_limits.h — how much work and memory one decode may take, checked before anything is allocated.
//
// How to use:
//   dx::DecodeLimits limits;                 // defaults: 1 GiB of decoded pixels, sequences 32 levels deep
//   limits.maxDecodedBytes = 256u << 20;     // a tighter budget, e.g. on a phone
//   dx::Result<dx::Image> img = dx::decodeImage(bytes, limits);
#pragma once

#include <cstddef>
#include <cstdint>

namespace dx {

struct DecodeLimits {
    uint64_t maxDecodedBytes = uint64_t(1) << 30; // decoded pixels of all frames, and any inflated data set
    int maxSequenceDepth = 32;                    // DICOM sequences nested deeper than this are refused
};

} // namespace dx
