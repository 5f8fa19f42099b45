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
#   shipped          every committed models/*/ package: validates, sha256 matches, and its reference input
#                    reproduces its reference outputs through `dxlens analyze` (exit 77 = skipped when none)
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
*)
    echo "analyze_test.sh: unknown case '$case'" >&2
    exit 2
    ;;
esac
[[ $failures -eq 0 ]]
