//! The statement of one vendor's month (SPEC §5): a plain value computed from the tally and the
//! terms, which every renderer only formats. Its JSON form is the stable contract
//! `slatement.statement.v1`.

pub mod definitions;
pub mod incidents;
pub mod items;
pub mod scoring;

use crate::base::calendar::Calendar;
use crate::base::money::{at_least_scale, checked_line_amount, checked_sum, round};
use crate::base::timestamp::{Instant, Month};
use crate::base::word::Word;
use crate::contract::terms::{
    ChannelPrices, IncidentKind, MetricName, SettlementMethod, Terms, Vendor,
};
use crate::input::cells::PerChannel;
use crate::input::vendor::RowCounts;
use crate::input::Role;
use crate::statement::incidents::Incidents;
pub use crate::statement::items::{Channel, Direction, Earning, LineItem, Section, TakenOver};
use crate::statement::scoring::{round_half_up, score_card, MetricSource, Ratio};
pub use crate::tally::disputes::{Decision, DisputeKind};
use crate::tally::VendorTally;
use chrono::Months;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The JSON schema name of a statement.
pub const SCHEMA: &str = "slatement.statement.v1";

/// The `schema` key of a statement: always [`SCHEMA`], and only that is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Schema;

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(SCHEMA)
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if name == SCHEMA {
            Ok(Schema)
        } else {
            Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&name),
                &SCHEMA,
            ))
        }
    }
}

/// One vendor's settled month. Read back (`diff`, `verify`, `sign`) by the same derive that
/// writes it; keys a later version added read as absent from a statement that lacks them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Statement {
    /// Always [`SCHEMA`].
    pub schema: Schema,
    /// `YYYY-MM`.
    pub month: String,
    /// The vendor settled.
    pub vendor: VendorRef,
    /// Contract currency.
    pub currency: String,
    /// False during the trial period: scored for information, no tier deduction.
    pub assessed: bool,
    /// The first assessed month of the contract.
    pub assessed_from: String,
    /// The instant pending items were judged at: the start of the next month, or `--as-of`.
    pub cutoff: String,
    /// Every metric, in fixed order.
    pub metrics: Metrics,
    /// Contact figures behind the metrics and the money.
    pub contacts: ContactFigures,
    /// Work-order figures.
    pub work_orders: WorkOrderFigures,
    /// Repair figures.
    pub repairs: RepairFigures,
    /// Survey responses by level.
    pub surveys: SurveyFigures,
    /// Sales orders.
    pub orders: OrderFigures,
    /// The incidents of each kind that has terms, when a register was read (SPEC §9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incidents: Option<Incidents>,
    /// The work taken over at the end of the contract, when the month was judged at it (§12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination: Option<TerminationFigures>,
    /// Each scorecard's result.
    pub scorecards: Vec<ScorecardResult>,
    /// Money lines, in fixed order.
    pub lines: Vec<Line>,
    /// Totals, each the sum of rounded lines.
    pub totals: Totals,
    /// Who pays whom, how and by when.
    pub settlement: Settlement,
    /// Rows read per input role present.
    pub counts: Counts,
    /// Input files with their SHA-256.
    pub inputs: Vec<InputRef>,
    /// The rates file with its SHA-256.
    pub rates: FileRef,
    /// Deadlines of the settlement (001 §4.4, §4.6.2, §5.3).
    pub deadlines: Deadlines,
    /// Each formula and rule in force, in words.
    pub definitions: Definitions,
    /// Things a reader must know.
    pub warnings: Vec<String>,
    /// The program that settled: name and version; absent from a statement settled before
    /// statements were sealed.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub tool: Option<Tool>,
    /// The arguments that change figures, so `verify` can settle again exactly; absent from a
    /// statement settled before statements were sealed.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub arguments: Option<Arguments>,
    /// The terms in force for this vendor and month after revisions and overrides, as the
    /// rates file writes them (see [`Rates::terms_table_for`](crate::contract::rates::Rates::terms_table_for));
    /// absent from a statement settled before they were recorded. The terms are a copy of a
    /// TOML document whose tables and keys change with the contract, so they stay JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<serde_json::Map<String, serde_json::Value>>,
    /// The auditor's decisions the month was re-scored with (`slatement rescore`); null when
    /// settled as recorded (absent before `rescore` existed).
    #[serde(default)]
    pub disputes: Option<DisputesRef>,
    /// The seal (`settle --sign`, `slatement sign`): each signature over the statement's
    /// canonical bytes (`slatement sign`); absent when unsigned. Always the last key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Signature>,
}

/// A key always written, null or not: it must be there to read (a missing one is a damaged
/// statement, not an empty value).
pub(crate) fn required<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::deserialize(d)
}

/// A key written only when it has a value: absent reads as None, null is refused.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// One entry of a statement's `signatures`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Signature {
    /// The signer's public key, 64 lowercase hex digits.
    pub signer: String,
    /// Always `ed25519`.
    pub algorithm: String,
    /// The signature over the canonical bytes, 128 lowercase hex digits.
    pub signature: String,
}

/// The disputes file a statement was re-scored with, and the decisions applied to this
/// vendor's rows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DisputesRef {
    /// Path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Every decision applied to this vendor's rows, in disputes-file order.
    pub applied: Vec<AppliedDecision>,
}

/// One auditor's decision applied to a row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AppliedDecision {
    /// The line of the disputes file it is on.
    pub line: u64,
    /// The kind of record.
    pub kind: DisputeKind,
    /// The record's id.
    pub id: String,
    /// What the auditor decided.
    pub decision: Decision,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub decided_by: String,
}

