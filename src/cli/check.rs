//! `check`: replays traces against the specification and reports each file.
//!
//! Standard output gets the results: one summary line per file (text), or one JSON report
//! (`--format json`). Standard error gets the diagnostics as they happen (`FILE:LINE:` for
//! a step not checked, a divergence, a malformed line), and progress on a terminal.

use std::io::BufRead;

use iot_jobs_spec::examples::EXAMPLES;
use iot_jobs_spec::trace::{Action, Checker, Tolerance, Verdict};
use iot_jobs_spec::Config;

use super::io::{self, Input, Stdout};
use super::progress::Progress;
use super::report::{self, Diff, Divergence, FileReport, FileVerdict, Problem, Style};
use super::{CheckArgs, ColorChoice, Failure, Outcome, ReportFormat};

/// Runs `check`: the worst file's outcome.
pub(crate) fn check(args: &CheckArgs) -> Result<Outcome, Failure> {
    let tolerance = Tolerance {
        timer_slack: args.timer_slack,
        time_tolerance: args.time_tolerance,
    };
    let style = style(args.color);
    let mut out = Stdout::buffered();
    let text = args.format == ReportFormat::Text;
    if text && tolerance != Tolerance::default() {
        out.line(format_args!("options: {}", tolerance.describe()))?;
    }
    let mut reports = Vec::new();
    let mut each = |report: FileReport, progress: &Progress| -> Result<(), Failure> {
        if text {
            // Lifted over the bar, since standard output may be the same terminal.
            progress.suspend(|| {
                out.line(report::summary(&report))?;
                out.flush()
            })?;
        }
        reports.push(report);
        Ok(())
    };
    if args.files.is_empty() {
        io::diagnostic(&format!(
            "checking the {} bundled example traces",
            EXAMPLES.len()
        ));
        let total = EXAMPLES.iter().map(|(_, t)| t.len() as u64).sum();
        let progress = Progress::bar(total, "bytes", "checking");
        for (name, text) in EXAMPLES {
            let report = check_file(name, &mut text.as_bytes(), &tolerance, &progress, style);
            each(report, &progress)?;
        }
    } else {
        let inputs: Vec<Input> = args.files.iter().map(|f| Input::named(f)).collect();
        // Sizes known for every file: a bar of bytes; standard input among them: a spinner.
        let total: Option<u64> = inputs.iter().map(|i| i.len).sum();
        let progress = match total {
            Some(total) => Progress::bar(total, "bytes", "checking"),
            None => Progress::spinner("checking"),
        };
        for input in &inputs {
            let report = match input.open() {
                Ok(mut reader) => {
                    check_file(&input.shown, &mut reader, &tolerance, &progress, style)
                }
                Err(e) => {
                    let problem = Problem {
                        line: None,
                        message: format!("cannot read: {e}"),
                    };
                    progress.say(&report::problem(&input.shown, &problem, style));
                    FileReport {
                        verdict: FileVerdict::Malformed,
                        malformed: Some(problem),
                        ..FileReport::new(&input.shown)
                    }
                }
            };
            each(report, &progress)?;
        }
    }
    if !text {
        out.line(report::json(tolerance.timer_slack, &reports))?;
    }
    out.flush()?;
    Ok(reports
        .iter()
        .map(|r| r.verdict.outcome())
        .max()
        .unwrap_or(Outcome::Agrees))
}

/// How diagnostics are drawn: the block on a terminal (or when colour is forced), colour
/// as `--color` says, `auto` honouring NO_COLOR (set and not empty: no colour).
fn style(choice: ColorChoice) -> Style {
    let terminal = io::stderr_is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    };
    Style {
        color,
        block: terminal || choice == ColorChoice::Always,
    }
}

/// Checks one trace, reading it a line at a time, and reports it; the diagnostics are
/// written as they are found.
fn check_file(
    name: &str,
    reader: &mut dyn BufRead,
    tolerance: &Tolerance,
    progress: &Progress,
    style: Style,
) -> FileReport {
    let mut report = FileReport::new(name);
    let mut replay = Checker::new(&Config::default(), tolerance);
    let malformed = |mut report: FileReport, line: usize, message: String| {
        let problem = Problem {
            line: Some(line),
            message,
        };
        progress.say(&report::problem(name, &problem, style));
        report.verdict = FileVerdict::Malformed;
        report.malformed = Some(problem);
        report
    };
    // One buffer for every line: `check` keeps nothing of a line once it is checked.
    let mut buffer = String::new();
    for number in 1.. {
        let line = match io::next_line(reader, &mut buffer) {
            Ok(Some((read, line))) => {
                progress.inc(read as u64);
                line
            }
            Ok(None) => break,
            Err(e) => return malformed(report, number, format!("cannot read the line: {e}")),
        };
        let step = match replay.read(line) {
            Ok(Some(step)) => step,
            Ok(None) => continue,
            Err(why) => return malformed(report, number, format!("malformed step: {why}")),
        };
        report.steps += 1;
        let verdict = match replay.check_text(&step) {
            Ok(verdict) => verdict,
            Err(why) => return malformed(report, number, format!("malformed step: {why}")),
        };
        match verdict {
            Verdict::Agrees => report.agreed += 1,
            Verdict::Setup => report.setup += 1,
            Verdict::Diverges(why) => {
                let divergence = Divergence {
                    line: number,
                    step: label(step.action()),
                    diff: Diff::of(&why),
                    message: why.to_string(),
                };
                progress.say(&report::divergence(name, &divergence, style));
                report.verdict = FileVerdict::Diverges;
                report.first_divergence = Some(divergence);
                return report;
            }
            Verdict::NotChecked { reason, stop } => {
                report.not_checked += 1;
                progress.say(&format!("{name}:{number}: not checked: {reason}"));
                if stop {
                    report.stopped_at = Some(number);
                    return report;
                }
            }
            Verdict::Unsupported(why) => {
                return malformed(report, number, format!("not supported: {why}"));
            }
        }
    }
    report
}

fn label(action: &Action) -> String {
    match action {
        Action::Call { name, .. } => name.clone(),
        Action::Publish { topic, .. } => format!("publish {topic}"),
    }
}
