//! slatement: settles one month of an outsourced customer-service contract.
//!
//! The data flows one way, each stage a folder of `src/` reading only what the stages before it
//! made:
//!
//! ```text
//!  cli ── arguments, one file per command, the progress bar (the binary's side only)
//!   │
//!   ▼
//!  contract ── rates.toml: parsed, layered (base, revisions, vendor overrides), validated into Terms
//!   │
//!   ▼
//!  input ── files found and read: CSV, workbooks, mapped exports (profiles), the row rules of
//!   │        SPEC §8, the duplicate check; each accepted row goes to a RowSink
//!   ▼
//!  tally ── per-vendor accumulators, an auditor's decisions, the rows kept as evidence
//!   │
//!   ▼
//!  statement ── metrics, scores, incidents, money lines, totals: one Statement type
//!   │
//!   ▼
//!  month ── settle: input → tally (absorb.rs is the reader's sink) → statement, for a month
//!   │
//!   ▼
//!  evidence, render, write ── rows behind each figure; tables, Markdown, HTML, CSV, JSON;
//!                             whole-run publication
//!
//!  beside, above the month: audit (diff, verify, seal) · account (archived statements across
//!  months) · reconcile (the vendor's claim)        beneath everything: base, error
//! ```
//!
//! The README's "Code map" says where each thing lives; `.ci/architecture` fails the build when a
//! module reaches a layer above it.
//!
//! Modules are public only where the binary, the integration tests or the examples read them
//! (`cli`, `base`, `contract`, `input`, `month`, `statement`, `account`); the rest is the crate's
//! own, so an item nothing uses is reported as dead.
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

pub(crate) mod audit;
pub mod base;
pub mod cli;
pub mod contract;
pub(crate) mod error;
pub(crate) mod evidence;
pub mod input;
pub mod month;
pub(crate) mod reconcile;
pub(crate) mod render;
pub mod statement;
pub(crate) mod tally;
pub(crate) mod write;
