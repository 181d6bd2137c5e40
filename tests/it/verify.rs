//! `slatement verify` (SPEC §6) over real statements: the example month is settled in a
//! temporary folder with relative paths, then the files are edited, moved or copied and the
//! statements verified. Also: the seal (`tool`, `arguments`, `terms`) and byte-identical
//! statements whatever the environment and working directory.

use crate::common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// What a run of the binary gave.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_env(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Out {
    let mut cmd = Command::cargo_bin("slatement").unwrap();
    cmd.current_dir(dir)
        .env("TZ", "America/Los_Angeles")
        .env("LANG", "C")
        .env("LC_ALL", "C");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().unwrap();
    Out {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Out {
    run_env(dir, &[], args)
}

#[track_caller]
fn expect(out: &Out, code: i32) {
    assert_eq!(
        out.code, code,
        "exit code\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.stdout, out.stderr
    );
}

const INPUTS: [&str; 4] = ["calls.csv", "tickets.csv", "surveys.csv", "orders.csv"];

/// Copies the example month to `dir/data/2026-10/` and the repository's rates.toml to
/// `dir/rates.toml`.
fn copy_example(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let month = dir.join("data").join("2026-10");
    std::fs::create_dir_all(&month).unwrap();
    for f in INPUTS {
        std::fs::copy(root.join("examples/data/2026-10").join(f), month.join(f)).unwrap();
    }
    std::fs::copy(root.join("rates.toml"), dir.join("rates.toml")).unwrap();
}

/// A temporary folder holding the example month.
fn example_month() -> TempDir {
    let tmp = TempDir::new().unwrap();
    copy_example(tmp.path());
    tmp
}

const SETTLE: [&str; 8] = [
    "settle",
    "--month",
    "2026-10",
    "--data",
    "data",
    "--rates",
    "rates.toml",
    "--quiet",
];

/// `settle --out out` in `dir` with relative paths, plus `extra` flags.
fn settle_out(dir: &Path, extra: &[&str]) {
    let mut args = SETTLE.to_vec();
    args.extend_from_slice(&["--out", "out"]);
    args.extend_from_slice(extra);
    expect(&run(dir, &args), 0);
}

const ACME: &str = "out/2026-10/acme/statement.json";

/// Replaces the one occurrence of `from` in `file` with `to`.
fn replace_once(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from} in {}",
        file.display()
    );
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

fn sha256(file: &Path) -> String {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(file).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn short(sha: &str) -> String {
    format!("{}…", &sha[..12])
}

/// The report's line for `role`, trimmed, with runs of spaces collapsed.
fn file_line(report: &str, role: &str) -> String {
    report
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|l| l.starts_with(&format!("{role} ")))
        .unwrap_or_else(|| panic!("no line for {role} in:\n{report}"))
}

#[test]
fn spec_6_verify_of_an_untouched_month_exits_0() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    let out = run(dir, &["verify", ACME]);
    expect(&out, 0);
    assert_eq!(
        out.stdout,
        "Acme Service Co. (acme) · 2026-10\n\
         \x20 settled by slatement 0.1.0 with --month 2026-10\n\
         \x20 calls    data/2026-10/calls.csv    unchanged\n\
         \x20 tickets  data/2026-10/tickets.csv  unchanged\n\
         \x20 surveys  data/2026-10/surveys.csv  unchanged\n\
         \x20 orders   data/2026-10/orders.csv   unchanged\n\
         \x20 rates    rates.toml                unchanged\n\
         \x20 rows rejected on re-derivation: 0\n\
         \x20 statement: identical\n"
            .replace("0.1.0", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        out.stderr,
        "verified: 1 statement(s) identical, every input unchanged\n"
    );
    let quiet = run(dir, &["verify", "--quiet", ACME]);
    expect(&quiet, 0);
    assert_eq!(quiet.stderr, "");
}

