//! The vocabulary of statuses: job executions, jobs, target selection, retry failure types.
//!
//! Spellings are AWS's own (`JobExecutionStatus`, `JobStatus`, `TargetSelection`,
//! `RetryableFailureType` in the service models); serde and strum use the same strings.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

/// Who or what may move an execution into a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Actor {
    /// The device, through UpdateJobExecution or StartNextPendingJobExecution.
    Device,
    /// The service: creation, timers, cancels, removals.
    Service,
}

/// The status of one job execution (AWS `JobExecutionStatus`).
///
/// ```
/// use iot_jobs_spec::JobExecutionStatus;
/// let s: JobExecutionStatus = "TIMED_OUT".parse().unwrap();
/// assert!(s.is_terminal());
/// assert!(s.is_retryable());
/// assert!(!JobExecutionStatus::Rejected.is_retryable());
/// assert_eq!(JobExecutionStatus::InProgress.to_string(), "IN_PROGRESS");
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum JobExecutionStatus {
    /// Waiting for the device to pick it up.
    #[default]
    Queued,
    /// The device is working on it.
    InProgress,
    /// The device reports success (terminal).
    Succeeded,
    /// The device reports failure (terminal, retryable).
    Failed,
    /// A timer ran out (terminal, retryable).
    TimedOut,
    /// The device refused the job (terminal).
    Rejected,
    /// The thing stopped being a target (terminal).
    Removed,
    /// An operator canceled it (terminal).
    Canceled,
}

impl JobExecutionStatus {
    /// Every status, in AWS's enum order.
    pub const ALL: [JobExecutionStatus; 8] = [
        Self::Queued,
        Self::InProgress,
        Self::Succeeded,
        Self::Failed,
        Self::TimedOut,
        Self::Rejected,
        Self::Removed,
        Self::Canceled,
    ];

    /// A terminal execution never changes again (DOC).
    pub fn is_terminal(self) -> bool {
        !self.is_pending()
    }

    /// QUEUED or IN_PROGRESS: the set GetPendingJobExecutions, `$next` and the
    /// notifications speak of (DOC).
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::InProgress)
    }

    /// Who sets this status (DOC, lifecycle table of the Developer Guide).
    pub fn set_by(self) -> Actor {
        match self {
            Self::InProgress | Self::Succeeded | Self::Failed | Self::Rejected => Actor::Device,
            Self::Queued | Self::TimedOut | Self::Removed | Self::Canceled => Actor::Service,
        }
    }

    /// Whether a retry configuration may retry an execution that ended here (DOC: FAILED
    /// and TIMED_OUT only; decision 19).
    pub fn is_retryable(self) -> bool {
        self.failure_type().is_some()
    }

    /// The retry failure type this terminal status counts as, if any.
    pub fn failure_type(self) -> Option<RetryableFailureType> {
        match self {
            Self::Failed => Some(RetryableFailureType::Failed),
            Self::TimedOut => Some(RetryableFailureType::TimedOut),
            _ => None,
        }
    }

    /// The AWS spelling.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The status of a job (AWS `JobStatus`: every value the model declares, so that ListJobs
/// can filter by any of them).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum JobStatus {
    /// Executions may still run.
    #[default]
    InProgress,
    /// CancelJob was called.
    Canceled,
    /// Every execution of a SNAPSHOT job ended (decision 23).
    Completed,
    /// DeleteJob has begun and not finished. Never observed here: deletion takes no
    /// logical time (decision 34); ListJobs accepts it as a filter, which matches nothing.
    DeletionInProgress,
    /// Created with a `schedulingConfig` startTime that has not come (decision 31).
    Scheduled,
}

/// How a job picks its things (AWS `TargetSelection`).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum TargetSelection {
    /// Groups are resolved once, at creation; the default (MODEL).
    #[default]
    Snapshot,
    /// Things that join a target group later get an execution too.
    Continuous,
}

/// The failure a retry criterion covers (AWS `RetryableFailureType`).
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
    Deserialize,
    Display,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum RetryableFailureType {
    /// The device reported FAILED.
    Failed,
    /// A timer ran out.
    TimedOut,
    /// Both of the above, for the types without a criterion of their own.
    All,
}

/// The failure an abort criterion counts (AWS `JobExecutionFailureType`, decision 29).
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
    Deserialize,
    Display,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum AbortFailureType {
    /// Executions the device reported FAILED.
    Failed,
    /// Executions the device REJECTED.
    Rejected,
    /// Executions whose timer ran out.
    TimedOut,
    /// FAILED, REJECTED and TIMED_OUT together.
    All,
}

impl AbortFailureType {
    /// Whether an execution in `status` counts as failed for this criterion (decision 30).
    pub fn counts(self, status: JobExecutionStatus) -> bool {
        use JobExecutionStatus as S;
        match self {
            Self::Failed => status == S::Failed,
            Self::Rejected => status == S::Rejected,
            Self::TimedOut => status == S::TimedOut,
            Self::All => matches!(status, S::Failed | S::Rejected | S::TimedOut),
        }
    }
}

/// What an abort criterion does when met (AWS `AbortAction`): the model declares only
/// CANCEL.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum AbortAction {
    /// Cancel the job as CancelJob without force does (decision 30).
    #[default]
    Cancel,
}

/// What happens to a scheduled job's executions at its `endTime` (AWS `JobEndBehavior`,
/// decisions 31 and 32).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum JobEndBehavior {
    /// Queue nothing more; existing executions carry on (also meant when absent).
    #[default]
    StopRollout,
    /// CancelJob without force at endTime.
    Cancel,
    /// CancelJob with force at endTime.
    ForceCancel,
}
