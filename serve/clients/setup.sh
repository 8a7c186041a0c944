#!/usr/bin/env bash
# Makes the Python virtual environment the client tests run in (serve/tests/clients.rs
# looks for it): target/clients-venv, with the pinned packages of requirements.txt from PyPI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${CLIENTS_VENV:-$root/target/clients-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
echo "client venv ready: $venv"
