//! Random but valid traces with the specification's expectations filled in: test vectors
//! for implementations in any language.
//!
//! A [`Generator`] is seeded and deterministic (a SplitMix64 sequence; no entropy is read):
//! the same [`Options`] give the same lines, byte for byte. It builds a fleet, then mixes
//! device calls over HTTP and MQTT, control-plane calls, bad requests and clock advances,
//! and runs each step through the specification ([`crate::trace::Replay::fill`]) so every
//! line carries its `output` or `error` and its `events`. [`Coverage`] says what the
//! trace reached.
//!
//! ```
//! use iot_jobs_spec::generate::{Generator, Options};
//! let opts = Options { seed: 7, steps: 200, ..Options::default() };
//! let a: Vec<String> = Generator::new(opts.clone()).collect();
//! let b: Vec<String> = Generator::new(opts).collect();
//! assert_eq!(a, b);
//! assert!(a.len() >= 200);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::service::TimerKind;
use crate::status::{JobExecutionStatus, JobStatus};
use crate::trace::{Answer, Replay, Step};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The seed: the same seed gives the same trace.
    pub seed: u64,
    /// How many steps after the setup.
    pub steps: usize,
    /// How many things in the fleet.
    pub things: usize,
    /// How many jobs the setup creates (more are created along the way).
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: 1,
            steps: 1000,
            things: 4,
            jobs: 3,
        }
    }
}

/// SplitMix64: a tiny, well-known, seeded sequence.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What a generated trace reached.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Statuses some execution was in after some step.
    pub statuses: BTreeSet<JobExecutionStatus>,
    /// HTTP error codes answered.
    pub errors: BTreeSet<String>,
    /// MQTT `/rejected` codes published.
    pub mqtt_codes: BTreeSet<String>,
    /// Timer and retry paths taken.
    pub paths: BTreeSet<&'static str>,
    /// Steps per call or publish.
    pub operations: BTreeMap<String, usize>,
    /// Rows of [`crate::rules::TRANSITIONS`] taken, by index.
    pub rows: BTreeSet<usize>,
}

/// Every timer and retry path a long trace should take.
pub const TIMER_PATHS: &[&str] = &[
    "step timer set",
    "step timer replaced",
    "step timer canceled",
    "step timer fired",
    "in-progress timer fired",
    "retry after FAILED",
    "retry after TIMED_OUT",
    "rollout batch fired",
    "startTime fired",
    "endTime fired",
];

/// Every HTTP error code a long trace should answer with.
pub const ERROR_CODES: &[&str] = &[
    "InvalidRequestException",
    "ResourceNotFoundException",
    "ResourceAlreadyExistsException",
    "InvalidStateTransitionException",
    "TerminalStateException",
    "VersionConflictException",
];

/// Every MQTT rejected code a long trace should publish.
pub const MQTT_CODES: &[&str] = &[
    "InvalidTopic",
    "InvalidJson",
    "InvalidRequest",
    "InvalidStateTransition",
    "ResourceNotFound",
    "VersionMismatch",
    "TerminalStateReached",
];

impl Coverage {
    /// What was not reached: statuses, codes and paths, by name.
    pub fn missing(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in JobExecutionStatus::ALL {
            if !self.statuses.contains(&s) {
                out.push(format!("status {s}"));
            }
        }
        for c in ERROR_CODES {
            if !self.errors.contains(*c) {
                out.push(format!("error {c}"));
            }
        }
        for c in MQTT_CODES {
            if !self.mqtt_codes.contains(*c) {
                out.push(format!("MQTT code {c}"));
            }
        }
        for p in TIMER_PATHS {
            if !self.paths.contains(p) {
                out.push(format!("path {p}"));
            }
        }
        // Rows that need a switch the default configuration leaves off cannot be taken.
        let switches = crate::config::Switches::default();
        for (i, row) in crate::rules::TRANSITIONS.iter().enumerate() {
            if row.condition.holds(true, &switches) && !self.rows.contains(&i) {
                let from = row.from.map_or("(new)".to_owned(), |s| s.to_string());
                let to = row.to.map_or("(deleted)".to_owned(), |s| s.to_string());
                out.push(format!("row {i} ({from} to {to} by {})", row.cause));
            }
        }
        out
    }

    /// A few lines for a person.
    pub fn report(&self) -> String {
        let join = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join(", ");
        let missing = self.missing();
        format!(
            "statuses: {}\nerrors: {}\nMQTT codes: {}\npaths: {}\ntable rows taken: {} of {}\n\
             operations: {}\nnot reached: {}\n",
            join(&mut self.statuses.iter().map(|s| s.to_string())),
            join(&mut self.errors.iter().cloned()),
            join(&mut self.mqtt_codes.iter().cloned()),
            join(&mut self.paths.iter().map(|s| s.to_string())),
            self.rows.len(),
            crate::rules::TRANSITIONS.len(),
            join(&mut self.operations.iter().map(|(k, v)| format!("{k} {v}"))),
            if missing.is_empty() {
                "nothing".to_owned()
            } else {
                missing.join(", ")
            }
        )
    }
}

/// A seeded trace generator: an iterator of JSON lines.
#[derive(Clone, Debug)]
pub struct Generator {
    options: Options,
    rng: Rng,
    tracker: Tracker,
    now: u64,
    emitted: usize,
    setup: Vec<Value>,
    jobs_created: usize,
    /// The jobs created with an endTime and an end behaviour that cancels (decision 32),
    /// with `force` (FORCE_CANCEL): what steering needs to reach the end-behaviour rows.
    cancel_at_end: BTreeMap<String, bool>,
    /// A step steering has planned for a given moment, taken next.
    planned: Option<(u64, Value)>,
}

