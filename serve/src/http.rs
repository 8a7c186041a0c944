//! The HTTP side: hyper connections on one or more listeners, each request routed
//! ([`crate::route`]), applied through the [`Handle`], and its answer written as REST-JSON
//! clients parse it. Requests under `/_spec/` are the admin API.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use iot_jobs_spec::trace::Answer;
use iot_jobs_spec::{ErrorCode, Plane};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::actor::Admin;
use crate::handle::{Handle, ShutDown};
use crate::mqtt::MAX_PAYLOAD;
use crate::route::{route, signed_service, Refusal};

/// The error type of a call that uses a feature the specification leaves out: a distinct
/// answer naming the feature (decisions, "Out of the model"), never an acceptance.
pub const NOT_MODELLED: &str = "NotModelledException";

/// Serves `listener` until the process ends: at most `limit` connections at once (more
/// wait to be accepted); `fixed` is the service of a per-service port.
pub async fn serve(
    listener: TcpListener,
    fixed: Option<Plane>,
    spec: Arc<Handle>,
    limit: Arc<Semaphore>,
) {
    loop {
        let Ok(permit) = Arc::clone(&limit).acquire_owned().await else {
            return;
        };
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(_) => continue,
        };
        let spec = Arc::clone(&spec);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let spec = Arc::clone(&spec);
                async move { Ok::<_, Infallible>(handle(req, fixed, &spec).await) }
            });
            // A connection that breaks (a client gone mid-request) ends here; whatever it
            // did not finish sending never reached the specification.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}

type Reply = Response<Full<Bytes>>;

fn json_response(status: u16, body: &Value) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// An error as REST-JSON clients read it: the status, `x-amzn-ErrorType`, and a body
/// with `message` and any other members (`executionState`).
fn error_response(status: u16, error_type: &str, mut body: Value) -> Reply {
    if let Value::Object(m) = &mut body {
        m.remove("code");
    }
    let mut r = json_response(status, &body);
    if let Ok(v) = HeaderValue::from_str(error_type) {
        r.headers_mut().insert("x-amzn-ErrorType", v);
    }
    r
}

fn refusal(r: Refusal) -> Reply {
    error_response(r.status, &r.error_type, json!({"message": r.message}))
}

async fn handle(req: Request<Incoming>, fixed: Option<Plane>, spec: &Arc<Handle>) -> Reply {
    let too_large = || {
        refusal(Refusal::new(
            413,
            "RequestEntityTooLargeException",
            format!("the request body is larger than {MAX_PAYLOAD} bytes"),
        ))
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_PAYLOAD as u64) {
        return too_large();
    }
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let signed = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(signed_service)
        .map(str::to_owned);
    let body = match Limited::new(req.into_body(), MAX_PAYLOAD).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Err(e) => {
            return refusal(Refusal::new(
                400,
                "InvalidRequestException",
                format!("the request body could not be read: {e}"),
            ))
        }
    };
    if let Some(rest) = path.strip_prefix("/_spec/") {
        return admin(&method, rest, &body, spec).await;
    }
    let call = match route(
        &method,
        &path,
        query.as_deref(),
        fixed,
        signed.as_deref(),
        &body,
    ) {
        Ok(c) => c,
        Err(r) => return refusal(r),
    };
    let Ok(answer) = spec.call(call.plane, call.binding.name, call.input).await else {
        return refusal(Refusal::new(
            503,
            "ServiceUnavailableException",
            "the server is shutting down",
        ));
    };
    match answer {
        Answer::Output(v) => json_response(200, &v),
        Answer::Error(v) => {
            let code = v["code"]
                .as_str()
                .unwrap_or("InvalidRequestException")
                .to_owned();
            let status = code
                .parse::<ErrorCode>()
                .map(|c| c.http_status(call.plane))
                .unwrap_or(400);
            error_response(status, &code, v)
        }
        Answer::NotModelled(n) => {
            error_response(501, NOT_MODELLED, json!({"message": n.to_string()}))
        }
        Answer::Unsupported(why) => error_response(501, NOT_MODELLED, json!({"message": why})),
        Answer::Published => error_response(
            500,
            "InternalFailureException",
            json!({"message": "a call was answered as a publish"}),
        ),
    }
}

/// The admin API: `GET /_spec/clock`, `POST /_spec/clock` with `{"set": N}` or
/// `{"advance": N}`, `POST /_spec/reset`.
async fn admin(method: &str, rest: &str, body: &[u8], spec: &Arc<Handle>) -> Reply {
    let bad = |m: String| refusal(Refusal::new(400, "InvalidRequestException", m));
    let op = match (method, rest) {
        ("GET", "clock") => Admin::Get,
        ("POST", "reset") => Admin::Reset,
        ("POST", "clock") => {
            let v: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return bad(format!("the body is not valid JSON: {e}")),
            };
            match (
                v.get("set").map(Value::as_u64),
                v.get("advance").map(Value::as_u64),
            ) {
                (Some(Some(t)), None) => Admin::Set(t),
                (None, Some(Some(d))) => Admin::Advance(d),
                _ => {
                    return bad(
                        "POST /_spec/clock takes {\"set\": N} or {\"advance\": N}, N a whole \
                         number of seconds"
                            .into(),
                    )
                }
            }
        }
        _ => {
            return refusal(Refusal::new(
                404,
                "UnknownOperationException",
                format!(
                    "the admin API has GET /_spec/clock, POST /_spec/clock and POST \
                     /_spec/reset, not {method} /_spec/{rest}"
                ),
            ))
        }
    };
    match spec.admin(op).await {
        Ok(Ok(v)) => json_response(200, &v),
        Ok(Err(m)) => bad(m),
        Err(ShutDown) => bad("the server is shutting down".into()),
    }
}
