//! The JSON Lines trace format (version 1): one call a line at a logical time, with what
//! the service must answer. docs/trace-format.md describes it; [`Replay`] executes and
//! checks steps one at a time, so a checker streams a trace of any length.
//!
//! ```
//! use iot_jobs_spec::trace::{Replay, Verdict};
//! use iot_jobs_spec::Config;
//!
//! let mut replay = Replay::new(Config::default());
//! let lines = [
//!     r#"{"call": "CreateThing", "input": {"thingName": "t1"}}"#,
//!     r#"{"at": 5, "call": "GetPendingJobExecutions", "input": {"thingName": "t1"},
//!         "output": {"inProgressJobs": [], "queuedJobs": []}}"#,
//! ];
//! for line in lines {
//!     let step = replay.parse(line).unwrap().unwrap();
//!     assert!(matches!(replay.check(&step), Verdict::Setup | Verdict::Agrees));
//! }
//! ```

mod canonical;
mod checker;
pub mod judge;
pub(crate) mod replay;
mod report;
mod scope;
mod step;

pub use checker::{Checker, Tolerance};
pub use judge::{Divergence, Judge, Part};
pub use replay::{Answer, Driven, Replay, Verdict};
pub use report::{
    check_trace, FileCheck, FileReport, FirstDivergence, NotChecked, Outcome, Report, Stop,
};
pub use scope::Scope;
pub use step::{Action, Expect, Step, StepText};
