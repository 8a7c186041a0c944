//! Creation and identity: how executions come to exist and what they look like when they
//! do (decisions 1, 1b, 2, 3 and 4), and the details on identity (account, region, ARNs),
//! the registry (things, groups, membership) and the checks CreateJob makes, in order.
//!
//! Every expectation is read from docs/decisions.md (the contract), not from the model's
//! output.

mod common;
use common::*;

use iot_jobs_spec::{Config, Plane};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------------------

const SNAPSHOT_DOC: &str = "{\"op\":\"x\"}";

/// ListJobExecutionsForJob's summaries as (thing ARN, summary).
fn list_for_job(w: &mut World, job: &str) -> Vec<(String, Value)> {
    w.ok("ListJobExecutionsForJob", json!({"jobId": job}))["executionSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["thingArn"].as_str().unwrap().to_owned(),
                s["jobExecutionSummary"].clone(),
            )
        })
        .collect()
}

fn continuous() -> Value {
    json!({"targetSelection": "CONTINUOUS"})
}

fn update_ok(w: &mut World, thing: &str, job: &str, status: &str) {
    w.update(thing, job, status, json!({}))
        .unwrap_or_else(|e| panic!("update {thing}/{job} to {status} refused: {e}"));
}

fn create_job_input(id: &str, targets: &[String]) -> Value {
    json!({"jobId": id, "targets": targets, "document": SNAPSHOT_DOC})
}

// ---------------------------------------------------------------------------------------
// Decision 1: new executions
// ---------------------------------------------------------------------------------------

#[test]
fn decision_01_new_execution_is_queued_version_1_number_1_with_creation_timestamps() {
    let mut w = World::new();
    w.thing("t1");
    w.at(100);
    w.job("j1", &["t1"], json!({}));

    let e = w.data_execution("t1", "j1");
    assert_eq!(e["status"], "QUEUED");
    assert_eq!(e["versionNumber"], 1);
    assert_eq!(e["executionNumber"], 1);
    assert_eq!(e["queuedAt"], 100);
    assert_eq!(e["lastUpdatedAt"], 100);
    assert!(e.get("startedAt").is_none(), "startedAt before start: {e}");

    let c = w.control_describe("t1", "j1");
    assert_eq!(c["status"], "QUEUED");
    assert_eq!(c["versionNumber"], 1);
    assert_eq!(c["executionNumber"], 1);
    assert_eq!(c["queuedAt"], 100);
    assert_eq!(c["lastUpdatedAt"], 100);
    assert!(c.get("startedAt").is_none(), "startedAt before start: {c}");
}

#[test]
fn decision_01_execution_numbers_start_at_1_per_job_and_thing() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job("ja", &["t1", "t2"], json!({}));
    w.job("jb", &["t2"], json!({}));
    assert_eq!(w.statuses("t1", "ja"), vec![(1, "QUEUED".into())]);
    assert_eq!(w.statuses("t2", "ja"), vec![(1, "QUEUED".into())]);
    assert_eq!(w.statuses("t2", "jb"), vec![(1, "QUEUED".into())]);
}

#[test]
fn decision_01_started_at_is_set_when_first_in_progress_and_kept_after() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    w.at(150);
    update_ok(&mut w, "t1", "j1", "IN_PROGRESS");
    assert_eq!(w.data_execution("t1", "j1")["startedAt"], 150);
    w.at(200);
    update_ok(&mut w, "t1", "j1", "IN_PROGRESS");
    let e = w.data_execution("t1", "j1");
    assert_eq!(e["startedAt"], 150, "startedAt is the first start: {e}");
    assert_eq!(e["lastUpdatedAt"], 200);
    assert_eq!(e["queuedAt"], 0);
}

#[test]
fn decision_01_retry_takes_highest_number_plus_one() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], retry(&[("FAILED", 1)]));
    w.at(30);
    update_ok(&mut w, "t1", "j1", "FAILED");
    assert_eq!(
        w.statuses("t1", "j1"),
        vec![(1, "FAILED".into()), (2, "QUEUED".into())]
    );
    let e = w.data_execution("t1", "j1");
    assert_eq!(e["executionNumber"], 2);
    assert_eq!(e["versionNumber"], 1);
    assert_eq!(e["queuedAt"], 30);
    assert_eq!(e["lastUpdatedAt"], 30);
    assert!(e.get("startedAt").is_none());
}

#[test]
fn decision_01_rejoin_takes_highest_number_plus_one_not_count_plus_one() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], continuous());
    update_ok(&mut w, "t1", "j1", "SUCCEEDED");
    let membership = json!({"thingGroupName": "g", "thingName": "t1"});
    w.ok("RemoveThingFromThingGroup", membership.clone());
    w.ok("AddThingToThingGroup", membership.clone());
    assert_eq!(
        w.statuses("t1", "j1"),
        vec![(1, "SUCCEEDED".into()), (2, "QUEUED".into())]
    );
    update_ok(&mut w, "t1", "j1", "SUCCEEDED");
    // Delete the OLDEST: one execution (number 2) is left; the next must be 3, not 2.
    w.ok(
        "DeleteJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1}),
    );
    w.ok("RemoveThingFromThingGroup", membership.clone());
    w.ok("AddThingToThingGroup", membership);
    assert_eq!(
        w.statuses("t1", "j1"),
        vec![(2, "SUCCEEDED".into()), (3, "QUEUED".into())]
    );
}

#[test]
fn decision_01_deleting_the_newest_lets_its_number_come_back() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], continuous());
    update_ok(&mut w, "t1", "j1", "SUCCEEDED");
    let membership = json!({"thingGroupName": "g", "thingName": "t1"});
    w.ok("RemoveThingFromThingGroup", membership.clone());
    w.ok("AddThingToThingGroup", membership.clone());
    assert_eq!(w.exec("t1", "j1").execution_number, 2);
    w.ok(
        "DeleteJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "executionNumber": 2, "force": true}),
    );
    assert_eq!(w.statuses("t1", "j1"), vec![(1, "SUCCEEDED".into())]);
    w.ok("RemoveThingFromThingGroup", membership.clone());
    w.ok("AddThingToThingGroup", membership);
    assert_eq!(
        w.statuses("t1", "j1"),
        vec![(1, "SUCCEEDED".into()), (2, "QUEUED".into())]
    );
}

#[test]
fn decision_01_empty_status_details_left_out_of_data_plane_answers() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    let e = w.data_execution("t1", "j1");
    assert!(e.get("statusDetails").is_none(), "describe: {e}");
    let started = w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert!(
        started["execution"].get("statusDetails").is_none(),
        "start-next: {started}"
    );
    let updated = w
        .update(
            "t1",
            "j1",
            "IN_PROGRESS",
            json!({"includeJobExecutionState": true}),
        )
        .unwrap();
    assert_eq!(updated["executionState"]["status"], "IN_PROGRESS");
    assert!(
        updated["executionState"].get("statusDetails").is_none(),
        "update: {updated}"
    );
    let refused = w
        .update("t1", "j1", "REJECTED", json!({}))
        .expect_err("IN_PROGRESS to REJECTED is refused (decision 5)");
    assert!(
        refused["executionState"].is_object(),
        "error carries executionState: {refused}"
    );
    assert!(
        refused["executionState"].get("statusDetails").is_none(),
        "error: {refused}"
    );
}

