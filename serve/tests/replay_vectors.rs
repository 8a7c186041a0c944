//! The replayer against the project's own server (manual clock, driven through its admin
//! API): every vector of tests/vectors/ and every example of docs/examples/ replayed over
//! HTTP and MQTT, and what the server answered checked against the specification.

mod common;
mod replay_support;

use std::path::{Path, PathBuf};

use common::Server;
use iot_jobs_spec::trace::Outcome;
use replay_support::{endpoint, replay};

/// Every trace of a directory.
fn traces(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_vector_and_example_agrees_when_replayed_into_the_server() {
    let server = Server::start(&["--clock", "manual"]);
    let mut files = traces("tests/vectors");
    files.extend(traces("docs/examples"));
    assert!(files.len() > 60, "{files:?}");
    let mut args = endpoint(&server);
    args.extend(["--clock-control", "spec", "--settle", "15"].map(String::from));
    args.extend(files.iter().map(|f| f.display().to_string()));
    let started = std::time::Instant::now();
    let run = replay(args);
    eprintln!("replayed {} files in {:?}", files.len(), started.elapsed());
    assert_eq!(run.files.len(), files.len());
    let mut steps = 0;
    for file in &run.files {
        let r = &file.report;
        let name = Path::new(&r.file).file_name().unwrap().to_str().unwrap();
        assert!(r.not_checked.is_empty(), "{name}: {:?}", r.not_checked);
        assert_eq!(r.setup, 0, "{name}: every step is checked");
        assert_eq!(r.outcome, Outcome::Agrees, "{name}: {:?}", r.diagnostics());
        assert!(r.steps > 0, "{name}");
        assert_eq!(r.agreed, r.steps, "{name}: every step checked and agreeing");
        steps += r.steps;
    }
    assert!(steps > 500, "{steps}");
}
