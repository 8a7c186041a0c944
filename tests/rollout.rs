//! Rollout (decisions 27 and 28): the config's validation, batches on the 60-second grid,
//! the exponential rate, joins and retries outside it, and the invariants: a waiting
//! target has no execution, a batch never exceeds its size, a rollout costs its batch.

mod common;

use common::{group_arn, thing_arn, World};
use iot_jobs_spec::rules::{Cause, TRANSITIONS};
use iot_jobs_spec::{Config, JobExecutionStatus as S};
use serde_json::{json, Value};

/// Things t0..t{n-1} in group g, and job `j1` on g with `extra`.
fn fleet(n: usize, extra: Value) -> World {
    let mut w = World::with(Config {
        record_transitions: true,
        ..Config::default()
    });
    w.ok("CreateThingGroup", json!({"thingGroupName": "g"}));
    for i in 0..n {
        let t = format!("t{i}");
        w.thing(&t);
        w.ok(
            "AddThingToThingGroup",
            json!({"thingGroupName": "g", "thingName": t}),
        );
    }
    w.job("j1", &["group:g"], extra);
    w
}

fn rollout(config: Value) -> Value {
    json!({"jobExecutionsRolloutConfig": config})
}

fn queued_things(w: &World) -> Vec<String> {
    w.svc
        .executions()
        .into_iter()
        .filter(|e| e.job_id == "j1")
        .map(|e| e.thing_name)
        .collect()
}

fn exp(base: i64, factor: Value, notified: i64) -> Value {
    json!({"maximumPerMinute": 1000, "exponentialRate": {"baseRatePerMinute": base,
        "incrementFactor": factor, "rateIncreaseCriteria": {"numberOfNotifiedThings": notified}}})
}

#[test]
fn decision_27_refusals_are_invalid_request() {
    let mut w = World::new();
    w.thing("t1");
    let bad = [
        json!({"maximumPerMinute": 0}),
        json!({"maximumPerMinute": 1001}),
        json!({"maximumPerMinute": 2.5}),
        json!({"maximumPerMinute": 10, "exponentialRate": {"baseRatePerMinute": 11,
            "incrementFactor": 2, "rateIncreaseCriteria": {"numberOfNotifiedThings": 1}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 0, "incrementFactor": 2,
            "rateIncreaseCriteria": {"numberOfNotifiedThings": 1}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 1.0,
            "rateIncreaseCriteria": {"numberOfNotifiedThings": 1}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 5.1,
            "rateIncreaseCriteria": {"numberOfNotifiedThings": 1}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 1.25,
            "rateIncreaseCriteria": {"numberOfNotifiedThings": 1}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 2,
            "rateIncreaseCriteria": {}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 2,
            "rateIncreaseCriteria": {"numberOfNotifiedThings": 1, "numberOfSucceededThings": 1}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 5, "incrementFactor": 2,
            "rateIncreaseCriteria": {"numberOfSucceededThings": 0}}}),
        json!({"exponentialRate": {"baseRatePerMinute": 5,
            "rateIncreaseCriteria": {"numberOfSucceededThings": 1}}}),
    ];
    for config in bad {
        let input = json!({"jobId": "j1", "targets": [thing_arn("t1")], "document": "{}",
                           "jobExecutionsRolloutConfig": config});
        assert_eq!(
            w.err("CreateJob", input),
            "InvalidRequestException",
            "{config}"
        );
    }
    assert!(w.svc.jobs().is_empty());
    // The bounds and a one-decimal factor are accepted, and echoed.
    let good = json!({"maximumPerMinute": 1000, "exponentialRate": {"baseRatePerMinute": 1000,
        "incrementFactor": 1.1, "rateIncreaseCriteria": {"numberOfSucceededThings": 1}}});
    w.job("j1", &["t1"], rollout(good.clone()));
    let d = w.ok("DescribeJob", json!({"jobId": "j1"}));
    assert_eq!(d["job"]["jobExecutionsRolloutConfig"], good);
}

#[test]
fn decision_27_a_job_without_the_member_queues_every_target_at_once() {
    let w = fleet(1200, json!({}));
    assert_eq!(queued_things(&w).len(), 1200);
    // With the member, even `{}`, the rate is 1000 a minute.
    let w = fleet(1200, rollout(json!({})));
    assert_eq!(queued_things(&w).len(), 1000);
}