/// The program that settled a statement.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    /// Always `slatement`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Tool {
    /// This program.
    pub fn current() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The command-line arguments that change a statement's figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Arguments {
    /// `--month`, as `YYYY-MM` (`previous` resolved).
    pub month: String,
    /// `--as-of`, as RFC 3339 in the contract time zone; null when not given.
    #[serde(deserialize_with = "required")]
    pub as_of: Option<String>,
    /// `--vendor`; null when every vendor was settled.
    #[serde(deserialize_with = "required")]
    pub vendor: Option<String>,
    /// `--disputes` of `rescore`, the path as given; absent when settled as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disputes: Option<String>,
    /// `--allow-outside-period` was given; absent when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_outside_period: bool,
}

/// Vendor id and name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VendorRef {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// First day of the contract.
    pub contract_start: String,
    /// Last day of service, when the contract ends (SPEC §12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_end: Option<String>,
}

/// A metric's numerator, denominator and display value.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct MetricValue {
    /// Numerator.
    pub numerator: u64,
    /// Denominator.
    pub denominator: u64,
    /// The exact ratio rounded half-up to 4 decimals; null when empty.
    #[serde(deserialize_with = "required")]
    pub value: Option<Decimal>,
}

impl MetricValue {
    /// A ratio with its display value.
    pub fn of(r: Ratio) -> MetricValue {
        MetricValue {
            numerator: r.numerator,
            denominator: r.denominator,
            value: r.display_value(),
        }
    }

    /// The ratio of the counts.
    pub fn ratio(&self) -> Ratio {
        Ratio::new(self.numerator, self.denominator)
    }
}

/// All eight metrics in statement order, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics(pub Vec<(MetricName, MetricValue)>);

impl Metrics {
    /// The ratio of a metric.
    pub fn get(&self, m: MetricName) -> Ratio {
        self.0
            .iter()
            .find(|(n, _)| *n == m)
            .map(|(_, r)| r.ratio())
            .unwrap_or_default()
    }
}

impl MetricSource for Metrics {
    fn ratio(&self, metric: MetricName) -> Ratio {
        self.get(metric)
    }
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (name, v) in &self.0 {
            m.serialize_entry(name, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ordered_map(d, "a map of metrics").map(Metrics)
    }
}

/// Reads a JSON object into its entries, in file order.
pub(crate) fn ordered_map<'de, D, K, V>(d: D, what: &'static str) -> Result<Vec<(K, V)>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de>,
    V: Deserialize<'de>,
{
    struct Entries<K, V>(&'static str, std::marker::PhantomData<(K, V)>);
    impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for Entries<K, V> {
        type Value = Vec<(K, V)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(self.0)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Entries(what, std::marker::PhantomData))
}

/// Contact figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ContactFigures {
    /// Contacts counted in the metrics.
    pub offered: u64,
    /// Of those, answered.
    pub answered: u64,
    /// Of those, not answered.
    pub abandoned: u64,
    /// Phone contacts counted / answered.
    pub phone_offered: u64,
    /// Phone contacts answered.
    pub phone_answered: u64,
    /// Online contacts counted.
    pub online_offered: u64,
    /// Online contacts answered.
    pub online_answered: u64,
    /// Answered within the service-level threshold.
    pub answered_within_service_level: u64,
    /// Short abandons left out of every contact metric.
    pub short_abandons: u64,
    /// Vendor contacts offered outside service hours.
    pub outside_service_hours: u64,
    /// Whether those were counted in the metrics anyway.
    pub outside_service_hours_counted: bool,
    /// Average seconds from offer to answer (2 decimals), null with no answers.
    #[serde(deserialize_with = "required")]
    pub average_speed_of_answer_seconds: Option<Decimal>,
    /// Average talk seconds of answered contacts with an end (2 decimals).
    #[serde(deserialize_with = "required")]
    pub average_talk_seconds: Option<Decimal>,
    /// Billable phone calls (talk time at least the minimum).
    pub effective_calls: u64,
    /// Billable online sessions.
    pub online_sessions: u64,
    /// Answered phone calls with no end time (not effective).
    pub answered_without_end: u64,
    /// Every vendor-handled contact of the month.
    pub vendor_handled: u64,
    /// Platform-handled contacts answered (charged as takeovers).
    pub takeovers_answered: u64,
    /// Platform-handled contacts never answered (not charged).
    pub takeovers_unanswered: u64,
}

/// Work-order figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkOrderFigures {
    /// Replied within the allowance.
    pub on_time: u64,
    /// Overdue (charged).
    pub overdue: u64,
    /// Of the overdue, never replied.
    pub overdue_unreplied: u64,
    /// Unreplied, still within the allowance at the cut-off: reported, never charged.
    pub pending: u64,
    /// Platform-handled work orders, complaints and repairs, left out.
    pub platform_handled_left_out: u64,
    /// Vendor complaints.
    pub complaints: u64,
    /// Of those, resolved.
    pub complaints_resolved: u64,
    /// Vendor service orders.
    pub service_orders: u64,
    /// Of those, resolved.
    pub service_orders_completed: u64,
    /// Platform-handled service orders resolved (charged).
    pub service_order_takeovers: u64,
    /// Platform-handled service orders unresolved (not charged).
    pub service_order_takeovers_unresolved: u64,
}

/// Repair figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RepairFigures {
    /// Responded in time.
    pub response_on_time: u64,
    /// Response limit passed.
    pub response_failed: u64,
    /// Response pending at the cut-off.
    pub response_pending: u64,
    /// Resolved in time.
    pub resolution_on_time: u64,
    /// Resolution limit passed.
    pub resolution_failed: u64,
    /// Resolution pending at the cut-off.
    pub resolution_pending: u64,
}

