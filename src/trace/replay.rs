//! Executing and checking steps against the specification, one at a time.

use serde_json::Value;

use super::matching::matches;
use super::step::{Action, Expect, Step};
use crate::config::Config;
use crate::error::{Error, NotModelled};
use crate::plane::Operation;
use crate::request::Request;
use crate::service::{Message, Service};

/// What the specification answers to a step.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The success response.
    Output(Value),
    /// The error body: `code`, `message`, and `executionState` where the rules say.
    Error(Value),
    /// The step uses a feature outside the model.
    NotModelled(NotModelled),
    /// An MQTT publish: the answer is among the messages.
    Published,
    /// The step uses something this version cannot execute.
    Unsupported(String),
}

/// The outcome of checking one step.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The step expected something and the specification agrees.
    Agrees,
    /// The step expected nothing: executed, not checked.
    Setup,
    /// The specification answers otherwise; the message says how.
    Diverges(String),
    /// The step uses a feature outside the model; `stop` when the state after it is
    /// unknown (the step did not expect an error).
    NotChecked {
        /// Why.
        reason: String,
        /// Whether the rest of the trace can no longer be checked.
        stop: bool,
    },
    /// The step uses something this version cannot execute (exit 2).
    Unsupported(String),
}

/// A specification being driven by a trace.
#[derive(Clone, Debug)]
pub struct Replay {
    service: Service,
    at: u64,
    messages: Vec<Message>,
}

impl Replay {
    /// A fresh service with `config`, its clock at 0.
    pub fn new(config: Config) -> Self {
        Self {
            service: Service::new(config),
            at: 0,
            messages: Vec::new(),
        }
    }

    /// The service, for inspection.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The service, to drain its queues (e.g. [`Service::poll_transition`]) or drive it
    /// directly between steps.
    pub fn service_mut(&mut self) -> &mut Service {
        &mut self.service
    }

    /// The time of the last step.
    pub fn at(&self) -> u64 {
        self.at
    }

    /// Parses the next line (see [`Step::parse`]), relative to the last step's time.
    pub fn parse(&self, line: &str) -> Result<Option<Step>, String> {
        Step::parse(line, self.at)
    }

    /// The messages the last executed step caused (timers first, then the call's own).
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Executes `step` and gives the specification's answer.
    pub fn execute(&mut self, step: &Step) -> Answer {
        self.at = step.at;
        self.messages.clear();
        let answer = match &step.action {
            Action::Publish { topic, payload } => {
                match payload {
                    Ok(v) => self.service.handle_publish_json(step.at, topic, v.clone()),
                    Err(raw) => self.service.handle_publish(step.at, topic, raw.as_bytes()),
                }
                Answer::Published
            }
            Action::Call { plane, name, input } => match Operation::find(*plane, name) {
                None => Answer::NotModelled(NotModelled {
                    feature: format!("the {name} operation"),
                    detail: format!("{plane} {name} is an AWS operation this model leaves out"),
                }),
                Some(op) => {
                    self.service.handle_timeout(step.at);
                    match Request::decode(op, input) {
                        Err(e) => Answer::Error(serde_json::to_value(e).unwrap_or(Value::Null)),
                        Ok(request) => match self.service.handle(step.at, request) {
                            Ok(response) => Answer::Output(response.to_json()),
                            Err(Error::Service(e)) => {
                                Answer::Error(serde_json::to_value(e).unwrap_or(Value::Null))
                            }
                            Err(Error::NotModelled(n)) => Answer::NotModelled(n),
                        },
                    }
                }
            },
        };
        while let Some(m) = self.service.poll_message() {
            self.messages.push(m);
        }
        answer
    }

    /// Executes `step` and writes the specification's answer into its line: `output` or
    /// `error` (without the free-text `message`) and `events` (every message published).
    /// Returns the answer; for [`Answer::NotModelled`] and [`Answer::Unsupported`] the
    /// line is left without expectations.
    pub fn fill(&mut self, step: &mut Step) -> Answer {
        for key in ["output", "error", "events"] {
            step.raw.remove(key);
        }
        let answer = self.execute(step);
        match &answer {
            Answer::Output(v) => {
                step.raw.insert("output".into(), v.clone());
            }
            Answer::Error(v) => {
                let mut v = v.clone();
                if let Value::Object(m) = &mut v {
                    m.remove("message");
                }
                step.raw.insert("error".into(), v);
            }
            Answer::Published => {}
            Answer::NotModelled(_) | Answer::Unsupported(_) => return answer,
        }
        let events = self
            .messages
            .iter()
            .map(|m| serde_json::json!({"topic": m.topic, "payload": m.payload}))
            .collect();
        step.raw.insert("events".into(), Value::Array(events));
        answer
    }

