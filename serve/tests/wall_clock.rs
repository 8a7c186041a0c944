//! The default clock: Unix seconds, with timers fired in real time. A step timeout of one
//! minute (the shortest the model allows) fires on its own at its deadline, and the
//! recorded session, its firing included, checks. This test takes a minute.

mod common;

use std::time::{Duration, Instant};

use common::{request, Server};
use iot_jobs_spec::trace::{Checker, Tolerance, Verdict};
use iot_jobs_spec::Config;
use serde_json::json;

#[test]
fn a_step_timeout_fires_on_the_wall_clock_at_its_deadline() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let record = dir.join(format!("wall-{}.jsonl", std::process::id()));
    let mut server = Server::start(&["--record", record.to_str().unwrap()]);
    let port = server.port("http");
    let (data, iot) = (Some("iot-jobs-data"), Some("iot"));
    assert_eq!(request(port, "POST", "/things/w1", iot, "{}").status, 200);
    let job = json!({"targets": ["arn:aws:iot:us-east-1:123456789012:thing/w1"],
                     "document": "{}"});
    assert_eq!(
        request(port, "PUT", "/jobs/wj", iot, &job.to_string()).status,
        200
    );
    let started = request(
        port,
        "PUT",
        "/things/w1/jobs/$next",
        data,
        r#"{"stepTimeoutInMinutes": 1}"#,
    )
    .json();
    let started_at = started["execution"]["startedAt"].as_u64().unwrap();
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        started_at.abs_diff(unix) <= 2,
        "{started_at} is not Unix time {unix}"
    );

    let until = Instant::now() + Duration::from_secs(80);
    let execution = loop {
        let described = request(port, "GET", "/things/w1/jobs/wj", iot, "").json();
        if described["execution"]["status"] == "TIMED_OUT" || Instant::now() > until {
            break described["execution"].clone();
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(execution["status"], "TIMED_OUT", "{execution}");
    // Fired at its deadline, not when read: the control plane stamps it then.
    assert_eq!(execution["lastUpdatedAt"].as_u64(), Some(started_at + 60));

    assert!(server.interrupt().success());
    let text = std::fs::read_to_string(&record).unwrap();
    let mut checker = Checker::new(&Config::default(), &Tolerance::default());
    let mut timer_events = 0;
    for line in text.lines() {
        let step = checker.parse(line).unwrap().unwrap();
        if step.at > started_at + 59 {
            timer_events += step.events.as_ref().map_or(0, Vec::len);
        }
        let verdict = checker.check(&step);
        assert_eq!(verdict, Verdict::Agrees, "{line}");
    }
    // The firing's notify and notify-next were recorded with the first call after it.
    assert!(
        timer_events >= 2,
        "{timer_events} events after the deadline"
    );
    let _ = std::fs::remove_file(record);
}
