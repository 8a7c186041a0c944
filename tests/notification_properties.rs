//! Decisions 24 to 26 as properties: over random small scenarios (a few things, jobs and
//! groups; device calls over HTTP and MQTT; cancels, deletions, group changes, clock
//! advances), after every step and for every thing:
//! - a `notify` is published exactly when the thing's pending set changed membership, and
//!   it lists the first ten of the pending order afterwards, grouped by status;
//! - a `notify-next` is published exactly when the head changed (job id and execution
//!   number), carrying the new head or only a timestamp;
//! - notify comes before notify-next, after the reply of an MQTT request;
//! - StartNext publishes neither;
//! - each timer that fires publishes its own messages, stamped with its deadline.

mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};

use iot_jobs_spec::{ExecutionRecord, Message};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const THINGS: [&str; 3] = ["t0", "t1", "t2"];
const JOBS: [&str; 6] = ["j0", "j1", "j2", "j3", "j4", "j5"];
const GROUPS: [&str; 2] = ["g0", "g1"];
const STATUSES: [&str; 5] = [
    "IN_PROGRESS",
    "IN_PROGRESS",
    "SUCCEEDED",
    "FAILED",
    "REJECTED",
];
const FAILURE_TYPES: [&str; 3] = ["FAILED", "TIMED_OUT", "ALL"];

#[derive(Clone, Debug)]
enum Op {
    CreateJob {
        job: usize,
        things: Vec<usize>,
        groups: Vec<usize>,
        continuous: bool,
        timeout: Option<i64>,
        retry: Option<(usize, i32)>,
    },
    StartNext {
        thing: usize,
        mqtt: bool,
        step: Option<i64>,
    },
    Update {
        thing: usize,
        job: usize,
        status: usize,
        mqtt: bool,
        step: Option<i64>,
        expected: Option<(i64, bool)>,
    },
    Describe {
        thing: usize,
        job: Option<usize>,
        mqtt: bool,
    },
    GetPending {
        thing: usize,
        mqtt: bool,
    },
    Junk {
        thing: usize,
    },
    CancelExecution {
        thing: usize,
        job: usize,
        force: bool,
    },
    CancelJob {
        job: usize,
        force: bool,
    },
    DeleteExecution {
        thing: usize,
        job: usize,
        number: i64,
        force: bool,
    },
    DeleteThing {
        thing: usize,
    },
    CreateThing {
        thing: usize,
    },
    AddToGroup {
        thing: usize,
        group: usize,
    },
    RemoveFromGroup {
        thing: usize,
        group: usize,
    },
    /// Every job started on one thing at one instant with the same step timer, so that
    /// several timers of one thing fall due together: one Update step per job.
    Burst {
        thing: usize,
        step: i64,
        mqtt: bool,
    },
    Advance(u64),
}

impl Op {
    /// The steps an op stands for.
    fn steps(&self) -> Vec<Op> {
        match *self {
            Op::Burst { thing, step, mqtt } => (0..JOBS.len())
                .map(|job| Op::Update {
                    thing,
                    job,
                    status: 0,
                    mqtt,
                    step: Some(step),
                    expected: None,
                })
                .collect(),
            ref op => vec![op.clone()],
        }
    }
}

