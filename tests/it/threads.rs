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
    settle_with(dir, out, threads, chunk, &[])
}

/// [`settle`] with further arguments.
fn settle_with(dir: &Path, out: &Path, threads: usize, chunk: Option<usize>, more: &[&str]) -> Out {
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
    let args: Vec<&str> = args.iter().chain(more).copied().collect();
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

/// The profile that names the canonical columns of calls.csv, so a run through it can be set
/// beside a canonical run.
const CANONICAL_CALLS_PROFILE: &str = "name = \"canonical-calls-mapped\"
role = \"calls\"

[source]
format = \"csv\"
header = true

[columns]
contact_id = \"contact_id\"
vendor = \"vendor\"
channel = \"channel\"
stage = \"stage\"
category = \"category\"
offered_at = \"offered_at\"
answered_at = \"answered_at\"
ended_at = \"ended_at\"
handled_by = \"handled_by\"
";

/// A statement without the inputs it names (a mapped run records its profile there).
fn figures(statement: &serde_json::Value) -> serde_json::Value {
    let mut s = statement.clone();
    let object = s.as_object_mut().unwrap();
    object.retain(|k, _| !matches!(k.as_str(), "inputs" | "seal"));
    s
}

#[test]
fn spec_2_a_mapped_export_is_checked_for_duplicates_as_its_canonical_twin() {
    // The hairy month's calls (CRLF, blank lines, a quoted cell over two lines, exact repeats
    // far back, ids on rows with different cells) read through a profile: repeated ids are
    // read again from the file by offset and mapped again for the exact comparison, and come
    // out as in the canonical run.
    let data = TempDir::new().unwrap();
    month(data.path());
    let profile = data.path().join("calls-profile.toml");
    std::fs::write(&profile, CANONICAL_CALLS_PROFILE).unwrap();
    let canonical = TempDir::new().unwrap();
    let first = settle(data.path(), canonical.path(), 2, None);
    first.expect(0);
    let out = TempDir::new().unwrap();
    let profile = profile.display().to_string();
    let more = ["--calls", "2026-10/calls.csv", "--calls-profile", &profile];
    let mapped = settle_with(data.path(), out.path(), 2, None, &more);
    mapped.expect(0);
    let (a, b) = (first.json(), mapped.json());
    let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(b) {
        assert_eq!(figures(a), figures(b));
    }
    let dups: u64 = b
        .iter()
        .map(|s| s["counts"]["calls"]["duplicates"].as_u64().unwrap())
        .sum();
    assert!(dups >= 4, "duplicates: {dups}");
    // The same rows rejected, for the same column; a time that does not read is worded as the
    // profile's time format, the only difference.
    let read = |dir: &Path| -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_path(dir.join("rejects.csv")).unwrap();
        r.records()
            .map(|row| {
                let row = row.unwrap();
                [0, 1, 2, 4].iter().map(|&i| row[i].to_string()).collect()
            })
            .collect()
    };
    let (want, got) = (read(canonical.path()), read(out.path()));
    let text = std::fs::read_to_string(out.path().join("rejects.csv")).unwrap();
    assert!(text.contains("with different cells"), "{text}");
    assert!(
        text.contains("does not match the profile's time format"),
        "{text}"
    );
    assert_eq!(got, want);
}

/// Files are read one after another on the workers: a file broken as a whole stops the run
/// with the same message whatever the thread count, the first broken file in role order
/// (calls, tickets, surveys, orders) named.
#[test]
fn spec_7_the_first_broken_file_is_reported_whatever_the_thread_count() {
    let data = TempDir::new().unwrap();
    month(data.path());
    let files = data.path().join("2026-10");
    let stderr = |threads: usize| {
        let out = TempDir::new().unwrap();
        let run = settle(data.path(), out.path(), threads, Some(4096));
        assert_ne!(run.code, 0, "{threads} threads: {}", run.stderr);
        run.stderr
    };
    let good_tickets = std::fs::read(files.join("tickets.csv")).unwrap();
    std::fs::write(files.join("orders.csv"), "").unwrap();
    let orders = stderr(1);
    assert!(orders.contains("orders.csv"), "{orders}");
    std::fs::write(files.join("tickets.csv"), "ticket_id,vendor\nT1,acme\n").unwrap();
    let tickets = stderr(1);
    assert!(
        tickets.contains("tickets.csv") && !tickets.contains("orders.csv"),
        "{tickets}"
    );
    for threads in [2, 4] {
        assert_eq!(stderr(threads), tickets, "{threads} threads");
    }
    std::fs::write(files.join("tickets.csv"), good_tickets).unwrap();
    for threads in [1, 2, 4] {
        assert_eq!(stderr(threads), orders, "{threads} threads");
    }
}
