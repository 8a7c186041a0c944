//! The test harness: a [`World`] owns a service and its virtual clock, makes calls by AWS
//! name with JSON inputs, and keeps the messages each call published; [`call`] is the same
//! for a bare `Service`; [`invariants`] holds the invariants of a state that the property
//! tests and the exhaustive exploration share. One copy of each helper, for every test.
#![allow(dead_code)]

pub mod invariants;

use std::borrow::Borrow;

use iot_jobs_spec::{Config, Error, ExecutionRecord, Message, Operation, Plane, Request, Service};
use serde_json::{json, Value};

/// A service, a clock and what was published since the last call.
pub struct World {
    pub svc: Service,
    pub now: u64,
    pub messages: Vec<Message>,
}

pub fn thing_arn(name: &str) -> String {
    format!("arn:aws:iot:us-east-1:123456789012:thing/{name}")
}

pub fn group_arn(name: &str) -> String {
    format!("arn:aws:iot:us-east-1:123456789012:thinggroup/{name}")
}

/// `base` with the members of `extra` added (an `extra` member replaces one of `base`).
pub fn merged(mut base: Value, extra: Value) -> Value {
    if let (Value::Object(m), Value::Object(e)) = (&mut base, extra) {
        m.extend(e);
    }
    base
}

/// A CreateJob `jobExecutionsRetryConfig` member with these (failureType,
/// numberOfRetries), to merge into the input.
pub fn retry(criteria: &[(&str, i64)]) -> Value {
    let list: Vec<Value> = criteria
        .iter()
        .map(|(t, n)| json!({"failureType": t, "numberOfRetries": n}))
        .collect();
    json!({"jobExecutionsRetryConfig": {"criteriaList": list}})
}

/// The `jobId`s of a list of summaries, in order.
pub fn job_ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|s| s["jobId"].as_str().unwrap().to_owned())
        .collect()
}

/// The payload of the one message on `topic` among `messages`.
pub fn only_on(messages: &[Message], topic: &str) -> Value {
    let found: Vec<&Message> = messages.iter().filter(|m| m.topic == topic).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one message on {topic}, got {messages:?}"
    );
    found[0].payload.to_json()
}

/// Every message `svc` has queued, oldest first.
pub fn drain(svc: &mut Service) -> Vec<Message> {
    std::iter::from_fn(|| svc.poll_message()).collect()
}

