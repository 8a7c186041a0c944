//! The one judge: whether an answer meets an expectation, by the matching rules of
//! docs/trace-format.md ("Comparing"). Every comparison the crate makes goes through
//! [`Judge`]: `check` (a trace's expectation against the specification's answer), `run`
//! and the vector writers (which leave out what the judge never compares, [`as_written`]),
//! and the conformance harness (the specification's answer against an implementation's).
//!
//! The rules, all in [`Judge::value`]:
//!
//! - an expected object matches when each member it names matches (members it leaves
//!   out are not checked); an expected array matches an array of the same length, element
//!   by element; numbers compare by value (`2` equals `2.0`), strings, booleans and `null`
//!   by equality; an expected `null` also matches a missing member;
//! - **opaque values** ([`OPAQUE`]): at the top level of an output, an error or a message
//!   payload, `thingId`, `thingGroupId` (ids AWS generates) and `message` (free text) are
//!   compared for presence and JSON type only, never by value;
//! - **timestamps** ([`TIMESTAMPS`], at any depth, when both values are integers): with a
//!   time tolerance of N seconds, an expected timestamp matches an actual one `t` when it
//!   lies in `t..=t + N` (a live service stamps with its own clock, a little after the
//!   step's `at`; the specification stamps `at` itself). Never earlier than `t`;
//! - **absence in notifications**: the `jobs` object of an expected `notify` payload must
//!   name the same statuses as the actual one (each list then matched as an array); an
//!   expected `notify-next` payload without `execution` asserts that the actual one has
//!   none;
//! - `events`: matched as a multiset (the same count, each expected message a different
//!   published one: same topic, payload matched as above; an expected message without
//!   `payload` or `payload_raw` matches any payload on its topic, one with `payload_raw`
//!   matches a payload equal to that text parsed).
//!
//! The judge has one shortcut, private to it: the answer written as a trace's writer
//! writes it (the private module `trace::canonical`, opaque members left out as
//! [`as_written`] leaves them out) is compared with the expectation's text byte for
//! byte. The shortcut can only say "equal": equal texts are the same JSON, which matches
//! by the rules above (every rule is reflexive, and leaving out members only loosens a
//! subset match), so it never decides a step the rules would not. Anything else falls
//! through to the rules.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::canonical;
use super::step::{Expect, StepText};
use super::{Answer, Verdict};
use crate::error::ServiceError;
use crate::mqtt::JobsTopic;
use crate::request::Response;
use crate::service::Message;

/// The members whose values the rules leave open, at the top level of an output, an error
/// or a message payload: ids the service generates (`thingId` of CreateThing,
/// `thingGroupId` of CreateThingGroup) and the free-text `message` of an error and of an
/// MQTT `/rejected` payload. Compared for presence and JSON type only; writers leave them
/// out ([`as_written`]). Nested members of these names (a `statusDetails` entry called
/// `message`) are ordinary values.
pub const OPAQUE: &[&str] = &["message", "thingGroupId", "thingId"];

/// The members that are timestamps, wherever they are (whole seconds on the logical
/// clock): the `timestamp` of a message and the `...At` members of executions and jobs.
/// A time tolerance applies to them when both values are integers.
pub const TIMESTAMPS: &[&str] = &[
    "completedAt",
    "createdAt",
    "lastUpdatedAt",
    "queuedAt",
    "startedAt",
    "timestamp",
];

/// How many characters of a value a divergence quotes before it cuts it.
const QUOTE_LIMIT: usize = 300;

/// Which part of a step a [`Divergence`] is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The success response (`output`).
    Output,
    /// The error (`error`).
    Error,
    /// The kind of answer: success where an error was expected, or the reverse.
    Answer,
    /// The published messages (`events`).
    Events,
}

