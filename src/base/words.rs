//! Closed sets of words in files: an enum whose `as_str` spells each word once is written as that
//! word and read back from it, so a file is written and read by the same table.

/// Implements `Serialize` (the word of `as_str`) and `Deserialize` (the member of `$all` whose
/// word it is; any other word is refused, naming the words allowed) for an enum of words.
macro_rules! serde_words {
    ($t:ty, $all:expr) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = String::deserialize(d)?;
                $all.into_iter()
                    .find(|w| w.as_str() == word)
                    .ok_or_else(|| {
                        let allowed = $crate::base::words::one_of($all.iter().map(|w| w.as_str()));
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
