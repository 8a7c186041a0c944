//! `--prefix P`: every thing, thing group and job a trace names is sent under the name
//! `P` + its name (in the members that name one, in ARNs and in MQTT topics), so a run on
//! a real account touches only resources of its own; the answers are mapped back
//! (`P` taken out) before they are written and checked. [`Names::named`] lists the
//! resources a step names, as sent, for `--jobs` (see [`super::pool`]).

use iot_jobs_spec::trace::Action;
use serde_json::Value;

/// What a resource name names. AWS keeps the names of things, thing groups and jobs
/// apart: a thing and a job may share a name without touching each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A thing (`thingName`, `arn:...:thing/NAME`, the thing of a reserved topic).
    Thing,
    /// A thing group (`thingGroupName`, `parentGroupName`, `arn:...:thinggroup/NAME`).
    ThingGroup,
    /// A job (`jobId`, `arn:...:job/NAME`, the job of a reserved topic).
    Job,
}

/// The members whose value is the name of a thing, a group or a job.
const NAME_MEMBERS: &[(&str, Kind)] = &[
    ("thingName", Kind::Thing),
    ("jobId", Kind::Job),
    ("thingGroupName", Kind::ThingGroup),
    ("parentGroupName", Kind::ThingGroup),
];

/// The ARN resource types whose name is rewritten.
const ARN_KINDS: &[(&str, Kind)] = &[
    ("thing/", Kind::Thing),
    ("thinggroup/", Kind::ThingGroup),
    ("job/", Kind::Job),
];

/// The kind of resource a member's value names, if it names one.
fn member_kind(key: &str) -> Option<Kind> {
    NAME_MEMBERS
        .iter()
        .find(|(m, _)| *m == key)
        .map(|(_, k)| *k)
}

/// The resource an IoT ARN names: its kind and where its name starts.
fn arn_name(text: &str) -> Option<(Kind, usize)> {
    if !text.starts_with("arn:aws:iot:") {
        return None;
    }
    ARN_KINDS.iter().find_map(|(kind, k)| {
        text.find(&format!(":{kind}"))
            .map(|at| (*k, at + 1 + kind.len()))
    })
}

/// The thing and, for a job's own topics, the job of a reserved topic
/// (`$aws/things/THING/jobs/JOB/...`), as written.
fn topic_names(topic: &str) -> Option<(&str, Option<&str>)> {
    let parts: Vec<&str> = topic.split('/').collect();
    if parts.len() < 4 || parts[0] != "$aws" || parts[1] != "things" || parts[3] != "jobs" {
        return None;
    }
    let is_job =
        parts.len() >= 6 && !matches!(parts[4], "notify" | "notify-next" | "get" | "start-next");
    Some((parts[2], is_job.then_some(parts[4])))
}

/// The renaming of one run (the empty prefix renames nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    prefix: String,
}

impl Names {
    /// Names under `prefix`.
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// The name sent for `name`. `$next` (the data plane's "next pending job") and the
    /// empty name are not names of a resource and stay as they are.
    pub fn to_live(&self, name: &str) -> String {
        if self.prefix.is_empty() || name.is_empty() || name == "$next" {
            name.to_owned()
        } else {
            format!("{}{name}", self.prefix)
        }
    }

    /// A request's members with every name rewritten.
    pub fn input(&self, input: &Value) -> Value {
        let mut v = input.clone();
        if !self.prefix.is_empty() {
            self.rewrite(&mut v, None);
        }
        v
    }

