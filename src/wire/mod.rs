//! Requests and responses exactly as AWS's service models declare them: the same member
//! names, the same types, and `null` or a missing member meaning "absent".
//!
//! [`data`] holds `iot-jobs-data` (the device plane), [`control`] holds `iot`. Path and
//! query members (`thingName`, `force`, ...) are plain members, as in a trace's `input`.
//!
//! ```
//! use iot_jobs_spec::wire::data::{UpdateJobExecutionRequest, UpdateJobExecutionResponse};
//! use iot_jobs_spec::JobExecutionStatus;
//!
//! // What an SDK sends...
//! let req: UpdateJobExecutionRequest = serde_json::from_str(
//!     r#"{"thingName": "t1", "jobId": "j1", "status": "SUCCEEDED", "expectedVersion": 2,
//!         "statusDetails": null}"#,
//! ).unwrap();
//! assert_eq!(req.status, JobExecutionStatus::Succeeded);
//! assert_eq!(req.status_details, None); // null means absent
//! // ...and what it parses: absent members are left out.
//! let resp = UpdateJobExecutionResponse::default();
//! assert_eq!(serde_json::to_string(&resp).unwrap(), "{}");
//! ```

pub mod control;
pub mod data;

use std::collections::BTreeMap;

/// `statusDetails`: names to values, kept in key order so output is deterministic.
pub type DetailsMap = BTreeMap<String, String>;

/// A wire value as JSON. The crate's wire types always serialize; `null` stands for one
/// that would not.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