#[test]
fn decision_01_non_empty_then_cleared_status_details_shown_then_left_out() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    w.update(
        "t1",
        "j1",
        "IN_PROGRESS",
        json!({"statusDetails": {"step": "1"}}),
    )
    .unwrap();
    assert_eq!(
        w.data_execution("t1", "j1")["statusDetails"],
        json!({"step": "1"})
    );
    w.update("t1", "j1", "IN_PROGRESS", json!({"statusDetails": {}}))
        .unwrap();
    let e = w.data_execution("t1", "j1");
    assert!(
        e.get("statusDetails").is_none(),
        "cleared map left out: {e}"
    );
}

#[test]
fn decision_01_empty_status_details_left_out_of_mqtt_answers() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    let next = only_on(&w.messages, "$aws/things/t1/jobs/notify-next").clone();
    assert_eq!(next["execution"]["jobId"], "j1");
    assert!(
        next["execution"].get("statusDetails").is_none(),
        "notify-next: {next}"
    );
    let msgs = w.publish("$aws/things/t1/jobs/j1/get", json!({}));
    let got = only_on(&msgs, "$aws/things/t1/jobs/j1/get/accepted");
    assert_eq!(got["execution"]["status"], "QUEUED");
    assert!(
        got["execution"].get("statusDetails").is_none(),
        "describe accepted: {got}"
    );
    let msgs = w.publish("$aws/things/t1/jobs/start-next", json!({}));
    let got = only_on(&msgs, "$aws/things/t1/jobs/start-next/accepted");
    assert_eq!(got["execution"]["status"], "IN_PROGRESS");
    assert!(
        got["execution"].get("statusDetails").is_none(),
        "start-next accepted: {got}"
    );
}

#[test]
fn decision_01_data_plane_unknown_thing_is_resource_not_found() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    for (name, input) in [
        ("GetPendingJobExecutions", json!({"thingName": "ghost"})),
        (
            "StartNextPendingJobExecution",
            json!({"thingName": "ghost"}),
        ),
        (
            "DescribeJobExecution",
            json!({"thingName": "ghost", "jobId": "j1"}),
        ),
        (
            "DescribeJobExecution",
            json!({"thingName": "ghost", "jobId": "$next"}),
        ),
        (
            "UpdateJobExecution",
            json!({"thingName": "ghost", "jobId": "j1", "status": "IN_PROGRESS"}),
        ),
    ] {
        assert_eq!(
            w.err(name, input.clone()),
            "ResourceNotFoundException",
            "{name} {input}"
        );
    }
}

#[test]
fn decision_01_deleted_thing_is_resource_not_found_on_the_data_plane() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    update_ok(&mut w, "t1", "j1", "IN_PROGRESS");
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    for (name, input) in [
        ("GetPendingJobExecutions", json!({"thingName": "t1"})),
        ("StartNextPendingJobExecution", json!({"thingName": "t1"})),
        (
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1"}),
        ),
        (
            "UpdateJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "status": "SUCCEEDED"}),
        ),
        ("ListJobExecutionsForThing", json!({"thingName": "t1"})),
    ] {
        assert_eq!(
            w.err(name, input.clone()),
            "ResourceNotFoundException",
            "{name} {input}"
        );
    }
    assert_eq!(w.exec("t1", "j1").status.as_str(), "IN_PROGRESS");
}

#[test]
fn decision_01_existing_thing_with_nothing_pending_gets_empty_lists() {
    let mut w = World::new();
    w.thing("idle");
    assert_eq!(
        w.ok("GetPendingJobExecutions", json!({"thingName": "idle"})),
        json!({"inProgressJobs": [], "queuedJobs": []})
    );
    // Also once its only execution has ended.
    w.job("j1", &["idle"], json!({}));
    update_ok(&mut w, "idle", "j1", "SUCCEEDED");
    assert_eq!(
        w.ok("GetPendingJobExecutions", json!({"thingName": "idle"})),
        json!({"inProgressJobs": [], "queuedJobs": []})
    );
}

#[test]
fn decision_01_control_plane_unknown_job_thing_or_group_is_resource_not_found() {
    let mut w = World::new();
    w.thing("t1").group("g", &[]);
    w.job("j1", &["t1"], json!({}));
    let cases = [
        ("CancelJob", json!({"jobId": "nojob"})),
        ("DescribeJob", json!({"jobId": "nojob"})),
        ("ListJobExecutionsForJob", json!({"jobId": "nojob"})),
        ("ListJobExecutionsForThing", json!({"thingName": "ghost"})),
        (
            "CancelJobExecution",
            json!({"jobId": "nojob", "thingName": "t1"}),
        ),
        (
            "CancelJobExecution",
            json!({"jobId": "j1", "thingName": "ghost"}),
        ),
        (
            "DeleteJobExecution",
            json!({"jobId": "nojob", "thingName": "t1", "executionNumber": 1}),
        ),
        (
            "DeleteJobExecution",
            json!({"jobId": "j1", "thingName": "ghost", "executionNumber": 1}),
        ),
        ("DeleteThing", json!({"thingName": "ghost"})),
        (
            "AddThingToThingGroup",
            json!({"thingGroupName": "nogroup", "thingName": "t1"}),
        ),
        (
            "AddThingToThingGroup",
            json!({"thingGroupName": "g", "thingName": "ghost"}),
        ),
        (
            "RemoveThingFromThingGroup",
            json!({"thingGroupName": "nogroup", "thingName": "t1"}),
        ),
        (
            "RemoveThingFromThingGroup",
            json!({"thingGroupName": "g", "thingName": "ghost"}),
        ),
        ("CreateJob", create_job_input("j2", &[thing_arn("ghost")])),
        ("CreateJob", create_job_input("j3", &[group_arn("nogroup")])),
    ];
    for (name, input) in cases {
        assert_eq!(
            w.err(name, input.clone()),
            "ResourceNotFoundException",
            "{name} {input}"
        );
    }
    for input in [
        json!({"jobId": "nojob", "thingName": "t1"}),
        json!({"jobId": "j1", "thingName": "ghost"}),
    ] {
        let got = w
            .call_on(Plane::Control, "DescribeJobExecution", input.clone())
            .expect_err("unknown job or thing");
        assert_eq!(got["code"], "ResourceNotFoundException", "{input}");
    }
}

// ---------------------------------------------------------------------------------------
// Decision 1b: documents, job ids in use, default target selection
// ---------------------------------------------------------------------------------------

#[test]
fn decision_1b_document_must_be_json() {
    let mut w = World::new();
    w.thing("t1");
    for doc in ["not json", "{\"op\":", "", "{'op': 1}"] {
        let input = json!({"jobId": "j1", "targets": [thing_arn("t1")], "document": doc});
        assert_eq!(
            w.err("CreateJob", input),
            "InvalidRequestException",
            "document {doc:?}"
        );
    }
    assert!(
        w.svc.jobs().is_empty(),
        "a refused CreateJob creates nothing"
    );
    w.ok(
        "CreateJob",
        json!({"jobId": "j1", "targets": [thing_arn("t1")], "document": "{\"a\": [1, 2]}"}),
    );
}

#[test]
fn decision_1b_document_is_required() {
    let mut w = World::new();
    w.thing("t1");
    assert_eq!(
        w.err(
            "CreateJob",
            json!({"jobId": "j1", "targets": [thing_arn("t1")]})
        ),
        "InvalidRequestException"
    );
}

