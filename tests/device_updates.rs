//! Device updates: what UpdateJobExecution and StartNextPendingJobExecution may do to an
//! execution, in which order their checks run, and what each answer carries (decisions 5
//! to 12), with the details on update corner cases and on decoding requests.
//!
//! Every expectation is read from docs/decisions.md (the contract), not from the model's
//! output. Requests that break two rules at once pin which check wins.

mod common;
use common::*;

use iot_jobs_spec::{Config, ErrorCode, ExecutionRecord, Plane};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------------------

const DOC: &str = "{\"op\":\"x\"}";

/// A world with thing `t1` and job `j1` targeting it, queued at 0.
fn queued() -> World {
    queued_with(json!({}))
}

fn queued_with(extra: Value) -> World {
    let mut w = World::new();
    w.thing("t1");
    w.job("j1", &["t1"], extra);
    w
}

/// `queued()`, then IN_PROGRESS at 10 (version 2).
fn in_progress() -> World {
    let mut w = queued();
    w.at(10);
    ok_update(&mut w, "IN_PROGRESS", json!({}));
    w
}

fn ok_update(w: &mut World, status: &str, extra: Value) -> Value {
    w.update("t1", "j1", status, extra.clone())
        .unwrap_or_else(|e| panic!("update to {status} {extra} refused: {e}"))
}

fn err_update(w: &mut World, status: &str, extra: Value) -> Value {
    match w.update("t1", "j1", status, extra.clone()) {
        Ok(v) => panic!("update to {status} {extra} should fail, got {v}"),
        Err(e) => e,
    }
}

fn record(w: &World) -> ExecutionRecord {
    w.exec("t1", "j1")
}

/// Publishes an MQTT update of t1/j1; the reply: (accepted?, payload).
fn mqtt_update(w: &mut World, payload: Value) -> (bool, Value) {
    let msgs = w.publish("$aws/things/t1/jobs/j1/update", &payload);
    let first = msgs.first().expect("a reply");
    match first.topic.as_str() {
        "$aws/things/t1/jobs/j1/update/accepted" => (true, first.payload.to_json().clone()),
        "$aws/things/t1/jobs/j1/update/rejected" => (false, first.payload.to_json().clone()),
        other => panic!("unexpected first message on {other}: {msgs:?}"),
    }
}

fn mqtt_rejected(w: &mut World, payload: Value) -> Value {
    let (accepted, body) = mqtt_update(w, payload.clone());
    assert!(
        !accepted,
        "MQTT update {payload} should be rejected: {body}"
    );
    body
}

/// Asserts an HTTP InvalidStateTransitionException carrying `executionState` with
/// `status` and `version`.
fn assert_ist(e: &Value, status: &str, version: i64) {
    assert_eq!(e["code"], "InvalidStateTransitionException", "{e}");
    assert_eq!(e["executionState"]["status"], status, "{e}");
    assert_eq!(e["executionState"]["versionNumber"], version, "{e}");
}

const DEVICE_STATUSES: [&str; 4] = ["IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"];
const SERVICE_STATUSES: [&str; 4] = ["QUEUED", "TIMED_OUT", "CANCELED", "REMOVED"];
const ALL_STATUSES: [&str; 8] = [
    "QUEUED",
    "IN_PROGRESS",
    "SUCCEEDED",
    "FAILED",
    "TIMED_OUT",
    "REJECTED",
    "REMOVED",
    "CANCELED",
];

// ---------------------------------------------------------------------------------------
// Decision 5: the device's transitions
// ---------------------------------------------------------------------------------------

#[test]
fn decision_05_queued_may_go_to_in_progress_succeeded_failed_or_rejected() {
    for to in DEVICE_STATUSES {
        let mut w = queued();
        w.at(7);
        ok_update(&mut w, to, json!({}));
        let e = record(&w);
        assert_eq!(e.status.as_str(), to);
        assert_eq!(e.version_number, 2, "{to}");
        assert_eq!(e.last_updated_at, 7, "{to}");
        assert_eq!(e.execution_number, 1, "{to}");
    }
}

#[test]
fn decision_05_in_progress_may_go_to_in_progress_succeeded_or_failed() {
    for to in ["IN_PROGRESS", "SUCCEEDED", "FAILED"] {
        let mut w = in_progress();
        w.at(20);
        ok_update(&mut w, to, json!({}));
        let e = record(&w);
        assert_eq!(e.status.as_str(), to);
        assert_eq!(e.version_number, 3, "{to}");
        assert_eq!(e.last_updated_at, 20, "{to}");
    }
}

#[test]
fn decision_05_in_progress_to_rejected_is_refused() {
    let mut w = in_progress();
    let before = w.svc.executions();
    w.at(20);
    let e = err_update(&mut w, "REJECTED", json!({"statusDetails": {"why": "no"}}));
    assert_ist(&e, "IN_PROGRESS", 2);
    assert_eq!(
        w.svc.executions(),
        before,
        "a refused update changes nothing"
    );
    assert!(w.messages.is_empty());
    // Over MQTT too.
    let body = mqtt_rejected(&mut w, json!({"status": "REJECTED"}));
    assert_eq!(body["code"], "InvalidStateTransition");
    assert_eq!(body["executionState"]["status"], "IN_PROGRESS");
    assert_eq!(body["executionState"]["versionNumber"], 2);
}

#[test]
fn decision_05_in_progress_to_rejected_is_one_switch_away() {
    let mut config = Config::default();
    config.switches.in_progress_to_rejected = true;
    let mut w = World::with(config);
    w.thing("t1");
    w.job("j1", &["t1"], json!({}));
    ok_update(&mut w, "IN_PROGRESS", json!({}));
    ok_update(&mut w, "REJECTED", json!({}));
    assert_eq!(record(&w).status.as_str(), "REJECTED");
    assert_eq!(record(&w).version_number, 3);
}

// ---------------------------------------------------------------------------------------
// Decision 6: statuses a device may not ask for
// ---------------------------------------------------------------------------------------

#[test]
fn decision_06_service_statuses_are_invalid_state_transition_not_invalid_request() {
    for (setup, from, version) in [
        (queued as fn() -> World, "QUEUED", 1),
        (in_progress as fn() -> World, "IN_PROGRESS", 2),
    ] {
        for asked in SERVICE_STATUSES {
            let mut w = setup();
            let before = w.svc.executions();
            let e = err_update(&mut w, asked, json!({}));
            assert_ist(&e, from, version);
            assert_eq!(w.svc.executions(), before, "{from} -> {asked}");
        }
    }
}

#[test]
fn decision_06_service_statuses_over_mqtt_are_invalid_state_transition() {
    for asked in SERVICE_STATUSES {
        let mut w = queued();
        let body = mqtt_rejected(&mut w, json!({"status": asked, "clientToken": "c1"}));
        assert_eq!(body["code"], "InvalidStateTransition", "{asked}: {body}");
        assert_eq!(body["executionState"]["status"], "QUEUED");
        assert_eq!(body["executionState"]["versionNumber"], 1);
        assert_eq!(record(&w).status.as_str(), "QUEUED");
    }
}

