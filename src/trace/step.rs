//! Reading one line of a trace into a [`Step`], refusing malformed lines with a message
//! that says what is wrong (the caller adds `FILE:LINE:`).

use serde_json::{Map, Value};

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
        if line.trim().is_empty() {
            return Ok(None);
        }
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
        let Value::Object(mut raw) = value else {
            return Err("not a JSON object".to_owned());
        };
        let at = match raw.get("at") {
            None => prev_at,
            Some(Value::Number(n)) if n.is_u64() => n.as_u64().unwrap_or(0),
            Some(v) => return Err(format!("`at` must be an unsigned integer, got {v}")),
        };
        if at < prev_at {
            return Err(format!("`at` goes back in time: {at} after {prev_at}"));
        }
        let action = match (raw.get("call"), raw.get("publish")) {
            (Some(_), Some(_)) => return Err("`call` and `publish` exclude each other".into()),
            (None, None) => return Err("a step needs `call` or `publish`".into()),
            (Some(call), None) => call_action(&raw, call)?,
            (None, Some(p)) => publish_action(p)?,
        };
        if matches!(action, Action::Publish { .. })
            && (raw.contains_key("output") || raw.contains_key("error"))
        {
            return Err(
                "a `publish` step is answered by its `events`, not `output` or `error`".into(),
            );
        }
        // The expectations move out of the line (no copy): `raw` keeps the rest, and
        // writing the step back puts fresh ones in.
        let expect = match (raw.remove("output"), raw.remove("error")) {
            (Some(_), Some(_)) => return Err("`output` and `error` exclude each other".into()),
            (Some(o @ Value::Object(_)), None) => Expect::Output(o),
            (Some(o), None) => return Err(format!("`output` must be an object, got {o}")),
            (None, Some(e @ Value::Object(_))) => {
                if !matches!(e.get("code"), Some(Value::String(_))) {
                    return Err("`error` needs a string `code`".into());
                }
                Expect::Error(e)
            }
            (None, Some(e)) => return Err(format!("`error` must be an object, got {e}")),
            (None, None) => Expect::Nothing,
        };
        let events = match raw.remove("events") {
            None => None,
            Some(Value::Array(list)) => {
                for e in &list {
                    let ok = e.as_object().is_some_and(|m| {
                        matches!(m.get("topic"), Some(Value::String(_)))
                            && (m.contains_key("payload") || m.contains_key("payload_raw"))
                    });
                    if !ok {
                        return Err(format!(
                            "each of `events` needs a string `topic` and a `payload`, got {e}"
                        ));
                    }
                }
                Some(list)
            }
            Some(v) => return Err(format!("`events` must be an array, got {v}")),
        };
        Ok(Some(Step {
            at,
            action,
            expect,
            events,
            raw,
        }))
    }
}

fn call_action(raw: &Map<String, Value>, call: &Value) -> Result<Action, String> {
    let Value::String(name) = call else {
        return Err(format!("`call` must be a string, got {call}"));
    };
    let home = Operation::default_plane(name)
        .ok_or_else(|| format!("unknown call `{name}`: no AWS IoT Jobs operation has that name"))?;
    let plane = match raw.get("service") {
        None => home,
        Some(Value::String(s)) => {
            let plane: Plane = s
                .parse()
                .map_err(|_| format!("unknown service `{s}`: use `iot-jobs-data` or `iot`"))?;
            if Operation::find(plane, name).is_none() && !Operation::is_not_modelled(plane, name) {
                return Err(format!("service `{s}` does not host `{name}`"));
            }
            plane
        }
        Some(v) => return Err(format!("`service` must be a string, got {v}")),
    };
    let input = match raw.get("input") {
        None => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(v) => return Err(format!("`input` must be an object, got {v}")),
    };
    Ok(Action::Call {
        plane,
        name: name.clone(),
        input,
    })
}

fn publish_action(p: &Value) -> Result<Action, String> {
    let Value::Object(m) = p else {
        return Err(format!("`publish` must be an object, got {p}"));
    };
    let Some(Value::String(topic)) = m.get("topic") else {
        return Err("`publish` needs a string `topic`".into());
    };
    let payload = match (m.get("payload"), m.get("payload_raw")) {
        (Some(_), Some(_)) => return Err("`payload` and `payload_raw` exclude each other".into()),
        (Some(v), None) => Ok(v.clone()),
        (None, Some(Value::String(s))) => Err(s.clone()),
        (None, Some(v)) => return Err(format!("`payload_raw` must be a string, got {v}")),
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
    }

    #[test]
    fn defaults() {
        assert_eq!(Step::parse("   ", 3).unwrap(), None);
        let s = Step::parse(r#"{"call": "DescribeJobExecution"}"#, 7)
            .unwrap()
            .unwrap();
        assert_eq!(s.at, 7);
        assert_eq!(s.expect, Expect::Nothing);
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
