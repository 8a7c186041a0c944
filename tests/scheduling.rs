//! Scheduling (decisions 31 to 33): the time format and bounds, SCHEDULED jobs, startTime
//! and endTime as job timers, the three end behaviours and completion after the end.

mod common;

use common::{group_arn, thing_arn, World};
use iot_jobs_spec::rules::{Cause, TRANSITIONS};
use iot_jobs_spec::{Config, JobExecutionStatus as S};
use serde_json::{json, Value};

/// 1970-01-01T00:30 and so on: Unix seconds as `YYYY-MM-DDThh:mm` for small times.
fn at(minutes: u64) -> String {
    format!("1970-01-01T{:02}:{:02}", minutes / 60, minutes % 60)
}

fn create(w: &mut World, id: &str, targets: Vec<String>, extra: Value) -> Result<Value, Value> {
    let mut input = json!({"jobId": id, "targets": targets, "document": "{\"op\":\"s\"}"});
    if let (Value::Object(m), Value::Object(e)) = (&mut input, extra) {
        m.extend(e);
    }
    w.call("CreateJob", input)
}

fn job(w: &mut World, id: &str) -> Value {
    w.ok("DescribeJob", json!({"jobId": id}))["job"].clone()
}

#[test]
fn decision_31_times_read_yyyy_mm_ddthh_mm_within_their_bounds() {
    let mut w = World::new();
    w.thing("t1");
    let refused = |w: &mut World, sc: Value| {
        let e = create(
            w,
            "j",
            vec![thing_arn("t1")],
            json!({"schedulingConfig": sc.clone()}),
        )
        .unwrap_err();
        assert_eq!(e["code"], "InvalidRequestException", "{sc}: {e}");
        e["message"].as_str().unwrap().to_owned()
    };
    for bad in [
        "1970-01-01T00:30:00",
        "1970-01-01T00:30Z",
        "1970-01-01 00:30",
        "1970-1-01T00:30",
        "1970-02-29T00:30",
        "1970-13-01T00:30",
        "1970-01-01T24:00",
        "1970-01-01T00:60",
        "",
    ] {
        let message = refused(&mut w, json!({"startTime": bad}));
        assert!(
            message.contains("must follow the format YYYY-MM-DDThh:mm"),
            "{bad}: {message}"
        );
    }
    // Bounds with now = 0: start in [1800, 31 536 000], end in [1800, 63 072 000].
    refused(&mut w, json!({"startTime": at(29)}));
    refused(&mut w, json!({"startTime": "1971-01-01T00:01"}));
    refused(&mut w, json!({"endTime": at(29)}));
    refused(&mut w, json!({"endTime": "1972-01-01T00:01"}));
    // With both: end − start in [1800, 63 072 000].
    refused(&mut w, json!({"startTime": at(30), "endTime": at(59)}));
    refused(&mut w, json!({"startTime": at(60), "endTime": at(30)}));
    refused(&mut w, json!({"endBehavior": "STOP"}));
    assert!(w.svc.jobs().is_empty());
    // The bounds themselves are allowed.
    for (id, sc) in [
        ("a", json!({"startTime": at(30)})),
        ("b", json!({"startTime": "1971-01-01T00:00"})),
        ("c", json!({"endTime": "1972-01-01T00:00"})),
        ("d", json!({"startTime": at(30), "endTime": at(60)})),
        ("e", json!({"endBehavior": "FORCE_CANCEL"})),
    ] {
        create(
            &mut w,
            id,
            vec![thing_arn("t1")],
            json!({"schedulingConfig": sc}),
        )
        .unwrap();
    }
    // Bounds count from the CreateJob moment.
    w.at(100);
    refused(&mut w, json!({"startTime": at(30)}));
}

#[test]
fn decision_31_a_job_with_a_start_time_waits_scheduled() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    let sc = json!({"startTime": at(40), "endTime": at(100), "endBehavior": "CANCEL"});
    create(
        &mut w,
        "j1",
        vec![group_arn("g")],
        json!({"targetSelection": "CONTINUOUS", "schedulingConfig": sc.clone()}),
    )
    .unwrap();
    assert!(w.messages.is_empty(), "no message");
    assert!(w.svc.executions().is_empty(), "no execution");
    let j = job(&mut w, "j1");
    assert_eq!(j["status"], "SCHEDULED");
    assert_eq!(j["schedulingConfig"], sc);
    assert_eq!(j["jobProcessDetails"]["numberOfQueuedThings"], 0);
    let listed = w.ok("ListJobs", json!({"status": "SCHEDULED"}));
    assert_eq!(listed["jobs"][0]["isConcurrent"], false);
    assert_eq!(w.svc.poll_timeout(), Some(2400));
    // Joins and DeleteThing change nothing for it.
    w.thing("t2");
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t2"}),
    );
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert!(w.svc.executions().is_empty());
    // UpdateJob works; AssociateTargetsWithJob is refused; DeleteJob needs force.
    w.ok("UpdateJob", json!({"jobId": "j1", "description": "later"}));
    w.ok("CreateThingGroup", json!({"thingGroupName": "g2"}));
    assert_eq!(
        w.err(
            "AssociateTargetsWithJob",
            json!({"jobId": "j1", "targets": [group_arn("g2")]})
        ),
        "InvalidRequestException"
    );
    assert_eq!(
        w.err("DeleteJob", json!({"jobId": "j1"})),
        "InvalidStateTransitionException"
    );
    // CancelJob makes it CANCELED with its reason, and drops its timers.
    w.at(10);
    w.ok(
        "CancelJob",
        json!({"jobId": "j1", "reasonCode": "NOT_NOW", "comment": "c"}),
    );
    let j = job(&mut w, "j1");
    assert_eq!(
        (j["status"].as_str(), j["reasonCode"].as_str()),
        (Some("CANCELED"), Some("NOT_NOW"))
    );
    assert_eq!(j["lastUpdatedAt"], 10);
    assert_eq!(w.svc.poll_timeout(), None);
    w.at(10_000);
    assert!(w.svc.executions().is_empty());
    assert_eq!(job(&mut w, "j1")["status"], "CANCELED");
}

