//! What the service does on its own: timers running out (decision 17), retries
//! (decision 19), job completion (decision 23), and the effects of an execution ending.

use std::collections::BTreeSet;

use super::state::{status_index, ExecId, JobId, JobTimer, ThingId, Timer};
use super::transition::{Change, Subject};
use super::Service;
use crate::config::{ABORT_REASON_CODE, MAX_ROLLOUT_PER_MINUTE, ROLLOUT_BATCH_SECS};
use crate::rules::Cause;
use crate::status::{JobEndBehavior, JobExecutionStatus, JobStatus, TargetSelection};

impl Service {
    /// Decision 17: the execution times out at its effective deadline (the clock is
    /// already there): TIMED_OUT, lastUpdatedAt = the deadline, version unchanged.
    pub(super) fn fire_timer(&mut self, id: ExecId) {
        self.must_transition(
            Subject::Existing(id),
            JobExecutionStatus::TimedOut,
            Cause::Timer,
            Change::default(),
        );
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
        // As CancelJob does (Details, timers): the rollout list, its batch timer and the
        // schedule's endTime timer all go.
        self.state.drop_job_timers(job_id);
        self.state.order_touches_from_here();
        let queued: Vec<ExecId> = self
            .state
            .executions_of(job_id)
            .filter(|&id| self.state.exec(id).status() == JobExecutionStatus::Queued)
            .collect();
        self.move_each(queued, JobExecutionStatus::Canceled, Cause::AbortCancel);
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
        self.must_transition(
            Subject::New {
                job: job_id,
                thing,
                retry_attempt: attempt,
            },
            JobExecutionStatus::Queued,
            Cause::Retry,
            Change::default(),
        );
        let spent = self.state.things[thing as usize]
            .retries_spent
            .entry(job_id)
            .or_default();
        *spent.entry(kind).or_insert(0) += 1;
    }

    /// Decision 23: a SNAPSHOT job is COMPLETED once every execution is terminal;
    /// decision 32: a job with an endTime, SNAPSHOT or CONTINUOUS, only from endTime on.
    pub(super) fn maybe_complete(&mut self, job_id: JobId) {
        let now = self.now;
        let pending = self.state.job_execs(job_id).pending;
        // Decision 23 as amended: not while targets wait in the rollout list.
        let waiting = self.state.rolling_out(job_id);
        let job = self.state.job_mut(job_id);
        if job.deleted || job.status != JobStatus::InProgress || pending != 0 || waiting {
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
        let job = self.state.job_mut(id);
        if let Some(s) = job.schedule.as_deref_mut() {
            match which {
                JobTimer::Start => s.start = None,
                JobTimer::End => s.end = None,
                JobTimer::Batch => {}
            }
        }
        if let (JobTimer::Batch, Some(r)) = (which, job.rollout.as_deref_mut()) {
            r.timer = None;
        }
        match which {
            JobTimer::Start => self.start_scheduled(id),
            JobTimer::End => self.end_schedule(id),
            JobTimer::Batch => self.release_batch(id),
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
        self.queue_targets(id, things);
        // Reaching no thing, a SNAPSHOT job is COMPLETED at once (decision 32).
        let job = self.state.job_mut(id);
        if !reached && job.selection == TargetSelection::Snapshot {
            job.status = JobStatus::Completed;
            job.completed_at = Some(now);
            // Its endTime can no longer do anything: the timer goes (Details, timers).
            self.state.drop_job_timers(id);
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
                self.state.drop_rollout(id);
                self.maybe_complete(id);
                return;
            }
            JobEndBehavior::Cancel => false,
            JobEndBehavior::ForceCancel => true,
        };
        job.status = JobStatus::Canceled;
        job.force_canceled = Some(force);
        job.last_updated_at = now;
        self.cancel_pending(id, Cause::EndBehaviorCancel, force);
    }

    /// The executions of a job just CANCELED (by CancelJob or its end behaviour,
    /// decisions 21 and 32): each pending one is canceled by `cause` with `force`
    /// (without force an IN_PROGRESS one keeps running, decision 21); then the job
    /// leaves the continuous index and its timers stop.
    pub(super) fn cancel_pending(&mut self, job: JobId, cause: Cause, force: bool) {
        let pending: Vec<ExecId> = self
            .state
            .executions_of(job)
            .filter(|&e| self.state.exec(e).status().is_pending())
            .collect();
        for e in pending {
            let canceled = self.transition(
                Subject::Existing(e),
                Some(JobExecutionStatus::Canceled),
                cause,
                force,
                Change::default(),
            );
            debug_assert!(
                matches!(canceled, Ok(_) | Err(crate::rules::Refusal::Condition(_))),
                "{canceled:?}"
            );
        }
        self.state.unindex_continuous(job);
        self.state.drop_job_timers(job);
    }
}

impl Service {
    /// Rule 2, or with a rollout rule 28: queues `things` (resolved, in order) for job
    /// `id` now. With a rollout they wait in its list and the first batch leaves it now.
    pub(super) fn queue_targets(&mut self, id: JobId, things: Vec<ThingId>) {
        if self.state.job(id).rollout.is_some() {
            self.state.start_rollout(id, things);
            self.release_batch(id);
            return;
        }
        for thing in things {
            self.queue_new(id, thing, Cause::CreateJob);
        }
    }

