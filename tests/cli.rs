//! The command line: exit codes, `FILE:LINE:` reports, not-checked steps, `run`, `rules`,
//! `generate`, and `--help` everywhere (details, checker; trace-format exit codes).
//!
//! The convention every command follows: results on standard output, diagnostics
//! (`FILE:LINE: ...`) on standard error, standard input named `<stdin>`.

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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
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
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{path}:3: GetPendingJobExecutions")),
        "{err}"
    );
    assert!(
        err.contains("expected [1]") && err.contains("gives []"),
        "{err}"
    );
    // The file stops at its first divergence: line 4 is not reported.
    assert!(!err.contains(&format!("{path}:4:")), "{err}");
    // In a pipe, no colour and no expected/actual block: one line per diagnostic.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains('\x1b'), "{err}");
    assert_eq!(
        stdout(&o),
        format!("{path}: diverges at line 3 (1 checked steps agree before it)\n")
    );
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
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{path}:3: malformed step")),
            "{bad}: {err}"
        );
        assert!(err.contains(why), "{bad}: {err}");
        assert!(
            stdout(&o).contains(&format!("{path}: malformed at line 3")),
            "{bad}: {}",
            stdout(&o)
        );
    }
}

#[test]
fn details_checker_time_going_back_is_malformed() {
    let text = r#"{"at": 10, "call": "CreateThing", "input": {"thingName": "t1"}}
{"at": 9, "call": "CreateThing", "input": {"thingName": "t2"}}
"#;
    let o = run(&["check", &file("back.jsonl", text)], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(":2: malformed step: `at` goes back"));
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
        r#"{"call": "DeleteJobTemplate", "service": "iot", "input": {"jobTemplateId": "t"}, "output": {}}"#,
        r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"x": 1}}"#
    );
    let o = run(&["check", &file("nm.jsonl", &text)], "");
    // Not checked does not raise the exit code, and the diverging line 4 is never run.
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(":3: not checked: not modelled: the DeleteJobTemplate operation"));
    assert!(stdout(&o).contains("stopped at line 3"));
}

#[test]
fn out_of_model_a_not_modelled_step_that_expected_an_error_lets_the_file_go_on() {
    let text = format!(
        "{SETUP}{}\n{}\n",
        r#"{"call": "CreateJob", "input": {"jobId": "j1", "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"], "document": "{}", "schedulingConfig": {"maintenanceWindows": []}}, "error": {"code": "InvalidRequestException"}}"#,
        r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"x": 1}}"#
    );
    let o = run(&["check", &file("nm2.jsonl", &text)], "");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not modelled: maintenance windows"));
    assert!(stderr(&o).contains(":4: GetPendingJobExecutions"));
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

