//! Executing and checking steps against the specification, one at a time.

use serde_json::Value;

use super::canonical;
use super::matching::matches;
use super::probe::{matches_serialized, matches_serialized_except};
use super::step::{Action, Expect, Step, StepText};
use crate::config::Config;
use crate::error::{Error, NotModelled, ServiceError};
use crate::plane::Operation;
use crate::request::{Request, Response};
use crate::service::outbox::Outgoing;
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

/// The answer as the model gives it, before any JSON is built: `check` compares it with
/// the expectation directly ([`super::probe`]) and builds JSON only to say how it differs.
enum Reply {
    Output(Response),
    Error(ServiceError),
    Other(Answer),
}

impl Reply {
    fn into_answer(self) -> Answer {
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
    /// What the last step published, as the service keeps it.
    messages: Vec<Outgoing>,
    /// Space to write answers in for [`Replay::check_text`], kept between steps.
    text: canonical::Text,
    /// How many expectations [`Replay::check_text`] found equal as text (for the tests:
    /// a generated trace should need no parsing of what it expects).
    same_texts: u64,
}

impl Replay {
    /// A fresh service with `config`, its clock at 0.
    pub fn new(config: Config) -> Self {
        Self {
            service: Service::new(config),
            at: 0,
            messages: Vec::new(),
            text: canonical::Text::default(),
            same_texts: 0,
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
        self.messages
            .iter()
            .map(|o| self.service.render(o))
            .collect()
    }

    /// Executes `step` and gives the specification's answer.
    pub fn execute(&mut self, step: &Step) -> Answer {
        self.run(step.at, &step.action).into_answer()
    }

    fn run(&mut self, at: u64, action: &Action) -> Reply {
        self.at = at;
        self.messages.clear();
        let answer = match action {
            Action::Publish { topic, payload } => {
                match payload {
                    Ok(v) => self.service.handle_publish_json(at, topic, v.clone()),
                    Err(raw) => self.service.handle_publish(at, topic, raw.as_bytes()),
                }
                Reply::Other(Answer::Published)
            }
            Action::Call { plane, name, input } => match Operation::find(*plane, name) {
                None => Reply::Other(Answer::NotModelled(NotModelled {
                    feature: format!("the {name} operation"),
                    detail: format!("{plane} {name} is an AWS operation this model leaves out"),
                })),
                Some(op) => {
                    self.service.handle_timeout(at);
                    match Request::decode(op, input) {
                        Err(e) => Reply::Error(e),
                        Ok(request) => match self.service.handle(at, request) {
                            Ok(response) => Reply::Output(response),
                            Err(Error::Service(e)) => Reply::Error(e),
                            Err(Error::NotModelled(n)) => Reply::Other(Answer::NotModelled(n)),
                        },
                    }
                }
            },
        };
        while let Some(o) = self.service.poll_outgoing() {
            self.messages.push(o);
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
                step.raw.insert("error".into(), error_as_written(v.clone()));
            }
            Answer::Published => {}
            Answer::NotModelled(_) | Answer::Unsupported(_) => return answer,
        }
        step.raw.insert("events".into(), self.rendered_events());
        answer
    }

    /// Executes `step` and compares the answer with what it expects.
    pub fn check(&mut self, step: &Step) -> Verdict {
        let reply = self.run(step.at, &step.action);
        let verdict = compare_reply(&step.expect, reply);
        match &step.events {
            None => verdict,
            Some(expected) => with_events(verdict, self.match_events(expected)),
        }
    }

    /// [`Replay::check`] for a step whose expectations are still text: each is compared
    /// with the answer written as the trace's writer writes JSON
    /// ([`super::canonical`]), and parsed and matched only when the texts differ, so a
    /// step that agrees costs no parsing of what it expects. `Err` when an expectation
    /// turns out malformed (the same message [`Step::parse`] gives).
    pub fn check_text(&mut self, step: &StepText<'_>) -> Result<Verdict, String> {
        let reply = self.run(step.at(), step.action());
        self.text.clear();
        let verdict = match step.expectation_text() {
            None => compare_reply(&Expect::Nothing, reply),
            Some(want) if same_text(want, &reply, &mut self.text) => {
                self.same_texts += 1;
                Verdict::Agrees
            }
            Some(_) => compare_reply(&step.expect()?, reply),
        };
        let Some(want) = step.events_text() else {
            return Ok(verdict);
        };
        self.text.clear();
        let same = messages_text(&self.service, &self.messages, &mut self.text)
            && self.text.as_bytes() == want.as_bytes();
        self.same_texts += u64::from(same);
        let outcome = if same {
            debug_assert_eq!(
                serde_json::from_str::<Value>(want).ok(),
                Some(self.rendered_events()),
                "the messages' text and their JSON differ"
            );
            Ok(())
        } else {
            match step.expected_events()? {
                Some(expected) => self.match_events(&expected),
                None => Ok(()),
            }
        };
        Ok(with_events(verdict, outcome))
    }

