//! Building a vendor's statement from its tally and terms: the figures and metrics, the deadlines
//! of the month, the money lines, the totals and the settlement (SPEC §4, §5).

use super::model::*;
use super::pricing::*;
use crate::base::calendar::Calendar;
use crate::base::money::round;
use crate::base::timestamp::{Instant, Month};
use crate::base::word::Word;
use crate::contract::terms::{MetricName, Terms, Vendor};
use crate::input::cells::PerChannel;
use crate::input::vendor::RowCounts;
use crate::input::Role;
use crate::statement::incidents::Incidents;
use crate::statement::items::Channel;
use crate::statement::scoring::{round_half_up, score_card, Ratio};
use crate::tally::VendorTally;
use chrono::Months;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

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

pub(super) fn average_seconds(sum_nanos: i128, count: u64) -> Option<Decimal> {
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
                .map(|role| match role.export_index() {
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
pub(super) fn terms_json(table: &toml::Table) -> serde_json::Map<String, serde_json::Value> {
    table
        .iter()
        .map(|(k, v)| (k.clone(), toml_json(v)))
        .collect()
}

pub(super) fn toml_json(v: &toml::Value) -> serde_json::Value {
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
