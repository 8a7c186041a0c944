//! `check` over a large generated trace, against the floor of parsing the same lines into
//! serde_json values and nothing else. Run: `cargo bench --bench check`.
//! `CHECK_BENCH_STEPS` sets the trace length (default 100 000 steps).

use divan::{black_box, Bencher};
use iot_jobs_spec::generate::{Generator, Options};
use iot_jobs_spec::trace::{Checker, Tolerance, Verdict};
use iot_jobs_spec::Config;

fn main() {
    divan::main();
}

fn trace() -> &'static [String] {
    static TRACE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TRACE.get_or_init(|| {
        let steps = std::env::var("CHECK_BENCH_STEPS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(100_000);
        Generator::new(Options {
            seed: 1,
            steps,
            things: 50,
            jobs: 10,
        })
        .collect()
    })
}

/// The floor: every line parsed into a `serde_json::Value`, nothing else.
#[divan::bench(sample_count = 5)]
fn parse_lines_only(bencher: Bencher) {
    let lines = trace();
    bencher.bench(|| {
        for line in lines {
            black_box(serde_json::from_str::<serde_json::Value>(line).unwrap());
        }
    });
}

/// `iot-jobs-spec check`: parse, execute, compare, one line at a time.
#[divan::bench(sample_count = 5)]
fn check_trace(bencher: Bencher) {
    let lines = trace();
    bencher.bench(|| {
        let mut checker = Checker::new(&Config::default(), &Tolerance::default());
        for line in lines {
            let step = checker.read(line).unwrap().unwrap();
            assert_eq!(checker.check_text(&step), Ok(Verdict::Agrees));
        }
    });
}
