//! The handle every connection holds: one lock around the [`Actor`] that owns the
//! specification, so that requests from every HTTP connection, every MQTT client and the
//! timer task are applied one at a time, in the order they take the lock (tokio's mutex
//! is fair: first come, first served).
//!
//! The connection's own task applies its request under the lock and forwards what the
//! specification published before it lets go, so a device hears the messages of one
//! request after those of every request applied before it, whichever connection sent them.
//! There is no hop to another task: a round trip wakes the server once, when the request
//! arrives (docs/performance.md, "The server", measured what a hop cost).
//!
//! With the wall clock, one more task fires timers: it sleeps until the earliest
//! deadline, and a request that sets an earlier one wakes it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use iot_jobs_spec::trace::Answer;
use iot_jobs_spec::Plane;
use serde_json::Value;
use tokio::sync::{Mutex, Notify};

use crate::actor::{unix_now, Actor, Admin, ClockMode};
use crate::mqtt::Forwarder;

/// The lock around the specification, and where its messages go.
pub struct Handle {
    actor: Mutex<Actor>,
    forwarder: Option<Forwarder>,
    /// Wakes the timer task when a request sets a deadline earlier than [`Self::armed`].
    timer: Notify,
    /// The deadline the timer task sleeps until (`u64::MAX`: none), written under the
    /// lock.
    armed: AtomicU64,
}

/// The answer to a request that came after [`Handle::shut_down`].
#[derive(Debug, PartialEq, Eq)]
pub struct ShutDown;

impl Handle {
    /// A handle to `actor`, publishing through `forwarder` when there is a broker.
    pub fn new(actor: Actor, forwarder: Option<Forwarder>) -> Self {
        Self {
            actor: Mutex::new(actor),
            forwarder,
            timer: Notify::new(),
            armed: AtomicU64::new(u64::MAX),
        }
    }

    /// Call for every HTTP call: applies it and gives the specification's answer.
    pub async fn call(
        self: &Arc<Self>,
        plane: Plane,
        name: &str,
        input: Value,
    ) -> Result<Answer, ShutDown> {
        let mut actor = self.actor.lock().await;
        if actor.is_closed() {
            return Err(ShutDown);
        }
        let answer = actor.call(plane, name, input);
        self.after(&mut actor).await;
        Ok(answer)
    }

    /// Call for every device publish on a reserved topic.
    pub async fn publish(self: &Arc<Self>, topic: String, payload: &[u8]) -> Result<(), ShutDown> {
        let mut actor = self.actor.lock().await;
        if actor.is_closed() {
            return Err(ShutDown);
        }
        actor.publish(topic, payload);
        self.after(&mut actor).await;
        Ok(())
    }

    /// Call for every admin request (`/_spec/`).
    pub async fn admin(self: &Arc<Self>, op: Admin) -> Result<Result<Value, String>, ShutDown> {
        let mut actor = self.actor.lock().await;
        if actor.is_closed() {
            return Err(ShutDown);
        }
        let answer = actor.admin(op);
        self.after(&mut actor).await;
        Ok(answer)
    }

    /// Call once, on Ctrl-C: flushes the record; every later request gets [`ShutDown`].
    pub async fn shut_down(&self) {
        self.actor.lock().await.close();
        self.timer.notify_one();
    }

    /// Forwards what the request published, then wakes the timer task if the request set
    /// a deadline earlier than the one it sleeps until. Runs under the lock.
    ///
    /// The request itself was applied at once, with no await; only forwarding awaits. If
    /// the caller's future is dropped there (an HTTP client that goes away), the
    /// messages not yet forwarded stay in the actor and a task is spawned to forward
    /// them, so no message is lost (the one in flight may go twice: QoS 1 allows it).
    async fn after(self: &Arc<Self>, actor: &mut Actor) {
        let mut unfinished = Unfinished(Some(Arc::clone(self)));
        self.settle(actor).await;
        unfinished.0 = None;
    }

