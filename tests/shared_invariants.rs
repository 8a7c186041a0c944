//! The shared invariants of a state and of a step (`tests/common/invariants.rs`, checked
//! by the property tests and the exhaustive exploration) can each fail: a state the
//! service really reaches, and a step it really takes, pass them, and each with one fact
//! broken is refused by the invariant that speaks of it.

mod common;

use common::invariants::{by_id, changes, check, Ids, StateView, Step};
use common::*;
use iot_jobs_spec::rules::{Cause, Transition};
use iot_jobs_spec::{
    ExecutionRecord, JobExecutionStatus as S, JobRecord, JobStatus, Switches, TimerKind,
};
use serde_json::json;

/// A real state with something for every invariant to read: at t=100,
/// - `jS` (SNAPSHOT, in-progress timeout 1 minute, retries `{ALL: 1}`) on `t1` and `t2`:
///   `t1`'s IN_PROGRESS since 10 with a 2-minute step timer; `t2`'s #1 FAILED at 20 and
///   retried as #2, QUEUED;
/// - `jC` (CONTINUOUS, group `g` holding `t1`): QUEUED on `t1`;
/// - `jX` on `t3`: CANCELED, so the job is COMPLETED;
/// - `jT` on `t3`: SCHEDULED, starting at 3600 and ending at 7200 (two job timers);
/// - `jR` (SNAPSHOT on `t4`, `t5`, `t6`, one per minute: decision 28): `t4` queued at 0 and
///   SUCCEEDED at 20, `t5` and `t6` waiting for the batch timer at 60, so the job is
///   IN_PROGRESS with nothing pending.
fn reached() -> StateView {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3").group("g", &["t1"]);
    w.thing("t4").thing("t5").thing("t6");
    w.job(
        "jS",
        &["t1", "t2"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1},
               "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "ALL", "numberOfRetries": 1}]}}),
    );
    w.job("jC", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    w.job("jX", &["t3"], json!({}));
    w.job(
        "jT",
        &["t3"],
        json!({"schedulingConfig": {"startTime": "1970-01-01T01:00",
                                    "endTime": "1970-01-01T02:00"}}),
    );
    w.job(
        "jR",
        &["t4", "t5", "t6"],
        json!({"jobExecutionsRolloutConfig": {"maximumPerMinute": 1}}),
    );
    w.at(10);
    w.update(
        "t1",
        "jS",
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 2}),
    )
    .unwrap();
    w.at(20);
    w.update("t2", "jS", "FAILED", json!({})).unwrap();
    w.update("t4", "jR", "SUCCEEDED", json!({})).unwrap();
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t3", "jobId": "jX"}),
    );
    w.at(30);
    let v = StateView::of(&w.svc);
    assert_eq!(check(&v), Ok(()), "the state the service reached");
    v
}

/// The execution of `job` on `thing` numbered `n`.
fn exec<'a>(v: &'a mut StateView, job: &str, thing: &str, n: i64) -> &'a mut ExecutionRecord {
    v.executions
        .iter_mut()
        .find(|e| e.job_id == job && e.thing_name == thing && e.execution_number == n)
        .unwrap_or_else(|| panic!("no {job}/{thing}#{n}"))
}

fn job<'a>(v: &'a mut StateView, job: &str) -> &'a mut JobRecord {
    v.jobs
        .iter_mut()
        .find(|j| j.job_id == job)
        .unwrap_or_else(|| panic!("no job {job}"))
}

fn job_status<'a>(v: &'a mut StateView, id: &str) -> &'a mut JobStatus {
    &mut job(v, id).status
}

/// Takes `jR`'s batch timer away (and out of `poll_timeout`: `jS`'s in-progress deadline
/// at 70 is then the earliest), as a job whose list was dropped would have it.
fn drop_batch_timer(v: &mut StateView) {
    v.job_timers.retain(|t| t.2 != TimerKind::RolloutBatch);
    v.poll_timeout = Some(70);
}

type Breaks = fn(&mut StateView);

