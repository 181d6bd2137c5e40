//! Per-vendor accumulators: every accepted in-period row is added once; tallies of the same
//! vendor merge by addition, so work split across files or chunks gives the same result in any
//! order (SPEC §4 "What is computed").

pub mod collect;
pub mod disputes;

use crate::base::calendar::secs_to_nanos;
use crate::base::timestamp::{start_of_day, Instant};
use crate::input::cells::{
    Channel, Complexity, HandledBy, OrderStatus, PerChannel, Stage, TicketKind,
};
use crate::input::records::{Call, Order, Record, Survey, Ticket};
use crate::input::vendor::{RowCounts, VendorCtx};
use crate::tally::disputes::Decision;
use chrono::Datelike;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// Whether a deadline was met: a work order's reply, a repair's response or resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Met (on time; a repair's limit kept), or counted so by an auditor's decision.
    Met,
    /// Missed: overdue (a work order) or failed (a repair).
    Missed,
    /// Not done yet and the limit still open at the cut-off: left out of the rate.
    Pending,
    /// Still pending at the end of the contract: taken over by the platform at the vendor's
    /// cost, and left out of the rate like a pending one (SPEC §12).
    TakenOver,
}

/// How a contact of the vendor was counted in the contact metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactCount {
    /// Counted and answered.
    Answered,
    /// Counted and not answered (abandoned).
    Unanswered,
    /// Not answered, and ended sooner than `short_abandon_seconds`: left out and reported.
    ShortAbandon,
    /// Offered outside service hours and left out (`count_outside_hours = false`).
    NotCounted,
}

/// A takeover charged to the vendor: the item the platform handled, by price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TakeoverItem {
    /// A pre-sales contact answered by the platform.
    Presales(Channel),
    /// An after-sales contact answered by the platform: package index, channel.
    Aftersales(usize, Channel),
    /// A service order the platform resolved.
    ServiceOrder,
}

/// What adding one record did, for the evidence behind the figures (`settle --evidence`,
/// `slatement explain`). Copy and free of allocation, so the ordinary settle path pays nothing
/// for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    /// Counted without evidence to show (surveys, orders, complaints, service orders of the
    /// vendor, platform-handled items that carry no charge) or left out by an auditor's
    /// decision.
    Plain,
    /// A contact of the vendor.
    Contact {
        /// Offered outside service hours (reported whether or not it is then counted).
        outside_hours: bool,
        /// How the contact metrics counted it.
        count: ContactCount,
    },
    /// A takeover charged to the vendor.
    Takeover(TakeoverItem),
    /// A vendor service order unresolved at the end of the contract, taken over (SPEC §12).
    ServiceOrderTakenOver,
    /// A work order of the vendor.
    WorkOrder {
        /// On time, overdue or pending.
        verdict: Timeliness,
        /// Business time elapsed from creation to the reply (or, unreplied, to the cut-off),
        /// in nanoseconds; 0 when an auditor's decision settled the verdict.
        elapsed_nanos: i64,
    },
    /// A repair of the vendor.
    Repair {
        /// The response.
        response: Timeliness,
        /// The last instant a response is in time (inclusive).
        respond_by: Instant,
        /// The resolution.
        resolution: Timeliness,
        /// The instant from which a resolution is late (00:00 after the last working day).
        resolve_before: Instant,
    },
}

/// Contacts of one vendor (calls.csv).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactTally {
    /// Contacts counted in the metrics, by channel (phone, online).
    pub offered: PerChannel,
    /// Of those, answered.
    pub answered: PerChannel,
    /// Of those, answered within the service-level threshold.
    pub within_service_level: PerChannel,
    /// Vendor contacts offered outside service hours, by channel.
    pub outside_hours: PerChannel,
    /// Short abandons left out of the metrics, by channel.
    pub short_abandons: PerChannel,
    /// Sum of answer delays of answered metric contacts, in nanoseconds.
    pub answer_delay_nanos: i128,
    /// Sum of talk times of answered metric contacts with an end, in nanoseconds.
    pub talk_nanos: i128,
    /// How many talk times were summed.
    pub talk_count: u64,
    /// Vendor phone calls answered with talk time at least the minimum (billable).
    pub effective_calls: u64,
    /// Vendor online sessions answered (billable).
    pub online_sessions: u64,
    /// Vendor phone calls answered with no end time: talk time unknown, not effective.
    pub answered_without_end: u64,
    /// Every vendor-handled contact of the month.
    pub vendor_contacts: u64,
    /// Platform-handled contacts answered, pre-sales, by channel.
    pub takeover_presales: PerChannel,
    /// Platform-handled contacts answered, after-sales, by package then channel.
    pub takeover_aftersales: Vec<PerChannel>,
    /// Platform-handled contacts never answered (not charged).
    pub platform_unanswered: u64,
}

