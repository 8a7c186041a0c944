//! Requests a device publishes over MQTT, and the replies the service publishes back
//! (details, MQTT; decisions 7, 9, 13 and 26).
//!
//! The checks run in this order: the topic, the JSON, the payload being an object,
//! `clientToken` being a string, then the same checks as over HTTP. The reply goes on the
//! request topic's `/accepted` or `/rejected`, before any `notify` and `notify-next`.

use serde_json::{json, Map, Value};

use super::outbox::{Outgoing, Payload as Published, RejectedPayload};
use super::{Message, Service};
use crate::error::{Error, ServiceError};
use crate::mqtt::{JobsTopic, RejectedErrorCode, RequestTopic};
use crate::plane::Operation;
use crate::request::{Request, Response};

/// The members of a request payload.
type Payload = Map<String, Value>;

/// A refusal before or after the HTTP checks, as an MQTT `ErrorResponse`.
struct Rejected {
    code: RejectedErrorCode,
    message: String,
    execution_state: Option<Value>,
}

impl Rejected {
    fn new(code: RejectedErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            execution_state: None,
        }
    }
}

impl Service {
    /// Handles a message a device publishes on `topic` at `now`; `payload` is its raw
    /// bytes. Moves the clock first, as [`Service::handle`] does. The reply (on
    /// `/accepted` or `/rejected`) and any notifications are then in
    /// [`Service::poll_message`], in that order. A topic outside `$aws/things/T/jobs` gets
    /// no answer.
    pub fn handle_publish(&mut self, now: u64, topic: &str, payload: &[u8]) {
        let parsed = serde_json::from_slice(payload).map_err(|e| {
            if payload.is_empty() {
                "the payload is empty".to_owned()
            } else {
                format!("the payload is not valid JSON: {e}")
            }
        });
        self.publish(now, topic, parsed);
    }

    /// [`Service::handle_publish`] for a payload already parsed (the trace reader has it
    /// as JSON): the same as publishing its bytes, without writing and reading them again.
    pub(crate) fn handle_publish_json(&mut self, now: u64, topic: &str, payload: Value) {
        self.publish(now, topic, Ok(payload));
    }

    /// A publish whose payload is `Ok(JSON)`, or `Err(why it is not JSON)`.
    fn publish(&mut self, now: u64, topic: &str, payload: Result<Value, String>) {
        self.handle_timeout(now);
        let Some(parsed) = JobsTopic::parse(topic) else {
            return;
        };
        let request = match parsed {
            JobsTopic::Request(r) => r,
            _ => {
                // Notify, reply and unknown topics under the prefix name no operation.
                let reply = self.rejected_payload(
                    Rejected::new(
                        RejectedErrorCode::InvalidTopic,
                        format!("'{topic}' names no IoT Jobs operation"),
                    ),
                    None,
                );
                self.messages.push_back(Outgoing::Reply(Box::new(Message {
                    topic: format!("{topic}/rejected"),
                    payload: reply,
                })));
                return;
            }
        };
        let (token, result) = match self.read_payload(payload) {
            Err(rejected) => (None, Err(*rejected)),
            Ok((token, body)) => (token, self.publish_request(&request, body)),
        };
        let (topic, payload) = match result {
            Ok(body) => (
                request.accepted(),
                self.accepted_payload(body, token.as_ref()),
            ),
            Err(rejected) => (
                request.rejected(),
                self.rejected_payload(rejected, token.as_ref()),
            ),
        };
        self.messages
            .push_back(Outgoing::Reply(Box::new(Message { topic, payload })));
        self.flush_notifications();
    }

    /// The JSON, the object, the clientToken: `(token to echo, payload members)`.
    fn read_payload(
        &self,
        payload: Result<Value, String>,
    ) -> Result<(Option<Value>, Payload), Box<Rejected>> {
        let value =
            payload.map_err(|why| Box::new(Rejected::new(RejectedErrorCode::InvalidJson, why)))?;
        let Value::Object(map) = value else {
            return Err(Box::new(Rejected::new(
                RejectedErrorCode::InvalidRequest,
                "the payload must be a JSON object",
            )));
        };
        let token = match map.get("clientToken") {
            None | Some(Value::Null) => None,
            Some(t @ Value::String(_)) => Some(t.clone()),
            Some(other) => {
                return Err(Box::new(Rejected::new(
                    RejectedErrorCode::InvalidRequest,
                    format!("clientToken must be a string, got {other}"),
                )))
            }
        };
        Ok((token, map))
    }

