//! Applying an [`Op`] to a [`Service`]: resolving its symbolic values against the state,
//! building the JSON input a trace would carry, decoding it with [`Request::decode`] and
//! calling [`Service::handle`] (or moving the clock), and returning what happened.

use iot_jobs_spec::{
    Error, ExecutionRecord, Message, Operation, Request, Response, RetryableFailureType, Service,
};
use serde_json::{json, Map, Value};

use super::strategies::{Details, Exec, ExecNum, JobSpec, Malformed, Op, Target, Version};

/// `tN` for thing index N-1.
pub fn thing(i: u8) -> String {
    format!("t{}", i + 1)
}

/// `jN` for job index N-1.
pub fn job(i: u8) -> String {
    format!("j{}", i + 1)
}

/// `gN` for group index N-1.
pub fn group(i: u8) -> String {
    format!("g{}", i + 1)
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iot:us-east-1:123456789012:{kind}/{name}")
}

/// A call made to the service and its answer.
#[derive(Clone, Debug)]
pub struct Call {
    /// The operation.
    pub op: Operation,
    /// The JSON input, as a trace carries it.
    pub input: Value,
    /// The decoded request; `None` when decoding refused the input.
    pub request: Option<Request>,
    /// The answer.
    pub result: Result<Response, Error>,
}

impl Call {
    /// The answer as JSON: the response, or the error body (`code`, `message`,
    /// `executionState` where given).
    pub fn answer(&self) -> Result<Value, Value> {
        match &self.result {
            Ok(r) => Ok(r.to_json()),
            Err(Error::Service(e)) => Err(serde_json::to_value(e).unwrap_or(Value::Null)),
            Err(Error::NotModelled(n)) => {
                Err(json!({"code": "NotModelled", "feature": n.feature, "message": n.detail}))
            }
        }
    }
}

/// What one op did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The logical time after the op (the time the call was made at).
    pub at: u64,
    /// The call, unless the op only moved the clock.
    pub call: Option<Call>,
    /// Everything published during the op, in order.
    pub messages: Vec<Message>,
}

impl Outcome {
    /// A one-line, byte-exact rendering for determinism checks.
    pub fn transcript(&self) -> String {
        let answer = match &self.call {
            None => json!(null),
            Some(c) => match c.answer() {
                Ok(v) => json!({"op": c.op.name(), "output": v}),
                Err(e) => json!({"op": c.op.name(), "error": e}),
            },
        };
        let messages: Vec<Value> = self
            .messages
            .iter()
            .map(|m| json!({"topic": m.topic, "payload": m.payload.to_json()}))
            .collect();
        json!({"at": self.at, "answer": answer, "messages": messages}).to_string()
    }
}

/// The executions of `job` on `thing`, oldest first.
pub fn history(svc: &Service, job: &str, thing: &str) -> Vec<ExecutionRecord> {
    svc.executions()
        .into_iter()
        .filter(|e| e.job_id == job && e.thing_name == thing)
        .collect()
}

/// The (thing, job) `e` names in `svc`.
fn resolve_exec(svc: &Service, e: Exec) -> (String, String) {
    let all = svc.executions();
    let pick = |list: Vec<&ExecutionRecord>, k: u8| {
        (!list.is_empty()).then(|| {
            let x = list[usize::from(k) % list.len()];
            (x.thing_name.clone(), x.job_id.clone())
        })
    };
    let any = |k| pick(all.iter().collect(), k).unwrap_or_else(|| (thing(0), job(0)));
    match e {
        Exec::Pair { thing: t, job: j } => (thing(t), job(j)),
        Exec::Pending(k) => pick(all.iter().filter(|x| x.status.is_pending()).collect(), k)
            .unwrap_or_else(|| any(k)),
        Exec::Any(k) => any(k),
    }
}

