//! The rows behind each figure (`settle --evidence DIR`, `slatement explain`): overdue and
//! pending work orders with their deadlines, failed and pending repairs with their limits,
//! unanswered, short-abandoned and outside-hours contacts, takeovers with their price, and
//! rejected rows with their reasons. Every row points to the file and physical line it was read
//! from.
//!
//! Evidence is collected only when asked ([`Collect`](crate::tally::collect::Collect)): the month
//! keeps each accepted row whose [`Classification`] shows in a figure, with its line and id
//! ([`Noted`]); this module turns those into typed rows ([`build`]) and tables
//! ([`render_tables`]), and traces one work order's or repair's deadline ([`trace`]).
//! `settle --evidence` keeps no rows: [`stream`] formats each as it is taken, through the same
//! typed rows, and [`files`] lays the files out.

pub mod preview;
pub mod stream;

use crate::base::calendar::{ClosedReason, WalkStep};
use crate::base::money::at_least_scale;
use crate::base::text::duration_text;
use crate::base::timestamp::{start_of_day, Instant, Month};
use crate::contract::rates::Rates;
use crate::contract::terms::{Terms, Vendor};
use crate::input::cells::{Channel, Complexity, HandledBy, Stage, TicketKind, Word};
use crate::input::incidents::Incident;
use crate::input::records::Record;
use crate::input::Reject;
use crate::month::Settled;
use crate::render::csv::{escape_text, escaped};
use crate::statement::LineItem;
use crate::tally::collect::Noted;
use crate::tally::{Classification, ContactCount, TakeoverItem, Timeliness};
use crate::write::rejects_csv;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// Nanoseconds in a hundredth of a minute (0.6 s): the resolution minutes are shown at.
const CENTIMINUTE: i64 = 600_000_000;

/// Where an evidence row was read: the input file as given and the physical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file, as given.
    pub file: String,
    /// The physical line the record starts on.
    pub line: u64,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// An overdue or pending work order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkOrderRow {
    /// Where it was read.
    pub source: Source,
    /// `ticket_id`.
    pub id: String,
    /// When it reached the vendor.
    pub created: Instant,
    /// When the allowance of business time runs out; `None` when the business hours never open.
    pub deadline: Option<Instant>,
    /// The first reply, if any.
    pub first_reply: Option<Instant>,
    /// Business time from creation to the reply, or (unreplied) to the cut-off, in nanoseconds.
    pub elapsed_nanos: i64,
    /// The allowance, in nanoseconds of business time.
    pub allowance_nanos: i64,
    /// Overdue ([`Timeliness::Missed`]) or pending.
    pub verdict: Timeliness,
}

/// A repair whose response or resolution failed or is pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairRow {
    /// Where it was read.
    pub source: Source,
    /// `ticket_id`.
    pub id: String,
    /// Simple or complex.
    pub complexity: Complexity,
    /// When it reached the vendor.
    pub created: Instant,
    /// The last instant a response is in time (inclusive).
    pub respond_by: Instant,
    /// The first response, if any.
    pub first_reply: Option<Instant>,
    /// Ok, failed or pending.
    pub response: Timeliness,
    /// A resolution at or after this instant is late (00:00 after the last working day).
    pub resolve_before: Instant,
    /// The resolution, if any.
    pub resolved: Option<Instant>,
    /// Ok, failed or pending.
    pub resolution: Timeliness,
}

/// Why a contact is evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactReason {
    /// Offered outside service hours (`outside service hours` figure).
    OutsideHours,
    /// Not answered and ended sooner than `short_abandon_seconds`: left out of the metrics.
    ShortAbandon,
    /// Counted in the contact metrics and not answered.
    Unanswered,
}

impl ContactReason {
    /// The reason as written in `contacts.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactReason::OutsideHours => "outside_hours",
            ContactReason::ShortAbandon => "short_abandon",
            ContactReason::Unanswered => "unanswered",
        }
    }
}

/// An unanswered, short-abandoned or outside-hours contact of the vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    /// Where it was read.
    pub source: Source,
    /// `contact_id`.
    pub id: String,
    /// Phone or online.
    pub channel: Channel,
    /// Pre- or after-sales.
    pub stage: Stage,
    /// When it reached the queue.
    pub offered: Instant,
    /// When an agent answered.
    pub answered: Option<Instant>,
    /// When it ended.
    pub ended: Option<Instant>,
    /// Why it is listed.
    pub reason: ContactReason,
}

/// A takeover charged to the vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakeoverRow {
    /// Where it was read.
    pub source: Source,
    /// `contact_id` or `ticket_id`.
    pub id: String,
    /// The money line it is counted in, e.g. `takeover/aftersales/package1/phone`.
    pub item: String,
    /// The line's unit price.
    pub unit_price: Decimal,
}

/// The evidence of one settled vendor, each list in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorEvidence {
    /// Vendor id.
    pub id: String,
    /// Vendor name.
    pub name: String,
    /// Overdue and pending work orders.
    pub work_orders: Vec<WorkOrderRow>,
    /// Failed and pending repairs.
    pub repairs: Vec<RepairRow>,
    /// Unanswered, short-abandoned and outside-hours contacts.
    pub contacts: Vec<ContactRow>,
    /// Takeovers charged, calls first, then tickets (service orders taken over at the end of
    /// the contract among them).
    pub takeovers: Vec<TakeoverRow>,
    /// The incidents counted up to the end of the month, in register order.
    pub incidents: Vec<IncidentRow>,
}

/// An incident of the register counted towards the month's liability (SPEC §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    /// Where it was read.
    pub source: Source,
    /// The incident.
    pub incident: Incident,
    /// In the settled month (else an earlier one).
    pub in_month: bool,
    /// Excluded by an auditor's decision: it counts nowhere.
    pub excluded: bool,
}