/// Answered 16:43:35 → 16:43:55, 6 s → 26 s after the offer: no longer within the 20 s service
/// level, so service_level 1261/1657 → 1260/1657 (0.7610 → 0.7604); talk time 49 s → 29 s is
/// still an effective call, so no money moves.
const CALL_BEFORE: &str =
    "C00001506,acme,phone,aftersales,内衣,2026-10-15 16:43:29,2026-10-15 16:43:35,";
const CALL_AFTER: &str =
    "C00001506,acme,phone,aftersales,内衣,2026-10-15 16:43:29,2026-10-15 16:43:55,";

#[test]
fn spec_6_verify_names_a_changed_calls_input_and_the_figures_that_moved() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    let calls = dir.join("data/2026-10/calls.csv");
    let old = sha256(&calls);
    replace_once(&calls, CALL_BEFORE, CALL_AFTER);
    let new = sha256(&calls);
    let out = run(dir, &["verify", ACME]);
    expect(&out, 1);
    assert_eq!(
        file_line(&out.stdout, "calls"),
        format!(
            "calls data/2026-10/calls.csv changed (sha256 {} → {})",
            short(&old),
            short(&new)
        )
    );
    for role in ["tickets", "surveys", "orders", "rates"] {
        assert!(
            file_line(&out.stdout, role).ends_with(" unchanged"),
            "{}",
            out.stdout
        );
    }
    let tail: Vec<&str> = out.stdout.lines().skip(7).collect();
    assert_eq!(
        tail,
        [
            "  rows rejected on re-derivation: 0",
            "  statement: differs",
            "    metric service_level: 0.7610 → 0.7604 (\u{2212}0.0006)   [1261/1657 → 1260/1657]",
            "    also different: contacts",
        ],
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "not verified: 1 of 1 statement(s) differ or could not be settled again\n"
    );
}

/// One digit of one timestamp, mid-month, in each other input: the input is named as changed
/// and verify exits 1, even where no figure moves.
#[test]
fn spec_6_verify_names_each_changed_input() {
    let edits = [
        (
            "tickets",
            "tickets.csv",
            "T0000220,acme,service_order,办公,,2026-10-11 19:03:13,2026-10-12 11:31:41,2026-10-15 10:02:00,",
            "T0000220,acme,service_order,办公,,2026-10-11 19:03:13,2026-10-12 11:31:41,2026-10-15 10:02:01,",
        ),
        (
            "surveys",
            "surveys.csv",
            "S0000400,acme,2026-10-15 11:11:00,",
            "S0000400,acme,2026-10-15 11:11:01,",
        ),
        (
            "orders",
            "orders.csv",
            "O0000153,acme,2026-10-15 11:02:12,",
            "O0000153,acme,2026-10-15 11:02:13,",
        ),
    ];
    for (role, file, from, to) in edits {
        let tmp = example_month();
        let dir = tmp.path();
        settle_out(dir, &[]);
        let path = dir.join("data/2026-10").join(file);
        let old = sha256(&path);
        replace_once(&path, from, to);
        let out = run(dir, &["verify", ACME]);
        expect(&out, 1);
        assert_eq!(
            file_line(&out.stdout, role),
            format!(
                "{role} data/2026-10/{file} changed (sha256 {} → {})",
                short(&old),
                short(&sha256(&path))
            )
        );
        let changed: Vec<String> = ["calls", "tickets", "surveys", "orders", "rates"]
            .into_iter()
            .filter(|r| !file_line(&out.stdout, r).ends_with(" unchanged"))
            .map(str::to_string)
            .collect();
        assert_eq!(changed, [role], "{}", out.stdout);
        assert!(
            out.stdout
                .contains("  statement: differs\n    no figure changed\n"),
            "{}",
            out.stdout
        );
    }
}

