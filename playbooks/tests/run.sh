#!/usr/bin/env bash
# Runs every playbook for real against localhost (several inventory aliases, all
# ansible_connection=local, each with its own folders), with the project's binary and
# temporary folders — no Docker: the daemon commands are `true` — and checks what each one
# left behind with swarmsafe itself; then ansible-lint (profile production).
# usage: playbooks/tests/run.sh [PATH/TO/swarmsafe]      (default: .build/debug/swarmsafe)
# Exit 0 passed, 1 failed, 77 ansible could not be installed (the Swift test skips then).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/.." && pwd)
bin=$(realpath "${1:-$repo/.build/debug/swarmsafe}")
[ -x "$bin" ] || { echo "no swarmsafe binary at $bin" >&2; exit 1; }
started=$SECONDS

# ansible-core and ansible-lint: .venv-ansible/ (scripts/install-system-packages.sh makes it),
# else whatever is on PATH; installed when missing.
if ! [ -x "$repo/.venv-ansible/bin/ansible-playbook" ] && ! command -v ansible-playbook >/dev/null; then
  "$repo/scripts/install-system-packages.sh" >&2 || true
fi
PATH="$repo/.venv-ansible/bin:$PATH:$repo/.venv-s3/bin"
for tool in ansible-playbook ansible-lint; do
  command -v "$tool" >/dev/null || {
    echo "SKIP: $tool is not installed and scripts/install-system-packages.sh could not install it (no PyPI?)" >&2
    exit 77
  }
done

work=$(mktemp -d)
[ -z "${KEEP_WORK:-}" ] || echo "work folder: $work" >&2
moto_pid=""
trap '[ -z "$moto_pid" ] || kill -KILL "$moto_pid" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/ansible-tmp"
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0 \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_LOCAL_TEMP="$work/ansible-tmp" \
  ANSIBLE_REMOTE_TEMP="$work/ansible-tmp" ANSIBLE_PYTHON_INTERPRETER="$(command -v python3)"
