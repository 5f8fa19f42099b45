# tests/lib.sh — shared by web/serve.sh and tests/run.sh: environment, Debian packages and npm packages.
# Source it; it defines dx_setup_build_env, dx_install_test_packages and dx_npm_install.

dx_setup_build_env() {
    # onnxruntime-node (the golden reference the tests run) would otherwise start Microsoft's usage telemetry
    # and keep a device id and events under ~/.cache to upload; nothing here may send anything anywhere.
    export ORT_DISABLE_TELEMETRY=1
    # shellcheck source=../emsdk_env
    DX_ENV_QUIET=${DX_ENV_QUIET:-} source "$DX_ROOT_DIR/emsdk_env" || { echo "emsdk_env failed" >&2; return 1; }
    # The UI fonts come from Debian packages, the Chinese one subset at build time by fontTools
    # (see src/platform/web/CMakeLists.txt).
    dx_apt_ensure fonts-dejavu-core fonts-wqy-microhei python3-fonttools
}

# dx_apt_ensure PKG... — install the Debian packages that are missing (uses emsdk_env's _dx_apt_install).
dx_apt_ensure() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    echo "installing Debian packages: ${missing[*]}"
    _dx_apt_install "${missing[@]}"
}

dx_install_test_packages() {
    local pkgs
    mapfile -t pkgs < <(grep -v '^\s*#' "$DX_ROOT_DIR/tests/apt-packages.txt" | awk 'NF{print $1}')
    dx_apt_ensure "${pkgs[@]}" || return 1
    dx_stop_package_services
}

# The orthanc, munge and slurm packages install system services the tests never use (they start their own on
# 127.0.0.1 with their state in a temporary folder). Where systemd runs, the installer starts some of them (Orthanc
# then listens on ports 8042 and 4242): stop and disable them, so the test command leaves no server behind.
dx_stop_package_services() {
    [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null || return 0
    local unit
    for unit in orthanc munge slurmd slurmctld; do
        systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit" 2>/dev/null || continue
        echo "stopping and disabling the system service $unit (the tests run their own)"
        systemctl disable --now "$unit" >/dev/null 2>&1 || true
    done
}

# npm packages pinned by package-lock.json; reinstalled only when the lock file changed.
dx_npm_install() {
    local stamp="$DX_ROOT_DIR/node_modules/.dx-lock-sha256" want
    want=$(sha256sum "$DX_ROOT_DIR/package-lock.json" | cut -d' ' -f1)
    [[ -f $stamp && $(cat "$stamp") == "$want" ]] && return 0
    echo "installing npm packages (npm ci)"
    # onnxruntime-node's install script would download CUDA libraries; its bundled CPU library is all we use.
    (cd "$DX_ROOT_DIR" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-fund --no-audit --loglevel=error) || return 1
    echo "$want" >"$stamp"
}
