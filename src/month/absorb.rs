//! The month's side of reading an export: each accepted row the reader hands over is added to its
//! vendor's tally, with an auditor's decision applied where one names the row, and kept as
//! evidence when the run asks for it.

use crate::input::ingest::{RowSink, Sinks};
use crate::input::records::Record;
use crate::input::vendor::VendorSlot;
use crate::input::Role;
use crate::tally::collect::{shows, Collect, Noted, NotedRef};
use crate::tally::disputes::{self, Disputes};
use crate::tally::VendorTally;

/// A dispute that matched an accepted in-period row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// Index of the dispute in [`Disputes::items`].
    pub dispute: usize,
    /// Index of the row's vendor among the declared vendors.
    pub vendor: usize,
    /// `Err(reason)` when the decision does not apply to the record; the row is then added as
    /// recorded (the run fails on it).
    pub outcome: std::result::Result<(), String>,
}

/// How the month takes the rows of every file it reads.
pub struct Absorbing<'a> {
    /// Every declared vendor, in id order: the reader's [`Setup::vendors`](crate::input::ingest::Setup::vendors).
    pub vendors: &'a [VendorSlot<'a>],
    /// An auditor's decisions to apply to accepted in-period rows (`rescore`); `None` settles
    /// the rows as recorded.
    pub disputes: Option<&'a Disputes>,
    /// Which accepted rows to keep as evidence, with their line and id ([`Collect::Off`] on the
    /// ordinary settle path, which then allocates nothing more per row).
    pub evidence: Collect<'a>,
}

impl<'a> Sinks for Absorbing<'a> {
    type Sink = Absorbed<'a>;

    fn sink(&self, role: Role) -> Absorbed<'a> {
        if let Collect::Stream(to) = self.evidence {
            to.restart(role);
        }
        Absorbed {
            role,
            vendors: self.vendors,
            disputes: self.disputes,
            evidence: self.evidence,
            tallies: self
                .vendors
                .iter()
                .map(|v| VendorTally::new(v.ctx.terms.packages.len()))
                .collect(),
            decided: Vec::new(),
            noted: Vec::new(),
        }
    }
}

/// What one file's accepted rows gave the month.
pub struct Absorbed<'a> {
    role: Role,
    vendors: &'a [VendorSlot<'a>],
    disputes: Option<&'a Disputes>,
    evidence: Collect<'a>,
    /// One tally per declared vendor, in the vendors' order.
    pub tallies: Vec<VendorTally>,
    /// Disputes that matched an accepted in-period row, in file order of the rows.
    pub decided: Vec<Decided>,
    /// Accepted rows kept as evidence ([`Absorbing::evidence`]), in file order.
    pub noted: Vec<Noted>,
}

impl std::fmt::Debug for Absorbed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Absorbed")
            .field("role", &self.role)
            .field("decided", &self.decided)
            .field("noted", &self.noted.len())
            .finish_non_exhaustive()
    }
}

impl RowSink for Absorbed<'_> {
    fn take(&mut self, vendor: usize, line: u64, id: &[u8], parsed: &Record) {
        let (role, ctx) = (self.role, &self.vendors[vendor].ctx);
        let t = &mut self.tallies[vendor];
        // An excluded row stays counted as read and accepted; it takes no part in any figure.
        let class = match self.disputes.and_then(|d| Some((d, d.find(role, id)?))) {
            None => t.add(parsed, ctx),
            Some((d, at)) => {
                let decision = d.items[at].decision;
                let shown = String::from_utf8_lossy(id);
                let outcome = disputes::applies(decision, &shown, parsed);
                let class = match outcome {
                    Ok(()) => t.add_decided(parsed, ctx, decision),
                    Err(_) => t.add(parsed, ctx),
                };
                self.decided.push(Decided {
                    dispute: at,
                    vendor,
                    outcome,
                });
                class
            }
        };
        let row = NotedRef {
            vendor,
            line,
            id,
            record: parsed,
            class: &class,
        };
        match self.evidence {
            Collect::Stream(to) => {
                if shows(&class) {
                    to.note(role, row);
                }
            }
            keep => {
                if keep.wants(role, id, line, parsed, &class) {
                    self.noted.push(row.to_noted());
                }
            }
        }
    }

    fn warm(&mut self, hashes: &mut dyn Iterator<Item = u64>) {
        self.evidence.warm(hashes);
    }
}
