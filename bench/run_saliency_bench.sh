#!/usr/bin/env bash
# run_saliency_bench.sh — the occlusion heatmap of cxr-pneumonia on a 2048 x 2048 chest X-ray: the shipped
# settings (16 x 16 cells) against the earlier 8 x 8 ones, natively and on WASM (ONNX Runtime Web under Node),
# side by side. Prints each run's JSON lines and a table.
#
# How to use (repository root, after `source ./emsdk_env` and `npm install`):
#   bash bench/run_saliency_bench.sh [ROUNDS] [GRID PATCH BATCH]
# DX_BENCH_NATIVE / DX_BENCH_WASM: build folders to use (default build/native, build/wasm; built if needed).
# DX_BENCH_MODEL (default models/cxr-pneumonia), DX_BENCH_LABEL (default pneumonia).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rounds=${1:-7}
shift || true
native=${DX_BENCH_NATIVE:-build/native}
wasm=${DX_BENCH_WASM:-build/wasm}
model=${DX_BENCH_MODEL:-models/cxr-pneumonia}
label=${DX_BENCH_LABEL:-pneumonia}

cmake --build "$native" --target dx_saliency_bench -j2 >/dev/null
cmake --build "$wasm" --target dx_saliency_bench -j2 >/dev/null

# A real radiograph, scaled to 2048 x 2048 (the heatmap's cost must not depend on the image's size); a
# radiograph-like pattern when the shared samples are absent.
mkdir -p build/bench-files
image=build/bench-files/cxr_2048.png
sample=../shared/data/samples/nih_cxr14_00000001_000.png
/usr/bin/python3 - "$sample" "$image" <<'PY'
import os, sys
import numpy as np
from PIL import Image
sample, out = sys.argv[1], sys.argv[2]
if os.path.exists(sample):
    Image.open(sample).convert('L').resize((2048, 2048), Image.BICUBIC).save(out)
else:
    y, x = np.mgrid[0:2048, 0:2048] / 2048.0
    a = 90 + 60*np.sin(6*x)*np.cos(4*y) + 50*((x-0.35)**2/0.04 + (y-0.5)**2/0.12 < 1) + 50*((x-0.65)**2/0.04 + (y-0.5)**2/0.12 < 1)
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(out)
PY

echo "# occlusion heatmap benchmark — $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## native (ONNX Runtime CPU, 1 thread)"
"$native/bin/dx_saliency_bench" "$model" "$image" "$label" "$rounds" "$@" | tee build/bench-files/saliency_native.jsonl
echo "## WASM (ONNX Runtime Web, WASM backend, Node, 1 thread)"
node bench/saliency_bench.mjs "$wasm/bin/dx_saliency_bench.cjs" "$model" "$image" "$label" "$rounds" "$@" \
    | tee build/bench-files/saliency_wasm.jsonl

/usr/bin/python3 - build/bench-files/saliency_native.jsonl build/bench-files/saliency_wasm.jsonl <<'PY'
import json, sys
print('\n| build | settings | grid | patch (cells) | occluded inputs | backend calls | median wall ms | median CPU ms |')
print('|---|---|---|---|---|---|---|---|')
ratios = []
for name, path in zip(('native', 'WASM'), sys.argv[1:]):
    rows = [json.loads(l) for l in open(path) if l.startswith('{')]
    for r in rows:
        if r['case'] == 'heatmap':
            print(f"| {name} | {r['settings']} | {r['grid']} x {r['grid']} | {r['patch_cells']} | {r['occluded_inputs']} "
                  f"| {r['backend_calls']} | {r['median_ms']:.0f} | {r['median_cpu_ms']:.0f} |")
        if r['case'] == 'ratio':
            ratios.append(f"{name}: new / old {r['new_over_old']:.2f} wall, {r['new_over_old_cpu']:.2f} CPU")
print('\n' + '; '.join(ratios))
PY
