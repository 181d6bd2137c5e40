//! The validated contract terms in force for one vendor and one month: what the rates loader
//! produces after revisions and vendor overrides are applied (SPEC §3). Code past the loader only
//! ever sees these types.

use crate::base::calendar::{Calendar, Schedule};
use crate::base::money::Rounding;
use crate::base::word::Word;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The terms of one vendor in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    /// Money scale and rounding.
    pub money: MoneyTerms,
    /// Holidays and make-up workdays.
    pub calendar: Calendar,
    /// When contacts count for the contact metrics.
    pub service_hours: ServiceHours,
    /// Thresholds for contacts.
    pub contacts: ContactTerms,
    /// Work-order deadline and overdue charge.
    pub work_orders: WorkOrderTerms,
    /// Repair limits.
    pub repairs: RepairTerms,
    /// Settlement deadlines.
    pub deadlines: DeadlineTerms,
    /// How a vendor's debt is settled.
    pub settlement: SettlementMethod,
    /// What the platform pays the vendor.
    pub earn: EarnRates,
    /// What the vendor pays per item the platform handled.
    pub takeover: TakeoverRates,
    /// Category → package, in the order the packages are declared.
    pub packages: Vec<Package>,
    /// The scorecards, in declared order.
    pub scorecards: Vec<Scorecard>,
    /// What single incidents cost (SPEC §9); a kind without terms is not priced.
    pub incidents: IncidentTerms,
    /// Late-payment charges and rights (SPEC §11); none without the table.
    pub late_payment: Option<LatePaymentTerms>,
    /// What the work taken over at the end of a contract costs (SPEC §12).
    pub termination: TerminationTerms,
}

/// `[incidents.*]`: each kind is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentTerms {
    /// `[incidents.confidentiality]` (001 §3.7).
    pub confidentiality: Option<ConfidentialityTerms>,
    /// `[incidents.service_breach]` (002 §5.2, 004 §5).
    pub service_breach: Option<ServiceBreachTerms>,
}

/// A kind of incident the contracts price (SPEC §9).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum IncidentKind {
    /// Customer records disclosed (001 §3.7).
    Confidentiality,
    /// A breach of the service terms (002 §5.2, 004 §5).
    ServiceBreach,
}

impl IncidentKind {
    /// Every kind, in statement order.
    pub const ALL: [IncidentKind; 2] = [IncidentKind::Confidentiality, IncidentKind::ServiceBreach];

    /// The kind written as `cell` (any case).
    pub fn parse(cell: &[u8]) -> Option<IncidentKind> {
        IncidentKind::ALL
            .into_iter()
            .find(|k| k.as_str().as_bytes().eq_ignore_ascii_case(cell))
    }
}

impl IncidentTerms {
    /// Whether incidents of `kind` are priced.
    pub fn has(&self, kind: IncidentKind) -> bool {
        match kind {
            IncidentKind::Confidentiality => self.confidentiality.is_some(),
            IncidentKind::ServiceBreach => self.service_breach.is_some(),
        }
    }
}

/// `[incidents.confidentiality]`: what disclosed customer records cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidentialityTerms {
    /// Each record disclosed.
    pub per_record: Decimal,
    /// Owed at least once records to date exceed `lump_after_records`, or one incident is wide.
    pub lump_sum: Decimal,
    /// Records to date after which the lump sum applies ("more than").
    pub lump_after_records: u64,
    /// Owed at least once any record went to a competitor.
    pub competitor_minimum: Decimal,
    /// Whether a disclosure lets the platform terminate (000 §6.2.2).
    pub termination_right: bool,
}

/// `[incidents.service_breach]`: a fixed sum per breach.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceBreachTerms {
    /// Each breach.
    pub per_incident: Decimal,
    /// From this many breaches to date the platform may terminate.
    pub termination_after: u64,
}