const ARN: &str = "arn:aws:iot:us-east-1:123456789012";
const STATUSES: &[&str] = &[
    "IN_PROGRESS",
    "IN_PROGRESS",
    "IN_PROGRESS",
    "SUCCEEDED",
    "SUCCEEDED",
    "FAILED",
    "FAILED",
    "REJECTED",
    "QUEUED",
    "CANCELED",
    "TIMED_OUT",
    "REMOVED",
];

impl Generator {
    /// A generator for `options`.
    pub fn new(options: Options) -> Self {
        let rng = Rng(options.seed);
        let mut g = Self {
            rng,
            tracker: Tracker::new(),
            now: 0,
            emitted: 0,
            setup: Vec::new(),
            jobs_created: 0,
            cancel_at_end: BTreeMap::new(),
            planned: None,
            options,
        };
        g.plan_setup();
        g
    }

    /// What the lines so far reached.
    pub fn coverage(&self) -> &Coverage {
        &self.tracker.coverage
    }

    fn thing(&self, i: usize) -> String {
        format!("thing-{i}")
    }

    fn things(&self) -> usize {
        self.options.things.max(1)
    }

    fn random_thing(&mut self) -> String {
        let i = self.rng.below(self.things());
        self.thing(i)
    }

    fn plan_setup(&mut self) {
        for i in 0..self.things() {
            let name = self.thing(i);
            self.setup
                .push(json!({"call": "CreateThing", "input": {"thingName": name}}));
        }
        for g in 0..2 {
            self.setup.push(
                json!({"call": "CreateThingGroup", "input": {"thingGroupName": format!("group-{g}")}}),
            );
        }
        for i in 0..self.things() {
            if i % 2 == 0 || i % 3 == 0 {
                let group = format!("group-{}", i % 2);
                let name = self.thing(i);
                self.setup.push(json!({"call": "AddThingToThingGroup",
                    "input": {"thingGroupName": group, "thingName": name}}));
            }
        }
        for _ in 0..self.options.jobs {
            let job = self.new_job();
            self.setup.push(job);
        }
        self.setup.reverse();
    }

    /// A CreateJob for a fresh job id, with a random selection, targets, timers and
    /// retries.
    fn new_job(&mut self) -> Value {
        let id = format!("job-{}", self.jobs_created);
        self.jobs_created += 1;
        let mut targets = Vec::new();
        if self.rng.chance(40) {
            targets.push(format!("{ARN}:thinggroup/group-{}", self.rng.below(2)));
        }
        // Mostly things that exist now: a job naming a deleted thing is refused.
        let existing = self.tracker.replay.service().things();
        for _ in 0..=self.rng.below(3) {
            let thing = if !existing.is_empty() && self.rng.chance(90) {
                self.rng.pick(&existing).clone()
            } else {
                self.random_thing()
            };
            targets.push(format!("{ARN}:thing/{thing}"));
        }
        let mut input = json!({
            "jobId": id,
            "targets": targets,
            "document": format!("{{\"step\":{},\"op\":\"update\"}}", self.jobs_created),
        });
        let m = input.as_object_mut().expect("an object");
        if self.rng.chance(30) {
            m.insert("targetSelection".into(), json!("CONTINUOUS"));
        }
        if self.rng.chance(50) {
            m.insert(
                "timeoutConfig".into(),
                json!({"inProgressTimeoutInMinutes": 1 + self.rng.below(4)}),
            );
        }
        if self.rng.chance(50) {
            let criteria = match self.rng.below(3) {
                0 => json!([{"failureType": "ALL", "numberOfRetries": 1 + self.rng.below(3)}]),
                1 => json!([{"failureType": "FAILED", "numberOfRetries": 1 + self.rng.below(2)},
                            {"failureType": "TIMED_OUT", "numberOfRetries": 1 + self.rng.below(2)}]),
                _ => json!([{"failureType": "TIMED_OUT", "numberOfRetries": 2},
                            {"failureType": "ALL", "numberOfRetries": 1}]),
            };
            m.insert(
                "jobExecutionsRetryConfig".into(),
                json!({"criteriaList": criteria}),
            );
        }
        if self.rng.chance(25) {
            m.insert("abortConfig".into(), self.abort_config());
        }
        if self.rng.chance(25) {
            m.insert("jobExecutionsRolloutConfig".into(), self.rollout_config());
        }
        if self.rng.chance(30) {
            let scheduling = self.scheduling_config();
            match scheduling["endBehavior"].as_str() {
                Some("CANCEL") => self.cancel_at_end.insert(id.clone(), false),
                Some("FORCE_CANCEL") => self.cancel_at_end.insert(id.clone(), true),
                _ => None,
            };
            m.insert("schedulingConfig".into(), scheduling);
        }
        json!({"call": "CreateJob", "input": input})
    }

    /// An `abortConfig` (decision 29) with one or two criteria, thresholds low enough to
    /// be met by a few failures.
    fn abort_config(&mut self) -> Value {
        let types = ["FAILED", "REJECTED", "TIMED_OUT", "ALL"];
        let first = self.rng.below(types.len());
        let mut criteria = vec![self.abort_criterion(types[first])];
        if self.rng.chance(30) {
            let second = (first + 1 + self.rng.below(types.len() - 1)) % types.len();
            criteria.push(self.abort_criterion(types[second]));
        }
        json!({"criteriaList": criteria})
    }

    fn abort_criterion(&mut self, failure_type: &str) -> Value {
        let threshold = self
            .rng
            .pick(&[json!(10), json!(33.33), json!(50), json!(100)])
            .clone();
        json!({"failureType": failure_type, "action": "CANCEL",
               "minNumberOfExecutedThings": 1 + self.rng.below(3),
               "thresholdPercentage": threshold})
    }

