//! The evidence files of `settle --evidence`, formatted while the month is read: each row that
//! shows in a figure is written into its vendor's file the moment the thread taking its input
//! file classifies it ([`Collect::Stream`](crate::tally::collect::Collect::Stream)), so nothing
//! is kept per row and the files are ready when the reading ends. The rows are the ones
//! [`build`](super::build) lists for `explain`, formatted cell for cell as they would be there.

use super::{
    add_row, as_judged, write_contact, write_repair, write_takeover, write_work_order, RowFile,
    RowOut, VendorEvidence,
};
use crate::base::timestamp::{Instant, Month};
use crate::contract::rates::Rates;
use crate::contract::terms::Terms;
use crate::input::Role;
use crate::tally::collect::{NoteStream, NotedRef};
use chrono_tz::Tz;
use std::sync::{Mutex, PoisonError};

/// The per-vendor evidence files of a month, filled as its inputs are taken.
pub struct Streaming<'r> {
    tz: Tz,
    /// Per declared vendor, in declaration order: its terms for the month and E, the end of its
    /// contract, when the cut-off has passed it (SPEC §12).
    vendors: Vec<(&'r Terms, Option<Instant>)>,
    /// Per role of [`Role::ALL`]: what its input file gave. Only what takes that file's rows
    /// back in order (one thread at a time) locks it while the month is read.
    roles: Vec<Mutex<Part>>,
}

/// The rows one input file gave, per vendor and file.
struct Part {
    /// The input file's path as given (each row's `file` cell).
    path: String,
    /// The typed rows of the row being formatted.
    scratch: VendorEvidence,
    /// The cell being formatted.
    buf: String,
    /// Per declared vendor, per [`RowFile`]: the file so far, header first.
    files: Vec<[Option<csv::Writer<Vec<u8>>>; 4]>,
}

impl<'r> Streaming<'r> {
    /// Evidence for `month` judged at `cutoff`, the inputs being `inputs` (role and path as
    /// given).
    pub fn new(
        rates: &'r Rates,
        month: Month,
        cutoff: Instant,
        inputs: impl IntoIterator<Item = (Role, String)>,
    ) -> Streaming<'r> {
        let mut paths = vec![String::new(); Role::ALL.len()];
        for (role, path) in inputs {
            // The incident register gives no such rows (its own file is built after).
            if let Some(i) = role.export_index() {
                paths[i] = path;
            }
        }
        Streaming {
            tz: rates.timezone,
            vendors: rates
                .vendors
                .iter()
                .map(|v| {
                    let ended = super::ended_at(v, rates.timezone, cutoff);
                    (rates.terms_for(&v.id, month), ended)
                })
                .collect(),
            roles: paths
                .into_iter()
                .map(|path| {
                    Mutex::new(Part {
                        path,
                        scratch: VendorEvidence::default(),
                        buf: String::new(),
                        files: (0..rates.vendors.len())
                            .map(|_| Default::default())
                            .collect(),
                    })
                })
                .collect(),
        }
    }

    /// Hands each vendor's files out: `rows(vendor, file)` gives the file's bytes, the rows of
    /// the input files in role order under one header (header only when none had a row).
    pub fn into_rows(self) -> impl FnMut(usize, RowFile) -> Vec<u8> {
        let mut parts: Vec<Part> = self
            .roles
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect();
        move |vendor, file| {
            let mut bytes: Option<Vec<u8>> = None;
            for part in &mut parts {
                let Some(w) = part.files[vendor][file as usize].take() else {
                    continue;
                };
                let written = w.into_inner().expect("memory");
                match &mut bytes {
                    None => bytes = Some(written),
                    Some(all) => all.extend_from_slice(&written[file.header_only().len()..]),
                }
            }
            bytes.unwrap_or_else(|| file.header_only())
        }
    }
}

impl NoteStream for Streaming<'_> {
    fn restart(&self, role: Role) {
        if let Some(i) = role.export_index() {
            let mut part = self.roles[i].lock().unwrap_or_else(PoisonError::into_inner);
            part.files.iter_mut().flatten().for_each(|w| *w = None);
        }
    }

    fn note(&self, role: Role, row: NotedRef<'_>) {
        let (terms, ended) = self.vendors[row.vendor];
        let n = as_judged(row.to_noted(), ended);
        let mut part = self.roles[role.export_index().expect("a month's export")]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let part = &mut *part;
        add_row(&mut part.scratch, &part.path, &n, terms, self.tz);
        let (tz, files, ev) = (self.tz, &mut part.files[row.vendor], &mut part.scratch);
        let buf = &mut part.buf;
        for r in ev.work_orders.drain(..) {
            write_work_order(
                &mut RowOut::new(start(files, RowFile::WorkOrders), buf),
                &r,
                tz,
            );
        }
        for r in ev.repairs.drain(..) {
            write_repair(
                &mut RowOut::new(start(files, RowFile::Repairs), buf),
                &r,
                tz,
            );
        }
        for r in ev.contacts.drain(..) {
            write_contact(
                &mut RowOut::new(start(files, RowFile::Contacts), buf),
                &r,
                tz,
            );
        }
        for r in ev.takeovers.drain(..) {
            write_takeover(&mut RowOut::new(start(files, RowFile::Takeovers), buf), &r);
        }
    }
}

/// The writer of `file`, started with its header when this is its first row.
fn start(
    files: &mut [Option<csv::Writer<Vec<u8>>>; 4],
    file: RowFile,
) -> &mut csv::Writer<Vec<u8>> {
    files[file as usize].get_or_insert_with(|| file.writer())
}
