//! Markdown: one document with a section per vendor.

use super::lang::Lang;
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

fn section(out: &mut String, v: &View, lang: Lang) {
    let l = |k: &str| lang.t(k);
    out.push_str(&format!(
        "## {}\n\n**{}**\n\n",
        cell(&v.title),
        cell(&v.verdict)
    ));
    out.push_str(&format!("### {}\n\n", l("metrics")));
    md_table(
        out,
        [l("metric"), l("numerator"), l("denominator"), l("value")],
        &[1, 2, 3],
        &v.metrics,
    );
    for c in &v.scorecards {
        out.push_str(&format!("### {} {}\n\n", l("scorecard"), cell(&c.name)));
        md_table(
            out,
            [l("item"), l("value"), l("target"), l("weight"), l("points")],
            &[1, 2, 3, 4],
            &c.items,
        );
        out.push_str(&format!(
            "{} **{}**, {}: {}\n\n",
            l("score"),
            c.score,
            l("tier"),
            cell(&c.tier)
        ));
    }
    out.push_str(&format!("### {}\n\n", l("money")));
    md_table(
        out,
        [l("line"), l("quantity"), l("unit_price"), l("amount")],
        &[1, 2, 3],
        &v.lines,
    );
    md_table(out, [l("total"), l("amount")], &[1], &v.totals);
    out.push_str(&format!("{}: {}\n\n", l("settlement"), cell(&v.settlement)));
    if let Some(c) = &v.capitals {
        out.push_str(&format!("{}: {}\n\n", l("in_capitals"), cell(c)));
    }
    out.push_str(&format!("### {}\n\n", l("figures_deadlines")));
    let rows: Vec<[String; 2]> = v.figures.iter().chain(&v.deadlines).cloned().collect();
    md_table(out, [l("figure"), l("figure_value")], &[], &rows);
    out.push_str(&format!("### {}\n\n", l("definitions")));
    md_table(out, [l("rule"), l("in_force")], &[], &v.definitions);
    if let Some(d) = &v.disputes {
        out.push_str(&format!("### {}\n\n", l("disputes")));
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
        out.push_str(&format!("### {}\n\n", l("warnings")));
        for w in &v.warnings {
            out.push_str(&format!("- {}\n", cell(w)));
        }
        out.push('\n');
    }
}

/// Renders the document in `lang`.
pub fn render(statements: &[Statement], lang: Lang) -> String {
    let month = statements.first().map_or("", |s| s.month.as_str());
    let mut out = format!("# {} {month}\n\n", lang.t("doc.statements"));
    for s in statements {
        section(&mut out, &view(s, lang), lang);
    }
    if statements.is_empty() {
        out.push_str("No vendor was settled for this month.\n");
    }
    out
}

/// Renders one statement as its own document in `lang`.
pub fn render_one(statement: &Statement, lang: Lang) -> String {
    render(std::slice::from_ref(statement), lang)
}
