//! Black-box tests of the `slatement` binary (SPEC §2, §5, §6, §8). Each test is named after the
//! SPEC rule it checks; expected figures are computed by hand in the comments beside the CSVs.
//!
//! Every run uses TZ=America/Los_Angeles and LANG=C (see `common`), and passes `--rates`
//! explicitly: the repository's rates.toml unless a test writes its own.

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;

// ------------------------------------------------------------------------------------------------
// Helpers local to this file
// ------------------------------------------------------------------------------------------------

/// `settle --format json` on a folder that must settle cleanly; returns the statement of
/// `vendor`.
#[track_caller]
fn settle_ok(dir: &Path, month: &str, extra: &[&str], vendor: &str) -> Value {
    let out = settle_json(dir, month, extra);
    out.expect(0);
    out.statement(vendor)
}

/// A month holding only the given calls, settled for acme in 2026-10.
#[track_caller]
fn acme_calls(rows: &[&str]) -> Value {
    let dir = Month::new().calls(rows).build();
    settle_ok(dir.path(), "2026-10", &["--vendor", "acme"], "acme")
}

/// A month holding only the given tickets, settled for acme in 2026-10 with `extra` flags.
#[track_caller]
fn acme_tickets(rows: &[&str], extra: &[&str]) -> Value {
    let dir = Month::new().tickets(rows).build();
    let mut args = vec!["--vendor", "acme"];
    args.extend_from_slice(extra);
    settle_ok(dir.path(), "2026-10", &args, "acme")
}

/// Asserts that `settle` refuses (65, the reason on stderr) and that `check` lists the same
/// reason on stdout (65). `expected` is the full `file:line: column: reason` text or its start.
#[track_caller]
fn assert_rejected(dir: &Path, expected: &[&str]) {
    let rates = rates_arg();
    let settle = run_in(dir, &["settle", "--month", "2026-10", "--rates", &rates]);
    settle.expect(65);
    assert!(settle.stdout.is_empty(), "no statement on stdout");
    let check = run_in(dir, &["check", "--month", "2026-10", "--rates", &rates]);
    check.expect(65);
    for e in expected {
        assert!(
            settle.stderr.contains(e),
            "settle stderr lacks {e:?}:\n{}",
            settle.stderr
        );
        assert!(
            check.stdout.lines().any(|l| l.starts_with(e)),
            "check stdout lacks a line starting {e:?}:\n{}",
            check.stdout
        );
    }
    assert_eq!(
        check.stdout.lines().count(),
        expected.len(),
        "check lists exactly the expected rejects:\n{}",
        check.stdout
    );
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a JSON string, got {v}"))
}

fn counts(st: &Value, role: &str) -> Value {
    st["counts"][role].clone()
}

fn has_warning(st: &Value, needle: &str) -> bool {
    st["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| s(w).contains(needle))
}

/// A vendor after-sales phone call (手机) offered at `offered` on 2026-10-12.
fn vendor_call(id: &str, offered: &str, answered: &str, ended: &str) -> String {
    format!("{id},acme,phone,aftersales,手机,2026-10-12 {offered},{answered},{ended},vendor")
}

// ================================================================================================
// §6 exit codes
// ================================================================================================

/// The hand-computed month in tests/fixtures/month_ok (acme, 2026-10; brightline has no rows).
///
/// calls (vendor contacts in service hours, phone 09–18, online 09–21):
///   c1 phone answered +15 s, talk 285 s  → offered, answered, within SL, effective
///   c2 phone answered +20 s, talk 5 s    → offered, answered, within SL (inclusive), not effective
///   c3 online answered +30 s             → offered, answered, not within SL, online session
///   c4 phone never answered               → offered (abandoned)
///   c5 platform after-sales 手机 (package1) phone answered → takeover 14.50
///   c6 platform presales online answered  → takeover/presales/online 1.60
///   c7 platform never answered            → not charged
///   c8 phone 20:00 (outside hours) answered, talk 115 s → excluded from metrics, effective (earns)
///   c9 2026-09-30                         → outside period
///   answer_rate 3/4 = 0.75; service_level 2/4; effective calls 2 × 2.00 = 4.00; online 1 × 1.00
/// tickets: t1 on time (2 h), t2 on time (3 h at 12:00, reply in lunch), t3 overdue (3 h 1 s)
///   → overdue 1 × 8.26; t4 complaint resolved 5.00; t5 unresolved; t6 vendor service order
///   resolved 10.00; t7 platform service order resolved 8.26; t8 unresolved, not charged.
/// surveys: 5, satisfied, 非常满意, 3, very_dissatisfied → 3/5 = 0.60
/// orders: completed 100.00 + 50.5 = 150.50 × 0.03 = 4.515 → 4.52 (half up)
/// score: answer_rate 50 − 2×15 = 20.00; satisfaction 50 − 2×25 = 0.00 → 20.00 → fails standard,
///   penalty 10000.00
/// totals: earned 4.00+1.00+5.00+10.00+4.52 = 24.52; fees 1.60+14.50+8.26+8.26 = 32.62;
///   charged 10032.62; net −10008.10
#[test]
fn spec_6_settle_ok_exits_0_with_hand_computed_statement() {
    let out = settle_json(&fixture("month_ok"), "2026-10", &[]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(st["assessed"], true);
    let m = &st["metrics"];
    assert_eq!(
        m["answer_rate"],
        json!({"numerator": 3, "denominator": 4, "value": "0.7500"})
    );
    assert_eq!(m["phone_answer_rate"]["value"], "0.6667");
    assert_eq!(m["online_response_rate"]["value"], "1.0000");
    assert_eq!(
        m["service_level"],
        json!({"numerator": 2, "denominator": 4, "value": "0.5000"})
    );
    assert_eq!(
        m["satisfaction"],
        json!({"numerator": 3, "denominator": 5, "value": "0.6000"})
    );
    assert_eq!(
        m["work_order_on_time_rate"],
        json!({"numerator": 2, "denominator": 3, "value": "0.6667"})
    );
    assert_eq!(
        m["repair_response_rate"],
        json!({"numerator": 1, "denominator": 2, "value": "0.5000"})
    );
    assert_eq!(
        m["repair_resolution_rate"],
        json!({"numerator": 1, "denominator": 2, "value": "0.5000"})
    );
    let card = &st["scorecards"][0];
    assert_eq!(card["name"], "consulting");
    assert_eq!(card["score"], "20.00");
    assert_eq!(card["items"][0]["points"], "20.00");
    assert_eq!(card["items"][1]["points"], "0.00");
    assert_eq!(
        card["tier"],
        json!({"label": "fails standard", "penalty": "10000.00",
               "improvement_period": false, "fails_standard": true})
    );
    assert_eq!(
        st["lines"],
        json!([
            {"section": "earn", "item": "earn/phone_effective_call", "quantity": "2", "unit_price": "2.00", "amount": "4.00"},
            {"section": "earn", "item": "earn/online_session", "quantity": "1", "unit_price": "1.00", "amount": "1.00"},
            {"section": "earn", "item": "earn/complaint_resolved", "quantity": "1", "unit_price": "5.00", "amount": "5.00"},
            {"section": "earn", "item": "earn/service_order", "quantity": "1", "unit_price": "10.00", "amount": "10.00"},
            {"section": "earn", "item": "earn/commission", "quantity": "150.50", "unit_price": "0.03", "amount": "4.52"},
            {"section": "takeover", "item": "takeover/presales/online", "quantity": "1", "unit_price": "1.60", "amount": "1.60"},
            {"section": "takeover", "item": "takeover/aftersales/package1/phone", "quantity": "1", "unit_price": "14.50", "amount": "14.50"},
            {"section": "takeover", "item": "takeover/service_order", "quantity": "1", "unit_price": "8.26", "amount": "8.26"},
            {"section": "overdue", "item": "overdue/work_order", "quantity": "1", "unit_price": "8.26", "amount": "8.26"},
            {"section": "penalty", "item": "penalty/consulting", "quantity": "1", "unit_price": "10000.00", "amount": "10000.00"}
        ])
    );
    assert_eq!(
        st["totals"],
        json!({"earned": "24.52", "fees_charged": "32.62", "penalties": "10000.00",
               "charged": "10032.62", "net": "-10008.10"})
    );
    assert_eq!(st["settlement"]["direction"], "vendor_pays_platform");
    assert_eq!(
        counts(&st, "calls"),
        json!({"rows": 9, "in_period": 8, "outside_period": 1, "duplicates": 0, "rejected": 0})
    );
    assert_eq!(counts(&st, "tickets")["in_period"], 10);
    assert_eq!(counts(&st, "surveys")["in_period"], 5);
    assert_eq!(counts(&st, "orders")["in_period"], 4);
}

#[test]
fn spec_6_check_ok_exits_0_and_lists_nothing() {
    let rates = rates_arg();
    let out = run_in(
        &fixture("month_ok"),
        &["check", "--month", "2026-10", "--rates", &rates],
    );
    out.expect(0);
    assert_eq!(out.stdout, "", "no bad rows listed");
    assert!(out.stderr.contains("configuration ok"), "{}", out.stderr);
    // Without --month every row is checked as in period: still clean.
    run_in(&fixture("month_ok"), &["check", "--rates", &rates]).expect(0);
}

#[test]
fn spec_6_bad_month_exits_2() {
    let rates = rates_arg();
    for bad in ["2026-13", "2026-00", "October", "2026/10", "26-10"] {
        let out = run_in(
            &fixture("month_ok"),
            &["settle", "--month", bad, "--rates", &rates],
        );
        out.expect(2);
        assert!(out.stdout.is_empty());
        assert!(out.stderr.contains("--month"), "{bad}: {}", out.stderr);
    }
    // --month is required.
    run_in(&fixture("month_ok"), &["settle", "--rates", &rates]).expect(2);
}

#[test]
fn spec_8_as_of_before_the_end_of_the_month_exits_2() {
    let dir = fixture("month_ok");
    for early in [
        "2026-10-31",
        "2026-10-31 23:59:59",
        "2026-10-31T15:59:59Z", // 23:59:59 in Shanghai
        "2026-10-15T12:00:00+08:00",
    ] {
        let out = settle_json(&dir, "2026-10", &["--as-of", early]);
        out.expect(2);
        assert!(out.stdout.is_empty());
        assert!(out.stderr.contains("--as-of"), "{early}: {}", out.stderr);
    }
    // The start of the next month is allowed, in any of the accepted forms.
    for ok in ["2026-11-01", "2026-11-01 00:00:00", "2026-10-31T16:00:00Z"] {
        settle_json(&dir, "2026-10", &["--as-of", ok]).expect(0);
    }
    // Not a time at all: usage too.
    settle_json(&dir, "2026-10", &["--as-of", "tomorrow"]).expect(2);
}

#[test]
fn spec_6_unknown_vendor_exits_2() {
    let out = settle_json(&fixture("month_ok"), "2026-10", &["--vendor", "nobody"]);
    out.expect(2);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("nobody"), "{}", out.stderr);
    // Vendor ids match exactly: no case folding.
    settle_json(&fixture("month_ok"), "2026-10", &["--vendor", "ACME"]).expect(2);
}

#[test]
fn spec_6_unknown_flag_exits_2() {
    let out = settle_json(&fixture("month_ok"), "2026-10", &["--frobnicate"]);
    out.expect(2);
    assert!(out.stdout.is_empty());
    let rates = rates_arg();
    run_in(&fixture("month_ok"), &["audit", "--rates", &rates]).expect(2);
    run_in(
        &fixture("month_ok"),
        &["check", "--rates", &rates, "--format", "json"],
    )
    .expect(2);
}

#[test]
fn spec_2_rejected_rows_without_allow_rejects_exit_65() {
    let dir = Month::new()
        .calls(&["c1,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,"])
        .build();
    let out = settle_json(dir.path(), "2026-10", &[]);
    out.expect(65);
    assert!(out.stdout.is_empty(), "no statement is produced");
    assert!(out.stderr.contains("1 row(s) rejected"), "{}", out.stderr);
    assert!(out.stderr.contains("--allow-rejects"), "says what to do");
    assert!(!dir.path().join("rejects-2026-10.csv").exists());
}

#[test]
fn spec_2_settle_shows_the_first_20_reasons_and_the_count() {
    // 25 rows with an unknown channel on lines 2..=26.
    let rows: Vec<String> = (0..25)
        .map(|i| format!("c{i},acme,fax,aftersales,手机,2026-10-12 10:00:00,,,"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let dir = Month::new().calls(&rows).build();
    let out = settle_json(dir.path(), "2026-10", &[]);
    out.expect(65);
    assert!(out.stderr.contains("25 row(s) rejected"), "{}", out.stderr);
    assert!(out.stderr.contains("calls.csv:21: channel:"));
    assert!(
        !out.stderr.contains("calls.csv:22: channel:"),
        "only 20 shown"
    );
    assert!(out.stderr.contains("5 more"), "{}", out.stderr);
    // check lists every one of them.
    let rates = rates_arg();
    let check = run_in(
        dir.path(),
        &["check", "--month", "2026-10", "--rates", &rates],
    );
    check.expect(65);
    assert_eq!(check.stdout.lines().count(), 25);
}

#[test]
fn spec_6_check_with_bad_rows_exits_65_and_lists_them_on_stdout() {
    let dir = Month::new()
        .calls(&["c1,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,"])
        .surveys(&["s1,acme,2026-10-12 10:00:00,6,"])
        .build();
    let rates = rates_arg();
    let out = run_in(
        dir.path(),
        &["check", "--month", "2026-10", "--rates", &rates],
    );
    out.expect(65);
    assert_eq!(
        out.stdout,
        "calls.csv:2: channel: `fax` is not one of phone, online\n\
         surveys.csv:2: rating: `6` is not one of 5..1, very_satisfied, satisfied, neutral, \
         dissatisfied, very_dissatisfied, 非常满意, 满意, 一般, 不满意, 非常不满意\n"
    );
    // check settles nothing: no rejects file, no statement.
    assert!(!dir.path().join("rejects-2026-10.csv").exists());
}

#[test]
fn spec_2_missing_required_column_in_header_exits_65() {
    let dir = Month::new()
        .raw_calls(
            "contact_id,vendor,channel,stage,category,answered_at\n\
             c1,acme,phone,aftersales,手机,\n",
        )
        .build();
    let out = settle_json(dir.path(), "2026-10", &[]);
    out.expect(65);
    assert!(
        out.stderr.contains("calls.csv:1:") && out.stderr.contains("offered_at"),
        "names the file, the header line and the column: {}",
        out.stderr
    );
    let rates = rates_arg();
    run_in(dir.path(), &["check", "--rates", &rates]).expect(65);
}

#[track_caller]
fn assert_missing_input_exits_66(file: &str, role: &str) {
    let dir = Month::new().build();
    std::fs::remove_file(dir.path().join(file)).expect("remove");
    let out = settle_json(dir.path(), "2026-10", &[]);
    out.expect(66);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains(role) && out.stderr.contains(file),
        "names the missing input: {}",
        out.stderr
    );
    let rates = rates_arg();
    run_in(dir.path(), &["check", "--rates", &rates]).expect(66);
}

#[test]
fn spec_2_missing_calls_file_exits_66() {
    assert_missing_input_exits_66("calls.csv", "calls");
}

#[test]
fn spec_2_missing_tickets_file_exits_66() {
    assert_missing_input_exits_66("tickets.csv", "tickets");
}

#[test]
fn spec_2_missing_surveys_file_exits_66() {
    assert_missing_input_exits_66("surveys.csv", "surveys");
}

#[test]
fn spec_2_orders_file_may_be_absent() {
    // Month::new() writes no orders.csv.
    let dir = Month::new().build();
    let out = settle_json(dir.path(), "2026-10", &[]);
    out.expect(0);
    let st = out.statement("acme");
    assert!(
        st["counts"].get("orders").is_none(),
        "no entry for an absent role"
    );
    assert!(line_of(&st, "earn/commission").is_none());
    // An orders file named on the command line must exist, though.
    settle_json(dir.path(), "2026-10", &["--orders", "nowhere.csv"]).expect(66);
}

#[test]
fn spec_5_out_onto_a_different_statement_exits_73_and_force_replaces_it() {
    let dir = copy_fixture("month_ok");
    let d = dir.path();
    settle_json(d, "2026-10", &["--out", "out"]).expect(0);
    let json_file = d.join("out/2026-10/acme/statement.json");
    let fresh = std::fs::read(&json_file).expect("written");

    // Someone edited the statement on disk: a rerun must not overwrite it.
    std::fs::write(&json_file, b"{\"edited\": true}\n").expect("tamper");
    let out = settle_json(d, "2026-10", &["--out", "out"]);
    out.expect(73);
    assert!(
        out.stderr.contains("--force"),
        "says what to do: {}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(&json_file).unwrap(),
        b"{\"edited\": true}\n",
        "left as it was"
    );

    // --force replaces it with the statement.
    settle_json(d, "2026-10", &["--out", "out", "--force"]).expect(0);
    assert_eq!(std::fs::read(&json_file).unwrap(), fresh);

    // Changed inputs make a different statement: refused again without --force.
    let mut calls = std::fs::read_to_string(d.join("calls.csv")).unwrap();
    calls.push_str(
        "c10,acme,phone,aftersales,手机,2026-10-20 10:00:00,2026-10-20 10:00:05,2026-10-20 10:05:00,vendor\n",
    );
    std::fs::write(d.join("calls.csv"), calls).unwrap();
    settle_json(d, "2026-10", &["--out", "out"]).expect(73);
    assert_eq!(std::fs::read(&json_file).unwrap(), fresh);
}

#[test]
fn spec_5_a_refusal_leaves_every_statement_as_it_was() {
    // acme's statement will differ (a new call); brightline's Markdown was edited by hand. Every
    // target is checked before any is written: acme's files must not change either.
    let dir = copy_fixture("month_ok");
    let d = dir.path();
    settle_json(d, "2026-10", &["--out", "out"]).expect(0);
    let acme: Vec<_> = ["json", "csv", "md"]
        .iter()
        .map(|e| d.join(format!("out/2026-10/acme/statement.{e}")))
        .collect();
    let before: Vec<Vec<u8>> = acme.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let md = d.join("out/2026-10/brightline/statement.md");
    std::fs::write(&md, "edited by hand\n").unwrap();
    let mut calls = std::fs::read_to_string(d.join("calls.csv")).unwrap();
    calls.push_str(
        "c10,acme,phone,aftersales,手机,2026-10-20 10:00:00,2026-10-20 10:00:05,2026-10-20 10:05:00,vendor\n",
    );
    std::fs::write(d.join("calls.csv"), calls).unwrap();
    let out = settle_json(d, "2026-10", &["--out", "out"]);
    out.expect(73);
    assert!(out.stdout.is_empty(), "nothing printed on a refusal");
    for (f, b) in acme.iter().zip(&before) {
        assert_eq!(&std::fs::read(f).unwrap(), b, "{} changed", f.display());
    }
    assert_eq!(std::fs::read_to_string(&md).unwrap(), "edited by hand\n");
}

#[test]
fn spec_5_a_refusal_leaves_the_rejects_file_beside_the_statements_as_it_was() {
    let dir = Month::new()
        .calls(&["c1,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,"])
        .build();
    let d = dir.path();
    settle_json(d, "2026-10", &["--out", "out", "--allow-rejects"]).expect(0);
    let rejects = d.join("out/2026-10/rejects.csv");
    let before = std::fs::read(&rejects).unwrap();
    let mut calls = std::fs::read_to_string(d.join("calls.csv")).unwrap();
    calls.push_str("c2,acme,phone,during,手机,2026-10-12 10:00:00,,,\n");
    std::fs::write(d.join("calls.csv"), calls).unwrap();
    settle_json(d, "2026-10", &["--out", "out", "--allow-rejects"]).expect(73);
    assert_eq!(
        std::fs::read(&rejects).unwrap(),
        before,
        "the refused run replaced the rejects file the kept statement refers to"
    );
}

#[test]
fn spec_5_identical_rerun_leaves_statements_untouched() {
    let dir = copy_fixture("month_ok");
    let d = dir.path();
    settle_json(d, "2026-10", &["--out", "out"]).expect(0);
    let files: Vec<_> = ["acme", "brightline"]
        .iter()
        .flat_map(|v| {
            ["json", "csv", "md"].map(|ext| d.join(format!("out/2026-10/{v}/statement.{ext}")))
        })
        .collect();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| {
            let file = std::fs::File::options().write(true).open(f).expect("open");
            file.set_modified(old).expect("set mtime");
            std::fs::read(f).unwrap()
        })
        .collect();
    settle_json(d, "2026-10", &["--out", "out"]).expect(0);
    for (f, b) in files.iter().zip(&before) {
        assert_eq!(&std::fs::read(f).unwrap(), b, "{}", f.display());
        let mtime = std::fs::metadata(f).unwrap().modified().unwrap();
        assert_eq!(mtime, old, "{} was rewritten", f.display());
    }
}

#[track_caller]
fn assert_bad_rates_exit_78(text: &str, needle: &str) {
    let dir = Month::new().file("bad-rates.toml", text).build();
    let out = run_in(
        dir.path(),
        &["settle", "--month", "2026-10", "--rates", "bad-rates.toml"],
    );
    out.expect(78);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains(needle),
        "stderr lacks {needle:?}: {}",
        out.stderr
    );
    run_in(dir.path(), &["check", "--rates", "bad-rates.toml"]).expect(78);
}

