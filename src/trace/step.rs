//! Reading one line of a trace into a [`Step`], refusing malformed lines with a message
//! that says what is wrong (the caller adds `FILE:LINE:`).

use std::borrow::Cow;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::judge::{cut, quote};
use crate::plane::{Operation, Plane};

/// What a step does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A call to an operation.
    Call {
        /// The service it goes to.
        plane: Plane,
        /// The AWS operation name.
        name: String,
        /// The request members.
        input: Value,
    },
    /// An MQTT publish to a reserved topic.
    Publish {
        /// The topic.
        topic: String,
        /// The payload; `Err` holds `payload_raw`, a payload that is not JSON.
        payload: Result<Value, String>,
    },
}

/// What a step expects.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// Nothing: a setup step, executed but not checked.
    Nothing,
    /// The success response, matched as a subset.
    Output(Value),
    /// The error: `code` compared exactly, other members (except `message`) as a subset.
    Error(Value),
}

/// One step of a trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The logical time it happens at.
    pub at: u64,
    /// The call or publish.
    pub action: Action,
    /// The expectation.
    pub expect: Expect,
    /// The expected messages, when given.
    pub events: Option<Vec<Value>>,
    /// The line as read less its expectations (`output`, `error`, `events`, which moved
    /// into [`Step::expect`] and [`Step::events`]), for writing it back with fresh ones.
    pub raw: Map<String, Value>,
}

impl Step {
    /// Parses one line. `prev_at` is the previous step's time (0 before the first).
    /// `Ok(None)` for a blank line; `Err` says why the line is malformed.
    pub fn parse(line: &str, prev_at: u64) -> Result<Option<Step>, String> {
        StepText::parse(line, prev_at)?
            .map(StepText::into_step)
            .transpose()
    }
}

impl Step {
    /// The step as one line of a trace: the members [`Step::raw`] holds, in its order,
    /// each one `line` itself wrote (every member but `output`, `error` and `events`,
    /// which a replay fills in) in `line`'s own text with its whitespace taken out. A
    /// member read into a [`Value`] would be written back changed where JSON says more
    /// than a `Value` holds: a number past `u64` comes back as an `f64`
    /// (18446744073709551616 as 1.8446744073709552e+19). A line `line` does not read as
    /// members gives the members of `raw` as values.
    pub fn to_line(&self, line: &str) -> String {
        let written: Vec<(Cow<'_, str>, &RawValue)> = serde_json::from_str::<Members<'_>>(line)
            .map(|m| m.0)
            .unwrap_or_default();
        let mut out = String::with_capacity(line.len() + 64);
        out.push('{');
        for (i, (key, value)) in self.raw.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            // A string always serializes.
            out.push_str(&serde_json::to_string(key).unwrap_or_default());
            out.push(':');
            // A key written twice: the last one counts, as in `StepText::parse`.
            let as_written = written
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .filter(|_| !matches!(key.as_str(), "output" | "error" | "events"));
            match as_written {
                Some((_, text)) => compact_into(text.get(), &mut out),
                None => out.push_str(&value.to_string()),
            }
        }
        out.push('}');
        out
    }
}

/// Appends `json` (valid JSON text) without the whitespace between its tokens.
fn compact_into(json: &str, out: &mut String) {
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
            in_string = c == '"';
        }
    }
}

/// The keys a step may have (docs/trace-format.md); any other is a mistake (a misspelt
/// `outptu` would leave the step unchecked), so the line is malformed.
const KEYS: &[&str] = &[
    "at", "call", "service", "input", "output", "error", "publish", "events", "comment",
];

