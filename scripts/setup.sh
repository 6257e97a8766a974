#!/usr/bin/env bash
# Installs what StationDesk needs and is missing. Sourced by run.sh and
# test.sh; `setup.sh test` adds what the tests need. Safe to run again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="${1:-run}"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# Debian packages: WebKitGTK 4.1 and GTK to build and run the window, Chinese
# fonts to render it; Xvfb, WebKitWebDriver and Python for the tests.
packages=(build-essential pkg-config file curl libssl-dev libwebkit2gtk-4.1-dev
  libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev librsvg2-dev
  libayatana-appindicator3-dev libxdo-dev fonts-noto-cjk nodejs npm)
if [ "$want" = test ]; then
  packages+=(xvfb xauth webkit2gtk-driver python3 python3-venv poppler-utils)
fi
missing=()
for p in "${packages[@]}"; do
  # Node and npm may come from elsewhere (nvm, NodeSource): only ask apt
  # for them when the commands are absent.
  case "$p" in nodejs|npm) command -v "${p/nodejs/node}" >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# The UI's npm packages at the locked versions. Not `npm ci`: the lock
# written here holds only this platform's optional packages (rollup's and
# esbuild's native builds), and `npm ci` refuses such a lock as out of sync.
if [ ! -d "$root/ui/node_modules" ] || [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ]; then
  say "installing the UI's npm packages"
  (cd "$root/ui" && npm install --no-save --no-audit --no-fund)
fi

if [ "$want" = test ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! command -v tauri-driver >/dev/null; then
    say "installing tauri-driver"
    cargo install tauri-driver --locked
  fi
  venv="$root/target/e2e-venv"
  if [ ! -x "$venv/bin/pytest" ] || [ "$root/tests/e2e/requirements.txt" -nt "$venv/bin/pytest" ]; then
    say "installing the end-to-end test client (selenium, pytest)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$root/tests/e2e/requirements.txt"
    touch "$venv/bin/pytest"
  fi
fi
