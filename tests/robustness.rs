//! Robustness: whatever a trace, a client or a device sends, the specification answers
//! without panicking, and a refused request changes nothing.
//!
//! - (a) arbitrary bytes, arbitrary strings and near-valid step objects as a trace line
//!   into `Step::parse` (and, when a line parses, into `Replay::check`);
//! - (b) arbitrary JSON (null, booleans, integers of every size and sign, floats, strings
//!   with unicode and control characters, arrays, objects keyed by the operations' real
//!   member names or by random keys) as the input of each of the 17 operations, fully
//!   random or as a valid input with members replaced, into `Request::decode` and, when it
//!   decodes, `Service::handle` on a populated service, alone and in short sequences;
//! - (c) arbitrary topics, under `$aws/things/...` and not, with arbitrary payload bytes,
//!   JSON or near-valid request payloads, into `Service::handle_publish`: at most one
//!   reply, on the request's own `/accepted` or `/rejected`, exactly when the topic is
//!   under `$aws/things/T/jobs`; a rejected request changes nothing;
//! - (d) traces with timers at arbitrary times up to `u64::MAX`, through `Replay` and a
//!   `trace::Checker` with timer slack, on a service whose timers fire arbitrarily late;
//! - very large inputs (1 MB strings, 100 000-entry statusDetails and target lists, 1 MB
//!   payloads, JSON nested 100 000 deep) are refused or handled in bounded time.
//!
//! Default run: 1 024 cases for each of the 7 properties (7 168 inputs; `PROPTEST_CASES`
//! changes the number), plus the fixed cases; about 5 s of test time in debug:
//!
//! ```text
//! cargo test --test robustness
//! ```
//!
//! Large run: 100 000 cases for each of the 7 properties, 700 000 inputs (300 000 trace
//! lines, 100 000 single requests, 100 000 sequences of 1 to 5 requests, 100 000 MQTT
//! publishes, 100 000 timer traces of up to 12 steps); about 2 minutes in release:
//!
//! ```text
//! cargo test --release --test robustness -- --ignored
//! ```
//!
//! Failures are not persisted to `proptest-regressions/`; a failing case prints its
//! shrunk input.

mod common;

use std::time::{Duration, Instant};

use iot_jobs_spec::mqtt::JobsTopic;
use iot_jobs_spec::trace::{Checker, Replay, Step, Tolerance};
use iot_jobs_spec::{Config, Error, Operation, Request, Service};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{json, Map, Number, Value};

use common::{drain, group_arn, thing_arn};
use strum::IntoEnumIterator;

// ---------------------------------------------------------------------------------------
// The populated service.

fn must(svc: &mut Service, op: Operation, input: Value) {
    let request = Request::decode(op, &input).unwrap_or_else(|e| panic!("{op:?} {input}: {e}"));
    svc.handle(svc.now(), request)
        .unwrap_or_else(|e| panic!("{op:?} {input}: {e}"));
    while svc.poll_message().is_some() {}
}

