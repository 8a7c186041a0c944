//! Strategies for whole scenarios: a small fleet (things, groups with members, jobs with
//! their timers and retry configurations), then a sequence of operations on it.
//!
//! Everything here is plain data with `Debug`: names are small indices (`thing: 0` is
//! `t1`), values that depend on the state (the right `expectedVersion`, the newest
//! execution number, the next deadline) are symbolic and resolved when the operation is
//! applied ([`super::transitions`]). Shrinking therefore removes operations and lowers
//! indices, and a counterexample reads as a short list of calls.

use iot_jobs_spec::{RetryableFailureType, TargetSelection};
use proptest::collection::vec;
use proptest::prelude::*;

/// At most this many things in a fleet (`t1`..`t3`). Operations name the fleet's things,
/// and now and then the first that does not exist (`t3` in a fleet of two, `t4`).
pub const MAX_THINGS: u8 = 3;
/// At most this many groups (`g1`, `g2`); likewise one past the last is named sometimes.
pub const MAX_GROUPS: u8 = 2;
/// At most this many jobs (`j1`..`j3`) in the ordinary scenarios.
pub const MAX_JOBS: u8 = 3;

/// A job target: a thing or a group, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `tN`.
    Thing(u8),
    /// `gN`.
    Group(u8),
}

/// How a job is created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSpec {
    /// At least one; a target the fleet lacks falls back to `t1`.
    pub targets: Vec<Target>,
    /// `None`: the member is left out (SNAPSHOT by default).
    pub selection: Option<TargetSelection>,
    /// `timeoutConfig.inProgressTimeoutInMinutes`.
    pub in_progress_minutes: Option<i64>,
    /// `jobExecutionsRetryConfig.criteriaList`; empty: no retry configuration.
    pub retry: Vec<(RetryableFailureType, i32)>,
}

/// The registry and the jobs a scenario starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fleet {
    /// How many things (`t1`..).
    pub things: u8,
    /// Per group (`g1`..), its members by thing index.
    pub groups: Vec<Vec<u8>>,
    /// Per job (`j1`..), how it is created.
    pub jobs: Vec<JobSpec>,
}

/// A whole scenario: the fleet, then the operations.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Built first, by ordinary calls.
    pub fleet: Fleet,
    /// Then these, in order.
    pub ops: Vec<Op>,
}

/// A status as the request spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum St {
    Queued,
    InProgress,
    Succeeded,
    Failed,
    TimedOut,
    Rejected,
    Removed,
    Canceled,
    /// `"DONE"`: not a status at all.
    Bogus,
}

impl St {
    /// The JSON string sent.
    pub fn as_str(self) -> &'static str {
        match self {
            St::Queued => "QUEUED",
            St::InProgress => "IN_PROGRESS",
            St::Succeeded => "SUCCEEDED",
            St::Failed => "FAILED",
            St::TimedOut => "TIMED_OUT",
            St::Rejected => "REJECTED",
            St::Removed => "REMOVED",
            St::Canceled => "CANCELED",
            St::Bogus => "DONE",
        }
    }
}

/// `expectedVersion`, resolved against the execution the call names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// Left out.
    Absent,
    /// The execution's versionNumber.
    Right,
    /// The versionNumber plus this (never 0).
    Wrong(i64),
}

/// An `executionNumber`, resolved against the executions of the job on the thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecNum {
    /// The highest number (1 when there is none).
    Newest,
    /// The lowest number (1 when there is none).
    Oldest,
    /// One more than the highest plus four: never exists.
    Missing,
}

/// `statusDetails`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Details {
    /// Left out.
    Absent,
    /// `{}`.
    Empty,
    /// A small valid map, one of a few shapes.
    Map(u8),
    /// A map that breaks decision 11 (a bad key, an empty value).
    Invalid(u8),
}

/// The (thing, job) a call names: by index, or the k-th (modulo) existing execution, so
/// that most calls reach an execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exec {
    /// `tN`, `jM`, whether or not the job has an execution there.
    Pair { thing: u8, job: u8 },
    /// The thing and job of the k-th pending execution (else as `Any`).
    Pending(u8),
    /// The thing and job of the k-th execution (else `t1`, `j1`).
    Any(u8),
}