/// Runs the binary with standard output on `/dev/full`, where every write fails.
#[cfg(target_os = "linux")]
fn run_to_full(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_standard_output_that_cannot_be_written_is_a_message_and_exit_2_in_every_command() {
    let trace = file("full.jsonl", SETUP);
    let dir = std::env::temp_dir().join(format!("iot-jobs-spec-cli-full-{}", std::process::id()));
    for args in [
        vec!["rules"],
        vec!["rules", "--format", "json"],
        vec!["decisions"],
        vec!["run", trace.as_str()],
        vec!["check", trace.as_str()],
        vec!["check", "--format", "json", trace.as_str()],
        vec!["check"],
        vec!["generate", "--seed", "1", "--steps", "5"],
        vec!["completions", "bash"],
        vec!["--help"],
        vec!["check", "--help"],
        vec!["--version"],
    ] {
        let o = run_to_full(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("cannot write to standard output: No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
    }
    // A file that cannot be written: the vectors' directory is a file.
    std::fs::write(&dir, "not a directory").unwrap();
    let o = run(&["vectors", "--steps", "5", dir.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot create"), "{}", stderr(&o));
    std::fs::remove_file(&dir).unwrap();
}

#[test]
fn vectors_refuses_an_empty_dir_and_writes_nothing() {
    let cwd = std::env::temp_dir().join(format!("iot-jobs-spec-cli-empty-{}", std::process::id()));
    std::fs::create_dir_all(&cwd).unwrap();
    let o = bin()
        .args(["vectors", "--steps", "5", ""])
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("DIR is empty"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
    std::fs::remove_dir(&cwd).unwrap();
}

#[test]
fn vectors_writes_a_corpus_with_an_index() {
    let dir =
        std::env::temp_dir().join(format!("iot-jobs-spec-cli-vectors-{}", std::process::id()));
    let o = run(
        &[
            "vectors",
            "--steps=200",
            "--seed",
            "1",
            dir.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let entries = index.as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        let text = std::fs::read_to_string(dir.join(e["file"].as_str().unwrap())).unwrap();
        assert_eq!(text.lines().count() as u64, e["steps"].as_u64().unwrap());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs the binary and kills it when it has not ended after `seconds`.
fn run_within(args: &[&str], seconds: u64) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= seconds {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("{args:?} still running after {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn every_numeric_option_is_held_to_its_documented_range_and_the_error_names_it() {
    for (args, named) in [
        (
            vec!["generate", "--seed", "1", "--steps", "3", "--jobs", "0"],
            "--jobs",
        ),
        (
            vec!["generate", "--seed", "1", "--steps", "3", "--jobs", "10001"],
            "--jobs",
        ),
        (
            vec!["generate", "--seed", "1", "--steps", "3", "--things", "0"],
            "--things",
        ),
        (
            vec!["generate", "--seed", "1", "--steps", "18446744073709551615"],
            "--steps",
        ),
        (
            vec!["generate", "--seed", "1", "--steps", "10000001"],
            "--steps",
        ),
        (vec!["generate", "--seed", "-1", "--steps", "3"], "--seed"),
        (vec!["generate", "--seed", "x", "--steps", "3"], "--seed"),
        (vec!["vectors", "--steps", "0", "d"], "--steps"),
        (vec!["vectors", "--steps", "100001", "d"], "--steps"),
        (vec!["check", "--timer-slack", "3601"], "--timer-slack"),
        (vec!["check", "--timer-slack=-1"], "--timer-slack"),
        (vec!["check", "--bogus"], "--bogus"),
        (vec!["rules", "--format", "svg"], "--format"),
        (vec!["check", "--format", "xml"], "--format"),
    ] {
        let o = run_within(&args, 20);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(named), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_flag_and_its_value_may_be_joined_with_an_equals_sign() {
    let spaced = run(
        &["generate", "--seed", "4", "--steps", "20", "--jobs", "2"],
        "",
    );
    let joined = run(&["generate", "--seed=4", "--steps=20", "--jobs=2"], "");
    assert_eq!(spaced.status.code(), Some(0));
    assert_eq!(spaced.stdout, joined.stdout);
    assert!(!spaced.stdout.is_empty());
    let md = stdout(&run(&["rules", "--format=mermaid"], ""));
    assert!(md.starts_with("stateDiagram-v2"), "{md}");
}

#[test]
fn version_and_help_exit_0_on_standard_output() {
    let o = run(&["--version"], "");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("iot-jobs-spec {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["help", "check"], "");
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--timer-slack"), "{}", stdout(&o));
    // A command line that says nothing gets the usage on standard error, exit 2.
    let o = run(&[], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Usage: iot-jobs-spec <COMMAND>"));
}

#[test]
fn completions_are_written_for_every_shell_and_know_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell], "");
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        for word in ["iot-jobs-spec", "check", "generate", "timer-slack"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    let o = run(&["completions", "tcsh"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tcsh"));
}

#[test]
fn check_and_run_name_standard_input_alike_and_put_diagnostics_on_standard_error() {
    for args in [vec!["check", "-"], vec!["run"], vec!["run", "-"]] {
        let o = run(&args, "{\n");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).starts_with("<stdin>:1: malformed step: not a JSON object"),
            "{args:?}: {}",
            stderr(&o)
        );
        // Standard output holds results only: no diagnostic, whatever the command.
        assert!(
            !stdout(&o).contains("<stdin>:1:"),
            "{args:?}: {}",
            stdout(&o)
        );
    }
    let o = run(&["check", "-"], SETUP);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "<stdin>: 2 steps, 1 checked, all agree\n");
    assert_eq!(stderr(&o), "");
    let unreadable = run(&["check", "/no/such/file.jsonl"], "");
    assert!(stderr(&unreadable).starts_with("/no/such/file.jsonl: cannot read: "));
    assert_eq!(stdout(&unreadable), "/no/such/file.jsonl: cannot be read\n");
}

#[test]
fn check_format_json_reports_every_file_for_ci() {
    let good = file("json-good.jsonl", SETUP);
    let diverging = file(
        "json-diverges.jsonl",
        &format!(
            "{SETUP}{}\n",
            r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"queuedJobs": [{"jobId": "j1"}]}}"#
        ),
    );
    let bad = file("json-bad.jsonl", &format!("{SETUP}nope\n"));
    let o = run(
        &[
            "check",
            "--format",
            "json",
            "--timer-slack",
            "2",
            &good,
            &diverging,
            &bad,
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // The trace layer's report (trace::report) with the options and the worst outcome.
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["timer_slack"], 2);
    assert_eq!(report["time_tolerance"], 0);
    assert_eq!(report["outcome"], "malformed");
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let summary = |f: &serde_json::Value| {
        (
            f["file"].as_str().unwrap().to_owned(),
            f["outcome"].as_str().unwrap().to_owned(),
            f["steps"].as_u64().unwrap(),
            f["agreed"].as_u64().unwrap(),
            f["setup"].as_u64().unwrap(),
            f["not_checked"].as_array().unwrap().len(),
        )
    };
    assert_eq!(
        summary(&files[0]),
        (good.clone(), "agrees".into(), 2, 1, 1, 0)
    );
    assert_eq!(files[0]["stop"], serde_json::Value::Null);
    assert_eq!(
        summary(&files[1]),
        (diverging.clone(), "diverges".into(), 3, 1, 1, 0)
    );
    let d = &files[1]["stop"];
    assert_eq!(d["kind"], "diverged");
    assert_eq!(d["line"], 3);
    assert_eq!(d["step"], "GetPendingJobExecutions");
    assert_eq!(d["part"], "output");
    assert_eq!(d["path"], "/queuedJobs");
    assert_eq!(d["expected"], serde_json::json!([{"jobId": "j1"}]));
    assert_eq!(d["actual"], serde_json::json!([]));
    assert!(d["message"].as_str().unwrap().contains("output differs"));
    assert_eq!(summary(&files[2]).1, "malformed");
    assert_eq!(files[2]["stop"]["kind"], "malformed");
    assert_eq!(files[2]["stop"]["line"], 3);
    assert!(files[2]["stop"]["why"]
        .as_str()
        .unwrap()
        .starts_with("malformed step: not a JSON object"));
    // The exit code is the text format's, and the diagnostics on standard error too.
    let text = run(&["check", &good, &diverging, &bad], "");
    assert_eq!(text.status.code(), Some(2));
    assert_eq!(stderr(&text), stderr(&o));
    for (files, code) in [(vec![&good], 0), (vec![&good, &diverging], 1)] {
        for format in ["text", "json"] {
            let mut args = vec!["check", "--format", format];
            args.extend(files.iter().map(|f| f.as_str()));
            assert_eq!(run(&args, "").status.code(), Some(code), "{args:?}");
        }
    }
}

#[test]
fn check_color_always_draws_the_divergence_as_a_coloured_block() {
    let path = file(
        "colour.jsonl",
        &format!(
            "{SETUP}{}\n",
            r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"queuedJobs": [1]}}"#
        ),
    );
    let o = run(&["check", "--color", "always", &path], "");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("    at /queuedJobs"), "{err}");
    assert!(
        err.contains("the trace expects:     \x1b[32m[1]\x1b[0m"),
        "{err}"
    );
    assert!(
        err.contains("the specification has: \x1b[31m[]\x1b[0m"),
        "{err}"
    );
    // Results stay plain: colour is for diagnostics only.
    assert!(!stdout(&o).contains('\x1b'));
    let never = run(&["check", "--color=never", &path], "");
    assert!(!stderr(&never).contains('\x1b'));
}

/// Runs `command` (a shell command line) under `script`, on a pseudo-terminal, and gives
/// what the terminal received.
#[cfg(target_os = "linux")]
fn on_a_terminal(command: &str, no_color: bool) -> String {
    let mut c = Command::new("script");
    c.args(["-qec", command, "/dev/null"])
        .env("TERM", "xterm")
        .stdin(Stdio::null());
    if no_color {
        c.env("NO_COLOR", "1");
    } else {
        c.env_remove("NO_COLOR");
    }
    let o = c
        .output()
        .expect("`script` (util-linux) runs a command on a pseudo-terminal");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_a_divergence_is_a_coloured_block_unless_no_color_is_set() {
    let path = file(
        "terminal.jsonl",
        &format!(
            "{SETUP}{}\n",
            r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"queuedJobs": [1]}}"#
        ),
    );
    let command = format!("{} check {path}", env!("CARGO_BIN_EXE_iot-jobs-spec"));
    let coloured = on_a_terminal(&command, false);
    assert!(coloured.contains("the trace expects:"), "{coloured}");
    assert!(coloured.contains("\x1b[32m[1]\x1b[0m"), "{coloured}");
    let plain = on_a_terminal(&command, true);
    assert!(plain.contains("the trace expects:     [1]"), "{plain}");
    assert!(!plain.contains("\x1b[32m"), "{plain}");
}

#[cfg(target_os = "linux")]
#[test]
fn progress_is_drawn_on_a_terminal_and_never_in_a_pipe() {
    let bin = env!("CARGO_BIN_EXE_iot-jobs-spec");
    // Standard output to /dev/null, standard error on the terminal.
    let drawn = on_a_terminal(
        &format!("{bin} generate --seed 1 --steps 3000 >/dev/null"),
        false,
    );
    assert!(drawn.contains("generating"), "{drawn}");
    // In a pipe: standard error is the coverage report and nothing else.
    let piped = run(&["generate", "--seed", "1", "--steps", "3000"], "");
    assert!(
        stderr(&piped).starts_with("statuses: "),
        "{}",
        stderr(&piped)
    );
    assert!(!stderr(&piped).contains("generating"));
    assert!(!stderr(&piped).contains('\r') && !stderr(&piped).contains('\x1b'));
}

/// `run` writes an error's `code` and leaves its free-text `message` out: the trace
/// contract (docs/trace-format.md, "Values the rules leave open are opaque") has every
/// free-text `message` compared for presence only, and a producer of vectors leaves it out.
#[test]
fn run_writes_an_errors_code_and_no_message() {
    let o = run(
        &["run"],
        r#"{"call": "DescribeJobExecution", "input": {"thingName": "t1", "jobId": "j1"}}
{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}}
"#,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let error = line["error"].as_object().expect("an error");
        assert_eq!(error["code"], "ResourceNotFoundException", "{line}");
        assert!(!error.contains_key("message"), "{line}");
    }
}

/// `run` echoes what a line wrote as written: a `serde_json::Value` (without the
/// `arbitrary_precision` feature) holds a number past u64 as an f64, so a line written
/// back from its values would say 1.8446744073709552e+19 (`Step::to_line`).
#[test]
fn run_echoes_large_numbers_as_written() {
    let o = run(
        &["run"],
        r#"{"call": "CreateThing", "input": {"thingName": "t1"}, "comment": 18446744073709551616}
"#,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains(r#""comment":18446744073709551616"#),
        "{}",
        stdout(&o)
    );
}

/// Issue 15: a trace recorded in another account and region is checked in its own: the
/// account and region of its first IoT ARN, unless `--account`/`--region` say otherwise.
#[test]
fn check_takes_account_and_region_from_the_trace_or_the_options() {
    let trace = include_str!("../docs/examples/device-lifecycle.jsonl")
        .replace("123456789012", "111122223333")
        .replace("us-east-1", "eu-west-1");
    let path = file("other-account.jsonl", &trace);
    let o = run(&["check", &path], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("account 111122223333, region eu-west-1"));
    let o = run(&["check", "--account", "123456789012", &path], "");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("/thingArn"));
    let o = run(&["check", "--region", "nope", &path], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--region"));
}
