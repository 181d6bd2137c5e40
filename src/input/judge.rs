//! The row rules of SPEC §8, row by row: month attribution first, then the vendor, then the row's
//! own checks. What comes out is counted ([`Scanned`]) or accepted, still to go through the
//! duplicate check (`ingest.rs`).

use super::dedup;
use super::fields::Fields;
use super::ingest::Setup;
use super::pipeline::{Chunk, ChunkRecords};
use super::records::{self, Cells, InOrder, Record, RowCells, RowError};
use super::source::SourceRow;
use super::vendor::{RowCounts, VendorCtx};
use super::{raw_row, Header, Reject, Role};
use crate::base::timestamp::{parse_timestamp, Month};
use crate::error::Result;
use chrono_tz::Tz;
use std::collections::HashSet;
use std::hash::Hasher;
use std::path::Path;

pub(super) fn parse<'r>(
    role: Role,
    cells: &impl RowCells<'r>,
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

/// The row rules of [`judge`] for a line of a quote-free chunk of a file whose header is the
/// role's columns in order ([`Header::in_order`]), taken where every rule lets the row through:
/// a row of the month, of a vendor read in contract, whose cells all parse and whose id is
/// ASCII and no known conflict. Then the row is counted in `out` as [`judge`] counts it, and
/// its vendor, id and record come back. Anything else (`None`, nothing counted) goes to
/// [`judge`], which says what it is. The cells are read in place, by the same parsers.
#[inline(always)]
fn accept_in_order<'r>(
    ctx: &FileCtx,
    bytes: &'r [u8],
    bounds: &'r [(usize, usize)],
    out: &mut Scanned,
) -> Option<(usize, &'r [u8], Record)> {
    let setup = ctx.setup;
    let (start, end) = setup.month?;
    let mut cells = InOrder::new(bytes, bounds, ctx.role.columns())?;
    let vendor_cell = cells.get(1);
    let v = setup
        .vendors
        .iter()
        .position(|v| v.id.as_bytes() == vendor_cell)?;
    let slot = &setup.vendors[v];
    if !slot.selected || !slot.in_contract {
        return None;
    }
    let period = ctx.role.period_column();
    let at = parse_timestamp(cells.get(period), setup.tz).ok()?;
    if at < start || at >= end || slot.ends.is_some_and(|e| at >= e) {
        return None;
    }
    cells.remember_timestamp(period, at);
    let id = cells.get(0);
    if id.is_empty() || !id.is_ascii() || (!ctx.conflicts.is_empty() && ctx.conflicts.contains(id))
    {
        return None;
    }
    let record = parse(ctx.role, &cells, setup.tz, &slot.ctx, &mut Discard).ok()?;
    out.rows += 1;
    out.in_month += 1;
    if ctx.role == Role::Calls {
        for i in [6, 7] {
            let cell = cells.get(i);
            if !cell.is_empty() {
                out.minute_times[usize::from(has_seconds(cell))] += 1;
            }
        }
    }
    Some((v, id, record))
}

/// Judges every row of a chunk (on a worker thread).
pub(super) fn scan(ctx: &FileCtx, chunk: &Chunk) -> Result<Scanned> {
    scan_rows(ctx, chunk, ctx.header.in_order())
}

