#!/usr/bin/env bash
# Installs the Debian packages swarmsafe builds and runs against, and the Python tools the
# playbook tests use, when any is missing.
# Idempotent and quiet when everything is already there.
set -euo pipefail
packages=(pkg-config libsodium-dev libarchive-dev libssl-dev zlib1g-dev age zstd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The playbooks' tests run ansible-core and ansible-lint (from PyPI, pinned).
python_scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
if ! [ -x "$python_scripts/ansible-playbook" ] || ! [ -x "$python_scripts/ansible-lint" ]; then
  echo "installing: ansible-core ansible-lint (pip)" >&2
  python3 -m pip install --quiet --disable-pip-version-check ansible-core==2.19.14 ansible-lint==26.10.1 >&2
  command -v pyenv >/dev/null && pyenv rehash || true
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
