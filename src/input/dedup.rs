//! The duplicate check of one export (SPEC §2 "Bad rows", §8 "Rows"): which ids have been
//! accepted, and where. It is the only state that grows with the rows of a month, so it is kept
//! compact: each id is held as the top bits of a 64-bit hash of its bytes packed with the byte
//! offset of the row that first carried it into one 8-byte slot (a table sized to 4/3 of the ids
//! its file's first chunk predicts, at most 3/4 full: about 11 bytes per id), not as the id
//! itself.
//!
//! A hash is never trusted on its own. When a row's id hash has been seen before, both rows are
//! read back from the file and compared exactly: first the ids, then the parsed values of the
//! known columns. So two different ids that happen to share a hash are both accepted, and a
//! collision can never drop or reject a row, nor change money. Repeated ids are rare, which keeps
//! reading back cheap.

use crate::base::words::Words;
use crate::error::{Error, Result};

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
/// An open-addressing table with linear probing, one 8-byte slot per id, at most 3/4 full: the
/// low bits of a slot hold the offset of the row that first carried the id (plus one; 0 marks an
/// empty slot), the high bits the top bits of its id hash. How many bits the offset takes is set
/// from the file's size before the first id ([`IdIndex::fit`]); a 1.4 GB export keeps 33 bits of
/// each hash. An id's home slot is its kept bits scaled onto the table, so the table is sized to
/// the ids expected rather than to a power of two, and can grow from what it holds. Equal kept
/// bits send the comparison to the rows themselves.
pub struct IdIndex {
    /// In huge pages where the system gives them ([`Words`]).
    slots: Words,
    /// Slots in use.
    len: usize,
    /// Low bits of a slot that hold the offset plus one.
    offset_bits: u32,
}

/// The slot after `at` in a table of `capacity` slots, wrapping round.
fn next(at: usize, capacity: usize) -> usize {
    if at + 1 == capacity {
        0
    } else {
        at + 1
    }
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex {
            slots: Words::default(),
            len: 0,
            offset_bits: DEFAULT_OFFSET_BITS,
        }
    }
}

/// Offset bits when the file's size is not known: rows numbered up to 2^36, 28 hash bits.
const DEFAULT_OFFSET_BITS: u32 = 36;
/// Bounds on the offset bits: at least 16 hash bits are kept, and a table up to 2^16 slots can
/// always grow.
const OFFSET_BITS: std::ops::RangeInclusive<u32> = 16..=48;

