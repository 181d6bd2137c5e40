//! Reading a foreign export through a [`Profile`]: the source's records (delimited text in any
//! declared encoding, an Asterisk queue log, or a workbook sheet) become canonical rows of the
//! profile's role, each with the physical line (or sheet row) it came from. Only the cells a
//! profile uses are decoded and copied; unmapped columns — caller names, phone numbers — never
//! leave the source (001 §3.7), so rejects and evidence files carry canonical cells only.

use super::convert::{self, ForeignTime};
use super::delimited::{DelimitedRecords, RawRecord};
use super::profile::{
    ColumnSpec, Encoding, Format, Input, Profile, SourceColumn, TimeFormat, When,
};
use super::records::RowError;
use super::source::{ParsedTimes, RowSource, SourceRow};
use super::{Header, ReadAhead, Role};
use crate::error::{Error, Result};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Hashes the raw bytes of a source that is transcoded before parsing (UTF-16), so the seal is
/// of the file as it is on disk.
struct RawTap<R> {
    inner: R,
    hasher: Arc<Mutex<Sha256>>,
}

impl<R: Read> Read for RawTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.lock().expect("hasher lock").update(&buf[..n]);
        Ok(n)
    }
}

/// The records of a source, before mapping.
enum Raw {
    Text {
        reader: Box<DelimitedRecords<ReadAhead>>,
        raw_hash: Option<Arc<Mutex<Sha256>>>,
        widest: usize,
        /// Where the record last read starts.
        start: u64,
        /// The delimiter and the quote.
        dialect: (u8, Option<u8>),
    },
    Sheet(super::xlsx::SheetRows, usize),
    Json(JsonLines),
}

/// A JSON Lines source (one object per line, as Amazon Connect's contact-record stream writes
/// it): each object becomes a record of the values at the profile's dotted paths
/// (`Agent.ConnectedToAgentTimestamp`), in the order of [`JsonLines::names`].
struct JsonLines {
    reader: std::io::BufReader<File>,
    hasher: Sha256,
    /// The physical line last read.
    line: u64,
    buf: Vec<u8>,
    /// The paths read, as the profile names them (lower case), split at dots.
    paths: Vec<Vec<String>>,
    /// Why the line last read is not a record, if it is not (the row is then rejected).
    error: Option<RowError>,
    /// Whether a line has parsed as a JSON object yet (a first line that does not is a file
    /// that is not JSON Lines at all).
    seen_object: bool,
}

impl JsonLines {
    fn next(&mut self, path: &Path, record: &mut RawRecord) -> Result<Option<u64>> {
        use std::io::BufRead;
        record.clear();
        self.error = None;
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| Error::io(path, e))?;
            if n == 0 {
                return Ok(None);
            }
            self.hasher.update(&self.buf);
            self.line += 1;
            let text = self.buf.trim_ascii();
            if text.is_empty() {
                continue;
            }
            let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            let object = match serde_json::from_slice::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(o)) => o,
                Ok(_) => {
                    self.error = Some(RowError::new(
                        "(row)",
                        "not a JSON object: a JSON Lines export holds one object per line",
                    ));
                    serde_json::Map::new()
                }
                Err(e) => {
                    self.error = Some(RowError::new(
                        "(row)",
                        format!(
                            "not a JSON object: {} (column {})",
                            json_reason(&e),
                            e.column()
                        ),
                    ));
                    serde_json::Map::new()
                }
            };
            if self.error.is_some() && !self.seen_object {
                return Err(Error::BadFile {
                    path: path.display().to_string(),
                    line: self.line,
                    message: format!(
                        "is not JSON Lines (one JSON object per line, as the profile's format = \"jsonl\" says): {}",
                        self.error.take().map(|e| e.reason).unwrap_or_default()
                    ),
                });
            }
            self.seen_object = true;
            let mut text = String::new();
            for segments in &self.paths {
                text.clear();
                json_cell(&object, segments, &mut text);
                record.push_field(text.as_bytes());
            }
            return Ok(Some(self.line));
        }
    }
}

/// A cell's number of `unit`-second units as nanoseconds, or (the cell, why not) naming it as
/// `{label}`X` is not a number of {what}`.
fn nanos_in(
    text: &str,
    unit: i64,
    label: &str,
    what: &str,
) -> std::result::Result<i64, (String, String)> {
    convert::duration_nanos(text, unit).ok_or_else(|| {
        (
            text.to_string(),
            format!("{label}`{text}` is not a number of {what}"),
        )
    })
}

/// The columns of a first-non-empty list (`group_by`, `first_of`) the header has: a column
/// the export lacks is empty in every row, so it is passed over (`linkedid` in exports of
/// Asterisk before 1.8). When the header has none of them, the first is kept, so resolving it
/// names the missing column.
fn present_or_first<'a>(
    list: &'a [SourceColumn],
    present: &'a dyn Fn(&SourceColumn) -> bool,
) -> impl Iterator<Item = &'a SourceColumn> {
    let any = list.iter().any(present);
    list.iter()
        .enumerate()
        .filter(move |(i, c)| if any { present(c) } else { *i == 0 })
        .map(|(_, c)| c)
}

/// A profile for text given a workbook (an `.xlsx` is a zip file: it starts `PK\x03\x04`)
/// is refused as a whole, saying what to change, rather than read as rows of binary noise.
fn refuse_workbook(file: &mut File, path: &Path, p: &Profile) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic).map_err(|e| Error::io(path, e))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io(path, e))?;
    if n == 4 && magic == *b"PK\x03\x04" {
        return Err(Error::BadFile {
            path: path.display().to_string(),
            line: 1,
            message: format!(
                "is an Excel workbook (.xlsx), but profile {} reads delimited text: extend it with format = \"xlsx\" in [source] (and sheet = \"…\" when the data is not on the first sheet), or save the sheet as CSV",
                p.shown()
            ),
        });
    }
    Ok(())
}