#[test]
fn decision_1b_document_at_most_32768_characters_counted_as_code_points() {
    let mut w = World::new();
    w.thing("t1");
    // A JSON string of 32768 characters: two quotes around 32766 'é' (65534 bytes).
    let at_limit = format!("\"{}\"", "é".repeat(32_766));
    assert_eq!(at_limit.chars().count(), 32_768);
    w.ok(
        "CreateJob",
        json!({"jobId": "at-limit", "targets": [thing_arn("t1")], "document": at_limit}),
    );
    let over = format!("\"{}\"", "é".repeat(32_767));
    assert_eq!(
        w.err(
            "CreateJob",
            json!({"jobId": "over", "targets": [thing_arn("t1")], "document": over})
        ),
        "InvalidRequestException"
    );
    // ASCII at the limit, as an object.
    let padded = format!("{{\"k\":\"{}\"}}", "a".repeat(32_768 - 8));
    assert_eq!(padded.chars().count(), 32_768);
    w.ok(
        "CreateJob",
        json!({"jobId": "ascii", "targets": [thing_arn("t1")], "document": padded}),
    );
}

#[test]
fn decision_1b_http_data_plane_returns_the_document_as_the_same_string() {
    let mut w = World::new();
    w.thing("t1");
    let doc = "{ \"b\" : 1,\n  \"a\":[1,  2] }";
    w.ok(
        "CreateJob",
        json!({"jobId": "j1", "targets": [thing_arn("t1")], "document": doc}),
    );
    assert_eq!(w.data_execution("t1", "j1")["jobDocument"], doc);
    let next = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "$next"}),
    );
    assert_eq!(next["execution"]["jobDocument"], doc);
    let started = w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert_eq!(started["execution"]["jobDocument"], doc);
    let updated = w
        .update(
            "t1",
            "j1",
            "IN_PROGRESS",
            json!({"includeJobDocument": true}),
        )
        .unwrap();
    assert_eq!(updated["jobDocument"], doc);
}

#[test]
fn decision_1b_mqtt_returns_the_document_as_parsed_json() {
    let mut w = World::new();
    w.thing("t1");
    let doc = "{ \"b\" : 1,\n  \"a\":[1,  2] }";
    let parsed = json!({"b": 1, "a": [1, 2]});
    w.ok(
        "CreateJob",
        json!({"jobId": "j1", "targets": [thing_arn("t1")], "document": doc}),
    );
    let next = only_on(&w.messages, "$aws/things/t1/jobs/notify-next").clone();
    assert_eq!(next["execution"]["jobDocument"], parsed);

    let msgs = w.publish("$aws/things/t1/jobs/j1/get", json!({}));
    assert_eq!(
        only_on(&msgs, "$aws/things/t1/jobs/j1/get/accepted")["execution"]["jobDocument"],
        parsed
    );
    let msgs = w.publish("$aws/things/t1/jobs/start-next", json!({}));
    assert_eq!(
        only_on(&msgs, "$aws/things/t1/jobs/start-next/accepted")["execution"]["jobDocument"],
        parsed
    );
    let msgs = w.publish(
        "$aws/things/t1/jobs/j1/update",
        json!({"status": "IN_PROGRESS", "includeJobDocument": true}),
    );
    assert_eq!(
        only_on(&msgs, "$aws/things/t1/jobs/j1/update/accepted")["jobDocument"],
        parsed
    );
}

#[test]
fn decision_1b_job_id_in_use_is_resource_already_exists() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job("j1", &["t1"], json!({}));
    // The same request again, and a different one with the same id.
    assert_eq!(
        w.err("CreateJob", create_job_input("j1", &[thing_arn("t1")])),
        "ResourceAlreadyExistsException"
    );
    assert_eq!(
        w.err("CreateJob", create_job_input("j1", &[thing_arn("t2")])),
        "ResourceAlreadyExistsException"
    );
    assert!(
        w.history("t2", "j1").is_empty(),
        "the refused CreateJob queued nothing"
    );
    // Also once the job is over.
    update_ok(&mut w, "t1", "j1", "SUCCEEDED");
    assert_eq!(w.describe_job("j1")["status"], "COMPLETED");
    assert_eq!(
        w.err("CreateJob", create_job_input("j1", &[thing_arn("t2")])),
        "ResourceAlreadyExistsException"
    );
}

#[test]
fn decision_1b_target_selection_defaults_to_snapshot() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &["t1"]);
    w.job("j1", &["group:g"], json!({}));
    assert_eq!(w.describe_job("j1")["targetSelection"], "SNAPSHOT");
    // Behaves as SNAPSHOT: a later member of the group gets nothing.
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t2"}),
    );
    assert!(w.history("t2", "j1").is_empty());
    // And a null targetSelection means absent, so SNAPSHOT too.
    w.ok(
        "CreateJob",
        merged(
            create_job_input("j2", &[group_arn("g")]),
            json!({"targetSelection": null}),
        ),
    );
    assert_eq!(w.describe_job("j2")["targetSelection"], "SNAPSHOT");
}

// ---------------------------------------------------------------------------------------
// Decision 2: targets and group membership
// ---------------------------------------------------------------------------------------

#[test]
fn decision_02_targets_may_be_things_and_groups_that_exist() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .thing("t3")
        .group("g", &["t2", "t3"]);
    w.job("j1", &["t1", "group:g"], json!({}));
    for t in ["t1", "t2", "t3"] {
        assert_eq!(w.statuses(t, "j1"), vec![(1, "QUEUED".into())], "{t}");
    }
}

#[test]
fn decision_02_unknown_thing_or_group_target_is_resource_not_found_and_creates_nothing() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    assert_eq!(
        w.err(
            "CreateJob",
            create_job_input("j1", &[thing_arn("t1"), thing_arn("ghost")])
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        w.err(
            "CreateJob",
            create_job_input("j1", &[group_arn("g"), group_arn("nogroup")])
        ),
        "ResourceNotFoundException"
    );
    // A group ARN naming an existing thing is not that thing.
    assert_eq!(
        w.err("CreateJob", create_job_input("j1", &[group_arn("t1")])),
        "ResourceNotFoundException"
    );
    assert!(w.svc.jobs().is_empty());
    assert!(w.svc.executions().is_empty());
    assert!(w.messages.is_empty());
}

#[test]
fn decision_02_snapshot_resolves_groups_once_at_creation() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &["t1"]);
    w.job("j1", &["group:g"], json!({"targetSelection": "SNAPSHOT"}));
    w.at(10);
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t2"}),
    );
    assert!(w.history("t2", "j1").is_empty(), "late joiner gets nothing");
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    let e = w.exec("t1", "j1");
    assert_eq!(e.status.as_str(), "QUEUED", "leaving changes nothing");
    assert_eq!(e.last_updated_at, 0);
}

#[test]
fn decision_02_continuous_job_queues_for_a_thing_that_joins_later() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &["t1"]);
    w.job("j1", &["group:g"], continuous());
    assert!(w.history("t2", "j1").is_empty());
    w.at(40);
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t2"}),
    );
    let e = w.exec("t2", "j1");
    assert_eq!(e.status.as_str(), "QUEUED");
    assert_eq!(e.execution_number, 1);
    assert_eq!(e.version_number, 1);
    assert_eq!(e.queued_at, 40);
    assert_eq!(e.last_updated_at, 40);
    assert_eq!(e.started_at, None);
    assert_eq!(w.describe_job("j1")["targetSelection"], "CONTINUOUS");
}

