//! What the service does on its own: timers running out (decision 17), retries
//! (decision 19), job completion (decision 23), and the effects of an execution ending.

use std::collections::BTreeSet;

use super::state::{ExecId, JobId, JobTimer, ThingId};
use super::transition::{Change, Subject};
use super::Service;
use crate::config::ABORT_REASON_CODE;
use crate::rules::Cause;
use crate::status::{JobEndBehavior, JobExecutionStatus, JobStatus, TargetSelection};

impl Service {
    /// Decision 17: the execution times out at its effective deadline (the clock is
    /// already there): TIMED_OUT, lastUpdatedAt = the deadline, version unchanged.
    pub(super) fn fire_timer(&mut self, id: ExecId) {
        let timed_out = self.must_transition(
            Subject::Existing(id),
            JobExecutionStatus::TimedOut,
            Cause::Timer,
            Change::default(),
        );
        if timed_out.is_none() {
            // Only IN_PROGRESS executions have timers, so this is a broken invariant (a
            // debug build stopped already); drop the timers rather than loop.
            self.state.update(id, |e| {
                e.step_timer = None;
                e.in_progress_timer = None;
            });
        }
    }

    /// After an execution became terminal (any row that ends one): the abort check
    /// (decision 30), then a retry if one is due, then whether its job is complete. An
    /// abort cancels the job, so neither follows it.
    pub(super) fn after_end(&mut self, id: ExecId) {
        let job = self.state.exec(id).job;
        if self.check_abort(job) {
            return;
        }
        self.maybe_retry(id);
        self.maybe_complete(job);
    }

    /// Decision 30: checks the criteria of an IN_PROGRESS job with `abortConfig` in list
    /// order against its executions' counts, and cancels the job by the first one met.
    /// Whether it did.
    pub(super) fn check_abort(&mut self, job_id: JobId) -> bool {
        let job = self.state.job(job_id);
        if job.deleted || job.status != JobStatus::InProgress {
            return false;
        }
        let Some(config) = &job.abort else {
            return false;
        };
        let counts = self.state.job_by_status(job_id);
        let count = |keep: &dyn Fn(JobExecutionStatus) -> bool| -> u64 {
            JobExecutionStatus::ALL
                .iter()
                .zip(counts)
                .filter(|(s, _)| keep(**s))
                .map(|(_, &n)| u64::from(n))
                .sum()
        };
        let completed = count(&|s| s.is_terminal());
        let met = config.criteria_list.iter().find_map(|c| {
            let failed = count(&|s| c.failure_type.counts(s));
            let min = u64::try_from(c.min_number_of_executed_things).unwrap_or(u64::MAX);
            // failed × 100 ≥ P × completed, with P in hundredths: failed × 10 000 ≥ P′ × completed.
            let at_threshold = failed * 10_000 >= u64::from(c.threshold_percentage.0) * completed;
            (completed >= min && at_threshold).then(|| {
                format!(
                    "Abort criteria for failure type {t} with threshold {p}% met. Total \
                     completed executions: {completed}, total {t} executions: {failed}",
                    t = c.failure_type,
                    p = c.threshold_percentage
                )
            })
        });
        let Some(comment) = met else {
            return false;
        };
        self.abort(job_id, comment);
        true
    }

    /// Decision 30's cancel: the job CANCELED (forceCanceled false, reasonCode
    /// ABORT_CANCEL, the comment), then each QUEUED execution CANCELED by its row, in
    /// creation order; IN_PROGRESS ones run on. Their messages come after the triggering
    /// change's, in that order.
    fn abort(&mut self, job_id: JobId, comment: String) {
        let now = self.now;
        let job = self.state.job_mut(job_id);
        job.status = JobStatus::Canceled;
        job.force_canceled = Some(false);
        job.reason_code = Some(ABORT_REASON_CODE.to_owned());
        job.comment = Some(comment);
        job.last_updated_at = now;
        self.state.order_touches_from_here();
        let queued: Vec<ExecId> = self
            .state
            .executions_of(job_id)
            .filter(|&id| self.state.exec(id).status() == JobExecutionStatus::Queued)
            .collect();
        for id in queued {
            self.must_transition(
                Subject::Existing(id),
                JobExecutionStatus::Canceled,
                Cause::AbortCancel,
                Change::default(),
            );
        }
        self.state.unindex_continuous(job_id);
    }

