#!/usr/bin/env bash
# orthanc_fixture_test.sh — the test archive itself works (registered with CTest, native preset): Orthanc starts
# with its DICOMweb plugin on 127.0.0.1 only, every loaded study is listed by QIDO-RS, WADO-RS answers a whole
# series and single frames as multipart in the stored transfer syntax, and it stops cleanly, leaving nothing.
# Exit 77 (skipped) when Orthanc or its plugin is not installed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=orthanc_fixture.sh
source "$here/orthanc_fixture.sh"
if ! orthanc_available; then
    echo "skipped: $ORTHANC_UNAVAILABLE"
    exit 77
fi
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
trap orthanc_stop EXIT
orthanc_start "$(mktemp -d /tmp/dxlens-orthanc-test.XXXXXX)" || { echo "FAIL: Orthanc did not start"; exit 1; }
orthanc_load || { echo "FAIL: loading the archive"; exit 1; }
loaded="$ORTHANC_DIR/loaded.json"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$loaded')); print($1)"; }

# Loopback only (the bind shim), and remote access refused anyway.
listening=$(ss -Hltn "sport = :$ORTHANC_PORT" | awk '{print $4}' | sort -u | tr '\n' ' ')
[[ $listening == "127.0.0.1:$ORTHANC_PORT " ]] && echo "ok listens on $listening" || fail "listens on: $listening"

# QIDO-RS: every loaded study is listed, as DICOM JSON.
curl -sf -o "$ORTHANC_DIR/qido.json" -H 'Accept: application/dicom+json' "$ORTHANC_DICOMWEB/studies" ||
    fail "QIDO /studies did not answer"
missing=$(/usr/bin/python3 - "$loaded" "$ORTHANC_DIR/qido.json" <<'EOF'
import json, sys
try:
    listed = {s["0020000D"]["Value"][0] for s in json.load(open(sys.argv[2]))}
except (OSError, ValueError, KeyError) as err:
    print(f"(no study list: {err})")
    sys.exit()
d = json.load(open(sys.argv[1]))
want = {i["studyUid"] for i in d["instances"].values()} | {s["studyUid"] for s in d["series"].values()}
print(" ".join(sorted(want - listed)))
EOF
)
count=$(json 'd["studies"]')
[[ -z $missing && $count -ge 10 ]] && echo "ok QIDO /studies lists all $count studies" || fail "QIDO misses studies: $missing"

# QIDO-RS by patient ID with a wildcard, and the volume's series with its instance count.
study=$(json 'd["series"]["mr-volume"]["studyUid"]')
series=$(json 'd["series"]["mr-volume"]["seriesUid"]')
n=$(curl -sf "$ORTHANC_DICOMWEB/studies/$study/series" | /usr/bin/python3 -c \
    'import json,sys; s=json.load(sys.stdin); print(len(s), s[0]["00201209"]["Value"][0])')
[[ $n == "1 20" ]] && echo "ok QIDO series of the MR volume: 1 series, 20 instances" || fail "QIDO series: $n"

# WADO-RS: the whole series as multipart/related application/dicom, 20 parts.
headers=$(curl -sf -D - -o "$ORTHANC_DIR/series.bin" -H 'Accept: multipart/related; type="application/dicom"' \
    "$ORTHANC_DICOMWEB/studies/$study/series/$series") || fail "WADO-RS series did not answer"
type=$(grep -i '^content-type:' <<<"$headers" | tr -d '\r')
boundary=$(sed -n 's/.*boundary=\("\?\)\([^";]*\)\1.*/\2/p' <<<"$type")
parts=$(grep -ac -- "--$boundary"$'\r'"\?$" "$ORTHANC_DIR/series.bin")
closing=$(grep -ac -- "--$boundary--" "$ORTHANC_DIR/series.bin")
[[ $type == *multipart/related* && -n $boundary && $parts == 20 && $closing == 1 ]] &&
    echo "ok WADO-RS series: multipart/related, $parts parts, $(stat -c %s "$ORTHANC_DIR/series.bin") bytes" ||
    fail "WADO-RS series: '$type', $parts parts, $closing closing boundaries"

# WADO-RS frames keep the stored syntax when any is accepted (JPEG-LS here; the part says so).
for label in jpeg-ls-lossless j2k multiframe-jpeg-baseline; do
    url="$ORTHANC_DICOMWEB/studies/$(json "d['instances']['$label']['studyUid']")/series/$(json "d['instances']['$label']['seriesUid']")/instances/$(json "d['instances']['$label']['sopUid']")/frames/1"
    syntax=$(json "d['instances']['$label']['transferSyntax']")
    type=$(curl -sf -o /dev/null -w '%{content_type}' \
        -H 'Accept: multipart/related; type=application/octet-stream; transfer-syntax=*' "$url") || fail "WADO-RS frame of $label"
    [[ $type == multipart/related* && $type == *"transfer-syntax=$syntax"* ]] &&
        echo "ok WADO-RS frame 1 of $label in $syntax" || fail "WADO-RS frame of $label: '$type'"
done

# Stop: the process goes, the folder goes.
pid=$ORTHANC_PID dir=$ORTHANC_DIR
start=$(date +%s.%N)
orthanc_stop
trap - EXIT
kill -0 "$pid" 2>/dev/null && fail "Orthanc still runs after orthanc_stop"
[[ -e $dir ]] && fail "$dir is left behind"
curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$ORTHANC_PORT/system" && fail "port $ORTHANC_PORT still answers"
echo "ok stopped in $(/usr/bin/python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s, state folder removed"

((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
echo "all Orthanc fixture checks passed"
