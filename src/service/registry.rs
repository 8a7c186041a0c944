//! The registry: things, thing groups and membership, and what membership does to
//! CONTINUOUS jobs (decisions 2 and 3).

use std::collections::BTreeSet;

use super::{not_modelled, Service};
use crate::config::THING_VERSION;
use crate::error::{Error, ErrorCode, ServiceError};
use crate::rules::Cause;
use crate::status::{JobExecutionStatus, JobStatus};
use crate::validate::{self, Target};
use crate::wire::control::*;

use super::state::{ExecId, Group, JobId, Thing, ThingId};

type Result<T> = std::result::Result<T, Error>;

fn attributes(payload: &Option<AttributePayload>) -> std::result::Result<(), ServiceError> {
    let Some(attrs) = payload.as_ref().and_then(|p| p.attributes.as_ref()) else {
        return Ok(());
    };
    for (k, v) in attrs {
        let key_ok = !k.is_empty()
            && k.chars().count() <= 128
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.,@/:#-".contains(c));
        let value_ok = v.chars().count() <= 800
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.,@/:#=[]-".contains(c));
        if !key_ok || !value_ok {
            return Err(ServiceError::invalid_request(format!(
                "attributePayload.attributes: '{k}' = '{v}' breaks the attribute name or \
                 value pattern"
            )));
        }
    }
    Ok(())
}

impl Service {
    /// A deterministic, UUID-shaped id: `kind` 1 for things, 2 for groups.
    fn id_for(kind: u8, seq: u64) -> String {
        format!("{seq:08x}-0000-4000-8000-{kind:012x}")
    }

    pub(super) fn create_thing(&mut self, r: CreateThingRequest) -> Result<CreateThingResponse> {
        validate::thing_name("thingName", &r.thing_name)?;
        if let Some(t) = &r.thing_type_name {
            validate::thing_name("thingTypeName", t)?;
        }
        attributes(&r.attribute_payload)?;
        not_modelled(r.thing_type_name.as_ref(), "thing types", "thingTypeName")?;
        not_modelled(
            r.billing_group_name.as_ref(),
            "billing groups",
            "billingGroupName",
        )?;
        let seq = match self.state.thing(&r.thing_name) {
            // Details, registry (MODEL text): the same settings succeed again.
            Some(t) if t.attributes == r.attribute_payload => t.seq,
            Some(_) => {
                return Err(ServiceError::new(
                    ErrorCode::ResourceAlreadyExistsException,
                    format!("thing '{}' exists with other settings", r.thing_name),
                )
                .into())
            }
            None => {
                let seq = self.state.next_seq();
                self.state.register_thing(
                    &r.thing_name,
                    Thing {
                        seq,
                        attributes: r.attribute_payload,
                        groups: BTreeSet::new(),
                    },
                );
                seq
            }
        };
        Ok(CreateThingResponse {
            thing_arn: self.config.thing_arn(&r.thing_name),
            thing_id: Self::id_for(1, seq),
            thing_name: r.thing_name,
        })
    }

    /// Decision 3 (CHOICE): the thing's QUEUED executions of every job become REMOVED;
    /// its executions stay as history.
    pub(super) fn delete_thing(&mut self, r: DeleteThingRequest) -> Result<Empty> {
        validate::thing_name("thingName", &r.thing_name)?;
        let thing = self.require_thing(&r.thing_name)?;
        if let Some(v) = r.expected_version {
            if v != THING_VERSION {
                return Err(ServiceError::new(
                    ErrorCode::VersionConflictException,
                    format!(
                        "expectedVersion {v} does not match the thing's version {THING_VERSION}"
                    ),
                )
                .into());
            }
        }
        let mut queued: Vec<_> = self
            .state
            .pending_of(thing)
            .filter(|&id| self.state.exec(id).status() == JobExecutionStatus::Queued)
            .collect();
        queued.sort_unstable();
        self.move_each(queued, JobExecutionStatus::Removed, Cause::DeleteThing);
        // Decision 28: DeleteThing takes the thing out of every rollout list; a SNAPSHOT
        // job whose list it empties completes when nothing of it is pending (decision 23
        // as amended).
        let rolling: Vec<JobId> = (0..self.state.jobs.len() as JobId)
            .filter(|&j| self.state.rolling_out(j))
            .collect();
        for j in rolling {
            if self.state.leave_rollout(j, thing) {
                self.maybe_complete(j);
            }
        }
        if let Some(thing) = self.state.deregister_thing(thing) {
            for g in thing.groups {
                if let Some(group) = self.state.groups.get_mut(&g) {
                    group.members.remove(&r.thing_name);
                }
            }
        }
        Ok(Empty {})
    }

