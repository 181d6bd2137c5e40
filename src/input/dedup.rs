//! The duplicate check of one export (SPEC §2 "Bad rows", §8 "Rows"): which ids have been
//! accepted, and where. It is the only state that grows with the rows of a month, so it is kept
//! compact: each id is held as a 64-bit hash of its bytes with the byte offset of the row that
//! first carried it (16 bytes per id, in a table at most 3/4 full), not as the id itself.
//!
//! A hash is never trusted on its own. When a row's id hash has been seen before, both rows are
//! read back from the file and compared exactly: first the ids, then the parsed values of the
//! known columns. So two different ids that happen to share a hash are both accepted, and a
//! collision can never drop or reject a row, nor change money. Repeated ids are rare, which keeps
//! reading back cheap.

use crate::error::Result;
use std::collections::HashMap;

/// The 64-bit hash an id is indexed by.
pub fn id_hash(id: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id)
}

/// A row read back from its file for an exact comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowKey {
    /// The id cell, trimmed.
    pub id: Vec<u8>,
    /// The parsed values of the known columns and the vendor, as one byte string: two rows are
    /// the same row exactly when these are equal.
    pub values: Vec<u8>,
}

/// What a row's id means at the point it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sighting {
    /// The id is new: the row is accepted and tallied.
    First,
    /// The id was accepted before with the same values: an exact duplicate, counted once.
    Duplicate,
    /// The id was accepted before with other values: every row of the id is rejected.
    Conflict,
}

/// The ids accepted so far in one export.
///
/// An open-addressing table of (key, offset) pairs with linear probing: one 16-byte slot per
/// id, at most 3/4 full, so a lookup touches one cache line. The key is the id hash with 0
/// reserved for an empty slot.
#[derive(Default)]
pub struct IdIndex {
    slots: Vec<[u64; 2]>,
    /// Slots in use.
    len: usize,
    /// Ids whose hash an earlier, different id already holds (practically never), each with
    /// the offset of its first row.
    collided: HashMap<Box<[u8]>, u64>,
}

/// The key of an id hash in the table: 0 marks an empty slot.
fn key_of(hash: u64) -> u64 {
    hash.max(1)
}

impl IdIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes room for `ids` more ids at once, so a large file does not grow the index step by
    /// step (each step briefly holding the old and the new table).
    pub fn reserve(&mut self, ids: usize) {
        let need = (self.len + ids).saturating_mul(4) / 3 + 1;
        if need > self.slots.len() {
            self.resize(need.next_power_of_two().max(16));
        }
    }

    fn resize(&mut self, capacity: usize) {
        // Written, not allocated zeroed: a zeroed allocation maps pages lazily to one shared
        // zero page, and [`IdIndex::warm`] reading them first would make every later write a
        // copy-on-write fault that interrupts every core.
        let mut slots = Vec::with_capacity(capacity);
        slots.resize(capacity, [0, 0]);
        let old = std::mem::replace(&mut self.slots, slots);
        let mask = capacity - 1;
        for slot in old.into_iter().filter(|s| s[0] != 0) {
            let mut at = slot[0] as usize & mask;
            while self.slots[at][0] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }

    /// How many distinct ids are held.
    pub fn len(&self) -> usize {
        self.len + self.collided.len()
    }

    /// Whether no id is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads the slots where `hashes` would go, all at once, so that the memory fetches
    /// overlap instead of waiting one after another when the ids are then sighted in order.
    pub fn warm(&self, hashes: impl Iterator<Item = u64>) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        let mut sum = 0u64;
        for h in hashes {
            sum ^= self.slots[key_of(h) as usize & mask][0];
        }
        std::hint::black_box(sum);
    }

    /// Records the row at byte `offset` carrying `id` (hashed as `hash`), and says whether the id
    /// is new, or an exact duplicate or a conflict of an earlier row. `read_back` reads the row
    /// starting at a byte offset of the file again; it is called only when the hash was seen
    /// before.
    pub fn sight(
        &mut self,
        hash: u64,
        id: &[u8],
        offset: u64,
        read_back: &mut dyn FnMut(u64) -> Result<RowKey>,
    ) -> Result<Sighting> {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(16));
        }
        let key = key_of(hash);
        let mask = self.slots.len() - 1;
        let mut at = key as usize & mask;
        let first = loop {
            match self.slots[at] {
                [0, _] => {
                    self.slots[at] = [key, offset];
                    self.len += 1;
                    return Ok(Sighting::First);
                }
                [k, first] if k == key => break first,
                _ => at = (at + 1) & mask,
            }
        };
        let mut earlier = read_back(first)?;
        if earlier.id != id {
            // Another id holds this hash.
            match self.collided.get(id) {
                None => {
                    self.collided.insert(id.into(), offset);
                    return Ok(Sighting::First);
                }
                Some(&at) => earlier = read_back(at)?,
            }
        }
        let this = read_back(offset)?;
        Ok(if this.values == earlier.values {
            Sighting::Duplicate
        } else {
            Sighting::Conflict
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows by offset: (id, values).
    fn rows() -> Vec<(&'static str, &'static str)> {
        vec![
            ("A", "1"), // 0
            ("B", "2"), // 1
            ("A", "1"), // 2: duplicate of 0
            ("B", "3"), // 3: conflict with 1
            ("C", "1"), // 4: shares A's hash below
            ("C", "1"), // 5: duplicate of 4
            ("C", "9"), // 6: conflict with 4
        ]
    }

    fn run(hash: impl Fn(&str) -> u64) -> Vec<Sighting> {
        let rows = rows();
        let mut index = IdIndex::new();
        let mut read_back = |at: u64| {
            let (id, values) = rows[at as usize];
            Ok(RowKey {
                id: id.as_bytes().to_vec(),
                values: values.as_bytes().to_vec(),
            })
        };
        rows.iter()
            .enumerate()
            .map(|(at, (id, _))| {
                index
                    .sight(hash(id), id.as_bytes(), at as u64, &mut read_back)
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn spec_2_duplicates_count_once_and_conflicts_are_found() {
        use Sighting::*;
        let expected = vec![
            First, First, Duplicate, Conflict, First, Duplicate, Conflict,
        ];
        assert_eq!(run(|id| id_hash(id.as_bytes())), expected);
        // Every id sharing one hash (0 included): the exact comparison still tells them apart.
        assert_eq!(run(|_| 7), expected);
        assert_eq!(run(|_| 0), expected);
        // Hashes crowding into neighbouring slots.
        assert_eq!(run(|id| u64::from(id.as_bytes()[0]) << 20), expected);
    }
}
