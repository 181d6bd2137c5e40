//! Reading one sheet of an `.xlsx` workbook as rows of text cells (issue 4 item 3), so the
//! mapping layer can treat a workbook exactly like a CSV file: one `RawRecord` per row, the
//! row's number as Excel shows it standing in for the CSV line.
//!
//! Cells become the text a careful person would type for them, never a float computed from them:
//!
//! - text as-is; `TRUE` / `FALSE`; an empty cell empty; an error cell as Excel writes it (`#N/A`,
//!   `#DIV/0!` …), so a mapping that uses the cell rejects it;
//! - a number by the shortest decimal that reads back as the same double (Excel stores binary
//!   doubles: `0.1` is stored as the double nearest 0.1 and comes back as `0.1`), in plain digits,
//!   never in exponent form;
//! - a date or time cell (a number with a date format) through the workbook's date system as
//!   `YYYY-MM-DD HH:MM:SS`, or `YYYY-MM-DD HH:MM:SS.fff` when the milliseconds are not zero.
//!   The serial's shortest decimal is split into days and a fraction with exact decimals, and the
//!   time of day is rounded half-even to the millisecond, Excel's own precision. A time-only cell
//!   (serial below 1) carries the epoch's day 0: `1899-12-31` (1900 system) or `1904-01-01`.
//!   Serial 60 of the 1900 system is the day Excel believes in, `1900-02-29`, written as such so
//!   a timestamp parser rejects it. A serial outside Excel's dates (negative, after 9999-12-31)
//!   is written as a number;
//! - a duration cell (`[h]:mm:ss` formats) as `H:MM:SS[.fff]`, hours unbounded, as Excel shows it;
//! - an ISO 8601 date cell (`t="d"`) normalized to the same `YYYY-MM-DD HH:MM:SS[.fff]` form when
//!   it carries no offset; otherwise as written.
//!
//! Rows and columns keep Excel's positions: field 0 of a record is column A (leading empty columns
//! give empty fields), every row is as wide as the sheet's used range, and the row number returned
//! is the one Excel shows. Rows whose every cell is empty are skipped, as a CSV reader skips blank
//! lines; the numbers of the rows around them stay true.

use super::delimited::RawRecord;
use super::hex;
use crate::error::{Error, Result};
use calamine::{Data, Range, Reader, Xlsx, XlsxError};
use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::io::Cursor;
use std::path::Path;
use std::str::FromStr;

/// Milliseconds in a day: Excel keeps time of day to the millisecond.
const MS_PER_DAY: i64 = 86_400_000;

/// The first serial past Excel's last date, 9999-12-31, in the 1900 system (the 1904 system
/// ends 1462 days earlier; the calendar check below catches those).
const SERIAL_END_1900: f64 = 2_958_466.0;

