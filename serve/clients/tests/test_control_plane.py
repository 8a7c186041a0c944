"""boto3's iot client against the server: things, groups, jobs, executions, cancelling,
listing, and the modelled exceptions."""

import datetime
import json

import pytest

from conftest import group_arn, thing_arn

DOC = json.dumps({"operation": "update"})


def test_things_groups_and_a_group_job(iot, data, uid):
    thing = f"t-{uid}"
    group = f"g-{uid}"
    created = iot.create_thing(thingName=thing)
    assert created["thingName"] == thing
    assert created["thingArn"].endswith(f":thing/{thing}")
    assert created["thingId"]
    g = iot.create_thing_group(thingGroupName=group)
    assert g["thingGroupArn"].endswith(f":thinggroup/{group}")
    iot.add_thing_to_thing_group(thingGroupName=group, thingName=thing)

    job_id = f"j-{uid}"
    job = iot.create_job(
        jobId=job_id, targets=[group_arn(group)], document=DOC,
        targetSelection="SNAPSHOT", description="group job")
    assert job["jobId"] == job_id and job["jobArn"].endswith(f":job/{job_id}")

    described = iot.describe_job(jobId=job_id)["job"]
    assert described["status"] == "IN_PROGRESS"
    assert described["targetSelection"] == "SNAPSHOT"
    assert isinstance(described["createdAt"], datetime.datetime)

    execution = iot.describe_job_execution(jobId=job_id, thingName=thing)["execution"]
    assert execution["status"] == "QUEUED" and execution["executionNumber"] == 1
    assert isinstance(execution["queuedAt"], datetime.datetime)

    for_thing = iot.list_job_executions_for_thing(thingName=thing, status="QUEUED")
    assert [s["jobId"] for s in for_thing["executionSummaries"]] == [job_id]
    for_job = iot.list_job_executions_for_job(jobId=job_id, maxResults=10)
    assert [s["thingArn"] for s in for_job["executionSummaries"]] == [thing_arn(thing)]

    iot.remove_thing_from_thing_group(thingGroupName=group, thingName=thing)


def test_cancelling_a_job_and_an_execution(iot, data, uid):
    things = [f"t{i}-{uid}" for i in range(2)]
    for t in things:
        iot.create_thing(thingName=t)
    job_id = f"j-{uid}"
    iot.create_job(jobId=job_id, targets=[thing_arn(t) for t in things], document=DOC)
    data.update_job_execution(jobId=job_id, thingName=things[0], status="IN_PROGRESS")

    # IN_PROGRESS needs force.
    with pytest.raises(iot.exceptions.InvalidStateTransitionException):
        iot.cancel_job_execution(jobId=job_id, thingName=things[0])
    with pytest.raises(iot.exceptions.VersionConflictException):
        iot.cancel_job_execution(jobId=job_id, thingName=things[0], force=True,
                                 expectedVersion=9)
    iot.cancel_job_execution(jobId=job_id, thingName=things[0], force=True,
                             expectedVersion=2, statusDetails={"why": "test"})
    assert iot.describe_job_execution(
        jobId=job_id, thingName=things[0])["execution"]["status"] == "CANCELED"

    cancelled = iot.cancel_job(jobId=job_id, reasonCode="TEST", comment="done")
    assert cancelled["jobId"] == job_id
    assert iot.describe_job(jobId=job_id)["job"]["status"] == "CANCELED"
    assert iot.describe_job_execution(
        jobId=job_id, thingName=things[1])["execution"]["status"] == "CANCELED"

    iot.delete_job_execution(jobId=job_id, thingName=things[1], executionNumber=1)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_job_execution(jobId=job_id, thingName=things[1])
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.describe_job_execution(jobId=job_id, thingName=things[1])
    iot.delete_thing(thingName=things[1])


def test_control_plane_refusals(iot, uid):
    thing = f"t-{uid}"
    iot.create_thing(thingName=thing)
    job_id = f"j-{uid}"
    iot.create_job(jobId=job_id, targets=[thing_arn(thing)], document=DOC)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_job(jobId=job_id, targets=[thing_arn(thing)], document=DOC)
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_job(jobId=f"none-{uid}")
    with pytest.raises(iot.exceptions.InvalidRequestException) as bad:
        iot.create_job(jobId=f"k-{uid}", targets=["not-an-arn"], document=DOC)
    assert bad.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.add_thing_to_thing_group(thingGroupName=f"none-{uid}", thingName=thing)
