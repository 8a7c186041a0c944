//! The control plane's job calls: CreateJob, CancelJob, CancelJobExecution,
//! DeleteJobExecution, DescribeJobExecution, the two List calls, DescribeJob, DeleteJob,
//! GetJobDocument and ListJobs (decisions 1b, 2, 20 to 23, 34, 37, 38).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::state::{ExecId, Job, JobId, Rollout, Schedule, ThingId, Timer};
use super::transition::{Change, Subject};
use super::{not_modelled, Service};
use crate::config::{CANCEL_DETAILS_MAX_ENTRIES, DEFAULT_MAX_RESULTS, MAX_JOB_TARGETS};
use crate::error::{Error, ErrorCode, ServiceError};
use crate::rules::{Cause, Refusal};
use crate::status::{JobExecutionStatus, JobStatus, TargetSelection};
use crate::validate::{self, Target};
use crate::wire::control::*;

type Result<T> = std::result::Result<T, Error>;

impl Service {
    /// What CreateJob, CancelJob and AssociateTargetsWithJob answer: the job's ARN, id
    /// and description.
    fn job_summary(&self, job_id: String, description: Option<String>) -> JobSummaryResponse {
        JobSummaryResponse {
            job_arn: self.config.job_arn(&job_id),
            job_id,
            description,
        }
    }

    fn require_job(&self, job: &str) -> std::result::Result<JobId, ServiceError> {
        self.state
            .job_id(job)
            .ok_or_else(|| ServiceError::not_found(format!("job '{job}' does not exist")))
    }