    /// The last step's messages as `events` JSON (what `fill` writes).
    fn rendered_events(&self) -> Value {
        self.messages()
            .into_iter()
            .map(|m| serde_json::json!({"topic": m.topic, "payload": m.payload}))
            .collect()
    }

    /// trace-format "Matching" of the expected events with the last step's messages.
    fn match_events(&self, expected: &[Value]) -> Result<(), String> {
        // A `payload` is compared with the typed message; anything else (`payload_raw`)
        // as `event_matches` says, with the message rendered.
        let fits = |e: &Value, a: usize| {
            let o = &self.messages[a];
            match (e.get("payload"), e.get("topic").and_then(Value::as_str)) {
                (Some(p), Some(topic)) => self.service.outgoing_matches(o, topic, p),
                (Some(_), None) => false,
                (None, _) => event_matches(e, &self.service.render(o)),
            }
        };
        match_events_by(expected, self.messages.len(), fits, || {
            summary(&self.messages())
        })
    }
}

/// `messages` as the trace's `events` write them, in the order published; `false` where
/// the canonical writer gives up.
fn messages_text(service: &Service, messages: &[Outgoing], t: &mut canonical::Text) -> bool {
    t.push_raw(b"[");
    for (i, o) in messages.iter().enumerate() {
        if i > 0 {
            t.push_raw(b",");
        }
        if !service.write_outgoing(o, t) {
            return false;
        }
    }
    t.push_raw(b"]");
    true
}

/// Whether the answer, written as the trace's writer writes JSON (an error without its
/// free-text `message`), is `want` (`Ok` an output's text, `Err` an error's) byte for
/// byte. Equal texts are equal JSON, which matches (matching is reflexive); different
/// texts decide nothing.
fn same_text(want: Result<&str, &str>, reply: &Reply, t: &mut canonical::Text) -> bool {
    let same = match (want, reply) {
        (Ok(want), Reply::Output(r)) => {
            canonical::write(r, &[], t) && t.as_bytes() == want.as_bytes()
        }
        (Err(want), Reply::Error(e)) => {
            canonical::write(e, ERROR_UNWRITTEN, t) && t.as_bytes() == want.as_bytes()
        }
        _ => false,
    };
    debug_assert!(
        !same || {
            let want = want.unwrap_or_else(|e| e);
            let have = match reply {
                Reply::Output(r) => r.to_json(),
                Reply::Error(e) => error_as_written(crate::wire::to_json(e)),
                Reply::Other(_) => Value::Null,
            };
            serde_json::from_str::<Value>(want).ok() == Some(have)
        },
        "the answer's text and its JSON differ"
    );
    same
}

/// The members of an error a trace's line leaves out: the free-text `message`. [`Replay::fill`]
/// writes errors without them, and [`same_text`] writes the answer's error the same way.
const ERROR_UNWRITTEN: &[&str] = &["message"];

/// `error` as a trace's line carries it (without [`ERROR_UNWRITTEN`]).
fn error_as_written(mut error: Value) -> Value {
    if let Value::Object(m) = &mut error {
        m.retain(|k, _| !ERROR_UNWRITTEN.contains(&k.as_str()));
    }
    error
}

/// A verdict on the answer, with the outcome of matching the events.
fn with_events(verdict: Verdict, events: Result<(), String>) -> Verdict {
    match (&verdict, events) {
        (Verdict::Agrees | Verdict::Setup, Err(why)) => Verdict::Diverges(why),
        (Verdict::Setup, Ok(())) => Verdict::Agrees,
        _ => verdict,
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

fn summary(actual: &[Message]) -> String {
    actual
        .iter()
        .map(|m| format!("{} {}", m.topic, m.payload))
        .collect::<Vec<_>>()
        .join("; ")
}

/// trace-format "Matching": the expected events match the published messages as a
/// multiset, each expected one a distinct published one, the counts equal.
#[cfg(any(test, feature = "conformance"))]
pub(crate) fn match_events(expected: &[Value], actual: &[Message]) -> Result<(), String> {
    match_events_by(
        expected,
        actual.len(),
        |e, a| event_matches(e, &actual[a]),
        || summary(actual),
    )
}

/// [`match_events`] over `actual` published messages that `fits(expected, index)`
/// compares; `summary` lists them for a message.
fn match_events_by(
    expected: &[Value],
    actual: usize,
    fits: impl Fn(&Value, usize) -> bool,
    summary: impl Fn() -> String,
) -> Result<(), String> {
    if expected.len() != actual {
        return Err(format!(
            "events: expected {} messages, the specification publishes {}: [{}]",
            expected.len(),
            actual,
            summary()
        ));
    }
    // A bipartite matching by augmenting paths: small inputs, exact answer.
    let mut owner: Vec<Option<usize>> = vec![None; actual];
    fn augment(
        e: usize,
        expected: &[Value],
        fits: &dyn Fn(&Value, usize) -> bool,
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for a in 0..seen.len() {
            if seen[a] || !fits(&expected[e], a) {
                continue;
            }
            seen[a] = true;
            if owner[a].is_none_or(|other| augment(other, expected, fits, seen, owner)) {
                owner[a] = Some(e);
                return true;
            }
        }
        false
    }
    for e in 0..expected.len() {
        let mut seen = vec![false; actual];
        if !augment(e, expected, &fits, &mut seen, &mut owner) {
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

/// [`compare`] for the answer as the model gives it: the expectation is compared with
/// the typed answer, and only when they differ is the JSON built, to say how.
fn compare_reply(expect: &Expect, reply: Reply) -> Verdict {
    let agrees = match (expect, &reply) {
        (Expect::Nothing, Reply::Output(_) | Reply::Error(_)) => return Verdict::Setup,
        (Expect::Output(want), Reply::Output(have)) => matches_serialized(want, have),
        (Expect::Error(want), Reply::Error(have)) => {
            want.get("code")
                .is_some_and(|code| matches_serialized(code, &have.code))
                && matches_serialized_except(want, have, &["code", "message"])
        }
        _ => false,
    };
    if agrees {
        return Verdict::Agrees;
    }
    let typed = matches!(reply, Reply::Output(_) | Reply::Error(_));
    let verdict = compare(expect, reply.into_answer());
    // In debug builds (the tests), every step checked is a cross-check: what the typed
    // comparison found different, the JSON one must too.
    debug_assert!(
        !typed || !matches!(verdict, Verdict::Agrees | Verdict::Setup),
        "the typed comparison and the JSON one disagree: {verdict:?}"
    );
    verdict
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::generate::{Generator, Options};

    /// `check` the way it was before answers stayed typed: build the JSON, then compare.
    fn check_through_json(replay: &mut Replay, step: &Step) -> Verdict {
        let answer = replay.execute(step);
        let verdict = compare(&step.expect, answer);
        let Some(expected) = &step.events else {
            return verdict;
        };
        match (&verdict, match_events(expected, &replay.messages())) {
            (Verdict::Agrees | Verdict::Setup, Err(why)) => Verdict::Diverges(why),
            (Verdict::Setup, Ok(())) => Verdict::Agrees,
            _ => verdict,
        }
    }

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
        assert!(why.contains("no published message matches"), "{why}");
        assert!(why.contains("$aws/things/t1/jobs/notify-next"), "{why}");
        // One missing: the count differs, and the message lists what was published.
        let mut fewer = step.clone();
        fewer.events.as_mut().unwrap().pop();
        let Verdict::Diverges(why) = replay.clone().check(&fewer) else {
            panic!("a missing event must diverge");
        };
        assert!(why.contains("expected 1 messages"), "{why}");
        assert!(why.contains("$aws/things/t1/jobs/notify "), "{why}");
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Comparing typed answers and messages gives the same verdict, message and all,
        /// as building their JSON and comparing that, on generated traces with one
        /// expectation changed in about half the steps.
        #[test]
        fn typed_comparison_gives_the_json_comparisons_verdict(
            seed in 0u64..10_000,
            choices in prop::collection::vec(any::<u8>(), 300),
        ) {
            let mut typed = Replay::new(Config::default());
            let mut json = Replay::new(Config::default());
            let mut verdicts = [0usize; 2];
            for (i, step) in changed_trace(seed, &choices).iter().enumerate() {
                let a = typed.check(step);
                let b = check_through_json(&mut json, step);
                verdicts[usize::from(a == Verdict::Agrees)] += 1;
                prop_assert_eq!(a, b, "step {}: {:?}", i + 1, step);
            }
            // The trace both agreed and diverged: both answers were compared.
            prop_assert!(verdicts.iter().all(|&n| n > 10), "{:?}", verdicts);
        }
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
        assert_eq!(replay.same_texts, expectations);
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
