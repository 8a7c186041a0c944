//! The operator's side: CancelJobExecution (expectedVersion first, terminal executions,
//! `force`, statusDetails, `forceCanceled`, no `executionState`), CancelJob (QUEUED,
//! forced IN_PROGRESS, untouched terminal executions, the canceled job), DeleteJobExecution
//! (`executionNumber`, `force`, what calls mean afterwards, reused numbers), when a job is
//! COMPLETED, and the two List calls (order, maxResults, nextToken) (decisions 20 to 23;
//! details, lists).

mod common;
use common::*;

use iot_jobs_spec::{ExecutionRecord, Plane};
use serde_json::{json, Value};

fn cancel_exec(w: &mut World, thing: &str, job: &str, extra: Value) -> Result<Value, Value> {
    w.call(
        "CancelJobExecution",
        merged(json!({"thingName": thing, "jobId": job}), extra),
    )
}

fn delete_exec(w: &mut World, thing: &str, job: &str, extra: Value) -> Result<Value, Value> {
    w.call(
        "DeleteJobExecution",
        merged(json!({"thingName": thing, "jobId": job}), extra),
    )
}

fn job_status(w: &mut World, job: &str) -> String {
    w.describe_job(job)["status"].as_str().unwrap().to_owned()
}

fn control_describe_number(w: &mut World, thing: &str, job: &str, n: i64) -> Result<Value, Value> {
    w.call_on(
        Plane::Control,
        "DescribeJobExecution",
        json!({"thingName": thing, "jobId": job, "executionNumber": n}),
    )
}

fn one(w: &World, thing: &str, job: &str) -> ExecutionRecord {
    let h = w.history(thing, job);
    assert_eq!(h.len(), 1, "{job} on {thing}: {h:?}");
    h[0].clone()
}

fn assert_no_execution_state(err: &Value) {
    assert!(
        err.get("executionState").is_none(),
        "control-plane errors carry no executionState: {err}"
    );
}

// ---------------------------------------------------------------------------------------
// Decision 20: CancelJobExecution
// ---------------------------------------------------------------------------------------

#[test]
fn decision_20_queued_execution_becomes_canceled() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.at(5);
    let r = cancel_exec(&mut w, "t1", "j1", json!({})).unwrap();
    assert_eq!(r, json!({}));
    let e = w.exec("t1", "j1");
    assert_eq!(e.status.as_str(), "CANCELED");
    assert_eq!(e.version_number, 1, "a service change leaves the version");
    assert_eq!(e.last_updated_at, 5);
    assert_eq!(e.force_canceled, Some(false));
    assert!(w.svc.pending_order("t1").is_empty());
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["status"], "CANCELED");
    assert_eq!(c["forceCanceled"], false);
    assert_eq!(c["versionNumber"], 1);
    assert_eq!(c["lastUpdatedAt"], 5);
}

#[test]
fn decision_20_queued_execution_canceled_with_force_records_force() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    cancel_exec(&mut w, "t1", "j1", json!({"force": true})).unwrap();
    assert_eq!(w.exec("t1", "j1").status.as_str(), "CANCELED");
    assert_eq!(w.control_describe("t1", "j1")["forceCanceled"], true);
}

#[test]
fn decision_20_in_progress_needs_force() {
    let mut w = World::new();
    w.thing("t1").job(
        "j1",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 5}}),
    );
    w.update(
        "t1",
        "j1",
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 2}),
    )
    .unwrap();
    w.at(10);
    let before = w.svc.executions();
    for extra in [json!({}), json!({"force": false})] {
        let err = cancel_exec(&mut w, "t1", "j1", extra.clone()).unwrap_err();
        assert_eq!(err["code"], "InvalidStateTransitionException", "{extra}");
        assert_no_execution_state(&err);
    }
    assert_eq!(w.svc.executions(), before, "a refused cancel changed state");

    w.at(20);
    cancel_exec(&mut w, "t1", "j1", json!({"force": true})).unwrap();
    let e = w.exec("t1", "j1");
    assert_eq!(e.status.as_str(), "CANCELED");
    assert_eq!(e.force_canceled, Some(true));
    assert_eq!(e.version_number, 2, "unchanged by the service");
    assert_eq!(e.last_updated_at, 20);
    assert_eq!(e.started_at, Some(0));
    assert_eq!((e.step_deadline, e.in_progress_deadline), (None, None));
    assert_eq!(w.svc.poll_timeout(), None);
    w.at(1000);
    assert_eq!(w.exec("t1", "j1").status.as_str(), "CANCELED");
    assert_eq!(w.exec("t1", "j1").last_updated_at, 20);
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["forceCanceled"], true);
    assert!(c.get("approximateSecondsBeforeTimedOut").is_none(), "{c}");
}