fn step_timeout() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        3 => Just(None),
        2 => (1i64..=3).prop_map(Some),
        1 => Just(Some(-1)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let thing = 0..THINGS.len();
    let job = 0..JOBS.len();
    prop_oneof![
        3 => (
            job.clone(),
            proptest::collection::vec(0..THINGS.len(), 0..3),
            proptest::collection::vec(0..GROUPS.len(), 0..2),
            any::<bool>(),
            proptest::option::weighted(0.7, 1i64..=3),
            proptest::option::of((0..FAILURE_TYPES.len(), 0i32..=2)),
        )
            .prop_map(|(job, things, groups, continuous, timeout, retry)| Op::CreateJob {
                job,
                things,
                groups,
                continuous,
                timeout,
                retry,
            }),
        5 => (thing.clone(), any::<bool>(), step_timeout())
            .prop_map(|(thing, mqtt, step)| Op::StartNext { thing, mqtt, step }),
        6 => (
            thing.clone(),
            job.clone(),
            0..STATUSES.len(),
            any::<bool>(),
            step_timeout(),
            proptest::option::of((1i64..=4, any::<bool>())),
        )
            .prop_map(|(thing, job, status, mqtt, step, expected)| Op::Update {
                thing,
                job,
                status,
                mqtt,
                step,
                expected,
            }),
        1 => (thing.clone(), proptest::option::of(job.clone()), any::<bool>())
            .prop_map(|(thing, job, mqtt)| Op::Describe { thing, job, mqtt }),
        1 => (thing.clone(), any::<bool>()).prop_map(|(thing, mqtt)| Op::GetPending { thing, mqtt }),
        1 => thing.clone().prop_map(|thing| Op::Junk { thing }),
        2 => (thing.clone(), job.clone(), any::<bool>())
            .prop_map(|(thing, job, force)| Op::CancelExecution { thing, job, force }),
        1 => (job.clone(), any::<bool>()).prop_map(|(job, force)| Op::CancelJob { job, force }),
        1 => (thing.clone(), job.clone(), 1i64..=3, any::<bool>()).prop_map(
            |(thing, job, number, force)| Op::DeleteExecution {
                thing,
                job,
                number,
                force
            }
        ),
        1 => thing.clone().prop_map(|thing| Op::DeleteThing { thing }),
        1 => thing.clone().prop_map(|thing| Op::CreateThing { thing }),
        2 => (thing.clone(), 0..GROUPS.len())
            .prop_map(|(thing, group)| Op::AddToGroup { thing, group }),
        1 => (thing.clone(), 0..GROUPS.len())
            .prop_map(|(thing, group)| Op::RemoveFromGroup { thing, group }),
        1 => (thing.clone(), 1i64..=2, any::<bool>())
            .prop_map(|(thing, step, mqtt)| Op::Burst { thing, step, mqtt }),
        4 => prop_oneof![Just(0u64), 0u64..400, (1u64..=4).prop_map(|m| m * 60)]
            .prop_map(Op::Advance),
    ]
}

/// Each thing's pending order: (job id, execution number).
type Snapshot = BTreeMap<&'static str, Vec<(String, i64)>>;

fn snapshot(w: &World) -> Snapshot {
    THINGS
        .iter()
        .map(|&t| (t, w.svc.pending_order(t)))
        .collect()
}

fn notify_topic(thing: &str) -> String {
    format!("$aws/things/{thing}/jobs/notify")
}

fn next_topic(thing: &str) -> String {
    format!("$aws/things/{thing}/jobs/notify-next")
}

fn record<'a>(
    execs: &'a [ExecutionRecord],
    thing: &str,
    id: &(String, i64),
) -> &'a ExecutionRecord {
    execs
        .iter()
        .find(|e| e.thing_name == thing && e.job_id == id.0 && e.execution_number == id.1)
        .unwrap_or_else(|| panic!("no execution {id:?} on {thing}"))
}

/// A data-plane summary as notify carries it.
fn summary(e: &ExecutionRecord) -> Value {
    let mut m = Map::new();
    m.insert("jobId".into(), json!(e.job_id));
    m.insert("queuedAt".into(), json!(e.queued_at));
    if let Some(s) = e.started_at {
        m.insert("startedAt".into(), json!(s));
    }
    m.insert("lastUpdatedAt".into(), json!(e.last_updated_at));
    m.insert("versionNumber".into(), json!(e.version_number));
    m.insert("executionNumber".into(), json!(e.execution_number));
    Value::Object(m)
}

/// An execution as notify-next carries it (decision 25; details, shapes).
fn mqtt_execution(e: &ExecutionRecord, now: u64) -> Value {
    let mut m = Map::new();
    m.insert("jobId".into(), json!(e.job_id));
    m.insert("status".into(), json!(e.status.as_str()));
    if !e.status_details.is_empty() {
        m.insert("statusDetails".into(), json!(e.status_details));
    }
    m.insert("queuedAt".into(), json!(e.queued_at));
    if let Some(s) = e.started_at {
        m.insert("startedAt".into(), json!(s));
    }
    m.insert("lastUpdatedAt".into(), json!(e.last_updated_at));
    if let Some(d) = e.deadline() {
        m.insert("approximateSecondsBeforeTimedOut".into(), json!(d - now));
    }
    m.insert("versionNumber".into(), json!(e.version_number));
    m.insert("executionNumber".into(), json!(e.execution_number));
    m.insert("jobDocument".into(), json!({"op": e.job_id}));
    Value::Object(m)
}