#[test]
fn decision_32_at_start_time_the_job_starts_with_the_targets_of_that_moment() {
    // Timer lateness does not apply to job timers.
    let mut w = World::with(Config {
        timer_lateness: 60,
        record_transitions: true,
        ..Config::default()
    });
    w.thing("t1").thing("t2").group("g", &["t2"]);
    create(
        &mut w,
        "j1",
        vec![thing_arn("t1"), group_arn("g")],
        json!({"schedulingConfig": {"startTime": at(30)}}),
    )
    .unwrap();
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    w.thing("t3");
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t3"}),
    );
    assert_eq!(w.svc.poll_timeout(), Some(1800));
    w.messages.clear();
    w.at(1799);
    assert!(w.svc.executions().is_empty());
    w.at(1800);
    let j = job(&mut w, "j1");
    assert_eq!(
        (j["status"].as_str(), j["lastUpdatedAt"].as_u64()),
        (Some("IN_PROGRESS"), Some(1800))
    );
    let execs: Vec<_> = w
        .svc
        .executions()
        .into_iter()
        .map(|e| (e.thing_name, e.queued_at))
        .collect();
    assert_eq!(
        execs,
        [("t2".to_owned(), 1800), ("t3".to_owned(), 1800)],
        "t1 was deleted"
    );
    let rows: Vec<_> = std::iter::from_fn(|| w.svc.poll_transition())
        .map(|r| TRANSITIONS[r.row].cause)
        .collect();
    assert_eq!(rows, [Cause::CreateJob, Cause::CreateJob]);
}

#[test]
fn decision_32_a_snapshot_job_reaching_no_thing_completes_at_its_start() {
    let mut w = World::new();
    w.thing("t1");
    create(
        &mut w,
        "j1",
        vec![thing_arn("t1")],
        json!({"schedulingConfig": {"startTime": at(30)}}),
    )
    .unwrap();
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    w.at(1800);
    let j = job(&mut w, "j1");
    assert_eq!(
        (j["status"].as_str(), j["completedAt"].as_u64()),
        (Some("COMPLETED"), Some(1800))
    );
}

#[test]
fn decision_32_job_timers_order_with_execution_timers_by_deadline_then_order_set() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    // The job timer is set first (at CreateJob), the execution's 30-minute timer later:
    // both are due at 1800 and the job timer fires first.
    create(
        &mut w,
        "sched",
        vec![thing_arn("t2")],
        json!({"schedulingConfig": {"startTime": at(30)}}),
    )
    .unwrap();
    w.job(
        "run",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 30}}),
    );
    w.update("t1", "run", "IN_PROGRESS", json!({})).unwrap();
    assert_eq!(w.svc.poll_timeout(), Some(1800));
    w.messages.clear();
    w.at(1800);
    assert_eq!(
        w.topics(),
        [
            "$aws/things/t2/jobs/notify",
            "$aws/things/t2/jobs/notify-next",
            "$aws/things/t1/jobs/notify",
            "$aws/things/t1/jobs/notify-next"
        ]
    );
}