    /// Forwards what is left to forward, then wakes the timer task if the earliest
    /// deadline is earlier than the one it sleeps until. Runs under the lock.
    async fn settle(&self, actor: &mut Actor) {
        self.forward(actor).await;
        if actor.clock() == ClockMode::Wall {
            let next = actor.next_timer().unwrap_or(u64::MAX);
            if next < self.armed.load(Ordering::Acquire) {
                self.timer.notify_one();
            }
        }
    }

    /// Forwards every message of `actor` not forwarded yet, oldest first.
    async fn forward(&self, actor: &mut Actor) {
        while let Some((topic, payload)) = actor.next_outgoing() {
            if let Some(f) = &self.forwarder {
                f.forward(topic, payload.clone()).await;
            }
            actor.forwarded();
        }
    }

    /// The wall clock's timer task: run it once, spawned, when the clock is
    /// [`ClockMode::Wall`]. It sleeps until the specification's earliest deadline (or
    /// until a request sets an earlier one) and then fires every timer due, until
    /// [`Handle::shut_down`].
    pub async fn run_timers(&self) {
        loop {
            let deadline = {
                let actor = self.actor.lock().await;
                if actor.is_closed() {
                    return;
                }
                let deadline = actor.next_timer();
                self.armed
                    .store(deadline.unwrap_or(u64::MAX), Ordering::Release);
                deadline
            };
            let sleep = async {
                match deadline {
                    Some(t) => {
                        tokio::time::sleep(Duration::from_secs(t).saturating_sub(unix_now())).await
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = sleep => {
                    let mut actor = self.actor.lock().await;
                    if actor.is_closed() {
                        return;
                    }
                    actor.fire_due_timers();
                    self.armed.store(u64::MAX, Ordering::Release);
                    self.forward(&mut actor).await;
                }
                () = self.timer.notified() => {}
            }
        }
    }
}

/// Armed while a request's messages are forwarded: dropped armed (the future was
/// cancelled), it spawns a task that forwards what is left and wakes the timer task if
/// it must.
struct Unfinished(Option<Arc<Handle>>);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            tokio::spawn(async move {
                let mut actor = handle.actor.lock().await;
                handle.settle(&mut actor).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iot_jobs_spec::Config;
    use serde_json::json;
    use tokio::sync::mpsc;

    const THING_ARN: &str = "arn:aws:iot:us-east-1:123456789012:thing/t1";

    /// A call whose caller goes away while its messages are forwarded still has every
    /// message forwarded, in order: the ones left are forwarded by a task of their own.
    #[tokio::test]
    async fn messages_of_a_call_whose_caller_went_away_are_still_forwarded() {
        // Room for one message: forwarding the second waits until the first is taken.
        let (to, mut published) = mpsc::channel(1);
        let actor = Actor::new(Config::default(), ClockMode::Manual, 100, None).unwrap();
        let spec = Arc::new(Handle::new(actor, Some(Forwarder::channel(to))));
        let data = Plane::Data;
        let control = Plane::Control;
        spec.call(control, "CreateThing", json!({"thingName": "t1"}))
            .await
            .unwrap();
        // CreateJob queues an execution: notify and notify-next for t1.
        let created = json!({"jobId": "j1", "document": "{}", "targets": [THING_ARN]});
        let call = spec.call(control, "CreateJob", created);
        tokio::select! {
            _ = call => panic!("the call finished with the channel full"),
            () = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        // The call is dropped, waiting to forward its second message.
        let mut topics = Vec::new();
        while topics.len() < 2 {
            let next = tokio::time::timeout(Duration::from_secs(5), published.recv());
            let (topic, _) = next.await.expect("a message").expect("the channel is open");
            topics.push(topic);
        }
        assert_eq!(
            topics,
            [
                "$aws/things/t1/jobs/notify",
                "$aws/things/t1/jobs/notify-next"
            ]
        );
        // And the lock is free again: the next call is answered.
        let described = spec
            .call(
                data,
                "DescribeJobExecution",
                json!({"thingName": "t1", "jobId": "j1"}),
            )
            .await
            .unwrap();
        assert!(matches!(described, Answer::Output(_)), "{described:?}");
    }
}