/// Judges every row of a chunk; where `in_order` (the file's header is the role's columns in
/// order), a quote-free chunk's rows that pass every rule are taken by [`accept_in_order`].
fn scan_rows(ctx: &FileCtx, chunk: &Chunk, in_order: bool) -> Result<Scanned> {
    let mut out = Scanned::new(ctx.setup.vendors.len(), chunk.bytes.len());
    // Rows are rarely shorter than this; sizing once spares growing the lists row by row.
    out.accepted.reserve(chunk.bytes.len() / 64);
    out.ids.reserve(chunk.bytes.len() / 8);
    let mut records = ChunkRecords::new(chunk);
    let path = Path::new(&ctx.shown);
    while let Some((start, shape, fields)) = records.next(path)? {
        let line = shape.line;
        let quick = match fields {
            Fields::Split { bytes, bounds } if in_order => {
                accept_in_order(ctx, bytes, bounds, &mut out)
            }
            _ => None,
        };
        let row;
        let (vendor, id, record) = match quick {
            Some(accepted) => accepted,
            None => {
                row = SourceRow::shaped(shape);
                match judge(ctx, fields, &row, &mut out, &mut Discard) {
                    Judged::Accepted { vendor, id, record } => (vendor, id, record),
                    Judged::Done => continue,
                }
            }
        };
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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::timestamp::start_of_day;
    use crate::contract::rates::Rates;
    use crate::input::vendor::VendorSlot;
    use proptest::prelude::*;
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

    /// Cells each column of a role's rows is drawn from: good ones in the forms the files hold,
    /// and ones each rule refuses (padded, empty, of another month, misspelt, out of order).
    fn candidates(role: Role) -> Vec<Vec<&'static [u8]>> {
        let ids: Vec<&[u8]> = vec![b"X1", b"X2", b"X3", b" X4", b"", b"X\xc3\xa95", b"X\xff"];
        let vendors: Vec<&[u8]> = vec![b"acme", b"brightline", b"acme ", b"ACME", b"nobody", b""];
        let times: Vec<&[u8]> = vec![
            b"2026-10-05 09:00:00",
            b"2026-10-05 09:00",
            b"2026-10-05T09:00:00+08:00",
            b"2026/10/05 09:00:00",
            b"2026-10-25 10:00:00",
            b"2026-09-30 23:59:59",
            b"2026-11-01 00:00:00",
            b" 2026-10-05 09:00:00",
            b"2026-10-05 25:00:00",
            b"2026-02-30 09:00:00",
            b"",
        ];
        let later: Vec<&[u8]> = vec![
            b"2026-10-05 09:00:30",
            b"2026-10-05 09:05",
            b"2026-10-05 08:59:59",
            b"2026-10-26 12:00:00",
            b"2026-11-02 00:00:00",
            b"soon",
            b"",
        ];
        let handled: Vec<&[u8]> = vec![b"vendor", b"platform", b"PLATFORM", b"", b"robot"];
        match role {
            Role::Calls => vec![
                ids,
                vendors,
                vec![b"phone", b"online", b"Phone", b"fax", b""],
                vec![b"presales", b"aftersales", b"AfterSales", b"during", b""],
                vec![
                    "家具".as_bytes(),
                    "玩具乐器".as_bytes(),
                    b"nothing",
                    b"\xff",
                    b"",
                ],
                times,
                later.clone(),
                later,
                handled,
            ],
            Role::Tickets => vec![
                ids,
                vendors,
                vec![b"complaint", b"work_order", b"Complaint", b"memo", b""],
                vec!["家具".as_bytes(), b"", b"\xff"],
                vec![b"simple", b"complex", b"", b"hard"],
                times,
                later.clone(),
                later,
                handled,
            ],
            Role::Surveys => vec![
                ids,
                vendors,
                times,
                vec![b"5", b"1", b"satisfied", "满意".as_bytes(), b"6", b""],
                vec![b"C1", b"", b"\xff"],
            ],
            Role::Orders => vec![
                ids,
                vendors,
                times,
                vec![b"91.90", b"0", b"-3", b"1e3", b"12.345", b""],
                vec![
                    b"completed",
                    b"refunded",
                    b"cancelled",
                    b"Completed",
                    b"lost",
                    b"",
                ],
            ],
            _ => unreachable!("the month's exports only"),
        }
    }

    /// A row of `role` from the draws `picks` (one per column, any size; a column past the
    /// draws is left out and an extra draw adds a field).
    fn row(role: Role, picks: &[usize]) -> Vec<u8> {
        let cells = candidates(role);
        let mut line = Vec::new();
        for (i, pick) in picks.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            match cells.get(i) {
                // Half the draws take the column's first cell, a good one: rows pass every rule
                // often enough for the in-order path to be tried.
                Some(column) if *pick < 32 => line.extend_from_slice(column[0]),
                Some(column) => line.extend_from_slice(column[pick % column.len()]),
                None => line.extend_from_slice(b"extra"),
            }
        }
        line
    }

    /// Everything `scan` says of a chunk, written out to be compared.
    fn shown(s: &Scanned) -> String {
        let accepted: Vec<String> = s
            .accepted
            .iter()
            .map(|a| {
                let id = &s.ids[a.at..a.at + a.len];
                let (vendor, line, offset, hash, record) =
                    (a.vendor, a.line, a.offset, a.hash, &a.record);
                format!("{vendor} {line} {offset} {hash} {id:?} {record:?}")
            })
            .collect();
        format!(
            "rows {} continued {} minutes {:?} undeclared {:?} in {} other {:?} unattributed {} \
             before {:?} after {:?} counts {:?}\nrejects {:?}\nconflicted {:?}\nbad {:?}\n\
             accepted {accepted:#?}",
            s.rows,
            s.continued,
            s.minute_times,
            s.undeclared,
            s.in_month,
            s.other_months,
            s.unattributed_outside,
            s.before_contract,
            s.after_end,
            s.counts,
            s.rejects,
            s.conflicted,
            s.bad_ids,
        )
    }

    /// How the vendors of a draw are set: selected, in contract, service ending on 24
    /// October; `--vendor` given; ids known to conflict.
    #[derive(Debug, Clone)]
    struct Run {
        acme: (bool, bool, bool),
        brightline: (bool, bool, bool),
        filtered: bool,
        conflicts: bool,
    }

    fn run() -> impl Strategy<Value = Run> {
        // Three in four draws select a vendor and have it in contract, one in four ends its
        // service: rows the in-order path can take stay common.
        let slot = (any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(a, b, c)| (a || b, b || c, a && c));
        (slot.clone(), slot, any::<bool>(), any::<bool>()).prop_map(
            |(acme, brightline, filtered, conflicts)| Run {
                acme,
                brightline,
                filtered,
                conflicts,
            },
        )
    }

    /// Calls `f` with the context of an in-order file of `role` read under `run`, in 2026-10.
    fn with_ctx<T>(role: Role, run: &Run, f: impl FnOnce(&FileCtx) -> T) -> T {
        let rates = Rates::parse(include_str!("../../rates.toml"), Path::new("rates.toml"))
            .expect("the example rates");
        let tz = rates.timezone;
        let month = Month::parse("2026-10").expect("a month");
        let ends = chrono::NaiveDate::from_ymd_opt(2026, 10, 25).map(|d| start_of_day(tz, d));
        let slots: Vec<VendorSlot> = [("acme", run.acme), ("brightline", run.brightline)]
            .into_iter()
            .map(|(id, (selected, in_contract, ending))| VendorSlot {
                id,
                selected,
                in_contract,
                ends: ends.filter(|_| ending),
                ctx: VendorCtx::new(rates.terms_for(id, month), tz, month.bounds(tz).1)
                    .ending_at(ends.filter(|_| ending)),
            })
            .collect();
        let setup = Setup {
            tz,
            month: Some(month.bounds(tz)),
            vendors: &slots,
            filtered: run.filtered,
        };
        let names: Vec<&str> = role.columns().iter().map(|c| c.0).collect();
        let header = Header::map(role, &csv::ByteRecord::from(names), "x.csv").expect("a header");
        assert!(header.in_order());
        let conflicts = if run.conflicts {
            [&b"X2"[..], b"X3"].map(Box::from).into_iter().collect()
        } else {
            HashSet::new()
        };
        f(&FileCtx {
            role,
            shown: "x.csv".into(),
            header,
            setup: &setup,
            conflicts,
            size: 1 << 20,
            threads: 1,
        })
    }

    /// `scan` of a chunk of `rows` under `run`, with the in-order path and without it.
    fn both_ways(role: Role, run: &Run, rows: &[Vec<u8>]) -> (String, String) {
        let chunk = Chunk {
            seq: 0,
            offset: 100,
            lines: 1,
            after_cr: false,
            clean: false,
            bytes: rows.join(&b'\n'),
        };
        with_ctx(role, run, |ctx| {
            let judged = |in_order| shown(&scan_rows(ctx, &chunk, in_order).expect("scanned"));
            (judged(true), judged(false))
        })
    }

    #[test]
    fn spec_8_a_clean_row_of_an_in_order_file_is_taken_without_the_full_rules() {
        let run = Run {
            acme: (true, true, false),
            brightline: (true, true, false),
            filtered: false,
            conflicts: false,
        };
        let clean = b"X1,acme,phone,presales,\xe5\xae\xb6\xe5\x85\xb7,2026-10-05 09:00:00,,,vendor";
        let padded =
            b"X1,acme ,phone,presales,\xe5\xae\xb6\xe5\x85\xb7,2026-10-05 09:00:00,,,vendor";
        let september =
            b"X1,acme,phone,presales,\xe5\xae\xb6\xe5\x85\xb7,2026-09-30 23:59:59,,,vendor";
        for line in [&clean[..], padded] {
            let (quick, full) = both_ways(Role::Calls, &run, &[line.to_vec()]);
            assert_eq!(quick, full);
            assert!(quick.contains("accepted [\n    \"0 2 100"), "{quick}");
        }
        // The clean row passes every rule on the in-order path (padding trimmed as `judge`
        // trims it); a row of another month is left to `judge`, with nothing counted.
        let split = |line: &[u8]| -> Vec<(usize, usize)> {
            let mut at = 0;
            line.split(|&b| b == b',')
                .map(|f| {
                    let range = (at, at + f.len());
                    at += f.len() + 1;
                    range
                })
                .collect()
        };
        with_ctx(Role::Calls, &run, |ctx| {
            let mut out = Scanned::new(2, 0);
            let bounds = split(clean);
            let taken = accept_in_order(ctx, clean, &bounds, &mut out);
            assert_eq!(taken.map(|(v, id, _)| (v, id)), Some((0, &b"X1"[..])));
            assert_eq!((out.rows, out.in_month), (1, 1));
            let mut out = Scanned::new(2, 0);
            let bounds = split(padded);
            assert!(
                accept_in_order(ctx, padded, &bounds, &mut out).is_some(),
                "cells are trimmed"
            );
            let mut out = Scanned::new(2, 0);
            let bounds = split(september);
            assert!(accept_in_order(ctx, september, &bounds, &mut out).is_none());
            assert_eq!(
                (out.rows, out.in_month),
                (0, 0),
                "nothing counted when left to `judge`"
            );
        });
        let (quick, full) = both_ways(Role::Calls, &run, &[september.to_vec()]);
        assert_eq!(quick, full);
        assert!(quick.contains("outside_period: 1"), "{quick}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// SPEC §8: a chunk of an in-order file is judged alike with the in-order path and
        /// without it, row for row: the same counts, rejects and accepted records.
        #[test]
        fn spec_8_the_in_order_path_judges_as_the_full_rules(
            role in prop::sample::select(vec![Role::Calls, Role::Tickets, Role::Surveys, Role::Orders]),
            run in run(),
            rows in prop::collection::vec((prop::collection::vec(0usize..64, 10), 0u8..12), 1..40),
        ) {
            let width = role.columns().len();
            // Mostly a field per column; now and then one short or one over.
            let lines: Vec<Vec<u8>> = rows
                .iter()
                .map(|(picks, shape)| match shape {
                    0 => row(role, &picks[..width - 1]),
                    1 => row(role, &picks[..width + 1]),
                    _ => row(role, &picks[..width]),
                })
                .collect();
            let (quick, full) = both_ways(role, &run, &lines);
            prop_assert_eq!(quick, full);
        }
    }
}
