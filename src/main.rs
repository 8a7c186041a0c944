//! `iot-jobs-spec`: check traces against the specification, fill in their expectations,
//! and print the rules. Results go to stdout, progress and errors to stderr.

#![forbid(unsafe_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::ExitCode;

use iot_jobs_spec::examples::EXAMPLES;
use iot_jobs_spec::trace::{Action, Answer, Checker, Replay, Tolerance, Verdict};
use iot_jobs_spec::{decisions, rules, Config};
use serde_json::Value;

const USAGE: &str = "\
iot-jobs-spec: the AWS IoT Jobs job-execution lifecycle, as an executable specification

Usage:
  iot-jobs-spec check [--timer-slack N] [FILE...]
                                  check traces (JSON Lines) against the specification;
                                  with no FILE, the example traces bundled with the crate
  iot-jobs-spec run [FILE]        replay a trace's calls (standard input when no FILE) and
                                  print it with each step's output or error filled in
  iot-jobs-spec rules [--format markdown|mermaid|json]
                                  print the transition table
  iot-jobs-spec decisions         print the decisions with their evidence (docs/decisions.md)
  iot-jobs-spec vectors [--seed N] [--steps N] DIR
                                  write minimised test vectors, one per rule, to DIR
  iot-jobs-spec generate --seed N --steps N [--things N] [--jobs N]
                                  print a random, valid trace with the specification's
                                  expectations; what it covered goes to standard error

Each command takes --help. Exit codes: 0 all steps agree, 1 a step diverges,
2 malformed input or a bad command line.";

const CHECK_HELP: &str = "\
iot-jobs-spec check [--timer-slack N] [FILE...]

Replays each trace against a fresh specification and compares every step's expected
`output`, `error` with what the specification answers. A file stops at its first
divergence. With no FILE, checks the example traces bundled with the crate
(docs/examples/). Use - for standard input.

Prints one line per divergence (FILE:LINE: ...), per step not checked, and a summary per
file. Exit code: 0 every step agrees, 1 a step diverges, 2 a trace is malformed
(FILE:LINE: ...); over several files the worst wins.

--timer-slack N   a timer may fire up to N seconds after its deadline, as AWS allows 60
                  (one candidate per lateness 0..N, each firing every timer that late;
                  a trace agrees when one candidate agrees with all of it)
Events are always compared as a multiset: their order within a step is not compared.";

const RUN_HELP: &str = "\
iot-jobs-spec run [FILE]

Replays the calls and publishes of a trace (standard input when FILE is absent or -) and
prints the same trace to standard output, each step's `output` or `error`, and its
`events` (every MQTT message published during the step), replaced by what the
specification answers. Write the calls, get the expectations.

Exit code: 0 done, 2 a malformed line (FILE:LINE: ... on standard error).";

const RULES_HELP: &str = "\
iot-jobs-spec rules [--format markdown|mermaid|json]

Prints the transition table the model consults: markdown (the default, the table and a
mermaid state diagram, as in docs/rules.md), mermaid (the diagram only) or json.";

const GENERATE_HELP: &str = "\
iot-jobs-spec generate --seed N --steps N [--things N] [--jobs N]

Prints a random but valid trace (format v1) to standard output: a fleet of --things things
(default 4) and --jobs jobs (default 3, more are created along the way), then --steps steps
mixing device calls over HTTP and MQTT, control-plane calls, bad requests and clock
advances, each with the specification's output or error and events filled in. The same
options give the same bytes. What the trace reached (statuses, error codes, timer paths)
and what it did not are printed on standard error.";

const VECTORS_HELP: &str = "\
iot-jobs-spec vectors [--seed N] [--steps N] DIR

Writes the test-vector corpus to DIR: for every status, error code, MQTT code, timer path
and row of the transition table, the shortest trace found (cut from one long generated
trace by removing steps while the goal is still reached), with the specification's
expectations, as DIR/<goal>.jsonl, and DIR/index.json listing file, goal and steps.
Defaults: --seed 1 --steps 3000 (the committed corpus in tests/vectors/).";

const DECISIONS_HELP: &str = "\
iot-jobs-spec decisions

Prints every decision the specification makes where AWS is silent or contradicts itself,
with its evidence grade, as Markdown (docs/decisions.md is this output).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let wants_help = rest.iter().any(|a| a == "--help" || a == "-h");
    match command.as_str() {
        "--help" | "-h" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "check" if wants_help => help(CHECK_HELP),
        "run" if wants_help => help(RUN_HELP),
        "rules" if wants_help => help(RULES_HELP),
        "decisions" if wants_help => help(DECISIONS_HELP),
        "generate" if wants_help => help(GENERATE_HELP),
        "generate" => generate(rest),
        "vectors" if wants_help => help(VECTORS_HELP),
        "vectors" => vectors(rest),
        "check" => check(rest),
        "run" => run(rest),
        "rules" => print_rules(rest),
        "decisions" if rest.is_empty() => {
            print!("{}", decisions::render_markdown());
            ExitCode::SUCCESS
        }
        other => usage_error(&format!(
            "unknown command or arguments: {other} {}",
            rest.join(" ")
        )),
    }
}

