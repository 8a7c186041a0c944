//! The trace generator: deterministic, valid, and wide enough to reach every status,
//! error code and timer path over a few thousand steps.

use iot_jobs_spec::generate::{Generator, Options};
use iot_jobs_spec::trace::{Replay, Verdict};
use iot_jobs_spec::Config;

fn lines(seed: u64, steps: usize) -> (Vec<String>, Generator) {
    let mut g = Generator::new(Options {
        seed,
        steps,
        ..Options::default()
    });
    let lines: Vec<String> = g.by_ref().collect();
    (lines, g)
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let (a, _) = lines(11, 300);
    let (b, _) = lines(11, 300);
    let (c, _) = lines(12, 300);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_generated_trace_passes_check_step_by_step() {
    let (trace, _) = lines(3, 1500);
    let mut replay = Replay::new(Config::default());
    let mut checked = 0;
    for (i, line) in trace.iter().enumerate() {
        let step = replay.parse(line).unwrap().unwrap();
        match replay.check(&step) {
            Verdict::Agrees => checked += 1,
            other => panic!("line {}: {other:?}", i + 1),
        }
    }
    // Every generated step carries an expectation (its events at least).
    assert_eq!(checked, trace.len());
}

#[test]
fn a_few_thousand_steps_reach_every_status_error_code_and_timer_path() {
    let (_, g) = lines(1, 3000);
    let missing = g.coverage().missing();
    assert!(missing.is_empty(), "not reached: {missing:?}");
}

#[test]
fn the_step_count_is_the_one_asked_for_after_the_setup() {
    let (short, _) = lines(5, 10);
    let (long, _) = lines(5, 20);
    assert_eq!(long.len() - short.len(), 10);
    assert_eq!(short[..], long[..short.len()]);
}

/// Issue 16: the lifecycle calls (decisions 34 to 39) and the job configs of decisions 27,
/// 29 and 31 are in the mix, and every row of the transition table the default switches
/// allow is taken, the new causes' rows among them (DeleteJob, the abort cancel,
/// AssociateTargetsWithJob, the end-behaviour cancel, rollout batches).
#[test]
fn the_mix_makes_the_lifecycle_calls_and_configs_and_takes_their_rows() {
    use iot_jobs_spec::rules::{Cause, TRANSITIONS};
    let (trace, g) = lines(1, 3000);
    let cov = g.coverage();
    for call in [
        "DeleteJob",
        "UpdateJob",
        "AssociateTargetsWithJob",
        "GetJobDocument",
        "ListJobs",
        "DescribeThing",
    ] {
        assert!(
            cov.operations.get(call).is_some_and(|&n| n >= 10),
            "{call}: {:?}",
            cov.operations.get(call)
        );
    }
    for member in [
        "\"abortConfig\"",
        "\"jobExecutionsRolloutConfig\"",
        "\"exponentialRate\"",
        "\"startTime\"",
        "\"endBehavior\":\"STOP_ROLLOUT\"",
        "\"endBehavior\":\"CANCEL\"",
        "\"endBehavior\":\"FORCE_CANCEL\"",
        "\"force\":true",
    ] {
        let created = trace
            .iter()
            .filter(|l| l.contains(member) && l.contains("\"output\""))
            .count();
        assert!(created >= 2, "{member}: {created} accepted calls");
    }
    for cause in [
        Cause::DeleteJob,
        Cause::AbortCancel,
        Cause::AssociateTargetsWithJob,
        Cause::EndBehaviorCancel,
        Cause::RolloutBatch,
    ] {
        let rows: Vec<usize> = (0..TRANSITIONS.len())
            .filter(|&i| TRANSITIONS[i].cause == cause)
            .collect();
        assert!(!rows.is_empty());
        for i in rows {
            assert!(cov.rows.contains(&i), "row {i} ({cause}) not taken");
        }
    }
    for path in ["rollout batch fired", "startTime fired", "endTime fired"] {
        assert!(cov.paths.contains(path), "{path}");
    }
}

/// Every generated trace checks clean, whatever the seed: the lifecycle steps included.
#[test]
fn traces_of_several_seeds_pass_check() {
    for seed in 20..26 {
        let (trace, g) = lines(seed, 800);
        let mut replay = Replay::new(Config::default());
        for (i, line) in trace.iter().enumerate() {
            let step = replay.parse(line).unwrap().unwrap();
            assert_eq!(
                replay.check(&step),
                Verdict::Agrees,
                "seed {seed} line {}",
                i + 1
            );
        }
        assert!(
            g.coverage().operations.contains_key("UpdateJob"),
            "seed {seed}"
        );
    }
}