#[test]
fn decision_20_terminal_execution_is_invalid_state_transition() {
    for status in TERMINAL {
        for extra in [json!({}), json!({"force": true})] {
            let mut w = ended(status);
            let before = w.svc.executions();
            let err = cancel_exec(&mut w, "t1", "j1", extra.clone()).unwrap_err();
            assert_eq!(
                err["code"], "InvalidStateTransitionException",
                "{status} {extra}: {err}"
            );
            assert_no_execution_state(&err);
            assert_eq!(w.svc.executions(), before, "{status}");
        }
    }
}

#[test]
fn decision_20_expected_version_is_checked_first() {
    // On a terminal execution, a wrong version is a conflict, not a state error.
    let mut w = ended("SUCCEEDED");
    assert_eq!(w.exec("t1", "j1").version_number, 3);
    let err = cancel_exec(&mut w, "t1", "j1", json!({"expectedVersion": 1})).unwrap_err();
    assert_eq!(err["code"], "VersionConflictException");
    assert_no_execution_state(&err);
    let err = cancel_exec(&mut w, "t1", "j1", json!({"expectedVersion": 3})).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");

    // On IN_PROGRESS without force: the conflict first, then the need for force.
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    let err = cancel_exec(&mut w, "t1", "j1", json!({"expectedVersion": 1})).unwrap_err();
    assert_eq!(err["code"], "VersionConflictException");
    assert_no_execution_state(&err);
    let err = cancel_exec(&mut w, "t1", "j1", json!({"expectedVersion": 2})).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    // With force and a wrong version: still the conflict, nothing canceled.
    let err = cancel_exec(
        &mut w,
        "t1",
        "j1",
        json!({"expectedVersion": 3, "force": true}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "VersionConflictException");
    assert_eq!(w.exec("t1", "j1").status.as_str(), "IN_PROGRESS");
    // The right version with force: canceled.
    cancel_exec(
        &mut w,
        "t1",
        "j1",
        json!({"expectedVersion": 2, "force": true}),
    )
    .unwrap();
    assert_eq!(w.exec("t1", "j1").status.as_str(), "CANCELED");

    // QUEUED with the right version.
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let err = cancel_exec(&mut w, "t1", "j1", json!({"expectedVersion": 2})).unwrap_err();
    assert_eq!(err["code"], "VersionConflictException");
    cancel_exec(&mut w, "t1", "j1", json!({"expectedVersion": 1})).unwrap();
    assert_eq!(w.exec("t1", "j1").status.as_str(), "CANCELED");
}

#[test]
fn decision_20_status_details_replace_the_map() {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3");
    w.job("j1", &["t1", "t2", "t3"], json!({}));
    for t in ["t1", "t2", "t3"] {
        w.update(
            t,
            "j1",
            "IN_PROGRESS",
            json!({"statusDetails": {"a": "1", "b": "2"}}),
        )
        .unwrap();
    }
    // Given: replaces the whole map.
    cancel_exec(
        &mut w,
        "t1",
        "j1",
        json!({"force": true, "statusDetails": {"c": "3"}}),
    )
    .unwrap();
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["statusDetails"], json!({"detailsMap": {"c": "3"}}));
    // Absent: unchanged.
    cancel_exec(&mut w, "t2", "j1", json!({"force": true})).unwrap();
    let c = w.control_describe("t2", "j1");
    assert_eq!(
        c["statusDetails"],
        json!({"detailsMap": {"a": "1", "b": "2"}})
    );
    // Empty: replaces with the empty map.
    cancel_exec(
        &mut w,
        "t3",
        "j1",
        json!({"force": true, "statusDetails": {}}),
    )
    .unwrap();
    assert!(w.exec("t3", "j1").status_details.is_empty());
    assert_eq!(w.control_describe("t3", "j1")["statusDetails"], json!({}));
}

#[test]
fn decision_20_status_details_limits() {
    let ten: serde_json::Map<String, Value> =
        (0..10).map(|i| (format!("k{i}"), json!("v"))).collect();
    let mut eleven = ten.clone();
    eleven.insert("k10".into(), json!("v"));
    let bad = [
        Value::Object(eleven),
        json!({"bad key": "v"}),
        json!({"k": ""}),
        json!({"k": "tab\there"}),
        json!({ "k".repeat(129): "v" }),
        json!({"k": "v".repeat(1025)}),
    ];
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    for details in bad {
        let err = cancel_exec(
            &mut w,
            "t1",
            "j1",
            json!({"statusDetails": details.clone()}),
        )
        .unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "{details}");
        assert_eq!(w.exec("t1", "j1").status.as_str(), "QUEUED");
    }
    // The limits themselves are accepted.
    let mut edge = ten;
    edge.insert("k9".into(), json!("v".repeat(1024)));
    edge.remove("k0");
    edge.insert("k".repeat(128), json!("v"));
    assert_eq!(edge.len(), 10);
    cancel_exec(&mut w, "t1", "j1", json!({"statusDetails": edge})).unwrap();
    assert_eq!(w.exec("t1", "j1").status_details.len(), 10);
}

