//! Working days, service hours and the business-hours clock (SPEC §3, §8).
//!
//! A *working day* is Monday–Friday or a listed make-up workday (调休), and not a holiday. A
//! [`Schedule`] is a set of weekly windows; the business clock measures how much of a span of time
//! falls inside its open windows, so a lunch break or a closed day stops it (001 §4.5.2).

use crate::base::timestamp::{local_to_instant_lenient, start_of_day, Instant};
use crate::base::zone_cache;
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use chrono_tz::Tz;
use std::cell::Cell;
use std::collections::BTreeSet;

const NANOS: i64 = 1_000_000_000;
/// Longest span a deadline search walks before giving up (a schedule that never opens).
const MAX_SEARCH_DAYS: u32 = 3660;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The instant of a window's edge `secs` after the midnight of `date` (local seconds `midnight`),
/// where `86_400` is the next day's start: in an hour with one known offset, plain arithmetic;
/// otherwise (a daylight-saving transition) the wall clock read as
/// [`local_to_instant_lenient`] and [`start_of_day`] read it.
fn window_edge(tz: Tz, date: NaiveDate, midnight: i64, secs: u32) -> Instant {
    let local = midnight + i64::from(secs);
    if let Some(offset) = zone_cache::offset_of_local_secs(tz, local) {
        return Instant((local - i64::from(offset)) * NANOS);
    }
    if secs >= 86_400 {
        start_of_day(tz, date.succ_opt().expect("date in range"))
    } else {
        let t = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).expect("valid");
        local_to_instant_lenient(tz, date.and_time(t))
    }
}

thread_local! {
    /// The last UTC hour [`Schedule::contains`] read in this thread with one offset: its zone,
    /// its first second, the local weekday (Monday 0) and local second of the day it starts at.
    static LAST_HOUR: Cell<Option<(Tz, i64, usize, u32)>> = const { Cell::new(None) };
}

/// The local weekday and second of the day of UTC second `secs` when it falls in the hour read
/// last: a subtraction, where [`weekday_and_time`] divides.
#[inline]
fn in_known_hour(tz: Tz, secs: i64) -> Option<(usize, u32)> {
    let (zone, start, weekday, at) = LAST_HOUR.with(Cell::get)?;
    let into = secs.wrapping_sub(start);
    // Within the hour, the local time does not pass midnight unless the hour's start is less
    // than an hour before it.
    (zone == tz && (0..3600).contains(&into) && i64::from(at) + into < 86_400)
        .then(|| (weekday, at + into as u32))
}

/// The local weekday (Monday 0) and second of the day of UTC second `secs` in an hour whose one
/// offset is `offset`, noting the hour for [`in_known_hour`].
fn weekday_and_time(tz: Tz, secs: i64, offset: i32) -> (usize, u32) {
    let local = secs + i64::from(offset);
    // 1970-01-01 was a Thursday: day 0 is weekday 3 counted from Monday.
    let weekday = (local.div_euclid(86_400) + 3).rem_euclid(7) as usize;
    let at = local.rem_euclid(86_400) as u32;
    let start = secs - secs.rem_euclid(3600);
    let at_start = i64::from(at) - (secs - start);
    if at_start >= 0 {
        LAST_HOUR.with(|h| h.set(Some((tz, start, weekday, at_start as u32))));
    }
    (weekday, at)
}

/// `[calendar]`: statutory holidays and make-up workdays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendar {
    /// Dates with no working time.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend dates that are working days.
    pub workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Monday–Friday or a listed workday, and not a holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.holidays.contains(&date) {
            return false;
        }
        date.weekday().number_from_monday() <= 5 || self.workdays.contains(&date)
    }

    /// The `n`-th working day after `date` (`date` itself does not count). Every year the count
    /// passes through is added to `years`, so missing holiday years can be warned about.
    pub fn nth_working_day_after(
        &self,
        date: NaiveDate,
        n: u32,
        years: &mut BTreeSet<i32>,
    ) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        years.insert(d.year());
        while left > 0 {
            d = d.succ_opt().expect("date in range");
            years.insert(d.year());
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// `date` if it is a working day, else the next working day.
    pub fn on_or_next_working_day(&self, date: NaiveDate, years: &mut BTreeSet<i32>) -> NaiveDate {
        let mut d = date;
        years.insert(d.year());
        while !self.is_working_day(d) {
            d = d.succ_opt().expect("date in range");
            years.insert(d.year());
        }
        d
    }

    /// True when the calendar lists at least one holiday in `year`.
    pub fn lists_holidays_in(&self, year: i32) -> bool {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid");
        let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid");
        self.holidays.range(first..=last).next().is_some()
    }
}

