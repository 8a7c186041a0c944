//! Writing a scenario out as a trace (docs/trace-format.md, version 1): one JSON line per
//! call, with `output` or `error` and `events` filled in by the specification, so a
//! failing case can be replayed with `cargo run -- check FILE` and read line by line.
//!
//! Clock moves are not calls: their time becomes the next step's `at`, and what their
//! timers publish joins that step's `events`, as the format says. Trailing clock moves end
//! in a `DescribeJob` step that carries their events.

use std::path::PathBuf;

use iot_jobs_spec::trace::{Replay, Verdict};
use iot_jobs_spec::Config;
use serde_json::{json, Map, Value};

use super::strategies::Op;
use super::transitions::Outcome;

/// The trace of `ops` and their `outcomes`; `note` puts a comment on the step of op
/// `index` (or the next call after it).
pub fn lines(ops: &[Op], outcomes: &[Outcome], note: Option<(usize, &str)>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut events: Vec<Value> = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    for (i, (op, outcome)) in ops.iter().zip(outcomes).enumerate() {
        if let Some((at, why)) = note {
            if at == i {
                comments.push(format!("invariant violated here: {why}"));
            }
        }
        events.extend(
            outcome
                .messages
                .iter()
                .map(|m| json!({"topic": m.topic, "payload": m.payload.to_json()})),
        );
        let Some(call) = &outcome.call else {
            comments.push(format!("{op:?}: the clock moves to {}", outcome.at));
            continue;
        };
        let mut step = Map::new();
        step.insert("at".into(), json!(outcome.at));
        step.insert("call".into(), json!(call.op.name()));
        // DescribeJobExecution exists on both planes: say which.
        if call.op.name() == "DescribeJobExecution" {
            step.insert("service".into(), json!(call.op.plane().to_string()));
        }
        step.insert("input".into(), call.input.clone());
        match call.answer() {
            Ok(v) => {
                step.insert("output".into(), v);
            }
            Err(mut e) => {
                if let Value::Object(m) = &mut e {
                    m.remove("message");
                }
                step.insert("error".into(), e);
            }
        }
        step.insert("events".into(), Value::Array(std::mem::take(&mut events)));
        comments.push(format!("{op:?}"));
        step.insert("comment".into(), json!(comments.join("; ")));
        comments.clear();
        out.push(Value::Object(step));
    }
    if !events.is_empty() || !comments.is_empty() {
        let at = outcomes.last().map_or(0, |o| o.at);
        out.push(json!({
            "at": at,
            "call": "DescribeJob",
            "input": {"jobId": "j1"},
            "events": events,
            "comment": comments.join("; "),
        }));
    }
    out
}

/// Replays `lines` on a fresh specification, checking every step; the first step that does
/// not agree, as (line number, why).
pub fn check(lines: &[Value]) -> Result<(), (usize, String)> {
    let mut replay = Replay::new(Config::default());
    for (i, line) in lines.iter().enumerate() {
        let text = line.to_string();
        let step = match replay.parse(&text) {
            Ok(Some(step)) => step,
            Ok(None) => continue,
            Err(why) => return Err((i + 1, format!("malformed: {why}"))),
        };
        let expects = line.get("output").is_some() || line.get("error").is_some();
        match replay.check(&step) {
            Verdict::Agrees => {}
            Verdict::Setup if !expects => {}
            other => return Err((i + 1, format!("{other:?}: {text}"))),
        }
    }
    Ok(())
}

fn dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is TARGET/tmp; the traces go beside it.
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = target
        .parent()
        .map(|t| t.join("proptest-traces"))
        .unwrap_or_else(|| std::env::temp_dir().join("proptest-traces"));
    if std::fs::create_dir_all(&dir).is_ok() {
        dir
    } else {
        let tmp = std::env::temp_dir().join("iot-jobs-spec-proptest-traces");
        let _ = std::fs::create_dir_all(&tmp);
        tmp
    }
}

/// Writes `lines` as `NAME.jsonl` and gives its path. Proptest keeps the last failing case
/// while shrinking, so the file holds the case it finally reports.
pub fn write(name: &str, lines: &[Value]) -> String {
    let path = dir().join(format!("{name}.jsonl"));
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    match std::fs::write(&path, text) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(could not write {}: {e})", path.display()),
    }
}
