//! The decision catalog: every point where AWS's own material is silent or self-contradictory,
//! and the answer this specification gives to it, kept as data.
//!
//! An oracle cannot leave a question open, so each [`Decision`] states one rule and how well
//! that rule is backed. The grades ([`Evidence`]) read, strongest first:
//!
//! - **DOC**: AWS documentation (the Developer Guide or the API reference) says so.
//! - **MODEL**: AWS's machine-readable service model declares it.
//! - **MEASURED**: a capture from the live service, with its date, published by the authors
//!   of a third-party emulator, shows it.
//! - **INFERRED**: nothing states it, but code or samples written by AWS depend on it.
//! - **CHOICE**: no evidence points either way; the crate picked the answer that keeps the
//!   model consistent.
//!
//! A rule graded INFERRED or CHOICE is the crate's own call and can be changed in one place:
//! its row of the transition table ([`crate::rules::TRANSITIONS`]) or a constant or switch in
//! [`crate::config`].
//!
//! [`DECISIONS`] is the only copy of these rules. `docs/decisions.md` is not written by hand:
//! `iot-jobs-spec decisions` prints [`render_markdown`], and that output is the file.

use serde::{Serialize, Serializer};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

use crate::evidence::Evidence;

use DecisionId as Id;
use Evidence::{Choice, Doc, Inferred, Measured, Model};

/// The id of a decision: its number (`1`, `1b`, ... `26`) or the name of its smaller
/// point (`details-identity`, ...; `out-of-model`), as docs/decisions.md heads it.
///
/// The catalog ([`DECISIONS`]), the rows of [`crate::rules::TRANSITIONS`] and the tests
/// name decisions by this type, so a reference to a decision that does not exist does not
/// compile. It is written (`Display`, `serde`) and parsed (`FromStr`) as the heading's text.
///
/// ```
/// use iot_jobs_spec::decisions::DecisionId;
/// assert_eq!(DecisionId::D1b.to_string(), "1b");
/// assert_eq!("details-lists".parse(), Ok(DecisionId::DetailsLists));
/// assert_eq!(DecisionId::D17.decision().title, "Timing out");
/// ```
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
)]
pub enum DecisionId {
    /// Decision `1` in docs/decisions.md.
    #[strum(serialize = "1")]
    D1,
    /// Decision `1b` in docs/decisions.md.
    #[strum(serialize = "1b")]
    D1b,
    /// Decision `2` in docs/decisions.md.
    #[strum(serialize = "2")]
    D2,
    /// Decision `3` in docs/decisions.md.
    #[strum(serialize = "3")]
    D3,
    /// Decision `4` in docs/decisions.md.
    #[strum(serialize = "4")]
    D4,
    /// Decision `5` in docs/decisions.md.
    #[strum(serialize = "5")]
    D5,
    /// Decision `6` in docs/decisions.md.
    #[strum(serialize = "6")]
    D6,
    /// Decision `7` in docs/decisions.md.
    #[strum(serialize = "7")]
    D7,
    /// Decision `8` in docs/decisions.md.
    #[strum(serialize = "8")]
    D8,
    /// Decision `9` in docs/decisions.md.
    #[strum(serialize = "9")]
    D9,
    /// Decision `10` in docs/decisions.md.
    #[strum(serialize = "10")]
    D10,
    /// Decision `11` in docs/decisions.md.
    #[strum(serialize = "11")]
    D11,
    /// Decision `12` in docs/decisions.md.
    #[strum(serialize = "12")]
    D12,
    /// Decision `13` in docs/decisions.md.
    #[strum(serialize = "13")]
    D13,
    /// Decision `14` in docs/decisions.md.
    #[strum(serialize = "14")]
    D14,
    /// Decision `15` in docs/decisions.md.
    #[strum(serialize = "15")]
    D15,
    /// Decision `16` in docs/decisions.md.
    #[strum(serialize = "16")]
    D16,
    /// Decision `17` in docs/decisions.md.
    #[strum(serialize = "17")]
    D17,
    /// Decision `18` in docs/decisions.md.
    #[strum(serialize = "18")]
    D18,
    /// Decision `19` in docs/decisions.md.
    #[strum(serialize = "19")]
    D19,
    /// Decision `20` in docs/decisions.md.
    #[strum(serialize = "20")]
    D20,
    /// Decision `21` in docs/decisions.md.
    #[strum(serialize = "21")]
    D21,
    /// Decision `22` in docs/decisions.md.
    #[strum(serialize = "22")]
    D22,
    /// Decision `23` in docs/decisions.md.
    #[strum(serialize = "23")]
    D23,
    /// Decision `24` in docs/decisions.md.
    #[strum(serialize = "24")]
    D24,
    /// Decision `25` in docs/decisions.md.
    #[strum(serialize = "25")]
    D25,
    /// Decision `26` in docs/decisions.md.
    #[strum(serialize = "26")]
    D26,
    /// Decision `27` in docs/decisions.md.
    #[strum(serialize = "27")]
    D27,
    /// Decision `28` in docs/decisions.md.
    #[strum(serialize = "28")]
    D28,
    /// Decision `29` in docs/decisions.md.
    #[strum(serialize = "29")]
    D29,
    /// Decision `30` in docs/decisions.md.
    #[strum(serialize = "30")]
    D30,
    /// Decision `31` in docs/decisions.md.
    #[strum(serialize = "31")]
    D31,
    /// Decision `32` in docs/decisions.md.
    #[strum(serialize = "32")]
    D32,
    /// Decision `33` in docs/decisions.md.
    #[strum(serialize = "33")]
    D33,
    /// Decision `34` in docs/decisions.md.
    #[strum(serialize = "34")]
    D34,
    /// Decision `35` in docs/decisions.md.
    #[strum(serialize = "35")]
    D35,
    /// Decision `36` in docs/decisions.md.
    #[strum(serialize = "36")]
    D36,
    /// Decision `37` in docs/decisions.md.
    #[strum(serialize = "37")]
    D37,
    /// Decision `38` in docs/decisions.md.
    #[strum(serialize = "38")]
    D38,
    /// Decision `39` in docs/decisions.md.
    #[strum(serialize = "39")]
    D39,
    /// Decision `40` in docs/decisions.md.
    #[strum(serialize = "40")]
    D40,
    /// Decision `details-identity` in docs/decisions.md.
    #[strum(serialize = "details-identity")]
    DetailsIdentity,
    /// Decision `details-registry` in docs/decisions.md.
    #[strum(serialize = "details-registry")]
    DetailsRegistry,
    /// Decision `details-decoding` in docs/decisions.md.
    #[strum(serialize = "details-decoding")]
    DetailsDecoding,
    /// Decision `details-createjob` in docs/decisions.md.
    #[strum(serialize = "details-createjob")]
    DetailsCreateJob,
    /// Decision `details-updates` in docs/decisions.md.
    #[strum(serialize = "details-updates")]
    DetailsUpdates,
    /// Decision `details-shapes` in docs/decisions.md.
    #[strum(serialize = "details-shapes")]
    DetailsShapes,
    /// Decision `details-lists` in docs/decisions.md.
    #[strum(serialize = "details-lists")]
    DetailsLists,
    /// Decision `details-retries` in docs/decisions.md.
    #[strum(serialize = "details-retries")]
    DetailsRetries,
    /// Decision `details-timers-messages` in docs/decisions.md.
    #[strum(serialize = "details-timers-messages")]
    DetailsTimersMessages,
    /// Decision `details-mqtt` in docs/decisions.md.
    #[strum(serialize = "details-mqtt")]
    DetailsMqtt,
    /// Decision `details-checker` in docs/decisions.md.
    #[strum(serialize = "details-checker")]
    DetailsChecker,
    /// Decision `out-of-model` in docs/decisions.md.
    #[strum(serialize = "out-of-model")]
    OutOfModel,
}

impl DecisionId {
    /// The id as docs/decisions.md heads it: `"5"`, `"1b"`, `"details-lists"`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The decision this id names in [`DECISIONS`].
    pub fn decision(self) -> &'static Decision {
        // DECISIONS lists every id once, in the order of the enum (checked at compile
        // time below), so the id's position is its index.
        &DECISIONS[self as usize]
    }
}