/// A half-open window of the day, `[start, end)`, in seconds after local midnight; `end` may be
/// 86 400 (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Opening, seconds after midnight.
    pub start: u32,
    /// Closing, seconds after midnight (exclusive).
    pub end: u32,
}

impl Window {
    /// The window as configured, e.g. `09:00-12:00`.
    pub fn text(&self) -> String {
        let hm = |s: u32| format!("{:02}:{:02}", s / 3600, (s % 3600) / 60);
        format!("{}-{}", hm(self.start), hm(self.end))
    }
}

/// Why a schedule is closed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedReason {
    /// A holiday of `[calendar]`, and the schedule observes holidays.
    Holiday,
    /// The day's weekday is not in the schedule's `days` (and it is not a listed make-up
    /// workday of a schedule that observes holidays).
    NotInDays,
}

impl ClosedReason {
    /// The reason in words.
    pub fn as_str(self) -> &'static str {
        match self {
            ClosedReason::Holiday => "holiday",
            ClosedReason::NotInDays => "not a business day",
        }
    }
}

/// One step of the business clock's walk between two instants ([`Schedule::walk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkStep {
    /// The part of an open window that the clock counted.
    Counted {
        /// The local date of the window.
        date: NaiveDate,
        /// The window as configured.
        window: Window,
        /// Where counting starts inside the window.
        from: Instant,
        /// Where counting stops inside the window (exclusive).
        to: Instant,
        /// Business time counted, in nanoseconds (`to − from`).
        nanos: i64,
    },
    /// A day on which the schedule is closed: the clock does not run.
    Closed {
        /// The local date.
        date: NaiveDate,
        /// Why it is closed.
        reason: ClosedReason,
    },
}

/// Weekly opening hours: the days they apply, the windows of each open day, and whether the
/// holiday calendar closes holidays and opens make-up workdays.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Open weekdays, Monday first.
    pub days: [bool; 7],
    /// Windows, sorted and not overlapping.
    pub windows: Vec<Window>,
    /// Closed on holidays and open on listed workdays (SPEC §8).
    pub observe_holidays: bool,
    /// The `days` text as configured, for the statement's definitions.
    pub days_text: String,
}

impl Schedule {
    /// Builds a schedule from its configured texts (`days`, `windows`).
    pub fn parse(
        days: &str,
        windows: &[String],
        observe_holidays: bool,
    ) -> Result<Schedule, String> {
        Ok(Schedule {
            days: parse_days(days)?,
            windows: parse_windows(windows)?,
            observe_holidays,
            days_text: days.to_string(),
        })
    }

    /// Is the schedule open at all on `date`?
    pub fn is_open_day(&self, date: NaiveDate, calendar: &Calendar) -> bool {
        if self.observe_holidays {
            if calendar.holidays.contains(&date) {
                return false;
            }
            if calendar.workdays.contains(&date) {
                return true;
            }
        }
        self.days[date.weekday().num_days_from_monday() as usize]
    }

    /// Does `instant` fall inside an open window?
    pub fn contains(&self, instant: Instant, tz: Tz, calendar: &Calendar) -> bool {
        let secs = instant.0.div_euclid(NANOS);
        // In an hour with one known offset, the local day and time of day are plain arithmetic;
        // the date itself is built only when a holiday list must be consulted.
        let listed = self.observe_holidays
            && !(calendar.holidays.is_empty() && calendar.workdays.is_empty());
        if !listed {
            if let Some((weekday, secs)) = in_known_hour(tz, secs) {
                return self.days[weekday]
                    && self.windows.iter().any(|w| w.start <= secs && secs < w.end);
            }
        }
        let offset = zone_cache::offset_of_utc(tz, secs);
        let (open, secs) = match offset {
            Some(offset) if !listed => {
                let (weekday, secs) = weekday_and_time(tz, secs, offset);
                (self.days[weekday], secs)
            }
            _ => {
                let local = instant.local(tz);
                (
                    self.is_open_day(local.date(), calendar),
                    local.time().num_seconds_from_midnight(),
                )
            }
        };
        open && self.windows.iter().any(|w| w.start <= secs && secs < w.end)
    }