/// The columns a JSON Lines profile names (dotted paths, lower case), each once, in the order
/// the profile names them: the record [`JsonLines`] hands out has one field per name.
fn json_names(p: &Profile) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in p.named_columns() {
        if let SourceColumn::Name(n) = c {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// serde_json's message without its " at line 1 column N" tail (the line is the file's, the
/// column is given apart).
fn json_reason(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rfind(" at line ") {
        Some(at) => m[..at].to_string(),
        None => m,
    }
}

/// The text of the value at `segments` in `object` (keys matched exactly, else ignoring case):
/// strings as they are, numbers and booleans as JSON writes them, null or absent as empty,
/// objects and arrays as their JSON text.
fn json_cell(
    object: &serde_json::Map<String, serde_json::Value>,
    segments: &[String],
    out: &mut String,
) {
    use serde_json::Value;
    let mut at: Option<&Value> = None;
    let mut map = Some(object);
    for seg in segments {
        let Some(m) = map else {
            return;
        };
        let v = m.get(seg.as_str()).or_else(|| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(seg))
                .map(|(_, v)| v)
        });
        let Some(v) = v else {
            return;
        };
        at = Some(v);
        map = v.as_object();
    }
    match at {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => out.push_str(s),
        Some(Value::Number(n)) => out.push_str(&n.to_string()),
        Some(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(v) => out.push_str(&v.to_string()),
    }
}

impl Raw {
    fn open(path: &Path, p: &Profile) -> Result<Raw> {
        if p.format == Format::Jsonl {
            let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
            refuse_workbook(&mut file, path, p)?;
            return Ok(Raw::Json(JsonLines {
                reader: std::io::BufReader::with_capacity(1 << 18, file),
                hasher: Sha256::new(),
                line: 0,
                buf: Vec::new(),
                paths: json_names(p)
                    .iter()
                    .map(|n| n.split('.').map(str::to_string).collect())
                    .collect(),
                error: None,
                seen_object: false,
            }));
        }
        if p.format == Format::Xlsx {
            return Ok(Raw::Sheet(
                super::xlsx::SheetRows::open(path, p.sheet.as_deref())?,
                0,
            ));
        }
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        refuse_workbook(&mut file, path, p)?;
        let (inner, raw_hash): (Box<dyn Read + Send>, _) = if p.encoding == Encoding::Utf16Le {
            let hasher = Arc::new(Mutex::new(Sha256::new()));
            let tap = RawTap {
                inner: file,
                hasher: hasher.clone(),
            };
            let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::UTF_16LE))
                .strip_bom(true)
                .build(tap);
            (Box::new(decoded), Some(hasher))
        } else {
            (Box::new(file), None)
        };
        // The file is read, hashed and searched for line ends a block ahead, on a thread
        // named like a canonical file's reading thread.
        let thread_name = format!(
            "read-{}",
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
        let (delimiter, quote) = match p.format {
            Format::AsteriskQueueLog => (b'|', None),
            Format::Xlsx | Format::Jsonl => unreachable!("opened above"),
            _ => (p.delimiter, p.quote),
        };
        Ok(Raw::Text {
            reader: Box::new(DelimitedRecords::new(
                ReadAhead::new(inner, thread_name).map_err(|e| Error::io(path, e))?,
                delimiter,
                quote,
            )),
            raw_hash,
            widest: 0,
            start: 0,
            dialect: (delimiter, quote),
        })
    }

    /// The next record and its line (sheet row for workbooks).
    fn next(&mut self, path: &Path, record: &mut RawRecord) -> Result<Option<u64>> {
        match self {
            Raw::Text {
                reader,
                widest,
                start,
                ..
            } => {
                let Some(at) = reader.read(record).map_err(|e| Error::io(path, e))? else {
                    return Ok(None);
                };
                *start = at;
                *widest = (*widest).max(record.len());
                Ok(Some(reader.get_mut().line_of(at)))
            }
            Raw::Sheet(s, widest) => {
                let line = s.next_row(record);
                *widest = (*widest).max(record.len());
                Ok(line)
            }
            Raw::Json(j) => j.next(path, record),
        }
    }

    /// Why the record last read is no record at all (a JSON line that does not parse).
    fn take_error(&mut self) -> Option<RowError> {
        match self {
            Raw::Json(j) => j.error.take(),
            _ => None,
        }
    }

    /// The most fields any record read so far had.
    fn widest(&self) -> usize {
        match self {
            Raw::Text { widest, .. } | Raw::Sheet(_, widest) => *widest,
            Raw::Json(j) => j.paths.len(),
        }
    }

    fn sha256(&self) -> String {
        match self {
            Raw::Text {
                raw_hash: Some(h), ..
            } => super::hex(&h.lock().expect("hasher lock").clone().finalize()),
            Raw::Text { reader, .. } => reader.get_ref().hex_digest(),
            Raw::Sheet(s, _) => s.sha256().to_string(),
            Raw::Json(j) => super::hex(&j.hasher.clone().finalize()),
        }
    }
}

/// `s.trim()`, without searching for Unicode white space where both ends are plainly none: an
/// ASCII byte above the space is never white space.
#[inline(always)]
fn trim_text(s: &str) -> &str {
    let plain = |b: u8| b > b' ' && b.is_ascii();
    match s.as_bytes() {
        [] => s,
        [first, .., last] if plain(*first) && plain(*last) => s,
        [only] if plain(*only) => s,
        _ => s.trim(),
    }
}

/// A source record as the mapper reads it: its cells, and the whole record as text when the
/// export is UTF-8 and the record valid, so that each cell is read without checking it again.
#[derive(Clone, Copy)]
struct Src<'r> {
    record: &'r RawRecord,
    text: Option<&'r str>,
}

impl<'r> Src<'r> {
    fn new(record: &'r RawRecord, encoding: Encoding) -> Src<'r> {
        let text = match encoding {
            Encoding::Utf8 => std::str::from_utf8(record.as_slice()).ok(),
            _ => None,
        };
        Src { record, text }
    }

    /// Cell `at` as text, when the record was read as text (empty when the row is too short);
    /// `None` when it must be decoded by itself (another encoding, bytes that are not UTF-8, or
    /// a character that runs across two cells, which the record's text would hide).
    #[inline(always)]
    fn text(&self, at: usize) -> Option<&'r str> {
        let text = self.text?;
        match self.record.range(at) {
            Some(r) => text.get(r),
            None => Some(""),
        }
    }
}

/// A column spec with its source columns resolved to positions.
#[derive(Debug, Clone)]
struct Resolved {
    spec: ColumnSpec,
    input: ResolvedInput,
    when: Option<Cond>,
    is_time: bool,
}

/// A [`When`] with its columns resolved to positions.
#[derive(Debug, Clone)]
enum Cond {
    Is {
        at: usize,
        values: Vec<String>,
        negate: bool,
    },
    All(Vec<Cond>),
    Any(Vec<Cond>),
}

impl Cond {
    fn resolve(w: &When, resolve: &mut dyn FnMut(&SourceColumn) -> Result<usize>) -> Result<Cond> {
        Ok(match w {
            When::Is {
                column,
                values,
                negate,
            } => Cond::Is {
                at: resolve(column)?,
                values: values.clone(),
                negate: *negate,
            },
            When::All(list) => Cond::All(
                list.iter()
                    .map(|w| Cond::resolve(w, resolve))
                    .collect::<Result<_>>()?,
            ),
            When::Any(list) => Cond::Any(
                list.iter()
                    .map(|w| Cond::resolve(w, resolve))
                    .collect::<Result<_>>()?,
            ),
        })
    }
}

#[derive(Debug, Clone)]
enum ResolvedInput {
    Column(usize),
    Value(String),
    StartPlusWait {
        start: usize,
        duration: usize,
        billsec: usize,
    },
    /// A time moved by a number in another column: start + minutes, start + seconds, or
    /// end − seconds.
    Offset {
        from: usize,
        amount: usize,
        /// Seconds in one unit of `amount` (1, or 60 for minutes).
        unit: i64,
        /// Back from `from` (end − seconds) rather than forward.
        back: bool,
    },
    Joined(Vec<usize>),
    FirstOf(Vec<usize>),
}

