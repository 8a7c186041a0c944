//! The device data plane (`iot-jobs-data`): DescribeJobExecution, GetPendingJobExecutions,
//! StartNextPendingJobExecution and UpdateJobExecution (decisions 5 to 17).

use super::state::{ExecId, ThingId};
use super::transition::{Change, Subject};
use super::Service;
use crate::config::CANCEL_STEP_TIMER;
use crate::error::{ErrorCode, ServiceError};
use crate::rules::{Cause, Refusal};
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

    /// Decision 40 (CHOICE): the thing a call addressing executions by thing name means.
    /// While no thing of that name exists, ResourceNotFoundException (decision 1), even
    /// though a deleted thing's executions are kept; with
    /// [`crate::config::Switches::deleted_thing_executions_by_name`], the executions a
    /// thing of that name ever had.
    pub(super) fn thing_for_executions(&self, thing: &str) -> Result<ThingId> {
        if self.config.switches.deleted_thing_executions_by_name {
            if let Some(id) = self.state.known_thing(thing) {
                return Ok(id);
            }
        }
        self.require_thing(thing)
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
        let thing = self.thing_for_executions(&r.thing_name)?;
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
        if e.status().is_terminal() {
            return Err(ServiceError::new(
                ErrorCode::TerminalStateException,
                format!(
                    "execution {} of job '{}' on thing '{}' is {}, a terminal status",
                    e.number,
                    r.job_id,
                    r.thing_name,
                    e.status()
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
        let thing = self.thing_for_executions(&r.thing_name)?;
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
        let thing = self.thing_for_executions(&r.thing_name)?;
        let Some(id) = self.state.head(thing) else {
            return Ok(StartNextPendingJobExecutionResponse { execution: None });
        };
        // A QUEUED head starts; an IN_PROGRESS head comes back unchanged (decision 12).
        if self.state.exec(id).status() == JobExecutionStatus::Queued {
            let change = Change {
                details: r.status_details,
                step_minutes: r.step_timeout_in_minutes,
            };
            self.must_transition(
                Subject::Existing(id),
                JobExecutionStatus::InProgress,
                Cause::StartNextPendingJobExecution,
                change,
            );
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
        let thing = self.thing_for_executions(&r.thing_name)?;
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
        let from = e.status();
        let asked = self.ask(
            Subject::Existing(id),
            Some(r.status),
            Cause::UpdateJobExecution,
            false,
        );
        let permit = match asked {
            Ok(permit) => permit,
            Err(why) => {
                let message = match why {
                    Refusal::NoRowTo => format!(
                        "a device cannot set status {}; only the service sets it",
                        r.status
                    ),
                    Refusal::Terminal => {
                        format!("the execution is {from}, a terminal status, and cannot be updated")
                    }
                    Refusal::NoRow | Refusal::Condition(_) => {
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
        let change = Change {
            details: r.status_details,
            step_minutes: r.step_timeout_in_minutes,
        };
        self.take(permit, change);
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
}