/// One line read as far as executing it needs: its time and action checked, its other
/// members parsed, and its expectations (`output`, `error`, `events`) left as the line's
/// text. [`Step::parse`] goes through it and parses those too; `check`
/// ([`super::Checker::check_text`]) first compares them as text with the answer written
/// the way the line's writer writes JSON, and parses them only when the texts differ.
#[derive(Clone, Debug)]
pub struct StepText<'a> {
    line: &'a str,
    at: u64,
    action: Action,
    /// The line's members but the expectations, and `input`, which is in the action.
    raw: Map<String, Value>,
    input_in_line: bool,
    output: Option<&'a RawValue>,
    error: Option<&'a RawValue>,
    events: Option<&'a RawValue>,
}

impl<'a> StepText<'a> {
    /// Reads one line as [`Step::parse`] does, but for the expectations' contents: their
    /// shapes are checked when they are parsed, and the same malformed line gives the same
    /// message then.
    pub fn parse(line: &'a str, prev_at: u64) -> Result<Option<Self>, String> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        let members: Members<'a> = serde_json::from_str(line).map_err(|_| line_error(line))?;
        let (mut output, mut error, mut events) = (None, None, None);
        let mut raw = Map::new();
        // A key written twice: the last one counts, as in a parsed object.
        for (key, text) in members.0 {
            match &*key {
                "output" => output = Some(text),
                "error" => error = Some(text),
                "events" => events = Some(text),
                key if !KEYS.contains(&key) => {
                    return Err(format!(
                        "unknown key `{}`: a step's keys are {}",
                        cut(key),
                        KEYS.iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ))
                }
                _ => {
                    let value = serde_json::from_str(text.get()).map_err(|_| line_error(line))?;
                    raw.insert(key.into_owned(), value);
                }
            }
        }
        let at = match raw.get("at") {
            None => prev_at,
            Some(Value::Number(n)) if n.is_u64() => n.as_u64().unwrap_or(0),
            Some(v) => {
                return Err(format!(
                    "`at` must be an unsigned integer, got {}",
                    quote(v)
                ))
            }
        };
        if at < prev_at {
            return Err(format!("`at` goes back in time: {at} after {prev_at}"));
        }
        // Only a call's `input` moves into the action (and back in `into_step`).
        let input_in_line = raw.contains_key("input");
        let action = match (raw.get("call"), raw.get("publish")) {
            (Some(_), Some(_)) => return Err("`call` and `publish` exclude each other".into()),
            (None, None) => return Err("a step needs `call` or `publish`".into()),
            (Some(_), None) => call_action(&mut raw)?,
            (None, Some(p)) => publish_action(p)?,
        };
        if matches!(action, Action::Publish { .. }) && (output.is_some() || error.is_some()) {
            return Err(
                "a `publish` step is answered by its `events`, not `output` or `error`".into(),
            );
        }
        if output.is_some() && error.is_some() {
            return Err("`output` and `error` exclude each other".into());
        }
        Ok(Some(Self {
            line,
            at,
            action,
            raw,
            input_in_line,
            output,
            error,
            events,
        }))
    }

    /// The logical time the step happens at.
    pub fn at(&self) -> u64 {
        self.at
    }

    /// The call or publish.
    pub fn action(&self) -> &Action {
        &self.action
    }

    /// The step with its expectations parsed; `Err` says why one is malformed.
    pub fn into_step(self) -> Result<Step, String> {
        let expect = self.expect()?;
        let events = self.expected_events()?;
        let mut raw = self.raw;
        if self.input_in_line {
            if let Action::Call { input, .. } = &self.action {
                raw.insert("input".into(), input.clone());
            }
        }
        Ok(Step {
            at: self.at,
            action: self.action,
            expect,
            events,
            raw,
        })
    }

    /// The text of `output` or `error`, whichever the line has.
    pub(crate) fn expectation_text(&self) -> Option<Result<&'a str, &'a str>> {
        match (self.output, self.error) {
            (Some(o), _) => Some(Ok(o.get())),
            (None, Some(e)) => Some(Err(e.get())),
            (None, None) => None,
        }
    }

