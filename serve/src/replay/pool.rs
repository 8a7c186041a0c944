//! `--jobs N`: which files may be in flight at once.
//!
//! Two files that name the same thing, thing group or job (under the names sent, after
//! `--prefix`) would see each other's resources: one's `CreateThing` would find the
//! other's thing, one's cleanup would delete what the other still uses. Such files never
//! run at the same time, and keep their command-line order: a file waits for every
//! earlier file it shares a name with ([`Plan`]). A file that lists what the whole
//! account holds (`ListJobs`, `ListThings`) would see every other file's resources, so it
//! shares a name with every file. Files with no name in common cannot tell that they ran
//! together: each answer the endpoint gives about a resource depends only on the calls
//! made on that resource and on the clock, and without clock control every file runs on
//! the endpoint's own clock anyway.

use std::collections::BTreeSet;

use iot_jobs_spec::trace::{Action, Step};

use super::names::{Kind, Names};

/// The operations whose answer covers every resource of the account.
const ACCOUNT_WIDE: &[&str] = &["ListJobs", "ListThings"];

/// The resources one file names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// Each thing, thing group and job a step names, as sent.
    pub names: BTreeSet<(Kind, String)>,
    /// Whether a step lists every resource of the account.
    pub account_wide: bool,
}

impl Uses {
    /// What the trace `text` names, under `names`. A file with a malformed line is
    /// never sent (`check` reports it), so it names nothing.
    pub fn of(text: &str, names: &Names) -> Self {
        let mut uses = Self::default();
        let mut prev = 0;
        for line in text.lines() {
            match Step::parse(line, prev) {
                Ok(Some(step)) => {
                    prev = step.at;
                    uses.add(&step.action, names);
                }
                Ok(None) => {}
                Err(_) => return Self::default(),
            }
        }
        uses
    }

    fn add(&mut self, action: &Action, names: &Names) {
        if let Action::Call { name, .. } = action {
            self.account_wide |= ACCOUNT_WIDE.contains(&name.as_str());
        }
        self.names.extend(names.named(action));
    }

    /// Whether two files must not be in flight at once.
    pub fn conflicts(&self, other: &Uses) -> bool {
        let lists =
            self.account_wide && !other.is_empty() || other.account_wide && !self.is_empty();
        lists || !self.names.is_disjoint(&other.names)
    }

    /// Whether the file sends nothing.
    fn is_empty(&self) -> bool {
        self.names.is_empty() && !self.account_wide
    }
}

/// The order files start in: a file starts once every earlier file it conflicts with
/// has finished; among the files that may start, the first on the command line first.
#[derive(Clone, Debug)]
pub struct Plan {
    /// For each file, the earlier files it waits for.
    waits: Vec<Vec<usize>>,
    started: Vec<bool>,
    finished: Vec<bool>,
}

impl Plan {
    /// The plan of the files `uses` (in command-line order).
    pub fn new(uses: &[Uses]) -> Self {
        let waits = uses
            .iter()
            .enumerate()
            .map(|(i, u)| (0..i).filter(|&j| uses[j].conflicts(u)).collect())
            .collect();
        Self {
            waits,
            started: vec![false; uses.len()],
            finished: vec![false; uses.len()],
        }
    }

    /// The earlier files file `i` waits for.
    pub fn waits(&self, i: usize) -> &[usize] {
        &self.waits[i]
    }

    /// The next file that may start now, marked started; `None` when every file not yet
    /// started waits for one in flight (or all have started).
    pub fn start(&mut self) -> Option<usize> {
        let i = (0..self.waits.len())
            .find(|&i| !self.started[i] && self.waits[i].iter().all(|&j| self.finished[j]))?;
        self.started[i] = true;
        Some(i)
    }

