//! A lookup table of byte strings that are mostly short (the categories of a contract's price
//! packages, looked up once per contact): a key is known by its length and its first and last
//! eight bytes, which for a key of up to sixteen bytes is the whole key, so finding one costs two
//! loads and a multiply rather than a hash of its bytes and a comparison.

/// What a key is known by: its length and its first and last eight bytes (fewer for a shorter
/// key, overlapping for one under sixteen), which together hold every byte of a key of up to
/// sixteen; a longer key is compared byte by byte too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    len: usize,
    head: u64,
    tail: u64,
}

/// The word `x` with each byte that is an ASCII capital letter made small (as
/// `u8::to_ascii_lowercase` does, eight bytes at once; no carry crosses a byte).
#[inline(always)]
fn ascii_lowercase(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let low = x & LOW7;
    // The high bit of a byte is set when its low seven bits are at least `A`, and when above `Z`.
    let from_a = low + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = low + 0x2525_2525_2525_2525;
    let capital = from_a & !past_z & !x & !LOW7;
    x | (capital >> 2)
}

impl Key {
    /// The key of `b` with its ASCII letters made small: two keys of up to sixteen bytes are
    /// equal exactly when their bytes are equal ignoring ASCII case.
    #[inline(always)]
    pub fn folded(b: &[u8]) -> Key {
        let k = Key::of(b);
        Key {
            head: ascii_lowercase(k.head),
            tail: ascii_lowercase(k.tail),
            ..k
        }
    }

    /// Whether a key of this length is whole in its words (up to sixteen bytes).
    pub fn fits(len: usize) -> bool {
        len <= 16
    }

    /// The key of `b`.
    #[inline(always)]
    pub fn of(b: &[u8]) -> Key {
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
        Key::fits(self.len)
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

    #[test]
    fn a_folded_key_is_the_key_of_the_bytes_made_small() {
        // Every byte value at every place of keys of every length up to sixteen.
        for len in 1..=16 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = vec![b'q'; len];
                    bytes[at] = b;
                    assert_eq!(
                        Key::folded(&bytes),
                        Key::of(&bytes.to_ascii_lowercase()),
                        "{bytes:?}"
                    );
                }
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
