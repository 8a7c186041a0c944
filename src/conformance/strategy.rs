//! Proptest strategies for whole scenarios: a fixed fleet, then a list of operations as
//! plain data, so that shrinking drops operations and leaves a short, readable trace.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

const ARN: &str = "arn:aws:iot:us-east-1:123456789012";

/// The size of a generated scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Things `t0`.. (at least 2).
    pub things: u8,
    /// The longest operation list.
    pub max_ops: usize,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            things: 3,
            max_ops: 40,
        }
    }
}

/// The expectedVersion a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// None.
    Absent,
    /// This number (right or wrong, whatever the state is).
    Is(u8),
}

/// One generated operation. Things and jobs are indexes into the fixed fleet.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Op {
    /// UpdateJobExecution, over HTTP or MQTT.
    Update {
        thing: u8,
        job: u8,
        status: &'static str,
        version: Version,
        step: Option<i64>,
        details: bool,
        state: bool,
        mqtt: bool,
    },
    /// StartNextPendingJobExecution.
    StartNext {
        thing: u8,
        step: Option<i64>,
        mqtt: bool,
    },
    /// DescribeJobExecution (`None`: `$next`).
    Describe {
        thing: u8,
        job: Option<u8>,
        mqtt: bool,
    },
    /// GetPendingJobExecutions.
    GetPending { thing: u8, mqtt: bool },
    /// The control plane's DescribeJobExecution.
    ControlDescribe { thing: u8, job: u8 },
    /// CancelJobExecution.
    CancelExecution {
        thing: u8,
        job: u8,
        force: bool,
        version: Version,
    },
    /// CancelJob.
    CancelJob { job: u8, force: bool },
    /// DeleteJobExecution.
    Delete {
        thing: u8,
        job: u8,
        number: u8,
        force: bool,
    },
    /// AddThingToThingGroup or RemoveThingFromThingGroup on `g0`.
    Group { thing: u8, join: bool },
    /// DeleteThing.
    DeleteThing { thing: u8 },
    /// Moves the clock.
    Advance { seconds: u16 },
}

const STATUSES: &[&str] = &[
    "IN_PROGRESS",
    "IN_PROGRESS",
    "SUCCEEDED",
    "FAILED",
    "REJECTED",
    "QUEUED",
    "CANCELED",
];

/// The jobs of the fixed fleet.
pub const JOBS: u8 = 3;

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![
        2 => Just(Version::Absent),
        1 => (1u8..5).prop_map(Version::Is),
    ]
}

fn step_timeout() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        4 => Just(None),
        2 => (1i64..3).prop_map(Some),
        1 => Just(Some(-1)),
    ]
}

/// One operation over `things` things.
pub fn op(things: u8) -> impl Strategy<Value = Op> {
    let t = 0..things;
    let j = 0..JOBS;
    prop_oneof![
        6 => (t.clone(), j.clone(), proptest::sample::select(STATUSES), version(), step_timeout(),
              any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(thing, job, status, version, step, details, state, mqtt)| Op::Update {
                thing, job, status, version, step, details, state, mqtt
            }),
        3 => (t.clone(), step_timeout(), any::<bool>())
            .prop_map(|(thing, step, mqtt)| Op::StartNext { thing, step: step.filter(|s| *s > 0), mqtt }),
        2 => (t.clone(), proptest::option::of(j.clone()), any::<bool>())
            .prop_map(|(thing, job, mqtt)| Op::Describe { thing, job, mqtt }),
        1 => (t.clone(), any::<bool>()).prop_map(|(thing, mqtt)| Op::GetPending { thing, mqtt }),
        2 => (t.clone(), j.clone()).prop_map(|(thing, job)| Op::ControlDescribe { thing, job }),
        1 => (t.clone(), j.clone(), any::<bool>(), version())
            .prop_map(|(thing, job, force, version)| Op::CancelExecution { thing, job, force, version }),
        1 => (j.clone(), any::<bool>()).prop_map(|(job, force)| Op::CancelJob { job, force }),
        1 => (t.clone(), j, 1u8..3, any::<bool>())
            .prop_map(|(thing, job, number, force)| Op::Delete { thing, job, number, force }),
        1 => (t.clone(), any::<bool>()).prop_map(|(thing, join)| Op::Group { thing, join }),
        1 => t.prop_map(|thing| Op::DeleteThing { thing }),
        3 => proptest::sample::select(&[1u16, 5, 30, 59, 60, 61, 120, 181][..])
            .prop_map(|seconds| Op::Advance { seconds }),
    ]
}

/// The fixed fleet: things `t0`..; group `g0` holding `t0` and `t1`; job `j0` (SNAPSHOT on
/// `t0`, `t1`, a 1-minute in-progress timer, one retry of anything), `j1` (CONTINUOUS on
/// `g0`), `j2` (SNAPSHOT on the last thing, two retries of TIMED_OUT and one of FAILED).
pub fn setup(things: u8) -> Vec<Value> {
    let things = things.max(2);
    let mut steps: Vec<Value> = (0..things)
        .map(|i| json!({"call": "CreateThing", "input": {"thingName": format!("t{i}")}}))
        .collect();
    steps.push(json!({"call": "CreateThingGroup", "input": {"thingGroupName": "g0"}}));
    for t in ["t0", "t1"] {
        steps.push(json!({"call": "AddThingToThingGroup",
                          "input": {"thingGroupName": "g0", "thingName": t}}));
    }
    steps.push(json!({"call": "CreateJob", "input": {
        "jobId": "j0", "targets": [format!("{ARN}:thing/t0"), format!("{ARN}:thing/t1")],
        "document": "{\"op\":\"a\"}", "timeoutConfig": {"inProgressTimeoutInMinutes": 1},
        "jobExecutionsRetryConfig": {"criteriaList": [{"failureType": "ALL", "numberOfRetries": 1}]}}}));
    steps.push(json!({"call": "CreateJob", "input": {
        "jobId": "j1", "targets": [format!("{ARN}:thinggroup/g0")], "document": "{\"op\":\"b\"}",
        "targetSelection": "CONTINUOUS"}}));
    let last = format!("t{}", things - 1);
    steps.push(json!({"call": "CreateJob", "input": {
        "jobId": "j2", "targets": [format!("{ARN}:thing/{last}")], "document": "{\"op\":\"c\"}",
        "jobExecutionsRetryConfig": {"criteriaList": [
            {"failureType": "TIMED_OUT", "numberOfRetries": 2},
            {"failureType": "FAILED", "numberOfRetries": 1}]}}}));
    steps
}