    /// A `jobExecutionsRolloutConfig` (decision 27): a slow constant rate, so batches
    /// follow one another minute by minute, or an exponential one.
    fn rollout_config(&mut self) -> Value {
        if self.rng.chance(60) {
            return json!({"maximumPerMinute": 1 + self.rng.below(2)});
        }
        let criteria = if self.rng.chance(50) {
            json!({"numberOfNotifiedThings": 1 + self.rng.below(2)})
        } else {
            json!({"numberOfSucceededThings": 1})
        };
        let factor = self.rng.pick(&[json!(1.5), json!(2), json!(3.7)]).clone();
        json!({"maximumPerMinute": 2 + self.rng.below(3),
               "exponentialRate": {"baseRatePerMinute": 1, "incrementFactor": factor,
                                   "rateIncreaseCriteria": criteria}})
    }

    /// A `schedulingConfig` (decision 31): a startTime, an endTime, or both, on the minute
    /// and within the bounds from now, and now and then an end behaviour.
    fn scheduling_config(&mut self) -> Value {
        // The first whole minute at least 30 minutes away, then up to 20 minutes more.
        let earliest = (self.now + 1800).div_ceil(60) * 60;
        let start = earliest + 60 * self.rng.below(20) as u64;
        let mut config = Map::new();
        let with_start = self.rng.chance(70);
        if with_start {
            config.insert("startTime".into(), json!(schedule_time(start)));
        }
        if !with_start || self.rng.chance(60) {
            let from = if with_start { start + 1800 } else { earliest };
            let end = from + 60 * self.rng.below(30) as u64;
            config.insert("endTime".into(), json!(schedule_time(end)));
            if self.rng.chance(80) {
                let behavior = *self.rng.pick(&["STOP_ROLLOUT", "CANCEL", "FORCE_CANCEL"]);
                config.insert("endBehavior".into(), json!(behavior));
            }
        }
        Value::Object(config)
    }

    /// Some job that exists now in `status` (and CONTINUOUS, if asked), if any.
    fn job_in(&mut self, status: JobStatus, continuous: bool) -> Option<String> {
        let jobs: Vec<String> = self
            .tracker
            .replay
            .service()
            .jobs()
            .into_iter()
            .filter(|j| {
                j.status == status
                    && (!continuous
                        || j.target_selection == crate::status::TargetSelection::Continuous)
            })
            .map(|j| j.job_id)
            .collect();
        (!jobs.is_empty()).then(|| self.rng.pick(&jobs).clone())
    }

    /// Some job id (existing, mostly).
    fn job_id(&mut self) -> String {
        if self.jobs_created == 0 || self.rng.chance(3) {
            return "job-unknown".to_owned();
        }
        // Prefer recent jobs: they still have pending executions.
        let recent = self.jobs_created.min(4);
        format!("job-{}", self.jobs_created - 1 - self.rng.below(recent))
    }

    /// The newest execution of some job on `thing`, if any.
    fn execution_of(&mut self, thing: &str) -> Option<(String, i64, i64, JobExecutionStatus)> {
        let pending = self.tracker.replay.service().pending_order(thing);
        let pick = if !pending.is_empty() && self.rng.chance(85) {
            let (job, n) = self.rng.pick(&pending).clone();
            Some((job, Some(n)))
        } else {
            let job = self.job_id();
            Some((job, None))
        }?;
        let e = self
            .tracker
            .replay
            .service()
            .execution(thing, &pick.0, pick.1)?;
        Some((e.job_id, e.execution_number, e.version_number, e.status))
    }

    fn details(&mut self) -> Value {
        json!({"progress": format!("{}%", self.rng.below(101)), "step": "download"})
    }

