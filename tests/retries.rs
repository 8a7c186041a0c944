//! Retries (`jobExecutionsRetryConfig`): which configurations CreateJob accepts, what a
//! retry is (a new QUEUED execution at the same instant, executionNumber + 1, versionNumber
//! 1, empty details, the ended one kept as history), which endings are retried, the budget
//! of each criterion and of ALL, `retryAttempt`, and when a thing is no longer retried or
//! starts afresh (decisions 18 and 19; details, retries).

mod common;
use common::*;

use serde_json::{json, Value};

fn create_job(w: &mut World, id: &str, extra: Value) -> Result<Value, Value> {
    let mut input = json!({"jobId": id, "targets": [thing_arn("t1")], "document": "{}"});
    if let (Value::Object(m), Value::Object(e)) = (&mut input, extra) {
        m.extend(e);
    }
    w.call("CreateJob", input)
}

/// The device reports FAILED on the newest execution.
fn fail(w: &mut World, thing: &str, job: &str) {
    w.update(thing, job, "FAILED", json!({}))
        .unwrap_or_else(|e| panic!("FAILED {job} on {thing}: {e}"));
}

/// The newest execution is started with a one-minute step timer and left to time out.
fn time_out(w: &mut World, thing: &str, job: &str) {
    w.update(
        thing,
        job,
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 1}),
    )
    .unwrap_or_else(|e| panic!("start {job} on {thing}: {e}"));
    let deadline = w.now + 60;
    w.at(deadline);
    assert_eq!(
        w.history(thing, job)
            .iter()
            .find(|e| e.last_updated_at == deadline)
            .map(|e| e.status.as_str()),
        Some("TIMED_OUT"),
        "setup: {job} on {thing} timed out"
    );
}

fn s(n: i64, status: &str) -> (i64, String) {
    (n, status.to_owned())
}

