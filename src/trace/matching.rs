//! Matching an expected value against an actual one, as trace-format.md says: objects as
//! subsets, arrays element by element with equal lengths, numbers by value, and an
//! expected `null` matching a missing member.

use serde_json::Value;

/// Where and how an expected value differs from the actual one.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// A JSON-pointer-like path to the first difference, e.g. `/execution/versionNumber`.
    pub path: String,
    /// What was expected there.
    pub expected: Value,
    /// What is there (`None`: the member is missing).
    pub actual: Option<Value>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        match &self.actual {
            Some(a) => write!(
                f,
                "at {path}: expected {}, the specification gives {a}",
                self.expected
            ),
            None => write!(
                f,
                "at {path}: expected {}, the specification leaves it out",
                self.expected
            ),
        }
    }
}

pub(crate) fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Checks that `actual` matches `expected`; the first difference otherwise.
///
/// ```
/// use iot_jobs_spec::trace::matching::matches;
/// use serde_json::json;
/// assert!(matches(&json!({"a": 2}), &json!({"a": 2.0, "b": 1})).is_ok());
/// assert!(matches(&json!({"a": null}), &json!({"b": 1})).is_ok());
/// assert!(matches(&json!([1]), &json!([1, 2])).is_err());
/// assert!(matches(&json!("2"), &json!(2)).is_err());
/// ```
pub fn matches(expected: &Value, actual: &Value) -> Result<(), Box<Mismatch>> {
    at(expected, Some(actual), &mut String::new())
}

fn at(expected: &Value, actual: Option<&Value>, path: &mut String) -> Result<(), Box<Mismatch>> {
    let fail = |path: &str| {
        Box::new(Mismatch {
            path: path.to_owned(),
            expected: expected.clone(),
            actual: actual.cloned(),
        })
    };
    match (expected, actual) {
        (Value::Null, None | Some(Value::Null)) => Ok(()),
        (_, None) => Err(fail(path)),
        (Value::Object(want), Some(Value::Object(have))) => {
            for (k, v) in want {
                let len = path.len();
                path.push('/');
                path.push_str(k);
                at(v, have.get(k), path)?;
                path.truncate(len);
            }
            Ok(())
        }
        (Value::Array(want), Some(Value::Array(have))) => {
            if want.len() != have.len() {
                return Err(fail(path));
            }
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                at(w, Some(h), path)?;
                path.truncate(len);
            }
            Ok(())
        }
        (Value::Number(a), Some(Value::Number(b))) if numbers_equal(a, b) => Ok(()),
        (Value::String(a), Some(Value::String(b))) if a == b => Ok(()),
        (Value::Bool(a), Some(Value::Bool(b))) if a == b => Ok(()),
        _ => Err(fail(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_are_subsets_and_arrays_are_exact() {
        assert!(matches(&json!({}), &json!({"x": 1})).is_ok());
        let m = matches(
            &json!({"x": {"y": [1, {"z": 3}]}}),
            &json!({"x": {"y": [1, {"z": 4}]}}),
        )
        .unwrap_err();
        assert_eq!(m.path, "/x/y/1/z");
        assert_eq!(m.actual, Some(json!(4)));
        assert!(matches(&json!({"x": 1}), &json!({})).is_err());
        assert!(matches(&json!([]), &json!([1])).is_err());
    }

    #[test]
    fn null_means_absent_or_null() {
        assert!(matches(&json!({"x": null}), &json!({"x": null})).is_ok());
        assert!(matches(&json!({"x": null}), &json!({"x": 0})).is_err());
    }

    #[test]
    fn numbers_by_value_strings_by_type() {
        assert!(matches(&json!(2), &json!(2.0)).is_ok());
        assert!(matches(&json!(2.5), &json!(2)).is_err());
        assert!(matches(&json!(true), &json!("true")).is_err());
        assert!(matches(&json!(u64::MAX), &json!(u64::MAX)).is_ok());
        assert!(matches(&json!(-1), &json!(u64::MAX)).is_err());
    }
}
