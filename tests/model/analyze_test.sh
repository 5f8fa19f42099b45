#!/usr/bin/env bash
# analyze_test.sh DXLENS FIXTURES CASE — end-to-end checks of `dxlens analyze`, registered with CTest
# (tests/CMakeLists.txt). FIXTURES is what make_test_packages.py wrote. Cases:
#   golden PACKAGE   analyze the test images with --dump-input (and --mask-out); the dumped tensors must equal an
#                    independent numpy implementation (preprocess_reference.py) and the printed raw outputs must
#                    equal onnxruntime-node's outputs for those tensors (golden_ort.mjs), both to 1e-5
#   table            the tabular package on a CSV, golden against onnxruntime-node too
#   bad              corrupt model, manifest/model mismatch, wrong sha256, int64 input, missing files, wrong
#                    reference, undecodable image, out-of-range table value: exit 2 and one clear line each
#   many             10,000 image paths on one command line: one result line each, in order, nothing in HOME
#   archive          --list/--out/--shard: 3 shards over 400 inputs (one missing file), one killed and one cut
#                    mid-line then resumed, every input exactly once, a finished shard re-run does nothing,
#                    another model refused, `dxlens merge` with labels equal to one single-process run, a missing
#                    shard reported (exit 1), peak memory over 10,000 inputs that of 1,000
#   shipped          every committed models/*/ package: validates, sha256 matches, and its reference input
#                    reproduces its reference outputs through `dxlens analyze` (exit 77 = skipped when none)
#   heatmap          --heatmap on the shipped cxr-pneumonia's reference image: the app's 16 x 16 grid in 5 batched
#                    calls, a finite map at the image's pixels whose quarters agree with the JSON, other settings
#                    by option, and clear errors for an unknown label or --heatmap-out alone
# Exit 77 marks a skip (onnxruntime-node not installed); anything else non-zero is a failure.
set -uo pipefail
dxlens=$1 fixtures=$2 case=$3
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
# Under the native-asan preset: ONNX Runtime's own load-time allocation is not a DxLens leak (see the file).
export LSAN_OPTIONS="suppressions=$here/lsan_onnxruntime.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
work="$fixtures/run-$case${4:+-$4}"
rm -rf "$work" && mkdir -p "$work"
images=("$fixtures/images/grey8.png" "$fixtures/images/rgb.png" "$fixtures/images/grey16.png" "$fixtures/images/blob.png")
# DICOM through the same checks when pydicom's own test files are installed (python3-pydicom): CT with a rescale
# and no window (min..max), MR with a window in the file.
pydicom_files=$($py -c 'import os, pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files"))' 2>/dev/null)
for f in CT_small.dcm MR_small.dcm; do
    [[ -f "$pydicom_files/$f" ]] && images+=("$pydicom_files/$f")
done
failures=0

have_ort() { [[ -f "$repo/node_modules/onnxruntime-node/package.json" ]]; }
check() { # check NAME EXPECTED_RC EXPECTED_TEXT COMMAND... : exit code and a substring of stderr
    local name=$1 want_rc=$2 want_text=$3
    shift 3
    local err rc
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    if [[ $rc -ne $want_rc || $err != *"$want_text"* ]]; then
        echo "FAIL $name: exit $rc (want $want_rc), stderr: $err"
        failures=$((failures + 1))
    else
        echo "ok $name: exit $rc: ${err:-(no message)}"
    fi
}

case $case in
golden)
    pkg="$fixtures/packages/$4"
    extra=()
    if [[ $4 == seg ]]; then extra=(--mask-out "$work/masks"); fi
    "$dxlens" analyze --model "$pkg" --dump-input "$work/dump" "${extra[@]}" "${images[@]}" >"$work/results.jsonl" ||
        { echo "FAIL: dxlens analyze exited $?"; exit 1; }
    masks=()
    if [[ $4 == seg ]]; then masks=(--masks "$work/masks"); fi
    $py "$here/preprocess_reference.py" "$pkg" "$work/dump" "${images[@]}" "${masks[@]}" <"$work/results.jsonl" ||
        failures=$((failures + 1))
    have_ort || { echo "onnxruntime-node missing: golden comparison skipped"; exit 77; }
    node "$here/golden_ort.mjs" "$pkg/model.onnx" "$work/dump" "$work/results.jsonl" || failures=$((failures + 1))
    ;;