#[test]
fn decision_28_batches_on_the_60_second_grid_and_waiting_things_have_no_execution() {
    let mut w = fleet(5, rollout(json!({"maximumPerMinute": 2})));
    w.at(7);
    assert_eq!(
        queued_things(&w),
        ["t0", "t1"],
        "the first batch at creation"
    );
    // A waiting thing: no execution anywhere, and a call naming it is not found.
    assert_eq!(
        w.err(
            "DescribeJobExecution",
            json!({"thingName": "t4", "jobId": "j1"})
        ),
        "ResourceNotFoundException"
    );
    let pending = w.ok("GetPendingJobExecutions", json!({"thingName": "t4"}));
    assert_eq!(pending["queuedJobs"], json!([]));
    let d = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(d["jobProcessDetails"]["numberOfQueuedThings"], 2);
    assert_eq!(d["isConcurrent"], true);
    assert_eq!(
        d["jobProcessDetails"]["processingTargets"],
        json!([group_arn("g")])
    );
    assert_eq!(w.ok("ListJobs", json!({}))["jobs"][0]["isConcurrent"], true);
    assert_eq!(w.svc.poll_timeout(), Some(60));
    w.messages.clear();
    w.at(59);
    assert_eq!(queued_things(&w).len(), 2);
    w.at(60);
    assert_eq!(queued_things(&w), ["t0", "t1", "t2", "t3"]);
    let e = w.exec("t2", "j1");
    assert_eq!(
        (e.queued_at, e.last_updated_at, e.version_number),
        (60, 60, 1)
    );
    assert_eq!(
        w.topics(),
        [
            "$aws/things/t2/jobs/notify",
            "$aws/things/t3/jobs/notify",
            "$aws/things/t2/jobs/notify-next",
            "$aws/things/t3/jobs/notify-next"
        ]
    );
    // A batch leaves the job's lastUpdatedAt as it was.
    assert_eq!(
        w.ok("DescribeJob", json!({"jobId": "j1"}))["job"]["lastUpdatedAt"],
        0
    );
    w.at(120);
    assert_eq!(queued_things(&w).len(), 5);
    let d = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(d["isConcurrent"], false);
    assert_eq!(d["jobProcessDetails"].get("processingTargets"), None);
    assert_eq!(
        w.svc.poll_timeout(),
        None,
        "no batch timer once the list is empty"
    );
    let rows: Vec<_> = std::iter::from_fn(|| w.svc.poll_transition())
        .map(|r| TRANSITIONS[r.row].cause)
        .collect();
    assert_eq!(rows, [Cause::RolloutBatch; 5]);
}

#[test]
fn decision_28_a_batch_never_exceeds_the_exponential_size() {
    // base 2, factor 1.5, a step every 2 things notified.
    let mut w = fleet(40, rollout(exp(2, json!(1.5), 2)));
    let mut sizes = Vec::new();
    let mut before = 0;
    for k in 0..5u64 {
        w.at(60 * k);
        let now = queued_things(&w).len();
        sizes.push(now - before);
        before = now;
    }
    // c before each batch: 0, 2, 5, 9, 19: m = 0, 1, 2, 4, 9.
    // 2×1.5^0 = 2; 2×1.5 = 3; 2×2.25 = 4.5; 2×5.0625 = 10.125; 2×38.44… = 76.88…, of which
    // only the 21 left wait.
    assert_eq!(sizes, [2, 3, 4, 10, 21]);
}

#[test]
fn decision_28_the_succeeded_criterion_counts_the_job_s_successes() {
    let config = json!({"exponentialRate": {"baseRatePerMinute": 1, "incrementFactor": 2,
        "rateIncreaseCriteria": {"numberOfSucceededThings": 1}}});
    let mut w = fleet(10, rollout(config));
    assert_eq!(queued_things(&w), ["t0"]);
    w.at(60);
    assert_eq!(
        queued_things(&w).len(),
        2,
        "no success yet: still 1 a minute"
    );
    w.update("t0", "j1", "SUCCEEDED", json!({})).unwrap();
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.at(120);
    assert_eq!(queued_things(&w).len(), 6, "2 successes: 1 × 2^2 = 4");
}