#[test]
fn decision_02_continuous_rejoin_while_newest_in_progress_queues_nothing() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], continuous());
    update_ok(&mut w, "t1", "j1", "IN_PROGRESS");
    let membership = json!({"thingGroupName": "g", "thingName": "t1"});
    w.ok("RemoveThingFromThingGroup", membership.clone());
    w.ok("AddThingToThingGroup", membership.clone());
    assert_eq!(w.statuses("t1", "j1"), vec![(1, "IN_PROGRESS".into())]);
    // Once it has ended, a rejoin queues the next one.
    update_ok(&mut w, "t1", "j1", "SUCCEEDED");
    w.ok("RemoveThingFromThingGroup", membership.clone());
    w.ok("AddThingToThingGroup", membership);
    assert_eq!(
        w.statuses("t1", "j1"),
        vec![(1, "SUCCEEDED".into()), (2, "QUEUED".into())]
    );
}

#[test]
fn decision_02_continuous_joining_a_second_target_group_while_queued_queues_nothing() {
    let mut w = World::new();
    w.thing("t1").group("g1", &["t1"]).group("g2", &[]);
    w.job("j1", &["group:g1", "group:g2"], continuous());
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g2", "thingName": "t1"}),
    );
    assert_eq!(w.statuses("t1", "j1"), vec![(1, "QUEUED".into())]);
}

#[test]
fn decision_02_continuous_joining_a_second_target_group_after_the_first_ended_queues_again() {
    let mut w = World::new();
    w.thing("t1").group("g1", &["t1"]).group("g2", &[]);
    w.job("j1", &["group:g1", "group:g2"], continuous());
    update_ok(&mut w, "t1", "j1", "SUCCEEDED");
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g2", "thingName": "t1"}),
    );
    assert_eq!(
        w.statuses("t1", "j1"),
        vec![(1, "SUCCEEDED".into()), (2, "QUEUED".into())]
    );
}

#[test]
fn decision_02_thing_targeted_twice_gets_one_execution() {
    let mut w = World::new();
    w.thing("t1").group("g1", &["t1"]).group("g2", &["t1"]);
    w.job("direct-and-group", &["t1", "group:g1"], json!({}));
    w.job("two-groups", &["group:g1", "group:g2"], json!({}));
    w.job("same-arn-twice", &["t1", "t1"], json!({}));
    w.job("group-then-direct", &["group:g2", "t1"], continuous());
    for job in [
        "direct-and-group",
        "two-groups",
        "same-arn-twice",
        "group-then-direct",
    ] {
        assert_eq!(w.statuses("t1", job), vec![(1, "QUEUED".into())], "{job}");
    }
    assert_eq!(w.svc.pending_order("t1").len(), 4);
}

#[test]
fn decision_02_snapshot_job_reaching_no_thing_is_completed_at_once() {
    let mut w = World::new();
    w.group("empty", &[]);
    w.at(5);
    w.job("j1", &["group:empty"], json!({}));
    let job = w.describe_job("j1");
    assert_eq!(job["status"], "COMPLETED");
    // A CONTINUOUS job never completes by itself: it keeps waiting for members.
    w.job("j2", &["group:empty"], continuous());
    assert_eq!(w.describe_job("j2")["status"], "IN_PROGRESS");
}

#[test]
fn decision_02_snapshot_job_reaching_things_is_not_completed_at_once() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    assert_eq!(w.describe_job("j1")["status"], "IN_PROGRESS");
}

// ---------------------------------------------------------------------------------------
// Decision 3: leaving the targets, and DeleteThing
// ---------------------------------------------------------------------------------------

#[test]
fn decision_03_leaving_every_target_group_removes_queued_version_unchanged() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.at(10);
    w.job("j1", &["group:g"], continuous());
    w.at(70);
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["status"], "REMOVED");
    assert_eq!(c["versionNumber"], 1, "service changes keep the version");
    assert_eq!(c["queuedAt"], 10);
    assert_eq!(c["lastUpdatedAt"], 70);
    assert!(c.get("startedAt").is_none());
    assert!(w.svc.pending_order("t1").is_empty());
}

#[test]
fn decision_03_in_progress_and_terminal_executions_keep_their_status() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &["t1", "t2"]);
    w.job("j1", &["group:g"], continuous());
    w.at(20);
    update_ok(&mut w, "t1", "j1", "IN_PROGRESS");
    update_ok(&mut w, "t2", "j1", "SUCCEEDED");
    let before: Vec<_> = [w.exec("t1", "j1"), w.exec("t2", "j1")].to_vec();
    w.at(50);
    for t in ["t1", "t2"] {
        w.ok(
            "RemoveThingFromThingGroup",
            json!({"thingGroupName": "g", "thingName": t}),
        );
    }
    assert_eq!(w.exec("t1", "j1"), before[0]);
    assert_eq!(w.exec("t2", "j1"), before[1]);
    assert_eq!(w.exec("t1", "j1").status.as_str(), "IN_PROGRESS");
    assert_eq!(w.exec("t1", "j1").version_number, 2);
}

#[test]
fn decision_03_still_targeted_through_another_group_or_directly_keeps_queued() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .group("g1", &["t1", "t2"])
        .group("g2", &["t1"]);
    w.job("two-groups", &["group:g1", "group:g2"], continuous());
    w.job("direct", &["t2", "group:g1"], continuous());
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g1", "thingName": "t1"}),
    );
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g1", "thingName": "t2"}),
    );
    assert_eq!(w.exec("t1", "two-groups").status.as_str(), "QUEUED");
    assert_eq!(w.exec("t2", "direct").status.as_str(), "QUEUED");
    // Leaving the last target group removes it.
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g2", "thingName": "t1"}),
    );
    assert_eq!(w.exec("t1", "two-groups").status.as_str(), "REMOVED");
}

#[test]
fn decision_03_leaving_removes_only_for_continuous_jobs() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("snap", &["group:g"], json!({}));
    w.job("cont", &["group:g"], continuous());
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(w.exec("t1", "snap").status.as_str(), "QUEUED");
    assert_eq!(w.exec("t1", "cont").status.as_str(), "REMOVED");
    assert_eq!(w.svc.pending_order("t1"), vec![("snap".to_owned(), 1)]);
}

#[test]
fn decision_03_delete_thing_removes_queued_executions_of_every_job() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &["t1"]);
    w.job("snap", &["t1", "t2"], json!({}));
    w.job("cont", &["group:g"], continuous());
    w.job("running", &["t1"], json!({}));
    update_ok(&mut w, "t1", "running", "IN_PROGRESS");
    w.at(90);
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    for job in ["snap", "cont"] {
        let e = w.exec("t1", job);
        assert_eq!(e.status.as_str(), "REMOVED", "{job}");
        assert_eq!(e.version_number, 1, "{job}");
        assert_eq!(e.last_updated_at, 90, "{job}");
    }
    let running = w.exec("t1", "running");
    assert_eq!(running.status.as_str(), "IN_PROGRESS");
    assert_eq!(running.version_number, 2);
    // The other thing is untouched.
    assert_eq!(w.exec("t2", "snap").status.as_str(), "QUEUED");
}

