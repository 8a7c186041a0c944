//! Bad input over HTTP against the server binary: wrong paths and methods, bodies that are
//! not JSON, oversized bodies, unknown members, clients that go away mid-request, too
//! many connections. Each gets its AWS-style error, and the server keeps serving with
//! its state intact.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{raw, read_reply, request, Server};
use serde_json::json;

const DATA: Option<&str> = Some("iot-jobs-data");
const IOT: Option<&str> = Some("iot");

fn create_thing(port: u16, name: &str) {
    let r = request(port, "POST", &format!("/things/{name}"), IOT, "{}");
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
}

fn thing_exists(port: u16, name: &str) -> bool {
    // GetPendingJobExecutions of an unknown thing is ResourceNotFoundException.
    request(port, "GET", &format!("/things/{name}/jobs"), DATA, "").status == 200
}

#[test]
fn wrong_paths_and_methods_are_refused_as_aws_does() {
    let server = Server::start(&["--clock", "manual"]);
    let port = server.port("http");
    let unknown = request(port, "GET", "/no/such/path", None, "");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_type(), "UnknownOperationException");
    assert!(unknown.json()["message"]
        .as_str()
        .unwrap()
        .contains("/no/such/path"));
    let method = request(port, "PATCH", "/things/t1", IOT, "{}");
    assert_eq!(
        (method.status, method.error_type()),
        (405, "UnknownOperationException")
    );
    // Signed for a service this endpoint does not serve.
    let s3 = request(port, "GET", "/things/t1/jobs", Some("s3"), "");
    assert_eq!(s3.error_type(), "UnrecognizedClientException");
    // A shared path without a signature cannot be told apart.
    let unsigned = request(port, "GET", "/things/t1/jobs/j1", None, "");
    assert_eq!(unsigned.status, 400);
    // A malformed Authorization header is as good as none.
    let odd_auth = raw(
        port,
        b"POST /things/oddauth HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: AWS4-HMAC-SHA256 Credential=a/b\r\nContent-Length: 2\r\n\r\n{}",
    );
    assert_eq!(odd_auth.status, 200);
    let admin = request(port, "DELETE", "/_spec/clock", None, "");
    assert_eq!(admin.status, 404);
}

