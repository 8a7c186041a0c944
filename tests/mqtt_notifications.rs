//! The MQTT surface, checked against the reference: `notify` and `notify-next` (decisions 24
//! to 26), the request/reply topics and their checks (details, MQTT checks), timers heard
//! over MQTT (details, timers and messages), and decisions 7, 9 and 13 as a device sees them
//! over MQTT. Payloads are compared exactly where the reference gives them exactly.

mod common;
use common::*;

use iot_jobs_spec::{Message, Plane};
use serde_json::{json, Value};

/// The document `World::job` gives every job, as MQTT carries it (decision 1b).
fn doc() -> Value {
    json!({"op": "x"})
}

fn topic(thing: &str, suffix: &str) -> String {
    format!("$aws/things/{thing}/jobs/{suffix}")
}

/// Moves the clock to `t`: what the timers published.
fn advance(w: &mut World, t: u64) -> Vec<Message> {
    w.messages.clear();
    w.at(t);
    w.messages.clone()
}

fn topics(msgs: &[Message]) -> Vec<&str> {
    msgs.iter().map(|m| m.topic.as_str()).collect()
}

fn none_on(msgs: &[Message], topic: &str) {
    assert!(
        msgs.iter().all(|m| m.topic != topic),
        "nothing on {topic}, got {msgs:?}"
    );
}

/// A `JobExecutionSummary` as notify and get/accepted carry it (startedAt once started).
fn summary(job: &str, number: i64, version: i64, queued: u64, updated: u64) -> Value {
    json!({"jobId": job, "queuedAt": queued, "lastUpdatedAt": updated,
           "versionNumber": version, "executionNumber": number})
}

fn started(mut s: Value, at: u64) -> Value {
    s["startedAt"] = json!(at);
    s
}

/// A QUEUED execution as MQTT carries it: no thingName, no statusDetails while empty, the
/// document as an object (decisions 1, 1b; details, shapes).
fn queued_exec(job: &str, number: i64, queued: u64) -> Value {
    json!({"jobId": job, "status": "QUEUED", "queuedAt": queued, "lastUpdatedAt": queued,
           "versionNumber": 1, "executionNumber": number, "jobDocument": doc()})
}

/// A rejection payload without its free-text `message` (which must be a string).
fn rejection(payload: &Value) -> Value {
    let mut p = payload.clone();
    let m = p.as_object_mut().expect("an object");
    let message = m.remove("message");
    assert!(
        matches!(message, Some(Value::String(_))),
        "a string message in {payload}"
    );
    p
}

/// One thing `t1` with jobs `j1` (queued at 0) and `j2` (queued at 10).
fn two_jobs() -> World {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.at(10).job("j2", &["t1"], json!({}));
    w
}

// ---------------------------------------------------------------------------------------
// Decision 24: notify on a change of membership of the pending set.

#[test]
fn decision_24_queuing_publishes_notify_with_only_the_queued_key() {
    let mut w = World::new();
    w.thing("t1");
    assert!(w.messages.is_empty(), "CreateThing publishes nothing");
    w.job("j1", &["t1"], json!({}));
    assert_eq!(
        only_on(&w.messages, &topic("t1", "notify")),
        json!({"timestamp": 0, "jobs": {"QUEUED": [summary("j1", 1, 1, 0, 0)]}})
    );
    w.at(10).job("j2", &["t1"], json!({}));
    assert_eq!(
        w.messages,
        vec![Message {
            topic: topic("t1", "notify"),
            payload: json!({"timestamp": 10, "jobs": {"QUEUED": [
                summary("j1", 1, 1, 0, 0), summary("j2", 1, 1, 10, 10)]}})
            .into(),
        }],
        "j2 queued behind the head: notify only (decision 25)"
    );
}

#[test]
fn decision_24_queued_to_in_progress_publishes_no_notify() {
    let mut w = two_jobs();
    // The head over HTTP.
    w.at(20);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    assert!(w.messages.is_empty(), "{:?}", w.messages);
    // A non-head over MQTT: it does not leave the set, so no notify (its becoming the
    // head is decision 25's business, not this one's).
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(&topic("t1", "j2/update"), json!({"status": "IN_PROGRESS"}));
    none_on(&msgs, &topic("t1", "notify"));
}

#[test]
fn decision_24_leaving_the_set_lists_in_progress_first_and_leaves_empty_keys_out() {
    let mut w = two_jobs();
    w.at(20).job("j3", &["t1"], json!({}));
    w.at(30);
    w.update("t1", "j2", "IN_PROGRESS", json!({})).unwrap();
    w.at(40);
    w.update("t1", "j1", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(
        w.messages,
        vec![Message {
            topic: topic("t1", "notify"),
            payload: json!({"timestamp": 40, "jobs": {
                "IN_PROGRESS": [started(summary("j2", 1, 2, 10, 30), 30)],
                "QUEUED": [summary("j3", 1, 1, 20, 20)]}})
            .into(),
        }],
        "j1 left; the IN_PROGRESS head j2 stays: notify only"
    );
    w.at(50);
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j3"}),
    );
    assert_eq!(
        only_on(&w.messages, &topic("t1", "notify")),
        json!({"timestamp": 50, "jobs": {
            "IN_PROGRESS": [started(summary("j2", 1, 2, 10, 30), 30)]}}),
        "no QUEUED key once no QUEUED execution is left"
    );
    none_on(&w.messages, &topic("t1", "notify-next"));
    w.at(60);
    w.update("t1", "j2", "SUCCEEDED", json!({})).unwrap();
    assert_eq!(
        only_on(&w.messages, &topic("t1", "notify")),
        json!({"timestamp": 60, "jobs": {}})
    );
}

