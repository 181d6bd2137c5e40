//! Which accepted rows are kept beside the tally, and the rows kept: what `settle --evidence`,
//! `explain` and a reconciliation show behind a figure. Off on the ordinary settle path, where
//! nothing more is kept per row.

use crate::input::records::Record;
use crate::input::Role;
use crate::tally::{Classification, ContactCount, Timeliness};

/// Which accepted rows the reader keeps as evidence.
#[derive(Clone, Copy, Default)]
pub enum Collect<'a> {
    /// None: the ordinary settle path.
    #[default]
    Off,
    /// Every row that shows in a figure as evidence (see [`shows`]).
    Figures,
    /// The ticket with this id, however it was classified (`explain --ticket`).
    Ticket(&'a str),
    /// The rows a reconciliation asks for (SPEC §10): those whose id the vendor claims, and those
    /// counted under an item whose records the vendor lists but whose id it does not claim.
    Rows(&'a dyn RowFilter),
    /// Every row that shows in a figure (see [`shows`]), handed to a stream the moment its file's
    /// rows are taken, and not kept (`settle --evidence`, which writes them as they come).
    Stream(&'a dyn NoteStream),
}

/// Where the rows of [`Collect::Stream`] go: each file's rows in file order, files side by side
/// (one call at a time per role).
pub trait NoteStream: Sync {
    /// The input file of `role` is read from its start (again, when a first pass found ids on
    /// conflicting rows): whatever its rows gave before is forgotten.
    fn restart(&self, role: Role);

    /// An accepted row of `role` that shows in a figure: its vendor's index, the physical line it
    /// starts on, its id, the parsed record and how the tally counted it.
    fn note(&self, role: Role, row: NotedRef<'_>);
}

/// An accepted row as the reader holds it while taking it: [`Noted`] without owning the id.
#[derive(Debug, Clone, Copy)]
pub struct NotedRef<'r> {
    /// Index of the row's vendor among the declared vendors.
    pub vendor: usize,
    /// The physical line the record starts on (header = 1).
    pub line: u64,
    /// The row's id, as read.
    pub id: &'r [u8],
    /// The parsed row.
    pub record: &'r Record,
    /// How the tally counted it.
    pub class: &'r Classification,
}

impl NotedRef<'_> {
    /// The row, owned.
    pub fn to_noted(self) -> Noted {
        Noted {
            vendor: self.vendor,
            line: self.line,
            id: String::from_utf8_lossy(self.id).into_owned(),
            record: *self.record,
            class: *self.class,
        }
    }
}

/// Which accepted rows a caller keeps: by role, id, parsed record and classification.
pub trait RowFilter: Sync {
    /// Whether an accepted row is kept: [`Collect::wants`] for a caller's filter.
    fn keep(
        &self,
        role: Role,
        id: &[u8],
        line: u64,
        record: &Record,
        class: &Classification,
    ) -> bool;

    /// Called ahead of [`RowFilter::keep`] with the id hashes
    /// ([`crate::input::dedup::id_hash`]) of rows about to be judged, so that what `keep` will
    /// look up can be fetched from memory together rather than one row at a time.
    fn warm(&self, _hashes: &mut dyn Iterator<Item = u64>) {}
}

impl Collect<'_> {
    /// Whether the accepted row of `role` with `id` on `line`, parsed as `record` and classified
    /// as `class`, is kept (never under [`Collect::Stream`], which keeps nothing).
    pub fn wants(
        &self,
        role: Role,
        id: &[u8],
        line: u64,
        record: &Record,
        class: &Classification,
    ) -> bool {
        match self {
            Collect::Off => false,
            Collect::Figures => shows(class),
            Collect::Ticket(t) => role == Role::Tickets && t.as_bytes() == id,
            Collect::Rows(f) => f.keep(role, id, line, record, class),
            Collect::Stream(_) => false,
        }
    }

    /// Fetches ahead what judging the rows with these id hashes will look up.
    pub fn warm(&self, hashes: &mut dyn Iterator<Item = u64>) {
        if let Collect::Rows(f) = self {
            f.warm(hashes);
        }
    }

    /// Whether rows are kept beside the tally (not on the ordinary settle path, nor when they
    /// are streamed).
    pub fn keeps_rows(&self) -> bool {
        !matches!(self, Collect::Off | Collect::Stream(_))
    }
}

/// Whether a classified row is evidence of some figure: a work order overdue or pending, a
/// repair whose response or resolution failed or is pending, a contact outside service hours,
/// short-abandoned or unanswered, a takeover charged.
pub fn shows(class: &Classification) -> bool {
    match class {
        Classification::Plain => false,
        Classification::Contact {
            outside_hours,
            count,
        } => {
            *outside_hours || matches!(count, ContactCount::ShortAbandon | ContactCount::Unanswered)
        }
        Classification::Takeover(_) | Classification::ServiceOrderTakenOver => true,
        Classification::WorkOrder { verdict, .. } => *verdict != Timeliness::Met,
        Classification::Repair {
            response,
            resolution,
            ..
        } => *response != Timeliness::Met || *resolution != Timeliness::Met,
    }
}

/// An accepted row kept by the reader: where it is, its id, the parsed record and how the tally
/// classified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noted {
    /// Index of the row's vendor among the declared vendors.
    pub vendor: usize,
    /// The physical line the record starts on (header = 1).
    pub line: u64,
    /// The row's id (`contact_id`, `ticket_id` …).
    pub id: String,
    /// The parsed row.
    pub record: Record,
    /// How the tally counted it.
    pub class: Classification,
}

/// The rows one input file gave as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNotes {
    /// The role.
    pub role: Role,
    /// The path as given (as the statement records it).
    pub path: String,
    /// The rows kept, in file order.
    pub rows: Vec<Noted>,
}