/// Tickets of one vendor (tickets.csv).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TicketTally {
    /// Work orders replied within the allowance.
    pub work_orders_on_time: u64,
    /// Work orders overdue (late reply, or unreplied past the allowance at the cut-off).
    pub work_orders_overdue: u64,
    /// Of the overdue, those still unreplied.
    pub work_orders_overdue_unreplied: u64,
    /// Unreplied work orders still inside the allowance at the cut-off.
    pub work_orders_pending: u64,
    /// Vendor complaints.
    pub complaints: u64,
    /// Vendor complaints resolved (billable).
    pub complaints_resolved: u64,
    /// Vendor service orders.
    pub service_orders: u64,
    /// Vendor service orders resolved (billable).
    pub service_orders_completed: u64,
    /// Platform-handled service orders resolved (charged as takeovers).
    pub service_order_takeovers: u64,
    /// Platform-handled service orders not resolved (not charged).
    pub service_order_takeovers_unresolved: u64,
    /// Repairs responded to within the limit.
    pub repair_response_ok: u64,
    /// Repairs whose response limit passed.
    pub repair_response_failed: u64,
    /// Repairs unanswered with the limit still open at the cut-off.
    pub repair_response_pending: u64,
    /// Repairs resolved within the working-day limit.
    pub repair_resolution_ok: u64,
    /// Repairs whose resolution limit passed.
    pub repair_resolution_failed: u64,
    /// Repairs unresolved with the limit still open at the cut-off.
    pub repair_resolution_pending: u64,
    /// Platform-handled work orders, complaints and repairs: left out, no price.
    pub platform_left_out: u64,
    /// Work orders pending at the end of the contract (charged as termination/work_order).
    pub work_orders_taken_over: u64,
    /// Vendor service orders unresolved at the end of the contract.
    pub service_orders_taken_over: u64,
    /// Repairs pending at the end of the contract.
    pub repairs_taken_over: u64,
    /// The vendor's replies and resolutions at or after the end of the contract, ignored.
    pub ignored_after_end: u64,
}

/// Sales orders of one vendor (orders.csv).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OrderTally {
    /// Completed orders.
    pub completed: u64,
    /// Sum of completed amounts.
    pub completed_amount: Decimal,
    /// Refunded orders.
    pub refunded: u64,
    /// Cancelled orders.
    pub cancelled: u64,
    /// The sum of completed amounts left exact decimal range: no statement is built.
    pub out_of_range: bool,
}

/// Everything counted for one vendor in one month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VendorTally {
    /// Row counts per role (calls, tickets, surveys, orders).
    pub counts: [RowCounts; 4],
    /// Contacts.
    pub contacts: ContactTally,
    /// Tickets.
    pub tickets: TicketTally,
    /// Survey responses by level; index 1..=5.
    pub ratings: [u64; 6],
    /// Orders.
    pub orders: OrderTally,
    /// Years that working-day counts passed through.
    pub years: BTreeSet<i32>,
}

impl VendorTally {
    /// An empty tally sized for `packages` price packages.
    pub fn new(packages: usize) -> Self {
        VendorTally {
            contacts: ContactTally {
                takeover_aftersales: vec![PerChannel::default(); packages],
                ..ContactTally::default()
            },
            ..VendorTally::default()
        }
    }

    /// Adds one accepted in-period record, and says how it was classified.
    pub fn add(&mut self, record: &Record, ctx: &VendorCtx) -> Classification {
        match record {
            Record::Call(c) => self.add_call(c, ctx, false),
            Record::Ticket(t) => self.add_ticket(t, ctx, false),
            Record::Survey(s) => {
                self.add_survey(s);
                Classification::Plain
            }
            Record::Order(o) => {
                self.add_order(o);
                Classification::Plain
            }
        }
    }

