//! Executing and checking steps against the specification, one at a time. What a step
//! expects is compared with what the specification answers by the one judge
//! ([`super::Judge`]); this module only runs the steps.

use serde_json::Value;

use super::judge::{as_written, Given, Judge, Want};
use super::step::{Action, Step, StepText};
use super::Divergence;
use crate::config::Config;
use crate::error::{Error, NotModelled, ServiceError};
use crate::plane::Operation;
use crate::request::{Request, Response};
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
    /// The specification answers otherwise: where, and the two values there.
    Diverges(Divergence),
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

/// The typed surface through which a trace step drives a service: [`Service`]'s own
/// (see the crate documentation's driver contract). [`Replay`] drives the specification
/// through it, and `conformance::Adapter` drives any implementation that has it.
pub trait Driven {
    /// Starts over: no things, groups or jobs, the clock at 0.
    fn reset(&mut self);
    /// Answers an HTTP call at logical time `now` (timers due by then fire first).
    fn handle(&mut self, now: u64, request: Request) -> Result<Response, Error>;
    /// Takes an MQTT message a device publishes at `now` (timers due by then fire first).
    fn handle_publish(&mut self, now: u64, topic: &str, payload: &[u8]);
    /// [`Driven::handle_publish`] for a payload the trace holds as JSON. By default its
    /// compact bytes are published; an implementation may take the value as it is.
    fn handle_publish_json(&mut self, now: u64, topic: &str, payload: Value) {
        let bytes = serde_json::to_vec(&payload).unwrap_or_default();
        self.handle_publish(now, topic, &bytes);
    }
    /// Moves the clock to `now`, firing every timer due by then.
    fn handle_timeout(&mut self, now: u64);
    /// The next message published, in order; `None` when all are read.
    fn poll_message(&mut self) -> Option<Message>;
}

impl Driven for Service {
    fn reset(&mut self) {
        *self = Service::new(self.config().clone());
    }
    fn handle(&mut self, now: u64, request: Request) -> Result<Response, Error> {
        Service::handle(self, now, request)
    }
    fn handle_publish(&mut self, now: u64, topic: &str, payload: &[u8]) {
        Service::handle_publish(self, now, topic, payload);
    }
    fn handle_publish_json(&mut self, now: u64, topic: &str, payload: Value) {
        Service::handle_publish_json(self, now, topic, payload);
    }
    fn handle_timeout(&mut self, now: u64) {
        Service::handle_timeout(self, now);
    }
    fn poll_message(&mut self) -> Option<Message> {
        Service::poll_message(self)
    }
}

/// Performs `action` at `at` on `service`: a publish, or a call decoded from its JSON
/// input (the clock moved to `at` first, so timers fire even when the input is refused).
/// The messages are left for the caller to drain.
pub(crate) fn drive<D: Driven + ?Sized>(service: &mut D, at: u64, action: &Action) -> Reply {
    match action {
        Action::Publish { topic, payload } => {
            match payload {
                Ok(v) => service.handle_publish_json(at, topic, v.clone()),
                Err(raw) => service.handle_publish(at, topic, raw.as_bytes()),
            }
            Reply::Other(Answer::Published)
        }
        Action::Call { plane, name, input } => match Operation::find(*plane, name) {
            None => Reply::Other(Answer::NotModelled(NotModelled {
                feature: format!("the {name} operation"),
                detail: format!("{plane} {name} is an AWS operation this model leaves out"),
            })),
            Some(op) => {
                service.handle_timeout(at);
                match Request::decode(op, input) {
                    Err(e) => Reply::Error(e),
                    Ok(request) => match service.handle(at, request) {
                        Ok(response) => Reply::Output(response),
                        Err(Error::Service(e)) => Reply::Error(e),
                        Err(Error::NotModelled(n)) => Reply::Other(Answer::NotModelled(n)),
                    },
                }
            }
        },
    }
}

