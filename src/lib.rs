//! slatement: settles one month of an outsourced customer-service contract.
//!
//! The data flows one way, each stage reading only what the stages before it made:
//!
//! ```text
//!  cli (arguments, exit codes)
//!   │
//!   ▼
//!  rates, terms ── the contract: rates.toml parsed, layered, validated into Terms
//!   │
//!   ▼
//!  input ── files found and read: CSV, workbooks, mapped exports (profiles), the row rules of
//!   │        SPEC §8, the duplicate check; accepted rows go to the tally as they are read
//!   ▼
//!  tally, disputes ── per-vendor counts, an auditor's decisions
//!   │
//!   ▼
//!  statement (scoring, incidents, definitions) ── metrics, scores, money lines, totals
//!   │          settle drives input → tally → statement for a month
//!   ▼
//!  render, write ── tables, Markdown, HTML, CSV, JSON; whole-run publication
//!
//!  beside: evidence (rows behind each figure) · diff, verify, seal (audit) ·
//!          account (archived statements across months) · reconcile (the vendor's claim)
//! ```
//!
//! The README's "Code map" says where each thing lives; `.ci/architecture` fails the build when a
//! module reaches a layer above it.
#![warn(missing_docs)]

pub mod account;
/// Writes a line to stderr. A failing stderr (closed, full) is ignored: the run completes and
/// its exit code stays truthful.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Like [`say!`], without the line end.
#[macro_export]
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod audit;
pub mod base;
pub mod cli;
pub mod contract;
pub mod error;
pub mod evidence;
pub mod input;
pub mod month;
pub mod reconcile;
pub mod render;
pub mod statement;
pub mod tally;
pub mod write;
