//! The statement of one vendor's month (SPEC §5): a plain value computed from the tally and the
//! terms, which every renderer only formats. Its JSON form is the stable contract
//! `slatement.statement.v1`.

mod build;
pub mod definitions;
pub mod incidents;
pub mod items;
mod model;
mod pricing;
pub mod scoring;

pub use crate::statement::items::{Direction, Earning, LineItem, Section, TakenOver};
pub use crate::tally::disputes::{Decision, DisputeKind};
pub use build::{build, StatementInput};
pub use model::*;
pub use pricing::item_words;

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
    use super::build::{assessed_from, deadlines, terms_json};
    use super::pricing::{money_lines, totals};
    use super::*;
    use crate::base::money::Rounding;
    use crate::base::timestamp::Month;
    use crate::contract::rates::Rates;
    use crate::contract::terms::Vendor;
    use crate::input::cells::PerChannel;
    use crate::tally::VendorTally;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::collections::BTreeSet;
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