    /// A device update over HTTP (`call`) or MQTT (`publish`).
    fn device_update(&mut self) -> Value {
        let thing = self.random_thing();
        let Some((job, number, version, status)) = self.execution_of(&thing) else {
            return json!({"call": "GetPendingJobExecutions", "input": {"thingName": thing}});
        };
        let step_timer = self
            .tracker
            .replay
            .service()
            .execution(&thing, &job, Some(number))
            .is_some_and(|e| e.step_deadline.is_some());
        let wanted = if status == JobExecutionStatus::Queued && self.rng.chance(60) {
            "IN_PROGRESS"
        } else {
            self.rng.pick(STATUSES)
        };
        let mut input = Map::new();
        input.insert("status".into(), json!(wanted));
        match self.rng.below(10) {
            0..=5 => {
                input.insert("expectedVersion".into(), json!(version));
            }
            6 => {
                input.insert("expectedVersion".into(), json!(version + 1));
            }
            _ => {}
        }
        match self.rng.below(10) {
            0..=2 => {
                input.insert("stepTimeoutInMinutes".into(), json!(1 + self.rng.below(3)));
            }
            3 | 5 if step_timer => {
                input.insert("stepTimeoutInMinutes".into(), json!(-1));
            }
            3 => {
                input.insert("stepTimeoutInMinutes".into(), json!(-1));
            }
            4 if self.rng.chance(20) => {
                input.insert("stepTimeoutInMinutes".into(), json!(0));
            }
            _ => {}
        }
        if self.rng.chance(40) {
            input.insert("statusDetails".into(), self.details());
        }
        if self.rng.chance(30) {
            input.insert("includeJobExecutionState".into(), json!(true));
        }
        if self.rng.chance(10) {
            input.insert("includeJobDocument".into(), json!(true));
        }
        if self.rng.chance(10) {
            input.insert("executionNumber".into(), json!(number));
        }
        if self.rng.chance(40) {
            if let Some(Value::Number(v)) = input.get("expectedVersion").cloned() {
                if self.rng.chance(50) {
                    input.insert("expectedVersion".into(), json!(v.to_string()));
                }
            }
            input.insert("clientToken".into(), json!(format!("c-{}", self.emitted)));
            json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/{job}/update"),
                               "payload": input}})
        } else {
            input.insert("thingName".into(), json!(thing));
            input.insert("jobId".into(), json!(job));
            json!({"call": "UpdateJobExecution", "input": input})
        }
    }

    fn device_read(&mut self) -> Value {
        let thing = self.random_thing();
        let mqtt = self.rng.chance(40);
        let token = format!("c-{}", self.emitted);
        match self.rng.below(4) {
            0 => {
                let mut input = json!({});
                if self.rng.chance(40) {
                    input["statusDetails"] = self.details();
                }
                if self.rng.chance(30) {
                    input["stepTimeoutInMinutes"] = json!(1 + self.rng.below(3));
                }
                if mqtt {
                    input["clientToken"] = json!(token);
                    json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/start-next"),
                                       "payload": input}})
                } else {
                    input["thingName"] = json!(thing);
                    json!({"call": "StartNextPendingJobExecution", "input": input})
                }
            }
            1 => {
                if mqtt {
                    json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/get"),
                                       "payload": {"clientToken": token}}})
                } else {
                    json!({"call": "GetPendingJobExecutions", "input": {"thingName": thing}})
                }
            }
            _ => {
                let job = if self.rng.chance(40) {
                    "$next".to_owned()
                } else {
                    self.execution_of(&thing)
                        .map_or_else(|| self.job_id(), |e| e.0)
                };
                if mqtt {
                    json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/{job}/get"),
                                       "payload": {"clientToken": token}}})
                } else {
                    let mut input = json!({"thingName": thing, "jobId": job});
                    if self.rng.chance(20) {
                        input["includeJobDocument"] = json!(false);
                    }
                    json!({"call": "DescribeJobExecution", "input": input})
                }
            }
        }
    }

    fn control(&mut self) -> Value {
        if self.rng.chance(30) {
            return self.job_control();
        }
        let thing = self.random_thing();
        match self.rng.below(12) {
            0 | 1 => {
                let job = self
                    .execution_of(&thing)
                    .map_or_else(|| self.job_id(), |e| e.0);
                let mut input = json!({"thingName": thing, "jobId": job});
                if self.rng.chance(40) {
                    input["force"] = json!(true);
                }
                if self.rng.chance(20) {
                    input["expectedVersion"] = json!(1 + self.rng.below(3));
                }
                json!({"call": "CancelJobExecution", "input": input})
            }
            2 => {
                let job = self.job_id();
                json!({"call": "CancelJob", "input": {"jobId": job, "force": self.rng.chance(50)}})
            }
            3 | 4 => {
                let exec = if self.rng.chance(60) {
                    // Any job, often one whose executions have all ended.
                    let job = format!("job-{}", self.rng.below(self.jobs_created.max(1)));
                    self.tracker
                        .replay
                        .service()
                        .execution(&thing, &job, None)
                        .map(|e| (e.job_id, e.execution_number, e.version_number, e.status))
                } else {
                    self.execution_of(&thing)
                };
                let (job, number) = exec.map_or_else(|| (self.job_id(), 1), |e| (e.0, e.1));
                json!({"call": "DeleteJobExecution", "input": {"thingName": thing, "jobId": job,
                       "executionNumber": number, "force": self.rng.chance(30)}})
            }
            5 | 6 => {
                let call = if self.rng.chance(50) {
                    "AddThingToThingGroup"
                } else {
                    "RemoveThingFromThingGroup"
                };
                json!({"call": call, "input": {"thingName": thing,
                       "thingGroupName": format!("group-{}", self.rng.below(2))}})
            }
            7 => {
                if self.rng.chance(30) {
                    json!({"call": "DeleteThing", "input": {"thingName": thing}})
                } else {
                    json!({"call": "CreateThing", "input": {"thingName": thing}})
                }
            }
            8 | 9 => self.new_job(),
            10 => {
                let job = self
                    .execution_of(&thing)
                    .map_or_else(|| self.job_id(), |e| e.0);
                json!({"call": "DescribeJobExecution", "service": "iot",
                       "input": {"thingName": thing, "jobId": job}})
            }
            _ => match self.rng.below(3) {
                0 => json!({"call": "ListJobExecutionsForThing",
                            "input": {"thingName": thing, "maxResults": 1 + self.rng.below(5)}}),
                1 => {
                    let job = self.job_id();
                    json!({"call": "ListJobExecutionsForJob", "input": {"jobId": job}})
                }
                _ => {
                    let job = self.job_id();
                    json!({"call": "DescribeJob", "input": {"jobId": job}})
                }
            },
        }
    }

    /// The job-level calls of decisions 34 to 39: DeleteJob, UpdateJob,
    /// AssociateTargetsWithJob, GetJobDocument, ListJobs, DescribeThing.
    fn job_control(&mut self) -> Value {
        match self.rng.below(20) {
            0..=2 => {
                let job = self.job_id();
                let force = self.rng.chance(50);
                json!({"call": "DeleteJob", "input": {"jobId": job, "force": force}})
            }
            3..=6 => {
                let job = match self.job_in(JobStatus::InProgress, false) {
                    Some(j) if self.rng.chance(80) => j,
                    _ => self.job_id(),
                };
                let mut input = json!({"jobId": job});
                match self.rng.below(5) {
                    0 => input["description"] = json!(format!("update {}", self.emitted)),
                    1 => input["abortConfig"] = self.abort_config(),
                    2 => input["jobExecutionsRolloutConfig"] = self.rollout_config(),
                    3 => {
                        input["timeoutConfig"] =
                            json!({"inProgressTimeoutInMinutes": 1 + self.rng.below(4)})
                    }
                    _ => {}
                }
                json!({"call": "UpdateJob", "input": input})
            }
            7..=10 => {
                let job = match self.job_in(JobStatus::InProgress, true) {
                    Some(j) if self.rng.chance(85) => j,
                    _ => self.job_id(),
                };
                let mut targets = vec![format!("{ARN}:thinggroup/group-{}", self.rng.below(2))];
                if self.rng.chance(30) {
                    targets.push(format!("{ARN}:thinggroup/group-{}", self.rng.below(2)));
                }
                json!({"call": "AssociateTargetsWithJob",
                       "input": {"jobId": job, "targets": targets}})
            }
            11..=13 => {
                let job = self.job_id();
                json!({"call": "GetJobDocument", "input": {"jobId": job}})
            }
            14..=16 => {
                let mut input = json!({});
                match self.rng.below(4) {
                    0 => {
                        input["status"] = json!(*self.rng.pick(&[
                            "IN_PROGRESS",
                            "CANCELED",
                            "COMPLETED",
                            "SCHEDULED"
                        ]))
                    }
                    1 => input["targetSelection"] = json!("CONTINUOUS"),
                    2 => input["thingGroupName"] = json!(format!("group-{}", self.rng.below(2))),
                    _ => input["maxResults"] = json!(1 + self.rng.below(3)),
                }
                json!({"call": "ListJobs", "input": input})
            }
            _ => {
                let thing = self.random_thing();
                json!({"call": "DescribeThing", "input": {"thingName": thing}})
            }
        }
    }

    /// A request AWS refuses before looking at the state.
    fn bad(&mut self) -> Value {
        let thing = self.random_thing();
        match self.rng.below(14) {
            10 => json!({"call": "UpdateJob", "input": {"jobId": "job-0"}}),
            11 => json!({"call": "AssociateTargetsWithJob", "input": {"jobId": "job-0",
                         "targets": [format!("{ARN}:thing/{thing}")]}}),
            12 => json!({"call": "CreateJob", "input": {"jobId": format!("job-y{}", self.emitted),
                         "targets": [format!("{ARN}:thing/{thing}")], "document": "{}",
                         "schedulingConfig": {"startTime": schedule_time(self.now.div_ceil(60) * 60)}}}),
            13 => json!({"call": "CreateJob", "input": {"jobId": format!("job-z{}", self.emitted),
                         "targets": [format!("{ARN}:thing/{thing}")], "document": "{}",
                         "abortConfig": {"criteriaList": [{"failureType": "ALL", "action": "CANCEL",
                            "minNumberOfExecutedThings": 1, "thresholdPercentage": 0}]}}}),
            0 => json!({"call": "UpdateJobExecution",
                        "input": {"thingName": "bad name", "jobId": "job-0", "status": "SUCCEEDED"}}),
            1 => json!({"call": "UpdateJobExecution",
                        "input": {"thingName": thing, "jobId": "job-0", "status": "DONE"}}),
            2 => json!({"call": "UpdateJobExecution",
                        "input": {"thingName": thing, "jobId": "job-0", "status": "IN_PROGRESS",
                                  "expectedVersion": "1"}}),
            3 => json!({"call": "DescribeJobExecution",
                        "input": {"thingName": thing, "jobId": "job/0"}}),
            4 => json!({"call": "StartNextPendingJobExecution",
                        "input": {"thingName": thing, "stepTimeoutInMinutes": 10081}}),
            5 => json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/job-0/cancel"),
                                    "payload": {}}}),
            6 => json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/get"),
                                    "payload_raw": "{not json"}}),
            7 => json!({"publish": {"topic": format!("$aws/things/{thing}/jobs/$next/update"),
                                    "payload": {"status": "SUCCEEDED"}}}),
            8 => json!({"call": "CreateJob", "input": {"jobId": "job-0", "targets":
                        [format!("{ARN}:thing/{thing}")], "document": "{}"}}),
            _ => json!({"call": "CreateJob", "input": {"jobId": format!("job-x{}", self.emitted),
                        "targets": [format!("{ARN}:thing/no-such-thing")], "document": "{}"}}),
        }
    }

    /// A step aimed at something not reached yet, when one can be built from the state:
    /// coverage-guided generation, so a few thousand steps reach every path.
    fn steer(&mut self) -> Option<Value> {
        let missing = self.tracker.coverage.missing();
        let first = self.rng.below(missing.len());
        (0..missing.len()).find_map(|i| self.steer_toward(&missing[(first + i) % missing.len()]))
    }

    /// A step toward `goal`, if one can be built from the state.
    fn steer_toward(&mut self, goal: &str) -> Option<Value> {
        use JobExecutionStatus as S;
        let svc = self.tracker.replay.service();
        let find = |status: S| {
            svc.executions().into_iter().rev().find(|e| {
                e.status == status
                    && svc
                        .execution(&e.thing_name, &e.job_id, None)
                        .is_some_and(|n| n.execution_number == e.execution_number)
                    && svc.things().contains(&e.thing_name)
            })
        };
        let delete = |e: crate::service::ExecutionRecord| {
            json!({"call": "DeleteJobExecution", "input": {"thingName": e.thing_name,
                   "jobId": e.job_id, "executionNumber": e.execution_number, "force": true}})
        };
        if let Some(rest) = goal.strip_prefix("row ") {
            let (_, what) = rest.split_once(" (")?;
            let (from, rest) = what.split_once(" to ")?;
            let (to, cause) = rest.split_once(" by ")?;
            let from: Option<S> = from.parse().ok();
            return match (from, to, cause.trim_end_matches(')')) {
                (Some(f), "(deleted)", "DeleteJob") => {
                    match svc.executions().into_iter().rev().find(|e| e.status == f) {
                        Some(e) => Some(
                            json!({"call": "DeleteJob", "input": {"jobId": e.job_id, "force": true}}),
                        ),
                        // A device ends a QUEUED execution that way first.
                        None if matches!(f, S::Succeeded | S::Failed | S::Rejected) => find(S::Queued).map(|e| {
                            json!({"call": "UpdateJobExecution", "input": {"thingName": e.thing_name,
                                   "jobId": e.job_id, "status": f.as_str()}})
                        }),
                        // DeleteThing removes a QUEUED execution first (decision 3).
                        None if f == S::Removed => find(S::Queued).map(|e| {
                            json!({"call": "DeleteThing", "input": {"thingName": e.thing_name}})
                        }),
                        None => None,
                    }
                }
                (Some(S::Queued), "CANCELED", "AbortCancel") => self.abort_now(),
                (Some(S::Queued), "REMOVED", "DeleteThing") => find(S::Queued)
                    .map(|e| json!({"call": "DeleteThing", "input": {"thingName": e.thing_name}})),
                (Some(S::Queued), "CANCELED", "CancelJob") => find(S::Queued)
                    .map(|e| json!({"call": "CancelJob", "input": {"jobId": e.job_id}})),
                (Some(S::InProgress), "CANCELED", "CancelJobExecution") => {
                    find(S::InProgress).map(|e| {
                        json!({"call": "CancelJobExecution", "input": {"thingName": e.thing_name,
                               "jobId": e.job_id, "force": true}})
                    })
                }
                (Some(f), "CANCELED", "EndBehaviorCancel") => self.end_now(f),
                (None, "QUEUED", "AssociateTargetsWithJob") => self.associate_new_group(),
                (Some(f), "(deleted)", _) => find(f).map(delete),
                (Some(S::InProgress), "CANCELED", "CancelJob") => find(S::InProgress).map(
                    |e| json!({"call": "CancelJob", "input": {"jobId": e.job_id, "force": true}}),
                ),
                (Some(S::Queued), "REMOVED", "ThingLeavesTargets") => {
                    let thing = svc
                        .things()
                        .into_iter()
                        .find(|t| !svc.groups_of(t).is_empty())?;
                    let group = svc.groups_of(&thing).first()?.clone();
                    Some(json!({"call": "RemoveThingFromThingGroup",
                                "input": {"thingName": thing, "thingGroupName": group}}))
                }
                _ => None,
            };
        }
        let running = find(S::InProgress);
        match goal {
            "path rollout batch fired" if svc.things().len() > 1 => {
                let targets: Vec<String> = svc
                    .things()
                    .iter()
                    .map(|t| format!("{ARN}:thing/{t}"))
                    .collect();
                let id = format!("job-{}", self.jobs_created);
                self.jobs_created += 1;
                Some(
                    json!({"call": "CreateJob", "input": {"jobId": id, "targets": targets,
                            "document": "{}", "jobExecutionsRolloutConfig": {"maximumPerMinute": 1}}}),
                )
            }
            "path step timer canceled" | "path step timer replaced" => {
                let e = svc
                    .executions()
                    .into_iter()
                    .rev()
                    .find(|e| e.status == S::InProgress && e.step_deadline.is_some())
                    .or(running)?;
                let minutes = if goal.ends_with("canceled") { -1 } else { 2 };
                Some(
                    json!({"call": "UpdateJobExecution", "input": {"thingName": e.thing_name,
                    "jobId": e.job_id, "status": "IN_PROGRESS",
                    "stepTimeoutInMinutes": minutes}}),
                )
            }
            "error VersionConflictException" => {
                let e = find(S::Queued).or(running)?;
                Some(
                    json!({"call": "CancelJobExecution", "input": {"thingName": e.thing_name,
                    "jobId": e.job_id, "expectedVersion": e.version_number + 1}}),
                )
            }
            _ => None,
        }
    }

    /// Toward the abort row (decision 30): an IN_PROGRESS job with a QUEUED execution and a
    /// failed one gets, by UpdateJob, an abortConfig its counts already meet (it is checked
    /// at once).
    fn abort_now(&mut self) -> Option<Value> {
        let svc = self.tracker.replay.service();
        let executions = svc.executions();
        let running: BTreeSet<String> = svc
            .jobs()
            .into_iter()
            .filter(|j| j.status == JobStatus::InProgress)
            .map(|j| j.job_id)
            .collect();
        let has = |job: &str, pred: fn(JobExecutionStatus) -> bool| {
            executions.iter().any(|e| e.job_id == job && pred(e.status))
        };
        let job = running.into_iter().find(|j| {
            has(j, |s| s == JobExecutionStatus::Queued) && has(j, JobExecutionStatus::is_retryable)
        })?;
        Some(
            json!({"call": "UpdateJob", "input": {"jobId": job, "abortConfig": {"criteriaList": [
            {"failureType": "ALL", "action": "CANCEL", "minNumberOfExecutedThings": 1,
             "thresholdPercentage": 0.01}]}}}),
        )
    }

    /// Toward the AssociateTargetsWithJob row (decision 36): a CONTINUOUS IN_PROGRESS job
    /// gets a group it does not target yet, one with a member that exists.
    fn associate_new_group(&mut self) -> Option<Value> {
        let svc = self.tracker.replay.service();
        let jobs: Vec<String> = svc
            .jobs()
            .into_iter()
            .filter(|j| {
                j.status == JobStatus::InProgress
                    && j.target_selection == crate::status::TargetSelection::Continuous
            })
            .map(|j| j.job_id)
            .collect();
        let things = svc.things();
        let describe = crate::plane::Operation::find(crate::plane::Plane::Control, "DescribeJob")?;
        for job in jobs {
            let request = crate::request::Request::decode(describe, &json!({"jobId": job})).ok()?;
            let answer = svc.clone().handle(self.now, request).ok()?.to_json();
            let targets = answer["job"]["targets"].as_array()?.clone();
            for g in 0..2 {
                let arn = format!("{ARN}:thinggroup/group-{g}");
                let group = format!("group-{g}");
                let member = things.iter().any(|t| svc.groups_of(t).contains(&group));
                if member && !targets.contains(&json!(arn)) {
                    return Some(json!({"call": "AssociateTargetsWithJob",
                                       "input": {"jobId": job, "targets": [arn]}}));
                }
            }
        }
        None
    }

    /// Toward an end-behaviour row from `from` (decision 32): a job that cancels at its
    /// endTime and has an execution in `from` now: the clock moves to that endTime. Toward
    /// the IN_PROGRESS row with none running, a device starts a QUEUED execution of such a
    /// job a second before its endTime, and the clock moves to the endTime next.
    fn end_now(&mut self, from: JobExecutionStatus) -> Option<Value> {
        let svc = self.tracker.replay.service();
        let ends: BTreeMap<String, u64> = svc
            .due_timers(u64::MAX)
            .into_iter()
            .filter(|t| t.kind == TimerKind::EndTime)
            .map(|t| (t.job_id, t.deadline))
            .collect();
        let executions = svc.executions();
        let of = |status: JobExecutionStatus, force: bool| {
            executions.iter().find(|e| {
                e.status == status
                    && ends.contains_key(&e.job_id)
                    && self.cancel_at_end.get(&e.job_id) >= Some(&force)
            })
        };
        let force = from == JobExecutionStatus::InProgress;
        if let Some(e) = of(from, force) {
            let at = ends[&e.job_id];
            self.now = self.now.max(at);
            return Some(json!({"call": "GetPendingJobExecutions",
                               "input": {"thingName": e.thing_name}}));
        }
        if !force {
            return None;
        }
        let Some(e) = of(JobExecutionStatus::Queued, force) else {
            // No such job: one is created, ending as early as allowed.
            let targets: Vec<String> = svc
                .things()
                .iter()
                .map(|t| format!("{ARN}:thing/{t}"))
                .collect();
            let id = format!("job-{}", self.jobs_created);
            self.jobs_created += 1;
            self.cancel_at_end.insert(id.clone(), true);
            let end = schedule_time((self.now + 1800).div_ceil(60) * 60);
            return Some(
                json!({"call": "CreateJob", "input": {"jobId": id, "targets": targets,
                "document": "{}", "schedulingConfig": {"endTime": end,
                "endBehavior": "FORCE_CANCEL"}}}),
            );
        };
        let at = ends[&e.job_id];
        self.planned = Some((
            at,
            json!({"call": "GetPendingJobExecutions", "input": {"thingName": e.thing_name}}),
        ));
        self.now = self.now.max(at - 1);
        Some(
            json!({"call": "UpdateJobExecution", "input": {"thingName": e.thing_name,
                    "jobId": e.job_id, "status": "IN_PROGRESS"}}),
        )
    }

    /// The next step's action, before its time is set.
    fn next_action(&mut self) -> Value {
        if let Some((at, step)) = self.planned.take() {
            self.now = self.now.max(at);
            return step;
        }
        if self.emitted.is_multiple_of(10)
            && self.emitted > 200
            && !self.tracker.coverage.missing().is_empty()
        {
            if let Some(step) = self.steer() {
                return step;
            }
        }
        match self.rng.below(100) {
            0..=31 => self.device_update(),
            32..=51 => self.device_read(),
            52..=71 => self.control(),
            72..=79 => self.bad(),
            _ => {
                // A clock advance: to the next deadline, or a little.
                let thing = self.random_thing();
                let target = match self.tracker.replay.service().poll_timeout() {
                    Some(d) if self.rng.chance(70) => d + self.rng.below(3) as u64,
                    _ => self.now + 1 + self.rng.below(30) as u64,
                };
                self.now = self.now.max(target);
                json!({"call": "GetPendingJobExecutions", "input": {"thingName": thing}})
            }
        }
    }
}

