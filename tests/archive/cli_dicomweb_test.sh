#!/usr/bin/env bash
# cli_dicomweb_test.sh — `dxlens analyze --list` over DICOMweb WADO-RS instance URLs from a real archive
# (registered with CTest, native preset): Debian's Orthanc with its DICOMweb plugin (orthanc_fixture.sh) holds the
# golden tests' DICOM files; the list mixes instance URLs in several transfer syntaxes, a file, a missing instance
# (404), a closed port, a URL that names no instance, and URLs to a small local stand-in archive (Python,
# 127.0.0.1) for what Orthanc will not do on request: demand a bearer token, answer HTML, cut its answer (sized or
# not), redirect. Two shards and a merge with labels keyed by URL, then: every input exactly once, each URL's
# result equal digit for digit to the same instance analyzed as a file (the file Orthanc stores, fetched over its
# own REST API), readable error lines, the token of DXLENS_ARCHIVE_TOKEN sent to the archive but nowhere in the
# output folder or the messages.
# Exit 77 (skipped) when Orthanc, its plugin or the model's ONNX Runtime is not installed.
#
# How to use: bash tests/archive/cli_dicomweb_test.sh build/bin/dxlens REPO WORKDIR
set -uo pipefail
dxlens=$1 root=$2 work=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py=/usr/bin/python3
model="$root/models/cxr-pneumonia"
# shellcheck source=orthanc_fixture.sh
source "$here/orthanc_fixture.sh"
if ! orthanc_available; then
    echo "skipped: $ORTHANC_UNAVAILABLE"
    exit 77
fi
# Everything here is on 127.0.0.1: a proxy named in the environment (libcurl honours it) must not get between.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
rm -rf "$work" && mkdir -p "$work/files" "$work/out" || exit 1
# The model must run at all (ONNX Runtime from node_modules): otherwise there is nothing to compare.
probe=$("$dxlens" analyze --model "$model" --no-outputs "$root/tests/archive/does-not-exist.png" 2>&1)
if [[ $probe == *"(libonnxruntime.so.1) could not be opened"* ]]; then
    echo "skipped: the CLI's ONNX Runtime is not available: $probe"
    exit 77
fi

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
stub_pid=""
cleanup() {
    [[ -n $stub_pid ]] && kill "$stub_pid" 2>/dev/null && wait "$stub_pid" 2>/dev/null
    orthanc_stop
}
trap cleanup EXIT
orthanc_start "$(mktemp -d /tmp/dxlens-orthanc-cli.XXXXXX)" || { echo "FAIL: Orthanc did not start"; exit 1; }
orthanc_load >"$work/load.log" || { cat "$work/load.log"; echo "FAIL: loading the archive"; exit 1; }
loaded="$ORTHANC_DIR/loaded.json"

token="dxlens-test-token-$RANDOM$RANDOM$RANDOM"
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
closed_port=$(free_port)

# The stand-in archive: /bearer/ answers only with this run's token, /other-token/ wants another one, /html/
# answers a web page, /cut/ closes the connection halfway through its multipart answer, /redirect/ points at
# Orthanc, /cut-unsized/ ends its answer (no Content-Length) inside the DICOM part. Its instance is the explicit
# little endian CT file Orthanc stores. It logs whether each request carried the right token, never the header.
labels=(explicit-le explicit-be deflate rle jpeg-baseline-rgb jpeg-ls-lossless j2k multiframe-jpeg-baseline)
for label in "${labels[@]}"; do
    id=$($py -c "import json; print(json.load(open('$loaded'))['instances']['$label']['orthancId'])")
    curl -sf -o "$work/files/$label.dcm" "$ORTHANC_URL/instances/$id/file" || fail "could not fetch $label's file"