#[test]
fn decision_20_force_canceled_appears_only_on_canceled_executions() {
    for status in ["SUCCEEDED", "FAILED", "TIMED_OUT", "REJECTED", "REMOVED"] {
        let mut w = ended(status);
        let c = w.control_describe("t1", "j1");
        assert!(c.get("forceCanceled").is_none(), "{status}: {c}");
        assert_eq!(w.exec("t1", "j1").force_canceled, None, "{status}");
    }
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    for t in ["t1", "t2"] {
        let c = w.control_describe(t, "j1");
        assert!(c.get("forceCanceled").is_none(), "{t}: {c}");
    }
}

#[test]
fn decision_20_unknown_job_thing_or_execution_is_resource_not_found() {
    let mut w = World::new();
    w.thing("t1").thing("t2").job("j1", &["t1"], json!({}));
    for (thing, job) in [("ghost", "j1"), ("t1", "nojob"), ("t2", "j1")] {
        let err = cancel_exec(&mut w, thing, job, json!({})).unwrap_err();
        assert_eq!(err["code"], "ResourceNotFoundException", "{thing} {job}");
        assert_no_execution_state(&err);
    }
}

// ---------------------------------------------------------------------------------------
// Decision 21: CancelJob
// ---------------------------------------------------------------------------------------

/// t1 QUEUED, t2 IN_PROGRESS (5-minute in-progress timer), t3 SUCCEEDED, t4 FAILED.
fn mixed() -> World {
    let mut w = World::new();
    for t in ["t1", "t2", "t3", "t4"] {
        w.thing(t);
    }
    w.job(
        "j1",
        &["t1", "t2", "t3", "t4"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 5}}),
    );
    w.at(10);
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.update("t3", "j1", "SUCCEEDED", json!({})).unwrap();
    w.update("t4", "j1", "FAILED", json!({})).unwrap();
    w.at(50);
    w
}

#[test]
fn decision_21_cancel_job_cancels_queued_and_leaves_in_progress_and_terminal() {
    let mut w = mixed();
    let before: Vec<ExecutionRecord> = ["t2", "t3", "t4"]
        .iter()
        .map(|t| one(&w, t, "j1"))
        .collect();
    let r = w.ok("CancelJob", json!({"jobId": "j1"}));
    assert_eq!(r["jobId"], "j1");

    let t1 = one(&w, "t1", "j1");
    assert_eq!(t1.status.as_str(), "CANCELED");
    assert_eq!(t1.force_canceled, Some(false));
    assert_eq!(t1.version_number, 1);
    assert_eq!(t1.last_updated_at, 50);
    for (t, b) in ["t2", "t3", "t4"].iter().zip(before) {
        assert_eq!(one(&w, t, "j1"), b, "{t} must be untouched");
    }
    assert_eq!(job_status(&mut w, "j1"), "CANCELED");
    // The IN_PROGRESS one is still IN_PROGRESS to the device.
    let p = w.ok("GetPendingJobExecutions", json!({"thingName": "t2"}));
    assert_eq!(p["inProgressJobs"][0]["jobId"], "j1");
}

#[test]
fn decision_21_cancel_job_with_force_cancels_in_progress_too() {
    let mut w = mixed();
    let terminal: Vec<ExecutionRecord> = ["t3", "t4"].iter().map(|t| one(&w, t, "j1")).collect();
    w.ok("CancelJob", json!({"jobId": "j1", "force": true}));
    for t in ["t1", "t2"] {
        let e = one(&w, t, "j1");
        assert_eq!(e.status.as_str(), "CANCELED", "{t}");
        assert_eq!(e.force_canceled, Some(true), "{t}");
        assert_eq!(e.last_updated_at, 50, "{t}");
        assert_eq!(w.control_describe(t, "j1")["forceCanceled"], true, "{t}");
    }
    let t2 = one(&w, "t2", "j1");
    assert_eq!(t2.version_number, 2, "unchanged by the service");
    assert_eq!((t2.step_deadline, t2.in_progress_deadline), (None, None));
    assert_eq!(w.svc.poll_timeout(), None);
    for (t, b) in ["t3", "t4"].iter().zip(terminal) {
        assert_eq!(one(&w, t, "j1"), b, "{t} must be untouched");
        assert!(w.control_describe(t, "j1").get("forceCanceled").is_none());
    }
    assert_eq!(job_status(&mut w, "j1"), "CANCELED");
}

#[test]
fn decision_21_a_canceled_job_queues_no_new_executions() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &["t1"]);
    w.job(
        "j1",
        &["group:g"],
        json!({"targetSelection": "CONTINUOUS",
               "jobExecutionsRetryConfig": {"criteriaList": [
                   {"failureType": "ALL", "numberOfRetries": 3}]}}),
    );
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.ok("CancelJob", json!({"jobId": "j1"}));
    // A thing joining a target group.
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t2"}),
    );
    assert!(w.history("t2", "j1").is_empty());
    // A retry.
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t1", "j1").len(), 1);
    // A rejoin.
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(w.history("t1", "j1").len(), 1);
    assert_eq!(w.svc.executions().len(), 1);
}

