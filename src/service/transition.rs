//! The one way an execution's status changes: [`Service::transition`] (or its two halves,
//! [`Service::ask`] and [`Service::take`]).
//!
//! Creating an execution, changing its status and deleting it are all rows of
//! [`crate::rules::TRANSITIONS`]. The status is private to [`super::state`], which writes
//! it only with a [`Permit`]; a permit is made only here, from the row the table gives for
//! the execution's status now. So every change of status is a row of the table, is
//! recorded ([`crate::Service::poll_transition`]) and has the row's effects, and no other
//! path can move an execution.
//!
//! The effects, by the row's cause:
//! - a device's row (UpdateJobExecution, StartNextPendingJobExecution): `versionNumber` + 1
//!   (decision 10), `lastUpdatedAt` now, `statusDetails` replaced when the request gives
//!   them (11), `startedAt` and the in-progress timer on the first IN_PROGRESS (15), the
//!   step timer set or stopped while the execution stays IN_PROGRESS (16);
//! - the service's rows (timers, cancels, removals): `lastUpdatedAt` now, `versionNumber`
//!   unchanged (decisions 10, 17); a cancel records its `force` as `forceCanceled` and
//!   replaces `statusDetails` when given (20, 21);
//! - every row that ends an execution stops its timers, runs the abort check (decision
//!   30), retries it when a criterion allows (19) and completes its SNAPSHOT job when
//!   nothing is pending (23); deleting one (22) runs the abort check and may complete its
//!   job too;
//! - a creation row queues an execution (decision 1).
//!
//! Notifications are not per row: the state records which things' pending sets a moment
//! touched, and the service publishes for those (decisions 24, 25).

use super::state::{ExecId, JobId, ThingId, Timer};
use super::Service;
use super::TransitionRecord;
use crate::config::CANCEL_STEP_TIMER;
use crate::rules::{self, Cause, Refusal, Transition};
use crate::status::{Actor, JobExecutionStatus};
use crate::wire::DetailsMap;

/// The execution a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Subject {
    /// One that exists.
    Existing(ExecId),
    /// One the change creates: of `job` on `thing`, after `retry_attempt` retries.
    New {
        job: JobId,
        thing: ThingId,
        retry_attempt: i32,
    },
}

/// What a request adds to a change besides the status: `statusDetails` (decision 11) and
/// `stepTimeoutInMinutes` (16).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Change {
    pub details: Option<DetailsMap>,
    pub step_minutes: Option<i64>,
}

/// The row the table gives for one change of one execution: the only value with which
/// [`super::state::State`] writes a status. Made only by [`Service::ask`], used once by
/// [`Service::take`].
#[derive(Debug)]
pub(crate) struct Permit {
    row: &'static Transition,
    subject: Subject,
    force: bool,
}

impl Permit {
    /// The row.
    pub(super) fn row(&self) -> &'static Transition {
        self.row
    }
}

impl Service {
    /// Asks the table for the row that moves `subject` to `to` by `cause` with this
    /// `force` ([`rules::decide`]), or why it refuses. Changes nothing.
    pub(super) fn ask(
        &self,
        subject: Subject,
        to: Option<JobExecutionStatus>,
        cause: Cause,
        force: bool,
    ) -> Result<Permit, Refusal> {
        let from = match subject {
            Subject::Existing(id) => Some(self.state.exec(id).status()),
            Subject::New { .. } => None,
        };
        let row = rules::decide(from, to, cause, force, &self.config.switches)?;
        Ok(Permit {
            row,
            subject,
            force,
        })
    }

