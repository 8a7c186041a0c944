//! `iot-jobs-spec`: check traces against the specification, fill in their expectations,
//! generate traces and test vectors, and print the rules.
//!
//! One convention for every command: standard output carries the command's result (the
//! trace, the document, `check`'s per-file verdicts or its JSON report) and nothing else;
//! standard error carries every diagnostic (`FILE:LINE: ...`), progress and error. Standard
//! input is named `<stdin>` wherever a diagnostic names a file. The commands live in
//! `src/cli/`.

#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
