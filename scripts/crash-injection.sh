#!/usr/bin/env bash
# The crash-injection tests at full strength: every command that writes a state directory or a
# repository (recover, repair, key rotate/lock/unlock, certs renew, restore, init, backup, prune)
# is killed with SIGKILL before at least N of its file-system steps (default 32), every rename,
# exchange and unlink among them, and judged after each kill. The suite runs the same tests
# with 6 points each; the real-dockerd boots of killed states are in RealDockerSuite.
#
# usage: scripts/crash-injection.sh [POINTS]
set -euo pipefail
cd "$(dirname "$0")/.."
points=${1:-32}
scripts/install-system-packages.sh
swift build --build-tests
SWARMSAFE_CRASH_POINTS=$points swift test --skip-build \
  --filter 'StateCrashTests|CertificateCrashTests|RepositoryCrashTests|InitCrashTests' 2>&1 \
  | grep -vE '^\[|Test run started|started\.$'
