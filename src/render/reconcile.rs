//! The forms of a reconciliation (SPEC §10): the terminal table (lines with deltas, the summary
//! of differences by item and reason, up to [`SHOWN_PER_GROUP`] records per item and reason),
//! JSON, CSV, Markdown, and `differences.csv` holding every differing record.

use super::csv::escape_text;
use super::html::{self, DocBalance, DocTable, Document};
use super::lang::Lang;
use super::view::{capitals_words, signed};
use crate::base::money::grouped;
use crate::base::text::{message, shown};
use crate::base::word::Word;
use crate::reconcile::{Difference, Reconciliation};
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};
use std::collections::BTreeMap;

/// Records shown per item and reason on the terminal and in Markdown.
pub const SHOWN_PER_GROUP: usize = 20;

const LINE_HEAD: [&str; 7] = [
    "item",
    "our qty",
    "our amount",
    "claimed qty",
    "claimed amount",
    "Δ qty",
    "Δ amount",
];

/// The column heads of the lines in `lang`.
fn line_head(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::En => LINE_HEAD,
        Lang::Zh => [
            "line",
            "our_qty",
            "our_amount",
            "claimed_qty",
            "claimed_amount",
            "delta_qty",
            "delta_amount",
        ]
        .map(|k| lang.t(k)),
    }
}

/// The column heads of the record counts in `lang`.
fn records_head(lang: Lang) -> [&'static str; 5] {
    [
        "records_of",
        "matched",
        "claimed_only",
        "ours_only",
        "amount_differs",
    ]
    .map(|k| lang.t(k))
}

/// A line's name in words, in `lang`.
fn item_in(item: &str, lang: Lang) -> String {
    crate::statement::item_words(item)[usize::from(lang == Lang::Zh)].clone()
}

/// In Chinese, our net in capitals with who pays whom.
fn capitals_line(r: &Reconciliation, lang: Lang) -> Option<String> {
    capitals_words(r.totals.net.ours, &r.currency, lang)
        .map(|c| format!("{} {}: {c}", lang.t("ours_net"), lang.t("in_capitals")))
}

/// The lines and totals side by side. `None` for CSV (plain decimals, names as they are); for a
/// human form, its language: names in words, thousands separated, charges as deductions (SPEC §13).
fn line_rows(r: &Reconciliation, human: Option<Lang>) -> Vec<[String; 7]> {
    use crate::base::money::grouped;
    use crate::statement::Section;
    let fig = |d: rust_decimal::Decimal| match human {
        None => d.to_string(),
        Some(_) => grouped(d),
    };
    let amount = |d: rust_decimal::Decimal, charge: bool| match human {
        None => d.to_string(),
        Some(_) => signed(d, charge),
    };
    let mut rows: Vec<[String; 7]> = r
        .lines
        .iter()
        .map(|l| {
            let charge = l.item.split('/').next() != Some(Section::Earn.as_str());
            [
                human.map_or_else(|| l.item.clone(), |lang| item_in(&l.item, lang)),
                fig(l.ours.quantity),
                amount(l.ours.amount, charge),
                fig(l.claimed.quantity),
                amount(l.claimed.amount, charge),
                fig(l.delta.quantity),
                amount(l.delta.amount, charge),
            ]
        })
        .collect();
    for (name, t, charge) in [
        ("earned", r.totals.earned, false),
        ("charged", r.totals.charged, true),
        ("net", r.totals.net, false),
    ] {
        rows.push([
            human.unwrap_or_default().t(name).to_string(),
            String::new(),
            amount(t.ours, charge),
            String::new(),
            amount(t.claimed, charge),
            String::new(),
            amount(t.delta, charge),
        ]);
    }
    rows
}

/// The reason (or side) a difference is grouped under.
fn group(d: &Difference) -> String {
    match d.reason {
        Some(r) => format!("{} {}", d.side.as_str(), r.as_str()),
        None => d.side.as_str().to_string(),
    }
}

/// Differences by item, then reason, in the order they come.
fn groups(r: &Reconciliation) -> Vec<((String, String), Vec<&Difference>)> {
    let mut out: Vec<((String, String), Vec<&Difference>)> = Vec::new();
    for d in &r.differences {
        let key = (d.item.clone(), group(d));
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(d),
            None => out.push((key, vec![d])),
        }
    }
    out
}

