//! Decision 40: the IN_PROGRESS execution of a deleted thing. Calls naming the absent
//! thing do not reach it; its job, its timers and the thing's name coming back do. No
//! execution is left that nothing can end.

mod common;

use common::World;
use iot_jobs_spec::config::Switches;
use iot_jobs_spec::{Config, JobExecutionStatus, Plane};
use serde_json::json;

/// `t1` runs `j1` (an in-progress timer of `minutes`, when given) and is then deleted.
fn deleted_while_running(config: Config, minutes: Option<i64>) -> World {
    let mut w = World::with(config);
    let extra = match minutes {
        Some(m) => json!({"timeoutConfig": {"inProgressTimeoutInMinutes": m}}),
        None => json!({}),
    };
    w.thing("t1").thing("t2").job("j1", &["t1", "t2"], extra);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(w.exec("t1", "j1").status, JobExecutionStatus::InProgress);
    w
}

#[test]
fn decision_40_calls_naming_the_deleted_thing_are_not_found() {
    let mut w = deleted_while_running(Config::default(), None);
    let before = w.svc.clone();
    let id = json!({"thingName": "t1", "jobId": "j1"});
    for (plane, name, input) in [
        (
            Plane::Control,
            "CancelJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "force": true}),
        ),
        (
            Plane::Control,
            "DeleteJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1, "force": true}),
        ),
        (Plane::Control, "DescribeJobExecution", id.clone()),
        (
            Plane::Control,
            "ListJobExecutionsForThing",
            json!({"thingName": "t1"}),
        ),
        (Plane::Data, "DescribeJobExecution", id.clone()),
        (
            Plane::Data,
            "GetPendingJobExecutions",
            json!({"thingName": "t1"}),
        ),
        (
            Plane::Data,
            "StartNextPendingJobExecution",
            json!({"thingName": "t1"}),
        ),
        (
            Plane::Data,
            "UpdateJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "status": "SUCCEEDED"}),
        ),
    ] {
        let e = w.call_on(plane, name, input).unwrap_err();
        assert_eq!(e["code"], "ResourceNotFoundException", "{name}");
    }
    let msgs = w.publish(
        "$aws/things/t1/jobs/j1/update",
        json!({"status": "SUCCEEDED"}),
    );
    assert_eq!(msgs[0].payload.to_json()["code"], "ResourceNotFound");
    assert_eq!(w.svc, before, "refusals change nothing");
    // The job still lists it.
    let listed = w.ok(
        "ListJobExecutionsForJob",
        json!({"jobId": "j1", "status": "IN_PROGRESS"}),
    );
    assert_eq!(listed["executionSummaries"].as_array().unwrap().len(), 1);
}

#[test]
fn decision_40_cancel_job_with_force_cancels_it_and_without_force_leaves_it() {
    let mut w = deleted_while_running(Config::default(), None);
    w.at(7);
    let mut plain = w.svc.clone();
    w.ok("CancelJob", json!({"jobId": "j1", "force": true}));
    let e = w.exec("t1", "j1");
    assert_eq!(e.status, JobExecutionStatus::Canceled);
    assert_eq!(
        (e.force_canceled, e.version_number, e.last_updated_at),
        (Some(true), 2, 7)
    );
    // Published on the deleted thing's topics.
    assert!(w
        .topics()
        .contains(&"$aws/things/t1/jobs/notify".to_owned()));
    assert!(w
        .topics()
        .contains(&"$aws/things/t1/jobs/notify-next".to_owned()));
    // Without force, it keeps running.
    let req = iot_jobs_spec::Request::decode(
        iot_jobs_spec::Operation::CancelJob,
        &json!({"jobId": "j1"}),
    )
    .unwrap();
    plain.handle(7, req).unwrap();
    let still = plain
        .executions()
        .into_iter()
        .find(|e| e.thing_name == "t1")
        .unwrap();
    assert_eq!(still.status, JobExecutionStatus::InProgress);
}

#[test]
fn decision_40_delete_job_deletes_it() {
    let mut w = deleted_while_running(Config::default(), Some(3));
    w.ok("DeleteJob", json!({"jobId": "j1", "force": true}));
    assert!(w.svc.executions().is_empty());
    assert_eq!(w.svc.poll_timeout(), None);
}

#[test]
fn decision_40_its_timer_still_fires_and_no_retry_follows() {
    let config = Config::default();
    let mut w = deleted_while_running(config, Some(2));
    w.messages.clear();
    w.at(120);
    let e = w.exec("t1", "j1");
    assert_eq!(
        (e.status, e.last_updated_at),
        (JobExecutionStatus::TimedOut, 120)
    );
    assert_eq!(
        w.history("t1", "j1").len(),
        1,
        "no retry for a deleted thing"
    );
    assert!(w
        .topics()
        .contains(&"$aws/things/t1/jobs/notify".to_owned()));
}

#[test]
fn decision_40_a_thing_created_again_gets_its_execution_back() {
    let mut w = deleted_while_running(Config::default(), None);
    w.thing("t1");
    let pending = w.ok("GetPendingJobExecutions", json!({"thingName": "t1"}));
    assert_eq!(pending["inProgressJobs"][0]["jobId"], "j1");
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(w.exec("t1", "j1").status, JobExecutionStatus::Succeeded);
}

#[test]
fn decision_40_the_switch_lets_calls_by_name_reach_it() {
    let config = Config {
        switches: Switches {
            deleted_thing_executions_by_name: true,
            ..Switches::default()
        },
        ..Config::default()
    };
    let mut w = deleted_while_running(config, None);
    let d = w.control_describe("t1", "j1");
    assert_eq!(d["status"], "IN_PROGRESS");
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(w.exec("t1", "j1").status, JobExecutionStatus::Succeeded);
    // A name never created is still not found.
    assert_eq!(
        w.err("GetPendingJobExecutions", json!({"thingName": "t9"})),
        "ResourceNotFoundException"
    );
    // The registry still has no such thing.
    assert_eq!(
        w.err("DescribeThing", json!({"thingName": "t1"})),
        "ResourceNotFoundException"
    );
}
