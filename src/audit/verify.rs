//! Re-derives sealed statements from what they record (SPEC §6 `verify`).
//!
//! A statement is sealed by what it records: the program (`tool`), the arguments that change
//! figures (`arguments`: month, `--as-of`, `--vendor`, and `--disputes` of `rescore`), each input
//! file and the rates file with its SHA-256 (`inputs`, `rates`), and for a re-scored statement
//! the disputes file with its SHA-256 (`disputes`), applied again from its recorded path. [`verify`] settles the month again exactly as recorded — the
//! same library call `settle` makes, with the recorded arguments and the recorded paths (or the
//! files of `--data DIR`, found as `settle` finds them, and `--rates FILE`) — as if
//! `--allow-rejects` were given, picks the re-derived statement of the same vendor, and compares
//! it with the recorded one through [`crate::audit::diff`]. Paths are where the files
//! were read, not figures: the re-derived statement takes the recorded paths before the
//! comparison, so a copy of the data elsewhere verifies.
//!
//! The result is a plain [`Verification`], rendered as text ([`render_text`]) or as the JSON
//! `slatement.verify.v1` ([`render_json`]); [`Verification::exit_code`] says how `verify` exits.

use crate::audit::diff::{self, Diff, Statements, Status, VendorDiff};
use crate::audit::seal::{self, PublicKey, SealCheck};
use crate::base::timestamp::{Instant, Month};
use crate::base::word::Word;
use crate::contract::rates::Rates;
use crate::error::ExitCode;
use crate::error::{Error, Result};
use crate::input::source::InputFile;
use crate::input::{hex, Role};
use crate::month::{data_dir, data_file, register_path, settle, InputPaths, Run};
use crate::statement::{Arguments, Statement};
use crate::tally::disputes::Disputes;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The JSON schema name of a verification report.
pub const SCHEMA: &str = "slatement.verify.v1";

/// How many hex digits of a SHA-256 the text report shows.
const SHOWN_HASH: usize = 12;

// ---------------------------------------------------------------------------------------------
// Reading sealed statements

/// A file as a statement records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The path as given when settling.
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// The mapping profile a statement records for an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedProfile {
    /// A built-in name or a profile file's path.
    pub name: String,
    /// SHA-256 of the profile's text.
    pub sha256: String,
    /// The vendor the run gave every row.
    pub vendor: Option<String>,
}

impl RecordedProfile {
    /// Loads the profile again, as settle loaded it.
    pub fn load(&self, role: Role) -> Result<crate::input::profile::Profile> {
        let mut p = crate::input::profile::load(&self.name, role, Path::new("."))?;
        if let Some(v) = &self.vendor {
            p.set_vendor(v);
        }
        Ok(p)
    }
}

/// One recorded statement with its seal.
#[derive(Debug, Clone, PartialEq)]
pub struct Sealed {
    /// The statement as recorded.
    pub statement: Statement,
    /// The same as the file holds it, for its seal: a signature covers the statement as
    /// written, keys this version does not read included.
    pub json: Value,
    /// Vendor id.
    pub vendor: String,
    /// Vendor name.
    pub name: String,
    /// The settled month.
    pub month: Month,
    /// The program that settled: `tool.name` and `tool.version`.
    pub tool: (String, String),
    /// The recorded arguments.
    pub arguments: Arguments,
    /// `arguments.as_of` as an instant.
    pub as_of: Option<Instant>,
    /// Each input read, in recorded order.
    pub inputs: Vec<(Role, Recorded)>,
    /// The rates file.
    pub rates: Recorded,
    /// The disputes file of a re-scored statement.
    pub disputes: Option<Recorded>,
    /// The mapping profile each foreign input was read through.
    pub profiles: Vec<(Role, RecordedProfile)>,
    /// Rejected rows the statement counts, over every input.
    pub rejected: u64,
    /// The file's bytes are not exactly as slatement writes them (re-indented, a byte order
    /// mark, trailing text): harmless for an unsigned statement, a broken seal for a signed one.
    pub relaid: bool,
}

/// Parses JSON text (a UTF-8 byte order mark is allowed) into sealed statements; the error says
/// what is wrong, naming the statement and the key.
pub fn parse(bytes: &[u8]) -> std::result::Result<Vec<Sealed>, String> {
    let raw = bytes;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let relaid = relaid(raw, &value);
    let as_held: Vec<Value> = match &value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    // Read as `diff` reads statements: the schema, then every key of the statement.
    let statements = Statements::from_value(value)?;
    statements
        .entries()
        .zip(as_held)
        .map(|((index, statement), json)| {
            Sealed::read(statement.clone(), json, index).map(|mut s| {
                s.relaid = relaid;
                s
            })
        })
        .collect()
}

/// Each signature of a seal, checked: `{"signer", "trusted" (the key's name, or null),
/// "valid", "problem"}`.
fn signatures_json(seal: &SealCheck) -> Value {
    seal.signatures
        .iter()
        .map(|sig| {
            json!({
                "signer": sig.signer,
                "trusted": sig.trusted.as_ref().map(PublicKey::shown),
                "valid": sig.problem.is_none(),
                "problem": sig.problem,
            })
        })
        .collect()
}

/// Each trusted key that did not sign: `{"key", "signer"}`.
fn unsigned_trusted_json(seal: &SealCheck) -> Value {
    seal.missing
        .iter()
        .map(|k| json!({"key": k.shown(), "signer": k.hex}))
        .collect()
}

/// True when `raw` is not exactly the bytes slatement writes for `value`.
fn relaid(raw: &[u8], value: &Value) -> bool {
    let mut written = serde_json::to_string_pretty(value).expect("JSON serializes");
    written.push('\n');
    written.as_bytes() != raw
}

