//! The claimed records indexed by (role, id), so the settle pass finds an accepted row's claims
//! with one lookup. The index holds no copy of an id: an open-addressing table of (hash tag,
//! record) pairs, every hit checked against the id itself, and the records of one id chained in
//! file order.

use super::claim::{ClaimRecord, ClaimRecords};
use super::items::{role_of, ItemKey};
use crate::base::words::Words;
use crate::contract::terms::Terms;
use crate::input::Role;

/// No record: the end of a chain, or a record whose item has no input.
const END: u32 = u32::MAX;

/// Records whose slots are fetched together while the index is built.
const BATCH: usize = 16;

/// Slots a call of [`ClaimIndex::warm`] fetches at most.
const WARMED: usize = 16;

thread_local! {
    /// The slots this thread last asked [`ClaimIndex::warm`] to fetch, and how many: their
    /// records are fetched at its next call. Only a hint: a thread that takes another file's
    /// rows in between fetches records it will not need, and no value changes.
    static LAST_WARMED: std::cell::Cell<([usize; WARMED], usize)> =
        const { std::cell::Cell::new(([0; WARMED], 0)) };
}

/// The claimed records of one claim, indexed by (role, id).
pub struct ClaimIndex<'c> {
    /// The records.
    pub records: &'c ClaimRecords,
    /// Per item named: the input its records come from.
    roles: Vec<Option<Role>>,
    /// Per item named: its key, when it names a line the terms produce.
    keys: Vec<Option<ItemKey>>,
    /// The upper half of the hash (high 32 bits) and the record + 1 (low 32 bits) per slot;
    /// 0 marks an empty slot. In huge pages, asked for on every parsing thread ([`Words`]).
    slots: Words,
    /// Per record: the next record of its (role, id), in file order.
    next: Vec<u32>,
    /// Per record: the first record of its (role, id).
    head: Vec<u32>,
    /// Per record listed again under its item: the line of its first listing.
    earlier: std::collections::HashMap<u32, u64>,
}

/// The hash an id is indexed by: the duplicate check's, so the settle pass can hand the index
/// the hashes of the rows it is about to judge ([`ClaimIndex::warm`]). The same id claimed for
/// two inputs shares a probe sequence; the role is checked with the id.
/// A slot's hash tag and record + 1.
fn slot_of(slot: u64) -> (u32, u32) {
    ((slot >> 32) as u32, slot as u32)
}

fn hash(id: &[u8]) -> u64 {
    crate::input::dedup::id_hash(id)
}

impl<'c> ClaimIndex<'c> {
    /// Indexes `records`, whose item names `terms` read; the table's memory is asked for on
    /// `threads` threads.
    pub fn build(records: &'c ClaimRecords, terms: &Terms, threads: usize) -> Self {
        let roles: Vec<Option<Role>> = records.items.iter().map(|i| role_of(i)).collect();
        let keys = records
            .items
            .iter()
            .map(|i| ItemKey::parse(i, terms))
            .collect();
        let n = records.rows.len();
        let capacity = (n.saturating_mul(4) / 3 + 1).next_power_of_two().max(16);
        let mut index = ClaimIndex {
            records,
            roles,
            keys,
            slots: Words::zeroed(capacity, threads),
            next: vec![END; n],
            head: vec![END; n],
            earlier: Default::default(),
        };
        // The last record of each chain, by its head.
        let mut tail: Vec<u32> = vec![END; n];
        let mask = capacity - 1;
        // Records go in by batches whose slots are fetched together first: a record's slot is
        // a fetch from anywhere in the table, and one after another they would wait in turn.
        let mut batch: Vec<(u32, Role, u64)> = Vec::with_capacity(BATCH);
        for start in (0..n).step_by(BATCH) {
            batch.clear();
            for (i, r) in records.rows[start..n.min(start + BATCH)].iter().enumerate() {
                if let Some(role) = index.roles[usize::from(r.item)] {
                    let h = hash(records.id(r).as_bytes());
                    crate::base::prefetch(&index.slots[h as usize & mask]);
                    batch.push(((start + i) as u32, role, h));
                }
            }
            for &(i, role, h) in &batch {
                index.insert(i, role, h, &mut tail);
            }
        }
        drop(tail);
        // Records listed again under the same item: a chain holds at most a few items, so one
        // walk of each chain finds them all.
        let mut firsts: Vec<(u16, u64)> = Vec::new();
        let mut earlier = std::collections::HashMap::new();
        for h in 0..n as u32 {
            if index.head[h as usize] != h || index.next[h as usize] == END {
                continue;
            }
            firsts.clear();
            for j in index.chain(h) {
                let r = &records.rows[j as usize];
                match firsts.iter().find(|(item, _)| *item == r.item) {
                    Some(&(_, line)) => {
                        earlier.insert(j, line);
                    }
                    None => firsts.push((r.item, r.line)),
                }
            }
        }
        index.earlier = earlier;
        index
    }

