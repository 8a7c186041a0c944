//! Golden traces: the calls of every example, answered by the specification (`run`), as
//! insta snapshots, and the transition table in its machine-readable forms. A change to
//! any answer shows up as a snapshot diff that a person reviews before accepting it
//! (`cargo insta review`, one snapshot at a time); CI fails on a pending or changed
//! snapshot.

use iot_jobs_spec::examples::EXAMPLES;
use iot_jobs_spec::rules;
use iot_jobs_spec::trace::Replay;
use iot_jobs_spec::Config;
use serde_json::Value;

/// The example's steps with their expectations removed and answered anew, one pretty
/// JSON object a step, each headed by its line number and comment.
fn answered(text: &str) -> String {
    let mut replay = Replay::new(Config::default());
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let Some(mut step) = replay.parse(line).unwrap() else {
            continue;
        };
        let comment = step
            .raw
            .remove("comment")
            .and_then(|c| c.as_str().map(str::to_owned))
            .unwrap_or_default();
        replay.fill(&mut step);
        out.push_str(&format!("# line {}: {comment}\n", i + 1));
        out.push_str(&serde_json::to_string_pretty(&Value::Object(step.raw)).unwrap());
        out.push('\n');
    }
    out
}

#[test]
fn golden_traces() {
    for (path, text) in EXAMPLES {
        let name = path
            .trim_start_matches("docs/examples/")
            .trim_end_matches(".jsonl");
        insta::assert_snapshot!(name, answered(text));
    }
}

#[test]
fn transition_table_as_json() {
    insta::assert_snapshot!("rules_json", rules::render::json());
}

#[test]
fn transition_diagram_as_mermaid() {
    insta::assert_snapshot!("rules_mermaid", rules::render::mermaid());
}
