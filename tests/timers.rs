//! Timers on the logical clock: the in-progress timer (when it starts, that it never
//! moves), the step timer (set, replaced, canceled with -1, left alone, validated), the
//! timeout itself (the earlier deadline, TIMED_OUT at exactly that moment with lastUpdatedAt
//! = the deadline and versionNumber unchanged, approximateSecondsBeforeTimedOut), and the
//! order in which several timers fire in one clock advance (decisions 15, 16 and 17;
//! details, timers, the part that is not about MQTT messages).

mod common;
use common::*;

use iot_jobs_spec::Plane;
use serde_json::{json, Value};

/// A thing `t1` and a job `j1` on it with an in-progress timeout of `minutes` (none when
/// `None`), created at the world's time.
fn world(minutes: Option<i64>) -> World {
    let mut w = World::new();
    w.thing("t1");
    let extra = match minutes {
        Some(m) => json!({"timeoutConfig": {"inProgressTimeoutInMinutes": m}}),
        None => json!({}),
    };
    w.job("j1", &["t1"], extra);
    w
}

fn status(w: &World) -> String {
    w.exec("t1", "j1").status.as_str().to_owned()
}

fn progress(w: &mut World, extra: Value) -> Result<Value, Value> {
    w.update("t1", "j1", "IN_PROGRESS", extra)
}

/// `approximateSecondsBeforeTimedOut` as the data plane, the control plane and the
/// inspection API see it now; the two planes must agree.
fn seconds_left(w: &mut World) -> Option<i64> {
    let ctl = w.control_describe("t1", "j1");
    let ctl = ctl
        .get("approximateSecondsBeforeTimedOut")
        .map(|v| v.as_i64().unwrap());
    if let Ok(d) = w.describe("t1", "j1", json!({})) {
        let data = d["execution"]
            .get("approximateSecondsBeforeTimedOut")
            .map(|v| v.as_i64().unwrap());
        assert_eq!(data, ctl, "the planes disagree");
    }
    ctl
}

// ---------------------------------------------------------------------------------------
// Decision 15: the in-progress timer
// ---------------------------------------------------------------------------------------

#[test]
fn decision_15_in_progress_timer_starts_when_the_execution_first_becomes_in_progress() {
    let mut w = world(Some(5));
    // While QUEUED no timer runs, however long it waits.
    assert_eq!(w.svc.poll_timeout(), None);
    assert_eq!(w.exec("t1", "j1").in_progress_deadline, None);
    w.at(1000);
    assert_eq!(status(&w), "QUEUED");
    assert_eq!(seconds_left(&mut w), None);

    progress(&mut w, json!({})).unwrap();
    assert_eq!(w.exec("t1", "j1").in_progress_deadline, Some(1300));
    assert_eq!(w.svc.poll_timeout(), Some(1300));
    assert_eq!(seconds_left(&mut w), Some(300));

    w.at(1299);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(1300);
    assert_eq!(status(&w), "TIMED_OUT");
    assert_eq!(w.exec("t1", "j1").last_updated_at, 1300);
}

#[test]
fn decision_15_start_next_starts_the_in_progress_timer() {
    let mut w = world(Some(5));
    w.at(50);
    let r = w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert_eq!(r["execution"]["status"], "IN_PROGRESS");
    assert_eq!(r["execution"]["approximateSecondsBeforeTimedOut"], 300);
    assert_eq!(w.exec("t1", "j1").in_progress_deadline, Some(350));
    w.at(349);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(350);
    assert_eq!(status(&w), "TIMED_OUT");
}

#[test]
fn decision_15_in_progress_timer_does_not_move_afterwards() {
    let mut w = world(Some(10));
    progress(&mut w, json!({})).unwrap();
    assert_eq!(w.exec("t1", "j1").in_progress_deadline, Some(600));
    for t in [100, 200, 500] {
        w.at(t);
        progress(&mut w, json!({"statusDetails": {"at": t.to_string()}})).unwrap();
        assert_eq!(w.exec("t1", "j1").in_progress_deadline, Some(600), "at {t}");
        assert_eq!(seconds_left(&mut w), Some(600 - t as i64), "at {t}");
    }
    // StartNext of the IN_PROGRESS head does not restart it either.
    w.at(550);
    w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert_eq!(w.exec("t1", "j1").in_progress_deadline, Some(600));
    w.at(599);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(600);
    assert_eq!(status(&w), "TIMED_OUT");
    assert_eq!(w.exec("t1", "j1").last_updated_at, 600);
}

