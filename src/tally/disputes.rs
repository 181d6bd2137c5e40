//! An auditor's decisions on single records, applied by `slatement rescore --disputes F`.
//!
//! A disputes file is CSV with the conventions of the inputs (SPEC §2: header in any order,
//! names matched case-insensitively after trimming, a UTF-8 BOM allowed, cells trimmed, extra
//! columns ignored) and five required columns: `kind` (`contact`, `ticket`, `survey`, `order`),
//! `id` (the record's `contact_id`, `ticket_id`, `survey_id` or `order_id`), `decision`
//! (`exclude`, `answered`, `on_time`, `not_takeover`), `reason` and `decided_by` (an auditor's
//! decision says why and who, so neither may be empty). Each record is disputed at most once.
//!
//! [`Disputes::load`] reads and hashes the file and checks every line on its own (a kind, a
//! decision that exists, a decision that applies to the kind, no record twice). Whether a
//! decision applies to the record itself (an `on_time` on a complaint, a `not_takeover` on a
//! vendor-handled contact) is checked by [`applies`] while the month is read, and
//! settling the month reports every dispute that matched no accepted row of it.

use crate::base::word::Word;
use crate::error::{DisputeProblem, Error, Result};
use crate::input::cells::{HandledBy, TicketKind};
use crate::input::records::{Cells, Record, RowCells as _};
use crate::input::{open, Header, Role};
use std::collections::HashMap;
use std::path::Path;

/// The columns of a disputes file, all required.
pub const COLUMNS: &[(&str, bool)] = &[
    ("kind", true),
    ("id", true),
    ("decision", true),
    ("reason", true),
    ("decided_by", true),
];

/// What kind of record a dispute names, and so which input its id is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DisputeKind {
    /// A contact of calls.csv.
    Contact,
    /// A ticket of tickets.csv.
    Ticket,
    /// A survey response of surveys.csv.
    Survey,
    /// A sales order of orders.csv.
    Order,
    /// An incident of the incident register (SPEC §9).
    Incident,
}

impl DisputeKind {
    /// The input the record is read from.
    pub fn role(self) -> Role {
        match self {
            DisputeKind::Contact => Role::Calls,
            DisputeKind::Ticket => Role::Tickets,
            DisputeKind::Survey => Role::Surveys,
            DisputeKind::Order => Role::Orders,
            DisputeKind::Incident => Role::Incidents,
        }
    }

    /// The kind whose records are read from `role`.
    pub fn of_role(role: Role) -> DisputeKind {
        match role {
            Role::Calls => DisputeKind::Contact,
            Role::Tickets => DisputeKind::Ticket,
            Role::Surveys => DisputeKind::Survey,
            Role::Orders => DisputeKind::Order,
            Role::Incidents => DisputeKind::Incident,
            Role::Claim | Role::ClaimRecords => unreachable!("a claim is not disputed"),
        }
    }
}

crate::base::word::serde_words!(DisputeKind);
crate::base::word::serde_words!(Decision);

/// An auditor's decision on one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Decision {
    /// Void the record: it takes no part in any metric, figure or money line. Any kind.
    Exclude,
    /// The contact counts as answered by the vendor, at its offer (so within the service
    /// level), with no talk time: it counts in the contact metrics and earns nothing. A contact
    /// the vendor already answered is left as it is. Contacts only.
    Answered,
    /// The work order or repair counts as on time (a repair: both its response and its
    /// resolution) and is not charged. Vendor-handled work orders and repairs only.
    OnTime,
    /// The platform-handled item is not charged: it is left out of the takeover figures and
    /// lines, and stays out of the vendor's metrics. Platform-handled contacts and service
    /// orders only.
    NotTakeover,
}

