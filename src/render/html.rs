//! HTML: the printable documents of SPEC §13 — one self-contained page (inline CSS and SVG, no
//! script, no network, no web font), a sheet per vendor with a page break between sheets, laid
//! out for A4. The page is filled from a minijinja template compiled into the binary; the
//! template's name ends in `.html`, so every value is HTML-escaped on output.
//!
//! Statements are formatted from the same row model as the table and Markdown ([`view`]);
//! reconciliations and accounts hand over their tables as a [`Document`].

use super::lang::Lang;
use super::view::{view, View};
use crate::base::word::Word;
use crate::statement::Statement;
use minijinja::{context, Environment};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

const CSS: &str = include_str!("templates/style.css");
const STATEMENTS: &str = include_str!("templates/statements.html");
const DOCUMENT: &str = include_str!("templates/document.html");

/// The labels a template reads as `t.<key>` (`doc.statement` is `t.doc_statement`).
const LABELS: &[&str] = &[
    "doc.statement",
    "party.platform",
    "party.vendor",
    "month",
    "scorecard",
    "item",
    "value",
    "target",
    "weight",
    "points",
    "score",
    "tier",
    "money",
    "money_line",
    "quantity",
    "unit_price",
    "amount",
    "net",
    "in_capitals",
    "deadlines",
    "figures",
    "disputes",
    "warnings",
    "definitions",
    "inputs",
    "file",
    "signature",
    "signed_on",
    "stamp",
    "balance",
];

fn labels(lang: Lang) -> BTreeMap<String, &'static str> {
    LABELS
        .iter()
        .map(|k| (k.replace('.', "_"), lang.t(k)))
        .collect()
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A label or field the template names but the context lacks is a bug, not an empty cell.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // Names ending in .html turn on minijinja's HTML auto-escaping for every `{{ … }}`.
    env.add_template("statements.html", STATEMENTS)
        .expect("the statements template parses");
    env.add_template("document.html", DOCUMENT)
        .expect("the document template parses");
    env
}

/// One scorecard item: its bar is the value against the target, both on 0–100 % of the width.
#[derive(Serialize)]
struct ItemCtx {
    name: String,
    value: String,
    target: String,
    weight: String,
    points: String,
    /// Bar length (0–100), absent without a value.
    bar: Option<String>,
    /// Where the target's mark stands (0–100).
    mark: String,
    met: bool,
}

/// A tier's stretch of the 0–100 score band (drawn 0–200 wide).
#[derive(Serialize)]
struct BandCtx {
    x: String,
    w: String,
    min: String,
    fill: &'static str,
}

#[derive(Serialize)]
struct CardCtx {
    name: String,
    score: String,
    tier: String,
    items: Vec<ItemCtx>,
    bands: Vec<BandCtx>,
    mark: String,
}

#[derive(Serialize)]
struct DisputesCtx {
    path: String,
    sha256: String,
    rows: Vec<[String; 5]>,
}

#[derive(Serialize)]
struct SheetCtx {
    title: String,
    platform: &'static str,
    vendor: String,
    month: String,
    currency: String,
    assessed: bool,
    assessment: String,
    cards: Vec<CardCtx>,
    lines: Vec<[String; 4]>,
    totals: Vec<[String; 2]>,
    net: String,
    settlement: String,
    capitals: Option<String>,
    deadlines: Vec<[String; 2]>,
    figures: Vec<[String; 2]>,
    definitions: Vec<[String; 2]>,
    inputs: Vec<[String; 3]>,
    disputes: Option<DisputesCtx>,
    warnings: Vec<String>,
}

/// `value` (a ratio, 0.9215) as a length on a 0–100 scale, clamped, two decimals.
fn percent(value: Decimal) -> String {
    let p = (value * Decimal::ONE_HUNDRED).clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
    p.round_dp(2).normalize().to_string()
}

