//! Black-box tests of the evidence behind the figures: `settle --evidence DIR` and
//! `slatement explain` (SPEC §6 "explain / --evidence"). Every expected row, line number,
//! deadline and elapsed time below is computed by hand in the comments beside the fixture.
//!
//! The contract is the repository's rates.toml (Asia/Shanghai; work-order hours mon-sun
//! 09:00-12:00 and 13:00-18:00, 3h allowance, holidays not observed; phone hours 09:00-18:00,
//! online 09:00-21:00; repairs respond within 24h, resolve within 3 / 5 working days), with
//! `short_abandon_seconds = 10` so that a short abandon can be listed.

use crate::common;

use common::*;
use std::path::Path;
use tempfile::TempDir;

/// calls.csv, line by line (the header is line 1). A blank line follows C4 (line 6), so every
/// later row starts one line further down: lines are physical lines.
const CALLS_CSV: &str = "\
contact_id,vendor,channel,stage,category,offered_at,answered_at,ended_at,handled_by
C1,acme,phone,presales,家用电器,2026-10-12 08:30,2026-10-12 08:30:10,2026-10-12 08:35,vendor
C2,acme,phone,aftersales,手机,2026-10-12 10:00,,2026-10-12 10:00:05,vendor
C3,acme,online,presales,男装,2026-10-12 10:00,,2026-10-12 10:02,vendor
C4,acme,phone,presales,\"手机\",2026-10-12 11:00,2026-10-12 11:00:10,2026-10-12 11:05,vendor

C5,acme,phone,aftersales,手机,2026-10-12 11:00,2026-10-12 11:00:05,2026-10-12 11:03,platform
C6,acme,online,presales,男装,2026-10-12 11:00,2026-10-12 11:00:05,2026-10-12 11:03,platform
C7,acme,online,aftersales,男装,2026-10-12 11:00,,2026-10-12 11:03,platform
C8,acme,phone,presales,手机,2026-10-12 20:00,,2026-10-12 20:01,vendor
C9,nobody,phone,presales,手机,2026-10-12 10:00,,,vendor
";
// line 2  C1: offered 08:30, before phone hours (09:00-18:00): outside_hours (answered).
// line 3  C2: unanswered, ended 5 s after offer < 10 s: short_abandon.
// line 4  C3: unanswered, ended after 2 min: unanswered.
// line 5  C4: answered in hours: nothing to show. Line 6 is blank.
// line 7  C5: platform, after-sales, 手机 = package1, phone, answered: takeover 14.50.
// line 8  C6: platform, pre-sales, online, answered: takeover 1.60.
// line 9  C7: platform, never answered: not charged, not listed.
// line 10 C8: offered 20:00, after phone hours, unanswered: outside_hours only (left out of
//         the metrics, so not also "unanswered").
// line 11 C9: vendor `nobody` is not declared: rejected.

