//! Reading a TOML table into typed values whose refusals name the key: the one bridge from
//! serde's errors to the messages profiles and manifests give (`` `source.header` must be true or
//! false ``). A type refusing its value says what is wrong after the key; the key is the path
//! serde was at.

use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// Reads `table` as `T`. An unknown key is worded by `unknown` (given the key's path); a value
/// of the wrong type is "`key` must be …" with what the type expects; any other refusal is
/// "`key` …" with the type's own words.
pub(in crate::input) fn read<T: DeserializeOwned>(
    mut table: toml::Table,
    unknown: impl Fn(&serde_path_to_error::Path) -> String,
) -> Result<T, String> {
    table.iter_mut().for_each(|(_, v)| no_datetime(v));
    serde_path_to_error::deserialize(table).map_err(|e| {
        let (path, message) = (e.path(), e.inner().message());
        if message.starts_with("unknown field `") {
            return unknown(path);
        }
        let expected = ["invalid type: ", "invalid value: "]
            .iter()
            .find_map(|p| message.strip_prefix(p))
            .and_then(|m| m.rsplit_once(", expected "));
        match expected {
            Some((_, expected)) => format!("`{path}` must be {expected}"),
            None => format!("`{path}` {message}"),
        }
    })
}

/// toml hands serde a datetime as its text. No key of a profile or a manifest takes one, so a
/// datetime is made a value every key refuses for its type, as it would refuse a number.
fn no_datetime(v: &mut toml::Value) {
    match v {
        toml::Value::Datetime(_) => *v = toml::Value::Float(0.0),
        toml::Value::Array(a) => a.iter_mut().for_each(no_datetime),
        toml::Value::Table(t) => t.iter_mut().for_each(|(_, v)| no_datetime(v)),
        _ => {}
    }
}

/// `s` as a `T`, a unit enum whose words are its serde names.
pub(super) fn word<T: DeserializeOwned>(s: &str) -> Option<T> {
    let d: de::value::StrDeserializer<Words> = s.into_deserializer();
    T::deserialize(d).ok()
}

/// The words of `T`, a unit enum whose words are its serde names, in declaration order.
pub(super) fn words<T: DeserializeOwned>() -> &'static [&'static str] {
    let d: de::value::StrDeserializer<Words> = "".into_deserializer();
    T::deserialize(d).err().map(|w| w.0).unwrap_or_default()
}

/// What serde says refusing a word of an enum: the words it has.
#[derive(Debug)]
struct Words(&'static [&'static str]);

impl de::Error for Words {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Words(&[])
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Words(expected)
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

impl std::error::Error for Words {}

/// A struct read from a table only (serde would also read one from a list, field by field);
/// anything else is refused as not [`Tabled::TABLE`].
pub(in crate::input) struct Table<T>(pub T);

/// What a table of such keys is called in a message.
pub(in crate::input) trait Tabled {
    /// "a table …".
    const TABLE: &'static str;
}

impl<'de, T: Deserialize<'de> + Tabled> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Tabled> Visitor<'de> for V<T> {
            type Value = Table<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::TABLE)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Table<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Table)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// A list of tables read as `T` (a refusal names the item: `skip[2]`); anything but a list is
/// refused as not [`Listed::LIST`].
pub(super) struct List<T>(pub Vec<T>);

/// What a list of such tables is called in a message.
pub(super) trait Listed: Tabled {
    /// "a list of …".
    const LIST: &'static str;
}

impl<'de, T: Deserialize<'de> + Listed> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Listed> Visitor<'de> for V<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(T::LIST)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(Table(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// A table whose values are read as `T`, in the order written.
pub(super) struct Ordered<T>(pub Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
