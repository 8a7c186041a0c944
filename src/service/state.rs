//! The service's state and the indexes kept beside it: executions in an arena in creation
//! order, each thing's pending order, and one queue of timer deadlines.
//!
//! Everything here is mechanism. Which change is allowed is asked of
//! [`crate::rules`] by the callers; this module only keeps the indexes true.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::status::{JobExecutionStatus, JobStatus, RetryableFailureType, TargetSelection};
use crate::wire::control::{AttributePayload, JobExecutionsRetryConfig, Tag, ThingGroupProperties};
use crate::wire::DetailsMap;

/// An execution's place in the arena; also its creation order (decision 4's tie-break).
pub(crate) type ExecId = usize;

/// A running timer: its deadline and the order in which it was set (ties fire in that
/// order; trace-format "Time").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    pub deadline: u64,
    pub seq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Execution {
    pub job: Arc<str>,
    pub thing: Arc<str>,
    pub number: i64,
    pub status: JobExecutionStatus,
    pub details: DetailsMap,
    pub queued_at: u64,
    pub started_at: Option<u64>,
    pub last_updated_at: u64,
    pub version: i64,
    pub step_timer: Option<Timer>,
    pub in_progress_timer: Option<Timer>,
    pub force_canceled: Option<bool>,
    pub retry_attempt: i32,
}

