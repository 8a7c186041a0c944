//! `iot` (API 2015-05-28): the registry and job calls that touch executions.
//!
//! Members of features outside the model (rollouts, abort criteria, scheduling, templates,
//! presigned URLs, namespaces, ...) are read as raw JSON so that their mere presence can
//! be answered "not modelled".

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use super::DetailsMap;
use crate::status::{
    AbortAction, AbortFailureType, JobEndBehavior, JobExecutionStatus, JobStatus,
    RetryableFailureType, TargetSelection,
};

/// `AttributePayload` of a thing or group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributePayload {
    /// Attribute names to values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, String>>,
    /// Merge with existing attributes (only meaningful for updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<bool>,
}

/// `CreateThing` request: `POST /things/{thingName}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingRequest {
    /// The thing's name.
    pub thing_name: String,
    /// Thing types are not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_type_name: Option<String>,
    /// Kept, and compared when the thing is created again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_payload: Option<AttributePayload>,
    /// Billing groups are not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_group_name: Option<String>,
}

/// `CreateThing` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingResponse {
    /// The name.
    pub thing_name: String,
    /// `arn:aws:iot:REGION:ACCOUNT:thing/NAME`.
    pub thing_arn: String,
    /// A deterministic id.
    pub thing_id: String,
}

/// `DeleteThing` request: `DELETE /things/{thingName}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteThingRequest {
    /// The thing.
    pub thing_name: String,
    /// The thing's registry version (always 1 here: things are never updated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

/// `Tag`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Value.
    #[serde(rename = "Value", default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `ThingGroupProperties`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThingGroupProperties {
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_description: Option<String>,
    /// Attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_payload: Option<AttributePayload>,
}

/// `CreateThingGroup` request: `POST /thing-groups/{thingGroupName}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingGroupRequest {
    /// The group's name.
    pub thing_group_name: String,
    /// Group hierarchies are not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_group_name: Option<String>,
    /// Kept, and compared when the group is created again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_properties: Option<ThingGroupProperties>,
    /// Accepted and kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// `CreateThingGroup` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateThingGroupResponse {
    /// The name.
    pub thing_group_name: String,
    /// `arn:aws:iot:REGION:ACCOUNT:thinggroup/NAME`.
    pub thing_group_arn: String,
    /// A deterministic id.
    pub thing_group_id: String,
}

/// `AddThingToThingGroup` request: `PUT /thing-groups/addThingToThingGroup`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddThingToThingGroupRequest {
    /// The group by name...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_name: Option<String>,
    /// ...or by ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_arn: Option<String>,
    /// The thing by name...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_name: Option<String>,
    /// ...or by ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_arn: Option<String>,
    /// Dynamic groups are not modelled; the flag changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_dynamic_groups: Option<bool>,
}

/// `RemoveThingFromThingGroup` request: `PUT /thing-groups/removeThingFromThingGroup`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveThingFromThingGroupRequest {
    /// The group by name...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_name: Option<String>,
    /// ...or by ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_arn: Option<String>,
    /// The thing by name...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_name: Option<String>,
    /// ...or by ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_arn: Option<String>,
}

/// `TimeoutConfig`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeoutConfig {
    /// 1..10080 (decision 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_progress_timeout_in_minutes: Option<i64>,
}

/// `RetryCriteria`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryCriteria {
    /// FAILED, TIMED_OUT or ALL.
    pub failure_type: RetryableFailureType,
    /// 0..10.
    pub number_of_retries: i32,
}

/// `JobExecutionsRetryConfig` (decision 18).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionsRetryConfig {
    /// 1..2 criteria.
    pub criteria_list: Vec<RetryCriteria>,
}

