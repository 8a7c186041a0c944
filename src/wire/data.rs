//! `iot-jobs-data` (API 2017-09-29): the four device calls and the shapes they return.

use serde::{Deserialize, Serialize};

use super::DetailsMap;
use crate::status::JobExecutionStatus;

/// `JobExecution` as the data plane returns it. Every member is optional in the model;
/// absent members are left out of the JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecution {
    /// The job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// The thing (HTTP only; MQTT leaves it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thing_name: Option<String>,
    /// The status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<JobExecutionStatus>,
    /// Left out when empty (decision 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_details: Option<DetailsMap>,
    /// Logical seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<u64>,
    /// Absent until the execution first became IN_PROGRESS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    /// Logical seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_at: Option<u64>,
    /// Present only while a timer runs (decision 17).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approximate_seconds_before_timed_out: Option<u64>,
    /// Grows by one on each device change (decision 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_number: Option<i64>,
    /// Which execution of the job on the thing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_number: Option<i64>,
    /// The job document, as the string CreateJob was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_document: Option<String>,
}

/// `JobExecutionState`: what UpdateJobExecution returns on request, and what its
/// InvalidStateTransitionException carries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionState {
    /// The status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<JobExecutionStatus>,
    /// Left out when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_details: Option<DetailsMap>,
    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_number: Option<i64>,
}

/// `JobExecutionSummary` (data plane): no status; the list it is in says it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionSummary {
    /// The job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    /// Logical seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<u64>,
    /// Absent until started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    /// Logical seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_at: Option<u64>,
    /// The version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_number: Option<i64>,
    /// Which execution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_number: Option<i64>,
}

/// `DescribeJobExecution` request: `GET /things/{thingName}/jobs/{jobId}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobExecutionRequest {
    /// A job id or `$next`.
    pub job_id: String,
    /// The thing.
    pub thing_name: String,
    /// Default true (MODEL, decision 13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_job_document: Option<bool>,
    /// Default: the newest execution. Ignored with `$next`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_number: Option<i64>,
}

/// `DescribeJobExecution` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobExecutionResponse {
    /// Absent for `$next` when nothing is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<JobExecution>,
}

/// `GetPendingJobExecutions` request: `GET /things/{thingName}/jobs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPendingJobExecutionsRequest {
    /// The thing.
    pub thing_name: String,
}

/// `GetPendingJobExecutions` response: both lists always present (decision 14).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPendingJobExecutionsResponse {
    /// IN_PROGRESS executions, in pending order.
    #[serde(default)]
    pub in_progress_jobs: Vec<JobExecutionSummary>,
    /// QUEUED executions, in pending order.
    #[serde(default)]
    pub queued_jobs: Vec<JobExecutionSummary>,
}

/// `StartNextPendingJobExecution` request: `PUT /things/{thingName}/jobs/$next`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartNextPendingJobExecutionRequest {
    /// The thing.
    pub thing_name: String,
    /// Replaces the map when the head is QUEUED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<DetailsMap>,
    /// 1..10080.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_timeout_in_minutes: Option<i64>,
}

/// `StartNextPendingJobExecution` response: `{}` when nothing is pending.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartNextPendingJobExecutionResponse {
    /// The execution now at the head, with its job document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<JobExecution>,
}

/// `UpdateJobExecution` request: `POST /things/{thingName}/jobs/{jobId}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateJobExecutionRequest {
    /// The job (`$next` is not allowed here).
    pub job_id: String,
    /// The thing.
    pub thing_name: String,
    /// The status asked for; required.
    pub status: JobExecutionStatus,
    /// Replaces the whole map when given (decision 11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<DetailsMap>,
    /// 1..10080, or -1 to cancel the step timer (decision 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_timeout_in_minutes: Option<i64>,
    /// Optimistic concurrency (decision 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    /// Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_job_execution_state: Option<bool>,
    /// Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_job_document: Option<bool>,
    /// Default: the newest execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_number: Option<i64>,
}

impl UpdateJobExecutionRequest {
    /// A request with only the required members.
    pub fn new(thing_name: &str, job_id: &str, status: JobExecutionStatus) -> Self {
        Self {
            job_id: job_id.to_owned(),
            thing_name: thing_name.to_owned(),
            status,
            status_details: None,
            step_timeout_in_minutes: None,
            expected_version: None,
            include_job_execution_state: None,
            include_job_document: None,
            execution_number: None,
        }
    }
}

/// `UpdateJobExecution` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateJobExecutionResponse {
    /// Only when `includeJobExecutionState` was true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_state: Option<JobExecutionState>,
    /// Only when `includeJobDocument` was true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_document: Option<String>,
}