table)
    pkg="$fixtures/packages/tab"
    "$dxlens" analyze --model "$pkg" --table "$fixtures/tables/rows.csv" --dump-input "$work/dump" >"$work/results.jsonl" ||
        { echo "FAIL: dxlens analyze exited $?"; exit 1; }
    [[ $(wc -l <"$work/results.jsonl") -eq 2 ]] || { echo "FAIL: expected 2 result lines"; failures=$((failures + 1)); }
    have_ort || { echo "onnxruntime-node missing: golden comparison skipped"; exit 77; }
    node "$here/golden_ort.mjs" "$pkg/model.onnx" "$work/dump" "$work/results.jsonl" || failures=$((failures + 1))
    ;;
bad)
    p="$fixtures/packages"
    img="$fixtures/images/grey8.png"
    check corrupt-model 2 "could not load model.onnx: Failed to load model because protobuf parsing failed" \
        "$dxlens" analyze --model "$p/bad-corrupt" "$img"
    check manifest-mismatch 2 "manifest.json says input 'image' is [1, 3, 16, 16] but model.onnx's input 'image' is [?, 1, 16, 16]" \
        "$dxlens" analyze --model "$p/bad-mismatch" "$img"
    check wrong-dtype 2 "model.onnx's input 'image' is int64 but manifest.json describes float32" \
        "$dxlens" analyze --model "$p/bad-int64" "$img"
    check wrong-sha256 2 "model.onnx does not match manifest.json's sha256" \
        "$dxlens" analyze --model "$p/bad-sha" "$img"
    check missing-reference 2 "has no readable file 'reference/outputs.json'" \
        "$dxlens" analyze --model "$p/bad-missing" "$img"
    check wrong-reference 2 "the self-test failed on the cpu backend: output 'logits'[0] is" \
        "$dxlens" analyze --model "$p/bad-wrongref" "$img"
    check missing-folder 2 "model folder '$p/nowhere' does not exist" "$dxlens" analyze --model "$p/nowhere" "$img"
    check missing-image 2 "no-such.png: no such file" "$dxlens" analyze --model "$p/cls" "$fixtures/no-such.png"
    check image-for-table-model 2 "tab is a tabular model; give it table rows, not images" \
        "$dxlens" analyze --model "$p/tab" "$img"
    check out-of-range 2 "'radius' is 75 mm, outside its valid range 0 to 50 mm." \
        "$dxlens" analyze --model "$p/tab" --table "$fixtures/tables/bad-range.csv"
    check wrong-backend 2 "backend 'webgpu' is not available in the native CLI" \
        "$dxlens" analyze --model "$p/cls" --backend webgpu "$img"
    check no-model-option 2 "--model <package folder> is required" "$dxlens" analyze "$img"
    check population-value 2 "--population takes 'in' (the patient is in the model's intended population), got 'maybe'" \
        "$dxlens" analyze --model "$p/cls" --population maybe "$img"
    check missing-ort-library 2 "libonnxruntime.so.1) could not be opened" \
        env DXLENS_ORT_LIBRARY=/nonexistent/libonnxruntime.so.1 "$dxlens" analyze --model "$p/cls" "$img"
    # A bad file among good ones: one error line, exit 2, and the good files are still analyzed.
    out=$("$dxlens" analyze --model "$p/cls" "$img" "$fixtures/images/truncated.png" "$fixtures/images/rgb.png" \
        2>"$work/stderr")
    rc=$?
    if [[ $rc -eq 2 && $(printf '%s\n' "$out" | wc -l) -eq 2 && $(wc -l <"$work/stderr") -eq 1 ]] &&
        grep -q "truncated.png: The PNG image cannot be decoded" "$work/stderr"; then
        echo "ok bad-file-among-good: exit 2, 2 results, error: $(cat "$work/stderr")"
    else
        echo "FAIL bad-file-among-good: exit $rc, stdout: $out, stderr: $(cat "$work/stderr")"
        failures=$((failures + 1))
    fi
    ;;