// ---------------------------------------------------------------------------------------
// Decision 7: terminal executions refuse every update
// ---------------------------------------------------------------------------------------

#[test]
fn decision_07_device_terminal_refuses_every_update_including_the_same_status() {
    for terminal in ["SUCCEEDED", "FAILED", "REJECTED"] {
        for asked in ALL_STATUSES {
            let mut w = queued();
            ok_update(&mut w, terminal, json!({"statusDetails": {"r": "1"}}));
            let before = w.svc.executions();
            w.at(50);
            let e = err_update(&mut w, asked, json!({"statusDetails": {"r": "2"}}));
            assert_ist(&e, terminal, 2);
            assert_eq!(
                e["executionState"]["statusDetails"],
                json!({"r": "1"}),
                "{terminal} <- {asked}"
            );
            assert_eq!(w.svc.executions(), before, "{terminal} <- {asked}");
        }
    }
}

#[test]
fn decision_07_service_terminal_refuses_every_update() {
    // TIMED_OUT by the in-progress timer.
    let mut w = queued_with(json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1}}));
    ok_update(&mut w, "IN_PROGRESS", json!({}));
    w.at(60);
    assert_eq!(record(&w).status.as_str(), "TIMED_OUT");
    for asked in ["IN_PROGRESS", "SUCCEEDED", "TIMED_OUT"] {
        assert_ist(&err_update(&mut w, asked, json!({})), "TIMED_OUT", 2);
    }
    // CANCELED by CancelJobExecution.
    let mut w = queued();
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1"}),
    );
    for asked in ["IN_PROGRESS", "FAILED", "CANCELED"] {
        assert_ist(&err_update(&mut w, asked, json!({})), "CANCELED", 1);
    }
    // REMOVED by leaving the targets of a CONTINUOUS job.
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    for asked in ["IN_PROGRESS", "REJECTED", "REMOVED"] {
        assert_ist(&err_update(&mut w, asked, json!({})), "REMOVED", 1);
    }
}

#[test]
fn decision_07_terminal_refusal_over_mqtt_carries_execution_state() {
    let mut w = queued();
    ok_update(&mut w, "SUCCEEDED", json!({}));
    for asked in ["SUCCEEDED", "IN_PROGRESS"] {
        let body = mqtt_rejected(&mut w, json!({"status": asked, "clientToken": "tok"}));
        assert_eq!(body["code"], "InvalidStateTransition", "{body}");
        assert_eq!(body["executionState"]["status"], "SUCCEEDED");
        assert_eq!(body["executionState"]["versionNumber"], 2);
        assert_eq!(body["clientToken"], "tok");
    }
    // Also with the right expectedVersion: still a state error, not a version error.
    let body = mqtt_rejected(&mut w, json!({"status": "SUCCEEDED", "expectedVersion": 2}));
    assert_eq!(body["code"], "InvalidStateTransition", "{body}");
    assert_eq!(body["executionState"]["status"], "SUCCEEDED");
}

// ---------------------------------------------------------------------------------------
// Decision 8: the order of checks for an update
// ---------------------------------------------------------------------------------------

#[test]
fn decision_08_request_validity_wins_over_unknown_thing() {
    let mut w = queued();
    for (status, extra) in [
        ("IN_PROGRESS", json!({"statusDetails": {"bad key": "v"}})),
        ("IN_PROGRESS", json!({"stepTimeoutInMinutes": 0})),
        ("IN_PROGRESS", json!({"expectedVersion": "1"})),
        ("DONE", json!({})),
    ] {
        let mut input = json!({"thingName": "ghost", "jobId": "j1", "status": status});
        if let (Value::Object(m), Value::Object(e)) = (&mut input, extra) {
            m.extend(e);
        }
        let e = w.err_body("UpdateJobExecution", input.clone());
        assert_eq!(e["code"], "InvalidRequestException", "{input}");
        assert!(e.get("executionState").is_none(), "{e}");
    }
    let e = w.err_body(
        "UpdateJobExecution",
        json!({"thingName": "ghost", "jobId": "$next", "status": "IN_PROGRESS"}),
    );
    assert_eq!(e["code"], "InvalidRequestException");
}

#[test]
fn decision_08_request_validity_wins_over_version_status_and_transition() {
    let mut w = queued();
    ok_update(&mut w, "SUCCEEDED", json!({}));
    // Terminal, wrong version, a service status and an invalid value all at once.
    let e = err_update(
        &mut w,
        "CANCELED",
        json!({"expectedVersion": 9, "statusDetails": {"k": ""}}),
    );
    assert_eq!(e["code"], "InvalidRequestException", "{e}");
    assert!(e.get("executionState").is_none(), "{e}");
    let e = err_update(
        &mut w,
        "IN_PROGRESS",
        json!({"expectedVersion": 9, "stepTimeoutInMinutes": 10081}),
    );
    assert_eq!(e["code"], "InvalidRequestException", "{e}");
}

#[test]
fn decision_08_execution_must_exist() {
    let mut w = queued();
    w.thing("t2");
    // Unknown job; a job that does not target the thing; an unknown executionNumber.
    for input in [
        json!({"thingName": "t1", "jobId": "nojob", "status": "IN_PROGRESS"}),
        json!({"thingName": "t2", "jobId": "j1", "status": "IN_PROGRESS"}),
        json!({"thingName": "t1", "jobId": "j1", "status": "IN_PROGRESS", "executionNumber": 2}),
        json!({"thingName": "t1", "jobId": "j1", "status": "IN_PROGRESS", "executionNumber": 0}),
    ] {
        let e = w.err_body("UpdateJobExecution", input.clone());
        assert_eq!(e["code"], "ResourceNotFoundException", "{input}");
        assert!(e.get("executionState").is_none(), "{e}");
    }
}

#[test]
fn decision_08_unknown_execution_number_wins_over_version_and_status() {
    let mut w = queued();
    let e = err_update(
        &mut w,
        "CANCELED",
        json!({"executionNumber": 5, "expectedVersion": 99, "stepTimeoutInMinutes": -1}),
    );
    assert_eq!(e["code"], "ResourceNotFoundException", "{e}");
    let body = mqtt_rejected(
        &mut w,
        json!({"status": "IN_PROGRESS", "executionNumber": 5, "expectedVersion": 99}),
    );
    assert_eq!(body["code"], "ResourceNotFound", "{body}");
}

#[test]
fn decision_08_version_mismatch_wins_over_a_service_status() {
    let mut w = queued();
    let e = err_update(&mut w, "QUEUED", json!({"expectedVersion": 4}));
    assert_ist(&e, "QUEUED", 1);
    let body = mqtt_rejected(&mut w, json!({"status": "QUEUED", "expectedVersion": 4}));
    assert_eq!(body["code"], "VersionMismatch", "{body}");
    assert_eq!(body["executionState"]["versionNumber"], 1);
}

