//! `slatement sign STATEMENT.json --key KEY`: add a signature to a sealed statement — the
//! vendor's acceptance, a countersignature beside the issuer's — changing nothing else. A
//! statement whose existing signatures no longer match is not signed (exit 1): the figures in
//! it are not the ones that were signed.

use crate::audit::seal::{self, SecretKey};
use crate::error::Error;
use crate::error::ExitCode;
use crate::write::{lock_folders, publish, Planned, Written, LOCK_FILE};
use clap::Args;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `slatement sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The statement to sign: a statement.json written by `settle --out`, or the array printed by `settle --format json` (every statement in it is signed).
    #[arg(value_name = "STATEMENT.json")]
    pub statement: PathBuf,
    /// The signer's secret key (NAME.key of `slatement keygen`).
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// No messages on stderr except errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The folder whose lock guards `file`: the nearest of its folders, up to the `--out` folder of
/// `DIR/<month>/<vendor>/statement.json`, that holds a lock file; else the file's own folder.
fn guarding_folder(file: &Path) -> PathBuf {
    let own = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    own.ancestors()
        .take(3)
        .find(|d| d.join(LOCK_FILE).is_file())
        .map(Path::to_path_buf)
        .unwrap_or(own)
}

/// Runs `sign`.
pub fn run(a: SignArgs) -> anyhow::Result<ExitCode> {
    let (key, warning) = SecretKey::load(&a.key)?;
    if let Some(w) = warning {
        crate::say!("warning: {w}");
    }
    let folder = guarding_folder(&a.statement);
    let quiet = a.quiet;
    let locks = lock_folders(&[folder], &mut |dir| {
        if !quiet {
            crate::say!(
                "waiting for another slatement run writing to {}…",
                dir.display()
            );
        }
    })?;
    let bytes = crate::audit::diff::read_statement_file(&a.statement)?;
    // Read as the sealed statement it must be (schema, tool, arguments).
    crate::audit::verify::parse(&bytes).map_err(|message| Error::NotAStatement {
        path: a.statement.clone(),
        message,
    })?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut value: Value = serde_json::from_slice(text).map_err(|e| Error::NotAStatement {
        path: a.statement.clone(),
        message: format!("not JSON: {e}"),
    })?;
    let is_array = value.is_array();
    let items: Vec<&mut Value> = match &mut value {
        Value::Array(items) => items.iter_mut().collect(),
        other => vec![other],
    };
    for (i, item) in items.into_iter().enumerate() {
        let check = seal::check(item, &[]);
        let broken: Vec<String> = check
            .malformed
            .iter()
            .cloned()
            .chain(
                check
                    .signatures
                    .iter()
                    .filter_map(|s| s.problem.as_ref().map(|p| format!("{}: {p}", s.signer))),
            )
            .collect();
        if !broken.is_empty() {
            let which = if is_array {
                format!("statement [{i}]")
            } else {
                "the statement".to_string()
            };
            crate::say!(
                "error: {}: {which} is not signed: its seal does not hold ({}); settle it again or obtain the signed original",
                a.statement.display(),
                broken.join("; ")
            );
            return Ok(ExitCode::Differs);
        }
        let sig = key.sign(&seal::canonical(item));
        seal::add_signature(item, &sig);
    }
    let mut out = serde_json::to_string_pretty(&value).expect("JSON serializes");
    out.push('\n');
    let done = publish(
        vec![Planned::derived(a.statement.clone(), out.into_bytes())],
        true,
        &locks,
    )?;
    if !a.quiet {
        let what = match done[0].1 {
            Written::Written => "signed",
            Written::Unchanged => "already signed by this key:",
        };
        crate::say!("{what} {} as {}", a.statement.display(), key.public_hex());
    }
    Ok(ExitCode::Success)
}