many)
    # 10,000 image paths on one command line: exactly one result line per input, in the order given. With its
    # telemetry on, ONNX Runtime's start-up ran a regex over the whole command line that recursed once per
    # character and overflowed the stack from about 28 KB of arguments, before the first image. The variables
    # that let ORT skip its telemetry (CI runners set some) are removed, so this checks that dxlens switches it off
    # itself, and that nothing lands in HOME (ORT kept a device id and events to upload under ~/.cache).
    n=10000
    names=(grey8.png rgb.png grey16.png blob.png)
    files=()
    for ((i = 0; i < n; i++)); do files+=("images/${names[i % 4]}"); done
    mkdir -p "$work/home"
    (cd "$fixtures" && env -u ORT_DISABLE_TELEMETRY -u ORT_TELEMETRY_DISABLED -u ORT_RUNNING_UNIT_TESTS -u CI \
        -u TF_BUILD -u GITHUB_ACTIONS -u GITLAB_CI -u CIRCLECI -u TRAVIS -u JENKINS_URL -u CODEBUILD_BUILD_ID \
        -u BUILDKITE -u TEAMCITY_VERSION -u APPVEYOR -u BITBUCKET_BUILD_NUMBER -u SYSTEM_TEAMFOUNDATIONCOLLECTIONURI \
        -u XDG_CACHE_HOME HOME="$work/home" "$dxlens" analyze --model packages/cls --no-outputs "${files[@]}") \
        >"$work/results.jsonl" 2>"$work/stderr"
    rc=$?
    printf '%s\n' "${files[@]}" >"$work/inputs.txt"
    if [[ $rc -ne 0 ]]; then
        echo "FAIL many: dxlens analyze exited $rc with $n inputs, $(wc -l <"$work/results.jsonl") result lines," \
            "stderr: $(head -c 500 "$work/stderr")"
        failures=$((failures + 1))
    fi
    $py - "$work/inputs.txt" "$work/results.jsonl" <<'PYEOF' || failures=$((failures + 1))
import json, sys
inputs = open(sys.argv[1]).read().splitlines()
lines = open(sys.argv[2]).read().splitlines()
files = [json.loads(line)["file"] for line in lines]
bad = next((i for i, (a, b) in enumerate(zip(inputs, files)) if a != b), None)
if len(files) != len(inputs) or bad is not None:
    print(f"FAIL many: {len(files)} result lines for {len(inputs)} inputs"
          + (f"; line {bad + 1} is {files[bad]} but input {bad + 1} is {inputs[bad]}" if bad is not None else ""))
    sys.exit(1)
print(f"ok many: {len(files)} inputs, one result line each, in order")
PYEOF
    if [[ -n $(ls -A "$work/home") ]]; then
        echo "FAIL many: dxlens wrote into HOME: $(cd "$work/home" && find . -mindepth 1 | head -5 | tr '\n' ' ')"
        failures=$((failures + 1))
    fi
    ;;
archive)
    pkg="$fixtures/packages/cls"
    names=(grey8.png rgb.png grey16.png blob.png)
    : >"$work/list.txt"
    echo "file,label" >"$work/labels.csv"
    for ((i = 0; i < 400; i++)); do
        if ((i == 123)); then
            echo "$fixtures/images/does-not-exist.png" >>"$work/list.txt"
            continue
        fi
        # Each input its own path (a symbolic link), so that labels can tell them apart; labels alternate.
        ln -s "$fixtures/images/${names[i % 4]}" "$work/img$i.png"
        echo "$work/img$i.png" >>"$work/list.txt"
        echo "img$i.png,$([[ $((i % 3)) == 0 ]] && echo abnormal || echo normal)" >>"$work/labels.csv"
    done
    run_shard() { "$dxlens" analyze --model "$pkg" --no-outputs --list "$work/list.txt" --out "$work/$1" --shard "$2"; }
    # Shard 0 is killed as soon as it has started; shard 1 finishes, then loses its tail as a kill mid-write would
    # leave it (the last 5 lines gone and half of the one before); shard 2 runs once.
    run_shard out 0/3 2>/dev/null &
    pid=$!
    sleep 0.3
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    run_shard out 1/3 2>/dev/null && run_shard out 2/3 2>"$work/shard2.err" ||
        { echo "FAIL archive: a shard run failed: $(cat "$work/shard2.err")"; failures=$((failures + 1)); }
    $py - "$work/out/shard-0001-of-0003.jsonl" <<'PYEOF'