#[test]
fn decision_15_in_progress_timeout_is_1_to_10080_minutes() {
    let mut w = World::new();
    w.thing("t1");
    for bad in [0, -1, 10081] {
        let err = w.err(
            "CreateJob",
            json!({"jobId": "bad", "targets": [thing_arn("t1")], "document": "{}",
                   "timeoutConfig": {"inProgressTimeoutInMinutes": bad}}),
        );
        assert_eq!(err, "InvalidRequestException", "{bad}");
    }
    assert!(w.svc.jobs().is_empty(), "a refused CreateJob created a job");
    assert!(w.svc.executions().is_empty());

    w.job(
        "one",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1}}),
    );
    w.job(
        "week",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 10080}}),
    );
    w.update("t1", "week", "IN_PROGRESS", json!({})).unwrap();
    w.update("t1", "one", "IN_PROGRESS", json!({})).unwrap();
    assert_eq!(w.exec("t1", "one").in_progress_deadline, Some(60));
    assert_eq!(w.exec("t1", "week").in_progress_deadline, Some(604_800));
    w.at(604_799);
    assert_eq!(w.exec("t1", "one").status.as_str(), "TIMED_OUT");
    assert_eq!(w.exec("t1", "week").status.as_str(), "IN_PROGRESS");
    w.at(604_800);
    assert_eq!(w.exec("t1", "week").status.as_str(), "TIMED_OUT");
}

// ---------------------------------------------------------------------------------------
// Decision 16: the step timer
// ---------------------------------------------------------------------------------------

#[test]
fn decision_16_step_timeout_sets_deadline_now_plus_minutes() {
    // Through UpdateJobExecution.
    let mut w = world(None);
    w.at(10);
    progress(&mut w, json!({"stepTimeoutInMinutes": 2})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(130));
    assert_eq!(w.exec("t1", "j1").in_progress_deadline, None);
    assert_eq!(w.svc.poll_timeout(), Some(130));
    w.at(129);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(130);
    assert_eq!(status(&w), "TIMED_OUT");

    // Through StartNextPendingJobExecution.
    let mut w = world(None);
    w.at(10);
    let r = w.ok(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "stepTimeoutInMinutes": 3}),
    );
    assert_eq!(r["execution"]["approximateSecondsBeforeTimedOut"], 180);
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(190));
    w.at(190);
    assert_eq!(status(&w), "TIMED_OUT");
}

#[test]
fn decision_16_a_new_step_timeout_replaces_the_earlier_one() {
    let mut w = world(None);
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(300));
    // Later: the old deadline no longer applies.
    w.at(100);
    progress(&mut w, json!({"stepTimeoutInMinutes": 10})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(700));
    w.at(300);
    assert_eq!(status(&w), "IN_PROGRESS", "the replaced timer fired");
    // Earlier: replaced too, not kept as the later of the two.
    w.at(400);
    progress(&mut w, json!({"stepTimeoutInMinutes": 1})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(460));
    assert_eq!(w.svc.poll_timeout(), Some(460));
    w.at(459);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(460);
    assert_eq!(status(&w), "TIMED_OUT");
    assert_eq!(w.exec("t1", "j1").last_updated_at, 460);
}

#[test]
fn decision_16_minus_one_cancels_the_step_timer() {
    let mut w = world(None);
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    w.at(100);
    progress(&mut w, json!({"stepTimeoutInMinutes": -1})).unwrap();
    let e = w.exec("t1", "j1");
    assert_eq!(e.step_deadline, None);
    assert_eq!(e.version_number, 3, "an accepted update");
    assert_eq!(w.svc.poll_timeout(), None);
    assert_eq!(seconds_left(&mut w), None);
    w.at(100_000);
    assert_eq!(status(&w), "IN_PROGRESS");
}

#[test]
fn decision_16_minus_one_leaves_the_in_progress_timer_running() {
    let mut w = world(Some(10));
    progress(&mut w, json!({"stepTimeoutInMinutes": 2})).unwrap();
    assert_eq!(w.svc.poll_timeout(), Some(120));
    w.at(60);
    progress(&mut w, json!({"stepTimeoutInMinutes": -1})).unwrap();
    let e = w.exec("t1", "j1");
    assert_eq!((e.step_deadline, e.in_progress_deadline), (None, Some(600)));
    assert_eq!(seconds_left(&mut w), Some(540));
    w.at(120);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(600);
    assert_eq!(status(&w), "TIMED_OUT");
}