    /// Decisions 1b and 2, checked in the order of details, CreateJob.
    pub(super) fn create_job(&mut self, r: CreateJobRequest) -> Result<JobSummaryResponse> {
        // 1. The request's validity.
        validate::job_id("jobId", &r.job_id)?;
        if r.targets.is_empty() {
            return Err(ServiceError::invalid_request("targets must hold at least one ARN").into());
        }
        let targets = r
            .targets
            .iter()
            .map(|arn| validate::target_arn("targets", arn))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // The document is parsed once, here: MQTT carries it parsed (decision 1b).
        let document_json = match (&r.document, &r.document_source) {
            (Some(doc), _) => validate::parse_document(doc)?,
            (None, None) => {
                return Err(ServiceError::invalid_request("give document or documentSource").into())
            }
            // Refused below: documentSource is outside the model.
            (None, Some(_)) => serde_json::Value::Null,
        };
        if let Some(d) = &r.description {
            validate::free_text("description", d, 2028)?;
        }
        job_configs(
            r.timeout_config.as_ref(),
            r.job_executions_retry_config.as_ref(),
            r.abort_config.as_ref(),
            r.job_executions_rollout_config.as_ref(),
        )?;
        let (start_at, end_at) = match &r.scheduling_config {
            Some(c) => validate::scheduling(c, self.now)?,
            None => (None, None),
        };
        // 2. Features outside the model.
        not_modelled(
            r.document_source.as_ref(),
            "documentSource",
            "documentSource",
        )?;
        not_modelled(
            r.presigned_url_config.as_ref(),
            "presigned URLs",
            "presignedUrlConfig",
        )?;
        // Decision 33: maintenance windows, an empty list included.
        not_modelled(
            r.scheduling_config
                .as_ref()
                .and_then(|c| c.maintenance_windows.as_ref()),
            "maintenance windows",
            "schedulingConfig.maintenanceWindows",
        )?;
        not_modelled(r.namespace_id.as_ref(), "namespaces", "namespaceId")?;
        not_modelled(
            r.job_template_arn.as_ref(),
            "job templates",
            "jobTemplateArn",
        )?;
        not_modelled(
            r.document_parameters.as_ref(),
            "job templates",
            "documentParameters",
        )?;
        not_modelled(
            r.destination_package_versions.as_ref(),
            "software package versions",
            "destinationPackageVersions",
        )?;
        // 3. The job id in use.
        if self.state.job_id(&r.job_id).is_some() {
            return Err(ServiceError::new(
                ErrorCode::ResourceAlreadyExistsException,
                format!("job '{}' already exists", r.job_id),
            )
            .into());
        }
        // 4. Unknown targets, checked in order while resolving them to things: targets in
        // order, a group's members in thing creation order, each thing once.
        let missing = |kind: &str, name: &str| {
            ServiceError::not_found(format!("target {kind} '{name}' does not exist"))
        };
        let mut things: Vec<ThingId> = Vec::new();
        let mut target_things = BTreeSet::new();
        let mut target_groups = BTreeSet::new();
        for t in &targets {
            match t {
                Target::Thing(n) => {
                    things.push(self.state.thing_id(n).ok_or_else(|| missing("thing", n))?);
                    target_things.insert(n.clone());
                }
                Target::ThingGroup(g) => {
                    let group = self
                        .state
                        .groups
                        .get(g)
                        .ok_or_else(|| missing("thing group", g))?;
                    things.extend(self.state.members_in_creation_order(group));
                    target_groups.insert(g.clone());
                }
            }
        }
        let mut seen = BTreeSet::new();
        things.retain(|&t| seen.insert(t));
        let now = self.now;
        let seq = self.state.next_seq();
        // Decision 31: a job with a startTime waits SCHEDULED; its timers are set now, the
        // start before the end.
        let scheduled = start_at.is_some();
        let schedule = match r.scheduling_config {
            Some(config) => {
                let mut timer = |at: Option<u64>| {
                    at.map(|deadline| Timer {
                        deadline,
                        seq: self.state.next_seq(),
                    })
                };
                let start = timer(start_at);
                let end = timer(end_at);
                Some(Box::new(Schedule {
                    end_behavior: config.end_behavior.unwrap_or_default(),
                    config,
                    start,
                    end,
                    end_at,
                    stopped: false,
                }))
            }
            None => None,
        };
        let job = Job {
            seq,
            document: Arc::from(r.document.unwrap_or_default()),
            document_json: Arc::new(document_json),
            selection: r.target_selection.unwrap_or_default(),
            status: if scheduled {
                JobStatus::Scheduled
            } else {
                JobStatus::InProgress
            },
            in_progress_minutes: r
                .timeout_config
                .as_ref()
                .and_then(|t| t.in_progress_timeout_in_minutes),
            retry: r.job_executions_retry_config,
            targets: r.targets,
            target_things,
            target_groups,
            description: r.description.clone(),
            created_at: now,
            last_updated_at: now,
            completed_at: None,
            force_canceled: None,
            reason_code: None,
            comment: None,
            abort: r.abort_config,
            rollout: r
                .job_executions_rollout_config
                .map(|config| Box::new(Rollout::new(config))),
            schedule,
            deleted: false,
        };
        let job_id = self.state.insert_job(&r.job_id, job);
        self.set_job_timers(job_id);
        if scheduled {
            // Targets resolve when the job starts (decision 32).
            return Ok(self.job_summary(r.job_id, r.description));
        }
        self.queue_targets(job_id, things);
        // Decision 2 (CHOICE): a SNAPSHOT job that reaches no thing completes at once.
        self.maybe_complete(job_id);
        Ok(self.job_summary(r.job_id, r.description))
    }

    /// Decision 21.
    pub(super) fn cancel_job(&mut self, r: CancelJobRequest) -> Result<JobSummaryResponse> {
        validate::job_id("jobId", &r.job_id)?;
        if let Some(c) = &r.reason_code {
            validate::reason_code(c)?;
        }
        if let Some(c) = &r.comment {
            validate::free_text("comment", c, 2028)?;
        }
        let job_id = self.require_job(&r.job_id)?;
        let job = self.state.job(job_id);
        if !matches!(job.status, JobStatus::InProgress | JobStatus::Scheduled) {
            return Err(ServiceError::invalid_request(format!(
                "job '{}' is {} and cannot be canceled",
                r.job_id, job.status
            ))
            .into());
        }
        let force = r.force.unwrap_or(false);
        // The job is CANCELED first, so the executions it ends leave it CANCELED, not
        // COMPLETED (decision 23 completes only an IN_PROGRESS job).
        let now = self.now;
        let job = self.state.job_mut(job_id);
        job.status = JobStatus::Canceled;
        job.force_canceled = Some(force);
        job.reason_code = r.reason_code;
        job.comment = r.comment;
        job.last_updated_at = now;
        let description = job.description.clone();
        self.cancel_pending(job_id, Cause::CancelJob, force);
        Ok(self.job_summary(r.job_id, description))
    }

