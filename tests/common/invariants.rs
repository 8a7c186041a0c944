//! The invariants of one state of the service ([`check`]) and of one step between two
//! states ([`changes`]), written once and checked by both the property tests
//! (`tests/properties/invariants.rs`, after every step of a random scenario) and the
//! bounded exhaustive exploration (`tests/exploration.rs`, in every reachable state of a
//! small scope and along every edge).
//!
//! They read a [`StateView`], plain data taken from the service's inspection API, so that
//! `tests/shared_invariants.rs` can build a state that breaks each of them and see it
//! refused: every invariant here can fail.
//!
//! The timer invariants assume the default `timer_lateness` of 0 (both users run with it).

use std::collections::{BTreeMap, BTreeSet};

use iot_jobs_spec::rules::{self, Cause, Transition};
use iot_jobs_spec::{
    Actor, ExecutionRecord, JobExecutionStatus as S, JobRecord, JobStatus, Service, Switches,
    TargetSelection, TimerKind,
};

/// `ensure!(cond, "fmt", args)`: return `Err(format!(...))` unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}
#[allow(unused_imports)]
pub(crate) use ensure;

/// Executions by their place in creation order.
pub type Ids = BTreeMap<usize, ExecutionRecord>;

/// The executions of `svc` by creation order.
pub fn by_id(svc: &Service) -> Ids {
    svc.executions()
        .into_iter()
        .map(|e| (e.creation_order, e))
        .collect()
}

/// `job/thing#number (STATUS)`, how a finding names an execution.
pub fn name(e: &ExecutionRecord) -> String {
    format!(
        "{}/{}#{} ({})",
        e.job_id,
        e.thing_name,
        e.execution_number,
        e.status.as_str()
    )
}

/// The newest execution of `job` on `thing` among `ids`.
pub fn newest<'a>(ids: &'a Ids, job: &str, thing: &str) -> Option<&'a ExecutionRecord> {
    ids.values()
        .filter(|e| e.job_id == job && e.thing_name == thing)
        .max_by_key(|e| e.creation_order)
}

/// What the state invariants read of a service.
#[derive(Clone, Debug, Default)]
pub struct StateView {
    /// The clock.
    pub now: u64,
    /// Every execution, in creation order.
    pub executions: Vec<ExecutionRecord>,
    /// Every job.
    pub jobs: Vec<JobRecord>,
    /// `Service::poll_timeout`.
    pub poll_timeout: Option<u64>,
    /// The execution timers of `Service::due_timers(u64::MAX)` as (deadline, job, thing,
    /// number).
    pub timers: Vec<(u64, String, String, i64)>,
    /// The job timers of `Service::due_timers(u64::MAX)` (rollout batches, startTime,
    /// endTime) as (deadline, job, kind).
    pub job_timers: Vec<(u64, String, TimerKind)>,
    /// `Service::pending_order` of every thing that exists or has executions.
    pub pending_orders: BTreeMap<String, Vec<(String, i64)>>,
    /// Per (job, thing) with executions, the creation order of the one the service's own
    /// lookup (`Service::execution` without a number) calls the newest.
    pub newest: BTreeMap<(String, String), Option<usize>>,
    /// `Service::status_counts`.
    pub status_counts: Vec<(S, usize)>,
    /// `Service::things`: the things that exist, by name.
    pub things: Vec<String>,
}

impl StateView {
    /// The view of `svc`.
    pub fn of(svc: &Service) -> Self {
        let executions = svc.executions();
        let existing = svc.things();
        let mut things: BTreeSet<String> = existing.iter().cloned().collect();
        things.extend(executions.iter().map(|e| e.thing_name.clone()));
        let pairs: BTreeSet<(String, String)> = executions
            .iter()
            .map(|e| (e.job_id.clone(), e.thing_name.clone()))
            .collect();
        Self {
            now: svc.now(),
            jobs: svc.jobs(),
            poll_timeout: svc.poll_timeout(),
            timers: svc
                .due_timers(u64::MAX)
                .into_iter()
                .filter(|t| !t.kind.is_job_timer())
                .map(|t| (t.deadline, t.job_id, t.thing_name, t.execution_number))
                .collect(),
            job_timers: svc
                .due_timers(u64::MAX)
                .into_iter()
                .filter(|t| t.kind.is_job_timer())
                .map(|t| (t.deadline, t.job_id, t.kind))
                .collect(),
            pending_orders: things
                .into_iter()
                .map(|t| {
                    let order = svc.pending_order(&t);
                    (t, order)
                })
                .collect(),
            newest: pairs
                .into_iter()
                .map(|(j, t)| {
                    let newest = svc.execution(&t, &j, None).map(|e| e.creation_order);
                    ((j, t), newest)
                })
                .collect(),
            status_counts: svc.status_counts(),
            things: existing,
            executions,
        }
    }
}

