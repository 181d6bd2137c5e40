//! Streams one export through the row rules of SPEC §2 and §8: month attribution first, then the
//! vendor, then the row's own checks, then the duplicate check, and hands each accepted row of the
//! month, once per id, to a [`RowSink`] (the month's tally). The reader counts rows; it adds
//! nothing up.

use super::dedup::{self, IdIndex, RowKey, Sighting};
use super::foreign::ForeignSource;
use super::pipeline::{self, Chunk, ChunkRecords, FileRead, RecordAt, Shape, Workers};
use super::profile::Profile;
use super::records::{self, Cells, Record, RowError};
use super::vendor::{RowCounts, VendorCtx, VendorSlot};
use super::{raw_row, Header, Reject, Role};
use crate::base::progress;
use crate::base::timestamp::{parse_timestamp, Instant, Month};
use crate::error::Result;
use chrono_tz::Tz;
use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::path::Path;

/// What reading a file needs to know about the run.
pub struct Setup<'a> {
    /// The contract time zone.
    pub tz: Tz,
    /// `[start, end)` of the settled month; `None` reads every row as in period (`check`
    /// without `--month`).
    pub month: Option<(Instant, Instant)>,
    /// Every declared vendor, in id order.
    pub vendors: &'a [VendorSlot<'a>],
    /// Whether `--vendor` narrows the run (rows of undeclared vendors are then skipped too).
    pub filtered: bool,
}

/// Where the reader hands the accepted rows of the month: each id once, in file order, after
/// the duplicate check. One sink takes one file's rows, on the thread that takes the file back.
pub trait RowSink: Send {
    /// Takes an accepted in-period row of vendor `vendor` (an index into [`Setup::vendors`]),
    /// read from physical `line`, with its `id` and parsed `record`.
    fn take(&mut self, vendor: usize, line: u64, id: &[u8], record: &Record);

    /// Called ahead of [`RowSink::take`] with the id hashes ([`dedup::id_hash`]) of rows about
    /// to be taken, so that what the sink will look up can be fetched from memory together.
    fn warm(&mut self, _hashes: &mut dyn Iterator<Item = u64>) {}
}

/// Makes the sink for each file read: a fresh one for every pass over the file.
pub trait Sinks: Sync {
    /// The sink of one file.
    type Sink: RowSink;

    /// A sink for the rows of a file of `role`.
    fn sink(&self, role: Role) -> Self::Sink;
}

/// The outcome of reading one file: the reader's counts and what its sink took.
#[derive(Debug)]
pub struct FileResult<S> {
    /// The role.
    pub role: Role,
    /// The path as given.
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// How each declared vendor's rows of this file were counted, in `Setup::vendors` order.
    pub counts: Vec<RowCounts>,
    /// What the sink took: the accepted rows of the month.
    pub sink: S,
    /// Every rejected row, in file order.
    pub rejects: Vec<Reject>,
    /// Rows of vendors skipped because the month is before their contract month, per vendor.
    pub before_contract: Vec<u64>,
    /// Rows of the month at or after the end of the vendor's contract, per vendor (counted as
    /// outside period too).
    pub after_end: Vec<u64>,
    /// Data rows in the file (not counting the header).
    pub rows: u64,
    /// Physical lines in the file (0 when the source cannot tell, e.g. a workbook).
    pub lines: u64,
    /// Lines inside records beyond their first (quoted cells holding line ends).
    pub continued: u64,
    /// Answer and end times of accepted calls written without seconds, and with them.
    pub minute_times: [u64; 2],
    /// Rows of the month naming a vendor rates.toml does not declare, skipped under
    /// `--vendor` (without it they are rejected), with the first few names seen.
    pub undeclared: (u64, Vec<String>),
    /// Records a mapping profile's `[[skip]]` filters set aside, per reason (foreign sources).
    pub skipped: Vec<(String, u64)>,
    /// Rows, of any vendor, whose period time falls in the settled month.
    pub in_month: u64,
    /// Rows, of any vendor, whose period time falls in another month, by month.
    pub other_months: Vec<(Month, u64)>,
    /// Rows of other months naming no declared vendor.
    pub unattributed_outside: u64,
}

