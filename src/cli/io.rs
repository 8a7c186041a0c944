//! Where the commands read and write: inputs by name (`-` is standard input, named
//! [`STDIN`] in diagnostics), standard output with every write error turned into a
//! [`Failure`], and standard error for diagnostics.

use std::io::{self, BufRead, BufReader, IsTerminal, Write};

use super::Failure;

/// How a diagnostic names standard input, in every command.
pub(crate) const STDIN: &str = "<stdin>";

/// How standard output is named in a write error.
const STDOUT: &str = "standard output";

/// An input named on the command line: `-` is standard input.
pub(crate) struct Input {
    /// The name diagnostics give it: the path as written, or [`STDIN`].
    pub(crate) shown: String,
    /// Its size in bytes when known (a file), for progress.
    pub(crate) len: Option<u64>,
    /// The path to open, `None` for standard input.
    path: Option<String>,
}

impl Input {
    /// The input `arg` names (`-` is standard input).
    pub(crate) fn named(arg: &str) -> Self {
        if arg == "-" {
            Input {
                shown: STDIN.to_owned(),
                len: None,
                path: None,
            }
        } else {
            Input {
                shown: arg.to_owned(),
                len: std::fs::metadata(arg).ok().map(|m| m.len()),
                path: Some(arg.to_owned()),
            }
        }
    }

    /// Opens it for reading.
    pub(crate) fn open(&self) -> io::Result<Box<dyn BufRead>> {
        match &self.path {
            None => Ok(Box::new(BufReader::new(io::stdin()))),
            Some(p) => Ok(Box::new(BufReader::new(std::fs::File::open(p)?))),
        }
    }
}

/// Writes one diagnostic line to standard error. A standard error that cannot be written
/// has nowhere to report that, so the error is dropped (never a panic, as `eprintln!`).
pub(crate) fn diagnostic(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Writes `text` to standard error as is (the coverage report), dropping a write error
/// as [`diagnostic`] does.
pub(crate) fn diagnostic_text(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Whether standard error is a terminal: progress and the readable divergence are drawn
/// only then.
pub(crate) fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Standard output, each write error a [`Failure`] naming it.
pub(crate) struct Stdout<W: Write> {
    inner: W,
}

impl Stdout<io::BufWriter<io::StdoutLock<'static>>> {
    /// Standard output, buffered: for commands that print much and need no line to be
    /// seen before the next is written.
    pub(crate) fn buffered() -> Self {
        Stdout {
            inner: io::BufWriter::new(io::stdout().lock()),
        }
    }
}

impl Stdout<io::StdoutLock<'static>> {
    /// Standard output, each line written when it ends (`run`, which a caller may feed a
    /// line at a time).
    pub(crate) fn by_line() -> Self {
        Stdout {
            inner: io::stdout().lock(),
        }
    }
}

impl<W: Write> Stdout<W> {
    /// Writes `text` as is.
    pub(crate) fn text(&mut self, text: &str) -> Result<(), Failure> {
        self.inner
            .write_all(text.as_bytes())
            .map_err(|e| Failure::write(STDOUT, &e))
    }

    /// Writes `line` and a line end.
    pub(crate) fn line(&mut self, line: impl std::fmt::Display) -> Result<(), Failure> {
        writeln!(self.inner, "{line}").map_err(|e| Failure::write(STDOUT, &e))
    }

    /// Writes out what is buffered: a write error shows here at the latest.
    pub(crate) fn flush(&mut self) -> Result<(), Failure> {
        self.inner.flush().map_err(|e| Failure::write(STDOUT, &e))
    }
}

/// Reads the next line into `buffer` (cleared first) and gives the bytes read and the line
/// without its line end, which ends at `\n` or `\r\n` as [`BufRead::lines`] ends a
/// line; `None` at the end.
pub(crate) fn next_line<'b>(
    reader: &mut dyn BufRead,
    buffer: &'b mut String,
) -> io::Result<Option<(usize, &'b str)>> {
    buffer.clear();
    let read = reader.read_line(buffer)?;
    if read == 0 {
        return Ok(None);
    }
    let line = match buffer.strip_suffix('\n') {
        Some(line) => line.strip_suffix('\r').unwrap_or(line),
        None => buffer.as_str(),
    };
    Ok(Some((read, line)))
}