impl Decision {
    /// Whether the decision can apply to a record of `kind` at all; the reason when not.
    fn fits(self, kind: DisputeKind) -> std::result::Result<(), String> {
        let ok = match self {
            Decision::Exclude => true,
            Decision::Answered => kind == DisputeKind::Contact,
            Decision::OnTime => kind == DisputeKind::Ticket,
            Decision::NotTakeover => matches!(kind, DisputeKind::Contact | DisputeKind::Ticket),
        };
        if ok {
            return Ok(());
        }
        let applies_to = match self {
            Decision::Exclude => "any record",
            Decision::Answered => "contacts only",
            Decision::OnTime => "work orders and repairs (kind ticket) only",
            Decision::NotTakeover => {
                "platform-handled contacts and service orders (kind contact or ticket) only"
            }
        };
        let article = if matches!(kind, DisputeKind::Order | DisputeKind::Incident) {
            "an"
        } else {
            "a"
        };
        Err(format!(
            "`{}` applies to {applies_to}, not to {article} {}",
            self.as_str(),
            kind.as_str()
        ))
    }
}

/// One line of a disputes file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dispute {
    /// The physical line it is on (the header is line 1).
    pub line: u64,
    /// The kind of record.
    pub kind: DisputeKind,
    /// The record's id, matched exactly (after trimming) as the inputs' ids are.
    pub id: String,
    /// The decision.
    pub decision: Decision,
    /// Why, in the auditor's words.
    pub reason: String,
    /// Who decided.
    pub decided_by: String,
}

/// A loaded disputes file: every dispute in file order, indexed by input and id.
#[derive(Debug, Clone)]
pub struct Disputes {
    /// The file as given.
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Every dispute, in file order.
    pub items: Vec<Dispute>,
    /// Lines that are malformed or repeat a record: reported together with the disputes that
    /// match no row, in one pass, when the month is settled.
    pub problems: Vec<DisputeProblem>,
    /// Per input role (by `Role as usize`: the month's exports, then the register): id → index into `items`.
    index: [HashMap<Box<[u8]>, usize>; 5],
}

/// The slot of `role` in [`Disputes`]' index: the month's exports, then the register.
fn role_index(role: Role) -> usize {
    role as usize
}

impl Disputes {
    /// Reads, hashes and checks a disputes file. A missing file is [`Error::MissingInput`]
    /// (exit 66), an unreadable one [`Error::Io`] (74), a missing column or an empty file
    /// [`Error::BadFile`] (65), and malformed lines [`Error::BadDisputes`] (65) naming each one
    /// as `path:line: column: reason`.
    pub fn load(path: &Path) -> Result<Disputes> {
        if let Some(what) = crate::base::files::unusable(path) {
            return Err(Error::MissingInput {
                role: "disputes",
                path: path.to_path_buf(),
                hint: match what.as_str() {
                    "missing" => "check the path given to --disputes".to_string(),
                    _ => format!("it is {what}; give the disputes CSV file"),
                },
            });
        }
        let shown = crate::base::files::recorded(path);
        let mut reader = open(path)?;
        let mut record = csv::ByteRecord::new();
        let io_err = |e: csv::Error| crate::input::csv_error(path, e);
        if !reader.read_byte_record(&mut record).map_err(io_err)? {
            return Err(Error::BadFile {
                path: shown.clone(),
                line: 1,
                message:
                    "the file is empty: it needs a header row (kind,id,decision,reason,decided_by)"
                        .into(),
            });
        }
        let header = Header::map_columns(COLUMNS, &record, &shown)?;
        let mut items: Vec<Dispute> = Vec::new();
        let mut index: [HashMap<Box<[u8]>, usize>; 5] = Default::default();
        let mut problems = Vec::new();
        while reader.read_byte_record(&mut record).map_err(io_err)? {
            let start = record.position().map_or(0, |p| p.byte());
            let line = reader.get_mut().line_of(start);
            let cells = Cells::new(&record, &header, COLUMNS);
            match parse_line(&cells, &record, &header, line) {
                Err((column, reason)) => problems.push(DisputeProblem {
                    line,
                    column: column.to_string(),
                    reason,
                }),
                Ok(d) => {
                    let by_id = &mut index[role_index(d.kind.role())];
                    if let Some(&first) = by_id.get(d.id.as_bytes()) {
                        problems.push(DisputeProblem {
                            line,
                            column: "id".to_string(),
                            reason: format!(
                                "{} `{}` is already disputed on line {}; keep one decision per record",
                                d.kind.as_str(),
                                d.id,
                                items[first].line
                            ),
                        });
                        continue;
                    }
                    by_id.insert(d.id.as_bytes().into(), items.len());
                    items.push(d);
                }
            }
        }
        Ok(Disputes {
            path: shown,
            sha256: reader.get_ref().hex_digest(),
            items,
            problems,
            index,
        })
    }

