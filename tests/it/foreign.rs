//! Foreign exports read through the built-in profiles (issue "real exports in"): each fixture
//! under tests/fixtures/foreign/<profile>/ reproduces a real format's quirks, and its
//! `expected.csv` holds the canonical rows worked out by hand (expected.md says why, row by
//! row). Times are compared as instants: a profile may write `…Z` or `…+08:00` for the same
//! moment.

use chrono_tz::Tz;
use slatement::base::timestamp::parse_timestamp;
use slatement::contract::rates::Rates;
use slatement::input::foreign::ForeignSource;
use slatement::input::profile;
use slatement::input::source::{InputFile, RowSource};
use slatement::input::Role;
use slatement::month::{settle, InputPaths, Run};
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
        profile: "asterisk-queue-log-db",
        role: Role::Calls,
        input: "asterisk-queue-log-db/queue_log.csv",
        expected: "asterisk-queue-log-db/expected.csv",
        rows_in: 15,
        folded: 9,
        rejected: &[2],
        management: 7,
        skipped: 0,
    },
    Case {
        profile: "asterisk-queue-log-db",
        role: Role::Calls,
        input: "asterisk-queue-log-db/queue_log_params.csv",
        expected: "asterisk-queue-log-db/expected.csv",
        rows_in: 15,
        folded: 9,
        rejected: &[2],
        management: 7,
        skipped: 0,
    },
    Case {
        profile: "asterisk-cdr-custom",
        role: Role::Calls,
        input: "asterisk-cdr-custom/Master.csv",
        expected: "asterisk-cdr-custom/expected.csv",
        rows_in: 12,
        folded: 3,
        rejected: &[],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "asterisk-cdr-db",
        role: Role::Calls,
        input: "asterisk-cdr-db/cdr.csv",
        expected: "asterisk-cdr-db/expected.csv",
        rows_in: 12,
        folded: 5,
        rejected: &[13],
        management: 0,
        skipped: 2,
    },
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
    Case {
        profile: "zendesk-explore-tickets",
        role: Role::Tickets,
        input: "zendesk-explore-tickets/explore-tickets.csv",
        expected: "zendesk-explore-tickets/expected.csv",
        rows_in: 8,
        folded: 0,
        rejected: &[9],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "zendesk-satisfaction",
        role: Role::Surveys,
        input: "zendesk-satisfaction/satisfaction-ratings.csv",
        expected: "zendesk-satisfaction/expected.csv",
        rows_in: 9,
        folded: 0,
        rejected: &[10, 11],
        management: 0,
        skipped: 3,
    },
    Case {
        profile: "freshdesk-satisfaction",
        role: Role::Surveys,
        input: "freshdesk-satisfaction/satisfaction-survey.csv",
        expected: "freshdesk-satisfaction/expected.csv",
        rows_in: 8,
        folded: 0,
        rejected: &[10],
        management: 0,
        skipped: 0,
    },
    Case {
        profile: "twilio-calls",
        role: Role::Calls,
        input: "twilio-calls/call-logs.csv",
        expected: "twilio-calls/expected.csv",
        rows_in: 14,
        folded: 7,
        rejected: &[],
        management: 0,
        skipped: 1,
    },
    Case {
        profile: "cisco-cucm-calls",
        role: Role::Calls,
        input: "cisco-cucm-calls/cdr_StandAloneCluster_01_202610130101_1841.csv",
        expected: "cisco-cucm-calls/expected.csv",
        rows_in: 10,
        folded: 1,
        rejected: &[],
        management: 0,
        skipped: 2,
    },
    Case {
        profile: "genesys-cloud-calls",
        role: Role::Calls,
        input: "genesys-cloud-calls/interactions.csv",
        expected: "genesys-cloud-calls/expected.csv",
        rows_in: 10,
        folded: 0,
        rejected: &[],
        management: 0,
        skipped: 3,
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

/// One mapping rule tried on a small export: the profile text (a file in a fresh folder, so
/// `extends` may name a sibling written by `also`), the export's bytes, and what the source
/// hands out — canonical rows as CSV text (`line|cells`), folded, management, skipped — or
/// the error that refused the file.
fn rule(profile: &str, also: &[(&str, &str)], export: &[u8], role: Role) -> Result<Mapped, String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.toml"), profile).unwrap();
    for (name, text) in also {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let path = dir.path().join("export");
    std::fs::write(&path, export).unwrap();
    let mut p = profile::load("p.toml", role, dir.path()).map_err(|e| e.to_string())?;
    if p.needs_vendor() {
        p.set_vendor("acme");
    }
    let tz: Tz = "Asia/Shanghai".parse().unwrap();
    let mut source = ForeignSource::open(&path, &p, tz).map_err(|e| e.to_string())?;
    let mut record = csv::ByteRecord::new();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    while let Some(row) = source.next_row(&mut record).map_err(|e| e.to_string())? {
        let cells: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        rows.push(format!("{}|{}", row.line, cells.join(",")));
        if let Some(e) = row.error {
            errors.push(format!("{}: {}: {}", row.line, e.column, e.reason));
        }
    }
    let notes = source.notes();
    Ok(Mapped {
        rows,
        errors,
        folded: notes.folded,
        management: notes.management_lines,
        skipped: notes.skipped.clone(),
    })
}

impl Mapped {
    /// Canonical column `i` of every row handed out.
    fn cells(&self, i: usize) -> Vec<&str> {
        self.rows
            .iter()
            .map(|r| r.split(',').nth(i).unwrap())
            .collect()
    }
}

#[derive(Debug)]
struct Mapped {
    rows: Vec<String>,
    errors: Vec<String>,
    folded: u64,
    management: u64,
    skipped: Vec<(String, u64)>,
}

const CALLS_CSV: &str = "role = \"calls\"\n[source]\nformat = \"csv\"\nheader = true\n";

#[test]
fn a_queue_log_that_is_not_one_is_refused_as_a_whole() {
    for export in [
        &b"hello world\n"[..],
        b"a,b,c\n1,2,3\n",
        b"Date;Caller\n2026-10-01;139\n",
    ] {
        let e = rule(
            "extends = \"asterisk-queue-log\"\nrole = \"calls\"\n",
            &[],
            export,
            Role::Calls,
        )
        .unwrap_err();
        assert!(e.contains("is not an Asterisk queue_log"), "{e}");
    }
}

#[test]
fn queue_log_management_callids_and_member_events_are_not_calls() {
    let log = b"1791766200|CLI|NONE|NONE|CONFIGRELOAD|\n\
1791766201|MANAGER|support|PJSIP/1001|ADDMEMBER||PJSIP/1001|0\n\
1791766202|REALTIME|support|PJSIP/1001|PAUSE|lunch\n\
1791766203|1791766203.5|support|Agent/1001|AGENTLOGIN|PJSIP/1001\n\
1791766800|1791766788.1|support|NONE|ENTERQUEUE||13900001111|1\n\
1791766810|1791766788.1|support|PJSIP/1001|CONNECT|10|1791766800.2|3\n\
1791766900|1791766788.1|support|PJSIP/1001|COMPLETECALLER|10|90|1\n";
    let m = rule(
        "extends = \"asterisk-queue-log\"\nrole = \"calls\"\n",
        &[],
        log,
        Role::Calls,
    )
    .unwrap();
    assert_eq!(m.management, 4, "{m:?}");
    assert_eq!(m.folded, 2, "{m:?}");
    assert_eq!(m.rows.len(), 1, "{m:?}");
    assert!(m.errors.is_empty(), "{m:?}");
}

#[test]
fn per_column_nulls_read_as_empty() {
    // answered_at "1900-01-01 00:00:00" and "-" are the export's "never"; "NULL" the dump's.
    let p = format!(
        "{CALLS_CSV}[columns]\ncontact_id = \"id\"\nchannel = {{ value = \"phone\" }}\nstage = {{ value = \"aftersales\" }}\ncategory = {{ column = \"cat\", null = [\"NULL\"], default = \"general\" }}\noffered_at = {{ column = \"start\", format = \"%Y-%m-%d %H:%M:%S\" }}\nanswered_at = {{ column = \"answer\", format = \"%Y-%m-%d %H:%M:%S\", null = [\"1900-01-01 00:00:00\", \"-\"] }}\n"
    );
    let csv = "id,cat,start,answer\n\
a,NULL,2026-10-01 09:00:00,1900-01-01 00:00:00\n\
b,sales,2026-10-01 09:01:00,-\n\
c,sales,2026-10-01 09:02:00,2026-10-01 09:02:10\n";
    let m = rule(&p, &[], csv.as_bytes(), Role::Calls).unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    assert_eq!(
        m.rows,
        [
            "2|a,acme,phone,aftersales,general,2026-10-01 09:00:00,,,",
            "3|b,acme,phone,aftersales,sales,2026-10-01 09:01:00,,,",
            "4|c,acme,phone,aftersales,sales,2026-10-01 09:02:00,2026-10-01 09:02:10,,",
        ]
    );
}

#[test]
fn a_date_column_and_a_time_column_are_read_as_one_day_first_time() {
    // Day-first dates as European exports and Excel re-saves write them, chosen by the
    // profile: 08/01/2025 is 8 January; 1/9/2017 is 1 September; 04/09/17 is 4 September.
    let p = format!(
        "{CALLS_CSV}[columns]\ncontact_id = \"id\"\nchannel = {{ value = \"phone\" }}\nstage = {{ value = \"aftersales\" }}\ncategory = {{ value = \"general\" }}\noffered_at = {{ column = [\"Date\", \"Time\"], format = [\"%d/%m/%Y %H:%M:%S\", \"%d/%m/%Y %H:%M\", \"%d/%m/%y\"] }}\n"
    );
    let csv = "id,Date,Time\na,08/01/2025,15:00\nb,1/9/2017,16:33:01\nc,04/09/17,\n";
    let m = rule(&p, &[], csv.as_bytes(), Role::Calls).unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    let offered = m.cells(5);
    assert_eq!(
        offered,
        [
            "2025-01-08 15:00:00",
            "2017-09-01 16:33:01",
            "2017-09-04 00:00:00"
        ]
    );
}

#[test]
fn lone_cr_line_ends_from_excel_for_mac_count_as_lines() {
    let p = format!(
        "{CALLS_CSV}[columns]\ncontact_id = \"id\"\nchannel = {{ value = \"phone\" }}\nstage = {{ value = \"aftersales\" }}\ncategory = {{ value = \"general\" }}\noffered_at = {{ column = \"start\", format = \"%Y-%m-%d %H:%M\" }}\n"
    );
    let csv = "id,start\ra,2026-10-01 09:00\rb,not a time\rc,2026-10-01 09:02\r";
    let m = rule(&p, &[], csv.as_bytes(), Role::Calls).unwrap();
    assert_eq!(m.rows.len(), 3, "{m:?}");
    assert!(m.rows[2].starts_with("4|c,"), "{m:?}");
    assert_eq!(m.errors.len(), 1, "{m:?}");
    assert!(m.errors[0].starts_with("3: offered_at:"), "{m:?}");
}

#[test]
fn any_whatwg_label_decodes_and_a_wrong_one_names_the_encoding_to_try() {
    let p = |enc: &str| {
        format!(
            "role = \"calls\"\n[source]\nformat = \"csv\"\nheader = true\nencoding = \"{enc}\"\n[columns]\ncontact_id = \"id\"\nchannel = {{ value = \"phone\" }}\nstage = {{ value = \"aftersales\" }}\ncategory = \"cat\"\noffered_at = {{ column = \"start\", format = \"%Y-%m-%d %H:%M\" }}\n"
        )
    };
    // "Продажи" (sales) in windows-1251.
    let mut csv = b"id,cat,start\na,".to_vec();
    csv.extend_from_slice(&[0xCF, 0xF0, 0xEE, 0xE4, 0xE0, 0xE6, 0xE8]);
    csv.extend_from_slice(b",2026-10-01 09:00\n");
    let m = rule(&p("windows-1251"), &[], &csv, Role::Calls).unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    assert!(m.rows[0].contains(",Продажи,"), "{m:?}");
    let m = rule(&p("cp1251"), &[], &csv, Role::Calls).unwrap();
    assert!(m.rows[0].contains(",Продажи,"), "{m:?}");
    // Declared UTF-8: the cell is rejected, naming the encoding its bytes read as.
    let m = rule(&p("utf-8"), &[], &csv, Role::Calls).unwrap();
    assert_eq!(m.errors.len(), 1, "{m:?}");
    assert!(
        m.errors[0].contains("try encoding = \"windows-1251\""),
        "{m:?}"
    );
    // latin1 is a WHATWG label (windows-1252): "Café" reads.
    let m = rule(
        &p("latin1"),
        &[],
        b"id,cat,start\na,Caf\xE9,2026-10-01 09:00\n",
        Role::Calls,
    )
    .unwrap();
    assert!(m.rows[0].contains(",Café,"), "{m:?}");
}

#[test]
fn a_workbook_given_to_a_text_profile_is_refused_saying_so() {
    let e = rule(
        "extends = \"asterisk-cdr-db\"\nrole = \"calls\"\n",
        &[],
        b"PK\x03\x04\x14\x00\x06\x00rest of a zip",
        Role::Calls,
    )
    .unwrap_err();
    assert!(e.contains("is an Excel workbook (.xlsx)"), "{e}");
    assert!(e.contains("format = \"xlsx\""), "{e}");
}

#[test]
fn an_extending_map_adds_to_the_base_map_unless_it_replaces_it() {
    let base = format!(
        "{CALLS_CSV}[columns]\ncontact_id = \"id\"\nchannel = {{ value = \"phone\" }}\nstage = {{ value = \"aftersales\" }}\ncategory = {{ column = \"cat\", map = {{ \"tv\" = \"家用电器\" }} }}\noffered_at = {{ column = \"start\", format = \"%Y-%m-%d %H:%M\" }}\n"
    );
    let csv = b"id,cat,start\na,tv,2026-10-01 09:00\nb,phone,2026-10-01 09:01\n";
    let categories = |category: &str| -> Vec<String> {
        let extending = format!(
            "extends = \"base.toml\"\nrole = \"calls\"\n[columns]\ncategory = {category}\n"
        );
        rule(&extending, &[("base.toml", &base)], csv, Role::Calls)
            .unwrap()
            .rows
            .iter()
            .map(|r| r.split(',').nth(4).unwrap().to_string())
            .collect()
    };
    assert_eq!(
        categories("{ map = { \"phone\" = \"手机\" } }"),
        ["家用电器", "手机"]
    );
    assert_eq!(
        categories("{ map = { \"phone\" = \"手机\" }, replace_map = true }"),
        ["tv", "手机"]
    );
}

#[test]
fn skip_filters_with_any_and_all_count_rows_per_reason() {
    let p = format!(
        "{CALLS_CSV}[[skip]]\nreason = \"internal or test call\"\nany = [ {{ column = \"src\", is = [\"1001\", \"1002\"] }}, {{ column = \"dst\", is = [\"*43\"] }} ]\n\n[[skip]]\nreason = \"outbound answered by nobody\"\nall = [ {{ column = \"dir\", is = [\"out\"] }}, {{ column = \"status\", is_not = [\"ANSWERED\"] }} ]\n\n[columns]\ncontact_id = \"id\"\nchannel = {{ value = \"phone\" }}\nstage = {{ value = \"aftersales\" }}\ncategory = {{ value = \"general\" }}\noffered_at = {{ column = \"start\", format = \"%Y-%m-%d %H:%M\" }}\n"
    );
    let csv = "id,src,dst,dir,status,start\n\
a,139,400,in,ANSWERED,2026-10-01 09:00\n\
b,1001,400,in,ANSWERED,2026-10-01 09:01\n\
c,139,*43,in,ANSWERED,2026-10-01 09:02\n\
d,139,400,out,BUSY,2026-10-01 09:03\n\
e,139,400,out,ANSWERED,2026-10-01 09:04\n";
    let m = rule(&p, &[], csv.as_bytes(), Role::Calls).unwrap();
    let ids: Vec<&str> = m.rows.iter().map(|r| &r[2..3]).collect();
    assert_eq!(ids, ["a", "e"], "{m:?}");
    assert_eq!(
        m.skipped,
        [
            ("internal or test call".to_string(), 2),
            ("outbound answered by nobody".to_string(), 1)
        ]
    );
}

#[test]
fn excel_format_reads_typed_date_cells_and_bare_serials_of_a_workbook() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(0, 1, "start").unwrap();
    ws.write_string(1, 0, "a").unwrap();
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let when = ExcelDateTime::parse_from_str("2026-10-01 09:00:00").unwrap();
    ws.write_datetime_with_format(1, 1, &when, &stamp).unwrap();
    ws.write_string(2, 0, "b").unwrap();
    ws.write_number(2, 1, 46296.5).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let p = "role = \"calls\"\n[source]\nformat = \"xlsx\"\n[columns]\ncontact_id = \"id\"\nchannel = { value = \"phone\" }\nstage = { value = \"aftersales\" }\ncategory = { value = \"general\" }\noffered_at = { column = \"start\", format = \"excel\" }\n";
    let m = rule(p, &[], &bytes, Role::Calls).unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    let offered = m.cells(5);
    assert_eq!(offered, ["2026-10-01 09:00:00", "2026-10-01 12:00:00"]);
}

