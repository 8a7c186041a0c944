//! Validators for the members AWS constrains: names, ids, statusDetails, timers, retry
//! configurations, ARNs. Each returns the InvalidRequestException AWS would give, with a
//! message in AWS's validation style that names the member and the constraint.
//!
//! Lengths count Unicode code points; a pattern must match the whole value (details,
//! decoding; CHOICE).
//!
//! ```
//! use iot_jobs_spec::validate;
//! assert!(validate::thing_name("thingName", "sensor-1").is_ok());
//! assert!(validate::thing_name("thingName", "no spaces").is_err());
//! assert!(validate::job_id("jobId", "$next").is_err());
//! ```

use crate::config::{
    CANCEL_STEP_TIMER, DETAILS_VALUE_MAX_CHARS, DOCUMENT_MAX_CHARS, MAX_RESULTS_LIMIT,
    MAX_RETRIES_PER_CRITERION, MAX_TIMEOUT_MINUTES, MAX_TOTAL_RETRIES,
};
use crate::error::ServiceError;
use crate::status::RetryableFailureType;
use crate::wire::control::JobExecutionsRetryConfig;
use crate::wire::DetailsMap;

type Result<T = ()> = std::result::Result<T, ServiceError>;

fn fail(member: &str, value: &str, constraint: &str) -> ServiceError {
    let shown: String = value.chars().take(80).collect();
    let more = if value.chars().count() > 80 {
        "..."
    } else {
        ""
    };
    ServiceError::invalid_request(format!(
        "1 validation error detected: Value '{shown}{more}' at '{member}' failed to satisfy \
         constraint: {constraint}"
    ))
}

