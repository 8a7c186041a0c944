//! The command line: its arguments (clap, derive), the dispatch to each command, and the
//! exit codes.
//!
//! Exit codes, the same for every command: 0 every step agrees (or the command did its
//! work), 1 a step diverges, 2 malformed input, a bad command line (clap's usage errors
//! exit 2 too) or an output that could not be written. `--help` and `--version` exit 0.

mod check;
mod docs;
mod generate;
mod io;
mod progress;
mod report;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The outcome of a command, worst last: its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    /// Every step agrees, or the command did its work.
    Agrees = 0,
    /// A step diverges.
    Diverges = 1,
    /// Malformed input, a bad command line, or an output that could not be written.
    Malformed = 2,
}

/// A command that could not do its work: the message is printed after `iot-jobs-spec: `
/// on standard error, and the exit code is 2.
#[derive(Debug)]
pub(crate) struct Failure(pub(crate) String);

impl Failure {
    /// `target` (standard output, a file) could not be written.
    pub(crate) fn write(target: impl std::fmt::Display, err: &std::io::Error) -> Self {
        Failure(format!("cannot write to {target}: {err}"))
    }
}

/// The AWS IoT Jobs job-execution lifecycle, as an executable specification.
///
/// Exit codes: 0 all steps agree, 1 a step diverges, 2 malformed input, a bad command line
/// or an output that cannot be written. Results go to standard output; diagnostics
/// (FILE:LINE: ...), progress and errors to standard error; standard input is `-` on the
/// command line and `<stdin>` in diagnostics.
#[derive(Debug, Parser)]
#[command(name = "iot-jobs-spec", version, arg_required_else_help = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The `--steps` of `generate` at most: about 3 GB of trace, an hour or so of work.
pub(crate) const MAX_GENERATE_STEPS: u64 = 10_000_000;
/// The `--steps` of `vectors` at most: each goal's trace is minimised by replaying cuts
/// of the whole trace, so the cost grows faster than the steps.
pub(crate) const MAX_VECTOR_STEPS: u64 = 100_000;
/// `check --timer-slack` at most, in seconds.
pub(crate) const MAX_TIMER_SLACK: u64 = 3600;
/// `check --time-tolerance` at most, in seconds.
pub(crate) const MAX_TIME_TOLERANCE: u64 = 3600;

#[derive(Debug, Subcommand)]
enum Command {
    /// Check traces (JSON Lines) against the specification; with no FILE, the example
    /// traces bundled with the crate.
    ///
    /// Replays each trace against a fresh specification and compares every step's expected
    /// `output`, `error` and `events` with what the specification answers. A file stops at
    /// its first divergence. With no FILE, checks the example traces bundled with the crate
    /// (docs/examples/). Use - for standard input.
    ///
    /// Standard output gets one line per file (its steps and verdict), or with
    /// --format json one JSON report. Standard error gets the diagnostics, FILE:LINE: ...,
    /// for a divergence, a step not checked and a malformed line. Exit code: 0 every step
    /// agrees, 1 a step diverges, 2 a trace is malformed or cannot be read; over several
    /// files the worst wins. Events are always compared as a multiset: their order within a
    /// step is not compared.
    Check(CheckArgs),
    /// Replay a trace's calls (standard input when no FILE) and print it with each step's
    /// output or error filled in.
    ///
    /// Replays the calls and publishes of a trace (standard input when FILE is absent or -)
    /// and prints the same trace to standard output, each step's `output` or `error`, and
    /// its `events` (every MQTT message published during the step), replaced by what the
    /// specification answers. Write the calls, get the expectations.
    ///
    /// Exit code: 0 done, 2 a malformed line (FILE:LINE: ... on standard error) or an
    /// output that cannot be written.
    Run(RunArgs),
    /// Print the transition table.
    ///
    /// Prints the transition table the model consults: markdown (the default, the table and
    /// a mermaid state diagram, as in docs/rules.md), mermaid (the diagram only) or json.
    Rules(RulesArgs),
    /// Print the decisions with their evidence (docs/decisions.md).
    ///
    /// Prints every decision the specification makes where AWS is silent or contradicts
    /// itself, with its evidence grade, as Markdown (docs/decisions.md is this output).
    Decisions,
    /// Write minimised test vectors, one per goal, to DIR.
    ///
    /// Writes the test-vector corpus to DIR: for every status, error code, MQTT code, timer
    /// path and row of the transition table, the shortest trace found (cut from one long
    /// generated trace by removing steps while the goal is still reached), with the
    /// specification's expectations, as DIR/GOAL.jsonl, and DIR/index.json listing file,
    /// goal and steps. The defaults give the committed corpus in tests/vectors/.
    Vectors(VectorsArgs),
    /// Print a random, valid trace with the specification's expectations; what it covered
    /// goes to standard error.
    ///
    /// Prints a random but valid trace (format v1) to standard output: a fleet of --things
    /// things and --jobs jobs (more are created along the way), then --steps steps mixing
    /// device calls over HTTP and MQTT, control-plane calls, bad requests and clock
    /// advances, each with the specification's output or error and events filled in. The
    /// same options give the same bytes. What the trace reached (statuses, error codes,
    /// timer paths) and what it did not are printed on standard error.
    Generate(GenerateArgs),
    /// Print a shell completion script for SHELL.
    ///
    /// For example `iot-jobs-spec completions bash > ~/.local/share/bash-completion/completions/iot-jobs-spec`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// A timer may fire up to N seconds after its deadline, as AWS allows 60 (one
    /// candidate per lateness 0..N, each firing every timer that late; a trace agrees when
    /// one candidate agrees with all of it).
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=MAX_TIMER_SLACK))]
    pub(crate) timer_slack: u64,
    /// A timestamp in the trace may be up to N seconds after the specification's, as a
    /// trace recorded from a live service stamps with its own clock (never before it).
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=MAX_TIME_TOLERANCE))]
    pub(crate) time_tolerance: u64,
    /// The account the specification's ARNs name. Without it, each trace's own: the
    /// account of the first well-formed IoT ARN it carries, else 123456789012.
    #[arg(long, value_name = "ID", value_parser = parse_account)]
    pub(crate) account: Option<String>,
    /// The region the specification's ARNs name. Without it, each trace's own: the region
    /// of the first well-formed IoT ARN it carries, else us-east-1.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    pub(crate) region: Option<String>,
    /// How standard output reports: text, one line per file; json, one report for CI.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,
    /// Colour the diagnostics: auto colours them when standard error is a terminal and
    /// NO_COLOR is unset.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
    /// The traces; - is standard input. None: the bundled examples.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<String>,
}

