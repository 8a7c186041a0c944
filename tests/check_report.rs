//! The policy of `check` as a library function ([`check_trace`], [`FileCheck`]): the
//! report stops each trace where `check` stops it, counts as it counts, gives the exit
//! code it gives, and its summary and diagnostics are what the CLI prints (on standard
//! output and standard error), word for word, for agreeing, diverging, malformed, partly
//! modelled and unreadable traces.

use std::process::Command;

use iot_jobs_spec::examples::EXAMPLES;
use iot_jobs_spec::trace::{check_trace, FileReport, Outcome, Part, Report, Stop, Tolerance};
use iot_jobs_spec::Config;

const SETUP: &str = r#"{"call": "CreateThing", "input": {"thingName": "t1"}}"#;

fn report(text: &str) -> FileReport {
    check_trace("t.jsonl", text, &Config::default(), &Tolerance::default())
}

/// What `iot-jobs-spec check FILE` prints on standard output and standard error and exits
/// with, FILE holding `text`, its path shown as `t.jsonl`.
fn cli(text: &str) -> (String, String, u8) {
    let dir = std::env::temp_dir().join(format!("iot-jobs-spec-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{:016x}.jsonl", fxhash(text)));
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_iot-jobs-spec"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let shown = |bytes: Vec<u8>| {
        String::from_utf8(bytes)
            .unwrap()
            .replace(path.to_str().unwrap(), "t.jsonl")
    };
    (
        shown(out.stdout),
        shown(out.stderr),
        out.status.code().unwrap() as u8,
    )
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn traces() -> Vec<String> {
    let mut t: Vec<String> = EXAMPLES
        .iter()
        .map(|(_, text)| (*text).to_owned())
        .collect();
    let pending = r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}"#;
    t.extend([
        // Diverges at line 2.
        format!("{SETUP}\n{pending}, \"output\": {{\"queuedJobs\": [{{}}]}}}}\n{SETUP}\n"),
        // Malformed at line 3 (after a blank line).
        format!("{SETUP}\n\n{pending}, \"outptu\": {{}}}}\n"),
        // Outside the model: not checked and stops, or not checked and goes on.
        format!("{SETUP}\n{{\"call\": \"DeleteJobTemplate\", \"input\": {{\"jobTemplateId\": \"j\"}}}}\n{SETUP}\n"),
        format!(
            "{SETUP}\n{{\"call\": \"DeleteJobTemplate\", \"input\": {{\"jobTemplateId\": \"j\"}}, \
             \"error\": {{\"code\": \"ResourceNotFoundException\"}}}}\n{pending}, \"output\": {{}}}}\n"
        ),
        // Not JSON.
        "{\n".to_owned(),
    ]);
    t
}

#[test]
fn the_reports_lines_and_exit_code_are_what_check_prints() {
    let mut stops = std::collections::BTreeSet::new();
    for text in traces() {
        let r = report(&text);
        let (stdout, stderr, code) = cli(&text);
        assert_eq!(stdout, format!("{}\n", r.summary()), "{text}");
        let diagnostics: String = r.diagnostics().iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(stderr, diagnostics, "{text}");
        assert_eq!(code, r.outcome.exit_code(), "{text}");
        stops.insert(match &r.stop {
            None if r.not_checked.is_empty() => "agrees",
            None => "agrees, some not checked",
            Some(Stop::Diverged(_)) => "diverged",
            Some(Stop::Malformed { .. }) => "malformed",
            Some(Stop::Unknown { .. }) => "unknown",
            Some(Stop::Unreadable { .. }) => "unreadable",
        });
    }
    // Every way a trace read to its end or stopped is compared.
    assert_eq!(
        stops.into_iter().collect::<Vec<_>>(),
        [
            "agrees",
            "agrees, some not checked",
            "diverged",
            "malformed",
            "unknown"
        ]
    );
}

