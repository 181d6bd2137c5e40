//! `slatement account` through the binary (SPEC §11, §12): hand-written statement archives with
//! only the fields account reads, payments and deductions, every figure worked by hand.

use crate::common;

use common::{root, run_in, Out};
use serde_json::{json, Value};
use std::path::Path;
use tempfile::TempDir;

/// A statement with only the fields §11 lists (and, optionally, pending work and signatures).
struct St {
    month: &'static str,
    vendor: &'static str,
    net: &'static str,
    payment_by: &'static str,
    method: &'static str,
    rounding: &'static str,
    late: Option<Value>,
    termination: Option<Value>,
    contract_start: &'static str,
    contract_end: Option<&'static str>,
    extra: Vec<(&'static str, Value)>,
}

fn st(month: &'static str, net: &'static str, payment_by: &'static str) -> St {
    St {
        month,
        vendor: "acme",
        net,
        payment_by,
        method: "deduct",
        rounding: "half_up",
        late: Some(
            json!({"platform_daily_rate": "0.0005", "vendor_daily_rate": "0",
                          "suspend_after_days": 15, "terminate_after_days": 45}),
        ),
        termination: None,
        contract_start: "2026-06-01",
        contract_end: None,
        extra: Vec::new(),
    }
}

impl St {
    fn json(&self) -> Value {
        let name = if self.vendor == "acme" {
            "Acme Service Co."
        } else {
            "Brightline Support Ltd."
        };
        let mut vendor =
            json!({"id": self.vendor, "name": name, "contract_start": self.contract_start});
        if let Some(e) = self.contract_end {
            vendor["contract_end"] = json!(e);
        }
        let mut terms = json!({"timezone": "Asia/Shanghai", "currency": "CNY",
            "money": {"scale": 2, "rounding": self.rounding},
            "settlement": {"method": self.method}});
        if let Some(l) = &self.late {
            terms["late_payment"] = l.clone();
        }
        if let Some(t) = &self.termination {
            terms["termination"] = t.clone();
        }
        let mut s = json!({"schema": "slatement.statement.v1", "month": self.month,
            "vendor": vendor, "currency": "CNY", "assessed": true,
            "totals": {"earned": "0.00", "net": self.net},
            "deadlines": {"payment_by": self.payment_by},
            "terms": terms, "warnings": []});
        for (k, v) in &self.extra {
            s[*k] = v.clone();
        }
        s
    }

    fn write(&self, archive: &Path) {
        let dir = archive.join(self.month).join(self.vendor);
        std::fs::create_dir_all(&dir).unwrap();
        let text = serde_json::to_string_pretty(&self.json()).unwrap();
        std::fs::write(dir.join("statement.json"), text).unwrap();
    }
}

/// A work folder with `archive/` holding `statements` and, when given, payments.csv and
/// deductions.csv.
fn work(statements: &[St], payments: Option<&str>, deductions: Option<&str>) -> TempDir {
    let tmp = TempDir::new().unwrap();
    for s in statements {
        s.write(&tmp.path().join("archive"));
    }
    if let Some(p) = payments {
        std::fs::write(
            tmp.path().join("payments.csv"),
            format!("payment_id,vendor,payer,month,paid_on,amount,note\n{p}"),
        )
        .unwrap();
    }
    if let Some(d) = deductions {
        std::fs::write(
            tmp.path().join("deductions.csv"),
            format!("deduction_id,vendor,amount,reason,decided_on\n{d}"),
        )
        .unwrap();
    }
    tmp
}

fn account(dir: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["account", "--statements", "archive"];
    if dir.join("payments.csv").exists() {
        args.extend(["--payments", "payments.csv"]);
    }
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn account_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let out = account(dir, &args);
    out.expect(0);
    let all = out.json();
    assert_eq!(all.as_array().unwrap().len(), 1, "{}", out.stdout);
    all[0].clone()
}

fn due<'a>(a: &'a Value, month: &str) -> &'a Value {
    a["dues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["month"] == month)
        .unwrap_or_else(|| panic!("no due of {month} in {a:#}"))
}