/// Turns source records into canonical cells.
#[derive(Debug, Clone)]
pub struct Mapper {
    encoding: Encoding,
    tz: Tz,
    /// The zone the source writes naive times in, when not the contract's.
    source_tz: Option<Tz>,
    columns: Vec<Option<Resolved>>,
    /// The group key columns, first non-empty wins (empty: not grouped).
    group_by: Vec<usize>,
    /// Row filters: (reason, condition).
    skips: Vec<(String, Cond)>,
    /// Values that mean "no value" in every source column (`[source] null`).
    null: Vec<String>,
    /// The source header's names (empty for headerless sources).
    names: Vec<String>,
    /// Source positions some canonical column reads.
    used: Vec<usize>,
}

impl Mapper {
    /// Resolves `profile` against the source header `names` (`None` for a headerless source).
    fn new(
        profile: &Profile,
        names: Option<&[String]>,
        tz: Tz,
        file: &str,
        line: u64,
    ) -> Result<Mapper> {
        let mut used = Vec::new();
        let present = |c: &SourceColumn| match (c, names) {
            (SourceColumn::Name(n), Some(names)) => names.iter().any(|h| h == n),
            _ => true,
        };
        let mut resolve = |c: &SourceColumn| -> Result<usize> {
            let at = match (c, names) {
                (SourceColumn::Position(p), _) => *p,
                (SourceColumn::Name(n), Some(names)) => {
                    let found: Vec<usize> = names
                        .iter()
                        .enumerate()
                        .filter(|(_, h)| *h == n)
                        .map(|(i, _)| i)
                        .collect();
                    match found.as_slice() {
                        [one] => *one,
                        [] => {
                            return Err(Error::BadFile {
                                path: file.to_string(),
                                line,
                                message: format!(
                                    "profile {} reads column `{n}`, which the header lacks (the header has: {}); fix the profile or the export",
                                    profile.shown(),
                                    names.join(", ")
                                ),
                            })
                        }
                        _ => {
                            return Err(Error::BadFile {
                                path: file.to_string(),
                                line,
                                message: format!(
                                    "column `{n}` appears more than once in the header; profile {} cannot tell which to read",
                                    profile.shown()
                                ),
                            })
                        }
                    }
                }
                (SourceColumn::Name(n), None) => {
                    unreachable!("validated: `{n}` named in a headerless profile")
                }
            };
            used.push(at);
            Ok(at)
        };
        let mut columns = Vec::with_capacity(profile.columns.len());
        for (i, spec) in profile.columns.iter().enumerate() {
            let Some(spec) = spec else {
                columns.push(None);
                continue;
            };
            let required = profile.role.columns()[i].1;
            if profile.optional_absent
                && !required
                && !crate::input::profile::spec_columns(spec)
                    .into_iter()
                    .all(present)
            {
                columns.push(None);
                continue;
            }
            let input = match &spec.input {
                Input::Column(c) => ResolvedInput::Column(resolve(c)?),
                Input::Value(v) => ResolvedInput::Value(v.clone()),
                Input::StartPlusWait {
                    start,
                    duration,
                    billsec,
                } => ResolvedInput::StartPlusWait {
                    start: resolve(start)?,
                    duration: resolve(duration)?,
                    billsec: resolve(billsec)?,
                },
                Input::StartPlusMinutes { start, minutes } => ResolvedInput::Offset {
                    from: resolve(start)?,
                    amount: resolve(minutes)?,
                    unit: 60,
                    back: false,
                },
                Input::StartPlusSeconds { start, seconds } => ResolvedInput::Offset {
                    from: resolve(start)?,
                    amount: resolve(seconds)?,
                    unit: 1,
                    back: false,
                },
                Input::EndMinusSeconds { end, seconds } => ResolvedInput::Offset {
                    from: resolve(end)?,
                    amount: resolve(seconds)?,
                    unit: 1,
                    back: true,
                },
                Input::Joined(parts) => {
                    ResolvedInput::Joined(parts.iter().map(&mut resolve).collect::<Result<_>>()?)
                }
                Input::FirstOf(parts) => ResolvedInput::FirstOf(
                    present_or_first(parts, &present)
                        .map(&mut resolve)
                        .collect::<Result<_>>()?,
                ),
            };
            let when = match &spec.when {
                Some(w) => Some(Cond::resolve(w, &mut resolve)?),
                None => None,
            };
            columns.push(Some(Resolved {
                spec: spec.clone(),
                input,
                when,
                is_time: profile.role.columns()[i].0.ends_with("_at"),
            }));
        }
        let group_by = present_or_first(&profile.group_by, &present)
            .map(&mut resolve)
            .collect::<Result<Vec<_>>>()?;
        let skips = profile
            .skip
            .iter()
            .map(|s| Ok((s.reason.clone(), Cond::resolve(&s.when, &mut resolve)?)))
            .collect::<Result<Vec<_>>>()?;
        used.sort_unstable();
        used.dedup();
        Ok(Mapper {
            encoding: profile.encoding,
            tz,
            source_tz: profile.timezone,
            null: profile.null.clone(),
            columns,
            group_by,
            skips,
            names: names.map(<[String]>::to_vec).unwrap_or_default(),
            used,
        })
    }

