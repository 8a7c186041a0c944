//! A read-only view of the service's state, for tests, invariants and tools. Nothing here
//! changes state; every list is in a defined order.

use super::state::JobTimer;
use super::Service;
use crate::status::{JobExecutionStatus, JobStatus, TargetSelection};
use crate::wire::DetailsMap;

/// Everything the service keeps about one execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionRecord {
    /// The job.
    pub job_id: String,
    /// The thing.
    pub thing_name: String,
    /// Which execution of the job on the thing.
    pub execution_number: i64,
    /// The status.
    pub status: JobExecutionStatus,
    /// The details map (empty when none).
    pub status_details: DetailsMap,
    /// When it was queued.
    pub queued_at: u64,
    /// When it first became IN_PROGRESS.
    pub started_at: Option<u64>,
    /// When it last changed.
    pub last_updated_at: u64,
    /// The version.
    pub version_number: i64,
    /// The step timer's deadline, while one runs.
    pub step_deadline: Option<u64>,
    /// The in-progress timer's deadline, while one runs.
    pub in_progress_deadline: Option<u64>,
    /// The `force` of the cancel that ended it, on canceled executions.
    pub force_canceled: Option<bool>,
    /// Retries made before this execution.
    pub retry_attempt: i32,
    /// Its place in creation order (decision 4's tie-break).
    pub creation_order: usize,
}

impl ExecutionRecord {
    /// Decision 17: the earlier of the two deadlines.
    pub fn deadline(&self) -> Option<u64> {
        match (self.step_deadline, self.in_progress_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// What the service keeps about a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    /// The job.
    pub job_id: String,
    /// IN_PROGRESS, CANCELED or COMPLETED.
    pub status: JobStatus,
    /// SNAPSHOT or CONTINUOUS.
    pub target_selection: TargetSelection,
    /// The in-progress timer length.
    pub in_progress_timeout_in_minutes: Option<i64>,
    /// Per criterion (failure type, numberOfRetries).
    pub retry_criteria: Vec<(crate::status::RetryableFailureType, i32)>,
    /// Decision 28: the things waiting in the job's rollout list, by name, in list order
    /// (the next batch releases the first of them). A waiting thing has no execution of
    /// the job yet (DOC); the order is the targets' order at the job's start (CHOICE).
    /// Empty when the job has no rollout config, before a SCHEDULED job starts, and once
    /// the list is dropped (the job no longer IN_PROGRESS) or emptied.
    pub waiting: Vec<String>,
}

/// Which timer: an execution's (decision 17) or a job's (decisions 28 and 32; Details,
/// timers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// The execution's step timer (`stepTimeoutInMinutes`).
    Step,
    /// The execution's in-progress timer (`timeoutConfig`).
    InProgress,
    /// The job's next rollout batch (decision 28).
    RolloutBatch,
    /// The SCHEDULED job's `startTime` (decision 32).
    StartTime,
    /// The job's `endTime` and its end behaviour (decision 32).
    EndTime,
}

impl TimerKind {
    /// Whether the timer belongs to a job rather than to one execution.
    pub fn is_job_timer(self) -> bool {
        matches!(
            self,
            TimerKind::RolloutBatch | TimerKind::StartTime | TimerKind::EndTime
        )
    }
}

/// A running timer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerRecord {
    /// When it fires (an execution timer: its deadline plus `timer_lateness`; a job timer:
    /// exactly its moment).
    pub deadline: u64,
    /// Which timer.
    pub kind: TimerKind,
    /// The job.
    pub job_id: String,
    /// The thing; empty for a job timer.
    pub thing_name: String,
    /// The execution; 0 for a job timer.
    pub execution_number: i64,
}

impl Service {
    fn record(&self, id: usize) -> Option<ExecutionRecord> {
        let e = self.state.execs.get(id)?.as_ref()?;
        Some(ExecutionRecord {
            job_id: self.state.job_name(e.job).to_owned(),
            thing_name: self.state.thing_name(e.thing).to_owned(),
            execution_number: e.number,
            status: e.status(),
            status_details: e.details.clone(),
            queued_at: e.queued_at,
            started_at: e.started_at,
            last_updated_at: e.last_updated_at,
            version_number: e.version,
            step_deadline: e.step_timer.map(|t| t.deadline),
            in_progress_deadline: e.in_progress_timer.map(|t| t.deadline),
            force_canceled: e.force_canceled,
            retry_attempt: e.retry_attempt,
            creation_order: id,
        })
    }

