// file_io.h — reading whole files and model-package folders, the same way natively and in WASM (where the
// browser's files are written into Emscripten's in-memory file system first).
//
// How to use:
//   dx::Result<dx::Bytes> bytes = dx::readFileBytes("/packages/3/model.onnx");
//   dx::Status written = dx::writeFileBytes("out/report.json", text.data(), text.size());   // replaces the file
//   dx::ReadPackageFile read = dx::packageFolderReader("/packages/3");
//   dx::Result<dx::ModelPackage> pkg = dx::readModelPackage(read, decode);
#pragma once

#include "core/base/bytes.h"
#include "core/base/result.h"

#include <functional>
#include <string>

namespace dx {

Result<Bytes> readFileBytes(const std::string& path);
// Creates or replaces the file with exactly these bytes; the error names the file and says why (no such folder,
// no permission, disk full).
Status writeFileBytes(const std::string& path, const void* data, size_t size);

// Reads one file of a package by its path relative to the package folder (a folder on disk in the CLI, the
// files a user picked together in the browser).
using ReadPackageFile = std::function<Result<Bytes>(const std::string& relativePath)>;

// Reads files of a package by the relative paths its manifest names. Paths that would leave the folder
// (absolute, or with "..") are refused: a manifest must not make DxLens read other files.
ReadPackageFile packageFolderReader(std::string folder);

} // namespace dx