impl Serialize for DecisionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One rule the specification had to settle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Which decision this is: [`DecisionId::D1`] to [`DecisionId::D26`] (with
    /// [`DecisionId::D1b`]) for the numbered decisions, `Details...` for the smaller points,
    /// [`DecisionId::OutOfModel`] for the features left out.
    pub id: DecisionId,
    /// The section the decision belongs to, such as `"Device updates"` or `"Timers"`.
    pub area: &'static str,
    /// A short title.
    pub title: &'static str,
    /// The grades behind the rule, strongest first. Several grades mean that parts of the rule
    /// are backed differently; the rule text says which part carries which. Empty only for
    /// [`DecisionId::OutOfModel`].
    pub evidence: &'static [Evidence],
    /// The rule in full, as one Markdown paragraph.
    pub rule: &'static str,
}

const CREATION: &str = "Creation and identity";
const DEVICE: &str = "Device updates";
const TIMERS: &str = "Timers";
const RETRIES: &str = "Retries";
const CONTROL: &str = "Control plane";
const NOTIFICATIONS: &str = "Notifications (MQTT)";
const ROLLOUT: &str = "Rollout";
const ABORT: &str = "Abort";
const SCHEDULING: &str = "Scheduling";
const OTHER_CALLS: &str = "Other control-plane calls";
const DELETED_THINGS: &str = "Deleted things";
const DETAILS: &str = "Details";
const OUT_OF_MODEL: &str = "Out of the model";

