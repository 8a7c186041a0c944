//! The replayer over TLS: an `https://` endpoint (a TLS front, in this test, before the
//! project's own server) whose certificate chains to a CA given with `--ca-file`, a data
//! plane on an endpoint of its own (`--data-endpoint`, as AWS serves `iot-jobs-data`),
//! and a certificate that chains to no trusted root, refused.

mod common;
mod replay_support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::Server;
use iot_jobs_spec::trace::Outcome;
use replay_support::replay;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

fn tls_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/examples")
        .join(name)
        .display()
        .to_string()
}

/// A TLS front before `backend`: it hands each connection's plain bytes on, with the
/// certificate of `localhost` from tests/tls/, on a runtime of its own that lives as long
/// as the one returned. Returns its port and the number of handshakes it completed.
struct Front {
    port: u16,
    handshakes: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

fn tls_front(backend: u16) -> Front {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(tls_file("localhost.pem"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    let key = PrivateKeyDer::from_pem_file(tls_file("localhost.key")).unwrap();
    #[allow(deprecated)] // ring, as the replayer uses it (serve/src/replay/wire.rs)
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&handshakes);
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counted = Arc::clone(&counted);
            tokio::spawn(async move {
                // A handshake the client breaks off (an untrusted certificate) ends here.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let Ok(mut plain) = TcpStream::connect(("127.0.0.1", backend)).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    Front {
        port,
        handshakes,
        _runtime: runtime,
    }
}

fn args(control: String, extra: &[String], file: &str) -> Vec<String> {
    let mut a = vec!["--endpoint".to_owned(), control];
    a.extend(extra.iter().cloned());
    a.extend(["--clock-control", "spec", "--settle", "15"].map(String::from));
    a.push(example(file));
    a
}

#[test]
fn an_https_endpoint_whose_certificate_chains_to_the_ca_file_is_replayed_and_agrees() {
    let server = Server::start(&["--clock", "manual"]);
    let front = tls_front(server.port("http"));
    let ca = tls_file("ca.pem").display().to_string();
    let run = replay(args(
        format!("https://localhost:{}", front.port),
        &["--ca-file".to_owned(), ca],
        "refusals.jsonl",
    ));
    let r = &run.files[0].report;
    assert_eq!(r.outcome, Outcome::Agrees, "{:?}", r.diagnostics());
    assert!(
        r.steps > 5 && r.agreed == r.steps,
        "{} of {}",
        r.agreed,
        r.steps
    );
}

#[test]
fn the_data_plane_goes_to_its_own_endpoint() {
    // Two fronts before the one server: the control plane's calls through the first, the
    // data plane's through the second. Each front sees connections only if each plane's
    // calls go to their own endpoint.
    let server = Server::start(&["--clock", "manual"]);
    let (control, data) = (
        tls_front(server.port("http")),
        tls_front(server.port("http")),
    );
    let ca = tls_file("ca.pem").display().to_string();
    let run = replay(args(
        format!("https://localhost:{}", control.port),
        &[
            "--ca-file".to_owned(),
            ca,
            "--data-endpoint".to_owned(),
            format!("https://localhost:{}", data.port),
        ],
        "device-lifecycle.jsonl",
    ));
    let r = &run.files[0].report;
    assert_eq!(r.outcome, Outcome::Agrees, "{:?}", r.diagnostics());
    assert_eq!(r.agreed, r.steps);
    let seen = |f: &Front| f.handshakes.load(Ordering::SeqCst);
    assert!(
        seen(&control) > 0 && seen(&data) > 0,
        "{} {}",
        seen(&control),
        seen(&data)
    );
}

#[test]
fn a_certificate_that_chains_to_no_trusted_root_is_refused() {
    // Without --ca-file, the test CA is no root of the system's: the handshake fails and
    // the endpoint cannot be reached; nothing agrees.
    let server = Server::start(&["--clock", "manual"]);
    let front = tls_front(server.port("http"));
    let run = replay(args(
        format!("https://localhost:{}", front.port),
        &[],
        "refusals.jsonl",
    ));
    let r = &run.files[0].report;
    assert_ne!(r.outcome, Outcome::Agrees);
    assert_eq!(r.agreed, 0);
    let said = format!("{:?}", r.diagnostics());
    assert!(
        said.contains("cannot be reached") && said.contains("certificate"),
        "{said}"
    );
}

#[test]
fn a_ca_file_without_a_certificate_or_not_there_is_refused_before_anything_is_sent() {
    use clap::Parser;
    use iot_jobs_serve::replay::{Args, Replayer};
    let connect = |ca: &Path| {
        let args = Args::parse_from([
            "replay",
            "--endpoint",
            "https://localhost:1",
            "--ca-file",
            ca.to_str().unwrap(),
            "--dry-run",
            "x.jsonl",
        ]);
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(Replayer::connect(args))
            .err()
            .expect("refused")
    };
    // A key is PEM, but no certificate.
    let said = connect(&tls_file("localhost.key"));
    assert!(
        said.contains("--ca-file") && said.contains("no PEM certificate"),
        "{said}"
    );
    let said = connect(&tls_file("missing.pem"));
    assert!(
        said.contains("--ca-file") && said.contains("missing.pem"),
        "{said}"
    );
}
