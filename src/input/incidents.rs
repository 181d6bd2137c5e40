//! Reading the incident register (SPEC §9): one file listing every incident of the contract to
//! date. Rows are judged like every input (§2 bad rows, §8 duplicates, conflicting ids,
//! undeclared vendors); rows of later months are outside period whatever else is wrong with
//! them, while rows of the settled month and of every earlier month are judged and kept, since
//! the thresholds count over the whole contract. The register is small: it is read on the
//! calling thread and kept in memory.

use super::records::{Cells, RowCells as _, RowError};
use super::vendor::RowCounts;
use super::{csv_error, open, raw_row, Header, Reject, Role};
use crate::base::timestamp::{parse_timestamp, Instant};
use crate::base::word::Word;
use crate::contract::terms::IncidentKind;
use crate::error::{Error, Result};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::path::Path;

/// Column indexes of [`Role::Incidents`]' columns.
const ID: usize = 0;
const VENDOR: usize = 1;
const KIND: usize = 2;
const OCCURRED_AT: usize = 3;
const RECORDS: usize = 4;
const TO_COMPETITOR: usize = 5;
const WIDE: usize = 6;

/// The most records one incident may list: far beyond any real disclosure, and small enough
/// that no sum of them overflows.
const MAX_RECORDS: u64 = 1_000_000_000;

/// A declared vendor as the register reader sees it.
#[derive(Debug, Clone)]
pub struct RegisterVendor<'a> {
    /// The vendor id, matched exactly after trimming.
    pub id: &'a str,
    /// Whether the vendor is settled in this run (its rows are read).
    pub settled: bool,
    /// The kinds its terms for the settled month price.
    pub priced: [bool; 2],
    /// The start of the day after its last day of service, when its contract ends.
    pub ends: Option<Instant>,
}

/// One accepted incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Index of its vendor in the register's vendor list.
    pub vendor: usize,
    /// `incident_id`.
    pub id: String,
    /// The kind.
    pub kind: IncidentKind,
    /// When it occurred.
    pub occurred: Instant,
    /// Customer records disclosed (1 for a service breach).
    pub records: u64,
    /// Disclosed to a competitor of the platform.
    pub to_competitor: bool,
    /// A disclosure of wide scope.
    pub wide: bool,
    /// The physical line it is on.
    pub line: u64,
}

/// The register as read.
#[derive(Debug, Clone)]
pub struct Register {
    /// The file as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows (not counting the header).
    pub rows: u64,
    /// Per vendor, in the order given to [`read`].
    pub counts: Vec<RowCounts>,
    /// Accepted incidents up to the end of the settled month, in file order.
    pub incidents: Vec<Incident>,
    /// Rejected rows, in file order.
    pub rejects: Vec<Reject>,
}

/// A row after the row rules, before the duplicate check.
struct Judged {
    vendor: usize,
    line: u64,
    raw: String,
    outcome: std::result::Result<Incident, RowError>,
}