impl Iterator for Generator {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        let setup = !self.setup.is_empty();
        if !setup && self.emitted >= self.options.steps {
            return None;
        }
        let value = match self.setup.pop() {
            Some(v) => v,
            None => {
                self.emitted += 1;
                if self.rng.chance(60) {
                    self.now += self.rng.below(4) as u64;
                }
                self.next_action()
            }
        };
        let mut with_time = Map::new();
        with_time.insert("at".into(), json!(self.now));
        if let Value::Object(m) = value {
            with_time.extend(m);
        }
        let line = Value::Object(with_time).to_string();
        let step = match Step::parse(&line, self.tracker.replay.at()) {
            Ok(Some(step)) => step,
            // The generator only writes well-formed steps; stop rather than emit garbage.
            _ => return None,
        };
        Some(self.tracker.run(step))
    }
}

/// `at` (Unix seconds on the logical clock) as decision 31's `YYYY-MM-DDThh:mm`, UTC; the
/// seconds are dropped. The civil date from the day count is Howard Hinnant's
/// `civil_from_days`.
fn schedule_time(at: u64) -> String {
    let days = at / 86_400;
    let (hour, minute) = (at % 86_400 / 3600, at % 3600 / 60);
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}")
}

/// Runs steps through the specification, fills in their expectations and records what
/// they reach.
#[derive(Clone, Debug)]
pub struct Tracker {
    replay: Replay,
    coverage: Coverage,
}