/// Survey responses by level.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SurveyFigures {
    /// Level 5.
    pub very_satisfied: u64,
    /// Level 4.
    pub satisfied: u64,
    /// Level 3.
    pub neutral: u64,
    /// Level 2.
    pub dissatisfied: u64,
    /// Level 1.
    pub very_dissatisfied: u64,
}

/// Sales orders.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrderFigures {
    /// Completed orders.
    pub completed: u64,
    /// Sum of completed amounts.
    pub completed_amount: Decimal,
    /// Refunded orders.
    pub refunded: u64,
    /// Cancelled orders.
    pub cancelled: u64,
}

/// The end of the contract as it bears on the month (SPEC §12).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TerminationFigures {
    /// The last day of service.
    pub contract_end: String,
    /// E, the start of the following day: the instant the vendor's work was judged at.
    pub judged_at: String,
    /// Unreplied work orders not yet overdue at E.
    pub work_orders_taken_over: u64,
    /// Vendor service orders unresolved at E.
    pub service_orders_taken_over: u64,
    /// Repairs pending at E.
    pub repairs_taken_over: u64,
    /// The vendor's replies and resolutions at or after E, ignored.
    pub replies_ignored: u64,
}

/// A scored item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ItemResult {
    /// Metric name.
    pub metric: MetricName,
    /// Display value (4 decimals), null when empty.
    #[serde(deserialize_with = "required")]
    pub value: Option<Decimal>,
    /// Target.
    pub target: Decimal,
    /// Weight.
    pub weight: Decimal,
    /// Points (2 decimals).
    pub points: Decimal,
}

/// The tier reached.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TierResult {
    /// Label.
    pub label: String,
    /// Deduction charged ("0.00" in trial months).
    pub penalty: Decimal,
    /// One month to improve.
    pub improvement_period: bool,
    /// Judged unable to meet the standard.
    pub fails_standard: bool,
}

/// A scorecard's result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScorecardResult {
    /// Name.
    pub name: String,
    /// Score (2 decimals).
    pub score: Decimal,
    /// Items.
    pub items: Vec<ItemResult>,
    /// Tier.
    pub tier: TierResult,
}

/// A money line: quantity × unit price, rounded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Line {
    /// The section, the item's first part.
    pub section: Section,
    /// Full item name, section first.
    pub item: LineItem,
    /// Quantity.
    pub quantity: Decimal,
    /// Unit price.
    pub unit_price: Decimal,
    /// Amount, rounded to the money scale.
    pub amount: Decimal,
}

/// Totals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Totals {
    /// Earn lines.
    pub earned: Decimal,
    /// Takeover and overdue lines (invoiced as fees).
    pub fees_charged: Decimal,
    /// Tier deductions (receipted as penalties).
    pub penalties: Decimal,
    /// fees_charged + penalties.
    pub charged: Decimal,
    /// earned − charged.
    pub net: Decimal,
}

/// Who pays whom.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settlement {
    /// Who pays whom.
    pub direction: Direction,
    /// The amount due (|net|).
    pub amount: Decimal,
    /// How a vendor's debt is settled.
    pub method: SettlementMethod,
    /// The payment day.
    pub due_by: String,
    /// The same in words.
    pub summary: String,
}

/// Row counts per role present.
#[derive(Debug, Clone, PartialEq)]
pub struct Counts(pub Vec<(Role, RowCounts)>);

/// One role's row counts as the statement writes them: `before_period` for the incident
/// register only.
#[derive(Serialize, Deserialize)]
struct RoleCounts {
    rows: u64,
    in_period: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    before_period: Option<u64>,
    outside_period: u64,
    duplicates: u64,
    rejected: u64,
}

impl<'de> Deserialize<'de> for Counts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries: Vec<(Role, RoleCounts)> = ordered_map(d, "a map of row counts")?;
        Ok(Counts(
            entries
                .into_iter()
                .map(|(role, c)| {
                    let counts = RowCounts {
                        rows: c.rows,
                        in_period: c.in_period,
                        before_period: c.before_period.unwrap_or(0),
                        outside_period: c.outside_period,
                        duplicates: c.duplicates,
                        rejected: c.rejected,
                    };
                    (role, counts)
                })
                .collect(),
        ))
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (role, c) in &self.0 {
            m.serialize_entry(
                role,
                &RoleCounts {
                    rows: c.rows,
                    in_period: c.in_period,
                    before_period: (*role == Role::Incidents).then_some(c.before_period),
                    outside_period: c.outside_period,
                    duplicates: c.duplicates,
                    rejected: c.rejected,
                },
            )?;
        }
        m.end()
    }
}

/// An input file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputRef {
    /// Role.
    pub role: Role,
    /// Path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// The mapping profile a foreign export was read through (absent for a canonical CSV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileRef>,
}

/// The mapping profile of an input, so the statement can be re-derived from the same export.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProfileRef {
    /// A built-in profile's name, or the profile file's path as given.
    pub name: String,
    /// SHA-256 of the profile's text (and of the profiles it extends).
    pub sha256: String,
    /// The vendor given to every row when the profile maps none.
    #[serde(deserialize_with = "required")]
    pub vendor: Option<String>,
}

/// A file and its hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileRef {
    /// Path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// Settlement deadlines.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deadlines {
    /// Settlement notice (fixed day).
    pub notice_by: String,
    /// Results (moved to the next working day).
    pub results_by: String,
    /// Last day to appeal (working days after the results).
    pub appeal_by: String,
    /// Final results (fixed day).
    pub final_by: String,
    /// Payment (fixed day).
    pub payment_by: String,
}

