//! The two AWS services the specification covers, and the operations each one hosts.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

/// Which AWS service a call goes to.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
)]
pub enum Plane {
    /// `iot-jobs-data`: the device data plane (API version 2017-09-29).
    #[default]
    #[serde(rename = "iot-jobs-data")]
    #[strum(serialize = "iot-jobs-data")]
    Data,
    /// `iot`: the control plane (API version 2015-05-28).
    #[serde(rename = "iot")]
    #[strum(serialize = "iot")]
    Control,
}

/// Every operation the specification models, by AWS name and home service.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Display,
    EnumIter,
    IntoStaticStr,
)]
pub enum Operation {
    /// `iot-jobs-data` DescribeJobExecution.
    DescribeJobExecution,
    /// `iot-jobs-data` GetPendingJobExecutions.
    GetPendingJobExecutions,
    /// `iot-jobs-data` StartNextPendingJobExecution.
    StartNextPendingJobExecution,
    /// `iot-jobs-data` UpdateJobExecution.
    UpdateJobExecution,
    /// `iot` CreateThing.
    CreateThing,
    /// `iot` DeleteThing.
    DeleteThing,
    /// `iot` CreateThingGroup.
    CreateThingGroup,
    /// `iot` AddThingToThingGroup.
    AddThingToThingGroup,
    /// `iot` RemoveThingFromThingGroup.
    RemoveThingFromThingGroup,
    /// `iot` CreateJob.
    CreateJob,
    /// `iot` CancelJob.
    CancelJob,
    /// `iot` CancelJobExecution.
    CancelJobExecution,
    /// `iot` DeleteJobExecution.
    DeleteJobExecution,
    /// `iot` DescribeJobExecution (same name as the data-plane call, other shapes).
    #[strum(serialize = "DescribeJobExecution")]
    #[serde(rename = "DescribeJobExecution")]
    ControlDescribeJobExecution,
    /// `iot` ListJobExecutionsForThing.
    ListJobExecutionsForThing,
    /// `iot` ListJobExecutionsForJob.
    ListJobExecutionsForJob,
    /// `iot` DescribeJob.
    DescribeJob,
    /// `iot` DeleteJob (decision 34).
    DeleteJob,
    /// `iot` GetJobDocument (decision 37).
    GetJobDocument,
    /// `iot` ListJobs (decision 38).
    ListJobs,
    /// `iot` DescribeThing (decision 39).
    DescribeThing,
    /// `iot` UpdateJob (decision 35).
    UpdateJob,
    /// `iot` AssociateTargetsWithJob (decision 36).
    AssociateTargetsWithJob,
}

/// Operations AWS has on these services that the specification does not model: a call
/// to one is answered "not modelled", never refused as unknown.
pub const NOT_MODELLED_OPERATIONS: &[(Plane, &str)] = &[
    (Plane::Data, "StartCommandExecution"),
    (Plane::Control, "CreateJobTemplate"),
    (Plane::Control, "DescribeJobTemplate"),
    (Plane::Control, "DeleteJobTemplate"),
    (Plane::Control, "ListJobTemplates"),
    (Plane::Control, "UpdateThing"),
    (Plane::Control, "ListThings"),
    (Plane::Control, "DescribeThingGroup"),
    (Plane::Control, "DeleteThingGroup"),
    (Plane::Control, "UpdateThingGroup"),
    (Plane::Control, "ListThingsInThingGroup"),
    (Plane::Control, "UpdateThingGroupsForThing"),
    (Plane::Control, "CreateDynamicThingGroup"),
];

impl Operation {
    /// The service that hosts this operation.
    pub fn plane(self) -> Plane {
        match self {
            Self::DescribeJobExecution
            | Self::GetPendingJobExecutions
            | Self::StartNextPendingJobExecution
            | Self::UpdateJobExecution => Plane::Data,
            _ => Plane::Control,
        }
    }

    /// The AWS operation name.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Finds the operation `name` on `plane`. `DescribeJobExecution` exists on both.
    pub fn find(plane: Plane, name: &str) -> Option<Operation> {
        use strum::IntoEnumIterator;
        Operation::iter().find(|op| op.plane() == plane && op.name() == name)
    }

    /// The service a call named `name` goes to when a trace does not say: its only home,
    /// or `iot-jobs-data` for `DescribeJobExecution`.
    pub fn default_plane(name: &str) -> Option<Plane> {
        use strum::IntoEnumIterator;
        if let Some(op) = Operation::iter().find(|op| op.name() == name) {
            return Some(op.plane());
        }
        NOT_MODELLED_OPERATIONS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(p, _)| *p)
    }

    /// Whether `name` is an AWS operation on `plane` that the specification leaves out.
    pub fn is_not_modelled(plane: Plane, name: &str) -> bool {
        NOT_MODELLED_OPERATIONS.contains(&(plane, name))
    }
}
