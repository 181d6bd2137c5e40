//! `slatement reconcile`: the vendor's settlement list against the statement, line by line and
//! record by record, with the reason for every difference (SPEC §10).

use super::{parse_as_of, parse_month, print_stdout, FormatArg, InputArgs, LangArg};
use crate::contract::rates::Rates;
use crate::error::Error;
use crate::error::ExitCode;
use crate::input::profile;
use crate::input::Role;
use crate::month::resolve_inputs;
use crate::reconcile::{claim, reconcile, Reconciliation, Request};
use crate::render::reconcile as render;
use crate::tally::disputes::Disputes;
use crate::write::Planned;
use clap::Args;
use std::path::{Path, PathBuf};

/// `slatement reconcile`.
#[derive(Debug, Args)]
#[command(after_help = concat!(
    "Example:\n  slatement reconcile --month 2026-10 --vendor acme --data examples/data \\\n    --claim examples/claims/acme-2026-10-claim.csv --claim-records examples/claims/acme-2026-10-records.csv\n\n",
    exit_help!("  0   everything agrees\n  1   a line or record differs\n")
))]
pub struct ReconcileArgs {
    /// The month: YYYY-MM, or `previous`.
    #[arg(long, value_name = "YYYY-MM|previous")]
    pub month: String,
    /// The vendor's settlement list: CSV with item, quantity, amount[, unit_price].
    #[arg(long, value_name = "FILE")]
    pub claim: PathBuf,
    /// The records behind the vendor's lines: CSV with item, id[, amount].
    #[arg(long, value_name = "FILE")]
    pub claim_records: Option<PathBuf>,
    /// Read the claim through this mapping profile (a built-in name such as vendor-claim-cn, or a file).
    #[arg(long, value_name = "NAME|FILE")]
    pub claim_profile: Option<String>,
    /// Read the claim's records through this mapping profile.
    #[arg(long, value_name = "NAME|FILE")]
    pub claim_records_profile: Option<String>,
    /// An auditor's decisions to settle the month with (as rescore does).
    #[arg(long, value_name = "FILE")]
    pub disputes: Option<PathBuf>,
    /// Cut-off for pending work, as for settle.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Reconcile even though rows of our inputs were rejected.
    #[arg(long)]
    pub allow_rejects: bool,
    /// Form printed on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Language of the table, md and html forms (and of reconciliation.md and .html under --out).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Also write DIR/<month>/<vendor>/reconciliation.{json,csv,md,html} and differences.csv.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace existing reconciliation files that differ.
    #[arg(long)]
    pub force: bool,
    /// Write a disputes file with one row per claimed_only and ours_only record, the decision left for the auditor.
    #[arg(long, value_name = "FILE")]
    pub draft_disputes: Option<PathBuf>,
    /// Inputs and terms, as for settle; --vendor (required) names the vendor whose list is reconciled.
    #[command(flatten)]
    pub input: InputArgs,
}

fn profile_of(value: Option<&str>, role: Role) -> crate::error::Result<Option<profile::Profile>> {
    value
        .map(|v| profile::load(v, role, Path::new(".")))
        .transpose()
}

fn missing(role: &'static str, path: &Path, flag: &str) -> Error {
    Error::MissingInput {
        role,
        path: path.to_path_buf(),
        hint: format!("check the path given to {flag}"),
    }
}

/// The files `--out` writes for a reconciliation.
pub fn files(out: &Path, r: &Reconciliation, lang: LangArg) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = out.join(&r.month).join(&r.vendor.id);
    vec![
        (
            dir.join("reconciliation.json"),
            render::json(r).into_bytes(),
        ),
        (dir.join("reconciliation.csv"), render::csv(r).into_bytes()),
        (
            dir.join("reconciliation.md"),
            render::markdown(r, lang.into()).into_bytes(),
        ),
        (
            dir.join("reconciliation.html"),
            render::html(r, lang.into()).into_bytes(),
        ),
        (
            dir.join("differences.csv"),
            render::differences_csv(r).into_bytes(),
        ),
    ]
}

