//! Names interned to dense ids: every thing and job name is looked up once per request,
//! at the boundary, and everything behind it is indexed by a small integer.
//!
//! The table is built for a fleet of a million executions: the names sit end to end in one
//! string and the index is one array of slots, so a lookup reads two small, dense arrays
//! instead of chasing a pointer per name. The hash is FNV-1a with its fixed basis: lookups
//! draw no random numbers, and the table is only ever probed, never iterated, so nothing the
//! service answers depends on hash order.

/// FNV-1a, 64 bit.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// An empty slot of the index.
const EMPTY: u32 = u32::MAX;

/// Names and their ids: ids count up from 0 in the order names were first interned and
/// are never reused, so an id outlives whatever it named (a deleted thing keeps its id).
#[derive(Clone, Default)]
pub(crate) struct Names {
    /// Every name, end to end.
    text: String,
    /// Where each name ends in `text`; name `i` starts where name `i - 1` ends.
    ends: Vec<usize>,
    /// Open addressing with linear probing, at most half full: (id, the hash's high
    /// half), or [`EMPTY`]. The high half settles most mismatches without reading a name.
    slots: Vec<(u32, u32)>,
}

impl Names {
    fn hash_parts(&self, name: &str) -> (usize, u32) {
        let h = fnv1a(name.as_bytes());
        let mask = self.slots.len().wrapping_sub(1);
        // Truncations intended: the low bits pick the slot, the high half is the tag.
        (h as usize & mask, (h >> 32) as u32)
    }

    /// The id of `name`, if it was ever interned.
    #[inline]
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let (mut i, tag) = self.hash_parts(name);
        loop {
            let (id, t) = self.slots[i];
            if id == EMPTY {
                return None;
            }
            if t == tag && self.name(id) == name {
                return Some(id);
            }
            i = (i + 1) & mask;
        }
    }

    /// Appends `name` under the next id, and gives that id (not yet findable by
    /// [`Names::get`]: the caller places it).
    fn push(&mut self, name: &str) -> u32 {
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| id != EMPTY)
            .expect("fewer than 2^32 - 1 names");
        self.text.push_str(name);
        self.ends.push(self.text.len());
        id
    }

    /// The id of `name`, interning it first if it is new.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.get(name) {
            return id;
        }
        let id = self.push(name);
        if self.ends.len() * 2 > self.slots.len() {
            self.rebuild((self.ends.len() * 4).next_power_of_two().max(16));
        }
        self.place(id);
        id
    }

    /// Gives `name` a new id (the next one), so that [`Names::get`] finds the new id from
    /// now on; the old id keeps its name for [`Names::name`]. A deleted job's id is never
    /// reused (decision 34): a job created again under its name is a new job.
    pub(crate) fn rebind(&mut self, name: &str) -> u32 {
        let Some(old) = self.get(name) else {
            return self.intern(name);
        };
        let id = self.push(name);
        let slot = self.slot_of(old);
        self.slots[slot].0 = id;
        if self.ends.len() * 2 > self.slots.len() {
            self.rebuild((self.ends.len() * 4).next_power_of_two().max(16));
        }
        id
    }

    /// The slot that holds `id`, which is bound.
    fn slot_of(&self, id: u32) -> usize {
        let mask = self.slots.len() - 1;
        let (mut i, _) = self.hash_parts(self.name(id));
        while self.slots[i].0 != id {
            i = (i + 1) & mask;
        }
        i
    }

    fn place(&mut self, id: u32) {
        let mask = self.slots.len() - 1;
        let (mut i, tag) = self.hash_parts(self.name(id));
        while self.slots[i].0 != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = (id, tag);
    }

    /// A larger index holding the ids bound now (a name given a new id by
    /// [`Names::rebind`] keeps only that one).
    fn rebuild(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, 0); size]);
        for (id, _) in old {
            if id != EMPTY {
                self.place(id);
            }
        }
    }

    /// The name of `id`.
    #[inline]
    pub(crate) fn name(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// How many names are interned.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Two tables are equal when they hold the same names under the same ids (the slots are
/// only an index of them).
impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends && self.text == other.text
    }
}

