//! `check --timer-slack N`: a trace recorded from a service whose timers fire a little
//! late agrees within the slack, and diverges without it.

use iot_jobs_spec::trace::{Checker, Replay, Tolerance, Verdict};
use iot_jobs_spec::Config;
use serde_json::{json, Value};

/// A trace, with expectations, as a service firing every timer `late` seconds late
/// would answer it.
fn recorded(late: u64) -> Vec<String> {
    let arn = "arn:aws:iot:us-east-1:123456789012:thing/t1";
    let steps = [
        json!({"at": 0, "call": "CreateThing", "input": {"thingName": "t1"}}),
        json!({"at": 0, "call": "CreateJob", "input": {"jobId": "j1", "targets": [arn],
               "document": "{}", "timeoutConfig": {"inProgressTimeoutInMinutes": 1}}}),
        json!({"at": 10, "call": "StartNextPendingJobExecution", "input": {"thingName": "t1"}}),
        json!({"at": 71, "call": "DescribeJobExecution", "service": "iot",
               "input": {"thingName": "t1", "jobId": "j1"}}),
        json!({"at": 80, "call": "DescribeJobExecution", "service": "iot",
               "input": {"thingName": "t1", "jobId": "j1"}}),
    ];
    let mut replay = Replay::new(Config {
        timer_lateness: late,
        ..Config::default()
    });
    steps
        .iter()
        .map(|s| {
            let mut step = replay.parse(&s.to_string()).unwrap().unwrap();
            replay.fill(&mut step);
            Value::Object(step.raw).to_string()
        })
        .collect()
}

/// The verdicts and the latenesses left, checking each parsed step; checking the lines
/// as text (what the CLI does) must come to the same.
fn check(lines: &[String], slack: u64) -> (Vec<Verdict>, Vec<u64>) {
    let tolerance = Tolerance {
        timer_slack: slack,
        ..Tolerance::default()
    };
    let mut checker = Checker::new(&Config::default(), &tolerance);
    let verdicts: Vec<Verdict> = lines
        .iter()
        .map(|l| checker.check(&checker.parse(l).unwrap().unwrap()))
        .collect();
    let mut as_text = Checker::new(&Config::default(), &tolerance);
    let text_verdicts: Vec<Verdict> = lines
        .iter()
        .map(|l| {
            as_text
                .check_text(&as_text.read(l).unwrap().unwrap())
                .unwrap()
        })
        .collect();
    assert_eq!(text_verdicts, verdicts);
    assert_eq!(as_text.lateness(), checker.lateness());
    (verdicts, checker.lateness())
}

fn all_agree(v: &[Verdict]) -> bool {
    v.iter().all(|v| matches!(v, Verdict::Agrees))
}

#[test]
fn details_timers_a_timer_one_second_late_diverges_without_slack() {
    let (verdicts, _) = check(&recorded(1), 0);
    assert!(matches!(verdicts[3], Verdict::Diverges(_)), "{verdicts:?}");
}

#[test]
fn details_timers_a_timer_within_the_slack_agrees_and_the_lateness_is_pinned() {
    let (verdicts, lateness) = check(&recorded(1), 3);
    assert!(all_agree(&verdicts), "{verdicts:?}");
    assert_eq!(lateness, vec![1]);
}

#[test]
fn details_timers_a_timer_later_than_the_slack_diverges() {
    let (verdicts, _) = check(&recorded(5), 3);
    assert!(!all_agree(&verdicts));
}

#[test]
fn details_timers_an_exact_trace_agrees_with_any_slack() {
    let (verdicts, lateness) = check(&recorded(0), 60);
    assert!(all_agree(&verdicts));
    assert!(lateness.contains(&0));
}

/// `check --timer-slack 3600` over a long generated trace: a lateness that made no
/// difference yet is not tried apart, so the work follows the timers (it used to run one
/// specification per second of slack, 3 601 of them, on every step).
#[test]
fn details_timers_a_large_slack_costs_what_the_timers_cost() {
    use iot_jobs_spec::generate::{Generator, Options};
    let lines: Vec<String> = Generator::new(Options {
        seed: 1,
        steps: 20_000,
        things: 50,
        jobs: 10,
    })
    .collect();
    let tolerance = Tolerance {
        timer_slack: 3600,
        ..Tolerance::default()
    };
    let mut checker = Checker::new(&Config::default(), &tolerance);
    let (mut most, mut steps) = (0, 0);
    for line in &lines {
        let step = checker.read(line).unwrap().unwrap();
        assert_eq!(checker.check_text(&step), Ok(Verdict::Agrees), "{line}");
        most = most.max(checker.specifications());
        steps += 1;
    }
    assert_eq!(steps, lines.len());
    // The trace is exact: lateness 0 survives.
    assert_eq!(checker.lateness().first(), Some(&0));
    assert!(most <= 64, "up to {most} specifications at once");
}

