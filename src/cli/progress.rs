//! Progress of long work, drawn on standard error only when it is a terminal: a bar with
//! no terminal draws nothing, so what a pipe or a file receives is the same with or
//! without it. Diagnostics written while a bar is drawn go through [`Progress::say`], which
//! lifts the bar for the line.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::io;

/// A progress bar or spinner, or nothing when standard error is not a terminal.
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// Nothing drawn.
    pub(crate) fn none() -> Self {
        Progress(None)
    }

    /// A bar counting to `len` `unit`s (`bytes` are shown as sizes), when standard error
    /// is a terminal.
    pub(crate) fn bar(len: u64, unit: &str, message: &str) -> Self {
        if !io::stderr_is_terminal() {
            return Self::none();
        }
        let template = if unit == "bytes" {
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})".to_owned()
        } else {
            format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{eta}})")
        };
        let style = ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
            .with_style(style)
            .with_message(message.to_owned());
        Progress(Some(bar))
    }

    /// A spinner for work whose size is not known, ticking on its own, when standard
    /// error is a terminal.
    pub(crate) fn spinner(message: &str) -> Self {
        if !io::stderr_is_terminal() {
            return Self::none();
        }
        let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style)
            .with_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Advances by `n`.
    pub(crate) fn inc(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    /// Writes a diagnostic line to standard error, the bar lifted while it is written.
    pub(crate) fn say(&self, line: &str) {
        match &self.0 {
            Some(bar) => bar.suspend(|| io::diagnostic(line)),
            None => io::diagnostic(line),
        }
    }

    /// Runs `f` with the bar lifted: for writing to standard output, which may be the
    /// same terminal.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