/// The answer as the model gives it, before any JSON is built.
pub(crate) enum Reply {
    Output(Response),
    Error(ServiceError),
    Other(Answer),
}

impl Reply {
    fn given(&self) -> Given<'_> {
        match self {
            Reply::Output(r) => Given::Output(r),
            Reply::Error(e) => Given::Error(e),
            Reply::Other(a) => Given::Other(a),
        }
    }

    pub(crate) fn into_answer(self) -> Answer {
        match self {
            Reply::Output(r) => Answer::Output(r.to_json()),
            Reply::Error(e) => Answer::Error(crate::wire::to_json(&e)),
            Reply::Other(a) => a,
        }
    }
}

/// A specification being driven by a trace.
#[derive(Clone, Debug)]
pub struct Replay {
    service: Service,
    at: u64,
    /// What the last step published.
    messages: Vec<Message>,
    judge: Judge,
}

impl Replay {
    /// A fresh service with `config`, its clock at 0, judging timestamps exactly.
    pub fn new(config: Config) -> Self {
        Self::with_judge(config, Judge::new(0))
    }

    /// A fresh service with `config`, its clock at 0, judged by `judge`.
    pub fn with_judge(config: Config, judge: Judge) -> Self {
        Self {
            service: Service::new(config),
            at: 0,
            messages: Vec::new(),
            judge,
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
    pub fn messages(&self) -> Vec<Message> {
        self.messages.clone()
    }

    /// The messages the last executed step caused, borrowed.
    pub fn published(&self) -> &[Message] {
        &self.messages
    }

    /// Executes `step` and gives the specification's answer.
    pub fn execute(&mut self, step: &Step) -> Answer {
        self.run(step.at, &step.action).into_answer()
    }

    fn run(&mut self, at: u64, action: &Action) -> Reply {
        self.at = at;
        self.messages.clear();
        let answer = drive(&mut self.service, at, action);
        self.messages
            .extend(std::iter::from_fn(|| self.service.poll_message()));
        answer
    }

    /// Executes `step` and writes the specification's answer into its line: `output` or
    /// `error` and `events` (every message published), each without the values the rules
    /// leave open ([`super::judge::OPAQUE`]: generated ids, free-text messages), so the
    /// line pins only what the rules fix. Returns the answer; for [`Answer::NotModelled`]
    /// and [`Answer::Unsupported`] the line is left without expectations.
    pub fn fill(&mut self, step: &mut Step) -> Answer {
        for key in ["output", "error", "events"] {
            step.raw.remove(key);
        }
        let answer = self.execute(step);
        match &answer {
            Answer::Output(v) => {
                step.raw.insert("output".into(), as_written(v.clone()));
            }
            Answer::Error(v) => {
                step.raw.insert("error".into(), as_written(v.clone()));
            }
            Answer::Published => {}
            Answer::NotModelled(_) | Answer::Unsupported(_) => return answer,
        }
        step.raw.insert("events".into(), self.written_events());
        answer
    }

    /// Executes `step` and compares the answer with what it expects.
    pub fn check(&mut self, step: &Step) -> Verdict {
        let reply = self.run(step.at, &step.action);
        self.judge.parsed(
            &step.expect,
            step.events.as_deref(),
            reply.given(),
            &self.messages,
        )
    }

    /// [`Replay::check`] for a step whose expectations are still text (what `check`
    /// runs): the judge parses them only where its shortcut does not find them equal to
    /// the answer. `Err` when an expectation turns out malformed (the same message
    /// [`Step::parse`] gives).
    pub fn check_text(&mut self, step: &StepText<'_>) -> Result<Verdict, String> {
        let reply = self.run(step.at(), step.action());
        self.judge
            .step(Want::Text(step), reply.given(), &self.messages)
    }

    /// How many expectations the judge's shortcut found equal so far (for the tests).
    #[cfg(test)]
    pub(crate) fn same_texts(&self) -> u64 {
        self.judge.same_texts
    }

    /// The last step's messages as a trace's `events` write them.
    fn written_events(&self) -> Value {
        self.messages
            .iter()
            .map(|m| serde_json::json!({"topic": m.topic, "payload": as_written(m.payload.to_json())}))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::generate::{Generator, Options};
    use crate::trace::Expect;

    /// Changes one leaf of `v` (the `pick`-th, counting round), or adds a member, or
    /// expects a member to be `null`, or leaves a member out.
    fn change_leaf(v: &mut Value, pick: &mut usize) -> bool {
        match v {
            Value::Object(m) if m.is_empty() || pick.is_multiple_of(11) => {
                m.insert("addedMember".into(), json!(1));
                true
            }
            Value::Object(m) if pick.is_multiple_of(13) => {
                if let Some(first) = m.values_mut().next() {
                    *first = Value::Null;
                }
                true
            }
            Value::Object(m) if pick.is_multiple_of(17) => {
                if let Some(first) = m.keys().next().cloned() {
                    m.remove(&first);
                }
                true
            }
            Value::Object(m) => m.values_mut().any(|c| change_leaf(c, pick)),
            Value::Array(a) if a.is_empty() => {
                a.push(json!(0));
                true
            }
            Value::Array(a) => a.iter_mut().any(|c| change_leaf(c, pick)),
            leaf => {
                if *pick > 0 {
                    *pick -= 1;
                    return false;
                }
                *leaf = match leaf {
                    // The same number written as a float matches.
                    Value::Number(n) if pick.is_multiple_of(2) => json!(n.as_f64().unwrap_or(0.0)),
                    Value::Number(n) => json!(n.as_f64().unwrap_or(0.0) + 1.0),
                    Value::String(s) => json!(format!("{s}x")),
                    Value::Bool(b) => json!(!*b),
                    _ => json!(0),
                };
                true
            }
        }
    }

    /// A generated trace's steps (200, over 4 things and 3 jobs), one expectation changed
    /// in the steps whose `choices` entry is even (about half).
    fn changed_trace(seed: u64, choices: &[u8]) -> Vec<Step> {
        let mut at = 0;
        Generator::new(Options {
            seed,
            steps: 200,
            things: 4,
            jobs: 3,
        })
        .enumerate()
        .map(|(i, line)| {
            let mut step = Step::parse(&line, at).unwrap().unwrap();
            at = step.at;
            let choice = choices[i % choices.len()];
            if choice.is_multiple_of(2) {
                change(&mut step, choice / 2);
            }
            step
        })
        .collect()
    }

    fn change(step: &mut Step, choice: u8) {
        let mut pick = usize::from(choice / 8);
        match (choice % 8, &mut step.expect, &mut step.events) {
            (0..=2, Expect::Output(v) | Expect::Error(v), _) => {
                change_leaf(v, &mut pick);
            }
            (3..=5, _, Some(events)) if !events.is_empty() => {
                let n = events.len();
                change_leaf(&mut events[pick % n]["payload"], &mut pick);
            }
            (6, _, Some(events)) if !events.is_empty() => {
                let n = events.len();
                events[pick % n]["topic"] = json!("$aws/things/other/jobs/notify");
            }
            (7, _, Some(events)) if !events.is_empty() => {
                events.pop();
            }
            _ => {}
        }
    }

    const SETUP: &str = r#"{"call": "CreateThing", "input": {"thingName": "t1"}}"#;
    const CREATE_JOB: &str = r#"{"call": "CreateJob", "input": {"jobId": "j1",
        "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"], "document": "{}"}}"#;