/// Every invariant of one state of `svc`.
pub fn state(svc: &Service) -> Result<(), String> {
    check(&StateView::of(svc))
}

/// Every invariant of one state, named in the error by its function.
pub fn check(v: &StateView) -> Result<(), String> {
    let label = |name: &str, r: Result<(), String>| r.map_err(|e| format!("[{name}] {e}"));
    label("execution_fields", execution_fields(v))?;
    label("timers", timers(v))?;
    label("histories", histories(v))?;
    label("pending_order", pending_order(v))?;
    label("status_counts", status_counts(v))?;
    label("jobs", jobs(v))?;
    label("rollout", rollout(v))?;
    Ok(())
}

/// Each execution on its own: timestamps in order (queuedAt <= startedAt <= lastUpdatedAt
/// <= now), versionNumber from 1, a QUEUED one never started nor changed by a device
/// (decisions 1, 10), an IN_PROGRESS one started, `forceCanceled` exactly on CANCELED ones
/// (decision 20), retryAttempt within the job's retry budgets (decision 19).
pub fn execution_fields(v: &StateView) -> Result<(), String> {
    let now = v.now;
    for e in &v.executions {
        let k = name(e);
        ensure!(
            e.queued_at <= e.last_updated_at && e.last_updated_at <= now,
            "{k}: queuedAt {} lastUpdatedAt {} now {now}",
            e.queued_at,
            e.last_updated_at
        );
        if let Some(s) = e.started_at {
            ensure!(
                e.queued_at <= s && s <= e.last_updated_at,
                "{k}: startedAt {s} outside queuedAt {} .. lastUpdatedAt {}",
                e.queued_at,
                e.last_updated_at
            );
        }
        ensure!(
            e.version_number >= 1,
            "{k}: versionNumber {}",
            e.version_number
        );
        match e.status {
            S::Queued => ensure!(
                e.started_at.is_none() && e.version_number == 1,
                "{k}: QUEUED but started ({:?}) or changed by a device (version {})",
                e.started_at,
                e.version_number
            ),
            S::InProgress => ensure!(e.started_at.is_some(), "{k}: IN_PROGRESS without startedAt"),
            _ => {}
        }
        ensure!(
            e.force_canceled.is_some() == (e.status == S::Canceled),
            "{k}: forceCanceled {:?} on a {} execution",
            e.force_canceled,
            e.status
        );
        let budget: i32 = v
            .jobs
            .iter()
            .find(|j| j.job_id == e.job_id)
            .map_or(0, |j| j.retry_criteria.iter().map(|c| c.1).sum());
        ensure!(
            (0..=budget).contains(&e.retry_attempt),
            "{k}: retryAttempt {} outside 0..={budget}, the job's retry budgets",
            e.retry_attempt
        );
    }
    Ok(())
}

