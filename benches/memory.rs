//! Memory per execution: the bytes a service holds (live heap, counted by a wrapping
//! allocator) before and after queuing N executions. Run: `cargo bench --bench memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use iot_jobs_spec::wire::control::{CreateJobRequest, CreateThingRequest};
use iot_jobs_spec::{Config, Request, Service};

struct Counting;

static LIVE: AtomicU64 = AtomicU64::new(0);

// The project's only unsafe code, in this benchmark binary alone (the library and the CLI
// forbid it): a wrapper that counts bytes and forwards every call to the system allocator
// unchanged, so the allocator's own contract is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn resident_bytes() -> Option<u64> {
    Some(LIVE.load(Ordering::Relaxed))
}

fn main() {
    const THINGS: usize = 100_000;
    const JOBS: usize = 10;
    let mut svc = Service::new(Config::default());
    for i in 0..THINGS {
        let r = Request::CreateThing(CreateThingRequest {
            thing_name: format!("thing-{i}"),
            ..Default::default()
        });
        svc.handle(0, r).unwrap();
    }
    let targets: Vec<String> = (0..THINGS)
        .map(|i| format!("arn:aws:iot:us-east-1:123456789012:thing/thing-{i}"))
        .collect();
    let before = resident_bytes();
    for j in 0..JOBS {
        let r = Request::CreateJob(Box::new(CreateJobRequest {
            job_id: format!("job-{j}"),
            targets: targets.clone(),
            // A 4 KiB document: kept once per job, never copied per execution.
            document: Some(format!("{{\"blob\":\"{}\"}}", "x".repeat(4096))),
            ..Default::default()
        }));
        svc.handle(0, r).unwrap();
        while svc.poll_message().is_some() {}
    }
    let after = resident_bytes();
    match (before, after) {
        (Some(b), Some(a)) => {
            let n = (THINGS * JOBS) as u64;
            println!(
                "{n} executions: {} MiB live heap for them, {} bytes per execution",
                (a.saturating_sub(b)) >> 20,
                a.saturating_sub(b) / n
            );
        }
        _ => println!("memory not measured"),
    }
}
