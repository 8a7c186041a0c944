//! Bounded exhaustive exploration: every state of a small scope that a bounded number of
//! actions can reach, breadth-first, with every edge and every state checked.
//!
//! The scope: things `t0` and `t1`; group `g0` with `t0` in it; job `jS` (SNAPSHOT on
//! `g0` and `t1`, in-progress timer 1 minute, retries `{ALL: 1}`) and job `jC`
//! (CONTINUOUS on `g0`). From each state the explorer tries a fixed alphabet of actions,
//! each at the service's own clock: for every (thing, job) that has an execution,
//! UpdateJobExecution to each of the eight statuses (the four a device may set with
//! `stepTimeoutInMinutes` absent, 1 and -1), CancelJobExecution and DeleteJobExecution
//! (of the newest execution) with and without `force`; per thing StartNext (without and
//! with a 1-minute step timer) and DeleteThing (CreateThing again once deleted); per job
//! CancelJob with and without `force`; `t0` leaving or rejoining `g0`; and, while a timer
//! runs, the clock moving +30 s or to the next deadline (`Service::poll_timeout`).
//!
//! States are told apart by a 128-bit hash of the whole `Service`'s `Debug` text after
//! its messages are drained, clock included (the clock decides when timers fire), so the
//! exploration is bounded by depth (the number of actions after the setup).
//!
//! What is checked for the scope:
//! - every one of the eight statuses is reached;
//! - every row of `rules::TRANSITIONS` is taken at least once (the IN_PROGRESS to
//!   REJECTED row needs its switch: a second exploration runs with both switches on), and
//!   no change happens that no row permits under the action's `force` and the switches;
//! - every reachable state keeps the invariants of a state that the property tests check
//!   too, `tests/common/invariants.rs` (at most one pending execution per job and thing,
//!   and it is the newest; timers only on IN_PROGRESS executions, never overdue, and the
//!   timer queue is their deadlines; pending order as decision 4 says; a SNAPSHOT job is
//!   COMPLETED exactly when nothing is pending and nobody waits in its rollout list; a
//!   waiting thing has no execution, waits once, exists, and keeps its job's one batch
//!   timer running; ...);
//! - every edge keeps the invariants of a step shared with the property tests,
//!   `invariants::changes` (only the executions the action names change, each by a row
//!   of the table with its effects; terminal executions never change; versionNumber + 1
//!   exactly on a device's row; new executions are QUEUED, version 1, numbered highest +
//!   1), and those of `check_edge` (refused requests change nothing; no new execution for
//!   a canceled job, nor a retry for a deleted thing or one that left the targets; a
//!   request is accepted exactly when the decisions say; a rollout list changes only by
//!   a batch releasing its head, DeleteThing, or the job stopping);
//! - nothing gets stuck: in every reachable state each pending execution can be ended by
//!   one action (`STUCK_ACTIONS`), or, for a deleted thing's execution, by CreateThing and
//!   then one action (counted and printed as "ended only after re-creating the thing"),
//!   and the head of each non-empty rollout list is released by the clock reaching the
//!   job's batch timer.
//!
//! Default run (the default and switched explorations at depth 4, 42 343 and 44 911
//! states, 335 784 and 348 224 transitions, and the lifecycle one below; about 10 to 23 s
//! of test time in debug on 2 cores shared with other builds):
//!
//! ```text
//! cargo test --test exploration -- --nocapture
//! ```
//!
//! Larger run (depth 5, the lifecycle at 6, `jC` with retries `{ALL: 1}` too, the clock
//! also moving when no timer runs; 633 169, 674 567 and 634 930 states, 4 732 818,
//! 4 963 143 and 4 932 204 transitions; the three together take every row of the table;
//! about 3 minutes in the test profile, 70 s in release with the three in parallel):
//!
//! ```text
//! cargo test --release --test exploration -- --ignored --nocapture
//! ```
//!
//! A third exploration, `lifecycle` (depth 5: 83 472 states, 584 105 transitions, 209 896
//! of them changing; about 6 s alone, 16 s beside the other two), is issue 16's fleet:
//! `jS` gets abort criteria (FAILED, 1 executed, 50 %: decisions 29, 30) and a rollout of
//! one thing a minute (decisions 27, 28: CreateJob queues `t0`, `t1` waits for the batch
//! at 60 s), `jC` a schedule (decisions 31, 32: SCHEDULED from 0, starting at 1800,
//! FORCE_CANCEL at 3600), a second group `g1` holds `t1`, and DeleteJob with and without
//! `force` (decision 34) and AssociateTargetsWithJob of `g1` to `jC` (decision 36,
//! refused until `jC` starts) join the alphabet. It takes the batch row, both
//! end-behaviour rows, the abort row, the association row and DeleteJob's row from every
//! status, keeps every invariant, and finds no execution that
//! waits for its thing to be created again (decision 40: DeleteJob with force ends a
//! deleted thing's IN_PROGRESS execution). It runs one level deeper than the others
//! because `jC` starts only after two clock moves; at depth 4 it has 11 713 states.
//!
//! `EXPLORE_DEPTH=N` overrides the depth of any run (each level costs about 10 times
//! the one before).

mod common;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use iot_jobs_spec::rules::{self, Cause, TRANSITIONS};
use iot_jobs_spec::{
    Config, ExecutionRecord, JobExecutionStatus as S, JobStatus, Operation, Service, Switches,
    TimerKind,
};
use serde_json::{json, Value};

use common::invariants::{self, by_id, ensure, name};
use common::{drain, group_arn, thing_arn};

const THINGS: [&str; 2] = ["t0", "t1"];
const JOBS: [&str; 2] = ["jS", "jC"];
const GROUP: &str = "g0";
/// The lifecycle scope's second group, holding `t1` from the setup on: the group that
/// AssociateTargetsWithJob adds to `jC` (decision 36).
const GROUP1: &str = "g1";
/// The in-progress timer of `jS`, and the step timer the explorer asks for.
const TIMER_SECS: u64 = 60;
/// The lifecycle scope's rollout of `jS` (decision 28): one thing a minute, so of its
/// two targets `t0` is queued at CreateJob and `t1` waits for the batch timer.
const ROLLOUT_PER_MINUTE: usize = 1;
/// Decision 28: batches on a 60-second grid.
const BATCH_SECS: u64 = 60;
/// The lifecycle scope's schedule of `jC` (decisions 31, 32): SCHEDULED from CreateJob at
/// 0 until 1800, the earliest start allowed; force-canceled at its end, 1800 later.
const START_TIME: &str = "1970-01-01T00:30";
const END_TIME: &str = "1970-01-01T01:00";
const START_SECS: u64 = 1800;
const END_SECS: u64 = 3600;

