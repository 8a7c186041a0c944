//! What `check` found in each file, and every way it is shown: the summary line on
//! standard output, the diagnostics on standard error (one line, plus a readable expected
//! against actual block on a terminal), and the `--format json` report.
//!
//! The rendering takes only the small [`FileReport`] defined here, filled by `check` from
//! what the trace layer gives today ([`Verdict`](iot_jobs_spec::trace::Verdict) and its
//! [`Divergence`](iot_jobs_spec::trace::Divergence)). [`Diff::of`] is the one place that
//! reads the trace layer's divergence.

use serde::Serialize;
use serde_json::Value;

use super::Outcome;

/// How one file ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FileVerdict {
    /// Every checked step agrees (maybe stopped early at a step outside the model).
    Agrees,
    /// A step diverges; the file stopped there.
    Diverges,
    /// A line is malformed or unsupported, or the file cannot be read; it stopped there.
    Malformed,
}

impl FileVerdict {
    /// The exit code it gives.
    pub(crate) fn outcome(self) -> Outcome {
        match self {
            FileVerdict::Agrees => Outcome::Agrees,
            FileVerdict::Diverges => Outcome::Diverges,
            FileVerdict::Malformed => Outcome::Malformed,
        }
    }
}

/// What `check` found in one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileReport {
    /// The file as named on the command line (`<stdin>` for standard input).
    pub(crate) path: String,
    /// How it ended.
    pub(crate) verdict: FileVerdict,
    /// Steps read (blank lines are not steps).
    pub(crate) steps: usize,
    /// Steps that expected something and agree.
    pub(crate) agreed: usize,
    /// Steps that expected nothing (executed, not checked).
    pub(crate) setup: usize,
    /// Steps outside the model, not checked.
    pub(crate) not_checked: usize,
    /// The line of a step outside the model after which the state is unknown, where the
    /// file stopped without a divergence.
    pub(crate) stopped_at: Option<usize>,
    /// The first divergence.
    pub(crate) first_divergence: Option<Divergence>,
    /// Why the file could not be checked to its end: a malformed or unsupported line, or
    /// the file not read.
    pub(crate) malformed: Option<Problem>,
}

impl FileReport {
    /// A report for `path` with nothing counted yet.
    pub(crate) fn new(path: &str) -> Self {
        FileReport {
            path: path.to_owned(),
            verdict: FileVerdict::Agrees,
            steps: 0,
            agreed: 0,
            setup: 0,
            not_checked: 0,
            stopped_at: None,
            first_divergence: None,
            malformed: None,
        }
    }
}

/// A step where the specification answers otherwise than the trace expects.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Divergence {
    /// Its line in the file.
    pub(crate) line: usize,
    /// The call's name, or `publish TOPIC`.
    pub(crate) step: String,
    /// How it differs, in words.
    pub(crate) message: String,
    /// Where and how, when the message names the two values.
    #[serde(flatten)]
    pub(crate) diff: Option<Diff>,
}

/// The first differing value: where it is and the two values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Diff {
    /// A JSON-pointer-like path inside `output` or `error`, when the message gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    /// What the trace expects there.
    pub(crate) expected: Value,
    /// What the specification answers there; `None` (no `actual` in the JSON report)
    /// when it leaves the member out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) actual: Option<Value>,
}

/// Why a file could not be checked to its end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Problem {
    /// The line, when the problem is one line's.
    pub(crate) line: Option<usize>,
    /// What is wrong, as the diagnostic says it after `FILE:LINE: `.
    pub(crate) message: String,
}

impl Diff {
    /// The expected-against-actual pair of a divergence in `output` or `error`; `None` for
    /// the events and for success against an error, which are shown as their message.
    pub(crate) fn of(d: &iot_jobs_spec::trace::Divergence) -> Option<Diff> {
        use iot_jobs_spec::trace::Part;
        match d.part {
            Part::Output | Part::Error => Some(Diff {
                path: Some(d.path.clone()).filter(|p| !p.is_empty()),
                expected: d.expected.clone(),
                actual: d.actual.clone(),
            }),
            Part::Answer | Part::Events => None,
        }
    }
}

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

/// The summary line of a file, for standard output in text format.
pub(crate) fn summary(r: &FileReport) -> String {
    let path = &r.path;
    let agreed = r.agreed;
    match (r.verdict, &r.first_divergence, &r.malformed, r.stopped_at) {
        (FileVerdict::Diverges, Some(d), _, _) => format!(
            "{path}: diverges at line {} ({agreed} checked steps agree before it)",
            d.line
        ),
        (FileVerdict::Malformed, _, Some(Problem { line: Some(n), .. }), _) => {
            format!("{path}: malformed at line {n} ({agreed} checked steps agree before it)")
        }
        (FileVerdict::Malformed, _, _, _) => format!("{path}: cannot be read"),
        (_, _, _, Some(n)) => format!(
            "{path}: stopped at line {n}: the state after it is unknown \
             ({agreed} checked steps agree before it)"
        ),
        _ => {
            let note = if r.not_checked > 0 {
                format!(", {} not checked", r.not_checked)
            } else {
                String::new()
            };
            format!(
                "{path}: {} steps, {agreed} checked, all agree{note}",
                r.steps
            )
        }
    }
}

