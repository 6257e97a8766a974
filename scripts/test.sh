#!/usr/bin/env bash
# Runs every test: installs what is missing, then formatting, lints, the UI's
# checks and unit tests, the Rust tests (which also regenerate the IPC
# types), and the end-to-end tests in the real app window under Xvfb.
# STATIONDESK_SLOW=1 adds the slow tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

say "formatting"
cargo fmt --all --check

say "Rust tests (core, CLI, shell; regenerates ui/src/bindings)"
# The shell embeds ui/dist at compile time: build the UI first.
(cd ui && npm run --silent build)
cargo test --workspace --quiet
if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --short -- ui/src/bindings
  echo "The generated IPC types changed: commit ui/src/bindings." >&2
  exit 1
fi

say "UI type check and unit tests"
(cd ui && npm run --silent check && npm test --silent)

say "lints"
cargo clippy --workspace --all-targets --quiet -- -D warnings

say "end-to-end tests in the app window (tauri-driver, WebKitWebDriver, Xvfb)"
cargo build -p stationdesk-app --quiet
timeout 600 xvfb-run -a -s "-screen 0 1280x800x24" \
  target/e2e-venv/bin/pytest -q -p no:warnings tests/e2e --app "$root/target/debug/stationdesk-app"
