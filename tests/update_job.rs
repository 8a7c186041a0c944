//! UpdateJob (decision 35): its checks in order and what each member changes.

mod common;

use common::World;
use iot_jobs_spec::JobExecutionStatus as S;
use serde_json::{json, Value};

fn job(w: &mut World, id: &str) -> Value {
    w.ok("DescribeJob", json!({"jobId": id}))["job"].clone()
}

fn retry(failed: i64) -> Value {
    json!({"criteriaList": [{"failureType": "FAILED", "numberOfRetries": failed}]})
}

#[test]
fn decision_35_checks_run_in_order_with_their_codes() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let code = |w: &mut World, input: Value| w.err("UpdateJob", input);
    // The request: a bad id, then no member, then each member's validity, before any
    // lookup (the job need not exist).
    assert_eq!(
        code(&mut w, json!({"jobId": "a b", "description": "d"})),
        "InvalidRequestException"
    );
    let empty = w.err_body("UpdateJob", json!({"jobId": "nope"}));
    assert_eq!(empty["code"], "InvalidRequestException");
    assert!(empty["message"]
        .as_str()
        .unwrap()
        .contains("sets no member"));
    for bad in [
        json!({"jobId": "nope", "description": "x\u{7}"}),
        json!({"jobId": "nope", "description": "x".repeat(2029)}),
        json!({"jobId": "nope", "timeoutConfig": {"inProgressTimeoutInMinutes": 0}}),
        json!({"jobId": "nope", "jobExecutionsRetryConfig": {"criteriaList": []}}),
        json!({"jobId": "nope", "abortConfig": {"criteriaList": []}}),
        json!({"jobId": "nope", "jobExecutionsRolloutConfig": {"maximumPerMinute": 0}}),
    ] {
        assert_eq!(
            code(&mut w, bad.clone()),
            "InvalidRequestException",
            "{bad}"
        );
    }
    // The not-modelled members, before the lookup.
    for (member, feature) in [
        ("presignedUrlConfig", "presigned URLs"),
        ("namespaceId", "namespaces"),
    ] {
        let mut input = json!({"jobId": "nope", "description": "d"});
        input[member] = json!({});
        if member == "namespaceId" {
            input[member] = json!("n");
        }
        let e = w.err_body("UpdateJob", input);
        assert_eq!(
            (e["code"].as_str(), e["feature"].as_str()),
            (Some("NotModelled"), Some(feature))
        );
    }
    assert_eq!(
        code(&mut w, json!({"jobId": "nope", "description": "d"})),
        "ResourceNotFoundException"
    );
    // A retry config on a job created without one.
    let e = w.err_body(
        "UpdateJob",
        json!({"jobId": "j1", "jobExecutionsRetryConfig": retry(0)}),
    );
    assert_eq!(e["code"], "InvalidRequestException");
    assert!(e["message"].as_str().unwrap().contains("created without"));
    assert_eq!(
        job(&mut w, "j1").get("description"),
        None,
        "refusals change nothing"
    );
}

#[test]
fn decision_35_a_canceled_or_completed_job_cannot_be_updated() {
    let mut w = World::new();
    w.thing("t1").job("done", &["t1"], json!({}));
    w.update("t1", "done", "SUCCEEDED", json!({})).unwrap();
    w.job("gone", &["t1"], json!({}));
    w.ok("CancelJob", json!({"jobId": "gone"}));
    for (id, status) in [("done", "COMPLETED"), ("gone", "CANCELED")] {
        let e = w.err_body("UpdateJob", json!({"jobId": id, "description": "d"}));
        assert_eq!(e["code"], "InvalidRequestException");
        assert!(e["message"].as_str().unwrap().contains(status), "{e}");
    }
}

