//! Reading the month's CSV exports (SPEC §2): one place configures the CSV reader, maps the
//! header, and turns cells into typed values straight from bytes. A quote-free chunk's fields are
//! read where they lie ([`fields::Fields`]); other rows stream through one reused
//! `csv::ByteRecord`. A row allocates only when it is rejected or its id is first seen.

pub mod cells;
pub mod convert;
pub mod dedup;
pub mod diagnose;
pub mod fields;
pub mod foreign;
pub mod incidents;
pub mod ingest;
mod judge;
pub mod manifest;
pub mod pipeline;
pub mod profile;
pub mod records;
pub mod source;
pub mod vendor;
pub mod xlsx;

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Which export a file is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// calls.csv: one row per contact offered.
    Calls,
    /// tickets.csv: one row per ticket.
    Tickets,
    /// surveys.csv: one row per survey response.
    Surveys,
    /// orders.csv: sales orders (optional).
    Orders,
    /// incidents.csv: the incident register of the whole contract (optional, SPEC §9); read by
    /// [`incidents`], not by the month's pipeline.
    Incidents,
    /// claim.csv: the vendor's settlement list (SPEC §10), read by `reconcile`.
    Claim,
    /// claim_records.csv: the records behind the vendor's lines (SPEC §10).
    ClaimRecords,
}

// A statement records the inputs it read; claims are never recorded in one.
crate::base::word::serde_words!(Role, Role::INPUTS);

impl Role {
    /// The month's exports, in statement order (the incident register comes after them).
    pub const ALL: [Role; 4] = [Role::Calls, Role::Tickets, Role::Surveys, Role::Orders];

    /// Every input a statement may record: the month's exports, then the incident register.
    pub const INPUTS: [Role; 5] = [
        Role::Calls,
        Role::Tickets,
        Role::Surveys,
        Role::Orders,
        Role::Incidents,
    ];

    /// What one canonical row of the role is, in words (`contact`, `ticket` …).
    pub fn row_noun(self) -> &'static str {
        match self {
            Role::Calls => "contact",
            Role::Tickets => "ticket",
            Role::Surveys => "survey",
            Role::Orders => "order",
            Role::Incidents => "incident",
            Role::Claim => "claimed line",
            Role::ClaimRecords => "claimed record",
        }
    }

    /// [`Role::row_noun`] in the plural.
    pub fn rows_noun(self) -> &'static str {
        match self {
            Role::Calls => "contacts",
            Role::Tickets => "tickets",
            Role::Surveys => "surveys",
            Role::Orders => "orders",
            Role::Incidents => "incidents",
            Role::Claim => "claimed lines",
            Role::ClaimRecords => "claimed records",
        }
    }

    /// The canonical file name in a data folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Role::Calls => "calls.csv",
            Role::Tickets => "tickets.csv",
            Role::Surveys => "surveys.csv",
            Role::Orders => "orders.csv",
            Role::Incidents => "incidents.csv",
            Role::Claim => "claim.csv",
            Role::ClaimRecords => "claim_records.csv",
        }
    }

    /// Whether a month cannot be settled without this file (SPEC §2).
    pub fn required(self) -> bool {
        matches!(self, Role::Calls | Role::Tickets | Role::Surveys)
    }

    /// The canonical columns: (name, required).
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            Role::Calls => &[
                ("contact_id", true),
                ("vendor", true),
                ("channel", true),
                ("stage", true),
                ("category", true),
                ("offered_at", true),
                ("answered_at", false),
                ("ended_at", false),
                ("handled_by", false),
            ],
            Role::Tickets => &[
                ("ticket_id", true),
                ("vendor", true),
                ("kind", true),
                ("category", false),
                ("complexity", false),
                ("created_at", true),
                ("first_reply_at", false),
                ("resolved_at", false),
                ("handled_by", false),
            ],
            Role::Surveys => &[
                ("survey_id", true),
                ("vendor", true),
                ("submitted_at", true),
                ("rating", true),
                ("contact_id", false),
            ],
            Role::Orders => &[
                ("order_id", true),
                ("vendor", true),
                ("placed_at", true),
                ("amount", true),
                ("status", true),
            ],
            Role::Incidents => &[
                ("incident_id", true),
                ("vendor", true),
                ("kind", true),
                ("occurred_at", true),
                ("records", false),
                ("to_competitor", false),
                ("wide", false),
                ("note", false),
            ],
            Role::Claim => &[
                ("item", true),
                ("quantity", true),
                ("amount", true),
                ("unit_price", false),
            ],
            Role::ClaimRecords => &[("item", true), ("id", true), ("amount", false)],
        }
    }

    /// Index (into `columns`) of the timestamp that decides the row's month.
    pub fn period_column(self) -> usize {
        match self {
            Role::Calls => 5,
            Role::Tickets => 5,
            Role::Surveys => 2,
            Role::Orders => 2,
            Role::Incidents => 3,
            // A claim is of the month it is given for: no column dates its rows.
            Role::Claim | Role::ClaimRecords => 0,
        }
    }
}

