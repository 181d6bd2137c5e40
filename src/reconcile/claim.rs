//! Reading the vendor's settlement list and the records behind it (SPEC §10): `claim.csv`
//! (item, quantity, amount, unit_price) and `claim_records.csv` (item, id, amount), in the
//! canonical layout or through a profile that maps a vendor's own labels onto item names.
//! Every bad row is named `file:line: column: reason`, all of them in one pass.

use super::items::{counts_records, producible};
use crate::contract::terms::Terms;
use crate::error::{Error, Result};
use crate::input::foreign::ForeignSource;
use crate::input::pipeline::Parallel;
use crate::input::pipeline::Shape;
use crate::input::profile::Profile;
use crate::input::source::{RowSource, SourceRow};
use crate::input::{csv_error, open, Header, Role};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

/// A line of the vendor's settlement list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLine {
    /// The physical line it is on.
    pub line: u64,
    /// The §5 item name.
    pub item: String,
    /// Claimed quantity.
    pub quantity: Decimal,
    /// Claimed amount.
    pub amount: Decimal,
}

/// A record the vendor counts under an item, as held in [`ClaimRecords`]: its id and item are
/// read through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimRecord {
    /// The physical line it is on.
    pub line: u64,
    /// Where its id starts in the ids buffer.
    id_start: u32,
    /// Its id's length in bytes.
    id_len: u32,
    /// Its item, as an index into the items named.
    pub item: u16,
    /// Its amount, as an index into the amounts ([`NO_AMOUNT`]: none).
    amount: u32,
}

/// A record's amount index when it has none.
const NO_AMOUNT: u32 = u32::MAX;

/// The records behind the claim, held compactly: ids one after another in one buffer, each item
/// named once, amounts (commission only) apart. A claim of millions of records costs a few tens
/// of bytes per record and no allocation per record.
#[derive(Debug, Clone, Default)]
pub struct ClaimRecords {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// The items named, in order of first appearance.
    pub items: Vec<String>,
    /// Every id, one after another.
    ids: String,
    /// The amounts of the records that have one.
    amounts: Vec<Decimal>,
    /// The records, in file order.
    pub rows: Vec<ClaimRecord>,
}

impl ClaimRecords {
    /// The id of `r`.
    pub fn id(&self, r: &ClaimRecord) -> &str {
        let start = r.id_start as usize;
        &self.ids[start..start + r.id_len as usize]
    }

    /// The amount of `r`, if the claim gives one.
    pub fn amount(&self, r: &ClaimRecord) -> Option<Decimal> {
        (r.amount != NO_AMOUNT).then(|| self.amounts[r.amount as usize])
    }

    /// Adds a record with no amount (tests of the index).
    #[cfg(test)]
    pub fn push_for_test(&mut self, line: u64, item: u16, id: &str) {
        self.push(line, item, id, None).expect("a small claim");
    }

    /// Adds a record, or says why the file is too large to hold.
    fn push(&mut self, line: u64, item: u16, id: &str, amount: Option<Decimal>) -> Result<()> {
        let too_large = || {
            Error::Usage(format!(
                "{}: the claim's records are too large to hold (ids above 4 GiB in all, or more than 4 billion amounts); split the claim",
                self.path
            ))
        };
        let id_start = u32::try_from(self.ids.len()).map_err(|_| too_large())?;
        let id_len = u32::try_from(id.len()).map_err(|_| too_large())?;
        id_start.checked_add(id_len).ok_or_else(too_large)?;
        let amount = match amount {
            None => NO_AMOUNT,
            Some(a) => {
                let at = u32::try_from(self.amounts.len())
                    .ok()
                    .filter(|&i| i != NO_AMOUNT)
                    .ok_or_else(too_large)?;
                self.amounts.push(a);
                at
            }
        };
        self.ids.push_str(id);
        self.rows.push(ClaimRecord {
            line,
            id_start,
            id_len,
            item,
            amount,
        });
        Ok(())
    }
}