    pub(super) fn create_thing_group(
        &mut self,
        r: CreateThingGroupRequest,
    ) -> Result<CreateThingGroupResponse> {
        validate::thing_group_name("thingGroupName", &r.thing_group_name)?;
        if let Some(p) = &r.parent_group_name {
            validate::thing_group_name("parentGroupName", p)?;
        }
        if let Some(props) = &r.thing_group_properties {
            if let Some(d) = &props.thing_group_description {
                if d.chars().count() > 2028 {
                    return Err(ServiceError::invalid_request(
                        "thingGroupDescription holds at most 2028 characters",
                    )
                    .into());
                }
            }
            attributes(&props.attribute_payload)?;
        }
        not_modelled(
            r.parent_group_name.as_ref(),
            "thing group hierarchies",
            "parentGroupName",
        )?;
        let seq = match self.state.groups.get(&r.thing_group_name) {
            Some(g) if g.properties == r.thing_group_properties && g.tags == r.tags => g.seq,
            Some(_) => {
                return Err(ServiceError::new(
                    ErrorCode::ResourceAlreadyExistsException,
                    format!(
                        "thing group '{}' exists with other settings",
                        r.thing_group_name
                    ),
                )
                .into())
            }
            None => {
                let seq = self.state.next_seq();
                self.state.groups.insert(
                    r.thing_group_name.clone(),
                    Group {
                        seq,
                        properties: r.thing_group_properties,
                        tags: r.tags,
                        members: BTreeSet::new(),
                    },
                );
                seq
            }
        };
        Ok(CreateThingGroupResponse {
            thing_group_arn: self.config.thing_group_arn(&r.thing_group_name),
            thing_group_id: Self::id_for(2, seq),
            thing_group_name: r.thing_group_name,
        })
    }

    /// The name of the group whose id (as CreateThingGroup returned it) is `id`.
    pub(super) fn group_named_by_id(&self, id: &str) -> Option<String> {
        self.state
            .groups
            .iter()
            .find(|(_, g)| Self::id_for(2, g.seq) == id)
            .map(|(name, _)| name.clone())
    }

    /// Decision 39: DescribeThing, of a thing that exists now.
    pub(super) fn describe_thing(
        &mut self,
        r: DescribeThingRequest,
    ) -> Result<DescribeThingResponse> {
        validate::thing_name("thingName", &r.thing_name)?;
        let thing = self.state.thing(&r.thing_name).ok_or_else(|| {
            ServiceError::not_found(format!("thing '{}' does not exist", r.thing_name))
        })?;
        Ok(DescribeThingResponse {
            default_client_id: r.thing_name.clone(),
            thing_id: Self::id_for(1, thing.seq),
            thing_arn: self.config.thing_arn(&r.thing_name),
            attributes: thing
                .attributes
                .as_ref()
                .and_then(|p| p.attributes.clone())
                .unwrap_or_default(),
            version: THING_VERSION,
            thing_name: r.thing_name,
        })
    }

    /// Resolves a (group, thing) pair given by names or ARNs, both existing.
    fn membership(
        &self,
        group_name: &Option<String>,
        group_arn: &Option<String>,
        thing_name: &Option<String>,
        thing_arn: &Option<String>,
    ) -> std::result::Result<(String, String, ThingId), ServiceError> {
        let group = name_or_arn(group_name, group_arn, "thingGroup", true)?;
        let thing = name_or_arn(thing_name, thing_arn, "thing", false)?;
        if !self.state.groups.contains_key(&group) {
            return Err(ServiceError::not_found(format!(
                "thing group '{group}' does not exist"
            )));
        }
        let id = self.require_thing(&thing)?;
        Ok((group, thing, id))
    }

    /// The CONTINUOUS jobs targeting `group` that are not canceled, in creation order
    /// (ascending ids).
    fn continuous_jobs_of(&self, group: &str) -> Vec<JobId> {
        self.state
            .continuous_by_group
            .get(group)
            .into_iter()
            .flatten()
            .copied()
            .collect()
    }

