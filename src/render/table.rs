//! The default output: comfy-table tables, readable in 100 columns, Chinese text aligned by
//! display width.

use super::lang::Lang;
use super::view::{view, View};
use crate::statement::Statement;
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};

const WIDTH: u16 = 100;

fn table(header: &[&str], right: &[usize]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(WIDTH)
        .set_header(header.to_vec());
    for &i in right {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn one(v: &View, lang: Lang) -> String {
    let l = |k: &str| lang.t(k);
    let mut out = String::new();
    out.push_str(&format!("{}\n{}\n\n", v.title, v.verdict));

    let mut m = table(
        &[l("metric"), l("numerator"), l("denominator"), l("value")],
        &[1, 2, 3],
    );
    for r in &v.metrics {
        m.add_row(r.to_vec());
    }
    out.push_str(&format!("{m}\n"));

    for c in &v.scorecards {
        let mut t = table(
            &[
                l("scorecard_item"),
                l("value"),
                l("target"),
                l("weight"),
                l("points"),
            ],
            &[1, 2, 3, 4],
        );
        for r in &c.items {
            t.add_row(r.to_vec());
        }
        t.add_row(vec![
            format!("{} {}", c.name, l("score")),
            String::new(),
            String::new(),
            String::new(),
            c.score.clone(),
        ]);
        out.push_str(&format!("{t}\n{}: {}\n", l("tier"), c.tier));
    }

    let mut t = table(
        &[l("money_line"), l("quantity"), l("unit_price"), l("amount")],
        &[1, 2, 3],
    );
    for r in &v.lines {
        t.add_row(r.to_vec());
    }
    for r in &v.totals {
        t.add_row(vec![
            r[0].clone(),
            String::new(),
            String::new(),
            r[1].clone(),
        ]);
    }
    out.push_str(&format!("{t}\n{}: {}\n", l("settlement"), v.settlement));
    if let Some(c) = &v.capitals {
        out.push_str(&format!("{}: {c}\n", l("in_capitals")));
    }

    let mut f = table(&[l("figure"), l("figure_value")], &[1]);
    for r in v.figures.iter().chain(&v.deadlines) {
        f.add_row(r.to_vec());
    }
    out.push_str(&format!("{f}\n"));
    if let Some(d) = &v.disputes {
        let source = format!("{} (sha256 {}…)", d.path, d.sha256.get(..12).unwrap_or(""));
        if d.rows.is_empty() {
            out.push_str(&format!(
                "disputes: no decision of {source} applies to this vendor\n"
            ));
        } else {
            let mut t = table(
                &["line", "record", "decision", "reason", "decided by"],
                &[0],
            );
            for r in &d.rows {
                t.add_row(r.to_vec());
            }
            out.push_str(&format!("disputes applied from {source}:\n{t}\n"));
        }
    }
    for w in &v.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

/// Renders every statement in `lang`, separated by a blank line.
pub fn render(statements: &[Statement], lang: Lang) -> String {
    if statements.is_empty() {
        return "no statements: no vendor was settled for this month\n".to_string();
    }
    statements
        .iter()
        .map(|s| one(&view(s, lang), lang))
        .collect::<Vec<_>>()
        .join("\n")
}
