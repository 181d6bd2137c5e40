//! Cell conversions for mapped exports: decoding a used cell from the declared encoding, and
//! turning a foreign time (strftime pattern, epoch, Excel serial) into canonical timestamp text
//! that the canonical reader then judges by SPEC §8 like any other.

use super::profile::{Encoding, TimeFormat};
use crate::base::timestamp::{local_to_instant, parse_timestamp, Instant};
use chrono::format::{Fixed, Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike};
use chrono_tz::Tz;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::borrow::Cow;

/// Decodes a used cell. `None` when its bytes are not valid in `encoding` (or, for a stream
/// transcoded from UTF-16, when it holds a replaced, undecodable unit).
pub fn decode(encoding: Encoding, bytes: &[u8]) -> Option<Cow<'_, str>> {
    match encoding {
        Encoding::Utf8 | Encoding::Utf16Le => {
            let s = std::str::from_utf8(bytes).ok()?;
            if encoding == Encoding::Utf16Le && s.contains('\u{FFFD}') {
                return None;
            }
            Some(Cow::Borrowed(s.strip_prefix('\u{FEFF}').unwrap_or(s)))
        }
        Encoding::Gbk | Encoding::Gb18030 => {
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
        }
        Encoding::Other(e) => e.decode_without_bom_handling_and_without_replacement(bytes),
    }
}

/// The reason a used cell is rejected when it does not decode, naming the encoding to try:
/// one that reads these bytes, sniffed from them.
pub fn decode_failure(encoding: Encoding, bytes: &[u8]) -> String {
    format!(
        "not valid {} text; the export may be in another encoding: try encoding = \"{}\" in the profile's [source]",
        encoding.as_str(),
        sniff(encoding, bytes)
    )
}

/// An encoding other than `declared` that reads `bytes`: UTF-8 when they are valid UTF-8 or
/// the profile declared a Chinese encoding (Chinese exports come as GBK or UTF-8; a cell that
/// is neither is damaged, and no single-byte code page would read it right), else GB18030
/// when they read as it with Chinese characters, else windows-1251 for runs of high bytes
/// (Cyrillic words), else windows-1252 (which reads any byte).
fn sniff(declared: Encoding, bytes: &[u8]) -> &'static str {
    if declared != Encoding::Utf8 && std::str::from_utf8(bytes).is_ok()
        || matches!(declared, Encoding::Gbk | Encoding::Gb18030)
    {
        return "utf-8";
    }
    if let Some(s) = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        if s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
            return "gb18030";
        }
    }
    // Cyrillic words are runs of high bytes; Western accents sit alone between ASCII letters.
    let high = |i: usize| bytes.get(i).is_some_and(|b| *b >= 0x80);
    let (mut alone, mut runs) = (0, 0);
    for i in (0..bytes.len()).filter(|i| high(*i)) {
        if (i > 0 && high(i - 1)) || high(i + 1) {
            runs += 1;
        } else {
            alone += 1;
        }
    }
    if runs > alone && declared != Encoding::Other(encoding_rs::WINDOWS_1251) {
        "windows-1251"
    } else {
        "windows-1252"
    }
}

/// A time read from a foreign cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignTime {
    /// A wall-clock time, read in the contract time zone.
    Local(NaiveDateTime),
    /// An instant (the source wrote an offset, or epoch time).
    At(Instant),
}

impl ForeignTime {
    /// The instant, local times read in `tz` (a time in a DST gap is an error, SPEC §8).
    pub fn instant(self, tz: Tz) -> Result<Instant, String> {
        match self {
            ForeignTime::At(i) => Ok(i),
            ForeignTime::Local(l) => local_to_instant(tz, l).map_err(|_| {
                "does not exist in the contract time zone (daylight-saving gap)".to_string()
            }),
        }
    }

    /// Canonical timestamp text: naive for a local time (the canonical reader applies the zone
    /// rules), RFC 3339 in the contract zone for an instant.
    pub fn canonical(self, tz: Tz) -> String {
        match self {
            ForeignTime::Local(l) if l.nanosecond() == 0 => {
                l.format("%Y-%m-%d %H:%M:%S").to_string()
            }
            ForeignTime::Local(l) => l.format("%Y-%m-%d %H:%M:%S%.9f").to_string(),
            ForeignTime::At(i) => i.to_rfc3339(tz),
        }
    }
}