done
stub_port=$(free_port)
DX_STUB_TOKEN=$token $py - "$stub_port" "$work/files/explicit-le.dcm" "$ORTHANC_URL" "$work/stub.log" <<'PYEOF' &
import http.server, os, sys
port, dicom, orthanc, log = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3], sys.argv[4]
token = os.environ["DX_STUB_TOKEN"]
body = b"--b1\r\nContent-Type: application/dicom\r\n\r\n" + dicom + b"\r\n--b1--\r\n"
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def send(self, status, ctype, data, length=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if self.path == "/":  # the test's readiness probe
            return self.send(404, "text/plain", b"no such path")
        with open(log, "a") as f:
            f.write(f"{self.path.split('/')[1]} token={'right' if auth == 'Bearer ' + token else 'absent' if not auth else 'other'}\n")
        kind = self.path.split("/")[1]
        multipart = 'multipart/related; type="application/dicom"; boundary=b1'
        if kind == "bearer":
            if auth == "Bearer " + token:
                self.send(200, multipart, body)
            else:
                self.send(401, "text/plain", b"sign in")
        elif kind == "other-token":
            self.send(401 if auth != "Bearer someone-else" else 200, "text/plain", b"sign in")
        elif kind == "html":
            self.send(200, "text/html", b"<html><body>Welcome to the hospital portal</body></html>")
        elif kind == "cut":
            self.send(200, multipart, body[: len(body) // 2], length=len(body))
            self.close_connection = True
        elif kind == "cut-unsized":  # no Content-Length: the answer simply ends, inside the DICOM part
            self.send_response(200)
            self.send_header("Content-Type", multipart)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif kind == "redirect":
            self.send_response(302)
            self.send_header("Location", orthanc + "/dicom-web" + self.path[len("/redirect"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send(404, "text/plain", b"no such path")
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
PYEOF
stub_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$stub_port/" && break; sleep 0.05; done

# The list: every loaded label as a URL, one file, then the inputs that must fail, in list order.
uid() { $py -c "import json; print(json.load(open('$loaded'))['instances']['$1']['$2'])"; }
instance_path() { echo "studies/$(uid "$1" studyUid)/series/$(uid "$1" seriesUid)/instances/$(uid "$1" sopUid)"; }
list="$work/list.txt"
{
    echo "# DICOMweb instance URLs and a file, as an archive run takes them"
    for label in "${labels[@]}"; do echo "$ORTHANC_DICOMWEB/$(instance_path "$label")"; done
    echo "$work/files/j2k.dcm"
    echo "$ORTHANC_DICOMWEB/studies/$(uid explicit-le studyUid)/series/$(uid explicit-le seriesUid)/instances/1.2.826.0.1.3680043.99.4040"
    echo "http://127.0.0.1:$closed_port/dicom-web/$(instance_path explicit-le)"
    echo "$ORTHANC_DICOMWEB/studies/$(uid explicit-le studyUid)/series/$(uid explicit-le seriesUid)"
    echo "http://127.0.0.1:$stub_port/bearer/$(instance_path explicit-le)"
    echo "http://127.0.0.1:$stub_port/other-token/$(instance_path explicit-le)"
    echo "http://127.0.0.1:$stub_port/html/$(instance_path explicit-le)"
    echo "http://127.0.0.1:$stub_port/cut/$(instance_path explicit-le)"
    echo "http://127.0.0.1:$stub_port/redirect/$(instance_path explicit-le)"
    echo "http://127.0.0.1:$stub_port/cut-unsized/$(instance_path explicit-le)"
    echo "http://someone:password@127.0.0.1:$closed_port/dicom-web/$(instance_path explicit-le)"
} >"$list"

# Two shards (the token in the environment, as a cluster task gets it), then a merge with labels keyed by URL.
for shard in 0/2 1/2; do
    DXLENS_ARCHIVE_TOKEN=$token "$dxlens" analyze --model "$model" --list "$list" --out "$work/out" --shard $shard \
        >"$work/shard-${shard%/*}.out" 2>"$work/shard-${shard%/*}.err" ||
        fail "shard $shard exited $?: $(tail -n 3 "$work/shard-${shard%/*}.err")"
done
$py - "$list" "$work/labels.csv" <<'PYEOF'
import sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l and not l.startswith("#")]
with open(sys.argv[2], "w") as f:
    f.write("file,label\n")
    for k, line in enumerate(lines):
        f.write(f'"{line}",{"pneumonia" if k % 2 else "normal"}\n')
PYEOF
"$dxlens" merge "$work/out" --labels "$work/labels.csv" --out "$work/out/merged.json" 2>"$work/merge.err"
code=$?
[[ $code == 0 ]] && echo "ok merge: $(grep -o 'validated.*' "$work/merge.err")" ||
    fail "merge exited $code: $(cat "$work/merge.err")"

# Labels keyed by the SOP Instance UID alone (a URL's last component) match too, where only one input ends so:
# the explicit LE instance's UID ends nine URLs of the list (the stand-in's among them), so its row matches none.
$py - "$list" "$work/labels-by-uid.csv" "${#labels[@]}" <<'PYEOF'
import sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l and not l.startswith("#")]
with open(sys.argv[2], "w") as f:
    f.write("file,label\n")
    for k, line in enumerate(lines[: int(sys.argv[3])]):
        f.write(f'{line.rsplit("/", 1)[-1]},{"pneumonia" if k % 2 else "normal"}\n')
PYEOF
"$dxlens" merge "$work/out" --labels "$work/labels-by-uid.csv" --out "$work/merged-by-uid.json" 2>"$work/merge-uid.err"
by_uid=$($py -c "import json; v=json.load(open('$work/merged-by-uid.json'))['merge']['validation']; print(v['labelled'], v['label_rows_unmatched'])")
[[ $by_uid == "$((${#labels[@]} - 1)) 1" ]] && echo "ok labels keyed by SOP Instance UID: $by_uid (labelled, unmatched)" ||
    fail "labels keyed by SOP Instance UID: '$by_uid' (labelled, unmatched) $(cat "$work/merge-uid.err")"

# The same instances analyzed as files (their stored bytes), one process.
saved=()
for label in "${labels[@]}"; do saved+=("$work/files/$label.dcm"); done
"$dxlens" analyze --model "$model" "${saved[@]}" >"$work/files.jsonl" 2>"$work/files.err" ||
    fail "analyzing the saved files failed: $(cat "$work/files.err")"

$py - "$list" "$work/files.jsonl" "$work/out/merged.json" "$work/stub.log" "${labels[@]}" -- "$work"/out/shard-*.jsonl <<'PYEOF' || failures=$((failures + 1))
import json, sys
args = sys.argv[1:]
list_path, files_jsonl, merged_path, stub_log = args[:4]
rest = args[4:]
labels, shard_files = rest[: rest.index("--")], rest[rest.index("--") + 1 :]
inputs = [l.strip() for l in open(list_path).read().splitlines() if l.strip() and not l.startswith("#")]
problems = []

def same_result(line):
    # The result without what names the input or times it; numbers kept as their text (digit for digit).
    o = json.loads(line, parse_float=str)
    for key in ("file", "input_index", "timings_ms"):
        o.pop(key, None)
    return json.dumps(o, sort_keys=True)

seen = {}
for name in shard_files:
    text = open(name).read()
    assert text.endswith("\n"), f"{name} does not end with a complete line"
    lines = text.split("\n")[:-1]
    header = json.loads(lines[0])
    if header["list"]["count"] != len(inputs):
        problems.append(f"{name}: header counts {header['list']['count']} inputs, the list has {len(inputs)}")
    for line in lines[1:]:
        o = json.loads(line)
        k = o["input_index"]
        if k in seen:
            problems.append(f"input {k} twice")
        if o["file"] != inputs[k]:
            problems.append(f"input {k} is recorded as {o['file']!r}, the list says {inputs[k]!r}")
        seen[k] = line
missing = sorted(set(range(len(inputs))) - set(seen))
if missing:
    problems.append(f"inputs without a line: {missing}")

by_file = {json.loads(l)["file"].rsplit("/", 1)[-1][: -len(".dcm")]: l for l in open(files_jsonl) if l.strip()}
for k, label in enumerate(labels):
    line = seen.get(k)
    if line is None:
        continue
    if "error" in json.loads(line):
        problems.append(f"{label} by URL failed: {json.loads(line)['error']}")
    elif same_result(line) != same_result(by_file[label]):
        problems.append(f"{label}: the URL's result differs from the file's:\n  {line}\n  {by_file[label]}")
    else:
        print(f"ok {label} by WADO-RS URL = the stored file, digit for digit")
n = len(labels)
expect = {
    n: None,  # the file j2k.dcm: a result equal to j2k's by URL
    n + 1: ["does not have this", "HTTP 404"],
    n + 2: ["could not be reached", "nothing accepted the connection"],
    n + 3: ["not a WADO-RS instance URL"],
    n + 4: None,  # the bearer stand-in with the right token: the explicit LE file's result
    n + 5: ["HTTP 401", "DXLENS_ARCHIVE_TOKEN", "not accepted"],
    n + 6: ["no usable DICOM object", "text/html"],
    n + 7: ["was cut off before its end"],
    n + 8: ["HTTP 302", "follows no redirect"],
    n + 9: ["cut off inside part 1"],
    n + 10: ["user name or password", "DXLENS_ARCHIVE_TOKEN"],  # refused before any connection
}
for k, words in expect.items():
    o = json.loads(seen.get(k, "{}"))
    if words is None:
        want = by_file["j2k" if k == n else "explicit-le"]
        if "error" in o or same_result(seen.get(k, "{}")) != same_result(want):
            problems.append(f"input {k} ({inputs[k]}) should equal its file's result: {o}")
        else:
            print(f"ok {'the file' if k == n else 'the URL needing a bearer token'}: equal to the same instance's file")
    elif "error" not in o or not all(w in o["error"] for w in words):
        problems.append(f"input {k} ({inputs[k]}): expected an error line with {words}, got {o}")
    else:
        print(f"ok error line: {o['error']}")
merged = json.load(open(merged_path))["merge"]
v = merged["validation"]
errors = sum(1 for words in expect.values() if words)
if (v["labelled"], v["left_out"], v["label_rows_unmatched"], v["without_label"]) != (len(inputs), errors, 0, 0):
    problems.append(f"merge with labels keyed by URL: {v} (expected all {len(inputs)} labelled, the {errors} "
                    "error lines left out, every label row matched)")
else:
    print(f"ok merge matched the labels by URL: {v}")
log = open(stub_log).read().split()
if "token=right" not in log or "token=absent" in log or "token=other" in log:
    problems.append(f"the stand-in archive did not always get the token: {log}")
for p in problems:
    print("FAIL", p)
sys.exit(1 if problems else 0)
PYEOF

# The token: sent (the stand-in saw it) but written nowhere.
if grep -rqF -- "$token" "$work/out" "$work"/shard-*.out "$work"/shard-*.err "$work/merge.err"; then
    fail "the token appears in: $(grep -rlF -- "$token" "$work/out" "$work"/shard-*.out "$work"/shard-*.err "$work/merge.err" | tr '\n' ' ')"
else
    echo "ok the token is in no shard file, merged report or message"
fi

# A URL as a FILE argument (no list): the same line as the file's, on stdout.
url_line=$("$dxlens" analyze --model "$model" "$ORTHANC_DICOMWEB/$(instance_path jpeg-ls-lossless)" 2>"$work/arg.err")
$py - "$url_line" "$work/files.jsonl" <<'PYEOF' && echo "ok a URL given as a FILE argument = its file" ||
import json, sys
def same(line):
    o = json.loads(line, parse_float=str)
    for key in ("file", "timings_ms"):
        o.pop(key, None)
    return o
want = [l for l in open(sys.argv[2]) if "jpeg-ls-lossless" in json.loads(l)["file"]][0]
sys.exit(0 if sys.argv[1].strip() and same(sys.argv[1]) == same(want) else 1)
PYEOF
    fail "a URL given as a FILE argument: '$url_line' $(cat "$work/arg.err")"

# Resuming over URLs: a finished shard analyzes nothing again.
DXLENS_ARCHIVE_TOKEN=$token "$dxlens" analyze --model "$model" --list "$list" --out "$work/out" --shard 1/2 \
    2>"$work/again.err" >/dev/null
grep -q " 0 analyzed now" "$work/again.err" && echo "ok a finished shard of URLs is not fetched again" ||
    fail "a finished shard ran again: $(cat "$work/again.err")"

((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "all DICOMweb list checks passed"
