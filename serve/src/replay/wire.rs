//! A step's call as AWS's REST-JSON wire carries it: the method and URI template of the
//! operation's binding ([`iot_jobs_spec::binding`]), path and query members taken out of
//! the `input`, every other member in the JSON body; signed with SigV4 for the service
//! that hosts it (`iot-jobs-data` or `iot`). The answer comes back as a trace's `output`
//! (2xx) or `error` (`code` from `x-amzn-ErrorType`, the body's members beside it).

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use iot_jobs_spec::binding::{Binding, BINDINGS};
use iot_jobs_spec::Plane;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::{Map, Value};

/// One HTTP request, before signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpCall {
    /// The service it is signed for.
    pub plane: Plane,
    /// The HTTP method.
    pub method: &'static str,
    /// The path and query string, percent-encoded.
    pub path_and_query: String,
    /// The JSON body; `None` for a method without one (GET, DELETE).
    pub body: Option<String>,
}

/// The binding of the operation `name` on `plane`, modelled or not.
pub fn binding(plane: Plane, name: &str) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| b.plane == plane && b.name == name)
}

/// Builds the request a call makes. `Err` says why the call cannot travel over HTTP (a
/// path member missing, empty, or neither a string nor a number).
pub fn http_call(plane: Plane, name: &str, input: &Value) -> Result<HttpCall, String> {
    let binding =
        binding(plane, name).ok_or_else(|| format!("{plane} has no HTTP binding for {name}"))?;
    let mut members: Map<String, Value> = input.as_object().cloned().unwrap_or_default();
    let mut path = String::new();
    for segment in binding.uri.trim_start_matches('/').split('/') {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(member) => {
                let text = members
                    .remove(member)
                    .as_ref()
                    .and_then(scalar_text)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| {
                        format!(
                            "the path member '{member}' of {name} is missing, empty or not a \
                             string: the call cannot be sent over HTTP"
                        )
                    })?;
                path.push_str(&encode(&text));
            }
            None => path.push_str(segment),
        }
    }
    let mut query = Vec::new();
    for q in binding.query {
        if let Some(value) = members.remove(q.member) {
            let text = scalar_text(&value).unwrap_or_else(|| value.to_string());
            query.push(format!("{}={}", encode(q.key), encode(&text)));
        }
    }
    if !query.is_empty() {
        path.push('?');
        path.push_str(&query.join("&"));
    }
    let body = match binding.method {
        "GET" | "DELETE" => None,
        _ => Some(Value::Object(members).to_string()),
    };
    Ok(HttpCall {
        plane,
        method: binding.method,
        path_and_query: path,
        body,
    })
}

/// A path or query member's text: a string as it is, a number or boolean as JSON writes it.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Percent-encodes every byte but the unreserved ones (RFC 3986).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Who signs, and for which region.
#[derive(Clone, Debug)]
pub struct Signer {
    identity: Identity,
    region: String,
}

impl Signer {
    /// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    /// `AWS_SESSION_TOKEN`, or dummy ones (an emulator accepts any).
    pub fn from_env(region: &str) -> Self {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        let (key, secret) = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(k), Some(s)) => (k, s),
            _ => ("AKIDREPLAY".to_owned(), "replay-dummy-secret".to_owned()),
        };
        let token = var("AWS_SESSION_TOKEN");
        Self {
            identity: Credentials::new(key, secret, token, None, "environment").into(),
            region: region.to_owned(),
        }
    }

    /// The SigV4 headers (`authorization`, `x-amz-date`, and `x-amz-security-token` with a
    /// session token) for a request, signed for the service that hosts the call.
    pub fn headers(
        &self,
        call: &HttpCall,
        url: &str,
        host: &str,
    ) -> Result<Vec<(String, String)>, String> {
        let body = call.body.as_deref().unwrap_or("").as_bytes();
        let service = call.plane.to_string();
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(&service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| format!("cannot sign: {e}"))?
            .into();
        let mut headers = vec![("host", host)];
        if call.body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let signable = SignableRequest::new(
            call.method,
            url,
            headers.into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| format!("cannot sign: {e}"))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| format!("cannot sign: {e}"))?
            .into_parts();
        let (headers, _) = instructions.into_parts();
        Ok(headers
            .into_iter()
            .map(|h| (h.name().to_owned(), h.value().to_owned()))
            .collect())
    }
}

/// What the implementation answered, as a trace writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Answered {
    /// `output`: a 2xx answer's JSON body (`{}` when empty).
    Output(Value),
    /// `error`: `code` and the body's other members.
    Error(Value),
}

/// Sends calls over one pooled HTTP/1.1 client, over TLS for an `https://` endpoint.
#[derive(Clone, Debug)]
pub struct Http {
    /// Where control-plane calls (and the admin API of a clock control) go.
    control: Endpoint,
    /// Where data-plane calls go: the control plane's endpoint unless one is given.
    data: Endpoint,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    signer: Signer,
}

/// One endpoint: `http://HOST[:PORT]` or `https://HOST[:PORT]`, no path.
#[derive(Clone, Debug)]
struct Endpoint {
    base: String,
    host: String,
    tls: bool,
}

