//! `slatement check`: validate rates.toml and the inputs, list every bad row, settle nothing.

use super::{parse_month, print_stdout, CheckArgs};
use crate::rates::Rates;
use crate::settle::{resolve_inputs, settle, Run};

/// Runs `check`: exit 0 when every row is accepted, 65 when any is rejected.
pub fn run(a: CheckArgs) -> anyhow::Result<i32> {
    let rates = Rates::load(&a.input.rates)?;
    let month = a
        .month
        .as_deref()
        .map(|m| parse_month(m, rates.timezone))
        .transpose()?;
    let inputs = resolve_inputs(&a.input.options(), month)?;
    let settled = settle(&Run {
        rates: &rates,
        month,
        as_of: None,
        vendor: a.input.vendor.clone(),
        inputs: &inputs,
        disputes: None,
    })?;
    let listing: String = settled.rejects.iter().map(|r| format!("{r}\n")).collect();
    print_stdout(&listing)?;
    if !a.input.quiet {
        eprintln!(
            "{}: configuration ok ({} vendor(s))",
            rates.path.display(),
            rates.vendors.len()
        );
        for f in &settled.files {
            eprintln!("{}: {} rows, {} rejected", f.path, f.rows, f.rejected);
        }
        for n in &settled.notices {
            eprintln!("note: {n}");
        }
    }
    if settled.rejects.is_empty() {
        Ok(0)
    } else {
        if !a.input.quiet {
            eprintln!(
                "{} row(s) rejected; fix them in the export, or settle with --allow-rejects",
                settled.rejects.len()
            );
        }
        Ok(65)
    }
}
