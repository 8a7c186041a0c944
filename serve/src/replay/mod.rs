//! `iot-jobs-serve replay`: replays traces into a live IoT Jobs endpoint and checks what it
//! answers against the specification (issue 15).
//!
//! For each trace, every step is sent as AWS's clients send it: a call over HTTP in the
//! REST-JSON wire format of its binding ([`wire`]), SigV4-signed for the service that
//! hosts it; a device's publish over MQTT ([`device`]). What the implementation answers,
//! and what it publishes on the reserved topics of the trace's things, is written as a
//! trace of its own (the same lines, with `output`/`error` and `events` from the live
//! side) and checked against the specification with [`iot_jobs_spec::trace::check_trace`],
//! the policy `check` applies. [`parity`] sums the checks up per file, per operation and
//! per decision. The replayer holds no rule: the specification it runs beside the live
//! side only tells it how many messages to wait for.

pub mod cli;
pub mod clock;
pub mod device;
pub mod names;
pub mod parity;
pub mod times;
pub mod wire;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Parser, ValueEnum};
use iot_jobs_spec::rules::TRANSITIONS;
use iot_jobs_spec::trace::{
    check_trace, Action, FileReport, NotChecked, Outcome, Replay, Report, Step, Stop, Tolerance,
};
use iot_jobs_spec::Config;
use serde_json::{json, Value};
use tokio::time::Instant;

use clock::{Pacing, SpecAdmin};
use device::Device;
use names::Names;
use wire::{http_call, Answered, Http, HttpCall, Signer};

/// The clock controls the replayer knows (see [`clock`] to add one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClockKind {
    /// `iot-jobs-serve --clock manual`'s admin API (`/_spec/`).
    Spec,
}

/// How the parity report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown, for people.
    Md,
    /// JSON, for CI.
    Json,
}

/// The command line.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "iot-jobs-serve replay",
    version,
    about = "Replays traces into a live AWS IoT Jobs endpoint (HTTP with SigV4, MQTT) and \
             checks what it answers against the iot-jobs-spec specification",
    after_help = "Exit status: 0 every checked step agrees, 1 a step diverges, 2 a malformed \
                  trace or an endpoint that cannot be reached. Credentials come from \
                  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (dummy ones \
                  when unset)."
)]
pub struct Args {
    /// The HTTP endpoint of both services, `http://HOST:PORT`.
    #[arg(long)]
    pub endpoint: String,
    /// The MQTT broker, `HOST:PORT`. Without it, MQTT steps are not checked and the
    /// messages of the other steps are not compared.
    #[arg(long)]
    pub mqtt: Option<String>,
    /// The region calls are signed for [default: AWS_REGION, else us-east-1].
    #[arg(long)]
    pub region: Option<String>,
    /// Set the implementation's clock to each step's `at` through its clock control.
    #[arg(long, value_enum, conflicts_with = "wait")]
    pub clock_control: Option<ClockKind>,
    /// Send each step when its `at` comes, in real seconds from the file's first step.
    #[arg(long)]
    pub wait: bool,
    /// Put every thing, group and job under names starting with P (mapped back in the
    /// written trace and the report).
    #[arg(long, value_name = "P", default_value = "")]
    pub prefix: String,
    /// Print the calls (method, URL, body; MQTT topic and payload) without sending them.
    #[arg(long)]
    pub dry_run: bool,
    /// Write what the implementation answered as traces in DIR (one per file, same name).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How the parity report is written [default: md on a terminal, json otherwise].
    #[arg(long, value_enum)]
    pub report: Option<ReportFormat>,
    /// A timestamp may be up to N seconds after the step's `at` (as `check`).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub time_tolerance: u64,
    /// A timer may fire up to N seconds after its deadline (as `check`).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub timer_slack: u64,
    /// How long to wait for the messages a step should cause, in milliseconds.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub event_wait: u64,
    /// How long to listen after them for any unexpected one, in milliseconds.
    #[arg(long, default_value_t = 40, value_name = "MS")]
    pub settle: u64,
    /// The traces.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl Args {
    fn tolerance(&self) -> Tolerance {
        Tolerance {
            timer_slack: self.timer_slack,
            time_tolerance: self.time_tolerance,
        }
    }

