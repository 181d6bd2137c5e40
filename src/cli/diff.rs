//! `slatement diff A.json B.json`: what changed between two statements (SPEC §6).

use super::print_stdout;
use crate::audit::diff::{diff, render_json, render_text, Statements};
use crate::error::ExitCode;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Forms of the diff report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormatArg {
    /// A readable report: a section per vendor, a line per changed figure.
    Text,
    /// JSON, schema `slatement.diff.v1`.
    Json,
}

/// `slatement diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old statements: a statement.json written by `settle --out`, or the array printed by `settle --format json`.
    #[arg(value_name = "A.json")]
    pub old: PathBuf,
    /// The new statements, in either form.
    #[arg(value_name = "B.json")]
    pub new: PathBuf,
    /// Form printed on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormatArg,
    /// No messages on stderr except errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `diff`: exit 0 when the statements are identical, 1 when they differ.
pub fn run(a: DiffArgs) -> anyhow::Result<ExitCode> {
    let old = Statements::read(&a.old)?;
    let new = Statements::read(&a.new)?;
    let d = diff(&old, &new);
    let report = match a.format {
        DiffFormatArg::Text => render_text(&d),
        DiffFormatArg::Json => render_json(&d),
    };
    print_stdout(&report)?;
    if d.is_equal() {
        if !a.quiet {
            crate::say!("statements are identical");
        }
        Ok(ExitCode::Success)
    } else {
        Ok(ExitCode::Differs)
    }
}
