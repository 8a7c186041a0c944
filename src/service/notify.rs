//! `notify` and `notify-next` (decisions 24 to 26): after each moment (a request, or one
//! timer firing), every thing whose pending set changed membership gets a `notify`, and
//! every thing whose head changed gets a `notify-next`, stamped with the moment: all the
//! `notify` messages first, then all the `notify-next`, each by thing name (trace-format's
//! canonical order).

use serde_json::{json, Map, Value};

use super::state::{ExecId, ThingId};
use super::{Message, Service};
use crate::config::PENDING_LIST_LIMIT;
use crate::status::JobExecutionStatus;

impl Service {
    /// Turns what this moment touched into messages, in trace-format's canonical order:
    /// every `notify`, then every `notify-next`, each by thing name.
    pub(super) fn flush_notifications(&mut self) {
        let touched = self.state.take_touched();
        for (thing, touch) in &touched {
            if touch.membership_changed {
                let payload = self.notify_payload(*thing);
                let name = self.state.thing_name(*thing);
                self.messages.push_back(Message {
                    topic: format!("$aws/things/{name}/jobs/notify"),
                    payload,
                });
            }
        }
        for (thing, touch) in touched {
            let head = self.state.head(thing);
            if head != touch.head_before {
                let mut payload = Map::new();
                payload.insert("timestamp".into(), json!(self.timestamp()));
                if let Some(id) = head {
                    payload.insert("execution".into(), self.mqtt_execution(id, true));
                }
                let name = self.state.thing_name(thing);
                self.messages.push_back(Message {
                    topic: format!("$aws/things/{name}/jobs/notify-next"),
                    payload: Value::Object(payload),
                });
            }
        }
    }

    /// Decision 24: `{"timestamp", "jobs": {"IN_PROGRESS": [...], "QUEUED": [...]}}`, the
    /// first ten of the pending order, keys with no entries left out.
    fn notify_payload(&self, thing: ThingId) -> Value {
        let mut jobs = Map::new();
        for id in self.state.pending_of(thing).take(PENDING_LIST_LIMIT) {
            let status = self.state.exec(id).status;
            let key = status.as_str();
            let summary = serde_json::to_value(self.data_summary(id)).unwrap_or(Value::Null);
            if let Value::Array(list) = jobs.entry(key).or_insert_with(|| Value::Array(Vec::new()))
            {
                list.push(summary);
            }
        }
        debug_assert!(jobs
            .keys()
            .all(|k| k == JobExecutionStatus::InProgress.as_str()
                || k == JobExecutionStatus::Queued.as_str()));
        json!({"timestamp": self.timestamp(), "jobs": jobs})
    }

    /// An execution as MQTT carries it (see [`super::mqtt::to_mqtt_execution`]).
    pub(crate) fn mqtt_execution(&self, id: ExecId, include_document: bool) -> Value {
        let mut v =
            serde_json::to_value(self.data_execution(id, include_document)).unwrap_or(Value::Null);
        super::mqtt::to_mqtt_execution(&mut v);
        v
    }
}