#[test]
fn decision_24_notify_lists_the_first_ten_of_the_pending_order() {
    let mut w = World::new();
    w.thing("t1");
    let ids: Vec<String> = (1..=12).map(|i| format!("j{i:02}")).collect();
    for (i, id) in ids.iter().enumerate() {
        w.at(i as u64).job(id, &["t1"], json!({}));
    }
    let notify = only_on(&w.messages, &topic("t1", "notify")).clone();
    let queued: Vec<Value> = (0..10)
        .map(|i| summary(&ids[i], 1, 1, i as u64, i as u64))
        .collect();
    assert_eq!(
        notify,
        json!({"timestamp": 11, "jobs": {"QUEUED": queued}}),
        "12 pending, the first 10 listed"
    );
    // Start j05: it moves to the front. A 13th job then lists j05 and nine QUEUED.
    w.at(20);
    w.update("t1", "j05", "IN_PROGRESS", json!({})).unwrap();
    w.at(30).job("j13", &["t1"], json!({}));
    let notify = only_on(&w.messages, &topic("t1", "notify")).clone();
    let queued: Vec<Value> = [0, 1, 2, 3, 5, 6, 7, 8, 9]
        .iter()
        .map(|&i| summary(&ids[i], 1, 1, i as u64, i as u64))
        .collect();
    assert_eq!(
        notify,
        json!({"timestamp": 30, "jobs": {
            "IN_PROGRESS": [started(summary("j05", 1, 2, 4, 20), 20)],
            "QUEUED": queued.clone()}})
    );
    // get/accepted over MQTT keeps to the same ten (decision 14).
    let msgs = w.publish(&topic("t1", "get"), json!({}));
    assert_eq!(
        msgs[0].payload.to_json(),
        json!({"inProgressJobs": [started(summary("j05", 1, 2, 4, 20), 20)],
               "queuedJobs": queued, "timestamp": 30})
    );
}

#[test]
fn decision_24_a_change_beyond_the_first_ten_still_publishes_notify() {
    let mut w = World::new();
    w.thing("t1");
    for i in 1..=11 {
        w.at(i).job(&format!("j{i:02}"), &["t1"], json!({}));
    }
    w.at(20);
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j11"}),
    );
    let notify = only_on(&w.messages, &topic("t1", "notify"));
    assert_eq!(notify["jobs"]["QUEUED"].as_array().unwrap().len(), 10);
    assert_eq!(notify["timestamp"], json!(20));
    none_on(&w.messages, &topic("t1", "notify-next"));
}

#[test]
fn decision_24_cancel_force_delete_and_removal_of_non_heads_publish_notify_only() {
    let mut w = World::new();
    w.thing("t1").group("g", &["t1"]);
    w.job("j1", &["t1"], json!({}));
    w.at(1).job("j2", &["t1"], json!({}));
    w.at(2).job("j3", &["t1"], json!({}));
    w.at(3)
        .job("j4", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    assert_eq!(
        topics(&w.messages),
        vec![topic("t1", "notify")],
        "a group job reaching t1"
    );
    let left = |w: &World, jobs: &[(&str, u64)]| {
        let list: Vec<Value> = jobs.iter().map(|&(j, q)| summary(j, 1, 1, q, q)).collect();
        vec![Message {
            topic: topic("t1", "notify"),
            payload: json!({"timestamp": w.now, "jobs": {"QUEUED": list}}).into(),
        }]
    };
    w.at(10);
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j2"}),
    );
    assert_eq!(w.messages, left(&w, &[("j1", 0), ("j3", 2), ("j4", 3)]));
    w.at(11);
    w.ok(
        "DeleteJobExecution",
        json!({"thingName": "t1", "jobId": "j3", "executionNumber": 1, "force": true}),
    );
    assert_eq!(w.messages, left(&w, &[("j1", 0), ("j4", 3)]));
    w.at(12);
    w.ok(
        "RemoveThingFromThingGroup",
        json!({"thingName": "t1", "thingGroupName": "g"}),
    );
    assert_eq!(w.messages, left(&w, &[("j1", 0)]));
    // Deleting a terminal execution changes no pending set.
    w.at(13);
    w.ok(
        "DeleteJobExecution",
        json!({"thingName": "t1", "jobId": "j2", "executionNumber": 1}),
    );
    assert!(w.messages.is_empty(), "{:?}", w.messages);
}

// ---------------------------------------------------------------------------------------
// Decision 25: notify-next when the head becomes a different execution or disappears.

#[test]
fn decision_25_the_first_execution_on_an_idle_thing_is_announced_with_its_document() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    assert_eq!(
        only_on(&w.messages, &topic("t1", "notify-next")),
        json!({"timestamp": 0, "execution": queued_exec("j1", 1, 0)}),
        "the head with its jobDocument as an object, no thingName, no empty statusDetails"
    );
}

#[test]
fn decision_25_start_next_of_the_head_publishes_neither_message() {
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(
        &topic("t1", "start-next"),
        json!({"statusDetails": {"k": "v"}, "clientToken": "c"}),
    );
    assert_eq!(topics(&msgs), vec![topic("t1", "start-next/accepted")]);
    // Again, now that the head is IN_PROGRESS: returned unchanged, nothing published.
    w.at(30);
    let msgs = w.publish(&topic("t1", "start-next"), json!({}));
    assert_eq!(topics(&msgs), vec![topic("t1", "start-next/accepted")]);
    assert_eq!(
        msgs[0].payload.to_json()["execution"]["versionNumber"],
        json!(2)
    );
    // And over HTTP.
    let mut w = two_jobs();
    w.at(20);
    w.ok("StartNextPendingJobExecution", json!({"thingName": "t1"}));
    assert!(w.messages.is_empty(), "{:?}", w.messages);
}