    /// The source columns no canonical column reads: header names, or positions (`#5`) of a
    /// headerless source as wide as `widest`.
    pub fn unmapped(&self, widest: usize) -> Vec<String> {
        if self.names.is_empty() {
            return (0..widest)
                .filter(|i| !self.used.contains(i))
                .map(|i| format!("#{}", i + 1))
                .collect();
        }
        self.names
            .iter()
            .enumerate()
            .filter(|(i, n)| !self.used.contains(i) && !n.is_empty())
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// A source cell, decoded and trimmed (empty when the row is too short).
    #[inline(always)]
    fn cell<'r>(&self, src: Src<'r>, at: usize) -> std::result::Result<Cow<'r, str>, String> {
        let v = match src.text(at) {
            // As `convert::decode` reads UTF-8: a byte-order mark is dropped.
            Some(s) => Cow::Borrowed(trim_text(s.strip_prefix('\u{FEFF}').unwrap_or(s))),
            None => {
                let bytes = src.record.get(at).unwrap_or(b"");
                match convert::decode(self.encoding, bytes) {
                    Some(Cow::Borrowed(s)) => Cow::Borrowed(s.trim()),
                    Some(Cow::Owned(s)) => Cow::Owned(s.trim().to_string()),
                    None => return Err(convert::decode_failure(self.encoding, bytes)),
                }
            }
        };
        if self.null.iter().any(|n| n == v.as_ref()) {
            return Ok(Cow::Borrowed(""));
        }
        Ok(v)
    }

    /// A source cell read for `spec`: its `null` values read as empty.
    #[inline(always)]
    fn cell_for<'r>(
        &self,
        src: Src<'r>,
        at: usize,
        spec: &ColumnSpec,
    ) -> std::result::Result<Cow<'r, str>, String> {
        let v = self.cell(src, at)?;
        if spec.null.iter().any(|n| n == v.as_ref()) {
            return Ok(Cow::Borrowed(""));
        }
        Ok(v)
    }

    /// Whether `cond` holds for source record `src`.
    fn holds(&self, src: Src<'_>, cond: &Cond) -> std::result::Result<bool, String> {
        Ok(match cond {
            Cond::Is { at, values, negate } => {
                let v = self.cell(src, *at)?;
                values.iter().any(|x| x == v.as_ref()) != *negate
            }
            Cond::All(list) => {
                for c in list {
                    if !self.holds(src, c)? {
                        return Ok(false);
                    }
                }
                true
            }
            Cond::Any(list) => {
                for c in list {
                    if self.holds(src, c)? {
                        return Ok(true);
                    }
                }
                false
            }
        })
    }

    /// The first row filter `src` matches (its index), if any. A cell that does not decode
    /// matches no filter: the row is then mapped, and rejected naming the cell if it is read.
    fn skipped(&self, src: &RawRecord) -> Option<usize> {
        if self.skips.is_empty() {
            return None;
        }
        let src = Src::new(src, self.encoding);
        self.skips
            .iter()
            .position(|(_, c)| self.holds(src, c).unwrap_or(false))
    }

    /// The group key of `src`: the first group column not empty (nor a `[source] null` value)
    /// in it.
    fn group_key<'r>(&self, src: &'r RawRecord) -> &'r [u8] {
        self.group_by
            .iter()
            .map(|at| super::cells::trim(src.get(*at).unwrap_or(b"")))
            .find(|k| !k.is_empty() && !self.null.iter().any(|n| n.as_bytes() == *k))
            .unwrap_or(b"")
    }

    /// Fills `out` with the canonical cells of source record `src`, and `times` with the
    /// timestamps parsed from them on the way. The first failure is returned, naming the
    /// canonical column; its cell then holds the source text as read.
    fn map(
        &self,
        src: &RawRecord,
        out: &mut csv::ByteRecord,
        times: &mut ParsedTimes,
        role: Role,
    ) -> Option<RowError> {
        out.clear();
        *times = ParsedTimes::NONE;
        let src = Src::new(src, self.encoding);
        let mut first_error = None;
        for (i, col) in self.columns.iter().enumerate() {
            let Some(col) = col else {
                out.push_field(b"");
                continue;
            };
            let mut parsed = None;
            match self.value(src, col, &mut parsed) {
                Ok(v) => {
                    out.push_field(v.as_bytes());
                    if let Some(at) = parsed {
                        times.note(i, at);
                    }
                }
                Err((shown, reason)) => {
                    out.push_field(shown.as_bytes());
                    if first_error.is_none() {
                        first_error = Some(RowError::new(role.columns()[i].0, reason));
                    }
                }
            }
        }
        first_error
    }

    /// One canonical cell, or (the text to show, the reason) when it cannot be mapped. A time
    /// passed on as it is written, trimmed, sets `parsed` to the instant it was read as.
    fn value<'r>(
        &self,
        src: Src<'r>,
        col: &'r Resolved,
        parsed: &mut Option<crate::base::timestamp::Instant>,
    ) -> std::result::Result<Cow<'r, str>, (String, String)> {
        let fail = |reason: String| (String::new(), reason);
        if let Some(cond) = &col.when {
            if !self.holds(src, cond).map_err(fail)? {
                return Ok(Cow::Borrowed(""));
            }
        }
        let spec = &col.spec;
        let raw: Cow<str> = match &col.input {
            ResolvedInput::Value(v) => Cow::Borrowed(v.as_str()),
            ResolvedInput::Column(at) => self.cell_for(src, *at, spec).map_err(fail)?,
            ResolvedInput::Joined(parts) => {
                let mut joined = String::new();
                for at in parts {
                    let v = self.cell_for(src, *at, spec).map_err(fail)?;
                    if !v.is_empty() {
                        if !joined.is_empty() {
                            joined.push(' ');
                        }
                        joined.push_str(&v);
                    }
                }
                Cow::Owned(joined)
            }
            ResolvedInput::FirstOf(parts) => {
                let mut first = Cow::Borrowed("");
                for at in parts {
                    let v = self.cell_for(src, *at, spec).map_err(fail)?;
                    if !v.trim().is_empty() {
                        first = v;
                        break;
                    }
                }
                first
            }
            ResolvedInput::Offset {
                from,
                amount,
                unit,
                back,
            } => {
                let text = self.cell_for(src, *amount, spec).map_err(fail)?;
                if text.is_empty() {
                    Cow::Borrowed("")
                } else {
                    let what = if *unit == 60 { "minutes" } else { "seconds" };
                    let n = nanos_in(&text, *unit, "", what)?;
                    let at = self.start(src, *from, spec)?;
                    let n = if *back { -n } else { n };
                    Cow::Owned(crate::base::timestamp::Instant(at.0 + n).to_rfc3339(self.tz))
                }
            }
            ResolvedInput::StartPlusWait {
                start,
                duration,
                billsec,
            } => {
                let billsec_text = self.cell_for(src, *billsec, spec).map_err(fail)?;
                let bill = nanos_in(&billsec_text, 1, "billsec ", "seconds")?;
                if bill <= 0 {
                    Cow::Borrowed("")
                } else {
                    let duration_text = self.cell_for(src, *duration, spec).map_err(fail)?;
                    let dur = nanos_in(&duration_text, 1, "duration ", "seconds")?;
                    let at = self.start(src, *start, spec)?;
                    Cow::Owned(
                        crate::base::timestamp::Instant(at.0 + dur - bill).to_rfc3339(self.tz),
                    )
                }
            }
        };
        let mapped: Cow<str> = match spec.map.get(raw.as_ref()) {
            Some(to) => Cow::Owned(to.clone()),
            None => raw,
        };
        let filled: Cow<str> = match (&spec.default, mapped.is_empty()) {
            (Some(d), true) => Cow::Owned(d.clone()),
            _ => mapped,
        };
        let derived = !matches!(
            col.input,
            ResolvedInput::Column(_) | ResolvedInput::Value(_) | ResolvedInput::Joined(_)
        );
        if !col.is_time || derived || filled.is_empty() {
            return Ok(filled);
        }
        // A time already in a canonical form passes as it is. The row rules read the trimmed
        // text with the same parser: when that is this text, they take the instant read here.
        let as_written =
            self.source_tz.is_none() && spec.formats.first() == Some(&TimeFormat::Canonical);
        let canonical = as_written
            .then(|| crate::base::timestamp::parse_timestamp(filled.as_bytes(), self.tz).ok())
            .flatten();
        match canonical {
            Some(at) => {
                if super::cells::trim(filled.as_bytes()).len() == filled.len() {
                    *parsed = Some(at);
                }
                Ok(filled)
            }
            None => convert::read_time(&filled, &spec.formats, self.tz)
                .and_then(|t| self.localize(t))
                .map(|t| Cow::Owned(t.canonical(self.tz)))
                .map_err(|reason| (filled.to_string(), reason)),
        }
    }

    /// The start time a derivation counts from.
    fn start(
        &self,
        src: Src<'_>,
        at: usize,
        spec: &ColumnSpec,
    ) -> std::result::Result<crate::base::timestamp::Instant, (String, String)> {
        let text = self
            .cell_for(src, at, spec)
            .map_err(|r| (String::new(), r))?;
        if text.is_empty() {
            return Err((String::new(), "the time it is derived from is empty".into()));
        }
        convert::read_time(&text, &spec.formats, self.tz)
            .and_then(|t| self.localize(t))
            .and_then(|t: ForeignTime| t.instant(self.tz))
            .map_err(|r| (text.to_string(), r))
    }

    /// A naive time of a source that writes another zone's wall clock becomes an instant.
    fn localize(&self, t: ForeignTime) -> std::result::Result<ForeignTime, String> {
        match (t, self.source_tz) {
            (ForeignTime::Local(_), Some(zone)) => t.instant(zone).map(ForeignTime::At),
            _ => Ok(t),
        }
    }
}

