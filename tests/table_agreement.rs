//! The transition table and the model are two descriptions of the same rules: over long
//! generated traces, every change the model makes is one row of the table, chained per
//! execution from its status before the step to its status after, and no execution
//! changes status without a row.

use std::collections::{BTreeMap, BTreeSet};

use iot_jobs_spec::generate::{Generator, Options};
use iot_jobs_spec::rules::TRANSITIONS;
use iot_jobs_spec::trace::Replay;
use iot_jobs_spec::{Config, JobExecutionStatus, Service};

type Key = (String, String, i64);

fn statuses(svc: &Service) -> BTreeMap<Key, JobExecutionStatus> {
    svc.executions()
        .into_iter()
        .map(|e| ((e.job_id, e.thing_name, e.execution_number), e.status))
        .collect()
}

fn check_trace(seed: u64, steps: usize) -> BTreeSet<usize> {
    let lines: Vec<String> = Generator::new(Options {
        seed,
        steps,
        ..Options::default()
    })
    .collect();
    let mut replay = Replay::new(Config {
        record_transitions: true,
        ..Config::default()
    });
    let mut rows_taken = BTreeSet::new();
    for (n, line) in lines.iter().enumerate() {
        let step = replay.parse(line).unwrap().unwrap();
        let before = statuses(replay.service());
        replay.execute(&step);
        let after = statuses(replay.service());
        // The records of this step, per execution, in order.
        let mut chains: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
        while let Some(t) = replay.service_mut().poll_transition() {
            chains
                .entry((t.job_id, t.thing_name, t.execution_number))
                .or_default()
                .push(t.row);
        }
        let changed: BTreeSet<&Key> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        for key in &changed {
            let rows = chains
                .get(*key)
                .unwrap_or_else(|| panic!("line {}: {key:?} changed with no row: {line}", n + 1));
            let first = &TRANSITIONS[rows[0]];
            let last = &TRANSITIONS[*rows.last().unwrap()];
            assert_eq!(
                first.from,
                before.get(*key).copied(),
                "line {}: {key:?}",
                n + 1
            );
            assert_eq!(last.to, after.get(*key).copied(), "line {}: {key:?}", n + 1);
            for pair in rows.windows(2) {
                assert_eq!(TRANSITIONS[pair[0]].to, TRANSITIONS[pair[1]].from);
            }
        }
        for (key, rows) in &chains {
            rows_taken.extend(rows.iter().copied());
            // A row that keeps the status (IN_PROGRESS to IN_PROGRESS) leaves no diff.
            let moves = rows
                .iter()
                .any(|&r| TRANSITIONS[r].from != TRANSITIONS[r].to);
            if moves {
                assert!(changed.contains(key) || before.get(key) == after.get(key));
            }
        }
    }
    rows_taken
}

#[test]
fn every_change_of_a_long_generated_trace_is_a_chain_of_table_rows() {
    let mut taken = BTreeSet::new();
    for seed in [1, 2] {
        taken.extend(check_trace(seed, 2000));
    }
    // Every row whose condition holds without a switch is taken at least once.
    let sw = iot_jobs_spec::Switches::default();
    for (i, row) in TRANSITIONS.iter().enumerate() {
        // The lifecycle rows (DeleteJob, the abort cancel, AssociateTargetsWithJob, the
        // end-behaviour cancel, rollout batches: decisions 28, 30, 32, 34, 36) included.
        if row.condition.holds(true, &sw) {
            assert!(taken.contains(&i), "row {i} never taken: {row:?}");
        }
    }
}
