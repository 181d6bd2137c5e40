//! `slatement rescore`: settle a month with an auditor's decisions applied, print and write the
//! statements as `settle` does, and show what changed against the original (SPEC §6).

use super::print_stdout;
use super::settle::{format_of, settle_and_write};
use super::{FormatArg, SettleArgs};
use crate::audit::diff::{diff, render_text, Statements};
use crate::error::ExitCode;
use crate::month::{settle, Run};
use crate::render;
use clap::Args;
use std::path::PathBuf;

/// `slatement rescore`.
#[derive(Debug, Args)]
pub struct RescoreArgs {
    /// Month, inputs, terms and output, as for `settle`.
    #[command(flatten)]
    pub settle: SettleArgs,
    /// The auditor's decisions: CSV with columns kind (contact|ticket|survey|order), id, decision (exclude|answered|on_time|not_takeover), reason, decided_by.
    #[arg(long, value_name = "FILE")]
    pub disputes: PathBuf,
    /// The original statements to compare with: a statement.json written by `settle --out`, or the array printed by `settle --format json`. Default: the same month settled now without the disputes.
    #[arg(long, value_name = "ORIGINAL.json")]
    pub against: Option<PathBuf>,
}

/// Runs `rescore`: exit 0 once the statements are printed (and written) and the diff shown — a
/// difference is the expected outcome here, not a failure. A disputes line that is malformed,
/// names no accepted row of the month, or does not apply to its record is exit 65.
pub fn run(a: RescoreArgs) -> anyhow::Result<ExitCode> {
    let quiet = a.settle.input.quiet;
    // The original is read first: a missing or unreadable one stops before anything is written.
    let against = a.against.as_deref().map(Statements::read).transpose()?;
    let done = settle_and_write(&a.settle, Some(&a.disputes))?;
    let statements = &done.settled.statements;
    let printed = render::render(statements, format_of(a.settle.format), a.settle.lang.into());

    let report = if statements.is_empty() {
        "nothing to compare: no statement was settled\n".to_string()
    } else {
        let new = Statements::of(statements);
        let (old, what) = match (against, &a.against) {
            (Some(mut old), Some(path)) => {
                let keys: Vec<(String, String)> = new
                    .keys()
                    .into_iter()
                    .map(|(v, m)| (v.to_string(), m.to_string()))
                    .collect();
                let before = old.len();
                old.retain(|v, m| keys.iter().any(|(kv, km)| kv == v && km == m));
                if old.len() < before && !quiet {
                    crate::say!(
                        "note: {}: {} statement(s) of other vendors or months left out of the comparison",
                        path.display(),
                        before - old.len()
                    );
                }
                (old, path.display().to_string())
            }
            _ => {
                let original = settle(&Run {
                    rates: &done.rates,
                    month: Some(done.month),
                    as_of: done.as_of,
                    vendor: a.settle.input.vendor.clone(),
                    inputs: &done.inputs,
                    disputes: None,
                    allow_outside_period: a.settle.input.allow_outside_period,
                })?;
                (
                    Statements::of(&original.statements),
                    "the month settled without the disputes".to_string(),
                )
            }
        };
        // With none of the original left, every statement is reported as added.
        let d = diff(&old, &new);
        let text = render_text(&d);
        if text.is_empty() {
            format!("Changes against {what}: none\n")
        } else {
            format!("Changes against {what}:\n\n{text}")
        }
    };

    match a.settle.format {
        FormatArg::Table => print_stdout(&format!("{printed}\n{report}"))?,
        // stdout stays parseable: the diff goes to stderr, which --quiet silences.
        _ => {
            print_stdout(&printed)?;
            if !quiet {
                crate::say_raw!("{report}");
            }
        }
    }
    Ok(ExitCode::Success)
}