/// The evidence of one settled month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthEvidence {
    /// The month.
    pub month: Month,
    /// The contract time zone (timestamps are written in it).
    pub tz: Tz,
    /// The cut-off pending items were judged at.
    pub cutoff: Instant,
    /// One entry per settled vendor, in statement order.
    pub vendors: Vec<VendorEvidence>,
    /// Every rejected row of the run, file by file.
    pub rejected: Vec<Reject>,
    /// Whether an incident register was read (its evidence file is then written).
    pub register: bool,
}

/// The money line a takeover is counted in, with its unit price.
pub fn takeover_line(item: TakeoverItem, terms: &Terms) -> (LineItem, Decimal) {
    let tk = &terms.takeover;
    let price = |p: &crate::contract::terms::ChannelPrices, ch: Channel| match ch {
        Channel::Phone => p.phone,
        Channel::Online => p.online,
    };
    match item {
        TakeoverItem::Presales(ch) => (LineItem::TakeoverPresales(ch), price(&tk.presales, ch)),
        TakeoverItem::Aftersales(p, ch) => (
            LineItem::TakeoverAftersales {
                package: terms.packages[p].name.clone(),
                channel: ch,
            },
            price(&tk.aftersales[p], ch),
        ),
        TakeoverItem::ServiceOrder => (LineItem::TakeoverServiceOrder, tk.service_order),
    }
}

/// The name of the money line a takeover is counted in, with its unit price.
pub fn takeover_item(item: TakeoverItem, terms: &Terms) -> (String, Decimal) {
    let (line, price) = takeover_line(item, terms);
    (line.to_string(), price)
}

/// Builds the evidence of a month settled with [`Collect::Figures`](crate::tally::collect::Collect::Figures): one entry per statement.
pub fn build(settled: &Settled, rates: &Rates, month: Month, cutoff: Instant) -> MonthEvidence {
    let tz = rates.timezone;
    let mut vendors = Vec::new();
    for s in &settled.statements {
        let Some(index) = rates.vendors.iter().position(|v| v.id == s.vendor.id) else {
            continue;
        };
        let terms = rates.terms_for(&s.vendor.id, month);
        let mut ev = VendorEvidence {
            id: s.vendor.id.clone(),
            name: s.vendor.name.clone(),
            ..VendorEvidence::default()
        };
        let ended = ended_at(&rates.vendors[index], tz, cutoff);
        for file in &settled.noted {
            for n in file.rows.iter().filter(|n| n.vendor == index) {
                add_row(&mut ev, &file.path, &as_judged(n.clone(), ended), terms, tz);
            }
        }
        ev.incidents = incident_rows(settled, index, month.bounds(tz).0);
        vendors.push(ev);
    }
    MonthEvidence {
        month,
        tz,
        cutoff,
        vendors,
        rejected: settled.rejects.clone(),
        register: settled.register.is_some(),
    }
}

/// The incidents of the register counted towards the month's liability of the vendor at `index`
/// (none when no register was read), `start` being the start of the month.
fn incident_rows(settled: &Settled, index: usize, start: Instant) -> Vec<IncidentRow> {
    let Some((path, list)) = &settled.register else {
        return Vec::new();
    };
    list.iter()
        .filter(|(x, _)| x.vendor == index)
        .map(|(x, excluded)| IncidentRow {
            source: Source {
                file: path.clone(),
                line: x.line,
            },
            incident: x.clone(),
            in_month: x.occurred >= start,
            excluded: *excluded,
        })
        .collect()
}

/// E, the end of `vendor`'s contract, when a run with `cutoff` judged its work there (SPEC §12).
pub fn ended_at(vendor: &Vendor, tz: Tz, cutoff: Instant) -> Option<Instant> {
    vendor
        .contract_end
        .and_then(|d| d.succ_opt())
        .map(|d| start_of_day(tz, d))
        .filter(|e| cutoff >= *e)
}

/// A row as it was judged: at the end of a contract the vendor's replies and resolutions from
/// E on were ignored (SPEC §12), so they are not shown either.
pub fn as_judged(mut n: Noted, ended: Option<Instant>) -> Noted {
    if let (Some(e), Record::Ticket(t)) = (ended, &mut n.record) {
        if t.handled_by == HandledBy::Vendor {
            t.first_reply = t.first_reply.filter(|at| *at < e);
            t.resolved = t.resolved.filter(|at| *at < e);
        }
    }
    n
}

