//! Reading executions: the data plane's DescribeJobExecution (`$next`, includeJobDocument,
//! terminal executions, the newest execution) against the control plane's, the pending list
//! of GetPendingJobExecutions (both lists, pending order, the limit of ten), and the shapes
//! each plane gives an execution (decisions 13 and 14; details, shapes).

mod common;
use common::*;

use iot_jobs_spec::{ErrorCode, Plane};
use serde_json::{json, Value};

const DOC: &str = "{\"op\":\"x\"}";

fn pending(w: &mut World, thing: &str) -> Value {
    w.ok("GetPendingJobExecutions", json!({"thingName": thing}))
}

fn start(w: &mut World, thing: &str, job: &str) {
    w.update(thing, job, "IN_PROGRESS", json!({}))
        .unwrap_or_else(|e| panic!("start {job} on {thing}: {e}"));
}

// ---------------------------------------------------------------------------------------
// Decision 13: DescribeJobExecution (data plane)
// ---------------------------------------------------------------------------------------

#[test]
fn decision_13_next_returns_the_head_without_changing_anything() {
    let mut w = World::new();
    w.thing("t1");
    w.at(1).job("a", &["t1"], json!({}));
    w.at(2).job("b", &["t1"], json!({}));
    w.at(3).job("c", &["t1"], json!({}));
    w.at(10);
    // c becomes IN_PROGRESS: it is the head although it was queued last (decision 4).
    start(&mut w, "t1", "c");
    w.at(20);
    let before = w.svc.executions();
    let order = w.svc.pending_order("t1");
    assert_eq!(order[0], ("c".to_owned(), 1));

    let got = w.describe("t1", "$next", json!({})).unwrap();
    let e = &got["execution"];
    assert_eq!(e["jobId"], "c");
    assert_eq!(e["status"], "IN_PROGRESS");
    assert_eq!(e["executionNumber"], 1);
    assert_eq!(e["versionNumber"], 2);
    assert_eq!(e["queuedAt"], 3);
    assert_eq!(e["startedAt"], 10);
    assert_eq!(e["lastUpdatedAt"], 10);

    // A read changes nothing and publishes nothing (decision 10).
    assert_eq!(w.svc.executions(), before);
    assert_eq!(w.svc.pending_order("t1"), order);
    assert!(w.messages.is_empty(), "a read published {:?}", w.topics());

    // Asked again, the same head.
    let again = w.describe("t1", "$next", json!({})).unwrap();
    assert_eq!(again, got);
}

#[test]
fn decision_13_next_is_the_oldest_queued_when_nothing_is_in_progress() {
    let mut w = World::new();
    w.thing("t1");
    w.at(5).job("late-id-first", &["t1"], json!({}));
    w.at(5).job("a-second", &["t1"], json!({}));
    w.at(6).job("a-third", &["t1"], json!({}));
    w.at(7);
    let got = w.describe("t1", "$next", json!({})).unwrap();
    // queuedAt ties (5, 5) are broken by creation order, not by job id.
    assert_eq!(got["execution"]["jobId"], "late-id-first");
    assert_eq!(got["execution"]["status"], "QUEUED");
    assert_eq!(got["execution"]["versionNumber"], 1);
}

#[test]
fn decision_13_next_with_nothing_pending_is_an_empty_object() {
    let mut w = World::new();
    w.thing("t1");
    assert_eq!(w.describe("t1", "$next", json!({})).unwrap(), json!({}));

    // Still `{}` once every execution of the thing is terminal.
    w.job("j1", &["t1"], json!({}));
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(w.describe("t1", "$next", json!({})).unwrap(), json!({}));
    assert_eq!(
        w.describe("t1", "$next", json!({"includeJobDocument": false}))
            .unwrap(),
        json!({})
    );
}

#[test]
fn decision_13_next_ignores_execution_number() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let got = w
        .describe("t1", "$next", json!({"executionNumber": 7}))
        .unwrap();
    assert_eq!(got["execution"]["jobId"], "j1");
    assert_eq!(got["execution"]["executionNumber"], 1);
}

#[test]
fn decision_13_include_job_document_defaults_to_true() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));

    // Named job: default, true, false.
    let e = w.describe("t1", "j1", json!({})).unwrap();
    assert_eq!(
        e["execution"]["jobDocument"], DOC,
        "HTTP gives the same string"
    );
    let e = w
        .describe("t1", "j1", json!({"includeJobDocument": true}))
        .unwrap();
    assert_eq!(e["execution"]["jobDocument"], DOC);
    let e = w
        .describe("t1", "j1", json!({"includeJobDocument": false}))
        .unwrap();
    assert!(e["execution"].get("jobDocument").is_none(), "{e}");
    assert_eq!(e["execution"]["jobId"], "j1");

    // `$next`: the same default.
    let e = w.describe("t1", "$next", json!({})).unwrap();
    assert_eq!(e["execution"]["jobDocument"], DOC);
    let e = w
        .describe("t1", "$next", json!({"includeJobDocument": false}))
        .unwrap();
    assert!(e["execution"].get("jobDocument").is_none(), "{e}");
}