/// Named rules in words, in fixed order.
#[derive(Debug, Clone, PartialEq)]
pub struct Definitions(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Definitions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ordered_map(d, "a map of definitions").map(Definitions)
    }
}

impl Serialize for Definitions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Everything a statement is built from besides the tally.
pub struct StatementInput<'a> {
    /// The settled month.
    pub month: Month,
    /// The vendor.
    pub vendor: &'a Vendor,
    /// The vendor's terms for the month.
    pub terms: &'a Terms,
    /// Contract time zone.
    pub tz: Tz,
    /// Contract currency.
    pub currency: &'a str,
    /// Cut-off instant.
    pub cutoff: Instant,
    /// Input files read.
    pub inputs: Vec<InputRef>,
    /// The roles present (counts are shown for these).
    pub roles: Vec<Role>,
    /// The rates file.
    pub rates: FileRef,
    /// Warnings from reading (rejects, skipped rows).
    pub warnings: Vec<String>,
    /// The arguments of the run.
    pub arguments: Arguments,
    /// The terms document of [`StatementInput::terms`], as recorded in the statement.
    pub terms_table: &'a toml::Table,
    /// The decisions applied to this vendor's rows, when re-scored.
    pub disputes: Option<DisputesRef>,
    /// The incidents priced, when a register was read.
    pub incidents: Option<Incidents>,
    /// The incident register's row counts of this vendor, when read.
    pub register_counts: Option<RowCounts>,
    /// E, when the vendor's work was judged at the end of its contract (SPEC §12).
    pub ended: Option<Instant>,
}

/// The first month a vendor is assessed in (SPEC §8 "Trial").
pub fn assessed_from(vendor: &Vendor) -> Month {
    let end = vendor
        .contract_start
        .checked_add_months(Months::new(vendor.trial_months))
        .expect("date in range");
    // Assessed when the month begins on or after contract_start + trial months.
    let m = Month::of(end);
    if m.first_day() >= end {
        m
    } else {
        m.next()
    }
}

/// The metrics of a tally.
pub fn metrics_of(t: &VendorTally) -> Metrics {
    let c = &t.contacts;
    let k = &t.tickets;
    let r = &t.ratings;
    let offered = c.offered.total();
    Metrics(
        MetricName::ALL
            .iter()
            .map(|&m| {
                let ratio = match m {
                    MetricName::AnswerRate => Ratio::new(c.answered.total(), offered),
                    MetricName::PhoneAnswerRate => {
                        Ratio::new(c.answered[Channel::Phone], c.offered[Channel::Phone])
                    }
                    MetricName::OnlineResponseRate => {
                        Ratio::new(c.answered[Channel::Online], c.offered[Channel::Online])
                    }
                    MetricName::ServiceLevel => Ratio::new(c.within_service_level.total(), offered),
                    MetricName::Satisfaction => {
                        Ratio::new(r[5] + r[4], r[1] + r[2] + r[3] + r[4] + r[5])
                    }
                    MetricName::WorkOrderOnTimeRate => Ratio::new(
                        k.work_orders_on_time,
                        k.work_orders_on_time + k.work_orders_overdue,
                    ),
                    MetricName::RepairResponseRate => Ratio::new(
                        k.repair_response_ok,
                        k.repair_response_ok + k.repair_response_failed,
                    ),
                    MetricName::RepairResolutionRate => Ratio::new(
                        k.repair_resolution_ok,
                        k.repair_resolution_ok + k.repair_resolution_failed,
                    ),
                };
                (m, MetricValue::of(ratio))
            })
            .collect(),
    )
}

fn average_seconds(sum_nanos: i128, count: u64) -> Option<Decimal> {
    (count > 0).then(|| {
        let secs = Decimal::from_i128_with_scale(sum_nanos, 9);
        round_half_up(secs / Decimal::from(count), 2)
    })
}

/// The settlement deadlines of `month` (SPEC §3 `[deadlines]`, §8): notice, final and payment
/// are fixed days of the next month (clamped to its last day); results move to the next working
/// day; appeals close the given number of working days after the results day.
pub fn deadlines(month: Month, terms: &Terms, years: &mut BTreeSet<i32>) -> Deadlines {
    let next = month.next();
    let d = &terms.deadlines;
    let cal: &Calendar = &terms.calendar;
    let results = cal.on_or_next_working_day(next.day_clamped(d.results_day), years);
    let appeal = cal.nth_working_day_after(results, d.appeal_working_days, years);
    Deadlines {
        notice_by: next.day_clamped(d.notice_day).to_string(),
        results_by: results.to_string(),
        appeal_by: appeal.to_string(),
        final_by: next.day_clamped(d.final_day).to_string(),
        payment_by: next.day_clamped(d.payment_day).to_string(),
    }
}

fn count(n: u64) -> Decimal {
    Decimal::from(n)
}

/// A money line's name in words, in English and in the contracts' Chinese, for the human forms
/// (SPEC §13), by [`LineItem::words`]; a name that is no line item is shown as is.
pub fn item_words(item: &str) -> [String; 2] {
    item.parse::<LineItem>()
        .map_or_else(|_| [item.to_string(), item.to_string()], |i| i.words())
}

