//! The row rules of SPEC §8, row by row: month attribution first, then the vendor, then the row's
//! own checks. What comes out is counted ([`Scanned`]) or accepted, still to go through the
//! duplicate check (`ingest.rs`).

use super::dedup;
use super::fields::Fields;
use super::ingest::Setup;
use super::pipeline::{Chunk, ChunkRecords};
use super::records::{self, Cells, Record, RowError};
use super::source::SourceRow;
use super::vendor::{RowCounts, VendorCtx};
use super::{raw_row, Header, Reject, Role};
use crate::base::timestamp::{parse_timestamp, Month};
use crate::error::Result;
use chrono_tz::Tz;
use std::collections::HashSet;
use std::hash::Hasher;
use std::path::Path;

pub(super) fn parse(
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

/// What judging the rows of a file needs, fixed once its header is read.
pub(super) struct FileCtx<'a> {
    pub(super) role: Role,
    pub(super) shown: String,
    pub(super) header: Header,
    pub(super) setup: &'a Setup<'a>,
    /// Ids found on rows with different cells: all their rows are rejected.
    pub(super) conflicts: HashSet<Box<[u8]>>,
    /// The file's size in bytes.
    pub(super) size: u64,
    /// Threads the file is read on: the duplicate index asks for its memory on as many.
    pub(super) threads: usize,
}

/// An accepted in-period row of a chunk, still to go through the duplicate check.
pub(super) struct Accepted {
    pub(super) vendor: usize,
    pub(super) line: u64,
    /// Byte offset in the file where the parser placed the record.
    pub(super) offset: u64,
    /// [`dedup::id_hash`] of the id.
    pub(super) hash: u64,
    /// The id: `len` bytes at `at` in [`Scanned::ids`].
    pub(super) at: usize,
    pub(super) len: usize,
    pub(super) record: Record,
}

/// The rows of one chunk, judged by the row rules (everything before the duplicate check).
pub(super) struct Scanned {
    /// Bytes in the chunk.
    pub(super) bytes: usize,
    pub(super) rows: u64,
    /// Lines inside records beyond their first.
    pub(super) continued: u64,
    pub(super) minute_times: [u64; 2],
    pub(super) undeclared: (u64, Vec<String>),
    pub(super) in_month: u64,
    pub(super) other_months: Vec<(Month, u64)>,
    pub(super) unattributed_outside: u64,
    pub(super) before_contract: Vec<u64>,
    pub(super) after_end: Vec<u64>,
    /// This role's counts of each vendor, duplicates and accepted rows aside.
    pub(super) counts: Vec<RowCounts>,
    /// Rejected rows, in file order.
    pub(super) rejects: Vec<Reject>,
    /// Rejects (index into `rejects`) of rows whose id is a known conflict, with the id.
    pub(super) conflicted: Vec<(usize, Box<[u8]>)>,
    /// Ids (with the line) of rows rejected for a reason of their own once the id was read: a
    /// good row of the same id must not survive beside them (SPEC §8).
    pub(super) bad_ids: Vec<(Box<[u8]>, u64)>,
    /// Accepted rows, in file order.
    pub(super) accepted: Vec<Accepted>,
    /// Their ids, end to end.
    pub(super) ids: Vec<u8>,
}

impl Scanned {
    pub(super) fn new(vendors: usize, bytes: usize) -> Self {
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

    pub(super) fn reject(
        &mut self,
        ctx: &FileCtx,
        record: Fields,
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
pub(super) struct Discard;

impl Hasher for Discard {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, _: &[u8]) {}
}

/// A hasher that records what is fed to it: the parsed values of a row as one byte string,
/// equal for two rows exactly when their values are. Lengths, vendor indexes and enum
/// discriminants (`usize`, `isize`) are written as LEB128 varints, one byte where they are
/// small, rather than eight: a mapped source keeps this string for every accepted row. Each
/// value's encoding ends on its own (varints, fixed widths, text closed by `0xff`), so two
/// records of the same type give equal strings exactly when their values are equal.
#[derive(Default)]
pub(super) struct Recorder(pub(super) Vec<u8>);

/// Appends `n` to `out` as a LEB128 varint: seven bits a byte, low bits first, the top bit set
/// on every byte but the last.
pub(super) fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The varint [`push_varint`] wrote at the start of `bytes`, and how many bytes it took.
pub(super) fn read_varint(bytes: &[u8]) -> (u64, usize) {
    let mut n = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        n |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return (n, i + 1);
        }
    }
    (n, bytes.len())
}

