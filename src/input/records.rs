//! Typed records of each export, parsed from one CSV row (SPEC §2), with the row checks of §8:
//! required cells, listed values, times in order.

use super::cells::{self, Channel, Complexity, HandledBy, OrderStatus, Stage, TicketKind, Word};
use super::fields::Fields;
use super::source::ParsedTimes;
use super::Header;
use crate::base::timestamp::{parse_timestamp, Instant};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::hash::{Hash, Hasher};

/// Why a row is rejected: the column at fault and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The canonical column name (or `(row)` for the row as a whole).
    pub column: Cow<'static, str>,
    /// The reason, in words.
    pub reason: Cow<'static, str>,
}

impl RowError {
    /// A rejection of `column` for `reason`.
    pub fn new(column: impl Into<Cow<'static, str>>, reason: impl Into<Cow<'static, str>>) -> Self {
        RowError {
            column: column.into(),
            reason: reason.into(),
        }
    }
}

/// Why a text cell is refused when its bytes are not UTF-8.
pub const NOT_UTF8: &str = "not valid UTF-8 (save the file as UTF-8)";

/// A cell that is no timestamp: the value shown, with the forms accepted (SPEC §8).
#[cold]
fn timestamp_error(
    column: &'static str,
    cell: &[u8],
    e: crate::base::timestamp::TimestampError,
) -> RowError {
    let value = crate::base::text::shown(&String::from_utf8_lossy(cell));
    let reason = match e {
        crate::base::timestamp::TimestampError::Malformed => format!(
            "`{value}` is not a timestamp: write RFC 3339 (2026-10-05T09:05:00+08:00) or YYYY-MM-DD HH:MM[:SS] (also with `T` or `/` between the date's parts) in the contract time zone; spreadsheet forms (2026/10/5 9:05, Excel serial numbers) are read through a profile"
        ),
        other => format!("`{value}`: {}", other.reason()),
    };
    RowError::new(column, reason)
}

/// The cells of one row, looked up by canonical column index and trimmed.
pub struct Cells<'r> {
    record: Fields<'r>,
    header: &'r Header,
    columns: &'static [(&'static str, bool)],
    /// A timestamp already parsed from a column of this row: (column, instant).
    parsed: std::cell::Cell<Option<(usize, Instant)>>,
    /// Timestamps the row's source parsed while mapping it.
    times: &'r ParsedTimes,
}

impl<'r> Cells<'r> {
    /// Views `record` through `header`.
    pub fn new(
        record: impl Into<Fields<'r>>,
        header: &'r Header,
        columns: &'static [(&'static str, bool)],
    ) -> Self {
        Cells {
            record: record.into(),
            header,
            columns,
            parsed: std::cell::Cell::new(None),
            times: &ParsedTimes::NONE,
        }
    }

    /// The same cells, with the timestamps their source parsed already ([`ParsedTimes`]).
    pub fn with_times(self, times: &'r ParsedTimes) -> Self {
        Cells { times, ..self }
    }

    /// Notes that column `i` holds the timestamp `at` (parsed already, e.g. for the month
    /// check), so [`RowCells::timestamp`] does not parse it again.
    pub fn remember_timestamp(&self, i: usize, at: Instant) {
        self.parsed.set(Some((i, at)));
    }
}