/// A request whose JSON is wrong in one way: a wrong type, a missing member, a bad name or
/// id, an out-of-range number, an unknown target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// UpdateJobExecution with `"expectedVersion": "1"` (a string over HTTP).
    UpdateVersionAsString { thing: u8, job: u8 },
    /// UpdateJobExecution with `"stepTimeoutInMinutes": 2.0`.
    UpdateStepAsFloat { thing: u8, job: u8 },
    /// UpdateJobExecution without `status`.
    UpdateNoStatus { thing: u8, job: u8 },
    /// UpdateJobExecution with `"status": 3`.
    UpdateStatusNumber { thing: u8, job: u8 },
    /// UpdateJobExecution with `"jobId": "$next"`.
    UpdateNextJob { thing: u8 },
    /// UpdateJobExecution with `"thingName": "bad name"`.
    UpdateBadThingName { job: u8 },
    /// UpdateJobExecution with `"statusDetails": null` and an unknown member: valid.
    UpdateNullDetailsUnknownMember { thing: u8, job: u8 },
    /// DescribeJobExecution with `"jobId": "j 1"`.
    DescribeBadJobId { thing: u8 },
    /// DescribeJobExecution with `"includeJobDocument": "yes"`.
    DescribeDocumentFlagString { thing: u8, job: u8 },
    /// GetPendingJobExecutions with `"thingName": 7`.
    GetPendingThingNumber,
    /// StartNextPendingJobExecution with `"statusDetails": []`.
    StartNextDetailsArray { thing: u8 },
    /// CancelJob with `"force": "true"`.
    CancelJobForceString { job: u8 },
    /// CancelJobExecution with `"expectedVersion": 1.5`.
    CancelExecutionVersionFloat { thing: u8, job: u8 },
    /// DeleteJobExecution without `executionNumber`.
    DeleteNoNumber { thing: u8, job: u8 },
    /// ListJobExecutionsForThing with `"nextToken": "abc"`.
    ListBadToken { thing: u8 },
    /// ListJobExecutionsForJob with `"maxResults": 0`.
    ListMaxResultsZero { job: u8 },
    /// CreateJob with two criteria of the same failure type.
    CreateJobDuplicateCriteria,
    /// CreateJob reusing `j1`.
    CreateJobExistingId,
    /// CreateJob targeting a thing that does not exist.
    CreateJobUnknownTarget,
    /// AddThingToThingGroup with neither thingName nor thingArn.
    AddNoThing { group: u8 },
}

/// One operation of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    // The registry and jobs (setup, and now and then later).
    CreateThing {
        thing: u8,
    },
    CreateThingGroup {
        group: u8,
    },
    CreateJob {
        job: u8,
        spec: JobSpec,
    },
    AddThingToThingGroup {
        thing: u8,
        group: u8,
    },
    RemoveThingFromThingGroup {
        thing: u8,
        group: u8,
    },
    DeleteThing {
        thing: u8,
    },
    // The device.
    Update {
        exec: Exec,
        status: St,
        version: Version,
        step_minutes: Option<i64>,
        details: Details,
        execution: Option<ExecNum>,
        include_state: bool,
    },
    StartNext {
        thing: u8,
        step_minutes: Option<i64>,
        details: Details,
    },
    /// The data plane's DescribeJobExecution; `next`: `$next` on the execution's thing.
    Describe {
        exec: Exec,
        next: bool,
        execution: Option<ExecNum>,
        include_document: Option<bool>,
    },
    GetPending {
        thing: u8,
    },
    // The operator.
    CancelJob {
        job: u8,
        force: Option<bool>,
    },
    CancelJobExecution {
        exec: Exec,
        force: Option<bool>,
        version: Version,
        details: Details,
    },
    DeleteJobExecution {
        exec: Exec,
        execution: ExecNum,
        force: Option<bool>,
    },
    ControlDescribe {
        exec: Exec,
        execution: Option<ExecNum>,
    },
    ListForThing {
        thing: u8,
        status: Option<St>,
        max_results: Option<i32>,
    },
    ListForJob {
        job: u8,
        status: Option<St>,
        max_results: Option<i32>,
    },
    DescribeJob {
        job: u8,
    },
    // The clock.
    /// Moves the clock on by this many seconds.
    Advance {
        seconds: u64,
    },
    /// Moves the clock to the next deadline plus `offset` (-1, 0 or 1); a minute on when
    /// no timer runs.
    AdvanceToDeadline {
        offset: i8,
    },
    Malformed(Malformed),
}