#[test]
fn decision_13_terminal_execution_is_terminal_state_exception_over_http() {
    assert_eq!(
        ErrorCode::TerminalStateException.http_status(Plane::Data),
        410
    );
    for status in TERMINAL {
        let mut w = ended(status);
        let before = w.svc.executions();
        let err = w.describe("t1", "j1", json!({})).unwrap_err();
        assert_eq!(err["code"], "TerminalStateException", "{status}: {err}");
        // With includeJobDocument false too.
        let err = w
            .describe("t1", "j1", json!({"includeJobDocument": false}))
            .unwrap_err();
        assert_eq!(err["code"], "TerminalStateException", "{status}: {err}");
        // Naming the execution explicitly changes nothing.
        let err = w
            .describe("t1", "j1", json!({"executionNumber": 1}))
            .unwrap_err();
        assert_eq!(err["code"], "TerminalStateException", "{status}: {err}");
        assert_eq!(
            w.svc.executions(),
            before,
            "{status}: a refused read changed state"
        );
    }
}

/// A device's MQTT publish at the world's time: every message it caused, in order.
fn publish(w: &mut World, topic: &str, payload: Value) -> Vec<(String, Value)> {
    w.publish(topic, &payload)
        .into_iter()
        .map(|m| (m.topic, m.payload.to_json()))
        .collect()
}

#[test]
fn decision_13_terminal_execution_is_terminal_state_reached_over_mqtt() {
    for status in TERMINAL {
        let mut w = ended(status);
        let before = w.svc.executions();
        let out = publish(
            &mut w,
            "$aws/things/t1/jobs/j1/get",
            json!({"clientToken": "c1"}),
        );
        assert_eq!(out.len(), 1, "{status}: {out:?}");
        assert_eq!(out[0].0, "$aws/things/t1/jobs/j1/get/rejected", "{status}");
        assert_eq!(
            out[0].1["code"], "TerminalStateReached",
            "{status}: {:?}",
            out[0].1
        );
        assert_eq!(out[0].1["clientToken"], "c1");
        assert_eq!(
            w.svc.executions(),
            before,
            "{status}: a refused read changed state"
        );
    }
    // The same execution while pending is described over MQTT.
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let out = publish(&mut w, "$aws/things/t1/jobs/j1/get", json!({}));
    assert_eq!(out[0].0, "$aws/things/t1/jobs/j1/get/accepted", "{out:?}");
    assert_eq!(out[0].1["execution"]["status"], "QUEUED");
}

#[test]
fn decision_13_control_plane_describes_terminal_executions_normally() {
    for status in TERMINAL {
        let mut w = ended(status);
        let e = w.control_describe("t1", "j1");
        assert_eq!(e["status"], status, "{e}");
        assert_eq!(e["jobId"], "j1");
        assert_eq!(e["executionNumber"], 1);
        assert_eq!(e["thingArn"], thing_arn("t1"));
        // With the execution named, too.
        let named = w
            .call_on(
                Plane::Control,
                "DescribeJobExecution",
                json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1}),
            )
            .unwrap();
        assert_eq!(named["execution"], e);
    }
}

#[test]
fn decision_13_without_execution_number_the_newest_execution_is_meant() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("FAILED", 1)]));
    w.at(10);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(w.history("t1", "j1").len(), 2, "setup: the retry is queued");

    // Data plane: the newest (the QUEUED retry), not the FAILED first one.
    let e = w.describe("t1", "j1", json!({})).unwrap();
    assert_eq!(e["execution"]["executionNumber"], 2);
    assert_eq!(e["execution"]["status"], "QUEUED");
    // The older one, named, is terminal: TerminalStateException like any terminal one.
    let err = w
        .describe("t1", "j1", json!({"executionNumber": 1}))
        .unwrap_err();
    assert_eq!(err["code"], "TerminalStateException");
    // Named and pending: described.
    let e = w
        .describe("t1", "j1", json!({"executionNumber": 2}))
        .unwrap();
    assert_eq!(e["execution"]["executionNumber"], 2);
    // A number that names nothing.
    let err = w
        .describe("t1", "j1", json!({"executionNumber": 3}))
        .unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");

    // Control plane: the newest too; the older one when named.
    assert_eq!(w.control_describe("t1", "j1")["executionNumber"], 2);
    let old = w
        .call_on(
            Plane::Control,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1", "executionNumber": 1}),
        )
        .unwrap();
    assert_eq!(old["execution"]["status"], "FAILED");

    // When the newest is terminal, the data plane refuses even though an older one is not
    // (the newest is meant): here the newest succeeds.
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    let err = w.describe("t1", "j1", json!({})).unwrap_err();
    assert_eq!(err["code"], "TerminalStateException");
}