#[test]
fn spec_3_unknown_rates_key_exits_78() {
    assert_bad_rates_exit_78(
        &rates_with(&[(
            "rounding = \"half_up\"",
            "rounding = \"half_up\"\nrouding = \"half_even\"",
        )]),
        "money.rouding",
    );
}

#[test]
fn spec_3_invalid_rates_value_exits_78() {
    assert_bad_rates_exit_78(
        &rates_with(&[("rounding = \"half_up\"", "rounding = \"up\"")]),
        "money.rounding",
    );
    assert_bad_rates_exit_78(
        &rates_with(&[(
            "presales = { phone = \"3.50\"",
            "presales = { phone = \"-3.50\"",
        )]),
        "takeover.presales.phone",
    );
}

#[test]
fn spec_3_missing_rates_file_exits_78() {
    let dir = Month::new().build();
    let out = run_in(
        dir.path(),
        &["settle", "--month", "2026-10", "--rates", "nowhere.toml"],
    );
    out.expect(78);
    assert!(out.stderr.contains("nowhere.toml"), "{}", out.stderr);
    // The default is ./rates.toml, absent here.
    run_in(dir.path(), &["settle", "--month", "2026-10"]).expect(78);
}

// ================================================================================================
// §2 bad rows: every rejection reason, as `file:line: column: reason`
// ================================================================================================

#[test]
fn spec_2_required_cell_empty_is_rejected() {
    let dir = Month::new()
        .calls(&[
            // line 2: category empty (whitespace is trimmed away)
            "c1,acme,phone,aftersales,  ,2026-10-12 10:00:00,,,",
            // line 3: offered_at empty
            "c2,acme,phone,aftersales,手机,,,,",
            // line 4: contact_id empty
            ",acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            // line 5: channel empty
            "c4,acme,,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .tickets(&["t1,acme,,手机,,2026-10-12 10:00:00,,,"])
        .surveys(&["s1,acme,2026-10-12 10:00:00,,"])
        .orders(&["o1,acme,2026-10-12 10:00:00,,completed"])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: category: required value is empty",
            "calls.csv:3: offered_at: required value is empty",
            "calls.csv:4: contact_id: required value is empty",
            "calls.csv:5: channel: required value is empty",
            "tickets.csv:2: kind: required value is empty",
            "surveys.csv:2: rating: required value is empty",
            "orders.csv:2: amount: required value is empty",
        ],
    );
}

#[test]
fn spec_2_unparsable_timestamp_is_rejected() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,yesterday,,,",
            // An optional cell that does not parse is rejected too (§8).
            "c2,acme,phone,aftersales,手机,2026-10-12 10:00:00,soon,,",
            // 31 October exists; 32 does not.
            "c3,acme,phone,aftersales,手机,2026-10-32 10:00:00,,,",
        ])
        .tickets(&["t1,acme,complaint,手机,,2026-10-12 10:00:00,,12/10/2026,"])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: offered_at: `yesterday` is not a timestamp: write RFC 3339",
            "calls.csv:3: answered_at: `soon` is not a timestamp",
            "calls.csv:4: offered_at: `2026-10-32 10:00:00`: not a valid date and time",
            "tickets.csv:2: resolved_at: `12/10/2026` is not a timestamp",
        ],
    );
}

