// bytes.h — the one type for a file's or a buffer's raw bytes, shared by every layer.
//
// How to use:
//   dx::Bytes data = ...;                       // std::vector<uint8_t>
//   dx::Result<dx::Bytes> r = dx::readFileBytes(path);   // core/base/file_io.h
//
// A header of its own so that code which only moves bytes around (file reading, codecs) does not pull in the
// inference pipeline to get the name.
#pragma once

#include <cstdint>
#include <vector>

namespace dx {

using Bytes = std::vector<uint8_t>;

} // namespace dx
