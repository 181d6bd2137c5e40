//! `--lang zh` for the reconciliation's and the account's human forms (SPEC §13): the contracts'
//! words, and the net or balance also in Chinese capitals; JSON and CSV never change.

use crate::common;

use common::{root, run_in};

fn reconcile(format: &str, lang: &str) -> String {
    let out = run_in(
        &root(),
        &[
            "reconcile",
            "--month",
            "2026-10",
            "--vendor",
            "acme",
            "--data",
            "examples/data",
            "--rates",
            "rates.toml",
            "--claim",
            "examples/claims/acme-2026-10-claim.csv",
            "--claim-records",
            "examples/claims/acme-2026-10-records.csv",
            "--format",
            format,
            "--lang",
            lang,
            "--quiet",
        ],
    );
    out.expect(1);
    out.stdout
}

fn account(format: &str, lang: &str) -> String {
    let out = run_in(
        &root(),
        &[
            "account",
            "--statements",
            "examples/account/statements",
            "--payments",
            "examples/account/payments.csv",
            "--as-of",
            "2026-12-31",
            "--format",
            format,
            "--lang",
            lang,
            "--quiet",
        ],
    );
    out.expect(0);
    out.stdout
}

#[test]
fn reconciliation_in_chinese_names_lines_in_words_and_the_net_in_capitals() {
    for format in ["table", "md"] {
        let zh = reconcile(format, "zh");
        assert!(zh.contains("对账单"), "{zh}");
        assert!(zh.contains("接管 — 售后 套餐一 电话"), "{zh}");
        assert!(
            zh.contains("人民币柒仟柒佰捌拾陆元肆角柒分（甲方付乙方）"),
            "{zh}"
        );
        assert!(!reconcile(format, "en").contains("人民币"));
    }
    for format in ["json", "csv"] {
        assert_eq!(reconcile(format, "en"), reconcile(format, "zh"), "{format}");
    }
}

#[test]
fn account_in_chinese_writes_each_balance_in_capitals() {
    for format in ["table", "md"] {
        let zh = account(format, "zh");
        assert!(zh.contains("往来账") && zh.contains("逾期支付"), "{zh}");
        assert!(zh.contains("人民币柒元柒角玖分（甲方付乙方）"), "{zh}");
        assert!(
            zh.contains("人民币壹仟贰佰玖拾捌元壹角肆分（甲方付乙方）"),
            "{zh}"
        );
    }
    for format in ["json", "csv"] {
        assert_eq!(account(format, "en"), account(format, "zh"), "{format}");
    }
}

/// A vendor that owes the platform: the capitals say who pays whom (SPEC §13), and a month with
/// nothing owed is written 零元整.
#[test]
fn statement_capitals_say_who_pays_whom() {
    let rates = common::rates_arg();
    let out = run_in(
        &common::fixture("month_ok"),
        &[
            "settle", "--month", "2026-10", "--rates", &rates, "--lang", "zh", "--quiet",
        ],
    );
    out.expect(0);
    assert!(
        out.stdout.contains("人民币壹万零捌元壹角（乙方付甲方）"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("人民币零元整（互不欠款）"));
    assert!(out.stdout.contains("-10,008.10"));
}