fn add_row(ev: &mut VendorEvidence, file: &str, n: &Noted, terms: &Terms, tz: Tz) {
    let source = || Source {
        file: file.to_string(),
        line: n.line,
    };
    match (n.class, n.record) {
        (
            Classification::WorkOrder {
                verdict,
                elapsed_nanos,
            },
            Record::Ticket(t),
        ) if verdict != Timeliness::Met => {
            let wo = &terms.work_orders;
            let allowance_nanos = wo.reply_within_seconds * 1_000_000_000;
            ev.work_orders.push(WorkOrderRow {
                source: source(),
                id: n.id.clone(),
                created: t.created,
                deadline: wo.business_hours.deadline(
                    t.created,
                    allowance_nanos,
                    tz,
                    &terms.calendar,
                ),
                first_reply: t.first_reply,
                elapsed_nanos,
                allowance_nanos,
                verdict,
            });
        }
        (
            Classification::Repair {
                response,
                respond_by,
                resolution,
                resolve_before,
            },
            Record::Ticket(t),
        ) if response != Timeliness::Met || resolution != Timeliness::Met => {
            ev.repairs.push(RepairRow {
                source: source(),
                id: n.id.clone(),
                complexity: t.complexity,
                created: t.created,
                respond_by,
                first_reply: t.first_reply,
                response,
                resolve_before,
                resolved: t.resolved,
                resolution,
            });
        }
        (
            Classification::Contact {
                outside_hours,
                count,
            },
            Record::Call(c),
        ) => {
            let reasons = [
                outside_hours.then_some(ContactReason::OutsideHours),
                (count == ContactCount::ShortAbandon).then_some(ContactReason::ShortAbandon),
                (count == ContactCount::Unanswered).then_some(ContactReason::Unanswered),
            ];
            for reason in reasons.into_iter().flatten() {
                ev.contacts.push(ContactRow {
                    source: source(),
                    id: n.id.clone(),
                    channel: c.channel,
                    stage: c.stage,
                    offered: c.offered,
                    answered: c.answered,
                    ended: c.ended,
                    reason,
                });
            }
        }
        (Classification::ServiceOrderTakenOver, _) => {
            ev.takeovers.push(TakeoverRow {
                source: source(),
                id: n.id.clone(),
                item: "termination/service_order".into(),
                unit_price: at_least_scale(terms.termination.service_order, terms.money.scale),
            });
        }
        (Classification::Takeover(item), _) => {
            let (item, price) = takeover_item(item, terms);
            ev.takeovers.push(TakeoverRow {
                source: source(),
                id: n.id.clone(),
                item,
                unit_price: at_least_scale(price, terms.money.scale),
            });
        }
        _ => {}
    }
}

/// Business time in minutes, rounded up to 2 decimals and shown without trailing zeros (`180`,
/// `187.5`, `0.02`): rounding up never shows an overdue work order at or under a whole-minute
/// allowance.
pub fn minutes_text(nanos: i64) -> String {
    let hundredths = (nanos.max(0) + CENTIMINUTE - 1) / CENTIMINUTE;
    Decimal::new(hundredths, 2).normalize().to_string()
}

/// Business time as `H:MM:SS` (with the fraction of a second when there is one), exact: the
/// parts of a trace add up to its total.
pub fn hms_text(nanos: i64) -> String {
    let n = nanos.max(0);
    let secs = n / 1_000_000_000;
    let frac = n % 1_000_000_000;
    let base = format!("{}:{:02}:{:02}", secs / 3600, (secs % 3600) / 60, secs % 60);
    if frac == 0 {
        base
    } else {
        format!("{base}.{}", format!("{frac:09}").trim_end_matches('0'))
    }
}

fn work_order_verdict(v: Timeliness) -> &'static str {
    match v {
        Timeliness::Met => "on_time",
        Timeliness::Missed => "overdue",
        Timeliness::Pending => "pending",
        Timeliness::TakenOver => "taken_over",
    }
}

fn repair_verdict(v: Timeliness) -> &'static str {
    match v {
        Timeliness::Met => "ok",
        Timeliness::Missed => "failed",
        Timeliness::Pending => "pending",
        Timeliness::TakenOver => "taken_over",
    }
}

/// An instant as local wall-clock text in `tz` (`2026-10-13 10:25:00`, with the fraction when
/// there is one), for tables.
pub fn local_text(t: Instant, tz: Tz) -> String {
    t.to_local_text(tz)
}

fn local_opt(t: Option<Instant>, tz: Tz) -> String {
    t.map_or_else(String::new, |t| local_text(t, tz))
}

fn csv_of(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("memory");
    for r in rows {
        w.write_record(&r).expect("memory");
    }
    w.into_inner().expect("memory")
}

/// A vendor's evidence file listing rows of the month's inputs, one per kind of row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFile {
    /// `work_orders.csv`: the overdue and pending work orders.
    WorkOrders,
    /// `repairs.csv`: the repairs whose response or resolution failed or is pending.
    Repairs,
    /// `contacts.csv`: unanswered, short-abandoned and outside-hours contacts.
    Contacts,
    /// `takeovers.csv`: the takeovers charged, with their money line and unit price.
    Takeovers,
}

impl RowFile {
    /// Every such file, in the order a vendor's files are written.
    pub const ALL: [RowFile; 4] = [
        RowFile::WorkOrders,
        RowFile::Repairs,
        RowFile::Contacts,
        RowFile::Takeovers,
    ];

    /// The file's name in the vendor's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            RowFile::WorkOrders => "work_orders.csv",
            RowFile::Repairs => "repairs.csv",
            RowFile::Contacts => "contacts.csv",
            RowFile::Takeovers => "takeovers.csv",
        }
    }

    /// The file's header row.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            RowFile::WorkOrders => &[
                "file",
                "line",
                "ticket_id",
                "created_at",
                "deadline",
                "first_reply_at",
                "elapsed_business_minutes",
                "allowance_minutes",
                "verdict",
            ],
            RowFile::Repairs => &[
                "file",
                "line",
                "ticket_id",
                "complexity",
                "created_at",
                "respond_by",
                "first_reply_at",
                "response",
                "resolve_before",
                "resolved_at",
                "resolution",
            ],
            RowFile::Contacts => &[
                "file",
                "line",
                "contact_id",
                "channel",
                "stage",
                "offered_at",
                "answered_at",
                "ended_at",
                "reason",
            ],
            RowFile::Takeovers => &["file", "line", "id", "item", "unit_price"],
        }
    }

    /// A writer of the file, its header written.
    pub fn writer(self) -> csv::Writer<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(self.header()).expect("memory");
        w
    }

    /// The file with its header and no row.
    pub fn header_only(self) -> Vec<u8> {
        self.writer().into_inner().expect("memory")
    }
}

/// One row of an evidence file being written, cell by cell, through one reused buffer: no
/// `String` per cell.
pub struct RowOut<'w> {
    w: &'w mut csv::Writer<Vec<u8>>,
    buf: &'w mut String,
}