import sys
path = sys.argv[1]
lines = open(path, "rb").read().split(b"\n")[:-1]
keep = lines[:-6]
cut = lines[-6][: len(lines[-6]) // 2]
open(path, "wb").write(b"\n".join(keep) + b"\n" + cut)
PYEOF
    run_shard out 0/3 2>"$work/resume0.err" && run_shard out 1/3 2>"$work/resume1.err" ||
        { echo "FAIL archive: resuming failed: $(cat "$work/resume0.err" "$work/resume1.err")"; failures=$((failures + 1)); }
    grep -q "6 analyzed now" "$work/resume1.err" && grep -q "127 done before" "$work/resume1.err" ||
        { echo "FAIL archive: shard 1 did not resume after its 127 complete lines: $(cat "$work/resume1.err")"; failures=$((failures + 1)); }
    run_shard out 2/3 2>"$work/again.err"
    grep -q " 0 analyzed now" "$work/again.err" ||
        { echo "FAIL archive: a finished shard analyzed again: $(cat "$work/again.err")"; failures=$((failures + 1)); }
    check archive-other-split 2 "a shard of another split" \
        "$dxlens" analyze --model "$pkg" --list "$work/list.txt" --out "$work/out" --shard 0/1
    check archive-other-model 2 "holds results of model" \
        "$dxlens" analyze --model "$fixtures/packages/cls-rgb" --list "$work/list.txt" --out "$work/out" --shard 2/3
    $py - "$work/list.txt" "$work"/out/shard-*.jsonl <<'PYEOF' || failures=$((failures + 1))
import json, sys
paths = open(sys.argv[1]).read().splitlines()
seen = {}
for name in sys.argv[2:]:
    lines = open(name).read().split("\n")
    assert lines[-1] == "", f"{name} does not end with a complete line"
    header = json.loads(lines[0])
    assert header["dxlens_shard"] == 1 and len(header["model"]["sha256"]) == 64, header
    assert header["list"]["count"] == len(paths), header["list"]
    for line in lines[1:-1]:
        o = json.loads(line)
        k = o["input_index"]
        assert k not in seen, f"input {k} twice ({seen.get(k)} and {name})"
        assert k % 3 == header["shard"]["index"], f"input {k} in shard {header['shard']['index']}"
        assert o["file"] == paths[k], (o["file"], paths[k])
        seen[k] = name
missing = sorted(set(range(len(paths))) - set(seen))
assert not missing, f"inputs never analyzed: {missing[:10]}"
errors = [json.loads(l) for n in sys.argv[2:] for l in open(n).read().splitlines()[1:] if '"error"' in l]
assert len(errors) == 1 and "does-not-exist.png" in errors[0]["file"], errors
print(f"ok archive: {len(seen)} inputs over 3 shards, each exactly once; the missing file is an error line")
PYEOF
    run_shard single 0/1 2>/dev/null
    "$dxlens" merge "$work/out" --labels "$work/labels.csv" --out "$work/merged.json" 2>"$work/merge.err" &&
        "$dxlens" merge "$work/single" --labels "$work/labels.csv" --out "$work/single.json" 2>>"$work/merge.err" ||
        { echo "FAIL archive: merge failed: $(cat "$work/merge.err")"; failures=$((failures + 1)); }
    $py - "$work/merged.json" "$work/single.json" <<'PYEOF' || failures=$((failures + 1))
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["merge"]["inputs"] == {**b["merge"]["inputs"]}, (a["merge"]["inputs"], b["merge"]["inputs"])
assert a["merge"]["inputs"]["analyzed"] == 399 and a["merge"]["inputs"]["failed"] == 1, a["merge"]["inputs"]
a.pop("merge"), b.pop("merge")
assert a == b, "3 shards and one process differ"
print(f"ok archive-merge: 3 shards == 1 process, AUC {a['auc']['estimate']!r}")
PYEOF
    # Memory stays flat: the peak resident size over 10,000 inputs is that of 1,000 (the read-ahead holds at most
    # one prepared model input per worker plus two; nothing per input is kept but its index). Not under ASan, whose quarantine keeps
    # freed memory on purpose.
    [[ -n ${DX_SANITIZED:-} ]] && echo "archive-memory: not measured under ASan" ||
    $py - "$dxlens" "$pkg" "$work" "${names[@]/#/$fixtures/images/}" <<'PYEOF' || failures=$((failures + 1))
import os, subprocess, sys
dxlens, pkg, work, images = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
peaks = {}
for n in (1000, 10000):
    lst = f"{work}/list{n}.txt"
    with open(lst, "w") as f:
        f.writelines(images[i % len(images)] + "\n" for i in range(n))
    p = subprocess.Popen([dxlens, "analyze", "--model", pkg, "--no-outputs", "--list", lst, "--out", f"{work}/mem{n}"],
                         stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    assert status == 0, f"dxlens exited with status {status} over {n} inputs"
    peaks[n] = usage.ru_maxrss / 1024
    lines = sum(1 for _ in open(f"{work}/mem{n}/shard-0000-of-0001.jsonl")) - 1
    assert lines == n, f"{lines} lines for {n} inputs"
growth = peaks[10000] - peaks[1000]
print(f"{'ok' if growth < 8 else 'FAIL'} archive-memory: peak RSS {peaks[1000]:.1f} MB over 1,000 inputs, "
      f"{peaks[10000]:.1f} MB over 10,000")
sys.exit(0 if growth < 8 else 1)
PYEOF
    "$dxlens" merge "$work/out" --labels "$work/labels.csv" --out "$work/merged.html" 2>/dev/null &&
        grep -q "ROC AUC" "$work/merged.html" && grep -q "Research use only" "$work/merged.html" &&
        echo "ok archive-html: the validation report as a page" ||
        { echo "FAIL archive-html: no validation page"; failures=$((failures + 1)); }
    rm "$work/out/shard-0002-of-0003.jsonl"
    check archive-missing-shard 1 "shards with no file yet: 2" "$dxlens" merge "$work/out"
    ;;
shipped)
    found=0
    for manifest in "$repo"/models/*/manifest.json; do
        [[ -f $manifest ]] || continue
        found=1
        pkg=$(dirname "$manifest")
        id=$(basename "$pkg")
        # The reference input goes through analyze like any user file; its raw outputs must match outputs.json.
        ref_in=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["reference"]["input"])' "$manifest")
        if [[ $ref_in == *.json ]]; then
            $py -c 'import csv,json,sys; d=json.load(open(sys.argv[1])); w=csv.writer(open(sys.argv[2],"w"));
w.writerow(["id"]+list(d)); w.writerow(["reference"]+list(d.values()))' "$pkg/$ref_in" "$work/$id.csv"
            args=(--table "$work/$id.csv")
        else
            args=("$pkg/$ref_in")
        fi
        if ! "$dxlens" analyze --model "$pkg" "${args[@]}" >"$work/$id.jsonl" 2>"$work/$id.err" ||
            ! "$dxlens" analyze --model "$pkg" --population in "${args[@]}" >"$work/$id.confirmed.jsonl" \
                2>"$work/$id.err"; then
            echo "FAIL $id: $(cat "$work/$id.err")"
            failures=$((failures + 1))
            continue
        fi
        $py - "$pkg" "$work/$id.jsonl" "$work/$id.confirmed.jsonl" <<'PYEOF' || failures=$((failures + 1))
import hashlib, json, sys, os
pkg, results, confirmed = sys.argv[1], sys.argv[2], sys.argv[3]
m = json.load(open(os.path.join(pkg, "manifest.json")))
digest = hashlib.sha256(open(os.path.join(pkg, m["file"]), "rb").read()).hexdigest()
r = json.loads(open(results).readline())
ref = json.load(open(os.path.join(pkg, m["reference"]["outputs"])))
tol = m["reference"]["tolerance"]
worst = 0.0
ok = digest == m["sha256"] and r["self_test"]["status"] == "passed"
for name, want in ref.items():
    got = r["outputs"][name]
    ok = ok and got["shape"] == want["shape"]
    for a, b in zip(got["data"], want["data"]):
        worst = max(worst, abs(a - b) / max(1.0, abs(b)))
ok = ok and worst <= tol
# The reference input (a PNG or a table row) says nothing about the patient: unverified, in with --population in.
population = r["population"]["status"]
c = json.loads(open(confirmed).readline())["population"]
ok = ok and population == "unverified" and c == {"status": "in", "reason": "population confirmed by the user"}
print(f"{'ok' if ok else 'FAIL'} {m['id']}: sha256 {'matches' if digest == m['sha256'] else 'DIFFERS'}, "
      f"self-test {r['self_test']['status']}, reference reproduced through dxlens analyze within "
      f"{worst:.1e} (tolerance {tol}); population {population}, with --population in {c['status']}")
sys.exit(0 if ok else 1)
PYEOF
    done
    [[ $found -eq 1 ]] || { echo "no models/*/manifest.json yet"; exit 77; }
    ;;
heatmap)
    pkg="$repo/models/cxr-pneumonia"
    [[ -f $pkg/manifest.json ]] || { echo "models/cxr-pneumonia is not committed"; exit 77; }
    have_ort || { echo "onnxruntime-node not installed"; exit 77; }
    ref_in="$pkg/$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["reference"]["input"])' "$pkg/manifest.json")"
    check "heatmap unknown label" 2 "no label 'effusion'" "$dxlens" analyze --model "$pkg" --heatmap effusion "$ref_in"
    check "heatmap-out alone" 2 "--heatmap-out needs --heatmap LABEL" \
        "$dxlens" analyze --model "$pkg" --heatmap-out "$work/maps" "$ref_in"
    check "heatmap grid 0" 2 "--heatmap-grid wants a whole number" \
        "$dxlens" analyze --model "$pkg" --heatmap pneumonia --heatmap-grid 0 "$ref_in"
    if ! "$dxlens" analyze --model "$pkg" --no-outputs --heatmap pneumonia --heatmap-out "$work/maps" "$ref_in" \
        >"$work/new.jsonl" 2>"$work/err" ||
        ! "$dxlens" analyze --model "$pkg" --no-outputs --heatmap pneumonia --heatmap-grid 8 --heatmap-patch 2 \
            "$ref_in" >"$work/old.jsonl" 2>>"$work/err"; then
        echo "FAIL heatmap: $(cat "$work/err")"
        failures=$((failures + 1))
    else
        $py - "$work/new.jsonl" "$work/old.jsonl" "$work/maps" <<'PYEOF' || failures=$((failures + 1))
