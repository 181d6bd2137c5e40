//! payments.csv and deductions.csv (SPEC §11, §12), read with the conventions of every input
//! (SPEC §2, §8): a header in any order matched case-insensitively after trimming, a UTF-8 BOM
//! allowed, cells trimmed, extra columns ignored, bad rows named `file:line: column: reason`,
//! an exact duplicate counted once, and every row of an id whose rows disagree rejected.

use crate::error::{Error, Result};
use crate::input::records::{Cells, RowCells as _, RowError};
use crate::input::{csv_error, open, raw_row, Header, Reject};
use std::collections::HashMap;
use std::path::Path;

/// What one row of an account input became.
pub enum Parsed<T> {
    /// A row of a vendor left out by `--vendor`: not a reject, and no part of the duplicate check.
    Skip,
    /// A good row.
    Row(T),
}

/// A read file: its good rows, its rejected rows and its exact duplicates.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The file as given.
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Good rows, in file order, each with its line; exact duplicates once.
    pub rows: Vec<(u64, T)>,
    /// Rejected rows, in file order.
    pub rejects: Vec<Reject>,
    /// Exact duplicates: a note (`file:line: id … repeats line N exactly; counted once`) and the
    /// row, so the note goes to its vendor's account only.
    pub duplicates: Vec<(String, T)>,
}

struct Seen<T> {
    line: u64,
    id: Option<String>,
    raw: String,
    result: std::result::Result<T, RowError>,
}

/// Reads `path` with `columns` (column 0 is the row's id). `parse` judges one row; a row whose
/// id also appears on another row with different values is rejected with all rows of that id.
pub fn read<T: PartialEq>(
    path: &Path,
    role: &'static str,
    columns: &'static [(&'static str, bool)],
    mut parse: impl FnMut(&Cells) -> std::result::Result<Parsed<T>, RowError>,
) -> Result<Loaded<T>> {
    if !path.is_file() {
        return Err(Error::MissingInput {
            role,
            path: path.to_path_buf(),
            hint: format!("check the path given to --{role}"),
        });
    }
    let shown = path.display().to_string();
    let mut reader = open(path)?;
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        return Err(Error::BadFile {
            path: shown,
            line: 1,
            message: format!(
                "the file is empty: it needs a header row ({})",
                names.join(",")
            ),
        });
    }
    let header = Header::map_columns(columns, &record, &shown)?;
    let id_column = columns[0].0;
    let mut seen: Vec<Seen<T>> = Vec::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        let start = record.position().map_or(0, |p| p.byte());
        let line = reader.get_mut().line_of(start);
        let raw = raw_row(&record);
        let cells = Cells::new(&record, &header, columns);
        // The id takes part in the duplicate check whatever else is wrong with the row: a good
        // row never survives beside a bad row of its id (SPEC §8).
        let id = std::str::from_utf8(cells.get(0))
            .ok()
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let shape = if record.len() != header.width {
            Some(format!(
                "{} cells, header has {}",
                record.len(),
                header.width
            ))
        } else if record
            .iter()
            .any(|c| c.contains(&b'\n') || c.contains(&b'\r'))
        {
            Some("the record spans more than one line (an unbalanced quote?)".to_string())
        } else {
            None
        };
        if let Some(reason) = shape {
            seen.push(Seen {
                line,
                id,
                raw,
                result: Err(RowError::new("(row)", reason)),
            });
            continue;
        }
        match parse(&cells) {
            Ok(Parsed::Skip) => {}
            Ok(Parsed::Row(t)) => seen.push(Seen {
                line,
                id,
                raw,
                result: Ok(t),
            }),
            Err(e) => seen.push(Seen {
                line,
                id,
                raw,
                result: Err(e),
            }),
        }
    }
    let sha256 = reader.get_ref().hex_digest();

    // Group the rows of each id: an exact duplicate counts once; any disagreement, or a bad row
    // among them, rejects them all (SPEC §8: a good row never survives beside a bad row of its id).
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in seen.iter().enumerate() {
        if let Some(id) = &s.id {
            by_id.entry(id.as_str()).or_default().push(i);
        }
    }
    let mut conflict: Vec<Option<String>> = (0..seen.len()).map(|_| None).collect();
    let mut duplicate_of: Vec<Option<u64>> = vec![None; seen.len()];
    for rows in by_id.values().filter(|r| r.len() > 1) {
        let first = &seen[rows[0]];
        let all_same = rows
            .iter()
            .all(|&i| match (&seen[i].result, &first.result) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            });
        if all_same {
            for &i in &rows[1..] {
                duplicate_of[i] = Some(first.line);
            }
        } else {
            let lines: Vec<String> = rows.iter().map(|&i| seen[i].line.to_string()).collect();
            for &i in rows {
                conflict[i] = Some(format!(
                    "{id_column} `{}` appears on lines {} with different cells; all of them are rejected",
                    seen[i].id.as_deref().unwrap_or(""),
                    lines.join(", ")
                ));
            }
        }
    }
    let mut loaded = Loaded {
        path: shown.clone(),
        sha256,
        rows: Vec::new(),
        rejects: Vec::new(),
        duplicates: Vec::new(),
    };
    for (i, s) in seen.into_iter().enumerate() {
        let reject = |column: String, reason: String| Reject {
            file: shown.clone(),
            line: s.line,
            column,
            reason,
            raw: s.raw.clone(),
            vendor: None,
        };
        match (s.result, conflict[i].take(), duplicate_of[i]) {
            (Err(e), _, _) => loaded
                .rejects
                .push(reject(e.column.into_owned(), e.reason.into_owned())),
            (Ok(_), Some(reason), _) => loaded.rejects.push(reject(id_column.to_string(), reason)),
            (Ok(t), None, Some(first)) => loaded.duplicates.push((
                format!(
                    "{shown}:{}: {id_column} `{}` repeats line {first} exactly; counted once",
                    s.line,
                    s.id.as_deref().unwrap_or("")
                ),
                t,
            )),
            (Ok(t), None, None) => loaded.rows.push((s.line, t)),
        }
    }
    Ok(loaded)
}

/// The error for rejected rows: the first 20 as `file:line: column: reason`, and the count.
pub fn rejected_error(rejects: &[Reject]) -> Error {
    const SHOWN: usize = 20;
    let mut msg = format!("{} row(s) rejected:\n", rejects.len());
    for r in rejects.iter().take(SHOWN) {
        msg.push_str(&format!("  {r}\n"));
    }
    if rejects.len() > SHOWN {
        msg.push_str(&format!("  … and {} more\n", rejects.len() - SHOWN));
    }
    msg.push_str("No account was produced. Correct the rows named above and run account again.");
    Error::Rejected(msg)
}