impl<'w> RowOut<'w> {
    /// A row appended to `w`, `buf` holding each formatted cell in turn.
    pub fn new(w: &'w mut csv::Writer<Vec<u8>>, buf: &'w mut String) -> RowOut<'w> {
        RowOut { w, buf }
    }

    /// A cell as it is.
    fn text(&mut self, s: &str) -> &mut Self {
        self.w.write_field(s).expect("memory");
        self
    }

    /// A text cell a spreadsheet could run as a formula, escaped ([`escaped`]).
    fn escaped(&mut self, s: &str) -> &mut Self {
        self.w.write_field(escaped(s).as_bytes()).expect("memory");
        self
    }

    /// A cell formatted by `Display`.
    fn shown(&mut self, v: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write;
        self.buf.clear();
        write!(self.buf, "{v}").expect("memory");
        self.w.write_field(self.buf.as_bytes()).expect("memory");
        self
    }

    /// An instant as RFC 3339 in `tz`, or an empty cell.
    fn time(&mut self, t: Option<Instant>, tz: Tz) -> &mut Self {
        self.buf.clear();
        if let Some(t) = t {
            t.push_rfc3339(tz, self.buf);
        }
        self.w.write_field(self.buf.as_bytes()).expect("memory");
        self
    }

    /// Ends the row.
    fn end(&mut self) {
        self.w.write_record(None::<&[u8]>).expect("memory");
    }
}

/// Writes a `work_orders.csv` row.
pub fn write_work_order(out: &mut RowOut, r: &WorkOrderRow, tz: Tz) {
    out.escaped(&r.source.file)
        .shown(r.source.line)
        .escaped(&r.id)
        .time(Some(r.created), tz)
        .time(r.deadline, tz)
        .time(r.first_reply, tz)
        .text(&minutes_text(r.elapsed_nanos))
        .text(&minutes_text(r.allowance_nanos))
        .text(work_order_verdict(r.verdict))
        .end();
}

/// Writes a `repairs.csv` row.
pub fn write_repair(out: &mut RowOut, r: &RepairRow, tz: Tz) {
    out.escaped(&r.source.file)
        .shown(r.source.line)
        .escaped(&r.id)
        .text(Word::as_str(r.complexity))
        .time(Some(r.created), tz)
        .time(Some(r.respond_by), tz)
        .time(r.first_reply, tz)
        .text(repair_verdict(r.response))
        .time(Some(r.resolve_before), tz)
        .time(r.resolved, tz)
        .text(repair_verdict(r.resolution))
        .end();
}

/// Writes a `contacts.csv` row.
pub fn write_contact(out: &mut RowOut, r: &ContactRow, tz: Tz) {
    out.escaped(&r.source.file)
        .shown(r.source.line)
        .escaped(&r.id)
        .text(r.channel.as_str())
        .text(Word::as_str(r.stage))
        .time(Some(r.offered), tz)
        .time(r.answered, tz)
        .time(r.ended, tz)
        .text(r.reason.as_str())
        .end();
}

/// Writes a `takeovers.csv` row.
pub fn write_takeover(out: &mut RowOut, r: &TakeoverRow) {
    out.escaped(&r.source.file)
        .shown(r.source.line)
        .escaped(&r.id)
        .escaped(&r.item)
        .shown(r.unit_price)
        .end();
}

/// `incidents.csv`: the incidents counted up to the end of the month (SPEC §9).
pub fn incidents_csv(rows: &[IncidentRow], tz: Tz) -> Vec<u8> {
    csv_of(
        &[
            "file",
            "line",
            "incident_id",
            "kind",
            "occurred_at",
            "records",
            "to_competitor",
            "wide",
            "period",
            "counted",
        ],
        rows.iter().map(|r| {
            let x = &r.incident;
            vec![
                escape_text(&r.source.file),
                r.source.line.to_string(),
                escape_text(&x.id),
                x.kind.as_str().to_string(),
                local_text(x.occurred, tz),
                x.records.to_string(),
                x.to_competitor.to_string(),
                x.wide.to_string(),
                incident_period(r).to_string(),
                incident_counted(r).to_string(),
            ]
        }),
    )
}

fn incident_period(r: &IncidentRow) -> &'static str {
    if r.in_month {
        "in_month"
    } else {
        "earlier"
    }
}

fn incident_counted(r: &IncidentRow) -> &'static str {
    if r.excluded {
        "excluded_by_dispute"
    } else {
        "yes"
    }
}

/// The evidence files of a month under `dir`: per vendor `DIR/<month>/<vendor>/work_orders.csv`,
/// `repairs.csv`, `contacts.csv`, `takeovers.csv` (each given as `rows`, already formatted, see
/// [`stream::Streaming`]), `incidents.csv` when a register was read, and `DIR/<month>/rejected.csv`.
/// Every file is planned, header-only when it has no row, so a stale one never survives a later
/// run.
pub fn files(
    dir: &Path,
    settled: &Settled,
    rates: &Rates,
    month: Month,
    mut rows: impl FnMut(usize, RowFile) -> Vec<u8>,
) -> Vec<(PathBuf, Vec<u8>)> {
    let month_dir = dir.join(month.to_string());
    let tz = rates.timezone;
    let mut planned = Vec::new();
    for s in &settled.statements {
        let Some(index) = rates.vendors.iter().position(|v| v.id == s.vendor.id) else {
            continue;
        };
        let d = month_dir.join(&s.vendor.id);
        for file in RowFile::ALL {
            planned.push((d.join(file.file_name()), rows(index, file)));
        }
        if settled.register.is_some() {
            let incidents = incident_rows(settled, index, month.bounds(tz).0);
            planned.push((d.join("incidents.csv"), incidents_csv(&incidents, tz)));
        }
    }
    planned.push((
        month_dir.join("rejected.csv"),
        rejects_csv(&settled.rejects),
    ));
    planned
}