fail() { echo "playbook test failed: $*" >&2; exit 1; }
# play NAME PLAYBOOK INVENTORY VARS [more ansible-playbook arguments]: must pass.
play() {
  local name=$1 playbook=$2 inventory=$3 vars=$4; shift 4
  ansible-playbook "$here/$playbook" -i "$inventory" -e "@$vars" "$@" >"$work/$name.log" 2>&1 \
    || { cat "$work/$name.log" >&2; fail "$name ($playbook)"; }
}
# unchanged NAME: the run's recap shows changed=0 for every host.
unchanged() {
  grep -E '^[^ ].* : ok=' "$work/$1.log" | grep -vq 'changed=0 ' \
    && { grep -E ' : ok=' "$work/$1.log" >&2; fail "$1 changed something on a second run"; } || true
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

age-keygen -o "$work/backup.agekey" 2>/dev/null
recipient=$(sed -n 's/^# public key: //p' "$work/backup.agekey")

# --- nightly-backup.yml: two managers (one autolocked), one shared repository, encrypted,
# retention keep-last 1; systemd units, then cron; then a run that must change nothing.
n="$work/nightly"
mkdir -p "$n"
"$bin" init --state-dir "$n/swarm-1" --advertise-addr 127.0.0.1 --hostname mgr1 --autolock --json \
  | json 'd["unlock_key"]' >"$n/unlock.key"
chmod 600 "$n/unlock.key"
"$bin" init --state-dir "$n/swarm-2" --advertise-addr 127.0.0.2 --hostname mgr2 --json >/dev/null
{
  echo "[swarm_managers]"
  echo "mgr1 ansible_connection=local swarm_state_dir=$n/swarm-1 swarmsafe_unlock_key_file=$n/unlock.key"
  echo "mgr2 ansible_connection=local swarm_state_dir=$n/swarm-2"
  echo "[swarm_managers:vars]"
  # Per host, as on real machines: everything a host keeps for itself.
  echo "swarmsafe_bin=$n/{{ inventory_hostname }}/bin/swarmsafe"
  echo "swarmsafe_script_path=$n/{{ inventory_hostname }}/sbin/swarmsafe-backup"
  echo "swarmsafe_config_dir=$n/{{ inventory_hostname }}/etc"
  echo "swarmsafe_metrics_file=$n/{{ inventory_hostname }}/metrics/swarmsafe.prom"
  echo "systemd_unit_dir=$n/{{ inventory_hostname }}/systemd"
  echo "swarmsafe_cron_file=$n/{{ inventory_hostname }}/cron.d/swarmsafe-backup"
} >"$n/inventory.ini"
mkdir -p "$n"/mgr{1,2}/{systemd,cron.d}
cat >"$n/vars.yml" <<VARS
swarmsafe_binary_src: $bin
swarmsafe_repo: $n/repo
swarmsafe_age_recipient: $recipient
swarmsafe_verify_identity_src: $work/backup.agekey
swarmsafe_keep_last: 1
swarmsafe_keep_daily: 0
swarmsafe_keep_weekly: 0
swarmsafe_keep_monthly: 0
swarmsafe_manage_units: false
VARS
play nightly-systemd nightly-backup.yml "$n/inventory.ini" "$n/vars.yml" -e swarmsafe_scheduler=systemd
play nightly-cron nightly-backup.yml "$n/inventory.ini" "$n/vars.yml" -e swarmsafe_scheduler=cron
play nightly-again nightly-backup.yml "$n/inventory.ini" "$n/vars.yml" -e swarmsafe_scheduler=cron -e swarmsafe_run_now=false
unchanged nightly-again
grep -q '^mgr1 *: ok=.*changed=' "$work/nightly-systemd.log" || fail "nightly: mgr1 did not run"
[ "$(grep -c 'Verify the archive with swarmsafe verify' "$work/nightly-cron.log")" -eq 2 ] \
  || fail "nightly: the run-now archives were not verified on both managers"
archives=("$n"/repo/swarm-*.tar.zst.age)
[ "${#archives[@]}" -eq 2 ] || fail "nightly: expected one encrypted archive per manager (keep-last 1), found ${#archives[@]}"
for archive in "${archives[@]}"; do
  "$bin" verify "$archive" --identity "$work/backup.agekey" --unlock-key-file "$n/unlock.key" --quiet >/dev/null \
    || fail "nightly: $archive does not verify"
done
for h in mgr1 mgr2; do
  grep -qx "ExecStart=$n/$h/sbin/swarmsafe-backup" "$n/$h/systemd/swarmsafe-backup.service" || fail "nightly: $h service unit"
  grep -qx 'OnCalendar=\*-\*-\* 02:30:00' "$n/$h/systemd/swarmsafe-backup.timer" || fail "nightly: $h timer unit"
  grep -qx "30 2 \* \* \* root $n/$h/sbin/swarmsafe-backup" "$n/$h/cron.d/swarmsafe-backup" || fail "nightly: $h cron entry"
  grep -q '^swarmsafe_backup_success{.*} 1$' "$n/$h/metrics/swarmsafe.prom" || fail "nightly: $h metrics file"
  grep -q -- '--keep-last 1' "$n/$h/sbin/swarmsafe-backup" || fail "nightly: $h retention in the backup script"
  grep -qx "$recipient" "$n/$h/etc/recipients" || fail "nightly: $h recipients file"
  cmp -s "$bin" "$n/$h/bin/swarmsafe" || fail "nightly: $h binary not installed"
done
grep -q -- "--unlock-key-file $n/unlock.key" "$n/mgr1/sbin/swarmsafe-backup" || fail "nightly: unlock key file not passed"
grep -q "SWMKEY" "$work"/nightly-*.log && fail "nightly: an unlock key appears in the output"

# --- nightly-backup.yml to S3: a real S3-protocol server (moto) on a loopback address of this
# test's own; credentials from a controller-side file; two runs, keep-last 1.
command -v moto_server >/dev/null || fail "nightly-s3: moto_server is not installed (scripts/install-system-packages.sh)"
command -v aws >/dev/null || fail "nightly-s3: the AWS CLI is not installed (scripts/install-system-packages.sh)"
s3="$work/nightly-s3"
mkdir -p "$s3/mgr3/cron.d"
s3_host=127.103.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1)); s3_port=$((20000 + RANDOM % 20000))
moto_server -H "$s3_host" -p "$s3_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/$s3_host/$s3_port") 2>/dev/null && break; sleep 0.2; done
export_s3() { env AWS_ACCESS_KEY_ID=playbook AWS_SECRET_ACCESS_KEY=playbook-secret AWS_DEFAULT_REGION=us-east-1 \
  AWS_ENDPOINT_URL="http://$s3_host:$s3_port" "$@"; }
export_s3 aws s3 mb s3://swarm-nightly >/dev/null || fail "nightly-s3: cannot create the bucket (moto log: $(tail -3 "$work/moto.log"))"
printf '[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[nightly]\naws_access_key_id = playbook\naws_secret_access_key = playbook-secret\n' \
  >"$s3/credentials"
