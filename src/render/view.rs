//! The row model every human-readable renderer formats: the same rows, in the same order.

use crate::statement::Statement;

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
pub fn verdict(s: &Statement) -> String {
    let cards = s
        .scorecards
        .iter()
        .map(|c| format!("{} {} {}", c.name, c.score, c.tier.label))
        .collect::<Vec<_>>()
        .join(", ");
    let trial = if s.assessed { "" } else { " (trial)" };
    let id = &s.vendor.id;
    let who = match s.settlement.direction {
        "platform_pays_vendor" => format!("platform pays {id}"),
        "vendor_pays_platform" if s.settlement.method == "wire" => {
            format!("{id} wires platform by {}", s.settlement.due_by)
        }
        "vendor_pays_platform" => format!("{id} pays platform (deducted)"),
        _ => "nothing due".to_string(),
    };
    format!(
        "{id} · {cards}{trial} · net {} {} · {who}",
        s.totals.net, s.currency
    )
}

/// Builds the view of a statement.
pub fn view(s: &Statement) -> View {
    let metrics = s
        .metrics
        .0
        .iter()
        .map(|(m, r)| {
            [
                m.as_str().to_string(),
                r.numerator.to_string(),
                r.denominator.to_string(),
                opt(&r.display_value()),
            ]
        })
        .collect();
    let scorecards = s
        .scorecards
        .iter()
        .map(|c| {
            let mut flags = Vec::new();
            if c.tier.improvement_period {
                flags.push("one month to improve");
            }
            if c.tier.fails_standard {
                flags.push("fails the standard: the platform takes over");
            }
            if !s.assessed {
                flags.push("trial — not assessed");
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
                            i.metric.to_string(),
                            opt(&i.value),
                            i.target.to_string(),
                            i.weight.to_string(),
                            i.points.to_string(),
                        ]
                    })
                    .collect(),
                score: c.score.to_string(),
                tier: format!("{} (deduction {}){flags}", c.tier.label, c.tier.penalty),
            }
        })
        .collect();
    let lines = s
        .lines
        .iter()
        .map(|l| {
            [
                l.item.clone(),
                l.quantity.to_string(),
                l.unit_price.to_string(),
                l.amount.to_string(),
            ]
        })
        .collect();
    let t = &s.totals;
    let totals = vec![
        ["earned".to_string(), t.earned.to_string()],
        [
            "fees charged (takeover, overdue, termination)".to_string(),
            t.fees_charged.to_string(),
        ],
        [
            "penalties (tier deductions, incidents)".to_string(),
            t.penalties.to_string(),
        ],
        ["charged".to_string(), t.charged.to_string()],
        ["net".to_string(), t.net.to_string()],
    ];
    let c = &s.contacts;
    let w = &s.work_orders;
    let r = &s.repairs;
    let pair = |k: &str, v: String| [k.to_string(), v];
    let mut figures = vec![
        pair(
            "contacts offered / answered",
            format!("{} / {}", c.offered, c.answered),
        ),
        pair(
            "outside service hours / short abandons",
            format!("{} / {}", c.outside_service_hours, c.short_abandons),
        ),
        pair(
            "avg speed of answer / talk (s)",
            format!(
                "{} / {}",
                opt(&c.average_speed_of_answer_seconds),
                opt(&c.average_talk_seconds)
            ),
        ),
        pair(
            "effective calls / online sessions",
            format!("{} / {}", c.effective_calls, c.online_sessions),
        ),
        pair(
            "takeovers answered / unanswered",
            format!("{} / {}", c.takeovers_answered, c.takeovers_unanswered),
        ),
        pair(
            "work orders on time / overdue / pending",
            format!("{} / {} / {}", w.on_time, w.overdue, w.pending),
        ),
        pair(
            "repairs response ok / failed / pending",
            format!(
                "{} / {} / {}",
                r.response_on_time, r.response_failed, r.response_pending
            ),
        ),
        pair(
            "repairs resolution ok / failed / pending",
            format!(
                "{} / {} / {}",
                r.resolution_on_time, r.resolution_failed, r.resolution_pending
            ),
        ),
        pair(
            "complaints resolved / service orders completed",
            format!("{} / {}", w.complaints_resolved, w.service_orders_completed),
        ),
        pair(
            "completed orders / amount",
            format!("{} / {}", s.orders.completed, s.orders.completed_amount),
        ),
    ];
    for (kind, r) in s.incidents.iter().flat_map(|i| &i.0) {
        let records = |n: Option<u64>| n.map_or_else(String::new, |n| format!(", {n} record(s)"));
        figures.push(pair(
            &format!("{} incidents month / to date", kind.as_str()),
            format!(
                "{}{} / {}{}",
                r.in_month.incidents,
                records(r.in_month.records),
                r.to_date.incidents,
                records(r.to_date.records)
            ),
        ));
        figures.push(pair(
            &format!("{} liability / before / charged", kind.as_str()),
            format!(
                "{} / {} / {}",
                r.liability_to_date, r.charged_before, r.charged
            ),
        ));
        if !r.thresholds_reached.is_empty() || r.termination_right {
            let thresholds: Vec<&str> = r.thresholds_reached.iter().map(|t| t.as_str()).collect();
            figures.push(pair(
                &format!("{} thresholds / termination right", kind.as_str()),
                format!(
                    "{} / {}",
                    if thresholds.is_empty() {
                        "none".to_string()
                    } else {
                        thresholds.join(", ")
                    },
                    if r.termination_right { "yes" } else { "no" }
                ),
            ));
        }
    }
    if let Some(t) = &s.termination {
        figures.push(pair(
            "last day of service / judged at",
            format!("{} / {}", t.contract_end, t.judged_at),
        ));
        figures.push(pair(
            "taken over: work orders / service / repairs",
            format!(
                "{} / {} / {}",
                t.work_orders_taken_over, t.service_orders_taken_over, t.repairs_taken_over
            ),
        ));
        figures.push(pair(
            "vendor replies after the end, ignored",
            t.replies_ignored.to_string(),
        ));
    }
    let d = &s.deadlines;
    let deadlines = vec![
        pair("settlement notice by", d.notice_by.clone()),
        pair("results by", d.results_by.clone()),
        pair("appeal by", d.appeal_by.clone()),
        pair("final by", d.final_by.clone()),
        pair("payment by", d.payment_by.clone()),
    ];
    View {
        title: crate::text::message(&format!(
            "{} ({}) · {} · {}",
            s.vendor.name, s.vendor.id, s.month, s.currency
        )),
        verdict: verdict(s),
        metrics,
        scorecards,
        lines,
        totals,
        figures,
        deadlines,
        settlement: s.settlement.summary.clone(),
        definitions: s
            .definitions
            .0
            .iter()
            .map(|(k, v)| [k.to_string(), v.clone()])
            .collect(),
        warnings: s.warnings.iter().map(|w| crate::text::message(w)).collect(),
        disputes: s.disputes.as_ref().map(|d| DisputesView {
            path: d.path.clone(),
            sha256: d.sha256.clone(),
            rows: d
                .applied
                .iter()
                .map(|a| {
                    [
                        a.line.to_string(),
                        format!("{} {}", a.kind, a.id),
                        a.decision.to_string(),
                        a.reason.clone(),
                        a.decided_by.clone(),
                    ]
                })
                .collect(),
        }),
    }
}