/// Reads the register at `path`. `month` is `[start, end)` of the settled month; `None` (`check`
/// without `--month`) reads every row as in period.
pub fn read(
    path: &Path,
    tz: Tz,
    month: Option<(Instant, Instant)>,
    vendors: &[RegisterVendor],
    filtered: bool,
) -> Result<Register> {
    super::diagnose::check(path, Role::Incidents, None)?;
    let shown = path.display().to_string();
    let mut reader = open(path)?;
    let mut record = csv::ByteRecord::new();
    let columns = Role::Incidents.columns();
    let mut out = Register {
        path: shown.clone(),
        sha256: String::new(),
        rows: 0,
        counts: vec![RowCounts::default(); vendors.len()],
        incidents: Vec::new(),
        rejects: Vec::new(),
    };
    let read_err = |e| csv_error(path, e);
    if !reader.read_byte_record(&mut record).map_err(read_err)? {
        return Err(Error::BadFile {
            path: shown,
            line: 1,
            message: format!(
                "the file is empty: it needs a header row ({})",
                columns.iter().map(|c| c.0).collect::<Vec<_>>().join(",")
            ),
        });
    }
    let header = Header::map(Role::Incidents, &record, &shown)?;
    let mut judged: Vec<Judged> = Vec::new();
    let reject = |out: &mut Register, line, column: &str, reason: String, raw, v: Option<usize>| {
        if let Some(v) = v {
            out.counts[v].rows += 1;
            out.counts[v].rejected += 1;
        }
        out.rejects.push(Reject {
            file: shown.clone(),
            line,
            column: column.to_string(),
            reason,
            raw,
            vendor: v,
        });
    };
    while reader.read_byte_record(&mut record).map_err(read_err)? {
        let start = record.position().map_or(0, |p| p.byte());
        let line = reader.get_mut().line_of(start);
        out.rows += 1;
        let cells = Cells::new(&record, &header, columns);
        let vendor_cell = cells.get(VENDOR);
        let vendor = vendors.iter().position(|v| v.id.as_bytes() == vendor_cell);
        let shape =
            super::source::SourceRow::shaped(super::pipeline::Shape::of_record(line, &record));
        if let Some(reason) = shape.shape_problem().or_else(|| {
            (record.len() != header.width).then(|| {
                format!(
                    "has {} fields, the header has {}",
                    record.len(),
                    header.width
                )
            })
        }) {
            let v = vendor.filter(|&v| vendors[v].settled);
            if vendor.is_none_or(|v| vendors[v].settled) && !(vendor.is_none() && filtered) {
                reject(&mut out, line, "(row)", reason, raw_row(&record), v);
            }
            continue;
        }
        // Later rows are outside the period whatever else is wrong with them (SPEC §9).
        if let Ok(at) = parse_timestamp(cells.get(OCCURRED_AT), tz) {
            let after_month = month.is_some_and(|(_, end)| at >= end);
            let after_contract = vendor
                .and_then(|v| vendors[v].ends)
                .is_some_and(|e| at >= e);
            if after_month || after_contract {
                if let Some(v) = vendor.filter(|&v| vendors[v].settled) {
                    out.counts[v].rows += 1;
                    out.counts[v].outside_period += 1;
                }
                continue;
            }
        }
        let v = match vendor {
            None if vendor_cell.is_empty() => {
                let reason = "required value is empty".to_string();
                reject(&mut out, line, "vendor", reason, raw_row(&record), None);
                continue;
            }
            None if filtered => continue,
            None => {
                let reason = format!(
                    "`{}` is not declared in rates.toml (declare it under [vendors] or fix the register)",
                    String::from_utf8_lossy(vendor_cell)
                );
                reject(&mut out, line, "vendor", reason, raw_row(&record), None);
                continue;
            }
            Some(v) if !vendors[v].settled => continue,
            Some(v) => v,
        };
        judged.push(Judged {
            vendor: v,
            line,
            raw: raw_row(&record),
            outcome: judge(&cells, tz, v, &vendors[v], line),
        });
    }
    out.sha256 = reader.get_ref().hex_digest();

    // Any disagreement among rows sharing an id rejects all of them, also when one of them is
    // rejected for a reason of its own (SPEC §8); exact repeats count once.
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, j) in judged.iter().enumerate() {
        if let Ok(x) = &j.outcome {
            by_id.entry(x.id.as_str()).or_default().push(i);
        }
    }
    let ids_of_rejected: HashMap<&str, Vec<u64>> = {
        let mut m: HashMap<&str, Vec<u64>> = HashMap::new();
        for j in &judged {
            if j.outcome.is_err() {
                if let Ok(id) = cells_id(&j.raw, &header) {
                    if let Some(id) = by_id.get_key_value(id.as_str()).map(|(k, _)| *k) {
                        m.entry(id).or_default().push(j.line);
                    }
                }
            }
        }
        m
    };
    for j in &judged {
        let v = j.vendor;
        match &j.outcome {
            Err(e) => reject(
                &mut out,
                j.line,
                &e.column,
                e.reason.to_string(),
                j.raw.clone(),
                Some(v),
            ),
            Ok(x) => {
                let rows = &by_id[x.id.as_str()];
                let first = &judged[rows[0]];
                let same = |i: &usize| match &judged[*i].outcome {
                    Ok(y) => same_values(x, y),
                    Err(_) => false,
                };
                let bad_lines = ids_of_rejected.get(x.id.as_str());
                if bad_lines.is_some() || !rows.iter().all(same) {
                    let mut lines: Vec<u64> = rows.iter().map(|i| judged[*i].line).collect();
                    lines.extend(bad_lines.into_iter().flatten());
                    lines.sort_unstable();
                    let list = lines
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ");
                    let reason = format!(
                        "id `{}` appears on lines {list} with different cells; correct the register so one row remains",
                        x.id
                    );
                    reject(
                        &mut out,
                        j.line,
                        "incident_id",
                        reason,
                        j.raw.clone(),
                        Some(v),
                    );
                } else if !std::ptr::eq(first, j) {
                    out.counts[v].rows += 1;
                    out.counts[v].duplicates += 1;
                } else {
                    out.counts[v].rows += 1;
                    match month {
                        Some((start, _)) if x.occurred < start => out.counts[v].before_period += 1,
                        _ => out.counts[v].in_period += 1,
                    }
                    out.incidents.push(x.clone());
                }
            }
        }
    }
    out.rejects.sort_by_key(|x| x.line);
    Ok(out)
}

