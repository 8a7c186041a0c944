//! The conformance harness proves itself: the specification agrees with itself, and an
//! implementation with one rule changed is caught, with a short shrunk trace that
//! `check` replays.

use iot_jobs_spec::conformance::{compare, Harness, Implementation, Observed, Specification};
use iot_jobs_spec::trace::{Action, Answer, Replay, Step, Verdict};
use iot_jobs_spec::{Config, JobExecutionStatus};
use serde_json::{json, Value};

fn harness() -> Harness {
    Harness {
        cases: 200,
        ..Harness::default()
    }
}

/// The number of generated operations after the fixed fleet (3 things: 10 setup steps).
const SETUP_STEPS: usize = 10;

/// The shrunk trace must replay with `check` and diverge nowhere (it is the spec's own
/// expectations), and be short.
fn assert_short_and_replayable(trace: &str, most_ops: usize) {
    let lines: Vec<&str> = trace.lines().collect();
    assert!(
        lines.len() <= SETUP_STEPS + most_ops,
        "the shrunk trace has {} steps:\n{trace}",
        lines.len()
    );
    let mut replay = Replay::new(Config::default());
    for line in lines {
        let step = replay.parse(line).unwrap().unwrap();
        assert!(matches!(replay.check(&step), Verdict::Agrees), "{line}");
    }
}

#[test]
fn the_specification_agrees_with_itself() {
    harness()
        .check(|| Specification::new(Config::default()))
        .unwrap();
}

#[test]
fn a_timer_one_second_late_is_caught() {
    let late = Config {
        timer_lateness: 1,
        ..Config::default()
    };
    let d = harness()
        .check(|| Specification::new(late.clone()))
        .unwrap_err();
    assert_short_and_replayable(&d.trace, 6);
}

/// The specification with every answer and message payload it reports rewritten.
struct Rewrite(Specification, fn(&mut Value));

impl Implementation for Rewrite {
    fn reset(&mut self) {
        self.0.reset();
    }

    fn perform(&mut self, step: &Step) -> Observed {
        let mut o = self.0.perform(step);
        if let Answer::Output(v) | Answer::Error(v) = &mut o.answer {
            (self.1)(v);
        }
        for m in &mut o.messages {
            let mut payload = m.payload.to_json();
            (self.1)(&mut payload);
            m.payload = payload.into();
        }
        o
    }
}

/// Reports versionNumber + 1 on every canceled execution, as if cancels bumped it.
fn bump(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("status") == Some(&json!("CANCELED")) {
                if let Some(n) = m.get("versionNumber").and_then(Value::as_i64) {
                    m.insert("versionNumber".into(), json!(n + 1));
                }
            }
            m.values_mut().for_each(bump);
        }
        Value::Array(a) => a.iter_mut().for_each(bump),
        _ => {}
    }
}

#[test]
fn a_version_bump_on_cancel_is_caught() {
    let d = harness()
        .check(|| Rewrite(Specification::new(Config::default()), bump))
        .unwrap_err();
    assert!(d.why.contains("versionNumber"), "{}", d.why);
    assert_short_and_replayable(&d.trace, 4);
}

/// StartNext that passes over an IN_PROGRESS head and starts the first QUEUED execution.
struct SkipInProgressHead(Specification);

impl Implementation for SkipInProgressHead {
    fn reset(&mut self) {
        self.0.reset();
    }

    fn perform(&mut self, step: &Step) -> Observed {
        let Action::Call { name, input, .. } = &step.action else {
            return self.0.perform(step);
        };
        if name != "StartNextPendingJobExecution" {
            return self.0.perform(step);
        }
        let thing = input["thingName"].as_str().unwrap_or("").to_owned();
        let svc = self.0.service();
        let order = svc.pending_order(&thing);
        let head_in_progress = order.first().is_some_and(|(j, n)| {
            svc.execution(&thing, j, Some(*n))
                .is_some_and(|e| e.status == JobExecutionStatus::InProgress)
        });
        let queued = order.iter().find(|(j, n)| {
            svc.execution(&thing, j, Some(*n))
                .is_some_and(|e| e.status == JobExecutionStatus::Queued)
        });
        let (true, Some((job, _))) = (head_in_progress, queued.cloned()) else {
            return self.0.perform(step);
        };
        let at = step.at;
        let update = json!({"at": at, "call": "UpdateJobExecution",
            "input": {"thingName": thing, "jobId": job, "status": "IN_PROGRESS"}});
        let describe = json!({"at": at, "call": "DescribeJobExecution",
            "input": {"thingName": thing, "jobId": job}});
        let mut first = self
            .0
            .perform(&Step::parse(&update.to_string(), at).unwrap().unwrap());
        let second = self
            .0
            .perform(&Step::parse(&describe.to_string(), at).unwrap().unwrap());
        first.messages.extend(second.messages);
        Observed {
            answer: second.answer,
            messages: first.messages,
        }
    }
}

#[test]
fn start_next_skipping_an_in_progress_head_is_caught() {
    let d = harness()
        .check(|| SkipInProgressHead(Specification::new(Config::default())))
        .unwrap_err();
    assert!(d.trace.contains("StartNextPendingJobExecution"), "{d}");
    assert_short_and_replayable(&d.trace, 4);
}

#[test]
fn the_failing_trace_is_written_when_asked() {
    let dir =
        std::env::temp_dir().join(format!("iot-jobs-spec-conformance-{}", std::process::id()));
    let h = Harness {
        write_to: Some(dir.clone()),
        ..harness()
    };
    let d = h
        .check(|| Rewrite(Specification::new(Config::default()), bump))
        .unwrap_err();
    let path = d.written_to.clone().expect("written");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), d.trace);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "prints a shrunk trace for a person to read"]
fn show_a_shrunk_trace() {
    let late = Config {
        timer_lateness: 1,
        ..Config::default()
    };
    let d = harness()
        .check(|| Specification::new(late.clone()))
        .unwrap_err();
    println!("{d}");
}

#[test]
fn the_message_names_each_side_by_its_own_value() {
    let observed = |v: Value| Observed {
        answer: Answer::Output(v),
        messages: Vec::new(),
    };
    let spec = observed(json!({"executionState": {"versionNumber": 2}}));
    let imp = observed(json!({"executionState": {"versionNumber": 3}}));
    let why = compare(&spec, &imp).unwrap_err();
    assert!(
        why.contains("the specification gives 2, the implementation gives 3"),
        "{why}"
    );
    let d = harness()
        .check(|| Rewrite(Specification::new(Config::default()), bump))
        .unwrap_err();
    assert!(d.why.contains("the implementation gives"), "{}", d.why);
}

/// Assigns its own thing ids and words its own refusals, as any other service would.
fn reword(v: &mut Value) {
    if let Value::Object(m) = v {
        for (k, v) in m.iter_mut() {
            match k.as_str() {
                "thingId" | "thingGroupId" => *v = json!("their-own-uuid"),
                "message" => *v = json!("said differently"),
                _ => {}
            }
        }
    }
}

#[test]
fn generated_ids_and_free_text_are_never_compared() {
    harness()
        .check(|| Rewrite(Specification::new(Config::default()), reword))
        .unwrap();
    // But one that leaves a generated id out is caught.
    let spec = Observed {
        answer: Answer::Output(json!({"thingName": "t1", "thingId": "a"})),
        messages: Vec::new(),
    };
    let imp = Observed {
        answer: Answer::Output(json!({"thingName": "t1"})),
        messages: Vec::new(),
    };
    let why = compare(&spec, &imp).unwrap_err();
    assert!(why.contains("/thingId"), "{why}");
}