impl Hasher for Recorder {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn write_usize(&mut self, n: usize) {
        push_varint(&mut self.0, n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        // Zig-zag: small negative numbers stay small too.
        let n = n as i64;
        push_varint(&mut self.0, ((n << 1) ^ (n >> 63)) as u64);
    }
}

/// How a row came out of the row rules.
pub(super) enum Judged<'r> {
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
pub(super) fn judge<'r>(
    ctx: &'r FileCtx,
    record: Fields<'r>,
    row: &'r SourceRow,
    out: &mut Scanned,
    values: &mut impl Hasher,
) -> Judged<'r> {
    let setup = ctx.setup;
    let columns = ctx.role.columns();
    let line = row.line;
    out.rows += 1 + row.folded;
    let cells = Cells::new(record, &ctx.header, columns).with_times(&row.times);
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
        let at = match cells.known_timestamp(period) {
            Some(at) => Ok(at),
            None => parse_timestamp(cells.get(period), setup.tz),
        };
        if let Ok(at) = at {
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
    // Ids are mostly ASCII: that check is inlined, and only other bytes are decoded.
    if !id.is_ascii() && std::str::from_utf8(id).is_err() {
        let reason = records::NOT_UTF8.into();
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
pub(super) fn has_seconds(cell: &[u8]) -> bool {
    cell.get(16) == Some(&b':')
}

/// How many undeclared vendor names a run reports.
const UNDECLARED_NAMES: usize = 5;

/// Adds `name` to the short list of undeclared vendor names, once.
pub(super) fn note_name(names: &mut Vec<String>, name: String) {
    if names.len() < UNDECLARED_NAMES && !names.contains(&name) {
        names.push(name);
    }
}

/// Counts `n` rows of month `m` in a short list kept in month order.
pub(super) fn add_month(list: &mut Vec<(Month, u64)>, m: Month, n: u64) {
    match list.binary_search_by_key(&m, |(x, _)| *x) {
        Ok(i) => list[i].1 += n,
        Err(i) => list.insert(i, (m, n)),
    }
}

/// Judges every row of a chunk (on a worker thread).
pub(super) fn scan(ctx: &FileCtx, chunk: &Chunk) -> Result<Scanned> {
    let mut out = Scanned::new(ctx.setup.vendors.len(), chunk.bytes.len());
    // Rows are rarely shorter than this; sizing once spares growing the lists row by row.
    out.accepted.reserve(chunk.bytes.len() / 64);
    out.ids.reserve(chunk.bytes.len() / 8);
    let mut records = ChunkRecords::new(chunk);
    let path = Path::new(&ctx.shown);
    while let Some((start, shape, fields)) = records.next(path)? {
        let line = shape.line;
        if let Judged::Accepted { vendor, id, record } = judge(
            ctx,
            fields,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn recorded(v: impl Hash) -> Vec<u8> {
        let mut r = Recorder::default();
        v.hash(&mut r);
        r.0
    }

    #[test]
    fn values_are_recorded_with_small_numbers_in_one_byte() {
        // Option's discriminant (an isize, zig-zag 1 → 2), then the usize 3.
        assert_eq!(recorded(Some(3usize)), [2, 3]);
        assert_eq!(recorded(None::<usize>), [0]);
        // 300 = 0b10_0101100: low seven bits first, with the continuation bit.
        assert_eq!(recorded(300usize), [0xac, 0x02]);
        assert_eq!(recorded(-1isize), [1]);
        // Text is closed by 0xff; an i64 (an instant) keeps its eight bytes.
        assert_eq!(recorded("ab"), [b'a', b'b', 0xff]);
        assert_eq!(recorded(1i64).len(), 8);
    }

    #[test]
    fn recorded_values_are_equal_exactly_when_the_values_are() {
        let rows = [
            (Some(1usize), "家具", Some(5i64)),
            (Some(1), "家具", None),
            (None, "家具", Some(5)),
            (Some(129), "家具", Some(5)),
            (Some(1), "家", Some(5)),
            (Some(1), "", Some(5)),
        ];
        for a in &rows {
            for b in &rows {
                assert_eq!(recorded(a) == recorded(b), a == b, "{a:?} / {b:?}");
            }
        }
    }
}