    /// Takes the row `permit` holds: records it and applies its effects (see the module
    /// documentation). Returns the row.
    pub(super) fn take(&mut self, permit: Permit, change: Change) -> &'static Transition {
        let row = permit.row;
        match permit.subject {
            Subject::New {
                job,
                thing,
                retry_attempt,
            } => {
                let now = self.now;
                let id = self
                    .state
                    .create_execution(&permit, job, thing, now, retry_attempt);
                self.record_transition(row, id);
            }
            Subject::Existing(id) => {
                self.record_transition(row, id);
                if row.to.is_none() {
                    let job = self.state.exec(id).job;
                    self.state.delete_execution(id, &permit);
                    // Decision 30: a deleted execution stops counting (DeleteJob's job is
                    // deleted, so the check passes it by).
                    if !self.check_abort(job) {
                        self.maybe_complete(job);
                    }
                    return row;
                }
                match row.actor() {
                    Actor::Device => self.device_change(id, &permit, change),
                    Actor::Service => self.service_change(id, &permit, change),
                }
                if row.to.is_some_and(JobExecutionStatus::is_terminal) {
                    self.after_end(id);
                }
            }
        }
        row
    }

    /// [`Service::ask`], then [`Service::take`]: the change, or why the table refuses it
    /// (nothing changed then).
    pub(super) fn transition(
        &mut self,
        subject: Subject,
        to: Option<JobExecutionStatus>,
        cause: Cause,
        force: bool,
        change: Change,
    ) -> Result<&'static Transition, Refusal> {
        let permit = self.ask(subject, to, cause, force)?;
        Ok(self.take(permit, change))
    }

    /// A change whose subject the caller chose so that the table has its row (a
    /// creation, a retry, a timer, a removal, a QUEUED head started), with no `force`.
    ///
    /// A refusal here is a broken invariant of the model (it and the table disagree), so
    /// this panics in every build, naming the execution's state, the cause and the
    /// decisions whose rows the cause has. It does not return the refusal: most callers
    /// (timers, retries, rollouts, cascades of another request) have no request to refuse
    /// and no AWS error to give, and going on would leave the execution in a state the
    /// table never allows (a timer that cannot fire would fire again at every step).
    #[track_caller]
    pub(super) fn must_transition(
        &mut self,
        subject: Subject,
        to: JobExecutionStatus,
        cause: Cause,
        change: Change,
    ) -> &'static Transition {
        match self.transition(subject, Some(to), cause, false, change) {
            Ok(row) => row,
            Err(refusal) => {
                let from = match subject {
                    Subject::Existing(id) => self.state.exec(id).status().as_str(),
                    Subject::New { .. } => "no execution",
                };
                panic!(
                    "broken invariant: the table refuses {subject:?} from {from} to {to} by \
                     {cause} ({refusal}); the rows of {cause} state decision(s) {}",
                    decisions_of(cause)
                )
            }
        }
    }

    /// A new execution of `job` on `thing`, QUEUED by `cause` (a creation row: decisions
    /// 1, 2, 28, 36), through [`Service::must_transition`].
    pub(super) fn queue_new(&mut self, job: JobId, thing: ThingId, cause: Cause) {
        let new = Subject::New {
            job,
            thing,
            retry_attempt: 0,
        };
        self.must_transition(new, JobExecutionStatus::Queued, cause, Change::default());
    }

    /// Moves each of `ids`, in order, to `to` by `cause` (a removal or an abort: rows
    /// the caller made sure of), through [`Service::must_transition`].
    pub(super) fn move_each(&mut self, ids: Vec<ExecId>, to: JobExecutionStatus, cause: Cause) {
        for id in ids {
            self.must_transition(Subject::Existing(id), to, cause, Change::default());
        }
    }

    /// Records that execution `id` took `row` (a no-op unless recording).
    fn record_transition(&mut self, row: &'static Transition, id: ExecId) {
        if !self.config.record_transitions {
            return;
        }
        let index = rules::TRANSITIONS
            .iter()
            .position(|t| std::ptr::eq(t, row))
            .unwrap_or(usize::MAX);
        let e = self.state.exec(id);
        self.transitions.push_back(TransitionRecord {
            row: index,
            at: self.now,
            job_id: self.state.job_name(e.job).to_owned(),
            thing_name: self.state.thing_name(e.thing).to_owned(),
            execution_number: e.number,
        });
    }

    /// A device's row: version + 1 (decision 10), details replaced when given (11),
    /// startedAt and the in-progress timer on the first IN_PROGRESS (15), the step timer
    /// when the execution stays IN_PROGRESS (16).
    fn device_change(&mut self, id: ExecId, permit: &Permit, change: Change) {
        let now = self.now;
        let to = permit.row.to;
        let in_progress = to == Some(JobExecutionStatus::InProgress);
        let first_start = in_progress && self.state.exec(id).started_at.is_none();
        let in_progress_minutes = if first_start {
            self.state.job(self.state.exec(id).job).in_progress_minutes
        } else {
            None
        };
        // The in-progress timer counts as set before a step timer set by the same request.
        let in_progress_timer = match (first_start, in_progress_minutes) {
            (true, Some(m)) => Some(Timer {
                deadline: now.saturating_add(minutes_to_secs(m)),
                seq: self.state.next_seq(),
            }),
            _ => None,
        };
        let step_timer = match change.step_minutes {
            Some(m) if m > 0 && in_progress => Some(Some(Timer {
                deadline: now.saturating_add(minutes_to_secs(m)),
                seq: self.state.next_seq(),
            })),
            Some(CANCEL_STEP_TIMER) if in_progress => Some(None),
            _ => None,
        };
        self.state.change(id, permit, |e| {
            e.version += 1;
            e.last_updated_at = now;
            if let Some(d) = change.details {
                e.details = d;
            }
            if first_start {
                e.started_at = Some(now);
            }
            if in_progress_timer.is_some() {
                e.in_progress_timer = in_progress_timer;
            }
            if let Some(step) = step_timer {
                e.step_timer = step;
            }
        });
    }

    /// The service's row: lastUpdatedAt now, the version unchanged (decisions 10, 17); a
    /// cancel records its force and its details (20, 21).
    fn service_change(&mut self, id: ExecId, permit: &Permit, change: Change) {
        let now = self.now;
        let cancel = matches!(
            permit.row.cause,
            Cause::CancelJob
                | Cause::CancelJobExecution
                | Cause::AbortCancel
                | Cause::EndBehaviorCancel
        );
        let force = permit.force;
        self.state.change(id, permit, |e| {
            e.last_updated_at = now;
            if cancel {
                e.force_canceled = Some(force);
            }
            if let Some(d) = change.details {
                e.details = d;
            }
        });
    }
}

