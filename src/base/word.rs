//! Closed sets of words — channels, stages, ticket kinds, sections, methods, metrics, roles,
//! dispute decisions — each spelled once: the word is its enum variant's name in snake_case
//! (`strum`), read from a cell in any case, written to files exactly, and read back from them by
//! the same table (`serde_words!`).

use strum::VariantArray;

/// A closed set of words, one per variant, spelled by the variant's `strum` name.
pub trait Word: Copy + VariantArray + Into<&'static str> {
    /// The word as written in the inputs, rates.toml and the statement.
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The variant a cell names, compared without regard to ASCII case.
    fn parse(cell: &[u8]) -> Option<Self> {
        Self::VARIANTS
            .iter()
            .copied()
            .find(|w| w.as_str().as_bytes().eq_ignore_ascii_case(cell))
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
