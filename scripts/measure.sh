#!/usr/bin/env bash
# Builds the release app and its .deb, then measures cold start, idle memory
# and package size (targets: <= 1.5 s, <= 150 MB, <= 15 MB). Not part of the
# test command: a release build takes minutes on two cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
(cd ui && npm run --silent build)
# The Tauri CLI (from npm, which carries its binary) builds the release
# binary and bundles the .deb.
npx --yes @tauri-apps/cli@2 build --bundles deb
deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
echo ".deb: $deb, $(du -k "$deb" | cut -f1) KiB"
xvfb-run -a -s "-screen 0 1280x800x24" target/e2e-venv/bin/python scripts/measure.py \
  target/release/stationdesk-app "${1:-5}"
