//! `slatement verify STATEMENT.json`: settle the recorded month again from the recorded inputs
//! and say whether every input hash and figure still matches (SPEC §6).

use super::print_stdout;
use crate::audit::seal::PublicKey;
use crate::audit::verify::{parse, render_json, render_text, seal_first, verify, Options};
use crate::error::ExitCode;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Forms of the verification report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormatArg {
    /// A readable report: a section per statement, a line per file, the figures that moved.
    Text,
    /// JSON, schema `slatement.verify.v1`.
    Json,
}

/// `slatement verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The statements to verify: a statement.json written by `settle --out`, or the array printed by `settle --format json`.
    #[arg(value_name = "STATEMENT.json")]
    pub statement: PathBuf,
    /// Read the month's files from this folder (DIR/<month>/ or DIR/, as settle does) instead of the recorded paths.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Read the terms from this file instead of the recorded rates path.
    #[arg(long, value_name = "FILE")]
    pub rates: Option<PathBuf>,
    /// Require a valid signature by each of these public keys (NAME.pub files of `slatement keygen`, or 64 hex digits); every signature present is checked either way.
    #[arg(long, value_name = "PUBKEY", num_args = 1.., action = clap::ArgAction::Append)]
    pub trust: Vec<String>,
    /// Form printed on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: VerifyFormatArg,
    /// No messages on stderr except errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `verify`: exit 0 when every seal holds, every input and the rates are unchanged and
/// every statement is identical; 1 when a seal does not hold (checked first) or anything
/// differs; 66 when a recorded input is missing or not a regular file, 78 for bad rates or keys.
pub fn run(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let trust = a
        .trust
        .iter()
        .map(|k| PublicKey::load(k))
        .collect::<Result<Vec<_>, _>>()?;
    // The seal first: a signed statement that was changed fails here (exit 1), however far
    // from a statement the change left it.
    let bytes = crate::audit::diff::read_statement_file(&a.statement)?;
    if let Some(report) = seal_first(&bytes, &trust, a.format == VerifyFormatArg::Json) {
        print_stdout(&report)?;
        if !a.quiet {
            crate::say!(
                "not verified: {}: the seal does not hold (see the signature lines)",
                a.statement.display()
            );
        }
        return Ok(ExitCode::Differs);
    }
    let sealed = parse(&bytes).map_err(|message| crate::error::Error::NotAStatement {
        path: a.statement.clone(),
        message,
    })?;
    let v = verify(
        &sealed,
        &Options {
            data: a.data,
            rates: a.rates,
            trust,
        },
    );
    let report = match a.format {
        VerifyFormatArg::Text => render_text(&v),
        VerifyFormatArg::Json => render_json(&v),
    };
    print_stdout(&report)?;
    let code = v.exit_code();
    if !a.quiet {
        let n = v.checks.len();
        let ok = v.checks.iter().filter(|c| c.is_verified()).count();
        let unsealed = v.checks.iter().filter(|c| !c.seal.holds()).count();
        let signatures: usize = v.checks.iter().map(|c| c.seal.signatures.len()).sum();
        if code == ExitCode::Success && signatures > 0 {
            crate::say!(
                "verified: {n} statement(s) identical, every input unchanged, {signatures} signature(s) valid"
            );
        } else if code == ExitCode::Success {
            crate::say!("verified: {n} statement(s) identical, every input unchanged");
        } else if unsealed > 0 {
            crate::say!(
                "not verified: the seal of {unsealed} of {n} statement(s) does not hold (see the signature lines)"
            );
        } else {
            crate::say!(
                "not verified: {} of {n} statement(s) differ or could not be settled again",
                n - ok
            );
        }
    }
    Ok(code)
}