/// The diagnostic of a divergence: `FILE:LINE: STEP: MESSAGE`, and with `style.block`
/// the path and both values on lines of their own (coloured with `style.color`).
pub(crate) fn divergence(path: &str, d: &Divergence, style: Style) -> String {
    let mut out = format!(
        "{}: {}: {}",
        paint(&format!("{path}:{}", d.line), BOLD, style),
        d.step,
        d.message
    );
    if let (true, Some(diff)) = (style.block, &d.diff) {
        if let Some(p) = &diff.path {
            out.push_str(&format!("\n    at {p}"));
        }
        out.push_str(&format!(
            "\n    the trace expects:     {}",
            paint(&shown(&diff.expected.to_string()), GREEN, style)
        ));
        let actual = match &diff.actual {
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

/// The diagnostic of a problem: `FILE:LINE: MESSAGE` (`FILE: MESSAGE` without a line).
pub(crate) fn problem(path: &str, p: &Problem, style: Style) -> String {
    let at = match p.line {
        Some(n) => format!("{path}:{n}"),
        None => path.to_owned(),
    };
    format!("{}: {}", paint(&at, BOLD, style), p.message)
}

/// The `--format json` report: the options, the worst verdict, and every file's report.
pub(crate) fn json(timer_slack: u64, files: &[FileReport]) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Report<'a> {
        timer_slack: u64,
        verdict: FileVerdict,
        files: &'a [FileReport],
    }
    let verdict = files
        .iter()
        .map(|f| f.verdict)
        .max_by_key(|v| v.outcome())
        .unwrap_or(FileVerdict::Agrees);
    let report = Report {
        timer_slack,
        verdict,
        files,
    };
    // A report of strings, numbers and JSON values always serializes.
    serde_json::to_string_pretty(&report).unwrap_or_default()
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
    use serde_json::json;

    #[test]
    fn a_divergence_in_output_or_error_gives_its_path_and_both_values() {
        use iot_jobs_spec::trace::{Divergence as Found, Part};
        let found = |part, path: &str, actual| Found {
            part,
            path: path.into(),
            expected: json!(3),
            actual,
            note: None,
        };
        let d = Diff::of(&found(
            Part::Output,
            "/execution/versionNumber",
            Some(json!(2)),
        ))
        .unwrap();
        assert_eq!(d.path.as_deref(), Some("/execution/versionNumber"));
        assert_eq!((d.expected, d.actual), (json!(3), Some(json!(2))));
        let d = Diff::of(&found(Part::Error, "", None)).unwrap();
        assert_eq!((d.path, d.actual), (None, None));
        assert_eq!(Diff::of(&found(Part::Events, "/0", None)), None);
        assert_eq!(Diff::of(&found(Part::Answer, "", None)), None);
    }

    fn divergence_at_3() -> Divergence {
        let message = "output differs at /queuedJobs: expected [1], the specification gives []";
        Divergence {
            line: 3,
            step: "GetPendingJobExecutions".into(),
            message: message.into(),
            diff: Some(Diff {
                path: Some("/queuedJobs".into()),
                expected: json!([1]),
                actual: Some(json!([])),
            }),
        }
    }

    #[test]
    fn a_divergence_is_one_line_in_a_pipe_and_a_block_on_a_terminal() {
        let d = divergence_at_3();
        assert_eq!(
            divergence("f", &d, Style::PLAIN),
            format!("f:3: GetPendingJobExecutions: {}", d.message)
        );
        let block = divergence(
            "f",
            &d,
            Style {
                color: false,
                block: true,
            },
        );
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
    fn the_summary_line_says_how_each_file_ended() {
        let mut r = FileReport::new("f");
        r.steps = 5;
        r.agreed = 3;
        assert_eq!(summary(&r), "f: 5 steps, 3 checked, all agree");
        r.not_checked = 1;
        assert_eq!(
            summary(&r),
            "f: 5 steps, 3 checked, all agree, 1 not checked"
        );
        r.stopped_at = Some(4);
        assert_eq!(
            summary(&r),
            "f: stopped at line 4: the state after it is unknown (3 checked steps agree before it)"
        );
        r.verdict = FileVerdict::Diverges;
        r.first_divergence = Some(divergence_at_3());
        assert_eq!(
            summary(&r),
            "f: diverges at line 3 (3 checked steps agree before it)"
        );
        let mut m = FileReport::new("g");
        m.verdict = FileVerdict::Malformed;
        assert_eq!(summary(&m), "g: cannot be read");
        m.malformed = Some(Problem {
            line: Some(2),
            message: "malformed step: x".into(),
        });
        assert_eq!(
            summary(&m),
            "g: malformed at line 2 (0 checked steps agree before it)"
        );
    }

    #[test]
    fn the_json_report_names_every_member_ci_reads() {
        let mut r = FileReport::new("f");
        r.verdict = FileVerdict::Diverges;
        r.steps = 3;
        r.agreed = 1;
        r.setup = 1;
        r.first_divergence = Some(divergence_at_3());
        let ok = FileReport::new("g");
        let v: Value = serde_json::from_str(&json(60, &[ok, r])).unwrap();
        assert_eq!(v["timerSlack"], 60);
        assert_eq!(v["verdict"], "diverges");
        assert_eq!(v["files"][0]["verdict"], "agrees");
        assert_eq!(v["files"][0]["firstDivergence"], Value::Null);
        let f = &v["files"][1];
        assert_eq!(
            (
                &f["path"],
                &f["steps"],
                &f["agreed"],
                &f["setup"],
                &f["notChecked"]
            ),
            (&json!("f"), &json!(3), &json!(1), &json!(1), &json!(0))
        );
        let d = &f["firstDivergence"];
        assert_eq!(d["line"], 3);
        assert_eq!(d["step"], "GetPendingJobExecutions");
        assert_eq!(d["path"], "/queuedJobs");
        assert_eq!((&d["expected"], &d["actual"]), (&json!([1]), &json!([])));
        assert!(json(0, &[]).contains("\"verdict\": \"agrees\""));
    }
}
