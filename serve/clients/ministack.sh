#!/usr/bin/env bash
# Installs ministack (a Python AWS emulator, pinned below) into target/ministack-venv and
# starts it in the foreground on the given port (default 4566): the other side of the
# server benchmarks (serve/benches/round_trips/, docs/performance.md, "The server").
#
#   serve/clients/ministack.sh [PORT]
#
# It serves iot and iot-jobs-data over HTTP on PORT, told apart by the SigV4 credential
# scope as serve does, and MQTT over WebSocket on the same port for a Host of the form
# `*.iot.REGION.*`, which is how the benchmark's devices reach it. Its mTLS MQTT listener
# (port 8883) stays off: it needs the `cryptography` package and TLS. No persistence, and
# credentials are not checked (ministack's AUTH is off by default).
set -euo pipefail
version=1.5.33
port="${1:-4566}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${MINISTACK_VENV:-$root/target/ministack-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" || {
    rm -rf "$venv"
    echo "ministack.sh: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
    exit 1
  }
fi
if [ "$("$venv/bin/python" -m pip show ministack 2>/dev/null | sed -n 's/^Version: //p')" != "$version" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ministack==$version" >&2
fi
export GATEWAY_PORT="$port" BIND_HOST="${BIND_HOST:-127.0.0.1}"
export IOT_MTLS_ENABLED=0 SFTP_ENABLED=0 PERSIST_STATE=0 LOG_LEVEL="${LOG_LEVEL:-WARNING}"
exec "$venv/bin/ministack"