/// (executionNumber, retryAttempt) as ListJobExecutionsForThing reports them.
fn retry_attempts(w: &mut World, thing: &str, job: &str) -> Vec<(i64, i64)> {
    let l = w.ok(
        "ListJobExecutionsForThing",
        json!({"thingName": thing, "jobId": job}),
    );
    l["executionSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = &i["jobExecutionSummary"];
            (
                s["executionNumber"].as_i64().unwrap(),
                s["retryAttempt"].as_i64().unwrap(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Decision 18: the configuration
// ---------------------------------------------------------------------------------------

fn assert_refused(criteria: &[(&str, i64)]) {
    let mut w = World::new();
    w.thing("t1");
    let err = create_job(&mut w, "j1", retry(criteria)).unwrap_err();
    assert_eq!(
        err["code"], "InvalidRequestException",
        "{criteria:?}: {err}"
    );
    assert!(
        w.svc.jobs().is_empty(),
        "{criteria:?}: a refused CreateJob made a job"
    );
    assert!(w.svc.executions().is_empty());
}

fn assert_accepted(criteria: &[(&str, i64)]) {
    let mut w = World::new();
    w.thing("t1");
    create_job(&mut w, "j1", retry(criteria))
        .unwrap_or_else(|e| panic!("{criteria:?} refused: {e}"));
    let jobs = w.svc.jobs();
    let got: Vec<(String, i64)> = jobs[0]
        .retry_criteria
        .iter()
        .map(|(t, n)| (t.to_string(), i64::from(*n)))
        .collect();
    let want: Vec<(String, i64)> = criteria.iter().map(|(t, n)| (t.to_string(), *n)).collect();
    assert_eq!(got, want);
}

#[test]
fn decision_18_one_or_two_criteria() {
    assert_refused(&[]);
    assert_refused(&[("FAILED", 1), ("TIMED_OUT", 1), ("ALL", 1)]);
    assert_accepted(&[("FAILED", 1)]);
    assert_accepted(&[("TIMED_OUT", 1)]);
    assert_accepted(&[("ALL", 1)]);
    assert_accepted(&[("FAILED", 1), ("TIMED_OUT", 1)]);
    // A configuration without its list is no configuration.
    let mut w = World::new();
    w.thing("t1");
    let err = create_job(&mut w, "j1", json!({"jobExecutionsRetryConfig": {}})).unwrap_err();
    assert_eq!(err["code"], "InvalidRequestException");
}

#[test]
fn decision_18_number_of_retries_is_0_to_10_each() {
    assert_refused(&[("FAILED", -1)]);
    assert_refused(&[("FAILED", 11)]);
    assert_refused(&[("ALL", 11)]);
    assert_refused(&[("FAILED", 1), ("TIMED_OUT", -1)]);
    assert_accepted(&[("FAILED", 0)]);
    assert_accepted(&[("ALL", 10)]);
    assert_accepted(&[("TIMED_OUT", 10)]);
}

#[test]
fn decision_18_ten_retries_at_most_in_all() {
    assert_refused(&[("FAILED", 5), ("TIMED_OUT", 6)]);
    assert_refused(&[("ALL", 10), ("FAILED", 1)]);
    assert_refused(&[("TIMED_OUT", 10), ("ALL", 10)]);
    assert_accepted(&[("FAILED", 5), ("TIMED_OUT", 5)]);
    assert_accepted(&[("ALL", 10), ("FAILED", 0)]);
    assert_accepted(&[("ALL", 3), ("TIMED_OUT", 7)]);
}

#[test]
fn decision_18_failure_types_are_distinct() {
    assert_refused(&[("FAILED", 1), ("FAILED", 1)]);
    assert_refused(&[("TIMED_OUT", 0), ("TIMED_OUT", 0)]);
    assert_refused(&[("ALL", 2), ("ALL", 3)]);
    assert_accepted(&[("FAILED", 1), ("ALL", 1)]);
    assert_accepted(&[("TIMED_OUT", 1), ("ALL", 1)]);
}

#[test]
fn decision_18_only_failed_timed_out_and_all_are_failure_types() {
    assert_refused(&[("REJECTED", 1)]);
    assert_refused(&[("CANCELED", 1)]);
    assert_refused(&[("failed", 1)]);
}

// ---------------------------------------------------------------------------------------
// Decision 19: what a retry is, and what is retried
// ---------------------------------------------------------------------------------------

#[test]
fn decision_19_failed_execution_is_retried_at_the_same_instant() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("FAILED", 1)]));
    w.at(10);
    w.update(
        "t1",
        "j1",
        "IN_PROGRESS",
        json!({"statusDetails": {"step": "download"}}),
    )
    .unwrap();
    w.at(20);
    w.update(
        "t1",
        "j1",
        "FAILED",
        json!({"statusDetails": {"why": "disk"}}),
    )
    .unwrap();

    let h = w.history("t1", "j1");
    assert_eq!(h.len(), 2);
    // The ended one stays as history, untouched.
    let old = &h[0];
    assert_eq!(old.execution_number, 1);
    assert_eq!(old.status.as_str(), "FAILED");
    assert_eq!(old.version_number, 3);
    assert_eq!(old.last_updated_at, 20);
    assert_eq!(old.started_at, Some(10));
    assert_eq!(
        old.status_details.get("why").map(String::as_str),
        Some("disk")
    );
    // The retry.
    let new = &h[1];
    assert_eq!(new.execution_number, 2);
    assert_eq!(new.status.as_str(), "QUEUED");
    assert_eq!(new.version_number, 1);
    assert_eq!(new.queued_at, 20);
    assert_eq!(new.last_updated_at, 20);
    assert_eq!(new.started_at, None);
    assert!(new.status_details.is_empty(), "{:?}", new.status_details);
    assert_eq!((new.step_deadline, new.in_progress_deadline), (None, None));
    assert_eq!(new.retry_attempt, 1);
    // It is pending for the device.
    assert_eq!(w.svc.pending_order("t1"), [("j1".to_owned(), 2)]);
    let d = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "$next"}),
    );
    assert_eq!(d["execution"]["executionNumber"], 2);
    assert_eq!(d["execution"]["versionNumber"], 1);
    assert!(d["execution"].get("statusDetails").is_none(), "{d}");
}

#[test]
fn decision_19_a_queued_execution_failed_directly_is_retried_too() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("FAILED", 1)]));
    w.at(5);
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);
    assert_eq!(w.exec("t1", "j1").queued_at, 5);
}

#[test]
fn decision_19_timed_out_execution_is_retried_at_the_deadline() {
    let mut w = World::new();
    let mut extra = retry(&[("TIMED_OUT", 1)]);
    extra["timeoutConfig"] = json!({"inProgressTimeoutInMinutes": 5});
    w.thing("t1").job("j1", &["t1"], extra);
    w.at(10);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(1000);
    let h = w.history("t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "TIMED_OUT"), s(2, "QUEUED")]);
    assert_eq!(h[0].last_updated_at, 310);
    assert_eq!(h[0].version_number, 2);
    assert_eq!(
        h[1].queued_at, 310,
        "queued at the deadline, not at the clock move"
    );
    assert_eq!(h[1].last_updated_at, 310);
    assert_eq!(h[1].version_number, 1);
    assert_eq!(h[1].retry_attempt, 1);
}

#[test]
fn decision_19_the_all_criterion_retries_failed_and_timed_out() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("ALL", 2)]));
    fail(&mut w, "t1", "j1");
    time_out(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [s(1, "FAILED"), s(2, "TIMED_OUT"), s(3, "QUEUED")]
    );
    // One budget of two for both types: the third failure is final.
    fail(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [s(1, "FAILED"), s(2, "TIMED_OUT"), s(3, "FAILED")]
    );
}