/// `[late_payment]` (000 §6.1, 002 §5.1): read by `slatement account` from the statement.
#[derive(Debug, Clone, PartialEq)]
pub struct LatePaymentTerms {
    /// Per late day, of what the platform still owes.
    pub platform_daily_rate: Decimal,
    /// Per late day, of what the vendor still owes (0: the platform offsets instead).
    pub vendor_daily_rate: Decimal,
    /// Late days after which the vendor may suspend service.
    pub suspend_after_days: u32,
    /// Late days after which the vendor may terminate.
    pub terminate_after_days: u32,
}

/// `[termination]` with its defaults applied (SPEC §12).
#[derive(Debug, Clone, PartialEq)]
pub struct TerminationTerms {
    /// Days after the last day of service by which the final balance is paid.
    pub settle_within_days: u32,
    /// Per work order pending at the end (default: `work_orders.overdue_charge`).
    pub work_order: Decimal,
    /// Per vendor service order unresolved at the end (default: `takeover.service_order`).
    pub service_order: Decimal,
    /// Per repair pending at the end; none: no line.
    pub repair: Option<Decimal>,
}

/// `[money]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoneyTerms {
    /// Decimal places of amounts (2 = fen).
    pub scale: u32,
    /// How amounts are rounded to `scale`.
    pub rounding: Rounding,
}

/// `[service_hours]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceHours {
    /// Contacts offered outside service hours still count in the contact metrics.
    pub count_outside_hours: bool,
    /// Phone service hours.
    pub phone: Schedule,
    /// Online service hours.
    pub online: Schedule,
}

/// `[contacts]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContactTerms {
    /// An answered call with talk time at least this long is effective (002 §3.1).
    pub effective_min_talk_seconds: i64,
    /// "Answered within X seconds", inclusive (002 §1.2).
    pub service_level_seconds: i64,
    /// Unanswered contacts ending sooner than this after offer are left out (0 = none).
    pub short_abandon_seconds: i64,
}

/// `[work_orders]`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkOrderTerms {
    /// Business time allowed for the first reply, in seconds.
    pub reply_within_seconds: i64,
    /// The business hours the clock runs in (days, windows, observe_holidays).
    pub business_hours: Schedule,
    /// Charged per overdue work order.
    pub overdue_charge: Decimal,
}

/// `[repairs]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepairTerms {
    /// Clock time allowed for the first response, in seconds.
    pub respond_within_seconds: i64,
    /// Working days allowed to resolve a simple repair.
    pub resolve_simple_days: u32,
    /// Working days allowed to resolve a complex repair.
    pub resolve_complex_days: u32,
}

/// `[deadlines]`: days of the month after the settled one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeadlineTerms {
    /// Settlement notice day (fixed).
    pub notice_day: u32,
    /// Results day, moved to the next working day when it is not one.
    pub results_day: u32,
    /// Working days after the results day for an appeal.
    pub appeal_working_days: u32,
    /// Final results day (fixed).
    pub final_day: u32,
    /// Payment day (fixed).
    pub payment_day: u32,
}

/// `[settlement] method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum SettlementMethod {
    /// Deducted from the platform's next payment to the vendor.
    Deduct,
    /// Wired by the vendor by the payment day.
    Wire,
}

impl SettlementMethod {
    /// Both methods.
    pub const ALL: [SettlementMethod; 2] = [SettlementMethod::Deduct, SettlementMethod::Wire];
}

crate::base::word::serde_words!(SettlementMethod);
crate::base::word::serde_words!(MetricName);
crate::base::word::serde_words!(IncidentKind);

/// `[earn]`: each rate is optional; a missing one writes no line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EarnRates {
    /// Per effective phone call.
    pub phone_effective_call: Option<Decimal>,
    /// Per answered online session.
    pub online_session: Option<Decimal>,
    /// Per resolved complaint.
    pub complaint_resolved: Option<Decimal>,
    /// Per completed service order.
    pub service_order: Option<Decimal>,
    /// Share of completed order amounts.
    pub commission_rate: Option<Decimal>,
}

