//! What the lifecycle calls cost at scale (issue 16): a rollout batch against the number of
//! targets waiting, CreateJob and DeleteJob against the number of targets and executions,
//! and the calls that change one target of a large job (a terminal update under
//! `abortConfig`, DeleteThing of a waiting thing, AssociateTargetsWithJob on a rollout).
//!
//! Run: `cargo bench --bench lifecycle` (a filter such as `-- rollout_batch` picks a
//! group). Figures, the machine and what they mean are in docs/performance.md, "Rollout,
//! abort and DeleteJob at scale".
//!
//! With `LIFECYCLE_COUNT=SCENARIO:SIZE:STEPS` set, the binary instead builds the
//! scenario's service for SIZE and makes STEPS of its steps, unmeasured: the harness that
//! docs/performance.md runs under cachegrind, twice with different STEPS, so that building
//! the service cancels out of the difference. SCENARIO is one of [`SCENARIOS`].

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use iot_jobs_spec::wire::control::{
    AddThingToThingGroupRequest, AssociateTargetsWithJobRequest, CreateJobRequest,
    CreateThingGroupRequest, CreateThingRequest, DeleteJobRequest, DeleteThingRequest,
};
use iot_jobs_spec::wire::data::UpdateJobExecutionRequest;
use iot_jobs_spec::{Config, JobExecutionStatus, Request, Service};

fn main() {
    match std::env::var("LIFECYCLE_COUNT") {
        Ok(spec) => count_steps(&spec),
        Err(_) => divan::main(),
    }
}

/// The sizes: targets waiting, targets of a CreateJob, executions of a job.
const SIZES: &[usize] = &[1_000, 10_000, 100_000];

/// The job every scenario makes.
const JOB: &str = "job";

/// The group every scenario's job targets: its N things (a job takes at most 100 target
/// ARNs, so a large job reaches its things through a group).
const ALL: &str = "all";

/// AssociateTargetsWithJob steps: the job has one target (the group [`ALL`]) and takes at
/// most 100.
const ASSOCIATIONS: usize = 90;

/// Members of each group an association adds.
const MEMBERS_PER_ASSOCIATION: usize = 5;

fn thing(i: usize) -> String {
    format!("thing-{i}")
}

fn group_arn(g: &str) -> String {
    format!("arn:aws:iot:us-east-1:123456789012:thinggroup/{g}")
}

fn drain(svc: &mut Service) {
    while svc.poll_message().is_some() {}
}

fn ok(svc: &mut Service, now: u64, r: Request) {
    if let Err(e) = svc.handle(now, r) {
        panic!("setup call refused: {e:?}");
    }
}

fn create_group(svc: &mut Service, name: &str) {
    ok(
        svc,
        0,
        Request::CreateThingGroup(CreateThingGroupRequest {
            thing_group_name: name.into(),
            ..Default::default()
        }),
    );
}

fn add_to_group(svc: &mut Service, t: usize, g: &str) {
    ok(
        svc,
        0,
        Request::AddThingToThingGroup(AddThingToThingGroupRequest {
            thing_group_name: Some(g.into()),
            thing_name: Some(thing(t)),
            ..Default::default()
        }),
    );
}

/// `n` things, all in the group [`ALL`]; no job.
fn fleet(n: usize) -> Service {
    let mut svc = Service::new(Config::default());
    create_group(&mut svc, ALL);
    for i in 0..n {
        ok(
            &mut svc,
            0,
            Request::CreateThing(CreateThingRequest {
                thing_name: thing(i),
                ..Default::default()
            }),
        );
        add_to_group(&mut svc, i, ALL);
    }
    svc
}

/// CreateJob of [`JOB`] over the group [`ALL`].
fn create_job(mut config: serde_json::Value) -> Request {
    config["jobId"] = JOB.into();
    config["targets"] = serde_json::json!([group_arn(ALL)]);
    config["document"] = "{\"op\":\"install\"}".into();
    let r: CreateJobRequest = serde_json::from_value(config).expect("a CreateJob request");
    Request::CreateJob(Box::new(r))
}

/// A rollout of `per_minute` things a minute.
fn rollout(per_minute: usize) -> serde_json::Value {
    serde_json::json!({"jobExecutionsRolloutConfig": {"maximumPerMinute": per_minute}})
}

/// The batch at t0 released, `waiting` things wait for the batch at 60 s.
fn rolling_out(waiting: usize, per_minute: usize) -> Service {
    let mut svc = fleet(per_minute + waiting);
    ok(&mut svc, 0, create_job(rollout(per_minute)));
    drain(&mut svc);
    svc
}

