//! Streams one export through the row rules of SPEC §2 and §8: month attribution first, then the
//! vendor, then the row's own checks, then the duplicate check, and hands each accepted row of the
//! month, once per id, to a [`RowSink`] (the month's tally). The reader counts rows; it adds
//! nothing up.

use super::dedup::{self, IdIndex, RowKey, Sighting};
use super::foreign::{ForeignSource, MappedAt};
use super::judge::{
    add_month, judge, note_name, push_varint, read_varint, scan, Accepted, Discard, FileCtx,
    Judged, Recorder, Scanned,
};
use super::pipeline::{self, Absorb, FileRead, RecordAt, Workers};
use super::profile::Profile;
use super::records::Record;
use super::source::{InputFile, RowSource, SourceRow};
use super::vendor::{RowCounts, VendorSlot};
use super::{Header, Reject, Role};
use crate::base::progress;
use crate::base::timestamp::{Instant, Month};
use crate::base::word::Word;
use crate::error::Result;
use chrono_tz::Tz;
use std::collections::{HashMap, HashSet};
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

/// Rows of a mapped export judged between two trips through the duplicate check.
const FOREIGN_BATCH: usize = 4096;

/// Reads a foreign export through its profile, by the same row rules and duplicate check as a
/// canonical file. Where each row is one record of the file as it lies (a text export, not
/// transcoded, grouped nor a queue log), a repeated id hash reads both records again by their
/// byte offsets and maps them again, as a canonical file's are read again; other sources keep
/// the exact key of each accepted row for that comparison.
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
    let mut reread = source.reread();
    let ctx = FileCtx {
        role,
        shown: shown.clone(),
        header: source.header().clone(),
        setup,
        conflicts,
        // Read again by offset, the index is fitted to the file's size as a canonical file's.
        size: reread.as_ref().map_or(0, MappedAt::size),
        // A mapped export is read on a thread of its own, beside the workers.
        threads: 1,
    };
    let mut taken = Taken::new(role, &shown, setup, sink);
    let mut keys = KeyArena::default();
    let mut values = Recorder(Vec::with_capacity(128));
    let mut read_again = ReadAgain::default();
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
                // The bytes the batch spans size the duplicate index from the first batch.
                let spans = match (&reread, batch.rows.first(), batch.rows.last()) {
                    (Some(_), Some(first), Some(last)) if ctx.size > 0 => {
                        (last.offset - first.offset) as usize
                    }
                    _ => 0,
                };
                let mut scanned = Scanned::new(setup.vendors.len(), spans);
                for (row, record) in batch.rows.iter().zip(&batch.records) {
                    let judged = match reread {
                        Some(_) => judge(&ctx, record.into(), row, &mut scanned, &mut Discard),
                        None => {
                            values.0.clear();
                            judge(&ctx, record.into(), row, &mut scanned, &mut values)
                        }
                    };
                    if let Judged::Accepted { vendor, id, record } = judged {
                        // A row's place: its record's offset when it can be read again, else
                        // its sequence number among the accepted rows.
                        let offset = match reread {
                            Some(_) => row.offset,
                            None => keys.push(id, &values.0),
                        };
                        let at = scanned.ids.len();
                        scanned.ids.extend_from_slice(id);
                        scanned.accepted.push(Accepted {
                            vendor,
                            line: row.line,
                            offset,
                            hash: dedup::id_hash(id),
                            at,
                            len: id.len(),
                            record,
                        });
                    }
                }
                taken.take(&ctx, scanned, &mut |at| match &mut reread {
                    Some(mapped) => read_again.key(&ctx, mapped, at),
                    None => Ok(keys.get(at)),
                })?;
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
) -> Result<FileResult<K::Sink>>
where
    K::Sink: 'e,
{
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

fn read_pass<'e, S: RowSink + 'e>(
    role: Role,
    path: &Path,
    setup: &'e Setup<'e>,
    sink: S,
    conflicts: HashSet<Box<[u8]>>,
    workers: &Workers<'e>,
    chunk_bytes: usize,
) -> Result<Pass<S>> {
    let shown = path.display().to_string();
    let taking = TakeBack {
        taken: Taken::new(role, &shown, setup, sink),
        back: ReadBack {
            at: RecordAt::new(path),
            record: csv::ByteRecord::new(),
            sink: None,
        },
    };
    let (read, TakeBack { taken, .. }) = pipeline::read_chunks(
        path,
        workers,
        chunk_bytes,
        pipeline::Hashing::Sha256,
        |record, size| {
            Ok(FileCtx {
                role,
                header: Header::map(role, record, &shown)?,
                shown: shown.clone(),
                setup,
                conflicts,
                size,
                threads: workers.threads(),
            })
        },
        scan,
        taking,
    )?;
    Ok(finish(taken, read))
}

/// What takes a canonical file's chunks back in order: the duplicate check and the tally, with
/// the reader of rows for the check's exact comparison.
struct TakeBack<S> {
    taken: Taken<S>,
    back: ReadBack,
}

impl<S: RowSink> Absorb<FileCtx<'_>, Result<Scanned>> for TakeBack<S> {
    fn absorb(&mut self, ctx: &FileCtx<'_>, scanned: Result<Scanned>) -> Result<()> {
        let back = &mut self.back;
        self.taken
            .take(ctx, scanned?, &mut |at| read_back(ctx, back, at))
    }
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

/// The exact keys (id and parsed values) of a mapped source's accepted rows, by sequence
/// number, in one flat buffer: what the duplicate check reads back when an id's hash is seen
/// again, without an allocation per row. A row's key is its id's length (a LEB128 varint), the
/// id, then its values ([`Recorder`]); about 60 bytes a call, with its end.
#[derive(Default)]
struct KeyArena {
    keys: Vec<u8>,
    /// Where each row's key ends in `keys`.
    ends: Vec<u64>,
}

impl KeyArena {
    /// Keeps a row's key; returns its sequence number.
    fn push(&mut self, id: &[u8], values: &[u8]) -> u64 {
        push_varint(&mut self.keys, id.len() as u64);
        self.keys.extend_from_slice(id);
        self.keys.extend_from_slice(values);
        self.ends.push(self.keys.len() as u64);
        self.ends.len() as u64 - 1
    }

    /// The key of row `seq`.
    fn get(&self, seq: u64) -> RowKey {
        let at = seq as usize;
        let start = match at {
            0 => 0,
            _ => self.ends[at - 1] as usize,
        };
        let key = &self.keys[start..self.ends[at] as usize];
        let (len, read) = read_varint(key);
        let (id, values) = key[read..].split_at(len as usize);
        RowKey {
            id: id.to_vec(),
            values: values.to_vec(),
        }
    }
}

/// Reads the accepted row at byte `offset` of the file again, for the exact comparison of the
/// duplicate check.
fn read_back(ctx: &FileCtx, back: &mut ReadBack, offset: u64) -> Result<RowKey> {
    let ReadBack { at, record, sink } = back;
    at.read(offset, record)?;
    exact_key(ctx, record, &SourceRow::at(0), sink).ok_or_else(|| at.changed())
}

/// The exact key (id and parsed values) of a row read again, judged as it was the first time;
/// `None` when it is no longer accepted. `sink` takes the counts judging writes (ignored).
fn exact_key(
    ctx: &FileCtx,
    record: &csv::ByteRecord,
    row: &SourceRow,
    sink: &mut Option<Scanned>,
) -> Option<RowKey> {
    let sink = sink.get_or_insert_with(|| Scanned::new(ctx.setup.vendors.len(), 0));
    let mut values = Recorder(Vec::with_capacity(128));
    match judge(ctx, record.into(), row, sink, &mut values) {
        Judged::Accepted { id, .. } => Some(RowKey {
            id: id.to_vec(),
            values: values.0,
        }),
        Judged::Done => None,
    }
}

/// What reading a mapped export's rows again for the duplicate check reuses from one row to the
/// next: the canonical record, and a sink for the counts judging a row writes (ignored).
#[derive(Default)]
struct ReadAgain {
    record: csv::ByteRecord,
    sink: Option<Scanned>,
}

impl ReadAgain {
    /// The exact key of the mapped row whose record starts at byte `offset`.
    fn key(&mut self, ctx: &FileCtx, mapped: &mut MappedAt, offset: u64) -> Result<RowKey> {
        let mut row = SourceRow::at(0);
        mapped.read(offset, &mut self.record, &mut row.times)?;
        exact_key(ctx, &self.record, &row, &mut self.sink).ok_or_else(|| mapped.changed())
    }
}

/// What reading rows back for the duplicate check reuses from one row to the next: the reader,
/// the record, and a sink for the counts judging a row writes (ignored).
struct ReadBack {
    at: RecordAt,
    record: csv::ByteRecord,
    sink: Option<Scanned>,
}

/// How many accepted rows' slots of the duplicate index are fetched together (with the slots in
/// huge pages, 8 measured faster than 4 and 16; BENCHMARKS.md, round six).
const WARM_AHEAD: usize = 8;

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
            self.index
                .reserve(estimate.min(1 << 32) as usize, ctx.threads);
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
                // The slots of the next batch are fetched while this one is checked, so their
                // fetches have a batch's work to complete in (the first batch fetches its own).
                let from = if n == 0 { 0 } else { n + WARM_AHEAD };
                let ahead = s.accepted.get(from..).unwrap_or_default();
                let ahead = ahead
                    .iter()
                    .take(if n == 0 { 2 * WARM_AHEAD } else { WARM_AHEAD });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapped_rows_key_is_read_back_as_kept() {
        let mut keys = KeyArena::default();
        let long = vec![b'x'; 200]; // a two-byte length
        let rows: [(&[u8], &[u8]); 4] = [
            (b"C1", &[1, 2, 3]),
            (&long, &[0xff]),
            (b"", &[]),
            (b"C2", &[9; 70]),
        ];
        for (seq, (id, values)) in rows.iter().enumerate() {
            assert_eq!(keys.push(id, values), seq as u64);
        }
        for (seq, (id, values)) in rows.iter().enumerate() {
            let key = keys.get(seq as u64);
            assert_eq!((key.id.as_slice(), key.values.as_slice()), (*id, *values));
        }
    }
}
