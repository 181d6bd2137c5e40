//! Mapping profiles: how one foreign export (an Asterisk CDR, a Zendesk ticket export, a GBK
//! workbook saved by Excel …) becomes canonical rows of one input (SPEC §2). A profile is TOML,
//! either built in (`profiles/<name>.toml`, embedded in the binary) or a file; `extends` starts
//! from another profile and overrides its keys. The README's "Your data" section documents the
//! format.

mod de;
mod raw;

pub(super) use de::{read, Table, Tabled};

use super::Role;
use crate::base::word::Word;
use crate::error::{Error, Result};
use de::{List, Listed, Ordered};
use raw::{Derive, RawColumnEntry, RawCondition, RawProfile};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in profiles: (name, TOML text).
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "asterisk-cdr",
        include_str!("../../profiles/asterisk-cdr.toml"),
    ),
    (
        "asterisk-queue-log",
        include_str!("../../profiles/asterisk-queue-log.toml"),
    ),
    (
        "freeswitch-cdr",
        include_str!("../../profiles/freeswitch-cdr.toml"),
    ),
    (
        "asterisk-queue-log-db",
        include_str!("../../profiles/asterisk-queue-log-db.toml"),
    ),
    (
        "asterisk-cdr-custom",
        include_str!("../../profiles/asterisk-cdr-custom.toml"),
    ),
    (
        "asterisk-cdr-db",
        include_str!("../../profiles/asterisk-cdr-db.toml"),
    ),
    (
        "amazon-connect-calls",
        include_str!("../../profiles/amazon-connect-calls.toml"),
    ),
    (
        "zendesk-tickets",
        include_str!("../../profiles/zendesk-tickets.toml"),
    ),
    (
        "freshdesk-tickets",
        include_str!("../../profiles/freshdesk-tickets.toml"),
    ),
    (
        "cn-excel-calls",
        include_str!("../../profiles/cn-excel-calls.toml"),
    ),
    (
        "vendor-claim-cn",
        include_str!("../../profiles/vendor-claim-cn.toml"),
    ),
    (
        "cn-excel-tickets",
        include_str!("../../profiles/cn-excel-tickets.toml"),
    ),
    (
        "cn-excel-surveys",
        include_str!("../../profiles/cn-excel-surveys.toml"),
    ),
    (
        "zendesk-explore-tickets",
        include_str!("../../profiles/zendesk-explore-tickets.toml"),
    ),
    (
        "zendesk-satisfaction",
        include_str!("../../profiles/zendesk-satisfaction.toml"),
    ),
    (
        "freshdesk-satisfaction",
        include_str!("../../profiles/freshdesk-satisfaction.toml"),
    ),
    (
        "twilio-calls",
        include_str!("../../profiles/twilio-calls.toml"),
    ),
    (
        "cisco-cucm-calls",
        include_str!("../../profiles/cisco-cucm-calls.toml"),
    ),
    (
        "genesys-cloud-calls",
        include_str!("../../profiles/genesys-cloud-calls.toml"),
    ),
];

/// How the source file is laid out. `format = "…"` writes a serde name; a refused word is told
/// them in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Delimited text.
    Csv,
    /// An Excel workbook, one sheet.
    Xlsx,
    /// JSON Lines: one JSON object per line (Amazon Connect contact records); columns are
    /// dotted paths into the object (`Agent.ConnectedToAgentTimestamp`).
    Jsonl,
    /// Asterisk's `queue_log`: pipe-delimited call events, assembled into one contact per call.
    AsteriskQueueLog,
    /// Asterisk's queue log as a database table (realtime `queue_log` dumped to CSV): the same
    /// events, one per record, columns found by their header names.
    AsteriskQueueLogTable,
}

/// The character encoding of a text source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GBK, as Excel on Chinese Windows writes it.
    Gbk,
    /// GB18030 (a superset of GBK).
    Gb18030,
    /// UTF-16 little-endian, Excel's "Unicode text".
    Utf16Le,
    /// Any other single- or multi-byte encoding a WHATWG label names (windows-1251, latin1 …).
    Other(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// The name a profile writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gbk => "gbk",
            Encoding::Gb18030 => "gb18030",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Other(e) => e.name(),
        }
    }

    /// The encoding a profile names: the names above, or any WHATWG label (`windows-1251`,
    /// `latin1`, `shift_jis`, `cp1252` …) as `encoding_rs` knows them.
    pub fn parse(s: &str) -> Option<Encoding> {
        Some(match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Encoding::Utf8,
            "gbk" | "cp936" => Encoding::Gbk,
            "gb18030" => Encoding::Gb18030,
            "utf-16le" | "utf-16" | "unicode" => Encoding::Utf16Le,
            other => {
                let e = encoding_rs::Encoding::for_label(other.as_bytes())
                    .or_else(|| encoding_rs::Encoding::for_label(s.trim().as_bytes()))?;
                if e == encoding_rs::UTF_8 {
                    Encoding::Utf8
                } else if e == encoding_rs::GBK {
                    Encoding::Gbk
                } else if e == encoding_rs::GB18030 {
                    Encoding::Gb18030
                } else if e == encoding_rs::UTF_16LE {
                    Encoding::Utf16Le
                } else if e == encoding_rs::UTF_16BE || e == encoding_rs::REPLACEMENT {
                    return None;
                } else {
                    Encoding::Other(e)
                }
            }
        })
    }
}

