//! Reconciliation (对账, SPEC §10): the vendor's settlement list against the statement, line by
//! line and, where the vendor lists them, record by record, with the reason for every record we
//! do not count. The settle pass keeps only the rows whose ids are claimed and the rows counted
//! under a listed item whose ids are not ([`Collect::Rows`]), so the cost grows with the claim
//! and the differences, not with the month.

pub mod claim;
mod index;
pub mod items;

use crate::base::timestamp::{parse_timestamp, Instant, Month};
use crate::base::word::Word;
use crate::contract::rates::Rates;
use crate::error::{Error, Result};
use crate::input::foreign::ForeignSource;
use crate::input::source::{InputFile, RowSource};
use crate::input::{csv_error, open, Header, Reject, Role};
use crate::month::{settle_collecting, InputPaths, Run, Settled};
use crate::statement::{FileRef, InputRef, Section, Statement};
use crate::tally::collect::{Collect, Noted, RowFilter};
use crate::tally::disputes::{Decision, Disputes};
use claim::{ClaimLine, ClaimRecords, Read};
use index::ClaimIndex;
use items::{item_of, not_billable, role_of, section, ItemKey};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use xxhash_rust::xxh3::Xxh3DefaultBuilder;

/// Maps keyed by ids: hashed with xxh3 (the ids are the parties' own, and a reconciliation looks
/// up every accepted row).
type HashMap<K, V> = std::collections::HashMap<K, V, Xxh3DefaultBuilder>;
type IdSet<'a> = HashSet<&'a [u8], Xxh3DefaultBuilder>;

/// The JSON schema name of a reconciliation.
pub const SCHEMA: &str = "slatement.reconciliation.v1";

/// What the settle pass keeps for a reconciliation: the rows whose ids are claimed and do not
/// match, and the rows counted under a listed item whose ids are not claimed. A claimed id counted
/// under its item at its amount is matched there and then.
struct Matcher<'a> {
    index: &'a ClaimIndex<'a>,
    /// The items the vendor lists records for.
    listed_keys: Vec<ItemKey>,
    terms: &'a crate::contract::terms::Terms,
    disputes: Option<&'a Disputes>,
    /// Per id's first record: the line of our row matched to it, plus one (0: not matched).
    matched: &'a [AtomicU64],
}

impl RowFilter for Matcher<'_> {
    fn keep(
        &self,
        role: Role,
        id: &[u8],
        line: u64,
        record: &crate::input::records::Record,
        class: &crate::tally::Classification,
    ) -> bool {
        let counted = item_of(record, class, self.terms);
        let Some(head) = self.index.find(role, id) else {
            // Not claimed: kept when counted under an item whose records the vendor lists.
            return counted.is_some_and(|(key, _)| self.listed_keys.contains(&key));
        };
        let excluded = self
            .disputes
            .and_then(|d| d.find(role, id).map(|i| d.items[i].decision))
            .is_some_and(|x| matches!(x, Decision::Exclude | Decision::NotTakeover));
        let Some((key, amount)) = counted.filter(|_| !excluded) else {
            return true;
        };
        // Matched when every claim of the id is under the item we count it under, at its amount.
        let records = self.index.records;
        let all = self.index.chain(head).all(|i| {
            let r = &records.rows[i as usize];
            let claimed = records.amount(r);
            self.index.key(r) == Some(key)
                && (amount.is_none() || claimed.is_none() || claimed == amount)
        });
        if !all {
            return true;
        }
        self.matched[head as usize].store(line + 1, Ordering::Relaxed);
        false
    }

    fn warm(&self, hashes: &mut dyn Iterator<Item = u64>) {
        self.index.warm(hashes);
    }
}

/// The claimed records, indexed, with what the settle pass matched.
struct Claims<'a> {
    index: &'a ClaimIndex<'a>,
    /// Per id's first record: the line of our row the settle pass matched it to, plus one.
    matched: &'a [AtomicU64],
}

impl Claims<'_> {
    /// The line of our row the settle pass matched record `i`'s id to, if it did.
    fn matched_at(&self, i: u32) -> Option<u64> {
        let head = self.index.head(i)?;
        match self.matched[head as usize].load(Ordering::Relaxed) {
            0 => None,
            l => Some(l - 1),
        }
    }
}

/// Why we did not count a claimed record, in the order they are checked (SPEC §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No row of the item's input has this id.
    Unknown,
    /// The id's rows name another vendor.
    OtherVendor,
    /// The vendor's rows of this id fall outside the month.
    OutsidePeriod,
    /// The vendor's row of this id was rejected.
    Rejected,
    /// An auditor's decision excluded it.
    ExcludedByDispute,
    /// Listed again under the same item.
    ClaimedTwice,
    /// Counted under another item of the same section.
    CountedUnder,
    /// In the month, but the work does not earn (or cost) under this item.
    NotBillable,
}

