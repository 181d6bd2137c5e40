//! The rubric (SPEC §4 "Scorecards"): exact ratios, points per item rounded to 2 decimals, the
//! score as the sum of the rounded points, and the tier the score falls in (001 annex 1 §1.2–1.3).

use crate::contract::terms::{MetricName, Scorecard, Shortfall, Tier, WhenEmpty};
use rust_decimal::{Decimal, RoundingStrategy};

/// A metric's exact ratio as numerator and denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ratio {
    /// Numerator.
    pub numerator: u64,
    /// Denominator (0 = no data).
    pub denominator: u64,
}

impl Ratio {
    /// A ratio of two counts.
    pub fn new(numerator: u64, denominator: u64) -> Self {
        Ratio {
            numerator,
            denominator,
        }
    }

    /// The ratio rounded half-up to 4 decimals for display; `None` when there is no data.
    pub fn display_value(self) -> Option<Decimal> {
        (self.denominator > 0).then(|| {
            round_half_up(
                Decimal::from(self.numerator) / Decimal::from(self.denominator),
                4,
            )
        })
    }
}

/// Rounds half away from zero to `dp` decimals, always showing `dp` decimals.
pub fn round_half_up(v: Decimal, dp: u32) -> Decimal {
    let mut r = v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    r
}

/// The value of every metric of one vendor's month.
pub trait MetricSource {
    /// The ratio of `metric`.
    fn ratio(&self, metric: MetricName) -> Ratio;
}

/// One scored item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemScore {
    /// The metric.
    pub metric: MetricName,
    /// Its ratio.
    pub ratio: Ratio,
    /// Target.
    pub target: Decimal,
    /// Weight.
    pub weight: Decimal,
    /// Points earned, rounded to 2 decimals.
    pub points: Decimal,
}

/// A scorecard's result.
#[derive(Debug, Clone, PartialEq)]
pub struct CardScore {
    /// The scorecard's name.
    pub name: String,
    /// Sum of the items' rounded points.
    pub score: Decimal,
    /// Items, in declared order.
    pub items: Vec<ItemScore>,
    /// The tier the score falls in.
    pub tier: Tier,
    /// Metrics of this card with no data.
    pub empty_metrics: Vec<MetricName>,
}

/// Points of one item (SPEC §4): the full weight when the exact value meets the target;
/// otherwise `max(0, w − k × shortfall × 100)`, with the shortfall exact or rounded to whole
/// points as configured; rounded half-up to 2 decimals.
pub fn item_points(
    ratio: Ratio,
    target: Decimal,
    weight: Decimal,
    points_per_point: Decimal,
    shortfall: Shortfall,
    when_empty: WhenEmpty,
) -> Decimal {
    let hundred = Decimal::ONE_HUNDRED;
    if ratio.denominator == 0 {
        return match when_empty {
            WhenEmpty::Full => round_half_up(weight, 2),
            WhenEmpty::Zero => round_half_up(Decimal::ZERO, 2),
        };
    }
    let n = Decimal::from(ratio.numerator);
    let d = Decimal::from(ratio.denominator);
    // v ≥ t  ⇔  n ≥ t·d, compared exactly.
    if n >= target * d {
        return round_half_up(weight, 2);
    }
    // Shortfall in percentage points: (t·d − n)·100 / d.
    let short_num = (target * d - n) * hundred;
    let points = match shortfall {
        // One division, so the only rounding is the final one.
        Shortfall::Exact => (weight * d - points_per_point * short_num) / d,
        Shortfall::PerStartedPoint => weight - points_per_point * (short_num / d).ceil(),
        Shortfall::PerFullPoint => weight - points_per_point * (short_num / d).floor(),
    };
    round_half_up(points.max(Decimal::ZERO), 2)
}

/// The tier a score falls in: the one with the highest `min` not above it (`min` inclusive).
pub fn tier_of(tiers: &[Tier], score: Decimal) -> &Tier {
    tiers
        .iter()
        .filter(|t| t.min <= score)
        .max_by(|a, b| a.min.cmp(&b.min))
        .expect("tiers cover 0-100: validated by the rates loader")
}

