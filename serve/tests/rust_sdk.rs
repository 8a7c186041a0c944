//! The AWS SDK for Rust (`aws-sdk-iotjobsdataplane`) against the server binary: every
//! answer parsed into the SDK's typed output, every refusal into its typed error variant.
//! The control-plane setup goes over raw HTTP (the `iot` SDK is not a dependency).

mod common;

use aws_sdk_iotjobsdataplane as jobs;
use aws_sdk_iotjobsdataplane::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_iotjobsdataplane::types::JobExecutionStatus;
use common::{request, Server};
use serde_json::json;

fn client(port: u16) -> jobs::Client {
    let config = jobs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        // Any credentials: the server reads only the signature's service.
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    jobs::Client::from_conf(config)
}

fn setup(port: u16, thing: &str, job: &str) {
    let iot = Some("iot");
    assert_eq!(
        request(port, "POST", &format!("/things/{thing}"), iot, "{}").status,
        200
    );
    let body = json!({"targets": [format!("arn:aws:iot:us-east-1:123456789012:thing/{thing}")],
                      "document": "{\"op\":\"flash\"}"});
    let created = request(port, "PUT", &format!("/jobs/{job}"), iot, &body.to_string());
    assert_eq!(created.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_parses_every_answer() {
    let server = Server::start(&["--clock", "manual", "--start", "2000"]);
    let port = server.port("http");
    setup(port, "r1", "fw");
    let c = client(port);

    let pending = c
        .get_pending_job_executions()
        .thing_name("r1")
        .send()
        .await
        .unwrap();
    let queued = pending.queued_jobs();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].job_id(), Some("fw"));
    assert_eq!(queued[0].queued_at(), 2000);
    assert!(pending.in_progress_jobs().is_empty());

    let next = c
        .describe_job_execution()
        .thing_name("r1")
        .job_id("$next")
        .include_job_document(true)
        .send()
        .await
        .unwrap();
    let e = next.execution().unwrap();
    assert_eq!(e.status(), Some(&JobExecutionStatus::Queued));
    assert_eq!(e.job_document(), Some("{\"op\":\"flash\"}"));

    let started = c
        .start_next_pending_job_execution()
        .thing_name("r1")
        .status_details("agent", "rust")
        .step_timeout_in_minutes(2)
        .send()
        .await
        .unwrap();
    let e = started.execution().unwrap();
    assert_eq!(e.status(), Some(&JobExecutionStatus::InProgress));
    assert_eq!((e.version_number(), e.execution_number()), (2, Some(1)));
    assert_eq!(e.approximate_seconds_before_timed_out(), Some(120));
    assert_eq!(e.started_at(), Some(2000));

    let updated = c
        .update_job_execution()
        .thing_name("r1")
        .job_id("fw")
        .status(JobExecutionStatus::Succeeded)
        .status_details("result", "ok")
        .expected_version(2)
        .execution_number(1)
        .include_job_execution_state(true)
        .include_job_document(true)
        .step_timeout_in_minutes(-1)
        .send()
        .await
        .unwrap();
    let state = updated.execution_state().unwrap();
    assert_eq!(state.status(), Some(&JobExecutionStatus::Succeeded));
    assert_eq!(state.version_number(), 3);
    assert_eq!(
        state
            .status_details()
            .unwrap()
            .get("result")
            .map(String::as_str),
        Some("ok")
    );
    assert_eq!(updated.job_document(), Some("{\"op\":\"flash\"}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_gets_the_typed_error_variants() {
    use jobs::operation::describe_job_execution::DescribeJobExecutionError as Describe;
    use jobs::operation::update_job_execution::UpdateJobExecutionError as Update;

    let server = Server::start(&["--clock", "manual"]);
    let port = server.port("http");
    setup(port, "r2", "fw");
    let c = client(port);

    let missing = c
        .describe_job_execution()
        .thing_name("r2")
        .job_id("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(missing, Describe::ResourceNotFoundException(_)),
        "{missing:?}"
    );

    let invalid = c
        .describe_job_execution()
        .thing_name("r2")
        .job_id("bad*id")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(invalid, Describe::InvalidRequestException(_)),
        "{invalid:?}"
    );

    let conflict = c
        .update_job_execution()
        .thing_name("r2")
        .job_id("fw")
        .status(JobExecutionStatus::InProgress)
        .expected_version(9)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let Update::InvalidStateTransitionException(e) = &conflict else {
        panic!("{conflict:?}")
    };
    assert!(e.message().is_some_and(|m| !m.is_empty()));

    c.update_job_execution()
        .thing_name("r2")
        .job_id("fw")
        .status(JobExecutionStatus::Rejected)
        .send()
        .await
        .unwrap();
    let terminal = c
        .describe_job_execution()
        .thing_name("r2")
        .job_id("fw")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(terminal, Describe::TerminalStateException(_)),
        "{terminal:?}"
    );
}