    /// Decision 2 (MEASURED): joining a target group of a CONTINUOUS job queues an
    /// execution, unless the thing's newest execution of the job is pending.
    pub(super) fn add_to_group(&mut self, r: AddThingToThingGroupRequest) -> Result<Empty> {
        let (group, thing, thing_id) = self.membership(
            &r.thing_group_name,
            &r.thing_group_arn,
            &r.thing_name,
            &r.thing_arn,
        )?;
        if self
            .state
            .thing(&thing)
            .is_some_and(|t| t.groups.contains(&group))
        {
            return Ok(Empty {});
        }
        // Only IN_PROGRESS jobs queue executions or touch retry budgets; the index holds
        // no other (a canceled job leaves it).
        // Decision 32: a job whose rollout a STOP_ROLLOUT end stopped queues nothing for
        // joins.
        let mut jobs = self.continuous_jobs_of(&group);
        jobs.retain(|&j| {
            !self
                .state
                .job(j)
                .schedule
                .as_ref()
                .is_some_and(|s| s.stopped)
        });
        debug_assert!(jobs
            .iter()
            .all(|&j| self.state.job(j).status == JobStatus::InProgress));
        // Per job, whether the thing's newest execution is pending, and whether the retry
        // budgets the thing has spent on it are kept. Details, retries (DOC): a rejoin (the
        // thing had left every target) starts them afresh, whether or not it queues an
        // execution; so does a new execution queued by the join. So they are kept only
        // when the newest is pending and the thing was a target before joining (directly
        // or through another group), asked only when there are budgets to keep.
        let newest = self.state.newest_of_each(thing_id, &jobs);
        let before: Vec<(bool, bool)> = {
            let is_target = self.state.indexed_target_test(&thing);
            jobs.iter()
                .zip(newest)
                .map(|(&j, newest)| {
                    let pending =
                        newest.is_some_and(|id| self.state.exec(id).status().is_pending());
                    let spent = self.state.things[thing_id as usize]
                        .retries_spent
                        .contains_key(&j);
                    (pending, pending && spent && is_target(j))
                })
                .collect()
        };
        if let Some(t) = self.state.thing_mut(&thing) {
            t.groups.insert(group.clone());
        }
        if let Some(g) = self.state.groups.get_mut(&group) {
            g.members.insert(thing.clone());
        }
        for (job_id, (pending, keep_budgets)) in jobs.into_iter().zip(before) {
            if !keep_budgets {
                self.state.things[thing_id as usize]
                    .retries_spent
                    .remove(&job_id);
            }
            // Decision 2 as written: joining a target group queues an execution unless the
            // newest one is pending, even when the thing was a target already (directly or
            // through another group). A thing waiting in the job's rollout list leaves it
            // and is queued at once (decision 28: joins are not rate-limited).
            if pending {
                continue;
            }
            self.state.leave_rollout(job_id, thing_id);
            self.queue_new(job_id, thing_id, Cause::ThingJoinsTargetGroup);
        }
        Ok(Empty {})
    }

    /// Decision 3 (MEASURED): leaving every target of a CONTINUOUS job turns its QUEUED
    /// execution REMOVED, version unchanged; IN_PROGRESS and terminal ones stay.
    pub(super) fn remove_from_group(
        &mut self,
        r: RemoveThingFromThingGroupRequest,
    ) -> Result<Empty> {
        let (group, thing, thing_id) = self.membership(
            &r.thing_group_name,
            &r.thing_group_arn,
            &r.thing_name,
            &r.thing_arn,
        )?;
        if !self
            .state
            .thing(&thing)
            .is_some_and(|t| t.groups.contains(&group))
        {
            return Ok(Empty {});
        }
        if let Some(t) = self.state.thing_mut(&thing) {
            t.groups.remove(&group);
        }
        if let Some(g) = self.state.groups.get_mut(&group) {
            g.members.remove(&thing);
        }
        let jobs = self.continuous_jobs_of(&group);
        // Decision 28: a waiting thing that stops being a target leaves the rollout list.
        let leaving: Vec<JobId> = {
            let is_target = self.state.indexed_target_test(&thing);
            jobs.iter()
                .copied()
                .filter(|&j| self.state.rolling_out(j) && !is_target(j))
                .collect()
        };
        for j in leaving {
            self.state.leave_rollout(j, thing_id);
        }
        let newest = self.state.newest_of_each(thing_id, &jobs);
        let removed: Vec<ExecId> = {
            let is_target = self.state.indexed_target_test(&thing);
            // The newest QUEUED is asked first: it is the cheaper question.
            jobs.into_iter()
                .zip(newest)
                .filter_map(|(job_id, newest)| {
                    let id = newest?;
                    (self.state.exec(id).status() == JobExecutionStatus::Queued
                        && !is_target(job_id))
                    .then_some(id)
                })
                .collect()
        };
        self.move_each(
            removed,
            JobExecutionStatus::Removed,
            Cause::ThingLeavesTargets,
        );
        Ok(Empty {})
    }
}

/// A name given as `{member}Name` or as `{member}Arn` (the name wins when both are given),
/// validated; `group` says which kind of ARN it must be.
fn name_or_arn(
    name: &Option<String>,
    arn: &Option<String>,
    member: &str,
    group: bool,
) -> std::result::Result<String, ServiceError> {
    match (name, arn) {
        (Some(n), _) => {
            validate::thing_name(&format!("{member}Name"), n)?;
            Ok(n.clone())
        }
        (None, Some(arn)) => match (validate::target_arn(&format!("{member}Arn"), arn)?, group) {
            (Target::ThingGroup(n), true) | (Target::Thing(n), false) => Ok(n),
            _ => Err(ServiceError::invalid_request(format!(
                "{member}Arn '{arn}' names a {}",
                if group {
                    "thing, not a thing group"
                } else {
                    "thing group, not a thing"
                }
            ))),
        },
        (None, None) => Err(ServiceError::invalid_request(format!(
            "give {member}Name or {member}Arn"
        ))),
    }
}