    /// Marks file `i` finished.
    pub fn finish(&mut self, i: usize) {
        self.finished[i] = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(lines: &[&str], prefix: &str) -> Uses {
        Uses::of(&lines.join("\n"), &Names::new(prefix))
    }

    const THING_T1: &str = r#"{"call": "CreateThing", "input": {"thingName": "t1"}}"#;
    const THING_T2: &str = r#"{"call": "CreateThing", "input": {"thingName": "t2"}}"#;

    #[test]
    fn a_file_names_its_things_groups_and_jobs_as_sent() {
        let u = uses(
            &[
                THING_T1,
                "",
                r#"{"call": "CreateJob", "input": {"jobId": "j1", "document": "{}", "targets": ["arn:aws:iot:us-east-1:1:thinggroup/g1"]}}"#,
                r#"{"call": "AddThingToThingGroup", "input": {"thingName": "t2", "thingGroupName": "g2"}}"#,
                r#"{"publish": {"topic": "$aws/things/t3/jobs/j2/update", "payload": {}}}"#,
                r#"{"publish": {"topic": "$aws/things/t4/jobs/$next/get", "payload": {}}}"#,
            ],
            "p-",
        );
        let names: Vec<(Kind, &str)> = u.names.iter().map(|(k, n)| (*k, n.as_str())).collect();
        assert_eq!(
            names,
            [
                (Kind::Thing, "p-t1"),
                (Kind::Thing, "p-t2"),
                (Kind::Thing, "p-t3"),
                (Kind::Thing, "p-t4"),
                (Kind::ThingGroup, "p-g1"),
                (Kind::ThingGroup, "p-g2"),
                (Kind::Job, "p-j1"),
                (Kind::Job, "p-j2"),
            ]
        );
        assert!(!u.account_wide);
    }

    #[test]
    fn files_conflict_when_they_share_a_name_of_the_same_kind() {
        let a = uses(&[THING_T1], "");
        let b = uses(&[THING_T1, THING_T2], "");
        let c = uses(&[THING_T2], "");
        // A job named t1 is not the thing t1.
        let job = uses(
            &[r#"{"call": "DescribeJob", "input": {"jobId": "t1"}}"#],
            "",
        );
        assert!(a.conflicts(&b) && b.conflicts(&a));
        assert!(b.conflicts(&c));
        assert!(!a.conflicts(&c));
        assert!(!a.conflicts(&job));
        // A file listing the account's jobs conflicts with every file that sends
        // something, and with no file that sends nothing (a malformed one).
        let list = uses(&[r#"{"call": "ListJobs", "input": {}}"#], "");
        assert!(list.account_wide);
        assert!(list.conflicts(&c) && c.conflicts(&list));
        assert!(list.conflicts(&list.clone()));
        let malformed = uses(&[THING_T1, "{not json"], "");
        assert_eq!(malformed, Uses::default());
        assert!(!list.conflicts(&malformed) && !malformed.conflicts(&a));
    }

    #[test]
    fn a_conflict_chain_keeps_command_line_order_and_others_start_beside_it() {
        // 0 and 2 share t1, 2 and 3 share t2; 1 and 4 share nothing with anyone.
        let files = [
            uses(&[THING_T1], ""),
            uses(
                &[r#"{"call": "CreateThing", "input": {"thingName": "x"}}"#],
                "",
            ),
            uses(&[THING_T1, THING_T2], ""),
            uses(&[THING_T2], ""),
            uses(
                &[r#"{"call": "CreateThing", "input": {"thingName": "y"}}"#],
                "",
            ),
        ];
        let mut plan = Plan::new(&files);
        assert_eq!(plan.waits(2), [0]);
        assert_eq!(plan.waits(3), [2]);
        assert_eq!(plan.start(), Some(0));
        assert_eq!(plan.start(), Some(1));
        // 2 waits for 0, 3 for 2: 4 goes past them.
        assert_eq!(plan.start(), Some(4));
        assert_eq!(plan.start(), None);
        plan.finish(1);
        assert_eq!(plan.start(), None);
        plan.finish(0);
        assert_eq!(plan.start(), Some(2));
        assert_eq!(plan.start(), None);
        plan.finish(2);
        assert_eq!(plan.start(), Some(3));
        assert_eq!(plan.start(), None);
    }

    #[test]
    fn files_under_prefixes_of_their_own_share_no_name() {
        let a = uses(&[THING_T1], "f1-");
        let b = uses(&[THING_T1], "f2-");
        assert!(!a.conflicts(&b));
        assert!(a.conflicts(&uses(&[THING_T1], "f1-")));
    }

    #[test]
    fn a_file_listing_the_account_runs_alone_in_its_place() {
        let files = [
            uses(&[THING_T1], ""),
            uses(&[r#"{"call": "ListJobs", "input": {}}"#], ""),
            uses(&[THING_T2], ""),
        ];
        let mut plan = Plan::new(&files);
        assert_eq!(plan.start(), Some(0));
        assert_eq!(plan.start(), None);
        plan.finish(0);
        assert_eq!(plan.start(), Some(1));
        assert_eq!(plan.start(), None);
        plan.finish(1);
        assert_eq!(plan.start(), Some(2));
    }
}
