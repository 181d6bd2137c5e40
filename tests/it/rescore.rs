//! `slatement rescore` (SPEC §6): an auditor's decisions applied to a small hand-written month.
//! Each decision is checked against figures computed by hand from the fixture below; every
//! figure not named in a test is checked unchanged by comparing the rest of the statement with
//! the month settled as recorded.
//!
//! Every run uses TZ=America/Los_Angeles and LANG=C (see `common`) and the repository's
//! rates.toml: service level 20 s, effective calls from 10 s of talk, phone hours 09:00–18:00,
//! work orders answered within 3 business hours, overdue charge and service-order takeover 8.26.

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;
use tempfile::TempDir;

/// acme's month, and one row of brightline and one of September that cannot be disputed under
/// `--vendor acme`. As recorded:
///
/// contacts (in service hours, vendor): c1 phone answered after 5 s, 295 s of talk (effective,
/// within the service level); c2 phone never answered; c3 online answered after 30 s (a session,
/// not within 20 s); c4 online never answered. offered 4 (phone 2, online 2), answered 2,
/// within service level 1: answer_rate 2/4, phone 1/2, online 1/2, service_level 1/4; earn one
/// effective call 2.00 and one session 1.00. Platform: p1 after-sales package-1 phone answered
/// (14.50), p2 pre-sales phone answered (3.50).
///
/// tickets: w1 replied after 30 min (on time); w2 never replied (overdue at the cut-off); w3
/// replied the next day, 8 business hours later (overdue): on time 1/3, overdue 2 × 8.26 =
/// 16.52. r1 repair answered after 48 h and resolved 2026-10-20 (simple: deadline 10-16 00:00):
/// failed twice; r2 answered after 30 min, resolved the next day: in time twice; response 1/2,
/// resolution 1/2. k1 complaint resolved (5.00), s1 vendor service order resolved (10.00), s2
/// and s3 platform service orders resolved: takeover 2 × 8.26 = 16.52.
///
/// surveys: v1 very satisfied, v2 very dissatisfied: satisfaction 1/2.
/// orders: o1 completed 100.00, o2 completed 50.00: commission 0.03 × 150.00 = 4.50.
fn month() -> TempDir {
    Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,vendor",
            "c2,acme,phone,aftersales,手机,2026-10-12 10:10:00,,2026-10-12 10:11:00,vendor",
            "c3,acme,online,presales,男装,2026-10-12 11:00:00,2026-10-12 11:00:30,2026-10-12 11:10:00,vendor",
            "c4,acme,online,aftersales,男装,2026-10-12 12:00:00,,,vendor",
            "p1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:03:00,platform",
            "p2,acme,phone,presales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:03:00,platform",
            "b1,brightline,phone,aftersales,手机,2026-10-12 10:00:00,,,vendor",
            "old,acme,phone,aftersales,手机,2026-09-30 10:00:00,,,vendor",
        ])
        .tickets(&[
            "w1,acme,work_order,,,2026-10-12 10:00:00,2026-10-12 10:30:00,,",
            "w2,acme,work_order,,,2026-10-12 10:00:00,,,",
            "w3,acme,work_order,,,2026-10-12 10:00:00,2026-10-13 10:00:00,,",
            "r1,acme,repair,手机,simple,2026-10-12 10:00:00,2026-10-14 10:00:00,2026-10-20 10:00:00,",
            "r2,acme,repair,手机,simple,2026-10-12 10:00:00,2026-10-12 10:30:00,2026-10-13 10:00:00,",
            "k1,acme,complaint,手机,,2026-10-12 10:00:00,2026-10-12 10:30:00,2026-10-12 12:00:00,",
            "s1,acme,service_order,手机,,2026-10-12 10:00:00,2026-10-12 10:30:00,2026-10-13 12:00:00,",
            "s2,acme,service_order,手机,,2026-10-12 10:00:00,2026-10-12 10:30:00,2026-10-13 12:00:00,platform",
            "s3,acme,service_order,手机,,2026-10-12 10:00:00,2026-10-12 10:30:00,2026-10-13 12:00:00,platform",
        ])
        .surveys(&[
            "v1,acme,2026-10-12 12:00:00,5,c1",
            "v2,acme,2026-10-12 12:00:00,1,c3",
        ])
        .orders(&[
            "o1,acme,2026-10-12 12:00:00,100.00,completed",
            "o2,acme,2026-10-12 12:00:00,50.00,completed",
        ])
        .build()
}

