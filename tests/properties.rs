//! Property-based verification of the specification: random fleets and random sequences of
//! device calls, operator calls, clock moves and malformed requests, with the invariants
//! of `properties/invariants.rs` checked after every step.
//!
//! Layout (one concern per file, as in Firezone's tunnel tests):
//! - `properties/strategies.rs`: scenarios as plain data (a fleet, then operations);
//! - `properties/transitions.rs`: applying an operation to a `Service`;
//! - `properties/invariants.rs`: what must hold after every step;
//! - `properties/trace_out.rs`: a scenario as a trace file, for `cargo run -- check FILE`.
//!
//! The default run is small (`cargo test --test properties`). `PROPTEST_CASES` sets the
//! number of cases of every test here. Larger explorations, with longer sequences, are
//! behind `#[ignore]`:
//!
//! ```text
//! PROPTEST_CASES=5000 cargo test --release --test properties -- --ignored
//! ```
//!
//! A failing case prints the shrunk scenario, the invariant it breaks, and the path of a
//! trace of it (under `target/proptest-traces/`) whose last comment names the violation;
//! `cargo run -- check PATH` replays it. Proptest records the failing seed in
//! `proptest-regressions/properties.txt` (committed), and replays it first from then on.

mod common;
mod properties {
    pub mod invariants;
    pub mod strategies;
    pub mod trace_out;
    pub mod transitions;
}

use iot_jobs_spec::{Config, Service};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use properties::invariants::Checker;
use properties::strategies::{scenario, scenario_with, setup, Op, Scenario};
use properties::{trace_out, transitions};

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/properties.txt"
);

/// Operations per scenario after the setup, in the default and the large runs.
const OPS: usize = 40;
const BIG_OPS: usize = 100;
/// Jobs in the fleets that can put more than ten executions on one thing.
const MANY_JOBS: u8 = 12;

/// `default_cases` unless `PROPTEST_CASES` says otherwise.
fn config(default_cases: u32) -> ProptestConfig {
    let base = ProptestConfig::default();
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        base.cases
    } else {
        default_cases
    };
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..base
    }
}

fn all_ops(s: &Scenario) -> Vec<Op> {
    let mut ops = setup(&s.fleet);
    ops.extend(s.ops.iter().cloned());
    ops
}

/// Runs the scenario, checking every invariant after every step. On a violation, writes
/// the trace (with the violation as a comment on its step) and fails naming its path.
fn check_invariants(name: &str, s: &Scenario) -> Result<(), TestCaseError> {
    let ops = all_ops(s);
    let mut svc = Service::new(Config::default());
    let mut checker = Checker::new();
    let mut outcomes = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let before = svc.clone();
        let outcome = transitions::apply(&mut svc, op);
        let verdict = checker.step(&before, &svc, &outcome);
        outcomes.push(outcome);
        if let Err(why) = verdict {
            let lines = trace_out::lines(&ops[..=i], &outcomes, Some((i, &why)));
            let path = trace_out::write(name, &lines);
            return Err(TestCaseError::fail(format!(
                "step {i} ({op:?}) at t={}: {why}\n  trace: {path}\n  \
                 replay: cargo run -- check {path}",
                svc.now()
            )));
        }
    }
    Ok(())
}

/// The same operations on two fresh services give byte-identical answers and messages,
/// and equal services.
fn check_determinism(s: &Scenario) -> Result<(), TestCaseError> {
    let ops = all_ops(s);
    let (svc1, out1) = transitions::run(&ops);
    let (svc2, out2) = transitions::run(&ops);
    for (i, (a, b)) in out1.iter().zip(&out2).enumerate() {
        let (a, b) = (a.transcript(), b.transcript());
        prop_assert_eq!(a, b, "step {} ({:?}) differs between two runs", i, ops[i]);
    }
    prop_assert!(svc1 == svc2, "two runs end in different services");
    Ok(())
}

/// The scenario written as a trace, outputs and events filled in by the specification,
/// agrees with a fresh `Replay` at every step.
fn check_trace(name: &str, s: &Scenario) -> Result<(), TestCaseError> {
    let ops = all_ops(s);
    let (_, outcomes) = transitions::run(&ops);
    let lines = trace_out::lines(&ops, &outcomes, None);
    if let Err((line, why)) = trace_out::check(&lines) {
        let path = trace_out::write(name, &lines);
        return Err(TestCaseError::fail(format!(
            "line {line} of the trace does not replay: {why}\n  trace: {path}\n  \
             replay: cargo run -- check {path}"
        )));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn invariants_hold_at_every_step(s in scenario(OPS)) {
        check_invariants("invariants_hold_at_every_step", &s)?;
    }

    #[test]
    fn traces_written_from_a_run_replay_and_agree(s in scenario(OPS)) {
        check_trace("traces_written_from_a_run_replay_and_agree", &s)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn the_same_operations_give_the_same_bytes(s in scenario(OPS)) {
        check_determinism(&s)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn invariants_hold_with_more_than_ten_pending(s in scenario_with(OPS, MANY_JOBS)) {
        check_invariants("invariants_hold_with_more_than_ten_pending", &s)?;
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    #[ignore = "large exploration: run with --release -- --ignored (see the module doc)"]
    fn large_exploration(s in scenario(BIG_OPS)) {
        check_invariants("large_exploration", &s)?;
        check_trace("large_exploration_trace", &s)?;
        check_determinism(&s)?;
    }

    #[test]
    #[ignore = "large exploration: run with --release -- --ignored (see the module doc)"]
    fn large_exploration_many_jobs(s in scenario_with(BIG_OPS, MANY_JOBS)) {
        check_invariants("large_exploration_many_jobs", &s)?;
        check_trace("large_exploration_many_jobs_trace", &s)?;
    }
}