/// A column of the source: by header name or by 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceColumn {
    /// A header name, matched trimmed and case-insensitively.
    Name(String),
    /// A 0-based position (written `#N`, 1-based, in the profile).
    Position(usize),
}

impl std::fmt::Display for SourceColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceColumn::Name(n) => write!(f, "`{n}`"),
            SourceColumn::Position(p) => write!(f, "#{}", p + 1),
        }
    }
}

/// How a source writes a time: a strftime pattern, or a word (a serde name; a refused word is
/// told them in this order).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// A chrono strftime pattern.
    #[serde(skip)]
    Pattern(String),
    /// Seconds since the Unix epoch.
    Epoch,
    /// Milliseconds since the Unix epoch.
    #[serde(rename = "epoch_ms")]
    EpochMillis,
    /// An Excel serial day number (1900 date system), local time.
    #[serde(rename = "excel")]
    ExcelSerial,
    /// The canonical forms of SPEC §8.
    Canonical,
}

impl std::fmt::Display for TimeFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeFormat::Canonical => f.write_str("a SPEC timestamp"),
            TimeFormat::Pattern(p) => write!(f, "`{p}`"),
            TimeFormat::Epoch => f.write_str("epoch seconds"),
            TimeFormat::EpochMillis => f.write_str("epoch milliseconds"),
            TimeFormat::ExcelSerial => f.write_str("an Excel serial date"),
        }
    }
}

/// Where a canonical cell's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A source column.
    Column(SourceColumn),
    /// The same value for every row.
    Value(String),
    /// answered_at = start + (duration − billsec) seconds when billsec > 0 (CDRs with no
    /// answer time).
    StartPlusWait {
        /// The call's start.
        start: SourceColumn,
        /// Seconds from start to end.
        duration: SourceColumn,
        /// Seconds from answer to end.
        billsec: SourceColumn,
    },
    /// end − seconds: a call's answer from its end and its talk time (Twilio's EndTime and
    /// Duration).
    EndMinusSeconds {
        /// The end time.
        end: SourceColumn,
        /// Seconds before it.
        seconds: SourceColumn,
    },
    /// start + seconds (a whole or decimal number of seconds): ended_at = start + duration.
    StartPlusSeconds {
        /// The start time.
        start: SourceColumn,
        /// Seconds after it.
        seconds: SourceColumn,
    },
    /// Several source columns joined with one space: a date column and a time column.
    Joined(Vec<SourceColumn>),
    /// The first of several source columns that is not empty in the row (the initial contact's
    /// id, else the contact's own).
    FirstOf(Vec<SourceColumn>),
    /// start + minutes (a decimal number of calendar minutes).
    StartPlusMinutes {
        /// The start time.
        start: SourceColumn,
        /// Minutes after it.
        minutes: SourceColumn,
    },
}

/// A condition on a row's source cells (trimmed values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// The column's value is one of the list (`is`), or none of it (`is_not`).
    Is {
        /// The source column tested.
        column: SourceColumn,
        /// The values listed.
        values: Vec<String>,
        /// `is_not`: the condition holds when the value is NOT listed.
        negate: bool,
    },
    /// Every condition holds.
    All(Vec<When>),
    /// At least one condition holds.
    Any(Vec<When>),
}

impl When {
    /// Every source column the condition reads.
    pub fn columns(&self) -> Vec<&SourceColumn> {
        match self {
            When::Is { column, .. } => vec![column],
            When::All(list) | When::Any(list) => list.iter().flat_map(When::columns).collect(),
        }
    }
}

/// A row filter: source rows for which `when` holds are not contacts (voicemail legs, survey
/// invitations never answered). They are counted per `reason`, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Why such rows are skipped, as `check` reports it.
    pub reason: String,
    /// Which rows.
    pub when: When,
}

/// How one canonical column is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Where the value comes from.
    pub input: Input,
    /// Source value → canonical value; other values pass through.
    pub map: BTreeMap<String, String>,
    /// The value used when the source cell is empty.
    pub default: Option<String>,
    /// Source values that mean "no value" (`NULL`, `1900-01-01 00:00:00`, `-`): read as empty.
    pub null: Vec<String>,
    /// The cell is used only when this holds (otherwise it is empty).
    pub when: Option<When>,
    /// How the source writes times (timestamp columns), tried in order.
    pub formats: Vec<TimeFormat>,
}