fn resolve_number(svc: &Service, job: &str, thing: &str, n: ExecNum) -> i64 {
    let numbers: Vec<i64> = history(svc, job, thing)
        .iter()
        .map(|e| e.execution_number)
        .collect();
    let max = numbers.iter().copied().max();
    match n {
        ExecNum::Newest => max.unwrap_or(1),
        ExecNum::Oldest => numbers.iter().copied().min().unwrap_or(1),
        ExecNum::Missing => max.unwrap_or(0) + 5,
    }
}

/// The version `v` stands for, against execution `number` (else the newest).
fn resolve_version(
    svc: &Service,
    job: &str,
    thing: &str,
    number: Option<i64>,
    v: Version,
) -> Option<i64> {
    let h = history(svc, job, thing);
    let current = match number {
        Some(n) => h.iter().find(|e| e.execution_number == n),
        None => h.last(),
    }
    .map_or(1, |e| e.version_number);
    match v {
        Version::Absent => None,
        Version::Right => Some(current),
        Version::Wrong(d) => Some(current + d),
    }
}

fn details_json(d: Details) -> Option<Value> {
    match d {
        Details::Absent => None,
        Details::Empty => Some(json!({})),
        Details::Map(0) => Some(json!({"progress": "10%"})),
        Details::Map(1) => Some(json!({"progress": "90%", "step:a_b-c": "download"})),
        Details::Map(_) => Some(json!({"reason": "élan vital"})),
        Details::Invalid(0) => Some(json!({"bad key": "x"})),
        Details::Invalid(1) => Some(json!({"k": ""})),
        Details::Invalid(_) => Some(json!({"k": 5})),
    }
}

fn put(m: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(key.to_owned(), v);
    }
}

/// The CreateJob input for `spec` as job `id`, against a fleet of `things` things and
/// `groups` groups.
pub fn create_job_input(id: &str, spec: &JobSpec) -> Value {
    let targets: Vec<String> = spec
        .targets
        .iter()
        .map(|t| match *t {
            Target::Thing(i) => arn("thing", &thing(i)),
            Target::Group(i) => arn("thinggroup", &group(i)),
        })
        .collect();
    let mut m = Map::new();
    m.insert("jobId".into(), json!(id));
    m.insert("targets".into(), json!(targets));
    m.insert("document".into(), json!(format!("{{\"op\":\"{id}\"}}")));
    put(
        &mut m,
        "targetSelection",
        spec.selection.map(|s| json!(s.to_string())),
    );
    put(
        &mut m,
        "timeoutConfig",
        spec.in_progress_minutes
            .map(|t| json!({"inProgressTimeoutInMinutes": t})),
    );
    if !spec.retry.is_empty() {
        let list: Vec<Value> = spec
            .retry
            .iter()
            .map(|(f, n)| json!({"failureType": f.to_string(), "numberOfRetries": n}))
            .collect();
        m.insert(
            "jobExecutionsRetryConfig".into(),
            json!({ "criteriaList": list }),
        );
    }
    Value::Object(m)
}

