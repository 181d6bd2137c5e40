//! Streams one export through the row rules of SPEC §2 and §8: month attribution first, then the
//! vendor, then the row's own checks, then the duplicate check, and adds each accepted row to its
//! vendor's tally.

use super::foreign::ForeignSource;
use super::profile::Profile;
use super::records::{self, Cells, Record, RowError};
use super::{open, raw_row, Header, Reject, Role};
use crate::disputes::{self, Disputes};
use crate::error::{Error, Result};
use crate::evidence::{Collect, Noted};
use crate::tally::{VendorCtx, VendorTally};
use crate::timestamp::{parse_timestamp, Instant};
use chrono_tz::Tz;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::path::Path;

/// A declared vendor as seen by the reader.
pub struct VendorSlot<'a> {
    /// The vendor id, matched exactly after trimming.
    pub id: &'a str,
    /// Whether this vendor's rows are read (false for other vendors under `--vendor`).
    pub selected: bool,
    /// Whether the vendor is in contract in the month (rows before its contract month are
    /// skipped with a warning, SPEC §8).
    pub in_contract: bool,
    /// How its rows are judged.
    pub ctx: VendorCtx<'a>,
}

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
    /// An auditor's decisions to apply to accepted in-period rows (`rescore`); `None` settles
    /// the rows as recorded.
    pub disputes: Option<&'a Disputes>,
    /// Which accepted rows to keep as evidence, with their line and id ([`Collect::Off`] on the
    /// ordinary settle path, which then allocates nothing more per row).
    pub evidence: Collect<'a>,
}

/// A dispute that matched an accepted in-period row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// Index of the dispute in [`Disputes::items`].
    pub dispute: usize,
    /// Index of the row's vendor in [`Setup::vendors`].
    pub vendor: usize,
    /// `Err(reason)` when the decision does not apply to the record; the row is then added as
    /// recorded (the run fails on it).
    pub outcome: std::result::Result<(), String>,
}

/// The outcome of reading one file.
#[derive(Debug)]
pub struct FileResult {
    /// The role.
    pub role: Role,
    /// The path as given.
    pub path: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// One tally per declared vendor, in `Setup::vendors` order.
    pub tallies: Vec<VendorTally>,
    /// Every rejected row, in file order.
    pub rejects: Vec<Reject>,
    /// Rows of vendors skipped because the month is before their contract month, per vendor.
    pub before_contract: Vec<u64>,
    /// Data rows in the file (not counting the header).
    pub rows: u64,
    /// Rows of other months naming no declared vendor.
    pub unattributed_outside: u64,
    /// Disputes that matched an accepted in-period row, in file order of the rows.
    pub decided: Vec<Decided>,
    /// Accepted rows kept as evidence ([`Setup::evidence`]), in file order.
    pub noted: Vec<Noted>,
}

fn parse(
    role: Role,
    cells: &Cells,
    tz: Tz,
    ctx: &VendorCtx,
    h: &mut DefaultHasher,
) -> Result<Record, RowError> {
    Ok(match role {
        Role::Calls => Record::Call(records::parse_call(cells, tz, ctx, h)?),
        Role::Tickets => Record::Ticket(records::parse_ticket(cells, tz, h)?),
        Role::Surveys => Record::Survey(records::parse_survey(cells, tz, h)?),
        Role::Orders => Record::Order(records::parse_order(cells, tz, h)?),
    })
}

/// Where a pass gets its rows: the canonical CSV reader, or a foreign export mapped through a
/// profile ([`ForeignSource`](super::foreign::ForeignSource)).
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
    /// Further source rows folded into this one (legs of one call, queue-log events); they
    /// count as duplicates of it.
    pub folded: u64,
    /// Why the row could not be mapped, if it could not (it is then rejected).
    pub error: Option<RowError>,
}

/// A canonical CSV export (SPEC §2).
pub struct CsvSource {
    reader: csv::Reader<super::HashingReader<std::fs::File>>,
    header: Header,
    path: std::path::PathBuf,
}

impl CsvSource {
    /// Opens `path` and maps its header row onto `role`'s columns.
    pub fn open(role: Role, path: &Path) -> Result<CsvSource> {
        let mut reader = open(path)?;
        let mut record = csv::ByteRecord::new();
        if !reader
            .read_byte_record(&mut record)
            .map_err(|e| super::csv_error(path, e))?
        {
            return Err(Error::BadFile {
                path: path.display().to_string(),
                line: 1,
                message: "the file is empty: it needs at least a header row".into(),
            });
        }
        let header = Header::map(role, &record, &path.display().to_string())?;
        Ok(CsvSource {
            reader,
            header,
            path: path.to_path_buf(),
        })
    }
}