    /// Adds one accepted in-period record as an auditor decided (`slatement rescore`); the
    /// decision has been checked to apply to the record ([`crate::tally::disputes::applies`]).
    /// `exclude` and `not_takeover` leave the record out of every figure; `answered` counts a
    /// contact as answered by the vendor at its offer, with no talk time (a contact the vendor
    /// already answered is added as recorded); `on_time` counts a work order or repair on time.
    pub fn add_decided(
        &mut self,
        record: &Record,
        ctx: &VendorCtx,
        decision: Decision,
    ) -> Classification {
        match (decision, record) {
            (Decision::Exclude | Decision::NotTakeover, _) => Classification::Plain,
            (Decision::Answered, Record::Call(c))
                if c.handled_by == HandledBy::Vendor && c.answered.is_some() =>
            {
                self.add_call(c, ctx, false)
            }
            (Decision::Answered, Record::Call(c)) => self.add_call(c, ctx, true),
            (Decision::OnTime, Record::Ticket(t)) => self.add_ticket(t, ctx, true),
            (_, record) => self.add(record, ctx),
        }
    }

    /// Adds a contact. `credited`: an auditor decided it counts as answered by the vendor — it
    /// is then a vendor contact answered at its offer with no talk time, counted in the metrics
    /// and earning nothing (no billable work is recorded).
    fn add_call(&mut self, c: &Call, ctx: &VendorCtx, credited: bool) -> Classification {
        let ch = c.channel;
        let t = &mut self.contacts;
        if c.handled_by == HandledBy::Platform && !credited {
            // A takeover is priced when answered (SPEC §8 "Money"), and never scored.
            let item = match (c.answered, c.stage, c.package) {
                (None, _, _) => {
                    t.platform_unanswered += 1;
                    return Classification::Plain;
                }
                (Some(_), Stage::Presales, _) => {
                    t.takeover_presales[ch] += 1;
                    TakeoverItem::Presales(c.channel)
                }
                (Some(_), Stage::Aftersales, Some(p)) => {
                    t.takeover_aftersales[p][ch] += 1;
                    TakeoverItem::Aftersales(p, c.channel)
                }
                // Rejected at parse time: an answered after-sales takeover needs a package.
                (Some(_), Stage::Aftersales, None) => unreachable!("checked by parse_call"),
            };
            return Classification::Takeover(item);
        }
        t.vendor_contacts += 1;
        let terms = ctx.terms;
        let (answered, ended) = if credited {
            (Some(c.offered), None)
        } else {
            (c.answered, c.ended)
        };
        // Money covers every in-period contact, whatever the service hours (SPEC §8).
        if let Some(a) = answered.filter(|_| !credited) {
            match c.channel {
                Channel::Phone => match ended {
                    Some(e) => {
                        if e.nanos_since(a)
                            >= secs_to_nanos(terms.contacts.effective_min_talk_seconds)
                        {
                            t.effective_calls += 1;
                        }
                    }
                    None => t.answered_without_end += 1,
                },
                Channel::Online => t.online_sessions += 1,
            }
        }
        let hours = match c.channel {
            Channel::Phone => &terms.service_hours.phone,
            Channel::Online => &terms.service_hours.online,
        };
        let outside_hours = !hours.contains(c.offered, ctx.tz, &terms.calendar);
        let contact = |count| Classification::Contact {
            outside_hours,
            count,
        };
        if outside_hours {
            t.outside_hours[ch] += 1;
            if !terms.service_hours.count_outside_hours {
                return contact(ContactCount::NotCounted);
            }
        }
        if answered.is_none() {
            if let Some(e) = ended {
                if e.nanos_since(c.offered) < secs_to_nanos(terms.contacts.short_abandon_seconds) {
                    t.short_abandons[ch] += 1;
                    return contact(ContactCount::ShortAbandon);
                }
            }
        }
        t.offered[ch] += 1;
        if let Some(a) = answered {
            t.answered[ch] += 1;
            let delay = a.nanos_since(c.offered);
            t.answer_delay_nanos += i128::from(delay);
            // "Within" is inclusive (SPEC §8).
            if delay <= secs_to_nanos(terms.contacts.service_level_seconds) {
                t.within_service_level[ch] += 1;
            }
            if let Some(e) = ended {
                t.talk_nanos += i128::from(e.nanos_since(a));
                t.talk_count += 1;
            }
            contact(ContactCount::Answered)
        } else {
            contact(ContactCount::Unanswered)
        }
    }

