//! The statement's `definitions` block: each formula and rule in force for the month, in words,
//! so a reader never has to guess which variant of a metric was applied (SPEC §5).

use crate::base::calendar::Schedule;
use crate::base::text::duration_text;
use crate::base::word::Word;
use crate::contract::terms::{Shortfall, Terms, WhenEmpty};
use crate::statement::Definitions;

fn schedule_text(s: &Schedule) -> String {
    let holidays = if s.observe_holidays {
        "; closed on holidays and open on listed make-up workdays"
    } else {
        "; the holiday calendar is not applied"
    };
    format!("{} {}{holidays}", s.days_text, s.windows_text())
}

/// The definitions in force under `terms`.
pub fn definitions(terms: &Terms) -> Definitions {
    let sh = &terms.service_hours;
    let c = &terms.contacts;
    let wo = &terms.work_orders;
    let r = &terms.repairs;
    let outside = if sh.count_outside_hours {
        "contacts offered outside service hours are reported and still counted"
    } else {
        "contacts offered outside service hours are reported and left out"
    };
    let short = if c.short_abandon_seconds > 0 {
        format!(
            "an unanswered contact that ended less than {} s after it was offered is a short abandon, left out of every contact metric and reported",
            c.short_abandon_seconds
        )
    } else {
        "no short-abandon exclusion (short_abandon_seconds = 0)".to_string()
    };
    let scoring = terms
        .scorecards
        .iter()
        .map(|card| {
            let shortfall = match card.shortfall {
                Shortfall::Exact => "the exact shortfall",
                Shortfall::PerStartedPoint => "the shortfall rounded up to whole points (per started point)",
                Shortfall::PerFullPoint => "the shortfall rounded down to whole points (per full point)",
            };
            let empty = match card.when_empty {
                WhenEmpty::Full => "a metric with no data earns its full weight",
                WhenEmpty::Zero => "a metric with no data earns zero",
            };
            let items = card
                .items
                .iter()
                .map(|i| {
                    format!(
                        "{} target {} weight {} minus {} per point short",
                        i.metric.as_str(),
                        i.target,
                        i.weight,
                        i.points_per_point
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            format!(
                "{}: {items}; deductions use {shortfall}, never below 0; points rounded half-up to 2 decimals and summed; {empty}; tiers by score, minimum inclusive",
                card.name
            )
        })
        .collect::<Vec<_>>()
        .join(" | ");
    let mut out = vec![
        (
            "answer_rate",
            format!(
                "answered ÷ offered over phone and online contacts handled by the vendor; phone_answer_rate and online_response_rate are the same per channel; {outside}; {short}; platform-handled contacts (takeovers) are left out"
            ),
        ),
        (
            "service_hours",
            format!(
                "phone {}; online {}",
                schedule_text(&sh.phone),
                schedule_text(&sh.online)
            ),
        ),
        (
            "service_level",
            format!(
                "contacts answered within {} s of being offered (inclusive) ÷ contacts offered, both channels, same exclusions as answer_rate",
                c.service_level_seconds
            ),
        ),
        (
            "effective_call",
            format!(
                "a vendor-handled phone call answered with talk time (ended − answered) of at least {} s; a call with no end time is not effective",
                c.effective_min_talk_seconds
            ),
        ),
        (
            "satisfaction",
            "(very satisfied + satisfied) ÷ responses at all five levels".to_string(),
        ),
        (
            "business_clock",
            format!(
                "work-order time runs only inside business hours ({}); a work order created outside them starts at the next opening; windows are half-open",
                schedule_text(&wo.business_hours)
            ),
        ),
        (
            "work_order_on_time_rate",
            format!(
                "on time ÷ (on time + overdue): on time when the business time from created to first reply is at most {}; an unreplied work order is overdue once more than {} of business time has elapsed at the cut-off, otherwise pending (reported, never charged)",
                duration_text(wo.reply_within_seconds),
                duration_text(wo.reply_within_seconds)
            ),
        ),
        (
            "repair_response_rate",
            format!(
                "repairs first answered within {} clock time of creation (inclusive) ÷ repairs judged; an unanswered repair is pending until the limit passes",
                duration_text(r.respond_within_seconds)
            ),
        ),
        (
            "repair_resolution_rate",
            format!(
                "repairs resolved before 00:00 after the {} (simple) or {} (complex) working day following the creation date ÷ repairs judged; an unresolved repair is pending until the limit passes",
                ordinal(u64::from(r.resolve_simple_days)),
                ordinal(u64::from(r.resolve_complex_days))
            ),
        ),
        ("scoring", scoring),
        (
            "trial",
            "a month is assessed when it begins on or after contract_start + trial_months; in trial months the score and tier are shown but no tier deduction is charged (takeover and overdue charges still apply)".to_string(),
        ),
        (
            "rounding",
            format!(
                "each money line is quantity × unit price rounded to {} decimals {}; totals are sums of rounded lines; metric values are shown rounded half-up to 4 decimals but scored exactly",
                terms.money.scale,
                terms.money.rounding.as_str()
            ),
        ),
        (
            "pricing",
            "a contact is priced when answered, a complaint or service order when resolved; service hours decide the contact metrics only, money covers every contact of the month".to_string(),
        ),
    ];
    if let Some(c) = &terms.incidents.confidentiality {
        out.push((
            "incidents.confidentiality",
            format!(
                "liability to date L = {} × customer records disclosed to date; at least {} once records to date exceed {} or any incident is wide; at least {} once any record went to a competitor; the month is charged L(end of month) − L(start of month) at this month's terms, rounded once, so no threshold is charged twice{}",
                c.per_record,
                c.lump_sum,
                c.lump_after_records,
                c.competitor_minimum,
                if c.termination_right {
                    "; any disclosure lets the platform terminate"
                } else {
                    ""
                }
            ),
        ));
    }
    if let Some(b) = &terms.incidents.service_breach {
        out.push((
            "incidents.service_breach",
            format!(
                "{} per breach in the month; from the {} breach to date the platform may terminate",
                b.per_incident,
                ordinal(b.termination_after)
            ),
        ));
    }
    out.push((
        "termination",
        "when a cut-off is at or after the end of the contract (the start of the day after contract_end), work is judged at the end: the vendor's later replies and resolutions are ignored, and unreplied work orders not yet overdue, unresolved service orders and pending repairs pass to the platform at the termination prices".to_string(),
    ));
    Definitions(out.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st` …
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod ordinal_tests {
    use super::ordinal;

    #[test]
    fn ordinals_are_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111]
            .map(ordinal)
            .to_vec();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th"
            ]
        );
    }
}