fn record_cells(d: &Difference) -> [String; 4] {
    let fact = match (&d.detail, d.ours, d.claimed) {
        (Some(x), _, _) => x.clone(),
        (None, Some(o), Some(c)) => format!("ours {o}, claimed {c}"),
        _ => String::new(),
    };
    [
        shown(&d.id),
        shown(&fact),
        d.source.clone().unwrap_or_default(),
        String::new(),
    ]
}

fn verdict(r: &Reconciliation, lang: Lang) -> String {
    if lang == Lang::Zh {
        let n = r
            .lines
            .iter()
            .filter(|l| !l.delta.amount.is_zero() || !l.delta.quantity.is_zero())
            .count();
        let words = if r.agrees {
            lang.t("agrees").to_string()
        } else {
            lang.t("disagrees")
                .replace("{n}", &n.to_string())
                .replace("{m}", &r.differences.len().to_string())
                .replace("{claimed}", &grouped(r.totals.net.claimed))
                .replace("{ours}", &grouped(r.totals.net.ours))
                .replace("{delta}", &grouped(r.totals.net.delta))
        };
        return format!(
            "{} · {} ({}) · {} · {words}",
            lang.t("doc.reconciliation"),
            r.vendor.name,
            r.vendor.id,
            r.month
        );
    }
    if r.agrees {
        format!(
            "{} ({}) · {} · the vendor's list agrees with the statement",
            r.vendor.name, r.vendor.id, r.month
        )
    } else {
        let n = r
            .lines
            .iter()
            .filter(|l| !l.delta.amount.is_zero() || !l.delta.quantity.is_zero())
            .count();
        format!(
            "{} ({}) · {} · {} line(s) and {} record(s) differ · net claimed {} vs ours {} {} (Δ {})",
            r.vendor.name,
            r.vendor.id,
            r.month,
            n,
            r.differences.len(),
            grouped(r.totals.net.claimed),
            grouped(r.totals.net.ours),
            r.currency,
            grouped(r.totals.net.delta)
        )
    }
}

