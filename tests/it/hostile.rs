//! Hostile inputs: exports that lie, overflow or belong elsewhere. Each case must end in a clear
//! refusal naming the file (and line), or a named warning — never a confident wrong statement.
//! The last test mutates the example month's bytes at random and checks that every run either
//! refuses with exit 65 naming a `file:line`, or settles with every physical line accounted for.

use crate::common;

use common::*;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The example month (calls, tickets, surveys, orders of 2026-10), copied into a fresh folder.
fn example() -> TempDir {
    let tmp = TempDir::new().unwrap();
    for f in ["calls.csv", "tickets.csv", "surveys.csv", "orders.csv"] {
        std::fs::copy(
            root().join("examples/data/2026-10").join(f),
            tmp.path().join(f),
        )
        .unwrap();
    }
    tmp
}

/// Replaces line `n` (1-based) of `file` in `dir` by `f(line)`.
fn edit_line(dir: &Path, file: &str, n: usize, f: impl Fn(&str) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[n - 1] = f(&lines[n - 1]);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

fn settle(dir: &Path, extra: &[&str]) -> Out {
    settle_json(dir, "2026-10", extra)
}

#[track_caller]
fn refused(out: &Out, code: i32, parts: &[&str]) {
    out.expect(code);
    assert!(out.stdout.is_empty(), "no statement: {}", out.stdout);
    for p in parts {
        assert!(
            out.stderr.contains(p),
            "stderr lacks {p:?}:\n{}",
            out.stderr
        );
    }
}

// 1. A stray quote ------------------------------------------------------------------------------

#[test]
fn a_stray_quote_before_the_vendor_refuses_instead_of_emptying_calls() {
    let dir = example();
    edit_line(dir.path(), "calls.csv", 2, |l| {
        l.replacen(",acme,", ",\"acme,", 1)
    });
    let out = settle(dir.path(), &[]);
    refused(
        &out,
        65,
        &["calls.csv:2: (row): a quoted cell runs from line 2 to line 3001: unbalanced quote?"],
    );
    // check accounts for every physical line.
    let rates = rates_arg();
    let check = run_in(
        dir.path(),
        &["check", "--month", "2026-10", "--rates", &rates],
    );
    check.expect(65);
    assert!(
        check
            .stderr
            .contains("calls.csv: 3001 lines = 1 header + 1 rows + 2999 inside quoted cells + 0 blank; 1 rejected"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_stray_quote_in_orders_or_surveys_or_an_extra_column_refuses() {
    // `"completed` in orders.csv: the commission must not silently vanish.
    let dir = example();
    edit_line(dir.path(), "orders.csv", 2, |l| {
        l.replace(",completed", ",\"completed")
    });
    refused(
        &settle(dir.path(), &[]),
        65,
        &["orders.csv:2: (row): a quoted cell runs from line 2"],
    );
    // A quote at the start of the last column of surveys.csv line 101.
    let dir = example();
    edit_line(dir.path(), "surveys.csv", 101, |l| {
        let (head, last) = l.rsplit_once(',').unwrap();
        format!("{head},\"{last}")
    });
    refused(
        &settle(dir.path(), &[]),
        65,
        &["surveys.csv:101: (row): a quoted cell runs from line 101"],
    );
    // A quote inside an extra column nobody reads.
    let dir = example();
    let path = dir.path().join("calls.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(|l| format!("{l},")).collect();
    lines[0] = format!("{}note", lines[0]);
    lines[9] = format!("{}x\"y", lines[9]);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    refused(
        &settle(dir.path(), &[]),
        65,
        &["calls.csv:10: (row): unbalanced quote"],
    );
}

#[test]
fn an_unterminated_quote_at_the_end_of_the_file_is_a_bad_row() {
    let dir = Month::new()
        .raw_calls(&format!(
            "{CALLS}\nc1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,\nc2,acme,phone,aftersales,\"手机,2026-10-12 10:00:00,,,"
        ))
        .build();
    refused(
        &settle(dir.path(), &[]),
        65,
        &["calls.csv:3: (row): unbalanced quote"],
    );
}

#[test]
fn the_cell_count_is_checked_before_the_month() {
    // A row of November with an extra cell is rejected, not counted as outside the period.
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c2,acme,phone,aftersales,手机,2026-11-12 10:00:00,,,,extra",
        ])
        .build();
    refused(
        &settle(dir.path(), &[]),
        65,
        &["calls.csv:3: (row): has 10 fields, the header has 9"],
    );
}

// 2. The wrong month or folder -----------------------------------------------------------------

#[test]
fn last_months_folder_is_refused_naming_its_month_and_the_override() {
    let data = root().join("examples/data/2026-10");
    let data = data.to_str().unwrap();
    let rates = rates_arg();
    let out = run_in(
        &root(),
        &[
            "settle", "--month", "2026-11", "--data", data, "--rates", &rates, "--format", "json",
        ],
    );
    refused(
        &out,
        65,
        &[
            "calls.csv: only 20 of its 3000 dated rows fall in 2026-11; most belong to 2026-10 (2920 rows)",
            "--allow-outside-period",
        ],
    );
    let out = run_in(
        &root(),
        &[
            "settle",
            "--month",
            "2026-11",
            "--data",
            data,
            "--rates",
            &rates,
            "--format",
            "json",
            "--allow-outside-period",
        ],
    );
    out.expect(0);
    let s = out.statement("acme");
    assert!(s["warnings"][0]
        .as_str()
        .unwrap()
        .contains("settled anyway (--allow-outside-period)"));
    assert_eq!(s["arguments"]["allow_outside_period"], true);
}

// 3. Money that disappears or is understated -------------------------------------------------------

#[test]
fn no_orders_with_a_commission_rate_and_times_without_seconds_are_warned() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00,2026-10-12 10:00,2026-10-12 10:05,",
        ])
        .build();
    let out = settle(dir.path(), &["--vendor", "acme"]);
    out.expect(0);
    let w = out.statement("acme")["warnings"].to_string();
    assert!(
        w.contains("no orders input was read while [earn] commission_rate is set"),
        "{w}"
    );
    assert!(
        w.contains("2 of 2 answer and end times carry no seconds")
            && w.contains("effective talk (10 s), service level (20 s), short abandons (0 s)"),
        "{w}"
    );
    assert!(out.stderr.contains("carry no seconds"), "{}", out.stderr);
}

