#!/usr/bin/env bash
# The README's main-job command, on a fresh machine with no Docker daemon: build swarmsafe,
# run `swarmsafe demo` (create a swarm, deploy through the embedded manager, age-encrypted
# backup, lose the host, restore --force-new-cluster onto a new address, check it, show it to
# the docker CLI), then rescue a real swarm that lost two of its three managers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release --product swarmsafe >&2
bin=$(swift build -c release --show-bin-path)/swarmsafe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*" >&2; }

step "swarmsafe demo: the whole job, narrated"
"$bin" demo

step "quorum loss: manager-1 of a real 3-manager swarm (bundled test fixture) is all that is left"
tar -xzf Tests/Fixtures/ha-3mgr-snapshot.tar.gz -C "$work"
lone="$work/ha-3mgr-snapshot/manager-1"
"$bin" recover --force-new-cluster --remove-lost-managers --state-dir "$lone" --dry-run
"$bin" recover --force-new-cluster --remove-lost-managers --state-dir "$lone"
"$bin" check --state-dir "$lone"
echo >&2
echo "main job done" >&2
