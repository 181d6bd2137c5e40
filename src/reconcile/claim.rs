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

/// A record the vendor counts under an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRecord {
    /// The physical line it is on.
    pub line: u64,
    /// The §5 item name.
    pub item: String,
    /// The contact, ticket or order id.
    pub id: String,
    /// The order amount the vendor counts (commission only).
    pub amount: Option<Decimal>,
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

/// A row of a claim file: its line, and its cells in canonical order or (column, reason).
type RawRow = (u64, std::result::Result<Vec<String>, (String, String)>);

/// Rows of a claim file in the canonical column order of `role`, each with its line (or the
/// reason it could not be mapped).
fn rows(
    path: &Path,
    role: Role,
    profile: Option<&Profile>,
    tz: Tz,
) -> Result<(String, Vec<RawRow>)> {
    let columns = role.columns();
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    match profile {
        Some(p) => {
            let mut source = ForeignSource::open(path, p, tz)?;
            while let Some(row) = source.next_row(&mut record)? {
                let cells = match row.error {
                    Some(e) => Err((e.column.to_string(), e.reason.to_string())),
                    None => Ok((0..columns.len())
                        .map(|i| record.get(i).map(text).unwrap_or_default())
                        .collect()),
                };
                out.push((row.line, cells));
            }
            Ok((source.sha256(), out))
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
                let cells = if record.len() != header.width {
                    Err((
                        "(row)".to_string(),
                        format!(
                            "has {} fields, the header has {}",
                            record.len(),
                            header.width
                        ),
                    ))
                } else {
                    Ok(header
                        .index
                        .iter()
                        .map(|i| i.and_then(|i| record.get(i)).map(text).unwrap_or_default())
                        .collect())
                };
                out.push((line, cells));
            }
            Ok((reader.get_ref().hex_digest(), out))
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
    let (sha256, raw) = rows(path, Role::Claim, profile, tz)?;
    let shown = path.display().to_string();
    let mut p = Problems {
        path: shown.clone(),
        lines: Vec::new(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for (line, cells) in raw {
        let cells = match cells {
            Ok(c) => c,
            Err((column, reason)) => {
                p.add(line, &column, reason);
                continue;
            }
        };
        let item = cells[0].clone();
        if item.is_empty() {
            p.add(line, "item", "required value is empty".into());
            continue;
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
            continue;
        }
        if let Some(first) = seen.get(&item) {
            p.add(
                line,
                "item",
                format!("`{item}` is claimed again (first on line {first}); claim each item once"),
            );
            continue;
        }
        let quantity = match plain(&cells[1]) {
            Ok(d) => d,
            Err(e) => {
                p.add(line, "quantity", e);
                continue;
            }
        };
        let amount = match plain(&cells[2]) {
            Ok(d) => d,
            Err(e) => {
                p.add(line, "amount", e);
                continue;
            }
        };
        if !cells[3].is_empty() {
            if let Err(e) = plain(&cells[3]) {
                p.add(line, "unit_price", e);
                continue;
            }
        }
        seen.insert(item.clone(), line);
        out.push(ClaimLine {
            line,
            item,
            quantity,
            amount,
        });
    }
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
) -> Result<Read<ClaimRecord>> {
    let (sha256, raw) = rows(path, Role::ClaimRecords, profile, tz)?;
    let mut last: Option<(String, bool)> = None;
    let shown = path.display().to_string();
    let mut p = Problems {
        path: shown.clone(),
        lines: Vec::new(),
    };
    let mut out = Vec::new();
    for (line, cells) in raw {
        let mut cells = match cells {
            Ok(c) => c,
            Err((column, reason)) => {
                p.add(line, &column, reason);
                continue;
            }
        };
        let item = std::mem::take(&mut cells[0]);
        if item.is_empty() {
            p.add(line, "item", "required value is empty".into());
            continue;
        }
        // Records come grouped by item: an item is judged once per run of it.
        if last.as_ref().is_none_or(|(l, _)| *l != item) {
            last = Some((item.clone(), producible(&item, terms)));
        }
        if !last.as_ref().is_some_and(|(_, ok)| *ok) {
            p.add(
                line,
                "item",
                format!(
                    "`{}` is not a line the vendor's terms for the month can produce",
                    crate::text::shown(&item)
                ),
            );
            continue;
        }
        if !counts_records(&item) {
            p.add(
                line,
                "item",
                format!("`{item}` counts no records (only earn, takeover and overdue lines do): list its amount in the claim only"),
            );
            continue;
        }
        let id = std::mem::take(&mut cells[1]);
        if id.is_empty() {
            p.add(line, "id", "required value is empty".into());
            continue;
        }
        let amount = match (item.as_str(), cells[2].as_str()) {
            ("earn/commission", "") => {
                p.add(
                    line,
                    "amount",
                    "required for earn/commission: the order amount the vendor counts".into(),
                );
                continue;
            }
            (_, "") => None,
            (_, a) => match plain(a) {
                Ok(d) => Some(d),
                Err(e) => {
                    p.add(line, "amount", e);
                    continue;
                }
            },
        };
        out.push(ClaimRecord {
            line,
            item,
            id,
            amount,
        });
    }
    p.finish()?;
    Ok(Read {
        path: shown,
        sha256,
        rows: out,
    })
}