// 4. Overflow -----------------------------------------------------------------------------------

#[test]
fn absurd_amounts_are_bad_rows_not_a_panic() {
    let rows: Vec<String> = (1..=8)
        .map(|i| format!("o{i},acme,2026-10-12 10:00:00,9999999999999999999999999999,completed"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let dir = Month::new().orders(&rows).build();
    let out = settle(dir.path(), &[]);
    refused(&out, 65, &["orders.csv:2: amount: amount above 10^15"]);
}

#[test]
fn absurd_terms_are_configuration_errors_naming_the_key() {
    for (from, to, key) in [
        ("overdue_charge = \"8.26\"", "overdue_charge = \"79228162514264337593543950335\"", "work_orders.overdue_charge"),
        ("points_per_point = \"2\" },\n  { metric = \"satisfaction\"", "points_per_point = \"79228162514264337593543950335\" },\n  { metric = \"satisfaction\"", "scorecard[0].metrics[0].points_per_point"),
        ("penalty = \"10000\"", "penalty = \"79228162514264337593543950335\"", "scorecard[0].tiers[4].penalty"),
    ] {
        let dir = Month::new().file("rates.toml", &rates_with(&[(from, to)])).build();
        let out = run_in(
            dir.path(),
            &["settle", "--month", "2026-10", "--rates", "rates.toml"],
        );
        refused(&out, 78, &[&format!("key `{key}`")]);
    }
}

// 5. --vendor hides typos ---------------------------------------------------------------------------

#[test]
fn a_misspelt_vendor_is_named_even_under_vendor() {
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c2,Acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .build();
    refused(
        &settle(dir.path(), &[]),
        65,
        &["calls.csv:3: vendor: `Acme` is not declared"],
    );
    let out = settle(dir.path(), &["--vendor", "acme"]);
    out.expect(0);
    assert!(
        out.statement("acme")["warnings"]
            .to_string()
            .contains("1 row(s) of the month name a vendor rates.toml does not declare (`Acme`)"),
        "{}",
        out.stdout
    );
}

// 6. Hostile text -------------------------------------------------------------------------------

#[test]
fn control_characters_are_escaped_and_a_huge_header_is_cut() {
    let dir = Month::new()
        .calls(&["c1,acme,\u{1b}[2Jphone,aftersales,手机,2026-10-12 10:00:00,,,"])
        .build();
    let out = settle(dir.path(), &[]);
    refused(
        &out,
        65,
        &["calls.csv:2: channel: `\\u{1b}[2Jphone` is not one of"],
    );
    assert!(!out.stderr.contains('\u{1b}'), "raw escape on the terminal");
    let huge = format!("{},x\n", "h".repeat(200_000));
    let dir = Month::new().raw_calls(&huge).build();
    let out = settle(dir.path(), &[]);
    out.expect(65);
    assert!(
        out.stderr.len() < 5_000,
        "{} bytes of stderr",
        out.stderr.len()
    );
    assert!(out.stderr.contains("more characters"), "{}", out.stderr);
}

// 7. Diagnose the file, not only the row -------------------------------------------------------------

#[test]
fn a_gbk_file_is_named_once_with_the_setting_that_reads_it() {
    let dir = example();
    let text = std::fs::read_to_string(dir.path().join("calls.csv")).unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(dir.path().join("calls.csv"), &gbk).unwrap();
    let out = settle(dir.path(), &[]);
    refused(
        &out,
        65,
        &["calls.csv: is not UTF-8 text: it reads as GBK", "cn-excel"],
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

#[test]
fn another_delimiter_a_folder_a_device_and_a_missing_data_folder_are_said_as_such() {
    let dir = example();
    let text = std::fs::read_to_string(dir.path().join("calls.csv")).unwrap();
    std::fs::write(dir.path().join("calls.csv"), text.replace(',', ";")).unwrap();
    refused(
        &settle(dir.path(), &[]),
        65,
        &["separates columns with ;, not a comma", "delimiter = \";\""],
    );
    let dir = example();
    let tmp = dir.path().to_str().unwrap();
    refused(
        &settle(dir.path(), &["--calls", tmp]),
        66,
        &["is a folder, not a file"],
    );
    refused(
        &settle(dir.path(), &["--calls", "/dev/null"]),
        66,
        &["/dev/null is a device or pipe, not a file"],
    );
    refused(
        &settle(dir.path(), &["--data", "no-such-folder"]),
        66,
        &["no-such-folder", "no such folder"],
    );
}

#[test]
fn a_utf8_bom_where_a_profile_reads_gbk_is_named() {
    let dir = TempDir::new().unwrap();
    Month::new().write_into(dir.path());
    std::fs::write(
        dir.path().join("calls.csv"),
        "\u{feff}序号,坐席,来电时间\n1,acme,2026-10-12 10:00:00\n",
    )
    .unwrap();
    let out = settle(
        dir.path(),
        &["--calls-profile", "cn-excel", "--vendor", "acme"],
    );
    refused(
        &out,
        65,
        &["starts with a UTF-8 byte order mark, but profile cn-excel-calls reads gb18030"],
    );
}

#[test]
fn a_bad_timestamp_shows_its_value_and_the_forms_accepted() {
    let dir = Month::new()
        .calls(&["c1,acme,phone,aftersales,手机,2026/10/5 9:05,,,"])
        .build();
    refused(
        &settle(dir.path(), &[]),
        65,
        &[
            "calls.csv:2: offered_at: `2026/10/5 9:05` is not a timestamp",
            "read through a profile",
        ],
    );
}

/// `rescore` of October in `dir`, with the folder's `disputes.csv`.
fn rescore_with_disputes(dir: &std::path::Path) -> Out {
    let rates = rates_arg();
    run_in(
        dir,
        &[
            "rescore",
            "--month",
            "2026-10",
            "--rates",
            &rates,
            "--disputes",
            "disputes.csv",
        ],
    )
}

#[test]
fn every_problem_of_a_disputes_file_is_reported_in_one_pass() {
    let dir = Month::new()
        .calls(&["c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,"])
        .file(
            "disputes.csv",
            "kind,id,decision,reason,decided_by\ncontact,NOPE,exclude,r,Li\nfax,c1,exclude,r,Li\n",
        )
        .build();
    let out = rescore_with_disputes(dir.path());
    refused(
        &out,
        65,
        &[
            "disputes.csv:2: id: unknown id",
            "disputes.csv:3: kind: `fax` is not one of",
        ],
    );
}

#[test]
fn a_stray_quote_in_a_disputes_file_never_swallows_the_decisions_after_it() {
    // Line 2's decided_by opens a quote that never closes: read as CSV, line 3's decision would
    // become part of that name and the auditor's exclusion of c2 would vanish without a word.
    let dir = Month::new()
        .calls(&[
            "c1,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
            "c2,acme,phone,aftersales,手机,2026-10-12 10:00:00,,,",
        ])
        .file(
            "disputes.csv",
            "kind,id,decision,reason,decided_by\ncontact,c1,exclude,r,\"Li\ncontact,c2,exclude,r,Li\n",
        )
        .build();
    let out = rescore_with_disputes(dir.path());
    refused(
        &out,
        65,
        &["disputes.csv:2: (row): a quoted cell runs from line 2 to line 3: unbalanced quote?"],
    );
}

// 8. Duplicate-heavy exports ------------------------------------------------------------------------

#[test]
fn an_export_written_twice_counts_every_repeat_once() {
    let dir = example();
    let path = dir.path().join("calls.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let body = text.split_once('\n').unwrap().1;
    std::fs::write(&path, format!("{text}{body}")).unwrap();
    let twice = settle(dir.path(), &[]);
    twice.expect(0);
    let once = settle(&root().join("examples/data/2026-10"), &[]);
    let (a, b) = (twice.statement("acme"), once.statement("acme"));
    assert_eq!(a["totals"], b["totals"]);
    // Each accepted row of the month is repeated once; rows of other months take no part in
    // the duplicate check and are simply outside the period twice.
    let (ca, cb) = (&a["counts"]["calls"], &b["counts"]["calls"]);
    assert_eq!(ca["duplicates"], cb["in_period"]);
    assert_eq!(ca["in_period"], cb["in_period"]);
    assert_eq!(
        ca["outside_period"].as_u64().unwrap(),
        2 * cb["outside_period"].as_u64().unwrap()
    );
}

// 9. A good row beside a bad row of the same id -----------------------------------------------------

#[test]
fn a_good_row_never_survives_beside_a_bad_row_of_its_id() {
    let dir = Month::new()
        .calls(&[
            "C1,acme,phone,aftersales,手机,2026-10-12 10:00:00,x,,",
            "C1,acme,phone,aftersales,手机,2026-10-12 10:00:00,2026-10-12 10:00:05,2026-10-12 10:05:00,",
        ])
        .build();
    let out = settle(dir.path(), &["--allow-rejects"]);
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(s["counts"]["calls"]["rejected"], 2);
    assert_eq!(s["counts"]["calls"]["in_period"], 0);
    assert!(common::line_of(&s, "earn/phone_effective_call").is_none());
    let rejects = std::fs::read_to_string(dir.path().join("rejects-2026-10.csv")).unwrap();
    assert!(
        rejects.contains("id `C1` appears on lines 2, 3 with different cells"),
        "{rejects}"
    );
}

// 10. Mutated exports ---------------------------------------------------------------------------------

/// The first 120 lines of the example calls with the other inputs header-only: small enough to
/// run the binary on many mutations.
fn small_month() -> (TempDir, Vec<u8>) {
    let tmp = TempDir::new().unwrap();
    Month::new().write_into(tmp.path());
    let text = std::fs::read_to_string(root().join("examples/data/2026-10/calls.csv")).unwrap();
    let bytes: Vec<u8> = text
        .lines()
        .take(120)
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect();
    (tmp, bytes)
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Truncate(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let bytes = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        Just(b",".to_vec()),
    ];
    prop_oneof![
        (any::<usize>(), bytes).prop_map(|(at, b)| Mutation::Insert(at, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    // The header (line 1) is left alone: a broken header is a file-level error of its own.
    let body = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let span = bytes.len() - body;
    let mut lines: Vec<Vec<u8>> = bytes[body..]
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    match m {
        Mutation::Insert(at, b) => {
            let at = body + at % span;
            bytes.splice(at..at, b.iter().copied());
            return;
        }
        Mutation::Truncate(at) => {
            bytes.truncate(body + at % span);
            return;
        }
        Mutation::DuplicateLine(i) => {
            let i = i % lines.len();
            let l = lines[i].clone();
            lines.insert(i + 1, l);
        }
        Mutation::SwapLines(a, b) => {
            let n = lines.len();
            lines.swap(a % n, b % n);
        }
    }
    bytes.truncate(body);
    bytes.extend(lines.concat());
}

/// Physical lines of `bytes` (LF, CRLF and lone CR end a line), and how many are blank.
fn physical_lines(bytes: &[u8]) -> (u64, u64) {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&bytes[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&bytes[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    let blank = lines.iter().filter(|l| l.is_empty()).count() as u64;
    (lines.len() as u64, blank)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_export_is_refused_by_line_or_settled_with_every_line_accounted_for(
        muts in proptest::collection::vec(mutation(), 1..4)
    ) {
        let (dir, mut bytes) = small_month();
        for m in &muts {
            apply(&mut bytes, m);
        }
        let path: PathBuf = dir.path().join("calls.csv");
        std::fs::write(&path, &bytes).unwrap();
        let rates = rates_arg();
        let out = run_in(
            dir.path(),
            &["check", "--month", "2026-10", "--rates", &rates, "--allow-outside-period"],
        );
        prop_assert!(out.code == 0 || out.code == 65, "exit {}: {}", out.code, out.stderr);
        if out.code == 65 {
            let named = out.stdout.lines().chain(out.stderr.lines()).any(|l| {
                l.starts_with("calls.csv:") && l[10..].split(':').next().is_some_and(|n| n.parse::<u64>().is_ok())
            }) || out.stderr.contains("calls.csv: ");
            prop_assert!(named, "no file:line named:\n{}\n{}", out.stdout, out.stderr);
        } else {
            let (lines, blank) = physical_lines(&bytes);
            let want = format!(
                "calls.csv: {lines} lines = 1 header + {} rows + {blank} blank; 0 rejected",
                lines - 1 - blank
            );
            prop_assert!(out.stderr.contains(&want), "want {want:?} in:\n{}", out.stderr);
        }
    }
}
