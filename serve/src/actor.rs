//! The one task that owns the specification. HTTP handlers and the MQTT bridge send it
//! [`Command`]s; it applies them one at a time in the order they arrive, publishes every
//! message the specification queues, fires timers as its clock reaches them, and writes
//! each exchange to the record.
//!
//! It drives the specification through the trace runner ([`Replay`]): each request
//! becomes a trace step, is executed with [`Replay::fill`], and the filled line is what
//! the record holds, so a recorded session is checked by the same code that answered it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iot_jobs_spec::trace::{Action, Answer, Expect, Replay, Step};
use iot_jobs_spec::{Config, Message, Plane};
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, oneshot};

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

/// A request to the task.
pub enum Command {
    /// An HTTP call, with its `input` as a trace writes it.
    Call {
        /// The service called.
        plane: Plane,
        /// The AWS operation name.
        name: &'static str,
        /// The request members.
        input: Value,
        /// Where the answer goes.
        reply: oneshot::Sender<Answer>,
    },
    /// A device's publish on a reserved topic.
    Publish {
        /// The topic.
        topic: String,
        /// The raw payload.
        payload: Vec<u8>,
    },
    /// An admin request; the answer is the clock's state or why it was refused.
    Admin {
        /// What is asked.
        op: Admin,
        /// Where the answer goes.
        reply: oneshot::Sender<Result<Value, String>>,
    },
    /// Flush the record and stop.
    Shutdown(oneshot::Sender<()>),
}

/// Where the task's messages go: (topic, payload) to be published on MQTT. Unbounded:
/// the task never waits for the broker.
pub type Outbox = mpsc::UnboundedSender<(String, Vec<u8>)>;

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
    outbox: Option<Outbox>,
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn event(m: &Message) -> Value {
    json!({"topic": m.topic, "payload": m.payload})
}

impl Actor {
    /// A fresh specification on `clock` (starting at `start` when manual), recording to
    /// `record` and publishing to `outbox` when given.
    pub fn new(
        config: Config,
        clock: ClockMode,
        start: u64,
        record: Option<PathBuf>,
        outbox: Option<Outbox>,
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
            outbox,
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

    /// Runs until [`Command::Shutdown`] or until every sender is gone.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        loop {
            let wake = match self.clock {
                ClockMode::Wall => self.replay.service().poll_timeout(),
                ClockMode::Manual => None,
            };
            let sleep = async {
                match wake {
                    Some(t) => {
                        let due = Duration::from_secs(t).saturating_sub(unix_now());
                        tokio::time::sleep(due).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                command = commands.recv() => match command {
                    None => break,
                    Some(Command::Shutdown(done)) => {
                        self.flush();
                        let _ = done.send(());
                        break;
                    }
                    Some(c) => self.handle(c),
                },
                () = sleep => {
                    let now = self.now();
                    self.fire_timers(now);
                }
            }
        }
        self.flush();
    }

    fn flush(&mut self) {
        if let Some(r) = &mut self.record {
            let _ = r.out.flush();
        }
    }

    /// Applies one command.
    pub fn handle(&mut self, command: Command) {
        match command {
            Command::Call {
                plane,
                name,
                input,
                reply,
            } => {
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
                let answer = self.step(raw, action);
                let _ = reply.send(answer);
            }
            Command::Publish { topic, payload } => {
                let mut raw = Map::new();
                raw.insert("at".into(), self.now().into());
                let parsed = serde_json::from_slice::<Value>(&payload)
                    .map_err(|_| String::from_utf8_lossy(&payload).into_owned());
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
            Command::Admin { op, reply } => {
                let _ = reply.send(self.admin(op));
            }
            Command::Shutdown(done) => {
                self.flush();
                let _ = done.send(());
            }
        }
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
        self.publish(&messages);
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
        self.publish(&messages);
        self.pending.extend(messages.iter().map(event));
    }

    fn publish(&self, messages: &[Message]) {
        let Some(outbox) = &self.outbox else { return };
        for m in messages {
            let payload = serde_json::to_vec(&m.payload).unwrap_or_default();
            let _ = outbox.send((m.topic.clone(), payload));
        }
    }

    fn clock_state(&self) -> Value {
        json!({
            "now": self.now(),
            "clock": match self.clock { ClockMode::Wall => "wall", ClockMode::Manual => "manual" },
            "nextTimer": self.replay.service().poll_timeout(),
        })
    }

    fn admin(&mut self, op: Admin) -> Result<Value, String> {
        let target = match op {
            Admin::Get => return Ok(self.clock_state()),
            Admin::Reset => {
                self.replay = Replay::new(self.config.clone());
                self.replay.service_mut().handle_timeout(self.start);
                self.manual_now = self.start;
                self.pending.clear();
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
        let (tx, mut rx) = oneshot::channel();
        actor.handle(Command::Call {
            plane: iot_jobs_spec::Operation::default_plane(name).unwrap(),
            name,
            input,
            reply: tx,
        });
        rx.try_recv().unwrap()
    }

    fn admin(actor: &mut Actor, op: Admin) -> Result<Value, String> {
        let (tx, mut rx) = oneshot::channel();
        actor.handle(Command::Admin { op, reply: tx });
        rx.try_recv().unwrap()
    }

    #[test]
    fn the_manual_clock_moves_only_forward_and_fires_timers_into_the_next_step() {
        let dir = std::env::temp_dir().join(format!("serve-actor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("record.jsonl");
        let (out, mut published) = mpsc::unbounded_channel();
        let mut actor = Actor::new(
            Config::default(),
            ClockMode::Manual,
            100,
            Some(path.clone()),
            Some(out),
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
        let topics: Vec<String> = std::iter::from_fn(|| published.try_recv().ok())
            .map(|(t, _)| t)
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
        let mut actor = Actor::new(Config::default(), ClockMode::Wall, 0, None, None).unwrap();
        assert!(actor.now() > 1_700_000_000);
        let refused = admin(&mut actor, Admin::Advance(5)).unwrap_err();
        assert!(refused.contains("--clock manual"), "{refused}");
    }
}
