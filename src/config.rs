//! Where the crate's choices live: the modelled account and region, the switches for
//! rules whose evidence is split, and the constants the decisions fix.
//!
//! A rule graded INFERRED or CHOICE is changed here (or in its row of
//! [`crate::rules::TRANSITIONS`]) and nowhere else.

use crate::error::ErrorCode;

/// How one [`crate::Service`] behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The account the ARNs name. Default `123456789012` (details, identity; CHOICE).
    pub account: String,
    /// The region the ARNs name. Default `us-east-1` (details, identity; CHOICE).
    pub region: String,
    /// Rules with split evidence, one switch each.
    pub switches: Switches,
    /// Seconds after its deadline that a timer fires. Default 0: the specification fires
    /// exactly at the deadline (decision 17). AWS documents that it may be up to 60 s
    /// late; an emulator that wants to mimic that deterministically sets it here.
    /// `approximateSecondsBeforeTimedOut` still counts to the deadline (0 once passed).
    pub timer_lateness: u64,
    /// Keep a log of every transition the model makes, with the row of
    /// [`crate::rules::TRANSITIONS`] it took, for [`crate::Service::poll_transition`].
    /// Default off, so a long-running oracle does not accumulate it.
    pub record_transitions: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            switches: Switches::default(),
            timer_lateness: 0,
            record_transitions: false,
        }
    }
}

impl Config {
    /// The ARN of thing `name` in this account and region (details, identity):
    ///
    /// ```
    /// let config = iot_jobs_spec::Config::default();
    /// assert_eq!(config.thing_arn("t1"), "arn:aws:iot:us-east-1:123456789012:thing/t1");
    /// assert_eq!(config.job_arn("j1"), "arn:aws:iot:us-east-1:123456789012:job/j1");
    /// assert_eq!(
    ///     config.thing_group_arn("g1"),
    ///     "arn:aws:iot:us-east-1:123456789012:thinggroup/g1"
    /// );
    /// ```
    pub fn thing_arn(&self, name: &str) -> String {
        self.arn("thing", name)
    }

    /// The ARN of job `id` in this account and region (details, identity).
    pub fn job_arn(&self, id: &str) -> String {
        self.arn("job", id)
    }

    /// The ARN of thing group `name` in this account and region (details, identity).
    pub fn thing_group_arn(&self, name: &str) -> String {
        self.arn("thinggroup", name)
    }

    fn arn(&self, resource: &str, name: &str) -> String {
        format!(
            "arn:aws:iot:{}:{}:{resource}/{name}",
            self.region, self.account
        )
    }
}

/// The alternatives to rules whose evidence is split, each one switch away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Switches {
    /// Decision 5 (INFERRED): may a device move IN_PROGRESS to REJECTED? Default `false`:
    /// AWS's OTA library says the service refuses it; AWS's Device Client and ministack
    /// allow it.
    pub in_progress_to_rejected: bool,
    /// Decision 9 (CHOICE): the HTTP data-plane error for an expectedVersion mismatch.
    /// Default InvalidStateTransitionException (409), the only conflict error the model
    /// declares for UpdateJobExecution; ministack 1.5.33 answers InvalidRequestException.
    pub http_version_mismatch: ErrorCode,
    /// Decision 22 (MODEL): may DeleteJobExecution delete a QUEUED execution without
    /// `force`? Default `false` (the model); the Developer Guide says yes.
    pub delete_queued_without_force: bool,
    /// Decision 40 (CHOICE): do calls that name a thing (CancelJobExecution,
    /// DeleteJobExecution, the control plane's DescribeJobExecution,
    /// ListJobExecutionsForThing and every data-plane call) reach the executions of a
    /// deleted thing? Default `false`: ResourceNotFoundException while no thing of that name
    /// exists, as for a name never created (decision 1). No evidence either way.
    pub deleted_thing_executions_by_name: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Self {
            in_progress_to_rejected: false,
            http_version_mismatch: ErrorCode::InvalidStateTransitionException,
            delete_queued_without_force: false,
            deleted_thing_executions_by_name: false,
        }
    }
}

/// Decision 14 (DOC for the limit, CHOICE for which ten): GetPendingJobExecutions and
/// `notify` list at most this many summaries, the head of the pending order.
pub const PENDING_LIST_LIMIT: usize = 10;

/// Decision 15 and 16 (DOC): timer lengths in minutes are 1..=10080 (one week).
pub const MAX_TIMEOUT_MINUTES: i64 = 10_080;

/// Decision 16 (MODEL): `stepTimeoutInMinutes: -1` cancels the step timer.
pub const CANCEL_STEP_TIMER: i64 = -1;

/// Decision 18 (INFERRED): the retries of all criteria of one job add up to at most this.
pub const MAX_TOTAL_RETRIES: i32 = 10;

/// Decision 18 (MODEL): one criterion grants 0..=10 retries.
pub const MAX_RETRIES_PER_CRITERION: i32 = 10;

/// Decision 11 (MODEL): CancelJobExecution's statusDetails holds at most this many entries.
pub const CANCEL_DETAILS_MAX_ENTRIES: usize = 10;

/// Decision 11 (DOC): a statusDetails value holds at most this many characters.
pub const DETAILS_VALUE_MAX_CHARS: usize = 1024;

/// Decision 1b (MODEL): a job document holds at most this many characters.
pub const DOCUMENT_MAX_CHARS: usize = 32_768;

/// Details, lists (MODEL): maxResults of the List calls is 1..=250.
pub const MAX_RESULTS_LIMIT: i32 = 250;

/// Details, lists (CHOICE): the page size when maxResults is absent.
pub const DEFAULT_MAX_RESULTS: i32 = 250;

/// A thing's registry version. Things are never updated here, so it stays 1.
pub const THING_VERSION: i64 = 1;

/// Decision 30 (DOC that one is set; CHOICE for the text, the only implementation's): the
/// `reasonCode` of a job canceled by its abort criteria.
pub const ABORT_REASON_CODE: &str = "ABORT_CANCEL";

/// Decision 36 (MODEL): a job has at most this many targets after AssociateTargetsWithJob.
pub const MAX_JOB_TARGETS: usize = 100;

/// Decision 31 (MODEL; CHOICE: "a minimum of" is at least): startTime and endTime are at
/// least this many seconds after CreateJob, and endTime at least this long after startTime.
pub const SCHEDULE_MIN_LEAD_SECS: u64 = 1_800;

/// Decision 31 (MODEL; CHOICE: a year is 365 days): startTime is at most a year ahead.
pub const SCHEDULE_MAX_START_SECS: u64 = 31_536_000;

/// Decision 31 (MODEL; CHOICE: a year is 365 days): endTime is at most two years ahead, and
/// at most two years after startTime.
pub const SCHEDULE_MAX_END_SECS: u64 = 63_072_000;

/// Decision 27 (DOC): `maximumPerMinute` is 1..=1000, and 1000 when absent; also the
/// upper bound of `baseRatePerMinute` (MODEL).
pub const MAX_ROLLOUT_PER_MINUTE: i32 = 1_000;

/// Decision 28 (CHOICE): rollout batches fall on this grid after the job's start.
pub const ROLLOUT_BATCH_SECS: u64 = 60;
