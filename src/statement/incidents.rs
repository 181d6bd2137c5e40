//! The price of incidents (SPEC §9): the liability to date of each kind, and the month's charge
//! as the liability at the end of the month less the liability at its start, both with the
//! terms in force for the settled month, so a threshold crossed this month charges its top-up
//! this month and never twice.

use crate::base::money::round;
use crate::base::timestamp::Instant;
use crate::contract::terms::{
    ConfidentialityTerms, IncidentKind, IncidentTerms, MoneyTerms, ServiceBreachTerms,
};
use crate::input::incidents::Incident;
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Deserializer, Serialize};

/// Incidents and records counted over a span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentCount {
    /// Incidents.
    pub incidents: u64,
    /// Customer records disclosed (confidentiality only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
}

/// A threshold of the confidentiality terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Threshold {
    /// Records to date exceed `lump_after_records`, or an incident was wide.
    LumpSum,
    /// A record went to a competitor.
    CompetitorMinimum,
}

impl Threshold {
    /// Both thresholds.
    pub const ALL: [Threshold; 2] = [Threshold::LumpSum, Threshold::CompetitorMinimum];
}

crate::base::word::serde_words!(Threshold);

/// One kind's account in the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindResult {
    /// The month's incidents.
    pub in_month: IncidentCount,
    /// Incidents up to the end of the month.
    pub to_date: IncidentCount,
    /// L(end of the month), rounded.
    pub liability_to_date: Decimal,
    /// L(start of the month) at this month's terms, rounded.
    pub charged_before: Decimal,
    /// L(end) − L(start), rounded once: the month's charge.
    pub charged: Decimal,
    /// Thresholds whose condition holds at the end of the month.
    pub thresholds_reached: Vec<Threshold>,
    /// Whether the platform may terminate.
    pub termination_right: bool,
    /// Why, in words; null without the right.
    #[serde(deserialize_with = "crate::statement::required")]
    pub termination_reason: Option<String>,
}

/// The statement's `incidents` block: one entry per kind that has terms, in kind order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Incidents(pub Vec<(IncidentKind, KindResult)>);

impl Serialize for Incidents {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (kind, r) in &self.0 {
            m.serialize_entry(kind, r)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Incidents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::statement::ordered_map(d, "a map of incident kinds").map(Incidents)
    }
}

impl Incidents {
    /// The month's charge of `kind`, and its line's quantity and unit price: quantity 1 at the
    /// charge for confidentiality, the month's breaches at `per_incident` for service breaches.
    pub fn line(&self, kind: IncidentKind, terms: &IncidentTerms) -> Option<(Decimal, Decimal)> {
        let r = &self.0.iter().find(|(k, _)| *k == kind)?.1;
        match kind {
            IncidentKind::Confidentiality => Some((Decimal::ONE, r.charged)),
            IncidentKind::ServiceBreach => Some((
                Decimal::from(r.in_month.incidents),
                terms.service_breach.as_ref()?.per_incident,
            )),
        }
    }

    /// The termination rights in words, for the statement's warnings.
    pub fn warnings(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|(_, r)| r.termination_reason.clone())
            .map(|why| format!("the platform may terminate the contract: {why}"))
            .collect()
    }
}

/// Summing a register overflowed exact arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow(pub IncidentKind);