/// One broken fact per row, and the invariant that must refuse it.
const BROKEN: &[(&str, &str, Breaks)] = &[
    // execution_fields
    ("lastUpdatedAt after now", "execution_fields", |v| {
        exec(v, "jS", "t2", 1).last_updated_at = 31;
    }),
    ("queuedAt after lastUpdatedAt", "execution_fields", |v| {
        exec(v, "jS", "t2", 1).queued_at = 25;
    }),
    ("startedAt before queuedAt", "execution_fields", |v| {
        exec(v, "jS", "t1", 1).queued_at = 5;
        exec(v, "jS", "t1", 1).started_at = Some(4);
    }),
    ("versionNumber 0", "execution_fields", |v| {
        exec(v, "jS", "t2", 1).version_number = 0;
    }),
    (
        "a QUEUED execution with version 2",
        "execution_fields",
        |v| {
            exec(v, "jS", "t2", 2).version_number = 2;
        },
    ),
    ("a QUEUED execution started", "execution_fields", |v| {
        exec(v, "jS", "t2", 2).started_at = Some(20);
    }),
    (
        "an IN_PROGRESS execution not started",
        "execution_fields",
        |v| {
            exec(v, "jS", "t1", 1).started_at = None;
        },
    ),
    (
        "forceCanceled on a FAILED execution",
        "execution_fields",
        |v| {
            exec(v, "jS", "t2", 1).force_canceled = Some(false);
        },
    ),
    (
        "a CANCELED execution without forceCanceled",
        "execution_fields",
        |v| {
            exec(v, "jX", "t3", 1).force_canceled = None;
        },
    ),
    ("retryAttempt over the budget", "execution_fields", |v| {
        exec(v, "jS", "t2", 2).retry_attempt = 2;
    }),
    ("a negative retryAttempt", "execution_fields", |v| {
        exec(v, "jC", "t1", 1).retry_attempt = -1;
    }),
    // timers
    ("a timer on a QUEUED execution", "timers", |v| {
        exec(v, "jS", "t2", 2).step_deadline = Some(500);
    }),
    (
        "an in-progress deadline not startedAt + timeout",
        "timers",
        |v| {
            exec(v, "jS", "t1", 1).in_progress_deadline = Some(71);
        },
    ),
    ("a deadline at or before now", "timers", |v| v.now = 70),
    ("a deadline missing from the timer queue", "timers", |v| {
        v.timers.pop();
    }),
    ("poll_timeout not the earliest deadline", "timers", |v| {
        v.poll_timeout = Some(130);
    }),
    // job timers (decisions 32, 34), checked with the timers
    ("a startTime timer on an IN_PROGRESS job", "timers", |v| {
        *job_status(v, "jT") = JobStatus::InProgress;
    }),
    ("an endTime timer on a CANCELED job", "timers", |v| {
        *job_status(v, "jT") = JobStatus::Canceled;
    }),
    ("a job timer of a deleted job", "timers", |v| {
        v.jobs.retain(|j| j.job_id != "jT");
    }),
    ("two startTime timers of one job", "timers", |v| {
        let t = v
            .job_timers
            .iter()
            .find(|t| t.2 == TimerKind::StartTime)
            .expect("jT's startTime")
            .clone();
        v.job_timers.push((t.0 + 60, t.1, t.2));
    }),
    ("two batch timers of one job", "timers", |v| {
        v.job_timers
            .push((120, "jR".to_owned(), TimerKind::RolloutBatch));
    }),
    ("a job timer missing from poll_timeout", "timers", |v| {
        for e in &mut v.executions {
            (e.step_deadline, e.in_progress_deadline) = (None, None);
        }
        v.timers.clear();
        v.poll_timeout = None;
    }),
    // histories
    (
        "executionNumbers falling in creation order",
        "histories",
        |v| {
            exec(v, "jS", "t2", 1).execution_number = 3;
        },
    ),
    (
        "the service's newest not the last created",
        "histories",
        |v| {
            let first = exec(v, "jS", "t2", 1).creation_order;
            v.newest
                .insert(("jS".to_owned(), "t2".to_owned()), Some(first));
        },
    ),
    (
        "two pending executions of a job on a thing",
        "histories",
        |v| {
            let e = exec(v, "jS", "t2", 1);
            (e.status, e.version_number) = (S::Queued, 1);
        },
    ),
    ("the pending execution not the newest", "histories", |v| {
        let e = exec(v, "jS", "t2", 1);
        (e.status, e.version_number) = (S::Queued, 1);
        exec(v, "jS", "t2", 2).status = S::Failed;
    }),
    // pending_order
    ("a pending order not decision 4's", "pending_order", |v| {
        v.pending_orders.get_mut("t1").expect("t1").reverse();
    }),
    (
        "a pending execution left out of the order",
        "pending_order",
        |v| {
            v.pending_orders.get_mut("t2").expect("t2").clear();
        },
    ),
    // status_counts
    ("a status miscounted", "status_counts", |v| {
        v.status_counts[0].1 += 1
    }),
    // jobs
    (
        "a SNAPSHOT job COMPLETED with pending executions",
        "jobs",
        |v| {
            *job_status(v, "jS") = JobStatus::Completed;
        },
    ),
    (
        "a SNAPSHOT job IN_PROGRESS with nothing pending",
        "jobs",
        |v| {
            *job_status(v, "jX") = JobStatus::InProgress;
        },
    ),
    ("a CONTINUOUS job COMPLETED", "jobs", |v| {
        *job_status(v, "jC") = JobStatus::Completed;
    }),
    // jobs, as decision 28 amends decision 23
    (
        "decision 28: a SNAPSHOT job IN_PROGRESS with nothing pending and nobody waiting",
        "jobs",
        |v| {
            job(v, "jR").waiting.clear();
            drop_batch_timer(v);
        },
    ),
    (
        "decision 28: a SNAPSHOT job COMPLETED with things waiting",
        "jobs",
        |v| {
            *job_status(v, "jR") = JobStatus::Completed;
            drop_batch_timer(v);
        },
    ),
    // rollout (decision 28)
    (
        "decision 28: a waiting thing with an execution of the job",
        "rollout",
        |v| {
            job(v, "jR").waiting.push("t4".to_owned());
        },
    ),
    ("decision 28: a thing waiting twice", "rollout", |v| {
        job(v, "jR").waiting.push("t5".to_owned());
    }),
    (
        "decision 28: a waiting thing that does not exist",
        "rollout",
        |v| {
            v.things.retain(|t| t != "t6");
        },
    ),
    (
        "decision 28: a rollout list kept by a CANCELED job",
        "rollout",
        |v| {
            *job_status(v, "jR") = JobStatus::Canceled;
            drop_batch_timer(v);
        },
    ),
    (
        "decision 28: things waiting with no batch timer",
        "rollout",
        drop_batch_timer,
    ),
    (
        "decision 28: a batch timer with nobody waiting",
        "rollout",
        |v| {
            v.job_timers
                .push((90, "jS".to_owned(), TimerKind::RolloutBatch));
        },
    ),
];

