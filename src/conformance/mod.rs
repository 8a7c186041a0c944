//! Checking another implementation against the specification (feature `conformance`).
//!
//! An implementation under test adapts to [`Implementation`]: it performs trace steps and
//! reports what it answered and published. One with [`crate::Service`]'s typed surface
//! ([`Driven`]: `handle`, `handle_publish`, `handle_timeout`, `poll_message`) needs only
//! [`Adapter`], which does the rest. [`side_by_side`] runs a list of steps on it and
//! on the specification and reports the first disagreement; [`Harness`] generates the
//! lists with proptest ([`strategy`]), and on a disagreement shrinks it to a minimal trace,
//! which it returns (and, when asked, writes out as a trace file for `iot-jobs-spec check`).
//!
//! ```
//! use iot_jobs_spec::conformance::{Harness, Specification};
//! use iot_jobs_spec::Config;
//! // The specification agrees with itself.
//! let harness = Harness { cases: 16, ..Harness::default() };
//! harness.check(|| Specification::new(Config::default())).unwrap();
//! ```

pub mod strategy;

use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::Config;
use crate::service::{Message, Service};
use crate::trace::judge::Sides;
use crate::trace::replay::drive;
pub use crate::trace::Driven;
use crate::trace::{Answer, Expect, Judge, Replay, Step, Verdict};

/// What an implementation did for one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    /// Its answer to the call (or [`Answer::Published`] for an MQTT publish).
    pub answer: Answer,
    /// Every MQTT message it published from the end of the previous step to the end of
    /// this one: timers that fired on the way, the reply to a publish, notifications.
    pub messages: Vec<Message>,
}

/// An implementation of the IoT Jobs service under test.
pub trait Implementation {
    /// Starts over: no things, groups or jobs, the clock at 0.
    fn reset(&mut self);
    /// Performs one step at `step.at` (moving the clock there first) and reports it.
    fn perform(&mut self, step: &Step) -> Observed;
}

/// An implementation with [`Service`]'s typed surface ([`Driven`]) as an
/// [`Implementation`]: the adapter decodes each step into a [`crate::Request`] (or a
/// publish), moves the clock, and drains the messages, as the specification is driven.
///
/// A wrapper that forwards to a [`Service`] (yours would forward to your implementation)
/// is checked in a few lines:
///
/// ```
/// use iot_jobs_spec::conformance::{Adapter, Driven, Harness};
/// use iot_jobs_spec::{Config, Error, Message, Request, Response, Service};
///
/// struct Mine(Service);
///
/// impl Driven for Mine {
///     fn reset(&mut self) { self.0 = Service::new(Config::default()) }
///     fn handle(&mut self, now: u64, r: Request) -> Result<Response, Error> {
///         self.0.handle(now, r)
///     }
///     fn handle_publish(&mut self, now: u64, topic: &str, payload: &[u8]) {
///         self.0.handle_publish(now, topic, payload)
///     }
///     fn handle_timeout(&mut self, now: u64) { self.0.handle_timeout(now) }
///     fn poll_message(&mut self) -> Option<Message> { self.0.poll_message() }
/// }
///
/// let harness = Harness { cases: 8, ..Harness::default() };
/// harness.check(|| Adapter(Mine(Service::new(Config::default())))).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Adapter<T>(pub T);

impl<T: Driven> Implementation for Adapter<T> {
    fn reset(&mut self) {
        self.0.reset();
    }

    fn perform(&mut self, step: &Step) -> Observed {
        let answer = drive(&mut self.0, step.at, &step.action).into_answer();
        let messages = std::iter::from_fn(|| self.0.poll_message()).collect();
        Observed { answer, messages }
    }
}

/// The specification itself, as an [`Implementation`]: the [`Adapter`] of a [`Service`].
#[derive(Clone, Debug)]
pub struct Specification(Adapter<Service>);

impl Specification {
    /// The specification with `config`.
    pub fn new(config: Config) -> Self {
        Self(Adapter(Service::new(config)))
    }

    /// The underlying service, for inspection.
    pub fn service(&self) -> &Service {
        &self.0 .0
    }
}

impl Implementation for Specification {
    fn reset(&mut self) {
        self.0.reset();
    }

    fn perform(&mut self, step: &Step) -> Observed {
        self.0.perform(step)
    }
}

/// Compares an implementation's step with the specification's, by the judge that checks
/// traces ([`crate::trace::Judge`]): the specification's answer and messages are the
/// expectation (objects as subsets, error codes equal, values the rules leave open such
/// as generated ids and free-text messages by presence and type only, messages as a
/// multiset). The message names the implementation's value as the implementation's.
pub fn compare(spec: &Observed, imp: &Observed) -> Result<(), String> {
    let expect = match (&spec.answer, &imp.answer) {
        (Answer::NotModelled(_), _) => return Ok(()),
        (Answer::Published, Answer::Published) => Expect::Nothing,
        (Answer::Output(v), Answer::Output(_) | Answer::Error(_)) => Expect::Output(v.clone()),
        (Answer::Error(v), Answer::Output(_) | Answer::Error(_)) => Expect::Error(v.clone()),
        (want, have) => {
            return Err(format!(
                "the specification answers {}, the implementation {}",
                short(want),
                short(have)
            ))
        }
    };
    let events: Vec<Value> = spec
        .messages
        .iter()
        .map(|m| serde_json::json!({"topic": m.topic, "payload": m.payload.to_json()}))
        .collect();
    match Judge::new(0).observed(&expect, Some(&events), &imp.answer, &imp.messages) {
        Verdict::Diverges(d) => Err(d.describe(&Sides {
            expected: "the specification gives",
            actual: "the implementation",
        })),
        _ => Ok(()),
    }
}

