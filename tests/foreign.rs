//! Foreign exports read through the built-in profiles (issue "real exports in"): each fixture
//! under tests/fixtures/foreign/<profile>/ reproduces a real format's quirks, and its
//! `expected.csv` holds the canonical rows worked out by hand (expected.md says why, row by
//! row). Times are compared as instants: a profile may write `…Z` or `…+08:00` for the same
//! moment.

use chrono_tz::Tz;
use slatement::input::foreign::ForeignSource;
use slatement::input::ingest::{InputFile, RowSource};
use slatement::input::profile;
use slatement::input::Role;
use slatement::rates::Rates;
use slatement::settle::{settle, InputPaths, Run};
use slatement::timestamp::parse_timestamp;
use std::path::{Path, PathBuf};

/// One fixture: the profile, the export, the file of expected canonical rows, and the counts
/// its expected.md derives.
struct Case {
    profile: &'static str,
    role: Role,
    input: &'static str,
    expected: &'static str,
    /// Data rows of the source (queue-log management lines excluded).
    rows_in: u64,
    /// Rows folded into another row's contact (counted as duplicates).
    folded: u64,
    /// Rows rejected, by line.
    rejected: &'static [u64],
    /// Queue-log lines that are not call events.
    management: u64,
    /// Rows skipped by the profile's `[[skip]]` filters.
    skipped: u64,
}

const CASES: &[Case] = &[
    Case {
        profile: "amazon-connect-calls",
        role: Role::Calls,
        input: "amazon-connect-calls/contact-records.jsonl",
        expected: "amazon-connect-calls/expected.csv",
        rows_in: 11,
        folded: 2,
        rejected: &[11],
        management: 0,
        skipped: 3,
    },
    Case {
        profile: "asterisk-cdr",
        role: Role::Calls,
        input: "asterisk-cdr/fafeitsch_cdrcsv-report-generator_mockdata_smallcdr.csv",
        expected: "asterisk-cdr/expected.csv",
        rows_in: 45,
        folded: 8,
        rejected: &[],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "asterisk-cdr",
        role: Role::Calls,
        input: "asterisk-cdr/stock.csv",
        expected: "asterisk-cdr/stock.expected.csv",
        rows_in: 13,
        folded: 3,
        rejected: &[1],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "asterisk-queue-log",
        role: Role::Calls,
        input: "asterisk-queue-log/queue_log",
        expected: "asterisk-queue-log/expected.csv",
        rows_in: 15,
        folded: 9,
        rejected: &[1],
        management: 7,
        skipped: 0,
    },
    Case {
        profile: "freeswitch-cdr",
        role: Role::Calls,
        input: "freeswitch-cdr/Master.csv",
        expected: "freeswitch-cdr/expected.csv",
        rows_in: 8,
        folded: 0,
        rejected: &[7],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "zendesk-tickets",
        role: Role::Tickets,
        input: "zendesk-tickets/zendesk-export.csv",
        expected: "zendesk-tickets/expected.csv",
        rows_in: 6,
        folded: 0,
        rejected: &[],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "freshdesk-tickets",
        role: Role::Tickets,
        input: "freshdesk-tickets/freshdesk-export.csv",
        expected: "freshdesk-tickets/expected.csv",
        rows_in: 9,
        folded: 0,
        rejected: &[10],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "cn-excel",
        role: Role::Calls,
        input: "cn-excel-calls/calls-gbk.csv",
        expected: "cn-excel-calls/expected.csv",
        rows_in: 7,
        folded: 0,
        rejected: &[],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "cn-excel",
        role: Role::Calls,
        input: "cn-excel-calls/bad-used-cell.csv",
        expected: "cn-excel-calls/bad-used-cell.expected.csv",
        rows_in: 3,
        folded: 0,
        rejected: &[3],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "cn-excel",
        role: Role::Tickets,
        input: "cn-excel-tickets/tickets-gbk.csv",
        expected: "cn-excel-tickets/expected.csv",
        rows_in: 7,
        folded: 0,
        rejected: &[],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "cn-excel",
        role: Role::Tickets,
        input: "cn-excel-tickets/bad-used-cell.csv",
        expected: "cn-excel-tickets/bad-used-cell.expected.csv",
        rows_in: 3,
        folded: 0,
        rejected: &[3],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "cn-excel",
        role: Role::Surveys,
        input: "cn-excel-surveys/surveys-gbk.csv",
        expected: "cn-excel-surveys/expected.csv",
        rows_in: 6,
        folded: 0,
        rejected: &[],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "cn-excel",
        role: Role::Surveys,
        input: "cn-excel-surveys/bad-used-cell.csv",
        expected: "cn-excel-surveys/bad-used-cell.expected.csv",
        rows_in: 3,
        folded: 0,
        rejected: &[3],
        management: 0,
        skipped: 0,
    },
];

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/foreign")
        .join(rel)
}