/// The money lines of a month, in fixed order (SPEC §4 "Money lines"); quantity-0 lines are left
/// out, and so are penalty and incident lines of no amount.
pub fn money_lines(
    t: &VendorTally,
    terms: &Terms,
    penalties: &[(String, Decimal)],
    incidents: Option<&Incidents>,
) -> Result<Vec<Line>, OutOfRange> {
    let (scale, mode) = (terms.money.scale, terms.money.rounding);
    let mut lines = Vec::new();
    let mut out_of_range = None;
    let mut push = |item: LineItem, quantity: Decimal, unit: Decimal| {
        if quantity.is_zero() {
            return;
        }
        match checked_line_amount(quantity, unit, scale, mode) {
            Some(amount) => lines.push(Line {
                section: item.section(),
                item,
                quantity,
                unit_price: at_least_scale(unit, scale),
                amount,
            }),
            None => {
                out_of_range.get_or_insert(OutOfRange(format!("{item} ({quantity} × {unit})")));
            }
        }
    };
    let e = &terms.earn;
    let c = &t.contacts;
    let k = &t.tickets;
    for earning in Earning::ALL {
        let (rate, qty) = match earning {
            Earning::PhoneEffectiveCall => (e.phone_effective_call, count(c.effective_calls)),
            Earning::OnlineSession => (e.online_session, count(c.online_sessions)),
            Earning::ComplaintResolved => (e.complaint_resolved, count(k.complaints_resolved)),
            Earning::ServiceOrder => (e.service_order, count(k.service_orders_completed)),
            Earning::Commission => (e.commission_rate, t.orders.completed_amount),
        };
        if let Some(rate) = rate {
            push(LineItem::Earn(earning), qty, rate);
        }
    }
    let tk = &terms.takeover;
    let price = |prices: &ChannelPrices, ch: Channel| match ch {
        Channel::Phone => prices.phone,
        Channel::Online => prices.online,
    };
    for channel in Channel::ALL {
        push(
            LineItem::TakeoverPresales(channel),
            count(c.takeover_presales[channel]),
            price(&tk.presales, channel),
        );
    }
    for (p, package) in terms.packages.iter().enumerate() {
        for channel in Channel::ALL {
            push(
                LineItem::TakeoverAftersales {
                    package: package.name.clone(),
                    channel,
                },
                count(c.takeover_aftersales[p][channel]),
                price(&tk.aftersales[p], channel),
            );
        }
    }
    push(
        LineItem::TakeoverServiceOrder,
        count(k.service_order_takeovers),
        tk.service_order,
    );
    push(
        LineItem::OverdueWorkOrder,
        count(k.work_orders_overdue),
        terms.work_orders.overdue_charge,
    );
    for (name, penalty) in penalties {
        if *penalty > Decimal::ZERO {
            push(LineItem::Penalty(name.clone()), Decimal::ONE, *penalty);
        }
    }
    for kind in IncidentKind::ALL {
        let Some((quantity, unit)) = incidents.and_then(|i| i.line(kind, &terms.incidents)) else {
            continue;
        };
        if checked_line_amount(quantity, unit, scale, mode).is_none_or(|a| a > Decimal::ZERO) {
            push(LineItem::Incident(kind), quantity, unit);
        }
    }
    let end = &terms.termination;
    push(
        LineItem::Termination(TakenOver::WorkOrder),
        count(k.work_orders_taken_over),
        end.work_order,
    );
    push(
        LineItem::Termination(TakenOver::ServiceOrder),
        count(k.service_orders_taken_over),
        end.service_order,
    );
    if let Some(price) = end.repair {
        push(
            LineItem::Termination(TakenOver::Repair),
            count(k.repairs_taken_over),
            price,
        );
    }
    match out_of_range {
        Some(e) => Err(e),
        None => Ok(lines),
    }
}

/// A figure beyond exact decimal arithmetic (about 7.9 × 10^28), named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange(pub String);

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is beyond exact decimal arithmetic (about 7.9 × 10^28); no figure is rounded to fit: check the inputs for absurd amounts",
            self.0
        )
    }
}

/// Totals of the lines: sums of rounded amounts, so lines always add up exactly.
pub fn totals(lines: &[Line], scale: u32) -> Result<Totals, OutOfRange> {
    let out = |what: &str| OutOfRange(format!("the total {what}"));
    let sum = |what: &str, f: &dyn Fn(&Line) -> bool| {
        let mut s = checked_sum(lines.iter().filter(|l| f(l)).map(|l| l.amount))
            .ok_or_else(|| out(what))?;
        s.rescale(scale);
        Ok::<Decimal, OutOfRange>(s)
    };
    let earned = sum("earned", &|l| l.section == Section::Earn)?;
    let fees_charged = sum("fees_charged", &|l| l.section.is_fee())?;
    let penalties = sum("penalties", &|l| l.section.is_penalty())?;
    let mut charged = checked_sum([fees_charged, penalties]).ok_or_else(|| out("charged"))?;
    charged.rescale(scale);
    let mut net = earned.checked_sub(charged).ok_or_else(|| out("net"))?;
    net.rescale(scale);
    Ok(Totals {
        earned,
        fees_charged,
        penalties,
        charged,
        net,
    })
}

fn money_text(v: Decimal, currency: &str) -> String {
    format!("{v} {currency}")
}