    /// Decision 28: the head of job `id`'s rollout list, up to the batch size, is queued
    /// now; while things still wait, the next batch is a job timer 60 s on. Costs the
    /// batch, not the list.
    pub(super) fn release_batch(&mut self, id: JobId) {
        let now = self.now;
        if self.state.job(id).status != JobStatus::InProgress {
            self.state.drop_rollout(id);
            return;
        }
        let succeeded = u64::from(
            self.state.job_execs(id).newest_by_status[status_index(JobExecutionStatus::Succeeded)],
        );
        let Some(rollout) = self.state.job(id).rollout.as_deref() else {
            return;
        };
        let size = batch_size(&rollout.config, rollout.released, succeeded);
        let mut released = 0;
        while released < size {
            let Some(thing) = self.state.next_waiting(id) else {
                break;
            };
            // DeleteThing takes a thing out of every list.
            debug_assert!(
                self.state.exists(thing),
                "thing {thing} waits but is deleted"
            );
            self.queue_new(id, thing, Cause::RolloutBatch);
            released += 1;
        }
        let waiting = self.state.rolling_out(id);
        let timer = waiting.then(|| Timer {
            deadline: now.saturating_add(ROLLOUT_BATCH_SECS),
            seq: self.state.next_seq(),
        });
        if let Some(r) = self.state.job_mut(id).rollout.as_deref_mut() {
            r.released += released;
            r.timer = timer;
        }
        if let Some(t) = timer {
            self.state
                .job_timers
                .insert((t.deadline, t.seq, id, JobTimer::Batch));
        }
        self.maybe_complete(id);
    }
}

/// Decision 28: the batch size: `maximumPerMinute` (1000 when absent), or with
/// `exponentialRate` min(maximumPerMinute, ⌊base × factor^m⌋), m = ⌊c / n⌋, computed in
/// exact decimal arithmetic (the factor is a whole number of tenths).
///
/// `released` is the things the rollout has released so far, `succeeded` the job's
/// numberOfSucceededThings; the criterion says which one is c.
pub(crate) fn batch_size(
    config: &crate::wire::control::JobExecutionsRolloutConfig,
    released: u64,
    succeeded: u64,
) -> u64 {
    let max =
        u64::try_from(config.maximum_per_minute.unwrap_or(MAX_ROLLOUT_PER_MINUTE)).unwrap_or(1);
    let Some(rate) = &config.exponential_rate else {
        return max;
    };
    let criteria = &rate.rate_increase_criteria;
    let (c, n) = match (
        criteria.number_of_notified_things,
        criteria.number_of_succeeded_things,
    ) {
        (Some(n), _) => (released, n),
        (None, Some(n)) => (succeeded, n),
        (None, None) => (0, 1),
    };
    let m = c / u64::try_from(n).unwrap_or(1).max(1);
    let base = u64::try_from(rate.base_rate_per_minute).unwrap_or(1);
    // base × factor^m is base × tenths^m / 10^m: multiply a decimal big number by the
    // tenths m times; dividing by 10^m drops m decimal digits. Stop once at the cap.
    let mut digits: Vec<u8> = base.to_string().bytes().map(|b| b - b'0').rev().collect();
    let tenths = u32::from(u8::try_from(rate.increment_factor.0).unwrap_or(50));
    let mut shift = 0u64;
    while shift < m {
        let mut carry = 0u32;
        for d in digits.iter_mut() {
            let v = u32::from(*d) * tenths + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
        shift += 1;
        if floor_shifted(&digits, shift, max) >= max {
            return max;
        }
    }
    floor_shifted(&digits, shift, max).min(max)
}

/// ⌊number / 10^shift⌋ of little-endian decimal `digits`, saturating at `cap`.
fn floor_shifted(digits: &[u8], shift: u64, cap: u64) -> u64 {
    let shift = usize::try_from(shift).unwrap_or(usize::MAX);
    let mut value: u64 = 0;
    for &d in digits.iter().skip(shift).rev() {
        value = value.saturating_mul(10).saturating_add(u64::from(d));
        if value >= cap {
            return cap;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::batch_size;
    use crate::wire::control::JobExecutionsRolloutConfig;

    fn exp(
        max: Option<i32>,
        base: i32,
        factor: f64,
        notified: Option<i32>,
    ) -> JobExecutionsRolloutConfig {
        serde_json::from_value(serde_json::json!({
            "maximumPerMinute": max,
            "exponentialRate": {"baseRatePerMinute": base, "incrementFactor": factor,
                "rateIncreaseCriteria": {"numberOfNotifiedThings": notified,
                    "numberOfSucceededThings": if notified.is_none() { Some(10) } else { None }}}
        }))
        .unwrap()
    }

    #[test]
    fn the_developer_guide_example_doubles_per_thousand() {
        let c = exp(None, 50, 2.0, Some(1000));
        let sizes: Vec<u64> = [0, 999, 1000, 2000, 3000, 4000, 5000, 6000]
            .iter()
            .map(|&n| batch_size(&c, n, 0))
            .collect();
        assert_eq!(sizes, [50, 50, 100, 200, 400, 800, 1000, 1000]);
    }

    #[test]
    fn fractions_floor_exactly_and_the_maximum_caps() {
        // 3 × 1.1^m: 3, 3.3, 3.63, 3.993, 4.3923 -> 3, 3, 3, 3, 4.
        let c = exp(None, 3, 1.1, Some(1));
        let sizes: Vec<u64> = (0..5).map(|n| batch_size(&c, n, 0)).collect();
        assert_eq!(sizes, [3, 3, 3, 3, 4]);
        // 10 × 1.5^2 = 22.5 -> 22; capped at maximumPerMinute.
        assert_eq!(batch_size(&exp(Some(1000), 10, 1.5, Some(1)), 2, 0), 22);
        assert_eq!(batch_size(&exp(Some(20), 10, 1.5, Some(1)), 2, 0), 20);
        // A huge count ends at the cap without overflow.
        assert_eq!(batch_size(&exp(Some(7), 1, 1.1, Some(1)), u64::MAX, 0), 7);
        // numberOfSucceededThings counts the job's successes, not releases.
        let s = exp(None, 5, 2.0, None);
        assert_eq!((batch_size(&s, 1000, 9), batch_size(&s, 0, 10)), (5, 10));
        // Without exponentialRate: maximumPerMinute, 1000 when absent.
        assert_eq!(
            batch_size(&JobExecutionsRolloutConfig::default(), 0, 0),
            1000
        );
    }
}