/// tickets.csv, line by line (the header is line 1).
const TICKETS_CSV: &str = "\
ticket_id,vendor,kind,category,complexity,created_at,first_reply_at,resolved_at,handled_by
W1,acme,work_order,,,2026-10-12 09:00,2026-10-12 12:40,,vendor
W2,acme,work_order,,,2026-10-12 16:00,2026-10-13 10:30,,vendor
W3,acme,work_order,,,2026-10-31 17:00,,,vendor
W4,acme,work_order,,,2026-10-20 10:00:30,,,vendor
R1,acme,repair,,simple,2026-10-12 10:00,2026-10-13 10:00:01,2026-10-15 23:59,vendor
R2,acme,repair,,complex,2026-10-29 09:00,2026-10-29 10:00,,vendor
R3,acme,repair,,simple,2026-10-12 09:00,2026-10-12 10:00,2026-10-14 10:00,vendor
S1,acme,service_order,手机,,2026-10-12 09:00,2026-10-12 10:00,2026-10-12 12:00,platform
S2,acme,service_order,手机,,2026-10-12 09:00,,,platform
W9,acme,work_order,,,not a time,,,vendor
=B1,brightline,work_order,,,2026-10-12 16:00,,,vendor
";
// line 2  W1: created 09:00, deadline 12:00 (09:00-12:00 = 3h); the reply at 12:40 falls in
//         the lunch break with exactly 180 min elapsed: on time, NOT listed (SPEC §8).
// line 3  W2: created Mon 16:00: 16:00-18:00 (120) + Tue 09:00-10:00 (60) → deadline Tue
//         10:00; reply 10:30: 120 + 90 = 210 min > 180: overdue.
// line 4  W3: created Sat 10-31 17:00, unreplied: 17:00-18:00 = 60 min by the cut-off
//         (11-01 00:00): pending; deadline Sun 11-01 09:00 + 120 min = 11:00. With
//         --as-of 2026-11-01 12:00: 60 + 180 = 240 > 180: overdue.
// line 5  W4: created 10-20 10:00:30, unreplied: 119.5 (to 12:00) + 300 (13-18) on 10-20,
//         then 10-21..10-31 = 11 days × 480 = 5280: 5699.5 min at the cut-off: overdue;
//         deadline 13:00 + 60.5 min = 14:00:30.
// line 6  R1: respond by 10-13 10:00:00 (24 h, inclusive), replied 1 s later: failed;
//         3 working days after Mon 10-12 = 13, 14, 15 → resolve before 10-16 00:00;
//         resolved 10-15 23:59: ok.
// line 7  R2: complex, replied in time; 5 working days after Thu 10-29: Fri 30, (Sat, Sun),
//         Mon 11-02 .. Thu 11-05 → before 11-06 00:00; unresolved at the cut-off: pending.
// line 8  R3: in time on both counts: not listed.
// line 9  S1: a service order the platform resolved: takeover/service_order 8.26.
// line 10 S2: the platform's, unresolved: not charged, not listed.
// line 11 W9: created_at is not a timestamp: rejected.
// line 12 =B1: brightline's, created Mon 10-12 16:00, unreplied: 120 on 10-12, then
//         10-13..10-31 = 19 × 480 = 9120: 9240 min, overdue; deadline 10-13 10:00. Its id
//         begins with `=`, so CSV writes it as `'=B1`.

fn rates_text() -> String {
    rates_with(&[("short_abandon_seconds = 0", "short_abandon_seconds = 10")])
}

/// The fixture month in a temporary folder, with its rates as `rates.toml`.
fn month() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("calls.csv"), CALLS_CSV).unwrap();
    std::fs::write(dir.path().join("tickets.csv"), TICKETS_CSV).unwrap();
    std::fs::write(dir.path().join("surveys.csv"), format!("{SURVEYS}\n")).unwrap();
    std::fs::write(dir.path().join("rates.toml"), rates_text()).unwrap();
    dir
}

