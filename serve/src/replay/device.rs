//! The replayer's MQTT side: one client that publishes a trace's device steps and
//! collects what the implementation publishes on `$aws/things/THING/jobs/...` for the
//! things of the trace (the client is `rumqttc`).

use std::collections::BTreeSet;
use std::time::Duration;

use bytes::Bytes;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};

/// A message the implementation published.
#[derive(Clone, Debug, PartialEq)]
pub struct Heard {
    /// Its topic.
    pub topic: String,
    /// Its payload.
    pub payload: Bytes,
}

impl Heard {
    /// The message as a trace's `events` entry: `payload` when it is JSON, `payload_raw`
    /// otherwise.
    pub fn to_event(&self) -> Value {
        match serde_json::from_slice::<Value>(&self.payload) {
            Ok(payload) => json!({"topic": self.topic, "payload": payload}),
            Err(_) => json!({
                "topic": self.topic,
                "payload_raw": String::from_utf8_lossy(&self.payload),
            }),
        }
    }
}

enum Incoming {
    Connected,
    Subscribed,
    Message(Heard),
    Failed(String),
}

/// Whether `topic` is one the service publishes (an answer or a notification), not a
/// device's request.
pub fn from_service(topic: &str) -> bool {
    topic.starts_with("$aws/things/")
        && ["/accepted", "/rejected", "/notify", "/notify-next"]
            .iter()
            .any(|s| topic.ends_with(s))
}

/// The thing a reserved topic names.
pub fn thing_of(topic: &str) -> Option<&str> {
    topic.strip_prefix("$aws/things/")?.split('/').next()
}

/// A connected MQTT client.
pub struct Device {
    client: AsyncClient,
    inbox: mpsc::UnboundedReceiver<Incoming>,
    subscribed: BTreeSet<String>,
    things: BTreeSet<String>,
}

impl Device {
    /// Connects to `host:port` as `client_id`; `Err` when no CONNACK comes within
    /// `wait`.
    pub async fn connect(address: &str, client_id: &str, wait: Duration) -> Result<Self, String> {
        let (host, port) = address
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .ok_or_else(|| format!("--mqtt {address} is not HOST:PORT"))?;
        let mut options = MqttOptions::new(client_id, host, port);
        options.set_keep_alive(Duration::from_secs(30));
        options.set_max_packet_size(256 * 1024, 256 * 1024);
        let (client, mut events) = AsyncClient::new(options, 256);
        let (send, inbox) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                let incoming = match events.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => Incoming::Connected,
                    Ok(Event::Incoming(Packet::SubAck(_))) => Incoming::Subscribed,
                    Ok(Event::Incoming(Packet::Publish(p))) => Incoming::Message(Heard {
                        topic: p.topic,
                        payload: p.payload,
                    }),
                    Ok(_) => continue,
                    Err(e) => {
                        let _ = send.send(Incoming::Failed(e.to_string()));
                        return;
                    }
                };
                if send.send(incoming).is_err() {
                    return;
                }
            }
        });
        let mut device = Self {
            client,
            inbox,
            subscribed: BTreeSet::new(),
            things: BTreeSet::new(),
        };
        let deadline = Instant::now() + wait;
        loop {
            match device.next(deadline).await? {
                Some(Incoming::Connected) => return Ok(device),
                Some(_) => {}
                None => return Err(format!("the MQTT broker {address} did not answer CONNECT")),
            }
        }
    }

    async fn next(&mut self, deadline: Instant) -> Result<Option<Incoming>, String> {
        match timeout_at(deadline, self.inbox.recv()).await {
            Err(_) => Ok(None),
            Ok(None) => Err("the MQTT connection ended".to_owned()),
            Ok(Some(Incoming::Failed(e))) => Err(format!("MQTT: {e}")),
            Ok(Some(other)) => Ok(Some(other)),
        }
    }

    /// Listens to the things of the next trace (and only those): subscribes to
    /// `$aws/things/THING/jobs/#` for each one not yet subscribed, waiting for each SUBACK.
    /// One filter only: a broker may deliver one copy of a message per matching
    /// subscription (MQTT 3.1.1 section 3.3.5), and `#` matches `$next` (a `$` only
    /// restricts a topic's first level, section 4.7.2).
    pub async fn listen(
        &mut self,
        things: &BTreeSet<String>,
        wait: Duration,
    ) -> Result<(), String> {
        self.things = things.clone();
        for thing in things {
            if self.subscribed.contains(thing) {
                continue;
            }
            self.client
                .subscribe(format!("$aws/things/{thing}/jobs/#"), QoS::AtLeastOnce)
                .await
                .map_err(|e| format!("MQTT subscribe: {e}"))?;
            let deadline = Instant::now() + wait;
            loop {
                match self.next(deadline).await? {
                    Some(Incoming::Subscribed) => break,
                    Some(_) => {}
                    None => return Err(format!("no SUBACK for the topics of {thing}")),
                }
            }
            self.subscribed.insert(thing.clone());
        }
        Ok(())
    }

    /// Publishes a device's message at QoS 1.
    pub async fn publish(&self, topic: &str, payload: Vec<u8>) -> Result<(), String> {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload)
            .await
            .map_err(|e| format!("MQTT publish: {e}"))
    }

    /// What the service published for the listened things: waits until `expected`
    /// messages are in (or `wait` has passed), then `settle` more for any extra one.
    pub async fn collect(
        &mut self,
        expected: usize,
        wait: Duration,
        settle: Duration,
    ) -> Result<Vec<Heard>, String> {
        let mut heard = Vec::new();
        let mut deadline = Instant::now() + wait;
        let mut settling = false;
        loop {
            if !settling && heard.len() >= expected {
                settling = true;
                deadline = Instant::now() + settle;
            }
            match self.next(deadline).await? {
                Some(Incoming::Message(m)) => {
                    let listened = thing_of(&m.topic).is_some_and(|t| self.things.contains(t));
                    if listened && from_service(&m.topic) {
                        heard.push(m);
                    }
                }
                Some(_) => {}
                None if settling => return Ok(heard),
                None => {
                    settling = true;
                    deadline = Instant::now() + settle;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_services_topics_are_collected() {
        for topic in [
            "$aws/things/t1/jobs/notify",
            "$aws/things/t1/jobs/notify-next",
            "$aws/things/t1/jobs/get/accepted",
            "$aws/things/t1/jobs/j1/update/rejected",
        ] {
            assert!(from_service(topic), "{topic}");
        }
        for topic in [
            "$aws/things/t1/jobs/get",
            "$aws/things/t1/jobs/start-next",
            "$aws/things/t1/jobs/j1/update",
            "other/notify",
        ] {
            assert!(!from_service(topic), "{topic}");
        }
        assert_eq!(thing_of("$aws/things/t1/jobs/notify"), Some("t1"));
        assert_eq!(thing_of("a/b"), None);
    }

    #[test]
    fn a_payload_that_is_not_json_is_written_raw() {
        let raw = Heard {
            topic: "t".into(),
            payload: Bytes::from_static(b"{oops"),
        };
        assert_eq!(
            raw.to_event(),
            json!({"topic": "t", "payload_raw": "{oops"})
        );
        let ok = Heard {
            topic: "t".into(),
            payload: Bytes::from_static(b"{\"a\":1}"),
        };
        assert_eq!(ok.to_event(), json!({"topic": "t", "payload": {"a": 1}}));
    }
}