#[test]
fn decision_32_stop_rollout_queues_nothing_more_and_completes_after_the_end() {
    let mut w = World::new();
    let retry = json!({"criteriaList": [{"failureType": "FAILED", "numberOfRetries": 5}]});
    w.thing("t1").thing("t2").group("g", &["t1", "t2"]);
    create(
        &mut w,
        "j1",
        vec![group_arn("g")],
        json!({"targetSelection": "CONTINUOUS",
        "jobExecutionsRetryConfig": retry, "schedulingConfig": {"endTime": at(30)}}),
    )
    .unwrap();
    assert_eq!(
        job(&mut w, "j1")["status"],
        "IN_PROGRESS",
        "only an endTime: starts at once"
    );
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(1800);
    // The end: nothing else changes, t2 stays QUEUED, t1 runs.
    assert_eq!(w.exec("t2", "j1").status, S::Queued);
    // A join creates nothing now; nor does a failure's retry.
    w.thing("t3");
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t3"}),
    );
    assert!(w.history("t3", "j1").is_empty());
    w.ok("CreateThingGroup", json!({"thingGroupName": "g2"}));
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g2", "thingName": "t3"}),
    );
    w.ok(
        "AssociateTargetsWithJob",
        json!({"jobId": "j1", "targets": [group_arn("g2")]}),
    );
    assert!(
        w.history("t3", "j1").is_empty(),
        "targets recorded, no execution"
    );
    assert_eq!(job(&mut w, "j1")["targets"].as_array().unwrap().len(), 2);
    w.at(1900);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t1", "j1").len(), 1, "no retry after the end");
    assert_eq!(
        job(&mut w, "j1")["status"],
        "IN_PROGRESS",
        "t2 still pending"
    );
    w.at(2000);
    w.update("t2", "j1", "SUCCEEDED", json!({})).unwrap();
    let j = job(&mut w, "j1");
    assert_eq!(
        (j["status"].as_str(), j["completedAt"].as_u64()),
        (Some("COMPLETED"), Some(2000))
    );
}

#[test]
fn decision_32_a_job_with_an_end_time_completes_only_from_the_end() {
    let mut w = World::new();
    w.thing("t1");
    create(
        &mut w,
        "j1",
        vec![thing_arn("t1")],
        json!({"schedulingConfig": {"endTime": at(30)}}),
    )
    .unwrap();
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(job(&mut w, "j1")["status"], "IN_PROGRESS");
    w.at(1800);
    let j = job(&mut w, "j1");
    assert_eq!(
        (j["status"].as_str(), j["completedAt"].as_u64()),
        (Some("COMPLETED"), Some(1800))
    );
}

#[test]
fn decision_32_cancel_and_force_cancel_at_the_end() {
    for (behavior, force) in [("CANCEL", false), ("FORCE_CANCEL", true)] {
        let mut w = World::with(Config {
            record_transitions: true,
            ..Config::default()
        });
        w.thing("t1").thing("t2");
        create(
            &mut w,
            "j1",
            vec![thing_arn("t1"), thing_arn("t2")],
            json!({"schedulingConfig": {"endTime": at(30), "endBehavior": behavior}}),
        )
        .unwrap();
        w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
        while w.svc.poll_transition().is_some() {}
        w.messages.clear();
        w.at(1800);
        let j = job(&mut w, "j1");
        assert_eq!(j["status"], "CANCELED", "{behavior}");
        assert_eq!(j["forceCanceled"], force);
        assert_eq!((j.get("reasonCode"), j.get("comment")), (None, None));
        assert_eq!(j["lastUpdatedAt"], 1800);
        let t2 = w.exec("t2", "j1");
        assert_eq!(
            (t2.status, t2.force_canceled, t2.version_number),
            (S::Canceled, Some(force), 1)
        );
        let t1 = w.exec("t1", "j1");
        let expected = if force { S::Canceled } else { S::InProgress };
        assert_eq!(t1.status, expected, "{behavior}");
        let rows: Vec<_> = std::iter::from_fn(|| w.svc.poll_transition())
            .map(|r| TRANSITIONS[r.row].cause)
            .collect();
        assert!(rows.iter().all(|&c| c == Cause::EndBehaviorCancel));
        assert_eq!(rows.len(), if force { 2 } else { 1 });
    }
}

#[test]
fn decision_32_an_end_behaviour_without_end_time_does_nothing() {
    let mut w = World::new();
    w.thing("t1");
    create(
        &mut w,
        "j1",
        vec![thing_arn("t1")],
        json!({"schedulingConfig": {"endBehavior": "FORCE_CANCEL"}}),
    )
    .unwrap();
    assert_eq!(w.svc.poll_timeout(), None);
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(
        job(&mut w, "j1")["status"],
        "COMPLETED",
        "decision 23 as without a schedule"
    );
}

#[test]
fn decision_33_maintenance_windows_are_not_modelled_by_name() {
    let mut w = World::new();
    w.thing("t1");
    for windows in [
        json!([]),
        json!([{"startTime": "cron(0 0 * * ? *)", "durationInMinutes": 60}]),
    ] {
        let e = create(
            &mut w,
            "j1",
            vec![thing_arn("t1")],
            json!({"schedulingConfig": {"startTime": at(30), "maintenanceWindows": windows}}),
        )
        .unwrap_err();
        assert_eq!(e["code"], "NotModelled");
        assert_eq!(e["feature"], "maintenance windows");
    }
    // A bad time is the request's validity, before the not-modelled member.
    let e = create(
        &mut w,
        "j1",
        vec![thing_arn("t1")],
        json!({"schedulingConfig": {"startTime": "soon", "maintenanceWindows": []}}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "InvalidRequestException");
}