/// A claim file as read: its rows and its seal.
#[derive(Debug, Clone)]
pub struct Read<T> {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// The rows, in file order.
    pub rows: Vec<T>,
}

/// The cells of a claim file's row in the canonical column order of its role (borrowed from the
/// row unless they had to be repaired as UTF-8), or (column, reason) when it could not be mapped.
type Cells<'r> = std::result::Result<&'r [Cow<'r, str>], (&'r str, String)>;

/// The most columns a claim file's role has.
const MOST_COLUMNS: usize = 4;

/// A cell as text, trimmed.
fn text(b: &[u8]) -> Cow<'_, str> {
    match String::from_utf8_lossy(b) {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

/// Opens a claim file in the canonical layout and reads its header into `record`: a file wrong
/// as a whole, or empty, is an error. Returns the reader and the path as shown.
fn open_canonical(
    path: &Path,
    role: Role,
    record: &mut csv::ByteRecord,
) -> Result<(
    csv::Reader<crate::input::HashingReader<std::fs::File>>,
    String,
)> {
    crate::input::diagnose::check(path, role, None)?;
    let mut reader = open(path)?;
    let shown = path.display().to_string();
    if !reader
        .read_byte_record(record)
        .map_err(|e| csv_error(path, e))?
    {
        return Err(Error::BadFile {
            path: shown,
            line: 1,
            message: format!(
                "the file is empty: it needs a header row ({})",
                role.columns()
                    .iter()
                    .map(|c| c.0)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        });
    }
    Ok((reader, shown))
}

/// The text of each canonical column of `record`, column `i` read from the field at
/// `position(i)` (empty when it has none).
fn cells_of(
    record: &csv::ByteRecord,
    position: impl Fn(usize) -> Option<usize>,
) -> [Cow<'_, str>; MOST_COLUMNS] {
    std::array::from_fn(|i| {
        position(i)
            .and_then(|p| record.get(p))
            .map_or(Cow::Borrowed(""), text)
    })
}

/// Calls `each(line, cells)` for every row of a claim file, in file order, reusing one record;
/// returns the file's SHA-256.
fn each_row(
    path: &Path,
    role: Role,
    profile: Option<&Profile>,
    tz: Tz,
    each: &mut dyn FnMut(u64, Cells<'_>) -> Result<()>,
) -> Result<String> {
    let columns = role.columns();
    debug_assert!(columns.len() <= MOST_COLUMNS);
    let mut record = csv::ByteRecord::new();
    match profile {
        Some(p) => {
            let mut source = ForeignSource::open(path, p, tz)?;
            while let Some(row) = source.next_row(&mut record)? {
                match (&row.error, row.shape_problem()) {
                    (_, Some(problem)) => each(row.line, Err(("(row)", problem)))?,
                    (Some(e), None) => each(row.line, Err((&e.column, e.reason.to_string())))?,
                    (None, None) => {
                        let cells = cells_of(&record, |i| (i < columns.len()).then_some(i));
                        each(row.line, Ok(&cells[..columns.len()]))?;
                    }
                }
            }
            Ok(source.sha256())
        }
        None => {
            let (mut reader, shown) = open_canonical(path, role, &mut record)?;
            let header = Header::map(role, &record, &shown)?;
            while reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(path, e))?
            {
                let start = record.position().map_or(0, |p| p.byte());
                let line = reader.get_mut().line_of(start);
                let shape = SourceRow::shaped(Shape::of_record(line, &record));
                if let Some(problem) = shape.shape_problem() {
                    each(line, Err(("(row)", problem)))?;
                    continue;
                }
                if record.len() != header.width {
                    let reason = format!(
                        "has {} fields, the header has {}",
                        record.len(),
                        header.width
                    );
                    each(line, Err(("(row)", reason)))?;
                    continue;
                }
                let cells = cells_of(&record, |i| header.index.get(i).copied().flatten());
                each(line, Ok(&cells[..columns.len()]))?;
            }
            Ok(reader.get_ref().hex_digest())
        }
    }
}

/// A plain decimal ≥ 0 (`12`, `12.50`, `+12.5`): no exponent, no thousands separator.
fn plain(cell: &str) -> std::result::Result<Decimal, String> {
    let body = cell.strip_prefix('+').unwrap_or(cell);
    let ok = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.matches('.').count() <= 1
        && !body.starts_with('.')
        && !body.ends_with('.');
    if !ok {
        return Err(format!(
            "`{}` is not a plain decimal ≥ 0 (write 1234.50: no sign, exponent or thousands separator)",
            crate::base::text::shown(cell)
        ));
    }
    let d = Decimal::from_str(body).map_err(|_| format!("`{cell}` is out of range"))?;
    if d > Decimal::from(1_000_000_000_000_000_i64) {
        return Err(format!("`{cell}` is above 10^15: check the digits"));
    }
    Ok(d)
}

/// The problems of a file, as `file:line: column: reason`.
struct Problems {
    path: String,
    lines: Vec<String>,
}

impl Problems {
    fn add(&mut self, line: u64, column: &str, reason: String) {
        self.lines.push(format!(
            "{}:{line}: {column}: {}",
            self.path,
            crate::base::text::visible(&reason)
        ));
    }

    fn finish(self) -> Result<()> {
        if self.lines.is_empty() {
            return Ok(());
        }
        let mut msg = format!("{} bad row(s) in the vendor's claim:\n", self.lines.len());
        for l in &self.lines {
            msg.push_str(&format!("  {l}\n"));
        }
        msg.push_str("Fix the claim (or its profile) and reconcile again.");
        Err(Error::Rejected(msg))
    }
}

/// Reads the settlement list: every item once, producible by the vendor's terms, with plain
/// decimal quantity and amount.
pub fn read_claim(
    path: &Path,
    profile: Option<&Profile>,
    tz: Tz,
    terms: &Terms,
) -> Result<Read<ClaimLine>> {
    let shown = path.display().to_string();
    let mut p = Problems {
        path: shown.clone(),
        lines: Vec::new(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    let sha256 = each_row(path, Role::Claim, profile, tz, &mut |line, cells| {
        let cells = match cells {
            Ok(c) => c,
            Err((column, reason)) => {
                p.add(line, column, reason);
                return Ok(());
            }
        };
        let item = cells[0].to_string();
        if item.is_empty() {
            p.add(line, "item", "required value is empty".into());
            return Ok(());
        }
        if !producible(&item, terms) {
            p.add(
                line,
                "item",
                format!(
                    "`{}` is not a line the vendor's terms for the month can produce (a §5 item name with a configured package, scorecard or incident kind)",
                    crate::base::text::shown(&item)
                ),
            );
            return Ok(());
        }
        if let Some(first) = seen.get(&item) {
            p.add(
                line,
                "item",
                format!("`{item}` is claimed again (first on line {first}); claim each item once"),
            );
            return Ok(());
        }
        let quantity = match plain(&cells[1]) {
            Ok(d) => d,
            Err(e) => {
                p.add(line, "quantity", e);
                return Ok(());
            }
        };
        let amount = match plain(&cells[2]) {
            Ok(d) => d,
            Err(e) => {
                p.add(line, "amount", e);
                return Ok(());
            }
        };
        if !cells[3].is_empty() {
            if let Err(e) = plain(&cells[3]) {
                p.add(line, "unit_price", e);
                return Ok(());
            }
        }
        seen.insert(item.clone(), line);
        out.push(ClaimLine {
            line,
            item,
            quantity,
            amount,
        });
        Ok(())
    })?;
    p.finish()?;
    Ok(Read {
        path: shown,
        sha256,
        rows: out,
    })
}

/// A record's id and amount as read, or the column and reason that make the row bad.
type Rest<'r> = std::result::Result<(&'r str, Option<Decimal>), (&'static str, String)>;

/// Judges a record's id and amount cells, `item` being its item's name (SPEC §10).
fn rest<'r>(item: &str, id: &'r str, amount: &str) -> Rest<'r> {
    if id.is_empty() {
        return Err(("id", "required value is empty".into()));
    }
    let amount = match (item, amount) {
        ("earn/commission", "") => {
            return Err((
                "amount",
                "required for earn/commission: the order amount the vendor counts".into(),
            ))
        }
        (_, "") => None,
        (_, a) => Some(plain(a).map_err(|e| ("amount", e))?),
    };
    Ok((id, amount))
}

/// The records behind the claim as they are read, row by row in file order, with the problems
/// met on the way.
struct RecordsBuilder<'t> {
    out: ClaimRecords,
    problems: Problems,
    terms: &'t Terms,
    /// Every item name met, with its index among the items named or why its records are bad.
    met: Vec<(String, std::result::Result<u16, String>)>,
    /// The item met last: records come grouped by item, so an item is judged once.
    last: usize,
}

impl RecordsBuilder<'_> {
    /// A row that could not be read as cells.
    fn bad(&mut self, line: u64, column: &str, reason: String) {
        self.problems.add(line, column, reason);
    }

    /// A row with its item's name, and its id and amount as judged by [`rest`].
    fn row(&mut self, line: u64, item: &str, rest: Rest) -> Result<()> {
        if item.is_empty() {
            self.problems
                .add(line, "item", "required value is empty".into());
            return Ok(());
        }
        if self.met.get(self.last).is_none_or(|(name, _)| name != item) {
            self.last = match self.met.iter().position(|(name, _)| name == item) {
                Some(i) => i,
                None => {
                    let judged = if !producible(item, self.terms) {
                        Err(format!(
                            "`{}` is not a line the vendor's terms for the month can produce",
                            crate::base::text::shown(item)
                        ))
                    } else if !counts_records(item) {
                        Err(format!("`{item}` counts no records (only earn, takeover and overdue lines do): list its amount in the claim only"))
                    } else {
                        let at = u16::try_from(self.out.items.len()).map_err(|_| {
                            Error::Usage(format!(
                                "{}: the claim's records name more than 65,535 items",
                                self.out.path
                            ))
                        })?;
                        self.out.items.push(item.to_string());
                        Ok(at)
                    };
                    self.met.push((item.to_string(), judged));
                    self.met.len() - 1
                }
            };
        }
        let index = match &self.met[self.last].1 {
            Ok(i) => *i,
            Err(reason) => {
                self.problems.add(line, "item", reason.clone());
                return Ok(());
            }
        };
        match rest {
            Ok((id, amount)) => self.out.push(line, index, id, amount),
            Err((column, reason)) => {
                self.problems.add(line, column, reason);
                Ok(())
            }
        }
    }
}

