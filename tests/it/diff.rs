//! `slatement diff` (SPEC §6) over real statements: the example month is settled, one input is
//! edited, the month is settled again, and the two statements are compared. Every figure the
//! diff reports is computed here by hand from the edit.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// What a run of the binary gave.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let out = Command::cargo_bin("slatement")
        .unwrap()
        .current_dir(dir)
        .env("TZ", "America/Los_Angeles")
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .args(args)
        .output()
        .unwrap();
    Out {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[track_caller]
fn expect(out: &Out, code: i32) {
    assert_eq!(
        out.code, code,
        "exit code\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.stdout, out.stderr
    );
}

/// A temporary folder holding `data/2026-10/` (a copy of the example month) and `rates.toml`
/// (a copy of the repository's).
fn example_month() -> TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = TempDir::new().unwrap();
    let month = tmp.path().join("data").join("2026-10");
    std::fs::create_dir_all(&month).unwrap();
    for f in ["calls.csv", "tickets.csv", "surveys.csv", "orders.csv"] {
        std::fs::copy(root.join("examples/data/2026-10").join(f), month.join(f)).unwrap();
    }
    std::fs::copy(root.join("rates.toml"), tmp.path().join("rates.toml")).unwrap();
    tmp
}

/// `settle --format json --quiet` in `dir`, written to `dir/<name>`.
fn settle_to(dir: &Path, name: &str) -> PathBuf {
    let out = run(
        dir,
        &[
            "settle",
            "--month",
            "2026-10",
            "--format",
            "json",
            "--quiet",
            "--rates",
            "rates.toml",
            "--data",
            "data",
        ],
    );
    expect(&out, 0);
    let path = dir.join(name);
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// Replaces the one line of `file` that starts with `prefix`.
fn edit_row(file: &Path, prefix: &str, replacement: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut hits = 0;
    let edited: Vec<&str> = text
        .split_inclusive('\n')
        .map(|l| {
            if l.starts_with(prefix) {
                hits += 1;
                replacement
            } else {
                l
            }
        })
        .collect();
    assert_eq!(hits, 1, "{prefix} in {}", file.display());
    std::fs::write(file, edited.concat()).unwrap();
}

fn calls_sha(statements: &Path) -> String {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(statements).unwrap()).unwrap();
    v[0]["inputs"][0]["sha256"].as_str().unwrap().to_string()
}

fn short(sha: &str) -> String {
    format!("{}…", &sha[..12])
}

/// Calls C00001192 (acme, phone, vendor-handled, offered Monday 2026-10-12 13:13:12 inside phone
/// hours, ended 13:14:19, never answered) is answered 8 s after it was offered. By hand:
/// - answer_rate 1527/1657 → 1528/1657: 0.9215 → 0.9221 (1528/1657 = 0.92215); points stay 50
///   (above the 0.90 target), so the score does not move;
/// - phone_answer_rate 727/797 → 728/797: 0.9122 → 0.9134 (728/797 = 0.91343);
/// - service_level 1261/1657 → 1262/1657 (8 s ≤ 20 s): 0.7610 → 0.7616 (0.76162);
/// - talk 59 s ≥ 10 s: one more effective call, 740 → 741 at 2.00: 1480.00 → 1482.00;
/// - earned 10114.73 → 10116.73, net 9786.47 → 9788.47; fees and penalties unchanged.
///
/// brightline's figures do not move, but its statement records the same calls.csv.
const CALL_BEFORE: &str = "C00001192,acme,phone,aftersales,汽车用品,2026-10-12 13:13:12,,";
const CALL_AFTER: &str = "C00001192,acme,phone,aftersales,汽车用品,2026-10-12 13:13:12,2026-10-12 13:13:20,2026-10-12 13:14:19,vendor\n";