#[test]
fn decision_19_a_failure_type_without_a_criterion_is_not_retried() {
    // Only FAILED is configured: a timeout is final.
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("FAILED", 3)]));
    time_out(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "TIMED_OUT")]);
    // Only TIMED_OUT is configured: a failure is final.
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("TIMED_OUT", 3)]));
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED")]);
    // No configuration, or zero retries: final.
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED")]);
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("ALL", 0)]));
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED")]);
}

#[test]
fn decision_19_rejected_is_never_retried() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("ALL", 10)]));
    w.update("t1", "j1", "REJECTED", json!({})).unwrap();
    assert_eq!(w.statuses("t1", "j1"), [s(1, "REJECTED")]);
    assert!(w.svc.pending_order("t1").is_empty());
}

#[test]
fn decision_19_canceled_is_never_retried() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job("j1", &["t1", "t2"], retry(&[("ALL", 10)]));
    // QUEUED, canceled.
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1"}),
    );
    // IN_PROGRESS, force-canceled.
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t2", "jobId": "j1", "force": true}),
    );
    assert_eq!(w.statuses("t1", "j1"), [s(1, "CANCELED")]);
    assert_eq!(w.statuses("t2", "j1"), [s(1, "CANCELED")]);
}

#[test]
fn decision_19_removed_is_never_retried() {
    // Leaving the target group of a CONTINUOUS job.
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    let mut extra = retry(&[("ALL", 10)]);
    extra["targetSelection"] = json!("CONTINUOUS");
    w.job("j1", &["group:g"], extra);
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(w.statuses("t1", "j1"), [s(1, "REMOVED")]);

    // DeleteThing.
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("ALL", 10)]));
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(w.statuses("t1", "j1"), [s(1, "REMOVED")]);
}

#[test]
fn decision_19_a_canceled_job_retries_nothing() {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3");
    let mut extra = retry(&[("ALL", 5)]);
    extra["timeoutConfig"] = json!({"inProgressTimeoutInMinutes": 5});
    w.job("j1", &["t1", "t2", "t3"], extra);
    for t in ["t1", "t2"] {
        w.update(t, "j1", "IN_PROGRESS", json!({})).unwrap();
    }
    w.at(10);
    // A plain cancel: t3's QUEUED execution is canceled, the IN_PROGRESS ones run on.
    w.ok("CancelJob", json!({"jobId": "j1"}));
    assert_eq!(w.statuses("t3", "j1"), [s(1, "CANCELED")]);
    w.at(20);
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED")]);
    w.at(1000);
    assert_eq!(w.statuses("t2", "j1"), [s(1, "TIMED_OUT")]);
    assert_eq!(w.exec("t2", "j1").last_updated_at, 300);
}

#[test]
fn decision_19_retry_attempt_is_reported_on_control_plane_summaries() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("ALL", 3)]));
    assert_eq!(retry_attempts(&mut w, "t1", "j1"), [(1, 0)]);
    for _ in 0..3 {
        fail(&mut w, "t1", "j1");
    }
    assert_eq!(
        retry_attempts(&mut w, "t1", "j1"),
        [(1, 0), (2, 1), (3, 2), (4, 3)]
    );
    fail(&mut w, "t1", "j1");
    assert_eq!(w.history("t1", "j1").len(), 4, "the budget is spent");

    // ListJobExecutionsForJob says the same.
    let l = w.ok("ListJobExecutionsForJob", json!({"jobId": "j1"}));
    let got: Vec<(i64, i64)> = l["executionSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let s = &i["jobExecutionSummary"];
            (
                s["executionNumber"].as_i64().unwrap(),
                s["retryAttempt"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(1, 0), (2, 1), (3, 2), (4, 3)]);
}

#[test]
fn decision_19_budgets_are_per_thing() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job("j1", &["t1", "t2"], retry(&[("FAILED", 1)]));
    fail(&mut w, "t1", "j1");
    fail(&mut w, "t2", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);
    assert_eq!(w.statuses("t2", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);
}

// ---------------------------------------------------------------------------------------
// Details, retries: budgets per criterion, ALL, leaving, deletion, rejoining
// ---------------------------------------------------------------------------------------

