//! The parity report: what a replay found, per file, per operation and per decision
//! number, with the first diverging step of each. A step exercises the decisions of the
//! transition-table rows ([`iot_jobs_spec::rules::TRANSITIONS`]) the specification took
//! for it (its `TransitionRecord`s): a refusal that changes nothing takes no row and is
//! counted under its operation only.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use iot_jobs_spec::trace::judge::Sides;
use iot_jobs_spec::trace::{Outcome, Stop};
use serde::Serialize;

use super::{FileRun, Run};

/// What the replay learnt about one step, besides the check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepInfo {
    /// The line (1-based).
    pub line: usize,
    /// The operation: the call's name, or `MQTT ` and the request topic's tail
    /// (`MQTT {jobId}/update`).
    pub operation: String,
    /// The decision numbers of the transition rows the specification took for it.
    pub decisions: Vec<String>,
}

/// How a step came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Agreed,
    Diverged,
    NotChecked,
    NotReached,
}

/// Where a divergence is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Where {
    /// The file.
    pub file: String,
    /// The line.
    pub line: usize,
    /// The divergence in words.
    pub message: String,
}

/// Counts for an operation or a decision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Checked steps that agree.
    pub agreed: usize,
    /// Steps that diverge (each the first of its file).
    pub diverged: usize,
    /// Steps not checked (outside the model, or needing what the replay lacked).
    pub not_checked: usize,
    /// The first diverging step.
    pub first_divergence: Option<Where>,
}

impl Tally {
    fn add(&mut self, fate: Fate, at: impl FnOnce() -> Where) {
        match fate {
            Fate::Agreed => self.agreed += 1,
            Fate::NotChecked => self.not_checked += 1,
            Fate::NotReached => {}
            Fate::Diverged => {
                self.diverged += 1;
                if self.first_divergence.is_none() {
                    self.first_divergence = Some(at());
                }
            }
        }
    }

    /// Whether the implementation follows it: some step agrees and none diverges.
    pub fn follows(&self) -> bool {
        self.diverged == 0 && self.agreed > 0
    }
}

/// One file's line of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileParity {
    /// The file.
    pub file: String,
    /// How it came out.
    pub outcome: Outcome,
    /// Steps read.
    pub steps: usize,
    /// Checked steps that agree.
    pub agreed: usize,
    /// Steps not checked, with why.
    pub not_checked: Vec<String>,
    /// What stopped the file, in words (`check`'s diagnostics).
    pub stop: Option<String>,
    /// What the run deleted at the end.
    pub cleanup: Vec<String>,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parity {
    /// The worst outcome.
    pub outcome: Outcome,
    /// Per file, in order.
    pub files: Vec<FileParity>,
    /// Per operation, by name.
    pub operations: BTreeMap<String, Tally>,
    /// Per decision number.
    pub decisions: BTreeMap<String, Tally>,
}

fn fates(file: &FileRun) -> Vec<(usize, Fate)> {
    let report = &file.report;
    let stop_line = match &report.stop {
        Some(Stop::Diverged(d)) => Some(d.line),
        Some(Stop::Malformed { line, .. }) | Some(Stop::Unknown { line }) => Some(*line),
        Some(Stop::Unreadable { .. }) => Some(0),
        None => None,
    };
    file.steps
        .iter()
        .map(|s| {
            let fate = if report.not_checked.iter().any(|n| n.line == s.line) {
                Fate::NotChecked
            } else if report.divergence().is_some_and(|d| d.line == s.line) {
                Fate::Diverged
            } else if stop_line.is_some_and(|l| s.line >= l) {
                Fate::NotReached
            } else {
                Fate::Agreed
            };
            (s.line, fate)
        })
        .collect()
}

/// A replayed trace's expectations are what the endpoint answered: a divergence names
/// the endpoint's value and the specification's as such, not as "expected".
const ENDPOINT_SIDES: Sides<'static> = Sides {
    expected: "the endpoint answered",
    actual: "the specification",
};