import json, os, sys
import numpy as np
new, old = (json.loads(open(p).readline()) for p in sys.argv[1:3])
h, o = new["heatmap"], old["heatmap"]
stem = os.path.splitext(os.path.basename(new["file"]))[0]
m = np.fromfile(os.path.join(sys.argv[3], stem + ".heatmap.f32"), dtype="<f4")
problems = []
if (h["grid"], h["patch_cells"], h["occluded_inputs"], h["backend_calls"]) != (16, 3, 196, 13):
    problems.append(f"shipped settings: {h}")
if (o["grid"], o["patch_cells"], o["occluded_inputs"]) != (8, 2, 49):
    problems.append(f"--heatmap-grid 8 --heatmap-patch 2: {o}")
if m.size != h["width"] * h["height"] or not np.all(np.isfinite(m)) or m.max() <= 0:
    problems.append(f"map file: {m.size} values for {h['width']} x {h['height']}, max {m.max() if m.size else None}")
else:
    pos = np.clip(m.reshape(h["height"], h["width"]), 0, None)
    hh, ww = h["height"] // 2, h["width"] // 2
    quarters = [pos[:hh, :ww].sum(), pos[:hh, ww:].sum(), pos[hh:, :ww].sum(), pos[hh:, ww:].sum()]
    quarters = np.array(quarters) / pos.sum()
    if np.max(np.abs(quarters - np.array(h["quarters"]))) > 1e-4:
        problems.append(f"quarters {h['quarters']} vs the file's {quarters.tolist()}")
for p in problems:
    print("FAIL heatmap:", p)
print(f"ok heatmap: {h['grid']} x {h['grid']} cells, {h['occluded_inputs']} occluded inputs in {h['backend_calls']} calls, "
      f"{h['width']} x {h['height']} map" if not problems else "")
sys.exit(1 if problems else 0)
PYEOF
    fi
    ;;
*)
    echo "analyze_test.sh: unknown case '$case'" >&2
    exit 2
    ;;
esac
[[ $failures -eq 0 ]]