/// A mapped text export's record read again at a byte offset and mapped as the first time:
/// what the duplicate check compares when an id's hash is seen again.
pub struct MappedAt {
    at: super::pipeline::RecordAt,
    /// The file's size in bytes.
    size: u64,
    read: csv::ByteRecord,
    src: RawRecord,
    mapper: Mapper,
    role: Role,
}

impl MappedAt {
    /// Maps the record at byte `offset` into `out` and `times`; an error when it no longer
    /// maps (the file changed since it was read).
    pub fn read(
        &mut self,
        offset: u64,
        out: &mut csv::ByteRecord,
        times: &mut ParsedTimes,
    ) -> Result<()> {
        self.at.read(offset, &mut self.read)?;
        self.src.clear();
        for cell in &self.read {
            self.src.push_field(cell);
        }
        match self.mapper.map(&self.src, out, times, self.role) {
            None => Ok(()),
            Some(_) => Err(self.changed()),
        }
    }

    /// The error when a row read again is not the row read before.
    pub fn changed(&self) -> Error {
        self.at.changed()
    }

    /// The size of the file, in bytes, when it was opened.
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// A canonical row waiting to be handed out (grouped sources and queue logs are assembled
/// before any row is judged).
struct Pending {
    line: u64,
    folded: u64,
    error: Option<RowError>,
    cells: csv::ByteRecord,
}

/// What a mapped source reported beyond its rows, for `check`'s account of the file: every
/// record read ends as skipped by a filter, folded into another record's contact, a queue-log
/// management line, or one canonical row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceNotes {
    /// Queue-log lines that are not call events (callid `NONE`, `CLI`, `MANAGER`, `REALTIME`,
    /// and queue member / agent events).
    pub management_lines: u64,
    /// Source records read: data rows after the header and `skip_rows`, or queue-log lines.
    pub records: u64,
    /// Records skipped by the profile's `[[skip]]` filters, per reason, in profile order.
    pub skipped: Vec<(String, u64)>,
    /// Records folded into another record's contact (legs of one call, queue-log events).
    pub folded: u64,
    /// Canonical rows handed out so far (contacts, tickets …; rejected ones included).
    pub rows: u64,
}

impl SourceNotes {
    fn skip(&mut self, reason: &str) {
        if let Some(e) = self.skipped.iter_mut().find(|(r, _)| r == reason) {
            e.1 += 1;
        }
    }

    /// Records skipped by any filter.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.iter().map(|(_, n)| n).sum()
    }
}

/// A foreign export read through a profile, as canonical rows.
pub struct ForeignSource {
    path: std::path::PathBuf,
    role: Role,
    raw: Raw,
    mapper: Mapper,
    header: Header,
    src: RawRecord,
    /// Assembled rows, when the source is grouped or a queue log.
    pending: Option<VecDeque<Pending>>,
    notes: SourceNotes,
    /// The profile lets a quoted cell hold line ends (`multiline = true`).
    multiline: bool,
}

/// The virtual columns of an assembled queue-log call.
const QUEUE_LOG_COLUMNS: [&str; 8] = [
    "callid",
    "queue",
    "agent",
    "enter_time",
    "connect_time",
    "end_time",
    "end_event",
    "wait_seconds",
];

impl ForeignSource {
    /// Opens `path` as `profile` describes it, reading any header and skipped rows.
    pub fn open(path: &Path, profile: &Profile, tz: Tz) -> Result<ForeignSource> {
        let shown = path.display().to_string();
        let mut raw = Raw::open(path, profile)?;
        let mut src = RawRecord::new();
        let mut skipped = 0;
        let mut last_line = 0;
        while skipped < profile.skip_rows {
            match raw.next(path, &mut src)? {
                Some(l) => last_line = l,
                None => break,
            }
            skipped += 1;
        }
        let mut notes = SourceNotes::default();
        for s in &profile.skip {
            if !notes.skipped.iter().any(|(r, _)| *r == s.reason) {
                notes.skipped.push((s.reason.clone(), 0));
            }
        }
        let (mapper, pending) = match profile.format {
            Format::AsteriskQueueLog | Format::AsteriskQueueLogTable => {
                let names: Vec<String> = QUEUE_LOG_COLUMNS.iter().map(|s| s.to_string()).collect();
                let mapper = Mapper::new(profile, Some(&names), tz, &shown, 1)?;
                let layout = if profile.format == Format::AsteriskQueueLog {
                    QueueLogLayout::PIPE
                } else if profile.header {
                    let Some(line) = raw.next(path, &mut src)? else {
                        return Err(Error::BadFile {
                            path: shown,
                            line: last_line + 1,
                            message: "the file is empty: a queue_log table starts with its header (time, callid, queuename, agent, event, data1 …)".into(),
                        });
                    };
                    QueueLogLayout::from_header(&src, &shown, line)?
                } else {
                    QueueLogLayout::TABLE
                };
                let calls = assemble_queue_log(&mut raw, path, &mut src, &layout, &mut notes)?;
                let pending: VecDeque<Pending> = calls
                    .into_iter()
                    .map(|c| {
                        let mut cells = csv::ByteRecord::new();
                        let error = mapper.map(
                            &c.record,
                            &mut cells,
                            &mut ParsedTimes::default(),
                            profile.role,
                        );
                        Pending {
                            line: c.line,
                            folded: c.folded,
                            error,
                            cells,
                        }
                    })
                    .collect();
                (mapper, Some(pending))
            }
            Format::Csv | Format::Xlsx | Format::Jsonl => {
                let names = if profile.format == Format::Jsonl {
                    Some(json_names(profile))
                } else if profile.header {
                    let Some(line) = raw.next(path, &mut src)? else {
                        return Err(Error::BadFile {
                            path: shown,
                            line: last_line + 1,
                            message: format!(
                                "the file is empty: profile {} expects a header row",
                                profile.shown()
                            ),
                        });
                    };
                    last_line = line;
                    Some(
                        src.iter()
                            .map(|c| {
                                let text = match convert::decode(profile.encoding, c) {
                                    Some(s) => s.into_owned(),
                                    None => String::from_utf8_lossy(c).into_owned(),
                                };
                                text.trim_start_matches('\u{FEFF}').trim().to_lowercase()
                            })
                            .collect::<Vec<_>>(),
                    )
                } else {
                    None
                };
                let mapper = Mapper::new(profile, names.as_deref(), tz, &shown, last_line.max(1))?;
                let pending = if mapper.group_by.is_empty() {
                    None
                } else {
                    Some(assemble_groups(
                        &mut raw,
                        path,
                        &mapper,
                        profile.role,
                        tz,
                        &mut notes,
                    )?)
                };
                (mapper, pending)
            }
        };
        let width = profile.role.columns().len();
        Ok(ForeignSource {
            path: path.to_path_buf(),
            role: profile.role,
            raw,
            mapper,
            header: Header {
                index: (0..width).map(Some).collect(),
                width,
            },
            src,
            pending,
            notes,
            multiline: profile.multiline,
        })
    }

