//! The binary over foreign exports: profiles chosen on the command line or in a manifest,
//! encodings, workbooks, every row counted, personal data kept out of rejects and evidence,
//! statements that record their profile and verify.

use crate::common;

use common::*;
use std::path::Path;

fn foreign(rel: &str) -> String {
    fixture("foreign").join(rel).display().to_string()
}

/// A month folder with header-only canonical tickets and surveys beside `files`.
fn month_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = Month::new().build();
    std::fs::remove_file(dir.path().join("calls.csv")).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn counts(statement: &serde_json::Value, role: &str) -> (u64, u64, u64, u64, u64) {
    let c = &statement["counts"][role];
    let n = |k: &str| c[k].as_u64().unwrap_or_else(|| panic!("counts.{role}.{k}"));
    (
        n("rows"),
        n("in_period"),
        n("outside_period"),
        n("duplicates"),
        n("rejected"),
    )
}

#[test]
fn a_cdr_settles_through_its_profile_and_every_row_is_counted() {
    // stock.csv: 13 rows; 3 legs folded into their calls (duplicates), line 1 rejected (a
    // 16-column record has no uniqueid), 9 contacts in October (stock.expected.csv).
    let cdr = std::fs::read(foreign("asterisk-cdr/stock.csv")).unwrap();
    let dir = month_with(&[("Master.csv", &cdr)]);
    let out = settle_json(
        dir.path(),
        "2026-10",
        &[
            "--calls",
            "Master.csv",
            "--calls-profile",
            "asterisk-cdr",
            "--vendor",
            "acme",
            "--allow-rejects",
        ],
    );
    out.expect(0);
    let s = out.statement("acme");
    let (rows, in_period, outside, duplicates, rejected) = counts(&s, "calls");
    assert_eq!(
        (rows, in_period, outside, duplicates, rejected),
        (13, 9, 0, 3, 1)
    );
    assert_eq!(rows, in_period + outside + duplicates + rejected);
    let input = &s["inputs"][0];
    assert_eq!(input["path"], "Master.csv");
    assert_eq!(input["profile"]["name"], "asterisk-cdr");
    assert_eq!(input["profile"]["vendor"], "acme");
    assert_eq!(input["profile"]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn rejects_and_evidence_of_a_foreign_export_carry_no_unmapped_columns() {
    // The CDR's clid column holds caller names and numbers; none may leave the source.
    let cdr = std::fs::read(foreign("asterisk-cdr/stock.csv")).unwrap();
    let dir = month_with(&[("Master.csv", &cdr)]);
    let rates = rates_arg();
    run_in(
        dir.path(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--calls",
            "Master.csv",
            "--calls-profile",
            "asterisk-cdr",
            "--vendor",
            "acme",
            "--allow-rejects",
            "--rejects",
            "rejects.csv",
            "--evidence",
            "ev",
            "--format",
            "json",
        ],
    )
    .expect(0);
    let mut written = vec![std::fs::read(dir.path().join("rejects.csv")).unwrap()];
    for entry in walk(&dir.path().join("ev")) {
        written.push(std::fs::read(entry).unwrap());
    }
    assert!(written.len() > 2, "rejects and evidence files were written");
    for bytes in &written {
        let text = String::from_utf8_lossy(bytes);
        for secret in [
            "Chen Jing",
            "Liu Yang",
            "13900001111",
            "13800138000",
            "PJSIP",
        ] {
            assert!(!text.contains(secret), "`{secret}` leaked into:\n{text}");
        }
    }
    let rejects = String::from_utf8_lossy(&written[0]).into_owned();
    assert!(rejects.contains("Master.csv"), "{rejects}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_bad_byte_in_a_used_cell_names_the_encoding_to_try_and_in_an_unused_cell_is_harmless() {
    let rates = rates_arg();
    let dir = tempfile::tempdir().unwrap();
    // Line 3 has an invalid GBK sequence in 业务类型 (the category); line 2's bad byte sits in
    // a column the profile does not read.
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--calls",
            &foreign("cn-excel-calls/bad-used-cell.csv"),
            "--calls-profile",
            "cn-excel",
        ],
    );
    out.expect(65);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("bad-used-cell.csv:3: category:"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(line.contains("not valid gb18030"), "{line}");
    assert!(line.contains("try encoding = \"utf-8\""), "{line}");
    assert!(
        !out.stdout.contains("bad-used-cell.csv:2:"),
        "{}",
        out.stdout
    );
}

/// `check` of one fixture export, named as the `role` input, read through `profile`, vendor acme.
fn check_one(role: &str, fixture: &str, profile: &str) -> Out {
    let rates = rates_arg();
    let dir = tempfile::tempdir().unwrap();
    run_in(
        dir.path(),
        &[
            "check",
            "--rates",
            &rates,
            &format!("--{role}"),
            &foreign(fixture),
            &format!("--{role}-profile"),
            profile,
            "--vendor",
            "acme",
        ],
    )
}

#[test]
fn check_previews_a_mapping_on_one_named_file() {
    // No tickets or surveys anywhere: a named file is checked on its own.
    let out = check_one(
        "tickets",
        "freshdesk-tickets/freshdesk-export.csv",
        "freshdesk-tickets",
    );
    out.expect(65);
    let o = &out.stdout;
    assert!(o.contains("read through profile freshdesk-tickets"), "{o}");
    assert!(o.contains("│ line ┆ ticket_id"), "{o}");
    assert!(
        o.contains("unmapped columns (never copied into rejects or evidence): subject"),
        "{o}"
    );
    assert!(
        o.contains("values that failed to map:\n  kind: `Billing` ×1 (first on line 10)"),
        "{o}"
    );
    assert!(
        o.contains("parse failures per column:\n  kind: 1 row(s); first on line 10"),
        "{o}"
    );
}

#[test]
fn a_manifest_names_each_file_and_profile_and_verify_rederives_the_statement() {
    let cdr = std::fs::read(foreign("asterisk-queue-log/queue_log")).unwrap();
    let zendesk = std::fs::read(foreign("zendesk-tickets/zendesk-export.csv")).unwrap();
    let dir = month_with(&[
        ("queue_log", &cdr),
        ("zendesk.csv", &zendesk),
        (
            "manifest.toml",
            b"[calls]\nfile = \"queue_log\"\nprofile = \"asterisk-queue-log\"\nvendor = \"acme\"\n\n[tickets]\nfile = \"zendesk.csv\"\nprofile = \"zendesk-tickets\"\nvendor = \"acme\"\n",
        ),
    ]);
    std::fs::remove_file(dir.path().join("tickets.csv")).unwrap();
    let rates = rates_arg();
    let out = run_in(
        dir.path(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--allow-rejects",
            "--out",
            "out",
            "--format",
            "json",
            "--vendor",
            "acme",
        ],
    );
    out.expect(0);
    let s = out.statement("acme");
    // queue_log: 15 call lines (7 management lines are not contacts): 5 contacts in October,
    // 9 events folded, call F (no ENTERQUEUE) rejected.
    assert_eq!(counts(&s, "calls"), (15, 5, 0, 9, 1));
    assert_eq!(counts(&s, "tickets"), (6, 6, 0, 0, 0));
    assert_eq!(s["inputs"][1]["profile"]["name"], "zendesk-tickets");

    let verify = run_in(dir.path(), &["verify", "out/2026-10/acme/statement.json"]);
    verify.expect(0);
    // A profile file edited after settling shows as changed and the figures move.
    let custom = "extends = \"zendesk-tickets\"\nrole = \"tickets\"\n[columns]\nkind = { value = \"complaint\" }\n";
    std::fs::write(dir.path().join("mine.toml"), custom).unwrap();
    let manifest = std::fs::read_to_string(dir.path().join("manifest.toml"))
        .unwrap()
        .replace("\"zendesk-tickets\"", "\"mine.toml\"");
    std::fs::write(dir.path().join("manifest.toml"), manifest).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--allow-rejects",
            "--out",
            "out2",
            "--format",
            "json",
            "--vendor",
            "acme",
        ],
    );
    out.expect(0);
    assert_eq!(
        out.statement("acme")["inputs"][1]["profile"]["name"],
        "mine.toml"
    );
    verify_after_edit(dir.path(), custom);
}

