//! The row model every human-readable renderer formats: the same rows, in the same order.

use super::lang::Lang;
use crate::base::capitals::capitals;
use crate::base::money::grouped;
use crate::base::word::Word;
use crate::contract::terms::SettlementMethod;
use crate::statement::{Direction, Statement};
use rust_decimal::Decimal;

/// Rows of one statement, as text cells.
pub struct View {
    /// `Acme Service Co. (acme) · 2026-10 · CNY`.
    pub title: String,
    /// One line: score, tier, net and who pays whom.
    pub verdict: String,
    /// metric, numerator, denominator, value.
    pub metrics: Vec<[String; 4]>,
    /// Per scorecard: name, score line, items (metric, value, target, weight, points), tier line.
    pub scorecards: Vec<CardView>,
    /// item, quantity, unit price, amount.
    pub lines: Vec<[String; 4]>,
    /// label, amount.
    pub totals: Vec<[String; 2]>,
    /// label, value pairs of the figures behind the metrics.
    pub figures: Vec<[String; 2]>,
    /// label, date.
    pub deadlines: Vec<[String; 2]>,
    /// Who pays whom, how and by when, in words.
    pub settlement: String,
    /// In Chinese, a CNY net also in capitals with who pays whom (`人民币柒仟…（甲方付乙方）`).
    pub capitals: Option<String>,
    /// name, rule in words.
    pub definitions: Vec<[String; 2]>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// The auditor's decisions of a re-scored statement; None when settled as recorded.
    pub disputes: Option<DisputesView>,
}

/// The auditor's decisions applied to a re-scored statement.
pub struct DisputesView {
    /// The disputes file as given.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// line, record (`contact C1`), decision, reason, decided by.
    pub rows: Vec<[String; 5]>,
}

/// One scorecard's rows.
pub struct CardView {
    /// Scorecard name.
    pub name: String,
    /// metric, value, target, weight, points.
    pub items: Vec<[String; 5]>,
    /// `92.40`.
    pub score: String,
    /// `excellent (penalty 0.00)` and flags.
    pub tier: String,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "—".to_string(), ToString::to_string)
}

/// The one-line verdict of a statement: score, tier, net and who pays whom, short enough for
/// 100 columns.
pub fn verdict(s: &Statement, lang: Lang) -> String {
    let cards = s
        .scorecards
        .iter()
        .map(|c| format!("{} {} {}", c.name, c.score, c.tier.label))
        .collect::<Vec<_>>()
        .join(", ");
    let trial = if s.assessed {
        String::new()
    } else {
        format!(" {}", lang.t("verdict.trial"))
    };
    let id = &s.vendor.id;
    let key = match (s.settlement.direction, s.settlement.method) {
        (Direction::PlatformPaysVendor, _) => "verdict.platform",
        (Direction::VendorPaysPlatform, SettlementMethod::Wire) => "verdict.vendor_wire",
        (Direction::VendorPaysPlatform, SettlementMethod::Deduct) => "verdict.vendor_deduct",
        (Direction::NothingDue, _) => "verdict.nothing",
    };
    let who = lang
        .t(key)
        .replace("{vendor}", id)
        .replace("{date}", &s.settlement.due_by);
    format!(
        "{id} · {cards}{trial} · {} {} {} · {who}",
        lang.t("net"),
        grouped(s.totals.net),
        s.currency
    )
}

/// Who pays whom, how and by when, in words (the statement's `settlement`, in `lang`, with the
/// amount's thousands separated).
pub fn settlement_words(s: &Statement, lang: Lang) -> String {
    let key = match (s.settlement.direction, s.settlement.method) {
        (Direction::PlatformPaysVendor, _) => "pays.platform",
        (Direction::VendorPaysPlatform, SettlementMethod::Wire) => "pays.vendor_wire",
        (Direction::VendorPaysPlatform, SettlementMethod::Deduct) => "pays.vendor_deduct",
        (Direction::NothingDue, _) => "pays.nothing",
    };
    lang.t(key)
        .replace("{vendor}", &crate::base::text::message(&s.vendor.name))
        .replace("{amount}", &grouped(s.settlement.amount))
        .replace("{currency}", &s.currency)
        .replace("{date}", &s.settlement.due_by)
}

