//! Line items as a reconciliation sees them (SPEC §5, §10): which names the vendor's terms can
//! produce, which count records, and under which item we count an accepted row.

use crate::contract::terms::Terms;
use crate::evidence::takeover_line;
use crate::input::cells::{HandledBy, OrderStatus, TicketKind};
use crate::input::records::Record;
use crate::input::Role;
use crate::statement::{Earning, LineItem, Section, TakenOver};
use crate::tally::{Classification, Timeliness};
use rust_decimal::Decimal;

/// The section of an item: its name up to the first `/`.
pub fn section(item: &str) -> &str {
    item.split('/').next().unwrap_or(item)
}

/// Whether the vendor's terms for the month can produce a line named `item`.
pub fn producible(item: &str, terms: &Terms) -> bool {
    let Ok(item) = item.parse::<LineItem>() else {
        return false;
    };
    let e = &terms.earn;
    match item {
        LineItem::Earn(earning) => match earning {
            Earning::PhoneEffectiveCall => e.phone_effective_call.is_some(),
            Earning::OnlineSession => e.online_session.is_some(),
            Earning::ComplaintResolved => e.complaint_resolved.is_some(),
            Earning::ServiceOrder => e.service_order.is_some(),
            Earning::Commission => e.commission_rate.is_some(),
        },
        LineItem::TakeoverPresales(_) => true,
        LineItem::TakeoverAftersales { package, .. } => {
            terms.packages.iter().any(|p| p.name == package)
        }
        LineItem::TakeoverServiceOrder | LineItem::OverdueWorkOrder => true,
        LineItem::Penalty(card) => terms.scorecards.iter().any(|c| c.name == card),
        LineItem::Incident(kind) => terms.incidents.has(kind),
        LineItem::Termination(TakenOver::WorkOrder | TakenOver::ServiceOrder) => true,
        LineItem::Termination(TakenOver::Repair) => terms.termination.repair.is_some(),
    }
}

/// Whether an item's quantity counts records (earn, takeover and overdue lines).
pub fn counts_records(item: &str) -> bool {
    matches!(
        Section::of(item),
        Some(Section::Earn | Section::Takeover | Section::Overdue)
    )
}

/// The input an item's records are read from.
pub fn role_of(item: &str) -> Option<Role> {
    match item.parse::<LineItem>().ok() {
        Some(LineItem::Earn(Earning::PhoneEffectiveCall | Earning::OnlineSession)) => {
            Some(Role::Calls)
        }
        Some(LineItem::Earn(Earning::ComplaintResolved | Earning::ServiceOrder)) => {
            Some(Role::Tickets)
        }
        Some(LineItem::Earn(Earning::Commission)) => Some(Role::Orders),
        Some(LineItem::TakeoverServiceOrder | LineItem::OverdueWorkOrder) => Some(Role::Tickets),
        _ if Section::of(item) == Some(Section::Takeover) => Some(Role::Calls),
        _ => None,
    }
}

/// An item whose quantity counts records, as a cheap key (its name is built only when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKey {
    /// `earn/phone_effective_call`.
    PhoneEffectiveCall,
    /// `earn/online_session`.
    OnlineSession,
    /// `earn/complaint_resolved`.
    ComplaintResolved,
    /// `earn/service_order`.
    ServiceOrder,
    /// `earn/commission`.
    Commission,
    /// `takeover/…`.
    Takeover(crate::tally::TakeoverItem),
    /// `overdue/work_order`.
    OverdueWorkOrder,
}

impl ItemKey {
    /// The line item.
    pub fn line_item(self, terms: &Terms) -> LineItem {
        match self {
            ItemKey::PhoneEffectiveCall => LineItem::Earn(Earning::PhoneEffectiveCall),
            ItemKey::OnlineSession => LineItem::Earn(Earning::OnlineSession),
            ItemKey::ComplaintResolved => LineItem::Earn(Earning::ComplaintResolved),
            ItemKey::ServiceOrder => LineItem::Earn(Earning::ServiceOrder),
            ItemKey::Commission => LineItem::Earn(Earning::Commission),
            ItemKey::Takeover(t) => takeover_line(t, terms).0,
            ItemKey::OverdueWorkOrder => LineItem::OverdueWorkOrder,
        }
    }

    /// The §5 item name.
    pub fn name(self, terms: &Terms) -> String {
        self.line_item(terms).to_string()
    }

    /// The key of the record item named `name`, if it is one the terms can produce.
    pub fn parse(name: &str, terms: &Terms) -> Option<ItemKey> {
        use crate::tally::TakeoverItem;
        Some(match name.parse::<LineItem>().ok()? {
            LineItem::Earn(Earning::PhoneEffectiveCall) => ItemKey::PhoneEffectiveCall,
            LineItem::Earn(Earning::OnlineSession) => ItemKey::OnlineSession,
            LineItem::Earn(Earning::ComplaintResolved) => ItemKey::ComplaintResolved,
            LineItem::Earn(Earning::ServiceOrder) => ItemKey::ServiceOrder,
            LineItem::Earn(Earning::Commission) => ItemKey::Commission,
            LineItem::TakeoverPresales(c) => ItemKey::Takeover(TakeoverItem::Presales(c)),
            LineItem::TakeoverAftersales { package, channel } => {
                ItemKey::Takeover(TakeoverItem::Aftersales(
                    terms.packages.iter().position(|x| x.name == package)?,
                    channel,
                ))
            }
            LineItem::TakeoverServiceOrder => ItemKey::Takeover(TakeoverItem::ServiceOrder),
            LineItem::OverdueWorkOrder => ItemKey::OverdueWorkOrder,
            _ => return None,
        })
    }
}