/// Every decision, in the order of decisions.md.
pub const DECISIONS: &[Decision] = &[
    // Creation and identity.
    Decision {
        id: Id::D1,
        area: CREATION,
        title: "New executions start QUEUED at version 1",
        evidence: &[Model, Inferred, Choice],
        rule: "An execution is born QUEUED with `versionNumber` 1. Its `executionNumber` is 1 \
               when it is the first execution of that job on that thing; any later one (a retry, \
               or a thing rejoining the targets) gets one more than the largest number that still \
               exists, so once the newest execution is deleted its number can be handed out again \
               (MODEL: the model allows a number to be reused after its execution is deleted). \
               `queuedAt` and `lastUpdatedAt` both take the moment of creation; `startedAt` stays \
               absent until the execution turns IN_PROGRESS for the first time. Data-plane and \
               MQTT answers omit `statusDetails` when the map is empty instead of sending `{}` \
               (INFERRED: a live transcript among the samples of AWS's Python SDK, and the CLI \
               examples). A data-plane call about a thing that is not registered gets \
               ResourceNotFoundException, while a registered thing with nothing pending gets \
               empty lists. The control plane answers ResourceNotFoundException as well when the \
               job, thing or thing group a call is about is unknown (CHOICE).",
    },
    Decision {
        id: Id::D1b,
        area: CREATION,
        title: "Job documents, taken job ids, default target selection",
        evidence: &[Doc, Model],
        rule: "The `document` passed to CreateJob has to be JSON and may hold 32768 characters \
               at most (DOC, MODEL). Devices get it back in two forms: the HTTP data plane \
               returns that very string, MQTT embeds it as parsed JSON (DOC). Creating a job \
               under an id that is already taken is ResourceAlreadyExistsException (MODEL). \
               When `targetSelection` is not given it is SNAPSHOT (MODEL).",
    },
    Decision {
        id: Id::D2,
        area: CREATION,
        title: "Job targets and group membership",
        evidence: &[Doc, Measured, Choice],
        rule: "Creating a job queues one execution for each thing it targets (DOC: the \
               lifecycle page of the Developer Guide). \
               Every CreateJob target is the ARN of a thing or of a thing group, and that thing \
               or group has to exist; a target that is missing gets ResourceNotFoundException. A \
               SNAPSHOT job expands its groups a single time, when the job is created. A \
               CONTINUOUS job keeps watching: a thing that joins one of its target groups later \
               gets a new execution too, unless the most recent execution of the job on that \
               thing is unfinished, that is QUEUED or IN_PROGRESS (MEASURED). Reaching a thing \
               more than once, for instance directly and through a group, still gives it only one \
               execution. A SNAPSHOT job whose targets hold no thing at all is COMPLETED straight \
               away (CHOICE). A CONTINUOUS job queues nothing for joins while it is SCHEDULED \
               or after a STOP_ROLLOUT end (decisions 31, 32), and joins are never held back by \
               a rollout rate (decision 28).",
    },
    Decision {
        id: Id::D3,
        area: CREATION,
        title: "Leaving the targets, and DeleteThing",
        evidence: &[Measured, Choice],
        rule: "Once a thing belongs to none of the target groups of a CONTINUOUS job, and the job \
               does not name it directly either, its QUEUED execution turns REMOVED and keeps its \
               `versionNumber`; an execution that is IN_PROGRESS or already terminal keeps the \
               status it has (MEASURED). DeleteThing does likewise to the thing's QUEUED \
               executions, whatever their job (CHOICE, in line with the measured rule). The \
               executions of a deleted thing remain as history and still show up in \
               ListJobExecutionsForJob; their timers go on firing, but none of them is ever \
               retried.",
    },
    Decision {
        id: Id::D4,
        area: CREATION,
        title: "Pending order",
        evidence: &[Doc, Choice],
        rule: "A thing's pending executions are ordered IN_PROGRESS ones first and QUEUED ones \
               after, then by `queuedAt`, oldest first (DOC for these two keys), and where both \
               tie, by the order in which the executions were created (CHOICE). Whenever the \
               specification speaks of \"the next execution\", it means the first one in this \
               order, the head.",
    },
    // Device updates.
    Decision {
        id: Id::D5,
        area: DEVICE,
        title: "Device transitions",
        evidence: &[Doc, Inferred],
        rule: "From QUEUED a device may move to IN_PROGRESS or REJECTED (DOC), and also straight \
               to SUCCEEDED or FAILED (INFERRED). From IN_PROGRESS it may move to IN_PROGRESS \
               again, SUCCEEDED or FAILED (DOC). A move from IN_PROGRESS to REJECTED gets \
               InvalidStateTransitionException (INFERRED: according to AWS's OTA library the \
               service turns it down; other sources disagree, so the rule is a single switch, \
               `Switches::in_progress_to_rejected`).",
    },
    Decision {
        id: Id::D6,
        area: DEVICE,
        title: "Statuses a device may not ask for",
        evidence: &[Measured],
        rule: "A device that asks for QUEUED, TIMED_OUT, CANCELED or REMOVED is answered with \
               InvalidStateTransitionException, not with InvalidRequestException (MEASURED).",
    },
    Decision {
        id: Id::D7,
        area: DEVICE,
        title: "Terminal executions refuse every update",
        evidence: &[Doc, Measured],
        rule: "Once an execution is terminal, any update of it is \
               InvalidStateTransitionException, even one that repeats the terminal status it \
               already has (DOC). On HTTP and on MQTT alike, the error includes \
               `executionState` (DOC for HTTP, from the error text of the model; MEASURED for \
               MQTT, in the version-mismatch case).",
    },
    Decision {
        id: Id::D8,
        area: DEVICE,
        title: "Order of checks for an update",
        evidence: &[Choice],
        rule: "An update is checked in this order, and the first failing check gives the \
               answer: (1) the request is valid in itself, else InvalidRequestException; (2) \
               the execution exists and, when `executionNumber` is given, that number names an \
               existing execution, else ResourceNotFoundException; (3) when `expectedVersion` \
               is given, it equals `versionNumber`; (4) the requested status is one a device is \
               allowed to set; (5) the current status allows the move. (CHOICE: this is the \
               order of the only public implementation.)",
    },
    Decision {
        id: Id::D9,
        area: DEVICE,
        title: "expectedVersion",
        evidence: &[Doc, Model, Measured, Inferred, Choice],
        rule: "Over HTTP, `expectedVersion` has to be a JSON number; a string there is \
               InvalidRequestException. Over MQTT, a number and a string made only of digits \
               are both accepted, because AWS's examples and its device library send it that \
               way (DOC, INFERRED). When it differs from the current version, MQTT rejects with \
               `VersionMismatch` and includes `executionState` (DOC, MEASURED), and HTTP \
               answers InvalidStateTransitionException (409), also with `executionState` \
               (CHOICE: it is the one conflict error the data-plane model lists for the call, \
               and the model's description of it matches this payload exactly; see \
               `Switches::http_version_mismatch`). On the control plane, CancelJobExecution \
               answers a mismatch with VersionConflictException (MODEL).",
    },
    Decision {
        id: Id::D10,
        area: DEVICE,
        title: "What moves versionNumber and lastUpdatedAt",
        evidence: &[Doc, Model, Measured, Inferred],
        rule: "Each change a device makes adds one to `versionNumber`: every UpdateJobExecution \
               that is accepted, including one from IN_PROGRESS to IN_PROGRESS, and the move \
               StartNextPendingJobExecution makes from QUEUED to IN_PROGRESS (DOC; INFERRED as \
               well, from the live transcript). When the service changes an execution on its own \
               (cancellation, time-out, removal), the version stays where it is (MODEL: its text \
               ties the version to updates by a device; MEASURED for removal). Every change, \
               whoever makes it, sets `lastUpdatedAt` to the moment it happens. Reads, and \
               requests that are refused, change nothing.",
    },
    Decision {
        id: Id::D11,
        area: DEVICE,
        title: "statusDetails",
        evidence: &[Doc, Model],
        rule: "A `statusDetails` map in a request replaces the stored map entirely; a request \
               without one leaves the stored map alone (DOC). Each key is 1 to 128 characters \
               drawn from `[a-zA-Z0-9:_-]`; each value is 1 to 1024 characters long, with no code \
               point that is a control character or unassigned (MODEL, DOC). UpdateJobExecution \
               and StartNextPendingJobExecution put no cap on the number of entries (DOC: the \
               Developer Guide sets no upper bound), while CancelJobExecution accepts 10 entries \
               at most (MODEL). A map that breaks any of these rules is InvalidRequestException.",
    },
    Decision {
        id: Id::D12,
        area: DEVICE,
        title: "StartNextPendingJobExecution",
        evidence: &[Doc, Choice],
        rule: "If the first execution of the pending order (the head) is QUEUED, it becomes \
               IN_PROGRESS: `startedAt` is set, the version goes up by one, and `statusDetails` \
               and the step timer come from the request. If the head is IN_PROGRESS already, it \
               comes back unchanged and the request has no effect (DOC for `statusDetails`; \
               CHOICE for leaving the version, the timestamps and the step timer untouched). With \
               nothing pending, the answer is `{}` with no `execution` member (DOC). The \
               execution returned carries its `jobDocument`.",
    },
    Decision {
        id: Id::D13,
        area: DEVICE,
        title: "DescribeJobExecution",
        evidence: &[Doc, Model],
        rule: "On the data plane, the job id `$next` reads the head of the pending order and \
               leaves it as it is; with nothing pending the answer is `{}`. `includeJobDocument` \
               is true unless the caller says otherwise (MODEL). Describing an execution that is \
               terminal is TerminalStateException (410) over HTTP and `TerminalStateReached` over \
               MQTT (DOC, MODEL). Without `executionNumber`, the call is about the newest \
               execution of that job on that thing. The control-plane DescribeJobExecution, by \
               contrast, returns terminal executions like any others.",
    },
    Decision {
        id: Id::D14,
        area: DEVICE,
        title: "GetPendingJobExecutions",
        evidence: &[Doc, Choice],
        rule: "The answer always carries both `inProgressJobs` and `queuedJobs`, each sorted in \
               pending order. Together they hold no more than 10 summaries (DOC), and the ten \
               kept are those that come first in pending order (CHOICE).",
    },
    // Timers.
    Decision {
        id: Id::D15,
        area: TIMERS,
        title: "The in-progress timer",
        evidence: &[Doc],
        rule: "The job's `timeoutConfig.inProgressTimeoutInMinutes`, from 1 to 10080, starts a \
               timer at the moment the execution first turns IN_PROGRESS, and that timer never \
               moves afterwards (DOC). Like every timer of the specification, it runs on the \
               logical clock and fires at exactly its deadline.",
    },
    Decision {
        id: Id::D16,
        area: TIMERS,
        title: "The step timer",
        evidence: &[Doc, Model, Inferred],
        rule: "A `stepTimeoutInMinutes` from 1 to 10080 sets the step deadline to now + minutes × \
               60 seconds, in place of any step timer set before (DOC). On UpdateJobExecution, -1 \
               stops the step timer (MODEL); sent while no step timer runs, it is \
               InvalidRequestException (INFERRED). Without the member, the step timer is left \
               alone (DOC). The value 0, any value below -1 or above 10080, and -1 on \
               StartNextPendingJobExecution are InvalidRequestException. Only a request after \
               which the execution is still IN_PROGRESS sets a step timer; a request that ends \
               the execution still has its value validated, the -1 rule included, but the value \
               then has no effect.",
    },
    Decision {
        id: Id::D17,
        area: TIMERS,
        title: "Timing out",
        evidence: &[Doc],
        rule: "An execution times out at whichever of its two deadlines comes first; a step timer \
               cannot postpone it beyond the in-progress deadline (DOC). When it happens, the \
               status becomes TIMED_OUT, `lastUpdatedAt` takes the value of the deadline, \
               `versionNumber` stays the same (decision 10), and neither timer remains. \
               `approximateSecondsBeforeTimedOut` is the earlier deadline minus now, and is \
               present only while some timer is running. AWS itself may fire a time-out as much \
               as 60 s late; this specification fires it on time, on the logical clock.",
    },
    // Retries.
    Decision {
        id: Id::D18,
        area: RETRIES,
        title: "Retry configuration",
        evidence: &[Doc, Model, Inferred, Choice],
        rule: "A retry configuration holds 1 or 2 criteria, each with a `numberOfRetries` from \
               0 to 10 (MODEL). All criteria together may grant 10 retries at most (DOC gives \
               this shared budget; refusing a configuration that exceeds it is INFERRED). No \
               two criteria may name the same failure type (CHOICE). A configuration that \
               breaks any of these is InvalidRequestException.",
    },
    Decision {
        id: Id::D19,
        area: RETRIES,
        title: "When a retry happens",
        evidence: &[Doc, Model, Inferred],
        rule: "When an execution ends FAILED through the device, or TIMED_OUT through a timer, \
               the criterion for that failure type is consulted, or the ALL criterion when the \
               type has none. If it still has retries left, a new execution of the same job on \
               the same thing is queued at that same instant, with `executionNumber` one higher, \
               status QUEUED, `versionNumber` 1, `queuedAt` equal to that instant and an empty \
               `statusDetails`; the finished execution is kept as history (INFERRED). An \
               execution that ends REJECTED, REMOVED or CANCELED gets no retry (DOC). Nothing is \
               retried for a job that has been canceled, nor after a STOP_ROLLOUT end (decision \
               32); the abort check of decision 30 comes first, and an abort leaves nothing to \
               retry. Control-plane summaries report `retryAttempt`, the number of retries made \
               so far (MODEL).",
    },
    // Control plane.
    Decision {
        id: Id::D20,
        area: CONTROL,
        title: "CancelJobExecution",
        evidence: &[Model],
        rule: "CancelJobExecution checks `expectedVersion` before anything else \
               (VersionConflictException on a mismatch). A terminal execution gives \
               InvalidStateTransitionException. A QUEUED execution becomes CANCELED; an \
               IN_PROGRESS one does so only with `force`, and without it the answer is \
               InvalidStateTransitionException. A `statusDetails` in the request replaces the \
               map, under the limits of decision 11. `forceCanceled` is shown only on canceled \
               executions and holds the `force` flag of whichever request canceled them, \
               CancelJob included (MODEL). None of the errors of this call carry \
               `executionState`.",
    },
    Decision {
        id: Id::D21,
        area: CONTROL,
        title: "CancelJob",
        evidence: &[Doc, Model, Choice],
        rule: "CancelJob turns the job's QUEUED executions into CANCELED ones, and with `force` \
               its IN_PROGRESS ones as well (MODEL). Executions that are already terminal are \
               left alone (DOC). The job itself becomes CANCELED, and a canceled job never queues \
               another execution, neither for a thing joining a group nor for a retry. Cancelling \
               a job whose status is CANCELED or COMPLETED already gives InvalidRequestException \
               (CHOICE: no state error is declared for this call in the model, \
               InvalidRequestException is, and the one public implementation responds the same \
               way). So whatever still runs after a cancel without `force` has to be \
               force-canceled one execution at a time. CancelJob also cancels a SCHEDULED job \
               (decision 31) and drops the job's timers and rollout list (decisions 28, 32).",
    },
    Decision {
        id: Id::D22,
        area: CONTROL,
        title: "DeleteJobExecution",
        evidence: &[Model],
        rule: "DeleteJobExecution requires an `executionNumber`, and it has to name an existing \
               execution (ResourceNotFoundException otherwise). Terminal executions, TIMED_OUT \
               among them, can be deleted; a QUEUED or IN_PROGRESS one only with `force`, and \
               without it the answer is InvalidStateTransitionException (MODEL; see \
               `Switches::delete_queued_without_force`). After a deletion, calls that give no \
               `executionNumber` refer to the newest execution that remains, if there is one.",
    },
    Decision {
        id: Id::D23,
        area: CONTROL,
        title: "Job completion",
        evidence: &[Doc],
        rule: "A SNAPSHOT job is COMPLETED as soon as all of its executions are terminal and no \
               retry is still to come (DOC), and no target waits in its rollout list (decision \
               28). No CONTINUOUS job reaches COMPLETED by itself unless \
               it has an endTime: a job with an endTime, SNAPSHOT or CONTINUOUS, completes only \
               from that moment on, as decision 32 says.",
    },
    // Notifications (MQTT).
    Decision {
        id: Id::D24,
        area: NOTIFICATIONS,
        title: "notify",
        evidence: &[Doc, Measured],
        rule: "`notify` is published when an execution enters or leaves the thing's pending set. \
               Its payload lists the pending summaries grouped by status and leaves out a status \
               with no entries, so an empty set gives `{\"jobs\": {}}` (DOC, MEASURED). Moving \
               from QUEUED to IN_PROGRESS keeps the execution inside the set, so it sends no \
               `notify` (MEASURED; one bullet of the documentation claims otherwise, but AWS's \
               own walk-through and the captures both contradict it).",
    },
    Decision {
        id: Id::D25,
        area: NOTIFICATIONS,
        title: "notify-next",
        evidence: &[Doc, Measured],
        rule: "`notify-next` goes out whenever another execution takes the head of the pending \
               order, or the head goes away with none to replace it. Its payload holds the new \
               head together with its `jobDocument`, or only a `timestamp` when nothing is left \
               (DOC, MEASURED). Starting the head with StartNextPendingJobExecution sends neither \
               of the two messages (MEASURED). Time-outs, cancels, removals, deletions and \
               retries publish exactly as any other change of the set or of its head does (DOC).",
    },
    Decision {
        id: Id::D26,
        area: NOTIFICATIONS,
        title: "Order of messages",
        evidence: &[Measured, Choice],
        rule: "Within one request, the reply (`accepted` or `rejected`) comes first, followed by \
               `notify` and lastly `notify-next` (MEASURED). When one moment touches several \
               things, every `notify` comes before every `notify-next`, and each kind is \
               ordered by thing name (CHOICE).",
    },
    // Rollout.
    Decision {
        id: Id::D27,
        area: ROLLOUT,
        title: "jobExecutionsRolloutConfig",
        evidence: &[Doc, Model, Choice],
        rule: "CreateJob and UpdateJob take a `jobExecutionsRolloutConfig`: `maximumPerMinute` \
               is 1 to 1000, and 1000 when absent, `{}` included (DOC); an `exponentialRate`, \
               when given, needs `baseRatePerMinute` 1 to 1000 (MODEL) and not above \
               `maximumPerMinute` (CHOICE, after the only implementation), `incrementFactor` \
               1.1 to 5 with at most one decimal (MODEL, DOC), a JSON number that may carry a \
               fraction, and `rateIncreaseCriteria` with exactly one of \
               `numberOfNotifiedThings` and `numberOfSucceededThings`, at least 1 (DOC, \
               MODEL). Anything else is InvalidRequestException (400). A job without the \
               member queues every target at once (decision 2), even past 1000 things (CHOICE: \
               the documented default rate applies only to a job that sets the member).",
    },
    Decision {
        id: Id::D28,
        area: ROLLOUT,
        title: "Rollout batches",
        evidence: &[Doc, Model, Measured, Choice],
        rule: "A job with a rollout config keeps its target things, resolved and ordered as at \
               creation, in a rollout list; a waiting thing has no execution, so no list, \
               count or pending call shows it and a call naming its execution is \
               ResourceNotFoundException (DOC, MODEL). At the job's start t0 (CreateJob, or its \
               startTime) and then every 60 s, the head of the list, up to the batch size, \
               leaves it and is queued as decision 2 queues, at that moment, each thing \
               getting `notify` and `notify-next` as usual. The batch size is \
               `maximumPerMinute`, or with `exponentialRate` min(maximumPerMinute, \
               ⌊baseRatePerMinute × incrementFactor^m⌋) computed exactly, m = ⌊c / n⌋ with n \
               the criterion's threshold and c, at the batch moment, the things the rollout \
               has released (`numberOfNotifiedThings`) or the job's numberOfSucceededThings \
               (DOC for the formula; CHOICE for the 60-s grid, the first batch at t0 and c). \
               Later batches are job timers that fire exactly on time. DeleteThing takes a \
               thing out of every list; a CONTINUOUS job's waiting thing that stops being a \
               target leaves the list without an execution, and one that joins a target group \
               gets its execution at once (DOC: joins are not rate-limited). Retries and \
               AssociateTargetsWithJob are not rate-limited and do not count in c (CHOICE). \
               The list is dropped once the job stops being IN_PROGRESS (DOC). UpdateJob's new \
               config acts from the next batch, c kept (CHOICE). While the list is non-empty \
               and the job IN_PROGRESS, DescribeJob and ListJobs show `isConcurrent` true and \
               DescribeJob shows `jobProcessDetails.processingTargets`, the job's target ARNs; \
               otherwise `isConcurrent` is false and there are no `processingTargets` (MODEL; \
               MEASURED for the steady state; CHOICE for the list's content). A batch leaves \
               the job's lastUpdatedAt as it is (CHOICE), and a SNAPSHOT job is not COMPLETED \
               while things wait.",
    },
    // Abort.
    Decision {
        id: Id::D29,
        area: ABORT,
        title: "abortConfig",
        evidence: &[Doc, Model, Choice],
        rule: "CreateJob and UpdateJob take an `abortConfig` whose `criteriaList` holds at least \
               one criterion, each with all four members: `failureType` (FAILED, REJECTED, \
               TIMED_OUT or ALL), `action` (CANCEL), `minNumberOfExecutedThings` of at least 1, \
               and `thresholdPercentage`, a JSON number that may carry a fraction, above 0 and \
               at most 100 with at most two decimals (MODEL, DOC; \"above 0\" is CHOICE, after \
               the only implementation). No two criteria may share a `failureType` (CHOICE, \
               likewise). Anything else is InvalidRequestException (400).",
    },
    Decision {
        id: Id::D30,
        area: ABORT,
        title: "The abort check and its cancel",
        evidence: &[Doc, Choice],
        rule: "While a job with `abortConfig` is IN_PROGRESS, its criteria are checked in list \
               order after every change to its executions' counts (an execution ending by a \
               device, a timer, a cancel or a removal, or deleted by DeleteJobExecution) and \
               when UpdateJob sets `abortConfig`; the check comes before that change's retry \
               and before job completion. CancelJob's own cancellations are not checked, the \
               job being CANCELED by then (DOC: checked in sequence; CHOICE: when). The counts \
               cover the job's existing executions, history included: completed are those in \
               a terminal status (CANCELED and REMOVED included), failed those in the \
               criterion's status, FAILED, REJECTED and TIMED_OUT together for ALL (DOC: \
               deleted executions stop counting; CHOICE: executions, not distinct things). A \
               criterion is met when completed is at least `minNumberOfExecutedThings` and \
               failed × 100 is at least `thresholdPercentage` × completed, computed exactly \
               (DOC: \"at least\"). The first met criterion cancels the job as CancelJob \
               without force does: each QUEUED execution becomes CANCELED (`forceCanceled` \
               false, version and statusDetails unchanged, lastUpdatedAt now) while \
               IN_PROGRESS ones keep running and nothing is retried (DOC); the job becomes \
               CANCELED with `forceCanceled` false, `reasonCode` `ABORT_CANCEL` and the \
               `comment` \"Abort criteria for failure type T with threshold P% met. Total \
               completed executions: C, total T executions: F\", P written with two decimals, \
               and lastUpdatedAt now (DOC that both are filled in; CHOICE for the texts, the \
               only implementation's). Each thing whose execution was canceled gets `notify`, \
               and `notify-next` when its head changed, after the messages of the change that \
               triggered the check, in the order the executions were created. The check \
               refuses nothing.",
    },
    // Scheduling.
    Decision {
        id: Id::D31,
        area: SCHEDULING,
        title: "schedulingConfig and SCHEDULED jobs",
        evidence: &[Doc, Model, Measured, Inferred, Choice],
        rule: "CreateJob alone takes `schedulingConfig`. Its `startTime` and `endTime` read \
               `YYYY-MM-DDThh:mm`, a real UTC date and time, and count as Unix seconds on the \
               logical clock (MEASURED: AWS names the format; INFERRED: AWS's own example); any \
               other string is InvalidRequestException (400) with AWS's message. With now the \
               moment of CreateJob: now + 1800 ≤ startTime ≤ now + 31 536 000, now + 1800 ≤ \
               endTime ≤ now + 63 072 000, and with both, 1800 ≤ endTime − startTime ≤ 63 072 \
               000 (MODEL for the bounds; CHOICE: a year is 365 days and \"a minimum of\" \
               includes the bound). `endBehavior` is STOP_ROLLOUT, CANCEL or FORCE_CANCEL, \
               accepted and without effect when there is no endTime (MODEL). A job with a \
               `startTime` is created SCHEDULED: no execution, no message, zero counts, \
               `schedulingConfig` echoed as sent (DOC). While it is SCHEDULED, group joins and \
               DeleteThing change nothing for it; CancelJob, with or without force, makes it \
               CANCELED, storing reasonCode and comment as decision 21 does and changing \
               nothing else; UpdateJob works as on an IN_PROGRESS job (CHOICE); DeleteJob needs \
               force (decision 34); AssociateTargetsWithJob is refused (decision 36). A job \
               with only an `endTime` starts at once.",
    },
    Decision {
        id: Id::D32,
        area: SCHEDULING,
        title: "startTime and endTime",
        evidence: &[Doc, Model, Inferred, Choice],
        rule: "At `startTime`, a job timer that fires exactly then, the SCHEDULED job becomes \
               IN_PROGRESS with lastUpdatedAt = startTime and starts as CreateJob would at that \
               moment: its targets resolve then (groups included; things deleted meanwhile are \
               no targets), executions are queued with queuedAt = startTime and `notify` and \
               `notify-next` follow; a SNAPSHOT job that reaches no thing is COMPLETED at once \
               (DOC for the change; CHOICE for resolving at the start). At `endTime`, if the \
               job is IN_PROGRESS: STOP_ROLLOUT, also meant when `endBehavior` is absent \
               (MODEL: endTime is when a job stops its rollout), queues nothing more for the \
               job, so later group joins, AssociateTargetsWithJob (which still records its \
               targets) and retries create no execution while existing ones carry on (CHOICE); \
               CANCEL is CancelJob without force at endTime (QUEUED executions CANCELED with \
               `forceCanceled` false and the version unchanged; the job CANCELED with \
               `forceCanceled` false and no reasonCode or comment); FORCE_CANCEL is the same \
               with force, IN_PROGRESS executions included (INFERRED from the names and \
               decision 21; CHOICE for the absent reasonCode). From endTime on, a job with an \
               endTime, SNAPSHOT or CONTINUOUS, becomes COMPLETED (completedAt that moment) as \
               soon as every execution is terminal and no retry is due, endTime itself \
               included, and not before (DOC for CONTINUOUS). Job timers fire exactly at their \
               moment (`timer_lateness` does not apply to them), order with execution timers \
               by the moment they fire, then by the order they were set, and show in \
               `poll_timeout`; CancelJob and DeleteJob drop them.",
    },
    Decision {
        id: Id::D33,
        area: SCHEDULING,
        title: "Maintenance windows",
        evidence: &[Doc],
        rule: "Maintenance windows are not modelled: a CreateJob whose `schedulingConfig` holds \
               `maintenanceWindows`, an empty list included, gets the \"not modelled\" answer \
               naming \"maintenance windows\". Left out with them: the cron dialect of their \
               `startTime` (documented nowhere), a job going back to SCHEDULED when a window \
               closes while executions exist, with GetPendingJobExecutions then hiding them \
               (DOC), the five extra pending summaries allowed during a window (DOC), \
               `scheduledJobRollouts`, and the measured refusals that need a window. What \
               stays: the pending and `notify` limit is 10 (decision 14), and no pending \
               execution is ever hidden, a SCHEDULED job having none.",
    },
    // Other control-plane calls.
    Decision {
        id: Id::D34,
        area: OTHER_CALLS,
        title: "DeleteJob",
        evidence: &[Doc, Model, Choice],
        rule: "DeleteJob takes `force` (false when absent); `namespaceId` is not modelled. The \
               checks run in this order: a jobId that breaks its pattern is \
               InvalidRequestException (400); a job that does not exist is \
               ResourceNotFoundException (404); an IN_PROGRESS or SCHEDULED job without `force` \
               is InvalidStateTransitionException (409) (MODEL; CHOICE for SCHEDULED). A \
               COMPLETED or CANCELED job, or any job given `force`, is deleted on the spot: \
               deletion takes no logical time, so DELETION_IN_PROGRESS is never seen and neither \
               the limit of ten deletions at once (LimitExceededException) nor the \"already \
               being deleted\" error can happen (CHOICE). Every execution of the job goes, \
               terminal history and deleted things' executions included, each by a row of the \
               transition table: its timers stop, nothing retries it, no list shows it, and a \
               call that names it (device updates over HTTP and MQTT included) gets \
               ResourceNotFoundException / `ResourceNotFound` (MODEL, DOC). The job's own \
               timers go too. Afterwards DescribeJob, GetJobDocument, CancelJob, UpdateJob and \
               AssociateTargetsWithJob answer ResourceNotFoundException, ListJobs leaves the \
               job out, and CreateJob may use the id again, the new job's executions numbered \
               from 1 (MODEL). Each thing that had a pending execution of the job gets `notify`, \
               and `notify-next` when its head changed, in the order those executions were \
               created (DOC). The answer is 200 with an empty body.",
    },
    Decision {
        id: Id::D35,
        area: OTHER_CALLS,
        title: "UpdateJob",
        evidence: &[Doc, Choice],
        rule: "UpdateJob checks, in this order: the request (a valid jobId, at least one member \
               given, each valid as CreateJob checks it, a `description` of at most 2028 \
               characters without control characters), else InvalidRequestException (400); the \
               members outside the model (`presignedUrlConfig`, `namespaceId`, and \
               `jobExecutionsRolloutConfig` while rollouts are not built); a job that does not \
               exist, ResourceNotFoundException (404); a CANCELED or COMPLETED job, \
               InvalidRequestException (400) (CHOICE: the model declares no state error); and a \
               `jobExecutionsRetryConfig` only for a job created with one, naming the same \
               failure types and every `numberOfRetries` 0, else InvalidRequestException \
               (DOC for \"only 0\"; CHOICE for the rest, after the only implementation). A \
               given member replaces the stored one whole and the job's lastUpdatedAt becomes \
               now. No execution changes and nothing is published, except that a new \
               `timeoutConfig` applies only to executions that become IN_PROGRESS later, \
               running ones keeping their deadline (DOC); a retry config of 0 grants no \
               further retry, retries already queued staying QUEUED (DOC, CHOICE); and an \
               `abortConfig` is checked at once (decision 30), its cancellations published as \
               there. The answer is 200 with an empty body.",
    },
    Decision {
        id: Id::D36,
        area: OTHER_CALLS,
        title: "AssociateTargetsWithJob",
        evidence: &[Model, Measured, Choice],
        rule: "AssociateTargetsWithJob checks, in this order: the request (a valid jobId; \
               `targets` holding one or more well-formed thing-group ARNs, a thing ARN being \
               refused since the model asks for \"a list of thing group ARNs\" (MODEL); a \
               `comment` of at most 2028 characters without control characters), else \
               InvalidRequestException (400); `namespaceId`, not modelled; a job or a group \
               that does not exist, ResourceNotFoundException (404); a job that is not \
               CONTINUOUS or not IN_PROGRESS, InvalidRequestException (400) (MODEL for the \
               conditions, CHOICE for the code); more than 100 distinct targets once the new \
               ones are added, LimitExceededException (410) (MODEL for 100, CHOICE for the \
               code). The new targets are appended in request order, one the job already has \
               being skipped; a given `comment` becomes the job's comment; lastUpdatedAt \
               becomes now. Each member of an added group, groups in request order and \
               members in the order the things were created, then joins the job as a thing \
               joining a target group does (decision 2, MEASURED, applied here by analogy): a \
               new execution (QUEUED, version 1, executionNumber per decision 1, queuedAt now, \
               not rate-limited) unless its newest execution of the job is QUEUED or \
               IN_PROGRESS, and each such thing gets `notify`, and `notify-next` when its head \
               changed. The answer is 200 with `jobArn`, `jobId` and `description` (the last \
               only when the job has one).",
    },
    Decision {
        id: Id::D37,
        area: OTHER_CALLS,
        title: "GetJobDocument",
        evidence: &[Doc, Model, Choice],
        rule: "GetJobDocument answers InvalidRequestException (400) for a jobId that breaks its \
               pattern and ResourceNotFoundException (404) for a job that does not exist or was \
               deleted. Otherwise it returns `{\"document\": ...}` holding the very string \
               CreateJob was given, whitespace included, whatever the job's status (MODEL, \
               DOC). `beforeSubstitution` is accepted and makes no difference, since the model \
               never substitutes anything (CHOICE). The call changes nothing.",
    },
    Decision {
        id: Id::D38,
        area: OTHER_CALLS,
        title: "ListJobs",
        evidence: &[Choice],
        rule: "ListJobs filters by `status` (a job status; any other string is \
               InvalidRequestException), `targetSelection`, `thingGroupName` and `thingGroupId` \
               (the jobs whose targets include that group), every given filter applying at \
               once; a group that does not exist is ResourceNotFoundException (404), as \
               decision 1 treats unknown names. `namespaceId` is not modelled. `maxResults` and \
               `nextToken` work as for the other List calls, a bad value being \
               InvalidRequestException. Jobs come newest first by creation (the Developer \
               Guide's example; its remark that jobs are sorted by status is not followed). \
               Each summary carries jobArn, jobId, targetSelection, status, createdAt, \
               lastUpdatedAt, completedAt once set, and isConcurrent (decision 28), but no \
               thingGroupId. Deleted jobs are not listed, and the call changes nothing (all \
               CHOICE).",
    },
    Decision {
        id: Id::D39,
        area: OTHER_CALLS,
        title: "DescribeThing",
        evidence: &[Model, Inferred, Choice],
        rule: "DescribeThing answers InvalidRequestException (400) for a name that breaks the \
               thing-name rule and ResourceNotFoundException (404) when no thing of that name \
               exists now, whether it never existed or was deleted. Otherwise it returns \
               thingName, the thingId CreateThing gave, thingArn, attributes, version and \
               defaultClientId (MODEL for the members); version is 1 and defaultClientId is the \
               thing's name (INFERRED from AWS's CLI example), and attributes is `{}` for a \
               thing without any (CHOICE). thingTypeName and billingGroupName are left out, as \
               thing types and billing groups are not modelled. The call changes nothing.",
    },
    // Deleted things.
    Decision {
        id: Id::D40,
        area: DELETED_THINGS,
        title: "The IN_PROGRESS execution of a deleted thing",
        evidence: &[Choice],
        rule: "Decision 3 keeps a deleted thing's IN_PROGRESS execution. It is reached through \
               its job, through its timers, and through its thing's name once a thing of that \
               name exists again, but not by calls that name the absent thing: \
               CancelJobExecution, DeleteJobExecution, the control plane's \
               DescribeJobExecution, ListJobExecutionsForThing and every data-plane call answer \
               ResourceNotFoundException (404) while no thing of that name exists (decision 1). \
               CancelJob with `force` cancels it (`forceCanceled` true, version unchanged, \
               lastUpdatedAt now); CancelJob without `force` and an abort leave it running; \
               DeleteJob deletes it; its timers still fire (TIMED_OUT, and no retry follows, the \
               thing being gone). Each change publishes `notify` and `notify-next` on the \
               deleted thing's topics. A thing created again under the name gets its history \
               back: the execution is pending for it again and every call reaches it. No \
               execution is therefore stuck for ever. No evidence points either way (CHOICE); \
               the other reading, calls by name reaching a deleted thing's executions, is the \
               switch `deleted_thing_executions_by_name`.",
    },
    // Details.
    Decision {
        id: Id::DetailsIdentity,
        area: DETAILS,
        title: "Account, region and ARNs",
        evidence: &[Choice],
        rule: "Unless the caller configures other values, the modelled service belongs to account \
               `123456789012` in region `us-east-1`, and the ARNs it returns name them. A target \
               ARN counts as well formed if it looks like `arn:aws:iot:REGION:ACCOUNT:thing/NAME` \
               or `arn:aws:iot:REGION:ACCOUNT:thinggroup/NAME`, where REGION looks like \
               `us-east-1`, ACCOUNT is 12 digits and NAME satisfies the thing-name rule (CHOICE).",
    },
    Decision {
        id: Id::DetailsRegistry,
        area: DETAILS,
        title: "Things and thing groups",
        evidence: &[Model, Choice],
        rule: "A repeated CreateThing or CreateThingGroup for an existing name succeeds when the \
               settings are identical (MODEL, from the model's text) and is \
               ResourceAlreadyExistsException when they differ. Adding a thing to a group that \
               already holds it, or removing it from a group that does not, is a successful \
               no-op. The specification leaves out thing types, billing groups and nested groups \
               (`parentGroupName`). Everything here but the MODEL part is CHOICE.",
    },
    Decision {
        id: Id::DetailsDecoding,
        area: DETAILS,
        title: "Decoding requests",
        evidence: &[Choice],
        rule: "An optional member given as JSON `null` counts as absent, and members the \
               specification does not know are ignored. Numbers have to be JSON integers inside \
               their member's range, so neither `2.0` nor `\"2\"` is accepted (MQTT's \
               `expectedVersion` excepted, decision 9); booleans have to be JSON booleans. \
               Lengths are counted in Unicode code points, and a pattern has to match the entire \
               value. `$next` given as a job id where only a real job id is allowed is \
               InvalidRequestException. `thresholdPercentage` (decision 29) and `incrementFactor` \
               (decision 27) are the only members that take a JSON number with a fraction \
               (CHOICE).",
    },
    Decision {
        id: Id::DetailsCreateJob,
        area: DETAILS,
        title: "CreateJob checks and creation order",
        evidence: &[Choice],
        rule: "CreateJob checks, in this order: that the request is valid, that it uses no \
               member the specification does not model, that the job id is free, and then \
               that every target exists. Executions are created in the order of the targets, \
               a group's members in the order those things were created; this creation order \
               is the last tie-break of decision 4. The checks of `jobExecutionsRolloutConfig` \
               (decision 27), `abortConfig` (decision 29) and `schedulingConfig`'s times \
               (decision 31) belong to the request's \
               validity, and `maintenanceWindows` (decision 33) to the members not modelled \
               (CHOICE).",
    },
    Decision {
        id: Id::DetailsUpdates,
        area: DETAILS,
        title: "Update corner cases",
        evidence: &[Choice],
        rule: "The rule of decision 16 that refuses -1 when no step timer runs applies whatever \
               status the request asks for, and it comes after every check of decision 8. Each \
               InvalidStateTransitionException that UpdateJobExecution returns includes \
               `executionState`, whichever of decisions 5, 6, 7 or 9 led to it. If a single \
               request starts both timers, the in-progress timer is taken to have been set before \
               the step timer. A move straight from QUEUED to a terminal status leaves \
               `startedAt` unset. With `$next`, any `executionNumber` is ignored. A data-plane \
               DescribeJobExecution naming an older execution that is terminal gets \
               TerminalStateException, as for any terminal execution (CHOICE).",
    },
    Decision {
        id: Id::DetailsShapes,
        area: DETAILS,
        title: "Shapes of answers",
        evidence: &[Inferred, Choice],
        rule: "Executions returned by the HTTP data plane include `thingName`, while MQTT \
               executions omit it (INFERRED: the live transcript). On the control plane an empty \
               details map appears as `\"statusDetails\": {}`, and control-plane summaries always \
               carry `retryAttempt`, 0 for a first execution (CHOICE).",
    },
    Decision {
        id: Id::DetailsLists,
        area: DETAILS,
        title: "List calls",
        evidence: &[Model, Choice],
        rule: "ListJobExecutionsForThing and ListJobExecutionsForJob return executions in \
               creation order, oldest first. `maxResults` is 1 to 250 (MODEL). `nextToken` is \
               the position of the next item as a decimal offset, and a token that is not a \
               valid one is InvalidRequestException (CHOICE).",
    },
    Decision {
        id: Id::DetailsRetries,
        area: DETAILS,
        title: "Retry budgets",
        evidence: &[Doc, Choice],
        rule: "Each criterion has a budget of its own, used up only by the retries that \
               criterion grants. A failure type with a criterion of its own uses it, and the \
               ALL criterion covers the types that have none. A thing that is no longer a \
               target of a CONTINUOUS job, or that was deleted, gets no retry (CHOICE). When \
               a thing rejoins (it had left every target and joins one again), the budgets \
               are full again and `retryAttempt` starts over (DOC for this reset), even when \
               the rejoin queues nothing because an execution is still running (CHOICE: the \
               reading that follows the text); an execution queued by joining a further \
               target group starts with full budgets too (CHOICE). `retryAttempt` of a retry \
               is the number of retries made since the budgets were last full, this one \
               included (CHOICE).",
    },
    Decision {
        id: Id::DetailsTimersMessages,
        area: DETAILS,
        title: "Messages from timers",
        evidence: &[Doc, Choice],
        rule: "Every firing timer sends a `notify` and a `notify-next` of its own, stamped with \
               its deadline, even when a single clock advance fires several timers. The topics of \
               a deleted thing go on receiving messages (CHOICE). `notify` carries at most 10 \
               summaries, taken from the front of the pending order (DOC). A job's startTime, \
               endTime and rollout batches are job timers: they fire exactly at their moment and order with \
               execution timers as decision 32 says (CHOICE).",
    },
    Decision {
        id: Id::DetailsMqtt,
        area: DETAILS,
        title: "MQTT checks and error codes",
        evidence: &[Choice],
        rule: "An MQTT request is checked in this order. First the topic: under \
               `$aws/things/T/jobs`, a topic that matches no operation gets `InvalidTopic`, while \
               a topic elsewhere gets no reply at all. Next the payload must parse as JSON \
               (`InvalidJson`, an empty payload included). Then it must be a JSON object, and \
               `clientToken` must be a string (otherwise `InvalidRequest`, and the token is not \
               echoed). Only then come the checks HTTP makes. A thing name or job id in the topic \
               that is not valid is `InvalidRequest`, and so is `$next` as the `{jobId}` of an \
               update. Error codes map one to one: InvalidRequestException is `InvalidRequest`, \
               ResourceNotFoundException is `ResourceNotFound`, InvalidStateTransitionException \
               is `InvalidStateTransition` (or `VersionMismatch` when `expectedVersion` does not \
               match), and TerminalStateException is `TerminalStateReached` (CHOICE). Where \
               the decisions are silent the crate adds (CHOICE): a refusal before the payload \
               is read (`InvalidTopic`) goes to the topic itself plus `/rejected`; the \
               `notify`, `notify-next` and reply topics name no operation a device publishes \
               to, so they get `InvalidTopic` too; `TerminalStateReached` carries no \
               `executionState`.",
    },
    Decision {
        id: Id::DetailsChecker,
        area: DETAILS,
        title: "Trace checker",
        evidence: &[Choice],
        rule: "The trace checker skips blank lines. A step whose `service` does not host its call \
               is malformed, and `at` has to be a JSON integer. When the model does not cover a \
               step, the checker marks it as not checked: the exit code stays as it is, and the \
               rest of the file goes unchecked unless that step expected an error (CHOICE).",
    },
    // Out of the model.
    Decision {
        id: Id::OutOfModel,
        area: OUT_OF_MODEL,
        title: "Features not modelled yet",
        evidence: &[],
        rule: "Maintenance windows, job templates, \
               `documentSource`, namespaces, presigned URLs and StartCommandExecution exist in AWS but are not part of this specification yet. A \
               request that relies on one of them gets its own \"not modelled\" answer, naming \
               the feature, and is never quietly accepted; a checker marks such a step as not \
               checked instead of counting it as agreement.",
    },
];

