"""A device agent over MQTT (paho-mqtt) against the server: start-next, IN_PROGRESS with a
step timeout, the clock advanced through the admin API, the timeout seen on notify-next
(the retry the job's retry configuration queues), the retry picked up and SUCCEEDED."""

import json
import queue
import threading

import paho.mqtt.client as mqtt
import pytest

from conftest import thing_arn

TIMEOUT = 10


class Device:
    """A paho client that records every message it receives, per topic."""

    def __init__(self, port, client_id, protocol):
        self.messages = queue.Queue()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol)
        self.client.on_message = lambda c, u, m: self.messages.put(
            (m.topic, json.loads(m.payload)))
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def subscribe(self, *topics):
        self.subscribed.clear()
        self.client.subscribe([(t, 1) for t in topics])
        assert self.subscribed.wait(TIMEOUT), "no SUBACK"

    def publish(self, topic, payload):
        info = self.client.publish(topic, json.dumps(payload), qos=1)
        info.wait_for_publish(TIMEOUT)

    def expect(self, topic):
        """The next message; it must be on `topic`."""
        got, payload = self.messages.get(timeout=TIMEOUT)
        assert got == topic, (got, payload)
        return payload

    def quiet(self):
        """Nothing more arrives (for a short while)."""
        with pytest.raises(queue.Empty):
            got = self.messages.get(timeout=0.3)
            print("unexpected", got)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


@pytest.mark.parametrize("version", ["3.1.1", "5"])
def test_device_agent_times_out_retries_and_succeeds(iot, admin, ports, uid, version):
    thing = f"dev-{uid}"
    job_id = f"fw-{uid}"
    base = f"$aws/things/{thing}/jobs"
    port, protocol = {
        "3.1.1": (ports["mqtt"], mqtt.MQTTv311),
        "5": (ports["mqtt"], mqtt.MQTTv5),
    }[version]
    iot.create_thing(thingName=thing)
    device = Device(port, f"agent-{uid}", protocol)
    try:
        device.subscribe(f"{base}/notify-next", f"{base}/start-next/accepted",
                         f"{base}/start-next/rejected", f"{base}/+/update/accepted",
                         f"{base}/+/update/rejected")
        iot.create_job(
            jobId=job_id, targets=[thing_arn(thing)], document=json.dumps({"fw": "2.0"}),
            jobExecutionsRetryConfig={
                "criteriaList": [{"failureType": "TIMED_OUT", "numberOfRetries": 1}]})
        # The control plane's CreateJob reaches the device.
        queued = device.expect(f"{base}/notify-next")["execution"]
        assert (queued["jobId"], queued["status"], queued["executionNumber"]) == (
            job_id, "QUEUED", 1)

        now = admin.clock()["now"]
        device.publish(f"{base}/start-next", {"clientToken": "c-1", "stepTimeoutInMinutes": 1})
        started = device.expect(f"{base}/start-next/accepted")
        assert started["clientToken"] == "c-1"
        assert started["execution"]["status"] == "IN_PROGRESS"
        assert started["execution"]["jobDocument"] == {"fw": "2.0"}
        assert started["execution"]["approximateSecondsBeforeTimedOut"] == 60
        device.quiet()

        # A minute later the step timer fires: the execution is TIMED_OUT and the retry
        # (execution 2) is what notify-next now offers, stamped with the deadline.
        moved = admin.advance(90)
        assert moved["now"] == now + 90
        retry = device.expect(f"{base}/notify-next")
        assert retry["timestamp"] == now + 60
        assert (retry["execution"]["jobId"], retry["execution"]["executionNumber"],
                retry["execution"]["status"]) == (job_id, 2, "QUEUED")
        first = iot.describe_job_execution(jobId=job_id, thingName=thing, executionNumber=1)
        assert first["execution"]["status"] == "TIMED_OUT"

        # An update of the timed-out execution is refused over MQTT.
        device.publish(f"{base}/{job_id}/update",
                       {"status": "SUCCEEDED", "executionNumber": 1, "clientToken": "c-2"})
        refused = device.expect(f"{base}/{job_id}/update/rejected")
        assert refused["clientToken"] == "c-2"
        assert refused["code"] == "InvalidStateTransition"

        device.publish(f"{base}/start-next", {"clientToken": "c-3"})
        again = device.expect(f"{base}/start-next/accepted")["execution"]
        assert (again["executionNumber"], again["status"], again["versionNumber"]) == (
            2, "IN_PROGRESS", 2)

        device.publish(f"{base}/{job_id}/update",
                       {"status": "SUCCEEDED", "expectedVersion": 2, "clientToken": "c-4",
                        "includeJobExecutionState": True})
        done = device.expect(f"{base}/{job_id}/update/accepted")
        assert done["clientToken"] == "c-4"
        assert done["executionState"]["status"] == "SUCCEEDED"
        assert "execution" not in device.expect(f"{base}/notify-next")
        device.quiet()
        assert iot.describe_job(jobId=job_id)["job"]["status"] == "COMPLETED"
    finally:
        device.close()