#[test]
fn decision_16_minus_one_without_a_step_timer_is_invalid_request_whatever_the_status() {
    // Only the in-progress timer runs: it is not a step timer.
    let mut w = world(Some(10));
    progress(&mut w, json!({})).unwrap();
    w.at(10);
    let before = w.svc.executions();
    for asked in ["IN_PROGRESS", "SUCCEEDED", "FAILED"] {
        let err = w
            .update("t1", "j1", asked, json!({"stepTimeoutInMinutes": -1}))
            .unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "{asked}: {err}");
    }
    assert_eq!(w.svc.executions(), before, "a refused update changed state");

    // A QUEUED execution has no step timer either.
    let mut w = world(None);
    for asked in ["IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"] {
        let err = w
            .update("t1", "j1", asked, json!({"stepTimeoutInMinutes": -1}))
            .unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "{asked}: {err}");
    }
    assert_eq!(status(&w), "QUEUED");
    assert_eq!(w.exec("t1", "j1").version_number, 1);

    // After a cancel, a second -1 finds none.
    let mut w = world(None);
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    progress(&mut w, json!({"stepTimeoutInMinutes": -1})).unwrap();
    let err = progress(&mut w, json!({"stepTimeoutInMinutes": -1})).unwrap_err();
    assert_eq!(err["code"], "InvalidRequestException");
}

#[test]
fn decision_16_minus_one_without_a_step_timer_is_checked_after_decision_8() {
    let mut w = world(None);
    progress(&mut w, json!({})).unwrap(); // version 2, no step timer
    let minus_one = |extra: Value| {
        let mut m = json!({"stepTimeoutInMinutes": -1});
        if let (Value::Object(a), Value::Object(b)) = (&mut m, extra) {
            a.extend(b);
        }
        m
    };
    // The request's own validity comes first anyway.
    let err = progress(
        &mut w,
        minus_one(json!({"statusDetails": {"bad key": "v"}})),
    );
    assert_eq!(err.unwrap_err()["code"], "InvalidRequestException");
    // The execution must exist.
    let err = w
        .update("t1", "nojob", "IN_PROGRESS", minus_one(json!({})))
        .unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    let err = progress(&mut w, minus_one(json!({"executionNumber": 9}))).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    // expectedVersion.
    let err = progress(&mut w, minus_one(json!({"expectedVersion": 1}))).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    assert_eq!(err["executionState"]["versionNumber"], 2);
    // A status the device may not set.
    let err = w
        .update("t1", "j1", "QUEUED", minus_one(json!({})))
        .unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    // A transition not allowed from here (IN_PROGRESS to REJECTED).
    let err = w
        .update("t1", "j1", "REJECTED", minus_one(json!({})))
        .unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    // A terminal execution.
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    let err = w
        .update("t1", "j1", "SUCCEEDED", minus_one(json!({})))
        .unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    assert_eq!(err["executionState"]["status"], "SUCCEEDED");
}

#[test]
fn decision_16_omitted_step_timeout_leaves_the_step_timer_as_it_is() {
    let mut w = world(None);
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    w.at(100);
    progress(&mut w, json!({"statusDetails": {"p": "50"}})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(300));
    progress(&mut w, json!({"stepTimeoutInMinutes": null})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(300));
    assert_eq!(seconds_left(&mut w), Some(200));
    w.at(300);
    assert_eq!(status(&w), "TIMED_OUT");
}

#[test]
fn decision_16_out_of_range_step_timeouts_are_invalid_request() {
    let mut w = world(None);
    for bad in [0, -2, -10080, 10081] {
        let err = progress(&mut w, json!({"stepTimeoutInMinutes": bad})).unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "update {bad}");
    }
    for bad in [0, -1, -2, 10081] {
        let err = w.err_body(
            "StartNextPendingJobExecution",
            json!({"thingName": "t1", "stepTimeoutInMinutes": bad}),
        );
        assert_eq!(err["code"], "InvalidRequestException", "start-next {bad}");
    }
    // Nothing changed.
    let e = w.exec("t1", "j1");
    assert_eq!((e.status.as_str(), e.version_number), ("QUEUED", 1));
    assert_eq!(w.svc.poll_timeout(), None);

    // StartNext refuses -1 even when the head is IN_PROGRESS with a step timer.
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    let err = w.err(
        "StartNextPendingJobExecution",
        json!({"thingName": "t1", "stepTimeoutInMinutes": -1}),
    );
    assert_eq!(err, "InvalidRequestException");
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(300));

    // The bounds themselves are accepted.
    progress(&mut w, json!({"stepTimeoutInMinutes": 10080})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(604_800));
    progress(&mut w, json!({"stepTimeoutInMinutes": 1})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(60));
}

