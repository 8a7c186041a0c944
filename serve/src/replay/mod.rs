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
pub mod pool;
pub mod times;
pub mod wire;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Parser, ValueEnum};
use iot_jobs_spec::rules::TRANSITIONS;
use iot_jobs_spec::trace::{
    check_trace, Action, FileReport, NotChecked, Outcome, Replay, Report, Step, Stop, Tolerance,
};
use iot_jobs_spec::Config;
use serde_json::{json, Value};
use tokio::task::JoinSet;
use tokio::time::Instant;

use clock::{Pacing, SpecAdmin};
use device::Device;
use names::Names;
use pool::{Plan, Uses};
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
    /// The HTTP endpoint of both services, `http://HOST[:PORT]` or `https://HOST[:PORT]`
    /// (on AWS: the control plane's, `https://iot.REGION.amazonaws.com`).
    #[arg(long)]
    pub endpoint: String,
    /// The data plane's endpoint (`iot-jobs-data`), where it is not --endpoint: on AWS,
    /// the account's `https://ID.jobs.iot.REGION.amazonaws.com` (`aws iot
    /// describe-endpoint --endpoint-type iot:Jobs`).
    #[arg(long, value_name = "URL")]
    pub data_endpoint: Option<String>,
    /// Trust the certificates of this PEM file too, beside the system's roots, for an
    /// https:// endpoint (a private CA, a self-signed certificate).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
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
    /// written trace and the report). `{n}` in P stands for the file's position on the
    /// command line (1, 2, ...): files then share no name, and --jobs runs them all at once.
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
    /// Replay up to N files at once: one HTTP connection pool, one MQTT connection per
    /// file in flight. Files that name the same thing, thing group or job run one after
    /// another in command-line order, and a file that lists the account (ListJobs,
    /// ListThings) runs alone; the report and --out are those of --jobs 1. Not with
    /// --clock-control: every file resets the endpoint and sets its one clock.
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// The traces.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl Args {
    /// Whether the options go together (beyond what clap checks): `Err` says why not.
    pub fn check(&self) -> Result<(), String> {
        if self.jobs > 1 && self.clock_control.is_some() {
            return Err(format!(
                "--jobs {} cannot go with --clock-control: the endpoint has one clock, and \
                 every file resets the endpoint (forgetting every resource) and sets that clock \
                 to its own steps' times, so no two files can be in flight at once; replay \
                 with --jobs 1, or with --wait or no pacing on the endpoint's own clock",
                self.jobs
            ));
        }
        Ok(())
    }

    /// The renaming of the file at `position` (1-based) on the command line.
    pub fn names(&self, position: usize) -> Names {
        Names::new(&self.prefix.replace("{n}", &position.to_string()))
    }

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

impl FileRun {
    /// A file that stopped before anything was sent: only its report.
    fn stopped(report: FileReport) -> Self {
        Self {
            report,
            trace: String::new(),
            cleanup: Vec::new(),
            dry_run: Vec::new(),
            steps: Vec::new(),
        }
    }
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

/// What every file of a run shares: the options, the one HTTP connection pool.
struct Shared {
    args: Args,
    http: Http,
    config: Config,
}

/// The replayer: one HTTP connection pool for every file, and a lane (an MQTT
/// connection and a pacing) for each file it may have in flight (`--jobs`).
pub struct Replayer {
    shared: Arc<Shared>,
    lanes: Vec<Lane>,
}

impl Replayer {
    /// Connects (MQTT, unless `--dry-run`: one connection per file in flight). `Err`
    /// when the options are wrong or the broker cannot be reached.
    pub async fn connect(args: Args) -> Result<Self, String> {
        args.check()?;
        let http = Http::new(
            &args.endpoint,
            args.data_endpoint.as_deref(),
            args.ca_file.as_deref(),
            Signer::from_env(&args.region()),
        )?;
        let count = usize::from(args.jobs).min(args.files.len()).max(1);
        let shared = Arc::new(Shared {
            config: Config::default(),
            http,
            args,
        });
        let mut lanes = Vec::with_capacity(count);
        for k in 0..count {
            lanes.push(Lane::connect(&shared, k).await?);
        }
        Ok(Self { shared, lanes })
    }

    /// Replays every file of the command line, up to `--jobs` at once, never two that
    /// name the same resource (see [`pool`]). The run's files, and the traces `--out`
    /// writes, come in command-line order whatever order the files finished in.
    pub async fn run(&mut self) -> Run {
        let paths = self.shared.args.files.clone();
        let mut texts: Vec<Option<std::io::Result<String>>> = paths
            .iter()
            .map(|p| Some(std::fs::read_to_string(p)))
            .collect();
        let args = &self.shared.args;
        let uses: Vec<Uses> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                Some(Ok(text)) => Uses::of(text, &args.names(i + 1)),
                _ => Uses::default(),
            })
            .collect();
        let mut plan = Plan::new(&uses);
        let mut done: Vec<Option<FileRun>> = vec![None; paths.len()];
        let mut written = 0;
        let mut in_flight = JoinSet::new();
        loop {
            while !self.lanes.is_empty() {
                let Some(i) = plan.start() else { break };
                let name = paths[i].display().to_string();
                match texts[i].take() {
                    Some(Ok(text)) => {
                        let Some(mut lane) = self.lanes.pop() else {
                            break;
                        };
                        let names = self.shared.args.names(i + 1);
                        in_flight.spawn(async move {
                            let file = lane.file(&name, &text, names).await;
                            (i, file, lane)
                        });
                    }
                    Some(Err(e)) => {
                        done[i] = Some(FileRun::stopped(FileReport::unreadable(&name, e)));
                        plan.finish(i);
                    }
                    None => plan.finish(i),
                }
            }
            while let Some(Some(file)) = done.get(written) {
                self.write_out(&paths[written], file);
                written += 1;
            }
            match in_flight.join_next().await {
                Some(Ok((i, file, lane))) => {
                    plan.finish(i);
                    done[i] = Some(file);
                    self.lanes.push(lane);
                }
                Some(Err(e)) => std::panic::resume_unwind(e.into_panic()),
                None => break,
            }
        }
        Run {
            files: done.into_iter().flatten().collect(),
        }
    }

    /// With `--out DIR` (and not `--dry-run`), writes what the implementation answered
    /// for `path` into DIR under the file's own name.
    fn write_out(&self, path: &Path, file: &FileRun) {
        let args = &self.shared.args;
        if let (Some(dir), false) = (&args.out, args.dry_run) {
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
    }
}