impl Execution {
    /// Decision 17: the earlier of the two timers.
    pub fn timer(&self) -> Option<Timer> {
        match (self.step_timer, self.in_progress_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn pending_key(&self, id: ExecId) -> Option<PendingKey> {
        let rank = match self.status {
            JobExecutionStatus::InProgress => 0,
            JobExecutionStatus::Queued => 1,
            _ => return None,
        };
        Some((rank, self.queued_at, id))
    }
}

/// Decision 4: IN_PROGRESS first, then queuedAt, then creation order.
pub(crate) type PendingKey = (u8, u64, ExecId);

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Thing {
    pub seq: u64,
    pub attributes: Option<AttributePayload>,
    pub groups: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub seq: u64,
    pub properties: Option<ThingGroupProperties>,
    pub tags: Option<Vec<Tag>>,
    pub members: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Job {
    pub seq: u64,
    pub document: Arc<str>,
    pub selection: TargetSelection,
    pub status: JobStatus,
    pub in_progress_minutes: Option<i64>,
    pub retry: Option<JobExecutionsRetryConfig>,
    pub targets: Vec<String>,
    pub target_things: BTreeSet<String>,
    pub target_groups: BTreeSet<String>,
    pub description: Option<String>,
    pub created_at: u64,
    pub last_updated_at: u64,
    pub completed_at: Option<u64>,
    pub force_canceled: Option<bool>,
    pub reason_code: Option<String>,
    pub comment: Option<String>,
    /// Executions in creation order (deleted ones taken out).
    pub executions: BTreeSet<ExecId>,
    /// How many of them are QUEUED or IN_PROGRESS (decision 23 without a scan).
    pub pending: usize,
    /// Per status (index in [`JobExecutionStatus::ALL`]), how many things' newest execution
    /// is in it (DescribeJob's jobProcessDetails without a scan).
    pub newest_by_status: [u32; 8],
    /// Per thing, retries spent per criterion since the thing last became a target.
    pub retries_spent: BTreeMap<String, BTreeMap<RetryableFailureType, i32>>,
}

/// What one moment did to a thing's pending set, for notifications (decisions 24, 25).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Touch {
    pub head_before: Option<ExecId>,
    pub membership_changed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct State {
    pub things: BTreeMap<String, Thing>,
    pub groups: BTreeMap<String, Group>,
    pub jobs: BTreeMap<String, Job>,
    pub execs: Vec<Option<Execution>>,
    /// thing → job → executions, oldest first.
    pub history: BTreeMap<Arc<str>, BTreeMap<Arc<str>, Vec<ExecId>>>,
    /// thing → its pending executions in decision 4's order.
    pub pending: BTreeMap<Arc<str>, BTreeSet<PendingKey>>,
    /// Every running timer: (deadline, seq, execution).
    pub timers: BTreeSet<(u64, u64, ExecId)>,
    pub seq: u64,
    /// Things whose pending set this moment touched.
    pub touched: BTreeMap<Arc<str>, Touch>,
    /// group → the CONTINUOUS jobs targeting it, as (creation seq, job id).
    pub continuous_by_group: BTreeMap<String, BTreeSet<(u64, String)>>,
    /// How many existing executions are in each status (index in `JobExecutionStatus::ALL`).
    pub by_status: [usize; 8],
}

pub(crate) fn status_index(s: JobExecutionStatus) -> usize {
    JobExecutionStatus::ALL
        .iter()
        .position(|&x| x == s)
        .unwrap_or(0)
}

impl State {
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn exec(&self, id: ExecId) -> &Execution {
        self.execs[id].as_ref().expect("live execution id")
    }

    /// The executions of `job` on `thing`, oldest first.
    pub fn history_of(&self, thing: &str, job: &str) -> &[ExecId] {
        self.history
            .get(thing)
            .and_then(|jobs| jobs.get(job))
            .map_or(&[], Vec::as_slice)
    }

    /// The newest execution of `job` on `thing` (what calls without executionNumber mean).
    pub fn newest(&self, thing: &str, job: &str) -> Option<ExecId> {
        self.history_of(thing, job).last().copied()
    }

    /// The execution of `job` on `thing` numbered `number`.
    pub fn numbered(&self, thing: &str, job: &str, number: i64) -> Option<ExecId> {
        self.history_of(thing, job)
            .iter()
            .copied()
            .find(|&id| self.exec(id).number == number)
    }

    /// The head of `thing`'s pending order.
    pub fn head(&self, thing: &str) -> Option<ExecId> {
        self.pending.get(thing)?.first().map(|k| k.2)
    }

    /// `thing`'s pending executions in order.
    pub fn pending_of(&self, thing: &str) -> impl Iterator<Item = ExecId> + '_ {
        self.pending.get(thing).into_iter().flatten().map(|k| k.2)
    }

    fn touch(&mut self, thing: &Arc<str>, membership: bool) {
        let head = self.head(thing);
        let t = self.touched.entry(thing.clone()).or_insert(Touch {
            head_before: head,
            membership_changed: false,
        });
        t.membership_changed |= membership;
    }

    /// Queues a new execution (decision 1): QUEUED, version 1, number = highest + 1.
    pub fn create_execution(
        &mut self,
        job: &str,
        thing: &str,
        now: u64,
        retry_attempt: i32,
    ) -> ExecId {
        let (job, thing) = self.intern(job, thing);
        let number = self
            .history_of(&thing, &job)
            .iter()
            .map(|&id| self.exec(id).number)
            .max()
            .unwrap_or(0)
            + 1;
        let id = self.execs.len();
        let previous = self.newest(&thing, &job).map(|p| self.exec(p).status);
        self.touch(&thing, true);
        let exec = Execution {
            job: job.clone(),
            thing: thing.clone(),
            number,
            status: JobExecutionStatus::Queued,
            details: DetailsMap::new(),
            queued_at: now,
            started_at: None,
            last_updated_at: now,
            version: 1,
            step_timer: None,
            in_progress_timer: None,
            force_canceled: None,
            retry_attempt,
        };
        let key = exec.pending_key(id);
        self.by_status[status_index(JobExecutionStatus::Queued)] += 1;
        self.execs.push(Some(exec));
        self.history
            .entry(thing.clone())
            .or_default()
            .entry(job.clone())
            .or_default()
            .push(id);
        if let Some(key) = key {
            self.pending.entry(thing).or_default().insert(key);
        }
        if let Some(j) = self.jobs.get_mut(&*job) {
            j.executions.insert(id);
            j.pending += 1;
            if let Some(p) = previous {
                j.newest_by_status[status_index(p)] -= 1;
            }
            j.newest_by_status[status_index(JobExecutionStatus::Queued)] += 1;
        }
        id
    }

    fn intern(&self, job: &str, thing: &str) -> (Arc<str>, Arc<str>) {
        let thing = self
            .history
            .get_key_value(thing)
            .map_or_else(|| Arc::from(thing), |(k, _)| k.clone());
        let job = self
            .history
            .get(&*thing)
            .and_then(|jobs| jobs.get_key_value(job))
            .map(|(k, _)| k.clone())
            .or_else(|| {
                self.jobs
                    .get(job)
                    .and_then(|j| j.executions.first())
                    .map(|&id| self.exec(id).job.clone())
            })
            .unwrap_or_else(|| Arc::from(job));
        (job, thing)
    }

    /// Changes an execution through `f`, keeping the pending order and the timer queue
    /// true, and ending both timers when the execution becomes terminal.
    pub fn update(&mut self, id: ExecId, f: impl FnOnce(&mut Execution)) {
        let (thing, job, old_status, old_key, old_timer) = {
            let e = self.exec(id);
            (
                e.thing.clone(),
                e.job.clone(),
                e.status,
                e.pending_key(id),
                e.timer(),
            )
        };
        self.touch(&thing, false);
        let e = self.execs[id].as_mut().expect("live execution id");
        f(e);
        if e.status.is_terminal() {
            e.step_timer = None;
            e.in_progress_timer = None;
        }
        let (new_status, new_key, new_timer) = (e.status, e.pending_key(id), e.timer());
        if new_status != old_status {
            // `f` does not touch the history, so "newest" is as it was before.
            let is_newest = self.newest(&thing, &job) == Some(id);
            self.by_status[status_index(old_status)] -= 1;
            self.by_status[status_index(new_status)] += 1;
            if let Some(j) = self.jobs.get_mut(&*job) {
                if old_status.is_pending() && !new_status.is_pending() {
                    j.pending -= 1;
                }
                if !old_status.is_pending() && new_status.is_pending() {
                    j.pending += 1;
                }
                if is_newest {
                    j.newest_by_status[status_index(old_status)] -= 1;
                    j.newest_by_status[status_index(new_status)] += 1;
                }
            }
        }
        if old_key != new_key {
            let set = self.pending.entry(thing.clone()).or_default();
            if let Some(k) = old_key {
                set.remove(&k);
            }
            if let Some(k) = new_key {
                set.insert(k);
            }
            if old_key.is_some() != new_key.is_some() {
                self.touch(&thing, true);
            }
        }
        if old_timer != new_timer {
            if let Some(t) = old_timer {
                self.timers.remove(&(t.deadline, t.seq, id));
            }
            if let Some(t) = new_timer {
                self.timers.insert((t.deadline, t.seq, id));
            }
        }
    }

    /// Deletes an execution (decision 22), taking it out of every index.
    pub fn delete_execution(&mut self, id: ExecId) {
        let (thing, job, status, key, timer) = {
            let e = self.exec(id);
            (
                e.thing.clone(),
                e.job.clone(),
                e.status,
                e.pending_key(id),
                e.timer(),
            )
        };
        let was_newest = self.newest(&thing, &job) == Some(id);
        self.touch(&thing, key.is_some());
        if let Some(k) = key {
            if let Some(set) = self.pending.get_mut(&thing) {
                set.remove(&k);
            }
        }
        if let Some(t) = timer {
            self.timers.remove(&(t.deadline, t.seq, id));
        }
        if let Some(list) = self.history.get_mut(&thing).and_then(|m| m.get_mut(&job)) {
            list.retain(|&x| x != id);
        }
        self.execs[id] = None;
        self.by_status[status_index(status)] -= 1;
        let next_newest = self.newest(&thing, &job).map(|n| self.exec(n).status);
        if let Some(j) = self.jobs.get_mut(&*job) {
            j.executions.remove(&id);
            if status.is_pending() {
                j.pending -= 1;
            }
            if was_newest {
                j.newest_by_status[status_index(status)] -= 1;
                if let Some(n) = next_newest {
                    j.newest_by_status[status_index(n)] += 1;
                }
            }
        }
    }

    /// Whether `thing` is a target of `job` now: directly, or through a group it is in.
    pub fn is_target(&self, job: &Job, thing: &str) -> bool {
        job.target_things.contains(thing)
            || self
                .things
                .get(thing)
                .is_some_and(|t| t.groups.iter().any(|g| job.target_groups.contains(g)))
    }
}