/// Things t0..t2, group g0 {t0, t1}; `jS` SNAPSHOT on g0 and t2 (in-progress timer 1 min,
/// retries ALL 1), `jC` CONTINUOUS on g0; jS/t0 IN_PROGRESS with a step timer, jS/t1
/// FAILED and retried, jC/t0 SUCCEEDED; the clock at 30.
fn populated(config: Config) -> Service {
    use Operation as O;
    let mut svc = Service::new(config);
    for t in ["t0", "t1", "t2"] {
        must(&mut svc, O::CreateThing, json!({"thingName": t}));
    }
    must(
        &mut svc,
        O::CreateThingGroup,
        json!({"thingGroupName": "g0"}),
    );
    for t in ["t0", "t1"] {
        must(
            &mut svc,
            O::AddThingToThingGroup,
            json!({"thingGroupName": "g0", "thingName": t}),
        );
    }
    must(
        &mut svc,
        O::CreateJob,
        json!({"jobId": "jS", "targets": [group_arn("g0"), thing_arn("t2")],
               "document": "{\"op\":\"s\"}", "timeoutConfig": {"inProgressTimeoutInMinutes": 1},
               "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "ALL", "numberOfRetries": 1}]}}),
    );
    must(
        &mut svc,
        O::CreateJob,
        json!({"jobId": "jC", "targets": [group_arn("g0")], "document": "{}",
               "targetSelection": "CONTINUOUS"}),
    );
    must(
        &mut svc,
        O::UpdateJobExecution,
        json!({"jobId": "jS", "thingName": "t0", "status": "IN_PROGRESS", "stepTimeoutInMinutes": 5,
               "statusDetails": {"k": "v"}}),
    );
    must(
        &mut svc,
        O::UpdateJobExecution,
        json!({"jobId": "jS", "thingName": "t1", "status": "FAILED"}),
    );
    must(
        &mut svc,
        O::UpdateJobExecution,
        json!({"jobId": "jC", "thingName": "t0", "status": "SUCCEEDED"}),
    );
    svc.handle_timeout(30);
    while svc.poll_message().is_some() {}
    svc
}

fn base() -> Service {
    thread_local! {
        static BASE: Service = populated(Config::default());
    }
    BASE.with(Clone::clone)
}

/// A valid input for each operation against [`populated`]. The operation list is
/// `Operation::iter()`; this must name every one.
fn template(op: Operation) -> Value {
    use Operation as O;
    match op {
        O::DescribeJobExecution => {
            json!({"jobId": "jS", "thingName": "t0", "includeJobDocument": true, "executionNumber": 1})
        }
        O::GetPendingJobExecutions => json!({"thingName": "t0"}),
        O::StartNextPendingJobExecution => {
            json!({"thingName": "t2", "statusDetails": {"k": "v"}, "stepTimeoutInMinutes": 5})
        }
        O::UpdateJobExecution => json!({
            "jobId": "jS", "thingName": "t0", "status": "IN_PROGRESS",
            "statusDetails": {"k": "v"}, "stepTimeoutInMinutes": 5, "expectedVersion": 2,
            "includeJobExecutionState": true, "includeJobDocument": true, "executionNumber": 1}),
        O::CreateThing => json!({"thingName": "t9",
            "attributePayload": {"attributes": {"a": "b"}, "merge": false}}),
        O::DeleteThing => json!({"thingName": "t1", "expectedVersion": 1}),
        O::CreateThingGroup => json!({"thingGroupName": "g9",
            "thingGroupProperties": {"thingGroupDescription": "d",
                                     "attributePayload": {"attributes": {"a": "b"}}},
            "tags": [{"Key": "k", "Value": "v"}]}),
        O::AddThingToThingGroup => json!({"thingGroupName": "g0", "thingName": "t2"}),
        O::RemoveThingFromThingGroup => json!({"thingGroupName": "g0", "thingName": "t0"}),
        O::CreateJob => json!({
            "jobId": "j9", "targets": [thing_arn("t2"), group_arn("g0")], "document": "{}",
            "targetSelection": "CONTINUOUS", "description": "d",
            "timeoutConfig": {"inProgressTimeoutInMinutes": 1},
            "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "FAILED", "numberOfRetries": 2}]}}),
        O::CancelJob => json!({"jobId": "jC", "force": true, "reasonCode": "R_1", "comment": "c"}),
        O::CancelJobExecution => json!({"jobId": "jS", "thingName": "t2", "force": false,
            "expectedVersion": 1, "statusDetails": {"k": "v"}}),
        O::DeleteJobExecution => {
            json!({"jobId": "jC", "thingName": "t0", "executionNumber": 1, "force": false})
        }
        O::ControlDescribeJobExecution => {
            json!({"jobId": "jS", "thingName": "t0", "executionNumber": 1})
        }
        O::ListJobExecutionsForThing => json!({"thingName": "t0", "status": "IN_PROGRESS",
            "maxResults": 2, "nextToken": "0", "jobId": "jS"}),
        O::ListJobExecutionsForJob => {
            json!({"jobId": "jS", "status": "IN_PROGRESS", "maxResults": 1, "nextToken": "0"})
        }
        O::DescribeJob => json!({"jobId": "jS", "beforeSubstitution": false}),
        O::DeleteJob => json!({"jobId": "jS", "force": true}),
        O::GetJobDocument => json!({"jobId": "jS", "beforeSubstitution": false}),
        O::ListJobs => json!({"status": "IN_PROGRESS", "targetSelection": "SNAPSHOT",
            "thingGroupName": "g0", "maxResults": 1, "nextToken": "0"}),
        O::DescribeThing => json!({"thingName": "t0"}),
        O::UpdateJob => json!({"jobId": "jS", "description": "d2",
            "timeoutConfig": {"inProgressTimeoutInMinutes": 2},
            "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "ALL", "numberOfRetries": 0}]},
            "abortConfig": {"criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
                "thresholdPercentage": 99.5, "minNumberOfExecutedThings": 50}]}}),
        O::AssociateTargetsWithJob => json!({"jobId": "jC", "comment": "c",
            "targets": [group_arn("g0")]}),
    }
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// The member names of every operation's input and of the nested shapes, and a few more
/// the trace format and MQTT use.
const MEMBERS: &[&str] = &[
    "abortConfig",
    "attributePayload",
    "attributes",
    "beforeSubstitution",
    "billingGroupName",
    "comment",
    "criteriaList",
    "description",
    "destinationPackageVersions",
    "document",
    "documentParameters",
    "documentSource",
    "executionNumber",
    "expectedVersion",
    "failureType",
    "force",
    "inProgressTimeoutInMinutes",
    "includeJobDocument",
    "includeJobExecutionState",
    "jobExecutionsRetryConfig",
    "jobExecutionsRolloutConfig",
    "jobId",
    "jobTemplateArn",
    "maxResults",
    "merge",
    "namespaceId",
    "nextToken",
    "numberOfRetries",
    "overrideDynamicGroups",
    "parentGroupName",
    "presignedUrlConfig",
    "reasonCode",
    "schedulingConfig",
    "status",
    "statusDetails",
    "stepTimeoutInMinutes",
    "tags",
    "targetSelection",
    "targets",
    "thingArn",
    "thingGroupArn",
    "thingGroupDescription",
    "thingGroupName",
    "thingGroupProperties",
    "thingName",
    "thingTypeName",
    "timeoutConfig",
    "Key",
    "Value",
    "clientToken",
    "at",
    "call",
    "service",
    "input",
    "output",
    "error",
    "events",
    "publish",
    "topic",
    "payload",
    "payload_raw",
    "code",
    "message",
    "executionState",
];

fn interesting_string() -> impl Strategy<Value = String> {
    let fixed: Vec<String> = [
        "",
        "t0",
        "t1",
        "t2",
        "t9",
        "nope",
        "jS",
        "jC",
        "j9",
        "$next",
        "g0",
        "g9",
        "QUEUED",
        "IN_PROGRESS",
        "SUCCEEDED",
        "FAILED",
        "TIMED_OUT",
        "REJECTED",
        "REMOVED",
        "CANCELED",
        "in_progress",
        "ALL",
        "SNAPSHOT",
        "CONTINUOUS",
        "iot",
        "iot-jobs-data",
        "0",
        "1",
        "-1",
        "2",
        "10080",
        "18446744073709551616",
        "{}",
        "{\"a\":1}",
        "[",
        "null",
        "é",
        "\u{0}",
        "\u{7f}",
        "\u{200b}",
        "\u{feff}",
        "\u{ffff}",
        "\u{10ffff}",
        "\u{e000}",
        "💥",
        "a b",
        "::",
        "-_-",
        "a\nb",
        "%s%n",
        "\\",
        "\"",
        "UpdateJobExecution",
        "CreateJob",
        "DescribeJobExecution",
        "StartCommandExecution",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        thing_arn("t0"),
        thing_arn("nope"),
        group_arn("g0"),
        "arn:aws:iot:us-east-1:123456789012:thing/".to_owned(),
        "arn:aws:iot:eu-west-1:123456789012:thing/t0".to_owned(),
        "a".repeat(64),
        "a".repeat(65),
        "a".repeat(128),
        "a".repeat(129),
        "x".repeat(1024),
        "x".repeat(1025),
    ])
    .collect();
    prop_oneof![
        3 => proptest::sample::select(fixed),
        2 => any::<String>(),
        1 => "[\\x00-\\x1f\\x7f]{0,4}",
        1 => "[a-zA-Z0-9:_$-]{0,12}",
    ]
}

fn number() -> impl Strategy<Value = Value> {
    let fixed: Vec<Value> = vec![
        json!(0),
        json!(1),
        json!(-1),
        json!(-2),
        json!(2),
        json!(10),
        json!(11),
        json!(128),
        json!(250),
        json!(251),
        json!(10080),
        json!(10081),
        json!(i32::MAX),
        json!(i64::from(i32::MAX) + 1),
        json!(i32::MIN),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(2.0),
        json!(-0.0),
        json!(1.5),
        json!(1e300),
        json!(f64::MIN_POSITIVE),
    ];
    prop_oneof![
        3 => proptest::sample::select(fixed),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number(),
        4 => interesting_string().prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(MEMBERS).prop_map(str::to_owned),
        1 => interesting_string(),
    ]
}

fn object_of(value: impl Strategy<Value = Value>, max: usize) -> impl Strategy<Value = Value> {
    proptest::collection::vec((key(), value), 0..max)
        .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>()))
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            object_of(inner, 6),
        ]
    })
}