fn settle(dir: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["settle", "--month", "2026-10", "--rates", "rates.toml"];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn explain(dir: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["explain", "--month", "2026-10", "--rates", "rates.toml"];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[track_caller]
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of a CSV file, header first.
#[track_caller]
fn csv_lines(path: &Path) -> Vec<String> {
    read(path).lines().map(str::to_string).collect()
}

const WORK_ORDERS_HEADER: &str = "file,line,ticket_id,created_at,deadline,first_reply_at,elapsed_business_minutes,allowance_minutes,verdict";
const REPAIRS_HEADER: &str = "file,line,ticket_id,complexity,created_at,respond_by,first_reply_at,response,resolve_before,resolved_at,resolution";
const CONTACTS_HEADER: &str =
    "file,line,contact_id,channel,stage,offered_at,answered_at,ended_at,reason";
const TAKEOVERS_HEADER: &str = "file,line,id,item,unit_price";

const W2: &str = "tickets.csv,3,W2,2026-10-12T16:00:00+08:00,2026-10-13T10:00:00+08:00,2026-10-13T10:30:00+08:00,210,180,overdue";
const W4: &str =
    "tickets.csv,5,W4,2026-10-20T10:00:30+08:00,2026-10-20T14:00:30+08:00,,5699.5,180,overdue";

#[test]
fn settle_evidence_writes_exactly_the_rows_behind_each_figure() {
    let dir = month();
    let out = settle(dir.path(), &["--allow-rejects", "--evidence", "ev"]);
    out.expect(0);
    let acme = dir.path().join("ev/2026-10/acme");

    assert_eq!(
        csv_lines(&acme.join("work_orders.csv")),
        [
            WORK_ORDERS_HEADER,
            W2,
            "tickets.csv,4,W3,2026-10-31T17:00:00+08:00,2026-11-01T11:00:00+08:00,,60,180,pending",
            W4,
        ],
        "W1 (a reply in the lunch break after a 12:00 deadline) is on time and not listed"
    );
    assert_eq!(
        csv_lines(&acme.join("repairs.csv")),
        [
            REPAIRS_HEADER,
            "tickets.csv,6,R1,simple,2026-10-12T10:00:00+08:00,2026-10-13T10:00:00+08:00,2026-10-13T10:00:01+08:00,failed,2026-10-16T00:00:00+08:00,2026-10-15T23:59:00+08:00,ok",
            "tickets.csv,7,R2,complex,2026-10-29T09:00:00+08:00,2026-10-30T09:00:00+08:00,2026-10-29T10:00:00+08:00,ok,2026-11-06T00:00:00+08:00,,pending",
        ]
    );
    assert_eq!(
        csv_lines(&acme.join("contacts.csv")),
        [
            CONTACTS_HEADER,
            "calls.csv,2,C1,phone,presales,2026-10-12T08:30:00+08:00,2026-10-12T08:30:10+08:00,2026-10-12T08:35:00+08:00,outside_hours",
            "calls.csv,3,C2,phone,aftersales,2026-10-12T10:00:00+08:00,,2026-10-12T10:00:05+08:00,short_abandon",
            "calls.csv,4,C3,online,presales,2026-10-12T10:00:00+08:00,,2026-10-12T10:02:00+08:00,unanswered",
            "calls.csv,10,C8,phone,presales,2026-10-12T20:00:00+08:00,,2026-10-12T20:01:00+08:00,outside_hours",
        ]
    );
    assert_eq!(
        csv_lines(&acme.join("takeovers.csv")),
        [
            TAKEOVERS_HEADER,
            "calls.csv,7,C5,takeover/aftersales/package1/phone,14.50",
            "calls.csv,8,C6,takeover/presales/online,1.60",
            "tickets.csv,9,S1,takeover/service_order,8.26",
        ]
    );

    // Each vendor has its own folder; a text cell that a spreadsheet would run is escaped.
    let bright = dir.path().join("ev/2026-10/brightline");
    assert_eq!(
        csv_lines(&bright.join("work_orders.csv")),
        [
            WORK_ORDERS_HEADER,
            "tickets.csv,12,'=B1,2026-10-12T16:00:00+08:00,2026-10-13T10:00:00+08:00,,9240,180,overdue",
        ]
    );
    for f in ["repairs.csv", "contacts.csv", "takeovers.csv"] {
        assert_eq!(csv_lines(&bright.join(f)).len(), 1, "{f} is header-only");
    }

    // Rejected rows of the month, with their reasons, calls first.
    let rejected = read(&dir.path().join("ev/2026-10/rejected.csv"));
    let mut r = csv::Reader::from_reader(rejected.as_bytes());
    assert_eq!(
        r.headers().unwrap(),
        vec!["file", "line", "column", "reason", "row"]
    );
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{rejected}");
    assert_eq!(rows[0][..3], ["calls.csv", "11", "vendor"]);
    assert!(
        rows[0][3].contains("`nobody` is not declared"),
        "{rejected}"
    );
    assert_eq!(
        rows[0][4],
        "C9,nobody,phone,presales,手机,2026-10-12 10:00,,,vendor"
    );
    assert_eq!(rows[1][..3], ["tickets.csv", "11", "created_at"]);
    assert!(
        rows[1][3].starts_with("`not a time` is not a timestamp"),
        "{rejected}"
    );
    assert_eq!(rows[1][4], "W9,acme,work_order,,,not a time,,,vendor");

    // The evidence agrees with the statement's figures.
    let json = settle(
        dir.path(),
        &["--allow-rejects", "--format", "json", "--quiet"],
    );
    json.expect(0);
    let st = json.statement("acme");
    assert_eq!(st["work_orders"]["overdue"], 2);
    assert_eq!(st["work_orders"]["pending"], 1);
    assert_eq!(st["contacts"]["short_abandons"], 1);
    assert_eq!(st["contacts"]["takeovers_answered"], 2);
    assert_eq!(amount_of(&st, "takeover/service_order"), "8.26");
    assert_eq!(amount_of(&st, "overdue/work_order"), "16.52");
}

#[test]
fn a_later_as_of_judges_the_pending_work_order_overdue() {
    let dir = month();
    settle(
        dir.path(),
        &[
            "--allow-rejects",
            "--evidence",
            "ev",
            "--as-of",
            "2026-11-01 12:00",
            "--quiet",
        ],
    )
    .expect(0);
    // W3: 60 min on 10-31 + 180 min on 11-01 09:00-12:00 = 240 > 180. W4 gains 180 min too.
    assert_eq!(
        csv_lines(&dir.path().join("ev/2026-10/acme/work_orders.csv")),
        [
            WORK_ORDERS_HEADER,
            W2,
            "tickets.csv,4,W3,2026-10-31T17:00:00+08:00,2026-11-01T11:00:00+08:00,,240,180,overdue",
            "tickets.csv,5,W4,2026-10-20T10:00:30+08:00,2026-10-20T14:00:30+08:00,,5879.5,180,overdue",
        ]
    );
    // R2's limit (11-06 00:00) is still open at 11-01 12:00: pending still.
    let repairs = read(&dir.path().join("ev/2026-10/acme/repairs.csv"));
    assert!(repairs.contains(",R2,") && repairs.trim_end().ends_with(",pending"));
}

#[test]
fn an_outside_hours_contact_counted_in_the_metrics_is_listed_for_each_figure() {
    let dir = month();
    let text = rates_text().replacen(
        "count_outside_hours = false",
        "count_outside_hours = true",
        1,
    );
    std::fs::write(dir.path().join("rates.toml"), text).unwrap();
    settle(
        dir.path(),
        &["--allow-rejects", "--evidence", "ev", "--quiet"],
    )
    .expect(0);
    // C8 is outside hours and, now counted, unanswered: one row per figure.
    let contacts = csv_lines(&dir.path().join("ev/2026-10/acme/contacts.csv"));
    let c8: Vec<&String> = contacts.iter().filter(|l| l.contains(",C8,")).collect();
    assert_eq!(c8.len(), 2, "{contacts:?}");
    assert!(c8[0].ends_with(",outside_hours") && c8[1].ends_with(",unanswered"));
}

#[test]
fn statements_are_byte_identical_with_or_without_evidence() {
    let dir = month();
    for format in ["table", "json", "csv", "md"] {
        let plain = settle(
            dir.path(),
            &["--allow-rejects", "--format", format, "--quiet"],
        );
        plain.expect(0);
        let with = settle(
            dir.path(),
            &[
                "--allow-rejects",
                "--format",
                format,
                "--quiet",
                "--evidence",
                "ev",
            ],
        );
        with.expect(0);
        assert_eq!(plain.stdout, with.stdout, "--format {format}");
        assert!(with.stderr.is_empty(), "--quiet: {}", with.stderr);
    }
}

#[test]
fn evidence_is_replaced_freely_and_written_beside_the_statements() {
    let dir = month();
    // A stale file from an earlier run is replaced, without --force.
    let stale = dir.path().join("out/2026-10/acme/work_orders.csv");
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, "stale\n").unwrap();
    let out = settle(
        dir.path(),
        &["--allow-rejects", "--out", "out", "--evidence", "out"],
    );
    out.expect(0);
    assert!(read(&stale).starts_with(WORK_ORDERS_HEADER));
    assert!(dir.path().join("out/2026-10/acme/statement.json").is_file());
    assert!(dir.path().join("out/2026-10/rejects.csv").is_file());
    assert!(dir.path().join("out/2026-10/rejected.csv").is_file());
    assert!(
        out.stderr
            .contains("wrote out/2026-10/acme/work_orders.csv"),
        "{}",
        out.stderr
    );
    // Running again gives the same bytes.
    let before = read(&stale);
    settle(
        dir.path(),
        &["--allow-rejects", "--out", "out", "--evidence", "out", "-q"],
    )
    .expect(0);
    assert_eq!(read(&stale), before);
}

#[test]
fn no_evidence_is_written_when_settle_refuses_on_rejected_rows() {
    let dir = month();
    settle(dir.path(), &["--evidence", "ev"]).expect(65);
    assert!(!dir.path().join("ev").exists());
}

#[test]
fn evidence_of_one_vendor_leaves_the_others_out() {
    let dir = month();
    settle(
        dir.path(),
        &[
            "--allow-rejects",
            "--vendor",
            "acme",
            "--evidence",
            "ev",
            "-q",
        ],
    )
    .expect(0);
    assert!(dir.path().join("ev/2026-10/acme/work_orders.csv").is_file());
    assert!(!dir.path().join("ev/2026-10/brightline").exists());
    // Under --vendor, the row of the undeclared vendor is skipped, not rejected.
    let rejected = csv_lines(&dir.path().join("ev/2026-10/rejected.csv"));
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(rejected[1].starts_with("tickets.csv,11,created_at,"));
}

#[test]
fn rescore_evidence_follows_the_auditors_decisions() {
    let dir = month();
    // Drop the rejected rows so that rescore settles without --allow-rejects.
    let clean = |text: &str, bad: &str| {
        text.lines()
            .filter(|l| !l.starts_with(bad))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    std::fs::write(dir.path().join("calls.csv"), clean(CALLS_CSV, "C9,")).unwrap();
    std::fs::write(dir.path().join("tickets.csv"), clean(TICKETS_CSV, "W9,")).unwrap();
    std::fs::write(
        dir.path().join("disputes.csv"),
        "kind,id,decision,reason,decided_by\nticket,W2,on_time,reply by e-mail,auditor\ncontact,C6,not_takeover,taken by mistake,auditor\n",
    )
    .unwrap();
    run_in(
        dir.path(),
        &[
            "rescore",
            "--month",
            "2026-10",
            "--rates",
            "rates.toml",
            "--disputes",
            "disputes.csv",
            "--vendor",
            "acme",
            "--evidence",
            "ev",
            "-q",
        ],
    )
    .expect(0);
    let acme = dir.path().join("ev/2026-10/acme");
    let wo = csv_lines(&acme.join("work_orders.csv"));
    assert_eq!(wo.len(), 3, "W3 and W4 only: {wo:?}");
    assert!(!wo.iter().any(|l| l.contains(",W2,")));
    assert_eq!(
        csv_lines(&acme.join("takeovers.csv")),
        [
            TAKEOVERS_HEADER,
            "calls.csv,7,C5,takeover/aftersales/package1/phone,14.50",
            "tickets.csv,9,S1,takeover/service_order,8.26",
        ]
    );
}

/// The cells of a table row, trimmed (empty for a border line).
fn cells(line: &str) -> Vec<String> {
    if !line.starts_with('│') {
        return Vec::new();
    }
    line.trim_matches('│')
        .split('┆')
        .map(|c| c.trim().to_string())
        .collect()
}

/// Every data row of the tables in `text`, as cells.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines().map(cells).filter(|c| !c.is_empty()).collect()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

#[test]
fn explain_prints_the_evidence_as_tables() {
    let dir = month();
    let out = explain(dir.path(), &["--quiet"]);
    out.expect(0);
    let text = &out.stdout;
    assert!(
        text.starts_with(
            "Acme Service Co. (acme) · 2026-10 · cut-off 2026-11-01 00:00:00 · times in Asia/Shanghai\n"
        ),
        "{text}"
    );
    for heading in [
        "work orders overdue: 2, pending: 1",
        "repairs response failed: 1, pending: 0; resolution failed: 0, pending: 1",
        "contacts unanswered: 1, short abandons: 1, outside service hours: 2",
        "takeovers charged: 3",
        "rejected rows of 2026-10: 2",
    ] {
        assert!(text.contains(heading), "missing {heading:?} in:\n{text}");
    }
    let all = rows(text);
    assert!(all.contains(&row(&[
        "tickets.csv:3",
        "W2",
        "2026-10-12 16:00:00",
        "2026-10-13 10:00:00",
        "2026-10-13 10:30:00",
        "210",
        "180",
        "overdue"
    ])));
    assert!(all.contains(&row(&[
        "calls.csv:7",
        "C5",
        "takeover/aftersales/package1/phone",
        "14.50"
    ])));
    assert!(all
        .iter()
        .any(|r| r[0] == "tickets.csv:11" && r[1] == "created_at"));
    // Rejected rows do not stop explain: they are part of the evidence (exit 0 above).

    // --what narrows the listing.
    let only = explain(dir.path(), &["--quiet", "--what", "takeovers,rejected"]);
    only.expect(0);
    assert!(!only.stdout.contains("work orders overdue"));
    assert!(only.stdout.contains("takeovers charged: 3"));
    assert!(only.stdout.contains("rejected rows of 2026-10: 2"));
}

#[test]
fn explain_ticket_traces_the_windows_counted_up_to_the_deadline_and_the_reply() {
    let dir = month();
    let out = explain(dir.path(), &["--ticket", "W2", "--quiet"]);
    out.expect(0);
    let text = &out.stdout;
    let head: Vec<&str> = text.lines().take(5).collect();
    assert_eq!(
        head,
        [
            "W2 · work order of Acme Service Co. (acme) · 2026-10",
            "source      tickets.csv:3",
            "created     2026-10-12 16:00:00 (times in Asia/Shanghai)",
            "allowance   3:00:00 of business time (reply_within 3h, 180 min)",
            "hours       mon-sun 09:00-12:00, 13:00-18:00; holidays not observed (observe_holidays = false)",
        ]
    );
    assert_eq!(
        rows(text),
        [
            row(&["date", "window", "span", "counted", "clock"]),
            row(&["2026-10-12", "▸ created", "16:00", "", "0:00:00"]),
            row(&[
                "2026-10-12",
                "13:00-18:00",
                "16:00-18:00",
                "2:00:00",
                "2:00:00"
            ]),
            row(&[
                "2026-10-13",
                "09:00-12:00",
                "09:00-10:00",
                "1:00:00",
                "3:00:00"
            ]),
            row(&["2026-10-13", "▸ deadline", "10:00", "", "3:00:00"]),
            row(&[
                "2026-10-13",
                "09:00-12:00",
                "10:00-10:30",
                "0:30:00",
                "3:30:00"
            ]),
            row(&["2026-10-13", "▸ reply", "10:30", "", "3:30:00"]),
        ]
    );
    let tail: Vec<&str> = text.lines().rev().take(4).collect();
    assert_eq!(
        tail,
        [
            "verdict     overdue: the reply came 0:30:00 of business time past the allowance; charged 8.26 (overdue/work_order)",
            "elapsed     3:30:00 of business time at the reply (210 min; allowance 180 min)",
            "reply       2026-10-13 10:30:00",
            "deadline    2026-10-13 10:00:00",
        ]
    );
}

#[test]
fn explain_ticket_a_reply_in_the_lunch_break_after_a_1200_deadline_is_on_time() {
    let dir = month();
    let out = explain(dir.path(), &["--ticket", "W1", "-q"]);
    out.expect(0);
    assert_eq!(
        rows(&out.stdout)[1..],
        [
            row(&["2026-10-12", "▸ created", "09:00", "", "0:00:00"]),
            row(&[
                "2026-10-12",
                "09:00-12:00",
                "09:00-12:00",
                "3:00:00",
                "3:00:00"
            ]),
            row(&["2026-10-12", "▸ deadline", "12:00", "", "3:00:00"]),
            row(&["2026-10-12", "▸ reply", "12:40", "", "3:00:00"]),
        ]
    );
    assert!(out.stdout.contains("\nverdict     on time: the reply came after the deadline instant, but no business time ran in between"));
}

#[test]
fn explain_ticket_of_a_pending_work_order_walks_past_the_cut_off_to_the_deadline() {
    let dir = month();
    let out = explain(dir.path(), &["--ticket", "W3", "-q"]);
    out.expect(0);
    assert_eq!(
        rows(&out.stdout)[1..],
        [
            row(&["2026-10-31", "▸ created", "17:00", "", "0:00:00"]),
            row(&[
                "2026-10-31",
                "13:00-18:00",
                "17:00-18:00",
                "1:00:00",
                "1:00:00"
            ]),
            row(&["2026-11-01", "▸ cut-off", "00:00", "", "1:00:00"]),
            row(&[
                "2026-11-01",
                "09:00-12:00",
                "09:00-11:00",
                "2:00:00",
                "3:00:00"
            ]),
            row(&["2026-11-01", "▸ deadline", "11:00", "", "3:00:00"]),
        ]
    );
    assert!(out
        .stdout
        .contains("reply       none (judged at the cut-off 2026-11-01 00:00:00)\n"));
    assert!(out.stdout.contains(
        "verdict     pending: no reply yet, and 2:00:00 of the allowance was left at the cut-off"
    ));
    // A later cut-off judges it overdue.
    let later = explain(
        dir.path(),
        &["--ticket", "W3", "--as-of", "2026-11-01 12:00", "-q"],
    );
    later.expect(0);
    assert!(later.stdout.contains("verdict     overdue: no reply, and at the cut-off 1:00:00 of business time past the allowance had elapsed"));
}

#[test]
fn explain_ticket_lists_closed_days_skipped() {
    let dir = month();
    // Work-order hours Monday to Friday, closed on holidays.
    let text = rates_text().replacen(
        "days = \"mon-sun\"\nwindows = [\"09:00-12:00\", \"13:00-18:00\"]\nobserve_holidays = false",
        "days = \"mon-fri\"\nwindows = [\"09:00-12:00\", \"13:00-18:00\"]\nobserve_holidays = true",
        1,
    );
    assert!(
        text.contains("days = \"mon-fri\""),
        "rates.toml changed; update the test"
    );
    std::fs::write(dir.path().join("rates.toml"), text).unwrap();
    // H1 is created on the National Day holiday 10-07 (Wed) and answered on Thu 10-08 09:30:
    // 30 min; its clock starts at 10-08 09:00, so its deadline is 10-08 12:00. F1 is created on Fri 10-16 17:00 and answered on Mon 10-19 10:30: 60 + 90 = 150.
    std::fs::write(
        dir.path().join("tickets.csv"),
        format!(
            "{TICKETS}\nH1,acme,work_order,,,2026-10-07 10:00,2026-10-08 09:30,,vendor\nF1,acme,work_order,,,2026-10-16 17:00,2026-10-19 10:30,,vendor\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("calls.csv"), format!("{CALLS}\n")).unwrap();

    let h1 = explain(dir.path(), &["--ticket", "H1", "-q"]);
    h1.expect(0);
    assert_eq!(
        rows(&h1.stdout)[1..],
        [
            row(&[
                "2026-10-07",
                "closed",
                "holiday (observe_holidays = true)",
                "",
                "0:00:00"
            ]),
            row(&["2026-10-07", "▸ created", "10:00", "", "0:00:00"]),
            row(&[
                "2026-10-08",
                "09:00-12:00",
                "09:00-09:30",
                "0:30:00",
                "0:30:00"
            ]),
            row(&["2026-10-08", "▸ reply", "09:30", "", "0:30:00"]),
            row(&[
                "2026-10-08",
                "09:00-12:00",
                "09:30-12:00",
                "2:30:00",
                "3:00:00"
            ]),
            row(&["2026-10-08", "▸ deadline", "12:00", "", "3:00:00"]),
        ]
    );
    assert!(
        h1.stdout.contains("\ndeadline    2026-10-08 12:00:00\n"),
        "{}",
        h1.stdout
    );

    let f1 = explain(dir.path(), &["--ticket", "F1", "-q"]);
    f1.expect(0);
    assert_eq!(
        rows(&f1.stdout)[1..],
        [
            row(&["2026-10-16", "▸ created", "17:00", "", "0:00:00"]),
            row(&[
                "2026-10-16",
                "13:00-18:00",
                "17:00-18:00",
                "1:00:00",
                "1:00:00"
            ]),
            row(&[
                "2026-10-17",
                "closed",
                "sat is not in days = \"mon-fri\"",
                "",
                "1:00:00"
            ]),
            row(&[
                "2026-10-18",
                "closed",
                "sun is not in days = \"mon-fri\"",
                "",
                "1:00:00"
            ]),
            row(&[
                "2026-10-19",
                "09:00-12:00",
                "09:00-10:30",
                "1:30:00",
                "2:30:00"
            ]),
            row(&["2026-10-19", "▸ reply", "10:30", "", "2:30:00"]),
            row(&[
                "2026-10-19",
                "09:00-12:00",
                "10:30-11:00",
                "0:30:00",
                "3:00:00"
            ]),
            row(&["2026-10-19", "▸ deadline", "11:00", "", "3:00:00"]),
        ]
    );
    assert!(f1.stdout.contains(
        "\nverdict     on time: the business time elapsed at the reply is within the allowance\n"
    ));
}

#[test]
fn explain_ticket_traces_a_repairs_limits() {
    let dir = month();
    let out = explain(dir.path(), &["--ticket", "R2", "-q"]);
    out.expect(0);
    let text = &out.stdout;
    assert!(
        text.starts_with(
            "R2 · complex repair of Acme Service Co. (acme) · 2026-10\nsource      tickets.csv:7\n"
        ),
        "{text}"
    );
    assert!(text.contains("in time up to 2026-10-30 09:00:00 inclusive"));
    assert_eq!(
        rows(text)[1..],
        [
            row(&["2026-10-30", "fri", "working day 1"]),
            row(&["2026-10-31", "sat", "skipped: weekend"]),
            row(&["2026-11-01", "sun", "skipped: weekend"]),
            row(&["2026-11-02", "mon", "working day 2"]),
            row(&["2026-11-03", "tue", "working day 3"]),
            row(&["2026-11-04", "wed", "working day 4"]),
            row(&["2026-11-05", "thu", "working day 5"]),
        ]
    );
    assert!(text.contains("limit       before 2026-11-06 00:00:00 (00:00 after working day 5)\n"));
    assert!(text.ends_with("verdict     pending\n"), "{text}");
}

#[test]
fn explain_ticket_of_an_unknown_id_or_a_ticket_without_deadline_is_a_usage_error() {
    let dir = month();
    let unknown = explain(dir.path(), &["--ticket", "NOPE", "-q"]);
    unknown.expect(2);
    assert!(unknown.stdout.is_empty());
    assert!(
        unknown
            .stderr
            .contains("no work order or repair with id NOPE in 2026-10"),
        "{}",
        unknown.stderr
    );
    // A rejected row is not traced either.
    explain(dir.path(), &["--ticket", "W9", "-q"]).expect(2);
    let service = explain(dir.path(), &["--ticket", "S1", "-q"]);
    service.expect(2);
    assert!(
        service
            .stderr
            .contains("tickets.csv:9 is a service order: no deadline applies to it (vendor acme)"),
        "{}",
        service.stderr
    );
    // --ticket and --what do not go together.
    explain(dir.path(), &["--ticket", "W2", "--what", "repairs"]).expect(2);
}

/// The README's `explain --ticket` example is the program's output on the example month.
#[test]
fn the_readme_explain_example_is_real_output() {
    let readme = read(&root().join("README.md"));
    let (_, rest) = readme
        .split_once("<!-- explain-example:begin -->\n```text\n")
        .expect("README has the explain example");
    let (example, _) = rest
        .split_once("```\n<!-- explain-example:end -->")
        .unwrap();
    let out = run_in(
        &root(),
        &[
            "explain",
            "--month",
            "2026-10",
            "--data",
            "examples/data",
            "--rates",
            "rates.toml",
            "--ticket",
            "T0000048",
            "--quiet",
        ],
    );
    out.expect(0);
    assert_eq!(out.stdout, example);
}