/// The calls that build `fleet`, in order: things, groups and their members, jobs.
pub fn setup(fleet: &Fleet) -> Vec<Op> {
    let mut ops = Vec::new();
    for t in 0..fleet.things {
        ops.push(Op::CreateThing { thing: t });
    }
    for (g, members) in fleet.groups.iter().enumerate() {
        let group = g as u8;
        ops.push(Op::CreateThingGroup { group });
        for &m in members {
            ops.push(Op::AddThingToThingGroup { thing: m, group });
        }
    }
    for (j, spec) in fleet.jobs.iter().enumerate() {
        ops.push(Op::CreateJob {
            job: j as u8,
            spec: spec.clone(),
        });
    }
    ops
}

/// How many things, groups and jobs the fleet has: indices are drawn mostly below these,
/// now and then at the first index that does not exist.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub things: u8,
    pub groups: u8,
    pub jobs: u8,
}

fn ix(n: u8) -> BoxedStrategy<u8> {
    if n == 0 {
        Just(0).boxed()
    } else {
        prop_oneof![15 => 0..n, 1 => Just(n)].boxed()
    }
}

fn device_status() -> impl Strategy<Value = St> {
    prop_oneof![
        10 => Just(St::InProgress),
        6 => Just(St::Succeeded),
        6 => Just(St::Failed),
        2 => Just(St::Rejected),
        1 => Just(St::Queued),
        1 => Just(St::TimedOut),
        1 => Just(St::Canceled),
        1 => Just(St::Removed),
        1 => Just(St::Bogus),
    ]
}

fn any_status() -> impl Strategy<Value = St> {
    prop_oneof![
        Just(St::Queued),
        Just(St::InProgress),
        Just(St::Succeeded),
        Just(St::Failed),
        Just(St::TimedOut),
        Just(St::Rejected),
        Just(St::Removed),
        Just(St::Canceled),
    ]
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![
        5 => Just(Version::Absent),
        4 => Just(Version::Right),
        2 => prop_oneof![Just(-1i64), Just(1i64), Just(5i64)].prop_map(Version::Wrong),
    ]
}

/// `stepTimeoutInMinutes`: mostly absent or short, sometimes -1, and the invalid 0, -2,
/// 10081 (and the largest valid value).
fn step_minutes() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        12 => Just(None),
        8 => (1i64..=3).prop_map(Some),
        2 => Just(Some(-1)),
        1 => prop_oneof![Just(0i64), Just(-2), Just(10_081)].prop_map(Some),
        1 => Just(Some(10_080)),
    ]
}

fn details() -> impl Strategy<Value = Details> {
    prop_oneof![
        12 => Just(Details::Absent),
        1 => Just(Details::Empty),
        5 => (0u8..3).prop_map(Details::Map),
        1 => (0u8..3).prop_map(Details::Invalid),
    ]
}

fn exec_num() -> impl Strategy<Value = ExecNum> {
    prop_oneof![
        2 => Just(ExecNum::Newest),
        2 => Just(ExecNum::Oldest),
        1 => Just(ExecNum::Missing),
    ]
}

fn opt_exec_num() -> impl Strategy<Value = Option<ExecNum>> {
    prop_oneof![6 => Just(None), 3 => exec_num().prop_map(Some)]
}

fn force() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![Just(None), Just(Some(false)), Just(Some(true))]
}

fn max_results() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![3 => Just(None), 1 => (1i32..=3).prop_map(Some)]
}