fn short(a: &Answer) -> String {
    match a {
        Answer::Output(v) => format!("success {v}"),
        Answer::Error(v) => format!("error {}", v["code"]),
        Answer::NotModelled(n) => n.to_string(),
        Answer::Published => "a publish".into(),
        Answer::Unsupported(s) => s.clone(),
    }
}

/// The first step on which an implementation and the specification disagree.
#[derive(Clone, Debug, PartialEq)]
pub struct Disagreement {
    /// The index of the step in the list.
    pub step: usize,
    /// How they differ.
    pub why: String,
    /// The steps up to and including it, as a trace with the specification's
    /// expectations filled in: replay it with `iot-jobs-spec check`.
    pub trace: String,
    /// Where the trace was written, when [`Harness::write_to`] was set.
    pub written_to: Option<PathBuf>,
}

impl Disagreement {
    /// How many steps the trace holds.
    pub fn len(&self) -> usize {
        self.trace.lines().count()
    }

    /// Whether the trace is empty (never, for a real disagreement).
    pub fn is_empty(&self) -> bool {
        self.trace.is_empty()
    }
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "step {} disagrees: {}", self.step + 1, self.why)?;
        if let Some(p) = &self.written_to {
            writeln!(f, "trace written to {}", p.display())?;
        }
        write!(f, "{}", self.trace)
    }
}

/// Runs `steps` (trace lines as JSON objects) on a fresh `imp` and a fresh specification
/// with `config`; the first disagreement, if any.
pub fn side_by_side(
    imp: &mut dyn Implementation,
    config: &Config,
    steps: &[Value],
) -> Result<(), Disagreement> {
    imp.reset();
    let mut spec = Replay::new(config.clone());
    let mut trace = String::new();
    for (i, value) in steps.iter().enumerate() {
        let line = value.to_string();
        let mut step = match spec.parse(&line) {
            Ok(Some(step)) => step,
            Ok(None) => continue,
            Err(why) => {
                return Err(Disagreement {
                    step: i,
                    why: format!("the step is malformed: {why}"),
                    trace,
                    written_to: None,
                })
            }
        };
        let observed = imp.perform(&step);
        let answer = spec.fill(&mut step);
        trace.push_str(&Value::Object(step.raw.clone()).to_string());
        trace.push('\n');
        if matches!(answer, Answer::NotModelled(_)) {
            return Ok(());
        }
        let expected = Observed {
            answer,
            messages: spec.messages(),
        };
        if let Err(why) = compare(&expected, &observed) {
            return Err(Disagreement {
                step: i,
                why,
                trace,
                written_to: None,
            });
        }
    }
    Ok(())
}

/// Drives an implementation and the specification side by side with generated steps.
#[derive(Clone, Debug)]
pub struct Harness {
    /// How many generated sequences to try.
    pub cases: u32,
    /// The specification's configuration.
    pub config: Config,
    /// The size of the generated scenarios.
    pub scenario: strategy::Scenario,
    /// Where to write the minimal failing trace (`conformance-failure.jsonl` in it).
    pub write_to: Option<PathBuf>,
    /// The seed of the generator (the same seed tries the same sequences).
    pub seed: u64,
}

impl Default for Harness {
    fn default() -> Self {
        Self {
            cases: 256,
            config: Config::default(),
            scenario: strategy::Scenario::default(),
            write_to: None,
            seed: 0x1075_5bec,
        }
    }
}

impl Harness {
    /// Tries `cases` generated sequences on implementations made by `make`; on the first
    /// disagreement, shrinks the sequence and returns the minimal one.
    pub fn check<I, F>(&self, make: F) -> Result<(), Box<Disagreement>>
    where
        I: Implementation,
        F: Fn() -> I,
    {
        use proptest::test_runner::{Config as PtConfig, RngAlgorithm, TestRng, TestRunner};
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&self.seed.to_le_bytes());
        let pt = PtConfig {
            cases: self.cases,
            failure_persistence: None,
            max_shrink_iters: 4096,
            ..PtConfig::default()
        };
        let mut runner =
            TestRunner::new_with_rng(pt, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let strategy = strategy::steps(&self.scenario);
        let result = runner.run(&strategy, |steps| {
            let mut imp = make();
            side_by_side(&mut imp, &self.config, &steps)
                .map_err(|d| proptest::test_runner::TestCaseError::fail(d.why))
        });
        let Err(proptest::test_runner::TestError::Fail(_, steps)) = result else {
            return Ok(());
        };
        let mut imp = make();
        let Err(mut d) = side_by_side(&mut imp, &self.config, &steps) else {
            return Ok(());
        };
        if let Some(dir) = &self.write_to {
            let path = dir.join("conformance-failure.jsonl");
            if std::fs::create_dir_all(dir).is_ok() && std::fs::write(&path, &d.trace).is_ok() {
                d.written_to = Some(path);
            }
        }
        Err(Box::new(d))
    }
}