impl Eq for Names {}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries((0..self.ends.len()).map(|i| self.name(i as u32)))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn a_rebound_name_finds_its_new_id_and_the_old_id_keeps_the_name() {
        let mut names = Names::default();
        for i in 0..10 {
            names.intern(&format!("j{i}"));
        }
        let new = names.rebind("j3");
        assert_eq!((new, names.get("j3")), (10, Some(10)));
        assert_eq!(names.name(3), "j3");
        // Growing the index keeps the binding.
        for i in 10..1000 {
            names.intern(&format!("j{i}"));
        }
        assert_eq!(names.get("j3"), Some(10));
        assert_eq!(names.get("j4"), Some(4));
        assert_eq!(names.rebind("new"), names.get("new").unwrap());
    }

    #[test]
    fn ids_count_up_and_every_name_is_found_again() {
        let mut names = Names::default();
        assert_eq!(names.get("t"), None);
        let all: Vec<String> = (0..1000).map(|i| format!("thing-{i}")).collect();
        for (i, n) in all.iter().enumerate() {
            assert_eq!(names.intern(n) as usize, i);
        }
        assert_eq!(
            names.intern("thing-7"),
            7,
            "interning again gives the same id"
        );
        assert_eq!(names.len(), 1000);
        for (i, n) in all.iter().enumerate() {
            assert_eq!(names.get(n), Some(i as u32));
            assert_eq!(names.name(i as u32), n);
        }
        assert_eq!(names.get("thing-1000"), None);
        assert_eq!(names.get(""), None);
    }

    /// Two names whose hashes agree in the tag and in the slot they start from: the first
    /// is interned, the second must still be told apart by its text.
    #[test]
    fn a_name_sharing_another_names_tag_and_slot_is_not_taken_for_it() {
        let mut seen = std::collections::HashMap::new();
        let (a, b) = (0u32..)
            .find_map(|i| {
                let name = format!("n{i}");
                let h = super::fnv1a(name.as_bytes());
                // A table holding one name has 16 slots.
                let key = (h >> 32, h & 15);
                seen.insert(key, name.clone()).map(|other| (other, name))
            })
            .expect("a collision exists");
        let mut names = Names::default();
        let id = names.intern(&a);
        assert_eq!(
            names.get(&b),
            None,
            "{b} shares {a}'s tag and slot but is not it"
        );
        let other = names.intern(&b);
        assert_ne!(id, other);
        assert_eq!((names.get(&a), names.get(&b)), (Some(id), Some(other)));
    }

    /// Eight names that all start from the last slots of a 16-slot table, so the probe
    /// runs past the end and wraps: each is found in its place, and a ninth that starts
    /// there too walks the whole run and is not found.
    #[test]
    fn a_run_of_names_from_one_slot_wraps_round_the_table() {
        let mut starting_at_13 = (0u32..)
            .map(|i| format!("w{i}"))
            .filter(|n| super::fnv1a(n.as_bytes()) & 15 == 13);
        let run: Vec<String> = starting_at_13.by_ref().take(8).collect();
        let stranger = starting_at_13.next().expect("a ninth name");
        let mut names = Names::default();
        for (i, n) in run.iter().enumerate() {
            assert_eq!(names.intern(n) as usize, i);
        }
        assert_eq!(names.slots.len(), 16, "eight names fill half of 16 slots");
        for (i, n) in run.iter().enumerate() {
            assert_eq!(names.get(n), Some(i as u32), "{n}");
        }
        assert_eq!(names.get(&stranger), None);
        // The run occupies slots 13, 14, 15, then 0 to 4.
        let occupied: Vec<usize> = (0..16)
            .filter(|&i| names.slots[i].0 != super::EMPTY)
            .collect();
        assert_eq!(occupied, [0, 1, 2, 3, 4, 13, 14, 15]);
        // Growing keeps every id.
        let id = names.intern(&stranger);
        assert_eq!(id, 8);
        assert!(names.slots.len() > 16);
        for (i, n) in run.iter().chain([&stranger]).enumerate() {
            assert_eq!(names.get(n), Some(i as u32), "{n} after growing");
        }
    }

    #[test]
    fn equal_tables_hold_the_same_names_in_the_same_order() {
        let (mut a, mut b) = (Names::default(), Names::default());
        a.intern("x");
        a.intern("y");
        b.intern("y");
        b.intern("x");
        assert_ne!(a, b);
        let mut c = Names::default();
        c.intern("x");
        c.intern("y");
        assert_eq!(a, c);
        assert_eq!(format!("{a:?}"), r#"["x", "y"]"#);
    }
}