const HEADER: &str = "kind,id,decision,reason,decided_by\n";

/// Writes `dir/disputes.csv`: the header, then one line per row.
fn write_disputes(dir: &Path, rows: &[&str]) {
    let mut text = HEADER.to_string();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(dir.join("disputes.csv"), text).unwrap();
}

/// `rescore --month 2026-10 --disputes disputes.csv --vendor acme --format json extra…` in `dir`.
fn rescore(dir: &Path, extra: &[&str]) -> Out {
    let rates = rates_arg();
    let mut args = vec![
        "rescore",
        "--month",
        "2026-10",
        "--rates",
        rates.as_str(),
        "--disputes",
        "disputes.csv",
        "--vendor",
        "acme",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// The month as recorded, and re-scored with `rows` as the disputes: both statements of acme.
#[track_caller]
fn before_after(rows: &[&str]) -> (Value, Value) {
    let dir = month();
    let before = settle_json(dir.path(), "2026-10", &["--vendor", "acme"]);
    before.expect(0);
    write_disputes(dir.path(), rows);
    let after = rescore(dir.path(), &[]);
    after.expect(0);
    (before.statement("acme"), after.statement("acme"))
}

fn ratio(n: u64, d: u64, value: &str) -> Value {
    json!({"numerator": n, "denominator": d, "value": value})
}

/// Asserts that `after` equals `before` with exactly the figures at `moved` (JSON pointers)
/// replaced by the given values, besides the parts a re-score always changes (warnings,
/// arguments, disputes) and the totals and settlement, which the caller checks.
#[track_caller]
fn only_moved(before: &Value, after: &Value, moved: &[(&str, Value)]) {
    let mut want = before.clone();
    for (pointer, v) in moved {
        *want
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer} in the statement")) = v.clone();
    }
    for key in ["warnings", "arguments", "disputes", "totals", "settlement"] {
        want[key] = after[key].clone();
    }
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&after[k], v, "`{k}` differs from the hand computation");
    }
}

#[test]
fn the_fixture_settles_as_computed_by_hand() {
    let dir = month();
    let out = settle_json(dir.path(), "2026-10", &["--vendor", "acme"]);
    out.expect(0);
    let st = out.statement("acme");
    let m = &st["metrics"];
    assert_eq!(m["answer_rate"], ratio(2, 4, "0.5000"));
    assert_eq!(m["phone_answer_rate"], ratio(1, 2, "0.5000"));
    assert_eq!(m["online_response_rate"], ratio(1, 2, "0.5000"));
    assert_eq!(m["service_level"], ratio(1, 4, "0.2500"));
    assert_eq!(m["satisfaction"], ratio(1, 2, "0.5000"));
    assert_eq!(m["work_order_on_time_rate"], ratio(1, 3, "0.3333"));
    assert_eq!(m["repair_response_rate"], ratio(1, 2, "0.5000"));
    assert_eq!(m["repair_resolution_rate"], ratio(1, 2, "0.5000"));
    assert_eq!(
        items(&st),
        [
            "earn/phone_effective_call",
            "earn/online_session",
            "earn/complaint_resolved",
            "earn/service_order",
            "earn/commission",
            "takeover/presales/phone",
            "takeover/aftersales/package1/phone",
            "takeover/service_order",
            "overdue/work_order",
            "penalty/consulting",
        ]
    );
    // Both scored items are far below target: 0 points, score 0.00, "fails standard".
    assert_eq!(st["scorecards"][0]["score"], "0.00");
    assert_eq!(amount_of(&st, "penalty/consulting"), "10000.00");
    assert_eq!(amount_of(&st, "takeover/service_order"), "16.52");
    assert_eq!(amount_of(&st, "overdue/work_order"), "16.52");
    assert_eq!(amount_of(&st, "earn/commission"), "4.50");
    // 2.00 + 1.00 + 5.00 + 10.00 + 4.50 = 22.50 earned; 3.50 + 14.50 + 16.52 + 16.52 = 51.04
    // in fees; net 22.50 − 51.04 − 10000.00.
    assert_eq!(st["totals"]["earned"], "22.50");
    assert_eq!(st["totals"]["fees_charged"], "51.04");
    assert_eq!(st["totals"]["net"], "-10028.54");
    assert_eq!(st["disputes"], Value::Null);
    assert_eq!(st["arguments"].get("disputes"), None);
}