/// Reads `text` by the first of `formats` that fits it.
pub fn read_time(text: &str, formats: &[TimeFormat], tz: Tz) -> Result<ForeignTime, String> {
    for f in formats {
        if let Some(t) = read_one(text, f, tz) {
            return Ok(t);
        }
    }
    let list: Vec<String> = formats.iter().map(ToString::to_string).collect();
    Err(format!(
        "`{text}` does not match the profile's time format ({})",
        list.join(" or ")
    ))
}

fn read_one(text: &str, format: &TimeFormat, tz: Tz) -> Option<ForeignTime> {
    match format {
        TimeFormat::Canonical => parse_timestamp(text.as_bytes(), tz)
            .ok()
            .map(ForeignTime::At),
        TimeFormat::Pattern(p) => {
            if has_offset(p) {
                DateTime::parse_from_str(text, p)
                    .ok()
                    .map(|d| ForeignTime::At(Instant::from_datetime(&d)))
            } else {
                NaiveDateTime::parse_from_str(text, p)
                    .ok()
                    .or_else(|| {
                        NaiveDate::parse_from_str(text, p)
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                    })
                    .map(ForeignTime::Local)
            }
        }
        TimeFormat::Epoch => epoch(text, 1_000_000_000).map(ForeignTime::At),
        TimeFormat::EpochMillis => epoch(text, 1_000_000).map(ForeignTime::At),
        TimeFormat::ExcelSerial => excel_serial(text)
            .or_else(|| typed_cell(text))
            .map(ForeignTime::Local),
    }
}

/// A date cell of a workbook, as the sheet reader writes a typed date (`2026-10-01 09:00:00`,
/// `2026-10-01 09:00:00.250`, `2026-10-01`): `format = "excel"` reads a column whether its
/// cells are typed dates or serial numbers stored as numbers or text.
fn typed_cell(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|p| NaiveDateTime::parse_from_str(text, p).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

fn has_offset(pattern: &str) -> bool {
    StrftimeItems::new(pattern).any(|i| {
        matches!(
            i,
            Item::Fixed(
                Fixed::TimezoneOffset
                    | Fixed::TimezoneOffsetColon
                    | Fixed::TimezoneOffsetDoubleColon
                    | Fixed::TimezoneOffsetTripleColon
                    | Fixed::TimezoneOffsetColonZ
                    | Fixed::TimezoneOffsetZ
                    | Fixed::RFC2822
                    | Fixed::RFC3339
            )
        )
    })
}

/// An epoch count (`unit` nanoseconds each), integer or decimal, exactly.
fn epoch(text: &str, unit: i64) -> Option<Instant> {
    let d: Decimal = text.trim().parse().ok()?;
    let nanos = (d * Decimal::from(unit)).round_dp_with_strategy(0, RoundingStrategy::ToZero);
    nanos.to_i64().map(Instant)
}

/// Days between the Excel 1900 system's day 0 (1899-12-30, counting Excel's fictitious
/// 1900-02-29 as serial 60) and the Unix epoch are handled by the base date below.
fn excel_serial(text: &str) -> Option<NaiveDateTime> {
    let d: Decimal = text.trim().parse().ok()?;
    serial_to_local(d, false)
}

/// An Excel serial day number to a wall-clock time, exactly: whole days from the date
/// system's base, the fraction of a day rounded half-even to the millisecond (Excel's own
/// precision). `date1904` picks the 1904 system. Serial 60 of the 1900 system is the day that
/// never was (1900-02-29) and has no time.
pub fn serial_to_local(serial: Decimal, date1904: bool) -> Option<NaiveDateTime> {
    if serial.is_sign_negative() {
        return None;
    }
    let ms_per_day = Decimal::from(86_400_000);
    let total_ms = (serial * ms_per_day)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven)
        .to_i64()?;
    let days = total_ms.div_euclid(86_400_000);
    let ms = total_ms.rem_euclid(86_400_000);
    let base = if date1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if days >= 61 {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    } else if days == 60 {
        return None;
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    };
    let date = base.checked_add_days(chrono::Days::new(u64::try_from(days).ok()?))?;
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
        u32::try_from(ms / 1000).ok()?,
        u32::try_from((ms % 1000) * 1_000_000).ok()?,
    )?;
    Some(date.and_time(time))
}