#[test]
fn details_retries_each_criterion_spends_only_its_own_budget() {
    let mut w = World::new();
    w.thing("t1")
        .job("j1", &["t1"], retry(&[("FAILED", 1), ("TIMED_OUT", 2)]));
    // Two timeouts spend the TIMED_OUT budget, not the FAILED one.
    time_out(&mut w, "t1", "j1");
    time_out(&mut w, "t1", "j1");
    fail(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [
            s(1, "TIMED_OUT"),
            s(2, "TIMED_OUT"),
            s(3, "FAILED"),
            s(4, "QUEUED")
        ]
    );
    // Both budgets are now spent.
    time_out(&mut w, "t1", "j1");
    assert_eq!(w.history("t1", "j1").len(), 4);
    assert_eq!(
        retry_attempts(&mut w, "t1", "j1"),
        [(1, 0), (2, 1), (3, 2), (4, 3)]
    );
}

#[test]
fn details_retries_a_spent_criterion_stops_its_type_while_the_other_has_budget() {
    let mut w = World::new();
    w.thing("t1")
        .job("j1", &["t1"], retry(&[("FAILED", 1), ("TIMED_OUT", 2)]));
    fail(&mut w, "t1", "j1");
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "FAILED")]);
}

#[test]
fn details_retries_a_type_with_its_own_criterion_does_not_fall_back_to_all() {
    let mut w = World::new();
    w.thing("t1")
        .job("j1", &["t1"], retry(&[("FAILED", 1), ("ALL", 3)]));
    fail(&mut w, "t1", "j1");
    fail(&mut w, "t1", "j1");
    // ALL still has three retries, but FAILED has a criterion of its own, now spent.
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "FAILED")]);
}

#[test]
fn details_retries_all_serves_the_types_without_their_own_criterion() {
    // FAILED has its own criterion; TIMED_OUT has not, so ALL serves it.
    let mut w = World::new();
    w.thing("t1")
        .job("j1", &["t1"], retry(&[("FAILED", 1), ("ALL", 2)]));
    time_out(&mut w, "t1", "j1");
    time_out(&mut w, "t1", "j1");
    // ALL is spent by the two timeouts; FAILED's own budget is untouched.
    fail(&mut w, "t1", "j1");
    time_out(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [
            s(1, "TIMED_OUT"),
            s(2, "TIMED_OUT"),
            s(3, "FAILED"),
            s(4, "TIMED_OUT")
        ]
    );

    // The mirror image: TIMED_OUT has its own, ALL serves FAILED.
    let mut w = World::new();
    w.thing("t1")
        .job("j1", &["t1"], retry(&[("TIMED_OUT", 1), ("ALL", 2)]));
    fail(&mut w, "t1", "j1");
    fail(&mut w, "t1", "j1");
    time_out(&mut w, "t1", "j1");
    fail(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [
            s(1, "FAILED"),
            s(2, "FAILED"),
            s(3, "TIMED_OUT"),
            s(4, "FAILED")
        ]
    );
}

/// A CONTINUOUS job `j1` on the groups `groups` (and `things` directly).
fn continuous(w: &mut World, groups: &[&str], things: &[&str], criteria: &[(&str, i64)]) {
    let mut extra = retry(criteria);
    extra["targetSelection"] = json!("CONTINUOUS");
    extra["timeoutConfig"] = json!({"inProgressTimeoutInMinutes": 5});
    let targets: Vec<String> = groups
        .iter()
        .map(|g| format!("group:{g}"))
        .chain(things.iter().map(|t| t.to_string()))
        .collect();
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    w.job("j1", &targets, extra);
}

fn leave(w: &mut World, group: &str, thing: &str) {
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": group, "thingName": thing}),
    );
}

fn join(w: &mut World, group: &str, thing: &str) {
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": group, "thingName": thing}),
    );
}

#[test]
fn details_retries_a_thing_that_left_every_target_is_not_retried() {
    // Failed by the device after leaving.
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    continuous(&mut w, &["g"], &[], &[("ALL", 3)]);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    leave(&mut w, "g", "t1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "IN_PROGRESS")]);
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED")]);

    // Timed out after leaving.
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    continuous(&mut w, &["g"], &[], &[("ALL", 3)]);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    leave(&mut w, "g", "t1");
    w.at(1000);
    assert_eq!(w.statuses("t1", "j1"), [s(1, "TIMED_OUT")]);
}

#[test]
fn details_retries_a_thing_still_targeted_another_way_is_retried() {
    // Through a second target group.
    let mut w = World::new();
    w.thing("t1").group("g1", &["t1"]).group("g2", &["t1"]);
    continuous(&mut w, &["g1", "g2"], &[], &[("ALL", 3)]);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    leave(&mut w, "g1", "t1");
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);

    // As a direct target.
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    continuous(&mut w, &["g"], &["t1"], &[("ALL", 3)]);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    leave(&mut w, "g", "t1");
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);
}

