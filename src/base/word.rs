//! Closed sets of words — channels, stages, ticket kinds, sections, methods, metrics, roles,
//! dispute decisions — each spelled once: the word is its enum variant's name in snake_case
//! (`strum`), read from a cell in any case, written to files exactly, and read back from them by
//! the same table (`serde_words!`).

use crate::base::short_keys::Key;
use strum::VariantArray;

/// A closed set of words, one per variant, spelled by the variant's `strum` name.
pub trait Word: Copy + VariantArray + Into<&'static str> {
    /// The word as written in the inputs, rates.toml and the statement.
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The variant a cell names, compared without regard to ASCII case. A cell of up to sixteen
    /// bytes (every word there is) is compared as two words made small, not byte by byte: a
    /// contact's row has three such cells.
    #[inline]
    fn parse(cell: &[u8]) -> Option<Self> {
        if !Key::fits(cell.len()) {
            return Self::VARIANTS
                .iter()
                .copied()
                .find(|w| w.as_str().as_bytes().eq_ignore_ascii_case(cell));
        }
        let key = Key::folded(cell);
        Self::VARIANTS.iter().copied().find(|w| {
            let word = w.as_str().as_bytes();
            word.len() == cell.len() && Key::folded(word) == key
        })
    }

    /// Every word, in declaration order, as a refused cell is told them: `a, b, c`.
    fn listed() -> String {
        let words: Vec<&str> = Self::VARIANTS.iter().map(|w| w.as_str()).collect();
        words.join(", ")
    }
}

impl<T: Copy + VariantArray + Into<&'static str>> Word for T {}

/// Implements `Serialize` (the variant's word) and `Deserialize` (the variant whose word it is,
/// exactly; any other word is refused, naming the words allowed) for an enum of [`Word`]s. A
/// second argument narrows the words read back to a list of variants.
macro_rules! serde_words {
    ($t:ty) => {
        $crate::base::word::serde_words!($t, <$t as strum::VariantArray>::VARIANTS);
    };
    ($t:ty, $all:expr) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::base::word::Word::as_str(*self))
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use $crate::base::word::Word as _;
                let word = String::deserialize(d)?;
                $all.iter()
                    .copied()
                    .find(|w| w.as_str() == word)
                    .ok_or_else(|| {
                        let allowed = $crate::base::word::one_of($all.iter().map(|w| w.as_str()));
                        serde::de::Error::invalid_value(
                            serde::de::Unexpected::Str(&word),
                            &allowed.as_str(),
                        )
                    })
            }
        }
    };
}
pub(crate) use serde_words;

/// `a, b or c`.
pub fn one_of<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let words: Vec<&str> = words.collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, strum::IntoStaticStr, strum::VariantArray)]
    #[strum(serialize_all = "snake_case")]
    enum Sample {
        WorkOrder,
        On,
    }
    serde_words!(Sample);

    #[test]
    fn a_word_is_its_variant_in_snake_case_read_in_any_case() {
        assert_eq!(Sample::WorkOrder.as_str(), "work_order");
        assert_eq!(Sample::parse(b"WORK_order"), Some(Sample::WorkOrder));
        assert_eq!(Sample::parse(b"on"), Some(Sample::On));
        assert_eq!(Sample::parse(b"work order"), None);
        assert_eq!(Sample::parse(b""), None);
        assert_eq!(Sample::listed(), "work_order, on");
    }

    proptest::proptest! {
        /// A cell names the variant whose word it is in any ASCII case, and none other: as a
        /// byte-by-byte comparison ignoring case says, for cells near the words and far.
        #[test]
        fn a_word_is_read_as_a_comparison_ignoring_case_reads_it(
            pick in 0usize..2,
            flips in proptest::collection::vec(proptest::prelude::any::<bool>(), 0..20),
            swap in proptest::option::of((0usize..20, proptest::prelude::any::<u8>())),
            extra in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20),
        ) {
            let base = [Sample::WorkOrder, Sample::On][pick].as_str();
            let mut cell: Vec<u8> = base
                .bytes()
                .zip(flips.iter().chain(std::iter::repeat(&false)))
                .map(|(b, &f)| if f { b.to_ascii_uppercase() } else { b })
                .collect();
            if let Some((at, b)) = swap {
                if at < cell.len() {
                    cell[at] = b;
                } else {
                    cell.extend(&extra);
                }
            }
            let slow = Sample::VARIANTS
                .iter()
                .copied()
                .find(|w| w.as_str().as_bytes().eq_ignore_ascii_case(&cell));
            proptest::prop_assert_eq!(Sample::parse(&cell), slow, "{:?}", cell);
        }
    }

    #[test]
    fn a_file_is_written_and_read_back_by_the_same_words() {
        assert_eq!(
            serde_json::to_string(&Sample::WorkOrder).unwrap(),
            "\"work_order\""
        );
        let back: Sample = serde_json::from_str("\"on\"").unwrap();
        assert_eq!(back, Sample::On);
        let refused = serde_json::from_str::<Sample>("\"ON\"")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("expected work_order or on"), "{refused}");
    }
}
