//! `iot-jobs-replay`: see [`iot_jobs_serve::replay`] and docs/conformance.md.

#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use iot_jobs_serve::replay::{parity, Args, Replayer, ReportFormat};

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("iot-jobs-replay: cannot start the runtime: {e}");
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
    let run = match run {
        Ok(run) => run,
        Err(e) => {
            eprintln!("iot-jobs-replay: {e}");
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
            Err(e) => eprintln!("iot-jobs-replay: {e}"),
        },
    }
    ExitCode::from(run.report().exit_code())
}