/// Builds the statement of one vendor's month; fails when a figure leaves exact decimal range.
pub fn build(input: StatementInput, tally: &VendorTally) -> Result<Statement, OutOfRange> {
    let StatementInput {
        month,
        vendor,
        terms,
        tz,
        currency,
        cutoff,
        inputs,
        roles,
        rates,
        mut warnings,
        arguments,
        terms_table,
        disputes,
        incidents,
        register_counts,
        ended,
    } = input;
    let scale = terms.money.scale;
    let from = assessed_from(vendor);
    let assessed = month >= from;
    let metrics = metrics_of(tally);

    let mut scorecards = Vec::new();
    let mut penalties = Vec::new();
    let mut empty: BTreeSet<MetricName> = BTreeSet::new();
    for card in &terms.scorecards {
        let s = score_card(card, &metrics);
        empty.extend(s.empty_metrics.iter().copied());
        let penalty = if assessed {
            round(s.tier.penalty, scale, terms.money.rounding)
        } else {
            round(Decimal::ZERO, scale, terms.money.rounding)
        };
        penalties.push((s.name.clone(), penalty));
        scorecards.push(ScorecardResult {
            name: s.name,
            score: s.score,
            items: s
                .items
                .iter()
                .map(|i| ItemResult {
                    metric: i.metric,
                    value: i.ratio.display_value(),
                    target: i.target,
                    weight: i.weight,
                    points: i.points,
                })
                .collect(),
            tier: TierResult {
                label: s.tier.label.clone(),
                penalty,
                improvement_period: assessed && s.tier.improvement_period,
                fails_standard: assessed && s.tier.fails_standard,
            },
        });
    }
    for m in &empty {
        let rule = terms
            .scorecards
            .iter()
            .find(|c| c.items.iter().any(|i| i.metric == *m))
            .map(|c| match c.when_empty {
                crate::contract::terms::WhenEmpty::Full => {
                    "scored at its full weight (when_empty = \"full\")"
                }
                crate::contract::terms::WhenEmpty::Zero => "scored zero (when_empty = \"zero\")",
            })
            .unwrap_or("");
        warnings.push(format!(
            "scored metric {} has no data in {month}: {rule}",
            m.as_str()
        ));
    }

    if tally.orders.out_of_range {
        return Err(OutOfRange("the sum of completed order amounts".into()));
    }
    let lines = money_lines(tally, terms, &penalties, incidents.as_ref())?;
    if let Some(i) = &incidents {
        warnings.extend(i.warnings());
    }
    let totals = totals(&lines, scale)?;
    let mut years = tally.years.clone();
    let deadlines = deadlines(month, terms, &mut years);
    for y in &years {
        if !terms.calendar.lists_holidays_in(*y) {
            warnings.push(format!(
                "the holiday calendar lists no holidays for {y}: working days in {y} were counted as Monday–Friday plus listed workdays; add {y}'s holidays to [calendar]"
            ));
        }
    }
    let c = &tally.contacts;
    if c.answered_without_end > 0 {
        warnings.push(format!(
            "{} answered phone call(s) have no ended_at: talk time unknown, not counted as effective calls",
            c.answered_without_end
        ));
    }
    if tally.counts.iter().all(|r| r.in_period == 0) {
        warnings.push(format!(
            "no rows for this vendor in {month}: every figure is zero"
        ));
    }

    let settlement = settlement_of(
        &totals,
        terms.settlement,
        &deadlines.payment_by,
        vendor,
        currency,
    );
    let k = &tally.tickets;
    let r = &tally.ratings;
    Ok(Statement {
        schema: Schema,
        month: month.to_string(),
        vendor: VendorRef {
            id: vendor.id.clone(),
            name: vendor.name.clone(),
            contract_start: vendor.contract_start.to_string(),
            contract_end: vendor.contract_end.map(|d| d.to_string()),
        },
        currency: currency.to_string(),
        assessed,
        assessed_from: from.to_string(),
        cutoff: cutoff.to_rfc3339(tz),
        contacts: ContactFigures {
            offered: c.offered.total(),
            answered: c.answered.total(),
            abandoned: c.offered.total() - c.answered[Channel::Phone] - c.answered[Channel::Online],
            phone_offered: c.offered[Channel::Phone],
            phone_answered: c.answered[Channel::Phone],
            online_offered: c.offered[Channel::Online],
            online_answered: c.answered[Channel::Online],
            answered_within_service_level: c.within_service_level.total(),
            short_abandons: c.short_abandons.total(),
            outside_service_hours: c.outside_hours.total(),
            outside_service_hours_counted: terms.service_hours.count_outside_hours,
            average_speed_of_answer_seconds: average_seconds(
                c.answer_delay_nanos,
                c.answered.total(),
            ),
            average_talk_seconds: average_seconds(c.talk_nanos, c.talk_count),
            effective_calls: c.effective_calls,
            online_sessions: c.online_sessions,
            answered_without_end: c.answered_without_end,
            vendor_handled: c.vendor_contacts,
            takeovers_answered: c.takeover_presales.total()
                + c.takeover_aftersales
                    .iter()
                    .map(PerChannel::total)
                    .sum::<u64>(),
            takeovers_unanswered: c.platform_unanswered,
        },
        work_orders: WorkOrderFigures {
            on_time: k.work_orders_on_time,
            overdue: k.work_orders_overdue,
            overdue_unreplied: k.work_orders_overdue_unreplied,
            pending: k.work_orders_pending,
            platform_handled_left_out: k.platform_left_out,
            complaints: k.complaints,
            complaints_resolved: k.complaints_resolved,
            service_orders: k.service_orders,
            service_orders_completed: k.service_orders_completed,
            service_order_takeovers: k.service_order_takeovers,
            service_order_takeovers_unresolved: k.service_order_takeovers_unresolved,
        },
        repairs: RepairFigures {
            response_on_time: k.repair_response_ok,
            response_failed: k.repair_response_failed,
            response_pending: k.repair_response_pending,
            resolution_on_time: k.repair_resolution_ok,
            resolution_failed: k.repair_resolution_failed,
            resolution_pending: k.repair_resolution_pending,
        },
        surveys: SurveyFigures {
            very_satisfied: r[5],
            satisfied: r[4],
            neutral: r[3],
            dissatisfied: r[2],
            very_dissatisfied: r[1],
        },
        orders: OrderFigures {
            completed: tally.orders.completed,
            completed_amount: tally.orders.completed_amount,
            refunded: tally.orders.refunded,
            cancelled: tally.orders.cancelled,
        },
        incidents,
        termination: ended.map(|e| TerminationFigures {
            contract_end: vendor
                .contract_end
                .map(|d| d.to_string())
                .unwrap_or_default(),
            judged_at: e.to_rfc3339(tz),
            work_orders_taken_over: k.work_orders_taken_over,
            service_orders_taken_over: k.service_orders_taken_over,
            repairs_taken_over: k.repairs_taken_over,
            replies_ignored: k.ignored_after_end,
        }),
        metrics,
        scorecards,
        lines,
        totals,
        settlement,
        counts: Counts(
            roles
                .iter()
                .map(|role| match Role::ALL.iter().position(|r| r == role) {
                    Some(i) => (*role, tally.counts[i]),
                    None => (*role, register_counts.unwrap_or_default()),
                })
                .collect(),
        ),
        inputs,
        rates,
        definitions: crate::statement::definitions::definitions(terms),
        deadlines,
        warnings,
        tool: Some(Tool::current()),
        arguments: Some(arguments),
        terms: Some(terms_json(terms_table)),
        disputes,
        signatures: Vec::new(),
    })
}

