#!/usr/bin/env bash
# tests/run.sh — THE test command (README; .ci/run calls it). On a fresh Debian 12 machine it installs what it
# needs, builds native, native with ASan/UBSan, and wasm, then runs:
#   1. the code style check: clang-format-14 --dry-run --Werror over the C++ sources (one check, no build)
#   2. Catch2 unit/golden tests natively (CTest, preset native)
#   3. the same core tests plus bad-input corpus and fuzzers under ASan/UBSan (CTest, preset native-asan)
#   4. the core tests compiled to WASM under Node (CTest, preset wasm)
#   5. browser end-to-end tests in Debian's Chromium via playwright-core (node --test tests/e2e)
#   6. the model cards' numbers re-derived from the datasets, when ../shared/data is present (evaluate.py --check)
# Exits non-zero on any failure; the last line is "N passed, N failed".
# DX_TEST_ONLY="native wasm e2e" runs a subset (stages: format native asan wasm e2e models).
set -uo pipefail
DX_ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$DX_ROOT_DIR"
source tests/lib.sh

LOG_DIR="$DX_ROOT_DIR/build/test-logs"
JOBS=$(nproc)
passed=0
failed=0
failures=()
started=$SECONDS

stage_wanted() { [[ -z ${DX_TEST_ONLY:-} || " $DX_TEST_ONLY " == *" $1 "* ]]; }
note_failure() { failed=$((failed + 1)); failures+=("$1"); }

# run_ctest_stage NAME PRESET — configure, build and run one CMake preset's tests, adding its counts.
run_ctest_stage() {
    local name=$1 preset=$2 log="$LOG_DIR/$1.log"
    echo "== $name: configure + build ($preset)"
    if ! { cmake --preset "$preset" && cmake --build --preset "$preset" -j"$JOBS"; } >"$log.build" 2>&1; then
        tail -n 40 "$log.build"
        note_failure "$name: build failed (log: $log.build)"
        return
    fi
    echo "== $name: ctest"
    ctest --preset "$preset" -j"$JOBS" --output-junit "$LOG_DIR/$name.junit.xml" 2>&1 | tee "$log" |
        grep -E '(\*\*\*Failed|\*\*\*Skipped|Not Run|Timeout|tests passed|tests failed)' || true
    local line total nfail
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n1)
    if [[ -z $line ]]; then
        note_failure "$name: ctest printed no summary (log: $log)"
        return
    fi
    nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
    ((nfail == 0)) || failures+=("$name: $nfail CTest test(s) failed (log: $log)")
}

# Code style: every *.h / *.cpp that git tracks under src, tests and bench (so build folders never count; without
# git, find over the same folders, skipping build*) must be exactly what clang-format-14 makes of it with the
# repository's .clang-format. One check: 1 passed or 1 failed, listing the files to run `clang-format-14 -i` on.
run_format_stage() {
    local log="$LOG_DIR/format.log" files=() bad=() f
    echo "== format: clang-format-14 --dry-run --Werror (src, tests, bench)"
    if ! command -v clang-format-14 >/dev/null; then
        note_failure "format: clang-format-14 is not installed (Debian package clang-format-14)"
        return
    fi
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        while IFS= read -r f; do
            [[ -f $f ]] && files+=("$f") # a tracked file deleted in the working tree is not checked
        done < <(git ls-files -- src tests bench | grep -E '\.(h|cpp)$')
    else
        mapfile -t files < <(find src tests bench -type d -name 'build*' -prune -o -type f \( -name '*.h' -o -name '*.cpp' \) \
            -print | sort)
    fi
    if ((${#files[@]} == 0)); then
        note_failure "format: no C++ sources found under src, tests and bench"
        return
    fi
    if printf '%s\0' "${files[@]}" | xargs -0 clang-format-14 --dry-run --Werror >"$log" 2>&1; then
        echo "   ${#files[@]} files as .clang-format says"
        passed=$((passed + 1))
        return
    fi
    mapfile -t bad < <(grep -E ': error: code should be clang-formatted' "$log" | cut -d: -f1 | sort -u)
    if ((${#bad[@]} == 0)); then
        tail -n 20 "$log"
        note_failure "format: clang-format-14 failed (log: $log)"
        return
    fi
    for f in "${bad[@]}"; do echo "   not formatted: $f"; done
    note_failure "format: ${#bad[@]} file(s) differ from clang-format-14's output; run clang-format-14 -i on them (log: $log)"
}

run_e2e_stage() {
    local log="$LOG_DIR/e2e.log" tap="$LOG_DIR/e2e.tap"
    echo "== e2e: build web app + browser tests (Chromium)"
    if ! { cmake --preset wasm && cmake --build --preset wasm -j"$JOBS"; } >"$log.build" 2>&1; then
        tail -n 40 "$log.build"
        note_failure "e2e: web build failed (log: $log.build)"
        return
    fi
    node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" tests/e2e/ 2>&1 | tee "$log"
    local p f
    p=$(grep -E '^# pass [0-9]+' "$tap" | awk '{print $3}')
    f=$(grep -E '^# fail [0-9]+' "$tap" | awk '{print $3}')
    if [[ -z $p || -z $f ]]; then
        note_failure "e2e: the test runner printed no summary (log: $log)"
        return
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    ((f == 0)) || failures+=("e2e: $f browser test(s) failed (log: $log)")
}

# Model cards against the data. With the datasets beside the repository (../shared/data, or
# $DXLENS_DATA), models/training/evaluate.py --check re-derives every number of each shipped model's card from
# the validation data through the shipped ONNX weights and fails if one moves by more than its stated tolerance
# (0.005 absolute). Without the data it says so and counts nothing; the CTest stages check every package's
# manifest, sha256 and reference outputs in any case.
run_models_stage() {
    local data=${DXLENS_DATA:-$DX_ROOT_DIR/../shared/data} id log out
    if [[ ! -d $data ]]; then
        echo "== models: skipped, no datasets at $data (model cards are checked where the data is)"
        return
    fi
    echo "== models: evaluate.py --check against $data"
    dx_apt_ensure python3-torch python3-skimage python3-sklearn python3-pil python3-onnx ||
        { note_failure "models: could not install python3-torch & co."; return; }
    for id in breast-fna cxr-lung-seg cxr-pneumonia malaria-cell; do
        log="$LOG_DIR/models-$id.log"
        if DXLENS_DATA=$data /usr/bin/python3 models/training/evaluate.py --check "$id" >"$log" 2>&1; then
            out=$(grep -E "^$id: " "$log" | tail -n1)
            echo "   $out"
            [[ $out == *SKIPPED* ]] || passed=$((passed + 1))
        else
            tail -n 15 "$log"
            note_failure "models: $id's card does not match its data (log: $log)"
        fi
    done
}

main() {
    mkdir -p "$LOG_DIR"
    dx_setup_build_env || { echo "0 passed, 1 failed"; exit 1; }
    dx_install_test_packages || { echo "could not install the test packages"; echo "0 passed, 1 failed"; exit 1; }
    dx_npm_install || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }

    stage_wanted format && run_format_stage
    stage_wanted native && run_ctest_stage native native
    stage_wanted asan && run_ctest_stage asan native-asan
    stage_wanted wasm && run_ctest_stage wasm wasm
    stage_wanted e2e && run_e2e_stage
    stage_wanted models && run_models_stage

    echo
    echo "== Summary ($((SECONDS - started)) s)"
    local f
    for f in "${failures[@]}"; do echo "FAILED: $f"; done
    echo "$passed passed, $failed failed"
    ((failed == 0))
}

main "$@"
