//! The state that owns the specification: the logical clock, the record, and the
//! messages waiting to be published. [`crate::handle::Handle`] guards it with one lock,
//! so requests from every connection reach it one at a time; each method here applies one
//! request, fires the timers its clock reaches, writes the exchange to the record and
//! queues what the specification published, for the handle to forward.
//!
//! It drives the specification through the trace runner ([`Replay`]): each request
//! becomes a trace step, is executed with [`Replay::fill`], and the filled line is what
//! the record holds, so a recorded session is checked by the same code that answered it.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iot_jobs_spec::trace::{Action, Answer, Expect, Replay, Step};
use iot_jobs_spec::{Config, Message, Plane};
use serde_json::{json, Map, Value};

/// How the logical clock moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockMode {
    /// The logical clock is Unix time in seconds; timers fire in real time.
    Wall,
    /// The logical clock moves only through the admin API.
    Manual,
}

/// What the admin API asks of the clock and the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admin {
    /// Read the clock.
    Get,
    /// Move the clock to this time (manual clock only).
    Set(u64),
    /// Move the clock forward by this many seconds (manual clock only).
    Advance(u64),
    /// Forget every thing, group and job; the clock back to its start.
    Reset,
}

/// A message to publish: (topic, payload).
pub type Outgoing = (String, bytes::Bytes);

/// The session record: trace-format lines, flushed after each.
struct Record {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Record {
    fn write(&mut self, line: &Map<String, Value>) {
        let text = Value::Object(line.clone()).to_string();
        if let Err(e) = writeln!(self.out, "{text}").and_then(|()| self.out.flush()) {
            eprintln!(
                "iot-jobs-serve: cannot write the record {:?}: {e}",
                self.path
            );
        }
    }
}

/// The task's state.
pub struct Actor {
    config: Config,
    replay: Replay,
    clock: ClockMode,
    start: u64,
    manual_now: u64,
    /// Messages timers published since the last step: the next step's first `events`.
    pending: Vec<Value>,
    record: Option<Record>,
    /// What the specification published and the handle has not forwarded yet.
    outgoing: VecDeque<Outgoing>,
    /// Set by [`Actor::close`]: every later request is refused.
    closed: bool,
}

/// The wall clock: the time since the Unix epoch.
pub(crate) fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn event(m: &Message) -> Value {
    json!({"topic": m.topic, "payload": m.payload})
}

impl Actor {
    /// A fresh specification on `clock` (starting at `start` when manual), recording to
    /// `record` when given.
    pub fn new(
        config: Config,
        clock: ClockMode,
        start: u64,
        record: Option<PathBuf>,
    ) -> std::io::Result<Self> {
        let record = match record {
            Some(path) => Some(Record {
                out: BufWriter::new(File::create(&path)?),
                path,
            }),
            None => None,
        };
        let mut replay = Replay::new(config.clone());
        replay.service_mut().handle_timeout(start);
        Ok(Self {
            config,
            replay,
            clock,
            start,
            manual_now: start,
            pending: Vec::new(),
            record,
            outgoing: VecDeque::new(),
            closed: false,
        })
    }

    /// The logical time now: never earlier than a time already used.
    pub fn now(&self) -> u64 {
        let floor = self.replay.service().now().max(self.replay.at());
        match self.clock {
            ClockMode::Wall => unix_now().as_secs().max(floor),
            ClockMode::Manual => self.manual_now.max(floor),
        }
    }

    /// The clock mode.
    pub fn clock(&self) -> ClockMode {
        self.clock
    }

    /// The earliest timer deadline of the specification, when one runs.
    pub fn next_timer(&self) -> Option<u64> {
        self.replay.service().poll_timeout()
    }

    /// Whether [`Actor::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Flushes the record; every later request is refused.
    pub fn close(&mut self) {
        self.flush();
        self.closed = true;
    }

    /// The oldest message the specification published that is not forwarded yet: call
    /// [`Actor::forwarded`] once it is.
    pub fn next_outgoing(&self) -> Option<&Outgoing> {
        self.outgoing.front()
    }

    /// The message [`Actor::next_outgoing`] gave is forwarded.
    pub fn forwarded(&mut self) {
        self.outgoing.pop_front();
    }

