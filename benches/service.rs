//! What the oracle costs per call, on fleets of 1k, 100k and 1M executions.
//!
//! Run: `cargo bench --bench service`. With `SERVICE_BENCH_FLEETS=1000000` (executions,
//! comma-separated) the per-call benchmarks build only the fleets listed, and a filter such
//! as `-- same_100_things::get_pending` picks one benchmark, so that each measurement can
//! have a fresh process. Figures and the machine are in docs/performance.md.
//!
//! With `COUNT_CALLS=CALL:FLEET:CALLS` set (CALL one of `update`, `start`, `describe`,
//! `pending`), the binary instead builds the fleet and makes CALLS calls of the like-for-
//! like set, unmeasured: the harness docs/performance.md runs under cachegrind to count
//! instructions and misses per call.

use divan::{black_box, Bencher};
use iot_jobs_spec::wire::control::{CreateJobRequest, CreateThingRequest};
use iot_jobs_spec::wire::data::{
    DescribeJobExecutionRequest, GetPendingJobExecutionsRequest,
    StartNextPendingJobExecutionRequest, UpdateJobExecutionRequest,
};
use iot_jobs_spec::{Config, JobExecutionStatus, Request, Service};

fn main() {
    match std::env::var("COUNT_CALLS") {
        Ok(spec) => count_calls(&spec),
        Err(_) => divan::main(),
    }
}

/// `COUNT_CALLS=CALL:FLEET:CALLS`: see the module docs.
fn count_calls(spec: &str) {
    let usage = "COUNT_CALLS=update|start|describe|pending:FLEET:CALLS";
    let parts: Vec<&str> = spec.split(':').collect();
    let [call, n, calls] = parts[..] else {
        panic!("{usage}")
    };
    let n: usize = n.parse().expect(usage);
    let calls: usize = calls.parse().expect(usage);
    let make = match call {
        "update" => progress,
        "start" => start_next,
        "describe" => describe_next,
        "pending" => get_pending,
        _ => panic!("{usage}"),
    };
    let requests = requests(100, n, make);
    let mut svc = fleet(n, None);
    for k in 0..calls {
        black_box(svc.handle(1, requests[k % requests.len()].clone())).ok();
        while svc.poll_message().is_some() {}
    }
}

const SIZES: &[usize] = &[1_000, 100_000, 1_000_000];

/// The fleets the per-call benchmarks build: [`SIZES`], or the executions
/// `SERVICE_BENCH_FLEETS` lists (comma-separated), so that each size can be measured in a
/// fresh process of its own: the benchmarks before it leave the allocator in a state that
/// has more to do with them than with the fleet (docs/performance.md).
fn fleet_sizes() -> Vec<usize> {
    match std::env::var("SERVICE_BENCH_FLEETS") {
        Ok(list) => list
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("SERVICE_BENCH_FLEETS: comma-separated execution counts")
            })
            .collect(),
        Err(_) => SIZES.to_vec(),
    }
}
const JOBS: usize = 10;
/// Unmeasured passes over the requests before measuring (see [`round_robin`]).
const WARM_UP_PASSES: usize = 10;

fn thing(i: usize) -> String {
    format!("thing-{i}")
}

fn job(j: usize) -> String {
    format!("job-{j}")
}

/// `executions / JOBS` things, each targeted by JOBS jobs; every execution QUEUED.
fn fleet(executions: usize, in_progress_minutes: Option<i64>) -> Service {
    let mut svc = Service::new(Config::default());
    let things = executions / JOBS;
    for i in 0..things {
        svc.handle(
            0,
            Request::CreateThing(CreateThingRequest {
                thing_name: thing(i),
                ..Default::default()
            }),
        )
        .unwrap();
    }
    let targets: Vec<String> = (0..things)
        .map(|i| format!("arn:aws:iot:us-east-1:123456789012:thing/{}", thing(i)))
        .collect();
    for j in 0..JOBS {
        svc.handle(
            0,
            Request::CreateJob(Box::new(CreateJobRequest {
                job_id: job(j),
                targets: targets.clone(),
                document: Some("{\"op\":\"install\"}".into()),
                timeout_config: in_progress_minutes.map(|m| {
                    iot_jobs_spec::wire::control::TimeoutConfig {
                        in_progress_timeout_in_minutes: Some(m),
                    }
                }),
                ..Default::default()
            })),
        )
        .unwrap();
    }
    while svc.poll_message().is_some() {}
    svc
}

/// Hands `requests` to `svc` in turn, at time 1, draining what it publishes. Ten passes
/// run first, unmeasured: the first makes the first-time changes (an update's QUEUED to
/// IN_PROGRESS, StartNext's start) so that every measured call is the same kind of call,
/// and all of them bring the working set into the caches, so the figure is the steady
/// cost of a call (docs/performance.md gives the cold one too).
fn round_robin(bencher: Bencher, mut svc: Service, requests: Vec<Request>) {
    for _ in 0..WARM_UP_PASSES {
        for r in &requests {
            black_box(svc.handle(1, r.clone())).ok();
            while svc.poll_message().is_some() {}
        }
    }
    let mut k = 0;
    bencher.bench_local(|| {
        let r = requests[k % requests.len()].clone();
        k += 1;
        let out = svc.handle(1, r);
        while svc.poll_message().is_some() {}
        // Dropped here, as a driver drops each answer: returned, divan would keep the
        // sample's answers alive until it ends, and the benchmark would measure the
        // allocator finding room for thousands of them.
        drop(black_box(out));
    });
}