#[test]
fn decision_08_version_mismatch_wins_over_a_terminal_status_and_a_refused_transition() {
    let mut w = queued();
    ok_update(&mut w, "FAILED", json!({}));
    let body = mqtt_rejected(&mut w, json!({"status": "SUCCEEDED", "expectedVersion": 1}));
    assert_eq!(body["code"], "VersionMismatch", "{body}");
    assert_eq!(body["executionState"]["status"], "FAILED");
    assert_eq!(body["executionState"]["versionNumber"], 2);

    let mut w = in_progress();
    let body = mqtt_rejected(&mut w, json!({"status": "REJECTED", "expectedVersion": 1}));
    assert_eq!(body["code"], "VersionMismatch", "{body}");
    let body = mqtt_rejected(&mut w, json!({"status": "REJECTED", "expectedVersion": 2}));
    assert_eq!(body["code"], "InvalidStateTransition", "{body}");
}

#[test]
fn decision_08_execution_number_names_the_execution_every_later_check_reads() {
    let mut w = queued_with(retry(&[("FAILED", 1)]));
    ok_update(&mut w, "FAILED", json!({}));
    assert_eq!(record(&w).execution_number, 2);
    // Execution 1 is FAILED at version 2; execution 2 is QUEUED at version 1.
    let e = err_update(&mut w, "IN_PROGRESS", json!({"executionNumber": 1}));
    assert_ist(&e, "FAILED", 2);
    // expectedVersion 1 is the newest's version but not execution 1's.
    let body = mqtt_rejected(
        &mut w,
        json!({"status": "IN_PROGRESS", "executionNumber": 1, "expectedVersion": 1}),
    );
    assert_eq!(body["code"], "VersionMismatch", "{body}");
    assert_eq!(body["executionState"]["versionNumber"], 2);
    // Without executionNumber the newest is meant.
    ok_update(
        &mut w,
        "IN_PROGRESS",
        json!({"executionNumber": 2, "expectedVersion": 1}),
    );
    assert_eq!(record(&w).status.as_str(), "IN_PROGRESS");
    assert_eq!(w.history("t1", "j1")[0].status.as_str(), "FAILED");
}

// ---------------------------------------------------------------------------------------
// Decision 9: expectedVersion
// ---------------------------------------------------------------------------------------

#[test]
fn decision_09_http_expected_version_number_accepted_when_equal() {
    let mut w = queued();
    ok_update(&mut w, "IN_PROGRESS", json!({"expectedVersion": 1}));
    ok_update(&mut w, "IN_PROGRESS", json!({"expectedVersion": 2}));
    ok_update(&mut w, "SUCCEEDED", json!({"expectedVersion": 3}));
    assert_eq!(record(&w).version_number, 4);
}

#[test]
fn decision_09_http_expected_version_string_is_invalid_request() {
    let mut w = queued();
    let before = w.svc.executions();
    for v in [json!("1"), json!("x"), json!(1.0)] {
        let e = err_update(&mut w, "IN_PROGRESS", json!({"expectedVersion": v}));
        assert_eq!(e["code"], "InvalidRequestException", "{v}: {e}");
        assert!(e.get("executionState").is_none(), "{e}");
    }
    assert_eq!(w.svc.executions(), before);
}

#[test]
fn decision_09_http_mismatch_is_invalid_state_transition_409_with_execution_state() {
    let mut w = queued();
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"p": "50"}}));
    let before = w.svc.executions();
    w.at(30);
    let e = err_update(
        &mut w,
        "SUCCEEDED",
        json!({"expectedVersion": 1, "statusDetails": {"p": "100"}}),
    );
    assert_ist(&e, "IN_PROGRESS", 2);
    assert_eq!(e["executionState"]["statusDetails"], json!({"p": "50"}));
    let code: ErrorCode = e["code"].as_str().unwrap().parse().unwrap();
    assert_eq!(code.http_status(Plane::Data), 409);
    assert_eq!(w.svc.executions(), before);
    assert!(w.messages.is_empty());
}

#[test]
fn decision_09_mqtt_accepts_a_number_or_a_string_of_digits() {
    let mut w = queued();
    let (accepted, body) = mqtt_update(
        &mut w,
        json!({"status": "IN_PROGRESS", "expectedVersion": "1"}),
    );
    assert!(accepted, "{body}");
    assert_eq!(record(&w).version_number, 2);
    let (accepted, body) = mqtt_update(
        &mut w,
        json!({"status": "IN_PROGRESS", "expectedVersion": 2}),
    );
    assert!(accepted, "{body}");
    assert_eq!(record(&w).version_number, 3);
}

#[test]
fn decision_09_mqtt_other_strings_are_refused() {
    let mut w = queued();
    for v in ["", "v1", "1.0", "-1", " 1", "1 "] {
        let body = mqtt_rejected(
            &mut w,
            json!({"status": "IN_PROGRESS", "expectedVersion": v}),
        );
        assert_eq!(body["code"], "InvalidRequest", "{v:?}: {body}");
    }
    assert_eq!(record(&w).version_number, 1);
    assert_eq!(record(&w).status.as_str(), "QUEUED");
}

#[test]
fn decision_09_mqtt_mismatch_is_version_mismatch_with_execution_state() {
    let mut w = in_progress();
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"p": "1"}}));
    let before = w.svc.executions();
    for v in [json!(5), json!("5"), json!(1)] {
        let msgs = w.publish(
            "$aws/things/t1/jobs/j1/update",
            json!({"status": "SUCCEEDED", "expectedVersion": v, "clientToken": "c"}),
        );
        assert_eq!(msgs.len(), 1, "only the reply: {msgs:?}");
        assert_eq!(msgs[0].topic, "$aws/things/t1/jobs/j1/update/rejected");
        let body = &msgs[0].payload.to_json();
        assert_eq!(body["code"], "VersionMismatch", "{v}: {body}");
        assert_eq!(
            body["executionState"],
            json!({"status": "IN_PROGRESS", "statusDetails": {"p": "1"}, "versionNumber": 3})
        );
    }
    assert_eq!(w.svc.executions(), before);
}

#[test]
fn decision_09_control_plane_cancel_mismatch_is_version_conflict() {
    let mut w = in_progress();
    let e = w.err_body(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "force": true, "expectedVersion": 1}),
    );
    assert_eq!(e["code"], "VersionConflictException", "{e}");
    assert!(e.get("executionState").is_none(), "{e}");
    assert_eq!(record(&w).status.as_str(), "IN_PROGRESS");
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "force": true, "expectedVersion": 2}),
    );
    assert_eq!(record(&w).status.as_str(), "CANCELED");
}

