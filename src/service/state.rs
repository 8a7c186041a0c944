//! The service's state and the indexes kept beside it: thing and job names interned to
//! dense ids (looked up once per request), executions in an arena in creation order, per
//! thing its executions by job and its pending order, per job its executions and their
//! counts (apart from the job's other fields), and one queue of timer deadlines.
//!
//! Everything here is mechanism. An execution's status is private to this module and is
//! written only with a [`Permit`], a row of [`crate::rules::TRANSITIONS`] that
//! [`super::transition`] found for that execution: there is no other way to create an
//! execution, change its status or delete it. This module only keeps the indexes true.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::status::{JobExecutionStatus, JobStatus, RetryableFailureType, TargetSelection};
use crate::wire::control::{AttributePayload, JobExecutionsRetryConfig, Tag, ThingGroupProperties};
use crate::wire::DetailsMap;

use super::names::Names;
use super::transition::Permit;

/// An execution's place in the arena; also its creation order (decision 4's tie-break).
pub(crate) type ExecId = usize;

/// A thing name's interned id (see [`super::names`]); it outlives a deleted thing.
pub(crate) type ThingId = u32;

/// A job id's interned id, also the job's index. A deleted job keeps its slot (marked
/// [`Job::deleted`]); a job created again under its name gets a new id (decision 34).
pub(crate) type JobId = u32;

/// A running timer: its deadline and the order in which it was set (ties fire in that
/// order; trace-format "Time").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timer {
    pub deadline: u64,
    pub seq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Execution {
    pub job: JobId,
    pub thing: ThingId,
    pub number: i64,
    /// Written only with a [`Permit`] ([`State::create_execution`], [`State::change`]).
    status: JobExecutionStatus,
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
    /// The status.
    pub(crate) fn status(&self) -> JobExecutionStatus {
        self.status
    }

    /// Decision 17: the earlier of the two timers.
    pub(crate) fn timer(&self) -> Option<Timer> {
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

/// What is kept per thing name: the thing while it exists, and its executions, which
/// outlive it (decision 3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ThingSlot {
    /// The registered thing; `None` once it is deleted. Boxed: most calls only ask
    /// whether it exists, and a small slot keeps a large fleet's slots dense.
    pub thing: Option<Box<Thing>>,
    /// The thing's executions, per job, sorted by [`JobId`] (job creation order).
    pub history: Vec<JobHistory>,
    /// The same executions in creation order, so that a page of
    /// ListJobExecutionsForThing is read, not sorted out of every execution the thing has
    /// had.
    created: CreationOrder,
    /// The thing's pending executions in decision 4's order.
    pub pending: BTreeSet<PendingKey>,
    /// Per job, the retries spent per criterion since the thing last became a target (kept
    /// with the thing: a group join asks it of many jobs at once).
    pub retries_spent: BTreeMap<JobId, BTreeMap<RetryableFailureType, i32>>,
    /// Where the thing is in [`State::touched`] while this moment has touched it.
    touched_at: Option<usize>,
    /// The jobs whose rollout list the thing waits in (decision 28), so that taking it out
    /// of a list, or out of every list, costs no search of the lists.
    waiting_in: WaitingIn,
}

/// The jobs whose rollout list a thing waits in, in no particular order: usually none or
/// one, which is kept inline, so that filling a list of 100 000 things allocates nothing
/// per thing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct WaitingIn {
    one: Option<JobId>,
    more: Vec<JobId>,
}

impl WaitingIn {
    fn insert(&mut self, job: JobId) {
        debug_assert!(!self.contains(job));
        match self.one {
            None => self.one = Some(job),
            Some(_) => self.more.push(job),
        }
    }

    fn contains(&self, job: JobId) -> bool {
        self.one == Some(job) || self.more.contains(&job)
    }

    /// Takes `job` out; whether it was in.
    fn remove(&mut self, job: JobId) -> bool {
        if self.one == Some(job) {
            self.one = self.more.pop();
            return true;
        }
        match self.more.iter().position(|&j| j == job) {
            Some(at) => {
                self.more.swap_remove(at);
                true
            }
            None => false,
        }
    }

    fn to_vec(&self) -> Vec<JobId> {
        self.one
            .into_iter()
            .chain(self.more.iter().copied())
            .collect()
    }
}