    fn region(&self) -> String {
        self.region
            .clone()
            .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
            .unwrap_or_else(|| "us-east-1".to_owned())
    }

    /// How steps are paced, from `--clock-control` and `--wait`.
    fn pacing(&self, http: &Http) -> Pacing {
        match (self.clock_control, self.wait) {
            (Some(ClockKind::Spec), _) => Pacing::Control(Box::new(SpecAdmin::new(http.clone()))),
            (None, true) => Pacing::Wait,
            (None, false) => Pacing::Off,
        }
    }
}

/// What replaying one trace gave.
#[derive(Clone, Debug)]
pub struct FileRun {
    /// The check of what the implementation answered, with the steps the replay could
    /// not check.
    pub report: FileReport,
    /// What the implementation answered, as a trace (one line per line of the file).
    pub trace: String,
    /// The resources the run created and deleted at the end, with how each deletion
    /// went (`DeleteJob j1: ok`).
    pub cleanup: Vec<String>,
    /// With `--dry-run`: the calls, as they would have been sent.
    pub dry_run: Vec<String>,
    /// Each step sent: its operation and the decisions it exercises.
    pub steps: Vec<parity::StepInfo>,
}

/// What replaying every trace gave.
#[derive(Clone, Debug, Default)]
pub struct Run {
    /// One per file, in order.
    pub files: Vec<FileRun>,
}

impl Run {
    /// The reports, as `check` gives them.
    pub fn report(&self) -> Report {
        Report {
            files: self.files.iter().map(|f| f.report.clone()).collect(),
        }
    }
}

/// The resources a trace created on the live side (live names), to delete at its end.
#[derive(Clone, Debug, Default)]
struct Created {
    things: BTreeSet<String>,
    groups: BTreeSet<String>,
    jobs: BTreeSet<String>,
}

impl Created {
    fn note(&mut self, name: &str, input: &Value) {
        let member = |m: &str| input[m].as_str().map(str::to_owned);
        let (set, value) = match name {
            "CreateThing" | "DeleteThing" => (&mut self.things, member("thingName")),
            "CreateThingGroup" => (&mut self.groups, member("thingGroupName")),
            "CreateJob" | "DeleteJob" => (&mut self.jobs, member("jobId")),
            _ => return,
        };
        if let Some(v) = value {
            if name.starts_with("Create") {
                set.insert(v);
            } else {
                set.remove(&v);
            }
        }
    }

    /// The deletions, jobs first (with force), then things, then groups.
    fn deletions(&self) -> Vec<(&'static str, Value)> {
        let jobs = self
            .jobs
            .iter()
            .map(|j| ("DeleteJob", json!({"jobId": j, "force": true})));
        let things = self
            .things
            .iter()
            .map(|t| ("DeleteThing", json!({"thingName": t})));
        let groups = self
            .groups
            .iter()
            .map(|g| ("DeleteThingGroup", json!({"thingGroupName": g})));
        jobs.chain(things).chain(groups).collect()
    }
}

/// Why a file stopped before the replay reached its end, outside what `check` says.
struct Halt {
    line: usize,
    reason: String,
    /// Malformed (exit 2: the endpoint failed) rather than not checked.
    fatal: bool,
}

/// The replayer: one HTTP client, one MQTT client, one pacing, for every file.
pub struct Replayer {
    args: Args,
    http: Http,
    device: Option<Device>,
    pacing: Pacing,
    names: Names,
    config: Config,
}

impl Replayer {
    /// Connects (MQTT, unless `--dry-run`). `Err` when the options are wrong or the
    /// broker cannot be reached.
    pub async fn connect(args: Args) -> Result<Self, String> {
        let http = Http::new(&args.endpoint, Signer::from_env(&args.region()))?;
        let device = match (&args.mqtt, args.dry_run) {
            (Some(address), false) => {
                let id = format!("iot-jobs-replay-{}", std::process::id());
                Some(Device::connect(address, &id, Duration::from_secs(5)).await?)
            }
            _ => None,
        };
        let pacing = if args.dry_run {
            Pacing::Off
        } else {
            args.pacing(&http)
        };
        Ok(Self {
            names: Names::new(&args.prefix),
            config: Config::default(),
            http,
            device,
            pacing,
            args,
        })
    }

