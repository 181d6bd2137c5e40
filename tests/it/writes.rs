//! Writes a finance team can trust (issue 11): one writer per folder, a run published whole even
//! when killed, file modes from the umask, recorded paths in one form, `verify` that never hangs
//! on a device or a FIFO, and runs that finish truthfully when stderr fails.
//!
//! The concurrency and kill tests run the real binary on generated months small enough that the
//! whole file stays within a couple of minutes in a debug build on two cores.

use crate::common;

use common::{files_under, rates_with, run_in, Out};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const TEMP_PREFIX: &str = ".slatement-tmp-";
const LOCK_FILE: &str = ".slatement.lock";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("slatement")
}

/// The month generator, built by `cargo test` beside the binary (target/<profile>/examples).
fn gen_month() -> PathBuf {
    let path = bin()
        .parent()
        .expect("target dir")
        .join("examples")
        .join(format!("gen_month{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: build it with `cargo build --example gen_month` (plain `cargo test` does)",
        path.display()
    );
    path
}

/// A generated month of `calls` calls (and a fifth as many tickets and surveys) in
/// `dir/2026-10/`, with the repository's rates as `rates-a.toml` and the same terms at another
/// price per effective call as `rates-b.toml`.
fn generated(calls: u32) -> TempDir {
    let dir = TempDir::new().unwrap();
    let n = |k: u32| k.to_string();
    let status = Command::new(gen_month())
        .args(["--month", "2026-10", "--calls", &n(calls)])
        .args(["--tickets", &n(calls / 5), "--surveys", &n(calls / 5)])
        .args(["--orders", &n(calls / 15), "--seed", "17", "--out"])
        .arg(dir.path().join("2026-10"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run gen_month");
    assert!(status.success());
    std::fs::write(dir.path().join("rates-a.toml"), rates_with(&[])).unwrap();
    std::fs::write(
        dir.path().join("rates-b.toml"),
        rates_with(&[(
            "phone_effective_call = \"2.00\"",
            "phone_effective_call = \"2.10\"",
        )]),
    )
    .unwrap();
    dir
}

/// `slatement settle` of the generated month with `rates`, writing statements and evidence to
/// `out`, as a command not yet started.
fn settle_cmd(dir: &Path, rates: &str, out: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir)
        .env("TZ", common::ODD_TZ)
        .env("LC_ALL", "C")
        .args([
            "settle", "--month", "2026-10", "--data", ".", "--rates", rates,
        ])
        .args(["--out", out, "--evidence", out, "--format", "json"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn is_temp(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(TEMP_PREFIX))
}

fn is_lock(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == LOCK_FILE)
}

/// Every file under `dir` but the lock file, with its bytes.
fn published(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(dir)
        .into_iter()
        .filter(|(p, _)| !is_lock(p))
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Waits for `child` at most `limit`; a run still going then is killed and the test fails.
fn wait_within(mut child: Child, limit: Duration, what: &str) -> std::process::Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------------
// 1. One writer per folder

#[test]
fn two_concurrent_settles_leave_each_vendor_folder_holding_one_runs_whole_set() {
    let dir = generated(2_000);
    let d = dir.path();
    // What each run writes on its own.
    for (rates, out) in [("rates-a.toml", "ref-a"), ("rates-b.toml", "ref-b")] {
        assert!(settle_cmd(d, rates, out, &[]).status().unwrap().success());
    }
    let vendors = ["acme", "brightline"];
    let set = |root: &str, v: &str| published(&d.join(root).join("2026-10").join(v));
    for v in vendors {
        assert_ne!(
            set("ref-a", v),
            set("ref-b", v),
            "the two terms differ for {v}"
        );
        assert!(set("ref-a", v).len() >= 7, "statement forms and evidence");
    }
    let (mut from_a, mut from_b) = (0, 0);
    for trial in 0..200 {
        // Both replace what is there (--force), so without a lock their files would mix.
        let a = settle_cmd(d, "rates-a.toml", "out", &["--force"])
            .spawn()
            .unwrap();
        let b = settle_cmd(d, "rates-b.toml", "out", &["--force"])
            .spawn()
            .unwrap();
        for (name, child) in [("a", a), ("b", b)] {
            let out = wait_within(child, Duration::from_secs(60), name);
            assert!(out.status.success(), "trial {trial}: run {name} failed");
        }
        for v in vendors {
            let got = set("out", v);
            if got == set("ref-a", v) {
                from_a += 1;
            } else if got == set("ref-b", v) {
                from_b += 1;
            } else {
                panic!("trial {trial}: {v}'s folder mixes the two runs");
            }
        }
        assert!(
            files_under(&d.join("out")).iter().all(|(p, _)| !is_temp(p)),
            "trial {trial}: a temporary was left"
        );
    }
    eprintln!("folders from run a: {from_a}, from run b: {from_b}");
}

#[test]
fn a_second_run_waits_for_the_first_and_says_so() {
    let dir = generated(300);
    let d = dir.path();
    std::fs::create_dir_all(d.join("out")).unwrap();
    let held = File::create(d.join("out").join(LOCK_FILE)).unwrap();
    held.lock().unwrap();
    let stderr_path = d.join("stderr.txt");
    let mut cmd = settle_cmd(d, "rates-a.toml", "out", &[]);
    cmd.stderr(File::create(&stderr_path).unwrap());
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    let waiting = loop {
        let text = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        if text.contains("waiting for another slatement run writing to") {
            break text;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended while the folder was locked: {text}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no waiting message: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        waiting.contains("waiting for another slatement run writing to out…"),
        "{waiting}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "it must wait");
    assert!(
        !d.join("out/2026-10").exists(),
        "nothing is written while another run holds the folder"
    );
    drop(held);
    let out = wait_within(child, Duration::from_secs(60), "the waiting run");
    assert!(out.status.success());
    assert!(d.join("out/2026-10/acme/statement.json").is_file());
}

// ---------------------------------------------------------------------------------------------
// 2. A run is published whole

/// A small xorshift generator: the kill moments vary, the test needs no crate for it.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn a_run_killed_at_any_moment_leaves_no_partial_file_and_the_next_run_cleans_up() {
    let dir = generated(10_000);
    let d = dir.path();
    let start = Instant::now();
    assert!(settle_cmd(d, "rates-a.toml", "ref", &[])
        .status()
        .unwrap()
        .success());
    let first = start.elapsed();
    let reference = published(&d.join("ref"));
    assert!(reference.len() > 10);
    let start = Instant::now();
    assert!(settle_cmd(d, "rates-b.toml", "ref-b", &[])
        .status()
        .unwrap()
        .success());
    // How long a run lasts, by the slower of two.
    let full = first.max(start.elapsed());
    let other = published(&d.join("ref-b"));
    // A file is whole when it is exactly one run's version of it.
    let whole = |p: &Path, bytes: &Vec<u8>| {
        [&reference, &other]
            .iter()
            .any(|set| set.iter().any(|(r, b)| r == p && b == bytes))
    };

    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let (mut with_temporaries, mut with_some_published) = (0, 0);
    for kill in 0..100 {
        // Runs alternate between the two terms and replace what is there (--force); every
        // fourth starts with nothing published (leftover temporaries stay).
        if kill % 4 == 0 {
            for (p, _) in published(&out) {
                if !is_temp(&p) {
                    std::fs::remove_file(out.join(&p)).unwrap();
                }
            }
        }
        let rates = if kill % 2 == 0 {
            "rates-a.toml"
        } else {
            "rates-b.toml"
        };
        // Most kills land late in the run, where the files are written.
        let u = rng.unit();
        let at = if u < 0.25 {
            full.mul_f64(2.0 * u)
        } else {
            full.mul_f64(0.6 + 0.8 * (u - 0.25) / 0.75)
        };
        let mut child = settle_cmd(d, rates, "out", &["--force"]).spawn().unwrap();
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let mut temporaries = 0;
        let mut named = 0;
        for (p, bytes) in published(&out) {
            if is_temp(&p) {
                temporaries += 1;
                continue;
            }
            named += 1;
            assert!(
                whole(&p, &bytes),
                "kill {kill} (seed {seed}) after {at:?}: {} is partial or unknown",
                p.display()
            );
        }
        with_temporaries += usize::from(temporaries > 0);
        with_some_published += usize::from(named > 0);
    }
    eprintln!(
        "100 kills over runs of about {full:?}: {with_temporaries} left temporaries, \
         {with_some_published} left published files"
    );
    // The next run completes or removes every leftover and publishes the same bytes.
    assert!(settle_cmd(d, "rates-a.toml", "out", &["--force"])
        .status()
        .unwrap()
        .success());
    assert_eq!(published(&out), reference, "a re-run gives the same bytes");
    assert!(files_under(&out).iter().all(|(p, _)| !is_temp(p)));
}

#[test]
fn a_refused_statement_writes_nothing_of_the_run() {
    let dir = generated(300);
    let d = dir.path();
    assert!(settle_cmd(d, "rates-a.toml", "out", &[])
        .status()
        .unwrap()
        .success());
    let before = published(&d.join("out"));
    // Evidence of the other terms would differ too; none of it is written when refused.
    let status = settle_cmd(d, "rates-b.toml", "out", &[]).status().unwrap();
    assert_eq!(status.code(), Some(73));
    assert_eq!(published(&d.join("out")), before);
}

// ---------------------------------------------------------------------------------------------
// 3. Modes and paths

/// The example month in `dir/data/2026-10/` and the repository's rates.toml.
fn example() -> TempDir {
    let tmp = TempDir::new().unwrap();
    let month = tmp.path().join("data/2026-10");
    std::fs::create_dir_all(&month).unwrap();
    for f in ["calls.csv", "tickets.csv", "surveys.csv", "orders.csv"] {
        std::fs::copy(
            common::root().join("examples/data/2026-10").join(f),
            month.join(f),
        )
        .unwrap();
    }
    std::fs::copy(common::repo_rates(), tmp.path().join("rates.toml")).unwrap();
    tmp
}

/// Runs `slatement args…` in `dir` under `umask`.
fn with_umask(dir: &Path, umask: &str, args: &[&str]) -> i32 {
    let status = Command::new("sh")
        .current_dir(dir)
        .env("TZ", common::ODD_TZ)
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    status.code().expect("exited")
}

#[test]
fn files_get_the_users_umask_and_force_keeps_an_existing_mode() {
    let dir = example();
    let d = dir.path();
    let settle = |umask: &str, out: &str, rates: &str, force: bool| {
        let mut args = vec![
            "settle",
            "--month",
            "2026-10",
            "--data",
            "data",
            "--rates",
            rates,
            "--out",
            out,
            "--evidence",
            out,
            "--allow-rejects",
            "-q",
        ];
        if force {
            args.push("--force");
        }
        with_umask(d, umask, &args)
    };
    assert_eq!(settle("022", "out", "rates.toml", false), 0);
    let files = published(&d.join("out"));
    assert!(files.len() > 8);
    for (p, _) in &files {
        assert_eq!(mode(&d.join("out").join(p)), 0o644, "{}", p.display());
    }
    assert_eq!(settle("077", "private", "rates.toml", false), 0);
    for (p, _) in published(&d.join("private")) {
        assert_eq!(mode(&d.join("private").join(&p)), 0o600, "{}", p.display());
    }
    // --force replaces the statement and keeps the mode someone gave it.
    let statement = d.join("out/2026-10/acme/statement.json");
    std::fs::set_permissions(&statement, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::read(&statement).unwrap();
    std::fs::write(
        d.join("other.toml"),
        rates_with(&[(
            "phone_effective_call = \"2.00\"",
            "phone_effective_call = \"2.10\"",
        )]),
    )
    .unwrap();
    assert_eq!(settle("022", "out", "other.toml", true), 0);
    assert_ne!(std::fs::read(&statement).unwrap(), before);
    assert_eq!(mode(&statement), 0o640);
    assert_eq!(mode(&d.join("out/2026-10/acme/statement.csv")), 0o644);
    // Keys: the secret one is private whatever the umask.
    assert_eq!(with_umask(d, "000", &["keygen", "--out", "k", "-q"]), 0);
    assert_eq!(mode(&d.join("k.key")), 0o600);
    assert_eq!(mode(&d.join("k.pub")), 0o666);
}

#[test]
fn recorded_paths_are_lexical_and_a_refusal_says_when_only_they_differ() {
    let dir = example();
    let d = dir.path();
    let settle = |extra: &[&str]| {
        let mut args = vec![
            "settle",
            "--month",
            "2026-10",
            "--rates",
            "./rates.toml",
            "--out",
            "out",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run_in(d, &args)
    };
    let out = settle(&["--data", "./data/../data/", "-q"]);
    out.expect(0);
    let s = out.statement("acme");
    assert_eq!(s["inputs"][0]["path"], "data/2026-10/calls.csv");
    assert_eq!(s["rates"]["path"], "rates.toml");
    // The same files named another way: the same statement, left untouched.
    let out = settle(&["--data", "data"]);
    out.expect(0);
    assert!(
        out.stderr
            .contains("unchanged out/2026-10/acme/statement.json"),
        "{}",
        out.stderr
    );
    // A copy of the data elsewhere: the figures are identical, only the recorded paths differ.
    let copy = d.join("copy/2026-10");
    std::fs::create_dir_all(&copy).unwrap();
    for e in std::fs::read_dir(d.join("data/2026-10")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let out = settle(&["--data", "copy"]);
    out.expect(73);
    assert!(
        out.stderr.contains("the figures are identical")
            && out.stderr.contains(
                "inputs.calls.path: \"data/2026-10/calls.csv\" → \"copy/2026-10/calls.csv\""
            ),
        "{}",
        out.stderr
    );
    // Only one vendor asked for: the arguments differ, the figures do not.
    let out = settle(&["--data", "data", "--vendor", "acme"]);
    out.expect(73);
    assert!(
        out.stderr.contains("the figures are identical")
            && out.stderr.contains("arguments.vendor: null → \"acme\""),
        "{}",
        out.stderr
    );
    // Other figures: said so plainly.
    std::fs::write(
        d.join("rates.toml"),
        rates_with(&[(
            "phone_effective_call = \"2.00\"",
            "phone_effective_call = \"2.10\"",
        )]),
    )
    .unwrap();
    let out = settle(&["--data", "data"]);
    out.expect(73);
    assert!(
        out.stderr.contains("it holds a different statement")
            && !out.stderr.contains("the figures are identical"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// 4. verify never hangs or wanders

/// Runs `slatement args…` in `dir`, failing the test if it takes over 60 s.
fn run_bounded(dir: &Path, args: &[&str]) -> Out {
    let child = Command::new(bin())
        .current_dir(dir)
        .env("TZ", common::ODD_TZ)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_within(child, Duration::from_secs(60), &args.join(" "));
    Out {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn verify_refuses_a_device_a_fifo_or_a_folder_named_as_an_input() {
    let dir = example();
    let d = dir.path();
    run_in(
        d,
        &[
            "settle",
            "--month",
            "2026-10",
            "--data",
            "data",
            "--rates",
            "rates.toml",
            "--out",
            "out",
            "-q",
        ],
    )
    .expect(0);
    mkfifo(&d.join("fifo.csv"));
    let original = std::fs::read_to_string(d.join("out/2026-10/acme/statement.json")).unwrap();
    for (role_path, swapped, says) in [
        ("data/2026-10/calls.csv", "/dev/zero", "a device"),
        ("data/2026-10/tickets.csv", "fifo.csv", "a FIFO"),
        ("data/2026-10/surveys.csv", "data", "a folder"),
        ("rates.toml", "fifo.csv", "a FIFO"),
    ] {
        let edited = original.replacen(
            &format!("\"path\": \"{role_path}\""),
            &format!("\"path\": \"{swapped}\""),
            1,
        );
        assert_ne!(edited, original, "{role_path}");
        std::fs::write(d.join("edited.json"), edited).unwrap();
        let out = run_bounded(d, &["verify", "edited.json"]);
        out.expect(66);
        assert!(
            out.stdout
                .contains(&format!("{swapped} is {says}, not a regular file")),
            "{swapped}: {}",
            out.stdout
        );
    }
    // The statement itself.
    for (path, says) in [
        ("/dev/zero", "a device"),
        ("fifo.csv", "a FIFO"),
        ("data", "a folder"),
    ] {
        let out = run_bounded(d, &["verify", path]);
        out.expect(66);
        assert!(out.stderr.contains(says), "{path}: {}", out.stderr);
    }
    // settle too: a device as an input, a FIFO as the rates.
    let out = run_bounded(
        d,
        &[
            "settle",
            "--month",
            "2026-10",
            "--data",
            "data",
            "--calls",
            "/dev/zero",
        ],
    );
    out.expect(66);
    assert!(out.stderr.contains("is a device"), "{}", out.stderr);
    let out = run_bounded(
        d,
        &[
            "settle", "--month", "2026-10", "--data", "data", "--rates", "fifo.csv",
        ],
    );
    out.expect(78);
    assert!(out.stderr.contains("a FIFO"), "{}", out.stderr);
    let out = run_bounded(
        d,
        &[
            "rescore",
            "--month",
            "2026-10",
            "--data",
            "data",
            "--disputes",
            "fifo.csv",
        ],
    );
    out.expect(66);
    assert!(out.stderr.contains("it is a FIFO"), "{}", out.stderr);
    run_bounded(d, &["diff", "/dev/zero", "fifo.csv"]).expect(66);
}

#[test]
fn a_failing_stderr_never_panics_and_the_exit_code_stays_truthful() {
    let dir = example();
    let d = dir.path();
    let full = |args: &[&str]| {
        let out = Command::new(bin())
            .current_dir(d)
            .env("TZ", common::ODD_TZ)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(File::options().write(true).open("/dev/full").unwrap())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let settle = [
        "settle",
        "--month",
        "2026-10",
        "--data",
        "data",
        "--rates",
        "rates.toml",
        "--out",
        "out",
        "--evidence",
        "out",
    ];
    let (code, stdout) = full(&settle);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("Acme"), "{stdout}");
    assert!(d.join("out/2026-10/acme/statement.json").is_file());
    let (code, _) = full(&["verify", "out/2026-10/acme/statement.json"]);
    assert_eq!(code, Some(0));
    // Something to say on a full stderr: a difference, a refusal, an error.
    let calls = d.join("data/2026-10/calls.csv");
    let mut text = std::fs::read_to_string(&calls).unwrap();
    text.push_str(&text.lines().nth(1).unwrap().replacen(',', "7,", 1));
    text.push('\n');
    std::fs::write(&calls, text).unwrap();
    let (code, stdout) = full(&["verify", "out/2026-10/acme/statement.json"]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("changed"), "{stdout}");
    let (code, _) = full(&settle);
    assert_eq!(code, Some(73));
    let (code, _) = full(&["settle", "--month", "2026-10", "--data", "nowhere"]);
    assert_eq!(code, Some(66));
    let (code, stdout) = full(&["keygen", "--out", "k"]);
    assert_eq!(code, Some(0));
    assert_eq!(stdout.trim().len(), 64);
    let (code, _) = full(&["sign", "out/2026-10/acme/statement.json", "--key", "k.key"]);
    assert_eq!(code, Some(0));
}