impl Reason {
    /// The code in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Unknown => "unknown",
            Reason::OtherVendor => "other_vendor",
            Reason::OutsidePeriod => "outside_period",
            Reason::Rejected => "rejected",
            Reason::ExcludedByDispute => "excluded_by_dispute",
            Reason::ClaimedTwice => "claimed_twice",
            Reason::CountedUnder => "counted_under",
            Reason::NotBillable => "not_billable",
        }
    }
}

/// Which side a differing record is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The vendor counts it, we do not.
    ClaimedOnly,
    /// We count it, the vendor does not list it.
    OursOnly,
    /// Both count it, at different amounts (commission).
    AmountDiffers,
}

impl Side {
    /// The code in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::ClaimedOnly => "claimed_only",
            Side::OursOnly => "ours_only",
            Side::AmountDiffers => "amount_differs",
        }
    }
}

/// A quantity and an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Quantity.
    pub quantity: Decimal,
    /// Amount.
    pub amount: Decimal,
}

/// One item of either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineCmp {
    /// The §5 item name.
    pub item: String,
    /// Our figures (0 when we have no such line).
    pub ours: Figures,
    /// The vendor's (0 when it claims no such line).
    pub claimed: Figures,
    /// Claimed − ours.
    pub delta: Figures,
}

/// One total of both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TotalCmp {
    /// Ours.
    pub ours: Decimal,
    /// The vendor's: the sum of its lines by section, as in §4.
    pub claimed: Decimal,
    /// Claimed − ours.
    pub delta: Decimal,
}

/// The totals compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TotalsCmp {
    /// What the platform pays.
    pub earned: TotalCmp,
    /// What the vendor pays.
    pub charged: TotalCmp,
    /// Earned − charged.
    pub net: TotalCmp,
}

/// The records of one item, counted by outcome (disjoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordCounts {
    /// The item.
    pub item: String,
    /// Counted by both, same amount.
    pub matched: u64,
    /// Claimed, not counted by us.
    pub claimed_only: u64,
    /// Counted by us, not claimed.
    pub ours_only: u64,
    /// Counted by both, amounts differ (commission).
    pub amount_differs: u64,
}

/// One differing record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The item.
    pub item: String,
    /// Which side.
    pub side: Side,
    /// The record's id.
    pub id: String,
    /// Why we do not count it (claimed_only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The fact, in words, for people (not a stable contract).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Our amount (amount_differs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ours: Option<Decimal>,
    /// The claimed amount (amount_differs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed: Option<Decimal>,
    /// The input row, `file:line` (absent for `unknown`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The claim_records line it comes from (claimed_only), for the draft disputes.
    #[serde(skip)]
    pub claim_line: Option<u64>,
}

/// The vendor reconciled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorName {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A reconciliation of one vendor's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// `YYYY-MM`.
    pub month: String,
    /// The vendor.
    pub vendor: VendorName,
    /// Contract currency.
    pub currency: String,
    /// Every line, total and record agrees.
    pub agrees: bool,
    /// Statement items in statement order, then the claim's other items in claim order.
    pub lines: Vec<LineCmp>,
    /// Totals.
    pub totals: TotalsCmp,
    /// Per item the claim lists records for, in line order.
    pub records: Vec<RecordCounts>,
    /// Every differing record: by item (line order), side, then id in byte order.
    pub differences: Vec<Difference>,
    /// Things a reader must know.
    pub warnings: Vec<String>,
    /// Our inputs, as the statement records them.
    pub inputs: Vec<InputRef>,
    /// The claim.
    pub claim: FileRef,
    /// The records behind it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_records: Option<FileRef>,
    /// The rates file.
    pub rates: FileRef,
}

impl Reconciliation {
    /// Every claimed_only and ours_only record as a disputes file with the decision left for
    /// the auditor (`--draft-disputes`).
    pub fn draft_disputes(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["kind", "id", "decision", "reason", "decided_by"])
            .expect("memory");
        for d in &self.differences {
            if d.side == Side::AmountDiffers {
                continue;
            }
            let kind = match role_of(&d.item) {
                Some(Role::Calls) => "contact",
                Some(Role::Tickets) => "ticket",
                _ => "order",
            };
            let why = match (&d.reason, &d.detail) {
                (Some(r), Some(x)) => {
                    format!("{} {}: {} ({x})", d.item, d.side.as_str(), r.as_str())
                }
                (Some(r), None) => format!("{} {}: {}", d.item, d.side.as_str(), r.as_str()),
                _ => format!("{} {}", d.item, d.side.as_str()),
            };
            w.write_record([
                kind,
                &crate::render::csv::escape_text(&d.id),
                "",
                &crate::render::csv::escape_text(&why),
                "",
            ])
            .expect("memory");
        }
        w.into_inner().expect("memory")
    }
}