/// `CreateJob` request: `PUT /jobs/{jobId}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobRequest {
    /// 1..64 of `[a-zA-Z0-9_-]`.
    pub job_id: String,
    /// Thing and thing-group ARNs, at least one.
    pub targets: Vec<String>,
    /// Not modelled (S3 documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_source: Option<Value>,
    /// A JSON document, at most 32768 characters (decision 1b).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presigned_url_config: Option<Value>,
    /// Default SNAPSHOT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_selection: Option<TargetSelection>,
    /// The rollout rate (decisions 27, 28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_executions_rollout_config: Option<JobExecutionsRolloutConfig>,
    /// Abort criteria (decisions 29, 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_config: Option<AbortConfig>,
    /// The in-progress timer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_config: Option<TimeoutConfig>,
    /// Accepted and kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<Value>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_template_arn: Option<Value>,
    /// Retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
    /// Not modelled (job templates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_parameters: Option<Value>,
    /// startTime, endTime and endBehavior (decisions 31 to 33).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_config: Option<SchedulingConfig>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_package_versions: Option<Value>,
}

/// `CreateJob`, `CancelJob` and `AssociateTargetsWithJob` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummaryResponse {
    /// `arn:aws:iot:REGION:ACCOUNT:job/ID`.
    pub job_arn: String,
    /// The job.
    pub job_id: String,
    /// As given to CreateJob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `CancelJob` request: `PUT /jobs/{jobId}/cancel`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelJobRequest {
    /// The job.
    pub job_id: String,
    /// At most 128 of `[\p{Upper}\p{Digit}_]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// At most 2028 characters, no control characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Cancel IN_PROGRESS executions too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// `CancelJobExecution` request: `PUT /things/{thingName}/jobs/{jobId}/cancel`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelJobExecutionRequest {
    /// The job.
    pub job_id: String,
    /// The thing.
    pub thing_name: String,
    /// Needed to cancel an IN_PROGRESS execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// VersionConflictException when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    /// Replaces the map; at most 10 entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<DetailsMap>,
}

/// `DeleteJobExecution` request:
/// `DELETE /things/{thingName}/jobs/{jobId}/executionNumber/{executionNumber}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteJobExecutionRequest {
    /// The job.
    pub job_id: String,
    /// The thing.
    pub thing_name: String,
    /// Required.
    pub execution_number: i64,
    /// Needed for a QUEUED or IN_PROGRESS execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<Value>,
}

/// `DescribeJobExecution` (control plane) request: `GET /things/{thingName}/jobs/{jobId}`.
/// Named after [`crate::Operation::ControlDescribeJobExecution`] so that it is not
/// confused with the data plane's [`crate::wire::data::DescribeJobExecutionRequest`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlDescribeJobExecutionRequest {
    /// The job.
    pub job_id: String,
    /// The thing.
    pub thing_name: String,
    /// Default: the newest execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_number: Option<i64>,
}

/// `JobExecutionStatusDetails`: the control plane wraps the map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionStatusDetails {
    /// Left out when the map is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details_map: Option<DetailsMap>,
}

/// `JobExecution` as the control plane (`iot`) returns it; the data plane's shape of the
/// same AWS name is [`crate::wire::data::JobExecution`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlJobExecution {
    /// The job.
    pub job_id: String,
    /// The status.
    pub status: JobExecutionStatus,
    /// Only on canceled executions: the `force` of the cancel (decision 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_canceled: Option<bool>,
    /// Always present; `{}` when the map is empty.
    pub status_details: JobExecutionStatusDetails,
    /// The thing's ARN.
    pub thing_arn: String,
    /// Logical seconds.
    pub queued_at: u64,
    /// Absent until started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    /// Logical seconds.
    pub last_updated_at: u64,
    /// Which execution.
    pub execution_number: i64,
    /// The version.
    pub version_number: i64,
    /// Present only while a timer runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_seconds_before_timed_out: Option<u64>,
}

/// `DescribeJobExecution` (control plane) response; the data plane's is
/// [`crate::wire::data::DescribeJobExecutionResponse`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlDescribeJobExecutionResponse {
    /// The execution.
    pub execution: ControlJobExecution,
}

/// `JobExecutionSummary` (control plane); the data plane's shape of the same AWS name is
/// [`crate::wire::data::JobExecutionSummary`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlJobExecutionSummary {
    /// The status.
    pub status: JobExecutionStatus,
    /// Logical seconds.
    pub queued_at: u64,
    /// Absent until started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    /// Logical seconds.
    pub last_updated_at: u64,
    /// Which execution.
    pub execution_number: i64,
    /// Retries already made; 0 on a first execution.
    pub retry_attempt: i32,
}