/// A price per channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelPrices {
    /// Per phone call.
    pub phone: Decimal,
    /// Per online session.
    pub online: Decimal,
}

/// `[takeover]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeoverRates {
    /// Per platform-handled service order.
    pub service_order: Decimal,
    /// Pre-sales contacts (no package).
    pub presales: ChannelPrices,
    /// After-sales contacts: one entry per package, same order as `Terms::packages`.
    pub aftersales: Vec<ChannelPrices>,
}

/// A price package and its categories.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// The package's key, e.g. `package1`.
    pub name: String,
    /// Its categories.
    pub categories: Vec<String>,
}

/// Which rubric metric an item scores.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum MetricName {
    /// Answered ÷ offered, both channels.
    AnswerRate,
    /// Answered ÷ offered, phone (接起率).
    PhoneAnswerRate,
    /// Answered ÷ offered, online (应答率).
    OnlineResponseRate,
    /// Answered within the service-level threshold ÷ offered.
    ServiceLevel,
    /// (Very satisfied + satisfied) ÷ all responses.
    Satisfaction,
    /// On time ÷ (on time + overdue) work orders.
    WorkOrderOnTimeRate,
    /// Repairs responded to in time ÷ judged repairs.
    RepairResponseRate,
    /// Repairs resolved in time ÷ judged repairs.
    RepairResolutionRate,
}

impl MetricName {
    /// Every metric, in statement order.
    pub const ALL: [MetricName; 8] = [
        MetricName::AnswerRate,
        MetricName::PhoneAnswerRate,
        MetricName::OnlineResponseRate,
        MetricName::ServiceLevel,
        MetricName::Satisfaction,
        MetricName::WorkOrderOnTimeRate,
        MetricName::RepairResponseRate,
        MetricName::RepairResolutionRate,
    ];

    /// The metric named `s`, if any.
    pub fn parse(s: &str) -> Option<MetricName> {
        MetricName::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How a shortfall below target is measured in percentage points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortfall {
    /// The exact shortfall.
    Exact,
    /// Rounded up to a whole point.
    PerStartedPoint,
    /// Rounded down to a whole point.
    PerFullPoint,
}

/// What an item earns when its metric has no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenEmpty {
    /// The full weight.
    Full,
    /// Nothing.
    Zero,
}

/// One rubric item.
#[derive(Debug, Clone, PartialEq)]
pub struct RubricItem {
    /// The metric scored.
    pub metric: MetricName,
    /// Target ratio, 0–1.
    pub target: Decimal,
    /// Points when the target is met.
    pub weight: Decimal,
    /// Points deducted per percentage point short.
    pub points_per_point: Decimal,
}

/// One score tier; `min` is inclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Lowest score in the tier.
    pub min: Decimal,
    /// Its label.
    pub label: String,
    /// The deduction, in money.
    pub penalty: Decimal,
    /// The vendor gets a month to improve.
    pub improvement_period: bool,
    /// The vendor is judged unable to meet the standard.
    pub fails_standard: bool,
}

/// A scorecard: items whose weights sum to 100, and tiers covering 0–100.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    /// Its name (unique).
    pub name: String,
    /// How shortfalls are measured.
    pub shortfall: Shortfall,
    /// What an item with no data earns.
    pub when_empty: WhenEmpty,
    /// The items, in declared order.
    pub items: Vec<RubricItem>,
    /// Tiers, sorted by `min` descending.
    pub tiers: Vec<Tier>,
}

/// A declared vendor.
#[derive(Debug, Clone, PartialEq)]
pub struct Vendor {
    /// Its id (the `vendors.<id>` key).
    pub id: String,
    /// Display name.
    pub name: String,
    /// First day of the contract.
    pub contract_start: NaiveDate,
    /// Months scored for information only.
    pub trial_months: u32,
    /// The last day of service, when the contract ends (SPEC §12).
    pub contract_end: Option<NaiveDate>,
}
