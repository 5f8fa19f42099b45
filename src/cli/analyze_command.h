// analyze_command.h — `dxlens analyze`: run a model package on image files or table rows, one JSON line each.
//
// How to use (from main.cpp): if (!strcmp(argv[1], "analyze")) return dx::runAnalyzeCommand(argc - 2, argv + 2);
//
//   dxlens analyze --model <package folder> [--backend cpu] [--threads N] [--mask-out DIR] [--table rows.csv]
//                  [--dump-input DIR] [--no-outputs] [--session-info] [--contributions] [--population in] FILE...
//
// Runs the same C++ pipeline as the browser (core/inference/inference.h) on the native ONNX Runtime CPU backend
// (src/platform/native). Output: one JSON object per input on stdout (format in core/inference/analysis_json.h).
// Errors: one line "dxlens analyze: ..." on stderr and exit code 2; with several inputs the others still run.
#pragma once

namespace dx {

int runAnalyzeCommand(int argc, char** argv);
const char* analyzeUsage();

} // namespace dx
