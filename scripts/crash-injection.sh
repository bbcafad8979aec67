#!/usr/bin/env bash
# The crash-injection tests at full strength: every command that writes a state directory or a
# repository (recover, repair, key rotate/lock/unlock, certs renew, restore, init, backup, prune)
# is killed with SIGKILL before at least N of its file-system steps (default 32), every rename,
# exchange and unlink among them, and judged after each kill. The suite runs the same tests
# with 6 points each; the real-dockerd boots of killed states are in RealDockerSuite.
#
# usage: scripts/crash-injection.sh [--state DIR [--unlock-key SWMKEY-1-…]] [POINTS]
#   --state DIR: kill the commands on copies of this manager state directory instead of the
#   fixtures (a real /var/lib/docker/swarm, copied while its daemon is stopped; it is never
#   written). Commands that do not apply to it (key lock on an autolocked state, key rotate and
#   unlock on one that is not) say so and are not run.
set -euo pipefail
cd "$(dirname "$0")/.."
state=""
key=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --state) state=$(realpath "$2"); shift 2 ;;
    --unlock-key) key=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
points=${1:-32}
if [[ -n $state && ! -d $state/raft ]]; then
  echo "$state: not a swarm state directory (no raft folder)" >&2
  exit 2
fi
scripts/install-system-packages.sh
swift build --build-tests
filter='StateCrashTests|CertificateCrashTests|RepositoryCrashTests|InitCrashTests'
# init makes its own state: nothing of an outside one to use.
[[ -n $state ]] && filter='StateCrashTests|CertificateCrashTests|RepositoryCrashTests'
SWARMSAFE_CRASH_POINTS=$points SWARMSAFE_CRASH_STATE=$state SWARMSAFE_CRASH_UNLOCK_KEY=$key \
  swift test --skip-build --filter "$filter" 2>&1 \
  | grep -vE '^\[|Test run started|started\.$'