/// A SNAPSHOT job with an in-progress timeout, each of its `n` executions started: `n`
/// executions, each with a timer.
fn started(n: usize) -> Service {
    let mut svc = fleet(n);
    ok(
        &mut svc,
        0,
        create_job(serde_json::json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 10}})),
    );
    for t in 0..n {
        ok(&mut svc, 0, update(t, JobExecutionStatus::InProgress));
    }
    drain(&mut svc);
    svc
}

fn delete_job() -> Request {
    Request::DeleteJob(DeleteJobRequest {
        job_id: JOB.into(),
        force: Some(true),
        namespace_id: None,
    })
}

fn update(t: usize, status: JobExecutionStatus) -> Request {
    Request::UpdateJobExecution(UpdateJobExecutionRequest::new(&thing(t), JOB, status))
}

/// A job with `abortConfig` over `n` QUEUED executions, with criteria that SUCCEEDED
/// executions never meet, so that every terminal update is checked and none aborts.
fn with_abort(n: usize) -> Service {
    let mut svc = fleet(n);
    ok(
        &mut svc,
        0,
        create_job(serde_json::json!({"abortConfig": {"criteriaList": [
            {"failureType": "FAILED", "action": "CANCEL",
             "thresholdPercentage": 50, "minNumberOfExecutedThings": 1},
            {"failureType": "ALL", "action": "CANCEL",
             "thresholdPercentage": 90.5, "minNumberOfExecutedThings": 10}
        ]}})),
    );
    drain(&mut svc);
    svc
}

/// The things the per-change steps name: from the middle of the fleet on, where a search
/// of the rollout list from either end goes furthest. Steps take at most 450 things, each
/// a step of its own (the smallest fleet has 500 from its middle on).
fn middle(n: usize, k: usize) -> usize {
    n / 2 + k
}

/// A CONTINUOUS job rolling out 10 a minute over `n` things in [`ALL`]; groups `g{k}` for
/// the associations, each with [`MEMBERS_PER_ASSOCIATION`] of the waiting things.
fn continuous_rollout(n: usize) -> Service {
    let mut svc = fleet(n);
    for k in 0..ASSOCIATIONS {
        let g = format!("g{k}");
        create_group(&mut svc, &g);
        for m in 0..MEMBERS_PER_ASSOCIATION {
            add_to_group(&mut svc, middle(n, k * MEMBERS_PER_ASSOCIATION + m), &g);
        }
    }
    let mut config = rollout(10);
    config["targetSelection"] = "CONTINUOUS".into();
    ok(&mut svc, 0, create_job(config));
    drain(&mut svc);
    svc
}

fn associate(k: usize) -> Request {
    Request::AssociateTargetsWithJob(AssociateTargetsWithJobRequest {
        targets: vec![group_arn(&format!("g{k}"))],
        job_id: JOB.into(),
        comment: None,
        namespace_id: None,
    })
}

fn delete_thing(t: usize) -> Request {
    Request::DeleteThing(DeleteThingRequest {
        thing_name: thing(t),
        expected_version: None,
    })
}

/// Hands `r` to `svc` at `now`, drains its messages, and checks that it was answered.
fn call(svc: &mut Service, now: u64, r: Request) {
    let out = svc.handle(now, r);
    drain(svc);
    assert!(out.is_ok(), "{out:?}");
    drop(black_box(out));
}

/// The timer that fires the batch after the one at t0, with `waiting` things waiting,
/// `B` a batch.
///
/// Each sample is one call on a service built for it: a clone would hold its vectors at
/// their length, and the first execution the call adds would move the whole arena.
#[divan::bench(args = SIZES, consts = [10, 1000], sample_count = 10, sample_size = 1)]
fn rollout_batch<const B: usize>(bencher: Bencher, waiting: usize) {
    assert_eq!(rolling_out(waiting, B).poll_timeout(), Some(60));
    bencher
        .counter(ItemsCount::new(B))
        .with_inputs(|| rolling_out(waiting, B))
        .bench_local_values(|mut svc| {
            svc.handle_timeout(60);
            drain(&mut svc);
            svc
        });
}

/// CreateJob of a job rolling out 10 a minute over `targets` things: the rollout list is
/// made in one pass and the first batch released (a service built per sample, as above).
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn create_job_with_rollout(bencher: Bencher, targets: usize) {
    bencher
        .counter(ItemsCount::new(targets))
        .with_inputs(|| (fleet(targets), create_job(rollout(10))))
        .bench_local_values(|(mut svc, r)| {
            call(&mut svc, 0, r);
            svc
        });
}