/// The terminal table in `lang`.
pub fn table(r: &Reconciliation, lang: Lang) -> String {
    let mut out = format!("{}\n", message(&verdict(r, lang)));
    if let Some(c) = capitals_line(r, lang) {
        out.push_str(&format!("{c}\n"));
    }
    out.push('\n');
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(line_head(lang).to_vec());
    for i in 1..7 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    for row in line_rows(r, Some(lang)) {
        t.add_row(row.to_vec());
    }
    out.push_str(&format!("{t}\n"));
    if !r.records.is_empty() {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(records_head(lang).to_vec());
        for c in &r.records {
            t.add_row(vec![
                item_in(&c.item, lang),
                c.matched.to_string(),
                c.claimed_only.to_string(),
                c.ours_only.to_string(),
                c.amount_differs.to_string(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    let groups = groups(r);
    if !groups.is_empty() {
        let mut summary: BTreeMap<usize, (String, String, usize)> = BTreeMap::new();
        for (i, ((item, why), v)) in groups.iter().enumerate() {
            summary.insert(i, (item_in(item, lang), why.clone(), v.len()));
        }
        out.push_str("\ndifferences by item and reason:\n");
        for (item, why, n) in summary.values() {
            out.push_str(&format!("  {item}  {why}: {n}\n"));
        }
        for ((item, why), v) in &groups {
            let item = item_in(item, lang);
            out.push_str(&format!("\n{item} · {why} ({}):\n", v.len()));
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(vec!["id", "fact", "source"]);
            for d in v.iter().take(SHOWN_PER_GROUP) {
                let c = record_cells(d);
                t.add_row(vec![c[0].clone(), c[1].clone(), c[2].clone()]);
            }
            out.push_str(&format!("{t}\n"));
            if v.len() > SHOWN_PER_GROUP {
                out.push_str(&format!(
                    "… and {} more (every record is in --format json|csv and differences.csv)\n",
                    v.len() - SHOWN_PER_GROUP
                ));
            }
        }
    }
    for w in &r.warnings {
        out.push_str(&format!("warning: {}\n", message(w)));
    }
    out
}

/// The JSON form: one object.
pub fn json(r: &Reconciliation) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("a reconciliation serializes");
    s.push('\n');
    s
}

fn write_row(w: &mut csv::Writer<Vec<u8>>, cells: &[String]) {
    w.write_record(cells).expect("memory");
}

/// `differences.csv`: every differing record.
pub fn differences_csv(r: &Reconciliation) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        &[
            "item", "side", "id", "reason", "detail", "ours", "claimed", "source",
        ]
        .map(String::from),
    );
    for d in &r.differences {
        write_row(
            &mut w,
            &[
                escape_text(&d.item),
                d.side.as_str().to_string(),
                escape_text(&d.id),
                d.reason.map_or(String::new(), |x| x.as_str().to_string()),
                escape_text(d.detail.as_deref().unwrap_or("")),
                d.ours.map_or(String::new(), |x| x.to_string()),
                d.claimed.map_or(String::new(), |x| x.to_string()),
                escape_text(d.source.as_deref().unwrap_or("")),
            ],
        );
    }
    String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8")
}

/// The CSV form: the line table, the record counts, then every difference.
pub fn csv(r: &Reconciliation) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        &[
            "item",
            "our_quantity",
            "our_amount",
            "claimed_quantity",
            "claimed_amount",
            "delta_quantity",
            "delta_amount",
        ]
        .map(String::from),
    );
    for row in line_rows(r, None) {
        let mut row = row.to_vec();
        row[0] = escape_text(&row[0]);
        write_row(&mut w, &row);
    }
    let lines = String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8");
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        &[
            "item",
            "matched",
            "claimed_only",
            "ours_only",
            "amount_differs",
        ]
        .map(String::from),
    );
    for c in &r.records {
        write_row(
            &mut w,
            &[
                escape_text(&c.item),
                c.matched.to_string(),
                c.claimed_only.to_string(),
                c.ours_only.to_string(),
                c.amount_differs.to_string(),
            ],
        );
    }
    let records = String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8");
    format!("{lines}\n{records}\n{}", differences_csv(r))
}

fn md_escape(s: &str) -> String {
    message(s).replace('|', "\\|")
}

/// The Markdown form in `lang`.
pub fn markdown(r: &Reconciliation, lang: Lang) -> String {
    let head = match lang {
        Lang::En => "Reconciliation",
        Lang::Zh => lang.t("doc.reconciliation"),
    };
    let mut out = format!(
        "# {head} · {} ({}) · {}\n\n{}\n\n",
        md_escape(&r.vendor.name),
        r.vendor.id,
        r.month,
        md_escape(&verdict(r, lang))
    );
    if let Some(c) = capitals_line(r, lang) {
        out.push_str(&format!("**{}**\n\n", md_escape(&c)));
    }
    out.push_str(&format!(
        "| {} |\n|{}|\n",
        line_head(lang).join(" | "),
        "---|".repeat(7)
    ));
    for row in line_rows(r, Some(lang)) {
        out.push_str(&format!(
            "| {} |\n",
            row.iter()
                .map(|c| md_escape(c))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    if !r.records.is_empty() {
        out.push_str(&format!(
            "\n| {} |\n|---|---|---|---|---|\n",
            records_head(lang).join(" | ")
        ));
        for c in &r.records {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                item_in(&c.item, lang),
                c.matched,
                c.claimed_only,
                c.ours_only,
                c.amount_differs
            ));
        }
    }
    for ((item, why), v) in groups(r) {
        let item = item_in(&item, lang);
        out.push_str(&format!(
            "\n## {item} · {why} ({})\n\n| {} | {} | {} |\n|---|---|---|\n",
            v.len(),
            lang.t("id"),
            lang.t("fact"),
            lang.t("source")
        ));
        for d in v.iter().take(SHOWN_PER_GROUP) {
            let c = record_cells(d);
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                md_escape(&c[0]),
                md_escape(&c[1]),
                md_escape(&c[2])
            ));
        }
        if v.len() > SHOWN_PER_GROUP {
            out.push_str(&format!(
                "\n… and {} more (see differences.csv)\n",
                v.len() - SHOWN_PER_GROUP
            ));
        }
    }
    if !r.warnings.is_empty() {
        out.push_str("\n## Warnings\n\n");
        for w in &r.warnings {
            out.push_str(&format!("- {}\n", md_escape(w)));
        }
    }
    out
}