    /// The text of `events`, when the line has them.
    pub(crate) fn events_text(&self) -> Option<&'a str> {
        self.events.map(RawValue::get)
    }

    /// The expectation, parsed and its shape checked.
    pub(crate) fn expect(&self) -> Result<Expect, String> {
        match (self.parsed(self.output)?, self.parsed(self.error)?) {
            (Some(o @ Value::Object(_)), _) => Ok(Expect::Output(o)),
            (Some(o), _) => Err(format!("`output` must be an object, got {}", quote(&o))),
            (None, Some(e @ Value::Object(_))) => {
                if !matches!(e.get("code"), Some(Value::String(_))) {
                    return Err("`error` needs a string `code`".into());
                }
                Ok(Expect::Error(e))
            }
            (None, Some(e)) => Err(format!("`error` must be an object, got {}", quote(&e))),
            (None, None) => Ok(Expect::Nothing),
        }
    }

    /// The expected events, parsed and their shape checked.
    pub(crate) fn expected_events(&self) -> Result<Option<Vec<Value>>, String> {
        match self.parsed(self.events)? {
            None => Ok(None),
            Some(Value::Array(list)) => {
                for e in &list {
                    // Without `payload` or `payload_raw`, any payload on the topic matches.
                    let ok = e.as_object().is_some_and(|m| {
                        matches!(m.get("topic"), Some(Value::String(_)))
                            && !(m.contains_key("payload") && m.contains_key("payload_raw"))
                            && m.get("payload_raw").is_none_or(Value::is_string)
                    });
                    if !ok {
                        return Err(format!(
                            "each of `events` needs a string `topic`, and at most one of \
                             `payload` and `payload_raw` (a string), got {}",
                            quote(e)
                        ));
                    }
                }
                Ok(Some(list))
            }
            Some(v) => Err(format!("`events` must be an array, got {}", quote(&v))),
        }
    }

    fn parsed(&self, text: Option<&RawValue>) -> Result<Option<Value>, String> {
        text.map(|t| serde_json::from_str(t.get()).map_err(|_| line_error(self.line)))
            .transpose()
    }
}

/// Why a line that does not read as members is malformed, in serde_json's words about the
/// whole line (a member that fails to parse on its own is reported the same way, so the
/// position is the line's).
fn line_error(line: &str) -> String {
    match serde_json::from_str::<Value>(line) {
        Err(e) => format!("not a JSON object: {e}"),
        Ok(_) => "not a JSON object".to_owned(),
    }
}

/// A line's members, each still its text, in the order written.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A member's name: borrowed from the line unless it has escapes.
#[derive(serde::Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// The call the line makes. Its `input` moves out of `raw` into the action (no copy);
/// [`StepText::into_step`] puts it back.
fn call_action(raw: &mut Map<String, Value>) -> Result<Action, String> {
    let name = match raw.get("call") {
        Some(Value::String(name)) => name.clone(),
        call => {
            let call = call.unwrap_or(&Value::Null);
            return Err(format!("`call` must be a string, got {}", quote(call)));
        }
    };
    let name = &name;
    let home = Operation::default_plane(name).ok_or_else(|| {
        format!(
            "unknown call `{}`: no AWS IoT Jobs operation has that name",
            cut(name)
        )
    })?;
    let plane = match raw.get("service") {
        None => home,
        Some(Value::String(s)) => {
            let plane: Plane = s.parse().map_err(|_| {
                format!("unknown service `{}`: use `iot-jobs-data` or `iot`", cut(s))
            })?;
            if Operation::find(plane, name).is_none() && !Operation::is_not_modelled(plane, name) {
                return Err(format!("service `{}` does not host `{name}`", cut(s)));
            }
            plane
        }
        Some(v) => return Err(format!("`service` must be a string, got {}", quote(v))),
    };
    let input = match raw.remove("input") {
        None => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v,
        Some(v) => return Err(format!("`input` must be an object, got {}", quote(&v))),
    };
    Ok(Action::Call {
        plane,
        name: name.clone(),
        input,
    })
}