/// Where and how an answer fails an expectation, diff-friendly: the part of the step, a
/// JSON-pointer path inside it, and the two values there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Divergence {
    /// The part of the step.
    pub part: Part,
    /// A JSON pointer into the part (`/execution/versionNumber`; `""` for the whole of
    /// it; for [`Part::Events`], `/N` names the N-th expected message).
    pub path: String,
    /// What was expected there (`null` where the expectation is that nothing is there).
    pub expected: Value,
    /// What is there (`None`: nothing, the member is missing).
    pub actual: Option<Value>,
    /// More about the actual side, e.g. an error's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Divergence {
    fn new(part: Part, (path, expected, actual): (String, Value, Option<Value>)) -> Self {
        Self {
            part,
            path,
            expected,
            actual,
            note: None,
        }
    }

    /// The divergence in words, naming the two sides as `sides` says. Values longer than
    /// a few hundred characters are cut, with a marker.
    pub fn describe(&self, sides: &Sides<'_>) -> String {
        let Sides { expected, actual } = *sides;
        let want = quote(&self.expected);
        let have = self.actual.as_ref().map(quote);
        let note = self
            .note
            .as_deref()
            .map_or(String::new(), |n| format!(" ({})", cut(n)));
        let at = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        match self.part {
            Part::Events if self.path.is_empty() => format!(
                "events: {expected} {} messages, {actual} publishes {}: [{}]",
                self.expected.as_array().map_or(0, Vec::len),
                self.actual
                    .as_ref()
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len),
                listed(self.actual.as_ref())
            ),
            Part::Events => format!(
                "events: no published message matches {want}; {actual} publishes [{}]",
                listed(self.actual.as_ref())
            ),
            Part::Answer => format!(
                "{expected} {}, {actual} gives {}{note}",
                answer_words(&self.expected),
                self.actual
                    .as_ref()
                    .map_or("nothing".to_owned(), answer_words)
            ),
            Part::Error if self.path == "/code" => format!(
                "{expected} error {want}, {actual} gives error {}{note}",
                have.unwrap_or_else(|| "nothing".to_owned())
            ),
            part => {
                let what = if part == Part::Error {
                    "error"
                } else {
                    "output"
                };
                match have {
                    Some(have) => {
                        format!("{what} differs at {at}: {expected} {want}, {actual} gives {have}")
                    }
                    None => {
                        format!("{what} differs at {at}: {expected} {want}, {actual} leaves it out")
                    }
                }
            }
        }
    }
}

/// Published messages (`{"topic", "payload"}` each) in words: `TOPIC PAYLOAD; ...`, each
/// payload cut where it is long.
fn listed(messages: Option<&Value>) -> String {
    let Some(Value::Array(list)) = messages else {
        return String::new();
    };
    list.iter()
        .map(|m| {
            let topic = m.get("topic").and_then(Value::as_str).unwrap_or("?");
            let payload = m.get("payload").map(quote).unwrap_or_default();
            format!("{} {payload}", cut(topic))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An answer in words: an error (an object with a string `code`) by its code, a success
/// by its output.
fn answer_words(v: &Value) -> String {
    match v.get("code") {
        Some(code @ Value::String(_)) => format!("error {}", quote(code)),
        _ => format!("success {}", quote(v)),
    }
}

/// How a [`Divergence`] names its two sides in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sides<'a> {
    /// Introduces the expected value: "expected".
    pub expected: &'a str,
    /// Who gives the actual value: "the specification".
    pub actual: &'a str,
}

impl Sides<'static> {
    /// A trace's expectation against the specification (what `check` says).
    pub const CHECK: Sides<'static> = Sides {
        expected: "expected",
        actual: "the specification",
    };
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(&Sides::CHECK))
    }
}

/// `v` as compact JSON, cut after [`QUOTE_LIMIT`] characters with a marker that says how
/// long it is.
pub(crate) fn quote(v: &Value) -> String {
    cut(&v.to_string()).into_owned()
}

pub(crate) fn cut(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(QUOTE_LIMIT) {
        None => s.into(),
        Some((end, _)) => format!("{}… (cut: {} bytes in all)", &s[..end], s.len()).into(),
    }
}

/// A value as a trace's writer writes it: the [`OPAQUE`] members left out of the top
/// level (what `run`, `generate` and `vectors` write for an output, an error or a message
/// payload).
pub fn as_written(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.retain(|k, _| !OPAQUE.contains(&k.as_str()));
    }
    v
}

/// A mismatch found by the rules: path, expected, actual.
type Miss = Box<(String, Value, Option<Value>)>;

/// What a payload is, for the rules that depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Plain,
    Notify,
    NotifyNext,
}

impl Kind {
    fn of_topic(topic: &str) -> Kind {
        match JobsTopic::parse(topic) {
            Some(JobsTopic::Notify { .. }) => Kind::Notify,
            Some(JobsTopic::NotifyNext { .. }) => Kind::NotifyNext,
            _ => Kind::Plain,
        }
    }
}

/// What a step expects, as the judge takes it: parsed, or still the line's text (parsed
/// only if the shortcut does not find it equal).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Want<'a, 's> {
    /// A parsed expectation and expected events.
    Parsed(&'a Expect, Option<&'a [Value]>),
    /// A line read by [`StepText::parse`].
    Text(&'a StepText<'s>),
}

