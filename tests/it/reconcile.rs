//! `slatement reconcile` (SPEC §10) through the binary, on a month worked by hand.
//!
//! calls.csv (acme unless said; every time on 2026-10-12 unless said; rates.toml: an effective
//! call talks ≥ 10 s at 2.00, an online session 1.00, an after-sales package-1 phone takeover
//! 14.50, commission 3 %):
//!   C1  phone, talk 4 m 55 s                → earn/phone_effective_call
//!   C2  phone, talk 7 s                     → not effective
//!   C3  online, answered                    → earn/online_session
//!   C4  platform phone 手机 (package 1)     → takeover/aftersales/package1/phone
//!   C5  brightline's phone call             → another vendor
//!   C6  phone on 2026-11-01                 → outside the month
//!   C7  answered_at `x`                     → rejected
//!   C8  effective, excluded by the auditor  → counts nowhere
//!   C9  answered, no ended_at               → not effective
//!   C10 never answered
//!   C11 effective, not claimed              → ours only
//!   C12 platform phone, answered            → takeover, not earn
//!   C13 effective
//!   C14 brightline's call of November       → another vendor (before outside the month)
//!   C15 acme's of November with a bad cell  → outside the month (before rejected)
//! orders.csv: O1 completed 100.00, O2 completed 50.00, O3 refunded 20.00.
//! Ours: earn/phone_effective_call 3 (C1, C11, C13) = 6.00; earn/online_session 1 = 1.00;
//! takeover/aftersales/package1/phone 2 (C4, C12) = 29.00; commission 150.00 × 0.03 = 4.50.

use crate::common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;

const CALLS_ROWS: &[&str] = &[
    "C1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
    "C2,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:00:12,",
    "C3,acme,online,presales,男装,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:03:00,",
    "C4,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:03:00,platform",
    "C5,brightline,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
    "C6,acme,phone,aftersales,手机,2026-11-01 10:00:00,2026-11-01 10:00:05,2026-11-01 10:05:00,",
    "C7,acme,phone,aftersales,手机,2026-10-12 10:00:00,x,2026-10-12 10:05:00,",
    "C8,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
    "C9,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,,",
    "C10,acme,phone,aftersales,手机,2026-10-12 10:00:00,,2026-10-12 10:01:00,",
    "C11,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
    "C12,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,platform",
    "C13,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
    "C14,brightline,phone,aftersales,手机,2026-11-02 10:00:00,2026-11-02 10:00:05,2026-11-02 10:05:00,",
    "C15,acme,phone,aftersales,手机,2026-11-02 10:00:00,y,2026-11-02 10:05:00,",
];

const CLAIM: &str = "item,quantity,amount,unit_price\n\
earn/phone_effective_call,13,26.00,2.00\n\
earn/commission,175.00,5.25,0.03\n\
takeover/aftersales/package2/phone,1,6.50,6.50\n";

const RECORDS: &str = "item,id,amount\n\
earn/phone_effective_call,C1,\n\
earn/phone_effective_call,C2,\n\
earn/phone_effective_call,C5,\n\
earn/phone_effective_call,C6,\n\
earn/phone_effective_call,C7,\n\
earn/phone_effective_call,C8,\n\
earn/phone_effective_call,C9,\n\
earn/phone_effective_call,C10,\n\
earn/phone_effective_call,C12,\n\
earn/phone_effective_call,C13,\n\
earn/phone_effective_call,C13,\n\
earn/phone_effective_call,C3,\n\
earn/phone_effective_call,C99,\n\
earn/phone_effective_call,C99,\n\
earn/phone_effective_call,C14,\n\
earn/phone_effective_call,C15,\n\
earn/phone_effective_call,C8,\n\
earn/phone_effective_call,C3,\n\
takeover/aftersales/package2/phone,C4,\n\
earn/commission,O1,100.00\n\
earn/commission,O2,55.00\n\
earn/commission,O3,20.00\n";