// ---------------------------------------------------------------------------------------
// Decision 10: versionNumber and lastUpdatedAt
// ---------------------------------------------------------------------------------------

#[test]
fn decision_10_each_accepted_update_adds_one_and_stamps_last_updated_at() {
    let mut w = queued();
    let mut expected = 1;
    for (t, status) in [
        (10, "IN_PROGRESS"),
        (20, "IN_PROGRESS"),
        (30, "IN_PROGRESS"),
        (45, "SUCCEEDED"),
    ] {
        w.at(t);
        ok_update(&mut w, status, json!({}));
        expected += 1;
        let e = record(&w);
        assert_eq!(e.version_number, expected, "at {t}");
        assert_eq!(e.last_updated_at, t, "at {t}");
    }
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["versionNumber"], 5);
    assert_eq!(c["lastUpdatedAt"], 45);
    assert_eq!(c["queuedAt"], 0);
}

#[test]
fn decision_10_start_next_from_queued_adds_one() {
    let mut w = queued();
    w.at(12);
    let r = w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert_eq!(r["execution"]["versionNumber"], 2);
    assert_eq!(r["execution"]["lastUpdatedAt"], 12);
    assert_eq!(record(&w).version_number, 2);
}

#[test]
fn decision_10_service_changes_keep_the_version_and_stamp_last_updated_at() {
    // Cancel of an IN_PROGRESS execution (version 3).
    let mut w = in_progress();
    ok_update(&mut w, "IN_PROGRESS", json!({}));
    w.at(40);
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "force": true}),
    );
    let e = record(&w);
    assert_eq!((e.status.as_str(), e.version_number), ("CANCELED", 3));
    assert_eq!(e.last_updated_at, 40);

    // CancelJob.
    let mut w = in_progress();
    w.at(41);
    w.ok("CancelJob", json!({"jobId": "j1", "force": true}));
    let e = record(&w);
    assert_eq!((e.status.as_str(), e.version_number), ("CANCELED", 2));
    assert_eq!(e.last_updated_at, 41);

    // Timeout: stamped with the deadline, not the moment the clock was moved to.
    let mut w = queued_with(json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 2}}));
    w.at(5);
    ok_update(&mut w, "IN_PROGRESS", json!({}));
    ok_update(&mut w, "IN_PROGRESS", json!({}));
    w.at(1000);
    let e = record(&w);
    assert_eq!((e.status.as_str(), e.version_number), ("TIMED_OUT", 3));
    assert_eq!(e.last_updated_at, 125);

    // Removal.
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    w.at(33);
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    let e = record(&w);
    assert_eq!((e.status.as_str(), e.version_number), ("REMOVED", 1));
    assert_eq!(e.last_updated_at, 33);
}

#[test]
fn decision_10_reads_change_nothing() {
    let mut w = in_progress();
    ok_update(&mut w, "IN_PROGRESS", json!({"stepTimeoutInMinutes": 30}));
    let before = w.svc.executions();
    w.at(100);
    let reads = [
        (
            Plane::Data,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1"}),
        ),
        (
            Plane::Data,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "$next"}),
        ),
        (
            Plane::Data,
            "GetPendingJobExecutions",
            json!({"thingName": "t1"}),
        ),
        (
            Plane::Control,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1"}),
        ),
        (
            Plane::Control,
            "ListJobExecutionsForThing",
            json!({"thingName": "t1"}),
        ),
        (
            Plane::Control,
            "ListJobExecutionsForJob",
            json!({"jobId": "j1"}),
        ),
        (Plane::Control, "DescribeJob", json!({"jobId": "j1"})),
    ];
    for (plane, name, input) in reads {
        w.call_on(plane, name, input.clone())
            .unwrap_or_else(|e| panic!("{name} {input}: {e}"));
        assert!(w.messages.is_empty(), "{name} published {:?}", w.messages);
        assert_eq!(w.svc.executions(), before, "{name} changed state");
    }
    let msgs = w.publish("$aws/things/t1/jobs/j1/get", json!({}));
    assert_eq!(msgs.len(), 1, "only the reply: {msgs:?}");
    assert_eq!(w.svc.executions(), before);
}

#[test]
fn decision_10_refused_requests_change_nothing() {
    let mut w = in_progress();
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"a": "1"}}));
    let before = w.svc.executions();
    w.at(100);
    for (status, extra) in [
        (
            "SUCCEEDED",
            json!({"expectedVersion": 1, "statusDetails": {"a": "2"}}),
        ),
        (
            "REJECTED",
            json!({"statusDetails": {"a": "2"}, "stepTimeoutInMinutes": 5}),
        ),
        ("CANCELED", json!({"statusDetails": {"a": "2"}})),
        (
            "IN_PROGRESS",
            json!({"statusDetails": {"a": "2"}, "stepTimeoutInMinutes": -1}),
        ),
        ("IN_PROGRESS", json!({"statusDetails": {"": "2"}})),
        (
            "IN_PROGRESS",
            json!({"executionNumber": 9, "statusDetails": {"a": "2"}}),
        ),
    ] {
        let e = err_update(&mut w, status, extra.clone());
        assert!(e["code"].is_string(), "{e}");
        assert!(w.messages.is_empty(), "{status} {extra}");
        assert_eq!(w.svc.executions(), before, "{status} {extra}");
    }
    assert_eq!(
        w.err(
            "StartNextPendingJobExecution",
            json!({"thingName": "t1", "stepTimeoutInMinutes": -1})
        ),
        "InvalidRequestException"
    );
    let body = mqtt_rejected(
        &mut w,
        json!({"status": "SUCCEEDED", "expectedVersion": "7"}),
    );
    assert_eq!(body["code"], "VersionMismatch");
    assert_eq!(w.svc.executions(), before);
    assert_eq!(w.svc.poll_timeout(), None, "no timer was started");
}

// ---------------------------------------------------------------------------------------
// Decision 11: statusDetails
// ---------------------------------------------------------------------------------------

#[test]
fn decision_11_given_status_details_replace_the_whole_map() {
    let mut w = queued();
    ok_update(
        &mut w,
        "IN_PROGRESS",
        json!({"statusDetails": {"a": "1", "b": "2"}}),
    );
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"c": "3"}}));
    assert_eq!(
        w.data_execution("t1", "j1")["statusDetails"],
        json!({"c": "3"})
    );
    ok_update(&mut w, "SUCCEEDED", json!({"statusDetails": {"a": "9"}}));
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["statusDetails"]["detailsMap"], json!({"a": "9"}));
}

#[test]
fn decision_11_absent_status_details_leave_the_map_unchanged() {
    let mut w = queued();
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"a": "1"}}));
    ok_update(&mut w, "IN_PROGRESS", json!({}));
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": null}));
    assert_eq!(
        w.data_execution("t1", "j1")["statusDetails"],
        json!({"a": "1"})
    );
    ok_update(&mut w, "SUCCEEDED", json!({}));
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["statusDetails"]["detailsMap"], json!({"a": "1"}));
}

