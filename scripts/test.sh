#!/usr/bin/env bash
# The whole test suite, from a plain clone on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build --build-tests
swift test --skip-build "$@"