impl Default for Tracker {
    fn default() -> Self {
        Self::new()
    }
}

impl Tracker {
    /// A fresh specification, recording its transitions.
    pub fn new() -> Self {
        Self {
            replay: Replay::new(Config {
                record_transitions: true,
                ..Config::default()
            }),
            coverage: Coverage::default(),
        }
    }

    /// What the steps so far reached.
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// Parses a line relative to the last step's time.
    pub fn parse(&self, line: &str) -> Result<Option<Step>, String> {
        self.replay.parse(line)
    }

    /// Runs `step`, fills in its expectations and returns it as a trace line.
    pub fn run(&mut self, mut step: Step) -> String {
        let due = self.replay.service().due_timers(step.at);
        let step_before: BTreeSet<(String, String)> = self
            .replay
            .service()
            .due_timers(u64::MAX)
            .into_iter()
            .filter(|t| t.kind == TimerKind::Step)
            .map(|t| (t.thing_name, t.job_id))
            .collect();
        let answer = self.replay.fill(&mut step);
        while let Some(t) = self.replay.service_mut().poll_transition() {
            self.coverage.rows.insert(t.row);
        }
        self.observe(&step, &answer, &due);
        if let crate::trace::Action::Call { name, input, .. } = &step.action {
            let key = (
                input["thingName"].as_str().unwrap_or("").to_owned(),
                input["jobId"].as_str().unwrap_or("").to_owned(),
            );
            if name == "UpdateJobExecution"
                && matches!(answer, Answer::Output(_))
                && input["stepTimeoutInMinutes"]
                    .as_i64()
                    .is_some_and(|m| m > 0)
                && step_before.contains(&key)
            {
                self.coverage.paths.insert("step timer replaced");
            }
        }
        Value::Object(step.raw).to_string()
    }