fn publish(thing: &str, path: &str, payload: Value) -> Value {
    json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/{path}"), "payload": payload}})
}

/// The trace step for `op` at time `at`.
pub fn to_step(op: &Op) -> Value {
    let thing = |t: &u8| format!("t{t}");
    let job = |j: &u8| format!("j{j}");
    match op {
        Op::Update {
            thing: t,
            job: j,
            status,
            version,
            step,
            details,
            state,
            mqtt,
        } => {
            let mut input = Map::new();
            input.insert("status".into(), json!(status));
            if let Version::Is(v) = version {
                input.insert("expectedVersion".into(), json!(v));
            }
            if let Some(s) = step {
                input.insert("stepTimeoutInMinutes".into(), json!(s));
            }
            if *details {
                input.insert("statusDetails".into(), json!({"progress": "50"}));
            }
            if *state {
                input.insert("includeJobExecutionState".into(), json!(true));
            }
            if *mqtt {
                input.insert("clientToken".into(), json!("ct"));
                publish(
                    &thing(t),
                    &format!("{}/update", job(j)),
                    Value::Object(input),
                )
            } else {
                input.insert("thingName".into(), json!(thing(t)));
                input.insert("jobId".into(), json!(job(j)));
                json!({"call": "UpdateJobExecution", "input": input})
            }
        }
        Op::StartNext {
            thing: t,
            step,
            mqtt,
        } => {
            let mut input = Map::new();
            if let Some(s) = step {
                input.insert("stepTimeoutInMinutes".into(), json!(s));
            }
            if *mqtt {
                publish(&thing(t), "start-next", Value::Object(input))
            } else {
                input.insert("thingName".into(), json!(thing(t)));
                json!({"call": "StartNextPendingJobExecution", "input": input})
            }
        }
        Op::Describe {
            thing: t,
            job: j,
            mqtt,
        } => {
            let id = j.as_ref().map_or_else(|| "$next".to_owned(), job);
            if *mqtt {
                publish(&thing(t), &format!("{id}/get"), json!({}))
            } else {
                json!({"call": "DescribeJobExecution",
                       "input": {"thingName": thing(t), "jobId": id}})
            }
        }
        Op::GetPending { thing: t, mqtt } => {
            if *mqtt {
                publish(&thing(t), "get", json!({}))
            } else {
                json!({"call": "GetPendingJobExecutions", "input": {"thingName": thing(t)}})
            }
        }
        Op::ControlDescribe { thing: t, job: j } => json!({"call": "DescribeJobExecution",
            "service": "iot", "input": {"thingName": thing(t), "jobId": job(j)}}),
        Op::CancelExecution {
            thing: t,
            job: j,
            force,
            version,
        } => {
            let mut input = json!({"thingName": thing(t), "jobId": job(j), "force": force});
            if let Version::Is(v) = version {
                input["expectedVersion"] = json!(v);
            }
            json!({"call": "CancelJobExecution", "input": input})
        }
        Op::CancelJob { job: j, force } => {
            json!({"call": "CancelJob", "input": {"jobId": job(j), "force": force}})
        }
        Op::Delete {
            thing: t,
            job: j,
            number,
            force,
        } => json!({"call": "DeleteJobExecution", "input": {"thingName": thing(t),
            "jobId": job(j), "executionNumber": number, "force": force}}),
        Op::Group { thing: t, join } => {
            let call = if *join {
                "AddThingToThingGroup"
            } else {
                "RemoveThingFromThingGroup"
            };
            json!({"call": call, "input": {"thingName": thing(t), "thingGroupName": "g0"}})
        }
        Op::DeleteThing { thing: t } => {
            json!({"call": "DeleteThing", "input": {"thingName": thing(t)}})
        }
        Op::Advance { .. } => json!({"call": "GetPendingJobExecutions",
                                     "input": {"thingName": "t0"}}),
    }
}

/// Turns operations into trace steps with their times, after the fixed fleet.
pub fn to_steps(things: u8, ops: &[Op]) -> Vec<Value> {
    let mut steps = setup(things);
    let mut at = 0u64;
    for op in ops {
        if let Op::Advance { seconds } = op {
            at += u64::from(*seconds);
        }
        let mut step = Map::new();
        step.insert("at".into(), json!(at));
        if let Value::Object(m) = to_step(op) {
            step.extend(m);
        }
        steps.push(Value::Object(step));
    }
    steps
}

/// Whole scenarios as trace steps: the fleet, then up to `max_ops` operations.
pub fn steps(scenario: &Scenario) -> impl Strategy<Value = Vec<Value>> {
    let things = scenario.things.max(2);
    proptest::collection::vec(op(things), 0..=scenario.max_ops)
        .prop_map(move |ops| to_steps(things, &ops))
}
