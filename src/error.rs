//! What a refused request gets: the AWS exception, its HTTP status and a message that says
//! what is wrong; or, for a feature this specification leaves out, a "not modelled" answer.

use serde::Serialize;
use std::fmt;
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

use crate::plane::Plane;
use crate::wire::data::JobExecutionState;

/// The AWS exception names this specification answers with.
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
    EnumString,
    EnumIter,
    IntoStaticStr,
)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request itself is invalid (400).
    InvalidRequestException,
    /// A thing, group, job or execution does not exist (404).
    ResourceNotFoundException,
    /// A job id, thing or group name is already taken (409).
    ResourceAlreadyExistsException,
    /// The execution's status does not allow the change (409).
    InvalidStateTransitionException,
    /// A data-plane describe of a terminal execution (410).
    TerminalStateException,
    /// A control-plane expectedVersion did not match (409).
    VersionConflictException,
    /// A limit of the service is exceeded: more than 100 targets after
    /// AssociateTargetsWithJob (410, decision 36).
    LimitExceededException,
}

impl ErrorCode {
    /// The HTTP status the service models declare for this exception on `plane`.
    pub fn http_status(self, _plane: Plane) -> u16 {
        // Every code the specification gives has the same status on both planes; the
        // plane is kept in the signature because ThrottlingException does not (429 vs 400).
        match self {
            Self::InvalidRequestException => 400,
            Self::ResourceNotFoundException => 404,
            Self::ResourceAlreadyExistsException
            | Self::InvalidStateTransitionException
            | Self::VersionConflictException => 409,
            Self::TerminalStateException | Self::LimitExceededException => 410,
        }
    }

    /// The AWS spelling.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A request the service refuses, as AWS would refuse it.
///
/// Serialises as the error body a trace expects:
/// `{"code": "...", "message": "...", "executionState": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceError {
    /// The AWS exception name.
    pub code: ErrorCode,
    /// Says what is wrong. Free text: traces never compare it.
    pub message: String,
    /// The execution's current state, where decisions 7 and 9 say the error carries it.
    #[serde(rename = "executionState", skip_serializing_if = "Option::is_none")]
    pub execution_state: Option<JobExecutionState>,
}

impl ServiceError {
    /// An error without `executionState`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            execution_state: None,
        }
    }

    /// InvalidRequestException.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequestException, message)
    }

    /// ResourceNotFoundException.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceNotFoundException, message)
    }

    /// InvalidStateTransitionException.
    pub fn invalid_transition(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidStateTransitionException, message)
    }

    /// Attach the execution's state (decisions 7 and 9).
    pub fn with_state(mut self, state: JobExecutionState) -> Self {
        self.execution_state = Some(state);
        self
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ServiceError {}

/// A request that uses a real AWS feature this specification does not model yet
/// ("Out of the model" in the decisions). Never a silent acceptance: a checker reports
/// such a step as not checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotModelled {
    /// The feature, in AWS's words (e.g. "job rollout rates").
    pub feature: String,
    /// The member or operation that asked for it.
    pub detail: String,
}

impl fmt::Display for NotModelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not modelled: {} ({})", self.feature, self.detail)
    }
}

/// Why [`crate::Service::handle`] gave no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// AWS refuses the request with this exception.
    Service(ServiceError),
    /// The request uses a feature outside the model.
    NotModelled(NotModelled),
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(e)
    }
}

impl From<NotModelled> for Error {
    fn from(e: NotModelled) -> Self {
        Error::NotModelled(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Service(e) => e.fmt(f),
            Error::NotModelled(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}