#[test]
fn decision_03_deleted_things_executions_stay_listed_by_job() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job("j1", &["t1", "t2"], json!({}));
    w.at(30);
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    let listed = list_for_job(&mut w, "j1");
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0].0, thing_arn("t1"));
    assert_eq!(listed[0].1["status"], "REMOVED");
    assert_eq!(listed[0].1["executionNumber"], 1);
    assert_eq!(listed[0].1["lastUpdatedAt"], 30);
    assert_eq!(listed[1].0, thing_arn("t2"));
    assert_eq!(listed[1].1["status"], "QUEUED");
}

#[test]
fn decision_03_deleted_things_timers_still_fire_and_are_never_retried() {
    let mut w = World::new();
    w.thing("t1");
    w.job(
        "j1",
        &["t1"],
        json!({
            "timeoutConfig": {"inProgressTimeoutInMinutes": 1},
            "jobExecutionsRetryConfig": {"criteriaList": [
                {"failureType": "ALL", "numberOfRetries": 3}]},
        }),
    );
    update_ok(&mut w, "t1", "j1", "IN_PROGRESS");
    w.at(10);
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(w.exec("t1", "j1").status.as_str(), "IN_PROGRESS");
    w.at(500);
    let history = w.history("t1", "j1");
    assert_eq!(history.len(), 1, "never retried: {history:?}");
    assert_eq!(history[0].status.as_str(), "TIMED_OUT");
    assert_eq!(history[0].last_updated_at, 60);
    assert_eq!(history[0].version_number, 2);
    let listed = list_for_job(&mut w, "j1");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].1["status"], "TIMED_OUT");
}

#[test]
fn decision_03_removed_execution_refuses_device_updates() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], continuous());
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    let e = w
        .update("t1", "j1", "IN_PROGRESS", json!({}))
        .expect_err("REMOVED is terminal");
    assert_eq!(e["code"], "InvalidStateTransitionException");
    assert_eq!(e["executionState"]["status"], "REMOVED");
    assert_eq!(e["executionState"]["versionNumber"], 1);
}

// ---------------------------------------------------------------------------------------
// Decision 4: pending order
// ---------------------------------------------------------------------------------------

fn pending_jobs(w: &World, thing: &str) -> Vec<String> {
    w.svc
        .pending_order(thing)
        .into_iter()
        .map(|(j, _)| j)
        .collect()
}

/// Four jobs on t: `zeta` then `alpha` at t=0 (same queuedAt), `mid` at 10, `late` at 20.
fn four_jobs() -> World {
    let mut w = World::new();
    w.thing("t");
    w.job("zeta", &["t"], json!({}));
    w.job("alpha", &["t"], json!({}));
    w.at(10);
    w.job("mid", &["t"], json!({}));
    w.at(20);
    w.job("late", &["t"], json!({}));
    w
}

#[test]
fn decision_04_queued_by_queued_at_then_creation_order() {
    let mut w = four_jobs();
    let order = ["zeta", "alpha", "mid", "late"];
    assert_eq!(pending_jobs(&w, "t"), order);
    let pending = w.ok("GetPendingJobExecutions", json!({"thingName": "t"}));
    assert_eq!(job_ids(&pending["queuedJobs"]), order);
    assert_eq!(pending["inProgressJobs"], json!([]));
    let next = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t", "jobId": "$next"}),
    );
    assert_eq!(next["execution"]["jobId"], "zeta");
}

#[test]
fn decision_04_in_progress_before_queued_then_queued_at_not_started_at() {
    let mut w = four_jobs();
    w.at(30);
    update_ok(&mut w, "t", "late", "IN_PROGRESS");
    assert_eq!(pending_jobs(&w, "t"), ["late", "zeta", "alpha", "mid"]);
    w.at(40);
    update_ok(&mut w, "t", "mid", "IN_PROGRESS");
    // mid was queued before late, so it comes first although it started later.
    assert_eq!(pending_jobs(&w, "t"), ["mid", "late", "zeta", "alpha"]);
    let pending = w.ok("GetPendingJobExecutions", json!({"thingName": "t"}));
    assert_eq!(job_ids(&pending["inProgressJobs"]), ["mid", "late"]);
    assert_eq!(job_ids(&pending["queuedJobs"]), ["zeta", "alpha"]);
    w.at(50);
    update_ok(&mut w, "t", "alpha", "IN_PROGRESS");
    w.at(60);
    update_ok(&mut w, "t", "zeta", "IN_PROGRESS");
    // Same queuedAt: creation order (zeta before alpha), whatever the start order.
    assert_eq!(pending_jobs(&w, "t"), ["zeta", "alpha", "mid", "late"]);
}

#[test]
fn decision_04_the_next_execution_is_the_head() {
    let mut w = four_jobs();
    w.at(30);
    update_ok(&mut w, "t", "mid", "IN_PROGRESS");
    let next = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t", "jobId": "$next"}),
    );
    assert_eq!(next["execution"]["jobId"], "mid");
    // StartNext answers with the head (already IN_PROGRESS) and starts nothing else.
    let started = w.ok("StartNextPendingJobExecution", json!({"thingName": "t"}));
    assert_eq!(started["execution"]["jobId"], "mid");
    assert_eq!(w.exec("t", "zeta").status.as_str(), "QUEUED");
    update_ok(&mut w, "t", "mid", "SUCCEEDED");
    // Now the head is the oldest, first-created QUEUED one.
    let started = w.ok("StartNextPendingJobExecution", json!({"thingName": "t"}));
    assert_eq!(started["execution"]["jobId"], "zeta");
    assert_eq!(started["execution"]["status"], "IN_PROGRESS");
    assert_eq!(w.exec("t", "alpha").status.as_str(), "QUEUED");
}

#[test]
fn decision_04_a_retry_queues_behind_older_executions() {
    let mut w = World::new();
    w.thing("t");
    w.job("first", &["t"], retry(&[("FAILED", 1)]));
    w.at(10);
    w.job("second", &["t"], json!({}));
    w.at(20);
    update_ok(&mut w, "t", "first", "FAILED");
    // The retry is queued at 20, after second (10).
    assert_eq!(
        w.svc.pending_order("t"),
        vec![("second".to_owned(), 1), ("first".to_owned(), 2)]
    );
}

// ---------------------------------------------------------------------------------------
// Details: identity
// ---------------------------------------------------------------------------------------

#[test]
fn details_identity_default_account_and_region_in_returned_arns() {
    let mut w = World::new();
    let thing = w.ok("CreateThing", json!({"thingName": "t1"}));
    assert_eq!(
        thing["thingArn"],
        "arn:aws:iot:us-east-1:123456789012:thing/t1"
    );
    assert_eq!(thing["thingName"], "t1");
    let group = w.ok("CreateThingGroup", json!({"thingGroupName": "g1"}));
    assert_eq!(
        group["thingGroupArn"],
        "arn:aws:iot:us-east-1:123456789012:thinggroup/g1"
    );
    let job = w.ok("CreateJob", create_job_input("j1", &[thing_arn("t1")]));
    assert_eq!(job["jobArn"], "arn:aws:iot:us-east-1:123456789012:job/j1");
    assert_eq!(job["jobId"], "j1");
    assert_eq!(
        w.control_describe("t1", "j1")["thingArn"],
        "arn:aws:iot:us-east-1:123456789012:thing/t1"
    );
    assert_eq!(
        w.describe_job("j1")["jobArn"],
        "arn:aws:iot:us-east-1:123456789012:job/j1"
    );
    assert_eq!(
        list_for_job(&mut w, "j1")[0].0,
        "arn:aws:iot:us-east-1:123456789012:thing/t1"
    );
}

