#!/usr/bin/env bash
# The README's main-job command. Until the demo lands it builds swarmsafe and inspects a real
# manager folder bundled with the tests (a 3-manager swarm with snapshots).
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
echo "== swarmsafe dump objects service (first 3 lines)" >&2
"$bin" dump objects service --state-dir "$work/ha-3mgr-snapshot/manager-1" | head -3
