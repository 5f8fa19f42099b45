#!/usr/bin/env bash
# orthanc_fixture.sh — a real DICOMweb archive for the tests: Debian's Orthanc 1.10 with its DICOMweb plugin
# (orthanc, orthanc-dicomweb in tests/apt-packages.txt; this script installs nothing), every file it writes in one
# state folder, its DICOM server off, HTTP on a free port of 127.0.0.1 only, loaded with the DICOM files the
# golden tests decode (tests/archive/orthanc_load.py says which: one per transfer syntax, multi-frame files and
# a 20-slice MR series), stopped with SIGTERM.
#
# How to use, from bash (the Orthanc process is a child of your shell):
#   source tests/archive/orthanc_fixture.sh
#   orthanc_available || { echo "skipped: $ORTHANC_UNAVAILABLE"; exit 77; }
#   orthanc_start "$(mktemp -d)" || exit 1      # sets ORTHANC_URL (http://127.0.0.1:PORT), ORTHANC_DICOMWEB
#                                                #   ($ORTHANC_URL/dicom-web), ORTHANC_PORT, ORTHANC_PID, ORTHANC_DIR
#   orthanc_load [--bench] || exit 1            # uploads; $ORTHANC_DIR/loaded.json lists what is stored
#   trap orthanc_stop EXIT                      # SIGTERM, waits; removes the state folder
# or as a command (the process outlives the command; node tests use tests/archive/orthanc_fixture.mjs):
#   bash tests/archive/orthanc_fixture.sh start DIR [--bench]   # DIR/fixture.env (shell variables above),
#                                                                # DIR/loaded.json; prints the loaded table
#   bash tests/archive/orthanc_fixture.sh stop DIR               # stops it and removes DIR
# --bench adds two generated 100-instance series (1024x1024 chest X-rays from ../shared/data, uncompressed and
# JPEG baseline) for the archive benchmark; without the data it says so and loads the rest.
# Set ORTHANC_KEEP=1 to keep the state folder (its orthanc.log) after stopping.

ORTHANC_FIXTURE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ORTHANC_PLUGIN=${ORTHANC_PLUGIN:-/usr/share/orthanc/plugins/libOrthancDicomWeb.so}

# orthanc_available — 0 when Orthanc, its DICOMweb plugin and a C compiler are here; otherwise 1 with the reason
# in ORTHANC_UNAVAILABLE.
orthanc_available() {
    ORTHANC_UNAVAILABLE=""
    ORTHANC_BIN=${ORTHANC_BIN:-$(command -v Orthanc || echo /usr/sbin/Orthanc)}
    if [[ ! -x $ORTHANC_BIN ]]; then
        ORTHANC_UNAVAILABLE="Orthanc is not installed (Debian packages orthanc and orthanc-dicomweb, see tests/apt-packages.txt)"
    elif [[ ! -f $ORTHANC_PLUGIN ]]; then
        ORTHANC_UNAVAILABLE="the DICOMweb plugin $ORTHANC_PLUGIN is missing (Debian package orthanc-dicomweb)"
    elif ! command -v cc >/dev/null; then
        ORTHANC_UNAVAILABLE="no C compiler (cc) to build the loopback bind shim"
    elif [[ ! -x /usr/bin/python3 ]] || ! /usr/bin/python3 -c 'import pydicom' 2>/dev/null; then
        ORTHANC_UNAVAILABLE="/usr/bin/python3 with pydicom is needed to load the archive (Debian python3-pydicom)"
    fi
    [[ -z $ORTHANC_UNAVAILABLE ]]
}