#[test]
fn details_identity_configured_account_and_region_in_returned_arns() {
    let mut w = World::with(Config {
        account: "210987654321".to_owned(),
        region: "eu-west-2".to_owned(),
        ..Config::default()
    });
    let thing = w.ok("CreateThing", json!({"thingName": "t1"}));
    assert_eq!(
        thing["thingArn"],
        "arn:aws:iot:eu-west-2:210987654321:thing/t1"
    );
    let group = w.ok("CreateThingGroup", json!({"thingGroupName": "g1"}));
    assert_eq!(
        group["thingGroupArn"],
        "arn:aws:iot:eu-west-2:210987654321:thinggroup/g1"
    );
    let job = w.ok(
        "CreateJob",
        json!({
            "jobId": "j1",
            "targets": ["arn:aws:iot:eu-west-2:210987654321:thing/t1"],
            "document": SNAPSHOT_DOC,
        }),
    );
    assert_eq!(job["jobArn"], "arn:aws:iot:eu-west-2:210987654321:job/j1");
    assert_eq!(
        w.control_describe("t1", "j1")["thingArn"],
        "arn:aws:iot:eu-west-2:210987654321:thing/t1"
    );
    assert_eq!(
        list_for_job(&mut w, "j1")[0].0,
        "arn:aws:iot:eu-west-2:210987654321:thing/t1"
    );
}

#[test]
fn details_identity_well_formed_target_arns_are_accepted() {
    let mut w = World::new();
    let long = "n".repeat(128);
    w.thing("a:b_c-1").thing(&long).group("g_1:x-2", &[]);
    for (i, arn) in [
        "arn:aws:iot:us-east-1:123456789012:thing/a:b_c-1".to_owned(),
        format!("arn:aws:iot:us-east-1:123456789012:thing/{long}"),
        "arn:aws:iot:us-east-1:123456789012:thinggroup/g_1:x-2".to_owned(),
    ]
    .into_iter()
    .enumerate()
    {
        w.ok("CreateJob", create_job_input(&format!("ok{i}"), &[arn]));
    }
    assert_eq!(w.exec("a:b_c-1", "ok0").status.as_str(), "QUEUED");
    assert_eq!(w.exec(&long, "ok1").status.as_str(), "QUEUED");
}

#[test]
fn details_identity_malformed_target_arns_are_invalid_request() {
    let mut w = World::new();
    w.thing("t1");
    let long = "n".repeat(129);
    w.group("g1", &["t1"]);
    let bad = [
        "t1".to_owned(),
        "arn:aws:iot:useast1:123456789012:thing/t1".to_owned(),
        "arn:aws:iot::123456789012:thing/t1".to_owned(),
        "arn:aws:iot:us-east-1:12345678901:thing/t1".to_owned(),
        "arn:aws:iot:us-east-1:1234567890123:thing/t1".to_owned(),
        "arn:aws:iot:us-east-1:12345678901a:thing/t1".to_owned(),
        "arn:aws:iot:us-east-1:123456789012:thing/".to_owned(),
        "arn:aws:iot:us-east-1:123456789012:thing/t 1".to_owned(),
        "arn:aws:iot:us-east-1:123456789012:thing/t1.x".to_owned(),
        "arn:aws:iot:us-east-1:123456789012:thing/t1/x".to_owned(),
        format!("arn:aws:iot:us-east-1:123456789012:thing/{long}"),
        "arn:aws:iot:us-east-1:123456789012:job/t1".to_owned(),
        "arn:aws:iot:us-east-1:123456789012:thinggroups/g1".to_owned(),
        "arn:aws:s3:us-east-1:123456789012:thing/t1".to_owned(),
        "arn:aws:iot:us-east-1:123456789012:t1".to_owned(),
    ];
    for arn in bad {
        assert_eq!(
            w.err(
                "CreateJob",
                create_job_input("j1", std::slice::from_ref(&arn))
            ),
            "InvalidRequestException",
            "{arn}"
        );
    }
    assert!(w.svc.jobs().is_empty());
}

// ---------------------------------------------------------------------------------------
// Details: registry
// ---------------------------------------------------------------------------------------

#[test]
fn details_registry_create_thing_again_with_same_settings_succeeds() {
    let mut w = World::new();
    let attrs = json!({"thingName": "t1", "attributePayload": {"attributes": {"model": "x1"}}});
    let first = w.ok("CreateThing", attrs.clone());
    let again = w.ok("CreateThing", attrs);
    assert_eq!(first, again, "same answer, same thing");
    assert_eq!(w.svc.things(), vec!["t1".to_owned()]);
}

#[test]
fn details_registry_create_thing_again_with_other_settings_is_already_exists() {
    let mut w = World::new();
    w.ok(
        "CreateThing",
        json!({"thingName": "t1", "attributePayload": {"attributes": {"model": "x1"}}}),
    );
    assert_eq!(
        w.err(
            "CreateThing",
            json!({"thingName": "t1", "attributePayload": {"attributes": {"model": "x2"}}})
        ),
        "ResourceAlreadyExistsException"
    );
    assert_eq!(
        w.err("CreateThing", json!({"thingName": "t1"})),
        "ResourceAlreadyExistsException"
    );
    let mut plain = World::new();
    plain.thing("t2");
    assert_eq!(
        plain.err(
            "CreateThing",
            json!({"thingName": "t2", "attributePayload": {"attributes": {"a": "b"}}})
        ),
        "ResourceAlreadyExistsException"
    );
}

#[test]
fn details_registry_create_thing_again_keeps_its_executions() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    update_ok(&mut w, "t1", "j1", "IN_PROGRESS");
    let before = w.svc.executions();
    w.thing("t1");
    assert_eq!(w.svc.executions(), before);
    assert!(w.messages.is_empty());
}

#[test]
fn details_registry_create_thing_group_again_same_settings_ok_other_settings_exists() {
    let mut w = World::new();
    let input = json!({"thingGroupName": "g1",
        "thingGroupProperties": {"thingGroupDescription": "sensors"}});
    let first = w.ok("CreateThingGroup", input.clone());
    assert_eq!(w.ok("CreateThingGroup", input), first);
    assert_eq!(
        w.err(
            "CreateThingGroup",
            json!({"thingGroupName": "g1",
                "thingGroupProperties": {"thingGroupDescription": "actuators"}})
        ),
        "ResourceAlreadyExistsException"
    );
    assert_eq!(
        w.err("CreateThingGroup", json!({"thingGroupName": "g1"})),
        "ResourceAlreadyExistsException"
    );
}

#[test]
fn details_registry_adding_a_member_again_changes_nothing() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], continuous());
    update_ok(&mut w, "t1", "j1", "SUCCEEDED");
    let before = w.svc.executions();
    w.at(10);
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(w.svc.executions(), before, "no new execution");
    assert!(w.messages.is_empty());
    assert_eq!(w.svc.groups_of("t1"), vec!["g".to_owned()]);
}