/// The earn price of an effective phone call 2.00 → 3.00: 740 effective calls earn 740.00 more.
#[test]
fn spec_6_verify_names_changed_rates() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    let rates = dir.join("rates.toml");
    let old = sha256(&rates);
    replace_once(
        &rates,
        "phone_effective_call = \"2.00\"",
        "phone_effective_call = \"3.00\"",
    );
    let out = run(dir, &["verify", ACME]);
    expect(&out, 1);
    assert_eq!(
        file_line(&out.stdout, "rates"),
        format!(
            "rates rates.toml changed (sha256 {} → {})",
            short(&old),
            short(&sha256(&rates))
        )
    );
    for line in [
        "    line earn/phone_effective_call unit_price: 2.00 → 3.00 (+1.00)\n",
        "    line earn/phone_effective_call amount: 1480.00 → 2220.00 (+740.00)\n",
        "    net: 9786.47 → 10526.47 (+740.00)\n",
    ] {
        assert!(out.stdout.contains(line), "{line}\n{}", out.stdout);
    }
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("    also different:")
                && l.contains("settlement")
                && l.contains("terms")),
        "{}",
        out.stdout
    );
}

#[test]
fn spec_6_verify_of_the_json_array_checks_every_statement() {
    let tmp = example_month();
    let dir = tmp.path();
    let out = run(dir, &[&SETTLE[..], &["--format", "json"]].concat());
    expect(&out, 0);
    std::fs::write(dir.join("all.json"), &out.stdout).unwrap();

    let out = run(dir, &["verify", "all.json"]);
    expect(&out, 0);
    let sections: Vec<&str> = out.stdout.split("\n\n").collect();
    assert_eq!(sections.len(), 2, "{}", out.stdout);
    assert!(sections[0].starts_with("Acme Service Co. (acme) · 2026-10\n"));
    assert!(sections[1].starts_with("Brightline Support Ltd. (brightline) · 2026-10\n"));
    assert_eq!(out.stdout.matches("  statement: identical\n").count(), 2);

    replace_once(&dir.join("data/2026-10/calls.csv"), CALL_BEFORE, CALL_AFTER);
    let out = run(dir, &["verify", "--format", "json", "all.json"]);
    expect(&out, 1);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["schema"], "slatement.verify.v1");
    assert_eq!(v["verified"], false);
    assert_eq!(v["exit_code"], 1);
    let statements = v["statements"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    for s in statements {
        assert_eq!(s["files"][0]["role"], "calls");
        assert_eq!(s["files"][0]["status"], "changed");
        assert_eq!(s["files"][1]["status"], "unchanged");
        assert_eq!(s["result"], "differs");
        assert_eq!(s["rejected"], 0);
    }
    // acme's service level moved; brightline's figures did not, only its recorded calls hash.
    let acme = &statements[0];
    assert_eq!(acme["vendor"], "acme");
    assert_eq!(acme["changes"][0]["name"], "service_level");
    assert_eq!(acme["changes"][0]["field"], "numerator");
    assert_eq!(acme["changes"][0]["delta"], -1);
    assert_eq!(acme["changes"][1]["delta"], "-0.0006");
    assert_eq!(statements[1]["vendor"], "brightline");
    assert_eq!(statements[1]["changes"].as_array().unwrap().len(), 0);
}