#[test]
fn times_derive_from_a_start_or_an_end_and_a_number_of_seconds() {
    // answered = end − talk seconds; ended = start + total seconds (decimals exact).
    let p = format!(
        "{CALLS_CSV}[columns]\ncontact_id = \"id\"\nchannel = {{ value = \"phone\" }}\nstage = {{ value = \"aftersales\" }}\ncategory = {{ value = \"general\" }}\noffered_at = {{ column = \"start\", format = \"%Y-%m-%d %H:%M:%S\" }}\nanswered_at = {{ derive = \"end_minus_seconds\", end = \"end\", seconds = \"talk\", format = \"%Y-%m-%d %H:%M:%S\" }}\nended_at = {{ derive = \"start_plus_seconds\", start = \"start\", seconds = \"total\", format = \"%Y-%m-%d %H:%M:%S\" }}\n"
    );
    let csv = "id,start,end,talk,total\n\
a,2026-10-01 09:00:00,2026-10-01 09:03:00,170,180\n\
b,2026-10-01 09:10:00,2026-10-01 09:10:20,,20.5\n";
    let m = rule(&p, &[], csv.as_bytes(), Role::Calls).unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    assert_eq!(
        m.rows,
        [
            "2|a,acme,phone,aftersales,general,2026-10-01 09:00:00,2026-10-01T09:00:10+08:00,2026-10-01T09:03:00+08:00,",
            "3|b,acme,phone,aftersales,general,2026-10-01 09:10:00,,2026-10-01T09:10:20.500000000+08:00,",
        ]
    );
}