#[test]
fn decision_25_a_non_head_started_becomes_the_head_without_notify() {
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(&topic("t1", "j2/update"), json!({"status": "IN_PROGRESS"}));
    assert_eq!(
        topics(&msgs),
        vec![
            topic("t1", "j2/update/accepted"),
            topic("t1", "notify-next")
        ]
    );
    assert_eq!(
        msgs[1].payload.to_json(),
        json!({"timestamp": 20, "execution": {"jobId": "j2", "status": "IN_PROGRESS",
            "queuedAt": 10, "startedAt": 20, "lastUpdatedAt": 20, "versionNumber": 2,
            "executionNumber": 1, "jobDocument": doc()}})
    );
    // j1 was queued earlier than every IN_PROGRESS execution: starting it makes it the head.
    w.at(30);
    let msgs = w.publish(&topic("t1", "j1/update"), json!({"status": "IN_PROGRESS"}));
    assert_eq!(
        topics(&msgs),
        vec![
            topic("t1", "j1/update/accepted"),
            topic("t1", "notify-next")
        ]
    );
    assert_eq!(msgs[1].payload.to_json()["execution"]["jobId"], json!("j1"));
}

#[test]
fn decision_25_a_change_of_the_heads_details_publishes_nothing() {
    let mut w = two_jobs();
    w.at(20);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(30);
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "IN_PROGRESS", "statusDetails": {"p": "50"}, "stepTimeoutInMinutes": 5}),
    );
    assert_eq!(topics(&msgs), vec![topic("t1", "j1/update/accepted")]);
}

#[test]
fn decision_25_the_last_execution_leaving_is_announced_with_only_a_timestamp() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.at(7);
    w.update("t1", "j1", "REJECTED", json!({})).unwrap();
    assert_eq!(
        w.messages,
        vec![
            Message {
                topic: topic("t1", "notify"),
                payload: json!({"timestamp": 7, "jobs": {}}).into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 7}).into(),
            },
        ]
    );
}

#[test]
fn decision_25_a_retry_after_failed_is_a_new_head() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("FAILED", 1)]));
    w.at(10);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(50);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    assert_eq!(
        w.messages,
        vec![
            Message {
                topic: topic("t1", "notify"),
                payload:
                    json!({"timestamp": 50, "jobs": {"QUEUED": [summary("j1", 2, 1, 50, 50)]}})
                        .into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 50, "execution": queued_exec("j1", 2, 50)}).into(),
            },
        ],
        "execution 2 replaces execution 1: same job, a different execution"
    );
}

#[test]
fn decision_25_cancel_and_force_delete_of_the_head_publish_both() {
    let mut w = two_jobs();
    w.at(20);
    w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
    w.at(30);
    w.ok(
        "CancelJobExecution",
        json!({"thingName": "t1", "jobId": "j1", "force": true}),
    );
    assert_eq!(
        w.messages,
        vec![
            Message {
                topic: topic("t1", "notify"),
                payload:
                    json!({"timestamp": 30, "jobs": {"QUEUED": [summary("j2", 1, 1, 10, 10)]}})
                        .into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 30, "execution": queued_exec("j2", 1, 10)}).into(),
            },
        ]
    );
    w.at(40);
    w.ok(
        "DeleteJobExecution",
        json!({"thingName": "t1", "jobId": "j2", "executionNumber": 1, "force": true}),
    );
    assert_eq!(
        w.messages,
        vec![
            Message {
                topic: topic("t1", "notify"),
                payload: json!({"timestamp": 40, "jobs": {}}).into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 40}).into(),
            },
        ]
    );
}

#[test]
fn decision_25_cancel_job_and_group_joins_notify_every_thing_concerned() {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3").group("g", &["t1"]);
    w.job("jc", &["group:g"], json!({"targetSelection": "CONTINUOUS"}));
    w.at(5);
    w.ok(
        "AddThingToThingGroup",
        json!({"thingName": "t2", "thingGroupName": "g"}),
    );
    assert_eq!(
        w.messages,
        vec![
            Message {
                topic: topic("t2", "notify"),
                payload: json!({"timestamp": 5, "jobs": {"QUEUED": [summary("jc", 1, 1, 5, 5)]}})
                    .into(),
            },
            Message {
                topic: topic("t2", "notify-next"),
                payload: json!({"timestamp": 5, "execution": queued_exec("jc", 1, 5)}).into(),
            },
        ]
    );
    w.at(9);
    w.ok("CancelJob", json!({"jobId": "jc"}));
    let mut got = topics(&w.messages);
    got.sort();
    assert_eq!(
        got,
        vec![
            topic("t1", "notify"),
            topic("t1", "notify-next"),
            topic("t2", "notify"),
            topic("t2", "notify-next"),
        ],
        "t3 was never targeted and hears nothing"
    );
    for m in &w.messages {
        assert_eq!(m.payload.to_json()["timestamp"], json!(9));
    }
    for thing in ["t1", "t2"] {
        let i = w
            .messages
            .iter()
            .position(|m| m.topic == topic(thing, "notify"));
        let j = w
            .messages
            .iter()
            .position(|m| m.topic == topic(thing, "notify-next"));
        assert!(i < j, "notify before notify-next for {thing} (decision 26)");
    }
}

// ---------------------------------------------------------------------------------------
// Decision 26: the reply, then notify, then notify-next.

