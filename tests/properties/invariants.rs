//! What must hold after every step, checked against the state before and after it, the
//! call's answer, and a few reads made on a copy of the service (probes).
//!
//! The invariants of one state, and those of a step that do not depend on what the step
//! was, are shared with the exhaustive exploration (`tests/common/invariants.rs`); this
//! file says what each kind of step may change and checks what is particular to it.
//!
//! [`Checker::step`] runs every check and names the first that fails. Beside the service
//! the checker keeps a little of its own bookkeeping (the targets of each job, the retries
//! each criterion has granted per thing), so that the retry and group-join rules are
//! checked against the decisions, not against the model's own counters.

use std::collections::{BTreeMap, BTreeSet};

use iot_jobs_spec::rules::{self, Cause};
use iot_jobs_spec::wire::{control, data};
use iot_jobs_spec::{
    Error, ExecutionRecord, JobExecutionStatus as S, JobStatus, Operation, Request, Response,
    RetryableFailureType, Service, TargetSelection,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::transitions::{self, criterion_for, Outcome};
use crate::common::invariants::{self, by_id, ensure, name, newest, Ids};

/// The execution a call names: `number`, else the newest.
fn named<'a>(
    ids: &'a Ids,
    job: &str,
    thing: &str,
    number: Option<i64>,
) -> Option<&'a ExecutionRecord> {
    match number {
        Some(n) => ids
            .values()
            .find(|e| e.job_id == job && e.thing_name == thing && e.execution_number == n),
        None => newest(ids, job, thing),
    }
}

fn thing_of_arn(arn: &str) -> Option<&str> {
    arn.rsplit_once(":thing/").map(|(_, n)| n)
}

fn group_of_arn(arn: &str) -> Option<&str> {
    arn.rsplit_once(":thinggroup/").map(|(_, n)| n)
}

/// What the checker remembers of a job it saw created.
#[derive(Clone, Debug)]
struct GhostJob {
    continuous: bool,
    things: BTreeSet<String>,
    groups: BTreeSet<String>,
    criteria: Vec<(RetryableFailureType, i32)>,
}

/// The checks, and the bookkeeping they need across steps.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    jobs: BTreeMap<String, GhostJob>,
    /// Retries granted per (job, thing, criterion) since the thing last became a target.
    spent: BTreeMap<(String, String, RetryableFailureType), i32>,
}

/// One step, seen from both sides.
struct Ctx<'a> {
    before: &'a Service,
    after: &'a Service,
    outcome: &'a Outcome,
    b: Ids,
    a: Ids,
    t0: u64,
    t1: u64,
}

impl Ctx<'_> {
    fn op(&self) -> Option<Operation> {
        self.outcome.call.as_ref().map(|c| c.op)
    }

    fn request(&self) -> Option<&Request> {
        self.outcome.call.as_ref().and_then(|c| c.request.as_ref())
    }

    fn response(&self) -> Option<&Response> {
        self.outcome
            .call
            .as_ref()
            .and_then(|c| c.result.as_ref().ok())
    }

    fn ok(&self) -> bool {
        self.response().is_some()
    }

    fn is_clock(&self) -> bool {
        self.outcome.call.is_none()
    }
}

fn is_read(op: Operation) -> bool {
    use Operation as O;
    matches!(
        op,
        O::DescribeJobExecution
            | O::GetPendingJobExecutions
            | O::ControlDescribeJobExecution
            | O::ListJobExecutionsForThing
            | O::ListJobExecutionsForJob
            | O::DescribeJob
    )
}

impl Checker {
    /// A checker for a fresh service.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks one step: `before` is the service before `outcome`, `after` the service
    /// after it. The first violated invariant, by name.
    pub fn step(
        &mut self,
        before: &Service,
        after: &Service,
        outcome: &Outcome,
    ) -> Result<(), String> {
        let ctx = Ctx {
            before,
            after,
            outcome,
            b: by_id(before),
            a: by_id(after),
            t0: before.now(),
            t1: after.now(),
        };
        let label = |name: &str, r: Result<(), String>| r.map_err(|e| format!("[{name}] {e}"));
        label("clock", clock(&ctx))?;
        label("refused and reads change nothing", unchanged(&ctx))?;
        label("round trip", round_trip(&ctx))?;
        label(
            "outcome agrees with decisions 8, 12, 13, 20-22",
            oracle(&ctx),
        )?;
        label(
            "executions change only as the table says",
            self.deltas(&ctx),
        )?;
        label("device changes", device(&ctx))?;
        label("retries", self.retries(&ctx))?;
        label("state", invariants::state(after))?;
        label("jobs", self.jobs(&ctx))?;
        label("reads agree with the state", probes(after))?;
        label("answer of a read", read_answers(&ctx))?;
        label(
            "notify and notify-next (decisions 24-26)",
            notifications(&ctx),
        )?;
        self.remember(&ctx);
        Ok(())
    }

    fn remember(&mut self, ctx: &Ctx) {
        if let (Some(Request::CreateJob(r)), true) = (ctx.request(), ctx.ok()) {
            self.jobs.insert(
                r.job_id.clone(),
                GhostJob {
                    continuous: r.target_selection == Some(TargetSelection::Continuous),
                    things: r
                        .targets
                        .iter()
                        .filter_map(|a| thing_of_arn(a))
                        .map(str::to_owned)
                        .collect(),
                    groups: r
                        .targets
                        .iter()
                        .filter_map(|a| group_of_arn(a))
                        .map(str::to_owned)
                        .collect(),
                    criteria: r
                        .job_executions_retry_config
                        .as_ref()
                        .map(|c| {
                            c.criteria_list
                                .iter()
                                .map(|c| (c.failure_type, c.number_of_retries))
                                .collect()
                        })
                        .unwrap_or_default(),
                },
            );
        }
    }

    fn is_target(&self, svc: &Service, job: &str, thing: &str) -> bool {
        self.jobs.get(job).is_some_and(|j| {
            j.things.contains(thing) || svc.groups_of(thing).iter().any(|g| j.groups.contains(g))
        })
    }