/// What to reconcile.
pub struct Request<'a> {
    /// The contract terms.
    pub rates: &'a Rates,
    /// The month.
    pub month: Month,
    /// `--as-of`.
    pub as_of: Option<Instant>,
    /// The vendor.
    pub vendor: &'a str,
    /// Our inputs.
    pub inputs: &'a InputPaths,
    /// An auditor's decisions already taken.
    pub disputes: Option<&'a Disputes>,
    /// `--allow-outside-period`.
    pub allow_outside_period: bool,
    /// The vendor's settlement list.
    pub claim: Read<ClaimLine>,
    /// The records behind it.
    pub records: Option<ClaimRecords>,
}

/// The month settled for the vendor, and its reconciliation.
pub struct Outcome {
    /// The reconciliation.
    pub reconciliation: Reconciliation,
    /// The settle run (its rejects decide whether the run may go on).
    pub settled: Settled,
}

/// Settles the vendor's month keeping the rows the claim needs, and compares.
pub fn reconcile(req: Request) -> Result<Outcome> {
    let rates = req.rates;
    let terms = rates.terms_for(req.vendor, req.month);
    let claim_records = req.records.as_ref().map(|r| FileRef {
        path: r.path.clone(),
        sha256: r.sha256.clone(),
    });
    let records: ClaimRecords = req.records.unwrap_or_default();
    // Read once: the index and the second look through the inputs run on the same threads.
    let parallel = crate::input::pipeline::Parallel::from_env()?;
    let index = ClaimIndex::build(&records, terms, parallel.threads);
    let listed = &records.items;
    let listed_keys: Vec<ItemKey> = listed
        .iter()
        .filter_map(|i| ItemKey::parse(i, terms))
        .collect();
    // A claimed record counted by us under its item at its amount is matched by the settle pass
    // itself, which notes the row's line here, by the id's first record (line + 1; 0: not
    // matched), and keeps no row: the rows kept are the few that differ.
    let matched: Vec<AtomicU64> = (0..records.rows.len()).map(|_| AtomicU64::new(0)).collect();
    let matcher = Matcher {
        index: &index,
        listed_keys,
        terms,
        disputes: req.disputes,
        matched: &matched,
    };
    let settled = settle_collecting(
        &Run {
            rates,
            month: Some(req.month),
            as_of: req.as_of,
            vendor: Some(req.vendor.to_string()),
            inputs: req.inputs,
            disputes: req.disputes,
            allow_outside_period: req.allow_outside_period,
        },
        Collect::Rows(&matcher),
    )?;
    let Some(statement) = settled
        .statements
        .iter()
        .find(|s| s.vendor.id == req.vendor)
    else {
        return Err(Error::Usage(format!(
            "vendor {} is not settled in {}: {}",
            req.vendor,
            req.month,
            settled.notices.join("; ")
        )));
    };
    let vendor_index = rates
        .vendors
        .iter()
        .position(|v| v.id == req.vendor)
        .expect("a settled vendor");
    let scale = terms.money.scale;
    let zero = Decimal::new(0, scale);

    // Lines: the statement's, then the claim's other items.
    let mut lines = Vec::new();
    let claimed_of = |item: &str| req.claim.rows.iter().find(|c| c.item == item);
    let figures = |q: Decimal, a: Decimal| Figures {
        quantity: q,
        amount: a,
    };
    for l in &statement.lines {
        let item = l.item.to_string();
        let claimed = claimed_of(&item).map_or(figures(Decimal::ZERO, zero), |c| {
            figures(c.quantity, c.amount)
        });
        lines.push(compare(
            &item,
            figures(l.quantity, l.amount),
            claimed,
            scale,
        ));
    }
    for c in &req.claim.rows {
        if statement.lines.iter().all(|l| l.item.to_string() != c.item) {
            lines.push(compare(
                &c.item,
                figures(Decimal::ZERO, zero),
                figures(c.quantity, c.amount),
                scale,
            ));
        }
    }
    let sum = |f: &dyn Fn(&ClaimLine) -> bool| -> Decimal {
        let mut s = crate::base::money::checked_sum(
            req.claim.rows.iter().filter(|c| f(c)).map(|c| c.amount),
        )
        .unwrap_or(Decimal::MAX);
        s.rescale(scale);
        s
    };
    let earned = sum(&|c| section(&c.item) == Section::Earn.as_str());
    let charged = sum(&|c| section(&c.item) != Section::Earn.as_str());
    let mut net = earned - charged;
    net.rescale(scale);
    let t = &statement.totals;
    let totals = TotalsCmp {
        earned: total(t.earned, earned, scale),
        charged: total(t.charged, charged, scale),
        net: total(t.net, net, scale),
    };

    // Records.
    // Ids the settle pass matched need no second look; the others do.
    let mut unmatched: HashMap<Role, IdSet> = HashMap::default();
    for head in index.heads() {
        if matched[head as usize].load(Ordering::Relaxed) == 0 {
            let r = &records.rows[head as usize];
            if let Some(role) = index.role(r) {
                unmatched
                    .entry(role)
                    .or_default()
                    .insert(records.id(r).as_bytes());
            }
        }
    }
    let context = Context::build(
        &settled,
        req.inputs,
        &unmatched,
        vendor_index,
        statement,
        req.month,
        rates,
        terms,
        parallel,
    )?;
    // The records of each item, in file order.
    let mut by_item: Vec<Vec<u32>> = vec![Vec::new(); listed.len()];
    for (i, r) in records.rows.iter().enumerate() {
        by_item[usize::from(r.item)].push(i as u32);
    }
    let claims = Claims {
        index: &index,
        matched: &matched,
    };
    let order: Vec<&str> = lines.iter().map(|l| l.item.as_str()).collect();
    let mut counts = Vec::new();
    let mut differences = Vec::new();
    let mut warnings = Vec::new();
    for item in order {
        let Some(at) = listed.iter().position(|l| l == item) else {
            continue;
        };
        let mine = std::mem::take(&mut by_item[at]);
        let (c, mut d) = context.compare_item(item, at as u16, &mine, &claims, terms, req.disputes);
        counts.push(c);
        d.sort_by(|a, b| {
            (a.side, a.id.as_bytes(), a.claim_line).cmp(&(b.side, b.id.as_bytes(), b.claim_line))
        });
        differences.extend(d);
        let claimed_qty = claimed_of(item).map_or(Decimal::ZERO, |c| c.quantity);
        let listed_qty = if item == "earn/commission" {
            mine.iter()
                .filter_map(|&i| records.amount(&records.rows[i as usize]))
                .sum::<Decimal>()
        } else {
            Decimal::from(mine.len() as u64)
        };
        if claimed_qty != listed_qty {
            warnings.push(format!(
                "{item}: the claim's quantity {claimed_qty} differs from the {} its records list ({listed_qty}): the list and the line disagree",
                if item == "earn/commission" { "sum of the amounts" } else { "number of records" }
            ));
        }
    }
    let agrees = lines
        .iter()
        .all(|l| l.delta.quantity.is_zero() && l.delta.amount.is_zero())
        && [totals.earned, totals.charged, totals.net]
            .iter()
            .all(|t| t.delta.is_zero())
        && differences.is_empty();
    let reconciliation = Reconciliation {
        schema: SCHEMA,
        month: req.month.to_string(),
        vendor: VendorName {
            id: statement.vendor.id.clone(),
            name: statement.vendor.name.clone(),
        },
        currency: statement.currency.clone(),
        agrees,
        lines,
        totals,
        records: counts,
        differences,
        warnings,
        inputs: statement.inputs.clone(),
        claim: FileRef {
            path: req.claim.path.clone(),
            sha256: req.claim.sha256.clone(),
        },
        claim_records,
        rates: statement.rates.clone(),
    };
    Ok(Outcome {
        reconciliation,
        settled,
    })
}