fn parse(
    role: Role,
    cells: &Cells,
    tz: Tz,
    ctx: &VendorCtx,
    h: &mut impl Hasher,
) -> Result<Record, RowError> {
    Ok(match role {
        Role::Calls => Record::Call(records::parse_call(cells, tz, ctx, h)?),
        Role::Tickets => Record::Ticket(records::parse_ticket(cells, tz, h)?),
        Role::Surveys => Record::Survey(records::parse_survey(cells, tz, h)?),
        Role::Orders => Record::Order(records::parse_order(cells, tz, h)?),
        Role::Incidents | Role::Claim | Role::ClaimRecords => {
            unreachable!("the register and claims are not read by the month's pipeline")
        }
    })
}

/// Where a mapped export's rows come from: a foreign export read through a profile
/// ([`ForeignSource`]).
pub trait RowSource {
    /// Where each canonical column sits in the records handed out.
    fn header(&self) -> &Header;
    /// Reads the next row into `record`; `None` after the last.
    fn next_row(&mut self, record: &mut csv::ByteRecord) -> Result<Option<SourceRow>>;
    /// SHA-256 of the file's bytes (complete once every row has been read).
    fn sha256(&self) -> String;
}

/// What a source says about the row it handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// The physical line (or sheet row) the row starts on.
    pub line: u64,
    /// The physical line it ends on: later than `line` when a quoted cell holds line ends.
    pub last_line: u64,
    /// Its quotes do not balance (a quoted cell that never closes, or a stray quote).
    pub unbalanced: bool,
    /// Whether a record may run over several lines (a profile's `multiline = true`).
    pub multiline: bool,
    /// Further source rows folded into this one (legs of one call, queue-log events); they
    /// count as duplicates of it.
    pub folded: u64,
    /// Why the row could not be mapped, if it could not (it is then rejected).
    pub error: Option<RowError>,
}

impl SourceRow {
    /// A row of a canonical CSV on `line`.
    pub fn at(line: u64) -> SourceRow {
        SourceRow {
            line,
            last_line: line,
            unbalanced: false,
            multiline: false,
            folded: 0,
            error: None,
        }
    }

    /// What is wrong with the row's shape, if anything: a record of a one-line layout running
    /// over several lines (a stray quote swallowing the lines after it), or quotes that do not
    /// balance. Judged before anything else of the row (SPEC §8).
    pub fn shape_problem(&self) -> Option<String> {
        if self.last_line > self.line && !self.multiline {
            Some(format!(
                "a quoted cell runs from line {} to line {}: unbalanced quote? (a record of this layout stays on one line)",
                self.line, self.last_line
            ))
        } else if self.unbalanced {
            Some(
                "unbalanced quote: a `\"` opens a quoted cell that never closes, or stands inside a cell; quote whole cells and double a quote inside one"
                    .to_string(),
            )
        } else {
            None
        }
    }

    /// A record of a canonical CSV with the shape the reader found.
    pub fn shaped(shape: Shape) -> SourceRow {
        SourceRow {
            last_line: shape.last_line,
            unbalanced: shape.unbalanced,
            ..SourceRow::at(shape.line)
        }
    }
}

/// One input of a run: its role, its file, and the profile it is read through (none for a
/// canonical CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Which export.
    pub role: Role,
    /// The file as given.
    pub path: std::path::PathBuf,
    /// The mapping profile of a foreign export, with the vendor filled in when the run gave it.
    pub profile: Option<Profile>,
}

impl InputFile {
    /// The input of `role` at `path`, read through `profile`; a workbook (`.xlsx`) given
    /// without one is read in the canonical layout ([`Profile::canonical_xlsx`]).
    pub fn new(role: Role, path: std::path::PathBuf, profile: Option<Profile>) -> InputFile {
        let is_xlsx = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let profile = profile.or_else(|| is_xlsx.then(|| Profile::canonical_xlsx(role)));
        InputFile {
            role,
            // Recorded as read: `./data/calls.csv` and `data/calls.csv` are one file.
            path: crate::base::files::lexical(&path),
            profile,
        }
    }

    /// The profile a statement records: none for a canonical CSV or workbook.
    pub fn recorded_profile(&self) -> Option<&Profile> {
        self.profile.as_ref().filter(|p| !p.optional_absent)
    }
}

/// Rows of a mapped export judged between two trips through the duplicate check.
const FOREIGN_BATCH: usize = 4096;

/// Reads a foreign export through its profile, on the calling thread, by the same row rules
/// and duplicate check as a canonical file. Mapped rows cannot be read back by byte offset, so
/// the exact key of each accepted row is kept for the comparison a repeated id hash needs.
pub fn read_foreign<K: Sinks>(
    input: &InputFile,
    profile: &Profile,
    setup: &Setup,
    sinks: &K,
) -> Result<FileResult<K::Sink>> {
    in_passes(|conflicts| {
        read_foreign_pass(input, profile, setup, sinks.sink(input.role), conflicts)
    })
}

