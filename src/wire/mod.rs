//! Requests and responses exactly as AWS's service models declare them: the same member
//! names, the same types, and `null` or a missing member meaning "absent".
//!
//! [`data`] holds `iot-jobs-data` (the device plane), [`control`] holds `iot`. Path and
//! query members (`thingName`, `force`, ...) are plain members, as in a trace's `input`.

pub mod control;
pub mod data;

use std::collections::BTreeMap;

/// `statusDetails`: names to values, kept in key order so output is deterministic.
pub type DetailsMap = BTreeMap<String, String>;
