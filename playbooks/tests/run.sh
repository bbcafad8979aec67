#!/usr/bin/env bash
# Runs every playbook for real against localhost, with the project's binary and temporary
# folders (no Docker: the daemon commands are `true`), and checks what each one left behind.
# usage: playbooks/tests/run.sh [PATH/TO/swarmsafe]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
bin=$(realpath "${1:-$repo/.build/debug/swarmsafe}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# pip puts ansible's commands in Python's scripts folder, which a pyenv shim only finds after a
# rehash: look there first.
PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
fail() { echo "playbook test failed: $*" >&2; exit 1; }
play() { ansible-playbook "$here/$1" -i "$2" -e "@$3" >"$work/$1.log" 2>&1 || { cat "$work/$1.log" >&2; fail "$1"; }; }

# --- nightly-backup.yml: a new autolocked swarm, encrypted backups, systemd units, then cron.
mkdir -p "$work/n" "$work/m/old"
"$bin" init --state-dir "$work/n/swarm" --advertise-addr 127.0.0.1 --autolock --json >"$work/init.json"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unlock_key"])' "$work/init.json" >"$work/unlock.key"
chmod 600 "$work/unlock.key"
age-keygen -o "$work/backup.agekey" 2>/dev/null
recipient=$(sed -n 's/^# public key: //p' "$work/backup.agekey")
printf '[swarm_managers]\nmgr1 ansible_connection=local ansible_python_interpreter=%s\n' "$(command -v python3)" >"$work/one.ini"
for scheduler in systemd cron; do
  cat >"$work/nightly-$scheduler.yml" <<VARS
swarmsafe_bin: $bin
swarm_state_dir: $work/n/swarm
swarmsafe_unlock_key_file: $work/unlock.key
swarmsafe_repo: $work/repo
swarmsafe_age_recipient: $recipient
swarmsafe_verify_identity_file: $work/backup.agekey
swarmsafe_metrics_file: $work/metrics/swarmsafe.prom
swarmsafe_scheduler: $scheduler
swarmsafe_systemd_unit_dir: $work/units
swarmsafe_cron_file: $work/cron.d-swarmsafe-backup
swarmsafe_manage_units: false
swarmsafe_script_path: $work/bin/swarmsafe-backup
VARS
  mkdir -p "$work/units" "$work/bin"
  play nightly-backup.yml "$work/one.ini" "$work/nightly-$scheduler.yml"
done
archives=("$work"/repo/swarm-*.tar.zst.age)
[ "${#archives[@]}" -eq 2 ] || fail "expected 2 encrypted archives, found ${#archives[@]}"
"$bin" verify "${archives[-1]}" --identity "$work/backup.agekey" --unlock-key-file "$work/unlock.key" --deep >/dev/null \
  || fail "the nightly archive does not verify"
grep -q "^ExecStart=$work/bin/swarmsafe-backup$" "$work/units/swarmsafe-backup.service" || fail "service unit"
grep -q '^OnCalendar=\*-\*-\* 02:30:00$' "$work/units/swarmsafe-backup.timer" || fail "timer unit"
grep -q "^30 2 \* \* \* root $work/bin/swarmsafe-backup$" "$work/cron.d-swarmsafe-backup" || fail "cron entry"
grep -q '^swarmsafe_backup_success' "$work/metrics/swarmsafe.prom" || fail "metrics file"
grep -q 'keep-daily 7' "$work/bin/swarmsafe-backup" || fail "retention in the backup script"

# --- quorum-loss-recovery.yml: the real 3-manager fixture, three "hosts" on localhost.
tar -xzf "$repo/Tests/Fixtures/ha-3mgr-snapshot.tar.gz" -C "$work"
{
  echo "[swarm_managers]"
  for n in 1 2 3; do
    echo "m$n ansible_connection=local ansible_python_interpreter=$(command -v python3) swarm_state_dir=$work/ha-3mgr-snapshot/manager-$n"
  done
} >"$work/three.ini"
cat >"$work/quorum.yml" <<VARS
swarmsafe_bin: $bin
swarm_daemon_stop_cmd: "true"
swarm_daemon_start_cmd: "true"
swarm_join_token_cmd: "false"
VARS
best=$(for n in 1 2 3; do
  "$bin" inspect --json --state-dir "$work/ha-3mgr-snapshot/manager-$n" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["raft"]; print(r["commit"], r["last_index"], sys.argv[1])' "$n"
done | sort -n -k1,1 -k2,2 | tail -1 | cut -d' ' -f3)
play quorum-loss-recovery.yml "$work/three.ini" "$work/quorum.yml"
for n in 1 2 3; do
  members=$("$bin" inspect --json --state-dir "$work/ha-3mgr-snapshot/manager-$n" \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["raft"]["members"]))')
  if [ "$n" = "$best" ]; then
    [ "$members" = 1 ] || fail "manager-$n (most recent state) was not recovered"
    "$bin" check --state-dir "$work/ha-3mgr-snapshot/manager-$n" >/dev/null || fail "the recovered folder does not pass check"
  else
    [ "$members" = 3 ] || fail "manager-$n was changed though it was not the survivor"
  fi
done
grep -q "docker swarm join --token" "$work/quorum-loss-recovery.yml.log" || fail "no join command printed"

# --- migrate-cluster.yml: old host backs up, new host restores at a new address.
"$bin" init --state-dir "$work/m/old/swarm" --advertise-addr 127.0.0.1 --json >/dev/null
mkdir -p "$work/m/new"
cat >"$work/two.ini" <<INI
[old_manager]
old ansible_connection=local ansible_python_interpreter=$(command -v python3) swarm_state_dir=$work/m/old/swarm swarmsafe_repo=$work/m/old-repo
[new_manager]
new ansible_connection=local ansible_python_interpreter=$(command -v python3) swarm_state_dir=$work/m/new/swarm swarmsafe_repo=$work/m/new-repo
INI
cat >"$work/migrate.yml" <<VARS
swarmsafe_bin: $bin
swarm_daemon_stop_cmd: "true"
swarm_daemon_start_cmd: "true"
new_advertise_addr: 192.0.2.77
swarmsafe_transfer_dir: $work/m/transfer
VARS
play migrate-cluster.yml "$work/two.ini" "$work/migrate.yml"
addr=$("$bin" inspect --json --state-dir "$work/m/new/swarm" \
  | python3 -c 'import json,sys; print(",".join(m["addr"] for m in json.load(sys.stdin)["raft"]["members"]))')
[ "$addr" = "192.0.2.77:2377" ] || fail "the migrated manager's address is $addr"
"$bin" check --state-dir "$work/m/new/swarm" >/dev/null || fail "the migrated folder does not pass check"

# --- ansible-lint on every playbook.
(cd "$here" && ansible-lint --offline --profile production nightly-backup.yml quorum-loss-recovery.yml migrate-cluster.yml) \
  >"$work/lint.log" 2>&1 || { cat "$work/lint.log" >&2; fail "ansible-lint"; }
echo "playbooks: nightly-backup (systemd and cron), quorum-loss-recovery, migrate-cluster passed; ansible-lint (production) clean"