/// The item we count an accepted row under, with its amount for commission; `None` when the row
/// earns or costs nothing by record (or the line has no price).
pub fn item_of(
    record: &Record,
    class: &Classification,
    terms: &Terms,
) -> Option<(ItemKey, Option<Decimal>)> {
    let e = &terms.earn;
    match (record, class) {
        (_, Classification::Takeover(t)) => Some((ItemKey::Takeover(*t), None)),
        (Record::Call(c), Classification::Contact { .. }) if c.handled_by == HandledBy::Vendor => {
            let a = c.answered?;
            match c.channel {
                crate::input::cells::Channel::Phone => {
                    let talk = c.ended?.nanos_since(a);
                    let min = crate::base::calendar::secs_to_nanos(
                        terms.contacts.effective_min_talk_seconds,
                    );
                    (talk >= min && e.phone_effective_call.is_some())
                        .then_some((ItemKey::PhoneEffectiveCall, None))
                }
                crate::input::cells::Channel::Online => e
                    .online_session
                    .is_some()
                    .then_some((ItemKey::OnlineSession, None)),
            }
        }
        (Record::Ticket(_), Classification::WorkOrder { verdict, .. }) => {
            (*verdict == Timeliness::Missed).then_some((ItemKey::OverdueWorkOrder, None))
        }
        (Record::Ticket(k), Classification::Plain) if k.handled_by == HandledBy::Vendor => {
            match k.kind {
                TicketKind::Complaint if k.resolved.is_some() && e.complaint_resolved.is_some() => {
                    Some((ItemKey::ComplaintResolved, None))
                }
                TicketKind::ServiceOrder if k.resolved.is_some() && e.service_order.is_some() => {
                    Some((ItemKey::ServiceOrder, None))
                }
                _ => None,
            }
        }
        (Record::Order(o), _)
            if o.status == OrderStatus::Completed && e.commission_rate.is_some() =>
        {
            Some((ItemKey::Commission, Some(o.amount)))
        }
        _ => None,
    }
}

/// Why an accepted row is not counted under `item` (SPEC §10 `not_billable`), in words.
pub fn not_billable(item: &str, record: &Record, class: &Classification, terms: &Terms) -> String {
    let section = Section::of(item);
    let line = item.parse::<LineItem>().ok();
    match record {
        Record::Call(c) => {
            let platform = c.handled_by == HandledBy::Platform;
            if section == Some(Section::Earn) && platform {
                return "handled by the platform".into();
            }
            if section == Some(Section::Takeover) && !platform {
                return "handled by the vendor".into();
            }
            let Some(a) = c.answered else {
                return "not answered".into();
            };
            if line == Some(LineItem::Earn(Earning::PhoneEffectiveCall)) {
                if c.channel == crate::input::cells::Channel::Online {
                    return "an online session, not a phone call".into();
                }
                let Some(end) = c.ended else {
                    return "answered with no ended_at".into();
                };
                let talk = end.nanos_since(a) / 1_000_000_000;
                return format!(
                    "talk {talk} s < {} s",
                    terms.contacts.effective_min_talk_seconds
                );
            }
            if line == Some(LineItem::Earn(Earning::OnlineSession)) {
                return "a phone call, not an online session".into();
            }
            match class {
                Classification::Contact { .. } | Classification::Plain => {
                    "not counted: credited or left out by an auditor's decision".into()
                }
                _ => "not counted under this item".into(),
            }
        }
        Record::Ticket(k) => {
            let platform = k.handled_by == HandledBy::Platform;
            match (&line, class) {
                (Some(LineItem::OverdueWorkOrder), Classification::WorkOrder { verdict, .. }) => {
                    match verdict {
                        Timeliness::Met => "replied on time".into(),
                        Timeliness::Pending => "pending: not yet overdue at the cut-off".into(),
                        Timeliness::TakenOver => "taken over at the end of the contract".into(),
                        Timeliness::Missed => "overdue".into(),
                    }
                }
                _ if section == Some(Section::Earn) && platform => "handled by the platform".into(),
                _ if section == Some(Section::Takeover) && !platform => {
                    "handled by the vendor".into()
                }
                _ if k.resolved.is_none() => "not resolved".into(),
                _ => format!("a {} ticket", ticket_kind(k.kind)),
            }
        }
        Record::Order(o) => match o.status {
            OrderStatus::Refunded => "order refunded".into(),
            OrderStatus::Cancelled => "order cancelled".into(),
            OrderStatus::Completed => "not counted".into(),
        },
        Record::Survey(_) => "a survey response".into(),
    }
}

fn ticket_kind(k: TicketKind) -> &'static str {
    match k {
        TicketKind::WorkOrder => "work order",
        TicketKind::Complaint => "complaint",
        TicketKind::ServiceOrder => "service order",
        TicketKind::Repair => "repair",
    }
}
