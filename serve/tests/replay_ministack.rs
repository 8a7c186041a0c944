//! The replayer against a system no one here wrote: ministack (a pip-installable AWS
//! emulator, version pinned below), over HTTP. Opt-in, it installs ministack into a venv
//! (target/ministack-venv, the one serve/clients/ministack.sh makes) from PyPI:
//!
//! ```sh
//! cargo test -p iot-jobs-serve --test replay_ministack -- --ignored --nocapture
//! ```
//!
//! It writes the parity report to target/ministack-parity.md (and .json);
//! docs/peers/ministack.md is that report with its reading.

mod common;
mod replay_support;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use iot_jobs_serve::replay::parity::Parity;
use iot_jobs_spec::trace::Outcome;

const VERSION: &str = "1.5.33";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The venv with ministack VERSION in it.
fn venv() -> PathBuf {
    let venv = std::env::var_os("MINISTACK_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/ministack-venv"));
    let python = venv.join("bin/python");
    if !python.exists() {
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "python3 -m venv {}",
            venv.display()
        );
    }
    let shown = Command::new(&python)
        .args(["-m", "pip", "show", "ministack"])
        .output()
        .unwrap();
    let installed =
        String::from_utf8_lossy(&shown.stdout).contains(&format!("Version: {VERSION}\n"));
    if !installed {
        let status = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("ministack=={VERSION}"))
            .status()
            .unwrap();
        assert!(status.success(), "pip install ministack=={VERSION}");
    }
    venv
}

struct Ministack(Child);

impl Drop for Ministack {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts ministack on `port`, serving iot and iot-jobs-data for the account the traces
/// name, and waits for its health check.
fn start(venv: &Path, port: u16) -> Ministack {
    let child = Command::new(venv.join("bin/ministack"))
        .env("GATEWAY_PORT", port.to_string())
        .env("BIND_HOST", "127.0.0.1")
        .env("SERVICES", "iot,iot-jobs-data")
        .env("MINISTACK_ACCOUNT_ID", "123456789012")
        .env("IOT_MTLS_ENABLED", "0")
        .env("SFTP_ENABLED", "0")
        .env("PERSIST_STATE", "0")
        .env("LOG_LEVEL", "WARNING")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("ministack starts");
    let ministack = Ministack(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && common::request(port, "GET", "/_ministack/health", None, "").status == 200
        {
            return ministack;
        }
        assert!(
            Instant::now() < deadline,
            "ministack did not answer within 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn traces(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    files
}

#[test]
#[ignore = "installs ministack from PyPI and starts it: opt-in (see the module docs)"]
fn replay_the_vectors_and_examples_into_ministack() {
    let venv = venv();
    let port = free_port();
    let _ministack = start(&venv, port);
    // Relative names in the report, as a user would type them.
    std::env::set_current_dir(root()).unwrap();
    let mut args = vec![
        "--endpoint".to_owned(),
        format!("http://127.0.0.1:{port}"),
        // ministack stamps its own clock: the answer to a step comes within a few seconds.
        "--time-tolerance".into(),
        "5".into(),
        "--out".into(),
        "target/ministack-traces".into(),
    ];
    args.extend(traces("tests/vectors"));
    args.extend(traces("docs/examples"));
    let run = replay_support::replay(args);
    let parity = Parity::of(&run);
    let md = parity.markdown();
    std::fs::write("target/ministack-parity.md", &md).unwrap();
    std::fs::write(
        "target/ministack-parity.json",
        serde_json::to_string_pretty(&parity).unwrap(),
    )
    .unwrap();
    println!("{md}");
    // Every file reached ministack and every answer was read: a divergence is a finding,
    // a malformed file is not.
    for file in &run.files {
        assert_ne!(
            file.report.outcome,
            Outcome::Malformed,
            "{:?}",
            file.report.diagnostics()
        );
    }
    let agreed: usize = run.files.iter().map(|f| f.report.agreed).sum();
    assert!(agreed > 100, "{agreed} steps agree");
}