#[test]
fn decision_21_cancel_job_on_a_canceled_or_completed_job_is_invalid_request() {
    // Already CANCELED, with or without force.
    let mut w = mixed();
    w.ok("CancelJob", json!({"jobId": "j1"}));
    let before = w.svc.executions();
    for extra in [json!({}), json!({"force": true})] {
        let err = w.err("CancelJob", merged(json!({"jobId": "j1"}), extra.clone()));
        assert_eq!(err, "InvalidRequestException", "{extra}");
    }
    assert_eq!(
        w.svc.executions(),
        before,
        "a refused CancelJob changed state"
    );
    assert_eq!(one(&w, "t2", "j1").status.as_str(), "IN_PROGRESS");

    // COMPLETED.
    let mut w = ended("SUCCEEDED");
    assert_eq!(job_status(&mut w, "j1"), "COMPLETED");
    let err = w.err("CancelJob", json!({"jobId": "j1"}));
    assert_eq!(err, "InvalidRequestException");
    assert_eq!(job_status(&mut w, "j1"), "COMPLETED");

    // Unknown.
    let err = w.err("CancelJob", json!({"jobId": "nojob"}));
    assert_eq!(err, "ResourceNotFoundException");
}

#[test]
fn decision_21_after_a_plain_cancel_what_runs_is_force_canceled_one_by_one() {
    let mut w = mixed();
    w.ok("CancelJob", json!({"jobId": "j1"}));
    w.at(60);
    let err = cancel_exec(&mut w, "t2", "j1", json!({})).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    cancel_exec(&mut w, "t2", "j1", json!({"force": true})).unwrap();
    let e = one(&w, "t2", "j1");
    assert_eq!(e.status.as_str(), "CANCELED");
    assert_eq!(e.force_canceled, Some(true));
    assert_eq!(e.last_updated_at, 60);
    assert_eq!(
        job_status(&mut w, "j1"),
        "CANCELED",
        "a canceled job stays CANCELED"
    );
}

// ---------------------------------------------------------------------------------------
// Decision 22: DeleteJobExecution
// ---------------------------------------------------------------------------------------

#[test]
fn decision_22_execution_number_is_required_and_must_exist() {
    let mut w = ended("SUCCEEDED");
    let err = delete_exec(&mut w, "t1", "j1", json!({})).unwrap_err();
    assert_eq!(err["code"], "InvalidRequestException");
    let err = delete_exec(&mut w, "t1", "j1", json!({"executionNumber": 2})).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    let err = delete_exec(&mut w, "t1", "nojob", json!({"executionNumber": 1})).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    let err = delete_exec(&mut w, "ghost", "j1", json!({"executionNumber": 1})).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    assert_eq!(w.svc.executions().len(), 1);
}

#[test]
fn decision_22_terminal_executions_are_deleted_without_force() {
    for status in TERMINAL {
        let mut w = ended(status);
        let r = delete_exec(&mut w, "t1", "j1", json!({"executionNumber": 1}))
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(r, json!({}));
        // With force as well.
        let mut v = ended(status);
        delete_exec(
            &mut v,
            "t1",
            "j1",
            json!({"executionNumber": 1, "force": true}),
        )
        .unwrap_or_else(|e| panic!("{status} with force: {e}"));
        assert!(v.svc.executions().is_empty(), "{status}");
        assert!(w.svc.executions().is_empty(), "{status}");
        let err = control_describe_number(&mut w, "t1", "j1", 1).unwrap_err();
        assert_eq!(err["code"], "ResourceNotFoundException", "{status}");
        let err = w
            .call_on(
                Plane::Control,
                "DescribeJobExecution",
                json!({"thingName": "t1", "jobId": "j1"}),
            )
            .unwrap_err();
        assert_eq!(err["code"], "ResourceNotFoundException", "{status}");
        if status != "REMOVED" {
            let l = w.ok("ListJobExecutionsForThing", json!({"thingName": "t1"}));
            assert_eq!(l["executionSummaries"], json!([]), "{status}");
        }
        let l = w.ok("ListJobExecutionsForJob", json!({"jobId": "j1"}));
        assert_eq!(l["executionSummaries"], json!([]), "{status}");
    }
}