/// The operation and JSON input for a call-making `op`, resolved against `svc`.
pub fn input(svc: &Service, op: &Op) -> Option<(Operation, Value)> {
    use Operation as O;
    Some(match op {
        Op::Advance { .. } | Op::AdvanceToDeadline { .. } => return None,
        Op::CreateThing { thing: t } => (O::CreateThing, json!({"thingName": thing(*t)})),
        Op::CreateThingGroup { group: g } => {
            (O::CreateThingGroup, json!({"thingGroupName": group(*g)}))
        }
        Op::CreateJob { job: j, spec } => (O::CreateJob, create_job_input(&job(*j), spec)),
        Op::AddThingToThingGroup { thing: t, group: g } => (
            O::AddThingToThingGroup,
            json!({"thingGroupName": group(*g), "thingName": thing(*t)}),
        ),
        Op::RemoveThingFromThingGroup { thing: t, group: g } => (
            O::RemoveThingFromThingGroup,
            json!({"thingGroupName": group(*g), "thingName": thing(*t)}),
        ),
        Op::DeleteThing { thing: t } => (O::DeleteThing, json!({"thingName": thing(*t)})),
        Op::Update {
            exec,
            status,
            version,
            step_minutes,
            details,
            execution,
            include_state,
        } => {
            let (t, j) = resolve_exec(svc, *exec);
            let number = execution.map(|n| resolve_number(svc, &j, &t, n));
            let mut m = Map::new();
            m.insert("thingName".into(), json!(t));
            m.insert("jobId".into(), json!(j));
            m.insert("status".into(), json!(status.as_str()));
            put(
                &mut m,
                "expectedVersion",
                resolve_version(svc, &j, &t, number, *version).map(|v| json!(v)),
            );
            put(
                &mut m,
                "stepTimeoutInMinutes",
                step_minutes.map(|s| json!(s)),
            );
            put(&mut m, "statusDetails", details_json(*details));
            put(&mut m, "executionNumber", number.map(|n| json!(n)));
            if *include_state {
                m.insert("includeJobExecutionState".into(), json!(true));
            }
            (O::UpdateJobExecution, Value::Object(m))
        }
        Op::StartNext {
            thing: t,
            step_minutes,
            details,
        } => {
            let mut m = Map::new();
            m.insert("thingName".into(), json!(thing(*t)));
            put(
                &mut m,
                "stepTimeoutInMinutes",
                step_minutes.map(|s| json!(s)),
            );
            put(&mut m, "statusDetails", details_json(*details));
            (O::StartNextPendingJobExecution, Value::Object(m))
        }
        Op::Describe {
            exec,
            next,
            execution,
            include_document,
        } => {
            let (t, j) = resolve_exec(svc, *exec);
            let number = execution.map(|n| resolve_number(svc, &j, &t, n));
            let j = if *next { "$next".to_owned() } else { j };
            let mut m = Map::new();
            m.insert("thingName".into(), json!(t));
            m.insert("jobId".into(), json!(j));
            put(&mut m, "executionNumber", number.map(|n| json!(n)));
            put(
                &mut m,
                "includeJobDocument",
                include_document.map(|b| json!(b)),
            );
            (O::DescribeJobExecution, Value::Object(m))
        }
        Op::GetPending { thing: t } => {
            (O::GetPendingJobExecutions, json!({"thingName": thing(*t)}))
        }
        Op::CancelJob { job: j, force } => {
            let mut m = Map::new();
            m.insert("jobId".into(), json!(job(*j)));
            put(&mut m, "force", force.map(|f| json!(f)));
            (O::CancelJob, Value::Object(m))
        }
        Op::CancelJobExecution {
            exec,
            force,
            version,
            details,
        } => {
            let (t, j) = resolve_exec(svc, *exec);
            let mut m = Map::new();
            m.insert("thingName".into(), json!(t));
            m.insert("jobId".into(), json!(j));
            put(&mut m, "force", force.map(|f| json!(f)));
            put(
                &mut m,
                "expectedVersion",
                resolve_version(svc, &j, &t, None, *version).map(|v| json!(v)),
            );
            put(&mut m, "statusDetails", details_json(*details));
            (O::CancelJobExecution, Value::Object(m))
        }
        Op::DeleteJobExecution {
            exec,
            execution,
            force,
        } => {
            let (t, j) = resolve_exec(svc, *exec);
            let number = resolve_number(svc, &j, &t, *execution);
            let mut m = Map::new();
            m.insert("thingName".into(), json!(t));
            m.insert("jobId".into(), json!(j));
            m.insert("executionNumber".into(), json!(number));
            put(&mut m, "force", force.map(|f| json!(f)));
            (O::DeleteJobExecution, Value::Object(m))
        }
        Op::ControlDescribe { exec, execution } => {
            let (t, j) = resolve_exec(svc, *exec);
            let number = execution.map(|n| resolve_number(svc, &j, &t, n));
            let mut m = Map::new();
            m.insert("thingName".into(), json!(t));
            m.insert("jobId".into(), json!(j));
            put(&mut m, "executionNumber", number.map(|n| json!(n)));
            (O::ControlDescribeJobExecution, Value::Object(m))
        }
        Op::ListForThing {
            thing: t,
            status,
            max_results,
        } => {
            let mut m = Map::new();
            m.insert("thingName".into(), json!(thing(*t)));
            put(&mut m, "status", status.map(|s| json!(s.as_str())));
            put(&mut m, "maxResults", max_results.map(|n| json!(n)));
            (O::ListJobExecutionsForThing, Value::Object(m))
        }
        Op::ListForJob {
            job: j,
            status,
            max_results,
        } => {
            let mut m = Map::new();
            m.insert("jobId".into(), json!(job(*j)));
            put(&mut m, "status", status.map(|s| json!(s.as_str())));
            put(&mut m, "maxResults", max_results.map(|n| json!(n)));
            (O::ListJobExecutionsForJob, Value::Object(m))
        }
        Op::DescribeJob { job: j } => (O::DescribeJob, json!({"jobId": job(*j)})),
        Op::Malformed(m) => malformed_input(*m),
    })
}

