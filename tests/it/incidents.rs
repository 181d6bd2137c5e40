//! The incident register and the end of a contract (SPEC §9, §12), through the real binary.
//! Every figure below is worked by hand from the repository's rates.toml:
//! confidentiality 1,000.00 per record, lump 500,000.00 after more than 20 records or a wide
//! incident, 1,000,000.00 at least once a record went to a competitor; 2,000.00 per service
//! breach, a termination right from the 3rd; termination prices default to the overdue charge
//! and the service-order takeover price (8.26 each).

use crate::common;

use common::{rates_with, run_in, Month};
use serde_json::Value;
use std::path::Path;

const REGISTER: &str = "incident_id,vendor,kind,occurred_at,records,to_competitor,wide,note";

fn register(rows: &[&str]) -> String {
    let mut s = format!("{REGISTER}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// `settle --month M --rates rates.toml --format json extra…` in `dir`, which holds rates.toml.
fn settle(dir: &Path, month: &str, extra: &[&str]) -> common::Out {
    let mut args = vec![
        "settle",
        "--month",
        month,
        "--rates",
        "rates.toml",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// A month folder with the repository's terms (or `rates`) and the register `rows`.
fn month_with(rows: &[&str], rates: &str) -> tempfile::TempDir {
    Month::new()
        .file("rates.toml", rates)
        .file("incidents.csv", &register(rows))
        .build()
}

fn acme(dir: &Path, month: &str) -> Value {
    let out = settle(dir, month, &["--vendor", "acme"]);
    out.expect(0);
    let s = out.statement("acme");
    // Incidents and the end of a contract read back through the type that wrote them.
    let back: slatement::statement::Statement = serde_json::from_value(s.clone()).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&back).unwrap(),
        serde_json::to_string_pretty(&s).unwrap()
    );
    s
}

fn repo_rates() -> String {
    rates_with(&[])
}

fn line(s: &Value, item: &str) -> Option<(String, String, String)> {
    common::line_of(s, item).map(|l| {
        (
            l["quantity"].as_str().unwrap().to_string(),
            l["unit_price"].as_str().unwrap().to_string(),
            l["amount"].as_str().unwrap().to_string(),
        )
    })
}

fn triple(q: &str, u: &str, a: &str) -> Option<(String, String, String)> {
    Some((q.into(), u.into(), a.into()))
}

#[test]
fn spec_9_exactly_20_records_are_priced_per_record() {
    let dir = month_with(
        &["I1,acme,confidentiality,2026-10-05 10:00,20,,,"],
        &repo_rates(),
    );
    let s = acme(dir.path(), "2026-10");
    // 20 × 1,000.00, not more than lump_after_records = 20.
    assert_eq!(
        line(&s, "incident/confidentiality"),
        triple("1", "20000.00", "20000.00")
    );
    let c = &s["incidents"]["confidentiality"];
    assert_eq!(c["thresholds_reached"], serde_json::json!([]));
    assert_eq!(
        c["to_date"],
        serde_json::json!({"incidents": 1, "records": 20})
    );
    assert_eq!(s["totals"]["penalties"], "20000.00");
}

#[test]
fn spec_9_21_records_reach_the_lump_sum() {
    let dir = month_with(
        &[
            "I1,acme,confidentiality,2026-10-05 10:00,20,,,",
            "I2,acme,confidentiality,2026-10-31 23:59:59,1,,,one more",
        ],
        &repo_rates(),
    );
    let s = acme(dir.path(), "2026-10");
    // max(21 × 1,000.00, 500,000.00).
    assert_eq!(
        line(&s, "incident/confidentiality"),
        triple("1", "500000.00", "500000.00")
    );
    let c = &s["incidents"]["confidentiality"];
    assert_eq!(c["thresholds_reached"], serde_json::json!(["lump_sum"]));
    assert_eq!(
        c["in_month"],
        serde_json::json!({"incidents": 2, "records": 21})
    );
}

#[test]
fn spec_9_a_lump_crossed_in_an_earlier_month_is_not_charged_again() {
    let dir = month_with(
        &[
            "I1,acme,confidentiality,2026-09-02 10:00,15,,,",
            "I2,acme,confidentiality,2026-09-20 10:00,10,,,",
            "I3,acme,confidentiality,2026-10-03 10:00,3,,,",
            "I4,acme,confidentiality,2026-11-03 10:00,oops,,,a later row: outside the period",
        ],
        &repo_rates(),
    );
    let s = acme(dir.path(), "2026-10");
    // 25 records by the end of September: 500,000.00 already; 28 by October's end: 28,000.00
    // < 500,000.00, so L(end) − L(start) = 0 and no line is written.
    assert_eq!(line(&s, "incident/confidentiality"), None);
    let c = &s["incidents"]["confidentiality"];
    assert_eq!(c["liability_to_date"], "500000.00");
    assert_eq!(c["charged_before"], "500000.00");
    assert_eq!(c["charged"], "0.00");
    assert_eq!(
        s["counts"]["incidents"],
        serde_json::json!({"rows": 4, "in_period": 1, "before_period": 2, "outside_period": 1, "duplicates": 0, "rejected": 0})
    );
}

#[test]
fn spec_9_the_competitor_minimum_is_a_floor_not_a_sum() {
    let dir = month_with(
        &["I1,acme,confidentiality,2026-10-05 10:00,5,是,,"],
        &repo_rates(),
    );
    let s = acme(dir.path(), "2026-10");
    // max(5,000.00, 1,000,000.00): never 1,005,000.00.
    assert_eq!(
        line(&s, "incident/confidentiality"),
        triple("1", "1000000.00", "1000000.00")
    );
    let dir = month_with(
        &["I1,acme,confidentiality,2026-10-05 10:00,1200,TRUE,,"],
        &repo_rates(),
    );
    let s = acme(dir.path(), "2026-10");
    // 1,200 × 1,000.00 = 1,200,000.00 above both floors.
    assert_eq!(
        line(&s, "incident/confidentiality"),
        triple("1", "1200000.00", "1200000.00")
    );
    assert_eq!(
        s["incidents"]["confidentiality"]["thresholds_reached"],
        serde_json::json!(["lump_sum", "competitor_minimum"])
    );
}

#[test]
fn spec_9_a_revision_reprices_the_liability_to_date() {
    let rates = format!(
        "{}\n[revisions.\"2026-10-01\".incidents.confidentiality]\nper_record = \"1500.00\"\nlump_sum = \"500000.00\"\nlump_after_records = 20\ncompetitor_minimum = \"1000000.00\"\ntermination_right = false\n",
        repo_rates()
    );
    let dir = month_with(
        &[
            "I1,acme,confidentiality,2026-09-02 10:00,4,,,",
            "I2,acme,confidentiality,2026-10-03 10:00,2,,,",
        ],
        &rates,
    );
    let s = acme(dir.path(), "2026-10");
    // At October's terms: L(start) = 4 × 1,500 = 6,000.00 (not September's 4,000.00), L(end) =
    // 6 × 1,500 = 9,000.00, charged 3,000.00.
    let c = &s["incidents"]["confidentiality"];
    assert_eq!(c["charged_before"], "6000.00");
    assert_eq!(c["liability_to_date"], "9000.00");
    assert_eq!(c["charged"], "3000.00");
    assert_eq!(c["termination_right"], false);
    // September, at its own terms: 4 × 1,000.00.
    let s = acme(dir.path(), "2026-09");
    assert_eq!(
        line(&s, "incident/confidentiality"),
        triple("1", "4000.00", "4000.00")
    );
}

#[test]
fn spec_9_service_breaches_are_charged_per_breach_and_the_third_gives_a_right() {
    let dir = month_with(
        &[
            "B1,acme,service_breach,2026-08-10 10:00,,,,",
            "B2,acme,service_breach,2026-09-10 10:00,1,,,",
            "B3,acme,service_breach,2026-10-10 10:00,,,,",
            "B4,brightline,service_breach,2026-10-11 10:00,,,,trial month",
        ],
        &repo_rates(),
    );
    let out = settle(dir.path(), "2026-10", &[]);
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(
        line(&s, "incident/service_breach"),
        triple("1", "2000.00", "2000.00")
    );
    let b = &s["incidents"]["service_breach"];
    assert_eq!(b["to_date"], serde_json::json!({"incidents": 3}));
    assert_eq!(b["charged_before"], "4000.00");
    assert_eq!(b["termination_right"], true);
    assert!(s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("may terminate")));
    assert!(out.stderr.contains("may terminate"), "{}", out.stderr);
    // Incident charges apply in trial months too (brightline is in trial in October).
    let b = out.statement("brightline");
    assert_eq!(b["assessed"], false);
    assert_eq!(
        line(&b, "incident/service_breach"),
        triple("1", "2000.00", "2000.00")
    );
    assert_eq!(b["incidents"]["service_breach"]["termination_right"], false);
}

#[test]
fn spec_9_bad_register_rows_are_named_and_refuse_the_month() {
    let dir = month_with(
        &[
            "I1,acme,confidentiality,2026-10-05 10:00,,,,no records",
            "I2,acme,theft,2026-10-05 10:00,1,,,",
            "I3,ghost,service_breach,2026-10-05 10:00,,,,",
            "I4,acme,service_breach,2026-10-05 10:00,,,,",
            "I4,acme,service_breach,2026-10-06 10:00,,,,same id on another day",
            "I5,acme,service_breach,2026-12-01 10:00,broken,,,later: outside the period",
        ],
        &repo_rates(),
    );
    let out = settle(dir.path(), "2026-10", &[]);
    out.expect(65);
    for part in [
        "incidents.csv:2: records: required for a confidentiality incident",
        "incidents.csv:3: kind: `theft` is not one of confidentiality, service_breach",
        "incidents.csv:4: vendor: `ghost` is not declared",
        "incidents.csv:5: incident_id: id `I4` appears on lines 5, 6 with different cells",
    ] {
        assert!(out.stderr.contains(part), "{part}\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("incidents.csv:7"), "{}", out.stderr);
    let out = settle(dir.path(), "2026-10", &["--allow-rejects"]);
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(
        s["counts"]["incidents"],
        serde_json::json!({"rows": 5, "in_period": 0, "before_period": 0, "outside_period": 1, "duplicates": 0, "rejected": 4})
    );
    assert_eq!(line(&s, "incident/service_breach"), None);
}

#[test]
fn spec_9_a_kind_without_terms_is_rejected() {
    let rates = rates_with(&[(
        "[incidents.service_breach]         # 002 §5.2, 004 §5\nper_incident = \"2000.00\"           # example: the seeds leave [X]\ntermination_after = 3              # example: the platform may terminate from the 3rd breach\n",
        "",
    )]);
    let dir = month_with(&["B1,acme,service_breach,2026-10-10 10:00,,,,"], &rates);
    let out = settle(dir.path(), "2026-10", &[]);
    out.expect(65);
    assert!(
        out.stderr
            .contains("incidents.csv:2: kind: no terms for this kind"),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_9_a_stray_quote_in_a_note_never_swallows_the_incidents_after_it() {
    // The note of I1 opens a quote that never closes: read as CSV, I2 and I3 would become part
    // of I1's note and their 30 records would vanish from the penalty.
    let dir = month_with(
        &[
            "I1,acme,confidentiality,2026-10-03 10:00,1,,,\"left open",
            "I2,acme,confidentiality,2026-10-04 10:00,15,,,",
            "I3,acme,confidentiality,2026-10-05 10:00,15,,,",
        ],
        &repo_rates(),
    );
    let out = settle(dir.path(), "2026-10", &[]);
    out.expect(65);
    assert!(
        out.stderr
            .contains("incidents.csv:2: (row): a quoted cell runs from line 2 to line 4"),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_9_an_auditor_may_exclude_an_incident() {
    let dir = month_with(
        &[
            "I1,acme,confidentiality,2026-09-02 10:00,15,,,",
            "I2,acme,confidentiality,2026-10-03 10:00,8,,,",
        ],
        &repo_rates(),
    )
    .keep();
    std::fs::write(
        dir.join("disputes.csv"),
        "kind,id,decision,reason,decided_by\nincident,I1,exclude,not the vendor's staff,Li Wei\n",
    )
    .unwrap();
    // As recorded: 23 records → 500,000.00 − 15,000.00 = 485,000.00.
    let s = acme(&dir, "2026-10");
    assert_eq!(s["incidents"]["confidentiality"]["charged"], "485000.00");
    // Without I1: 8 records, 8,000.00 − 0.
    let out = run_in(
        &dir,
        &[
            "rescore",
            "--month",
            "2026-10",
            "--rates",
            "rates.toml",
            "--vendor",
            "acme",
            "--disputes",
            "disputes.csv",
            "--format",
            "json",
            "--quiet",
        ],
    );
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(
        line(&s, "incident/confidentiality"),
        triple("1", "8000.00", "8000.00")
    );
    assert_eq!(s["disputes"]["applied"][0]["kind"], "incident");
    // An id the register does not hold is named.
    let rescore = |disputes: &str| {
        std::fs::write(dir.join("disputes.csv"), disputes).unwrap();
        run_in(
            &dir,
            &[
                "rescore",
                "--month",
                "2026-10",
                "--rates",
                "rates.toml",
                "--disputes",
                "disputes.csv",
                "--quiet",
            ],
        )
    };
    let out = rescore("kind,id,decision,reason,decided_by\nincident,I9,exclude,x,Li Wei\n");
    out.expect(65);
    assert!(
        out.stderr.contains("disputes.csv:2: id: unknown id"),
        "{}",
        out.stderr
    );
    // Only `exclude` applies to an incident.
    let out = rescore("kind,id,decision,reason,decided_by\nincident,I2,on_time,x,Li Wei\n");
    out.expect(65);
    assert!(
        out.stderr
            .contains("disputes.csv:2: decision: `on_time` applies to work orders and repairs"),
        "{}",
        out.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn spec_9_the_register_is_an_input_verify_checks() {
    let dir = month_with(
        &["B1,acme,service_breach,2026-10-10 10:00,,,,"],
        &repo_rates(),
    );
    let out = run_in(
        dir.path(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            "rates.toml",
            "--out",
            "out",
            "--quiet",
        ],
    );
    out.expect(0);
    let stmt = "out/2026-10/acme/statement.json";
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(stmt)).unwrap()).unwrap();
    assert_eq!(json["inputs"][3]["role"], "incidents");
    assert_eq!(json["inputs"][3]["path"], "incidents.csv");
    run_in(dir.path(), &["verify", stmt]).expect(0);
    // Another breach in the register: verify names the input and the line that moved.
    std::fs::write(
        dir.path().join("incidents.csv"),
        register(&[
            "B1,acme,service_breach,2026-10-10 10:00,,,,",
            "B2,acme,service_breach,2026-10-12 10:00,,,,",
        ]),
    )
    .unwrap();
    let out = run_in(dir.path(), &["verify", stmt]);
    out.expect(1);
    assert!(out.stdout.contains("incidents"), "{}", out.stdout);
    assert!(out.stdout.contains("changed"), "{}", out.stdout);
    assert!(
        out.stdout.contains("incident/service_breach"),
        "{}",
        out.stdout
    );
}

#[test]
fn spec_9_the_register_of_the_month_folder_wins_and_is_shown_in_every_form() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("rates.toml"), repo_rates()).unwrap();
    Month::new()
        .file(
            "incidents.csv",
            &register(&["B1,acme,service_breach,2026-10-10 10:00,,,,"]),
        )
        .write_into(&dir.path().join("2026-10"));
    std::fs::write(
        dir.path().join("incidents.csv"),
        register(&["B9,acme,service_breach,2026-10-11 10:00,,,,"]),
    )
    .unwrap();
    let s = acme(dir.path(), "2026-10");
    assert_eq!(s["inputs"][3]["path"], "2026-10/incidents.csv");
    // --incidents names another file.
    let out = settle(
        dir.path(),
        "2026-10",
        &["--vendor", "acme", "--incidents", "incidents.csv"],
    );
    out.expect(0);
    assert_eq!(out.statement("acme")["inputs"][3]["path"], "incidents.csv");
    let out = settle(dir.path(), "2026-10", &["--incidents", "nowhere.csv"]);
    out.expect(66);
    for (format, wants) in [
        ("table", "Incident — breach of the service terms"),
        ("md", "service breach incidents month / to date"),
        (
            "csv",
            "acme,service_breach,1,,1,,2000.00,0.00,2000.00,,false",
        ),
    ] {
        let out = run_in(
            dir.path(),
            &[
                "settle",
                "--month",
                "2026-10",
                "--rates",
                "rates.toml",
                "--format",
                format,
                "--vendor",
                "acme",
                "--quiet",
            ],
        );
        out.expect(0);
        assert!(out.stdout.contains(wants), "{format}: {}", out.stdout);
    }
    let out = run_in(
        dir.path(),
        &[
            "explain",
            "--month",
            "2026-10",
            "--rates",
            "rates.toml",
            "--what",
            "incidents",
            "--quiet",
        ],
    );
    out.expect(0);
    assert!(
        out.stdout.contains("2026-10/incidents.csv:2") && out.stdout.contains("B1"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// The end of a contract (SPEC §12): acme's last day of service is 2026-10-15, so E is
// 2026-10-16 00:00 +08:00. Work-order business hours: every day 09:00–12:00 and 13:00–18:00.

fn ending_rates() -> String {
    rates_with(&[
        (
            "contract_start = \"2026-06-01\"",
            "contract_start = \"2026-06-01\"\ncontract_end = \"2026-10-15\"",
        ),
        ("# repair = \"20.00\"", "repair = \"20.00\""),
    ])
}

fn ending(tickets: &[&str], calls: &[&str]) -> tempfile::TempDir {
    Month::new()
        .tickets(tickets)
        .calls(calls)
        .file("rates.toml", &ending_rates())
        .build()
}

#[test]
fn spec_12_a_reply_exactly_at_the_end_is_ignored() {
    let dir = ending(
        &[
            // Created 17:00 on the last day: 1 h of business time by E. Replied exactly at E:
            // ignored, so unreplied and not overdue at E → taken over.
            "W1,acme,work_order,手机,,2026-10-15 17:00,2026-10-16 00:00,,",
            // Replied one second before E: counted, 1 h elapsed ≤ 3 h → on time.
            "W2,acme,work_order,手机,,2026-10-15 17:00,2026-10-15 23:59:59,,",
        ],
        &[],
    );
    let s = acme(dir.path(), "2026-10");
    assert_eq!(
        line(&s, "termination/work_order"),
        triple("1", "8.26", "8.26")
    );
    assert_eq!(s["work_orders"]["on_time"], 1);
    assert_eq!(s["termination"]["replies_ignored"], 1);
    assert_eq!(s["termination"]["judged_at"], "2026-10-16T00:00:00+08:00");
    assert_eq!(s["vendor"]["contract_end"], "2026-10-15");
    // Taken over is left out of the rate like a pending one: 1 on time of 1 judged.
    assert_eq!(
        s["metrics"]["work_order_on_time_rate"],
        serde_json::json!({"numerator": 1, "denominator": 1, "value": "1.0000"})
    );
    assert_eq!(s["totals"]["fees_charged"], "8.26");
}

#[test]
fn spec_12_a_work_order_at_exactly_three_hours_at_the_end_is_taken_over() {
    let dir = ending(
        &[
            // 15:00 → 18:00 on the 15th: exactly 3 h of business time at E, not more → taken over.
            "W1,acme,work_order,手机,,2026-10-15 15:00,,,",
            // One second earlier: 3 h 0 min 1 s > 3 h → overdue, charged as overdue.
            "W2,acme,work_order,手机,,2026-10-15 14:59:59,,,",
            // Platform-handled work is not the vendor's: left out, nothing taken over.
            "W3,acme,work_order,手机,,2026-10-15 16:00,,,platform",
        ],
        &[],
    );
    let s = acme(dir.path(), "2026-10");
    assert_eq!(
        line(&s, "termination/work_order"),
        triple("1", "8.26", "8.26")
    );
    assert_eq!(line(&s, "overdue/work_order"), triple("1", "8.26", "8.26"));
    assert_eq!(s["termination"]["work_orders_taken_over"], 1);
    assert_eq!(s["work_orders"]["overdue_unreplied"], 1);
}

#[test]
fn spec_12_service_orders_and_repairs_pending_at_the_end_are_taken_over() {
    let dir = ending(
        &[
            // Unresolved at E → taken over at 8.26 (takeover.service_order by default).
            "S1,acme,service_order,手机,,2026-10-14 10:00,2026-10-14 11:00,,",
            // Resolved after E: ignored → taken over, earns nothing.
            "S2,acme,service_order,手机,,2026-10-14 10:00,2026-10-14 11:00,2026-10-17 10:00,",
            // Resolved before E: earns 10.00.
            "S3,acme,service_order,手机,,2026-10-14 10:00,2026-10-14 11:00,2026-10-15 10:00,",
            // A simple repair created on the 14th may be resolved until the end of the 3rd
            // working day after (the 17th): pending at E → taken over at 20.00.
            "R1,acme,repair,手机,simple,2026-10-14 10:00,2026-10-14 12:00,,",
            // Created on the 9th, limit the 12th: failed before E, not charged.
            "R2,acme,repair,手机,simple,2026-10-09 10:00,2026-10-09 12:00,,",
        ],
        &[],
    );
    let s = acme(dir.path(), "2026-10");
    assert_eq!(
        line(&s, "termination/service_order"),
        triple("2", "8.26", "16.52")
    );
    assert_eq!(
        line(&s, "termination/repair"),
        triple("1", "20.00", "20.00")
    );
    assert_eq!(
        line(&s, "earn/service_order"),
        triple("1", "10.00", "10.00")
    );
    assert_eq!(s["repairs"]["resolution_failed"], 1);
    assert_eq!(s["termination"]["repairs_taken_over"], 1);
    // fees 16.52 + 20.00; earned 10.00.
    assert_eq!(s["totals"]["fees_charged"], "36.52");
    assert_eq!(s["totals"]["net"], "-26.52");
}

#[test]
fn spec_12_rows_from_the_end_on_are_outside_the_period_and_later_months_are_not_settled() {
    let dir = ending(
        &[],
        &[
            "C1,acme,phone,aftersales,手机,2026-10-15 23:59:59,2026-10-16 00:00:10,2026-10-16 00:05,",
            "C2,acme,phone,aftersales,手机,2026-10-16 00:00,,,",
            "C3,acme,sideways,aftersales,手机,2026-10-20 10:00,,,",
        ],
    );
    let s = acme(dir.path(), "2026-10");
    // C1 was offered before E and counts in full, although answered after it.
    assert_eq!(s["counts"]["calls"]["in_period"], 1);
    assert_eq!(s["counts"]["calls"]["outside_period"], 2);
    assert_eq!(s["counts"]["calls"]["rejected"], 0);
    assert!(s["warnings"].as_array().unwrap().iter().any(|w| w
        .as_str()
        .unwrap()
        .starts_with("2 row(s) dated at or after the end of the contract")));
    // November is after the month of the last day of service: acme is not settled (the folder
    // holds October's export, so the guard against another month's export is overridden).
    let out = settle(dir.path(), "2026-11", &["--allow-outside-period"]);
    out.expect(0);
    let all = out.json();
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["vendor"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["brightline"]);
    assert!(
        out.stderr
            .contains("vendor acme: 2026-11 is after its contract ended (2026-10-15); not settled"),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_12_an_earlier_month_settled_with_a_cutoff_after_the_end_is_judged_at_the_end() {
    let dir = ending(
        &["W1,acme,work_order,手机,,2026-09-30 17:00,2026-10-20 10:00,,"],
        &[],
    );
    // September as of its own cut-off: the reply on 10-20 counts (replies count whenever they
    // came), 2 h + … of business time → overdue, charged as overdue.
    let s = acme(dir.path(), "2026-09");
    assert_eq!(line(&s, "overdue/work_order"), triple("1", "8.26", "8.26"));
    assert!(s.get("termination").is_none());
    // Re-settled with --as-of after E: judged at E, the reply after E is ignored; at E far
    // more than 3 h have elapsed, so it is overdue still, and nothing is taken over.
    let out = settle(
        dir.path(),
        "2026-09",
        &["--vendor", "acme", "--as-of", "2026-10-20"],
    );
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(s["termination"]["replies_ignored"], 1);
    assert_eq!(s["work_orders"]["overdue_unreplied"], 1);
    assert_eq!(line(&s, "termination/work_order"), None);
}

#[test]
fn spec_12_contract_end_before_its_start_is_a_configuration_error() {
    let rates = rates_with(&[(
        "contract_start = \"2026-06-01\"",
        "contract_start = \"2026-06-01\"\ncontract_end = \"2026-05-31\"",
    )]);
    let dir = Month::new().file("rates.toml", &rates).build();
    let out = settle(dir.path(), "2026-10", &[]);
    out.expect(78);
    assert!(
        out.stderr.contains("key `vendors.acme.contract_end`")
            && out.stderr.contains("before contract_start"),
        "{}",
        out.stderr
    );
}