/// The decisions the rows of `cause` name, in table order without repeats: `"17"`,
/// `"2, 28"`.
fn decisions_of(cause: Cause) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for t in rules::TRANSITIONS.iter().filter(|t| t.cause == cause) {
        if !ids.contains(&t.decision.as_str()) {
            ids.push(t.decision.as_str());
        }
    }
    ids.join(", ")
}

fn minutes_to_secs(m: i64) -> u64 {
    u64::try_from(m).unwrap_or(0) * 60
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Operation, Request};
    use serde_json::json;

    /// A service with thing `t1` and job `j1` queued on it (recording transitions), and
    /// the execution's id.
    fn queued() -> (Service, ExecId) {
        let mut svc = Service::new(Config {
            record_transitions: true,
            ..Config::default()
        });
        let call = |svc: &mut Service, op, input| {
            let request = Request::decode(op, &input).expect("a valid request");
            svc.handle(0, request).expect("accepted");
        };
        call(&mut svc, Operation::CreateThing, json!({"thingName": "t1"}));
        call(
            &mut svc,
            Operation::CreateJob,
            json!({"jobId": "j1", "document": "{}",
                   "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"]}),
        );
        let thing = svc.state.thing_id("t1").expect("t1");
        let job = svc.state.job_id("j1").expect("j1");
        let id = svc.state.newest(thing, job).expect("an execution");
        while svc.poll_transition().is_some() {}
        (svc, id)
    }

    #[test]
    fn a_refused_change_changes_nothing_and_records_nothing() {
        let (mut svc, id) = queued();
        let before = svc.clone();
        // The table has no row QUEUED -> TIMED_OUT by a timer (decision 17).
        let refused = svc.transition(
            Subject::Existing(id),
            Some(JobExecutionStatus::TimedOut),
            Cause::Timer,
            false,
            Change::default(),
        );
        assert_eq!(refused, Err(Refusal::NoRow));
        assert_eq!(svc, before);
        assert_eq!(svc.poll_transition(), None);
    }

    #[test]
    fn a_change_is_recorded_with_its_row_and_has_its_effects() {
        let (mut svc, id) = queued();
        svc.now = 7;
        let change = Change {
            details: Some([("k".to_owned(), "v".to_owned())].into()),
            step_minutes: Some(2),
        };
        let row = svc
            .transition(
                Subject::Existing(id),
                Some(JobExecutionStatus::InProgress),
                Cause::UpdateJobExecution,
                false,
                change,
            )
            .expect("QUEUED -> IN_PROGRESS is a device's row");
        let record = svc.poll_transition().expect("recorded");
        assert!(std::ptr::eq(&rules::TRANSITIONS[record.row], row));
        assert_eq!((record.at, record.execution_number), (7, 1));
        let e = svc.state.exec(id);
        assert_eq!(e.status(), JobExecutionStatus::InProgress);
        assert_eq!(
            (e.version, e.last_updated_at, e.started_at),
            (2, 7, Some(7))
        );
        assert_eq!(e.details.get("k").map(String::as_str), Some("v"));
        assert_eq!(e.step_timer.map(|t| t.deadline), Some(7 + 120));
        // A service row keeps the version and records a cancel's force (decisions 10, 20).
        svc.now = 9;
        svc.transition(
            Subject::Existing(id),
            Some(JobExecutionStatus::Canceled),
            Cause::CancelJobExecution,
            true,
            Change::default(),
        )
        .expect("IN_PROGRESS -> CANCELED with force");
        let e = svc.state.exec(id);
        assert_eq!((e.version, e.last_updated_at), (2, 9));
        assert_eq!(e.force_canceled, Some(true));
        assert_eq!(e.timer(), None, "an ended execution keeps no timer");
    }

    /// A refused change the model expected to make stops in every build (not only in
    /// debug ones, as it once did) and names the status, the cause and decision 17.
    #[test]
    #[should_panic(
        expected = "broken invariant: the table refuses Existing(0) from QUEUED to TIMED_OUT \
                    by Timer (no row of this cause joins the two statuses); the rows of Timer \
                    state decision(s) 17"
    )]
    fn a_change_the_service_expects_to_make_panics_when_the_table_refuses_it() {
        let (mut svc, id) = queued();
        svc.must_transition(
            Subject::Existing(id),
            JobExecutionStatus::TimedOut,
            Cause::Timer,
            Change::default(),
        );
    }

    #[test]
    fn the_decisions_of_a_cause_are_listed_once_each_in_table_order() {
        assert_eq!(decisions_of(Cause::Timer), "17");
        let retry = decisions_of(Cause::Retry);
        assert!(retry.contains("19"), "{retry}");
    }
}
