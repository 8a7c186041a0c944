//! # iot-jobs-spec
//!
//! An executable specification of the AWS IoT Jobs job-execution lifecycle: the service
//! as a pure, deterministic state machine on a logical clock. Given the same requests at
//! the same times, it gives the answers and the MQTT messages the service gives, so it can
//! stand in as the reference oracle for device agents, emulators and backends.
//!
//! It does no IO, reads no clock, draws no random numbers and keeps no global state: time
//! is an argument and every output is in a defined order. (The conformance harness, behind
//! the `conformance` feature, writes a failing trace to a file when it is asked to; nothing
//! else touches the outside world.)
//!
//! ## The driver contract
//!
//! One [`Service`] value is the whole service. A driver:
//!
//! 1. hands it each request with the logical time (whole seconds) it happens at:
//!    [`Service::handle`]`(now, request)` for an HTTP call, or
//!    [`Service::handle_publish`]`(now, topic, payload)` for an MQTT message a device
//!    publishes. Before answering, the service moves its clock to `now` and fires every
//!    timer due by then, each at its own deadline;
//! 2. drains [`Service::poll_message`] until `None` for what was published (MQTT replies
//!    on `/accepted` and `/rejected`, `notify`, `notify-next`), in order;
//! 3. when idle, asks [`Service::poll_timeout`] when the next timer runs out, and calls
//!    [`Service::handle_timeout`]`(t)` once its clock reaches `t` (then drains messages).
//!
//! ```
//! use iot_jobs_spec::{Config, Operation, Request, Response, Service};
//! use serde_json::json;
//!
//! let mut svc = Service::new(Config::default());
//! let call = |op, input| Request::decode(op, &input).unwrap();
//!
//! svc.handle(0, call(Operation::CreateThing, json!({"thingName": "t1"}))).unwrap();
//! svc.handle(0, call(Operation::CreateJob, json!({
//!     "jobId": "j1",
//!     "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"],
//!     "document": "{\"op\":\"reboot\"}",
//!     "timeoutConfig": {"inProgressTimeoutInMinutes": 5},
//! }))).unwrap();
//! while let Some(m) = svc.poll_message() {
//!     println!("{} {}", m.topic, m.payload); // notify, notify-next for t1
//! }
//!
//! // The device starts the job at t=10: the in-progress timer now runs until t=310.
//! let started = svc.handle(10, call(Operation::StartNextPendingJobExecution,
//!     json!({"thingName": "t1"}))).unwrap();
//! let Response::StartNextPendingJobExecution(r) = started else { unreachable!() };
//! assert_eq!(r.execution.unwrap().version_number, Some(2));
//! assert_eq!(svc.poll_timeout(), Some(310));
//!
//! // Nothing else happens: the timer fires exactly at its deadline.
//! svc.handle_timeout(400);
//! let described = svc.handle(400, call(Operation::ControlDescribeJobExecution,
//!     json!({"jobId": "j1", "thingName": "t1"}))).unwrap();
//! let Response::ControlDescribeJobExecution(d) = described else { unreachable!() };
//! assert_eq!(d.execution.status.as_str(), "TIMED_OUT");
//! assert_eq!(d.execution.last_updated_at, 310);
//! ```
//!
//! The same without JSON: requests are plain structs (`..Default::default()` for the
//! members left absent), the ARNs come from the [`Config`], and messages are typed.
//!
//! ```
//! use iot_jobs_spec::{
//!     Config, CreateJobRequest, CreateThingRequest, JobExecutionStatus, Payload, Request,
//!     Response, Service, UpdateJobExecutionRequest,
//! };
//!
//! let config = Config::default();
//! let target = config.thing_arn("t1");
//! let mut svc = Service::new(config);
//! let thing = CreateThingRequest { thing_name: "t1".into(), ..Default::default() };
//! svc.handle(0, Request::CreateThing(thing)).unwrap();
//! let job = CreateJobRequest {
//!     job_id: "j1".into(),
//!     targets: vec![target],
//!     document: Some("{}".into()),
//!     ..Default::default()
//! };
//! svc.handle(0, Request::CreateJob(Box::new(job))).unwrap();
//! // notify and notify-next for t1, each typed.
//! let Some(Payload::Notify(notify)) = svc.poll_message().map(|m| m.payload) else { panic!() };
//! assert_eq!(notify.jobs()[0].0, JobExecutionStatus::Queued);
//! let Some(Payload::NotifyNext(next)) = svc.poll_message().map(|m| m.payload) else { panic!() };
//! assert_eq!(next.execution().unwrap().execution().queued_at, Some(0));
//!
//! let update = UpdateJobExecutionRequest::new("t1", "j1", JobExecutionStatus::InProgress);
//! let Response::UpdateJobExecution(_) = svc.handle(5, Request::UpdateJobExecution(update))
//!     .unwrap() else { unreachable!() };
//! ```
//!
//! ## The core: what a dependent uses
//!
//! Everything a driver needs is re-exported here, at the top: [`Service`] and [`Config`];
//! [`Request`] and [`Response`] with every operation's request and response type (both
//! planes, one name each: the control plane's shapes that AWS names like the data
//! plane's carry the prefix `Control`, as [`Operation::ControlDescribeJobExecution`]
//! does); the statuses ([`JobExecutionStatus`], [`JobStatus`], ...); the errors ([`Error`],
//! [`ServiceError`], [`ErrorCode`]); the typed MQTT messages ([`Message`], [`Payload`]);
//! and the rule tables' types ([`Transition`], [`Cause`], [`Decision`], [`Evidence`]).
//! Requests are plain structs: build them with `..Default::default()` or a constructor
//! such as [`UpdateJobExecutionRequest::new`], or read them from JSON with
//! [`Request::decode`]. Times are logical seconds, `u64` throughout. [`serde_json`] is
//! re-exported for the calls that take or give a JSON [`serde_json::Value`].
//!
//! Modules that hold more than the flat names:
//!
//! - [`rules`]: the transition table, as data. The model asks it before every change;
//!   `iot-jobs-spec rules` prints it; docs/rules.md is that output.
//! - [`decisions`]: every rule AWS leaves open, with its evidence grade ([`Evidence`]).
//! - [`config`]: the switches and constants for rules graded INFERRED or CHOICE.
//! - [`validate`]: the limits of the service models.
//! - [`wire`]: requests and responses with AWS's member names and types, by plane.
//! - [`mqtt`]: the reserved MQTT topics and `/rejected` codes.
//!
//! ## The tools: built on the core, for testing against it
//!
//! These use only the core's public API's ideas and are what the `iot-jobs-spec` command
//! runs; a dependent that only drives a [`Service`] need not look at them.
//!
//! - [`trace`]: the JSON Lines trace format, its one judge, its checker and its runner.
//! - [`generate`]: seeded traces with expectations, coverage, and minimised test vectors.
//! - `conformance` (feature `conformance`): checking another implementation side by side.
//! - [`binding`]: each operation's HTTP method, path and query members.
//! - [`examples`]: the example traces shipped with the crate.
//! - [`manual`]: the decisions, rules, trace format and testing notes, as rendered docs.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(unreachable_pub)]

// The core.
pub mod config;
pub mod decisions;
mod error;
mod evidence;
pub mod mqtt;
mod plane;
mod request;
pub mod rules;
mod service;
mod status;
pub mod validate;
pub mod wire;

// The tools.
pub mod binding;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod examples;
pub mod generate;
pub mod manual;
pub mod trace;

/// The README's library example, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use config::{Config, Switches};
pub use decisions::{Decision, DecisionId};
pub use error::{Error, ErrorCode, NotModelled, ServiceError};
pub use evidence::Evidence;
pub use plane::{Operation, Plane, NOT_MODELLED_OPERATIONS};
pub use request::{Request, Response};
pub use rules::{Cause, Refusal, Transition};
pub use serde_json;
pub use service::{
    ExecutionRecord, JobRecord, Message, MqttExecution, NotifyNextPayload, NotifyPayload, Payload,
    RejectedPayload, Service, TimerKind, TimerRecord, TransitionRecord,
};
pub use status::{
    AbortAction, AbortFailureType, Actor, JobEndBehavior, JobExecutionStatus, JobStatus,
    RetryableFailureType, TargetSelection,
};
pub use wire::control::*;
pub use wire::data::*;
pub use wire::DetailsMap;