#[test]
fn spec_2_value_not_listed_is_rejected() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,",
            "c2,acme,phone,during,手机,2026-10-12 10:00:00,,,",
            "c3,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,partner",
        ])
        .tickets(&[
            "t1,acme,question,手机,,2026-10-12 10:00:00,,,",
            "t2,acme,repair,手机,hard,2026-10-12 10:00:00,,,",
            "t3,acme,complaint,手机,,2026-10-12 10:00:00,,,robot",
        ])
        .surveys(&[
            "s1,acme,2026-10-12 10:00:00,6,",
            "s2,acme,2026-10-12 10:00:00,ok,",
        ])
        .orders(&["o1,acme,2026-10-12 10:00:00,12.00,pending"])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: channel: `fax` is not one of phone, online",
            "calls.csv:3: stage: `during` is not one of presales, aftersales",
            "calls.csv:4: handled_by: `partner` is not one of vendor, platform",
            "tickets.csv:2: kind: `question` is not one of work_order, complaint, service_order, repair",
            "tickets.csv:3: complexity: `hard` is not one of simple, complex",
            "tickets.csv:4: handled_by: `robot` is not one of vendor, platform",
            "surveys.csv:2: rating: `6` is not one of",
            "surveys.csv:3: rating: `ok` is not one of",
            "orders.csv:2: status: `pending` is not one of completed, refunded, cancelled",
        ],
    );
}

#[test]
fn spec_8_enumerated_values_match_case_insensitively() {
    let dir = Month::new()
        .calls(&["c1,acme,PHONE,AfterSales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,Vendor"])
        .tickets(&["t1,acme,Complaint,手机,SIMPLE,2026-10-12 10:00:00,,2026-10-12 11:00:00,VENDOR"])
        .surveys(&["s1,acme,2026-10-12 10:00:00,VERY_SATISFIED,", "s2,acme,2026-10-12 10:00:00,一般,"])
        .orders(&["o1,acme,2026-10-12 10:00:00,10,Completed"])
        .build();
    let st = settle_ok(dir.path(), "2026-10", &[], "acme");
    // 1 of 2 surveys satisfied or better.
    assert_eq!(st["metrics"]["satisfaction"]["value"], "0.5000");
    assert_eq!(amount_of(&st, "earn/complaint_resolved"), "5.00");
}

#[test]
fn spec_2_undeclared_vendor_is_rejected() {
    let dir = Month::new()
        .calls(&["c1,nobody,phone,aftersales,手机,2026-10-12 10:00:00,,,"])
        // Vendor ids match exactly after trimming: `Acme` is not `acme`.
        .surveys(&["s1,Acme,2026-10-12 10:00:00,5,"])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: vendor: `nobody` is not declared in rates.toml",
            "surveys.csv:2: vendor: `Acme` is not declared in rates.toml",
        ],
    );
    // With --allow-rejects the rows belong to no statement and are named in the run summary.
    let out = settle_json(dir.path(), "2026-10", &["--allow-rejects"]);
    out.expect(0);
    for v in ["acme", "brightline"] {
        let st = out.statement(v);
        assert_eq!(counts(&st, "calls")["rows"], 0, "{v}");
        assert_eq!(counts(&st, "surveys")["rows"], 0, "{v}");
    }
    assert!(
        out.stderr.contains("name no declared vendor"),
        "{}",
        out.stderr
    );
    let rejects = std::fs::read_to_string(dir.path().join("rejects-2026-10.csv")).unwrap();
    assert!(rejects.contains("c1,nobody,phone"), "{rejects}");
    assert!(rejects.contains("s1,Acme,"), "{rejects}");
}

#[test]
fn spec_8_empty_vendor_cell_is_rejected() {
    let dir = Month::new()
        .calls(&["c1,  ,phone,aftersales,手机,2026-10-12 10:00:00,,,"])
        .build();
    assert_rejected(
        dir.path(),
        &["calls.csv:2: vendor: required value is empty"],
    );
}

#[test]
fn spec_2_category_without_package_rejected_on_answered_aftersales_takeover_only() {
    // 未分类 is in no package. Only an answered after-sales platform contact needs a price.
    let bad = Month::new()
        .calls(&["c1,acme,phone,aftersales,未分类,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,platform"])
        .build();
    assert_rejected(
        bad.path(),
        &["calls.csv:2: category: `未分类` maps to no package"],
    );

    // The same category is accepted where no price needs it (§8):
    //   o1 vendor row answered, effective → earn 2.00
    //   o2 platform after-sales, never answered → not charged, no price needed
    //   o3 platform presales online answered → takeover/presales/online 1.60 (no package)
    let st = acme_calls(&[
        "o1,acme,phone,aftersales,未分类,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,vendor",
        "o2,acme,phone,aftersales,未分类,2026-10-12 10:00:00,,,platform",
        "o3,acme,online,presales,未分类,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,platform",
    ]);
    assert_eq!(counts(&st, "calls")["rejected"], 0);
    assert_eq!(amount_of(&st, "earn/phone_effective_call"), "2.00");
    assert_eq!(amount_of(&st, "takeover/presales/online"), "1.60");
    assert_eq!(st["contacts"]["takeovers_unanswered"], 1);
}

#[test]
fn spec_2_answered_before_offered_is_rejected() {
    let dir = Month::new()
        .calls(&["c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 09:59:59,,"])
        .build();
    assert_rejected(
        dir.path(),
        &["calls.csv:2: answered_at: earlier than offered_at"],
    );
}

#[test]
fn spec_2_ended_before_answered_is_rejected() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:10,2026-10-12 10:00:05,",
            // Unanswered, ended before it was offered (§8: any timestamp before the start).
            "c2,acme,phone,aftersales,手机,2026-10-12 10:00:00,,2026-10-12 09:00:00,",
        ])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: ended_at: earlier than answered_at",
            "calls.csv:3: ended_at: earlier than offered_at",
        ],
    );
}

#[test]
fn spec_2_replied_before_created_is_rejected() {
    let dir = Month::new()
        .tickets(&["t1,acme,work_order,手机,,2026-10-12 10:00:00,2026-10-12 09:00:00,,"])
        .build();
    assert_rejected(
        dir.path(),
        &["tickets.csv:2: first_reply_at: earlier than created_at"],
    );
}

#[test]
fn spec_8_resolved_before_created_is_rejected() {
    let dir = Month::new()
        .tickets(&["t1,acme,complaint,手机,,2026-10-12 10:00:00,,2026-10-11 10:00:00,"])
        .build();
    assert_rejected(
        dir.path(),
        &["tickets.csv:2: resolved_at: earlier than created_at"],
    );
}

#[test]
fn spec_8_negative_exponent_and_thousands_amounts_are_rejected() {
    let dir = Month::new()
        .orders(&[
            "o1,acme,2026-10-12 10:00:00,-12.50,completed",
            "o2,acme,2026-10-12 10:00:00,1e3,completed",
            "o3,acme,2026-10-12 10:00:00,\"1,234.00\",completed",
            "o4,acme,2026-10-12 10:00:00,12.,completed",
        ])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "orders.csv:2: amount: negative amount",
            "orders.csv:3: amount: not a plain decimal amount",
            "orders.csv:4: amount: not a plain decimal amount",
            "orders.csv:5: amount: not a plain decimal amount",
        ],
    );
}

#[test]
fn spec_2_one_id_with_different_cells_rejects_every_row_of_it() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c2,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c1,acme,online,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: contact_id: id `c1` appears on lines 2, 4 with different cells",
            "calls.csv:4: contact_id: id `c1` appears on lines 2, 4 with different cells",
        ],
    );
    // Settled anyway, neither c1 row counts: only c2 is offered.
    let out = settle_json(dir.path(), "2026-10", &["--allow-rejects"]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(st["contacts"]["offered"], 1);
    assert_eq!(
        counts(&st, "calls"),
        json!({"rows": 3, "in_period": 1, "outside_period": 0, "duplicates": 0, "rejected": 2})
    );
}

#[test]
fn spec_8_any_disagreement_among_rows_sharing_an_id_rejects_all_of_them() {
    // Lines 2 and 3 are exact twins, line 4 disagrees: all three are rejected, none counted.
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:01,,,",
        ])
        .build();
    let out = settle_json(dir.path(), "2026-10", &["--allow-rejects"]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(st["contacts"]["offered"], 0);
    assert_eq!(counts(&st, "calls")["rejected"], 3);
    assert_eq!(counts(&st, "calls")["rows"], 3);
    // Every row of the id names every line it stands on.
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: contact_id: id `c1` appears on lines 2, 3, 4 with different cells",
            "calls.csv:3: contact_id: id `c1` appears on lines 2, 3, 4 with different cells",
            "calls.csv:4: contact_id: id `c1` appears on lines 2, 3, 4 with different cells",
        ],
    );
}

#[test]
fn spec_2_wrong_field_count_is_rejected() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,",
            "c2,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,,",
        ])
        .build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: (row): has 8 fields, the header has 9",
            "calls.csv:3: (row): has 10 fields, the header has 9",
        ],
    );
}

#[test]
fn spec_8_records_spanning_lines_are_rejected_and_lines_stay_physical() {
    // line 1 header; lines 2–3 a record with a two-line quoted category: in the canonical
    // layout a record stays on one line (SPEC §8), so it is rejected; line 4 a bad record;
    // lines 5–6 another two-line record; line 7 a bad record.
    let text = format!(
        "{CALLS}\n\
         c1,acme,phone,aftersales,\"two\nlines\",2026-10-12 10:00:00,,,\n\
         c2,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,\n\
         c3,acme,phone,aftersales,\"x\ny\",not a time,,,\n\
         c4,acme,phone,nowhere,手机,2026-10-12 10:00:00,,,\n"
    );
    let dir = Month::new().raw_calls(&text).build();
    assert_rejected(
        dir.path(),
        &[
            "calls.csv:2: (row): a quoted cell runs from line 2 to line 3: unbalanced quote?",
            "calls.csv:4: channel:",
            "calls.csv:5: (row): a quoted cell runs from line 5 to line 6",
            "calls.csv:7: stage:",
        ],
    );
}

#[test]
fn spec_2_crlf_line_ends_keep_line_numbers() {
    let text = format!(
        "{CALLS}\r\nc1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,\r\nc2,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,\r\n"
    );
    let dir = Month::new().raw_calls(&text).build();
    assert_rejected(dir.path(), &["calls.csv:3: channel: `fax` is not one of"]);
}

#[test]
fn spec_2_line_numbers_count_blank_lines() {
    let text = format!(
        "{CALLS}\n\
         c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,\n\
         \n\
         c2,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,\n"
    );
    let dir = Month::new().raw_calls(&text).build();
    assert_rejected(dir.path(), &["calls.csv:4: channel: `fax` is not one of"]);
}

// ================================================================================================
// §2 / §8 rows rules
// ================================================================================================

#[test]
fn spec_2_exact_duplicate_counts_once_and_is_reported() {
    let st = acme_calls(&[
        "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,vendor",
        "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,vendor",
        // Trimmed cells and an extra space are the same row.
        " c1 ,acme, phone ,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,vendor",
    ]);
    assert_eq!(
        counts(&st, "calls"),
        json!({"rows": 3, "in_period": 1, "outside_period": 0, "duplicates": 2, "rejected": 0})
    );
    // Counted once: one offered, one effective call, 2.00 earned.
    assert_eq!(st["contacts"]["offered"], 1);
    assert_eq!(amount_of(&st, "earn/phone_effective_call"), "2.00");
}

#[test]
fn spec_8_two_spellings_of_one_instant_are_a_duplicate_not_a_conflict() {
    // 2026-10-12 10:00 in Shanghai = 02:00Z; handled_by empty = vendor; `Phone` = phone.
    let st = acme_calls(&[
        "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,vendor",
        "c1,acme,Phone,aftersales,手机,2026-10-12T02:00:00Z,2026-10-12T10:00:05+08:00,2026/10/12 10:05:00,",
        "c1,acme,phone,aftersales,手机,2026-10-12 10:00,2026-10-12t02:00:05.000z,2026-10-12T10:05:00+0800,vendor",
    ]);
    assert_eq!(counts(&st, "calls")["duplicates"], 2);
    assert_eq!(counts(&st, "calls")["rejected"], 0);
    assert_eq!(counts(&st, "calls")["in_period"], 1);
}