#[test]
fn a_cdr_table_resaved_by_excel_keeps_billsec_as_the_talk_time() {
    // Excel dropped calldate's seconds (09:00:37 → 9:00) and the quotes; answer and end come
    // from calldate and the surviving durations, so end − answer is billsec (170 s) exactly.
    let csv = "calldate,dcontext,channel,dstchannel,lastapp,duration,billsec,disposition,uniqueid,linkedid\n\
2026/10/12 9:00,ext-queues,PJSIP/trunk-1,PJSIP/1001-2,Dial,185,170,ANSWERED,1791767437.1,1791767437.1\n";
    let m = rule(
        "extends = \"asterisk-cdr-db\"\nrole = \"calls\"\n",
        &[],
        csv.as_bytes(),
        Role::Calls,
    )
    .unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    assert_eq!(
        m.rows,
        ["2|1791767437.1,acme,phone,aftersales,ext-queues,2026-10-12 09:00:00,2026-10-12T09:00:15+08:00,2026-10-12T09:03:05+08:00,"]
    );
}

#[test]
fn zendesk_report_words_for_scores_read_as_the_api_values() {
    let csv = "Id,Ticket ID,Score,Updated at\n\
1,41,\"Good, with comment\",2026-10-13T02:30:00Z\n\
2,42,Bad with comment,2026-10-13T02:31:00Z\n\
3,43,Not Offered,2026-10-13T02:32:00Z\n";
    let m = rule(
        "extends = \"zendesk-satisfaction\"\nrole = \"surveys\"\n",
        &[],
        csv.as_bytes(),
        Role::Surveys,
    )
    .unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    let ratings = m.cells(3);
    assert_eq!(ratings, ["satisfied", "dissatisfied"]);
    assert_eq!(
        m.skipped,
        [
            (
                "survey offered, not answered (Zendesk score offered)".to_string(),
                0
            ),
            ("no survey sent (Zendesk score unoffered)".to_string(), 1)
        ]
    );
}

