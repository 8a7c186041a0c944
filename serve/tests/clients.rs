//! Real clients against the server binary: the pytest suite in serve/clients/ (boto3's
//! iot-jobs-data and iot clients, a paho-mqtt device agent over MQTT 3.1.1 and 5) runs
//! against one server on a manual clock that records the session; the record is then
//! checked by the specification's own checker, step by step.
//!
//! The suite runs in the virtual environment serve/clients/setup.sh makes
//! (target/clients-venv). Without it the test fails when CI is set, and otherwise says
//! loudly that it skipped and how to set it up.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Server;
use iot_jobs_spec::trace::{Checker, Tolerance, Verdict};
use iot_jobs_spec::Config;

fn venv_python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let venv = std::env::var_os("CLIENTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/clients-venv"));
    let python = venv.join("bin/python");
    python.is_file().then_some(python)
}

#[test]
fn boto3_and_paho_against_the_server_and_the_record_checks() {
    let Some(python) = venv_python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the client venv is missing: .ci/run must run serve/clients/setup.sh first"
        );
        eprintln!(
            "\n**** SKIPPED the boto3/paho client tests: no target/clients-venv. \
             Run serve/clients/setup.sh (needs python3 and PyPI) to set it up. ****\n"
        );
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let record = dir.join(format!("clients-session-{}.jsonl", std::process::id()));
    let mut server = Server::start(&[
        "--clock",
        "manual",
        "--start",
        "1000",
        "--record",
        record.to_str().unwrap(),
    ]);
    let clients = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients");
    let status = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .current_dir(&clients)
        .env("IOT_JOBS_SERVE", &server.ready_line)
        .status()
        .expect("pytest runs");
    assert!(status.success(), "the client tests failed: {status}");

    // Ctrl-C: a clean stop that flushes the record.
    let stopped = server.interrupt();
    assert!(stopped.success(), "{stopped}");

    let text = std::fs::read_to_string(&record).unwrap();
    let mut checker = Checker::new(&Config::default(), &Tolerance::default());
    let (mut calls, mut publishes, mut checked) = (0, 0, 0);
    for (number, line) in text.lines().enumerate() {
        let step = checker
            .parse(line)
            .unwrap_or_else(|e| panic!("record line {}: malformed: {e}", number + 1))
            .unwrap();
        match &step.action {
            iot_jobs_spec::trace::Action::Call { .. } => calls += 1,
            iot_jobs_spec::trace::Action::Publish { topic, .. } => {
                // Only what devices sent: never a message the service published itself
                // (the bridge must not feed it back).
                let own = ["/accepted", "/rejected", "/notify", "/notify-next"];
                assert!(
                    !own.iter().any(|suffix| topic.ends_with(suffix)),
                    "record line {}: the service was fed its own publish on {topic}",
                    number + 1
                );
                publishes += 1
            }
        }
        match checker.check(&step) {
            Verdict::Agrees => checked += 1,
            v => panic!("record line {}: {v:?}\n{line}", number + 1),
        }
    }
    // Every boto3 call and every device publish of the suite is in the record, and
    // each carries its answer and events, which the checker agrees with.
    assert!(calls >= 60, "{calls} calls recorded");
    assert!(publishes >= 8, "{publishes} publishes recorded");
    assert_eq!(checked, calls + publishes);
    let _ = std::fs::remove_file(record);
}
