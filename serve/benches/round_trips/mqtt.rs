//! The MQTT side: a device publishes an update of its started execution on
//! `$aws/things/{thing}/jobs/{job}/update` (QoS 1, as the AWS IoT Device SDKs do) and waits
//! for `.../update/accepted`. The floor under it ([`Exchange::Echo`]): the device publishes
//! on a topic of its own outside `$aws/`, which no server answers, and waits for the broker
//! to deliver it back to its subscription: the broker and the network alone. The client is rumqttc; each device drives its own event loop,
//! so a round trip has no hop between tasks on the client's side.

use std::time::Duration;

use rumqttc::{
    AsyncClient, Event, EventLoop, MqttOptions, NetworkOptions, Packet, QoS, SubscribeReasonCode,
    Transport,
};
use serde_json::json;

use crate::fleet::Device;
use crate::target::Mqtt;

/// What a device's round trip is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exchange {
    /// An update of the started execution, answered on `.../update/accepted`.
    Update,
    /// A publish on `bench/{thing}/echo`, delivered back by the broker (a floor).
    Echo,
}

impl Exchange {
    /// How the table names it.
    pub fn name(self) -> &'static str {
        match self {
            Exchange::Update => "MQTT update → update/accepted",
            Exchange::Echo => "MQTT echo (floor: the broker alone)",
        }
    }
}

/// A connected device, subscribed to its execution's update answers (or to its echo
/// topic).
pub struct DeviceClient {
    client: AsyncClient,
    events: EventLoop,
    exchange: Exchange,
    request: String,
    accepted: String,
}

impl DeviceClient {
    /// Connects as `device.thing` and subscribes to the update's accepted and rejected
    /// topics (or to its echo topic), waiting for the broker to acknowledge them.
    pub async fn connect(
        broker: &Mqtt,
        device: &Device,
        exchange: Exchange,
    ) -> Result<DeviceClient, String> {
        let id = device.thing.clone();
        let mut options = match broker {
            Mqtt::Tcp(port) => MqttOptions::new(id, "127.0.0.1", *port),
            Mqtt::WebSocket { url, host } => {
                let mut options = MqttOptions::new(id, url.clone(), 0);
                options.set_transport(Transport::Ws);
                let host = host.clone();
                options.set_request_modifier(move |mut request| {
                    let host = host.clone();
                    async move {
                        if let Ok(value) = host.parse() {
                            request.headers_mut().insert("host", value);
                        }
                        request
                    }
                });
                options
            }
        };
        options.set_keep_alive(Duration::from_secs(60));
        let (client, mut events) = AsyncClient::new(options, 16);
        // Nagle off, or each publish waits for the ACK of the last PUBACK.
        let mut network = NetworkOptions::new();
        network.set_tcp_nodelay(true);
        events.set_network_options(network);
        let (request, filters) = match exchange {
            Exchange::Update => {
                let topic = format!("$aws/things/{}/jobs/{}/update", device.thing, device.job);
                let filters = vec![format!("{topic}/accepted"), format!("{topic}/rejected")];
                (topic, filters)
            }
            Exchange::Echo => {
                let topic = format!("bench/{}/echo", device.thing);
                (topic.clone(), vec![topic])
            }
        };
        let mut device = DeviceClient {
            client,
            events,
            exchange,
            accepted: filters[0].clone(),
            request,
        };
        for filter in &filters {
            device
                .client
                .try_subscribe(filter, QoS::AtLeastOnce)
                .map_err(|e| e.to_string())?;
        }
        let mut acknowledged = 0;
        while acknowledged < filters.len() {
            match device.poll().await? {
                Packet::SubAck(ack) => {
                    if ack.return_codes.contains(&SubscribeReasonCode::Failure) {
                        return Err(format!("subscription refused: {ack:?}"));
                    }
                    acknowledged += 1;
                }
                Packet::Publish(p) => return Err(format!("unexpected publish on {}", p.topic)),
                _ => {}
            }
        }
        Ok(device)
    }

    /// One round trip: an IN_PROGRESS update reporting progress `n`, answered on
    /// `.../update/accepted` (an answer on `.../rejected` is an error that quotes it); or
    /// the same payload echoed back.
    pub async fn exchange(&mut self, n: u64) -> Result<(), String> {
        let payload =
            json!({"status": "IN_PROGRESS", "statusDetails": {"progress": n.to_string()}})
                .to_string();
        self.client
            .try_publish(&self.request, QoS::AtLeastOnce, false, payload.clone())
            .map_err(|e| e.to_string())?;
        loop {
            if let Packet::Publish(p) = self.poll().await? {
                if p.topic == self.accepted {
                    if self.exchange == Exchange::Echo && p.payload != payload.as_bytes() {
                        continue;
                    }
                    return Ok(());
                }
                return Err(format!(
                    "{}: {}",
                    p.topic,
                    String::from_utf8_lossy(&p.payload)
                ));
            }
        }
    }

    /// The next packet from the broker.
    async fn poll(&mut self) -> Result<Packet, String> {
        loop {
            match self.events.poll().await {
                Ok(Event::Incoming(packet)) => return Ok(packet),
                Ok(Event::Outgoing(_)) => {}
                Err(e) => return Err(format!("MQTT: {e}")),
            }
        }
    }
}
