//! `notify` and `notify-next` (decisions 24 to 26): after each moment (a request, or one
//! timer firing), every thing whose pending set changed membership gets a `notify`, and
//! every thing whose head changed gets a `notify-next`, stamped with the moment: all the
//! `notify` messages first, then all the `notify-next`, each by thing name (trace-format's
//! canonical order).

use super::outbox::{MqttExecution, NotifyNextPayload, NotifyPayload, Outgoing, PendingJobs};
use super::state::{ExecId, ThingId};
use super::Service;
use crate::config::PENDING_LIST_LIMIT;
use crate::status::JobExecutionStatus;

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

    /// Decision 14: the executions `notify` (decision 24) and GetPendingJobExecutions
    /// list, the first ten of the thing's pending order (decision 4), so the IN_PROGRESS
    /// ones come first.
    pub(super) fn listed_pending(
        &self,
        thing: ThingId,
    ) -> impl Iterator<Item = ExecId> + Clone + '_ {
        self.state.pending_of(thing).take(PENDING_LIST_LIMIT)
    }

    /// How many of [`Self::listed_pending`] are IN_PROGRESS: they are its first ones.
    pub(super) fn listed_in_progress_count(&self, thing: ThingId) -> usize {
        let status = |id: ExecId| self.state.exec(id).status();
        let listed = self.listed_pending(thing);
        let started = listed
            .clone()
            .take_while(|&id| status(id) == JobExecutionStatus::InProgress)
            .count();
        debug_assert!(
            listed
                .skip(started)
                .all(|id| status(id) == JobExecutionStatus::Queued),
            "decision 4: the IN_PROGRESS executions come first"
        );
        started
    }

    /// [`Self::listed_pending`] as `notify` carries them, with their statuses.
    fn pending_jobs(&self, thing: ThingId) -> PendingJobs {
        let jobs: Vec<_> = self
            .listed_pending(thing)
            .map(|id| (self.state.exec(id).status(), self.data_summary(id)))
            .collect();
        debug_assert!(jobs.iter().all(|(s, _)| s.is_pending()));
        PendingJobs(jobs)
    }

    /// Decision 25: the head as `notify-next` carries it, with its job document.
    fn notify_next_execution(&self, id: ExecId) -> MqttExecution {
        self.mqtt_execution(self.data_execution(id, false), true)
    }
}
