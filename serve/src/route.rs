//! From an HTTP request to the plain members of a trace's `input`, with the bindings of
//! [`iot_jobs_spec::binding`] (the service models' method, URI template, path and query
//! members): which service is called, which operation, and what it asks.
//!
//! Nothing here decides whether a request is valid: a member whose text does not read as
//! its model type is handed on as a string, and the specification refuses it
//! (InvalidRequestException naming the member), as it refuses any bad `input`.

use iot_jobs_spec::binding::{Binding, MemberType, BINDINGS};
use iot_jobs_spec::{Plane, ServiceError};
use serde_json::{Map, Value};

/// A request refused before it reaches the specification, as a REST-JSON client parses
/// it: the HTTP status, the `x-amzn-ErrorType` and a `message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The error type (`x-amzn-ErrorType`).
    pub error_type: String,
    /// What is wrong.
    pub message: String,
}

impl Refusal {
    /// A refusal with status, type and message.
    pub fn new(status: u16, error_type: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type: error_type.to_owned(),
            message: message.into(),
        }
    }

    /// The specification's own refusal, for input that never reached it as JSON.
    fn service(e: ServiceError, plane: Plane) -> Self {
        Self::new(e.code.http_status(plane), e.code.as_str(), e.message)
    }
}

/// A call the request makes: the service, the binding it matched and its `input`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The service it goes to.
    pub plane: Plane,
    /// The operation's binding.
    pub binding: &'static Binding,
    /// The request members: the body's, then the path's and the query string's.
    pub input: Value,
}

