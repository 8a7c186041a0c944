//! The device data plane (`iot-jobs-data`): DescribeJobExecution, GetPendingJobExecutions,
//! StartNextPendingJobExecution and UpdateJobExecution (decisions 5 to 17).

use super::state::{ExecId, ThingId, Timer};
use super::Service;
use crate::config::CANCEL_STEP_TIMER;
use crate::error::{ErrorCode, ServiceError};
use crate::rules::{self, Cause, DeviceRefusal};
use crate::status::JobExecutionStatus;
use crate::validate;
use crate::wire::data::*;

type Result<T> = std::result::Result<T, ServiceError>;

impl Service {
    /// Decision 1: a data-plane call naming a thing that does not exist.
    pub(super) fn require_thing(&self, thing: &str) -> Result<ThingId> {
        self.state
            .thing_id(thing)
            .ok_or_else(|| ServiceError::not_found(format!("thing '{thing}' does not exist")))
    }

    /// The execution a call means: `executionNumber` when given, else the newest.
    pub(super) fn find_execution(
        &self,
        thing: ThingId,
        job: &str,
        number: Option<i64>,
    ) -> Result<ExecId> {
        // An execution exists only for a job that does.
        let Some(job_id) = self.state.job_id(job) else {
            return Err(ServiceError::not_found(format!(
                "job '{job}' does not exist"
            )));
        };
        let found = match number {
            Some(n) => self.state.numbered(thing, job_id, n),
            None => self.state.newest(thing, job_id),
        };
        found.ok_or_else(|| {
            let thing = self.state.thing_name(thing);
            ServiceError::not_found(match number {
                Some(n) => format!("job '{job}' has no execution number {n} on thing '{thing}'"),
                None => format!("job '{job}' has no execution on thing '{thing}'"),
            })
        })
    }

    /// Decision 13.
    pub(super) fn describe(
        &mut self,
        r: DescribeJobExecutionRequest,
    ) -> Result<DescribeJobExecutionResponse> {
        validate::describe_job_id("jobId", &r.job_id)?;
        validate::thing_name("thingName", &r.thing_name)?;
        let thing = self.require_thing(&r.thing_name)?;
        let include = r.include_job_document.unwrap_or(true);
        if r.job_id == "$next" {
            return Ok(DescribeJobExecutionResponse {
                execution: self
                    .state
                    .head(thing)
                    .map(|id| self.data_execution(id, include)),
            });
        }
        let id = self.find_execution(thing, &r.job_id, r.execution_number)?;
        let e = self.state.exec(id);
        if e.status.is_terminal() {
            return Err(ServiceError::new(
                ErrorCode::TerminalStateException,
                format!(
                    "execution {} of job '{}' on thing '{}' is {}, a terminal status",
                    e.number, r.job_id, r.thing_name, e.status
                ),
            ));
        }
        Ok(DescribeJobExecutionResponse {
            execution: Some(self.data_execution(id, include)),
        })
    }

    /// Decision 14.
    pub(super) fn get_pending(
        &mut self,
        r: GetPendingJobExecutionsRequest,
    ) -> Result<GetPendingJobExecutionsResponse> {
        validate::thing_name("thingName", &r.thing_name)?;
        let thing = self.require_thing(&r.thing_name)?;
        // Each list is built at its size: no vector grows, and no summary is built twice.
        let started = self.listed_in_progress_count(thing);
        let listed = self.listed_pending(thing);
        Ok(GetPendingJobExecutionsResponse {
            in_progress_jobs: listed
                .clone()
                .take(started)
                .map(|id| self.data_summary(id))
                .collect(),
            queued_jobs: listed
                .skip(started)
                .map(|id| self.data_summary(id))
                .collect(),
        })
    }

    /// Decision 12.
    pub(super) fn start_next(
        &mut self,
        r: StartNextPendingJobExecutionRequest,
    ) -> Result<StartNextPendingJobExecutionResponse> {
        validate::thing_name("thingName", &r.thing_name)?;
        if let Some(d) = &r.status_details {
            validate::status_details("statusDetails", d, None)?;
        }
        if let Some(m) = r.step_timeout_in_minutes {
            validate::step_timeout("stepTimeoutInMinutes", m, false)?;
        }
        let thing = self.require_thing(&r.thing_name)?;
        let Some(id) = self.state.head(thing) else {
            return Ok(StartNextPendingJobExecutionResponse { execution: None });
        };
        let from = self.state.exec(id).status;
        let to = JobExecutionStatus::InProgress;
        let sw = self.config.switches;
        if let Some(row) = rules::permits(
            Some(from),
            Some(to),
            Cause::StartNextPendingJobExecution,
            false,
            &sw,
        ) {
            self.took(row, id);
            self.device_change(id, to, r.status_details, r.step_timeout_in_minutes);
        }
        Ok(StartNextPendingJobExecutionResponse {
            execution: Some(self.data_execution(id, true)),
        })
    }