/// The seal of every statement in a file, checked before anything else is read from it (a
/// signed statement changed so far that it no longer reads as a statement still fails on its
/// seal; an unsigned one fails at once when keys are trusted): None when the file is not JSON or
/// every seal holds; otherwise the seals that do not, rendered as text or JSON.
pub fn seal_first(bytes: &[u8], trust: &[PublicKey], json_report: bool) -> Option<String> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(text).ok()?;
    let relaid = relaid(bytes, &value);
    let items: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut broken = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.get("signatures").is_none() && trust.is_empty() {
            continue;
        }
        let mut seal = seal::check(item, trust);
        if relaid && item.get("signatures").is_some() && seal.malformed.is_none() {
            seal.malformed = Some(
                "the file was changed after it was signed: its bytes are not as slatement writes them"
                    .to_string(),
            );
        }
        if !seal.holds() {
            let text = |pointer: &str| item.pointer(pointer).and_then(Value::as_str).unwrap_or("?");
            let label = format!(
                "{} ({}) · {}",
                text("/vendor/name"),
                text("/vendor/id"),
                text("/month")
            );
            broken.push((i, label, seal));
        }
    }
    if broken.is_empty() {
        return None;
    }
    if json_report {
        let statements: Vec<Value> = broken
            .iter()
            .map(|(i, label, seal)| {
                json!({
                    "index": i,
                    "statement": label,
                    "verified": false,
                    "sealed": false,
                    "signatures": signatures_json(seal),
                    "unsigned_trusted": unsigned_trusted_json(seal),
                    "seal_problem": seal.malformed,
                    "result": "seal_broken",
                })
            })
            .collect();
        let mut s = serde_json::to_string_pretty(&json!({
            "schema": SCHEMA,
            "verified": false,
            "exit_code": ExitCode::Differs.code(),
            "statements": statements,
        }))
        .expect("JSON serializes");
        s.push('\n');
        return Some(s);
    }
    let mut sections = Vec::new();
    for (_, label, seal) in &broken {
        let mut lines = vec![label.clone()];
        lines.extend(seal_lines(seal));
        lines.push("  statement: not re-derived: its seal does not hold".to_string());
        sections.push(lines.join("\n") + "\n");
    }
    Some(sections.join("\n"))
}

impl Sealed {
    /// Reads the seal of a statement; `json` is the statement as the file holds it and `index`
    /// its place in an array (None: the file's only statement).
    fn read(
        statement: Statement,
        json: Value,
        index: Option<usize>,
    ) -> std::result::Result<Sealed, String> {
        let vendor = statement.vendor.id.clone();
        let name = statement.vendor.name.clone();
        let month_text = statement.month.clone();
        let label = match index {
            Some(i) => format!("statement [{i}] ({vendor} {month_text})"),
            None => format!("the statement ({vendor} {month_text})"),
        };
        let fail = |e: String| format!("{label}: {e}");
        let month = Month::parse(&month_text)
            .ok_or_else(|| fail(format!("`month` is \"{month_text}\", expected YYYY-MM")))?;
        let (Some(tool), Some(arguments)) = (&statement.tool, &statement.arguments) else {
            return Err(fail(
                "it is not sealed (no `tool` and `arguments`: it was settled by an earlier \
                 slatement); settle the month again to seal it"
                    .to_string(),
            ));
        };
        let tool = (tool.name.clone(), tool.version.clone());
        let arguments = arguments.clone();
        if arguments.month != month_text {
            return Err(fail(format!(
                "`arguments.month` is \"{}\" but the statement is of {month_text}",
                arguments.month
            )));
        }
        if let Some(v) = arguments.vendor.as_deref().filter(|v| *v != vendor) {
            return Err(fail(format!(
                "`arguments.vendor` is \"{v}\" but the statement is of vendor {vendor}"
            )));
        }
        let as_of = match &arguments.as_of {
            None => None,
            Some(s) => Some(
                chrono::DateTime::parse_from_rfc3339(s)
                    .map(|t| Instant::from_datetime(&t))
                    .map_err(|_| {
                        fail(format!("`arguments.as_of` is \"{s}\", expected RFC 3339"))
                    })?,
            ),
        };
        let mut inputs: Vec<(Role, Recorded)> = Vec::new();
        let mut profiles: Vec<(Role, RecordedProfile)> = Vec::new();
        for (i, input) in statement.inputs.iter().enumerate() {
            let role = input.role;
            if inputs.iter().any(|(r, _)| *r == role) {
                return Err(fail(format!(
                    "`inputs[{i}]` records the {} input a second time",
                    role.as_str()
                )));
            }
            inputs.push((
                role,
                Recorded {
                    path: input.path.clone(),
                    sha256: input.sha256.clone(),
                },
            ));
            if let Some(p) = &input.profile {
                profiles.push((
                    role,
                    RecordedProfile {
                        name: p.name.clone(),
                        sha256: p.sha256.clone(),
                        vendor: p.vendor.clone(),
                    },
                ));
            }
        }
        let rates = Recorded {
            path: statement.rates.path.clone(),
            sha256: statement.rates.sha256.clone(),
        };
        let disputes = statement.disputes.as_ref().map(|d| Recorded {
            path: d.path.clone(),
            sha256: d.sha256.clone(),
        });
        if arguments.disputes.as_deref() != disputes.as_ref().map(|d| d.path.as_str()) {
            let show =
                |v: Option<&str>| v.map_or_else(|| "null".to_string(), |p| format!("\"{p}\""));
            return Err(fail(format!(
                "`arguments.disputes` is {} but `disputes.path` is {}",
                show(arguments.disputes.as_deref()),
                show(disputes.as_ref().map(|d| d.path.as_str()))
            )));
        }
        let rejected = rejected_rows(&statement);
        Ok(Sealed {
            statement,
            json,
            vendor,
            name,
            month,
            tool,
            arguments,
            as_of,
            inputs,
            rates,
            disputes,
            profiles,
            rejected,
            relaid: false,
        })
    }
}

