//! The replayer's safety on a shared endpoint: `--prefix` (names rewritten, mapped back,
//! cleanup of exactly what the run created), `--dry-run` (nothing sent), and a step that
//! needs clock control when there is none (not checked, never agreeing). Against the
//! server on its wall clock, as a real service runs.

mod common;
mod replay_support;

use std::path::PathBuf;

use common::{request, Server};
use iot_jobs_spec::trace::{Outcome, Stop};
use replay_support::{endpoint, replay};

/// Writes `lines` as a trace in a fresh directory; its path.
fn trace(name: &str, lines: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replay-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.jsonl"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

const ARN: &str = "arn:aws:iot:us-east-1:123456789012:thing";

fn lines() -> Vec<String> {
    vec![
        r#"{"call": "CreateThing", "input": {"thingName": "t1"}}"#.to_owned(),
        format!(
            r#"{{"call": "CreateJob", "input": {{"jobId": "j1", "targets": ["{ARN}/t1"], "document": "{{}}"}}}}"#
        ),
        r#"{"call": "DeleteThing", "input": {"thingName": "keep"}}"#.to_owned(),
        r#"{"publish": {"topic": "$aws/things/t1/jobs/get", "payload": {"clientToken": "c1"}}}"#
            .to_owned(),
        r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}}"#.to_owned(),
    ]
}

