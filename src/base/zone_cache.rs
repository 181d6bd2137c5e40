//! Remembered UTC offsets of the contract time zone, hour by hour, so that turning a wall-clock
//! time into an instant (and back) does not search the zone's transition table for every cell.
//!
//! An hour is remembered only when one offset holds for the whole of it: both its first and its
//! last nanosecond map to a single instant with the same offset. An hour with a daylight-saving
//! transition in it (a gap or a fold) is never remembered, so those times always take the full
//! path and keep the rules of SPEC §8 (a fold is the earlier instant, a gap is rejected).
//! Offsets are kept per thread, in a small table indexed by the hour.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use std::cell::Cell;

const SLOTS: usize = 256;
const HOUR: i64 = 3600;

/// One remembered hour: the zone, the hour (seconds of its start, divided by 3600) and the
/// offset in seconds that holds for all of it, or `None` when no single offset does.
type Slot = Option<(Tz, i64, Option<i32>)>;

struct Table {
    /// Hours of wall-clock time (local seconds as if UTC).
    local: [Cell<Slot>; SLOTS],
    /// Hours of UTC.
    utc: [Cell<Slot>; SLOTS],
}

thread_local! {
    static TABLE: Table = const {
        Table {
            local: [const { Cell::new(None) }; SLOTS],
            utc: [const { Cell::new(None) }; SLOTS],
        }
    };
}

fn slot_of(hour: i64) -> usize {
    hour.rem_euclid(SLOTS as i64) as usize
}

fn remembered(
    pick: impl Fn(&Table) -> &[Cell<Slot>; SLOTS],
    tz: Tz,
    hour: i64,
    compute: impl FnOnce() -> Option<i32>,
) -> Option<i32> {
    TABLE.with(|t| {
        let slot = &pick(t)[slot_of(hour)];
        match slot.get() {
            Some((z, h, offset)) if h == hour && z == tz => offset,
            _ => {
                let offset = compute();
                slot.set(Some((tz, hour, offset)));
                offset
            }
        }
    })
}

fn single_offset(tz: Tz, local: NaiveDateTime) -> Option<i32> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => Some(dt.offset().fix().local_minus_utc()),
        _ => None,
    }
}

/// The offset (local minus UTC, in seconds) that holds for every wall-clock time in the hour
/// containing `local` in `tz`, or `None` when that hour holds a transition.
pub fn offset_of_local(tz: Tz, local: NaiveDateTime) -> Option<i32> {
    offset_of_local_secs(tz, local.and_utc().timestamp())
}

/// [`offset_of_local`] of the wall-clock time `local_secs` seconds after 1970-01-01 00:00.
pub fn offset_of_local_secs(tz: Tz, local_secs: i64) -> Option<i32> {
    offset_of_local_hour(tz, local_secs.div_euclid(HOUR))
}

/// [`offset_of_local`] of the wall-clock hour `hour` hours after 1970-01-01 00:00: for a caller
/// that counts hours already (a day number × 24 + the hour), with no division.
#[inline]
pub fn offset_of_local_hour(tz: Tz, hour: i64) -> Option<i32> {
    remembered(
        |t| &t.local,
        tz,
        hour,
        || {
            let first = DateTime::from_timestamp(hour * HOUR, 0)?.naive_utc();
            let last = DateTime::from_timestamp(hour * HOUR + HOUR - 1, 999_999_999)?.naive_utc();
            let a = single_offset(tz, first)?;
            (single_offset(tz, last)? == a).then_some(a)
        },
    )
}

/// The offset (local minus UTC, in seconds) in force for every instant of the UTC hour
/// containing `utc_secs` in `tz`, or `None` when that hour holds a transition.
pub fn offset_of_utc(tz: Tz, utc_secs: i64) -> Option<i32> {
    let hour = utc_secs.div_euclid(HOUR);
    remembered(
        |t| &t.utc,
        tz,
        hour,
        || {
            let at = |secs: i64, nanos: u32| {
                DateTime::from_timestamp(secs, nanos).map(|d| {
                    tz.offset_from_utc_datetime(&d.naive_utc())
                        .fix()
                        .local_minus_utc()
                })
            };
            let a = at(hour * HOUR, 0)?;
            (at(hour * HOUR + HOUR - 1, 999_999_999)? == a).then_some(a)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn an_hour_with_a_transition_is_never_remembered() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 2026-03-08 02:00 does not exist; 2026-11-01 01:00–02:00 happens twice.
        assert_eq!(offset_of_local(ny, local(2026, 3, 8, 2, 30)), None);
        assert_eq!(offset_of_local(ny, local(2026, 11, 1, 1, 30)), None);
        assert_eq!(
            offset_of_local(ny, local(2026, 3, 8, 3, 0)),
            Some(-4 * 3600)
        );
        assert_eq!(
            offset_of_local(ny, local(2026, 3, 8, 1, 59)),
            Some(-5 * 3600)
        );
        let shanghai: Tz = "Asia/Shanghai".parse().unwrap();
        assert_eq!(
            offset_of_local(shanghai, local(2026, 10, 1, 9, 0)),
            Some(8 * 3600)
        );
        // 2026-03-08 07:00Z is 02:00 EST → 03:00 EDT, on the hour.
        let t = local(2026, 3, 8, 7, 0).and_utc().timestamp();
        assert_eq!(offset_of_utc(ny, t), Some(-4 * 3600));
        assert_eq!(offset_of_utc(ny, t - 1), Some(-5 * 3600));
        // Lord Howe moves by half an hour at 02:00 local (15:30Z the day before).
        let howe: Tz = "Australia/Lord_Howe".parse().unwrap();
        let t = local(2026, 10, 3, 15, 0).and_utc().timestamp();
        assert_eq!(offset_of_utc(howe, t), None);
        assert_eq!(offset_of_local(howe, local(2026, 10, 4, 2, 0)), None);
    }

    #[test]
    fn one_table_serves_several_zones() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        let l = local(2026, 10, 1, 9, 0);
        assert_eq!(offset_of_local(ny, l), Some(-4 * 3600));
        assert_eq!(offset_of_local(tokyo, l), Some(9 * 3600));
        assert_eq!(offset_of_local(ny, l), Some(-4 * 3600));
    }
}
