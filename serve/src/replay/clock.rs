//! How a replay keeps the implementation's clock in step with the trace's `at`.
//!
//! - [`Pacing::Control`]: the implementation has a clock the replayer can set. Before each
//!   file it is reset ([`ClockControl::reset`] gives the time the file starts at), and
//!   before each step it is set to that time plus the step's `at`
//!   ([`ClockControl::set`]), so timers fire exactly where the trace says.
//! - [`Pacing::Wait`]: each step is sent when its `at` comes, in real seconds from the
//!   file's first step; the implementation's own clock runs meanwhile.
//! - [`Pacing::Off`]: steps are sent one after the other, and each is judged at the real
//!   time it was sent. A step whose `at` is past the previous step's while a timer of the
//!   trace falls due on the way would need that timer to fire first: it and the rest of the
//!   file are reported "not checked: needs clock control", never as agreeing.
//!
//! To add another clock control (say an emulator's own admin API), implement
//! [`ClockControl`] for it, give it a name in [`crate::replay::ClockKind`], and build it in
//! `Args::pacing` (serve/src/replay/mod.rs).

use async_trait::async_trait;
use serde_json::json;

use super::wire::Http;

/// A clock the replayer can set.
#[async_trait]
pub trait ClockControl: Send {
    /// Forgets every resource and brings the clock back to its start; gives the time
    /// the next file starts at (the time of `at` 0).
    async fn reset(&mut self) -> Result<u64, String>;
    /// Moves the clock to `now` (never back), firing every timer due by then.
    async fn set(&mut self, now: u64) -> Result<(), String>;
}

/// The admin API of `iot-jobs-serve --clock manual` (docs/serve.md): `POST /_spec/reset`,
/// `GET /_spec/clock`, `POST /_spec/clock {"set": N}`.
pub struct SpecAdmin {
    http: Http,
}

impl SpecAdmin {
    /// The admin API at the replay's endpoint.
    pub fn new(http: Http) -> Self {
        Self { http }
    }
}

#[async_trait]
impl ClockControl for SpecAdmin {
    async fn reset(&mut self) -> Result<u64, String> {
        self.http.admin("POST", "/_spec/reset", None).await?;
        let clock = self.http.admin("GET", "/_spec/clock", None).await?;
        if clock["clock"] != "manual" {
            return Err(format!(
                "--clock-control spec needs the server started with --clock manual; its clock \
                 is {}",
                clock["clock"]
            ));
        }
        clock["now"]
            .as_u64()
            .ok_or_else(|| format!("GET /_spec/clock gave no time: {clock}"))
    }

    async fn set(&mut self, now: u64) -> Result<(), String> {
        self.http
            .admin("POST", "/_spec/clock", Some(json!({ "set": now })))
            .await
            .map(drop)
    }
}

/// How steps are paced.
pub enum Pacing {
    /// Through the implementation's clock control.
    Control(Box<dyn ClockControl>),
    /// In real time.
    Wait,
    /// Not at all: a step after a jump of `at` past a timer's deadline is not checked.
    Off,
}
