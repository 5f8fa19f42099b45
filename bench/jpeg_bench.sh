#!/usr/bin/env bash
# jpeg_bench.sh — decode time of DxLens's JPEG codecs (DICOM JPEG lossless, extended 12-bit, baseline), natively
# and as WASM under Node, against Debian's reference tools decoding the same files, in one run.
#
# How to use (from the repository root, after `source ./emsdk_env`; needs Debian dcmtk and libgdcm-tools):
#   bash bench/jpeg_bench.sh        # builds dx_decode_bench natively and as WASM (Release), then runs
# Files (made here into build/bench-files/jpeg from a synthetic CT-like series by dcmcjpeg, nothing committed):
#   16 frames x 512 x 512, 16-bit signed -> JPEG lossless SV1 (.70) and lossless selection 6 (.57);
#   16 frames x 512 x 512, 12-bit        -> JPEG extended (.51); 8-bit -> JPEG baseline (.50, stb_image).
# DxLens: dx::decodeImage from memory (median of >= 7 runs). References: `dcmdjpeg IN OUT` (DCMTK 3.6.7) and
# `gdcmconv --raw IN OUT` (GDCM 3.0), whole commands, median of 5 runs: they include process start, reading
# the file and writing the uncompressed result (to /dev/shm when present), which DxLens's figure does not;
# `startup` rows time the same commands on a 1-frame 8 x 8 file to show that fixed part.
# Target: WASM within 2.5x of the native reference tool. Figures go into bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${DX_JOBS:-2}
native=${DX_BENCH_NATIVE:-build/bench-native}
wasm=${DX_BENCH_WASM:-build/bench-wasm}
files=build/bench-files/jpeg
mkdir -p "$files"

cmake --preset native -B "$native" >/dev/null
cmake --build "$native" -j"$jobs" --target dx_decode_bench >/dev/null
cmake --preset wasm -B "$wasm" >/dev/null
cmake --build "$wasm" -j"$jobs" --target dx_decode_bench >/dev/null

/usr/bin/python3 - "$files" <<'PY'
import os, subprocess, sys
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
out = sys.argv[1]

def write(path, arr, bits, signed):
    meta = FileMetaDataset()
    # Multi-frame Grayscale Byte/Word Secondary Capture: gdcmconv refuses to write frames of plain SC
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7." + ("2" if arr.dtype.itemsize == 1 else "3")
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.2.1125.1.%d" % len(path)
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID, "CT"
    frames, rows, cols = arr.shape
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, cols, 1, "MONOCHROME2"
    ds.NumberOfFrames = frames
    ds.BitsAllocated = arr.dtype.itemsize * 8
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits - 1, int(signed)
    ds.PixelData = arr.tobytes()
    pydicom.dcmwrite(path, ds, write_like_original=False)

rng = np.random.default_rng(7)
f, y, x = np.mgrid[0:16, 0:512, 0:512]
body = ((x - 256) ** 2 + (y - 256) ** 2 < 200 ** 2) * 1000 + np.sin(x / 9.0 + f) * 80 + np.cos(y / 13.0) * 60
ct = (body - 1000 + rng.normal(0, 20, body.shape)).astype(np.int16)
write(out + "/ct16.dcm", ct, 16, True)
write(out + "/ct12.dcm", ((ct.astype(np.int32) + 1024).clip(0, 4095)).astype(np.uint16), 12, False)
write(out + "/ct8.dcm", ((ct.astype(np.int32) + 1024) // 16).clip(0, 255).astype(np.uint8), 8, False)
write(out + "/tiny.dcm", np.full((1, 8, 8), 100, np.uint16), 12, False)
for name, source, options in (("lossless_sv1_16bit", "ct16", ["+e1"]), ("lossless_sv6_16bit", "ct16", ["+el"]),
                              ("extended_12bit", "ct12", ["+ee"]), ("baseline_8bit", "ct8", ["+eb"]),
                              ("startup_lossless", "tiny", ["+e1"]), ("startup_extended", "tiny", ["+ee"])):
    subprocess.run(["dcmcjpeg"] + options + [out + "/" + source + ".dcm", out + "/" + name + ".dcm"], check=True)
PY
inputs=("$files"/lossless_sv1_16bit.dcm "$files"/lossless_sv6_16bit.dcm "$files"/extended_12bit.dcm
        "$files"/baseline_8bit.dcm)

"$native"/bin/dx_decode_bench "${inputs[@]}" > "$files/native.jsonl" 2>/dev/null
node --no-experimental-fetch "$wasm"/bin/dx_decode_bench.js "${inputs[@]}" > "$files/wasm.jsonl" 2>/dev/null

/usr/bin/python3 - "$files" "${inputs[@]}" <<'PY'
import json, os, statistics, subprocess, sys, time
folder, inputs = sys.argv[1], sys.argv[2:]
load = lambda name: {r.get("file", ""): r for r in map(json.loads, open(folder + "/" + name)) if r["case"] == "decode"}
native, wasm = load("native.jsonl"), load("wasm.jsonl")
scratch = "/dev/shm" if os.path.isdir("/dev/shm") else folder

def tool_ms(command, path):
    target = os.path.join(scratch, "dx_jpeg_bench_out.dcm")
    times = []
    for _ in range(6):  # the first run warms the page cache and is dropped
        t = time.perf_counter()
        subprocess.run(command + [path, target], check=True, capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
    os.remove(target)
    return statistics.median(times[1:])

dcmtk, gdcm = ["dcmdjpeg"], ["gdcmconv", "--raw"]
print("DxLens JPEG decode benchmark (16 frames x 512 x 512; median ms; ratios > 1: DxLens slower)")
print("%-22s %9s %9s %9s %9s %9s %9s %9s" % ("file", "native", "wasm", "dcmdjpeg", "gdcmconv", "nat/dcmtk",
                                            "wasm/dcmtk", "wasm/gdcm"))
worst = 0
for path in inputs:
    n, w = native[path], wasm[path]
    assert n["ok"] and w["ok"], path
    d, g = tool_ms(dcmtk, path), tool_ms(gdcm, path)
    worst = max(worst, w["ms"] / min(d, g))
    print("%-22s %9.1f %9.1f %9.1f %9.1f %9.2f %9.2f %9.2f" % (os.path.basename(path)[:-4], n["ms"], w["ms"], d, g,
                                                               n["ms"] / d, w["ms"] / d, w["ms"] / g))
for name in ("startup_lossless", "startup_extended"):
    path = os.path.join(folder, name + ".dcm")
    print("%-22s %9s %9s %9.1f %9.1f   (1 frame 8 x 8: process start + I/O)" % (name, "", "", tool_ms(dcmtk, path),
                                                                             tool_ms(gdcm, path)))
print("  worst WASM / fastest reference tool: %.2fx   (target <= 2.5x)" % worst)
PY