/// The fill of a tier: by its consequence, so the colour follows the contract; the tier's name is
/// always written beside the band too (colour never carries the meaning alone).
fn tier_fill(tier: &serde_json::Value) -> &'static str {
    let flag = |k: &str| tier.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
    let penalty = tier
        .get("penalty")
        .and_then(|v| v.as_str())
        .and_then(|p| p.parse::<Decimal>().ok())
        .unwrap_or(Decimal::ZERO);
    if flag("fails_standard") {
        "#c9645a"
    } else if flag("improvement_period") {
        "#e0a84a"
    } else if penalty > Decimal::ZERO {
        "#e7c46a"
    } else {
        "#79a983"
    }
}

/// The tiers of scorecard `name` as the statement's terms record them, drawn as stretches of the
/// band from each tier's minimum to the next one up.
fn bands(s: &Statement, name: &str) -> Vec<BandCtx> {
    let tiers: Vec<(Decimal, &'static str)> = s
        .terms
        .as_ref()
        .and_then(|t| t.get("scorecard"))
        .and_then(|v| v.as_array())
        .and_then(|cards| {
            cards
                .iter()
                .find(|c| c.get("name").and_then(|n| n.as_str()) == Some(name))
        })
        .and_then(|c| c.get("tiers"))
        .and_then(|t| t.as_array())
        .map(|tiers| {
            let mut out: Vec<(Decimal, &'static str)> = tiers
                .iter()
                .filter_map(|t| {
                    let min = t.get("min")?.as_str()?.parse::<Decimal>().ok()?;
                    Some((min, tier_fill(t)))
                })
                .collect();
            out.sort_by_key(|t| t.0);
            out
        })
        .unwrap_or_default();
    let two = Decimal::TWO;
    tiers
        .iter()
        .enumerate()
        .map(|(i, (min, fill))| {
            let end = tiers.get(i + 1).map_or(Decimal::ONE_HUNDRED, |t| t.0);
            BandCtx {
                x: (min * two).normalize().to_string(),
                w: ((end - min) * two).normalize().to_string(),
                min: min.normalize().to_string(),
                fill,
            }
        })
        .collect()
}

fn sheet(s: &Statement, v: View, lang: Lang) -> SheetCtx {
    let cards = s
        .scorecards
        .iter()
        .zip(v.scorecards)
        .map(|(c, cv)| CardCtx {
            items: c
                .items
                .iter()
                .zip(cv.items)
                .map(|(i, [name, value, target, weight, points])| ItemCtx {
                    name,
                    value,
                    target,
                    weight,
                    points,
                    bar: i.value.map(percent),
                    mark: percent(i.target),
                    met: i.value.is_some_and(|v| v >= i.target),
                })
                .collect(),
            bands: bands(s, &c.name),
            mark: (c.score.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED) * Decimal::TWO)
                .round_dp(2)
                .normalize()
                .to_string(),
            name: cv.name,
            score: cv.score,
            tier: cv.tier,
        })
        .collect();
    let mut inputs: Vec<[String; 3]> = s
        .inputs
        .iter()
        .map(|i| {
            [
                i.role.as_str().to_string(),
                i.path.clone(),
                i.sha256.clone(),
            ]
        })
        .collect();
    inputs.push([
        "rates".to_string(),
        s.rates.path.clone(),
        s.rates.sha256.clone(),
    ]);
    SheetCtx {
        title: v.title,
        platform: lang.t("platform"),
        vendor: crate::base::text::message(&format!("{} ({})", s.vendor.name, s.vendor.id)),
        month: s.month.clone(),
        currency: s.currency.clone(),
        assessed: s.assessed,
        assessment: lang
            .t(if s.assessed { "assessed" } else { "trial" })
            .to_string(),
        cards,
        lines: v.lines,
        totals: v.totals,
        net: crate::base::money::grouped(s.totals.net),
        settlement: v.settlement,
        capitals: v.capitals,
        deadlines: v.deadlines,
        figures: v.figures,
        definitions: v.definitions,
        inputs,
        disputes: v.disputes.map(|d| DisputesCtx {
            path: d.path,
            sha256: d.sha256,
            rows: d.rows,
        }),
        warnings: v.warnings,
    }
}

/// The statements as one printable page in `lang`, a sheet per vendor.
pub fn statements(statements: &[Statement], lang: Lang) -> String {
    let sheets: Vec<SheetCtx> = statements
        .iter()
        .map(|s| sheet(s, view(s, lang), lang))
        .collect();
    let month = statements.first().map_or("", |s| s.month.as_str());
    let title = format!("{} {month}", lang.t("doc.statements"));
    environment()
        .get_template("statements.html")
        .expect("added above")
        .render(context! {
            lang => lang.code(),
            title,
            css => CSS,
            t => labels(lang),
            sheets,
            empty => "no statements: no vendor was settled for this month",
        })
        .expect("the statements template renders")
}

/// One statement as its own page.
pub fn statement_one(statement: &Statement, lang: Lang) -> String {
    statements(std::slice::from_ref(statement), lang)
}

/// A table of a [`Document`]: head cells, which columns are figures (right-aligned), rows.
#[derive(Debug, Clone, Serialize)]
pub struct DocTable {
    /// The heading above it.
    pub heading: String,
    /// Column heads.
    pub head: Vec<String>,
    /// Indices of the columns holding figures.
    pub figures: Vec<usize>,
    /// The cells.
    pub rows: Vec<Vec<String>>,
}

/// A balance as a document states it: the figure, who pays whom, and (Chinese, CNY) in capitals.
#[derive(Debug, Clone, Serialize)]
pub struct DocBalance {
    /// `balance`, `net` …
    pub label: String,
    /// The figure with its currency.
    pub amount: String,
    /// Who pays whom, in words.
    pub words: String,
    /// 人民币… in capitals, when the language and currency call for it.
    pub capitals: Option<String>,
}

/// A reconciliation's or an account's sheet: its title and parties, its tables and its balance,
/// with room for both parties' signatures.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// `对账单` …
    pub title: String,
    /// The line under the title.
    pub subtitle: String,
    /// label, value rows naming the parties and the period.
    pub parties: Vec<[String; 2]>,
    /// The balance, shown boxed before the tables.
    pub balance: Option<DocBalance>,
    /// The tables.
    pub tables: Vec<DocTable>,
    /// Notes (rights, warnings, what is signed) under the tables.
    pub notes: Vec<String>,
}

