//! The rationale, rendered in rustdoc: the project's docs, included from `docs/` so the two
//! cannot differ. Nothing here is code.

#[doc = include_str!("../docs/decisions.md")]
pub mod decisions {}

#[doc = include_str!("../docs/rules.md")]
pub mod rules {}

#[doc = include_str!("../docs/trace-format.md")]
pub mod trace_format {}

#[doc = include_str!("../docs/conformance.md")]
pub mod conformance {}

#[doc = include_str!("../docs/testing.md")]
pub mod testing {}
