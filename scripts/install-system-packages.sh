#!/usr/bin/env bash
# Installs the Debian packages swarmsafe builds and runs against, and the Python tools the
# playbook and S3 tests use, when any is missing.
# Idempotent and quiet when everything is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# docker.io and busybox-static: the real Docker Engine the test suite boots what we write in,
# and the one binary its local image is made of (no registry is reachable).
packages=(pkg-config libsodium-dev libarchive-dev libssl-dev zlib1g-dev age zstd docker.io busybox-static)
# The playbook tests' virtualenv needs Python's venv module (Debian ships it separately).
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The playbooks' tests run ansible-core and ansible-lint (from PyPI, pinned) out of a virtualenv
# of their own, .venv-ansible/ (gitignored): no root needed, nothing mixed into the system's
# Python (which Debian protects from pip, PEP 668), and playbooks/tests/run.sh looks there first.
venv="$root/.venv-ansible"
if ! [ -x "$venv/bin/ansible-playbook" ] || ! [ -x "$venv/bin/ansible-lint" ]; then
  echo "installing: ansible-core ansible-lint (pip, into .venv-ansible/)" >&2
  [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
  "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check \
    ansible-core==2.19.14 ansible-lint==26.10.1 >&2
fi
# The S3 tests start moto's S3 server and judge what we store with the AWS CLI. Machines of
# this kind have both on PATH; elsewhere they go into a virtualenv of their own, .venv-s3/
# (gitignored), which the tests look in first.
s3venv="$root/.venv-s3"
if ! { command -v moto_server && command -v aws; } >/dev/null 2>&1 \
  && ! { [ -x "$s3venv/bin/moto_server" ] && [ -x "$s3venv/bin/aws" ]; }; then
  echo "installing: moto[server] awscli (pip, into .venv-s3/)" >&2
  [ -x "$s3venv/bin/python3" ] || python3 -m venv "$s3venv"
  "$s3venv/bin/python3" -m pip install --quiet --disable-pip-version-check \
    "moto[server]==5.2.1" awscli==1.45.11 >&2
fi