/// Decodes `input` for `op` as a trace would carry it and hands it to `svc` at its own
/// clock; drops what it published. The answer's JSON, or the error code (`NotModelled`
/// for a feature outside the model).
pub fn call(svc: &mut Service, op: Operation, input: &Value) -> Result<Value, String> {
    let request = Request::decode(op, input).map_err(|e| e.code.as_str().to_owned())?;
    let result = svc.handle(svc.now(), request);
    drain(svc);
    match result {
        Ok(response) => Ok(response.to_json()),
        Err(Error::Service(e)) => Err(e.code.as_str().to_owned()),
        Err(Error::NotModelled(_)) => Err("NotModelled".to_owned()),
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> Self {
        Self::with(Config::default())
    }

    pub fn with(config: Config) -> Self {
        Self {
            svc: Service::new(config),
            now: 0,
            messages: Vec::new(),
        }
    }

    /// Moves the virtual clock (never back), firing due timers.
    pub fn at(&mut self, t: u64) -> &mut Self {
        assert!(t >= self.now, "the clock never goes back");
        self.now = t;
        self.svc.handle_timeout(t);
        self.drain();
        self
    }

    fn drain(&mut self) {
        self.messages.extend(drain(&mut self.svc));
    }

    /// Calls `name` on `plane` with `input`: the response JSON, or the error JSON
    /// (`{"code", "message", "executionState"?}`; `{"code": "NotModelled"}` for a feature
    /// outside the model).
    pub fn call_on(&mut self, plane: Plane, name: &str, input: Value) -> Result<Value, Value> {
        let op = Operation::find(plane, name).unwrap_or_else(|| panic!("no operation {name}"));
        self.messages.clear();
        let result = match Request::decode(op, &input) {
            Err(e) => Err(serde_json::to_value(e).unwrap()),
            Ok(req) => match self.svc.handle(self.now, req) {
                Ok(resp) => Ok(resp.to_json()),
                Err(Error::Service(e)) => Err(serde_json::to_value(e).unwrap()),
                Err(Error::NotModelled(n)) => {
                    Err(json!({"code": "NotModelled", "feature": n.feature}))
                }
            },
        };
        self.drain();
        result
    }

    /// Publishes raw bytes on `topic` over MQTT at the world's time: every message the
    /// service published since the previous call, in order (also kept in `messages`).
    pub fn publish_bytes(&mut self, topic: &str, payload: &[u8]) -> Vec<Message> {
        self.messages.clear();
        self.svc.handle_publish(self.now, topic, payload);
        self.drain();
        self.messages.clone()
    }

    /// Publishes a JSON payload (a `Value` or a reference to one) on `topic`; see
    /// [`World::publish_bytes`].
    pub fn publish(&mut self, topic: &str, payload: impl Borrow<Value>) -> Vec<Message> {
        self.publish_bytes(topic, payload.borrow().to_string().as_bytes())
    }

    /// Calls `name` on its home service (`iot-jobs-data` for DescribeJobExecution).
    pub fn call(&mut self, name: &str, input: Value) -> Result<Value, Value> {
        let plane = Operation::default_plane(name).unwrap_or_else(|| panic!("no call {name}"));
        self.call_on(plane, name, input)
    }

    /// A call that must succeed.
    pub fn ok(&mut self, name: &str, input: Value) -> Value {
        self.call(name, input.clone())
            .unwrap_or_else(|e| panic!("{name} {input} refused: {e}"))
    }

    /// A call that must fail: its error code.
    pub fn err(&mut self, name: &str, input: Value) -> String {
        self.err_body(name, input)["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A call that must fail: its error body.
    pub fn err_body(&mut self, name: &str, input: Value) -> Value {
        match self.call(name, input.clone()) {
            Ok(v) => panic!("{name} {input} should fail, got {v}"),
            Err(e) => e,
        }
    }

    /// The data plane's DescribeJobExecution of `job` on `thing`, `extra` members merged.
    pub fn describe(&mut self, thing: &str, job: &str, extra: Value) -> Result<Value, Value> {
        let input = json!({"thingName": thing, "jobId": job});
        self.call("DescribeJobExecution", merged(input, extra))
    }

    /// The `execution` the data plane's DescribeJobExecution gives (must succeed).
    pub fn data_execution(&mut self, thing: &str, job: &str) -> Value {
        self.ok(
            "DescribeJobExecution",
            json!({"thingName": thing, "jobId": job}),
        )["execution"]
            .clone()
    }

    /// The control plane's DescribeJobExecution.
    pub fn control_describe(&mut self, thing: &str, job: &str) -> Value {
        self.call_on(
            Plane::Control,
            "DescribeJobExecution",
            json!({"thingName": thing, "jobId": job}),
        )
        .unwrap()["execution"]
            .clone()
    }

    /// DescribeJob's `job` (must succeed).
    pub fn describe_job(&mut self, job: &str) -> Value {
        self.ok("DescribeJob", json!({"jobId": job}))["job"].clone()
    }

    pub fn thing(&mut self, name: &str) -> &mut Self {
        self.ok("CreateThing", json!({"thingName": name}));
        self
    }

    pub fn group(&mut self, name: &str, members: &[&str]) -> &mut Self {
        self.ok("CreateThingGroup", json!({"thingGroupName": name}));
        for m in members {
            self.ok(
                "AddThingToThingGroup",
                json!({"thingGroupName": name, "thingName": m}),
            );
        }
        self
    }

    /// CreateJob on `targets` (thing names, or `group:NAME`), with `extra` members merged.
    pub fn job(&mut self, id: &str, targets: &[&str], extra: Value) -> &mut Self {
        let targets: Vec<String> = targets
            .iter()
            .map(|t| match t.strip_prefix("group:") {
                Some(g) => group_arn(g),
                None => thing_arn(t),
            })
            .collect();
        let input = json!({"jobId": id, "targets": targets, "document": "{\"op\":\"x\"}"});
        self.ok("CreateJob", merged(input, extra));
        self
    }

    /// UpdateJobExecution with `status` and `extra` members merged.
    pub fn update(
        &mut self,
        thing: &str,
        job: &str,
        status: &str,
        extra: Value,
    ) -> Result<Value, Value> {
        let input = json!({"thingName": thing, "jobId": job, "status": status});
        self.call("UpdateJobExecution", merged(input, extra))
    }

    /// The newest execution of `job` on `thing`.
    pub fn exec(&self, thing: &str, job: &str) -> ExecutionRecord {
        self.svc
            .executions()
            .into_iter()
            .filter(|e| e.thing_name == thing && e.job_id == job)
            .max_by_key(|e| e.execution_number)
            .unwrap_or_else(|| panic!("no execution of {job} on {thing}"))
    }

    /// Every execution of `job` on `thing`, oldest first.
    pub fn history(&self, thing: &str, job: &str) -> Vec<ExecutionRecord> {
        self.svc
            .executions()
            .into_iter()
            .filter(|e| e.thing_name == thing && e.job_id == job)
            .collect()
    }

    /// (executionNumber, status) of every execution of `job` on `thing`, oldest first.
    pub fn statuses(&self, thing: &str, job: &str) -> Vec<(i64, String)> {
        self.history(thing, job)
            .into_iter()
            .map(|e| (e.execution_number, e.status.as_str().to_owned()))
            .collect()
    }

    /// The topics published by the last call (or clock move), in order.
    pub fn topics(&self) -> Vec<String> {
        self.messages.iter().map(|m| m.topic.clone()).collect()
    }
}

/// Every terminal status.
pub const TERMINAL: [&str; 6] = [
    "SUCCEEDED",
    "FAILED",
    "TIMED_OUT",
    "REJECTED",
    "REMOVED",
    "CANCELED",
];

/// A world where execution 1 of job `j1` on thing `t1` ended in `status` (a terminal
/// one); SUCCEEDED and FAILED go through IN_PROGRESS (versionNumber 3).
pub fn ended(status: &str) -> World {
    let mut w = World::new();
    match status {
        "SUCCEEDED" | "FAILED" => {
            // Through IN_PROGRESS: versionNumber 3.
            w.thing("t1").job("j1", &["t1"], json!({}));
            w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
            w.update("t1", "j1", status, json!({})).unwrap();
        }
        "REJECTED" => {
            // Only from QUEUED (decision 5).
            w.thing("t1").job("j1", &["t1"], json!({}));
            w.update("t1", "j1", "REJECTED", json!({})).unwrap();
        }
        "TIMED_OUT" => {
            w.thing("t1").job(
                "j1",
                &["t1"],
                json!({"timeoutConfig": {"inProgressTimeoutInMinutes": 1}}),
            );
            w.update("t1", "j1", "IN_PROGRESS", json!({})).unwrap();
            w.at(60);
        }
        "CANCELED" => {
            w.thing("t1").job("j1", &["t1"], json!({}));
            w.ok(
                "CancelJobExecution",
                json!({"thingName": "t1", "jobId": "j1"}),
            );
        }
        "REMOVED" => {
            w.thing("t1").group("g", &["t1"]).job(
                "j1",
                &["group:g"],
                json!({"targetSelection": "CONTINUOUS"}),
            );
            w.ok(
                "RemoveThingFromThingGroup",
                json!({"thingGroupName": "g", "thingName": "t1"}),
            );
        }
        other => panic!("no recipe for {other}"),
    }
    assert_eq!(w.exec("t1", "j1").status.as_str(), status, "setup");
    w
}