    /// A replay after SETUP, and CreateJob's step with the events the specification
    /// publishes for it (a `notify` and a `notify-next` for t1).
    fn create_job_step() -> (Replay, Step) {
        let mut replay = Replay::new(Config::default());
        let setup = replay.parse(SETUP).unwrap().unwrap();
        replay.execute(&setup);
        let mut filled = replay.clone();
        let mut step = filled.parse(CREATE_JOB).unwrap().unwrap();
        filled.fill(&mut step);
        step.events = match step.raw.remove("events") {
            Some(Value::Array(events)) => Some(events),
            other => panic!("events: {other:?}"),
        };
        assert_eq!(step.events.as_ref().map(Vec::len), Some(2));
        (replay, step)
    }

    #[test]
    fn events_match_as_published_and_differ_when_changed() {
        let (replay, step) = create_job_step();
        assert_eq!(replay.clone().check(&step), Verdict::Agrees);
        // Same count, one payload changed: no published message matches it.
        let mut changed = step.clone();
        changed.events.as_mut().unwrap()[0]["payload"]["timestamp"] = json!(99);
        let Verdict::Diverges(why) = replay.clone().check(&changed) else {
            panic!("a changed event must diverge");
        };
        let why = why.to_string();
        assert!(why.contains("no published message matches"), "{why}");
        assert!(why.contains("$aws/things/t1/jobs/notify-next"), "{why}");
        // One missing: the count differs, and the message lists what was published.
        let mut fewer = step.clone();
        fewer.events.as_mut().unwrap().pop();
        let Verdict::Diverges(why) = replay.clone().check(&fewer) else {
            panic!("a missing event must diverge");
        };
        let why = why.to_string();
        assert!(why.contains("expected 1 messages"), "{why}");
        assert!(why.contains("$aws/things/t1/jobs/notify "), "{why}");
    }