/// The kinds of evidence `explain` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Overdue and pending work orders.
    WorkOrders,
    /// Failed and pending repairs.
    Repairs,
    /// Unanswered, short-abandoned and outside-hours contacts.
    Contacts,
    /// Takeovers charged.
    Takeovers,
    /// Incidents counted up to the month.
    Incidents,
    /// Rejected rows.
    Rejected,
}

impl Section {
    /// Every section, in print order.
    pub const ALL: [Section; 6] = [
        Section::WorkOrders,
        Section::Repairs,
        Section::Contacts,
        Section::Takeovers,
        Section::Incidents,
        Section::Rejected,
    ];
}

/// A table that never wraps: each evidence row stays on one line, so it can be searched by id
/// or `file:line`.
pub(crate) fn table(header: &[&str], right: &[usize]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    for &i in right {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn count_of<T>(rows: &[T], f: impl Fn(&T) -> bool) -> usize {
    rows.iter().filter(|r| f(r)).count()
}

/// The evidence as tables, vendor by vendor, then the rejected rows; only `sections` are shown.
pub fn render_tables(ev: &MonthEvidence, sections: &[Section]) -> String {
    let tz = ev.tz;
    let has = |s: Section| sections.contains(&s);
    let mut out = String::new();
    if ev.vendors.is_empty() {
        out.push_str(&format!(
            "no vendor was settled for {}: no evidence to show\n",
            ev.month
        ));
    }
    for (i, v) in ev.vendors.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "{} ({}) · {} · cut-off {} · times in {}\n",
            v.name,
            v.id,
            ev.month,
            local_text(ev.cutoff, tz),
            tz.name()
        ));
        if has(Section::WorkOrders) {
            let w = &v.work_orders;
            let taken = count_of(w, |r| r.verdict == Timeliness::TakenOver);
            out.push_str(&format!(
                "\nwork orders overdue: {}, pending: {}{}\n",
                count_of(w, |r| r.verdict == Timeliness::Missed),
                count_of(w, |r| r.verdict == Timeliness::Pending),
                if taken > 0 {
                    format!(", taken over at the end of the contract: {taken}")
                } else {
                    String::new()
                }
            ));
            if !w.is_empty() {
                let mut t = table(
                    &[
                        "source",
                        "ticket",
                        "created",
                        "deadline",
                        "first reply",
                        "elapsed min",
                        "allowed min",
                        "verdict",
                    ],
                    &[5, 6],
                );
                for r in w {
                    t.add_row(vec![
                        r.source.to_string(),
                        crate::base::text::shown(&r.id),
                        local_text(r.created, tz),
                        local_opt(r.deadline, tz),
                        local_opt(r.first_reply, tz),
                        minutes_text(r.elapsed_nanos),
                        minutes_text(r.allowance_nanos),
                        work_order_verdict(r.verdict).into(),
                    ]);
                }
                out.push_str(&format!("{t}\n"));
            }
        }
        if has(Section::Repairs) {
            let r = &v.repairs;
            let taken = count_of(r, |x| x.resolution == Timeliness::TakenOver);
            out.push_str(&format!(
                "\nrepairs response failed: {}, pending: {}; resolution failed: {}, pending: {}{}\n",
                count_of(r, |x| x.response == Timeliness::Missed),
                count_of(r, |x| x.response == Timeliness::Pending),
                count_of(r, |x| x.resolution == Timeliness::Missed),
                count_of(r, |x| x.resolution == Timeliness::Pending),
                if taken > 0 {
                    format!(", taken over at the end of the contract: {taken}")
                } else {
                    String::new()
                }
            ));
            if !r.is_empty() {
                let mut t = table(
                    &[
                        "source",
                        "ticket",
                        "complexity",
                        "created",
                        "respond by",
                        "first reply",
                        "response",
                        "resolve before",
                        "resolved",
                        "resolution",
                    ],
                    &[],
                );
                for x in r {
                    t.add_row(vec![
                        x.source.to_string(),
                        crate::base::text::shown(&x.id),
                        Word::as_str(x.complexity).into(),
                        local_text(x.created, tz),
                        local_text(x.respond_by, tz),
                        local_opt(x.first_reply, tz),
                        repair_verdict(x.response).into(),
                        local_text(x.resolve_before, tz),
                        local_opt(x.resolved, tz),
                        repair_verdict(x.resolution).into(),
                    ]);
                }
                out.push_str(&format!("{t}\n"));
            }
        }
        if has(Section::Contacts) {
            let c = &v.contacts;
            out.push_str(&format!(
                "\ncontacts unanswered: {}, short abandons: {}, outside service hours: {}\n",
                count_of(c, |x| x.reason == ContactReason::Unanswered),
                count_of(c, |x| x.reason == ContactReason::ShortAbandon),
                count_of(c, |x| x.reason == ContactReason::OutsideHours),
            ));
            if !c.is_empty() {
                let mut t = table(
                    &[
                        "source", "contact", "channel", "stage", "offered", "answered", "ended",
                        "reason",
                    ],
                    &[],
                );
                for x in c {
                    t.add_row(vec![
                        x.source.to_string(),
                        crate::base::text::shown(&x.id),
                        x.channel.as_str().into(),
                        Word::as_str(x.stage).into(),
                        local_text(x.offered, tz),
                        local_opt(x.answered, tz),
                        local_opt(x.ended, tz),
                        x.reason.as_str().into(),
                    ]);
                }
                out.push_str(&format!("{t}\n"));
            }
        }
        if has(Section::Takeovers) {
            let k = &v.takeovers;
            out.push_str(&format!("\ntakeovers charged: {}\n", k.len()));
            if !k.is_empty() {
                let mut t = table(&["source", "id", "item", "unit price"], &[3]);
                for x in k {
                    t.add_row(vec![
                        x.source.to_string(),
                        crate::base::text::shown(&x.id),
                        x.item.clone(),
                        x.unit_price.to_string(),
                    ]);
                }
                out.push_str(&format!("{t}\n"));
            }
        }
        if has(Section::Incidents) && ev.register {
            let i = &v.incidents;
            out.push_str(&format!(
                "\nincidents counted to date: {} ({} in {}, {} excluded by an auditor)\n",
                count_of(i, |r| !r.excluded),
                count_of(i, |r| r.in_month && !r.excluded),
                ev.month,
                count_of(i, |r| r.excluded)
            ));
            if !i.is_empty() {
                let mut t = table(
                    &[
                        "source",
                        "incident",
                        "kind",
                        "occurred",
                        "records",
                        "to competitor",
                        "wide",
                        "period",
                        "counted",
                    ],
                    &[4],
                );
                for r in i {
                    let x = &r.incident;
                    t.add_row(vec![
                        r.source.to_string(),
                        crate::base::text::shown(&x.id),
                        x.kind.as_str().into(),
                        local_text(x.occurred, tz),
                        x.records.to_string(),
                        x.to_competitor.to_string(),
                        x.wide.to_string(),
                        incident_period(r).into(),
                        incident_counted(r).into(),
                    ]);
                }
                out.push_str(&format!("{t}\n"));
            }
        }
    }
    if has(Section::Rejected) {
        out.push_str(&format!(
            "\nrejected rows of {}: {}\n",
            ev.month,
            ev.rejected.len()
        ));
        if !ev.rejected.is_empty() {
            let mut t = table(&["source", "column", "reason", "row"], &[]);
            for r in &ev.rejected {
                t.add_row(vec![
                    format!("{}:{}", r.file, r.line),
                    crate::base::text::shown(&r.column),
                    crate::base::text::shown(&r.reason),
                    crate::base::text::shown(&r.raw),
                ]);
            }
            out.push_str(&format!("{t}\n"));
        }
    }
    out
}