    /// Decision 20: expectedVersion first, then terminal, then IN_PROGRESS needs force.
    pub(super) fn cancel_execution(&mut self, r: CancelJobExecutionRequest) -> Result<Empty> {
        validate::job_id("jobId", &r.job_id)?;
        validate::thing_name("thingName", &r.thing_name)?;
        if let Some(d) = &r.status_details {
            validate::status_details("statusDetails", d, Some(CANCEL_DETAILS_MAX_ENTRIES))?;
        }
        let thing = self.thing_for_executions(&r.thing_name)?;
        let id = self.find_execution(thing, &r.job_id, None)?;
        let e = self.state.exec(id);
        if let Some(v) = r.expected_version {
            if v != e.version {
                return Err(ServiceError::new(
                    ErrorCode::VersionConflictException,
                    format!(
                        "expectedVersion {v} does not match the execution's versionNumber {}",
                        e.version
                    ),
                )
                .into());
            }
        }
        let from = e.status();
        let change = Change {
            details: r.status_details,
            step_minutes: None,
        };
        let canceled = self.transition(
            Subject::Existing(id),
            Some(JobExecutionStatus::Canceled),
            Cause::CancelJobExecution,
            r.force.unwrap_or(false),
            change,
        );
        match canceled {
            Ok(_) => Ok(Empty {}),
            Err(Refusal::Terminal) => Err(ServiceError::invalid_transition(format!(
                "the execution is {from}, a terminal status, and cannot be canceled"
            ))
            .into()),
            Err(Refusal::Condition(_)) => Err(ServiceError::invalid_transition(format!(
                "the execution is {from}; canceling it needs force"
            ))
            .into()),
            Err(why) => Err(ServiceError::invalid_transition(format!(
                "the execution is {from} and cannot be canceled: {why}"
            ))
            .into()),
        }
    }

    /// Decision 22.
    pub(super) fn delete_execution(&mut self, r: DeleteJobExecutionRequest) -> Result<Empty> {
        validate::job_id("jobId", &r.job_id)?;
        validate::thing_name("thingName", &r.thing_name)?;
        not_modelled(r.namespace_id.as_ref(), "namespaces", "namespaceId")?;
        let thing = self.thing_for_executions(&r.thing_name)?;
        let id = self.find_execution(thing, &r.job_id, Some(r.execution_number))?;
        let from = self.state.exec(id).status();
        let deleted = self.transition(
            Subject::Existing(id),
            None,
            Cause::DeleteJobExecution,
            r.force.unwrap_or(false),
            Change::default(),
        );
        match deleted {
            Ok(_) => Ok(Empty {}),
            Err(Refusal::Condition(_)) => Err(ServiceError::invalid_transition(format!(
                "the execution is {from}; deleting it needs force"
            ))
            .into()),
            Err(why) => Err(ServiceError::invalid_transition(format!(
                "the execution is {from} and cannot be deleted: {why}"
            ))
            .into()),
        }
    }

    /// The control plane's DescribeJobExecution: terminal executions are described too.
    pub(super) fn control_describe(
        &mut self,
        r: ControlDescribeJobExecutionRequest,
    ) -> Result<ControlDescribeJobExecutionResponse> {
        validate::job_id("jobId", &r.job_id)?;
        validate::thing_name("thingName", &r.thing_name)?;
        let thing = self.thing_for_executions(&r.thing_name)?;
        let id = self.find_execution(thing, &r.job_id, r.execution_number)?;
        Ok(ControlDescribeJobExecutionResponse {
            execution: self.control_execution(id),
        })
    }