#[test]
fn spec_6_diff_reports_each_changed_figure_and_the_changed_calls_input() {
    let tmp = example_month();
    let dir = tmp.path();
    let a = settle_to(dir, "a.json");
    edit_row(&dir.join("data/2026-10/calls.csv"), CALL_BEFORE, CALL_AFTER);
    let b = settle_to(dir, "b.json");
    let (old_sha, new_sha) = (calls_sha(&a), calls_sha(&b));
    assert_ne!(old_sha, new_sha);

    let out = run(dir, &["diff", "a.json", "b.json"]);
    expect(&out, 1);
    let cause = format!(
        "  cause: calls input changed (sha256 {} → {})\n",
        short(&old_sha),
        short(&new_sha)
    );
    assert_eq!(
        out.stdout,
        format!(
            "Acme Service Co. (acme) · 2026-10\n\
             \x20 metric answer_rate: 0.9215 → 0.9221 (+0.0006)   [1527/1657 → 1528/1657]\n\
             \x20 metric phone_answer_rate: 0.9122 → 0.9134 (+0.0012)   [727/797 → 728/797]\n\
             \x20 metric service_level: 0.7610 → 0.7616 (+0.0006)   [1261/1657 → 1262/1657]\n\
             \x20 line earn/phone_effective_call quantity: 740 → 741 (+1)\n\
             \x20 line earn/phone_effective_call amount: 1480.00 → 1482.00 (+2.00)\n\
             \x20 earned: 10114.73 → 10116.73 (+2.00)\n\
             \x20 net: 9786.47 → 9788.47 (+2.00)\n\
             \x20 also different: contacts, settlement\n\
             {cause}\
             \n\
             Brightline Support Ltd. (brightline) · 2026-10\n\
             \x20 no figure changed\n\
             {cause}"
        )
    );
    assert_eq!(out.stderr, "");

    let out = run(dir, &["diff", "--format", "json", "a.json", "b.json"]);
    expect(&out, 1);
    let d: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(d["schema"], "slatement.diff.v1");
    assert_eq!(d["equal"], false);
    let change = |name: &str, field: &str, old: Value, new: Value, delta: Value| {
        let kind = if name.contains('/') {
            "line"
        } else if ["earned", "net"].contains(&name) {
            "total"
        } else {
            "metric"
        };
        json!({"kind": kind, "name": name, "field": field, "old": old, "new": new, "delta": delta})
    };
    let acme = &d["vendors"][0];
    assert_eq!(
        (&acme["vendor"], &acme["month"], &acme["status"]),
        (&json!("acme"), &json!("2026-10"), &json!("changed"))
    );
    assert_eq!(
        acme["changes"],
        json!([
            change(
                "answer_rate",
                "numerator",
                json!(1527),
                json!(1528),
                json!(1)
            ),
            change(
                "answer_rate",
                "value",
                json!("0.9215"),
                json!("0.9221"),
                json!("0.0006")
            ),
            change(
                "phone_answer_rate",
                "numerator",
                json!(727),
                json!(728),
                json!(1)
            ),
            change(
                "phone_answer_rate",
                "value",
                json!("0.9122"),
                json!("0.9134"),
                json!("0.0012")
            ),
            change(
                "service_level",
                "numerator",
                json!(1261),
                json!(1262),
                json!(1)
            ),
            change(
                "service_level",
                "value",
                json!("0.7610"),
                json!("0.7616"),
                json!("0.0006")
            ),
            change(
                "earn/phone_effective_call",
                "quantity",
                json!("740"),
                json!("741"),
                json!("1")
            ),
            change(
                "earn/phone_effective_call",
                "amount",
                json!("1480.00"),
                json!("1482.00"),
                json!("2.00")
            ),
            change(
                "earned",
                "value",
                json!("10114.73"),
                json!("10116.73"),
                json!("2.00")
            ),
            change(
                "net",
                "value",
                json!("9786.47"),
                json!("9788.47"),
                json!("2.00")
            ),
        ])
    );
    let calls_changed =
        json!([{"kind": "input_changed", "role": "calls", "old": old_sha, "new": new_sha}]);
    assert_eq!(acme["causes"], calls_changed);
    assert_eq!(acme["also_differ"], json!(["contacts", "settlement"]));
    let bright = &d["vendors"][1];
    assert_eq!(bright["vendor"], "brightline");
    assert_eq!(bright["changes"], json!([]));
    assert_eq!(bright["causes"], calls_changed);
}