/// Prices the incidents of one vendor (`incidents`: accepted, not excluded by an auditor, all
/// occurring before `end`) for the month `[start, end)`.
pub fn assess(
    incidents: &[&Incident],
    terms: &IncidentTerms,
    money: MoneyTerms,
    start: Instant,
    end: Instant,
) -> Result<Incidents, Overflow> {
    let mut out = Vec::new();
    let of = |kind| incidents.iter().copied().filter(move |i| i.kind == kind);
    let rounded = |d: Decimal| round(d, money.scale, money.rounding);
    if let Some(c) = &terms.confidentiality {
        let kind = IncidentKind::Confidentiality;
        let at_end = Confidentiality::before(of(kind), end);
        let at_start = Confidentiality::before(of(kind), start);
        let (l_end, l_start) = (
            at_end.liability(c).ok_or(Overflow(kind))?,
            at_start.liability(c).ok_or(Overflow(kind))?,
        );
        let mut thresholds = Vec::new();
        if at_end.lump_reached(c) {
            thresholds.push(Threshold::LumpSum);
        }
        if at_end.to_competitor {
            thresholds.push(Threshold::CompetitorMinimum);
        }
        let right = c.termination_right && at_end.incidents > 0;
        out.push((
            kind,
            KindResult {
                in_month: IncidentCount {
                    incidents: at_end.incidents - at_start.incidents,
                    records: Some(at_end.records - at_start.records),
                },
                to_date: IncidentCount {
                    incidents: at_end.incidents,
                    records: Some(at_end.records),
                },
                liability_to_date: rounded(l_end),
                charged_before: rounded(l_start),
                charged: rounded(l_end - l_start),
                thresholds_reached: thresholds,
                termination_right: right,
                termination_reason: right.then(|| {
                    format!(
                        "{} confidentiality incident(s) to date disclosing {} customer record(s); a disclosure lets the platform terminate (termination_right = true, 000 §6.2.2)",
                        at_end.incidents, at_end.records
                    )
                }),
            },
        ));
    }
    if let Some(b) = &terms.service_breach {
        let kind = IncidentKind::ServiceBreach;
        let to_date = of(kind).filter(|i| i.occurred < end).count() as u64;
        let before = of(kind).filter(|i| i.occurred < start).count() as u64;
        let (l_end, l_start) = (
            breach_liability(b, to_date).ok_or(Overflow(kind))?,
            breach_liability(b, before).ok_or(Overflow(kind))?,
        );
        let right = to_date >= b.termination_after;
        out.push((
            kind,
            KindResult {
                in_month: IncidentCount {
                    incidents: to_date - before,
                    records: None,
                },
                to_date: IncidentCount {
                    incidents: to_date,
                    records: None,
                },
                liability_to_date: rounded(l_end),
                charged_before: rounded(l_start),
                charged: rounded(l_end - l_start),
                thresholds_reached: Vec::new(),
                termination_right: right,
                termination_reason: right.then(|| {
                    format!(
                        "{to_date} service breach(es) to date, at least the {} after which the platform may terminate (termination_after, 002 §5.2)",
                        b.termination_after
                    )
                }),
            },
        ));
    }
    Ok(Incidents(out))
}

/// L of service breaches: per_incident × breaches.
fn breach_liability(b: &ServiceBreachTerms, breaches: u64) -> Option<Decimal> {
    b.per_incident.checked_mul(Decimal::from(breaches))
}

/// The confidentiality incidents before an instant.
#[derive(Debug, Clone, Copy, Default)]
struct Confidentiality {
    incidents: u64,
    records: u64,
    wide: bool,
    to_competitor: bool,
}