#[test]
fn details_registry_removing_a_non_member_changes_nothing() {
    let mut w = World::new();
    w.thing("t1").group("g", &[]);
    w.job("j1", &["t1", "group:g"], continuous());
    let before = w.svc.executions();
    w.at(10);
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(w.svc.executions(), before);
    assert!(w.messages.is_empty());
    assert!(w.svc.groups_of("t1").is_empty());
}

#[test]
fn details_registry_membership_by_arn_works_like_by_name() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &[]);
    w.job("j1", &["group:g"], continuous());
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupArn": group_arn("g"), "thingArn": thing_arn("t1")}),
    );
    assert_eq!(w.exec("t1", "j1").status.as_str(), "QUEUED");
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupArn": group_arn("g"), "thingArn": thing_arn("t1")}),
    );
    assert_eq!(w.exec("t1", "j1").status.as_str(), "REMOVED");
}

#[test]
fn details_registry_thing_types_billing_groups_and_hierarchies_are_not_modelled() {
    let mut w = World::new();
    let cases = [
        (
            "CreateThing",
            json!({"thingName": "t1", "thingTypeName": "sensor"}),
            "thing type",
        ),
        (
            "CreateThing",
            json!({"thingName": "t1", "billingGroupName": "b1"}),
            "billing group",
        ),
        (
            "CreateThingGroup",
            json!({"thingGroupName": "child", "parentGroupName": "parent"}),
            "hierarch",
        ),
    ];
    for (name, input, feature) in cases {
        let e = w.err_body(name, input.clone());
        assert_eq!(e["code"], "NotModelled", "{name} {input}: {e}");
        let named = e["feature"].as_str().unwrap_or_default().to_lowercase();
        assert!(named.contains(feature), "{name}: feature {named:?}");
    }
    assert!(w.svc.things().is_empty(), "nothing was created");
}

// ---------------------------------------------------------------------------------------
// Details: CreateJob checks, in order, and creation order
// ---------------------------------------------------------------------------------------

#[test]
fn details_createjob_invalid_request_wins_over_not_modelled() {
    let mut w = World::new();
    w.thing("t1");
    let input = json!({
        "jobId": "j1",
        "targets": [thing_arn("t1")],
        "document": "not json",
        "schedulingConfig": {"maintenanceWindows": []},
    });
    assert_eq!(w.err("CreateJob", input), "InvalidRequestException");
    let input = json!({
        "jobId": "bad id!",
        "targets": [thing_arn("t1")],
        "document": SNAPSHOT_DOC,
        "jobExecutionsRolloutConfig": {"maximumPerMinute": 5},
    });
    assert_eq!(w.err("CreateJob", input), "InvalidRequestException");
}

#[test]
fn details_createjob_not_modelled_wins_over_job_id_in_use() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    let input = merged(
        create_job_input("j1", &[thing_arn("t1")]),
        json!({"schedulingConfig": {"maintenanceWindows": []}}),
    );
    assert_eq!(w.err("CreateJob", input), "NotModelled");
}

#[test]
fn details_createjob_job_id_in_use_wins_over_unknown_targets() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    assert_eq!(
        w.err("CreateJob", create_job_input("j1", &[thing_arn("ghost")])),
        "ResourceAlreadyExistsException"
    );
}

#[test]
fn details_createjob_invalid_request_wins_over_id_in_use_and_unknown_targets() {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    // Unknown target first, malformed one second: validity is checked before existence.
    let input = create_job_input(
        "j1",
        &[
            thing_arn("ghost"),
            "arn:aws:iot:us-east-1:1:thing/t1".into(),
        ],
    );
    assert_eq!(w.err("CreateJob", input), "InvalidRequestException");
    let input = merged(
        create_job_input("j2", &[thing_arn("ghost")]),
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 0}}),
    );
    assert_eq!(w.err("CreateJob", input), "InvalidRequestException");
    assert_eq!(
        w.err(
            "CreateJob",
            json!({"jobId": "j3", "targets": [], "document": SNAPSHOT_DOC})
        ),
        "InvalidRequestException"
    );
}

#[test]
fn details_createjob_not_modelled_wins_over_unknown_targets_and_names_the_feature() {
    let mut w = World::new();
    let members = [
        (
            "documentSource",
            json!("https://s3.amazonaws.com/b/doc.json"),
            "documentsource",
        ),
        (
            "presignedUrlConfig",
            json!({"expiresInSec": 60}),
            "presigned",
        ),
        (
            "schedulingConfig",
            json!({"endBehavior": "CANCEL", "maintenanceWindows": []}),
            "maintenance windows",
        ),
        ("namespaceId", json!("ns1"), "namespace"),
        (
            "jobTemplateArn",
            json!("arn:aws:iot:us-east-1:123456789012:jobtemplate/t"),
            "template",
        ),
        ("documentParameters", json!({"k": "v"}), "template"),
    ];
    for (member, value, feature) in members {
        let mut input = create_job_input("j1", &[thing_arn("ghost")]);
        input[member] = value;
        let e = w.err_body("CreateJob", input);
        assert_eq!(e["code"], "NotModelled", "{member}: {e}");
        let named = e["feature"].as_str().unwrap_or_default().to_lowercase();
        assert!(named.contains(feature), "{member}: feature {named:?}");
    }
    assert!(w.svc.jobs().is_empty());
}

#[test]
fn details_createjob_creation_order_follows_targets_then_thing_creation_order() {
    let mut w = World::new();
    // Things created c, a, b, d; the group gets them added b, a, c.
    w.thing("c").thing("a").thing("b").thing("d");
    w.group("g", &["b", "a", "c"]);
    w.job("j1", &["d", "group:g"], json!({}));
    let listed: Vec<String> = list_for_job(&mut w, "j1")
        .into_iter()
        .map(|(arn, _)| arn)
        .collect();
    assert_eq!(
        listed,
        vec![
            thing_arn("d"),
            thing_arn("c"),
            thing_arn("a"),
            thing_arn("b")
        ]
    );
    let by_creation: Vec<String> = w
        .svc
        .executions()
        .into_iter()
        .filter(|e| e.job_id == "j1")
        .map(|e| e.thing_name)
        .collect();
    assert_eq!(by_creation, ["d", "c", "a", "b"]);
}

#[test]
fn details_createjob_creation_order_breaks_pending_order_ties_on_one_thing() {
    let mut w = World::new();
    w.thing("t");
    // Created in the order z, m, a at the same instant.
    for j in ["z", "m", "a"] {
        w.job(j, &["t"], json!({}));
    }
    assert_eq!(pending_jobs(&w, "t"), ["z", "m", "a"]);
}