#[test]
fn decision_11_an_empty_map_given_replaces_with_empty() {
    let mut w = queued();
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"a": "1"}}));
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {}}));
    assert!(record(&w).status_details.is_empty());
}

#[test]
fn decision_11_keys_are_1_to_128_of_the_name_characters() {
    let mut w = queued();
    let k128 = "k".repeat(128);
    ok_update(
        &mut w,
        "IN_PROGRESS",
        json!({"statusDetails": {k128.clone(): "v", "a:b_c-D9": "v"}}),
    );
    assert_eq!(record(&w).status_details.len(), 2);
    for key in [
        "k".repeat(129),
        String::new(),
        "a b".into(),
        "a.b".into(),
        "é".into(),
        "a/b".into(),
    ] {
        let e = err_update(
            &mut w,
            "IN_PROGRESS",
            json!({"statusDetails": {key.clone(): "v"}}),
        );
        assert_eq!(e["code"], "InvalidRequestException", "key {key:?}");
    }
    assert_eq!(record(&w).version_number, 2);
}

#[test]
fn decision_11_values_are_1_to_1024_characters_without_control_characters() {
    let mut w = queued();
    for ok in [
        "v".repeat(1024),
        "é".repeat(1024),
        "😀".repeat(1024),
        "a b é ü ☃".into(),
    ] {
        ok_update(
            &mut w,
            "IN_PROGRESS",
            json!({"statusDetails": {"k": ok.clone()}}),
        );
        assert_eq!(record(&w).status_details["k"], ok);
    }
    for bad in [
        "v".repeat(1025),
        "é".repeat(1025),
        String::new(),
        "line\nbreak".into(),
        "tab\there".into(),
        "bell\u{7}".into(),
        "del\u{7f}".into(),
        "c1\u{85}".into(),
        "nul\u{0}".into(),
        "nonchar\u{ffff}".into(),
    ] {
        let e = err_update(
            &mut w,
            "IN_PROGRESS",
            json!({"statusDetails": {"k": bad.clone()}}),
        );
        assert_eq!(e["code"], "InvalidRequestException", "value {bad:?}");
    }
}

#[test]
fn decision_11_values_with_unassigned_code_points_are_invalid_request() {
    let mut w = queued();
    for bad in ["greek gap \u{378}", "armenian gap \u{530}", "\u{2fe0}"] {
        let e = err_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"k": bad}}));
        assert_eq!(e["code"], "InvalidRequestException", "value {bad:?}");
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
}

#[test]
fn decision_11_other_shapes_are_invalid_request() {
    let mut w = queued();
    for details in [
        json!({"k": 5}),
        json!({"k": true}),
        json!({"k": null}),
        json!({"k": {"nested": "x"}}),
        json!(["k", "v"]),
        json!("k=v"),
    ] {
        let e = err_update(
            &mut w,
            "IN_PROGRESS",
            json!({"statusDetails": details.clone()}),
        );
        assert_eq!(e["code"], "InvalidRequestException", "{details}");
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
}

#[test]
fn decision_11_device_calls_take_any_number_of_entries() {
    let many: serde_json::Map<String, Value> =
        (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
    let mut w = queued();
    let r = w.ok(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "statusDetails": many.clone()}),
    );
    assert_eq!(r["execution"]["statusDetails"], Value::Object(many.clone()));
    let mut more = many.clone();
    more.insert("k50".into(), json!("v"));
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": more}));
    assert_eq!(record(&w).status_details.len(), 51);
}

#[test]
fn decision_11_cancel_job_execution_takes_at_most_10_entries() {
    let entries = |n: usize| -> Value {
        Value::Object((0..n).map(|i| (format!("k{i}"), json!("v"))).collect())
    };
    let mut w = queued();
    let e = w.err_body(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "statusDetails": entries(11)}),
    );
    assert_eq!(e["code"], "InvalidRequestException");
    assert_eq!(record(&w).status.as_str(), "QUEUED");
    let e = w.err_body(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "statusDetails": {"bad key": "v"}}),
    );
    assert_eq!(e["code"], "InvalidRequestException");
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "statusDetails": entries(10)}),
    );
    let e = record(&w);
    assert_eq!(e.status.as_str(), "CANCELED");
    assert_eq!(e.status_details.len(), 10);
}

#[test]
fn decision_11_start_next_validates_status_details() {
    let mut w = queued();
    for details in [
        json!({"bad key": "v"}),
        json!({"k": ""}),
        json!({"k": "v".repeat(1025)}),
    ] {
        assert_eq!(
            w.err(
                "StartNextPendingJobExecution",
                json!({"thingName": "t1", "statusDetails": details})
            ),
            "InvalidRequestException"
        );
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
}

// ---------------------------------------------------------------------------------------
// Decision 12: StartNextPendingJobExecution
// ---------------------------------------------------------------------------------------

#[test]
fn decision_12_start_next_starts_the_queued_head() {
    let mut w = queued();
    w.at(5);
    w.job("j2", &["t1"], json!({}));
    w.at(25);
    let r = w.ok(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "statusDetails": {"s": "1"}, "stepTimeoutInMinutes": 5}),
    );
    assert_eq!(
        r,
        json!({"execution": {
            "jobId": "j1",
            "thingName": "t1",
            "status": "IN_PROGRESS",
            "statusDetails": {"s": "1"},
            "queuedAt": 0,
            "startedAt": 25,
            "lastUpdatedAt": 25,
            "approximateSecondsBeforeTimedOut": 300,
            "versionNumber": 2,
            "executionNumber": 1,
            "jobDocument": DOC,
        }})
    );
    let e = record(&w);
    assert_eq!(e.step_deadline, Some(325));
    assert_eq!(e.status_details.len(), 1);
    assert_eq!(
        w.exec("t1", "j2").status.as_str(),
        "QUEUED",
        "only the head"
    );
}

#[test]
fn decision_12_start_next_on_an_in_progress_head_returns_it_unchanged() {
    let mut w = queued();
    w.at(10);
    ok_update(
        &mut w,
        "IN_PROGRESS",
        json!({"statusDetails": {"a": "1"}, "stepTimeoutInMinutes": 10}),
    );
    w.job("j2", &["t1"], json!({}));
    let before = w.svc.executions();
    w.at(100);
    let r = w.ok(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "statusDetails": {"b": "2"}, "stepTimeoutInMinutes": 1}),
    );
    assert_eq!(
        r,
        json!({"execution": {
            "jobId": "j1",
            "thingName": "t1",
            "status": "IN_PROGRESS",
            "statusDetails": {"a": "1"},
            "queuedAt": 0,
            "startedAt": 10,
            "lastUpdatedAt": 10,
            "approximateSecondsBeforeTimedOut": 510,
            "versionNumber": 2,
            "executionNumber": 1,
            "jobDocument": DOC,
        }})
    );
    assert_eq!(w.svc.executions(), before, "nothing changed");
    assert!(w.messages.is_empty());
    assert_eq!(record(&w).step_deadline, Some(610));
}