    /// The verdict on `line` after SETUP, said in words.
    fn said(line: &str) -> String {
        let mut replay = Replay::new(Config::default());
        replay.execute(&replay.parse(SETUP).unwrap().unwrap());
        match replay.check(&replay.parse(line).unwrap().unwrap()) {
            Verdict::Diverges(d) => d.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_divergence_says_what_each_side_answered() {
        let pending = r#""call": "GetPendingJobExecutions", "input": {"thingName": "#;
        assert_eq!(
            said(&format!(r#"{{{pending} "nope"}}, "output": {{}}}}"#)),
            "expected success {}, the specification gives error \"ResourceNotFoundException\" \
             (thing 'nope' does not exist)"
        );
        assert_eq!(
            said(&format!(
                r#"{{{pending} "t1"}}, "error": {{"code": "ResourceNotFoundException"}}}}"#
            )),
            "expected error \"ResourceNotFoundException\", the specification gives success \
             {\"inProgressJobs\":[],\"queuedJobs\":[]}"
        );
        assert_eq!(
            said(&format!(
                r#"{{{pending} "nope"}}, "error": {{"code": "InvalidRequestException"}}}}"#
            )),
            "expected error \"InvalidRequestException\", the specification gives error \
             \"ResourceNotFoundException\" (thing 'nope' does not exist)"
        );
        assert_eq!(
            said(&format!(
                r#"{{{pending} "t1"}}, "output": {{"queuedJobs": null}}}}"#
            )),
            "output differs at /queuedJobs: expected null, the specification gives []"
        );
        // Outside the model: not checked; the trace stops unless an error was expected.
        let delete = r#""call": "DeleteJobTemplate", "input": {"jobTemplateId": "j"}"#;
        assert!(said(&format!("{{{delete}}}")).contains("stop: true"));
        let refused = r#""error": {"code": "ResourceNotFoundException"}"#;
        assert!(said(&format!("{{{delete}, {refused}}}")).contains("stop: false"));
    }

    #[test]
    fn an_event_given_as_raw_text_matches_its_json_exactly() {
        let (replay, mut step) = create_job_step();
        for e in step.events.as_mut().unwrap() {
            let payload = e.as_object_mut().unwrap().remove("payload").unwrap();
            e["payload_raw"] = json!(payload.to_string());
        }
        assert_eq!(replay.clone().check(&step), Verdict::Agrees);
        step.events.as_mut().unwrap()[1]["payload_raw"] = json!("{\"timestamp\": 0}");
        assert!(matches!(replay.clone().check(&step), Verdict::Diverges(_)));
    }

    /// A step as a line of text: its members, expectations and all.
    fn line_of(step: &Step) -> String {
        let mut line = step.raw.clone();
        match &step.expect {
            Expect::Nothing => {}
            Expect::Output(v) => {
                line.insert("output".into(), v.clone());
            }
            Expect::Error(v) => {
                line.insert("error".into(), v.clone());
            }
        }
        if let Some(events) = &step.events {
            line.insert("events".into(), Value::Array(events.clone()));
        }
        Value::Object(line).to_string()
    }

    #[test]
    fn a_generated_trace_is_checked_without_parsing_what_it_expects() {
        let lines: Vec<String> = Generator::new(Options {
            seed: 3,
            steps: 400,
            things: 4,
            jobs: 3,
        })
        .collect();
        let mut replay = Replay::new(Config::default());
        let mut expectations = 0;
        for line in &lines {
            let step = StepText::parse(line, replay.at()).unwrap().unwrap();
            expectations += u64::from(step.expectation_text().is_some())
                + u64::from(step.events_text().is_some());
            assert_eq!(replay.check_text(&step), Ok(Verdict::Agrees), "{line}");
        }
        assert!(expectations > 400, "{expectations}");
        assert_eq!(replay.same_texts(), expectations);
    }

    #[test]
    fn an_expectation_found_malformed_late_says_what_parse_says() {
        let (replay, step) = create_job_step();
        let good = line_of(&step);
        let with_events = |events: Value| {
            let mut v: Value = serde_json::from_str(&good).unwrap();
            v["events"] = events;
            v.to_string()
        };
        let bad = [
            with_events(json!({"x": []})),
            with_events(json!([{"topic": 1, "payload": {}}])),
            r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "output": []}"#
                .to_owned(),
            r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "error": {}}"#
                .to_owned(),
            r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"}, "error": 1}"#
                .to_owned(),
            r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t1"},
                "output": {"n": 1e999}}"#
                .to_owned(),
        ];
        for line in &bad {
            let why = Step::parse(line, 0).expect_err(line);
            let text = StepText::parse(line, 0).unwrap().unwrap();
            assert_eq!(replay.clone().check_text(&text), Err(why), "{line}");
        }
        assert!(Step::parse(&good, 0).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        /// Checking a line with its expectations as text gives the verdict checking the
        /// parsed step gives, message and all, on generated traces with one expectation
        /// changed in about half the steps (where the texts differ and the long way is
        /// taken).
        #[test]
        fn checking_text_gives_the_parsed_steps_verdict(
            seed in 0u64..10_000,
            choices in prop::collection::vec(any::<u8>(), 300),
        ) {
            let mut text = Replay::new(Config::default());
            let mut parsed = Replay::new(Config::default());
            let mut verdicts = [0usize; 2];
            for (i, step) in changed_trace(seed, &choices).iter().enumerate() {
                let line = line_of(step);
                let read = StepText::parse(&line, text.at()).unwrap().unwrap();
                let a = text.check_text(&read);
                // A change can make the line malformed (an error's code null): then
                // reading it whole says why, and checking it as text must say the same.
                let b = match Step::parse(&line, parsed.at()) {
                    Ok(_) => Ok(parsed.check(step)),
                    Err(why) => {
                        parsed.execute(step);
                        Err(why)
                    }
                };
                verdicts[usize::from(b == Ok(Verdict::Agrees))] += 1;
                prop_assert_eq!(a, b, "line {}: {}", i + 1, line);
            }
            prop_assert!(verdicts.iter().all(|&n| n > 10), "{:?}", verdicts);
        }
    }
}
