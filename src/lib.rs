//! slatement: settles one month of an outsourced customer-service contract.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod account;
pub mod calendar;
pub mod cli;
pub mod definitions;
pub mod diff;
pub mod disputes;
pub mod error;
pub mod evidence;
pub mod incidents;
pub mod input;
pub mod money;
pub mod preview;
pub mod progress;
pub mod rates;
pub mod render;
pub mod scoring;
pub mod settle;
pub mod statement;
pub mod tally;
pub mod terms;
pub mod text;
pub mod timestamp;
pub mod verify;
pub mod write;
pub mod zone_cache;