    /// Decisions 5 to 11 and 16, in decision 8's order of checks.
    pub(super) fn update(
        &mut self,
        r: UpdateJobExecutionRequest,
    ) -> Result<UpdateJobExecutionResponse> {
        // 1. The request's own validity.
        if r.job_id == "$next" {
            return Err(ServiceError::invalid_request(
                "jobId '$next' is not allowed on UpdateJobExecution; name the job",
            ));
        }
        validate::job_id("jobId", &r.job_id)?;
        validate::thing_name("thingName", &r.thing_name)?;
        if let Some(d) = &r.status_details {
            validate::status_details("statusDetails", d, None)?;
        }
        if let Some(m) = r.step_timeout_in_minutes {
            validate::step_timeout("stepTimeoutInMinutes", m, true)?;
        }
        // 2. The execution exists.
        let thing = self.require_thing(&r.thing_name)?;
        let id = self.find_execution(thing, &r.job_id, r.execution_number)?;
        let e = self.state.exec(id);
        // 3. expectedVersion (decision 9).
        if let Some(expected) = r.expected_version {
            if expected != e.version {
                let code = self.config.switches.http_version_mismatch;
                return Err(ServiceError::new(
                    code,
                    format!(
                        "expectedVersion {expected} does not match the execution's \
                         versionNumber {}",
                        e.version
                    ),
                )
                .with_state(self.data_state(id)));
            }
        }
        // 4 and 5. The status is the device's to set, and allowed from here (5, 6, 7).
        let from = e.status;
        let row = match rules::device_update(from, r.status, &self.config.switches) {
            Ok(row) => row,
            Err(why) => {
                let message = match why {
                    DeviceRefusal::ServiceStatus => format!(
                        "a device cannot set status {}; only the service sets it",
                        r.status
                    ),
                    DeviceRefusal::Terminal => {
                        format!("the execution is {from}, a terminal status, and cannot be updated")
                    }
                    DeviceRefusal::NotAllowed => {
                        format!(
                            "a device cannot move an execution from {from} to {}",
                            r.status
                        )
                    }
                };
                return Err(
                    ServiceError::invalid_transition(message).with_state(self.data_state(id))
                );
            }
        };
        // Details, updates: -1 with no step timer, after decision 8's checks.
        if r.step_timeout_in_minutes == Some(CANCEL_STEP_TIMER) && e.step_timer.is_none() {
            return Err(ServiceError::invalid_request(
                "stepTimeoutInMinutes -1 cancels the step timer, but none is running",
            ));
        }
        self.took(row, id);
        self.device_change(id, r.status, r.status_details, r.step_timeout_in_minutes);
        Ok(UpdateJobExecutionResponse {
            execution_state: r
                .include_job_execution_state
                .unwrap_or(false)
                .then(|| self.data_state(id)),
            job_document: r.include_job_document.unwrap_or(false).then(|| {
                let e = self.state.exec(id);
                self.state.job(e.job).document.to_string()
            }),
        })
    }

    /// A change the device makes, already permitted by the table: version + 1 (decision
    /// 10), details replaced when given (11), startedAt and the in-progress timer on the
    /// first IN_PROGRESS (15), the step timer when the execution stays IN_PROGRESS (16).
    fn device_change(
        &mut self,
        id: ExecId,
        to: JobExecutionStatus,
        details: Option<crate::wire::DetailsMap>,
        step_minutes: Option<i64>,
    ) {
        let now = self.now;
        let first_start =
            to == JobExecutionStatus::InProgress && self.state.exec(id).started_at.is_none();
        let in_progress_minutes = if first_start {
            self.state.job(self.state.exec(id).job).in_progress_minutes
        } else {
            None
        };
        // The in-progress timer counts as set before a step timer set by the same request.
        let in_progress_timer = match (first_start, in_progress_minutes) {
            (true, Some(m)) => Some(Timer {
                deadline: now.saturating_add(minutes_to_secs(m)),
                seq: self.state.next_seq(),
            }),
            _ => None,
        };
        let step_timer = match step_minutes {
            Some(m) if m > 0 && to == JobExecutionStatus::InProgress => Some(Some(Timer {
                deadline: now.saturating_add(minutes_to_secs(m)),
                seq: self.state.next_seq(),
            })),
            Some(CANCEL_STEP_TIMER) if to == JobExecutionStatus::InProgress => Some(None),
            _ => None,
        };
        self.state.update(id, |e| {
            e.status = to;
            e.version += 1;
            e.last_updated_at = now;
            if let Some(d) = details {
                e.details = d;
            }
            if first_start {
                e.started_at = Some(now);
            }
            if in_progress_timer.is_some() {
                e.in_progress_timer = in_progress_timer;
            }
            if let Some(step) = step_timer {
                e.step_timer = step;
            }
        });
        if to.is_terminal() {
            self.after_end(id);
        }
    }
}

fn minutes_to_secs(m: i64) -> u64 {
    u64::try_from(m).unwrap_or(0) * 60
}