    /// Executes `step` and compares the answer with what it expects.
    pub fn check(&mut self, step: &Step) -> Verdict {
        let answer = self.execute(step);
        let verdict = compare(&step.expect, answer);
        let Some(expected) = &step.events else {
            return verdict;
        };
        match (&verdict, match_events(expected, &self.messages)) {
            (Verdict::Agrees | Verdict::Setup, Err(why)) => Verdict::Diverges(why),
            (Verdict::Setup, Ok(())) => Verdict::Agrees,
            _ => verdict,
        }
    }
}

fn event_matches(expected: &Value, actual: &Message) -> bool {
    if expected.get("topic").and_then(Value::as_str) != Some(actual.topic.as_str()) {
        return false;
    }
    match (expected.get("payload"), expected.get("payload_raw")) {
        (Some(p), _) => matches(p, &actual.payload).is_ok(),
        (None, Some(Value::String(raw))) => {
            serde_json::from_str::<Value>(raw).ok().as_ref() == Some(&actual.payload)
        }
        _ => false,
    }
}

/// trace-format "Matching": the expected events match the published messages as a
/// multiset, each expected one a distinct published one, the counts equal.
pub(crate) fn match_events(expected: &[Value], actual: &[Message]) -> Result<(), String> {
    let summary = || {
        actual
            .iter()
            .map(|m| format!("{} {}", m.topic, m.payload))
            .collect::<Vec<_>>()
            .join("; ")
    };
    if expected.len() != actual.len() {
        return Err(format!(
            "events: expected {} messages, the specification publishes {}: [{}]",
            expected.len(),
            actual.len(),
            summary()
        ));
    }
    // A bipartite matching by augmenting paths: small inputs, exact answer.
    let mut owner: Vec<Option<usize>> = vec![None; actual.len()];
    fn augment(
        e: usize,
        expected: &[Value],
        actual: &[Message],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for a in 0..actual.len() {
            if seen[a] || !event_matches(&expected[e], &actual[a]) {
                continue;
            }
            seen[a] = true;
            if owner[a].is_none_or(|other| augment(other, expected, actual, seen, owner)) {
                owner[a] = Some(e);
                return true;
            }
        }
        false
    }
    for e in 0..expected.len() {
        let mut seen = vec![false; actual.len()];
        if !augment(e, expected, actual, &mut seen, &mut owner) {
            return Err(format!(
                "events: no published message matches {}; the specification publishes [{}]",
                expected[e],
                summary()
            ));
        }
    }
    Ok(())
}

fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Output(v) => format!("the output {v}"),
        Answer::Error(v) => format!(
            "the error {}",
            v.get("code").and_then(Value::as_str).unwrap_or("?")
        ),
        Answer::NotModelled(n) => n.to_string(),
        Answer::Published => "a publish".into(),
        Answer::Unsupported(s) => s.clone(),
    }
}

/// Compares an expectation with an answer.
pub(crate) fn compare(expect: &Expect, answer: Answer) -> Verdict {
    match (expect, answer) {
        (_, Answer::Unsupported(why)) => Verdict::Unsupported(why),
        (Expect::Nothing, Answer::Published) => Verdict::Setup,
        (_, Answer::Published) => Verdict::Setup,
        (expect, Answer::NotModelled(n)) => Verdict::NotChecked {
            reason: n.to_string(),
            stop: !matches!(expect, Expect::Error(_)),
        },
        (Expect::Nothing, _) => Verdict::Setup,
        (Expect::Output(want), Answer::Output(have)) => match matches(want, &have) {
            Ok(()) => Verdict::Agrees,
            Err(m) => Verdict::Diverges(format!("output differs {m}")),
        },
        (Expect::Error(want), Answer::Error(have)) => {
            let (want_code, have_code) = (want.get("code"), have.get("code"));
            if want_code != have_code {
                let msg = have.get("message").and_then(Value::as_str).unwrap_or("");
                return Verdict::Diverges(format!(
                    "expected error {}, the specification gives {} ({msg})",
                    want_code.unwrap_or(&Value::Null),
                    have_code.unwrap_or(&Value::Null)
                ));
            }
            let mut want = want.clone();
            if let Value::Object(m) = &mut want {
                m.remove("message");
                m.remove("code");
            }
            match matches(&want, &have) {
                Ok(()) => Verdict::Agrees,
                Err(m) => Verdict::Diverges(format!("error differs {m}")),
            }
        }
        (Expect::Output(_), have) => Verdict::Diverges(format!(
            "expected success, the specification gives {}{}",
            describe(&have),
            match &have {
                Answer::Error(v) => format!(
                    ": {}",
                    v.get("message").and_then(Value::as_str).unwrap_or("")
                ),
                _ => String::new(),
            }
        )),
        (Expect::Error(want), have) => Verdict::Diverges(format!(
            "expected error {}, the specification gives {}",
            want.get("code").unwrap_or(&Value::Null),
            describe(&have)
        )),
    }
}
