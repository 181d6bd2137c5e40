//! A declared vendor as the reader sees it: whether its rows are read, what they are judged by
//! (terms, time zone, cut-off, end of contract) and how its rows were counted.

use crate::base::short_keys::ShortKeys;
use crate::base::timestamp::Instant;
use crate::contract::terms::Terms;
use crate::input::records::PackageOf;
use chrono_tz::Tz;

/// A declared vendor as seen by the reader.
pub struct VendorSlot<'a> {
    /// The vendor id, matched exactly after trimming.
    pub id: &'a str,
    /// Whether this vendor's rows are read (false for other vendors under `--vendor`).
    pub selected: bool,
    /// Whether the vendor is in contract in the month (rows before its contract month are
    /// skipped with a warning, SPEC §8).
    pub in_contract: bool,
    /// E, the start of the day after the vendor's last day of service: rows from E on are
    /// outside the period (SPEC §12).
    pub ends: Option<Instant>,
    /// How its rows are judged.
    pub ctx: VendorCtx<'a>,
}

/// What one vendor's rows are judged by: its terms for the month, the time zone and the cut-off.
pub struct VendorCtx<'a> {
    /// The vendor's terms in force for the month.
    pub terms: &'a Terms,
    /// The contract time zone.
    pub tz: Tz,
    /// The cut-off: the start of the next month, or `--as-of`; the end of the contract E when
    /// the cut-off is at or after it (SPEC §12).
    pub cutoff: Instant,
    /// E, the start of the day after the last day of service, when the cut-off is at or after
    /// it: the vendor's replies and resolutions from E on are ignored, and its work pending at E
    /// is taken over by the platform.
    pub ended: Option<Instant>,
    /// Category → package, looked up once per contact.
    packages: ShortKeys<'a, usize>,
}

impl<'a> VendorCtx<'a> {
    /// The cut-off, unless the run has none (`check` without `--month` reads every row as in
    /// period and judges nothing as of a time).
    pub fn judged_until(&self) -> Option<Instant> {
        (self.cutoff != Instant(i64::MAX)).then_some(self.cutoff)
    }

    /// Builds the context judging rows under `terms` in `tz` as of `cutoff`, indexing the
    /// vendor's categories.
    pub fn new(terms: &'a Terms, tz: Tz, cutoff: Instant) -> Self {
        let packages = ShortKeys::new(
            terms
                .packages
                .iter()
                .enumerate()
                .flat_map(|(i, p)| p.categories.iter().map(move |c| (c.as_bytes(), i))),
        );
        VendorCtx {
            terms,
            tz,
            cutoff,
            ended: None,
            packages,
        }
    }

    /// Judges the vendor's work at `end` (E, SPEC §12) when the cut-off is at or after it.
    pub fn ending_at(mut self, end: Option<Instant>) -> Self {
        if let Some(e) = end.filter(|e| self.cutoff >= *e) {
            self.cutoff = e;
            self.ended = Some(e);
        }
        self
    }
}

impl PackageOf for VendorCtx<'_> {
    fn package_of(&self, category: &[u8]) -> Option<usize> {
        self.packages.get(category)
    }
}

/// How one role's rows of one vendor were counted: rows = in_period + outside_period +
/// duplicates + rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    /// Every row naming the vendor.
    pub rows: u64,
    /// Accepted rows of the month, each id once.
    pub in_period: u64,
    /// Accepted rows of earlier months (the incident register only, SPEC §9).
    pub before_period: u64,
    /// Rows of other months.
    pub outside_period: u64,
    /// Exact repeats of an accepted row.
    pub duplicates: u64,
    /// Rejected rows.
    pub rejected: u64,
}

impl RowCounts {
    /// Adds another count of the same role and vendor.
    pub fn merge(&mut self, o: &RowCounts) {
        self.rows += o.rows;
        self.in_period += o.in_period;
        self.before_period += o.before_period;
        self.outside_period += o.outside_period;
        self.duplicates += o.duplicates;
        self.rejected += o.rejected;
    }
}
