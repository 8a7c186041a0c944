//! How each operation travels over HTTP: its method, its URI template, and which request
//! members ride in the path, which in the query string, and which in the JSON body, as
//! AWS's service models bind them (REST-JSON; grade MODEL). Data only: a server routes
//! with it and turns a request back into the plain members a trace's `input` holds, and
//! a test holds it to the service models.
//!
//! ```
//! use iot_jobs_spec::binding::{self, MemberType};
//! use iot_jobs_spec::{Operation, Plane};
//!
//! let b = binding::of(Operation::DescribeJobExecution);
//! assert_eq!((b.method, b.uri), ("GET", "/things/{thingName}/jobs/{jobId}"));
//! assert_eq!(b.query[1].key, "executionNumber");
//! assert_eq!(b.query[1].ty, MemberType::Long);
//! // The control plane's call of the same name has the same path on another service.
//! let c = binding::of(Operation::ControlDescribeJobExecution);
//! assert_eq!((c.plane, c.uri), (Plane::Control, b.uri));
//! ```

use crate::plane::{Operation, Plane};

/// The model type of a member carried outside the body, which says how its text reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MemberType {
    /// `string`: the text as it is.
    String,
    /// `long`: a decimal integer (64 bits).
    Long,
    /// `integer`: a decimal integer (32 bits).
    Integer,
    /// `boolean`: `true` or `false`.
    Boolean,
}

/// A member carried in the path: `{member}` in the URI template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathMember {
    /// The member's name, as in the template and in a trace's `input`.
    pub member: &'static str,
    /// Its model type.
    pub ty: MemberType,
}

/// A member carried in the query string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryMember {
    /// The member's name in a trace's `input`.
    pub member: &'static str,
    /// The query-string key (`querystring:KEY` in the model).
    pub key: &'static str,
    /// Its model type.
    pub ty: MemberType,
}

/// The HTTP binding of one AWS operation. Every member not in `path` or `query` is a
/// member of the JSON body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The service that hosts it.
    pub plane: Plane,
    /// The AWS operation name.
    pub name: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The URI template: literal segments and `{member}` segments.
    pub uri: &'static str,
    /// The members in the path.
    pub path: &'static [PathMember],
    /// The members in the query string.
    pub query: &'static [QueryMember],
}

impl Binding {
    /// The modelled operation, or `None` for one AWS has that this specification leaves
    /// out (see [`crate::plane::NOT_MODELLED_OPERATIONS`]).
    pub fn operation(&self) -> Option<Operation> {
        Operation::find(self.plane, self.name)
    }

    /// Matches `segments` (the request path split at `/`, each already percent-decoded)
    /// against the template; gives each path member with its text, in template order.
    pub fn match_path<'a>(&self, segments: &[&'a str]) -> Option<Vec<(PathMember, &'a str)>> {
        let template: Vec<&str> = self.uri.trim_start_matches('/').split('/').collect();
        if template.len() != segments.len() {
            return None;
        }
        let mut found = Vec::new();
        for (t, s) in template.iter().zip(segments) {
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                Some(name) => {
                    let member = self.path.iter().find(|m| m.member == name)?;
                    if s.is_empty() {
                        return None;
                    }
                    found.push((*member, *s));
                }
                None if t == s => {}
                None => return None,
            }
        }
        Some(found)
    }
}

use MemberType::{Boolean, Integer, Long, String as Str};

const fn p(member: &'static str, ty: MemberType) -> PathMember {
    PathMember { member, ty }
}

const fn q(member: &'static str, ty: MemberType) -> QueryMember {
    QueryMember {
        member,
        key: member,
        ty,
    }
}

const THING: PathMember = p("thingName", Str);
const JOB: PathMember = p("jobId", Str);
const GROUP: PathMember = p("thingGroupName", Str);

const fn b(
    plane: Plane,
    name: &'static str,
    method: &'static str,
    uri: &'static str,
    path: &'static [PathMember],
    query: &'static [QueryMember],
) -> Binding {
    Binding {
        plane,
        name,
        method,
        uri,
        path,
        query,
    }
}