#[test]
fn exclude_an_unanswered_in_hours_vendor_phone_call() {
    // c2 voided: offered 4 → 3 (phone 2 → 1); answer_rate 2/4 → 2/3, phone 1/2 → 1/1,
    // service_level 1/4 → 1/3; abandoned 2 → 1. No money moves.
    let (before, after) = before_after(&["contact,c2,exclude,test call by the platform,Li Wei"]);
    only_moved(
        &before,
        &after,
        &[
            ("/metrics/answer_rate", ratio(2, 3, "0.6667")),
            ("/metrics/phone_answer_rate", ratio(1, 1, "1.0000")),
            ("/metrics/service_level", ratio(1, 3, "0.3333")),
            ("/contacts/offered", json!(3)),
            ("/contacts/abandoned", json!(1)),
            ("/contacts/phone_offered", json!(1)),
            ("/contacts/vendor_handled", json!(3)),
            // answer_rate 2/3 is 23.33 points short of 90 %: 50 − 2 × 23.333 = 3.33 (was 0);
            // satisfaction still 0; the score 3.33 stays in "fails standard".
            ("/scorecards/0/items/0/value", json!("0.6667")),
            ("/scorecards/0/items/0/points", json!("3.33")),
            ("/scorecards/0/score", json!("3.33")),
        ],
    );
    assert_eq!(after["totals"], before["totals"]);
    // The row was read and accepted: still counted in period.
    assert_eq!(after["counts"]["calls"], before["counts"]["calls"]);
    assert_eq!(after["counts"]["calls"]["in_period"], 6);
}

#[test]
fn answered_counts_a_contact_answered_within_the_service_level_and_earns_nothing() {
    // c2 (phone) and c4 (online) answered at their offer: answered 2 → 4, within the service
    // level 1 → 3; answer_rate 4/4, phone 2/2, online 2/2, service_level 3/4. No talk time:
    // effective calls stay 1 and sessions 1, so the earn lines do not move. Average speed of
    // answer (5 + 30) / 2 = 17.50 → (5 + 30 + 0 + 0) / 4 = 8.75; average talk unchanged.
    let (before, after) = before_after(&[
        "contact,c2,answered,agent recording shows the pick-up,Li Wei",
        "contact,c4,answered,chat transcript exists,Li Wei",
    ]);
    assert_eq!(
        before["contacts"]["average_speed_of_answer_seconds"],
        "17.50"
    );
    only_moved(
        &before,
        &after,
        &[
            ("/metrics/answer_rate", ratio(4, 4, "1.0000")),
            ("/metrics/phone_answer_rate", ratio(2, 2, "1.0000")),
            ("/metrics/online_response_rate", ratio(2, 2, "1.0000")),
            ("/metrics/service_level", ratio(3, 4, "0.7500")),
            ("/contacts/answered", json!(4)),
            ("/contacts/abandoned", json!(0)),
            ("/contacts/phone_answered", json!(2)),
            ("/contacts/online_answered", json!(2)),
            ("/contacts/answered_within_service_level", json!(3)),
            ("/contacts/average_speed_of_answer_seconds", json!("8.75")),
            // answer_rate 1.0 meets 90 %: 50.00 points (was 0); score 0 → 50.00, still
            // "fails standard".
            ("/scorecards/0/items/0/value", json!("1.0000")),
            ("/scorecards/0/items/0/points", json!("50.00")),
            ("/scorecards/0/score", json!("50.00")),
        ],
    );
    assert_eq!(after["totals"], before["totals"]);
    assert_eq!(after["contacts"]["effective_calls"], 1);
    assert_eq!(after["contacts"]["online_sessions"], 1);
    assert_eq!(after["contacts"]["answered_without_end"], 0);
    assert_eq!(after["totals"]["earned"], before["totals"]["earned"]);
}

#[test]
fn answered_on_a_contact_the_vendor_answered_changes_nothing_but_is_listed() {
    let (before, after) = before_after(&["contact,c3,answered,vendor claim,Li Wei"]);
    only_moved(&before, &after, &[]);
    assert_eq!(after["totals"], before["totals"]);
    assert_eq!(after["disputes"]["applied"][0]["id"], "c3");
}