fn malformed_input(m: Malformed) -> (Operation, Value) {
    use Malformed as M;
    use Operation as O;
    match m {
        M::UpdateVersionAsString { thing: t, job: j } => (
            O::UpdateJobExecution,
            json!({"thingName": thing(t), "jobId": job(j), "status": "IN_PROGRESS",
                   "expectedVersion": "1"}),
        ),
        M::UpdateStepAsFloat { thing: t, job: j } => (
            O::UpdateJobExecution,
            json!({"thingName": thing(t), "jobId": job(j), "status": "IN_PROGRESS",
                   "stepTimeoutInMinutes": 2.0}),
        ),
        M::UpdateNoStatus { thing: t, job: j } => (
            O::UpdateJobExecution,
            json!({"thingName": thing(t), "jobId": job(j)}),
        ),
        M::UpdateStatusNumber { thing: t, job: j } => (
            O::UpdateJobExecution,
            json!({"thingName": thing(t), "jobId": job(j), "status": 3}),
        ),
        M::UpdateNextJob { thing: t } => (
            O::UpdateJobExecution,
            json!({"thingName": thing(t), "jobId": "$next", "status": "IN_PROGRESS"}),
        ),
        M::UpdateBadThingName { job: j } => (
            O::UpdateJobExecution,
            json!({"thingName": "bad name", "jobId": job(j), "status": "IN_PROGRESS"}),
        ),
        M::UpdateNullDetailsUnknownMember { thing: t, job: j } => (
            O::UpdateJobExecution,
            json!({"thingName": thing(t), "jobId": job(j), "status": "IN_PROGRESS",
                   "statusDetails": null, "colour": "blue"}),
        ),
        M::DescribeBadJobId { thing: t } => (
            O::DescribeJobExecution,
            json!({"thingName": thing(t), "jobId": "j 1"}),
        ),
        M::DescribeDocumentFlagString { thing: t, job: j } => (
            O::DescribeJobExecution,
            json!({"thingName": thing(t), "jobId": job(j), "includeJobDocument": "yes"}),
        ),
        M::GetPendingThingNumber => (O::GetPendingJobExecutions, json!({"thingName": 7})),
        M::StartNextDetailsArray { thing: t } => (
            O::StartNextPendingJobExecution,
            json!({"thingName": thing(t), "statusDetails": []}),
        ),
        M::CancelJobForceString { job: j } => {
            (O::CancelJob, json!({"jobId": job(j), "force": "true"}))
        }
        M::CancelExecutionVersionFloat { thing: t, job: j } => (
            O::CancelJobExecution,
            json!({"thingName": thing(t), "jobId": job(j), "expectedVersion": 1.5}),
        ),
        M::DeleteNoNumber { thing: t, job: j } => (
            O::DeleteJobExecution,
            json!({"thingName": thing(t), "jobId": job(j), "force": true}),
        ),
        M::ListBadToken { thing: t } => (
            O::ListJobExecutionsForThing,
            json!({"thingName": thing(t), "nextToken": "abc"}),
        ),
        M::ListMaxResultsZero { job: j } => (
            O::ListJobExecutionsForJob,
            json!({"jobId": job(j), "maxResults": 0}),
        ),
        M::CreateJobDuplicateCriteria => (
            O::CreateJob,
            json!({"jobId": "jx", "targets": [arn("thing", "t1")], "document": "{}",
                   "jobExecutionsRetryConfig": {"criteriaList": [
                       {"failureType": "FAILED", "numberOfRetries": 1},
                       {"failureType": "FAILED", "numberOfRetries": 2}]}}),
        ),
        M::CreateJobExistingId => (
            O::CreateJob,
            json!({"jobId": "j1", "targets": [arn("thing", "t1")], "document": "{}"}),
        ),
        M::CreateJobUnknownTarget => (
            O::CreateJob,
            json!({"jobId": "jy", "targets": [arn("thing", "t9")], "document": "{}"}),
        ),
        M::AddNoThing { group: g } => {
            (O::AddThingToThingGroup, json!({"thingGroupName": group(g)}))
        }
    }
}