#[test]
fn spec_8_a_row_of_another_month_is_outside_period_whatever_else_is_wrong() {
    let dir = Month::new()
        .calls(&[
            // In period: 2026-09-30T16:00Z is 2026-10-01 00:00 in Shanghai.
            "c1,acme,phone,aftersales,手机,2026-09-30T16:00:00Z,,,",
            // Outside (September in Shanghai), each with something else wrong:
            "c2,acme,fax,aftersales,手机,2026-09-30 23:59:59,,,",
            "c3,acme,phone,aftersales,手机,2026-09-30 10:00:00,2026-09-30 09:00:00,,",
            "c4,acme,phone,aftersales,手机,2026-11-01 00:00:00,yesterday,,",
            "c5,nobody,phone,aftersales,手机,2026-09-12 10:00:00,,,",
            "c6,,phone,aftersales,手机,2026-09-12 10:00:00,,,",
            // Same id as c1 with other cells: outside rows take no part in the duplicate check.
            "c1,acme,online,presales,手机,2026-11-12 10:00:00,,,",
        ])
        .build();
    // Most rows are of other months: the guard is overridden to see how each is counted.
    let out = settle_json(dir.path(), "2026-10", &["--allow-outside-period"]);
    out.expect(0);
    let st = out.statement("acme");
    // acme: c1 in period; c2, c3, c4 and the second c1 outside. c5, c6 belong to no vendor.
    assert_eq!(
        counts(&st, "calls"),
        json!({"rows": 5, "in_period": 1, "outside_period": 4, "duplicates": 0, "rejected": 0})
    );
    assert_eq!(st["contacts"]["offered"], 0, "00:00 is outside phone hours");
    assert_eq!(st["contacts"]["outside_service_hours"], 1);
    let rates = rates_arg();
    let check = run_in(
        dir.path(),
        &[
            "check",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--allow-outside-period",
        ],
    );
    check.expect(0);
    assert_eq!(check.stdout, "");
}

#[test]
fn spec_2_bom_shuffled_upper_case_header_and_extra_columns_are_read() {
    // calls.csv: BOM, columns shuffled, names in mixed case with spaces, an extra NOTE column.
    //   h1 phone answered +15 s, talk 285 s → effective; h2 online answered → session
    // surveys.csv: BOM, shuffled, extra column: very_satisfied + 不满意 → 1/2
    // tickets.csv: only some optional columns; one resolved complaint → 5.00
    let out = settle_json(&fixture("header_variants"), "2026-10", &[]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(counts(&st, "calls")["in_period"], 2);
    assert_eq!(counts(&st, "calls")["rejected"], 0);
    assert_eq!(st["metrics"]["answer_rate"]["value"], "1.0000");
    assert_eq!(amount_of(&st, "earn/phone_effective_call"), "2.00");
    assert_eq!(amount_of(&st, "earn/online_session"), "1.00");
    assert_eq!(st["metrics"]["satisfaction"]["value"], "0.5000");
    assert_eq!(amount_of(&st, "earn/complaint_resolved"), "5.00");
}

#[test]
fn spec_2_a_column_named_twice_is_a_bad_file() {
    let dir = Month::new()
        .raw_calls(&format!(
            "{CALLS},Vendor\nc1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,,acme\n"
        ))
        .build();
    let out = settle_json(dir.path(), "2026-10", &[]);
    out.expect(65);
    assert!(out.stderr.contains("calls.csv:1:"), "{}", out.stderr);
}

#[test]
fn spec_8_vendor_filter_skips_other_and_undeclared_vendors_but_rejects_empty_vendor() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
            "c2,brightline,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c3,nobody,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c4,,phone,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .build();
    let rates = rates_arg();
    // Under --vendor acme only the empty vendor cell (line 5) is a reject.
    let check = run_in(
        dir.path(),
        &[
            "check", "--month", "2026-10", "--vendor", "acme", "--rates", &rates,
        ],
    );
    check.expect(65);
    assert_eq!(
        check.stdout,
        "calls.csv:5: vendor: required value is empty\n"
    );
    settle_json(dir.path(), "2026-10", &["--vendor", "acme"]).expect(65);

    let out = settle_json(
        dir.path(),
        "2026-10",
        &["--vendor", "acme", "--allow-rejects"],
    );
    out.expect(0);
    let all = out.json();
    assert_eq!(all.as_array().unwrap().len(), 1, "only acme is settled");
    let st = out.statement("acme");
    assert_eq!(
        counts(&st, "calls"),
        json!({"rows": 1, "in_period": 1, "outside_period": 0, "duplicates": 0, "rejected": 0})
    );
    let rejects = std::fs::read_to_string(dir.path().join("rejects-2026-10.csv")).unwrap();
    assert_eq!(
        rejects.lines().count(),
        2,
        "header + the empty-vendor row:\n{rejects}"
    );

    // Without --vendor the undeclared vendor is rejected too.
    let check = run_in(
        dir.path(),
        &["check", "--month", "2026-10", "--rates", &rates],
    );
    check.expect(65);
    assert_eq!(check.stdout.lines().count(), 2, "{}", check.stdout);
}

#[test]
fn spec_5_counts_rows_is_in_period_plus_outside_plus_duplicates_plus_rejected() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c2,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c2,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c3,acme,phone,aftersales,手机,2026-08-12 10:00:00,,,",
            "c4,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,",
            "c5,brightline,phone,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .tickets(&[
            "t1,acme,complaint,手机,,2026-10-12 10:00:00,,,",
            "t1,acme,complaint,手机,,2026-10-12 10:00:00,,,",
        ])
        .build();
    let out = settle_json(dir.path(), "2026-10", &["--allow-rejects"]);
    out.expect(0);
    let st = out.statement("acme");
    // acme calls: c1, c2 in period; second c2 duplicate; c3 outside; c4 rejected → 5 rows.
    assert_eq!(
        counts(&st, "calls"),
        json!({"rows": 5, "in_period": 2, "outside_period": 1, "duplicates": 1, "rejected": 1})
    );
    assert_eq!(
        counts(&st, "tickets"),
        json!({"rows": 2, "in_period": 1, "outside_period": 0, "duplicates": 1, "rejected": 0})
    );
    for v in out.json().as_array().unwrap() {
        for (role, c) in v["counts"].as_object().unwrap() {
            let n = |k: &str| c[k].as_u64().unwrap();
            assert_eq!(
                n("rows"),
                n("in_period") + n("outside_period") + n("duplicates") + n("rejected"),
                "{} {role}",
                v["vendor"]["id"]
            );
        }
    }
    assert_eq!(counts(&out.statement("brightline"), "calls")["rows"], 1);
}

// ================================================================================================
// §2 --allow-rejects
// ================================================================================================

/// One good call and one rejected call whose id starts with `=` (a formula in a spreadsheet).
fn month_with_one_reject() -> tempfile::TempDir {
    Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
            "=1+2,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .build()
}

#[track_caller]
fn assert_rejects_file(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["file", "line", "column", "reason", "row"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{text}");
    let row = &rows[0];
    assert!(row[0].ends_with("calls.csv"), "{text}");
    assert_eq!(&row[1], "3");
    assert_eq!(&row[2], "channel");
    assert!(row[3].contains("`fax` is not one of"), "{text}");
    // The raw row, with its formula-like start escaped (§5).
    assert_eq!(
        &row[4],
        "'=1+2,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,"
    );
}

#[track_caller]
fn assert_statement_records_rejects(out: &Out) {
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(counts(&st, "calls")["rejected"], 1);
    assert_eq!(counts(&st, "calls")["in_period"], 1);
    assert!(has_warning(&st, "rejected"), "{:#}", st["warnings"]);
    assert_eq!(amount_of(&st, "earn/phone_effective_call"), "2.00");
}

#[test]
fn spec_2_allow_rejects_settles_and_writes_default_rejects_file() {
    let dir = month_with_one_reject();
    let out = settle_json(dir.path(), "2026-10", &["--allow-rejects"]);
    assert_statement_records_rejects(&out);
    assert_rejects_file(&dir.path().join("rejects-2026-10.csv"));
}

#[test]
fn spec_2_allow_rejects_with_rejects_path() {
    let dir = month_with_one_reject();
    let out = settle_json(
        dir.path(),
        "2026-10",
        &["--allow-rejects", "--rejects", "audit/bad-rows.csv"],
    );
    assert_statement_records_rejects(&out);
    assert_rejects_file(&dir.path().join("audit/bad-rows.csv"));
    assert!(!dir.path().join("rejects-2026-10.csv").exists());
}

#[test]
fn spec_2_allow_rejects_under_out_writes_month_rejects_csv() {
    let dir = month_with_one_reject();
    let out = settle_json(
        dir.path(),
        "2026-10",
        &["--allow-rejects", "--out", "statements"],
    );
    assert_statement_records_rejects(&out);
    assert_rejects_file(&dir.path().join("statements/2026-10/rejects.csv"));
    assert!(!dir.path().join("rejects-2026-10.csv").exists());
    let on_disk: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("statements/2026-10/acme/statement.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(on_disk["counts"]["calls"]["rejected"], 1);
}

// ================================================================================================
// §5 output
// ================================================================================================

#[test]
fn spec_5_json_is_an_array_by_vendor_id_with_schema_and_string_decimals() {
    let out = settle_json(&fixture("month_ok"), "2026-10", &[]);
    out.expect(0);
    let all = out.json();
    let all = all.as_array().expect("an array");
    let ids: Vec<&str> = all.iter().map(|st| s(&st["vendor"]["id"])).collect();
    assert_eq!(ids, ["acme", "brightline"]);
    for st in all {
        assert_eq!(st["schema"], "slatement.statement.v1");
        assert_eq!(st["month"], "2026-10");
        assert_eq!(st["currency"], "CNY");
        for l in st["lines"].as_array().unwrap() {
            for k in ["quantity", "unit_price", "amount"] {
                assert!(l[k].is_string(), "{k} of {l}");
            }
        }
        for (k, v) in st["totals"].as_object().unwrap() {
            assert!(v.is_string(), "totals.{k}");
        }
        for (k, v) in st["metrics"].as_object().unwrap() {
            assert!(v["value"].is_string() || v["value"].is_null(), "metric {k}");
            assert!(v["numerator"].is_u64(), "metric {k}");
        }
        for c in st["scorecards"].as_array().unwrap() {
            assert!(c["score"].is_string());
            assert!(c["tier"]["penalty"].is_string());
        }
        assert!(st["rates"]["sha256"].as_str().unwrap().len() == 64);
        for i in st["inputs"].as_array().unwrap() {
            assert_eq!(s(&i["sha256"]).len(), 64);
        }
        assert!(st["definitions"].is_object());
    }
}

#[test]
fn spec_4_lines_add_up_exactly_to_totals() {
    for (fixture_name, month) in [
        ("month_ok", "2026-10"),
        ("trial", "2026-10"),
        ("trial", "2026-11"),
    ] {
        // The fixtures hold several months in one file: the guard against another month's
        // export is overridden (SPEC §8 as refined in the README).
        let out = settle_json(&fixture(fixture_name), month, &["--allow-outside-period"]);
        out.expect(0);
        for st in out.json().as_array().unwrap() {
            let sum = |sections: &[&str]| -> i128 {
                st["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|l| sections.contains(&s(&l["section"])))
                    .map(|l| micro(s(&l["amount"])))
                    .sum()
            };
            let t = &st["totals"];
            let total = |k: &str| micro(s(&t[k]));
            assert_eq!(sum(&["earn"]), total("earned"));
            assert_eq!(sum(&["takeover", "overdue"]), total("fees_charged"));
            assert_eq!(sum(&["penalty"]), total("penalties"));
            assert_eq!(total("fees_charged") + total("penalties"), total("charged"));
            assert_eq!(total("earned") - total("charged"), total("net"));
            for l in st["lines"].as_array().unwrap() {
                assert!(
                    s(&l["item"]).starts_with(&format!("{}/", s(&l["section"]))),
                    "item names start with the section: {l}"
                );
                assert_ne!(micro(s(&l["quantity"])), 0, "no quantity-0 lines");
            }
        }
    }
}

#[test]
fn spec_5_csv_escapes_formula_text_but_not_numbers() {
    // A contract whose vendor name, scorecard name and tier label start with formula characters.
    let rates = rates_with(&[
        (
            "name = \"Acme Service Co.\"",
            "name = \"=HYPERLINK(\\\"http://x\\\")\"",
        ),
        ("name = \"consulting\"", "name = \"=consulting\""),
        ("label = \"fails standard\"", "label = \"@fails standard\""),
    ]);
    let dir = copy_fixture("month_ok");
    std::fs::write(dir.path().join("formula-rates.toml"), rates).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            "formula-rates.toml",
            "--format",
            "csv",
        ],
    );
    out.expect(0);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(out.stdout.as_bytes());
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "unescaped formula cell {cell:?} in {row:?}"
            );
        }
    }
    // Month_ok: score 20.00 → the renamed fails-standard tier; net −10008.10 (a number).
    let summary = rows
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("acme") && r.len() == 11)
        .expect("summary row of acme");
    assert_eq!(summary[1], "'=consulting");
    assert_eq!(summary[3], "'@fails standard");
    assert_eq!(summary[9], "-10008.10", "a negative number is not escaped");
    let penalty = rows
        .iter()
        .find(|r| r.len() == 6 && r[2].starts_with("penalty/"))
        .expect("penalty line");
    assert_eq!(penalty[2], "penalty/=consulting");
    assert_eq!(penalty[5], "10000.00");
    // The vendor name reaches the Markdown title unchanged.
    let md = run_in(
        dir.path(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            "formula-rates.toml",
            "--format",
            "md",
        ],
    );
    md.expect(0);
    assert!(md.stdout.contains("=HYPERLINK"), "{}", md.stdout);
}

