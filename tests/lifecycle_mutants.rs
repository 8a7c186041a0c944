//! Tests added for what the mutation run over the lifecycle code (docs/testing.md,
//! "The lifecycle round") found untested.

mod common;

use common::*;
use serde_json::json;

/// Decision 34 with decision 19: a job deleted and created again under the same id starts
/// with full retry budgets on every thing (DeleteJob forgets what the old job's retries
/// spent).
#[test]
fn decisions_19_34_a_job_created_again_after_delete_job_retries_afresh() {
    let mut w = World::new();
    w.thing("t1").thing("t2");
    let retry = retry(&[("ALL", 1)]);
    w.job("j", &["t1", "t2"], retry.clone());
    w.update("t1", "j", "FAILED", json!({})).unwrap();
    w.update("t2", "j", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t1", "j").len(), 2, "the budget is spent on t1");
    w.ok("DeleteJob", json!({"jobId": "j", "force": true}));
    w.job("j", &["t1", "t2"], retry);
    for t in ["t1", "t2"] {
        w.update(t, "j", "FAILED", json!({})).unwrap();
        assert_eq!(
            w.statuses(t, "j"),
            [(1, "FAILED".to_owned()), (2, "QUEUED".to_owned())],
            "{t}: retried once more"
        );
    }
}

/// Decision 32: at its startTime a CONTINUOUS job that reaches no thing stays IN_PROGRESS
/// (only a SNAPSHOT job is COMPLETED at once), and a thing joining its group later gets an
/// execution.
#[test]
fn decision_32_a_continuous_job_reaching_no_thing_at_its_start_stays_in_progress() {
    let mut w = World::new();
    w.thing("t1").group("g", &[]);
    w.job(
        "jC",
        &["group:g"],
        json!({"targetSelection": "CONTINUOUS",
               "schedulingConfig": {"startTime": "1970-01-01T01:00"}}),
    );
    w.at(3600);
    assert_eq!(w.describe_job("jC")["status"], "IN_PROGRESS");
    w.ok(
        "AddThingToThingGroup",
        json!({"thingGroupName": "g", "thingName": "t1"}),
    );
    assert_eq!(w.statuses("t1", "jC"), [(1, "QUEUED".to_owned())]);
}