/// Every operation of the two service models that the specification names: the modelled
/// ones first, then those it answers "not modelled" (a server routes them so that such a
/// call is told so, not refused as unknown).
pub const BINDINGS: &[Binding] = &[
    // iot-jobs-data, API version 2017-09-29.
    b(
        Plane::Data,
        "DescribeJobExecution",
        "GET",
        "/things/{thingName}/jobs/{jobId}",
        &[JOB, THING],
        &[q("includeJobDocument", Boolean), q("executionNumber", Long)],
    ),
    b(
        Plane::Data,
        "GetPendingJobExecutions",
        "GET",
        "/things/{thingName}/jobs",
        &[THING],
        &[],
    ),
    b(
        Plane::Data,
        "StartNextPendingJobExecution",
        "PUT",
        "/things/{thingName}/jobs/$next",
        &[THING],
        &[],
    ),
    b(
        Plane::Data,
        "UpdateJobExecution",
        "POST",
        "/things/{thingName}/jobs/{jobId}",
        &[JOB, THING],
        &[],
    ),
    // iot, API version 2015-05-28.
    b(
        Plane::Control,
        "CreateThing",
        "POST",
        "/things/{thingName}",
        &[THING],
        &[],
    ),
    b(
        Plane::Control,
        "DeleteThing",
        "DELETE",
        "/things/{thingName}",
        &[THING],
        &[q("expectedVersion", Long)],
    ),
    b(
        Plane::Control,
        "CreateThingGroup",
        "POST",
        "/thing-groups/{thingGroupName}",
        &[GROUP],
        &[],
    ),
    b(
        Plane::Control,
        "AddThingToThingGroup",
        "PUT",
        "/thing-groups/addThingToThingGroup",
        &[],
        &[],
    ),
    b(
        Plane::Control,
        "RemoveThingFromThingGroup",
        "PUT",
        "/thing-groups/removeThingFromThingGroup",
        &[],
        &[],
    ),
    b(
        Plane::Control,
        "CreateJob",
        "PUT",
        "/jobs/{jobId}",
        &[JOB],
        &[],
    ),
    b(
        Plane::Control,
        "CancelJob",
        "PUT",
        "/jobs/{jobId}/cancel",
        &[JOB],
        &[q("force", Boolean)],
    ),
    b(
        Plane::Control,
        "CancelJobExecution",
        "PUT",
        "/things/{thingName}/jobs/{jobId}/cancel",
        &[JOB, THING],
        &[q("force", Boolean)],
    ),
    b(
        Plane::Control,
        "DeleteJobExecution",
        "DELETE",
        "/things/{thingName}/jobs/{jobId}/executionNumber/{executionNumber}",
        &[JOB, THING, p("executionNumber", Long)],
        &[q("force", Boolean), q("namespaceId", Str)],
    ),
    b(
        Plane::Control,
        "DescribeJobExecution",
        "GET",
        "/things/{thingName}/jobs/{jobId}",
        &[JOB, THING],
        &[q("executionNumber", Long)],
    ),
    b(
        Plane::Control,
        "ListJobExecutionsForThing",
        "GET",
        "/things/{thingName}/jobs",
        &[THING],
        &[
            q("status", Str),
            q("namespaceId", Str),
            q("maxResults", Integer),
            q("nextToken", Str),
            q("jobId", Str),
        ],
    ),
    b(
        Plane::Control,
        "ListJobExecutionsForJob",
        "GET",
        "/jobs/{jobId}/things",
        &[JOB],
        &[
            q("status", Str),
            q("maxResults", Integer),
            q("nextToken", Str),
        ],
    ),
    b(
        Plane::Control,
        "DescribeJob",
        "GET",
        "/jobs/{jobId}",
        &[JOB],
        &[q("beforeSubstitution", Boolean)],
    ),
    // Not modelled: routed so that the answer says so.
    b(
        Plane::Control,
        "DeleteJob",
        "DELETE",
        "/jobs/{jobId}",
        &[JOB],
        &[q("force", Boolean), q("namespaceId", Str)],
    ),
    b(
        Plane::Control,
        "UpdateJob",
        "PATCH",
        "/jobs/{jobId}",
        &[JOB],
        &[q("namespaceId", Str)],
    ),
    b(
        Plane::Control,
        "ListJobs",
        "GET",
        "/jobs",
        &[],
        &[
            q("status", Str),
            q("targetSelection", Str),
            q("maxResults", Integer),
            q("nextToken", Str),
            q("thingGroupName", Str),
            q("thingGroupId", Str),
            q("namespaceId", Str),
        ],
    ),
    b(
        Plane::Control,
        "GetJobDocument",
        "GET",
        "/jobs/{jobId}/job-document",
        &[JOB],
        &[q("beforeSubstitution", Boolean)],
    ),
    b(
        Plane::Control,
        "AssociateTargetsWithJob",
        "POST",
        "/jobs/{jobId}/targets",
        &[JOB],
        &[q("namespaceId", Str)],
    ),
    b(
        Plane::Control,
        "DescribeThing",
        "GET",
        "/things/{thingName}",
        &[THING],
        &[],
    ),
    b(
        Plane::Control,
        "ListThings",
        "GET",
        "/things",
        &[],
        &[
            q("nextToken", Str),
            q("maxResults", Integer),
            q("attributeName", Str),
            q("attributeValue", Str),
            q("thingTypeName", Str),
            q("usePrefixAttributeValue", Boolean),
        ],
    ),
    b(
        Plane::Control,
        "DeleteThingGroup",
        "DELETE",
        "/thing-groups/{thingGroupName}",
        &[GROUP],
        &[q("expectedVersion", Long)],
    ),
    b(
        Plane::Control,
        "DescribeThingGroup",
        "GET",
        "/thing-groups/{thingGroupName}",
        &[GROUP],
        &[],
    ),
    b(
        Plane::Control,
        "ListThingsInThingGroup",
        "GET",
        "/thing-groups/{thingGroupName}/things",
        &[GROUP],
        &[
            q("recursive", Boolean),
            q("nextToken", Str),
            q("maxResults", Integer),
        ],
    ),
];