"$bin" init --state-dir "$s3/swarm-3" --advertise-addr 127.0.0.3 --hostname mgr3 --json >/dev/null
{
  echo "[swarm_managers]"
  echo "mgr3 ansible_connection=local swarm_state_dir=$s3/swarm-3"
  echo "[swarm_managers:vars]"
  echo "swarmsafe_bin=$s3/{{ inventory_hostname }}/bin/swarmsafe"
  echo "swarmsafe_script_path=$s3/{{ inventory_hostname }}/sbin/swarmsafe-backup"
  echo "swarmsafe_config_dir=$s3/{{ inventory_hostname }}/etc"
  echo "swarmsafe_metrics_file=$s3/{{ inventory_hostname }}/metrics/swarmsafe.prom"
  echo "swarmsafe_cron_file=$s3/{{ inventory_hostname }}/cron.d/swarmsafe-backup"
} >"$s3/inventory.ini"
cat >"$s3/vars.yml" <<VARS
swarmsafe_binary_src: $bin
swarmsafe_s3_bucket: swarm-nightly
swarmsafe_s3_prefix: prod/managers
swarmsafe_s3_endpoint: http://$s3_host:$s3_port
swarmsafe_s3_region: us-east-1
swarmsafe_s3_credentials_src: $s3/credentials
swarmsafe_s3_profile: nightly
swarmsafe_s3_part_size: 5MiB
swarmsafe_age_recipient: $recipient
swarmsafe_verify_identity_src: $work/backup.agekey
swarmsafe_keep_last: 1
swarmsafe_keep_daily: 0
swarmsafe_keep_weekly: 0
swarmsafe_keep_monthly: 0
swarmsafe_scheduler: cron
VARS
play nightly-s3 nightly-backup.yml "$s3/inventory.ini" "$s3/vars.yml"
play nightly-s3-again nightly-backup.yml "$s3/inventory.ini" "$s3/vars.yml"
grep -q 'Verify the archive with swarmsafe verify' "$work/nightly-s3-again.log" || fail "nightly-s3: the archive was not verified"
mapfile -t s3_keys < <(export_s3 aws s3api list-objects-v2 --bucket swarm-nightly --query 'Contents[].Key' --output text | tr '\t' '\n')
[ "${#s3_keys[@]}" -eq 1 ] && [[ "${s3_keys[0]}" == prod/managers/swarm-*.tar.zst.age ]] \
  || fail "nightly-s3: expected one archive under prod/managers (keep-last 1), found: ${s3_keys[*]}"
export_s3 "$bin" verify "s3://swarm-nightly/${s3_keys[0]}" --identity "$work/backup.agekey" --quiet >/dev/null \
  || fail "nightly-s3: s3://swarm-nightly/${s3_keys[0]} does not verify"
[ "$(stat -c %a "$s3/mgr3/etc/aws-credentials")" = 600 ] || fail "nightly-s3: the credentials file is not private"
grep -q "AWS_SHARED_CREDENTIALS_FILE=$s3/mgr3/etc/aws-credentials" "$s3/mgr3/sbin/swarmsafe-backup" \
  || fail "nightly-s3: the backup script does not use the installed credentials"
grep -q -- "--repo s3://swarm-nightly/prod/managers" "$s3/mgr3/sbin/swarmsafe-backup" || fail "nightly-s3: repository in the script"
grep -q "playbook-secret" "$s3/mgr3/sbin/swarmsafe-backup" "$work"/nightly-s3*.log && fail "nightly-s3: a secret key appears in the script or the output"
grep -q '^swarmsafe_backup_success{.*} 1$' "$s3/mgr3/metrics/swarmsafe.prom" || fail "nightly-s3: metrics file"
# SIGKILL: moto keeps nothing worth a clean exit, and a SIGTERM the test runner blocks is
# inherited by the server, which would then never end.
kill -KILL "$moto_pid"; wait "$moto_pid" 2>/dev/null || true; moto_pid=""