    /// The disputes, or [`Error::BadDisputes`] naming every malformed line (for a caller that
    /// settles nothing, so finds no unknown id to report with them).
    pub fn checked(self) -> Result<Disputes> {
        if self.problems.is_empty() {
            Ok(self)
        } else {
            Err(Error::BadDisputes {
                path: self.path,
                problems: self.problems,
            })
        }
    }

    /// The dispute (index into [`Disputes::items`]) of the record `id` of input `role`, if any.
    pub fn find(&self, role: Role, id: &[u8]) -> Option<usize> {
        let by_id = &self.index[role_index(role)];
        if by_id.is_empty() {
            return None;
        }
        by_id.get(id).copied()
    }
}

/// Parses one line; the error is (column, reason) for the first column at fault.
fn parse_line(
    cells: &Cells,
    record: &csv::ByteRecord,
    header: &Header,
    line: u64,
) -> std::result::Result<Dispute, (&'static str, String)> {
    let row = |e: crate::input::records::RowError| {
        let column = COLUMNS
            .iter()
            .map(|c| c.0)
            .find(|c| *c == e.column)
            .unwrap_or("(row)");
        (column, e.reason.into_owned())
    };
    let shape = crate::input::pipeline::Shape::of_record(line, record);
    if let Some(problem) = crate::input::source::SourceRow::shaped(shape).shape_problem() {
        return Err(("(row)", problem));
    }
    if record.len() != header.width {
        return Err((
            "(row)",
            format!(
                "has {} fields, the header has {}",
                record.len(),
                header.width
            ),
        ));
    }
    let kind_cell = cells.required(0).map_err(row)?;
    let kind = DisputeKind::parse(kind_cell).ok_or_else(|| {
        (
            "kind",
            format!(
                "`{}` is not one of contact, ticket, survey, order, incident",
                String::from_utf8_lossy(kind_cell)
            ),
        )
    })?;
    let id = cells.text(1).map_err(row)?.to_string();
    let decision_cell = cells.required(2).map_err(row)?;
    let decision = Decision::parse(decision_cell).ok_or_else(|| {
        (
            "decision",
            format!(
                "`{}` is not one of exclude, answered, on_time, not_takeover",
                String::from_utf8_lossy(decision_cell)
            ),
        )
    })?;
    decision.fits(kind).map_err(|r| ("decision", r))?;
    let say = |i: usize, what: &str| {
        cells.text(i).map_err(|e| {
            let (column, reason) = row(e);
            if cells.get(i).is_empty() {
                (
                    column,
                    format!("{reason}: an auditor's decision must say {what}"),
                )
            } else {
                (column, reason)
            }
        })
    };
    let reason = say(3, "why")?.to_string();
    let decided_by = say(4, "who decided it")?.to_string();
    Ok(Dispute {
        line,
        kind,
        id,
        decision,
        reason,
        decided_by,
    })
}

