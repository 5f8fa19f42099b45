#!/usr/bin/env bash
# fetch_debian_source.sh PACKAGE DEST — unpack a Debian source package into DEST without touching the
# system's apt configuration (a private apt state lives next to DEST).
#
# Used by the build for sources that must be compiled to WebAssembly. The newest suite that has the package
# wins (trixie, then bookworm), so e.g. Dear ImGui 1.90.1 is preferred over bookworm's 1.86.
set -euo pipefail
pkg=$1
dest=$(realpath -m "$2")
state="$(dirname "$dest")/apt-$pkg"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/parts" "$state/src"
for suite in trixie bookworm; do
    echo "deb-src http://deb.debian.org/debian $suite main" >"$state/sources.list"
    opts=(-o "Dir::Etc::SourceList=$state/sources.list" -o "Dir::Etc::SourceParts=$state/parts"
          -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" -o "APT::Sandbox::User=root"
          -o "Debug::NoLocking=1" -qq)
    if ! apt-get "${opts[@]}" update; then
        echo "fetch_debian_source: could not read the $suite source index" >&2
        continue
    fi
    rm -rf "$state/src" && mkdir -p "$state/src"
    if (cd "$state/src" && apt-get "${opts[@]}" source --download-only "$pkg" >/dev/null); then
        dsc=$(ls "$state/src"/*.dsc | head -n1)
        rm -rf "$dest" "$state/x"
        dpkg-source --no-check -x "$dsc" "$state/x" >/dev/null
        mv "$state/x" "$dest"
        echo "fetch_debian_source: $pkg from $suite: $(basename "$dsc")"
        exit 0
    fi
    # Some mirrors serve a suite's upstream tarball (checked by apt against the suite's Sources index) but not
    # its .dsc or Debian patches; the upstream source is then what the package builds from, so use it.
    orig=$(ls "$state/src/${pkg}_"*.orig.tar.* 2>/dev/null | head -n1 || true)
    if [ -n "$orig" ]; then
        rm -rf "$dest" "$state/x" && mkdir -p "$state/x"
        tar -xf "$orig" -C "$state/x" --strip-components=1
        mv "$state/x" "$dest"
        echo "fetch_debian_source: $pkg from $suite: $(basename "$orig") (upstream tarball; .dsc not served)"
        exit 0
    fi
    echo "fetch_debian_source: $pkg not available from $suite" >&2
done
echo "fetch_debian_source: no suite served the source package '$pkg'" >&2
exit 1
