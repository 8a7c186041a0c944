"""Fixtures for the client tests: the server's ports, boto3 clients pointed at it, and the
admin API. serve/tests/clients.rs starts the server (manual clock) and passes its ready line
in IOT_JOBS_SERVE; run by hand, the tests start target/debug/iot-jobs-serve themselves."""

import json
import os
import subprocess
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def ports():
    ready = os.environ.get("IOT_JOBS_SERVE")
    if ready:
        yield json.loads(ready)["ready"]
        return
    binary = ROOT / "target" / "debug" / "iot-jobs-serve"
    proc = subprocess.Popen(
        [str(binary), "--port", "0", "--mqtt-port", "0",
         "--clock", "manual", "--start", "1000"],
        stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    try:
        yield json.loads(line)["ready"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _client(service, ports):
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{ports['http']}",
        region_name="us-east-1",
        # Any credentials are accepted: the signature is read only for its service.
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="session")
def data(ports):
    return _client("iot-jobs-data", ports)


@pytest.fixture(scope="session")
def iot(ports):
    return _client("iot", ports)


class Admin:
    """The admin API under /_spec/."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}/_spec"

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def clock(self):
        return self._call("GET", "/clock")

    def advance(self, seconds):
        return self._call("POST", "/clock", {"advance": seconds})


@pytest.fixture(scope="session")
def admin(ports):
    return Admin(ports["http"])


@pytest.fixture
def uid():
    """A fresh name suffix: every test uses its own things and jobs, so the whole session
    is one recorded trace."""
    return uuid.uuid4().hex[:10]


def thing_arn(name):
    return f"arn:aws:iot:us-east-1:123456789012:thing/{name}"


def group_arn(name):
    return f"arn:aws:iot:us-east-1:123456789012:thinggroup/{name}"