def test_malformed_publishes_are_rejected_and_the_broker_keeps_serving(iot, ports, uid):
    thing = f"bad-{uid}"
    base = f"$aws/things/{thing}/jobs"
    iot.create_thing(thingName=thing)
    device = Device(ports["mqtt"], f"bad-{uid}", mqtt.MQTTv311)
    try:
        device.subscribe(f"{base}/get/rejected", f"{base}/get/accepted",
                         f"{base}/nonsense/rejected")
        device.client.publish(f"{base}/get", b"{not json", qos=1).wait_for_publish(TIMEOUT)
        assert device.expect(f"{base}/get/rejected")["code"] == "InvalidJson"
        device.publish(f"{base}/nonsense", {"clientToken": "x"})
        assert device.expect(f"{base}/nonsense/rejected")["code"] == "InvalidTopic"
        # QoS 0 as well as 1.
        device.client.publish(f"{base}/get", json.dumps({"clientToken": "ok"}), qos=0)
        got = device.expect(f"{base}/get/accepted")
        assert got["clientToken"] == "ok"
        assert got["queuedJobs"] == [] and got["inProgressJobs"] == []
    finally:
        device.close()


def test_an_oversized_publish_costs_only_its_own_connection(iot, ports, uid):
    thing = f"big-{uid}"
    base = f"$aws/things/{thing}/jobs"
    iot.create_thing(thingName=thing)
    gone = threading.Event()
    big = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"big-{uid}")
    big.on_disconnect = lambda *a: gone.set()
    big.connect("127.0.0.1", ports["mqtt"])
    big.loop_start()
    try:
        # Over the 128 KiB limit (AWS IoT Core's message size).
        big.publish(f"{base}/get", b"{" + b" " * (200 * 1024) + b"}", qos=0)
        assert gone.wait(TIMEOUT), "the broker kept a client over the payload limit"
    finally:
        big.loop_stop()
    device = Device(ports["mqtt"], f"small-{uid}", mqtt.MQTTv311)
    try:
        device.subscribe(f"{base}/get/accepted")
        device.publish(f"{base}/get", {"clientToken": "after"})
        assert device.expect(f"{base}/get/accepted")["clientToken"] == "after"
        device.quiet()
    finally:
        device.close()


def test_a_watcher_of_every_jobs_topic_sees_each_message_once(iot, ports, uid):
    """The bridge publishes the service's messages without hearing them back: one request
    gives exactly one reply, no reply to the reply."""
    thing = f"watch-{uid}"
    base = f"$aws/things/{thing}/jobs"
    iot.create_thing(thingName=thing)
    watcher = Device(ports["mqtt"], f"watch-{uid}", mqtt.MQTTv5)
    try:
        watcher.subscribe(f"{base}/#")
        watcher.publish(f"{base}/get", {"clientToken": "w"})
        # The watcher hears its own request, then the one reply.
        assert watcher.expect(f"{base}/get")["clientToken"] == "w"
        assert watcher.expect(f"{base}/get/accepted")["clientToken"] == "w"
        watcher.quiet()
    finally:
        watcher.close()