fn update(t: usize, j: usize, status: JobExecutionStatus) -> Request {
    Request::UpdateJobExecution(UpdateJobExecutionRequest::new(&thing(t), &job(j), status))
}

/// An IN_PROGRESS progress report.
fn progress(t: usize, j: usize) -> Request {
    update(t, j, JobExecutionStatus::InProgress)
}

fn start_next(t: usize, _: usize) -> Request {
    Request::StartNextPendingJobExecution(StartNextPendingJobExecutionRequest {
        thing_name: thing(t),
        ..Default::default()
    })
}

fn describe_next(t: usize, _: usize) -> Request {
    Request::DescribeJobExecution(DescribeJobExecutionRequest {
        job_id: "$next".into(),
        thing_name: thing(t),
        ..Default::default()
    })
}

fn get_pending(t: usize, _: usize) -> Request {
    Request::GetPendingJobExecutions(GetPendingJobExecutionsRequest {
        thing_name: thing(t),
    })
}

/// The 1 000 requests a benchmark hands round: `make(thing, job)` for `things` distinct
/// things spread evenly over the fleet of `n` executions (fewer when the fleet has fewer
/// things), each with every job in turn.
///
/// 100 things is the like-for-like comparison: the 1k fleet has 100 things, so at every
/// size the requests name 100 things and 1 000 (thing, job) pairs, and only the fleet
/// around them grows. 1 000 things spreads them over ten times as many things at 100k and
/// 1M: a working set larger than the processor's caches and address translation buffers
/// (docs/performance.md).
fn requests(things: usize, n: usize, make: impl Fn(usize, usize) -> Request) -> Vec<Request> {
    let distinct = things.min(n / JOBS);
    let stride = (n / JOBS) / distinct;
    (0..1000)
        .map(|k| make((k % distinct) * stride, (k / distinct) % JOBS))
        .collect()
}

/// The four per-call benchmarks, for one set of requests: each builds its fleet and hands
/// the set round ([`round_robin`]). One module per set, so that a filter can pick one
/// benchmark (`same_100_things::get_pending`) and, with `SERVICE_BENCH_FLEETS`, one fleet,
/// and each measurement can have a process of its own.
macro_rules! per_call {
    ($($(#[$doc:meta])* $set:ident: $things:literal;)*) => {$(
        $(#[$doc])*
        mod $set {
            use super::*;

            /// IN_PROGRESS to IN_PROGRESS progress reports.
            #[divan::bench(args = fleet_sizes(), sample_count = 50, sample_size = 2000)]
            fn update_job_execution(bencher: Bencher, n: usize) {
                round_robin(bencher, fleet(n, None), requests($things, n, progress));
            }

            /// StartNextPendingJobExecution on things whose head is IN_PROGRESS after the
            /// first call.
            #[divan::bench(args = fleet_sizes(), sample_count = 50, sample_size = 2000)]
            fn start_next_pending_job_execution(bencher: Bencher, n: usize) {
                round_robin(bencher, fleet(n, None), requests($things, n, start_next));
            }

            /// DescribeJobExecution of `$next`.
            #[divan::bench(args = fleet_sizes(), sample_count = 50, sample_size = 2000)]
            fn describe_job_execution_next(bencher: Bencher, n: usize) {
                round_robin(bencher, fleet(n, None), requests($things, n, describe_next));
            }

            /// GetPendingJobExecutions (ten pending executions per thing).
            #[divan::bench(args = fleet_sizes(), sample_count = 50, sample_size = 2000)]
            fn get_pending_job_executions(bencher: Bencher, n: usize) {
                round_robin(bencher, fleet(n, None), requests($things, n, get_pending));
            }
        }
    )*};
}

per_call! {
    /// The same 100 things at every size (like for like).
    same_100_things: 100;
    /// 1 000 things spread over the fleet.
    spread_1000_things: 1000;
}

/// Firing N due in-progress timers in one clock advance.
#[divan::bench(args = [1_000, 100_000], sample_count = 5)]
fn fire_due_timers(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| {
            let mut svc = fleet(n, Some(1));
            for t in 0..n / JOBS {
                for j in 0..JOBS {
                    svc.handle(0, update(t, j, JobExecutionStatus::InProgress))
                        .unwrap();
                }
            }
            while svc.poll_message().is_some() {}
            svc
        })
        .bench_local_values(|mut svc| {
            svc.handle_timeout(61);
            while svc.poll_message().is_some() {}
            svc
        });
}