/// The first bytes of an OLE compound file: an Excel 97-2003 `.xls`, or an encrypted `.xlsx`.
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The date system a workbook counts its serials in (`date1904` in workbook.xml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateSystem {
    /// Serial 1 is 1900-01-01, with Lotus 1-2-3's fictitious 1900-02-29 as serial 60.
    Excel1900,
    /// Serial 0 is 1904-01-01 (older Excel for Mac).
    Excel1904,
}

/// One sheet of a workbook, read into memory (xlsx is a zip: it cannot be streamed row by row).
pub struct SheetRows {
    sha256: String,
    range: Range<Data>,
    dates: DateSystem,
    /// Excel's number (1-based) of the used range's first row.
    first_row: u64,
    /// Empty fields before the used range's first column, so field 0 is column A.
    lead_columns: usize,
    /// Index into the range of the next row to look at.
    next: usize,
    /// Scratch for one cell's text, reused across cells.
    text: String,
}

impl SheetRows {
    /// Opens `path`, hashes its bytes (SHA-256, lowercase hex), and loads `sheet` (by name;
    /// None = the first sheet). The file is read into memory once, so the hash is of the very
    /// bytes the workbook is read from. A sheet name matches exactly or, failing that, ignoring
    /// case, as Excel does (it allows no two sheets whose names differ only in case).
    ///
    /// A file that cannot be read is an I/O error (exit 74); a file that is not an `.xlsx`
    /// workbook, or has no sheet of that name, is a bad file (exit 65) whose message says what to
    /// do.
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<SheetRows> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let sha256 = hex(&Sha256::digest(&bytes));
        let bad = |message: String| Error::BadFile {
            path: path.display().to_string(),
            line: 0,
            message,
        };
        let is_ole = bytes.starts_with(OLE_MAGIC);
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
                bad(match e {
                    XlsxError::Password => {
                        "is password-protected; save an unprotected copy as .xlsx".to_string()
                    }
                    _ if is_ole => "is an Excel 97-2003 workbook (.xls), not .xlsx; open it in \
                                    Excel and save it as \"Excel Workbook (.xlsx)\""
                        .to_string(),
                    e => format!(
                        "cannot be read as an .xlsx workbook ({e}); open it in Excel and save it \
                         again as \"Excel Workbook (.xlsx)\""
                    ),
                })
            })?;
        let names = book.sheet_names();
        let name = match sheet {
            Some(wanted) => match names.iter().find(|n| *n == wanted).or_else(|| {
                names
                    .iter()
                    .find(|n| n.to_lowercase() == wanted.to_lowercase())
            }) {
                Some(found) => found.clone(),
                None => {
                    return Err(bad(format!(
                        "has no sheet named `{wanted}` (its sheets: {}); name one of these",
                        sheet_list(&names)
                    )))
                }
            },
            None => match names.first() {
                Some(first) => first.clone(),
                None => return Err(bad("has no sheets; export the data again".to_string())),
            },
        };
        let range = book.worksheet_range(&name).map_err(|e| {
            bad(format!(
                "sheet `{name}` cannot be read ({e}); choose a worksheet of the workbook (its \
                 sheets: {}), or save the workbook again from Excel",
                sheet_list(&names)
            ))
        })?;
        let dates = if book.has_1904_epoch() {
            DateSystem::Excel1904
        } else {
            DateSystem::Excel1900
        };
        let (first_row, lead_columns) = range
            .start()
            .map_or((1, 0), |(row, col)| (u64::from(row) + 1, col as usize));
        Ok(SheetRows {
            sha256,
            range,
            dates,
            first_row,
            lead_columns,
            next: 0,
            text: String::new(),
        })
    }

    /// Lowercase hex SHA-256 of the workbook file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Fills `record` with the next row's cells as UTF-8 text and returns its 1-based sheet row
    /// number (the "line" in error messages); None after the last row.
    ///
    /// Field 0 is column A and every row has the same width, the used range's. Rows whose every
    /// cell is empty are skipped (as blank lines of a CSV file are), so row numbers can jump; the
    /// number returned is always the one Excel shows.
    pub fn next_row(&mut self, record: &mut RawRecord) -> Option<u64> {
        // Cells are looked up by position: calamine's row iterator has no O(1) skip to a row.
        let (height, width) = (self.range.height(), self.range.width());
        while self.next < height {
            let row = self.next;
            self.next += 1;
            record.clear();
            for _ in 0..self.lead_columns {
                record.push_field(b"");
            }
            let mut blank = true;
            for col in 0..width {
                self.text.clear();
                if let Some(cell) = self.range.get((row, col)) {
                    cell_text(cell, self.dates, &mut self.text);
                }
                blank &= self.text.is_empty();
                record.push_field(self.text.as_bytes());
            }
            if !blank {
                return Some(self.first_row + row as u64);
            }
        }
        record.clear();
        None
    }
}