/// Where a profile came from, as a statement records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A built-in profile, by name.
    BuiltIn(String),
    /// A profile file, by path as given.
    File(PathBuf),
}

/// A validated profile for one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    /// Where it came from.
    pub origin: Origin,
    /// SHA-256 of its text (and of every profile it extends, in order).
    pub sha256: String,
    /// The input it fills.
    pub role: Role,
    /// The source's layout.
    pub format: Format,
    /// The source's encoding.
    pub encoding: Encoding,
    /// The field delimiter.
    pub delimiter: u8,
    /// The quote character, if fields may be quoted.
    pub quote: Option<u8>,
    /// Whether the first record (after `skip_rows`) names the columns.
    pub header: bool,
    /// Records skipped before the header or the first data row.
    pub skip_rows: u64,
    /// Whether a quoted cell may hold line ends, so a record runs over several lines (else such
    /// a record is rejected as an unbalanced quote).
    pub multiline: bool,
    /// The workbook sheet (xlsx).
    pub sheet: Option<String>,
    /// The zone the source writes naive times in (`None`: the contract's), e.g. `UTC` for a
    /// PBX logging with `usegmtime=yes`.
    pub timezone: Option<chrono_tz::Tz>,
    /// Rows sharing a group key become one canonical row; a row's key is the first of these
    /// columns that is not empty in it (linkedid, else uniqueid).
    pub group_by: Vec<SourceColumn>,
    /// Row filters: rows they match are skipped and counted per reason.
    pub skip: Vec<Skip>,
    /// Values that mean "no value" in every column of the source (`NULL`, `\N` in database
    /// dumps): read as empty cells, in conditions and group keys too.
    pub null: Vec<String>,
    /// One entry per canonical column of the role (`role.columns()` order).
    pub columns: Vec<Option<ColumnSpec>>,
    /// The vendor the run gave every row ([`Profile::set_vendor`]).
    pub given_vendor: Option<String>,
    /// Whether this is the canonical layout in a workbook ([`Profile::canonical_xlsx`]): the
    /// optional canonical columns may be absent from the header.
    pub optional_absent: bool,
}

impl Profile {
    /// Every source column the profile reads: in its columns, conditions, group keys and row
    /// filters, in that order (a column may appear more than once).
    pub fn named_columns(&self) -> impl Iterator<Item = &SourceColumn> {
        self.columns
            .iter()
            .flatten()
            .flat_map(spec_columns)
            .chain(self.group_by.iter())
            .chain(self.skip.iter().flat_map(|s| s.when.columns()))
    }

    /// The name as a statement and messages show it: a built-in's name or the file's path.
    pub fn shown(&self) -> String {
        match &self.origin {
            Origin::BuiltIn(n) => n.clone(),
            Origin::File(p) => p.display().to_string(),
        }
    }

    /// A profile of `role` with every source setting at its default and nothing mapped.
    fn blank(name: String, origin: Origin, sha256: String, role: Role) -> Profile {
        Profile {
            name,
            origin,
            sha256,
            role,
            format: Format::Csv,
            encoding: Encoding::Utf8,
            delimiter: b',',
            quote: Some(b'"'),
            header: true,
            skip_rows: 0,
            multiline: false,
            sheet: None,
            timezone: None,
            group_by: Vec::new(),
            skip: Vec::new(),
            null: Vec::new(),
            columns: vec![None; role.columns().len()],
            given_vendor: None,
            optional_absent: false,
        }
    }

    /// The canonical columns of `role` (SPEC §2) in the first sheet of a workbook: how an
    /// `.xlsx` input given without a profile is read.
    pub fn canonical_xlsx(role: Role) -> Profile {
        let columns = role
            .columns()
            .iter()
            .map(|(name, _)| {
                Some(ColumnSpec {
                    input: Input::Column(SourceColumn::Name((*name).to_string())),
                    map: BTreeMap::new(),
                    default: None,
                    null: Vec::new(),
                    when: None,
                    formats: vec![TimeFormat::Canonical],
                })
            })
            .collect();
        Profile {
            format: Format::Xlsx,
            columns,
            optional_absent: true,
            ..Profile::blank(
                "xlsx".into(),
                Origin::BuiltIn("xlsx".into()),
                String::new(),
                role,
            )
        }
    }

    /// Whether the profile leaves the vendor to the run (`--vendor` or the manifest).
    pub fn needs_vendor(&self) -> bool {
        self.columns[1].is_none()
    }

    /// Gives every row the vendor `id` (a profile that maps no vendor column).
    pub fn set_vendor(&mut self, id: &str) {
        self.given_vendor = Some(id.to_string());
        self.columns[1] = Some(ColumnSpec {
            input: Input::Value(id.to_string()),
            map: BTreeMap::new(),
            default: None,
            null: Vec::new(),
            when: None,
            formats: Vec::new(),
        });
    }
}