#[test]
fn decision_16_a_request_that_ends_the_execution_sets_no_step_timer() {
    // QUEUED straight to SUCCEEDED with a step timeout: accepted, no timer.
    let mut w = world(None);
    w.update("t1", "j1", "SUCCEEDED", json!({"stepTimeoutInMinutes": 5}))
        .unwrap();
    let e = w.exec("t1", "j1");
    assert_eq!(e.status.as_str(), "SUCCEEDED");
    assert_eq!((e.step_deadline, e.in_progress_deadline), (None, None));
    assert_eq!(w.svc.poll_timeout(), None);

    // IN_PROGRESS (with a step timer) to FAILED with a new one: accepted, no timer.
    let mut w = world(None);
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    w.update("t1", "j1", "FAILED", json!({"stepTimeoutInMinutes": 10}))
        .unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, None);
    assert_eq!(w.svc.poll_timeout(), None);
    w.at(10_000);
    assert_eq!(status(&w), "FAILED");
    assert_eq!(w.exec("t1", "j1").last_updated_at, 0);

    // -1 while a step timer runs, on an ending request: accepted.
    let mut w = world(None);
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    w.update("t1", "j1", "SUCCEEDED", json!({"stepTimeoutInMinutes": -1}))
        .unwrap();
    assert_eq!(status(&w), "SUCCEEDED");
}

#[test]
fn decision_16_a_request_that_ends_the_execution_still_has_its_value_validated() {
    let mut w = world(None);
    for asked in ["SUCCEEDED", "FAILED", "REJECTED"] {
        for bad in [0, -2, 10081] {
            let err = w
                .update("t1", "j1", asked, json!({"stepTimeoutInMinutes": bad}))
                .unwrap_err();
            assert_eq!(err["code"], "InvalidRequestException", "{asked} {bad}");
        }
        // The -1 rule included: no step timer runs.
        let err = w
            .update("t1", "j1", asked, json!({"stepTimeoutInMinutes": -1}))
            .unwrap_err();
        assert_eq!(err["code"], "InvalidRequestException", "{asked} -1");
    }
    let e = w.exec("t1", "j1");
    assert_eq!((e.status.as_str(), e.version_number), ("QUEUED", 1));
}

// ---------------------------------------------------------------------------------------
// Decision 17: timing out
// ---------------------------------------------------------------------------------------

#[test]
fn decision_17_times_out_at_the_step_deadline_when_it_is_earlier() {
    let mut w = world(Some(10));
    progress(&mut w, json!({"stepTimeoutInMinutes": 2})).unwrap();
    assert_eq!(w.exec("t1", "j1").deadline(), Some(120));
    assert_eq!(seconds_left(&mut w), Some(120));
    w.at(119);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(120);
    assert_eq!(status(&w), "TIMED_OUT");
    assert_eq!(w.exec("t1", "j1").last_updated_at, 120);
}

#[test]
fn decision_17_step_timer_cannot_pass_in_progress_deadline() {
    let mut w = world(Some(5));
    progress(&mut w, json!({})).unwrap();
    w.at(200);
    progress(&mut w, json!({"stepTimeoutInMinutes": 10})).unwrap();
    assert_eq!(w.exec("t1", "j1").step_deadline, Some(800));
    // The in-progress deadline still rules.
    assert_eq!(seconds_left(&mut w), Some(100));
    assert_eq!(w.svc.poll_timeout(), Some(300));
    w.at(299);
    assert_eq!(status(&w), "IN_PROGRESS");
    w.at(300);
    assert_eq!(status(&w), "TIMED_OUT");
    assert_eq!(w.exec("t1", "j1").last_updated_at, 300);
    w.at(900);
    assert_eq!(w.exec("t1", "j1").last_updated_at, 300, "it timed out once");
}

