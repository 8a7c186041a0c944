//! The embedded MQTT broker (rmqtt: MQTT 3.1.1 and 5 on one port, QoS 0, 1 and 2) and
//! the bridge between it and the specification.
//!
//! A hook on the broker's incoming publishes queues every device publish under
//! `$aws/things/` for the specification (and lets the broker route it as usual); one task
//! takes them from the queue in order and applies them through the [`Handle`]. The queue
//! lets the hook return first, so a device that subscribes to its own request topic
//! (`.../jobs/#`) hears its request before the reply, as it would from AWS, where the
//! Jobs service hears a request through the broker. What the specification publishes (replies, `notify`, `notify-next`) the
//! handle gives to the [`Forwarder`], which hands it to the broker's subscribers
//! directly, without passing the publish hook, so the specification never hears its own
//! messages.
//!
//! A `$` after a topic's first level is an ordinary character (MQTT 3.1.1 and 5, section
//! 4.7.2), and AWS's `$aws/things/T/jobs/$next/...` topics have one; rmqtt 0.24 takes any
//! level that starts with `$` for a system level and refuses it anywhere but first. So the
//! broker keeps topics in its own spelling ([`to_broker`]: `%24` for `$` and `%25` for `%`
//! after the first level): hooks rewrite subscriptions, unsubscriptions and client
//! publishes to it, the forwarder publishes in it, and a hook on every delivery spells
//! the topic back ([`from_broker`]) before it reaches the client.
//!
//! rumqttd, the broker first chosen, refuses every subscription to a topic filter that
//! starts with `$` and never routes a topic that does, so AWS's `$aws/...` topics cannot
//! pass through it.

use std::borrow::Cow;
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
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::handle::Handle;

/// The largest payload a client may publish, and the largest HTTP body: 128 KiB, AWS IoT
/// Core's message size limit (a CHOICE for the HTTP body, where AWS documents none).
pub const MAX_PAYLOAD: usize = 128 * 1024;

/// The prefix of the topics the bridge hands to the specification.
pub const THINGS_PREFIX: &str = "$aws/things/";