fn compare(item: &str, ours: Figures, claimed: Figures, scale: u32) -> LineCmp {
    let mut amount = claimed.amount - ours.amount;
    amount.rescale(scale);
    let mut ours = ours;
    ours.amount.rescale(scale.max(ours.amount.scale()));
    let mut claimed = claimed;
    claimed.amount.rescale(scale.max(claimed.amount.scale()));
    LineCmp {
        item: item.to_string(),
        ours,
        claimed,
        delta: Figures {
            quantity: (claimed.quantity - ours.quantity).normalize_zero(),
            amount,
        },
    }
}

trait NormalizeZero {
    fn normalize_zero(self) -> Self;
}

impl NormalizeZero for Decimal {
    /// A zero without a sign.
    fn normalize_zero(mut self) -> Self {
        if self.is_zero() {
            self.set_sign_positive(true);
        }
        self
    }
}

fn total(ours: Decimal, claimed: Decimal, scale: u32) -> TotalCmp {
    let mut delta = (claimed - ours).normalize_zero();
    delta.rescale(scale);
    TotalCmp {
        ours,
        claimed,
        delta,
    }
}

/// A row of an input seen for a claimed id that we did not accept for the vendor.
#[derive(Debug, Clone)]
struct Seen {
    line: u64,
    vendor: String,
    /// The period timestamp, when it parses.
    at: Option<Instant>,
}

