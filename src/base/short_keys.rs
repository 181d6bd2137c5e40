//! A lookup table of byte strings that are mostly short (the categories of a contract's price
//! packages, looked up once per contact): a key is known by its length and its first and last
//! eight bytes, which for a key of up to sixteen bytes is the whole key, so finding one costs two
//! loads and a multiply rather than a hash of its bytes and a comparison.

/// What a key is known by: its length and its first and last eight bytes (fewer for a shorter
/// key, overlapping for one under sixteen), which together hold every byte of a key of up to
/// sixteen; a longer key is compared byte by byte too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    len: usize,
    head: u64,
    tail: u64,
}

impl Key {
    #[inline(always)]
    fn of(b: &[u8]) -> Key {
        let len = b.len();
        let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"));
        let half = |at: usize| {
            u64::from(u32::from_le_bytes(
                b[at..at + 4].try_into().expect("four bytes"),
            ))
        };
        let (head, tail) = match len {
            8.. => (word(0), word(len - 8)),
            4.. => (half(0), half(len - 4)),
            1.. => (
                u64::from(b[0]) | u64::from(b[len / 2]) << 8 | u64::from(b[len - 1]) << 16,
                0,
            ),
            0 => (0, 0),
        };
        Key { len, head, tail }
    }

    /// Whether the key is whole in `head` and `tail`.
    fn is_whole(&self) -> bool {
        self.len <= 16
    }

    fn hash(&self) -> u64 {
        (self.head ^ self.tail.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// A table from byte strings to values: open addressing, at most half full.
#[derive(Debug, Clone)]
pub struct ShortKeys<'a, V> {
    slots: Vec<Option<(Key, &'a [u8], V)>>,
    /// 64 less the table's size in bits: a hash's top bits pick the slot.
    shift: u32,
}

impl<'a, V: Copy> ShortKeys<'a, V> {
    /// A table of `entries`; where a key comes twice, its last value is kept.
    pub fn new(entries: impl IntoIterator<Item = (&'a [u8], V)>) -> Self {
        let entries: Vec<_> = entries.into_iter().collect();
        let size = (2 * entries.len()).next_power_of_two().max(8);
        let mut table = ShortKeys {
            slots: vec![None; size],
            shift: 64 - size.trailing_zeros(),
        };
        for (bytes, value) in entries {
            let key = Key::of(bytes);
            let at = table.find(key, bytes);
            table.slots[at] = Some((key, bytes, value));
        }
        table
    }

    /// The slot holding `bytes`, or the empty slot where they would go.
    #[inline(always)]
    fn find(&self, key: Key, bytes: &[u8]) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = (key.hash() >> self.shift) as usize;
        loop {
            match &self.slots[at] {
                Some((k, b, _)) if *k != key || !(key.is_whole() || *b == bytes) => {
                    at = (at + 1) & mask;
                }
                _ => return at,
            }
        }
    }

    /// The value of `bytes`, if the table holds them.
    #[inline]
    pub fn get(&self, bytes: &[u8]) -> Option<V> {
        self.slots[self.find(Key::of(bytes), bytes)].map(|(_, _, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_key_of_up_to_sixteen_bytes_is_known_whole() {
        // Every pair of distinct short keys over a small alphabet is told apart by its Key.
        let alphabet = [0u8, b'a', 0xe5];
        let mut keys = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = keys
                .iter()
                .filter(|k: &&Vec<u8>| k.len() == keys.last().unwrap().len())
                .flat_map(|k| {
                    alphabet.iter().map(move |&c| {
                        let mut k = k.clone();
                        k.push(c);
                        k
                    })
                })
                .collect();
            keys.extend(longer);
        }
        let mut seen = std::collections::HashMap::new();
        for k in &keys {
            assert!(seen.insert(Key::of(k), k.clone()).is_none(), "{k:?}");
        }
        for n in [7, 8, 9, 15, 16] {
            let a = vec![b'x'; n];
            for i in 0..n {
                let mut b = a.clone();
                b[i] = b'y';
                assert_ne!(Key::of(&a), Key::of(&b), "length {n}, byte {i}");
            }
        }
    }

    proptest! {
        /// The table answers as a map does, for keys short and long, present and absent.
        #[test]
        fn the_table_answers_as_a_map(
            keys in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..60),
            probes in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..60),
        ) {
            let table = ShortKeys::new(keys.iter().enumerate().map(|(i, k)| (k.as_slice(), i)));
            let map: std::collections::HashMap<&[u8], usize> =
                keys.iter().enumerate().map(|(i, k)| (k.as_slice(), i)).collect();
            for k in keys.iter().chain(&probes) {
                prop_assert_eq!(table.get(k), map.get(k.as_slice()).copied());
            }
            // Long keys that differ only in the middle.
            let long = vec![b'k'; 30];
            let mut other = long.clone();
            other[15] = b'm';
            let t = ShortKeys::new([(&long[..], 1)]);
            prop_assert_eq!(t.get(&other), None);
            prop_assert_eq!(t.get(&long), Some(1));
        }
    }
}