/// How far to explore.
#[derive(Clone, Copy, Debug)]
struct Scope {
    name: &'static str,
    /// Actions from the initial state.
    depth: usize,
    switches: Switches,
    /// `jC` gets retries `{ALL: 1}` too.
    continuous_retry: bool,
    /// The clock also moves +30 s when no timer runs.
    idle_advance: bool,
    /// The lifecycle of issue 16: `jS` has abort criteria (FAILED, at least one
    /// execution completed, 50 %: decisions 29, 30) and a rollout of
    /// [`ROLLOUT_PER_MINUTE`] (decisions 27, 28), `jC` a schedule from [`START_TIME`] to
    /// [`END_TIME`] ending in FORCE_CANCEL (decisions 31, 32), and DeleteJob (decision 34),
    /// with and without `force`, and AssociateTargetsWithJob of [`GROUP1`] to `jC`
    /// (decision 36) join the alphabet.
    lifecycle: bool,
}

/// `EXPLORE_DEPTH` overrides the default depth.
fn depth_from_env(default: usize) -> usize {
    std::env::var("EXPLORE_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(default)
}

impl Scope {
    fn default_scope() -> Self {
        Self {
            name: "default switches",
            depth: depth_from_env(4),
            switches: Switches::default(),
            continuous_retry: false,
            idle_advance: false,
            lifecycle: false,
        }
    }

    /// Depth 5: `jC` starts only after two clock moves (the batch at 60, then its start
    /// at 1800), and the fifth action lets it run three steps before its end; the scope
    /// stays smaller than the default one at depth 4 (most states hold `jC` SCHEDULED).
    fn lifecycle() -> Self {
        Self {
            name: "lifecycle: jS rolls out and aborts, jC scheduled, DeleteJob, association",
            depth: depth_from_env(5),
            lifecycle: true,
            ..Self::default_scope()
        }
    }

    fn switched() -> Self {
        Self {
            name: "in_progress_to_rejected + delete_queued_without_force",
            switches: Switches {
                in_progress_to_rejected: true,
                delete_queued_without_force: true,
                ..Switches::default()
            },
            ..Self::default_scope()
        }
    }
}

/// One action of the alphabet. Thing and job are indexes into [`THINGS`] and [`JOBS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// Setup only: CreateJob of `JOBS[job]`.
    CreateJob {
        job: usize,
    },
    Update {
        thing: usize,
        job: usize,
        status: S,
        step: Option<i64>,
    },
    StartNext {
        thing: usize,
        step: Option<i64>,
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
    /// DeleteJobExecution of the newest execution of the job on the thing.
    DeleteExecution {
        thing: usize,
        job: usize,
        force: bool,
    },
    LeaveGroup,
    JoinGroup,
    DeleteThing {
        thing: usize,
    },
    /// CreateThing of a deleted thing (its executions are still there, decision 3).
    CreateThing {
        thing: usize,
    },
    Advance30,
    AdvanceToDeadline,
    /// Stuck check only: the clock moves to this deadline.
    AdvanceTo(u64),
    /// Lifecycle scope: DeleteJob.
    DeleteJob {
        job: usize,
        force: bool,
    },
    /// Lifecycle scope: AssociateTargetsWithJob of `jC` with [`GROUP1`] (decision 36).
    AssociateGroup,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let step = |s: &Option<i64>| s.map(|m| format!(" step={m}")).unwrap_or_default();
        let force = |b: &bool| if *b { " force" } else { "" };
        match self {
            Action::CreateJob { job } => write!(f, "CreateJob {}", JOBS[*job]),
            Action::Update {
                thing,
                job,
                status,
                step: s,
            } => write!(
                f,
                "Update {}/{} {}{}",
                JOBS[*job],
                THINGS[*thing],
                status.as_str(),
                step(s)
            ),
            Action::StartNext { thing, step: s } => {
                write!(f, "StartNext {}{}", THINGS[*thing], step(s))
            }
            Action::CancelExecution {
                thing,
                job,
                force: b,
            } => write!(
                f,
                "CancelJobExecution {}/{}{}",
                JOBS[*job],
                THINGS[*thing],
                force(b)
            ),
            Action::CancelJob { job, force: b } => {
                write!(f, "CancelJob {}{}", JOBS[*job], force(b))
            }
            Action::DeleteExecution {
                thing,
                job,
                force: b,
            } => write!(
                f,
                "DeleteJobExecution newest {}/{}{}",
                JOBS[*job],
                THINGS[*thing],
                force(b)
            ),
            Action::LeaveGroup => write!(f, "RemoveThingFromThingGroup t0 {GROUP}"),
            Action::JoinGroup => write!(f, "AddThingToThingGroup t0 {GROUP}"),
            Action::DeleteThing { thing } => write!(f, "DeleteThing {}", THINGS[*thing]),
            Action::CreateThing { thing } => write!(f, "CreateThing {}", THINGS[*thing]),
            Action::Advance30 => write!(f, "clock +30 s"),
            Action::AdvanceToDeadline => write!(f, "clock to the next deadline"),
            Action::AdvanceTo(t) => write!(f, "clock to {t}"),
            Action::DeleteJob { job, force } => write!(f, "DeleteJob {} force={force}", JOBS[*job]),
            Action::AssociateGroup => write!(f, "AssociateTargetsWithJob {} {GROUP1}", JOBS[1]),
        }
    }
}

impl Action {
    /// The cause of a status change this action makes to an existing execution.
    fn cause(self) -> Option<Cause> {
        Some(match self {
            Action::Update { .. } => Cause::UpdateJobExecution,
            Action::StartNext { .. } => Cause::StartNextPendingJobExecution,
            Action::CancelExecution { .. } => Cause::CancelJobExecution,
            Action::CancelJob { .. } => Cause::CancelJob,
            Action::DeleteExecution { .. } => Cause::DeleteJobExecution,
            Action::DeleteJob { .. } => Cause::DeleteJob,
            Action::LeaveGroup => Cause::ThingLeavesTargets,
            Action::DeleteThing { .. } => Cause::DeleteThing,
            Action::Advance30 | Action::AdvanceToDeadline | Action::AdvanceTo(_) => Cause::Timer,
            Action::CreateJob { .. }
            | Action::JoinGroup
            | Action::CreateThing { .. }
            | Action::AssociateGroup => return None,
        })
    }

    /// The cause of a new execution this action queues that is not a retry.
    fn creation_cause(self) -> Option<Cause> {
        match self {
            Action::CreateJob { .. } => Some(Cause::CreateJob),
            Action::JoinGroup => Some(Cause::ThingJoinsTargetGroup),
            Action::AssociateGroup => Some(Cause::AssociateTargetsWithJob),
            _ => None,
        }
    }

    fn force(self) -> bool {
        match self {
            Action::CancelExecution { force, .. }
            | Action::CancelJob { force, .. }
            | Action::DeleteExecution { force, .. }
            | Action::DeleteJob { force, .. } => force,
            _ => false,
        }
    }
}

/// [`common::call`] without the answer: `Err` holds the error code of a refused request.
fn call(svc: &mut Service, op: Operation, input: Value) -> Result<(), String> {
    common::call(svc, op, &input).map(drop)
}

fn newest(svc: &Service, thing: usize, job: usize) -> Option<ExecutionRecord> {
    svc.execution(THINGS[thing], JOBS[job], None)
}