#[test]
fn decision_22_queued_needs_force() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    for extra in [json!({}), json!({"force": false})] {
        let err = delete_exec(
            &mut w,
            "t1",
            "j1",
            merged(json!({"executionNumber": 1}), extra),
        )
        .unwrap_err();
        assert_eq!(err["code"], "InvalidStateTransitionException");
    }
    assert_eq!(w.exec("t1", "j1").status.as_str(), "QUEUED");
    delete_exec(
        &mut w,
        "t1",
        "j1",
        json!({"executionNumber": 1, "force": true}),
    )
    .unwrap();
    assert!(w.svc.executions().is_empty());
    assert!(w.svc.pending_order("t1").is_empty());
    let err = w.err(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "j1"}),
    );
    assert_eq!(err, "ResourceNotFoundException");
}

#[test]
fn decision_22_in_progress_needs_force_and_its_timers_go_with_it() {
    let mut w = World::new();
    w.thing("t1").job(
        "j1",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 5}}),
    );
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    let err = delete_exec(&mut w, "t1", "j1", json!({"executionNumber": 1})).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    assert_eq!(w.svc.poll_timeout(), Some(300));
    delete_exec(
        &mut w,
        "t1",
        "j1",
        json!({"executionNumber": 1, "force": true}),
    )
    .unwrap();
    assert!(w.svc.executions().is_empty());
    assert_eq!(w.svc.poll_timeout(), None);
    w.at(1000);
    assert!(w.svc.executions().is_empty());
}

#[test]
fn decision_22_afterwards_the_next_newest_execution_is_meant() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("ALL", 1)]));
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t1", "j1").len(), 2);
    delete_exec(
        &mut w,
        "t1",
        "j1",
        json!({"executionNumber": 2, "force": true}),
    )
    .unwrap();

    // Without executionNumber, every call now means #1, which is FAILED.
    let c = w.control_describe("t1", "j1");
    assert_eq!(
        (c["executionNumber"].clone(), c["status"].clone()),
        (json!(1), json!("FAILED"))
    );
    let err = w.err(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "j1"}),
    );
    assert_eq!(err, "TerminalStateException");
    let err = w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    assert_eq!(err["executionState"]["status"], "FAILED");
    let err = cancel_exec(&mut w, "t1", "j1", json!({"force": true})).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");

    // And once #1 is gone too, there is none.
    delete_exec(&mut w, "t1", "j1", json!({"executionNumber": 1})).unwrap();
    let err = w
        .call_on(
            Plane::Control,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1"}),
        )
        .unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
}

#[test]
fn decision_22_deleting_the_newest_lets_its_number_come_back() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    let rejoin = |w: &mut World| {
        w.ok(
            "RemoveThingFromThingGroup",
            json!({"thingGroupName": "g", "thingName": "t1"}),
        );
        w.ok(
            "AddThingToThingGroup",
            json!({"thingGroupName": "g", "thingName": "t1"}),
        );
    };
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    rejoin(&mut w);
    assert_eq!(w.exec("t1", "j1").execution_number, 2);
    delete_exec(
        &mut w,
        "t1",
        "j1",
        json!({"executionNumber": 2, "force": true}),
    )
    .unwrap();
    rejoin(&mut w);
    let e = w.exec("t1", "j1");
    assert_eq!((e.execution_number, e.status.as_str()), (2, "QUEUED"));
    assert_eq!(w.history("t1", "j1").len(), 2);

    // Deleting an older one does not: the next is the highest existing plus one.
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    delete_exec(&mut w, "t1", "j1", json!({"executionNumber": 1})).unwrap();
    rejoin(&mut w);
    let numbers: Vec<i64> = w
        .history("t1", "j1")
        .iter()
        .map(|e| e.execution_number)
        .collect();
    assert_eq!(numbers, [2, 3]);
}

// ---------------------------------------------------------------------------------------
// Decision 23: job completion
// ---------------------------------------------------------------------------------------

#[test]
fn decision_23_snapshot_job_completes_when_every_execution_is_terminal() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    let j = w.describe_job("j1");
    assert_eq!(j["status"], "IN_PROGRESS");
    assert!(j.get("completedAt").is_none(), "{j}");
    w.at(10);
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(job_status(&mut w, "j1"), "IN_PROGRESS");
    w.at(20);
    w.update("t2", "j1", "REJECTED", json!({})).unwrap();
    w.at(30);
    let j = w.describe_job("j1");
    assert_eq!(j["status"], "COMPLETED");
    assert_eq!(j["completedAt"], 20);
    assert_eq!(j["lastUpdatedAt"], 20);
}

#[test]
fn decision_23_a_due_retry_keeps_the_job_in_progress() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("FAILED", 1)]));
    w.at(10);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(job_status(&mut w, "j1"), "IN_PROGRESS");
    w.at(20);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    let j = w.describe_job("j1");
    assert_eq!(j["status"], "COMPLETED");
    assert_eq!(j["completedAt"], 20);
}

#[test]
fn decision_23_completes_at_the_timeout_not_at_the_clock_move() {
    let mut w = World::new();
    w.thing("t1").job(
        "j1",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1}}),
    );
    w.at(5);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(1000);
    let j = w.describe_job("j1");
    assert_eq!(j["status"], "COMPLETED");
    assert_eq!(j["completedAt"], 65);
}

