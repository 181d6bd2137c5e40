//! A profile as its TOML writes it, `extends` merged: the serde mirror [`super::load`] reads
//! before it checks what takes more than one key. A leaf reads its own value (a column, a time
//! format, a zone) and, refusing it, says what is wrong after the key.

use super::de::{word, words, List, Listed, Ordered, Table, Tabled};
use super::{Encoding, Format, SourceColumn, TimeFormat};
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// The whole profile.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    /// Checked here; the name a profile goes by is read with `extends`.
    #[serde(rename = "name")]
    _name: Option<String>,
    pub role: Option<String>,
    /// Followed while loading, before the merge.
    #[serde(rename = "extends")]
    _extends: Option<IgnoredAny>,
    #[serde(rename = "description")]
    _description: Option<String>,
    pub source: Option<Table<RawSource>>,
    pub columns: Option<Ordered<RawColumnEntry>>,
    pub skip: Option<List<RawSkip>>,
}

/// `[source]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    #[serde(default, deserialize_with = "format")]
    pub format: Option<Format>,
    #[serde(default, deserialize_with = "encoding")]
    pub encoding: Option<Encoding>,
    #[serde(default, deserialize_with = "delimiter")]
    pub delimiter: Option<u8>,
    #[serde(default, deserialize_with = "quote")]
    pub quote: Option<Option<u8>>,
    #[serde(default, deserialize_with = "flag")]
    pub header: Option<bool>,
    #[serde(default, deserialize_with = "count")]
    pub skip_rows: Option<u64>,
    #[serde(default, deserialize_with = "flag")]
    pub multiline: Option<bool>,
    pub sheet: Option<String>,
    #[serde(default, deserialize_with = "zone")]
    pub timezone: Option<chrono_tz::Tz>,
    #[serde(default, deserialize_with = "nulls")]
    pub null: Option<Vec<String>>,
    #[serde(default, deserialize_with = "group_by")]
    pub group_by: Option<Vec<SourceColumn>>,
}

impl Tabled for RawSource {
    const TABLE: &'static str = "a table";
}

/// A `[columns]` entry: a source column alone, or a table.
pub(super) enum RawColumnEntry {
    Column(SourceColumn),
    Table(Box<RawColumn>),
}

/// A column written as a table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawColumn {
    #[serde(default, deserialize_with = "column")]
    pub column: Option<Vec<SourceColumn>>,
    pub value: Option<String>,
    pub derive: Option<String>,
    #[serde(default, deserialize_with = "first_of")]
    pub first_of: Option<Vec<SourceColumn>>,
    pub map: Option<Ordered<String>>,
    pub default: Option<String>,
    pub when: Option<Table<RawCondition>>,
    #[serde(default, deserialize_with = "formats")]
    pub format: Option<Vec<TimeFormat>>,
    #[serde(default, deserialize_with = "nulls")]
    pub null: Option<Vec<String>>,
    /// The operands of `derive`, read only by the derive that names them.
    pub start: Option<toml::Value>,
    pub end: Option<toml::Value>,
    pub duration: Option<toml::Value>,
    pub billsec: Option<toml::Value>,
    pub minutes: Option<toml::Value>,
    pub seconds: Option<toml::Value>,
    /// Read when the column is merged onto the base's.
    #[serde(rename = "replace_map")]
    _replace_map: Option<IgnoredAny>,
}

/// How a column is derived from others. start_plus_wait comes first: it alone derives
/// answered_at only, the others any time.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Derive {
    StartPlusWait,
    StartPlusSeconds,
    EndMinusSeconds,
    StartPlusMinutes,
}

/// A condition (`when`, an item of `all` or `any`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    #[serde(default, deserialize_with = "condition_column")]
    pub column: Option<SourceColumn>,
    #[serde(default, deserialize_with = "values")]
    pub is: Option<Vec<String>>,
    #[serde(default, deserialize_with = "values")]
    pub is_not: Option<Vec<String>>,
    pub all: Option<List<RawCondition>>,
    pub any: Option<List<RawCondition>>,
}

impl Tabled for RawCondition {
    const TABLE: &'static str = "a table { column = …, is = [ … ] } (or is_not = [ … ]), or { all = [ … ] } / { any = [ … ] } of such tables";
}

impl Listed for RawCondition {
    const LIST: &'static str = "a list of conditions";
}