/// Whether `decision` applies to `record`, the accepted row `id` of the month; the reason in
/// words when it does not (a work order decision on a complaint, a takeover decision on a
/// vendor-handled contact, an on-time decision on a platform-handled ticket).
pub fn applies(decision: Decision, id: &str, record: &Record) -> std::result::Result<(), String> {
    let ticket_kind = TicketKind::as_str;
    match (decision, record) {
        (Decision::Exclude, _) | (Decision::Answered, Record::Call(_)) => Ok(()),
        (Decision::OnTime, Record::Ticket(t)) => match (t.kind, t.handled_by) {
            (TicketKind::WorkOrder | TicketKind::Repair, HandledBy::Vendor) => Ok(()),
            (TicketKind::WorkOrder | TicketKind::Repair, HandledBy::Platform) => Err(format!(
                "ticket `{id}` is a {} handled by the platform: it is left out of the vendor's metrics and never charged, so `on_time` has nothing to change",
                ticket_kind(t.kind)
            )),
            (k, _) => Err(format!(
                "ticket `{id}` is a {}: `on_time` applies to work orders and repairs only",
                ticket_kind(k)
            )),
        },
        (Decision::NotTakeover, Record::Call(c)) => match c.handled_by {
            HandledBy::Platform => Ok(()),
            HandledBy::Vendor => Err(format!(
                "contact `{id}` was handled by the vendor, not taken over: `not_takeover` applies to platform-handled contacts and service orders only"
            )),
        },
        (Decision::NotTakeover, Record::Ticket(t)) => match (t.kind, t.handled_by) {
            (TicketKind::ServiceOrder, HandledBy::Platform) => Ok(()),
            (TicketKind::ServiceOrder, HandledBy::Vendor) => Err(format!(
                "ticket `{id}` is a service_order handled by the vendor, not taken over: `not_takeover` applies to platform-handled contacts and service orders only"
            )),
            (k, _) => Err(format!(
                "ticket `{id}` is a {}, which carries no takeover price: `not_takeover` applies to platform-handled contacts and service orders only",
                ticket_kind(k)
            )),
        },
        // Kinds are matched to roles and decisions to kinds when the file is loaded.
        (d, _) => Err(format!(
            "`{}` does not apply to this record",
            d.as_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn load_text(text: &str) -> Result<Disputes> {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        let path = f.path().to_path_buf();
        let r = Disputes::load(&path).and_then(Disputes::checked);
        drop(f);
        r
    }

    /// Every problem as `line: column: reason`, without the path.
    fn problems(text: &str) -> Vec<String> {
        match load_text(text) {
            Err(Error::BadDisputes { problems, .. }) => problems
                .iter()
                .map(|p| format!("{}: {}: {}", p.line, p.column, p.reason))
                .collect(),
            other => panic!("expected BadDisputes, got {other:?}"),
        }
    }

    const HEADER: &str = "kind,id,decision,reason,decided_by\n";

    #[test]
    fn loads_every_decision_in_file_order_with_its_line() {
        let d = load_text(&format!(
            "{HEADER}contact,C1,exclude,test call,Li Wei\n\nticket,T1,on_time,clock outage,Li Wei\r\n\
             contact,C2,answered,\"agent picked up, log lost\",Zhang\nticket,T2,not_takeover,misrouted,Zhang\n\
             survey,S1,exclude,duplicate survey,Zhang\norder,O1,exclude,test order,Zhang\n"
        ))
        .unwrap();
        let got: Vec<(u64, &str, &str, &str)> = d
            .items
            .iter()
            .map(|x| (x.line, x.kind.as_str(), x.id.as_str(), x.decision.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "contact", "C1", "exclude"),
                (4, "ticket", "T1", "on_time"),
                (5, "contact", "C2", "answered"),
                (6, "ticket", "T2", "not_takeover"),
                (7, "survey", "S1", "exclude"),
                (8, "order", "O1", "exclude"),
            ]
        );
        assert_eq!(d.items[2].reason, "agent picked up, log lost");
        assert_eq!(d.sha256.len(), 64);
        assert_eq!(d.find(Role::Calls, b"C2"), Some(2));
        assert_eq!(d.find(Role::Tickets, b"C2"), None);
        assert_eq!(d.find(Role::Orders, b"O1"), Some(5));
    }

    #[test]
    fn header_in_any_order_any_case_with_a_bom_and_trimmed_cells() {
        let d = load_text(
            "\u{feff} Decided_By ,REASON,Id,Kind,DECISION,note\n Li Wei , late log , T9 , Ticket , ON_TIME ,x\n",
        )
        .unwrap();
        assert_eq!(
            d.items,
            vec![Dispute {
                line: 2,
                kind: DisputeKind::Ticket,
                id: "T9".into(),
                decision: Decision::OnTime,
                reason: "late log".into(),
                decided_by: "Li Wei".into(),
            }]
        );
        // A header-only file holds no decision.
        assert!(load_text(HEADER).unwrap().items.is_empty());
    }

    #[test]
    fn every_malformed_line_is_named_with_its_column() {
        let got = problems(&format!(
            "{HEADER}\
             fax,C1,exclude,r,who\n\
             contact,,exclude,r,who\n\
             contact,C3,forgive,r,who\n\
             contact,C4,exclude,,who\n\
             contact,C5,exclude,r,\n\
             contact,C6,exclude,r\n\
             survey,S1,answered,r,who\n\
             order,O1,on_time,r,who\n\
             survey,S2,not_takeover,r,who\n\
             ticket,T1,answered,r,who\n\
             contact,C7,on_time,r,who\n\
             contact,C8,exclude,r,who\n\
             Contact,C8,answered,r,who\n\
             ticket,C8,exclude,r,who\n\
             ,C9,exclude,r,who\n"
        ));
        assert_eq!(
            got,
            vec![
                "2: kind: `fax` is not one of contact, ticket, survey, order, incident",
                "3: id: required value is empty",
                "4: decision: `forgive` is not one of exclude, answered, on_time, not_takeover",
                "5: reason: required value is empty: an auditor's decision must say why",
                "6: decided_by: required value is empty: an auditor's decision must say who decided it",
                "7: (row): has 4 fields, the header has 5",
                "8: decision: `answered` applies to contacts only, not to a survey",
                "9: decision: `on_time` applies to work orders and repairs (kind ticket) only, not to an order",
                "10: decision: `not_takeover` applies to platform-handled contacts and service orders (kind contact or ticket) only, not to a survey",
                "11: decision: `answered` applies to contacts only, not to a ticket",
                "12: decision: `on_time` applies to work orders and repairs (kind ticket) only, not to a contact",
                "14: id: contact `C8` is already disputed on line 13; keep one decision per record",
                "16: kind: required value is empty",
            ]
        );
    }

    #[test]
    fn the_error_names_the_file_and_each_line() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(format!("{HEADER}contact,C1,exclude,,who\nx,C2,exclude,r,who\n").as_bytes())
            .unwrap();
        let e = Disputes::load(f.path())
            .and_then(Disputes::checked)
            .unwrap_err();
        assert_eq!(e.exit_code().code(), 65);
        let p = f.path().display();
        assert_eq!(
            e.to_string(),
            format!(
                "{p}:2: reason: required value is empty: an auditor's decision must say why\n\
                 {p}:3: kind: `x` is not one of contact, ticket, survey, order, incident"
            )
        );
    }

    #[test]
    fn a_missing_column_an_empty_file_and_a_missing_file() {
        match load_text("kind,id,decision,reason\ncontact,C1,exclude,r\n") {
            Err(Error::BadFile {
                line: 1, message, ..
            }) => {
                assert!(
                    message.starts_with("missing required column `decided_by`"),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        match load_text("") {
            Err(e @ Error::BadFile { line: 1, .. }) => assert_eq!(e.exit_code().code(), 65),
            other => panic!("{other:?}"),
        }
        let e = Disputes::load(Path::new("/no/such/disputes.csv")).unwrap_err();
        assert_eq!(e.exit_code().code(), 66);
    }

    #[test]
    fn non_utf8_cells_are_named() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"contact,C1,exclude,\xff\xfe,who\n");
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&bytes).unwrap();
        match Disputes::load(f.path()).and_then(Disputes::checked) {
            Err(Error::BadDisputes { problems, .. }) => assert_eq!(
                problems,
                vec![DisputeProblem {
                    line: 2,
                    column: "reason".into(),
                    reason: "not valid UTF-8 (save the file as UTF-8)".into()
                }]
            ),
            other => panic!("{other:?}"),
        }
    }
}