fn rates() -> Rates {
    Rates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rates.toml")).unwrap()
}

fn input(case: &Case) -> InputFile {
    let mut p = profile::load(case.profile, case.role, Path::new(".")).unwrap();
    if p.needs_vendor() {
        p.set_vendor("acme");
    }
    InputFile {
        role: case.role,
        path: fixture(case.input),
        profile: Some(p),
    }
}

/// Every row the source hands out: (line, cells), rows folded into them, management lines,
/// rows skipped by filters.
fn mapped(input: &InputFile, tz: Tz) -> (Vec<(u64, Vec<String>)>, u64, u64, u64) {
    let mut source = ForeignSource::open(&input.path, input.profile.as_ref().unwrap(), tz).unwrap();
    let mut record = csv::ByteRecord::new();
    let mut rows = Vec::new();
    let mut folded = 0;
    while let Some(row) = source.next_row(&mut record).unwrap() {
        folded += row.folded;
        rows.push((
            row.line,
            record
                .iter()
                .map(|c| String::from_utf8(c.to_vec()).unwrap())
                .collect(),
        ));
    }
    let notes = source.notes();
    (rows, folded, notes.management_lines, notes.skipped_total())
}

fn same_cell(column: &str, a: &str, b: &str, tz: Tz) -> bool {
    if column.ends_with("_at") && !a.is_empty() && !b.is_empty() {
        return parse_timestamp(a.as_bytes(), tz) == parse_timestamp(b.as_bytes(), tz)
            && parse_timestamp(a.as_bytes(), tz).is_ok();
    }
    a == b
}

#[test]
fn every_built_in_profile_maps_its_fixture_to_the_hand_worked_canonical_rows() {
    let rates = rates();
    let tz = rates.timezone;
    for case in CASES {
        let input = input(case);
        let (rows, folded, management, skipped) = mapped(&input, tz);
        let paths = InputPaths {
            files: vec![input.clone()],
        };
        let settled = settle(&Run {
            rates: &rates,
            month: None,
            as_of: None,
            vendor: None,
            inputs: &paths,
            disputes: None,
            allow_outside_period: false,
        })
        .unwrap();
        let rejected: Vec<u64> = settled.rejects.iter().map(|r| r.line).collect();
        assert_eq!(rejected, case.rejected, "{}: rejected lines", case.input);
        assert_eq!(
            management, case.management,
            "{}: management lines",
            case.input
        );
        assert_eq!(folded, case.folded, "{}: folded rows", case.input);
        assert_eq!(skipped, case.skipped, "{}: skipped rows", case.input);
        assert_eq!(
            rows.len() as u64 + folded + skipped,
            case.rows_in,
            "{}: every source row is one canonical row, folded into one or skipped",
            case.input
        );
        assert_eq!(
            settled.files[0].rows,
            case.rows_in - case.skipped,
            "{}: rows read, less those a filter skipped",
            case.input
        );

        let kept: Vec<&(u64, Vec<String>)> = rows
            .iter()
            .filter(|(line, _)| !case.rejected.contains(line))
            .collect();
        let mut expected = csv::Reader::from_path(fixture(case.expected)).unwrap();
        let header: Vec<String> = expected
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let columns: Vec<&str> = case.role.columns().iter().map(|(n, _)| *n).collect();
        assert_eq!(header, columns, "{}: expected.csv header", case.expected);
        let want: Vec<csv::StringRecord> = expected.records().map(Result::unwrap).collect();
        assert_eq!(kept.len(), want.len(), "{}: canonical rows", case.input);
        for ((line, got), want) in kept.iter().zip(&want) {
            for (i, column) in columns.iter().enumerate() {
                assert!(
                    same_cell(column, &got[i], &want[i], tz),
                    "{} line {line}: {column} is `{}`, expected `{}`",
                    case.input,
                    got[i],
                    &want[i]
                );
            }
        }
    }
}
