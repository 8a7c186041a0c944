//! The public API used as a dependent uses it: typed requests from the crate's top, the
//! ARN helpers of `Config`, one integer type for every time.

use iot_jobs_spec::{
    Config, ControlDescribeJobExecutionRequest, CreateJobRequest, CreateThingGroupRequest,
    CreateThingRequest, DescribeJobExecutionRequest, DescribeJobRequest,
    JobExecutionsRolloutConfig, Payload, Request, Response, Service,
};
// The crate's own serde_json, for the calls that take or give a `Value`.
use iot_jobs_spec::serde_json::json;

/// Calls `request` at `now`, which the service must accept, and drains what it published.
fn ok(svc: &mut Service, now: u64, request: Request) -> (Response, Vec<Payload>) {
    let response = svc.handle(now, request).expect("accepted");
    let published = std::iter::from_fn(|| svc.poll_message())
        .map(|m| m.payload)
        .collect();
    (response, published)
}

fn create_thing(name: &str) -> Request {
    Request::CreateThing(CreateThingRequest {
        thing_name: name.into(),
        ..Default::default()
    })
}

fn create_job(id: &str, targets: Vec<String>) -> Request {
    Request::CreateJob(Box::new(CreateJobRequest {
        job_id: id.into(),
        targets,
        document: Some("{}".into()),
        ..Default::default()
    }))
}

/// The ARNs a dependent builds with `Config` are the ones the service answers with, in
/// the account and region of that configuration (details, identity).
#[test]
fn the_config_arn_helpers_are_the_arns_the_service_answers_with() {
    let config = Config {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        ..Config::default()
    };
    let mut svc = Service::new(config.clone());
    ok(&mut svc, 0, create_thing("t1"));
    let group = Request::CreateThingGroup(CreateThingGroupRequest {
        thing_group_name: "g1".into(),
        ..Default::default()
    });
    let (Response::CreateThingGroup(g), _) = ok(&mut svc, 0, group) else {
        panic!("not a CreateThingGroup response")
    };
    assert_eq!(g.thing_group_arn, config.thing_group_arn("g1"));
    assert_eq!(
        g.thing_group_arn,
        "arn:aws:iot:eu-west-1:111122223333:thinggroup/g1"
    );

    let (Response::CreateJob(j), _) =
        ok(&mut svc, 0, create_job("j1", vec![config.thing_arn("t1")]))
    else {
        panic!("not a CreateJob response")
    };
    assert_eq!(j.job_arn, config.job_arn("j1"));

    let describe = Request::ControlDescribeJobExecution(ControlDescribeJobExecutionRequest {
        job_id: "j1".into(),
        thing_name: "t1".into(),
        ..Default::default()
    });
    let (Response::ControlDescribeJobExecution(d), _) = ok(&mut svc, 0, describe) else {
        panic!("not a ControlDescribeJobExecution response")
    };
    assert_eq!(d.execution.thing_arn, config.thing_arn("t1"));
}

/// Every time the service reports is the clock's own `u64` reading: a time past
/// `i64::MAX` comes back as it was given (it used to be cut to `i64::MAX` on the wire
/// and in message timestamps, while the clock went on).
#[test]
fn times_past_i64_max_are_reported_as_the_clock_reads_them() {
    let config = Config::default();
    let late = u64::try_from(i64::MAX).expect("fits") + 7;
    let mut svc = Service::new(config.clone());
    ok(&mut svc, late, create_thing("t1"));
    let (_, published) = ok(
        &mut svc,
        late,
        create_job("j1", vec![config.thing_arn("t1")]),
    );
    let timestamps: Vec<u64> = published
        .iter()
        .map(|p| match p {
            Payload::Notify(n) => n.timestamp(),
            Payload::NotifyNext(n) => n.timestamp(),
            other => panic!("unexpected {other}"),
        })
        .collect();
    assert_eq!(timestamps, [late, late], "notify and notify-next");
    assert_eq!(svc.now(), late);

    let job = Request::DescribeJob(DescribeJobRequest {
        job_id: "j1".into(),
        ..Default::default()
    });
    let (Response::DescribeJob(job), _) = ok(&mut svc, late, job) else {
        panic!("not a DescribeJob response")
    };
    assert_eq!(job.job.created_at, late);

    // The data plane's DescribeJobExecution, beside the control plane's of another name.
    let describe = Request::DescribeJobExecution(DescribeJobExecutionRequest {
        job_id: "j1".into(),
        thing_name: "t1".into(),
        ..Default::default()
    });
    let (Response::DescribeJobExecution(d), _) = ok(&mut svc, late, describe) else {
        panic!("not a DescribeJobExecution response")
    };
    let execution = d.execution.expect("described");
    assert_eq!(execution.queued_at, Some(late));
    assert_eq!(execution.last_updated_at, Some(late));
    // The JSON says the same number, not a float or a cut one.
    let (answer, _) = ok(
        &mut svc,
        late,
        Request::DescribeJobExecution(DescribeJobExecutionRequest {
            job_id: "j1".into(),
            thing_name: "t1".into(),
            ..Default::default()
        }),
    );
    assert_eq!(answer.to_json()["execution"]["queuedAt"], json!(late));
}

/// Decision 28: a dependent reads a job's rollout list through `Service::jobs`: the
/// things still waiting, by name, in list order; the batch a minute later releases the
/// head.
#[test]
fn a_job_s_rollout_list_is_read_through_jobs() {
    let config = Config::default();
    let mut svc = Service::new(config.clone());
    for t in ["t1", "t2", "t3"] {
        ok(&mut svc, 0, create_thing(t));
    }
    let targets = ["t1", "t2", "t3"].map(|t| config.thing_arn(t)).to_vec();
    let Request::CreateJob(mut create) = create_job("j1", targets) else {
        unreachable!()
    };
    create.job_executions_rollout_config = Some(JobExecutionsRolloutConfig {
        maximum_per_minute: Some(1),
        ..Default::default()
    });
    ok(&mut svc, 0, Request::CreateJob(create));
    assert_eq!(svc.jobs()[0].waiting, ["t2", "t3"]);
    svc.handle_timeout(60);
    assert_eq!(svc.jobs()[0].waiting, ["t3"]);
}