#[test]
fn decision_23_completes_when_the_last_execution_is_canceled_removed_or_deleted() {
    // CancelJobExecution of the last one.
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.at(7);
    cancel_exec(&mut w, "t2", "j1", json!({})).unwrap();
    let j = w.describe_job("j1");
    assert_eq!(
        (j["status"].clone(), j["completedAt"].clone()),
        (json!("COMPLETED"), json!(7))
    );

    // DeleteThing turns the last one REMOVED.
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.at(8);
    w.ok("DeleteThing", json!({"thingName": "t2"}));
    let j = w.describe_job("j1");
    assert_eq!(
        (j["status"].clone(), j["completedAt"].clone()),
        (json!("COMPLETED"), json!(8))
    );

    // DeleteJobExecution (forced) of the last pending one.
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(9);
    delete_exec(
        &mut w,
        "t2",
        "j1",
        json!({"executionNumber": 1, "force": true}),
    )
    .unwrap();
    let j = w.describe_job("j1");
    assert_eq!(
        (j["status"].clone(), j["completedAt"].clone()),
        (json!("COMPLETED"), json!(9))
    );
}

#[test]
fn decision_23_completes_when_a_deleted_things_execution_times_out_unretried() {
    let mut w = World::new();
    w.thing("t1").job(
        "j1",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1},
               "jobExecutionsRetryConfig": {"criteriaList": [
                   {"failureType": "ALL", "numberOfRetries": 3}]}}),
    );
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(job_status(&mut w, "j1"), "IN_PROGRESS");
    w.at(500);
    // No retry is due for a deleted thing, so the timeout ends the job.
    let j = w.describe_job("j1");
    assert_eq!(
        (j["status"].clone(), j["completedAt"].clone()),
        (json!("COMPLETED"), json!(60))
    );
}

#[test]
fn decision_23_continuous_job_never_completes_by_itself() {
    let mut w = World::new();
    w.thing("t1").thing("t2").group("g", &["t1", "t2"]);
    w.job("j1", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.update("t2", "j1", "FAILED", json!({})).unwrap();
    w.at(100_000);
    let j = w.describe_job("j1");
    assert_eq!(j["status"], "IN_PROGRESS");
    assert!(j.get("completedAt").is_none(), "{j}");
    // Nor when its things leave.
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(job_status(&mut w, "j1"), "IN_PROGRESS");
}

// ---------------------------------------------------------------------------------------
// Details, lists
// ---------------------------------------------------------------------------------------

fn for_thing(w: &mut World, input: Value) -> Result<Value, Value> {
    w.call(
        "ListJobExecutionsForThing",
        merged(json!({"thingName": "t1"}), input),
    )
}

fn for_job(w: &mut World, input: Value) -> Result<Value, Value> {
    w.call(
        "ListJobExecutionsForJob",
        merged(json!({"jobId": "j1"}), input),
    )
}

/// `jobId#executionNumber` (ForThing) or `thing#executionNumber` (ForJob) of each item.
fn items(list: &Value) -> Vec<String> {
    list["executionSummaries"]
        .as_array()
        .unwrap_or_else(|| panic!("no list: {list}"))
        .iter()
        .map(|i| {
            let who = match i.get("jobId") {
                Some(j) => j.as_str().unwrap().to_owned(),
                None => i["thingArn"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
            };
            format!("{who}#{}", i["jobExecutionSummary"]["executionNumber"])
        })
        .collect()
}

#[test]
fn details_lists_for_thing_is_oldest_first_by_creation() {
    let mut w = World::new();
    w.thing("t1");
    let retry = retry(&[("ALL", 1)]);
    // Job ids out of alphabetical order, and a retry made after a later job.
    w.at(0).job("b", &["t1"], retry);
    w.at(1).job("a", &["t1"], json!({}));
    w.at(2).job("c", &["t1"], json!({}));
    w.at(3);
    w.update("t1", "b", "FAILED", json!({})).unwrap();
    let l = for_thing(&mut w, json!({})).unwrap();
    assert_eq!(items(&l), ["b#1", "a#1", "c#1", "b#2"]);
    assert!(l.get("nextToken").is_none(), "{l}");
    // Filtered by job: the same order.
    let l = for_thing(&mut w, json!({"jobId": "b"})).unwrap();
    assert_eq!(items(&l), ["b#1", "b#2"]);
    // A jobId that names no job lists nothing.
    let none = for_thing(&mut w, json!({"jobId": "nope"})).unwrap();
    assert!(items(&none).is_empty(), "{none}");
    // Pages of two, in the same order across pages.
    let first = for_thing(&mut w, json!({"maxResults": 2})).unwrap();
    assert_eq!(items(&first), ["b#1", "a#1"]);
    let token = first["nextToken"].clone();
    let second = for_thing(&mut w, json!({"maxResults": 2, "nextToken": token})).unwrap();
    assert_eq!(items(&second), ["c#1", "b#2"]);
    // Summary values.
    let s = &l["executionSummaries"][0]["jobExecutionSummary"];
    assert_eq!(s["status"], "FAILED");
    assert_eq!(s["queuedAt"], 0);
    assert_eq!(s["lastUpdatedAt"], 3);
    assert_eq!(s["retryAttempt"], 0);
}

#[test]
fn details_lists_for_job_is_oldest_first_by_creation() {
    let mut w = World::new();
    // Things created t4, t1, t2, t3; the group lists its members by thing creation order.
    w.thing("t4").thing("t1").thing("t2").thing("t3");
    w.group("g", &["t2", "t4"]);
    let retry = retry(&[("ALL", 1)]);
    w.job("j1", &["t3", "group:g", "t1"], retry);
    w.update("t3", "j1", "FAILED", json!({})).unwrap();
    let l = for_job(&mut w, json!({})).unwrap();
    assert_eq!(items(&l), ["t3#1", "t4#1", "t2#1", "t1#1", "t3#2"]);
    assert_eq!(
        l["executionSummaries"][0]["thingArn"],
        thing_arn("t3"),
        "{l}"
    );
}

#[test]
fn details_lists_max_results_is_1_to_250() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    for bad in [0, -1, 251] {
        let err = for_thing(&mut w, json!({"maxResults": bad})).unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "for thing {bad}");
        let err = for_job(&mut w, json!({"maxResults": bad})).unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "for job {bad}");
    }
    let l = for_job(&mut w, json!({"maxResults": 1})).unwrap();
    assert_eq!(items(&l), ["t1#1"]);
    assert_eq!(l["nextToken"], "1");
    let l = for_job(&mut w, json!({"maxResults": 250})).unwrap();
    assert_eq!(items(&l), ["t1#1", "t2#1"]);
    assert!(l.get("nextToken").is_none(), "{l}");
    let l = for_thing(&mut w, json!({"maxResults": 250})).unwrap();
    assert_eq!(items(&l), ["j1#1"]);
}