#[test]
fn not_json_oversized_and_unknown_members() {
    let server = Server::start(&["--clock", "manual"]);
    let port = server.port("http");
    create_thing(port, "keep");

    let not_json = request(port, "PUT", "/jobs/j1", IOT, "{\"jobId\": ");
    assert_eq!(
        (not_json.status, not_json.error_type()),
        (400, "InvalidRequestException")
    );
    assert!(not_json.json()["message"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    let array = request(port, "POST", "/things/t1/jobs/j1", DATA, "[]");
    assert_eq!(array.error_type(), "InvalidRequestException");

    // Over 128 KiB: refused by its Content-Length, before the body is read...
    let big = "x".repeat(128 * 1024 + 1);
    let body = format!("{{\"document\": \"{big}\"}}");
    let oversized = request(port, "PUT", "/jobs/j2", IOT, &body);
    assert_eq!(
        (oversized.status, oversized.error_type()),
        (413, "RequestEntityTooLargeException")
    );
    // ...and without one (chunked), once it runs over.
    let chunk = "a".repeat(64 * 1024);
    let mut chunked = String::from(
        "PUT /jobs/j3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    for _ in 0..3 {
        chunked.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    chunked.push_str("0\r\n\r\n");
    let streamed = raw(port, chunked.as_bytes());
    assert_eq!(streamed.status, 413);

    // Unknown members are ignored, as AWS's JSON protocols ignore them.
    let odd = request(
        port,
        "POST",
        "/things/odd",
        IOT,
        r#"{"noSuchMember": 1, "attributePayload": {"attributes": {"a": "b"}}}"#,
    );
    assert_eq!(odd.status, 200, "{}", String::from_utf8_lossy(&odd.body));
    assert!(thing_exists(port, "odd"));
    // A member of the wrong type is the specification's InvalidRequestException.
    let typed = request(
        port,
        "GET",
        "/things/keep/jobs/j1?executionNumber=many",
        DATA,
        "",
    );
    assert_eq!(typed.error_type(), "InvalidRequestException");
    assert!(typed.json()["message"]
        .as_str()
        .unwrap()
        .contains("executionNumber"));
    assert!(thing_exists(port, "keep"));
}

#[test]
fn refusals_carry_status_type_and_execution_state() {
    let server = Server::start(&["--clock", "manual", "--start", "50"]);
    let port = server.port("http");
    create_thing(port, "t1");
    let job = json!({"targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"],
                     "document": "{}"});
    assert_eq!(
        request(port, "PUT", "/jobs/j1", IOT, &job.to_string()).status,
        200
    );
    // A version that does not match: 409, with the execution's state (decision 7).
    let conflict = request(
        port,
        "POST",
        "/things/t1/jobs/j1",
        DATA,
        r#"{"status": "IN_PROGRESS", "expectedVersion": 5}"#,
    );
    assert_eq!(conflict.status, 409);
    assert_eq!(conflict.error_type(), "InvalidStateTransitionException");
    let body = conflict.json();
    assert!(body["message"].is_string());
    assert_eq!(body["executionState"]["status"], "QUEUED");
    assert_eq!(body["executionState"]["versionNumber"], 1);
    assert!(body.get("code").is_none(), "the code travels in the header");
    // A feature the specification leaves out is told so, distinctly.
    let list = request(port, "GET", "/things", IOT, "");
    assert_eq!(
        (list.status, list.error_type()),
        (501, "NotModelledException")
    );
    assert!(list.json()["message"]
        .as_str()
        .unwrap()
        .contains("ListThings"));
}

#[test]
fn per_service_ports_serve_unsigned_clients() {
    let server = Server::start(&["--data-port", "0", "--control-port", "0"]);
    let (data, control) = (server.port("data"), server.port("control"));
    assert_eq!(
        request(control, "POST", "/things/t1", None, "{}").status,
        200
    );
    let job = json!({"targets": ["arn:aws:iot:us-east-1:123456789012:thing/t1"],
                     "document": "{}"});
    assert_eq!(
        request(control, "PUT", "/jobs/j1", None, &job.to_string()).status,
        200
    );
    // The shared path, unsigned, on each service's own port.
    let d = request(data, "GET", "/things/t1/jobs/j1", None, "").json();
    assert_eq!(d["execution"]["status"], "QUEUED");
    assert!(d["execution"].get("thingArn").is_none());
    let c = request(control, "GET", "/things/t1/jobs/j1", None, "").json();
    assert_eq!(c["execution"]["status"], "QUEUED");
    assert!(c["execution"]["thingArn"].is_string());
    // A per-service port ignores the signature's service.
    let d2 = request(data, "GET", "/things/t1/jobs/j1", IOT, "").json();
    assert!(d2["execution"].get("thingArn").is_none());
    // A control-plane path on the data port is unknown there.
    assert_eq!(request(data, "PUT", "/jobs/j2", None, "{}").status, 404);
}

#[test]
fn a_client_that_goes_away_mid_request_changes_nothing() {
    let server = Server::start(&["--clock", "manual"]);
    let port = server.port("http");
    create_thing(port, "before");
    // Headers and half a body, then the connection closes.
    {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(
            b"POST /things/half HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=A/2/r/iot/aws4_request\r\nContent-Length: 40\r\n\r\n{\"attributePayload\":",
        )
        .unwrap();
    }
    // Only headers, then gone.
    {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"PUT /things/t/jobs/$next HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
    }
    // Garbage instead of HTTP.
    {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"\x00\x01 not http at all\r\n\r\n").unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(thing_exists(port, "before"));
    assert!(!thing_exists(port, "half"));
    create_thing(port, "after");
    assert!(thing_exists(port, "after"));
}

#[test]
fn connections_beyond_the_bound_wait_their_turn() {
    let server = Server::start(&["--clock", "manual", "--max-connections", "2"]);
    let port = server.port("http");
    let hold: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut third = TcpStream::connect(("127.0.0.1", port)).unwrap();
    third
        .write_all(b"POST /things/t3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    let waited = std::io::Read::read(&mut third, &mut byte);
    assert!(waited.is_err(), "served beyond the bound: {waited:?}");
    drop(hold);
    third
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The first byte was not consumed: the whole answer is still to be read.
    let reply = read_reply(&mut third);
    assert_eq!(reply.status, 200);
}

#[test]
fn the_admin_api_refuses_what_it_cannot_do() {
    let server = Server::start(&["--clock", "manual", "--start", "500"]);
    let port = server.port("http");
    let clock = request(port, "GET", "/_spec/clock", None, "").json();
    assert_eq!(
        clock,
        json!({"now": 500, "clock": "manual", "nextTimer": null})
    );
    let back = request(port, "POST", "/_spec/clock", None, r#"{"set": 10}"#);
    assert_eq!(back.status, 400);
    assert!(back.json()["message"]
        .as_str()
        .unwrap()
        .contains("never goes back"));
    let bad = request(port, "POST", "/_spec/clock", None, r#"{"advance": -1}"#);
    assert_eq!(bad.status, 400);
    let moved = request(port, "POST", "/_spec/clock", None, r#"{"advance": 25}"#).json();
    assert_eq!(moved["now"], 525);
    create_thing(port, "t1");
    assert_eq!(
        request(port, "POST", "/_spec/reset", None, "").json()["now"],
        500
    );
    assert!(!thing_exists(port, "t1"));

    let wall = Server::start(&[]);
    let refused = request(
        wall.port("http"),
        "POST",
        "/_spec/clock",
        None,
        r#"{"set": 1}"#,
    );
    assert_eq!(refused.status, 400);
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .contains("--clock manual"));
}