#[test]
fn decision_12_start_next_on_an_in_progress_head_sets_no_step_timer() {
    let mut w = in_progress();
    w.at(20);
    let r = w.ok(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "stepTimeoutInMinutes": 5}),
    );
    assert!(
        r["execution"]
            .get("approximateSecondsBeforeTimedOut")
            .is_none(),
        "{r}"
    );
    assert_eq!(record(&w).step_deadline, None);
    assert_eq!(w.svc.poll_timeout(), None);
}

#[test]
fn decision_12_nothing_pending_returns_an_empty_object() {
    let mut w = World::new();
    w.thing("t1");
    assert_eq!(
        w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"})),
        json!({})
    );
    w.job("j1", &["t1"], json!({}));
    ok_update(&mut w, "SUCCEEDED", json!({}));
    assert_eq!(
        w.ok(
            "StartNextPendingJobExecution",
            json!({"thingName": "t1", "statusDetails": {"a": "1"}, "stepTimeoutInMinutes": 3})
        ),
        json!({})
    );
    assert!(w.messages.is_empty());
    let msgs = w.publish("$aws/things/t1/jobs/start-next", json!({}));
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].topic, "$aws/things/t1/jobs/start-next/accepted");
    assert!(
        msgs[0].payload.to_json().get("execution").is_none(),
        "{msgs:?}"
    );
}

#[test]
fn decision_12_start_next_step_timeout_bounds() {
    let mut w = queued();
    for m in [-1, 0, -2, 10081] {
        assert_eq!(
            w.err(
                "StartNextPendingJobExecution",
                json!({"thingName": "t1", "stepTimeoutInMinutes": m})
            ),
            "InvalidRequestException",
            "{m}"
        );
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
    let r = w.ok(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "stepTimeoutInMinutes": 10080}),
    );
    assert_eq!(r["execution"]["approximateSecondsBeforeTimedOut"], 604_800);
}

#[test]
fn decision_12_start_next_over_mqtt_includes_the_document_as_json() {
    let mut w = queued();
    w.at(3);
    let msgs = w.publish(
        "$aws/things/t1/jobs/start-next",
        json!({"clientToken": "x"}),
    );
    assert_eq!(msgs[0].topic, "$aws/things/t1/jobs/start-next/accepted");
    let exec = &msgs[0].payload.to_json()["execution"];
    assert_eq!(exec["jobDocument"], json!({"op": "x"}));
    assert_eq!(exec["status"], "IN_PROGRESS");
    assert_eq!(exec["versionNumber"], 2);
    assert_eq!(exec["startedAt"], 3);
}

// ---------------------------------------------------------------------------------------
// Details: updates
// ---------------------------------------------------------------------------------------

#[test]
fn details_updates_minus_one_without_step_timer_refused_whatever_status() {
    // QUEUED: no timer of any kind.
    for status in DEVICE_STATUSES {
        let mut w = queued();
        let e = err_update(&mut w, status, json!({"stepTimeoutInMinutes": -1}));
        assert_eq!(e["code"], "InvalidRequestException", "{status}: {e}");
        assert_eq!(record(&w).status.as_str(), "QUEUED");
    }
    // IN_PROGRESS with only the in-progress timer running.
    for status in ["IN_PROGRESS", "SUCCEEDED", "FAILED"] {
        let mut w = queued_with(json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 5}}));
        ok_update(&mut w, "IN_PROGRESS", json!({}));
        let before = w.svc.executions();
        let e = err_update(&mut w, status, json!({"stepTimeoutInMinutes": -1}));
        assert_eq!(e["code"], "InvalidRequestException", "{status}: {e}");
        assert_eq!(w.svc.executions(), before);
        assert_eq!(record(&w).in_progress_deadline, Some(300));
    }
}

#[test]
fn details_updates_minus_one_without_step_timer_checked_after_version() {
    let mut w = in_progress();
    let e = err_update(
        &mut w,
        "SUCCEEDED",
        json!({"stepTimeoutInMinutes": -1, "expectedVersion": 1}),
    );
    assert_ist(&e, "IN_PROGRESS", 2);
    let body = mqtt_rejected(
        &mut w,
        json!({"status": "SUCCEEDED", "stepTimeoutInMinutes": -1, "expectedVersion": "1"}),
    );
    assert_eq!(body["code"], "VersionMismatch", "{body}");
    // With the right version, the -1 rule is what refuses it.
    let e = err_update(
        &mut w,
        "SUCCEEDED",
        json!({"stepTimeoutInMinutes": -1, "expectedVersion": 2}),
    );
    assert_eq!(e["code"], "InvalidRequestException", "{e}");
}

#[test]
fn details_updates_minus_one_without_step_timer_checked_after_status_and_transition() {
    // A status the device may not set.
    let mut w = in_progress();
    assert_ist(
        &err_update(&mut w, "CANCELED", json!({"stepTimeoutInMinutes": -1})),
        "IN_PROGRESS",
        2,
    );
    // A transition the table refuses.
    assert_ist(
        &err_update(&mut w, "REJECTED", json!({"stepTimeoutInMinutes": -1})),
        "IN_PROGRESS",
        2,
    );
    // A terminal execution.
    ok_update(&mut w, "SUCCEEDED", json!({}));
    assert_ist(
        &err_update(&mut w, "SUCCEEDED", json!({"stepTimeoutInMinutes": -1})),
        "SUCCEEDED",
        3,
    );
}

#[test]
fn details_updates_minus_one_cancels_a_running_step_timer_once() {
    let mut w = in_progress();
    ok_update(&mut w, "IN_PROGRESS", json!({"stepTimeoutInMinutes": 3}));
    assert_eq!(record(&w).step_deadline, Some(190));
    w.at(50);
    ok_update(&mut w, "IN_PROGRESS", json!({"stepTimeoutInMinutes": -1}));
    let e = record(&w);
    assert_eq!(e.step_deadline, None);
    assert_eq!(e.version_number, 4);
    assert!(w
        .data_execution("t1", "j1")
        .get("approximateSecondsBeforeTimedOut")
        .is_none());
    let e = err_update(&mut w, "IN_PROGRESS", json!({"stepTimeoutInMinutes": -1}));
    assert_eq!(e["code"], "InvalidRequestException");
    w.at(500);
    assert_eq!(record(&w).status.as_str(), "IN_PROGRESS", "no timer fired");
}

#[test]
fn details_updates_minus_one_on_an_ending_update_with_a_step_timer_is_accepted() {
    let mut w = in_progress();
    ok_update(&mut w, "IN_PROGRESS", json!({"stepTimeoutInMinutes": 3}));
    ok_update(&mut w, "SUCCEEDED", json!({"stepTimeoutInMinutes": -1}));
    assert_eq!(record(&w).status.as_str(), "SUCCEEDED");
    assert_eq!(record(&w).version_number, 4);
}

