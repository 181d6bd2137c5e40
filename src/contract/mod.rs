//! The contract: `rates.toml` read through its layers (base, revisions, vendor overrides) and
//! validated into the [`terms::Terms`] every later stage prices and scores by.
//!
//! `raw` mirrors the file for serde, `layers` merges the layers and names each key where it was
//! written, [`rates`] validates every combination into [`terms`].

mod layers;
pub mod rates;
mod raw;
pub mod terms;