/// A reader that feeds every byte it passes through a SHA-256, so an input is sealed in the same
/// pass that parses it, and notes where line ends fall, so rejected rows are reported on their
/// physical line whatever the line ends (CRLF) or blank lines in between.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    /// Offset of the next byte read.
    offset: u64,
    /// Offsets of CR and LF bytes not yet passed by the parser, each with whether it ends a
    /// line (a CR does; an LF does unless it completes a CRLF).
    line_ends: VecDeque<(u64, bool)>,
    /// Whether the last byte read was a CR (a CRLF may straddle two reads).
    last_was_cr: bool,
    /// LF bytes already passed.
    lines_passed: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            offset: 0,
            line_ends: VecDeque::new(),
            last_was_cr: false,
            lines_passed: 0,
        }
    }

    /// The lowercase hex SHA-256 of everything read so far.
    pub fn hex_digest(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }

    /// The physical line (1-based) of a record the parser reports as starting at byte `start`.
    /// The parser places a record's start at the end of the previous record, before any further
    /// line-end bytes (the LF of a CRLF, blank lines), so those are skipped here. Lines end in
    /// LF, CRLF or a lone CR (old Mac exports). Calls must come in increasing `start` order.
    pub fn line_of(&mut self, start: u64) -> u64 {
        while let Some(&(at, ends)) = self.line_ends.front() {
            if at >= start {
                break;
            }
            self.lines_passed += u64::from(ends);
            self.line_ends.pop_front();
        }
        let mut next = start;
        while let Some(&(at, ends)) = self.line_ends.front() {
            if at != next {
                break;
            }
            self.lines_passed += u64::from(ends);
            self.line_ends.pop_front();
            next += 1;
        }
        self.lines_passed + 1
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        self.hasher.update(bytes);
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let after_cr = if at == 0 {
                self.last_was_cr
            } else {
                bytes[at - 1] == b'\r'
            };
            let ends = bytes[at] == b'\r' || !after_cr;
            self.line_ends.push_back((self.offset + at as u64, ends));
        }
        if let Some(&last) = bytes.last() {
            self.last_was_cr = last == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The one place CSV reading is configured: comma, double quotes, no header handling by the
/// crate (the header is read as line 1 so line numbers stay physical), a large buffer.
pub fn csv_reader<R: Read>(inner: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(inner)
}

/// The error of a failed CSV read: an I/O failure (exit 74), or a file that cannot be read as
/// CSV at all (exit 65).
pub fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::BadFile {
            path: path.display().to_string(),
            line,
            message: format!("cannot be read as CSV ({other:?}); export it again as CSV"),
        },
    }
}

/// Opens an input for reading, hashing what is read.
pub fn open(path: &Path) -> Result<csv::Reader<HashingReader<File>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(csv_reader(HashingReader::new(file)))
}

/// Where each canonical column sits in a file: `index[i]` is the position of `role.columns()[i]`.
#[derive(Debug, Clone)]
pub struct Header {
    /// Positions of the canonical columns, `None` when an optional one is absent.
    pub index: Vec<Option<usize>>,
    /// How many fields the header has.
    pub width: usize,
}