#[test]
fn decision_28_joins_retries_and_deletions_are_outside_the_rate() {
    let retry = json!({"criteriaList": [{"failureType": "FAILED", "numberOfRetries": 1}]});
    let mut extra = rollout(json!({"maximumPerMinute": 1}));
    extra["targetSelection"] = json!("CONTINUOUS");
    extra["jobExecutionsRetryConfig"] = retry;
    let mut w = fleet(4, extra);
    assert_eq!(queued_things(&w), ["t0"]);
    // A retry is queued at once, and does not count.
    w.update("t0", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t0", "j1").len(), 2);
    // A new thing joining the group gets its execution at once.
    w.thing("t9");
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t9"}),
    );
    assert_eq!(w.exec("t9", "j1").status, S::Queued);
    // A waiting thing joining another target group gets its execution at once and leaves
    // the list.
    w.ok("CreateThingGroup", json!({"thingGroupName": "h"}));
    w.ok(
        "AssociateTargetsWithJob",
        json!({"jobId": "j1", "targets": [group_arn("h")]}),
    );
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "h", "thingName": "t3"}),
    );
    assert_eq!(w.exec("t3", "j1").queued_at, 0);
    // A waiting thing that leaves the targets, and one deleted, leave without an execution.
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    w.ok("DeleteThing", json!({"thingName": "t2"}));
    assert_eq!(
        w.ok("DescribeJob", json!({"jobId": "j1"}))["job"]["isConcurrent"],
        false
    );
    w.at(600);
    assert!(w.history("t1", "j1").is_empty());
    assert!(w.history("t2", "j1").is_empty());
}