/// The built-in profile named `name` for `role` (`cn-excel` picks the member of the family
/// for the role).
pub fn built_in(name: &str, role: Role) -> Option<(&'static str, &'static str)> {
    let family = format!("{name}-{}", role.as_str());
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| BUILT_IN.iter().find(|(n, _)| *n == family))
        .copied()
}

/// Whether a `--…-profile` value names a file rather than a built-in profile.
pub fn is_file_reference(value: &str) -> bool {
    value.contains('/') || value.contains('\\') || value.ends_with(".toml")
}

/// Loads the profile `value` names for `role`: a built-in name, or a file (relative paths
/// against `base`).
pub fn load(value: &str, role: Role, base: &Path) -> Result<Profile> {
    let mut hasher = Sha256::new();
    let (table, origin, name) = load_chain(value, role, base, &mut hasher, 0)?;
    let sha256 = super::hex(&hasher.finalize());
    let path = match &origin {
        Origin::File(p) => p.clone(),
        Origin::BuiltIn(n) => PathBuf::from(format!("(built-in profile {n})")),
    };
    parse(table, role, origin, name, sha256, &path)
}

fn config(path: &Path, message: String) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        message,
    }
}

/// Reads `value` and what it extends, merged (later keys win), hashing each text in order.
fn load_chain(
    value: &str,
    role: Role,
    base: &Path,
    hasher: &mut Sha256,
    depth: usize,
) -> Result<(toml::Table, Origin, String)> {
    if depth > 8 {
        return Err(config(
            Path::new(value),
            "`extends` goes more than 8 profiles deep (a loop?)".into(),
        ));
    }
    let (text, origin, path, name) = if is_file_reference(value) {
        let path = base.join(value);
        let text = crate::base::files::read_text(&path).map_err(|e| {
            config(
                &path,
                format!("cannot read the profile ({e}); check the path given as profile"),
            )
        })?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = if base == Path::new(".") || base.as_os_str().is_empty() {
            PathBuf::from(value)
        } else {
            path.clone()
        };
        (text, Origin::File(shown.clone()), shown, stem)
    } else {
        let (n, text) = built_in(value, role).ok_or_else(|| {
            let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
            config(
                Path::new(value),
                format!(
                    "no built-in profile `{value}` for {} (built in: {}, or give a profile file ending in .toml)",
                    role.as_str(),
                    names.join(", ")
                ),
            )
        })?;
        (
            text.to_string(),
            Origin::BuiltIn(n.to_string()),
            PathBuf::from(format!("(built-in profile {n})")),
            n.to_string(),
        )
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| config(&path, format!("not valid TOML: {e}")))?;
    let own_name = match table.get("name") {
        Some(toml::Value::String(s)) => s.clone(),
        _ => name,
    };
    let merged = match table.get("extends") {
        None => {
            hasher.update(text.as_bytes());
            table
        }
        Some(toml::Value::String(parent)) => {
            let parent_base = match &origin {
                Origin::File(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
                Origin::BuiltIn(_) => base.to_path_buf(),
            };
            let (mut parent_table, _, _) =
                load_chain(parent, role, &parent_base, hasher, depth + 1)?;
            hasher.update(text.as_bytes());
            merge(&mut parent_table, table);
            parent_table
        }
        Some(_) => return Err(config(&path, "`extends` must be a string".into())),
    };
    Ok((merged, origin, own_name))
}

/// Overlays `over` on `base`: tables merge key by key one level down (`source`, `columns`),
/// anything else is replaced. A column given as a table in both merges one level further: the
/// extending profile's keys win, a new source (column, value or derive) replaces the base's, and
/// its `map` adds to the base's map unless it says `replace_map = true`.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => {
                for (k2, v2) in o {
                    match (k.as_str(), b.get_mut(&k2), v2) {
                        ("columns", Some(toml::Value::Table(bc)), toml::Value::Table(oc)) => {
                            merge_column(bc, oc)
                        }
                        (_, _, v2) => {
                            b.insert(k2, v2);
                        }
                    }
                }
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// One column of an extending profile over the base's (see [`merge`]).
fn merge_column(base: &mut toml::Table, mut over: toml::Table) {
    const SOURCE: [&str; 10] = [
        "column", "value", "derive", "first_of", "start", "end", "duration", "billsec", "minutes",
        "seconds",
    ];
    if SOURCE[..4].iter().any(|k| over.contains_key(*k)) {
        for k in SOURCE {
            base.remove(k);
        }
    }
    let replace = matches!(over.remove("replace_map"), Some(toml::Value::Boolean(true)));
    if let (Some(toml::Value::Table(bm)), Some(toml::Value::Table(om)), false) =
        (base.get_mut("map"), over.get("map"), replace)
    {
        for (from, to) in om {
            bm.insert(from.clone(), to.clone());
        }
        over.remove("map");
    }
    for (k, v) in over {
        base.insert(k, v);
    }
}

/// The message for an unknown key at `path`, naming the keys of the table it is in.
fn unknown_key(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment::Map;
    let segments: Vec<_> = path.iter().collect();
    let has = match &segments[..segments.len().saturating_sub(1)] {
        [] => "a profile has name, role, extends, description, [source], [columns], [[skip]]",
        [Map { key }] if key == "source" => {
            "source has format, encoding, delimiter, quote, header, skip_rows, multiline, sheet, timezone, group_by, null"
        }
        [Map { key }, _] if key == "columns" => {
            "a column has column, value, first_of or derive, and map, default, null, when, format"
        }
        _ => "a condition has column and is or is_not, or all, or any",
    };
    format!("unknown key `{path}` ({has})")
}

/// The profile `t` (its chain merged) writes for `role`: read through the serde mirror
/// ([`raw`]), then checked for what takes more than one key.
fn parse(
    t: toml::Table,
    role: Role,
    origin: Origin,
    name: String,
    sha256: String,
    path: &Path,
) -> Result<Profile> {
    let err = |m: String| config(path, m);
    let raw: RawProfile = de::read(t, unknown_key).map_err(err)?;
    let declared = raw
        .role
        .ok_or_else(|| err("`role` is missing (calls, tickets, surveys or orders)".into()))?;
    if declared != role.as_str() {
        return Err(err(format!(
            "the profile is for {declared}, but it was given for {}; use a {} profile",
            role.as_str(),
            role.as_str()
        )));
    }
    let mut p = Profile::blank(name, origin, sha256, role);
    let s = raw.source.map(|s| s.0).unwrap_or_default();
    p.format = s.format.unwrap_or(p.format);
    p.encoding = s.encoding.unwrap_or(p.encoding);
    p.delimiter = s.delimiter.unwrap_or(p.delimiter);
    p.quote = s.quote.unwrap_or(p.quote);
    p.header = s.header.unwrap_or(p.header);
    p.skip_rows = s.skip_rows.unwrap_or(p.skip_rows);
    p.multiline = s.multiline.unwrap_or(p.multiline);
    p.sheet = s.sheet;
    p.timezone = s.timezone;
    p.null = s.null.unwrap_or_default();
    p.group_by = s.group_by.unwrap_or_default();
    let columns = raw.columns.ok_or_else(|| {
        err("`[columns]` is missing: map at least the required canonical columns".into())
    })?;
    let canonical = role.columns();
    for (k, v) in columns.0 {
        let i = canonical.iter().position(|(n, _)| *n == k).ok_or_else(|| {
            let names: Vec<&str> = canonical.iter().map(|(n, _)| *n).collect();
            err(format!(
                "`columns.{k}` is not a canonical {} column ({})",
                role.as_str(),
                names.join(", ")
            ))
        })?;
        p.columns[i] = Some(column_spec(&k, v, path)?);
    }
    if let Some(List(skips)) = raw.skip {
        p.skip = skips
            .into_iter()
            .enumerate()
            .map(|(i, mut s)| {
                let key = format!("skip[{i}]");
                let reason = s
                    .reason
                    .take()
                    .ok_or_else(|| err(format!("`{key}.reason` {}", raw::NO_REASON)))?;
                let when = condition(s.condition(), &key, path)?;
                Ok(Skip { reason, when })
            })
            .collect::<Result<_>>()?;
    }
    if p.format == Format::Jsonl {
        if p.encoding != Encoding::Utf8 {
            return Err(err(format!(
                "`source.encoding` = \"{}\" with format = \"jsonl\": JSON text is UTF-8 (RFC 8259); drop the encoding",
                p.encoding.as_str()
            )));
        }
        for c in p.named_columns() {
            if let SourceColumn::Position(i) = c {
                return Err(err(format!(
                    "column #{} is a position, but a JSON Lines source has no column order: name the field by its path (Queue.EnqueueTimestamp)",
                    i + 1
                )));
            }
        }
    } else if !p.header {
        for c in p.named_columns() {
            if let SourceColumn::Name(n) = c {
                return Err(err(format!(
                    "column `{n}` is named, but `source.header = false`: address columns by position (\"#1\", \"#2\" …)"
                )));
            }
        }
    }
    if p.format == Format::Xlsx && p.encoding != Encoding::Utf8 {
        return Err(err(
            "`source.encoding` does not apply to xlsx workbooks (they are always Unicode); remove it".into(),
        ));
    }
    for (i, (n, required)) in canonical.iter().enumerate() {
        // The vendor may come from the run (`--vendor` or the manifest).
        if *required && i != 1 && p.columns[i].is_none() {
            return Err(err(format!(
                "`columns.{n}` is missing: {n} is required in {}",
                role.file_name()
            )));
        }
    }
    Ok(p)
}

/// Every source column a spec reads.
pub fn spec_columns(spec: &ColumnSpec) -> Vec<&SourceColumn> {
    let mut out = match &spec.input {
        Input::Column(c) => vec![c],
        Input::Value(_) => vec![],
        Input::StartPlusWait {
            start,
            duration,
            billsec,
        } => vec![start, duration, billsec],
        Input::StartPlusMinutes { start, minutes } => vec![start, minutes],
        Input::StartPlusSeconds { start, seconds } => vec![start, seconds],
        Input::EndMinusSeconds { end, seconds } => vec![end, seconds],
        Input::Joined(parts) | Input::FirstOf(parts) => parts.iter().collect(),
    };
    if let Some(w) = &spec.when {
        out.extend(w.columns());
    }
    out
}

/// A condition: `{ column = …, is = [ … ] }`, `{ column = …, is_not = [ … ] }`, or
/// `{ all = [ … ] }` / `{ any = [ … ] }` of such conditions.
fn condition(c: RawCondition, key: &str, path: &Path) -> Result<When> {
    let err = |m: String| config(path, m);
    let keys = [c.column.is_some(), c.is.is_some(), c.is_not.is_some()]
        .into_iter()
        .chain([c.all.is_some(), c.any.is_some()])
        .filter(|given| *given)
        .count();
    for (k, list) in [("all", c.all), ("any", c.any)] {
        let Some(List(list)) = list else { continue };
        if keys != 1 {
            return Err(err(format!("`{key}` must be {}", RawCondition::TABLE)));
        }
        if list.is_empty() {
            return Err(err(format!("`{key}.{k}` must be {}", RawCondition::LIST)));
        }
        let parts = list
            .into_iter()
            .enumerate()
            .map(|(i, c)| condition(c, &format!("{key}.{k}[{i}]"), path))
            .collect::<Result<Vec<_>>>()?;
        return Ok(if k == "all" {
            When::All(parts)
        } else {
            When::Any(parts)
        });
    }
    let column = c
        .column
        .ok_or_else(|| err(format!("`{key}.column` {}", raw::NO_COLUMN)))?;
    let (values, negate) = match (c.is, c.is_not) {
        (Some(v), None) => (v, false),
        (None, Some(v)) => (v, true),
        _ => return Err(err(format!("`{key}` needs exactly one of is, is_not"))),
    };
    Ok(When::Is {
        column,
        values,
        negate,
    })
}

fn column_spec(name: &str, entry: RawColumnEntry, path: &Path) -> Result<ColumnSpec> {
    let key = format!("columns.{name}");
    let err = |m: String| config(path, m);
    let is_time = name.ends_with("_at");
    let mut spec = ColumnSpec {
        input: Input::Value(String::new()),
        map: BTreeMap::new(),
        default: None,
        null: Vec::new(),
        when: None,
        formats: vec![TimeFormat::Canonical],
    };
    let c = match entry {
        RawColumnEntry::Column(c) => {
            spec.input = Input::Column(c);
            return Ok(spec);
        }
        RawColumnEntry::Table(c) => *c,
    };
    let sources = [
        c.column.is_some(),
        c.value.is_some(),
        c.derive.is_some(),
        c.first_of.is_some(),
    ];
    if sources.into_iter().filter(|given| *given).count() != 1 {
        return Err(err(format!(
            "`{key}` needs exactly one of column, value, derive, first_of"
        )));
    }
    // A derive's operand: a column, read only by the derive that names it.
    let operand = |k: &str, v: &Option<toml::Value>| match v {
        None => Err(err(format!("`{key}.{k}` is missing"))),
        Some(toml::Value::String(s)) => {
            raw::source_column(s).map_err(|m| err(format!("`{key}.{k}` {m}")))
        }
        Some(_) => Err(err(format!("`{key}.{k}` must be a string"))),
    };
    spec.input = if let Some(parts) = c.first_of {
        Input::FirstOf(parts)
    } else if let Some(mut parts) = c.column {
        match parts.len() {
            1 => Input::Column(parts.remove(0)),
            _ => Input::Joined(parts),
        }
    } else if let Some(v) = c.value {
        Input::Value(v)
    } else {
        let d = c.derive.unwrap_or_default();
        match de::word(&d) {
            Some(Derive::StartPlusWait) if name == "answered_at" => Input::StartPlusWait {
                start: operand("start", &c.start)?,
                duration: operand("duration", &c.duration)?,
                billsec: operand("billsec", &c.billsec)?,
            },
            Some(Derive::StartPlusWait) => {
                return Err(err(format!(
                    "`{key}.derive` = \"{d}\" only derives answered_at"
                )))
            }
            Some(Derive::StartPlusMinutes) if is_time => Input::StartPlusMinutes {
                start: operand("start", &c.start)?,
                minutes: operand("minutes", &c.minutes)?,
            },
            Some(Derive::StartPlusSeconds) if is_time => Input::StartPlusSeconds {
                start: operand("start", &c.start)?,
                seconds: operand("seconds", &c.seconds)?,
            },
            Some(Derive::EndMinusSeconds) if is_time => Input::EndMinusSeconds {
                end: operand("end", &c.end)?,
                seconds: operand("seconds", &c.seconds)?,
            },
            _ => {
                let w = de::words::<Derive>();
                return Err(err(format!(
                    "`{key}.derive` = \"{d}\" is not one of {} (answered_at), {} (times)",
                    w[0],
                    w[1..].join(", ")
                )));
            }
        }
    };
    if let Some(Ordered(map)) = c.map {
        for (from, to) in map {
            spec.map.insert(from.trim().to_string(), to);
        }
    }
    spec.default = c.default;
    if let Some(Table(w)) = c.when {
        spec.when = Some(condition(w, &format!("{key}.when"), path)?);
    }
    spec.null = c.null.unwrap_or_default();
    if let Some(f) = c.format {
        if !is_time {
            return Err(err(format!(
                "`{key}.format` applies to timestamp columns only"
            )));
        }
        spec.formats = f;
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_text(text: &str, role: Role) -> Result<Profile> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, text).unwrap();
        load(path.to_str().unwrap(), role, Path::new("."))
    }

    #[test]
    fn every_built_in_profile_loads_for_its_role() {
        for (name, text) in BUILT_IN {
            let table: toml::Table = text.parse().unwrap();
            let role = match table["role"].as_str().unwrap() {
                "calls" => Role::Calls,
                "tickets" => Role::Tickets,
                "surveys" => Role::Surveys,
                "claim" => Role::Claim,
                _ => Role::Orders,
            };
            let p = load(name, role, Path::new(".")).unwrap();
            assert_eq!(p.origin, Origin::BuiltIn(name.to_string()));
        }
    }

    #[test]
    fn cn_excel_picks_the_member_for_the_role() {
        assert_eq!(
            built_in("cn-excel", Role::Tickets).unwrap().0,
            "cn-excel-tickets"
        );
        assert_eq!(
            built_in("cn-excel", Role::Surveys).unwrap().0,
            "cn-excel-surveys"
        );
        assert!(built_in("cn-excel", Role::Orders).is_none());
    }

    #[test]
    fn a_profile_for_another_role_is_refused() {
        let e = load("zendesk-tickets", Role::Calls, Path::new(".")).unwrap_err();
        assert!(e.to_string().contains("is for tickets"), "{e}");
        let e = load("cn-excel", Role::Orders, Path::new(".")).unwrap_err();
        assert!(
            e.to_string()
                .contains("no built-in profile `cn-excel` for orders"),
            "{e}"
        );
        let e = from_text(
            "role = \"tickets\"\n[columns]\nticket_id = \"Id\"\n",
            Role::Calls,
        )
        .unwrap_err();
        assert!(e.to_string().contains("is for tickets"), "{e}");
    }

    #[test]
    fn required_columns_must_be_mapped_except_vendor() {
        let e = from_text(
            "role = \"surveys\"\n[columns]\nsurvey_id = \"id\"\nrating = \"score\"\n",
            Role::Surveys,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("`columns.submitted_at` is missing"),
            "{e}"
        );
        let p = from_text(
            "role = \"surveys\"\n[columns]\nsurvey_id = \"id\"\nrating = \"score\"\nsubmitted_at = { column = \"when\", format = \"epoch\" }\n",
            Role::Surveys,
        )
        .unwrap();
        assert!(p.needs_vendor());
        assert_eq!(
            p.columns[2].as_ref().unwrap().formats,
            vec![TimeFormat::Epoch]
        );
    }

    #[test]
    fn extends_overrides_key_by_key_and_hashes_the_chain() {
        let base = load("asterisk-cdr", Role::Calls, Path::new(".")).unwrap();
        let p = from_text(
            "extends = \"asterisk-cdr\"\nrole = \"calls\"\n[columns]\nstage = { value = \"presales\" }\nvendor = { value = \"acme\" }\n",
            Role::Calls,
        )
        .unwrap();
        assert_eq!(
            p.columns[3].as_ref().unwrap().input,
            Input::Value("presales".into())
        );
        assert!(!p.needs_vendor());
        assert_eq!(p.columns[0], base.columns[0]);
        assert_eq!(p.delimiter, base.delimiter);
        assert_ne!(p.sha256, base.sha256);
    }

    #[test]
    fn a_refusal_names_the_key_at_any_depth_in_the_words_of_the_old_reader() {
        let cols = "contact_id = \"id\"\noffered_at = \"o\"\nchannel = \"c\"\nstage = \"s\"\ncategory = \"k\"\nended_at = \"e\"\n";
        for (text, says) in [
            ("[source]\nheader = \"yes\"\n", "`source.header` must be true or false"),
            ("[source]\nskip_rows = -1\n", "`source.skip_rows` must be a whole number ≥ 0"),
            ("[source]\nsheet = 2026-10-01\n", "`source.sheet` must be a string"),
            ("[source]\ncolour = 1\n", "unknown key `source.colour` (source has format, encoding, delimiter, quote, header, skip_rows, multiline, sheet, timezone, group_by, null)"),
            ("[source]\nformat = \"tsv\"\n", "`source.format` = \"tsv\" is not one of csv, xlsx, jsonl, asterisk-queue-log, asterisk-queue-log-table"),
            ("[source]\ngroup_by = [\"a\", 1]\n", "`source.group_by` must be a column or a list of columns"),
            ("source = [\"csv\"]\n", "`source` must be a table"),
            ("[[skip]]\nreason = \"r\"\ncolumn = \"a\"\nis = [\"x\"]\n[[skip]]\nreason = \" \"\n", "`skip[1].reason` is missing: say why such rows are not contacts (check reports it)"),
            ("skip = [[1]]\n", "`skip[0]` must be a table"),
            ("[columns]\nhandled_by = { column = \"a\", map = { z = 1 } }\n", "`columns.handled_by.map.z` must be a string"),
            ("[columns]\nhandled_by = [\"a\"]\n", "`columns.handled_by` must be a column (\"name\" or \"#N\") or a table"),
            ("[columns]\nhandled_by = { column = \"a\", when = { any = [{ column = \"b\", is = [\"x\"] }, { colour = 1 }] } }\n", "unknown key `columns.handled_by.when.any[1].colour` (a condition has column and is or is_not, or all, or any)"),
            ("[columns]\nhandled_by = { column = \"a\", when = { all = [{ column = \"b\", is = [\"x\"] }], column = \"c\" } }\n", "`columns.handled_by.when` must be a table { column = …, is = [ … ] } (or is_not = [ … ]), or { all = [ … ] } / { any = [ … ] } of such tables"),
            ("[columns]\nanswered_at = { column = \"a\", format = \"EPOCH\" }\n", "`columns.answered_at.format` = \"EPOCH\" is not a strftime pattern (with %), epoch, epoch_ms, excel or canonical"),
            ("[columns]\nanswered_at = { derive = \"nope\" }\n", "`columns.answered_at.derive` = \"nope\" is not one of start_plus_wait (answered_at), start_plus_seconds, end_minus_seconds, start_plus_minutes (times)"),
            ("[columns]\nanswered_at = { derive = \"start_plus_wait\", start = \"s\", duration = 1 }\n", "`columns.answered_at.duration` must be a string"),
        ] {
            let text = match text.split_once("[columns]\n") {
                Some((head, more)) => format!("role = \"calls\"\n{head}[columns]\n{cols}{more}"),
                None => format!("role = \"calls\"\n{text}[columns]\n{cols}"),
            };
            let e = from_text(&text, Role::Calls).unwrap_err().to_string();
            assert!(e.ends_with(&format!(": {says}")), "{text}: {e}");
        }
    }

    #[test]
    fn bad_keys_are_named() {
        for (text, says) in [
            ("role = \"calls\"\ncolour = 1\n", "unknown key `colour`"),
            ("role = \"calls\"\n[source]\ndelimiter = \";;\"\n[columns]\n", "`source.delimiter` must be one ASCII character"),
            ("role = \"calls\"\n[source]\nencoding = \"klingon\"\n[columns]\n", "is not one of utf-8"),
            ("role = \"calls\"\n[columns]\nanswer = \"x\"\n", "`columns.answer` is not a canonical calls column"),
            ("role = \"calls\"\n[columns]\ncontact_id = { column = \"a\", value = \"b\" }\n", "exactly one of column, value, derive, first_of"),
            ("role = \"calls\"\n[columns]\nchannel = { column = \"a\", format = \"epoch\" }\n", "applies to timestamp columns only"),
            ("role = \"calls\"\n[columns]\noffered_at = { column = \"a\", format = \"yyyy-mm-dd\" }\n", "is not a strftime pattern"),
            ("role = \"calls\"\n[columns]\ncontact_id = \"#0\"\n", "a position is # and a number from 1"),
            ("role = \"calls\"\n[source]\nformat = \"jsonl\"\nencoding = \"gbk\"\n[columns]\n", "JSON text is UTF-8"),
            ("role = \"calls\"\n[source]\nformat = \"jsonl\"\n[columns]\ncontact_id = \"#1\"\n", "a JSON Lines source has no column order"),
            ("role = \"calls\"\n[source]\nheader = false\n[columns]\ncontact_id = \"id\"\n", "address columns by position"),
        ] {
            let e = from_text(text, Role::Calls).unwrap_err();
            assert!(e.to_string().contains(says), "{text}: {e}");
            assert_eq!(e.exit_code().code(), 78);
        }
    }
}
