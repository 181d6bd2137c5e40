//! The contract: `rates.toml` read through its layers (base, revisions, vendor overrides) and
//! validated into the [`terms::Terms`] every later stage prices and scores by.

pub mod rates;
pub mod terms;
