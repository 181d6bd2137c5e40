//! Where rows come from: one input of a run ([`InputFile`]), and the rows of a mapped export as
//! its profile hands them out ([`RowSource`], [`SourceRow`]).

use super::pipeline::Shape;
use super::profile::Profile;
use super::records::RowError;
use super::{Header, Role};
use crate::base::timestamp::Instant;
use crate::error::Result;

/// Where a mapped export's rows come from: a foreign export read through a profile
/// ([`ForeignSource`](super::foreign::ForeignSource)).
pub trait RowSource {
    /// Where each canonical column sits in the records handed out.
    fn header(&self) -> &Header;
    /// Reads the next row into `record`; `None` after the last.
    fn next_row(&mut self, record: &mut csv::ByteRecord) -> Result<Option<SourceRow>>;
    /// SHA-256 of the file's bytes (complete once every row has been read).
    fn sha256(&self) -> String;
}

/// What a source says about the row it handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// The physical line (or sheet row) the row starts on.
    pub line: u64,
    /// The physical line it ends on: later than `line` when a quoted cell holds line ends.
    pub last_line: u64,
    /// Its quotes do not balance (a quoted cell that never closes, or a stray quote).
    pub unbalanced: bool,
    /// Whether a record may run over several lines (a profile's `multiline = true`).
    pub multiline: bool,
    /// Further source rows folded into this one (legs of one call, queue-log events); they
    /// count as duplicates of it.
    pub folded: u64,
    /// Why the row could not be mapped, if it could not (it is then rejected).
    pub error: Option<RowError>,
    /// Timestamps the source parsed from the row's canonical text while mapping it, which the
    /// row rules take rather than parse the same text again.
    pub times: ParsedTimes,
    /// Where the row's record starts in the file, for reading it again
    /// ([`ForeignSource::reread`](super::foreign::ForeignSource::reread)); 0 when it cannot be.
    pub offset: u64,
}

/// Timestamps already parsed from a row's canonical cells, by canonical column: each is what
/// `parse_timestamp` gives for exactly the text the row rules read in that column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedTimes {
    len: u8,
    at: [(u8, Instant); ParsedTimes::MAX],
}

impl ParsedTimes {
    /// The most timestamps held; further ones are parsed again by the row rules.
    pub const MAX: usize = 4;
    /// No timestamp.
    pub const NONE: ParsedTimes = ParsedTimes {
        len: 0,
        at: [(0, Instant(0)); ParsedTimes::MAX],
    };

    /// Notes that canonical column `column` holds `at` (ignored when full).
    pub fn note(&mut self, column: usize, at: Instant) {
        let len = usize::from(self.len);
        if let (Some(slot), Ok(column)) = (self.at.get_mut(len), u8::try_from(column)) {
            *slot = (column, at);
            self.len += 1;
        }
    }

    /// The timestamp of canonical column `column`, if it was parsed already.
    #[inline]
    pub fn get(&self, column: usize) -> Option<Instant> {
        self.at[..usize::from(self.len)]
            .iter()
            .find(|(c, _)| usize::from(*c) == column)
            .map(|&(_, at)| at)
    }
}

impl Default for ParsedTimes {
    fn default() -> Self {
        ParsedTimes::NONE
    }
}

impl SourceRow {
    /// A row of a canonical CSV on `line`.
    pub fn at(line: u64) -> SourceRow {
        SourceRow {
            line,
            last_line: line,
            unbalanced: false,
            multiline: false,
            folded: 0,
            error: None,
            times: ParsedTimes::NONE,
            offset: 0,
        }
    }

    /// What is wrong with the row's shape, if anything: a record of a one-line layout running
    /// over several lines (a stray quote swallowing the lines after it), or quotes that do not
    /// balance. Judged before anything else of the row (SPEC §8).
    pub fn shape_problem(&self) -> Option<String> {
        if self.last_line > self.line && !self.multiline {
            Some(format!(
                "a quoted cell runs from line {} to line {}: unbalanced quote? (a record of this layout stays on one line)",
                self.line, self.last_line
            ))
        } else if self.unbalanced {
            Some(
                "unbalanced quote: a `\"` opens a quoted cell that never closes, or stands inside a cell; quote whole cells and double a quote inside one"
                    .to_string(),
            )
        } else {
            None
        }
    }

    /// A record of a canonical CSV with the shape the reader found.
    pub fn shaped(shape: Shape) -> SourceRow {
        SourceRow {
            last_line: shape.last_line,
            unbalanced: shape.unbalanced,
            ..SourceRow::at(shape.line)
        }
    }
}

/// One input of a run: its role, its file, and the profile it is read through (none for a
/// canonical CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Which export.
    pub role: Role,
    /// The file as given.
    pub path: std::path::PathBuf,
    /// The mapping profile of a foreign export, with the vendor filled in when the run gave it.
    pub profile: Option<Profile>,
}

impl InputFile {
    /// The input of `role` at `path`, read through `profile`; a workbook (`.xlsx`) given
    /// without one is read in the canonical layout ([`Profile::canonical_xlsx`]).
    pub fn new(role: Role, path: std::path::PathBuf, profile: Option<Profile>) -> InputFile {
        let is_xlsx = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let profile = profile.or_else(|| is_xlsx.then(|| Profile::canonical_xlsx(role)));
        InputFile {
            role,
            // Recorded as read: `./data/calls.csv` and `data/calls.csv` are one file.
            path: crate::base::files::lexical(&path),
            profile,
        }
    }

    /// The profile a statement records: none for a canonical CSV or workbook.
    pub fn recorded_profile(&self) -> Option<&Profile> {
        self.profile.as_ref().filter(|p| !p.optional_absent)
    }
}