fn malformed(z: Sizes) -> impl Strategy<Value = Malformed> {
    use Malformed as M;
    let thing_ix = || ix(z.things);
    let job_ix = || ix(z.jobs);
    let group_ix = || ix(z.groups);
    prop_oneof![
        (thing_ix(), job_ix()).prop_map(|(thing, job)| M::UpdateVersionAsString { thing, job }),
        (thing_ix(), job_ix()).prop_map(|(thing, job)| M::UpdateStepAsFloat { thing, job }),
        (thing_ix(), job_ix()).prop_map(|(thing, job)| M::UpdateNoStatus { thing, job }),
        (thing_ix(), job_ix()).prop_map(|(thing, job)| M::UpdateStatusNumber { thing, job }),
        thing_ix().prop_map(|thing| M::UpdateNextJob { thing }),
        job_ix().prop_map(|job| M::UpdateBadThingName { job }),
        (thing_ix(), job_ix())
            .prop_map(|(thing, job)| M::UpdateNullDetailsUnknownMember { thing, job }),
        thing_ix().prop_map(|thing| M::DescribeBadJobId { thing }),
        (thing_ix(), job_ix())
            .prop_map(|(thing, job)| M::DescribeDocumentFlagString { thing, job }),
        Just(M::GetPendingThingNumber),
        thing_ix().prop_map(|thing| M::StartNextDetailsArray { thing }),
        job_ix().prop_map(|job| M::CancelJobForceString { job }),
        (thing_ix(), job_ix())
            .prop_map(|(thing, job)| M::CancelExecutionVersionFloat { thing, job }),
        (thing_ix(), job_ix()).prop_map(|(thing, job)| M::DeleteNoNumber { thing, job }),
        thing_ix().prop_map(|thing| M::ListBadToken { thing }),
        job_ix().prop_map(|job| M::ListMaxResultsZero { job }),
        Just(M::CreateJobDuplicateCriteria),
        Just(M::CreateJobExistingId),
        Just(M::CreateJobUnknownTarget),
        group_ix().prop_map(|group| M::AddNoThing { group }),
    ]
}

/// One operation after setup, weighted towards the device calls that move executions.
pub fn op(z: Sizes) -> impl Strategy<Value = Op> {
    let thing_ix = || ix(z.things);
    let job_ix = || ix(z.jobs);
    let group_ix = || ix(z.groups);
    let exec = move || {
        prop_oneof![
            2 => (ix(z.things), ix(z.jobs)).prop_map(|(thing, job)| Exec::Pair { thing, job }),
            3 => (0u8..4).prop_map(Exec::Pending),
            1 => (0u8..8).prop_map(Exec::Any),
        ]
    };
    let update = (
        (exec(), device_status(), version()),
        (step_minutes(), details(), opt_exec_num(), any::<bool>()),
    )
        .prop_map(
            |((exec, status, version), (step_minutes, details, execution, include_state))| {
                Op::Update {
                    exec,
                    status,
                    version,
                    step_minutes,
                    details,
                    execution,
                    include_state,
                }
            },
        );
    let start_next = (
        thing_ix(),
        prop_oneof![
            10 => Just(None),
            5 => (1i64..=3).prop_map(Some),
            1 => prop_oneof![Just(-1i64), Just(0)].prop_map(Some),
        ],
        details(),
    )
        .prop_map(|(thing, step_minutes, details)| Op::StartNext {
            thing,
            step_minutes,
            details,
        });
    let describe = (
        exec(),
        prop_oneof![3 => Just(false), 2 => Just(true)],
        opt_exec_num(),
        prop_oneof![Just(None), Just(Some(false)), Just(Some(true))],
    )
        .prop_map(|(exec, next, execution, include_document)| Op::Describe {
            exec,
            next,
            execution,
            include_document,
        });
    let cancel_execution =
        (exec(), force(), version(), details()).prop_map(|(exec, force, version, details)| {
            Op::CancelJobExecution {
                exec,
                force,
                version,
                details,
            }
        });
    let delete_execution =
        (exec(), exec_num(), force()).prop_map(|(exec, execution, force)| Op::DeleteJobExecution {
            exec,
            execution,
            force,
        });
    prop_oneof![
        30 => update,
        8 => start_next,
        5 => describe,
        3 => thing_ix().prop_map(|thing| Op::GetPending { thing }),
        2 => (job_ix(), force()).prop_map(|(job, force)| Op::CancelJob { job, force }),
        4 => cancel_execution,
        4 => delete_execution,
        4 => (thing_ix(), group_ix())
            .prop_map(|(thing, group)| Op::AddThingToThingGroup { thing, group }),
        4 => (thing_ix(), group_ix())
            .prop_map(|(thing, group)| Op::RemoveThingFromThingGroup { thing, group }),
        1 => thing_ix().prop_map(|thing| Op::DeleteThing { thing }),
        1 => thing_ix().prop_map(|thing| Op::CreateThing { thing }),
        3 => (exec(), opt_exec_num())
            .prop_map(|(exec, execution)| Op::ControlDescribe { exec, execution }),
        2 => (thing_ix(), proptest::option::of(any_status()), max_results()).prop_map(
            |(thing, status, max_results)| Op::ListForThing { thing, status, max_results }
        ),
        2 => (job_ix(), proptest::option::of(any_status()), max_results()).prop_map(
            |(job, status, max_results)| Op::ListForJob { job, status, max_results }
        ),
        2 => job_ix().prop_map(|job| Op::DescribeJob { job }),
        6 => prop_oneof![1u64..=20, 21u64..=90, Just(600u64)]
            .prop_map(|seconds| Op::Advance { seconds }),
        6 => (-1i8..=1).prop_map(|offset| Op::AdvanceToDeadline { offset }),
        3 => malformed(z).prop_map(Op::Malformed),
    ]
}