/// Decision 24's payload for `thing` given its pending order now.
fn expected_notify(w: &World, thing: &str, order: &[(String, i64)], ts: u64) -> Value {
    let execs = w.svc.executions();
    let mut jobs = Map::new();
    for id in order.iter().take(10) {
        let e = record(&execs, thing, id);
        let list = jobs
            .entry(e.status.as_str())
            .or_insert_with(|| Value::Array(Vec::new()));
        list.as_array_mut().unwrap().push(summary(e));
    }
    json!({"timestamp": ts, "jobs": jobs})
}

fn expected_next(w: &World, thing: &str, order: &[(String, i64)], ts: u64) -> Value {
    match order.first() {
        None => json!({"timestamp": ts}),
        Some(id) => {
            let execs = w.svc.executions();
            json!({"timestamp": ts, "execution": mqtt_execution(record(&execs, thing, id), ts)})
        }
    }
}

fn members(order: &[(String, i64)]) -> BTreeSet<&(String, i64)> {
    order.iter().collect()
}

/// The exact check for one moment: for each thing, notify iff membership changed, notify-next
/// iff the head changed, payloads agreeing with the order after, notify first.
fn check_moment(
    w: &World,
    before: &Snapshot,
    after: &Snapshot,
    msgs: &[Message],
    ts: u64,
    skip: &BTreeSet<&str>,
) -> Result<(), TestCaseError> {
    for &thing in &THINGS {
        if skip.contains(thing) {
            continue;
        }
        let (b, a) = (&before[thing], &after[thing]);
        let notes: Vec<usize> = (0..msgs.len())
            .filter(|&i| msgs[i].topic == notify_topic(thing))
            .collect();
        let nexts: Vec<usize> = (0..msgs.len())
            .filter(|&i| msgs[i].topic == next_topic(thing))
            .collect();
        let changed = members(b) != members(a);
        prop_assert_eq!(
            notes.len(),
            usize::from(changed),
            "{}: notify count; pending {:?} -> {:?}; published {:?}",
            thing,
            b,
            a,
            msgs
        );
        let head_changed = b.first() != a.first();
        prop_assert_eq!(
            nexts.len(),
            usize::from(head_changed),
            "{}: notify-next count; pending {:?} -> {:?}; published {:?}",
            thing,
            b,
            a,
            msgs
        );
        if let Some(&i) = notes.first() {
            prop_assert_eq!(
                &msgs[i].payload.to_json(),
                &expected_notify(w, thing, a, ts)
            );
        }
        if let Some(&j) = nexts.first() {
            prop_assert_eq!(&msgs[j].payload.to_json(), &expected_next(w, thing, a, ts));
            if let Some(&i) = notes.first() {
                prop_assert!(i < j, "notify before notify-next (decision 26): {:?}", msgs);
            }
        }
    }
    Ok(())
}

/// The weak check for a thing with several timers at one deadline: the messages it gets
/// still end in agreement with the order after them.
fn check_batch(
    w: &World,
    thing: &str,
    before: &[(String, i64)],
    after: &[(String, i64)],
    msgs: &[Message],
    timers: usize,
    ts: u64,
) -> Result<(), TestCaseError> {
    let notes: Vec<&Message> = msgs
        .iter()
        .filter(|m| m.topic == notify_topic(thing))
        .collect();
    let nexts: Vec<&Message> = msgs
        .iter()
        .filter(|m| m.topic == next_topic(thing))
        .collect();
    // Every timer ends an IN_PROGRESS execution: each publishes its own notify (details,
    // timers and messages); the head may change at each of them or at none.
    prop_assert_eq!(notes.len(), timers, "one notify per timer: {:?}", msgs);
    prop_assert!(nexts.len() <= timers, "{:?}", msgs);
    prop_assert_eq!(before.first() != after.first(), !nexts.is_empty());
    for m in notes.iter().chain(&nexts) {
        prop_assert_eq!(&m.payload.to_json()["timestamp"], &json!(ts));
    }
    if let Some(m) = notes.last() {
        prop_assert_eq!(&m.payload.to_json(), &expected_notify(w, thing, after, ts));
    }
    if let Some(m) = nexts.last() {
        prop_assert_eq!(&m.payload.to_json(), &expected_next(w, thing, after, ts));
    }
    Ok(())
}

fn topic(thing: usize, suffix: &str) -> String {
    format!("$aws/things/{}/jobs/{suffix}", THINGS[thing])
}