/// Scores one scorecard.
pub fn score_card(card: &Scorecard, metrics: &dyn MetricSource) -> CardScore {
    let mut items = Vec::with_capacity(card.items.len());
    let mut empty_metrics = Vec::new();
    for item in &card.items {
        let ratio = metrics.ratio(item.metric);
        if ratio.denominator == 0 {
            empty_metrics.push(item.metric);
        }
        items.push(ItemScore {
            metric: item.metric,
            ratio,
            target: item.target,
            weight: item.weight,
            points: item_points(
                ratio,
                item.target,
                item.weight,
                item.points_per_point,
                card.shortfall,
                card.when_empty,
            ),
        });
    }
    let mut score: Decimal = items.iter().map(|i| i.points).sum();
    score.rescale(2);
    CardScore {
        name: card.name.clone(),
        score,
        tier: tier_of(&card.tiers, score).clone(),
        items,
        empty_metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn pts(n: u64, den: u64, t: &str, mode: Shortfall) -> String {
        item_points(
            Ratio::new(n, den),
            d(t),
            d("50"),
            d("2"),
            mode,
            WhenEmpty::Full,
        )
        .to_string()
    }
    fn tiers() -> Vec<Tier> {
        [
            ("90", "excellent", "0"),
            ("80", "meets", "0"),
            ("70", "below", "2000"),
            ("60", "poor", "5000"),
            ("0", "fails", "10000"),
        ]
        .iter()
        .map(|(m, l, p)| Tier {
            min: d(m),
            label: l.to_string(),
            penalty: d(p),
            improvement_period: false,
            fails_standard: false,
        })
        .collect()
    }

    #[test]
    fn spec_4_meeting_the_target_earns_the_full_weight() {
        assert_eq!(pts(9000, 10000, "0.90", Shortfall::Exact), "50.00");
        assert_eq!(pts(9012, 10000, "0.90", Shortfall::Exact), "50.00");
    }

    #[test]
    fn spec_4_exact_shortfall_deducts_k_points_per_point() {
        // 87.5% against 90%: 2.5 points short × 2 = 5 → 45.00.
        assert_eq!(pts(875, 1000, "0.90", Shortfall::Exact), "45.00");
        // 2/3 against 85%: short 18.333…; 50 − 36.666… = 13.333… → 13.33.
        assert_eq!(pts(2, 3, "0.85", Shortfall::Exact), "13.33");
        // 8/9 against 90%: short 1.111…; 50 − 2.222… = 47.777… → 47.78.
        assert_eq!(pts(8, 9, "0.90", Shortfall::Exact), "47.78");
        // Far below: never under 0.
        assert_eq!(pts(1, 10, "0.90", Shortfall::Exact), "0.00");
    }

    #[test]
    fn spec_4_per_started_and_per_full_point() {
        // 87.5%: 2.5 short → started: 3 → 44; full: 2 → 46.
        assert_eq!(pts(875, 1000, "0.90", Shortfall::PerStartedPoint), "44.00");
        assert_eq!(pts(875, 1000, "0.90", Shortfall::PerFullPoint), "46.00");
        // Exactly 2 points short stays 2 either way.
        assert_eq!(pts(88, 100, "0.90", Shortfall::PerStartedPoint), "46.00");
        assert_eq!(pts(88, 100, "0.90", Shortfall::PerFullPoint), "46.00");
        // 0.01 point short: started → 1 point; full → 0.
        assert_eq!(
            pts(8999, 10000, "0.90", Shortfall::PerStartedPoint),
            "48.00"
        );
        assert_eq!(pts(8999, 10000, "0.90", Shortfall::PerFullPoint), "50.00");
    }

    #[test]
    fn spec_4_points_round_half_up_to_two_decimals() {
        // 0.89995 short 0.005 points × 1 → 49.995 → 50.00 (half up).
        let p = item_points(
            Ratio::new(89995, 100000),
            d("0.90"),
            d("50"),
            d("1"),
            Shortfall::Exact,
            WhenEmpty::Full,
        );
        assert_eq!(p.to_string(), "50.00");
        let p = item_points(
            Ratio::new(89985, 100000),
            d("0.90"),
            d("50"),
            d("1"),
            Shortfall::Exact,
            WhenEmpty::Full,
        );
        assert_eq!(p.to_string(), "49.99"); // 49.985 → 49.99
    }

    #[test]
    fn spec_4_when_empty_full_or_zero() {
        let full = item_points(
            Ratio::new(0, 0),
            d("0.9"),
            d("50"),
            d("2"),
            Shortfall::Exact,
            WhenEmpty::Full,
        );
        let zero = item_points(
            Ratio::new(0, 0),
            d("0.9"),
            d("50"),
            d("2"),
            Shortfall::Exact,
            WhenEmpty::Zero,
        );
        assert_eq!(
            (full.to_string(), zero.to_string()),
            ("50.00".into(), "0.00".into())
        );
    }

    #[test]
    fn spec_4_tier_min_is_inclusive() {
        let t = tiers();
        assert_eq!(tier_of(&t, d("90.00")).label, "excellent");
        assert_eq!(tier_of(&t, d("89.99")).label, "meets");
        assert_eq!(tier_of(&t, d("70.00")).label, "below");
        assert_eq!(tier_of(&t, d("59.99")).label, "fails");
        assert_eq!(tier_of(&t, d("0.00")).label, "fails");
    }

    #[test]
    fn spec_5_display_value_rounds_half_up_to_four_decimals() {
        assert_eq!(
            Ratio::new(9012, 10000).display_value().unwrap().to_string(),
            "0.9012"
        );
        assert_eq!(
            Ratio::new(2, 3).display_value().unwrap().to_string(),
            "0.6667"
        );
        assert_eq!(
            Ratio::new(1, 20000).display_value().unwrap().to_string(),
            "0.0001"
        ); // 0.00005
        assert_eq!(
            Ratio::new(1, 1).display_value().unwrap().to_string(),
            "1.0000"
        );
        assert_eq!(Ratio::new(0, 0).display_value(), None);
    }

    fn modes() -> impl Strategy<Value = Shortfall> {
        prop_oneof![
            Just(Shortfall::Exact),
            Just(Shortfall::PerStartedPoint),
            Just(Shortfall::PerFullPoint)
        ]
    }

    proptest! {
        #[test]
        fn points_within_0_and_weight_and_never_lower_when_metric_improves(
            den in 1u64..5000, a in 0u64..5000, b in 0u64..5000, t in 0u32..=100, k in 0u32..10, mode in modes()
        ) {
            let (lo, hi) = (a.min(b) % (den + 1), a.max(b) % (den + 1));
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            let target = Decimal::new(i64::from(t), 2);
            let p = |n| item_points(Ratio::new(n, den), target, d("50"), Decimal::from(k), mode, WhenEmpty::Full);
            let (pl, ph) = (p(lo), p(hi));
            prop_assert!(pl >= Decimal::ZERO && ph <= d("50"));
            prop_assert!(pl <= ph);
        }
    }

    struct Fixed(Vec<(MetricName, Ratio)>);
    impl MetricSource for Fixed {
        fn ratio(&self, metric: MetricName) -> Ratio {
            self.0
                .iter()
                .find(|(m, _)| *m == metric)
                .map(|(_, r)| *r)
                .unwrap_or_default()
        }
    }

    fn card(mode: Shortfall) -> Scorecard {
        let item = |metric, target: &str| crate::contract::terms::RubricItem {
            metric,
            target: d(target),
            weight: d("50"),
            points_per_point: d("2"),
        };
        Scorecard {
            name: "consulting".into(),
            shortfall: mode,
            when_empty: WhenEmpty::Full,
            items: vec![
                item(MetricName::AnswerRate, "0.90"),
                item(MetricName::Satisfaction, "0.85"),
            ],
            tiers: tiers(),
        }
    }

    #[test]
    fn spec_4_score_is_the_sum_of_rounded_points_and_picks_the_tier() {
        // answer 2/3 → 3.33; satisfaction 8/10 → 50 − 2×5 = 40.00; score 43.33 → fails.
        let m = Fixed(vec![
            (MetricName::AnswerRate, Ratio::new(2, 3)),
            (MetricName::Satisfaction, Ratio::new(8, 10)),
        ]);
        let s = score_card(&card(Shortfall::Exact), &m);
        assert_eq!(s.score.to_string(), "43.33");
        assert_eq!(s.tier.label, "fails");
        // 0.8888… answer rate: 47.78 + satisfaction 0.85 → 50: 97.78 excellent.
        let m = Fixed(vec![
            (MetricName::AnswerRate, Ratio::new(8, 9)),
            (MetricName::Satisfaction, Ratio::new(85, 100)),
        ]);
        let s = score_card(&card(Shortfall::Exact), &m);
        assert_eq!(
            (s.score.to_string(), s.tier.label.as_str()),
            ("97.78".to_string(), "excellent")
        );
    }

    proptest! {
        #[test]
        fn score_within_0_100_and_never_lower_when_a_metric_improves(
            den in 1u64..2000, a in 0u64..2000, b in 0u64..2000, s in 0u64..2000, mode in modes()
        ) {
            let (lo, hi) = (a.min(b) % (den + 1), a.max(b) % (den + 1));
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            let sat = Ratio::new(s % (den + 1), den);
            let c = card(mode);
            let score = |n| score_card(&c, &Fixed(vec![(MetricName::AnswerRate, Ratio::new(n, den)), (MetricName::Satisfaction, sat)])).score;
            let (sl, sh) = (score(lo), score(hi));
            prop_assert!(sl >= Decimal::ZERO && sh <= Decimal::ONE_HUNDRED);
            prop_assert!(sl <= sh);
        }
    }
}