/// Details, registry (MODEL): attribute names match `[a-zA-Z0-9_.,@/:#-]+` and hold at most
/// 128 characters; values match `[a-zA-Z0-9_.,@/:#=\[\]-]*` and hold at most 800. Both
/// CreateThing and CreateThingGroup check them.
#[test]
fn details_registry_attribute_names_and_values_follow_the_model() {
    let thing = |w: &mut World, n: usize, key: &str, value: &str| {
        w.call(
            "CreateThing",
            json!({"thingName": format!("t{n}"),
                "attributePayload": {"attributes": {key: value}}}),
        )
        .map(|_| ())
        .map_err(|e| e["code"].as_str().unwrap_or("").to_owned())
    };
    let mut w = World::new();
    let long_key = "k".repeat(128);
    let long_value = "v".repeat(800);
    let fine = [
        ("serial_no.2,@/:#-", "A-1_.,@/:#=[]"),
        (long_key.as_str(), ""),
        ("k", long_value.as_str()),
    ];
    for (n, (k, v)) in fine.iter().enumerate() {
        assert_eq!(thing(&mut w, n, k, v), Ok(()), "{k} = {v}");
    }
    let too_long_key = "k".repeat(129);
    let too_long_value = "v".repeat(801);
    let refused = [
        ("", "v"),
        ("a key", "v"),
        ("k=", "v"),
        (too_long_key.as_str(), "v"),
        ("k", "a value"),
        ("k", "v!"),
        ("k", too_long_value.as_str()),
    ];
    for (n, (k, v)) in refused.iter().enumerate() {
        assert_eq!(
            thing(&mut w, 100 + n, k, v),
            Err("InvalidRequestException".to_owned()),
            "{k} = {v}"
        );
        assert!(
            w.svc.things().iter().all(|t| *t != format!("t{}", 100 + n)),
            "a refused thing is not created"
        );
    }
    let group = |w: &mut World, value: &str| {
        w.call(
            "CreateThingGroup",
            json!({"thingGroupName": "g",
                "thingGroupProperties": {"attributePayload": {"attributes": {"k": value}}}}),
        )
        .map(|_| ())
        .map_err(|e| e["code"].as_str().unwrap_or("").to_owned())
    };
    assert_eq!(
        group(&mut w, "v v"),
        Err("InvalidRequestException".to_owned())
    );
    assert_eq!(group(&mut w, "v"), Ok(()));
}

/// Details, registry (MODEL): thingGroupDescription holds at most 2028 characters.
#[test]
fn details_registry_a_group_description_holds_at_most_2028_characters() {
    let mut w = World::new();
    let describe = |n: usize| {
        json!({"thingGroupName": format!("g{n}"),
            "thingGroupProperties": {"thingGroupDescription": "d".repeat(n)}})
    };
    w.ok("CreateThingGroup", describe(2028));
    assert_eq!(
        w.err("CreateThingGroup", describe(2029)),
        "InvalidRequestException"
    );
}

/// Details, registry: DeleteThing's expectedVersion must be the thing's version (things
/// here are never updated, so it is always 1).
#[test]
fn details_registry_delete_thing_checks_expected_version() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    assert_eq!(
        w.err(
            "DeleteThing",
            json!({"thingName": "t1", "expectedVersion": 2})
        ),
        "VersionConflictException"
    );
    assert_eq!(w.svc.things(), ["t1", "t2"]);
    w.ok(
        "DeleteThing",
        json!({"thingName": "t1", "expectedVersion": 1}),
    );
    w.ok("DeleteThing", json!({"thingName": "t2"}));
    assert!(w.svc.things().is_empty());
}

/// The inspection calls know nothing of a thing that never existed, even when other
/// things have executions.
#[test]
fn inspection_of_an_unknown_thing_finds_nothing() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    assert!(w.svc.execution("t1", "j1", None).is_some());
    assert_eq!(w.svc.execution("nobody", "j1", None), None);
    assert_eq!(w.svc.execution("t1", "no-job", None), None);
    assert!(w.svc.pending_order("nobody").is_empty());
    assert_eq!(w.svc.pending_order("t1"), [("j1".to_owned(), 1)]);
    assert!(w.svc.groups_of("nobody").is_empty());
}

/// Decisions 2 and 3 over many CONTINUOUS jobs at once (a join and a leave read the
/// thing's newest execution of every job the group has, in one pass): jobs the thing never
/// had, jobs with a pending, an IN_PROGRESS, a terminal newest, canceled jobs, jobs whose
/// only execution was deleted, and jobs that also target the thing directly, interleaved
/// with jobs of other things. The
/// expectation is worked out job by job.
#[test]
fn decision_02_and_03_a_join_and_a_leave_over_many_continuous_jobs() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .group("g", &[])
        .group("h", &["t1"]);
    let membership = json!({"thingGroupName": "g", "thingName": "t1"});
    // 40 CONTINUOUS jobs on g; between them, jobs of t2 only, so t1's history has gaps.
    let mut jobs = Vec::new();
    for k in 0..40 {
        let id = format!("c{k:02}");
        let targets: Vec<&str> = if k % 7 == 3 {
            vec!["group:g", "t1"]
        } else {
            vec!["group:g"]
        };
        w.job(&id, &targets, continuous());
        w.job(&format!("other{k:02}"), &["t2"], json!({}));
        jobs.push(id);
    }
    // t1 joins: every job queues (the ones that target t1 directly already did).
    w.ok("AddThingToThingGroup", membership.clone());
    for j in &jobs {
        assert_eq!(w.statuses("t1", j), vec![(1, "QUEUED".into())], "{j}");
    }
    // Move the newest executions along: k % 5 == 1 IN_PROGRESS, == 2 SUCCEEDED,
    // == 4 FAILED; cancel k % 6 == 5 (without force: its QUEUED one is CANCELED).
    for (k, j) in jobs.iter().enumerate() {
        match k % 5 {
            1 => update_ok(&mut w, "t1", j, "IN_PROGRESS"),
            2 => update_ok(&mut w, "t1", j, "SUCCEEDED"),
            4 => update_ok(&mut w, "t1", j, "FAILED"),
            _ => {}
        }
        if k % 6 == 5 {
            w.ok("CancelJob", json!({"jobId": j}));
        }
    }
    // Delete the only execution of k % 8 == 6: t1 has no history of those jobs left.
    for (k, j) in jobs.iter().enumerate() {
        if k % 8 == 6 {
            w.ok(
                "DeleteJobExecution",
                json!({"jobId": j, "thingName": "t1", "executionNumber": 1, "force": true}),
            );
            assert!(w.statuses("t1", j).is_empty());
        }
    }
    let before: Vec<Vec<(i64, String)>> = jobs.iter().map(|j| w.statuses("t1", j)).collect();
    // t1 leaves g: a QUEUED newest becomes REMOVED unless the job still targets t1.
    w.ok("RemoveThingFromThingGroup", membership.clone());
    for (k, j) in jobs.iter().enumerate() {
        let mut want = before[k].clone();
        let direct = k % 7 == 3;
        if want.last().is_some_and(|(_, s)| s == "QUEUED") && !direct {
            want.last_mut().unwrap().1 = "REMOVED".into();
        }
        assert_eq!(w.statuses("t1", j), want, "leave, {j}");
    }
    let before: Vec<Vec<(i64, String)>> = jobs.iter().map(|j| w.statuses("t1", j)).collect();
    // t1 joins again: a job still IN_PROGRESS queues the next execution unless the
    // newest is pending.
    w.ok("AddThingToThingGroup", membership);
    for (k, j) in jobs.iter().enumerate() {
        let mut want = before[k].clone();
        let canceled = k % 6 == 5;
        let (n, status) = want.last().cloned().unwrap_or((0, "none".into()));
        if !canceled && status != "QUEUED" && status != "IN_PROGRESS" {
            want.push((n + 1, "QUEUED".into()));
        }
        assert_eq!(w.statuses("t1", j), want, "rejoin, {j}");
    }
}