impl Confidentiality {
    fn before<'a>(incidents: impl Iterator<Item = &'a Incident>, t: Instant) -> Confidentiality {
        incidents
            .filter(|i| i.occurred < t)
            .fold(Confidentiality::default(), |acc, i| Confidentiality {
                incidents: acc.incidents + 1,
                records: acc.records.saturating_add(i.records),
                wide: acc.wide || i.wide,
                to_competitor: acc.to_competitor || i.to_competitor,
            })
    }

    fn lump_reached(&self, c: &ConfidentialityTerms) -> bool {
        self.records > c.lump_after_records || self.wide
    }

    /// L = per_record × n; at least the lump sum once past the threshold or wide; at least the
    /// competitor minimum once a record went to a competitor (floors, never added).
    fn liability(&self, c: &ConfidentialityTerms) -> Option<Decimal> {
        let mut l = c.per_record.checked_mul(Decimal::from(self.records))?;
        if self.lump_reached(c) {
            l = l.max(c.lump_sum);
        }
        if self.to_competitor {
            l = l.max(c.competitor_minimum);
        }
        Some(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::money::Rounding;
    use crate::base::timestamp::{parse_timestamp, Month};
    use std::str::FromStr;

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
    const MONEY: MoneyTerms = MoneyTerms {
        scale: 2,
        rounding: Rounding::HalfUp,
    };

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn terms() -> IncidentTerms {
        IncidentTerms {
            confidentiality: Some(ConfidentialityTerms {
                per_record: d("1000.00"),
                lump_sum: d("500000.00"),
                lump_after_records: 20,
                competitor_minimum: d("1000000.00"),
                termination_right: true,
            }),
            service_breach: Some(ServiceBreachTerms {
                per_incident: d("2000.00"),
                termination_after: 3,
            }),
        }
    }

    fn leak(at: &str, records: u64, to_competitor: bool, wide: bool) -> Incident {
        Incident {
            vendor: 0,
            id: at.to_string(),
            kind: IncidentKind::Confidentiality,
            occurred: parse_timestamp(at.as_bytes(), TZ).unwrap(),
            records,
            to_competitor,
            wide,
            line: 2,
        }
    }

    fn breach(at: &str) -> Incident {
        Incident {
            kind: IncidentKind::ServiceBreach,
            ..leak(at, 1, false, false)
        }
    }

    fn run(list: &[Incident], terms: &IncidentTerms, month: &str) -> Incidents {
        let (start, end) = Month::parse(month).unwrap().bounds(TZ);
        let refs: Vec<&Incident> = list.iter().collect();
        assess(&refs, terms, MONEY, start, end).unwrap()
    }

    fn conf(r: &Incidents) -> &KindResult {
        &r.0[0].1
    }

    #[test]
    fn spec_9_exactly_20_records_is_per_record_21_is_the_lump() {
        // 20 records: 20 × 1,000.00 = 20,000.00, not more than lump_after_records.
        let r = run(
            &[leak("2026-10-02 10:00", 20, false, false)],
            &terms(),
            "2026-10",
        );
        assert_eq!(conf(&r).charged, d("20000.00"));
        assert!(conf(&r).thresholds_reached.is_empty());
        // 21 records: max(21,000.00, 500,000.00).
        let r = run(
            &[leak("2026-10-02 10:00", 21, false, false)],
            &terms(),
            "2026-10",
        );
        assert_eq!(conf(&r).charged, d("500000.00"));
        assert_eq!(conf(&r).thresholds_reached, [Threshold::LumpSum]);
    }

    #[test]
    fn spec_9_a_threshold_crossed_in_an_earlier_month_is_not_charged_again() {
        let list = [
            leak("2026-09-02 10:00", 15, false, false),
            leak("2026-10-02 10:00", 10, false, false),
            leak("2026-11-02 10:00", 5, false, false),
        ];
        // September: 15 × 1,000 = 15,000.00.
        assert_eq!(
            conf(&run(&list, &terms(), "2026-09")).charged,
            d("15000.00")
        );
        // October: 25 records > 20 → 500,000.00 to date, less 15,000.00 before.
        let oct = run(&list, &terms(), "2026-10");
        assert_eq!(conf(&oct).liability_to_date, d("500000.00"));
        assert_eq!(conf(&oct).charged_before, d("15000.00"));
        assert_eq!(conf(&oct).charged, d("485000.00"));
        assert_eq!(
            conf(&oct).in_month,
            IncidentCount {
                incidents: 1,
                records: Some(10)
            }
        );
        // November: 30 records, 30,000 < 500,000: the lump already charged, nothing more.
        let nov = run(&list, &terms(), "2026-11");
        assert_eq!(conf(&nov).charged, d("0.00"));
        assert_eq!(conf(&nov).thresholds_reached, [Threshold::LumpSum]);
        // Once per-record passes the lump (600 records), the excess is charged.
        let mut more = list.to_vec();
        more.push(leak("2026-12-01 00:00", 570, false, false));
        let dec = run(&more, &terms(), "2026-12");
        assert_eq!(conf(&dec).liability_to_date, d("600000.00"));
        assert_eq!(conf(&dec).charged, d("100000.00"));
    }

    #[test]
    fn spec_9_competitor_minimum_is_a_floor_not_a_sum() {
        let r = run(
            &[leak("2026-10-02 10:00", 3, true, false)],
            &terms(),
            "2026-10",
        );
        assert_eq!(conf(&r).charged, d("1000000.00"));
        assert_eq!(conf(&r).thresholds_reached, [Threshold::CompetitorMinimum]);
        // 1,500 records to a competitor: 1,500,000.00 > the minimum; never minimum + records.
        let r = run(
            &[leak("2026-10-02 10:00", 1500, true, false)],
            &terms(),
            "2026-10",
        );
        assert_eq!(conf(&r).charged, d("1500000.00"));
        assert_eq!(
            conf(&r).thresholds_reached,
            [Threshold::LumpSum, Threshold::CompetitorMinimum]
        );
    }

    #[test]
    fn spec_9_a_wide_incident_reaches_the_lump_with_one_record() {
        let r = run(
            &[leak("2026-10-02 10:00", 1, false, true)],
            &terms(),
            "2026-10",
        );
        assert_eq!(conf(&r).charged, d("500000.00"));
        assert!(conf(&r).termination_right);
        assert!(r.warnings()[0].contains("may terminate"));
    }

    #[test]
    fn spec_9_a_revision_reprices_the_liability_to_date() {
        let list = [
            leak("2026-09-02 10:00", 5, false, false),
            leak("2026-10-02 10:00", 2, false, false),
        ];
        let mut revised = terms();
        revised.confidentiality.as_mut().unwrap().per_record = d("1200.00");
        // charged_before is L(start) at October's terms: 5 × 1,200, not September's 5,000.
        let r = run(&list, &revised, "2026-10");
        assert_eq!(conf(&r).charged_before, d("6000.00"));
        assert_eq!(conf(&r).liability_to_date, d("8400.00"));
        assert_eq!(conf(&r).charged, d("2400.00"));
    }

    #[test]
    fn spec_9_service_breaches_charge_per_incident_and_give_a_right_from_the_nth() {
        let list = [
            breach("2026-09-02 10:00"),
            breach("2026-10-02 10:00"),
            breach("2026-10-31 23:59:59"),
        ];
        let t = terms();
        let r = run(&list, &t, "2026-10");
        let b = &r.0[1].1;
        assert_eq!(b.in_month.incidents, 2);
        assert_eq!(b.to_date.incidents, 3);
        assert_eq!(b.in_month.records, None);
        assert_eq!((b.charged_before, b.charged), (d("2000.00"), d("4000.00")));
        assert!(b.termination_right);
        assert_eq!(
            r.line(IncidentKind::ServiceBreach, &t),
            Some((d("2"), d("2000.00")))
        );
        // Two breaches to date: no right yet.
        let r = run(&list[..2], &t, "2026-10");
        assert!(!r.0[1].1.termination_right);
        assert_eq!(r.0[1].1.termination_reason, None);
    }

    #[test]
    fn spec_9_the_charge_is_rounded_once() {
        let mut t = terms();
        t.confidentiality.as_mut().unwrap().per_record = d("0.005");
        let list = [
            leak("2026-09-02 10:00", 1, false, false),
            leak("2026-10-02 10:00", 2, false, false),
        ];
        // L(end) = 0.015 → 0.02, L(start) = 0.005 → 0.01, charge = round(0.010) = 0.01.
        let r = run(&list, &t, "2026-10");
        assert_eq!(
            (
                conf(&r).liability_to_date,
                conf(&r).charged_before,
                conf(&r).charged
            ),
            (d("0.02"), d("0.01"), d("0.01"))
        );
    }
}