#[test]
fn spec_6_verify_with_data_reads_an_untouched_copy_elsewhere() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    // The local copy is edited; the copy elsewhere is not.
    replace_once(&dir.join("data/2026-10/calls.csv"), CALL_BEFORE, CALL_AFTER);
    let elsewhere = TempDir::new().unwrap();
    copy_example(elsewhere.path());
    let data = elsewhere.path().join("data");
    let out = run(dir, &["verify", "--data", data.to_str().unwrap(), ACME]);
    expect(&out, 0);
    let calls = data.join("2026-10").join("calls.csv");
    assert_eq!(
        file_line(&out.stdout, "calls"),
        format!(
            "calls {} (recorded data/2026-10/calls.csv) unchanged",
            calls.display()
        )
    );
    assert!(out.stdout.ends_with("  statement: identical\n"));

    // Rates too: --rates names the file to read; a changed one is named as such.
    let rates = elsewhere.path().join("rates.toml");
    replace_once(
        &rates,
        "overdue_charge = \"8.26\"",
        "overdue_charge = \"9.26\"",
    );
    let out = run(
        dir,
        &[
            "verify",
            "--data",
            data.to_str().unwrap(),
            "--rates",
            rates.to_str().unwrap(),
            ACME,
        ],
    );
    expect(&out, 1);
    assert!(
        file_line(&out.stdout, "rates").starts_with(&format!(
            "rates {} (recorded rates.toml) changed (sha256 ",
            rates.display()
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("    line overdue/work_order amount: 90.86 → 101.86 (+11.00)\n"),
        "{}",
        out.stdout
    );

    // The data folder itself (no <month>/ inside) works as with settle.
    let flat = TempDir::new().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in INPUTS {
        std::fs::copy(
            root.join("examples/data/2026-10").join(f),
            flat.path().join(f),
        )
        .unwrap();
    }
    let out = run(
        dir,
        &["verify", "--data", flat.path().to_str().unwrap(), ACME],
    );
    expect(&out, 0);
}

#[test]
fn spec_6_verify_with_data_names_a_file_the_statement_did_not_read() {
    let tmp = example_month();
    let dir = tmp.path();
    std::fs::rename(dir.join("data/2026-10/orders.csv"), dir.join("orders.csv")).unwrap();
    settle_out(dir, &[]);
    let out = run(dir, &["verify", ACME]);
    expect(&out, 0);
    std::fs::rename(dir.join("orders.csv"), dir.join("data/2026-10/orders.csv")).unwrap();
    // Without --data only the recorded files are read; with it, the folder's files are.
    expect(&run(dir, &["verify", ACME]), 0);
    let out = run(dir, &["verify", "--data", "data", ACME]);
    expect(&out, 1);
    assert!(
        file_line(&out.stdout, "orders")
            .starts_with("orders data/2026-10/orders.csv added (not read when settled; sha256 "),
        "{}",
        out.stdout
    );
}

#[test]
fn spec_6_verify_of_a_missing_recorded_input_exits_66_after_reporting() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    std::fs::remove_file(dir.join("data/2026-10/surveys.csv")).unwrap();
    let out = run(dir, &["verify", ACME]);
    expect(&out, 66);
    assert_eq!(
        file_line(&out.stdout, "surveys"),
        "surveys data/2026-10/surveys.csv missing"
    );
    assert!(file_line(&out.stdout, "calls").ends_with(" unchanged"));
    assert!(
        out.stdout.contains(
            "  statement: not re-derived: surveys input missing at data/2026-10/surveys.csv; "
        ),
        "{}",
        out.stdout
    );

    // A missing rates file is a missing recorded input too.
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    std::fs::remove_file(dir.join("rates.toml")).unwrap();
    let out = run(dir, &["verify", ACME]);
    expect(&out, 66);
    assert_eq!(file_line(&out.stdout, "rates"), "rates rates.toml missing");
}

#[test]
fn spec_6_verify_of_bad_rates_exits_78_and_of_a_non_statement_65() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    std::fs::write(dir.join("bad.toml"), "timezone = \"Asia/Shanghai\"\n").unwrap();
    let out = run(dir, &["verify", "--rates", "bad.toml", ACME]);
    expect(&out, 78);
    assert!(
        out.stdout
            .contains("  statement: not re-derived: bad.toml: "),
        "{}",
        out.stdout
    );

    let out = run(dir, &["verify", "data/2026-10/calls.csv"]);
    expect(&out, 65);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("error: data/2026-10/calls.csv: not a slatement statement: not JSON: "),
        "{}",
        out.stderr
    );

    // A statement without its seal cannot be verified.
    let text = std::fs::read_to_string(dir.join(ACME)).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("arguments");
    std::fs::write(dir.join("old.json"), v.to_string()).unwrap();
    let out = run(dir, &["verify", "old.json"]);
    expect(&out, 65);
    assert!(out.stderr.contains("it is not sealed"), "{}", out.stderr);

    let out = run(dir, &["verify", "nowhere.json"]);
    expect(&out, 66);
}