    /// Decision 19 and details, retries: a FAILED or TIMED_OUT execution is retried at
    /// the same instant when the criterion for its failure type (else ALL) has retries
    /// left, the job is not canceled, and the thing still exists and (CONTINUOUS) is still
    /// a target.
    fn maybe_retry(&mut self, id: ExecId) {
        let e = self.state.exec(id);
        let Some(failure) = e.status().failure_type() else {
            return;
        };
        let (job_id, thing) = (e.job, e.thing);
        let job = self.state.job(job_id);
        let thing_name = self.state.thing_name(thing);
        if job.status != JobStatus::InProgress || !self.state.exists(thing) {
            return;
        }
        // Decision 32: no retry after a STOP_ROLLOUT end.
        if job.schedule.as_ref().is_some_and(|s| s.stopped) {
            return;
        }
        // A CONTINUOUS job that is IN_PROGRESS is one the group index holds.
        if job.selection == TargetSelection::Continuous
            && !self.state.indexed_target_test(thing_name)(job_id)
        {
            return;
        }
        let Some(config) = &job.retry else {
            return;
        };
        let criterion = config
            .criteria_list
            .iter()
            .find(|c| c.failure_type == failure)
            .or_else(|| {
                config
                    .criteria_list
                    .iter()
                    .find(|c| c.failure_type == crate::status::RetryableFailureType::All)
            });
        let Some(criterion) = criterion else {
            return;
        };
        let (kind, budget) = (criterion.failure_type, criterion.number_of_retries);
        let spent = self.state.things[thing as usize]
            .retries_spent
            .get(&job_id)
            .and_then(|m| m.get(&kind))
            .copied()
            .unwrap_or(0);
        if spent >= budget {
            return;
        }
        // retryAttempt counts the retries made since the thing last became a target:
        // every criterion's spending, this retry included.
        let attempt = self.state.things[thing as usize]
            .retries_spent
            .get(&job_id)
            .map_or(0, |m| m.values().sum::<i32>())
            + 1;
        let retried = self.must_transition(
            Subject::New {
                job: job_id,
                thing,
                retry_attempt: attempt,
            },
            JobExecutionStatus::Queued,
            Cause::Retry,
            Change::default(),
        );
        if retried.is_some() {
            let spent = self.state.things[thing as usize]
                .retries_spent
                .entry(job_id)
                .or_default();
            *spent.entry(kind).or_insert(0) += 1;
        }
    }

    /// Decision 23: a SNAPSHOT job is COMPLETED once every execution is terminal;
    /// decision 32: a job with an endTime, SNAPSHOT or CONTINUOUS, only from endTime on.
    pub(super) fn maybe_complete(&mut self, job_id: JobId) {
        let now = self.now;
        let pending = self.state.job_execs(job_id).pending;
        let job = self.state.job_mut(job_id);
        if job.deleted || job.status != JobStatus::InProgress || pending != 0 {
            return;
        }
        let eligible = match job.schedule.as_ref().and_then(|s| s.end_at) {
            Some(end) => now >= end,
            None => job.selection == TargetSelection::Snapshot,
        };
        if eligible {
            job.status = JobStatus::Completed;
            job.completed_at = Some(now);
            job.last_updated_at = now;
            self.state.unindex_continuous(job_id);
        }
    }

    /// Puts job `id`'s schedule timers into the queue (decision 32, Details, timers).
    pub(super) fn set_job_timers(&mut self, id: JobId) {
        let Some(schedule) = self.state.job(id).schedule.as_deref() else {
            return;
        };
        let timers = [
            (schedule.start, JobTimer::Start),
            (schedule.end, JobTimer::End),
        ];
        for (t, which) in timers {
            if let Some(t) = t {
                self.state.job_timers.insert((t.deadline, t.seq, id, which));
            }
        }
    }

