//! Running the replayer in-process for a test.

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
