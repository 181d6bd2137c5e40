//! Renderers: table (default), JSON, CSV, Markdown and HTML. Each formats the same plain
//! [`Statement`]s through one row model ([`view`]), so the forms cannot disagree (SPEC §5); the
//! human forms (table, Markdown, HTML) speak the chosen [`Lang`] (SPEC §13).

pub mod account;
pub mod csv;
pub mod html;
pub mod lang;
pub mod markdown;
pub mod reconcile;
pub mod table;
pub mod view;

use crate::statement::Statement;
pub use lang::Lang;

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
    /// HTML: one self-contained printable page, a sheet per vendor (SPEC §13).
    Html,
}

/// Renders statements in `format`; the human forms in `lang` (JSON and CSV never change).
pub fn render(statements: &[Statement], format: Format, lang: Lang) -> String {
    match format {
        Format::Table => table::render(statements, lang),
        Format::Json => json_array(statements),
        Format::Csv => csv::render(statements),
        Format::Markdown => markdown::render(statements, lang),
        Format::Html => html::statements(statements, lang),
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
