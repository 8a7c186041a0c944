//! Running the replayer in-process for a test.

#![allow(dead_code)] // replay_ministack points at ministack, not at serve

use clap::Parser;
use iot_jobs_serve::replay::{Args, Replayer, Run};

/// Replays with the command-line arguments `args` (those after `replay`) on a runtime of
/// its own.
pub fn replay(args: impl IntoIterator<Item = String>) -> Run {
    let args = Args::parse_from(std::iter::once("replay".to_owned()).chain(args));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mut replayer = Replayer::connect(args).await.unwrap();
            replayer.run().await
        })
}

/// The options that point the replayer at `server`: its HTTP port and its broker.
pub fn endpoint(server: &crate::common::Server) -> Vec<String> {
    vec![
        "--endpoint".into(),
        format!("http://127.0.0.1:{}", server.port("http")),
        "--mqtt".into(),
        format!("127.0.0.1:{}", server.port("mqtt")),
    ]
}