fn operation() -> impl Strategy<Value = Operation> {
    proptest::sample::select(Operation::iter().collect::<Vec<_>>())
}

/// A replacement for a member: usually of the type the valid input has there (so that it
/// gets past decoding to the service's own checks), sometimes anything, sometimes none.
#[derive(Clone, Debug)]
struct Edit {
    key: Option<String>,
    key_index: usize,
    string: String,
    number: Value,
    flag: bool,
    map: Value,
    any: Value,
    mode: u8,
}

fn edit() -> impl Strategy<Value = Edit> {
    let strings = object_of(interesting_string().prop_map(Value::String), 4);
    (
        proptest::option::weighted(0.3, key()),
        any::<usize>(),
        interesting_string(),
        number(),
        any::<bool>(),
        strings,
        json_value(),
        0u8..10,
    )
        .prop_map(
            |(key, key_index, string, number, flag, map, any, mode)| Edit {
                key,
                key_index,
                string,
                number,
                flag,
                map,
                any,
                mode,
            },
        )
}

impl Edit {
    fn apply(self, m: &mut Map<String, Value>) {
        let keys: Vec<String> = m.keys().cloned().collect();
        let key = match self.key {
            Some(k) => k,
            None if keys.is_empty() => return,
            None => keys[self.key_index % keys.len()].clone(),
        };
        let typed = match m.get(&key) {
            Some(Value::String(_)) => Value::String(self.string),
            Some(Value::Number(_)) => self.number,
            Some(Value::Bool(_)) => Value::Bool(self.flag),
            Some(Value::Array(a)) => Value::Array(
                a.iter()
                    .cloned()
                    .chain(std::iter::once(Value::String(self.string)))
                    .collect(),
            ),
            Some(Value::Object(_)) => self.map,
            _ => self.any.clone(),
        };
        match self.mode {
            0 => {
                m.remove(&key);
            }
            1 | 2 => {
                m.insert(key, self.any);
            }
            _ => {
                m.insert(key, typed);
            }
        }
    }
}