#[test]
fn decision_13_unknown_thing_or_job_is_resource_not_found() {
    let mut w = World::new();
    w.thing("t1").thing("t2").job("j1", &["t1"], json!({}));
    let err = w.describe("nope", "j1", json!({})).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    let err = w.describe("nope", "$next", json!({})).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    let err = w.describe("t1", "nojob", json!({})).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
    // The job exists but has no execution on t2.
    let err = w.describe("t2", "j1", json!({})).unwrap_err();
    assert_eq!(err["code"], "ResourceNotFoundException");
}

// ---------------------------------------------------------------------------------------
// Decision 14: GetPendingJobExecutions
// ---------------------------------------------------------------------------------------

#[test]
fn decision_14_both_lists_are_always_present() {
    let mut w = World::new();
    w.thing("t1");
    assert_eq!(
        pending(&mut w, "t1"),
        json!({"inProgressJobs": [], "queuedJobs": []})
    );

    w.job("j1", &["t1"], json!({}));
    let p = pending(&mut w, "t1");
    assert_eq!(p["inProgressJobs"], json!([]));
    assert_eq!(job_ids(&p["queuedJobs"]), ["j1"]);

    start(&mut w, "t1", "j1");
    let p = pending(&mut w, "t1");
    assert_eq!(job_ids(&p["inProgressJobs"]), ["j1"]);
    assert_eq!(p["queuedJobs"], json!([]));

    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(
        pending(&mut w, "t1"),
        json!({"inProgressJobs": [], "queuedJobs": []})
    );
}

#[test]
fn decision_14_each_list_is_in_pending_order() {
    let mut w = World::new();
    w.thing("t1");
    // Same queuedAt for q2/q1 (creation order decides), then later ones.
    w.at(3).job("q2", &["t1"], json!({}));
    w.at(3).job("q1", &["t1"], json!({}));
    w.at(4).job("p2", &["t1"], json!({}));
    w.at(5).job("p1", &["t1"], json!({}));
    w.at(6).job("q0", &["t1"], json!({}));
    w.at(10);
    // Started in the reverse of their queue order: the list keeps queuedAt order.
    start(&mut w, "t1", "p1");
    w.at(11);
    start(&mut w, "t1", "p2");
    w.at(12);

    let p = pending(&mut w, "t1");
    assert_eq!(job_ids(&p["inProgressJobs"]), ["p2", "p1"]);
    assert_eq!(job_ids(&p["queuedJobs"]), ["q2", "q1", "q0"]);

    // Summaries carry the execution's values.
    let p2 = &p["inProgressJobs"][0];
    assert_eq!(p2["queuedAt"], 4);
    assert_eq!(p2["startedAt"], 11);
    assert_eq!(p2["lastUpdatedAt"], 11);
    assert_eq!(p2["versionNumber"], 2);
    assert_eq!(p2["executionNumber"], 1);
    let q2 = &p["queuedJobs"][0];
    assert_eq!(q2["queuedAt"], 3);
    assert_eq!(q2["versionNumber"], 1);
    assert!(q2.get("startedAt").is_none(), "{q2}");

    // The same order the inspection API and `$next` give.
    let order: Vec<String> = w.svc.pending_order("t1").into_iter().map(|p| p.0).collect();
    assert_eq!(order, ["p2", "p1", "q2", "q1", "q0"]);
    let head = w.describe("t1", "$next", json!({})).unwrap();
    assert_eq!(head["execution"]["jobId"], "p2");
}

#[test]
fn decision_14_at_most_ten_summaries_the_first_ten_of_the_pending_order() {
    let mut w = World::new();
    w.thing("t1");
    let ids: Vec<String> = (0..12).map(|i| format!("j{i:02}")).collect();
    for (i, id) in ids.iter().enumerate() {
        w.at(i as u64).job(id, &["t1"], json!({}));
    }
    w.at(20);
    for id in ["j11", "j05", "j08"] {
        start(&mut w, "t1", id);
    }
    let p = pending(&mut w, "t1");
    assert_eq!(job_ids(&p["inProgressJobs"]), ["j05", "j08", "j11"]);
    assert_eq!(
        job_ids(&p["queuedJobs"]),
        ["j00", "j01", "j02", "j03", "j04", "j06", "j07"]
    );
    // j09 and j10, the 11th and 12th of the pending order, are left out.
    assert_eq!(w.svc.pending_order("t1").len(), 12);
}

