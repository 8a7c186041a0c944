//! How `check` shows what [`trace::report`](iot_jobs_spec::trace::FileCheck) found: the
//! summary line of each file on standard output, the diagnostics on standard error (one
//! line each, and under a divergence a readable expected-against-actual block on a
//! terminal, coloured unless NO_COLOR), and the `--format json` report. The words are the
//! trace layer's ([`FileReport::summary`], [`FileReport::diagnostics`]); this module adds
//! only colour, the block and the JSON envelope.

use iot_jobs_spec::trace::{
    FileReport, FirstDivergence, NotChecked, Part, Report, Stop, Tolerance,
};
use serde::Serialize;

/// How diagnostics are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    /// ANSI colours.
    pub(crate) color: bool,
    /// The expected/actual block under a divergence's line (on a terminal).
    pub(crate) block: bool,
}

#[cfg(test)]
impl Style {
    /// Plain lines, as in a pipe or a file.
    pub(crate) const PLAIN: Style = Style {
        color: false,
        block: false,
    };
}

/// The longest value the block shows in full; a longer one is cut with a marker.
const SHOWN_MAX: usize = 240;

/// The diagnostic of a step outside the model: `FILE:LINE: not checked: REASON`.
pub(crate) fn not_checked(file: &str, n: &NotChecked) -> String {
    format!("{file}:{}: not checked: {}", n.line, n.reason)
}

/// The diagnostic of what stopped a file, if it says anything of its own (a step outside
/// the model that stops it has said so in its not-checked line): the last of
/// [`FileReport::diagnostics`], its `FILE:LINE` in bold with `style.color`, and under a
/// divergence the block with `style.block`.
pub(crate) fn stop(r: &FileReport, style: Style) -> Option<String> {
    let file = &r.file;
    let (at, rest) = match r.stop.as_ref()? {
        Stop::Diverged(d) => return Some(divergence(file, d, style)),
        Stop::Malformed { line, why } => (format!("{file}:{line}"), why.clone()),
        Stop::Unreadable { why } => (file.clone(), format!("cannot read: {why}")),
        Stop::Unknown { .. } => return None,
    };
    Some(format!("{}: {rest}", paint(&at, BOLD, style)))
}

/// The diagnostic of a divergence: `FILE:LINE: STEP: MESSAGE`, and with `style.block`
/// for a divergence in `output` or `error` the path and both values on lines of their own
/// (coloured with `style.color`); the events and success against an error are shown by
/// their message alone.
pub(crate) fn divergence(file: &str, d: &FirstDivergence, style: Style) -> String {
    let mut out = format!(
        "{}: {}: {}",
        paint(&format!("{file}:{}", d.line), BOLD, style),
        d.step,
        d.message
    );
    let found = &d.divergence;
    if style.block && matches!(found.part, Part::Output | Part::Error) {
        if !found.path.is_empty() {
            out.push_str(&format!("\n    at {}", found.path));
        }
        out.push_str(&format!(
            "\n    the trace expects:     {}",
            paint(&shown(&found.expected.to_string()), GREEN, style)
        ));
        let actual = match &found.actual {
            Some(v) => shown(&v.to_string()),
            None => "(left out)".to_owned(),
        };
        out.push_str(&format!(
            "\n    the specification has: {}",
            paint(&actual, RED, style)
        ));
    }
    out
}

/// The `--format json` report: the options, the worst outcome, and every file's
/// [`FileReport`] as the trace layer serializes it.
pub(crate) fn json(tolerance: &Tolerance, files: Vec<FileReport>) -> String {
    #[derive(Serialize)]
    struct Json {
        timer_slack: u64,
        time_tolerance: u64,
        outcome: iot_jobs_spec::trace::Outcome,
        #[serde(flatten)]
        report: Report,
    }
    let report = Report { files };
    let json = Json {
        timer_slack: tolerance.timer_slack,
        time_tolerance: tolerance.time_tolerance,
        outcome: report.outcome(),
        report,
    };
    // A report of strings, numbers and JSON values always serializes.
    serde_json::to_string_pretty(&json).unwrap_or_default()
}

/// `text`, cut after [`SHOWN_MAX`] characters with a marker saying how much is left out.
fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_MAX) {
        None => text.to_owned(),
        Some((i, _)) => format!("{}… ({} more bytes)", &text[..i], text.len() - i),
    }
}

const BOLD: &str = "\x1b[1m";
const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";

