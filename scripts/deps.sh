# deps.sh - sourced by the scripts: install missing Debian/Ubuntu packages.
#
#   . scripts/deps.sh
#   need_packages cmake gcc libpcap-dev
#
# Installs only what dpkg says is missing, with apt-get (through sudo when
# not root). On a machine without apt-get it lists what is missing and
# carries on, so the build can still say precisely what it lacks.

need_packages() {
    missing=""
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $pkg"
        fi
    done
    [ -n "$missing" ] || return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "mirrordec: please install:$missing (no apt-get here)" >&2
        return 0
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "mirrordec: need root or sudo to install:$missing" >&2; return 1; }
        sudo="sudo"
    fi
    echo "mirrordec: installing:$missing"
    # tshark asks whether non-root users may capture: keep the default (no).
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections 2>/dev/null || true
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "${MDEC_APT_UPDATED:-}" ]; then
        $sudo apt-get update -qq
        MDEC_APT_UPDATED=1
    fi
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