/// In Chinese, a CNY amount in capitals with who pays whom: `人民币柒仟柒佰捌拾陆元肆角柒分（甲方付乙方）`.
/// `platform_pays` is the sign of the amount as the document reads it (positive: the platform
/// pays the vendor). None in English, for another currency, and from 1万亿 on (figures only).
pub fn capitals_words(amount: Decimal, currency: &str, lang: Lang) -> Option<String> {
    if lang != Lang::Zh || currency != "CNY" {
        return None;
    }
    let words = capitals(amount)?;
    let who = if amount > Decimal::ZERO {
        lang.t("capitals.platform")
    } else if amount < Decimal::ZERO {
        lang.t("capitals.vendor")
    } else {
        lang.t("capitals.nothing")
    };
    Some(format!("人民币{words}（{who}）"))
}

/// A line amount as the human forms show it: a charge as a deduction, with a minus sign.
pub fn signed(amount: Decimal, charge: bool) -> String {
    if charge && !amount.is_zero() {
        grouped(-amount)
    } else {
        grouped(amount)
    }
}

/// Builds the view of a statement.
pub fn view(s: &Statement, lang: Lang) -> View {
    let metrics = s
        .metrics
        .0
        .iter()
        .map(|(m, r)| {
            [
                lang.metric(m.as_str()),
                grouped(r.numerator.into()),
                grouped(r.denominator.into()),
                opt(&r.value),
            ]
        })
        .collect();
    let scorecards = s
        .scorecards
        .iter()
        .map(|c| {
            let mut flags = Vec::new();
            if c.tier.improvement_period {
                flags.push(lang.t("improve"));
            }
            if c.tier.fails_standard {
                flags.push(lang.t("fails"));
            }
            if !s.assessed {
                flags.push(lang.t("trial"));
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!("; {}", flags.join("; "))
            };
            CardView {
                name: c.name.clone(),
                items: c
                    .items
                    .iter()
                    .map(|i| {
                        [
                            lang.metric(i.metric.as_str()),
                            opt(&i.value),
                            i.target.to_string(),
                            i.weight.to_string(),
                            i.points.to_string(),
                        ]
                    })
                    .collect(),
                score: c.score.to_string(),
                tier: format!(
                    "{} ({} {}){flags}",
                    c.tier.label,
                    lang.t("deduction"),
                    grouped(c.tier.penalty)
                ),
            }
        })
        .collect();
    let lines = s
        .lines
        .iter()
        .map(|l| {
            let words = l.item.words();
            [
                words[usize::from(lang == Lang::Zh)].clone(),
                grouped(l.quantity),
                grouped(l.unit_price),
                signed(l.amount, l.section.is_charge()),
            ]
        })
        .collect();
    let t = &s.totals;
    let totals = vec![
        [lang.t("earned").to_string(), grouped(t.earned)],
        [
            lang.t("fees_charged").to_string(),
            signed(t.fees_charged, true),
        ],
        [lang.t("penalties").to_string(), signed(t.penalties, true)],
        [lang.t("charged").to_string(), signed(t.charged, true)],
        [lang.t("net").to_string(), grouped(t.net)],
    ];
    let c = &s.contacts;
    let w = &s.work_orders;
    let r = &s.repairs;
    let pair = |k: &str, v: String| [lang.t(k).to_string(), v];
    let n = |v: u64| grouped(v.into());
    let mut figures = vec![
        pair(
            "fig.contacts",
            format!("{} / {}", n(c.offered), n(c.answered)),
        ),
        pair(
            "fig.outside",
            format!("{} / {}", c.outside_service_hours, c.short_abandons),
        ),
        pair(
            "fig.speed",
            format!(
                "{} / {}",
                opt(&c.average_speed_of_answer_seconds),
                opt(&c.average_talk_seconds)
            ),
        ),
        pair(
            "fig.effective",
            format!("{} / {}", n(c.effective_calls), n(c.online_sessions)),
        ),
        pair(
            "fig.takeovers",
            format!("{} / {}", c.takeovers_answered, c.takeovers_unanswered),
        ),
        pair(
            "fig.work_orders",
            format!("{} / {} / {}", w.on_time, w.overdue, w.pending),
        ),
        pair(
            "fig.repair_response",
            format!(
                "{} / {} / {}",
                r.response_on_time, r.response_failed, r.response_pending
            ),
        ),
        pair(
            "fig.repair_resolution",
            format!(
                "{} / {} / {}",
                r.resolution_on_time, r.resolution_failed, r.resolution_pending
            ),
        ),
        pair(
            "fig.complaints",
            format!("{} / {}", w.complaints_resolved, w.service_orders_completed),
        ),
        pair(
            "fig.orders",
            format!(
                "{} / {}",
                n(s.orders.completed),
                grouped(s.orders.completed_amount)
            ),
        ),
    ];
    for (kind, r) in s.incidents.iter().flat_map(|i| &i.0) {
        let records =
            |n: Option<u64>| n.map_or_else(String::new, |n| format!(", {n} {}", lang.t("records")));
        let kind_words = lang.t(&format!("incident.{}", kind.as_str()));
        let label = |key: &str| [format!("{kind_words} {}", lang.t(key)), String::new()];
        let mut row = label("fig.incidents");
        row[1] = format!(
            "{}{} / {}{}",
            r.in_month.incidents,
            records(r.in_month.records),
            r.to_date.incidents,
            records(r.to_date.records)
        );
        figures.push(row);
        let mut row = label("fig.liability");
        row[1] = format!(
            "{} / {} / {}",
            grouped(r.liability_to_date),
            grouped(r.charged_before),
            grouped(r.charged)
        );
        figures.push(row);
        if !r.thresholds_reached.is_empty() || r.termination_right {
            let thresholds: Vec<&str> = r.thresholds_reached.iter().map(|t| t.as_str()).collect();
            let mut row = label("fig.thresholds");
            row[1] = format!(
                "{} / {}",
                if thresholds.is_empty() {
                    lang.t("none").to_string()
                } else {
                    thresholds.join(", ")
                },
                lang.t(if r.termination_right { "yes" } else { "no" })
            );
            figures.push(row);
        }
    }
    if let Some(t) = &s.termination {
        figures.push(pair(
            "fig.end",
            format!("{} / {}", t.contract_end, t.judged_at),
        ));
        figures.push(pair(
            "fig.taken_over",
            format!(
                "{} / {} / {}",
                t.work_orders_taken_over, t.service_orders_taken_over, t.repairs_taken_over
            ),
        ));
        figures.push(pair("fig.replies_ignored", t.replies_ignored.to_string()));
    }
    let d = &s.deadlines;
    let mut deadlines = vec![
        pair("deadline.notice_by", d.notice_by.clone()),
        pair("deadline.results_by", d.results_by.clone()),
        pair("deadline.appeal_by", d.appeal_by.clone()),
        pair("deadline.final_by", d.final_by.clone()),
        pair("deadline.payment_by", d.payment_by.clone()),
    ];
    // In date order (ISO dates sort as text); the sort is stable, so a tie keeps SPEC §10's order.
    deadlines.sort_by(|a, b| a[1].cmp(&b[1]));
    View {
        title: crate::base::text::message(&format!(
            "{} ({}) · {} · {}",
            s.vendor.name, s.vendor.id, s.month, s.currency
        )),
        verdict: verdict(s, lang),
        metrics,
        scorecards,
        lines,
        totals,
        figures,
        deadlines,
        settlement: settlement_words(s, lang),
        capitals: capitals_words(s.totals.net, &s.currency, lang),
        definitions: s
            .definitions
            .0
            .iter()
            .map(|(k, v)| [lang.metric(k), v.clone()])
            .collect(),
        warnings: s
            .warnings
            .iter()
            .map(|w| crate::base::text::message(w))
            .collect(),
        disputes: s.disputes.as_ref().map(|d| DisputesView {
            path: d.path.clone(),
            sha256: d.sha256.clone(),
            rows: d
                .applied
                .iter()
                .map(|a| {
                    [
                        a.line.to_string(),
                        format!("{} {}", a.kind.as_str(), a.id),
                        a.decision.as_str().to_string(),
                        a.reason.clone(),
                        a.decided_by.clone(),
                    ]
                })
                .collect(),
        }),
    }
}