/// An input: fully random (an object, or any value), or a valid input with members
/// replaced, added or removed.
fn input_for(op: Operation) -> impl Strategy<Value = Value> {
    let edits = proptest::collection::vec(edit(), 0..4).prop_map(move |edits| {
        let mut v = template(op);
        if let Value::Object(m) = &mut v {
            for e in edits {
                e.apply(m);
            }
        }
        v
    });
    prop_oneof![
        4 => edits,
        1 => object_of(json_value(), 8),
        1 => json_value(),
    ]
}

fn op_and_input() -> impl Strategy<Value = (Operation, Value)> {
    operation().prop_flat_map(|op| (Just(op), input_for(op)))
}

// ---------------------------------------------------------------------------------------
// (b) Request::decode and Service::handle.

/// Decodes and handles one request at `now`; a refusal must leave the service as it was.
fn handle_checked(svc: &mut Service, now: u64, op: Operation, input: &Value) {
    svc.handle_timeout(now);
    drain(svc);
    let Ok(request) = Request::decode(op, input) else {
        return;
    };
    assert_eq!(request.operation(), op);
    let _ = request.to_json();
    let before = svc.clone();
    match svc.handle(now, request) {
        Ok(response) => {
            assert_eq!(response.operation(), op);
            let _ = response.to_json();
            drain(svc);
        }
        Err(e) => {
            let refused = match &e {
                Error::Service(s) => serde_json::to_value(s).is_ok(),
                Error::NotModelled(_) => true,
            };
            assert!(refused);
            assert!(
                *svc == before,
                "{op:?} {input} was refused ({e}) but changed the service"
            );
        }
    }
}

fn check_decode_and_handle(op: Operation, input: &Value) {
    let mut svc = base();
    let now = svc.now();
    handle_checked(&mut svc, now, op, input);
}

fn check_sequence(steps: &[(u64, Operation, Value)]) {
    let mut svc = base();
    let mut now = svc.now();
    for (dt, op, input) in steps {
        now = now.saturating_add(*dt);
        handle_checked(&mut svc, now, *op, input);
    }
}

// ---------------------------------------------------------------------------------------
// (c) MQTT.

fn topic() -> impl Strategy<Value = String> {
    let things = prop_oneof![
        4 => proptest::sample::select(vec!["t0", "t1", "t2", "nope", "", "$next", "+", "#", "a b", "é"])
            .prop_map(str::to_owned),
        1 => interesting_string(),
    ];
    let suffixes = prop_oneof![
        6 => proptest::sample::select(vec![
            "", "/", "/get", "/start-next", "/jS/get", "/jS/update", "/jC/update", "/j9/get",
            "/$next/get", "/$next/update", "/notify", "/notify-next", "/jS/update/accepted",
            "/get/rejected", "/jS", "/jS/get/x", "//get", "/jS//update", "/get/", "/+/update",
        ])
        .prop_map(str::to_owned),
        1 => interesting_string().prop_map(|s| format!("/{s}")),
    ];
    prop_oneof![
        12 => (things, suffixes).prop_map(|(t, s)| format!("$aws/things/{t}/jobs{s}")),
        1 => any::<String>(),
        1 => "\\$aws/things/[a-z0-9/+#$-]{0,24}",
        1 => proptest::sample::select(vec!["", "$aws/things/", "$aws/things/t0", "$aws/things/t0/",
            "$aws/things/t0/shadow/update", "$aws/things//jobs/get", "sensors/t0",
            "$AWS/things/t0/jobs/get"]).prop_map(str::to_owned),
    ]
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    let request = object_of(json_value(), 6).prop_map(|v| serde_json::to_vec(&v).unwrap());
    let near_valid = (
        proptest::sample::select(vec![
            json!({"status": "IN_PROGRESS", "expectedVersion": "2", "clientToken": "c"}),
            json!({"status": "SUCCEEDED", "statusDetails": {"k": "v"}, "stepTimeoutInMinutes": 1}),
            json!({"clientToken": "c", "includeJobDocument": true, "executionNumber": 1}),
            json!({"stepTimeoutInMinutes": 5, "statusDetails": {"k": "v"}}),
            json!({"status": "FAILED", "expectedVersion": 2, "includeJobExecutionState": true}),
            json!({}),
        ]),
        proptest::collection::vec(edit(), 0..3),
    )
        .prop_map(|(mut v, edits)| {
            if let Value::Object(m) = &mut v {
                for e in edits {
                    e.apply(m);
                }
            }
            serde_json::to_vec(&v).unwrap()
        });
    prop_oneof![
        2 => proptest::collection::vec(any::<u8>(), 0..64),
        2 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => request,
        6 => near_valid,
        1 => any::<String>().prop_map(String::into_bytes),
    ]
}