    /// A reader of this source's records again by the byte offset its rows carry
    /// ([`SourceRow::offset`]), when each row is one record of the file as it lies on disk: a
    /// text export, not transcoded, neither grouped nor a queue log, in a file that can be read
    /// again (not a pipe).
    pub fn reread(&self) -> Option<MappedAt> {
        let size = std::fs::metadata(&self.path)
            .ok()
            .filter(|m| m.is_file())?
            .len();
        match &self.raw {
            Raw::Text {
                raw_hash: None,
                dialect: (delimiter, quote),
                ..
            } if self.pending.is_none() => Some(MappedAt {
                at: super::pipeline::RecordAt::delimited(&self.path, *delimiter, *quote),
                size,
                read: csv::ByteRecord::new(),
                src: RawRecord::new(),
                mapper: self.mapper.clone(),
                role: self.role,
            }),
            _ => None,
        }
    }

    /// What the source reported beyond its rows (complete once every row has been read).
    pub fn notes(&self) -> &SourceNotes {
        &self.notes
    }

    /// The source columns the profile leaves unread (see [`Mapper::unmapped`]), as far as the
    /// rows read so far show.
    pub fn unmapped(&self) -> Vec<String> {
        self.mapper.unmapped(self.raw.widest())
    }
}

impl RowSource for ForeignSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_row(&mut self, record: &mut csv::ByteRecord) -> Result<Option<SourceRow>> {
        if let Some(pending) = &mut self.pending {
            return Ok(pending.pop_front().map(|p| {
                *record = p.cells;
                SourceRow {
                    folded: p.folded,
                    error: p.error,
                    ..SourceRow::at(p.line)
                }
            }));
        }
        loop {
            let Some(line) = self.raw.next(&self.path, &mut self.src)? else {
                return Ok(None);
            };
            self.notes.records += 1;
            let unreadable = self.raw.take_error();
            if unreadable.is_none() {
                if let Some(i) = self.mapper.skipped(&self.src) {
                    let reason = self.mapper.skips[i].0.clone();
                    self.notes.skip(&reason);
                    continue;
                }
            }
            self.notes.rows += 1;
            let mut times = ParsedTimes::NONE;
            let mapped = self.mapper.map(&self.src, record, &mut times, self.role);
            let error = unreadable.or(mapped);
            // Line ends inside quoted cells: the record runs over several lines. Most records
            // hold none, which one search over all their cells shows.
            let inside: u64 = match memchr::memchr2(b'\n', b'\r', self.src.as_slice()) {
                None => 0,
                Some(_) => self
                    .src
                    .iter()
                    .map(|f| super::pipeline::count_line_ends(f, false))
                    .sum(),
            };
            let offset = match &self.raw {
                Raw::Text { start, .. } => *start,
                _ => 0,
            };
            return Ok(Some(SourceRow {
                last_line: line + inside,
                times,
                offset,
                multiline: self.multiline,
                error,
                ..SourceRow::at(line)
            }));
        }
    }

    fn sha256(&self) -> String {
        self.raw.sha256()
    }
}

/// Reads every record of a grouped source and folds each group into its first row: the
/// earliest period time, the earliest answer or reply, the latest end (see the README). A
/// record's group is the first group column not empty in it; records the row filters match
/// are skipped first.
fn assemble_groups(
    raw: &mut Raw,
    path: &Path,
    mapper: &Mapper,
    role: Role,
    tz: Tz,
    notes: &mut SourceNotes,
) -> Result<VecDeque<Pending>> {
    let period = role.period_column();
    let columns = role.columns();
    let mut rows: Vec<Pending> = Vec::new();
    let mut groups: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut src = RawRecord::new();
    while let Some(line) = raw.next(path, &mut src)? {
        notes.records += 1;
        let unreadable = raw.take_error();
        if unreadable.is_none() {
            if let Some(i) = mapper.skipped(&src) {
                notes.skip(&mapper.skips[i].0);
                continue;
            }
        }
        let mut cells = csv::ByteRecord::new();
        let mapped = mapper.map(&src, &mut cells, &mut ParsedTimes::default(), role);
        let error = unreadable.or(mapped);
        let key = mapper.group_key(&src).to_vec();
        if error.is_some() || key.is_empty() {
            rows.push(Pending {
                line,
                folded: 0,
                error,
                cells,
            });
            continue;
        }
        match groups.get(&key) {
            None => {
                groups.insert(key, rows.len());
                rows.push(Pending {
                    line,
                    folded: 0,
                    error,
                    cells,
                });
            }
            Some(&at) => {
                notes.folded += 1;
                let first = &mut rows[at];
                first.folded += 1;
                let mut merged = csv::ByteRecord::new();
                for (i, (name, _)) in columns.iter().enumerate() {
                    let mine = first.cells.get(i).unwrap_or(b"");
                    let theirs = cells.get(i).unwrap_or(b"");
                    let pick = if !name.ends_with("_at") {
                        mine
                    } else {
                        let latest = matches!(*name, "ended_at" | "resolved_at");
                        pick_time(mine, theirs, tz, latest && i != period)
                    };
                    merged.push_field(pick);
                }
                first.cells = merged;
            }
        }
    }
    notes.rows = rows.len() as u64;
    Ok(rows.into())
}