/// The AWS service a request is signed for: the fourth part of the SigV4 credential
/// scope (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`) of its Authorization header.
/// boto3 signs `iot-jobs-data` calls for `iot-jobs-data` and `iot` calls for `iot`.
pub fn signed_service(authorization: &str) -> Option<&str> {
    let rest = authorization.split("Credential=").nth(1)?;
    let scope = rest.split([',', ' ']).next()?;
    match scope.split('/').collect::<Vec<&str>>()[..] {
        [_, _, _, service, "aws4_request"] => Some(service),
        _ => None,
    }
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A member's text as its model type reads it; text that does not read is kept as a
/// string for the specification to refuse.
fn typed(text: String, ty: MemberType) -> Value {
    let number = |t: &str| t.parse::<i64>().ok().map(Value::from);
    match ty {
        MemberType::String => Value::String(text),
        MemberType::Long | MemberType::Integer => number(&text).unwrap_or(Value::String(text)),
        MemberType::Boolean => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
    }
}

/// Routes a request: `fixed` is the service of a per-service port, `signed` the service
/// of its SigV4 scope. Without either, a path only one service binds goes there.
pub fn route(
    method: &str,
    path: &str,
    query: Option<&str>,
    fixed: Option<Plane>,
    signed: Option<&str>,
    body: &[u8],
) -> Result<Call, Refusal> {
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_decode(s).ok_or_else(|| {
                Refusal::new(
                    400,
                    "InvalidRequestException",
                    format!("the path segment '{s}' is not valid percent-encoded UTF-8"),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let planes: Vec<Plane> = match (fixed, signed) {
        (Some(p), _) => vec![p],
        (None, Some(s)) => match s.parse::<Plane>() {
            Ok(p) => vec![p],
            Err(_) => {
                return Err(Refusal::new(
                    400,
                    "UnrecognizedClientException",
                    format!(
                        "the request is signed for the service '{s}'; this endpoint serves \
                         'iot-jobs-data' and 'iot'"
                    ),
                ))
            }
        },
        (None, None) => vec![Plane::Data, Plane::Control],
    };
    let matched: Vec<(&'static Binding, Vec<_>)> = BINDINGS
        .iter()
        .filter(|b| planes.contains(&b.plane))
        .filter_map(|b| Some((b, b.match_path(&segments)?)))
        .collect();
    let with_method: Vec<_> = matched.iter().filter(|(b, _)| b.method == method).collect();
    let (binding, path_members) = match with_method.as_slice() {
        [one] => (one.0, one.1.clone()),
        [] if matched.is_empty() => {
            return Err(Refusal::new(
                404,
                "UnknownOperationException",
                format!("no operation of {} has the path {path}", names(&planes)),
            ))
        }
        [] => {
            return Err(Refusal::new(
                405,
                "UnknownOperationException",
                format!(
                    "{path} takes {}, not {method}",
                    matched
                        .iter()
                        .map(|(b, _)| format!("{} ({})", b.method, b.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
        _ => {
            return Err(Refusal::new(
                400,
                "UnknownOperationException",
                format!(
                    "{method} {path} is an operation of both iot-jobs-data and iot: sign the \
                     request (SigV4, any credentials) or use the service's own port \
                     (--data-port, --control-port)"
                ),
            ))
        }
    };
    let plane = binding.plane;
    let mut input = match body_members(body) {
        Ok(map) => map,
        Err(message) => {
            return Err(Refusal::service(
                ServiceError::invalid_request(message),
                plane,
            ))
        }
    };
    for (member, text) in path_members {
        input.insert(member.member.to_owned(), typed(text.to_owned(), member.ty));
    }
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(key), Some(value)) = (percent_decode(key), percent_decode(value)) else {
            return Err(Refusal::service(
                ServiceError::invalid_request(format!(
                    "the query parameter '{pair}' is not valid percent-encoded UTF-8"
                )),
                plane,
            ));
        };
        // Keys the model does not bind are ignored, as unknown members are.
        if let Some(q) = binding.query.iter().find(|q| q.key == key) {
            input.insert(q.member.to_owned(), typed(value, q.ty));
        }
    }
    Ok(Call {
        plane,
        binding,
        input: Value::Object(input),
    })
}

fn names(planes: &[Plane]) -> String {
    planes
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The JSON body's members: an empty body has none; anything but a JSON object is
/// refused with what is wrong.
fn body_members(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "the request body must be a JSON object, got {}",
            kind(&other)
        )),
        Err(e) => Err(format!("the request body is not valid JSON: {e}")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SIGNED_DATA: &str = "AWS4-HMAC-SHA256 Credential=AKID/20261205/us-east-1/iot-jobs-data/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

    #[test]
    fn the_signed_service_is_read_from_the_credential_scope() {
        assert_eq!(signed_service(SIGNED_DATA), Some("iot-jobs-data"));
        let iot = SIGNED_DATA.replace("iot-jobs-data", "iot");
        assert_eq!(signed_service(&iot), Some("iot"));
        assert_eq!(signed_service("Bearer x"), None);
        assert_eq!(signed_service("AWS4-HMAC-SHA256 Credential=a/b/c"), None);
    }

    #[test]
    fn a_shared_path_goes_to_the_signed_service() {
        let path = "/things/t1/jobs/j1";
        let data = route("GET", path, None, None, Some("iot-jobs-data"), b"").unwrap();
        assert_eq!(
            (data.plane, data.binding.name),
            (Plane::Data, "DescribeJobExecution")
        );
        let control = route("GET", path, None, None, Some("iot"), b"").unwrap();
        assert_eq!(control.plane, Plane::Control);
        let fixed = route("GET", path, None, Some(Plane::Control), Some("x"), b"").unwrap();
        assert_eq!(fixed.plane, Plane::Control);
        let unsigned = route("GET", path, None, None, None, b"").unwrap_err();
        assert_eq!(unsigned.status, 400);
        assert!(unsigned.message.contains("--data-port"), "{unsigned:?}");
        // A path only one service has needs no signature.
        let update = route("POST", path, None, None, None, br#"{"status":"QUEUED"}"#).unwrap();
        assert_eq!(update.binding.name, "UpdateJobExecution");
        let other = route("GET", path, None, None, Some("s3"), b"").unwrap_err();
        assert_eq!(other.error_type, "UnrecognizedClientException");
    }

    #[test]
    fn path_query_and_body_members_become_one_input() {
        let call = route(
            "DELETE",
            "/things/t%3A1/jobs/j1/executionNumber/3",
            Some("force=true&namespaceId=ns&unknown=1"),
            Some(Plane::Control),
            None,
            b"",
        )
        .unwrap();
        assert_eq!(
            call.input,
            json!({"thingName": "t:1", "jobId": "j1", "executionNumber": 3, "force": true,
                   "namespaceId": "ns"})
        );
        // Text that does not read as the member's type is left for the specification.
        let call = route(
            "GET",
            "/things/t1/jobs/j1",
            Some("executionNumber=x&includeJobDocument=yes"),
            Some(Plane::Data),
            None,
            b"",
        )
        .unwrap();
        assert_eq!(call.input["executionNumber"], "x");
        assert_eq!(call.input["includeJobDocument"], "yes");
        // Path members win over body members of the same name.
        let call = route(
            "POST",
            "/things/t1/jobs/j1",
            None,
            Some(Plane::Data),
            None,
            br#"{"thingName": "other", "status": "SUCCEEDED"}"#,
        )
        .unwrap();
        assert_eq!(
            call.input,
            json!({"thingName": "t1", "jobId": "j1", "status": "SUCCEEDED"})
        );
    }

    #[test]
    fn start_next_is_reached_with_and_without_escaping() {
        for path in ["/things/t1/jobs/$next", "/things/t1/jobs/%24next"] {
            let call = route("PUT", path, None, Some(Plane::Data), None, b"{}").unwrap();
            assert_eq!(call.binding.name, "StartNextPendingJobExecution", "{path}");
        }
    }

    #[test]
    fn bad_requests_are_refused_with_what_is_wrong() {
        let unknown = route("GET", "/nothing/here", None, None, None, b"").unwrap_err();
        assert_eq!(
            (unknown.status, unknown.error_type.as_str()),
            (404, "UnknownOperationException")
        );
        let method = route("PATCH", "/things/t1", None, None, None, b"").unwrap_err();
        assert_eq!(method.status, 405);
        assert!(method.message.contains("CreateThing"), "{method:?}");
        let not_json = route("PUT", "/jobs/j1", None, None, None, b"{oops").unwrap_err();
        assert_eq!(
            (not_json.status, not_json.error_type.as_str()),
            (400, "InvalidRequestException")
        );
        assert!(not_json.message.contains("not valid JSON"), "{not_json:?}");
        let array = route("PUT", "/jobs/j1", None, None, None, b"[1]").unwrap_err();
        assert!(array.message.contains("an array"), "{array:?}");
        let bad_escape = route("GET", "/things/%ZZ", None, None, None, b"").unwrap_err();
        assert_eq!(bad_escape.status, 400);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%24").as_deref(), Some("a b$"));
        assert_eq!(percent_decode("%"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