    /// The List calls' `status` filter: every execution when none is given.
    fn in_status(&self, status: Option<JobExecutionStatus>) -> impl Fn(&ExecId) -> bool + '_ {
        move |&id| status.is_none_or(|s| self.state.exec(id).status() == s)
    }

    /// Details, lists: oldest first; maxResults 1..250; nextToken a decimal offset.
    pub(super) fn list_for_thing(
        &mut self,
        r: ListJobExecutionsForThingRequest,
    ) -> Result<ListJobExecutionsForThingResponse> {
        validate::thing_name("thingName", &r.thing_name)?;
        if let Some(j) = &r.job_id {
            validate::job_id("jobId", j)?;
        }
        if let Some(m) = r.max_results {
            validate::max_results(m)?;
        }
        not_modelled(r.namespace_id.as_ref(), "namespaces", "namespaceId")?;
        let thing = self.thing_for_executions(&r.thing_name)?;
        let status = self.in_status(r.status);
        let (ids, next_token) = match r.job_id.as_deref() {
            None => page(
                self.state.executions_on(thing).filter(status),
                r.max_results,
                &r.next_token,
            )?,
            // A jobId no job has lists nothing.
            Some(job) => {
                let history = self
                    .state
                    .job_id(job)
                    .and_then(|j| self.state.history_of(thing, j));
                let ids = history.into_iter().flat_map(|h| h.ids()).filter(status);
                page(ids, r.max_results, &r.next_token)?
            }
        };
        Ok(ListJobExecutionsForThingResponse {
            execution_summaries: ids
                .into_iter()
                .map(|id| JobExecutionSummaryForThing {
                    job_id: self.state.job_name(self.state.exec(id).job).to_owned(),
                    job_execution_summary: self.control_summary(id),
                })
                .collect(),
            next_token,
        })
    }

    /// Details, lists: oldest first, deleted things' executions included.
    pub(super) fn list_for_job(
        &mut self,
        r: ListJobExecutionsForJobRequest,
    ) -> Result<ListJobExecutionsForJobResponse> {
        validate::job_id("jobId", &r.job_id)?;
        if let Some(m) = r.max_results {
            validate::max_results(m)?;
        }
        let job_id = self.require_job(&r.job_id)?;
        let ids = self
            .state
            .executions_of(job_id)
            .filter(self.in_status(r.status));
        let (ids, next_token) = page(ids, r.max_results, &r.next_token)?;
        Ok(ListJobExecutionsForJobResponse {
            execution_summaries: ids
                .into_iter()
                .map(|id| JobExecutionSummaryForJob {
                    thing_arn: self
                        .config
                        .thing_arn(self.state.thing_name(self.state.exec(id).thing)),
                    job_execution_summary: self.control_summary(id),
                })
                .collect(),
            next_token,
        })
    }

    /// Decision 34: DeleteJob. The job is marked deleted first, so that no execution's
    /// deletion completes it; then every execution goes by its row of the table, in one
    /// pass over the job's executions in creation order; then the job's list is emptied
    /// once. The things that had a pending execution are told in that order.
    pub(super) fn delete_job(&mut self, r: DeleteJobRequest) -> Result<Empty> {
        validate::job_id("jobId", &r.job_id)?;
        not_modelled(r.namespace_id.as_ref(), "namespaces", "namespaceId")?;
        let job_id = self.require_job(&r.job_id)?;
        let status = self.state.job(job_id).status;
        let force = r.force.unwrap_or(false);
        if matches!(status, JobStatus::InProgress | JobStatus::Scheduled) && !force {
            return Err(ServiceError::invalid_transition(format!(
                "job '{}' is {status}; deleting it needs force",
                r.job_id
            ))
            .into());
        }
        self.state.job_mut(job_id).deleted = true;
        self.state.drop_job_timers(job_id);
        // Decision 34 (DOC): the messages follow the order the executions were created.
        self.state.order_touches_from_here();
        let ids: Vec<ExecId> = self.state.executions_of(job_id).collect();
        let mut things: Vec<ThingId> = Vec::new();
        for id in ids {
            let thing = self.state.exec(id).thing;
            if things.last() != Some(&thing) {
                things.push(thing);
            }
            let deleted = self.transition(
                Subject::Existing(id),
                None,
                Cause::DeleteJob,
                force,
                Change::default(),
            );
            debug_assert!(deleted.is_ok(), "{deleted:?}");
        }
        things.sort_unstable();
        things.dedup();
        self.state.forget_job_executions(job_id, &things);
        self.state.unindex_continuous(job_id);
        Ok(Empty {})
    }

    /// Decision 35: UpdateJob, checked in order; a given member replaces the stored one.
    pub(super) fn update_job(&mut self, r: UpdateJobRequest) -> Result<Empty> {
        // 1. The request's validity.
        validate::job_id("jobId", &r.job_id)?;
        let given = r.description.is_some()
            || r.presigned_url_config.is_some()
            || r.job_executions_rollout_config.is_some()
            || r.abort_config.is_some()
            || r.timeout_config.is_some()
            || r.job_executions_retry_config.is_some();
        if !given {
            return Err(ServiceError::invalid_request(format!(
                "the UpdateJob request for job '{}' sets no member to update",
                r.job_id
            ))
            .into());
        }
        if let Some(d) = &r.description {
            validate::free_text("description", d, 2028)?;
        }
        job_configs(
            r.timeout_config.as_ref(),
            r.job_executions_retry_config.as_ref(),
            r.abort_config.as_ref(),
            r.job_executions_rollout_config.as_ref(),
        )?;
        // 2. Features outside the model.
        not_modelled(
            r.presigned_url_config.as_ref(),
            "presigned URLs",
            "presignedUrlConfig",
        )?;
        not_modelled(r.namespace_id.as_ref(), "namespaces", "namespaceId")?;
        // 3. The job, and its status (CHOICE: the model declares no state error).
        let job_id = self.require_job(&r.job_id)?;
        let job = self.state.job(job_id);
        if matches!(job.status, JobStatus::Canceled | JobStatus::Completed) {
            return Err(ServiceError::invalid_request(format!(
                "job '{}' is {} and cannot be updated",
                r.job_id, job.status
            ))
            .into());
        }
        // 4. A retry config only lowers the job's own criteria to 0 (DOC for "only 0").
        if let Some(new) = &r.job_executions_retry_config {
            let Some(old) = &job.retry else {
                return Err(ServiceError::invalid_request(format!(
                    "job '{}' was created without jobExecutionsRetryConfig; UpdateJob cannot add one",
                    r.job_id
                ))
                .into());
            };
            let types = |c: &JobExecutionsRetryConfig| {
                c.criteria_list
                    .iter()
                    .map(|c| c.failure_type)
                    .collect::<BTreeSet<_>>()
            };
            if types(new) != types(old) {
                return Err(ServiceError::invalid_request(
                    "jobExecutionsRetryConfig must name the failure types the job was created with",
                )
                .into());
            }
            if let Some(c) = new.criteria_list.iter().find(|c| c.number_of_retries != 0) {
                return Err(ServiceError::invalid_request(format!(
                    "jobExecutionsRetryConfig: numberOfRetries of {} can only be set to 0; got {}",
                    c.failure_type, c.number_of_retries
                ))
                .into());
            }
        }
        let now = self.now;
        let check = r.abort_config.is_some();
        let job = self.state.job_mut(job_id);
        if let Some(d) = r.description {
            job.description = Some(d);
        }
        if let Some(t) = r.timeout_config {
            // Executions already IN_PROGRESS keep their deadline (DOC).
            job.in_progress_minutes = t.in_progress_timeout_in_minutes;
        }
        if let Some(retry) = r.job_executions_retry_config {
            job.retry = Some(retry);
        }
        if let Some(abort) = r.abort_config {
            job.abort = Some(abort);
        }
        // Decision 28 (CHOICE): from the next batch on, the count c kept.
        if let Some(config) = r.job_executions_rollout_config {
            match job.rollout.as_deref_mut() {
                Some(rollout) => rollout.config = config,
                None => job.rollout = Some(Box::new(Rollout::new(config))),
            }
        }
        job.last_updated_at = now;
        if check {
            self.check_abort(job_id);
        }
        Ok(Empty {})
    }

    /// Decision 36: AssociateTargetsWithJob, checked in order; the added groups' members
    /// join the job as decision 2's joins do, not rate-limited.
    pub(super) fn associate_targets(
        &mut self,
        r: AssociateTargetsWithJobRequest,
    ) -> Result<JobSummaryResponse> {
        // 1. The request's validity.
        validate::job_id("jobId", &r.job_id)?;
        if r.targets.is_empty() {
            return Err(ServiceError::invalid_request(
                "targets must hold at least one thing-group ARN",
            )
            .into());
        }
        let mut groups: Vec<String> = Vec::with_capacity(r.targets.len());
        for arn in &r.targets {
            match validate::target_arn("targets", arn)? {
                Target::ThingGroup(g) => groups.push(g),
                Target::Thing(_) => {
                    return Err(ServiceError::invalid_request(format!(
                        "targets: '{arn}' is a thing ARN; AssociateTargetsWithJob takes \
                         thing-group ARNs"
                    ))
                    .into())
                }
            }
        }
        if let Some(c) = &r.comment {
            validate::free_text("comment", c, 2028)?;
        }
        // 2. Features outside the model.
        not_modelled(r.namespace_id.as_ref(), "namespaces", "namespaceId")?;
        // 3. The job, then the groups.
        let job_id = self.require_job(&r.job_id)?;
        if let Some(g) = groups.iter().find(|g| !self.state.groups.contains_key(*g)) {
            return Err(
                ServiceError::not_found(format!("thing group '{g}' does not exist")).into(),
            );
        }
        // 4. The job's kind and status (MODEL; CHOICE for the code).
        let job = self.state.job(job_id);
        if job.selection != TargetSelection::Continuous || job.status != JobStatus::InProgress {
            return Err(ServiceError::invalid_request(format!(
                "job '{}' is a {} job in status {}; targets are associated only with a \
                 CONTINUOUS job that is IN_PROGRESS",
                r.job_id, job.selection, job.status
            ))
            .into());
        }
        // 5. The limit, counting distinct targets after adding (MODEL for 100).
        let mut added: Vec<(String, &String)> = Vec::new();
        for (g, arn) in groups.into_iter().zip(&r.targets) {
            if !job.target_groups.contains(&g) && !added.iter().any(|(a, _)| *a == g) {
                added.push((g, arn));
            }
        }
        let distinct = job.target_things.len() + job.target_groups.len() + added.len();
        if distinct > MAX_JOB_TARGETS {
            return Err(ServiceError::new(
                ErrorCode::LimitExceededException,
                format!(
                    "job '{}' would have {distinct} targets; at most {MAX_JOB_TARGETS} are allowed",
                    r.job_id
                ),
            )
            .into());
        }
        let now = self.now;
        let added: Vec<(String, String)> =
            added.into_iter().map(|(g, arn)| (g, arn.clone())).collect();
        let job = self.state.job_mut(job_id);
        for (g, arn) in &added {
            job.targets.push(arn.clone());
            job.target_groups.insert(g.clone());
        }
        if let Some(c) = r.comment {
            job.comment = Some(c);
        }
        job.last_updated_at = now;
        let description = job.description.clone();
        for (g, _) in &added {
            self.state
                .continuous_by_group
                .entry(g.clone())
                .or_default()
                .insert(job_id);
        }
        // Each member of each added group, groups in request order and members in
        // thing-creation order, joins: a new execution unless its newest is pending; none
        // after a STOP_ROLLOUT end (decision 32), which still records the targets.
        let stopped = self
            .state
            .job(job_id)
            .schedule
            .as_ref()
            .is_some_and(|s| s.stopped);
        for (g, _) in added.iter().filter(|_| !stopped) {
            let members = match self.state.groups.get(g) {
                Some(group) => self.state.members_in_creation_order(group),
                None => Vec::new(),
            };
            for thing in members {
                let pending = self
                    .state
                    .newest(thing, job_id)
                    .is_some_and(|id| self.state.exec(id).status().is_pending());
                if pending {
                    continue;
                }
                // Queued at once, it leaves the rollout list if it waits there (decision
                // 28: associations are not rate-limited), or a later batch would queue it
                // a second time.
                self.state.leave_rollout(job_id, thing);
                // A new execution starts with full retry budgets (Details, retries).
                self.state.things[thing as usize]
                    .retries_spent
                    .remove(&job_id);
                self.queue_new(job_id, thing, Cause::AssociateTargetsWithJob);
            }
        }
        Ok(self.job_summary(r.job_id, description))
    }

    /// Decision 37: the document exactly as CreateJob received it.
    pub(super) fn get_job_document(
        &mut self,
        r: GetJobDocumentRequest,
    ) -> Result<GetJobDocumentResponse> {
        validate::job_id("jobId", &r.job_id)?;
        let job_id = self.require_job(&r.job_id)?;
        Ok(GetJobDocumentResponse {
            document: Some(self.state.job(job_id).document.to_string()),
        })
    }

    /// Decision 28: whether the job is rolling out executions: IN_PROGRESS with targets
    /// waiting in its rollout list.
    fn is_concurrent(&self, job: JobId) -> bool {
        self.state.job(job).status == JobStatus::InProgress && self.state.rolling_out(job)
    }

    /// Decision 38: ListJobs, newest first, deleted jobs left out.
    pub(super) fn list_jobs(&mut self, r: ListJobsRequest) -> Result<ListJobsResponse> {
        if let Some(g) = &r.thing_group_name {
            validate::thing_group_name("thingGroupName", g)?;
        }
        if let Some(g) = &r.thing_group_id {
            validate::thing_group_id("thingGroupId", g)?;
        }
        if let Some(m) = r.max_results {
            validate::max_results(m)?;
        }
        if let Some(t) = &r.next_token {
            validate::next_token(t)?;
        }
        not_modelled(r.namespace_id.as_ref(), "namespaces", "namespaceId")?;
        let missing = |what: String| ServiceError::not_found(format!("{what} does not exist"));
        if let Some(g) = &r.thing_group_name {
            if !self.state.groups.contains_key(g) {
                return Err(missing(format!("thing group '{g}'")).into());
            }
        }
        let by_id = match &r.thing_group_id {
            Some(id) => Some(
                self.group_named_by_id(id)
                    .ok_or_else(|| missing(format!("thing group with id '{id}'")))?,
            ),
            None => None,
        };
        let groups: Vec<&str> = r
            .thing_group_name
            .as_deref()
            .into_iter()
            .chain(by_id.as_deref())
            .collect();
        let jobs = (0..self.state.jobs.len() as JobId).rev().filter(|&id| {
            let job = self.state.job(id);
            !job.deleted
                && r.status.is_none_or(|s| job.status == s)
                && r.target_selection.is_none_or(|t| job.selection == t)
                && groups.iter().all(|g| job.target_groups.contains(*g))
        });
        let (ids, next_token) = page(jobs, r.max_results, &r.next_token)?;
        let jobs = ids
            .into_iter()
            .map(|id| {
                let job = self.state.job(id);
                let name = self.state.job_name(id);
                JobSummary {
                    job_arn: self.config.job_arn(name),
                    job_id: name.to_owned(),
                    target_selection: job.selection,
                    status: job.status,
                    created_at: job.created_at,
                    last_updated_at: job.last_updated_at,
                    completed_at: job.completed_at,
                    is_concurrent: self.is_concurrent(id),
                }
            })
            .collect();
        Ok(ListJobsResponse { jobs, next_token })
    }

    /// DescribeJob: the job, and per status the number of things whose newest execution
    /// is in it.
    pub(super) fn describe_job(&mut self, r: DescribeJobRequest) -> Result<DescribeJobResponse> {
        validate::job_id("jobId", &r.job_id)?;
        let job_id = self.require_job(&r.job_id)?;
        let (job, counts) = (self.state.job(job_id), self.state.job_execs(job_id));
        let count = |s: JobExecutionStatus| {
            let i = JobExecutionStatus::ALL
                .iter()
                .position(|&x| x == s)
                .unwrap_or(0);
            i32::try_from(counts.newest_by_status[i]).unwrap_or(i32::MAX)
        };
        let d = JobProcessDetails {
            number_of_canceled_things: count(JobExecutionStatus::Canceled),
            number_of_succeeded_things: count(JobExecutionStatus::Succeeded),
            number_of_failed_things: count(JobExecutionStatus::Failed),
            number_of_rejected_things: count(JobExecutionStatus::Rejected),
            number_of_queued_things: count(JobExecutionStatus::Queued),
            number_of_in_progress_things: count(JobExecutionStatus::InProgress),
            number_of_removed_things: count(JobExecutionStatus::Removed),
            number_of_timed_out_things: count(JobExecutionStatus::TimedOut),
            processing_targets: self
                .is_concurrent(job_id)
                .then(|| Box::new(job.targets.clone())),
        };
        Ok(DescribeJobResponse {
            job: crate::wire::control::Job {
                job_arn: self.config.job_arn(&r.job_id),
                job_id: r.job_id.clone(),
                target_selection: job.selection,
                status: job.status,
                force_canceled: job.force_canceled,
                reason_code: job.reason_code.clone(),
                comment: job.comment.clone(),
                targets: job.targets.clone(),
                description: job.description.clone(),
                created_at: job.created_at,
                last_updated_at: job.last_updated_at,
                completed_at: job.completed_at,
                job_process_details: d,
                is_concurrent: self.is_concurrent(job_id),
                job_executions_rollout_config: job
                    .rollout
                    .as_ref()
                    .map(|r| Box::new(r.config.clone())),
                timeout_config: job.in_progress_minutes.map(|m| TimeoutConfig {
                    in_progress_timeout_in_minutes: Some(m),
                }),
                job_executions_retry_config: job.retry.clone(),
                abort_config: job.abort.clone().map(Box::new),
                scheduling_config: job.schedule.as_ref().map(|s| Box::new(s.config.clone())),
            },
        })
    }
}