/// Why a ticket cannot be traced, in words (`explain --ticket`): no accepted row of the month
/// has the id (`found` is `None`), or the row found (with its file and vendor) is not a vendor
/// work order or repair.
pub fn untraceable(id: &str, month: Month, found: Option<(&Noted, &str, &Vendor)>) -> String {
    match found {
        None => format!(
            "no work order or repair with id {id} in {month}: no accepted tickets row of the month has that ticket_id for the vendors settled (rows of other months, rejected rows and rows of vendors not settled are not traced; `slatement check` lists rejected rows)"
        ),
        Some((n, file, v)) => {
            let what = match n.record {
                Record::Ticket(t) => match (t.kind, t.handled_by) {
                    (TicketKind::WorkOrder | TicketKind::Repair, HandledBy::Platform) => format!(
                        "a {} handled by the platform: it is left out of the vendor's figures and has no deadline to trace",
                        kind_text(t.kind)
                    ),
                    (kind, _) => format!("a {}: no deadline applies to it", kind_text(kind)),
                },
                _ => "not a ticket".to_string(),
            };
            format!(
                "no work order or repair with id {id} in {month}: {file}:{} is {what} (vendor {})",
                n.line, v.id
            )
        }
    }
}

fn kind_text(k: TicketKind) -> &'static str {
    match k {
        TicketKind::WorkOrder => "work order",
        TicketKind::Complaint => "complaint",
        TicketKind::ServiceOrder => "service order",
        TicketKind::Repair => "repair",
    }
}

/// What a trace needs besides the row.
pub struct TraceContext<'a> {
    /// The input file the row was read from, as given.
    pub file: &'a str,
    /// The row's vendor.
    pub vendor: &'a Vendor,
    /// The vendor's terms for the month.
    pub terms: &'a Terms,
    /// The contract time zone.
    pub tz: Tz,
    /// The settled month.
    pub month: Month,
    /// The cut-off pending items are judged at.
    pub cutoff: Instant,
}

/// Traces one vendor work order or repair (`explain --ticket`); `None` when the row is neither
/// (see [`untraceable`]).
pub fn trace(n: &Noted, cx: &TraceContext) -> Option<String> {
    let Record::Ticket(t) = n.record else {
        return None;
    };
    match n.class {
        Classification::WorkOrder {
            verdict,
            elapsed_nanos,
        } => Some(trace_work_order(n, &t, verdict, elapsed_nanos, cx)),
        Classification::Repair {
            response,
            respond_by,
            resolution,
            resolve_before,
        } => Some(trace_repair(
            n,
            &t,
            (response, respond_by),
            (resolution, resolve_before),
            cx,
        )),
        _ => None,
    }
}

/// `HH:MM` of an instant in `tz` (`HH:MM:SS` when the seconds are not zero), or `24:00` when it
/// is the midnight that ends `date`.
fn clock_text(t: Instant, date: NaiveDate, tz: Tz) -> String {
    let l = t.local(tz);
    if l.date() > date {
        return "24:00".into();
    }
    if t.0.rem_euclid(60_000_000_000) == 0 {
        l.format("%H:%M").to_string()
    } else if t.0.rem_euclid(1_000_000_000) == 0 {
        l.format("%H:%M:%S").to_string()
    } else {
        l.format("%H:%M:%S%.9f").to_string()
    }
}

fn header(n: &Noted, what: &str, cx: &TraceContext) -> String {
    format!(
        "{} · {what} of {} ({}) · {}\nsource      {}:{}\n",
        n.id, cx.vendor.name, cx.vendor.id, cx.month, cx.file, n.line
    )
}

