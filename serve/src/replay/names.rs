//! `--prefix P`: every thing, thing group and job a trace names is sent under the name
//! `P` + its name (in the members that name one, in ARNs and in MQTT topics), so a run on
//! a real account touches only resources of its own; the answers are mapped back
//! (`P` taken out) before they are written and checked.

use serde_json::Value;

/// The members whose value is the name of a thing, a group or a job.
const NAME_MEMBERS: &[&str] = &["thingName", "jobId", "thingGroupName", "parentGroupName"];

/// The ARN resource types whose name is rewritten.
const ARN_KINDS: &[&str] = &["thing/", "thinggroup/", "job/"];

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
                if key.is_some_and(|k| NAME_MEMBERS.contains(&k)) {
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
        if !text.starts_with("arn:aws:iot:") {
            return text.to_owned();
        }
        for kind in ARN_KINDS {
            if let Some(at) = text.find(&format!(":{kind}")) {
                let start = at + 1 + kind.len();
                return format!("{}{}", &text[..start], self.to_live(&text[start..]));
            }
        }
        text.to_owned()
    }

    /// A reserved topic with its thing and job rewritten:
    /// `$aws/things/THING/jobs/JOB/...`.
    pub fn topic(&self, topic: &str) -> String {
        let mut parts: Vec<String> = topic.split('/').map(str::to_owned).collect();
        if parts.len() >= 4 && parts[0] == "$aws" && parts[1] == "things" && parts[3] == "jobs" {
            parts[2] = self.to_live(&parts[2]);
            let is_job = parts.len() >= 6
                && !matches!(
                    parts[4].as_str(),
                    "notify" | "notify-next" | "get" | "start-next"
                );
            if is_job {
                parts[4] = self.to_live(&parts[4]);
            }
        }
        parts.join("/")
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