fn length(member: &str, value: &str, min: usize, max: Option<usize>) -> Result {
    let n = value.chars().count();
    if n < min {
        return Err(fail(
            member,
            value,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if let Some(max) = max {
        if n > max {
            return Err(fail(
                member,
                value,
                &format!("Member must have length less than or equal to {max}"),
            ));
        }
    }
    Ok(())
}

fn pattern(member: &str, value: &str, ok: impl Fn(char) -> bool, shown: &str) -> Result {
    if value.is_empty() || !value.chars().all(ok) {
        return Err(fail(
            member,
            value,
            &format!("Member must satisfy regular expression pattern: {shown}"),
        ));
    }
    Ok(())
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-')
}

fn job_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// Whether `c` is in Unicode general category C (`\p{C}` of the models' patterns):
/// control, format, surrogate, private use or unassigned.
pub fn is_other(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    matches!(
        get_general_category(c),
        G::Control | G::Format | G::Surrogate | G::PrivateUse | G::Unassigned
    )
}

/// `ThingName`: 1..128 characters of `[a-zA-Z0-9:_-]` (MODEL).
pub fn thing_name(member: &str, value: &str) -> Result {
    length(member, value, 1, Some(128))?;
    pattern(member, value, name_char, "[a-zA-Z0-9:_-]+")
}

/// `ThingGroupName`: the same rule as a thing name (MODEL).
pub fn thing_group_name(member: &str, value: &str) -> Result {
    thing_name(member, value)
}

/// `ThingGroupId`: 1..128 characters of `[a-zA-Z0-9-]` (MODEL).
pub fn thing_group_id(member: &str, value: &str) -> Result {
    length(member, value, 1, Some(128))?;
    pattern(
        member,
        value,
        |c| c.is_ascii_alphanumeric() || c == '-',
        "[a-zA-Z0-9\\-]+",
    )
}

/// `JobId`: 1..64 characters of `[a-zA-Z0-9_-]` (MODEL). `$next` fails the pattern.
pub fn job_id(member: &str, value: &str) -> Result {
    length(member, value, 1, Some(64))?;
    pattern(member, value, job_id_char, "[a-zA-Z0-9_-]+")
}

/// `DescribeJobExecutionJobId`: a job id or the literal `$next` (MODEL; the model sets no
/// length bounds here).
pub fn describe_job_id(member: &str, value: &str) -> Result {
    if value == "$next" {
        return Ok(());
    }
    pattern(member, value, job_id_char, "[a-zA-Z0-9_-]+|^\\$next")
}

/// `statusDetails` (decision 11): keys 1..128 of `[a-zA-Z0-9:_-]`, values 1..1024
/// characters outside category C; at most `max_entries` entries when given.
pub fn status_details(member: &str, map: &DetailsMap, max_entries: Option<usize>) -> Result {
    if let Some(max) = max_entries {
        if map.len() > max {
            return Err(ServiceError::invalid_request(format!(
                "1 validation error detected: Value at '{member}' failed to satisfy \
                 constraint: Member must have at most {max} entries, got {}",
                map.len()
            )));
        }
    }
    for (key, value) in map {
        let key_member = format!("{member}.key");
        length(&key_member, key, 1, Some(128))?;
        pattern(&key_member, key, name_char, "[a-zA-Z0-9:_-]+")?;
        let value_member = format!("{member}.{key}");
        length(&value_member, value, 1, Some(DETAILS_VALUE_MAX_CHARS))?;
        pattern(&value_member, value, |c| !is_other(c), "[^\\p{C}]+")?;
    }
    Ok(())
}

/// `stepTimeoutInMinutes` (decision 16): 1..10080, or -1 where `allow_cancel` (only
/// UpdateJobExecution).
pub fn step_timeout(member: &str, minutes: i64, allow_cancel: bool) -> Result {
    if (1..=MAX_TIMEOUT_MINUTES).contains(&minutes)
        || (allow_cancel && minutes == CANCEL_STEP_TIMER)
    {
        return Ok(());
    }
    let allowed = if allow_cancel {
        "1 to 10080, or -1 to cancel the step timer"
    } else {
        "1 to 10080"
    };
    Err(ServiceError::invalid_request(format!(
        "{member} must be {allowed}; got {minutes}"
    )))
}

/// `timeoutConfig.inProgressTimeoutInMinutes` (decision 15): 1..10080.
pub fn in_progress_timeout(minutes: i64) -> Result {
    if (1..=MAX_TIMEOUT_MINUTES).contains(&minutes) {
        return Ok(());
    }
    Err(ServiceError::invalid_request(format!(
        "timeoutConfig.inProgressTimeoutInMinutes must be 1 to 10080; got {minutes}"
    )))
}

/// `jobExecutionsRetryConfig` (decision 18): 1..2 criteria of distinct failure types,
/// 0..10 retries each, 10 at most in all.
pub fn retry_config(config: &JobExecutionsRetryConfig) -> Result {
    let list = &config.criteria_list;
    if list.is_empty() || list.len() > 2 {
        return Err(ServiceError::invalid_request(format!(
            "jobExecutionsRetryConfig.criteriaList must hold 1 or 2 criteria; got {}",
            list.len()
        )));
    }
    let mut total = 0;
    let mut seen: Vec<RetryableFailureType> = Vec::new();
    for c in list {
        if !(0..=MAX_RETRIES_PER_CRITERION).contains(&c.number_of_retries) {
            return Err(ServiceError::invalid_request(format!(
                "jobExecutionsRetryConfig: numberOfRetries must be 0 to 10; got {}",
                c.number_of_retries
            )));
        }
        if seen.contains(&c.failure_type) {
            return Err(ServiceError::invalid_request(format!(
                "jobExecutionsRetryConfig: failureType {} appears twice",
                c.failure_type
            )));
        }
        seen.push(c.failure_type);
        total += c.number_of_retries;
    }
    if total > MAX_TOTAL_RETRIES {
        return Err(ServiceError::invalid_request(format!(
            "jobExecutionsRetryConfig: the criteria grant {total} retries in all; at most \
             {MAX_TOTAL_RETRIES} are allowed"
        )));
    }
    Ok(())
}

/// CreateJob's `document` (decision 1b): a JSON document of at most 32768 characters.
pub fn document(value: &str) -> Result {
    parse_document(value).map(drop)
}

/// [`document`], giving the document parsed (what MQTT carries, decision 1b).
pub fn parse_document(value: &str) -> std::result::Result<serde_json::Value, ServiceError> {
    length("document", value, 0, Some(DOCUMENT_MAX_CHARS))?;
    serde_json::from_str(value).map_err(|e| {
        ServiceError::invalid_request(format!("document is not a valid JSON document: {e}"))
    })
}

/// Free text with no category-C characters and at most `max` characters (`description`,
/// `comment`).
pub fn free_text(member: &str, value: &str, max: usize) -> Result {
    length(member, value, 1, Some(max))?;
    pattern(member, value, |c| !is_other(c), "[^\\p{C}]+")
}

/// CancelJob's `reasonCode`: at most 128 of `[\p{Upper}\p{Digit}_]`.
pub fn reason_code(value: &str) -> Result {
    length("reasonCode", value, 1, Some(128))?;
    pattern(
        "reasonCode",
        value,
        |c| {
            use unicode_general_category::{get_general_category, GeneralCategory as G};
            c == '_'
                || matches!(
                    get_general_category(c),
                    G::UppercaseLetter | G::DecimalNumber
                )
        },
        "[\\p{Upper}\\p{Digit}_]+",
    )
}

/// `maxResults` of the List calls: 1..250 (MODEL).
pub fn max_results(value: i32) -> Result {
    if (1..=MAX_RESULTS_LIMIT).contains(&value) {
        return Ok(());
    }
    Err(ServiceError::invalid_request(format!(
        "maxResults must be 1 to {MAX_RESULTS_LIMIT}; got {value}"
    )))
}

/// `nextToken` (details, lists; CHOICE): the decimal offset of the next item.
pub fn next_token(value: &str) -> Result<usize> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = value.parse() {
            return Ok(n);
        }
    }
    Err(ServiceError::invalid_request(format!(
        "nextToken '{value}' is not a token this service gave"
    )))
}

/// What a target ARN names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `arn:aws:iot:REGION:ACCOUNT:thing/NAME`.
    Thing(String),
    /// `arn:aws:iot:REGION:ACCOUNT:thinggroup/NAME`.
    ThingGroup(String),
}