#[test]
fn answered_on_a_platform_contact_makes_it_the_vendors() {
    // p2 (pre-sales platform phone, answered: 3.50) counted as answered by the vendor: its
    // takeover line goes (−3.50); phone offered 2 → 3, answered 1 → 2, within the service level
    // 1 → 2; answer_rate 3/5, phone 2/3, service_level 2/5; average speed of answer
    // (5 + 30 + 0) / 3 = 11.67. Still no earn: no talk time.
    let (before, after) = before_after(&["contact,p2,answered,the vendor's agent took it,Li Wei"]);
    let mut lines = before["lines"].as_array().unwrap().clone();
    lines.retain(|l| l["item"] != "takeover/presales/phone");
    only_moved(
        &before,
        &after,
        &[
            ("/metrics/answer_rate", ratio(3, 5, "0.6000")),
            ("/metrics/phone_answer_rate", ratio(2, 3, "0.6667")),
            ("/metrics/service_level", ratio(2, 5, "0.4000")),
            ("/contacts/offered", json!(5)),
            ("/contacts/answered", json!(3)),
            ("/contacts/phone_offered", json!(3)),
            ("/contacts/phone_answered", json!(2)),
            ("/contacts/answered_within_service_level", json!(2)),
            ("/contacts/average_speed_of_answer_seconds", json!("11.67")),
            ("/contacts/vendor_handled", json!(5)),
            ("/contacts/takeovers_answered", json!(1)),
            // answer_rate 0.6 is 30 points short: 50 − 60 < 0 → 0 points, as before.
            ("/scorecards/0/items/0/value", json!("0.6000")),
            ("/lines", Value::Array(lines)),
        ],
    );
    // 51.04 − 3.50 = 47.54
    assert_eq!(after["totals"]["fees_charged"], "47.54");
    assert_eq!(after["totals"]["earned"], before["totals"]["earned"]);
}

#[test]
fn on_time_on_an_overdue_work_order() {
    // w2 on time: on time 1 → 2, overdue 2 → 1 (unreplied 1 → 0); rate 1/3 → 2/3; the overdue
    // line 2 × 8.26 = 16.52 → 1 × 8.26 = 8.26 (−8.26), and net +8.26.
    let (before, after) = before_after(&["ticket,w2,on_time,reply sent by e-mail,Li Wei"]);
    only_moved(
        &before,
        &after,
        &[
            ("/metrics/work_order_on_time_rate", ratio(2, 3, "0.6667")),
            ("/work_orders/on_time", json!(2)),
            ("/work_orders/overdue", json!(1)),
            ("/work_orders/overdue_unreplied", json!(0)),
            (
                "/lines/8",
                json!({"section": "overdue", "item": "overdue/work_order", "quantity": "1",
                       "unit_price": "8.26", "amount": "8.26"}),
            ),
        ],
    );
    assert_eq!(before["totals"]["fees_charged"], "51.04");
    assert_eq!(after["totals"]["fees_charged"], "42.78");
    assert_eq!(
        micro(after["totals"]["net"].as_str().unwrap())
            - micro(before["totals"]["net"].as_str().unwrap()),
        8_260_000
    );
}

#[test]
fn on_time_on_a_failed_repair_counts_response_and_resolution() {
    // r1 failed both limits; on time: response 1/2 → 2/2, resolution 1/2 → 2/2. No money.
    let (before, after) = before_after(&["ticket,r1,on_time,parts held at customs,Li Wei"]);
    only_moved(
        &before,
        &after,
        &[
            ("/metrics/repair_response_rate", ratio(2, 2, "1.0000")),
            ("/metrics/repair_resolution_rate", ratio(2, 2, "1.0000")),
            ("/repairs/response_on_time", json!(2)),
            ("/repairs/response_failed", json!(0)),
            ("/repairs/resolution_on_time", json!(2)),
            ("/repairs/resolution_failed", json!(0)),
        ],
    );
    assert_eq!(after["totals"], before["totals"]);
}

#[test]
fn not_takeover_on_a_platform_service_order() {
    // s2 not charged: takeover/service_order 2 × 8.26 = 16.52 → 1 × 8.26 (−8.26).
    let (before, after) =
        before_after(&["ticket,s2,not_takeover,platform picked it by mistake,Li Wei"]);
    only_moved(
        &before,
        &after,
        &[
            ("/work_orders/service_order_takeovers", json!(1)),
            (
                "/lines/7",
                json!({"section": "takeover", "item": "takeover/service_order", "quantity": "1",
                       "unit_price": "8.26", "amount": "8.26"}),
            ),
        ],
    );
    assert_eq!(after["totals"]["fees_charged"], "42.78");
}

