//! # iot-jobs-serve
//!
//! A local AWS IoT Jobs endpoint answered by the [`iot_jobs_spec`] reference model: both
//! REST-JSON services (`iot-jobs-data` and `iot`) over HTTP, as AWS's SDKs and the AWS
//! CLI call them, and the reserved `$aws/things/{thing}/jobs/...` topics over MQTT 3.1.1
//! and 5, from an embedded broker. It is to `iot-jobs-spec` what quinn is to quinn-proto:
//! the IO around a core that holds every rule.
//!
//! One lock guards the specification ([`handle`], around the [`actor`]'s state); HTTP
//! connections ([`http`]) and the MQTT bridge ([`mqtt`]) apply their requests through it,
//! one at a time, in the order they arrive at the lock.
//! docs/serve.md says how to run it and call it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![recursion_limit = "256"]

pub mod actor;
pub mod handle;
pub mod http;
pub mod mqtt;
pub mod replay;
pub mod route;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use iot_jobs_spec::{Config, Plane};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use actor::{Actor, ClockMode};
use handle::Handle;

/// The command line.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "iot-jobs-serve",
    version,
    about = "A local AWS IoT Jobs endpoint (REST-JSON over HTTP, MQTT 3.1.1 and 5) answered by \
             the iot-jobs-spec reference model",
    after_help = "On startup one line is printed to stdout: {\"ready\": {...}} with the bound \
                  ports (0 asks for a free one). Ctrl-C stops the server and flushes --record.\n\n\
                  `iot-jobs-serve replay --help`: the replayer, which sends traces to a live \
                  endpoint and checks its answers (docs/conformance.md)."
)]
pub struct Args {
    /// The address every listener binds.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// The HTTP port for both services, routed by the SigV4 credential scope of each
    /// request (a path only one service has needs no signature).
    #[arg(long, default_value_t = 9080)]
    pub port: u16,
    /// An extra HTTP port that serves iot-jobs-data only, for unsigned clients.
    #[arg(long)]
    pub data_port: Option<u16>,
    /// An extra HTTP port that serves iot only, for unsigned clients.
    #[arg(long)]
    pub control_port: Option<u16>,
    /// The MQTT port (3.1.1 and 5).
    #[arg(long, default_value_t = 1883)]
    pub mqtt_port: u16,
    /// How the logical clock moves: Unix seconds, or only through the admin API.
    #[arg(long, value_enum, default_value_t = ClockMode::Wall)]
    pub clock: ClockMode,
    /// The manual clock's starting time, in seconds.
    #[arg(long, default_value_t = 0, requires = "clock")]
    pub start: u64,
    /// Write every exchange to FILE as a trace (format v1), for `iot-jobs-spec check`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// The most HTTP connections served at once (more wait to be accepted); also the
    /// most MQTT connections.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
}

/// Runs the server until Ctrl-C (or SIGTERM).
pub async fn run(args: Args) -> std::io::Result<()> {
    if args.start != 0 && args.clock != ClockMode::Manual {
        return Err(std::io::Error::other(
            "--start sets the manual clock: add --clock manual",
        ));
    }
    let broker = mqtt::Broker::new().await;
    let actor = Actor::new(
        Config::default(),
        args.clock,
        args.start,
        args.record.clone(),
    )?;
    let spec = Arc::new(Handle::new(actor, Some(broker.forwarder())));
    let mqtt_port = broker
        .start(
            args.bind,
            args.mqtt_port,
            args.max_connections,
            Arc::clone(&spec),
        )
        .await?;
    let timers = (args.clock == ClockMode::Wall).then(|| {
        let spec = Arc::clone(&spec);
        tokio::spawn(async move { spec.run_timers().await })
    });
    let limit = Arc::new(Semaphore::new(args.max_connections.max(1)));
    let mut bound = serde_json::Map::new();
    let listeners = [
        ("http", Some(args.port), None),
        ("data", args.data_port, Some(Plane::Data)),
        ("control", args.control_port, Some(Plane::Control)),
    ];
    for (name, port, fixed) in listeners {
        let Some(port) = port else { continue };
        let listener = TcpListener::bind(SocketAddr::new(args.bind, port)).await?;
        bound.insert(name.into(), listener.local_addr()?.port().into());
        tokio::spawn(http::serve(
            listener,
            fixed,
            Arc::clone(&spec),
            Arc::clone(&limit),
        ));
    }
    bound.insert("mqtt".into(), mqtt_port.into());
    bound.insert("bind".into(), args.bind.to_string().into());
    bound.insert(
        "clock".into(),
        match args.clock {
            ClockMode::Wall => "wall",
            ClockMode::Manual => "manual",
        }
        .into(),
    );
    println!("{}", json!({ "ready": bound }));
    eprintln!(
        "iot-jobs-serve: HTTP on {}:{}, MQTT (3.1.1 and 5) on {}; Ctrl-C stops",
        args.bind, bound["http"], mqtt_port
    );
    shutdown_signal().await;
    spec.shut_down().await;
    if let Some(t) = timers {
        let _ = t.await;
    }
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
