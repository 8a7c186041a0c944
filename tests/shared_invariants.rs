//! The shared invariants of a state (`tests/common/invariants.rs`, checked by the property
//! tests and the exhaustive exploration) can each fail: a state the service really
//! reaches passes them, and that state with one fact broken is refused by the invariant
//! that speaks of it.

mod common;

use common::invariants::{check, StateView};
use common::*;
use iot_jobs_spec::{ExecutionRecord, JobExecutionStatus as S, JobStatus};
use serde_json::json;

/// A real state with something for every invariant to read: at t=100,
/// - `jS` (SNAPSHOT, in-progress timeout 1 minute, retries `{ALL: 1}`) on `t1` and `t2`:
///   `t1`'s IN_PROGRESS since 10 with a 2-minute step timer; `t2`'s #1 FAILED at 20 and
///   retried as #2, QUEUED;
/// - `jC` (CONTINUOUS, group `g` holding `t1`): QUEUED on `t1`;
/// - `jX` on `t3`: CANCELED, so the job is COMPLETED.
fn reached() -> StateView {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3").group("g", &["t1"]);
    w.job(
        "jS",
        &["t1", "t2"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1},
               "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "ALL", "numberOfRetries": 1}]}}),
    );
    w.job("jC", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    w.job("jX", &["t3"], json!({}));
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

fn job_status<'a>(v: &'a mut StateView, job: &str) -> &'a mut JobStatus {
    &mut v
        .jobs
        .iter_mut()
        .find(|j| j.job_id == job)
        .unwrap_or_else(|| panic!("no job {job}"))
        .status
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
            "status_counts",
            "timers"
        ]
    );
}