/// The trimmed `incident_id` of a raw row, for tying a rejected row to the id it shares.
fn cells_id(raw: &str, header: &Header) -> std::result::Result<String, ()> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(raw.as_bytes());
    let mut record = csv::ByteRecord::new();
    match r.read_byte_record(&mut record) {
        Ok(true) => {
            let cells = Cells::new(&record, header, Role::Incidents.columns());
            let id = cells.get(ID);
            if id.is_empty() {
                return Err(());
            }
            std::str::from_utf8(id).map(str::to_string).map_err(|_| ())
        }
        _ => Err(()),
    }
}

/// Two rows of one id agree when every known column parses to the same value (the note is no
/// part of the check).
fn same_values(a: &Incident, b: &Incident) -> bool {
    (
        a.vendor,
        a.kind,
        a.occurred,
        a.records,
        a.to_competitor,
        a.wide,
    ) == (
        b.vendor,
        b.kind,
        b.occurred,
        b.records,
        b.to_competitor,
        b.wide,
    )
}

/// The row rules of one in-period or earlier row of a settled vendor.
fn judge(
    cells: &Cells,
    tz: Tz,
    v: usize,
    vendor: &RegisterVendor,
    line: u64,
) -> std::result::Result<Incident, RowError> {
    let id = cells.text(ID)?.to_string();
    let kind_cell = cells.required(KIND)?;
    let kind = IncidentKind::parse(kind_cell).ok_or_else(|| {
        RowError::new(
            "kind",
            format!(
                "`{}` is not one of confidentiality, service_breach",
                String::from_utf8_lossy(kind_cell)
            ),
        )
    })?;
    let occurred = cells.timestamp(OCCURRED_AT, tz)?;
    let records_cell = cells.get(RECORDS);
    let records = match kind {
        IncidentKind::Confidentiality => {
            if records_cell.is_empty() {
                return Err(RowError::new(
                    "records",
                    "required for a confidentiality incident: the number of customer records disclosed",
                ));
            }
            whole_number(records_cell)?
        }
        IncidentKind::ServiceBreach => match records_cell {
            b"" => 1,
            _ if whole_number(records_cell)? == 1 => 1,
            _ => {
                return Err(RowError::new(
                    "records",
                    "a service breach counts once: leave records empty or write 1 (list each breach on its own row)",
                ))
            }
        },
    };
    let to_competitor = flag(cells, TO_COMPETITOR)?;
    let wide = flag(cells, WIDE)?;
    if !vendor.priced[kind as usize] {
        return Err(RowError::new(
            "kind",
            format!(
                "no terms for this kind: rates.toml has no [incidents.{}] for vendor {}",
                kind.as_str(),
                vendor.id
            ),
        ));
    }
    Ok(Incident {
        vendor: v,
        id,
        kind,
        occurred,
        records,
        to_competitor: to_competitor && kind == IncidentKind::Confidentiality,
        wide: wide && kind == IncidentKind::Confidentiality,
        line,
    })
}

/// ASCII digits, a whole number from 1 to [`MAX_RECORDS`].
fn whole_number(cell: &[u8]) -> std::result::Result<u64, RowError> {
    if !cell.iter().all(u8::is_ascii_digit) {
        return Err(RowError::new(
            "records",
            format!(
                "`{}` is not a whole number written in digits",
                String::from_utf8_lossy(cell)
            ),
        ));
    }
    let n = std::str::from_utf8(cell)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|n| *n <= MAX_RECORDS);
    match n {
        Some(0) => Err(RowError::new(
            "records",
            "0 records: an incident discloses at least 1 record",
        )),
        Some(n) => Ok(n),
        None => Err(RowError::new(
            "records",
            format!("more than {MAX_RECORDS} records: check the figure"),
        )),
    }
}

