//! How strongly each rule is backed: the grades of `decisions.md`.
//!
//! Every row of the transition table ([`crate::rules`]) and every decision in
//! [`crate::decisions`] carries one or more of these grades, so a reader can tell a rule
//! AWS wrote down from one this crate had to choose.

use serde::Serialize;
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

/// The evidence behind a rule, strongest first.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum Evidence {
    /// Stated in AWS documentation (Developer Guide or API reference).
    Doc,
    /// Declared by AWS's machine-readable service model.
    Model,
    /// Seen in a dated capture against the live service.
    Measured,
    /// Relied on by AWS-authored code or samples, but never stated.
    Inferred,
    /// No evidence either way: chosen for consistency. Changeable in one place.
    Choice,
}

impl Evidence {
    /// A rule graded this way is a choice the crate made, and must be changeable in one
    /// place (a row of the table, a constant in [`crate::config`], or a switch).
    pub fn is_choice(self) -> bool {
        matches!(self, Evidence::Inferred | Evidence::Choice)
    }
}