#[test]
fn decision_26_the_reply_comes_first_then_notify_then_notify_next() {
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "SUCCEEDED", "clientToken": "c-1"}),
    );
    assert_eq!(
        msgs,
        vec![
            Message {
                topic: topic("t1", "j1/update/accepted"),
                payload: json!({"timestamp": 20, "clientToken": "c-1"}).into(),
            },
            Message {
                topic: topic("t1", "notify"),
                payload:
                    json!({"timestamp": 20, "jobs": {"QUEUED": [summary("j2", 1, 1, 10, 10)]}})
                        .into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 20, "execution": queued_exec("j2", 1, 10)}).into(),
            },
        ]
    );
}

#[test]
fn decision_26_a_refused_request_publishes_only_its_rejection() {
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "SUCCEEDED", "expectedVersion": 9}),
    );
    assert_eq!(topics(&msgs), vec![topic("t1", "j1/update/rejected")]);
    assert_eq!(w.svc.pending_order("t1").len(), 2, "nothing changed");
}

// ---------------------------------------------------------------------------------------
// Decisions 7, 9 and 13 over MQTT.

#[test]
fn decision_07_mqtt_update_of_a_terminal_execution_is_invalid_state_transition_with_state() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.at(5);
    w.update(
        "t1",
        "j1",
        "SUCCEEDED",
        json!({"statusDetails": {"r": "ok"}}),
    )
    .unwrap();
    for status in ["SUCCEEDED", "IN_PROGRESS", "FAILED"] {
        w.at(w.now + 1);
        let msgs = w.publish(
            &topic("t1", "j1/update"),
            json!({"status": status, "clientToken": "again"}),
        );
        assert_eq!(topics(&msgs), vec![topic("t1", "j1/update/rejected")]);
        assert_eq!(
            rejection(&msgs[0].payload.to_json()),
            json!({"code": "InvalidStateTransition", "clientToken": "again",
                   "timestamp": w.now, "executionState": {"status": "SUCCEEDED",
                   "statusDetails": {"r": "ok"}, "versionNumber": 2}}),
            "{status}"
        );
    }
    // A stale expectedVersion on a terminal execution: the version is checked first
    // (decision 8), still with the state.
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "SUCCEEDED", "expectedVersion": "1"}),
    );
    assert_eq!(
        rejection(&msgs[0].payload.to_json()),
        json!({"code": "VersionMismatch", "timestamp": w.now, "executionState": {
               "status": "SUCCEEDED", "statusDetails": {"r": "ok"}, "versionNumber": 2}})
    );
}

#[test]
fn decision_09_mqtt_expected_version_string_of_digits() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.at(5);
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "IN_PROGRESS", "expectedVersion": "1",
               "includeJobExecutionState": true, "clientToken": "v"}),
    );
    assert_eq!(
        msgs,
        vec![Message {
            topic: topic("t1", "j1/update/accepted"),
            payload: json!({"executionState": {"status": "IN_PROGRESS", "versionNumber": 2},
                            "timestamp": 5, "clientToken": "v"})
            .into(),
        }]
    );
    // A number works too.
    w.at(6);
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "IN_PROGRESS", "expectedVersion": 2}),
    );
    assert_eq!(topics(&msgs), vec![topic("t1", "j1/update/accepted")]);
    assert_eq!(w.exec("t1", "j1").version_number, 3);
}

#[test]
fn decision_09_mqtt_expected_version_strings_that_are_not_digits_are_invalid_request() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    for bad in ["", "one", "-1", "1.0", " 1", "0x1"] {
        let msgs = w.publish(
            &topic("t1", "j1/update"),
            json!({"status": "IN_PROGRESS", "expectedVersion": bad, "clientToken": "b"}),
        );
        assert_eq!(
            topics(&msgs),
            vec![topic("t1", "j1/update/rejected")],
            "{bad:?}"
        );
        assert_eq!(
            msgs[0].payload.to_json()["code"],
            json!("InvalidRequest"),
            "{bad:?}"
        );
        assert_eq!(msgs[0].payload.to_json()["clientToken"], json!("b"));
    }
    assert_eq!(w.exec("t1", "j1").version_number, 1, "nothing changed");
}

#[test]
fn decision_09_mqtt_version_mismatch_carries_execution_state_and_comes_first() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.at(3);
    w.update(
        "t1",
        "j1",
        "IN_PROGRESS",
        json!({"statusDetails": {"s": "1"}}),
    )
    .unwrap();
    // A stale number, a stale string, and a mismatch on a request whose status a device
    // may not set (decision 8: the version is checked first).
    for (ev, status) in [
        (json!(1), "SUCCEEDED"),
        (json!("7"), "IN_PROGRESS"),
        (json!(5), "QUEUED"),
    ] {
        let msgs = w.publish(
            &topic("t1", "j1/update"),
            json!({"status": status, "expectedVersion": ev, "clientToken": "m"}),
        );
        assert_eq!(
            msgs.iter()
                .map(|m| (m.topic.clone(), rejection(&m.payload.to_json())))
                .collect::<Vec<_>>(),
            vec![(
                topic("t1", "j1/update/rejected"),
                json!({"code": "VersionMismatch", "clientToken": "m", "timestamp": 3,
                       "executionState": {"status": "IN_PROGRESS", "statusDetails": {"s": "1"},
                                          "versionNumber": 2}})
            )],
            "{ev} {status}"
        );
    }
    // The HTTP contrast: a string is refused there, a mismatch is a 409 with the state.
    assert_eq!(
        w.update("t1", "j1", "IN_PROGRESS", json!({"expectedVersion": "2"}))
            .unwrap_err()["code"],
        json!("InvalidRequestException")
    );
    let e = w
        .update("t1", "j1", "IN_PROGRESS", json!({"expectedVersion": 1}))
        .unwrap_err();
    assert_eq!(e["code"], json!("InvalidStateTransitionException"));
    assert_eq!(e["executionState"]["versionNumber"], json!(2));
}

