#!/usr/bin/env bash
# fetch_ort_headers.sh DEST — ONNX Runtime's C API headers (onnxruntime_c_api.h & co.) into DEST/onnxruntime/,
# for the native backend that dlopens onnxruntime-node's bundled libonnxruntime.so.1 (that npm package ships the
# library but no headers).
#
# Source: Debian trixie's libonnxruntime-dev (ONNX Runtime 1.21, an 85 KB .deb holding only headers), fetched with a
# private apt state next to DEST and unpacked with dpkg-deb -x: nothing is installed and the system's apt
# configuration is not touched. Why not the source package through src/deps/fetch_debian_source.sh: the mirror
# serves the 38 MB orig tarball but not the .dsc (404), so `apt-get source` fails; the -dev .deb is verified by apt
# against the signed index like any package. The headers are never committed to the repository.
set -euo pipefail
dest=$(realpath -m "$1")
state="$(dirname "$dest")/apt-onnxruntime-headers"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/parts" "$state/deb"
echo "deb http://deb.debian.org/debian trixie main" >"$state/sources.list"
opts=(-o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=$state/parts"
      -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" -o "APT::Sandbox::User=root"
      -o "Debug::NoLocking=1" -o "APT::Architecture=amd64" -qq)
apt-get "${opts[@]}" update
rm -f "$state/deb"/*.deb
(cd "$state/deb" && apt-get "${opts[@]}" download libonnxruntime-dev >/dev/null)
deb=$(ls "$state/deb"/libonnxruntime-dev_*.deb | head -n1)
rm -rf "$state/x" && dpkg-deb -x "$deb" "$state/x"
rm -rf "$dest" && mkdir -p "$dest"
mv "$state/x/usr/include/onnxruntime" "$dest/onnxruntime"
echo "fetch_ort_headers: $(basename "$deb") -> $dest/onnxruntime"
