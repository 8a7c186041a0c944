//! A checker that may allow what a real service does differently without being wrong.

use std::convert::Infallible;

use super::{Replay, Step, StepText, Verdict};
use crate::config::Config;

/// What a checker tolerates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tolerance {
    /// A timer may fire up to this many seconds after its deadline (AWS documents up to
    /// 60). The checker keeps one candidate specification per lateness 0..=N, each firing
    /// every timer exactly that late, and a step agrees when some candidate that agreed
    /// with every earlier step agrees with it. A service whose lateness varies from timer
    /// to timer is not covered.
    pub timer_slack: u64,
}

impl Tolerance {
    /// The options in words, for a report.
    pub fn describe(&self) -> String {
        format!(
            "timers fire {}; events are compared as a multiset (their order within a step \
             is never compared)",
            if self.timer_slack == 0 {
                "exactly at their deadline".to_owned()
            } else {
                format!("up to {} s after their deadline", self.timer_slack)
            }
        )
    }
}

/// Checks steps against the candidates a [`Tolerance`] allows.
#[derive(Clone, Debug)]
pub struct Checker {
    candidates: Vec<(u64, Replay)>,
}

impl Checker {
    /// A checker for specifications with `config`, allowing `tolerance`.
    pub fn new(config: &Config, tolerance: &Tolerance) -> Self {
        let candidates = (0..=tolerance.timer_slack)
            .map(|late| {
                let c = Config {
                    timer_lateness: config.timer_lateness.saturating_add(late),
                    ..config.clone()
                };
                (late, Replay::new(c))
            })
            .collect();
        Self { candidates }
    }

    /// Parses the next line (see [`Step::parse`]).
    pub fn parse(&self, line: &str) -> Result<Option<Step>, String> {
        self.candidates[0].1.parse(line)
    }

    /// Reads the next line for [`Checker::check_text`] (see [`StepText::parse`]).
    pub fn read<'a>(&self, line: &'a str) -> Result<Option<StepText<'a>>, String> {
        StepText::parse(line, self.candidates[0].1.at())
    }

    /// The timer latenesses still consistent with every step so far.
    pub fn lateness(&self) -> Vec<u64> {
        self.candidates.iter().map(|(l, _)| *l).collect()
    }

    /// Checks `step` on every candidate and keeps those that agree. The verdict of the
    /// first surviving candidate, or of the first candidate when none survives.
    pub fn check(&mut self, step: &Step) -> Verdict {
        let Ok(verdict) = self.check_each(|r| Ok::<_, Infallible>(r.check(step)));
        verdict
    }

    /// [`Checker::check`] for a step read by [`Checker::read`], its expectations compared
    /// as text first (see [`Replay::check_text`]): what `iot-jobs-spec check` runs. `Err`
    /// when an expectation turns out malformed.
    pub fn check_text(&mut self, step: &StepText<'_>) -> Result<Verdict, String> {
        self.check_each(|r| r.check_text(step))
    }

    fn check_each<E>(
        &mut self,
        mut check: impl FnMut(&mut Replay) -> Result<Verdict, E>,
    ) -> Result<Verdict, E> {
        let mut verdicts = Vec::with_capacity(self.candidates.len());
        for (_, r) in &mut self.candidates {
            verdicts.push(check(r)?);
        }
        let first = verdicts[0].clone();
        let keep: Vec<bool> = verdicts
            .iter()
            .map(|v| !matches!(v, Verdict::Diverges(_)))
            .collect();
        if !keep.iter().any(|&k| k) {
            return Ok(first);
        }
        let mut i = 0;
        self.candidates.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        let survivor = verdicts.into_iter().zip(keep).find(|(_, k)| *k);
        Ok(survivor.map_or(first, |(v, _)| v))
    }
}