/// A TOML table as a JSON object: keys in order, strings, integers, floats and booleans as
/// themselves, dates and times as their TOML text.
fn terms_json(table: &toml::Table) -> serde_json::Map<String, serde_json::Value> {
    table
        .iter()
        .map(|(k, v)| (k.clone(), toml_json(v)))
        .collect()
}

fn toml_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        // A non-finite float has no JSON number; its TOML text stands in.
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or_else(|| J::String(toml::Value::Float(*f).to_string()), J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(toml_json).collect()),
        toml::Value::Table(t) => J::Object(terms_json(t)),
    }
}

fn settlement_of(
    totals: &Totals,
    method: SettlementMethod,
    payment_by: &str,
    vendor: &Vendor,
    currency: &str,
) -> Settlement {
    let net = totals.net;
    let (direction, summary) = if net > Decimal::ZERO {
        (
            Direction::PlatformPaysVendor,
            format!(
                "The platform pays {} {} by {payment_by}.",
                vendor.name,
                money_text(net, currency)
            ),
        )
    } else if net < Decimal::ZERO {
        let owed = money_text(-net, currency);
        (
            Direction::VendorPaysPlatform,
            match method {
                SettlementMethod::Deduct => format!(
                    "{} owes the platform {owed}: deducted from the platform's next payment to the vendor (001 §4.6).",
                    vendor.name
                ),
                SettlementMethod::Wire => format!(
                    "{} owes the platform {owed}: to be wired to the platform by {payment_by} (001 §4.6).",
                    vendor.name
                ),
            },
        )
    } else {
        (
            Direction::NothingDue,
            "Nothing is owed either way.".to_string(),
        )
    };
    Settlement {
        direction,
        amount: net.abs(),
        method,
        due_by: payment_by.to_string(),
        summary,
    }
}

#[cfg(test)]
mod item_words_tests {
    use super::item_words;