/// A thing's executions of one job, oldest first. The newest is kept inline: it is what
/// every call without an executionNumber means, and it is found without a further read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JobHistory {
    pub job: JobId,
    older: Vec<ExecId>,
    newest: ExecId,
}

impl JobHistory {
    /// A history of one execution.
    fn new(job: JobId, id: ExecId) -> Self {
        Self {
            job,
            older: Vec::new(),
            newest: id,
        }
    }

    /// Adds `id` as the newest.
    fn push(&mut self, id: ExecId) {
        self.older.push(self.newest);
        self.newest = id;
    }

    /// Takes `id` out; `false` when none is left.
    fn remove(&mut self, id: ExecId) -> bool {
        if self.newest != id {
            self.older.retain(|&x| x != id);
            return true;
        }
        match self.older.pop() {
            Some(previous) => {
                self.newest = previous;
                true
            }
            None => false,
        }
    }

    /// The executions, oldest first.
    pub(crate) fn ids(&self) -> impl Iterator<Item = ExecId> + '_ {
        self.older
            .iter()
            .copied()
            .chain(std::iter::once(self.newest))
    }
}

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
    /// The document as JSON, parsed once (MQTT carries it parsed, decision 1b); a
    /// document that is not JSON stays a string.
    pub document_json: Arc<serde_json::Value>,
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
    /// The rollout (decisions 27, 28), when the job has a `jobExecutionsRolloutConfig`.
    pub rollout: Option<Box<Rollout>>,
    /// The schedule (decisions 31, 32), when CreateJob gave a `schedulingConfig`.
    pub schedule: Option<Box<Schedule>>,
    /// The abort criteria (decisions 29, 30).
    pub abort: Option<crate::wire::control::AbortConfig>,
    /// DeleteJob deleted it (decision 34): no call finds it by name, and it has no
    /// execution left.
    pub deleted: bool,
}

/// A job's schedule (decisions 31, 32): the config as sent, its times, and its timers
/// (each a key of [`State::job_timers`] while set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub config: crate::wire::control::SchedulingConfig,
    pub end_behavior: crate::status::JobEndBehavior,
    /// startTime's timer, until it fires.
    pub start: Option<Timer>,
    /// endTime's timer, until it fires.
    pub end: Option<Timer>,
    /// endTime, Unix seconds: from then on the job completes as decision 32 says.
    pub end_at: Option<u64>,
    /// A STOP_ROLLOUT end came: nothing more is queued for the job.
    pub stopped: bool,
}

/// A job's rollout (decision 28): its config, the targets still waiting (no execution
/// yet), how many things it has released, and its next batch's timer.
///
/// The list is a queue in release order and a count. A thing that leaves the list early
/// (DeleteThing, a join, an association, leaving the targets) is taken out of the count
/// and of its [`ThingSlot::waiting_in`] only; its entry in the queue is dropped when a
/// batch reaches it. So a thing leaves in constant time, a batch costs its size plus the
/// entries of leavers it passes, and each entry is passed once in the rollout's life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rollout {
    pub config: crate::wire::control::JobExecutionsRolloutConfig,
    /// The targets in release order, with the entries of those that left since.
    queue: std::collections::VecDeque<ThingId>,
    /// How many of them still wait.
    waiting: usize,
    pub released: u64,
    pub timer: Option<Timer>,
}

impl Rollout {
    /// A rollout by `config` that has released nobody and has nobody waiting yet.
    pub(crate) fn new(config: crate::wire::control::JobExecutionsRolloutConfig) -> Self {
        Self {
            config,
            queue: std::collections::VecDeque::new(),
            waiting: 0,
            released: 0,
            timer: None,
        }
    }
}

/// Which of a job's timers (decisions 28, 32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum JobTimer {
    /// The next rollout batch.
    Batch,
    /// startTime: the SCHEDULED job starts.
    Start,
    /// endTime: the end behaviour.
    End,
}

/// What is kept about a job's executions, apart from the [`Job`]: every execution created
/// or changed writes here, so it is kept small (at most 64 bytes, asserted below) and
/// dense, and a group join that queues executions of a hundred jobs reads and writes about
/// a hundred cache lines, not the fields of a hundred jobs spread over several each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct JobExecutions {
    /// The executions that exist, in creation order.
    created: CreationOrder,
    /// How many of them are QUEUED or IN_PROGRESS (decision 23 without a scan).
    pub pending: u32,
    /// Per status (index in [`JobExecutionStatus::ALL`]), how many things' newest execution
    /// is in it (DescribeJob's jobProcessDetails without a scan).
    pub newest_by_status: [u32; 8],
}

