//! Markdown: one document with a section per vendor.

use super::view::{view, View};
use crate::statement::Statement;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_table<const N: usize>(
    out: &mut String,
    header: [&str; N],
    right: &[usize],
    rows: &[[String; N]],
) {
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let seps: Vec<&str> = (0..N)
        .map(|i| if right.contains(&i) { "---:" } else { "---" })
        .collect();
    out.push_str(&format!("|{}|\n", seps.join("|")));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
}

fn section(out: &mut String, v: &View) {
    out.push_str(&format!(
        "## {}\n\n**{}**\n\n",
        cell(&v.title),
        cell(&v.verdict)
    ));
    out.push_str("### Metrics\n\n");
    md_table(
        out,
        ["metric", "numerator", "denominator", "value"],
        &[1, 2, 3],
        &v.metrics,
    );
    for c in &v.scorecards {
        out.push_str(&format!("### Scorecard {}\n\n", cell(&c.name)));
        md_table(
            out,
            ["item", "value", "target", "weight", "points"],
            &[1, 2, 3, 4],
            &c.items,
        );
        out.push_str(&format!(
            "Score **{}**, tier: {}\n\n",
            c.score,
            cell(&c.tier)
        ));
    }
    out.push_str("### Money\n\n");
    md_table(
        out,
        ["line", "quantity", "unit price", "amount"],
        &[1, 2, 3],
        &v.lines,
    );
    md_table(out, ["total", "amount"], &[1], &v.totals);
    out.push_str(&format!("Settlement: {}\n\n", cell(&v.settlement)));
    out.push_str("### Figures and deadlines\n\n");
    let rows: Vec<[String; 2]> = v.figures.iter().chain(&v.deadlines).cloned().collect();
    md_table(out, ["figure", "value"], &[], &rows);
    out.push_str("### Definitions\n\n");
    md_table(out, ["rule", "in force"], &[], &v.definitions);
    if let Some(d) = &v.disputes {
        out.push_str("### Disputes applied\n\n");
        out.push_str(&format!(
            "Re-scored with the auditor's decisions of `{}` (sha256 `{}`).\n\n",
            cell(&d.path),
            d.sha256
        ));
        if d.rows.is_empty() {
            out.push_str("No decision of the file applies to this vendor.\n\n");
        } else {
            md_table(
                out,
                ["line", "record", "decision", "reason", "decided by"],
                &[0],
                &d.rows,
            );
        }
    }
    if !v.warnings.is_empty() {
        out.push_str("### Warnings\n\n");
        for w in &v.warnings {
            out.push_str(&format!("- {}\n", cell(w)));
        }
        out.push('\n');
    }
}

/// Renders the document.
pub fn render(statements: &[Statement]) -> String {
    let month = statements.first().map_or("", |s| s.month.as_str());
    let mut out = format!("# Settlement statements {month}\n\n");
    for s in statements {
        section(&mut out, &view(s));
    }
    if statements.is_empty() {
        out.push_str("No vendor was settled for this month.\n");
    }
    out
}

/// Renders one statement as its own document.
pub fn render_one(statement: &Statement) -> String {
    render(std::slice::from_ref(statement))
}