impl Endpoint {
    fn parse(endpoint: &str) -> Result<Self, String> {
        let base = endpoint.trim_end_matches('/').to_owned();
        let (host, tls) = match (base.strip_prefix("http://"), base.strip_prefix("https://")) {
            (Some(h), _) => (h, false),
            (_, Some(h)) => (h, true),
            _ => {
                return Err(format!(
                    "the endpoint {endpoint} is not http://HOST[:PORT] or https://HOST[:PORT]"
                ))
            }
        };
        if host.is_empty() || host.contains('/') {
            return Err(format!(
                "the endpoint {endpoint} is not http://HOST[:PORT] or https://HOST[:PORT] (no \
                 path)"
            ));
        }
        Ok(Self {
            host: host.to_owned(),
            base,
            tls,
        })
    }
}

/// The roots an `https://` endpoint's certificate may chain to: the system's (read only
/// when an endpoint needs them) and those of `ca_file`, a PEM file.
fn tls_config(system: bool, ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    if system {
        // A certificate of the store that rustls cannot read is skipped, as browsers do.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
    }
    if let Some(path) = ca_file {
        let bad = |e: &dyn std::fmt::Display| format!("--ca-file {}: {e}", path.display());
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
            roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!(
                "--ca-file {}: no PEM certificate in it",
                path.display()
            ));
        }
    }
    if system && roots.is_empty() {
        return Err(
            "no trusted root certificate for an https:// endpoint: the system has none (install \
             ca-certificates) and no --ca-file was given"
                .into(),
        );
    }
    // ring, as rmqtt and rumqttc build rustls already. rustls 0.23.48 deprecates its
    // provider for lacking post-quantum key exchange; aws-lc-rs has it but adds a C build
    // of its own to every fresh machine, and a replay of test traces needs TLS, not
    // protection of its traffic against a future quantum computer.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Http {
    /// A client of `endpoint` for both services, or of `data` for the data plane when it
    /// is given (AWS serves `iot-jobs-data` on an endpoint of its own): each
    /// `http://HOST[:PORT]` or `https://HOST[:PORT]`. An `https://` endpoint's
    /// certificate must chain to a root of the system or of `ca_file` (PEM). `Err` for
    /// another scheme, a path, or no usable root.
    pub fn new(
        endpoint: &str,
        data: Option<&str>,
        ca_file: Option<&Path>,
        signer: Signer,
    ) -> Result<Self, String> {
        let control = Endpoint::parse(endpoint)?;
        let data = match data {
            Some(d) => Endpoint::parse(d)?,
            None => control.clone(),
        };
        let tls = tls_config(control.tls || data.tls, ca_file)?;
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            control,
            data,
            client: Client::builder(TokioExecutor::new()).build(connector),
            signer,
        })
    }

    fn endpoint(&self, plane: Plane) -> &Endpoint {
        match plane {
            Plane::Data => &self.data,
            _ => &self.control,
        }
    }

    /// The full URL of a call on `plane`.
    pub fn url(&self, plane: Plane, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.endpoint(plane).base)
    }

    /// Sends a signed call; `Err` when the endpoint cannot be reached or answers what is
    /// not JSON.
    pub async fn call(&self, call: &HttpCall) -> Result<Answered, String> {
        let url = self.url(call.plane, &call.path_and_query);
        let host = &self.endpoint(call.plane).host;
        let signed = self.signer.headers(call, &url, host)?;
        let mut request = http::Request::builder()
            .method(call.method)
            .uri(&url)
            .header("host", host);
        if call.body.is_some() {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in signed {
            request = request.header(name, value);
        }
        let body = Bytes::from(call.body.clone().unwrap_or_default());
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let (status, headers, body) = self.send(request).await?;
        answered(status, headers.as_deref(), &body)
    }

    /// Sends an unsigned JSON request (the admin API of a clock control).
    pub async fn admin(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let request = http::Request::builder()
            .method(method)
            .uri(self.url(Plane::Control, path))
            .header("host", &self.control.host)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
                body.map(|b| b.to_string()).unwrap_or_default(),
            )))
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let (status, _, body) = self.send(request).await?;
        let text = String::from_utf8_lossy(&body);
        if !(200..300).contains(&status) {
            return Err(format!("{method} {path} answered {status}: {text}"));
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&body)
            .map_err(|e| format!("{method} {path}: not JSON ({e}): {text}"))
    }

    async fn send(
        &self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(u16, Option<String>, Bytes), String> {
        let target = request
            .uri()
            .authority()
            .map_or_else(String::new, ToString::to_string);
        let answer = self.client.request(request).await.map_err(|e| {
            // hyper's error says only "client error (Connect)"; its source says why.
            let why = std::error::Error::source(&e).map_or_else(String::new, |s| format!(": {s}"));
            format!("{target} cannot be reached: {e}{why}")
        })?;
        let status = answer.status().as_u16();
        let error_type = answer
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = answer
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{target}: the answer was cut: {e}"))?
            .to_bytes();
        Ok((status, error_type, body))
    }
}