/// A `[[skip]]` filter: a reason and a condition's keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSkip {
    #[serde(default, deserialize_with = "reason")]
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "condition_column")]
    column: Option<SourceColumn>,
    #[serde(default, deserialize_with = "values")]
    is: Option<Vec<String>>,
    #[serde(default, deserialize_with = "values")]
    is_not: Option<Vec<String>>,
    all: Option<List<RawCondition>>,
    any: Option<List<RawCondition>>,
}

impl RawSkip {
    /// The filter's condition.
    pub fn condition(self) -> RawCondition {
        RawCondition {
            column: self.column,
            is: self.is,
            is_not: self.is_not,
            all: self.all,
            any: self.any,
        }
    }
}

impl Tabled for RawSkip {
    const TABLE: &'static str = "a table";
}

impl Listed for RawSkip {
    const LIST: &'static str = "a list of tables: [[skip]] reason = \"…\", column = …, is = [ … ]";
}

/// What a skip without a reason is told.
pub(super) const NO_REASON: &str =
    "is missing: say why such rows are not contacts (check reports it)";

/// What a condition's column that is not a column is told.
pub(super) const NO_COLUMN: &str = "must name a column";

/// A column as a profile writes it: a header name, or `#N` from 1.
pub(super) fn source_column(s: &str) -> Result<SourceColumn, String> {
    if let Some(n) = s.strip_prefix('#') {
        return match n.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(SourceColumn::Position(n - 1)),
            _ => Err(format!("= \"{s}\": a position is # and a number from 1")),
        };
    }
    if s.trim().is_empty() {
        return Err("names no column".into());
    }
    Ok(SourceColumn::Name(s.trim().to_lowercase()))
}

impl<'de> Deserialize<'de> for RawColumnEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawColumnEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a column (\"name\" or \"#N\") or a table")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawColumnEntry, E> {
                source_column(s)
                    .map(RawColumnEntry::Column)
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawColumnEntry, A::Error> {
                RawColumn::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|c| RawColumnEntry::Table(Box::new(c)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a leaf as `A` (a string, or any TOML value) and makes it a `T` with `f`; a refusal is
/// `f`'s words after the key.
fn leaf<'de, D, A, T, E>(d: D, f: impl FnOnce(A) -> Result<T, E>) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    A: Deserialize<'de>,
    E: fmt::Display,
{
    f(A::deserialize(d)?).map(Some).map_err(de::Error::custom)
}

/// `format`: a word of [`Format`].
fn format<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Format>, D::Error> {
    leaf(d, |s: String| {
        word(&s).ok_or_else(|| format!("= \"{s}\" is not one of {}", words::<Format>().join(", ")))
    })
}

/// `encoding`: a name or a WHATWG label.
fn encoding<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Encoding>, D::Error> {
    leaf(d, |s: String| {
        Encoding::parse(&s).ok_or_else(|| format!(
        "= \"{s}\" is not one of utf-8, gbk, gb18030, utf-16le, or another encoding label of the WHATWG Encoding Standard (windows-1251, latin1, shift_jis …)"
    ))
    })
}

/// `delimiter`: one ASCII character.
fn delimiter<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    leaf(d, |s: String| one_byte(&s))
}

/// `quote`: one ASCII character, or none.
fn quote<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u8>>, D::Error> {
    leaf(d, |s: String| match s.as_str() {
        "" => Ok(None),
        s => one_byte(s).map(Some),
    })
}

/// `timezone`: an IANA zone.
fn zone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono_tz::Tz>, D::Error> {
    leaf(d, |s: String| {
        s.parse()
            .map_err(|_| format!("= \"{s}\" is not an IANA time zone (e.g. UTC, Asia/Shanghai)"))
    })
}

/// `header`, `multiline`.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    leaf(d, |v: toml::Value| {
        v.as_bool().ok_or("must be true or false")
    })
}

/// `skip_rows`.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    leaf(d, |v: toml::Value| {
        v.as_integer()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or("must be a whole number ≥ 0")
    })
}

/// `null`: one value or a list, each trimmed.
fn nulls<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    leaf(d, |v: toml::Value| {
        match v {
            toml::Value::String(s) => Some(vec![s.trim().to_string()]),
            toml::Value::Array(a) => strings(&a),
            _ => None,
        }
        .ok_or("must be a list of strings")
    })
}