/// Documents (a sheet each) as one printable page in `lang`.
pub fn documents(title: &str, docs: &[Document], lang: Lang) -> String {
    environment()
        .get_template("document.html")
        .expect("added above")
        .render(context! {
            lang => lang.code(),
            title,
            css => CSS,
            t => labels(lang),
            docs,
        })
        .expect("the document template renders")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn bars_are_percent_of_the_width_clamped() {
        assert_eq!(percent(Decimal::from_str("0.9215").unwrap()), "92.15");
        assert_eq!(percent(Decimal::from_str("0.90").unwrap()), "90");
        assert_eq!(percent(Decimal::from_str("1.2").unwrap()), "100");
        assert_eq!(percent(Decimal::from_str("-0.1").unwrap()), "0");
    }

    #[test]
    fn input_text_is_escaped_and_the_page_has_no_script() {
        let doc = Document {
            title: "<script>alert(1)</script>".into(),
            subtitle: "a & b".into(),
            parties: vec![["vendor".into(), "\"quoted\" <b>".into()]],
            balance: None,
            tables: vec![DocTable {
                heading: "h".into(),
                head: vec!["c".into()],
                figures: vec![],
                rows: vec![vec!["<img src=x onerror=1>".into()]],
            }],
            notes: vec![],
        };
        let html = documents("t", &[doc], Lang::En);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("a &amp; b"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }
}