    /// SPEC §13: line items in words, in both languages.
    #[test]
    fn line_items_in_words() {
        assert_eq!(
            item_words("takeover/aftersales/package1/phone"),
            [
                "Takeover — after-sales, package 1, phone",
                "接管 — 售后 套餐一 电话"
            ]
        );
        assert_eq!(
            item_words("takeover/aftersales/package2/online"),
            [
                "Takeover — after-sales, package 2, online",
                "接管 — 售后 套餐二 在线"
            ]
        );
        assert_eq!(
            item_words("takeover/presales/online")[1],
            "接管 — 售前 在线"
        );
        assert_eq!(item_words("earn/service_order")[1], "服务单");
        assert_eq!(
            item_words("takeover/aftersales/gold/phone")[0],
            "Takeover — after-sales, gold, phone"
        );
        assert_eq!(item_words("something/else")[0], "something/else");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::money::Rounding;
    use crate::contract::rates::Rates;
    use proptest::prelude::*;
    use std::path::Path;
    use std::str::FromStr;

    fn rates() -> Rates {
        Rates::parse(include_str!("../../rates.toml"), Path::new("rates.toml")).unwrap()
    }
    fn oct() -> Month {
        Month::parse("2026-10").unwrap()
    }

    #[test]
    fn spec_8_trial_months_from_contract_start() {
        let v = |start: &str, months| Vendor {
            id: "v".into(),
            name: "V".into(),
            contract_start: chrono::NaiveDate::from_str(start).unwrap(),
            trial_months: months,
            contract_end: None,
        };
        // 2026-06-01 + 2 months: assessed from August; 2026-06-15: from September.
        assert_eq!(assessed_from(&v("2026-06-01", 2)).to_string(), "2026-08");
        assert_eq!(assessed_from(&v("2026-06-15", 2)).to_string(), "2026-09");
        assert_eq!(assessed_from(&v("2026-06-01", 0)).to_string(), "2026-06");
        assert_eq!(assessed_from(&v("2026-12-01", 2)).to_string(), "2027-02");
    }

    #[test]
    fn spec_3_deadlines_of_october_2026() {
        let r = rates();
        let mut years = BTreeSet::new();
        let d = deadlines(oct(), r.terms_for("acme", oct()), &mut years);
        // 2026-11-07 is a Saturday: results move to Monday 11-09; 5 working days → 11-16.
        assert_eq!(
            (
                d.notice_by.as_str(),
                d.results_by.as_str(),
                d.appeal_by.as_str(),
                d.final_by.as_str(),
                d.payment_by.as_str()
            ),
            (
                "2026-11-15",
                "2026-11-09",
                "2026-11-16",
                "2026-11-20",
                "2026-11-25"
            )
        );
        // September 2026: results day 10-07 is a holiday (National Day) → 10-08; appeals over
        // 10-09, 10-10 (make-up Saturday), 10-12, 10-13, 10-14.
        let sep = Month::parse("2026-09").unwrap();
        let d = deadlines(sep, r.terms_for("acme", sep), &mut years);
        assert_eq!(
            (d.results_by.as_str(), d.appeal_by.as_str()),
            ("2026-10-08", "2026-10-14")
        );
        // December: results in January 2027, a year the calendar does not list.
        let dec = Month::parse("2026-12").unwrap();
        deadlines(dec, r.terms_for("acme", dec), &mut years);
        assert!(years.contains(&2027));
    }

    /// A statement is read by the same type that writes it: every golden statement reads
    /// back and writes out byte for byte (key order, decimals as written, optional keys absent
    /// or null as they were, `signatures` last).
    #[test]
    fn golden_statements_read_back_byte_for_byte() {
        let text = include_str!("../../tests/fixtures/golden/2026-10.json");
        let statements: Vec<Statement> = serde_json::from_str(text).unwrap();
        assert_eq!(statements.len(), 2);
        let mut again = serde_json::to_string_pretty(&statements).unwrap();
        again.push('\n');
        assert_eq!(again, text);
        for s in &statements {
            let one = serde_json::to_string_pretty(s).unwrap();
            assert_eq!(serde_json::from_str::<Statement>(&one).unwrap(), *s);
        }
    }

    #[test]
    fn a_signed_statement_reads_back_with_its_signatures_last() {
        let text = include_str!("../../tests/fixtures/golden/2026-10.json");
        let mut statements: Vec<Statement> = serde_json::from_str(text).unwrap();
        let mut s = statements.remove(0);
        s.signatures.push(Signature {
            signer: "a".repeat(64),
            algorithm: "ed25519".into(),
            signature: "b".repeat(128),
        });
        let written = serde_json::to_string_pretty(&s).unwrap();
        assert!(written.trim_end_matches('}').trim_end().ends_with(']'));
        let back: Statement = serde_json::from_str(&written).unwrap();
        assert_eq!(serde_json::to_string_pretty(&back).unwrap(), written);
    }

    #[test]
    fn terms_are_recorded_as_json_in_file_order() {
        let t: toml::Table = toml::from_str(
            "z = \"8.26\"\na = 2\nf = 0.9\nd = 2026-06-01\nlist = [1, \"x\"]\n[t]\nb = true\ninf = inf",
        )
        .unwrap();
        let j = serde_json::Value::Object(terms_json(&t));
        assert_eq!(
            serde_json::to_string(&j).unwrap(),
            r#"{"z":"8.26","a":2,"f":0.9,"d":"2026-06-01","list":[1,"x"],"t":{"b":true,"inf":"inf"}}"#
        );
    }

    fn tally_strategy() -> impl Strategy<Value = VendorTally> {
        (
            prop::array::uniform8(0u64..100_000),
            prop::array::uniform4(0u64..10_000),
            0u64..10_000_000,
            0u32..4,
        )
            .prop_map(|(a, b, cents, frac)| {
                let mut t = VendorTally::new(2);
                t.contacts.effective_calls = a[0];
                t.contacts.online_sessions = a[1];
                t.contacts.takeover_presales = PerChannel::new(a[2], a[3]);
                t.contacts.takeover_aftersales =
                    vec![PerChannel::new(a[4], a[5]), PerChannel::new(a[6], a[7])];
                t.tickets.complaints_resolved = b[0];
                t.tickets.service_orders_completed = b[1];
                t.tickets.service_order_takeovers = b[2];
                t.tickets.work_orders_overdue = b[3];
                t.orders.completed_amount = Decimal::new(cents as i64, frac);
                t
            })
    }

    proptest! {
        #[test]
        fn lines_always_add_up_to_totals(t in tally_strategy(), penalty in 0i64..2_000_000, even in any::<bool>(), rate in 0i64..1000) {
            let r = rates();
            let mut terms = r.terms_for("acme", oct()).clone();
            terms.money.rounding = if even { Rounding::HalfEven } else { Rounding::HalfUp };
            terms.earn.commission_rate = Some(Decimal::new(rate, 4));
            let lines = money_lines(&t, &terms, &[("consulting".into(), Decimal::new(penalty, 2))], None).unwrap();
            let tot = totals(&lines, 2).unwrap();
            // The expectation is built from the lines alone (SPEC §5), not from totals().
            let sum = |s: &[Section]| lines.iter().filter(|l| s.contains(&l.section)).map(|l| l.amount).sum::<Decimal>();
            let (earned, fees, penalties) = (sum(&[Section::Earn]), sum(&[Section::Takeover, Section::Overdue]), sum(&[Section::Penalty]));
            prop_assert_eq!(tot.earned, earned);
            prop_assert_eq!(tot.fees_charged, fees);
            prop_assert_eq!(tot.penalties, penalties);
            prop_assert_eq!(tot.charged, fees + penalties);
            prop_assert_eq!(tot.net, earned - fees - penalties);
            let strategy = if even {
                rust_decimal::RoundingStrategy::MidpointNearestEven
            } else {
                rust_decimal::RoundingStrategy::MidpointAwayFromZero
            };
            for l in &lines {
                prop_assert!(!l.quantity.is_zero());
                prop_assert_eq!(l.amount.scale(), 2);
                // Each line is quantity × unit price, rounded once to the fen in the mode.
                prop_assert_eq!(l.amount, (l.quantity * l.unit_price).round_dp_with_strategy(2, strategy));
            }
        }
    }
}