/// Spells a topic or topic filter the way the broker keeps it: in every level after the
/// first, `%` becomes `%25` and `$` becomes `%24` (so `$aws/things/T/jobs/$next/get` is
/// kept as `$aws/things/T/jobs/%24next/get`). The first level, `+` and `#` are kept.
///
/// rmqtt 0.24 takes any level that starts with `$` for a system level and refuses one
/// anywhere but first, where MQTT (3.1.1 and 5, section 4.7.2) restricts only a topic
/// whose first character is `$`. Escaping `%` too makes the spelling one-to-one, so
/// [`from_broker`] gives back exactly what came in, whatever a client sends.
pub fn to_broker(topic: &str) -> Cow<'_, str> {
    let Some(first) = topic.find('/') else {
        return Cow::Borrowed(topic);
    };
    let (head, rest) = topic.split_at(first);
    if !rest.contains(['$', '%']) {
        return Cow::Borrowed(topic);
    }
    let mut out = String::with_capacity(topic.len() + 8);
    out.push_str(head);
    for c in rest.chars() {
        match c {
            '%' => out.push_str("%25"),
            '$' => out.push_str("%24"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Gives back the topic a client sent (or is sent) from the broker's spelling of it: the
/// inverse of [`to_broker`] (`%24` is `$`, `%25` is `%`, after the first level).
pub fn from_broker(topic: &str) -> Cow<'_, str> {
    let Some(first) = topic.find('/') else {
        return Cow::Borrowed(topic);
    };
    let (head, rest) = topic.split_at(first);
    if !rest.contains('%') {
        return Cow::Borrowed(topic);
    }
    let mut out = String::with_capacity(topic.len());
    out.push_str(head);
    let mut rest = rest;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escaped = &rest[at..];
        if let Some(after) = escaped.strip_prefix("%24") {
            out.push('$');
            rest = after;
        } else if let Some(after) = escaped.strip_prefix("%25") {
            out.push('%');
            rest = after;
        } else {
            // Never made by `to_broker`; kept as it is.
            out.push('%');
            rest = &escaped[1..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A topic (filter) in the broker's spelling, if it differs from `topic`.
fn rewritten(topic: &str, spell: fn(&str) -> Cow<'_, str>) -> Option<TopicName> {
    match spell(topic) {
        Cow::Borrowed(_) => None,
        Cow::Owned(new) => Some(TopicName::from(new)),
    }
}

/// `publish` with its topic in `spell`'s spelling, if that differs.
fn respelled(publish: &Publish, spell: fn(&str) -> Cow<'_, str>) -> Option<HookResult> {
    let topic = rewritten(&publish.topic, spell)?;
    let mut publish = publish.clone();
    publish.topic = topic;
    Some(HookResult::Publish(publish))
}

/// The broker's edges: hands device publishes under `$aws/things/` to the task, and
/// spells every topic the broker's way on the way in ([`to_broker`]: subscriptions,
/// unsubscriptions, publishes) and back on the way out ([`from_broker`]: deliveries).
struct Bridge {
    requests: mpsc::Sender<(String, Vec<u8>)>,
}

#[async_trait]
impl Handler for Bridge {
    async fn hook(&self, param: &Parameter, acc: Option<HookResult>) -> ReturnType {
        match param {
            Parameter::ClientSubscribe(_, subscribe) => {
                match rewritten(&subscribe.topic_filter, to_broker) {
                    Some(filter) => (true, Some(HookResult::TopicFilter(Some(filter)))),
                    None => (true, acc),
                }
            }
            Parameter::ClientUnsubscribe(_, unsubscribe) => {
                match rewritten(&unsubscribe.topic_filter, to_broker) {
                    Some(filter) => (true, Some(HookResult::TopicFilter(Some(filter)))),
                    None => (true, acc),
                }
            }
            Parameter::MessagePublish(session, _, publish) => {
                // Only a client's publish (or its will) has a session.
                let topic: &str = &publish.topic;
                if session.is_some() && topic.starts_with(THINGS_PREFIX) {
                    let request = (topic.to_owned(), publish.payload.to_vec());
                    let _ = self.requests.send(request).await;
                }
                (true, respelled(publish, to_broker).or(acc))
            }
            Parameter::MessageDelivered(_, _, publish) => {
                (true, respelled(publish, from_broker).or(acc))
            }
            _ => (true, acc),
        }
    }
}

/// The broker before it listens: its context, from which the [`Forwarder`] comes.
pub struct Broker {
    scx: ServerContext,
}

impl Broker {
    /// Builds the broker's context.
    pub async fn new() -> Self {
        Self {
            scx: ServerContext::new().build().await,
        }
    }

    /// What the specification publishes through.
    pub fn forwarder(&self) -> Forwarder {
        Forwarder(Route::Broker {
            scx: self.scx.clone(),
            from: From::from_system(Id::new(
                self.scx.node.id(),
                0,
                None,
                None,
                ClientId::from_static("iot-jobs-serve"),
                Some(UserName::from("iot-jobs-serve")),
            )),
        })
    }

    /// Starts the broker on `addr:port` (0: a free port) with the bridge to `handle`;
    /// gives the bound port.
    pub async fn start(
        self,
        addr: IpAddr,
        port: u16,
        max_connections: usize,
        handle: Arc<Handle>,
    ) -> std::io::Result<u16> {
        let err = |what: &str, e: rmqtt::Error| std::io::Error::other(format!("{what}: {e}"));
        let scx = self.scx;
        let (requests, mut queued) = mpsc::channel::<(String, Vec<u8>)>(1024);
        tokio::spawn(async move {
            while let Some((topic, payload)) = queued.recv().await {
                // After shutdown the broker still routes; the specification is gone.
                let _ = handle.publish(topic, &payload).await;
            }
        });
        let register = scx.extends.hook_mgr().register();
        for typ in [
            Type::ClientSubscribe,
            Type::ClientUnsubscribe,
            Type::MessagePublish,
            Type::MessageDelivered,
        ] {
            let requests = requests.clone();
            register.add(typ, Box::new(Bridge { requests })).await;
        }
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
        let server = MqttServer::new(scx).listener(listener).build();
        tokio::spawn(async move {
            if let Err(e) = server.run().await {
                eprintln!("iot-jobs-serve: the MQTT broker stopped: {e}");
            }
        });
        Ok(bound)
    }
}

/// Publishes the specification's messages into the broker, as the system (not as a
/// client), in the broker's spelling of topics ([`to_broker`]).
pub struct Forwarder(Route);

enum Route {
    Broker { scx: ServerContext, from: From },
    Channel(mpsc::Sender<(String, Bytes)>),
}

impl Forwarder {
    /// A forwarder into a channel instead of a broker, for a [`Handle`] used without
    /// one (in a test, or embedded): each message is sent as (topic, payload), waiting
    /// while the channel is full.
    pub fn channel(to: mpsc::Sender<(String, Bytes)>) -> Self {
        Self(Route::Channel(to))
    }

    /// Hands `payload` on `topic` to every subscriber, at QoS 1 (less where a
    /// subscription asked for less). Never waits for a subscriber: the broker queues.
    pub async fn forward(&self, topic: &str, payload: Bytes) {
        let (scx, from) = match &self.0 {
            Route::Broker { scx, from } => (scx, from),
            Route::Channel(to) => {
                let _ = to.send((topic.to_owned(), payload)).await;
                return;
            }
        };
        let p = CodecPublish {
            dup: false,
            retain: false,
            qos: QoS::AtLeastOnce,
            topic: TopicName::from(to_broker(topic).into_owned()),
            packet_id: None,
            payload,
            properties: Some(PublishProperties::default()),
        };
        let p: Publish = p.into();
        let p = p.create_time(now_millis());
        if let Err(e) = SessionState::forwards(scx, from.clone(), p, false, None).await {
            eprintln!("iot-jobs-serve: cannot publish: {e}");
        }
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_level_dollar_is_kept() {
        for topic in [
            "$aws/things/t1/jobs/get",
            "$SYS/brokers",
            "$aws",
            "a/b/c",
            "",
        ] {
            assert!(matches!(to_broker(topic), Cow::Borrowed(t) if t == topic));
            assert!(matches!(from_broker(topic), Cow::Borrowed(t) if t == topic));
        }
    }

    #[test]
    fn a_dollar_after_the_first_level_is_escaped() {
        assert_eq!(
            to_broker("$aws/things/t1/jobs/$next/get/accepted"),
            "$aws/things/t1/jobs/%24next/get/accepted"
        );
        assert_eq!(
            from_broker("$aws/things/t1/jobs/%24next/get/accepted"),
            "$aws/things/t1/jobs/$next/get/accepted"
        );
        assert_eq!(to_broker("a/b$c/$"), "a/b%24c/%24");
    }

    #[test]
    fn a_percent_after_the_first_level_is_escaped_so_it_never_reads_as_a_dollar() {
        assert_eq!(to_broker("a/%24next"), "a/%2524next");
        assert_eq!(from_broker("a/%2524next"), "a/%24next");
        assert_ne!(to_broker("a/%24next"), to_broker("a/$next"));
        // The first level is the broker's own business either way.
        assert_eq!(to_broker("%24/$x"), "%24/%24x");
        assert_eq!(from_broker("%24/%24x"), "%24/$x");
    }

    #[test]
    fn wildcards_are_kept() {
        assert_eq!(
            to_broker("$aws/things/+/jobs/$next/#"),
            "$aws/things/+/jobs/%24next/#"
        );
        assert_eq!(to_broker("$aws/things/+/jobs/#"), "$aws/things/+/jobs/#");
        assert_eq!(to_broker("+/$x/+"), "+/%24x/+");
        assert_eq!(from_broker("+/%24x/+"), "+/$x/+");
    }

    #[test]
    fn a_topic_comes_back_as_it_went_in() {
        for topic in [
            "$aws/things/t1/jobs/$next/get",
            "$aws/things/t1/jobs/$next/update/rejected",
            "a/%/%%/%2/%24/%25/$/$$/%$",
            "/$/",
            "x/$next%24",
            "é/$ü/%",
        ] {
            let inside = to_broker(topic);
            assert!(
                inside.split('/').skip(1).all(|l| !l.contains('$')),
                "{inside}"
            );
            assert_eq!(from_broker(&inside), topic);
        }
    }
}
