//! The base every stage stands on: exact money, instants and months, time zones, working-day
//! calendars, capitals in words, text shown to people, files read and named, progress counters,
//! large tables of words, a table of short byte strings.
//! Nothing here knows of a contract, a row or a statement.

pub mod calendar;
pub mod capitals;
pub mod files;
pub mod money;
pub mod progress;
pub mod short_keys;
pub mod text;
pub mod timestamp;
pub mod word;
pub mod words;
pub mod zone_cache;

/// Asks the processor to start fetching the cache line of `value` into every cache level, and
/// goes on without waiting: a lookup that follows finds it there instead of stalling on memory.
/// Only a hint, it changes no value (elsewhere than x86-64 it does nothing).
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    safe_arch::prefetch_t0(value);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