    fn observe(&mut self, step: &Step, answer: &Answer, before: &[crate::service::TimerRecord]) {
        let svc = self.replay.service();
        for (s, n) in svc.status_counts() {
            if n > 0 {
                self.coverage.statuses.insert(s);
            }
        }
        let name = match &step.action {
            crate::trace::Action::Call { name, .. } => name.clone(),
            crate::trace::Action::Publish { topic, .. } => {
                let op = topic.rsplit('/').next().unwrap_or("");
                format!("publish {op}")
            }
        };
        *self.coverage.operations.entry(name).or_default() += 1;
        if let Answer::Error(e) = answer {
            if let Some(code) = e.get("code").and_then(Value::as_str) {
                self.coverage.errors.insert(code.to_owned());
            }
        }
        for m in self.replay.published() {
            if let Some(code) = m.payload.rejected_code() {
                self.coverage.mqtt_codes.insert(code.as_str().to_owned());
            }
        }
        for t in before {
            if t.kind.is_job_timer() {
                self.coverage.paths.insert(match t.kind {
                    TimerKind::RolloutBatch => "rollout batch fired",
                    TimerKind::StartTime => "startTime fired",
                    _ => "endTime fired",
                });
                continue;
            }
            let e = svc.execution(&t.thing_name, &t.job_id, Some(t.execution_number));
            if e.is_some_and(|e| e.status == JobExecutionStatus::TimedOut) {
                self.coverage.paths.insert(match t.kind {
                    TimerKind::Step => "step timer fired",
                    _ => "in-progress timer fired",
                });
                let newest = svc.execution(&t.thing_name, &t.job_id, None);
                if newest.is_some_and(|n| n.execution_number > t.execution_number) {
                    self.coverage.paths.insert("retry after TIMED_OUT");
                }
            }
        }
        if let crate::trace::Action::Call { name, input, .. } = &step.action {
            if name == "UpdateJobExecution" && matches!(answer, Answer::Output(_)) {
                let thing = input["thingName"].as_str().unwrap_or("");
                let job = input["jobId"].as_str().unwrap_or("");
                match input.get("stepTimeoutInMinutes").and_then(Value::as_i64) {
                    Some(-1) => {
                        self.coverage.paths.insert("step timer canceled");
                    }
                    Some(m) if m > 0 && input["status"] == "IN_PROGRESS" => {
                        self.coverage.paths.insert("step timer set");
                    }
                    _ => {}
                }
                if input["status"] == "FAILED" {
                    let newest = svc.execution(thing, job, None);
                    if newest.is_some_and(|n| {
                        n.status == JobExecutionStatus::Queued && n.retry_attempt > 0
                    }) {
                        self.coverage.paths.insert("retry after FAILED");
                    }
                }
            }
        }
    }
}

