//! Round trips against a running server, over HTTP and MQTT, with 1 and with 16 concurrent
//! clients: calls per second and latency (p50, p99). The same workload runs against this
//! crate's server and against ministack, each started by the benchmark, one after the
//! other, on the same machine. See docs/performance.md ("The server").
//!
//! ```text
//! cargo bench -p iot-jobs-serve --bench round_trips [-- [--seconds S] [serve] [ministack]]
//! ```
//!
//! With no target named, both are measured. `--seconds` is each cell's measured window
//! (default 3), after a warm-up of a fifth of it. It prints one Markdown table.
//! Nothing here runs under `cargo test`.

#![forbid(unsafe_code)]

mod fleet;
mod http;
mod mqtt;
mod stats;
mod target;

use std::future::Future;
use std::time::{Duration, Instant};

use fleet::Device;
use http::{Call, Connection};
use mqtt::{DeviceClient, Exchange};
use stats::Figures;
use target::Target;

/// The numbers of concurrent clients measured.
const CLIENTS: [usize; 2] = [1, 16];

/// The window of one cell: calls started before `measured_from` warm up.
#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    measured_from: Instant,
    end: Instant,
}

/// One line of the table.
struct Row {
    target: &'static str,
    what: String,
    clients: usize,
    outcome: Result<Figures, String>,
}

fn main() {
    let mut seconds = 3.0_f64;
    let mut names = Vec::new();
    let mut mqtt_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // cargo bench passes it to every benchmark binary.
            "--bench" => {}
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|s: &f64| *s > 0.0)
                    .unwrap_or_else(|| usage("--seconds takes a positive number"));
            }
            "serve" | "ministack" => names.push(arg),
            "--mqtt-only" => mqtt_only = true,
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    if names.is_empty() {
        names = vec!["serve".into(), "ministack".into()];
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let measured = Duration::from_secs_f64(seconds);
    let mut rows = Vec::new();
    for name in &names {
        let started = if name == "serve" {
            target::serve()
        } else {
            target::ministack()
        };
        match started {
            Ok(target) => rows.extend(runtime.block_on(measure(&target, measured, mqtt_only))),
            Err(e) => eprintln!("round_trips: {name}: {e}"),
        }
    }
    print_table(&rows);
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "round_trips: {problem}\nusage: cargo bench -p iot-jobs-serve --bench round_trips \
         -- [--seconds S] [serve] [ministack]"
    );
    std::process::exit(2)
}

/// Every cell for one target: the four HTTP calls, then MQTT updates (and, for serve, the
/// floors of each), each with 1 and with 16 clients.
async fn measure(target: &Target, measured: Duration, mqtt_only: bool) -> Vec<Row> {
    let most = CLIENTS.iter().copied().max().unwrap_or(1);
    let devices = match fleet::create(target.http, most).await {
        Ok(devices) => devices,
        Err(e) => {
            return vec![Row {
                target: target.name,
                what: "making the fleet".into(),
                clients: most,
                outcome: Err(e),
            }]
        }
    };
    let mut rows = Vec::new();
    let floors: &[Call] = if target.name == "serve" {
        &Call::FLOORS
    } else {
        &[]
    };
    let http: &[Call] = if mqtt_only { &[] } else { &Call::JOBS };
    for &call in http.iter().chain(floors) {
        for clients in CLIENTS {
            let addr = target.http;
            let outcome = run(&devices[..clients], measured, move |device, window| {
                http_client(addr, call, device, window)
            })
            .await;
            eprintln!(
                "{} {} x{clients}: {}",
                target.name,
                call.name(),
                summary(&outcome)
            );
            rows.push(Row {
                target: target.name,
                what: format!("HTTP {}", call.name()),
                clients,
                outcome,
            });
        }
    }
    let exchanges: &[Exchange] = if target.name == "serve" {
        &[Exchange::Update, Exchange::Echo]
    } else {
        &[Exchange::Update]
    };
    for &exchange in exchanges {
        for clients in CLIENTS {
            let broker = target.mqtt.clone();
            let outcome = run(&devices[..clients], measured, move |device, window| {
                mqtt_client(broker.clone(), device, exchange, window)
            })
            .await;
            eprintln!(
                "{} {} x{clients}: {}",
                target.name,
                exchange.name(),
                summary(&outcome)
            );
            rows.push(Row {
                target: target.name,
                what: exchange.name().into(),
                clients,
                outcome,
            });
        }
    }
    rows
}