fn read_foreign_pass<S: RowSink>(
    input: &InputFile,
    profile: &Profile,
    setup: &Setup,
    sink: S,
    conflicts: HashSet<Box<[u8]>>,
) -> Result<Pass<S>> {
    let role = input.role;
    let shown = input.path.display().to_string();
    let source = ForeignSource::open(&input.path, profile, setup.tz)?;
    let ctx = FileCtx {
        role,
        shown: shown.clone(),
        header: source.header().clone(),
        setup,
        conflicts,
        size: 0,
    };
    let mut taken = Taken::new(role, &shown, setup, sink);
    let mut keys = KeyArena::default();
    let mut values = Recorder(Vec::with_capacity(128));
    // Two stages on two threads: one reads and maps the source (decoding, times, grouping),
    // the other judges the mapped rows and takes them in order. Batches go round between them,
    // so their records are reused rather than allocated per row.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Result<MappedBatch>>(2);
    let (free_tx, free_rx) = std::sync::mpsc::channel::<MappedBatch>();
    let (source, taking) = std::thread::scope(|scope| {
        let mapping = std::thread::Builder::new()
            .name(format!("map-{}", role.as_str()))
            .spawn_scoped(scope, move || {
                let mut source = source;
                loop {
                    let mut batch = free_rx.try_recv().unwrap_or_default();
                    let filled = batch.fill(&mut source);
                    let last = !matches!(filled, Ok(true));
                    if full_tx.send(filled.map(|_| batch)).is_err() || last {
                        return source;
                    }
                }
            })
            .expect("spawn the mapping thread");
        let taking = (|| -> Result<()> {
            for batch in full_rx.iter() {
                let batch = batch?;
                let mut scanned = Scanned::new(setup.vendors.len(), 0);
                for (row, record) in batch.rows.iter().zip(&batch.records) {
                    values.0.clear();
                    if let Judged::Accepted { vendor, id, record } =
                        judge(&ctx, record, row, &mut scanned, &mut values)
                    {
                        // A mapped row's place is its sequence number among the accepted rows.
                        let seq = keys.push(id, &values.0);
                        let at = scanned.ids.len();
                        scanned.ids.extend_from_slice(id);
                        scanned.accepted.push(Accepted {
                            vendor,
                            line: row.line,
                            offset: seq,
                            hash: dedup::id_hash(id),
                            at,
                            len: id.len(),
                            record,
                        });
                    }
                }
                taken.take(&ctx, scanned, &mut |at| Ok(keys.get(at)))?;
                // The mapping thread may be done already: the batch is then dropped.
                let _ = free_tx.send(batch);
            }
            Ok(())
        })();
        // An early error drops the receiver, which stops the mapping thread at its next batch.
        drop(full_rx);
        (mapping.join().expect("the mapping thread panicked"), taking)
    });
    taking?;
    let mut pass = finish(
        taken,
        FileRead {
            sha256: source.sha256(),
            lines: 0,
        },
    );
    if let Pass::Done(r) = &mut pass {
        r.skipped = source.notes().skipped.clone();
    }
    Ok(pass)
}

/// Up to [`FOREIGN_BATCH`] mapped rows of a profiled source, handed from the thread that maps
/// them to the one that takes them.
#[derive(Default)]
struct MappedBatch {
    rows: Vec<SourceRow>,
    /// One canonical record per row; records beyond `rows.len()` are spare, kept for reuse.
    records: Vec<csv::ByteRecord>,
}

impl MappedBatch {
    /// Empties the batch and fills it from `source`; `Ok(false)` when the source ended.
    fn fill(&mut self, source: &mut ForeignSource) -> Result<bool> {
        self.rows.clear();
        while self.rows.len() < FOREIGN_BATCH {
            let n = self.rows.len();
            if self.records.len() == n {
                self.records.push(csv::ByteRecord::new());
            }
            match source.next_row(&mut self.records[n])? {
                Some(row) => self.rows.push(row),
                None => return Ok(false),
            }
        }
        Ok(true)
    }
}

