//! The money lines of a month in their fixed order, their totals and the settlement they come to
//! (SPEC §4 "Money lines", §5).

use super::model::*;
use crate::base::money::{at_least_scale, checked_line_amount, checked_sum};
use crate::contract::terms::{ChannelPrices, IncidentKind, SettlementMethod, Terms, Vendor};
use crate::statement::incidents::Incidents;
use crate::statement::items::{Channel, Direction, Earning, LineItem, Section, TakenOver};
use crate::tally::VendorTally;
use rust_decimal::Decimal;

pub(super) fn count(n: u64) -> Decimal {
    Decimal::from(n)
}

/// A money line's name in words, in English and in the contracts' Chinese, for the human forms
/// (SPEC §13), by [`LineItem::words`]; a name that is no line item is shown as is.
pub fn item_words(item: &str) -> [String; 2] {
    item.parse::<LineItem>()
        .map_or_else(|_| [item.to_string(), item.to_string()], |i| i.words())
}

/// The money lines of a month, in fixed order (SPEC §4 "Money lines"); quantity-0 lines are left
/// out, and so are penalty and incident lines of no amount.
pub fn money_lines(
    t: &VendorTally,
    terms: &Terms,
    penalties: &[(String, Decimal)],
    incidents: Option<&Incidents>,
) -> Result<Vec<Line>, OutOfRange> {
    let (scale, mode) = (terms.money.scale, terms.money.rounding);
    let mut lines = Vec::new();
    let mut out_of_range = None;
    let mut push = |item: LineItem, quantity: Decimal, unit: Decimal| {
        if quantity.is_zero() {
            return;
        }
        match checked_line_amount(quantity, unit, scale, mode) {
            Some(amount) => lines.push(Line {
                section: item.section(),
                item,
                quantity,
                unit_price: at_least_scale(unit, scale),
                amount,
            }),
            None => {
                out_of_range.get_or_insert(OutOfRange(format!("{item} ({quantity} × {unit})")));
            }
        }
    };
    let e = &terms.earn;
    let c = &t.contacts;
    let k = &t.tickets;
    for earning in Earning::ALL {
        let (rate, qty) = match earning {
            Earning::PhoneEffectiveCall => (e.phone_effective_call, count(c.effective_calls)),
            Earning::OnlineSession => (e.online_session, count(c.online_sessions)),
            Earning::ComplaintResolved => (e.complaint_resolved, count(k.complaints_resolved)),
            Earning::ServiceOrder => (e.service_order, count(k.service_orders_completed)),
            Earning::Commission => (e.commission_rate, t.orders.completed_amount),
        };
        if let Some(rate) = rate {
            push(LineItem::Earn(earning), qty, rate);
        }
    }
    let tk = &terms.takeover;
    let price = |prices: &ChannelPrices, ch: Channel| match ch {
        Channel::Phone => prices.phone,
        Channel::Online => prices.online,
    };
    for channel in Channel::ALL {
        push(
            LineItem::TakeoverPresales(channel),
            count(c.takeover_presales[channel]),
            price(&tk.presales, channel),
        );
    }
    for (p, package) in terms.packages.iter().enumerate() {
        for channel in Channel::ALL {
            push(
                LineItem::TakeoverAftersales {
                    package: package.name.clone(),
                    channel,
                },
                count(c.takeover_aftersales[p][channel]),
                price(&tk.aftersales[p], channel),
            );
        }
    }
    push(
        LineItem::TakeoverServiceOrder,
        count(k.service_order_takeovers),
        tk.service_order,
    );
    push(
        LineItem::OverdueWorkOrder,
        count(k.work_orders_overdue),
        terms.work_orders.overdue_charge,
    );
    for (name, penalty) in penalties {
        if *penalty > Decimal::ZERO {
            push(LineItem::Penalty(name.clone()), Decimal::ONE, *penalty);
        }
    }
    for kind in IncidentKind::ALL {
        let Some((quantity, unit)) = incidents.and_then(|i| i.line(kind, &terms.incidents)) else {
            continue;
        };
        if checked_line_amount(quantity, unit, scale, mode).is_none_or(|a| a > Decimal::ZERO) {
            push(LineItem::Incident(kind), quantity, unit);
        }
    }
    let end = &terms.termination;
    push(
        LineItem::Termination(TakenOver::WorkOrder),
        count(k.work_orders_taken_over),
        end.work_order,
    );
    push(
        LineItem::Termination(TakenOver::ServiceOrder),
        count(k.service_orders_taken_over),
        end.service_order,
    );
    if let Some(price) = end.repair {
        push(
            LineItem::Termination(TakenOver::Repair),
            count(k.repairs_taken_over),
            price,
        );
    }
    match out_of_range {
        Some(e) => Err(e),
        None => Ok(lines),
    }
}

/// A figure beyond exact decimal arithmetic (about 7.9 × 10^28), named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange(pub String);

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is beyond exact decimal arithmetic (about 7.9 × 10^28); no figure is rounded to fit: check the inputs for absurd amounts",
            self.0
        )
    }
}

/// Totals of the lines: sums of rounded amounts, so lines always add up exactly.
pub fn totals(lines: &[Line], scale: u32) -> Result<Totals, OutOfRange> {
    let out = |what: &str| OutOfRange(format!("the total {what}"));
    let sum = |what: &str, f: &dyn Fn(&Line) -> bool| {
        let mut s = checked_sum(lines.iter().filter(|l| f(l)).map(|l| l.amount))
            .ok_or_else(|| out(what))?;
        s.rescale(scale);
        Ok::<Decimal, OutOfRange>(s)
    };
    let earned = sum("earned", &|l| l.section == Section::Earn)?;
    let fees_charged = sum("fees_charged", &|l| l.section.is_fee())?;
    let penalties = sum("penalties", &|l| l.section.is_penalty())?;
    let mut charged = checked_sum([fees_charged, penalties]).ok_or_else(|| out("charged"))?;
    charged.rescale(scale);
    let mut net = earned.checked_sub(charged).ok_or_else(|| out("net"))?;
    net.rescale(scale);
    Ok(Totals {
        earned,
        fees_charged,
        penalties,
        charged,
        net,
    })
}

pub(super) fn money_text(v: Decimal, currency: &str) -> String {
    format!("{v} {currency}")
}

pub(super) fn settlement_of(
    totals: &Totals,
    method: SettlementMethod,
    payment_by: &str,
    vendor: &Vendor,
    currency: &str,
) -> Settlement {
    let net = totals.net;
    let (direction, summary) = if net > Decimal::ZERO {
        (
            Direction::PlatformPaysVendor,
            format!(
                "The platform pays {} {} by {payment_by}.",
                vendor.name,
                money_text(net, currency)
            ),
        )
    } else if net < Decimal::ZERO {
        let owed = money_text(-net, currency);
        (
            Direction::VendorPaysPlatform,
            match method {
                SettlementMethod::Deduct => format!(
                    "{} owes the platform {owed}: deducted from the platform's next payment to the vendor (001 §4.6).",
                    vendor.name
                ),
                SettlementMethod::Wire => format!(
                    "{} owes the platform {owed}: to be wired to the platform by {payment_by} (001 §4.6).",
                    vendor.name
                ),
            },
        )
    } else {
        (
            Direction::NothingDue,
            "Nothing is owed either way.".to_string(),
        )
    };
    Settlement {
        direction,
        amount: net.abs(),
        method,
        due_by: payment_by.to_string(),
        summary,
    }
}