/// DeleteJob with force of a job with `executions` IN_PROGRESS executions, each with a
/// timer; afterwards no timer is left (a service built per sample, as above).
#[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
fn delete_job_force(bencher: Bencher, executions: usize) {
    let mut check = started(executions);
    assert_eq!(check.poll_timeout(), Some(600));
    call(&mut check, 1, delete_job());
    assert_eq!(check.poll_timeout(), None, "DeleteJob left a timer");
    drop(check);
    bencher
        .counter(ItemsCount::new(executions))
        .with_inputs(|| started(executions))
        .bench_local_values(|mut svc| {
            call(&mut svc, 1, delete_job());
            svc
        });
}

/// Per-change calls on one job of `n` things, each call on a thing of its own.
mod one_change {
    use super::*;

    /// Runs `make(k)` for k = 0, 1, ... on `svc`, one per measured call.
    fn each(bencher: Bencher, mut svc: Service, make: impl Fn(usize) -> Request) {
        let mut k = 0;
        bencher.bench_local(|| {
            call(&mut svc, 1, make(k));
            k += 1;
        });
    }

    /// UpdateJobExecution QUEUED to SUCCEEDED on a job with `abortConfig` (decision 30's
    /// check after the change, with the job's counts).
    #[divan::bench(args = SIZES, sample_count = 20, sample_size = 20)]
    fn update_to_terminal_with_abort(bencher: Bencher, n: usize) {
        each(bencher, with_abort(n), |k| {
            update(middle(n, k), JobExecutionStatus::Succeeded)
        });
    }

    /// DeleteThing of a thing waiting in the job's rollout list (about `n` long).
    #[divan::bench(args = SIZES, sample_count = 20, sample_size = 20)]
    fn delete_waiting_thing(bencher: Bencher, n: usize) {
        each(bencher, rolling_out(n, 10), |k| delete_thing(middle(n, k)));
    }

    /// AssociateTargetsWithJob of a group of 5 things waiting in the job's rollout list
    /// (about `n` long): each joins at once and leaves the list.
    #[divan::bench(args = SIZES, sample_count = 18, sample_size = 5)]
    fn associate_waiting_group(bencher: Bencher, n: usize) {
        each(bencher, continuous_rollout(n), associate);
    }
}

/// The scenarios `LIFECYCLE_COUNT` runs: name, what SIZE is, the service for SIZE, and
/// step k.
type Prepare = fn(usize) -> Service;
type Step = fn(&mut Service, usize, usize);

const SCENARIOS: &[(&str, Prepare, Step)] = &[
    // Step k fires the batch at 60 (k + 1) s; SIZE things wait for the first of them.
    (
        "batch10",
        |n| rolling_out(n, 10),
        |svc, _, k| {
            svc.handle_timeout(60 * (k as u64 + 1));
            drain(svc)
        },
    ),
    (
        "batch1000",
        |n| rolling_out(n, 1000),
        |svc, _, k| {
            svc.handle_timeout(60 * (k as u64 + 1));
            drain(svc)
        },
    ),
    // One step: CreateJob over SIZE things, rolling out 10 a minute.
    ("create", fleet, |svc, _, _| {
        call(svc, 0, create_job(rollout(10)))
    }),
    // One step: DeleteJob (force) of SIZE started executions.
    ("delete_job", started, |svc, _, _| {
        call(svc, 1, delete_job());
        assert_eq!(svc.poll_timeout(), None, "DeleteJob left a timer");
    }),
    ("update_abort", with_abort, |svc, n, k| {
        call(svc, 1, update(middle(n, k), JobExecutionStatus::Succeeded))
    }),
    (
        "delete_thing",
        |n| rolling_out(n, 10),
        |svc, n, k| call(svc, 1, delete_thing(middle(n, k))),
    ),
    ("associate", continuous_rollout, |svc, _, k| {
        call(svc, 1, associate(k))
    }),
];

/// `LIFECYCLE_COUNT=SCENARIO:SIZE:STEPS`: see the module docs.
fn count_steps(spec: &str) {
    let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
    let usage = format!("LIFECYCLE_COUNT=SCENARIO:SIZE:STEPS, SCENARIO one of {names:?}");
    let parts: Vec<&str> = spec.split(':').collect();
    let [name, n, steps] = parts[..] else {
        panic!("{usage}")
    };
    let (n, steps): (usize, usize) = match (n.parse(), steps.parse()) {
        (Ok(n), Ok(s)) => (n, s),
        _ => panic!("{usage}"),
    };
    let Some(&(_, prepare, run)) = SCENARIOS.iter().find(|s| s.0 == name) else {
        panic!("{usage}")
    };
    let mut svc = prepare(n);
    for k in 0..steps {
        run(&mut svc, n, k);
    }
    // Not dropped: freeing the service would count too, and how much freeing costs
    // depends on the allocator's state, not on the steps.
    std::mem::forget(black_box(svc));
}