const _: () = assert!(std::mem::size_of::<JobExecutions>() <= 64);

/// Executions that exist, in creation order (ids ascending): creating one is a push;
/// deleting one (DeleteJobExecution, rare) finds it by binary search and shifts those
/// after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CreationOrder(Vec<ExecId>);

impl CreationOrder {
    fn push(&mut self, id: ExecId) {
        debug_assert!(self.0.last().is_none_or(|&last| last < id), "ids ascend");
        self.0.push(id);
    }

    fn remove(&mut self, id: ExecId) {
        if let Ok(at) = self.0.binary_search(&id) {
            self.0.remove(at);
        }
    }

    fn iter(&self) -> impl Iterator<Item = ExecId> + '_ {
        self.0.iter().copied()
    }
}

/// What one moment did to a thing's pending set, for notifications (decisions 24, 25).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Touch {
    pub head_before: Option<ExecId>,
    pub membership_changed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct State {
    /// Every thing name ever registered; a [`ThingId`] indexes `things`.
    pub thing_names: Names,
    pub things: Vec<ThingSlot>,
    pub groups: BTreeMap<String, Group>,
    /// Every job id; a [`JobId`] indexes `jobs`.
    pub job_names: Names,
    pub jobs: Vec<Job>,
    /// Per job (a [`JobId`] indexes it), its executions and their counts.
    job_execs: Vec<JobExecutions>,
    pub execs: Vec<Option<Execution>>,
    /// Every running timer: (deadline, seq, execution).
    pub timers: BTreeSet<(u64, u64, ExecId)>,
    /// Every job timer (Details, timers): (deadline, seq, job, which). They fire exactly at
    /// their deadline and order with `timers` by deadline, then seq.
    pub job_timers: BTreeSet<(u64, u64, JobId, JobTimer)>,
    pub seq: u64,
    /// Things whose pending set this moment touched, in the order first touched.
    touched: Vec<(ThingId, Touch)>,
    /// Where in `touched` the entries start that keep their order when taken (DeleteJob,
    /// an abort: messages in execution creation order); those before it go by name.
    ordered_from: Option<usize>,
    /// group → the CONTINUOUS jobs targeting it that are not canceled, by id (ids are
    /// given in creation order, so this is creation order too).
    pub continuous_by_group: BTreeMap<String, BTreeSet<JobId>>,
    /// How many existing executions are in each status (index in `JobExecutionStatus::ALL`).
    pub by_status: [usize; 8],
    /// Per job (a [`JobId`] indexes it), how many of its existing executions, history
    /// included, are in each status: decision 30's counts without a scan. Apart from
    /// [`JobExecutions`], which stays within a cache line.
    job_by_status: Vec<[u32; 8]>,
}

pub(crate) fn status_index(s: JobExecutionStatus) -> usize {
    JobExecutionStatus::ALL
        .iter()
        .position(|&x| x == s)
        .unwrap_or(0)
}

impl State {
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn exec(&self, id: ExecId) -> &Execution {
        self.execs[id].as_ref().expect("live execution id")
    }

    // Things.

    /// The id of the thing named `name`, while it exists.
    pub(crate) fn thing_id(&self, name: &str) -> Option<ThingId> {
        let id = self.thing_names.get(name)?;
        self.exists(id).then_some(id)
    }

    /// Whether the thing `id` exists now.
    pub(crate) fn exists(&self, id: ThingId) -> bool {
        self.things[id as usize].thing.is_some()
    }

    /// The id `name` has, if a thing of that name ever existed (its executions may).
    pub(crate) fn known_thing(&self, name: &str) -> Option<ThingId> {
        self.thing_names.get(name)
    }

    pub(crate) fn thing_name(&self, id: ThingId) -> &str {
        self.thing_names.name(id)
    }

    /// The thing named `name`, while it exists.
    pub(crate) fn thing(&self, name: &str) -> Option<&Thing> {
        let id = self.thing_names.get(name)?;
        self.things[id as usize].thing.as_deref()
    }

