//! `generate` (a seeded trace to standard output, its coverage to standard error) and
//! `vectors` (the minimised test-vector corpus, written to a directory).

use std::path::Path;

use iot_jobs_spec::generate::{self, Generator, Options};

use super::io::{self, Stdout};
use super::progress::Progress;
use super::{Failure, GenerateArgs, Outcome, VectorsArgs};

/// An option as a size: clap bounds each to at most 10 000 000, which fits any `usize`
/// of 32 bits or more.
fn size(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Runs `generate`.
pub(crate) fn generate(args: &GenerateArgs) -> Result<Outcome, Failure> {
    let options = Options {
        seed: args.seed,
        steps: size(args.steps),
        things: size(args.things),
        jobs: size(args.jobs),
    };
    let mut generator = Generator::new(options);
    let mut out = Stdout::buffered();
    // The lines to come, at most: the setup (each thing, two groups, at most one
    // membership per thing, each job), then the steps.
    let lines = args.steps + 2 * args.things + 2 + args.jobs;
    let progress = Progress::bar(lines, "lines", "generating");
    for line in generator.by_ref() {
        out.line(line)?;
        progress.inc(1);
    }
    out.flush()?;
    progress.finish();
    io::diagnostic_text(&generator.coverage().report());
    Ok(Outcome::Agrees)
}

/// A goal's file name: lower-case letters and digits, every other run of characters one
/// `-`.
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

/// Runs `vectors`.
pub(crate) fn vectors(args: &VectorsArgs) -> Result<Outcome, Failure> {
    let options = Options {
        seed: args.seed,
        steps: size(args.steps),
        ..Default::default()
    };
    let dir = &args.dir;
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
    let corpus = {
        let _spinner = Progress::spinner(&format!(
            "generating {} steps and cutting the shortest trace for each goal",
            args.steps
        ));
        generate::vectors(options)
    };
    let mut index = Vec::new();
    for (goal, lines) in corpus {
        let name = format!("{}.jsonl", slug(&goal));
        let mut text = lines.join("\n");
        text.push('\n');
        write(&dir.join(&name), &text)?;
        io::diagnostic(&format!("{name}: {} steps", lines.len()));
        index.push(serde_json::json!({"file": name, "goal": goal, "steps": lines.len()}));
    }
    // A list of strings and numbers always serializes.
    let index = serde_json::to_string_pretty(&index).unwrap_or_default() + "\n";
    write(&dir.join("index.json"), &index)?;
    Ok(Outcome::Agrees)
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| Failure::write(path.display(), &e))
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn a_slug_keeps_letters_and_digits_and_joins_the_rest_with_one_dash() {
        assert_eq!(slug("status TIMED_OUT"), "status-timed-out");
        assert_eq!(
            slug("row 12: QUEUED -> IN_PROGRESS"),
            "row-12-queued-in-progress"
        );
        assert_eq!(slug("--x--"), "x");
    }
}
