//! How an execution looks on each plane: the data plane's `JobExecution`, summary and
//! state; the control plane's `JobExecution` and summary.

use super::state::{ExecId, Execution};
use super::Service;
use crate::wire::{control, data, DetailsMap};

fn details(map: &DetailsMap) -> Option<DetailsMap> {
    // Decision 1 (INFERRED): an empty map is left out of data-plane and MQTT answers.
    (!map.is_empty()).then(|| map.clone())
}

impl Service {
    /// The `timestamp` of a message published now: logical seconds, the clock's own
    /// reading (every time the service reports is a `u64` of the same clock).
    pub(crate) fn timestamp(&self) -> u64 {
        self.now
    }

    /// Decision 17: seconds left before the effective deadline, while a timer runs.
    pub(crate) fn seconds_before_timed_out(&self, e: &Execution) -> Option<u64> {
        e.timer().map(|t| t.deadline.saturating_sub(self.now))
    }

    /// The data plane's `JobExecution` (HTTP: with `thingName`).
    pub(crate) fn data_execution(&self, id: ExecId, include_document: bool) -> data::JobExecution {
        let e = self.state.exec(id);
        data::JobExecution {
            job_id: Some(self.state.job_name(e.job).to_owned()),
            thing_name: Some(self.state.thing_name(e.thing).to_owned()),
            status: Some(e.status()),
            status_details: details(&e.details),
            queued_at: Some(e.queued_at),
            started_at: e.started_at,
            last_updated_at: Some(e.last_updated_at),
            approximate_seconds_before_timed_out: self.seconds_before_timed_out(e),
            version_number: Some(e.version),
            execution_number: Some(e.number),
            job_document: include_document.then(|| self.state.job(e.job).document.to_string()),
        }
    }

    /// The data plane's `JobExecutionState`.
    pub(crate) fn data_state(&self, id: ExecId) -> data::JobExecutionState {
        let e = self.state.exec(id);
        data::JobExecutionState {
            status: Some(e.status()),
            status_details: details(&e.details),
            version_number: Some(e.version),
        }
    }

    /// The data plane's `JobExecutionSummary`.
    pub(crate) fn data_summary(&self, id: ExecId) -> data::JobExecutionSummary {
        let e = self.state.exec(id);
        data::JobExecutionSummary {
            job_id: Some(self.state.job_name(e.job).to_owned()),
            queued_at: Some(e.queued_at),
            started_at: e.started_at,
            last_updated_at: Some(e.last_updated_at),
            version_number: Some(e.version),
            execution_number: Some(e.number),
        }
    }

    /// The control plane's `JobExecution`.
    pub(crate) fn control_execution(&self, id: ExecId) -> control::ControlJobExecution {
        let e = self.state.exec(id);
        control::ControlJobExecution {
            job_id: self.state.job_name(e.job).to_owned(),
            status: e.status(),
            force_canceled: e.force_canceled,
            // Details, shapes (CHOICE): an empty map shows as `"statusDetails": {}`.
            status_details: control::JobExecutionStatusDetails {
                details_map: details(&e.details),
            },
            thing_arn: self.config.thing_arn(self.state.thing_name(e.thing)),
            queued_at: e.queued_at,
            started_at: e.started_at,
            last_updated_at: e.last_updated_at,
            execution_number: e.number,
            version_number: e.version,
            approximate_seconds_before_timed_out: self.seconds_before_timed_out(e),
        }
    }

    /// The control plane's `JobExecutionSummary`.
    pub(crate) fn control_summary(&self, id: ExecId) -> control::ControlJobExecutionSummary {
        let e = self.state.exec(id);
        control::ControlJobExecutionSummary {
            status: e.status(),
            queued_at: e.queued_at,
            started_at: e.started_at,
            last_updated_at: e.last_updated_at,
            execution_number: e.number,
            retry_attempt: e.retry_attempt,
        }
    }
}