/// The cells of one row by canonical column, as the row parsers read them: looked up through
/// a file's header ([`Cells`]), or straight from a canonical file's split line ([`InOrder`]).
pub trait RowCells<'r> {
    /// The trimmed cell of canonical column `i` (empty when the column is absent).
    fn get(&self, i: usize) -> &'r [u8];

    /// The name of canonical column `i`.
    fn name(&self, i: usize) -> &'static str;

    /// The timestamp of column `i` if it was parsed already.
    fn known_timestamp(&self, i: usize) -> Option<Instant>;

    /// A required cell: non-empty.
    #[inline(always)]
    fn required(&self, i: usize) -> Result<&'r [u8], RowError> {
        let c = self.get(i);
        if c.is_empty() {
            Err(RowError::new(self.name(i), "required value is empty"))
        } else {
            Ok(c)
        }
    }

    /// A required text cell: non-empty UTF-8.
    fn text(&self, i: usize) -> Result<&'r str, RowError> {
        std::str::from_utf8(self.required(i)?).map_err(|_| RowError::new(self.name(i), NOT_UTF8))
    }

    /// An optional text cell: UTF-8, possibly empty.
    fn opt_text(&self, i: usize) -> Result<&'r str, RowError> {
        std::str::from_utf8(self.get(i)).map_err(|_| RowError::new(self.name(i), NOT_UTF8))
    }

    /// A required timestamp.
    #[inline(always)]
    fn timestamp(&self, i: usize, tz: Tz) -> Result<Instant, RowError> {
        if let Some(at) = self.known_timestamp(i) {
            return Ok(at);
        }
        let cell = self.required(i)?;
        parse_timestamp(cell, tz).map_err(|e| timestamp_error(self.name(i), cell, e))
    }

    /// An optional timestamp that, when present, may not be earlier than `start` (SPEC §8).
    #[inline(always)]
    fn later_timestamp(
        &self,
        i: usize,
        tz: Tz,
        start: Instant,
        start_column: usize,
    ) -> Result<Option<Instant>, RowError> {
        let c = self.get(i);
        if c.is_empty() {
            return Ok(None);
        }
        let t = match self.known_timestamp(i) {
            Some(t) => t,
            None => parse_timestamp(c, tz).map_err(|e| timestamp_error(self.name(i), c, e))?,
        };
        if t < start {
            return Err(RowError::new(
                self.name(i),
                format!("earlier than {}", self.name(start_column)),
            ));
        }
        Ok(Some(t))
    }

    /// A cell holding one of a list of values.
    fn choice<T>(
        &self,
        i: usize,
        parse: impl Fn(&[u8]) -> Option<T>,
        expected: &'static str,
    ) -> Result<T, RowError> {
        let c = self.get(i);
        parse(c).ok_or_else(|| self.refused(i, c, expected))
    }

    /// A cell holding one of the words of `T`, in any case; an empty cell is `empty` where the
    /// column has a default, and refused where it has none.
    #[inline(always)]
    fn word<T: Word>(&self, i: usize, empty: Option<T>) -> Result<T, RowError> {
        let c = self.get(i);
        match empty {
            Some(default) if c.is_empty() => Ok(default),
            _ => T::parse(c).ok_or_else(|| self.refused(i, c, &T::listed())),
        }
    }

    /// Why cell `c` of column `i` is none of the `expected` values.
    #[cold]
    fn refused(&self, i: usize, c: &[u8], expected: &str) -> RowError {
        if c.is_empty() {
            RowError::new(self.name(i), "required value is empty")
        } else {
            RowError::new(
                self.name(i),
                format!("`{}` is not one of {expected}", String::from_utf8_lossy(c)),
            )
        }
    }
}

impl<'r> RowCells<'r> for Cells<'r> {
    /// The timestamp of column `i` if it was parsed already: noted by
    /// [`Cells::remember_timestamp`], or by the row's source.
    #[inline]
    fn known_timestamp(&self, i: usize) -> Option<Instant> {
        match self.parsed.get() {
            Some((column, at)) if column == i => Some(at),
            _ => self.times.get(i),
        }
    }

    /// The trimmed cell of canonical column `i` (empty when the column is absent).
    // Called a dozen times a row: inlined, its call costs more than its work.
    #[inline(always)]
    fn get(&self, i: usize) -> &'r [u8] {
        self.header.index[i]
            .and_then(|p| self.record.get(p))
            .map(cells::trim)
            .unwrap_or(b"")
    }

    /// The name of canonical column `i`.
    fn name(&self, i: usize) -> &'static str {
        self.columns[i].0
    }
}

/// The cells of a line of a canonical file whose header names every column in canonical order
/// and nothing else: field `i` is column `i`, with no header to look it up through.
pub struct InOrder<'r> {
    bytes: &'r [u8],
    /// One range of `bytes` per field: as many as the columns.
    bounds: &'r [(usize, usize)],
    columns: &'static [(&'static str, bool)],
    /// The period column's timestamp, parsed for the month check: (column, instant).
    period: (usize, Instant),
}