// Every id has its entry, at the index of the id: `DecisionId::decision` relies on it.
const _: () = {
    assert!(DECISIONS.len() == Id::OutOfModel as usize + 1);
    let mut i = 0;
    while i < DECISIONS.len() {
        assert!(DECISIONS[i].id as usize == i);
        i += 1;
    }
};

/// Finds a decision by the text of its id (`"5"`, `"1b"`, `"details-lists"`).
#[must_use]
pub fn find(number: &str) -> Option<&'static Decision> {
    number.parse::<DecisionId>().ok().map(DecisionId::decision)
}

/// The opening of docs/decisions.md, one line per entry, each at most [`WIDTH`] characters.
const INTRO: &[&str] = &[
    "# Decisions: how the specification settles what AWS leaves open",
    "",
    "This file is generated by `iot-jobs-spec decisions` from `src/decisions.rs`; change that",
    "file, not this one.",
    "",
    "AWS's documentation, its service models, its own device code and live captures leave some",
    "points of the job-execution lifecycle open, and a few of them contradict each other. An",
    "oracle cannot stay silent, so every point below gets one answer, and every answer is graded",
    "by how well it is backed, strongest first:",
    "",
    "- **DOC**: AWS documentation (the Developer Guide or the API reference) says so.",
    "- **MODEL**: AWS's machine-readable service model declares it.",
    "- **MEASURED**: a capture from the live service, with its date, published by the authors",
    "  of a third-party emulator, shows it.",
    "- **INFERRED**: nothing states it, but code or samples written by AWS depend on it.",
    "- **CHOICE**: no evidence points either way; the crate picked the answer that keeps the",
    "  model consistent.",
    "",
    "When the parts of one rule are backed differently, the text marks which part carries which",
    "grade. A rule graded INFERRED or CHOICE is the crate's own call, and changing it means",
    "touching one place only: its row of the transition table in `src/rules.rs`, or a constant",
    "or switch (`Config`, `Switches`) in `src/config.rs`.",
];