/// The rejected rows a statement counts, over every input role.
fn rejected_rows(statement: &Statement) -> u64 {
    statement.counts.0.iter().map(|(_, c)| c.rejected).sum()
}

// ---------------------------------------------------------------------------------------------
// The verification

/// Where to read from instead of the recorded paths.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--data DIR`: the month's files of DIR, found as `settle` finds them (`DIR/<month>/`
    /// when it exists, else `DIR/`), instead of the recorded input paths.
    pub data: Option<PathBuf>,
    /// `--rates FILE` instead of the recorded rates path.
    pub rates: Option<PathBuf>,
    /// `--trust PUBKEY…`: keys each of which must have signed every statement.
    pub trust: Vec<PublicKey>,
}

/// How a file compares with what the statement records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Same SHA-256.
    Unchanged,
    /// Another SHA-256.
    Changed {
        /// The SHA-256 now.
        sha256: String,
    },
    /// Not found (or not readable) where it was looked for.
    Missing,
    /// Found under `--data` though the statement did not read it (an orders file added).
    Added {
        /// Its SHA-256.
        sha256: String,
    },
}

impl FileStatus {
    /// The JSON name.
    pub fn as_str(&self) -> &'static str {
        match self {
            FileStatus::Unchanged => "unchanged",
            FileStatus::Changed { .. } => "changed",
            FileStatus::Missing => "missing",
            FileStatus::Added { .. } => "added",
        }
    }
}

/// One input file or the rates file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// `calls`, `tickets`, `surveys`, `orders`, `disputes`, or `rates`.
    pub role: &'static str,
    /// What the statement records; None for a file it did not read.
    pub recorded: Option<Recorded>,
    /// Where the file was looked for now.
    pub path: String,
    /// How it compares.
    pub status: FileStatus,
}

/// How the re-derived statement compares with the recorded one.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Identical JSON.
    Identical,
    /// They differ: the figures that moved and the other parts that differ.
    Differs(VendorDiff),
    /// The re-derivation settled no statement for this vendor (the reason in words).
    Absent(String),
    /// The month could not be settled again: an input missing (66), bad rates (78), an
    /// unusable input file (65), an I/O error (74).
    NotRederived {
        /// What went wrong and what to do.
        reason: String,
        /// The exit code it calls for.
        exit_code: ExitCode,
    },
}

/// One recorded statement, verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Vendor id.
    pub vendor: String,
    /// Vendor name.
    pub name: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The recorded program: name and version.
    pub tool: (String, String),
    /// The recorded arguments, used again.
    pub arguments: Arguments,
    /// Each input (in role order), the disputes file of a re-scored statement, and the rates
    /// file (last).
    pub files: Vec<FileCheck>,
    /// Rows of this vendor rejected on re-derivation; None when not re-derived.
    pub rejected: Option<u64>,
    /// Rows of this vendor the recorded statement counts as rejected.
    pub recorded_rejected: u64,
    /// How the statements compare.
    pub outcome: Outcome,
    /// Its signatures, checked against the trusted keys.
    pub seal: SealCheck,
}

impl Check {
    /// True when every file is unchanged and the statement identical.
    pub fn is_verified(&self) -> bool {
        self.outcome == Outcome::Identical
            && self.files.iter().all(|f| f.status == FileStatus::Unchanged)
            && self.seal.holds()
    }
}

/// Every recorded statement of a file, verified, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// One check per recorded statement.
    pub checks: Vec<Check>,
}

impl Verification {
    /// True when every input and rates hash matches and every statement is identical.
    pub fn is_verified(&self) -> bool {
        self.checks.iter().all(Check::is_verified)
    }

    /// How `verify` exits (SPEC §6): 1 when a seal does not hold (a signature that no longer
    /// matches, a trusted key that did not sign) — the statement itself is in question, whatever
    /// re-deriving gives; else 66 when a recorded input is missing, 78 when the rates do not
    /// load, 65 when an input cannot be read as CSV, 74 on an I/O error; otherwise 0 when
    /// everything matches and 1 when anything differs.
    pub fn exit_code(&self) -> ExitCode {
        if self.checks.iter().any(|c| !c.seal.holds()) {
            return ExitCode::Differs;
        }
        let codes: Vec<ExitCode> = self
            .checks
            .iter()
            .filter_map(|c| match c.outcome {
                Outcome::NotRederived { exit_code, .. } => Some(exit_code),
                _ => None,
            })
            .collect();
        if let Some(code) = [
            ExitCode::NoInput,
            ExitCode::Config,
            ExitCode::DataErr,
            ExitCode::IoErr,
        ]
        .into_iter()
        .find(|c| codes.contains(c))
        .or_else(|| codes.first().copied())
        {
            return code;
        }
        if self.is_verified() {
            ExitCode::Success
        } else {
            ExitCode::Differs
        }
    }
}

/// SHA-256 of a regular file's bytes; None when it cannot be read (or is a device, a FIFO or
/// a folder, which is never read).
fn sha256_of(path: &Path) -> Option<String> {
    let mut file = crate::base::files::open_regular(path).ok()?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(hex(&hasher.finalize()))
}

/// What one settle run gave; statements sharing arguments and files share one run.
/// What makes two runs the same: month, as-of, vendor, input paths, rates path, disputes path.
type RunKey = (
    String,
    Option<String>,
    Option<String>,
    Vec<PathBuf>,
    PathBuf,
    Option<PathBuf>,
);

struct Rerun {
    key: RunKey,
    /// SHA-256 of each input read, by role, of the rates file and of the disputes file.
    inputs: Vec<(Role, Option<String>)>,
    rates: Option<String>,
    disputes: Option<String>,
    result: std::result::Result<Settled, Failure>,
}

struct Settled {
    statements: Vec<Statement>,
    notices: Vec<String>,
    declared: Vec<String>,
    rates_path: String,
}