#[test]
fn the_reached_state_has_what_the_broken_facts_need() {
    let mut v = reached();
    assert_eq!(exec(&mut v, "jS", "t1", 1).status, S::InProgress);
    assert_eq!(exec(&mut v, "jS", "t1", 1).in_progress_deadline, Some(70));
    assert_eq!(exec(&mut v, "jS", "t1", 1).step_deadline, Some(130));
    assert_eq!(exec(&mut v, "jS", "t2", 1).status, S::Failed);
    assert_eq!(exec(&mut v, "jS", "t2", 2).status, S::Queued);
    assert_eq!(exec(&mut v, "jS", "t2", 2).retry_attempt, 1);
    assert_eq!(exec(&mut v, "jX", "t3", 1).status, S::Canceled);
    assert_eq!(*job_status(&mut v, "jX"), JobStatus::Completed);
    assert_eq!(v.pending_orders["t1"].len(), 2);
    // One entry per execution: its effective (earlier) deadline (decision 17).
    assert_eq!(v.timers.len(), 1);
    assert_eq!(
        v.job_timers,
        [
            (60, "jR".to_owned(), TimerKind::RolloutBatch),
            (3600, "jT".to_owned(), TimerKind::StartTime),
            (7200, "jT".to_owned(), TimerKind::EndTime)
        ]
    );
    assert_eq!(v.poll_timeout, Some(60));
    // Decision 28: t4 released at 0 and done; t5 and t6 wait, in the targets' order.
    assert_eq!(job(&mut v, "jR").waiting, ["t5", "t6"]);
    assert_eq!(*job_status(&mut v, "jR"), JobStatus::InProgress);
    assert_eq!(exec(&mut v, "jR", "t4", 1).status, S::Succeeded);
}