#[test]
fn decision_28_the_list_is_dropped_when_the_job_stops_and_snapshot_completion_waits() {
    let mut w = fleet(3, rollout(json!({"maximumPerMinute": 1})));
    w.update("t0", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(
        w.ok("DescribeJob", json!({"jobId": "j1"}))["job"]["status"],
        "IN_PROGRESS",
        "things still wait"
    );
    w.ok("CancelJob", json!({"jobId": "j1"}));
    assert_eq!(w.svc.poll_timeout(), None);
    w.at(600);
    assert_eq!(queued_things(&w), ["t0"]);
    let d = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(d["isConcurrent"], false);
    // A job whose every target is released completes as usual.
    let mut w = fleet(2, rollout(json!({"maximumPerMinute": 1})));
    w.update("t0", "j1", "SUCCEEDED", json!({})).unwrap();
    w.at(60);
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    let d = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(
        (d["status"].as_str(), d["completedAt"].as_u64()),
        (Some("COMPLETED"), Some(60))
    );
}

#[test]
fn decision_28_update_job_changes_the_rate_from_the_next_batch() {
    let mut w = fleet(10, rollout(json!({"maximumPerMinute": 1})));
    w.at(30);
    w.ok(
        "UpdateJob",
        json!({"jobId": "j1", "jobExecutionsRolloutConfig": {"maximumPerMinute": 4}}),
    );
    assert_eq!(queued_things(&w).len(), 1);
    w.at(60);
    assert_eq!(queued_things(&w).len(), 5);
}

#[test]
fn decision_28_a_scheduled_job_rolls_out_from_its_start() {
    let mut extra = rollout(json!({"maximumPerMinute": 2}));
    extra["schedulingConfig"] = json!({"startTime": "1970-01-01T00:30"});
    let mut w = fleet(3, extra);
    assert!(queued_things(&w).is_empty());
    w.at(1800);
    assert_eq!(queued_things(&w), ["t0", "t1"]);
    assert_eq!(w.svc.poll_timeout(), Some(1860));
    w.at(1860);
    assert_eq!(queued_things(&w).len(), 3);
}

/// The bound: a rollout over 100 000 targets costs its batch per batch, not its
/// targets.
#[test]
fn decision_28_a_batch_over_100_000_targets_costs_the_batch() {
    const N: usize = 100_000;
    let mut w = World::new();
    w.ok("CreateThingGroup", json!({"thingGroupName": "g"}));
    for i in 0..N {
        let t = format!("t{i}");
        w.thing(&t);
        w.ok(
            "AddThingToThingGroup",
            json!({"thingGroupName": "g", "thingName": t}),
        );
    }
    let started = std::time::Instant::now();
    w.job("j1", &["group:g"], json!({}));
    let all_at_once = started.elapsed();
    let mut w2 = World::new();
    w2.ok("CreateThingGroup", json!({"thingGroupName": "g"}));
    for i in 0..N {
        let t = format!("t{i}");
        w2.thing(&t);
        w2.ok(
            "AddThingToThingGroup",
            json!({"thingGroupName": "g", "thingName": t}),
        );
    }
    w2.job("j1", &["group:g"], rollout(json!({"maximumPerMinute": 10})));
    let mut batches = std::time::Duration::ZERO;
    for k in 1..=20u64 {
        let started = std::time::Instant::now();
        w2.at(60 * k);
        batches += started.elapsed();
    }
    assert_eq!(w2.svc.executions().len(), 210);
    eprintln!("100 000 targets: all queued in {all_at_once:?}; 20 batches of 10 in {batches:?}");
    // Twenty batches of ten would cost twenty passes over the list if a batch read it.
    assert!(
        batches * 20 < all_at_once,
        "20 batches took {batches:?}; queuing all {N} took {all_at_once:?}"
    );
}

#[test]
fn decision_23_and_28_deleting_the_last_waiting_target_completes_a_snapshot_job() {
    // t0 is released at 0 and succeeds; t1, the last waiting target, is deleted: no
    // execution is pending and nobody waits, so the job is COMPLETED then, not never.
    let mut w = fleet(2, rollout(json!({"maximumPerMinute": 1})));
    w.update("t0", "j1", "SUCCEEDED", json!({})).unwrap();
    let status =
        |w: &mut World| w.ok("DescribeJob", json!({"jobId": "j1"}))["job"]["status"].clone();
    assert_eq!(status(&mut w), "IN_PROGRESS", "t1 still waits");
    w.at(30).ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(w.svc.jobs()[0].waiting, Vec::<String>::new());
    let job = w.ok("DescribeJob", json!({"jobId": "j1"}))["job"].clone();
    assert_eq!(job["status"], "COMPLETED");
    assert_eq!(job["completedAt"], 30);
    assert_eq!(w.svc.poll_timeout(), None);
    // While another target still waits, deleting one does not complete the job.
    let mut w = fleet(3, rollout(json!({"maximumPerMinute": 1})));
    w.update("t0", "j1", "SUCCEEDED", json!({})).unwrap();
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(status(&mut w), "IN_PROGRESS", "t2 still waits");
    // The list passes over t1's entry: only t2 waits.
    assert_eq!(w.svc.jobs()[0].waiting, ["t2"]);
    w.at(60);
    w.update("t2", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(status(&mut w), "COMPLETED");
}

#[test]
fn decision_28_a_waiting_thing_still_in_another_target_group_keeps_its_place() {
    // t2 is in both target groups of a CONTINUOUS job that releases one thing a minute.
    // Leaving one of them leaves it a target: it keeps waiting and is released in its
    // turn. t1 leaves its only target group: it leaves the list.
    let mut extra = rollout(json!({"maximumPerMinute": 1}));
    extra["targetSelection"] = json!("CONTINUOUS");
    let mut w = World::with(Config::default());
    w.thing("t0").thing("t1").thing("t2");
    w.group("g", &["t0", "t1", "t2"]).group("h", &["t2"]);
    w.job("j1", &["group:g", "group:h"], extra);
    assert_eq!(queued_things(&w), ["t0"]);
    assert_eq!(w.svc.jobs()[0].waiting, ["t1", "t2"]);
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "h", "thingName": "t2"}),
    );
    assert_eq!(w.svc.jobs()[0].waiting, ["t1", "t2"], "t2 is still in g");
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(w.svc.jobs()[0].waiting, ["t2"], "t1 is no target now");
    w.at(60);
    assert_eq!(queued_things(&w), ["t0", "t2"]);
    assert_eq!(w.exec("t2", "j1").queued_at, 60);
    assert!(w.history("t1", "j1").is_empty());
}

#[test]
fn decision_28_a_thing_waiting_in_two_rollouts_is_released_by_each_in_its_turn() {
    // t2 waits in j1 (behind t1) and in j2 (after t1, released at once): j2 releases it
    // at 60 while it still waits in j1, and j1 releases it at 120.
    let slow = rollout(json!({"maximumPerMinute": 1}));
    let mut w = fleet(3, slow.clone());
    w.group("h", &["t1", "t2"]).job("j2", &["group:h"], slow);
    let waiting =
        |w: &World| -> Vec<Vec<String>> { w.svc.jobs().into_iter().map(|j| j.waiting).collect() };
    assert_eq!(waiting(&w), [vec!["t1", "t2"], vec!["t2"]]);
    w.at(60);
    assert_eq!(waiting(&w), [vec!["t2"], vec![]]);
    assert_eq!(w.exec("t2", "j2").queued_at, 60);
    assert!(w.history("t2", "j1").is_empty());
    w.at(120);
    assert_eq!(waiting(&w), [Vec::<String>::new(), vec![]]);
    assert_eq!(w.exec("t2", "j1").queued_at, 120);
}
