//! One enum of every request and one of every response, and the decoding of a request
//! from the JSON a trace (or an SDK) sends.

use serde::Serialize;
use serde_json::Value;

use crate::error::ServiceError;
use crate::plane::Operation;
use crate::wire::{control, data};

macro_rules! operations {
    ($( $(#[$doc:meta])* $variant:ident($req:ty) -> $resp:ty; )*) => {
        /// A request to the modelled service.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        // The largest members (CreateJob's request, DescribeJob's response) are boxed, so
        // that every call, the hot device calls included, moves a small enum.
        #[serde(untagged)]
        pub enum Request {
            $( $(#[$doc])* $variant($req), )*
        }

        /// A successful response.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
        #[serde(untagged)]
        pub enum Response {
            $( $(#[$doc])* $variant($resp), )*
        }

        impl Request {
            /// The operation this request calls.
            pub fn operation(&self) -> Operation {
                match self {
                    $( Request::$variant(_) => Operation::$variant, )*
                }
            }

            /// Reads a request for `op` from its JSON `input` (path and query members as
            /// plain members). A JSON `null` means absent; unknown members are ignored;
            /// a wrong type, a missing required member or an out-of-range number is
            /// InvalidRequestException naming the member.
            pub fn decode(op: Operation, input: &Value) -> Result<Request, ServiceError> {
                if !input.is_object() {
                    return Err(ServiceError::invalid_request(format!(
                        "the {} request must be a JSON object", op.name()
                    )));
                }
                Ok(match op {
                    $( Operation::$variant => Request::$variant(read(op, input)?), )*
                })
            }
        }

        impl Response {
            /// The operation this response answers.
            pub fn operation(&self) -> Operation {
                match self {
                    $( Response::$variant(_) => Operation::$variant, )*
                }
            }
        }
    };
}

operations! {
    /// `iot-jobs-data` DescribeJobExecution.
    DescribeJobExecution(data::DescribeJobExecutionRequest) -> data::DescribeJobExecutionResponse;
    /// `iot-jobs-data` GetPendingJobExecutions.
    GetPendingJobExecutions(data::GetPendingJobExecutionsRequest)
        -> data::GetPendingJobExecutionsResponse;
    /// `iot-jobs-data` StartNextPendingJobExecution.
    StartNextPendingJobExecution(data::StartNextPendingJobExecutionRequest)
        -> data::StartNextPendingJobExecutionResponse;
    /// `iot-jobs-data` UpdateJobExecution.
    UpdateJobExecution(data::UpdateJobExecutionRequest) -> data::UpdateJobExecutionResponse;
    /// `iot` CreateThing.
    CreateThing(control::CreateThingRequest) -> control::CreateThingResponse;
    /// `iot` DeleteThing.
    DeleteThing(control::DeleteThingRequest) -> control::Empty;
    /// `iot` CreateThingGroup.
    CreateThingGroup(control::CreateThingGroupRequest) -> control::CreateThingGroupResponse;
    /// `iot` AddThingToThingGroup.
    AddThingToThingGroup(control::AddThingToThingGroupRequest) -> control::Empty;
    /// `iot` RemoveThingFromThingGroup.
    RemoveThingFromThingGroup(control::RemoveThingFromThingGroupRequest) -> control::Empty;
    /// `iot` CreateJob.
    CreateJob(Box<control::CreateJobRequest>) -> control::JobSummaryResponse;
    /// `iot` CancelJob.
    CancelJob(control::CancelJobRequest) -> control::JobSummaryResponse;
    /// `iot` CancelJobExecution.
    CancelJobExecution(control::CancelJobExecutionRequest) -> control::Empty;
    /// `iot` DeleteJobExecution.
    DeleteJobExecution(control::DeleteJobExecutionRequest) -> control::Empty;
    /// `iot` DescribeJobExecution.
    ControlDescribeJobExecution(control::ControlDescribeJobExecutionRequest)
        -> control::ControlDescribeJobExecutionResponse;
    /// `iot` ListJobExecutionsForThing.
    ListJobExecutionsForThing(control::ListJobExecutionsForThingRequest)
        -> control::ListJobExecutionsForThingResponse;
    /// `iot` ListJobExecutionsForJob.
    ListJobExecutionsForJob(control::ListJobExecutionsForJobRequest)
        -> control::ListJobExecutionsForJobResponse;
    /// `iot` DescribeJob.
    DescribeJob(control::DescribeJobRequest) -> Box<control::DescribeJobResponse>;
    /// `iot` DeleteJob.
    DeleteJob(control::DeleteJobRequest) -> control::Empty;
    /// `iot` GetJobDocument.
    GetJobDocument(control::GetJobDocumentRequest) -> control::GetJobDocumentResponse;
    /// `iot` ListJobs.
    ListJobs(control::ListJobsRequest) -> control::ListJobsResponse;
    /// `iot` DescribeThing.
    DescribeThing(control::DescribeThingRequest) -> control::DescribeThingResponse;
    /// `iot` UpdateJob.
    UpdateJob(control::UpdateJobRequest) -> control::Empty;
    /// `iot` AssociateTargetsWithJob.
    AssociateTargetsWithJob(control::AssociateTargetsWithJobRequest)
        -> control::JobSummaryResponse;
}

fn read<T: serde::de::DeserializeOwned>(op: Operation, input: &Value) -> Result<T, ServiceError> {
    // The fast path; only a refused input is read again to find the member at fault.
    if let Ok(value) = T::deserialize(input) {
        return Ok(value);
    }
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        ServiceError::invalid_request(format!("{} request: {at}{inner}", op.name()))
    })
}

impl Response {
    /// The response as the JSON AWS sends.
    pub fn to_json(&self) -> Value {
        crate::wire::to_json(self)
    }
}

impl Request {
    /// The request as JSON, with path and query members as plain members.
    pub fn to_json(&self) -> Value {
        crate::wire::to_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_reads_and_writes_the_same_members() {
        let input = json!({"thingName": "t1", "jobId": "j1", "status": "IN_PROGRESS",
                           "expectedVersion": 2, "statusDetails": {"a": "b"}});
        let request = Request::decode(Operation::UpdateJobExecution, &input).unwrap();
        assert_eq!(request.to_json(), input);
    }
}