    /// Which executions change, how, by which cause of the transition table; which are
    /// created and deleted.
    fn deltas(&self, ctx: &Ctx) -> Result<(), String> {
        let sw = ctx.before.config().switches;
        let created: Vec<&ExecutionRecord> = ctx
            .a
            .values()
            .filter(|e| !ctx.b.contains_key(&e.creation_order))
            .collect();
        let changed: Vec<(&ExecutionRecord, &ExecutionRecord)> = ctx
            .a
            .values()
            .filter_map(|e| ctx.b.get(&e.creation_order).map(|old| (old, e)))
            .filter(|(old, new)| old != new)
            .collect();

        // Which executions this op may change, and by which cause and force.
        let req = ctx.request().filter(|_| ctx.ok());
        let may_change = |e: &ExecutionRecord| -> Option<(Cause, bool)> {
            if ctx.is_clock() {
                return e
                    .deadline()
                    .filter(|&d| d <= ctx.t1)
                    .map(|_| (Cause::Timer, false));
            }
            match req? {
                Request::UpdateJobExecution(r) => {
                    let target = named(&ctx.b, &r.job_id, &r.thing_name, r.execution_number)?;
                    (target.creation_order == e.creation_order)
                        .then_some((Cause::UpdateJobExecution, false))
                }
                Request::StartNextPendingJobExecution(r) => {
                    let head = ctx.before.pending_order(&r.thing_name).first().cloned()?;
                    (e.thing_name == r.thing_name && (e.job_id.clone(), e.execution_number) == head)
                        .then_some((Cause::StartNextPendingJobExecution, false))
                }
                Request::CancelJobExecution(r) => {
                    let target = newest(&ctx.b, &r.job_id, &r.thing_name)?;
                    (target.creation_order == e.creation_order)
                        .then_some((Cause::CancelJobExecution, r.force.unwrap_or(false)))
                }
                Request::CancelJob(r) => {
                    (e.job_id == r.job_id).then_some((Cause::CancelJob, r.force.unwrap_or(false)))
                }
                Request::DeleteThing(r) => {
                    (e.thing_name == r.thing_name).then_some((Cause::DeleteThing, false))
                }
                Request::RemoveThingFromThingGroup(_) => Some((Cause::ThingLeavesTargets, false)),
                _ => None,
            }
        };

        // Deletions, changes and creations are rows of the table with their effects
        // (shared with the exploration).
        let may_delete = |e: &ExecutionRecord| match req {
            Some(Request::DeleteJobExecution(r)) => (e.job_id == r.job_id
                && e.thing_name == r.thing_name
                && e.execution_number == r.execution_number)
                .then_some(r.force.unwrap_or(false)),
            _ => None,
        };
        let creates = match req {
            Some(Request::CreateJob(_)) => Some(Cause::CreateJob),
            Some(Request::AddThingToThingGroup(_)) => Some(Cause::ThingJoinsTargetGroup),
            _ => None,
        }
        .map(|cause| (cause, ctx.t0));
        let step = invariants::Step {
            now: ctx.t0,
            clock: ctx.is_clock(),
            may_change: &may_change,
            may_delete: &may_delete,
            creates,
            job_timer_at: None,
            switches: sw,
        };
        invariants::changes(&ctx.b, &ctx.a, &step)?;

        // Every timer that came due fired (decision 17).
        for e in ctx.b.values() {
            if let Some(d) = e.deadline() {
                if d <= ctx.t1 {
                    ensure!(
                        ctx.a
                            .get(&e.creation_order)
                            .is_some_and(|n| n.status == S::TimedOut),
                        "{}: its deadline {d} passed (clock {}) but it is not TIMED_OUT",
                        name(e),
                        ctx.t1
                    );
                }
            }
        }

        // Service-side removals and cancels change exactly what the decisions say.
        if let Some(req) = req {
            let expected: Option<BTreeSet<usize>> = match req {
                Request::CancelJob(r) => Some(
                    ctx.b
                        .values()
                        .filter(|e| e.job_id == r.job_id)
                        .filter(|e| {
                            e.status == S::Queued
                                || (e.status == S::InProgress && r.force == Some(true))
                        })
                        .map(|e| e.creation_order)
                        .collect(),
                ),
                Request::DeleteThing(r) => Some(
                    ctx.b
                        .values()
                        .filter(|e| e.thing_name == r.thing_name && e.status == S::Queued)
                        .map(|e| e.creation_order)
                        .collect(),
                ),
                Request::RemoveThingFromThingGroup(r) => {
                    let (g, t) = (
                        r.thing_group_name.clone().unwrap_or_default(),
                        r.thing_name.clone().unwrap_or_default(),
                    );
                    let was_member = ctx.before.groups_of(&t).contains(&g);
                    Some(
                        self.jobs
                            .iter()
                            .filter(|(_, j)| was_member && j.continuous && j.groups.contains(&g))
                            .filter(|(id, _)| !self.is_target(ctx.after, id, &t))
                            .filter_map(|(id, _)| newest(&ctx.b, id, &t))
                            .filter(|e| e.status == S::Queued)
                            .map(|e| e.creation_order)
                            .collect(),
                    )
                }
                _ => None,
            };
            if let Some(expected) = expected {
                let actual: BTreeSet<usize> =
                    changed.iter().map(|(o, _)| o.creation_order).collect();
                ensure!(
                    actual == expected,
                    "{:?} changed executions {actual:?}, the decisions say {expected:?}",
                    ctx.op()
                );
                for (_, new) in &changed {
                    let want = match req {
                        Request::CancelJob(_) => S::Canceled,
                        _ => S::Removed,
                    };
                    ensure!(
                        new.status == want,
                        "{}: became {}, not {want}",
                        name(new),
                        new.status
                    );
                }
            }
        }

        // CreateJob queues one execution per target thing (decision 2).
        if let (Some(Request::CreateJob(r)), true) = (ctx.request(), ctx.ok()) {
            let mut want = BTreeSet::new();
            for arn in &r.targets {
                if let Some(t) = thing_of_arn(arn) {
                    want.insert(t.to_owned());
                }
                if let Some(g) = group_of_arn(arn) {
                    for t in ctx.before.things() {
                        if ctx.before.groups_of(&t).iter().any(|x| x == g) {
                            want.insert(t);
                        }
                    }
                }
            }
            let got: BTreeSet<String> = created.iter().map(|e| e.thing_name.clone()).collect();
            ensure!(
                got == want
                    && created.len() == want.len()
                    && created.iter().all(|e| e.job_id == r.job_id),
                "CreateJob {} queued on {got:?}, its targets resolve to {want:?}",
                r.job_id
            );
        }

        // Joining a target group of a CONTINUOUS job queues an execution unless the thing's
        // newest execution of the job is pending (decision 2 as written: even when the thing
        // was a target already, directly or through another group).
        if let (Some(Request::AddThingToThingGroup(r)), true) = (ctx.request(), ctx.ok()) {
            let (g, t) = (
                r.thing_group_name.clone().unwrap_or_default(),
                r.thing_name.clone().unwrap_or_default(),
            );
            let joined = !ctx.before.groups_of(&t).contains(&g);
            let want: BTreeSet<String> = self
                .jobs
                .iter()
                .filter(|(_, j)| joined && j.continuous && j.groups.contains(&g))
                .filter(|(id, _)| {
                    ctx.before
                        .jobs()
                        .iter()
                        .any(|x| &x.job_id == *id && x.status == JobStatus::InProgress)
                })
                .filter(|(id, _)| newest(&ctx.b, id, &t).is_none_or(|e| e.status.is_terminal()))
                .map(|(id, _)| id.clone())
                .collect();
            let got: BTreeSet<String> = created.iter().map(|e| e.job_id.clone()).collect();
            ensure!(
                got == want && created.iter().all(|e| e.thing_name == t),
                "{t} joining {g} queued {got:?}, decision 2 says {want:?}"
            );
        }
        Ok(())
    }