/// A duration from a cell, as nanoseconds: a whole or decimal number of `unit_seconds`
/// (seconds or minutes), or a clock reading `H:MM:SS` / `MM:SS` (seconds may carry decimals;
/// hours may pass 24), as help-desk and contact-centre exports write durations.
pub fn duration_nanos(text: &str, unit_seconds: i64) -> Option<i64> {
    let text = text.trim();
    let seconds = if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        let (h, m, s) = match parts.as_slice() {
            [h, m, s] => (*h, *m, *s),
            [m, s] => ("0", *m, *s),
            _ => return None,
        };
        let whole = |t: &str| {
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<i64>().ok())
                .flatten()
        };
        let (h, m) = (whole(h)?, whole(m)?);
        let s: Decimal = s.parse().ok()?;
        if m >= 60
            || s.is_sign_negative()
            || s >= Decimal::from(60)
            || !s.to_string().starts_with(|c: char| c.is_ascii_digit())
        {
            return None;
        }
        Decimal::from(h.checked_mul(3600)?.checked_add(m * 60)?).checked_add(s)?
    } else {
        text.parse::<Decimal>()
            .ok()?
            .checked_mul(Decimal::from(unit_seconds))?
    };
    seconds
        .checked_mul(Decimal::from(1_000_000_000))?
        .round_dp_with_strategy(0, RoundingStrategy::ToZero)
        .to_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: Tz = chrono_tz::Asia::Shanghai;

    fn pat(p: &str) -> Vec<TimeFormat> {
        vec![TimeFormat::Pattern(p.into())]
    }

    #[test]
    fn durations_read_as_numbers_of_the_unit_or_as_clock_readings() {
        let n = |t: &str, unit| duration_nanos(t, unit);
        assert_eq!(n("185", 1), Some(185_000_000_000));
        assert_eq!(n("12.5", 60), Some(750_000_000_000));
        assert_eq!(n("0:03:05", 1), Some(185_000_000_000));
        assert_eq!(n("03:05", 60), Some(185_000_000_000));
        assert_eq!(n("26:00:00.25", 1), Some(93_600_250_000_000));
        for bad in [
            "1:60:00", "0:00:60", "a:01", ":", "1:2:3:4", "-0:01", "0:-1", "",
        ] {
            assert_eq!(n(bad, 1), None, "{bad}");
        }
    }

    #[test]
    fn excel_resaves_read_unpadded_without_seconds() {
        let t = read_time("2020/2/10 22:41", &pat("%Y/%m/%d %H:%M"), SH).unwrap();
        assert_eq!(t.canonical(SH), "2020-02-10 22:41:00");
        let t = read_time("2026/10/1 9:05", &pat("%Y/%m/%d %H:%M"), SH).unwrap();
        assert_eq!(t.canonical(SH), "2026-10-01 09:05:00");
    }

    #[test]
    fn formats_are_tried_in_order_and_failure_names_them() {
        let formats = vec![
            TimeFormat::Pattern("%Y-%m-%d %H:%M:%S".into()),
            TimeFormat::Pattern("%Y/%m/%d %H:%M".into()),
        ];
        assert_eq!(
            read_time("2026-10-01 09:00:07", &formats, SH).unwrap(),
            ForeignTime::Local(
                NaiveDate::from_ymd_opt(2026, 10, 1)
                    .unwrap()
                    .and_hms_opt(9, 0, 7)
                    .unwrap()
            )
        );
        let e = read_time("01.10.2026", &formats, SH).unwrap_err();
        assert!(e.contains("`%Y-%m-%d %H:%M:%S` or `%Y/%m/%d %H:%M`"), "{e}");
    }

    #[test]
    fn an_offset_in_the_pattern_gives_an_instant() {
        let t = read_time(
            "2026-10-01 09:15:00 +0000",
            &pat("%Y-%m-%d %H:%M:%S %z"),
            SH,
        )
        .unwrap();
        assert_eq!(t.canonical(SH), "2026-10-01T17:15:00+08:00");
    }

    #[test]
    fn epoch_seconds_and_milliseconds_are_exact() {
        // 1790812800 = 2026-10-01T00:00:00Z = 08:00 in Shanghai.
        let t = read_time("1790812800", &[TimeFormat::Epoch], SH).unwrap();
        assert_eq!(t.canonical(SH), "2026-10-01T08:00:00+08:00");
        let t = read_time("1790812800.25", &[TimeFormat::Epoch], SH).unwrap();
        assert_eq!(t, ForeignTime::At(Instant(1_790_812_800_250_000_000)));
        let t = read_time("1790812800123", &[TimeFormat::EpochMillis], SH).unwrap();
        assert_eq!(t, ForeignTime::At(Instant(1_790_812_800_123_000_000)));
        assert!(read_time("17908x", &[TimeFormat::Epoch], SH).is_err());
    }

    #[test]
    fn excel_format_reads_typed_date_cells_and_serials_alike() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let nine = NaiveDate::from_ymd_opt(2026, 10, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        for text in ["46296.375", "2026-10-01 09:00:00", "2026-10-01 09:00"] {
            assert_eq!(
                read_time(text, &[TimeFormat::ExcelSerial], tz),
                Ok(ForeignTime::Local(nine)),
                "{text}"
            );
        }
        assert!(read_time("01/10/2026", &[TimeFormat::ExcelSerial], tz).is_err());
    }

    #[test]
    fn excel_serials_follow_the_1900_and_1904_systems() {
        let at = |s: &str, d1904| serial_to_local(s.parse().unwrap(), d1904);
        let dt = |y, m, d, h, mi, s| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, mi, s)
                .unwrap()
        };
        // 45931 = 2025-10-01; 0.375 of a day = 09:00.
        assert_eq!(at("45931", false), Some(dt(2025, 10, 1, 0, 0, 0)));
        assert_eq!(at("45931.375", false), Some(dt(2025, 10, 1, 9, 0, 0)));
        // 1904 system: 1462 days fewer.
        assert_eq!(at("44469.375", true), Some(dt(2025, 10, 1, 9, 0, 0)));
        // Around Excel's 1900 leap-year bug: 59 = 1900-02-28, 60 does not exist, 61 = 03-01.
        assert_eq!(at("59", false), Some(dt(1900, 2, 28, 0, 0, 0)));
        assert_eq!(at("60", false), None);
        assert_eq!(at("61", false), Some(dt(1900, 3, 1, 0, 0, 0)));
        assert_eq!(at("1", false), Some(dt(1900, 1, 1, 0, 0, 0)));
        // 09:01 is not exact in binary; rounding to the millisecond restores it.
        assert_eq!(
            at("45931.37569444444", false),
            Some(dt(2025, 10, 1, 9, 1, 0))
        );
        // A fraction that rounds up to midnight carries into the next day.
        assert_eq!(
            at("45931.9999999999", false),
            Some(dt(2025, 10, 2, 0, 0, 0))
        );
    }

    #[test]
    fn gbk_cells_decode_and_bad_bytes_are_named() {
        // 满意 in GBK.
        assert_eq!(
            decode(Encoding::Gbk, b"\xC2\xFA\xD2\xE2").as_deref(),
            Some("满意")
        );
        assert_eq!(decode(Encoding::Gbk, b"\x81"), None);
        assert_eq!(decode(Encoding::Utf8, b"\xC2\xFA"), None);
        assert_eq!(
            decode(Encoding::Utf8, "\u{FEFF}id".as_bytes()).as_deref(),
            Some("id")
        );
        assert_eq!(decode(Encoding::Utf16Le, "a\u{FFFD}".as_bytes()), None);
        assert!(decode_failure(Encoding::Utf8, b"\xC2\xFA\xD2\xE2")
            .contains("try encoding = \"gb18030\""));
        assert!(decode_failure(Encoding::Gbk, b"\x81").contains("not valid gbk"));
        // Ивано in windows-1251 (an odd lead byte: not GB18030); Café in windows-1252.
        assert!(decode_failure(Encoding::Utf8, b"\xC8\xE2\xE0\xED\xEE")
            .contains("try encoding = \"windows-1251\""));
        assert!(
            decode_failure(Encoding::Utf8, b"Caf\xE9").contains("try encoding = \"windows-1252\"")
        );
        let cp1251 = Encoding::parse("windows-1251").unwrap();
        assert_eq!(decode(cp1251, b"\xC8\xE2\xE0\xED").as_deref(), Some("Иван"));
        assert_eq!(Encoding::parse("latin1").unwrap().as_str(), "windows-1252");
        assert!(Encoding::parse("klingon").is_none());
    }

    #[test]
    fn durations_read_decimal_minutes_exactly() {
        assert_eq!(duration_nanos("1.5", 60), Some(90_000_000_000));
        assert_eq!(duration_nanos("12", 1), Some(12_000_000_000));
        assert_eq!(duration_nanos("x", 1), None);
    }
}
