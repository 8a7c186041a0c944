//! The modelled service: one value that holds things, groups, jobs and executions, takes
//! requests at logical times, fires timers as its clock moves, and queues the MQTT
//! messages it publishes.

mod control;
mod device;
mod inspect;
mod lifecycle;
mod mqtt;
mod names;
mod notify;
pub(crate) mod outbox;
mod registry;
pub(crate) mod state;
mod transition;
mod views;

use std::collections::VecDeque;

use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, NotModelled};
use crate::request::{Request, Response};
pub use inspect::{ExecutionRecord, JobRecord, TimerKind, TimerRecord};
pub use outbox::{MqttExecution, NotifyNextPayload, NotifyPayload, Payload, RejectedPayload};
use state::State;

/// A message the service publishes on an MQTT topic (`notify`, `notify-next`, replies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The topic, e.g. `$aws/things/t1/jobs/notify-next`.
    pub topic: String,
    /// The payload, typed; it serializes as the JSON published ([`Payload::to_json`]).
    pub payload: Payload,
}

/// The AWS IoT Jobs service, as a pure state machine on a logical clock.
///
/// See the crate documentation for the driver contract. Two services compare equal when
/// their clocks, states and unread messages are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    config: Config,
    now: u64,
    state: State,
    messages: VecDeque<outbox::Outgoing>,
    transitions: VecDeque<TransitionRecord>,
}

/// One change the model made, and the row of [`crate::rules::TRANSITIONS`] that allowed it
/// (kept only with [`Config::record_transitions`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionRecord {
    /// The index of the row in [`crate::rules::TRANSITIONS`].
    pub row: usize,
    /// When it happened.
    pub at: u64,
    /// The job.
    pub job_id: String,
    /// The thing.
    pub thing_name: String,
    /// The execution.
    pub execution_number: i64,
}

impl Service {
    /// A service with no things, groups or jobs, its clock at 0.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            now: 0,
            state: State::default(),
            messages: VecDeque::new(),
            transitions: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Makes timers fire `lateness` seconds after their deadlines from now on
    /// ([`Config::timer_lateness`]): a checker that tries several latenesses moves a
    /// service on which no timer has fired yet.
    pub(crate) fn set_timer_lateness(&mut self, lateness: u64) {
        self.config.timer_lateness = lateness;
    }

