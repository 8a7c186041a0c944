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