fn generate(args: &[String]) -> ExitCode {
    let mut options = iot_jobs_spec::generate::Options::default();
    let mut seen_seed = false;
    let mut seen_steps = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let Some(value) = it.next() else {
            return usage_error(&format!("{flag} needs a value"));
        };
        let Ok(n) = value.parse::<u64>() else {
            return usage_error(&format!("{flag} takes a whole number, got `{value}`"));
        };
        let n_usize = usize::try_from(n).unwrap_or(usize::MAX);
        match flag.as_str() {
            "--seed" => {
                options.seed = n;
                seen_seed = true;
            }
            "--steps" => {
                options.steps = n_usize;
                seen_steps = true;
            }
            "--things" if (1..=10_000).contains(&n) => options.things = n_usize,
            "--jobs" if n <= 10_000 => options.jobs = n_usize,
            "--things" | "--jobs" => {
                return usage_error(&format!("{flag} {value} is out of range (1 to 10000)"))
            }
            other => return usage_error(&format!("generate does not know {other}")),
        }
    }
    if !seen_seed || !seen_steps {
        return usage_error("generate needs --seed N and --steps N");
    }
    let mut generator = iot_jobs_spec::generate::Generator::new(options);
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    for line in generator.by_ref() {
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(2);
        }
    }
    let _ = out.flush();
    eprint!("{}", generator.coverage().report());
    ExitCode::SUCCESS
}

fn slug(goal: &str) -> String {
    let mut out = String::new();
    for c in goal.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn vectors(args: &[String]) -> ExitCode {
    let mut options = iot_jobs_spec::generate::Options {
        seed: 1,
        steps: 3000,
        ..Default::default()
    };
    let mut dir = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" | "--steps" => {
                let Some(Ok(n)) = it.next().map(|v| v.parse::<u64>()) else {
                    return usage_error(&format!("{arg} takes a whole number"));
                };
                if arg == "--seed" {
                    options.seed = n;
                } else {
                    options.steps = usize::try_from(n).unwrap_or(usize::MAX);
                }
            }
            flag if flag.starts_with("--") => {
                return usage_error(&format!("vectors does not know {flag}"))
            }
            d if dir.is_none() => dir = Some(std::path::PathBuf::from(d)),
            _ => return usage_error("vectors takes one DIR"),
        }
    }
    let Some(dir) = dir else {
        return usage_error("vectors needs a DIR");
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        return ExitCode::from(2);
    }
    let mut index = Vec::new();
    for (goal, lines) in iot_jobs_spec::generate::vectors(options) {
        let name = format!("{}.jsonl", slug(&goal));
        let mut text = lines.join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(dir.join(&name), text) {
            eprintln!("{}: {e}", dir.join(&name).display());
            return ExitCode::from(2);
        }
        eprintln!("{name}: {} steps", lines.len());
        index.push(serde_json::json!({"file": name, "goal": goal, "steps": lines.len()}));
    }
    let index = serde_json::to_string_pretty(&index).unwrap_or_default() + "\n";
    if let Err(e) = std::fs::write(dir.join("index.json"), index) {
        eprintln!("{}: {e}", dir.join("index.json").display());
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn help(text: &str) -> ExitCode {
    println!("{text}");
    ExitCode::SUCCESS
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("iot-jobs-spec: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn print_rules(args: &[String]) -> ExitCode {
    let format = match args {
        [] => "markdown",
        [flag, f] if flag == "--format" => f.as_str(),
        [f] if f.starts_with("--format=") => &f["--format=".len()..],
        _ => return usage_error("rules takes --format markdown|mermaid|json"),
    };
    let text = match format {
        "markdown" => rules::render::markdown(),
        "mermaid" => rules::render::mermaid(),
        "json" => rules::render::json(),
        other => return usage_error(&format!("unknown format `{other}`")),
    };
    print!("{text}");
    ExitCode::SUCCESS
}

/// The outcome of one file, worst last.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Agrees = 0,
    Diverges = 1,
    Malformed = 2,
}

fn open(path: &str) -> io::Result<Box<dyn BufRead>> {
    if path == "-" {
        Ok(Box::new(BufReader::new(io::stdin())))
    } else {
        Ok(Box::new(BufReader::new(std::fs::File::open(path)?)))
    }
}

fn check(args: &[String]) -> ExitCode {
    let mut tolerance = Tolerance::default();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--timer-slack" => match it.next().map(|v| v.parse::<u64>()) {
                Some(Ok(n)) if n <= 3600 => tolerance.timer_slack = n,
                _ => return usage_error("--timer-slack takes a number of seconds, 0 to 3600"),
            },
            flag if flag.starts_with("--") => {
                return usage_error(&format!("check does not know {flag}"))
            }
            file => files.push(file.to_owned()),
        }
    }
    let mut worst = Outcome::Agrees;
    let out = io::stdout();
    let mut out = out.lock();
    if tolerance != Tolerance::default() {
        let _ = writeln!(out, "options: {}", tolerance.describe());
    }
    if files.is_empty() {
        eprintln!("checking the {} bundled example traces", EXAMPLES.len());
        for (name, text) in EXAMPLES {
            let outcome = check_lines(name, Box::new(text.as_bytes()), &tolerance, &mut out);
            worst = worst.max(outcome);
        }
    } else {
        for name in &files {
            let outcome = match open(name) {
                Ok(reader) => check_lines(name, reader, &tolerance, &mut out),
                Err(e) => {
                    let _ = writeln!(out, "{name}: cannot read: {e}");
                    Outcome::Malformed
                }
            };
            worst = worst.max(outcome);
        }
    }
    ExitCode::from(worst as u8)
}