fn month() -> tempfile::TempDir {
    Month::new()
        .calls(CALLS_ROWS)
        .orders(&[
            "O1,acme,2026-10-12 10:00:00,100.00,completed",
            "O2,acme,2026-10-12 10:00:00,50.00,completed",
            "O3,acme,2026-10-12 10:00:00,20.00,refunded",
        ])
        .file("claim.csv", CLAIM)
        .file("records.csv", RECORDS)
        .file(
            "disputes.csv",
            "kind,id,decision,reason,decided_by\ncontact,C8,exclude,test call,Li Wei\n",
        )
        .build()
}

fn reconcile(dir: &Path, extra: &[&str]) -> Out {
    reconcile_claim(dir, "claim.csv", extra)
}

fn reconcile_claim(dir: &Path, claim: &str, extra: &[&str]) -> Out {
    let rates = rates_arg();
    run_in(dir, &reconcile_args(&rates, claim, extra))
}

/// The arguments of a reconciliation of `claim` and records.csv, with `extra` after them.
fn reconcile_args<'a>(rates: &'a str, claim: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "reconcile",
        "--month",
        "2026-10",
        "--vendor",
        "acme",
        "--rates",
        rates,
        "--claim",
        claim,
        "--claim-records",
        "records.csv",
        "--disputes",
        "disputes.csv",
        "--allow-rejects",
        "--allow-outside-period",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    args
}

fn json_of(dir: &Path) -> Value {
    let out = reconcile(dir, &["--format", "json"]);
    out.expect(1);
    out.json()
}

fn line<'a>(r: &'a Value, item: &str) -> &'a Value {
    r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"] == item)
        .unwrap_or_else(|| panic!("no line {item}"))
}

