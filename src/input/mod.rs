//! Reading the month's CSV exports (SPEC §2): one place configures the CSV reader, maps the
//! header, and turns cells into typed values straight from bytes. A quote-free chunk's fields are
//! read where they lie ([`fields::Fields`]); other rows stream through one reused
//! `csv::ByteRecord`. A row allocates only when it is rejected or its id is first seen.

pub mod cells;
pub mod convert;
pub mod dedup;
pub mod delimited;
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

    /// Where the role stands among the month's exports ([`Role::ALL`]); `None` for the
    /// incident register and a claim.
    pub fn export_index(self) -> Option<usize> {
        Role::ALL.iter().position(|r| *r == self)
    }

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

/// Where line ends fall in what a reader passed on: offsets of CR and LF bytes not yet passed
/// by the parser, each with whether it ends a line (a CR does; an LF does unless it completes a
/// CRLF), and the lines already passed.
#[derive(Default)]
struct LineEnds {
    pending: VecDeque<(u64, bool)>,
    passed: u64,
}

impl LineEnds {
    /// The physical line (1-based) of a record the parser reports as starting at byte `start`.
    /// The parser places a record's start at the end of the previous record, before any further
    /// line-end bytes (the LF of a CRLF, blank lines), so those are skipped here. Lines end in
    /// LF, CRLF or a lone CR (old Mac exports). Calls must come in increasing `start` order.
    fn line_of(&mut self, start: u64) -> u64 {
        while let Some(&(at, ends)) = self.pending.front() {
            if at >= start {
                break;
            }
            self.passed += u64::from(ends);
            self.pending.pop_front();
        }
        let mut next = start;
        while let Some(&(at, ends)) = self.pending.front() {
            if at != next {
                break;
            }
            self.passed += u64::from(ends);
            self.pending.pop_front();
            next += 1;
        }
        self.passed + 1
    }
}

/// Notes the CR and LF bytes of `bytes`, read at `offset`, into `out` ([`LineEnds`]);
/// `last_was_cr` carries whether the byte before them was a CR (a CRLF may straddle two reads).
fn note_line_ends(
    offset: u64,
    bytes: &[u8],
    last_was_cr: &mut bool,
    out: &mut impl Extend<(u64, bool)>,
) {
    out.extend(memchr::memchr2_iter(b'\n', b'\r', bytes).map(|at| {
        let after_cr = match at {
            0 => *last_was_cr,
            n => bytes[n - 1] == b'\r',
        };
        (offset + at as u64, bytes[at] == b'\r' || !after_cr)
    }));
    if let Some(&last) = bytes.last() {
        *last_was_cr = last == b'\r';
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
    lines: LineEnds,
    /// Whether the last byte read was a CR.
    last_was_cr: bool,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            offset: 0,
            lines: LineEnds::default(),
            last_was_cr: false,
        }
    }

    /// The lowercase hex SHA-256 of everything read so far.
    pub fn hex_digest(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }

    /// The physical line (1-based) of a record the parser reports as starting at byte `start`
    /// (see [`LineEnds::line_of`]).
    pub fn line_of(&mut self, start: u64) -> u64 {
        self.lines.line_of(start)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        self.hasher.update(bytes);
        note_line_ends(
            self.offset,
            bytes,
            &mut self.last_was_cr,
            &mut self.lines.pending,
        );
        self.offset += n as u64;
        Ok(n)
    }
}

/// A block of bytes and the line ends in it ([`LineEnds`]), as a [`ReadAhead`]'s thread read it.
type Block = (Vec<u8>, Vec<(u64, bool)>);

/// What a [`ReadAhead`]'s thread hands on.
enum Ahead {
    Block(Vec<u8>, Vec<(u64, bool)>),
    /// The end of the input, and the SHA-256 of all of it.
    End(String),
    Failed(std::io::Error),
}