    /// Decision 19: a FAILED or TIMED_OUT execution is retried at the same instant when its
    /// criterion has retries left; never otherwise, never beyond the budget.
    fn retries(&mut self, ctx: &Ctx) -> Result<(), String> {
        let created: Vec<&ExecutionRecord> = ctx
            .a
            .values()
            .filter(|e| !ctx.b.contains_key(&e.creation_order))
            .collect();
        // Joining a target group of a CONTINUOUS job starts its budgets afresh when it is a
        // rejoin (the thing had left every target), whether or not it queues an execution,
        // and when it queues one (details, retries: "a rejoin starts the budgets and
        // retryAttempt afresh").
        if let (Some(Request::AddThingToThingGroup(r)), true) = (ctx.request(), ctx.ok()) {
            let (g, t) = (
                r.thing_group_name.clone().unwrap_or_default(),
                r.thing_name.clone().unwrap_or_default(),
            );
            if !ctx.before.groups_of(&t).contains(&g) {
                let in_progress: BTreeSet<String> = ctx
                    .before
                    .jobs()
                    .into_iter()
                    .filter(|j| j.status == JobStatus::InProgress)
                    .map(|j| j.job_id)
                    .collect();
                let groups_before = ctx.before.groups_of(&t);
                let queued: BTreeSet<&str> = created.iter().map(|e| e.job_id.as_str()).collect();
                let reset: Vec<String> = self
                    .jobs
                    .iter()
                    .filter(|(id, j)| {
                        let was_target = j.things.contains(&t)
                            || groups_before.iter().any(|x| j.groups.contains(x));
                        j.continuous
                            && j.groups.contains(&g)
                            && in_progress.contains(*id)
                            && (!was_target || queued.contains(id.as_str()))
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                self.spent
                    .retain(|(j, x, _), _| !(x == &t && reset.contains(j)));
            }
            return Ok(());
        }
        let mut accounted = BTreeSet::new();
        for new in ctx.a.values() {
            let Some(old) = ctx.b.get(&new.creation_order) else {
                continue;
            };
            if old.status == new.status {
                continue;
            }
            let Some(failure) = new.status.failure_type() else {
                continue;
            };
            let k = name(new);
            let job_in_progress = ctx
                .before
                .jobs()
                .iter()
                .any(|j| j.job_id == new.job_id && j.status == JobStatus::InProgress);
            let ghost = self.jobs.get(&new.job_id).cloned();
            let criteria = ghost
                .as_ref()
                .map(|g| g.criteria.clone())
                .unwrap_or_default();
            let thing_exists = ctx.after.things().contains(&new.thing_name);
            let still_target = ghost.as_ref().is_some_and(|g| !g.continuous)
                || self.is_target(ctx.after, &new.job_id, &new.thing_name);
            let criterion = criterion_for(&criteria, failure);
            let due = match criterion {
                Some((kind, budget)) if job_in_progress && thing_exists && still_target => {
                    let spent = self
                        .spent
                        .get(&(new.job_id.clone(), new.thing_name.clone(), kind))
                        .copied()
                        .unwrap_or(0);
                    (spent < budget).then_some(kind)
                }
                _ => None,
            };
            let retry: Vec<&&ExecutionRecord> = created
                .iter()
                .filter(|e| e.job_id == new.job_id && e.thing_name == new.thing_name)
                .collect();
            match due {
                Some(kind) => {
                    ensure!(
                        retry.len() == 1,
                        "{k} ended {} with a retry due ({kind}), {} executions queued",
                        new.status,
                        retry.len()
                    );
                    let r = retry[0];
                    *self
                        .spent
                        .entry((new.job_id.clone(), new.thing_name.clone(), kind))
                        .or_default() += 1;
                    // retryAttempt: the retries made since the thing last became a target,
                    // this one included.
                    let attempt: i32 = self
                        .spent
                        .iter()
                        .filter(|((j, t, _), _)| j == &new.job_id && t == &new.thing_name)
                        .map(|(_, n)| n)
                        .sum();
                    ensure!(
                        r.retry_attempt == attempt && r.queued_at == new.last_updated_at,
                        "{k}: its retry {} has retryAttempt {} (want {attempt}) and queuedAt {} \
                         (want {})",
                        name(r),
                        r.retry_attempt,
                        r.queued_at,
                        new.last_updated_at
                    );
                    accounted.insert(r.creation_order);
                }
                None => ensure!(
                    retry.is_empty(),
                    "{k} ended {} with no retry due (criterion {criterion:?}, job in progress \
                     {job_in_progress}, thing exists {thing_exists}, still a target \
                     {still_target}, spent {:?}) but {} was queued",
                    new.status,
                    self.spent,
                    name(retry[0])
                ),
            }
        }
        if ctx.is_clock() || ctx.op() == Some(Operation::UpdateJobExecution) {
            if let Some(e) = created
                .iter()
                .find(|e| !accounted.contains(&e.creation_order))
            {
                return Err(format!(
                    "{} queued with no execution ending to retry",
                    name(e)
                ));
            }
        }
        // Never beyond the configuration.
        for ((j, t, kind), n) in &self.spent {
            let budget = self
                .jobs
                .get(j)
                .and_then(|g| g.criteria.iter().find(|(f, _)| f == kind))
                .map_or(0, |c| c.1);
            ensure!(
                *n <= budget,
                "{j} on {t}: {n} {kind} retries, budget {budget}"
            );
        }
        for e in ctx.a.values() {
            let total: i32 = self
                .jobs
                .get(&e.job_id)
                .map_or(0, |g| g.criteria.iter().map(|c| c.1).sum());
            ensure!(
                e.retry_attempt <= total,
                "{}: retryAttempt {} beyond the job's {total} retries",
                name(e),
                e.retry_attempt
            );
        }
        Ok(())
    }

    /// Decisions 21 and 23: how job statuses change (what a job's status may be in one
    /// state is a shared invariant, `invariants::jobs`).
    fn jobs(&self, ctx: &Ctx) -> Result<(), String> {
        let before: BTreeMap<String, JobStatus> = ctx
            .before
            .jobs()
            .into_iter()
            .map(|j| (j.job_id, j.status))
            .collect();
        for j in ctx.after.jobs() {
            if let Some(&old) = before.get(&j.job_id) {
                if old != j.status {
                    ensure!(
                        old == JobStatus::InProgress,
                        "job {} went {old} -> {}",
                        j.job_id,
                        j.status
                    );
                    if j.status == JobStatus::Canceled {
                        ensure!(
                            ctx.op() == Some(Operation::CancelJob) && ctx.ok(),
                            "job {} canceled by {:?}",
                            j.job_id,
                            ctx.op()
                        );
                    }
                }
            }
        }
        Ok(())
    }
}

/// Calls never move the clock; clock moves never go back.
fn clock(ctx: &Ctx) -> Result<(), String> {
    ensure!(
        ctx.t1 >= ctx.t0,
        "the clock went back: {} -> {}",
        ctx.t0,
        ctx.t1
    );
    if !ctx.is_clock() {
        ensure!(
            ctx.t1 == ctx.t0,
            "a call moved the clock {} -> {}",
            ctx.t0,
            ctx.t1
        );
        ensure!(
            ctx.outcome.at == ctx.t0,
            "the outcome's time {} is not {}",
            ctx.outcome.at,
            ctx.t0
        );
    }
    Ok(())
}

/// Decision 10 and the driver contract: a refused request, a read, and a StartNext with
/// nothing QUEUED at the head leave the service equal to before and publish nothing.
fn unchanged(ctx: &Ctx) -> Result<(), String> {
    let Some(call) = &ctx.outcome.call else {
        return Ok(());
    };
    let start_next_noop = match (&call.request, ctx.ok()) {
        (Some(Request::StartNextPendingJobExecution(r)), true) => {
            let head = ctx.before.pending_order(&r.thing_name).first().cloned();
            head.is_none_or(|(j, n)| {
                ctx.b.values().any(|e| {
                    e.job_id == j
                        && e.execution_number == n
                        && e.thing_name == r.thing_name
                        && e.status == S::InProgress
                })
            })
        }
        _ => false,
    };
    let same_group_membership = match (&call.request, ctx.ok()) {
        (Some(Request::AddThingToThingGroup(r)), true) => ctx
            .before
            .groups_of(r.thing_name.as_deref().unwrap_or(""))
            .contains(&r.thing_group_name.clone().unwrap_or_default()),
        (Some(Request::RemoveThingFromThingGroup(r)), true) => !ctx
            .before
            .groups_of(r.thing_name.as_deref().unwrap_or(""))
            .contains(&r.thing_group_name.clone().unwrap_or_default()),
        _ => false,
    };
    if call.result.is_err() || is_read(call.op) || start_next_noop || same_group_membership {
        ensure!(
            ctx.before == ctx.after,
            "{} ({}) changed the service",
            call.op,
            match &call.result {
                Ok(_) => "answered".to_owned(),
                Err(e) => format!("refused: {e}"),
            }
        );
        ensure!(
            ctx.outcome.messages.is_empty(),
            "{} published {:?}",
            call.op,
            ctx.outcome.messages
        );
    }
    Ok(())
}

fn typed_round_trip<T>(value: &T) -> Result<(), String>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let back: T = serde_json::from_value(json.clone()).map_err(|e| format!("{e}: {json}"))?;
    ensure!(
        &back == value,
        "{json} reads back as {back:?}, not {value:?}"
    );
    let again = serde_json::to_value(&back).map_err(|e| e.to_string())?;
    ensure!(again == json, "{json} writes back as {again}");
    Ok(())
}

fn response_round_trip(r: &Response) -> Result<(), String> {
    use Response as R;
    match r {
        R::DescribeJobExecution(x) => typed_round_trip(x),
        R::GetPendingJobExecutions(x) => typed_round_trip(x),
        R::StartNextPendingJobExecution(x) => typed_round_trip(x),
        R::UpdateJobExecution(x) => typed_round_trip(x),
        R::CreateThing(x) => typed_round_trip(x),
        R::DeleteThing(x) => typed_round_trip(x),
        R::CreateThingGroup(x) => typed_round_trip(x),
        R::AddThingToThingGroup(x) => typed_round_trip(x),
        R::RemoveThingFromThingGroup(x) => typed_round_trip(x),
        R::CreateJob(x) => typed_round_trip(x),
        R::CancelJob(x) => typed_round_trip(x),
        R::CancelJobExecution(x) => typed_round_trip(x),
        R::DeleteJobExecution(x) => typed_round_trip(x),
        R::ControlDescribeJobExecution(x) => typed_round_trip(x),
        R::ListJobExecutionsForThing(x) => typed_round_trip(x),
        R::ListJobExecutionsForJob(x) => typed_round_trip(x),
        R::DescribeJob(x) => typed_round_trip(x),
        R::DeleteJob(x) => typed_round_trip(x),
        R::GetJobDocument(x) => typed_round_trip(x),
        R::ListJobs(x) => typed_round_trip(x),
        R::DescribeThing(x) => typed_round_trip(x),
        R::UpdateJob(x) => typed_round_trip(x),
        R::AssociateTargetsWithJob(x) => typed_round_trip(x),
    }?;
    ensure!(
        serde_json::to_value(r).ok() == Some(r.to_json()),
        "to_json differs from serde"
    );
    Ok(())
}

/// Every request and response survives to_json then decode / deserialize.
fn round_trip(ctx: &Ctx) -> Result<(), String> {
    let Some(call) = &ctx.outcome.call else {
        return Ok(());
    };
    if let Some(req) = &call.request {
        ensure!(req.operation() == call.op, "decoded as {}", req.operation());
        let json = req.to_json();
        let back = Request::decode(call.op, &json).map_err(|e| format!("{json}: {e}"))?;
        ensure!(&back == req, "{json} decodes to {back:?}, not {req:?}");
        ensure!(back.to_json() == json, "{json} re-encodes differently");
    }
    match &call.result {
        Ok(r) => {
            ensure!(
                r.operation() == call.op,
                "{} answered as {}",
                call.op,
                r.operation()
            );
            response_round_trip(r)?;
        }
        Err(Error::Service(e)) => {
            let json = serde_json::to_value(e).map_err(|e| e.to_string())?;
            ensure!(json["code"] == json!(e.code.as_str()), "error body {json}");
            let state = match json.get("executionState") {
                None => None,
                Some(v) => Some(
                    serde_json::from_value::<data::JobExecutionState>(v.clone())
                        .map_err(|x| format!("{x}: {v}"))?,
                ),
            };
            ensure!(
                state == e.execution_state,
                "executionState {json} does not read back"
            );
            if let Some(s) = &e.execution_state {
                typed_round_trip(s)?;
            }
        }
        Err(Error::NotModelled(_)) => {}
    }
    Ok(())
}

fn details_ok(d: &BTreeMap<String, String>) -> bool {
    d.iter().all(|(k, v)| {
        (1..=128).contains(&k.chars().count())
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || ":_-".contains(c))
            && (1..=1024).contains(&v.chars().count())
            && v.chars().all(|c| !c.is_control())
    })
}