/// Runs one client per device at once, each calling in a loop until the window ends, and
/// sums up the latencies of the calls started inside the measured part of the window.
async fn run<F, Fut>(devices: &[Device], measured: Duration, client: F) -> Result<Figures, String>
where
    F: Fn(Device, Window) -> Fut,
    Fut: Future<Output = Result<Vec<Duration>, String>> + Send + 'static,
{
    // Time to connect every client before anyone starts, then the warm-up.
    let start = Instant::now() + Duration::from_millis(500);
    let window = Window {
        start,
        measured_from: start + measured / 5,
        end: start + measured / 5 + measured,
    };
    let tasks: Vec<_> = devices
        .iter()
        .map(|d| tokio::spawn(client(d.clone(), window)))
        .collect();
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await.map_err(|e| e.to_string())??);
    }
    Figures::from_samples(samples, measured).ok_or_else(|| "no call completed".into())
}

/// One kind of round trip, made by one client.
trait RoundTrip {
    /// Makes round trip number `n`.
    async fn once(&mut self, n: u64) -> Result<(), String>;
}

/// An HTTP client making one call on its device's execution.
struct HttpCall {
    connection: Connection,
    call: Call,
    device: Device,
}

impl RoundTrip for HttpCall {
    async fn once(&mut self, n: u64) -> Result<(), String> {
        let Device { thing, job } = &self.device;
        self.connection.call(self.call, thing, job, n).await
    }
}

impl RoundTrip for DeviceClient {
    async fn once(&mut self, n: u64) -> Result<(), String> {
        self.exchange(n).await
    }
}

/// Waits for the window to open, then makes round trips until it closes; the latencies
/// of those started in its measured part.
async fn call_loop(window: Window, client: &mut impl RoundTrip) -> Result<Vec<Duration>, String> {
    tokio::time::sleep_until(window.start.into()).await;
    let mut samples = Vec::with_capacity(100_000);
    let mut n = 0;
    loop {
        let began = Instant::now();
        if began >= window.end {
            return Ok(samples);
        }
        n += 1;
        client.once(n).await?;
        if began >= window.measured_from {
            samples.push(began.elapsed());
        }
    }
}

async fn http_client(
    addr: std::net::SocketAddr,
    call: Call,
    device: Device,
    window: Window,
) -> Result<Vec<Duration>, String> {
    let connection = Connection::open(addr).await?;
    let mut client = HttpCall {
        connection,
        call,
        device,
    };
    call_loop(window, &mut client).await
}

async fn mqtt_client(
    broker: target::Mqtt,
    device: Device,
    exchange: Exchange,
    window: Window,
) -> Result<Vec<Duration>, String> {
    let mut client = DeviceClient::connect(&broker, &device, exchange).await?;
    call_loop(window, &mut client).await
}

fn summary(outcome: &Result<Figures, String>) -> String {
    match outcome {
        Ok(f) => format!(
            "{} calls/s, p50 {}, p99 {}",
            stats::rate(f.rate),
            stats::latency(f.p50),
            stats::latency(f.p99)
        ),
        Err(e) => format!("not measured: {e}"),
    }
}

fn print_table(rows: &[Row]) {
    println!("| server | round trip | clients | calls/s | p50 | p99 | calls measured |");
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        match &row.outcome {
            Ok(f) => println!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                row.target,
                row.what,
                row.clients,
                stats::rate(f.rate),
                stats::latency(f.p50),
                stats::latency(f.p99),
                f.calls
            ),
            Err(e) => println!(
                "| {} | {} | {} | not measured: {} | | | |",
                row.target,
                row.what,
                row.clients,
                e.replace('|', "/")
            ),
        }
    }
}