    /// Adds a ticket. `on_time`: an auditor decided the work order or repair is on time (a
    /// repair: its response and its resolution).
    fn add_ticket(&mut self, k: &Ticket, ctx: &VendorCtx, on_time: bool) -> Classification {
        let terms = ctx.terms;
        let t = &mut self.tickets;
        if k.handled_by == HandledBy::Platform {
            match k.kind {
                TicketKind::ServiceOrder if k.resolved.is_some() => {
                    t.service_order_takeovers += 1;
                    return Classification::Takeover(TakeoverItem::ServiceOrder);
                }
                TicketKind::ServiceOrder => t.service_order_takeovers_unresolved += 1,
                _ => t.platform_left_out += 1,
            }
            return Classification::Plain;
        }
        // At the end of the contract the vendor's later replies and resolutions are ignored:
        // the vendor had left (SPEC §12).
        let left = if let Some(e) = ctx.ended {
            let mut left = *k;
            let before = |at: Option<Instant>| at.filter(|at| *at < e);
            left.first_reply = before(k.first_reply);
            left.resolved = before(k.resolved);
            t.ignored_after_end += u64::from(left.first_reply != k.first_reply)
                + u64::from(left.resolved != k.resolved);
            Some(left)
        } else {
            None
        };
        let k = left.as_ref().unwrap_or(k);
        let taken_over = ctx.ended.is_some();
        match k.kind {
            TicketKind::WorkOrder => {
                let wo = &terms.work_orders;
                let allowance = secs_to_nanos(wo.reply_within_seconds);
                let clock = |to| {
                    wo.business_hours
                        .business_nanos(k.created, to, ctx.tz, &terms.calendar)
                };
                if wo.business_hours.observe_holidays {
                    // The clock reads the holiday calendar from creation to reply or cut-off.
                    let end = k
                        .first_reply
                        .or(ctx.judged_until())
                        .unwrap_or(k.created)
                        .max(k.created);
                    let (from, to) = (k.created.local_date(ctx.tz), end.local_date(ctx.tz));
                    self.years.extend(from.year()..=to.year());
                }
                let (verdict, elapsed_nanos) = match k.first_reply {
                    _ if on_time => (Timeliness::Met, 0),
                    // Replies count whenever they happened, even after the cut-off (SPEC §8).
                    Some(r) => {
                        let elapsed = clock(r);
                        if elapsed <= allowance {
                            (Timeliness::Met, elapsed)
                        } else {
                            (Timeliness::Missed, elapsed)
                        }
                    }
                    // Without a cut-off (`check` with no month) nothing is judged pending;
                    // the clock is not run to the end of time.
                    None if ctx.judged_until().is_none() => (Timeliness::Pending, 0),
                    None => {
                        let elapsed = clock(ctx.cutoff);
                        if elapsed > allowance {
                            t.work_orders_overdue_unreplied += 1;
                            (Timeliness::Missed, elapsed)
                        } else {
                            (Timeliness::Pending, elapsed)
                        }
                    }
                };
                let verdict = match verdict {
                    Timeliness::Pending if taken_over => Timeliness::TakenOver,
                    v => v,
                };
                match verdict {
                    Timeliness::Met => t.work_orders_on_time += 1,
                    Timeliness::Missed => t.work_orders_overdue += 1,
                    Timeliness::Pending => t.work_orders_pending += 1,
                    Timeliness::TakenOver => t.work_orders_taken_over += 1,
                }
                Classification::WorkOrder {
                    verdict,
                    elapsed_nanos,
                }
            }
            TicketKind::Complaint => {
                t.complaints += 1;
                if k.resolved.is_some() {
                    t.complaints_resolved += 1;
                }
                Classification::Plain
            }
            TicketKind::ServiceOrder => {
                t.service_orders += 1;
                if k.resolved.is_some() {
                    t.service_orders_completed += 1;
                } else if taken_over {
                    t.service_orders_taken_over += 1;
                    return Classification::ServiceOrderTakenOver;
                }
                Classification::Plain
            }
            TicketKind::Repair => {
                let r = &terms.repairs;
                // Respond within clock hours, inclusive; unanswered fails once the limit has
                // passed at the cut-off.
                let limit = k.created.plus_seconds(r.respond_within_seconds);
                let response = match k.first_reply {
                    _ if on_time => Timeliness::Met,
                    Some(at) if at <= limit => Timeliness::Met,
                    Some(_) => Timeliness::Missed,
                    None if ctx.cutoff > limit => Timeliness::Missed,
                    None => Timeliness::Pending,
                };
                match response {
                    Timeliness::Met => t.repair_response_ok += 1,
                    Timeliness::Missed => t.repair_response_failed += 1,
                    Timeliness::Pending | Timeliness::TakenOver => t.repair_response_pending += 1,
                }
                // Resolve before 00:00 after the N-th working day following the creation date.
                let n = match k.complexity {
                    Complexity::Simple => r.resolve_simple_days,
                    Complexity::Complex => r.resolve_complex_days,
                };
                let last_day = terms.calendar.nth_working_day_after(
                    k.created.local_date(ctx.tz),
                    n,
                    &mut self.years,
                );
                let deadline = start_of_day(ctx.tz, last_day.succ_opt().expect("date in range"));
                let resolution = match k.resolved {
                    _ if on_time => Timeliness::Met,
                    Some(at) if at < deadline => Timeliness::Met,
                    Some(_) => Timeliness::Missed,
                    None if ctx.cutoff >= deadline => Timeliness::Missed,
                    None => Timeliness::Pending,
                };
                // A repair still open at the end of the contract passes to the platform.
                let resolution = match resolution {
                    Timeliness::Pending if taken_over => Timeliness::TakenOver,
                    v => v,
                };
                match resolution {
                    Timeliness::Met => t.repair_resolution_ok += 1,
                    Timeliness::Missed => t.repair_resolution_failed += 1,
                    Timeliness::Pending => t.repair_resolution_pending += 1,
                    Timeliness::TakenOver => t.repairs_taken_over += 1,
                }
                Classification::Repair {
                    response,
                    respond_by: limit,
                    resolution,
                    resolve_before: deadline,
                }
            }
        }
    }