/// The earlier (or, with `latest`, the later) of two canonical time cells; an empty cell
/// gives way to a filled one.
fn pick_time<'a>(mine: &'a [u8], theirs: &'a [u8], tz: Tz, latest: bool) -> &'a [u8] {
    use crate::base::timestamp::parse_timestamp;
    match (parse_timestamp(mine, tz), parse_timestamp(theirs, tz)) {
        (Ok(a), Ok(b)) if (b > a) == latest && b != a => theirs,
        (Err(_), Ok(_)) if mine.is_empty() => theirs,
        _ => mine,
    }
}

/// One call assembled from queue-log events.
struct QueueCall {
    line: u64,
    folded: u64,
    record: RawRecord,
}

/// Where the fields of a queue-log event sit in a record.
struct QueueLogLayout {
    time: usize,
    callid: usize,
    queue: usize,
    agent: usize,
    event: usize,
    /// The first data field (CONNECT: the hold time).
    data1: usize,
    /// The data fields are one column joined with `|` (realtime's single `data` column).
    data_joined: bool,
    /// The file form, for messages.
    form: &'static str,
}

impl QueueLogLayout {
    /// The log file: `time|callid|queue|agent|event|data1|…`.
    const PIPE: QueueLogLayout = QueueLogLayout {
        time: 0,
        callid: 1,
        queue: 2,
        agent: 3,
        event: 4,
        data1: 5,
        data_joined: false,
        form: "an Asterisk queue_log (time|callid|queue|agent|event|data…)",
    };

    /// A headerless dump of the realtime table: `id,time,callid,queuename,agent,event,data1,…`.
    const TABLE: QueueLogLayout = QueueLogLayout {
        time: 1,
        callid: 2,
        queue: 3,
        agent: 4,
        event: 5,
        data1: 6,
        data_joined: false,
        form: "an Asterisk queue_log table (id,time,callid,queuename,agent,event,data1,…)",
    };

    /// The table's columns found by their header names (any case): the realtime schema's
    /// `time`, `callid`, `queuename`, `agent`, `event`, `data1` … or `data`, and the names
    /// other dumps use (`date_time`, `queue_name`, `param1` …).
    fn from_header(header: &RawRecord, file: &str, line: u64) -> Result<QueueLogLayout> {
        let names: Vec<String> = header
            .iter()
            .map(|c| {
                String::from_utf8_lossy(c)
                    .trim_start_matches('\u{FEFF}')
                    .trim()
                    .to_lowercase()
            })
            .collect();
        let find = |options: &[&str]| {
            options
                .iter()
                .find_map(|o| names.iter().position(|n| n == o))
        };
        let need = |what: &str, options: &[&str]| {
            find(options).ok_or_else(|| Error::BadFile {
                path: file.to_string(),
                line,
                message: format!(
                    "is not an Asterisk queue_log table: the header has no {what} column ({}); it has: {}",
                    options.join(", "),
                    names.join(", ")
                ),
            })
        };
        let time = need(
            "time",
            &["time", "date_time", "datetime", "timestamp", "eventdate"],
        )?;
        let callid = need("call id", &["callid", "call_id", "uniqueid"])?;
        let queue = need("queue", &["queuename", "queue_name", "queue"])?;
        let agent = need("agent", &["agent", "agent_name", "membername"])?;
        let event = need("event", &["event", "verb"])?;
        let (data1, data_joined) = match find(&["data1", "param1", "arg1"]) {
            Some(at) => (at, false),
            None => (need("data", &["data1", "param1", "data"])?, true),
        };
        Ok(QueueLogLayout {
            time,
            callid,
            queue,
            agent,
            event,
            data1,
            data_joined,
            form: "an Asterisk queue_log table",
        })
    }
}

/// Call ids app_queue writes on lines that are not about a call.
const MANAGEMENT_CALLIDS: [&[u8]; 5] = [b"", b"NONE", b"CLI", b"MANAGER", b"REALTIME"];

/// Queue member and agent events: about an agent's session, never a call's, whatever callid
/// they carry (AGENTLOGIN carries the agent channel's).
const MANAGEMENT_EVENTS: [&str; 17] = [
    "QUEUESTART",
    "CONFIGRELOAD",
    "ADDMEMBER",
    "REMOVEMEMBER",
    "PAUSE",
    "UNPAUSE",
    "PAUSEALL",
    "UNPAUSEALL",
    "PENALTY",
    "RINGINUSE",
    "AGENTLOGIN",
    "AGENTLOGOFF",
    "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF",
    "MEMBERADD",
    "MEMBERREMOVE",
    "QUEUESTOP",
];

/// Why a record is not a queue-log event (`None` when it is one).
fn not_an_event(src: &RawRecord, layout: &QueueLogLayout) -> Option<String> {
    let min = layout.event.max(layout.callid).max(layout.time) + 1;
    if src.len() < min {
        return Some(format!(
            "has {} field(s), not the {min} or more of a queue_log event",
            src.len()
        ));
    }
    let time = super::cells::trim(src.get(layout.time).unwrap_or(b""));
    let time_ok = time.first().is_some_and(u8::is_ascii_digit)
        && time
            .iter()
            .all(|b| b.is_ascii_digit() || b" -:./T+Z".contains(b));
    if !time_ok {
        return Some("its time field is not epoch seconds or a date-time".into());
    }
    let event = super::cells::trim(src.get(layout.event).unwrap_or(b""));
    let event_ok = !event.is_empty()
        && event
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    if !event_ok {
        return Some("its event field is not an event name (ENTERQUEUE, CONNECT …)".into());
    }
    None
}

