//! CSV: one table of money lines with a vendor column, then the metrics, then a summary row per
//! vendor. Text cells that a spreadsheet would run as a formula are escaped; numbers are written
//! as numbers.

use crate::base::word::Word;
use crate::statement::Statement;

/// Escapes a text cell that begins with `=`, `+`, `-`, `@`, tab or CR by prefixing `'`, so a
/// spreadsheet shows it as text instead of running it.
pub fn escape_text(s: &str) -> String {
    escaped(s).into_owned()
}

/// [`escape_text`], borrowing the text when it needs no escape.
pub fn escaped(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

enum Cell<'a> {
    Text(&'a str),
    Number(String),
}

fn write_row(w: &mut csv::Writer<Vec<u8>>, cells: &[Cell]) {
    let row: Vec<String> = cells
        .iter()
        .map(|c| match c {
            Cell::Text(t) => escape_text(t),
            Cell::Number(n) => n.clone(),
        })
        .collect();
    w.write_record(&row).expect("writing to memory");
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8")
}

/// Renders statements as CSV: three tables separated by an empty line.
pub fn render(statements: &[Statement]) -> String {
    use Cell::{Number as N, Text as T};
    let new = || csv::WriterBuilder::new().from_writer(Vec::new());
    let mut w = new();
    write_row(
        &mut w,
        &[
            T("vendor"),
            T("section"),
            T("item"),
            T("quantity"),
            T("unit_price"),
            T("amount"),
        ],
    );
    for s in statements {
        for l in &s.lines {
            write_row(
                &mut w,
                &[
                    T(&s.vendor.id),
                    T(l.section.as_str()),
                    T(&l.item.to_string()),
                    N(l.quantity.to_string()),
                    N(l.unit_price.to_string()),
                    N(l.amount.to_string()),
                ],
            );
        }
    }
    let lines = finish(std::mem::replace(&mut w, new()));
    write_row(
        &mut w,
        &[
            T("vendor"),
            T("metric"),
            T("numerator"),
            T("denominator"),
            T("value"),
        ],
    );
    for s in statements {
        for (m, r) in &s.metrics.0 {
            write_row(
                &mut w,
                &[
                    T(&s.vendor.id),
                    T(m.as_str()),
                    N(r.numerator.to_string()),
                    N(r.denominator.to_string()),
                    N(r.value.map_or(String::new(), |v| v.to_string())),
                ],
            );
        }
    }
    let metrics = finish(std::mem::replace(&mut w, new()));
    write_row(
        &mut w,
        &[
            T("vendor"),
            T("scorecard"),
            T("score"),
            T("tier"),
            T("assessed"),
            T("earned"),
            T("fees_charged"),
            T("penalties"),
            T("charged"),
            T("net"),
            T("direction"),
        ],
    );
    for s in statements {
        for c in &s.scorecards {
            write_row(
                &mut w,
                &[
                    T(&s.vendor.id),
                    T(&c.name),
                    N(c.score.to_string()),
                    T(&c.tier.label),
                    T(if s.assessed { "true" } else { "false" }),
                    N(s.totals.earned.to_string()),
                    N(s.totals.fees_charged.to_string()),
                    N(s.totals.penalties.to_string()),
                    N(s.totals.charged.to_string()),
                    N(s.totals.net.to_string()),
                    T(s.settlement.direction.as_str()),
                ],
            );
        }
    }
    let scores = finish(std::mem::replace(&mut w, new()));
    if statements.iter().all(|s| s.incidents.is_none()) {
        return format!("{lines}\n{metrics}\n{scores}");
    }
    // The incidents of each kind, when a register was read (SPEC §9).
    write_row(
        &mut w,
        &[
            T("vendor"),
            T("incident_kind"),
            T("in_month_incidents"),
            T("in_month_records"),
            T("to_date_incidents"),
            T("to_date_records"),
            T("liability_to_date"),
            T("charged_before"),
            T("charged"),
            T("thresholds_reached"),
            T("termination_right"),
        ],
    );
    let records = |r: Option<u64>| N(r.map_or(String::new(), |n| n.to_string()));
    for s in statements {
        for (kind, r) in s.incidents.iter().flat_map(|i| &i.0) {
            let thresholds: Vec<&str> = r.thresholds_reached.iter().map(|t| t.as_str()).collect();
            write_row(
                &mut w,
                &[
                    T(&s.vendor.id),
                    T(kind.as_str()),
                    N(r.in_month.incidents.to_string()),
                    records(r.in_month.records),
                    N(r.to_date.incidents.to_string()),
                    records(r.to_date.records),
                    N(r.liability_to_date.to_string()),
                    N(r.charged_before.to_string()),
                    N(r.charged.to_string()),
                    T(&thresholds.join(" ")),
                    T(if r.termination_right { "true" } else { "false" }),
                ],
            );
        }
    }
    format!("{lines}\n{metrics}\n{scores}\n{}", finish(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_5_formula_cells_are_escaped() {
        assert_eq!(escape_text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(escape_text("+1"), "'+1");
        assert_eq!(escape_text("-x"), "'-x");
        assert_eq!(escape_text("@cmd"), "'@cmd");
        assert_eq!(escape_text("\tx"), "'\tx");
        assert_eq!(escape_text("\rx"), "'\rx");
        assert_eq!(escape_text("acme"), "acme");
    }
}
