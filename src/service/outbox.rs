//! What the service publishes, kept typed: a `notify` or `notify-next` holds the wire
//! structs it carries (not their JSON) and names its thing by id until it is polled;
//! [`Service::poll_message`] turns one into a [`Message`] whose [`Payload`] is still
//! typed and serializes as the JSON AWS publishes. The model never compares messages
//! with anything: the trace layer does. The payloads' shapes are decisions 24 and 25.

use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;

use super::state::ThingId;
use super::{Message, Service};
use crate::mqtt::{jobs_topic_parts, RejectedErrorCode, NOTIFY, NOTIFY_NEXT};
use crate::status::JobExecutionStatus;
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
    /// An MQTT reply (`/accepted`, `/rejected`), its topic written out. Boxed: a
    /// reply is one per device request, while a fleet-wide CreateJob queues a notify per
    /// thing, and the queue keeps its capacity (docs/performance.md, Memory).
    Reply(Box<Message>),
}

// The queue keeps its capacity after a fleet-wide CreateJob (two messages a thing), so an
// entry's size is paid per execution: 128 bytes with a reply inline cost 19 bytes an
// execution (docs/performance.md, Memory).
const _: () = assert!(std::mem::size_of::<Outgoing>() <= 56);

/// The payload of a [`Message`], typed by what it is; it serializes as the JSON AWS
/// publishes, and [`Payload::to_json`] gives that JSON as a value. Two payloads are equal
/// when their JSON is (a typed one equals [`Payload::Json`] of the same JSON).
#[derive(Clone, Debug)]
pub enum Payload {
    /// `notify` (decision 24).
    Notify(NotifyPayload),
    /// `notify-next` (decision 25).
    NotifyNext(NotifyNextPayload),
    /// An `/accepted` reply: the response's members, `timestamp` and `clientToken`.
    Accepted(Value),
    /// A `/rejected` reply (an MQTT `ErrorResponse`).
    Rejected(RejectedPayload),
    /// A payload known only as JSON: what another implementation published, as a
    /// conformance harness observes it (see `From<Value>`).
    Json(Value),
}

impl Payload {
    /// The payload as a JSON value.
    pub fn to_json(&self) -> Value {
        to_json(self)
    }

    /// The `code` of a `/rejected` payload.
    pub fn rejected_code(&self) -> Option<RejectedErrorCode> {
        match self {
            Payload::Rejected(r) => Some(r.code),
            _ => None,
        }
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Payload::Notify(a), Payload::Notify(b)) => a == b,
            (Payload::NotifyNext(a), Payload::NotifyNext(b)) => a == b,
            (Payload::Rejected(a), Payload::Rejected(b)) => a == b,
            (Payload::Accepted(a) | Payload::Json(a), Payload::Accepted(b) | Payload::Json(b)) => {
                a == b
            }
            _ => self.to_json() == other.to_json(),
        }
    }
}

impl Eq for Payload {}

impl std::fmt::Display for Payload {
    /// The payload as compact JSON.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl From<Value> for Payload {
    /// A payload known only as its JSON ([`Payload::Json`]).
    fn from(v: Value) -> Self {
        Payload::Json(v)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Payload::Notify(p) => p.serialize(serializer),
            Payload::NotifyNext(p) => p.serialize(serializer),
            Payload::Accepted(v) | Payload::Json(v) => v.serialize(serializer),
            Payload::Rejected(r) => r.serialize(serializer),
        }
    }
}

/// A `/rejected` payload: AWS's `ErrorResponse` (details, MQTT; decisions 7 and 9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedPayload {
    /// Why, as a code.
    pub code: RejectedErrorCode,
    /// Why, in words (free text: a trace never compares it).
    pub message: String,
    /// The request's `clientToken`, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_token: Option<Value>,
    /// When the service answered.
    pub timestamp: u64,
    /// The execution's state, where the refusal carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_state: Option<Value>,
}

/// Decision 24: `{"timestamp", "jobs": {"IN_PROGRESS": [...], "QUEUED": [...]}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotifyPayload {
    pub(crate) timestamp: u64,
    pub(crate) jobs: PendingJobs,
}

impl NotifyPayload {
    /// When the pending list changed.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The first ten of the thing's pending executions, in pending order, each with its
    /// status.
    pub fn jobs(&self) -> &[(JobExecutionStatus, data::JobExecutionSummary)] {
        &self.jobs.0
    }
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
pub struct NotifyNextPayload {
    pub(crate) timestamp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) execution: Option<Box<MqttExecution>>,
}