_orthanc_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# orthanc_start DIR — starts Orthanc with its state in DIR (created); returns once /system answers.
orthanc_start() {
    local dir=$1 attempt
    orthanc_available || { echo "orthanc_start: $ORTHANC_UNAVAILABLE" >&2; return 1; }
    mkdir -p "$dir/storage" || return 1
    ORTHANC_DIR=$(cd "$dir" && pwd)
    # The shim that keeps Orthanc on 127.0.0.1 (loopback_bind.c says why), built fresh: a few milliseconds.
    if ! cc -shared -fPIC -O2 -o "$ORTHANC_DIR/loopback_bind.so" "$ORTHANC_FIXTURE_DIR/loopback_bind.c" -ldl \
        2>"$ORTHANC_DIR/cc.log"; then
        echo "orthanc_start: building the loopback bind shim failed:" >&2
        cat "$ORTHANC_DIR/cc.log" >&2
        return 1
    fi
    # A port found free can be taken before Orthanc binds it (Orthanc then exits 255): try a few.
    for attempt in 1 2 3 4 5; do
        ORTHANC_PORT=$(_orthanc_free_port)
        cat >"$ORTHANC_DIR/orthanc.json" <<EOF
{
  "Name": "DxLens test archive",
  "StorageDirectory": "$ORTHANC_DIR/storage",
  "IndexDirectory": "$ORTHANC_DIR/storage",
  "HttpPort": $ORTHANC_PORT,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomServerEnabled": false,
  "StorageCompression": false,
  "Plugins": ["$ORTHANC_PLUGIN"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" }
}
EOF
        LD_PRELOAD="$ORTHANC_DIR/loopback_bind.so" "$ORTHANC_BIN" --logdir="$ORTHANC_DIR" "$ORTHANC_DIR/orthanc.json" \
            >"$ORTHANC_DIR/orthanc.out" 2>&1 &
        ORTHANC_PID=$!
        echo "$ORTHANC_PID" >"$ORTHANC_DIR/orthanc.pid"
        ORTHANC_URL="http://127.0.0.1:$ORTHANC_PORT"
        ORTHANC_DICOMWEB="$ORTHANC_URL/dicom-web"
        for _ in $(seq 200); do
            curl -sf -o /dev/null --max-time 2 "$ORTHANC_URL/system" && break
            kill -0 "$ORTHANC_PID" 2>/dev/null || break
            sleep 0.05
        done
        if curl -sf -o /dev/null --max-time 2 "$ORTHANC_URL/system"; then
            # Proof that the shim took: nothing may listen on this port beyond loopback.
            if command -v ss >/dev/null && ss -Hltn "sport = :$ORTHANC_PORT" | awk '{print $4}' | grep -vq '^127\.0\.0\.1:'; then
                echo "orthanc_start: Orthanc listens beyond 127.0.0.1 on port $ORTHANC_PORT; stopping it" >&2
                orthanc_stop
                return 1
            fi
            {
                echo "ORTHANC_URL=$ORTHANC_URL"
                echo "ORTHANC_DICOMWEB=$ORTHANC_DICOMWEB"
                echo "ORTHANC_PORT=$ORTHANC_PORT"
                echo "ORTHANC_PID=$ORTHANC_PID"
                echo "ORTHANC_DIR=$ORTHANC_DIR"
            } >"$ORTHANC_DIR/fixture.env"
            echo "Orthanc $( curl -s "$ORTHANC_URL/system" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["Version"])') with DICOMweb at $ORTHANC_DICOMWEB (pid $ORTHANC_PID, state in $ORTHANC_DIR)"
            return 0
        fi
        if kill -0 "$ORTHANC_PID" 2>/dev/null; then
            kill -TERM "$ORTHANC_PID"
            wait "$ORTHANC_PID" 2>/dev/null
            echo "orthanc_start: Orthanc did not answer /system within 10 s:" >&2
            tail -n 20 "$ORTHANC_DIR/orthanc.out" >&2
            return 1
        fi
        wait "$ORTHANC_PID" 2>/dev/null
        echo "orthanc_start: Orthanc exited at start (attempt $attempt, port $ORTHANC_PORT); log tail:" >&2
        tail -n 5 "$ORTHANC_DIR/orthanc.out" >&2
    done
    return 1
}

# orthanc_load [--bench] — uploads the test files (and with --bench the generated series); writes
# $ORTHANC_DIR/loaded.json and prints what is stored.
orthanc_load() {
    /usr/bin/python3 "$ORTHANC_FIXTURE_DIR/orthanc_load.py" --url "$ORTHANC_URL" \
        --repo "$(cd "$ORTHANC_FIXTURE_DIR/../.." && pwd)" --out "$ORTHANC_DIR/loaded.json" "$@"
}

# orthanc_stop — SIGTERM, then waits (Orthanc takes ~2.5 s) up to 20 s before SIGKILL; removes the state folder
# unless ORTHANC_KEEP=1. Safe to call twice.
orthanc_stop() {
    local pid=${ORTHANC_PID:-}
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "orthanc_stop: Orthanc (pid $pid) ignored SIGTERM for 20 s; killing it" >&2
            kill -KILL "$pid"
        fi
        wait "$pid" 2>/dev/null
    fi
    ORTHANC_PID=""
    if [[ -n ${ORTHANC_DIR:-} && -d $ORTHANC_DIR && ${ORTHANC_KEEP:-0} != 1 ]]; then
        rm -rf "$ORTHANC_DIR"
    fi
}

# Command mode: start DIR [--bench] | stop DIR.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -uo pipefail
    cmd=${1:-} dir=${2:-}
    [[ -n $cmd && -n $dir ]] || { echo "usage: $0 start DIR [--bench] | stop DIR" >&2; exit 2; }
    shift 2
    case $cmd in
    start)
        if ! orthanc_available; then
            echo "$ORTHANC_UNAVAILABLE" >&2
            exit 77
        fi
        orthanc_start "$dir" || exit 1
        if ! orthanc_load "$@"; then
            ORTHANC_KEEP=1 orthanc_stop
            echo "loading the archive failed; Orthanc stopped, its log is in $dir" >&2
            exit 1
        fi
        ;;
    stop)
        [[ -f $dir/fixture.env ]] || { echo "$dir/fixture.env: no fixture started there" >&2; exit 1; }
        # shellcheck source=/dev/null
        source "$dir/fixture.env"
        orthanc_stop
        ;;
    *)
        echo "usage: $0 start DIR [--bench] | stop DIR" >&2
        exit 2
        ;;
    esac
fi