#[test]
fn every_shared_invariant_refuses_a_state_that_breaks_it() {
    let mut labels = std::collections::BTreeSet::new();
    for (fact, invariant, breaks) in BROKEN {
        let mut v = reached();
        breaks(&mut v);
        let found = check(&v).expect_err(fact);
        assert!(
            found.starts_with(&format!("[{invariant}] ")),
            "{fact}: refused by the wrong invariant: {found}"
        );
        labels.insert(*invariant);
    }
    // Every invariant `check` runs is broken at least once above.
    assert_eq!(
        labels.into_iter().collect::<Vec<_>>(),
        [
            "execution_fields",
            "histories",
            "jobs",
            "pending_order",
            "rollout",
            "status_counts",
            "timers"
        ]
    );
}

/// A real step and what its checker knows of it: at t=10 the device reports FAILED for
/// `jS` on `t1` (IN_PROGRESS since 5, retries `{ALL: 1}`), which is retried at once.
struct RealStep {
    before: Ids,
    after: Ids,
    /// The cause and force by which the step may change execution #1.
    cause: Option<(Cause, bool)>,
    /// The step's own creating cause and its moment.
    creates: Option<(Cause, u64)>,
}

fn real_step() -> RealStep {
    let mut w = World::new();
    w.thing("t1").job("jS", &["t1"], retry(&[("ALL", 1)]));
    w.at(5);
    w.update("t1", "jS", "IN_PROGRESS", json!({})).unwrap();
    w.at(10);
    let before = by_id(&w.svc);
    w.update("t1", "jS", "FAILED", json!({})).unwrap();
    RealStep {
        before,
        after: by_id(&w.svc),
        cause: Some((Cause::UpdateJobExecution, false)),
        creates: None,
    }
}

fn check_step(s: &RealStep) -> Result<Vec<&'static Transition>, String> {
    let first = s.before.keys().next().copied();
    let may_change = |e: &ExecutionRecord| s.cause.filter(|_| Some(e.creation_order) == first);
    let step = Step {
        now: 10,
        clock: false,
        may_change: &may_change,
        may_delete: &|_| None,
        creates: s.creates,
        job_timer_at: None,
        switches: Switches::default(),
    };
    changes(&s.before, &s.after, &step).map(|t| t.into_iter().map(|t| t.row).collect())
}

/// Execution `n` of `jS` on `t1` in `ids`.
fn nth(ids: &mut Ids, n: i64) -> &mut ExecutionRecord {
    ids.values_mut()
        .find(|e| e.execution_number == n)
        .unwrap_or_else(|| panic!("no #{n}"))
}

type BreaksStep = fn(&mut RealStep);

/// One broken fact of the step per row, and what the refusal says.
const BROKEN_STEPS: &[(&str, &str, BreaksStep)] = &[
    ("a change the step may not make", "may not change", |s| {
        s.cause = None;
    }),
    (
        "a deletion the step may not make",
        "deleted by the step",
        |s| {
            s.after.clear();
        },
    ),
    (
        "a terminal execution changed",
        "a terminal execution changed",
        |s| {
            nth(&mut s.before, 1).status = S::Succeeded;
        },
    ),
    (
        "queuedAt changed",
        "identity, queuedAt or retryAttempt",
        |s| {
            nth(&mut s.after, 1).queued_at = 1;
        },
    ),
    (
        "a change no row makes",
        "no row takes IN_PROGRESS to CANCELED",
        |s| {
            nth(&mut s.after, 1).status = S::Canceled;
        },
    ),
    ("a row whose condition does not hold", "condition", |s| {
        nth(&mut s.after, 1).status = S::Rejected;
        s.after.retain(|_, e| e.execution_number == 1);
    }),
    (
        "a device's change that keeps the version",
        "versionNumber 2 -> 2",
        |s| {
            nth(&mut s.after, 1).version_number = 2;
        },
    ),
    ("lastUpdatedAt not the moment", "lastUpdatedAt 11", |s| {
        nth(&mut s.after, 1).last_updated_at = 11;
    }),
    (
        "a cancel that does not record its force",
        "forceCanceled",
        |s| {
            s.cause = Some((Cause::CancelJobExecution, true));
            let e = nth(&mut s.after, 1);
            (e.status, e.version_number) = (S::Canceled, 2);
            s.after.retain(|_, e| e.execution_number == 1);
        },
    ),
    ("a new execution not at version 1", "not QUEUED v1", |s| {
        nth(&mut s.after, 2).version_number = 2;
    }),
    (
        "a new execution not numbered highest + 1",
        "executionNumber 3",
        |s| {
            nth(&mut s.after, 2).execution_number = 3;
        },
    ),
    (
        "a retry without a failure",
        "a retry without a failure",
        |s| {
            nth(&mut s.after, 1).status = S::Succeeded;
        },
    ),
    (
        "a creation by a step that creates nothing",
        "creates nothing",
        |s| {
            nth(&mut s.after, 2).retry_attempt = 0;
        },
    ),
    (
        "a new execution queued at another moment than the step's creation",
        "not QUEUED v1 queued at 60",
        |s| {
            s.creates = Some((Cause::RolloutBatch, 60));
            nth(&mut s.after, 2).retry_attempt = 0;
        },
    ),
    (
        "two new executions of a job on a thing",
        "two executions of jS on t1",
        |s| {
            let mut twin = nth(&mut s.after, 2).clone();
            twin.creation_order += 1;
            s.after.insert(twin.creation_order, twin);
        },
    ),
];

