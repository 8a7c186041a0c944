//! `notify` and `notify-next` (decisions 24 to 26): after each moment (a request, or one
//! timer firing), every thing whose pending set changed membership gets a `notify`, and
//! every thing whose head changed gets a `notify-next`, stamped with the moment: all the
//! `notify` messages first, then all the `notify-next`, each by thing name (trace-format's
//! canonical order).

use super::outbox::{MqttExecution, NotifyNextPayload, NotifyPayload, Outgoing, PendingJobs};
use super::state::{ExecId, ThingId};
use super::Service;
use crate::config::PENDING_LIST_LIMIT;

impl Service {
    /// Turns what this moment touched into messages, in trace-format's canonical order:
    /// every `notify`, then every `notify-next`, each by thing name.
    pub(super) fn flush_notifications(&mut self) {
        let touched = self.state.take_touched();
        let timestamp = self.timestamp();
        for (thing, touch) in &touched {
            if touch.membership_changed {
                let payload = NotifyPayload {
                    timestamp,
                    jobs: self.pending_jobs(*thing),
                };
                self.messages.push_back(Outgoing::Notify {
                    thing: *thing,
                    payload,
                });
            }
        }
        for (thing, touch) in touched {
            let head = self.state.head(thing);
            if head != touch.head_before {
                let payload = NotifyNextPayload {
                    timestamp,
                    execution: head.map(|id| Box::new(self.notify_next_execution(id))),
                };
                self.messages
                    .push_back(Outgoing::NotifyNext { thing, payload });
            }
        }
    }

    /// Decision 14: the first ten of the pending order, with their statuses, as `notify`
    /// (decision 24) and GetPendingJobExecutions list them.
    pub(super) fn pending_jobs(&self, thing: ThingId) -> PendingJobs {
        let jobs: Vec<_> = self
            .state
            .pending_of(thing)
            .take(PENDING_LIST_LIMIT)
            .map(|id| (self.state.exec(id).status, self.data_summary(id)))
            .collect();
        debug_assert!(jobs.iter().all(|(s, _)| s.is_pending()));
        PendingJobs(jobs)
    }

    /// Decision 25: the head as `notify-next` carries it, with its job document.
    fn notify_next_execution(&self, id: ExecId) -> MqttExecution {
        self.mqtt_execution(self.data_execution(id, false), true)
    }
}
