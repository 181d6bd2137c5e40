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
    pub format: Option<Word<Format>>,
    pub encoding: Option<Enc>,
    pub delimiter: Option<Byte>,
    pub quote: Option<Quote>,
    pub header: Option<Flag>,
    pub skip_rows: Option<Count>,
    pub multiline: Option<Flag>,
    pub sheet: Option<String>,
    pub timezone: Option<Zone>,
    pub null: Option<Nulls>,
    pub group_by: Option<GroupBy>,
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
    pub column: Option<Columns>,
    pub value: Option<String>,
    pub derive: Option<String>,
    pub first_of: Option<FirstOf>,
    pub map: Option<Ordered<String>>,
    pub default: Option<String>,
    pub when: Option<Table<RawCondition>>,
    pub format: Option<Formats>,
    pub null: Option<Nulls>,
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
#[derive(Deserialize, Clone, Copy)]
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
    pub column: Option<CondColumn>,
    pub is: Option<Values>,
    pub is_not: Option<Values>,
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
    pub reason: Option<Reason>,
    column: Option<CondColumn>,
    is: Option<Values>,
    is_not: Option<Values>,
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

/// A word of a closed set: `T`'s serde names.
pub(super) struct Word<T>(pub T);

impl<'de, T: de::DeserializeOwned> Deserialize<'de> for Word<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        word(&s).map(Word).ok_or_else(|| {
            de::Error::custom(format!(
                "= \"{s}\" is not one of {}",
                words::<T>().join(", ")
            ))
        })
    }
}

/// A leaf read from whatever TOML value it is given, refusing it in its own words: `$t` from
/// `|v| …` (a `Result<$t, String>`).
macro_rules! leaf {
    ($(#[$doc:meta])* $name:ident($t:ty), |$v:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Deserialize)]
        #[serde(try_from = "toml::Value")]
        pub(super) struct $name(pub $t);

        impl TryFrom<toml::Value> for $name {
            type Error = String;
            fn try_from($v: toml::Value) -> Result<Self, String> {
                $body.map($name)
            }
        }
    };
}

leaf!(
    /// `encoding`: a name or WHATWG label.
    Enc(Encoding), |v| text(v).and_then(|s| Encoding::parse(&s).ok_or_else(|| format!(
        "= \"{s}\" is not one of utf-8, gbk, gb18030, utf-16le, or another encoding label of the WHATWG Encoding Standard (windows-1251, latin1, shift_jis …)"
    )))
);
leaf!(
    /// `delimiter`: one ASCII character.
    Byte(u8), |v| text(v).and_then(|s| one_byte(&s))
);
leaf!(
    /// `quote`: one ASCII character, or none.
    Quote(Option<u8>), |v| text(v).and_then(|s| match s.as_str() {
        "" => Ok(None),
        s => one_byte(s).map(Some),
    })
);
leaf!(
    /// `timezone`: an IANA zone.
    Zone(chrono_tz::Tz), |v| text(v).and_then(|s| s.parse().map_err(|_| format!(
        "= \"{s}\" is not an IANA time zone (e.g. UTC, Asia/Shanghai)"
    )))
);
leaf!(
    /// `header`, `multiline`.
    Flag(bool), |v| v.as_bool().ok_or_else(|| "must be true or false".to_string())
);
leaf!(
    /// `skip_rows`.
    Count(u64), |v| v
        .as_integer()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| "must be a whole number ≥ 0".to_string())
);
leaf!(
    /// `null`: one value or a list, each trimmed.
    Nulls(Vec<String>), |v| match v {
        toml::Value::String(s) => Some(vec![s.trim().to_string()]),
        toml::Value::Array(a) => strings(&a),
        _ => None,
    }
    .ok_or_else(|| "must be a list of strings".to_string())
);
leaf!(
    /// `is`, `is_not`: a list of values, each trimmed.
    Values(Vec<String>), |v| v
        .as_array()
        .and_then(|a| strings(a))
        .ok_or_else(|| "must be a list of strings".to_string())
);
leaf!(
    /// A condition's `column`.
    CondColumn(SourceColumn), |v| match v {
        toml::Value::String(s) => source_column(&s),
        _ => Err(NO_COLUMN.to_string()),
    }
);
leaf!(
    /// A skip's `reason`, trimmed.
    Reason(String), |v| match v {
        toml::Value::String(r) if !r.trim().is_empty() => Ok(r.trim().to_string()),
        _ => Err(NO_REASON.to_string()),
    }
);
leaf!(
    /// `group_by`: a column or a list of columns, the first not empty in a row the row's key.
    GroupBy(Vec<SourceColumn>), |v| match v {
        toml::Value::Array(a) if !a.is_empty() => {
            columns(&a, "must be a column or a list of columns")
        }
        toml::Value::String(c) => source_column(&c).map(|c| vec![c]),
        _ => Err("must be a column or a list of columns (the first one not empty in a row is its group)".into()),
    }
);
leaf!(
    /// A column's `column`: one column, or several joined with a space.
    Columns(Vec<SourceColumn>), |v| match v {
        toml::Value::Array(a) => {
            match columns(&a, "must be a column or a list of columns (joined with a space)")? {
                c if c.is_empty() => Err("lists no column".into()),
                c => Ok(c),
            }
        }
        toml::Value::String(c) => source_column(&c).map(|c| vec![c]),
        _ => Err("must be a string".into()),
    }
);
leaf!(
    /// `first_of`: two or more columns, the first not empty in a row read.
    FirstOf(Vec<SourceColumn>), |v| match v {
        toml::Value::Array(a) if a.len() >= 2 && a.iter().all(toml::Value::is_str) => columns(&a, ""),
        _ => Err("must be a list of two or more columns (the first not empty in a row is read)".into()),
    }
);
leaf!(
    /// `format`: how a timestamp column is written, one way or a list tried in order.
    Formats(Vec<TimeFormat>), |v| {
        let list = match v {
            toml::Value::Array(a) => a,
            other => vec![other],
        };
        match list.into_iter().map(|f| text(f).map_err(|_| "must be a string or a list of strings".to_string()).and_then(|f| time_format(&f))).collect::<Result<Vec<_>, _>>()? {
            f if f.is_empty() => Err("lists no format".to_string()),
            f => Ok(f),
        }
    }
);

/// `v` when it is a string.
fn text(v: toml::Value) -> Result<String, String> {
    match v {
        toml::Value::String(s) => Ok(s),
        _ => Err("must be a string".into()),
    }
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

fn one_byte(s: &str) -> Result<u8, String> {
    let s = if s == "\\t" { "\t" } else { s };
    match s.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        _ => Err("must be one ASCII character (\"\\t\" for tab)".into()),
    }
}

/// One way of writing a time: a word, or a strftime pattern.
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
