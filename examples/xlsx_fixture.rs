//! `xlsx_fixture`: writes the workbook fixture `tests/fixtures/xlsx/calls.xlsx` and the text rows
//! slatement must read from it, `tests/fixtures/xlsx/calls.expected.csv`.
//!
//! ```text
//! cargo run --example xlsx_fixture
//! ```
//!
//! The workbook holds canonical calls columns (SPEC §2) the way Excel keeps them: contact ids as
//! number cells, timestamps as date cells (serial numbers with a date format), text as shared
//! strings, unanswered calls as empty cells. The expected rows are written from the same source
//! table, not by reading the workbook back, so the test that compares them checks the reader. The
//! workbook's creation time is fixed, so running this again gives the same files.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::path::Path;

/// The header, as in SPEC §2.
const HEADER: [&str; 9] = [
    "contact_id",
    "vendor",
    "channel",
    "stage",
    "category",
    "offered_at",
    "answered_at",
    "ended_at",
    "handled_by",
];

/// The calls, as the text slatement reads back: contact id, vendor, channel, stage, category,
/// offered, answered, ended, handled by. Empty strings are empty cells.
const CALLS: [[&str; 9]; 5] = [
    [
        "251001001",
        "acme",
        "phone",
        "presales",
        "手机",
        "2026-10-01 09:00:00",
        "2026-10-01 09:00:12",
        "2026-10-01 09:04:30",
        "vendor",
    ],
    [
        "251001002",
        "acme",
        "online",
        "aftersales",
        "手机",
        "2026-10-01 09:15:03",
        "2026-10-01 09:15:40",
        "2026-10-01 09:31:00",
        "platform",
    ],
    [
        "251001003",
        "acme",
        "phone",
        "aftersales",
        "手机",
        "2026-10-01 23:59:58",
        "",
        "2026-10-02 00:00:41",
        "",
    ],
    [
        "251002004",
        "acme",
        "online",
        "presales",
        "手机",
        "2026-10-02 14:20:00.250",
        "2026-10-02 14:20:09.750",
        "2026-10-02 14:26:00",
        "vendor",
    ],
    [
        "251031005",
        "acme",
        "phone",
        "presales",
        "手机",
        "2026-10-31 17:59:59",
        "2026-10-31 18:00:20",
        "2026-10-31 18:07:45",
        "vendor",
    ],
];

/// The columns written as date cells.
const DATE_COLUMNS: std::ops::Range<usize> = 5..8;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xlsx");
    std::fs::create_dir_all(&dir)?;
    write_workbook(&dir.join("calls.xlsx"))?;
    let mut csv = csv::Writer::from_path(dir.join("calls.expected.csv"))?;
    csv.write_record(HEADER)?;
    for call in &CALLS {
        csv.write_record(call)?;
    }
    csv.flush()?;
    Ok(())
}

fn write_workbook(path: &Path) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed creation time keeps the file byte-identical from run to run.
    let created = ExcelDateTime::parse_from_str("2025-11-01 00:00:00")?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let stamp_ms = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss.000");
    let sheet = workbook.add_worksheet();
    sheet.set_name("calls")?;
    for (col, name) in HEADER.iter().enumerate() {
        sheet.write_string(0, col as u16, *name)?;
    }
    for (i, call) in CALLS.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, text) in call.iter().enumerate() {
            let at = col as u16;
            if text.is_empty() {
                continue;
            }
            if col == 0 {
                let id: u32 = text.parse().expect("numeric contact id");
                sheet.write_number(row, at, id)?;
            } else if DATE_COLUMNS.contains(&col) {
                let when = ExcelDateTime::parse_from_str(text)?;
                let format = if text.contains('.') {
                    &stamp_ms
                } else {
                    &stamp
                };
                sheet.write_datetime_with_format(row, at, &when, format)?;
            } else {
                sheet.write_string(row, at, *text)?;
            }
        }
    }
    workbook.save(path)
}