/// What we know of each claimed id: the rows kept by the settle pass, our rejected rows, and
/// the other rows of the input that carry it.
struct Context<'a> {
    /// (role, id) → accepted rows of the vendor in the month, with their file and item.
    noted: HashMap<(Role, &'a str), Vec<Kept<'a>>>,
    /// The rows we count under each item, for ours_only.
    counted: HashMap<ItemKey, Vec<Kept<'a>>>,
    /// (role, id) → the vendor's rejected rows.
    rejected: HashMap<(Role, String), Vec<&'a Reject>>,
    /// (role, id) → other rows of the input with the id (another vendor, another month).
    seen: HashMap<(Role, String), Vec<Seen>>,
    /// Each input's path as given.
    paths: HashMap<Role, String>,
    tz: chrono_tz::Tz,
    month: Month,
    vendor: String,
}

/// An accepted row kept for the reconciliation: the row, its file, the item we count it under.
#[derive(Clone, Copy)]
struct Kept<'a> {
    row: &'a Noted,
    file: &'a str,
    item: Option<(ItemKey, Option<Decimal>)>,
}

impl<'a> Context<'a> {
    #[allow(clippy::too_many_arguments)]
    fn build(
        settled: &'a Settled,
        inputs: &InputPaths,
        claimed: &HashMap<Role, IdSet<'_>>,
        vendor: usize,
        statement: &Statement,
        month: Month,
        rates: &Rates,
        terms: &crate::contract::terms::Terms,
        parallel: crate::input::pipeline::Parallel,
    ) -> Result<Context<'a>> {
        let mut noted: HashMap<(Role, &str), Vec<Kept>> = HashMap::default();
        let mut counted: HashMap<ItemKey, Vec<Kept>> = HashMap::default();
        for f in &settled.noted {
            for n in f.rows.iter().filter(|n| n.vendor == vendor) {
                let kept = Kept {
                    row: n,
                    file: f.path.as_str(),
                    item: item_of(&n.record, &n.class, terms),
                };
                noted.entry((f.role, n.id.as_str())).or_default().push(kept);
                if let Some((key, _)) = kept.item {
                    counted.entry(key).or_default().push(kept);
                }
            }
        }
        let mut paths = HashMap::default();
        let mut rejected: HashMap<(Role, String), Vec<&Reject>> = HashMap::default();
        let mut seen: HashMap<(Role, String), Vec<Seen>> = HashMap::default();
        for input in &inputs.files {
            let role = input.role;
            let Some(ids) = claimed.get(&role) else {
                continue;
            };
            let shown = input.path.display().to_string();
            paths.insert(role, shown.clone());
            // Every row of the input with a claimed id that was not accepted for the vendor:
            // read once more, only their ids and dating cells.
            let wanted: HashSet<&[u8], Xxh3DefaultBuilder> = ids
                .iter()
                .filter(|id| {
                    std::str::from_utf8(id).map_or(true, |s| !noted.contains_key(&(role, s)))
                })
                .copied()
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let rejects_here: Vec<&Reject> =
                settled.rejects.iter().filter(|r| r.file == shown).collect();
            let lines_rejected: HashMap<u64, &Reject> =
                rejects_here.iter().map(|r| (r.line, *r)).collect();
            scan(
                input,
                rates.timezone,
                &wanted,
                parallel,
                &mut |line, id, vendor_cell, at| {
                    let key = (role, id.to_string());
                    if let Some(r) = lines_rejected.get(&line) {
                        if vendor_cell == statement.vendor.id {
                            rejected.entry(key).or_default().push(r);
                            return;
                        }
                    }
                    seen.entry(key).or_default().push(Seen {
                        line,
                        vendor: vendor_cell.to_string(),
                        at,
                    });
                },
            )?;
        }
        Ok(Context {
            noted,
            counted,
            rejected,
            seen,
            paths,
            tz: rates.timezone,
            month,
            vendor: statement.vendor.id.clone(),
        })
    }

    /// The records of one item: counts and differences.
    fn compare_item(
        &self,
        item: &str,
        at: u16,
        mine: &[u32],
        claims: &Claims,
        terms: &crate::contract::terms::Terms,
        disputes: Option<&Disputes>,
    ) -> (RecordCounts, Vec<Difference>) {
        let role = role_of(item).expect("a record item");
        let file = self.paths.get(&role).cloned().unwrap_or_default();
        let mut counts = RecordCounts {
            item: item.to_string(),
            matched: 0,
            claimed_only: 0,
            ours_only: 0,
            amount_differs: 0,
        };
        let mut out = Vec::new();
        let key = ItemKey::parse(item, terms);
        let records = claims.index.records;
        let diff = |side,
                    id: &str,
                    reason: Option<Reason>,
                    detail: Option<String>,
                    source: Option<String>,
                    line: Option<u64>| Difference {
            item: item.to_string(),
            side,
            id: id.to_string(),
            reason,
            detail,
            ours: None,
            claimed: None,
            source,
            claim_line: line,
        };
        for &i in mine {
            let r = &records.rows[i as usize];
            let id = records.id(r);
            let earlier = claims.index.earlier(i);
            let matched_at = claims.matched_at(i);
            if let Some(line) = matched_at {
                // Counted by us under this item, at its amount, by the settle pass.
                match earlier {
                    None => counts.matched += 1,
                    Some(first) => {
                        counts.claimed_only += 1;
                        out.push(diff(
                            Side::ClaimedOnly,
                            id,
                            Some(Reason::ClaimedTwice),
                            Some(format!("listed again under {item} (first on line {first} of the claim's records)")),
                            Some(format!("{file}:{line}")),
                            Some(r.line),
                        ));
                    }
                }
                continue;
            }
            let ours = self.noted.get(&(role, id));
            let counted = ours.and_then(|rows| {
                rows.iter().find_map(|k| {
                    let (it, amount) = k.item?;
                    (Some(it) == key && !excluded(disputes, role, id))
                        .then_some((k.row, k.file, amount))
                })
            });
            let reason = self.reason(role, id, item, key, ours, earlier, terms, disputes, &file);
            match (reason, counted) {
                (Some((reason, detail, source)), _) => {
                    counts.claimed_only += 1;
                    out.push(diff(
                        Side::ClaimedOnly,
                        id,
                        Some(reason),
                        Some(detail),
                        source,
                        Some(r.line),
                    ));
                }
                (None, Some((n, f, amount))) => match (amount, records.amount(r)) {
                    (Some(a), Some(c)) if a != c => {
                        counts.amount_differs += 1;
                        out.push(Difference {
                            ours: Some(a),
                            claimed: Some(c),
                            ..diff(
                                Side::AmountDiffers,
                                id,
                                None,
                                None,
                                Some(format!("{f}:{}", n.line)),
                                None,
                            )
                        });
                    }
                    _ => counts.matched += 1,
                },
                (None, None) => {
                    // Every path above names a reason; a row neither counted nor explained is
                    // reported as not billable rather than dropped.
                    counts.claimed_only += 1;
                    out.push(diff(
                        Side::ClaimedOnly,
                        id,
                        Some(Reason::NotBillable),
                        Some("not counted under this item".into()),
                        None,
                        Some(r.line),
                    ));
                }
            }
        }
        // Ours only: rows we count under the item whose id is not claimed under it.
        let ours = key.and_then(|k| self.counted.get(&k));
        for k in ours.into_iter().flatten() {
            let (f, n) = (k.file, k.row);
            if claims.index.claimed_under(role, n.id.as_bytes(), at)
                || excluded(disputes, role, &n.id)
            {
                continue;
            }
            {
                counts.ours_only += 1;
                out.push(diff(
                    Side::OursOnly,
                    &n.id,
                    None,
                    None,
                    Some(format!("{f}:{}", n.line)),
                    None,
                ));
            }
        }
        (counts, out)
    }

    /// The first reason that applies, in §10's order, with the fact in words and the source; or
    /// `None` when we count the record under this item.
    #[allow(clippy::too_many_arguments)]
    fn reason(
        &self,
        role: Role,
        id: &str,
        item: &str,
        key: Option<ItemKey>,
        ours: Option<&Vec<Kept>>,
        earlier: Option<u64>,
        terms: &crate::contract::terms::Terms,
        disputes: Option<&Disputes>,
        file: &str,
    ) -> Option<(Reason, String, Option<String>)> {
        let at = |line: u64| Some(format!("{file}:{line}"));
        // Only ids with no accepted row were looked up again.
        let (rejected, seen) = if ours.is_some() {
            (None, None)
        } else {
            let key = (role, id.to_string());
            (self.rejected.get(&key), self.seen.get(&key))
        };
        if ours.is_none() && rejected.is_none() {
            let Some(rows) = seen.filter(|s| !s.is_empty()) else {
                return Some((
                    Reason::Unknown,
                    format!("no row of {file} has this id"),
                    None,
                ));
            };
            let mine: Vec<&Seen> = rows.iter().filter(|s| s.vendor == self.vendor).collect();
            let Some(first) = mine.first() else {
                let s = &rows[0];
                return Some((
                    Reason::OtherVendor,
                    format!("a row of vendor `{}`", crate::base::text::shown(&s.vendor)),
                    at(s.line),
                ));
            };
            if let Some(t) = mine
                .iter()
                .find_map(|s| s.at.filter(|t| !in_month(*t, self.month, self.tz)))
            {
                let s = mine.iter().find(|s| s.at == Some(t)).expect("found");
                return Some((
                    Reason::OutsidePeriod,
                    format!(
                        "dated {} ({}), outside {}",
                        t.to_rfc3339(self.tz),
                        Month::of(t.local_date(self.tz)),
                        self.month
                    ),
                    at(s.line),
                ));
            }
            return Some((
                Reason::Rejected,
                "the row was not accepted (see the rejects)".into(),
                at(first.line),
            ));
        }
        if ours.is_none() {
            let r = rejected.and_then(|r| r.first()).expect("a rejected row");
            return Some((
                Reason::Rejected,
                format!("{}: {}", r.column, crate::base::text::shown(&r.reason)),
                at(r.line),
            ));
        }
        let rows = ours.expect("accepted rows");
        let (n, f) = (rows[0].row, rows[0].file);
        let source = || Some(format!("{f}:{}", n.line));
        if let Some(d) = disputes.and_then(|d| d.find(role, id.as_bytes()).map(|i| (d, i))) {
            let (d, i) = d;
            if matches!(
                d.items[i].decision,
                Decision::Exclude | Decision::NotTakeover
            ) {
                return Some((
                    Reason::ExcludedByDispute,
                    format!(
                        "{} by the auditor's decision on line {} of {}",
                        d.items[i].decision.as_str(),
                        d.items[i].line,
                        d.path
                    ),
                    source(),
                ));
            }
        }
        if let Some(first) = earlier {
            return Some((
                Reason::ClaimedTwice,
                format!("listed again under {item} (first on line {first} of the claim's records)"),
                source(),
            ));
        }
        let under = rows.iter().find_map(|k| k.item.map(|(it, _)| it));
        match under {
            Some(it) if Some(it) == key => None,
            Some(it) if section(&it.name(terms)) == section(item) => Some((
                Reason::CountedUnder,
                format!("counted under {}", it.name(terms)),
                source(),
            )),
            _ => Some((
                Reason::NotBillable,
                not_billable(item, &n.record, &n.class, terms),
                source(),
            )),
        }
    }
}