#[test]
fn spec_5_md_has_a_section_per_vendor() {
    let rates = rates_arg();
    let out = run_in(
        &fixture("month_ok"),
        &[
            "settle", "--month", "2026-10", "--rates", &rates, "--format", "md",
        ],
    );
    out.expect(0);
    let sections: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("## "))
        .collect();
    assert_eq!(sections.len(), 2, "{}", out.stdout);
    assert!(sections[0].contains("Acme Service Co.") && sections[0].contains("(acme)"));
    assert!(
        sections[1].contains("Brightline Support Ltd.") && sections[1].contains("(brightline)")
    );
    // SPEC §13: the human forms separate thousands.
    assert!(out.stdout.contains("-10,008.10"));
}

#[test]
fn spec_5_table_is_the_default_form() {
    let rates = rates_arg();
    let out = run_in(
        &fixture("month_ok"),
        &["settle", "--month", "2026-10", "--rates", &rates],
    );
    out.expect(0);
    assert!(out.stdout.contains("acme") && out.stdout.contains("brightline"));
    assert!(out.stdout.contains("-10,008.10"));
    assert!(
        serde_json::from_str::<Value>(&out.stdout).is_err(),
        "not JSON"
    );
}

#[test]
fn spec_5_out_writes_every_form_per_vendor() {
    let dir = copy_fixture("month_ok");
    let out = settle_json(dir.path(), "2026-10", &["--out", "statements"]);
    out.expect(0);
    for v in ["acme", "brightline"] {
        let base = dir.path().join("statements/2026-10").join(v);
        let json_text = std::fs::read_to_string(base.join("statement.json")).unwrap();
        let on_disk: Value = serde_json::from_str(&json_text).unwrap();
        assert_eq!(
            on_disk,
            out.statement(v),
            "the file holds the printed statement"
        );
        let csv_text = std::fs::read_to_string(base.join("statement.csv")).unwrap();
        assert!(csv_text.starts_with("vendor,section,item"), "{csv_text}");
        let md = std::fs::read_to_string(base.join("statement.md")).unwrap();
        assert_eq!(md.lines().filter(|l| l.starts_with("## ")).count(), 1);
        // SPEC §13: the printable page, self-contained, one sheet.
        let html = std::fs::read_to_string(base.join("statement.html")).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert_eq!(html.matches("<section class=\"sheet\">").count(), 1);
        assert!(!html.contains("<script"));
    }
    // Nothing else is left behind (no temporary files).
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("statements/2026-10/acme"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "statement.csv",
            "statement.html",
            "statement.json",
            "statement.md"
        ]
    );
}

#[test]
fn spec_5_same_command_twice_gives_byte_identical_output() {
    for format in ["json", "csv", "md", "table"] {
        let rates = rates_arg();
        let args = [
            "settle", "--month", "2026-10", "--rates", &rates, "--format", format,
        ];
        let a = run_in(&fixture("month_ok"), &args);
        let b = run_in(&fixture("month_ok"), &args);
        a.expect(0);
        b.expect(0);
        assert_eq!(a.stdout, b.stdout, "{format}");
    }
}

#[test]
fn spec_2_machine_time_zone_does_not_change_output() {
    let rates = rates_arg();
    for format in ["json", "csv", "md", "table"] {
        let args = [
            "settle", "--month", "2026-10", "--rates", &rates, "--format", format,
        ];
        let tokyo = run_in_tz(&fixture("month_ok"), &args, "Asia/Tokyo");
        let utc = run_in_tz(&fixture("month_ok"), &args, "UTC");
        let odd = run_in(&fixture("month_ok"), &args);
        tokyo.expect(0);
        assert_eq!(tokyo.stdout, utc.stdout, "{format}");
        assert_eq!(tokyo.stdout, odd.stdout, "{format}");
    }
}

// ================================================================================================
// §4 / §8 money and metric edge rules
// ================================================================================================

#[test]
fn spec_8_platform_contact_never_answered_is_not_charged() {
    let st = acme_calls(&[
        "p1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,platform",
        "p2,acme,online,presales,手机,2026-10-12 10:00:00,,2026-10-12 10:01:00,platform",
    ]);
    assert!(items(&st).is_empty(), "no money lines: {:?}", items(&st));
    assert_eq!(st["totals"]["fees_charged"], "0.00");
    assert_eq!(st["contacts"]["takeovers_unanswered"], 2);
    // Takeovers are left out of the vendor's contact metrics.
    assert_eq!(st["contacts"]["offered"], 0);
}

#[test]
fn spec_3_takeover_aftersales_package1_phone_costs_14_50() {
    // Two answered after-sales platform phone calls in package 1 (手机, 家用电器): 2 × 14.50;
    // one package-2 online (男装): 1 × 2.80; one package-2 phone (图书): 1 × 6.50.
    let st = acme_calls(&[
        "p1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,platform",
        "p2,acme,phone,aftersales,家用电器,2026-10-12 10:00:00,2026-10-12 10:00:05,,platform",
        "p3,acme,online,aftersales,男装,2026-10-12 10:00:00,2026-10-12 10:00:05,,platform",
        "p4,acme,phone,aftersales,图书,2026-10-12 10:00:00,2026-10-12 10:00:05,,platform",
    ]);
    let l = line_of(&st, "takeover/aftersales/package1/phone").expect("package1 phone line");
    assert_eq!(
        *l,
        json!({"section": "takeover", "item": "takeover/aftersales/package1/phone",
               "quantity": "2", "unit_price": "14.50", "amount": "29.00"})
    );
    assert_eq!(
        amount_of(&st, "takeover/aftersales/package2/online"),
        "2.80"
    );
    assert_eq!(amount_of(&st, "takeover/aftersales/package2/phone"), "6.50");
    // 29.00 + 2.80 + 6.50 = 38.30
    assert_eq!(st["totals"]["fees_charged"], "38.30");
    assert_eq!(st["totals"]["net"], "-38.30");
    assert_eq!(st["contacts"]["offered"], 0, "takeovers are not scored");
}

#[test]
fn spec_5_presales_takeover_uses_presales_channel_item() {
    // Presales has no package: takeover/presales/<channel>: phone 3.50 × 2, online 1.60 × 1.
    let st = acme_calls(&[
        "p1,acme,phone,presales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,,platform",
        "p2,acme,phone,presales,男装,2026-10-12 10:00:00,2026-10-12 10:00:05,,platform",
        "p3,acme,online,presales,未分类,2026-10-12 10:00:00,2026-10-12 10:00:05,,platform",
    ]);
    assert_eq!(
        items(&st),
        ["takeover/presales/phone", "takeover/presales/online"]
    );
    assert_eq!(amount_of(&st, "takeover/presales/phone"), "7.00");
    assert_eq!(amount_of(&st, "takeover/presales/online"), "1.60");
    assert_eq!(st["totals"]["fees_charged"], "8.60");
}

#[test]
fn spec_8_platform_service_order_charged_8_26_only_when_resolved() {
    let st = acme_tickets(
        &[
            "so1,acme,service_order,手机,,2026-10-12 10:00:00,,2026-10-13 10:00:00,platform",
            "so2,acme,service_order,手机,,2026-10-12 10:00:00,2026-10-12 11:00:00,,platform",
            // Platform-handled work orders, complaints and repairs carry no price and no metric.
            "wo1,acme,work_order,手机,,2026-10-12 10:00:00,,,platform",
            "cp1,acme,complaint,手机,,2026-10-12 10:00:00,,2026-10-12 11:00:00,platform",
            "rp1,acme,repair,手机,,2026-10-12 10:00:00,,,platform",
        ],
        &[],
    );
    assert_eq!(
        st["lines"],
        json!([{"section": "takeover", "item": "takeover/service_order",
                "quantity": "1", "unit_price": "8.26", "amount": "8.26"}])
    );
    assert_eq!(st["work_orders"]["service_order_takeovers_unresolved"], 1);
    assert_eq!(st["work_orders"]["platform_handled_left_out"], 3);
    assert_eq!(st["metrics"]["work_order_on_time_rate"]["denominator"], 0);
    assert_eq!(st["metrics"]["repair_response_rate"]["denominator"], 0);
}

#[test]
fn spec_4_vendor_complaint_resolved_earns_complaint_resolved() {
    // Two resolved (one reopened-style with a reply) × 5.00 = 10.00; one unresolved earns nothing.
    let st = acme_tickets(
        &[
            "k1,acme,complaint,手机,,2026-10-12 10:00:00,,2026-10-12 12:00:00,",
            "k2,acme,complaint,,,2026-10-12 10:00:00,2026-10-12 10:30:00,2026-11-03 12:00:00,vendor",
            "k3,acme,complaint,手机,,2026-10-12 10:00:00,2026-10-12 10:30:00,,vendor",
        ],
        &[],
    );
    assert_eq!(
        *line_of(&st, "earn/complaint_resolved").unwrap(),
        json!({"section": "earn", "item": "earn/complaint_resolved",
               "quantity": "2", "unit_price": "5.00", "amount": "10.00"})
    );
    assert_eq!(st["totals"]["earned"], "10.00");
}

#[test]
fn spec_4_short_abandons_are_excluded_and_counted() {
    // a1 unanswered, ended after 4 s  → short abandon (< 5 s): left out, counted
    // a2 unanswered, ended after 5 s  → not short (5 is not less than 5): offered, abandoned
    // a3 unanswered, no end           → offered, abandoned
    // a4 answered +10 s               → offered, answered
    // answer_rate = 1/3; with the default 0 s every one of the 4 is offered: 1/4.
    let rows = [
        "a1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,2026-10-12 10:00:04,",
        "a2,acme,online,aftersales,手机,2026-10-12 10:00:00,,2026-10-12 10:00:05,",
        "a3,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
        "a4,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:10,2026-10-12 10:03:00,",
    ];
    let rates = rates_with(&[("short_abandon_seconds = 0", "short_abandon_seconds = 5")]);
    let dir = Month::new()
        .calls(&rows)
        .file("short-rates.toml", &rates)
        .build();
    let out = run_in(
        dir.path(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            "short-rates.toml",
            "--format",
            "json",
            "--vendor",
            "acme",
        ],
    );
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(
        st["metrics"]["answer_rate"],
        json!({"numerator": 1, "denominator": 3, "value": "0.3333"})
    );
    assert_eq!(st["contacts"]["short_abandons"], 1);
    assert_eq!(st["contacts"]["abandoned"], 2);
    assert_eq!(st["metrics"]["service_level"]["denominator"], 3);

    let st = acme_calls(&rows);
    assert_eq!(st["metrics"]["answer_rate"]["denominator"], 4);
    assert_eq!(st["contacts"]["short_abandons"], 0);
}

#[test]
fn spec_8_contacts_outside_service_hours_are_left_out_of_metrics_but_earn() {
    // Phone hours 09:00–18:00, online 09:00–21:00, half-open.
    //   h1 phone 08:59:59 answered → outside; effective call still earns 2.00
    //   h2 phone 09:00:00 answered → inside
    //   h3 phone 18:00:00 unanswered → outside (18:00 is not in the window)
    //   h4 online 20:59:59 unanswered → inside
    //   h5 online 21:00:00 answered → outside; online session still earns 1.00
    // answer_rate = h2 / (h2, h4) = 1/2; effective calls 2 (h1, h2) = 4.00; sessions 1 = 1.00
    let st = acme_calls(&[
        "h1,acme,phone,aftersales,手机,2026-10-12 08:59:59,2026-10-12 09:00:05,2026-10-12 09:05:00,",
        "h2,acme,phone,aftersales,手机,2026-10-12 09:00:00,2026-10-12 09:00:05,2026-10-12 09:05:00,",
        "h3,acme,phone,aftersales,手机,2026-10-12 18:00:00,,,",
        "h4,acme,online,aftersales,手机,2026-10-12 20:59:59,,,",
        "h5,acme,online,aftersales,手机,2026-10-12 21:00:00,2026-10-12 21:00:05,2026-10-12 21:05:00,",
    ]);
    assert_eq!(
        st["metrics"]["answer_rate"],
        json!({"numerator": 1, "denominator": 2, "value": "0.5000"})
    );
    assert_eq!(st["contacts"]["outside_service_hours"], 3);
    assert_eq!(amount_of(&st, "earn/phone_effective_call"), "4.00");
    assert_eq!(amount_of(&st, "earn/online_session"), "1.00");
}

