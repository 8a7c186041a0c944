//! Abort criteria: `abortConfig` validation (decision 29) and the abort check with its
//! cancel (decision 30).

mod common;

use common::World;
use iot_jobs_spec::rules::{Cause, TRANSITIONS};
use iot_jobs_spec::{Config, JobExecutionStatus as S};
use serde_json::{json, Value};

fn criterion(failure: &str, threshold: Value, min: i64) -> Value {
    json!({"failureType": failure, "action": "CANCEL",
           "thresholdPercentage": threshold, "minNumberOfExecutedThings": min})
}

fn abort(criteria: Vec<Value>) -> Value {
    json!({"abortConfig": {"criteriaList": criteria}})
}

/// Things t1..tn and job `j1` on all of them with `extra`.
fn fleet(n: usize, extra: Value) -> World {
    let mut w = World::with(Config {
        record_transitions: true,
        ..Config::default()
    });
    let names: Vec<String> = (1..=n).map(|i| format!("t{i}")).collect();
    for t in &names {
        w.thing(t);
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    w.job("j1", &refs, extra);
    w
}

fn job(w: &mut World) -> Value {
    w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone()
}

#[test]
fn decision_29_a_valid_config_is_kept_and_echoed_with_its_fractions() {
    let mut w = fleet(
        1,
        abort(vec![
            criterion("FAILED", json!(12.5), 3),
            criterion("ALL", json!(100), 1),
            criterion("TIMED_OUT", json!(0.01), 1),
            criterion("REJECTED", json!(33.33), 7),
        ]),
    );
    let echoed = &job(&mut w)["abortConfig"]["criteriaList"];
    assert_eq!(echoed[0]["thresholdPercentage"], json!(12.5));
    assert_eq!(echoed[1]["thresholdPercentage"], json!(100));
    assert_eq!(echoed[2]["thresholdPercentage"], json!(0.01));
    assert_eq!(echoed[3]["thresholdPercentage"], json!(33.33));
    assert_eq!(echoed[3]["minNumberOfExecutedThings"], 7);
    // A job without one shows none.
    w.job("j2", &["t1"], json!({}));
    let j2 = w.ok("DescribeJob", json!({"jobId": "j2"}));
    assert_eq!(j2["job"].get("abortConfig"), None);
}

#[test]
fn decision_29_refusals_are_invalid_request() {
    let mut w = World::new();
    w.thing("t1");
    let bad: Vec<Value> = vec![
        json!({"criteriaList": []}),
        json!({}),
        json!({"criteriaList": [criterion("FAILED", json!(0), 1)]}),
        json!({"criteriaList": [criterion("FAILED", json!(100.01), 1)]}),
        json!({"criteriaList": [criterion("FAILED", json!(-5), 1)]}),
        json!({"criteriaList": [criterion("FAILED", json!(12.345), 1)]}),
        json!({"criteriaList": [criterion("FAILED", json!("50"), 1)]}),
        json!({"criteriaList": [criterion("FAILED", json!(50), 0)]}),
        json!({"criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
            "thresholdPercentage": 50, "minNumberOfExecutedThings": 1.5}]}),
        json!({"criteriaList": [criterion("CANCELED", json!(50), 1)]}),
        json!({"criteriaList": [{"failureType": "FAILED", "action": "STOP",
            "thresholdPercentage": 50, "minNumberOfExecutedThings": 1}]}),
        json!({"criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
            "minNumberOfExecutedThings": 1}]}),
        json!({"criteriaList": [criterion("FAILED", json!(50), 1), criterion("FAILED", json!(60), 2)]}),
    ];
    for config in bad {
        let input = json!({"jobId": "j1", "targets": [common::thing_arn("t1")],
                           "document": "{}", "abortConfig": config});
        let e = w.err_body("CreateJob", input);
        assert_eq!(e["code"], "InvalidRequestException", "{config}: {e}");
    }
    let dup = json!({"jobId": "j1", "targets": [common::thing_arn("t1")], "document": "{}",
        "abortConfig": {"criteriaList": [criterion("ALL", json!(1), 1), criterion("ALL", json!(2), 1)]}});
    let e = w.err_body("CreateJob", dup);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("more than one criterion"),
        "{e}"
    );
    let zero = json!({"jobId": "j1", "targets": [common::thing_arn("t1")], "document": "{}",
        "abortConfig": {"criteriaList": [criterion("ALL", json!(0.0), 1)]}});
    let e = w.err_body("CreateJob", zero);
    assert!(e["message"].as_str().unwrap().contains("above 0"), "{e}");
    assert!(w.svc.jobs().is_empty(), "nothing was created");
}