/// Reads one canonical export, its chunks of about `chunk_bytes` parsed on `workers`. The
/// result is the same whatever the workers and the chunk size.
pub fn read_file_on<'e, K: Sinks>(
    role: Role,
    path: &Path,
    setup: &'e Setup<'e>,
    sinks: &K,
    workers: &Workers<'e>,
    chunk_bytes: usize,
) -> Result<FileResult<K::Sink>> {
    in_passes(|conflicts| {
        let sink = sinks.sink(role);
        read_pass(role, path, setup, sink, conflicts, workers, chunk_bytes)
    })
}

/// Runs `pass` once, and again with the conflicting ids it found: two rows sharing an id with
/// different cells reject each other, and the second pass makes sure no earlier row of such an
/// id is counted.
fn in_passes<S>(
    mut pass: impl FnMut(HashSet<Box<[u8]>>) -> Result<Pass<S>>,
) -> Result<FileResult<S>> {
    match pass(HashSet::new())? {
        Pass::Done(r) => Ok(*r),
        Pass::Conflicts(conflicts, sha256) => match pass(conflicts)? {
            Pass::Done(mut r) => {
                r.sha256 = sha256;
                Ok(*r)
            }
            Pass::Conflicts(..) => unreachable!("known conflicts are rejected, not re-detected"),
        },
    }
}

enum Pass<S> {
    Done(Box<FileResult<S>>),
    Conflicts(HashSet<Box<[u8]>>, String),
}

fn read_pass<'e, S: RowSink>(
    role: Role,
    path: &Path,
    setup: &'e Setup<'e>,
    sink: S,
    conflicts: HashSet<Box<[u8]>>,
    workers: &Workers<'e>,
    chunk_bytes: usize,
) -> Result<Pass<S>> {
    let shown = path.display().to_string();
    let mut taken = Taken::new(role, &shown, setup, sink);
    let mut back = ReadBack {
        at: RecordAt::new(path),
        record: csv::ByteRecord::new(),
        sink: None,
    };
    let read = pipeline::read_chunks(
        path,
        workers,
        chunk_bytes,
        |record, size| {
            Ok(FileCtx {
                role,
                header: Header::map(role, record, &shown)?,
                shown: shown.clone(),
                setup,
                conflicts,
                size,
            })
        },
        scan,
        |ctx, scanned| taken.take(ctx, scanned?, &mut |at| read_back(ctx, &mut back, at)),
    )?;
    Ok(finish(taken, read))
}

/// The end of a pass: the reasons of known conflicts list every line of their id; a pass that
/// found new conflicts asks for another.
fn finish<S: RowSink>(taken: Taken<S>, read: FileRead) -> Pass<S> {
    let FileRead { sha256, lines } = read;
    let Taken {
        mut out,
        found,
        conflict_rows,
        conflict_lines,
        bad_lines,
        ..
    } = taken;
    for (at, id) in conflict_rows {
        let mut lines = conflict_lines[&id].clone();
        lines.extend(bad_lines.get(&id).into_iter().flatten());
        lines.sort_unstable();
        lines.dedup();
        let list = lines
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        out.rejects[at].reason = format!(
            "id `{}` appears on lines {list} with different cells; correct the export so one row remains",
            String::from_utf8_lossy(&id)
        );
    }
    if !found.is_empty() {
        // Every row of a conflicting id is rejected on the second pass.
        return Pass::Conflicts(found, sha256);
    }
    out.sha256 = sha256;
    out.lines = lines;
    Pass::Done(Box::new(out))
}

/// What judging the rows of a file needs, fixed once its header is read.
struct FileCtx<'a> {
    role: Role,
    shown: String,
    header: Header,
    setup: &'a Setup<'a>,
    /// Ids found on rows with different cells: all their rows are rejected.
    conflicts: HashSet<Box<[u8]>>,
    /// The file's size in bytes.
    size: u64,
}

/// An accepted in-period row of a chunk, still to go through the duplicate check.
struct Accepted {
    vendor: usize,
    line: u64,
    /// Byte offset in the file where the parser placed the record.
    offset: u64,
    /// [`dedup::id_hash`] of the id.
    hash: u64,
    /// The id: `len` bytes at `at` in [`Scanned::ids`].
    at: usize,
    len: usize,
    record: Record,
}