    fn add_survey(&mut self, s: &Survey) {
        self.ratings[usize::from(s.level)] += 1;
    }

    fn add_order(&mut self, o: &Order) {
        let t = &mut self.orders;
        match o.status {
            OrderStatus::Completed => {
                t.completed += 1;
                match crate::base::money::checked_sum([t.completed_amount, o.amount]) {
                    Some(sum) => t.completed_amount = sum,
                    None => t.out_of_range = true,
                }
            }
            OrderStatus::Refunded => t.refunded += 1,
            OrderStatus::Cancelled => t.cancelled += 1,
        }
    }

    /// Adds another tally of the same vendor.
    pub fn merge(&mut self, o: &VendorTally) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            a.merge(b);
        }
        let (c, d) = (&mut self.contacts, &o.contacts);
        c.offered.add(&d.offered);
        c.answered.add(&d.answered);
        c.within_service_level.add(&d.within_service_level);
        c.outside_hours.add(&d.outside_hours);
        c.short_abandons.add(&d.short_abandons);
        c.answer_delay_nanos += d.answer_delay_nanos;
        c.talk_nanos += d.talk_nanos;
        c.talk_count += d.talk_count;
        c.effective_calls += d.effective_calls;
        c.online_sessions += d.online_sessions;
        c.answered_without_end += d.answered_without_end;
        c.vendor_contacts += d.vendor_contacts;
        c.takeover_presales.add(&d.takeover_presales);
        for (a, b) in c.takeover_aftersales.iter_mut().zip(&d.takeover_aftersales) {
            a.add(b);
        }
        c.platform_unanswered += d.platform_unanswered;
        let (t, u) = (&mut self.tickets, &o.tickets);
        t.work_orders_on_time += u.work_orders_on_time;
        t.work_orders_overdue += u.work_orders_overdue;
        t.work_orders_overdue_unreplied += u.work_orders_overdue_unreplied;
        t.work_orders_pending += u.work_orders_pending;
        t.complaints += u.complaints;
        t.complaints_resolved += u.complaints_resolved;
        t.service_orders += u.service_orders;
        t.service_orders_completed += u.service_orders_completed;
        t.service_order_takeovers += u.service_order_takeovers;
        t.service_order_takeovers_unresolved += u.service_order_takeovers_unresolved;
        t.repair_response_ok += u.repair_response_ok;
        t.repair_response_failed += u.repair_response_failed;
        t.repair_response_pending += u.repair_response_pending;
        t.repair_resolution_ok += u.repair_resolution_ok;
        t.repair_resolution_failed += u.repair_resolution_failed;
        t.repair_resolution_pending += u.repair_resolution_pending;
        t.platform_left_out += u.platform_left_out;
        t.work_orders_taken_over += u.work_orders_taken_over;
        t.service_orders_taken_over += u.service_orders_taken_over;
        t.repairs_taken_over += u.repairs_taken_over;
        t.ignored_after_end += u.ignored_after_end;
        for (a, b) in self.ratings.iter_mut().zip(&o.ratings) {
            *a += b;
        }
        self.orders.completed += o.orders.completed;
        match crate::base::money::checked_sum([
            self.orders.completed_amount,
            o.orders.completed_amount,
        ]) {
            Some(sum) => self.orders.completed_amount = sum,
            None => self.orders.out_of_range = true,
        }
        self.orders.out_of_range |= o.orders.out_of_range;
        self.orders.refunded += o.orders.refunded;
        self.orders.cancelled += o.orders.cancelled;
        self.years.extend(o.years.iter().copied());
    }
}
