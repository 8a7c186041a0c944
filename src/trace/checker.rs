//! A checker that may allow what a real service does differently without being wrong.

use super::{Judge, Replay, Step, StepText, Verdict};
use crate::config::Config;

/// What a checker tolerates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tolerance {
    /// A timer may fire up to this many seconds after its deadline (AWS documents up to
    /// 60). A step agrees when some lateness in `0..=timer_slack`, the same for every
    /// timer, agreed with every earlier step and agrees with it. A service whose lateness
    /// varies from timer to timer is not covered.
    pub timer_slack: u64,
    /// A timestamp the trace expects may be up to this many seconds after the one the
    /// specification gives (a live service stamps with its own clock, a little after the
    /// step's `at`); never before it. See [`super::judge::TIMESTAMPS`].
    pub time_tolerance: u64,
}

impl Tolerance {
    /// The options in words, for a report.
    pub fn describe(&self) -> String {
        let timers = if self.timer_slack == 0 {
            "exactly at their deadline".to_owned()
        } else {
            format!("up to {} s after their deadline", self.timer_slack)
        };
        let stamps = if self.time_tolerance == 0 {
            "timestamps exactly".to_owned()
        } else {
            format!("timestamps up to {} s late", self.time_tolerance)
        };
        format!(
            "timers fire {timers}; {stamps}; events are compared as a multiset (their order \
             within a step is never compared)"
        )
    }
}

/// The latenesses `lo..=hi` and one specification that stands for all of them.
///
/// While no timer has fired, a lateness changes nothing, so one specification stands for
/// a whole range. When the next step's time reaches a timer for some of them, those each
/// fire it at a different moment and become candidates of their own (one lateness each);
/// the rest, for which nothing fires yet, stay one range. So the work grows with the
/// timers that fire within the slack and the time between steps, not with the slack times
/// the trace.
#[derive(Clone, Debug)]
struct Candidate {
    lo: u64,
    hi: u64,
    replay: Replay,
}

/// Checks steps against the candidates a [`Tolerance`] allows.
#[derive(Clone, Debug)]
pub struct Checker {
    base: u64,
    /// In order of lateness, disjoint.
    candidates: Vec<Candidate>,
}

impl Checker {
    /// A checker for specifications with `config`, allowing `tolerance`.
    pub fn new(config: &Config, tolerance: &Tolerance) -> Self {
        let replay = Replay::with_judge(config.clone(), Judge::new(tolerance.time_tolerance));
        Self {
            base: config.timer_lateness,
            candidates: vec![Candidate {
                lo: 0,
                hi: tolerance.timer_slack,
                replay,
            }],
        }
    }

    /// Parses the next line (see [`Step::parse`]).
    pub fn parse(&self, line: &str) -> Result<Option<Step>, String> {
        self.candidates[0].replay.parse(line)
    }

    /// Reads the next line for [`Checker::check_text`] (see [`StepText::parse`]).
    pub fn read<'a>(&self, line: &'a str) -> Result<Option<StepText<'a>>, String> {
        StepText::parse(line, self.candidates[0].replay.at())
    }

    /// The timer latenesses still consistent with every step so far.
    pub fn lateness(&self) -> Vec<u64> {
        self.candidates.iter().flat_map(|c| c.lo..=c.hi).collect()
    }

    /// How many specifications the checker runs now: one per timer lateness that has
    /// made a difference, one for each range of latenesses that has not yet.
    pub fn specifications(&self) -> usize {
        self.candidates.len()
    }

    /// Checks `step` on every candidate and keeps those that agree. The verdict of the
    /// first surviving candidate, or of the first candidate when none survives.
    pub fn check(&mut self, step: &Step) -> Verdict {
        self.split(step.at);
        let verdicts = self
            .candidates
            .iter_mut()
            .map(|c| c.replay.check(step))
            .collect();
        self.keep(verdicts)
    }

    /// [`Checker::check`] for a step read by [`Checker::read`], its expectations compared
    /// as text first (see [`Replay::check_text`]): what `iot-jobs-spec check` runs. `Err`
    /// when an expectation turns out malformed.
    pub fn check_text(&mut self, step: &StepText<'_>) -> Result<Verdict, String> {
        self.split(step.at());
        let verdicts = self
            .candidates
            .iter_mut()
            .map(|c| c.replay.check_text(step))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.keep(verdicts))
    }

    /// Splits every range whose next timer fires by `at` for some of its latenesses.
    fn split(&mut self, at: u64) {
        let mut i = 0;
        while i < self.candidates.len() {
            let c = &mut self.candidates[i];
            let due = c.replay.service().poll_timeout().filter(|&t| t <= at);
            let (lo, hi) = (c.lo, c.hi);
            let Some(due) = due.filter(|_| lo < hi) else {
                i += 1;
                continue;
            };
            // Latenesses lo..=last fire the earliest timer by `at`; later ones fire none.
            let last = lo.saturating_add(at - due).min(hi);
            let mut parts = Vec::new();
            for late in lo..=last {
                let mut replay = c.replay.clone();
                replay
                    .service_mut()
                    .set_timer_lateness(self.base.saturating_add(late));
                parts.push(Candidate {
                    lo: late,
                    hi: late,
                    replay,
                });
            }
            if last < hi {
                let rest = &mut self.candidates[i];
                rest.lo = last + 1;
                rest.replay
                    .service_mut()
                    .set_timer_lateness(self.base.saturating_add(last + 1));
            } else {
                self.candidates.remove(i);
            }
            let n = parts.len();
            self.candidates.splice(i..i, parts);
            i += n + usize::from(last < hi);
        }
    }

    fn keep(&mut self, verdicts: Vec<Verdict>) -> Verdict {
        let agrees = |v: &Verdict| !matches!(v, Verdict::Diverges(_));
        let Some(survivor) = verdicts.iter().position(agrees) else {
            return verdicts.into_iter().next().unwrap_or(Verdict::Setup);
        };
        let mut keep = verdicts.iter().map(agrees);
        self.candidates.retain(|_| keep.next().unwrap_or(false));
        verdicts.into_iter().nth(survivor).unwrap_or(Verdict::Setup)
    }
}
