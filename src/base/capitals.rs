//! Chinese capitals for money (大写金额), as financial documents write them (SPEC §13): digits
//! 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿 and 元角分; 整 after 元 only when there is no 角 and no
//! 分; one 零 for each run of zeros inside the integer part (also across 万 and 亿) and for a zero
//! 角 before a non-zero 分; every 拾 has its digit before it (壹拾, never 拾 alone).
//!
//! Only the figure is written here: the document adds 人民币 and who pays whom in its own words.

use rust_decimal::{Decimal, RoundingStrategy};

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/// The units inside a four-digit group, from its highest digit.
const IN_GROUP: [&str; 4] = ["仟", "佰", "拾", ""];
/// The unit after each group, from the lowest: 元 is added after all of them.
const GROUPS: [&str; 3] = ["", "万", "亿"];

/// The capitals of `amount`'s absolute value rounded to fen (half away from zero), without
/// 人民币; `None` from 1万亿 (10^12) on, which SPEC §13 writes in figures only.
///
/// `1004.50` → `壹仟零肆元伍角`; `100010000` → `壹亿零壹万元整`.
pub fn capitals(amount: Decimal) -> Option<String> {
    let fen_total = amount
        .abs()
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        * Decimal::ONE_HUNDRED;
    if fen_total >= Decimal::from(1_000_000_000_000u64) * Decimal::ONE_HUNDRED {
        return None;
    }
    let fen_total: u64 = fen_total.trunc().try_into().ok()?;
    let yuan = fen_total / 100;
    let jiao = (fen_total / 10 % 10) as usize;
    let fen = (fen_total % 10) as usize;

    let mut out = String::new();
    if yuan > 0 {
        out.push_str(&integer(yuan));
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => {
            if yuan == 0 {
                out.push_str("零元");
            }
            out.push('整');
        }
        (0, f) => {
            // A zero 角 between 元 and a non-zero 分 is read as 零 (1,000.05 → 壹仟元零伍分).
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            if f > 0 {
                out.push(DIGITS[f]);
                out.push('分');
            }
        }
    }
    Some(out)
}

/// The integer part (> 0, < 10^12) in capitals, without 元.
fn integer(n: u64) -> String {
    // Groups of four digits from the lowest: 元, 万, 亿.
    let groups = [n % 10_000, n / 10_000 % 10_000, n / 100_000_000];
    let top = groups.iter().rposition(|&g| g > 0).expect("n > 0");
    let mut out = String::new();
    // A zero was passed since the last digit written: the next digit written is preceded by 零.
    let mut pending_zero = false;
    for g in (0..=top).rev() {
        let group = groups[g];
        let digits = [
            group / 1000 % 10,
            group / 100 % 10,
            group / 10 % 10,
            group % 10,
        ];
        // The 亿 group may reach 9999 (< 10^12), so it has four digits at most as well.
        let mut wrote = false;
        for (i, &d) in digits.iter().enumerate() {
            if d == 0 {
                if !out.is_empty() {
                    pending_zero = true;
                }
                continue;
            }
            if pending_zero {
                out.push('零');
                pending_zero = false;
            }
            out.push(DIGITS[d as usize]);
            out.push_str(IN_GROUP[i]);
            wrote = true;
        }
        if wrote {
            out.push_str(GROUPS[g]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::capitals;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn cap(s: &str) -> String {
        capitals(Decimal::from_str(&s.replace(',', "")).unwrap()).unwrap()
    }

    /// SPEC §13's table, every row.
    #[test]
    fn the_specification_table() {
        for (amount, words) in [
            ("0.00", "零元整"),
            ("0.05", "伍分"),
            ("0.50", "伍角"),
            ("10.30", "壹拾元叁角"),
            ("15.00", "壹拾伍元整"),
            ("1,004.50", "壹仟零肆元伍角"),
            ("1,000.05", "壹仟元零伍分"),
            ("105,000.00", "壹拾万零伍仟元整"),
            ("500,000.00", "伍拾万元整"),
            ("1,010,100.10", "壹佰零壹万零壹佰元壹角"),
            ("100,000,000.00", "壹亿元整"),
            ("12,345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ] {
            assert_eq!(cap(amount), words, "{amount}");
        }
    }

    /// One 零 for a run of zeros, also when the run crosses 万 or 亿; none at a group's end.
    #[test]
    fn zeros_across_wan_and_yi() {
        assert_eq!(cap("100,010,000.00"), "壹亿零壹万元整");
        assert_eq!(cap("1,000,000,001.00"), "壹拾亿零壹元整");
        assert_eq!(cap("20,000,000.00"), "贰仟万元整");
        assert_eq!(cap("100,000,010.00"), "壹亿零壹拾元整");
        assert_eq!(cap("10,000,100.00"), "壹仟万零壹佰元整");
        assert_eq!(cap("1,001,000.00"), "壹佰万零壹仟元整");
        assert_eq!(cap("1,000,100,000.00"), "壹拾亿零壹拾万元整");
        assert_eq!(
            cap("999,999,999,999.99"),
            "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"
        );
    }

    /// Every 拾 has its digit; 整 only without 角 and 分.
    #[test]
    fn ten_and_whole() {
        assert_eq!(cap("10.00"), "壹拾元整");
        assert_eq!(cap("110,000.00"), "壹拾壹万元整");
        assert_eq!(cap("0.50"), "伍角");
        assert_eq!(cap("7,786.47"), "柒仟柒佰捌拾陆元肆角柒分");
        assert_eq!(cap("2.30"), "贰元叁角");
    }

    /// The absolute value, rounded to fen half away from zero; 1万亿 and more in figures only.
    #[test]
    fn sign_rounding_and_range() {
        assert_eq!(cap("-1,004.50"), "壹仟零肆元伍角");
        assert_eq!(cap("0.005"), "壹分");
        assert_eq!(cap("-0.004"), "零元整");
        assert_eq!(capitals(Decimal::from(1_000_000_000_000u64)), None);
        assert_eq!(capitals(Decimal::from(-1_000_000_000_000i64)), None);
        assert!(capitals(Decimal::from_str("999999999999.994").unwrap()).is_some());
        assert_eq!(
            capitals(Decimal::from_str("999999999999.995").unwrap()),
            None
        );
    }
}