#[test]
fn not_takeover_on_a_platform_contact() {
    // p1 not charged: the package-1 after-sales phone line (14.50) goes; takeovers answered
    // 2 → 1; the vendor's contact metrics do not move.
    let (before, after) =
        before_after(&["contact,p1,not_takeover,routed to the platform by an IVR fault,Li Wei"]);
    let mut lines = before["lines"].as_array().unwrap().clone();
    lines.retain(|l| l["item"] != "takeover/aftersales/package1/phone");
    only_moved(
        &before,
        &after,
        &[
            ("/contacts/takeovers_answered", json!(1)),
            ("/lines", Value::Array(lines)),
        ],
    );
    // 51.04 − 14.50 = 36.54
    assert_eq!(after["totals"]["fees_charged"], "36.54");
}

#[test]
fn exclude_a_survey_and_an_order() {
    // v2 voided: satisfaction 1/2 → 1/1. o2 voided: commission 0.03 × 100.00 = 3.00.
    let (before, after) = before_after(&[
        "survey,v2,exclude,customer rated the wrong shop,Li Wei",
        "order,o2,exclude,test order,Li Wei",
    ]);
    only_moved(
        &before,
        &after,
        &[
            ("/metrics/satisfaction", ratio(1, 1, "1.0000")),
            ("/surveys/very_dissatisfied", json!(0)),
            ("/orders/completed", json!(1)),
            ("/orders/completed_amount", json!("100.00")),
            // satisfaction 1.0 meets 85 %: 50.00 points; score 50.00.
            ("/scorecards/0/items/1/value", json!("1.0000")),
            ("/scorecards/0/items/1/points", json!("50.00")),
            ("/scorecards/0/score", json!("50.00")),
            (
                "/lines/4",
                json!({"section": "earn", "item": "earn/commission", "quantity": "100.00",
                       "unit_price": "0.03", "amount": "3.00"}),
            ),
        ],
    );
    // 22.50 − 1.50 = 21.00
    assert_eq!(after["totals"]["earned"], "21.00");
}

#[test]
fn the_statement_records_the_disputes_file_its_hash_and_every_applied_decision() {
    let dir = month();
    write_disputes(
        dir.path(),
        &[
            "ticket,w2,on_time,reply sent by e-mail,Li Wei",
            "contact,c2,exclude,test call,Zhang Min",
        ],
    );
    let out = rescore(dir.path(), &[]);
    out.expect(0);
    let st = out.statement("acme");
    let sha = {
        use sha2::{Digest, Sha256};
        let bytes = std::fs::read(dir.path().join("disputes.csv")).unwrap();
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(
        st["disputes"],
        json!({"path": "disputes.csv", "sha256": sha, "applied": [
            {"line": 2, "kind": "ticket", "id": "w2", "decision": "on_time",
             "reason": "reply sent by e-mail", "decided_by": "Li Wei"},
            {"line": 3, "kind": "contact", "id": "c2", "decision": "exclude",
             "reason": "test call", "decided_by": "Zhang Min"}
        ]})
    );
    assert_eq!(
        st["arguments"],
        json!({"month": "2026-10", "as_of": null, "vendor": "acme", "disputes": "disputes.csv"})
    );
    let keys: Vec<&str> = st.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.last(), Some(&"disputes"));
    assert!(
        st["warnings"]
            .as_array()
            .unwrap()
            .contains(&json!("re-scored with the auditor's decisions of disputes.csv: 2 applied to this vendor's rows (listed under disputes)")),
        "{}",
        st["warnings"]
    );
    assert!(out.stderr.contains(&format!(
        "disputes.csv: 2 decision(s), sha256 {}\n",
        &sha[..12]
    )));
}

/// Runs the rescore expecting exit 65 and returns stderr.
#[track_caller]
fn refused(rows: &[&str]) -> String {
    let dir = month();
    write_disputes(dir.path(), rows);
    let out = rescore(dir.path(), &["--out", "out"]);
    out.expect(65);
    assert_eq!(out.stdout, "", "no statement is printed");
    assert!(!dir.path().join("out").exists(), "nothing is written");
    out.stderr
}