#[test]
fn a_trace_that_cannot_be_opened_is_malformed_and_says_why() {
    let missing = "/no/such/dir/t.jsonl";
    let out = Command::new(env!("CARGO_BIN_EXE_iot-jobs-spec"))
        .args(["check", missing])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    let why = err
        .trim_end()
        .strip_prefix(&format!("{missing}: cannot read: "))
        .unwrap_or_else(|| panic!("{err}"));
    let r = FileReport::unreadable(missing, why);
    assert_eq!(r.outcome, Outcome::Malformed);
    assert_eq!((r.steps, r.agreed), (0, 0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n", r.summary())
    );
    assert_eq!(err, format!("{}\n", r.diagnostics().join("\n")));
    assert_eq!(out.status.code(), Some(i32::from(r.outcome.exit_code())));
    assert_eq!(r.summary(), format!("{missing}: cannot be read"));
}

#[test]
fn a_trace_stops_at_its_first_divergence_with_where_and_what() {
    let pending = r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}"#;
    let text = format!("{SETUP}\n{pending}, \"output\": {{\"queuedJobs\": [{{}}]}}}}\n{SETUP}\n");
    let r = report(&text);
    assert_eq!(r.outcome, Outcome::Diverges);
    assert_eq!((r.steps, r.agreed, r.setup), (2, 0, 1));
    let d = r.divergence().expect("a divergence");
    assert_eq!(d.line, 2);
    assert_eq!(d.step, "GetPendingJobExecutions");
    assert_eq!(d.divergence.part, Part::Output);
    assert_eq!(d.divergence.path, "/queuedJobs");
    assert_eq!(d.divergence.expected, serde_json::json!([{}]));
    assert_eq!(d.divergence.actual, Some(serde_json::json!([])));
    // Serialized for a machine: the kind of stop, the path and both values.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["stop"]["kind"], "diverged");
    assert_eq!(json["stop"]["path"], "/queuedJobs");
    assert_eq!(json["stop"]["actual"], serde_json::json!([]));
    assert_eq!(json["outcome"], "diverges");
}

#[test]
fn the_worst_trace_decides_the_exit_code() {
    let all: Vec<_> = traces().iter().map(|t| report(t)).collect();
    let outcomes: Vec<Outcome> = all.iter().map(|r| r.outcome).collect();
    assert!(outcomes.contains(&Outcome::Agrees));
    assert!(outcomes.contains(&Outcome::Diverges));
    assert!(outcomes.contains(&Outcome::Malformed));
    assert_eq!(Report { files: all.clone() }.exit_code(), 2);
    let no_malformed: Vec<_> = all
        .into_iter()
        .filter(|r| r.outcome != Outcome::Malformed)
        .collect();
    assert_eq!(
        Report {
            files: no_malformed
        }
        .exit_code(),
        1
    );
    assert_eq!(Report::default().exit_code(), 0);
}

#[test]
fn a_malformed_line_and_an_unknown_state_stop_the_trace_where_they_are() {
    let r = report(&format!(
        "{SETUP}\n\n{{\"call\": \"CreateThing\", \"outptu\": {{}}}}\n{SETUP}\n"
    ));
    assert_eq!(r.outcome, Outcome::Malformed);
    let Some(Stop::Malformed { line, why }) = &r.stop else {
        panic!("{r:?}")
    };
    assert_eq!(*line, 3);
    assert!(
        why.starts_with("malformed step: unknown key `outptu`"),
        "{why}"
    );
    let r = report(&format!(
        "{SETUP}\n{{\"call\": \"DeleteJobTemplate\", \"input\": {{\"jobTemplateId\": \"j\"}}}}\n{SETUP}\n"
    ));
    assert_eq!(r.outcome, Outcome::Agrees);
    assert_eq!(r.stop, Some(Stop::Unknown { line: 2 }));
    assert_eq!(r.steps, 2, "the step after it is not read");
}
