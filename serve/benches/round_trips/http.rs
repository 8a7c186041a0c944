//! The HTTP side: one keep-alive HTTP/1.1 connection per client, driven by hyper's own
//! connection-level client (no pool, no retries, no signing work), so that a round trip
//! costs the client little next to the server. Requests carry a SigV4-shaped
//! `Authorization` header whose credential scope names the service, as the AWS SDKs sign
//! them; neither server checks the signature.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpStream;

/// The four data-plane calls measured, each on the client's own thing.
#[derive(Clone, Copy, Debug)]
pub enum Call {
    /// An IN_PROGRESS progress report on the thing's started execution (a new version each
    /// time, and no change of status, so every call is the same kind of call).
    UpdateJobExecution,
    /// The started execution, with its job document.
    DescribeJobExecution,
    /// One execution in progress, the rest queued.
    GetPendingJobExecutions,
    /// With an execution already in progress: answers with it and changes nothing.
    StartNextPendingJobExecution,
    /// serve's admin API reading the clock: HTTP and the lock around the specification,
    /// without a call of the specification (a floor under the calls).
    AdminClock,
    /// A path under serve's admin API that does not exist: answered 404 by the HTTP
    /// handler itself, so HTTP alone (the lowest floor).
    AdminUnknown,
}

impl Call {
    /// Every call of IoT Jobs, in the table's order.
    pub const JOBS: [Call; 4] = [
        Call::UpdateJobExecution,
        Call::DescribeJobExecution,
        Call::GetPendingJobExecutions,
        Call::StartNextPendingJobExecution,
    ];

    /// The floors that only serve has.
    pub const FLOORS: [Call; 2] = [Call::AdminClock, Call::AdminUnknown];

    /// The operation's name in AWS's model.
    pub fn name(self) -> &'static str {
        match self {
            Call::UpdateJobExecution => "UpdateJobExecution",
            Call::DescribeJobExecution => "DescribeJobExecution",
            Call::GetPendingJobExecutions => "GetPendingJobExecutions",
            Call::StartNextPendingJobExecution => "StartNextPendingJobExecution",
            Call::AdminClock => "GET /_spec/clock (floor: HTTP and the lock)",
            Call::AdminUnknown => "GET /_spec/none, 404 (floor: HTTP alone)",
        }
    }

    /// Method, path and body of the call on `thing`, whose execution of `job` is started;
    /// `n` numbers the call (an update reports it as its progress).
    fn request(self, thing: &str, job: &str, n: u64) -> (Method, String, String) {
        match self {
            Call::AdminClock => (Method::GET, "/_spec/clock".to_owned(), String::new()),
            Call::AdminUnknown => (Method::GET, "/_spec/none".to_owned(), String::new()),
            Call::UpdateJobExecution => (
                Method::POST,
                format!("/things/{thing}/jobs/{job}"),
                json!({"status": "IN_PROGRESS", "statusDetails": {"progress": n.to_string()}})
                    .to_string(),
            ),
            Call::DescribeJobExecution => (
                Method::GET,
                format!("/things/{thing}/jobs/{job}"),
                String::new(),
            ),
            Call::GetPendingJobExecutions => {
                (Method::GET, format!("/things/{thing}/jobs"), String::new())
            }
            Call::StartNextPendingJobExecution => (
                Method::PUT,
                format!("/things/{thing}/jobs/$next"),
                "{}".to_owned(),
            ),
        }
    }
}

/// One client's connection, opened again when the server closes it (hypercorn, which
/// serves ministack, closes a keep-alive connection after 1 000 requests); the reconnection
/// is timed with the call that needs it, as a client would pay for it.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    addr: SocketAddr,
}

impl Connection {
    /// Opens a connection to `addr` (Nagle off, as the SDKs' clients do).
    pub async fn open(addr: SocketAddr) -> Result<Connection, String> {
        Ok(Connection {
            sender: Self::handshake(addr).await?,
            addr,
        })
    }

    async fn handshake(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(connection);
        Ok(sender)
    }

    /// Sends a request signed for `service` and reads the whole answer; an answer other
    /// than 200 is an error that quotes it.
    pub async fn send(
        &mut self,
        service: &str,
        method: Method,
        path: &str,
        body: String,
    ) -> Result<Bytes, String> {
        self.send_expecting(StatusCode::OK, service, method, path, body)
            .await
    }

    /// [`Connection::send`], expecting the answer's status to be `expected`.
    async fn send_expecting(
        &mut self,
        expected: StatusCode,
        service: &str,
        method: Method,
        path: &str,
        body: String,
    ) -> Result<Bytes, String> {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string())
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKID/20261205/us-east-1/{service}/aws4_request, \
                     SignedHeaders=host, Signature=00"
                ),
            )
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        if self.sender.ready().await.is_err() {
            self.sender = Self::handshake(self.addr).await?;
        }
        let answer = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = answer.status();
        let bytes = answer
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{path}: body: {e}"))?
            .to_bytes();
        if status != expected {
            return Err(format!(
                "{path}: {status} {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        Ok(bytes)
    }

    /// Sends `call` for `thing`'s execution of `job`.
    pub async fn call(&mut self, call: Call, thing: &str, job: &str, n: u64) -> Result<(), String> {
        let (method, path, body) = call.request(thing, job, n);
        let expected = match call {
            Call::AdminUnknown => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        };
        self.send_expecting(expected, "iot-jobs-data", method, &path, body)
            .await
            .map(drop)
    }

    /// Sends a request signed for `service` (with no body if `body` is null) and parses
    /// its JSON answer.
    pub async fn json(
        &mut self,
        service: &str,
        method: Method,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let bytes = self.send(service, method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{path}: not JSON: {e}"))
    }
}