/// An answer as the judge takes it: typed where the model gave it, or JSON.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Given<'a> {
    /// A success response, typed.
    Output(&'a Response),
    /// An error, typed.
    Error(&'a ServiceError),
    /// A success response as JSON.
    OutputJson(&'a Value),
    /// An error as JSON.
    ErrorJson(&'a Value),
    /// No answer to compare: a publish ([`Answer::Published`]), a step outside the model,
    /// an unsupported one.
    Other(&'a Answer),
}

impl Given<'_> {
    /// `Some(true)` a success, `Some(false)` an error.
    fn success(&self) -> Option<bool> {
        match self {
            Given::Output(_) | Given::OutputJson(_) => Some(true),
            Given::Error(_) | Given::ErrorJson(_) => Some(false),
            Given::Other(_) => None,
        }
    }

    fn to_json(self) -> Value {
        match self {
            Given::Output(r) => r.to_json(),
            Given::Error(e) => crate::wire::to_json(e),
            Given::OutputJson(v) | Given::ErrorJson(v) => v.clone(),
            Given::Other(_) => Value::Null,
        }
    }

    /// Writes the canonical text of the answer, opaque members left out.
    fn write(self, t: &mut canonical::Text) -> bool {
        match self {
            Given::Output(r) => canonical::write(r, OPAQUE, t),
            Given::Error(e) => canonical::write(e, OPAQUE, t),
            Given::OutputJson(v) | Given::ErrorJson(v) => canonical::write(v, OPAQUE, t),
            Given::Other(_) => false,
        }
    }
}

/// Decides whether answers and messages meet expectations (see the module docs). Keeps
/// its scratch space between steps.
#[derive(Clone, Debug, Default)]
pub struct Judge {
    time_tolerance: u64,
    text: canonical::Text,
    /// How many expectations the shortcut found equal (for the tests).
    pub(crate) same_texts: u64,
}

impl Judge {
    /// A judge that accepts timestamps up to `time_tolerance` seconds late (0: exactly).
    pub fn new(time_tolerance: u64) -> Self {
        Self {
            time_tolerance,
            ..Self::default()
        }
    }

    /// The time tolerance, in seconds.
    pub fn time_tolerance(&self) -> u64 {
        self.time_tolerance
    }

    /// Whether `actual` meets `expected`, both the `part` of a step ([`Part::Output`],
    /// [`Part::Error`], or a message payload with its `topic`); the first difference
    /// otherwise.
    ///
    /// ```
    /// use iot_jobs_spec::trace::{Judge, Part};
    /// use serde_json::json;
    /// let judge = Judge::new(0);
    /// assert!(judge.value(Part::Output, None, &json!({"a": 2}), &json!({"a": 2.0, "b": 1})).is_ok());
    /// // thingId is opaque: present, a string, any value.
    /// assert!(judge.value(Part::Output, None, &json!({"thingId": "x"}), &json!({"thingId": "y"})).is_ok());
    /// assert!(judge.value(Part::Output, None, &json!([1]), &json!([1, 2])).is_err());
    /// ```
    pub fn value(
        &self,
        part: Part,
        topic: Option<&str>,
        expected: &Value,
        actual: &Value,
    ) -> Result<(), Divergence> {
        let kind = topic.map_or(Kind::Plain, Kind::of_topic);
        self.top(expected, actual, kind)
            .map_err(|m| Divergence::new(part, *m))
    }

    /// The rules at the top level of an output, error or payload.
    fn top(&self, expected: &Value, actual: &Value, kind: Kind) -> Result<(), Miss> {
        let mut path = String::new();
        let (Value::Object(want), Value::Object(have)) = (expected, actual) else {
            return self.at(expected, Some(actual), None, &mut path);
        };
        for (k, v) in want {
            let a = have.get(k);
            push_key(&mut path, k);
            if OPAQUE.contains(&k.as_str()) {
                opaque(v, a, &path)?;
            } else {
                if kind == Kind::Notify && k == "jobs" {
                    same_statuses(v, a, &path)?;
                }
                self.at(v, a, Some(k), &mut path)?;
            }
            path.clear();
        }
        if kind == Kind::NotifyNext && !want.contains_key("execution") {
            if let Some(e) = have.get("execution").filter(|e| !e.is_null()) {
                return Err(Box::new((
                    "/execution".to_owned(),
                    Value::Null,
                    Some(e.clone()),
                )));
            }
        }
        Ok(())
    }

    /// The subset rules at `path`, `key` the member's name where it is one.
    fn at(
        &self,
        expected: &Value,
        actual: Option<&Value>,
        key: Option<&str>,
        path: &mut String,
    ) -> Result<(), Miss> {
        let fail = |path: &str| Box::new((path.to_owned(), expected.clone(), actual.cloned()));
        match (expected, actual) {
            (Value::Null, None | Some(Value::Null)) => Ok(()),
            (_, None) => Err(fail(path)),
            (Value::Object(want), Some(Value::Object(have))) => {
                for (k, v) in want {
                    let len = path.len();
                    push_key(path, k);
                    self.at(v, have.get(k), Some(k), path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            (Value::Array(want), Some(Value::Array(have))) => {
                if want.len() != have.len() {
                    return Err(fail(path));
                }
                for (i, (w, h)) in want.iter().zip(have).enumerate() {
                    let len = path.len();
                    path.push('/');
                    path.push_str(&i.to_string());
                    self.at(w, Some(h), None, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            (Value::Number(a), Some(Value::Number(b))) => {
                let timestamp = key.is_some_and(|k| TIMESTAMPS.contains(&k));
                let ok = match (a.as_i64(), b.as_i64()) {
                    (Some(want), Some(have)) if timestamp && self.time_tolerance > 0 => {
                        let (want, have) = (i128::from(want), i128::from(have));
                        have <= want && want <= have + i128::from(self.time_tolerance)
                    }
                    _ => numbers_equal(a, b),
                };
                if ok {
                    Ok(())
                } else {
                    Err(fail(path))
                }
            }
            (Value::String(a), Some(Value::String(b))) if a == b => Ok(()),
            (Value::Bool(a), Some(Value::Bool(b))) if a == b => Ok(()),
            _ => Err(fail(path)),
        }
    }

    /// The one decision for a step: its answer against its expectation, then its
    /// messages against its expected events. `Err` when an expectation given as text
    /// turns out malformed (the message [`super::Step::parse`] gives).
    pub(crate) fn step(
        &mut self,
        want: Want<'_, '_>,
        given: Given<'_>,
        published: &[Message],
    ) -> Result<Verdict, String> {
        let verdict = self.answer(want, given)?;
        let outcome = match want {
            Want::Parsed(_, None) => return Ok(verdict),
            Want::Parsed(_, Some(expected)) => self.events(expected, published),
            Want::Text(t) => match t.events_text() {
                None => return Ok(verdict),
                Some(text) if self.same_events_text(text, published) => Ok(()),
                Some(_) => match t.expected_events()? {
                    Some(expected) => self.events(&expected, published),
                    None => Ok(()),
                },
            },
        };
        Ok(match (verdict, outcome) {
            (Verdict::Agrees | Verdict::Setup, Err(d)) => Verdict::Diverges(d),
            (Verdict::Setup, Ok(())) => Verdict::Agrees,
            (verdict, _) => verdict,
        })
    }

    /// An answer and messages observed from an implementation, as JSON, against a parsed
    /// expectation: what a harness that drives another implementation compares.
    pub fn observed(
        &mut self,
        expect: &Expect,
        events: Option<&[Value]>,
        answer: &Answer,
        published: &[Message],
    ) -> Verdict {
        let given = match answer {
            Answer::Output(v) => Given::OutputJson(v),
            Answer::Error(v) => Given::ErrorJson(v),
            other => Given::Other(other),
        };
        self.parsed(expect, events, given, published)
    }

    /// [`Judge::step`] for a parsed expectation, which is never malformed.
    pub(crate) fn parsed(
        &mut self,
        expect: &Expect,
        events: Option<&[Value]>,
        given: Given<'_>,
        published: &[Message],
    ) -> Verdict {
        match self.step(Want::Parsed(expect, events), given, published) {
            Ok(verdict) => verdict,
            // Parsing checked the shapes; only text can turn out malformed.
            Err(why) => Verdict::Unsupported(why),
        }
    }

    /// The answer against the expectation (output or error).
    fn answer(&mut self, want: Want<'_, '_>, given: Given<'_>) -> Result<Verdict, String> {
        let parsed;
        let expect = match want {
            Want::Parsed(e, _) => e,
            Want::Text(t) => {
                let text = match t.expectation_text() {
                    None => None,
                    Some(Ok(text)) if given.success() == Some(true) => Some(text),
                    Some(Err(text)) if given.success() == Some(false) => Some(text),
                    Some(_) => None,
                };
                if let Some(text) = text {
                    self.text.clear();
                    if given.write(&mut self.text) && self.text.as_bytes() == text.as_bytes() {
                        self.same_texts += 1;
                        return Ok(Verdict::Agrees);
                    }
                }
                parsed = t.expect()?;
                &parsed
            }
        };
        let (want, part) = match (expect, given) {
            (_, Given::Other(Answer::Unsupported(why))) => {
                return Ok(Verdict::Unsupported(why.clone()))
            }
            (expect, Given::Other(Answer::NotModelled(n))) => {
                return Ok(Verdict::NotChecked {
                    reason: n.to_string(),
                    stop: !matches!(expect, Expect::Error(_)),
                })
            }
            (_, Given::Other(_)) | (Expect::Nothing, _) => return Ok(Verdict::Setup),
            (Expect::Output(w), Given::Output(_) | Given::OutputJson(_)) => (w, Part::Output),
            (Expect::Error(w), Given::Error(_) | Given::ErrorJson(_)) => (w, Part::Error),
            // A success where an error was expected, or the reverse.
            (Expect::Output(w) | Expect::Error(w), _) => {
                let have = given.to_json();
                return Ok(Verdict::Diverges(Divergence {
                    part: Part::Answer,
                    path: String::new(),
                    expected: w.clone(),
                    note: message_of(&have),
                    actual: Some(as_written(have)),
                }));
            }
        };
        let have = given.to_json();
        Ok(match self.value(part, None, want, &have) {
            Ok(()) => Verdict::Agrees,
            Err(mut d) => {
                if d.path == "/code" {
                    d.note = have
                        .get("message")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                Verdict::Diverges(d)
            }
        })
    }

    /// Whether `published`, written as a trace's `events` are written, is `want`.
    fn same_events_text(&mut self, want: &str, published: &[Message]) -> bool {
        let t = &mut self.text;
        t.clear();
        t.push_raw(b"[");
        for (i, m) in published.iter().enumerate() {
            if i > 0 {
                t.push_raw(b",");
            }
            t.push_raw(b"{\"payload\":");
            if !canonical::write(&m.payload, OPAQUE, t) {
                return false;
            }
            t.push_raw(b",\"topic\":");
            if !t.push_str_parts(&[&m.topic]) {
                return false;
            }
            t.push_raw(b"}");
        }
        t.push_raw(b"]");
        let same = t.as_bytes() == want.as_bytes();
        self.same_texts += u64::from(same);
        same
    }

    /// The expected events against the published messages, as a multiset.
    pub(crate) fn events(
        &self,
        expected: &[Value],
        published: &[Message],
    ) -> Result<(), Divergence> {
        let payloads: Vec<Value> = published.iter().map(|m| m.payload.to_json()).collect();
        let listed = || {
            Value::Array(
                published
                    .iter()
                    .zip(&payloads)
                    .map(|(m, p)| serde_json::json!({"topic": m.topic, "payload": p}))
                    .collect(),
            )
        };
        if expected.len() != published.len() {
            return Err(Divergence {
                part: Part::Events,
                path: String::new(),
                expected: Value::Array(expected.to_vec()),
                actual: Some(listed()),
                note: None,
            });
        }
        let fits = |e: usize, a: usize| {
            let want = &expected[e];
            let topic = want.get("topic").and_then(Value::as_str);
            if topic != Some(published[a].topic.as_str()) {
                return false;
            }
            match (want.get("payload"), want.get("payload_raw")) {
                (Some(p), _) => self.value(Part::Events, topic, p, &payloads[a]).is_ok(),
                (None, Some(Value::String(raw))) => {
                    serde_json::from_str::<Value>(raw).ok().as_ref() == Some(&payloads[a])
                }
                (None, Some(_)) => false,
                (None, None) => true,
            }
        };
        match unmatched(expected.len(), published.len(), fits) {
            None => Ok(()),
            Some(e) => Err(Divergence {
                part: Part::Events,
                path: format!("/{e}"),
                expected: expected[e].clone(),
                actual: Some(listed()),
                note: None,
            }),
        }
    }
}

/// An error's free-text `message`, to say why the other side refused.
fn message_of(error: &Value) -> Option<String> {
    error
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// An opaque member: present (or, expected `null`, absent) with the expected JSON type.
fn opaque(expected: &Value, actual: Option<&Value>, path: &str) -> Result<(), Miss> {
    let same_type = match (expected, actual) {
        (Value::Null, None | Some(Value::Null)) => true,
        (_, None) => false,
        (e, Some(a)) => std::mem::discriminant(e) == std::mem::discriminant(a),
    };
    if same_type {
        Ok(())
    } else {
        Err(Box::new((
            path.to_owned(),
            expected.clone(),
            actual.cloned(),
        )))
    }
}

/// `notify`'s `jobs`: the expected object names the same statuses as the actual one (a
/// status given as `null` is named as absent, by the rule for `null`).
fn same_statuses(expected: &Value, actual: Option<&Value>, path: &str) -> Result<(), Miss> {
    fn keys(v: &Map<String, Value>) -> Vec<&String> {
        v.iter()
            .filter(|(_, list)| !list.is_null())
            .map(|(k, _)| k)
            .collect()
    }
    match (expected, actual) {
        (Value::Object(want), Some(Value::Object(have))) if keys(want) != keys(have) => Err(
            Box::new((path.to_owned(), expected.clone(), actual.cloned())),
        ),
        _ => Ok(()),
    }
}

/// Appends `/key` to a JSON pointer, escaping `~` and `/` as RFC 6901 says.
fn push_key(path: &mut String, key: &str) {
    path.push('/');
    for c in key.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// Numbers by value: integers exactly, anything else as floats.
fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// A perfect matching of `expected` items onto `actual` ones where `fits(e, a)`, by
/// augmenting paths (small inputs, exact answer); `None` when there is one, else the first
/// expected item left without a partner.
fn unmatched(expected: usize, actual: usize, fits: impl Fn(usize, usize) -> bool) -> Option<usize> {
    fn augment(
        e: usize,
        fits: &dyn Fn(usize, usize) -> bool,
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for a in 0..seen.len() {
            if seen[a] || !fits(e, a) {
                continue;
            }
            seen[a] = true;
            if owner[a].is_none_or(|other| augment(other, fits, seen, owner)) {
                owner[a] = Some(e);
                return true;
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; actual];
    (0..expected).find(|&e| {
        let mut seen = vec![false; actual];
        !augment(e, &fits, &mut seen, &mut owner)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn judge(tolerance: u64) -> Judge {
        Judge::new(tolerance)
    }

    fn output(expected: Value, actual: Value) -> Result<(), Divergence> {
        judge(0).value(Part::Output, None, &expected, &actual)
    }

    fn payload(topic: &str, expected: Value, actual: Value) -> Result<(), Divergence> {
        judge(0).value(Part::Events, Some(topic), &expected, &actual)
    }

    #[test]
    fn objects_are_subsets_and_arrays_are_exact() {
        assert!(output(json!({}), json!({"x": 1})).is_ok());
        let m = output(
            json!({"x": {"y": [1, {"z": 3}]}}),
            json!({"x": {"y": [1, {"z": 4}]}}),
        )
        .unwrap_err();
        assert_eq!(m.path, "/x/y/1/z");
        assert_eq!(m.actual, Some(json!(4)));
        assert!(output(json!({"x": 1}), json!({})).is_err());
        assert!(output(json!({"x": []}), json!({"x": [1]})).is_err());
        // Paths escape `~` and `/` (RFC 6901).
        let m = output(json!({"a/b": {"c~d": 1}}), json!({"a/b": {"c~d": 2}})).unwrap_err();
        assert_eq!(m.path, "/a~1b/c~0d");
    }

    #[test]
    fn null_means_absent_or_null_and_numbers_compare_by_value() {
        assert!(output(json!({"x": null}), json!({"x": null})).is_ok());
        assert!(output(json!({"x": null}), json!({})).is_ok());
        assert!(output(json!({"x": null}), json!({"x": 0})).is_err());
        assert!(output(json!({"x": 2}), json!({"x": 2.0})).is_ok());
        assert!(output(json!({"x": 2.5}), json!({"x": 2})).is_err());
        assert!(output(json!({"x": true}), json!({"x": "true"})).is_err());
        assert!(output(json!({"x": "2"}), json!({"x": 2})).is_err());
        assert!(output(json!({"x": u64::MAX}), json!({"x": u64::MAX})).is_ok());
        assert!(output(json!({"x": -1}), json!({"x": u64::MAX})).is_err());
    }

    #[test]
    fn generated_ids_are_opaque_present_and_of_their_type() {
        let created = json!({"thingName": "t1", "thingArn": "arn", "thingId": "uuid-a"});
        assert!(output(json!({"thingId": "uuid-b"}), created.clone()).is_ok());
        assert!(output(json!({"thingGroupId": "g"}), json!({"thingGroupId": "h"})).is_ok());
        // Still diverges: missing, or of another type, or a fixed member beside it.
        let missing = output(json!({"thingId": "uuid-b"}), json!({"thingName": "t1"}));
        assert_eq!(missing.unwrap_err().path, "/thingId");
        assert!(output(json!({"thingId": 7}), created.clone()).is_err());
        assert!(output(json!({"thingId": "x", "thingName": "t2"}), created.clone()).is_err());
        // An expected null still asserts absence.
        assert!(output(json!({"thingId": null}), created).is_err());
    }

    #[test]
    fn free_text_messages_are_opaque_at_the_top_level_only() {
        let e = |m: &str| json!({"code": "ResourceNotFoundException", "message": m});
        let j = judge(0);
        assert!(j.value(Part::Error, None, &e("theirs"), &e("ours")).is_ok());
        // The code is still compared exactly.
        let wrong = json!({"code": "InvalidRequestException", "message": "ours"});
        let d = j.value(Part::Error, None, &wrong, &e("ours")).unwrap_err();
        assert_eq!(d.path, "/code");
        // In a /rejected payload too, and the rest of it still counts.
        let topic = "$aws/things/t1/jobs/j1/update/rejected";
        let rejected = json!({"code": "VersionMismatch", "message": "ours", "timestamp": 5});
        let theirs = json!({"code": "VersionMismatch", "message": "theirs", "timestamp": 5});
        assert!(payload(topic, theirs, rejected.clone()).is_ok());
        let late = json!({"code": "VersionMismatch", "message": "theirs", "timestamp": 6});
        assert!(payload(topic, late, rejected.clone()).is_err());
        assert!(payload(topic, json!({"message": 1}), rejected).is_err());
        // A `message` inside statusDetails is the device's own data: compared.
        let details = |m: &str| json!({"statusDetails": {"message": m}});
        assert!(output(details("a"), details("b")).is_err());
    }

    #[test]
    fn a_time_tolerance_accepts_later_timestamps_never_earlier_ones() {
        let j = judge(3);
        let at = |t: i64| json!({"execution": {"status": "QUEUED", "lastUpdatedAt": t}});
        let ok = |want: i64| j.value(Part::Output, None, &at(want), &at(100)).is_ok();
        assert!(ok(100) && ok(101) && ok(103));
        assert!(!ok(104), "more than the tolerance after");
        assert!(!ok(99), "before the specification's time");
        // A wrong status with a right timestamp still diverges.
        let wrong = json!({"execution": {"status": "IN_PROGRESS", "lastUpdatedAt": 101}});
        let d = j.value(Part::Output, None, &wrong, &at(100)).unwrap_err();
        assert_eq!(d.path, "/execution/status");
        // Only timestamps: a version number is compared exactly.
        let v = |n: i64| json!({"versionNumber": n});
        assert!(j.value(Part::Output, None, &v(3), &v(2)).is_err());
        // Without a tolerance, timestamps are compared exactly.
        assert!(judge(0)
            .value(Part::Output, None, &at(101), &at(100))
            .is_err());
        // Every timestamp member, in a message payload as well.
        for name in TIMESTAMPS {
            let (want, have) = (json!({ *name: 12 }), json!({ *name: 10 }));
            assert!(j.value(Part::Output, None, &want, &have).is_ok(), "{name}");
            assert!(
                judge(0).value(Part::Output, None, &want, &have).is_err(),
                "{name}"
            );
        }
    }

    #[test]
    fn notify_asserts_the_statuses_it_names() {
        let topic = "$aws/things/t1/jobs/notify";
        let job = json!({"jobId": "j1", "executionNumber": 1});
        let queued = json!({"timestamp": 5, "jobs": {"QUEUED": [job]}});
        // An empty pending list asserts that nothing is pending.
        let d = payload(topic, json!({"jobs": {}}), queued.clone()).unwrap_err();
        assert_eq!(d.path, "/jobs");
        assert!(payload(topic, json!({"jobs": {}}), json!({"jobs": {}})).is_ok());
        // The same statuses, each list then as an array.
        assert!(payload(topic, json!({"jobs": {"QUEUED": [{}]}}), queued.clone()).is_ok());
        assert!(payload(topic, json!({"jobs": {"QUEUED": []}}), queued.clone()).is_err());
        let both = json!({"jobs": {"QUEUED": [{}], "IN_PROGRESS": [{}]}});
        assert!(payload(topic, both, queued.clone()).is_err());
        // A status given as null is named absent.
        let null = json!({"jobs": {"QUEUED": [{}], "IN_PROGRESS": null}});
        assert!(payload(topic, null, queued.clone()).is_ok());
        // Without `jobs`, the pending list is not checked.
        assert!(payload(topic, json!({"timestamp": 5}), queued.clone()).is_ok());
        // On any other topic an empty object is a plain subset.
        assert!(payload(
            "$aws/things/t1/jobs/get/accepted",
            json!({"jobs": {}}),
            queued
        )
        .is_ok());
    }

    #[test]
    fn notify_next_without_execution_asserts_none() {
        let topic = "$aws/things/t1/jobs/notify-next";
        let next = json!({"timestamp": 5, "execution": {"jobId": "j1"}});
        let d = payload(topic, json!({"timestamp": 5}), next.clone()).unwrap_err();
        assert_eq!(d.path, "/execution");
        assert!(payload(topic, json!({"timestamp": 5}), json!({"timestamp": 5})).is_ok());
        assert!(payload(topic, json!({"execution": {}}), next.clone()).is_ok());
        // The same payload on another topic is a plain subset.
        assert!(payload("$aws/things/t1/jobs/notify", json!({}), next).is_ok());
    }

    fn message(topic: &str, payload: Value) -> Message {
        Message {
            topic: topic.to_owned(),
            payload: payload.into(),
        }
    }

    #[test]
    fn events_match_as_a_multiset_and_a_bare_topic_matches_any_payload() {
        let j = judge(0);
        let notify = "$aws/things/t1/jobs/notify";
        let next = "$aws/things/t1/jobs/notify-next";
        let published = [
            message(notify, json!({"timestamp": 5, "jobs": {}})),
            message(next, json!({"timestamp": 5})),
        ];
        // In any order; a message without payload matches on its topic alone.
        let bare = [
            json!({"topic": next}),
            json!({"topic": notify, "payload": {}}),
        ];
        assert_eq!(j.events(&bare, &published), Ok(()));
        // Still diverges: a bare topic that was not published, or a count that differs.
        let other = [json!({"topic": notify}), json!({"topic": notify})];
        let d = j.events(&other, &published).unwrap_err();
        assert_eq!((d.part, d.path.as_str()), (Part::Events, "/1"));
        let d = j.events(&bare[..1], &published).unwrap_err();
        assert_eq!(d.path, "");
        assert!(d.to_string().contains("expected 1 messages"), "{d}");
        // payload_raw: the text parsed, equal.
        let raw = [
            json!({"topic": notify, "payload_raw": "{\"jobs\":{},\"timestamp\":5}"}),
            json!({"topic": next, "payload_raw": "{\"timestamp\":6}"}),
        ];
        assert_eq!(j.events(&raw, &published).unwrap_err().path, "/1");
    }

    #[test]
    fn a_divergence_names_its_sides_and_cuts_long_values() {
        let d = output(json!({"x": 1}), json!({"x": 2})).unwrap_err();
        assert_eq!(
            d.to_string(),
            "output differs at /x: expected 1, the specification gives 2"
        );
        let sides = Sides {
            expected: "the specification gives",
            actual: "the implementation",
        };
        assert_eq!(
            d.describe(&sides),
            "output differs at /x: the specification gives 1, the implementation gives 2"
        );
        let huge = "y".repeat(1_000_000);
        let d = output(json!({"x": huge}), json!({"x": 2})).unwrap_err();
        let said = d.to_string();
        assert!(said.len() < 1_000, "{} bytes", said.len());
        assert!(said.contains("(cut: 1000002 bytes in all)"), "{said}");
        // Cutting respects characters.
        let wide = "é".repeat(QUOTE_LIMIT + 5);
        assert!(cut(&wide).starts_with(&"é".repeat(QUOTE_LIMIT)));
    }

    #[test]
    fn the_trace_format_names_every_opaque_member_and_timestamp() {
        let doc = include_str!("../../docs/trace-format.md");
        let section = &doc[doc.find("**Values the rules leave open.**").unwrap()..];
        for name in OPAQUE.iter().chain(TIMESTAMPS) {
            assert!(section.contains(&format!("`{name}`")), "{name}");
        }
    }

    #[test]
    fn writers_leave_opaque_members_out_of_the_top_level_only() {
        let written = as_written(json!({
            "thingId": "u", "thingGroupId": "g", "message": "m", "thingName": "t",
            "statusDetails": {"message": "kept"}
        }));
        assert_eq!(
            written,
            json!({"thingName": "t", "statusDetails": {"message": "kept"}})
        );
    }
}