/// Whether an auditor's decision leaves the record out of every figure.
fn excluded(disputes: Option<&Disputes>, role: Role, id: &str) -> bool {
    disputes
        .and_then(|d| d.find(role, id.as_bytes()).map(|i| d.items[i].decision))
        .is_some_and(|x| matches!(x, Decision::Exclude | Decision::NotTakeover))
}

fn in_month(t: Instant, month: Month, tz: chrono_tz::Tz) -> bool {
    let (start, end) = month.bounds(tz);
    t >= start && t < end
}

/// Up to this many ids, a file is searched for their bytes instead of parsed row by row.
const FEW_IDS: usize = 64;

/// Calls `found(line, bytes)` for each physical line of the file at `path` that holds one of
/// `ids` (once per line, in file order, the header aside), searching the file for each id's
/// bytes in chunks on every core ([`crate::input::pipeline::read_chunks`], without hashing the
/// file again: it was hashed when it was read).
fn find_lines(
    path: &std::path::Path,
    ids: &HashSet<&[u8], Xxh3DefaultBuilder>,
    parallel: crate::input::pipeline::Parallel,
    found: &mut dyn FnMut(u64, &[u8]),
) -> Result<()> {
    use crate::input::pipeline::{read_chunks, with_workers, Hashing};
    let finders: Vec<memchr::memmem::Finder<'static>> = ids
        .iter()
        .filter(|id| !id.is_empty())
        .map(|id| memchr::memmem::Finder::new(id).into_owned())
        .collect();
    let mut lines = Vec::new();
    with_workers(parallel.threads, |workers| {
        read_chunks(
            path,
            workers,
            parallel.chunk_bytes,
            Hashing::Skip,
            |_, _| Ok(finders),
            lines_holding,
            |_: &Vec<memchr::memmem::Finder<'static>>, mut more: Vec<(u64, Vec<u8>)>| {
                lines.append(&mut more);
                Ok(())
            },
        )
        .map(|_| ())
    })?;
    for (line, bytes) in &lines {
        found(*line, bytes);
    }
    Ok(())
}