/// The binding of a modelled operation.
pub fn of(op: Operation) -> &'static Binding {
    BINDINGS
        .iter()
        .find(|b| b.operation() == Some(op))
        .unwrap_or_else(|| unreachable!("every operation has a binding (tested)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_operation_has_one_binding_and_every_binding_is_named() {
        for op in Operation::iter() {
            let n = BINDINGS
                .iter()
                .filter(|b| b.operation() == Some(op))
                .count();
            assert_eq!(n, 1, "{op:?}");
        }
        for b in BINDINGS {
            assert!(
                b.operation().is_some() || Operation::is_not_modelled(b.plane, b.name),
                "{} is neither modelled nor listed as not modelled",
                b.name
            );
        }
    }

    #[test]
    fn a_path_matches_its_template_only() {
        let b = of(Operation::DeleteJobExecution);
        let got = b
            .match_path(&["things", "t1", "jobs", "j1", "executionNumber", "3"])
            .unwrap();
        let got: Vec<_> = got.iter().map(|(m, s)| (m.member, *s)).collect();
        assert_eq!(
            got,
            [
                ("thingName", "t1"),
                ("jobId", "j1"),
                ("executionNumber", "3")
            ]
        );
        assert!(b.match_path(&["things", "t1", "jobs", "j1"]).is_none());
        assert!(b
            .match_path(&["things", "t1", "jobs", "j1", "number", "3"])
            .is_none());
        assert!(b
            .match_path(&["things", "", "jobs", "j1", "executionNumber", "3"])
            .is_none());
        let next = of(Operation::StartNextPendingJobExecution);
        assert!(next
            .match_path(&["things", "t1", "jobs", "$next"])
            .is_some());
        assert!(next.match_path(&["things", "t1", "jobs", "j1"]).is_none());
    }
}