#[test]
fn decision_13_mqtt_describe_of_a_terminal_execution_is_terminal_state_reached() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], json!({}));
    w.at(4);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    let msgs = w.publish(&topic("t1", "j1/get"), json!({"clientToken": "d"}));
    assert_eq!(topics(&msgs), vec![topic("t1", "j1/get/rejected")]);
    assert_eq!(
        rejection(&msgs[0].payload.to_json()),
        json!({"code": "TerminalStateReached", "clientToken": "d", "timestamp": 4}),
        "executionState only for InvalidStateTransition and VersionMismatch (aws-facts 8.4)"
    );
}

#[test]
fn decision_13_mqtt_describe_means_the_newest_execution_unless_numbered() {
    let mut w = World::new();
    w.thing("t1").job("j1", &["t1"], retry(&[("FAILED", 1)]));
    w.at(8);
    w.update("t1", "j1", "FAILED", json!({})).unwrap();
    let msgs = w.publish(&topic("t1", "j1/get"), json!({}));
    assert_eq!(
        msgs,
        vec![Message {
            topic: topic("t1", "j1/get/accepted"),
            payload: json!({"execution": queued_exec("j1", 2, 8), "timestamp": 8}).into(),
        }]
    );
    let msgs = w.publish(&topic("t1", "j1/get"), json!({"executionNumber": 1}));
    assert_eq!(topics(&msgs), vec![topic("t1", "j1/get/rejected")]);
    assert_eq!(
        msgs[0].payload.to_json()["code"],
        json!("TerminalStateReached")
    );
}

#[test]
fn decision_13_mqtt_next_get_returns_the_head_unchanged_or_no_execution() {
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(&topic("t1", "$next/get"), json!({"clientToken": "n"}));
    assert_eq!(
        msgs,
        vec![Message {
            topic: topic("t1", "$next/get/accepted"),
            payload: json!({"execution": queued_exec("j1", 1, 0), "timestamp": 20,
                            "clientToken": "n"})
            .into(),
        }],
        "includeJobDocument defaults to true; the head is not started"
    );
    assert_eq!(w.exec("t1", "j1").version_number, 1);
    let msgs = w.publish(&topic("t1", "j2/get"), json!({"includeJobDocument": false}));
    assert_eq!(
        msgs[0].payload.to_json(),
        json!({"execution": {"jobId": "j2", "status": "QUEUED", "queuedAt": 10,
               "lastUpdatedAt": 10, "versionNumber": 1, "executionNumber": 1},
               "timestamp": 20})
    );
    let mut w = World::new();
    w.thing("idle");
    let msgs = w.publish(&topic("idle", "$next/get"), json!({}));
    assert_eq!(
        msgs,
        vec![Message {
            topic: topic("idle", "$next/get/accepted"),
            payload: json!({"timestamp": 0}).into(),
        }]
    );
}

// ---------------------------------------------------------------------------------------
// Details, MQTT checks and shapes.

#[test]
fn details_mqtt_topics_outside_the_jobs_prefix_get_no_answer() {
    let mut w = two_jobs();
    for t in [
        "sensors/t1/temperature",
        "$aws/things/t1/shadow/update",
        "$aws/things/t1",
        "$aws/things/t1/jobsx/get",
        "$aws/thingsx/t1/jobs/get",
        "aws/things/t1/jobs/get",
    ] {
        assert!(w.publish(t, json!({"clientToken": "x"})).is_empty(), "{t}");
        assert!(w.publish_bytes(t, b"not json").is_empty(), "{t}");
    }
}

#[test]
fn details_mqtt_a_topic_naming_no_operation_is_invalid_topic_before_the_json_check() {
    let mut w = two_jobs();
    for t in [
        "$aws/things/t1/jobs/frob",
        "$aws/things/t1/jobs/j1/delete",
        "$aws/things/t1/jobs/j1/get/extra",
        "$aws/things/t1/jobs",
    ] {
        for payload in [&b"{}"[..], b"{not json", b""] {
            let msgs = w.publish_bytes(t, payload);
            assert_eq!(msgs.len(), 1, "{t}: {msgs:?}");
            assert_eq!(
                msgs[0].payload.to_json()["code"],
                json!("InvalidTopic"),
                "{t}"
            );
            assert_eq!(msgs[0].payload.to_json()["timestamp"], json!(10), "{t}");
        }
    }
}

#[test]
fn details_mqtt_invalid_json_and_an_empty_payload_are_invalid_json() {
    let mut w = two_jobs();
    for payload in [
        &b""[..],
        b"{\"status\": ",
        b"{'status': 'SUCCEEDED'}",
        b"\xff\xfe",
    ] {
        let msgs = w.publish_bytes(&topic("t1", "j1/update"), payload);
        assert_eq!(topics(&msgs), vec![topic("t1", "j1/update/rejected")]);
        assert_eq!(
            rejection(&msgs[0].payload.to_json()),
            json!({"code": "InvalidJson", "timestamp": 10}),
            "{payload:?}"
        );
    }
    assert_eq!(w.exec("t1", "j1").version_number, 1);
}