#[test]
fn decision_30_the_abort_cancels_queued_executions_and_leaves_in_progress_ones() {
    // 50% of at least 2 completed executions FAILED.
    let mut w = fleet(4, abort(vec![criterion("FAILED", json!(50), 2)]));
    w.update("t4", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(5);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    // 1 completed: below the minimum, nothing happens.
    assert_eq!(job(&mut w)["status"], "IN_PROGRESS");
    w.at(9);
    while w.svc.poll_transition().is_some() {}
    w.update("t2", "j1", "FAILED", json!({})).unwrap();
    let j = job(&mut w);
    assert_eq!(j["status"], "CANCELED");
    assert_eq!(j["forceCanceled"], false);
    assert_eq!(j["reasonCode"], "ABORT_CANCEL");
    assert_eq!(
        j["comment"],
        "Abort criteria for failure type FAILED with threshold 50.00% met. Total completed \
         executions: 2, total FAILED executions: 2"
    );
    assert_eq!(j["lastUpdatedAt"], 9);
    assert_eq!(j.get("completedAt"), None);
    let t3 = w.exec("t3", "j1");
    assert_eq!(t3.status, S::Canceled);
    assert_eq!(
        (t3.force_canceled, t3.version_number, t3.last_updated_at),
        (Some(false), 1, 9)
    );
    assert_eq!(
        w.exec("t4", "j1").status,
        S::InProgress,
        "an abort never touches IN_PROGRESS"
    );
    // The triggering update's row, then the abort's row for t3.
    let rows: Vec<_> = std::iter::from_fn(|| w.svc.poll_transition())
        .map(|r| (TRANSITIONS[r.row].cause, r.thing_name))
        .collect();
    assert_eq!(
        rows,
        [
            (Cause::UpdateJobExecution, "t2".to_owned()),
            (Cause::AbortCancel, "t3".to_owned())
        ]
    );
    // The running execution may still finish; the job stays CANCELED.
    w.update("t4", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(job(&mut w)["status"], "CANCELED");
}

#[test]
fn decision_30_the_check_comes_before_the_retry_so_none_follows() {
    let mut extra = abort(vec![criterion("FAILED", json!(100), 1)]);
    extra["jobExecutionsRetryConfig"] =
        json!({"criteriaList": [{"failureType": "FAILED", "numberOfRetries": 3}]});
    let mut w = fleet(2, extra);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(job(&mut w)["status"], "CANCELED");
    assert_eq!(w.history("t1", "j1").len(), 1, "no retry after the abort");
    assert_eq!(w.exec("t2", "j1").status, S::Canceled);
}

#[test]
fn decision_30_the_check_comes_before_completion() {
    // The last pending execution fails: the abort wins over COMPLETED.
    let mut w = fleet(1, abort(vec![criterion("ALL", json!(100), 1)]));
    w.update("t1", "j1", "REJECTED", json!({})).unwrap();
    let j = job(&mut w);
    assert_eq!(
        (j["status"].as_str(), j.get("completedAt")),
        (Some("CANCELED"), None)
    );
    assert!(j["comment"]
        .as_str()
        .unwrap()
        .contains("failure type ALL with threshold 100.00%"));
}

#[test]
fn decision_30_criteria_are_checked_in_order_and_the_first_met_names_the_comment() {
    let mut w = fleet(
        3,
        abort(vec![
            criterion("TIMED_OUT", json!(10), 1),
            criterion("REJECTED", json!(50), 1),
            criterion("ALL", json!(50), 1),
        ]),
    );
    w.update("t1", "j1", "REJECTED", json!({})).unwrap();
    let comment = job(&mut w)["comment"].as_str().unwrap().to_owned();
    assert_eq!(
        comment,
        "Abort criteria for failure type REJECTED with threshold 50.00% met. Total completed \
         executions: 1, total REJECTED executions: 1"
    );
}

#[test]
fn decision_30_the_threshold_is_exact_at_two_decimals() {
    // 1 failure in 3 completed is 33.333...%: met at 33.33, not at 33.34.
    for (threshold, aborted) in [(json!(33.33), true), (json!(33.34), false)] {
        let mut w = fleet(4, abort(vec![criterion("FAILED", threshold.clone(), 3)]));
        w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
        w.update("t2", "j1", "SUCCEEDED", json!({})).unwrap();
        w.update("t3", "j1", "FAILED", json!({})).unwrap();
        let status = job(&mut w)["status"].clone();
        assert_eq!(status == "CANCELED", aborted, "{threshold}: {status}");
    }
}

#[test]
fn decision_30_canceled_and_removed_count_as_completed_and_timers_trigger_it() {
    // CancelJobExecution makes a completed execution (not a failure); then a timeout
    // fails 1 of 2: 50%.
    let mut w = fleet(
        3,
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1},
               "abortConfig": {"criteriaList": [criterion("TIMED_OUT", json!(50), 2)]}}),
    );
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1"}),
    );
    assert_eq!(job(&mut w)["status"], "IN_PROGRESS");
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.messages.clear();
    w.at(60);
    let j = job(&mut w);
    assert_eq!(j["status"], "CANCELED");
    assert_eq!(j["lastUpdatedAt"], 60);
    assert!(j["comment"]
        .as_str()
        .unwrap()
        .ends_with("Total completed executions: 2, total TIMED_OUT executions: 1"));
    assert_eq!(w.exec("t3", "j1").status, S::Canceled);
}