# --- quorum-loss-recovery.yml: the real 3-manager fixture as three hosts, and a fourth that
# cannot be reached. manager-1 is put back to log index 122 (older state), manager-3 is lost
# (its folder is gone): manager-2 has the most recent state and must be the one rescued,
# although it is not first in the inventory. There is no Docker: the daemons' status command
# answers as a manager that lost its quorum would ("no leader"), or, for the refusal, as one
# with a working control plane.
q="$work/quorum"
mkdir -p "$q"
tar -xzf "$repo/Tests/Fixtures/ha-3mgr-snapshot.tar.gz" -C "$q"
f="$q/ha-3mgr-snapshot"
"$bin" recover --rewind-to 122 --state-dir "$f/manager-1" --json >/dev/null
rm -rf "$f/manager-1".swarmsafe-old-* "$f/manager-3"
cat >"$q/status" <<'STATUS'
#!/bin/sh
# docker info --format json, Swarm section only, as a manager answers it.
case "$1" in
  leader) echo '{"LocalNodeState":"active","ControlAvailable":true,"Error":"","Nodes":3,"Managers":3}' ;;
  *) echo '{"LocalNodeState":"active","ControlAvailable":true,"Error":"rpc error: code = Unknown desc = The swarm does not have a leader. It'"'"'s possible that too few managers are online. Make sure more than half of the managers are online."}' ;;
esac
STATUS
chmod +x "$q/status"
{
  echo "[swarm_managers]"
  echo "m1 ansible_connection=local swarm_state_dir=$f/manager-1 swarm_advertise_addr=192.0.2.11"
  for i in 2 3; do echo "m$i ansible_connection=local swarm_state_dir=$f/manager-$i"; done
  # Nothing listens on port 1: unreachable at once.
  echo "m4 ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 swarm_state_dir=/var/lib/docker/swarm"
} >"$q/inventory.ini"
cat >"$q/vars.yml" <<VARS
swarmsafe_bin: $bin
swarm_daemon_stop_cmd: "true"
swarm_daemon_start_cmd: "true"
swarm_daemon_status_cmd: $q/status no-leader
swarm_join_token_cmd: $work/no-docker-here swarm join-token manager -q
swarm_join_token_retries: 0
VARS
members() { "$bin" inspect --json --state-dir "$1" | json 'len(d["raft"]["members"]), d["raft"]["last_index"]'; }
# A daemon answers with a working control plane: that is a quorum, refused unless asked for.
if ansible-playbook "$here/quorum-loss-recovery.yml" -i "$q/inventory.ini" -e "@$q/vars.yml" \
  -e "swarm_daemon_status_cmd='$q/status leader'" >"$work/quorum-refused.log" 2>&1; then
  fail "quorum-loss-recovery went ahead although the daemons answer with a leader"
fi
grep -q "that is a quorum" "$work/quorum-refused.log" || { cat "$work/quorum-refused.log" >&2; fail "quorum: wrong refusal"; }
[ "$(members "$f/manager-2")" = "3 125" ] || fail "quorum: manager-2 changed by the refused run"
[ "$(members "$f/manager-1")" = "3 122" ] || fail "quorum: manager-1 changed by the refused run"
play quorum-check quorum-loss-recovery.yml "$q/inventory.ini" "$q/vars.yml" \
  -e "swarm_daemon_status_cmd='$q/status leader'" -e swarm_recover_allow_quorum=true --check
grep -q "rescuing m2" "$work/quorum-check.log" || fail "quorum: --check did not show the choice"
[ "$(members "$f/manager-2")" = "3 125" ] || fail "quorum: manager-2 changed by the --check run"
[ "$(members "$f/manager-1")" = "3 122" ] || fail "quorum: manager-1 changed by the --check run"
# Readable folders whose daemons answer "no leader" are no quorum: rescued without being asked.
play quorum quorum-loss-recovery.yml "$q/inventory.ini" "$q/vars.yml"
[ "$(members "$f/manager-2" | cut -d" " -f1)" = "1" ] || fail "quorum: manager-2 (most recent state) reads $(members "$f/manager-2")"
"$bin" check --state-dir "$f/manager-2" >/dev/null || fail "quorum: the recovered folder does not pass swarmsafe check"
ls -d "$f/manager-2".swarmsafe-old-* >/dev/null || fail "quorum: the previous folder was not kept"
# manager-1 is fenced: its folder moved aside, untouched otherwise.
[ ! -e "$f/manager-1" ] || fail "quorum: manager-1's folder was not moved aside"
fenced=("$f/manager-1".fenced-*)
[ "${#fenced[@]}" -eq 1 ] && [ "$(members "${fenced[0]}")" = "3 122" ] || fail "quorum: manager-1 fenced as ${fenced[*]}"
grep -q "rescuing m2" "$work/quorum.log" || fail "quorum: m2 not announced"
grep -q "m1: fenced: daemon stopped, $f/manager-1 moved to ${fenced[0]}" "$work/quorum.log" || fail "quorum: m1's fence not reported"
grep -q "on m1: docker swarm join --token <TOKEN> --advertise-addr 192.0.2.11 127.0.0.1:46789" "$work/quorum.log" \
  || fail "quorum: no join command for m1"