/// What a step was, for the checks that depend on it.
struct Done {
    /// The request topic of an MQTT publish.
    request_topic: Option<String>,
    start_next: bool,
}

fn run(w: &mut World, op: &Op) -> Done {
    let mut done = Done {
        request_topic: None,
        start_next: false,
    };
    let mqtt = |w: &mut World, t: String, payload: Value| -> Option<String> {
        w.publish_bytes(&t, &serde_json::to_vec(&payload).unwrap());
        Some(t)
    };
    match op.clone() {
        Op::CreateJob {
            job,
            things,
            groups,
            continuous,
            timeout,
            retry,
        } => {
            let mut targets: Vec<String> = things.iter().map(|&t| thing_arn(THINGS[t])).collect();
            targets.extend(groups.iter().map(|&g| group_arn(GROUPS[g])));
            if targets.is_empty() {
                targets.push(thing_arn(THINGS[0]));
            }
            let mut input = json!({"jobId": JOBS[job], "targets": targets,
                "document": format!("{{\"op\":\"{}\"}}", JOBS[job]),
                "targetSelection": if continuous { "CONTINUOUS" } else { "SNAPSHOT" }});
            if let Some(m) = timeout {
                input["timeoutConfig"] = json!({"inProgressTimeoutInMinutes": m});
            }
            if let Some((f, n)) = retry {
                input["jobExecutionsRetryConfig"] = json!({"criteriaList": [{"failureType": FAILURE_TYPES[f], "numberOfRetries": n}]});
            }
            let _ = w.call("CreateJob", input);
        }
        Op::StartNext {
            thing,
            mqtt: m,
            step,
        } => {
            done.start_next = true;
            let mut payload = json!({"clientToken": "sn"});
            if let Some(s) = step {
                payload["stepTimeoutInMinutes"] = json!(s);
            }
            if m {
                done.request_topic = mqtt(w, topic(thing, "start-next"), payload);
            } else {
                payload["thingName"] = json!(THINGS[thing]);
                payload.as_object_mut().unwrap().remove("clientToken");
                let _ = w.call("StartNextPendingJobExecution", payload);
            }
        }
        Op::Update {
            thing,
            job,
            status,
            mqtt: m,
            step,
            expected,
        } => {
            let mut payload = json!({"status": STATUSES[status]});
            if let Some(s) = step {
                payload["stepTimeoutInMinutes"] = json!(s);
            }
            if let Some((v, as_string)) = expected {
                payload["expectedVersion"] = if as_string && m {
                    json!(v.to_string())
                } else {
                    json!(v)
                };
            }
            if m {
                done.request_topic =
                    mqtt(w, topic(thing, &format!("{}/update", JOBS[job])), payload);
            } else {
                payload["thingName"] = json!(THINGS[thing]);
                payload["jobId"] = json!(JOBS[job]);
                let _ = w.call("UpdateJobExecution", payload);
            }
        }
        Op::Describe {
            thing,
            job,
            mqtt: m,
        } => {
            let job = job.map_or("$next", |j| JOBS[j]);
            if m {
                done.request_topic = mqtt(w, topic(thing, &format!("{job}/get")), json!({}));
            } else {
                let _ = w.call(
                    "DescribeJobExecution",
                    json!({"thingName": THINGS[thing], "jobId": job}),
                );
            }
        }
        Op::GetPending { thing, mqtt: m } => {
            if m {
                done.request_topic = mqtt(w, topic(thing, "get"), json!({"clientToken": "g"}));
            } else {
                let _ = w.call(
                    "GetPendingJobExecutions",
                    json!({"thingName": THINGS[thing]}),
                );
            }
        }
        Op::Junk { thing } => {
            let t = topic(thing, "start-next");
            w.publish_bytes(&t, b"{\"statusDetails\":");
            done.request_topic = Some(t);
        }
        Op::CancelExecution { thing, job, force } => {
            let _ = w.call(
                "CancelJobExecution",
                json!({"thingName": THINGS[thing], "jobId": JOBS[job], "force": force}),
            );
        }
        Op::CancelJob { job, force } => {
            let _ = w.call("CancelJob", json!({"jobId": JOBS[job], "force": force}));
        }
        Op::DeleteExecution {
            thing,
            job,
            number,
            force,
        } => {
            let _ = w.call(
                "DeleteJobExecution",
                json!({"thingName": THINGS[thing], "jobId": JOBS[job],
                       "executionNumber": number, "force": force}),
            );
        }
        Op::DeleteThing { thing } => {
            let _ = w.call("DeleteThing", json!({"thingName": THINGS[thing]}));
        }
        Op::CreateThing { thing } => {
            let _ = w.call("CreateThing", json!({"thingName": THINGS[thing]}));
        }
        Op::AddToGroup { thing, group } => {
            let _ = w.call(
                "AddThingToThingGroup",
                json!({"thingName": THINGS[thing], "thingGroupName": GROUPS[group]}),
            );
        }
        Op::RemoveFromGroup { thing, group } => {
            let _ = w.call(
                "RemoveThingFromThingGroup",
                json!({"thingName": THINGS[thing], "thingGroupName": GROUPS[group]}),
            );
        }
        Op::Advance(_) | Op::Burst { .. } => unreachable!("expanded or run by `advance`"),
    }
    done
}

