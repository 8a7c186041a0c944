//! Times inside a step's `input` (`schedulingConfig.startTime` and `endTime`, written
//! `YYYY-MM-DDThh:mm[:ss]` in UTC on the trace's own clock, which starts at the Unix epoch)
//! moved by the offset between the trace's clock and the endpoint's, so a scheduled job
//! starts as far after its CreateJob on the endpoint as in the trace. AWS reads these
//! times to the minute, so the offset has to be whole minutes to keep the distances exact:
//! without clock control the replayer sends such a step on the second that makes it so
//! ([`align`]); with a clock control it is the offset of the file's start, rounded up to a
//! minute when it is not one (`iot-jobs-serve --clock manual` starts at 0).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iot_jobs_spec::trace::Action;
use serde_json::Value;

/// Whether a step's input holds a time that [`shift`] moves.
pub fn dated(action: &Action) -> bool {
    match action {
        Action::Call { input, .. } => TIME_MEMBERS.iter().any(|m| {
            input["schedulingConfig"][m]
                .as_str()
                .and_then(read)
                .is_some()
        }),
        Action::Publish { .. } => false,
    }
}

/// Waits (at most a minute) for the first Unix second that is `at` modulo 60, and gives
/// it: a step at `at` sent then is a whole number of minutes from the trace's clock.
pub async fn align(at: u64) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let second = now.as_secs();
    let target = if second % 60 == at % 60 {
        second
    } else {
        second + (at % 60 + 60 - second % 60) % 60
    };
    let wait = Duration::from_secs(target).saturating_sub(now);
    tokio::time::sleep(wait).await;
    target
}

/// The members holding a time, under `schedulingConfig`.
const TIME_MEMBERS: &[&str] = &["startTime", "endTime"];

/// Moves every time of `input` by `by` seconds (rounded up to a minute). A time that does
/// not read as `YYYY-MM-DDThh:mm[:ss]` is left as it is, for the endpoint to judge.
pub fn shift(input: &mut Value, by: u64) {
    let by = by.div_ceil(60) * 60;
    if by == 0 {
        return;
    }
    let Some(config) = input
        .get_mut("schedulingConfig")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for member in TIME_MEMBERS {
        if let Some(Value::String(text)) = config.get_mut(*member) {
            if let Some((seconds, with_seconds)) = read(text) {
                *text = write(seconds + by, with_seconds);
            }
        }
    }
}

/// Seconds since the epoch, and whether the text had seconds.
fn read(text: &str) -> Option<(u64, bool)> {
    let (date, time) = text.split_once('T')?;
    let date: Vec<u64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let time: Vec<u64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let ([year, month, day], [hour, minute, rest @ ..]) = (date.as_slice(), time.as_slice()) else {
        return None;
    };
    let second = match rest {
        [] => 0,
        [s] => *s,
        _ => return None,
    };
    if !(1..=12).contains(month) || !(1..=31).contains(day) || *hour > 23 || *minute > 59 {
        return None;
    }
    let days = days_from_civil(*year, *month, *day)?;
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second,
        !rest.is_empty(),
    ))
}

fn write(seconds: u64, with_seconds: bool) -> String {
    let (year, month, day) = civil_from_days(seconds / 86_400);
    let s = seconds % 86_400;
    let text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}",
        s / 3600,
        s % 3600 / 60
    );
    if with_seconds {
        format!("{text}:{:02}", s % 60)
    } else {
        text
    }
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (from 1970 on).
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn align_gives_the_next_second_of_the_same_minute_residue() {
        let now = || {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        let at = 7 * 60 + (now() + 1) % 60;
        let aligned = align(at).await;
        assert_eq!(aligned % 60, at % 60);
        assert!(now() >= aligned && aligned <= now() + 1, "{aligned}");
        let with_time = Action::Call {
            plane: iot_jobs_spec::Plane::Control,
            name: "CreateJob".into(),
            input: json!({"schedulingConfig": {"startTime": "1970-01-01T00:30"}}),
        };
        assert!(dated(&with_time));
        let undated = Action::Call {
            plane: iot_jobs_spec::Plane::Control,
            name: "CreateJob".into(),
            input: json!({"schedulingConfig": {"startTime": "soon"}}),
        };
        assert!(!dated(&undated));
    }

    #[test]
    fn times_read_and_write_back() {
        assert_eq!(read("1970-01-01T00:30"), Some((1800, false)));
        assert_eq!(read("1970-01-01T01:00:05"), Some((3605, true)));
        // 2026-12-05 is day 20 792 of the epoch.
        assert_eq!(
            read("2026-12-05T12:00"),
            Some((20_792 * 86_400 + 43_200, false))
        );
        assert_eq!(write(20_792 * 86_400 + 43_200, false), "2026-12-05T12:00");
        assert_eq!(write(59 * 86_400, true), "1970-03-01T00:00:00");
        for bad in [
            "soon",
            "1970-13-01T00:00",
            "1970-01-01",
            "1970-01-01T24:00",
            "1969-12-31T00:00",
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    #[test]
    fn scheduling_times_move_by_whole_minutes() {
        let mut input = json!({"jobId": "j", "schedulingConfig":
            {"startTime": "1970-01-01T00:30", "endTime": "1970-01-01T01:00:00", "x": "1970-01-01T00:00"}});
        shift(&mut input, 61);
        assert_eq!(
            input["schedulingConfig"],
            json!({"startTime": "1970-01-01T00:32", "endTime": "1970-01-01T01:02:00", "x": "1970-01-01T00:00"})
        );
        let mut bad = json!({"schedulingConfig": {"startTime": "later"}});
        shift(&mut bad, 600);
        assert_eq!(bad["schedulingConfig"]["startTime"], "later");
        let mut none = json!({"schedulingConfig": {"startTime": "1970-01-01T00:30"}});
        shift(&mut none, 0);
        assert_eq!(none["schedulingConfig"]["startTime"], "1970-01-01T00:30");
    }
}
