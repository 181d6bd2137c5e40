//! Exact money: decimals rounded where SPEC §4 says, with the configured mode.

use rust_decimal::{Decimal, RoundingStrategy};

/// `[money] rounding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Rounding {
    /// Half away from zero (四舍五入).
    HalfUp,
    /// Half to even (banker's rounding).
    HalfEven,
}

impl Rounding {
    /// Both modes, in the order rates.toml's documentation lists them.
    pub const ALL: [Rounding; 2] = [Rounding::HalfUp, Rounding::HalfEven];

    fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        }
    }
}

/// Rounds `value` to `scale` decimals with `mode`, always showing `scale` decimals.
pub fn round(value: Decimal, scale: u32, mode: Rounding) -> Decimal {
    let mut r = value.round_dp_with_strategy(scale, mode.strategy());
    r.rescale(scale);
    r
}

/// A money line's amount: quantity × unit price, rounded (SPEC §4 "Money lines").
///
/// # Panics
/// When the product is beyond exact decimal range; see [`checked_line_amount`].
pub fn line_amount(quantity: Decimal, unit_price: Decimal, scale: u32, mode: Rounding) -> Decimal {
    checked_line_amount(quantity, unit_price, scale, mode).expect("a line amount in range")
}

/// [`line_amount`], or `None` when the product is beyond exact decimal range.
pub fn checked_line_amount(
    quantity: Decimal,
    unit_price: Decimal,
    scale: u32,
    mode: Rounding,
) -> Option<Decimal> {
    quantity
        .checked_mul(unit_price)
        .map(|p| round(p, scale, mode))
}

/// The exact sum of `values`, or `None` when it leaves exact decimal range (a sum is never
/// rounded to fit).
pub fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values.into_iter().try_fold(Decimal::ZERO, |acc, v| {
        let sum = acc.checked_add(v)?;
        (sum.scale() >= acc.scale().max(v.scale())).then_some(sum)
    })
}

/// `value` shown with at least `scale` decimals (more when it has them): how unit prices print.
pub fn at_least_scale(value: Decimal, scale: u32) -> Decimal {
    let mut v = value;
    if v.scale() < scale {
        v.rescale(scale);
    }
    v
}

/// `value` as people read it: thousands separated by commas, the decimals kept as they are
/// (`239857.61` → `239,857.61`, `-2000.00` → `-2,000.00`). Only the human forms use it: JSON and
/// CSV keep plain decimals.
pub fn grouped(value: Decimal) -> String {
    let plain = value.to_string();
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(plain.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn spec_4_lines_round_with_the_configured_mode() {
        // 3 × 0.835 = 2.505: half up gives 2.51, half even 2.50.
        assert_eq!(
            line_amount(d("3"), d("0.835"), 2, Rounding::HalfUp).to_string(),
            "2.51"
        );
        assert_eq!(
            line_amount(d("3"), d("0.835"), 2, Rounding::HalfEven).to_string(),
            "2.50"
        );
        // 1 × 2.515 half even keeps the odd digit up to 2.52.
        assert_eq!(
            line_amount(d("1"), d("2.515"), 2, Rounding::HalfEven).to_string(),
            "2.52"
        );
        // Scale 0 rounds to whole yuan.
        assert_eq!(
            line_amount(d("5"), d("2.5"), 0, Rounding::HalfEven).to_string(),
            "12"
        );
        assert_eq!(
            line_amount(d("5"), d("2.5"), 0, Rounding::HalfUp).to_string(),
            "13"
        );
        // Whole amounts still show the scale.
        assert_eq!(
            line_amount(d("12"), d("14.5"), 2, Rounding::HalfUp).to_string(),
            "174.00"
        );
    }

    #[test]
    fn grouped_separates_thousands_only() {
        assert_eq!(grouped(d("239857.61")), "239,857.61");
        assert_eq!(grouped(d("-2000.00")), "-2,000.00");
        assert_eq!(grouped(d("999.5")), "999.5");
        assert_eq!(grouped(d("1000")), "1,000");
        assert_eq!(grouped(d("100000000.00")), "100,000,000.00");
        assert_eq!(grouped(d("0.035")), "0.035");
        assert_eq!(grouped(d("-12")), "-12");
    }

    #[test]
    fn unit_prices_keep_extra_decimals() {
        assert_eq!(at_least_scale(d("2"), 2).to_string(), "2.00");
        assert_eq!(at_least_scale(d("0.035"), 2).to_string(), "0.035");
    }
}
