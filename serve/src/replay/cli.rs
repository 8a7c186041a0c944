//! `iot-jobs-serve replay ...`: the replayer's command line (see [`super`] and
//! docs/conformance.md). It is a subcommand of the server's binary rather than a binary of
//! its own, so `cargo run -p iot-jobs-serve` and the workspace's `cargo run` each still
//! have one binary to pick.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use super::{parity, Args, Replayer, ReportFormat};

/// Runs the replayer with `args` (the arguments after `replay`); the exit code is
/// `check`'s.
pub fn main(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let name = std::ffi::OsString::from("iot-jobs-serve replay");
    let args = Args::parse_from(std::iter::once(name).chain(args));
    if let Err(why) = args.check() {
        // A usage error, as clap gives one (exit 2).
        Args::command()
            .error(ErrorKind::ArgumentConflict, why)
            .exit();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("iot-jobs-serve replay: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let format = args.report.unwrap_or(if std::io::stdout().is_terminal() {
        ReportFormat::Md
    } else {
        ReportFormat::Json
    });
    let dry_run = args.dry_run;
    let run = runtime.block_on(async move {
        let mut replayer = Replayer::connect(args).await?;
        Ok::<_, String>(replayer.run().await)
    });
    // The MQTT client's task never ends by itself: the process does.
    runtime.shutdown_background();
    let run = match run {
        Ok(run) => run,
        Err(e) => {
            eprintln!("iot-jobs-serve replay: {e}");
            return ExitCode::from(2);
        }
    };
    if dry_run {
        for file in &run.files {
            println!("# {}", file.report.file);
            for call in &file.dry_run {
                println!("{call}");
            }
        }
        return ExitCode::SUCCESS;
    }
    for file in &run.files {
        for line in file.report.diagnostics() {
            eprintln!("{line}");
        }
    }
    let parity = parity::Parity::of(&run);
    match format {
        ReportFormat::Md => print!("{}", parity.markdown()),
        ReportFormat::Json => match serde_json::to_string_pretty(&parity) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("iot-jobs-serve replay: {e}"),
        },
    }
    ExitCode::from(run.report().exit_code())
}