/// Sheet names as `` `a`, `b` `` for messages.
fn sheet_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends the text of one cell to `out`.
fn cell_text(cell: &Data, dates: DateSystem, out: &mut String) {
    match cell {
        Data::Empty => {}
        Data::String(s) => out.push_str(s),
        Data::Bool(true) => out.push_str("TRUE"),
        Data::Bool(false) => out.push_str("FALSE"),
        Data::Error(e) => {
            let _ = write!(out, "{e}");
        }
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => number_text(*f, out),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            let mark = out.len();
            let done = if dt.is_duration() {
                duration_text(serial, out)
            } else {
                datetime_text(serial, dates, out)
            };
            if done.is_none() {
                out.truncate(mark);
                number_text(serial, out);
            }
        }
        Data::DateTimeIso(s) => iso_text(s, out),
        Data::DurationIso(s) => out.push_str(s),
    }
}

/// Appends a double as the shortest decimal that reads back as the same double, in plain digits.
/// Rust's `Display` for `f64` is exactly that (shortest round-trip, never exponent form), so the
/// double is printed, not computed with.
fn number_text(value: f64, out: &mut String) {
    if !value.is_finite() {
        // Excel cannot store these; its name for an impossible number keeps the cell unusable.
        out.push_str("#NUM!");
    } else if value == 0.0 {
        // -0 shows as 0 in Excel.
        out.push('0');
    } else {
        let _ = write!(out, "{value}");
    }
}

/// A serial as exact days and milliseconds, rounded half-even to the millisecond with a time of
/// day that rounds up to 24:00 carried into the next day. `None` when negative or too large to be
/// a date or duration.
fn split_serial(serial: f64) -> Option<(i64, i64)> {
    if !serial.is_finite() || serial < 0.0 {
        return None;
    }
    // The shortest decimal of the double is the serial Excel wrote; from there on it is exact.
    let exact = Decimal::from_str(&serial.to_string()).ok()?;
    let days = exact.trunc();
    let ms = ((exact - days) * Decimal::from(MS_PER_DAY))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven)
        .to_i64()?;
    let days = days.to_i64()?;
    Some(if ms == MS_PER_DAY {
        (days + 1, 0)
    } else {
        (days, ms)
    })
}

/// Appends `:MM:SS` of `ms`, then `.fff` when it has a millisecond part; the caller writes the
/// hours, padded for a time of day, unbounded for a duration.
fn minutes_seconds(ms: i64, out: &mut String) {
    let (secs, milli) = (ms / 1000, ms % 1000);
    let _ = write!(out, ":{:02}:{:02}", secs / 60 % 60, secs % 60);
    if milli != 0 {
        let _ = write!(out, ".{milli:03}");
    }
}

/// Appends a date cell's serial as `YYYY-MM-DD HH:MM:SS[.fff]` in the workbook's date system;
/// `None` (with part of it possibly appended) when the serial is not one of Excel's dates,
/// 0 to 9999-12-31 23:59:59.999.
fn datetime_text(serial: f64, dates: DateSystem, out: &mut String) -> Option<()> {
    if serial >= SERIAL_END_1900 {
        return None;
    }
    let (days, ms) = split_serial(serial)?;
    match dates {
        // Excel counts 1900 as a leap year (Lotus 1-2-3 compatibility): serial 60 is a day that
        // never was, and the serials before it are one day later than a plain count from
        // 1899-12-30 would make them.
        DateSystem::Excel1900 if days == 60 => out.push_str("1900-02-29"),
        DateSystem::Excel1900 if days < 60 => date_text((1899, 12, 31), days, out)?,
        DateSystem::Excel1900 => date_text((1899, 12, 30), days, out)?,
        DateSystem::Excel1904 => date_text((1904, 1, 1), days, out)?,
    }
    let _ = write!(out, " {:02}", ms / 3_600_000);
    minutes_seconds(ms, out);
    Some(())
}