/// The rows of one chunk, judged by the row rules (everything before the duplicate check).
struct Scanned {
    /// Bytes in the chunk.
    bytes: usize,
    rows: u64,
    /// Lines inside records beyond their first.
    continued: u64,
    minute_times: [u64; 2],
    undeclared: (u64, Vec<String>),
    in_month: u64,
    other_months: Vec<(Month, u64)>,
    unattributed_outside: u64,
    before_contract: Vec<u64>,
    after_end: Vec<u64>,
    /// This role's counts of each vendor, duplicates and accepted rows aside.
    counts: Vec<RowCounts>,
    /// Rejected rows, in file order.
    rejects: Vec<Reject>,
    /// Rejects (index into `rejects`) of rows whose id is a known conflict, with the id.
    conflicted: Vec<(usize, Box<[u8]>)>,
    /// Ids (with the line) of rows rejected for a reason of their own once the id was read: a
    /// good row of the same id must not survive beside them (SPEC §8).
    bad_ids: Vec<(Box<[u8]>, u64)>,
    /// Accepted rows, in file order.
    accepted: Vec<Accepted>,
    /// Their ids, end to end.
    ids: Vec<u8>,
}

impl Scanned {
    fn new(vendors: usize, bytes: usize) -> Self {
        Scanned {
            bytes,
            rows: 0,
            continued: 0,
            minute_times: [0; 2],
            undeclared: (0, Vec::new()),
            in_month: 0,
            other_months: Vec::new(),
            unattributed_outside: 0,
            before_contract: vec![0; vendors],
            after_end: vec![0; vendors],
            counts: vec![RowCounts::default(); vendors],
            rejects: Vec::new(),
            conflicted: Vec::new(),
            bad_ids: Vec::new(),
            accepted: Vec::new(),
            ids: Vec::new(),
        }
    }

    fn reject(
        &mut self,
        ctx: &FileCtx,
        record: &csv::ByteRecord,
        line: u64,
        column: &str,
        reason: String,
        vendor: Option<usize>,
    ) {
        if let Some(v) = vendor {
            self.counts[v].rows += 1;
            self.counts[v].rejected += 1;
        }
        self.rejects.push(Reject {
            file: ctx.shown.clone(),
            line,
            column: column.to_string(),
            reason,
            raw: raw_row(record),
            vendor,
        });
    }
}

/// A hasher that keeps nothing: parsing for the tally needs no fingerprint, the duplicate check
/// compares rows exactly ([`Recorder`]).
struct Discard;

impl Hasher for Discard {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, _: &[u8]) {}
}

/// A hasher that records what is fed to it: the parsed values of a row as one byte string,
/// equal for two rows exactly when their values are.
#[derive(Default)]
struct Recorder(Vec<u8>);

impl Hasher for Recorder {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// The exact keys (id and parsed values) of a mapped source's accepted rows, by sequence
/// number, in two flat buffers: what the duplicate check reads back when an id's hash is seen
/// again, without an allocation per row.
#[derive(Default)]
struct KeyArena {
    ids: Vec<u8>,
    values: Vec<u8>,
    /// Where each row's id and values end in the buffers.
    ends: Vec<(usize, usize)>,
}

impl KeyArena {
    /// Keeps a row's key; returns its sequence number.
    fn push(&mut self, id: &[u8], values: &[u8]) -> u64 {
        self.ids.extend_from_slice(id);
        self.values.extend_from_slice(values);
        self.ends.push((self.ids.len(), self.values.len()));
        self.ends.len() as u64 - 1
    }

    /// The key of row `seq`.
    fn get(&self, seq: u64) -> RowKey {
        let at = seq as usize;
        let (id_start, values_start) = match at {
            0 => (0, 0),
            _ => self.ends[at - 1],
        };
        let (id_end, values_end) = self.ends[at];
        RowKey {
            id: self.ids[id_start..id_end].to_vec(),
            values: self.values[values_start..values_end].to_vec(),
        }
    }
}

/// How a row came out of the row rules.
enum Judged<'r> {
    /// Counted in `Scanned` already: outside the period, skipped or rejected.
    Done,
    /// Accepted, still to go through the duplicate check.
    Accepted {
        vendor: usize,
        id: &'r [u8],
        record: Record,
    },
}

