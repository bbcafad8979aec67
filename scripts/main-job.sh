#!/usr/bin/env bash
# The README's main-job command, on a machine with no Docker daemon: create a swarm state,
# back it up (encrypted, verified), break it, restore it, and rescue a swarm that lost two of
# its three managers. (The embedded manager that boots the result comes with a later issue.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release --product swarmsafe >&2
bin=$(swift build -c release --show-bin-path)/swarmsafe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*" >&2; }

step "init: a new autolocked swarm, written offline"
"$bin" init --state-dir "$work/swarm" --advertise-addr 127.0.0.1 --autolock --json >"$work/init.json"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unlock_key"])' "$work/init.json" >"$work/unlock-key"
chmod 600 "$work/unlock-key"
"$bin" inspect --state-dir "$work/swarm" --unlock-key-file "$work/unlock-key"

step "backup: encrypted to an age key the backup host does not hold, read back and checked"
age-keygen -o "$work/identity" 2>/dev/null
recipient=$(sed -n 's/^# public key: //p' "$work/identity")
"$bin" backup --state-dir "$work/swarm" --repo "$work/backups" --recipient "$recipient" \
  --unlock-key-file "$work/unlock-key" --metrics-file "$work/swarmsafe.prom" --quiet
archive=$(ls "$work"/backups/swarm-*.tar.zst.age)
"$bin" list --repo "$work/backups"
grep '^swarmsafe_backup_success' "$work/swarmsafe.prom"

step "verify --deep: every record decrypted, the log replayed, references checked"
"$bin" verify "$archive" --identity "$work/identity" --unlock-key-file "$work/unlock-key" --deep

step "break it: flip one byte in the WAL"
segment=$(ls "$work"/swarm/raft/wal-v3-encrypted/*.wal | head -1)
printf '\xff' | dd of="$segment" bs=1 seek=300 conv=notrunc status=none
if "$bin" inspect --state-dir "$work/swarm" --unlock-key-file "$work/unlock-key"; then
  echo "the damage went unnoticed" >&2; exit 1
fi

step "restore: verified first, swapped in atomically, the broken folder kept aside"
"$bin" restore "$archive" --state-dir "$work/swarm" --force --identity "$work/identity" \
  --unlock-key-file "$work/unlock-key" --quiet
ls -d "$work"/swarm.swarmsafe-old-* >&2
"$bin" inspect --state-dir "$work/swarm" --unlock-key-file "$work/unlock-key"

step "quorum loss: manager-1 of a real 3-manager swarm (bundled test fixture) is all that is left"
tar -xzf Tests/Fixtures/ha-3mgr-snapshot.tar.gz -C "$work"
lone="$work/ha-3mgr-snapshot/manager-1"
"$bin" recover --force-new-cluster --state-dir "$lone" --dry-run
"$bin" recover --force-new-cluster --state-dir "$lone"
"$bin" inspect --state-dir "$lone"
echo >&2
echo "main job done" >&2
