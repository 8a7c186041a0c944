//! `run`: replays a trace's calls and publishes and prints it with the specification's
//! answers filled in. The trace goes to standard output a line at a time; diagnostics
//! (`FILE:LINE:`) to standard error. Every member a line wrote itself is echoed as written
//! ([`Step::to_line`](iot_jobs_spec::trace::Step::to_line)).

use iot_jobs_spec::trace::{Answer, Replay};
use iot_jobs_spec::Config;

use super::io::{self, Input, Stdout};
use super::{Failure, Outcome, RunArgs};

/// Runs `run`.
pub(crate) fn run(args: &RunArgs) -> Result<Outcome, Failure> {
    let input = Input::named(args.file.as_deref().unwrap_or("-"));
    let shown = &input.shown;
    let mut reader = match input.open() {
        Ok(r) => r,
        Err(e) => {
            io::diagnostic(&format!("{shown}: cannot read: {e}"));
            return Ok(Outcome::Malformed);
        }
    };
    let mut out = Stdout::by_line();
    let mut replay = Replay::new(Config::default());
    let mut stopped = false;
    let mut buffer = String::new();
    for number in 1.. {
        let line = match io::next_line(&mut reader, &mut buffer) {
            Ok(Some((_, line))) => line,
            Ok(None) => break,
            Err(e) => {
                io::diagnostic(&format!("{shown}:{number}: cannot read the line: {e}"));
                return Ok(Outcome::Malformed);
            }
        };
        let mut step = match replay.parse(line) {
            Ok(Some(step)) => step,
            Ok(None) => continue,
            Err(why) => {
                io::diagnostic(&format!("{shown}:{number}: malformed step: {why}"));
                return Ok(Outcome::Malformed);
            }
        };
        if stopped {
            for key in ["output", "error", "events"] {
                step.raw.remove(key);
            }
        } else {
            match replay.fill(&mut step) {
                Answer::NotModelled(n) => {
                    io::diagnostic(&format!(
                        "{shown}:{number}: {n}; the steps after it are printed without \
                         expectations"
                    ));
                    stopped = true;
                }
                Answer::Unsupported(why) => {
                    io::diagnostic(&format!("{shown}:{number}: not supported: {why}"));
                    return Ok(Outcome::Malformed);
                }
                Answer::Output(_) | Answer::Error(_) | Answer::Published => {}
            }
        }
        out.line(step.to_line(line))?;
    }
    out.flush()?;
    Ok(Outcome::Agrees)
}
