//! `slatement account`: dues, payments, late charges and the balance across the months of a
//! contract; `--final` for the settlement at its end (SPEC §11, §12).

use super::{print_stdout, FormatArg, LangArg};
use crate::account::{account, out_dir, Account, Request};
use crate::error::ExitCode;
use crate::render::account as render;
use crate::write::Planned;
use clap::Args;
use std::path::{Path, PathBuf};

/// `slatement account`.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The statement archive settle --out wrote: DIR/<month>/<vendor>/statement.json.
    #[arg(long, value_name = "DIR")]
    pub statements: PathBuf,
    /// Only this vendor.
    #[arg(long, value_name = "ID")]
    pub vendor: Option<String>,
    /// The payments made: payments.csv (payment_id, vendor, payer, month, paid_on, amount, note).
    #[arg(long, value_name = "FILE")]
    pub payments: Option<PathBuf>,
    /// Count late days and rights up to and including this date (default: today in the contract time zone).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The final settlement at the end of the contract: needs the vendor's contract_end and a statement for every month of the contract.
    #[arg(long = "final")]
    pub final_settlement: bool,
    /// Losses the vendor caused, taken off the final balance: deductions.csv (deduction_id, vendor, amount, reason, decided_on). Only with --final.
    #[arg(long, value_name = "FILE")]
    pub deductions: Option<PathBuf>,
    /// Form printed on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Language of the table, md and html forms (and of account.md and account.html under --out).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Also write every form to DIR/account/<vendor>/account.{json,csv,md,html}.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace existing account files that differ.
    #[arg(long)]
    pub force: bool,
    /// No messages on stderr except errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The files of one account under `--out DIR`.
pub fn account_files(out: &Path, a: &Account, lang: LangArg) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = out_dir(out, &a.vendor.id);
    vec![
        (dir.join("account.json"), render::json_one(a).into_bytes()),
        (
            dir.join("account.csv"),
            render::csv_all(std::slice::from_ref(a)).into_bytes(),
        ),
        (
            dir.join("account.md"),
            render::md_single(a, lang.into()).into_bytes(),
        ),
        (
            dir.join("account.html"),
            render::html_single(a, lang.into()).into_bytes(),
        ),
    ]
}

/// Runs `account`.
pub fn run(a: AccountArgs) -> anyhow::Result<ExitCode> {
    let accounts = account(&Request {
        statements: a.statements.clone(),
        vendor: a.vendor.clone(),
        payments: a.payments.clone(),
        deductions: a.deductions.clone(),
        as_of: a.as_of.clone(),
        final_settlement: a.final_settlement,
    })?;
    if !a.quiet {
        for acc in &accounts {
            for w in &acc.warnings {
                crate::say!(
                    "warning: {}: {}",
                    acc.vendor.id,
                    crate::base::text::message(w)
                );
            }
        }
    }
    if let Some(out) = &a.out {
        let planned: Vec<Planned> = accounts
            .iter()
            .flat_map(|acc| account_files(out, acc, a.lang))
            .map(|(path, bytes)| Planned::statement(path, bytes))
            .collect();
        super::publish_under(out, planned, a.force, a.quiet)?;
    }
    let text = match a.format {
        FormatArg::Table => render::table_all(&accounts, a.lang.into()),
        FormatArg::Json => render::json_all(&accounts),
        FormatArg::Csv => render::csv_all(&accounts),
        FormatArg::Md => render::md_all(&accounts, a.lang.into()),
        FormatArg::Html => render::html_all(&accounts, a.lang.into()),
    };
    print_stdout(&text)?;
    Ok(ExitCode::Success)
}