grep -q "m3: $f/manager-3 is empty or missing: nothing to fence" "$work/quorum.log" || fail "quorum: m3 not reported"
grep -q "on m3: docker swarm join --token <TOKEN> --advertise-addr <THIS-HOST-IP> 127.0.0.1:46789" "$work/quorum.log" \
  || fail "quorum: no join command for m3"
grep -q "m3 has no swarm_advertise_addr" "$work/quorum.log" || fail "quorum: the placeholder is not explained"
grep -q "m4: unreachable, NOT FENCED: on m4, before its daemon can start again: true; mv /var/lib/docker/swarm" "$work/quorum.log" \
  || fail "quorum: no instructions for the unreachable m4"
grep -q "The join token could not be read" "$work/quorum.log" || fail "quorum: no instructions without docker"
play quorum-again quorum-loss-recovery.yml "$q/inventory.ini" "$q/vars.yml"
unchanged quorum-again
[ "$(ls -d "$f/manager-2".swarmsafe-old-* | wc -l)" -eq 1 ] || fail "quorum: the second run recovered again"
[ "$(ls -d "$f/manager-1".fenced-* | wc -l)" -eq 1 ] || fail "quorum: the second run fenced again"

# --- migrate-cluster.yml: an autolocked old manager backs up (age-encrypted for the journey),
# the new host restores at 192.0.2.77 as a one-manager cluster; a second run changes nothing.
m="$work/migrate"
mkdir -p "$m/old" "$m/new"
"$bin" init --state-dir "$m/old/swarm" --advertise-addr 10.1.1.1 --hostname old --autolock --json \
  | json 'd["unlock_key"]' >"$m/unlock.key"
chmod 600 "$m/unlock.key"
cat >"$m/inventory.ini" <<INI
[old_manager]
old ansible_connection=local swarm_state_dir=$m/old/swarm
[new_manager]
new ansible_connection=local swarm_state_dir=$m/new/swarm
INI
cat >"$m/vars.yml" <<VARS
swarmsafe_bin: $bin
swarmsafe_unlock_key_file: $m/unlock.key
swarm_daemon_stop_cmd: "true"
swarm_daemon_start_cmd: "true"
new_advertise_addr: 192.0.2.77
migrate_repo_old: $m/old-repo
migrate_repo_new: $m/new-repo
migrate_transfer_dir: $m/transfer
migrate_age_recipient: $recipient
migrate_age_identity_src: $work/backup.agekey
VARS
play migrate migrate-cluster.yml "$m/inventory.ini" "$m/vars.yml"
addr=$("$bin" inspect --json --state-dir "$m/new/swarm" --unlock-key-file "$m/unlock.key" \
  | json '",".join(x["addr"] for x in d["raft"]["members"])')
[ "$addr" = "192.0.2.77:2377" ] || fail "migrate: the new manager's address is $addr"
"$bin" check --state-dir "$m/new/swarm" --unlock-key-file "$m/unlock.key" >/dev/null || fail "migrate: the new folder does not pass check"
ls "$m"/old-repo/*.tar.zst.age "$m"/new-repo/*.tar.zst.age >/dev/null || fail "migrate: no encrypted archive"
[ -z "$(ls -A "$m/transfer")" ] || fail "migrate: the controller's copy of the archive was left behind"
play migrate-again migrate-cluster.yml "$m/inventory.ini" "$m/vars.yml"
unchanged migrate-again
[ "$(ls "$m"/old-repo | wc -l)" -eq 1 ] || fail "migrate: the second run took another backup"
grep -q "SWMKEY\|AGE-SECRET-KEY" "$work"/migrate*.log && fail "migrate: key material in the output"

# --- ansible-lint on every playbook.
(cd "$here" && ansible-lint --offline --profile production \
  nightly-backup.yml quorum-loss-recovery.yml migrate-cluster.yml) >"$work/lint.log" 2>&1 \
  || { cat "$work/lint.log" >&2; fail "ansible-lint"; }
echo "playbooks: nightly-backup (systemd, cron, idempotent, to S3), quorum-loss-recovery (refusal, rescue, idempotent), migrate-cluster (encrypted transfer, autolocked, idempotent) passed; ansible-lint (production) clean; $((SECONDS - started)) s"