/// A line of prose under an area heading, for the areas that have one.
fn area_note(area: &str) -> Option<&'static str> {
    match area {
        DEVICE => Some("UpdateJobExecution and StartNextPendingJobExecution."),
        TIMERS => Some(
            "Every timer runs on the logical clock and fires at exactly its deadline, never \
             later.",
        ),
        RETRIES => Some("How a job's `jobExecutionsRetryConfig` is checked and applied."),
        DETAILS => Some(
            "Smaller points that two careful readers could settle differently. Each is CHOICE \
             unless its text marks another grade, and each is one line, in one place, of the \
             crate.",
        ),
        OUT_OF_MODEL => Some("AWS features this specification does not cover yet."),
        _ => None,
    }
}

/// The widest line [`render_markdown`] writes, except where a word could not be moved.
const WIDTH: usize = 100;

/// Would `word`, at the start of a line, open a Markdown block (list item, heading, quote,
/// rule, HTML) instead of continuing the paragraph?
fn opens_block(word: &str) -> bool {
    let marker_digits = word.strip_suffix(['.', ')']).unwrap_or("");
    matches!(word, "-" | "+" | "*")
        || word.starts_with(['#', '>', '<', '|', '='])
        || word.chars().all(|c| matches!(c, '-' | '_' | '*'))
        || (!marker_digits.is_empty() && marker_digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Appends `text` as one paragraph wrapped at [`WIDTH`], each line ending in a newline.
///
/// A word that would open a Markdown block at the start of a line stays on the line before,
/// even past [`WIDTH`], so the paragraph renders as one.
fn push_wrapped(out: &mut String, text: &str) {
    let mut line = String::new();
    let mut line_chars = 0;
    for word in text.split_whitespace() {
        let word_chars = word.chars().count();
        if line.is_empty() {
            line.push_str(word);
            line_chars = word_chars;
        } else if line_chars + 1 + word_chars <= WIDTH || opens_block(word) {
            line.push(' ');
            line.push_str(word);
            line_chars += 1 + word_chars;
        } else {
            out.push_str(&line);
            out.push('\n');
            line.clear();
            line.push_str(word);
            line_chars = word_chars;
        }
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
}

/// `Evidence: DOC, INFERRED`, or a note when a decision carries no grade.
fn push_evidence_line(out: &mut String, evidence: &[Evidence]) {
    out.push_str("Evidence: ");
    if evidence.is_empty() {
        out.push_str("none (outside the model)");
    }
    for (i, grade) in evidence.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&grade.to_string());
    }
    out.push('\n');
}

/// docs/decisions.md: a title, an introduction to the grades, then one section per area and,
/// under it, each decision with its heading, its grades and its rule.
///
/// The output depends on [`DECISIONS`] alone, has no trailing spaces and ends with a single
/// newline.
#[must_use]
pub fn render_markdown() -> String {
    let mut out = String::new();
    for line in INTRO {
        out.push_str(line);
        out.push('\n');
    }
    let mut area = "";
    for decision in DECISIONS {
        if decision.area != area {
            area = decision.area;
            out.push_str("\n## ");
            out.push_str(area);
            out.push('\n');
            if let Some(note) = area_note(area) {
                out.push('\n');
                push_wrapped(&mut out, note);
            }
        }
        out.push_str("\n### ");
        out.push_str(decision.id.as_str());
        out.push_str(". ");
        out.push_str(decision.title);
        out.push_str("\n\n");
        push_evidence_line(&mut out, decision.evidence);
        out.push('\n');
        push_wrapped(&mut out, decision.rule);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn numbered() -> Vec<String> {
        let mut numbers = vec!["1".to_owned(), "1b".to_owned()];
        numbers.extend((2..=26).map(|n| n.to_string()));
        numbers.extend((27..=40).map(|n| n.to_string()));
        numbers
    }

    const DETAIL_NUMBERS: &[&str] = &[
        "details-identity",
        "details-registry",
        "details-decoding",
        "details-createjob",
        "details-updates",
        "details-shapes",
        "details-lists",
        "details-retries",
        "details-timers-messages",
        "details-mqtt",
        "details-checker",
    ];

    #[test]
    fn ids_are_written_and_parsed_as_their_headings() {
        let mut seen = HashSet::new();
        for id in <DecisionId as strum::IntoEnumIterator>::iter() {
            assert!(seen.insert(id.as_str()), "two ids written {id}");
            assert_eq!(id.as_str().parse(), Ok(id), "{id}");
            assert_eq!(id.to_string(), id.as_str());
            assert_eq!(
                serde_json::to_value(id).ok(),
                Some(serde_json::Value::from(id.as_str()))
            );
            assert_eq!(id.decision().id, id);
        }
        assert_eq!(seen.len(), DECISIONS.len());
        assert!("5 ".parse::<DecisionId>().is_err());
    }

    #[test]
    fn catalog_is_complete_and_in_order() {
        let mut expected = numbered();
        expected.extend(DETAIL_NUMBERS.iter().map(|n| (*n).to_owned()));
        expected.push("out-of-model".to_owned());
        let actual: Vec<&str> = DECISIONS.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(actual, expected);
    }

    #[test]
    fn every_numbered_decision_is_found() {
        for number in numbered() {
            let decision = find(&number).unwrap_or_else(|| panic!("decision {number} missing"));
            assert_eq!(decision.id.as_str(), number);
        }
        assert!(find("0").is_none());
        assert!(find("41").is_none());
    }

    #[test]
    fn every_entry_but_out_of_model_is_graded() {
        for decision in DECISIONS {
            if decision.id == Id::OutOfModel {
                assert!(decision.evidence.is_empty());
            } else {
                assert!(
                    !decision.evidence.is_empty(),
                    "{} has no grade",
                    decision.id
                );
            }
        }
    }

    #[test]
    fn grades_are_strongest_first_without_repeats() {
        for decision in DECISIONS {
            assert!(
                decision.evidence.windows(2).all(|w| w[0] < w[1]),
                "{}: grades out of order",
                decision.id
            );
        }
    }

    #[test]
    fn mixed_grades_are_attributed_in_the_text() {
        for decision in DECISIONS.iter().filter(|d| d.evidence.len() > 1) {
            for grade in decision.evidence {
                let name = grade.to_string();
                assert!(
                    decision.rule.contains(&name),
                    "{}: the text does not say which part is {name}",
                    decision.id
                );
            }
        }
    }

    #[test]
    fn areas_are_contiguous_and_in_the_expected_order() {
        let mut areas: Vec<&str> = Vec::new();
        for decision in DECISIONS {
            if areas.last() != Some(&decision.area) {
                assert!(
                    !areas.contains(&decision.area),
                    "{} splits its area",
                    decision.id
                );
                areas.push(decision.area);
            }
        }
        assert_eq!(
            areas,
            [
                CREATION,
                DEVICE,
                TIMERS,
                RETRIES,
                CONTROL,
                NOTIFICATIONS,
                ROLLOUT,
                ABORT,
                SCHEDULING,
                OTHER_CALLS,
                DELETED_THINGS,
                DETAILS,
                OUT_OF_MODEL
            ]
        );
        for decision in DECISIONS {
            let is_detail = decision.id.as_str().starts_with("details-");
            assert_eq!(is_detail, decision.area == DETAILS, "{}", decision.id);
        }
    }

    #[test]
    fn texts_are_filled_in_and_single_paragraphs() {
        for decision in DECISIONS {
            assert!(!decision.title.trim().is_empty(), "{}", decision.id);
            assert!(decision.rule.ends_with(['.', ')']), "{}", decision.id);
            assert!(!decision.rule.contains('\n'), "{}", decision.id);
            assert!(
                !decision.rule.contains("  "),
                "{}: double space",
                decision.id
            );
            let first = decision.rule.split_whitespace().next().unwrap_or("");
            assert!(!opens_block(first), "{}", decision.id);
            assert_eq!(decision.rule.matches('`').count() % 2, 0, "{}", decision.id);
        }
    }

    #[test]
    fn some_facts_survive() {
        let rule = |id: DecisionId| id.decision().rule;
        assert!(rule(Id::D1b).contains("32768"));
        assert!(rule(Id::D11).contains("1024") && rule(Id::D11).contains("128"));
        assert!(rule(Id::D15).contains("10080") && rule(Id::D16).contains("10080"));
        assert!(rule(Id::D17).contains("60 s"));
        assert!(rule(Id::DetailsLists).contains("250"));
        assert!(rule(Id::DetailsIdentity).contains("123456789012"));
        assert_eq!(Id::D5.decision().evidence, &[Doc, Inferred][..]);
    }

    #[test]
    fn markdown_has_every_heading() {
        let md = render_markdown();
        assert!(md.starts_with("# "));
        for decision in DECISIONS {
            let heading = format!("\n### {}. {}\n", decision.id, decision.title);
            assert!(md.contains(&heading), "missing heading for {}", decision.id);
        }
        for number in numbered() {
            assert!(
                md.contains(&format!("\n### {number}. ")),
                "missing {number}"
            );
        }
        for area in [
            CREATION,
            DEVICE,
            TIMERS,
            RETRIES,
            CONTROL,
            NOTIFICATIONS,
            DETAILS,
        ] {
            assert_eq!(md.matches(&format!("\n## {area}\n")).count(), 1, "{area}");
        }
        assert!(md.contains("\n### 5. Device transitions\n\nEvidence: DOC, INFERRED\n\n"));
        assert!(md.contains("\nEvidence: DOC, MODEL, MEASURED, INFERRED, CHOICE\n"));
    }

    #[test]
    fn markdown_is_tidy() {
        let md = render_markdown();
        assert_eq!(md, render_markdown());
        assert!(md.ends_with('\n') && !md.ends_with("\n\n"));
        assert!(!md.contains("\n\n\n"));
        for line in md.lines() {
            assert_eq!(line, line.trim_end(), "trailing space in {line:?}");
            let last = line.rsplit(' ').next().unwrap_or("");
            let overflow_allowed = !line.contains(' ') || opens_block(last);
            assert!(
                line.chars().count() <= WIDTH || overflow_allowed,
                "too long: {line:?}"
            );
        }
    }

    #[test]
    fn wrapping_keeps_words_and_paragraphs() {
        for decision in DECISIONS {
            let mut out = String::new();
            push_wrapped(&mut out, decision.rule);
            let joined = out.lines().collect::<Vec<_>>().join(" ");
            assert_eq!(joined, decision.rule, "{}", decision.id);
            for line in out.lines() {
                let first = line.split(' ').next().unwrap_or("");
                assert!(!opens_block(first), "{}: {line:?}", decision.id);
            }
        }
        let mut out = String::new();
        let long = "x".repeat(WIDTH - 1);
        push_wrapped(&mut out, &format!("{long} + 1 end"));
        assert_eq!(out, format!("{long} +\n1 end\n"));
    }

    #[test]
    fn block_openers_are_recognised() {
        for word in [
            "-", "+", "*", "#", "##", ">", "10.", "1)", "---", "=", "<br>",
        ] {
            assert!(opens_block(word), "{word}");
        }
        for word in ["-1", "1..128", "10", "x.", "(1)", "`-1`", "×"] {
            assert!(!opens_block(word), "{word}");
        }
    }
}
