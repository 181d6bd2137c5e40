//! Golden statements of the bundled example month, in every form. A change to any figure or to
//! the layout shows up here as a diff. Regenerate deliberately with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff before committing.

use assert_cmd::Command;
use std::path::Path;

fn settle(format: &str) -> String {
    settle_in(format, "en")
}

fn settle_in(format: &str, lang: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::cargo_bin("slatement")
        .unwrap()
        .current_dir(root)
        .env("TZ", "America/Los_Angeles")
        .env("LANG", "C")
        .args([
            "settle",
            "--month",
            "2026-10",
            "--data",
            "examples/data",
            "--rates",
            "rates.toml",
            "--format",
            format,
            "--lang",
            lang,
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn check_golden(format: &str, file: &str) {
    check_golden_in(format, "en", file)
}

fn check_golden_in(format: &str, lang: &str, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/golden")
        .join(file);
    let got = settle_in(format, lang);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run UPDATE_GOLDEN=1 cargo test --test golden",
            path.display()
        )
    });
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "{file} differs from the golden statement at line {}:\n  got:  {:?}\n  want: {:?}",
            first + 1,
            got.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

#[test]
fn golden_example_month_table() {
    check_golden("table", "2026-10.txt");
}

#[test]
fn golden_example_month_json() {
    check_golden("json", "2026-10.json");
}

#[test]
fn golden_example_month_csv() {
    check_golden("csv", "2026-10.csv");
}

#[test]
fn golden_example_month_markdown() {
    check_golden("md", "2026-10.md");
}

/// SPEC §13: the printable notice, in English and in Chinese.
#[test]
fn golden_example_month_html() {
    check_golden("html", "2026-10.html");
}

#[test]
fn golden_example_month_html_zh() {
    check_golden_in("html", "zh", "2026-10.zh.html");
}

#[test]
fn golden_example_month_table_and_markdown_zh() {
    check_golden_in("table", "zh", "2026-10.zh.txt");
    check_golden_in("md", "zh", "2026-10.zh.md");
}

/// SPEC §13: --lang changes the human forms only; JSON and CSV are the same bytes.
#[test]
fn lang_never_changes_json_or_csv() {
    for format in ["json", "csv"] {
        assert_eq!(settle_in(format, "en"), settle_in(format, "zh"), "{format}");
    }
}

/// SPEC §13: the zh notice writes the net in capitals, with who pays whom.
#[test]
fn zh_notice_writes_the_net_in_capitals() {
    let html = settle_in("html", "zh");
    assert!(
        html.contains("人民币柒仟柒佰捌拾陆元肆角柒分（甲方付乙方）"),
        "{html}"
    );
    assert!(html.contains("结算通知单") && html.contains("接起率") && html.contains("调研满意度"));
    let table = settle_in("table", "zh");
    assert!(table.contains("大写金额: 人民币柒仟柒佰捌拾陆元肆角柒分（甲方付乙方）"));
    assert!(table.contains("接管 — 售后 套餐一 电话"));
}

/// SPEC §13: self-contained, printable, a sheet per vendor with a page break between them.
#[test]
fn html_notice_is_self_contained_and_breaks_pages_between_vendors() {
    let html = settle("html");
    assert_eq!(html.matches("<section class=\"sheet\">").count(), 2);
    assert!(html.contains("break-before: page") && html.contains("size: A4"));
    for banned in [
        "<script",
        "http://",
        "https://",
        "@font-face",
        "@import",
        "<link",
        "src=",
    ] {
        assert!(!html.contains(banned), "{banned}");
    }
    // The tier is written, not only coloured; the trial month says so.
    assert!(html.contains("meets standard") && html.contains("trial — not assessed"));
    // Deadlines in date order.
    let at = |s: &str| html.find(s).unwrap();
    assert!(at("2026-11-09") < at("2026-11-15") && at("2026-11-15") < at("2026-11-16"));
}

#[test]
fn example_month_is_clean_and_lines_sum_to_totals() {
    let json: serde_json::Value = serde_json::from_str(&settle("json")).unwrap();
    let statements = json.as_array().unwrap();
    let ids: Vec<&str> = statements
        .iter()
        .map(|s| s["vendor"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acme", "brightline"]);
    for s in statements {
        for (role, c) in s["counts"].as_object().unwrap() {
            assert_eq!(c["rejected"], 0, "{role} has rejected rows");
            let n = |k: &str| c.get(k).map_or(0, |v| v.as_u64().unwrap());
            // The register also counts the incidents of earlier months (SPEC §9).
            assert_eq!(
                n("rows"),
                n("in_period")
                    + n("before_period")
                    + n("outside_period")
                    + n("duplicates")
                    + n("rejected")
            );
        }
        let dec = |v: &serde_json::Value| {
            v.as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        };
        let sum = |sections: &[&str]| -> rust_decimal::Decimal {
            s["lines"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| sections.contains(&l["section"].as_str().unwrap()))
                .map(|l| dec(&l["amount"]))
                .sum()
        };
        let t = &s["totals"];
        assert_eq!(dec(&t["earned"]), sum(&["earn"]));
        assert_eq!(
            dec(&t["fees_charged"]),
            sum(&["takeover", "overdue", "termination"])
        );
        assert_eq!(dec(&t["penalties"]), sum(&["penalty", "incident"]));
        assert_eq!(dec(&t["net"]), dec(&t["earned"]) - dec(&t["charged"]));
    }
}
