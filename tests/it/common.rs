//! A small black-box harness: runs the real `slatement` binary in a fixture folder or a
//! temporary folder, with a fixed odd time zone and the C locale, and returns
//! (exit code, stdout, stderr).

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Headers of the canonical inputs (SPEC §2).
pub const CALLS: &str =
    "contact_id,vendor,channel,stage,category,offered_at,answered_at,ended_at,handled_by";
pub const TICKETS: &str =
    "ticket_id,vendor,kind,category,complexity,created_at,first_reply_at,resolved_at,handled_by";
pub const SURVEYS: &str = "survey_id,vendor,submitted_at,rating,contact_id";
pub const ORDERS: &str = "order_id,vendor,placed_at,amount,status";

/// The time zone every run uses unless a test asks for another: neither UTC nor the contract's.
pub const ODD_TZ: &str = "America/Los_Angeles";

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Parses stdout as JSON (for `--format json`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The statement of `vendor` in a `--format json` array.
    pub fn statement(&self, vendor: &str) -> serde_json::Value {
        let all = self.json();
        all.as_array()
            .expect("a JSON array")
            .iter()
            .find(|s| s["vendor"]["id"] == vendor)
            .cloned()
            .unwrap_or_else(|| panic!("no statement for {vendor} in:\n{}", self.stdout))
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's rates.toml, as an absolute path.
pub fn repo_rates() -> PathBuf {
    root().join("rates.toml")
}

/// The repository's rates.toml as a string argument.
pub fn rates_arg() -> String {
    repo_rates().display().to_string()
}

/// A fixture folder under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(name)
}

/// Runs `slatement args…` in `dir` with TZ = [`ODD_TZ`].
pub fn run_in(dir: &Path, args: &[&str]) -> Out {
    run_in_tz(dir, args, ODD_TZ)
}

/// Runs `slatement args…` in `dir` with the given TZ and LANG=C.
pub fn run_in_tz(dir: &Path, args: &[&str], tz: &str) -> Out {
    run_with_env(dir, args, tz, &[])
}

/// Runs `slatement args…` in `dir` with the given TZ, LANG=C and the variables `env`.
pub fn run_with_env(dir: &Path, args: &[&str], tz: &str, env: &[(&str, &str)]) -> Out {
    let out = Command::cargo_bin("slatement")
        .expect("the slatement binary")
        .current_dir(dir)
        .env("TZ", tz)
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .env_remove("NO_COLOR")
        .env_remove("SLATEMENT_THREADS")
        .env_remove("SLATEMENT_CHUNK_BYTES")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("run slatement");
    Out {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `settle --month <month> --rates <repo rates> --format json extra…` in `dir`.
pub fn settle_json(dir: &Path, month: &str, extra: &[&str]) -> Out {
    let rates = rates_arg();
    let mut args = vec![
        "settle",
        "--month",
        month,
        "--rates",
        rates.as_str(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// Copies a fixture folder (recursively) into a fresh temporary folder.
pub fn copy_fixture(name: &str) -> TempDir {
    let tmp = TempDir::new().expect("temp dir");
    copy_dir(&fixture(name), tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

/// A temporary month folder built from CSV bodies. Each input not given is written header-only,
/// except orders, which is left out unless given.
#[derive(Default)]
pub struct Month {
    calls: Option<String>,
    tickets: Option<String>,
    surveys: Option<String>,
    orders: Option<String>,
    extra: Vec<(String, String)>,
}

impl Month {
    pub fn new() -> Self {
        Month::default()
    }

    /// calls.csv: the canonical header, then `rows` (one per line).
    pub fn calls(mut self, rows: &[&str]) -> Self {
        self.calls = Some(with_header(CALLS, rows));
        self
    }

    pub fn tickets(mut self, rows: &[&str]) -> Self {
        self.tickets = Some(with_header(TICKETS, rows));
        self
    }

    pub fn surveys(mut self, rows: &[&str]) -> Self {
        self.surveys = Some(with_header(SURVEYS, rows));
        self
    }

    pub fn orders(mut self, rows: &[&str]) -> Self {
        self.orders = Some(with_header(ORDERS, rows));
        self
    }

    /// calls.csv exactly as given (own header, own line ends).
    pub fn raw_calls(mut self, text: &str) -> Self {
        self.calls = Some(text.to_string());
        self
    }

    /// Any other file, e.g. a rates file.
    pub fn file(mut self, name: &str, text: &str) -> Self {
        self.extra.push((name.to_string(), text.to_string()));
        self
    }

    /// Writes the folder.
    pub fn build(self) -> TempDir {
        let tmp = TempDir::new().expect("temp dir");
        self.write_into(tmp.path());
        tmp
    }

    /// Writes the files into `dir` (created if needed).
    pub fn write_into(self, dir: &Path) {
        std::fs::create_dir_all(dir).expect("create dir");
        let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).expect("write");
        w("calls.csv", &self.calls.unwrap_or_else(|| line(CALLS)));
        w(
            "tickets.csv",
            &self.tickets.unwrap_or_else(|| line(TICKETS)),
        );
        w(
            "surveys.csv",
            &self.surveys.unwrap_or_else(|| line(SURVEYS)),
        );
        if let Some(o) = self.orders {
            w("orders.csv", &o);
        }
        for (name, text) in &self.extra {
            w(name, text);
        }
    }
}

fn line(s: &str) -> String {
    format!("{s}\n")
}

fn with_header(header: &str, rows: &[&str]) -> String {
    let mut s = line(header);
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

/// The repository's rates.toml with each `(from, to)` text replaced once; panics when a `from`
/// is not found, so a test never silently runs on the unedited contract.
pub fn rates_with(edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(repo_rates()).expect("read rates.toml");
    for (from, to) in edits {
        assert!(
            text.contains(from),
            "rates.toml no longer contains {from:?}; update the test"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

/// The money line `item` of a statement, if any.
pub fn line_of<'a>(statement: &'a serde_json::Value, item: &str) -> Option<&'a serde_json::Value> {
    statement["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["item"] == item)
}

/// The `amount` of money line `item`; panics when the line is missing.
#[track_caller]
pub fn amount_of(statement: &serde_json::Value, item: &str) -> String {
    line_of(statement, item).unwrap_or_else(|| panic!("no line {item} in {:#}", statement["lines"]))
        ["amount"]
        .as_str()
        .expect("amount is a string")
        .to_string()
}

/// The items of every money line, in order.
pub fn items(statement: &serde_json::Value) -> Vec<String> {
    statement["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["item"].as_str().expect("item").to_string())
        .collect()
}

/// An exact decimal read from a JSON string, as (mantissa scaled to 1e-6) for exact sums.
pub fn micro(s: &str) -> i128 {
    let neg = s.starts_with('-');
    let body = s.trim_start_matches(['-', '+']);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    assert!(frac.len() <= 6, "too many decimals in {s}");
    let frac = format!("{frac:0<6}");
    let v: i128 = int.parse::<i128>().expect("integer part") * 1_000_000
        + frac.parse::<i128>().expect("fraction part");
    if neg {
        -v
    } else {
        v
    }
}

/// Every file under `dir`, by path relative to it, with its bytes, sorted by path.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("read file");
                all.push((p.strip_prefix(dir).expect("under dir").to_path_buf(), bytes));
            }
        }
    }
    all.sort();
    all
}