/// Applies `action`; `Err` holds the error code of a refused request.
fn apply(svc: &mut Service, action: Action, scope: &Scope) -> Result<(), String> {
    match action {
        Action::CreateJob { job } => {
            let mut input = if job == 0 {
                json!({
                    "jobId": JOBS[0],
                    "targets": [group_arn(GROUP), thing_arn(THINGS[1])],
                    "document": "{\"op\":\"snapshot\"}",
                    "targetSelection": "SNAPSHOT",
                    "timeoutConfig": {"inProgressTimeoutInMinutes": TIMER_SECS / 60},
                })
            } else {
                json!({
                    "jobId": JOBS[1],
                    "targets": [group_arn(GROUP)],
                    "document": "{\"op\":\"continuous\"}",
                    "targetSelection": "CONTINUOUS",
                })
            };
            if job == 0 && scope.lifecycle {
                input["abortConfig"] = json!({"criteriaList": [{"failureType": "FAILED",
                    "action": "CANCEL", "minNumberOfExecutedThings": 1,
                    "thresholdPercentage": 50}]});
                input["jobExecutionsRolloutConfig"] =
                    json!({"maximumPerMinute": ROLLOUT_PER_MINUTE});
            }
            if job == 1 && scope.lifecycle {
                input["schedulingConfig"] = json!({"startTime": START_TIME,
                    "endTime": END_TIME, "endBehavior": "FORCE_CANCEL"});
            }
            if job == 0 || scope.continuous_retry {
                input["jobExecutionsRetryConfig"] =
                    json!({"criteriaList": [{"failureType": "ALL", "numberOfRetries": 1}]});
            }
            call(svc, Operation::CreateJob, input)
        }
        Action::Update {
            thing,
            job,
            status,
            step,
        } => {
            let mut input =
                json!({"thingName": THINGS[thing], "jobId": JOBS[job], "status": status.as_str()});
            if let Some(m) = step {
                input["stepTimeoutInMinutes"] = json!(m);
            }
            call(svc, Operation::UpdateJobExecution, input)
        }
        Action::StartNext { thing, step } => {
            let mut input = json!({"thingName": THINGS[thing]});
            if let Some(m) = step {
                input["stepTimeoutInMinutes"] = json!(m);
            }
            call(svc, Operation::StartNextPendingJobExecution, input)
        }
        Action::CancelExecution { thing, job, force } => call(
            svc,
            Operation::CancelJobExecution,
            json!({"jobId": JOBS[job], "thingName": THINGS[thing], "force": force}),
        ),
        Action::CancelJob { job, force } => call(
            svc,
            Operation::CancelJob,
            json!({"jobId": JOBS[job], "force": force}),
        ),
        Action::DeleteExecution { thing, job, force } => {
            let number = newest(svc, thing, job).map_or(1, |e| e.execution_number);
            call(
                svc,
                Operation::DeleteJobExecution,
                json!({"jobId": JOBS[job], "thingName": THINGS[thing],
                       "executionNumber": number, "force": force}),
            )
        }
        Action::DeleteJob { job, force } => call(
            svc,
            Operation::DeleteJob,
            json!({"jobId": JOBS[job], "force": force}),
        ),
        Action::AssociateGroup => call(
            svc,
            Operation::AssociateTargetsWithJob,
            json!({"jobId": JOBS[1], "targets": [group_arn(GROUP1)]}),
        ),
        Action::LeaveGroup => call(
            svc,
            Operation::RemoveThingFromThingGroup,
            json!({"thingGroupName": GROUP, "thingName": THINGS[0]}),
        ),
        Action::JoinGroup => call(
            svc,
            Operation::AddThingToThingGroup,
            json!({"thingGroupName": GROUP, "thingName": THINGS[0]}),
        ),
        Action::DeleteThing { thing } => call(
            svc,
            Operation::DeleteThing,
            json!({"thingName": THINGS[thing]}),
        ),
        Action::CreateThing { thing } => call(
            svc,
            Operation::CreateThing,
            json!({"thingName": THINGS[thing]}),
        ),
        Action::Advance30 => {
            svc.handle_timeout(svc.now() + 30);
            drain(svc);
            Ok(())
        }
        Action::AdvanceToDeadline => {
            let t = svc.poll_timeout().expect("only offered while a timer runs");
            svc.handle_timeout(t);
            drain(svc);
            Ok(())
        }
        Action::AdvanceTo(t) => {
            svc.handle_timeout(t);
            drain(svc);
            Ok(())
        }
    }
}

/// The alphabet in `svc`.
fn actions(svc: &Service, scope: &Scope) -> Vec<Action> {
    let things = svc.things();
    let exists = |t: usize| things.iter().any(|n| n == THINGS[t]);
    let mut out = Vec::new();
    for thing in 0..THINGS.len() {
        for job in 0..JOBS.len() {
            if newest(svc, thing, job).is_none() {
                continue;
            }
            for status in S::ALL {
                let steps: &[Option<i64>] = if rules::device_may_request(status) {
                    &[None, Some(1), Some(-1)]
                } else {
                    &[None]
                };
                for &step in steps {
                    out.push(Action::Update {
                        thing,
                        job,
                        status,
                        step,
                    });
                }
            }
            for force in [false, true] {
                out.push(Action::CancelExecution { thing, job, force });
                out.push(Action::DeleteExecution { thing, job, force });
            }
        }
        if exists(thing) {
            out.push(Action::StartNext { thing, step: None });
            out.push(Action::StartNext {
                thing,
                step: Some(1),
            });
            out.push(Action::DeleteThing { thing });
        } else {
            out.push(Action::CreateThing { thing });
        }
    }
    for job in 0..JOBS.len() {
        for force in [false, true] {
            out.push(Action::CancelJob { job, force });
            if scope.lifecycle {
                out.push(Action::DeleteJob { job, force });
            }
        }
    }
    if scope.lifecycle {
        out.push(Action::AssociateGroup);
    }
    if exists(0) {
        if svc.groups_of(THINGS[0]).iter().any(|g| g == GROUP) {
            out.push(Action::LeaveGroup);
        } else {
            out.push(Action::JoinGroup);
        }
    }
    if svc.poll_timeout().is_some() {
        out.push(Action::Advance30);
        out.push(Action::AdvanceToDeadline);
    } else if scope.idle_advance {
        out.push(Action::Advance30);
    }
    out
}

/// The actions that may end a pending execution in one step (the no-stuck check).
const STUCK_ACTIONS: &str = "UpdateJobExecution SUCCEEDED, CancelJobExecution force, \
     DeleteJobExecution force, CancelJob force, or the clock reaching its deadline";

fn enders(e: &ExecutionRecord) -> Vec<Action> {
    let thing = THINGS.iter().position(|t| *t == e.thing_name).unwrap();
    let job = JOBS.iter().position(|j| *j == e.job_id).unwrap();
    let mut out = vec![
        Action::Update {
            thing,
            job,
            status: S::Succeeded,
            step: None,
        },
        Action::CancelExecution {
            thing,
            job,
            force: true,
        },
        Action::DeleteExecution {
            thing,
            job,
            force: true,
        },
        Action::CancelJob { job, force: true },
    ];
    if let Some(t) = e.deadline() {
        out.push(Action::AdvanceTo(t));
    }
    out
}

