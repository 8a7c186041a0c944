//! `check`: replays traces against the specification and reports each file.
//!
//! Standard output gets the results: one summary line per file (text), or one JSON report
//! (`--format json`). Standard error gets the diagnostics as they happen (`FILE:LINE:` for
//! a step not checked, a divergence, a malformed line), and progress on a terminal.
//!
//! The policy (where a file stops, what it counts, the exit code) is the trace layer's
//! [`FileCheck`]; this module reads the files, feeds it their lines and shows its
//! [`FileReport`]s.

use std::io::BufRead;

use iot_jobs_spec::examples::EXAMPLES;
use iot_jobs_spec::trace::{self, FileCheck, FileReport, Tolerance};
use iot_jobs_spec::Config;

use super::io::{self, Input, Stdout};
use super::progress::Progress;
use super::report::{self, Style};
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
                out.line(report.summary())?;
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
                    let report = FileReport::unreadable(&input.shown, e);
                    if let Some(line) = report::stop(&report, style) {
                        progress.say(&line);
                    }
                    report
                }
            };
            each(report, &progress)?;
        }
    }
    let outcome = match reports.iter().map(|r| r.outcome).max() {
        None | Some(trace::Outcome::Agrees) => Outcome::Agrees,
        Some(trace::Outcome::Diverges) => Outcome::Diverges,
        Some(trace::Outcome::Malformed) => Outcome::Malformed,
    };
    if !text {
        out.line(report::json(&tolerance, reports))?;
    }
    out.flush()?;
    Ok(outcome)
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
    let mut check = FileCheck::new(name, &Config::default(), tolerance);
    // One buffer for every line: `check` keeps nothing of a line once it is checked.
    let mut buffer = String::new();
    let mut said = 0;
    loop {
        let going = match io::next_line(reader, &mut buffer) {
            Ok(Some((read, line))) => {
                progress.inc(read as u64);
                check.line(line)
            }
            Ok(None) => break,
            Err(e) => {
                check.unreadable(e);
                false
            }
        };
        let r = check.report();
        for n in &r.not_checked[said..] {
            progress.say(&report::not_checked(name, n));
        }
        said = r.not_checked.len();
        if !going {
            if let Some(line) = report::stop(r, style) {
                progress.say(&line);
            }
            break;
        }
    }
    check.finish()
}
