//! Line items as a reconciliation sees them (SPEC §5, §10): which names the vendor's terms can
//! produce, which count records, and under which item we count an accepted row.

use crate::contract::terms::{IncidentKind, Terms};
use crate::evidence::takeover_item;
use crate::input::cells::{HandledBy, OrderStatus, TicketKind};
use crate::input::records::Record;
use crate::input::Role;
use crate::tally::{Classification, Timeliness};
use rust_decimal::Decimal;

/// The section of an item: its name up to the first `/`.
pub fn section(item: &str) -> &str {
    item.split('/').next().unwrap_or(item)
}

/// Whether the vendor's terms for the month can produce a line named `item`.
pub fn producible(item: &str, terms: &Terms) -> bool {
    let parts: Vec<&str> = item.split('/').collect();
    let e = &terms.earn;
    match parts.as_slice() {
        ["earn", "phone_effective_call"] => e.phone_effective_call.is_some(),
        ["earn", "online_session"] => e.online_session.is_some(),
        ["earn", "complaint_resolved"] => e.complaint_resolved.is_some(),
        ["earn", "service_order"] => e.service_order.is_some(),
        ["earn", "commission"] => e.commission_rate.is_some(),
        ["takeover", "presales", "phone" | "online"] => true,
        ["takeover", "aftersales", package, "phone" | "online"] => {
            terms.packages.iter().any(|p| p.name == *package)
        }
        ["takeover", "service_order"] | ["overdue", "work_order"] => true,
        ["penalty", card] => terms.scorecards.iter().any(|c| c.name == *card),
        ["incident", kind] => IncidentKind::parse(kind.as_bytes())
            .is_some_and(|k| k.as_str() == *kind && terms.incidents.has(k)),
        ["termination", "work_order" | "service_order"] => true,
        ["termination", "repair"] => terms.termination.repair.is_some(),
        _ => false,
    }
}

/// Whether an item's quantity counts records (earn, takeover and overdue lines).
pub fn counts_records(item: &str) -> bool {
    matches!(section(item), "earn" | "takeover" | "overdue")
}

/// The input an item's records are read from.
pub fn role_of(item: &str) -> Option<Role> {
    match item {
        "earn/phone_effective_call" | "earn/online_session" => Some(Role::Calls),
        "earn/complaint_resolved" | "earn/service_order" => Some(Role::Tickets),
        "earn/commission" => Some(Role::Orders),
        "takeover/service_order" | "overdue/work_order" => Some(Role::Tickets),
        _ if item.starts_with("takeover/") => Some(Role::Calls),
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
    /// The §5 item name.
    pub fn name(self, terms: &Terms) -> String {
        match self {
            ItemKey::PhoneEffectiveCall => "earn/phone_effective_call".into(),
            ItemKey::OnlineSession => "earn/online_session".into(),
            ItemKey::ComplaintResolved => "earn/complaint_resolved".into(),
            ItemKey::ServiceOrder => "earn/service_order".into(),
            ItemKey::Commission => "earn/commission".into(),
            ItemKey::Takeover(t) => takeover_item(t, terms).0,
            ItemKey::OverdueWorkOrder => "overdue/work_order".into(),
        }
    }

    /// The key of the record item named `name`, if it is one the terms can produce.
    pub fn parse(name: &str, terms: &Terms) -> Option<ItemKey> {
        use crate::input::cells::Channel;
        use crate::tally::TakeoverItem;
        let channel = |c: &str| match c {
            "phone" => Some(Channel::Phone),
            "online" => Some(Channel::Online),
            _ => None,
        };
        let parts: Vec<&str> = name.split('/').collect();
        Some(match parts.as_slice() {
            ["earn", "phone_effective_call"] => ItemKey::PhoneEffectiveCall,
            ["earn", "online_session"] => ItemKey::OnlineSession,
            ["earn", "complaint_resolved"] => ItemKey::ComplaintResolved,
            ["earn", "service_order"] => ItemKey::ServiceOrder,
            ["earn", "commission"] => ItemKey::Commission,
            ["takeover", "presales", c] => ItemKey::Takeover(TakeoverItem::Presales(channel(c)?)),
            ["takeover", "aftersales", p, c] => ItemKey::Takeover(TakeoverItem::Aftersales(
                terms.packages.iter().position(|x| x.name == *p)?,
                channel(c)?,
            )),
            ["takeover", "service_order"] => ItemKey::Takeover(TakeoverItem::ServiceOrder),
            ["overdue", "work_order"] => ItemKey::OverdueWorkOrder,
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
    match record {
        Record::Call(c) => {
            let platform = c.handled_by == HandledBy::Platform;
            if section(item) == "earn" && platform {
                return "handled by the platform".into();
            }
            if section(item) == "takeover" && !platform {
                return "handled by the vendor".into();
            }
            let Some(a) = c.answered else {
                return "not answered".into();
            };
            if item == "earn/phone_effective_call" {
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
            if item == "earn/online_session" {
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
            match (item, class) {
                ("overdue/work_order", Classification::WorkOrder { verdict, .. }) => {
                    match verdict {
                        Timeliness::Met => "replied on time".into(),
                        Timeliness::Pending => "pending: not yet overdue at the cut-off".into(),
                        Timeliness::TakenOver => "taken over at the end of the contract".into(),
                        Timeliness::Missed => "overdue".into(),
                    }
                }
                _ if section(item) == "earn" && platform => "handled by the platform".into(),
                _ if section(item) == "takeover" && !platform => "handled by the vendor".into(),
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