/// A 128-bit hash of the whole service (its `Debug` text, clock included). A collision
/// would only make the explorer skip a state; at a million states its odds are about
/// 2^-88.
fn key(svc: &Service) -> u128 {
    use fmt::Write as _;
    thread_local! {
        static TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    TEXT.with_borrow_mut(|text| {
        text.clear();
        write!(text, "{svc:?}").expect("formatting a service");
        hash128(text.as_bytes())
    })
}

/// Two multiply-rotate lanes over 8-byte words, each finished with murmur3's fmix64.
fn hash128(bytes: &[u8]) -> u128 {
    const K1: u64 = 0x9e37_79b9_7f4a_7c15;
    const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;
    let fmix = |mut h: u64| {
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    };
    let (mut a, mut b) = (K1 ^ bytes.len() as u64, K2);
    let mut words = bytes.chunks_exact(8);
    let mut mix = |w: u64| {
        a = (a ^ w).wrapping_mul(K2).rotate_left(29);
        b = (b.rotate_left(23) ^ w).wrapping_mul(K1).wrapping_add(a);
    };
    for w in &mut words {
        mix(u64::from_le_bytes(w.try_into().expect("8 bytes")));
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    mix(u64::from_le_bytes(last));
    (u128::from(fmix(a)) << 64) | u128::from(fmix(b ^ a.rotate_left(17)))
}

/// What the edge checks read of a state, computed once per state.
struct View {
    execs: BTreeMap<usize, ExecutionRecord>,
    jobs: BTreeMap<String, JobStatus>,
    things: Vec<String>,
    /// Per job, the things waiting in its rollout list, in order (decision 28).
    waiting: BTreeMap<String, Vec<String>>,
    /// Per job, its batch timer's deadline, while one runs.
    batches: BTreeMap<String, u64>,
    /// Per job, its startTime's and endTime's timers, while they run (decision 32).
    starts: BTreeMap<String, u64>,
    ends: BTreeMap<String, u64>,
}

impl View {
    fn of(svc: &Service) -> Self {
        let jobs = svc.jobs();
        Self {
            execs: by_id(svc),
            waiting: jobs
                .iter()
                .map(|j| (j.job_id.clone(), j.waiting.clone()))
                .collect(),
            jobs: jobs.into_iter().map(|j| (j.job_id, j.status)).collect(),
            things: svc.things(),
            batches: batch_deadlines(svc),
            starts: job_timers(svc, TimerKind::StartTime),
            ends: job_timers(svc, TimerKind::EndTime),
        }
    }
}

/// Per job, the deadline of its job timer of `kind`.
fn job_timers(svc: &Service, kind: TimerKind) -> BTreeMap<String, u64> {
    svc.due_timers(u64::MAX)
        .into_iter()
        .filter(|t| t.kind == kind)
        .map(|t| (t.job_id, t.deadline))
        .collect()
}

/// Per job, its rollout batch timer's deadline (decision 28).
fn batch_deadlines(svc: &Service) -> BTreeMap<String, u64> {
    job_timers(svc, TimerKind::RolloutBatch)
}

/// What must hold along every edge; marks the rows of the table the edge takes.
fn check_edge(
    before: &Service,
    view: &View,
    action: Action,
    result: &Result<(), String>,
    after: &Service,
    scope: &Scope,
    rows: &mut [u64],
) -> Result<(), String> {
    let sw = scope.switches;
    let now = after.now();
    ensure!(now >= before.now(), "the clock went back");
    if let Err(code) = result {
        ensure!(
            after == before,
            "a refused request ({code}) changed the service"
        );
        check_prediction(before, view, action, false, scope)?;
        return Ok(());
    }
    check_prediction(before, view, action, true, scope)?;
    if after == before {
        return Ok(());
    }
    let (b, a) = (&view.execs, by_id(after));
    let newest_of = |thing: usize, job: usize| {
        invariants::newest(b, JOBS[job], THINGS[thing]).map(|e| e.creation_order)
    };
    let head = |thing: usize| {
        let head = before.pending_order(THINGS[thing]).first().cloned();
        head.and_then(|(j, n)| {
            b.values()
                .find(|e| e.thing_name == THINGS[thing] && e.job_id == j && e.execution_number == n)
                .map(|e| e.creation_order)
        })
    };
    let clock = action.cause() == Some(Cause::Timer);
    let due = |timers: &BTreeMap<String, u64>| -> Vec<(String, u64)> {
        let due = timers.iter().filter(|t| clock && *t.1 <= now);
        due.map(|(j, &d)| (j.clone(), d)).collect()
    };
    // Decision 32: an endTime reached in a clock move force-cancels the job's pending
    // executions (FORCE_CANCEL), at its deadline, unless an execution's own timer fired
    // before it (the end timer, set at CreateJob, goes first at an equal deadline).
    let ends = due(&view.ends);
    ensure!(ends.len() <= 1, "{action} reaches endTimes {ends:?}");
    let end = ends.first();
    // Which executions the action may change, by which cause and force.
    let may_change = |e: &ExecutionRecord| -> Option<(Cause, bool)> {
        let thing = THINGS.iter().position(|t| *t == e.thing_name)?;
        let job = JOBS.iter().position(|j| *j == e.job_id)?;
        let this = Some(e.creation_order);
        if let Some((_, d)) =
            end.filter(|(j, d)| *j == e.job_id && e.deadline().is_none_or(|x| *d <= x))
        {
            debug_assert!(*d <= now);
            return Some((Cause::EndBehaviorCancel, true));
        }
        let cause = action.cause()?;
        let may = match action {
            Action::Update {
                thing: t, job: j, ..
            }
            | Action::CancelExecution {
                thing: t, job: j, ..
            } => (t, j) == (thing, job) && newest_of(t, j) == this,
            Action::StartNext { thing: t, .. } => t == thing && head(t) == this,
            Action::CancelJob { job: j, .. } => j == job,
            Action::DeleteThing { thing: t } => t == thing,
            Action::LeaveGroup => thing == 0,
            Action::Advance30 | Action::AdvanceToDeadline | Action::AdvanceTo(_) => {
                e.deadline().is_some_and(|d| d <= now)
            }
            _ => false,
        };
        // Decision 30: a change of jS's counts may abort it, canceling its QUEUED
        // executions (CancelJob's own cancels trigger no check).
        let aborts = scope.lifecycle
            && job == 0
            && e.status == S::Queued
            && !matches!(action, Action::CancelJob { .. } | Action::DeleteJob { .. });
        match (may, aborts) {
            (true, _) => Some((cause, action.force())),
            (false, true) => Some((Cause::AbortCancel, false)),
            (false, false) => None,
        }
    };
    let may_delete = |e: &ExecutionRecord| match action {
        Action::DeleteExecution { thing, job, force } => {
            (newest_of(thing, job) == Some(e.creation_order)).then_some(force)
        }
        Action::DeleteJob { job, force } => (e.job_id == JOBS[job]).then_some(force),
        _ => None,
    };
    // A clock move creates by the batch row (decision 28) at the batch timer's deadline,
    // or by CreateJob's row at a startTime (decision 32: the job starts as CreateJob
    // would then); in this scope a move reaches at most one of them (the clock moves at
    // most to the next deadline or 30 s, and the two are a half-hour apart).
    let batches = due(&view.batches);
    let starts = due(&view.starts);
    let creating: Vec<(Cause, &String, u64)> = batches
        .iter()
        .map(|(j, d)| (Cause::RolloutBatch, j, *d))
        .chain(starts.iter().map(|(j, d)| (Cause::CreateJob, j, *d)))
        .collect();
    ensure!(
        creating.len() <= 1,
        "{action} reaches job timers {creating:?}"
    );
    let creates = match (action.creation_cause(), creating.first()) {
        (Some(cause), _) => Some((cause, now)),
        (None, Some(&(cause, _, d))) => Some((cause, d)),
        (None, None) => None,
    };
    let step = invariants::Step {
        now,
        clock,
        may_change: &may_change,
        may_delete: &may_delete,
        creates,
        job_timer_at: end.map(|e| e.1),
        switches: sw,
    };
    let deletion = match action {
        Action::DeleteJob { .. } => Cause::DeleteJob,
        _ => Cause::DeleteJobExecution,
    };
    let taken = invariants::changes_deleting_by(b, &a, &step, deletion)?;
    let jobs_before = &view.jobs;
    for t in &taken {
        let i = TRANSITIONS
            .iter()
            .position(|r| std::ptr::eq(r, t.row))
            .expect("a row of TRANSITIONS");
        rows[i] += 1;
        if t.row.from.is_some() {
            continue;
        }
        // What this scope adds about new executions.
        let new = &a[&t.execution];
        let cause = t.row.cause;
        if cause != Cause::CreateJob {
            ensure!(
                jobs_before.get(&new.job_id) == Some(&JobStatus::InProgress),
                "{} queued for a job that is {:?}",
                name(new),
                jobs_before.get(&new.job_id)
            );
        }
        let continuous = new.job_id == JOBS[1];
        let in_group = |g: &str| after.groups_of(&new.thing_name).iter().any(|n| n == g);
        // GROUP1 reaches `jC` only by AssociateTargetsWithJob, refused until `jC` starts,
        // so a new execution of `jC` on a member of GROUP1 that is not CreateJob's is one
        // of a target.
        let is_target = new.thing_name == THINGS[1] && !continuous
            || in_group(GROUP)
            || continuous && cause != Cause::CreateJob && in_group(GROUP1);
        if clock && cause == Cause::CreateJob {
            ensure!(
                starts.iter().any(|(j, _)| *j == new.job_id) && is_target,
                "{} queued at a clock move that started {starts:?}",
                name(new)
            );
        }
        match cause {
            Cause::Retry => {
                ensure!(
                    after.things().contains(&new.thing_name),
                    "retry {} for a deleted thing",
                    name(new)
                );
                ensure!(
                    !continuous || is_target,
                    "retry {} for a thing that left the targets",
                    name(new)
                );
            }
            Cause::ThingJoinsTargetGroup => ensure!(
                continuous,
                "a group join queued {} of a SNAPSHOT job",
                name(new)
            ),
            _ => {}
        }
    }
    if action.creation_cause() != Some(Cause::CreateJob) {
        rollout_edge(view, action, &taken, &a, after)?;
    }
    Ok(())
}

/// Decision 28 along an edge, per job: the rollout list after the step is the list before
/// with DeleteThing's thing taken out and, when the step's clock move reached the batch
/// timer, its head released: exactly the first [`ROLLOUT_PER_MINUTE`] things, queued by
/// the batch row in list order, while the job stays IN_PROGRESS; nobody else leaves it,
/// and no other step releases anyone. A job that stops being IN_PROGRESS (CancelJob, an
/// abort, DeleteJob) keeps no list. While things wait, the next batch is 60 s after the
/// one that fired, or still the one before.
fn rollout_edge(
    view: &View,
    action: Action,
    taken: &[invariants::Taken],
    execs_after: &BTreeMap<usize, ExecutionRecord>,
    after: &Service,
) -> Result<(), String> {
    let jobs_after = after.jobs();
    let batches_after = batch_deadlines(after);
    for (job, before) in &view.waiting {
        let released: Vec<&str> = taken
            .iter()
            .filter(|t| t.row.cause == Cause::RolloutBatch)
            .map(|t| &execs_after[&t.execution])
            .filter(|e| &e.job_id == job)
            .map(|e| e.thing_name.as_str())
            .collect();
        let fired = view
            .batches
            .get(job)
            .filter(|&&d| action.cause() == Some(Cause::Timer) && d <= after.now());
        let mut left: Vec<&str> = before
            .iter()
            .map(String::as_str)
            .filter(|&t| !matches!(action, Action::DeleteThing { thing } if THINGS[thing] == t))
            .collect();
        let j = jobs_after.iter().find(|j| &j.job_id == job);
        let running = j.is_some_and(|j| j.status == JobStatus::InProgress);
        let head = if fired.is_some() {
            left.len().min(ROLLOUT_PER_MINUTE)
        } else {
            0
        };
        ensure!(
            released.len() <= head && (!running || released.len() == head),
            "{job}: {action} released {released:?} from the rollout list {before:?}"
        );
        ensure!(
            released[..] == left[..released.len()],
            "{job}: {action} released {released:?}, not the head of the rollout list {before:?}"
        );
        left.drain(..released.len());
        if !running {
            left.clear();
        }
        let got: Vec<&str> = j
            .map(|j| j.waiting.iter().map(String::as_str).collect())
            .unwrap_or_default();
        ensure!(
            got == left,
            "{job}: after {action} the rollout list is {got:?}, decision 28 leaves {left:?} \
             of {before:?}"
        );
        if !left.is_empty() {
            let want = match fired {
                Some(d) => Some(d + BATCH_SECS),
                None => view.batches.get(job).copied(),
            };
            ensure!(
                batches_after.get(job).copied() == want,
                "{job}: after {action} the next batch is at {:?}, not {want:?}",
                batches_after.get(job)
            );
        }
    }
    Ok(())
}

/// Whether the request was accepted as the decisions predict, and did what they say.
fn check_prediction(
    before: &Service,
    view: &View,
    action: Action,
    accepted: bool,
    scope: &Scope,
) -> Result<(), String> {
    let sw = scope.switches;
    let exists = |t: usize| view.things.iter().any(|n| n == THINGS[t]);
    let expected = match action {
        Action::Update {
            thing,
            job,
            status,
            step,
        } => {
            exists(thing)
                && newest(before, thing, job).is_some_and(|e| {
                    rules::device_update(e.status, status, &sw).is_ok()
                        && !(step == Some(-1) && e.step_deadline.is_none())
                })
        }
        Action::StartNext { thing, .. } | Action::DeleteThing { thing } => exists(thing),
        Action::CancelExecution { thing, job, force } => {
            exists(thing)
                && newest(before, thing, job)
                    .is_some_and(|e| e.status == S::Queued || e.status == S::InProgress && force)
        }
        Action::DeleteExecution { thing, job, force } => {
            exists(thing)
                && newest(before, thing, job).is_some_and(|e| {
                    e.status.is_terminal()
                        || force
                        || e.status == S::Queued && sw.delete_queued_without_force
                })
        }
        // Decisions 21, 31: CancelJob of an IN_PROGRESS or SCHEDULED job.
        Action::CancelJob { job, .. } => view
            .jobs
            .get(JOBS[job])
            .is_some_and(|s| matches!(s, JobStatus::InProgress | JobStatus::Scheduled)),
        // Decision 34: an IN_PROGRESS or SCHEDULED job needs force; a deleted one is not
        // found.
        Action::DeleteJob { job, force } => view
            .jobs
            .get(JOBS[job])
            .is_some_and(|s| force || !matches!(s, JobStatus::InProgress | JobStatus::Scheduled)),
        // Decision 36: only a CONTINUOUS job that is IN_PROGRESS takes new targets.
        Action::AssociateGroup => view.jobs.get(JOBS[1]) == Some(&JobStatus::InProgress),
        _ => true,
    };
    ensure!(
        accepted == expected,
        "{action} was {} but the decisions say it should be {}",
        if accepted { "accepted" } else { "refused" },
        if expected { "accepted" } else { "refused" }
    );
    Ok(())
}

/// Device-side effects the decisions fix exactly (decisions 10, 12, 15, 16).
fn check_device_effects(before: &Service, action: Action, after: &Service) -> Result<(), String> {
    let now = after.now();
    match action {
        Action::Update {
            thing,
            job,
            status,
            step,
        } => {
            let (Some(old), Some(new)) = (newest(before, thing, job), {
                let o = newest(before, thing, job);
                o.and_then(|o| {
                    after
                        .executions()
                        .into_iter()
                        .find(|e| e.creation_order == o.creation_order)
                })
            }) else {
                return Err(format!("{action}: the execution vanished"));
            };
            ensure!(new.status == status, "{action}: status {}", new.status);
            if status == S::InProgress {
                let step_expected = match step {
                    Some(1) => Some(now + TIMER_SECS),
                    Some(_) => None,
                    None => old.step_deadline,
                };
                ensure!(
                    new.step_deadline == step_expected,
                    "{action}: step deadline {:?}, expected {step_expected:?}",
                    new.step_deadline
                );
                let ip_expected = if old.started_at.is_none() && job == 0 {
                    Some(now + TIMER_SECS)
                } else {
                    old.in_progress_deadline
                };
                ensure!(
                    new.in_progress_deadline == ip_expected,
                    "{action}: in-progress deadline {:?}, expected {ip_expected:?}",
                    new.in_progress_deadline
                );
                ensure!(
                    new.started_at == old.started_at.or(Some(now)),
                    "{action}: startedAt {:?}",
                    new.started_at
                );
            } else {
                ensure!(
                    new.started_at == old.started_at,
                    "{action}: a direct end moved startedAt"
                );
            }
        }
        Action::StartNext { thing, step } => {
            let head = before.pending_order(THINGS[thing]).first().cloned();
            let old = head.and_then(|(j, n)| before.execution(THINGS[thing], &j, Some(n)));
            match old {
                Some(old) if old.status == S::Queued => {
                    let new = after
                        .executions()
                        .into_iter()
                        .find(|e| e.creation_order == old.creation_order)
                        .ok_or_else(|| format!("{action}: the head vanished"))?;
                    ensure!(
                        new.status == S::InProgress
                            && new.version_number == old.version_number + 1
                            && new.started_at == Some(now)
                            && new.step_deadline == step.map(|_| now + TIMER_SECS),
                        "{action}: head became {new:?}"
                    );
                }
                _ => ensure!(
                    after == before,
                    "{action} with no QUEUED head changed the service"
                ),
            }
        }
        _ => {}
    }
    Ok(())
}

/// What one exploration found.
#[derive(Debug, Default)]
struct Report {
    scope: String,
    states: usize,
    /// Actions tried (edges, self-loops and refusals included).
    transitions: u64,
    /// Actions that changed the service.
    changing: u64,
    /// Per depth, the states first reached there.
    per_depth: Vec<usize>,
    statuses: BTreeSet<S>,
    rows: Vec<u64>,
    violations: Vec<String>,
    stuck: Vec<String>,
    /// Pending executions of a deleted thing that only re-creating the thing lets end.
    needs_recreation: u64,
    /// Rollout lists (decision 28) seen non-empty, one per job and state.
    waiting_states: u64,
    recreation_examples: Vec<String>,
    elapsed: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "exploration [{}]: {} states, {} transitions tried ({} changing), per depth {:?}, {:.1?}",
            self.scope, self.states, self.transitions, self.changing, self.per_depth, self.elapsed
        )?;
        let statuses: Vec<_> = self.statuses.iter().map(|s| s.as_str()).collect();
        writeln!(f, "  statuses reached: {}", statuses.join(", "))?;
        for (t, n) in TRANSITIONS.iter().zip(&self.rows) {
            writeln!(
                f,
                "  {:>9} x {} -> {} by {} {}",
                n,
                t.from.map_or("(new)", S::as_str),
                t.to.map_or("(deleted)", S::as_str),
                t.cause,
                t.condition
            )?;
        }
        writeln!(
            f,
            "  violations: {}, stuck: {}, ended only after re-creating the thing: {}, \
             rollout lists waiting: {}",
            self.violations.len(),
            self.stuck.len(),
            self.needs_recreation,
            self.waiting_states
        )?;
        if let Some(example) = self.recreation_examples.first() {
            writeln!(f, "  e.g. {example}")?;
        }
        Ok(())
    }
}

