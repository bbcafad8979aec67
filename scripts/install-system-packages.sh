#!/usr/bin/env bash
# Installs the Debian packages swarmsafe builds and runs against, when any is missing.
# Idempotent and quiet when everything is already there.
set -euo pipefail
packages=(pkg-config libsodium-dev libarchive-dev libssl-dev zlib1g-dev age zstd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
