//! `slatement explain`: print the rows behind each figure of a month, or trace one work order's
//! or repair's deadline (`--ticket ID`). Reads the month as `settle` does; never refuses on
//! rejected rows (they are part of the evidence).

use super::{parse_as_of, parse_month, print_stdout, InputArgs};
use crate::contract::rates::Rates;
use crate::error::Error;
use crate::error::ExitCode;
use crate::evidence::{self, Section, TraceContext};
use crate::input::records::Record;
use crate::month::{resolve_inputs, settle_collecting, Run};
use crate::tally::collect::Collect;
use clap::{Args, ValueEnum};

/// The evidence `explain` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhatArg {
    /// Overdue and pending work orders, with created, deadline, reply and elapsed business minutes.
    WorkOrders,
    /// Failed and pending repairs, with their limits.
    Repairs,
    /// Unanswered, short-abandoned and outside-hours contacts.
    Contacts,
    /// Takeovers charged, with their money line and unit price.
    Takeovers,
    /// Incidents of the register counted up to the month, with their source line.
    Incidents,
    /// Rejected rows, with their reasons.
    Rejected,
    /// Every kind above.
    All,
}

/// `slatement explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The month: YYYY-MM, or `previous` (the month before today in the contract time zone).
    #[arg(long, value_name = "YYYY-MM|previous")]
    pub month: String,
    /// Cut-off for pending work orders and repairs, as for `settle`; default: the start of the next month.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Which evidence to print (a comma list).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "all")]
    pub what: Vec<WhatArg>,
    /// Trace one work order's (or repair's) deadline instead: the business windows counted, closed days skipped, deadline, reply, verdict.
    #[arg(long, value_name = "ID", conflicts_with = "what")]
    pub ticket: Option<String>,
    /// Inputs and terms.
    #[command(flatten)]
    pub input: InputArgs,
}

fn sections(what: &[WhatArg]) -> Vec<Section> {
    Section::ALL
        .into_iter()
        .filter(|s| {
            what.iter().any(|w| {
                *w == WhatArg::All
                    || matches!(
                        (w, s),
                        (WhatArg::WorkOrders, Section::WorkOrders)
                            | (WhatArg::Repairs, Section::Repairs)
                            | (WhatArg::Contacts, Section::Contacts)
                            | (WhatArg::Takeovers, Section::Takeovers)
                            | (WhatArg::Incidents, Section::Incidents)
                            | (WhatArg::Rejected, Section::Rejected)
                    )
            })
        })
        .collect()
}

/// Runs `explain`: exit 0 once the evidence or the trace is printed; 2 when `--ticket` names no
/// vendor work order or repair of the month.
pub fn run(a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let quiet = a.input.quiet;
    let rates = Rates::load(&a.input.rates)?;
    let tz = rates.timezone;
    let month = parse_month(&a.month, tz)?;
    let as_of = a.as_of.as_deref().map(|s| parse_as_of(s, tz)).transpose()?;
    let inputs = resolve_inputs(&a.input.options(), Some(month))?;
    let collect = match a.ticket.as_deref() {
        Some(id) => Collect::Ticket(id.trim()),
        None => Collect::Figures,
    };
    let settled = settle_collecting(
        &Run {
            rates: &rates,
            month: Some(month),
            as_of,
            vendor: a.input.vendor.clone(),
            inputs: &inputs,
            disputes: None,
            allow_outside_period: a.input.allow_outside_period,
        },
        collect,
    )?;
    if !quiet {
        for f in &settled.files {
            crate::say!("{}: {} rows, {} rejected", f.path, f.rows, f.rejected);
        }
        for n in &settled.notices {
            crate::say!("note: {}", crate::base::text::message(n));
        }
    }
    let cutoff = as_of.unwrap_or_else(|| month.bounds(tz).1);

    let Some(id) = a.ticket.as_deref().map(str::trim) else {
        let ev = evidence::build(&settled, &rates, month, cutoff);
        print_stdout(&evidence::render_tables(&ev, &sections(&a.what)))?;
        return Ok(ExitCode::Success);
    };
    let found = settled.noted.iter().find_map(|f| {
        f.rows
            .iter()
            .find(|n| matches!(n.record, Record::Ticket(_)))
            .map(|n| (f, n))
    });
    let Some((file, n)) = found else {
        return Err(Error::Usage(evidence::untraceable(id, month, None)).into());
    };
    let vendor = &rates.vendors[n.vendor];
    // At the end of a contract the work was judged at E, without the vendor's later replies.
    let ended = evidence::ended_at(vendor, tz, cutoff);
    let judged = evidence::as_judged(n.clone(), ended);
    let cx = TraceContext {
        file: &file.path,
        vendor,
        terms: rates.terms_for(&vendor.id, month),
        tz,
        month,
        cutoff: ended.unwrap_or(cutoff),
    };
    match evidence::trace(&judged, &cx) {
        Some(mut text) => {
            if let Some(e) = ended {
                text.push_str(&format!(
                    "end         the contract ended: judged at {} (last day of service {}); the vendor's replies and resolutions from then on are ignored (SPEC §12)\n",
                    evidence::local_text(e, tz),
                    vendor.contract_end.expect("an end")
                ));
            }
            print_stdout(&text)?;
            Ok(ExitCode::Success)
        }
        None => Err(Error::Usage(evidence::untraceable(
            id,
            month,
            Some((n, &file.path, vendor)),
        ))
        .into()),
    }
}