#[test]
fn details_mqtt_a_payload_that_is_not_an_object_is_invalid_request() {
    let mut w = two_jobs();
    for payload in [json!([1]), json!("SUCCEEDED"), json!(3), json!(null)] {
        let msgs = w.publish(&topic("t1", "get"), payload.clone());
        assert_eq!(topics(&msgs), vec![topic("t1", "get/rejected")]);
        assert_eq!(
            msgs[0].payload.to_json()["code"],
            json!("InvalidRequest"),
            "{payload}"
        );
    }
}

#[test]
fn details_mqtt_client_token_must_be_a_string_checked_before_the_http_checks() {
    let mut w = two_jobs();
    for token in [json!(42), json!(true), json!({"a": 1}), json!(["c"])] {
        // An unknown job would be ResourceNotFound; the token check comes first.
        let msgs = w.publish(
            &topic("t1", "nojob/update"),
            json!({"status": "SUCCEEDED", "clientToken": token}),
        );
        assert_eq!(topics(&msgs), vec![topic("t1", "nojob/update/rejected")]);
        assert_eq!(
            rejection(&msgs[0].payload.to_json()),
            json!({"code": "InvalidRequest", "timestamp": 10}),
            "not echoed: {token}"
        );
    }
    // And a valid request with a bad token changes nothing.
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "SUCCEEDED", "clientToken": 1}),
    );
    assert_eq!(msgs[0].payload.to_json()["code"], json!("InvalidRequest"));
    assert_eq!(w.svc.pending_order("t1").len(), 2);
}

#[test]
fn details_mqtt_client_token_is_echoed_on_every_reply() {
    let mut w = two_jobs();
    let cases = [
        ("get", json!({}), "get/accepted"),
        ("start-next", json!({}), "start-next/accepted"),
        ("j2/get", json!({}), "j2/get/accepted"),
        ("$next/get", json!({}), "$next/get/accepted"),
        (
            "j1/update",
            json!({"status": "IN_PROGRESS"}),
            "j1/update/accepted",
        ),
        (
            "j1/update",
            json!({"status": "BOGUS"}),
            "j1/update/rejected",
        ),
        ("nojob/get", json!({}), "nojob/get/rejected"),
    ];
    for (i, (suffix, mut payload, reply)) in cases.into_iter().enumerate() {
        let token = format!("tok-{i}");
        payload["clientToken"] = json!(token);
        let msgs = w.publish(&topic("t1", suffix), payload);
        assert_eq!(msgs[0].topic, topic("t1", reply), "{suffix}");
        assert_eq!(
            msgs[0].payload.to_json()["clientToken"],
            json!(token),
            "{suffix}"
        );
        assert_eq!(
            msgs[0].payload.to_json()["timestamp"],
            json!(10),
            "{suffix}"
        );
    }
    // No token sent, none returned.
    let msgs = w.publish(&topic("t1", "get"), json!({}));
    assert!(msgs[0].payload.to_json().get("clientToken").is_none());
}

#[test]
fn details_mqtt_bad_names_in_the_topic_and_next_update_are_invalid_request() {
    let mut w = two_jobs();
    for (t, reply) in [
        (
            "$aws/things/bad!name/jobs/get",
            "$aws/things/bad!name/jobs/get/rejected",
        ),
        (
            "$aws/things/t1/jobs/bad.job/get",
            "$aws/things/t1/jobs/bad.job/get/rejected",
        ),
        (
            "$aws/things/t1/jobs/$next/update",
            "$aws/things/t1/jobs/$next/update/rejected",
        ),
    ] {
        let msgs = w.publish(t, json!({"status": "IN_PROGRESS", "clientToken": "k"}));
        assert_eq!(topics(&msgs), vec![reply], "{t}");
        assert_eq!(
            rejection(&msgs[0].payload.to_json()),
            json!({"code": "InvalidRequest", "clientToken": "k", "timestamp": 10}),
            "{t}"
        );
    }
    assert_eq!(
        w.exec("t1", "j1").version_number,
        1,
        "$next/update started nothing"
    );
}

#[test]
fn details_mqtt_error_codes_map_one_to_one() {
    let mut w = two_jobs();
    w.thing("t2");
    let cases = [
        (topic("ghost", "get"), json!({}), "ResourceNotFound"),
        (topic("t1", "nojob/get"), json!({}), "ResourceNotFound"),
        (topic("t2", "j1/get"), json!({}), "ResourceNotFound"),
        (
            topic("t1", "j1/get"),
            json!({"executionNumber": 5}),
            "ResourceNotFound",
        ),
        (
            topic("t1", "j1/update"),
            json!({"status": "BOGUS"}),
            "InvalidRequest",
        ),
        (
            topic("t1", "j1/update"),
            json!({"status": "IN_PROGRESS", "stepTimeoutInMinutes": 0}),
            "InvalidRequest",
        ),
        (
            topic("t1", "j1/update"),
            json!({"status": "TIMED_OUT"}),
            "InvalidStateTransition",
        ),
        (
            topic("t1", "start-next"),
            json!({"stepTimeoutInMinutes": -1}),
            "InvalidRequest",
        ),
    ];
    for (t, payload, code) in cases {
        let msgs = w.publish(&t, payload.clone());
        assert_eq!(
            topics(&msgs),
            vec![format!("{t}/rejected")],
            "{t} {payload}"
        );
        assert_eq!(
            msgs[0].payload.to_json()["code"],
            json!(code),
            "{t} {payload}"
        );
        let has_state = msgs[0].payload.to_json().get("executionState").is_some();
        assert_eq!(has_state, code == "InvalidStateTransition", "{t} {payload}");
    }
}