fn trace_work_order(
    n: &Noted,
    t: &crate::input::records::Ticket,
    verdict: Timeliness,
    elapsed_nanos: i64,
    cx: &TraceContext,
) -> String {
    let tz = cx.tz;
    let wo = &cx.terms.work_orders;
    let hours = &wo.business_hours;
    let cal = &cx.terms.calendar;
    let allowance = wo.reply_within_seconds * 1_000_000_000;
    let deadline = hours.deadline(t.created, allowance, tz, cal);
    // The clock is read at the reply, or at the cut-off when there is none.
    let (end, end_label) = match t.first_reply {
        Some(r) => (r, "reply"),
        None => (cx.cutoff, "cut-off"),
    };
    let mut out = header(n, "work order", cx);
    out.push_str(&format!(
        "created     {} (times in {})\n",
        local_text(t.created, tz),
        tz.name()
    ));
    out.push_str(&format!(
        "allowance   {} of business time (reply_within {}, {} min)\n",
        hms_text(allowance),
        duration_text(wo.reply_within_seconds),
        minutes_text(allowance)
    ));
    out.push_str(&format!(
        "hours       {} {}; holidays {}\n",
        hours.days_text,
        hours.windows_text(),
        if hours.observe_holidays {
            "closed, make-up workdays open (observe_holidays = true)"
        } else {
            "not observed (observe_holidays = false)"
        }
    ));

    // Walk the clock from creation to whichever comes later, the deadline or the reply
    // (cut-off), and mark both on the way.
    let walk_to = deadline.map_or(end, |d| d.max(end));
    let mut markers: Vec<(Instant, &str)> = vec![(t.created, "created")];
    if let Some(d) = deadline {
        markers.push((d, "deadline"));
    }
    markers.push((end, end_label));
    markers.sort_by_key(|m| m.0);
    let steps = hours.walk(t.created, walk_to, tz, cal);
    let mut table = table(&["date", "window", "span", "counted", "clock"], &[3, 4]);
    let mut clock = 0i64;
    let mut next = 0usize;
    let mut emit_markers = |upto: Option<Instant>, clock: i64, table: &mut Table| {
        while next < markers.len() && upto.is_none_or(|u| markers[next].0 <= u) {
            let (at, label) = markers[next];
            table.add_row(vec![
                at.local_date(tz).to_string(),
                format!("▸ {label}"),
                clock_text(at, at.local_date(tz), tz),
                String::new(),
                hms_text(clock),
            ]);
            next += 1;
        }
    };
    for step in steps {
        match step {
            WalkStep::Closed { date, reason } => {
                emit_markers(Some(start_of_day(tz, date)), clock, &mut table);
                table.add_row(vec![
                    date.to_string(),
                    "closed".into(),
                    closed_text(reason, date, hours.days_text.as_str()),
                    String::new(),
                    hms_text(clock),
                ]);
            }
            WalkStep::Counted {
                date,
                window,
                from,
                to,
                ..
            } => {
                // Split the counted part at each marker inside it.
                let mut cuts: Vec<Instant> = markers
                    .iter()
                    .map(|m| m.0)
                    .filter(|m| *m > from && *m < to)
                    .collect();
                cuts.push(to);
                let mut a = from;
                for b in cuts {
                    emit_markers(Some(a), clock, &mut table);
                    let nanos = b.0 - a.0;
                    clock += nanos;
                    table.add_row(vec![
                        date.to_string(),
                        window.text(),
                        format!("{}-{}", clock_text(a, date, tz), clock_text(b, date, tz)),
                        hms_text(nanos),
                        hms_text(clock),
                    ]);
                    a = b;
                }
            }
        }
    }
    emit_markers(None, clock, &mut table);
    out.push_str(&format!("{table}\n"));

    out.push_str(&format!(
        "deadline    {}\n",
        deadline.map_or_else(
            || "none: the business hours never open".to_string(),
            |d| local_text(d, tz)
        )
    ));
    match t.first_reply {
        Some(r) => out.push_str(&format!("reply       {}\n", local_text(r, tz))),
        None => out.push_str(&format!(
            "reply       none (judged at the cut-off {})\n",
            local_text(cx.cutoff, tz)
        )),
    }
    let at = if t.first_reply.is_some() {
        "at the reply"
    } else {
        "at the cut-off"
    };
    out.push_str(&format!(
        "elapsed     {} of business time {at} ({} min; allowance {} min)\n",
        hms_text(elapsed_nanos),
        minutes_text(elapsed_nanos),
        minutes_text(allowance)
    ));
    let charge = at_least_scale(wo.overdue_charge, cx.terms.money.scale);
    let verdict = match (verdict, t.first_reply) {
        (Timeliness::Met, Some(r)) if deadline.is_some_and(|d| r > d) => {
            "on time: the reply came after the deadline instant, but no business time ran in between (SPEC §8: a reply in the lunch break after a 12:00 deadline is on time)".to_string()
        }
        (Timeliness::Met, _) => {
            "on time: the business time elapsed at the reply is within the allowance".to_string()
        }
        (Timeliness::Missed, Some(_)) => format!(
            "overdue: the reply came {} of business time past the allowance; charged {charge} (overdue/work_order)",
            hms_text(elapsed_nanos - allowance)
        ),
        (Timeliness::Missed, None) => format!(
            "overdue: no reply, and at the cut-off {} of business time past the allowance had elapsed; charged {charge} (overdue/work_order)",
            hms_text(elapsed_nanos - allowance)
        ),
        (Timeliness::Pending, _) => format!(
            "pending: no reply yet, and {} of the allowance was left at the cut-off; reported, not charged (settle again with a later --as-of to judge it)",
            hms_text(allowance - elapsed_nanos)
        ),
        (Timeliness::TakenOver, _) => format!(
            "taken over: no reply before the end of the contract, with {} of the allowance left; the platform answers it at the vendor's cost {} (termination/work_order)",
            hms_text(allowance - elapsed_nanos),
            at_least_scale(cx.terms.termination.work_order, cx.terms.money.scale)
        ),
    };
    out.push_str(&format!("verdict     {verdict}\n"));
    out
}