/// Moves the clock by `dt`, one deadline at a time, checking each.
fn advance(w: &mut World, dt: u64) -> Result<(), TestCaseError> {
    let target = w.now + dt;
    while let Some(d) = w.svc.poll_timeout().filter(|&d| d <= target) {
        prop_assert!(d >= w.now, "a timer in the past: {} < {}", d, w.now);
        let mut timers: BTreeMap<String, usize> = BTreeMap::new();
        for e in w.svc.executions() {
            if e.deadline() == Some(d) {
                *timers.entry(e.thing_name).or_default() += 1;
            }
        }
        prop_assert!(
            !timers.is_empty(),
            "poll_timeout {} names no execution's deadline",
            d
        );
        let before = snapshot(w);
        w.messages.clear();
        w.at(d);
        let after = snapshot(w);
        let msgs = w.messages.clone();
        for m in &msgs {
            prop_assert!(
                m.topic.ends_with("/jobs/notify") || m.topic.ends_with("/jobs/notify-next"),
                "a timer publishes notifications only: {:?}",
                m
            );
        }
        let several: BTreeSet<&str> = THINGS
            .iter()
            .copied()
            .filter(|t| timers.get(*t).copied().unwrap_or(0) > 1)
            .collect();
        check_moment(w, &before, &after, &msgs, d, &several)?;
        for &t in &several {
            check_batch(w, t, &before[t], &after[t], &msgs, timers[t], d)?;
        }
    }
    w.messages.clear();
    w.at(target);
    prop_assert!(w.messages.is_empty(), "nothing due, nothing published");
    Ok(())
}

fn check_step(w: &mut World, op: &Op) -> Result<(), TestCaseError> {
    if let Op::Advance(dt) = op {
        return advance(w, *dt);
    }
    let before = snapshot(w);
    let done = run(w, op);
    let after = snapshot(w);
    let msgs = w.messages.clone();
    let mut rest: &[Message] = &msgs;
    if let Some(t) = &done.request_topic {
        // The reply first (decision 26), exactly one, on the request's own topic.
        prop_assert!(!msgs.is_empty(), "no reply to {}", t);
        let reply = &msgs[0].topic;
        prop_assert!(
            *reply == format!("{t}/accepted") || *reply == format!("{t}/rejected"),
            "reply first: {:?}",
            msgs
        );
        prop_assert_eq!(&msgs[0].payload.to_json()["timestamp"], &json!(w.now));
        rest = &msgs[1..];
    }
    for m in rest {
        prop_assert!(
            m.topic.ends_with("/jobs/notify") || m.topic.ends_with("/jobs/notify-next"),
            "only one reply, then notifications: {:?}",
            msgs
        );
    }
    if done.start_next {
        prop_assert!(rest.is_empty(), "StartNext publishes neither: {:?}", msgs);
    }
    check_moment(w, &before, &after, rest, w.now, &BTreeSet::new())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn notifications_follow_the_pending_order(ops in proptest::collection::vec(op(), 1..80)) {
        let mut w = World::new();
        for t in THINGS {
            w.thing(t);
        }
        for g in GROUPS {
            w.group(g, &[]);
        }
        for op in ops.iter().flat_map(Op::steps) {
            check_step(&mut w, &op)?;
        }
        // Drain every timer at the end too.
        check_step(&mut w, &Op::Advance(10_000))?;
    }
}
