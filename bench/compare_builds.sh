#!/usr/bin/env bash
# compare_builds.sh — two builds of DxLens's decode benchmark (dx_decode_bench), run in turns on the same files,
# printed side by side as ratios: did a change (a refactor, a compiler flag) make intake slower?
#
# How to use (from the repository root, after `source ./emsdk_env`):
#   bash bench/compare_builds.sh OLD_BUILD NEW_BUILD [ROUNDS]
#   bash bench/compare_builds.sh ../baseline/build/native build/native 5
# OLD_BUILD and NEW_BUILD are build folders holding bin/dx_decode_bench (native) or bin/dx_decode_bench.js
# (wasm, run under Node). Each round runs the two back to back (old first in even rounds, new first in odd
# ones), so a busy machine's load drifts less between the two runs of a pair than between rounds; per case it
# prints each round's new/old and their median (> 1: the new build is slower). stb_image's own decode
# (decode_stb) is the same code in any two builds: its spread shows how noisy the machine was. The files: those bench/run_bench.sh makes in build/bench-files (made here if missing) and the
# chest X-ray PNGs in ../shared/data/samples when present.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
old=${1:?usage: compare_builds.sh OLD_BUILD NEW_BUILD [ROUNDS]}
new=${2:?usage: compare_builds.sh OLD_BUILD NEW_BUILD [ROUNDS]}
rounds=${3:-3}
files=build/bench-files
mkdir -p "$files"

if [[ ! -f $files/grey_2048.png ]]; then
    /usr/bin/python3 bench/make_bench_files.py "$files"
fi
inputs=("$files"/grey_2048.png "$files"/grey_2048.jpg "$files"/rgb_1024.png "$files"/rgb_1024.jpg)
for f in ../shared/data/samples/*.png; do [[ -f $f ]] && inputs+=("$f"); done

run() { # run BUILD OUT
    if [[ -x $1/bin/dx_decode_bench ]]; then
        "$1"/bin/dx_decode_bench "${inputs[@]}" >"$2" 2>/dev/null
    else
        node --no-experimental-fetch "$1"/bin/dx_decode_bench.js "${inputs[@]}" >"$2" 2>/dev/null
    fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((r = 0; r < rounds; r++)); do
    if ((r % 2 == 0)); then
        run "$old" "$out/old.$r"; run "$new" "$out/new.$r"
    else
        run "$new" "$out/new.$r"; run "$old" "$out/old.$r"
    fi
done

/usr/bin/python3 - "$out" "$rounds" "$old" "$new" <<'PY'
import json, statistics, sys
folder, rounds, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def load(which, r):
    return {rec["case"] + " " + rec.get("file", "").split("/")[-1]: rec["ms"]
            for rec in map(json.loads, open(f"{folder}/{which}.{r}"))}
runs = [(load("old", r), load("new", r)) for r in range(rounds)]
print(f"decode benchmark, {rounds} rounds, old and new back to back in each: old = {old}, new = {new}")
print("new/old per round (each run's median of many); > 1: the new build is slower")
print("%-48s %10s %10s %8s  %s" % ("case", "old ms", "new ms", "median", "rounds"))
medians = []
for key in runs[0][0]:
    ratios = [b[key] / a[key] for a, b in runs if key in a and key in b]
    if not ratios: continue
    medians.append(statistics.median(ratios))
    print("%-48s %10.3f %10.3f %8.2f  %s" % (key, statistics.median(a[key] for a, _ in runs),
          statistics.median(b[key] for _, b in runs), medians[-1], " ".join("%.2f" % x for x in ratios)))
print("geometric mean of the medians new/old: %.3f" % statistics.geometric_mean(medians))
PY