#[test]
fn spec_11_example_partial_payment_with_the_position() {
    // 9786.47 due 2026-11-25, 5000.00 paid 2026-11-30. Late days 11-26 … 12-31: 36.
    // 0.0005 × (5 × 9786.47 + 31 × 4786.47) = 98.65646 → 98.66. Suspend from 11-25 + 16 = 12-11.
    let w = work(
        &[st("2026-10", "9786.47", "2026-11-25")],
        Some("P-0012,acme,platform,2026-10,2026-11-30,5000.00,first part\n"),
        None,
    );
    let a = account_json(w.path(), &["--as-of", "2026-12-31"]);
    assert_eq!(a["schema"], "slatement.account.v1");
    assert_eq!(
        a["vendor"],
        json!({"id": "acme", "name": "Acme Service Co."})
    );
    assert_eq!(a["currency"], "CNY");
    assert_eq!(a["as_of"], "2026-12-31");
    assert_eq!(a["final"], Value::Null);
    assert_eq!(
        due(&a, "2026-10"),
        &json!({"month": "2026-10", "net": "9786.47", "payer": "platform", "method": "deduct",
                "due_by": "2026-11-25", "due": "9786.47", "paid": "5000.00",
                "outstanding": "4786.47", "late_days": 36, "late_charge": "98.66",
                "status": "partly_paid", "payments": ["P-0012"],
                "rights": [{"right": "suspend", "from": "2026-12-11"}]})
    );
    assert_eq!(
        a["position"],
        json!({"platform_owes": "4786.47", "vendor_owes": "0.00",
               "late_charges_platform_owes": "98.66", "late_charges_vendor_owes": "0.00",
               "deductions": "0.00", "balance": "4885.13",
               "summary": "The platform owes Acme Service Co. 4,885.13 CNY."})
    );
    assert_eq!(a["deductions"], json!([]));
    assert_eq!(a["warnings"], json!([]));
    let roles: Vec<&str> = a["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["statement", "payments"]);
    assert_eq!(a["inputs"][0]["month"], "2026-10");
    assert_eq!(a["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn spec_11_the_payment_day_is_a_late_day_and_each_month_rounds_by_its_own_terms() {
    // Each due 2010.00, paid the day after its due date: 1 late day, 1.005 of charge.
    // October's terms round half_up (1.01), November's half_even (1.00). December is paid on
    // the 27th for a due of the 25th: 2 late days, 2 × 1000.00 × 0.0005 = 1.00.
    let mut nov = st("2026-11", "2010.00", "2026-12-25");
    nov.rounding = "half_even";
    let w = work(
        &[
            st("2026-10", "2010.00", "2026-11-25"),
            nov,
            st("2026-12", "1000.00", "2027-01-25"),
        ],
        Some(
            "P1,acme,platform,2026-10,2026-11-26,2010.00,\n\
             P2,acme,platform,2026-11,2026-12-26,2010.00,\n\
             P3,acme,platform,2026-12,2027-01-27,1000.00,\n",
        ),
        None,
    );
    let a = account_json(w.path(), &["--as-of", "2027-02-28"]);
    assert_eq!(due(&a, "2026-10")["late_charge"], "1.01");
    assert_eq!(due(&a, "2026-11")["late_charge"], "1.00");
    assert_eq!(due(&a, "2026-10")["late_days"], 1);
    assert_eq!(due(&a, "2026-12")["late_days"], 2);
    assert_eq!(due(&a, "2026-12")["late_charge"], "1.00");
    assert_eq!(due(&a, "2026-12")["status"], "paid_late");
    assert_eq!(a["position"]["late_charges_platform_owes"], "3.01");
    assert_eq!(a["position"]["balance"], "3.01");
}

#[test]
fn spec_11_rights_exactly_on_as_of() {
    let w = work(&[st("2026-10", "1000.00", "2026-11-25")], None, None);
    // Suspend from 2026-11-25 + 15 + 1 = 2026-12-11; terminate from + 45 + 1 = 2027-01-10.
    let on = account_json(w.path(), &["--as-of", "2026-12-11"]);
    assert_eq!(
        due(&on, "2026-10")["rights"],
        json!([{"right": "suspend", "from": "2026-12-11"}])
    );
    assert_eq!(due(&on, "2026-10")["status"], "overdue");
    assert_eq!(due(&on, "2026-10")["late_days"], 16);
    // 16 × 1000.00 × 0.0005 = 8.00
    assert_eq!(due(&on, "2026-10")["late_charge"], "8.00");
    let before = account_json(w.path(), &["--as-of", "2026-12-10"]);
    assert_eq!(due(&before, "2026-10")["rights"], json!([]));
    let both = account_json(w.path(), &["--as-of", "2027-01-10"]);
    assert_eq!(
        due(&both, "2026-10")["rights"],
        json!([{"right": "suspend", "from": "2026-12-11"},
               {"right": "terminate", "from": "2027-01-10"}])
    );
}

#[test]
fn spec_11_deducted_months_owe_nothing_and_take_no_payment() {
    let w = work(
        &[
            st("2026-09", "-500.00", "2026-10-25"),
            st("2026-10", "1200.00", "2026-11-25"),
        ],
        Some("P1,acme,platform,2026-10,2026-11-25,1200.00,\n"),
        None,
    );
    let a = account_json(w.path(), &["--as-of", "2026-12-31"]);
    let d = due(&a, "2026-09");
    assert_eq!(d["payer"], "vendor");
    assert_eq!(d["method"], "deduct");
    assert_eq!(d["due"], "500.00");
    assert_eq!(d["paid"], "0.00");
    assert_eq!(d["outstanding"], "0.00");
    assert_eq!(d["status"], "deducted");
    assert_eq!(due(&a, "2026-10")["status"], "paid");
    assert_eq!(a["position"]["vendor_owes"], "0.00");
    assert_eq!(a["position"]["balance"], "0.00");
    assert_eq!(
        a["position"]["summary"],
        "Nothing is owed either way as of 2026-12-31."
    );

    // A payment for the deducted month is a bad row.
    let w = work(
        &[st("2026-09", "-500.00", "2026-10-25")],
        Some("V1,acme,vendor,2026-09,2026-10-20,500.00,\n"),
        None,
    );
    let out = account(w.path(), &["--as-of", "2026-12-31"]);
    out.expect(65);
    assert!(
        out.stderr
            .contains("payments.csv:2: month: the vendor's debt of 2026-09 is deducted"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn spec_11_vendor_dues_under_wire_with_and_without_a_vendor_rate() {
    // October: the vendor owes 1000.00 by 11-25, wires it on 12-05: 10 late days at 0.001 =
    // 10.00. November: 400.00 by 12-25 under terms without vendor_daily_rate (default 0),
    // unpaid at 2027-01-04: 10 late days, 0.00.
    let mut oct = st("2026-10", "-1000.00", "2026-11-25");
    oct.method = "wire";
    oct.late = Some(
        json!({"platform_daily_rate": "0.0005", "vendor_daily_rate": "0.001",
                           "suspend_after_days": 15, "terminate_after_days": 45}),
    );
    let mut nov = st("2026-11", "-400.00", "2026-12-25");
    nov.method = "wire";
    nov.late = Some(json!({"platform_daily_rate": "0.0005",
                           "suspend_after_days": 15, "terminate_after_days": 45}));
    let w = work(
        &[oct, nov],
        Some("V1,acme,vendor,2026-10,2026-12-05,1000.00,wire\n"),
        None,
    );
    let a = account_json(w.path(), &["--as-of", "2027-01-04"]);
    let o = due(&a, "2026-10");
    assert_eq!(o["payer"], "vendor");
    assert_eq!(o["method"], "wire");
    assert_eq!(o["late_days"], 10);
    assert_eq!(o["late_charge"], "10.00");
    assert_eq!(o["status"], "paid_late");
    assert_eq!(o["rights"], json!([]));
    let n = due(&a, "2026-11");
    assert_eq!(n["late_days"], 10);
    assert_eq!(n["late_charge"], "0.00");
    assert_eq!(n["status"], "overdue");
    assert_eq!(n["outstanding"], "400.00");
    assert_eq!(a["position"]["vendor_owes"], "400.00");
    assert_eq!(a["position"]["late_charges_vendor_owes"], "10.00");
    // 0 + 0 − 400.00 − 10.00 = −410.00
    assert_eq!(a["position"]["balance"], "-410.00");
    assert_eq!(
        a["position"]["summary"],
        "Acme Service Co. owes the platform 410.00 CNY."
    );
}

#[test]
fn spec_11_statements_without_late_payment_terms_count_days_but_charge_nothing() {
    let mut s = st("2026-10", "1000.00", "2026-11-25");
    s.late = None;
    let w = work(&[s], None, None);
    let a = account_json(w.path(), &["--as-of", "2026-12-31"]);
    assert_eq!(due(&a, "2026-10")["late_days"], 36);
    assert_eq!(due(&a, "2026-10")["late_charge"], "0.00");
    assert_eq!(due(&a, "2026-10")["rights"], json!([]));
}

#[test]
fn spec_11_overpayment_is_warned_and_stays_in_its_month() {
    let w = work(
        &[
            st("2026-09", "500.00", "2026-10-25"),
            st("2026-10", "800.00", "2026-11-25"),
        ],
        Some("P1,acme,platform,2026-09,2026-10-24,600.00,\n"),
        None,
    );
    let a = account_json(w.path(), &["--as-of", "2026-11-25"]);
    let d = due(&a, "2026-09");
    assert_eq!(d["status"], "overpaid");
    assert_eq!(d["outstanding"], "-100.00");
    assert_eq!(due(&a, "2026-10")["status"], "not_due");
    // The 100.00 overpaid is not set against October: the platform still owes 800.00.
    assert_eq!(a["position"]["platform_owes"], "800.00");
    assert_eq!(a["position"]["balance"], "800.00");
    let w0 = a["warnings"][0].as_str().unwrap();
    assert!(w0.contains("overpaid by 100.00 CNY"), "{w0}");
}

#[test]
fn spec_11_bad_payment_rows_are_named_file_line_column() {
    let w = work(
        &[
            st("2026-10", "1000.00", "2026-11-25"),
            st("2026-11", "0.00", "2026-12-25"),
        ],
        Some(
            "P1,acme,platform,2026-09,2026-10-25,10.00,\n\
             P2,acme,vendor,2026-10,2026-11-25,10.00,\n\
             P3,ghost,platform,2026-10,2026-11-25,10.00,\n\
             P4,acme,platform,2026-10,2026-11-25,0,\n\
             P5,acme,platform,2026-10,25/11/2026,10.00,\n\
             P6,acme,platform,2026-10,2026-11-25,10.00,\n\
             P6,acme,platform,2026-10,2026-11-26,10.00,\n\
             P7,acme,platform,2026-11,2026-12-25,10.00,\n\
             P8,acme,someone,2026-10,2026-11-25,10.00,\n\
             P9,acme,platform,2026-10,2026-11-25,1e3,\n",
        ),
        None,
    );
    let out = account(w.path(), &["--as-of", "2026-12-31"]);
    out.expect(65);
    for expected in [
        "payments.csv:2: month: no statement of acme for 2026-09",
        "payments.csv:3: payer: the vendor owes nothing for 2026-10",
        "payments.csv:4: vendor: `ghost` has no statement",
        "payments.csv:5: amount: must be greater than 0",
        "payments.csv:6: paid_on:",
        "payments.csv:7: payment_id: payment_id `P6` appears on lines 7, 8",
        "payments.csv:8: payment_id:",
        "payments.csv:9: payer: the statement of 2026-11 nets to 0",
        "payments.csv:10: payer: `someone` is not one of platform, vendor",
        "payments.csv:11: amount: not a plain decimal",
        "10 row(s) rejected",
    ] {
        assert!(
            out.stderr.contains(expected),
            "missing {expected:?} in\n{}",
            out.stderr
        );
    }
}

#[test]
fn spec_2_payments_header_in_any_order_any_case_with_a_bom() {
    let w = work(&[st("2026-10", "1000.00", "2026-11-25")], None, None);
    std::fs::write(
        w.path().join("payments.csv"),
        "\u{feff} Amount ,PAID_ON,Month,Payer,Vendor,Payment_ID,extra\r\n\
         250.00, 2026-11-25T23:30:00Z ,2026-10,platform,acme,P1,x\r\n",
    )
    .unwrap();
    // 23:30 UTC on the 25th is 07:30 on the 26th in Asia/Shanghai: one late day on 1000.00.
    let a = account_json(w.path(), &["--as-of", "2026-11-26"]);
    assert_eq!(due(&a, "2026-10")["paid"], "250.00");
    assert_eq!(due(&a, "2026-10")["late_days"], 1);
    assert_eq!(due(&a, "2026-10")["late_charge"], "0.50");
    std::fs::write(
        w.path().join("payments.csv"),
        "payment_id,vendor,payer,month,amount\n",
    )
    .unwrap();
    let out = account(w.path(), &["--as-of", "2026-11-26"]);
    out.expect(65);
    assert!(
        out.stderr
            .contains("payments.csv:1: missing required column `paid_on`"),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_8_a_good_payment_never_survives_beside_a_bad_row_of_its_id() {
    let w = work(
        &[st("2026-10", "1000.00", "2026-11-25")],
        Some(
            "P1,acme,platform,2026-10,2026-11-25,400.00,\n\
             P1,acme,platform,2026-10,2026-11-25\n\
             P2,acme,platform,2026-10,2026-11-26,100.00,\n\
             P2,acme,platform,2026-10,2026-11-26,abc,\n\
             P3,acme,platform,2026-10,2026-11-27,\"1\n00\",\n",
        ),
        None,
    );
    let out = account(w.path(), &["--as-of", "2026-12-31"]);
    out.expect(65);
    for expected in [
        "payments.csv:2: payment_id: payment_id `P1` appears on lines 2, 3",
        "payments.csv:3: (row): 5 cells, header has 7",
        "payments.csv:4: payment_id: payment_id `P2` appears on lines 4, 5",
        "payments.csv:5: amount: not a plain decimal",
        "payments.csv:6: (row): the record spans more than one line",
        "5 row(s) rejected",
    ] {
        assert!(
            out.stderr.contains(expected),
            "missing {expected:?} in\n{}",
            out.stderr
        );
    }
}

#[test]
fn spec_8_payment_rows_exact_duplicates_count_once_and_other_vendors_are_skipped() {
    let mut bright = st("2026-10", "300.00", "2026-11-25");
    bright.vendor = "brightline";
    let w = work(
        &[st("2026-10", "1000.00", "2026-11-25"), bright],
        Some(
            "P1,acme,platform,2026-10,2026-11-25,400.00,\n\
             p2,brightline,platform,2026-10,not a date,1,\n\
             P1 , ACME ,Platform,2026-10,2026-11-25 09:00,400.00,\n",
        ),
        None,
    );
    // With --vendor acme the brightline row is skipped, not a reject. The third row names
    // vendor `ACME`, which is another vendor id: skipped too under --vendor.
    let a = account_json(w.path(), &["--as-of", "2026-12-31", "--vendor", "acme"]);
    assert_eq!(due(&a, "2026-10")["paid"], "400.00");
    // Without --vendor: an undeclared vendor `ACME` and a bad date are rejected.
    let out = account(w.path(), &["--as-of", "2026-12-31"]);
    out.expect(65);
    assert!(
        out.stderr.contains("payments.csv:3: paid_on:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("payments.csv:4: vendor:"),
        "{}",
        out.stderr
    );

    let w = work(
        &[st("2026-10", "1000.00", "2026-11-25")],
        Some(
            "P1,acme,platform,2026-10,2026-11-25,400.00,x\n\
             P1,acme,PLATFORM,2026-10,2026-11-25T10:00:00+08:00,400.0,x\n",
        ),
        None,
    );
    let a = account_json(w.path(), &["--as-of", "2026-12-31"]);
    assert_eq!(due(&a, "2026-10")["paid"], "400.00");
    assert_eq!(due(&a, "2026-10")["payments"], json!(["P1"]));
    assert!(a["warnings"][0]
        .as_str()
        .unwrap()
        .contains("payments.csv:3: payment_id `P1` repeats line 2 exactly; counted once"));

    // The note of a repeat goes to its own vendor's account only.
    let mut bright = st("2026-10", "300.00", "2026-11-25");
    bright.vendor = "brightline";
    let w = work(
        &[st("2026-10", "1000.00", "2026-11-25"), bright],
        Some(
            "P1,acme,platform,2026-10,2026-11-25,400.00,x\n\
             P1,acme,platform,2026-10,2026-11-25,400.00,x\n",
        ),
        None,
    );
    let out = account(w.path(), &["--format", "json", "--as-of", "2026-12-31"]);
    out.expect(0);
    let all = out.json();
    let warnings = |i: usize| all[i]["warnings"].to_string();
    assert_eq!(all[0]["vendor"]["id"], "acme");
    assert!(
        warnings(0).contains("repeats line 2 exactly"),
        "{}",
        warnings(0)
    );
    assert!(!warnings(1).contains("repeats line"), "{}", warnings(1));
}

#[test]
fn spec_11_a_bad_statement_is_exit_65_naming_the_file() {
    type Write = Box<dyn Fn(&Path)>;
    let cases: [(&str, Write, &str); 4] = [
        (
            "not JSON",
            Box::new(|p: &Path| std::fs::write(p, "{not json").unwrap()),
            "not JSON",
        ),
        (
            "another schema",
            Box::new(|p: &Path| {
                let mut v = st("2026-10", "1.00", "2026-11-25").json();
                v["schema"] = json!("slatement.reconcile.v1");
                std::fs::write(p, v.to_string()).unwrap()
            }),
            "schema is `slatement.reconcile.v1`",
        ),
        (
            "another month",
            Box::new(|p: &Path| {
                let v = st("2026-09", "1.00", "2026-10-25").json();
                std::fs::write(p, v.to_string()).unwrap()
            }),
            "it is the statement of 2026-09 but sits in the folder of 2026-10",
        ),
        (
            "another vendor",
            Box::new(|p: &Path| {
                let mut s = st("2026-10", "1.00", "2026-11-25");
                s.vendor = "brightline";
                std::fs::write(p, s.json().to_string()).unwrap()
            }),
            "it is the statement of vendor `brightline` but sits in the folder of `acme`",
        ),
    ];
    for (what, write, expected) in cases {
        let w = work(&[st("2026-10", "1.00", "2026-11-25")], None, None);
        write(&w.path().join("archive/2026-10/acme/statement.json"));
        let out = account(w.path(), &["--as-of", "2026-12-31"]);
        out.expect(65);
        assert!(
            out.stderr.contains("archive/2026-10/acme/statement.json")
                && out.stderr.contains(expected),
            "{what}: {}",
            out.stderr
        );
    }
    // A missing required field names the key.
    let w = work(&[st("2026-10", "1.00", "2026-11-25")], None, None);
    let p = w.path().join("archive/2026-10/acme/statement.json");
    let mut v = st("2026-10", "1.00", "2026-11-25").json();
    v["deadlines"] = json!({});
    std::fs::write(&p, v.to_string()).unwrap();
    let out = account(w.path(), &["--as-of", "2026-12-31"]);
    out.expect(65);
    assert!(out.stderr.contains("payment_by"), "{}", out.stderr);
}

#[test]
fn spec_11_a_vendor_in_two_currencies_is_refused() {
    let w = work(
        &[
            st("2026-09", "1.00", "2026-10-25"),
            st("2026-10", "1.00", "2026-11-25"),
        ],
        None,
        None,
    );
    let p = w.path().join("archive/2026-09/acme/statement.json");
    let mut v = st("2026-09", "1.00", "2026-10-25").json();
    v["currency"] = json!("USD");
    std::fs::write(&p, v.to_string()).unwrap();
    let out = account(w.path(), &["--as-of", "2026-12-31"]);
    out.expect(65);
    assert!(
        out.stderr
            .contains("archive/2026-09/acme/statement.json: its currency USD differs from CNY"),
        "{}",
        out.stderr
    );
}

/// Three months of a contract ending 2026-11-20, settled within 20 days.
fn ending_contract() -> Vec<St> {
    let mut months = vec![
        st("2026-09", "3000.00", "2026-10-25"),
        st("2026-10", "-800.00", "2026-11-25"),
        st("2026-11", "1500.00", "2026-12-25"),
    ];
    for m in &mut months {
        m.contract_start = "2026-09-01";
        m.contract_end = Some("2026-11-20");
        m.termination = Some(json!({"settle_within_days": 20}));
        m.method = "wire";
    }
    months[2].extra.push((
        "work_orders",
        json!({"on_time": 3, "overdue": 0, "pending": 2}),
    ));
    months[2].extra.push((
        "repairs",
        json!({"response_pending": 0, "resolution_pending": 1}),
    ));
    months
}

#[test]
fn spec_12_final_settlement_with_deductions() {
    // September: 3000.00 paid 1000.00 on 10-25 (on time), rest unpaid: 2000.00 outstanding,
    //   late days 10-26 … 12-31 = 67, charge 2000.00 × 0.0005 × 67 = 67.00.
    // October: the vendor owes 800.00 by wire (vendor rate 0): outstanding 800.00, charge 0.00.
    // November: 1500.00 due 12-25, late days 12-26 … 12-31 = 6, 1500 × 0.0005 × 6 = 4.50.
    // Deductions 300.00 + 200.50 = 500.50.
    // Balance 2000.00 + 1500.00 + 67.00 + 4.50 − 800.00 − 0.00 − 500.50 = 2271.00.
    // Final due by 2026-11-20 + 20 days = 2026-12-10.
    let mut months = ending_contract();
    let mut december = st("2026-12", "999.00", "2027-01-25");
    december.contract_start = "2026-09-01";
    december.contract_end = Some("2026-11-20");
    months.push(december);
    let w = work(
        &months,
        Some("P1,acme,platform,2026-09,2026-10-25,1000.00,\n"),
        Some(
            "D1,acme,300.00,customer compensation for a lost parcel,2026-11-30\n\
             D2,acme,200.50,=cost of the takeover,\n",
        ),
    );
    let a = account_json(
        w.path(),
        &[
            "--as-of",
            "2026-12-31",
            "--final",
            "--vendor",
            "acme",
            "--deductions",
            "deductions.csv",
        ],
    );
    assert_eq!(
        a["final"],
        json!({"contract_end": "2026-11-20", "due_by": "2026-12-10"})
    );
    assert_eq!(
        a["dues"].as_array().unwrap().len(),
        3,
        "December is after the end"
    );
    assert_eq!(due(&a, "2026-09")["outstanding"], "2000.00");
    assert_eq!(due(&a, "2026-09")["late_charge"], "67.00");
    assert_eq!(due(&a, "2026-10")["payer"], "vendor");
    assert_eq!(due(&a, "2026-10")["outstanding"], "800.00");
    assert_eq!(due(&a, "2026-11")["late_charge"], "4.50");
    assert_eq!(
        a["deductions"],
        json!([{"deduction_id": "D1", "amount": "300.00", "reason": "customer compensation for a lost parcel"},
               {"deduction_id": "D2", "amount": "200.50", "reason": "=cost of the takeover"}])
    );
    assert_eq!(
        a["position"],
        json!({"platform_owes": "3500.00", "vendor_owes": "800.00",
               "late_charges_platform_owes": "71.50", "late_charges_vendor_owes": "0.00",
               "deductions": "500.50", "balance": "2271.00",
               "summary": "Final settlement: the platform pays Acme Service Co. 2,271.00 CNY by 2026-12-10."})
    );
    let warnings = a["warnings"].to_string();
    assert!(
        warnings.contains("the statement of 2026-12 is ignored: the contract ended on 2026-11-20"),
        "{warnings}"
    );
    assert!(
        warnings.contains(
            "the statement of 2026-11 still holds pending work (2 work order(s), 1 repair(s))"
        ),
        "{warnings}"
    );
    assert!(warnings.contains("2026-11-21"), "{warnings}");
    let roles: Vec<&str> = a["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        vec![
            "statement",
            "statement",
            "statement",
            "payments",
            "deductions"
        ]
    );

    // The CSV escapes the formula-like reason; the table shows the final terms.
    let csv = account(
        w.path(),
        &[
            "--as-of",
            "2026-12-31",
            "--final",
            "--vendor",
            "acme",
            "--deductions",
            "deductions.csv",
            "--format",
            "csv",
        ],
    );
    csv.expect(0);
    assert!(
        csv.stdout.contains("acme,D2,200.50,'=cost of the takeover"),
        "{}",
        csv.stdout
    );
    let table = account(
        w.path(),
        &[
            "--as-of",
            "2026-12-31",
            "--final",
            "--vendor",
            "acme",
            "--deductions",
            "deductions.csv",
        ],
    );
    table.expect(0);
    assert!(table
        .stdout
        .contains("last day of service 2026-11-20; the final balance is settled by 2026-12-10"));
    assert!(table.stdout.contains(
        "Final settlement: the platform pays Acme Service Co. 2,271.00 CNY by 2026-12-10."
    ));
}

#[test]
fn spec_12_a_missing_month_is_named_exit_66() {
    let mut months = ending_contract();
    months.remove(1);
    let w = work(&months, None, None);
    let out = account(
        w.path(),
        &["--as-of", "2026-12-31", "--final", "--vendor", "acme"],
    );
    out.expect(66);
    assert!(out.stderr.contains("1 missing"), "{}", out.stderr);
    assert!(
        out.stderr.contains("archive/2026-10/acme/statement.json"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("2026-09/acme"), "{}", out.stderr);
    // Without --final the same archive is an account of two months.
    let a = account_json(w.path(), &["--as-of", "2026-12-31"]);
    assert_eq!(a["dues"].as_array().unwrap().len(), 2);
}

#[test]
fn spec_12_final_needs_a_contract_end() {
    let w = work(&[st("2026-10", "1.00", "2026-11-25")], None, None);
    let out = account(
        w.path(),
        &["--as-of", "2026-12-31", "--final", "--vendor", "acme"],
    );
    out.expect(2);
    assert!(
        out.stderr.contains("record no contract_end"),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_6_an_unknown_vendor_is_a_usage_error_and_an_empty_archive_is_missing_input() {
    let w = work(&[st("2026-10", "1.00", "2026-11-25")], None, None);
    let out = account(w.path(), &["--as-of", "2026-12-31", "--vendor", "ghost"]);
    out.expect(2);
    assert!(out.stderr.contains("it holds: acme"), "{}", out.stderr);
    std::fs::create_dir_all(w.path().join("empty")).unwrap();
    run_in(w.path(), &["account", "--statements", "empty"]).expect(66);
    run_in(w.path(), &["account", "--statements", "nowhere"]).expect(66);
    // A bad --as-of is a usage error.
    account(w.path(), &["--as-of", "31/12/2026"]).expect(2);
}

#[test]
fn spec_11_deductions_without_final_is_a_usage_error() {
    let w = work(&ending_contract(), None, Some("D1,acme,1.00,x,\n"));
    let out = account(
        w.path(),
        &["--as-of", "2026-12-31", "--deductions", "deductions.csv"],
    );
    out.expect(2);
    assert!(out.stderr.contains("--final"), "{}", out.stderr);
}

#[test]
fn spec_11_out_writes_every_form_atomically_and_never_overwrites_silently() {
    let w = work(
        &[st("2026-10", "9786.47", "2026-11-25")],
        Some("P-0012,acme,platform,2026-10,2026-11-30,5000.00,\n"),
        None,
    );
    let first = account(
        w.path(),
        &["--as-of", "2026-12-31", "--out", "out", "--format", "json"],
    );
    first.expect(0);
    let dir = w.path().join("out/account/acme");
    let json_file = std::fs::read_to_string(dir.join("account.json")).unwrap();
    let one: Value = serde_json::from_str(&json_file).unwrap();
    assert_eq!(one, first.json()[0], "the file holds the vendor's object");
    let csv = std::fs::read_to_string(dir.join("account.csv")).unwrap();
    assert!(csv.starts_with(
        "vendor,month,net,payer,method,due_by,due,paid,outstanding,late_days,late_charge,status"
    ));
    assert!(csv.contains("acme,2026-10,9786.47,platform,deduct,2026-11-25,9786.47,5000.00,4786.47,36,98.66,partly_paid,P-0012,2026-12-11,"), "{csv}");
    let md = std::fs::read_to_string(dir.join("account.md")).unwrap();
    assert!(md.contains("| 2026-10 | 9,786.47 | platform | 2026-11-25 | 9,786.47 | 5,000.00 | 4,786.47 | 36 | 98.66 | partly_paid |"), "{md}");
    // Same inputs: byte-identical output, files left untouched.
    let again = account(
        w.path(),
        &["--as-of", "2026-12-31", "--out", "out", "--format", "json"],
    );
    again.expect(0);
    assert_eq!(again.stdout, first.stdout);
    assert!(again.stderr.contains("unchanged"), "{}", again.stderr);
    // Another date gives other figures: refused without --force.
    let later = account(w.path(), &["--as-of", "2027-01-31", "--out", "out"]);
    later.expect(73);
    assert_eq!(
        std::fs::read_to_string(dir.join("account.json")).unwrap(),
        json_file
    );
    account(
        w.path(),
        &["--as-of", "2027-01-31", "--out", "out", "--force"],
    )
    .expect(0);
    assert_ne!(
        std::fs::read_to_string(dir.join("account.json")).unwrap(),
        json_file
    );
    // The archive folder may hold the accounts too: account/ is not a month.
    account(w.path(), &["--as-of", "2026-12-31", "--out", "archive"]).expect(0);
    account(w.path(), &["--as-of", "2026-12-31"]).expect(0);
}

#[test]
fn spec_11_every_form_shows_the_months_and_the_position() {
    let w = work(
        &[st("2026-10", "9786.47", "2026-11-25")],
        Some("=P1,acme,platform,2026-10,2026-11-30,5000.00,\n"),
        None,
    );
    let table = account(w.path(), &["--as-of", "2026-12-31"]);
    table.expect(0);
    for s in [
        "Account of Acme Service Co. (acme) as of 2026-12-31, in CNY",
        "partly_paid",
        "2026-10: the vendor may suspend service from 2026-12-11",
        "late charges owed by the platform",
        "The platform owes Acme Service Co. 4,885.13 CNY.",
    ] {
        assert!(table.stdout.contains(s), "{s:?} in\n{}", table.stdout);
    }
    let csv = account(w.path(), &["--as-of", "2026-12-31", "--format", "csv"]);
    assert!(csv.stdout.contains(",'=P1,"), "{}", csv.stdout);
    assert!(
        csv.stdout.contains(
            "acme,CNY,2026-12-31,,,4786.47,0.00,98.66,0.00,0.00,4885.13,\"The platform owes"
        ),
        "{}",
        csv.stdout
    );
    let md = account(w.path(), &["--as-of", "2026-12-31", "--format", "md"]);
    assert!(
        md.stdout.contains("| balance | 4,885.13 |"),
        "{}",
        md.stdout
    );
}

#[test]
fn spec_11_signed_statements_are_reported_with_their_signers() {
    let mut s = st("2026-10", "100.00", "2026-11-25");
    s.extra.push((
        "signatures",
        json!([{"signer": "Platform Finance", "algorithm": "ed25519", "signature": "abc"},
               {"public_key": "ed25519:AAAA", "signature": "def"}]),
    ));
    let w = work(&[s, st("2026-11", "100.00", "2026-12-25")], None, None);
    let a = account_json(w.path(), &["--as-of", "2026-12-31"]);
    assert_eq!(
        a["inputs"][0]["signed_by"],
        json!([{"signer": "Platform Finance", "algorithm": "ed25519"},
               {"signer": "ed25519:AAAA", "algorithm": null}])
    );
    assert!(a["inputs"][1].get("signed_by").is_none());
    let table = account(w.path(), &["--as-of", "2026-12-31"]);
    assert!(table
        .stdout
        .contains("statement of 2026-10 is signed by Platform Finance (ed25519), ed25519:AAAA"));
}

#[test]
fn spec_11_payments_after_as_of_are_not_counted() {
    let w = work(
        &[st("2026-10", "1000.00", "2026-11-25")],
        Some("P1,acme,platform,2026-10,2026-12-15,1000.00,\n"),
        None,
    );
    let a = account_json(w.path(), &["--as-of", "2026-12-01"]);
    // Unpaid at the start of 11-26 … 12-01: 6 late days, 6 × 0.50 = 3.00.
    assert_eq!(due(&a, "2026-10")["paid"], "0.00");
    assert_eq!(due(&a, "2026-10")["late_days"], 6);
    assert_eq!(due(&a, "2026-10")["late_charge"], "3.00");
    assert!(a["warnings"][0].as_str().unwrap().contains("P1"));
}

#[test]
fn worked_example_of_the_readme() {
    // examples/account: three settled months; acme paid August on time, September's debt was
    // deducted, October paid two days late: 7786.47 × 0.0005 × 2 = 7.78647 → 7.79.
    let out = run_in(
        &root(),
        &[
            "account",
            "--statements",
            "examples/account/statements",
            "--payments",
            "examples/account/payments.csv",
            "--vendor",
            "acme",
            "--as-of",
            "2026-12-31",
            "--format",
            "json",
        ],
    );
    out.expect(0);
    let a = &out.json()[0];
    assert_eq!(due(a, "2026-08")["status"], "paid");
    assert_eq!(due(a, "2026-09")["status"], "deducted");
    assert_eq!(due(a, "2026-10")["status"], "paid_late");
    assert_eq!(due(a, "2026-10")["late_days"], 2);
    assert_eq!(due(a, "2026-10")["late_charge"], "7.79");
    assert_eq!(a["position"]["balance"], "7.79");

    // The README shows this account's table as the program prints it.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let (_, rest) = readme
        .split_once("<!-- account-example:begin -->\n```console\n")
        .expect("README has the account example");
    let (example, _) = rest
        .split_once("```\n<!-- account-example:end -->")
        .unwrap();
    let (_, shown) = example.split_once("--as-of 2026-12-31\n").unwrap();
    let table = run_in(
        &root(),
        &[
            "account",
            "--statements",
            "examples/account/statements",
            "--payments",
            "examples/account/payments.csv",
            "--vendor",
            "acme",
            "--as-of",
            "2026-12-31",
        ],
    );
    table.expect(0);
    assert_eq!(table.stdout, shown);
}

/// `n` effective phone calls of acme on `day` (2.00 each under the repository's rates).
fn calls(day: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            format!(
                "C{day}-{i},acme,phone,aftersales,手机,{day} 10:0{i}:00,{day} 10:0{i}:05,{day} 10:0{i}:50,vendor"
            )
        })
        .collect()
}

#[test]
fn end_to_end_settle_out_over_three_months_then_the_final_account() {
    // acme from 2026-09-01 to 2026-11-20 (settle within 30 days): September earns 3 × 2.00,
    // October 5 × 2.00, November 2 × 2.00; each statement is written by settle --out.
    let rates = common::rates_with(&[(
        "[vendors.acme]\nname = \"Acme Service Co.\"\ncontract_start = \"2026-06-01\"",
        "[vendors.acme]\nname = \"Acme Service Co.\"\ncontract_start = \"2026-09-01\"\ncontract_end = \"2026-11-20\"",
    )]);
    let w = TempDir::new().unwrap();
    std::fs::write(w.path().join("rates.toml"), rates).unwrap();
    for (month, day, n) in [
        ("2026-09", "2026-09-10", 3),
        ("2026-10", "2026-10-12", 5),
        ("2026-11", "2026-11-10", 2),
    ] {
        let rows = calls(day, n);
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        common::Month::new()
            .calls(&rows)
            .write_into(&w.path().join("data").join(month));
        run_in(
            w.path(),
            &[
                "settle", "--month", month, "--data", "data", "--vendor", "acme", "--out",
                "archive", "--quiet",
            ],
        )
        .expect(0);
    }
    std::fs::write(
        w.path().join("payments.csv"),
        "payment_id,vendor,payer,month,paid_on,amount\n\
         P1,acme,platform,2026-09,2026-10-25,6.00\n\
         P2,acme,platform,2026-10,2026-11-27,10.00\n",
    )
    .unwrap();
    std::fs::write(
        w.path().join("deductions.csv"),
        "deduction_id,vendor,amount,reason\nD1,acme,1.00,a customer's claim\n",
    )
    .unwrap();
    let a = account_json(
        w.path(),
        &[
            "--as-of",
            "2026-12-31",
            "--final",
            "--vendor",
            "acme",
            "--deductions",
            "deductions.csv",
        ],
    );
    assert_eq!(due(&a, "2026-09")["net"], "6.00");
    assert_eq!(due(&a, "2026-09")["status"], "paid");
    // October: due 11-25, paid 11-27: 2 late days × 10.00 × 0.0005 = 0.01.
    assert_eq!(due(&a, "2026-10")["late_days"], 2);
    assert_eq!(due(&a, "2026-10")["late_charge"], "0.01");
    // November: 4.00 due 12-25, unpaid: 6 late days × 4.00 × 0.0005 = 0.012 → 0.01.
    assert_eq!(due(&a, "2026-11")["late_days"], 6);
    assert_eq!(due(&a, "2026-11")["late_charge"], "0.01");
    assert_eq!(
        a["final"],
        json!({"contract_end": "2026-11-20", "due_by": "2026-12-20"})
    );
    // 4.00 + 0.02 − 1.00 = 3.02.
    assert_eq!(a["position"]["balance"], "3.02");
}