/// A found state: its parent and the action that reached it (for printing a path).
struct Node {
    parent: usize,
    action: Action,
}

fn path(nodes: &[Node], mut i: usize) -> String {
    let mut steps = Vec::new();
    while i != 0 {
        steps.push(nodes[i].action.to_string());
        i = nodes[i].parent;
    }
    steps.reverse();
    if steps.is_empty() {
        "the initial state".to_owned()
    } else {
        steps.join("; ")
    }
}

const MAX_FINDINGS: usize = 20;

/// Checks a newly found state: its invariants, and that no pending execution is stuck.
fn visit(svc: &Service, id: usize, nodes: &[Node], scope: &Scope, report: &mut Report) {
    report.states += 1;
    let execs = svc.executions();
    for e in &execs {
        report.statuses.insert(e.status);
    }
    if let Err(e) = invariants::state(svc) {
        if report.violations.len() < MAX_FINDINGS {
            report
                .violations
                .push(format!("{e}\n    after: {}", path(nodes, id)));
        }
    }
    let ended_by = |svc: &Service, e: &ExecutionRecord, action: Action| {
        let mut probe = svc.clone();
        apply(&mut probe, action, scope).is_ok()
            && probe
                .executions()
                .iter()
                .find(|x| x.creation_order == e.creation_order)
                .is_none_or(|x| x.status.is_terminal())
    };
    // Decision 28: a thing waiting in a rollout list is released by the job's next batch.
    let batches = batch_deadlines(svc);
    for j in svc.jobs().into_iter().filter(|j| !j.waiting.is_empty()) {
        let head = &j.waiting[0];
        let mut probe = svc.clone();
        let released = batches.get(&j.job_id).is_some_and(|&d| {
            apply(&mut probe, Action::AdvanceTo(d), scope).is_ok()
                && probe.execution(head, &j.job_id, None).is_some()
        });
        if !released && report.stuck.len() < MAX_FINDINGS {
            report.stuck.push(format!(
                "{head} waits in the rollout list of {} and no batch releases it\n    after: {}",
                j.job_id,
                path(nodes, id)
            ));
        }
        report.waiting_states += 1;
    }
    for e in execs.iter().filter(|e| e.status.is_pending()) {
        if enders(e).into_iter().any(|a| ended_by(svc, e, a)) {
            continue;
        }
        // Decision 40: with DeleteJob in the alphabet, a deleted thing's IN_PROGRESS
        // execution of a job canceled without force still ends, by DeleteJob with force.
        let job = JOBS.iter().position(|j| *j == e.job_id).unwrap();
        if scope.lifecycle && ended_by(svc, e, Action::DeleteJob { job, force: true }) {
            continue;
        }
        // Decision 3: a deleted thing's executions stay; re-creating the thing reaches
        // them again.
        let thing = THINGS.iter().position(|t| *t == e.thing_name).unwrap();
        let mut recreated = svc.clone();
        let two_steps = apply(&mut recreated, Action::CreateThing { thing }, scope).is_ok()
            && enders(e).into_iter().any(|a| ended_by(&recreated, e, a));
        let finding = format!(
            "{} cannot be ended by one action ({STUCK_ACTIONS})\n    after: {}",
            name(e),
            path(nodes, id)
        );
        let list = if two_steps {
            report.needs_recreation += 1;
            &mut report.recreation_examples
        } else {
            &mut report.stuck
        };
        if list.len() < MAX_FINDINGS {
            list.push(finding);
        }
    }
}

