//! What a measurement reports: calls per second over the measured window, and the latency
//! of one round trip at the 50th and 99th percentiles.

use std::time::Duration;

/// The figures of one cell of the table.
#[derive(Clone, Debug)]
pub struct Figures {
    /// Round trips completed in the measured window, all clients together.
    pub calls: usize,
    /// Round trips per second, all clients together.
    pub rate: f64,
    /// Median latency of one round trip.
    pub p50: Duration,
    /// 99th percentile latency of one round trip.
    pub p99: Duration,
}

impl Figures {
    /// Summarises every client's latencies, measured over `window`.
    pub fn from_samples(mut samples: Vec<Duration>, window: Duration) -> Option<Figures> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        Some(Figures {
            calls: samples.len(),
            rate: samples.len() as f64 / window.as_secs_f64(),
            p50: percentile(&samples, 50),
            p99: percentile(&samples, 99),
        })
    }
}

/// The nearest-rank percentile of sorted, non-empty samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// A latency as people read it: µs below 10 ms, ms above.
pub fn latency(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10_000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.1} ms", us / 1000.0)
    }
}

/// A rate with thousands separated by a thin space, as docs/performance.md writes them.
pub fn rate(r: f64) -> String {
    let whole = r.round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