#[test]
fn details_updates_every_invalid_state_transition_carries_execution_state() {
    // Decision 5: IN_PROGRESS to REJECTED.
    let mut w = in_progress();
    assert_ist(&err_update(&mut w, "REJECTED", json!({})), "IN_PROGRESS", 2);
    // Decision 6: a service status.
    assert_ist(
        &err_update(&mut w, "TIMED_OUT", json!({})),
        "IN_PROGRESS",
        2,
    );
    // Decision 9: a version mismatch.
    assert_ist(
        &err_update(&mut w, "IN_PROGRESS", json!({"expectedVersion": 1})),
        "IN_PROGRESS",
        2,
    );
    // Decision 7: a terminal execution.
    ok_update(&mut w, "FAILED", json!({"statusDetails": {"e": "disk"}}));
    let e = err_update(&mut w, "FAILED", json!({}));
    assert_ist(&e, "FAILED", 3);
    assert_eq!(e["executionState"]["statusDetails"], json!({"e": "disk"}));
    // Over MQTT, each with its executionState.
    let mut w = in_progress();
    for (payload, code) in [
        (json!({"status": "REJECTED"}), "InvalidStateTransition"),
        (json!({"status": "REMOVED"}), "InvalidStateTransition"),
        (
            json!({"status": "IN_PROGRESS", "expectedVersion": 7}),
            "VersionMismatch",
        ),
    ] {
        let body = mqtt_rejected(&mut w, payload.clone());
        assert_eq!(body["code"], code, "{payload}");
        assert_eq!(
            body["executionState"],
            json!({"status": "IN_PROGRESS", "versionNumber": 2}),
            "{payload}"
        );
    }
}

#[test]
fn details_updates_direct_queued_to_terminal_sets_no_started_at() {
    for to in ["SUCCEEDED", "FAILED", "REJECTED"] {
        let mut w = queued();
        w.at(9);
        ok_update(&mut w, to, json!({}));
        assert_eq!(record(&w).started_at, None, "{to}");
        let c = w.control_describe("t1", "j1");
        assert!(c.get("startedAt").is_none(), "{to}: {c}");
        assert_eq!(c["lastUpdatedAt"], 9);
        let listed = w.ok("ListJobExecutionsForThing", json!({"thingName": "t1"}));
        let summary = &listed["executionSummaries"][0]["jobExecutionSummary"];
        assert!(summary.get("startedAt").is_none(), "{to}: {summary}");
    }
}

#[test]
fn details_updates_next_ignores_execution_number() {
    let mut w = queued();
    let r = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "$next", "executionNumber": 99}),
    );
    assert_eq!(r["execution"]["jobId"], "j1");
    assert_eq!(r["execution"]["executionNumber"], 1);
    ok_update(&mut w, "SUCCEEDED", json!({}));
    assert_eq!(
        w.ok(
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "$next", "executionNumber": 1}),
        ),
        json!({})
    );
}

#[test]
fn details_updates_describe_of_an_older_terminal_execution_is_terminal_state() {
    let mut w = queued_with(retry(&[("FAILED", 1)]));
    ok_update(&mut w, "FAILED", json!({}));
    let e = w.err_body(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1}),
    );
    assert_eq!(e["code"], "TerminalStateException", "{e}");
    let code: ErrorCode = e["code"].as_str().unwrap().parse().unwrap();
    assert_eq!(code.http_status(Plane::Data), 410);
    let r = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "executionNumber": 2}),
    );
    assert_eq!(r["execution"]["status"], "QUEUED");
    let msgs = w.publish("$aws/things/t1/jobs/j1/get", json!({"executionNumber": 1}));
    assert_eq!(msgs[0].topic, "$aws/things/t1/jobs/j1/get/rejected");
    assert_eq!(msgs[0].payload.to_json()["code"], "TerminalStateReached");
}

// ---------------------------------------------------------------------------------------
// Details: decoding
// ---------------------------------------------------------------------------------------

#[test]
fn details_decoding_null_means_absent() {
    let mut w = queued();
    ok_update(&mut w, "IN_PROGRESS", json!({"statusDetails": {"a": "1"}}));
    let r = ok_update(
        &mut w,
        "IN_PROGRESS",
        json!({
            "statusDetails": null,
            "expectedVersion": null,
            "executionNumber": null,
            "stepTimeoutInMinutes": null,
            "includeJobExecutionState": null,
            "includeJobDocument": null,
        }),
    );
    assert_eq!(r, json!({}), "null include flags mean their default, false");
    let e = record(&w);
    assert_eq!(e.version_number, 3);
    assert_eq!(e.status_details.len(), 1);
    let d = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "includeJobDocument": null, "executionNumber": null}),
    );
    assert_eq!(d["execution"]["jobDocument"], DOC, "default true");
    // A required member given as null is missing.
    let e = w.err_body(
        "UpdateJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "status": null}),
    );
    assert_eq!(e["code"], "InvalidRequestException");
}

#[test]
fn details_decoding_unknown_members_are_ignored() {
    let mut w = queued();
    w.ok(
        "UpdateJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "status": "IN_PROGRESS",
               "frobnicate": [1, 2], "thingArn": "not an arn", "StatusDetails": 5}),
    );
    assert_eq!(record(&w).version_number, 2);
    w.ok(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "extra": {"x": 1}}),
    );
    w.ok(
        "GetPendingJobExecutions",
        json!({"thingName": "t1", "maxResults": "ignored"}),
    );
}

#[test]
fn details_decoding_numbers_must_be_integers_in_range() {
    let mut w = queued();
    let before = w.svc.executions();
    for extra in [
        json!({"expectedVersion": 1.0}),
        json!({"expectedVersion": "1"}),
        json!({"expectedVersion": 18_446_744_073_709_551_615_u64}),
        json!({"executionNumber": 1.0}),
        json!({"executionNumber": "1"}),
        json!({"stepTimeoutInMinutes": 5.0}),
        json!({"stepTimeoutInMinutes": "5"}),
        json!({"stepTimeoutInMinutes": 5.5}),
    ] {
        let e = err_update(&mut w, "IN_PROGRESS", extra.clone());
        assert_eq!(e["code"], "InvalidRequestException", "{extra}");
    }
    assert_eq!(w.svc.executions(), before);
    for (name, input) in [
        (
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1.0}),
        ),
        (
            "DeleteJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "executionNumber": "1", "force": true}),
        ),
        (
            "ListJobExecutionsForThing",
            json!({"thingName": "t1", "maxResults": 2.0}),
        ),
        (
            "ListJobExecutionsForJob",
            json!({"jobId": "j1", "maxResults": 4_294_967_296_u64}),
        ),
        (
            "CancelJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "expectedVersion": "1"}),
        ),
        (
            "CreateJob",
            json!({"jobId": "j2", "targets": [thing_arn("t1")], "document": DOC,
                   "timeoutConfig": {"inProgressTimeoutInMinutes": "5"}}),
        ),
        (
            "CreateJob",
            json!({"jobId": "j3", "targets": [thing_arn("t1")], "document": DOC,
                   "jobExecutionsRetryConfig": {"criteriaList": [
                       {"failureType": "ALL", "numberOfRetries": 1.0}]}}),
        ),
    ] {
        assert_eq!(
            w.err(name, input.clone()),
            "InvalidRequestException",
            "{name} {input}"
        );
    }
    assert_eq!(w.svc.executions(), before);
    assert_eq!(w.svc.jobs().len(), 1);
}