fn explore(scope: Scope) -> Report {
    let start = Instant::now();
    let mut report = Report {
        scope: format!(
            "{}, depth {}{}{}",
            scope.name,
            scope.depth,
            if scope.continuous_retry {
                ", jC retries"
            } else {
                ""
            },
            if scope.idle_advance {
                ", idle clock moves"
            } else {
                ""
            }
        ),
        rows: vec![0; TRANSITIONS.len()],
        ..Report::default()
    };
    // Setup: things, group, then the two jobs as checked edges (the CreateJob row).
    let mut svc = Service::new(Config {
        switches: scope.switches,
        ..Config::default()
    });
    for t in THINGS {
        call(&mut svc, Operation::CreateThing, json!({"thingName": t})).unwrap();
    }
    call(
        &mut svc,
        Operation::CreateThingGroup,
        json!({"thingGroupName": GROUP}),
    )
    .unwrap();
    apply(&mut svc, Action::JoinGroup, &scope).unwrap();
    if scope.lifecycle {
        call(
            &mut svc,
            Operation::CreateThingGroup,
            json!({"thingGroupName": GROUP1}),
        )
        .unwrap();
        call(
            &mut svc,
            Operation::AddThingToThingGroup,
            json!({"thingGroupName": GROUP1, "thingName": THINGS[1]}),
        )
        .unwrap();
    }
    for (job, id) in JOBS.iter().enumerate() {
        let before = svc.clone();
        let result = apply(&mut svc, Action::CreateJob { job }, &scope);
        assert!(result.is_ok(), "setup CreateJob {id}: {result:?}");
        if let Err(e) = check_edge(
            &before,
            &View::of(&before),
            Action::CreateJob { job },
            &result,
            &svc,
            &scope,
            &mut report.rows,
        ) {
            report.violations.push(format!("setup: {e}"));
        }
    }
    // Decision 28: the batch at t0 belongs to CreateJob (it queued `t0`, `jS`'s first
    // target); `t1` waits for the batch timer a minute later.
    if scope.lifecycle {
        let js = svc.jobs().into_iter().find(|j| j.job_id == JOBS[0]);
        let (waiting, batches) = (js.map(|j| j.waiting), batch_deadlines(&svc));
        let queued: Vec<String> = svc
            .executions()
            .into_iter()
            .filter(|e| e.job_id == JOBS[0])
            .map(|e| e.thing_name)
            .collect();
        if waiting != Some(vec![THINGS[1].to_owned()])
            || batches.get(JOBS[0]) != Some(&BATCH_SECS)
            || queued != [THINGS[0]]
        {
            report.violations.push(format!(
                "setup: jS queued {queued:?}, waiting {waiting:?}, batches {batches:?}"
            ));
        }
        // Decision 31: jC waits SCHEDULED, with no execution, for its two job timers.
        let jc = svc.jobs().into_iter().find(|j| j.job_id == JOBS[1]);
        let timers: Vec<(u64, TimerKind)> = svc
            .due_timers(u64::MAX)
            .into_iter()
            .filter(|t| t.job_id == JOBS[1])
            .map(|t| (t.deadline, t.kind))
            .collect();
        let has_execution = svc.executions().iter().any(|e| e.job_id == JOBS[1]);
        if jc.as_ref().map(|j| j.status) != Some(JobStatus::Scheduled)
            || has_execution
            || timers
                != [
                    (START_SECS, TimerKind::StartTime),
                    (END_SECS, TimerKind::EndTime),
                ]
        {
            report.violations.push(format!(
                "setup: jC {jc:?}, timers {timers:?}, executions: {has_execution}"
            ));
        }
    }

    let mut seen: HashMap<u128, usize> = HashMap::new();
    let mut nodes = vec![Node {
        parent: 0,
        action: Action::Advance30,
    }];
    seen.insert(key(&svc), 0);
    visit(&svc, 0, &nodes, &scope, &mut report);
    report.per_depth.push(1);
    let mut frontier = vec![(0usize, svc)];
    for depth in 1..=scope.depth {
        let mut next = Vec::new();
        let mut found = 0;
        for (id, svc) in frontier {
            let view = View::of(&svc);
            for action in actions(&svc, &scope) {
                report.transitions += 1;
                let mut after = svc.clone();
                let result = apply(&mut after, action, &scope);
                let checked = check_edge(
                    &svc,
                    &view,
                    action,
                    &result,
                    &after,
                    &scope,
                    &mut report.rows,
                )
                .and_then(|()| match result {
                    Ok(()) => check_device_effects(&svc, action, &after),
                    Err(_) => Ok(()),
                });
                if let Err(e) = checked {
                    if report.violations.len() < MAX_FINDINGS {
                        report.violations.push(format!(
                            "{e}\n    on: {action}\n    after: {}",
                            path(&nodes, id)
                        ));
                    }
                }
                if result.is_err() || after == svc {
                    continue;
                }
                report.changing += 1;
                if let Entry::Vacant(v) = seen.entry(key(&after)) {
                    let new_id = nodes.len();
                    v.insert(new_id);
                    nodes.push(Node { parent: id, action });
                    visit(&after, new_id, &nodes, &scope, &mut report);
                    found += 1;
                    // The last level is checked but not expanded: no need to keep it.
                    if depth < scope.depth {
                        next.push((new_id, after));
                    }
                }
            }
        }
        report.per_depth.push(found);
        frontier = next;
    }
    report.elapsed = start.elapsed();
    report
}

