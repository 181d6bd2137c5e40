//! Closed sets of words — channels, stages, ticket kinds, dispute decisions — each spelled once:
//! the word is its enum variant's name in snake_case (`strum`), read from a cell in any case and
//! written back exactly.

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
}

impl<T: Copy + VariantArray + Into<&'static str>> Word for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, strum::IntoStaticStr, strum::VariantArray)]
    #[strum(serialize_all = "snake_case")]
    enum Sample {
        WorkOrder,
        On,
    }

    #[test]
    fn a_word_is_its_variant_in_snake_case_read_in_any_case() {
        assert_eq!(Sample::WorkOrder.as_str(), "work_order");
        assert_eq!(Sample::parse(b"WORK_order"), Some(Sample::WorkOrder));
        assert_eq!(Sample::parse(b"on"), Some(Sample::On));
        assert_eq!(Sample::parse(b"work order"), None);
        assert_eq!(Sample::parse(b""), None);
    }
}
