//! The command line: exit codes, `FILE:LINE:` reports, not-checked steps, `run`, `rules`,
//! `generate`, and `--help` everywhere (details, checker; trace-format exit codes).

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iot-jobs-spec"))
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Writes `text` to a fresh file and gives its path.
fn file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("iot-jobs-spec-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const SETUP: &str = r#"{"call": "CreateThing", "input": {"thingName": "t1"}}
{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"inProgressJobs": [], "queuedJobs": []}}
"#;

#[test]
fn details_checker_agreeing_trace_exits_0_and_blank_lines_are_skipped() {
    let path = file("ok.jsonl", &format!("\n{SETUP}\n   \n"));
    let o = run(&["check", &path], "");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("2 steps, 1 checked, all agree"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn details_checker_a_divergence_exits_1_with_file_line_and_both_values() {
    let text = format!(
        "{SETUP}{}\n{}\n",
        r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"queuedJobs": [1]}}"#,
        r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"x": 1}}"#
    );
    let path = file("diverges.jsonl", &text);
    let o = run(&["check", &path], "");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("{path}:3: GetPendingJobExecutions")),
        "{out}"
    );
    assert!(
        out.contains("expected [1]") && out.contains("gives []"),
        "{out}"
    );
    // The file stops at its first divergence: line 4 is not reported.
    assert!(!out.contains(&format!("{path}:4:")), "{out}");
}

#[test]
fn details_checker_malformed_lines_exit_2_with_file_line() {
    for (bad, why) in [
        ("[1, 2]", "not a JSON object"),
        (r#"{"input": {}}"#, "needs `call`"),
        (r#"{"call": "Frobnicate"}"#, "unknown call"),
        (
            r#"{"call": "CreateJob", "service": "iot-jobs-data"}"#,
            "does not host",
        ),
        (r#"{"at": "5", "call": "CreateThing"}"#, "unsigned integer"),
        (r#"{"at": 5.0, "call": "CreateThing"}"#, "unsigned integer"),
        (
            r#"{"call": "CreateThing", "input": "t1"}"#,
            "`input` must be an object",
        ),
        (
            r#"{"call": "CreateThing", "output": {}, "error": {"code": "X"}}"#,
            "exclude",
        ),
    ] {
        let path = file("malformed.jsonl", &format!("{SETUP}{bad}\n"));
        let o = run(&["check", &path], "");
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let out = stdout(&o);
        assert!(
            out.contains(&format!("{path}:3: malformed step")),
            "{bad}: {out}"
        );
        assert!(out.contains(why), "{bad}: {out}");
    }
}

#[test]
fn details_checker_time_going_back_is_malformed() {
    let text = r#"{"at": 10, "call": "CreateThing", "input": {"thingName": "t1"}}
{"at": 9, "call": "CreateThing", "input": {"thingName": "t2"}}
"#;
    let o = run(&["check", &file("back.jsonl", text)], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains(":2: malformed step: `at` goes back"));
}

#[test]
fn details_checker_the_worst_file_decides_the_exit_code() {
    let good = file("good.jsonl", SETUP);
    let bad = file("bad.jsonl", "nope\n");
    let o = run(&["check", &good, &bad, &good], "");
    assert_eq!(o.status.code(), Some(2));
    let missing = run(&["check", &good, "/no/such/file.jsonl"], "");
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn out_of_model_a_step_using_a_feature_outside_the_model_is_not_checked_and_ends_the_file() {
    let text = format!(
        "{SETUP}{}\n{}\n",
        r#"{"call": "DeleteJob", "service": "iot", "input": {"jobId": "j1"}, "output": {}}"#,
        r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"x": 1}}"#
    );
    let o = run(&["check", &file("nm.jsonl", &text)], "");
    // Not checked does not raise the exit code, and the diverging line 4 is never run.
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(":3: not checked: not modelled: the DeleteJob operation"));
    assert!(stdout(&o).contains("stopped at line 3"));
}

#[test]
fn out_of_model_a_not_modelled_step_that_expected_an_error_lets_the_file_go_on() {
    let text = format!(
        "{SETUP}{}\n{}\n",
        r#"{"call": "CreateJob", "input": {"jobId": "j1", "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"], "document": "{}", "abortConfig": {}}, "error": {"code": "InvalidRequestException"}}"#,
        r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"x": 1}}"#
    );
    let o = run(&["check", &file("nm2.jsonl", &text)], "");
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("not modelled: abort criteria"));
    assert!(stdout(&o).contains(":4: GetPendingJobExecutions"));
}

#[test]
fn run_fills_in_the_answers_and_check_agrees_with_them() {
    let calls = r#"{"call": "CreateThing", "input": {"thingName": "t1"}, "comment": "kept"}
{"at": 3, "call": "GetPendingJobExecutions", "input": {"thingName": "nobody"}, "output": {"wrong": true}}
"#;
    let o = run(&["run"], calls);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["comment"], "kept");
    assert_eq!(lines[0]["output"]["thingName"], "t1");
    assert_eq!(lines[1]["error"]["code"], "ResourceNotFoundException");
    assert!(lines[1].get("output").is_none());
    assert!(
        lines[1]["error"].get("message").is_none(),
        "message is never compared"
    );
    let o = run(&["check", &file("filled.jsonl", &out)], "");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let malformed = run(&["run"], "{\n");
    assert_eq!(malformed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("<stdin>:1:"));
}

#[test]
fn check_with_no_file_checks_the_bundled_examples() {
    let o = run(&["check"], "");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o)
            .lines()
            .filter(|l| l.contains("all agree"))
            .count(),
        iot_jobs_spec::examples::EXAMPLES.len()
    );
}

#[test]
fn rules_prints_every_format_and_refuses_others() {
    let md = stdout(&run(&["rules"], ""));
    assert!(md.contains("| from | to | cause |") && md.contains("```mermaid"));
    let mermaid = stdout(&run(&["rules", "--format", "mermaid"], ""));
    assert!(mermaid.starts_with("stateDiagram-v2"));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["rules", "--format", "json"], ""))).unwrap();
    assert_eq!(
        json.as_array().unwrap().len(),
        iot_jobs_spec::rules::TRANSITIONS.len()
    );
    assert_eq!(
        run(&["rules", "--format", "svg"], "").status.code(),
        Some(2)
    );
}

#[test]
fn generate_is_reproducible_and_needs_its_options() {
    let a = run(&["generate", "--seed", "4", "--steps", "50"], "");
    let b = run(&["generate", "--seed", "4", "--steps", "50"], "");
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    assert!(String::from_utf8_lossy(&a.stderr).contains("statuses:"));
    assert_eq!(run(&["generate", "--seed", "4"], "").status.code(), Some(2));
    assert_eq!(
        run(&["generate", "--seed", "x", "--steps", "3"], "")
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn every_command_has_help_and_bad_commands_exit_2() {
    for cmd in ["check", "run", "rules", "decisions", "generate", "vectors"] {
        let o = run(&[cmd, "--help"], "");
        assert_eq!(o.status.code(), Some(0), "{cmd}");
        assert!(
            stdout(&o).contains(&format!("iot-jobs-spec {cmd}")),
            "{cmd}"
        );
    }
    assert_eq!(run(&["--help"], "").status.code(), Some(0));
    assert_eq!(run(&[], "").status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], "").status.code(), Some(2));
    assert_eq!(run(&["check", "--bogus"], "").status.code(), Some(2));
}
