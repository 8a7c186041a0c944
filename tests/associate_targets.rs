//! AssociateTargetsWithJob (decision 36): its checks in order, the targets it appends and
//! the executions its groups' members get.

mod common;

use common::{group_arn, thing_arn, World};
use iot_jobs_spec::rules::{Cause, TRANSITIONS};
use iot_jobs_spec::{Config, JobExecutionStatus as S};
use serde_json::json;

/// Things a, b, c; group g1 = {a}, g2 = {c, b} (b created before c); CONTINUOUS job `j1`
/// on g1, with a description.
fn world() -> World {
    let mut w = World::with(Config {
        record_transitions: true,
        ..Config::default()
    });
    w.thing("a").thing("b").thing("c");
    w.group("g1", &["a"])
        .group("g2", &["c", "b"])
        .group("g3", &[]);
    w.job(
        "j1",
        &["group:g1"],
        json!({"targetSelection": "CONTINUOUS", "description": "d"}),
    );
    w
}

#[test]
fn decision_36_added_groups_members_join_in_creation_order() {
    let mut w = world();
    w.at(10);
    while w.svc.poll_transition().is_some() {}
    let answer = w.ok(
        "AssociateTargetsWithJob",
        json!({"jobId": "j1", "targets": [group_arn("g2"), group_arn("g1"), group_arn("g2")],
               "comment": "more"}),
    );
    assert_eq!(
        answer,
        json!({"jobArn": "arn:aws:iot:us-east-1:123456789012:job/j1", "jobId": "j1",
               "description": "d"})
    );
    let rows: Vec<_> = std::iter::from_fn(|| w.svc.poll_transition())
        .map(|r| {
            assert_eq!(TRANSITIONS[r.row].cause, Cause::AssociateTargetsWithJob);
            r.thing_name
        })
        .collect();
    assert_eq!(
        rows,
        ["b", "c"],
        "g2's members, b created first; a already pending"
    );
    for t in ["b", "c"] {
        let e = w.exec(t, "j1");
        assert_eq!(
            (e.status, e.version_number, e.queued_at),
            (S::Queued, 1, 10)
        );
    }
    assert_eq!(
        w.topics(),
        [
            "$aws/things/b/jobs/notify",
            "$aws/things/c/jobs/notify",
            "$aws/things/b/jobs/notify-next",
            "$aws/things/c/jobs/notify-next"
        ]
    );
    let job = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(job["targets"], json!([group_arn("g1"), group_arn("g2")]));
    assert_eq!(
        (job["comment"].as_str(), job["lastUpdatedAt"].as_u64()),
        (Some("more"), Some(10))
    );
    // The group now targets the job: a later join queues, and ListJobs finds it by g2.
    w.thing("d");
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g2", "thingName": "d"}),
    );
    assert_eq!(w.exec("d", "j1").status, S::Queued);
    let listed = w.ok("ListJobs", json!({"thingGroupName": "g2"}));
    assert_eq!(listed["jobs"][0]["jobId"], "j1");
}

#[test]
fn decision_36_a_thing_whose_newest_execution_ended_gets_a_new_one() {
    let mut w = world();
    w.update("a", "j1", "SUCCEEDED", json!({})).unwrap();
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g3", "thingName": "a"}),
    );
    // a joined g3 before g3 was a target: nothing queued then.
    assert_eq!(w.history("a", "j1").len(), 1);
    w.ok(
        "AssociateTargetsWithJob",
        json!({"jobId": "j1", "targets": [group_arn("g3")]}),
    );
    let e = w.exec("a", "j1");
    assert_eq!((e.execution_number, e.status), (2, S::Queued));
    // Associating an existing target again adds nothing and queues nothing.
    w.ok(
        "AssociateTargetsWithJob",
        json!({"jobId": "j1", "targets": [group_arn("g3")]}),
    );
    assert!(w.messages.is_empty());
    assert_eq!(w.history("a", "j1").len(), 2);
    let job = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(job["targets"].as_array().unwrap().len(), 2);
}

#[test]
fn decision_36_checks_run_in_order_with_their_codes() {
    let mut w = world();
    w.job("snap", &["a"], json!({}));
    let code = |w: &mut World, input: serde_json::Value| w.err("AssociateTargetsWithJob", input);
    assert_eq!(
        code(
            &mut w,
            json!({"jobId": "a b", "targets": [group_arn("g2")]})
        ),
        "InvalidRequestException"
    );
    assert_eq!(
        code(&mut w, json!({"jobId": "nope", "targets": []})),
        "InvalidRequestException"
    );
    assert_eq!(
        code(
            &mut w,
            json!({"jobId": "nope", "targets": [thing_arn("a")]})
        ),
        "InvalidRequestException"
    );
    assert_eq!(
        code(&mut w, json!({"jobId": "nope", "targets": ["arn:nope"]})),
        "InvalidRequestException"
    );
    assert_eq!(
        code(
            &mut w,
            json!({"jobId": "nope", "targets": [group_arn("g2")], "comment": "x\u{1}"})
        ),
        "InvalidRequestException"
    );
    let nm = w.err_body(
        "AssociateTargetsWithJob",
        json!({"jobId": "nope", "targets": [group_arn("g2")], "namespaceId": "n"}),
    );
    assert_eq!(nm["code"], "NotModelled");
    assert_eq!(
        code(
            &mut w,
            json!({"jobId": "nope", "targets": [group_arn("g2")]})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        code(&mut w, json!({"jobId": "j1", "targets": [group_arn("g9")]})),
        "ResourceNotFoundException"
    );
    // The group lookup comes before the job's kind.
    assert_eq!(
        code(
            &mut w,
            json!({"jobId": "snap", "targets": [group_arn("g9")]})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        code(
            &mut w,
            json!({"jobId": "snap", "targets": [group_arn("g2")]})
        ),
        "InvalidRequestException"
    );
    w.ok("CancelJob", json!({"jobId": "j1"}));
    assert_eq!(
        code(&mut w, json!({"jobId": "j1", "targets": [group_arn("g2")]})),
        "InvalidRequestException"
    );
    // Nothing changed.
    let job = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(job["targets"], json!([group_arn("g1")]));
}

#[test]
fn decision_36_more_than_100_distinct_targets_is_limit_exceeded() {
    let mut w = World::new();
    let names: Vec<String> = (0..101).map(|i| format!("g{i}")).collect();
    for g in &names {
        w.ok("CreateThingGroup", json!({"thingGroupName": g}));
    }
    let first: Vec<String> = names[..98].iter().map(|g| group_arn(g)).collect();
    // Duplicates in CreateJob's targets count once.
    let mut targets = first.clone();
    targets.push(first[0].clone());
    w.ok(
        "CreateJob",
        json!({"jobId": "j1", "targets": targets, "document": "{}",
                             "targetSelection": "CONTINUOUS"}),
    );
    // 98 + 2 = 100 is allowed (a repeat and an existing one skipped)...
    w.ok(
        "AssociateTargetsWithJob",
        json!({"jobId": "j1",
        "targets": [group_arn("g98"), group_arn("g0"), group_arn("g99"), group_arn("g98")]}),
    );
    // ...101 is not.
    let e = w.err_body(
        "AssociateTargetsWithJob",
        json!({"jobId": "j1", "targets": [group_arn("g100")]}),
    );
    assert_eq!(e["code"], "LimitExceededException");
    assert!(e["message"].as_str().unwrap().contains("101"));
}