/// `is`, `is_not`: a list of values, each trimmed.
fn values<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    leaf(d, |v: toml::Value| {
        v.as_array()
            .and_then(|a| strings(a))
            .ok_or("must be a list of strings")
    })
}

/// A condition's `column`.
fn condition_column<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SourceColumn>, D::Error> {
    leaf(d, |v: toml::Value| match v {
        toml::Value::String(s) => source_column(&s),
        _ => Err(NO_COLUMN.into()),
    })
}

/// A skip's `reason`, trimmed.
fn reason<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    leaf(d, |v: toml::Value| match v {
        toml::Value::String(r) if !r.trim().is_empty() => Ok(r.trim().to_string()),
        _ => Err(NO_REASON),
    })
}

/// `group_by`: a column or a list of columns, the first not empty in a row the row's key.
fn group_by<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<SourceColumn>>, D::Error> {
    leaf(d, |v: toml::Value| match v {
        toml::Value::Array(a) if !a.is_empty() => {
            columns(&a, "must be a column or a list of columns")
        }
        toml::Value::String(c) => source_column(&c).map(|c| vec![c]),
        _ => Err(
            "must be a column or a list of columns (the first one not empty in a row is its group)"
                .into(),
        ),
    })
}

/// A column's `column`: one column, or several joined with a space.
fn column<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<SourceColumn>>, D::Error> {
    leaf(d, |v: toml::Value| -> Result<_, String> {
        let list = match v {
            toml::Value::Array(a) => columns(
                &a,
                "must be a column or a list of columns (joined with a space)",
            )?,
            toml::Value::String(c) => vec![source_column(&c)?],
            _ => return Err("must be a string".into()),
        };
        match list.is_empty() {
            true => Err("lists no column".into()),
            false => Ok(list),
        }
    })
}

/// `first_of`: two or more columns, the first not empty in a row read.
fn first_of<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<SourceColumn>>, D::Error> {
    leaf(d, |v: toml::Value| match v {
        toml::Value::Array(a) if a.len() >= 2 && a.iter().all(toml::Value::is_str) => {
            columns(&a, "")
        }
        _ => Err(
            "must be a list of two or more columns (the first not empty in a row is read)".into(),
        ),
    })
}

/// `format`: how a timestamp column is written, one way or a list tried in order.
fn formats<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<TimeFormat>>, D::Error> {
    leaf(d, |v: toml::Value| -> Result<_, String> {
        let list = match v {
            toml::Value::Array(a) => a,
            one => vec![one],
        };
        let formats = list
            .iter()
            .map(|f| match f {
                toml::Value::String(f) => time_format(f),
                _ => Err("must be a string or a list of strings".into()),
            })
            .collect::<Result<Vec<_>, String>>()?;
        match formats.is_empty() {
            true => Err("lists no format".into()),
            false => Ok(formats),
        }
    })
}

/// The items of `a`, trimmed, when every one is a string.
fn strings(a: &[toml::Value]) -> Option<Vec<String>> {
    a.iter()
        .map(|x| x.as_str().map(|s| s.trim().to_string()))
        .collect()
}

/// The columns `a` lists; an item that is not a string is refused with `not_string`.
fn columns(a: &[toml::Value], not_string: &str) -> Result<Vec<SourceColumn>, String> {
    a.iter()
        .map(|c| {
            c.as_str()
                .ok_or_else(|| not_string.to_string())
                .and_then(source_column)
        })
        .collect()
}

fn one_byte(s: &str) -> Result<u8, &'static str> {
    let s = if s == "\\t" { "\t" } else { s };
    match s.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        _ => Err("must be one ASCII character (\"\\t\" for tab)"),
    }
}

/// One way of writing a time: a word of [`TimeFormat`], or a strftime pattern.
fn time_format(s: &str) -> Result<TimeFormat, String> {
    if let Some(f) = word(s) {
        return Ok(f);
    }
    if !s.contains('%') {
        let w = words::<TimeFormat>();
        let (last, others) = w.split_last().unwrap_or((&"", &[]));
        return Err(format!(
            "= \"{s}\" is not a strftime pattern (with %), {} or {last}",
            others.join(", ")
        ));
    }
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(s).any(|i| matches!(i, Item::Error)) {
        return Err(format!("= \"{s}\": not a valid strftime pattern"));
    }
    Ok(TimeFormat::Pattern(s.to_string()))
}
