//! Starting the server binary for a test and talking raw HTTP to it.

#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// A running server, stopped (SIGINT, then kill) when dropped.
pub struct Server {
    pub child: Child,
    /// The ready line's `ready` object: ports and clock.
    pub ready: Value,
    pub ready_line: String,
}

impl Server {
    /// Starts the binary with `args` (ports 0 unless given) and waits for its ready line.
    pub fn start(args: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_iot-jobs-serve"));
        cmd.args(["--port", "0", "--mqtt-port", "0"]).args(args);
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let parsed: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the ready line {line:?} is not JSON: {e}"));
        Server {
            child,
            ready: parsed["ready"].clone(),
            ready_line: line.trim().to_owned(),
        }
    }

    pub fn port(&self, name: &str) -> u16 {
        self.ready[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no {name} port")) as u16
    }

    /// Sends SIGINT and waits for the process to end; its exit status.
    pub fn interrupt(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not stop within 5 s of SIGINT");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP answer: status, headers (lower-case names), body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The `x-amzn-ErrorType` header.
    pub fn error_type(&self) -> &str {
        self.header("x-amzn-errortype").unwrap_or("")
    }
}

/// Sends `raw` (a whole HTTP/1.1 request) on a new connection and reads the answer.
pub fn raw(port: u16, raw: &[u8]) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(raw).unwrap();
    read_reply(&mut s)
}

/// Reads one answer (with Content-Length) from `s`.
pub fn read_reply(s: &mut TcpStream) -> Reply {
    let mut reader = BufReader::new(s);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (n, v) = line.split_once(':').unwrap();
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

/// A request with a JSON or raw body, optionally signed for `service` (a fake SigV4
/// Authorization header: only its credential scope is read).
pub fn request(port: u16, method: &str, path: &str, service: Option<&str>, body: &str) -> Reply {
    let auth = service
        .map(|s| {
            format!(
                "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261205/us-east-1/{s}/aws4_request, SignedHeaders=host, Signature=00\r\n"
            )
        })
        .unwrap_or_default();
    let text = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(port, text.as_bytes())
}