fn retry_criteria() -> impl Strategy<Value = Vec<(RetryableFailureType, i32)>> {
    use RetryableFailureType as F;
    prop_oneof![
        3 => Just(Vec::new()),
        2 => (prop_oneof![Just(F::All), Just(F::Failed), Just(F::TimedOut)], 0i32..=3)
            .prop_map(|c| vec![c]),
        2 => (
            prop_oneof![
                Just((F::Failed, F::TimedOut)),
                Just((F::Failed, F::All)),
                Just((F::TimedOut, F::All)),
            ],
            0i32..=3,
            0i32..=3,
        )
            .prop_map(|((a, b), n, m)| vec![(a, n), (b, m)]),
    ]
}

/// A job of a fleet of `things` things and `groups` groups; with `focus`, `t1` is always
/// among its targets (so that many jobs pile up on one thing).
fn job_spec(things: u8, groups: u8, focus: bool) -> impl Strategy<Value = JobSpec> {
    let target = if groups == 0 {
        (0..things).prop_map(Target::Thing).boxed()
    } else {
        prop_oneof![
            (0..things).prop_map(Target::Thing),
            (0..groups).prop_map(Target::Group),
        ]
        .boxed()
    };
    let targets = if focus {
        vec(target, 0..=2)
            .prop_map(|mut t| {
                t.insert(0, Target::Thing(0));
                t
            })
            .boxed()
    } else {
        vec(target, 1..=3).boxed()
    };
    (
        targets,
        prop_oneof![
            Just(None),
            Just(Some(TargetSelection::Snapshot)),
            Just(Some(TargetSelection::Continuous)),
        ],
        prop_oneof![2 => Just(None), 2 => (1i64..=4).prop_map(Some), 1 => Just(Some(10_080))],
        retry_criteria(),
    )
        .prop_map(|(targets, selection, in_progress_minutes, retry)| JobSpec {
            targets,
            selection,
            in_progress_minutes,
            retry,
        })
}

/// 2-3 things, 0-2 groups with members, 1 to `max_jobs` jobs; with more than
/// [`MAX_JOBS`], 10 to `max_jobs` jobs that all target `t1`.
pub fn fleet(max_jobs: u8) -> impl Strategy<Value = Fleet> {
    let many = max_jobs > MAX_JOBS;
    let jobs = if many {
        10.min(usize::from(max_jobs))..=usize::from(max_jobs)
    } else {
        1..=usize::from(max_jobs)
    };
    (2u8..=MAX_THINGS, 0u8..=MAX_GROUPS)
        .prop_flat_map(move |(things, groups)| {
            (
                Just(things),
                vec(
                    vec(0..things, 0..=things as usize).prop_map(|mut m| {
                        m.sort_unstable();
                        m.dedup();
                        m
                    }),
                    groups as usize,
                ),
                vec(job_spec(things, groups, many), jobs.clone()),
            )
        })
        .prop_map(|(things, groups, jobs)| Fleet {
            things,
            groups,
            jobs,
        })
}

/// A fleet of 1-3 jobs and up to `max_ops` operations.
pub fn scenario(max_ops: usize) -> impl Strategy<Value = Scenario> {
    scenario_with(max_ops, MAX_JOBS)
}

/// A fleet of 1 to `max_jobs` jobs and up to `max_ops` operations. With more than ten
/// jobs a thing can have more pending executions than GetPendingJobExecutions and
/// `notify` list (decision 14).
pub fn scenario_with(max_ops: usize, max_jobs: u8) -> impl Strategy<Value = Scenario> {
    fleet(max_jobs).prop_flat_map(move |fleet| {
        let z = Sizes {
            things: fleet.things,
            groups: fleet.groups.len() as u8,
            jobs: fleet.jobs.len() as u8,
        };
        (Just(fleet), vec(op(z), 0..=max_ops)).prop_map(|(fleet, ops)| Scenario { fleet, ops })
    })
}
