//! The example traces of docs/examples/, built into the crate: `iot-jobs-spec check` with
//! no file checks these, and the tests replay them.

macro_rules! examples {
    ($($name:literal),* $(,)?) => {
        &[$((
            concat!("docs/examples/", $name, ".jsonl"),
            include_str!(concat!("../docs/examples/", $name, ".jsonl")),
        )),*]
    };
}

/// `(path, contents)` of every example trace, in name order.
pub const EXAMPLES: &[(&str, &str)] = examples![
    "abort-and-update-job",
    "associate-targets",
    "cancel-and-delete",
    "continuous-groups",
    "delete-and-list-jobs",
    "device-lifecycle",
    "mqtt-device-workflow",
    "mqtt-notify-next-listener",
    "mqtt-timeouts",
    "pending-order",
    "refusals",
    "retries",
    "rollout-rates",
    "scheduled-jobs",
    "timers",
];
