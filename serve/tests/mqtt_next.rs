//! AWS's `$next` topics through the embedded broker, with a real MQTT client (rumqttc):
//! `$aws/things/T/jobs/$next/get/accepted` can be subscribed to, the answer comes back on
//! it spelled with `$next`, and `$aws/things/T/jobs/#` receives it too. A `$` after the
//! first level is an ordinary character (MQTT 3.1.1 and 5, section 4.7.2); the broker is
//! given an internal spelling of it (see `iot_jobs_serve::mqtt::to_broker`).

mod common;

use std::time::Duration;

use common::{request, Server};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS, SubscribeReasonCode};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::timeout;

const NEXT_GET: &str = "$aws/things/t1/jobs/$next/get";
const NEXT_ACCEPTED: &str = "$aws/things/t1/jobs/$next/get/accepted";

/// A connected client and what the broker sends it.
struct Client {
    client: AsyncClient,
    inbox: mpsc::UnboundedReceiver<Packet>,
}

impl Client {
    async fn connect(port: u16, id: &str) -> Client {
        let options = MqttOptions::new(id, "127.0.0.1", port);
        let (client, mut events) = AsyncClient::new(options, 16);
        let (send, inbox) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(event) = events.poll().await {
                if let Event::Incoming(packet) = event {
                    if send.send(packet).is_err() {
                        break;
                    }
                }
            }
        });
        let mut client = Client { client, inbox };
        assert!(matches!(client.next().await, Some(Packet::ConnAck(_))));
        client
    }

    /// The next packet, `None` when none comes within 2 s.
    async fn next(&mut self) -> Option<Packet> {
        timeout(Duration::from_secs(2), self.inbox.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next publish (skipping acknowledgements), `None` when none comes within 2 s.
    async fn next_publish(&mut self) -> Option<(String, Value)> {
        loop {
            match self.next().await? {
                Packet::Publish(p) => {
                    let topic = p.topic;
                    let payload = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                    return Some((topic, payload));
                }
                _ => continue,
            }
        }
    }

    /// Subscribes to `filter`; the broker's return code.
    async fn subscribe(&mut self, filter: &str) -> SubscribeReasonCode {
        self.client
            .subscribe(filter, QoS::AtLeastOnce)
            .await
            .unwrap();
        loop {
            match self.next().await {
                Some(Packet::SubAck(ack)) => return ack.return_codes[0],
                Some(_) => continue,
                None => panic!("no SUBACK for {filter}"),
            }
        }
    }

    async fn unsubscribe(&mut self, filter: &str) {
        self.client.unsubscribe(filter).await.unwrap();
        loop {
            match self.next().await {
                Some(Packet::UnsubAck(_)) => return,
                Some(_) => continue,
                None => panic!("no UNSUBACK for {filter}"),
            }
        }
    }

    async fn publish(&self, topic: &str, payload: &str) {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload.as_bytes().to_vec())
            .await
            .unwrap();
    }
}

/// A server with thing `t1` and job `j1` queued for it.
fn server_with_a_job() -> Server {
    let server = Server::start(&["--clock", "manual"]);
    let port = server.port("http");
    let iot = Some("iot");
    assert_eq!(request(port, "POST", "/things/t1", iot, "{}").status, 200);
    let job = r#"{"targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"], "document": "{}"}"#;
    assert_eq!(request(port, "PUT", "/jobs/j1", iot, job).status, 200);
    server
}

#[tokio::test]
async fn a_device_subscribes_to_next_get_accepted_and_hears_its_answer_there() {
    let server = server_with_a_job();
    let mut device = Client::connect(server.port("mqtt"), "t1").await;
    assert_eq!(
        device.subscribe(NEXT_ACCEPTED).await,
        SubscribeReasonCode::Success(QoS::AtLeastOnce)
    );
    device.publish(NEXT_GET, r#"{"clientToken": "c1"}"#).await;
    let (topic, answer) = device.next_publish().await.expect("the accepted answer");
    assert_eq!(topic, NEXT_ACCEPTED);
    assert_eq!(answer["clientToken"], "c1", "{answer}");
    assert_eq!(answer["execution"]["jobId"], "j1", "{answer}");

    // Unsubscribed (the filter spelled with `$next`), it hears no more answers.
    device.unsubscribe(NEXT_ACCEPTED).await;
    device.publish(NEXT_GET, r#"{"clientToken": "c2"}"#).await;
    assert_eq!(device.next_publish().await, None);
}

#[tokio::test]
async fn a_subscription_to_all_jobs_topics_hears_the_next_answers() {
    let server = server_with_a_job();
    let mut device = Client::connect(server.port("mqtt"), "t1").await;
    assert_eq!(
        device.subscribe("$aws/things/t1/jobs/#").await,
        SubscribeReasonCode::Success(QoS::AtLeastOnce)
    );
    device.publish(NEXT_GET, r#"{"clientToken": "c3"}"#).await;
    // The filter matches the device's own request too: the broker routes it back, in
    // either order with the answer.
    let first = device.next_publish().await.expect("two messages");
    let second = device.next_publish().await.expect("two messages");
    let (mut topics, answer) = match (first, second) {
        ((t1, a), (t2, _)) if t1 == NEXT_ACCEPTED => (vec![t1, t2], a),
        ((t1, _), (t2, a)) => (vec![t1, t2], a),
    };
    topics.sort();
    assert_eq!(topics, [NEXT_GET, NEXT_ACCEPTED]);
    assert_eq!(answer["clientToken"], "c3", "{answer}");
    assert_eq!(answer["execution"]["jobId"], "j1", "{answer}");
}

#[tokio::test]
async fn a_percent_in_a_topic_is_not_taken_for_a_dollar() {
    let server = Server::start(&["--clock", "manual"]);
    let port = server.port("mqtt");
    let mut dollar = Client::connect(port, "dollar").await;
    let mut percent = Client::connect(port, "percent").await;
    assert!(matches!(
        dollar.subscribe("a/$b").await,
        SubscribeReasonCode::Success(_)
    ));
    assert!(matches!(
        percent.subscribe("a/%24b").await,
        SubscribeReasonCode::Success(_)
    ));
    percent.publish("a/%24b", "{}").await;
    assert_eq!(percent.next_publish().await.unwrap().0, "a/%24b");
    dollar.publish("a/$b", "{}").await;
    assert_eq!(dollar.next_publish().await.unwrap().0, "a/$b");
    // Neither heard the other's topic.
    assert_eq!(percent.next_publish().await, None);
    assert_eq!(dollar.next_publish().await, None);
}
