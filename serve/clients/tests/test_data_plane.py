"""boto3's iot-jobs-data client against the server: every answer parsed by botocore from
the service model, every refusal raised as the modelled exception class."""

import json

import pytest

from conftest import thing_arn

DOC = json.dumps({"operation": "reboot"})


def setup_job(iot, uid, **job):
    thing = f"t-{uid}"
    job_id = f"j-{uid}"
    iot.create_thing(thingName=thing)
    iot.create_job(jobId=job_id, targets=[thing_arn(thing)], document=DOC, **job)
    return thing, job_id


def test_update_job_execution_with_every_member(iot, data, uid):
    thing, job_id = setup_job(iot, uid)
    out = data.update_job_execution(
        jobId=job_id,
        thingName=thing,
        status="IN_PROGRESS",
        statusDetails={"step": "download", "progress": "10"},
        stepTimeoutInMinutes=5,
        expectedVersion=1,
        includeJobExecutionState=True,
        includeJobDocument=True,
        executionNumber=1,
    )
    assert out["executionState"] == {
        "status": "IN_PROGRESS",
        "statusDetails": {"step": "download", "progress": "10"},
        "versionNumber": 2,
    }
    assert out["jobDocument"] == DOC
    # Neither asked for: neither sent.
    bare = data.update_job_execution(
        jobId=job_id, thingName=thing, status="SUCCEEDED", expectedVersion=2)
    assert "executionState" not in bare and "jobDocument" not in bare


def test_start_next_then_describe_and_pending(iot, data, admin, uid):
    thing, job_id = setup_job(iot, uid, timeoutConfig={"inProgressTimeoutInMinutes": 10})
    now = admin.clock()["now"]
    pending = data.get_pending_job_executions(thingName=thing)
    assert pending["inProgressJobs"] == []
    [queued] = pending["queuedJobs"]
    assert queued["jobId"] == job_id and queued["executionNumber"] == 1
    assert queued["versionNumber"] == 1
    # iot-jobs-data's timestamps are `long` seconds in its model, not `timestamp`.
    assert queued["queuedAt"] == now

    nxt = data.describe_job_execution(jobId="$next", thingName=thing, includeJobDocument=True)
    assert nxt["execution"]["jobId"] == job_id
    assert nxt["execution"]["status"] == "QUEUED"
    assert nxt["execution"]["jobDocument"] == DOC

    started = data.start_next_pending_job_execution(
        thingName=thing, statusDetails={"agent": "py"}, stepTimeoutInMinutes=3)
    e = started["execution"]
    assert (e["jobId"], e["thingName"], e["status"]) == (job_id, thing, "IN_PROGRESS")
    assert e["versionNumber"] == 2 and e["executionNumber"] == 1
    assert e["statusDetails"] == {"agent": "py"}
    assert e["startedAt"] == now
    # The step timeout (3 min) is earlier than the in-progress one (10 min).
    assert e["approximateSecondsBeforeTimedOut"] == 180

    pending = data.get_pending_job_executions(thingName=thing)
    assert [j["jobId"] for j in pending["inProgressJobs"]] == [job_id]
    assert pending["queuedJobs"] == []

    described = data.describe_job_execution(jobId=job_id, thingName=thing, executionNumber=1)
    assert described["execution"]["status"] == "IN_PROGRESS"
    # An execution already IN_PROGRESS is the one start-next gives again.
    again = data.start_next_pending_job_execution(thingName=thing)["execution"]
    assert (again["jobId"], again["status"], again["versionNumber"]) == (
        job_id, "IN_PROGRESS", 2)
    data.update_job_execution(jobId=job_id, thingName=thing, status="SUCCEEDED")
    # Nothing left to start.
    assert "execution" not in data.start_next_pending_job_execution(thingName=thing)


def test_refusals_are_the_modelled_exceptions(iot, data, uid):
    thing, job_id = setup_job(iot, uid)
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.describe_job_execution(jobId="no-such-job", thingName=thing)
    with pytest.raises(data.exceptions.InvalidRequestException) as bad:
        data.describe_job_execution(jobId="bad*id", thingName=thing)
    assert bad.value.response["Error"]["Message"]
    # A version that does not match: the error carries the execution's state.
    with pytest.raises(data.exceptions.InvalidStateTransitionException) as conflict:
        data.update_job_execution(
            jobId=job_id, thingName=thing, status="IN_PROGRESS", expectedVersion=7)
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    data.update_job_execution(jobId=job_id, thingName=thing, status="SUCCEEDED")
    with pytest.raises(data.exceptions.InvalidStateTransitionException):
        data.update_job_execution(jobId=job_id, thingName=thing, status="IN_PROGRESS")
    with pytest.raises(data.exceptions.TerminalStateException) as terminal:
        data.describe_job_execution(jobId=job_id, thingName=thing)
    assert terminal.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