/// Reads the records behind the claim: items whose quantity counts records, a non-empty id, and
/// an amount for commission. A claim in the canonical layout is parsed on `parallel.threads`
/// threads in chunks of the size `parallel` says, as the month's inputs are; one read through a
/// profile, row by row.
pub fn read_records(
    path: &Path,
    profile: Option<&Profile>,
    tz: Tz,
    terms: &Terms,
    parallel: Parallel,
) -> Result<ClaimRecords> {
    let shown = path.display().to_string();
    let mut b = RecordsBuilder {
        out: ClaimRecords {
            path: shown.clone(),
            ..ClaimRecords::default()
        },
        problems: Problems {
            path: shown,
            lines: Vec::new(),
        },
        terms,
        met: Vec::new(),
        last: usize::MAX,
    };
    let sha256 = match profile {
        Some(_) => each_row(
            path,
            Role::ClaimRecords,
            profile,
            tz,
            &mut |line, cells| match cells {
                Ok(c) => b.row(line, &c[0], rest(&c[0], &c[1], &c[2])),
                Err((column, reason)) => {
                    b.bad(line, column, reason);
                    Ok(())
                }
            },
        )?,
        None => chunked::read(path, parallel, &mut b)?,
    };
    b.problems.finish()?;
    b.out.sha256 = sha256;
    Ok(b.out)
}

