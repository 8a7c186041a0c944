//! The embedded MQTT broker (rumqttd: MQTT 3.1.1 on one port, MQTT 5 on another) and the
//! bridge between it and the specification.
//!
//! A local link subscribes to `$aws/things/+/jobs/#`. What a device publishes there goes
//! to the specification as [`Command::Publish`]; what the specification publishes
//! (replies, `notify`, `notify-next`) arrives from the task's outbox and is published on
//! the link. The link hears its own publishes too (the filter covers the reply topics),
//! so each is noted before it goes out and dropped when it comes back: the
//! specification is never fed its own messages.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rumqttd::{Broker, Config, ConnectionSettings, Notification, RouterConfig, ServerSettings};
use tokio::sync::mpsc;

use crate::actor::{Command, Outbox};

/// The largest payload a client may publish, and the largest HTTP body: 128 KiB, AWS IoT
/// Core's message size limit (a CHOICE for the body: AWS documents no other).
pub const MAX_PAYLOAD: usize = 128 * 1024;

/// The topics the bridge listens to.
pub const JOBS_FILTER: &str = "$aws/things/+/jobs/#";

/// A free port on `addr` when `port` is 0 (rumqttd binds its own sockets, so the port
/// is found first), else `port`.
fn resolve(addr: IpAddr, port: u16) -> std::io::Result<u16> {
    if port != 0 {
        return Ok(port);
    }
    Ok(TcpListener::bind((addr, 0))?.local_addr()?.port())
}

fn server(name: &str, listen: SocketAddr) -> ServerSettings {
    ServerSettings {
        name: name.to_owned(),
        listen,
        tls: None,
        next_connection_delay_ms: 1,
        connections: ConnectionSettings {
            connection_timeout_ms: 60_000,
            max_payload_size: MAX_PAYLOAD,
            max_inflight_count: 100,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    }
}

/// The broker's bound ports.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    /// MQTT 3.1.1.
    pub v4: u16,
    /// MQTT 5.
    pub v5: u16,
}

/// Starts the broker on `addr` and the bridge to `commands`; gives the bound ports and
/// the outbox the task publishes through.
pub fn start(
    addr: IpAddr,
    v4_port: u16,
    v5_port: u16,
    max_connections: usize,
    commands: mpsc::Sender<Command>,
) -> std::io::Result<(Ports, Outbox)> {
    let ports = Ports {
        v4: resolve(addr, v4_port)?,
        v5: resolve(addr, v5_port)?,
    };
    let config = Config {
        id: 0,
        router: RouterConfig {
            max_connections,
            max_outgoing_packet_count: 200,
            max_segment_size: 4 * 1024 * 1024,
            max_segment_count: 10,
            ..RouterConfig::default()
        },
        v4: Some(HashMap::from([(
            "v4".to_owned(),
            server("mqtt-3.1.1", SocketAddr::new(addr, ports.v4)),
        )])),
        v5: Some(HashMap::from([(
            "v5".to_owned(),
            server("mqtt-5", SocketAddr::new(addr, ports.v5)),
        )])),
        ..Config::default()
    };
    let mut broker = Broker::new(config);
    let (mut link_tx, mut link_rx) = broker
        .link("iot-jobs-serve")
        .map_err(|e| std::io::Error::other(format!("the broker refused the bridge: {e}")))?;
    link_tx
        .subscribe(JOBS_FILTER)
        .map_err(|e| std::io::Error::other(format!("cannot subscribe the bridge: {e}")))?;
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            if let Err(e) = broker.start() {
                eprintln!("iot-jobs-serve: the MQTT broker stopped: {e}");
            }
        })?;

    // What the bridge published and has not heard back yet, by topic and payload.
    let own: Arc<Mutex<HashMap<(String, Vec<u8>), usize>>> = Arc::default();
    let (outbox, published) = std::sync::mpsc::channel::<(String, Vec<u8>)>();
    let noted = Arc::clone(&own);
    std::thread::Builder::new()
        .name("mqtt-publish".into())
        .spawn(move || {
            for (topic, payload) in published {
                if let Ok(mut own) = noted.lock() {
                    *own.entry((topic.clone(), payload.clone())).or_default() += 1;
                }
                if link_tx.publish(topic, payload).is_err() {
                    break;
                }
            }
        })?;
    std::thread::Builder::new()
        .name("mqtt-receive".into())
        .spawn(move || loop {
            let forward = match link_rx.recv() {
                Ok(Some(Notification::Forward(f))) => f,
                Ok(_) => continue,
                Err(_) => break,
            };
            let topic = String::from_utf8_lossy(&forward.publish.topic).into_owned();
            let payload = forward.publish.payload.to_vec();
            let key = (topic, payload);
            let echo = own.lock().is_ok_and(|mut own| match own.get_mut(&key) {
                Some(n) => {
                    *n -= 1;
                    if *n == 0 {
                        own.remove(&key);
                    }
                    true
                }
                None => false,
            });
            if echo {
                continue;
            }
            let (topic, payload) = key;
            if commands
                .blocking_send(Command::Publish { topic, payload })
                .is_err()
            {
                break;
            }
        })?;
    for port in [ports.v4, ports.v5] {
        wait_listening(SocketAddr::new(addr, port))?;
    }
    Ok((ports, outbox))
}

/// Waits (up to 10 s) until the broker accepts connections on `at`.
fn wait_listening(at: SocketAddr) -> std::io::Result<()> {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect_timeout(&at, Duration::from_millis(200)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() > until => {
                return Err(std::io::Error::other(format!(
                    "the MQTT broker does not listen on {at}: {e}"
                )))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}
