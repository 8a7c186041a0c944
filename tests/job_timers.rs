//! `Service::due_timers` lists a job's timers (rollout batches, decision 28; startTime and
//! endTime, decision 32) with the executions' timers (decision 17), in the order the clock
//! fires them (Details, timers: by moment, then by the order they were set).

mod common;

use common::*;
use iot_jobs_spec::{JobExecutionStatus as S, TimerKind};
use serde_json::json;

/// (moment, kind, job, thing, execution number) of every timer due by `until`.
fn due(w: &World, until: u64) -> Vec<(u64, TimerKind, String, String, i64)> {
    w.svc
        .due_timers(until)
        .into_iter()
        .map(|t| {
            (
                t.deadline,
                t.kind,
                t.job_id,
                t.thing_name,
                t.execution_number,
            )
        })
        .collect()
}

fn t(
    at: u64,
    kind: TimerKind,
    job: &str,
    thing: &str,
    n: i64,
) -> (u64, TimerKind, String, String, i64) {
    (at, kind, job.to_owned(), thing.to_owned(), n)
}

/// At 0: `jR` rolls out one thing a minute over t1, t2, t3 (t1 queued at once, the next
/// batch at 60); `jS` is SCHEDULED from 3600 to 7200; `jP` on t4 has a one-minute
/// in-progress timeout. At 30 t4 starts `jP` (deadline 90). At 60 the batch releases t2
/// and sets the next one at 120; then t2 starts `jR` with a one-minute step timer
/// (deadline 120, set after the batch at 120).
fn world() -> World {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3").thing("t4");
    w.job(
        "jR",
        &["t1", "t2", "t3"],
        json!({"jobExecutionsRolloutConfig": {"maximumPerMinute": 1}}),
    );
    w.job(
        "jS",
        &["t1"],
        json!({"schedulingConfig": {"startTime": "1970-01-01T01:00",
                                    "endTime": "1970-01-01T02:00"}}),
    );
    w.job(
        "jP",
        &["t4"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1}}),
    );
    w.at(30);
    w.update("t4", "jP", "IN_PROGRESS", json!({})).unwrap();
    w
}

#[test]
fn decisions_28_32_due_timers_lists_job_timers_with_execution_timers_in_firing_order() {
    let mut w = world();
    assert_eq!(
        due(&w, u64::MAX),
        [
            t(60, TimerKind::RolloutBatch, "jR", "", 0),
            t(90, TimerKind::InProgress, "jP", "t4", 1),
            t(3600, TimerKind::StartTime, "jS", "", 0),
            t(7200, TimerKind::EndTime, "jS", "", 0),
        ]
    );
    assert_eq!(w.svc.poll_timeout(), Some(60));
    // `until` is inclusive and cuts both queues.
    assert_eq!(due(&w, 59), []);
    assert_eq!(due(&w, 60), [t(60, TimerKind::RolloutBatch, "jR", "", 0)]);
    assert_eq!(due(&w, 3599).len(), 2);

    w.at(60);
    assert_eq!(
        w.exec("t2", "jR").status,
        S::Queued,
        "the batch at 60 released t2"
    );
    w.update(
        "t2",
        "jR",
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 1}),
    )
    .unwrap();
    // Two timers at 120: the batch, set when the batch at 60 fired, comes first.
    assert_eq!(
        due(&w, 120),
        [
            t(90, TimerKind::InProgress, "jP", "t4", 1),
            t(120, TimerKind::RolloutBatch, "jR", "", 0),
            t(120, TimerKind::Step, "jR", "t2", 1),
        ]
    );
}

#[test]
fn decisions_32_34_a_fired_or_dropped_job_timer_leaves_the_list() {
    let mut w = world();
    w.at(3600);
    assert_eq!(w.describe_job("jS")["status"], "IN_PROGRESS");
    let left: Vec<_> = due(&w, u64::MAX)
        .into_iter()
        .filter(|x| x.2 == "jS")
        .collect();
    assert_eq!(left, [t(7200, TimerKind::EndTime, "jS", "", 0)]);
    w.ok("DeleteJob", json!({"jobId": "jS", "force": true}));
    assert!(due(&w, u64::MAX).iter().all(|x| x.2 != "jS"));
    // jR's list emptied long ago: no batch is left either.
    assert!(due(&w, u64::MAX).is_empty(), "{:?}", due(&w, u64::MAX));
    assert_eq!(w.svc.poll_timeout(), None);
}

#[test]
fn only_the_job_kinds_are_job_timers() {
    use TimerKind::*;
    for (kind, job) in [
        (Step, false),
        (InProgress, false),
        (RolloutBatch, true),
        (StartTime, true),
        (EndTime, true),
    ] {
        assert_eq!(kind.is_job_timer(), job, "{kind:?}");
    }
}

/// Found by tests/properties_lifecycle.rs: an abort (decision 30) cancels the job as
/// CancelJob does (decision 21), so its endTime timer goes with the rollout list (Details,
/// timers); it used to stay in `poll_timeout` and fire on the CANCELED job.
#[test]
fn decision_30_an_abort_drops_the_jobs_end_time_timer() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    w.job(
        "jA",
        &["t1", "t2"],
        json!({"abortConfig": {"criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
                                                 "minNumberOfExecutedThings": 1,
                                                 "thresholdPercentage": 50}]},
               "schedulingConfig": {"endTime": "1970-01-01T01:00", "endBehavior": "CANCEL"}}),
    );
    assert_eq!(
        due(&w, u64::MAX),
        [t(3600, TimerKind::EndTime, "jA", "", 0)]
    );
    w.at(10);
    w.update("t1", "jA", "FAILED", json!({})).unwrap();
    assert_eq!(w.describe_job("jA")["status"], "CANCELED");
    assert_eq!(w.exec("t2", "jA").status, S::Canceled);
    assert_eq!(due(&w, u64::MAX), []);
    assert_eq!(w.svc.poll_timeout(), None);
}

/// Found by tests/properties_lifecycle.rs: a scheduled SNAPSHOT job that reaches no thing
/// at its startTime is COMPLETED at once (decision 32), and its endTime timer, which could
/// no longer do anything, goes with it.
#[test]
fn decision_32_a_job_completed_at_its_start_keeps_no_end_time_timer() {
    let mut w = World::new();
    w.thing("t1");
    w.job(
        "jE",
        &["t1"],
        json!({"schedulingConfig": {"startTime": "1970-01-01T01:00",
                                    "endTime": "1970-01-01T02:00",
                                    "endBehavior": "FORCE_CANCEL"}}),
    );
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    w.at(3600);
    assert_eq!(w.describe_job("jE")["status"], "COMPLETED");
    assert_eq!(due(&w, u64::MAX), []);
    assert_eq!(w.svc.poll_timeout(), None);
}
