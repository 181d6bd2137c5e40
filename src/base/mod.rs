//! The base every stage stands on: exact money, instants and months, time zones, working-day
//! calendars, capitals in words, text shown to people, files read and named, progress counters.
//! Nothing here knows of a contract, a row or a statement.

pub mod calendar;
pub mod capitals;
pub mod files;
pub mod money;
pub mod progress;
pub mod text;
pub mod timestamp;
pub mod words;
pub mod zone_cache;
