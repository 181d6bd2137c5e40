//! SPEC §7: the inputs are read on every core, in chunks, and the output is byte for byte the
//! same whatever the thread count and the chunk size: statements, the rejects file and the
//! evidence files.

use crate::common;

use common::{files_under, rates_arg, run_with_env, Out};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The month generator, built by `cargo test` beside the binary (target/<profile>/examples).
fn gen_month() -> PathBuf {
    let bin = assert_cmd::cargo::cargo_bin("slatement");
    let exe = format!("gen_month{}", std::env::consts::EXE_SUFFIX);
    let path = bin.parent().expect("target dir").join("examples").join(exe);
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo build --example gen_month` (plain `cargo test` does)",
        path.display()
    );
    path
}

/// A generated month in `dir/2026-10`, made harder to cut into chunks: CRLF line ends on some
/// rows, blank lines, a quoted cell holding a line feed and a comma, and exact duplicates of
/// accepted rows further down. `--bad-rows` adds rejected rows and ids on rows with different
/// cells (a second pass).
fn month(dir: &Path) {
    let out = dir.join("2026-10");
    let status = std::process::Command::new(gen_month())
        .args(["--month", "2026-10", "--calls", "4000", "--tickets", "900"])
        .args(["--surveys", "900", "--orders", "300", "--seed", "11"])
        .args(["--bad-rows", "36", "--out"])
        .arg(&out)
        .status()
        .expect("run gen_month");
    assert!(status.success());
    let path = out.join("calls.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut hairy = String::new();
    for (i, line) in lines.iter().enumerate() {
        hairy.push_str(line);
        hairy.push_str(if i % 7 == 3 { "\r\n" } else { "\n" });
        if i % 501 == 100 {
            hairy.push_str("\n\r\n");
        }
        if i % 1000 == 999 {
            // An exact repeat of an accepted row 700 lines back.
            hairy.push_str(lines[i - 700]);
            hairy.push('\n');
            hairy.push_str(
                "CQ00001,acme,phone,presales,\"two\nlines, \"\"quoted\"\"\",2026-10-05 10:00:00,,,vendor\n",
            );
        }
    }
    std::fs::write(&path, hairy).unwrap();
}

/// Settles the month with `threads` threads and `chunk` bytes per chunk, writing the rejects
/// file and the evidence under `out`.
fn settle(dir: &Path, out: &Path, threads: usize, chunk: Option<usize>) -> Out {
    let (rates, threads) = (rates_arg(), threads.to_string());
    let (rejects, evidence) = (out.join("rejects.csv"), out.join("evidence"));
    let (rejects, evidence) = (
        rejects.display().to_string(),
        evidence.display().to_string(),
    );
    let chunk = chunk.map(|c| c.to_string());
    let mut env = vec![("SLATEMENT_THREADS", threads.as_str())];
    if let Some(chunk) = &chunk {
        env.push(("SLATEMENT_CHUNK_BYTES", chunk.as_str()));
    }
    let args = [
        "settle",
        "--month",
        "2026-10",
        "--rates",
        &rates,
        "--data",
        ".",
        "--format",
        "json",
        "--allow-rejects",
        "--rejects",
        &rejects,
        "--evidence",
        &evidence,
    ];
    run_with_env(dir, &args, common::ODD_TZ, &env)
}

#[test]
fn spec_7_output_is_identical_whatever_the_thread_count_and_chunk_size() {
    let data = TempDir::new().unwrap();
    month(data.path());

    let one = TempDir::new().unwrap();
    let first = settle(data.path(), one.path(), 1, None);
    first.expect(0);
    // The month exercises what chunking must keep: duplicates, rejects, conflicting ids.
    let json = first.json();
    let dups: u64 = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["counts"]["calls"]["duplicates"].as_u64().unwrap())
        .sum();
    assert!(dups >= 4, "duplicates: {dups}");
    let rejects = std::fs::read_to_string(one.path().join("rejects.csv")).unwrap();
    assert!(rejects.contains("with different cells"), "{rejects}");
    assert!(rejects.lines().count() > 30, "{rejects}");
    let expected = files_under(one.path());
    assert!(expected.len() > 2, "evidence files: {expected:?}");

    for (threads, chunk) in [(1, Some(1000)), (2, None), (3, Some(4096)), (4, Some(1))] {
        let dir = TempDir::new().unwrap();
        let other = settle(data.path(), dir.path(), threads, chunk);
        other.expect(0);
        assert!(
            other.stdout == first.stdout,
            "statements differ with {threads} threads, chunk {chunk:?}"
        );
        let here = |out: &Out, dir: &Path| out.stderr.replace(&dir.display().to_string(), "OUT");
        assert_eq!(
            here(&other, dir.path()),
            here(&first, one.path()),
            "{threads} threads, chunk {chunk:?}"
        );
        let got = files_under(dir.path());
        assert_eq!(
            got.iter().map(|f| &f.0).collect::<Vec<_>>(),
            expected.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for ((name, a), (_, b)) in got.iter().zip(&expected) {
            assert!(
                a == b,
                "{} differs with {threads} threads, chunk {chunk:?}",
                name.display()
            );
        }
    }
}

#[test]
fn spec_7_a_thread_count_that_is_not_a_number_is_a_usage_error() {
    let rates = rates_arg();
    let args = ["settle", "--month", "2026-10", "--rates", &rates];
    let dir = common::fixture("month_ok");
    let out = run_with_env(
        &dir,
        &args,
        common::ODD_TZ,
        &[("SLATEMENT_THREADS", "many")],
    );
    out.expect(2);
    assert!(
        out.stderr.contains("SLATEMENT_THREADS=many"),
        "{}",
        out.stderr
    );
}

#[test]
fn spec_6_no_progress_bar_when_stderr_is_not_a_terminal() {
    // assert_cmd captures stderr through a pipe, as cron or a script would.
    let data = TempDir::new().unwrap();
    month(data.path());
    let out = TempDir::new().unwrap();
    let run = settle(data.path(), out.path(), 2, Some(4096));
    run.expect(0);
    for marker in ["rows/s", "B/s", "\u{1b}[", "\r"] {
        assert!(
            !run.stderr.contains(marker),
            "progress output {marker:?} on a pipe:\n{}",
            run.stderr
        );
    }
}
