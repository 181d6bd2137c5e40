//! Instants and the timestamp forms of SPEC §2 and §8, parsed straight from bytes.
//!
//! An [`Instant`] is nanoseconds since the Unix epoch (UTC): everything is compared as instants,
//! and days and months are cut in the contract time zone.

use crate::base::zone_cache;
use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike,
};
use chrono_tz::Tz;
use std::cell::Cell;

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// A point in time: nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub i64);

impl Instant {
    /// The instant `secs` seconds after this one.
    pub fn plus_seconds(self, secs: i64) -> Instant {
        Instant(self.0 + secs * NANOS_PER_SEC)
    }

    /// Nanoseconds from `earlier` to `self` (negative when `earlier` is later).
    pub fn nanos_since(self, earlier: Instant) -> i64 {
        self.0 - earlier.0
    }

    /// This instant as a chrono UTC date-time.
    pub fn to_utc(self) -> DateTime<chrono::Utc> {
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC) as u32;
        DateTime::from_timestamp(secs, nanos).expect("instant within chrono's range")
    }

    /// The wall-clock date and time of this instant in `tz`.
    pub fn local(self, tz: Tz) -> NaiveDateTime {
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC) as u32;
        match zone_cache::offset_of_utc(tz, secs)
            .and_then(|offset| DateTime::from_timestamp(secs + i64::from(offset), nanos))
        {
            Some(local) => local.naive_utc(),
            None => self.to_utc().with_timezone(&tz).naive_local(),
        }
    }

    /// The calendar date of this instant in `tz`.
    pub fn local_date(self, tz: Tz) -> NaiveDate {
        self.local(tz).date()
    }

    /// RFC 3339 text of this instant in `tz`, with seconds and, when not whole, nanoseconds.
    pub fn to_rfc3339(self, tz: Tz) -> String {
        let mut out = String::with_capacity(35);
        if self.write_text(tz, true, &mut out).is_none() {
            let dt = self.to_utc().with_timezone(&tz);
            out = if dt.nanosecond() == 0 {
                dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
            } else {
                dt.format("%Y-%m-%dT%H:%M:%S%.9f%:z").to_string()
            };
        }
        out
    }

    /// Appends the text of [`Instant::to_rfc3339`] to `out`, without a `String` of its own in
    /// the common case.
    pub fn push_rfc3339(self, tz: Tz, out: &mut String) {
        let at = out.len();
        if self.write_text(tz, true, out).is_none() {
            out.truncate(at);
            out.push_str(&self.to_rfc3339(tz));
        }
    }

    /// Local wall-clock text of this instant in `tz` (`2026-10-13 10:25:00`, with nanoseconds
    /// when not whole).
    pub fn to_local_text(self, tz: Tz) -> String {
        let mut out = String::with_capacity(29);
        if self.write_text(tz, false, &mut out).is_none() {
            let l = self.local(tz);
            out = if self.0.rem_euclid(NANOS_PER_SEC) == 0 {
                l.format("%Y-%m-%d %H:%M:%S").to_string()
            } else {
                l.format("%Y-%m-%d %H:%M:%S%.9f").to_string()
            };
        }
        out
    }

    /// Writes the text of [`Instant::to_rfc3339`] (`rfc3339`) or [`Instant::to_local_text`]
    /// digit by digit, the offset from the per-hour cache; `None` (nothing written) for what
    /// the fast path does not cover: an hour with a transition, an offset with seconds, a year
    /// outside 0000–9999. The text is chrono's, byte for byte (unit-tested against it).
    fn write_text(self, tz: Tz, rfc3339: bool, out: &mut String) -> Option<()> {
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC);
        let offset = zone_cache::offset_of_utc(tz, secs)?;
        if offset % 60 != 0 {
            return None;
        }
        let local = secs.checked_add(i64::from(offset))?;
        let (days, day_secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return None;
        }
        let two = |out: &mut String, n: i64| {
            out.push(char::from(b'0' + (n / 10) as u8));
            out.push(char::from(b'0' + (n % 10) as u8));
        };
        two(out, year / 100);
        two(out, year % 100);
        out.push('-');
        two(out, month);
        out.push('-');
        two(out, day);
        out.push(if rfc3339 { 'T' } else { ' ' });
        two(out, day_secs / 3600);
        out.push(':');
        two(out, day_secs / 60 % 60);
        out.push(':');
        two(out, day_secs % 60);
        if nanos != 0 {
            out.push('.');
            let mut digits = [b'0'; 9];
            let mut n = nanos;
            for d in digits.iter_mut().rev() {
                *d = b'0' + (n % 10) as u8;
                n /= 10;
            }
            out.push_str(std::str::from_utf8(&digits).ok()?);
        }
        if rfc3339 {
            let minutes = i64::from(offset.abs()) / 60;
            out.push(if offset < 0 { '-' } else { '+' });
            two(out, minutes / 60);
            out.push(':');
            two(out, minutes % 60);
        }
        Some(())
    }

    /// The instant of a chrono date-time.
    pub fn from_datetime<T: TimeZone>(dt: &DateTime<T>) -> Instant {
        Instant(dt.timestamp() * NANOS_PER_SEC + i64::from(dt.timestamp_subsec_nanos()))
    }
}