    /// The open windows of `date` as instants.
    fn windows_of(&self, date: NaiveDate, tz: Tz) -> impl Iterator<Item = (Instant, Instant)> + '_ {
        // Local seconds of the date's midnight, counted as UTC seconds since 1970-01-01.
        let midnight = i64::from(date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE) * 86_400;
        self.windows.iter().map(move |w| {
            (
                window_edge(tz, date, midnight, w.start),
                window_edge(tz, date, midnight, w.end),
            )
        })
    }

    /// Business time, in nanoseconds, that elapses inside open windows between `from` and `to`
    /// (0 when `to` is not after `from`). Additive: `[a,c] = [a,b] + [b,c]`.
    pub fn business_nanos(&self, from: Instant, to: Instant, tz: Tz, calendar: &Calendar) -> i64 {
        if to <= from {
            return 0;
        }
        let last = to.local_date(tz);
        let mut date = from.local_date(tz);
        let mut total = 0i64;
        // A window of the day before may still be open after midnight in a DST shift; starting a
        // day early costs little and keeps the sum exact.
        date = date.pred_opt().unwrap_or(date);
        while date <= last {
            if self.is_open_day(date, calendar) {
                for (ws, we) in self.windows_of(date, tz) {
                    let a = ws.max(from);
                    let b = we.min(to);
                    if b > a {
                        total += b.0 - a.0;
                    }
                }
            }
            date = date.succ_opt().expect("date in range");
        }
        total
    }

    /// The instant at which `allowance_nanos` of business time has elapsed since `from`: the
    /// deadline of a work order created at `from`. `None` if the schedule never opens.
    pub fn deadline(
        &self,
        from: Instant,
        allowance_nanos: i64,
        tz: Tz,
        calendar: &Calendar,
    ) -> Option<Instant> {
        let mut left = allowance_nanos;
        let mut date = from.local_date(tz).pred_opt()?;
        for _ in 0..MAX_SEARCH_DAYS {
            if self.is_open_day(date, calendar) {
                for (ws, we) in self.windows_of(date, tz) {
                    let a = ws.max(from);
                    if we <= a {
                        continue;
                    }
                    let len = we.0 - a.0;
                    if left <= len {
                        return Some(Instant(a.0 + left));
                    }
                    left -= len;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Why the schedule is closed on `date`, or `None` when it is open.
    pub fn closed_reason(&self, date: NaiveDate, calendar: &Calendar) -> Option<ClosedReason> {
        if self.is_open_day(date, calendar) {
            None
        } else if self.observe_holidays && calendar.holidays.contains(&date) {
            Some(ClosedReason::Holiday)
        } else {
            Some(ClosedReason::NotInDays)
        }
    }

    /// The business clock between `from` and `to`, step by step, in time order: each part of an
    /// open window it counts, and each day the schedule is closed (from the day of `from` to the
    /// last day that begins before `to`). The counted parts add up to
    /// [`Schedule::business_nanos`] of the same span. Empty when `to` is not after `from`.
    pub fn walk(&self, from: Instant, to: Instant, tz: Tz, calendar: &Calendar) -> Vec<WalkStep> {
        let mut steps = Vec::new();
        if to <= from {
            return steps;
        }
        let first = from.local_date(tz);
        let last = to.local_date(tz);
        // As in `business_nanos`, a window of the day before may still be open after midnight in
        // a DST shift.
        let mut date = first.pred_opt().unwrap_or(first);
        while date <= last {
            match self.closed_reason(date, calendar) {
                Some(reason) => {
                    if date >= first && start_of_day(tz, date) < to {
                        steps.push(WalkStep::Closed { date, reason });
                    }
                }
                None => {
                    for (w, (ws, we)) in self.windows.iter().zip(self.windows_of(date, tz)) {
                        let a = ws.max(from);
                        let b = we.min(to);
                        if b > a {
                            steps.push(WalkStep::Counted {
                                date,
                                window: *w,
                                from: a,
                                to: b,
                                nanos: b.0 - a.0,
                            });
                        }
                    }
                }
            }
            date = date.succ_opt().expect("date in range");
        }
        steps
    }

    /// The windows as text, e.g. `09:00-12:00, 13:00-18:00`.
    pub fn windows_text(&self) -> String {
        let hm = |s: u32| format!("{:02}:{:02}", s / 3600, (s % 3600) / 60);
        self.windows
            .iter()
            .map(|w| format!("{}-{}", hm(w.start), hm(w.end)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn day_index(s: &str) -> Result<usize, String> {
    let t = s.trim().to_ascii_lowercase();
    DAY_NAMES.iter().position(|d| *d == t).ok_or_else(|| {
        format!(
            "`{}` is not a day (use mon, tue, wed, thu, fri, sat, sun)",
            s.trim()
        )
    })
}

/// Parses `mon-sun`, `mon-fri`, `mon,wed,fri` or `mon-fri,sun` (SPEC §8).
pub fn parse_days(s: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    if s.trim().is_empty() {
        return Err("no days given (e.g. \"mon-fri\")".into());
    }
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_index(a)?, day_index(b)?);
                if a > b {
                    return Err(format!(
                        "day range `{}` runs backwards (write it Monday first, e.g. \"mon-fri,sun\")",
                        part.trim()
                    ));
                }
                days[a..=b].iter_mut().for_each(|d| *d = true);
            }
            None => days[day_index(part)?] = true,
        }
    }
    Ok(days)
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 3600 + m * 60)
}

/// Parses windows like `["09:00-12:00", "13:00-18:00"]`: each `HH:MM-HH:MM` with start before end
/// (24:00 allowed as an end), none overlapping. Returns them sorted.
pub fn parse_windows(windows: &[String]) -> Result<Vec<Window>, String> {
    if windows.is_empty() {
        return Err("no windows given (e.g. [\"09:00-18:00\"])".into());
    }
    let mut out = Vec::with_capacity(windows.len());
    for w in windows {
        let bad = || format!("`{w}` is not a window like \"09:00-18:00\"");
        let (a, b) = w.split_once('-').ok_or_else(bad)?;
        let (start, end) = (
            parse_hhmm(a).ok_or_else(bad)?,
            parse_hhmm(b).ok_or_else(bad)?,
        );
        if start >= end || start >= 86_400 {
            return Err(format!("window `{w}` must open before it closes"));
        }
        out.push(Window { start, end });
    }
    out.sort_by_key(|w| w.start);
    for pair in out.windows(2) {
        if pair[1].start < pair[0].end {
            return Err("windows overlap".into());
        }
    }
    Ok(out)
}

/// Parses a duration like `3h`, `90m`, `1h30m`, `45s` into seconds (SPEC §8). Must be positive.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a duration like \"3h\", \"90m\", \"1h30m\" or \"45s\"");
    let mut total: i64 = 0;
    let mut num: Option<i64> = None;
    let mut last_unit = 0usize;
    for c in s.trim().chars() {
        if let Some(dg) = c.to_digit(10) {
            num = Some(
                num.unwrap_or(0)
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(dg)))
                    .ok_or_else(bad)?,
            );
            continue;
        }
        let (rank, factor) = match c {
            'h' => (1, 3600),
            'm' => (2, 60),
            's' => (3, 1),
            _ => return Err(bad()),
        };
        // Units in order h, m, s, each at most once.
        if rank <= last_unit {
            return Err(bad());
        }
        last_unit = rank;
        total = num
            .take()
            .ok_or_else(bad)?
            .checked_mul(factor)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    if num.is_some() || last_unit == 0 {
        return Err(bad());
    }
    if total <= 0 {
        return Err(format!("duration `{s}` must be longer than zero"));
    }
    Ok(total)
}