/// The reconciliation as a printable sheet (SPEC §13): the lines side by side with their
/// differences, the records, the differing records by item and reason, and our net boxed with
/// who pays whom (in Chinese also in capitals).
pub fn html(r: &Reconciliation, lang: Lang) -> String {
    let l = |k: &str| lang.t(k).to_string();
    let words = |item: &str| item_in(item, lang);
    let lines: Vec<Vec<String>> = line_rows(r, Some(lang))
        .into_iter()
        .map(|row| row.to_vec())
        .collect();
    let mut tables = vec![DocTable {
        heading: l("lines"),
        head: [
            "line",
            "our_qty",
            "our_amount",
            "claimed_qty",
            "claimed_amount",
            "delta_qty",
            "delta_amount",
        ]
        .iter()
        .map(|k| l(k))
        .collect(),
        figures: (1..7).collect(),
        rows: lines,
    }];
    if !r.records.is_empty() {
        tables.push(DocTable {
            heading: l("records_heading"),
            head: [
                "records_of",
                "matched",
                "claimed_only",
                "ours_only",
                "amount_differs",
            ]
            .iter()
            .map(|k| l(k))
            .collect(),
            figures: (1..5).collect(),
            rows: r
                .records
                .iter()
                .map(|c| {
                    vec![
                        words(&c.item),
                        c.matched.to_string(),
                        c.claimed_only.to_string(),
                        c.ours_only.to_string(),
                        c.amount_differs.to_string(),
                    ]
                })
                .collect(),
        });
    }
    for ((item, why), v) in groups(r) {
        let mut rows: Vec<Vec<String>> = v
            .iter()
            .take(SHOWN_PER_GROUP)
            .map(|d| {
                let c = record_cells(d);
                vec![c[0].clone(), c[1].clone(), c[2].clone()]
            })
            .collect();
        if v.len() > SHOWN_PER_GROUP {
            rows.push(vec![
                lang.t("more")
                    .replace("{n}", &(v.len() - SHOWN_PER_GROUP).to_string()),
                String::new(),
                String::new(),
            ]);
        }
        tables.push(DocTable {
            heading: format!(
                "{} · {} · {why} ({})",
                l("differences"),
                words(&item),
                v.len()
            ),
            head: vec![l("id"), l("fact"), l("source")],
            figures: vec![],
            rows,
        });
    }
    let net = r.totals.net;
    let summary = if r.agrees {
        l("agrees")
    } else {
        let n = r
            .lines
            .iter()
            .filter(|l| !l.delta.amount.is_zero() || !l.delta.quantity.is_zero())
            .count();
        lang.t("disagrees")
            .replace("{n}", &n.to_string())
            .replace("{m}", &r.differences.len().to_string())
            .replace("{claimed}", &grouped(net.claimed))
            .replace("{ours}", &grouped(net.ours))
            .replace("{delta}", &grouped(net.delta))
    };
    let vendor = format!("{} ({})", shown(&r.vendor.name), shown(&r.vendor.id));
    let doc = Document {
        title: l("doc.reconciliation"),
        subtitle: format!("{vendor} · {} · {}", r.month, shown(&r.currency)),
        parties: vec![
            [l("party.platform"), l("platform")],
            [l("party.vendor"), vendor],
            [l("month"), r.month.clone()],
        ],
        balance: Some(DocBalance {
            label: l("ours_net"),
            amount: format!("{} {}", grouped(net.ours), shown(&r.currency)),
            words: summary,
            capitals: capitals_words(net.ours, &r.currency, lang),
        }),
        tables,
        notes: r.warnings.iter().map(|w| message(w)).collect(),
    };
    html::documents(lang.t("doc.reconciliation"), &[doc], lang)
}