    /// Puts record `i`, of `role`, its id hashed as `h`, in its slot, or at the end of the
    /// chain of the record with its role and id; `tail` is the last record of each chain.
    fn insert(&mut self, i: u32, role: Role, h: u64, tail: &mut [u32]) {
        let id = self.records.id(&self.records.rows[i as usize]).as_bytes();
        match self.probe(h, role, id) {
            Err(at) => {
                self.slots[at] = (h >> 32 << 32) | u64::from(i + 1);
                self.head[i as usize] = i;
                tail[i as usize] = i;
            }
            Ok(j) => {
                self.head[i as usize] = j;
                self.next[tail[j as usize] as usize] = i;
                tail[j as usize] = i;
            }
        }
    }

    /// The first record of (`role`, `id`), its id hashed as `h`; or the empty slot where it
    /// would go.
    fn probe(&self, h: u64, role: Role, id: &[u8]) -> std::result::Result<u32, usize> {
        let tag = (h >> 32) as u32;
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let (t, slot) = slot_of(self.slots[at]);
            if slot == 0 {
                return Err(at);
            }
            if t == tag && self.same(slot - 1, role, id) {
                return Ok(slot - 1);
            }
            at = (at + 1) & mask;
        }
    }

    /// Whether record `j` is of `role` and `id`.
    fn same(&self, j: u32, role: Role, id: &[u8]) -> bool {
        let r = &self.records.rows[j as usize];
        self.roles[usize::from(r.item)] == Some(role) && self.records.id(r).as_bytes() == id
    }

    /// The first record of (role, id), if any is claimed.
    pub fn find(&self, role: Role, id: &[u8]) -> Option<u32> {
        self.probe(hash(id), role, id).ok()
    }

    /// Starts fetching the slots where ids with these hashes would be found, and the records
    /// held by the slots this thread asked for the time before (in the cache by now), so that
    /// the lookups that follow find both there instead of waiting on memory in turn.
    pub fn warm(&self, hashes: &mut dyn Iterator<Item = u64>) {
        let mask = self.slots.len() - 1;
        let mut at = [0usize; WARMED];
        let mut n = 0;
        for h in hashes.take(WARMED) {
            at[n] = h as usize & mask;
            crate::base::prefetch(&self.slots[at[n]]);
            n += 1;
        }
        let (before, m) = LAST_WARMED.replace((at, n));
        for &a in &before[..m] {
            let slot = self.slots.get(a).copied().unwrap_or(0);
            if let Some(r) = slot_of(slot).1.checked_sub(1) {
                if let Some(record) = self.records.rows.get(r as usize) {
                    crate::base::prefetch(record);
                }
            }
        }
    }

    /// The records of the chain that starts at `head`, in file order.
    pub fn chain(&self, head: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(head), |&i| {
            Some(self.next[i as usize]).filter(|&n| n != END)
        })
    }

    /// The first record of record `i`'s (role, id) (`None`: its item has no input).
    pub fn head(&self, i: u32) -> Option<u32> {
        Some(self.head[i as usize]).filter(|&h| h != END)
    }

    /// Heads of every chain, in file order.
    pub fn heads(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.head.len() as u32).filter(|&i| self.head[i as usize] == i)
    }

    /// The line of the first listing of record `i`'s id under its item, when `i` lists it again.
    pub fn earlier(&self, i: u32) -> Option<u64> {
        self.earlier.get(&i).copied()
    }

    /// The key of the item record `r` is claimed under.
    pub fn key(&self, r: &ClaimRecord) -> Option<ItemKey> {
        self.keys[usize::from(r.item)]
    }

    /// The input of the item record `r` is claimed under.
    pub fn role(&self, r: &ClaimRecord) -> Option<Role> {
        self.roles[usize::from(r.item)]
    }

    /// Whether `id` is claimed under the item numbered `item`.
    pub fn claimed_under(&self, role: Role, id: &[u8], item: u16) -> bool {
        self.find(role, id).is_some_and(|h| {
            self.chain(h)
                .any(|j| self.records.rows[j as usize].item == item)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(rows: &[(&str, &str)]) -> ClaimRecords {
        let mut out = ClaimRecords::default();
        for (line, (item, id)) in rows.iter().enumerate() {
            let index = match out.items.iter().position(|i| i == item) {
                Some(i) => i as u16,
                None => {
                    out.items.push(item.to_string());
                    (out.items.len() - 1) as u16
                }
            };
            out.push_for_test(line as u64 + 2, index, id);
        }
        out
    }

    fn example_rates() -> crate::contract::rates::Rates {
        let text = include_str!("../../rates.toml");
        crate::contract::rates::Rates::parse(text, std::path::Path::new("rates.toml"))
            .expect("the example rates")
    }

    fn october() -> crate::base::timestamp::Month {
        crate::base::timestamp::Month::parse("2026-10").expect("a month")
    }

    #[test]
    fn spec_10_an_ids_claims_are_chained_in_file_order_per_input() {
        let rates = example_rates();
        let terms = rates.terms_for("acme", october());
        let r = records(&[
            ("earn/phone_effective_call", "C1"),
            ("earn/service_order", "C1"),
            ("earn/phone_effective_call", "C2"),
            ("takeover/presales/phone", "C1"),
            ("earn/phone_effective_call", "C1"),
        ]);
        let index = ClaimIndex::build(&r, terms, 2);
        // C1 as a call: lines 2, 5 and 6; C1 as a ticket is another chain.
        assert_eq!(index.find(Role::Calls, b"C1"), Some(0));
        assert_eq!(index.chain(0).collect::<Vec<_>>(), vec![0, 3, 4]);
        assert_eq!(index.find(Role::Tickets, b"C1"), Some(1));
        assert_eq!(index.chain(1).collect::<Vec<_>>(), vec![1]);
        assert_eq!(index.find(Role::Calls, b"C3"), None);
        assert_eq!(index.find(Role::Orders, b"C1"), None);
        // Listed again under the same item: record 4 (line 6), first on line 2.
        assert_eq!(index.earlier(4), Some(2));
        assert_eq!(index.earlier(3), None);
        assert_eq!(index.heads().collect::<Vec<_>>(), vec![0, 1, 2]);
        assert!(index.claimed_under(Role::Calls, b"C1", 2));
        assert!(!index.claimed_under(Role::Calls, b"C2", 2));
    }

    #[test]
    fn warming_is_only_a_hint_even_after_a_larger_index_warmed_on_the_thread() {
        let rates = example_rates();
        let terms = rates.terms_for("acme", october());
        let many: Vec<(String, String)> = (0..100)
            .map(|i| ("earn/phone_effective_call".to_string(), format!("C{i}")))
            .collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (large, small) = (records(&many), records(&[("earn/service_order", "C1")]));
        let large = ClaimIndex::build(&large, terms, 1);
        let small = ClaimIndex::build(&small, terms, 1);
        // The large index's last slots are beyond the small table: the small one's next warming
        // must pass over them.
        large.warm(&mut (0..16).map(|i| u64::MAX - i));
        small.warm(&mut std::iter::once(hash(b"C1")));
        small.warm(&mut std::iter::empty());
        assert_eq!(small.find(Role::Tickets, b"C1"), Some(0));
        assert_eq!(large.find(Role::Calls, b"C99"), Some(99));
    }
}