/// One page of `items` (in the list's order), read without collecting the rest: skip the
/// token's offset, take the page, and ask for one more to know whether a `nextToken` is
/// due.
fn page<T>(
    mut items: impl Iterator<Item = T>,
    max_results: Option<i32>,
    next_token: &Option<String>,
) -> std::result::Result<(Vec<T>, Option<String>), ServiceError> {
    let size = usize::try_from(max_results.unwrap_or(DEFAULT_MAX_RESULTS)).unwrap_or(1);
    let start = match next_token {
        Some(t) => validate::next_token(t)?,
        None => 0,
    };
    items.by_ref().take(start).for_each(drop);
    let page: Vec<T> = items.by_ref().take(size).collect();
    // A token at or past the end of the list is none this service gave (it gives none at
    // the end); the first page of an empty list is empty.
    if page.is_empty() && start > 0 {
        return Err(ServiceError::invalid_request(format!(
            "nextToken '{start}' is not a token this service gave"
        )));
    }
    let next = items
        .next()
        .is_some()
        .then(|| (start + page.len()).to_string());
    Ok((page, next))
}

/// The job configurations CreateJob and UpdateJob share, checked in this order: the
/// in-progress timeout (decision 15), retries (18), abort (30), rollout (27).
fn job_configs(
    timeout: Option<&TimeoutConfig>,
    retry: Option<&JobExecutionsRetryConfig>,
    abort: Option<&AbortConfig>,
    rollout: Option<&JobExecutionsRolloutConfig>,
) -> std::result::Result<(), ServiceError> {
    if let Some(m) = timeout.and_then(|t| t.in_progress_timeout_in_minutes) {
        validate::in_progress_timeout(m)?;
    }
    if let Some(retry) = retry {
        validate::retry_config(retry)?;
    }
    if let Some(abort) = abort {
        validate::abort_config(abort)?;
    }
    if let Some(rollout) = rollout {
        validate::rollout_config(rollout)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::page;

    fn token(t: Option<usize>) -> Option<String> {
        t.map(|t| t.to_string())
    }

    #[test]
    fn pages_cover_the_list_once_in_order() {
        for len in [0usize, 1, 2, 5, 6, 17] {
            for size in [1i32, 2, 5, 250] {
                let (mut seen, mut next) = (Vec::new(), None);
                for _ in 0..=len {
                    let (ids, n) = page(0..len, Some(size), &next).unwrap();
                    assert!(ids.len() <= size as usize);
                    seen.extend(ids);
                    next = n;
                    if next.is_none() {
                        break;
                    }
                }
                assert_eq!(next, None, "len {len} size {size}: the pages never end");
                assert_eq!(seen, (0..len).collect::<Vec<_>>(), "len {len} size {size}");
            }
        }
    }

    #[test]
    fn a_token_past_the_end_or_at_it_is_refused() {
        assert!(page(0..5usize, Some(2), &token(Some(6))).is_err());
        assert!(page(0..5usize, Some(2), &token(Some(5))).is_err());
        assert_eq!(
            page(0..5usize, Some(2), &token(Some(4))).unwrap(),
            (vec![4], None)
        );
        assert_eq!(
            page(0..5usize, Some(2), &token(Some(2))).unwrap(),
            (vec![2, 3], Some("4".into()))
        );
        // An empty list's first page is empty, and no error.
        assert_eq!(page(0..0usize, None, &None).unwrap(), (vec![], None));
        assert!(page(0..0usize, None, &token(Some(0))).is_ok());
    }
}