#[test]
fn decision_17_at_the_deadline_timed_out_last_updated_version_and_timers() {
    let mut w = world(Some(1));
    w.at(10);
    progress(&mut w, json!({"statusDetails": {"p": "1"}})).unwrap();
    w.at(20);
    progress(&mut w, json!({"stepTimeoutInMinutes": 5})).unwrap();
    let before = w.exec("t1", "j1");
    assert_eq!(before.version_number, 3);
    assert_eq!(before.deadline(), Some(70));

    // One big clock move, far past the deadline.
    w.at(5000);
    let e = w.exec("t1", "j1");
    assert_eq!(e.status.as_str(), "TIMED_OUT");
    assert_eq!(e.last_updated_at, 70, "lastUpdatedAt is the deadline");
    assert_eq!(e.version_number, 3, "a service change leaves the version");
    assert_eq!((e.step_deadline, e.in_progress_deadline), (None, None));
    assert_eq!(w.svc.poll_timeout(), None);
    // Nothing else moves.
    assert_eq!(e.started_at, Some(10));
    assert_eq!(e.queued_at, 0);
    assert_eq!(e.status_details, before.status_details);
    assert_eq!(e.execution_number, 1);

    // The control plane shows the same, without approximateSecondsBeforeTimedOut.
    let c = w.control_describe("t1", "j1");
    assert_eq!(c["status"], "TIMED_OUT");
    assert_eq!(c["lastUpdatedAt"], 70);
    assert_eq!(c["versionNumber"], 3);
    assert!(c.get("approximateSecondsBeforeTimedOut").is_none(), "{c}");
    // The data plane calls it terminal.
    assert_eq!(
        w.describe("t1", "j1", json!({})).unwrap_err()["code"],
        "TerminalStateException"
    );
}

#[test]
fn decision_17_approximate_seconds_is_the_earlier_deadline_minus_now() {
    let mut w = world(Some(10));
    // QUEUED: no timer, no member.
    assert_eq!(seconds_left(&mut w), None);
    w.at(40);
    progress(&mut w, json!({})).unwrap(); // in-progress deadline 640
    assert_eq!(seconds_left(&mut w), Some(600));
    w.at(100);
    assert_eq!(seconds_left(&mut w), Some(540));
    let r = progress(&mut w, json!({"stepTimeoutInMinutes": 3})).unwrap(); // step 280
    assert_eq!(r, json!({}), "no state asked for");
    assert_eq!(seconds_left(&mut w), Some(180));
    w.at(279);
    assert_eq!(seconds_left(&mut w), Some(1));
    // The `$next` view and StartNext's answer carry it as well.
    let n = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "$next"}),
    );
    assert_eq!(n["execution"]["approximateSecondsBeforeTimedOut"], 1);
    let s = w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert_eq!(s["execution"]["approximateSecondsBeforeTimedOut"], 1);
    w.at(280);
    assert_eq!(status(&w), "TIMED_OUT");
    assert_eq!(seconds_left(&mut w), None);
}

#[test]
fn decision_17_approximate_seconds_is_absent_while_no_timer_runs() {
    // IN_PROGRESS without any timeout configured.
    let mut w = world(None);
    progress(&mut w, json!({})).unwrap();
    w.at(30);
    assert_eq!(seconds_left(&mut w), None);
    let c = w.control_describe("t1", "j1");
    assert!(c.get("approximateSecondsBeforeTimedOut").is_none(), "{c}");
    // A step timer makes it appear, canceling it makes it go again.
    progress(&mut w, json!({"stepTimeoutInMinutes": 1})).unwrap();
    assert_eq!(seconds_left(&mut w), Some(60));
    progress(&mut w, json!({"stepTimeoutInMinutes": -1})).unwrap();
    assert_eq!(seconds_left(&mut w), None);
    // Ended by the device: gone.
    let mut w = world(Some(5));
    progress(&mut w, json!({})).unwrap();
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    let c = w.control_describe("t1", "j1");
    assert!(c.get("approximateSecondsBeforeTimedOut").is_none(), "{c}");
}

#[test]
fn decision_17_a_request_at_the_deadline_finds_the_execution_timed_out() {
    let mut w = world(Some(5));
    progress(&mut w, json!({})).unwrap();
    w.at(299);
    assert_eq!(seconds_left(&mut w), Some(1));
    // No grace period: AWS may be up to 60 s late, the specification is not.
    w.at(300);
    let err = w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap_err();
    assert_eq!(err["code"], "InvalidStateTransitionException");
    assert_eq!(err["executionState"]["status"], "TIMED_OUT");
    assert_eq!(err["executionState"]["versionNumber"], 2);
}

