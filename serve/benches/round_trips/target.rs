//! The two servers measured: this crate's binary, and ministack started by
//! serve/clients/ministack.sh. Each runs as a child process, killed when dropped.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How a device reaches the server's MQTT broker.
#[derive(Clone, Debug)]
pub enum Mqtt {
    /// MQTT over plain TCP on this port.
    Tcp(u16),
    /// MQTT over WebSocket at this URL, with this Host header (ministack picks its IoT
    /// broker by the host name).
    WebSocket { url: String, host: String },
}

/// A running server.
pub struct Target {
    /// The name the table gives it.
    pub name: &'static str,
    /// Where HTTP requests go (both services, told apart by the signature).
    pub http: SocketAddr,
    /// The MQTT broker.
    pub mqtt: Mqtt,
    child: Child,
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `iot-jobs-serve` (the bench profile's build, with the wall clock as users run it)
/// on free ports and waits for its ready line.
pub fn serve() -> Result<Target, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iot-jobs-serve"))
        .args(["--port", "0", "--mqtt-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start iot-jobs-serve: {e}"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("no ready line: {e}"))?;
    let ready: serde_json::Value =
        serde_json::from_str(&line).map_err(|e| format!("ready line {line:?}: {e}"))?;
    let port = |name: &str| {
        ready["ready"][name]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| format!("no {name} port in {line:?}"))
    };
    Ok(Target {
        name: "serve",
        http: SocketAddr::from(([127, 0, 0, 1], port("http")?)),
        mqtt: Mqtt::Tcp(port("mqtt")?),
        child,
    })
}

/// Starts ministack through serve/clients/ministack.sh (which installs it into
/// target/ministack-venv on first use) on a free port, and waits until it answers.
pub fn ministack() -> Result<Target, String> {
    let port = free_port()?;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/clients/ministack.sh");
    let child = Command::new("bash")
        .args([script, &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run {script}: {e}"))?;
    let target = Target {
        name: "ministack",
        http: SocketAddr::from(([127, 0, 0, 1], port)),
        mqtt: Mqtt::WebSocket {
            url: format!("ws://127.0.0.1:{port}/mqtt"),
            host: format!("bench.iot.us-east-1.localhost:{port}"),
        },
        child,
    };
    // The first run installs it from PyPI.
    let deadline = Instant::now() + Duration::from_secs(300);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(target.http).is_ok() {
            return Ok(target);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!(
        "ministack did not listen on port {port} within 300 s"
    ))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    Ok(port)
}