fn check_publish(topic: &str, payload: &[u8]) {
    let mut svc = base();
    let before = svc.clone();
    let now = svc.now();
    svc.handle_publish(now, topic, payload);
    let messages = drain(&mut svc);
    let replies: Vec<_> = messages
        .iter()
        .filter(|m| m.topic.ends_with("/accepted") || m.topic.ends_with("/rejected"))
        .collect();
    let under_jobs = JobsTopic::parse(topic).is_some();
    assert!(
        replies.len() == usize::from(under_jobs),
        "{topic:?}: {} replies ({:?})",
        replies.len(),
        replies.iter().map(|m| &m.topic).collect::<Vec<_>>()
    );
    if !under_jobs {
        assert!(
            messages.is_empty(),
            "{topic:?} outside the jobs topics: {messages:?}"
        );
        assert!(
            svc == before,
            "{topic:?} outside the jobs topics changed the service"
        );
        return;
    }
    let reply = replies[0];
    let accepted = format!("{topic}/accepted");
    let rejected = format!("{topic}/rejected");
    assert!(
        reply.topic == accepted || reply.topic == rejected,
        "{topic:?}: reply on {:?}",
        reply.topic
    );
    assert_eq!(
        messages[0].topic, reply.topic,
        "the reply comes before any notification"
    );
    assert!(
        reply.payload.to_json().is_object(),
        "{topic:?}: reply {}",
        reply.payload.to_json()
    );
    if reply.topic == rejected {
        assert!(
            reply
                .payload
                .to_json()
                .get("code")
                .is_some_and(Value::is_string),
            "{topic:?}: rejected reply without a code: {}",
            reply.payload.to_json()
        );
        assert_eq!(
            messages.len(),
            1,
            "a rejected request publishes nothing more"
        );
        assert!(
            svc == before,
            "{topic:?} was rejected but changed the service"
        );
    }
}

// ---------------------------------------------------------------------------------------
// (a) and (d): traces.