    pub(crate) fn thing_mut(&mut self, name: &str) -> Option<&mut Thing> {
        let id = self.thing_names.get(name)?;
        self.things[id as usize].thing.as_deref_mut()
    }

    /// Registers `thing` as `name` (which must not exist now).
    pub(crate) fn register_thing(&mut self, name: &str, thing: Thing) -> ThingId {
        let id = self.thing_names.intern(name);
        // A new name is the next id; a name seen before keeps its slot.
        if id as usize == self.things.len() {
            self.things.push(ThingSlot::default());
        }
        self.things[id as usize].thing = Some(Box::new(thing));
        id
    }

    /// Deletes the thing `id`; its executions stay.
    pub(crate) fn deregister_thing(&mut self, id: ThingId) -> Option<Thing> {
        self.things[id as usize].thing.take().map(|t| *t)
    }

    /// The members of `group`, in the order the things were created (each member exists:
    /// deleting a thing takes it out of its groups).
    pub(crate) fn members_in_creation_order(&self, group: &Group) -> Vec<ThingId> {
        let mut members: Vec<(u64, ThingId)> = group
            .members
            .iter()
            .filter_map(|m| {
                let id = self.thing_names.get(m)?;
                Some((self.things[id as usize].thing.as_ref()?.seq, id))
            })
            .collect();
        members.sort_unstable();
        members.into_iter().map(|(_, id)| id).collect()
    }

    /// The names of the things that exist, sorted.
    pub(crate) fn thing_names_sorted(&self) -> Vec<String> {
        let mut names: Vec<String> = (0..self.things.len())
            .filter(|&i| self.things[i].thing.is_some())
            .map(|i| self.thing_names.name(i as ThingId).to_owned())
            .collect();
        names.sort_unstable();
        names
    }

    // Jobs.

    /// The id of the job named `name`, unless it was deleted (decision 34).
    pub(crate) fn job_id(&self, name: &str) -> Option<JobId> {
        self.job_names
            .get(name)
            .filter(|&id| !self.jobs[id as usize].deleted)
    }

    pub(crate) fn job_name(&self, id: JobId) -> &str {
        self.job_names.name(id)
    }

    pub(crate) fn job(&self, id: JobId) -> &Job {
        &self.jobs[id as usize]
    }

    pub(crate) fn job_mut(&mut self, id: JobId) -> &mut Job {
        &mut self.jobs[id as usize]
    }

    /// The counts kept about `id`'s executions.
    pub(crate) fn job_execs(&self, id: JobId) -> &JobExecutions {
        &self.job_execs[id as usize]
    }

    /// How many of job `id`'s existing executions are in each status (index in
    /// [`JobExecutionStatus::ALL`]), history included (decision 30).
    pub(crate) fn job_by_status(&self, id: JobId) -> &[u32; 8] {
        &self.job_by_status[id as usize]
    }

