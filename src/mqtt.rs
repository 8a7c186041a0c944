//! The MQTT surface of IoT Jobs: the reserved topics a device publishes to and hears on,
//! and the error codes of a `/rejected` reply.
//!
//! ```
//! use iot_jobs_spec::mqtt::{JobsTopic, RequestTopic};
//! let t = JobsTopic::parse("$aws/things/t1/jobs/j1/update").unwrap();
//! assert_eq!(t, JobsTopic::Request(RequestTopic::Update { thing: "t1".into(), job: "j1".into() }));
//! assert_eq!(RequestTopic::GetPending { thing: "t1".into() }.accepted(), "$aws/things/t1/jobs/get/accepted");
//! assert_eq!(JobsTopic::parse("$aws/things/t1/jobs/frob"), Some(JobsTopic::Invalid { thing: "t1".into() }));
//! assert_eq!(JobsTopic::parse("sensors/t1"), None);
//! ```

use serde::Serialize;
use strum::{Display, EnumIter, IntoStaticStr};

use crate::error::ErrorCode;

/// The prefix of every thing's topics.
pub const THINGS_PREFIX: &str = "$aws/things/";

/// The last level of a thing's `notify` topic (decision 24).
pub const NOTIFY: &str = "notify";

/// The last level of a thing's `notify-next` topic (decision 25).
pub const NOTIFY_NEXT: &str = "notify-next";

/// `$aws/things/{thing}/jobs/{rest}` in the parts it is made of, unjoined: the one place
/// that says how a thing's jobs topic is laid out.
pub(crate) fn jobs_topic_parts<'a>(thing: &'a str, rest: &'a str) -> [&'a str; 4] {
    [THINGS_PREFIX, thing, "/jobs/", rest]
}

/// `$aws/things/{thing}/jobs/{rest}`.
pub fn jobs_topic(thing: &str, rest: &str) -> String {
    jobs_topic_parts(thing, rest).concat()
}

/// Whether `topic` is [`jobs_topic`]`(thing, rest)`, without building it.
pub fn is_jobs_topic(topic: &str, thing: &str, rest: &str) -> bool {
    is_topic(topic, &jobs_topic_parts(thing, rest))
}

/// Whether `topic` is `parts` joined, without joining them.
pub(crate) fn is_topic(topic: &str, parts: &[&str]) -> bool {
    parts.iter().try_fold(topic, |t, p| t.strip_prefix(p)) == Some("")
}

/// A topic a device publishes a request to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestTopic {
    /// `$aws/things/{thing}/jobs/get`: GetPendingJobExecutions.
    GetPending {
        /// The thing named in the topic.
        thing: String,
    },
    /// `$aws/things/{thing}/jobs/start-next`: StartNextPendingJobExecution.
    StartNext {
        /// The thing named in the topic.
        thing: String,
    },
    /// `$aws/things/{thing}/jobs/{jobId}/get`: DescribeJobExecution (`jobId` may be
    /// `$next`).
    Describe {
        /// The thing named in the topic.
        thing: String,
        /// The job id (or `$next`).
        job: String,
    },
    /// `$aws/things/{thing}/jobs/{jobId}/update`: UpdateJobExecution.
    Update {
        /// The thing named in the topic.
        thing: String,
        /// The job id.
        job: String,
    },
}

impl RequestTopic {
    /// The thing the topic names.
    pub fn thing(&self) -> &str {
        match self {
            Self::GetPending { thing }
            | Self::StartNext { thing }
            | Self::Describe { thing, .. }
            | Self::Update { thing, .. } => thing,
        }
    }

    /// The topic itself.
    pub fn topic(&self) -> String {
        match self {
            Self::GetPending { thing } => jobs_topic(thing, "get"),
            Self::StartNext { thing } => jobs_topic(thing, "start-next"),
            Self::Describe { thing, job } => jobs_topic(thing, &format!("{job}/get")),
            Self::Update { thing, job } => jobs_topic(thing, &format!("{job}/update")),
        }
    }

    /// Where a successful reply goes.
    pub fn accepted(&self) -> String {
        format!("{}/accepted", self.topic())
    }

    /// Where an error reply goes.
    pub fn rejected(&self) -> String {
        format!("{}/rejected", self.topic())
    }
}

/// A topic under `$aws/things/{thing}/jobs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobsTopic {
    /// A request topic.
    Request(RequestTopic),
    /// `.../jobs/notify`: the pending set changed (decision 24).
    Notify {
        /// The thing.
        thing: String,
    },
    /// `.../jobs/notify-next`: the head of the pending order changed (decision 25).
    NotifyNext {
        /// The thing.
        thing: String,
    },
    /// A reply topic (`/accepted` or `/rejected` after a request topic).
    Reply {
        /// The request it answers.
        request: RequestTopic,
        /// `/accepted` (true) or `/rejected`.
        accepted: bool,
    },
    /// Under the reserved prefix but naming no operation: `InvalidTopic`.
    Invalid {
        /// The thing segment as written.
        thing: String,
    },
}