fn default_report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let r = explore(Scope::default_scope());
        println!("{r}");
        r
    })
}

fn switched_report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let r = explore(Scope::switched());
        println!("{r}");
        r
    })
}

fn lifecycle_report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let r = explore(Scope::lifecycle());
        println!("{r}");
        r
    })
}

/// Issue 16's lifecycle in the fleet: with jS's rollout and abort criteria and DeleteJob,
/// every reachable state and edge keeps the invariants, nothing gets stuck (no waiting
/// thing either), and the rollout batch row by a clock move (decision 28), the abort row
/// (decision 30) and DeleteJob's rows from each status the scope reaches (decision 34)
/// are taken.
#[test]
fn lifecycle_scope_keeps_every_invariant_and_takes_the_batch_abort_associate_and_delete_job_rows() {
    let r = lifecycle_report();
    assert_sound(r);
    assert_all_statuses(r);
    assert_not_stuck(r);
    assert!(r.waiting_states > 0, "no state with a thing waiting");
    let taken = |cause: Cause, from: S| {
        TRANSITIONS
            .iter()
            .zip(&r.rows)
            .any(|(t, &n)| n > 0 && t.cause == cause && t.from == Some(from))
    };
    assert!(taken(Cause::AbortCancel, S::Queued), "the abort row");
    let batch = TRANSITIONS
        .iter()
        .position(|t| t.cause == Cause::RolloutBatch)
        .expect("the batch row");
    assert!(r.rows[batch] > 0, "decision 28: no batch released t1");
    // Decision 36: AssociateTargetsWithJob of GROUP1 queues t1 on jC once jC has started.
    let associate = TRANSITIONS
        .iter()
        .position(|t| t.cause == Cause::AssociateTargetsWithJob)
        .expect("the association row");
    assert!(
        r.rows[associate] > 0,
        "decision 36: no association queued t1"
    );
    // Decision 32: jC's FORCE_CANCEL end takes both end-behaviour rows.
    for from in [S::Queued, S::InProgress] {
        assert!(
            taken(Cause::EndBehaviorCancel, from),
            "FORCE_CANCEL from {from}"
        );
    }
    // Decision 40: no execution waits for its thing to be created again.
    assert_eq!(r.needs_recreation, 0, "{:#?}", r.recreation_examples);
    for from in S::ALL {
        assert!(taken(Cause::DeleteJob, from), "DeleteJob from {from}");
    }
}