#[test]
fn spec_8_service_level_within_is_inclusive_at_exactly_20_seconds() {
    // answered after 20 s → within; 20.000000001 s → not; 21 s → not.
    let st = acme_calls(&[
        &vendor_call(
            "w1",
            "10:00:00",
            "2026-10-12 10:00:20",
            "2026-10-12 10:05:00",
        ),
        &vendor_call(
            "w2",
            "10:00:00",
            "2026-10-12 10:00:20.000000001",
            "2026-10-12 10:05:00",
        ),
        &vendor_call(
            "w3",
            "10:00:00",
            "2026-10-12 10:00:21",
            "2026-10-12 10:05:00",
        ),
    ]);
    assert_eq!(
        st["metrics"]["service_level"],
        json!({"numerator": 1, "denominator": 3, "value": "0.3333"})
    );
    assert_eq!(st["metrics"]["answer_rate"]["value"], "1.0000");
}

#[test]
fn spec_1_effective_call_needs_the_minimum_talk_time() {
    // effective_min_talk_seconds = 10: talk 10 s counts, 9.999 s does not.
    let st = acme_calls(&[
        &vendor_call(
            "e1",
            "10:00:00",
            "2026-10-12 10:00:05",
            "2026-10-12 10:00:15",
        ),
        &vendor_call(
            "e2",
            "10:00:00",
            "2026-10-12 10:00:05",
            "2026-10-12 10:00:14.999",
        ),
    ]);
    assert_eq!(st["contacts"]["effective_calls"], 1);
    assert_eq!(amount_of(&st, "earn/phone_effective_call"), "2.00");
}

#[test]
fn spec_8_work_order_reply_in_lunch_after_a_noon_deadline_is_on_time() {
    // Business hours 09–12, 13–18 every day; allowance 3 h.
    //   w1 created 09:00, replied 12:45 (lunch) → 3 h elapsed → on time
    //   w2 created 09:00, replied 13:00:00      → 3 h elapsed → on time
    //   w3 created 09:00, replied 13:00:01      → 3 h 1 s → overdue, 8.26
    //   w4 created 07:00 (before opening), replied 11:59 → 2 h 59 m → on time
    //   w5 created 17:00, replied next day 10:00:01 → 1 h + 1 h 1 s → on time
    //   w6 created 2026-10-03 (a holiday: ignored, observe_holidays = false) 16:00,
    //      replied 2026-10-04 09:30 → 2 h + 30 m → on time
    // on time 5 of 6
    let st = acme_tickets(
        &[
            "w1,acme,work_order,,,2026-10-12 09:00:00,2026-10-12 12:45:00,,",
            "w2,acme,work_order,,,2026-10-12 09:00:00,2026-10-12 13:00:00,,",
            "w3,acme,work_order,,,2026-10-12 09:00:00,2026-10-12 13:00:01,,",
            "w4,acme,work_order,,,2026-10-12 07:00:00,2026-10-12 11:59:00,,",
            "w5,acme,work_order,,,2026-10-12 17:00:00,2026-10-13 10:00:01,,",
            "w6,acme,work_order,,,2026-10-03 16:00:00,2026-10-04 09:30:00,,",
        ],
        &[],
    );
    assert_eq!(
        st["metrics"]["work_order_on_time_rate"],
        json!({"numerator": 5, "denominator": 6, "value": "0.8333"})
    );
    assert_eq!(
        *line_of(&st, "overdue/work_order").unwrap(),
        json!({"section": "overdue", "item": "overdue/work_order",
               "quantity": "1", "unit_price": "8.26", "amount": "8.26"})
    );
}

#[test]
fn spec_8_unreplied_work_order_is_pending_then_overdue_with_a_later_as_of() {
    // Created 2026-10-31 17:00, never replied. To the default cut-off (2026-11-01 00:00) only
    // 17:00–18:00 = 1 h of business time elapsed: pending, not charged, not in the rate.
    let rows = ["wo,acme,work_order,,,2026-10-31 17:00:00,,,"];
    let st = acme_tickets(&rows, &[]);
    assert_eq!(st["work_orders"]["pending"], 1);
    assert_eq!(st["work_orders"]["overdue"], 0);
    assert_eq!(st["metrics"]["work_order_on_time_rate"]["denominator"], 0);
    assert!(line_of(&st, "overdue/work_order").is_none());
    assert_eq!(st["cutoff"], "2026-11-01T00:00:00+08:00");

    // --as-of 2026-11-01 11:00: 1 h + 09:00–11:00 = exactly 3 h, not more: still pending.
    let st = acme_tickets(&rows, &["--as-of", "2026-11-01 11:00"]);
    assert_eq!(st["work_orders"]["pending"], 1);

    // --as-of 2026-11-01 11:00:01: 3 h 1 s > 3 h → overdue and charged 8.26.
    let st = acme_tickets(&rows, &["--as-of", "2026-11-01T11:00:01+08:00"]);
    assert_eq!(st["work_orders"]["overdue"], 1);
    assert_eq!(st["work_orders"]["overdue_unreplied"], 1);
    assert_eq!(amount_of(&st, "overdue/work_order"), "8.26");
    assert_eq!(
        st["metrics"]["work_order_on_time_rate"],
        json!({"numerator": 0, "denominator": 1, "value": "0.0000"})
    );

    // A date: its 00:00 in the contract zone.
    let st = acme_tickets(&rows, &["--as-of", "2026-11-02"]);
    assert_eq!(st["work_orders"]["overdue"], 1);
    assert_eq!(st["cutoff"], "2026-11-02T00:00:00+08:00");
}

#[test]
fn spec_8_a_late_reply_after_the_cut_off_is_still_used() {
    // Replied on 2026-11-01 09:30, after the cut-off: 1 h + 30 m = 1 h 30 m → on time.
    let st = acme_tickets(
        &["wo,acme,work_order,,,2026-10-31 17:00:00,2026-11-01 09:30:00,,"],
        &[],
    );
    assert_eq!(st["work_orders"]["on_time"], 1);
    assert_eq!(st["work_orders"]["pending"], 0);
}

#[test]
fn spec_8_repair_answered_exactly_24_hours_after_creation_is_in_time() {
    //   r1 reply +24 h exactly → in time; r2 +24 h 1 s → failed;
    //   r3 no reply, created 2026-10-12 → limit passed long before the cut-off → failed;
    //   r4 no reply, created 2026-10-31 10:00 → limit 2026-11-01 10:00 after cut-off → pending.
    // response rate = 1 / 3
    let st = acme_tickets(
        &[
            "r1,acme,repair,手机,simple,2026-10-12 10:00:00,2026-10-13 10:00:00,,",
            "r2,acme,repair,手机,simple,2026-10-12 10:00:00,2026-10-13 10:00:01,,",
            "r3,acme,repair,手机,simple,2026-10-12 10:00:00,,,",
            "r4,acme,repair,手机,simple,2026-10-31 10:00:00,,,",
        ],
        &[],
    );
    assert_eq!(
        st["metrics"]["repair_response_rate"],
        json!({"numerator": 1, "denominator": 3, "value": "0.3333"})
    );
    assert_eq!(st["repairs"]["response_pending"], 1);
    assert_eq!(st["repairs"]["response_on_time"], 1);
    assert_eq!(st["repairs"]["response_failed"], 2);
}

#[test]
fn spec_8_repair_resolved_at_midnight_after_the_nth_working_day_fails() {
    // Created Monday 2026-10-12. Simple: 3 working days after → 13, 14, 15; deadline
    // 2026-10-16 00:00. Complex: 5 → 13, 14, 15, 16, 19 (weekend skipped); deadline 10-20 00:00.
    // Created Friday 2026-10-09, simple: 10 (Saturday, a listed workday), 12, 13 → deadline
    // 2026-10-14 00:00.
    //   s1 resolved 10-15 23:59:59 → ok;      s2 resolved 10-16 00:00:00 → failed
    //   c1 resolved 10-19 23:59:59 → ok;      c2 resolved 10-20 00:00:00 → failed
    //   f1 resolved 10-13 23:59:59 → ok;      f2 resolved 10-14 00:00:00 → failed
    // resolution rate = 3 / 6
    let st = acme_tickets(
        &[
            "s1,acme,repair,,simple,2026-10-12 10:00:00,2026-10-12 11:00:00,2026-10-15 23:59:59,",
            "s2,acme,repair,,,2026-10-12 10:00:00,2026-10-12 11:00:00,2026-10-16 00:00:00,",
            "c1,acme,repair,,complex,2026-10-12 10:00:00,2026-10-12 11:00:00,2026-10-19 23:59:59,",
            "c2,acme,repair,,Complex,2026-10-12 10:00:00,2026-10-12 11:00:00,2026-10-20 00:00:00,",
            "f1,acme,repair,,simple,2026-10-09 10:00:00,2026-10-09 11:00:00,2026-10-13 23:59:59,",
            "f2,acme,repair,,simple,2026-10-09 10:00:00,2026-10-09 11:00:00,2026-10-14 00:00:00,",
        ],
        &[],
    );
    assert_eq!(
        st["metrics"]["repair_resolution_rate"],
        json!({"numerator": 3, "denominator": 6, "value": "0.5000"})
    );
    assert_eq!(st["repairs"]["resolution_failed"], 3);
}

#[test]
fn spec_8_trial_month_is_not_assessed_and_the_third_month_is() {
    // brightline: contract_start 2026-09-01, trial 2 → assessed from 2026-11.
    // In each month: one phone call never answered (answer_rate 0/1 → 50 − 2×90 < 0 → 0.00),
    // one survey rated 1 (satisfaction 0/1 → 0.00): score 0.00 → "fails standard".
    // One answered presales platform phone call: takeover 3.50, charged in trial months too.
    let allow = &["--allow-outside-period"];
    let oct = settle_ok(&fixture("trial"), "2026-10", allow, "brightline");
    assert_eq!(oct["assessed"], false);
    assert_eq!(oct["assessed_from"], "2026-11");
    let card = &oct["scorecards"][0];
    assert_eq!(card["score"], "0.00");
    assert_eq!(
        card["tier"],
        json!({"label": "fails standard", "penalty": "0.00",
               "improvement_period": false, "fails_standard": false})
    );
    assert_eq!(items(&oct), ["takeover/presales/phone"], "no penalty line");
    assert_eq!(oct["totals"]["penalties"], "0.00");
    assert_eq!(oct["totals"]["net"], "-3.50");

    let nov = settle_ok(&fixture("trial"), "2026-11", allow, "brightline");
    assert_eq!(nov["assessed"], true);
    assert_eq!(
        nov["scorecards"][0]["tier"],
        json!({"label": "fails standard", "penalty": "10000.00",
               "improvement_period": false, "fails_standard": true})
    );
    assert_eq!(
        items(&nov),
        ["takeover/presales/phone", "penalty/consulting"]
    );
    // 3.50 + 10000.00
    assert_eq!(nov["totals"]["charged"], "10003.50");
    assert_eq!(nov["totals"]["net"], "-10003.50");
}

#[test]
fn spec_8_trial_is_marked_in_human_forms() {
    let rates = rates_arg();
    let out = run_in(
        &fixture("trial"),
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--format",
            "md",
            "--vendor",
            "brightline",
            "--allow-outside-period",
        ],
    );
    out.expect(0);
    assert!(
        out.stdout.contains("trial — not assessed"),
        "{}",
        out.stdout
    );
}

#[test]
fn spec_8_a_month_before_the_contract_month_is_not_settled_for_that_vendor() {
    // brightline starts 2026-09-01: in 2026-08 only acme is settled; brightline's August row is
    // skipped with a warning on stderr, not rejected.
    let out = settle_json(&fixture("trial"), "2026-08", &["--allow-outside-period"]);
    out.expect(0);
    let all = out.json();
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|st| s(&st["vendor"]["id"]))
        .collect();
    assert_eq!(ids, ["acme"]);
    assert!(
        out.stderr.contains("brightline") && out.stderr.contains("2026-08"),
        "warned: {}",
        out.stderr
    );
    assert!(out.stderr.contains("not settled"), "{}", out.stderr);
    let acme = out.statement("acme");
    assert_eq!(counts(&acme, "calls")["in_period"], 1);
    // Only brightline asked for: nothing settled, still exit 0.
    let out = settle_json(
        &fixture("trial"),
        "2026-08",
        &["--vendor", "brightline", "--allow-outside-period"],
    );
    out.expect(0);
    assert_eq!(out.json(), json!([]));
    assert!(out.stderr.contains("not settled"), "{}", out.stderr);
}

