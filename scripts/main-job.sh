#!/usr/bin/env bash
# The README's main-job command. Until the demo lands it builds swarmsafe, inspects a real
# manager folder bundled with the tests (a 3-manager swarm with snapshots), creates a new
# autolocked swarm with `init` and reads it back.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release --product swarmsafe >&2
bin=$(swift build -c release --show-bin-path)/swarmsafe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf Tests/Fixtures/ha-3mgr-snapshot.tar.gz -C "$work"
echo "== swarmsafe inspect --state-dir <ha-3mgr-snapshot/manager-1>" >&2
"$bin" inspect --state-dir "$work/ha-3mgr-snapshot/manager-1"
echo "== swarmsafe dump objects service | first line" >&2
"$bin" dump objects service --state-dir "$work/ha-3mgr-snapshot/manager-1" | head -1 | cut -c1-200
echo "== swarmsafe init --autolock (a new swarm, written offline)" >&2
key=$("$bin" init --state-dir "$work/new-swarm" --advertise-addr 127.0.0.1 --autolock --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["unlock_key"])')
echo "== swarmsafe inspect on the new swarm (unlock key from the environment)" >&2
SWARMSAFE_UNLOCK_KEY=$key "$bin" inspect --state-dir "$work/new-swarm"