fn paint(text: &str, code: &str, style: Style) -> String {
    if style.color {
        format!("{code}{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iot_jobs_spec::trace::{check_trace, Divergence};
    use iot_jobs_spec::Config;
    use serde_json::{json, Value};

    fn divergence_at_3(part: Part) -> FirstDivergence {
        let message = "output differs at /queuedJobs: expected [1], the specification gives []";
        FirstDivergence {
            line: 3,
            step: "GetPendingJobExecutions".into(),
            message: message.into(),
            divergence: Divergence {
                part,
                path: "/queuedJobs".into(),
                expected: json!([1]),
                actual: Some(json!([])),
                note: None,
            },
        }
    }

    const BLOCK: Style = Style {
        color: false,
        block: true,
    };

    #[test]
    fn a_divergence_is_one_line_in_a_pipe_and_a_block_on_a_terminal() {
        let d = divergence_at_3(Part::Output);
        assert_eq!(
            divergence("f", &d, Style::PLAIN),
            format!("f:3: GetPendingJobExecutions: {}", d.message)
        );
        let block = divergence("f", &d, BLOCK);
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(
            lines[1..],
            [
                "    at /queuedJobs",
                "    the trace expects:     [1]",
                "    the specification has: []"
            ]
        );
        let coloured = divergence(
            "f",
            &d,
            Style {
                color: true,
                block: true,
            },
        );
        assert!(coloured.starts_with("\x1b[1mf:3\x1b[0m: "), "{coloured}");
        assert!(coloured.contains("\x1b[32m[1]\x1b[0m"), "{coloured}");
        assert!(coloured.contains("\x1b[31m[]\x1b[0m"), "{coloured}");
    }

    #[test]
    fn the_block_is_for_output_and_error_and_says_a_member_left_out() {
        let mut d = divergence_at_3(Part::Error);
        d.divergence.path = String::new();
        d.divergence.actual = None;
        let block = divergence("f", &d, BLOCK);
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(
            lines[1..],
            [
                "    the trace expects:     [1]",
                "    the specification has: (left out)"
            ]
        );
        for part in [Part::Events, Part::Answer] {
            let d = divergence_at_3(part);
            assert_eq!(
                divergence("f", &d, BLOCK),
                divergence("f", &d, Style::PLAIN)
            );
        }
    }

    #[test]
    fn a_long_value_is_cut_with_a_marker() {
        let long = "x".repeat(10_000);
        let cut = shown(&long);
        assert!(cut.len() < 300, "{}", cut.len());
        assert!(cut.ends_with(&format!("… ({} more bytes)", 10_000 - SHOWN_MAX)));
        assert_eq!(shown("short"), "short");
        // Characters, not bytes: a cut never splits one.
        let wide = "é".repeat(SHOWN_MAX + 1);
        assert!(shown(&wide).starts_with(&"é".repeat(SHOWN_MAX)));
    }

    #[test]
    fn a_plain_stop_is_the_last_diagnostic_of_the_trace_layer() {
        let setup = r#"{"call": "CreateThing", "input": {"thingName": "t1"}}"#;
        let traces = [
            format!("{setup}\n{{\"call\": \"GetPendingJobExecutions\", \"input\": {{\"thingName\": \"t1\"}}, \"output\": {{\"queuedJobs\": [1]}}}}\n"),
            format!("{setup}\nnope\n"),
        ];
        for text in traces {
            let r = check_trace("f", &text, &Config::default(), &Tolerance::default());
            assert_eq!(
                stop(&r, Style::PLAIN).as_ref(),
                r.diagnostics().last(),
                "{text}"
            );
        }
        let r = FileReport::unreadable("g", "gone");
        assert_eq!(
            stop(&r, Style::PLAIN).as_deref(),
            Some("g: cannot read: gone")
        );
        let r = check_trace(
            "f",
            &format!("{setup}\n{{\"call\": \"DeleteJobTemplate\", \"input\": {{\"jobTemplateId\": \"j\"}}}}\n"),
            &Config::default(),
            &Tolerance::default(),
        );
        assert_eq!(stop(&r, Style::PLAIN), None);
        assert_eq!(not_checked("f", &r.not_checked[0]), r.diagnostics()[0]);
    }

    #[test]
    fn the_json_report_has_the_options_the_worst_outcome_and_every_file() {
        let d = FileReport {
            outcome: iot_jobs_spec::trace::Outcome::Diverges,
            steps: 3,
            agreed: 1,
            setup: 1,
            stop: Some(Stop::Diverged(divergence_at_3(Part::Output))),
            ..check_trace("f", "", &Config::default(), &Tolerance::default())
        };
        let ok = check_trace("g", "", &Config::default(), &Tolerance::default());
        let tolerance = Tolerance {
            timer_slack: 60,
            time_tolerance: 2,
        };
        let v: Value = serde_json::from_str(&json(&tolerance, vec![ok, d])).unwrap();
        assert_eq!(
            (&v["timer_slack"], &v["time_tolerance"]),
            (&json!(60), &json!(2))
        );
        assert_eq!(v["outcome"], "diverges");
        assert_eq!(v["files"][0]["outcome"], "agrees");
        assert_eq!(v["files"][0]["stop"], Value::Null);
        let f = &v["files"][1];
        assert_eq!(
            (
                &f["file"],
                &f["steps"],
                &f["agreed"],
                &f["setup"],
                &f["not_checked"]
            ),
            (&json!("f"), &json!(3), &json!(1), &json!(1), &json!([]))
        );
        let s = &f["stop"];
        assert_eq!(
            (&s["kind"], &s["line"], &s["step"]),
            (
                &json!("diverged"),
                &json!(3),
                &json!("GetPendingJobExecutions")
            )
        );
        assert_eq!(s["path"], "/queuedJobs");
        assert_eq!((&s["expected"], &s["actual"]), (&json!([1]), &json!([])));
        let none: Value = serde_json::from_str(&json(&Tolerance::default(), vec![])).unwrap();
        assert_eq!(none["outcome"], "agrees");
    }
}