#[test]
fn the_real_step_takes_its_two_rows() {
    let rows = check_step(&real_step()).expect("the real step");
    let rows: Vec<_> = rows.iter().map(|t| (t.from, t.to, t.cause)).collect();
    assert_eq!(
        rows,
        [
            (
                Some(S::InProgress),
                Some(S::Failed),
                Cause::UpdateJobExecution
            ),
            (None, Some(S::Queued), Cause::Retry),
        ]
    );
    // A creating step may queue a non-retry execution.
    let mut s = real_step();
    s.creates = Some((Cause::CreateJob, 10));
    nth(&mut s.after, 2).retry_attempt = 0;
    assert!(check_step(&s).is_ok());
}

#[test]
fn every_shared_step_invariant_refuses_a_step_that_breaks_it() {
    for (fact, says, breaks) in BROKEN_STEPS {
        let mut s = real_step();
        breaks(&mut s);
        let found = check_step(&s).expect_err(fact);
        assert!(
            found.contains(says),
            "{fact}: refused for another reason: {found}"
        );
    }
}

/// Decision 32 in the step invariants: at a FORCE_CANCEL endTime (1800) a clock move
/// cancels the job's QUEUED execution by the end-behaviour row, at the end timer's
/// deadline, recording the force; a checker that gives another moment or another force
/// is refused.
#[test]
fn decision_32_an_end_behaviour_changes_at_the_end_timer_and_records_its_force() {
    let mut w = World::new();
    w.thing("t1").job(
        "jE",
        &["t1"],
        json!({"schedulingConfig": {"endTime": "1970-01-01T00:30",
                                    "endBehavior": "FORCE_CANCEL"}}),
    );
    let before = by_id(&w.svc);
    w.at(1900);
    let after = by_id(&w.svc);
    let check = |end_at: u64, force: bool| {
        let may_change = |_: &ExecutionRecord| Some((Cause::EndBehaviorCancel, force));
        let step = Step {
            now: 1900,
            clock: true,
            may_change: &may_change,
            may_delete: &|_| None,
            creates: None,
            job_timer_at: Some(end_at),
            switches: Switches::default(),
        };
        changes(&before, &after, &step).map(|t| t.into_iter().map(|t| t.row).collect::<Vec<_>>())
    };
    let rows = check(1800, true).expect("the real step");
    assert_eq!(
        rows.iter()
            .map(|t| (t.from, t.to, t.cause))
            .collect::<Vec<_>>(),
        [(Some(S::Queued), Some(S::Canceled), Cause::EndBehaviorCancel)]
    );
    let moment = check(1900, true).expect_err("the clock's end, not the timer's deadline");
    assert!(
        moment.contains("lastUpdatedAt 1800 after a change at 1900"),
        "{moment}"
    );
    let force = check(1800, false).expect_err("FORCE_CANCEL records force");
    assert!(force.contains("forceCanceled Some(true)"), "{force}");
}
