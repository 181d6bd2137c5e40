//! Reading the vendor's settlement list and the records behind it (SPEC §10): `claim.csv`
//! (item, quantity, amount, unit_price) and `claim_records.csv` (item, id, amount), in the
//! canonical layout or through a profile that maps a vendor's own labels onto item names.
//! Every bad row is named `file:line: column: reason`, all of them in one pass.

use super::items::{counts_records, producible};
use crate::error::{Error, Result};
use crate::input::foreign::ForeignSource;
use crate::input::ingest::RowSource;
use crate::input::profile::Profile;
use crate::input::{csv_error, open, Header, Role};
use crate::terms::Terms;
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

    /// The item name of `r`.
    pub fn item(&self, r: &ClaimRecord) -> &str {
        &self.items[usize::from(r.item)]
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
                match row.error {
                    Some(e) => each(row.line, Err((&e.column, e.reason.to_string())))?,
                    None => {
                        let cells: [Cow<str>; MOST_COLUMNS] = std::array::from_fn(|i| {
                            record
                                .get(i)
                                .filter(|_| i < columns.len())
                                .map_or(Cow::Borrowed(""), text)
                        });
                        each(row.line, Ok(&cells[..columns.len()]))?;
                    }
                }
            }
            Ok(source.sha256())
        }
        None => {
            crate::input::diagnose::check(path, role, None)?;
            let mut reader = open(path)?;
            let shown = path.display().to_string();
            if !reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(path, e))?
            {
                return Err(Error::BadFile {
                    path: shown,
                    line: 1,
                    message: format!(
                        "the file is empty: it needs a header row ({})",
                        columns.iter().map(|c| c.0).collect::<Vec<_>>().join(",")
                    ),
                });
            }
            let header = Header::map(role, &record, &shown)?;
            while reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(path, e))?
            {
                let start = record.position().map_or(0, |p| p.byte());
                let line = reader.get_mut().line_of(start);
                if record.len() != header.width {
                    let reason = format!(
                        "has {} fields, the header has {}",
                        record.len(),
                        header.width
                    );
                    each(line, Err(("(row)", reason)))?;
                    continue;
                }
                let cells: [Cow<str>; MOST_COLUMNS] = std::array::from_fn(|i| {
                    header
                        .index
                        .get(i)
                        .copied()
                        .flatten()
                        .and_then(|i| record.get(i))
                        .map_or(Cow::Borrowed(""), text)
                });
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
            crate::text::shown(cell)
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
            crate::text::visible(&reason)
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
                    crate::text::shown(&item)
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

/// Reads the records behind the claim: items whose quantity counts records, a non-empty id, and
/// an amount for commission.
pub fn read_records(
    path: &Path,
    profile: Option<&Profile>,
    tz: Tz,
    terms: &Terms,
) -> Result<ClaimRecords> {
    let shown = path.display().to_string();
    let mut p = Problems {
        path: shown.clone(),
        lines: Vec::new(),
    };
    let mut out = ClaimRecords {
        path: shown,
        ..ClaimRecords::default()
    };
    // Every item name met, whether the terms can produce it with records, and the last one met:
    // records come grouped by item, so an item is judged once.
    let mut met: Vec<(String, std::result::Result<u16, String>)> = Vec::new();
    let mut last = usize::MAX;
    let sha256 = each_row(path, Role::ClaimRecords, profile, tz, &mut |line, cells| {
        let cells = match cells {
            Ok(c) => c,
            Err((column, reason)) => {
                p.add(line, column, reason);
                return Ok(());
            }
        };
        let item = &*cells[0];
        if item.is_empty() {
            p.add(line, "item", "required value is empty".into());
            return Ok(());
        }
        if met.get(last).is_none_or(|(name, _)| name != item) {
            last = match met.iter().position(|(name, _)| name == item) {
                Some(i) => i,
                None => {
                    let judged = if !producible(item, terms) {
                        Err(format!(
                            "`{}` is not a line the vendor's terms for the month can produce",
                            crate::text::shown(item)
                        ))
                    } else if !counts_records(item) {
                        Err(format!("`{item}` counts no records (only earn, takeover and overdue lines do): list its amount in the claim only"))
                    } else {
                        let at = u16::try_from(out.items.len()).map_err(|_| {
                            Error::Usage(format!(
                                "{}: the claim's records name more than 65,535 items",
                                out.path
                            ))
                        })?;
                        out.items.push(item.to_string());
                        Ok(at)
                    };
                    met.push((item.to_string(), judged));
                    met.len() - 1
                }
            };
        }
        let index = match &met[last].1 {
            Ok(i) => *i,
            Err(reason) => {
                p.add(line, "item", reason.clone());
                return Ok(());
            }
        };
        let id = &*cells[1];
        if id.is_empty() {
            p.add(line, "id", "required value is empty".into());
            return Ok(());
        }
        let amount = match (item, &*cells[2]) {
            ("earn/commission", "") => {
                p.add(
                    line,
                    "amount",
                    "required for earn/commission: the order amount the vendor counts".into(),
                );
                return Ok(());
            }
            (_, "") => None,
            (_, a) => match plain(a) {
                Ok(d) => Some(d),
                Err(e) => {
                    p.add(line, "amount", e);
                    return Ok(());
                }
            },
        };
        out.push(line, index, id, amount)
    })?;
    p.finish()?;
    out.sha256 = sha256;
    Ok(out)
}