impl JobsTopic {
    /// Parses `topic`; `None` when it is not under `$aws/things/{thing}/jobs`.
    pub fn parse(topic: &str) -> Option<JobsTopic> {
        let rest = topic.strip_prefix(THINGS_PREFIX)?;
        let (thing, rest) = rest.split_once('/')?;
        let rest = if rest == "jobs" {
            ""
        } else {
            rest.strip_prefix("jobs/")?
        };
        let thing = thing.to_owned();
        let parts: Vec<&str> = rest.split('/').collect();
        let request = |parts: &[&str]| -> Option<RequestTopic> {
            match parts {
                ["get"] => Some(RequestTopic::GetPending {
                    thing: thing.clone(),
                }),
                ["start-next"] => Some(RequestTopic::StartNext {
                    thing: thing.clone(),
                }),
                [job, "get"] => Some(RequestTopic::Describe {
                    thing: thing.clone(),
                    job: (*job).to_owned(),
                }),
                [job, "update"] => Some(RequestTopic::Update {
                    thing: thing.clone(),
                    job: (*job).to_owned(),
                }),
                _ => None,
            }
        };
        Some(match parts.as_slice() {
            [NOTIFY] => JobsTopic::Notify { thing },
            [NOTIFY_NEXT] => JobsTopic::NotifyNext { thing },
            [head @ .., last @ ("accepted" | "rejected")] if request(head).is_some() => {
                JobsTopic::Reply {
                    request: request(head)?,
                    accepted: *last == "accepted",
                }
            }
            parts => match request(parts) {
                Some(r) => JobsTopic::Request(r),
                None => JobsTopic::Invalid { thing },
            },
        })
    }
}

/// The `code` of an MQTT `ErrorResponse` (AWS's `JobExecutionsRejectedErrorCode`, the
/// values this model gives).
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
#[non_exhaustive]
pub enum RejectedErrorCode {
    /// The topic is under the Jobs prefix but names no operation.
    InvalidTopic,
    /// The payload is not valid UTF-8 JSON.
    InvalidJson,
    /// The request is invalid.
    InvalidRequest,
    /// The update is not allowed from the current status.
    InvalidStateTransition,
    /// The execution, job or thing does not exist.
    ResourceNotFound,
    /// `expectedVersion` differs from `versionNumber`.
    VersionMismatch,
    /// A describe of a terminal execution.
    TerminalStateReached,
}

impl RejectedErrorCode {
    /// Details, MQTT: the HTTP exceptions map one to one (a version mismatch, which
    /// HTTP reports as InvalidStateTransitionException, is told apart by the caller).
    pub fn from_http(code: ErrorCode) -> RejectedErrorCode {
        match code {
            ErrorCode::ResourceNotFoundException => Self::ResourceNotFound,
            ErrorCode::InvalidStateTransitionException => Self::InvalidStateTransition,
            ErrorCode::TerminalStateException => Self::TerminalStateReached,
            ErrorCode::VersionConflictException => Self::VersionMismatch,
            // No MQTT request can meet the last two: they come from control-plane calls.
            ErrorCode::InvalidRequestException
            | ErrorCode::ResourceAlreadyExistsException
            | ErrorCode::LimitExceededException => Self::InvalidRequest,
        }
    }

    /// The AWS spelling.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_built_and_recognised_alike() {
        let t = jobs_topic("t-1", NOTIFY_NEXT);
        assert_eq!(t, "$aws/things/t-1/jobs/notify-next");
        assert!(is_jobs_topic(&t, "t-1", NOTIFY_NEXT));
        assert!(!is_jobs_topic(&t, "t-1", NOTIFY));
        assert!(!is_jobs_topic(&t, "t", NOTIFY_NEXT));
        assert!(!is_jobs_topic(
            "$aws/things/t-1/jobs/notify-next/x",
            "t-1",
            NOTIFY_NEXT
        ));
        assert!(!is_jobs_topic(
            "things/t-1/jobs/notify-next",
            "t-1",
            NOTIFY_NEXT
        ));
        assert_eq!(
            JobsTopic::parse(&t),
            Some(JobsTopic::NotifyNext {
                thing: "t-1".into()
            })
        );
        assert_eq!(
            JobsTopic::parse(&jobs_topic("t-1", NOTIFY)),
            Some(JobsTopic::Notify {
                thing: "t-1".into()
            })
        );
    }

    #[test]
    fn every_request_topic_round_trips() {
        for r in [
            RequestTopic::GetPending { thing: "t".into() },
            RequestTopic::StartNext { thing: "t".into() },
            RequestTopic::Describe {
                thing: "t".into(),
                job: "$next".into(),
            },
            RequestTopic::Update {
                thing: "t".into(),
                job: "j".into(),
            },
        ] {
            assert_eq!(
                JobsTopic::parse(&r.topic()),
                Some(JobsTopic::Request(r.clone()))
            );
            assert_eq!(
                JobsTopic::parse(&r.accepted()),
                Some(JobsTopic::Reply {
                    request: r.clone(),
                    accepted: true
                })
            );
            assert_eq!(
                JobsTopic::parse(&r.rejected()),
                Some(JobsTopic::Reply {
                    request: r,
                    accepted: false
                })
            );
        }
    }

    #[test]
    fn reserved_topics_that_name_nothing_are_invalid() {
        for t in [
            "$aws/things/t/jobs",
            "$aws/things/t/jobs/",
            "$aws/things/t/jobs/frob",
            "$aws/things/t/jobs/j/delete",
            "$aws/things/t/jobs/j/get/extra",
            "$aws/things/t/jobs/get/accepted/x",
        ] {
            assert_eq!(
                JobsTopic::parse(t),
                Some(JobsTopic::Invalid { thing: "t".into() }),
                "{t}"
            );
        }
        assert_eq!(
            JobsTopic::parse("$aws/things/t/jobs/notify"),
            Some(JobsTopic::Notify { thing: "t".into() })
        );
        assert_eq!(JobsTopic::parse("$aws/things/t/shadow/update"), None);
        assert_eq!(JobsTopic::parse("$aws/things/t"), None);
    }
}