#[test]
fn details_mqtt_executions_have_no_thing_name_and_the_document_as_an_object() {
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(
        &topic("t1", "start-next"),
        json!({"stepTimeoutInMinutes": 2}),
    );
    assert_eq!(
        msgs[0].payload.to_json(),
        json!({"execution": {"jobId": "j1", "status": "IN_PROGRESS", "queuedAt": 0,
               "startedAt": 20, "lastUpdatedAt": 20, "versionNumber": 2, "executionNumber": 1,
               "approximateSecondsBeforeTimedOut": 120, "jobDocument": doc()},
               "timestamp": 20})
    );
    let http = w.ok(
        "DescribeJobExecution",
        json!({"thingName": "t1", "jobId": "j1"}),
    );
    assert_eq!(http["execution"]["thingName"], json!("t1"));
    assert_eq!(http["execution"]["jobDocument"], json!("{\"op\":\"x\"}"));
}

#[test]
fn details_mqtt_update_accepted_carries_state_and_document_only_when_asked() {
    let mut w = two_jobs();
    w.at(20);
    let msgs = w.publish(&topic("t1", "j1/update"), json!({"status": "IN_PROGRESS"}));
    assert_eq!(msgs[0].payload.to_json(), json!({"timestamp": 20}));
    let msgs = w.publish(
        &topic("t1", "j1/update"),
        json!({"status": "IN_PROGRESS", "includeJobExecutionState": true,
               "includeJobDocument": true, "statusDetails": {"a": "b"}}),
    );
    assert_eq!(
        msgs[0].payload.to_json(),
        json!({"executionState": {"status": "IN_PROGRESS", "statusDetails": {"a": "b"},
               "versionNumber": 3}, "jobDocument": doc(), "timestamp": 20})
    );
    let msgs = w.publish(&topic("t1", "get"), json!({}));
    assert_eq!(
        msgs[0].payload.to_json(),
        json!({"inProgressJobs": [started(summary("j1", 1, 3, 0, 20), 20)],
               "queuedJobs": [summary("j2", 1, 1, 10, 10)], "timestamp": 20})
    );
}

#[test]
fn details_mqtt_a_deleted_things_topics_still_receive_messages() {
    let mut w = World::new();
    w.thing("t1").job(
        "jt",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1},
               "jobExecutionsRetryConfig": {"criteriaList": [
                   {"failureType": "ALL", "numberOfRetries": 2}]}}),
    );
    w.at(1).job("jq", &["t1"], json!({}));
    w.at(10);
    w.update("t1", "jt", "IN_PROGRESS", json!({})).unwrap();
    w.at(20);
    w.ok("DeleteThing", json!({"thingName": "t1"}));
    assert_eq!(
        w.messages,
        vec![Message {
            topic: topic("t1", "notify"),
            payload: json!({"timestamp": 20, "jobs": {
                "IN_PROGRESS": [started(summary("jt", 1, 2, 0, 10), 10)]}})
            .into(),
        }],
        "jq REMOVED; the IN_PROGRESS head stays (decision 3)"
    );
    // Its timer still fires, on the deleted thing's topics, and it is never retried.
    let msgs = advance(&mut w, 100);
    assert_eq!(
        msgs,
        vec![
            Message {
                topic: topic("t1", "notify"),
                payload: json!({"timestamp": 70, "jobs": {}}).into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 70}).into(),
            },
        ]
    );
    // The device itself can no longer ask: the thing does not exist (decision 1).
    let msgs = w.publish(&topic("t1", "get"), json!({}));
    assert_eq!(topics(&msgs), vec![topic("t1", "get/rejected")]);
    assert_eq!(msgs[0].payload.to_json()["code"], json!("ResourceNotFound"));
}

// ---------------------------------------------------------------------------------------
// Details, timers and messages.

/// `n` things t1..tn, each with its own job `j` started with a step timer of `minutes[i]`
/// at time 0.
fn timed(minutes: &[i64]) -> World {
    let mut w = World::new();
    for (i, m) in minutes.iter().enumerate() {
        let t = format!("t{}", i + 1);
        w.thing(&t).job(&format!("j{}", i + 1), &[&t], json!({}));
        w.update(
            &t,
            &format!("j{}", i + 1),
            "IN_PROGRESS",
            json!({"stepTimeoutInMinutes": m}),
        )
        .unwrap();
    }
    w
}

#[test]
fn details_timers_and_messages_each_timer_publishes_its_own_pair_stamped_with_its_deadline() {
    let mut w = timed(&[2, 1]);
    let msgs = advance(&mut w, 1000);
    assert_eq!(
        msgs,
        vec![
            Message {
                topic: topic("t2", "notify"),
                payload: json!({"timestamp": 60, "jobs": {}}).into(),
            },
            Message {
                topic: topic("t2", "notify-next"),
                payload: json!({"timestamp": 60}).into(),
            },
            Message {
                topic: topic("t1", "notify"),
                payload: json!({"timestamp": 120, "jobs": {}}).into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 120}).into(),
            },
        ],
        "in deadline order, each stamped with its deadline, not with 1000"
    );
}

