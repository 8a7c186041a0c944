//! The commands that print a document: `rules`, `decisions` and `completions`.

use iot_jobs_spec::{decisions, rules};

use super::io::Stdout;
use super::{Failure, Outcome, RulesFormat};

/// Runs `rules`.
pub(crate) fn rules(format: RulesFormat) -> Result<Outcome, Failure> {
    let text = match format {
        RulesFormat::Markdown => rules::render::markdown(),
        RulesFormat::Mermaid => rules::render::mermaid(),
        RulesFormat::Json => rules::render::json(),
    };
    print(&text)
}

/// Runs `decisions`.
pub(crate) fn decisions() -> Result<Outcome, Failure> {
    print(&decisions::render_markdown())
}

/// Runs `completions`: the script is built whole, then written, so a write error is
/// reported like any other (clap_complete's own writer would panic on one).
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<Outcome, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut super::command(), "iot-jobs-spec", &mut script);
    print(&String::from_utf8_lossy(&script))
}

fn print(text: &str) -> Result<Outcome, Failure> {
    let mut out = Stdout::buffered();
    out.text(text)?;
    out.flush()?;
    Ok(Outcome::Agrees)
}