/// An item of ListJobExecutionsForThing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionSummaryForThing {
    /// The job.
    pub job_id: String,
    /// The execution.
    pub job_execution_summary: ControlJobExecutionSummary,
}

/// An item of ListJobExecutionsForJob.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionSummaryForJob {
    /// The thing's ARN.
    pub thing_arn: String,
    /// The execution.
    pub job_execution_summary: ControlJobExecutionSummary,
}

/// `ListJobExecutionsForThing` request: `GET /things/{thingName}/jobs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForThingRequest {
    /// The thing.
    pub thing_name: String,
    /// Only executions in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<JobExecutionStatus>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<Value>,
    /// 1..250.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// The decimal offset of the next item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Only executions of this job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

/// `ListJobExecutionsForThing` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForThingResponse {
    /// Oldest first.
    pub execution_summaries: Vec<JobExecutionSummaryForThing>,
    /// Present when more items remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListJobExecutionsForJob` request: `GET /jobs/{jobId}/things`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForJobRequest {
    /// The job.
    pub job_id: String,
    /// Only executions in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<JobExecutionStatus>,
    /// 1..250.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// The decimal offset of the next item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `ListJobExecutionsForJob` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobExecutionsForJobResponse {
    /// Oldest first.
    pub execution_summaries: Vec<JobExecutionSummaryForJob>,
    /// Present when more items remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `DescribeJob` request: `GET /jobs/{jobId}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobRequest {
    /// The job.
    pub job_id: String,
    /// Only meaningful with job templates; ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_substitution: Option<bool>,
}

/// `JobProcessDetails`: how many executions are in each status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProcessDetails {
    /// CANCELED.
    pub number_of_canceled_things: i32,
    /// SUCCEEDED.
    pub number_of_succeeded_things: i32,
    /// FAILED.
    pub number_of_failed_things: i32,
    /// REJECTED.
    pub number_of_rejected_things: i32,
    /// QUEUED.
    pub number_of_queued_things: i32,
    /// IN_PROGRESS.
    pub number_of_in_progress_things: i32,
    /// REMOVED.
    pub number_of_removed_things: i32,
    /// TIMED_OUT.
    pub number_of_timed_out_things: i32,
    /// The job's target ARNs while it rolls out (decision 28); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_targets: Option<Box<Vec<String>>>,
}

/// `Job` as DescribeJob returns it (the members this model keeps).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The ARN.
    pub job_arn: String,
    /// The job.
    pub job_id: String,
    /// SNAPSHOT or CONTINUOUS.
    pub target_selection: TargetSelection,
    /// IN_PROGRESS, CANCELED or COMPLETED.
    pub status: JobStatus,
    /// Present once canceled: the `force` of CancelJob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_canceled: Option<bool>,
    /// From CancelJob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// From CancelJob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// As given.
    pub targets: Vec<String>,
    /// As given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Logical seconds.
    pub created_at: u64,
    /// Logical seconds.
    pub last_updated_at: u64,
    /// When it became COMPLETED (decision 23); a canceled job has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<u64>,
    /// Counts per status of the newest execution of each thing.
    pub job_process_details: JobProcessDetails,
    /// Whether the job is rolling out executions (decision 28).
    pub is_concurrent: bool,
    /// As given; absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_executions_rollout_config: Option<Box<JobExecutionsRolloutConfig>>,
    /// As given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_config: Option<TimeoutConfig>,
    /// As given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
    /// As given to CreateJob or UpdateJob; absent when unset. Boxed, as the two configs
    /// below, to keep [`crate::Response`] small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_config: Option<Box<AbortConfig>>,
    /// As given to CreateJob; absent when unset. Boxed: most jobs have none, and it keeps
    /// [`crate::Response`] small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_config: Option<Box<SchedulingConfig>>,
}

/// `DescribeJob` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeJobResponse {
    /// The job.
    pub job: Job,
}

/// A response with no members (`{}`): DeleteThing, AddThingToThingGroup,
/// RemoveThingFromThingGroup, CancelJobExecution, DeleteJobExecution, DeleteJob.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// `DeleteJob` request: `DELETE /jobs/{jobId}` (decision 34).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteJobRequest {
    /// The job.
    pub job_id: String,
    /// Needed for an IN_PROGRESS or SCHEDULED job; default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<Value>,
}