impl RowSource for CsvSource {
    fn header(&self) -> &Header {
        &self.header
    }

    fn next_row(&mut self, record: &mut csv::ByteRecord) -> Result<Option<SourceRow>> {
        if !self
            .reader
            .read_byte_record(record)
            .map_err(|e| super::csv_error(&self.path, e))?
        {
            return Ok(None);
        }
        let start = record.position().map_or(0, |p| p.byte());
        Ok(Some(SourceRow {
            line: self.reader.get_mut().line_of(start),
            folded: 0,
            error: None,
        }))
    }

    fn sha256(&self) -> String {
        self.reader.get_ref().hex_digest()
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
            path,
            profile,
        }
    }

    /// The profile a statement records: none for a canonical CSV or workbook.
    pub fn recorded_profile(&self) -> Option<&Profile> {
        self.profile.as_ref().filter(|p| !p.optional_absent)
    }
}

/// Reads one export. Two rows sharing an id with different cells reject each other; when that
/// happens the file is read a second time, so that no earlier row of such an id is counted.
pub fn read_file(input: &InputFile, setup: &Setup) -> Result<FileResult> {
    let pass = |conflicts: &HashSet<Box<[u8]>>| match &input.profile {
        None => read_pass(
            input.role,
            CsvSource::open(input.role, &input.path)?,
            &input.path,
            setup,
            conflicts,
        ),
        Some(p) => read_pass(
            input.role,
            ForeignSource::open(&input.path, p, setup.tz)?,
            &input.path,
            setup,
            conflicts,
        ),
    };
    match pass(&HashSet::new())? {
        Pass::Done(r) => Ok(r),
        Pass::Conflicts(conflicts, sha256) => match pass(&conflicts)? {
            Pass::Done(mut r) => {
                r.sha256 = sha256;
                Ok(r)
            }
            Pass::Conflicts(..) => unreachable!("known conflicts are rejected, not re-detected"),
        },
    }
}

enum Pass {
    Done(FileResult),
    Conflicts(HashSet<Box<[u8]>>, String),
}