#[test]
fn spec_8_a_vendor_with_no_rows_gets_a_statement_with_a_warning() {
    let out = settle_json(&fixture("month_ok"), "2026-10", &[]);
    out.expect(0);
    let st = out.statement("brightline");
    assert!(has_warning(&st, "no rows"), "{:#}", st["warnings"]);
    assert_eq!(st["totals"]["net"], "0.00");
    assert_eq!(st["lines"], json!([]));
    // Empty scored metrics are warned about too (when_empty = full).
    assert!(has_warning(&st, "answer_rate"), "{:#}", st["warnings"]);
    assert!(out.stderr.contains("brightline"), "{}", out.stderr);
}

#[test]
fn spec_3_deadlines_for_2026_10() {
    // Notice 15th; results 7th = Saturday 2026-11-07 → Monday 11-09; appeal 5 working days
    // after: 10, 11, 12, 13, 16 → 11-16; final 20th; payment 25th.
    let st = settle_ok(&fixture("month_ok"), "2026-10", &[], "acme");
    assert_eq!(
        st["deadlines"],
        json!({"notice_by": "2026-11-15", "results_by": "2026-11-09", "appeal_by": "2026-11-16",
               "final_by": "2026-11-20", "payment_by": "2026-11-25"})
    );
    assert_eq!(st["settlement"]["due_by"], "2026-11-25");
}

#[test]
fn spec_4_commission_is_rate_times_completed_amounts_only() {
    // completed 33.35 + 0.15 = 33.50; × 0.03 = 1.005 → 1.01 (half up, one line on the sum;
    // rounding per order would give 1.00 + 0.00). Refunded and cancelled amounts earn nothing.
    let dir = Month::new()
        .orders(&[
            "o1,acme,2026-10-12 10:00:00,33.35,completed",
            "o2,acme,2026-10-13 10:00:00,+0.15,COMPLETED",
            "o3,acme,2026-10-13 10:00:00,1000,refunded",
            "o4,acme,2026-10-13 10:00:00,2000.00,cancelled",
            "o5,acme,2026-11-01 00:00:00,5000,completed",
        ])
        .build();
    let st = settle_ok(dir.path(), "2026-10", &["--vendor", "acme"], "acme");
    assert_eq!(
        st["lines"],
        json!([{"section": "earn", "item": "earn/commission",
                "quantity": "33.50", "unit_price": "0.03", "amount": "1.01"}])
    );
    assert_eq!(st["totals"]["earned"], "1.01");
    assert_eq!(counts(&st, "orders")["outside_period"], 1);
}