    /// Every execution that exists, in creation order (deleted ones are gone).
    pub fn executions(&self) -> Vec<ExecutionRecord> {
        (0..self.state.execs.len())
            .filter_map(|id| self.record(id))
            .collect()
    }

    /// The execution of `job` on `thing` numbered `number`, or the newest one.
    pub fn execution(
        &self,
        thing: &str,
        job: &str,
        number: Option<i64>,
    ) -> Option<ExecutionRecord> {
        let (thing, job) = (self.state.known_thing(thing)?, self.state.job_id(job)?);
        let id = match number {
            Some(n) => self.state.numbered(thing, job, n),
            None => self.state.newest(thing, job),
        }?;
        self.record(id)
    }

    /// Every timer that fires at or before `until`, execution timers and job timers
    /// (rollout batches, startTime, endTime: Details, timers) together, in the order
    /// [`Service::handle_timeout`] fires them: by firing time, then by the order they were
    /// set. An execution timer's `deadline` is its own; it fires `timer_lateness` later.
    pub fn due_timers(&self, until: u64) -> Vec<TimerRecord> {
        let lateness = self.config.timer_lateness;
        let exec = self
            .state
            .timers
            .iter()
            .map(|&(deadline, seq, id)| {
                let e = self.state.exec(id);
                let kind = match e.step_timer {
                    Some(t) if t.seq == seq => TimerKind::Step,
                    _ => TimerKind::InProgress,
                };
                let record = TimerRecord {
                    deadline,
                    kind,
                    job_id: self.state.job_name(e.job).to_owned(),
                    thing_name: self.state.thing_name(e.thing).to_owned(),
                    execution_number: e.number,
                };
                (deadline.saturating_add(lateness), seq, record)
            })
            .take_while(|t| t.0 <= until);
        let job = self
            .state
            .job_timers
            .iter()
            .map(|&(deadline, seq, id, which)| {
                let kind = match which {
                    JobTimer::Batch => TimerKind::RolloutBatch,
                    JobTimer::Start => TimerKind::StartTime,
                    JobTimer::End => TimerKind::EndTime,
                };
                let record = TimerRecord {
                    deadline,
                    kind,
                    job_id: self.state.job_name(id).to_owned(),
                    thing_name: String::new(),
                    execution_number: 0,
                };
                (deadline, seq, record)
            })
            .take_while(|t| t.0 <= until);
        let mut all: Vec<(u64, u64, TimerRecord)> = exec.chain(job).collect();
        all.sort_by_key(|t| (t.0, t.1));
        all.into_iter().map(|t| t.2).collect()
    }

    /// How many existing executions are in each status, in AWS's enum order.
    pub fn status_counts(&self) -> Vec<(JobExecutionStatus, usize)> {
        JobExecutionStatus::ALL
            .iter()
            .zip(self.state.by_status)
            .map(|(&s, n)| (s, n))
            .collect()
    }

    /// `thing`'s pending executions in decision 4's order, as (job id, execution number).
    pub fn pending_order(&self, thing: &str) -> Vec<(String, i64)> {
        let Some(thing) = self.state.known_thing(thing) else {
            return Vec::new();
        };
        self.state
            .pending_of(thing)
            .map(|id| {
                let e = self.state.exec(id);
                (self.state.job_name(e.job).to_owned(), e.number)
            })
            .collect()
    }

    /// Every job, by id.
    pub fn jobs(&self) -> Vec<JobRecord> {
        self.state
            .job_ids_sorted()
            .into_iter()
            .map(|id| (id, self.state.job(id)))
            .map(|(id, j)| JobRecord {
                job_id: self.state.job_name(id).to_owned(),
                status: j.status,
                target_selection: j.selection,
                in_progress_timeout_in_minutes: j.in_progress_minutes,
                retry_criteria: j
                    .retry
                    .iter()
                    .flat_map(|r| r.criteria_list.iter())
                    .map(|c| (c.failure_type, c.number_of_retries))
                    .collect(),
                waiting: self
                    .state
                    .waiting_things(id)
                    .map(|t| self.state.thing_name(t).to_owned())
                    .collect(),
            })
            .collect()
    }

    /// The things that exist, by name.
    pub fn things(&self) -> Vec<String> {
        self.state.thing_names_sorted()
    }

    /// The groups `thing` is in, by name.
    pub fn groups_of(&self, thing: &str) -> Vec<String> {
        self.state
            .thing(thing)
            .map(|t| t.groups.iter().cloned().collect())
            .unwrap_or_default()
    }
}