#[test]
fn decision_30_deleting_an_execution_stops_it_counting() {
    // 1 success, then 1 failure: 50% of 2 is not 60%. Deleting the success makes it 100%.
    let mut w = fleet(3, abort(vec![criterion("FAILED", json!(60), 1)]));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.update("t2", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(job(&mut w)["status"], "IN_PROGRESS");
    w.ok(
        "DeleteJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1}),
    );
    assert_eq!(job(&mut w)["status"], "CANCELED");
    assert_eq!(w.exec("t3", "j1").status, S::Canceled);
}

#[test]
fn decision_30_cancel_job_s_own_cancellations_trigger_no_check() {
    let mut w = fleet(2, abort(vec![criterion("ALL", json!(1), 1)]));
    w.ok(
        "CancelJob",
        json!({"jobId": "j1", "reasonCode": "MINE", "comment": "c"}),
    );
    let j = job(&mut w);
    assert_eq!(
        (j["reasonCode"].as_str(), j["comment"].as_str()),
        (Some("MINE"), Some("c"))
    );
}

#[test]
fn decision_30_messages_follow_the_triggering_change_in_execution_order() {
    let mut w = World::new();
    for t in ["zed", "amy", "bob"] {
        w.thing(t);
    }
    w.job(
        "j1",
        &["zed", "amy", "bob"],
        abort(vec![criterion("FAILED", json!(100), 1)]),
    );
    w.update("bob", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(
        w.topics(),
        [
            // The failure's own messages first, then the abort's, zed before amy (the
            // order their executions were created, not name order).
            "$aws/things/bob/jobs/notify",
            "$aws/things/zed/jobs/notify",
            "$aws/things/amy/jobs/notify",
            "$aws/things/bob/jobs/notify-next",
            "$aws/things/zed/jobs/notify-next",
            "$aws/things/amy/jobs/notify-next",
        ]
    );
}

#[test]
fn decision_30_a_deleted_thing_s_in_progress_execution_runs_on_after_an_abort() {
    let mut w = fleet(3, abort(vec![criterion("FAILED", json!(100), 1)]));
    w.update("t3", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.ok("DeleteThing", json!({"thingName": "t3"}));
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(job(&mut w)["status"], "CANCELED");
    assert_eq!(w.exec("t3", "j1").status, S::InProgress);
    assert_eq!(w.exec("t2", "j1").status, S::Canceled);
}