    fn flush(&mut self) {
        if let Some(r) = &mut self.record {
            let _ = r.out.flush();
        }
    }

    /// Applies an HTTP call of `name` on `plane`, with its `input` as a trace writes it.
    pub fn call(&mut self, plane: Plane, name: &str, input: Value) -> Answer {
        let mut raw = Map::new();
        raw.insert("at".into(), self.now().into());
        raw.insert("call".into(), name.into());
        if iot_jobs_spec::Operation::default_plane(name) != Some(plane) {
            raw.insert("service".into(), plane.to_string().into());
        }
        raw.insert("input".into(), input.clone());
        let action = Action::Call {
            plane,
            name: name.to_owned(),
            input,
        };
        self.step(raw, action)
    }

    /// Applies a device's publish of `payload` on the reserved `topic`.
    pub fn publish(&mut self, topic: String, payload: &[u8]) {
        let mut raw = Map::new();
        raw.insert("at".into(), self.now().into());
        let parsed = serde_json::from_slice::<Value>(payload)
            .map_err(|_| String::from_utf8_lossy(payload).into_owned());
        let written = match &parsed {
            Ok(v) => json!({"topic": topic, "payload": v}),
            Err(s) => json!({"topic": topic, "payload_raw": s}),
        };
        raw.insert("publish".into(), written);
        let action = Action::Publish {
            topic,
            payload: parsed,
        };
        self.step(raw, action);
    }

    /// Fires the timers due at the clock's time now (the wall clock's timer task).
    pub fn fire_due_timers(&mut self) {
        let now = self.now();
        self.fire_timers(now);
    }

    /// Executes one trace step, publishes what it caused, records it.
    fn step(&mut self, raw: Map<String, Value>, action: Action) -> Answer {
        let at = raw["at"].as_u64().unwrap_or(0);
        let mut step = Step {
            at,
            action,
            expect: Expect::Nothing,
            events: None,
            raw,
        };
        let answer = self.replay.fill(&mut step);
        let messages = self.replay.messages();
        self.publish_all(&messages);
        let earlier = std::mem::take(&mut self.pending);
        if let Some(Value::Array(events)) = step.raw.get_mut("events") {
            events.splice(0..0, earlier);
        }
        if let Some(r) = &mut self.record {
            r.write(&step.raw);
        }
        answer
    }

    /// Fires every timer due by `now`; what they publish goes out now and into the next
    /// step's `events` in the record.
    fn fire_timers(&mut self, now: u64) {
        let service = self.replay.service_mut();
        service.handle_timeout(now);
        let messages: Vec<Message> = std::iter::from_fn(|| service.poll_message()).collect();
        self.publish_all(&messages);
        self.pending.extend(messages.iter().map(event));
    }

    fn publish_all(&mut self, messages: &[Message]) {
        self.outgoing.extend(messages.iter().map(|m| {
            let payload = serde_json::to_vec(&m.payload).unwrap_or_default();
            (m.topic.clone(), payload.into())
        }));
    }

    fn clock_state(&self) -> Value {
        json!({
            "now": self.now(),
            "clock": match self.clock { ClockMode::Wall => "wall", ClockMode::Manual => "manual" },
            "nextTimer": self.replay.service().poll_timeout(),
        })
    }

