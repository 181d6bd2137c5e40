//! `check`'s preview of a mapped export: the first rows as canonical records, the source
//! columns the profile leaves unread, the values that failed to map and the parse failures per
//! canonical column — what a user needs to get a profile right before settling.

use crate::base::word::Word;
use crate::error::{Error, Result};
use crate::evidence::table;
use crate::input::foreign::{ForeignSource, SourceNotes};
use crate::input::profile::Format;
use crate::input::source::{InputFile, RowSource};
use crate::input::{Reject, Role};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// How many rows the preview shows.
pub const ROWS: usize = 10;

/// The preview of `input` (read through its profile), given the rejects the run found in it.
/// Inputs without a profile have none (`None`).
pub fn render(input: &InputFile, tz: Tz, rejects: &[Reject]) -> Result<Option<String>> {
    let Some(profile) = &input.profile else {
        return Ok(None);
    };
    let mut source = ForeignSource::open(&input.path, profile, tz)?;
    let columns = input.role.columns();
    let mut header: Vec<&str> = vec!["line"];
    header.extend(columns.iter().map(|(n, _)| *n));
    let mut t = table(&header, &[0]);
    let mut record = csv::ByteRecord::new();
    let mut shown = 0;
    while shown < ROWS {
        let Some(row) = source.next_row(&mut record)? else {
            break;
        };
        let mut cells = vec![row.line.to_string()];
        cells.extend(
            record
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned()),
        );
        t.add_row(cells);
        shown += 1;
    }
    let path = input.path.display().to_string();
    let mut out = format!(
        "{} {path} read through profile {} (first {shown} canonical row(s)):\n{t}\n",
        input.role.as_str(),
        profile.shown(),
    );
    let unmapped = source.unmapped();
    out.push_str(&format!(
        "unmapped columns (never copied into rejects or evidence): {}\n",
        if unmapped.is_empty() {
            "none".to_string()
        } else {
            unmapped.join(", ")
        }
    ));
    while source.next_row(&mut record)?.is_some() {}
    out.push_str(&flow(
        source.notes(),
        physical_lines(&input.path, profile.format)?,
        input.role,
    ));

    // Rejects of this file, by canonical column: values outside the listed ones, then every
    // other parse failure.
    let mine = rejects.iter().filter(|r| r.file == path);
    let mut unmapped_values: BTreeMap<(&str, String), (u64, u64)> = BTreeMap::new();
    let mut failures: BTreeMap<&str, (u64, &Reject)> = BTreeMap::new();
    for r in mine {
        if let Some(value) = listed_value(&r.reason) {
            let e = unmapped_values
                .entry((r.column.as_str(), value))
                .or_insert((0, r.line));
            e.0 += 1;
        }
        failures.entry(r.column.as_str()).or_insert((0, r)).0 += 1;
    }
    out.push_str("values that failed to map:");
    if unmapped_values.is_empty() {
        out.push_str(" none\n");
    } else {
        out.push('\n');
        for ((column, value), (n, line)) in &unmapped_values {
            out.push_str(&format!(
                "  {column}: `{value}` ×{n} (first on line {line}); add it to the profile's map\n"
            ));
        }
    }
    out.push_str("parse failures per column:");
    if failures.is_empty() {
        out.push_str(" none\n");
    } else {
        out.push('\n');
        for (column, (n, first)) in &failures {
            out.push_str(&format!(
                "  {column}: {n} row(s); first on line {}: {}\n",
                first.line, first.reason
            ));
        }
    }
    Ok(Some(out))
}

/// What became of every line of the file: physical lines → records read → skipped by a filter
/// → folded into another record's contact → canonical rows (contacts, tickets, surveys), so
/// "84 records → 45 contacts" is visible, with each filter's reason and count.
fn flow(notes: &SourceNotes, lines: Option<u64>, role: Role) -> String {
    let mut out = String::from("read: ");
    if let Some(lines) = lines {
        out.push_str(&format!("{lines} physical line(s) → "));
    }
    out.push_str(&format!("{} record(s)", notes.records));
    if notes.management_lines > 0 {
        out.push_str(&format!(
            " → {} queue or agent management line(s) set aside",
            notes.management_lines
        ));
    }
    out.push_str(&format!(
        " → {} skipped by filter → {} folded into another record's {} → {} {}\n",
        notes.skipped_total(),
        notes.folded,
        role.row_noun(),
        notes.rows,
        role.rows_noun(),
    ));
    for (reason, n) in &notes.skipped {
        out.push_str(&format!("  skipped: {reason}: {n}\n"));
    }
    out
}

/// The physical lines of a text source (LF, CRLF or a lone CR end a line; a last line without
/// an end counts); `None` for a workbook, whose rows are not lines.
fn physical_lines(path: &Path, format: Format) -> Result<Option<u64>> {
    if format == Format::Xlsx {
        return Ok(None);
    }
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last, mut after_cr) = (0u64, None, false);
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            lines += u64::from(b == b'\r' || (b == b'\n' && !after_cr));
            after_cr = b == b'\r';
        }
        last = Some(buf[n - 1]);
    }
    Ok(Some(
        lines + u64::from(last.is_some_and(|b| b != b'\n' && b != b'\r')),
    ))
}

/// The value of a "`X` is not one of …" reason.
fn listed_value(reason: &str) -> Option<String> {
    let rest = reason.strip_prefix('`')?;
    let (value, _) = rest.split_once("` is not one of")?;
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_value_is_read_from_its_reason() {
        assert_eq!(
            listed_value("`NO ANSWER` is not one of phone, online").as_deref(),
            Some("NO ANSWER")
        );
        assert_eq!(listed_value("required value is empty"), None);
    }
}