/// The row rules of SPEC §8, in order: month attribution first, then the vendor, then the row's
/// own checks. `values` receives the parsed values of the known columns and the vendor.
fn judge<'r>(
    ctx: &'r FileCtx,
    record: &'r csv::ByteRecord,
    row: &SourceRow,
    out: &mut Scanned,
    values: &mut impl Hasher,
) -> Judged<'r> {
    let setup = ctx.setup;
    let columns = ctx.role.columns();
    let line = row.line;
    out.rows += 1 + row.folded;
    let cells = Cells::new(record, &ctx.header, columns);
    let vendor_cell = cells.get(1);
    let vendor = setup
        .vendors
        .iter()
        .position(|v| v.id.as_bytes() == vendor_cell);

    // The record's shape and its cell count are judged before the month (SPEC §8): a stray
    // quote that swallows the rest of the file must never pass as one row of another month.
    out.continued += row.last_line - row.line;
    let shape = if let Some(problem) = row.shape_problem() {
        Some(problem)
    } else if record.len() != ctx.header.width {
        Some(format!(
            "has {} fields, the header has {}",
            record.len(),
            ctx.header.width
        ))
    } else {
        None
    };
    if let Some(reason) = shape {
        match vendor {
            Some(v) if !setup.vendors[v].selected => {}
            Some(v) if !setup.vendors[v].in_contract => out.before_contract[v] += 1 + row.folded,
            Some(v) => out.reject(ctx, record, line, "(row)", reason, Some(v)),
            None => out.reject(ctx, record, line, "(row)", reason, None),
        }
        return Judged::Done;
    }

    // The month check comes next (SPEC §8).
    if let Some((start, end)) = setup.month {
        let period = ctx.role.period_column();
        if let Ok(at) = parse_timestamp(cells.get(period), setup.tz) {
            cells.remember_timestamp(period, at);
            let after_end = vendor
                .and_then(|v| setup.vendors[v].ends)
                .is_some_and(|e| at >= e);
            if at < start || at >= end {
                add_month(&mut out.other_months, Month::of(at.local_date(setup.tz)), 1);
            } else {
                out.in_month += 1;
            }
            if at < start || at >= end || after_end {
                match vendor {
                    Some(v) if setup.vendors[v].selected => {
                        let c = &mut out.counts[v];
                        c.rows += 1 + row.folded;
                        c.outside_period += 1;
                        c.duplicates += row.folded;
                        if after_end && at < end && at >= start {
                            out.after_end[v] += 1;
                        }
                    }
                    Some(_) => {}
                    None if setup.filtered => {}
                    None => out.unattributed_outside += 1,
                }
                return Judged::Done;
            }
        }
    }

    let v = match vendor {
        None if vendor_cell.is_empty() => {
            out.reject(
                ctx,
                record,
                line,
                "vendor",
                "required value is empty".into(),
                None,
            );
            return Judged::Done;
        }
        None if setup.filtered => {
            // Skipped, not rejected, under --vendor; counted, so a misspelt vendor is seen.
            out.undeclared.0 += 1;
            if out.undeclared.1.len() < UNDECLARED_NAMES {
                note_name(
                    &mut out.undeclared.1,
                    String::from_utf8_lossy(vendor_cell).into_owned(),
                );
            }
            return Judged::Done;
        }
        None => {
            let reason = format!(
                "`{}` is not declared in rates.toml (declare it under [vendors] or fix the export)",
                String::from_utf8_lossy(vendor_cell)
            );
            out.reject(ctx, record, line, "vendor", reason, None);
            return Judged::Done;
        }
        Some(v) => v,
    };
    let slot = &setup.vendors[v];
    if !slot.selected {
        return Judged::Done;
    }
    if !slot.in_contract {
        out.before_contract[v] += 1 + row.folded;
        return Judged::Done;
    }
    if row.folded > 0 {
        // Source rows folded into this one (legs of a call, queue-log events) count as its
        // duplicates, whatever becomes of it.
        out.counts[v].rows += row.folded;
        out.counts[v].duplicates += row.folded;
    }
    if let Some(e) = &row.error {
        out.reject(ctx, record, line, &e.column, e.reason.to_string(), Some(v));
        return Judged::Done;
    }
    let id = match cells.required(0) {
        Ok(id) => id,
        Err(e) => {
            out.reject(ctx, record, line, &e.column, e.reason.into_owned(), Some(v));
            return Judged::Done;
        }
    };
    if std::str::from_utf8(id).is_err() {
        let reason = "not valid UTF-8 (save the file as UTF-8)".into();
        out.reject(ctx, record, line, columns[0].0, reason, Some(v));
        return Judged::Done;
    }
    let parsed = match parse(ctx.role, &cells, setup.tz, &slot.ctx, values) {
        Ok(r) => r,
        Err(e) => {
            out.bad_ids.push((id.into(), line));
            out.reject(ctx, record, line, &e.column, e.reason.into_owned(), Some(v));
            return Judged::Done;
        }
    };
    values.write_usize(v);
    if ctx.role == Role::Calls {
        // Spreadsheets save times to the minute: second-level thresholds cannot be judged.
        for i in [6, 7] {
            let cell = cells.get(i);
            if !cell.is_empty() {
                out.minute_times[usize::from(has_seconds(cell))] += 1;
            }
        }
    }
    if !ctx.conflicts.is_empty() && ctx.conflicts.contains(id) {
        // The reason lists every line of the id; it is filled in once the pass has seen them
        // all (exact repeats of the first row included).
        out.conflicted.push((out.rejects.len(), id.into()));
        out.reject(ctx, record, line, columns[0].0, String::new(), Some(v));
        return Judged::Done;
    }
    Judged::Accepted {
        vendor: v,
        id,
        record: parsed,
    }
}