fn thing_name_ok(t: &str) -> bool {
    (1..=128).contains(&t.chars().count())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || ":_-".contains(c))
}

fn job_id_ok(j: &str) -> bool {
    (1..=64).contains(&j.chars().count())
        && j.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
}

fn step_ok(m: Option<i64>, allow_cancel: bool) -> bool {
    m.is_none_or(|m| (1..=10_080).contains(&m) || (allow_cancel && m == -1))
}

/// The answer decisions 8, 12, 20, 21 and 22 give for the call, from the state before:
/// `Ok(())` or the error code, and whether it carries `executionState`.
fn expected_answer(ctx: &Ctx) -> Option<Result<(), (&'static str, bool)>> {
    const BAD: &str = "InvalidRequestException";
    const NF: &str = "ResourceNotFoundException";
    const IST: &str = "InvalidStateTransitionException";
    let sw = ctx.before.config().switches;
    let things = ctx.before.things();
    let jobs: BTreeMap<String, JobStatus> = ctx
        .before
        .jobs()
        .into_iter()
        .map(|j| (j.job_id, j.status))
        .collect();
    let thing_ok = |t: &str| things.iter().any(|x| x == t);
    let e = |code: &'static str| Some(Err((code, false)));
    match ctx.request()? {
        Request::UpdateJobExecution(r) => {
            if !job_id_ok(&r.job_id) || !thing_name_ok(&r.thing_name) {
                return e(BAD);
            }
            if r.status_details.as_ref().is_some_and(|d| !details_ok(d))
                || !step_ok(r.step_timeout_in_minutes, true)
            {
                return e(BAD);
            }
            if !thing_ok(&r.thing_name) || !jobs.contains_key(&r.job_id) {
                return e(NF);
            }
            let Some(x) = named(&ctx.b, &r.job_id, &r.thing_name, r.execution_number) else {
                return e(NF);
            };
            if r.expected_version.is_some_and(|v| v != x.version_number) {
                return Some(Err((IST, true)));
            }
            if rules::device_update(x.status, r.status, &sw).is_err() {
                return Some(Err((IST, true)));
            }
            if r.step_timeout_in_minutes == Some(-1) && x.step_deadline.is_none() {
                return e(BAD);
            }
            Some(Ok(()))
        }
        Request::StartNextPendingJobExecution(r) => {
            if !thing_name_ok(&r.thing_name)
                || r.status_details.as_ref().is_some_and(|d| !details_ok(d))
                || !step_ok(r.step_timeout_in_minutes, false)
            {
                return e(BAD);
            }
            if !thing_ok(&r.thing_name) {
                return e(NF);
            }
            Some(Ok(()))
        }
        Request::CancelJobExecution(r) => {
            if !job_id_ok(&r.job_id)
                || !thing_name_ok(&r.thing_name)
                || r.status_details
                    .as_ref()
                    .is_some_and(|d| !details_ok(d) || d.len() > 10)
            {
                return e(BAD);
            }
            if !thing_ok(&r.thing_name) || !jobs.contains_key(&r.job_id) {
                return e(NF);
            }
            let Some(x) = newest(&ctx.b, &r.job_id, &r.thing_name) else {
                return e(NF);
            };
            if r.expected_version.is_some_and(|v| v != x.version_number) {
                return e("VersionConflictException");
            }
            let force = r.force.unwrap_or(false);
            if rules::permits(
                Some(x.status),
                Some(S::Canceled),
                Cause::CancelJobExecution,
                force,
                &sw,
            )
            .is_none()
            {
                return e(IST);
            }
            Some(Ok(()))
        }
        Request::DeleteJobExecution(r) => {
            if !job_id_ok(&r.job_id) || !thing_name_ok(&r.thing_name) {
                return e(BAD);
            }
            if !thing_ok(&r.thing_name) || !jobs.contains_key(&r.job_id) {
                return e(NF);
            }
            let Some(x) = named(&ctx.b, &r.job_id, &r.thing_name, Some(r.execution_number)) else {
                return e(NF);
            };
            let force = r.force.unwrap_or(false);
            if rules::permits(Some(x.status), None, Cause::DeleteJobExecution, force, &sw).is_none()
            {
                return e(IST);
            }
            Some(Ok(()))
        }
        Request::CancelJob(r) if !job_id_ok(&r.job_id) => e(BAD),
        Request::CancelJob(r) => match jobs.get(&r.job_id) {
            None => e(NF),
            Some(JobStatus::InProgress) => Some(Ok(())),
            Some(_) => e(BAD),
        },
        Request::DescribeJobExecution(r) => {
            if !thing_name_ok(&r.thing_name) || !(r.job_id == "$next" || job_id_ok(&r.job_id)) {
                return e(BAD);
            }
            if !thing_ok(&r.thing_name) {
                return e(NF);
            }
            if r.job_id == "$next" {
                return Some(Ok(()));
            }
            if !jobs.contains_key(&r.job_id) {
                return e(NF);
            }
            match named(&ctx.b, &r.job_id, &r.thing_name, r.execution_number) {
                None => e(NF),
                Some(x) if x.status.is_terminal() => e("TerminalStateException"),
                Some(_) => Some(Ok(())),
            }
        }
        _ => None,
    }
}