fn check_lines(
    name: &str,
    mut reader: Box<dyn BufRead + '_>,
    tolerance: &Tolerance,
    out: &mut impl Write,
) -> Outcome {
    let mut replay = Checker::new(&Config::default(), tolerance);
    let (mut steps, mut agreed, mut unchecked) = (0usize, 0usize, 0usize);
    // One buffer for every line: `check` keeps nothing of a line once it is checked.
    let mut buffer = String::new();
    for number in 1.. {
        buffer.clear();
        match reader.read_line(&mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let _ = writeln!(out, "{name}:{number}: cannot read the line: {e}");
                return Outcome::Malformed;
            }
        }
        // As `BufRead::lines` ends a line: at `\n` or `\r\n`.
        let line = match buffer.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => &buffer,
        };
        let malformed = |out: &mut dyn Write, why: String| {
            let _ = writeln!(out, "{name}:{number}: malformed step: {why}");
            Outcome::Malformed
        };
        let step = match replay.read(line) {
            Ok(Some(step)) => step,
            Ok(None) => continue,
            Err(why) => return malformed(out, why),
        };
        steps += 1;
        let verdict = match replay.check_text(&step) {
            Ok(verdict) => verdict,
            Err(why) => return malformed(out, why),
        };
        match verdict {
            Verdict::Agrees => agreed += 1,
            Verdict::Setup => {}
            Verdict::Diverges(why) => {
                let _ = writeln!(out, "{name}:{number}: {}: {why}", label(step.action()));
                let _ = writeln!(
                    out,
                    "{name}: diverges at line {number} ({agreed} checked steps agree before it)"
                );
                return Outcome::Diverges;
            }
            Verdict::NotChecked { reason, stop } => {
                unchecked += 1;
                let _ = writeln!(out, "{name}:{number}: not checked: {reason}");
                if stop {
                    let _ = writeln!(
                        out,
                        "{name}: stopped at line {number}: the state after it is unknown \
                         ({agreed} checked steps agree before it)"
                    );
                    return Outcome::Agrees;
                }
            }
            Verdict::Unsupported(why) => {
                let _ = writeln!(out, "{name}:{number}: not supported: {why}");
                return Outcome::Malformed;
            }
        }
    }
    let note = if unchecked > 0 {
        format!(", {unchecked} not checked")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{name}: {steps} steps, {agreed} checked, all agree{note}"
    );
    Outcome::Agrees
}

fn label(action: &Action) -> String {
    match action {
        Action::Call { name, .. } => name.clone(),
        Action::Publish { topic, .. } => format!("publish {topic}"),
    }
}

fn run(args: &[String]) -> ExitCode {
    let name = match args {
        [] => "-".to_owned(),
        [f] if !f.starts_with("--") || f == "-" => f.clone(),
        _ => return usage_error("run takes at most one FILE"),
    };
    let reader: Box<dyn BufRead> = match open(&name) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{name}: cannot read: {e}");
            return ExitCode::from(2);
        }
    };
    let shown = if name == "-" {
        "<stdin>"
    } else {
        name.as_str()
    };
    let out = io::stdout();
    let mut out = out.lock();
    let mut replay = Replay::new(Config::default());
    let mut stopped = false;
    for (index, line) in reader.lines().enumerate() {
        let number = index + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{shown}:{number}: cannot read the line: {e}");
                return ExitCode::from(2);
            }
        };
        let mut step = match replay.parse(&line) {
            Ok(Some(step)) => step,
            Ok(None) => continue,
            Err(why) => {
                eprintln!("{shown}:{number}: malformed step: {why}");
                return ExitCode::from(2);
            }
        };
        if stopped {
            for key in ["output", "error", "events"] {
                step.raw.remove(key);
            }
        } else {
            match replay.fill(&mut step) {
                Answer::NotModelled(n) => {
                    eprintln!(
                        "{shown}:{number}: {n}; the steps after it are printed without \
                         expectations"
                    );
                    stopped = true;
                }
                Answer::Unsupported(why) => {
                    eprintln!("{shown}:{number}: not supported: {why}");
                    return ExitCode::from(2);
                }
                Answer::Output(_) | Answer::Error(_) | Answer::Published => {}
            }
        }
        let _ = writeln!(out, "{}", Value::Object(step.raw));
    }
    let _ = io::stdout().flush();
    let _ = io::stdin().read(&mut []);
    ExitCode::SUCCESS
}