/// Whether a timestamp cell that parsed writes its seconds (`2026-10-12 10:00:05`, not
/// `2026-10-12 10:00` or `2026-10-12T10:00+08:00`).
fn has_seconds(cell: &[u8]) -> bool {
    cell.get(16) == Some(&b':')
}

/// How many undeclared vendor names a run reports.
const UNDECLARED_NAMES: usize = 5;

/// Adds `name` to the short list of undeclared vendor names, once.
fn note_name(names: &mut Vec<String>, name: String) {
    if names.len() < UNDECLARED_NAMES && !names.contains(&name) {
        names.push(name);
    }
}

/// Counts `n` rows of month `m` in a short list kept in month order.
fn add_month(list: &mut Vec<(Month, u64)>, m: Month, n: u64) {
    match list.binary_search_by_key(&m, |(x, _)| *x) {
        Ok(i) => list[i].1 += n,
        Err(i) => list.insert(i, (m, n)),
    }
}

/// Judges every row of a chunk (on a worker thread).
fn scan(ctx: &FileCtx, chunk: &Chunk) -> Result<Scanned> {
    let mut out = Scanned::new(ctx.setup.vendors.len(), chunk.bytes.len());
    // Rows are rarely shorter than this; sizing once spares growing the lists row by row.
    out.accepted.reserve(chunk.bytes.len() / 64);
    out.ids.reserve(chunk.bytes.len() / 8);
    let mut records = ChunkRecords::new(chunk);
    let mut record = csv::ByteRecord::new();
    let path = Path::new(&ctx.shown);
    while let Some((start, shape)) = records.next_into(&mut record, path)? {
        let line = shape.line;
        if let Judged::Accepted { vendor, id, record } = judge(
            ctx,
            &record,
            &SourceRow::shaped(shape),
            &mut out,
            &mut Discard,
        ) {
            let at = out.ids.len();
            out.ids.extend_from_slice(id);
            out.accepted.push(Accepted {
                vendor,
                line,
                offset: chunk.offset + start as u64,
                hash: dedup::id_hash(id),
                at,
                len: id.len(),
                record,
            });
        }
    }
    Ok(out)
}

/// Reads the accepted row at byte `offset` of the file again, for the exact comparison of the
/// duplicate check.
fn read_back(ctx: &FileCtx, back: &mut ReadBack, offset: u64) -> Result<RowKey> {
    let ReadBack { at, record, sink } = back;
    at.read(offset, record)?;
    let sink = sink.get_or_insert_with(|| Scanned::new(ctx.setup.vendors.len(), 0));
    let mut values = Recorder(Vec::with_capacity(128));
    match judge(ctx, record, &SourceRow::at(0), sink, &mut values) {
        Judged::Accepted { id, .. } => Ok(RowKey {
            id: id.to_vec(),
            values: values.0,
        }),
        Judged::Done => Err(at.changed()),
    }
}

/// What reading rows back for the duplicate check reuses from one row to the next: the reader,
/// the record, and a sink for the counts judging a row writes (ignored).
struct ReadBack {
    at: RecordAt,
    record: csv::ByteRecord,
    sink: Option<Scanned>,
}

/// How many accepted rows' slots of the duplicate index are fetched together.
const WARM_AHEAD: usize = 16;

