//! What the service has published and nobody has polled yet, kept typed: a `notify` or
//! `notify-next` holds the wire structs it carries (not their JSON), and names its thing
//! by id. [`Service::poll_message`] turns one into a [`Message`]; the trace checker
//! compares one with an expected event without building its JSON at all
//! ([`crate::trace::probe`]). The payloads' shapes are decisions 24 and 25.

use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use super::state::ThingId;
use super::{Message, Service};
use crate::mqtt::{is_topic, jobs_topic_parts, NOTIFY, NOTIFY_NEXT};
use crate::status::JobExecutionStatus;
use crate::trace::canonical;
use crate::trace::probe::matches_serialized;
use crate::wire::{data, to_json};

/// A published message, as the service keeps it until polled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outgoing {
    /// `$aws/things/{thing}/jobs/notify`.
    Notify {
        thing: ThingId,
        payload: NotifyPayload,
    },
    /// `$aws/things/{thing}/jobs/notify-next`.
    NotifyNext {
        thing: ThingId,
        payload: NotifyNextPayload,
    },
    /// An MQTT reply (`/accepted`, `/rejected`), built as JSON.
    Reply(Message),
}

impl Outgoing {
    /// What `self` carries, to serialize as it is (no JSON is built for it).
    fn payload(&self) -> Payload<'_> {
        match self {
            Outgoing::Notify { payload, .. } => Payload::Notify(payload),
            Outgoing::NotifyNext { payload, .. } => Payload::NotifyNext(payload),
            Outgoing::Reply(m) => Payload::Reply(&m.payload),
        }
    }
}

/// The payload of an [`Outgoing`], borrowed; it serializes as the payload it holds.
enum Payload<'a> {
    Notify(&'a NotifyPayload),
    NotifyNext(&'a NotifyNextPayload),
    Reply(&'a Value),
}

impl Serialize for Payload<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Payload::Notify(p) => p.serialize(serializer),
            Payload::NotifyNext(p) => p.serialize(serializer),
            Payload::Reply(p) => p.serialize(serializer),
        }
    }
}

/// Decision 24: `{"timestamp", "jobs": {"IN_PROGRESS": [...], "QUEUED": [...]}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct NotifyPayload {
    pub timestamp: i64,
    pub jobs: PendingJobs,
}

/// The first ten of a thing's pending order, each with its status; serialized as one
/// list per status (keys in the order the statuses first come, so IN_PROGRESS first), in
/// pending order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PendingJobs(pub Vec<(JobExecutionStatus, data::JobExecutionSummary)>);

impl Serialize for PendingJobs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The summaries of one status, in pending order.
        struct Of<'a>(&'a PendingJobs, JobExecutionStatus);
        impl Serialize for Of<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0 .0.iter().filter(|e| e.0 == self.1).map(|e| &e.1))
            }
        }
        let mut map = serializer.serialize_map(None)?;
        for (i, (status, _)) in self.0.iter().enumerate() {
            if !self.0[..i].iter().any(|e| e.0 == *status) {
                map.serialize_entry(status.as_str(), &Of(self, *status))?;
            }
        }
        map.end()
    }
}

/// Decision 25: `{"timestamp", "execution"}`, the execution left out when nothing is
/// pending. Boxed: a moment that touches a whole fleet queues one per thing, and the
/// queue keeps its capacity after it is drained, so its entries are kept small.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct NotifyNextPayload {
    pub timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution: Option<Box<MqttExecution>>,
}

/// A data-plane execution as MQTT carries it (details, shapes), in `notify-next` and in
/// replies: no `thingName` (INFERRED from the live transcript), and the job document as
/// JSON (decision 1b), parsed once per job. Made by [`Service::mqtt_execution`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct MqttExecution {
    /// With `thing_name` and `job_document` left empty.
    #[serde(flatten)]
    execution: data::JobExecution,
    #[serde(
        rename = "jobDocument",
        skip_serializing_if = "Option::is_none",
        serialize_with = "shared"
    )]
    job_document: Option<Arc<Value>>,
}

fn shared<S: Serializer>(v: &Option<Arc<Value>>, serializer: S) -> Result<S::Ok, S::Error> {
    v.as_deref().serialize(serializer)
}

impl Service {
    /// `execution` as MQTT carries it: without `thingName`, and with its job's document
    /// parsed where it carries one (or where `with_document` asks for it).
    pub(crate) fn mqtt_execution(
        &self,
        mut execution: data::JobExecution,
        with_document: bool,
    ) -> MqttExecution {
        execution.thing_name = None;
        let with_document = execution.job_document.take().is_some() || with_document;
        let job_document = execution
            .job_id
            .as_deref()
            .filter(|_| with_document)
            .and_then(|name| self.state.job_id(name))
            .map(|job| self.state.job(job).document_json.clone());
        MqttExecution {
            execution,
            job_document,
        }
    }

    /// The job document of `job` as MQTT carries it (decision 1b).
    pub(crate) fn mqtt_document(&self, job: &str) -> Option<Value> {
        let job = self.state.job_id(job)?;
        Some(self.state.job(job).document_json.as_ref().clone())
    }

    /// The topic `o` is published on, in parts ([`crate::mqtt::jobs_topic_parts`]).
    fn topic_parts<'s>(&'s self, o: &'s Outgoing) -> [&'s str; 4] {
        match o {
            Outgoing::Notify { thing, .. } => {
                jobs_topic_parts(self.state.thing_name(*thing), NOTIFY)
            }
            Outgoing::NotifyNext { thing, .. } => {
                jobs_topic_parts(self.state.thing_name(*thing), NOTIFY_NEXT)
            }
            Outgoing::Reply(m) => [&m.topic, "", "", ""],
        }
    }

    /// The message `o` is, as a caller sees it.
    pub(crate) fn render(&self, o: &Outgoing) -> Message {
        Message {
            topic: self.topic_parts(o).concat(),
            payload: to_json(&o.payload()),
        }
    }

    /// Whether `o` is on `topic` and its payload matches `payload` (trace-format
    /// "Matching"), without building its JSON.
    pub(crate) fn outgoing_matches(&self, o: &Outgoing, topic: &str, payload: &Value) -> bool {
        is_topic(topic, &self.topic_parts(o)) && matches_serialized(payload, &o.payload())
    }

    /// Writes `o` as a trace's `events` entry is written, `{"payload":...,"topic":...}`
    /// ([`crate::trace::canonical`]); `false` where that writer gives up.
    pub(crate) fn write_outgoing(&self, o: &Outgoing, t: &mut canonical::Text) -> bool {
        t.push_raw(b"{\"payload\":");
        let payload = canonical::write(&o.payload(), &[], t);
        t.push_raw(b",\"topic\":");
        let ok = payload && t.push_str_parts(&self.topic_parts(o));
        t.push_raw(b"}");
        ok
    }

    /// The next published message, as kept (see [`Service::render`]).
    pub(crate) fn poll_outgoing(&mut self) -> Option<Outgoing> {
        self.messages.pop_front()
    }
}