/// How `check` reports on standard output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// One line per file.
    Text,
    /// One JSON document: the options, the worst outcome, and per file its name, outcome,
    /// step counts, steps not checked and what stopped it (a divergence with its path and
    /// both values).
    Json,
}

/// When diagnostics are coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// When standard error is a terminal and NO_COLOR is unset or empty.
    Auto,
    /// Always (and with the readable expected/actual block, as on a terminal).
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The trace; - or nothing is standard input.
    #[arg(value_name = "FILE")]
    pub(crate) file: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// What to print.
    #[arg(long, value_enum, default_value_t = RulesFormat::Markdown)]
    pub(crate) format: RulesFormat,
}

/// The forms of the transition table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RulesFormat {
    /// The table and its state diagram, as docs/rules.md.
    Markdown,
    /// The state diagram only.
    Mermaid,
    /// The table as JSON.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct VectorsArgs {
    /// The seed of the long trace the vectors are cut from.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) seed: u64,
    /// The steps of the long trace (1 to 100000).
    #[arg(long, value_name = "N", default_value_t = 3000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_VECTOR_STEPS))]
    pub(crate) steps: u64,
    /// The directory to write to (created when missing; `.` for the current one).
    #[arg(value_name = "DIR", value_parser = non_empty_dir)]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// The seed: the same options give the same bytes.
    #[arg(long, value_name = "N")]
    pub(crate) seed: u64,
    /// How many steps after the setup (0 to 10000000).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(0..=MAX_GENERATE_STEPS))]
    pub(crate) steps: u64,
    /// How many things in the fleet (1 to 10000).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub(crate) things: u64,
    /// How many jobs the setup creates (1 to 10000; more are created along the way).
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub(crate) jobs: u64,
}

/// A DIR that is not empty: an empty one would write the corpus into the current
/// directory without anyone having said so.
fn non_empty_dir(s: &str) -> Result<PathBuf, String> {
    if s.is_empty() {
        Err("DIR is empty; give `.` to write into the current directory".to_owned())
    } else {
        Ok(PathBuf::from(s))
    }
}

/// Parses the command line, runs the command, and gives its exit code.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to standard output and exit 0; usage errors to standard
            // error, exit 2. A help text that cannot be written is a write error.
            let code = e.exit_code();
            if let Err(w) = e.print() {
                io::diagnostic(&format!(
                    "iot-jobs-spec: {}",
                    Failure::write("standard output", &w).0
                ));
                return ExitCode::from(Outcome::Malformed as u8);
            }
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::check(&args),
        Command::Run(args) => run::run(&args),
        Command::Rules(args) => docs::rules(args.format),
        Command::Decisions => docs::decisions(),
        Command::Vectors(args) => generate::vectors(&args),
        Command::Generate(args) => generate::generate(&args),
        Command::Completions { shell } => docs::completions(shell),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(Failure(message)) => {
            io::diagnostic(&format!("iot-jobs-spec: {message}"));
            ExitCode::from(Outcome::Malformed as u8)
        }
    }
}

/// The command line's definition, for completions.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// `--account`: 12 digits, as an ARN names an account.
fn parse_account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "'{s}' is not an account: 12 digits, like 123456789012"
        ))
    }
}

/// `--region`: a region as an ARN names it, like us-east-1.
fn parse_region(s: &str) -> Result<String, String> {
    match iot_jobs_spec::trace::Scope::of(&format!("arn:aws:iot:{s}:123456789012:thing/t")) {
        Some(scope) if scope.region == s => Ok(s.to_owned()),
        _ => Err(format!(
            "'{s}' is not a region: like us-east-1 or eu-central-2"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definition_is_consistent() {
        command().debug_assert();
    }
}