enum Failure {
    /// The arguments no longer apply (an undeclared `--vendor`): the statement is absent.
    Absent(String),
    /// Settling failed.
    Error(String, ExitCode),
}

fn rerun(key: RunKey, sealed: &Sealed, inputs: &[(Role, PathBuf)], rates_path: &Path) -> Rerun {
    let hashed = || -> Vec<(Role, Option<String>)> {
        inputs.iter().map(|(r, p)| (*r, sha256_of(p))).collect()
    };
    let disputes_path = key.5.clone();
    let disputes_hash = || disputes_path.as_deref().and_then(sha256_of);
    let failed = |key, rates, failure| Rerun {
        key,
        inputs: hashed(),
        rates,
        disputes: disputes_hash(),
        result: Err(failure),
    };
    let rates = match Rates::load(rates_path) {
        Ok(r) => r,
        Err(e) => {
            return failed(
                key,
                sha256_of(rates_path),
                Failure::Error(e.to_string(), e.exit_code()),
            )
        }
    };
    let disputes = match disputes_path.as_deref().map(Disputes::load).transpose() {
        Ok(d) => d,
        Err(e) => {
            return failed(
                key,
                Some(rates.sha256.clone()),
                Failure::Error(e.to_string(), e.exit_code()),
            )
        }
    };
    let mut files = Vec::with_capacity(inputs.len());
    for (role, path) in inputs {
        let profile = match sealed.profiles.iter().find(|(r, _)| r == role) {
            None => None,
            Some((_, p)) => match p.load(*role) {
                Ok(p) => Some(p),
                Err(e) => {
                    return failed(
                        key,
                        Some(rates.sha256.clone()),
                        Failure::Error(e.to_string(), e.exit_code()),
                    )
                }
            },
        };
        files.push(InputFile::new(*role, path.clone(), profile));
    }
    let paths = InputPaths { files };
    let run = Run {
        rates: &rates,
        month: Some(sealed.month),
        as_of: sealed.as_of,
        vendor: sealed.arguments.vendor.clone(),
        inputs: &paths,
        disputes: disputes.as_ref(),
        allow_outside_period: sealed.arguments.allow_outside_period,
    };
    let result = match settle(&run) {
        Ok(s) => s,
        Err(e) => {
            let failure = match e {
                Error::Usage(m) => Failure::Absent(m),
                e => Failure::Error(e.to_string(), e.exit_code()),
            };
            return failed(key, Some(rates.sha256.clone()), failure);
        }
    };
    Rerun {
        key,
        inputs: result
            .files
            .iter()
            .map(|f| (f.role, Some(f.sha256.clone())))
            .collect(),
        rates: Some(rates.sha256.clone()),
        disputes: disputes.map(|d| d.sha256),
        result: Ok(Settled {
            statements: result.statements,
            notices: result.notices,
            declared: rates.vendors.iter().map(|v| v.id.clone()).collect(),
            rates_path: rates_path.display().to_string(),
        }),
    }
}

fn file_status(recorded: Option<&Recorded>, now: Option<&String>) -> FileStatus {
    match (recorded, now) {
        (_, None) => FileStatus::Missing,
        (Some(r), Some(s)) if r.sha256 == *s => FileStatus::Unchanged,
        (Some(_), Some(s)) => FileStatus::Changed { sha256: s.clone() },
        (None, Some(s)) => FileStatus::Added { sha256: s.clone() },
    }
}