fn closed_text(reason: ClosedReason, date: NaiveDate, days: &str) -> String {
    match reason {
        ClosedReason::Holiday => "holiday (observe_holidays = true)".into(),
        ClosedReason::NotInDays => format!(
            "{} is not in days = \"{days}\"",
            weekday_text(date.weekday())
        ),
    }
}

fn weekday_text(w: chrono::Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][w.num_days_from_monday() as usize]
}

fn trace_repair(
    n: &Noted,
    t: &crate::input::records::Ticket,
    (response, respond_by): (Timeliness, Instant),
    (resolution, resolve_before): (Timeliness, Instant),
    cx: &TraceContext,
) -> String {
    let tz = cx.tz;
    let r = &cx.terms.repairs;
    let cal = &cx.terms.calendar;
    let mut out = header(n, &format!("{} repair", Word::as_str(t.complexity)), cx);
    out.push_str(&format!(
        "created     {} (times in {})\n",
        local_text(t.created, tz),
        tz.name()
    ));
    out.push_str(&format!(
        "response    within {} of clock time (respond_within): in time up to {} inclusive\n",
        duration_text(r.respond_within_seconds),
        local_text(respond_by, tz)
    ));
    out.push_str(&format!(
        "reply       {}\n",
        t.first_reply.map_or_else(
            || format!("none (judged at the cut-off {})", local_text(cx.cutoff, tz)),
            |x| local_text(x, tz)
        )
    ));
    out.push_str(&format!("verdict     {}\n", repair_verdict(response)));
    let days = match t.complexity {
        Complexity::Simple => r.resolve_simple_days,
        Complexity::Complex => r.resolve_complex_days,
    };
    out.push_str(&format!(
        "resolution  within {days} working day(s) after the creation date (the creation day does not count):\n"
    ));
    let mut table = table(&["date", "day", "counts as"], &[]);
    let mut d = t.created.local_date(tz);
    let mut left = days;
    while left > 0 {
        d = d.succ_opt().expect("date in range");
        let counts = if cal.is_working_day(d) {
            left -= 1;
            let n = days - left;
            if d.weekday().number_from_monday() > 5 {
                format!("working day {n} (make-up workday)")
            } else {
                format!("working day {n}")
            }
        } else if cal.holidays.contains(&d) {
            "skipped: holiday".to_string()
        } else {
            "skipped: weekend".to_string()
        };
        table.add_row(vec![
            d.to_string(),
            weekday_text(d.weekday()).into(),
            counts,
        ]);
    }
    out.push_str(&format!("{table}\n"));
    out.push_str(&format!(
        "limit       before {} (00:00 after working day {days})\n",
        local_text(resolve_before, tz)
    ));
    out.push_str(&format!(
        "resolved    {}\n",
        t.resolved.map_or_else(
            || format!(
                "not yet (judged at the cut-off {})",
                local_text(cx.cutoff, tz)
            ),
            |x| local_text(x, tz)
        )
    ));
    out.push_str(&format!("verdict     {}\n", repair_verdict(resolution)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_up_to_hundredths() {
        let min = 60_000_000_000i64;
        assert_eq!(minutes_text(180 * min), "180");
        assert_eq!(minutes_text(187 * min + 30_000_000_000), "187.5");
        // One nanosecond over 3h shows above 180, never as 180.
        assert_eq!(minutes_text(180 * min + 1), "180.01");
        assert_eq!(minutes_text(1_000_000_000), "0.02");
        assert_eq!(minutes_text(0), "0");
    }

    #[test]
    fn evidence_rows_are_written_cell_by_cell_as_csv() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let at = |s: &str| crate::base::timestamp::parse_timestamp(s.as_bytes(), tz).unwrap();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut buf = String::new();
        // A formula-like id and file are escaped, a comma quoted, an absent time left empty,
        // a fraction of a second kept.
        let contact = ContactRow {
            source: Source {
                file: "-calls.csv".into(),
                line: 12,
            },
            id: "=1+1,2".into(),
            channel: Channel::Online,
            stage: Stage::Aftersales,
            offered: at("2026-10-03 09:15:22.5"),
            answered: None,
            ended: Some(at("2026-10-03T01:16:00Z")),
            reason: ContactReason::Unanswered,
        };
        write_contact(&mut RowOut::new(&mut w, &mut buf), &contact, tz);
        let takeover = TakeoverRow {
            source: Source {
                file: "calls.csv".into(),
                line: 3,
            },
            id: "C1".into(),
            item: "takeover/presales/phone".into(),
            unit_price: Decimal::new(1250, 2),
        };
        assert_eq!(
            String::from_utf8(w.into_inner().unwrap()).unwrap(),
            "'-calls.csv,12,\"'=1+1,2\",online,aftersales,2026-10-03T09:15:22.500000000+08:00,,\
             2026-10-03T09:16:00+08:00,unanswered\n"
        );
        let mut w = csv::Writer::from_writer(Vec::new());
        write_takeover(&mut RowOut::new(&mut w, &mut buf), &takeover);
        assert_eq!(
            String::from_utf8(w.into_inner().unwrap()).unwrap(),
            "calls.csv,3,C1,takeover/presales/phone,12.50\n"
        );
    }

    #[test]
    fn business_time_as_hours_minutes_seconds() {
        assert_eq!(hms_text(10_800_000_000_000), "3:00:00");
        assert_eq!(hms_text(9_113_000_000_000), "2:31:53");
        assert_eq!(hms_text(1_500_000_000), "0:00:01.5");
        assert_eq!(hms_text(0), "0:00:00");
    }
}
