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
use std::time::Duration;

use iot_jobs_spec::trace::Answer;
use iot_jobs_spec::Plane;
use serde_json::Value;
use tokio::sync::{Mutex, Notify};

use crate::actor::{unix_now, Actor, Admin, ClockMode, Outgoing};
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
    pub async fn call(&self, plane: Plane, name: &str, input: Value) -> Result<Answer, ShutDown> {
        let mut actor = self.actor.lock().await;
        if actor.is_closed() {
            return Err(ShutDown);
        }
        let answer = actor.call(plane, name, input);
        self.after(&mut actor).await;
        Ok(answer)
    }

    /// Call for every device publish on a reserved topic.
    pub async fn publish(&self, topic: String, payload: &[u8]) -> Result<(), ShutDown> {
        let mut actor = self.actor.lock().await;
        if actor.is_closed() {
            return Err(ShutDown);
        }
        actor.publish(topic, payload);
        self.after(&mut actor).await;
        Ok(())
    }

    /// Call for every admin request (`/_spec/`).
    pub async fn admin(&self, op: Admin) -> Result<Result<Value, String>, ShutDown> {
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
    async fn after(&self, actor: &mut Actor) {
        self.forward(actor.take_outgoing()).await;
        if actor.clock() == ClockMode::Wall {
            let next = actor.next_timer().unwrap_or(u64::MAX);
            if next < self.armed.load(Ordering::Acquire) {
                self.timer.notify_one();
            }
        }
    }

    async fn forward(&self, messages: Vec<Outgoing>) {
        if let Some(f) = &self.forwarder {
            for (topic, payload) in messages {
                f.forward(&topic, payload).await;
            }
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
                    let out = actor.take_outgoing();
                    self.forward(out).await;
                }
                () = self.timer.notified() => {}
            }
        }
    }
}