    /// The executions of job `id` that exist, in creation order.
    pub(crate) fn executions_of(&self, id: JobId) -> impl Iterator<Item = ExecId> + '_ {
        self.job_execs[id as usize].created.iter()
    }

    /// The executions of `thing` that exist, oldest first (ids ascending).
    pub(crate) fn executions_on(&self, thing: ThingId) -> impl Iterator<Item = ExecId> + '_ {
        self.things[thing as usize].created.iter()
    }

    /// Adds a job (its id must be free: new, or a deleted job's), a CONTINUOUS one that is
    /// IN_PROGRESS to the index of its groups (a SCHEDULED one joins it when it starts).
    pub(crate) fn insert_job(&mut self, name: &str, job: Job) -> JobId {
        debug_assert!(self.job_id(name).is_none(), "job '{name}' exists");
        let id = match self.job_names.get(name) {
            // A deleted job's name: a new id, so nothing of the old job is found (decision 34).
            Some(_) => self.job_names.rebind(name),
            None => self.job_names.intern(name),
        };
        assert_eq!(id as usize, self.jobs.len(), "a job id is created once");
        if job.selection == TargetSelection::Continuous && job.status == JobStatus::InProgress {
            for g in &job.target_groups {
                self.continuous_by_group
                    .entry(g.clone())
                    .or_default()
                    .insert(id);
            }
        }
        self.jobs.push(job);
        self.job_execs.push(JobExecutions::default());
        self.job_by_status.push([0; 8]);
        id
    }

    /// Puts a CONTINUOUS job that starts (decision 32) into the index of its groups.
    pub(crate) fn index_continuous(&mut self, id: JobId) {
        let job = &self.jobs[id as usize];
        if job.selection != TargetSelection::Continuous {
            return;
        }
        for g in &job.target_groups {
            self.continuous_by_group
                .entry(g.clone())
                .or_default()
                .insert(id);
        }
    }

    /// Puts `things` (resolved, each once, in release order) into job `id`'s rollout
    /// list (decision 28), in one pass.
    pub(crate) fn start_rollout(&mut self, id: JobId, things: Vec<ThingId>) {
        let Some(rollout) = self.jobs[id as usize].rollout.as_deref_mut() else {
            return;
        };
        debug_assert_eq!(rollout.waiting, 0, "a rollout list is filled once");
        for &t in &things {
            self.things[t as usize].waiting_in.insert(id);
        }
        rollout.waiting = things.len();
        rollout.queue = things.into();
    }

    /// Takes the head of job `id`'s rollout list out of it (decision 28's batch), passing
    /// over the entries of things that left the list early.
    pub(crate) fn next_waiting(&mut self, id: JobId) -> Option<ThingId> {
        let rollout = self.jobs[id as usize].rollout.as_deref_mut()?;
        while let Some(t) = rollout.queue.pop_front() {
            if self.things[t as usize].waiting_in.remove(id) {
                rollout.waiting -= 1;
                if rollout.waiting == 0 {
                    // What is left are leavers' entries, which no batch will reach.
                    rollout.queue = std::collections::VecDeque::new();
                }
                return Some(t);
            }
        }
        None
    }

    /// Drops job `id`'s rollout list and its batch timer: nobody else is queued
    /// (decision 28: CancelJob, an abort, an end, DeleteJob). One pass over the list.
    pub(crate) fn drop_rollout(&mut self, id: JobId) {
        let Some(rollout) = self.jobs[id as usize].rollout.as_deref_mut() else {
            return;
        };
        for t in std::mem::take(&mut rollout.queue) {
            self.things[t as usize].waiting_in.remove(id);
        }
        rollout.waiting = 0;
        if let Some(t) = rollout.timer.take() {
            self.job_timers
                .remove(&(t.deadline, t.seq, id, JobTimer::Batch));
        }
    }

    /// Whether job `id` has things waiting in its rollout list.
    pub(crate) fn rolling_out(&self, id: JobId) -> bool {
        self.jobs[id as usize]
            .rollout
            .as_ref()
            .is_some_and(|r| r.waiting > 0)
    }

    /// The things waiting in job `id`'s rollout list, in release order (the entries of
    /// things that left it are passed over).
    pub(crate) fn waiting_things(&self, id: JobId) -> impl Iterator<Item = ThingId> + '_ {
        self.jobs[id as usize]
            .rollout
            .iter()
            .flat_map(|r| r.queue.iter().copied())
            .filter(move |&t| self.things[t as usize].waiting_in.contains(id))
    }

    /// The jobs whose rollout list `thing` waits in.
    pub(crate) fn rollouts_waited_in(&self, thing: ThingId) -> Vec<JobId> {
        self.things[thing as usize].waiting_in.to_vec()
    }

    /// Takes `thing` out of the rollout list of job `id`, if it waits there: constant time
    /// (its queue entry is passed over later, [`Rollout`]).
    pub(crate) fn leave_rollout(&mut self, id: JobId, thing: ThingId) -> bool {
        if !self.things[thing as usize].waiting_in.remove(id) {
            return false;
        }
        let Some(rollout) = self.jobs[id as usize].rollout.as_deref_mut() else {
            debug_assert!(
                false,
                "thing {thing} waited in job {id}, which has no rollout"
            );
            return false;
        };
        rollout.waiting -= 1;
        if rollout.waiting == 0 {
            // Every entry left is a leaver's: none to pass over later.
            rollout.queue = std::collections::VecDeque::new();
            if let Some(t) = rollout.timer.take() {
                self.job_timers
                    .remove(&(t.deadline, t.seq, id, JobTimer::Batch));
            }
        }
        true
    }

    /// Drops every timer of job `id` and its rollout list (CancelJob, DeleteJob, an end).
    pub(crate) fn drop_job_timers(&mut self, id: JobId) {
        self.drop_rollout(id);
        let Some(schedule) = self.jobs[id as usize].schedule.as_deref_mut() else {
            return;
        };
        let timers = [
            (schedule.start.take(), JobTimer::Start),
            (schedule.end.take(), JobTimer::End),
        ];
        for (t, which) in timers {
            if let Some(t) = t {
                self.job_timers.remove(&(t.deadline, t.seq, id, which));
            }
        }
    }

    /// Takes a job that is being canceled out of the index of its groups. A canceled job
    /// never again has a QUEUED execution (its QUEUED ones were canceled, by a row that
    /// always holds, and nothing queues one for a job that is not IN_PROGRESS), so group
    /// joins and leaves have nothing to do for it.
    pub(crate) fn unindex_continuous(&mut self, id: JobId) {
        debug_assert!(self
            .executions_of(id)
            .all(|e| self.exec(e).status != JobExecutionStatus::Queued));
        let job = &self.jobs[id as usize];
        for g in &job.target_groups {
            if let Some(jobs) = self.continuous_by_group.get_mut(g) {
                jobs.remove(&id);
            }
        }
    }

    /// The ids of every job that exists (not deleted), sorted by the job's name (the AWS
    /// jobId).
    pub(crate) fn job_ids_sorted(&self) -> Vec<JobId> {
        let mut ids: Vec<JobId> = (0..self.jobs.len() as JobId)
            .filter(|&id| !self.jobs[id as usize].deleted)
            .collect();
        ids.sort_unstable_by(|&a, &b| self.job_name(a).cmp(self.job_name(b)));
        ids
    }

    // Executions of a thing.

    /// The executions of `job` on `thing`, if it has any.
    pub(crate) fn history_of(&self, thing: ThingId, job: JobId) -> Option<&JobHistory> {
        let history = &self.things[thing as usize].history;
        history
            .binary_search_by_key(&job, |h| h.job)
            .ok()
            .map(|i| &history[i])
    }

    /// The newest execution of `job` on `thing` (what calls without executionNumber mean).
    pub(crate) fn newest(&self, thing: ThingId, job: JobId) -> Option<ExecId> {
        self.history_of(thing, job).map(|h| h.newest)
    }

    /// [`State::newest`] of each of `jobs` (ascending ids) on `thing`, in one forward
    /// pass over its history: each search starts where the last one ended.
    pub(crate) fn newest_of_each(&self, thing: ThingId, jobs: &[JobId]) -> Vec<Option<ExecId>> {
        debug_assert!(jobs.windows(2).all(|w| w[0] < w[1]));
        let history = &self.things[thing as usize].history;
        let mut from = 0;
        jobs.iter()
            .map(|&job| {
                from += history[from..].partition_point(|h| h.job < job);
                history.get(from).filter(|h| h.job == job).map(|h| h.newest)
            })
            .collect()
    }

    /// The execution of `job` on `thing` numbered `number`.
    pub(crate) fn numbered(&self, thing: ThingId, job: JobId, number: i64) -> Option<ExecId> {
        self.history_of(thing, job)?
            .ids()
            .find(|&id| self.exec(id).number == number)
    }

    /// The head of `thing`'s pending order.
    pub(crate) fn head(&self, thing: ThingId) -> Option<ExecId> {
        self.things[thing as usize].pending.first().map(|k| k.2)
    }

    /// `thing`'s pending executions in order.
    pub(crate) fn pending_of(&self, thing: ThingId) -> impl Iterator<Item = ExecId> + Clone + '_ {
        self.things[thing as usize].pending.iter().map(|k| k.2)
    }

    fn touch(&mut self, thing: ThingId, membership: bool) {
        let at = match self.things[thing as usize].touched_at {
            Some(at) => at,
            None => {
                let head_before = self.head(thing);
                self.touched.push((
                    thing,
                    Touch {
                        head_before,
                        membership_changed: false,
                    },
                ));
                let at = self.touched.len() - 1;
                self.things[thing as usize].touched_at = Some(at);
                at
            }
        };
        self.touched[at].1.membership_changed |= membership;
    }

    /// Whether this moment has touched no thing yet.
    pub(crate) fn nothing_touched(&self) -> bool {
        self.touched.is_empty()
    }

    /// From here on in this moment, things touched keep the order first touched when
    /// taken, after those touched before (decisions 30, 34).
    pub(crate) fn order_touches_from_here(&mut self) {
        if self.ordered_from.is_none() {
            self.ordered_from = Some(self.touched.len());
        }
    }

    /// What this moment touched, emptied: each thing once, sorted by name, except those
    /// first touched after [`State::order_touches_from_here`], which follow in the order
    /// first touched.
    pub(crate) fn take_touched(&mut self) -> Vec<(ThingId, Touch)> {
        let mut touched = std::mem::take(&mut self.touched);
        let by_name = self.ordered_from.take().unwrap_or(touched.len());
        for (thing, _) in &touched {
            self.things[*thing as usize].touched_at = None;
        }
        if by_name > 1 {
            touched[..by_name]
                .sort_unstable_by(|a, b| self.thing_name(a.0).cmp(self.thing_name(b.0)));
        }
        touched
    }

    /// Creates an execution by `permit`'s row (decision 1: QUEUED, version 1, number =
    /// highest + 1).
    pub(crate) fn create_execution(
        &mut self,
        permit: &Permit,
        job: JobId,
        thing: ThingId,
        now: u64,
        retry_attempt: i32,
    ) -> ExecId {
        // One search of the thing's history serves the newest and the insertion.
        // Numbers grow along a history, so the newest has the highest.
        let at = self.things[thing as usize]
            .history
            .binary_search_by_key(&job, |h| h.job);
        let previous = at
            .ok()
            .map(|i| self.exec(self.things[thing as usize].history[i].newest));
        let number = previous.map_or(1, |p| p.number + 1);
        let previous = previous.map(|p| p.status);
        let row = permit.row();
        debug_assert!(row.from.is_none(), "{row:?} does not create an execution");
        let status = row.to.unwrap_or_default();
        let id = self.execs.len();
        self.touch(thing, true);
        let exec = Execution {
            job,
            thing,
            number,
            status,
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
        self.by_status[status_index(status)] += 1;
        self.job_by_status[job as usize][status_index(status)] += 1;
        self.execs.push(Some(exec));
        let slot = &mut self.things[thing as usize];
        match at {
            Ok(i) => slot.history[i].push(id),
            Err(i) => slot.history.insert(i, JobHistory::new(job, id)),
        }
        slot.created.push(id);
        if let Some(key) = key {
            slot.pending.insert(key);
        }
        let j = &mut self.job_execs[job as usize];
        j.created.push(id);
        j.pending += u32::from(status.is_pending());
        if let Some(p) = previous {
            j.newest_by_status[status_index(p)] -= 1;
        }
        j.newest_by_status[status_index(status)] += 1;
        id
    }

    /// Moves an execution to the status of `permit`'s row and changes its other fields
    /// through `f`, keeping the pending order and the timer queue true, and ending both
    /// timers when the execution becomes terminal.
    pub(crate) fn change(&mut self, id: ExecId, permit: &Permit, f: impl FnOnce(&mut Execution)) {
        let row = permit.row();
        debug_assert_eq!(
            row.from,
            Some(self.exec(id).status),
            "{row:?} is not this execution's"
        );
        debug_assert!(row.to.is_some(), "{row:?} deletes: use delete_execution");
        self.write(id, row.to, f);
    }

    fn write(
        &mut self,
        id: ExecId,
        status: Option<JobExecutionStatus>,
        f: impl FnOnce(&mut Execution),
    ) {
        let (thing, job, old_status, old_key, old_timer) = {
            let e = self.exec(id);
            (e.thing, e.job, e.status, e.pending_key(id), e.timer())
        };
        let e = self.execs[id].as_mut().expect("live execution id");
        if let Some(s) = status {
            e.status = s;
        }
        f(e);
        if e.status.is_terminal() {
            e.step_timer = None;
            e.in_progress_timer = None;
        }
        let (new_status, new_key, new_timer) = (e.status, e.pending_key(id), e.timer());
        if new_status != old_status {
            // `f` does not touch the history, so "newest" is as it was before.
            let is_newest = self.newest(thing, job) == Some(id);
            self.by_status[status_index(old_status)] -= 1;
            self.by_status[status_index(new_status)] += 1;
            let counts = &mut self.job_by_status[job as usize];
            counts[status_index(old_status)] -= 1;
            counts[status_index(new_status)] += 1;
            let j = &mut self.job_execs[job as usize];
            // No row of the table leaves a terminal status, so a change can only take an
            // execution out of the pending ones, never bring one back.
            debug_assert!(
                old_status.is_pending() || !new_status.is_pending(),
                "a terminal execution became pending"
            );
            if old_status.is_pending() && !new_status.is_pending() {
                j.pending -= 1;
            }
            if is_newest {
                j.newest_by_status[status_index(old_status)] -= 1;
                j.newest_by_status[status_index(new_status)] += 1;
            }
        }
        // Only a change of pending key can change the thing's pending set, and with it
        // its head (decisions 24 and 25), so only then is the thing touched.
        if old_key != new_key {
            self.touch(thing, old_key.is_some() != new_key.is_some());
            let set = &mut self.things[thing as usize].pending;
            if let Some(k) = old_key {
                set.remove(&k);
            }
            if let Some(k) = new_key {
                set.insert(k);
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

    /// Deletes an execution by `permit`'s row (decision 22), taking it out of every index.
    pub(crate) fn delete_execution(&mut self, id: ExecId, permit: &Permit) {
        let (thing, job, status, key, timer) = {
            let e = self.exec(id);
            (e.thing, e.job, e.status, e.pending_key(id), e.timer())
        };
        let row = permit.row();
        debug_assert!(
            row.from == Some(status) && row.to.is_none(),
            "{row:?} does not delete this execution"
        );
        let was_newest = self.newest(thing, job) == Some(id);
        if key.is_some() {
            self.touch(thing, true);
        }
        let slot = &mut self.things[thing as usize];
        if let Some(k) = key {
            slot.pending.remove(&k);
        }
        if let Ok(i) = slot.history.binary_search_by_key(&job, |h| h.job) {
            if !slot.history[i].remove(id) {
                slot.history.remove(i);
            }
        }
        slot.created.remove(id);
        if let Some(t) = timer {
            self.timers.remove(&(t.deadline, t.seq, id));
        }
        self.execs[id] = None;
        self.by_status[status_index(status)] -= 1;
        self.job_by_status[job as usize][status_index(status)] -= 1;
        let next_newest = self.newest(thing, job).map(|n| self.exec(n).status);
        let job_deleted = self.jobs[job as usize].deleted;
        let j = &mut self.job_execs[job as usize];
        // DeleteJob empties the job's list once, after deleting every execution on it
        // ([`State::forget_job_executions`]): one pass, not a shift per execution.
        if !job_deleted {
            j.created.remove(id);
        }
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

    /// After DeleteJob deleted every execution of `id` (each by its row), empties the
    /// job's list of them and its retry budgets (decision 34).
    pub(crate) fn forget_job_executions(&mut self, id: JobId, things: &[ThingId]) {
        debug_assert!(self.jobs[id as usize].deleted);
        debug_assert!(self.executions_of(id).all(|e| self.execs[e].is_none()));
        self.job_execs[id as usize] = JobExecutions::default();
        for &t in things {
            self.things[t as usize].retries_spent.remove(&id);
        }
    }

    /// [`State::is_target`] for jobs the group index holds (CONTINUOUS, not canceled),
    /// asked of the index: a closure that says whether `thing` is a target of such a job.
    /// The thing's groups are looked up once, so each job costs a search of sets of ids
    /// and of its direct targets, not a search of its group names per group.
    pub(crate) fn indexed_target_test<'a>(&'a self, thing: &'a str) -> impl Fn(JobId) -> bool + 'a {
        let groups: Vec<&BTreeSet<JobId>> = self
            .thing(thing)
            .into_iter()
            .flat_map(|t| &t.groups)
            .filter_map(|g| self.continuous_by_group.get(g))
            .collect();
        move |job| {
            let target = groups.iter().any(|jobs| jobs.contains(&job))
                || self.job(job).target_things.contains(thing);
            debug_assert_eq!(target, self.is_target(self.job(job), thing));
            target
        }
    }

    /// Whether `thing` is a target of `job` now: directly, or through a group it is in.
    /// This is the rule as the job's own fields state it; the model asks it of the group
    /// index ([`State::indexed_target_test`]), which debug builds check against this.
    pub(crate) fn is_target(&self, job: &Job, thing: &str) -> bool {
        job.target_things.contains(thing)
            || self
                .thing(thing)
                .is_some_and(|t| t.groups.iter().any(|g| job.target_groups.contains(g)))
    }
}