/// A near-valid step object: the trace members with arbitrary values.
fn step_object() -> impl Strategy<Value = Value> {
    let member = prop_oneof![
        Just("at"),
        Just("call"),
        Just("service"),
        Just("input"),
        Just("output"),
        Just("error"),
        Just("events"),
        Just("publish"),
        Just("comment"),
    ];
    let value = prop_oneof![
        2 => json_value(),
        1 => proptest::sample::select(vec![
            json!("UpdateJobExecution"), json!("DescribeJobExecution"), json!("CreateJob"),
            json!("StartCommandExecution"), json!("iot"), json!("iot-jobs-data"),
            json!({"code": "InvalidRequestException"}), json!({"topic": "$aws/things/t0/jobs/get", "payload": {}}),
            json!({"topic": "$aws/things/t0/jobs/get", "payload_raw": "{"}),
            json!([{"topic": "x", "payload": {}}]), json!(u64::MAX), json!(0),
        ]),
    ];
    proptest::collection::vec((member, value), 0..6)
        .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

fn check_parse(line: &str, prev_at: u64) {
    if let Ok(Some(step)) = Step::parse(line, prev_at) {
        assert!(step.at >= prev_at);
        let mut replay = Replay::new(Config::default());
        let _ = replay.check(&step);
    }
}

/// One step of a timer-heavy trace at `at`.
fn timed_step(at: u64, kind: u8, minutes: i64) -> Value {
    let input = match kind % 8 {
        0 => {
            json!({"call": "StartNextPendingJobExecution", "input": {"thingName": "t0", "stepTimeoutInMinutes": minutes}})
        }
        1 => json!({"call": "UpdateJobExecution", "input": {"thingName": "t0", "jobId": "j1",
                    "status": "IN_PROGRESS", "stepTimeoutInMinutes": minutes}}),
        2 => json!({"call": "CreateJob", "input": {"jobId": format!("j{}", kind / 8 + 2),
                    "targets": [thing_arn("t0")], "document": "{}",
                    "timeoutConfig": {"inProgressTimeoutInMinutes": minutes},
                    "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "TIMED_OUT", "numberOfRetries": 3}]}}}),
        3 => json!({"call": "GetPendingJobExecutions", "input": {"thingName": "t0"}}),
        4 => {
            json!({"call": "DescribeJobExecution", "input": {"thingName": "t0", "jobId": "$next"}})
        }
        5 => json!({"publish": {"topic": "$aws/things/t0/jobs/start-next",
                    "payload": {"stepTimeoutInMinutes": minutes}}}),
        6 => json!({"call": "DescribeJob", "service": "iot", "input": {"jobId": "j1"}}),
        _ => json!({"call": "UpdateJobExecution", "input": {"thingName": "t0", "jobId": "j1",
                    "status": "FAILED"}}),
    };
    let mut v = input;
    v["at"] = json!(at);
    v
}

fn at_value() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => 0u64..1_000_000,
        2 => (0u64..1_000_000).prop_map(|k| u64::MAX - k),
        1 => Just(u64::MAX),
        1 => any::<u64>(),
    ]
}

fn check_timed_trace(mut ats: Vec<u64>, steps: &[(u8, i64)], lateness: u64) {
    ats.sort_unstable();
    let setup = [
        json!({"at": 0, "call": "CreateThing", "input": {"thingName": "t0"}}),
        json!({"at": 0, "call": "CreateJob", "input": {"jobId": "j1", "targets": [thing_arn("t0")],
               "document": "{}", "timeoutConfig": {"inProgressTimeoutInMinutes": 10080},
               "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "ALL", "numberOfRetries": 10}]}}}),
    ];
    let lines: Vec<String> = setup
        .iter()
        .cloned()
        .chain(
            ats.iter()
                .zip(steps)
                .map(|(&at, &(kind, minutes))| timed_step(at, kind, minutes)),
        )
        .map(|v| v.to_string())
        .collect();
    let config = Config {
        timer_lateness: lateness,
        ..Config::default()
    };
    let mut replay = Replay::new(config.clone());
    let mut checker = Checker::new(
        &config,
        &Tolerance {
            timer_slack: 2,
            ..Tolerance::default()
        },
    );
    for line in &lines {
        let step = replay
            .parse(line)
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .expect("not blank");
        let _ = replay.check(&step);
        let step = checker.parse(line).unwrap().unwrap();
        let _ = checker.check(&step);
    }
    // Whatever is left fires at the end of time.
    let mut svc = replay.service().clone();
    svc.handle_timeout(u64::MAX);
    drain(&mut svc);
    assert_eq!(svc.now(), u64::MAX);
    assert_eq!(svc.poll_timeout(), None);
}

// ---------------------------------------------------------------------------------------
// The properties.

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Default cases per property, and for the large run.
const DEFAULT_CASES: u32 = 1024;
const LARGE_CASES: u32 = 100_000;

macro_rules! properties {
    ($cases:expr, $($attr:meta)?; $parse_bytes:ident, $parse_strings:ident,
     $parse_steps:ident, $decode:ident, $sequence:ident, $publish:ident, $timers:ident) => {
        proptest! {
            #![proptest_config(cases($cases))]

            $(#[$attr])?
            #[test]
            fn $parse_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256), prev in at_value()) {
                check_parse(&String::from_utf8_lossy(&bytes), prev);
            }

            $(#[$attr])?
            #[test]
            fn $parse_strings(line in any::<String>(), prev in at_value()) {
                check_parse(&line, prev);
            }

            $(#[$attr])?
            #[test]
            fn $parse_steps(step in step_object(), prev in at_value()) {
                check_parse(&step.to_string(), prev);
            }

            $(#[$attr])?
            #[test]
            fn $decode((op, input) in op_and_input()) {
                check_decode_and_handle(op, &input);
            }

            $(#[$attr])?
            #[test]
            fn $sequence(steps in proptest::collection::vec(
                (prop_oneof![3 => Just(0u64), 1 => 0u64..400, 1 => Just(u64::MAX / 2)], op_and_input()),
                1..6,
            )) {
                let steps: Vec<_> = steps.into_iter().map(|(dt, (op, v))| (dt, op, v)).collect();
                check_sequence(&steps);
            }

            $(#[$attr])?
            #[test]
            fn $publish(topic in topic(), payload in payload()) {
                check_publish(&topic, &payload);
            }

            $(#[$attr])?
            #[test]
            fn $timers(
                ats in proptest::collection::vec(at_value(), 0..10),
                steps in proptest::collection::vec(
                    (any::<u8>(), prop_oneof![Just(1i64), Just(10080), Just(-1), Just(0), 1i64..20]),
                    10,
                ),
                lateness in prop_oneof![Just(0u64), 0u64..120, (0u64..10).prop_map(|k| u64::MAX - k)],
            ) {
                check_timed_trace(ats, &steps, lateness);
            }
        }
    };
}

properties!(DEFAULT_CASES, ; parse_bytes_never_panics, parse_strings_never_panics,
    parse_step_objects_never_panics, decode_and_handle_never_panic,
    request_sequences_never_panic, publish_never_panics, timers_at_any_time_never_panic);

properties!(LARGE_CASES, ignore = "large run: cargo test --release --test robustness -- --ignored";
    large_parse_bytes, large_parse_strings, large_parse_step_objects, large_decode_and_handle,
    large_request_sequences, large_publish, large_timers);

// ---------------------------------------------------------------------------------------
// Fixed cases.

#[test]
fn every_operation_has_an_accepted_template() {
    assert_eq!(Operation::iter().count(), 23);
    for op in Operation::iter() {
        let input = template(op);
        let request = Request::decode(op, &input).unwrap_or_else(|e| panic!("{op:?} {input}: {e}"));
        let mut svc = base();
        svc.handle(svc.now(), request)
            .unwrap_or_else(|e| panic!("{op:?} {input}: {e}"));
    }
}

#[test]
fn the_end_of_time_is_harmless() {
    let mut svc = base();
    let request = Request::decode(
        Operation::StartNextPendingJobExecution,
        &json!({"thingName": "t2", "stepTimeoutInMinutes": 10080}),
    )
    .unwrap();
    svc.handle(u64::MAX - 5, request).unwrap();
    drain(&mut svc);
    // Deadlines saturate at u64::MAX and fire there.
    assert_eq!(svc.poll_timeout(), Some(u64::MAX));
    svc.handle_timeout(u64::MAX);
    drain(&mut svc);
    assert_eq!(svc.poll_timeout(), None);
    svc.handle_timeout(u64::MAX);
    svc.handle_timeout(0);
    assert_eq!(svc.now(), u64::MAX);
    // A service whose timers fire as late as can be: they all fire at the end of time.
    let mut late = populated(Config {
        timer_lateness: u64::MAX,
        ..Config::default()
    });
    assert_eq!(late.poll_timeout(), Some(u64::MAX));
    late.handle_timeout(u64::MAX);
    drain(&mut late);
    assert_eq!(late.poll_timeout(), None);
}

/// Runs `f` and returns how long it took.
fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Generous for a debug build on a loaded machine: "bounded" here means not quadratic.
const BOUND: Duration = Duration::from_secs(20);

/// [`common::call`], asserting that a refusal changed nothing.
fn call(svc: &mut Service, op: Operation, input: &Value) -> Result<Value, String> {
    let before = svc.clone();
    let r = common::call(svc, op, input);
    if r.is_err() {
        assert!(*svc == before);
    }
    r
}

#[test]
fn very_large_inputs_are_refused_or_handled_in_bounded_time() {
    use Operation as O;
    let mb = "a".repeat(1 << 20);
    let mut svc = base();
    let elapsed = timed(|| {
        // 1 MB strings where the model bounds the length: refused.
        for (op, input) in [
            (O::CreateThing, json!({"thingName": mb})),
            (O::GetPendingJobExecutions, json!({"thingName": mb})),
            (
                O::UpdateJobExecution,
                json!({"thingName": "t0", "jobId": mb, "status": "SUCCEEDED"}),
            ),
            (
                O::CreateJob,
                json!({"jobId": "big", "targets": [thing_arn("t0")], "document": mb}),
            ),
            (
                O::CreateJob,
                json!({"jobId": "big", "targets": [thing_arn("t0")],
                                  "document": "{}", "description": mb}),
            ),
            (
                O::UpdateJobExecution,
                json!({"thingName": "t0", "jobId": "jS", "status": "IN_PROGRESS",
                                           "statusDetails": {"k": mb}}),
            ),
            (O::CancelJob, json!({"jobId": "jC", "comment": mb})),
        ] {
            assert_eq!(
                call(&mut svc, op, &input).err().as_deref(),
                Some("InvalidRequestException"),
                "{op:?} with a 1 MB member"
            );
        }
        // A 1 MB job id where the model sets no length (DescribeJobExecution's jobId):
        // looked up and not found.
        let r = call(
            &mut svc,
            O::DescribeJobExecution,
            &json!({"thingName": "t0", "jobId": mb}),
        );
        assert!(r.is_err());
    });
    assert!(elapsed < BOUND, "1 MB members took {elapsed:?}");

    // 100 000 statusDetails entries: the device calls set no limit (decision 11), so the
    // update is accepted and read back; CancelJobExecution takes at most 10.
    let details: Map<String, Value> = (0..100_000)
        .map(|i| (format!("k{i}"), json!("v")))
        .collect();
    let details = Value::Object(details);
    let mut svc = base();
    let elapsed = timed(|| {
        call(
            &mut svc,
            O::UpdateJobExecution,
            &json!({"thingName": "t0", "jobId": "jS", "status": "IN_PROGRESS",
                    "statusDetails": details, "includeJobExecutionState": true}),
        )
        .expect("accepted");
        let d = call(
            &mut svc,
            O::DescribeJobExecution,
            &json!({"thingName": "t0", "jobId": "jS"}),
        )
        .unwrap();
        assert_eq!(
            d["execution"]["statusDetails"].as_object().unwrap().len(),
            100_000
        );
        call(
            &mut svc,
            O::GetPendingJobExecutions,
            &json!({"thingName": "t0"}),
        )
        .unwrap();
        assert_eq!(
            call(
                &mut svc,
                O::CancelJobExecution,
                &json!({"thingName": "t2", "jobId": "jS", "statusDetails": details}),
            )
            .err()
            .as_deref(),
            Some("InvalidRequestException")
        );
        // The same over MQTT, with the reply carrying the state.
        let payload = serde_json::to_vec(&json!({"status": "IN_PROGRESS",
            "statusDetails": details, "includeJobExecutionState": true}))
        .unwrap();
        svc.handle_publish(svc.now(), "$aws/things/t0/jobs/jS/update", &payload);
        let replies = drain(&mut svc);
        assert_eq!(replies[0].topic, "$aws/things/t0/jobs/jS/update/accepted");
    });
    assert!(
        elapsed < BOUND,
        "100 000 statusDetails entries took {elapsed:?}"
    );

    // 100 000 targets naming the same thing: one execution (decision 2).
    let mut svc = base();
    let targets: Vec<String> = (0..100_000).map(|_| thing_arn("t2")).collect();
    let elapsed = timed(|| {
        call(
            &mut svc,
            O::CreateJob,
            &json!({"jobId": "many", "targets": targets, "document": "{}"}),
        )
        .expect("accepted");
        assert_eq!(
            svc.executions()
                .iter()
                .filter(|e| e.job_id == "many")
                .count(),
            1
        );
    });
    assert!(elapsed < BOUND, "100 000 targets took {elapsed:?}");

    // 1 MB payloads and lines: junk, valid JSON, and JSON nested 100 000 deep (past
    // serde_json's recursion limit).
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let junk: Vec<u8> = (0..(1u32 << 20)).map(|i| (i % 251) as u8).collect();
    let big_token = serde_json::to_vec(&json!({"clientToken": mb})).unwrap();
    let mut svc = base();
    let elapsed = timed(|| {
        for payload in [deep.as_bytes(), deep_object.as_bytes(), &junk, &big_token] {
            check_publish("$aws/things/t0/jobs/get", payload);
            svc.handle_publish(svc.now(), "$aws/things/t0/jobs/jS/update", payload);
            assert!(drain(&mut svc).len() <= 3);
        }
        check_publish(&format!("$aws/things/{mb}/jobs/get"), b"{}");
        check_publish(&format!("$aws/things/t0/jobs/{mb}/update"), b"{}");
        for line in [
            deep.clone(),
            deep_object.clone(),
            String::from_utf8_lossy(&junk).into_owned(),
            format!("{{\"call\": \"CreateThing\", \"input\": {{\"thingName\": \"{mb}\"}}, \"output\": {{}}}}"),
            format!("{{\"at\": 1, \"call\": \"GetPendingJobExecutions\", \"input\": {{\"thingName\": \"t0\"}}, \"output\": {deep_object}}}"),
        ] {
            check_parse(&line, 0);
        }
    });
    assert!(elapsed < BOUND, "1 MB payloads and lines took {elapsed:?}");
}

/// The generated inputs are not vacuous: for every operation some decode, and most
/// operations have some accepted by the service; MQTT payloads reach both replies.
#[test]
fn generated_inputs_reach_the_model() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeMap;
    let mut runner = TestRunner::deterministic();
    let mut seen: BTreeMap<Operation, (u32, u32, u32)> = BTreeMap::new();
    let strategy = op_and_input();
    for _ in 0..3000 {
        let (op, input) = strategy.new_tree(&mut runner).unwrap().current();
        let entry = seen.entry(op).or_default();
        entry.0 += 1;
        if let Ok(request) = Request::decode(op, &input) {
            entry.1 += 1;
            let mut svc = base();
            if svc.handle(svc.now(), request).is_ok() {
                entry.2 += 1;
            }
        }
    }
    for op in Operation::iter() {
        let (tried, decoded, accepted) = seen.get(&op).copied().unwrap_or_default();
        println!("{op:?}: {tried} tried, {decoded} decoded, {accepted} accepted");
        assert!(decoded > 0, "no generated {op:?} input decodes");
        assert!(accepted > 0, "no generated {op:?} input is accepted");
    }
    let (mut accepted, mut rejected) = (0, 0);
    let strategy = (topic(), payload());
    for _ in 0..2000 {
        let (topic, payload) = strategy.new_tree(&mut runner).unwrap().current();
        let mut svc = base();
        svc.handle_publish(svc.now(), &topic, &payload);
        for m in drain(&mut svc) {
            accepted += u32::from(m.topic.ends_with("/accepted"));
            rejected += u32::from(m.topic.ends_with("/rejected"));
        }
    }
    println!("MQTT: {accepted} accepted, {rejected} rejected of 2000");
    assert!(accepted > 20 && rejected > 200);
}