    fn rewrite(&self, v: &mut Value, key: Option<&str>) {
        match v {
            Value::String(s) => {
                if key.and_then(member_kind).is_some() {
                    *s = self.to_live(s);
                } else {
                    *s = self.arn(s);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.rewrite(i, key)),
            Value::Object(m) => m.iter_mut().for_each(|(k, i)| self.rewrite(i, Some(k))),
            _ => {}
        }
    }

    /// An IoT ARN with its resource name rewritten; any other text as it is.
    fn arn(&self, text: &str) -> String {
        match arn_name(text) {
            Some((_, start)) => format!("{}{}", &text[..start], self.to_live(&text[start..])),
            None => text.to_owned(),
        }
    }

    /// A reserved topic with its thing and job rewritten:
    /// `$aws/things/THING/jobs/JOB/...`.
    pub fn topic(&self, topic: &str) -> String {
        let Some((thing, job)) = topic_names(topic) else {
            return topic.to_owned();
        };
        let mut parts: Vec<String> = topic.split('/').map(str::to_owned).collect();
        parts[2] = self.to_live(thing);
        if let Some(job) = job {
            parts[4] = self.to_live(job);
        }
        parts.join("/")
    }

    /// The things, thing groups and jobs a step names, under the names it sends: the
    /// members that name one (anywhere in the input), the IoT ARNs among its strings,
    /// the thing and job of its topic. `$next` and the empty name name no resource.
    pub fn named(&self, action: &Action) -> Vec<(Kind, String)> {
        let mut found = Vec::new();
        match action {
            Action::Call { input, .. } => named_in(input, None, &mut found),
            Action::Publish { topic, .. } => {
                if let Some((thing, job)) = topic_names(topic) {
                    found.push((Kind::Thing, thing.to_owned()));
                    found.extend(job.map(|j| (Kind::Job, j.to_owned())));
                }
            }
        }
        found.retain(|(_, n)| !n.is_empty() && n != "$next");
        for (_, name) in &mut found {
            *name = self.to_live(name);
        }
        found
    }

    /// An answer (or a topic) as the trace names things: the prefix taken out of every
    /// string.
    pub fn back(&self, v: &mut Value) {
        if self.prefix.is_empty() {
            return;
        }
        match v {
            Value::String(s) => *s = self.back_text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.back(i)),
            Value::Object(m) => m.values_mut().for_each(|i| self.back(i)),
            _ => {}
        }
    }

    /// A text with the prefix taken out wherever it starts a name.
    pub fn back_text(&self, text: &str) -> String {
        if self.prefix.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.prefix, "")
        }
    }
}

/// The names of [`Names::named`] in a request's members (`key` is the member `v` is
/// the value of).
fn named_in(v: &Value, key: Option<&str>, found: &mut Vec<(Kind, String)>) {
    match v {
        Value::String(s) => match (key.and_then(member_kind), arn_name(s)) {
            (Some(kind), _) => found.push((kind, s.clone())),
            (None, Some((kind, start))) => found.push((kind, s[start..].to_owned())),
            (None, None) => {}
        },
        Value::Array(items) => items.iter().for_each(|i| named_in(i, key, found)),
        Value::Object(m) => m.iter().for_each(|(k, i)| named_in(i, Some(k), found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_arns_and_topics_are_prefixed_and_mapped_back() {
        let names = Names::new("run7-");
        let input = json!({
            "jobId": "j1",
            "targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1",
                        "arn:aws:iot:us-east-1:123456789012:thinggroup/g1"],
            "document": "{\"thingName\": \"t1\"}",
            "statusDetails": {"step": "t1"},
        });
        let live = names.input(&input);
        assert_eq!(
            live,
            json!({
                "jobId": "run7-j1",
                "targets": ["arn:aws:iot:us-east-1:123456789012:thing/run7-t1",
                            "arn:aws:iot:us-east-1:123456789012:thinggroup/run7-g1"],
                "document": "{\"thingName\": \"t1\"}",
                "statusDetails": {"step": "t1"},
            })
        );
        assert_eq!(
            names.input(&json!({"thingName": "t1", "jobId": "$next"})),
            json!({"thingName": "run7-t1", "jobId": "$next"})
        );
        assert_eq!(
            names.topic("$aws/things/t1/jobs/j1/update"),
            "$aws/things/run7-t1/jobs/run7-j1/update"
        );
        assert_eq!(
            names.topic("$aws/things/t1/jobs/$next/get"),
            "$aws/things/run7-t1/jobs/$next/get"
        );
        assert_eq!(
            names.topic("$aws/things/t1/jobs/get"),
            "$aws/things/run7-t1/jobs/get"
        );
        assert_eq!(
            names.topic("$aws/things/t1/jobs/notify-next"),
            "$aws/things/run7-t1/jobs/notify-next"
        );
        let mut answer = json!({"jobArn": "arn:aws:iot:us-east-1:1:job/run7-j1", "n": 1});
        names.back(&mut answer);
        assert_eq!(
            answer,
            json!({"jobArn": "arn:aws:iot:us-east-1:1:job/j1", "n": 1})
        );
    }

    #[test]
    fn no_prefix_renames_nothing() {
        let names = Names::default();
        let input = json!({"thingName": "t1"});
        assert_eq!(names.input(&input), input);
        assert_eq!(
            names.topic("$aws/things/t1/jobs/get"),
            "$aws/things/t1/jobs/get"
        );
    }
}