    /// The logical time, in whole seconds.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// When the next timer fires, if any runs (an execution's, or a job's startTime or
    /// endTime, decision 32): call [`Service::handle_timeout`] (or [`Service::handle`])
    /// with a time at or after it for the timer to fire. Changes after every call that
    /// changes state.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.next_timer().map(|(at, _)| at)
    }

    /// The next timer to fire: when, and which. Execution timers fire `timer_lateness`
    /// after their deadline, job timers exactly at it (Details, timers); ties go by the
    /// order the timers were set.
    fn next_timer(&self) -> Option<(u64, Due)> {
        let exec = self.state.timers.first().map(|&(d, seq, id)| {
            (
                d.saturating_add(self.config.timer_lateness),
                seq,
                Due::Exec(id),
            )
        });
        let job = self
            .state
            .job_timers
            .first()
            .map(|&(d, seq, id, which)| (d, seq, Due::Job(id, which)));
        match (exec, job) {
            (Some(a), Some(b)) => Some(if (b.0, b.1) < (a.0, a.1) { b } else { a }),
            (a, b) => a.or(b),
        }
        .map(|(at, _, due)| (at, due))
    }

    /// Moves the clock to `now`, firing every timer whose deadline is at or before `now`
    /// at its own deadline, in deadline order (ties: the order they were set). A `now`
    /// earlier than [`Service::now`] leaves the clock where it is: time never goes back.
    /// Calling it when nothing is due is harmless.
    pub fn handle_timeout(&mut self, now: u64) {
        while let Some((fires_at, due)) = self.next_timer() {
            if fires_at > now {
                break;
            }
            self.now = self.now.max(fires_at);
            match due {
                Due::Exec(id) => self.fire_timer(id),
                Due::Job(id, which) => {
                    self.state.job_timers.pop_first();
                    self.fire_job_timer(id, which);
                }
            }
            self.flush_notifications();
        }
        self.now = self.now.max(now);
    }

    /// Handles one request at `now`: first moves the clock there (as
    /// [`Service::handle_timeout`] does), then answers. A refused request changes nothing.
    /// Afterwards, drain [`Service::poll_message`] for what the service published.
    pub fn handle(&mut self, now: u64, request: Request) -> Result<Response, Error> {
        // Every moment of handle_timeout flushed what it touched, so this request starts
        // with nothing touched.
        self.handle_timeout(now);
        let result = self.dispatch(request);
        if result.is_ok() {
            self.flush_notifications();
        } else {
            // A refused request touches nothing (its checks come first); were that ever
            // broken, its touches must not be published.
            debug_assert!(
                self.state.nothing_touched(),
                "a refused request changed state"
            );
            drop(self.state.take_touched());
        }
        result
    }

    /// The next message the service published, oldest first: `notify` and `notify-next`
    /// for changes to a thing's pending executions, stamped with the moment they happened.
    /// Call after each [`Service::handle`] or [`Service::handle_timeout`] until `None`.
    pub fn poll_message(&mut self) -> Option<Message> {
        let o = self.messages.pop_front()?;
        Some(self.message_of(o))
    }

    /// The next transition the model made, oldest first, when
    /// [`Config::record_transitions`] is on: which row of the table each change took.
    pub fn poll_transition(&mut self) -> Option<TransitionRecord> {
        self.transitions.pop_front()
    }

    fn dispatch(&mut self, request: Request) -> Result<Response, Error> {
        use Request as R;
        Ok(match request {
            R::DescribeJobExecution(r) => Response::DescribeJobExecution(self.describe(r)?),
            R::GetPendingJobExecutions(r) => {
                Response::GetPendingJobExecutions(self.get_pending(r)?)
            }
            R::StartNextPendingJobExecution(r) => {
                Response::StartNextPendingJobExecution(self.start_next(r)?)
            }
            R::UpdateJobExecution(r) => Response::UpdateJobExecution(self.update(r)?),
            R::CreateThing(r) => Response::CreateThing(self.create_thing(r)?),
            R::DeleteThing(r) => Response::DeleteThing(self.delete_thing(r)?),
            R::CreateThingGroup(r) => Response::CreateThingGroup(self.create_thing_group(r)?),
            R::AddThingToThingGroup(r) => Response::AddThingToThingGroup(self.add_to_group(r)?),
            R::RemoveThingFromThingGroup(r) => {
                Response::RemoveThingFromThingGroup(self.remove_from_group(r)?)
            }
            R::CreateJob(r) => Response::CreateJob(self.create_job(*r)?),
            R::CancelJob(r) => Response::CancelJob(self.cancel_job(r)?),
            R::CancelJobExecution(r) => Response::CancelJobExecution(self.cancel_execution(r)?),
            R::DeleteJobExecution(r) => Response::DeleteJobExecution(self.delete_execution(r)?),
            R::ControlDescribeJobExecution(r) => {
                Response::ControlDescribeJobExecution(self.control_describe(r)?)
            }
            R::ListJobExecutionsForThing(r) => {
                Response::ListJobExecutionsForThing(self.list_for_thing(r)?)
            }
            R::ListJobExecutionsForJob(r) => {
                Response::ListJobExecutionsForJob(self.list_for_job(r)?)
            }
            R::DescribeJob(r) => Response::DescribeJob(Box::new(self.describe_job(r)?)),
            R::DeleteJob(r) => Response::DeleteJob(self.delete_job(r)?),
            R::GetJobDocument(r) => Response::GetJobDocument(self.get_job_document(r)?),
            R::ListJobs(r) => Response::ListJobs(self.list_jobs(r)?),
            R::DescribeThing(r) => Response::DescribeThing(self.describe_thing(r)?),
            R::UpdateJob(r) => Response::UpdateJob(self.update_job(r)?),
            R::AssociateTargetsWithJob(r) => {
                Response::AssociateTargetsWithJob(self.associate_targets(r)?)
            }
        })
    }
}

/// A timer that is due.
#[derive(Clone, Copy, Debug)]
enum Due {
    Exec(state::ExecId),
    Job(state::JobId, state::JobTimer),
}

/// "Not modelled" for `feature` when `member` is present.
pub(crate) fn not_modelled<T>(
    present: Option<T>,
    feature: &str,
    member: &str,
) -> Result<(), Error> {
    match present {
        Some(_) => Err(NotModelled {
            feature: feature.to_owned(),
            detail: format!("the request sets {member}"),
        }
        .into()),
        None => Ok(()),
    }
}