/// The chunks of one pass taken back in file order: the duplicate check, then the tally.
struct Taken<S> {
    out: FileResult<S>,
    /// The accepted ids: the only state that grows with rows.
    index: IdIndex,
    /// Ids found on rows with different cells (first pass).
    found: HashSet<Box<[u8]>>,
    /// Rejects (index into `out.rejects`) of a known conflict, with the id.
    conflict_rows: Vec<(usize, Box<[u8]>)>,
    /// Lines of each known conflict.
    conflict_lines: HashMap<Box<[u8]>, Vec<u64>>,
    /// Lines of rows rejected for a reason of their own, by id.
    bad_lines: HashMap<Box<[u8]>, Vec<u64>>,
}

impl<S: RowSink> Taken<S> {
    fn new(role: Role, shown: &str, setup: &Setup, sink: S) -> Self {
        Taken {
            out: FileResult {
                role,
                path: shown.to_string(),
                sha256: String::new(),
                counts: vec![RowCounts::default(); setup.vendors.len()],
                sink,
                rejects: Vec::new(),
                before_contract: vec![0; setup.vendors.len()],
                after_end: vec![0; setup.vendors.len()],
                rows: 0,
                lines: 0,
                continued: 0,
                minute_times: [0; 2],
                undeclared: (0, Vec::new()),
                skipped: Vec::new(),
                in_month: 0,
                other_months: Vec::new(),
                unattributed_outside: 0,
            },
            index: IdIndex::new(),
            found: HashSet::new(),
            conflict_rows: Vec::new(),
            conflict_lines: HashMap::new(),
            bad_lines: HashMap::new(),
        }
    }

    fn take(
        &mut self,
        ctx: &FileCtx,
        s: Scanned,
        read_back: &mut dyn FnMut(u64) -> Result<RowKey>,
    ) -> Result<()> {
        let out = &mut self.out;
        if out.rows == 0 && s.bytes > 0 {
            // Size the index for the whole file at once, from the rows of its first chunk.
            let estimate = ctx.size as u128 * u128::from(s.rows) / s.bytes as u128;
            self.index.fit(ctx.size);
            self.index.reserve(estimate.min(1 << 32) as usize);
        }
        progress::add_rows(s.rows);
        out.rows += s.rows;
        out.continued += s.continued;
        out.in_month += s.in_month;
        out.minute_times[0] += s.minute_times[0];
        out.minute_times[1] += s.minute_times[1];
        out.undeclared.0 += s.undeclared.0;
        for name in s.undeclared.1 {
            note_name(&mut out.undeclared.1, name);
        }
        for (m, n) in s.other_months {
            add_month(&mut out.other_months, m, n);
        }
        out.unattributed_outside += s.unattributed_outside;
        for (v, (n, c)) in s.before_contract.iter().zip(&s.counts).enumerate() {
            out.before_contract[v] += n;
            out.after_end[v] += s.after_end[v];
            let t = &mut out.counts[v];
            t.rows += c.rows;
            t.outside_period += c.outside_period;
            t.duplicates += c.duplicates;
            t.rejected += c.rejected;
        }
        for (at, id) in s.conflicted {
            let line = s.rejects[at].line;
            self.conflict_lines
                .entry(id.clone())
                .or_default()
                .push(line);
            self.conflict_rows.push((out.rejects.len() + at, id));
        }
        for (id, line) in s.bad_ids {
            // On the first pass a bad row's id becomes a conflict: any good row of it is then
            // rejected on the second.
            if !ctx.conflicts.contains(&id) && !self.found.contains(&id) {
                self.found.insert(id.clone());
            }
            self.bad_lines.entry(id).or_default().push(line);
        }
        out.rejects.extend(s.rejects);
        for (n, a) in s.accepted.iter().enumerate() {
            if n % WARM_AHEAD == 0 {
                let ahead = s.accepted[n..].iter().take(WARM_AHEAD);
                self.index.warm(ahead.clone().map(|a| a.hash));
                out.sink.warm(&mut ahead.map(|a| a.hash));
            }
            let id = &s.ids[a.at..a.at + a.len];
            match self.index.sight(a.hash, id, a.offset, read_back)? {
                Sighting::First => {
                    let c = &mut out.counts[a.vendor];
                    c.rows += 1;
                    c.in_period += 1;
                    out.sink.take(a.vendor, a.line, id, &a.record);
                }
                Sighting::Duplicate => {
                    let c = &mut out.counts[a.vendor];
                    c.rows += 1;
                    c.duplicates += 1;
                }
                Sighting::Conflict => {
                    if !self.found.contains(id) {
                        self.found.insert(id.into());
                    }
                }
            }
        }
        Ok(())
    }
}