#[test]
fn spec_6_verify_uses_the_recorded_as_of_and_vendor() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &["--vendor", "acme", "--as-of", "2026-11-05"]);
    let text = std::fs::read_to_string(dir.join(ACME)).unwrap();
    let st: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        st["arguments"],
        serde_json::json!({"month": "2026-10", "as_of": "2026-11-05T00:00:00+08:00", "vendor": "acme"})
    );
    assert_eq!(st["cutoff"], "2026-11-05T00:00:00+08:00");
    let out = run(dir, &["verify", ACME]);
    expect(&out, 0);
    assert!(
        out.stdout.contains(&format!(
            "  settled by slatement {} with --month 2026-10 --as-of 2026-11-05T00:00:00+08:00 --vendor acme\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        out.stdout
    );
}

/// A row naming an undeclared vendor and a bad row of acme: settled with --allow-rejects, the
/// statement counts the reject and verify settles the same way.
#[test]
fn spec_6_verify_settles_as_if_rejects_were_allowed() {
    let tmp = example_month();
    let dir = tmp.path();
    let calls = dir.join("data/2026-10/calls.csv");
    let mut text = std::fs::read_to_string(&calls).unwrap();
    text.push_str("X1,acme,fax,aftersales,手机,2026-10-20 10:00:00,,,vendor\n");
    std::fs::write(&calls, text).unwrap();
    expect(&run(dir, &SETTLE), 65);
    settle_out(dir, &["--allow-rejects"]);
    let out = run(dir, &["verify", ACME]);
    expect(&out, 0);
    assert!(
        out.stdout.contains("  rows rejected on re-derivation: 1\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn spec_6_the_statement_is_sealed_with_tool_arguments_and_terms() {
    let tmp = example_month();
    let dir = tmp.path();
    settle_out(dir, &[]);
    let text = std::fs::read_to_string(dir.join(ACME)).unwrap();
    let st: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = st.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys[keys.len() - 5..],
        ["warnings", "tool", "arguments", "terms", "disputes"]
    );
    // Settled as recorded: no disputes, and no `--disputes` among the arguments.
    assert_eq!(st["disputes"], Value::Null);
    assert_eq!(
        st["tool"],
        serde_json::json!({"name": "slatement", "version": env!("CARGO_PKG_VERSION")})
    );
    assert_eq!(
        st["arguments"],
        serde_json::json!({"month": "2026-10", "as_of": null, "vendor": null})
    );
    let terms = &st["terms"];
    assert_eq!(terms["timezone"], "Asia/Shanghai");
    assert_eq!(terms["work_orders"]["overdue_charge"], "8.26");
    assert_eq!(
        terms["takeover"]["aftersales"]["package1"]["phone"],
        "14.50"
    );
    assert_eq!(terms["scorecard"][0]["tiers"][2]["penalty"], "2000");
}

/// Every file under `dir/out/`, by relative path.
fn statement_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    common::files_under(&dir.join("out"))
}

#[test]
fn spec_5_statements_are_byte_identical_whatever_the_environment_and_working_directory() {
    let a = example_month();
    let mut args = SETTLE.to_vec();
    args.extend_from_slice(&["--out", "out"]);
    expect(
        &run_env(
            a.path(),
            &[("TZ", "UTC"), ("LANG", "C"), ("LC_ALL", "C")],
            &args,
        ),
        0,
    );
    let b = example_month();
    expect(
        &run_env(
            b.path(),
            &[
                ("TZ", "Pacific/Kiritimati"),
                ("LANG", "zh_CN.UTF-8"),
                ("LC_ALL", "de_DE.UTF-8"),
            ],
            &args,
        ),
        0,
    );
    let (fa, fb) = (statement_files(a.path()), statement_files(b.path()));
    assert_eq!(
        fa.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
        fb.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()
    );
    assert!(fa.len() >= 6, "{fa:?}");
    for ((p, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{} differs between the two runs", p.display());
    }
    // And each verifies in the other's folder: the seal holds relative paths only.
    expect(&run(b.path(), &["verify", ACME]), 0);
    let out = run(a.path(), &["verify", b.path().join(ACME).to_str().unwrap()]);
    expect(&out, 0);
}