fn publish_action(p: &Value) -> Result<Action, String> {
    let Value::Object(m) = p else {
        return Err(format!("`publish` must be an object, got {}", quote(p)));
    };
    let Some(Value::String(topic)) = m.get("topic") else {
        return Err("`publish` needs a string `topic`".into());
    };
    let payload = match (m.get("payload"), m.get("payload_raw")) {
        (Some(_), Some(_)) => return Err("`payload` and `payload_raw` exclude each other".into()),
        (Some(v), None) => Ok(v.clone()),
        (None, Some(Value::String(s))) => Err(s.clone()),
        (None, Some(v)) => return Err(format!("`payload_raw` must be a string, got {}", quote(v))),
        (None, None) => return Err("`publish` needs `payload` or `payload_raw`".into()),
    };
    Ok(Action::Publish {
        topic: topic.clone(),
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> String {
        Step::parse(line, 10).unwrap_err()
    }

    #[test]
    fn a_step_is_written_back_with_its_members_as_written() {
        let line = r#"{"call": "CreateThing", "comment": [18446744073709551616, "a \" b\\"],
            "input": {"thingName": "t 1", "n": 1.50}, "output": {"x": 1}, "comment": 2.0E+1}"#;
        let mut step = Step::parse(line, 0).unwrap().unwrap();
        assert!(!step.raw.contains_key("output"), "expectations leave `raw`");
        step.raw
            .insert("output".into(), serde_json::json!({"thingName": "t 1"}));
        assert_eq!(
            step.to_line(line),
            r#"{"call":"CreateThing","comment":2.0E+1,"input":{"thingName":"t 1","n":1.50},"output":{"thingName":"t 1"}}"#
        );
        // Without the first `comment`, the second one's text: the last one counts.
        let line = r#"{"call": "CreateThing", "comment": 18446744073709551616}"#;
        let step = Step::parse(line, 0).unwrap().unwrap();
        assert_eq!(
            step.to_line(line),
            r#"{"call":"CreateThing","comment":18446744073709551616}"#
        );
        // A string's own whitespace and escapes are kept.
        let line = r#"{"call": "CreateThing", "comment": " a \" { b\\"}"#;
        let step = Step::parse(line, 0).unwrap().unwrap();
        assert_eq!(
            step.to_line(line),
            r#"{"call":"CreateThing","comment":" a \" { b\\"}"#
        );
    }

    #[test]
    fn malformed_lines_say_why() {
        assert!(err("[1]").contains("not a JSON object"));
        assert!(err("{").contains("not a JSON object"));
        assert!(err(r#"{"at": 5, "call": "GetPendingJobExecutions"}"#).contains("back in time"));
        assert!(err(r#"{"at": 12.0, "call": "GetPendingJobExecutions"}"#).contains("unsigned"));
        assert!(err(r#"{"at": -1, "call": "GetPendingJobExecutions"}"#).contains("unsigned"));
        assert!(err(r#"{"call": "Frobnicate"}"#).contains("unknown call"));
        assert!(err(r#"{"call": "CreateJob", "service": "iot-jobs-data"}"#).contains("host"));
        assert!(err(r#"{"call": "CreateJob", "service": "s3"}"#).contains("unknown service"));
        assert!(err(r#"{"call": "CreateJob", "input": []}"#).contains("`input`"));
        assert!(
            err(r#"{"call": "CreateJob", "output": {}, "error": {"code": "X"}}"#)
                .contains("exclude")
        );
        assert!(err(r#"{"comment": "no call"}"#).contains("needs `call`"));
        let publish = r#""publish": {"topic": "$aws/things/t/jobs/get", "payload": {}}"#;
        for expectation in [r#""output": {}"#, r#""error": {"code": "X"}"#] {
            let line = format!("{{{publish}, {expectation}}}");
            assert!(err(&line).contains("answered by its `events`"), "{line}");
        }
    }

    #[test]
    fn an_unknown_key_is_malformed() {
        let why = err(r#"{"at": 10, "call": "GetPendingJobExecutions", "outptu": {}}"#);
        assert!(why.starts_with("unknown key `outptu`"), "{why}");
        for key in KEYS {
            let line = format!(r#"{{"call": "GetPendingJobExecutions", "{key}": null}}"#);
            assert!(!err_or_ok(&line).contains("unknown key"), "{key}");
        }
    }

    fn err_or_ok(line: &str) -> String {
        Step::parse(line, 0).err().unwrap_or_default()
    }

    #[test]
    fn an_expected_event_without_payload_is_read() {
        let line = r#"{"call": "GetPendingJobExecutions",
            "events": [{"topic": "$aws/things/t/jobs/notify"}]}"#;
        let step = Step::parse(line, 0).unwrap().unwrap();
        assert_eq!(
            step.events,
            Some(vec![
                serde_json::json!({"topic": "$aws/things/t/jobs/notify"})
            ])
        );
        for bad in [
            r#"[{"topic": "t", "payload": {}, "payload_raw": "{}"}]"#,
            r#"[{"topic": "t", "payload_raw": 1}]"#,
            r#"[{"payload": {}}]"#,
        ] {
            let line = format!(r#"{{"call": "GetPendingJobExecutions", "events": {bad}}}"#);
            assert!(err_or_ok(&line).contains("each of `events`"), "{bad}");
        }
    }

    #[test]
    fn a_huge_value_is_cut_in_the_message() {
        let huge = "x".repeat(50_000_000);
        let line = format!(r#"{{"call": "CreateJob", "input": "{huge}"}}"#);
        let why = err_or_ok(&line);
        assert!(why.len() < 1_000, "{} bytes", why.len());
        assert!(why.contains("cut: 50000002 bytes in all"), "{why}");
        let line = format!(r#"{{"call": "{huge}"}}"#);
        assert!(err_or_ok(&line).len() < 1_000);
        let line = format!(r#"{{"call": "CreateJob", "{huge}": 1}}"#);
        assert!(err_or_ok(&line).len() < 1_000);
    }

    #[test]
    fn what_a_line_and_its_member_names_must_be() {
        let not_object = serde_json::from_str::<Members>("[1]").err().unwrap();
        assert!(
            not_object.to_string().contains("a JSON object"),
            "{not_object}"
        );
        let escaped = serde_json::from_str::<Members>(r#"{"a\u0062": 1, "c": 2}"#).unwrap();
        let names: Vec<&str> = escaped.0.iter().map(|(k, _)| &**k).collect();
        assert_eq!(names, ["ab", "c"]);
        assert!(matches!(escaped.0[1].0, Cow::Borrowed(_)));
    }

    #[test]
    fn defaults() {
        assert_eq!(Step::parse("   ", 3).unwrap(), None);
        let s = Step::parse(r#"{"call": "DescribeJobExecution"}"#, 7)
            .unwrap()
            .unwrap();
        assert_eq!(s.at, 7);
        assert_eq!(s.expect, Expect::Nothing);
        // The line is kept as written: no `input` where it had none, and its own where it
        // had one (it moves into the action and back).
        assert!(!s.raw.contains_key("input"));
        let with_input = r#"{"call": "GetPendingJobExecutions", "input": {"thingName": "t"}}"#;
        let s2 = Step::parse(with_input, 0).unwrap().unwrap();
        assert_eq!(s2.raw["input"], serde_json::json!({"thingName": "t"}));
        let Action::Call { plane, input, .. } = s.action else {
            panic!("a call")
        };
        assert_eq!(plane, Plane::Data);
        assert_eq!(input, Value::Object(Map::new()));
        let s = Step::parse(r#"{"call": "DescribeJobExecution", "service": "iot"}"#, 0)
            .unwrap()
            .unwrap();
        assert!(matches!(
            s.action,
            Action::Call {
                plane: Plane::Control,
                ..
            }
        ));
    }
}