#[test]
fn a_helpdesk_export_inside_a_reporting_workbook_reads_through_a_few_lines_on_the_profile() {
    // Freshdesk's ticket list pasted into a report: two title rows, then the export's header
    // and rows; times as typed date cells or as text, as the report left them.
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Tickets").unwrap();
    ws.write_string(0, 0, "Support report, October 2026")
        .unwrap();
    ws.write_string(1, 0, "Exported from Freshdesk").unwrap();
    for (c, h) in [
        "Ticket ID",
        "Type",
        "Created time",
        "Initial response time",
        "Resolved time",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let at = |s: &str| ExcelDateTime::parse_from_str(s).unwrap();
    ws.write_number(3, 0, 3001).unwrap();
    ws.write_string(3, 1, "Question").unwrap();
    ws.write_datetime_with_format(3, 2, at("2026-10-12 09:30:00"), &stamp)
        .unwrap();
    ws.write_datetime_with_format(3, 3, at("2026-10-12 10:05:00"), &stamp)
        .unwrap();
    ws.write_datetime_with_format(3, 4, at("2026-10-12 15:00:00"), &stamp)
        .unwrap();
    ws.write_number(4, 0, 3002).unwrap();
    ws.write_string(4, 1, "Complaint").unwrap();
    ws.write_string(4, 2, "2026/10/13 9:05").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let m = rule(
        "extends = \"freshdesk-tickets\"\nrole = \"tickets\"\n[source]\nformat = \"xlsx\"\nsheet = \"Tickets\"\nskip_rows = 2\n",
        &[],
        &bytes,
        Role::Tickets,
    )
    .unwrap();
    assert!(m.errors.is_empty(), "{m:?}");
    assert_eq!(
        m.rows,
        [
            "4|3001,acme,work_order,,,2026-10-12 09:30:00,2026-10-12 10:05:00,2026-10-12 15:00:00,",
            "5|3002,acme,complaint,,,2026-10-13 09:05:00,,,",
        ]
    );
}