/// Timers (decisions 15 to 17): only IN_PROGRESS executions have them; none is due (it
/// would have fired); the in-progress deadline is startedAt + the job's timeout; the timer
/// queue holds exactly the executions' effective deadlines, and `poll_timeout` is the
/// earliest.
pub fn timers(v: &StateView) -> Result<(), String> {
    let now = v.now;
    let mut deadlines = Vec::new();
    for e in &v.executions {
        let k = name(e);
        if e.status != S::InProgress {
            ensure!(
                e.step_deadline.is_none() && e.in_progress_deadline.is_none(),
                "{k}: a timer runs on a {} execution: {e:?}",
                e.status
            );
        } else {
            let minutes = v
                .jobs
                .iter()
                .find(|j| j.job_id == e.job_id)
                .and_then(|j| j.in_progress_timeout_in_minutes);
            let want = minutes.zip(e.started_at).map(|(m, s)| s + 60 * m as u64);
            ensure!(
                e.in_progress_deadline == want,
                "{k}: in-progress deadline {:?}, startedAt + timeout gives {want:?}",
                e.in_progress_deadline
            );
        }
        if let Some(d) = e.deadline() {
            ensure!(
                d > now,
                "{k}: deadline {d} is not after now {now}: it should have fired"
            );
            deadlines.push((
                d,
                e.job_id.clone(),
                e.thing_name.clone(),
                e.execution_number,
            ));
        }
    }
    deadlines.sort();
    let mut queue = v.timers.clone();
    queue.sort();
    ensure!(
        queue == deadlines,
        "timer queue {queue:?} is not the executions' deadlines {deadlines:?}"
    );
    let earliest_job = v.job_timers.iter().map(|t| t.0).min();
    let earliest = match (deadlines.first().map(|d| d.0), earliest_job) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    ensure!(
        v.poll_timeout == earliest,
        "poll_timeout {:?}, the earliest deadline is {earliest:?} (execution timers {:?}, \
         job timers {:?})",
        v.poll_timeout,
        deadlines.first(),
        v.job_timers
    );
    job_timers(v)
}

/// Job timers (decisions 28, 32, 34; Details, timers): each is after now (it would have
/// fired), belongs to a job that exists (a deleted job leaves no timer), at most one of each
/// kind per job; a startTime runs only on a SCHEDULED job, a batch or an endTime only on an
/// IN_PROGRESS one (CancelJob, an abort, an end and DeleteJob drop them).
pub fn job_timers(v: &StateView) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for (d, job, kind) in &v.job_timers {
        ensure!(
            *d > v.now,
            "{kind:?} timer of {job} at {d} is not after now {}: it should have fired",
            v.now
        );
        let j = v.jobs.iter().find(|j| &j.job_id == job);
        let Some(j) = j else {
            return Err(format!(
                "{kind:?} timer at {d} of {job}, a job that does not exist"
            ));
        };
        let allowed: &[JobStatus] = match kind {
            TimerKind::StartTime => &[JobStatus::Scheduled],
            TimerKind::EndTime => &[JobStatus::Scheduled, JobStatus::InProgress],
            _ => &[JobStatus::InProgress],
        };
        ensure!(
            allowed.contains(&j.status),
            "{kind:?} timer of {job} at {d} on a {:?} job",
            j.status
        );
        ensure!(
            seen.insert((job.clone(), *kind)),
            "two {kind:?} timers of {job}"
        );
    }
    Ok(())
}

/// Per (job, thing): executionNumbers rise with creation order (decision 1); the newest is
/// the last created, as the service's own lookup says; at most one execution is pending,
/// and it is the newest.
pub fn histories(v: &StateView) -> Result<(), String> {
    let mut pairs: BTreeMap<(&str, &str), Vec<&ExecutionRecord>> = BTreeMap::new();
    for e in &v.executions {
        pairs.entry((&e.job_id, &e.thing_name)).or_default().push(e);
    }
    for ((j, t), list) in &pairs {
        for w in list.windows(2) {
            ensure!(
                w[0].creation_order < w[1].creation_order
                    && w[0].execution_number < w[1].execution_number,
                "{j} on {t}: {} then {} in creation order",
                name(w[0]),
                name(w[1])
            );
        }
        let last = list[list.len() - 1].creation_order;
        let looked_up = v.newest.get(&((*j).to_owned(), (*t).to_owned())).copied();
        ensure!(
            looked_up == Some(Some(last)),
            "{j} on {t}: the service's newest is {looked_up:?}, the last created is {last}"
        );
        let pending: Vec<_> = list.iter().filter(|e| e.status.is_pending()).collect();
        ensure!(
            pending.len() <= 1,
            "{j} on {t}: {} pending executions",
            pending.len()
        );
        if let Some(p) = pending.first() {
            ensure!(
                p.creation_order == last,
                "{j} on {t}: the pending {} is not the newest",
                name(p)
            );
        }
    }
    Ok(())
}