#[test]
fn details_timers_a_large_slack_pins_the_lateness_a_trace_shows() {
    for late in [0, 1, 5, 10, 30, 59] {
        let (verdicts, lateness) = check(&recorded(late), 3600);
        assert!(all_agree(&verdicts), "{late}: {verdicts:?}");
        // The in-progress timer's deadline is 70; the steps at 71 and 80 see it fired
        // (stamped 70 + lateness) for a lateness up to 10, and not yet fired beyond.
        let (first, count) = (lateness.first().copied(), lateness.len());
        if late <= 10 {
            assert_eq!((first, count), (Some(late), 1), "{late}");
        } else {
            assert_eq!((first, count), (Some(11), 3600 - 10), "{late}");
        }
    }
}

/// A trace as a live service would record it: its own thing ids and refusal wording, and
/// every timestamp `late` seconds after the specification's.
fn live(late: i64) -> Vec<String> {
    fn shift(v: &mut Value, late: i64) {
        match v {
            Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    match (k.as_str(), v.as_i64()) {
                        ("timestamp" | "queuedAt" | "startedAt" | "lastUpdatedAt", Some(t)) => {
                            *v = json!(t + late)
                        }
                        ("thingId", _) => *v = json!("3f1c0a9e-live-uuid"),
                        ("message", _) => *v = json!("said by the live service"),
                        _ => shift(v, late),
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|v| shift(v, late)),
            _ => {}
        }
    }
    let arn = "arn:aws:iot:us-east-1:123456789012:thing/t1";
    let steps = [
        json!({"at": 0, "call": "CreateThing", "input": {"thingName": "t1"}}),
        json!({"at": 0, "call": "CreateJob", "input": {"jobId": "j1", "targets": [arn],
               "document": "{}"}}),
        json!({"at": 10, "publish": {"topic": "$aws/things/t1/jobs/j1/update",
               "payload": {"status": "IN_PROGRESS", "expectedVersion": 1}}}),
        json!({"at": 20, "publish": {"topic": "$aws/things/t1/jobs/j1/update",
               "payload": {"status": "SUCCEEDED", "expectedVersion": 1}}}),
        json!({"at": 30, "call": "DescribeJobExecution",
               "input": {"thingName": "t1", "jobId": "j1"}}),
    ];
    recorded_with_answers(&steps)
        .into_iter()
        .map(|mut line| {
            shift(&mut line, late);
            line.to_string()
        })
        .collect()
}

/// The steps with the specification's full answers (opaque members included).
fn recorded_with_answers(steps: &[Value]) -> Vec<Value> {
    let mut replay = Replay::new(Config::default());
    steps
        .iter()
        .map(|s| {
            let mut line = s.clone();
            let step = replay.parse(&s.to_string()).unwrap().unwrap();
            match replay.execute(&step) {
                iot_jobs_spec::trace::Answer::Output(v) => line["output"] = v,
                iot_jobs_spec::trace::Answer::Error(v) => line["error"] = v,
                _ => {}
            }
            line["events"] = replay
                .published()
                .iter()
                .map(|m| json!({"topic": m.topic, "payload": m.payload.to_json()}))
                .collect();
            line
        })
        .collect()
}

fn check_live(lines: &[String], time_tolerance: u64) -> Vec<Verdict> {
    let tolerance = Tolerance {
        time_tolerance,
        ..Tolerance::default()
    };
    let mut checker = Checker::new(&Config::default(), &tolerance);
    lines
        .iter()
        .map(|l| {
            checker
                .check_text(&checker.read(l).unwrap().unwrap())
                .unwrap()
        })
        .collect()
}

#[test]
fn a_live_trace_with_its_own_ids_words_and_clock_agrees_within_the_tolerance() {
    let exact = live(0);
    // Its own ids and words never count, even without a tolerance.
    assert!(exact.iter().any(|l| l.contains("3f1c0a9e-live-uuid")));
    assert!(exact.iter().any(|l| l.contains("said by the live service")));
    assert!(all_agree(&check_live(&exact, 0)));
    // Its clock two seconds ahead: agrees with a tolerance of 2, not 1 or 0.
    let late = live(2);
    assert!(all_agree(&check_live(&late, 2)));
    assert!(all_agree(&check_live(&late, 60)));
    assert!(!all_agree(&check_live(&late, 1)));
    assert!(!all_agree(&check_live(&late, 0)));
    // A clock behind the specification's never agrees.
    assert!(!all_agree(&check_live(&live(-1), 60)));
}