#[test]
fn details_decoding_booleans_must_be_json_booleans() {
    let mut w = queued();
    for extra in [
        json!({"includeJobDocument": "true"}),
        json!({"includeJobExecutionState": 1}),
        json!({"includeJobExecutionState": "false"}),
    ] {
        let e = err_update(&mut w, "IN_PROGRESS", extra.clone());
        assert_eq!(e["code"], "InvalidRequestException", "{extra}");
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
    for (name, input) in [
        (
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "includeJobDocument": "false"}),
        ),
        (
            "CancelJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "force": "true"}),
        ),
        ("CancelJob", json!({"jobId": "j1", "force": 1})),
        (
            "DeleteJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1, "force": "true"}),
        ),
    ] {
        assert_eq!(
            w.err(name, input.clone()),
            "InvalidRequestException",
            "{name} {input}"
        );
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
    // The real booleans work.
    let r = ok_update(
        &mut w,
        "IN_PROGRESS",
        json!({"includeJobDocument": true, "includeJobExecutionState": true}),
    );
    assert_eq!(r["jobDocument"], DOC);
    assert_eq!(r["executionState"]["versionNumber"], 2);
}

#[test]
fn details_decoding_lengths_count_code_points() {
    let mut w = queued();
    // 1024 four-byte characters are 1024 characters, not 4096 bytes.
    ok_update(
        &mut w,
        "IN_PROGRESS",
        json!({"statusDetails": {"k": "😀".repeat(1024)}}),
    );
    let e = err_update(
        &mut w,
        "IN_PROGRESS",
        json!({"statusDetails": {"k": "😀".repeat(1025)}}),
    );
    assert_eq!(e["code"], "InvalidRequestException");
    // Names: exactly the model's limits.
    let long_thing = "t".repeat(128);
    let long_job = "j".repeat(64);
    w.thing(&long_thing);
    w.job(&long_job, &[long_thing.as_str()], json!({}));
    w.update(&long_thing, &long_job, "IN_PROGRESS", json!({}))
        .unwrap();
    assert_eq!(
        w.err(
            "UpdateJobExecution",
            json!({"thingName": "t".repeat(129), "jobId": long_job, "status": "IN_PROGRESS"})
        ),
        "InvalidRequestException"
    );
    assert_eq!(
        w.err(
            "UpdateJobExecution",
            json!({"thingName": long_thing, "jobId": "j".repeat(65), "status": "IN_PROGRESS"})
        ),
        "InvalidRequestException"
    );
}

#[test]
fn details_decoding_a_pattern_must_match_the_whole_value() {
    let mut w = queued();
    for (thing, job) in [
        ("t1 ", "j1"),
        (" t1", "j1"),
        ("t1\n", "j1"),
        ("t1/x", "j1"),
        ("t1.x", "j1"),
        ("", "j1"),
        ("t1", "j1 "),
        ("t1", "j1:x"),
        ("t1", "j1\n"),
        ("t1", "j1$"),
        ("t1", ""),
    ] {
        let e = w.err_body(
            "UpdateJobExecution",
            json!({"thingName": thing, "jobId": job, "status": "IN_PROGRESS"}),
        );
        assert_eq!(e["code"], "InvalidRequestException", "{thing:?} {job:?}");
    }
    let e = err_update(
        &mut w,
        "IN_PROGRESS",
        json!({"statusDetails": {"k\n": "v"}}),
    );
    assert_eq!(e["code"], "InvalidRequestException");
    assert_eq!(record(&w).status.as_str(), "QUEUED");
}

#[test]
fn details_decoding_next_as_job_id_where_only_a_job_id_is_allowed_is_invalid_request() {
    let mut w = queued();
    let cases = [
        (
            Plane::Data,
            "UpdateJobExecution",
            json!({"thingName": "t1", "jobId": "$next", "status": "IN_PROGRESS"}),
        ),
        (
            Plane::Control,
            "CreateJob",
            json!({"jobId": "$next", "targets": [thing_arn("t1")], "document": DOC}),
        ),
        (Plane::Control, "CancelJob", json!({"jobId": "$next"})),
        (
            Plane::Control,
            "CancelJobExecution",
            json!({"thingName": "t1", "jobId": "$next"}),
        ),
        (
            Plane::Control,
            "DeleteJobExecution",
            json!({"thingName": "t1", "jobId": "$next", "executionNumber": 1}),
        ),
        (
            Plane::Control,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "$next"}),
        ),
        (Plane::Control, "DescribeJob", json!({"jobId": "$next"})),
        (
            Plane::Control,
            "ListJobExecutionsForJob",
            json!({"jobId": "$next"}),
        ),
        (
            Plane::Control,
            "ListJobExecutionsForThing",
            json!({"thingName": "t1", "jobId": "$next"}),
        ),
    ];
    for (plane, name, input) in cases {
        let e = w
            .call_on(plane, name, input.clone())
            .expect_err("$next is not a job id here");
        assert_eq!(e["code"], "InvalidRequestException", "{name} {input}");
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
    // Where the model allows it, it means the head.
    let r = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "$next"}),
    );
    assert_eq!(r["execution"]["jobId"], "j1");
}

#[test]
fn details_decoding_required_members_and_enums() {
    let mut w = queued();
    for input in [
        json!({"thingName": "t1", "jobId": "j1"}),
        json!({"jobId": "j1", "status": "IN_PROGRESS"}),
        json!({"thingName": "t1", "status": "IN_PROGRESS"}),
        json!({"thingName": "t1", "jobId": "j1", "status": "DONE"}),
        json!({"thingName": "t1", "jobId": "j1", "status": "in_progress"}),
        json!({"thingName": "t1", "jobId": "j1", "status": 1}),
        json!({"thingName": 7, "jobId": "j1", "status": "IN_PROGRESS"}),
        json!(["t1", "j1", "IN_PROGRESS"]),
        json!("IN_PROGRESS"),
    ] {
        assert_eq!(
            w.err("UpdateJobExecution", input.clone()),
            "InvalidRequestException",
            "{input}"
        );
    }
    assert_eq!(record(&w).status.as_str(), "QUEUED");
}