/// `true`/`false`, `yes`/`no`, `1`/`0`, `是`/`否`, any case; empty is false.
fn flag(cells: &Cells, i: usize) -> std::result::Result<bool, RowError> {
    let c = cells.get(i);
    let lower = c.to_ascii_lowercase();
    match lower.as_slice() {
        b"" | b"false" | b"no" | b"0" => Ok(false),
        b"true" | b"yes" | b"1" => Ok(true),
        _ if c == "否".as_bytes() => Ok(false),
        _ if c == "是".as_bytes() => Ok(true),
        _ => Err(RowError::new(
            cells.name(i),
            format!(
                "`{}` is not one of true, false (yes/no, 1/0, 是/否)",
                String::from_utf8_lossy(c)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn month() -> (Instant, Instant) {
        crate::base::timestamp::Month::parse("2026-10")
            .unwrap()
            .bounds(TZ)
    }

    fn vendors() -> Vec<RegisterVendor<'static>> {
        vec![
            RegisterVendor {
                id: "acme",
                settled: true,
                priced: [true, true],
                ends: None,
            },
            RegisterVendor {
                id: "brightline",
                settled: true,
                priced: [false, true],
                ends: Some(parse_timestamp(b"2026-10-16 00:00", TZ).unwrap()),
            },
        ]
    }

    fn read_text(text: &str) -> Register {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        read(f.path(), TZ, Some(month()), &vendors(), false).unwrap()
    }

    const HEADER: &str = "incident_id,vendor,kind,occurred_at,records,to_competitor,wide,note\n";

    #[test]
    fn spec_9_earlier_rows_count_later_rows_are_outside_period() {
        let r = read_text(&format!(
            "{HEADER}I1,acme,confidentiality,2026-08-03 10:00,5,,,leak\n\
             I2,acme,service_breach,2026-10-03 10:00,,no,,\n\
             I3,acme,service_breach,2026-11-01 00:00,oops,maybe,,\n\
             I4,acme,Confidentiality,2026-10-31 23:59:59,2,是,YES,\n"
        ));
        assert!(r.rejects.is_empty(), "{:?}", r.rejects);
        let c = r.counts[0];
        assert_eq!(
            (c.rows, c.in_period, c.before_period, c.outside_period),
            (4, 2, 1, 1)
        );
        let ids: Vec<&str> = r.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["I1", "I2", "I4"]);
        assert!(r.incidents[2].to_competitor && r.incidents[2].wide);
        assert_eq!(r.incidents[1].records, 1);
    }

    #[test]
    fn spec_9_bad_rows_are_named() {
        let r = read_text(&format!(
            "{HEADER}I1,acme,leak,2026-10-03 10:00,1,,,\n\
             I2,acme,confidentiality,2026-10-03 10:00,,,,\n\
             I3,acme,confidentiality,2026-10-03 10:00,0,,,\n\
             I4,acme,confidentiality,2026-10-03 10:00,1.5,,,\n\
             I5,acme,service_breach,2026-10-03 10:00,2,,,\n\
             I6,acme,confidentiality,2026-10-03 10:00,1,perhaps,,\n\
             I7,nobody,confidentiality,2026-10-03 10:00,1,,,\n\
             I8,brightline,confidentiality,2026-10-03 10:00,1,,,\n\
             I9,acme,confidentiality,yesterday,1,,,\n\
             ,acme,confidentiality,2026-10-03 10:00,1,,,\n\
             I10,acme,confidentiality,2026-10-03 10:00,1,,\n"
        ));
        let got: Vec<String> = r
            .rejects
            .iter()
            .map(|x| format!("{}: {}", x.line, x.column))
            .collect();
        assert_eq!(
            got,
            [
                "2: kind",
                "3: records",
                "4: records",
                "5: records",
                "6: records",
                "7: to_competitor",
                "8: vendor",
                "9: kind",
                "10: occurred_at",
                "11: incident_id",
                "12: (row)"
            ]
        );
        assert!(r.rejects[7].reason.contains("no terms for this kind"));
        assert_eq!(r.counts[0].rejected, 9);
        assert_eq!(r.counts[1].rejected, 1);
        assert!(r.incidents.is_empty());
    }

    #[test]
    fn spec_8_duplicates_count_once_conflicts_reject_every_row() {
        let r = read_text(&format!(
            "{HEADER}I1,acme,confidentiality,2026-10-03 10:00,3,,,first\n\
             I1,acme,confidentiality,2026-10-03T10:00:00+08:00,3,false,0,same incident\n\
             I2,acme,service_breach,2026-10-04 10:00,,,,\n\
             I2,acme,service_breach,2026-10-05 10:00,,,,\n\
             I3,acme,service_breach,2026-10-04 10:00,,,,\n\
             I3,acme,service_breach,2026-10-04 10:00,x,,,\n"
        ));
        let c = r.counts[0];
        assert_eq!(
            (c.rows, c.in_period, c.duplicates, c.rejected),
            (6, 1, 1, 4)
        );
        assert_eq!(r.incidents.len(), 1);
        let i2: Vec<&Reject> = r
            .rejects
            .iter()
            .filter(|x| x.column == "incident_id")
            .collect();
        assert_eq!(i2.len(), 3);
        assert!(i2[0].reason.contains("lines 4, 5"), "{}", i2[0].reason);
        assert!(i2[2].reason.contains("lines 6, 7"), "{}", i2[2].reason);
    }

    #[test]
    fn spec_12_rows_at_or_after_the_contract_end_are_outside_period() {
        let r = read_text(&format!(
            "{HEADER}B1,brightline,service_breach,2026-10-15 23:59,,,,\n\
             B2,brightline,service_breach,2026-10-16 00:00,,,,\n\
             B3,brightline,service_breach,2026-10-20 00:00,bad,,,\n"
        ));
        let c = r.counts[1];
        assert_eq!((c.rows, c.in_period, c.outside_period), (3, 1, 2));
        assert!(r.rejects.is_empty());
    }
}