/// The outcome of every device call, cancel and delete is the one the decisions give.
fn oracle(ctx: &Ctx) -> Result<(), String> {
    let Some(call) = &ctx.outcome.call else {
        return Ok(());
    };
    let Some(want) = expected_answer(ctx) else {
        return Ok(());
    };
    match (&want, &call.result) {
        (Ok(()), Ok(_)) => Ok(()),
        (Err((code, with_state)), Err(Error::Service(e))) => {
            ensure!(
                e.code.as_str() == *code,
                "{} {}: {} ({}), decisions say {code}",
                call.op,
                call.input,
                e.code,
                e.message
            );
            ensure!(
                e.execution_state.is_some() == *with_state,
                "{} {}: {} carries executionState {:?}, decisions say {}",
                call.op,
                call.input,
                e.code,
                e.execution_state,
                if *with_state {
                    "it must"
                } else {
                    "it must not"
                }
            );
            if let (Some(s), Some(Request::UpdateJobExecution(r))) =
                (&e.execution_state, &call.request)
            {
                let x = named(&ctx.b, &r.job_id, &r.thing_name, r.execution_number)
                    .ok_or("executionState for no execution")?;
                ensure!(
                    s.status == Some(x.status)
                        && s.version_number == Some(x.version_number)
                        && s.status_details.clone().unwrap_or_default() == x.status_details,
                    "executionState {s:?} is not the execution's {x:?}"
                );
            }
            Ok(())
        }
        (want, got) => Err(format!(
            "{} {}: got {}, decisions say {}",
            call.op,
            call.input,
            match got {
                Ok(r) => format!("success {}", r.to_json()),
                Err(e) => e.to_string(),
            },
            match want {
                Ok(()) => "success".to_owned(),
                Err((c, _)) => c.to_string(),
            }
        )),
    }
}