#[test]
fn details_retries_a_snapshot_job_still_retries_a_thing_that_left_its_group() {
    // Only CONTINUOUS jobs follow membership; a SNAPSHOT job resolved its groups once.
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["group:g"], retry(&[("ALL", 3)]));
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    leave(&mut w, "g", "t1");
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);
}

#[test]
fn details_retries_a_deleted_thing_is_not_retried() {
    let mut w = World::new();
    let mut extra = retry(&[("ALL", 3)]);
    extra["timeoutConfig"] = json!({"inProgressTimeoutInMinutes": 1});
    w.thing("t1").job("j1", &["t1"], extra);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    // Its timer still fires; no retry follows.
    w.at(1000);
    assert_eq!(w.statuses("t1", "j1"), [s(1, "TIMED_OUT")]);
    assert_eq!(w.exec("t1", "j1").last_updated_at, 60);
    assert_eq!(w.svc.executions().len(), 1);
}

#[test]
fn details_retries_a_rejoin_starts_budgets_and_retry_attempt_afresh() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    continuous(&mut w, &["g"], &[], &[("ALL", 1)]);
    fail(&mut w, "t1", "j1");
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "FAILED")]);

    leave(&mut w, "g", "t1");
    join(&mut w, "g", "t1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [s(1, "FAILED"), s(2, "FAILED"), s(3, "QUEUED")]
    );
    assert_eq!(retry_attempts(&mut w, "t1", "j1"), [(1, 0), (2, 1), (3, 0)]);

    // The budget of one retry is whole again.
    fail(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [
            s(1, "FAILED"),
            s(2, "FAILED"),
            s(3, "FAILED"),
            s(4, "QUEUED")
        ]
    );
    assert_eq!(
        retry_attempts(&mut w, "t1", "j1"),
        [(1, 0), (2, 1), (3, 0), (4, 1)]
    );
    fail(&mut w, "t1", "j1");
    assert_eq!(w.history("t1", "j1").len(), 4, "spent again");
}

#[test]
fn details_retries_a_rejoin_while_the_execution_runs_starts_the_budget_afresh() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    continuous(&mut w, &["g"], &[], &[("ALL", 1)]);
    fail(&mut w, "t1", "j1"); // spends the one retry: #2 is queued
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    // #2 runs on through the leave (decision 3), and the thing rejoins.
    leave(&mut w, "g", "t1");
    join(&mut w, "g", "t1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [s(1, "FAILED"), s(2, "IN_PROGRESS")]
    );
    // The rejoin started the budget afresh, so #2's failure is retried.
    fail(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [s(1, "FAILED"), s(2, "FAILED"), s(3, "QUEUED")]
    );
    // retryAttempt counts afresh too: #3 is the first retry since the rejoin.
    assert_eq!(w.exec("t1", "j1").retry_attempt, 1);
}

#[test]
fn details_retries_a_join_that_queues_an_execution_starts_the_budget_afresh_for_a_thing_still_targeted(
) {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]).group("h", &[]);
    continuous(&mut w, &["g", "h"], &[], &[("ALL", 1)]);
    fail(&mut w, "t1", "j1"); // #1 fails, the one retry queues #2
    fail(&mut w, "t1", "j1"); // #2 fails, the budget is spent
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "FAILED")]);
    // Joining `h` while still in `g`: decision 2 queues #3, and a new execution queued by
    // a join starts the budget afresh.
    join(&mut w, "h", "t1");
    fail(&mut w, "t1", "j1");
    assert_eq!(
        w.statuses("t1", "j1"),
        [
            s(1, "FAILED"),
            s(2, "FAILED"),
            s(3, "FAILED"),
            s(4, "QUEUED")
        ]
    );
}

#[test]
fn details_retries_a_join_while_pending_and_still_targeted_keeps_the_budget_spent() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]).group("h", &[]);
    continuous(&mut w, &["g", "h"], &[], &[("ALL", 1)]);
    fail(&mut w, "t1", "j1"); // #1 fails, the one retry queues #2
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);
    // Joining `h` while still in `g`, #2 pending: not a rejoin, nothing queued, and the
    // budget stays spent.
    join(&mut w, "h", "t1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "QUEUED")]);
    fail(&mut w, "t1", "j1");
    assert_eq!(w.statuses("t1", "j1"), [s(1, "FAILED"), s(2, "FAILED")]);
}
