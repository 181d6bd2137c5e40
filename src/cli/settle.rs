//! `slatement settle`: read, score, price, print and write (SPEC §6).

use super::{parse_as_of, parse_month, print_stdout, FormatArg, SettleArgs};
use crate::audit::seal::SecretKey;
use crate::base::timestamp::{Instant, Month};
use crate::cli::progress;
use crate::contract::rates::Rates;
use crate::error::Error;
use crate::error::ExitCode;
use crate::evidence;
use crate::month::{resolve_inputs, settle_collecting, InputPaths, Run, Settled};
use crate::render::{self, Format};
use crate::tally::collect::Collect;
use crate::tally::disputes::Disputes;
use crate::write::{lock_folders, publish, rejects_csv, statement_files, Planned, Written};
use std::path::{Path, PathBuf};

/// How many reasons are shown on stderr when rows are rejected.
const SHOWN_REJECTS: usize = 20;

/// Runs `settle`.
pub fn run(a: SettleArgs) -> anyhow::Result<ExitCode> {
    let done = settle_and_write(&a, None)?;
    print_stdout(&render::render(
        &done.settled.statements,
        format_of(a.format),
        a.lang.into(),
    ))?;
    Ok(ExitCode::Success)
}

/// The renderer of a `--format`.
pub(super) fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Csv => Format::Csv,
        FormatArg::Md => Format::Markdown,
        FormatArg::Html => Format::Html,
    }
}

/// A settle run done: what was read and settled, with what.
pub(super) struct Done {
    /// The terms.
    pub rates: Rates,
    /// The settled month.
    pub month: Month,
    /// `--as-of`.
    pub as_of: Option<Instant>,
    /// The inputs read.
    pub inputs: InputPaths,
    /// The statements and what reading gave.
    pub settled: Settled,
}

/// Everything `settle` does before printing: load the terms, find the inputs, load the
/// disputes file of `rescore` (when given), settle, refuse on rejected rows unless `--allow-rejects`, report on stderr, write under
/// `--out`, the rejects file and the evidence under `--evidence`.
pub(super) fn settle_and_write(a: &SettleArgs, disputes: Option<&Path>) -> anyhow::Result<Done> {
    let quiet = a.input.quiet;
    let rates = Rates::load(&a.input.rates)?;
    let month = parse_month(&a.month, rates.timezone)?;
    let as_of = a
        .as_of
        .as_deref()
        .map(|s| parse_as_of(s, rates.timezone))
        .transpose()?;
    let inputs = resolve_inputs(&a.input.options(), Some(month))?;
    let disputes = disputes.map(Disputes::load).transpose()?;
    let streaming = a.evidence.as_ref().map(|_| {
        let cutoff = as_of.unwrap_or_else(|| month.bounds(rates.timezone).1);
        let paths = inputs
            .files
            .iter()
            .map(|f| (f.role, f.path.display().to_string()));
        evidence::stream::Streaming::new(&rates, month, cutoff, paths)
    });
    let collect = match &streaming {
        Some(s) => Collect::Stream(s),
        None => Collect::Off,
    };
    let key = match &a.sign {
        None => None,
        Some(path) => {
            let (key, warning) = SecretKey::load(path)?;
            if let Some(w) = warning {
                crate::say!("warning: {w}");
            }
            Some(key)
        }
    };
    let rejects_path = a.allow_rejects.then(|| {
        a.rejects.clone().unwrap_or_else(|| match &a.out {
            Some(out) => out.join(month.to_string()).join("rejects.csv"),
            None => PathBuf::from(format!("rejects-{month}.csv")),
        })
    });
    let bar = progress::Bar::start(quiet, inputs.total_bytes());
    let settled = settle_collecting(
        &Run {
            rates: &rates,
            month: Some(month),
            as_of,
            vendor: a.input.vendor.clone(),
            inputs: &inputs,
            disputes: disputes.as_ref(),
            allow_outside_period: a.input.allow_outside_period,
        },
        collect,
    );
    drop(bar);
    let mut settled = settled?;

    if !settled.rejects.is_empty() && !a.allow_rejects {
        let mut msg = format!("{} row(s) rejected:\n", settled.rejects.len());
        for r in settled.rejects.iter().take(SHOWN_REJECTS) {
            msg.push_str(&format!("  {r}\n"));
        }
        if settled.rejects.len() > SHOWN_REJECTS {
            msg.push_str(&format!(
                "  … and {} more (run `slatement check` to list them all)\n",
                settled.rejects.len() - SHOWN_REJECTS
            ));
        }
        msg.push_str("No statement was produced. Fix the export, or settle anyway with --allow-rejects (rejected rows are then written to a rejects file and counted in the statement).");
        return Err(Error::Rejected(msg).into());
    }

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
        if let Some(d) = &disputes {
            crate::say!(
                "{}: {} decision(s), sha256 {}",
                d.path,
                d.items.len(),
                &d.sha256[..12]
            );
        }
        for n in &settled.notices {
            crate::say!("note: {}", crate::base::text::message(n));
        }
        for s in &settled.statements {
            for w in &s.warnings {
                crate::say!(
                    "warning: {}: {}",
                    s.vendor.id,
                    crate::base::text::message(w)
                );
            }
        }
    }

    if let Some(key) = &key {
        for s in &mut settled.statements {
            // The canonical bytes: the statement as written, without signatures.
            s.signatures.clear();
            let sig = key.sign(render::json_one(s).as_bytes());
            s.signatures = vec![sig];
        }
        if !quiet {
            crate::say!(
                "signed {} statement(s) as {}",
                settled.statements.len(),
                key.public_hex()
            );
        }
    }

    // One writer per folder: the run holds --out and --evidence while it writes (a
    // rejects file elsewhere is published with the run, in a folder no lock guards).
    let folders: Vec<PathBuf> = a.out.iter().chain(&a.evidence).cloned().collect();
    let locks = lock_folders(&folders, &mut |dir| {
        if !quiet {
            crate::say!(
                "waiting for another slatement run writing to {}…",
                dir.display()
            );
        }
    })?;

    // Every file of the run is published together: a refusal (exit 73) writes nothing.
    let mut plan: Vec<Planned> = Vec::new();
    if let Some(out) = &a.out {
        for s in &settled.statements {
            plan.extend(statement_files(out, s, a.lang.into()));
        }
    }
    if let Some(path) = &rejects_path {
        plan.push(Planned::derived(
            path.clone(),
            rejects_csv(&settled.rejects),
        ));
    }
    if let (Some(dir), Some(streamed)) = (&a.evidence, streaming) {
        plan.extend(
            evidence::files(dir, &settled, &rates, month, streamed.into_rows())
                .into_iter()
                .map(|(path, bytes)| Planned::derived(path, bytes)),
        );
    }
    let done = publish(plan, a.force, &locks)?;
    drop(locks);
    if !quiet {
        for (path, w) in done {
            let what = match w {
                Written::Written => "wrote",
                Written::Unchanged => "unchanged",
            };
            crate::say!("{what} {}", path.display());
        }
        if let Some(path) = &rejects_path {
            crate::say!(
                "{} rejected row(s) written to {}",
                settled.rejects.len(),
                path.display()
            );
        }
    }

    Ok(Done {
        rates,
        month,
        as_of,
        inputs,
        settled,
    })
}