#[test]
fn decision_14_limit_applies_across_both_lists_when_many_are_in_progress() {
    let mut w = World::new();
    w.thing("t1");
    let ids: Vec<String> = (0..12).map(|i| format!("j{i:02}")).collect();
    for (i, id) in ids.iter().enumerate() {
        w.at(i as u64).job(id, &["t1"], json!({}));
    }
    w.at(20);
    for id in &ids[..11] {
        start(&mut w, "t1", id);
    }
    let p = pending(&mut w, "t1");
    assert_eq!(job_ids(&p["inProgressJobs"]), ids[..10].to_vec());
    // Still present, though empty: the one QUEUED execution is 12th.
    assert_eq!(p["queuedJobs"], json!([]));
}

#[test]
fn decision_14_only_queued_executions_are_limited_to_ten_too() {
    let mut w = World::new();
    w.thing("t1");
    let ids: Vec<String> = (0..11).map(|i| format!("j{i:02}")).collect();
    for id in &ids {
        w.job(id, &["t1"], json!({}));
    }
    let p = pending(&mut w, "t1");
    assert_eq!(p["inProgressJobs"], json!([]));
    assert_eq!(job_ids(&p["queuedJobs"]), ids[..10].to_vec());
}

#[test]
fn decision_14_unknown_thing_is_resource_not_found() {
    let mut w = World::new();
    let err = w.call("GetPendingJobExecutions", json!({"thingName": "ghost"}));
    assert_eq!(err.unwrap_err()["code"], "ResourceNotFoundException");
}

// ---------------------------------------------------------------------------------------
// Details, shapes
// ---------------------------------------------------------------------------------------

#[test]
fn details_shapes_http_executions_carry_thing_name() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let e = w.describe("t1", "j1", json!({})).unwrap();
    assert_eq!(e["execution"]["thingName"], "t1");
    let e = w.describe("t1", "$next", json!({})).unwrap();
    assert_eq!(e["execution"]["thingName"], "t1");
    let s = w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert_eq!(s["execution"]["thingName"], "t1");
    assert_eq!(s["execution"]["jobId"], "j1");
}

#[test]
fn details_shapes_mqtt_executions_leave_out_thing_name() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let next: Vec<_> = w
        .messages
        .iter()
        .filter(|m| m.topic == "$aws/things/t1/jobs/notify-next")
        .collect();
    assert_eq!(next.len(), 1, "{:?}", w.topics());
    let e = &next[0].payload.to_json()["execution"];
    assert_eq!(e["jobId"], "j1");
    assert_eq!(e["status"], "QUEUED");
    assert!(e.get("thingName").is_none(), "MQTT execution {e}");
}

#[test]
fn details_shapes_data_plane_leaves_out_an_empty_details_map() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let e = w.describe("t1", "j1", json!({})).unwrap();
    assert!(e["execution"].get("statusDetails").is_none(), "{e}");

    w.update(
        "t1",
        "j1",
        "IN_PROGRESS",
        json!({"statusDetails": {"step": "1"}}),
    )
    .unwrap();
    let e = w.describe("t1", "j1", json!({})).unwrap();
    assert_eq!(e["execution"]["statusDetails"], json!({"step": "1"}));

    // Replaced by an empty map: left out again.
    w.update("t1", "j1", "IN_PROGRESS", json!({"statusDetails": {}}))
        .unwrap();
    let e = w.describe("t1", "j1", json!({})).unwrap();
    assert!(e["execution"].get("statusDetails").is_none(), "{e}");
}

#[test]
fn details_shapes_control_plane_shows_an_empty_details_map_as_empty_object() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    let e = w.control_describe("t1", "j1");
    assert_eq!(e["statusDetails"], json!({}), "{e}");

    w.update(
        "t1",
        "j1",
        "IN_PROGRESS",
        json!({"statusDetails": {"step": "1"}}),
    )
    .unwrap();
    let e = w.control_describe("t1", "j1");
    assert_eq!(
        e["statusDetails"],
        json!({"detailsMap": {"step": "1"}}),
        "the control plane wraps the map"
    );

    // Terminal with an empty map: still `{}`.
    w.update("t1", "j1", "SUCCEEDED", json!({"statusDetails": {}}))
        .unwrap();
    let e = w.control_describe("t1", "j1");
    assert_eq!(e["statusDetails"], json!({}), "{e}");
}

#[test]
fn details_shapes_retry_attempt_is_always_present_on_control_plane_summaries() {
    let mut w = World::new();
    w.thing("t1")
        .thing("t2")
        .job("j1", &["t1", "t2"], json!({}));
    w.job("j2", &["t1"], json!({}));

    let l = w.ok("ListJobExecutionsForThing", json!({"thingName": "t1"}));
    let items = l["executionSummaries"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["jobExecutionSummary"]["retryAttempt"], 0, "{item}");
    }

    let l = w.ok("ListJobExecutionsForJob", json!({"jobId": "j1"}));
    let items = l["executionSummaries"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["jobExecutionSummary"]["retryAttempt"], 0, "{item}");
    }
}
