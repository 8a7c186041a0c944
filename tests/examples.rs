//! The bundled example traces: each one passes `check`, and the bundle lists exactly the
//! files in docs/examples/.

use iot_jobs_spec::examples::EXAMPLES;
use iot_jobs_spec::trace::{Replay, Verdict};
use iot_jobs_spec::Config;

#[test]
fn every_example_trace_agrees_with_the_specification() {
    for (name, text) in EXAMPLES {
        let mut replay = Replay::new(Config::default());
        let mut checked = 0;
        for (i, line) in text.lines().enumerate() {
            let Some(step) = replay
                .parse(line)
                .unwrap_or_else(|e| panic!("{name}:{}: {e}", i + 1))
            else {
                continue;
            };
            match replay.check(&step) {
                Verdict::Agrees => checked += 1,
                Verdict::Setup => {}
                other => panic!("{name}:{}: {other:?}", i + 1),
            }
        }
        assert!(checked >= 10, "{name} checks only {checked} steps");
    }
}

#[test]
fn the_bundle_lists_every_file_in_docs_examples() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".jsonl"))
        .map(|n| format!("docs/examples/{n}"))
        .collect();
    on_disk.sort();
    let bundled: Vec<String> = EXAMPLES.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(bundled, on_disk);
}