    /// Applies an admin request: the clock's state after it, or why it was refused.
    pub fn admin(&mut self, op: Admin) -> Result<Value, String> {
        let target = match op {
            Admin::Get => return Ok(self.clock_state()),
            Admin::Reset => {
                self.replay = Replay::new(self.config.clone());
                self.replay.service_mut().handle_timeout(self.start);
                self.manual_now = self.start;
                self.pending.clear();
                self.outgoing.clear();
                if let Some(r) = &mut self.record {
                    match File::create(&r.path) {
                        Ok(f) => r.out = BufWriter::new(f),
                        Err(e) => return Err(format!("cannot restart the record: {e}")),
                    }
                }
                return Ok(self.clock_state());
            }
            Admin::Set(t) => t,
            Admin::Advance(d) => self
                .now()
                .checked_add(d)
                .ok_or("the clock would overflow")?,
        };
        if self.clock != ClockMode::Manual {
            return Err(
                "the clock is the wall clock: start the server with --clock manual to set it"
                    .into(),
            );
        }
        if target < self.now() {
            return Err(format!(
                "time never goes back: the clock is at {}, not moved to {target}",
                self.now()
            ));
        }
        self.manual_now = target;
        self.fire_timers(target);
        Ok(self.clock_state())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(actor: &mut Actor, name: &'static str, input: Value) -> Answer {
        let plane = iot_jobs_spec::Operation::default_plane(name).unwrap();
        actor.call(plane, name, input)
    }

    fn admin(actor: &mut Actor, op: Admin) -> Result<Value, String> {
        actor.admin(op)
    }

    #[test]
    fn the_manual_clock_moves_only_forward_and_fires_timers_into_the_next_step() {
        let dir = std::env::temp_dir().join(format!("serve-actor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("record.jsonl");
        let mut actor = Actor::new(
            Config::default(),
            ClockMode::Manual,
            100,
            Some(path.clone()),
        )
        .unwrap();
        assert_eq!(actor.now(), 100);
        call(&mut actor, "CreateThing", json!({"thingName": "t1"}));
        let created = call(
            &mut actor,
            "CreateJob",
            json!({"jobId": "j1", "document": "{}",
                   "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"],
                   "timeoutConfig": {"inProgressTimeoutInMinutes": 1}}),
        );
        assert!(matches!(created, Answer::Output(_)), "{created:?}");
        let started = call(
            &mut actor,
            "StartNextPendingJobExecution",
            json!({"thingName": "t1"}),
        );
        assert!(matches!(started, Answer::Output(_)), "{started:?}");
        assert_eq!(admin(&mut actor, Admin::Get).unwrap()["nextTimer"], 160);
        assert!(admin(&mut actor, Admin::Set(99))
            .unwrap_err()
            .contains("never goes back"));
        let moved = admin(&mut actor, Admin::Advance(60)).unwrap();
        assert_eq!(moved["now"], 160);
        assert_eq!(moved["nextTimer"], Value::Null);
        let topics: Vec<String> = std::iter::from_fn(|| {
            let topic = actor.next_outgoing()?.0.clone();
            actor.forwarded();
            Some(topic)
        })
        .collect();
        assert!(
            topics.contains(&"$aws/things/t1/jobs/notify".to_owned()),
            "{topics:?}"
        );
        let described = call(
            &mut actor,
            "DescribeJobExecution",
            json!({"thingName": "t1", "jobId": "j1"}),
        );
        // TIMED_OUT is terminal: the device plane's describe says so (410).
        let Answer::Error(e) = described else {
            panic!("{described:?}")
        };
        assert_eq!(e["code"], "TerminalStateException");
        // The record replays: the timer's messages are the last step's first events.
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        let last: Value = serde_json::from_str(lines[3]).unwrap();
        assert_eq!(last["at"], 160);
        assert_eq!(last["events"][0]["topic"], "$aws/things/t1/jobs/notify");
        let mut checker = iot_jobs_spec::trace::Checker::new(
            &Config::default(),
            &iot_jobs_spec::trace::Tolerance::default(),
        );
        for line in lines {
            let step = checker.parse(line).unwrap().unwrap();
            let verdict = checker.check(&step);
            assert!(
                matches!(
                    verdict,
                    iot_jobs_spec::trace::Verdict::Agrees | iot_jobs_spec::trace::Verdict::Setup
                ),
                "{line}: {verdict:?}"
            );
        }
        // Reset forgets everything and starts the record again.
        admin(&mut actor, Admin::Reset).unwrap();
        assert_eq!(actor.now(), 100);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
        let gone = call(&mut actor, "DescribeJob", json!({"jobId": "j1"}));
        assert!(matches!(gone, Answer::Error(e) if e["code"] == "ResourceNotFoundException"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_wall_clock_cannot_be_set() {
        let mut actor = Actor::new(Config::default(), ClockMode::Wall, 0, None).unwrap();
        assert!(actor.now() > 1_700_000_000);
        let refused = admin(&mut actor, Admin::Advance(5)).unwrap_err();
        assert!(refused.contains("--clock manual"), "{refused}");
    }
}