#[test]
fn an_unknown_id_is_65_naming_the_dispute_line() {
    let err = refused(&[
        "contact,c1,exclude,ok,Li Wei",
        "contact,nope,exclude,no such contact,Li Wei",
        // Of another vendor (not settled under --vendor acme), of another month, of another
        // input (w1 is a ticket, not a contact).
        "contact,b1,exclude,other vendor,Li Wei",
        "contact,old,exclude,september,Li Wei",
        "contact,w1,exclude,wrong kind,Li Wei",
    ]);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    for (line, (n, id)) in lines
        .iter()
        .zip([(3, "nope"), (4, "b1"), (5, "old"), (6, "w1")])
    {
        assert!(
            line.contains(&format!(
                "disputes.csv:{n}: id: unknown id: no accepted calls row of 2026-10 in calls.csv has contact_id `{id}`"
            )),
            "{err}"
        );
    }
    assert!(lines[0].starts_with("error: disputes.csv:3: id: "), "{err}");
}

#[test]
fn a_decision_that_does_not_apply_to_the_record_is_65_naming_the_dispute_line() {
    let err = refused(&[
        "ticket,k1,on_time,complaint,Li Wei",
        "contact,c1,not_takeover,vendor contact,Li Wei",
        "ticket,w1,not_takeover,work order,Li Wei",
        "ticket,s1,not_takeover,vendor service order,Li Wei",
    ]);
    assert_eq!(
        err,
        "error: disputes.csv:2: decision: ticket `k1` is a complaint: `on_time` applies to work orders and repairs only\n\
         disputes.csv:3: decision: contact `c1` was handled by the vendor, not taken over: `not_takeover` applies to platform-handled contacts and service orders only\n\
         disputes.csv:4: decision: ticket `w1` is a work_order, which carries no takeover price: `not_takeover` applies to platform-handled contacts and service orders only\n\
         disputes.csv:5: decision: ticket `s1` is a service_order handled by the vendor, not taken over: `not_takeover` applies to platform-handled contacts and service orders only\n"
    );
    // A decision that cannot apply to the kind at all is found when the file is read.
    let err = refused(&["survey,v1,answered,kind mismatch,Li Wei"]);
    assert_eq!(
        err,
        "error: disputes.csv:2: decision: `answered` applies to contacts only, not to a survey\n"
    );
}

#[test]
fn a_record_disputed_twice_or_a_malformed_line_is_65() {
    let err = refused(&[
        "contact,c2,exclude,test call,Li Wei",
        "contact,c2,answered,picked up,Zhang Min",
    ]);
    assert_eq!(
        err,
        "error: disputes.csv:3: id: contact `c2` is already disputed on line 2; keep one decision per record\n"
    );
    let err = refused(&["contact,c2,exclude,,Li Wei", "contact,c3,waive,r,Li Wei"]);
    assert_eq!(
        err,
        "error: disputes.csv:2: reason: required value is empty: an auditor's decision must say why\n\
         disputes.csv:3: decision: `waive` is not one of exclude, answered, on_time, not_takeover\n"
    );
}

#[test]
fn a_missing_disputes_file_is_66() {
    let dir = month();
    let out = rescore(dir.path(), &[]);
    out.expect(66);
    assert!(
        out.stderr
            .starts_with("error: disputes input not found: disputes.csv"),
        "{}",
        out.stderr
    );
}