/// `GetJobDocument` request: `GET /jobs/{jobId}/job-document` (decision 37).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetJobDocumentRequest {
    /// The job.
    pub job_id: String,
    /// Accepted; the model never substitutes, so it changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_substitution: Option<bool>,
}

/// `GetJobDocument` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetJobDocumentResponse {
    /// Exactly the string CreateJob received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// `ListJobs` request: `GET /jobs` (decision 38).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobsRequest {
    /// Only jobs in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<JobStatus>,
    /// Only jobs of this target selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_selection: Option<TargetSelection>,
    /// 1..250.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// The decimal offset of the next item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Only jobs whose targets hold this group's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_name: Option<String>,
    /// Only jobs whose targets hold the ARN of the group with this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing_group_id: Option<String>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<Value>,
}

/// `JobSummary`, an item of ListJobs (no `thingGroupId`: decision 38).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    /// The ARN.
    pub job_arn: String,
    /// The job.
    pub job_id: String,
    /// SNAPSHOT or CONTINUOUS.
    pub target_selection: TargetSelection,
    /// The status.
    pub status: JobStatus,
    /// Logical seconds.
    pub created_at: u64,
    /// Logical seconds.
    pub last_updated_at: u64,
    /// When it became COMPLETED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<u64>,
    /// Whether the job is rolling out executions (decision 28).
    pub is_concurrent: bool,
}

/// `ListJobs` response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListJobsResponse {
    /// Newest first.
    pub jobs: Vec<JobSummary>,
    /// Present when more items remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `DescribeThing` request: `GET /things/{thingName}` (decision 39).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeThingRequest {
    /// The thing.
    pub thing_name: String,
}

/// `DescribeThing` response (`thingTypeName` and `billingGroupName` are not modelled).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeThingResponse {
    /// The thing's name (INFERRED: AWS's CLI example).
    pub default_client_id: String,
    /// The name.
    pub thing_name: String,
    /// The id CreateThing returned.
    pub thing_id: String,
    /// `arn:aws:iot:REGION:ACCOUNT:thing/NAME`.
    pub thing_arn: String,
    /// The attributes; `{}` when none.
    pub attributes: BTreeMap<String, String>,
    /// Always 1: things are never updated here.
    pub version: i64,
}

/// A percentage with at most two decimals, kept exactly as hundredths
/// (`thresholdPercentage`, decision 29). It reads a JSON number, with or without a
/// fraction (Details, decoding), through its shortest decimal spelling: no arithmetic on
/// floating point. More than two decimals, a negative number or one above 2^32 / 100 is
/// refused while decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hundredths(pub u32);

impl std::fmt::Display for Hundredths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Hundredths {
    /// Reads a decimal spelling (`12`, `12.5`, `12.35`) with at most two decimals.
    pub fn parse(text: &str) -> Option<Hundredths> {
        Self::parse_places(text, 2).map(Hundredths)
    }

    /// A decimal spelling with at most `places` (1 or 2) decimals, in units of 10^-places.
    fn parse_places(text: &str, places: usize) -> Option<u32> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let fraction = fraction.trim_end_matches('0');
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || fraction.len() > places || !digits(fraction) {
            return None;
        }
        let whole: u32 = whole.parse().ok()?;
        let fraction: u32 = format!("{fraction:0<places$}").parse().ok()?;
        let unit = 10u32.pow(u32::try_from(places).ok()?);
        whole.checked_mul(unit)?.checked_add(fraction)
    }

    /// The shortest decimal spelling of a JSON number, or an error.
    fn json_text<E: serde::de::Error>(n: &serde_json::Number) -> Result<String, E> {
        if n.is_f64() {
            let t = format!("{}", n.as_f64().unwrap_or(f64::NAN));
            if t.contains('e') || t.contains("inf") || t.contains("NaN") {
                return Err(E::custom(format!("{n} is not a plain decimal number")));
            }
            Ok(t)
        } else {
            Ok(n.to_string())
        }
    }
}