/// overdue_charge 8.26 → 9.00 in rates.toml. By hand: acme has 11 overdue work orders,
/// 90.86 → 99.00 (+8.14), fees and charged 328.26 → 336.40, net 9786.47 → 9778.33 (−8.14).
/// The statements compared are the single-object files `settle --out` writes.
#[test]
fn spec_6_diff_of_written_statements_names_the_changed_rates() {
    let tmp = example_month();
    let dir = tmp.path();
    let settle_out = |out: &str| {
        let o = run(
            dir,
            &[
                "settle",
                "--month",
                "2026-10",
                "--quiet",
                "--rates",
                "rates.toml",
                "--data",
                "data",
                "--out",
                out,
            ],
        );
        expect(&o, 0);
    };
    settle_out("before");
    edit_row(
        &dir.join("rates.toml"),
        "overdue_charge = \"8.26\"",
        "overdue_charge = \"9.00\"\n",
    );
    settle_out("after");
    let out = run(
        dir,
        &[
            "diff",
            "before/2026-10/acme/statement.json",
            "after/2026-10/acme/statement.json",
        ],
    );
    expect(&out, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    // The term that moved is named, after the changed rates file.
    assert_eq!(
        lines[lines.len() - 1],
        "  cause: term changed: work_orders.overdue_charge 8.26 → 9.00"
    );
    let lines = &lines[..lines.len() - 1];
    assert_eq!(
        lines[..lines.len() - 1],
        [
            "Acme Service Co. (acme) · 2026-10",
            "  line overdue/work_order unit_price: 8.26 → 9.00 (+0.74)",
            "  line overdue/work_order amount: 90.86 → 99.00 (+8.14)",
            "  fees_charged: 328.26 → 336.40 (+8.14)",
            "  charged: 328.26 → 336.40 (+8.14)",
            "  net: 9786.47 → 9778.33 (\u{2212}8.14)",
            "  also different: settlement, terms",
        ],
        "{}",
        out.stdout
    );
    let rates_sha = |side: &str| {
        let text = std::fs::read_to_string(dir.join(side).join("2026-10/acme/statement.json"));
        let v: Value = serde_json::from_str(&text.unwrap()).unwrap();
        v["rates"]["sha256"].as_str().unwrap().to_string()
    };
    assert_eq!(
        lines[lines.len() - 1],
        format!(
            "  cause: rates.toml changed (sha256 {} → {})",
            short(&rates_sha("before")),
            short(&rates_sha("after"))
        )
    );
}

#[test]
fn spec_6_diff_of_a_file_with_itself_exits_0() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_to(dir, "a.json");
    let out = run(dir, &["diff", "a.json", "a.json"]);
    expect(&out, 0);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "statements are identical\n");

    let out = run(dir, &["diff", "--quiet", "a.json", "a.json"]);
    expect(&out, 0);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));

    let out = run(dir, &["diff", "--format", "json", "-q", "a.json", "a.json"]);
    expect(&out, 0);
    let d: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(d["equal"], true);
    assert_eq!(d["vendors"][0]["status"], "equal");
    assert_eq!(d["vendors"][1]["status"], "equal");
}

#[test]
fn spec_6_diff_of_a_non_statement_exits_65_naming_the_file() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_to(dir, "a.json");
    let out = run(dir, &["diff", "a.json", "data/2026-10/calls.csv"]);
    expect(&out, 65);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("error: data/2026-10/calls.csv: not a slatement statement: not JSON: "),
        "{}",
        out.stderr
    );

    std::fs::write(
        dir.join("other.json"),
        r#"{"schema": "something.else", "n": 1}"#,
    )
    .unwrap();
    let out = run(dir, &["diff", "other.json", "a.json"]);
    expect(&out, 65);
    assert_eq!(
        out.stderr,
        "error: other.json: not a slatement statement: the statement: schema is \"something.else\", expected \"slatement.statement.v1\"\n"
    );
}

#[test]
fn spec_6_diff_of_a_missing_file_exits_66() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_to(dir, "a.json");
    let out = run(dir, &["diff", "a.json", "nowhere.json"]);
    expect(&out, 66);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("nowhere.json"), "{}", out.stderr);
}

#[test]
fn spec_6_diff_needs_two_files() {
    let tmp = TempDir::new().unwrap();
    let out = run(tmp.path(), &["diff", "a.json"]);
    expect(&out, 2);
}