/// Each claimed-only record of `item` as (id, reason), in output order.
fn claimed_only(r: &Value, item: &str) -> Vec<(String, String)> {
    r["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["item"] == item && d["side"] == "claimed_only")
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_string(),
                d["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn spec_10_every_reason_code_in_its_order_of_precedence() {
    let dir = month();
    let r = json_of(dir.path());
    assert_eq!(r["schema"], "slatement.reconciliation.v1");
    assert_eq!(r["agrees"], false);
    let got = claimed_only(&r, "earn/phone_effective_call");
    let want = [
        // Sorted by id in byte order; a repeat keeps the reason that precedes claimed_twice.
        ("C10", "not_billable"),
        ("C12", "not_billable"),
        ("C13", "claimed_twice"),
        ("C14", "other_vendor"),
        ("C15", "outside_period"),
        ("C2", "not_billable"),
        ("C3", "counted_under"),
        ("C3", "claimed_twice"),
        ("C5", "other_vendor"),
        ("C6", "outside_period"),
        ("C7", "rejected"),
        ("C8", "excluded_by_dispute"),
        ("C8", "excluded_by_dispute"),
        ("C9", "not_billable"),
        ("C99", "unknown"),
        ("C99", "unknown"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    let detail = |id: &str, reason: &str| -> Value {
        r["differences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id && d["reason"] == reason)
            .cloned()
            .unwrap()
    };
    assert_eq!(detail("C2", "not_billable")["detail"], "talk 7 s < 10 s");
    assert_eq!(detail("C2", "not_billable")["source"], "calls.csv:3");
    assert_eq!(
        detail("C9", "not_billable")["detail"],
        "answered with no ended_at"
    );
    assert_eq!(detail("C10", "not_billable")["detail"], "not answered");
    assert_eq!(
        detail("C12", "not_billable")["detail"],
        "handled by the platform"
    );
    assert_eq!(
        detail("C3", "counted_under")["detail"],
        "counted under earn/online_session"
    );
    assert!(detail("C7", "rejected")["detail"]
        .as_str()
        .unwrap()
        .starts_with("answered_at:"));
    assert_eq!(detail("C7", "rejected")["source"], "calls.csv:8");
    assert!(detail("C6", "outside_period")["detail"]
        .as_str()
        .unwrap()
        .contains("2026-11-01T10:00:00+08:00"));
    assert_eq!(detail("C5", "other_vendor")["source"], "calls.csv:6");
    assert!(detail("C99", "unknown").get("source").is_none());
    assert!(detail("C8", "excluded_by_dispute")["detail"]
        .as_str()
        .unwrap()
        .contains("line 2 of disputes.csv"));
    // C13 is matched once; its repeat is claimed twice. C11 is ours only.
    let ours: Vec<&Value> = r["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["side"] == "ours_only")
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0]["id"], "C11");
    assert_eq!(ours[0]["source"], "calls.csv:12");
    assert_eq!(
        r["records"][0],
        json!({"item": "earn/phone_effective_call", "matched": 2, "claimed_only": 16, "ours_only": 1, "amount_differs": 0})
    );
}

#[test]
fn spec_10_another_package_is_counted_under_and_commission_amounts_differ() {
    let dir = month();
    let r = json_of(dir.path());
    assert_eq!(
        claimed_only(&r, "takeover/aftersales/package2/phone"),
        [("C4".to_string(), "counted_under".to_string())]
    );
    let commission: Vec<&Value> = r["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["item"] == "earn/commission")
        .collect();
    assert_eq!(commission.len(), 2);
    assert_eq!(commission[0]["side"], "claimed_only");
    assert_eq!(commission[0]["id"], "O3");
    assert_eq!(commission[0]["detail"], "order refunded");
    assert_eq!(
        commission[1],
        &json!({"item": "earn/commission", "side": "amount_differs", "id": "O2",
                "ours": "50.00", "claimed": "55.00", "source": "orders.csv:3"})
    );
    // Lines: 3 effective calls (6.00) against 13 claimed (26.00); commission 150.00 × 3 %.
    assert_eq!(
        line(&r, "earn/phone_effective_call"),
        &json!({"item": "earn/phone_effective_call",
                "ours": {"quantity": "3", "amount": "6.00"},
                "claimed": {"quantity": "13", "amount": "26.00"},
                "delta": {"quantity": "10", "amount": "20.00"}})
    );
    assert_eq!(line(&r, "earn/commission")["delta"]["amount"], "0.75");
    // An item the vendor does not claim has claimed 0; one only the vendor has, ours 0, and
    // comes after the statement's items.
    assert_eq!(
        line(&r, "earn/online_session")["claimed"],
        json!({"quantity": "0", "amount": "0.00"})
    );
    let last = r["lines"].as_array().unwrap().last().unwrap();
    assert_eq!(last["item"], "takeover/aftersales/package2/phone");
    assert_eq!(last["ours"], json!({"quantity": "0", "amount": "0.00"}));
    // The claim's totals are its lines by section: earned 26.00 + 5.25, charged 6.50.
    assert_eq!(r["totals"]["earned"]["claimed"], "31.25");
    assert_eq!(r["totals"]["charged"]["claimed"], "6.50");
    assert_eq!(r["totals"]["net"]["claimed"], "24.75");
    // 13 claimed vs 18 records listed; 175.00 claimed vs 175.00 listed.
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains("earn/phone_effective_call: the claim's quantity 13 differs"),
        "{warnings}"
    );
    assert!(!warnings.contains("earn/commission:"), "{warnings}");
}

#[test]
fn spec_10_an_agreeing_list_exits_0_and_reruns_are_byte_identical() {
    let dir = Month::new()
        .calls(&[CALLS_ROWS[0]])
        .file(
            "claim.csv",
            "item,quantity,amount\nearn/phone_effective_call,1,2.00\n",
        )
        .file("records.csv", "item,id\nearn/phone_effective_call,C1\n")
        .file("disputes.csv", "kind,id,decision,reason,decided_by\n")
        .build();
    let rates = rates_arg();
    let args = [
        "reconcile",
        "--month",
        "2026-10",
        "--vendor",
        "acme",
        "--rates",
        &rates,
        "--claim",
        "claim.csv",
        "--claim-records",
        "records.csv",
        "--format",
        "json",
        "--quiet",
    ];
    let a = run_in(dir.path(), &args);
    a.expect(0);
    assert_eq!(a.json()["agrees"], true);
    let b = run_in_tz(dir.path(), &args, "UTC");
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn spec_10_bad_claim_rows_are_named_together() {
    let dir = month();
    std::fs::write(
        dir.path().join("claim.csv"),
        "item,quantity,amount\n\
         earn/phone_effective_call,13,26.00\n\
         earn/phone_effective_call,1,2.00\n\
         takeover/aftersales/package9/phone,1,1.00\n\
         earn/online_session,1e3,1.00\n\
         penalty/consulting,1,-5\n",
    )
    .unwrap();
    let out = reconcile(dir.path(), &[]);
    out.expect(65);
    for part in [
        "claim.csv:3: item: `earn/phone_effective_call` is claimed again (first on line 2)",
        "claim.csv:4: item: `takeover/aftersales/package9/phone` is not a line",
        "claim.csv:5: quantity: `1e3` is not a plain decimal",
        "claim.csv:6: amount: `-5` is not a plain decimal",
    ] {
        assert!(out.stderr.contains(part), "{part}\n{}", out.stderr);
    }
    std::fs::write(dir.path().join("claim.csv"), CLAIM).unwrap();
    std::fs::write(
        dir.path().join("records.csv"),
        "item,id,amount\npenalty/consulting,X,\nearn/phone_effective_call,,\nearn/commission,O1,\n",
    )
    .unwrap();
    let out = reconcile(dir.path(), &[]);
    out.expect(65);
    for part in [
        "records.csv:2: item: `penalty/consulting` counts no records",
        "records.csv:3: id: required value is empty",
        "records.csv:4: amount: required for earn/commission",
    ] {
        assert!(out.stderr.contains(part), "{part}\n{}", out.stderr);
    }
    let out = reconcile_claim(dir.path(), "nowhere.csv", &[]);
    out.expect(66);
}

/// Reconciles with `threads` threads reading chunks of `chunk` bytes.
fn reconcile_in_chunks(dir: &Path, threads: &str, chunk: &str) -> Out {
    let rates = rates_arg();
    let args = reconcile_args(&rates, "claim.csv", &["--format", "json"]);
    let env = [
        ("SLATEMENT_THREADS", threads),
        ("SLATEMENT_CHUNK_BYTES", chunk),
    ];
    run_with_env(dir, &args, "UTC", &env)
}

#[test]
fn spec_10_claim_records_read_in_chunks_on_threads_give_the_same_reconciliation() {
    let dir = month();
    // CRLF line ends, a blank line, a quoted id and a quoted amount: every chunk size cuts the
    // file somewhere else, and the records and their lines stay the same.
    let records = RECORDS
        .replace(
            "earn/phone_effective_call,C13,\n",
            "earn/phone_effective_call,\"C13\",\n\n",
        )
        .replace("O1,100.00", "O1,\"100.00\"")
        .replace('\n', "\r\n");
    std::fs::write(dir.path().join("records.csv"), &records).unwrap();
    let one = reconcile_in_chunks(dir.path(), "1", "1048576");
    one.expect(1);
    let r = one.json();
    // The hand-worked figures hold: C13 listed twice, O1 matched at 100.00.
    let c13: Vec<_> = claimed_only(&r, "earn/phone_effective_call")
        .into_iter()
        .filter(|(id, _)| id == "C13")
        .collect();
    assert_eq!(c13, [("C13".to_string(), "claimed_twice".to_string())]);
    for (threads, chunk) in [("2", "7"), ("2", "64"), ("1", "40"), ("3", "1")] {
        let other = reconcile_in_chunks(dir.path(), threads, chunk);
        assert_eq!(
            other.stdout, one.stdout,
            "{threads} threads, {chunk}-byte chunks"
        );
    }
    // Bad rows are named alike, in line order, whatever the chunks.
    std::fs::write(
        dir.path().join("records.csv"),
        "item,id,amount\nearn/commission,O1,100.00\nearn/phone_effective_call,C1\npenalty/consulting,X,\nearn/commission,O2,5e1\nearn/phone_effective_call,,\n",
    )
    .unwrap();
    let one = reconcile_in_chunks(dir.path(), "1", "1048576");
    one.expect(65);
    for part in [
        "records.csv:3: (row): has 2 fields, the header has 3",
        "records.csv:4: item: `penalty/consulting` counts no records",
        "records.csv:5: amount: `5e1` is not a plain decimal",
        "records.csv:6: id: required value is empty",
    ] {
        assert!(one.stderr.contains(part), "{part}\n{}", one.stderr);
    }
    let other = reconcile_in_chunks(dir.path(), "2", "9");
    other.expect(65);
    assert_eq!(other.stderr, one.stderr);
}

#[test]
fn spec_10_a_stray_quote_never_swallows_the_claim_rows_after_it() {
    let dir = month();
    // Line 3 opens a quote that never closes: read as CSV, the id would run to the end of the
    // file (the last line) and lines 4-5 would vanish from the claim without a word.
    std::fs::write(
        dir.path().join("records.csv"),
        "item,id,amount\nearn/phone_effective_call,C1,\nearn/phone_effective_call,\"C3,\nearn/phone_effective_call,C11,\nearn/phone_effective_call,C13,\n",
    )
    .unwrap();
    for (threads, chunk) in [("1", "1048576"), ("2", "16")] {
        let out = reconcile_in_chunks(dir.path(), threads, chunk);
        out.expect(65);
        assert!(
            out.stderr.contains(
                "records.csv:3: (row): a quoted cell runs from line 3 to line 5: unbalanced quote?"
            ),
            "{}",
            out.stderr
        );
    }
    std::fs::write(dir.path().join("records.csv"), RECORDS).unwrap();
    std::fs::write(
        dir.path().join("claim.csv"),
        "item,quantity,amount\nearn/phone_effective_call,\"13,26.00\nearn/commission,175.00,5.25\n",
    )
    .unwrap();
    let out = reconcile(dir.path(), &[]);
    out.expect(65);
    assert!(
        out.stderr
            .contains("claim.csv:2: (row): a quoted cell runs from line 2 to line 3"),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_10_a_claim_in_the_vendors_own_labels_through_a_profile() {
    let dir = month();
    std::fs::write(
        dir.path().join("cn.csv"),
        "结算项目,数量,单价,金额\n售后电话有效通话,13,2.00,26.00\n销售提成,175.00,0.03,5.25\n售后套餐二电话接管,1,6.50,6.50\n",
    )
    .unwrap();
    let a = reconcile_claim(
        dir.path(),
        "cn.csv",
        &["--claim-profile", "vendor-claim-cn", "--format", "json"],
    );
    a.expect(1);
    let b = json_of(dir.path());
    let a = a.json();
    assert_eq!(a["lines"], b["lines"]);
    assert_eq!(a["differences"], b["differences"]);
}

#[test]
fn spec_10_out_writes_every_form_and_draft_disputes_lists_each_record() {
    let dir = month();
    let out = reconcile(
        dir.path(),
        &["--out", "rec", "--draft-disputes", "draft.csv"],
    );
    out.expect(1);
    assert!(
        out.stdout.contains("differences by item and reason:"),
        "{}",
        out.stdout
    );
    for f in [
        "reconciliation.json",
        "reconciliation.csv",
        "reconciliation.md",
        "differences.csv",
    ] {
        assert!(dir.path().join("rec/2026-10/acme").join(f).is_file(), "{f}");
    }
    let diffs =
        std::fs::read_to_string(dir.path().join("rec/2026-10/acme/differences.csv")).unwrap();
    // Header + 16 + 1 (C4) + 1 (O3) claimed only, 1 ours only, 1 amount differs.
    assert_eq!(diffs.lines().count(), 1 + 16 + 1 + 1 + 1 + 1, "{diffs}");
    let draft = std::fs::read_to_string(dir.path().join("draft.csv")).unwrap();
    let mut lines = draft.lines();
    assert_eq!(lines.next(), Some("kind,id,decision,reason,decided_by"));
    assert_eq!(draft.lines().count(), 1 + 19);
    assert!(
        draft.contains("contact,C11,,earn/phone_effective_call ours_only,"),
        "{draft}"
    );
    // A second run leaves identical files untouched; a different one is refused.
    reconcile(dir.path(), &["--out", "rec"]).expect(1);
    std::fs::write(
        dir.path().join("claim.csv"),
        CLAIM.replace("26.00", "28.00"),
    )
    .unwrap();
    reconcile(dir.path(), &["--out", "rec"]).expect(73);
}