/// Verifies each sealed statement: settles its month again with the recorded arguments from the
/// recorded files (or those of `options`), as if `--allow-rejects` were given, and compares.
/// Statements that share arguments and files (an array printed by one `settle`) share one run.
pub fn verify(sealed: &[Sealed], options: &Options) -> Verification {
    let mut runs: Vec<Rerun> = Vec::new();
    let mut checks = Vec::with_capacity(sealed.len());
    for s in sealed {
        // Where each input is looked for now, with what the statement records of it.
        let mut wanted: Vec<(Role, Option<&Recorded>, PathBuf)> = Vec::new();
        match &options.data {
            Some(data) => {
                let dir = data_dir(data, Some(s.month));
                for role in Role::INPUTS {
                    let recorded = s.inputs.iter().find(|(r, _)| *r == role).map(|(_, x)| x);
                    let path = match role {
                        Role::Incidents => register_path(data, Some(s.month)),
                        _ => data_file(&dir, role),
                    };
                    if recorded.is_some() || path.is_file() {
                        wanted.push((role, recorded, path));
                    }
                }
            }
            None => {
                for (role, recorded) in &s.inputs {
                    wanted.push((*role, Some(recorded), PathBuf::from(&recorded.path)));
                }
            }
        }
        let rates_path = options
            .rates
            .clone()
            .unwrap_or_else(|| PathBuf::from(&s.rates.path));
        // The disputes file of a re-scored statement is read where it was recorded.
        let disputes_path = s.disputes.as_ref().map(|d| PathBuf::from(&d.path));
        // A recorded path that is a device, a FIFO or a folder is refused like a missing file:
        // it is never read.
        let unusable = |what: String, p: &Path| {
            crate::base::files::unusable(p).map(|why| match why.as_str() {
                "missing" => format!("{what} missing at {}", p.display()),
                _ => format!("{what} at {} is {why}", p.display()),
            })
        };
        let missing: Vec<String> = wanted
            .iter()
            .filter_map(|(role, _, p)| unusable(format!("{} input", role.as_str()), p))
            .chain(unusable("rates file".to_string(), &rates_path))
            .chain(
                disputes_path
                    .as_ref()
                    .and_then(|p| unusable("disputes file".to_string(), p)),
            )
            .collect();

        let (input_hashes, rates_hash, disputes_hash, outcome, rejected) = if !missing.is_empty() {
            let hint = if options.data.is_some() {
                "restore it, or give --data DIR and --rates FILE where the recorded files are"
            } else {
                "restore it, or give --data DIR (and --rates FILE) where copies of the recorded files are"
            };
            (
                wanted
                    .iter()
                    .map(|(r, _, p)| (*r, sha256_of(p)))
                    .collect::<Vec<_>>(),
                sha256_of(&rates_path),
                disputes_path.as_deref().and_then(sha256_of),
                Outcome::NotRederived {
                    reason: format!("{}; {hint}", missing.join(", ")),
                    exit_code: ExitCode::NoInput,
                },
                None,
            )
        } else {
            let inputs: Vec<(Role, PathBuf)> =
                wanted.iter().map(|(r, _, p)| (*r, p.clone())).collect();
            let key: RunKey = (
                s.arguments.month.clone(),
                s.arguments.as_of.clone(),
                s.arguments.vendor.clone(),
                inputs.iter().map(|(_, p)| p.clone()).collect(),
                rates_path.clone(),
                disputes_path.clone(),
            );
            let run = match runs.iter().position(|r| r.key == key) {
                Some(i) => &runs[i],
                None => {
                    runs.push(rerun(key, s, &inputs, &rates_path));
                    runs.last().expect("just pushed")
                }
            };
            let (outcome, rejected) = compare(s, run);
            (
                run.inputs.clone(),
                run.rates.clone(),
                run.disputes.clone(),
                outcome,
                rejected,
            )
        };

        let mut files: Vec<FileCheck> = wanted
            .iter()
            .map(|(role, recorded, path)| {
                let now = input_hashes
                    .iter()
                    .find(|(r, _)| r == role)
                    .and_then(|(_, h)| h.as_ref());
                FileCheck {
                    role: role.as_str(),
                    recorded: recorded.cloned(),
                    path: path.display().to_string(),
                    status: file_status(*recorded, now),
                }
            })
            .collect();
        if let (Some(recorded), Some(path)) = (&s.disputes, &disputes_path) {
            files.push(FileCheck {
                role: "disputes",
                recorded: Some(recorded.clone()),
                path: path.display().to_string(),
                status: file_status(Some(recorded), disputes_hash.as_ref()),
            });
        }
        for (role, recorded) in &s.profiles {
            let now = recorded.load(*role).ok().map(|p| p.sha256);
            let as_file = Recorded {
                path: recorded.name.clone(),
                sha256: recorded.sha256.clone(),
            };
            files.push(FileCheck {
                role: match role {
                    Role::Calls => "calls profile",
                    Role::Tickets => "tickets profile",
                    Role::Surveys => "surveys profile",
                    Role::Orders => "orders profile",
                    Role::Incidents => "incidents profile",
                    Role::Claim | Role::ClaimRecords => "claim profile",
                },
                status: file_status(Some(&as_file), now.as_ref()),
                path: recorded.name.clone(),
                recorded: Some(as_file),
            });
        }
        files.push(FileCheck {
            role: "rates",
            recorded: Some(s.rates.clone()),
            path: rates_path.display().to_string(),
            status: file_status(Some(&s.rates), rates_hash.as_ref()),
        });
        checks.push(Check {
            seal: {
                let mut seal = seal::check(&s.json, &options.trust);
                if s.relaid && !seal.signatures.is_empty() && seal.malformed.is_none() {
                    seal.malformed = Some(
                        "the file was changed after it was signed: its bytes are not as slatement writes them"
                            .to_string(),
                    );
                }
                seal
            },
            vendor: s.vendor.clone(),
            name: s.name.clone(),
            month: s.month.to_string(),
            tool: s.tool.clone(),
            arguments: s.arguments.clone(),
            files,
            rejected,
            recorded_rejected: s.rejected,
            outcome,
        });
    }
    Verification { checks }
}