pub(crate) fn is_region(s: &str) -> bool {
    // like us-east-1, eu-central-2, us-gov-west-1: letters-(letters-)*digits
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[0].len() == 2
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// A thing or thing-group ARN (details, identity; CHOICE for "well formed"): region like
/// `us-east-1`, a 12-digit account, and a name that passes the thing-name rule.
///
/// ```
/// use iot_jobs_spec::validate::{target_arn, Target};
/// assert_eq!(
///     target_arn("targets", "arn:aws:iot:us-east-1:123456789012:thinggroup/g1").unwrap(),
///     Target::ThingGroup("g1".into())
/// );
/// assert!(target_arn("targets", "arn:aws:iot:us-east-1:1234:thing/t1").is_err());
/// ```
pub fn target_arn(member: &str, arn: &str) -> Result<Target> {
    let bad = || {
        ServiceError::invalid_request(format!(
            "{member}: '{arn}' is not a thing or thing-group ARN \
             (arn:aws:iot:REGION:ACCOUNT:thing/NAME or .../thinggroup/NAME)"
        ))
    };
    if arn.chars().count() > 2048 {
        return Err(bad());
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "iot" {
        return Err(bad());
    }
    if !is_region(parts[3]) || parts[4].len() != 12 || !parts[4].bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let (kind, name) = parts[5].split_once('/').ok_or_else(bad)?;
    thing_name(member, name).map_err(|_| bad())?;
    match kind {
        "thing" => Ok(Target::Thing(name.to_owned())),
        "thinggroup" => Ok(Target::ThingGroup(name.to_owned())),
        _ => Err(bad()),
    }
}

/// `abortConfig` (decision 29): at least one criterion; each `minNumberOfExecutedThings`
/// at least 1 (MODEL) and `thresholdPercentage` above 0 (CHOICE) and at most 100 (MODEL)
/// (two decimals at most, checked while decoding); no two criteria of one failure type
/// (CHOICE).
///
/// ```
/// use iot_jobs_spec::validate::abort_config;
/// let config = |v| serde_json::from_value(v).unwrap();
/// let ok = serde_json::json!({"criteriaList": [{"failureType": "FAILED", "action": "CANCEL",
///     "thresholdPercentage": 12.5, "minNumberOfExecutedThings": 1}]});
/// assert!(abort_config(&config(ok)).is_ok());
/// ```
pub fn abort_config(config: &crate::wire::control::AbortConfig) -> Result {
    let list = &config.criteria_list;
    if list.is_empty() {
        return Err(ServiceError::invalid_request(
            "abortConfig.criteriaList must hold at least one criterion",
        ));
    }
    for (i, c) in list.iter().enumerate() {
        let at = format!("abortConfig.criteriaList[{i}]");
        if c.min_number_of_executed_things < 1 {
            return Err(ServiceError::invalid_request(format!(
                "{at}.minNumberOfExecutedThings must be at least 1; got {}",
                c.min_number_of_executed_things
            )));
        }
        let p = c.threshold_percentage;
        if p.0 == 0 || p.0 > 100 * 100 {
            return Err(ServiceError::invalid_request(format!(
                "{at}.thresholdPercentage must be above 0 and at most 100; got {p}"
            )));
        }
        if list[..i].iter().any(|d| d.failure_type == c.failure_type) {
            return Err(ServiceError::invalid_request(format!(
                "{at}.failureType: {} appears in more than one criterion",
                c.failure_type
            )));
        }
    }
    Ok(())
}

/// A schedule time (decision 31): `YYYY-MM-DDThh:mm`, a real UTC date and time, as Unix
/// seconds on the logical clock. Anything else is InvalidRequestException with AWS's
/// message (MEASURED).
///
/// ```
/// use iot_jobs_spec::validate::schedule_time;
/// assert_eq!(schedule_time("1970-01-01T00:30").unwrap(), 1800);
/// assert_eq!(schedule_time("2000-02-29T12:00").unwrap(), 951_825_600);
/// assert!(schedule_time("2001-02-29T12:00").is_err());
/// assert!(schedule_time("2024-10-20T17:00Z").is_err());
/// ```
pub fn schedule_time(value: &str) -> Result<u64> {
    let bad = || {
        ServiceError::invalid_request(format!(
            "1 validation error detected: Provided time {value} UTC must follow the format \
             YYYY-MM-DDThh:mm."
        ))
    };
    let b = value.as_bytes();
    let shape = b.len() == 16
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 => c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> u64 {
        b[r].iter().fold(0, |n, &c| n * 10 + u64::from(c - b'0'))
    };
    let (year, month, day, hour, minute) =
        (num(0..4), num(5..7), num(8..10), num(11..13), num(14..16));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1970 || day == 0 || day > days_in_month || hour > 23 || minute > 59 {
        return Err(bad());
    }
    // Days from 1970-01-01 to the date (proleptic Gregorian, whole numbers only).
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + hour * 3_600 + minute * 60)
}

/// `schedulingConfig` (decision 31) at `now`: the times' format and bounds. Returns
/// (startTime, endTime) in Unix seconds. `maintenanceWindows` is decision 33's, checked
/// by the caller as not modelled.
pub fn scheduling(
    config: &crate::wire::control::SchedulingConfig,
    now: u64,
) -> Result<(Option<u64>, Option<u64>)> {
    use crate::config::{SCHEDULE_MAX_END_SECS, SCHEDULE_MAX_START_SECS, SCHEDULE_MIN_LEAD_SECS};
    let start = config
        .start_time
        .as_deref()
        .map(schedule_time)
        .transpose()?;
    let end = config.end_time.as_deref().map(schedule_time).transpose()?;
    let within = |member: &str, t: u64, max: u64| {
        if t < now.saturating_add(SCHEDULE_MIN_LEAD_SECS) || t > now.saturating_add(max) {
            return Err(ServiceError::invalid_request(format!(
                "schedulingConfig.{member} must be at least {SCHEDULE_MIN_LEAD_SECS} s and at \
                 most {max} s after now ({now}); got {t}"
            )));
        }
        Ok(())
    };
    if let Some(s) = start {
        within("startTime", s, SCHEDULE_MAX_START_SECS)?;
    }
    if let Some(e) = end {
        within("endTime", e, SCHEDULE_MAX_END_SECS)?;
    }
    if let (Some(s), Some(e)) = (start, end) {
        let gap = e.saturating_sub(s);
        if !(SCHEDULE_MIN_LEAD_SECS..=SCHEDULE_MAX_END_SECS).contains(&gap) || e < s {
            return Err(ServiceError::invalid_request(format!(
                "schedulingConfig.endTime must be at least {SCHEDULE_MIN_LEAD_SECS} s and at \
                 most {SCHEDULE_MAX_END_SECS} s after startTime"
            )));
        }
    }
    Ok((start, end))
}

/// `jobExecutionsRolloutConfig` (decision 27): `maximumPerMinute` 1..1000 (DOC);
/// `exponentialRate` with `baseRatePerMinute` 1..1000 (MODEL) and not above
/// `maximumPerMinute` (CHOICE), `incrementFactor` 1.1..5 with one decimal at most (MODEL,
/// DOC; the decimals are checked while decoding) and exactly one rate-increase criterion,
/// at least 1 (DOC, MODEL).
pub fn rollout_config(config: &crate::wire::control::JobExecutionsRolloutConfig) -> Result {
    use crate::config::MAX_ROLLOUT_PER_MINUTE;
    let max = config.maximum_per_minute.unwrap_or(MAX_ROLLOUT_PER_MINUTE);
    if !(1..=MAX_ROLLOUT_PER_MINUTE).contains(&max) {
        return Err(ServiceError::invalid_request(format!(
            "jobExecutionsRolloutConfig.maximumPerMinute must be 1 to {MAX_ROLLOUT_PER_MINUTE}; got {max}"
        )));
    }
    let Some(rate) = &config.exponential_rate else {
        return Ok(());
    };
    let at = "jobExecutionsRolloutConfig.exponentialRate";
    let base = rate.base_rate_per_minute;
    if !(1..=MAX_ROLLOUT_PER_MINUTE).contains(&base) || base > max {
        return Err(ServiceError::invalid_request(format!(
            "{at}.baseRatePerMinute must be 1 to {MAX_ROLLOUT_PER_MINUTE} and not above \
             maximumPerMinute ({max}); got {base}"
        )));
    }
    if !(11..=50).contains(&rate.increment_factor.0) {
        return Err(ServiceError::invalid_request(format!(
            "{at}.incrementFactor must be 1.1 to 5; got {}",
            rate.increment_factor
        )));
    }
    let c = &rate.rate_increase_criteria;
    match (c.number_of_notified_things, c.number_of_succeeded_things) {
        (Some(n), None) | (None, Some(n)) if n >= 1 => Ok(()),
        (Some(_), Some(_)) | (None, None) => Err(ServiceError::invalid_request(format!(
            "{at}.rateIncreaseCriteria must set exactly one of numberOfNotifiedThings and \
             numberOfSucceededThings"
        ))),
        (Some(n), None) | (None, Some(n)) => Err(ServiceError::invalid_request(format!(
            "{at}.rateIncreaseCriteria: the threshold must be at least 1; got {n}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::control::RetryCriteria;

    #[test]
    fn a_document_is_json_of_at_most_the_limit() {
        assert!(document(r#"{"op": "install"}"#).is_ok());
        assert!(document("{").is_err());
        assert!(document("").is_err());
        assert_eq!(
            parse_document(r#"{"op": [1]}"#).ok(),
            Some(serde_json::json!({"op": [1]}))
        );
        let over = format!("\"{}\"", "x".repeat(DOCUMENT_MAX_CHARS));
        assert!(document(&over).is_err());
    }

    #[test]
    fn names_follow_the_model_patterns_and_lengths() {
        assert!(thing_name("t", &"a".repeat(128)).is_ok());
        assert!(thing_name("t", &"a".repeat(129)).is_err());
        assert!(thing_name("t", "").is_err());
        assert!(thing_name("t", "a:b_c-d").is_ok());
        assert!(job_id("j", "a:b").is_err());
        assert!(job_id("j", &"a".repeat(64)).is_ok());
        assert!(job_id("j", &"a".repeat(65)).is_err());
        assert!(describe_job_id("j", "$next").is_ok());
        assert!(describe_job_id("j", "$nexts").is_err());
    }

    #[test]
    fn details_limits() {
        let mut m = DetailsMap::new();
        m.insert("k".into(), "v".repeat(1024));
        assert!(status_details("statusDetails", &m, None).is_ok());
        m.insert("k".into(), "v".repeat(1025));
        assert!(status_details("statusDetails", &m, None).is_err());
        m.clear();
        m.insert("k".into(), String::new());
        assert!(status_details("statusDetails", &m, None).is_err());
        m.clear();
        m.insert("bad key".into(), "v".into());
        assert!(status_details("statusDetails", &m, None).is_err());
        m.clear();
        m.insert("k".into(), "tab\there".into());
        assert!(status_details("statusDetails", &m, None).is_err());
        m.clear();
        for i in 0..11 {
            m.insert(format!("k{i}"), "v".into());
        }
        assert!(status_details("statusDetails", &m, None).is_ok());
        assert!(status_details("statusDetails", &m, Some(10)).is_err());
    }

    #[test]
    fn step_timeout_range() {
        assert!(step_timeout("s", 1, false).is_ok());
        assert!(step_timeout("s", 10080, false).is_ok());
        assert!(step_timeout("s", 10081, true).is_err());
        assert!(step_timeout("s", 0, true).is_err());
        assert!(step_timeout("s", -1, true).is_ok());
        assert!(step_timeout("s", -1, false).is_err());
        assert!(step_timeout("s", -2, true).is_err());
    }

    #[test]
    fn retry_config_limits() {
        let c = |list: Vec<(RetryableFailureType, i32)>| JobExecutionsRetryConfig {
            criteria_list: list
                .into_iter()
                .map(|(failure_type, number_of_retries)| RetryCriteria {
                    failure_type,
                    number_of_retries,
                })
                .collect(),
        };
        use RetryableFailureType::*;
        assert!(retry_config(&c(vec![(Failed, 3), (TimedOut, 7)])).is_ok());
        assert!(retry_config(&c(vec![(Failed, 5), (TimedOut, 6)])).is_err());
        assert!(retry_config(&c(vec![(Failed, 1), (Failed, 1)])).is_err());
        assert!(retry_config(&c(vec![])).is_err());
        assert!(retry_config(&c(vec![(All, 11)])).is_err());
        assert!(retry_config(&c(vec![(All, -1)])).is_err());
    }

    #[test]
    fn arns() {
        assert_eq!(
            target_arn("t", "arn:aws:iot:eu-central-1:123456789012:thing/t1").unwrap(),
            Target::Thing("t1".into())
        );
        assert!(target_arn("t", "arn:aws:iot:useast1:123456789012:thing/t1").is_err());
        assert!(target_arn("t", "arn:aws:iot:us-east-1:123456789012:job/t1").is_err());
        assert!(target_arn("t", "arn:aws:iot:us-east-1:123456789012:thing/").is_err());
        assert!(target_arn("t", "arn:aws:s3:us-east-1:123456789012:thing/t1").is_err());
    }

    #[test]
    fn other_category() {
        assert!(is_other('\u{0007}'));
        assert!(is_other('\u{200B}'));
        assert!(is_other('\u{E000}'));
        assert!(!is_other('é'));
        assert!(!is_other(' '));
        assert!(is_other('\u{0378}'), "unassigned");
        assert!(is_other('\u{FFFF}'), "noncharacter, unassigned");
        assert!(is_other('\u{00AD}'), "soft hyphen, a format character");
    }
}