impl IdIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the index, still empty, for offsets below `bound` (a file's size in bytes, or a
    /// count of rows): the fewer bits the offsets take, the more of each hash is kept.
    pub fn fit(&mut self, bound: u64) {
        if self.len == 0 {
            let bits = 64 - bound.saturating_add(1).leading_zeros();
            self.offset_bits = bits.clamp(*OFFSET_BITS.start(), *OFFSET_BITS.end());
            self.slots = Words::default();
        }
    }

    /// Hash bits kept per slot.
    fn hash_bits(&self) -> u32 {
        64 - self.offset_bits
    }

    /// The slot an id starts its probe at in a table of `capacity` slots, from its kept hash
    /// bits `kept` (the hash shifted right by the offset bits): the kept value scaled onto the
    /// table, so any capacity works and the table can grow from what it holds.
    fn home(&self, kept: u64, capacity: usize) -> usize {
        ((u128::from(kept) * capacity as u128) >> self.hash_bits()) as usize
    }

    /// Makes room for `ids` more ids at once, so a large file does not grow the index step by
    /// step (each step briefly holding the old and the new table). The new table's memory is
    /// asked for on `threads` threads ([`Words::zeroed`]).
    pub fn reserve(&mut self, ids: usize, threads: usize) {
        let need = (self.len + ids).saturating_mul(4) / 3 + 1;
        if need > self.slots.len() {
            self.resize(need.max(16), threads);
        }
    }

    fn resize(&mut self, capacity: usize, threads: usize) {
        let capacity = capacity.min(1 << self.hash_bits().min(usize::BITS - 2));
        if capacity <= self.slots.len() {
            return;
        }
        let slots = Words::zeroed(capacity, threads);
        let old = std::mem::replace(&mut self.slots, slots);
        for &slot in old.iter().filter(|&&s| s != 0) {
            // The kept hash bits are the hash's top bits: home slots come from them alone.
            let mut at = self.home(slot >> self.offset_bits, capacity);
            while self.slots[at] != 0 {
                at = next(at, capacity);
            }
            self.slots[at] = slot;
        }
    }

    fn offset_mask(&self) -> u64 {
        (1u64 << self.offset_bits) - 1
    }

    /// How many distinct ids are held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no id is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts fetching the slots where `hashes` would go ([`crate::base::prefetch`]), so that
    /// the memory fetches overlap instead of waiting one after another when the ids are then
    /// sighted in order.
    pub fn warm(&self, hashes: impl Iterator<Item = u64>) {
        let slots = &*self.slots;
        if slots.is_empty() {
            return;
        }
        for h in hashes {
            crate::base::prefetch(&slots[self.home(h >> self.offset_bits, slots.len())]);
        }
    }

    /// Records the row at byte `offset` carrying `id` (hashed as `hash`), and says whether the id
    /// is new, or an exact duplicate or a conflict of an earlier row. `read_back` reads the row
    /// starting at a byte offset of the file again; it is called only when a slot's kept hash
    /// bits are the id's.
    pub fn sight(
        &mut self,
        hash: u64,
        id: &[u8],
        offset: u64,
        read_back: &mut dyn FnMut(u64) -> Result<RowKey>,
    ) -> Result<Sighting> {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(16), 1);
        }
        let mask = self.offset_mask();
        if offset >= mask || self.len + 1 >= self.slots.len() {
            return Err(Error::Usage(format!(
                "an export this large ({} ids, a row at byte {offset}) is beyond the duplicate check; split the file",
                self.len
            )));
        }
        let kept = hash & !mask;
        let capacity = self.slots.len();
        let mut at = self.home(hash >> self.offset_bits, capacity);
        let slots = &mut *self.slots;
        loop {
            match slots[at] {
                0 => {
                    slots[at] = kept | (offset + 1);
                    self.len += 1;
                    return Ok(Sighting::First);
                }
                slot if slot & !mask == kept => {
                    let earlier = read_back((slot & mask) - 1)?;
                    if earlier.id == id {
                        let this = read_back(offset)?;
                        return Ok(if this.values == earlier.values {
                            Sighting::Duplicate
                        } else {
                            Sighting::Conflict
                        });
                    }
                    // Another id with the same kept bits: probe on.
                    at = next(at, capacity);
                }
                _ => at = next(at, capacity),
            }
        }
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
        // Ids whose hashes differ only below the kept bits, or only in the top bit.
        assert_eq!(run(|id| u64::from(id.as_bytes()[0])), expected);
        assert_eq!(run(|id| u64::from(id.as_bytes()[0] & 1) << 63), expected);
    }

    /// Sights `n` ids (each twice, the second time with other values for every third) through
    /// an index fitted to `bound`, hashed by `hash`, and checks every answer against a plain map.
    fn against_a_map(n: u64, bound: u64, hash: impl Fn(u64) -> u64) {
        let mut index = IdIndex::new();
        index.fit(bound);
        // Row r carries id r % n; its values are 0 unless r ≥ n and r % 3 == 0.
        let key = |r: u64| RowKey {
            id: (r % n).to_le_bytes().to_vec(),
            values: vec![u8::from(r >= n && r.is_multiple_of(3))],
        };
        let mut read_back = |r: u64| Ok(key(r));
        let mut first: std::collections::HashMap<u64, u64> = Default::default();
        for r in 0..2 * n {
            let id = r % n;
            let got = index
                .sight(hash(id), &id.to_le_bytes(), r, &mut read_back)
                .unwrap();
            let want = match first.get(&id) {
                None => {
                    first.insert(id, r);
                    Sighting::First
                }
                Some(&f) if key(f).values == key(r).values => Sighting::Duplicate,
                Some(_) => Sighting::Conflict,
            };
            assert_eq!(got, want, "row {r}, id {id}");
        }
        assert_eq!(index.len(), n as usize);
    }

    #[test]
    fn spec_2_the_packed_index_answers_as_a_map_through_growth_and_shared_bits() {
        // Real hashes, offsets of a small file (16 offset bits) and of a large one.
        against_a_map(20_000, 40_000, |id| id_hash(&id.to_le_bytes()));
        against_a_map(20_000, 1 << 40, |id| id_hash(&id.to_le_bytes()));
        // Only 256 distinct kept values: most slots share their kept bits with others.
        against_a_map(5_000, 10_000, |id| (id % 256) << 56);
        // Not fitted: the default split.
        let mut index = IdIndex::new();
        let mut read_back = |_: u64| {
            Ok(RowKey {
                id: b"x".to_vec(),
                values: Vec::new(),
            })
        };
        assert_eq!(
            index.sight(1, b"x", (1 << 36) - 2, &mut read_back).unwrap(),
            Sighting::First
        );
        // An offset beyond the bits the index was fitted for is refused, never truncated.
        assert!(index.sight(2, b"y", 1 << 36, &mut read_back).is_err());
    }
}