/// The canonical claim_records.csv read in chunks: parsed on worker threads, taken back in file
/// order.
mod chunked {
    use super::{rest, text, RecordsBuilder};
    use crate::error::{Error, Result};
    use crate::input::fields::Fields;
    use crate::input::pipeline::{
        read_chunks, with_workers, Chunk, ChunkRecords, Hashing, Parallel,
    };
    use crate::input::source::SourceRow;
    use crate::input::{Header, Role};
    use rust_decimal::Decimal;
    use std::borrow::Cow;
    use std::path::{Path, PathBuf};

    /// What a worker needs to parse a chunk: where the canonical columns are.
    struct Layout {
        path: PathBuf,
        header: Header,
    }

    /// A chunk's rows as parsed: their texts one after another, and per row where they are.
    #[derive(Default)]
    struct Part {
        text: String,
        rows: Vec<Row>,
        /// A chunk the CSV parser could not read.
        failed: Option<Error>,
    }

    /// A row of a chunk: its line and, when it has the header's width, its item and the rest.
    struct Row {
        line: u64,
        cells: std::result::Result<(Span, RestAt), String>,
    }

    /// Where a text lies in [`Part::text`].
    type Span = (usize, usize);

    /// [`super::Rest`], its id as a span.
    type RestAt = std::result::Result<(Span, Option<Decimal>), (&'static str, String)>;

    fn push(text: &mut String, s: &str) -> Span {
        let start = text.len();
        text.push_str(s);
        (start, text.len())
    }

    fn parse(layout: &Layout, chunk: &Chunk) -> Part {
        let mut part = Part::default();
        let mut records = ChunkRecords::new(chunk);
        fn cell<'r>(layout: &Layout, record: Fields<'r>, i: usize) -> Cow<'r, str> {
            layout.header.index[i]
                .and_then(|at| record.get(at))
                .map_or(Cow::Borrowed(""), text)
        }
        loop {
            let (_, shape, record) = match records.next(&layout.path) {
                Ok(Some(r)) => r,
                Ok(None) => return part,
                Err(e) => {
                    part.failed = Some(e);
                    return part;
                }
            };
            let cells = if let Some(problem) = SourceRow::shaped(shape).shape_problem() {
                Err(problem)
            } else if record.len() != layout.header.width {
                Err(format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    layout.header.width
                ))
            } else {
                let (item, id, amount) = (
                    cell(layout, record, 0),
                    cell(layout, record, 1),
                    cell(layout, record, 2),
                );
                let item_at = push(&mut part.text, &item);
                let judged = match rest(&item, &id, &amount) {
                    Ok((id, amount)) => Ok((push(&mut part.text, id), amount)),
                    Err(e) => Err(e),
                };
                Ok((item_at, judged))
            };
            part.rows.push(Row {
                line: shape.line,
                cells,
            });
        }
    }

    /// Reads the file at `path` into `b`, returning its SHA-256.
    pub(super) fn read(path: &Path, parallel: Parallel, b: &mut RecordsBuilder) -> Result<String> {
        let role = Role::ClaimRecords;
        let (_, shown) = super::open_canonical(path, role, &mut csv::ByteRecord::new())?;
        let read = with_workers(parallel.threads, |workers| {
            read_chunks(
                path,
                workers,
                parallel.chunk_bytes,
                Hashing::Sha256,
                |header, _| {
                    Ok(Layout {
                        path: path.to_path_buf(),
                        header: Header::map(role, header, &shown)?,
                    })
                },
                parse,
                |_: &Layout, part: Part| {
                    if let Some(e) = part.failed {
                        return Err(e);
                    }
                    let text = |(a, z): Span| &part.text[a..z];
                    for row in &part.rows {
                        match &row.cells {
                            Err(reason) => b.bad(row.line, "(row)", reason.clone()),
                            Ok((item, judged)) => {
                                let judged = match judged {
                                    Ok((id, amount)) => Ok((text(*id), *amount)),
                                    Err(e) => Err(e.clone()),
                                };
                                b.row(row.line, text(*item), judged)?;
                            }
                        }
                    }
                    Ok(())
                },
            )
        })?;
        Ok(read.0.sha256)
    }
}