/// The time a clock op moves to, from `now`.
pub fn clock_target(svc: &Service, op: &Op) -> Option<u64> {
    let now = svc.now();
    match op {
        Op::Advance { seconds } => Some(now + seconds),
        Op::AdvanceToDeadline { offset } => Some(match svc.poll_timeout() {
            Some(d) => d.saturating_add_signed(i64::from(*offset)).max(now),
            None => now + 60,
        }),
        _ => None,
    }
}

/// Applies `op` to `svc` at its current time (clock ops move the time), draining what it
/// publishes.
pub fn apply(svc: &mut Service, op: &Op) -> Outcome {
    let call = if let Some(t) = clock_target(svc, op) {
        svc.handle_timeout(t);
        None
    } else {
        let (operation, input) = input(svc, op).expect("a call-making op");
        Some(call(svc, operation, input))
    };
    let mut messages = Vec::new();
    while let Some(m) = svc.poll_message() {
        messages.push(m);
    }
    Outcome {
        at: svc.now(),
        call,
        messages,
    }
}

/// Decodes `input` for `op` and hands it to `svc` at its current time.
pub fn call(svc: &mut Service, op: Operation, input: Value) -> Call {
    let now = svc.now();
    match Request::decode(op, &input) {
        Err(e) => Call {
            op,
            input,
            request: None,
            result: Err(Error::Service(e)),
        },
        Ok(req) => Call {
            op,
            input,
            request: Some(req.clone()),
            result: svc.handle(now, req),
        },
    }
}

/// Runs `ops` on a fresh service, giving every outcome.
pub fn run(ops: &[Op]) -> (Service, Vec<Outcome>) {
    let mut svc = Service::new(iot_jobs_spec::Config::default());
    let outcomes = ops.iter().map(|op| apply(&mut svc, op)).collect();
    (svc, outcomes)
}

/// The failure type a criterion of the job with these criteria covers for `failure`:
/// its own criterion, else ALL (decision 19).
pub fn criterion_for(
    criteria: &[(RetryableFailureType, i32)],
    failure: RetryableFailureType,
) -> Option<(RetryableFailureType, i32)> {
    criteria
        .iter()
        .find(|(f, _)| *f == failure)
        .or_else(|| {
            criteria
                .iter()
                .find(|(f, _)| *f == RetryableFailureType::All)
        })
        .copied()
}