/// Why a local wall-clock time has no instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTimeError {
    /// The time falls in a daylight-saving gap and never happens.
    Nonexistent,
}

/// The instant of a wall-clock time in `tz`. A time that occurs twice (DST fold) is the earlier
/// one; one that does not exist (DST gap) is an error (SPEC §8).
pub fn local_to_instant(tz: Tz, local: NaiveDateTime) -> Result<Instant, LocalTimeError> {
    if let Some(offset) = zone_cache::offset_of_local(tz, local) {
        let utc = local.and_utc();
        return Ok(Instant(
            (utc.timestamp() - i64::from(offset)) * NANOS_PER_SEC
                + i64::from(utc.timestamp_subsec_nanos()),
        ));
    }
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => Ok(Instant::from_datetime(&dt)),
        LocalResult::Ambiguous(early, _) => Ok(Instant::from_datetime(&early)),
        LocalResult::None => Err(LocalTimeError::Nonexistent),
    }
}

/// The instant of a wall-clock time in `tz`, where a time inside a DST gap moves forward by the
/// gap (the first instant the clock shows after it). Used for schedule boundaries and midnights,
/// which must always exist.
pub fn local_to_instant_lenient(tz: Tz, local: NaiveDateTime) -> Instant {
    match local_to_instant(tz, local) {
        Ok(i) => i,
        Err(_) => {
            // Read the wall time with the offset in force just before the gap.
            let before = local - chrono::Duration::hours(3);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => dt.offset().fix(),
                LocalResult::None => tz.offset_from_utc_datetime(&local).fix(),
            };
            let utc = local - chrono::Duration::seconds(i64::from(offset.local_minus_utc()));
            Instant(utc.and_utc().timestamp() * NANOS_PER_SEC + i64::from(utc.nanosecond()))
        }
    }
}

/// The instant local midnight begins `date` in `tz`.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> Instant {
    local_to_instant_lenient(tz, date.and_time(NaiveTime::MIN))
}

/// Why a timestamp cell did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    /// Not one of the accepted forms.
    Malformed,
    /// A field is out of range (month 13, 25:00, 31 April …).
    OutOfRange,
    /// A naive local time inside a daylight-saving gap.
    Nonexistent,
}