#[test]
fn decision_35_members_replace_the_stored_ones_and_nothing_is_published() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job(
        "j1",
        &["t1", "t2"],
        json!({"description": "old", "timeoutConfig": {"inProgressTimeoutInMinutes": 10},
               "abortConfig": {"criteriaList": [{"failureType": "ALL", "action": "CANCEL",
                   "thresholdPercentage": 90, "minNumberOfExecutedThings": 100}]}}),
    );
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(30);
    let before = w.svc.executions();
    let answer = w.ok(
        "UpdateJob",
        json!({"jobId": "j1", "description": "new",
               "timeoutConfig": {"inProgressTimeoutInMinutes": 2},
               "abortConfig": {"criteriaList": [{"failureType": "REJECTED", "action": "CANCEL",
                   "thresholdPercentage": 99.99, "minNumberOfExecutedThings": 5}]}}),
    );
    assert_eq!(answer, json!({}));
    assert!(w.messages.is_empty());
    assert_eq!(w.svc.executions(), before, "no execution changes");
    let j = job(&mut w, "j1");
    assert_eq!(j["description"], "new");
    assert_eq!(j["lastUpdatedAt"], 30);
    assert_eq!(j["timeoutConfig"], json!({"inProgressTimeoutInMinutes": 2}));
    assert_eq!(
        j["abortConfig"]["criteriaList"],
        json!([{"failureType": "REJECTED", "action": "CANCEL",
                "thresholdPercentage": 99.99, "minNumberOfExecutedThings": 5}])
    );
    // The running execution keeps its 10-minute deadline; one started now gets 2 minutes.
    assert_eq!(w.exec("t1", "j1").in_progress_deadline, Some(600));
    w.update("t2", "j1", "IN_PROGRESS", json!({})).unwrap();
    assert_eq!(w.exec("t2", "j1").in_progress_deadline, Some(30 + 120));
    // `{}` replaces the whole config: later starts get no timer.
    w.ok("UpdateJob", json!({"jobId": "j1", "timeoutConfig": {}}));
    assert_eq!(job(&mut w, "j1").get("timeoutConfig"), None);
}

#[test]
fn decision_35_retries_can_only_be_set_to_0_for_the_job_s_own_types() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job(
        "j1",
        &["t1", "t2"],
        json!({"jobExecutionsRetryConfig": retry(2)}),
    );
    let refused = [
        retry(1),
        json!({"criteriaList": [{"failureType": "TIMED_OUT", "numberOfRetries": 0}]}),
        json!({"criteriaList": [{"failureType": "FAILED", "numberOfRetries": 0},
                                {"failureType": "TIMED_OUT", "numberOfRetries": 0}]}),
    ];
    for r in refused {
        let e = w.err_body(
            "UpdateJob",
            json!({"jobId": "j1", "jobExecutionsRetryConfig": r}),
        );
        assert_eq!(e["code"], "InvalidRequestException", "{r}");
    }
    // t1 fails once and is retried; then retries go to 0: the queued retry stays QUEUED,
    // and t2's failure is not retried.
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.exec("t1", "j1").execution_number, 2);
    w.ok(
        "UpdateJob",
        json!({"jobId": "j1", "jobExecutionsRetryConfig": retry(0)}),
    );
    assert_eq!(w.exec("t1", "j1").status, S::Queued);
    w.update("t2", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t2", "j1").len(), 1);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t1", "j1").len(), 2);
    assert_eq!(job(&mut w, "j1")["status"], "COMPLETED");
}

#[test]
fn decision_35_an_abort_config_is_checked_at_once() {
    let mut w = World::new();
    for t in ["t1", "t2", "t3"] {
        w.thing(t);
    }
    w.job("j1", &["t1", "t2", "t3"], json!({}));
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    w.at(40);
    w.ok(
        "UpdateJob",
        json!({"jobId": "j1", "abortConfig": {"criteriaList": [{"failureType": "FAILED",
            "action": "CANCEL", "thresholdPercentage": 100, "minNumberOfExecutedThings": 1}]}}),
    );
    // Its cancellations are published.
    assert_eq!(
        w.topics(),
        [
            "$aws/things/t2/jobs/notify",
            "$aws/things/t3/jobs/notify",
            "$aws/things/t2/jobs/notify-next",
            "$aws/things/t3/jobs/notify-next",
        ]
    );
    let j = job(&mut w, "j1");
    assert_eq!(
        (j["status"].as_str(), j["reasonCode"].as_str()),
        (Some("CANCELED"), Some("ABORT_CANCEL"))
    );
    assert_eq!(j["lastUpdatedAt"], 40);
    assert_eq!(w.exec("t2", "j1").status, S::Canceled);
}