/// Appends the date `days` after `epoch` (year, month, day) as `YYYY-MM-DD`; `None` past year
/// 9999, where Excel's dates end.
fn date_text((year, month, day): (i32, u32, u32), days: i64, out: &mut String) -> Option<()> {
    let date = NaiveDate::from_ymd_opt(year, month, day)?
        .checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))?;
    if date.year() > 9999 {
        return None;
    }
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month(),
        date.day()
    );
    Some(())
}

/// Appends a duration cell's days as `H:MM:SS[.fff]` (hours not wrapped at 24, `-` when
/// negative), as Excel's `[h]:mm:ss` shows it; `None` when too large.
fn duration_text(days: f64, out: &mut String) -> Option<()> {
    let (whole, ms) = split_serial(days.abs())?;
    let total = whole.checked_mul(MS_PER_DAY)?.checked_add(ms)?;
    if days < 0.0 && total != 0 {
        out.push('-');
    }
    let _ = write!(out, "{}", total / 3_600_000);
    minutes_seconds(total, out);
    Some(())
}

/// Appends an ISO 8601 date cell without an offset (`2025-10-01`, `2025-10-01T09:00:00.5`) in the
/// form of date cells, `YYYY-MM-DD HH:MM:SS[.fff]`; anything else (an offset, a time alone, more
/// than millisecond digits) as written, for the timestamp parser to judge.
fn iso_text(iso: &str, out: &mut String) {
    let (date, time) = iso.split_once('T').unwrap_or((iso, "00:00:00"));
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    // chrono accepts unpadded fields; the lengths insist on the padded ISO form.
    let valid = date.len() == 10
        && NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
        && clock.len() == 8
        && chrono::NaiveTime::parse_from_str(clock, "%H:%M:%S").is_ok()
        && fraction.len() <= 3
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        out.push_str(iso);
        return;
    }
    let _ = write!(out, "{date} {clock}");
    if fraction.bytes().any(|b| b != b'0') {
        let _ = write!(out, ".{fraction:0<3}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn num(v: f64) -> String {
        let mut s = String::new();
        number_text(v, &mut s);
        s
    }

    fn datetime(serial: f64, dates: DateSystem) -> Option<String> {
        let mut s = String::new();
        datetime_text(serial, dates, &mut s).map(|()| s)
    }

    fn duration(days: f64) -> Option<String> {
        let mut s = String::new();
        duration_text(days, &mut s).map(|()| s)
    }

    fn iso(text: &str) -> String {
        let mut s = String::new();
        iso_text(text, &mut s);
        s
    }

    fn dt1900(serial: f64) -> String {
        datetime(serial, DateSystem::Excel1900).unwrap()
    }

    fn dt1904(serial: f64) -> String {
        datetime(serial, DateSystem::Excel1904).unwrap()
    }

    #[test]
    fn numbers_print_as_their_shortest_round_trip_decimal() {
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(1234567.89), "1234567.89");
        assert_eq!(num(-42.75), "-42.75");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(9007199254740993.0), "9007199254740992");
        assert_eq!(num(123456789012345678.0), "123456789012345680");
    }

    #[test]
    fn numbers_never_print_in_exponent_form() {
        assert_eq!(num(1e21), "1000000000000000000000");
        assert_eq!(num(1.5e22), "15000000000000000000000");
        assert_eq!(num(1e-7), "0.0000001");
        assert_eq!(num(-2.5e-10), "-0.00000000025");
    }

    #[test]
    fn impossible_numbers_print_as_excel_num_error() {
        assert_eq!(num(f64::NAN), "#NUM!");
        assert_eq!(num(f64::INFINITY), "#NUM!");
    }

    #[test]
    fn serial_45931_is_2025_10_01_in_the_1900_system() {
        assert_eq!(dt1900(45931.0), "2025-10-01 00:00:00");
        assert_eq!(dt1900(45931.375), "2025-10-01 09:00:00");
        // 0.500011574 day = 43200999.9936 ms: 12:00:01 exactly, no millisecond part.
        assert_eq!(dt1900(45931.500011574), "2025-10-01 12:00:01");
        assert_eq!(dt1900(45931.5000115741), "2025-10-01 12:00:01");
    }

    #[test]
    fn milliseconds_print_only_when_not_zero() {
        // 9:00:00.250 = (32400 + 0.25) / 86400 = 0.375002893518518...
        assert_eq!(dt1900(45931.37500289352), "2025-10-01 09:00:00.250");
        // 0.0000005787 day = 49.99968 ms -> 50 ms.
        assert_eq!(dt1900(45931.0000005787), "2025-10-01 00:00:00.050");
    }

    #[test]
    fn time_of_day_rounds_half_even_to_the_millisecond() {
        // A half millisecond is 1/172800000 day; odd multiples of 27 of it have finite decimals:
        // 27 halves = 0.00000015625 day = 13.5 ms -> 14; 81 halves = 0.00000046875 = 40.5 -> 40.
        assert_eq!(split_serial(45931.00000015625), Some((45931, 14)));
        assert_eq!(split_serial(45931.00000046875), Some((45931, 40)));
        assert_eq!(dt1900(45931.00000046875), "2025-10-01 00:00:00.040");
    }

    #[test]
    fn a_time_that_rounds_to_midnight_carries_into_the_next_day() {
        // 0.999999999 day = 86399999.9136 ms -> 86400000 ms.
        assert_eq!(dt1900(45931.999999999), "2025-10-02 00:00:00");
        // 0.99999999 day = 86399999.136 ms -> 23:59:59.999.
        assert_eq!(dt1900(45931.99999999), "2025-10-01 23:59:59.999");
    }

    #[test]
    fn serials_around_the_1900_leap_year_bug() {
        assert_eq!(dt1900(1.0), "1900-01-01 00:00:00");
        assert_eq!(dt1900(59.0), "1900-02-28 00:00:00");
        assert_eq!(dt1900(60.0), "1900-02-29 00:00:00");
        assert_eq!(dt1900(60.5), "1900-02-29 12:00:00");
        assert_eq!(dt1900(61.0), "1900-03-01 00:00:00");
        // The carry from day 59 lands on the fictitious day.
        assert_eq!(dt1900(59.999999999), "1900-02-29 00:00:00");
        // Time-only cells carry day 0.
        assert_eq!(dt1900(0.375), "1899-12-31 09:00:00");
    }

    #[test]
    fn the_1904_system_is_1462_days_behind() {
        assert_eq!(dt1904(0.0), "1904-01-01 00:00:00");
        // 45931 (2025-10-01 in the 1900 system) less 1462 days.
        assert_eq!(dt1904(44469.0), "2025-10-01 00:00:00");
        assert_eq!(dt1904(44469.375), "2025-10-01 09:00:00");
        // No fictitious day in 1904: 1904-02-29 is real (serial 59).
        assert_eq!(dt1904(59.0), "1904-02-29 00:00:00");
    }

    #[test]
    fn serials_outside_excel_dates_are_not_dates() {
        assert_eq!(datetime(-1.0, DateSystem::Excel1900), None);
        assert_eq!(datetime(2_958_466.0, DateSystem::Excel1900), None);
        assert_eq!(
            datetime(2_958_465.5, DateSystem::Excel1900).as_deref(),
            Some("9999-12-31 12:00:00")
        );
        assert_eq!(datetime(2_958_465.0, DateSystem::Excel1904), None);
        assert_eq!(datetime(1e300, DateSystem::Excel1904), None);
        // A tiny positive serial parses (rounded at 28 places) and is day 0.
        assert_eq!(dt1900(1e-30), "1899-12-31 00:00:00");
        let mut s = String::new();
        cell_text(
            &Data::DateTime(calamine::ExcelDateTime::new(
                -1.5,
                calamine::ExcelDateTimeType::DateTime,
                false,
            )),
            DateSystem::Excel1900,
            &mut s,
        );
        assert_eq!(s, "-1.5");
    }

    #[test]
    fn durations_print_as_unwrapped_hours() {
        assert_eq!(duration(0.25).as_deref(), Some("6:00:00"));
        assert_eq!(duration(1.5).as_deref(), Some("36:00:00"));
        // 330 s = 0.003819444... day.
        assert_eq!(duration(0.00381944444444444).as_deref(), Some("0:05:30"));
        assert_eq!(duration(-0.25).as_deref(), Some("-6:00:00"));
        assert_eq!(duration(-0.0).as_deref(), Some("0:00:00"));
        assert_eq!(duration(0.0000005787).as_deref(), Some("0:00:00.050"));
    }

    #[test]
    fn iso_date_cells_take_the_date_cell_form() {
        assert_eq!(iso("2025-10-01T09:00:00"), "2025-10-01 09:00:00");
        assert_eq!(iso("2025-10-01T09:00:00.5"), "2025-10-01 09:00:00.500");
        assert_eq!(iso("2025-10-01T09:00:00.000"), "2025-10-01 09:00:00");
        assert_eq!(iso("2025-10-01"), "2025-10-01 00:00:00");
        // Left for the timestamp parser: an offset, a time alone, finer than milliseconds.
        assert_eq!(iso("2025-10-01T09:00:00Z"), "2025-10-01T09:00:00Z");
        assert_eq!(iso("09:00:00"), "09:00:00");
        assert_eq!(iso("2025-10-01T09:00:00.1234"), "2025-10-01T09:00:00.1234");
        assert_eq!(iso("2025-02-30T09:00:00"), "2025-02-30T09:00:00");
    }

    #[test]
    fn cells_of_every_kind_print_as_text() {
        let text = |cell: Data| {
            let mut s = String::new();
            cell_text(&cell, DateSystem::Excel1900, &mut s);
            s
        };
        assert_eq!(text(Data::String(" as-is ".into())), " as-is ");
        assert_eq!(text(Data::Bool(true)), "TRUE");
        assert_eq!(text(Data::Bool(false)), "FALSE");
        assert_eq!(text(Data::Empty), "");
        assert_eq!(text(Data::Error(calamine::CellErrorType::NA)), "#N/A");
        assert_eq!(text(Data::Error(calamine::CellErrorType::Div0)), "#DIV/0!");
        assert_eq!(text(Data::Int(-7)), "-7");
        assert_eq!(text(Data::Float(0.1)), "0.1");
        assert_eq!(text(Data::DurationIso("PT1H".into())), "PT1H");
    }

    /// A workbook written by `rust_xlsxwriter` into `dir`.
    fn book(dir: &Path, name: &str, build: impl FnOnce(&mut rust_xlsxwriter::Workbook)) -> PathBuf {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        build(&mut workbook);
        let path = dir.join(name);
        workbook.save(&path).unwrap();
        path
    }

    /// Every row of a sheet as (row number, fields).
    fn rows(sheet: &mut SheetRows) -> Vec<(u64, Vec<String>)> {
        let mut record = RawRecord::new();
        let mut out = Vec::new();
        while let Some(line) = sheet.next_row(&mut record) {
            let fields = record
                .iter()
                .map(|f| String::from_utf8(f.to_vec()).unwrap())
                .collect();
            out.push((line, fields));
        }
        out
    }

    fn strings(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|f| f.to_string()).collect()
    }

    /// A first sheet `Calls` with a header, typed cells, an empty row and a formatted but empty
    /// trailing row; a second sheet `Notes` whose data starts at C3.
    fn two_sheet_book(dir: &Path) -> PathBuf {
        use rust_xlsxwriter::{ExcelDateTime, Format};
        book(dir, "book.xlsx", |wb| {
            let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
            let day = Format::new().set_num_format("yyyy-mm-dd");
            let ws = wb.add_worksheet();
            ws.set_name("Calls").unwrap();
            for (col, name) in ["id", "when", "amount", "ok", "note"].iter().enumerate() {
                ws.write_string(0, col as u16, *name).unwrap();
            }
            ws.write_number(1, 0, 1001).unwrap();
            let when = ExcelDateTime::parse_from_str("2025-10-01 09:00:00").unwrap();
            ws.write_datetime_with_format(1, 1, &when, &stamp).unwrap();
            ws.write_number(1, 2, 0.1).unwrap();
            ws.write_boolean(1, 3, true).unwrap();
            ws.write_string(1, 4, "first call").unwrap();
            // Row 3 is left empty.
            ws.write_number(3, 0, 1002).unwrap();
            ws.write_number_with_format(3, 1, 45932, &day).unwrap();
            ws.write_number(3, 2, -1234567.89).unwrap();
            ws.write_boolean(3, 3, false).unwrap();
            ws.write_string(3, 4, "2025-10-03 09:00").unwrap();
            ws.write_number(4, 0, 1003).unwrap();
            ws.write_number_with_format(4, 1, 45931.999999999, &stamp)
                .unwrap();
            ws.write_number(4, 2, 1e21).unwrap();
            ws.write_blank(9, 2, &day).unwrap();
            let notes = wb.add_worksheet();
            notes.set_name("Notes").unwrap();
            notes.write_string(2, 2, "key").unwrap();
            notes.write_string(2, 3, "value").unwrap();
            notes.write_string(3, 2, "vendor").unwrap();
            notes.write_string(3, 3, "acme").unwrap();
        })
    }

    #[test]
    fn a_workbook_reads_as_text_rows_numbered_as_excel_shows_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = two_sheet_book(dir.path());
        let mut sheet = SheetRows::open(&path, None).unwrap();
        assert_eq!(
            rows(&mut sheet),
            vec![
                (1, strings(&["id", "when", "amount", "ok", "note"])),
                (
                    2,
                    strings(&["1001", "2025-10-01 09:00:00", "0.1", "TRUE", "first call"])
                ),
                (
                    4,
                    strings(&[
                        "1002",
                        "2025-10-02 00:00:00",
                        "-1234567.89",
                        "FALSE",
                        "2025-10-03 09:00"
                    ])
                ),
                (
                    5,
                    strings(&[
                        "1003",
                        "2025-10-02 00:00:00",
                        "1000000000000000000000",
                        "",
                        ""
                    ])
                ),
            ]
        );
        let mut record = RawRecord::new();
        assert_eq!(sheet.next_row(&mut record), None);
        assert_eq!(sheet.next_row(&mut record), None);
    }

    #[test]
    fn a_sheet_is_chosen_by_name_in_any_case_and_keeps_its_columns_from_a() {
        let dir = tempfile::tempdir().unwrap();
        let path = two_sheet_book(dir.path());
        let mut sheet = SheetRows::open(&path, Some("notes")).unwrap();
        assert_eq!(
            rows(&mut sheet),
            vec![
                (3, strings(&["", "", "key", "value"])),
                (4, strings(&["", "", "vendor", "acme"])),
            ]
        );
    }

    #[test]
    fn the_hash_is_of_the_workbook_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = two_sheet_book(dir.path());
        let sheet = SheetRows::open(&path, None).unwrap();
        let expected = hex(&Sha256::digest(std::fs::read(&path).unwrap()));
        assert_eq!(sheet.sha256(), expected);
        assert_eq!(sheet.sha256().len(), 64);
        assert!(sheet
            .sha256()
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }

    #[test]
    fn a_missing_sheet_names_the_sheets_there_are() {
        let dir = tempfile::tempdir().unwrap();
        let path = two_sheet_book(dir.path());
        let err = SheetRows::open(&path, Some("Sheet1")).err().unwrap();
        assert_eq!(err.exit_code().code(), 65);
        let text = err.to_string();
        assert!(text.contains(":0: has no sheet named `Sheet1`"), "{text}");
        assert!(text.contains("`Calls`, `Notes`"), "{text}");
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_a_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls.xlsx");
        std::fs::write(&path, "contact_id,vendor\n1,acme\n").unwrap();
        let err = SheetRows::open(&path, None).err().unwrap();
        assert_eq!(err.exit_code().code(), 65);
        assert!(matches!(err, Error::BadFile { line: 0, .. }));
        assert!(err
            .to_string()
            .contains("cannot be read as an .xlsx workbook"));
        let mut old = OLE_MAGIC.to_vec();
        old.resize(4096, 0);
        std::fs::write(&path, old).unwrap();
        let err = SheetRows::open(&path, None).err().unwrap();
        assert!(err.to_string().contains("Excel 97-2003"), "{err}");
    }

    #[test]
    fn a_missing_workbook_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = SheetRows::open(&dir.path().join("absent.xlsx"), None)
            .err()
            .unwrap();
        assert!(matches!(err, Error::Io { .. }));
        assert_eq!(err.exit_code().code(), 74);
    }

    #[test]
    fn an_empty_sheet_has_no_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = book(dir.path(), "empty.xlsx", |wb| {
            wb.add_worksheet();
        });
        let mut sheet = SheetRows::open(&path, None).unwrap();
        assert_eq!(rows(&mut sheet), vec![]);
    }

    /// Marks a workbook as using the 1904 date system, as Excel for Mac saved them: the writer
    /// has no switch for it, so `workbookPr` in xl/workbook.xml gets `date1904="1"`.
    fn set_1904(path: &Path) {
        use std::io::{Read, Write};
        let mut archive = zip::ZipArchive::new(Cursor::new(std::fs::read(path).unwrap())).unwrap();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            if name == "xl/workbook.xml" {
                let mut xml = String::new();
                { file }.read_to_string(&mut xml).unwrap();
                assert!(xml.contains("<workbookPr"));
                let xml = xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1);
                writer
                    .start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                writer.write_all(xml.as_bytes()).unwrap();
            } else {
                writer.raw_copy_file(file).unwrap();
            }
        }
        std::fs::write(path, writer.finish().unwrap().into_inner()).unwrap();
    }

    #[test]
    fn a_1904_workbook_counts_dates_from_1904() {
        use rust_xlsxwriter::Format;
        let dir = tempfile::tempdir().unwrap();
        let path = book(dir.path(), "mac.xlsx", |wb| {
            let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
            let ws = wb.add_worksheet();
            ws.write_number_with_format(0, 0, 44469.375, &stamp)
                .unwrap();
            ws.write_number(0, 1, 44469.375).unwrap();
        });
        let mut sheet = SheetRows::open(&path, None).unwrap();
        assert_eq!(
            rows(&mut sheet),
            vec![(1, strings(&["2021-09-30 09:00:00", "44469.375"]))]
        );
        set_1904(&path);
        let mut sheet = SheetRows::open(&path, None).unwrap();
        assert_eq!(
            rows(&mut sheet),
            vec![(1, strings(&["2025-10-01 09:00:00", "44469.375"]))]
        );
    }

    #[test]
    fn the_calls_fixture_workbook_reads_as_its_expected_csv() {
        // Both files are written by `cargo run --example xlsx_fixture`.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xlsx");
        let mut sheet = SheetRows::open(&dir.join("calls.xlsx"), None).unwrap();
        let mut expected =
            super::super::csv_reader(std::fs::File::open(dir.join("calls.expected.csv")).unwrap());
        let expected: Vec<(u64, Vec<String>)> = expected
            .records()
            .enumerate()
            .map(|(i, r)| {
                (
                    i as u64 + 1,
                    r.unwrap().iter().map(str::to_string).collect(),
                )
            })
            .collect();
        assert_eq!(expected.len(), 6);
        assert_eq!(rows(&mut sheet), expected);
    }
}