#[test]
fn decision_17_a_request_just_before_the_deadline_wins() {
    let mut w = world(Some(5));
    progress(&mut w, json!({})).unwrap();
    w.at(299);
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    w.at(1000);
    let e = w.exec("t1", "j1");
    assert_eq!(e.status.as_str(), "SUCCEEDED");
    assert_eq!(e.last_updated_at, 299);
    assert_eq!(e.version_number, 3);
}

#[test]
fn decision_17_handle_fires_the_timer_before_answering_a_later_request() {
    // The clock moves with the request itself (no separate clock move first).
    let mut w = world(Some(1));
    progress(&mut w, json!({})).unwrap();
    w.now = 500; // the next call happens at 500; the harness fires nothing on its own
    let c = w
        .call_on(
            Plane::Control,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1"}),
        )
        .unwrap();
    assert_eq!(c["execution"]["status"], "TIMED_OUT");
    assert_eq!(c["execution"]["lastUpdatedAt"], 60);
}

// ---------------------------------------------------------------------------------------
// Details, timers: several timers in one clock advance
// ---------------------------------------------------------------------------------------

/// A job `j` on `things`, each in-progress timer `minutes` long, with one TIMED_OUT retry
/// so that the order of firing shows in the order the retries are created.
fn retried_job(w: &mut World, job: &str, things: &[&str], minutes: Option<i64>) {
    let mut extra = retry(&[("TIMED_OUT", 1)]);
    if let Some(m) = minutes {
        extra["timeoutConfig"] = json!({"inProgressTimeoutInMinutes": m});
    }
    w.job(job, things, extra);
}

/// The retries (executionNumber 2) in the order they were created: (thing, job, queuedAt).
fn retries_in_creation_order(w: &World) -> Vec<(String, String, u64)> {
    let mut r: Vec<_> = w
        .svc
        .executions()
        .into_iter()
        .filter(|e| e.execution_number == 2)
        .collect();
    r.sort_by_key(|e| e.creation_order);
    r.into_iter()
        .map(|e| (e.thing_name, e.job_id, e.queued_at))
        .collect()
}

#[test]
fn details_timers_several_timers_fire_in_deadline_order_in_one_clock_advance() {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3");
    retried_job(&mut w, "j", &["t1", "t2", "t3"], Some(10));
    // Set in the order t1, t2, t3; deadlines in the order t3, t2, t1.
    for (thing, minutes) in [("t1", 3), ("t2", 2), ("t3", 1)] {
        w.update(
            thing,
            "j",
            "IN_PROGRESS",
            json!({"stepTimeoutInMinutes": minutes}),
        )
        .unwrap();
    }
    assert_eq!(w.svc.poll_timeout(), Some(60));
    w.at(10_000);
    for (thing, deadline) in [("t1", 180), ("t2", 120), ("t3", 60)] {
        let first = &w.history(thing, "j")[0];
        assert_eq!(first.status.as_str(), "TIMED_OUT", "{thing}");
        assert_eq!(
            first.last_updated_at, deadline,
            "{thing}: stamped with its deadline"
        );
    }
    // Each fired at its own deadline, earliest first.
    assert_eq!(
        retries_in_creation_order(&w),
        [
            ("t3".into(), "j".into(), 60),
            ("t2".into(), "j".into(), 120),
            ("t1".into(), "j".into(), 180),
        ]
    );
}

#[test]
fn details_timers_ties_fire_in_the_order_the_timers_were_set() {
    for order in [["a", "b"], ["b", "a"]] {
        let mut w = World::new();
        w.thing("t1");
        retried_job(&mut w, "a", &["t1"], Some(5));
        retried_job(&mut w, "b", &["t1"], Some(5));
        // Both timers run out at 300; `order[0]`'s was set first.
        for job in order {
            w.update("t1", job, "IN_PROGRESS", json!({})).unwrap();
        }
        w.at(400);
        let fired: Vec<String> = retries_in_creation_order(&w)
            .into_iter()
            .map(|r| {
                assert_eq!(r.2, 300);
                r.1
            })
            .collect();
        assert_eq!(fired, order, "set order {order:?}");
        // The retries tie on queuedAt, so creation (firing) order decides the head.
        let pending: Vec<String> = w.svc.pending_order("t1").into_iter().map(|p| p.0).collect();
        assert_eq!(pending, order);
    }
}