impl<'r> InOrder<'r> {
    /// The cells of a line split into `bounds`, `None` unless it has a field for every column.
    #[inline(always)]
    pub fn new(
        bytes: &'r [u8],
        bounds: &'r [(usize, usize)],
        columns: &'static [(&'static str, bool)],
    ) -> Option<Self> {
        (bounds.len() == columns.len()).then_some(InOrder {
            bytes,
            bounds,
            columns,
            period: (usize::MAX, Instant(0)),
        })
    }

    /// Notes the timestamp `at` of column `i`, parsed already for the month check.
    pub fn remember_timestamp(&mut self, i: usize, at: Instant) {
        self.period = (i, at);
    }
}

impl<'r> RowCells<'r> for InOrder<'r> {
    #[inline(always)]
    fn get(&self, i: usize) -> &'r [u8] {
        let (start, end) = self.bounds[i];
        cells::trim(&self.bytes[start..end])
    }

    fn name(&self, i: usize) -> &'static str {
        self.columns[i].0
    }

    #[inline(always)]
    fn known_timestamp(&self, i: usize) -> Option<Instant> {
        (self.period.0 == i).then_some(self.period.1)
    }
}

/// One contact (calls.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Call {
    /// Phone or online.
    pub channel: Channel,
    /// Pre- or after-sales.
    pub stage: Stage,
    /// The price package of its category under the vendor's terms, if any.
    pub package: Option<usize>,
    /// When it reached the queue.
    pub offered: Instant,
    /// When an agent answered.
    pub answered: Option<Instant>,
    /// When it ended.
    pub ended: Option<Instant>,
    /// Vendor or platform (takeover).
    pub handled_by: HandledBy,
}

/// One ticket (tickets.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket {
    /// Work order, complaint, service order or repair.
    pub kind: TicketKind,
    /// Simple or complex.
    pub complexity: Complexity,
    /// When it reached the vendor.
    pub created: Instant,
    /// First reply or response.
    pub first_reply: Option<Instant>,
    /// Resolution.
    pub resolved: Option<Instant>,
    /// Vendor or platform.
    pub handled_by: HandledBy,
}

/// One survey response (surveys.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Survey {
    /// When the customer answered.
    pub submitted: Instant,
    /// 5 = very satisfied … 1 = very dissatisfied.
    pub level: u8,
}

/// One sales order (orders.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Order {
    /// When it was placed.
    pub placed: Instant,
    /// Its amount in the contract currency.
    pub amount: Decimal,
    /// Completed, refunded or cancelled.
    pub status: OrderStatus,
}

/// A parsed row of any export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Record {
    /// A contact.
    Call(Call),
    /// A ticket.
    Ticket(Ticket),
    /// A survey response.
    Survey(Survey),
    /// A sales order.
    Order(Order),
}

/// Looks up a category's package under one vendor's terms.
pub trait PackageOf {
    /// The package index of `category` (a trimmed cell), if it has one.
    fn package_of(&self, category: &[u8]) -> Option<usize>;
}

/// Parses a contact row. `hash` receives the parsed values of every known column, for the
/// duplicate check.
pub fn parse_call<'r>(
    c: &impl RowCells<'r>,
    tz: Tz,
    packages: &dyn PackageOf,
    hash: &mut impl Hasher,
) -> Result<Call, RowError> {
    let channel = c.word(2, None)?;
    let stage = c.word(3, None)?;
    let category = c.required(4)?;
    // A category the contract names is UTF-8 already; only the others are checked.
    let package = packages.package_of(category);
    if package.is_none() && std::str::from_utf8(category).is_err() {
        return Err(RowError::new(c.name(4), NOT_UTF8));
    }
    let offered = c.timestamp(5, tz)?;
    let answered = c.later_timestamp(6, tz, offered, 5)?;
    let ended = c.later_timestamp(7, tz, offered, 5)?;
    if let (Some(a), Some(e)) = (answered, ended) {
        if e < a {
            return Err(RowError::new("ended_at", "earlier than answered_at"));
        }
    }
    let handled_by = c.word(8, Some(HandledBy::Vendor))?;
    // SPEC §2: a category with no package is rejected only where a price needs one — an
    // answered after-sales takeover.
    if package.is_none()
        && handled_by == HandledBy::Platform
        && stage == Stage::Aftersales
        && answered.is_some()
    {
        return Err(RowError::new(
            "category",
            format!("`{}` maps to no package, and this after-sales takeover needs a price; add it to [packages]", String::from_utf8_lossy(category)),
        ));
    }
    // As `str` hashes: the bytes, then 0xff.
    hash.write(category);
    hash.write_u8(0xff);
    let call = Call {
        channel,
        stage,
        package,
        offered,
        answered,
        ended,
        handled_by,
    };
    call.hash(hash);
    Ok(call)
}

