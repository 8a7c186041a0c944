//! `replay --jobs N` against the server on its wall clock: files in flight at once share
//! one HTTP connection pool, each hears only its own things' messages on its own MQTT
//! connection, and the report is that of `--jobs 1`; two files that name the same job
//! are never in flight together; and the options `--jobs` refuses.

mod common;
mod replay_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Server;
use iot_jobs_serve::replay::parity::Parity;
use iot_jobs_serve::replay::{FileRun, Run};
use iot_jobs_spec::trace::Outcome;
use replay_support::replay;

const ARN: &str = "arn:aws:iot:us-east-1:123456789012:thing";

/// A trace in a fresh directory for this test: its path.
fn trace(test: &str, name: &str, lines: &[String]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replay-pool-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.jsonl"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// A device's life with its own thing and job `job` over HTTP and MQTT: the job's
/// notifications, a `get` over MQTT, the execution started and finished.
fn device(thing: &str, job: &str) -> Vec<String> {
    vec![
        format!(r#"{{"call": "CreateThing", "input": {{"thingName": "{thing}"}}}}"#),
        format!(
            r#"{{"call": "CreateJob", "input": {{"jobId": "{job}", "targets": ["{ARN}/{thing}"], "document": "{{}}"}}}}"#
        ),
        format!(
            r#"{{"publish": {{"topic": "$aws/things/{thing}/jobs/get", "payload": {{"clientToken": "c1"}}}}}}"#
        ),
        format!(
            r#"{{"call": "StartNextPendingJobExecution", "input": {{"thingName": "{thing}"}}}}"#
        ),
        format!(
            r#"{{"publish": {{"topic": "$aws/things/{thing}/jobs/{job}/update", "payload": {{"status": "SUCCEEDED", "clientToken": "c2"}}}}}}"#
        ),
        format!(r#"{{"call": "GetPendingJobExecutions", "input": {{"thingName": "{thing}"}}}}"#),
        format!(r#"{{"call": "DescribeJob", "input": {{"jobId": "{job}"}}}}"#),
    ]
}

/// The server's endpoint, a 5 s timestamp tolerance (the wall clock) and a short settle.
fn endpoint(server: &Server) -> Vec<String> {
    let mut args = replay_support::endpoint(server);
    args.extend(["--time-tolerance", "5", "--settle", "15"].map(String::from));
    args
}

fn run_with(server: &Server, options: &[&str], files: &[PathBuf]) -> Run {
    let mut args = endpoint(server);
    args.extend(options.iter().map(|o| o.to_string()));
    args.extend(files.iter().map(|f| f.display().to_string()));
    replay(args)
}

/// Every step of the file was checked and agrees.
fn every_step_agrees(file: &FileRun) {
    let r = &file.report;
    assert_eq!(
        r.outcome,
        Outcome::Agrees,
        "{}: {:?}",
        r.file,
        r.diagnostics()
    );
    assert_eq!(r.agreed, r.steps, "{}: every step checked", r.file);
    assert!(r.not_checked.is_empty(), "{}: {:?}", r.file, r.not_checked);
}

#[test]
fn four_files_at_once_give_the_report_of_one_at_a_time() {
    let server = Server::start(&[]);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let life = |n: &str| device(&format!("thing-{n}"), &format!("job-{n}"));
    // alpha is the shortest file: its lane is the first free, and takes echo, the next
    // file, while another lane runs alpha-again on alpha's thing. That lane still
    // listens to alpha's thing: it must not take alpha-again's messages for echo's.
    let mut files = vec![trace("same", "alpha", &life("alpha")[..2])];
    for n in ["bravo", "charlie", "delta"] {
        files.push(trace("same", n, &life(n)));
    }
    files.push(trace(
        "same",
        "echo",
        &[life("echo"), life("echo-2")].concat(),
    ));
    files.push(trace(
        "same",
        "alpha-again",
        &device("thing-alpha", "job-alpha-2"),
    ));
    // Two documented workflows that share their things: one after the other, beside
    // the rest.
    files.push(examples.join("mqtt-device-workflow.jsonl"));
    files.push(examples.join("device-lifecycle.jsonl"));
    let one = run_with(&server, &["--jobs", "1"], &files);
    let four = run_with(&server, &["--jobs", "4"], &files);
    // Under a prefix of each file's own, no file shares a name: all may overlap.
    let apart = run_with(&server, &["--jobs", "4", "--prefix", "f{n}-"], &files);
    for file in four.files.iter().chain(&apart.files) {
        every_step_agrees(file);
    }
    let (one, four, apart) = (Parity::of(&one), Parity::of(&four), Parity::of(&apart));
    assert_eq!(one, four);
    assert_eq!(one, apart);
    assert_eq!(one.markdown(), four.markdown());
    let names: Vec<&str> = four.files.iter().map(|f| f.file.as_str()).collect();
    let given: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert_eq!(names, given, "the report keeps command-line order");
}

#[test]
fn files_that_name_the_same_job_are_never_in_flight_together() {
    let record =
        std::env::temp_dir().join(format!("replay-pool-record-{}.jsonl", std::process::id()));
    let server = Server::start(&["--record", record.to_str().unwrap()]);
    // alpha and bravo both create the job `shared-job`; charlie names nothing of theirs.
    let files = [
        trace("chain", "alpha", &device("thing-alpha", "shared-job")),
        trace("chain", "bravo", &device("thing-bravo", "shared-job")),
        trace("chain", "charlie", &device("thing-charlie", "job-charlie")),
    ];
    let out = std::env::temp_dir().join(format!("replay-pool-out-{}", std::process::id()));
    let mut args = endpoint(&server);
    args.extend(["--jobs", "3", "--out", out.to_str().unwrap()].map(String::from));
    args.extend(files.iter().map(|f| f.display().to_string()));
    let run = replay(args);
    for file in &run.files {
        every_step_agrees(file);
        assert_eq!(file.report.steps, 7, "{}", file.report.file);
    }
    // Each file's first and last exchange name its thing (CreateThing, and the cleanup
    // deletes the job first, then the thing).
    let recorded = std::fs::read_to_string(&record).unwrap();
    let lines: Vec<&str> = recorded.lines().collect();
    let span = |thing: &str| {
        let first = lines.iter().position(|l| l.contains(thing)).unwrap();
        let last = lines.iter().rposition(|l| l.contains(thing)).unwrap();
        assert!(lines[first].contains("CreateThing"), "{}", lines[first]);
        assert!(lines[last].contains("DeleteThing"), "{}", lines[last]);
        (first, last)
    };
    let (alpha, bravo, charlie) = (
        span("thing-alpha"),
        span("thing-bravo"),
        span("thing-charlie"),
    );
    assert!(
        alpha.1 < bravo.0,
        "bravo started before alpha ended: {recorded}"
    );
    // charlie ran beside alpha: the run overlapped what it may.
    assert!(charlie.0 < alpha.1, "charlie waited for alpha: {recorded}");
    // The traces written are each file's own, whatever order they finished in.
    for (file, thing) in files.iter().zip(["alpha", "bravo", "charlie"]) {
        let written = std::fs::read_to_string(out.join(file.file_name().unwrap())).unwrap();
        assert_eq!(written.lines().count(), 7);
        assert!(written.contains(&format!("thing-{thing}")), "{written}");
    }
    let _ = std::fs::remove_file(record);
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn jobs_zero_and_jobs_with_a_clock_control_are_usage_errors() {
    let replay = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_iot-jobs-serve"))
            .args(["replay", "--endpoint", "http://127.0.0.1:9"])
            .args(extra)
            .arg("no-such-file.jsonl")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = replay(&["--jobs", "0"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--jobs"), "{stderr}");
    let (code, stderr) = replay(&["--jobs", "2", "--clock-control", "spec"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("one clock"), "{stderr}");
    assert!(stderr.contains("--jobs 1"), "{stderr}");
}
