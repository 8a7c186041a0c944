//! The fleet every measurement runs on, made through the control plane before anything is
//! measured: one thing per client, each the target of the same few jobs, the first of
//! which each thing has started.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hyper::Method;
use serde_json::json;

use crate::http::Connection;

/// Jobs each thing is a target of: one started, the rest queued.
pub const JOBS: usize = 4;

/// A thing and the job whose execution it has started.
#[derive(Clone, Debug)]
pub struct Device {
    /// The thing's name.
    pub thing: String,
    /// The started execution's job.
    pub job: String,
}

/// Creates `things` things and the jobs that target them all, then starts one execution on
/// each thing; the devices, in order.
pub async fn create(addr: SocketAddr, things: usize) -> Result<Vec<Device>, String> {
    let mut c = Connection::open(addr).await?;
    let mut arns = Vec::new();
    for t in 0..things {
        let made = c
            .json(
                "iot",
                Method::POST,
                &format!("/things/bench-{t}"),
                json!({}),
            )
            .await?;
        let arn = made["thingArn"]
            .as_str()
            .ok_or_else(|| format!("CreateThing answered {made}"))?;
        arns.push(arn.to_owned());
    }
    for j in 0..JOBS {
        let job = json!({"targets": arns, "document": json!({"firmware": j}).to_string()});
        c.json("iot", Method::PUT, &format!("/jobs/firmware-{j}"), job)
            .await?;
    }
    let mut devices = Vec::new();
    for t in 0..things {
        let thing = format!("bench-{t}");
        wait_for_rollout(&mut c, &thing).await?;
        let started = c
            .json(
                "iot-jobs-data",
                Method::PUT,
                &format!("/things/{thing}/jobs/$next"),
                json!({}),
            )
            .await?;
        let job = started["execution"]["jobId"]
            .as_str()
            .ok_or_else(|| format!("StartNextPendingJobExecution answered {started}"))?;
        devices.push(Device {
            job: job.to_owned(),
            thing,
        });
    }
    Ok(devices)
}

/// Waits until `thing` has all its executions queued (ministack rolls a job out after
/// answering CreateJob).
async fn wait_for_rollout(c: &mut Connection, thing: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pending = c
            .json(
                "iot-jobs-data",
                Method::GET,
                &format!("/things/{thing}/jobs"),
                serde_json::Value::Null,
            )
            .await?;
        let queued = pending["queuedJobs"].as_array().map_or(0, Vec::len);
        if queued == JOBS {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{thing}: {queued} of {JOBS} executions queued after 30 s"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