#[test]
fn verify_re_derives_a_rescored_statement_and_names_an_edited_disputes_file() {
    let dir = month();
    let d = dir.path();
    write_disputes(d, &["ticket,w2,on_time,reply sent by e-mail,Li Wei"]);
    rescore(d, &["--out", "out", "--quiet"]).expect(0);
    let acme = "out/2026-10/acme/statement.json";
    let out = run_in(d, &["verify", acme]);
    out.expect(0);
    assert!(
        out.stdout
            .contains(" with --month 2026-10 --vendor acme --disputes disputes.csv\n"),
        "{}",
        out.stdout
    );
    let line = |report: &str, role: &str| {
        report
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|l| l.starts_with(&format!("{role} ")))
            .unwrap_or_else(|| panic!("no {role} line in:\n{report}"))
    };
    assert_eq!(
        line(&out.stdout, "disputes"),
        "disputes disputes.csv unchanged"
    );
    assert!(
        out.stdout.ends_with("  statement: identical\n"),
        "{}",
        out.stdout
    );

    // The reason edited: the file is named as changed and the statement differs (the
    // recorded reason and hash), though no figure moves.
    write_disputes(
        d,
        &["ticket,w2,on_time,reply sent by e-mail at 11:02,Li Wei"],
    );
    let out = run_in(d, &["verify", acme]);
    out.expect(1);
    assert!(
        line(&out.stdout, "disputes").starts_with("disputes disputes.csv changed (sha256 "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  statement: differs\n    no figure changed\n"),
        "{}",
        out.stdout
    );

    // The decision withdrawn: the overdue charge is back.
    write_disputes(d, &[]);
    let out = run_in(d, &["verify", acme]);
    out.expect(1);
    assert!(
        out.stdout
            .contains("    line overdue/work_order amount: 8.26 → 16.52 (+8.26)\n"),
        "{}",
        out.stdout
    );

    // The file gone: 66, as for a missing input.
    std::fs::remove_file(d.join("disputes.csv")).unwrap();
    let out = run_in(d, &["verify", acme]);
    out.expect(66);
    assert_eq!(
        line(&out.stdout, "disputes"),
        "disputes disputes.csv missing"
    );
}

#[test]
fn against_the_original_statement_shows_the_diff_after_the_table() {
    let dir = month();
    let d = dir.path();
    let rates = rates_arg();
    run_in(
        d,
        &[
            "settle", "--month", "2026-10", "--rates", &rates, "--vendor", "acme", "--out", "orig",
            "--quiet",
        ],
    )
    .expect(0);
    write_disputes(d, &["ticket,w2,on_time,reply sent by e-mail,Li Wei"]);
    let args = [
        "rescore",
        "--month",
        "2026-10",
        "--rates",
        &rates,
        "--vendor",
        "acme",
        "--disputes",
        "disputes.csv",
        "--against",
        "orig/2026-10/acme/statement.json",
        "--quiet",
    ];
    let out = run_in(d, &args);
    out.expect(0);
    let (table, diff) = out
        .stdout
        .split_once("\nChanges against orig/2026-10/acme/statement.json:\n\n")
        .unwrap_or_else(|| panic!("no diff after the table:\n{}", out.stdout));
    assert!(
        table.starts_with("Acme Service Co. (acme) · 2026-10 · CNY\n"),
        "{table}"
    );
    assert!(
        table.contains("disputes applied from disputes.csv (sha256 "),
        "{table}"
    );
    let lines: Vec<&str> = diff.lines().collect();
    assert_eq!(lines[0], "Acme Service Co. (acme) · 2026-10");
    for want in [
        "  metric work_order_on_time_rate: 0.3333 → 0.6667 (+0.3334)   [1/3 → 2/3]",
        "  line overdue/work_order quantity: 2 → 1 (\u{2212}1)",
        "  line overdue/work_order amount: 16.52 → 8.26 (\u{2212}8.26)",
        "  fees_charged: 51.04 → 42.78 (\u{2212}8.26)",
        "  cause: disputes applied: 1 decision (file sha256 ",
        "    ticket w2 on_time",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "{want:?} not in:\n{diff}"
        );
    }
    assert_eq!(out.stderr, "");

    // Without --against the same month is settled without the disputes: the same changes.
    let out = run_in(
        d,
        &args[..args.len() - 3]
            .iter()
            .chain(&["--quiet"])
            .copied()
            .collect::<Vec<_>>(),
    );
    out.expect(0);
    let (_, default_diff) = out
        .stdout
        .split_once("\nChanges against the month settled without the disputes:\n\n")
        .unwrap_or_else(|| panic!("{}", out.stdout));
    let figures = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with("  also different:"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(figures(default_diff), figures(diff));

    // JSON on stdout stays parseable; the diff goes to stderr (silenced by --quiet).
    let mut json_args = args.to_vec();
    json_args.pop();
    json_args.extend(["--format", "json"]);
    let out = run_in(d, &json_args);
    out.expect(0);
    assert_eq!(out.statement("acme")["disputes"]["applied"][0]["id"], "w2");
    assert!(
        out.stderr
            .contains("Changes against orig/2026-10/acme/statement.json:\n\nAcme Service Co. (acme) · 2026-10\n"),
        "{}",
        out.stderr
    );
    json_args.push("--quiet");
    let out = run_in(d, &json_args);
    out.expect(0);
    assert_eq!(out.stderr, "");
}