/// [`HashingReader`] with the reading, the hashing and the search for line ends done on a
/// thread of its own, a block ahead of the parser: a mapped export is parsed and mapped on one
/// thread, which then does only that.
pub struct ReadAhead {
    blocks: std::sync::mpsc::Receiver<Ahead>,
    /// Blocks handed back for reuse.
    spent: std::sync::mpsc::Sender<Block>,
    block: Vec<u8>,
    /// Bytes of `block` already passed on.
    at: usize,
    lines: LineEnds,
    /// The digest, once the end was reached.
    digest: std::sync::OnceLock<String>,
    ended: bool,
}

/// Bytes read at a time by a [`ReadAhead`]'s thread.
const AHEAD_BLOCK: usize = 1 << 20;

impl ReadAhead {
    /// Reads `inner` on a thread named `name`.
    pub fn new(inner: impl Read + Send + 'static, name: String) -> std::io::Result<ReadAhead> {
        let (tx, blocks) = std::sync::mpsc::sync_channel(2);
        let (spent, back) = std::sync::mpsc::channel::<Block>();
        std::thread::Builder::new().name(name).spawn(move || {
            let mut inner = inner;
            let (mut hasher, mut offset, mut last_was_cr) = (Sha256::new(), 0u64, false);
            loop {
                let (mut buf, mut ends) = back.try_recv().unwrap_or_default();
                buf.resize(AHEAD_BLOCK, 0);
                ends.clear();
                let n = loop {
                    match inner.read(&mut buf) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let message = match n {
                    Err(e) => Ahead::Failed(e),
                    Ok(0) => Ahead::End(hex(&hasher.clone().finalize())),
                    Ok(n) => {
                        buf.truncate(n);
                        hasher.update(&buf);
                        note_line_ends(offset, &buf, &mut last_was_cr, &mut ends);
                        offset += n as u64;
                        Ahead::Block(buf, ends)
                    }
                };
                let last = !matches!(message, Ahead::Block(..));
                // The reader was dropped (an error further on): nothing more to read for.
                if tx.send(message).is_err() || last {
                    return;
                }
            }
        })?;
        Ok(ReadAhead {
            blocks,
            spent,
            block: Vec::new(),
            at: 0,
            lines: LineEnds::default(),
            digest: std::sync::OnceLock::new(),
            ended: false,
        })
    }

    /// The lowercase hex SHA-256 of the whole input (what is left of it is read to the end
    /// first, when the parser stopped short of it).
    pub fn hex_digest(&self) -> String {
        self.digest
            .get_or_init(|| loop {
                match self.blocks.recv() {
                    Ok(Ahead::End(digest)) => break digest,
                    Ok(Ahead::Block(..)) => {}
                    // The input failed to read: there is no digest of it.
                    Ok(Ahead::Failed(_)) | Err(_) => break String::new(),
                }
            })
            .clone()
    }

    /// The physical line (1-based) of a record the parser reports as starting at byte `start`
    /// (see [`LineEnds::line_of`]).
    pub fn line_of(&mut self, start: u64) -> u64 {
        self.lines.line_of(start)
    }
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.block.len() {
            if self.ended {
                return Ok(0);
            }
            match self.blocks.recv() {
                Ok(Ahead::Block(block, ends)) => {
                    self.lines.pending.extend(ends.iter().copied());
                    let old = std::mem::replace(&mut self.block, block);
                    let _ = self.spent.send((old, ends));
                    self.at = 0;
                }
                Ok(Ahead::End(digest)) => {
                    let _ = self.digest.set(digest);
                    self.ended = true;
                }
                Ok(Ahead::Failed(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                Err(_) => {
                    self.ended = true;
                    return Err(std::io::Error::other("the reading thread stopped"));
                }
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
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
    /// Whether the header names the canonical columns, all of them, in their order and nothing
    /// else: field `i` of a row is then column `i` ([`records::InOrder`]).
    pub fn in_order(&self) -> bool {
        self.width == self.index.len() && self.index.iter().enumerate().all(|(i, p)| *p == Some(i))
    }

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

    #[test]
    fn a_header_is_in_order_when_it_names_every_column_in_order_and_nothing_else() {
        let map = |names: &[&str]| {
            Header::map(
                Role::Surveys,
                &csv::ByteRecord::from(names.to_vec()),
                "s.csv",
            )
            .expect("a header")
        };
        let all = [
            "survey_id",
            "vendor",
            "submitted_at",
            "rating",
            "contact_id",
        ];
        assert!(map(&all).in_order());
        // Names are matched as ever: case and padding aside, a BOM dropped.
        assert!(map(&[
            "\u{feff}Survey_ID",
            " vendor",
            "submitted_at",
            "RATING",
            "contact_id"
        ])
        .in_order());
        assert!(!map(&[
            "vendor",
            "survey_id",
            "submitted_at",
            "rating",
            "contact_id"
        ])
        .in_order());
        assert!(!map(&all[..4]).in_order(), "an optional column left out");
        assert!(
            !map(&[&all[..], &["note"]].concat()).in_order(),
            "an extra column"
        );
    }

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

    /// What a reader read ahead hands the parser: the bytes, each record's line, the digest.
    fn read_ahead(bytes: Vec<u8>) -> (Vec<u8>, Vec<u64>, String) {
        let mut reader =
            csv_reader(ReadAhead::new(std::io::Cursor::new(bytes), "t".into()).unwrap());
        let (mut record, mut lines, mut all) = (csv::ByteRecord::new(), Vec::new(), Vec::new());
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().map_or(0, |p| p.byte());
            lines.push(reader.get_mut().line_of(start));
            all.extend_from_slice(record.as_slice());
        }
        (all, lines, reader.get_ref().hex_digest())
    }

    #[test]
    fn a_file_read_ahead_gives_the_records_lines_and_seal_of_one_read_in_place() {
        // A CRLF straddling the first two blocks, then lone CRs, blank lines and a line break
        // inside a quoted cell.
        let mut text = b"h\n".to_vec();
        text.resize(AHEAD_BLOCK - 1, b'x');
        text.extend_from_slice(b"\r\na\r\n\r\nb\rc\n\"d\ne\"\nf\n");
        let mut reader = csv_reader(HashingReader::new(&text[..]));
        let (mut record, mut lines, mut all) = (csv::ByteRecord::new(), Vec::new(), Vec::new());
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().map_or(0, |p| p.byte());
            lines.push(reader.get_mut().line_of(start));
            all.extend_from_slice(record.as_slice());
        }
        assert_eq!(lines, vec![1, 2, 3, 5, 6, 7, 9]);
        let expected = (all, lines, reader.get_ref().hex_digest());
        assert_eq!(read_ahead(text.clone()), expected);
        assert_eq!(expected.2, hex(&Sha256::digest(&text)));
        assert_eq!(read_ahead(Vec::new()).2, hex(&Sha256::digest(b"")));
    }

    #[test]
    fn a_seal_asked_for_before_the_end_covers_the_whole_file_and_a_failed_read_is_an_error() {
        let text = vec![b'a'; 3 * AHEAD_BLOCK];
        let mut reader = ReadAhead::new(std::io::Cursor::new(text.clone()), "t".into()).unwrap();
        let mut first = [0u8; 10];
        assert_eq!(reader.read(&mut first).unwrap(), 10);
        assert_eq!(reader.hex_digest(), hex(&Sha256::digest(&text)));

        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk gone"))
            }
        }
        let mut reader = ReadAhead::new(Broken, "t".into()).unwrap();
        let err = reader.read(&mut first).unwrap_err();
        assert_eq!(err.to_string(), "disk gone");
        assert!(reader.read(&mut first).is_ok_and(|n| n == 0));
    }
}
