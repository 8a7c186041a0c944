//! What `check` concludes about whole traces, as data: the policy of stopping a file at its
//! first divergence, at a malformed line, or where the state becomes unknown, and the exit
//! code over many files (docs/trace-format.md, "Exit codes"). The CLI, a server and a
//! replayer feed lines to [`FileCheck`] and print or serialize the [`FileReport`]s it
//! gives; nothing here reads a file.
//!
//! ```
//! use iot_jobs_spec::trace::{FileCheck, Outcome, Report, Tolerance};
//! use iot_jobs_spec::Config;
//!
//! let trace = r#"{"call": "CreateThing", "input": {"thingName": "t1"}}
//! {"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"queuedJobs": [1]}}"#;
//! let mut check = FileCheck::new("t.jsonl", &Config::default(), &Tolerance::default());
//! for line in trace.lines() {
//!     if !check.line(line) {
//!         break;
//!     }
//! }
//! let report = Report { files: vec![check.finish()] };
//! assert_eq!(report.outcome(), Outcome::Diverges);
//! let first = report.files[0].divergence().unwrap();
//! assert_eq!((first.line, first.divergence.path.as_str()), (2, "/queuedJobs"));
//! ```

use serde::Serialize;

use super::{Action, Checker, Divergence, StepText, Tolerance, Verdict};
use crate::config::Config;

/// How a trace (or a set of them) came out, ordered from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every checked step agrees (steps outside the model are not checked).
    Agrees,
    /// A step diverges.
    Diverges,
    /// A line is malformed, cannot be read, or uses what this version cannot execute.
    Malformed,
}

impl Outcome {
    /// The exit code of `check`: 0, 1 or 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Agrees => 0,
            Outcome::Diverges => 1,
            Outcome::Malformed => 2,
        }
    }
}

/// The first divergence of a trace, diff-friendly.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FirstDivergence {
    /// The line (1-based).
    pub line: usize,
    /// The step: its call, or `publish TOPIC`.
    pub step: String,
    /// Where and how it diverges.
    #[serde(flatten)]
    pub divergence: Divergence,
    /// The divergence in words, as `check` prints it.
    pub message: String,
}

/// Why a trace stopped before its end.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stop {
    /// A step diverged: the states no longer agree after it.
    Diverged(FirstDivergence),
    /// A line is malformed (or could not be read, or uses what this version cannot
    /// execute).
    Malformed {
        /// The line (1-based).
        line: usize,
        /// What is wrong, with what it says first (`malformed step`, `not supported`,
        /// `cannot read the line`).
        why: String,
    },
    /// A step outside the model that did not expect an error: the state after it is
    /// unknown.
    Unknown {
        /// The line (1-based).
        line: usize,
    },
    /// The trace could not be opened: no line of it was read.
    Unreadable {
        /// Why, as the reader said it.
        why: String,
    },
}

/// A step that was not checked: it uses an AWS feature the specification does not model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotChecked {
    /// The line (1-based).
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// What checking one trace found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileReport {
    /// The trace's name, as the caller gave it.
    pub file: String,
    /// How it came out.
    pub outcome: Outcome,
    /// Steps read (blank lines are not steps).
    pub steps: usize,
    /// Steps that expected something and agree.
    pub agreed: usize,
    /// Steps that expected nothing (executed, not checked).
    pub setup: usize,
    /// Steps outside the model, in order.
    pub not_checked: Vec<NotChecked>,
    /// Why the trace stopped before its end, if it did.
    pub stop: Option<Stop>,
}

impl FileReport {
    /// The first divergence, if the trace stopped at one.
    pub fn divergence(&self) -> Option<&FirstDivergence> {
        match &self.stop {
            Some(Stop::Diverged(d)) => Some(d),
            _ => None,
        }
    }

    /// A report of the trace named `file` that could not be opened (`why`): malformed,
    /// with no step read.
    pub fn unreadable(file: impl Into<String>, why: impl std::fmt::Display) -> Self {
        FileReport {
            outcome: Outcome::Malformed,
            stop: Some(Stop::Unreadable {
                why: why.to_string(),
            }),
            ..FileReport::empty(file.into())
        }
    }

    fn empty(file: String) -> Self {
        FileReport {
            file,
            outcome: Outcome::Agrees,
            steps: 0,
            agreed: 0,
            setup: 0,
            not_checked: Vec::new(),
            stop: None,
        }
    }

    /// The diagnostics of the trace, in the order found, as `check` writes them to
    /// standard error: `FILE:LINE: not checked: ...` for each step outside the model, then
    /// what stopped it, `FILE:LINE: STEP: MESSAGE` for a divergence, `FILE:LINE: WHY` for a
    /// malformed line, `FILE: cannot read: WHY` for a trace that could not be opened (a
    /// step outside the model that stops it has said so in its own line).
    pub fn diagnostics(&self) -> Vec<String> {
        let file = &self.file;
        let mut out: Vec<String> = self
            .not_checked
            .iter()
            .map(|n| format!("{file}:{}: not checked: {}", n.line, n.reason))
            .collect();
        match &self.stop {
            Some(Stop::Diverged(d)) => {
                out.push(format!("{file}:{}: {}: {}", d.line, d.step, d.message));
            }
            Some(Stop::Malformed { line, why }) => out.push(format!("{file}:{line}: {why}")),
            Some(Stop::Unreadable { why }) => out.push(format!("{file}: cannot read: {why}")),
            Some(Stop::Unknown { .. }) | None => {}
        }
        out
    }

