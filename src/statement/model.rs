//! The statement's model: one type, written by settle and read back by diff, verify and rescore
//! through the same serde code, so its JSON form (`slatement.statement.v1`) has one owner.

use crate::contract::terms::{MetricName, SettlementMethod};
use crate::input::vendor::RowCounts;
use crate::input::Role;
use crate::statement::incidents::Incidents;
use crate::statement::items::{Direction, LineItem, Section};
use crate::statement::scoring::{MetricSource, Ratio};
use crate::tally::disputes::Dispute;
use rust_decimal::Decimal;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

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

/// One auditor's decision applied to a row, as the disputes file gives it.
pub type AppliedDecision = Dispute;

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
