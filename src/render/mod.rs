//! Renderers: table (default), JSON, CSV and Markdown. Each formats the same plain
//! [`Statement`]s through one row model ([`view`]), so the forms cannot disagree (SPEC §5).

pub mod account;
pub mod csv;
pub mod markdown;
pub mod reconcile;
pub mod table;
pub mod view;

use crate::statement::Statement;

/// An output form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A readable table (comfy-table).
    Table,
    /// JSON: an array of statements ordered by vendor id.
    Json,
    /// CSV: money lines, then metrics, then a summary per vendor.
    Csv,
    /// Markdown: one document with a section per vendor.
    Markdown,
}

/// Renders statements in `format`.
pub fn render(statements: &[Statement], format: Format) -> String {
    match format {
        Format::Table => table::render(statements),
        Format::Json => json_array(statements),
        Format::Csv => csv::render(statements),
        Format::Markdown => markdown::render(statements),
    }
}

/// The JSON array of statements, pretty-printed, ending in a newline.
pub fn json_array(statements: &[Statement]) -> String {
    let mut s = serde_json::to_string_pretty(statements).expect("statements serialize");
    s.push('\n');
    s
}

/// One statement as JSON, pretty-printed, ending in a newline.
pub fn json_one(statement: &Statement) -> String {
    let mut s = serde_json::to_string_pretty(statement).expect("statement serializes");
    s.push('\n');
    s
}
