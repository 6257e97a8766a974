#!/usr/bin/env bash
# Runs StationDesk: installs what is missing, builds, opens the window.
# Arguments go to the app, e.g. `scripts/run.sh --db ~/station.sqlite3`.
# With no data yet it opens on a demo station.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" run
cd "$root"
(cd ui && npm run --silent build)
cargo build --release -p stationdesk-app
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: opening the window on a virtual one (xvfb-run)." >&2
  command -v xvfb-run >/dev/null || bash "$root/scripts/setup.sh" test
  exec xvfb-run -a target/release/stationdesk-app "$@"
fi
exec target/release/stationdesk-app "$@"