    /// Runs the request through the HTTP checks and the model; the accepted body.
    fn publish_request(
        &mut self,
        topic: &RequestTopic,
        mut body: Map<String, Value>,
    ) -> Result<Map<String, Value>, Rejected> {
        body.remove("clientToken");
        let thing = topic.thing().to_owned();
        body.insert("thingName".into(), Value::String(thing.clone()));
        let op = match topic {
            RequestTopic::GetPending { .. } => Operation::GetPendingJobExecutions,
            RequestTopic::StartNext { .. } => Operation::StartNextPendingJobExecution,
            RequestTopic::Describe { job, .. } => {
                body.insert("jobId".into(), Value::String(job.clone()));
                Operation::DescribeJobExecution
            }
            RequestTopic::Update { job, .. } => {
                body.insert("jobId".into(), Value::String(job.clone()));
                // Decision 9 (DOC, INFERRED): a string of digits is accepted over MQTT.
                if let Some(Value::String(s)) = body.get("expectedVersion") {
                    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                        if let Ok(n) = s.parse::<i64>() {
                            body.insert("expectedVersion".into(), json!(n));
                        }
                    }
                }
                Operation::UpdateJobExecution
            }
        };
        let expected_version = body.get("expectedVersion").and_then(Value::as_i64);
        let request =
            Request::decode(op, &Value::Object(body)).map_err(|e| self.rejected(e, None))?;
        let response = match self.dispatch(request) {
            Ok(r) => r,
            Err(Error::Service(e)) => return Err(self.rejected(e, expected_version)),
            Err(Error::NotModelled(n)) => {
                return Err(Rejected::new(
                    RejectedErrorCode::InvalidRequest,
                    n.to_string(),
                ))
            }
        };
        Ok(self.mqtt_body(topic, response))
    }

    /// An HTTP refusal as an MQTT one. An expectedVersion that differs from the state the
    /// error carries was refused for the version: `VersionMismatch` (decision 9).
    fn rejected(&self, e: ServiceError, expected_version: Option<i64>) -> Rejected {
        let state = e
            .execution_state
            .as_ref()
            .and_then(|s| serde_json::to_value(s).ok());
        let state_version = e.execution_state.as_ref().and_then(|s| s.version_number);
        let mismatch = expected_version.is_some()
            && state_version.is_some()
            && expected_version != state_version;
        let code = if mismatch {
            RejectedErrorCode::VersionMismatch
        } else {
            RejectedErrorCode::from_http(e.code)
        };
        Rejected {
            code,
            message: e.message,
            execution_state: state,
        }
    }

    /// A response as the MQTT accepted payload carries it: executions as
    /// [`Service::mqtt_execution`] makes them, job documents as parsed JSON.
    fn mqtt_body(&self, topic: &RequestTopic, response: Response) -> Map<String, Value> {
        let execution = match &response {
            Response::DescribeJobExecution(r) => r.execution.clone(),
            Response::StartNextPendingJobExecution(r) => r.execution.clone(),
            _ => None,
        };
        let mut v = response.to_json();
        if let Some(e) = execution {
            v["execution"] = crate::wire::to_json(&self.mqtt_execution(e, false));
        }
        // UpdateJobExecution's `includeJobDocument`: the document of the topic's job.
        if let (Some(doc), RequestTopic::Update { job, .. }) = (v.get_mut("jobDocument"), topic) {
            if let Some(parsed) = self.mqtt_document(job) {
                *doc = parsed;
            }
        }
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn accepted_payload(&self, mut body: Map<String, Value>, token: Option<&Value>) -> Published {
        body.insert("timestamp".into(), json!(self.timestamp()));
        if let Some(t) = token {
            body.insert("clientToken".into(), t.clone());
        }
        Published::Accepted(Value::Object(body))
    }

    fn rejected_payload(&self, r: Rejected, token: Option<&Value>) -> Published {
        Published::Rejected(RejectedPayload {
            code: r.code,
            message: r.message,
            client_token: token.cloned(),
            timestamp: self.timestamp(),
            execution_state: r.execution_state,
        })
    }
}