#[test]
fn details_timers_and_messages_two_timers_of_one_thing_in_one_advance() {
    let mut w = World::new();
    w.thing("t1").job("ja", &["t1"], json!({}));
    w.at(5).job("jb", &["t1"], json!({}));
    w.at(10);
    w.update(
        "t1",
        "ja",
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 1}),
    )
    .unwrap();
    w.update(
        "t1",
        "jb",
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 2}),
    )
    .unwrap();
    let msgs = advance(&mut w, 500);
    assert_eq!(
        msgs,
        vec![
            Message {
                topic: topic("t1", "notify"),
                payload: json!({"timestamp": 70, "jobs": {
                    "IN_PROGRESS": [started(summary("jb", 1, 2, 5, 10), 10)]}})
                .into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 70, "execution": {"jobId": "jb",
                    "status": "IN_PROGRESS", "queuedAt": 5, "startedAt": 10,
                    "lastUpdatedAt": 10, "versionNumber": 2, "executionNumber": 1,
                    "approximateSecondsBeforeTimedOut": 60, "jobDocument": doc()}})
                .into(),
            },
            Message {
                topic: topic("t1", "notify"),
                payload: json!({"timestamp": 130, "jobs": {}}).into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 130}).into(),
            },
        ]
    );
}

#[test]
fn details_timers_and_messages_a_non_head_timing_out_publishes_notify_only() {
    let mut w = World::new();
    w.thing("t1").job("ja", &["t1"], json!({}));
    w.at(5).job("jb", &["t1"], json!({}));
    w.at(10);
    w.update("t1", "ja", "IN_PROGRESS", json!({})).unwrap();
    w.update(
        "t1",
        "jb",
        "IN_PROGRESS",
        json!({"stepTimeoutInMinutes": 1}),
    )
    .unwrap();
    let msgs = advance(&mut w, 70);
    assert_eq!(
        msgs,
        vec![Message {
            topic: topic("t1", "notify"),
            payload: json!({"timestamp": 70, "jobs": {
                "IN_PROGRESS": [started(summary("ja", 1, 2, 0, 10), 10)]}})
            .into(),
        }]
    );
}

#[test]
fn details_timers_and_messages_a_timer_due_at_the_request_time_publishes_before_the_reply() {
    let mut w = timed(&[1]);
    w.now = 60;
    let msgs = w.publish(&topic("t1", "j1/update"), json!({"status": "SUCCEEDED"}));
    assert_eq!(
        topics(&msgs),
        vec![
            topic("t1", "notify"),
            topic("t1", "notify-next"),
            topic("t1", "j1/update/rejected"),
        ]
    );
    assert_eq!(
        msgs[0].payload.to_json(),
        json!({"timestamp": 60, "jobs": {}})
    );
    assert_eq!(
        rejection(&msgs[2].payload.to_json()),
        json!({"code": "InvalidStateTransition", "timestamp": 60,
               "executionState": {"status": "TIMED_OUT", "versionNumber": 2}})
    );
}

#[test]
fn details_timers_and_messages_a_retry_queued_by_a_timeout_is_announced() {
    let mut w = World::new();
    w.thing("t1").job(
        "j1",
        &["t1"],
        json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 2},
               "jobExecutionsRetryConfig": {"criteriaList": [
                   {"failureType": "TIMED_OUT", "numberOfRetries": 1}]}}),
    );
    w.at(30);
    let msgs = w.publish(&topic("t1", "start-next"), json!({}));
    assert_eq!(topics(&msgs), vec![topic("t1", "start-next/accepted")]);
    let msgs = advance(&mut w, 400);
    assert_eq!(
        msgs,
        vec![
            Message {
                topic: topic("t1", "notify"),
                payload:
                    json!({"timestamp": 150, "jobs": {"QUEUED": [summary("j1", 2, 1, 150, 150)]}})
                        .into(),
            },
            Message {
                topic: topic("t1", "notify-next"),
                payload: json!({"timestamp": 150, "execution": queued_exec("j1", 2, 150)}).into(),
            },
        ]
    );
    // The retry runs out: the last timeout empties the set.
    w.at(500);
    w.publish(&topic("t1", "start-next"), json!({}));
    let msgs = advance(&mut w, 1000);
    assert_eq!(
        topics(&msgs),
        vec![topic("t1", "notify"), topic("t1", "notify-next")]
    );
    assert_eq!(
        msgs[0].payload.to_json(),
        json!({"timestamp": 620, "jobs": {}})
    );
    assert_eq!(msgs[1].payload.to_json(), json!({"timestamp": 620}));
}

#[test]
fn details_mqtt_http_control_calls_do_not_answer_over_mqtt() {
    // Only publishes get replies: a control-plane call publishes notifications alone.
    let mut w = World::new();
    w.thing("t1");
    w.call_on(
        Plane::Control,
        "CreateJob",
        json!({"jobId": "j1", "targets": [thing_arn("t1")], "document": "{}"}),
    )
    .unwrap();
    assert_eq!(
        topics(&w.messages),
        vec![topic("t1", "notify"), topic("t1", "notify-next")]
    );
    assert_eq!(
        w.messages[1].payload.to_json()["execution"]["jobDocument"],
        json!({})
    );
}

/// Decision 26 (CHOICE part) and trace-format's canonical order: when one moment touches
/// several things, every `notify` comes before every `notify-next`, and each kind is
/// ordered by thing name, whatever order the things were touched in.
#[test]
fn decision_26_several_things_every_notify_then_every_notify_next_each_by_thing_name() {
    let mut w = World::new();
    w.thing("t1").thing("t2").thing("t3");
    // The targets name t3 first, so its execution is queued first.
    w.job("j1", &["t3", "t1", "t2"], json!({}));
    let topics: Vec<&str> = w.messages.iter().map(|m| m.topic.as_str()).collect();
    assert_eq!(
        topics,
        [
            "$aws/things/t1/jobs/notify",
            "$aws/things/t2/jobs/notify",
            "$aws/things/t3/jobs/notify",
            "$aws/things/t1/jobs/notify-next",
            "$aws/things/t2/jobs/notify-next",
            "$aws/things/t3/jobs/notify-next",
        ]
    );
}