    /// Decision 32: a job timer fires (the clock is at its deadline).
    pub(super) fn fire_job_timer(&mut self, id: JobId, which: JobTimer) {
        if let Some(s) = self.state.job_mut(id).schedule.as_deref_mut() {
            match which {
                JobTimer::Start => s.start = None,
                JobTimer::End => s.end = None,
            }
        }
        match which {
            JobTimer::Start => self.start_scheduled(id),
            JobTimer::End => self.end_schedule(id),
        }
    }

    /// Decision 32: at startTime the SCHEDULED job starts as CreateJob would now: its
    /// targets resolve now (things deleted meanwhile are none), executions are queued.
    fn start_scheduled(&mut self, id: JobId) {
        let now = self.now;
        let job = self.state.job_mut(id);
        if job.status != JobStatus::Scheduled {
            return;
        }
        job.status = JobStatus::InProgress;
        job.last_updated_at = now;
        let targets = job.targets.clone();
        self.state.index_continuous(id);
        let mut things: Vec<ThingId> = Vec::new();
        for arn in &targets {
            match crate::validate::target_arn("targets", arn) {
                Ok(crate::validate::Target::Thing(n)) => things.extend(self.state.thing_id(&n)),
                Ok(crate::validate::Target::ThingGroup(g)) => {
                    if let Some(group) = self.state.groups.get(&g) {
                        things.extend(self.state.members_in_creation_order(group));
                    }
                }
                Err(_) => {}
            }
        }
        let mut seen = BTreeSet::new();
        things.retain(|&t| seen.insert(t));
        let reached = !things.is_empty();
        for thing in things {
            let new = Subject::New {
                job: id,
                thing,
                retry_attempt: 0,
            };
            self.must_transition(
                new,
                JobExecutionStatus::Queued,
                Cause::CreateJob,
                Change::default(),
            );
        }
        // Reaching no thing, a SNAPSHOT job is COMPLETED at once (decision 32).
        let job = self.state.job_mut(id);
        if !reached && job.selection == TargetSelection::Snapshot {
            job.status = JobStatus::Completed;
            job.completed_at = Some(now);
        } else {
            self.maybe_complete(id);
        }
    }

    /// Decision 32: at endTime an IN_PROGRESS job stops its rollout, or is canceled as
    /// CancelJob would (with force for FORCE_CANCEL), without reasonCode or comment.
    fn end_schedule(&mut self, id: JobId) {
        let now = self.now;
        let job = self.state.job_mut(id);
        if job.status != JobStatus::InProgress {
            return;
        }
        let Some(schedule) = job.schedule.as_deref_mut() else {
            return;
        };
        let force = match schedule.end_behavior {
            JobEndBehavior::StopRollout => {
                schedule.stopped = true;
                self.maybe_complete(id);
                return;
            }
            JobEndBehavior::Cancel => false,
            JobEndBehavior::ForceCancel => true,
        };
        job.status = JobStatus::Canceled;
        job.force_canceled = Some(force);
        job.last_updated_at = now;
        let pending: Vec<ExecId> = self
            .state
            .executions_of(id)
            .filter(|&e| self.state.exec(e).status().is_pending())
            .collect();
        for e in pending {
            let canceled = self.transition(
                Subject::Existing(e),
                Some(JobExecutionStatus::Canceled),
                Cause::EndBehaviorCancel,
                force,
                Change::default(),
            );
            // Without force, an IN_PROGRESS execution keeps running (decision 21).
            debug_assert!(
                matches!(canceled, Ok(_) | Err(crate::rules::Refusal::Condition(_))),
                "{canceled:?}"
            );
        }
        self.state.unindex_continuous(id);
        self.state.drop_job_timers(id);
    }
}