/// The physical lines of `chunk` (whole lines, after the header) that hold a match of one of
/// `finders`, each once, in order, with its line number.
fn lines_holding(
    finders: &Vec<memchr::memmem::Finder<'static>>,
    chunk: &crate::input::pipeline::Chunk,
) -> Vec<(u64, Vec<u8>)> {
    let whole = &chunk.bytes[..];
    let mut starts: Vec<usize> = finders
        .iter()
        .flat_map(|f| f.find_iter(whole))
        .map(|at| memchr::memrchr2(b'\n', b'\r', &whole[..at]).map_or(0, |i| i + 1))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let mut lines_of = crate::input::pipeline::LineCounter::new(chunk);
    let mut lines = Vec::new();
    for start in starts {
        let line = lines_of.line_of(start);
        let stop =
            memchr::memchr2(b'\n', b'\r', &whole[start..]).map_or(whole.len(), |i| start + i);
        if line > 1 {
            lines.push((line, whole[start..stop].to_vec()));
        }
    }
    lines
}

/// Called with (line, id, vendor, period time) of each row found again.
type Found<'a> = dyn FnMut(u64, &str, &str, Option<Instant>) + 'a;

/// Reads `input` once more, calling `found(line, id, vendor, period time)` for each row whose id
/// is in `wanted`.
fn scan(
    input: &InputFile,
    tz: chrono_tz::Tz,
    wanted: &HashSet<&[u8], Xxh3DefaultBuilder>,
    parallel: crate::input::pipeline::Parallel,
    found: &mut Found,
) -> Result<()> {
    let role = input.role;
    let period = role.period_column();
    let mut record = csv::ByteRecord::new();
    fn cell<'r>(record: &'r csv::ByteRecord, header: &Header, i: usize) -> &'r [u8] {
        header.index[i]
            .and_then(|p| record.get(p))
            .map(<[u8]>::trim_ascii)
            .unwrap_or_default()
    }
    let mut visit = |line: u64, record: &csv::ByteRecord, header: &Header| {
        let id = cell(record, header, 0);
        if wanted.contains(id) {
            let vendor = cell(record, header, 1);
            let at = parse_timestamp(cell(record, header, period), tz).ok();
            found(
                line,
                &String::from_utf8_lossy(id),
                &String::from_utf8_lossy(vendor),
                at,
            );
        }
    };
    match &input.profile {
        Some(p) => {
            let mut source = ForeignSource::open(&input.path, p, tz)?;
            let header = source.header().clone();
            while let Some(row) = source.next_row(&mut record)? {
                visit(row.line, &record, &header);
            }
        }
        None if wanted.len() <= FEW_IDS => {
            let mut reader = open(&input.path)?;
            let shown = input.path.display().to_string();
            if !reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(&input.path, e))?
            {
                return Ok(());
            }
            let header = Header::map(role, &record, &shown)?;
            drop(reader);
            find_lines(&input.path, wanted, parallel, &mut |line, bytes| {
                let mut r = crate::input::csv_reader(bytes);
                if r.read_byte_record(&mut record).unwrap_or(false) {
                    visit(line, &record, &header);
                }
            })?;
        }
        None => {
            let mut reader = open(&input.path)?;
            let shown = input.path.display().to_string();
            if !reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(&input.path, e))?
            {
                return Ok(());
            }
            let header = Header::map(role, &record, &shown)?;
            while reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(&input.path, e))?
            {
                let start = record.position().map_or(0, |p| p.byte());
                let line = reader.get_mut().line_of(start);
                visit(line, &record, &header);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::pipeline::Parallel;

    /// SPEC §10: the lines of claimed ids are found again whatever the chunks and threads, on the
    /// physical line a reader counts (LF, CRLF and a lone CR each end one), the header aside.
    #[test]
    fn spec_10_claimed_ids_are_found_on_their_physical_lines() {
        let mut text = String::from("contact_id,vendor,note\n");
        for i in 0..3000 {
            match i % 250 {
                17 => text.push_str(&format!("C{i},acme,\"two\nlines C7\"\r\n")),
                99 => text.push_str(&format!("C{i},acme,crlf\r\n")),
                201 => text.push_str(&format!("C{i},acme,lone\r")),
                _ => text.push_str(&format!("C{i},acme,plain\n")),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calls.csv");
        std::fs::write(&path, &text).unwrap();
        let ids: HashSet<&[u8], Xxh3DefaultBuilder> =
            [&b"C7,"[..], b"C1999,", b"C2201,", b"C7\"", b"vendor", b""]
                .into_iter()
                .collect();
        // Every physical line, numbered from 1, kept when it holds an id and is not the header.
        let mut expected = Vec::new();
        let bytes = text.as_bytes();
        let (mut line, mut start, mut at) = (1u64, 0, 0);
        while at <= bytes.len() {
            let end = at == bytes.len() || matches!(bytes[at], b'\n' | b'\r');
            if end {
                let cell = &bytes[start..at];
                let holds = ids
                    .iter()
                    .any(|id| !id.is_empty() && cell.windows(id.len()).any(|w| w == *id));
                if line > 1 && holds {
                    expected.push((line, cell.to_vec()));
                }
                if at + 1 < bytes.len() && bytes[at] == b'\r' && bytes[at + 1] == b'\n' {
                    at += 1;
                }
                line += 1;
                start = at + 1;
            }
            at += 1;
        }
        assert_eq!(expected.len(), 15, "{expected:?}");
        for (threads, chunk_bytes) in [(1, 1 << 20), (1, 7), (2, 64), (3, 1000), (2, 1 << 20)] {
            let mut got = Vec::new();
            let parallel = Parallel {
                threads,
                chunk_bytes,
            };
            find_lines(&path, &ids, parallel, &mut |line, bytes| {
                got.push((line, bytes.to_vec()))
            })
            .unwrap();
            assert_eq!(got, expected, "{threads} threads, {chunk_bytes} bytes");
        }
    }
}
