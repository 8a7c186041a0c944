//! The transition table: every way a job execution changes status, as data.
//!
//! This table is the one place the transition rules live. The model asks it ([`decide`])
//! for every change of status, in one place (its `transition`, which also records the row
//! and applies its effects); `iot-jobs-spec rules` prints it (docs/rules.md is that
//! output); the tests check the model against it. Each row names its decision
//! ([`crate::decisions::DecisionId`]) and evidence grade.

use serde::Serialize;
use strum::{Display, EnumIter, IntoStaticStr};

use crate::config::Switches;
use crate::decisions::DecisionId;
use crate::evidence::Evidence;
use crate::status::{Actor, JobExecutionStatus};

use Evidence::{Choice, Doc, Inferred, Measured, Model};
use JobExecutionStatus::{
    Canceled, Failed, InProgress, Queued, Rejected, Removed, Succeeded, TimedOut,
};

/// What causes a transition.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Display,
    EnumIter,
    IntoStaticStr,
)]
pub enum Cause {
    /// CreateJob resolves its targets.
    CreateJob,
    /// A thing joins a target group of a CONTINUOUS job.
    ThingJoinsTargetGroup,
    /// A FAILED or TIMED_OUT execution is retried.
    Retry,
    /// The device calls UpdateJobExecution.
    UpdateJobExecution,
    /// The device calls StartNextPendingJobExecution and the execution is the head.
    StartNextPendingJobExecution,
    /// The step or in-progress timer reaches its deadline.
    Timer,
    /// An operator calls CancelJobExecution.
    CancelJobExecution,
    /// An operator calls CancelJob.
    CancelJob,
    /// A thing leaves every target of a CONTINUOUS job.
    ThingLeavesTargets,
    /// An operator calls DeleteThing.
    DeleteThing,
    /// An operator calls DeleteJobExecution.
    DeleteJobExecution,
    /// An operator calls DeleteJob: every execution of the job goes.
    DeleteJob,
    /// The job's abort criteria are met: it is canceled as CancelJob without force.
    AbortCancel,
    /// AssociateTargetsWithJob adds a group to a CONTINUOUS job: its members join.
    AssociateTargetsWithJob,
    /// A scheduled job reaches its endTime with endBehavior CANCEL or FORCE_CANCEL.
    EndBehaviorCancel,
    /// A rollout batch releases a waiting target.
    RolloutBatch,
}

impl Cause {
    /// Who acts when this cause happens.
    pub fn actor(self) -> Actor {
        match self {
            Cause::UpdateJobExecution | Cause::StartNextPendingJobExecution => Actor::Device,
            _ => Actor::Service,
        }
    }
}

/// A condition on a row that the request itself decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Display)]
pub enum Condition {
    /// No condition.
    #[strum(serialize = "")]
    Always,
    /// The request's `force` is true.
    #[strum(serialize = "force")]
    Force,
    /// Only when [`Switches::in_progress_to_rejected`] is on.
    #[strum(serialize = "switch in_progress_to_rejected")]
    InProgressToRejected,
    /// Only when [`Switches::delete_queued_without_force`] is on, or with force.
    #[strum(serialize = "force, or switch delete_queued_without_force")]
    ForceOrDeleteQueuedSwitch,
}