fn read_pass<S: RowSource>(
    role: Role,
    mut source: S,
    path: &Path,
    setup: &Setup,
    conflicts: &HashSet<Box<[u8]>>,
) -> Result<Pass> {
    let shown = path.display().to_string();
    let mut record = csv::ByteRecord::new();
    let header = source.header().clone();
    let columns = role.columns();
    let period = role.period_column();
    let n = setup.vendors.len();
    let mut out = FileResult {
        role,
        path: shown.clone(),
        sha256: String::new(),
        tallies: setup
            .vendors
            .iter()
            .map(|v| VendorTally::new(v.ctx.terms.packages.len()))
            .collect(),
        rejects: Vec::new(),
        before_contract: vec![0; n],
        rows: 0,
        unattributed_outside: 0,
        decided: Vec::new(),
        noted: Vec::new(),
    };
    let ri = Role::ALL.iter().position(|r| *r == role).expect("role");
    // Each accepted id with the fingerprint of its parsed values: the only state that grows with
    // rows.
    let mut seen: HashMap<Box<[u8]>, u64> = HashMap::new();
    let mut found: HashSet<Box<[u8]>> = HashSet::new();
    let mut conflict_rows: Vec<(usize, Box<[u8]>)> = Vec::new();
    let mut conflict_lines: HashMap<Box<[u8]>, Vec<u64>> = HashMap::new();

    while let Some(row) = source.next_row(&mut record)? {
        out.rows += 1 + row.folded;
        let line = row.line;
        let cells = Cells::new(&record, &header, columns);
        let vendor_cell = cells.get(1);
        let vendor = setup
            .vendors
            .iter()
            .position(|v| v.id.as_bytes() == vendor_cell);

        // The month check comes first (SPEC §8).
        if let Some((start, end)) = setup.month {
            if let Ok(at) = parse_timestamp(cells.get(period), setup.tz) {
                if at < start || at >= end {
                    match vendor {
                        Some(v) if setup.vendors[v].selected => {
                            let c = &mut out.tallies[v].counts[ri];
                            c.rows += 1 + row.folded;
                            c.outside_period += 1;
                            c.duplicates += row.folded;
                        }
                        Some(_) => {}
                        None if setup.filtered => {}
                        None => out.unattributed_outside += 1,
                    }
                    continue;
                }
            }
        }

        let reject = |column: &str, reason: String, vendor: Option<usize>, out: &mut FileResult| {
            if let Some(v) = vendor {
                out.tallies[v].counts[ri].rows += 1;
                out.tallies[v].counts[ri].rejected += 1;
            }
            out.rejects.push(Reject {
                file: shown.clone(),
                line,
                column: column.to_string(),
                reason,
                raw: raw_row(&record),
                vendor,
            });
        };

        let v = match vendor {
            None if vendor_cell.is_empty() => {
                reject("vendor", "required value is empty".into(), None, &mut out);
                continue;
            }
            None if setup.filtered => continue,
            None => {
                reject(
                    "vendor",
                    format!(
                        "`{}` is not declared in rates.toml (declare it under [vendors] or fix the export)",
                        String::from_utf8_lossy(vendor_cell)
                    ),
                    None,
                    &mut out,
                );
                continue;
            }
            Some(v) => v,
        };
        let slot = &setup.vendors[v];
        if !slot.selected {
            continue;
        }
        if !slot.in_contract {
            out.before_contract[v] += 1 + row.folded;
            continue;
        }
        if row.folded > 0 {
            // Source rows folded into this one (legs of a call, queue-log events) count as
            // its duplicates, whatever becomes of it.
            let c = &mut out.tallies[v].counts[ri];
            c.rows += row.folded;
            c.duplicates += row.folded;
        }
        if record.len() != header.width {
            reject(
                "(row)",
                format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    header.width
                ),
                Some(v),
                &mut out,
            );
            continue;
        }
        if let Some(e) = row.error {
            reject(&e.column, e.reason.into_owned(), Some(v), &mut out);
            continue;
        }
        let id = match cells.required(0) {
            Ok(id) => id,
            Err(e) => {
                reject(&e.column, e.reason.into_owned(), Some(v), &mut out);
                continue;
            }
        };
        if std::str::from_utf8(id).is_err() {
            reject(
                columns[0].0,
                "not valid UTF-8 (save the file as UTF-8)".into(),
                Some(v),
                &mut out,
            );
            continue;
        }
        let mut hasher = DefaultHasher::new();
        let parsed = match parse(role, &cells, setup.tz, &slot.ctx, &mut hasher) {
            Ok(r) => r,
            Err(e) => {
                reject(&e.column, e.reason.into_owned(), Some(v), &mut out);
                continue;
            }
        };
        hasher.write_usize(v);
        let fingerprint = hasher.finish();

        if conflicts.contains(id) {
            // The reason lists every line of the id; it is filled in once the pass has seen
            // them all (exact repeats of the first row included).
            conflict_rows.push((out.rejects.len(), id.into()));
            conflict_lines.entry(id.into()).or_default().push(line);
            reject(columns[0].0, String::new(), Some(v), &mut out);
            continue;
        }
        // Look up before inserting: only a first-seen id allocates its key.
        match seen.get(id) {
            None => {
                seen.insert(id.into(), fingerprint);
                let t = &mut out.tallies[v];
                t.counts[ri].rows += 1;
                t.counts[ri].in_period += 1;
                // An excluded row stays counted as read and accepted; it takes no part in
                // any figure.
                let class = match setup.disputes.and_then(|d| Some((d, d.find(role, id)?))) {
                    None => t.add(&parsed, &slot.ctx),
                    Some((d, at)) => {
                        let decision = d.items[at].decision;
                        let id = String::from_utf8_lossy(id);
                        let outcome = disputes::applies(decision, &id, &parsed);
                        let class = match outcome {
                            Ok(()) => t.add_decided(&parsed, &slot.ctx, decision),
                            Err(_) => t.add(&parsed, &slot.ctx),
                        };
                        out.decided.push(Decided {
                            dispute: at,
                            vendor: v,
                            outcome,
                        });
                        class
                    }
                };
                if setup.evidence.wants(role, id, &class) {
                    out.noted.push(Noted {
                        vendor: v,
                        line,
                        id: String::from_utf8_lossy(id).into_owned(),
                        record: parsed,
                        class,
                    });
                }
            }
            Some(&first) if first == fingerprint => {
                let c = &mut out.tallies[v].counts[ri];
                c.rows += 1;
                c.duplicates += 1;
            }
            Some(_) => {
                if !found.contains(id) {
                    found.insert(id.into());
                }
            }
        }
    }
    for (at, id) in conflict_rows {
        let list = conflict_lines[&id]
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        out.rejects[at].reason = format!(
            "id `{}` appears on lines {list} with different cells; correct the export so one row remains",
            String::from_utf8_lossy(&id)
        );
    }
    let sha256 = source.sha256();
    if !found.is_empty() {
        // Every row of a conflicting id is rejected on the second pass.
        return Ok(Pass::Conflicts(found, sha256));
    }
    out.sha256 = sha256;
    Ok(Pass::Done(out))
}
