#!/usr/bin/env bash
# run_bench.sh — decode benchmark of DxLens's image intake, printed side by side with the limits it is held to.
#
# How to use (from the repository root, after `source ./emsdk_env`):
#   bash bench/run_bench.sh            # builds build/bench-native and build/bench-wasm (Release), then runs
# Prints, in one run:
#   uncompressed DICOM parse+decode vs memcpy of the same bytes    (target: within 3x of memcpy)
#   PNG/JPEG decode, DxLens native (stb_image) vs Pillow (libpng/libjpeg-turbo) on the same files, from memory
#   WASM under Node vs native for every case                      (target: within 2x of native)
#   PNG: the common-PNG fast path (libdeflate) vs stb_image alone, native and WASM
# The files: two 512x512 chest X-ray PNGs from ../shared/data/samples when present, and PNG/JPEG images made
# here with Pillow (2048x2048 grey, 1024x1024 colour) into build/bench-files. Figures go into bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${DX_JOBS:-2}
native=${DX_BENCH_NATIVE:-build/bench-native}
wasm=${DX_BENCH_WASM:-build/bench-wasm}
files=build/bench-files
mkdir -p "$files"

cmake --preset native -B "$native" >/dev/null
cmake --build "$native" -j"$jobs" --target dx_decode_bench >/dev/null
cmake --preset wasm -B "$wasm" >/dev/null
cmake --build "$wasm" -j"$jobs" --target dx_decode_bench >/dev/null

/usr/bin/python3 bench/make_bench_files.py "$files"
inputs=("$files"/grey_2048.png "$files"/grey_2048.jpg "$files"/rgb_1024.png "$files"/rgb_1024.jpg)
for f in ../shared/data/samples/*.png; do [[ -f $f ]] && inputs+=("$f"); done

"$native"/bin/dx_decode_bench "${inputs[@]}" > "$files/native.jsonl" 2>/dev/null
node --no-experimental-fetch "$wasm"/bin/dx_decode_bench.js "${inputs[@]}" > "$files/wasm.jsonl" 2>/dev/null

/usr/bin/python3 - "$files" "${inputs[@]}" <<'PY'
import io, json, statistics, sys, time
from PIL import Image
folder, inputs = sys.argv[1], sys.argv[2:]
load = lambda name: {(r["case"] + ":" + r.get("file", "")): r for r in map(json.loads, open(folder + "/" + name))}
native, wasm = load("native.jsonl"), load("wasm.jsonl")

def pil_ms(path):
    data = open(path, "rb").read()
    def once():
        im = Image.open(io.BytesIO(data)); im.load()
    once()
    times = []
    while len(times) < 7 or (sum(times) < 500 and len(times) < 1000):  # same rule as decode_bench.cpp
        t = time.perf_counter(); once(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)

n_dicom, n_copy = native["dicom_native_parse_copy:"], native["memcpy:"]
w_dicom, w_copy = wasm["dicom_native_parse_copy:"], wasm["memcpy:"]
mib = n_dicom["bytes"] / 2**20
print("DxLens decode benchmark (median of runs; ratios > 1 mean slower than the reference)")
print("%-44s %10s %10s %9s" % ("case", "native ms", "wasm ms", "wasm/nat"))
print("%-44s %10.2f %10.2f %9.2f" % ("uncompressed DICOM parse+decode, %.0f MiB" % mib, n_dicom["ms"], w_dicom["ms"],
                                     w_dicom["ms"] / n_dicom["ms"]))
print("%-44s %10.2f %10.2f %9.2f" % ("memcpy of the same bytes", n_copy["ms"], w_copy["ms"], w_copy["ms"] / n_copy["ms"]))
print("  DICOM parse+decode / memcpy: native %.2fx, wasm %.2fx   (target <= 3x)" % (
    n_dicom["ms"] / n_copy["ms"], w_dicom["ms"] / w_copy["ms"]))
print()
print("%-44s %10s %10s %10s %9s %9s" % ("file", "DxLens ms", "Pillow ms", "wasm ms", "nat/PIL", "wasm/nat"))
worst = 0
for path in inputs:
    key = "decode:" + path
    n, w = native[key], wasm[key]
    p = pil_ms(path)
    worst = max(worst, w["ms"] / n["ms"])
    print("%-44s %10.2f %10.2f %10.2f %9.2f %9.2f" % (path.split("/")[-1], n["ms"], p, w["ms"], n["ms"] / p, w["ms"] / n["ms"]))
print("  worst WASM/native decode ratio: %.2fx   (target <= 2x)" % worst)
print()
print("PNG: DxLens (common-PNG fast path, libdeflate) vs stb_image alone, same build, same run")
print("%-44s %10s %10s %9s %10s %10s %9s" % ("file", "nat fast", "nat stb", "stb/fast", "wasm fast", "wasm stb", "stb/fast"))
for path in inputs:
    key = "decode_stb:" + path
    if key not in native:
        continue
    nf, ns, wf, ws = native["decode:" + path]["ms"], native[key]["ms"], wasm["decode:" + path]["ms"], wasm[key]["ms"]
    print("%-44s %10.2f %10.2f %9.2f %10.2f %10.2f %9.2f" % (path.split("/")[-1], nf, ns, ns / nf, wf, ws, ws / wf))
PY