impl Condition {
    /// Whether the condition holds for a request with this `force` under `switches`.
    pub fn holds(self, force: bool, switches: &Switches) -> bool {
        match self {
            Condition::Always => true,
            Condition::Force => force,
            Condition::InProgressToRejected => switches.in_progress_to_rejected,
            Condition::ForceOrDeleteQueuedSwitch => force || switches.delete_queued_without_force,
        }
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The status before; `None` for a new execution.
    pub from: Option<JobExecutionStatus>,
    /// The status after; `None` when the execution is deleted.
    pub to: Option<JobExecutionStatus>,
    /// What causes it.
    pub cause: Cause,
    /// A condition the request decides (force, a switch).
    pub condition: Condition,
    /// Conditions on the state that the model checks before asking (prose).
    pub guard: &'static str,
    /// The decision in [`crate::decisions`] (docs/decisions.md) that states the row.
    pub decision: DecisionId,
    /// The evidence, strongest first.
    pub evidence: &'static [Evidence],
}

impl Transition {
    /// Who acts.
    pub fn actor(&self) -> Actor {
        self.cause.actor()
    }
}

const fn row(
    from: Option<JobExecutionStatus>,
    to: Option<JobExecutionStatus>,
    cause: Cause,
    condition: Condition,
    guard: &'static str,
    decision: DecisionId,
    evidence: &'static [Evidence],
) -> Transition {
    Transition {
        from,
        to,
        cause,
        condition,
        guard,
        decision,
        evidence,
    }
}

use Cause as C;
use Condition::{Always, Force, ForceOrDeleteQueuedSwitch, InProgressToRejected};
use DecisionId::{D12, D17, D19, D2, D20, D21, D22, D28, D3, D30, D32, D34, D36, D5};

/// Every transition, grouped by cause; a new cause's rows are appended.
pub static TRANSITIONS: &[Transition] = &[
    // Creation (decisions 1, 2, 19).
    row(None, Some(Queued), C::CreateJob, Always,
        "the thing is a target, directly or through a group", D2, &[Doc]),
    row(None, Some(Queued), C::ThingJoinsTargetGroup, Always,
        "CONTINUOUS job not canceled; the thing's newest execution of the job is not pending",
        D2, &[Measured]),
    row(None, Some(Queued), C::Retry, Always,
        "the criterion for the failure (else ALL) has retries left; job not canceled; thing still a target",
        D19, &[Inferred]),
    // The device (decisions 5, 10, 12).
    row(Some(Queued), Some(InProgress), C::UpdateJobExecution, Always, "", D5, &[Doc]),
    row(Some(Queued), Some(Succeeded), C::UpdateJobExecution, Always, "", D5, &[Inferred]),
    row(Some(Queued), Some(Failed), C::UpdateJobExecution, Always, "", D5, &[Inferred]),
    row(Some(Queued), Some(Rejected), C::UpdateJobExecution, Always, "", D5, &[Doc]),
    row(Some(InProgress), Some(InProgress), C::UpdateJobExecution, Always, "", D5, &[Doc]),
    row(Some(InProgress), Some(Succeeded), C::UpdateJobExecution, Always, "", D5, &[Doc]),
    row(Some(InProgress), Some(Failed), C::UpdateJobExecution, Always, "", D5, &[Doc]),
    row(Some(InProgress), Some(Rejected), C::UpdateJobExecution, InProgressToRejected, "",
        D5, &[Inferred]),
    row(Some(Queued), Some(InProgress), C::StartNextPendingJobExecution, Always,
        "the execution is the head of the thing's pending order", D12, &[Doc]),
    // Timers (decision 17).
    row(Some(InProgress), Some(TimedOut), C::Timer, Always,
        "the earlier of the step and in-progress deadlines is reached", D17, &[Doc]),
    // Operators (decisions 20, 21).
    row(Some(Queued), Some(Canceled), C::CancelJobExecution, Always, "", D20, &[Model]),
    row(Some(InProgress), Some(Canceled), C::CancelJobExecution, Force, "", D20, &[Model]),
    row(Some(Queued), Some(Canceled), C::CancelJob, Always, "", D21, &[Model]),
    row(Some(InProgress), Some(Canceled), C::CancelJob, Force, "", D21, &[Model]),
    // Removal (decision 3).
    row(Some(Queued), Some(Removed), C::ThingLeavesTargets, Always,
        "CONTINUOUS job; no direct target and no target group left", D3, &[Measured]),
    row(Some(Queued), Some(Removed), C::DeleteThing, Always, "", D3, &[Choice]),
    // Deletion (decision 22).
    row(Some(Succeeded), None, C::DeleteJobExecution, Always, "", D22, &[Model]),
    row(Some(Failed), None, C::DeleteJobExecution, Always, "", D22, &[Model]),
    row(Some(TimedOut), None, C::DeleteJobExecution, Always, "", D22, &[Model]),
    row(Some(Rejected), None, C::DeleteJobExecution, Always, "", D22, &[Model]),
    row(Some(Removed), None, C::DeleteJobExecution, Always, "", D22, &[Model]),
    row(Some(Canceled), None, C::DeleteJobExecution, Always, "", D22, &[Model]),
    row(Some(Queued), None, C::DeleteJobExecution, ForceOrDeleteQueuedSwitch, "", D22, &[Model]),
    row(Some(InProgress), None, C::DeleteJobExecution, Force, "", D22, &[Model]),
    // DeleteJob (decision 34): every execution, history and deleted things' included. The
    // job's status and `force` decide whether the job may go; each execution then goes.
    // (Rows are appended, so the numbers of earlier rows, which name the test vectors, stay.)
    row(Some(Queued), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    row(Some(InProgress), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    row(Some(Succeeded), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    row(Some(Failed), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    row(Some(Rejected), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    row(Some(TimedOut), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    row(Some(Canceled), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    row(Some(Removed), None, C::DeleteJob, Always, "the job is deleted", D34, &[Model]),
    // Abort (decision 30): only QUEUED executions are canceled; IN_PROGRESS ones run on.
    row(Some(Queued), Some(Canceled), C::AbortCancel, Always,
        "IN_PROGRESS job with abortConfig; a criterion is met after a change of its counts",
        D30, &[Doc]),
    // AssociateTargetsWithJob (decision 36): a member of an added group joins as in
    // decision 2 (MEASURED there, applied by analogy).
    row(None, Some(Queued), C::AssociateTargetsWithJob, Always,
        "CONTINUOUS job IN_PROGRESS; the thing's newest execution of the job is not pending",
        D36, &[Measured]),
    // End behaviours (decision 32): CANCEL is CancelJob without force at endTime,
    // FORCE_CANCEL with force.
    row(Some(Queued), Some(Canceled), C::EndBehaviorCancel, Always,
        "IN_PROGRESS job at its endTime; endBehavior CANCEL or FORCE_CANCEL", D32, &[Inferred]),
    row(Some(InProgress), Some(Canceled), C::EndBehaviorCancel, Force,
        "IN_PROGRESS job at its endTime; endBehavior FORCE_CANCEL", D32, &[Inferred]),
    // Rollout (decision 28): a batch queues the head of the list as decision 2 queues.
    row(None, Some(Queued), C::RolloutBatch, Always,
        "IN_PROGRESS job; the thing waits at the head of its rollout list, within the batch size",
        D28, &[Doc]),
];

/// The row for `from` to `to` by `cause`, whatever its condition.
pub fn find(
    from: Option<JobExecutionStatus>,
    to: Option<JobExecutionStatus>,
    cause: Cause,
) -> Option<&'static Transition> {
    TRANSITIONS
        .iter()
        .find(|t| t.from == from && t.to == to && t.cause == cause)
}

/// Why the table refuses a change. Each caller maps it to the AWS error its decision
/// names (InvalidStateTransitionException for the device's and the operators' requests);
/// for a change the service makes on its own, a refusal is a broken invariant of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No row of this cause leads to the status asked for, from any status (decision 6:
    /// QUEUED, TIMED_OUT, CANCELED and REMOVED are never the device's to set).
    NoRowTo,
    /// The execution is terminal and no row of this cause leaves its status (decision 7).
    Terminal,
    /// No row of this cause goes from this status to the one asked for (decision 5).
    NoRow,
    /// The row exists, but its condition does not hold for this request: it needs `force`
    /// or a switch (decisions 5, 20, 21, 22).
    Condition(&'static Transition),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NoRowTo => f.write_str("no row of this cause leads to that status"),
            Refusal::Terminal => f.write_str("the execution is terminal"),
            Refusal::NoRow => f.write_str("no row of this cause joins the two statuses"),
            Refusal::Condition(t) => {
                write!(f, "the row's condition ({}) does not hold", t.condition)
            }
        }
    }
}

/// The row that takes an execution from `from` to `to` by `cause` for a request with this
/// `force` under `switches`, or why the table refuses: the one question the model asks
/// before every change of status.
///
/// The refusals are tried in this order: [`Refusal::NoRowTo`], [`Refusal::Terminal`],
/// [`Refusal::NoRow`], [`Refusal::Condition`] (decision 8's steps 4 and 5 for a device).
///
/// ```
/// use iot_jobs_spec::rules::{decide, Cause, Refusal};
/// use iot_jobs_spec::{JobExecutionStatus as S, config::Switches};
/// let sw = Switches::default();
/// let cancel = |from, force| decide(Some(from), Some(S::Canceled), Cause::CancelJobExecution, force, &sw);
/// assert!(cancel(S::Queued, false).is_ok());
/// assert!(matches!(cancel(S::InProgress, false), Err(Refusal::Condition(_))));
/// assert!(cancel(S::InProgress, true).is_ok());
/// assert_eq!(cancel(S::Succeeded, true), Err(Refusal::Terminal));
/// ```
pub fn decide(
    from: Option<JobExecutionStatus>,
    to: Option<JobExecutionStatus>,
    cause: Cause,
    force: bool,
    switches: &Switches,
) -> Result<&'static Transition, Refusal> {
    // One pass over the rows of the cause. A row from `from` to `to` means some row
    // reaches `to` and some row leaves `from`, so the first two refusals cannot apply.
    let (mut reaches, mut leaves) = (false, false);
    for t in TRANSITIONS.iter().filter(|t| t.cause == cause) {
        if t.from == from && t.to == to {
            return if t.condition.holds(force, switches) {
                Ok(t)
            } else {
                Err(Refusal::Condition(t))
            };
        }
        reaches |= t.to == to;
        leaves |= t.from == from;
    }
    if !reaches {
        Err(Refusal::NoRowTo)
    } else if from.is_some_and(JobExecutionStatus::is_terminal) && !leaves {
        Err(Refusal::Terminal)
    } else {
        Err(Refusal::NoRow)
    }
}

/// The row that permits `from` to `to` by `cause` for a request with this `force`, or
/// `None` when the table has no such row or its condition does not hold ([`decide`]
/// without the reason).
///
/// ```
/// use iot_jobs_spec::rules::{permits, Cause};
/// use iot_jobs_spec::{JobExecutionStatus as S, config::Switches};
/// let sw = Switches::default();
/// assert!(permits(Some(S::Queued), Some(S::Canceled), Cause::CancelJob, false, &sw).is_some());
/// assert!(permits(Some(S::InProgress), Some(S::Canceled), Cause::CancelJob, false, &sw).is_none());
/// assert!(permits(Some(S::InProgress), Some(S::Canceled), Cause::CancelJob, true, &sw).is_some());
/// ```
pub fn permits(
    from: Option<JobExecutionStatus>,
    to: Option<JobExecutionStatus>,
    cause: Cause,
    force: bool,
    switches: &Switches,
) -> Option<&'static Transition> {
    decide(from, to, cause, force, switches).ok()
}

/// Whether any row lets a device ask for `status` (decision 6: QUEUED, TIMED_OUT,
/// CANCELED and REMOVED are never the device's to set).
pub fn device_may_request(status: JobExecutionStatus) -> bool {
    TRANSITIONS
        .iter()
        .any(|t| t.cause == Cause::UpdateJobExecution && t.to == Some(status))
}

/// Decisions 5, 6 and 7: may a device move an execution in `from` to `to` with
/// UpdateJobExecution? ([`decide`] for that cause.)
///
/// ```
/// use iot_jobs_spec::rules::{device_update, Refusal};
/// use iot_jobs_spec::{JobExecutionStatus as S, config::Switches};
/// let sw = Switches::default();
/// assert!(device_update(S::Queued, S::Succeeded, &sw).is_ok());
/// assert!(matches!(device_update(S::InProgress, S::Rejected, &sw), Err(Refusal::Condition(_))));
/// assert_eq!(device_update(S::Queued, S::Canceled, &sw), Err(Refusal::NoRowTo));
/// assert_eq!(device_update(S::Succeeded, S::Succeeded, &sw), Err(Refusal::Terminal));
/// ```
pub fn device_update(
    from: JobExecutionStatus,
    to: JobExecutionStatus,
    switches: &Switches,
) -> Result<&'static Transition, Refusal> {
    decide(
        Some(from),
        Some(to),
        Cause::UpdateJobExecution,
        false,
        switches,
    )
}

/// Rendering of the table for `iot-jobs-spec rules` and docs/rules.md.
pub mod render {
    use super::*;
    use std::fmt::Write;

    fn state(s: Option<JobExecutionStatus>, none: &str) -> String {
        s.map_or_else(|| none.to_owned(), |s| s.to_string())
    }

    fn grades(t: &Transition) -> String {
        t.evidence
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The table as Markdown, with the state diagram after it.
    pub fn markdown() -> String {
        let mut out = String::new();
        out.push_str("# Job execution transitions\n\n");
        out.push_str(
            "Generated by `iot-jobs-spec rules` from `src/rules.rs`; do not edit by hand.\n\
             Each row is one way an execution changes status. `(new)` is an execution that \
             does not exist yet, `(deleted)` one that DeleteJobExecution or DeleteJob removes. The \
             condition is decided by the request; the guard by the model's state. Decisions \
             are numbered as in [decisions.md](decisions.md).\n\n",
        );
        out.push_str("| from | to | cause | actor | condition | guard | decision | evidence |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        for t in TRANSITIONS {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                state(t.from, "(new)"),
                state(t.to, "(deleted)"),
                t.cause,
                t.actor(),
                t.condition,
                t.guard,
                t.decision,
                grades(t)
            );
        }
        out.push_str("\n## State diagram\n\n```mermaid\n");
        out.push_str(&mermaid());
        out.push_str("```\n");
        out
    }

    /// A mermaid `stateDiagram-v2`; rows with the same ends share one edge.
    pub fn mermaid() -> String {
        let mut edges: Vec<(String, String, Vec<String>)> = Vec::new();
        for t in TRANSITIONS {
            let from = state(t.from, "[*]");
            let to = state(t.to, "[*]");
            let mut label = t.cause.to_string();
            if t.condition != Condition::Always {
                let _ = write!(label, " [{}]", t.condition);
            }
            match edges.iter_mut().find(|(f, g, _)| *f == from && *g == to) {
                Some((_, _, labels)) => labels.push(label),
                None => edges.push((from, to, vec![label])),
            }
        }
        let mut out = String::from("stateDiagram-v2\n");
        for (from, to, labels) in edges {
            let _ = writeln!(out, "    {from} --> {to}: {}", labels.join(", "));
        }
        out
    }

    /// The rows as a JSON array.
    pub fn json() -> String {
        let mut s = serde_json::to_string_pretty(TRANSITIONS).unwrap_or_default();
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    fn statuses() -> impl Iterator<Item = Option<JobExecutionStatus>> + Clone {
        std::iter::once(None).chain(JobExecutionStatus::ALL.into_iter().map(Some))
    }

    #[test]
    fn decide_permits_exactly_the_rows_whose_condition_holds() {
        for (a, b) in [(false, false), (true, false), (false, true), (true, true)] {
            let sw = Switches {
                in_progress_to_rejected: a,
                delete_queued_without_force: b,
                ..Switches::default()
            };
            for cause in Cause::iter() {
                for from in statuses() {
                    for to in statuses() {
                        for force in [false, true] {
                            let row = TRANSITIONS.iter().find(|t| {
                                (t.from, t.to, t.cause) == (from, to, cause)
                                    && t.condition.holds(force, &sw)
                            });
                            let decided = decide(from, to, cause, force, &sw);
                            assert_eq!(decided.ok(), row, "{from:?} -> {to:?} by {cause}");
                            if let Err(Refusal::Condition(t)) = decided {
                                assert_eq!((t.from, t.to, t.cause), (from, to, cause));
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_device_is_refused_for_the_reasons_of_decisions_5_to_7() {
        use JobExecutionStatus as S;
        let sw = Switches::default();
        for from in S::ALL {
            for to in S::ALL {
                let why = device_update(from, to, &sw).err();
                let service_status =
                    matches!(to, S::Queued | S::TimedOut | S::Canceled | S::Removed);
                let expected = if service_status {
                    Some(Refusal::NoRowTo)
                } else if from.is_terminal() {
                    Some(Refusal::Terminal)
                } else if (from, to) == (S::InProgress, S::Rejected) {
                    // The row exists behind its switch (decision 5).
                    find(Some(from), Some(to), Cause::UpdateJobExecution).map(Refusal::Condition)
                } else {
                    None
                };
                assert_eq!(why, expected, "{from} -> {to}");
            }
        }
    }
}