impl Header {
    /// Maps a header record: names trimmed and matched case-insensitively, a UTF-8 BOM dropped,
    /// extra columns ignored. A missing required column or a column named twice is an error.
    pub fn map(role: Role, record: &csv::ByteRecord, file: &str) -> Result<Header> {
        Self::map_columns(role.columns(), record, file)
    }

    /// Maps a header record onto `columns` (name, required), by the rules of [`Header::map`].
    pub fn map_columns(
        columns: &[(&str, bool)],
        record: &csv::ByteRecord,
        file: &str,
    ) -> Result<Header> {
        let names: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i == 0 {
                    f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f)
                } else {
                    f
                };
                String::from_utf8_lossy(f).trim().to_lowercase()
            })
            .collect();
        let listed = || {
            let mut shown: Vec<String> = names
                .iter()
                .take(30)
                .map(|n| crate::base::text::shown(n))
                .collect();
            if names.len() > 30 {
                shown.push(format!("… {} more", names.len() - 30));
            }
            shown.join(", ")
        };
        let mut index = Vec::with_capacity(columns.len());
        for (name, required) in columns {
            let found: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n == name)
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] if *required => {
                    return Err(Error::BadFile {
                        path: file.to_string(),
                        line: 1,
                        message: format!(
                            "missing required column `{name}` (the header has: {}); add it or rename the matching column",
                            listed()
                        ),
                    })
                }
                [] => index.push(None),
                [one] => index.push(Some(*one)),
                _ => {
                    return Err(Error::BadFile {
                        path: file.to_string(),
                        line: 1,
                        message: format!("column `{name}` appears more than once in the header; keep one"),
                    })
                }
            }
        }
        Ok(Header {
            index,
            width: names.len(),
        })
    }
}

/// A rejected row: `file:line: column: reason`, with the raw row for the rejects file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The input file as given.
    pub file: String,
    /// Physical line the record starts on (header = 1).
    pub line: u64,
    /// The column at fault.
    pub column: String,
    /// Why.
    pub reason: String,
    /// The row as it was, re-joined as CSV.
    pub raw: String,
    /// The declared vendor the row names, if any (for per-vendor counts).
    pub vendor: Option<usize>,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            crate::base::text::visible(&self.file),
            self.line,
            crate::base::text::shown(&self.column),
            crate::base::text::visible(&crate::base::text::clip_to(
                &self.reason,
                4 * crate::base::text::SHOWN_CHARS
            ))
        )
    }
}

/// The raw row as one CSV line (lossy UTF-8), for a reject report.
pub fn raw_row<'r>(record: impl Into<fields::Fields<'r>>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(record.into().iter());
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches(['\r', '\n'])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader handing out one byte per read, so a CRLF straddles two reads.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn lines_of<R: Read>(inner: R) -> Vec<u64> {
        let mut reader = csv_reader(HashingReader::new(inner));
        let mut record = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().map_or(0, |p| p.byte());
            lines.push(reader.get_mut().line_of(start));
        }
        lines
    }

    #[test]
    fn spec_8_physical_lines_whatever_the_line_ends() {
        // LF, CRLF, lone CR (SurveyMonkey's old exports), and blank lines in between.
        assert_eq!(lines_of(&b"h\na\nb\n"[..]), vec![1, 2, 3]);
        assert_eq!(lines_of(&b"h\r\na\r\n\r\nb\r\n"[..]), vec![1, 2, 4]);
        assert_eq!(lines_of(&b"h\ra\rb"[..]), vec![1, 2, 3]);
        assert_eq!(lines_of(&b"h\r\ra\rb\r"[..]), vec![1, 3, 4]);
        assert_eq!(lines_of(Trickle(b"h\r\na\r\nb\r\n")), vec![1, 2, 3]);
        assert_eq!(lines_of(Trickle(b"h\ra\r\"x\ny\"\rb")), vec![1, 2, 3, 5]);
    }
}