#[test]
fn details_lists_next_token_is_the_decimal_offset_of_the_next_item() {
    let mut w = World::new();
    let things = ["t0", "t1", "t2", "t3", "t4"];
    for t in things {
        w.thing(t);
    }
    w.job("j1", &things, json!({}));
    for (i, job) in ["k0", "k1", "k2", "k3"].iter().enumerate() {
        w.at(i as u64 + 1).job(job, &["t1"], json!({}));
    }

    // ForJob: five things, pages of two.
    let p1 = for_job(&mut w, json!({"maxResults": 2})).unwrap();
    assert_eq!(items(&p1), ["t0#1", "t1#1"]);
    assert_eq!(p1["nextToken"], "2");
    let p2 = for_job(&mut w, json!({"maxResults": 2, "nextToken": "2"})).unwrap();
    assert_eq!(items(&p2), ["t2#1", "t3#1"]);
    assert_eq!(p2["nextToken"], "4");
    let p3 = for_job(&mut w, json!({"maxResults": 2, "nextToken": "4"})).unwrap();
    assert_eq!(items(&p3), ["t4#1"]);
    assert!(p3.get("nextToken").is_none(), "{p3}");
    // Any offset, not only the ones handed out.
    let p = for_job(&mut w, json!({"maxResults": 3, "nextToken": "1"})).unwrap();
    assert_eq!(items(&p), ["t1#1", "t2#1", "t3#1"]);
    assert_eq!(p["nextToken"], "4");
    let p = for_job(&mut w, json!({"nextToken": "3"})).unwrap();
    assert_eq!(items(&p), ["t3#1", "t4#1"]);
    assert!(p.get("nextToken").is_none(), "{p}");

    // ForThing: t1 has j1, k0..k3.
    let p1 = for_thing(&mut w, json!({"maxResults": 2})).unwrap();
    assert_eq!(items(&p1), ["j1#1", "k0#1"]);
    assert_eq!(p1["nextToken"], "2");
    let p2 = for_thing(&mut w, json!({"maxResults": 2, "nextToken": "2"})).unwrap();
    assert_eq!(items(&p2), ["k1#1", "k2#1"]);
    assert_eq!(p2["nextToken"], "4");
    let p3 = for_thing(&mut w, json!({"maxResults": 2, "nextToken": "4"})).unwrap();
    assert_eq!(items(&p3), ["k3#1"]);
    assert!(p3.get("nextToken").is_none(), "{p3}");
    // Exactly one page: no token.
    let p = for_thing(&mut w, json!({"maxResults": 5})).unwrap();
    assert_eq!(items(&p).len(), 5);
    assert!(p.get("nextToken").is_none(), "{p}");
}