#[test]
fn against_a_missing_original_is_66_before_anything_is_written() {
    let dir = month();
    write_disputes(
        dir.path(),
        &["ticket,w2,on_time,reply sent by e-mail,Li Wei"],
    );
    let out = rescore(dir.path(), &["--against", "nowhere.json", "--out", "out"]);
    out.expect(66);
    assert!(!dir.path().join("out").exists());
}

#[test]
fn rescored_statements_are_written_with_the_refusal_rules_of_settle() {
    let dir = month();
    let d = dir.path();
    let rates = rates_arg();
    run_in(
        d,
        &[
            "settle", "--month", "2026-10", "--rates", &rates, "--vendor", "acme", "--out", "out",
            "--quiet",
        ],
    )
    .expect(0);
    write_disputes(d, &["ticket,w2,on_time,reply sent by e-mail,Li Wei"]);
    // Onto the original: a different statement, refused without --force.
    let out = rescore(d, &["--out", "out"]);
    out.expect(73);
    let kept = std::fs::read_to_string(d.join("out/2026-10/acme/statement.json")).unwrap();
    assert!(kept.contains("\"disputes\": null"));
    // Elsewhere it is written; a second identical run leaves it untouched.
    rescore(d, &["--out", "rescored", "--quiet"]).expect(0);
    let out = rescore(d, &["--out", "rescored"]);
    out.expect(0);
    assert!(out
        .stderr
        .contains("unchanged rescored/2026-10/acme/statement.json\n"));
    let md = std::fs::read_to_string(d.join("rescored/2026-10/acme/statement.md")).unwrap();
    assert!(md.contains(
        "### Disputes applied\n\nRe-scored with the auditor's decisions of `disputes.csv` (sha256 `"
    ));
    assert!(
        md.contains("| 2 | ticket w2 | on_time | reply sent by e-mail | Li Wei |\n"),
        "{md}"
    );
}

/// The README's audit example: the example month with `examples/disputes-2026-10.csv`.
#[test]
fn the_readme_example_moves_the_figures_it_shows() {
    let out = run_in(
        &root(),
        &[
            "rescore",
            "--month",
            "2026-10",
            "--data",
            "examples/data",
            "--rates",
            "rates.toml",
            "--vendor",
            "acme",
            "--disputes",
            "examples/disputes-2026-10.csv",
            "--quiet",
        ],
    );
    out.expect(0);
    let (_, diff) = out
        .stdout
        .split_once("\nChanges against the month settled without the disputes:\n\n")
        .unwrap_or_else(|| panic!("{}", out.stdout));
    let lines: Vec<&str> = diff.lines().collect();
    assert_eq!(
        lines[..12],
        [
            "Acme Service Co. (acme) · 2026-10",
            "  metric answer_rate: 0.9215 → 0.9221 (+0.0006)   [1527/1657 → 1528/1657]",
            "  metric phone_answer_rate: 0.9122 → 0.9134 (+0.0012)   [727/797 → 728/797]",
            "  metric service_level: 0.7610 → 0.7616 (+0.0006)   [1261/1657 → 1262/1657]",
            "  metric work_order_on_time_rate: 0.9474 → 0.9522 (+0.0048)   [198/209 → 199/209]",
            "  line takeover/service_order quantity: 5 → 4 (\u{2212}1)",
            "  line takeover/service_order amount: 41.30 → 33.04 (\u{2212}8.26)",
            "  line overdue/work_order quantity: 11 → 10 (\u{2212}1)",
            "  line overdue/work_order amount: 90.86 → 82.60 (\u{2212}8.26)",
            "  fees_charged: 328.26 → 311.74 (\u{2212}16.52)",
            "  charged: 2328.26 → 2311.74 (\u{2212}16.52)",
            "  net: 7786.47 → 7802.99 (+16.52)",
        ],
        "{diff}"
    );
    assert!(lines[13].starts_with("  cause: disputes applied: 3 decisions (file sha256 "));
    assert_eq!(
        lines[14..],
        [
            "    contact C00001118 answered",
            "    ticket T0000248 on_time",
            "    ticket T0000341 not_takeover",
        ]
    );
}