    /// How the trace came out in one line, as `check` writes it to standard output.
    pub fn summary(&self) -> String {
        let file = &self.file;
        let agreed = self.agreed;
        match &self.stop {
            Some(Stop::Diverged(d)) => format!(
                "{file}: diverges at line {} ({agreed} checked steps agree before it)",
                d.line
            ),
            Some(Stop::Malformed { line, .. }) => {
                format!("{file}: malformed at line {line} ({agreed} checked steps agree before it)")
            }
            Some(Stop::Unreadable { .. }) => format!("{file}: cannot be read"),
            Some(Stop::Unknown { line }) => format!(
                "{file}: stopped at line {line}: the state after it is unknown ({agreed} \
                 checked steps agree before it)"
            ),
            None => {
                let note = match self.not_checked.len() {
                    0 => String::new(),
                    n => format!(", {n} not checked"),
                };
                format!(
                    "{file}: {} steps, {agreed} checked, all agree{note}",
                    self.steps
                )
            }
        }
    }
}

/// What checking several traces found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// One report a trace, in the order checked.
    pub files: Vec<FileReport>,
}

impl Report {
    /// The worst outcome of any trace (2 over 1 over 0); agrees when there is none.
    pub fn outcome(&self) -> Outcome {
        self.files
            .iter()
            .map(|f| f.outcome)
            .max()
            .unwrap_or(Outcome::Agrees)
    }

    /// The exit code of `check` over these traces.
    pub fn exit_code(&self) -> u8 {
        self.outcome().exit_code()
    }
}

/// Checks one trace line by line, as `check` does: each line is read and checked against
/// the specification; the trace stops at its first divergence, at a malformed line, or at
/// a step outside the model whose effect is unknown.
#[derive(Clone, Debug)]
pub struct FileCheck {
    checker: Checker,
    report: FileReport,
    line: usize,
}

impl FileCheck {
    /// A check of the trace named `file`, against specifications with `config`.
    pub fn new(file: impl Into<String>, config: &Config, tolerance: &Tolerance) -> Self {
        Self {
            checker: Checker::new(config, tolerance),
            report: FileReport::empty(file.into()),
            line: 0,
        }
    }

    /// Checks the next line (without its line ending). `false` once the trace has
    /// stopped: the lines after it are not checked.
    pub fn line(&mut self, line: &str) -> bool {
        if self.report.stop.is_some() {
            return false;
        }
        self.line += 1;
        let step = match self.checker.read(line) {
            Ok(Some(step)) => step,
            Ok(None) => return true,
            Err(why) => return self.malformed(format!("malformed step: {why}")),
        };
        self.report.steps += 1;
        match self.checker.check_text(&step) {
            Ok(verdict) => self.verdict(&step, verdict),
            Err(why) => self.malformed(format!("malformed step: {why}")),
        }
    }

    /// The next line could not be read (`why`): the trace stops there, malformed.
    pub fn unreadable(&mut self, why: impl std::fmt::Display) {
        if self.report.stop.is_none() {
            self.line += 1;
            self.malformed(format!("cannot read the line: {why}"));
        }
    }

    /// The report so far (the whole of it once every line is in).
    pub fn finish(self) -> FileReport {
        self.report
    }

    /// The report so far, for a caller that shows what is found as it is found.
    pub fn report(&self) -> &FileReport {
        &self.report
    }

    /// The specifications still consistent with the trace.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    fn verdict(&mut self, step: &StepText<'_>, verdict: Verdict) -> bool {
        let line = self.line;
        let r = &mut self.report;
        match verdict {
            Verdict::Agrees => r.agreed += 1,
            Verdict::Setup => r.setup += 1,
            Verdict::Diverges(divergence) => {
                r.outcome = Outcome::Diverges;
                r.stop = Some(Stop::Diverged(FirstDivergence {
                    line,
                    step: label(step.action()),
                    message: divergence.to_string(),
                    divergence,
                }));
                return false;
            }
            Verdict::NotChecked { reason, stop } => {
                r.not_checked.push(NotChecked { line, reason });
                if stop {
                    r.stop = Some(Stop::Unknown { line });
                    return false;
                }
            }
            Verdict::Unsupported(why) => return self.malformed(format!("not supported: {why}")),
        }
        true
    }

    fn malformed(&mut self, why: String) -> bool {
        self.report.outcome = Outcome::Malformed;
        self.report.stop = Some(Stop::Malformed {
            line: self.line,
            why,
        });
        false
    }
}

/// A step in a few words: its call, or `publish TOPIC`.
fn label(action: &Action) -> String {
    match action {
        Action::Call { name, .. } => name.clone(),
        Action::Publish { topic, .. } => format!("publish {topic}"),
    }
}

/// Checks a whole trace given as text (lines ended by `\n` or `\r\n`).
pub fn check_trace(file: &str, text: &str, config: &Config, tolerance: &Tolerance) -> FileReport {
    let mut check = FileCheck::new(file, config, tolerance);
    for line in text.lines() {
        if !check.line(line) {
            break;
        }
    }
    check.finish()
}