#[test]
fn spec_8_answered_call_without_end_is_not_effective_and_warned() {
    // n1 answered, no ended_at → not effective (no 2.00), warned; still counts as answered.
    // n2 answered, talk 60 s → effective.
    let dir = Month::new()
        .calls(&[
            "n1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,,",
            &vendor_call(
                "n2",
                "10:00:00",
                "2026-10-12 10:00:05",
                "2026-10-12 10:01:05",
            ),
        ])
        .build();
    let out = settle_json(dir.path(), "2026-10", &["--vendor", "acme"]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(st["contacts"]["answered_without_end"], 1);
    assert_eq!(st["contacts"]["effective_calls"], 1);
    assert_eq!(amount_of(&st, "earn/phone_effective_call"), "2.00");
    assert_eq!(st["metrics"]["answer_rate"]["value"], "1.0000");
    assert!(has_warning(&st, "ended_at"), "{:#}", st["warnings"]);
    assert!(out.stderr.contains("ended_at"), "{}", out.stderr);
}

#[test]
fn spec_4_satisfaction_counts_the_top_two_levels_over_all_five() {
    // 5, 4, 满意(4), 一般(3), 不满意(2), 1, dissatisfied(2), neutral(3) → 3 / 8 = 0.375
    let dir = Month::new()
        .surveys(&[
            "s1,acme,2026-10-12 10:00:00,5,",
            "s2,acme,2026-10-12 10:00:00,4,",
            "s3,acme,2026-10-12 10:00:00,满意,",
            "s4,acme,2026-10-12 10:00:00,一般,",
            "s5,acme,2026-10-12 10:00:00,不满意,",
            "s6,acme,2026-10-12 10:00:00,1,",
            "s7,acme,2026-10-12 10:00:00,dissatisfied,",
            "s8,acme,2026-10-12 10:00:00,Neutral,",
        ])
        .build();
    let st = settle_ok(dir.path(), "2026-10", &["--vendor", "acme"], "acme");
    assert_eq!(
        st["metrics"]["satisfaction"],
        json!({"numerator": 3, "denominator": 8, "value": "0.3750"})
    );
    // No contacts: answer_rate empty → full 50 (warned); satisfaction 50 − 2×47.5 < 0 → 0.
    assert_eq!(st["scorecards"][0]["items"][0]["points"], "50.00");
    assert_eq!(st["scorecards"][0]["items"][1]["points"], "0.00");
    assert_eq!(st["scorecards"][0]["score"], "50.00");
    assert!(has_warning(&st, "answer_rate"));
}

// ================================================================================================
// §6 / §8 where the inputs come from
// ================================================================================================

#[test]
fn spec_8_data_dir_month_folder_is_used_alone_when_it_exists() {
    // data_layout/2026-10/ holds 2 October calls; data_layout/ holds 1 November call.
    let rates = rates_arg();
    let root = fixture("data_layout");
    let d = root.display().to_string();
    let out = run_in(
        &root,
        &[
            "settle", "--month", "2026-10", "--rates", &rates, "--format", "json", "--data", &d,
        ],
    );
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(
        counts(&st, "calls"),
        json!({"rows": 2, "in_period": 2, "outside_period": 0, "duplicates": 0, "rejected": 0})
    );
    for i in st["inputs"].as_array().unwrap() {
        assert!(
            s(&i["path"]).contains("2026-10"),
            "read from the month folder: {i}"
        );
    }
}

#[test]
fn spec_8_data_dir_itself_is_used_without_a_month_folder() {
    let rates = rates_arg();
    let root = fixture("data_layout");
    let d = root.display().to_string();
    let out = run_in(
        &root,
        &[
            "settle", "--month", "2026-11", "--rates", &rates, "--format", "json", "--data", &d,
        ],
    );
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(counts(&st, "calls")["in_period"], 1);
    assert_eq!(counts(&st, "calls")["rows"], 1);
    // The default data folder is the current directory, month folder included.
    let out = run_in(
        &root,
        &[
            "settle", "--month", "2026-10", "--rates", &rates, "--format", "json",
        ],
    );
    out.expect(0);
    assert_eq!(counts(&out.statement("acme"), "calls")["in_period"], 2);
}

#[test]
fn spec_6_calls_option_overrides_the_data_folder() {
    // other-calls.csv holds 3 online October calls.
    let rates = rates_arg();
    let root = fixture("data_layout");
    let out = run_in(
        &root,
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--format",
            "json",
            "--data",
            ".",
            "--calls",
            "other-calls.csv",
        ],
    );
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(counts(&st, "calls")["in_period"], 3);
    assert_eq!(st["contacts"]["online_answered"], 3);
    let calls = st["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "calls")
        .unwrap();
    assert_eq!(calls["path"], "other-calls.csv");
    // The other inputs still come from the month folder.
    let tickets = st["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "tickets")
        .unwrap();
    assert!(s(&tickets["path"]).contains("2026-10"), "{tickets}");
    // A named file that does not exist is a missing input.
    run_in(
        &root,
        &[
            "settle",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--calls",
            "nowhere.csv",
        ],
    )
    .expect(66);
}

#[test]
fn spec_6_stdout_carries_only_the_requested_output() {
    let out = settle_json(&fixture("month_ok"), "2026-10", &[]);
    out.expect(0);
    out.json(); // the whole of stdout parses
    assert!(!out.stderr.is_empty(), "messages go to stderr");
    let quiet = settle_json(&fixture("month_ok"), "2026-10", &["--quiet"]);
    quiet.expect(0);
    assert_eq!(quiet.stdout, out.stdout);
    assert_eq!(quiet.stderr, "", "--quiet: no messages");
}

// ================================================================================================
// §3 / §8 terms, time and calendar rules reached through the command line
// ================================================================================================

/// Settles `dir` with a rates file written from `rates` and returns the run.
fn settle_with_rates(dir: &Path, rates: &str, month: &str, extra: &[&str]) -> Out {
    std::fs::write(dir.join("test-rates.toml"), rates).expect("write rates");
    let mut args = vec![
        "settle",
        "--month",
        month,
        "--rates",
        "test-rates.toml",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn spec_6_month_previous_is_the_month_before_today_in_the_contract_zone() {
    use chrono::Datelike;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    let dir = Month::new().build();
    let out = settle_json(dir.path(), "previous", &["--vendor", "acme"]);
    out.expect(0);
    assert_eq!(out.statement("acme")["month"], format!("{y:04}-{m:02}"));
}

#[test]
fn spec_8_fractional_seconds_beyond_nanoseconds_are_ignored() {
    // 20.0000000009 s is read as 20.000000000 s (digits past the nanosecond dropped): within.
    // 20.000000001 s is 1 ns late: not within.
    let st = acme_calls(&[
        &vendor_call(
            "f1",
            "10:00:00",
            "2026-10-12 10:00:20.0000000009",
            "2026-10-12 10:05:00",
        ),
        &vendor_call(
            "f2",
            "10:00:00",
            "2026-10-12T10:00:20.000000001+08:00",
            "2026-10-12 10:05:00",
        ),
    ]);
    assert_eq!(st["metrics"]["service_level"]["numerator"], 1);
    assert_eq!(st["metrics"]["service_level"]["denominator"], 2);
}

#[test]
fn spec_8_dst_fold_is_the_earlier_instant_and_a_gap_is_rejected() {
    let rates = rates_with(&[(
        "timezone = \"Asia/Shanghai\"",
        "timezone = \"America/New_York\"",
    )]);
    // 2026-11-01 01:30 happens twice in New York: the earlier is EDT (−04:00) = 05:30Z, so the
    // second row is the same contact spelled in UTC (a duplicate, not a conflict).
    let fold = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-11-01 01:30:00,,,",
            "c1,acme,phone,aftersales,手机,2026-11-01T05:30:00Z,,,",
        ])
        .build();
    let out = settle_with_rates(fold.path(), &rates, "2026-11", &["--vendor", "acme"]);
    out.expect(0);
    assert_eq!(counts(&out.statement("acme"), "calls")["duplicates"], 1);
    // 2027-03-14 02:30 never happens in New York.
    let gap = Month::new()
        .calls(&["c1,acme,phone,aftersales,手机,2027-03-14 02:30:00,,,"])
        .build();
    let out = settle_with_rates(gap.path(), &rates, "2027-03", &["--vendor", "acme"]);
    out.expect(65);
    assert!(
        out.stderr.contains(
            "calls.csv:2: offered_at: `2027-03-14 02:30:00`: this local time does not exist"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_3_half_even_rounding_applies_to_money_lines() {
    // completed 33.50 × 0.03 = 1.005 → 1.00 under half_even (1.01 under half_up, see above).
    let dir = Month::new()
        .orders(&["o1,acme,2026-10-12 10:00:00,33.50,completed"])
        .build();
    let rates = rates_with(&[("rounding = \"half_up\"", "rounding = \"half_even\"")]);
    let out = settle_with_rates(dir.path(), &rates, "2026-10", &["--vendor", "acme"]);
    out.expect(0);
    assert_eq!(amount_of(&out.statement("acme"), "earn/commission"), "1.00");
}

#[test]
fn spec_8_unit_prices_may_have_more_decimals_than_the_scale() {
    // 3 effective calls × 0.125 = 0.375 → 0.38 (half up); the unit price is shown as written.
    let dir = Month::new()
        .calls(&[
            &vendor_call(
                "e1",
                "10:00:00",
                "2026-10-12 10:00:05",
                "2026-10-12 10:01:00",
            ),
            &vendor_call(
                "e2",
                "10:10:00",
                "2026-10-12 10:10:05",
                "2026-10-12 10:11:00",
            ),
            &vendor_call(
                "e3",
                "10:20:00",
                "2026-10-12 10:20:05",
                "2026-10-12 10:21:00",
            ),
        ])
        .build();
    let rates = rates_with(&[(
        "phone_effective_call = \"2.00\"",
        "phone_effective_call = \"0.125\"",
    )]);
    let out = settle_with_rates(dir.path(), &rates, "2026-10", &["--vendor", "acme"]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(
        *line_of(&st, "earn/phone_effective_call").unwrap(),
        json!({"section": "earn", "item": "earn/phone_effective_call",
               "quantity": "3", "unit_price": "0.125", "amount": "0.38"})
    );
    assert_eq!(st["totals"]["earned"], "0.38");
}

#[test]
fn spec_3_revisions_apply_from_their_month_and_vendor_overrides_win() {
    // From 2026-11 presales phone takeovers cost 4.00; brightline's own override earns 2.20 per
    // effective call in every month.
    let rates = format!(
        "{}\n[revisions.\"2026-11-01\".takeover.presales]\nphone = \"4.00\"\nonline = \"1.60\"\n",
        rates_with(&[(
            "# [vendors.brightline.earn]\n# phone_effective_call = \"2.20\"",
            "[vendors.brightline.earn]\nphone_effective_call = \"2.20\"",
        )])
    );
    let rows = [
        "p1,acme,phone,presales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,,platform",
        "p2,acme,phone,presales,手机,2026-11-12 10:00:00,2026-11-12 10:00:05,,platform",
        "b1,brightline,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
        "b2,brightline,phone,aftersales,手机,2026-11-12 10:00:00,2026-11-12 10:00:05,2026-11-12 10:05:00,",
    ];
    let dir = Month::new().calls(&rows).build();
    let oct = settle_with_rates(dir.path(), &rates, "2026-10", &[]);
    oct.expect(0);
    assert_eq!(
        amount_of(&oct.statement("acme"), "takeover/presales/phone"),
        "3.50"
    );
    assert_eq!(
        amount_of(&oct.statement("brightline"), "earn/phone_effective_call"),
        "2.20"
    );
    let nov = settle_with_rates(dir.path(), &rates, "2026-11", &[]);
    nov.expect(0);
    assert_eq!(
        amount_of(&nov.statement("acme"), "takeover/presales/phone"),
        "4.00"
    );
    assert_eq!(
        amount_of(&nov.statement("brightline"), "earn/phone_effective_call"),
        "2.20"
    );
    // A revision not dated on the first of a month is a configuration error.
    let bad = format!(
        "{}\n[revisions.\"2026-11-15\".earn]\nonline_session = \"1.10\"\n",
        rates_with(&[])
    );
    settle_with_rates(dir.path(), &bad, "2026-10", &[]).expect(78);
}

#[test]
fn spec_8_a_mid_month_contract_start_is_assessed_one_month_later() {
    // brightline starting 2026-09-15 with 2 trial months: 2026-11-15 falls inside November, so
    // the first month beginning on or after it is December. November is still trial.
    let rates = rates_with(&[(
        "contract_start = \"2026-09-01\"",
        "contract_start = \"2026-09-15\"",
    )]);
    let dir = copy_fixture("trial");
    let out = settle_with_rates(
        dir.path(),
        &rates,
        "2026-11",
        &["--vendor", "brightline", "--allow-outside-period"],
    );
    out.expect(0);
    let st = out.statement("brightline");
    assert_eq!(st["assessed"], false);
    assert_eq!(st["assessed_from"], "2026-12");
    assert!(line_of(&st, "penalty/consulting").is_none());
    // September, the month containing contract_start, is settled (as trial).
    let out = settle_with_rates(
        dir.path(),
        &rates,
        "2026-09",
        &["--vendor", "brightline", "--allow-outside-period"],
    );
    out.expect(0);
    assert_eq!(out.statement("brightline")["assessed"], false);
}

#[test]
fn spec_8_observe_holidays_closes_the_business_clock_on_holidays() {
    // w1 created 2026-10-07 10:00 (a listed holiday, a Wednesday), replied 2026-10-08 11:00.
    //   observe_holidays = false (this contract): 10–12 + 13–18 on the 7th = 7 h → overdue.
    //   observe_holidays = true: the clock opens 2026-10-08 09:00 → 2 h → on time.
    let dir = Month::new()
        .tickets(&["w1,acme,work_order,,,2026-10-07 10:00:00,2026-10-08 11:00:00,,"])
        .build();
    let st = settle_ok(dir.path(), "2026-10", &["--vendor", "acme"], "acme");
    assert_eq!(st["work_orders"]["overdue"], 1);
    let rates = rates_with(&[("observe_holidays = false", "observe_holidays = true")]);
    let out = settle_with_rates(dir.path(), &rates, "2026-10", &["--vendor", "acme"]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(st["work_orders"]["on_time"], 1);
    assert!(line_of(&st, "overdue/work_order").is_none());
}

#[test]
fn spec_8_working_days_in_a_year_without_holidays_are_warned() {
    // A repair created 2026-12-30 counts working days into 2027, for which rates.toml lists no
    // holidays: the statement warns.
    let dir = Month::new()
        .tickets(&[
            "r1,acme,repair,,simple,2026-12-30 10:00:00,2026-12-30 11:00:00,2027-01-04 10:00:00,",
        ])
        .build();
    let out = settle_json(dir.path(), "2026-12", &["--vendor", "acme"]);
    out.expect(0);
    let st = out.statement("acme");
    assert!(has_warning(&st, "2027"), "{:#}", st["warnings"]);
    // 31 Dec, 1 Jan (a Friday, not listed as a holiday for 2027), 4 Jan → deadline 5 Jan 00:00.
    assert_eq!(st["repairs"]["resolution_on_time"], 1);
}

#[test]
fn spec_8_a_bad_row_is_rejected_each_time_it_appears() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,",
            "c1,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .build();
    assert_rejected(
        dir.path(),
        &["calls.csv:2: channel:", "calls.csv:3: channel:"],
    );
}

#[test]
fn spec_4_a_survey_counts_whatever_became_of_its_contact() {
    // Surveys rate contacts that are absent, rejected or of another month: all count.
    let dir = Month::new()
        .calls(&["c9,acme,fax,aftersales,手机,2026-10-12 10:00:00,,,"])
        .surveys(&[
            "s1,acme,2026-10-12 10:00:00,5,no-such-contact",
            "s2,acme,2026-10-12 10:00:00,1,c9",
        ])
        .build();
    let out = settle_json(
        dir.path(),
        "2026-10",
        &["--vendor", "acme", "--allow-rejects"],
    );
    out.expect(0);
    assert_eq!(
        out.statement("acme")["metrics"]["satisfaction"],
        json!({"numerator": 1, "denominator": 2, "value": "0.5000"})
    );
}

#[test]
fn spec_6_out_onto_a_file_is_an_io_error_74() {
    let dir = Month::new().file("taken", "not a folder\n").build();
    let out = settle_json(dir.path(), "2026-10", &["--out", "taken"]);
    out.expect(74);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken")).unwrap(),
        "not a folder\n"
    );
}

#[test]
fn spec_4_tier_bounds_are_inclusive_at_min() {
    // answer_rate 3/4 = 0.75 → 50 − 2 × 15 = 20.00; satisfaction 17/20 = 0.85 = target → 50.00.
    // Score 70.00 reaches the tier with min 70 ("below standard"): 2000.00 and a month to improve.
    let calls = [
        vendor_call(
            "a1",
            "10:00:00",
            "2026-10-12 10:00:05",
            "2026-10-12 10:05:00",
        ),
        vendor_call(
            "a2",
            "10:10:00",
            "2026-10-12 10:10:05",
            "2026-10-12 10:15:00",
        ),
        vendor_call(
            "a3",
            "10:20:00",
            "2026-10-12 10:20:05",
            "2026-10-12 10:25:00",
        ),
        "a4,acme,phone,aftersales,手机,2026-10-12 10:30:00,,,".to_string(),
    ];
    let surveys: Vec<String> = (0..20)
        .map(|i| {
            format!(
                "s{i},acme,2026-10-12 12:00:00,{},",
                if i < 17 { 5 } else { 3 }
            )
        })
        .collect();
    let calls: Vec<&str> = calls.iter().map(String::as_str).collect();
    let surveys: Vec<&str> = surveys.iter().map(String::as_str).collect();
    let dir = Month::new().calls(&calls).surveys(&surveys).build();
    let st = settle_ok(dir.path(), "2026-10", &["--vendor", "acme"], "acme");
    let card = &st["scorecards"][0];
    assert_eq!(card["items"][0]["points"], "20.00");
    assert_eq!(card["items"][1]["points"], "50.00");
    assert_eq!(card["score"], "70.00");
    assert_eq!(
        card["tier"],
        json!({"label": "below standard", "penalty": "2000.00",
               "improvement_period": true, "fails_standard": false})
    );
    // Earned 3 effective calls × 2.00 = 6.00; net 6.00 − 2000.00 = −1994.00.
    assert_eq!(amount_of(&st, "penalty/consulting"), "2000.00");
    assert_eq!(st["totals"]["net"], "-1994.00");
    assert_eq!(st["settlement"]["direction"], "vendor_pays_platform");
    assert_eq!(st["settlement"]["amount"], "1994.00");
    assert!(
        s(&st["settlement"]["summary"]).contains("owes the platform"),
        "a negative net is said in words: {}",
        st["settlement"]["summary"]
    );
}

#[test]
fn spec_4_count_outside_hours_true_keeps_them_in_the_metrics() {
    // h1 phone 20:00 unanswered, h2 phone 10:00 answered: 1/1 by default, 1/2 when counted.
    let rows = [
        "h1,acme,phone,aftersales,手机,2026-10-12 20:00:00,,,".to_string(),
        vendor_call(
            "h2",
            "10:00:00",
            "2026-10-12 10:00:05",
            "2026-10-12 10:05:00",
        ),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let st = acme_calls(&rows);
    assert_eq!(st["metrics"]["answer_rate"]["denominator"], 1);
    let dir = Month::new().calls(&rows).build();
    let rates = rates_with(&[("count_outside_hours = false", "count_outside_hours = true")]);
    let out = settle_with_rates(dir.path(), &rates, "2026-10", &["--vendor", "acme"]);
    out.expect(0);
    let st = out.statement("acme");
    assert_eq!(
        st["metrics"]["answer_rate"],
        json!({"numerator": 1, "denominator": 2, "value": "0.5000"})
    );
    assert_eq!(st["contacts"]["outside_service_hours"], 1);
    assert_eq!(st["contacts"]["outside_service_hours_counted"], true);
}

#[test]
fn spec_8_duplicates_compare_parsed_values_of_known_columns() {
    // 12.5 and +12.50 are one amount; `Completed` is `completed`; an extra column is ignored.
    let dir = Month::new()
        .file(
            "orders.csv",
            &format!(
                "{ORDERS},note\n\
                 o1,acme,2026-10-12 10:00:00,12.5,completed,first export\n\
                 o1,acme,2026-10-12T02:00:00Z,+12.50,Completed,second export\n"
            ),
        )
        .build();
    let st = settle_ok(dir.path(), "2026-10", &["--vendor", "acme"], "acme");
    assert_eq!(
        counts(&st, "orders"),
        json!({"rows": 2, "in_period": 1, "outside_period": 0, "duplicates": 1, "rejected": 0})
    );
    // 12.5 × 0.03 = 0.375 → 0.38
    assert_eq!(amount_of(&st, "earn/commission"), "0.38");
}

#[test]
fn spec_5_inputs_and_rates_are_sealed_with_their_sha256() {
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let dir = fixture("month_ok");
    let st = settle_ok(&dir, "2026-10", &[], "acme");
    let inputs = st["inputs"].as_array().unwrap();
    let roles: Vec<&str> = inputs.iter().map(|i| s(&i["role"])).collect();
    assert_eq!(roles, ["calls", "tickets", "surveys", "orders"]);
    for i in inputs {
        let bytes = std::fs::read(dir.join(s(&i["path"]))).unwrap();
        assert_eq!(s(&i["sha256"]), hex(&bytes), "{}", i["role"]);
    }
    assert_eq!(
        s(&st["rates"]["sha256"]),
        hex(&std::fs::read(repo_rates()).unwrap())
    );
}

#[test]
fn spec_8_lines_are_physical_with_lone_cr_line_ends_whatever_the_chunk_size() {
    // SurveyMonkey-style CR-only line ends: the bad row starts on line 3; with CRLF and a
    // blank line before it, on line 4. Chunks as small as one byte cut records anywhere.
    let header =
        "contact_id,vendor,channel,stage,category,offered_at,answered_at,ended_at,handled_by";
    let good = "C1,acme,phone,presales,手机,2026-10-02 09:00:00,,,";
    let bad = "C2,acme,fax,presales,手机,2026-10-02 09:00:00,,,";
    let rates = rates_arg();
    for (text, line) in [
        (format!("{header}\r{good}\r{bad}\r"), 3),
        (format!("{header}\r\n{good}\r\n\r\n{bad}\r\n"), 4),
    ] {
        let dir = Month::new().raw_calls(&text).build();
        for chunk in ["1", "7", "64", "1048576"] {
            let out = run_with_env(
                dir.path(),
                &["check", "--rates", &rates],
                ODD_TZ,
                &[("SLATEMENT_CHUNK_BYTES", chunk)],
            );
            assert_eq!(
                out.stdout,
                format!("calls.csv:{line}: channel: `fax` is not one of phone, online\n"),
                "chunk {chunk}"
            );
        }
    }
}