#[test]
fn a_prefixed_run_touches_only_its_own_names_and_deletes_what_it_created() {
    let record = std::env::temp_dir().join(format!("replay-record-{}.jsonl", std::process::id()));
    let server = Server::start(&["--record", record.to_str().unwrap()]);
    let port = server.port("http");
    // A resource the run did not create: the trace deletes a thing of that name, which
    // the run sends as rp-keep, so `keep` stays.
    assert_eq!(
        request(port, "POST", "/things/keep", Some("iot"), "{}").status,
        200
    );
    let lines = lines();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let path = trace("prefix", &lines);
    let mut args = endpoint(&server);
    args.extend(["--prefix", "rp-", "--time-tolerance", "5"].map(String::from));
    args.push(path.display().to_string());
    let run = replay(args);
    let file = &run.files[0];
    assert_eq!(
        file.report.outcome,
        Outcome::Agrees,
        "{:?}",
        file.report.diagnostics()
    );
    assert_eq!((file.report.steps, file.report.agreed), (5, 5));
    // The written trace names things as the trace does.
    assert!(
        file.trace.contains(r#""thingName":"keep""#),
        "{}",
        file.trace
    );
    assert!(
        file.trace.contains("$aws/things/t1/jobs/get/accepted"),
        "{}",
        file.trace
    );
    assert!(!file.trace.contains("rp-"), "{}", file.trace);
    // The server saw only prefixed names.
    let recorded = std::fs::read_to_string(&record).unwrap();
    assert!(recorded.contains(r#""thingName":"rp-t1""#), "{recorded}");
    assert!(recorded.contains(&format!("{ARN}/rp-t1")), "{recorded}");
    assert!(
        recorded.contains("$aws/things/rp-t1/jobs/get"),
        "{recorded}"
    );
    assert!(!recorded.contains(r#""thingName":"t1""#), "{recorded}");
    // Cleanup: what it created, nothing else.
    assert_eq!(file.cleanup, ["DeleteJob j1: ok", "DeleteThing t1: ok"]);
    let gone = request(port, "GET", "/things/rp-t1", Some("iot"), "");
    assert_eq!(gone.error_type(), "ResourceNotFoundException");
    let job = request(port, "GET", "/jobs/rp-j1", Some("iot"), "");
    assert_eq!(job.error_type(), "ResourceNotFoundException");
    assert_eq!(
        request(port, "GET", "/things/keep", Some("iot"), "").status,
        200
    );
    let _ = std::fs::remove_file(record);
}

#[test]
fn a_dry_run_prints_the_calls_and_sends_nothing() {
    let server = Server::start(&[]);
    let port = server.port("http");
    let lines = lines();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let path = trace("dry", &lines);
    let mut args = endpoint(&server);
    args.extend(["--prefix", "dry-", "--dry-run"].map(String::from));
    args.push(path.display().to_string());
    let run = replay(args);
    let url = format!("http://127.0.0.1:{port}");
    assert_eq!(
        run.files[0].dry_run,
        [
            format!("POST {url}/things/dry-t1 {{}}"),
            format!(r#"PUT {url}/jobs/dry-j1 {{"document":"{{}}","targets":["{ARN}/dry-t1"]}}"#),
            format!("DELETE {url}/things/dry-keep"),
            r#"publish $aws/things/dry-t1/jobs/get {"clientToken":"c1"}"#.to_owned(),
            format!("GET {url}/things/dry-t1/jobs"),
        ]
    );
    // Nothing reached the server, and nothing is reported as agreeing.
    let thing = request(port, "GET", "/things/dry-t1", Some("iot"), "");
    assert_eq!(thing.error_type(), "ResourceNotFoundException");
    assert_eq!(run.files[0].report.agreed, 0);
    assert!(run.files[0].cleanup.is_empty());
}

#[test]
fn without_clock_control_a_jump_past_a_timer_is_not_checked() {
    let server = Server::start(&[]);
    let job = format!(
        r#"{{"at": 0, "call": "CreateJob", "input": {{"jobId": "j1", "targets": ["{ARN}/t1"], "document": "{{}}", "timeoutConfig": {{"inProgressTimeoutInMinutes": 1}}}}}}"#
    );
    let path = trace(
        "jump",
        &[
            r#"{"at": 0, "call": "CreateThing", "input": {"thingName": "t1"}}"#,
            &job,
            // No timer runs yet: the jump is harmless, the step is checked.
            r#"{"at": 500, "call": "GetPendingJobExecutions", "input": {"thingName": "t1"}}"#,
            r#"{"at": 500, "call": "StartNextPendingJobExecution", "input": {"thingName": "t1"}}"#,
            // The in-progress timer (60 s from 500) is due by 600: without clock control the
            // endpoint's timer has not fired.
            r#"{"at": 600, "call": "GetPendingJobExecutions", "input": {"thingName": "t1"}}"#,
            r#"{"at": 600, "call": "DescribeThing", "input": {"thingName": "t1"}}"#,
        ],
    );
    let mut args = endpoint(&server);
    args.extend(["--time-tolerance", "5"].map(String::from));
    args.push(path.display().to_string());
    let run = replay(args);
    let r = &run.files[0].report;
    assert_eq!((r.agreed, r.steps), (4, 5), "{:?}", r.diagnostics());
    assert_eq!(r.not_checked.len(), 1, "{r:?}");
    assert_eq!(r.not_checked[0].line, 5);
    assert!(
        r.not_checked[0].reason.contains("needs clock control"),
        "{r:?}"
    );
    assert!(r.not_checked[0].reason.contains("due at 560"), "{r:?}");
    assert_eq!(r.stop, Some(Stop::Unknown { line: 5 }));
    assert_eq!(r.outcome, Outcome::Agrees);
    // Cleanup still runs for what the first steps created.
    assert_eq!(
        run.files[0].cleanup,
        ["DeleteJob j1: ok", "DeleteThing t1: ok"]
    );
}

#[test]
fn with_wait_each_step_is_sent_when_its_at_comes() {
    let server = Server::start(&[]);
    let path = trace(
        "wait",
        &[
            r#"{"at": 10, "call": "CreateThing", "input": {"thingName": "t1"}}"#,
            r#"{"at": 12, "call": "GetPendingJobExecutions", "input": {"thingName": "t1"}}"#,
        ],
    );
    let mut args = endpoint(&server);
    args.extend(["--wait", "--time-tolerance", "2"].map(String::from));
    args.push(path.display().to_string());
    let started = std::time::Instant::now();
    let run = replay(args);
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    let r = &run.files[0].report;
    assert_eq!(
        (r.outcome, r.agreed, r.steps),
        (Outcome::Agrees, 2, 2),
        "{r:?}"
    );
    // The written times are two seconds apart, from the Unix time the file started.
    let ats: Vec<u64> = run.files[0]
        .trace
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["at"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(ats[1] - ats[0], 2, "{ats:?}");
    assert!(ats[0] > 1_700_000_000, "{ats:?}");
}