fn assert_sound(r: &Report) {
    assert!(
        r.violations.is_empty(),
        "[{}] {} invariant violations, first ones:\n{}",
        r.scope,
        r.violations.len(),
        r.violations.join("\n")
    );
}

fn assert_all_statuses(r: &Report) {
    let missing: Vec<_> = S::ALL.iter().filter(|s| !r.statuses.contains(s)).collect();
    assert!(
        missing.is_empty(),
        "[{}] statuses never reached: {missing:?}",
        r.scope
    );
}

fn assert_not_stuck(r: &Report) {
    assert!(
        r.stuck.is_empty(),
        "[{}] pending executions that no single action ends:\n{}",
        r.scope,
        r.stuck.join("\n")
    );
}

#[test]
fn default_scope_keeps_every_invariant_and_reaches_every_status() {
    let r = default_report();
    assert_sound(r);
    assert_all_statuses(r);
}

#[test]
fn switched_scope_keeps_every_invariant_and_reaches_every_status() {
    let r = switched_report();
    assert_sound(r);
    assert_all_statuses(r);
}

#[test]
fn every_row_of_the_table_is_taken() {
    let (d, s, l) = (default_report(), switched_report(), lifecycle_report());
    let missing: Vec<String> = TRANSITIONS
        .iter()
        .enumerate()
        // The lifecycle scope's rollout and schedule take the batch row (decision 28) and
        // the end-behaviour rows (decision 32), its AssociateTargetsWithJob of GROUP1 the
        // row of decision 36.
        .filter(|(i, _)| d.rows[*i] + s.rows[*i] + l.rows[*i] == 0)
        .map(|(_, t)| {
            format!(
                "{} -> {} by {} [{}]",
                t.from.map_or("(new)", S::as_str),
                t.to.map_or("(deleted)", S::as_str),
                t.cause,
                t.condition
            )
        })
        .collect();
    assert!(missing.is_empty(), "rows never taken: {missing:#?}");
    // The switch rows are taken only with the switch on (the edge checks refuse a row
    // whose condition does not hold, so the default run cannot take them).
    let rejected = TRANSITIONS
        .iter()
        .position(|t| t.from == Some(S::InProgress) && t.to == Some(S::Rejected))
        .unwrap();
    assert_eq!(d.rows[rejected], 0);
    assert!(s.rows[rejected] > 0);
}

#[test]
fn no_pending_execution_gets_stuck() {
    assert_not_stuck(default_report());
    assert_not_stuck(switched_report());
}

#[test]
#[ignore = "larger scope: cargo test --release --test exploration -- --ignored --nocapture"]
fn larger_scope() {
    let depth = depth_from_env(5);
    let scopes = [
        Scope {
            name: "larger, default switches",
            depth,
            continuous_retry: true,
            idle_advance: true,
            ..Scope::default_scope()
        },
        Scope {
            name: "larger, both switches",
            depth,
            continuous_retry: true,
            idle_advance: true,
            ..Scope::switched()
        },
        Scope {
            name: "larger, lifecycle",
            depth: depth + 1,
            continuous_retry: true,
            idle_advance: true,
            ..Scope::lifecycle()
        },
    ];
    let reports: Vec<Report> = std::thread::scope(|s| {
        let handles: Vec<_> = scopes
            .iter()
            .map(|&scope| s.spawn(move || explore(scope)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an exploration thread"))
            .collect()
    });
    for r in &reports {
        println!("{r}");
        assert_sound(r);
        assert_all_statuses(r);
        assert_not_stuck(r);
    }
    // Together they take every row of the table.
    let missing: Vec<_> = TRANSITIONS
        .iter()
        .enumerate()
        .filter(|(i, _)| reports.iter().all(|r| r.rows[*i] == 0))
        .map(|(_, t)| format!("{t:?}"))
        .collect();
    assert!(missing.is_empty(), "rows never taken: {missing:#?}");
}
