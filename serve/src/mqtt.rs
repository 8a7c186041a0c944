//! The embedded MQTT broker (rmqtt: MQTT 3.1.1 and 5 on one port, QoS 0, 1 and 2) and
//! the bridge between it and the specification.
//!
//! A hook on the broker's incoming publishes hands every device publish under
//! `$aws/things/` to the specification as [`Command::Publish`] (and lets the broker route
//! it as usual). What the specification publishes (replies, `notify`, `notify-next`)
//! comes from the task's outbox and is forwarded by the broker to its subscribers
//! directly, without passing the publish hook, so the specification never hears its own
//! messages.
//!
//! rumqttd, the broker first chosen, refuses every subscription to a topic filter that
//! starts with `$` and never routes a topic that does, so AWS's `$aws/...` topics cannot
//! pass through it.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use rmqtt::codec::v5::PublishProperties;
use rmqtt::context::ServerContext;
use rmqtt::hook::{Handler, HookResult, Parameter, ReturnType, Type};
use rmqtt::net::Builder;
use rmqtt::server::MqttServer;
use rmqtt::session::SessionState;
use rmqtt::types::{ClientId, CodecPublish, From, Id, Publish, QoS, TopicName, UserName};
use tokio::sync::mpsc;

use crate::actor::{Command, Outbox};

/// The largest payload a client may publish, and the largest HTTP body: 128 KiB, AWS IoT
/// Core's message size limit (a CHOICE for the HTTP body, where AWS documents none).
pub const MAX_PAYLOAD: usize = 128 * 1024;

/// The prefix of the topics the bridge hands to the specification.
pub const THINGS_PREFIX: &str = "$aws/things/";

/// Hands device publishes under `$aws/things/` to the task.
struct Bridge {
    commands: mpsc::Sender<Command>,
}

#[async_trait]
impl Handler for Bridge {
    async fn hook(&self, param: &Parameter, acc: Option<HookResult>) -> ReturnType {
        // Only a client's publish has a session; the bridge's own have none.
        if let Parameter::MessagePublish(Some(_), _, publish) = param {
            let topic: &str = &publish.topic;
            if topic.starts_with(THINGS_PREFIX) {
                let _ = self
                    .commands
                    .send(Command::Publish {
                        topic: topic.to_owned(),
                        payload: publish.payload.to_vec(),
                    })
                    .await;
            }
        }
        (true, acc)
    }
}

/// Starts the broker on `addr:port` (0: a free port) and the bridge to `commands`; gives
/// the bound port and the outbox the task publishes through.
pub async fn start(
    addr: IpAddr,
    port: u16,
    max_connections: usize,
    commands: mpsc::Sender<Command>,
) -> std::io::Result<(u16, Outbox)> {
    let err = |what: &str, e: rmqtt::Error| std::io::Error::other(format!("{what}: {e}"));
    let scx = ServerContext::new().build().await;
    let register = scx.extends.hook_mgr().register();
    register
        .add(Type::MessagePublish, Box::new(Bridge { commands }))
        .await;
    register.start().await;
    let listener = Builder::new()
        .name("mqtt")
        .laddr(SocketAddr::new(addr, port))
        .max_connections(max_connections)
        .max_packet_size(MAX_PAYLOAD as u32 + 1024)
        .allow_anonymous(true)
        // Nagle off (rmqtt's default leaves it on): otherwise the answer to a QoS 1
        // publish waits behind its PUBACK for the device's delayed ACK, about 40 ms.
        .nodelay(true)
        .bind()
        .map_err(|e| err("cannot listen for MQTT", e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| err("no MQTT address", e))?
        .port();
    let listener = listener.tcp().map_err(|e| err("cannot serve MQTT", e))?;
    let server = MqttServer::new(scx.clone()).listener(listener).build();
    tokio::spawn(async move {
        if let Err(e) = server.run().await {
            eprintln!("iot-jobs-serve: the MQTT broker stopped: {e}");
        }
    });

    let (outbox, mut to_forward) = mpsc::unbounded_channel::<(String, Vec<u8>)>();
    tokio::spawn(async move {
        let from = From::from_system(Id::new(
            scx.node.id(),
            0,
            None,
            None,
            ClientId::from_static("iot-jobs-serve"),
            Some(UserName::from("iot-jobs-serve")),
        ));
        while let Some((topic, payload)) = to_forward.recv().await {
            let p = CodecPublish {
                dup: false,
                retain: false,
                qos: QoS::AtLeastOnce,
                topic: TopicName::from(topic),
                packet_id: None,
                payload: Bytes::from(payload),
                properties: Some(PublishProperties::default()),
            };
            let p: Publish = p.into();
            let p = p.create_time(now_millis());
            if let Err(e) = SessionState::forwards(&scx, from.clone(), p, false, None).await {
                eprintln!("iot-jobs-serve: cannot publish: {e}");
            }
        }
    });
    Ok((bound, outbox))
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as i64
}
