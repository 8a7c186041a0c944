//! The example traces of docs/examples/, built into the crate: `iot-jobs-spec check` with
//! no file checks these, and the tests replay them.

/// `(path, contents)` of every example trace, in name order.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "docs/examples/cancel-and-delete.jsonl",
        include_str!("../docs/examples/cancel-and-delete.jsonl"),
    ),
    (
        "docs/examples/continuous-groups.jsonl",
        include_str!("../docs/examples/continuous-groups.jsonl"),
    ),
    (
        "docs/examples/device-lifecycle.jsonl",
        include_str!("../docs/examples/device-lifecycle.jsonl"),
    ),
    (
        "docs/examples/pending-order.jsonl",
        include_str!("../docs/examples/pending-order.jsonl"),
    ),
    (
        "docs/examples/refusals.jsonl",
        include_str!("../docs/examples/refusals.jsonl"),
    ),
    (
        "docs/examples/retries.jsonl",
        include_str!("../docs/examples/retries.jsonl"),
    ),
    (
        "docs/examples/timers.jsonl",
        include_str!("../docs/examples/timers.jsonl"),
    ),
];
