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
use iot_jobs_spec::trace::{self, FileCheck, FileReport, Scope, Tolerance};
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
            let report = check_file(
                name,
                &mut text.as_bytes(),
                args,
                &tolerance,
                &progress,
                style,
            );
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
                Ok(mut reader) => check_file(
                    &input.shown,
                    &mut reader,
                    args,
                    &tolerance,
                    &progress,
                    style,
                ),
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
    args: &CheckArgs,
    tolerance: &Tolerance,
    progress: &Progress,
    style: Style,
) -> FileReport {
    let config = config_for(name, reader, args, progress);
    let mut check = FileCheck::new(name, &config, tolerance);
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

/// The specification's configuration for one trace: its ARNs in the account and region
/// the options give, else in those of the first IoT ARN of the trace's first buffered
/// bytes (a recorded trace names its own in its first answer), else the defaults. A
/// scope taken from the trace that differs from the defaults is said on standard error.
fn config_for(
    name: &str,
    reader: &mut dyn BufRead,
    args: &CheckArgs,
    progress: &Progress,
) -> Config {
    let mut config = Config::default();
    let default = Scope::of_config(&config);
    // fill_buf peeks: what it returns is read again by the line loop.
    let found = reader
        .fill_buf()
        .ok()
        .and_then(|head| Scope::of(&String::from_utf8_lossy(head)));
    let mut scope = found.clone().unwrap_or_else(|| default.clone());
    if let Some(account) = &args.account {
        scope.account.clone_from(account);
    }
    if let Some(region) = &args.region {
        scope.region.clone_from(region);
    }
    if found.as_ref().is_some_and(|f| *f != default) && scope != default {
        progress.say(&format!(
            "{name}: the specification names its ARNs in account {}, region {}, as the trace does",
            scope.account, scope.region
        ));
    }
    scope.apply(&mut config);
    config
}