/// Parses a ticket row.
pub fn parse_ticket<'r>(
    c: &impl RowCells<'r>,
    tz: Tz,
    hash: &mut impl Hasher,
) -> Result<Ticket, RowError> {
    let kind = c.word(2, None)?;
    let category = c.opt_text(3)?;
    let complexity = c.word(4, Some(Complexity::Simple))?;
    let created = c.timestamp(5, tz)?;
    let first_reply = c.later_timestamp(6, tz, created, 5)?;
    let resolved = c.later_timestamp(7, tz, created, 5)?;
    let handled_by = c.word(8, Some(HandledBy::Vendor))?;
    category.hash(hash);
    let t = Ticket {
        kind,
        complexity,
        created,
        first_reply,
        resolved,
        handled_by,
    };
    t.hash(hash);
    Ok(t)
}

/// Parses a survey row.
pub fn parse_survey<'r>(
    c: &impl RowCells<'r>,
    tz: Tz,
    hash: &mut impl Hasher,
) -> Result<Survey, RowError> {
    let submitted = c.timestamp(2, tz)?;
    let level = c.choice(
        3,
        cells::rating,
        "5..1, very_satisfied, satisfied, neutral, dissatisfied, very_dissatisfied, 非常满意, 满意, 一般, 不满意, 非常不满意",
    )?;
    let contact = c.opt_text(4)?;
    contact.hash(hash);
    let s = Survey { submitted, level };
    s.hash(hash);
    Ok(s)
}

