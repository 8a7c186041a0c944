//! `iot-jobs-serve`: see the library documentation and docs/serve.md.

#![forbid(unsafe_code)]

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // `iot-jobs-serve replay ...` is the replayer (docs/conformance.md).
    if std::env::args_os().nth(1).is_some_and(|a| a == "replay") {
        return iot_jobs_serve::replay::cli::main(std::env::args_os().skip(2));
    }
    let args = iot_jobs_serve::Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("iot-jobs-serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(iot_jobs_serve::run(args));
    // The broker's threads never end by themselves: the process does.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iot-jobs-serve: {e}");
            ExitCode::FAILURE
        }
    }
}