/// What an accepted UpdateJobExecution and StartNext do to their execution (decisions 10,
/// 11, 12, 15, 16).
fn device(ctx: &Ctx) -> Result<(), String> {
    let (Some(req), Some(resp)) = (ctx.request(), ctx.response()) else {
        return Ok(());
    };
    let job_minutes = |job: &str| {
        ctx.before
            .jobs()
            .into_iter()
            .find(|j| j.job_id == job)
            .and_then(|j| j.in_progress_timeout_in_minutes)
    };
    let now = ctx.t0;
    let check_started = |old: &ExecutionRecord, new: &ExecutionRecord, step: Option<i64>| {
        let k = name(new);
        if new.status == S::InProgress {
            let first = old.started_at.is_none();
            ensure!(
                new.started_at == if first { Some(now) } else { old.started_at },
                "{k}: startedAt {:?} (was {:?}, now {now})",
                new.started_at,
                old.started_at
            );
            let want_ip = match (first, job_minutes(&new.job_id)) {
                (true, Some(m)) => Some(now + 60 * m as u64),
                _ => old.in_progress_deadline,
            };
            ensure!(
                new.in_progress_deadline == want_ip,
                "{k}: in-progress deadline {:?}, want {want_ip:?}",
                new.in_progress_deadline
            );
            let want_step = match step {
                Some(-1) => None,
                Some(m) => Some(now + 60 * m as u64),
                None => old.step_deadline,
            };
            ensure!(
                new.step_deadline == want_step,
                "{k}: step deadline {:?}, want {want_step:?} (stepTimeoutInMinutes {step:?})",
                new.step_deadline
            );
        } else {
            ensure!(
                new.started_at == old.started_at,
                "{k}: startedAt moved on a change to {}",
                new.status
            );
        }
        Ok(())
    };
    match (req, resp) {
        (Request::UpdateJobExecution(r), Response::UpdateJobExecution(out)) => {
            let old = named(&ctx.b, &r.job_id, &r.thing_name, r.execution_number)
                .ok_or("accepted update of no execution")?;
            let new = ctx
                .a
                .get(&old.creation_order)
                .ok_or("updated execution vanished")?;
            let k = name(new);
            ensure!(
                new.status == r.status,
                "{k}: {} after asking {}",
                new.status,
                r.status
            );
            ensure!(
                new.version_number == old.version_number + 1,
                "{k}: accepted update took versionNumber {} -> {}",
                old.version_number,
                new.version_number
            );
            let want_details = r
                .status_details
                .clone()
                .unwrap_or(old.status_details.clone());
            ensure!(
                new.status_details == want_details,
                "{k}: statusDetails {:?}, want {want_details:?}",
                new.status_details
            );
            check_started(old, new, r.step_timeout_in_minutes)?;
            let want_state =
                r.include_job_execution_state
                    .unwrap_or(false)
                    .then(|| data::JobExecutionState {
                        status: Some(new.status),
                        status_details: (!new.status_details.is_empty())
                            .then(|| new.status_details.clone()),
                        version_number: Some(new.version_number),
                    });
            ensure!(
                out.execution_state == want_state,
                "{k}: executionState {:?}, want {want_state:?}",
                out.execution_state
            );
        }
        (Request::StartNextPendingJobExecution(r), Response::StartNextPendingJobExecution(out)) => {
            let head = ctx.before.pending_order(&r.thing_name).first().cloned();
            let Some((j, n)) = head else {
                ensure!(
                    out.execution.is_none(),
                    "StartNext with nothing pending answered {out:?}"
                );
                return Ok(());
            };
            let old = named(&ctx.b, &j, &r.thing_name, Some(n)).ok_or("head is no execution")?;
            let new = ctx.a.get(&old.creation_order).ok_or("head vanished")?;
            let x = out
                .execution
                .as_ref()
                .ok_or("StartNext answered no execution")?;
            ensure!(
                x.job_id.as_deref() == Some(j.as_str())
                    && x.execution_number == Some(n)
                    && x.status == Some(S::InProgress)
                    && x.version_number == Some(new.version_number)
                    && x.job_document.is_some(),
                "StartNext answered {x:?} for head {}",
                name(new)
            );
            if old.status == S::Queued {
                ensure!(
                    new.status == S::InProgress && new.version_number == old.version_number + 1,
                    "{}: StartNext of a QUEUED head gave {} v{}",
                    name(new),
                    new.status,
                    new.version_number
                );
                let want_details = r
                    .status_details
                    .clone()
                    .unwrap_or(old.status_details.clone());
                ensure!(
                    new.status_details == want_details,
                    "{}: statusDetails",
                    name(new)
                );
                check_started(old, new, r.step_timeout_in_minutes)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn decode_call(svc: &mut Service, op: Operation, input: Value) -> Result<Value, Value> {
    let c = transitions::call(svc, op, input);
    c.answer()
}

/// Reads made on a copy after every step: GetPending and `$next` agree with the pending
/// order; data-plane Describe of each execution agrees with its record, and its
/// approximateSecondsBeforeTimedOut is deadline − now; the control-plane Describe too. The
/// copy is still equal to the service afterwards.
pub fn probes(svc: &Service) -> Result<(), String> {
    let mut p = svc.clone();
    let now = svc.now();
    let execs = svc.executions();
    for t in svc.things() {
        thing_list_probe(&mut p, &t, &execs)?;
        let order = svc.pending_order(&t);
        let got = decode_call(
            &mut p,
            Operation::GetPendingJobExecutions,
            json!({"thingName": t}),
        )
        .map_err(|e| format!("GetPending {t}: {e}"))?;
        let listed: Vec<(String, i64)> = ["inProgressJobs", "queuedJobs"]
            .iter()
            .flat_map(|k| got[k].as_array().cloned().unwrap_or_default())
            .map(|s| {
                (
                    s["jobId"].as_str().unwrap_or("").to_owned(),
                    s["executionNumber"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        let first10: Vec<(String, i64)> = order.iter().take(10).cloned().collect();
        ensure!(
            listed == first10,
            "GetPending {t} lists {listed:?}, the first 10 of the pending order are {first10:?}"
        );
        let next = decode_call(
            &mut p,
            Operation::DescribeJobExecution,
            json!({"thingName": t, "jobId": "$next"}),
        )
        .map_err(|e| format!("Describe $next {t}: {e}"))?;
        let head = next.get("execution").map(|x| {
            (
                x["jobId"].as_str().unwrap_or("").to_owned(),
                x["executionNumber"].as_i64().unwrap_or(0),
            )
        });
        ensure!(
            head == order.first().cloned(),
            "Describe $next on {t} gives {head:?}, the head is {:?}",
            order.first()
        );
        for e in execs.iter().filter(|e| e.thing_name == t) {
            let k = name(e);
            let input =
                json!({"thingName": t, "jobId": e.job_id, "executionNumber": e.execution_number});
            let d = decode_call(&mut p, Operation::DescribeJobExecution, input.clone());
            if e.status.is_terminal() {
                let code = d.err().map(|v| v["code"].clone());
                ensure!(
                    code == Some(json!("TerminalStateException")),
                    "{k}: data-plane Describe of a {} execution gives {code:?}",
                    e.status
                );
            } else {
                let d = d.map_err(|x| format!("{k}: data-plane Describe: {x}"))?;
                let x = &d["execution"];
                let secs = e.deadline().map(|dl| json!(dl - now));
                ensure!(
                    x.get("approximateSecondsBeforeTimedOut") == secs.as_ref(),
                    "{k}: approximateSecondsBeforeTimedOut {:?}, deadline − now is {secs:?}",
                    x.get("approximateSecondsBeforeTimedOut")
                );
                let details = (!e.status_details.is_empty()).then(|| json!(e.status_details));
                ensure!(
                    x["status"] == json!(e.status.as_str())
                        && x["versionNumber"] == json!(e.version_number)
                        && x["queuedAt"] == json!(e.queued_at)
                        && x["lastUpdatedAt"] == json!(e.last_updated_at)
                        && x.get("startedAt") == e.started_at.map(|s| json!(s)).as_ref()
                        && x.get("statusDetails") == details.as_ref()
                        && x["thingName"] == json!(t)
                        && x.get("jobDocument").is_some(),
                    "{k}: data-plane Describe gives {x}, the record is {e:?}"
                );
            }
            let c = decode_call(&mut p, Operation::ControlDescribeJobExecution, input)
                .map_err(|x| format!("{k}: control-plane Describe: {x}"))?;
            let c = &c["execution"];
            let secs = e.deadline().map(|dl| json!(dl - now));
            ensure!(
                c["status"] == json!(e.status.as_str())
                    && c["versionNumber"] == json!(e.version_number)
                    && c.get("forceCanceled") == e.force_canceled.map(|f| json!(f)).as_ref()
                    && c.get("approximateSecondsBeforeTimedOut") == secs.as_ref()
                    && c["lastUpdatedAt"] == json!(e.last_updated_at),
                "{k}: control-plane Describe gives {c}, the record is {e:?}"
            );
        }
    }
    for j in svc.jobs() {
        list_probes(&mut p, svc, &j.job_id, &execs)?;
    }
    ensure!(&p == svc, "probing reads changed the service");
    Ok(())
}

/// A List call's summaries, following nextToken with pages of `max` (all at once when
/// `None`).
fn list_all(
    p: &mut Service,
    op: Operation,
    input: Value,
    max: Option<i32>,
) -> Result<Vec<Value>, String> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..1000 {
        let mut i = input.clone();
        if let Some(m) = max {
            i["maxResults"] = json!(m);
        }
        if let Some(t) = &token {
            i["nextToken"] = json!(t);
        }
        let page = decode_call(p, op, i.clone()).map_err(|e| format!("{} {i}: {e}", op.name()))?;
        let items = page["executionSummaries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(m) = max {
            ensure!(
                items.len() <= m as usize,
                "{} {i}: {} items on a page of {m}",
                op.name(),
                items.len()
            );
        }
        all.extend(items);
        match page.get("nextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_owned()),
            None => return Ok(all),
        }
    }
    Err(format!("{} never ends", op.name()))
}

fn summary_matches(s: &Value, e: &ExecutionRecord) -> bool {
    s["status"] == json!(e.status.as_str())
        && s["executionNumber"] == json!(e.execution_number)
        && s["retryAttempt"] == json!(e.retry_attempt)
        && s["queuedAt"] == json!(e.queued_at)
        && s["lastUpdatedAt"] == json!(e.last_updated_at)
        && s.get("startedAt") == e.started_at.map(|t| json!(t)).as_ref()
}

/// DescribeJob's status and per-status counts of each thing's newest execution; the List
/// calls list every execution oldest first, whole or page by page.
fn list_probes(
    p: &mut Service,
    svc: &Service,
    job: &str,
    execs: &[ExecutionRecord],
) -> Result<(), String> {
    let d = decode_call(p, Operation::DescribeJob, json!({"jobId": job}))
        .map_err(|e| format!("DescribeJob {job}: {e}"))?;
    let record = svc
        .jobs()
        .into_iter()
        .find(|j| j.job_id == job)
        .ok_or("no such job")?;
    ensure!(
        d["job"]["status"] == json!(record.status.to_string()),
        "DescribeJob {job}: status {}, the record says {}",
        d["job"]["status"],
        record.status
    );
    if record.status == JobStatus::Completed {
        ensure!(
            d["job"].get("completedAt").is_some(),
            "DescribeJob {job}: COMPLETED without completedAt"
        );
    }
    let mut newest: BTreeMap<&str, &ExecutionRecord> = BTreeMap::new();
    for e in execs.iter().filter(|e| e.job_id == job) {
        newest.insert(&e.thing_name, e); // creation order: the last one wins
    }
    let names = [
        ("numberOfCanceledThings", S::Canceled),
        ("numberOfSucceededThings", S::Succeeded),
        ("numberOfFailedThings", S::Failed),
        ("numberOfRejectedThings", S::Rejected),
        ("numberOfQueuedThings", S::Queued),
        ("numberOfInProgressThings", S::InProgress),
        ("numberOfRemovedThings", S::Removed),
        ("numberOfTimedOutThings", S::TimedOut),
    ];
    for (member, status) in names {
        let want = newest.values().filter(|e| e.status == status).count();
        let got = &d["job"]["jobProcessDetails"][member];
        ensure!(
            *got == json!(want),
            "DescribeJob {job}: {member} is {got}, {want} things' newest execution is {status}"
        );
    }
    let of_job: Vec<&ExecutionRecord> = execs.iter().filter(|e| e.job_id == job).collect();
    for max in [None, Some(2)] {
        let listed = list_all(
            p,
            Operation::ListJobExecutionsForJob,
            json!({"jobId": job}),
            max,
        )?;
        ensure!(
            listed.len() == of_job.len()
                && listed.iter().zip(&of_job).all(|(s, e)| {
                    let thing = s["thingArn"].as_str().and_then(thing_of_arn);
                    summary_matches(&s["jobExecutionSummary"], e)
                        && thing == Some(e.thing_name.as_str())
                }),
            "ListJobExecutionsForJob {job} (maxResults {max:?}) lists {listed:?}, \
             the executions are {of_job:?}"
        );
    }
    Ok(())
}

/// ListJobExecutionsForThing lists the thing's executions of every job, oldest first.
fn thing_list_probe(p: &mut Service, thing: &str, execs: &[ExecutionRecord]) -> Result<(), String> {
    let of_thing: Vec<&ExecutionRecord> = execs.iter().filter(|e| e.thing_name == thing).collect();
    for max in [None, Some(2)] {
        let listed = list_all(
            p,
            Operation::ListJobExecutionsForThing,
            json!({"thingName": thing}),
            max,
        )?;
        ensure!(
            listed.len() == of_thing.len()
                && listed.iter().zip(&of_thing).all(|(s, e)| {
                    summary_matches(&s["jobExecutionSummary"], e) && s["jobId"] == json!(e.job_id)
                }),
            "ListJobExecutionsForThing {thing} (maxResults {max:?}) lists {listed:?}, \
             the executions are {of_thing:?}"
        );
    }
    Ok(())
}

/// The answers of reads the scenario itself made agree with the state before them.
fn read_answers(ctx: &Ctx) -> Result<(), String> {
    let (Some(req), Some(resp)) = (ctx.request(), ctx.response()) else {
        return Ok(());
    };
    match (req, resp) {
        (Request::DescribeJobExecution(r), Response::DescribeJobExecution(out)) => {
            if r.job_id == "$next" {
                let head = ctx.before.pending_order(&r.thing_name).first().cloned();
                let got = out.execution.as_ref().map(|x| {
                    (
                        x.job_id.clone().unwrap_or_default(),
                        x.execution_number.unwrap_or(0),
                    )
                });
                ensure!(got == head, "$next answered {got:?}, the head is {head:?}");
            }
            if let Some(x) = &out.execution {
                let include = r.include_job_document.unwrap_or(true);
                ensure!(
                    x.job_document.is_some() == include,
                    "jobDocument present {} with includeJobDocument {:?}",
                    x.job_document.is_some(),
                    r.include_job_document
                );
                let e = named(
                    &ctx.b,
                    x.job_id.as_deref().unwrap_or(""),
                    &r.thing_name,
                    x.execution_number,
                )
                .ok_or("described an execution that does not exist")?;
                let secs = e.deadline().map(|d| d - ctx.t0);
                ensure!(
                    x.approximate_seconds_before_timed_out == secs,
                    "{}: approximateSecondsBeforeTimedOut {:?}, deadline − now is {secs:?}",
                    name(e),
                    x.approximate_seconds_before_timed_out
                );
            }
        }
        (Request::GetPendingJobExecutions(r), Response::GetPendingJobExecutions(out)) => {
            let order: Vec<(String, i64)> = ctx
                .before
                .pending_order(&r.thing_name)
                .into_iter()
                .take(10)
                .collect();
            let listed: Vec<(String, i64)> = out
                .in_progress_jobs
                .iter()
                .chain(&out.queued_jobs)
                .map(|s| {
                    (
                        s.job_id.clone().unwrap_or_default(),
                        s.execution_number.unwrap_or(0),
                    )
                })
                .collect();
            ensure!(
                listed == order,
                "GetPending listed {listed:?}, the order is {order:?}"
            );
        }
        (Request::ControlDescribeJobExecution(r), Response::ControlDescribeJobExecution(out)) => {
            let e = named(&ctx.b, &r.job_id, &r.thing_name, r.execution_number)
                .ok_or("described an execution that does not exist")?;
            let want: control::ControlJobExecution = out.execution.clone();
            ensure!(
                want.execution_number == e.execution_number && want.status == e.status,
                "control Describe answered {want:?} for {e:?}"
            );
        }
        _ => {}
    }
    Ok(())
}

fn pending_ids(ids: &Ids, thing: &str) -> BTreeSet<usize> {
    ids.values()
        .filter(|e| e.thing_name == thing && e.status.is_pending())
        .map(|e| e.creation_order)
        .collect()
}

fn head_id(svc: &Service, ids: &Ids, thing: &str) -> Option<usize> {
    let (j, n) = svc.pending_order(thing).first().cloned()?;
    named(ids, &j, thing, Some(n)).map(|e| e.creation_order)
}

/// Decisions 24 to 26. For a call: one `notify` for each thing whose pending set changed
/// membership, one `notify-next` for each thing whose head changed, `notify` first, both
/// stamped now and showing the state after. For a clock move: one `notify` per execution
/// that timed out, stamped with a deadline that passed.
fn notifications(ctx: &Ctx) -> Result<(), String> {
    let msgs = &ctx.outcome.messages;
    let mut things: BTreeSet<String> = ctx.b.values().map(|e| e.thing_name.clone()).collect();
    things.extend(ctx.a.values().map(|e| e.thing_name.clone()));
    let topic = |t: &str, kind: &str| format!("$aws/things/{t}/jobs/{kind}");
    let mut expected_total = 0;
    for t in &things {
        let notify: Vec<(usize, Value)> = msgs
            .iter()
            .enumerate()
            .filter(|(_, m)| m.topic == topic(t, "notify"))
            .map(|(i, m)| (i, m.payload.to_json()))
            .collect();
        let next: Vec<(usize, Value)> = msgs
            .iter()
            .enumerate()
            .filter(|(_, m)| m.topic == topic(t, "notify-next"))
            .map(|(i, m)| (i, m.payload.to_json()))
            .collect();
        let (pb, pa) = (pending_ids(&ctx.b, t), pending_ids(&ctx.a, t));
        let (hb, ha) = (
            head_id(ctx.before, &ctx.b, t),
            head_id(ctx.after, &ctx.a, t),
        );
        if ctx.is_clock() {
            let fired: Vec<u64> = ctx
                .b
                .values()
                .filter(|e| e.thing_name == *t)
                .filter_map(|e| e.deadline().filter(|&d| d <= ctx.t1))
                .collect();
            ensure!(
                notify.len() == fired.len(),
                "{t}: {} timers fired, {} notify published",
                fired.len(),
                notify.len()
            );
            for (_, p) in notify.iter().chain(&next) {
                ensure!(
                    fired.iter().any(|d| p["timestamp"] == json!(d)),
                    "{t}: a message stamped {} when its timers fired at {fired:?}",
                    p["timestamp"]
                );
            }
            ensure!(
                next.len() <= fired.len(),
                "{t}: more notify-next than timers"
            );
            if ha != hb {
                ensure!(!next.is_empty(), "{t}: the head changed, no notify-next");
            }
            expected_total += notify.len() + next.len();
            continue;
        }
        let want_notify = usize::from(pb != pa);
        let want_next = usize::from(hb != ha);
        expected_total += want_notify + want_next;
        ensure!(
            notify.len() == want_notify,
            "{t}: {} notify published; pending set {pb:?} -> {pa:?}",
            notify.len()
        );
        ensure!(
            next.len() == want_next,
            "{t}: {} notify-next published; head {hb:?} -> {ha:?}",
            next.len()
        );
        if let (Some((i, _)), Some((k, _))) = (notify.first(), next.first()) {
            ensure!(i < k, "{t}: notify-next before notify");
        }
        let order = ctx.after.pending_order(t);
        if let Some((_, p)) = notify.first() {
            ensure!(
                p["timestamp"] == json!(ctx.t0),
                "{t}: notify stamped {}",
                p["timestamp"]
            );
            let mut listed = Vec::new();
            for (status, list) in p["jobs"].as_object().ok_or("notify without jobs")? {
                let list = list.as_array().ok_or("notify jobs not a list")?;
                ensure!(!list.is_empty(), "{t}: notify lists an empty {status}");
                for s in list {
                    let j = s["jobId"].as_str().unwrap_or("");
                    let n = s["executionNumber"].as_i64().unwrap_or(0);
                    let e = named(&ctx.a, j, t, Some(n)).ok_or("notify lists no execution")?;
                    ensure!(
                        *status == e.status.as_str()
                            && s["versionNumber"] == json!(e.version_number),
                        "{t}: notify lists {s} under {status}, the record is {e:?}"
                    );
                    listed.push((e.status != S::InProgress, j.to_owned(), n));
                }
            }
            listed.sort_by_key(|x| x.0);
            let listed: Vec<(String, i64)> = listed.into_iter().map(|(_, j, n)| (j, n)).collect();
            let first10: Vec<(String, i64)> = order.iter().take(10).cloned().collect();
            ensure!(
                listed == first10,
                "{t}: notify lists {listed:?}, the pending order is {first10:?}"
            );
        }
        if let Some((_, p)) = next.first() {
            ensure!(
                p["timestamp"] == json!(ctx.t0),
                "{t}: notify-next stamped {}",
                p["timestamp"]
            );
            let got = p.get("execution").map(|x| {
                (
                    x["jobId"].as_str().unwrap_or("").to_owned(),
                    x["executionNumber"].as_i64().unwrap_or(0),
                )
            });
            ensure!(
                got == order.first().cloned(),
                "{t}: notify-next carries {got:?}, the head is {:?}",
                order.first()
            );
            if let Some(x) = p.get("execution") {
                ensure!(
                    x.get("jobDocument").is_some() && x.get("thingName").is_none(),
                    "{t}: notify-next execution {x}: jobDocument, and no thingName over MQTT"
                );
            }
        }
    }
    ensure!(
        msgs.len() == expected_total,
        "{} messages published, {expected_total} accounted for: {msgs:?}",
        msgs.len()
    );
    Ok(())
}