/// Assembles Asterisk queue-log events (`time|callid|queue|agent|event|data…`, or the same
/// fields from a table) into one record per call id, in order of each call's first line.
/// Lines that are not call events (management call ids, member and agent events) are counted
/// in `notes`; a line that is no queue-log event at all rejects the file, naming it.
fn assemble_queue_log(
    raw: &mut Raw,
    path: &Path,
    src: &mut RawRecord,
    layout: &QueueLogLayout,
    notes: &mut SourceNotes,
) -> Result<Vec<QueueCall>> {
    let mut calls: Vec<(u64, u64, [String; 8])> = Vec::new();
    let mut by_id: HashMap<Vec<u8>, usize> = HashMap::new();
    while let Some(line) = raw.next(path, src)? {
        if let Some(why) = not_an_event(src, layout) {
            return Err(Error::BadFile {
                path: path.display().to_string(),
                line,
                message: if notes.records == 0 {
                    format!("is not {}: its first line {why}", layout.form)
                } else {
                    format!("is not a queue_log event: the line {why}")
                },
            });
        }
        notes.records += 1;
        let field = |i: usize| {
            String::from_utf8_lossy(super::cells::trim(src.get(i).unwrap_or(b""))).into_owned()
        };
        let event = field(layout.event);
        let callid = super::cells::trim(src.get(layout.callid).unwrap_or(b""));
        if MANAGEMENT_CALLIDS.contains(&callid) || MANAGEMENT_EVENTS.contains(&event.as_str()) {
            notes.management_lines += 1;
            continue;
        }
        let at = match by_id.get(callid) {
            Some(&at) => {
                calls[at].1 += 1;
                notes.folded += 1;
                at
            }
            None => {
                by_id.insert(callid.to_vec(), calls.len());
                let mut cells: [String; 8] = Default::default();
                cells[0] = field(layout.callid);
                calls.push((line, 0, cells));
                calls.len() - 1
            }
        };
        let data1 = if layout.data_joined {
            field(layout.data1)
                .split('|')
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        } else {
            field(layout.data1)
        };
        let cells = &mut calls[at].2;
        let time = field(layout.time);
        match event.as_str() {
            // A call moved to another queue keeps its first entry: it was offered then.
            "ENTERQUEUE" if cells[3].is_empty() => {
                cells[1] = field(layout.queue);
                cells[3] = time;
            }
            // A call re-queued and connected again keeps its first answer.
            "CONNECT" if cells[4].is_empty() => {
                cells[4] = time;
                cells[2] = field(layout.agent);
                cells[7] = data1;
            }
            "COMPLETECALLER" | "COMPLETEAGENT" | "ABANDON" | "EXITWITHTIMEOUT" | "EXITWITHKEY"
            | "EXITEMPTY" => {
                cells[5] = time;
                cells[6] = event;
                if cells[1].is_empty() {
                    cells[1] = field(layout.queue);
                }
            }
            _ => {}
        }
    }
    notes.rows = calls.len() as u64;
    Ok(calls
        .into_iter()
        .map(|(line, folded, cells)| QueueCall {
            line,
            folded,
            record: RawRecord::from(cells.to_vec()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell trimmed the short way is the cell trimmed as `str::trim` does, white space of
    /// any kind at either end included.
    #[test]
    fn a_cell_is_trimmed_as_str_trim_does() {
        let ends = [
            "", "a", " ", "\t", "\u{3000}", "\u{a0}", "\u{85}", "家", "\u{1f}", "\u{7f}",
        ];
        for a in ends {
            for b in ends {
                for middle in ["", "x", " 1 ", "电话"] {
                    let s = format!("{a}{middle}{b}");
                    assert_eq!(trim_text(&s), s.trim(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn a_utf8_records_cells_are_read_from_its_text_once_checked() {
        let record = RawRecord::from(vec!["a", "\u{FEFF}b ", "家具"]);
        let src = Src::new(&record, Encoding::Utf8);
        assert_eq!(src.text(0), Some("a"));
        assert_eq!(src.text(1), Some("\u{FEFF}b "));
        assert_eq!(src.text(2), Some("家具"));
        assert_eq!(src.text(7), Some(""), "a short row's missing cell is empty");
        // 家 (e5 ae b6) cut across two cells: the record's bytes are valid UTF-8, its cells are
        // not, and each is left to be decoded (and refused) by itself.
        let split = RawRecord::from(vec![&b"x\xe5"[..], &b"\xae\xb6"[..]]);
        assert!(std::str::from_utf8(split.as_slice()).is_ok());
        let src = Src::new(&split, Encoding::Utf8);
        assert_eq!((src.text(0), src.text(1)), (None, None));
        // Bytes that are not UTF-8, or another encoding: every cell is decoded by itself.
        let bad = RawRecord::from(vec![&b"ok"[..], &b"\xff"[..]]);
        assert_eq!(Src::new(&bad, Encoding::Utf8).text(0), None);
        assert_eq!(Src::new(&record, Encoding::Gb18030).text(0), None);
    }

    /// Reads every row of `csv` through a calls profile whose columns are `columns` (TOML).
    fn mapped_rows(csv: &str, columns: &str) -> Vec<(csv::ByteRecord, SourceRow)> {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("p.toml");
        std::fs::write(
            &profile,
            format!("name = \"t\"\nrole = \"calls\"\n[source]\nformat = \"csv\"\nheader = true\n[columns]\n{columns}"),
        )
        .unwrap();
        let data = dir.path().join("calls.csv");
        std::fs::write(&data, csv).unwrap();
        let profile =
            super::super::profile::load(profile.to_str().unwrap(), Role::Calls, Path::new("."))
                .unwrap();
        let mut source = ForeignSource::open(&data, &profile, chrono_tz::Asia::Shanghai).unwrap();
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        while let Some(row) = source.next_row(&mut record).unwrap() {
            rows.push((record.clone(), row));
        }
        rows
    }

    #[test]
    fn spec_8_a_time_passed_on_as_written_is_handed_over_parsed_once() {
        use crate::base::timestamp::parse_timestamp;
        let tz = chrono_tz::Asia::Shanghai;
        let columns = "contact_id = \"id\"\nvendor = \"v\"\nchannel = \"c\"\nstage = { value = \"front\" }\ncategory = { value = \"general\" }\noffered_at = \"o\"\nanswered_at = \"a\"\nended_at = { column = \"e\", map = { \"x\" = \"2026-10-01 09:09:00\" } }\n";
        let rows = mapped_rows(
            "id,v,c,o,a,e\n\
             1,acme,phone,2026-10-01 09:00:00, 2026-10-01T09:01:00+08:00 ,x\n\
             2,acme,phone,2026/10/01 09:00,,2026-10-01 09:05\n\
             3,acme,phone,yesterday,2026-10-01 09:01:00,\n",
            columns,
        );
        assert_eq!(rows.len(), 3);
        // Each noted instant is what the row rules would parse from the cell they read.
        for (record, row) in &rows {
            for i in 0..record.len() {
                if let Some(at) = row.times.get(i) {
                    let cell = super::super::cells::trim(record.get(i).unwrap());
                    assert_eq!(parse_timestamp(cell, tz), Ok(at), "column {i}");
                }
            }
        }
        let noted = |r: usize| -> Vec<usize> {
            (0..rows[r].0.len())
                .filter(|&i| rows[r].1.times.get(i).is_some())
                .collect()
        };
        let (offered, answered, ended) = (5, 6, 7);
        assert_eq!(Role::Calls.columns()[offered].0, "offered_at");
        // Row 1: every time is noted, the answer time as its trimmed cell, the end time as the
        // text the profile maps `x` to.
        assert_eq!(noted(0), vec![offered, answered, ended]);
        assert_eq!(rows[0].1.error, None);
        assert_eq!(rows[0].0.get(ended), Some(&b"2026-10-01 09:09:00"[..]));
        // Row 2: the canonical reader's other forms (slashes, no seconds) are noted too; the
        // empty answer time is nothing to note.
        assert_eq!(noted(1), vec![offered, ended]);
        assert_eq!(rows[1].1.error, None);
        // Row 3: a time that does not read is not noted, and the row is refused naming it.
        assert_eq!(noted(2), vec![answered]);
        assert_eq!(
            rows[2].1.error.as_ref().map(|e| e.column.as_ref()),
            Some("offered_at")
        );
    }
}