fn verify_after_edit(dir: &Path, custom: &str) {
    run_in(dir, &["verify", "out2/2026-10/acme/statement.json"]).expect(0);
    std::fs::write(
        dir.join("mine.toml"),
        custom.replace("complaint", "work_order"),
    )
    .unwrap();
    let v = run_in(dir, &["verify", "out2/2026-10/acme/statement.json"]);
    v.expect(1);
    assert!(v.stdout.contains("tickets profile"), "{}", v.stdout);
}

#[test]
fn a_profile_that_maps_no_vendor_needs_one_from_the_run() {
    let rates = rates_arg();
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--rates",
            &rates,
            "--calls",
            &foreign("freeswitch-cdr/Master.csv"),
            "--calls-profile",
            "freeswitch-cdr",
        ],
    );
    out.expect(78);
    assert!(
        out.stderr.contains("maps no vendor column"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--vendor ID"), "{}", out.stderr);
}

#[test]
fn a_workbook_in_the_data_folder_stands_in_for_its_csv() {
    // calls.xlsx holds five canonical calls of October 2026 as date cells (calls.expected.csv).
    let xlsx = std::fs::read(fixture("xlsx").join("calls.xlsx")).unwrap();
    let dir = month_with(&[("calls.xlsx", &xlsx)]);
    let out = settle_json(dir.path(), "2026-10", &["--vendor", "acme"]);
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(counts(&s, "calls"), (5, 5, 0, 0, 0));
    assert_eq!(s["inputs"][0]["path"], "calls.xlsx");
    assert!(
        s["inputs"][0].get("profile").is_none(),
        "a canonical workbook has no profile"
    );
}

#[test]
fn a_custom_profile_reads_utf16_semicolons_skipped_rows_and_epoch_milliseconds() {
    // Excel's "Unicode text": UTF-16LE with a BOM; two title rows before the header.
    let text =
        "Report;calls\r\nExported;2026-11-01\r\nID;Start (ms);Answered (ms);Result;Agent name\r\n\
                a1;1791766800000;1791766812000;OK;张伟\r\n\
                a2;1791767400000;;LOST;王芳\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let profile = r#"role = "calls"
[source]
encoding = "utf-16le"
delimiter = ";"
skip_rows = 2
[columns]
contact_id = "ID"
vendor = { value = "acme" }
channel = { value = "phone" }
stage = { value = "presales" }
category = { value = "手机" }
offered_at = { column = "Start (ms)", format = "epoch_ms" }
answered_at = { column = "Answered (ms)", format = "epoch_ms", when = { column = "Result", is = ["OK"] } }
"#;
    let dir = month_with(&[("calls.txt", &bytes), ("p.toml", profile.as_bytes())]);
    let out = settle_json(
        dir.path(),
        "2026-10",
        &["--calls", "calls.txt", "--calls-profile", "p.toml"],
    );
    out.expect(0);
    let s = out.statement("acme");
    // 1791766800 = 2026-10-12T01:00:00Z; a1 answered 12 s later, a2 abandoned.
    assert_eq!(counts(&s, "calls"), (2, 2, 0, 0, 0));
    let check = run_in(
        dir.path(),
        &[
            "check",
            "--rates",
            &rates_arg(),
            "--calls",
            "calls.txt",
            "--calls-profile",
            "p.toml",
        ],
    );
    check.expect(0);
    assert!(check.stdout.contains("│    4 ┆ a1 "), "{}", check.stdout);
    assert!(
        check.stdout.contains("2026-10-12T09:00:12+08:00"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("unmapped columns (never copied into rejects or evidence): agent name"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_cdr_without_answer_times_derives_them_from_duration_and_billsec() {
    // start 09:00:00, duration 100 s, billsec 70 s: answered at 09:00:30 (30 s waiting).
    // billsec 0: not answered. A CDR of another vendor's trunk is named by its own column.
    let cdr = "id,start,duration,billsec,vendor\n\
               c1,2026-10-12 09:00:00,100,70,acme\n\
               c2,2026-10-12 09:10:00,40,0,acme\n\
               c3,2026-10-12 09:20:00,x,5,acme\n";
    let profile = r#"role = "calls"
[columns]
contact_id = "id"
vendor = "vendor"
channel = { value = "phone" }
stage = { value = "presales" }
category = { value = "手机" }
offered_at = { column = "start", format = "%Y-%m-%d %H:%M:%S" }
answered_at = { derive = "start_plus_wait", start = "start", duration = "duration", billsec = "billsec", format = "%Y-%m-%d %H:%M:%S" }
"#;
    let dir = month_with(&[("cdr.csv", cdr.as_bytes()), ("p.toml", profile.as_bytes())]);
    let check = run_in(
        dir.path(),
        &[
            "check",
            "--rates",
            &rates_arg(),
            "--calls",
            "cdr.csv",
            "--calls-profile",
            "p.toml",
        ],
    );
    check.expect(65);
    let o = &check.stdout;
    assert!(o.contains("2026-10-12T09:00:30+08:00"), "{o}");
    assert!(
        o.lines()
            .any(|l| l.contains("┆ c2 ") && !l.contains("T09:10")),
        "c2 is not answered:\n{o}"
    );
    assert!(
        o.contains("cdr.csv:4: answered_at: duration `x` is not a number of seconds"),
        "{o}"
    );
}

#[test]
fn a_workbook_is_read_through_a_profile_with_renamed_columns() {
    // The fixture workbook's header, renamed by a profile: stage overridden for every row.
    let xlsx = std::fs::read(fixture("xlsx").join("calls.xlsx")).unwrap();
    let profile = r#"role = "calls"
[source]
format = "xlsx"
[columns]
contact_id = "CONTACT_ID"
vendor = "vendor"
channel = "channel"
stage = { value = "aftersales" }
category = "category"
offered_at = "offered_at"
answered_at = "answered_at"
"#;
    let dir = month_with(&[("book.xlsx", &xlsx), ("p.toml", profile.as_bytes())]);
    let out = settle_json(
        dir.path(),
        "2026-10",
        &[
            "--calls",
            "book.xlsx",
            "--calls-profile",
            "p.toml",
            "--vendor",
            "acme",
        ],
    );
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(counts(&s, "calls"), (5, 5, 0, 0, 0));
    assert_eq!(s["inputs"][0]["profile"]["name"], "p.toml");
}

#[test]
fn check_shows_what_became_of_every_line_lines_records_skipped_folded_contacts() {
    // asterisk-cdr-db/cdr.csv: 13 lines = header + 12 records; 2 voicemail legs skipped,
    // 5 legs folded into their call, 5 rows (4 calls, 1 rejected); see its expected.md.
    let out = check_one("calls", "asterisk-cdr-db/cdr.csv", "asterisk-cdr-db");
    out.expect(65);
    let o = &out.stdout;
    assert!(
        o.contains("read: 13 physical line(s) → 12 record(s) → 2 skipped by filter → 5 folded into another record's contact → 5 contacts\n  skipped: voicemail leg: 2\n"),
        "{o}"
    );
    assert!(o.contains("cdr.csv:13: offered_at:"), "{o}");
}

#[test]
fn a_cdr_table_settles_one_contact_per_linked_call_and_notes_the_legs_set_aside() {
    // asterisk-cdr-db/cdr.csv (expected.md): 12 records, 2 voicemail legs set aside, 5 legs
    // folded, 4 calls (2 answered by an agent leg) and 1 rejected record.
    let cdr = std::fs::read(foreign("asterisk-cdr-db/cdr.csv")).unwrap();
    let dir = month_with(&[("cdr.csv", &cdr)]);
    let out = settle_json(
        dir.path(),
        "2026-10",
        &[
            "--calls",
            "cdr.csv",
            "--calls-profile",
            "asterisk-cdr-db",
            "--vendor",
            "acme",
            "--allow-rejects",
        ],
    );
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(counts(&s, "calls"), (10, 4, 0, 5, 1));
    let answer = &s["metrics"]["answer_rate"];
    assert_eq!(
        (answer["numerator"].as_u64(), answer["denominator"].as_u64()),
        (Some(2), Some(4))
    );
    assert!(
        out.stderr.contains("cdr.csv: 2 record(s) set aside by the profile's filters, not contacts (voicemail leg: 2)"),
        "{}",
        out.stderr
    );
}

#[test]
fn settle_help_names_every_built_in_profile_under_its_input() {
    let out = run_in(&fixture("foreign"), &["settle", "--help"]);
    out.expect(0);
    let help = out.stdout.replace('\n', " ");
    for (name, text) in slatement::input::profile::BUILT_IN {
        if *name == "vendor-claim-cn" || name.starts_with("cn-excel-") {
            continue; // a claim profile (reconcile's help); the cn-excel family is named once
        }
        let role = ["calls", "tickets", "surveys"]
            .into_iter()
            .find(|r| text.contains(&format!("role = \"{r}\"")))
            .unwrap_or_else(|| panic!("{name}: role"));
        let flag = format!("--{role}-profile");
        let at = help.find(&flag).unwrap_or_else(|| panic!("{flag}"));
        let next = help[at + flag.len()..]
            .find("--")
            .map_or(help.len(), |n| at + flag.len() + n);
        assert!(
            help[at..next].contains(name),
            "{flag} does not name {name}: {}",
            &help[at..next]
        );
    }
}

#[test]
fn a_mapped_record_whose_quoted_cell_holds_a_line_break_is_judged_as_running_over_two_lines() {
    // A one-line layout (no `multiline`): the record of line 2 runs to line 3 and is refused;
    // the record after it, on line 4, is read as usual.
    let rates = rates_arg();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mapped.toml"),
        "name = \"mapped\"\nrole = \"calls\"\n[source]\nformat = \"csv\"\n[columns]\n\
         contact_id = \"id\"\nvendor = { value = \"acme\" }\nchannel = { value = \"phone\" }\n\
         stage = { value = \"aftersales\" }\ncategory = \"cat\"\noffered_at = \"start\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("calls.csv"),
        "id,cat,start\nC1,\"家\n具\",2026-10-03 09:00:00\nC2,家具,2026-10-03 10:00:00\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--rates",
            &rates,
            "--calls",
            "calls.csv",
            "--calls-profile",
            "mapped.toml",
        ],
    );
    out.expect(65);
    assert!(
        out.stdout
            .contains("calls.csv:2: (row): a quoted cell runs from line 2 to line 3"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("calls.csv:4:"), "{}", out.stdout);
}