#[test]
fn details_timers_ties_across_things_fire_in_set_order() {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3");
    retried_job(&mut w, "j", &["t1", "t2", "t3"], None);
    // Set at different times, all running out at 600.
    w.at(0);
    w.update(
        "t2",
        "j",
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 10}),
    )
    .unwrap();
    w.at(300);
    w.update("t3", "j", "IN_PROGRESS", json!({"stepTimeoutInMinutes": 5}))
        .unwrap();
    w.at(540);
    w.update("t1", "j", "IN_PROGRESS", json!({"stepTimeoutInMinutes": 1}))
        .unwrap();
    w.at(600);
    let things: Vec<String> = retries_in_creation_order(&w)
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(things, ["t2", "t3", "t1"]);
}

#[test]
fn details_timers_a_tie_counts_the_execution_timer_set_first() {
    // x's in-progress timer (set at 0) and y's step timer (set at 300) both run out at
    // 600; x's later step timer for 600 does not make x's deadline newer than y's.
    let mut w = World::new();
    w.thing("t1");
    retried_job(&mut w, "x", &["t1"], Some(10));
    retried_job(&mut w, "y", &["t1"], None);
    w.update("t1", "x", "IN_PROGRESS", json!({})).unwrap();
    w.at(300);
    w.update("t1", "y", "IN_PROGRESS", json!({"stepTimeoutInMinutes": 5}))
        .unwrap();
    w.update("t1", "x", "IN_PROGRESS", json!({"stepTimeoutInMinutes": 5}))
        .unwrap();
    assert_eq!(w.exec("t1", "x").step_deadline, Some(600));
    assert_eq!(w.exec("t1", "x").in_progress_deadline, Some(600));
    w.at(600);
    let jobs: Vec<String> = retries_in_creation_order(&w)
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(jobs, ["x", "y"]);
}

#[test]
fn decision_15_a_retry_starts_its_own_in_progress_timer_when_it_is_started() {
    // The retry is queued at 60; its timer starts only when it becomes IN_PROGRESS.
    let mut w = World::new();
    w.thing("t1");
    retried_job(&mut w, "j", &["t1"], Some(1));
    w.update("t1", "j", "IN_PROGRESS", json!({})).unwrap();
    w.at(60);
    let h = w.history("t1", "j");
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].queued_at, 60);
    assert_eq!(w.exec("t1", "j").in_progress_deadline, None);
    assert_eq!(w.svc.poll_timeout(), None);
    w.at(100);
    w.update("t1", "j", "IN_PROGRESS", json!({})).unwrap();
    assert_eq!(w.exec("t1", "j").in_progress_deadline, Some(160));
    w.at(10_000);
    let h = w.history("t1", "j");
    assert_eq!(h.len(), 2, "the budget of one retry is spent");
    assert_eq!(h[1].status.as_str(), "TIMED_OUT");
    assert_eq!(h[1].last_updated_at, 160);
}

/// The logical clock: it starts at 0, moves to each time it is given, and never goes back
/// (a call at an earlier time leaves it where it is).
#[test]
fn the_clock_starts_at_zero_moves_forward_and_never_goes_back() {
    let mut svc = iot_jobs_spec::Service::new(iot_jobs_spec::Config::default());
    assert_eq!(svc.now(), 0);
    svc.handle_timeout(90);
    assert_eq!(svc.now(), 90);
    svc.handle_timeout(30);
    assert_eq!(svc.now(), 90, "time never goes back");
    let mut w = world(Some(1));
    w.at(500);
    progress(&mut w, json!({})).unwrap();
    assert_eq!(w.svc.now(), 500);
}

/// The service keeps the configuration it was made with.
#[test]
fn the_service_reports_the_configuration_it_was_made_with() {
    let config = iot_jobs_spec::Config {
        account: "210987654321".into(),
        region: "eu-west-1".into(),
        timer_lateness: 7,
        ..Default::default()
    };
    let svc = iot_jobs_spec::Service::new(config.clone());
    assert_eq!(svc.config(), &config);
    assert_ne!(svc.config(), &iot_jobs_spec::Config::default());
}