/// One file in flight: its own MQTT connection, pacing and renaming, beside the run's
/// shared HTTP connection pool.
struct Lane {
    shared: Arc<Shared>,
    device: Option<Device>,
    pacing: Pacing,
    names: Names,
}

impl Lane {
    /// Lane `k` of a run: its MQTT connection (unless `--dry-run`), its pacing.
    async fn connect(shared: &Arc<Shared>, k: usize) -> Result<Self, String> {
        let args = &shared.args;
        let device = match (&args.mqtt, args.dry_run) {
            (Some(address), false) => {
                let id = format!("iot-jobs-replay-{}-{k}", std::process::id());
                Some(Device::connect(address, &id, Duration::from_secs(5)).await?)
            }
            _ => None,
        };
        let pacing = if args.dry_run {
            Pacing::Off
        } else {
            args.pacing(&shared.http)
        };
        Ok(Self {
            names: args.names(1),
            shared: Arc::clone(shared),
            device,
            pacing,
        })
    }

    /// Replays one trace (`text`, named `name`) under `names`.
    async fn file(&mut self, name: &str, text: &str, names: Names) -> FileRun {
        self.names = names;
        let tolerance = self.shared.args.tolerance();
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
                    return FileRun::stopped(check_trace(
                        name,
                        text,
                        &self.shared.config,
                        &tolerance,
                    ))
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
        let cleanup = if self.shared.args.dry_run {
            Vec::new()
        } else {
            self.clean_up(&created).await
        };
        let trace = written.join("\n");
        let mut report = check_trace(name, &trace, &self.shared.config, &tolerance);
        if self.shared.args.dry_run {
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
            Pacing::Wait if dated && !self.shared.args.dry_run => {
                times::align(first_at).await - first_at
            }
            Pacing::Wait | Pacing::Off => unix_now(),
        };
        let settle = self.settle();
        if let (Some(device), false) = (&mut self.device, self.shared.args.dry_run) {
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
            ..self.shared.config.clone()
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
                _ if self.shared.args.dry_run => {}
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
                Pacing::Off if times::dated(&step.action) && !self.shared.args.dry_run => {
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
            if let (Some(device), false) = (&mut self.device, self.shared.args.dry_run) {
                let wait = Duration::from_millis(self.shared.args.event_wait);
                let settle = Duration::from_millis(self.shared.args.settle);
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
        Duration::from_millis(self.shared.args.settle)
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
                if self.shared.args.dry_run {
                    dry.push(self.describe(&call));
                    return Ok(None);
                }
                let answer = self.shared.http.call(&call).await.map_err(|reason| Halt {
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
                if self.shared.args.dry_run {
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
        let mut text = format!(
            "{} {}",
            call.method,
            self.shared.http.url(call.plane, &call.path_and_query)
        );
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
                Ok(call) => self.shared.http.call(&call).await,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> Result<Args, clap::Error> {
        let base = ["replay", "--endpoint", "http://127.0.0.1:1"];
        Args::try_parse_from(base.iter().chain(extra).chain(&["a.jsonl"]))
    }

    #[test]
    fn n_in_the_prefix_is_the_files_position() {
        let args = parse(&["--prefix", "run7-f{n}-"]).unwrap();
        assert_eq!(args.names(3).to_live("t1"), "run7-f3-t1");
        assert_eq!(parse(&[]).unwrap().names(3).to_live("t1"), "t1");
    }

    #[test]
    fn jobs_is_one_by_default_and_never_zero() {
        assert_eq!(parse(&[]).unwrap().jobs, 1);
        assert_eq!(parse(&["--jobs", "4"]).unwrap().jobs, 4);
        let zero = parse(&["--jobs", "0"]).unwrap_err();
        assert_eq!(zero.kind(), clap::error::ErrorKind::ValueValidation);
        assert_eq!(zero.exit_code(), 2);
    }

    #[test]
    fn jobs_beyond_one_refuse_the_one_clock_of_a_clock_control() {
        let one = parse(&["--jobs", "1", "--clock-control", "spec"]).unwrap();
        assert_eq!(one.check(), Ok(()));
        let many = parse(&["--jobs", "2", "--clock-control", "spec"]).unwrap();
        let why = many.check().unwrap_err();
        assert!(why.contains("one clock"), "{why}");
        assert!(why.contains("--jobs 2"), "{why}");
        for pacing in [&["--wait"][..], &[]] {
            let args = parse(&[&["--jobs", "2"][..], pacing].concat()).unwrap();
            assert_eq!(args.check(), Ok(()), "{pacing:?}");
        }
    }
}