/// Nanoseconds in `secs` seconds.
pub fn secs_to_nanos(secs: i64) -> i64 {
    secs * NANOS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::timestamp::parse_timestamp;
    use proptest::prelude::*;

    const SH: Tz = chrono_tz::Asia::Shanghai;

    fn t(s: &str) -> Instant {
        parse_timestamp(s.as_bytes(), SH).unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A window's edges by plain arithmetic are the wall clock read in the zone, on every day of
    /// three years, in zones whose clocks move at 02:00, at midnight and by half an hour.
    #[test]
    fn window_edges_are_the_wall_clock_read_in_the_zone() {
        let schedule = Schedule::parse(
            "mon-sun",
            &[
                "00:00-00:30".into(),
                "01:30-02:30".into(),
                "02:45-03:00".into(),
                "23:00-24:00".into(),
            ],
            false,
        )
        .unwrap();
        let by_the_clock = |tz: Tz, date: NaiveDate, secs: u32| {
            if secs >= 86_400 {
                start_of_day(tz, date.succ_opt().unwrap())
            } else {
                let t = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap();
                local_to_instant_lenient(tz, date.and_time(t))
            }
        };
        for tz in [
            SH,
            chrono_tz::America::New_York,
            chrono_tz::America::Santiago,
            chrono_tz::America::Havana,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Europe::London,
        ] {
            let mut date = date("2025-01-01");
            while date < self::date("2028-01-01") {
                let edges: Vec<_> = schedule.windows_of(date, tz).collect();
                let expected: Vec<_> = schedule
                    .windows
                    .iter()
                    .map(|w| {
                        (
                            by_the_clock(tz, date, w.start),
                            by_the_clock(tz, date, w.end),
                        )
                    })
                    .collect();
                assert_eq!(edges, expected, "{tz} {date}");
                date = date.succ_opt().unwrap();
            }
        }
    }

    /// SPEC §3: an instant is inside service hours when its local date is open and its local
    /// time of day falls in a window; the arithmetic path agrees with the calendar's own
    /// reading of the date and time, across daylight-saving changes, weekends and holidays.
    #[test]
    fn contains_agrees_with_the_local_date_and_time() {
        let schedule = Schedule::parse(
            "mon-fri",
            &["09:00-12:00".into(), "13:00-18:30".into()],
            true,
        )
        .unwrap();
        let ignoring = Schedule::parse(
            "mon-sat",
            &["00:00-02:30".into(), "08:00-24:00".into()],
            false,
        )
        .unwrap();
        let (seeded, empty) = (seed_calendar(), Calendar::default());
        let check = |instant: Instant, tz: Tz| {
            let local = instant.to_utc().with_timezone(&tz).naive_local();
            let secs = local.time().num_seconds_from_midnight();
            for (s, calendar) in [
                (&schedule, &seeded),
                (&schedule, &empty),
                (&ignoring, &seeded),
            ] {
                let expected = s.is_open_day(local.date(), calendar)
                    && s.windows.iter().any(|w| w.start <= secs && secs < w.end);
                assert_eq!(s.contains(instant, tz, calendar), expected, "{tz} {local}");
            }
        };
        // Zones half an hour off UTC, and one whose clocks move by half an hour, among them.
        let zones = [
            SH,
            chrono_tz::America::New_York,
            chrono_tz::Europe::London,
            chrono_tz::UTC,
            chrono_tz::Asia::Kolkata,
            chrono_tz::America::St_Johns,
            chrono_tz::Australia::Lord_Howe,
        ];
        let (from, end) = (
            t("2026-02-25 00:00:00").0 + 123_456_789,
            t("2026-11-10 00:00:00").0,
        );
        let instants: Vec<Instant> = (0..)
            .map(|i| Instant(from + i * (1_037 * NANOS + 1)))
            .take_while(|i| i.0 < end)
            .collect();
        // One zone at a time (the hour remembered is met again minutes later), then each instant
        // in every zone in turn (an hour remembered in one zone is met by another's instant).
        for tz in zones {
            instants.iter().for_each(|&i| check(i, tz));
        }
        for &i in &instants {
            zones.iter().for_each(|&tz| check(i, tz));
        }
    }

    fn seed_calendar() -> Calendar {
        Calendar {
            holidays: [
                "2026-10-01",
                "2026-10-02",
                "2026-10-03",
                "2026-10-04",
                "2026-10-05",
                "2026-10-06",
                "2026-10-07",
            ]
            .iter()
            .map(|d| date(d))
            .collect(),
            workdays: ["2026-09-20", "2026-10-10"]
                .iter()
                .map(|d| date(d))
                .collect(),
        }
    }
    fn work_hours(observe: bool) -> Schedule {
        Schedule::parse(
            "mon-sun",
            &["09:00-12:00".into(), "13:00-18:00".into()],
            observe,
        )
        .unwrap()
    }
    const H: i64 = 3600 * NANOS;
    const M: i64 = 60 * NANOS;

    #[test]
    fn spec_3_working_day_is_weekday_or_workday_and_not_holiday() {
        let c = seed_calendar();
        assert!(c.is_working_day(date("2026-10-09"))); // Friday
        assert!(!c.is_working_day(date("2026-10-01"))); // National Day, a Thursday
        assert!(!c.is_working_day(date("2026-10-11"))); // Sunday
        assert!(c.is_working_day(date("2026-10-10"))); // Saturday make-up workday (调休)
    }

    #[test]
    fn spec_4_repair_limit_counts_working_days_after_creation() {
        let c = seed_calendar();
        let mut years = BTreeSet::new();
        // Created Wed 2026-09-30: 1st working day after is Thu 10-08 (holidays 10-01..07).
        assert_eq!(
            c.nth_working_day_after(date("2026-09-30"), 1, &mut years),
            date("2026-10-08")
        );
        // 3 working days: 10-08 Thu, 10-09 Fri, 10-10 Sat (workday).
        assert_eq!(
            c.nth_working_day_after(date("2026-09-30"), 3, &mut years),
            date("2026-10-10")
        );
        // From Friday 10-16, 5 working days: Mon 19 .. Fri 23.
        assert_eq!(
            c.nth_working_day_after(date("2026-10-16"), 5, &mut years),
            date("2026-10-23")
        );
        assert_eq!(years.into_iter().collect::<Vec<_>>(), vec![2026]);
    }

    #[test]
    fn spec_4_clock_runs_only_inside_windows_and_stops_at_lunch() {
        let s = work_hours(false);
        let c = Calendar::default();
        // 11:00 → 14:00 is 1h before lunch + 1h after.
        assert_eq!(
            s.business_nanos(t("2026-10-12 11:00"), t("2026-10-12 14:00"), SH, &c),
            2 * H
        );
        // Created 17:30, replied next day 09:30: 30m + 30m.
        assert_eq!(
            s.business_nanos(t("2026-10-12 17:30"), t("2026-10-13 09:30"), SH, &c),
            H
        );
        // Created at night: the clock starts at the next opening.
        assert_eq!(
            s.business_nanos(t("2026-10-12 22:00"), t("2026-10-13 09:45"), SH, &c),
            45 * M
        );
        // Half-open windows: 12:00:00 is outside, so 12:00 → 13:00 is zero.
        assert_eq!(
            s.business_nanos(t("2026-10-12 12:00"), t("2026-10-12 13:00"), SH, &c),
            0
        );
    }

    #[test]
    fn spec_8_deadline_of_a_work_order_and_reply_in_lunch_is_on_time() {
        let s = work_hours(false);
        let c = Calendar::default();
        // Created 09:00: 3h of business time ends exactly at 12:00.
        let created = t("2026-10-12 09:00");
        assert_eq!(
            s.deadline(created, 3 * H, SH, &c),
            Some(t("2026-10-12 12:00"))
        );
        // A reply at 12:40 (lunch) has elapsed exactly 3h: on time.
        assert_eq!(
            s.business_nanos(created, t("2026-10-12 12:40"), SH, &c),
            3 * H
        );
        // Created 16:00: 2h today, 1h tomorrow → 10:00 next day.
        assert_eq!(
            s.deadline(t("2026-10-12 16:00"), 3 * H, SH, &c),
            Some(t("2026-10-13 10:00"))
        );
        // Created at 20:00: starts next day 09:00, ends 12:00.
        assert_eq!(
            s.deadline(t("2026-10-12 20:00"), 3 * H, SH, &c),
            Some(t("2026-10-13 12:00"))
        );
    }

    fn counted(steps: &[WalkStep]) -> Vec<(String, String, String, i64)> {
        steps
            .iter()
            .filter_map(|s| match s {
                WalkStep::Counted {
                    date,
                    window,
                    from,
                    to,
                    nanos,
                } => Some((
                    date.to_string(),
                    window.text(),
                    format!(
                        "{}-{}",
                        from.local(SH).format("%H:%M"),
                        to.local(SH).format("%H:%M")
                    ),
                    nanos / M,
                )),
                WalkStep::Closed { .. } => None,
            })
            .collect()
    }

    #[test]
    fn walk_lists_the_windows_counted_up_to_the_deadline() {
        let s = work_hours(false);
        let c = Calendar::default();
        // Created 16:00 on Monday 2026-10-12 with a 3h allowance: 16:00-18:00 (120 min) that
        // day, then 09:00-10:00 (60 min) on Tuesday; the deadline is Tuesday 10:00.
        let created = t("2026-10-12 16:00");
        let deadline = s.deadline(created, 3 * H, SH, &c).unwrap();
        assert_eq!(deadline, t("2026-10-13 10:00"));
        let steps = s.walk(created, deadline, SH, &c);
        let row = |d: &str, w: &str, span: &str, m: i64| (d.into(), w.into(), span.into(), m);
        assert_eq!(
            counted(&steps),
            vec![
                row("2026-10-12", "13:00-18:00", "16:00-18:00", 120),
                row("2026-10-13", "09:00-12:00", "09:00-10:00", 60),
            ]
        );
        assert_eq!(steps.len(), 2, "no closed day on a mon-sun schedule");
        // Walking on to a reply at Tuesday 14:30 counts the whole morning window (one step)
        // and 13:00-14:30.
        let to_reply = s.walk(created, t("2026-10-13 14:30"), SH, &c);
        assert_eq!(
            counted(&to_reply),
            vec![
                row("2026-10-12", "13:00-18:00", "16:00-18:00", 120),
                row("2026-10-13", "09:00-12:00", "09:00-12:00", 180),
                row("2026-10-13", "13:00-18:00", "13:00-14:30", 90),
            ]
        );
        // Nothing to walk when the end is not after the start.
        assert!(s.walk(created, created, SH, &c).is_empty());
    }

    #[test]
    fn walk_reports_closed_days_with_their_reason() {
        let c = seed_calendar();
        let weekdays = Schedule::parse("mon-fri", &["09:00-18:00".into()], true).unwrap();
        // Wed 2026-09-30 17:00 → Sat 2026-10-10 10:00: 1h on 09-30, 10-01..07 holidays, 10-08
        // and 10-09 whole days, Saturday 10-10 a make-up workday (open).
        let steps = weekdays.walk(t("2026-09-30 17:00"), t("2026-10-10 10:00"), SH, &c);
        let closed: Vec<(String, ClosedReason)> = steps
            .iter()
            .filter_map(|s| match s {
                WalkStep::Closed { date, reason } => Some((date.to_string(), *reason)),
                WalkStep::Counted { .. } => None,
            })
            .collect();
        let holidays: Vec<(String, ClosedReason)> = (1..=7)
            .map(|d| (format!("2026-10-0{d}"), ClosedReason::Holiday))
            .collect();
        assert_eq!(closed, holidays);
        let minutes: Vec<i64> = counted(&steps).into_iter().map(|r| r.3).collect();
        assert_eq!(minutes, vec![60, 540, 540, 60]);
        // Without observe_holidays the weekend is closed for its weekday and holidays run.
        let plain = Schedule::parse("mon-fri", &["09:00-18:00".into()], false).unwrap();
        let steps = plain.walk(t("2026-10-09 17:00"), t("2026-10-12 10:00"), SH, &c);
        assert_eq!(
            steps
                .iter()
                .filter(|s| matches!(
                    s,
                    WalkStep::Closed {
                        reason: ClosedReason::NotInDays,
                        ..
                    }
                ))
                .count(),
            2
        );
        // A closed day is listed only when it begins before the end of the walk.
        let to_midnight = plain.walk(t("2026-10-09 17:00"), t("2026-10-10 00:00"), SH, &c);
        assert_eq!(counted(&to_midnight).len(), 1);
        assert_eq!(to_midnight.len(), 1);
    }

    #[test]
    fn spec_8_observe_holidays_closes_holidays_and_opens_workdays() {
        let c = seed_calendar();
        let weekdays = Schedule::parse("mon-fri", &["09:00-18:00".into()], true).unwrap();
        // 2026-09-30 17:00 Wed → 2026-10-08 10:00 Thu: 1h + (holidays closed) + 1h.
        assert_eq!(
            weekdays.business_nanos(t("2026-09-30 17:00"), t("2026-10-08 10:00"), SH, &c),
            2 * H
        );
        // Saturday 10-10 is a workday: open although Saturday is not in mon-fri.
        assert!(weekdays.contains(t("2026-10-10 10:00"), SH, &c));
        // With observe_holidays = false, both lists are ignored.
        let ignoring = Schedule::parse("mon-fri", &["09:00-18:00".into()], false).unwrap();
        assert!(ignoring.contains(t("2026-10-01 10:00"), SH, &c));
        assert!(!ignoring.contains(t("2026-10-10 10:00"), SH, &c));
    }

    #[test]
    fn spec_8_schedule_texts_parse_and_bad_ones_fail() {
        assert_eq!(
            parse_days("mon-fri,sun").unwrap(),
            [true, true, true, true, true, false, true]
        );
        assert_eq!(
            parse_days("mon,wed,fri").unwrap(),
            [true, false, true, false, true, false, false]
        );
        assert!(parse_days("fri-mon").is_err());
        assert!(parse_days("funday").is_err());
        assert!(parse_windows(&["18:00-09:00".into()]).is_err());
        assert!(parse_windows(&["09:00-12:00".into(), "11:00-13:00".into()]).is_err());
        assert!(parse_windows(&["9:00-12:00".into()]).is_err());
        assert_eq!(
            parse_windows(&["00:00-24:00".into()]).unwrap()[0].end,
            86_400
        );
        assert_eq!(parse_duration("3h"), Ok(10_800));
        assert_eq!(parse_duration("90m"), Ok(5_400));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        assert_eq!(parse_duration("45s"), Ok(45));
        for bad in ["", "3", "h", "3x", "30m1h", "0h", "3h3h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn business_clock_is_additive(a in 0i64..40*86400, b in 0i64..40*86400, c in 0i64..40*86400) {
            let mut v = [a, b, c];
            v.sort();
            let base = t("2026-09-25 00:00").0;
            let [a, b, c] = v.map(|s| Instant(base + s * NANOS + 123));
            let cal = seed_calendar();
            for s in [work_hours(false), work_hours(true)] {
                let whole = s.business_nanos(a, c, SH, &cal);
                prop_assert_eq!(whole, s.business_nanos(a, b, SH, &cal) + s.business_nanos(b, c, SH, &cal));
                prop_assert!(whole <= c.0 - a.0);
            }
        }

        #[test]
        fn walk_adds_up_to_the_business_clock(a in 0i64..40*86400, len in 0i64..20*86400) {
            let base = t("2026-09-25 00:00").0;
            let from = Instant(base + a * NANOS + 7);
            let to = Instant(from.0 + len * NANOS);
            let cal = seed_calendar();
            for s in [work_hours(false), work_hours(true)] {
                let steps = s.walk(from, to, SH, &cal);
                let sum: i64 = steps.iter().map(|x| match x {
                    WalkStep::Counted { nanos, .. } => *nanos,
                    WalkStep::Closed { .. } => 0,
                }).sum();
                prop_assert_eq!(sum, s.business_nanos(from, to, SH, &cal));
            }
        }

        #[test]
        fn deadline_is_where_the_clock_reaches_the_allowance(start in 0i64..30*86400, mins in 1i64..2000) {
            let cal = seed_calendar();
            let s = work_hours(true);
            let from = Instant(t("2026-09-25 00:00").0 + start * NANOS);
            let d = s.deadline(from, mins * M, SH, &cal).unwrap();
            prop_assert_eq!(s.business_nanos(from, d, SH, &cal), mins * M);
            prop_assert!(s.business_nanos(from, Instant(d.0 - 1), SH, &cal) < mins * M);
        }
    }
}