/// Runs `reconcile`: exit 0 when everything agrees, 1 when anything differs.
pub fn run(a: ReconcileArgs) -> anyhow::Result<ExitCode> {
    let quiet = a.input.quiet;
    let rates = Rates::load(&a.input.rates)?;
    let tz = rates.timezone;
    let month = parse_month(&a.month, tz)?;
    let as_of = a.as_of.as_deref().map(|s| parse_as_of(s, tz)).transpose()?;
    let Some(vendor_id) = a.input.vendor.clone() else {
        return Err(Error::Usage(
            "reconcile needs --vendor ID: a settlement list is one vendor's".into(),
        )
        .into());
    };
    if rates.vendor(&vendor_id).is_none() {
        let ids: Vec<&str> = rates.vendors.iter().map(|v| v.id.as_str()).collect();
        return Err(Error::Usage(format!(
            "--vendor {}: no such vendor in {} (declared: {})",
            vendor_id,
            rates.path.display(),
            ids.join(", ")
        ))
        .into());
    }
    let terms = rates.terms_for(&vendor_id, month);
    if !a.claim.is_file() {
        return Err(missing("claim", &a.claim, "--claim").into());
    }
    let claim = claim::read_claim(
        &a.claim,
        profile_of(a.claim_profile.as_deref(), Role::Claim)?.as_ref(),
        tz,
        terms,
    )?;
    let records = match &a.claim_records {
        None => None,
        Some(p) if !p.is_file() => {
            return Err(missing("claim records", p, "--claim-records").into())
        }
        Some(p) => Some(claim::read_records(
            p,
            profile_of(a.claim_records_profile.as_deref(), Role::ClaimRecords)?.as_ref(),
            tz,
            terms,
            crate::input::pipeline::Parallel::from_env()?,
        )?),
    };
    let options = a.input.options();
    let inputs = resolve_inputs(&options, Some(month))?;
    let disputes = a.disputes.as_deref().map(Disputes::load).transpose()?;
    let outcome = reconcile(Request {
        rates: &rates,
        month,
        as_of,
        vendor: &vendor_id,
        inputs: &inputs,
        disputes: disputes.as_ref(),
        allow_outside_period: a.input.allow_outside_period,
        claim,
        records,
    })?;
    let settled = &outcome.settled;
    if !settled.rejects.is_empty() && !a.allow_rejects {
        let mut msg = format!("{} row(s) of our inputs rejected:\n", settled.rejects.len());
        for r in settled.rejects.iter().take(20) {
            msg.push_str(&format!("  {r}\n"));
        }
        msg.push_str("Nothing was reconciled. Fix the export, or reconcile anyway with --allow-rejects (a rejected row the vendor claims is then named as `rejected`).");
        return Err(Error::Rejected(msg).into());
    }
    let r = &outcome.reconciliation;
    if !quiet {
        for f in &settled.files {
            crate::say!(
                "{}: {} rows, {} rejected, sha256 {}",
                f.path,
                f.rows,
                f.rejected,
                &f.sha256[..12]
            );
        }
        crate::say!(
            "{}: the vendor's list, sha256 {}",
            r.claim.path,
            &r.claim.sha256[..12]
        );
        for w in &r.warnings {
            crate::say!("warning: {}", crate::base::text::message(w));
        }
    }
    if let Some(out) = &a.out {
        let planned: Vec<Planned> = files(out, r, a.lang)
            .into_iter()
            .map(|(p, b)| Planned::statement(p, b))
            .collect();
        super::publish_under(out, planned, a.force, quiet)?;
    }
    if let Some(path) = &a.draft_disputes {
        crate::write::publish(
            vec![Planned::derived(path.clone(), r.draft_disputes())],
            true,
            &[],
        )?;
        if !quiet {
            crate::say!(
                "wrote {} (fill in decision, reason and decided_by, then rescore)",
                path.display()
            );
        }
    }
    let text = match a.format {
        FormatArg::Table => render::table(r, a.lang.into()),
        FormatArg::Json => render::json(r),
        FormatArg::Csv => render::csv(r),
        FormatArg::Md => render::markdown(r, a.lang.into()),
        FormatArg::Html => render::html(r, a.lang.into()),
    };
    print_stdout(&text)?;
    Ok(if r.agrees {
        ExitCode::Success
    } else {
        ExitCode::Differs
    })
}
