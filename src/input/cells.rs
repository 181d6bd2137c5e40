//! Cell parsers: trimmed bytes in, typed values out, no allocation (SPEC §2, §8 "Rows").

pub use crate::base::word::Word;
use rust_decimal::Decimal;

/// Trims ASCII white space from both ends of a cell.
pub fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Channel of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    /// A phone call.
    Phone,
    /// An online chat session.
    Online,
}

impl Channel {
    /// Both channels, in statement order.
    pub const ALL: [Channel; 2] = [Channel::Phone, Channel::Online];
}

/// One count per channel, read and written by [`Channel`] rather than by position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerChannel([u64; 2]);

impl PerChannel {
    /// The counts of a phone and an online channel.
    pub fn new(phone: u64, online: u64) -> PerChannel {
        PerChannel([phone, online])
    }

    /// The counts of both channels together.
    pub fn total(&self) -> u64 {
        self.0[0] + self.0[1]
    }

    /// Adds another count, channel by channel.
    pub fn add(&mut self, other: &PerChannel) {
        self.0[0] += other.0[0];
        self.0[1] += other.0[1];
    }
}

impl std::ops::Index<Channel> for PerChannel {
    type Output = u64;
    fn index(&self, ch: Channel) -> &u64 {
        &self.0[ch as usize]
    }
}

impl std::ops::IndexMut<Channel> for PerChannel {
    fn index_mut(&mut self, ch: Channel) -> &mut u64 {
        &mut self.0[ch as usize]
    }
}

/// Stage of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Stage {
    /// Before the sale.
    Presales,
    /// After the sale.
    Aftersales,
}

/// Who handled a contact or ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum HandledBy {
    /// The vendor (default).
    Vendor,
    /// The platform took it over.
    Platform,
}

/// Kind of ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum TicketKind {
    /// 工单: reply within business hours.
    WorkOrder,
    /// A customer complaint.
    Complaint,
    /// 服务单: an after-sales case.
    ServiceOrder,
    /// A repair case.
    Repair,
}

/// Complexity of a repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Complexity {
    /// Simple (default).
    Simple,
    /// Complex.
    Complex,
}

/// Status of a sales order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum OrderStatus {
    /// Completed: earns commission.
    Completed,
    /// Refunded.
    Refunded,
    /// Cancelled.
    Cancelled,
}

fn pick<T: Copy>(cell: &[u8], table: &[(&str, T)]) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(cell))
        .map(|(_, v)| *v)
}

/// A survey rating as a level 5 (very satisfied) … 1 (very dissatisfied): digits, English names
/// (any case) or the Chinese labels.
pub fn rating(cell: &[u8]) -> Option<u8> {
    pick(
        cell,
        &[
            ("5", 5),
            ("4", 4),
            ("3", 3),
            ("2", 2),
            ("1", 1),
            ("very_satisfied", 5),
            ("satisfied", 4),
            ("neutral", 3),
            ("dissatisfied", 2),
            ("very_dissatisfied", 1),
            ("非常满意", 5),
            ("满意", 4),
            ("一般", 3),
            ("不满意", 2),
            ("非常不满意", 1),
        ],
    )
}

/// An order amount: a non-negative plain decimal (`12`, `12.50`, `+12.5`). Exponents, thousands
/// separators, signs other than a leading `+` and bare dots are refused (SPEC §8).
pub fn amount(cell: &[u8]) -> Result<Decimal, &'static str> {
    let body = cell.strip_prefix(b"+").unwrap_or(cell);
    if body.first() == Some(&b'-') {
        return Err("negative amount (a refund is a status, not a negative amount)");
    }
    let (int, frac) = match body.iter().position(|&c| c == b'.') {
        Some(p) => (&body[..p], Some(&body[p + 1..])),
        None => (body, None),
    };
    let plain = !int.is_empty()
        && int.iter().all(u8::is_ascii_digit)
        && frac.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit));
    if !plain {
        return Err(
            "not a plain decimal amount (write 1234.50: no exponent, no thousands separator)",
        );
    }
    // At most 10^15 with 6 decimals: far beyond any order, and small enough that the sum of a
    // month's orders stays exact.
    const TOO_LARGE: &str = "amount above 10^15: beyond any order; check the digits";
    if int.iter().skip_while(|&&c| c == b'0').count() > 16 {
        return Err(TOO_LARGE);
    }
    let frac_len = frac.map_or(0, <[u8]>::len);
    if frac_len > 6 {
        return Err("amount has more than 6 decimals");
    }
    let mut mantissa: i128 = 0;
    for &c in int.iter().chain(frac.unwrap_or(&[]).iter()) {
        mantissa = mantissa * 10 + i128::from(c - b'0');
    }
    let value = Decimal::try_from_i128_with_scale(mantissa, frac_len as u32)
        .map_err(|_| "amount out of range")?;
    if value > Decimal::from(1_000_000_000_000_000_i64) {
        return Err(TOO_LARGE);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_8_order_amounts_are_bounded() {
        assert_eq!(
            amount(b"1000000000000000"),
            Ok(Decimal::from(1_000_000_000_000_000_i64))
        );
        assert_eq!(
            amount(b"0001.500000").map(|d| d.to_string()),
            Ok("1.500000".into())
        );
        for bad in [
            &b"1000000000000000.01"[..],
            b"9999999999999999999999999999",
            b"1.0000001",
        ] {
            assert!(amount(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn spec_8_enumerations_match_case_insensitively() {
        assert_eq!(Channel::parse(b"PHONE"), Some(Channel::Phone));
        assert_eq!(TicketKind::parse(b"Complaint"), Some(TicketKind::Complaint));
        assert_eq!(rating(b"VERY_SATISFIED"), Some(5));
        assert_eq!(rating(b"\xE4\xB8\x80\xE8\x88\xAC"), Some(3)); // 一般
        assert_eq!(rating(b"6"), None);
        assert_eq!(HandledBy::parse(b"Platform"), Some(HandledBy::Platform));
        assert_eq!(HandledBy::parse(b"partner"), None);
        assert_eq!(Complexity::parse(b""), None);
    }

    #[test]
    fn spec_8_amounts_are_plain_non_negative_decimals() {
        assert_eq!(amount(b"12").unwrap().to_string(), "12");
        assert_eq!(amount(b"12.50").unwrap().to_string(), "12.50");
        assert_eq!(amount(b"+12.5").unwrap().to_string(), "12.5");
        for bad in [
            &b"-1"[..],
            b"1e3",
            b"1,234.00",
            b".5",
            b"12.",
            b"",
            b"+",
            b"12.5.1",
            b"0x10",
        ] {
            assert!(amount(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