/// A REST-JSON answer as a trace's `output` or `error`. The error code is the
/// `x-amzn-ErrorType` header (less what follows a `:`), else the body's `__type` or `code`
/// (less a `namespace#` part); a `Message` member is written `message`.
pub fn answered(status: u16, error_type: Option<&str>, body: &[u8]) -> Result<Answered, String> {
    let json: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|e| {
            format!(
                "the answer (HTTP {status}) is not JSON ({e}): {}",
                String::from_utf8_lossy(body)
            )
        })?
    };
    if (200..300).contains(&status) {
        return Ok(Answered::Output(json));
    }
    let mut members = match json {
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "the error answer (HTTP {status}) is not an object: {other}"
            ))
        }
    };
    let from_body = |m: &mut Map<String, Value>, key: &str| match m.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let typed = from_body(&mut members, "__type");
    let coded = from_body(&mut members, "code");
    let code = error_type
        .map(str::to_owned)
        .or(typed)
        .or(coded)
        .ok_or_else(|| format!("the error answer (HTTP {status}) names no error type"))?;
    let code = code.split(':').next().unwrap_or("");
    let code = code.rsplit('#').next().unwrap_or("").to_owned();
    if let Some(message) = members.remove("Message") {
        members.entry("message").or_insert(message);
    }
    let mut error = Map::new();
    error.insert("code".into(), Value::String(code));
    error.extend(members);
    Ok(Answered::Error(Value::Object(error)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_go_to_the_path_the_query_and_the_body() {
        let call = http_call(
            Plane::Control,
            "DeleteJobExecution",
            &json!({"thingName": "t:1", "jobId": "j1", "executionNumber": 3, "force": true}),
        )
        .unwrap();
        assert_eq!(call.method, "DELETE");
        assert_eq!(
            call.path_and_query,
            "/things/t%3A1/jobs/j1/executionNumber/3?force=true"
        );
        assert_eq!(call.body, None);
        let update = http_call(
            Plane::Data,
            "UpdateJobExecution",
            &json!({"thingName": "t1", "jobId": "j1", "status": "SUCCEEDED"}),
        )
        .unwrap();
        assert_eq!(
            (update.method, update.path_and_query.as_str()),
            ("POST", "/things/t1/jobs/j1")
        );
        assert_eq!(update.body.as_deref(), Some(r#"{"status":"SUCCEEDED"}"#));
        let next = http_call(
            Plane::Data,
            "StartNextPendingJobExecution",
            &json!({"thingName": "t1"}),
        )
        .unwrap();
        assert_eq!(next.path_and_query, "/things/t1/jobs/$next");
    }

    #[test]
    fn a_call_without_its_path_member_cannot_travel() {
        let e = http_call(Plane::Control, "CreateThing", &json!({})).unwrap_err();
        assert!(e.contains("thingName"), "{e}");
        let e = http_call(Plane::Control, "CreateThing", &json!({"thingName": ["x"]})).unwrap_err();
        assert!(e.contains("thingName"), "{e}");
    }

    #[test]
    fn answers_become_output_or_error() {
        assert_eq!(
            answered(200, None, b"").unwrap(),
            Answered::Output(json!({}))
        );
        let e = answered(
            409,
            Some("VersionConflictException:http://internal"),
            br#"{"Message": "no", "executionState": {"status": "QUEUED"}}"#,
        )
        .unwrap();
        assert_eq!(
            e,
            Answered::Error(json!({"code": "VersionConflictException", "message": "no",
                                   "executionState": {"status": "QUEUED"}}))
        );
        let typed = answered(
            404,
            None,
            br#"{"__type": "com.amazonaws#ResourceNotFoundException"}"#,
        )
        .unwrap();
        assert_eq!(
            typed,
            Answered::Error(json!({"code": "ResourceNotFoundException"}))
        );
        assert!(answered(500, None, b"<html>").is_err());
        assert!(answered(400, None, b"{}").is_err());
    }

    #[test]
    fn signing_names_the_service_of_the_call() {
        let signer = Signer {
            identity: Credentials::new("AKID", "secret", Some("tok".into()), None, "t").into(),
            region: "eu-west-1".into(),
        };
        for (plane, name, service) in [
            (Plane::Data, "GetPendingJobExecutions", "iot-jobs-data"),
            (Plane::Control, "DescribeJob", "iot"),
        ] {
            let input = json!({"thingName": "t1", "jobId": "j1"});
            let call = http_call(plane, name, &input).unwrap();
            let headers = signer
                .headers(&call, &format!("http://h:1{}", call.path_and_query), "h:1")
                .unwrap();
            let auth = &headers
                .iter()
                .find(|(n, _)| n == "authorization")
                .unwrap()
                .1;
            assert!(
                auth.contains(&format!("/eu-west-1/{service}/aws4_request")),
                "{auth}"
            );
            assert!(headers
                .iter()
                .any(|(n, v)| n == "x-amz-security-token" && v == "tok"));
        }
    }
}