impl NotifyNextPayload {
    /// When the next pending execution changed.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The next pending execution; `None` when nothing is pending.
    pub fn execution(&self) -> Option<&MqttExecution> {
        self.execution.as_deref()
    }
}

/// A data-plane execution as MQTT carries it (details, shapes), in `notify-next` and in
/// replies: no `thingName` (INFERRED from the live transcript), and the job document as
/// JSON (decision 1b), parsed once per job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MqttExecution {
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

impl MqttExecution {
    /// The execution, without `thingName` and with its document given apart.
    pub fn execution(&self) -> &data::JobExecution {
        &self.execution
    }

    /// The job document as JSON, where the execution carries it.
    pub fn job_document(&self) -> Option<&Value> {
        self.job_document.as_deref()
    }
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

    /// The message `o` is, as a caller sees it: its topic written out, its payload
    /// moved (still typed).
    pub(crate) fn message_of(&self, o: Outgoing) -> Message {
        match o {
            Outgoing::Notify { thing, payload } => Message {
                topic: jobs_topic_parts(self.state.thing_name(thing), NOTIFY).concat(),
                payload: Payload::Notify(payload),
            },
            Outgoing::NotifyNext { thing, payload } => Message {
                topic: jobs_topic_parts(self.state.thing_name(thing), NOTIFY_NEXT).concat(),
                payload: Payload::NotifyNext(payload),
            },
            Outgoing::Reply(m) => *m,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::Config;
    use crate::plane::Operation;
    use crate::request::Request;

    /// A service with thing t1 and job j1 queued on it, its messages drained.
    fn queued() -> (Service, Vec<Message>) {
        let mut svc = Service::new(Config::default());
        let call = |op, input: Value| Request::decode(op, &input).unwrap();
        svc.handle(0, call(Operation::CreateThing, json!({"thingName": "t1"})))
            .unwrap();
        let targets = ["arn:aws:iot:us-east-1:123456789012:thing/t1"];
        let job = json!({"jobId": "j1", "targets": targets, "document": "{\"a\":1}"});
        svc.handle(3, call(Operation::CreateJob, job)).unwrap();
        let messages = std::iter::from_fn(|| svc.poll_message()).collect();
        (svc, messages)
    }

    #[test]
    fn payloads_are_typed_and_serialize_as_published() {
        let (mut svc, messages) = queued();
        let [notify, next] = &messages[..] else {
            panic!("{messages:?}")
        };
        let Payload::Notify(n) = &notify.payload else {
            panic!("{notify:?}")
        };
        assert_eq!(n.timestamp(), 3);
        assert_eq!(n.jobs().len(), 1);
        assert_eq!(n.jobs()[0].0, JobExecutionStatus::Queued);
        let Payload::NotifyNext(nn) = &next.payload else {
            panic!("{next:?}")
        };
        let e = nn.execution().expect("an execution");
        assert_eq!(e.execution().job_id.as_deref(), Some("j1"));
        assert_eq!(e.job_document(), Some(&json!({"a": 1})));
        assert_eq!(
            notify.payload.to_json(),
            json!({"timestamp": 3, "jobs": {"QUEUED": [{"jobId": "j1", "queuedAt": 3,
                   "lastUpdatedAt": 3, "versionNumber": 1, "executionNumber": 1}]}})
        );
        assert_eq!(
            notify.payload.to_string(),
            notify.payload.to_json().to_string()
        );
        // A payload known only as its JSON equals the typed one with that JSON.
        assert_eq!(Payload::from(next.payload.to_json()), next.payload);
        assert_ne!(Payload::from(json!({})), next.payload);
        assert_eq!(notify.payload.rejected_code(), None);
        // A refusal over MQTT carries its code, typed.
        svc.handle_publish(4, "$aws/things/t1/jobs/j1/update", b"{\"status\": 7}");
        let reply = svc.poll_message().expect("a reply");
        assert_eq!(reply.topic, "$aws/things/t1/jobs/j1/update/rejected");
        assert_eq!(
            reply.payload.rejected_code(),
            Some(RejectedErrorCode::InvalidRequest)
        );
        assert_eq!(reply.payload.to_json()["code"], "InvalidRequest");
        assert!(reply.payload.to_json()["message"].is_string());
    }
}