    /// Replays every file of the command line, one after the other.
    pub async fn run(&mut self) -> Run {
        let mut run = Run::default();
        for path in self.args.files.clone() {
            let name = path.display().to_string();
            let file = match std::fs::read_to_string(&path) {
                Ok(text) => self.file(&name, &text).await,
                Err(e) => FileRun {
                    report: FileReport::unreadable(&name, e),
                    trace: String::new(),
                    cleanup: Vec::new(),
                    dry_run: Vec::new(),
                    steps: Vec::new(),
                },
            };
            if let (Some(dir), false) = (&self.args.out, self.args.dry_run) {
                let base = path.file_name().map(PathBuf::from).unwrap_or_default();
                if let Err(e) = std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(dir.join(base), &file.trace))
                {
                    eprintln!(
                        "iot-jobs-serve replay: cannot write into {}: {e}",
                        dir.display()
                    );
                }
            }
            run.files.push(file);
        }
        run
    }

    /// Replays one trace (`text`, named `name`).
    pub async fn file(&mut self, name: &str, text: &str) -> FileRun {
        let tolerance = self.args.tolerance();
        let mut steps: Vec<Option<Step>> = Vec::new();
        let mut prev = 0;
        for line in text.lines() {
            match Step::parse(line, prev) {
                Ok(step) => {
                    prev = step.as_ref().map_or(prev, |s| s.at);
                    steps.push(step);
                }
                // A malformed trace is not sent: `check` says where and why.
                Err(_) => {
                    return FileRun {
                        report: check_trace(name, text, &self.config, &tolerance),
                        trace: String::new(),
                        cleanup: Vec::new(),
                        dry_run: Vec::new(),
                        steps: Vec::new(),
                    }
                }
            }
        }
        let mut written: Vec<String> = Vec::new();
        let mut dry = Vec::new();
        let mut created = Created::default();
        let mut infos = Vec::new();
        let halt = self
            .steps(&steps, &mut written, &mut dry, &mut created, &mut infos)
            .await
            .err();
        let cleanup = if self.args.dry_run {
            Vec::new()
        } else {
            self.clean_up(&created).await
        };
        let trace = written.join("\n");
        let mut report = check_trace(name, &trace, &self.config, &tolerance);
        if self.args.dry_run {
            report.not_checked.push(NotChecked {
                line: 1,
                reason: "--dry-run: nothing was sent".to_owned(),
            });
        }
        if let Some(halt) = halt {
            if report.stop.is_none() {
                report.steps += 1;
                if halt.fatal {
                    report.outcome = Outcome::Malformed;
                    report.stop = Some(Stop::Malformed {
                        line: halt.line,
                        why: halt.reason,
                    });
                } else {
                    report.not_checked.push(NotChecked {
                        line: halt.line,
                        reason: halt.reason,
                    });
                    report.stop = Some(Stop::Unknown { line: halt.line });
                }
            }
        }
        FileRun {
            report,
            trace: if written.is_empty() {
                trace
            } else {
                trace + "\n"
            },
            cleanup,
            dry_run: dry,
            steps: infos,
        }
    }

    /// Sends the steps in order, writing a line of the live trace for each; stops at
    /// the first step it cannot send or check.
    async fn steps(
        &mut self,
        steps: &[Option<Step>],
        written: &mut Vec<String>,
        dry: &mut Vec<String>,
        created: &mut Created,
        infos: &mut Vec<parity::StepInfo>,
    ) -> Result<(), Halt> {
        let fatal = |line: usize| {
            move |reason: String| Halt {
                line,
                reason,
                fatal: true,
            }
        };
        let first_at = steps.iter().flatten().map(|s| s.at).next().unwrap_or(0);
        let dated = steps.iter().flatten().any(|s| times::dated(&s.action));
        let base = match &mut self.pacing {
            Pacing::Control(c) => c.reset().await.map_err(fatal(1))?,
            // A trace with times in its inputs starts on the second that keeps them whole
            // minutes away from the trace's own (see `times`).
            Pacing::Wait if dated && !self.args.dry_run => times::align(first_at).await - first_at,
            Pacing::Wait | Pacing::Off => unix_now(),
        };
        let settle = self.settle();
        if let (Some(device), false) = (&mut self.device, self.args.dry_run) {
            let things = steps
                .iter()
                .flatten()
                .flat_map(things_of)
                .map(|t| self.names.to_live(&t))
                .collect();
            device
                .listen(&things, Duration::from_secs(5))
                .await
                .map_err(fatal(1))?;
            // Whatever an earlier file caused is not this one's.
            device
                .collect(0, Duration::ZERO, settle)
                .await
                .map_err(fatal(1))?;
        }
        let mut spec = Replay::new(Config {
            record_transitions: true,
            ..self.config.clone()
        });
        let started = Instant::now();
        let mut prev_at: Option<u64> = None;
        let mut written_at = base;
        for (index, step) in steps.iter().enumerate() {
            let line = index + 1;
            let Some(step) = step else {
                written.push(String::new());
                continue;
            };
            match &mut self.pacing {
                _ if self.args.dry_run => {}
                Pacing::Control(c) => {
                    if prev_at != Some(step.at) {
                        c.set(base + step.at).await.map_err(fatal(line))?;
                    }
                }
                Pacing::Wait => {
                    let due = started + Duration::from_secs(step.at - first_at);
                    tokio::time::sleep_until(due).await;
                }
                Pacing::Off => {
                    // A jump is harmless unless a timer of the trace falls due on the way.
                    let due = spec.service().poll_timeout().filter(|d| *d <= step.at);
                    if let (Some(p), Some(deadline)) = (prev_at.filter(|p| step.at > *p), due) {
                        return Err(Halt {
                            line,
                            reason: format!(
                                "needs clock control: the step is at {} after a step at {p}, and a timer of the \
                                 trace is due at {deadline}; replay with --clock-control or --wait",
                                step.at
                            ),
                            fatal: false,
                        });
                    }
                }
            }
            prev_at = Some(step.at);
            spec.execute(step);
            let expected = spec.published().len();
            let mut decisions = Vec::new();
            while let Some(t) = spec.service_mut().poll_transition() {
                let d = TRANSITIONS[t.row].decision.to_string();
                if !decisions.contains(&d) {
                    decisions.push(d);
                }
            }
            infos.push(parity::StepInfo {
                line,
                operation: parity::operation(&step.action),
                decisions,
            });
            // The time the endpoint answers at: the trace's, or without clock control the
            // real time it is sent (no timer of the trace was due by then, and the
            // specification judges the answer at the time it was given).
            let at = match self.pacing {
                Pacing::Off if times::dated(&step.action) && !self.args.dry_run => {
                    written_at.max(times::align(step.at).await)
                }
                Pacing::Off => written_at.max(unix_now()),
                Pacing::Control(_) => base + step.at,
                Pacing::Wait => base + (step.at - first_at),
            };
            written_at = at;
            // Times inside the input move with the clock; the written trace holds what
            // was sent.
            let mut sent = step.clone();
            if let Action::Call { input, .. } = &mut sent.action {
                times::shift(input, at.saturating_sub(step.at));
                if input != &step.raw["input"] && step.raw.contains_key("input") {
                    sent.raw.insert("input".into(), input.clone());
                }
            }
            let answer = self.send(&sent, line, dry, created).await?;
            let mut out = sent.raw.clone();
            out.insert("at".into(), json!(at));
            match answer {
                Some(Answered::Output(mut v)) => {
                    self.names.back(&mut v);
                    out.insert("output".into(), v);
                }
                Some(Answered::Error(mut v)) => {
                    self.names.back(&mut v);
                    out.insert("error".into(), v);
                }
                None => {}
            }
            if let (Some(device), false) = (&mut self.device, self.args.dry_run) {
                let wait = Duration::from_millis(self.args.event_wait);
                let settle = Duration::from_millis(self.args.settle);
                let heard = device
                    .collect(expected, wait, settle)
                    .await
                    .map_err(fatal(line))?;
                let events: Vec<Value> = heard
                    .iter()
                    .map(|h| {
                        let mut e = h.to_event();
                        self.names.back(&mut e);
                        e
                    })
                    .collect();
                out.insert("events".into(), Value::Array(events));
            }
            written.push(Value::Object(out).to_string());
        }
        Ok(())
    }

    fn settle(&self) -> Duration {
        Duration::from_millis(self.args.settle)
    }

    /// Sends one step: a call's answer, `None` for a publish (its answer is among the
    /// messages).
    async fn send(
        &mut self,
        step: &Step,
        line: usize,
        dry: &mut Vec<String>,
        created: &mut Created,
    ) -> Result<Option<Answered>, Halt> {
        let not_checked = |reason: String| Halt {
            line,
            reason,
            fatal: false,
        };
        match &step.action {
            Action::Call { plane, name, input } => {
                let input = self.names.input(input);
                let call = http_call(*plane, name, &input).map_err(not_checked)?;
                if self.args.dry_run {
                    dry.push(self.describe(&call));
                    return Ok(None);
                }
                let answer = self.http.call(&call).await.map_err(|reason| Halt {
                    line,
                    reason,
                    fatal: true,
                })?;
                if matches!(answer, Answered::Output(_)) {
                    created.note(name, &input);
                }
                Ok(Some(answer))
            }
            Action::Publish { topic, payload } => {
                let topic = self.names.topic(topic);
                let bytes = match payload {
                    Ok(v) => self.names.input(v).to_string().into_bytes(),
                    Err(raw) => raw.clone().into_bytes(),
                };
                if self.args.dry_run {
                    dry.push(format!(
                        "publish {topic} {}",
                        String::from_utf8_lossy(&bytes)
                    ));
                    return Ok(None);
                }
                let Some(device) = &self.device else {
                    return Err(not_checked(
                        "an MQTT step: replay with --mqtt HOST:PORT".to_owned(),
                    ));
                };
                device.publish(&topic, bytes).await.map_err(|reason| Halt {
                    line,
                    reason,
                    fatal: true,
                })?;
                Ok(None)
            }
        }
    }

    /// A call as `--dry-run` prints it: method, URL, body.
    fn describe(&self, call: &HttpCall) -> String {
        let mut text = format!("{} {}", call.method, self.http.url(&call.path_and_query));
        if let Some(body) = &call.body {
            text.push(' ');
            text.push_str(body);
        }
        text
    }

    /// Deletes what the trace created (jobs with force, then things, then groups), never
    /// anything else; says how each deletion went.
    async fn clean_up(&mut self, created: &Created) -> Vec<String> {
        let mut log = Vec::new();
        for (name, input) in created.deletions() {
            let what = ["jobId", "thingName", "thingGroupName"]
                .iter()
                .find_map(|m| input[*m].as_str())
                .map(|w| self.names.back_text(w))
                .unwrap_or_default();
            let plane = iot_jobs_spec::Plane::Control;
            let result = match http_call(plane, name, &input) {
                Ok(call) => self.http.call(&call).await,
                Err(e) => Err(e),
            };
            log.push(match result {
                Ok(Answered::Output(_)) => format!("{name} {what}: ok"),
                Ok(Answered::Error(e)) => format!("{name} {what}: {}", e["code"]),
                Err(e) => format!("{name} {what}: {e}"),
            });
        }
        let settle = self.settle();
        if let Some(device) = &mut self.device {
            let _ = device.collect(0, Duration::ZERO, settle).await;
        }
        log
    }
}

/// The things a step names: its `thingName`, the things its targets name, the thing of
/// its topic.
fn things_of(step: &Step) -> Vec<String> {
    let mut things = Vec::new();
    match &step.action {
        Action::Call { input, .. } => {
            if let Some(t) = input["thingName"].as_str() {
                things.push(t.to_owned());
            }
            for target in input["targets"].as_array().into_iter().flatten() {
                if let Some(t) = target.as_str().and_then(|a| a.split(":thing/").nth(1)) {
                    things.push(t.to_owned());
                }
            }
        }
        Action::Publish { topic, .. } => {
            if let Some(t) = device::thing_of(topic) {
                things.push(t.to_owned());
            }
        }
    }
    things.retain(|t| !t.is_empty() && !t.contains(['+', '#', '/']));
    things
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The exit code over a run, as `check`'s.
pub fn exit_code(run: &Run) -> u8 {
    run.report().exit_code()
}