impl Parity {
    /// The report of a run.
    pub fn of(run: &Run) -> Self {
        let mut operations: BTreeMap<String, Tally> = BTreeMap::new();
        let mut decisions: BTreeMap<String, Tally> = BTreeMap::new();
        let mut files = Vec::new();
        for file in &run.files {
            let report = &file.report;
            let at = |line: usize| Where {
                file: report.file.clone(),
                line,
                message: report
                    .divergence()
                    .map(|d| format!("{}: {}", d.step, d.divergence.describe(&ENDPOINT_SIDES)))
                    .unwrap_or_default(),
            };
            for ((line, fate), step) in fates(file).into_iter().zip(&file.steps) {
                operations
                    .entry(step.operation.clone())
                    .or_default()
                    .add(fate, || at(line));
                for d in &step.decisions {
                    decisions
                        .entry(d.clone())
                        .or_default()
                        .add(fate, || at(line));
                }
            }
            let diagnostics = report.diagnostics();
            files.push(FileParity {
                file: report.file.clone(),
                outcome: report.outcome,
                steps: report.steps,
                agreed: report.agreed,
                not_checked: report
                    .not_checked
                    .iter()
                    .map(|n| format!("line {}: {}", n.line, n.reason))
                    .collect(),
                stop: report.stop.as_ref().and(diagnostics.last().cloned()),
                cleanup: file.cleanup.clone(),
            });
        }
        Parity {
            outcome: run.report().outcome(),
            files,
            operations,
            decisions,
        }
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let verdict = match self.outcome {
            Outcome::Agrees => "every checked step agrees",
            Outcome::Diverges => "the implementation diverges",
            Outcome::Malformed => "a trace is malformed or the endpoint failed",
        };
        let _ = writeln!(
            md,
            "# Parity report\n\nOutcome: {verdict}.\n\nIn a divergence, \"expected\" is what the \
             endpoint answered and \"the specification\" what the rules say.\n\n## Files\n"
        );
        md.push_str("| file | outcome | steps | agree | not checked | first divergence |\n");
        md.push_str("|---|---|---|---|---|---|\n");
        for f in &self.files {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                f.file,
                outcome_word(f.outcome),
                f.steps,
                f.agreed,
                f.not_checked.len(),
                cell(f.stop.as_deref().unwrap_or(""))
            );
        }
        for (title, tallies, what) in [
            ("Operations", &self.operations, "operation"),
            ("Decisions", &self.decisions, "decision"),
        ] {
            let _ = writeln!(md, "\n## {title}\n");
            let _ = writeln!(
                md,
                "| {what} | follows | agree | diverge | not checked | first divergence |"
            );
            md.push_str("|---|---|---|---|---|---|\n");
            let mut rows: Vec<(&String, &Tally)> = tallies.iter().collect();
            rows.sort_by_key(|(name, _)| natural(name));
            for (name, t) in rows {
                let first = t
                    .first_divergence
                    .as_ref()
                    .map(|w| format!("{}:{}: {}", w.file, w.line, w.message))
                    .unwrap_or_default();
                let follows = if t.follows() {
                    "yes"
                } else if t.diverged > 0 {
                    "**no**"
                } else {
                    "not checked"
                };
                let _ = writeln!(
                    md,
                    "| {name} | {follows} | {} | {} | {} | {} |",
                    t.agreed,
                    t.diverged,
                    t.not_checked,
                    cell(&first)
                );
            }
        }
        let notes: Vec<&FileParity> = self
            .files
            .iter()
            .filter(|f| !f.not_checked.is_empty())
            .collect();
        if !notes.is_empty() {
            md.push_str("\n## Not checked\n\n");
            for f in notes {
                for n in &f.not_checked {
                    let _ = writeln!(md, "- {}: {}", f.file, n);
                }
            }
        }
        md
    }
}

fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Agrees => "agrees",
        Outcome::Diverges => "**diverges**",
        Outcome::Malformed => "**malformed**",
    }
}

/// A sort key that puts decision 2 before decision 12 (and 1 before 1b).
fn natural(name: &str) -> (u64, String) {
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    let number = digits.parse().unwrap_or(u64::MAX);
    (number, name[digits.len()..].to_owned())
}