impl TimestampError {
    /// The reason, in words, for a reject report.
    pub fn reason(self) -> &'static str {
        match self {
            TimestampError::Malformed => "not a timestamp (expected RFC 3339, or YYYY-MM-DD HH:MM[:SS] in the contract time zone)",
            TimestampError::OutOfRange => "not a valid date and time",
            TimestampError::Nonexistent => "this local time does not exist in the contract time zone (daylight-saving gap)",
        }
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Result<u32, TimestampError> {
    let s = b.get(at..at + n).ok_or(TimestampError::Malformed)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return Err(TimestampError::Malformed);
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Ok(v)
}

/// Hours, minutes and seconds of `HH:MM:SS` (eight bytes), read as one word: `None` unless both
/// colons are in place and every other byte is a digit (the digit-by-digit reading then says
/// what is wrong).
#[inline]
fn clock(b: &[u8]) -> Option<(u32, u32, u32)> {
    // Little-endian: byte `i` of the text is bits 8i..8i+8 of the word.
    const DIGITS: u64 = 0xffff_00ff_ff00_ffff;
    const COLONS: u64 = 0x0000_3a00_003a_0000;
    const HIGH: u64 = 0xf0f0_00f0_f000_f0f0;
    const ZEROS: u64 = 0x3030_0030_3000_3030;
    const SIXES: u64 = 0x0606_0006_0600_0606;
    let w = u64::from_le_bytes(b.try_into().ok()?);
    let d = w & DIGITS;
    // A digit is 0x30..=0x39: its high nibble is 3, and stays 3 when 6 is added.
    if w & !DIGITS != COLONS || d & HIGH != ZEROS || (d + SIXES) & HIGH != ZEROS {
        return None;
    }
    let v = d - ZEROS;
    let at = |i: u32| ((v >> (8 * i)) & 0xff) as u32;
    Some((at(0) * 10 + at(1), at(3) * 10 + at(4), at(6) * 10 + at(7)))
}

thread_local! {
    /// The first ten bytes of the last timestamp of this thread whose date was valid, with
    /// its year, month, day and day number: a file's times mostly share their date with the
    /// time before, which then needs no digits read and no calendar arithmetic.
    static LAST_DATE: Cell<Option<KnownDate>> = const { Cell::new(None) };
}

/// The first ten bytes of a timestamp, its (year, month, day) and its day number.
type KnownDate = ([u8; 10], (i32, u32, u32), i64);

/// Parses a timestamp cell (already trimmed, non-empty) per SPEC §8: RFC 3339 (`T`/`t`/space,
/// `Z`/`z`, `+08:00`/`+0800`, any fraction) or naive `YYYY-MM-DD HH:MM[:SS[.f…]]`,
/// `YYYY-MM-DDTHH:MM[:SS]`, `YYYY/MM/DD HH:MM[:SS]` read in `tz`. Fractions keep nanoseconds;
/// further digits are ignored. Allocates nothing.
pub fn parse_timestamp(b: &[u8], tz: Tz) -> Result<Instant, TimestampError> {
    if b.len() < 16 {
        return Err(TimestampError::Malformed);
    }
    let head: [u8; 10] = b[..10].try_into().expect("ten bytes");
    let (year, month, day, known) = match LAST_DATE.with(Cell::get) {
        Some((h, (year, month, day), days)) if h == head => (year, month, day, Some(days)),
        _ => {
            let year = digits(b, 0, 4)? as i32;
            let sep = b[4];
            if (sep != b'-' && sep != b'/') || b[7] != sep {
                return Err(TimestampError::Malformed);
            }
            (year, digits(b, 5, 2)?, digits(b, 8, 2)?, None)
        }
    };
    let sep = b[4];
    let tsep = b[10];
    if !(tsep == b'T' || tsep == b't' || tsep == b' ') || (sep == b'/' && tsep != b' ') {
        return Err(TimestampError::Malformed);
    }
    let (hour, minute, second, mut i);
    if let Some((h, m, sec)) = b.get(11..19).and_then(clock) {
        (hour, minute, second, i) = (h, m, sec, 19);
    } else {
        hour = digits(b, 11, 2)?;
        if b[13] != b':' {
            return Err(TimestampError::Malformed);
        }
        minute = digits(b, 14, 2)?;
        (second, i) = match b.get(16) {
            Some(b':') => (digits(b, 17, 2)?, 19),
            _ => (0, 16),
        };
    }
    let mut nanos = 0u32;
    // A fraction follows the seconds only.
    if i == 19 && b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        let mut scale = 100_000_000u32;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            nanos += u32::from(c - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return Err(TimestampError::Malformed);
        }
    }
    // What follows is an offset, or nothing (a naive local time).
    let offset_secs: Option<i32> = match b.get(i) {
        None => None,
        Some(b'Z') | Some(b'z') if i + 1 == b.len() => Some(0),
        Some(&s) if s == b'+' || s == b'-' => {
            let oh = digits(b, i + 1, 2)?;
            let om = match b.len() - i {
                6 if b[i + 3] == b':' => digits(b, i + 4, 2)?,
                5 => digits(b, i + 3, 2)?,
                _ => return Err(TimestampError::Malformed),
            };
            if oh > 23 || om > 59 {
                return Err(TimestampError::OutOfRange);
            }
            let secs = (oh * 3600 + om * 60) as i32;
            Some(if s == b'-' { -secs } else { secs })
        }
        _ => return Err(TimestampError::Malformed),
    };
    if sep == b'/' && offset_secs.is_some() {
        return Err(TimestampError::Malformed);
    }
    // The common case by plain arithmetic; anything unusual (an invalid field, an hour with a
    // daylight-saving transition) takes the full path below.
    let days = known.or_else(|| {
        let days = civil_days(year, month, day)?;
        LAST_DATE.with(|last| last.set(Some((head, (year, month, day), days))));
        Some(days)
    });
    if let Some(days) = days.filter(|_| hour < 24 && minute < 60 && second < 60) {
        let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        let offset = match offset_secs {
            Some(off) => Some(off),
            // The hour's number is at hand: no division.
            None => zone_cache::offset_of_local_hour(tz, days * 24 + i64::from(hour)),
        };
        if let Some(off) = offset {
            return Ok(Instant(
                (local - i64::from(off)) * NANOS_PER_SEC + i64::from(nanos),
            ));
        }
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(TimestampError::OutOfRange)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        .filter(|_| second < 60)
        .ok_or(TimestampError::OutOfRange)?;
    let local = date.and_time(time);
    match offset_secs {
        Some(off) => {
            let utc_secs = local.and_utc().timestamp() - i64::from(off);
            Ok(Instant(utc_secs * NANOS_PER_SEC + i64::from(nanos)))
        }
        None => local_to_instant(tz, local).map_err(|_| TimestampError::Nonexistent),
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date `year-month-day`, or `None` when there
/// is no such date.
/// The civil date (year, month, day) of a count of days since 1970-01-01, proleptic
/// Gregorian (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn civil_days(year: i32, month: u32, day: u32) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > month_days || !(0..=9999).contains(&year) {
        return None;
    }
    // Counted from March, so the leap day ends a year, and from 400 years earlier (one whole
    // cycle of 146 097 days), so every quantity is positive and divides cheaply.
    let (y, m) = if month <= 2 {
        (year as u32 + 399, month + 9)
    } else {
        (year as u32 + 400, month - 3)
    };
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let days = y * 365 + y / 4 - y / 100 + y / 400 + day_of_year;
    Some(i64::from(days) - 146_097 - 719_468)
}

/// A settlement month: a calendar month in the contract time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// The year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return None;
        }
        let year = digits(b, 0, 4).ok()? as i32;
        let month = digits(b, 5, 2).ok()?;
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before this one.
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The number of days in the month.
    pub fn days(self) -> u32 {
        self.next()
            .first_day()
            .pred_opt()
            .expect("valid date")
            .day()
    }

    /// The date of day `day` of this month, clamped to its last day.
    pub fn day_clamped(self, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, day.clamp(1, self.days())).expect("valid")
    }

    /// `[start, end)` of the month as instants in `tz`.
    pub fn bounds(self, tz: Tz) -> (Instant, Instant) {
        (
            start_of_day(tz, self.first_day()),
            start_of_day(tz, self.next().first_day()),
        )
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: Tz = chrono_tz::Asia::Shanghai;

    fn p(s: &str) -> Result<Instant, TimestampError> {
        parse_timestamp(s.as_bytes(), SH)
    }

    fn utc(s: &str) -> Instant {
        Instant::from_datetime(&DateTime::parse_from_rfc3339(s).unwrap())
    }

    /// A time read after another (its date remembered, its hour's offset in the zone cache) is
    /// the time read from scratch, whatever the form, the zone, the time before it or the fault in it.
    #[test]
    fn a_time_read_after_another_is_the_time_read_from_scratch() {
        let fresh = |text: &str, tz: Tz| {
            LAST_DATE.with(|d| d.set(None));
            parse_timestamp(text.as_bytes(), tz)
        };
        let hours = [
            "2026-10-01 09",
            "2026-10-01T09",
            "2026/10/01 09",
            "2026-10-02 09",
            "2026-03-08 02",
            "2026-03-08 01",
            "2026-03-08 03",
            "2026-11-01 01",
            "2026-02-29 09",
            "2026-10-01 24",
        ];
        let tails = [
            ":00:00",
            ":59:59",
            ":05:07",
            ":60:00",
            ":05:07.25",
            ":05:07Z",
            ":05:07+08:00",
            ":05:07-03:30",
            ":05",
        ];
        let zones = [SH, chrono_tz::America::New_York, chrono_tz::UTC];
        let texts: Vec<String> = hours
            .iter()
            .flat_map(|h| tails.iter().map(move |t| format!("{h}{t}")))
            .collect();
        for before in &texts {
            for text in &texts {
                for z1 in zones {
                    for z2 in zones {
                        let _ = fresh(before, z1);
                        let after = parse_timestamp(text.as_bytes(), z2);
                        assert_eq!(
                            after,
                            fresh(text, z2),
                            "{text} in {z2} after {before} in {z1}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn spec_8_every_timestamp_form_names_the_same_instant() {
        let want = utc("2026-10-01T01:00:00Z");
        for s in [
            "2026-10-01T09:00:00+08:00",
            "2026-10-01t09:00:00+08:00",
            "2026-10-01T01:00:00Z",
            "2026-10-01T01:00:00z",
            "2026-10-01T09:00:00+0800",
            "2026-10-01 09:00",
            "2026-10-01 09:00:00",
            "2026-10-01 09:00:00.000",
            "2026-10-01T09:00",
            "2026-10-01T09:00:00",
            "2026/10/01 09:00",
            "2026/10/01 09:00:00",
        ] {
            assert_eq!(p(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn spec_8_fraction_kept_to_the_nanosecond_and_further_digits_ignored() {
        let base = utc("2026-10-01T01:00:00Z").0;
        assert_eq!(p("2026-10-01 09:00:00.5").unwrap().0, base + 500_000_000);
        assert_eq!(
            p("2026-10-01T09:00:00.123456789123+08:00").unwrap().0,
            base + 123_456_789
        );
    }

    #[test]
    fn fast_text_is_chronos_text() {
        let zones: [Tz; 4] = [
            chrono_tz::Asia::Shanghai,
            chrono_tz::Europe::Berlin,
            chrono_tz::America::St_Johns,
            chrono_tz::UTC,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Instants from 1900 to 2100, whole seconds half of the time.
            let secs = -2_208_988_800 + (x % 6_311_433_600) as i64;
            let nanos = if i % 2 == 0 {
                0
            } else {
                (x >> 20) as i64 % NANOS_PER_SEC
            };
            let t = Instant(secs * NANOS_PER_SEC + nanos);
            let tz = zones[i as usize % zones.len()];
            let dt = t.to_utc().with_timezone(&tz);
            let (rfc, local) = if nanos == 0 {
                (
                    dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                    dt.naive_local().format("%Y-%m-%d %H:%M:%S").to_string(),
                )
            } else {
                (
                    dt.format("%Y-%m-%dT%H:%M:%S%.9f%:z").to_string(),
                    dt.naive_local().format("%Y-%m-%d %H:%M:%S%.9f").to_string(),
                )
            };
            assert_eq!(t.to_rfc3339(tz), rfc, "{secs} {nanos} {tz}");
            assert_eq!(t.to_local_text(tz), local, "{secs} {nanos} {tz}");
        }
    }

    /// SPEC §8: a timestamp reads the same whatever was read before it on the thread (the
    /// remembered date): forms, separators, invalid dates and transitions alike.
    #[test]
    fn a_remembered_date_reads_as_a_fresh_one() {
        let cells: [&'static str; 13] = [
            "2026-10-05 09:00",
            "2026-10-05T09:00:00+08:00",
            "2026/10/05T09:00",
            "2026/10/05 09:00",
            "2026-10-05t23:59:59.5Z",
            "2026-02-30 10:00",
            "2026-02-30 10:00",
            "2026-02-28 24:00",
            "2026-02-28 23:60",
            "2026-03-08 02:30:00",
            "2026-11-01 01:30:00",
            "2026-10-05_09:00",
            "2026-10-05 09:00:61",
        ];
        let tz = chrono_tz::America::New_York;
        let fresh: Vec<_> = cells
            .iter()
            .map(|&c| {
                std::thread::spawn(move || parse_timestamp(c.as_bytes(), tz))
                    .join()
                    .unwrap()
            })
            .collect();
        for _ in 0..2 {
            for (cell, expected) in cells.iter().zip(&fresh) {
                assert_eq!(&parse_timestamp(cell.as_bytes(), tz), expected, "{cell}");
            }
            for (cell, expected) in cells.iter().zip(&fresh).rev() {
                assert_eq!(&parse_timestamp(cell.as_bytes(), tz), expected, "{cell}");
            }
        }
        assert!(fresh[2].is_err() && fresh[5].is_err() && fresh[11].is_err());
        assert!(fresh[0].is_ok() && fresh[3].is_ok() && fresh[4].is_ok());
    }

    #[test]
    fn civil_days_agree_with_the_calendar() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut d = NaiveDate::from_ymd_opt(1599, 12, 25).unwrap();
        while d.year() < 2403 {
            let expected = (d - epoch).num_days();
            assert_eq!(
                civil_days(d.year(), d.month(), d.day()),
                Some(expected),
                "{d}"
            );
            d += chrono::Duration::days(1);
        }
        for (y, m, d) in [
            (2026, 2, 29),
            (2100, 2, 29),
            (2026, 4, 31),
            (2026, 13, 1),
            (2026, 0, 1),
            (2026, 1, 0),
        ] {
            assert_eq!(civil_days(y, m, d), None, "{y}-{m}-{d}");
        }
        assert_eq!(civil_days(2000, 2, 29), Some(11_016));
        let year_0 = NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
        assert_eq!(civil_days(0, 1, 1), Some((year_0 - epoch).num_days()));
    }

    /// The clock read as one word is the clock read digit by digit, or refused where any byte
    /// is out of place (the digit-by-digit reading then decides).
    #[test]
    fn a_clock_read_as_a_word_is_the_clock_read_digit_by_digit() {
        let by_digits = |b: &[u8]| -> Option<(u32, u32, u32)> {
            if b[2] != b':' || b[5] != b':' {
                return None;
            }
            let two = |at: usize| digits(b, at, 2).ok();
            Some((two(0)?, two(3)?, two(6)?))
        };
        let bytes = [
            b'0', b'5', b'9', b':', b'/', b'.', b' ', 0x2f, 0x3a, 0x3f, 0x40, 0xb9, 0,
        ];
        let mut x: u32 = 5;
        for n in 0..20_000 {
            let mut clock_text = *b"12:34:56";
            // A few bytes changed in most cases; none in the first, to see the good ones read.
            for _ in 0..(n % 4) {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let at = (x >> 8) as usize % 8;
                clock_text[at] = bytes[(x >> 20) as usize % bytes.len()];
            }
            assert_eq!(clock(&clock_text), by_digits(&clock_text), "{clock_text:?}");
        }
        assert_eq!(clock(b"23:59:59"), Some((23, 59, 59)));
        assert_eq!(clock(b"00:00:00"), Some((0, 0, 0)));
        assert_eq!(clock(b"09:05:0"), None);
    }

    #[test]
    fn malformed_and_out_of_range_are_rejected() {
        for s in [
            "2026-10-01",
            "01/10/2026 09:00",
            "2026-10-01 9:00",
            "2026-10-01 09:00+8",
            "2026-10-01 09:00:00.",
            "2026/10/01T09:00",
            "soon",
        ] {
            assert_eq!(p(s), Err(TimestampError::Malformed), "{s}");
        }
        for s in [
            "2026-13-01 09:00",
            "2026-02-30 09:00",
            "2026-10-01 24:00",
            "2026-10-01 09:60",
            "2026-10-01 09:00:60",
        ] {
            assert_eq!(p(s), Err(TimestampError::OutOfRange), "{s}");
        }
    }

    #[test]
    fn spec_8_dst_fold_is_the_earlier_instant_and_gap_is_rejected() {
        let ny = chrono_tz::America::New_York;
        // 2026-11-01 01:30 happens twice in New York; the first is EDT (-04:00).
        assert_eq!(
            parse_timestamp(b"2026-11-01 01:30", ny),
            Ok(utc("2026-11-01T05:30:00Z"))
        );
        // 2026-03-08 02:30 never happens.
        assert_eq!(
            parse_timestamp(b"2026-03-08 02:30", ny),
            Err(TimestampError::Nonexistent)
        );
    }

    #[test]
    fn month_bounds_are_cut_in_the_contract_time_zone() {
        let m = Month::parse("2026-10").unwrap();
        let (a, b) = m.bounds(SH);
        assert_eq!(a, utc("2026-09-30T16:00:00Z"));
        assert_eq!(b, utc("2026-10-31T16:00:00Z"));
        assert_eq!(
            Month::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert!(Month::parse("2026-13").is_none());
        assert_eq!(
            Month::parse("2026-02").unwrap().day_clamped(31).to_string(),
            "2026-02-28"
        );
    }
}
