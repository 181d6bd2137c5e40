//! `slatement check`: validate rates.toml and the inputs, list every bad row, settle nothing.

use super::{parse_month, print_stdout, CheckArgs};
use crate::contract::rates::Rates;
use crate::error::ExitCode;
use crate::evidence::preview;
use crate::month::{resolve_inputs, settle, Run};

/// Runs `check`: exit 0 when every row is accepted, 65 when any is rejected.
pub fn run(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let rates = Rates::load(&a.input.rates)?;
    let month = a
        .month
        .as_deref()
        .map(|m| parse_month(m, rates.timezone))
        .transpose()?;
    let mut options = a.input.options();
    // Files named on the command line are checked on their own (a profile preview of one
    // export needs no other file).
    options.named_only = options.files.iter().any(Option::is_some);
    let inputs = resolve_inputs(&options, month)?;
    let settled = settle(&Run {
        rates: &rates,
        month,
        as_of: None,
        vendor: a.input.vendor.clone(),
        inputs: &inputs,
        disputes: None,
        allow_outside_period: a.input.allow_outside_period,
    })?;
    let mut listing = String::new();
    for input in &inputs.files {
        if let Some(p) = preview::render(input, rates.timezone, &settled.rejects)? {
            listing.push_str(&p);
            listing.push('\n');
        }
    }
    listing.extend(settled.rejects.iter().map(|r| format!("{r}\n")));
    print_stdout(&listing)?;
    if !a.input.quiet {
        crate::say!(
            "{}: configuration ok ({} vendor(s))",
            rates.path.display(),
            rates.vendors.len()
        );
        for f in &settled.files {
            match f.lines_text() {
                Some(lines) => crate::say!("{}: {lines}; {} rejected", f.path, f.rejected),
                None => crate::say!("{}: {} rows, {} rejected", f.path, f.rows, f.rejected),
            }
        }
        for n in &settled.notices {
            crate::say!("note: {}", crate::base::text::message(n));
        }
    }
    if settled.rejects.is_empty() {
        Ok(ExitCode::Success)
    } else {
        if !a.input.quiet {
            crate::say!(
                "{} row(s) rejected; fix them in the export, or settle with --allow-rejects",
                settled.rejects.len()
            );
        }
        Ok(ExitCode::DataErr)
    }
}