impl Coverage {
    /// Every goal a long trace should reach, by the names [`Coverage::missing`] uses.
    pub fn goals() -> Vec<String> {
        Coverage::default().missing()
    }

    /// Whether `goal` (a name from [`Coverage::goals`]) was reached.
    pub fn reached(&self, goal: &str) -> bool {
        !self.missing().iter().any(|m| m == goal)
    }
}

/// Replays `lines` (their expectations are ignored and computed anew) and gives the
/// filled lines up to and including the first one after which `goal` is reached.
fn replay_until(lines: &[String], goal: &str) -> Option<Vec<String>> {
    let mut tracker = Tracker::new();
    let mut out = Vec::new();
    for line in lines {
        let step = tracker.parse(line).ok()??;
        out.push(tracker.run(step));
        if tracker.coverage().reached(goal) {
            return Some(out);
        }
    }
    None
}

/// The shortest trace this finds that still reaches `goal`: the prefix of `lines` that
/// first reaches it, then steps taken away in ever smaller chunks while the goal is
/// still reached. The result carries fresh expectations.
pub fn minimise(lines: &[String], goal: &str) -> Option<Vec<String>> {
    let mut current = replay_until(lines, goal)?;
    let mut chunk = current.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        while i < current.len() && current.len() > 1 {
            let end = (i + chunk).min(current.len());
            let candidate: Vec<String> = current[..i]
                .iter()
                .chain(&current[end..])
                .cloned()
                .collect();
            match replay_until(&candidate, goal) {
                Some(shorter) => current = shorter,
                None => i += chunk,
            }
        }
        if chunk == 1 {
            return Some(current);
        }
        chunk = chunk.div_ceil(2);
    }
}

/// Test vectors: for every goal, a minimised trace that reaches it, cut from one long
/// generated trace. Goals the trace does not reach are left out.
pub fn vectors(options: Options) -> Vec<(String, Vec<String>)> {
    let lines: Vec<String> = Generator::new(options).collect();
    Coverage::goals()
        .into_iter()
        .filter_map(|goal| minimise(&lines, &goal).map(|v| (goal, v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::schedule_time;
    use crate::validate;

    #[test]
    fn schedule_time_writes_what_decision_31_reads_back() {
        assert_eq!(schedule_time(0), "1970-01-01T00:00");
        assert_eq!(schedule_time(1800), "1970-01-01T00:30");
        assert_eq!(schedule_time(951_825_600), "2000-02-29T12:00");
        for at in (0..4_000_000_000u64)
            .step_by(7_777_777)
            .map(|s| s / 60 * 60)
        {
            assert_eq!(
                validate::schedule_time(&schedule_time(at)).ok(),
                Some(at),
                "{at}"
            );
        }
        // Seconds are dropped, not rounded.
        assert_eq!(schedule_time(1859), "1970-01-01T00:30");
    }
}