/// Parses an order row.
pub fn parse_order<'r>(
    c: &impl RowCells<'r>,
    tz: Tz,
    hash: &mut impl Hasher,
) -> Result<Order, RowError> {
    let placed = c.timestamp(2, tz)?;
    let amount = cells::amount(c.required(3)?).map_err(|r| RowError::new("amount", r))?;
    let status = c.word(4, None)?;
    let o = Order {
        placed,
        amount: amount.normalize(),
        status,
    };
    o.hash(hash);
    // The amount as written is kept on the record; the hash uses its value, so `12.5` and
    // `12.50` are one amount.
    Ok(Order { amount, ..o })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Role;

    /// A timestamp the row's source parsed already is taken for its column, and only for it;
    /// every other time cell is read from its text.
    #[test]
    fn spec_8_times_a_source_parsed_are_taken_for_their_column() {
        let tz = chrono_tz::Asia::Shanghai;
        let names = Role::Calls
            .columns()
            .iter()
            .map(|c| c.0)
            .collect::<Vec<_>>();
        let header = Header::map(Role::Calls, &csv::ByteRecord::from(names), "calls.csv").unwrap();
        let r = csv::ByteRecord::from(vec![
            "c1",
            "acme",
            "phone",
            "front",
            "general",
            "2026-10-01 09:00:00",
            "2026-10-01 09:01:00",
            "2026-10-01 09:02:00",
            "",
        ]);
        // A noted instant that differs from the text shows which one is read.
        let noted = Instant(1);
        let mut times = ParsedTimes::NONE;
        times.note(6, noted);
        let cells = Cells::new(&r, &header, Role::Calls.columns()).with_times(&times);
        let offered = cells.timestamp(5, tz).unwrap();
        assert_eq!(
            offered,
            parse_timestamp(b"2026-10-01 09:00:00", tz).unwrap()
        );
        assert_eq!(cells.known_timestamp(6), Some(noted));
        assert_eq!(cells.timestamp(6, tz), Ok(noted));
        // A time noted earlier than its start is refused like a written one.
        assert!(cells.later_timestamp(6, tz, offered, 5).is_err());
        assert_eq!(
            cells.later_timestamp(7, tz, offered, 5),
            Ok(Some(parse_timestamp(b"2026-10-01 09:02:00", tz).unwrap()))
        );
        assert_eq!(cells.known_timestamp(7), None);
        // Room for four; a fifth is left to be parsed.
        let mut full = ParsedTimes::NONE;
        for i in 0..5 {
            full.note(i, Instant(i as i64));
        }
        assert_eq!((full.get(3), full.get(4)), (Some(Instant(3)), None));
    }

    /// SPEC §8: words match in any case; an empty `handled_by` is the vendor and an empty
    /// `complexity` simple; a word that is none of them is refused, naming every word.
    #[test]
    fn spec_8_words_of_a_ticket_row() {
        let header = csv::ByteRecord::from(vec![
            "ticket_id",
            "vendor",
            "kind",
            "category",
            "complexity",
            "created_at",
            "first_reply_at",
            "resolved_at",
            "handled_by",
        ]);
        let header = Header::map(Role::Tickets, &header, "tickets.csv").unwrap();
        let row = |kind: &str, complexity: &str, by: &str| {
            csv::ByteRecord::from(vec!["t1", "acme", kind, "c", complexity, "", "", "", by])
        };
        let r = row("WORK_ORDER", "", "");
        let cells = Cells::new(&r, &header, Role::Tickets.columns());
        assert_eq!(cells.word(2, None), Ok(TicketKind::WorkOrder));
        assert_eq!(
            cells.word(4, Some(Complexity::Simple)),
            Ok(Complexity::Simple)
        );
        assert_eq!(
            cells.word(8, Some(HandledBy::Vendor)),
            Ok(HandledBy::Vendor)
        );
        let r = row("", "hard", "Platform");
        let cells = Cells::new(&r, &header, Role::Tickets.columns());
        assert_eq!(
            cells.word(8, Some(HandledBy::Vendor)),
            Ok(HandledBy::Platform)
        );
        let empty = cells.word::<TicketKind>(2, None).unwrap_err();
        assert_eq!(empty.reason, "required value is empty");
        let hard = cells.word(4, Some(Complexity::Simple)).unwrap_err();
        assert_eq!(
            (hard.column.as_ref(), hard.reason.as_ref()),
            ("complexity", "`hard` is not one of simple, complex")
        );
    }

    struct Packages;

    impl PackageOf for Packages {
        fn package_of(&self, category: &[u8]) -> Option<usize> {
            (category == "手机".as_bytes()).then_some(0)
        }
    }

    /// SPEC §2, §8: a call's category names its package when the contract lists it; any other
    /// category is read as it is, and one that is not UTF-8 is refused before the times are
    /// judged. The duplicate check sees the category as text.
    #[test]
    fn spec_2_a_call_category_is_text_and_names_its_package() {
        let names = Role::Calls
            .columns()
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>();
        let header = Header::map(Role::Calls, &csv::ByteRecord::from(names), "calls.csv").unwrap();
        let row = |category: &[u8], offered: &str| {
            let mut r = csv::ByteRecord::new();
            for cell in [
                &b"c1"[..],
                b"acme",
                b"phone",
                b"presales",
                category,
                offered.as_bytes(),
            ] {
                r.push_field(cell);
            }
            for cell in ["", "", ""] {
                r.push_field(cell.as_bytes());
            }
            r
        };
        let call = |r: &csv::ByteRecord| {
            let mut values = Vec::new();
            let cells = Cells::new(r, &header, Role::Calls.columns());
            let call = parse_call(
                &cells,
                chrono_tz::Asia::Shanghai,
                &Packages,
                &mut Keep(&mut values),
            );
            call.map(|c| (c.package, values))
        };
        let (package, listed) = call(&row("手机".as_bytes(), "2026-10-05 09:00:00")).unwrap();
        assert_eq!(package, Some(0));
        let (package, other) = call(&row("家具".as_bytes(), "2026-10-05 09:00:00")).unwrap();
        assert_eq!(package, None);
        assert_ne!(listed, other);
        let mut text = Vec::new();
        "家具".hash(&mut Keep(&mut text));
        assert!(
            other.starts_with(&text),
            "the category is hashed as `str` hashes"
        );
        let bad = call(&row(b"\xff\xfe", "not a time")).unwrap_err();
        assert_eq!(
            (bad.column.as_ref(), bad.reason.as_ref()),
            ("category", NOT_UTF8)
        );
    }

    /// A hasher that keeps what it is fed.
    struct Keep<'a>(&'a mut Vec<u8>);

    impl Hasher for Keep<'_> {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }
}