/// Decision 4: each thing's pending order is IN_PROGRESS first, then queuedAt, then
/// creation order.
pub fn pending_order(v: &StateView) -> Result<(), String> {
    for (t, got) in &v.pending_orders {
        let mut want: Vec<&ExecutionRecord> = v
            .executions
            .iter()
            .filter(|e| &e.thing_name == t && e.status.is_pending())
            .collect();
        want.sort_by_key(|e| (e.status != S::InProgress, e.queued_at, e.creation_order));
        let want: Vec<(String, i64)> = want
            .iter()
            .map(|e| (e.job_id.clone(), e.execution_number))
            .collect();
        ensure!(
            *got == want,
            "pending_order({t}) = {got:?}, decision 4 gives {want:?}"
        );
    }
    Ok(())
}

/// `status_counts` counts the executions in each status.
pub fn status_counts(v: &StateView) -> Result<(), String> {
    for &(status, n) in &v.status_counts {
        let counted = v.executions.iter().filter(|e| e.status == status).count();
        ensure!(
            n == counted,
            "status_counts says {n} {status}, there are {counted}"
        );
    }
    Ok(())
}

/// Decision 23, as decision 28 amends it: a SNAPSHOT job is COMPLETED exactly when none
/// of its executions is pending and no thing waits in its rollout list (while it is not
/// CANCELED); a CONTINUOUS job is never COMPLETED. (Decision 32's endTime, which makes
/// either kind wait for it or complete after it, is not in this view.)
pub fn jobs(v: &StateView) -> Result<(), String> {
    for j in &v.jobs {
        let pending = v
            .executions
            .iter()
            .any(|e| e.job_id == j.job_id && e.status.is_pending());
        let waiting = !j.waiting.is_empty();
        match (j.target_selection, j.status) {
            (TargetSelection::Continuous, JobStatus::Completed) => {
                return Err(format!("CONTINUOUS job {} COMPLETED", j.job_id))
            }
            (TargetSelection::Snapshot, JobStatus::InProgress) => ensure!(
                pending || waiting,
                "SNAPSHOT job {} IN_PROGRESS with no pending execution and no waiting thing",
                j.job_id
            ),
            (TargetSelection::Snapshot, JobStatus::Completed) => ensure!(
                !pending && !waiting,
                "SNAPSHOT job {} COMPLETED with a pending execution or a waiting thing ({:?})",
                j.job_id,
                j.waiting
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Decision 28, the rollout list of each job: a waiting thing has no execution of that
/// job (it gets one only when a batch, a join or an association releases it); each thing
/// waits at most once in a list; a waiting thing exists (DeleteThing takes it out of every
/// list); a non-empty list belongs to an IN_PROGRESS job (CancelJob, an abort, an end
/// behaviour and DeleteJob drop it), which then has exactly one batch timer; a job with
/// an empty list, or none, has no batch timer.
pub fn rollout(v: &StateView) -> Result<(), String> {
    for j in &v.jobs {
        let job = &j.job_id;
        let mut once = BTreeSet::new();
        for t in &j.waiting {
            ensure!(
                once.insert(t),
                "{t} waits twice in the rollout list of {job}: {:?}",
                j.waiting
            );
            let executions: Vec<String> = v
                .executions
                .iter()
                .filter(|e| &e.job_id == job && &e.thing_name == t)
                .map(name)
                .collect();
            ensure!(
                executions.is_empty(),
                "{t} waits in the rollout list of {job} but has executions {executions:?}"
            );
            ensure!(
                v.things.contains(t),
                "{t} waits in the rollout list of {job} but does not exist"
            );
        }
        ensure!(
            j.waiting.is_empty() || j.status == JobStatus::InProgress,
            "a {:?} job {job} keeps a rollout list {:?}",
            j.status,
            j.waiting
        );
        let batches = v
            .job_timers
            .iter()
            .filter(|t| &t.1 == job && t.2 == TimerKind::RolloutBatch)
            .count();
        let want = usize::from(!j.waiting.is_empty());
        ensure!(
            batches == want,
            "{job} has {batches} batch timers with {} things waiting",
            j.waiting.len()
        );
    }
    Ok(())
}

/// What one step may do to executions, as the checker of the step knows it from the step
/// itself (the request, the action, the clock move).
pub struct Step<'a> {
    /// When the step happens: the call's moment, or where a clock move ends (timers fire
    /// at their own deadlines on the way).
    pub now: u64,
    /// The step moves the clock (the changes are timers firing), rather than a call.
    pub clock: bool,
    /// The cause, and the request's `force`, by which the step may change `e` (an
    /// execution before the step), or `None` when it may not change it.
    pub may_change: &'a dyn Fn(&ExecutionRecord) -> Option<(Cause, bool)>,
    /// The request's `force` when the step may delete `e` (DeleteJobExecution naming it).
    pub may_delete: &'a dyn Fn(&ExecutionRecord) -> Option<bool>,
    /// The cause by which the step may queue executions other than retries (CreateJob, a
    /// group join, a rollout batch: decision 28), and the moment it queues them (the
    /// call's, or the batch timer's deadline in a clock move).
    pub creates: Option<(Cause, u64)>,
    /// In a clock move, the deadline of the job timer whose firing may change executions
    /// (an end behaviour, decision 32): those changes happen at that moment, as an
    /// execution timer's happen at its own deadline.
    pub job_timer_at: Option<u64>,
    /// The switches of the service.
    pub switches: Switches,
}

/// A row of the table a step took, and the execution (by creation order) it took it for.
pub struct Taken {
    pub row: &'static Transition,
    pub execution: usize,
}

/// The row of the table for `from` -> `to` by `cause` whose condition holds for `force`.
fn row(
    from: Option<S>,
    to: Option<S>,
    cause: Cause,
    force: bool,
    sw: &Switches,
) -> Result<&'static Transition, String> {
    let describe = |s: Option<S>, none: &'static str| s.map_or(none, S::as_str);
    let t = rules::find(from, to, cause).ok_or_else(|| {
        format!(
            "no row takes {} to {} by {cause}",
            describe(from, "(new)"),
            describe(to, "(deleted)")
        )
    })?;
    ensure!(
        t.condition.holds(force, sw),
        "row {} -> {} by {cause} taken though its condition `{}` does not hold (force {force})",
        describe(from, "(new)"),
        describe(to, "(deleted)"),
        t.condition
    );
    Ok(t)
}

/// Every difference between the executions before a step and after it is a row of the
/// table, with the row's effects, and the step may make it:
/// - a deleted execution: the step deletes it, by a row (decision 22);
/// - a changed one: the step may change it, by a row of its cause whose condition holds;
///   it was not terminal; its identity, queuedAt and retryAttempt stay; versionNumber +1 by
///   a device's row, unchanged by the service's (decision 10); lastUpdatedAt is the moment
///   (the call's, or the timer's deadline: decisions 10, 17, 32); a cancel records its
///   force (decisions 20, 21, 30, 32);
/// - a new one: QUEUED, version 1, nothing else set (decision 1), numbered one more than
///   the highest before, at most one per job and thing; a retry (retryAttempt above 0) by
///   the Retry row for an execution of its job and thing that this step ended FAILED or
///   TIMED_OUT, queued at the moment it ended (decision 19); any other by the step's
///   creating cause, queued at its moment.
///
/// Returns the rows taken.
pub fn changes(before: &Ids, after: &Ids, step: &Step) -> Result<Vec<Taken>, String> {
    changes_deleting_by(before, after, step, Cause::DeleteJobExecution)
}

/// [`changes`] for a step whose deletions are by `deletion`: DeleteJobExecution, or
/// DeleteJob (decision 34), whose rows delete an execution in any status.
pub fn changes_deleting_by(
    before: &Ids,
    after: &Ids,
    step: &Step,
    deletion: Cause,
) -> Result<Vec<Taken>, String> {
    let sw = &step.switches;
    let mut taken = Vec::new();
    for (&id, old) in before {
        let k = name(old);
        let Some(new) = after.get(&id) else {
            let force = (step.may_delete)(old).ok_or_else(|| format!("{k} deleted by the step"))?;
            let row = row(Some(old.status), None, deletion, force, sw)?;
            taken.push(Taken { row, execution: id });
            continue;
        };
        if new == old {
            continue;
        }
        ensure!(
            !old.status.is_terminal(),
            "{k}: a terminal execution changed: {old:?} -> {new:?}"
        );
        ensure!(
            (
                &old.job_id,
                &old.thing_name,
                old.execution_number,
                old.queued_at,
                old.retry_attempt
            ) == (
                &new.job_id,
                &new.thing_name,
                new.execution_number,
                new.queued_at,
                new.retry_attempt
            ),
            "{k}: identity, queuedAt or retryAttempt changed: {old:?} -> {new:?}"
        );
        let (cause, force) = (step.may_change)(old)
            .ok_or_else(|| format!("{k} changed, but the step may not change it: {new:?}"))?;
        let row = row(Some(old.status), Some(new.status), cause, force, sw)?;
        let device = row.actor() == Actor::Device;
        ensure!(
            new.version_number == old.version_number + i64::from(device),
            "{k}: versionNumber {} -> {} by {cause}",
            old.version_number,
            new.version_number
        );
        let moment = match (step.clock, cause) {
            (false, _) => step.now,
            (true, Cause::Timer) => old.deadline().unwrap_or(u64::MAX),
            (true, _) => step.job_timer_at.unwrap_or(u64::MAX),
        };
        ensure!(
            new.last_updated_at == moment,
            "{k}: lastUpdatedAt {} after a change at {moment} by {cause}",
            new.last_updated_at
        );
        if matches!(
            cause,
            Cause::CancelJob
                | Cause::CancelJobExecution
                | Cause::AbortCancel
                | Cause::EndBehaviorCancel
        ) {
            ensure!(
                new.force_canceled == Some(force),
                "{k}: forceCanceled {:?} after a cancel with force {force}",
                new.force_canceled
            );
        }
        taken.push(Taken { row, execution: id });
    }
    let mut pairs = BTreeSet::new();
    for (&id, new) in after.iter().filter(|(id, _)| !before.contains_key(id)) {
        let k = name(new);
        // A retry is queued at the moment its failure happened (a timer's deadline, in a
        // clock move); any other creation at the step's creating moment.
        let (cause, moment) = if new.retry_attempt > 0 {
            let failed_at = before.values().find_map(|o| {
                let n = after.get(&o.creation_order)?;
                (o.job_id == new.job_id
                    && o.thing_name == new.thing_name
                    && o.status.is_pending()
                    && n.status.is_retryable())
                .then_some(n.last_updated_at)
            });
            let failed_at =
                failed_at.ok_or_else(|| format!("{k}: a retry without a failure in this step"))?;
            (Cause::Retry, failed_at)
        } else {
            step.creates
                .ok_or_else(|| format!("{k} created by a step that creates nothing"))?
        };
        ensure!(
            new.status == S::Queued
                && new.version_number == 1
                && new.status_details.is_empty()
                && new.started_at.is_none()
                && new.step_deadline.is_none()
                && new.in_progress_deadline.is_none()
                && new.force_canceled.is_none()
                && new.queued_at == moment
                && new.last_updated_at == moment,
            "{k}: a new execution is not QUEUED v1 queued at {moment} with nothing else set: \
             {new:?}"
        );
        ensure!(
            pairs.insert((&new.job_id, &new.thing_name)),
            "two executions of {} on {} created in one step",
            new.job_id,
            new.thing_name
        );
        let highest = before
            .values()
            .filter(|o| o.job_id == new.job_id && o.thing_name == new.thing_name)
            .map(|o| o.execution_number)
            .max()
            .unwrap_or(0);
        ensure!(
            new.execution_number == highest + 1,
            "{k}: executionNumber {}, but the highest before was {highest}",
            new.execution_number
        );
        let row = row(None, Some(new.status), cause, false, sw)?;
        taken.push(Taken { row, execution: id });
    }
    Ok(taken)
}