/// Text fit for a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The operation a step exercises, in a few words.
pub fn operation(action: &iot_jobs_spec::trace::Action) -> String {
    match action {
        iot_jobs_spec::trace::Action::Call { name, plane, .. } => {
            if name == "DescribeJobExecution" && *plane == iot_jobs_spec::Plane::Control {
                "DescribeJobExecution (iot)".to_owned()
            } else {
                name.clone()
            }
        }
        iot_jobs_spec::trace::Action::Publish { topic, .. } => {
            let parts: Vec<&str> = topic.split('/').collect();
            let tail: Vec<&str> = parts.iter().skip(4).copied().collect();
            let tail = match tail.as_slice() {
                [job, rest @ ..]
                    if !rest.is_empty() && !matches!(*job, "$next" | "get" | "start-next") =>
                {
                    std::iter::once("{jobId}")
                        .chain(rest.iter().copied())
                        .collect::<Vec<_>>()
                        .join("/")
                }
                _ => tail.join("/"),
            };
            if tail.is_empty() {
                format!("MQTT {topic}")
            } else {
                format!("MQTT {tail}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iot_jobs_spec::trace::Action;
    use serde_json::json;

    fn file(name: &str, lines: &[&str], steps: &[(&str, &[&str])]) -> FileRun {
        let text = lines.join("\n");
        let report = iot_jobs_spec::trace::check_trace(
            name,
            &text,
            &iot_jobs_spec::Config::default(),
            &Default::default(),
        );
        FileRun {
            report,
            trace: text,
            cleanup: Vec::new(),
            dry_run: Vec::new(),
            steps: steps
                .iter()
                .enumerate()
                .map(|(i, (op, decisions))| StepInfo {
                    line: i + 1,
                    operation: (*op).to_owned(),
                    decisions: decisions.iter().map(|d| (*d).to_owned()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn each_operation_and_decision_is_followed_or_broken_with_its_first_divergence() {
        let thing = r#"{"call": "CreateThing", "input": {"thingName": "t1"}, "output": {}}"#;
        let job = r#"{"call": "CreateJob", "input": {"jobId": "j1", "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"], "document": "{}"}, "output": {"jobId": "j1"}}"#;
        let wrong_job = job.replace(
            r#""output": {"jobId": "j1"}"#,
            r#""output": {"jobId": "j2"}"#,
        );
        let pending = r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": {"queuedJobs": []}}"#;
        let run = Run {
            files: vec![
                file(
                    "a",
                    &[thing, job, pending, thing],
                    &[
                        ("CreateThing", &[]),
                        ("CreateJob", &["2"]),
                        ("GetPendingJobExecutions", &[]),
                        ("CreateThing", &[]),
                    ],
                ),
                file(
                    "b",
                    &[thing, &wrong_job],
                    &[("CreateThing", &[]), ("CreateJob", &["2"])],
                ),
            ],
        };
        let p = Parity::of(&run);
        assert_eq!(p.outcome, Outcome::Diverges);
        let thing = &p.operations["CreateThing"];
        // The step after a divergence is not reached: counted nowhere.
        assert_eq!((thing.agreed, thing.diverged), (2, 0));
        assert!(thing.follows());
        let pending = &p.operations["GetPendingJobExecutions"];
        assert_eq!((pending.agreed, pending.diverged), (0, 1));
        assert_eq!(
            pending
                .first_divergence
                .as_ref()
                .map(|w| (w.file.as_str(), w.line)),
            Some(("a", 3))
        );
        let d2 = &p.decisions["2"];
        assert_eq!((d2.agreed, d2.diverged), (1, 1));
        assert!(!d2.follows());
        assert_eq!(
            d2.first_divergence
                .as_ref()
                .map(|w| (w.file.as_str(), w.line)),
            Some(("b", 2))
        );
        let md = p.markdown();
        assert!(
            md.contains("| 2 | **no** | 1 | 1 | 0 | b:2: CreateJob: "),
            "{md}"
        );
        assert!(md.contains("| CreateThing | yes | 2 | 0 | 0 |  |"), "{md}");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["decisions"]["2"]["first_divergence"]["line"], 2);
        assert_eq!(json["files"][1]["outcome"], "diverges");
    }

    #[test]
    fn decisions_sort_by_number() {
        let mut names = vec!["12", "2", "1b", "1", "details-lists"];
        names.sort_by_key(|n| natural(n));
        assert_eq!(names, ["1", "1b", "2", "12", "details-lists"]);
    }

    #[test]
    fn mqtt_steps_are_named_by_their_request() {
        let publish = |topic: &str| Action::Publish {
            topic: topic.into(),
            payload: Ok(json!({})),
        };
        assert_eq!(
            operation(&publish("$aws/things/t1/jobs/j1/update")),
            "MQTT {jobId}/update"
        );
        assert_eq!(
            operation(&publish("$aws/things/t1/jobs/$next/get")),
            "MQTT $next/get"
        );
        assert_eq!(
            operation(&publish("$aws/things/t1/jobs/start-next")),
            "MQTT start-next"
        );
        let call = Action::Call {
            plane: iot_jobs_spec::Plane::Control,
            name: "DescribeJobExecution".into(),
            input: json!({}),
        };
        assert_eq!(operation(&call), "DescribeJobExecution (iot)");
    }
}