/// Compares a recorded statement with its re-derivation.
fn compare(s: &Sealed, run: &Rerun) -> (Outcome, Option<u64>) {
    let settled = match &run.result {
        Ok(settled) => settled,
        Err(Failure::Absent(m)) => return (Outcome::Absent(m.clone()), None),
        Err(Failure::Error(m, code)) => {
            return (
                Outcome::NotRederived {
                    reason: m.clone(),
                    exit_code: *code,
                },
                None,
            )
        }
    };
    let month = s.month.to_string();
    let found = settled
        .statements
        .iter()
        .find(|st| st.vendor.id == s.vendor && st.month == month);
    let Some(found) = found else {
        let reason = if !settled.declared.contains(&s.vendor) {
            format!(
                "vendor {} is not declared in {}",
                s.vendor, settled.rates_path
            )
        } else {
            let prefix = format!("vendor {}:", s.vendor);
            let notes: Vec<&str> = settled
                .notices
                .iter()
                .filter(|n| n.starts_with(&prefix))
                .map(String::as_str)
                .collect();
            if notes.is_empty() {
                format!("no statement of vendor {} was settled", s.vendor)
            } else {
                notes.join("; ")
            }
        };
        return (Outcome::Absent(reason), None);
    };
    // Paths are where the files were read, not figures: the recorded ones stand.
    let mut new = found.clone();
    for input in &mut new.inputs {
        if let Some((_, r)) = s.inputs.iter().find(|(x, _)| *x == input.role) {
            input.path = r.path.clone();
        }
    }
    new.rates.path = s.rates.path.clone();
    let rejected = rejected_rows(&new);
    // The seal is checked on its own; the figures are compared without it.
    let mut recorded = s.statement.clone();
    recorded.signatures.clear();
    let d = diff::diff(&Statements::of(&[recorded]), &Statements::of(&[new]));
    let vd = d
        .vendors
        .into_iter()
        .next()
        .expect("one vendor and month on both sides");
    let outcome = match vd.status {
        Status::Equal => Outcome::Identical,
        _ => Outcome::Differs(vd),
    };
    (outcome, Some(rejected))
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn short(sha: &str) -> String {
    match sha.char_indices().nth(SHOWN_HASH) {
        Some((i, _)) => format!("{}…", &sha[..i]),
        None => sha.to_string(),
    }
}

/// The command line the recorded arguments stand for.
fn arguments_text(a: &Arguments) -> String {
    let mut s = format!("--month {}", a.month);
    if let Some(t) = &a.as_of {
        s.push_str(&format!(" --as-of {t}"));
    }
    if let Some(v) = &a.vendor {
        s.push_str(&format!(" --vendor {v}"));
    }
    if let Some(d) = &a.disputes {
        s.push_str(&format!(" --disputes {d}"));
    }
    s
}

fn status_text(f: &FileCheck) -> String {
    match (&f.status, &f.recorded) {
        (FileStatus::Unchanged, _) => "unchanged".to_string(),
        (FileStatus::Changed { sha256 }, Some(r)) => {
            format!("changed (sha256 {} → {})", short(&r.sha256), short(sha256))
        }
        (FileStatus::Changed { sha256 }, None) => format!("changed (sha256 {})", short(sha256)),
        (FileStatus::Missing, _) => "missing".to_string(),
        (FileStatus::Added { sha256 }, _) => {
            format!("added (not read when settled; sha256 {})", short(sha256))
        }
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The seal of a statement, a line per signature and per trusted key that did not sign
/// (nothing for an unsigned statement when no key is trusted).
fn seal_lines(seal: &SealCheck) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(m) = &seal.malformed {
        lines.push(format!("  seal: broken: {m}"));
    }
    for sig in &seal.signatures {
        let who = match &sig.trusted {
            Some(k) if k.file.is_some() => format!("{} ({}, trusted)", sig.signer, k.shown()),
            Some(_) => format!("{} (trusted)", sig.signer),
            None => sig.signer.clone(),
        };
        match &sig.problem {
            None => lines.push(format!("  signed by {who}: valid")),
            Some(p) => lines.push(format!("  signature of {who}: INVALID: {p}")),
        }
    }
    // A trusted key whose signature is there but invalid is named above.
    for k in seal
        .missing
        .iter()
        .filter(|k| !seal.signatures.iter().any(|s| s.signer == k.hex))
    {
        lines.push(format!(
            "  trusted key {} ({}): no valid signature",
            k.shown(),
            k.hex
        ));
    }
    lines
}

/// The verification as a readable report: a section per statement with the recorded arguments,
/// a line per file (unchanged, changed with both hashes, missing, added), the rows rejected on
/// re-derivation, and whether the statement is identical — or each figure that moved, as
/// `slatement diff` shows it.
pub fn render_text(v: &Verification) -> String {
    let mut sections = Vec::new();
    for c in &v.checks {
        let mut lines = vec![
            format!("{} ({}) · {}", c.name, c.vendor, c.month),
            format!(
                "  settled by {} {} with {}",
                c.tool.0,
                c.tool.1,
                arguments_text(&c.arguments)
            ),
        ];
        let paths: Vec<String> = c
            .files
            .iter()
            .map(|f| match &f.recorded {
                Some(r) if r.path != f.path => format!("{} (recorded {})", f.path, r.path),
                _ => f.path.clone(),
            })
            .collect();
        let role_w = c.files.iter().map(|f| width(f.role)).max().unwrap_or(0);
        let path_w = paths.iter().map(|p| width(p)).max().unwrap_or(0);
        for (f, p) in c.files.iter().zip(&paths) {
            lines.push(format!(
                "  {}{}  {}{}  {}",
                f.role,
                " ".repeat(role_w - width(f.role)),
                p,
                " ".repeat(path_w - width(p)),
                status_text(f)
            ));
        }
        if let Some(n) = c.rejected {
            let mut line = format!("  rows rejected on re-derivation: {n}");
            if n != c.recorded_rejected {
                line.push_str(&format!(" (the statement counts {})", c.recorded_rejected));
            }
            lines.push(line);
        }
        lines.extend(seal_lines(&c.seal));
        match &c.outcome {
            Outcome::Identical => lines.push("  statement: identical".to_string()),
            Outcome::Differs(vd) => {
                lines.push("  statement: differs".to_string());
                // The files above say why; the diff shows what moved.
                let mut shown = vd.clone();
                shown.causes.clear();
                let text = diff::render_text(&Diff {
                    vendors: vec![shown],
                });
                lines.extend(text.lines().skip(1).map(|l| format!("  {l}")));
            }
            Outcome::Absent(reason) => {
                lines.push(format!("  statement: not settled again: {reason}"))
            }
            Outcome::NotRederived { reason, .. } => lines.push(format!(
                "  statement: not re-derived: {}",
                reason.trim_end().replace('\n', "\n    ")
            )),
        }
        sections.push(lines.join("\n") + "\n");
    }
    sections.join("\n")
}

/// The verification as JSON (`slatement.verify.v1`): `verified`, `exit_code`, and per statement
/// its vendor, month, recorded `tool` and `arguments`, `files` (role, path, recorded path and
/// SHA-256, SHA-256 now, status), `rejected` on re-derivation, `result` (`identical`, `differs`,
/// `absent`, `not_rederived`), the `changes` and `also_differ` of `slatement diff`'s JSON, and a
/// `reason` when not re-derived.
pub fn to_json(v: &Verification) -> Value {
    let statements: Vec<Value> = v
        .checks
        .iter()
        .map(|c| {
            let files: Vec<Value> = c
                .files
                .iter()
                .map(|f| {
                    let now = match &f.status {
                        FileStatus::Unchanged => f.recorded.as_ref().map(|r| r.sha256.clone()),
                        FileStatus::Changed { sha256 } | FileStatus::Added { sha256 } => {
                            Some(sha256.clone())
                        }
                        FileStatus::Missing => None,
                    };
                    json!({
                        "role": f.role,
                        "path": f.path,
                        "status": f.status.as_str(),
                        "recorded_path": f.recorded.as_ref().map(|r| &r.path),
                        "recorded_sha256": f.recorded.as_ref().map(|r| &r.sha256),
                        "sha256": now,
                    })
                })
                .collect();
            let (result, changes, also_differ, reason) = match &c.outcome {
                Outcome::Identical => ("identical", json!([]), json!([]), None),
                Outcome::Differs(vd) => {
                    let d = diff::to_json(&Diff {
                        vendors: vec![vd.clone()],
                    });
                    (
                        "differs",
                        d["vendors"][0]["changes"].clone(),
                        d["vendors"][0]["also_differ"].clone(),
                        None,
                    )
                }
                Outcome::Absent(r) => ("absent", json!([]), json!([]), Some(r.clone())),
                Outcome::NotRederived { reason, .. } => {
                    ("not_rederived", json!([]), json!([]), Some(reason.clone()))
                }
            };
            json!({
                "vendor": c.vendor,
                "name": c.name,
                "month": c.month,
                "tool": {"name": c.tool.0, "version": c.tool.1},
                "arguments": c.arguments,
                "files": files,
                "rejected": c.rejected,
                "recorded_rejected": c.recorded_rejected,
                "verified": c.is_verified(),
                "sealed": c.seal.holds(),
                "signatures": signatures_json(&c.seal),
                "unsigned_trusted": unsigned_trusted_json(&c.seal),
                "seal_problem": c.seal.malformed,
                "result": result,
                "changes": changes,
                "also_differ": also_differ,
                "reason": reason,
            })
        })
        .collect();
    json!({
        "schema": SCHEMA,
        "verified": v.is_verified(),
        "exit_code": v.exit_code().code(),
        "statements": statements,
    })
}

/// [`to_json`] pretty-printed, ending in a newline.
pub fn render_json(v: &Verification) -> String {
    let mut s = serde_json::to_string_pretty(&to_json(v)).expect("a verification serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example month's two statements, as `settle --format json` prints them.
    const EXAMPLE: &str = include_str!("../../tests/fixtures/golden/2026-10.json");

    fn example() -> Vec<Value> {
        match serde_json::from_str(EXAMPLE).unwrap() {
            Value::Array(items) => items,
            _ => panic!("an array"),
        }
    }

    fn parse_err(v: &Value) -> String {
        parse(v.to_string().as_bytes()).unwrap_err()
    }

    #[test]
    fn the_example_statements_read_with_their_seal() {
        let sealed = parse(EXAMPLE.as_bytes()).unwrap();
        assert_eq!(sealed.len(), 2);
        let acme = &sealed[0];
        assert_eq!(
            (acme.vendor.as_str(), acme.name.as_str()),
            ("acme", "Acme Service Co.")
        );
        assert_eq!(acme.month.to_string(), "2026-10");
        assert_eq!(acme.tool.0, "slatement");
        assert_eq!(
            acme.arguments,
            Arguments {
                month: "2026-10".into(),
                as_of: None,
                vendor: None,
                disputes: None,
                allow_outside_period: false
            }
        );
        let roles: Vec<Role> = acme.inputs.iter().map(|(r, _)| *r).collect();
        assert_eq!(roles, Role::INPUTS);
        assert_eq!(acme.inputs[0].1.path, "examples/data/2026-10/calls.csv");
        assert_eq!(acme.rates.path, "rates.toml");
        assert_eq!(acme.rejected, 0);
        // One object reads as well as an array, with a byte order mark.
        let one = format!("\u{feff}{}", example()[1]);
        let sealed = parse(one.as_bytes()).unwrap();
        assert_eq!(sealed.len(), 1);
        assert_eq!(sealed[0].vendor, "brightline");
    }

    #[test]
    fn the_recorded_as_of_reads_as_an_instant() {
        let mut v = example()[0].clone();
        v["arguments"]["as_of"] = json!("2026-11-05T12:00:00.5+08:00");
        let s = &parse(v.to_string().as_bytes()).unwrap()[0];
        assert_eq!(
            s.as_of.unwrap().to_rfc3339(chrono_tz::Asia::Shanghai),
            "2026-11-05T12:00:00.500000000+08:00"
        );
        v["arguments"]["as_of"] = json!("2026-11-05 12:00");
        assert!(parse_err(&v).ends_with(
            "the statement (acme 2026-10): `arguments.as_of` is \"2026-11-05 12:00\", expected RFC 3339"
        ));
    }

    #[test]
    fn a_statement_without_a_sound_seal_says_what_is_wrong() {
        let base = example()[0].clone();
        let mut v = base.clone();
        v.as_object_mut().unwrap().remove("tool");
        assert!(parse_err(&v).starts_with("the statement (acme 2026-10): it is not sealed"));

        let mut v = base.clone();
        v["arguments"]["month"] = json!("2026-09");
        assert_eq!(
            parse_err(&v),
            "the statement (acme 2026-10): `arguments.month` is \"2026-09\" but the statement is of 2026-10"
        );

        let mut v = base.clone();
        v["arguments"]["vendor"] = json!("brightline");
        assert!(parse_err(&v).contains("`arguments.vendor` is \"brightline\""));

        let mut v = base.clone();
        v["arguments"]["vendor"] = json!(7);
        assert!(parse_err(&v).contains("`arguments.vendor` is neither null nor a string"));

        let mut v = base.clone();
        v["inputs"][1]["role"] = json!("calls");
        assert!(parse_err(&v).contains("`inputs[1]` records the calls input a second time"));

        let mut v = base.clone();
        v["inputs"][0]["role"] = json!("faxes");
        assert!(parse_err(&v).contains("`inputs[0].role` is \"faxes\""));

        // The statement schema is checked as `diff` checks it; the array index is named.
        let mut v = Value::Array(example());
        v[1]["schema"] = json!("x");
        assert_eq!(
            parse_err(&v),
            "statement [1]: schema is \"x\", expected \"slatement.statement.v1\""
        );
        let mut v = Value::Array(example());
        v[1]["tool"]["version"] = json!(1);
        assert_eq!(
            parse_err(&v),
            "statement [1] (brightline 2026-10): `tool.version` is not a string"
        );
    }

    #[test]
    fn a_rescored_seal_records_its_disputes_file_in_both_places() {
        let mut v = example()[0].clone();
        v["arguments"]["disputes"] = json!("audit/disputes.csv");
        v["disputes"] =
            json!({"path": "audit/disputes.csv", "sha256": "d".repeat(64), "applied": []});
        let s = &parse(v.to_string().as_bytes()).unwrap()[0];
        assert_eq!(s.arguments.disputes.as_deref(), Some("audit/disputes.csv"));
        assert_eq!(
            s.disputes,
            Some(Recorded {
                path: "audit/disputes.csv".into(),
                sha256: "d".repeat(64)
            })
        );
        assert_eq!(
            arguments_text(&s.arguments),
            "--month 2026-10 --disputes audit/disputes.csv"
        );

        let mut w = v.clone();
        w["arguments"]["disputes"] = json!("other.csv");
        assert_eq!(
            parse_err(&w),
            "the statement (acme 2026-10): `arguments.disputes` is \"other.csv\" but `disputes.path` is \"audit/disputes.csv\""
        );
        let mut w = v.clone();
        w["arguments"].as_object_mut().unwrap().remove("disputes");
        assert!(parse_err(&w).ends_with(
            "`arguments.disputes` is null but `disputes.path` is \"audit/disputes.csv\""
        ));
        let mut w = v.clone();
        w["disputes"]["sha256"] = json!(null);
        assert!(parse_err(&w).ends_with("`disputes.sha256` is null, expected a string"));
    }

    fn file(role: &'static str, status: FileStatus) -> FileCheck {
        FileCheck {
            role,
            recorded: Some(Recorded {
                path: format!("data/{role}.csv"),
                sha256: "a".repeat(64),
            }),
            path: format!("data/{role}.csv"),
            status,
        }
    }

    fn check(files: Vec<FileCheck>, outcome: Outcome) -> Check {
        Check {
            vendor: "acme".into(),
            name: "Acme".into(),
            month: "2026-10".into(),
            tool: ("slatement".into(), "0.1.0".into()),
            arguments: Arguments {
                month: "2026-10".into(),
                as_of: None,
                vendor: Some("acme".into()),
                disputes: None,
                allow_outside_period: false,
            },
            files,
            rejected: Some(0),
            recorded_rejected: 0,
            outcome,
            seal: SealCheck::default(),
        }
    }

    fn missing() -> Outcome {
        Outcome::NotRederived {
            reason: "calls input missing".into(),
            exit_code: ExitCode::NoInput,
        }
    }

    fn bad_rates() -> Outcome {
        Outcome::NotRederived {
            reason: "rates.toml: bad".into(),
            exit_code: ExitCode::Config,
        }
    }

    #[test]
    fn exit_codes_rank_missing_inputs_then_bad_rates_then_differences() {
        let ok = || {
            check(
                vec![file("calls", FileStatus::Unchanged)],
                Outcome::Identical,
            )
        };
        let changed = || {
            check(
                vec![file(
                    "calls",
                    FileStatus::Changed {
                        sha256: "b".repeat(64),
                    },
                )],
                Outcome::Identical,
            )
        };
        let code = |checks: Vec<Check>| Verification { checks }.exit_code().code();
        assert_eq!(code(vec![ok(), ok()]), 0);
        // A changed hash fails verification even when no figure moved.
        assert_eq!(code(vec![ok(), changed()]), 1);
        assert_eq!(
            code(vec![ok(), check(vec![], Outcome::Absent("gone".into()))]),
            1
        );
        let rates = check(vec![], bad_rates());
        let gone = check(vec![file("calls", FileStatus::Missing)], missing());
        assert_eq!(code(vec![changed(), rates.clone()]), 78);
        assert_eq!(code(vec![rates, gone, changed()]), 66);
    }

    #[test]
    fn the_text_report_lines_up_files_and_says_why_not() {
        let v = Verification {
            checks: vec![check(
                vec![
                    file(
                        "calls",
                        FileStatus::Changed {
                            sha256: "b".repeat(64),
                        },
                    ),
                    file("surveys", FileStatus::Missing),
                    FileCheck {
                        role: "orders",
                        recorded: None,
                        path: "data/orders.csv".into(),
                        status: FileStatus::Added {
                            sha256: "c".repeat(64),
                        },
                    },
                ],
                Outcome::NotRederived {
                    reason: "surveys input missing at data/surveys.csv\nsecond line\n".into(),
                    exit_code: ExitCode::NoInput,
                },
            )],
        };
        assert_eq!(
            render_text(&v),
            "Acme (acme) · 2026-10\n\
             \x20 settled by slatement 0.1.0 with --month 2026-10 --vendor acme\n\
             \x20 calls    data/calls.csv    changed (sha256 aaaaaaaaaaaa… → bbbbbbbbbbbb…)\n\
             \x20 surveys  data/surveys.csv  missing\n\
             \x20 orders   data/orders.csv   added (not read when settled; sha256 cccccccccccc…)\n\
             \x20 rows rejected on re-derivation: 0\n\
             \x20 statement: not re-derived: surveys input missing at data/surveys.csv\n\
             \x20   second line\n"
        );
        let j = to_json(&v);
        assert_eq!(j["verified"], false);
        assert_eq!(j["exit_code"], 66);
        let s = &j["statements"][0];
        assert_eq!(s["result"], "not_rederived");
        assert_eq!(s["files"][0]["sha256"], "b".repeat(64));
        assert_eq!(s["files"][1]["sha256"], Value::Null);
        assert_eq!(s["files"][2]["recorded_path"], Value::Null);
        assert_eq!(s["arguments"]["vendor"], "acme");
    }
}