impl Serialize for Hundredths {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(100) {
            s.serialize_u32(self.0 / 100)
        } else {
            // The shortest spelling of this f64 is the decimal itself (at most 2 decimals).
            let text = self.to_string();
            s.serialize_f64(text.parse().map_err(serde::ser::Error::custom)?)
        }
    }
}

impl<'de> Deserialize<'de> for Hundredths {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        let text = Hundredths::json_text(&n)?;
        Hundredths::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{n} is not a non-negative percentage with at most two decimals"
            ))
        })
    }
}

/// `AbortCriteria` (decision 29): all four members required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbortCriteria {
    /// FAILED, REJECTED, TIMED_OUT or ALL.
    pub failure_type: AbortFailureType,
    /// CANCEL.
    pub action: AbortAction,
    /// Above 0 and at most 100, two decimals at most.
    pub threshold_percentage: Hundredths,
    /// At least 1.
    pub min_number_of_executed_things: i32,
}

/// `AbortConfig` (decision 29).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbortConfig {
    /// At least one criterion, no two of the same failure type; checked in order.
    pub criteria_list: Vec<AbortCriteria>,
}

/// `UpdateJob` request: `PATCH /jobs/{jobId}` (decision 35).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateJobRequest {
    /// The job.
    pub job_id: String,
    /// Replaces the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presigned_url_config: Option<Value>,
    /// Replaces the rollout rate from the next batch (decision 28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_executions_rollout_config: Option<JobExecutionsRolloutConfig>,
    /// Replaces the abort criteria, checked at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_config: Option<AbortConfig>,
    /// Replaces the in-progress timer length for executions that start later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_config: Option<TimeoutConfig>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<Value>,
    /// Only every `numberOfRetries` 0, for the failure types the job was created with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_executions_retry_config: Option<JobExecutionsRetryConfig>,
}

/// `AssociateTargetsWithJob` request: `POST /jobs/{jobId}/targets` (decision 36).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociateTargetsWithJobRequest {
    /// Thing-group ARNs, at least one.
    pub targets: Vec<String>,
    /// The job: CONTINUOUS and IN_PROGRESS.
    pub job_id: String,
    /// Replaces the job's comment; at most 2028 characters, no control characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Not modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<Value>,
}

/// `SchedulingConfig` (decisions 31 to 33).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulingConfig {
    /// `YYYY-MM-DDThh:mm`, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// `YYYY-MM-DDThh:mm`, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// What endTime does; STOP_ROLLOUT when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_behavior: Option<JobEndBehavior>,
    /// Not modelled (decision 33).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_windows: Option<Value>,
}

/// A factor with at most one decimal, kept exactly as tenths (`incrementFactor`, decision
/// 27). Read like [`Hundredths`]: a JSON number through its shortest decimal spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tenths(pub u32);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

impl Serialize for Tenths {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(10) {
            s.serialize_u32(self.0 / 10)
        } else {
            let text = self.to_string();
            s.serialize_f64(text.parse().map_err(serde::ser::Error::custom)?)
        }
    }
}

impl<'de> Deserialize<'de> for Tenths {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        let text = Hundredths::json_text(&n)?;
        Hundredths::parse_places(&text, 1)
            .map(Tenths)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "{n} is not a non-negative number with at most one decimal"
                ))
            })
    }
}

/// `RateIncreaseCriteria` (decision 27): exactly one member, at least 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateIncreaseCriteria {
    /// Things the rollout has released.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_notified_things: Option<i32>,
    /// The job's SUCCEEDED things.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_succeeded_things: Option<i32>,
}

/// `ExponentialRolloutRate` (decision 27): all three members required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExponentialRolloutRate {
    /// 1..1000, not above maximumPerMinute.
    pub base_rate_per_minute: i32,
    /// 1.1..5, one decimal at most.
    pub increment_factor: Tenths,
    /// When the rate grows.
    pub rate_increase_criteria: RateIncreaseCriteria,
}

/// `JobExecutionsRolloutConfig` (decisions 27, 28).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionsRolloutConfig {
    /// 1..1000; 1000 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_per_minute: Option<i32>,
    /// A rate that grows with the rollout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exponential_rate: Option<ExponentialRolloutRate>,
}