#[test]
fn details_lists_bad_next_token_is_invalid_request() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    for bad in ["abc", "-1", "1.5", "0x1", "two", "1 "] {
        let err = for_thing(&mut w, json!({"nextToken": bad})).unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "for thing {bad:?}");
        let err = for_job(&mut w, json!({"nextToken": bad})).unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "for job {bad:?}");
    }
}

#[test]
fn details_lists_a_token_at_or_past_the_end_is_invalid_request() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .thing("t3")
        .job("j1", &["t1", "t2", "t3"], json!({}));
    // Three executions of j1: offsets 0..2 are items, 3 and beyond are no token we gave.
    for bad in ["3", "4", "99"] {
        let err = for_job(&mut w, json!({"nextToken": bad})).unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "{bad}");
    }
    let last = for_job(&mut w, json!({"nextToken": "2"})).unwrap();
    assert_eq!(items(&last), ["t3#1"]);
    assert!(last.get("nextToken").is_none());
    // An empty list has no next item: any token past it is refused.
    w.thing("t9");
    let err = w
        .call(
            "ListJobExecutionsForThing",
            json!({"thingName": "t9", "nextToken": "1"}),
        )
        .unwrap_err();
    assert_eq!(err["code"], "InvalidRequestException");
}

#[test]
fn details_lists_the_status_filter_keeps_only_that_status() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}))
        .job("j2", &["t1"], json!({}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    let done = for_thing(&mut w, json!({"status": "SUCCEEDED"})).unwrap();
    assert_eq!(items(&done), ["j1#1"]);
    let queued = for_thing(&mut w, json!({"status": "QUEUED"})).unwrap();
    assert_eq!(items(&queued), ["j2#1"]);
    let by_job = for_job(&mut w, json!({"status": "QUEUED"})).unwrap();
    assert_eq!(items(&by_job), ["t2#1"]);
    let none = for_job(&mut w, json!({"status": "CANCELED"})).unwrap();
    assert!(items(&none).is_empty());
}

// ---------------------------------------------------------------------------------------
// DescribeJob's counts, and the service's own tally of statuses
// ---------------------------------------------------------------------------------------

fn process_details(w: &mut World, job: &str) -> Vec<(String, i64)> {
    let d = w.describe_job(job)["jobProcessDetails"].clone();
    let mut counts: Vec<(String, i64)> = d
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, n)| n.as_i64() != Some(0))
        .map(|(k, n)| (k.clone(), n.as_i64().unwrap()))
        .collect();
    counts.sort();
    counts
}

fn counts(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    v.sort();
    v
}

/// DescribeJob counts each thing once, by the status of its newest execution: a retried
/// failure counts as the retry, and deleting the newest execution counts the one before.
#[test]
fn details_describe_job_counts_each_thing_by_its_newest_execution() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .thing("t3")
        .job("j1", &["t1", "t2", "t3"], retry(&[("FAILED", 1)]));
    assert_eq!(
        process_details(&mut w, "j1"),
        counts(&[("numberOfQueuedThings", 3)])
    );
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    // t3 fails and is retried: its newest is the QUEUED retry.
    w.update("t3", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(
        process_details(&mut w, "j1"),
        counts(&[
            ("numberOfSucceededThings", 1),
            ("numberOfInProgressThings", 1),
            ("numberOfQueuedThings", 1)
        ])
    );
    // Deleting t3's newest (the retry) makes its FAILED execution the newest again.
    delete_exec(
        &mut w,
        "t3",
        "j1",
        json!({"executionNumber": 2, "force": true}),
    )
    .unwrap();
    // Deleting t1's only execution leaves t1 out of the counts.
    delete_exec(&mut w, "t1", "j1", json!({"executionNumber": 1})).unwrap();
    assert_eq!(
        process_details(&mut w, "j1"),
        counts(&[("numberOfInProgressThings", 1), ("numberOfFailedThings", 1)])
    );
}

/// `status_counts` tallies the executions that exist, through changes and deletions.
#[test]
fn inspection_status_counts_tally_the_executions_that_exist() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .thing("t3")
        .job("j1", &["t1", "t2", "t3"], json!({}))
        .job("j2", &["t1"], json!({}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    cancel_exec(&mut w, "t3", "j1", json!({})).unwrap();
    delete_exec(&mut w, "t1", "j1", json!({"executionNumber": 1})).unwrap();
    let counted = |w: &World| {
        let mut tally: Vec<(String, usize)> = w
            .svc
            .status_counts()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| (s.as_str().to_owned(), n))
            .collect();
        tally.sort();
        tally
    };
    let expected: Vec<(String, usize)> = [("CANCELED", 1), ("IN_PROGRESS", 1), ("QUEUED", 1)]
        .iter()
        .map(|(s, n)| (s.to_string(), *n))
        .collect();
    assert_eq!(counted(&w), expected);
    assert_eq!(w.svc.executions().len(), 3);
}
